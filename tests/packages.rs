//! Parts follow the packages the manifests declare: a Rust workspace, a Python package and an
//! npm package, each built from scratch, with their parts, descriptions and entry points
//! checked exactly.

mod support;

use support::*;

/// The parts `llms.txt` lists: name -> (page, summary).
fn parts(site: &std::path::Path) -> Parts {
    let llms = read(&site.join("llms.txt"));
    let section = llms
        .split("## Parts\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap_or_default();
    let re = regex::Regex::new(r"^- \[(.*?)\]\((.*?)\): (.*)$").unwrap();
    section
        .lines()
        .filter_map(|l| re.captures(l))
        .map(|c| {
            (
                c[1].replace('\\', ""),
                (c[2].to_string(), c[3].replace('\\', "")),
            )
        })
        .collect()
}

/// Builds the fixture's site, checks its counts, and lists its parts.
fn built(f: &Fixture) -> (std::path::PathBuf, Parts) {
    let site = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", site.to_str().unwrap()]);
    check_counts(&site, &f.repo);
    let broken = broken_links(&site);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    let parts = parts(&site);
    (site, parts)
}

type Parts = std::collections::BTreeMap<String, (String, String)>;

fn names(parts: &Parts) -> Vec<&str> {
    parts.keys().map(String::as_str).collect()
}

/// The overview's text without tags.
fn text(html: &str) -> String {
    let re = regex::Regex::new(r"<[^>]*>").unwrap();
    re.replace_all(html, "")
        .replace("&#96;", "`")
        .replace("&#x60;", "`")
        .replace("&amp;", "&")
}

const README: &str = "wordcount\n---------\n\n<div align=\"center\">\n<sup>Supported by the community.<br>Special thanks to:</sup>\n</div>\n\n[![CI](https://ci.example/crates/counter/badge.svg)](https://ci.example)\n\nwordcount counts the words in text, fast.\n";

#[test]
fn a_rust_workspace_is_parted_by_its_crates() {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            ("README.md", Some(README.as_bytes())),
            ("Cargo.toml", Some(b"[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.package]\ndescription = \"Tools that count words.\"\n".as_slice())),
            ("crates/counter/Cargo.toml", Some(b"[package]\nname = \"wc-core\"\ndescription = \"Counts words in text.\"\n".as_slice())),
            ("crates/counter/README.md", Some(b"# wc-core\n\nThe counting engine.\n".as_slice())),
            ("crates/counter/LICENSE", Some(b"MIT\n".as_slice())),
            ("crates/counter/src/lib.rs", Some(b"//! The engine's root.\n\nmod split;\n\n/// Counts words.\npub struct Counter;\n\nimpl Counter {\n    pub fn count(&self, s: &str) -> usize { split::words(s).len() }\n}\n".as_slice())),
            ("crates/counter/src/split.rs", Some(b"//! Splitting helpers for tests and the engine alike.\n\npub fn words(s: &str) -> Vec<&str> { s.split_whitespace().collect() }\n".as_slice())),
            ("crates/counter/tests/it.rs", Some(b"//! A stress test of everything.\n\n#[test]\nfn counts() { assert_eq!(wc_core::Counter.count(\"a b\"), 2); }\n".as_slice())),
            ("crates/counter/benches/speed.rs", Some(b"fn main() {}\n".as_slice())),
            ("crates/cli/Cargo.toml", Some(b"[package]\nname = \"wc-cli\"\ndescription = \"The wcount command.\"\n\n[[bin]]\nname = \"wcount\"\npath = \"app/bin/main.rs\"\n".as_slice())),
            ("crates/cli/app/bin/main.rs", Some(b"use wc_core::Counter;\n\nfn main() { println!(\"{}\", Counter.count(\"x\")); }\n".as_slice())),
            ("crates/cli/build.rs", Some(b"fn main() {}\n".as_slice())),
            ("crates/derive/Cargo.toml", Some(b"[package]\nname = \"wc-derive\"\ndescription.workspace = true\n\n[lib]\nproc-macro = true\n".as_slice())),
            ("crates/derive/src/lib.rs", Some(b"//! Derives `Count`.\n\n#[proc_macro_derive(Count)]\npub fn derive(input: TokenStream) -> TokenStream { input }\n".as_slice())),
            ("crates/facade/Cargo.toml", Some(b"[package]\nname = \"wc\"\ndescription = \"Word counting, all in one.\"\n".as_slice())),
            ("crates/facade/src/lib.rs", Some(b"pub use wc_core::*;\n".as_slice())),
            ("crates/facade/examples/demo.rs", Some(b"//! An example's doc.\nfn main() {}\n".as_slice())),
            (".github/workflows/ci.yml", Some(b"on: push\n".as_slice())),
        ],
        "Add the word counter",
        "Alice Smith",
        T0,
    );
    let (site, parts) = built(&f);
    assert_eq!(
        names(&parts),
        [
            "CI",
            "Project files",
            "benchmarks of wc-core",
            "examples of wc",
            "tests of wc-core",
            "wc",
            "wc-cli",
            "wc-core",
            "wc-derive",
        ]
    );
    // Summaries: the package's own description, never a member's doc; counts that count.
    assert_eq!(parts["wc-core"].1, "Counts words in text.");
    assert_eq!(parts["wc-derive"].1, "Tools that count words.");
    assert_eq!(parts["wc-cli"].1, "The wcount command.");
    assert_eq!(parts["tests of wc-core"].1, "1 Rust file around counts");
    assert_eq!(parts["examples of wc"].1, "1 Rust file around main");
    // A crate's manifest, README and license belong to it.
    let core_page = read(&site.join(&parts["wc-core"].0));
    for member in [
        "crates/counter/Cargo.toml",
        "crates/counter/README.md",
        "crates/counter/LICENSE",
        "crates/counter/src/split.rs",
    ] {
        assert!(core_page.contains(member), "{member} in wc-core");
    }
    assert!(!core_page.contains("crates/counter/tests/it.rs"));
    // Who wrote it, in the reader's words (not the wording's version).
    assert!(core_page.contains("written by the built-in narrator, from facts"));
    assert!(!core_page.contains("builtin-v"));
    let core = text(&core_page);
    // The key item: the root API first, its methods beneath it, its uses counted where they
    // resolve to it (the binary imports the crate; the test does not count).
    assert!(core.contains("Counter — public struct in crates/counter/src/lib.rs:6, in the package's root API, used in 1 other file that imports it: Counts words."), "{core}");
    assert!(core.contains("count\n"), "{core}");
    assert!(
        core.contains("This is the Rust crate wc-core, declared in crates/counter/Cargo.toml"),
        "{core}"
    );
    assert!(core.contains("Its manifest describes it"), "{core}");
    // The binary two folders deep is found from the manifest.
    let cli = text(&read(&site.join(&parts["wc-cli"].0)));
    assert!(cli.contains("where the binary wcount starts"), "{cli}");
    assert!(!cli.contains("build.rs: defines"), "{cli}");
    let derive = text(&read(&site.join(&parts["wc-derive"].0)));
    assert!(
        derive.contains("This is the Rust procedural-macro crate wc-derive"),
        "{derive}"
    );

    let overview = text(&read(&site.join("index.html")));
    assert!(
        overview.contains("From Cargo.toml: Tools that count words."),
        "{overview}"
    );
    assert!(
        overview.contains("From the README:")
            && overview.contains("wordcount counts the words in text, fast."),
        "{overview}"
    );
    assert!(!overview.contains("Special thanks"), "{overview}");
    assert!(
        overview.contains("crates/cli/app/bin/main.rs: binary wcount of wc-cli"),
        "{overview}"
    );
    assert!(
        overview.contains("crates/derive/src/lib.rs: root of the procedural-macro crate wc-derive"),
        "{overview}"
    );
    // Several packages: each package's parts are listed under it; the repository's CI is not.
    assert!(overview.contains("The code falls into 6 parts, and 3 more parts (a package's modules, tests and examples) listed under their package"), "{overview}");
    // The badge's URL names crates/counter: no README text is attached to wc-core for it.
    assert!(!core.contains("The README mentions it"), "{core}");
}

