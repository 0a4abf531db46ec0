//! Known XSS payloads in every place repowiki takes text from: none executes or survives as
//! markup on any page.

mod support;

use std::fs;
use std::path::PathBuf;

use support::*;

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg/onload=alert(3)>",
    "[x](javascript:alert(4))",
    "\"><script>alert(5)</script>",
    "<a href=\"javascript:alert(6)\">x</a>",
    "</textarea><script>alert(7)</script>",
    "<iframe src=\"data:text/html,<script>alert(8)</script>\"></iframe>",
    "<details open ontoggle=alert(9)>",
    "' onmouseover='alert(10)",
];

fn corpus() -> String {
    PAYLOADS.join(" ")
}

/// Every tag of every page: only repowiki's own kinds of markup.
fn assert_clean(site: &std::path::Path) {
    // Our own scripts only: the shared ones (deferred) and the theme choice (read before drawing).
    let allowed_scripts = [
        "site-info.js\" defer",
        "nav.js\" defer",
        "risk.js\" defer",
        "assets/site.js\" defer",
        "assets/theme.js\">",
    ];
    for page in walk(site)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let html = read(page);
        let mut rest = html.as_str();
        while let Some(start) = rest.find('<') {
            let end = rest[start..]
                .find('>')
                .map(|e| start + e)
                .expect("tags close");
            let tag = &rest[start + 1..end];
            rest = &rest[end + 1..];
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_lowercase();
            let where_ = format!("{} in <{tag}>", page.display());
            assert!(
                ![
                    "iframe",
                    "img",
                    "object",
                    "embed",
                    "form",
                    "textarea",
                    "style",
                    "base",
                    "meta http-equiv"
                ]
                .contains(&name.as_str()),
                "{where_}"
            );
            if name == "script" && !tag.starts_with('/') {
                assert!(
                    allowed_scripts
                        .iter()
                        .any(|s| format!("<{tag}>").contains(s)),
                    "{where_}"
                );
            }
            // Our own folds only: a doc's markdown source, a file's private items.
            if name == "details" && !tag.starts_with('/') {
                assert!(
                    tag == "details class=\"source-of-doc\""
                        || tag == "details class=\"private-items\" id=\"private\"",
                    "{where_}"
                );
            }
            if name == "svg" && !tag.starts_with('/') {
                assert!(
                    tag.starts_with("svg class=\"diagram\"")
                        || tag.starts_with("svg class=\"chart\""),
                    "{where_}"
                );
            }
            // No event handler attribute: ` on…=` inside a tag, outside quoted values.
            let mut quoted = false;
            let bytes = tag.as_bytes();
            for i in 0..bytes.len() {
                match bytes[i] {
                    b'"' => quoted = !quoted,
                    b' ' if !quoted && tag[i + 1..].to_lowercase().starts_with("on") => {
                        let attr: String = tag[i + 1..]
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric())
                            .collect();
                        assert!(!tag[i + 1 + attr.len()..].starts_with('='), "{where_}");
                    }
                    _ => {}
                }
            }
            let lower = tag.to_lowercase();
            for bad in ["javascript:", "vbscript:", "href=\"data:", "src=\"data:"] {
                assert!(!lower.contains(bad), "{where_}");
            }
        }
    }
}

