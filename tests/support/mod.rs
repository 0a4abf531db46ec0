//! Test support: fixture repositories built with git2 (fixed signatures and times, so ids are
//! stable), running the built binary, and checking every link of a built site.

#![allow(dead_code)] // Each test binary uses a different part of this module.

pub mod model_server;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use git2::{Oid, Repository, Signature, Time};

pub const T0: i64 = 1_700_000_000;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub repo: Repository,
    pub commits: BTreeMap<&'static str, Oid>,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path().join("demo")).unwrap();
        repo.set_head("refs/heads/main").unwrap();
        Fixture {
            dir,
            repo,
            commits: BTreeMap::new(),
        }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("demo")
    }

    /// Writes (Some) or deletes (None) files in the work tree and index, and commits them with
    /// the given parents (default: HEAD), moving `main` to the commit when `advance` is set.
    pub fn commit_with(
        &mut self,
        name: &'static str,
        files: &[(&str, Option<&[u8]>)],
        message: &str,
        (author, time): (&str, i64),
        parents: Option<Vec<Oid>>,
        advance: bool,
    ) -> Oid {
        let mut index = self.repo.index().unwrap();
        for (path, content) in files {
            let full = self.root().join(path);
            match content {
                Some(bytes) => {
                    fs::create_dir_all(full.parent().unwrap()).unwrap();
                    fs::write(&full, bytes).unwrap();
                    index.add_path(Path::new(path)).unwrap();
                }
                None => {
                    let _ = fs::remove_file(&full);
                    index.remove_path(Path::new(path)).unwrap();
                }
            }
        }
        index.write().unwrap();
        let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
        // "Name <email>", or a name whose email is made from it.
        let (author, email) = match author.split_once(" <") {
            Some((name, email)) => (name, email.trim_end_matches('>').to_string()),
            None => (
                author,
                format!("{}@example.com", author.to_lowercase().replace(' ', ".")),
            ),
        };
        let sig = Signature::new(author, &email, &Time::new(time, 0)).unwrap();
        let parents = parents.unwrap_or_else(|| {
            self.repo
                .head()
                .ok()
                .and_then(|h| h.target())
                .into_iter()
                .collect()
        });
        let parent_commits: Vec<git2::Commit> = parents
            .iter()
            .map(|p| self.repo.find_commit(*p).unwrap())
            .collect();
        let refs: Vec<&git2::Commit> = parent_commits.iter().collect();
        let update = if advance { Some("HEAD") } else { None };
        let oid = self
            .repo
            .commit(update, &sig, &sig, message, &tree, &refs)
            .unwrap();
        self.commits.insert(name, oid);
        oid
    }

    pub fn commit(
        &mut self,
        name: &'static str,
        files: &[(&str, Option<&[u8]>)],
        message: &str,
        author: &str,
        time: i64,
    ) -> Oid {
        self.commit_with(name, files, message, (author, time), None, true)
    }

    /// The repository every build test starts from.
    pub fn standard() -> Fixture {
        let mut f = Fixture::new();
        f.commit(
            "init",
            &[
                ("README.md", Some(README.as_bytes())),
                ("Cargo.toml", Some(b"[package]\nname = \"demo\"\nversion = \"0.1.0\"\n")),
                ("src/lib.rs", Some(LIB_RS.as_bytes())),
                ("src/engine/mod.rs", Some(ENGINE_MOD.as_bytes())),
                ("src/engine/core.rs", Some(ENGINE_CORE.as_bytes())),
                ("src/util.rs", Some(UTIL_RS.as_bytes())),
            ],
            "Add the engine and its utilities\n\nThe engine runs jobs; util holds the helpers it needs.",
            "Alice Smith",
            T0,
        );
        f.commit(
            "polyglot",
            &[
                (
                    "py/app/__init__.py",
                    Some(b"\"\"\"The demo app package.\"\"\"\n".as_slice()),
                ),
                ("py/app/models.py", Some(MODELS_PY.as_bytes())),
                ("py/app/views.py", Some(VIEWS_PY.as_bytes())),
                (
                    "py/app/broken.py",
                    Some(b"def broken(:\n    return )\n".as_slice()),
                ),
                ("web/src/index.ts", Some(INDEX_TS.as_bytes())),
                ("web/src/widget.ts", Some(WIDGET_TS.as_bytes())),
                ("web/src/view.tsx", Some(VIEW_TSX.as_bytes())),
                ("web/lib/legacy.js", Some(LEGACY_JS.as_bytes())),
                (
                    "logo.png",
                    Some(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01".as_slice()),
                ),
                (
                    "vendor/lib/x.js",
                    Some(b"function vendored() {}\n".as_slice()),
                ),
                (
                    "web/node_modules/pkg/index.js",
                    Some(b"module.exports = 1;\n".as_slice()),
                ),
                ("package-lock.json", Some(b"{}\n".as_slice())),
                (
                    ".gitattributes",
                    Some(b"gen/** linguist-generated\n".as_slice()),
                ),
                ("gen/out.rs", Some(b"pub fn generated() {}\n".as_slice())),
                (
                    "docs/My Notes ü.md",
                    Some(b"# Notes\n\nSome notes.\n".as_slice()),
                ),
                ("data/latin1.txt", Some(b"caf\xe9 cr\xe8me\n".as_slice())),
                ("big/huge.txt", Some(huge().as_slice())),
                (
                    "notes/ignored.md",
                    Some(b"ignored by .repowikiignore\n".as_slice()),
                ),
            ],
            "feat: add the Python app and the web front-end",
            "Bob Jones",
            T0 + 86_400,
        );
        f.commit(
            "rename",
            &[
                ("src/util.rs", None),
                (
                    "src/helpers.rs",
                    Some(UTIL_RS.replace("left-pad", "pad-left").as_bytes()),
                ),
                (
                    "src/lib.rs",
                    Some(LIB_RS.replace("mod util;", "mod helpers;").as_bytes()),
                ),
            ],
            "refactor: rename util to helpers",
            "Alice Smith",
            T0 + 2 * 86_400,
        );
        let base = f.commits["rename"];
        let side = f.commit_with(
            "side",
            &[(
                "src/engine/core.rs",
                Some(engine_core_counting().as_bytes()),
            )],
            "Count finished jobs in the engine",
            ("Carol White", T0 + 3 * 86_400),
            Some(vec![base]),
            false,
        );
        let main = f.commit_with(
            "readme",
            &[
                ("src/engine/core.rs", Some(ENGINE_CORE.as_bytes())),
                (
                    "README.md",
                    Some(format!("{README}\n## Status\n\nStable.\n").as_bytes()),
                ),
            ],
            "docs: say the project is stable",
            ("Alice Smith", T0 + 4 * 86_400),
            Some(vec![base]),
            true,
        );
        f.commit_with(
            "merge",
            &[(
                "src/engine/core.rs",
                Some(engine_core_counting().as_bytes()),
            )],
            "Merge branch 'count-jobs'",
            ("Alice Smith", T0 + 5 * 86_400),
            Some(vec![main, side]),
            true,
        );
        fs::write(f.root().join(".repowikiignore"), "notes/\n").unwrap();
        f
    }
}