#[test]
fn a_python_package_is_named_by_its_import_path() {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            ("README.md", Some(b"# tally\n\n![logo](logo.png)\n\nTally counts things.\n".as_slice())),
            ("pyproject.toml", Some(b"[project]\nname = \"tally\"\ndescription = \"Tally things up.\"\n\n[project.scripts]\ntally = \"tally.cli:main\"\n".as_slice())),
            ("src/tally/__init__.py", Some(b"\"\"\"Tally: count what you have.\"\"\"\n\nfrom .core import add\n".as_slice())),
            ("src/tally/cli.py", Some(b"\"\"\"The command line.\"\"\"\n\nfrom .core import add\n\ndef main():\n    print(add(1, 2))\n".as_slice())),
            ("src/tally/core.py", Some(b"from typing import overload\n\n@overload\ndef add(a: int, b: int) -> int: ...\n@overload\ndef add(a: str, b: str) -> str: ...\ndef add(a, b):\n    return a + b\n".as_slice())),
            ("src/tally/store/__init__.py", Some(b"\"\"\"Where tallies are kept.\n\nFiles go to `data/tally.json`, as `*.json`.\"\"\"\n".as_slice())),
            ("src/tally/store/disk.py", Some(b"def save(x):\n    return x\n".as_slice())),
            ("src/tally/store/memory.py", Some(b"def keep(x):\n    return x\n".as_slice())),
            ("tests/test_core.py", Some(b"\"\"\"A test helper's docstring.\"\"\"\nfrom tally.core import add\n\ndef test_add():\n    assert add(1, 2) == 3\n".as_slice())),
            ("tests/conftest.py", Some(b"import pytest\n".as_slice())),
            ("docs/conf.py", Some(b"project = 'tally'\n".as_slice())),
            ("docs/index.md", Some(b"# Tally\n".as_slice())),
        ],
        "Add tally",
        "Bob Jones",
        T0,
    );
    let (site, parts) = built(&f);
    assert_eq!(
        names(&parts),
        ["Docs", "tally", "tally.store", "tests of tally"]
    );
    assert_eq!(parts["tally"].1, "Tally things up.");
    assert_eq!(parts["tally.store"].1, "Where tallies are kept.");
    assert_eq!(parts["tests of tally"].1, "2 Python files around test_add");
    let overview = text(&read(&site.join("index.html")));
    assert!(
        overview.contains("From pyproject.toml: Tally things up."),
        "{overview}"
    );
    assert!(
        overview.contains("From the README:") && overview.contains("Tally counts things."),
        "{overview}"
    );
    assert!(
        overview.contains("src/tally/cli.py: console script tally"),
        "{overview}"
    );
    assert!(
        overview.contains("src/tally/__init__.py: root module of the Python package tally"),
        "{overview}"
    );
    assert!(!overview.contains("tests/test_core.py:"), "{overview}");
    let tally = text(&read(&site.join(&parts["tally"].0)));
    // A quoted doc names a file the repository does not have: the repository's words, not
    // a citation of ours, so it is not marked as missing.
    let store = read(&site.join(&parts["tally.store"].0));
    assert!(store.contains("data/tally.json"), "{store}");
    assert!(!store.contains("class=\"unverified\""), "{store}");
    // Three overloads are one item.
    assert_eq!(tally.matches("add — ").count(), 1, "{tally}");
    assert!(
        tally.contains("where the console script tally starts"),
        "{tally}"
    );
}

