//! End-to-end tests: the built binary on fixture repositories.

mod support;

use std::fs;

use support::*;

#[test]
fn build_reports_what_it_did() {
    let f = Fixture::standard();
    let out = f.dir.path().join("site");
    let report = build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    for key in [
        "commits",
        "files_parsed",
        "files_skipped",
        "clusters",
        "pages_written",
        "pages_unchanged",
        "narrator_calls",
        "stages",
        "out",
    ] {
        assert!(report.get(key).is_some(), "report lacks {key}: {report}");
    }
    assert_eq!(report["commits"], 6);
    assert_eq!(report["files_parsed"], 12, "{report}");
    let skipped = &report["files_skipped"];
    assert_eq!(skipped["binary"], 1, "{skipped}");
    assert_eq!(skipped["vendored"], 2, "{skipped}");
    assert_eq!(skipped["lock-file"], 1, "{skipped}");
    assert_eq!(skipped["generated"], 1, "{skipped}");
    assert_eq!(skipped["too-large"], 1, "{skipped}");
    assert_eq!(skipped["ignored"], 1, "{skipped}");
    assert_eq!(report["clusters"], 5);
    assert_eq!(report["narrator_calls"], 6, "five parts and the overview");
    assert!(report["stages"]["history"].is_number());
    assert_eq!(report["out"], out.to_str().unwrap());
    assert!(report["pages_written"].as_u64().unwrap() > 20);
    // The overview's counts are the report's: every reason with its number, nothing else.
    let overview = read(&out.join("index.html"));
    let total: u64 = skipped
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    let reasons: Vec<String> = skipped
        .as_object()
        .unwrap()
        .iter()
        .map(|(r, n)| {
            let n = n.as_u64().unwrap();
            let words = match (r.as_str(), n) {
                ("lock-file", 1) => "lock file",
                ("lock-file", _) => "lock files",
                ("too-large", _) => "too large",
                ("symlink", 1) => "symlink",
                ("symlink", _) => "symlinks",
                (r, _) => r,
            };
            format!("{n} {words}")
        })
        .collect();
    let sentence = format!("{total} more were left out: {} (see", reasons.join(", "));
    assert!(overview.contains(&sentence), "{sentence} in the overview");
    let files = report["files"].as_u64().unwrap();
    assert!(overview.contains(&format!("demo holds {files} files; among them ")));
    assert!(!overview.contains("(1 files)"));
}

#[test]
fn parts_follow_the_folders() {
    let f = Fixture::standard();
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    for slug in ["root", "docs", "py-app", "src-engine", "web-src"] {
        assert!(out.join(format!("parts/{slug}.html")).is_file(), "{slug}");
    }
    let engine = read(&out.join("parts/src-engine.html"));
    assert!(engine.contains("src/engine/core.rs"));
    assert!(
        engine.contains("The engine: runs jobs in order."),
        "module doc as purpose"
    );
    assert!(
        engine.contains("The engine lives in"),
        "README section that mentions it"
    );
    // The lone legacy script joins the part that imports it.
    assert!(read(&out.join("parts/web-src.html")).contains("web/lib/legacy.js"));
    let overview = read(&out.join("index.html"));
    assert!(overview.contains("<svg"), "architecture diagram");
    assert!(overview.contains("A small demo project that runs jobs."));
}

#[test]
fn file_pages_show_symbols_with_their_docs() {
    let f = Fixture::standard();
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let core = read(&out.join("files/src/engine/core.rs.html"));
    assert!(core.contains("id=\"sym-Engine\""));
    assert!(core.contains("Runs jobs one after another."));
    assert!(core.contains("id=\"sym-Engine--new\""));
    assert!(core.contains("Makes an engine with no jobs."));
    assert!(core.contains("pub fn run(&amp;self)"));
    let models = read(&out.join("files/py/app/models.py.html"));
    assert!(models.contains("A widget with a name."));
    assert!(models.contains("Widget.label"));
    let widget = read(&out.join("files/web/src/widget.ts.html"));
    assert!(widget.contains("Makes a widget."));
    assert!(widget.contains("export function makeWidget(name: string): Widget"));
    let view = read(&out.join("files/web/src/view.tsx.html"));
    assert!(view.contains("Shows one widget."));
    // Imports resolve to pages: views.py imports models.py.
    let views = read(&out.join("files/py/app/views.py.html"));
    assert!(
        views.contains("href=\"../../../files/py/app/models.py.html\""),
        "{views}"
    );
    // A file that does not parse is still listed, with a note.
    let broken = read(&out.join("files/py/app/broken.py.html"));
    assert!(broken.contains("syntax errors"));
}