/// core.rs as the side branch leaves it: the engine counts finished jobs.
fn engine_core_counting() -> String {
    ENGINE_CORE.replace(
        "jobs: Vec<Job>",
        "jobs: Vec<Job>,\n    /// How many ran.\n    pub done: usize",
    )
}

fn huge() -> Vec<u8> {
    "x".repeat(80).repeat(14_000).into_bytes()
}

pub const README: &str = "# Demo\n\nA small demo project that runs jobs.\n\n## Engine\n\nThe engine lives in `src/engine/` and runs every job in order.\n";

pub const LIB_RS: &str = "//! The demo library: an engine that runs jobs.\n\npub mod engine;\nmod util;\n\npub use engine::Engine;\n";

pub const ENGINE_MOD: &str =
    "//! The engine: runs jobs in order.\n\nmod core;\n\npub use self::core::{Engine, Job};\n";

pub const ENGINE_CORE: &str = r#"use crate::util::pad;

/// Runs jobs one after another.
pub struct Engine {
    jobs: Vec<Job>
}

/// A unit of work.
pub struct Job {
    pub name: String,
}

impl Engine {
    /// Makes an engine with no jobs.
    pub fn new() -> Self {
        Engine { jobs: Vec::new() }
    }

    /// Runs every job.
    pub fn run(&self) {
        for job in &self.jobs {
            println!("{}", pad(&job.name));
        }
    }
}
"#;