#[test]
fn an_npm_package_finds_its_sources_behind_its_build_output() {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            ("readme.md", Some(b"<div align=\"center\"><img src=\"media/logo.svg\"></div>\n\n> A tiny fetch wrapper for browsers\n".as_slice())),
            ("package.json", Some(b"{\"name\": \"fetchy\", \"description\": \"A tiny fetch wrapper.\", \"main\": \"./distribution/index.js\", \"bin\": {\"fetchy\": \"./distribution/cli.js\"}}".as_slice())),
            ("source/index.ts", Some(b"import {Client} from './core/client.js';\n\nexport function create(): Client { return new Client(); }\nconst client = create();\nexport default client;\n".as_slice())),
            ("source/cli.ts", Some(b"import client from './index.js';\nconsole.log(client);\n".as_slice())),
            ("source/core/client.ts", Some(b"import {retry} from './retry.js';\n/** Sends requests. */\nexport class Client { send() { return retry(); } }\n".as_slice())),
            ("source/core/retry.ts", Some(b"export function retry() { return 1; }\n".as_slice())),
            ("source/core/options.ts", Some(b"export type Options = {retries: number};\n".as_slice())),
            ("source/.internal/clock.ts", Some(b"export function now() { return 0; }\n".as_slice())),
            ("source/.internal/ids.ts", Some(b"export function id() { return 1; }\n".as_slice())),
            ("test/main.ts", Some(b"import client from '../source/index.js';\nconsole.log(client);\n".as_slice())),
            ("test/helpers/server.ts", Some(b"export function serve() {}\n".as_slice())),
        ],
        "Add fetchy",
        "Carol White",
        T0,
    );
    let (site, parts) = built(&f);
    assert_eq!(
        names(&parts),
        [
            "fetchy",
            "fetchy/.internal",
            "fetchy/core",
            "tests of fetchy"
        ]
    );
    assert_eq!(parts["fetchy"].1, "A tiny fetch wrapper.");
    let overview = text(&read(&site.join("index.html")));
    assert!(
        overview.contains("From package.json: A tiny fetch wrapper."),
        "{overview}"
    );
    assert!(
        overview.contains("source/cli.ts: command fetchy"),
        "{overview}"
    );
    assert!(
        overview.contains("source/index.ts: entry module of the npm package fetchy"),
        "{overview}"
    );
    // The default-exported instance and the two-letter-free class are key items.
    let fetchy = text(&read(&site.join(&parts["fetchy"].0)));
    assert!(
        fetchy.contains("client — public const in source/index.ts:4"),
        "{fetchy}"
    );
    assert!(
        fetchy.contains("create — public function in source/index.ts:3"),
        "{fetchy}"
    );
    // The parts' own names ("fetchy/core") are link texts, not citations: nothing is marked.
    let overview_html = read(&site.join("index.html"));
    assert!(
        !overview_html.contains("class=\"unverified\""),
        "{overview_html}"
    );
    // A test runner is no program entry point.
    assert!(!overview.contains("test/main.ts"), "{overview}");
    // One package: its parts are listed side by side.
    assert!(
        overview.contains("The code falls into 4 parts; each has its own page"),
        "{overview}"
    );
}

