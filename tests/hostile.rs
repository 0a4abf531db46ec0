//! Known XSS payloads in every place repowiki takes text from: none executes or survives as
//! markup on any page.

mod support;

use std::fs;

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
    let allowed_scripts = ["site-info.js", "nav.js", "assets/site.js"];
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
                    "details",
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
                        .any(|s| tag.contains(&format!("{s}\" defer"))),
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
}
