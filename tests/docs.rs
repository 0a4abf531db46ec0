//! Docs read as their authors meant them: rustdoc intra-doc links, reST docstrings and JSDoc
//! tags rendered on file pages with their links resolved on the site; the repository's markdown
//! files as pages under "Docs"; file pages with contents and members under their type. Every
//! link of the site checked.

mod support;

use support::*;

const LIB_RS: &str = r#"//! A tiny store. Start with [`Store`], or see [the guide](crate#usage).
//!
//! # Usage
//!
//! Call [`Store::get`] or [Store::put]; errors are [`struct@Error`], see
//! [`Error::kind`](struct.Error.html#method.kind). [`Missing`] names nothing here.
//!
//! ```
//! # use store::Store;
//! let s = Store::default();
//! ```

/// Keys and their values. [`get`](#method.get) reads one.
pub struct Store;

impl Store {
    /// Reads a key. Fails with [`Error`].
    pub fn get(&self) -> Option<u8> { None }
    /// Writes a key; see [`Self::get`].
    pub fn put(&self) {}
    fn check(&self) {}
}

/// What went wrong.
pub struct Error;

impl Error {
    /// The kind of error.
    pub fn kind(&self) -> u8 { 0 }
}
"#;

const APP_PY: &str = r#""""The application object."""


class App:
    """The central object.

    :param name: the app's name, see :meth:`App.run`.
    :type name: str
    :raises ValueError: when the name is empty.

    .. versionchanged:: 2.0
        ``name`` is required.

    .. code-block:: python

        app = App("x")
    """

    def run(self, port):
        """Run the app.

        Args:
            port (int): The port to listen on.

        Returns:
            bool: Whether it stopped cleanly.
        """
        return True


def _helper():
    pass
"#;

const CLIENT_TS: &str = r#"/**
 * Sends a request. See {@link Client.close|closing}.
 *
 * @param url - The address.
 * @returns {Promise<string>} The body.
 * @throws {Error} When offline.
 * @deprecated Use `fetch` instead.
 * @example
 * send("https://example.com")
 */
export function send(url: string): Promise<string> {
  return Promise.resolve(url);
}

export class Client {
  /** Closes the client. */
  close(): void {}
}
"#;

const README: &str = "---\ntitle: ignored\n---\n# Store\n\nA store. Read the [guide](docs/guide.md#setup) and [API notes](docs/missing.md), \
                      or `src/lib.rs`.\n\n<div align=\"center\"><img src=\"logo.svg\"></div>\n";

const GUIDE: &str = "# The guide\n\n## Setup\n\nUse `Store` from [the code](../src/lib.rs).\n";

fn build() -> (Fixture, std::path::PathBuf) {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            ("README.md", Some(README.as_bytes())),
            ("docs/guide.md", Some(GUIDE.as_bytes())),
            (
                "Cargo.toml",
                Some(b"[package]\nname = \"store\"\n".as_slice()),
            ),
            ("src/lib.rs", Some(LIB_RS.as_bytes())),
            ("py/app.py", Some(APP_PY.as_bytes())),
            ("web/client.ts", Some(CLIENT_TS.as_bytes())),
        ],
        "init",
        "Ada",
        1_700_000_000,
    );
    let site = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", site.to_str().unwrap()]);
    (f, site)
}

/// The text of a page between two markers.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("{from} in {html}"));
    let rest = &html[start..];
    &rest[..rest.find(to).unwrap_or(rest.len())]
}