/// Every sentence that carries a count or a language, on the overview, on every part page and
/// in `llms.txt`, checked against the repository itself: the files and their lines read from
/// git at HEAD, each file's kind as its own page names it.
fn check_counts(site: &std::path::Path, repo: &git2::Repository) {
    use std::collections::BTreeMap;
    let head = repo.head().unwrap().peel_to_tree().unwrap();
    let git_lines = |path: &str| -> usize {
        let entry = head.get_path(std::path::Path::new(path)).unwrap();
        let blob = repo.find_blob(entry.id()).unwrap();
        String::from_utf8_lossy(blob.content()).lines().count()
    };
    // Each file's kind, from the files table of the part that holds it.
    let row = regex::Regex::new(
        r#"<tr><td><a href="[^"]*">([^<]*)</a></td><td>([^<]*)</td><td class="num">(\d+)</td>"#,
    )
    .unwrap();
    let parts = parts(site);
    let mut kinds: BTreeMap<String, String> = BTreeMap::new();
    let mut members: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (name, (page, _)) in &parts {
        let html = read(&site.join(page));
        let table = html.split("id=\"files\"").nth(1).unwrap();
        for c in row.captures_iter(table) {
            let path = c[1].replace("&amp;", "&");
            kinds.insert(path.clone(), c[2].to_string());
            members.entry(name).or_default().push(path);
        }
    }
    assert!(!kinds.is_empty());
    let count_of =
        |files: &[String], kind: &str| files.iter().filter(|f| kinds[*f] == kind).count();
    // "N files (k Lang)" / "N Lang files" / "k Lang" lists, against the files they speak of.
    let check_langs = |what: &str, files: &[String], list: &str| {
        for item in list.split(", ") {
            let (n, lang) = item.split_once(' ').unwrap();
            assert_eq!(
                n.parse::<usize>().unwrap(),
                count_of(files, lang),
                "{what}: {item}"
            );
        }
    };

    // The overview.
    let overview = text(&read(&site.join("index.html")));
    let glance = regex::Regex::new(r"holds (\d+) files?; among them (.*?)\.").unwrap();
    let c = glance
        .captures(&overview)
        .expect("the at-a-glance sentence");
    assert_eq!(c[1].parse::<usize>().unwrap(), kinds.len(), "files held");
    let all: Vec<String> = kinds.keys().cloned().collect();
    for item in c[2].split(", ") {
        let (lang, n) = item.split_once(" (").unwrap();
        let n: usize = n.split(' ').next().unwrap().parse().unwrap();
        assert_eq!(n, count_of(&all, lang), "overview: {item}");
    }
    let falls = regex::Regex::new(r"falls into (\d+) parts?(?:, and (\d+) more)?").unwrap();
    let c = falls.captures(&overview).expect("the parts sentence");
    let total = c[1].parse::<usize>().unwrap()
        + c.get(2).map_or(0, |m| m.as_str().parse::<usize>().unwrap());
    assert_eq!(total, parts.len(), "parts counted");

    let made = regex::Regex::new(
        r"Architecture and key abstractions\s*(\d+) files?, (\d+) lines?(?: \((.*?)\))?\.",
    )
    .unwrap();
    let counted =
        regex::Regex::new(r"^(\d+) (?:files? \((\d+ .+?)\)|(.+?) files?|files?)(?: around .*)?$")
            .unwrap();
    // Every part: its page's meta line, its "made of" sentence, its summary.
    for (name, (page, summary)) in &parts {
        let html = read(&site.join(page));
        let files = &members[name.as_str()];
        assert!(!files.is_empty(), "{name}: no files");
        let lines: usize = files.iter().map(|f| git_lines(f)).sum();
        let page_text = text(&html);
        let s =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let meta = format!(
            "{} · {}",
            s(files.len(), "file", "files"),
            s(lines, "line", "lines")
        );
        assert!(page_text.contains(&meta), "{name}: {meta}");
        let c = made.captures(&page_text).expect("the made-of sentence");
        // Plurals right: "1 file, 1 line", "2 files, 40 lines".
        assert!(
            page_text.contains(&format!(
                "{}, {}",
                s(files.len(), "file", "files"),
                s(lines, "line", "lines")
            )),
            "{name}: the made-of sentence's plurals"
        );
        assert_eq!(c[1].parse::<usize>().unwrap(), files.len(), "{name}: files");
        assert_eq!(c[2].parse::<usize>().unwrap(), lines, "{name}: lines");
        if let Some(list) = c.get(3) {
            check_langs(name, files, list.as_str());
        }
        if let Some(c) = counted.captures(summary) {
            assert_eq!(
                c[1].parse::<usize>().unwrap(),
                files.len(),
                "{name}: {summary}"
            );
            if let Some(list) = c.get(2) {
                check_langs(name, files, list.as_str());
            }
            if let Some(lang) = c.get(3) {
                assert_eq!(
                    count_of(files, lang.as_str()),
                    files.len(),
                    "{name}: {summary}"
                );
            }
        }
    }
}

#[test]
fn every_count_on_the_fixture_sites_is_true() {
    let f = Fixture::standard();
    let site = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", site.to_str().unwrap()]);
    check_counts(&site, &f.repo);
}

#[test]
fn a_manifest_that_cannot_be_read_is_said_in_one_line_and_the_build_goes_on() {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            ("package.json", Some(b"{\"name\": \"half\",".as_slice())),
            ("src/a.js", Some(b"export function a() {}\n".as_slice())),
            ("src/b.js", Some(b"export function b() {}\n".as_slice())),
        ],
        "Add a half-written manifest",
        "Alice Smith",
        T0,
    );
    let site = f.dir.path().join("site");
    let out = run(&[
        "build",
        f.root().to_str().unwrap(),
        "--out",
        site.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("package.json")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains("package.json was not read as a manifest: EOF while parsing"),
        "{err}"
    );
    assert!(site.join("index.html").is_file());
}

#[test]
fn a_go_module_is_parted_by_its_packages() {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            ("README.md", Some(b"# kv\n\nkv keeps keys and values.\n".as_slice())),
            ("go.mod", Some(b"module example.com/kv\n\ngo 1.22\n".as_slice())),
            ("doc.go", Some(b"/*\nPackage kv keeps keys and values in memory.\n\nExample:\n\n\tpackage main\n\n\tfunc main() { kv.New() }\n*/\npackage kv\n".as_slice())),
            ("kv.go", Some(b"package kv\n\nimport \"example.com/kv/store\"\n\n// DB is a database of *keys*.\ntype DB struct {\n\ts *store.Map\n}\n\n// New opens a [DB].\nfunc New() *DB {\n\treturn &DB{s: store.NewMap()}\n}\n\n// Put keeps one value; see [store.Map.Set].\nfunc (d *DB) Put(k, v string) {\n\td.s.Set(k, v)\n\td.touch()\n}\n".as_slice())),
            ("touch.go", Some(b"package kv\n\nfunc (d *DB) touch() {}\n".as_slice())),
            ("store/store.go", Some(b"// Package store holds the maps behind a DB.\npackage store\n\n// Map is a map of strings.\ntype Map struct{ m map[string]string }\n\n// NewMap makes an empty Map.\nfunc NewMap() *Map { return &Map{m: map[string]string{}} }\n".as_slice())),
            ("store/set.go", Some(b"package store\n\n// Set keeps v under k.\nfunc (m *Map) Set(k, v string) { m.m[k] = v }\n".as_slice())),
            ("cmd/kvd/main.go", Some(b"// Command kvd serves a DB.\npackage main\n\nimport \"example.com/kv\"\n\nfunc main() {\n\tdb := kv.New()\n\tdb.Put(\"a\", \"b\")\n}\n".as_slice())),
            ("kv_test.go", Some(b"package kv\n\nimport \"testing\"\n\nfunc TestPut(t *testing.T) { New().Put(\"a\", \"b\") }\n".as_slice())),
        ],
        "Add kv",
        "Dana Go",
        T0,
    );
    let (site, parts) = built(&f);
    assert_eq!(
        names(&parts),
        [
            "example.com/kv",
            "example.com/kv/store",
            "tests of example.com/kv"
        ]
    );
    assert_eq!(
        parts["example.com/kv/store"].1,
        "Package store holds the maps behind a DB."
    );
    let overview = text(&read(&site.join("index.html")));
    assert!(
        overview.contains("cmd/kvd/main.go: command kvd"),
        "{overview}"
    );
    assert!(
        overview.contains("doc.go: root package of the Go module example.com/kv"),
        "{overview}"
    );
    // The package comment's example program is no command.
    assert!(!overview.contains("doc.go: command"), "{overview}");
    let kv = text(&read(&site.join(&parts["example.com/kv"].0)));
    assert!(
        kv.contains("Package kv keeps keys and values in memory."),
        "{kv}"
    );
    assert!(kv.contains("DB — public struct in kv.go:6"), "{kv}");
    // The file page: symbols with their docs as Go writes them, the import resolved to the
    // store package's file, methods under their receiver's type, highlighted source.
    let page = read(&site.join("files/kv.go.html"));
    let page_text = text(&page);
    assert!(page_text.contains("struct DB"), "{page_text}");
    assert!(
        page_text.contains("DB is a database of *keys*."),
        "{page_text}"
    );
    assert!(page.contains("id=\"sym-DB-Put\""), "{page}");
    assert!(page_text.contains("method DB.Put"), "{page_text}");
    assert!(
        page.contains("href=\"../files/store/store.go.html\""),
        "{page}"
    );
    assert!(page.contains("<span class=\"k\">func</span>"), "{page}");
    // `[DB]` in New's doc links to the symbol.
    assert!(page.contains("href=\"#sym-DB\""), "{page}");
    // Calls resolved across the package's files and into the imported package.
    let main = read(&site.join("files/cmd/kvd/main.go.html"));
    assert!(main.contains("Command kvd serves a DB."), "{main}");
    // An import names the whole package: every file of it is imported by the command.
    for file in ["kv.go", "touch.go", "doc.go"] {
        let page = text(&read(&site.join(format!("files/{file}.html"))));
        let by = page.split("Imported by").nth(1).unwrap_or_default();
        assert!(by.contains("cmd/kvd/main.go"), "{file}: {page}");
    }
}