#[test]
fn history_follows_renames_and_merges() {
    let f = Fixture::standard();
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let helpers = read(&out.join("files/src/helpers.rs.html"));
    assert!(helpers.contains("refactor: rename util to helpers"));
    assert!(
        helpers.contains("Add the engine and its utilities"),
        "the history of util.rs follows it to helpers.rs"
    );
    let engine = read(&out.join("parts/src-engine.html"));
    assert!(
        engine.contains("Count finished jobs in the engine"),
        "side-branch commit"
    );
    assert!(engine.contains("Carol White"));
    let history = read(&out.join("history.html"));
    assert!(history.contains("Merge branch &#39;count-jobs&#39;"));
    assert!(history.contains("Bob Jones"));
    assert!(history.contains("too-large"));
}

#[test]
fn every_link_in_the_site_resolves() {
    let f = Fixture::standard();
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let broken = broken_links(&out);
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
    // Odd and non-UTF-8 files got pages too.
    let pages = walk(&out);
    assert!(pages
        .iter()
        .any(|p| p.to_string_lossy().contains("My_Notes")));
    assert!(out.join("files/data/latin1.txt.html").is_file());
}

#[test]
fn every_page_names_its_commit() {
    let f = Fixture::standard();
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let head = f.commits["merge"].to_string();
    assert!(read(&out.join("site-info.js")).contains(&head));
    for page in walk(&out)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let html = read(page);
        assert!(html.contains("site-info.js"), "{}", page.display());
        assert!(html.contains("Content as of <code"), "{}", page.display());
    }
    assert!(read(&out.join("index.html")).contains(&head[..7]));
    // A file page is pinned to the commit that last changed the file.
    let helpers = read(&out.join("files/src/helpers.rs.html"));
    assert!(helpers.contains(&f.commits["rename"].to_string()[..7]));
}

#[test]
fn the_search_index_holds_parts_files_and_symbols_whose_pages_exist() {
    let f = Fixture::standard();
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let script = read(&out.join("search.js"));
    let json = script
        .strip_prefix("window.REPOWIKI_SEARCH = ")
        .unwrap()
        .trim_end()
        .trim_end_matches(';');
    let index: serde_json::Value = serde_json::from_str(json).unwrap();
    let entries = index["entries"].as_array().unwrap();
    let has = |kind: &str, name: &str, href: &str| {
        entries
            .iter()
            .any(|e| e[0] == kind && e[1] == name && e[3] == href)
    };
    assert!(has("part", "demo::engine", "parts/src-engine.html"));
    assert!(has(
        "file",
        "src/engine/core.rs",
        "files/src/engine/core.rs.html"
    ));
    assert!(has(
        "struct",
        "Engine",
        "files/src/engine/core.rs.html#sym-Engine"
    ));
    assert!(has(
        "function",
        "makeWidget",
        "files/web/src/widget.ts.html#sym-makeWidget"
    ));
    assert!(entries
        .iter()
        .any(|e| e[1] == "Engine" && e[2] == "Runs jobs one after another."));
    for e in entries {
        let href = e[3].as_str().unwrap();
        let (file, anchor) = href.split_once('#').unwrap_or((href, ""));
        let page = read(&out.join(file));
        assert!(
            anchor.is_empty() || page.contains(&format!("id=\"{anchor}\"")),
            "{href}"
        );
    }
    // Every page has the search box; no page has an inline script.
    let index_html = read(&out.join("index.html"));
    assert!(index_html.contains("id=\"search\""));
}

