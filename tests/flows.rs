//! How the code runs, on the pages: a binary's flow from `main` through modules, imports,
//! fields and return types, each step at the line that makes the call, drawn as a sequence
//! diagram; a function of the same name elsewhere is never a step. And a part's main types:
//! which holds, implements or creates which, drawn as a class diagram.

mod support;

use support::model_server::ModelServer;
use support::*;

const FILES: &[(&str, &str)] = &[
    ("Cargo.toml", "[package]\nname = \"tool\"\nversion = \"0.1.0\"\n"),
    (
        "src/main.rs",
        "mod config;\nmod engine;\n\nuse engine::Engine;\n\n/// Runs the tool.\nfn main() {\n    let cfg = config::load();\n    let mut e = Engine::new(cfg);\n    e.run();\n}\n",
    ),
    (
        "src/config.rs",
        "/// Settings.\npub struct Config {\n    pub depth: u32,\n}\n\n/// Reads the settings.\npub fn load() -> Config {\n    Config { depth: 1 }\n}\n",
    ),
    (
        "src/engine/mod.rs",
        "mod walk;\n\nuse crate::config::Config;\nuse walk::Walker;\n\n/// Walks and reports.\npub struct Engine {\n    walker: Walker,\n}\n\nimpl Engine {\n    /// Makes an engine.\n    pub fn new(cfg: Config) -> Self {\n        Engine { walker: Walker::new(cfg.depth) }\n    }\n\n    /// Walks, then reports.\n    pub fn run(&mut self) {\n        self.walker.walk();\n        report();\n    }\n}\n\nfn report() {}\n",
    ),
    (
        "src/engine/walk.rs",
        "/// Visits entries.\npub struct Walker {\n    depth: u32,\n}\n\nimpl Walker {\n    pub fn new(depth: u32) -> Self {\n        Walker { depth }\n    }\n\n    /// Visits every entry.\n    pub fn walk(&self) {\n        self.visit();\n    }\n\n    fn visit(&self) {}\n\n    /// Same name as the config's, never called.\n    pub fn load(&self) {}\n}\n\n/// Walks anything.\npub trait Visit {\n    fn visit_all(&self);\n}\n\nimpl Visit for Walker {\n    fn visit_all(&self) {}\n}\n",
    ),
];

/// The text of an HTML fragment, tags dropped, entities of the escaper undone.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// The fixture, committed and built with the built-in narrator: its site folder.
fn built() -> (Fixture, std::path::PathBuf) {
    let mut f = Fixture::new();
    let files: Vec<(&str, Option<&[u8]>)> = FILES
        .iter()
        .map(|(p, t)| (*p, Some(t.as_bytes())))
        .collect();
    f.commit("one", &files, "Start", "Alice", 1_700_000_000);
    let o = repowiki()
        .args(["build", "--quiet"])
        .arg(f.root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let site = f.root().join(".repowiki/site");
    (f, site)
}

/// The first part page of the site that contains `needle`.
fn part_page(site: &std::path::Path, needle: &str) -> String {
    walk(&site.join("parts"))
        .into_iter()
        .map(|p| read(&p))
        .find(|p| p.contains(needle))
        .unwrap_or_else(|| panic!("no part page with {needle}"))
}

/// A page's section: from the heading with that id to the next heading of its level.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    page.split(&format!("id=\"{id}\""))
        .nth(1)
        .and_then(|s| s.split("<h2").next())
        .unwrap_or_else(|| panic!("no section {id}: {page}"))
}