#[test]
fn a_maven_module_is_parted_by_its_java_packages() {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            ("README.md", Some(b"# kvj\n\nkvj keeps keys and values, in Java.\n".as_slice())),
            ("pom.xml", Some(b"<?xml version=\"1.0\"?>\n<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n  <modelVersion>4.0.0</modelVersion>\n  <parent><artifactId>parent-pom</artifactId></parent>\n  <groupId>com.example</groupId>\n  <artifactId>kvj</artifactId>\n  <description>A tiny key-value store.</description>\n  <dependencies><dependency><artifactId>junit</artifactId></dependency></dependencies>\n</project>\n".as_slice())),
            ("src/main/java/com/example/kv/package-info.java", Some(b"/** Keys and values, kept in memory. */\npackage com.example.kv;\n".as_slice())),
            ("src/main/java/com/example/kv/Store.java", Some(b"package com.example.kv;\n\nimport com.example.kv.util.Strings;\n\n/**\n * A store of <b>keys</b>.\n *\n * @see Strings\n */\npublic class Store {\n    /** Makes an empty store. */\n    public Store() {}\n\n    /**\n     * Keeps one value.\n     *\n     * @param key the key, trimmed by {@link Strings#trim}\n     * @return the store\n     */\n    public Store put(String key) {\n        Strings.trim(key);\n        return this;\n    }\n}\n".as_slice())),
            ("src/main/java/com/example/kv/Main.java", Some(b"package com.example.kv;\n\npublic class Main {\n    public static void main(String[] args) {\n        new Store().put(\"a\");\n    }\n}\n".as_slice())),
            ("src/main/java/com/example/kv/util/Strings.java", Some(b"package com.example.kv.util;\n\n/** String helpers. */\npublic final class Strings {\n    /** Trims. */\n    public static String trim(String s) { return s.trim(); }\n}\n".as_slice())),
            ("src/main/java/com/example/kv/util/Chars.java", Some(b"package com.example.kv.util;\n\nfinal class Chars {}\n".as_slice())),
            ("src/test/java/com/example/kv/StoreTest.java", Some(b"package com.example.kv;\n\nclass StoreTest {\n    void putKeeps() { new Store().put(\"a\"); }\n}\n".as_slice())),
        ],
        "Add kvj",
        "Eve Java",
        T0,
    );
    let (site, parts) = built(&f);
    assert_eq!(
        names(&parts),
        [
            "Project files",
            "com.example.kv",
            "com.example.kv.util",
            "tests of kvj"
        ]
    );
    assert_eq!(
        parts["com.example.kv"].1,
        "Keys and values, kept in memory."
    );
    let overview = text(&read(&site.join("index.html")));
    assert!(
        overview.contains("From pom.xml: A tiny key-value store."),
        "{overview}"
    );
    assert!(
        overview.contains("src/main/java/com/example/kv/Main.java: main class Main"),
        "{overview}"
    );
    let page = read(&site.join("files/src/main/java/com/example/kv/Store.java.html"));
    let page_text = text(&page);
    assert!(page_text.contains("class Store"), "{page_text}");
    assert!(page_text.contains("A store of keys."), "{page_text}");
    assert!(page.contains("<strong>keys</strong>"), "{page}");
    assert!(page_text.contains("method Store.put"), "{page_text}");
    // Javadoc's block tags as a table; `{@link Strings#trim}` a link to the method.
    assert!(page_text.contains("Parameters"), "{page_text}");
    assert!(
        page.contains("href=\"../../../../../../../files/src/main/java/com/example/kv/util/Strings.java.html#sym-Strings-trim\""),
        "{page}"
    );
    // The import resolved to the file that declares the type.
    assert!(
        page.contains("<a href=\"../../../../../../../files/src/main/java/com/example/kv/util/Strings.java.html\"><code>import com.example.kv.util.Strings</code>"),
        "{page}"
    );
    assert!(page.contains("<span class=\"k\">public</span>"), "{page}");
}