#[test]
fn llms_txt_lists_every_page_with_one_line() {
    let f = Fixture::standard();
    let out = f.dir.path().join("site");
    build_json(&[
        f.root().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--site-url",
        "https://demo.example/wiki",
    ]);
    let llms = read(&out.join("llms.txt"));
    assert!(llms.starts_with("# demo\n"), "{llms}");
    assert!(llms.contains("- [demo::engine](https://demo.example/wiki/parts/src-engine.html): The engine: runs jobs in order."), "{llms}");
    assert!(
        llms.contains(
            "- [src/engine/core.rs](https://demo.example/wiki/files/src/engine/core.rs.html)"
        ),
        "{llms}"
    );
    assert!(llms.contains("](https://demo.example/wiki/history.html)"));
    assert!(llms.contains("](https://demo.example/wiki/llms-full.txt)"));
    // llms-full.txt: the overview, the history and every part page, with links to the site.
    let full = read(&out.join("llms-full.txt"));
    assert!(full.starts_with("# demo\n"), "{full}");
    for page in ["# History", "# demo::engine"] {
        assert!(full.contains(page), "{page}: {full}");
    }
    assert!(
        full.contains("](https://demo.example/wiki/files/src/engine/core.rs.html"),
        "{full}"
    );
    assert!(
        full.contains("](https://demo.example/wiki/parts/src-engine.html)"),
        "{full}"
    );
    assert!(!full.contains(".md)") && !full.contains(".md#"), "{full}");
}