#[test]
fn xss_payloads_in_code_docs_history_names_and_config_are_neutralised() {
    let mut f = Fixture::new();
    let c = corpus();
    let py = format!(
        "\"\"\"Module. {c}\"\"\"\n\n\ndef handler(x=\"<script>alert(11)</script>\"):\n    \"\"\"Handles it. {c}\"\"\"\n    return x\n"
    );
    let rs = format!("//! Crate docs. {c}\n\n/// A type. {c}\npub struct Thing;\n");
    let ts = format!("/** Web {c} */\n\n/** Makes it. {c} */\nexport function make(): string {{ return '<img src=x onerror=alert(12)>'; }}\n");
    let readme = format!("# Demo\n\n{c}\n\n## Parts\n\n`app/` holds {c}\n");
    let odd_name = "docs/\"><img src=x onerror=alert(13)>.md";
    f.commit(
        "init",
        &[
            ("README.md", Some(readme.as_bytes())),
            ("app/main.py", Some(py.as_bytes())),
            ("src/lib.rs", Some(rs.as_bytes())),
            ("web/index.ts", Some(ts.as_bytes())),
            (odd_name, Some(c.as_bytes())),
        ],
        &format!("{c}\n\nBody: {c}"),
        "Eve\" onmouseover=\"alert(14)",
        T0,
    );
    fs::write(
        f.root().join("repowiki.toml"),
        "[site]\ntitle = \"<script>alert(15)</script>\"\n",
    )
    .unwrap();
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_clean(&out);
    // The text is still there, shown as text.
    let main = read(&out.join("files/app/main.py.html"));
    assert!(
        main.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{main}"
    );
    let history = read(&out.join("history.html"));
    assert!(
        history.contains("Eve&quot; onmouseover=&quot;alert(14)"),
        "{history}"
    );
    let broken = broken_links(&out);
    assert!(broken.is_empty(), "{}", broken.join("\n"));

    // The markdown wiki: no raw HTML, no unsafe link, every link resolves.
    let wiki = f.dir.path().join("wiki");
    let o = run(&[
        "build",
        f.root().to_str().unwrap(),
        "--format",
        "markdown",
        "--out",
        wiki.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let problems = markdown_problems(&wiki);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(read(&wiki.join("files/app/main.py.md")).contains("alert(1)"));
}

#[test]
fn odd_paths_get_unique_pages_inside_the_site_and_links_are_not_followed() {
    let mut f = Fixture::new();
    let long = format!("{}.py", "a".repeat(200));
    f.commit(
        "init",
        &[
            ("-rf.py", Some(b"def dash():\n    return 1\n".as_slice())),
            (
                long.as_str(),
                Some(b"def long():\n    return 2\n".as_slice()),
            ),
            ("Case.py", Some(b"def upper():\n    return 3\n".as_slice())),
            ("case.py", Some(b"def lower():\n    return 4\n".as_slice())),
            (
                "dir with spaces/ünïcode file.py",
                Some(b"def odd():\n    return 5\n".as_slice()),
            ),
        ],
        "Odd names",
        "Alice Smith",
        T0,
    );
    // A symlink out of the repository, and a submodule, through git itself.
    std::os::unix::fs::symlink("/etc/passwd", f.root().join("passwd-link")).unwrap();
    let head = f.commits["init"].to_string();
    let git = |args: &[&str]| {
        let o = std::process::Command::new("git")
            .args(["-c", "user.name=A", "-c", "user.email=a@x"])
            .args(args)
            .current_dir(f.root())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    git(&["add", "passwd-link"]);
    git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{head},deps/sub"),
    ]);
    git(&["commit", "-q", "-m", "Link and submodule"]);

    let out = f.dir.path().join("site");
    let report = build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(report["files_skipped"]["symlink"], 1, "{report}");
    assert_eq!(report["files_skipped"]["submodule"], 1, "{report}");
    let pages: Vec<_> = walk(&out.join("files"));
    assert_eq!(pages.len(), 5, "one page per file: {pages:?}");
    let canonical_out = out.canonicalize().unwrap();
    let mut lower: Vec<String> = Vec::new();
    for p in &pages {
        assert!(p.canonicalize().unwrap().starts_with(&canonical_out));
        assert!(p.file_name().unwrap().len() <= 120, "{}", p.display());
        let l = p.display().to_string().to_lowercase();
        assert!(!lower.contains(&l), "pages differ only in case: {l}");
        lower.push(l);
        assert!(!read(p).contains("root:x:0:0"), "the link was followed");
    }
    for page in walk(&out) {
        if page.extension().is_some_and(|e| e == "html") {
            assert!(!read(&page).contains("root:x:0:0"));
        }
    }
    let broken = broken_links(&out);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    assert!(
        read(&out.join("history.html")).contains("deps/sub"),
        "the submodule is listed"
    );
}

#[test]
fn huge_and_generated_files_are_skipped_with_reasons_and_long_ones_shown() {
    let mut f = Fixture::new();
    let line = "0123456789 abcdefghijklmnopqrstuvwxyz 0123456789 abcdefghijklmnopqrstuvwxyz\n";
    let big = line.repeat(50 * 1024 * 1024 / line.len() + 1);
    let generated: String = std::iter::once("# @generated by protoc. DO NOT EDIT.\n".to_string())
        .chain((0..5000).map(|i| format!("def f{i}(x):\n    return x + {i}\n")))
        .collect();
    let long: String = (0..5000)
        .map(|i| format!("def g{i}(x):\n    return x * {i}\n"))
        .collect();
    f.commit(
        "init",
        &[
            ("data/dump.txt", Some(big.as_bytes())),
            ("pkg/generated_pb2.py", Some(generated.as_bytes())),
            ("pkg/long.py", Some(long.as_bytes())),
            ("pkg/many.py", Some("a=1\n".repeat(200_000).as_bytes())),
            (
                "pkg/__init__.py",
                Some(b"\"\"\"The package.\"\"\"\n".as_slice()),
            ),
        ],
        "Add a dump, generated code and a long module",
        "Alice Smith",
        T0,
    );
    // The same 50 MB file changed: its diff is not read to count lines.
    let bigger = big.replace("0123456789 a", "9876543210 a");
    f.commit(
        "edit",
        &[("data/dump.txt", Some(bigger.as_bytes()))],
        "Change the dump",
        "Alice Smith",
        T0 + 86_400,
    );
    let out = f.dir.path().join("site");
    let report = build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(report["files_skipped"]["too-large"], 1, "{report}");
    assert_eq!(report["files_skipped"]["generated"], 1, "{report}");
    assert!(
        report["peak_memory_mib"].as_f64().unwrap() < 200.0,
        "{report}"
    );
    let history = read(&out.join("history.html"));
    assert!(history.contains("too-large") && history.contains("data/dump.txt"));
    assert!(history.contains("generated") && history.contains("pkg/generated_pb2.py"));
    // Long files show their first 5,000 lines and say so; pages stay small.
    let page = read(&out.join("files/pkg/long.py.html"));
    assert!(page.contains("id=\"L5000\"") && !page.contains("id=\"L5001\""));
    assert!(
        page.contains("first 5000 of 10000 lines are shown"),
        "says so"
    );
    assert!(
        page.contains("3000 more symbols are not listed"),
        "and lists 2,000 symbols"
    );
    assert!(
        !page.contains("href=\"#L9999\""),
        "no link to a line not shown"
    );
    let many = out.join("files/pkg/many.py.html");
    assert!(read(&many).contains("first 5000 of 200000 lines are shown"));
    assert!(fs::metadata(&many).unwrap().len() < 1 << 20);
    assert!(!out.join("files/pkg/generated_pb2.py.html").exists());
}

/// Commits a tree made straight from (path bytes, content) pairs, so that names a work tree
/// cannot hold (over 4,096 bytes, not UTF-8) can be tried.
fn commit_raw(f: &Fixture, files: &[(Vec<u8>, &[u8])]) {
    enum Node {
        File(git2::Oid),
        Dir(std::collections::BTreeMap<Vec<u8>, Node>),
    }
    fn insert(dir: &mut std::collections::BTreeMap<Vec<u8>, Node>, path: &[u8], blob: git2::Oid) {
        match path.iter().position(|&b| b == b'/') {
            None => {
                dir.insert(path.to_vec(), Node::File(blob));
            }
            Some(i) => {
                let sub = dir
                    .entry(path[..i].to_vec())
                    .or_insert_with(|| Node::Dir(Default::default()));
                if let Node::Dir(d) = sub {
                    insert(d, &path[i + 1..], blob);
                }
            }
        }
    }
    fn write(
        repo: &git2::Repository,
        dir: &std::collections::BTreeMap<Vec<u8>, Node>,
    ) -> git2::Oid {
        let mut b = repo.treebuilder(None).unwrap();
        for (name, node) in dir {
            let name = unsafe { std::ffi::OsStr::from_encoded_bytes_unchecked(name) };
            match node {
                Node::File(id) => b.insert(name, *id, 0o100644).unwrap(),
                Node::Dir(d) => b.insert(name, write(repo, d), 0o040000).unwrap(),
            };
        }
        b.write().unwrap()
    }
    let mut root = std::collections::BTreeMap::new();
    for (path, bytes) in files {
        insert(&mut root, path, f.repo.blob(bytes).unwrap());
    }
    let tree = f.repo.find_tree(write(&f.repo, &root)).unwrap();
    let sig = git2::Signature::new("Alice", "a@example.com", &git2::Time::new(T0, 0)).unwrap();
    f.repo
        .commit(Some("HEAD"), &sig, &sig, "Odd names", &tree, &[])
        .unwrap();
}

#[test]
fn names_that_clashed_and_paths_too_long_for_a_work_tree_get_pages_of_their_own() {
    let f = Fixture::new();
    let deep: Vec<u8> = ("d".repeat(70) + "/").repeat(60).into_bytes();
    let mut long = deep.clone();
    long.extend_from_slice(b"deep.rs");
    let files: Vec<(Vec<u8>, &[u8])> = vec![
        (b"a.rs".to_vec(), b"pub fn a() {}\n"),
        (b"a.rs.html/x.rs".to_vec(), b"pub fn x() {}\n"),
        (b"a~.rs".to_vec(), b"pub fn tilde() {}\n"),
        (b"a_.rs-710d6445".to_vec(), b"plain\n"),
        (b"x.rs".to_vec(), b"pub fn x_rs() {}\n"),
        (b"x.rs.html".to_vec(), b"<p>x</p>\n"),
        (b"bad\xff.rs".to_vec(), b"pub fn ff() {}\n"),
        (b"bad\xfe.rs".to_vec(), b"pub fn fe() {}\n"),
        (long.clone(), b"pub fn deep() {}\n"),
        // One doc comment's reference, another's `javascript:` definition: joined in one file.
        (
            b"refs.rs".to_vec(),
            b"//! Refs <b onmouseover=alert(3)>here</b> [go](javascript:alert(4)).\n\n/// See [the docs][x].\npub fn one() {}\n\n/// [x]: javascript:alert(1)\npub fn two() {}\n",
        ),
        (
            b"README.md".to_vec(),
            b"# Demo <script>alert(1)</script>\n\nA demo. <img src=x onerror=alert(2)>\n",
        ),
    ];
    commit_raw(&f, &files);
    let site = f.dir.path().join("site");
    let o = repowiki()
        .args(["build", "--quiet", "--out"])
        .arg(&site)
        .args(["--site-url", "https://example.org/wiki/"])
        .arg(f.root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // Every file its own page.
    let pages: Vec<PathBuf> = walk(&site.join("files"));
    assert_eq!(pages.len(), files.len(), "{pages:#?}");
    assert!(broken_links(&site).is_empty(), "{:?}", broken_links(&site));
    let wiki = f.dir.path().join("wiki");
    let o = repowiki()
        .args(["build", "--quiet", "--format", "markdown", "--out"])
        .arg(&wiki)
        .arg(f.root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(walk(&wiki.join("files")).len(), files.len());
    assert!(
        markdown_problems(&wiki).is_empty(),
        "{:?}",
        markdown_problems(&wiki)
    );
    // llms.txt and llms-full.txt: no raw HTML, no link but the site's own pages.
    let llms = read(&site.join("llms.txt")) + &read(&site.join("llms-full.txt"));
    for event in pulldown_cmark::Parser::new(&llms) {
        match event {
            pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) => {
                panic!("raw HTML {h} in llms.txt")
            }
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { dest_url, .. }) => {
                assert!(
                    dest_url.starts_with("https://example.org/wiki/"),
                    "{dest_url}"
                );
            }
            _ => {}
        }
    }
    // A base URL that would close the link and open another is refused, in one line.
    for bad in [
        "https://x/)[pwn](javascript:alert(1))",
        "javascript:alert(1)",
        "https://x/ \"a",
    ] {
        let o = repowiki()
            .args(["build", "--quiet", "--site-url", bad, "--out"])
            .arg(&site)
            .arg(f.root())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        std::fs::write(
            f.root().join("repowiki.toml"),
            format!("[site]\nbase-url = {bad:?}\n"),
        )
        .unwrap();
        let o = repowiki()
            .args(["build", "--quiet", "--out"])
            .arg(&site)
            .arg(f.root())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        std::fs::remove_file(f.root().join("repowiki.toml")).unwrap();
    }
}

#[test]
fn deeply_nested_brackets_do_not_stall_the_build() {
    let mut f = Fixture::new();
    let n = 100_000;
    let wrap = |s: String| -> String {
        s.as_bytes()
            .chunks(80)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let rs = format!(
        "fn f() {{ let x = \n{}1{}; }}\n",
        wrap("(".repeat(n)),
        wrap(")".repeat(n))
    );
    let js = format!(
        "var x = \n{}1{};\n",
        wrap("[".repeat(n)),
        wrap("]".repeat(n))
    );
    let go = format!(
        "package deep\n\nvar x {}int\n\nfunc f() {{ _ = \n{}1{} }}\n",
        wrap("*".repeat(n)),
        wrap("(".repeat(n)),
        wrap(")".repeat(n))
    );
    let deep_php = format!(
        "<?php\n$x = \n{}1{};\n",
        wrap("(".repeat(n)),
        wrap(")".repeat(n))
    );
    let c = format!(
        "int f(void) {{ return \n{}1{}; }}\n",
        wrap("(".repeat(n)),
        wrap(")".repeat(n))
    );
    let java = format!(
        "class A {{ {} }}\n",
        "class B {\n".repeat(5_000) + &"}\n".repeat(5_000)
    );
    // C++: 5,000 nested namespaces and classes, 100,000 parentheses, and one line of
    // 50,000 macro-like words with unclosed arguments for the macro blanking to read.
    let cpp = format!(
        "{}{}{}\nint g() {{ return \n{}1{}; }}\nint x = f({});\n",
        "namespace n {\n".repeat(5_000),
        "class C {\n public:\n".repeat(5_000),
        "};\n".repeat(5_000) + &"}\n".repeat(5_000),
        wrap("(".repeat(n)),
        wrap(")".repeat(n)),
        ", A_B(".repeat(50_000)
    );
    f.commit(
        "deep",
        &[
            ("deep.c", Some(c.as_bytes())),
            ("deep.cpp", Some(cpp.as_bytes())),
            (
                "broken.hpp",
                Some(b"class A : public {\n template <typename T\n void f( {\n".as_slice()),
            ),
            ("Deep.java", Some(java.as_bytes())),
            (
                "Deep.cs",
                Some(java.replace("class A", "namespace N { class A").as_bytes()),
            ),
            (
                "deep.rb",
                Some(("module M\n".repeat(5_000) + &"end\n".repeat(5_000)).as_bytes()),
            ),
            ("deep.php", Some(deep_php.as_bytes())),
            (
                "broken.php",
                Some(b"<?php\nclass A {\n  function x( {\n".as_slice()),
            ),
            (
                "broken.rb",
                Some(b"class A\n  def x(\nmodule ]]\n".as_slice()),
            ),
            (
                "Broken.cs",
                Some(
                    b"namespace N {\n#if X\nclass A {\n#else\nclass B {\n#endif\n void F( {\n"
                        .as_slice(),
                ),
            ),
            (
                "broken.c",
                Some(b"int f( {\n#define X {\nstruct ;;\n".as_slice()),
            ),
            ("deep.rs", Some(rs.as_bytes())),
            ("deep.js", Some(js.as_bytes())),
            ("deep.go", Some(go.as_bytes())),
            (
                "broken.go",
                Some(b"package broken\n\nfunc (((( {\n\ttype ]] struct\n".as_slice()),
            ),
            ("ok.rs", Some(b"pub fn ok() -> u8 { (((1))) }\n".as_slice())),
        ],
        "Nest",
        "Alice",
        T0,
    );
    let started = std::time::Instant::now();
    let o = repowiki()
        .args(["build", "--quiet"])
        .arg(f.root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // Minutes before the bound; well under a second in a release build.
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    let site = f.root().join(".repowiki/site/files");
    let deep = read(&site.join("deep.rs.html"));
    assert!(deep.contains("id=\"L2\""), "still numbered and anchored");
    assert!(read(&site.join("deep.go.html")).contains("id=\"L2\""));
    assert!(read(&site.join("deep.c.html")).contains("id=\"L2\""));
    assert!(read(&site.join("Deep.java.html")).contains("id=\"L1\""));
    assert!(read(&site.join("broken.c.html")).contains("syntax errors"));
    assert!(read(&site.join("deep.cpp.html")).contains("id=\"L2\""));
    assert!(read(&site.join("broken.hpp.html")).contains("syntax errors"));
    assert!(read(&site.join("Deep.cs.html")).contains("id=\"L1\""));
    assert!(read(&site.join("Broken.cs.html")).contains("syntax errors"));
    assert!(read(&site.join("deep.rb.html")).contains("id=\"L2\""));
    assert!(read(&site.join("broken.rb.html")).contains("syntax errors"));
    assert!(read(&site.join("deep.php.html")).contains("id=\"L2\""));
    assert!(read(&site.join("broken.php.html")).contains("syntax errors"));
    // A file the grammar cannot make sense of is listed and shown, with a word on why.
    let broken = read(&site.join("broken.go.html"));
    assert!(broken.contains("syntax errors"), "{broken}");
    assert!(broken.contains("id=\"L4\""), "{broken}");
    // A file of ordinary depth keeps its colours.
    assert!(read(&site.join("ok.rs.html")).contains("<span class=\"k\">"));
}

/// Trojan Source (bidirectional controls) and terminal escapes in code, names and commit
/// messages: shown as visible escapes on every page and in every file, counted in the report,
/// and never printed raw to the terminal.
#[test]
fn bidi_controls_and_terminal_escapes_are_shown_never_obeyed() {
    let mut f = Fixture::new();
    let code = "//! Access checks.\n\n/// Is the user an admin? \u{202E}} \u{2066}// trust me\u{2069}\npub fn is_admin(role: &str) -> bool {\n    /*\u{202E} } \u{2066}if role == \"admin\"\u{2069} \u{2066} begin admins only */\n    role == \"admin\u{202E}\u{2066}// x\u{2069}\u{2066}\"\n}\n";
    let bidi_in_code = code
        .chars()
        .filter(|c| ('\u{202A}'..='\u{202E}').contains(c) || ('\u{2066}'..='\u{2069}').contains(c))
        .count();
    f.commit(
        "trojan",
        &[
            ("src/lib.rs", Some(code.as_bytes())),
            (
                "src/esc\x1b[31mred.rs",
                Some(b"pub fn red() {}\n".as_slice()),
            ),
        ],
        "\x1b[2J\x1b]0;pwned\x07Fix \u{202E}gnp.exe \x1b]52;c;cHduZWQ=\x07",
        "Mallory \x1b[5m",
        T0,
    );
    let site = f.root().join(".repowiki/site");
    let html = repowiki()
        .args(["build", "--json"])
        .arg(f.root())
        .output()
        .unwrap();
    assert!(html.status.success(), "{}", stderr(&html));
    let report: serde_json::Value = serde_json::from_slice(&html.stdout).unwrap();
    assert_eq!(report["bidi_controls"], bidi_in_code, "{report}");
    assert_eq!(report["bidi_files"][0], "src/lib.rs");
    let plain = repowiki()
        .args(["build", "--format", "markdown"])
        .arg(f.root())
        .output()
        .unwrap();
    assert!(plain.status.success(), "{}", stderr(&plain));
    let text = repowiki()
        .args(["build", "--rev", "HEAD", "--out"])
        .arg(f.dir.path().join("s2"))
        .arg(f.root())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("bidirectional control characters"));
    let status = repowiki().arg("status").arg(f.root()).output().unwrap();
    let raw = |b: &[u8]| {
        let t = String::from_utf8_lossy(b);
        t.chars().any(|c| {
            c == '\x1b'
                || c == '\x07'
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
    };
    for o in [&html, &plain, &text, &status] {
        assert!(
            !raw(&o.stdout) && !raw(&o.stderr),
            "{:?}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
    for file in walk(&f.root().join(".repowiki"))
        .into_iter()
        .filter(|p| !p.starts_with(f.root().join(".repowiki/cache")))
    {
        assert!(
            !raw(&fs::read(&file).unwrap()),
            "raw control characters in {}",
            file.display()
        );
    }
    let page = read(&site.join("files/src/lib.rs.html"));
    assert!(
        page.contains("\\u{202e}") && page.contains("\\u{2066}"),
        "shown visibly"
    );
    assert!(read(&site.join("history.html")).contains("\\u{1b}[2J"));
}