#[test]
fn a_cmake_project_in_c_gets_its_programs_headers_and_docs() {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            ("README.md", Some(b"# kvc\n\nkvc keeps keys and values, in C.\n".as_slice())),
            ("CMakeLists.txt", Some(b"cmake_minimum_required(VERSION 3.10)\nproject(kvc VERSION 1.0 DESCRIPTION \"A tiny key-value store in C.\" LANGUAGES C)\ninclude_directories(include)\nadd_executable(kvc src/main.c src/store.c)\n# add_executable(old src/old.c)\n".as_slice())),
            ("include/kvc/store.h", Some(b"/**\n * @file store.h\n * The store's API.\n */\n#ifndef KVC_STORE_H\n#define KVC_STORE_H\n\n/** Most keys a store holds. */\n#define KVC_MAX 64\n\n/** A store of keys. */\ntypedef struct kvc_store kvc_store;\n\n/**\n * Opens a store.\n * \\param path where it lives\n * \\return the store\n */\nkvc_store *kvc_open(const char *path);\n\n#endif\n".as_slice())),
            ("src/store.c", Some(b"#include \"kvc/store.h\"\n\nstruct kvc_store { int n; };\n\nkvc_store *kvc_open(const char *path) { return 0; }\n".as_slice())),
            ("src/main.c", Some(b"#include <kvc/store.h>\n\nint main(int argc, char **argv) {\n    kvc_open(argv[1]);\n    return 0;\n}\n".as_slice())),
            ("tests/test_store.c", Some(b"#include \"kvc/store.h\"\nint main(void) { return kvc_open(\"x\") == 0; }\n".as_slice())),
            ("src/old.c", Some(b"int main(void) { return 1; }\n".as_slice())),
        ],
        "Add kvc",
        "Fay C",
        T0,
    );
    let (site, parts) = built(&f);
    assert!(parts.contains_key("tests of kvc"), "{parts:?}");
    let overview = text(&read(&site.join("index.html")));
    assert!(
        overview.contains("From CMakeLists.txt: A tiny key-value store in C."),
        "{overview}"
    );
    assert!(overview.contains("src/main.c: program kvc"), "{overview}");
    // A commented-out `add_executable` builds nothing.
    assert!(!overview.contains("program old"), "{overview}");
    let header = read(&site.join("files/include/kvc/store.h.html"));
    let header_text = text(&header);
    assert!(header_text.contains("The store's API."), "{header_text}");
    assert!(header_text.contains("const KVC_MAX"), "{header_text}");
    assert!(
        header_text.contains("Most keys a store holds."),
        "{header_text}"
    );
    assert!(header_text.contains("function kvc_open"), "{header_text}");
    assert!(header_text.contains("Parameters"), "{header_text}");
    assert!(!header_text.contains("KVC_STORE_H —"), "{header_text}");
    assert!(header.contains("<span class=\"k\">"), "{header}");
    // `#include <kvc/store.h>` found through the include folder CMake names.
    let main = read(&site.join("files/src/main.c.html"));
    assert!(
        main.contains("<a href=\"../../files/include/kvc/store.h.html\"><code>#include &lt;kvc/store.h&gt;</code>"),
        "{main}"
    );
}

#[test]
fn a_cmake_project_in_cpp_gets_its_classes_methods_program_and_docs() {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            ("README.md", Some(b"# kvpp\n\nkvpp keeps keys and values, in C++.\n".as_slice())),
            ("CMakeLists.txt", Some(b"cmake_minimum_required(VERSION 3.14)\nproject(kvpp VERSION 1.0 DESCRIPTION \"A tiny key-value store in C++.\" LANGUAGES CXX)\ninclude_directories(include)\nadd_executable(kvpp tools/main.cc src/store.cc src/codec.cc)\n".as_slice())),
            ("include/kvpp/store.h", Some(b"#pragma once\n#include <string>\n\nnamespace kvpp {\n\n/// A store of keys.\nclass KVPP_EXPORT Store {\n public:\n  /// Keeps one value.\n  /// @param key the key\n  /// @return whether it was new\n  bool Put(const std::string& key);\n\n private:\n  int count_ = 0;\n};\n\n}  // namespace kvpp\n".as_slice())),
            ("include/kvpp/codec.h", Some(b"#pragma once\n#include <string>\n\nnamespace kvpp {\n\n/// Turns values into bytes.\nstruct Codec {\n  static std::string Encode(const std::string& v);\n};\n\n}  // namespace kvpp\n".as_slice())),
            ("src/store.cc", Some(b"#include \"kvpp/store.h\"\n#include \"kvpp/codec.h\"\n\nnamespace kvpp {\n\nbool Store::Put(const std::string& key) {\n  Codec::Encode(key);\n  return ++count_ == 1;\n}\n\n}  // namespace kvpp\n".as_slice())),
            ("src/codec.cc", Some(b"#include \"kvpp/codec.h\"\n#include \"kvpp/store.h\"\n\nnamespace kvpp {\n\nstd::string Codec::Encode(const std::string& v) { return v; }\n\n}  // namespace kvpp\n".as_slice())),
            ("tools/main.cc", Some(b"#include <kvpp/store.h>\n\nint main(int argc, char** argv) {\n  kvpp::Store store;\n  store.Put(argv[1]);\n  return 0;\n}\n".as_slice())),
        ],
        "Add kvpp",
        "Fay Cpp",
        T0,
    );
    let (site, _parts) = built(&f);
    let overview = text(&read(&site.join("index.html")));
    assert!(
        overview.contains("From CMakeLists.txt: A tiny key-value store in C++."),
        "{overview}"
    );
    assert!(
        overview.contains("tools/main.cc: program kvpp"),
        "{overview}"
    );
    let header = read(&site.join("files/include/kvpp/store.h.html"));
    let header_text = text(&header);
    // A `.h` whose code is C++ is read as C++.
    assert!(header_text.contains("C++ ·"), "{header_text}");
    assert!(header_text.contains("class Store"), "{header_text}");
    assert!(header_text.contains("A store of keys."), "{header_text}");
    assert!(header_text.contains("method Store::Put"), "{header_text}");
    assert!(header_text.contains("Keeps one value."), "{header_text}");
    assert!(header_text.contains("Parameters"), "{header_text}");
    assert!(!header_text.contains("count_ —"), "{header_text}");
    assert!(header.contains("<span class=\"k\">"), "{header}");
    // The definition out of the class is listed where it is written.
    let store = text(&read(&site.join("files/src/store.cc.html")));
    assert!(store.contains("method Store::Put"), "{store}");
    // Two modules that include each other, and the include folder CMake names.
    let codec = read(&site.join("files/src/codec.cc.html"));
    assert!(
        codec.contains("<a href=\"../../files/include/kvpp/store.h.html\"><code>#include &quot;kvpp/store.h&quot;</code>"),
        "{codec}"
    );
    let main = read(&site.join("files/tools/main.cc.html"));
    assert!(
        main.contains("<a href=\"../../files/include/kvpp/store.h.html\"><code>#include &lt;kvpp/store.h&gt;</code>"),
        "{main}"
    );
}

