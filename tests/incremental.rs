//! The living-wiki promise: after a commit only what changed is recomputed and rewritten, an
//! interrupted build loses nothing, the hook keeps the wiki current, the cache never fails a
//! build.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use repowiki::narrate::{ClusterFacts, Narrative, OverviewFacts};
use repowiki::{BuildOptions, BuiltinNarrator, Narrator, Report};
use support::*;

/// The built-in narrator, counting what it is asked to narrate.
#[derive(Default)]
struct Counting {
    parts: Mutex<Vec<String>>,
    overviews: Mutex<usize>,
}

impl Narrator for Counting {
    fn id(&self) -> String {
        BuiltinNarrator.id()
    }
    fn narrate_part(&self, facts: &ClusterFacts) -> repowiki::Result<Narrative> {
        self.parts.lock().unwrap().push(facts.id.clone());
        BuiltinNarrator.narrate_part(facts)
    }
    fn narrate_overview(&self, facts: &OverviewFacts) -> repowiki::Result<Narrative> {
        *self.overviews.lock().unwrap() += 1;
        BuiltinNarrator.narrate_overview(facts)
    }
}

struct Built {
    report: Report,
    parts: Vec<String>,
    overviews: usize,
}

/// A build of the fixture into `out`, with its cache in `cache`.
fn options(f: &Fixture, out: &Path, cache: &Path) -> BuildOptions {
    BuildOptions {
        path: f.root(),
        out: Some(out.to_path_buf()),
        rev: None,
        cache_dir: Some(cache.to_path_buf()),
        dry_run: false,
        since: None,
        max_commits: None,
        base_url: None,
        format: Default::default(),
        force: false,
    }
}

fn build_lib(f: &Fixture) -> Built {
    let narrator = Counting::default();
    let options = options(f, &site_of(f), &f.dir.path().join("cache"));
    let report = repowiki::build(&options, &narrator, &|_| {}).expect("build");
    let mut parts = narrator.parts.into_inner().unwrap();
    parts.sort();
    Built {
        report,
        parts,
        overviews: narrator.overviews.into_inner().unwrap(),
    }
}

fn site_of(f: &Fixture) -> PathBuf {
    f.dir.path().join("site")
}

/// The incremental site must be byte for byte what a build from nothing makes.
fn assert_same_as_a_fresh_build(f: &Fixture) {
    let fresh = f.dir.path().join("fresh-site");
    let _ = fs::remove_dir_all(&fresh);
    let options = options(f, &fresh, &f.dir.path().join("fresh-cache"));
    let _ = fs::remove_dir_all(f.dir.path().join("fresh-cache"));
    repowiki::build(&options, &BuiltinNarrator, &|_| {}).expect("fresh build");
    let (a, b) = (snapshot_of(&site_of(f)), snapshot_of(&fresh));
    let differ: Vec<&String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .collect();
    assert!(
        differ.is_empty(),
        "the incremental site differs from a fresh build in {differ:?}"
    );
}

const T1: i64 = T0 + 10 * 86_400;

#[test]
fn no_change_means_no_narrator_call_and_no_page_written() {
    let f = Fixture::standard();
    let first = build_lib(&f);
    assert_eq!(first.parts.len(), 5);
    assert_eq!(first.overviews, 1);
    let again = build_lib(&f);
    assert_eq!(again.parts, Vec::<String>::new());
    assert_eq!(again.overviews, 0);
    assert_eq!(again.report.narrator_calls, 0);
    assert_eq!(again.report.narratives_cached, 6);
    assert_eq!(again.report.pages_written, 0);
    assert_eq!(again.report.pages_removed, 0);
    assert_eq!(again.report.commits_read, 0);
    assert_eq!(again.report.files_parsed, 0);
}