#[test]
fn a_second_build_writes_nothing() {
    let f = Fixture::standard();
    let out = f.dir.path().join("site");
    let root = f.root();
    let args = [root.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let first = build_json(&args);
    let second = build_json(&args);
    assert_eq!(second["pages_written"], 0);
    assert_eq!(second["pages_unchanged"], first["pages_written"]);
}

#[test]
fn rev_builds_an_older_commit() {
    let f = Fixture::standard();
    let out = f.dir.path().join("site");
    let rev = f.commits["init"].to_string();
    let report = build_json(&[
        f.root().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--rev",
        &rev,
    ]);
    assert_eq!(report["commits"], 1);
    assert!(out.join("files/src/util.rs.html").is_file());
    assert!(!out.join("files/src/helpers.rs.html").exists());
}

#[test]
fn path_may_be_any_folder_inside_the_repo_and_default_out_is_in_it() {
    let f = Fixture::standard();
    let report = build_json(&[f.root().join("src/engine").to_str().unwrap()]);
    let site = f.root().join(".repowiki/site");
    assert_eq!(report["out"], site.to_str().unwrap());
    assert!(site.join("index.html").is_file());
    // The site does not show up in `git status`.
    let listed = git_status(&f.root());
    assert!(
        listed.contains(".repowikiignore"),
        "untracked files are listed: {listed}"
    );
    assert!(!listed.contains(".repowiki/"), "{listed}");
}

#[test]
fn source_links_follow_the_configured_template() {
    let f = Fixture::standard();
    fs::write(
        f.root().join("repowiki.toml"),
        "[site]\ntitle = \"Demo wiki\"\nsource-url = \"https://code.example/demo/{commit}/{path}#L{line}\"\n",
    )
    .unwrap();
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let core = read(&out.join("files/src/engine/core.rs.html"));
    let pin = f.commits["merge"].to_string();
    assert!(
        core.contains(&format!(
            "https://code.example/demo/{pin}/src/engine/core.rs#L4"
        )),
        "{core}"
    );
    assert!(core.contains("Demo wiki"));
}

#[test]
fn progress_goes_to_stderr_and_the_summary_to_stdout() {
    let f = Fixture::standard();
    let out = f.dir.path().join("site");
    let o = run(&[
        "build",
        f.root().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("clusters   5"), "{stdout}");
    assert!(stdout.contains("index.html"), "{stdout}");
    assert!(stderr(&o).contains("history"), "{}", stderr(&o));
}

fn assert_usage_error(args: &[&str], expected: &str) {
    let o = run(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains(expected), "{err} should mention {expected}");
}

#[test]
fn bad_input_is_one_line_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    fs::create_dir(&plain).unwrap();
    assert_usage_error(
        &["build", plain.to_str().unwrap()],
        "not inside a git repository",
    );

    let empty = dir.path().join("empty");
    git2::Repository::init(&empty).unwrap();
    assert_usage_error(&["build", empty.to_str().unwrap()], "no commits");

    let f = Fixture::standard();
    let bare = dir.path().join("bare.git");
    git2::Repository::init_bare(&bare).unwrap();
    assert_usage_error(&["build", bare.to_str().unwrap()], "bare repository");

    let root = f.root();
    let root = root.to_str().unwrap();
    assert_usage_error(
        &["build", root, "--rev", "no-such-branch"],
        "unknown revision 'no-such-branch'",
    );

    let file = dir.path().join("a-file");
    fs::write(&file, "x").unwrap();
    let under_file = file.join("site");
    assert_usage_error(
        &["build", root, "--out", under_file.to_str().unwrap()],
        "cannot write to the output folder",
    );

    assert_usage_error(
        &["build", dir.path().join("missing").to_str().unwrap()],
        "no such folder",
    );
}

#[test]
fn invalid_config_names_the_key_and_writes_nothing() {
    let f = Fixture::standard();
    fs::write(f.root().join("repowiki.toml"), "[site]\ntitel = \"typo\"\n").unwrap();
    let out = f.dir.path().join("site");
    assert_usage_error(
        &[
            "build",
            f.root().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        "titel",
    );
    assert!(!out.exists(), "nothing half-written");
}

#[test]
fn init_writes_a_config_that_builds() {
    let f = Fixture::standard();
    let o = run(&["init", f.root().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = read(&f.root().join("repowiki.toml"));
    assert!(text.contains("max-file-bytes = 1048576"));
    assert_usage_error(&["init", f.root().to_str().unwrap()], "already exists");
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
}

#[test]
fn the_freshness_line_says_how_far_behind_its_branch_a_build_is() {
    let f = Fixture::standard();
    let info = |rev: &str| {
        let out = f.dir.path().join(format!("site-{}", rev.replace('~', "-")));
        build_json(&[
            f.root().to_str().unwrap(),
            "--rev",
            rev,
            "--out",
            out.to_str().unwrap(),
        ]);
        let js = read(&out.join("site-info.js"));
        let json = js
            .trim()
            .trim_start_matches("window.REPOWIKI_SITE = ")
            .trim_end_matches(';');
        serde_json::from_str::<serde_json::Value>(json).unwrap()
    };
    let head = info("HEAD");
    assert_eq!(head["freshness"]["behind"], 0, "{head}");
    assert_eq!(head["freshness"]["ahead"], 0, "{head}");
    let branch = head["freshness"]["branch"].as_str().unwrap().to_string();
    assert!(!branch.is_empty());
    let older = info("HEAD~2");
    // What git itself counts (the merge brings a side-branch commit with it).
    let count = std::process::Command::new("git")
        .args(["rev-list", "--count", "HEAD~2..HEAD"])
        .current_dir(f.root())
        .output()
        .unwrap();
    let count: u64 = String::from_utf8_lossy(&count.stdout)
        .trim()
        .parse()
        .unwrap();
    assert!(count >= 2);
    assert_eq!(older["freshness"]["behind"], count, "{older}");
    assert_eq!(older["freshness"]["branch"], branch.as_str());
}

#[test]
fn an_ejected_theme_overrides_the_built_ins_file_by_file() {
    let f = Fixture::standard();
    let root = f.root();
    let o = run(&["theme", "eject", root.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for file in [
        ".repowiki/templates/base.html",
        ".repowiki/templates/part.html",
        ".repowiki/templates/prompts/part.md",
        ".repowiki/theme/style.css",
        ".repowiki/theme/site.js",
    ] {
        assert!(root.join(file).is_file(), "{file}");
    }
    // Unedited copies build the very same site as the built-ins.
    let plain = f.dir.path().join("plain");
    let ejected = f.dir.path().join("ejected");
    let o = run(&[
        "build",
        root.to_str().unwrap(),
        "--out",
        plain.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let part = root.join(".repowiki/templates/part.html");
    let text = read(&part);
    fs::write(
        &part,
        text.replace(
            "<h2 id=\"files\">Files</h2>",
            "<h2 id=\"files\">Files of this part</h2>",
        ),
    )
    .unwrap();
    let css = root.join(".repowiki/theme/style.css");
    fs::write(&css, read(&css) + "\n.our-rule { color: teal; }\n").unwrap();
    fs::write(root.join(".repowiki/theme/logo.svg"), "<svg></svg>").unwrap();
    // Eject again: what is there is kept.
    let o = run(&["theme", "eject", root.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("kept"));
    assert!(read(&part).contains("Files of this part"));

    let o = run(&[
        "build",
        root.to_str().unwrap(),
        "--out",
        ejected.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(&ejected.join("parts/src-engine.html")).contains("Files of this part"));
    assert!(read(&ejected.join("assets/style.css")).contains(".our-rule"));
    assert!(ejected.join("assets/logo.svg").is_file());
    assert_eq!(
        read(&ejected.join("files/src/lib.rs.html")),
        read(&plain.join("files/src/lib.rs.html"))
    );
    // An edit to a template reaches the pages on the next build of the same commit.
    fs::write(
        &part,
        read(&part).replace("Files of this part", "The files"),
    )
    .unwrap();
    let o = run(&[
        "build",
        root.to_str().unwrap(),
        "--out",
        ejected.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(&ejected.join("parts/src-engine.html")).contains("The files"));

    // A broken template: one clear error, and the site stays as it was.
    fs::write(
        &part,
        "{% extends \"base.html\" %}{% block content %}{{ oops(",
    )
    .unwrap();
    let before = read(&ejected.join("parts/src-engine.html"));
    let o = run(&[
        "build",
        root.to_str().unwrap(),
        "--out",
        ejected.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains(".repowiki/templates"), "{}", stderr(&o));
    assert_eq!(read(&ejected.join("parts/src-engine.html")), before);
}

#[test]
fn the_wiki_as_markdown_files() {
    let f = Fixture::standard();
    let root = f.root();
    let o = run(&["build", root.to_str().unwrap(), "--format", "markdown"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let wiki = root.join(".repowiki/wiki");
    assert!(String::from_utf8_lossy(&o.stdout).contains("README.md"));
    for page in [
        "README.md",
        "history.md",
        "parts/src-engine.md",
        "files/src/engine/core.rs.md",
    ] {
        assert!(wiki.join(page).is_file(), "{page}");
    }
    assert!(!wiki.join("index.html").exists());
    let core = read(&wiki.join("files/src/engine/core.rs.md"));
    assert!(core.contains("### struct `Engine`"), "{core}");
    assert!(core.contains("Runs jobs one after another."), "{core}");
    assert!(core.contains("\nFirst changed 20"), "code age: {core}");
    let readme = read(&wiki.join("README.md"));
    assert!(readme.contains("(parts/src-engine.md)"), "{readme}");
    let problems = markdown_problems(&wiki);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The HTML site is a separate folder, untouched by the markdown build and vice versa.
    let o = run(&["build", root.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(root.join(".repowiki/site/index.html").is_file());
    assert!(wiki.join("README.md").is_file());
}

#[test]
fn the_sidebar_lists_a_window_of_a_large_part() {
    let mut f = Fixture::new();
    let files: Vec<(String, Vec<u8>)> = (0..40)
        .map(|i| {
            (
                format!("big/m{i:02}.py"),
                format!("def f{i}():\n    return {i}\n").into_bytes(),
            )
        })
        .collect();
    let refs: Vec<(&str, Option<&[u8]>)> = files
        .iter()
        .map(|(p, b)| (p.as_str(), Some(b.as_slice())))
        .collect();
    f.commit("start", &refs, "Start", "Alice Smith", T0);
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let sidebar = |page: &str| {
        let html = read(&out.join(page));
        let start = html.find(r#"<ul class="files">"#).expect("a file list");
        let end = start + html[start..].find("</ul>").unwrap();
        html[start..end].to_string()
    };
    let names = |list: &str| -> Vec<String> {
        list.split(r#".py.html""#)
            .skip(1)
            .map(|rest| {
                rest.split('>')
                    .nth(1)
                    .unwrap()
                    .trim_end_matches("</a")
                    .to_string()
            })
            .collect()
    };
    // In the middle: 25 files around it, and the rest counted on both sides.
    let middle = sidebar("files/big/m20.py.html");
    let listed = names(&middle);
    assert_eq!(listed.len(), 25, "{middle}");
    assert_eq!(listed.first().map(String::as_str), Some("m08.py"));
    assert!(
        middle.contains(r#"aria-current="page">m20.py<"#),
        "{middle}"
    );
    assert!(middle.contains(">8 more files</a>"), "{middle}");
    assert!(middle.contains(">7 more files</a>"), "{middle}");
    assert!(
        middle.contains(r##"href="../../parts/big.html#files""##),
        "{middle}"
    );
    // At the ends the window stops at the edge.
    let first = sidebar("files/big/m00.py.html");
    assert_eq!(names(&first).first().map(String::as_str), Some("m00.py"));
    assert!(
        first.contains(">15 more files</a>") && !first.contains(">0 more"),
        "{first}"
    );
    let last = sidebar("files/big/m39.py.html");
    assert_eq!(names(&last).last().map(String::as_str), Some("m39.py"));
    // The part page lists every file in its body, where the sidebar's links lead.
    let part = read(&out.join("parts/big.html"));
    assert!(part.contains(r#"id="files""#));
    assert_eq!(
        names(&part[part.find(r#"id="files""#).unwrap()..]).len(),
        40
    );
    assert!(broken_links(&out).is_empty());
}