#[test]
fn a_dotnet_project_is_parted_by_its_namespaces() {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            ("README.md", Some(b"# Kv\n\nKv keeps keys and values, in C#.\n".as_slice())),
            ("src/Kv/Kv.csproj", Some(b"<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <OutputType>Exe</OutputType>\n    <RootNamespace>Acme.Kv</RootNamespace>\n    <Description>A tiny key-value store.</Description>\n  </PropertyGroup>\n</Project>\n".as_slice())),
            ("src/Kv/Store.cs", Some(b"using Acme.Kv.Util;\n\nnamespace Acme.Kv;\n\n/// <summary>A store of <c>keys</c>.</summary>\npublic class Store\n{\n    /// <summary>Keeps one value.</summary>\n    /// <param name=\"key\">The key, trimmed by <see cref=\"M:Acme.Kv.Util.Strings.Trim(System.String)\"/>.</param>\n    /// <returns>The store.</returns>\n    public Store Put(string key)\n    {\n        Strings.Trim(key);\n        return this;\n    }\n}\n".as_slice())),
            ("src/Kv/Program.cs", Some(b"namespace Acme.Kv;\n\npublic static class Program\n{\n    public static void Main(string[] args) => new Store().Put(\"a\");\n}\n".as_slice())),
            ("src/Kv/Util/Strings.cs", Some(b"namespace Acme.Kv.Util;\n\n/// <summary>String helpers.</summary>\npublic static class Strings\n{\n    /// <summary>Trims.</summary>\n    public static string Trim(string s) => s.Trim();\n}\n".as_slice())),
            ("src/Kv/Util/Chars.cs", Some(b"namespace Acme.Kv.Util;\n\ninternal static class Chars { }\n".as_slice())),
            ("tests/Kv.Tests/StoreTests.cs", Some(b"namespace Acme.Kv.Tests;\n\npublic class StoreTests { public void Puts() => new Acme.Kv.Store().Put(\"a\"); }\n".as_slice())),
        ],
        "Add Kv",
        "Gus Sharp",
        T0,
    );
    let (site, parts) = built(&f);
    assert!(parts.contains_key("Acme.Kv.Util"), "{parts:?}");
    assert_eq!(parts["Kv"].1, "A tiny key-value store.");
    let overview = text(&read(&site.join("index.html")));
    assert!(
        overview.contains("src/Kv/Program.cs: program Kv"),
        "{overview}"
    );
    let page = read(&site.join("files/src/Kv/Store.cs.html"));
    let page_text = text(&page);
    assert!(page_text.contains("class Store"), "{page_text}");
    assert!(page_text.contains("A store of keys."), "{page_text}");
    assert!(page_text.contains("method Store.Put"), "{page_text}");
    assert!(page_text.contains("Parameters"), "{page_text}");
    assert!(
        page.contains("files/src/Kv/Util/Strings.cs.html#sym-Strings-Trim"),
        "{page}"
    );
    assert!(page.contains("<code>using Acme.Kv.Util</code>"), "{page}");
    // A `using` names the whole namespace: each of its files is imported by the store.
    for file in ["Strings.cs", "Chars.cs"] {
        let util = text(&read(&site.join(format!("files/src/Kv/Util/{file}.html"))));
        let by = util.split("Imported by").nth(1).unwrap_or_default();
        assert!(by.contains("src/Kv/Store.cs"), "{file}: {util}");
    }
    assert!(page.contains("<span class=\"k\">"), "{page}");
}