#[test]
fn a_page_removed_by_hand_comes_back_from_the_cache_without_a_narrator_call() {
    let f = Fixture::standard();
    build_lib(&f);
    let noop = build_lib(&f);
    assert!(
        noop.report.up_to_date,
        "nothing changed: the last build is checked, not repeated"
    );
    fs::remove_file(site_of(&f).join("parts/src-engine.html")).unwrap();
    let again = build_lib(&f);
    assert!(
        !again.report.up_to_date,
        "the site on disk changed, so the pipeline runs"
    );
    assert_eq!(again.parts, Vec::<String>::new());
    assert_eq!(again.overviews, 0);
    assert_eq!(again.report.files_parsed, 0);
    assert_eq!(again.report.commits_read, 0);
    assert_eq!(again.report.pages_changed, ["parts/src-engine.html"]);
    assert_same_as_a_fresh_build(&f);
}

#[test]
fn one_function_edit_renarrates_its_part_and_rewrites_only_the_pages_that_show_it() {
    let mut f = Fixture::standard();
    build_lib(&f);
    let mtimes_before = mtimes(&site_of(&f));
    let edited = read(&f.root().join("src/engine/core.rs"))
        .replace("println!(\"{}\"", "println!(\"job {}\"");
    f.commit(
        "edit",
        &[("src/engine/core.rs", Some(edited.as_bytes()))],
        "Say which job runs",
        "Dana Lee",
        T1,
    );
    let after = build_lib(&f);
    assert_eq!(after.parts, ["src/engine"]);
    assert_eq!(after.overviews, 0, "the overview's input did not change");
    assert_eq!(
        after.report.commits_read, 1,
        "only the new commit is diffed"
    );
    assert_eq!(
        after.report.files_parsed, 1,
        "only the edited file is parsed"
    );
    assert_eq!(
        after.report.pages_changed,
        [
            "files/src/engine/core.rs.html",
            "history.html",
            "index.html",
            // It holds the overview, the history and the part pages.
            "llms-full.txt",
            "llms.txt",
            "parts/src-engine.html",
            "site-info.js",
        ],
        "the file, its part, and the pages about the whole history"
    );
    // Every other page kept its bytes and its mtime.
    let mtimes_after = mtimes(&site_of(&f));
    for (path, before) in &mtimes_before {
        if !after
            .report
            .pages_changed
            .iter()
            .any(|p| path.ends_with(p.as_str()))
        {
            assert_eq!(mtimes_after.get(path), Some(before), "{path} was rewritten");
        }
    }
    assert_same_as_a_fresh_build(&f);
}

/// The built-in narrator, with one more sentence in every part's narrative: it names
/// `Gadget`, which the repository does not have until a commit adds it.
struct Citing;

impl Narrator for Citing {
    fn id(&self) -> String {
        "citing-test".into()
    }
    fn narrate_part(&self, facts: &ClusterFacts) -> repowiki::Result<Narrative> {
        let mut n = BuiltinNarrator.narrate_part(facts)?;
        n.markdown += "\n\nIt is meant to work with `Gadget` one day.\n";
        Ok(n)
    }
    fn narrate_overview(&self, facts: &OverviewFacts) -> repowiki::Result<Narrative> {
        BuiltinNarrator.narrate_overview(facts)
    }
}

/// Builds with `narrator` into `site` (cache beside it); returns what the render stage said
/// (`N rendered, M kept (P of them part pages)`).
fn build_into(f: &Fixture, narrator: &dyn Narrator, site: &Path) -> String {
    let options = options(f, site, &site.with_extension("cache"));
    let said = Mutex::new(String::new());
    repowiki::build(&options, narrator, &|e| {
        if let repowiki::Event::Finished {
            stage: "render",
            detail,
            ..
        } = e
        {
            *said.lock().unwrap() = detail;
        }
    })
    .expect("build");
    said.into_inner().unwrap()
}