#[test]
fn a_binary_flow_is_told_step_by_step_and_drawn() {
    let (_f, site) = built();
    let page = part_page(&site, "id=\"how-it-works\"");
    let section = section(&page, "how-it-works");
    assert!(text(section).contains("main, the binary tool"), "{section}");
    // Steps in the order the code runs them, callees under their callers, numbered as drawn.
    let steps: Vec<String> = section
        .split("<li>")
        .skip(1)
        .map(|li| {
            let li = li
                .split("<ul")
                .next()
                .unwrap()
                .split("</li>")
                .next()
                .unwrap();
            text(li).split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect();
    let expected = [
        "1 calls load — Reads the settings. src/main.rs:8",
        "2 creates Config — Settings. src/config.rs:8",
        "3 calls Engine::new in tool::engine — Makes an engine. src/main.rs:9",
        "4 creates Engine in tool::engine — Walks and reports. src/engine/mod.rs:14",
        "5 calls Walker::new in tool::engine src/engine/mod.rs:14",
        "6 creates Walker in tool::engine — Visits entries. src/engine/walk.rs:8",
        "7 calls Engine::run in tool::engine — Walks, then reports. src/main.rs:10",
        "8 calls Walker::walk in tool::engine — Visits every entry. src/engine/mod.rs:19",
        "9 calls Walker::visit in tool::engine src/engine/walk.rs:13",
        "10 calls report in tool::engine src/engine/mod.rs:20",
    ];
    assert_eq!(steps, expected, "{section}");
    // The section ends with its sources: every file it cites, with the span of lines.
    let sources = text(section.split("class=\"meta sources\">").nth(1).unwrap());
    assert!(
        sources.starts_with("Sources: src/config.rs lines 2–8 (3 places); src/engine/mod.rs lines 7–24 (7 places); src/engine/walk.rs lines 2–16 (6 places); src/main.rs lines 7–10 (4 places)."),
        "{sources}"
    );
    // The page's sections in the order of its anatomy, the flows right after the architecture.
    let headings: Vec<String> = page
        .split("<h2")
        .skip(1)
        .map(|h| text(h.split_once('>').unwrap().1.split("</h2>").next().unwrap()))
        .filter(|h| !matches!(h.as_str(), "Parts" | "Docs"))
        .collect();
    assert_eq!(
        headings,
        [
            "Purpose",
            "Architecture and key abstractions",
            "How it works",
            "Why it is so",
            "Dependencies",
            "Where to start",
            "Files",
            "Evolution",
            "History"
        ],
        "{page}"
    );
    for sources in [
        "Sources: <a href=\"../files/Cargo.toml.html\"><code>Cargo.toml</code></a>.",
        "Sources: <a href=\"../files/src/config.rs.html\"><code>src/config.rs</code></a>, <a href=\"../files/src/main.rs.html\"><code>src/main.rs</code></a>.",
    ] {
        assert!(page.contains(sources), "the narrative's sections end with their sources: {sources}");
    }
    // The page opens with its contents and the source files it rests on.
    let contents = page
        .split("id=\"contents\"")
        .nth(1)
        .and_then(|s| s.split("</nav>").next())
        .unwrap();
    for entry in [
        "href=\"#how-it-works\"",
        "href=\"#flow-1\"",
        "href=\"#files\"",
        "Relevant source files",
        "src/engine/walk.rs</a> <span class=\"muted\">lines 2–16 (6 places)",
    ] {
        assert!(contents.contains(entry), "{entry}: {contents}");
    }
    assert!(!section.contains("Same name as the config"), "{section}");
    // Each step links to the line that makes the call.
    assert!(
        section.contains("href=\"../files/src/main.rs.html#L8\""),
        "{section}"
    );
    assert!(
        section.contains("href=\"../files/src/engine/mod.rs.html#L19\""),
        "{section}"
    );
    // The diagram: a lifeline per file or type, an arrow per step.
    let svg = section
        .split("<svg")
        .nth(1)
        .and_then(|s| s.split("</svg>").next())
        .unwrap();
    for lane in ["main.rs", "config.rs", "Config", "Engine", "Walker"] {
        assert!(svg.contains(&format!(">{lane}</text>")), "{lane}: {svg}");
    }
    assert_eq!(svg.matches("class=\"message\"").count(), 10, "{svg}");
    assert!(broken_links(&site).is_empty(), "{:?}", broken_links(&site));
}

#[test]
fn a_parts_main_types_and_their_relations_are_drawn() {
    let (_f, site) = built();
    let page = part_page(&site, "<h1>tool::engine</h1>");
    let section = section(&page, "types");
    let items: Vec<String> = section
        .split("<li>")
        .skip(1)
        .map(|li| {
            let li = li.split("</li>").next().unwrap().replace("<br>", " ");
            text(&li).split_whitespace().collect::<Vec<_>>().join(" ")
        })
        .collect();
    // The most related first; every relation at the line that says it.
    assert_eq!(
        items,
        [
            "Walker struct — Visits entries. implements Visit src/engine/walk.rs:27",
            "Engine struct — Walks and reports. holds Walker in walker src/engine/mod.rs:8",
            "Visit trait — Walks anything.",
        ],
        "{section}"
    );
    assert!(section.contains("class=\"edge holds\""), "{section}");
    assert!(
        section.contains("class=\"edge implements\"")
            || section.contains("class=\"edge back implements\""),
        "{section}"
    );
    assert!(broken_links(&site).is_empty(), "{:?}", broken_links(&site));
}

/// A model is handed the same flows and types to write from, and asked for the same sections.
#[test]
fn a_model_gets_the_flows_and_the_type_map_in_its_prompt() {
    let server = ModelServer::start();
    let mut f = Fixture::new();
    let files: Vec<(&str, Option<&[u8]>)> = FILES
        .iter()
        .map(|(p, t)| (*p, Some(t.as_bytes())))
        .collect();
    f.commit("one", &files, "Start", "Alice", 1_700_000_000);
    std::fs::write(
        f.root().join("repowiki.toml"),
        format!(
            "[model]\nprovider = \"openai\"\nmodel = \"m\"\nbase-url = \"{}/v1\"\napi-key-env = \"REPOWIKI_TEST_KEY\"\n",
            server.url()
        ),
    )
    .unwrap();
    let o = repowiki()
        .args(["build", "--quiet"])
        .arg(f.root())
        .env("REPOWIKI_TEST_KEY", "sk-test-flows")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let prompts: Vec<String> = server
        .requests()
        .iter()
        .map(|r| {
            r.body["messages"][1]["content"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    let root = prompts
        .iter()
        .find(|p| p.contains("## From `main` (the binary `tool`), defined at `src/main.rs:7`"))
        .unwrap_or_else(|| panic!("a prompt with the main flow: {prompts:#?}"));
    for step in [
        "- calls `load` (`src/config.rs:7`) at `src/main.rs:8`: Reads the settings.",
        "  - creates `Config` (`src/config.rs:2`) at `src/config.rs:8`: Settings.",
        "- calls `Engine::new` (`src/engine/mod.rs:13`, part tool::engine) at `src/main.rs:9`: Makes an engine.",
    ] {
        assert!(root.contains(step), "{step} in {root}");
    }
    let engine = prompts
        .iter()
        .find(|p| p.contains("\"tool::engine\""))
        .expect("the engine's prompt");
    assert!(
        engine.contains("- `Engine` holds `Walker` (field `walker`) at `src/engine/mod.rs:8`"),
        "{engine}"
    );
    assert!(
        engine.contains("## Architecture and key abstractions"),
        "{engine}"
    );
}