#[test]
fn a_ruby_gem_is_parted_by_its_lib_folders() {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            ("README.md", Some(b"# kvr\n\nkvr keeps keys and values, in Ruby.\n".as_slice())),
            ("kvr.gemspec", Some(b"Gem::Specification.new do |spec|\n  spec.name = \"kvr\"\n  spec.summary = \"A tiny key-value store.\"\n  spec.executables = [\"kvr\"]\nend\n".as_slice())),
            ("lib/kvr.rb", Some(b"# frozen_string_literal: true\n\n# Keys and values, kept in memory.\n\nrequire \"kvr/store\"\n\n# The gem's namespace.\nmodule Kvr\nend\n".as_slice())),
            ("lib/kvr/store.rb", Some(b"require_relative \"util/strings\"\n\nmodule Kvr\n  # A store of keys.\n  class Store\n    # Keeps one value.\n    # @param key [String] the key, trimmed by +Strings.trim+\n    # @return [Store] itself\n    def put(key)\n      Util::Strings.trim(key)\n      self\n    end\n  end\nend\n".as_slice())),
            ("lib/kvr/util/strings.rb", Some(b"module Kvr\n  module Util\n    # String helpers.\n    module Strings\n      # Trims.\n      def self.trim(s) = s.strip\n    end\n  end\nend\n".as_slice())),
            ("lib/kvr/util/chars.rb", Some(b"module Kvr\n  module Util\n    module Chars; end\n  end\nend\n".as_slice())),
            ("exe/kvr", Some(b"#!/usr/bin/env ruby\nrequire \"kvr\"\nKvr::Store.new.put(ARGV[0])\n".as_slice())),
            ("spec/store_spec.rb", Some(b"require \"kvr\"\nRSpec.describe Kvr::Store do\n  it { Kvr::Store.new.put(\"a\") }\nend\n".as_slice())),
        ],
        "Add kvr",
        "Hal Ruby",
        T0,
    );
    let (site, parts) = built(&f);
    assert!(parts.contains_key("kvr/util"), "{parts:?}");
    assert_eq!(parts["kvr"].1, "A tiny key-value store.");
    let overview = text(&read(&site.join("index.html")));
    assert!(overview.contains("exe/kvr: executable kvr"), "{overview}");
    assert!(
        overview.contains("lib/kvr.rb: root file of the Ruby gem kvr"),
        "{overview}"
    );
    let page = read(&site.join("files/lib/kvr/store.rb.html"));
    let page_text = text(&page);
    assert!(page_text.contains("class Kvr::Store"), "{page_text}");
    assert!(page_text.contains("A store of keys."), "{page_text}");
    assert!(page_text.contains("method Kvr::Store::put"), "{page_text}");
    assert!(page_text.contains("Parameters"), "{page_text}");
    assert!(
        page.contains("<a href=\"../../../files/lib/kvr/util/strings.rb.html\"><code>require_relative &quot;util/strings&quot;</code>"),
        "{page}"
    );
    let root = text(&read(&site.join("files/lib/kvr.rb.html")));
    assert!(root.contains("Keys and values, kept in memory."), "{root}");
    assert!(page.contains("<span class=\"k\">"), "{page}");
}

#[test]
fn a_composer_package_is_parted_by_its_namespaces() {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            ("README.md", Some(b"# kvp\n\nkvp keeps keys and values, in PHP.\n".as_slice())),
            ("composer.json", Some(b"{\"name\": \"acme/kvp\", \"description\": \"A tiny key-value store.\", \"bin\": [\"bin/kvp\"], \"autoload\": {\"psr-4\": {\"Acme\\\\Kvp\\\\\": \"src/\"}}}".as_slice())),
            ("src/Store.php", Some(b"<?php\n\nnamespace Acme\\Kvp;\n\nuse Acme\\Kvp\\Util\\Strings;\n\n/**\n * A store of keys.\n */\nfinal class Store\n{\n    /**\n     * Keeps one value.\n     *\n     * @param string $key the key, trimmed by {@see Strings::trim()}\n     * @return static itself\n     */\n    public function put(string $key): static\n    {\n        Strings::trim($key);\n        return $this;\n    }\n}\n".as_slice())),
            ("src/Util/Strings.php", Some(b"<?php\n\nnamespace Acme\\Kvp\\Util;\n\n/** String helpers. */\nfinal class Strings\n{\n    /** Trims. */\n    public static function trim(string $s): string { return trim($s); }\n}\n".as_slice())),
            ("src/Util/Chars.php", Some(b"<?php\n\nnamespace Acme\\Kvp\\Util;\n\nfinal class Chars {}\n".as_slice())),
            ("bin/kvp", Some(b"#!/usr/bin/env php\n<?php\nrequire __DIR__ . '/../vendor/autoload.php';\n(new Acme\\Kvp\\Store())->put($argv[1]);\n".as_slice())),
            ("tests/StoreTest.php", Some(b"<?php\nfinal class StoreTest { public function testPut(): void { (new \\Acme\\Kvp\\Store())->put('a'); } }\n".as_slice())),
        ],
        "Add kvp",
        "Ida Php",
        T0,
    );
    let (site, parts) = built(&f);
    // Named as PHP names the namespace (llms.txt escapes its backslashes; `parts` drops them).
    let util = text(&read(&site.join(&parts["AcmeKvpUtil"].0)));
    assert!(util.contains("Acme\\Kvp\\Util"), "{util}");
    assert_eq!(parts["acme/kvp"].1, "A tiny key-value store.");
    let overview = text(&read(&site.join("index.html")));
    assert!(overview.contains("bin/kvp: command kvp"), "{overview}");
    let page = read(&site.join("files/src/Store.php.html"));
    let page_text = text(&page);
    assert!(page_text.contains("class Store"), "{page_text}");
    assert!(page_text.contains("A store of keys."), "{page_text}");
    assert!(page_text.contains("method Store::put"), "{page_text}");
    assert!(page_text.contains("Parameters"), "{page_text}");
    // `use` resolved through composer.json's PSR-4 map.
    assert!(
        page.contains("<a href=\"../../files/src/Util/Strings.php.html\"><code>use Acme\\Kvp\\Util\\Strings</code>"),
        "{page}"
    );
    assert!(page.contains("<span class=\"k\">"), "{page}");
}