#[test]
fn docs_render_in_their_dialect_with_links_on_the_site() {
    let (_f, site) = build();
    let broken = broken_links(&site);
    assert!(broken.is_empty(), "{}", broken.join("\n"));

    // rustdoc: every form of intra-doc link resolves to the symbol's anchor.
    let lib = read(&site.join("files/src/lib.rs.html"));
    let module = between(&lib, "class=\"doc module-doc\"", "</div>");
    assert!(
        module.contains("<a href=\"#sym-Store\"><code>Store</code></a>"),
        "{module}"
    );
    assert!(
        module.contains("<a href=\"#usage\">the guide</a>"),
        "{module}"
    );
    assert!(module.contains("<h2 id=\"usage\">Usage</h2>"), "{module}");
    assert!(
        module.contains("<a href=\"#sym-Store--get\"><code>Store::get</code></a>"),
        "{module}"
    );
    assert!(
        module.contains("<a href=\"#sym-Store--put\">Store::put</a>"),
        "{module}"
    );
    assert!(
        module.contains("<a href=\"#sym-Error\"><code>struct@Error</code></a>"),
        "{module}"
    );
    assert!(
        module.contains("<a href=\"#sym-Error--kind\"><code>Error::kind</code></a>"),
        "{module}"
    );
    // A name that is nowhere is code, not a link and not brackets.
    assert!(
        module.contains("<code>Missing</code> names nothing"),
        "{module}"
    );
    assert!(
        !module.contains("[`Missing`]") && !module.contains("[<code>"),
        "{module}"
    );
    // Examples hide rustdoc's setup lines.
    assert!(!module.contains("use store::Store"), "{module}");
    let store = between(&lib, "id=\"sym-Store\"", "</section>");
    assert!(
        store.contains("<a href=\"#sym-Store--get\"><code>get</code></a>"),
        "{store}"
    );

    // reST: fields as a table, roles as links, directives as notes and code.
    let app = read(&site.join("files/py/app.py.html"));
    let class = between(&app, "id=\"sym-App\"", "</section>");
    assert!(
        class.contains("<p class=\"fields-title\">Parameters</p>"),
        "{class}"
    );
    assert!(
        class.contains("<code>name</code> <span class=\"type\"><code>str</code></span>"),
        "{class}"
    );
    assert!(
        class.contains("<a href=\"#sym-App-run\"><code>App.run</code></a>"),
        "{class}"
    );
    assert!(
        class.contains("<p class=\"fields-title\">Raises</p>"),
        "{class}"
    );
    assert!(class.contains("Changed in version 2.0"), "{class}");
    assert!(
        class.contains("<code class=\"language-python\">app = App(\"x\")"),
        "{class}"
    );
    for raw in [
        ":param",
        ":meth:",
        ".. versionchanged",
        ".. code-block",
        ":raises",
    ] {
        assert!(!class.contains(raw), "{raw} in {class}");
    }
    // Google sections.
    let run = between(&app, "id=\"sym-App-run\"", "</section>");
    assert!(
        run.contains("<code>port</code> <span class=\"type\"><code>int</code></span>"),
        "{run}"
    );
    assert!(
        run.contains("<p class=\"fields-title\">Returns</p>"),
        "{run}"
    );
    assert!(!run.contains("Args:"), "{run}");

    // JSDoc: tags as tables and notes, {@link} as a link.
    let client = read(&site.join("files/web/client.ts.html"));
    let send = between(&client, "id=\"sym-send\"", "</section>");
    assert!(
        send.contains("<a href=\"#sym-Client-close\"><code>closing</code></a>"),
        "{send}"
    );
    assert!(
        send.contains("<p class=\"note-title\">Deprecated</p>"),
        "{send}"
    );
    assert!(send.contains("<code>url</code>"), "{send}");
    assert!(
        send.contains("<p class=\"fields-title\">Throws</p>"),
        "{send}"
    );
    assert!(send.contains("<code class=\"language-js\">send("), "{send}");
    assert!(
        !send.contains("@param") && !send.contains("{@link"),
        "{send}"
    );
}