#[test]
fn a_part_page_is_kept_while_its_inputs_hold_and_follows_what_its_citations_find() {
    let mut f = Fixture::standard();
    let site = f.dir.path().join("citing-site");
    let first = build_into(&f, &Citing, &site);
    let engine = || read(&site.join("parts/src-engine.html"));
    assert!(
        engine().contains("class=\"unverified\""),
        "`Gadget` is not in the repository yet"
    );
    // llms-full.txt says so too, in the part's section (kept in the cache from now on).
    let unfound = "`Gadget` *(not found in the repository)*";
    let full = || read(&site.join("llms-full.txt"));
    assert!(full().contains(unfound), "{}", full());
    let parts = fs::read_dir(site.join("parts")).unwrap().count();
    // A commit that only adds a Python file: the Rust parts' facts and narratives stay, but
    // what their narratives cite is now found.
    f.commit(
        "gadget",
        &[(
            "py/app/gadget.py",
            Some(b"class Gadget:\n    \"\"\"A gadget.\"\"\"\n".as_slice()),
        )],
        "Add the gadget",
        "Dana Lee",
        T1,
    );
    build_into(&f, &Citing, &site);
    assert!(
        !engine().contains("class=\"unverified\""),
        "the page follows its citation, though its facts did not change"
    );
    assert!(
        !full().contains(unfound),
        "so does the part's section of llms-full.txt"
    );
    // A commit to the web part's code: every other part page is kept, not rendered again.
    let widget = read(&f.root().join("web/src/widget.ts")) + "// one more line\n";
    f.commit(
        "widget",
        &[("web/src/widget.ts", Some(widget.as_bytes()))],
        "One more line",
        "Dana Lee",
        T1 + 60,
    );
    let said = build_into(&f, &Citing, &site);
    let kept_parts: usize = said
        .split_once(" kept (")
        .and_then(|(_, rest)| rest.strip_suffix(" of them part pages)"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{said} ({first} at first)"));
    assert_eq!(
        kept_parts,
        parts - 1,
        "{said}: every part page but the web part's is kept"
    );
    let fresh = f.dir.path().join("citing-fresh");
    build_into(&f, &Citing, &fresh);
    assert_eq!(
        snapshot_of(&site),
        snapshot_of(&fresh),
        "as a fresh build makes it"
    );
}

fn mtimes(dir: &Path) -> BTreeMap<String, std::time::SystemTime> {
    walk(dir)
        .into_iter()
        .map(|p| {
            (
                p.display().to_string(),
                fs::metadata(&p).unwrap().modified().unwrap(),
            )
        })
        .collect()
}

#[test]
fn adding_a_file_keeps_every_other_part_where_it_was() {
    let mut f = Fixture::standard();
    let before = build_lib(&f);
    let slugs = |site: &Path| -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(site.join("parts"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let parts_before = slugs(&site_of(&f));
    f.commit(
        "add",
        &[(
            "py/app/forms.py",
            Some(b"\"\"\"Forms.\"\"\"\nfrom .models import Widget\n".as_slice()),
        )],
        "Add forms",
        "Dana Lee",
        T1,
    );
    let after = build_lib(&f);
    assert_eq!(slugs(&site_of(&f)), parts_before);
    assert_eq!(
        after.parts,
        ["py/app"],
        "only the part that gained the file"
    );
    assert!(site_of(&f).join("files/py/app/forms.py.html").is_file());
    assert_eq!(before.report.clusters, after.report.clusters);
    assert_same_as_a_fresh_build(&f);
}

#[test]
fn a_new_import_updates_the_page_of_the_file_it_imports() {
    let mut f = Fixture::standard();
    build_lib(&f);
    let before = read(&site_of(&f).join("files/src/helpers.rs.html"));
    assert!(!before.contains("src/engine/core.rs</code>"));
    let edited = read(&f.root().join("src/engine/core.rs"))
        .replace("use crate::util::pad;", "use crate::helpers::pad;");
    f.commit(
        "import",
        &[("src/engine/core.rs", Some(edited.as_bytes()))],
        "Import the renamed helpers",
        "Dana Lee",
        T1,
    );
    let after = build_lib(&f);
    assert!(after
        .report
        .pages_changed
        .contains(&"files/src/helpers.rs.html".to_string()));
    assert!(
        read(&site_of(&f).join("files/src/helpers.rs.html")).contains("src/engine/core.rs</code>")
    );
    assert_same_as_a_fresh_build(&f);
}

#[test]
fn deleting_a_file_removes_its_page_and_every_link_to_it() {
    let mut f = Fixture::standard();
    build_lib(&f);
    assert!(site_of(&f).join("files/web/src/view.tsx.html").is_file());
    let index = read(&f.root().join("web/src/index.ts"))
        .replace("import { View } from './view';\n", "")
        .replace("new View(makeWidget('w')).render();", "makeWidget('w');");
    f.commit(
        "delete",
        &[
            ("web/src/view.tsx", None),
            ("web/src/index.ts", Some(index.as_bytes())),
        ],
        "Drop the view",
        "Dana Lee",
        T1,
    );
    let after = build_lib(&f);
    assert!(!site_of(&f).join("files/web/src/view.tsx.html").exists());
    assert_eq!(after.report.pages_removed, 1);
    let broken = broken_links(&site_of(&f));
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    for page in walk(&site_of(&f)) {
        if page.extension().is_some_and(|e| e == "html") {
            assert!(
                !read(&page).contains("view.tsx.html"),
                "{} links to the deleted page",
                page.display()
            );
        }
    }
    assert_same_as_a_fresh_build(&f);
}

/// Every file of a site folder and its bytes.
fn snapshot_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(dir)
        .into_iter()
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().display().to_string(),
                fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn cli_build(f: &Fixture, out: &Path, cache: &Path) -> Command {
    let mut c = repowiki();
    c.stdout(std::process::Stdio::piped());
    c.args(["build", "--quiet", "--json"])
        .arg(f.root())
        .arg("--out")
        .arg(out)
        .arg("--cache-dir")
        .arg(cache);
    c
}

#[test]
fn a_build_killed_at_each_write_step_leaves_the_old_site_and_the_next_build_completes_it() {
    // The swap (Linux) and the journal (mount points, other systems), each killed at each step.
    for (failpoint, journal) in [
        ("write-staged", false),
        ("write-linked", false),
        ("write-swapped", false),
        ("write-staged", true),
        ("write-committed", true),
        ("write-applying", true),
    ] {
        let cli_build = |f: &Fixture, out: &Path, cache: &Path| {
            let mut c = cli_build(f, out, cache);
            if journal {
                c.env("REPOWIKI_NO_SWAP", "1");
            }
            c
        };
        let mut f = Fixture::standard();
        let (out, cache) = (site_of(&f), f.dir.path().join("cache"));
        assert!(cli_build(&f, &out, &cache).status().unwrap().success());
        let old_site = snapshot_of(&out);
        let edited = read(&f.root().join("src/helpers.rs")).replace("Shouts", "Yells");
        f.commit(
            "edit",
            &[("src/helpers.rs", Some(edited.as_bytes()))],
            "Reword",
            "Dana Lee",
            T1,
        );

        let killed = cli_build(&f, &out, &cache)
            .env("REPOWIKI_FAILPOINT", failpoint)
            .output()
            .unwrap();
        assert!(
            !killed.status.success(),
            "{failpoint}: the build should have died"
        );
        if failpoint == "write-staged" || failpoint == "write-linked" {
            // Before the commit point nothing live was touched (bar the staging folder).
            let mut now = snapshot_of(&out);
            now.retain(|k, _| !k.starts_with(".repowiki-staging"));
            assert_eq!(now, old_site, "{failpoint}: the previous site is intact");
        }

        assert!(cli_build(&f, &out, &cache).status().unwrap().success());
        let fresh = f.dir.path().join("fresh");
        assert!(cli_build(&f, &fresh, &f.dir.path().join("fresh-cache"))
            .status()
            .unwrap()
            .success());
        assert_eq!(
            snapshot_of(&out),
            snapshot_of(&fresh),
            "{failpoint}: same site as an uninterrupted build"
        );
    }
}

#[test]
fn builds_killed_at_random_moments_never_spoil_the_next_one() {
    let mut f = Fixture::standard();
    let (out, cache) = (site_of(&f), f.dir.path().join("cache"));
    assert!(cli_build(&f, &out, &cache).status().unwrap().success());
    // Twenty kills at moments spread over a whole cold build, from a fixed seed.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let (mut published_new, mut caught) = (0, 0);
    for i in 0..20 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let before = published(&out);
        let text = format!("//! Round {i}.\npub fn round() -> u32 {{ {i} }}\n");
        let name: &'static str = Box::leak(format!("round{i}").into_boxed_str());
        f.commit(
            name,
            &[("src/round.rs", Some(text.as_bytes()))],
            "Another round",
            "Dana Lee",
            T1 + i as i64,
        );
        let fresh = f.dir.path().join(format!("fresh{i}"));
        let fresh_cache = f.dir.path().join(format!("fresh-cache{i}"));
        let started = std::time::Instant::now();
        assert!(cli_build(&f, &fresh, &fresh_cache)
            .status()
            .unwrap()
            .success());
        // The kill lands somewhere within what a cold build of this commit just took.
        let took = started.elapsed().as_millis() as u64;
        let delay_ms = took * (2 + seed % 96) / 100;
        let after = published(&fresh);
        let _ = fs::remove_dir_all(&cache);
        let mut child = cli_build(&f, &out, &cache).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        caught += usize::from(!child.wait().unwrap().success());
        // Killed: the site is the earlier one or the later one, whole (the folders are swapped
        // in one step).
        let now = published(&out);
        assert!(
            now == before || now == after,
            "round {i} (killed after {delay_ms} ms): a mix of versions"
        );
        published_new += usize::from(now == after);
        assert!(
            cli_build(&f, &out, &cache).status().unwrap().success(),
            "round {i}"
        );
        assert_eq!(
            published(&out),
            after,
            "round {i} (killed after {delay_ms} ms)"
        );
        let _ = fs::remove_dir_all(&fresh);
        let _ = fs::remove_dir_all(&fresh_cache);
    }
    println!("{caught} of 20 builds were killed before they finished; {published_new} times the new site was already published");
    assert!(caught >= 10, "most kills must land inside a build");
}

#[test]
fn two_builds_at_once_both_finish_and_agree() {
    let f = Fixture::standard();
    let (out, cache) = (site_of(&f), f.dir.path().join("cache"));
    let a = cli_build(&f, &out, &cache).spawn().unwrap();
    let b = cli_build(&f, &out, &cache).spawn().unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(b.status.success(), "{}", stderr(&b));
    let fresh = f.dir.path().join("fresh");
    assert!(cli_build(&f, &fresh, &f.dir.path().join("fresh-cache"))
        .status()
        .unwrap()
        .success());
    assert_eq!(snapshot_of(&out), snapshot_of(&fresh));
}

#[test]
fn a_corrupt_cache_is_moved_aside_and_the_build_succeeds() {
    let mut f = Fixture::standard();
    let (out, cache) = (site_of(&f), f.dir.path().join("cache"));
    assert!(cli_build(&f, &out, &cache).status().unwrap().success());
    let edited = read(&f.root().join("src/helpers.rs")).replace("Shouts", "Yells");
    f.commit(
        "edit",
        &[("src/helpers.rs", Some(edited.as_bytes()))],
        "Reword",
        "Dana Lee",
        T1,
    );
    for entry in fs::read_dir(&cache).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() && p.file_name().unwrap() != "state.json" {
            fs::write(&p, b"\0\0 not a database \xff").unwrap();
        }
    }
    let o = cli_build(&f, &out, &cache).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("cache") && err.contains("moved it to"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["warnings"].as_array().unwrap().len(), 1);
}

fn git(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .args([
            "-c",
            "user.name=Dana Lee",
            "-c",
            "user.email=dana@example.com",
        ])
        .args(args)
        .current_dir(root)
        .output()
        .unwrap()
}

fn check(f: &Fixture) -> i32 {
    repowiki()
        .arg("check")
        .arg(f.root())
        .output()
        .unwrap()
        .status
        .code()
        .unwrap()
}

#[test]
fn status_and_check_say_what_is_stale() {
    let mut f = Fixture::standard();
    assert_eq!(check(&f), 1, "never built");
    let o = run(&["build", "--quiet", f.root().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(check(&f), 0);
    let edited = read(&f.root().join("src/helpers.rs")).replace("Shouts", "Yells");
    f.commit(
        "edit",
        &[("src/helpers.rs", Some(edited.as_bytes()))],
        "Reword the helpers",
        "Dana Lee",
        T1,
    );
    assert_eq!(check(&f), 1);
    let status = run(&["status", f.root().to_str().unwrap()]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.contains("1 commit behind"), "{text}");
    assert!(text.contains("Reword the helpers"), "{text}");
    assert!(text.contains("modified  src/helpers.rs"), "{text}");
    assert!(text.contains("demo (src/helpers.rs)"), "{text}");
    assert!(
        text.contains("files/src/helpers.rs.html") && text.contains("parts/root.html"),
        "{text}"
    );
    assert!(run(&["build", "--quiet", f.root().to_str().unwrap()])
        .status
        .success());
    assert_eq!(check(&f), 0);
    // A page edited, then one deleted, on disk: stale until a build puts them back.
    let site = f.root().join(".repowiki/site");
    fs::write(site.join("history.html"), "edited by hand").unwrap();
    assert_eq!(check(&f), 1);
    let text =
        String::from_utf8_lossy(&run(&["status", f.root().to_str().unwrap()]).stdout).into_owned();
    assert!(text.contains("history.html"), "{text}");
    assert!(run(&["build", "--quiet", f.root().to_str().unwrap()])
        .status
        .success());
    assert_eq!(check(&f), 0);
    fs::remove_file(site.join("files/src/helpers.rs.html")).unwrap();
    assert_eq!(check(&f), 1);
    assert!(run(&["build", "--quiet", f.root().to_str().unwrap()])
        .status
        .success());
    // After a markdown build, status and check speak of the markdown wiki, and it is current.
    let o = run(&[
        "build",
        "--quiet",
        "--format",
        "markdown",
        f.root().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let status = run(&["status", f.root().to_str().unwrap()]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.contains("up to date"), "{text}");
    assert_eq!(check(&f), 0);
}

#[test]
fn the_hook_keeps_the_old_one_and_brings_the_wiki_up_to_date() {
    let f = Fixture::standard();
    let root = f.root();
    let hooks = root.join(".git/hooks");
    fs::create_dir_all(&hooks).unwrap();
    let original = b"#!/bin/sh\necho ran >> \"$(git rev-parse --show-toplevel)/old-hook-ran\"\n";
    fs::write(hooks.join("post-commit"), original).unwrap();
    set_mode(&hooks.join("post-commit"), 0o755);

    let o = run(&["hook", "install", root.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("runs first"));
    let installed = fs::read(hooks.join("post-commit")).unwrap();
    let again = run(&["hook", "install", root.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already installed"));
    assert_eq!(
        fs::read(hooks.join("post-commit")).unwrap(),
        installed,
        "installing twice changes nothing"
    );

    fs::write(root.join("README.md"), "# Demo\n\nNow with a hook.\n").unwrap();
    assert!(git(&root, &["add", "README.md"]).status.success());
    let started = Instant::now();
    let commit = git(&root, &["commit", "-q", "-m", "Hooked commit"]);
    assert!(commit.status.success(), "{}", stderr(&commit));
    let commit_took = started.elapsed();
    assert!(
        root.join("old-hook-ran").is_file(),
        "the old hook still ran"
    );

    // The wiki catches up in the background.
    let deadline = Instant::now() + Duration::from_secs(120);
    while check(&f) != 0 {
        assert!(
            Instant::now() < deadline,
            "the wiki did not catch up; log:\n{}",
            fs::read_to_string(root.join(".repowiki/hook.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(read(&root.join(".repowiki/site/history.html")).contains("Hooked commit"));
    eprintln!("git commit with the hook took {commit_took:?}");

    let o = run(&["hook", "uninstall", root.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("put back"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(
        fs::read(hooks.join("post-commit")).unwrap(),
        original,
        "restored byte for byte"
    );
    assert_eq!(mode(&hooks.join("post-commit")) & 0o777, 0o755);
    let o = run(&["hook", "uninstall", root.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("nothing changed"));
}

#[test]
fn install_then_uninstall_without_an_earlier_hook_leaves_none() {
    let f = Fixture::standard();
    let root = f.root();
    assert!(run(&["hook", "install", root.to_str().unwrap()])
        .status
        .success());
    assert!(root.join(".git/hooks/post-commit").is_file());
    assert!(run(&["hook", "uninstall", root.to_str().unwrap()])
        .status
        .success());
    assert!(!root.join(".git/hooks/post-commit").exists());
}

#[cfg(unix)]
fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).unwrap().permissions().mode()
}