pub const UTIL_RS: &str = r#"//! Small helpers.

/// Pads a name for display (left-pad style).
pub fn pad(name: &str) -> String {
    format!("{name:>12}")
}

/// Trims a name.
pub fn trim(name: &str) -> &str {
    name.trim()
}

/// Shouts a name.
pub fn shout(name: &str) -> String {
    name.to_uppercase()
}
"#;

pub const MODELS_PY: &str = r#""""Data models of the app."""


class Widget:
    """A widget with a name."""

    def __init__(self, name):
        self.name = name

    def label(self):
        """The widget's label."""
        return self.name.title()
"#;

pub const VIEWS_PY: &str = r#""""Views that show widgets."""
from .models import Widget


def show(name):
    """Show a widget by name."""
    return Widget(name).label()
"#;

pub const INDEX_TS: &str = r#"/**
 * The web front-end's entry point.
 */

import { makeWidget } from './widget';
import { View } from './view';
const legacy = require('../lib/legacy');

/** Starts the front-end. */
export function start(): void {
  new View(makeWidget('w')).render();
  legacy.boot();
}
"#;

pub const WIDGET_TS: &str = r#"/** A widget as the front-end sees it. */
export interface Widget { name: string }

/** Makes a widget. */
export function makeWidget(name: string): Widget {
  return { name };
}
"#;

pub const VIEW_TSX: &str = r#"import { Widget } from './widget';

/** Shows one widget. */
export class View {
  constructor(private widget: Widget) {}
  render() { return <div>{this.widget.name}</div>; }
}
"#;

pub const LEGACY_JS: &str =
    "/** Boots the old code. */\nfunction boot() {}\nmodule.exports = { boot };\n";

pub fn repowiki() -> Command {
    Command::new(env!("CARGO_BIN_EXE_repowiki"))
}

pub fn run(args: &[&str]) -> Output {
    repowiki().args(args).output().unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `repowiki build --json` and returns the report.
pub fn build_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["build", "--json", "--quiet"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert!(out.status.success(), "build failed: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

pub fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `href` and `src` of every HTML page must name a file of the site (and an element id
/// of it, for a fragment). External http(s) links are not followed.
pub fn broken_links(site: &Path) -> Vec<String> {
    repowiki::site::links::broken_links(site).expect("the site can be read")
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// What `git status` lists in a work tree, untracked files included.
pub fn git_status(root: &Path) -> String {
    let out = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=all"])
        .current_dir(root)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What is wrong with a markdown wiki: raw HTML (which a viewer could run), links with a
/// scheme other than http(s)/mailto, and relative links to files that do not exist.
pub fn markdown_problems(wiki: &Path) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let mut problems = Vec::new();
    for file in walk(wiki)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
    {
        let text = read(&file);
        let mut options = Options::empty();
        options.insert(Options::ENABLE_TABLES);
        for event in Parser::new_ext(&text, options) {
            match event {
                Event::Html(h) | Event::InlineHtml(h) => {
                    problems.push(format!("{}: raw HTML {h}", file.display()))
                }
                Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                    let url = dest_url.to_string();
                    if url.starts_with("http://")
                        || url.starts_with("https://")
                        || url.starts_with("mailto:")
                    {
                        continue;
                    }
                    if url.contains(':') {
                        problems.push(format!("{}: link to {url}", file.display()));
                        continue;
                    }
                    let target = file.parent().unwrap().join(url.split('#').next().unwrap());
                    if !target.is_file() {
                        problems.push(format!("{}: broken link {url}", file.display()));
                    }
                }
                _ => {}
            }
        }
    }
    problems
}

/// What a reader of the site sees: every file with its bytes, but repowiki's own bookkeeping.
pub fn published(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walk(dir)
        .into_iter()
        .map(|p| (p.strip_prefix(dir).unwrap().display().to_string(), p))
        .filter(|(name, _)| !name.starts_with(".repowiki-"))
        .map(|(name, p)| (name, fs::read(p).unwrap()))
        .collect()
}