#[test]
fn the_repositorys_docs_are_pages_of_the_site() {
    let (_f, site) = build();
    // The README, rendered: its links go to the guide's heading, a missing doc is plain text,
    // HTML layout and front matter are gone.
    let readme = read(&site.join("files/README.md.html"));
    let doc = between(&readme, "class=\"doc document\"", "</div>");
    assert!(doc.contains("<h2 id=\"store\">Store</h2>"), "{doc}");
    assert!(
        doc.contains("<a href=\"../files/docs/guide.md.html#setup\">guide</a>"),
        "{doc}"
    );
    assert!(doc.contains("and API notes,"), "{doc}");
    assert!(
        !doc.contains("title: ignored") && !doc.contains("&lt;div"),
        "{doc}"
    );
    let guide = read(&site.join("files/docs/guide.md.html"));
    assert!(
        guide.contains("<a href=\"../../files/src/lib.rs.html\">the code</a>"),
        "{guide}"
    );
    // Listed under Docs: the overview and the shared navigation, README first.
    let overview = read(&site.join("index.html"));
    let docs = between(&overview, "<h2 id=\"docs\">", "</ul>");
    let store = docs.find(">Store</a>").expect("the README is listed");
    let guide_at = docs.find(">The guide</a>").expect("the guide is listed");
    assert!(store < guide_at, "{docs}");
    let nav = read(&site.join("nav.js"));
    assert!(nav.contains("\"name\":\"The guide\""), "{nav}");
    // The part whose file the guide links to and whose type it names lists it.
    let parts: Vec<_> = walk(&site.join("parts"))
        .into_iter()
        .filter(|p| read(p).contains("<h1>store</h1>"))
        .collect();
    assert_eq!(parts.len(), 1);
    let part = read(&parts[0]);
    assert!(
        between(&part, "<h2 id=\"docs\">", "</ul>").contains("The guide"),
        "{part}"
    );
}

#[test]
fn file_pages_have_contents_members_under_types_and_private_items_folded() {
    let (_f, site) = build();
    let lib = read(&site.join("files/src/lib.rs.html"));
    let toc = between(&lib, "<nav class=\"toc\"", "</nav>");
    assert!(toc.contains("<a href=\"#sym-Store\"><span class=\"kind\">struct</span> <code>Store</code></a><ul><li><a href=\"#sym-Store--get\"><code>get</code></a></li><li><a href=\"#sym-Store--put\"><code>put</code></a></li></ul>"), "{toc}");
    assert!(toc.contains("1 private item</a>"), "{toc}");
    // Public first, members right after their type; the private method folded at the end.
    let order: Vec<usize> = [
        "id=\"sym-Store\"",
        "id=\"sym-Store--get\"",
        "id=\"sym-Error\"",
        "id=\"sym-Error--kind\"",
        "<details class=\"private-items\" id=\"private\">",
        "id=\"sym-Store--check\"",
    ]
    .iter()
    .map(|m| lib.find(m).unwrap_or_else(|| panic!("{m}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(lib.contains("class=\"symbol member\" id=\"sym-Store--get\""));
    let app = read(&site.join("files/py/app.py.html"));
    assert!(app.find("id=\"sym-App-run\"").unwrap() < app.find("id=\"sym--helper\"").unwrap());
    assert!(app.contains("<summary>1 private item</summary>"));
}

#[test]
fn the_markdown_export_shows_docs_without_their_dialects_marks() {
    let (f, _site) = build();
    let wiki = f.dir.path().join("wiki");
    build_json(&[
        f.root().to_str().unwrap(),
        "--format",
        "markdown",
        "--out",
        wiki.to_str().unwrap(),
    ]);
    let problems = markdown_problems(&wiki);
    assert!(problems.is_empty(), "{problems:?}");
    let app = read(&wiki.join("files/py/app.py.md"));
    assert!(
        app.contains("**Parameters**\n\n- `name` (`str`): the app's name, see `App.run`."),
        "{app}"
    );
    assert!(app.contains("> **Changed in version 2.0**"), "{app}");
    assert!(!app.contains(":param") && !app.contains(":meth:"), "{app}");
    let lib = read(&wiki.join("files/src/lib.rs.md"));
    assert!(
        lib.contains("Start with `Store`") && lib.contains("`Missing` names nothing"),
        "{lib}"
    );
    let client = read(&wiki.join("files/web/client.ts.md"));
    assert!(
        !client.contains("@param") && !client.contains("{@link"),
        "{client}"
    );
}
