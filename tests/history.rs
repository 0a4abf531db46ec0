//! History intelligence on fixture histories whose answers are known by construction.

mod support;

use std::collections::BTreeMap;

use support::*;

const DAY: i64 = 86_400;

fn hot_rs(version: usize) -> String {
    format!(
        "//! Hot code.\npub fn decide(x: u32) -> u32 {{\n    if x > {version} {{ 1 }} else if x == 0 {{ 2 }} else {{ match x {{ 1 => 3, 2 => 4, _ => 5 }} }}\n}}\n"
    )
}

/// Alice, Bob and Eve; Eve wrote legacy.py and left; a.py and b.py always change together;
/// hot.rs changes in 20 commits; c.py and d.py change together only in bulk commits.
fn history_fixture() -> Fixture {
    let mut f = Fixture::new();
    let bulk: Vec<String> = (0..60).map(|i| format!("gen/f{i:02}.py")).collect();
    let mut first: Vec<(String, Vec<u8>)> = vec![
        ("a.py".into(), b"def a():\n    return 1\n".to_vec()),
        ("b.py".into(), b"def b():\n    return 2\n".to_vec()),
        ("c.py".into(), b"def c():\n    return 3\n".to_vec()),
        ("d.py".into(), b"def d():\n    return 4\n".to_vec()),
        ("hot.rs".into(), hot_rs(0).into_bytes()),
    ];
    for p in &bulk {
        first.push((p.clone(), b"X = 1\n".to_vec()));
    }
    let files: Vec<(&str, Option<&[u8]>)> = first
        .iter()
        .map(|(p, b)| (p.as_str(), Some(b.as_slice())))
        .collect();
    f.commit("start", &files, "Start the project", "Alice Smith", T0);
    f.commit(
        "legacy",
        &[(
            "legacy.py",
            Some(b"def old():\n    \"\"\"The old way.\"\"\"\n    return 0\n".as_slice()),
        )],
        "Add the legacy module",
        "Eve Gone",
        T0 + DAY,
    );
    let mut t = T0 + 2 * DAY;
    for i in 0..10 {
        let a = format!("def a():\n    return {}\n", i + 10);
        let b = format!("def b():\n    return {}\n", i + 20);
        let name: &'static str = Box::leak(format!("ab{i}").into_boxed_str());
        f.commit(
            name,
            &[("a.py", Some(a.as_bytes())), ("b.py", Some(b.as_bytes()))],
            "Change a and b",
            "Bob Jones",
            t,
        );
        t += DAY;
    }
    for i in 1..=20 {
        let name: &'static str = Box::leak(format!("hot{i}").into_boxed_str());
        f.commit(
            name,
            &[("hot.rs", Some(hot_rs(i).as_bytes()))],
            "Tune the decision",
            "Alice Smith",
            t,
        );
        t += DAY;
    }
    // Two bulk reformatting commits touch c.py and d.py with 60 other files.
    for round in 0..2 {
        let mut changes: Vec<(String, Vec<u8>)> = bulk
            .iter()
            .map(|p| (p.clone(), format!("X = {}\n", round + 2).into_bytes()))
            .collect();
        changes.push((
            "c.py".into(),
            format!("def c():\n    return {}\n", round + 30).into_bytes(),
        ));
        changes.push((
            "d.py".into(),
            format!("def d():\n    return {}\n", round + 40).into_bytes(),
        ));
        let files: Vec<(&str, Option<&[u8]>)> = changes
            .iter()
            .map(|(p, b)| (p.as_str(), Some(b.as_slice())))
            .collect();
        let name: &'static str = if round == 0 { "bulk0" } else { "bulk1" };
        f.commit(name, &files, "Reformat everything", "Alice Smith", t);
        t += DAY;
    }
    // A year later, the last commit: Eve has been gone for long.
    f.commit(
        "late",
        &[
            ("a.py", Some(b"def a():\n    return 99\n".as_slice())),
            ("b.py", Some(b"def b():\n    return 98\n".as_slice())),
        ],
        "Change a and b once more",
        "Bob Jones",
        t + 365 * DAY,
    );
    f
}

fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let rest = &html[start..];
    let end = rest[1..].find("<h2").map(|e| e + 1).unwrap_or(rest.len());
    &rest[..end]
}

fn rows(section: &str) -> Vec<&str> {
    section.split("<tr>").skip(2).collect()
}

#[test]
fn the_history_page_knows_what_was_built_in() {
    let f = history_fixture();
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let broken = broken_links(&out);
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    let history = read(&out.join("history.html"));

    // The hotspot: changed in 21 commits, and it branches.
    let hot = rows(table(&history, "hotspots"));
    assert!(hot[0].contains(">hot.rs<"), "{}", hot[0]);
    assert!(hot[0].contains(">21<"), "{}", hot[0]);

    // a.py and b.py change together, and nothing in the code says so.
    let coupling = table(&history, "coupling");
    let ab = rows(coupling)
        .into_iter()
        .find(|r| r.contains(">a.py<") && r.contains(">b.py<"))
        .expect("a.py ~ b.py");
    // The first commit added 65 files: a bulk commit, left out. 11 of their 12 commits remain.
    assert!(ab.contains(">11<"), "shared commits: {ab}");
    assert!(ab.contains(">92%<"), "{ab}");
    assert!(ab.contains("hidden"), "{ab}");
    // Bulk commits are no evidence: c.py and d.py are not coupled.
    assert!(
        !rows(coupling)
            .iter()
            .any(|r| r.contains(">c.py<") && r.contains(">d.py<")),
        "{coupling}"
    );

    // Eve wrote legacy.py and left a year ago.
    let risk = rows(table(&history, "at-risk"));
    assert!(
        risk.iter()
            .any(|r| r.contains(">legacy.py<") && r.contains("Eve Gone") && r.contains(">100%<")),
        "{risk:?}"
    );
    assert!(!risk.iter().any(|r| r.contains(">a.py<")), "Bob is active");
    let contributors = table(&history, "contributors");
    assert!(
        contributors.contains("Eve Gone <span class=\"muted\">(inactive)</span>"),
        "{contributors}"
    );

    // Activity: one bar per month from the first commit to the last.
    assert!(table(&history, "activity").matches("<rect").count() >= 12);

    // The file pages say it too.
    let a = read(&out.join("files/a.py.html"));
    assert!(a.contains("Changes together with"), "{a}");
    // Per calendar year, figures that do not move with the clock: 11 commits in the fixture's
    // first weeks (November 2023), one more a year on.
    assert!(a.contains("Commits per year: 2024: 1, 2023: 11."), "{a}");
    assert!(
        a.contains("b.py</code></a> (11 shared commits, 92%, <strong>hidden</strong>"),
        "{a}"
    );
    assert!(
        a.contains(
            "2 people know this file; by lines added: Bob Jones (11 lines), Alice Smith (2 lines)"
        ),
        "{a}"
    );
    // Code age: the first change and the last, whatever the table shows.
    let when = |name: &str| {
        let c = f.repo.find_commit(f.commits[name]).unwrap();
        let short = c.id().to_string()[..7].to_string();
        (repowiki::narrate::date(c.time().seconds()), short)
    };
    let ((first, first_id), (last, last_id)) = (when("start"), when("late"));
    assert!(
        a.contains(&format!(
            "First changed {first} (<code>{first_id}</code>), last changed {last} (<code>{last_id}</code>)."
        )),
        "{a}"
    );
    let root_part = walk(&out.join("parts"))
        .into_iter()
        .map(|p| read(&p))
        .find(|html| html.contains("legacy.py"))
        .expect("the part holding a.py");
    // The built-in narrative tells it (once: the structured section leaves it to it).
    assert!(
        root_part.contains(&format!("It began with {first} <code>{first_id}</code>"))
            && root_part.contains(&format!("the latest on {last}.")),
        "{root_part}"
    );
    assert!(!root_part.contains("First changed"), "{root_part}");
    // A file page shows its knowledge at risk from the shared risk.js: who counts as gone moves
    // with the built commit's time, and that must not rewrite the file pages.
    let legacy = read(&out.join("files/legacy.py.html"));
    assert!(
        legacy.contains(r#"data-risk="legacy.py" hidden"#),
        "{legacy}"
    );
    assert!(
        legacy.contains(r#"<script src="../risk.js" defer>"#),
        "{legacy}"
    );
    let risk = read(&out.join("risk.js"));
    assert!(
        risk.contains(r#""legacy.py":{"author":"Eve Gone","last":"2023-11-15","share":100}"#),
        "{risk}"
    );
    assert!(!risk.contains("a.py"), "Bob is active: {risk}");
}

#[test]
fn the_narrative_tells_how_the_part_evolved() {
    let f = history_fixture();
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let root_part = walk(&out.join("parts"))
        .into_iter()
        .map(|p| read(&p))
        .find(|html| html.contains("legacy.py"))
        .expect("the part holding legacy.py");
    // Knowledge at risk moves with the built commit's time: not in the narrative, but on the
    // page from the shared risk.js, which lists legacy.py under this part's page.
    assert!(!root_part.contains("Knowledge at risk"), "{root_part}");
    let key = root_part
        .split(r#"data-risk-part=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the part page's risk line");
    let risk = read(&out.join("risk.js"));
    assert!(
        risk.contains(&format!(
            r#""{key}":[["legacy.py","files/legacy.py.html","Eve Gone"]"#
        )),
        "{key} {risk}"
    );
    assert!(
        root_part.contains("Its hotspots, where change meets complexity"),
        "{root_part}"
    );
    assert!(
        root_part.contains("Who wrote it, by lines added"),
        "{root_part}"
    );
}

#[test]
fn max_commits_and_since_bound_the_history_and_the_pages_say_so() {
    let f = history_fixture();
    let out = f.dir.path().join("site");
    let report = build_json(&[
        f.root().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--max-commits",
        "5",
    ]);
    assert_eq!(report["commits"], 5);
    assert_eq!(report["bounded"], true);
    assert!(read(&out.join("history.html")).contains("The history is partial"));
    let since = support::T0 + 20 * DAY;
    let day = repowiki::narrate::date(since);
    let report = build_json(&[
        f.root().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--since",
        &day,
    ]);
    assert!(
        report["commits"].as_u64().unwrap() < 34 && report["commits"].as_u64().unwrap() > 5,
        "{report}"
    );
    let bad = run(&["build", f.root().to_str().unwrap(), "--since", "yesterday"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Per commit id: (path, old path, lines added, lines removed) per file.
type NumStat = BTreeMap<String, Vec<(String, Option<String>, u32, u32)>>;

/// What `git log --numstat -M` says each commit changed: (path, old path, added, removed),
/// binaries as 0/0.
fn git_numstat(root: &std::path::Path) -> NumStat {
    git_log_numstat(root, &[])
}

/// `git log --numstat -M` with more arguments.
fn git_log_numstat(root: &std::path::Path, more: &[&str]) -> NumStat {
    let out = std::process::Command::new("git")
        .args(["log", "--numstat", "-M", "--format=commit %H", "-z"])
        .args(more)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut tokens = text.split('\0').map(|t| t.trim_start_matches('\n'));
    let mut by_commit: BTreeMap<String, Vec<_>> = BTreeMap::new();
    let mut current = String::new();
    while let Some(token) = tokens.next() {
        if let Some(id) = token.strip_prefix("commit ") {
            current = id.to_string();
            by_commit.entry(current.clone()).or_default();
            continue;
        }
        let mut fields = token.splitn(3, '\t');
        let (Some(a), Some(r), Some(path)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        let count = |n: &str| n.parse().unwrap_or(0);
        let (path, old) = if path.is_empty() {
            let old = tokens.next().unwrap().to_string();
            (tokens.next().unwrap().to_string(), Some(old))
        } else {
            (path.to_string(), None)
        };
        by_commit
            .get_mut(&current)
            .unwrap()
            .push((path, old, count(a), count(r)));
    }
    by_commit
}

/// A history of random edits over few distinct lines (so that lines repeat, as braces and blank
/// lines do), with lines added, removed and replaced, last lines with and without a newline,
/// CRLF, a binary file, renames with and without edits, and files added and deleted together.
fn random_edits_fixture(seed: u64) -> Fixture {
    let mut f = Fixture::new();
    let mut state = seed;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let vocabulary = [
        "}",
        "",
        "    return x;",
        "fn f() {",
        "    x += 1;",
        "// note",
    ];
    let mut files: Vec<(String, Vec<String>, bool)> = (0..6)
        .map(|i| {
            let lines = (0..20).map(|j| format!("line {i} {j}")).collect();
            (format!("src/m{i}.rs"), lines, true)
        })
        .collect();
    let text = |lines: &[String], newline: bool| {
        let mut t = lines.join("\n");
        if newline && !lines.is_empty() {
            t.push('\n');
        }
        t.into_bytes()
    };
    let first: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(p, l, n)| (p.clone(), text(l, *n)))
        .chain([("data.bin".to_string(), vec![0u8, 1, 2, 3, 0, 9])])
        // Control characters but no NUL: text to git (its lines are counted), binary to
        // libgit2's own test.
        .chain([(
            "controls.txt".to_string(),
            b"a\x01\x02\x03\x04\x05\x06\x07\x0e\x0f\x10\nb\x11\x12\n".to_vec(),
        )])
        .collect();
    let refs: Vec<(&str, Option<&[u8]>)> = first
        .iter()
        .map(|(p, b)| (p.as_str(), Some(b.as_slice())))
        .collect();
    f.commit("c0", &refs, "Start", "Alice Smith", T0);
    for c in 1..80usize {
        let mut writes: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        match c % 16 {
            // A rename (of a file long enough for git and libgit2 to agree that it is one);
            // every other time with an edit as well.
            5 if files.iter().any(|f| f.1.len() >= 10) => {
                let long: Vec<usize> = (0..files.len())
                    .filter(|&i| files[i].1.len() >= 10)
                    .collect();
                let i = long[next(long.len())];
                let old = files[i].0.clone();
                files[i].0 = format!("moved/r{c}.rs");
                if c % 32 == 5 {
                    files[i].1[3] = format!("edited in {c}");
                }
                writes.push((old, None));
                writes.push((files[i].0.clone(), Some(text(&files[i].1, files[i].2))));
            }
            9 => {
                // One file goes, an unrelated one comes.
                let gone = files.remove(next(files.len()));
                writes.push((gone.0, None));
                let lines: Vec<String> = (0..15).map(|j| format!("fresh {c} {j}")).collect();
                files.push((format!("src/n{c}.rs"), lines, true));
                let (p, l, n) = files.last().unwrap();
                writes.push((p.clone(), Some(text(l, *n))));
            }
            // A file goes on its own, and one comes on its own, without a last newline.
            11 => writes.push((files.remove(next(files.len())).0, None)),
            3 => {
                let lines: Vec<String> = (0..4).map(|j| format!("new {c} {j}")).collect();
                files.push((format!("src/a{c}.rs"), lines, false));
                let (p, l, n) = files.last().unwrap();
                writes.push((p.clone(), Some(text(l, *n))));
            }
            13 => {
                let bin: Vec<u8> = (0..64).map(|k| ((k * c) % 7) as u8).collect();
                writes.push(("data.bin".to_string(), Some(bin)));
            }
            _ => {
                for _ in 0..1 + next(3) {
                    let i = next(files.len());
                    let (_, lines, newline) = &mut files[i];
                    for _ in 0..1 + next(4) {
                        let at = next(lines.len() + 1);
                        let word = |k: usize| vocabulary[k % vocabulary.len()].to_string();
                        match next(5) {
                            0 => {
                                let n = 1 + next(4);
                                for k in 0..n {
                                    lines.insert(at, word(next(12) + k));
                                }
                            }
                            1 if !lines.is_empty() => {
                                let start = at.min(lines.len() - 1);
                                let end = (start + 1 + next(3)).min(lines.len());
                                lines.drain(start..end);
                            }
                            2 if at < lines.len() => {
                                lines[at] = format!("changed {c} {}", next(100))
                            }
                            3 => *newline = !*newline,
                            _ if at < lines.len() => lines[at].push('\r'),
                            _ => lines.push(word(next(6))),
                        }
                    }
                    let (p, l, n) = &files[i];
                    writes.push((p.clone(), Some(text(l, *n))));
                }
            }
        }
        let refs: Vec<(&str, Option<&[u8]>)> = writes
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_deref()))
            .collect();
        let name: &'static str = Box::leak(format!("c{c}").into_boxed_str());
        f.commit(name, &refs, "Edit", "Bob Jones", T0 + c as i64 * DAY);
    }
    f
}

fn crawled(root: &std::path::Path) -> NumStat {
    let repo = git2::Repository::open(root).unwrap();
    let head = repo.head().unwrap().target().unwrap();
    let cache = repowiki::cache::MemoryCache::default();
    let (history, _) = repowiki::history::crawl(
        &repo,
        head,
        &repowiki::history::Limits::default(),
        &repowiki::cache::CacheUse::new(&cache),
    )
    .unwrap();
    history
        .commits
        .iter()
        .map(|c| {
            let changes = c
                .changes
                .iter()
                .map(|ch| (ch.path.clone(), ch.old_path.clone(), ch.added, ch.removed))
                .collect();
            (c.id.clone(), changes)
        })
        .collect()
}

fn sorted(mut m: NumStat) -> NumStat {
    m.values_mut().for_each(|v| v.sort());
    m
}

/// Runs git in `dir`; it must succeed.
fn git(args: &[&str], dir: &std::path::Path) {
    let o = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn line_counts_agree_with_git_log_numstat() {
    for seed in [7, 1234, 99_991] {
        let f = random_edits_fixture(seed);
        let root = f.root();
        let expected = sorted(git_numstat(&root));
        assert_eq!(expected.len(), 80);
        let all = || expected.values().flatten();
        assert!(all().any(|c| c.1.is_some()), "the fixture has renames");
        assert!(all().any(|c| c.0 == "data.bin"), "and a binary file");
        assert!(
            all().any(|c| c.0 == "controls.txt" && c.2 == 2),
            "and a text of control characters, whose lines git counts"
        );
        // Loose objects as the fixture wrote them, then one pack as after `git gc`.
        assert_eq!(sorted(crawled(&root)), expected, "seed {seed}, loose");
        git(&["repack", "-adq"], &root);
        assert_eq!(sorted(crawled(&root)), expected, "seed {seed}, packed");
        // A clone that borrows every object from the first through objects/info/alternates.
        let shared = f.dir.path().join("shared");
        git(
            &[
                "clone",
                "-q",
                "--shared",
                root.to_str().unwrap(),
                shared.to_str().unwrap(),
            ],
            f.dir.path(),
        );
        assert!(shared.join(".git/objects/info/alternates").exists());
        assert_eq!(
            sorted(crawled(&shared)),
            expected,
            "seed {seed}, alternates"
        );
        // A linked worktree, whose objects live in the main repository's folder.
        let worktree = f.dir.path().join("worktree");
        git(
            &["worktree", "add", "-q", worktree.to_str().unwrap()],
            &root,
        );
        assert_eq!(
            sorted(crawled(&worktree)),
            expected,
            "seed {seed}, worktree"
        );
    }
}

/// Merges keep their files and renames (against their first parent, as
/// `git log --diff-merges=first-parent -M` lists them) without line counts, which nothing
/// reads; every other commit agrees with `git log --numstat -M`, a mass rename included.
#[test]
fn merges_keep_their_renames_and_mass_renames_agree_with_git() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir(&root).unwrap();
    let g = |args: &[&str]| {
        let mut all = vec!["-c", "user.name=T", "-c", "user.email=t@example.com"];
        all.extend_from_slice(args);
        git(&all, &root)
    };
    let write = |path: &str, text: String| {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    };
    let body =
        |seed: usize| -> String { (0..30).map(|i| format!("line {i} of {seed}\n")).collect() };
    g(&["init", "-q", "-b", "main"]);
    for k in 0..250 {
        write(&format!("old/f{k}.rs"), body(k));
    }
    for (k, name) in ["a.rs", "b.rs", "c.rs", "d.rs"].iter().enumerate() {
        write(name, body(1000 + k));
    }
    g(&["add", "-A"]);
    g(&["commit", "-qm", "start"]);
    // A branch that renames (exactly, and with an edit) and edits.
    g(&["checkout", "-qb", "feature"]);
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::create_dir_all(root.join("lib")).unwrap();
    g(&["mv", "a.rs", "src/a.rs"]);
    g(&["mv", "b.rs", "lib/b.rs"]);
    write("lib/b.rs", body(1001) + "edited on the branch\n");
    write("c.rs", body(1002) + "more\n");
    g(&["add", "-A"]);
    g(&["commit", "-qm", "move a and b"]);
    g(&["checkout", "-q", "main"]);
    write("d.rs", body(1003) + "on main\n");
    g(&["commit", "-qam", "edit d"]);
    g(&["merge", "-q", "--no-ff", "-m", "merge feature", "feature"]);
    // A mass rename: 250 files move, 5 of them edited on the way.
    g(&["mv", "old", "new"]);
    for k in 0..5 {
        write(&format!("new/f{k}.rs"), body(k) + "edited in the move\n");
    }
    g(&["add", "-A"]);
    g(&["commit", "-qm", "move everything"]);
    // A second merge, whose first parent is the branch side: it brings the mass rename in.
    g(&["checkout", "-q", "feature"]);
    g(&[
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "merge main into feature",
        "main",
    ]);

    let merges: Vec<String> = git_out(&["rev-list", "--merges", "HEAD"], &root)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(merges.len(), 2);
    let mut expected = git_numstat(&root);
    let first_parent = git_log_numstat(&root, &["--diff-merges=first-parent"]);
    for m in &merges {
        // Files and renames as git lists them; no line counts.
        let files = first_parent[m]
            .iter()
            .map(|(p, o, _, _)| (p.clone(), o.clone(), 0, 0));
        expected.insert(m.clone(), files.collect());
    }
    let expected = sorted(expected);
    let all: Vec<_> = expected.values().flatten().collect();
    assert!(
        all.iter().filter(|c| c.1.is_some()).count() >= 2 * 250 + 2,
        "{all:?}"
    );
    assert!(
        merges
            .iter()
            .all(|m| expected[m].iter().any(|c| c.1.is_some())),
        "merges bring renames"
    );
    assert_eq!(sorted(crawled(&root)), expected);
}

/// The history pack: a rebuild reads no commit it knows, one new commit is read alone, and a
/// segment that no longer decodes is read again once and dropped, never a failure.
#[test]
fn the_history_pack_reads_only_what_it_does_not_know() {
    use repowiki::cache::{Cache, CacheUse, MemoryCache, Space};
    let mut f = random_edits_fixture(5);
    let root = f.root();
    let cache = MemoryCache::default();
    let crawl = |cache: &MemoryCache| {
        let repo = git2::Repository::open(&root).unwrap();
        let head = repo.head().unwrap().target().unwrap();
        let used = CacheUse::new(cache);
        let (history, read) =
            repowiki::history::crawl(&repo, head, &repowiki::history::Limits::default(), &used)
                .unwrap();
        (history.commits.len(), read, used.warnings())
    };
    assert_eq!(crawl(&cache), (80, 80, vec![]));
    assert_eq!(crawl(&cache), (80, 0, vec![]));
    f.commit(
        "one more",
        &[("src/late.rs", Some(b"fn late() {}\n".as_slice()))],
        "Late",
        "Bob Jones",
        T0 + 200 * DAY,
    );
    assert_eq!(crawl(&cache), (81, 1, vec![]));
    // Spoil the first segment: its commits are read again, with one warning, then never again.
    // The pack's head is its list of segments, (key, commits in it).
    let segments: Vec<(String, usize)> =
        repowiki::cache::decode(&cache.get(Space::Commits, "pack").unwrap().unwrap()).unwrap();
    let (key, size) = segments[0].clone();
    cache.put(Space::Commits, &key, b"not json").unwrap();
    let (commits, read, warnings) = crawl(&cache);
    assert_eq!(
        (commits, read, warnings.len()),
        (81, size, 1),
        "{warnings:?}"
    );
    assert_eq!(crawl(&cache), (81, 0, vec![]));
    // And the history read from the pack is the history read from git.
    let fresh = MemoryCache::default();
    crawl(&fresh);
    let repo = git2::Repository::open(&root).unwrap();
    let head = repo.head().unwrap().target().unwrap();
    let ids = |c: &MemoryCache| {
        let (h, _) = repowiki::history::crawl(
            &repo,
            head,
            &repowiki::history::Limits::default(),
            &CacheUse::new(c),
        )
        .unwrap();
        h.commits
            .iter()
            .map(|c| (c.id.clone(), c.changes.len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&cache), ids(&fresh));
}

/// The pack's order: a rebuild whose new commits are a line on top of the last build's head
/// puts them in front of the order it kept, and every rebuild orders the history as a crawl
/// with nothing kept does: after a line of commits, after a merge of a branch older than the
/// last head (the walk interleaves it by time), and over more builds than the pack keeps small
/// segments for.
#[test]
fn a_rebuild_orders_the_history_as_a_crawl_from_nothing_does() {
    use repowiki::cache::{Cache, CacheUse, MemoryCache, Space};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let g = |args: &[&str], at: i64| {
        let date = format!("@{at} +0000");
        let o = std::process::Command::new("git")
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let edit = |file: &str, line: &str, at: i64| {
        let path = root.join(file);
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str(line);
        text.push('\n');
        std::fs::write(&path, text).unwrap();
        g(&["add", "-A"], at);
        g(&["commit", "-qm", line], at);
    };
    let crawl = |cache: &MemoryCache| {
        let repo = git2::Repository::open(&root).unwrap();
        let head = repo.head().unwrap().target().unwrap();
        let (history, read) = repowiki::history::crawl(
            &repo,
            head,
            &repowiki::history::Limits::default(),
            &CacheUse::new(cache),
        )
        .unwrap();
        let ids: Vec<String> = history.commits.iter().map(|c| c.id.clone()).collect();
        (ids, read, head.to_string())
    };
    let t = 1_600_000_000;
    g(&["init", "-q", "-b", "main"], t);
    for i in 0..6 {
        edit("main.rs", &format!("main {i}"), t + 100 * i);
    }
    // A branch from the second commit, its commits older than main's last ones, merged.
    g(&["checkout", "-qb", "side", "HEAD~4"], t);
    for i in 0..3 {
        edit("side.rs", &format!("side {i}"), t + 150 + 100 * i);
    }
    g(&["checkout", "-q", "main"], t);
    g(
        &["merge", "-q", "--no-ff", "-m", "merge side", "side"],
        t + 700,
    );
    let cache = MemoryCache::default();
    let kept_head = |cache: &MemoryCache| {
        // The order is kept as (head, segments, places).
        let bytes = cache.get(Space::Commits, "order").unwrap().unwrap();
        type Order = (String, Vec<String>, Vec<(u32, u32)>);
        repowiki::cache::decode::<Order>(&bytes).unwrap().0
    };
    let (ids, read, head) = crawl(&cache);
    assert_eq!((ids.len(), read), (10, 10));
    assert_eq!(kept_head(&cache), head);
    let mut at = t + 800;
    let step = |cache: &MemoryCache, new: usize| {
        let (ids, read, head) = crawl(cache);
        assert_eq!(
            ids,
            crawl(&MemoryCache::default()).0,
            "the order of a crawl from nothing"
        );
        assert_eq!(read, new, "only the new commits are read");
        assert_eq!(kept_head(cache), head);
    };
    // A line of new commits on top.
    for i in 0..3 {
        edit("main.rs", &format!("line {i}"), at);
        at += 100;
    }
    step(&cache, 3);
    // A branch older than the last head, merged: not a line, the graph is walked.
    g(&["checkout", "-qb", "late", "HEAD~5"], t);
    edit("late.rs", "late 0", t + 120);
    edit("late.rs", "late 1", t + 620);
    g(&["checkout", "-q", "main"], t);
    edit("main.rs", "before the merge", at);
    g(
        &["merge", "-q", "--no-ff", "-m", "merge late", "late"],
        at + 50,
    );
    at += 100;
    step(&cache, 4);
    // More one-commit builds than small segments are kept: they are merged, the order follows.
    for i in 0..12 {
        edit("main.rs", &format!("one {i}"), at);
        at += 100;
        step(&cache, 1);
    }
    // Nothing new: nothing read, the same order.
    step(&cache, 0);
}

#[test]
fn a_shallow_clone_builds_from_what_is_there_and_says_so() {
    let f = random_edits_fixture(42);
    let root = f.root();
    let shallow = f.dir.path().join("shallow");
    let url = format!("file://{}", root.display());
    git(
        &[
            "clone",
            "-q",
            "--depth",
            "5",
            &url,
            shallow.to_str().unwrap(),
        ],
        f.dir.path(),
    );
    assert!(shallow.join(".git/shallow").exists());
    // What each commit changed, as git itself reads the shallow clone: the oldest commit there
    // has no parent to diff against, so everything in it counts as added.
    let expected = sorted(git_numstat(&shallow));
    assert_eq!(expected.len(), 5);
    assert_eq!(sorted(crawled(&shallow)), expected);
    let out = f.dir.path().join("site");
    let args = [shallow.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let report = build_json(&args);
    assert_eq!(report["shallow"], true);
    assert_eq!(report["commits"], 5);
    for page in ["history.html", "parts/src.html"] {
        let html = read(&out.join(page));
        assert!(html.contains("The history is partial"), "{page}");
        assert!(html.contains("fetch-depth: 0"), "{page}");
    }
    // Deepened, the next build reads the commits that came in and the old boundary commit again
    // (it now has a parent), and says nothing of a partial history.
    git(&["fetch", "-q", "--unshallow"], &shallow);
    let report = build_json(&args);
    assert_eq!(report["shallow"], false);
    assert_eq!(report["commits"], 80);
    assert_eq!(report["commits_read"], 76, "75 new, and the old boundary");
    assert!(!read(&out.join("history.html")).contains("The history is partial"));
    assert_eq!(sorted(crawled(&shallow)), sorted(git_numstat(&root)));
    // And the site is the one a first build of the deepened clone makes.
    let fresh = f.dir.path().join("fresh");
    let cache = f.dir.path().join("fresh-cache");
    build_json(&[
        shallow.to_str().unwrap(),
        "--out",
        fresh.to_str().unwrap(),
        "--cache-dir",
        cache.to_str().unwrap(),
    ]);
    assert!(
        published(&out) == published(&fresh),
        "the deepened site differs from a fresh one"
    );
}

/// `git` with its output, for the tests that need what it prints.
fn git_out(args: &[&str], dir: &std::path::Path) -> String {
    let o = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// `repowiki` with these arguments on the repository at `root`.
fn build_in(root: &std::path::Path, args: &[&str]) -> std::process::Output {
    repowiki().args(args).arg(root).output().unwrap()
}

/// Writes a raw commit object (as `git hash-object --literally` does) and moves main to it.
fn raw_commit(root: &std::path::Path, body: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("git")
        .args([
            "hash-object",
            "-t",
            "commit",
            "-w",
            "--literally",
            "--stdin",
        ])
        .current_dir(root)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    git(&["update-ref", "refs/heads/main", &id], root);
    id
}

#[test]
fn a_partial_clone_builds_and_lists_what_it_lacks() {
    let f = Fixture::standard();
    git(&["config", "uploadpack.allowFilter", "true"], &f.root());
    let clone = f.dir.path().join("partial");
    let url = format!("file://{}", f.root().display());
    git(
        &[
            "clone",
            "-q",
            "--filter=blob:none",
            &url,
            clone.to_str().unwrap(),
        ],
        f.dir.path(),
    );
    let o = build_in(&clone, &["build", "--json", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let count: usize = git_out(&["rev-list", "--count", "HEAD"], &clone)
        .parse()
        .unwrap();
    assert_eq!(report["commits"], count, "{report}");
    // A damaged clone: a blob of the tree removed. Listed as missing; the build goes on.
    let head_blob = git_out(&["rev-parse", "HEAD:src/lib.rs"], &clone);
    let packless = f.dir.path().join("damaged");
    git(
        &[
            "clone",
            "-q",
            "--no-local",
            &url,
            packless.to_str().unwrap(),
        ],
        f.dir.path(),
    );
    git(&["repack", "-q", "-a", "-d"], &packless);
    // Unpack every object loose, then remove one blob.
    let packs: Vec<_> = std::fs::read_dir(packless.join(".git/objects/pack"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pack"))
        .collect();
    for pack in &packs {
        let moved = f.dir.path().join("moved.pack");
        std::fs::rename(pack, &moved).unwrap();
        std::fs::remove_file(pack.with_extension("idx")).unwrap();
        let o = std::process::Command::new("git")
            .args(["unpack-objects", "-q"])
            .current_dir(&packless)
            .stdin(std::fs::File::open(&moved).unwrap())
            .output()
            .unwrap();
        assert!(o.status.success());
    }
    let loose = packless
        .join(".git/objects")
        .join(&head_blob[..2])
        .join(&head_blob[2..]);
    std::fs::remove_file(&loose).unwrap();
    let o = build_in(&packless, &["build", "--json", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["files_skipped"]["missing"], 1, "{report}");
}

#[test]
fn odd_commits_encodings_and_files_are_read_as_git_reads_them() {
    let mut f = Fixture::new();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "def wide():\n    return 'w'\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    f.commit(
        "files",
        &[
            ("wide.py", Some(utf16.as_slice())),
            ("latin.py", Some(b"# caf\xe9\ndef latin():\n    return 1\n".as_slice())),
            // What git is told is binary stays binary, however it decodes.
            (".gitattributes", Some(b"*.ai binary\n*.dat -text\n".as_slice())),
            ("media/logo.ai", Some(b"%PDF-1.5 caf\xe9\n".as_slice())),
            ("data/x.dat", Some(b"plain words\n".as_slice())),
            (
                "big.bin",
                Some(b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n".as_slice()),
            ),
        ],
        "Add files",
        "Alice",
        T0,
    );
    let root = f.root();
    let tree = git_out(&["write-tree"], &root);
    let parent = git_out(&["rev-parse", "HEAD"], &root);
    // A Latin-1 message with its encoding header, and a subject of a megabyte.
    let body = format!(
        "tree {tree}\nparent {parent}\nauthor Jos\u{e9} <j@x> 1700000100 +0000\ncommitter C <c@x> 1700000100 +0000\nencoding ISO-8859-1\n\n"
    )
    .into_bytes();
    let body = [
        String::from_utf8(body)
            .unwrap()
            .replace("Jos\u{e9}", "Jos")
            .into_bytes(),
        b"Caf\xe9 cr\xe8me: ".to_vec(),
        "x".repeat(1 << 20).into_bytes(),
        b"\n".to_vec(),
    ]
    .concat();
    raw_commit(&root, &body);
    let site = root.join(".repowiki/site");
    let o = build_in(&root, &["build", "--json", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["files_skipped"]["lfs"], 1, "{report}");
    assert_eq!(report["files_skipped"]["binary"], 2, "{report}");
    assert!(read(&site.join("files/wide.py.html")).contains("wide"));
    assert!(read(&site.join("files/latin.py.html")).contains("café"));
    let history = read(&site.join("history.html"));
    assert!(
        history.contains("Café crème"),
        "the encoding header is honoured"
    );
    assert!(
        std::fs::metadata(site.join("history.html")).unwrap().len() < 200_000,
        "a megabyte subject is not published whole"
    );
    // An author line with a line break: libgit2 refuses the commit; git reads it, and so does
    // repowiki (from the object), as HEAD and then in the history of a commit on top.
    let tree = git_out(&["write-tree"], &root);
    let head = git_out(&["rev-parse", "HEAD"], &root);
    raw_commit(
        &root,
        format!("tree {tree}\nparent {head}\nauthor Evil\nName <e@x> 1700000200 +0000\ncommitter C <c@x> 1700000200 +0000\n\nBad author line\n").as_bytes(),
    );
    let o = build_in(&root, &["build", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(&site.join("history.html")).contains("Bad author line"));
    let bad = git_out(&["rev-parse", "HEAD"], &root);
    raw_commit(
        &root,
        format!("tree {tree}\nparent {bad}\nauthor A <a@x> 1700000300 +0000\ncommitter C <c@x> 1700000300 +0000\n\nGood on top\n").as_bytes(),
    );
    let o = build_in(&root, &["build", "--quiet", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let count: usize = git_out(&["rev-list", "--count", "HEAD"], &root)
        .parse()
        .unwrap();
    assert_eq!(
        report["commits"], count,
        "every commit, the unparsed one too"
    );
    let history = read(&site.join("history.html"));
    assert!(history.contains("Bad author line") && history.contains("Good on top"));
    assert!(
        history.contains("Evil"),
        "its author as the object names it"
    );
    // HEAD on a new branch with no commits, in a repository that has some.
    git(&["symbolic-ref", "HEAD", "refs/heads/fresh"], &root);
    let o = build_in(&root, &["build", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("'fresh', which has no commits yet"),
        "{}",
        stderr(&o)
    );
    let o = build_in(&root, &["build", "--quiet", "--rev", &head]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn grafts_mark_the_history_partial_and_replace_refs_are_honoured_as_git_does() {
    let f = Fixture::standard();
    let root = f.root();
    let first = f.commits["polyglot"].to_string();
    std::fs::create_dir_all(root.join(".git/info")).unwrap();
    std::fs::write(root.join(".git/info/grafts"), format!("{first}\n")).unwrap();
    let o = build_in(&root, &["build", "--json", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["shallow"], true, "{report}");
    // `git replace` as well: the rename commit reads as another commit, whose message and
    // parents win; with the graft still there, both count as git counts them.
    let rename = f.commits["rename"].to_string();
    let tree = git_out(&["rev-parse", &format!("{rename}^{{tree}}")], &root);
    let parent = f.commits["polyglot"].to_string();
    let body = format!("tree {tree}\nparent {parent}\nauthor Rita <r@x> 1700000500 +0000\ncommitter Rita <r@x> 1700000500 +0000\n\nThe replacement message wins\n");
    let replacement = {
        use std::io::Write;
        let mut child = std::process::Command::new("git")
            .args(["hash-object", "-t", "commit", "-w", "--stdin"])
            .current_dir(&root)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(body.as_bytes())
            .unwrap();
        String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
    };
    git(&["replace", &rename, replacement.trim()], &root);
    let o = build_in(&root, &["build", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("replaced by refs/replace/"),
        "{}",
        stderr(&o)
    );
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let count: usize = git_out(&["rev-list", "--count", "HEAD"], &root)
        .parse()
        .unwrap();
    assert_eq!(report["commits"], count, "as git counts them: {report}");
    let history = read(&root.join(".repowiki/site/history.html"));
    assert!(
        history.contains("The replacement message wins"),
        "as git log shows it"
    );
    assert!(!history.contains("refactor: rename util to helpers"));
    std::fs::remove_file(root.join(".git/info/grafts")).unwrap();
    // Removing the replace ref is a change: the next build shows the original again.
    git(&["replace", "-d", &rename], &root);
    let o = build_in(&root, &["build", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(&root.join(".repowiki/site/history.html"))
        .contains("refactor: rename util to helpers"));
}

/// Bots, merges, release bumps and formatting never count as the commits that shaped a part;
/// `.mailmap` and one person's name and email variants make one person.
#[test]
fn history_noise_is_not_insight_and_one_person_is_one_name() {
    let mut f = Fixture::new();
    let t = T0;
    f.commit(
        "init",
        &[
            (
                "Cargo.toml",
                Some(b"[package]\nname = \"parser\"\nversion = \"0.1.0\"\n".as_slice()),
            ),
            (
                "src/lib.rs",
                Some(b"//! Parses.\npub mod lex;\npub mod tree;\npub fn parse() {}\n".as_slice()),
            ),
            ("src/lex.rs", Some(b"pub fn lex() {}\n".as_slice())),
            ("src/tree.rs", Some(b"pub struct Tree;\n".as_slice())),
            (
                ".mailmap",
                Some(b"Alice Smith <alice@example.com> A. Smith <asmith@old.example>\n".as_slice()),
            ),
        ],
        "Add the parser\n\nA recursive-descent parser: the grammar is small.",
        "Alice Smith <alice@example.com>",
        t,
    );
    f.commit(
        "bot",
        &[
            ("Cargo.toml", Some(b"[package]\nname = \"parser\"\nversion = \"0.1.0\"\n[dependencies]\nserde = \"1.0.2\"\n".as_slice())),
            ("src/lib.rs", Some(b"//! Parses.\npub mod lex;\npub mod tree;\npub fn parse() { }\n".as_slice())),
        ],
        "Bump serde from 1.0.1 to 1.0.2\n\nBumps serde.\nSigned-off-by: dependabot[bot]",
        "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>",
        t + 86_400,
    );
    f.commit(
        "lex",
        &[(
            "src/lex.rs",
            Some(b"pub fn lex() -> usize { 0 }\n".as_slice()),
        )],
        "feat: count tokens\n\nThe lexer counts what it reads.",
        "alice <alice@example.com>",
        t + 2 * 86_400,
    );
    let base = f.commits["lex"];
    let side = f.commit_with(
        "side",
        &[(
            "src/tree.rs",
            Some(b"pub struct Tree { pub size: usize }\n".as_slice()),
        )],
        "Give trees a size\n\nA tree knows how big it is.",
        ("A. Smith <asmith@old.example>", t + 3 * 86_400),
        Some(vec![base]),
        false,
    );
    let main = f.commit(
        "fmt",
        &[(
            "src/lib.rs",
            Some(b"//! Parses.\npub mod lex;\npub mod tree;\npub fn parse() {}\n".as_slice()),
        )],
        "Run cargo fmt",
        "Alice Smith <alice@example.com>",
        t + 4 * 86_400,
    );
    f.commit_with(
        "merge",
        &[(
            "src/tree.rs",
            Some(b"pub struct Tree { pub size: usize }\n".as_slice()),
        )],
        "Merge pull request #7 from a/size\n\nGive trees a size",
        ("Alice Smith <alice@example.com>", t + 5 * 86_400),
        Some(vec![main, side]),
        true,
    );
    f.commit(
        "release",
        &[
            ("Cargo.toml", Some(b"[package]\nname = \"parser\"\nversion = \"0.2.0\"\n[dependencies]\nserde = \"1.0.2\"\n".as_slice())),
            ("src/lib.rs", Some(b"//! Parses text.\npub mod lex;\npub mod tree;\npub fn parse() {}\n".as_slice())),
        ],
        "Release 0.2.0",
        "Alice Smith <alice@example.com>",
        t + 6 * 86_400,
    );
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let page = read(&out.join("parts/root.html"));
    let shaped = page
        .split("The commits that shaped it")
        .nth(1)
        .and_then(|s| s.split("Who works on it").next())
        .unwrap_or_else(|| panic!("a list of the commits that shaped it: {page}"));
    for real in ["Add the parser", "feat: count tokens", "Give trees a size"] {
        assert!(shaped.contains(real), "{real} in {shaped}");
    }
    for noise in [
        "Bump serde",
        "Run cargo fmt",
        "Merge pull request",
        "Release 0.2.0",
    ] {
        assert!(!shaped.contains(noise), "{noise} in {shaped}");
    }
    // Each commit says why, in its own words: exactly the three bodies, oldest first.
    let quotes: Vec<&str> = shaped
        .split("<blockquote>")
        .skip(1)
        .map(|q| q.split("</blockquote>").next().unwrap().trim())
        .collect();
    assert_eq!(
        quotes,
        [
            "<p>A recursive-descent parser: the grammar is small.</p>",
            "<p>The lexer counts what it reads.</p>",
            "<p>A tree knows how big it is.</p>"
        ],
        "{shaped}"
    );
    // alice, Alice Smith and A. Smith (by .mailmap) are one person; the bot is itself.
    let who = page
        .split("Who works on it, by commits: ")
        .nth(1)
        .and_then(|s| s.split('.').next())
        .unwrap();
    assert_eq!(who, "Alice Smith (5), dependabot[bot] (1)", "{who}");
    assert!(
        !page.contains("A. Smith") && !page.contains(">alice<"),
        "{page}"
    );
}

/// A symbol's story: the commits that made and changed its lines, in their own words, oldest
/// first; a bot's change, a merge and a commit to other lines are not part of it.
#[test]
fn a_symbols_lines_tell_why_it_is_so() {
    let mut f = Fixture::new();
    let t = T0;
    let file = |parse: &str, other: &str| {
        format!("/// Parses.\npub fn parse(s: &str) -> usize {{\n{parse}}}\n\npub fn other() -> u8 {{\n    {other}\n}}\n")
    };
    // parse's bodies: as made, with empty input handled, trimmed (the bot), counting words.
    let guarded = "    if s.is_empty() {\n        return 0;\n    }\n";
    let trimmed = format!("{guarded}    s.trim().len()\n");
    let counted = format!("{guarded}    let words = s.split(' ').count();\n    words\n");
    let v1 = file("    s.len()\n", "1");
    f.commit(
        "make",
        &[("src/lib.rs", Some(v1.as_bytes()))],
        "Add parse\n\nThe parser reads one token at a time.",
        "Alice Smith <alice@example.com>",
        t,
    );
    let v2 = file(&format!("{guarded}    s.len()\n"), "1");
    f.commit(
        "empty",
        &[("src/lib.rs", Some(v2.as_bytes()))],
        "Handle empty input\n\nEmpty input used to panic; now it counts as nothing.\n\nSigned-off-by: Alice Smith <alice@example.com>",
        "Alice Smith <alice@example.com>",
        t + 86_400,
    );
    let v3 = file(&trimmed, "1");
    let bot = f.commit(
        "bot",
        &[("src/lib.rs", Some(v3.as_bytes()))],
        "Bump trim from 1.0 to 1.1\n\nBumps the trimming of input for the parser.",
        "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>",
        t + 2 * 86_400,
    );
    let v4 = file(&counted, "1");
    let side = f.commit_with(
        "count",
        &[("src/lib.rs", Some(v4.as_bytes()))],
        "Count words, not bytes\n\nCallers want the number of words the parser read.",
        ("Bob Jones <bob@example.com>", t + 3 * 86_400),
        Some(vec![bot]),
        false,
    );
    let v5 = file(&trimmed, "2");
    let main = f.commit_with(
        "other",
        &[("src/lib.rs", Some(v5.as_bytes()))],
        "Make other two\n\nThe other function now says two, which is what its callers expect.",
        ("Alice Smith <alice@example.com>", t + 4 * 86_400),
        Some(vec![bot]),
        true,
    );
    let merged = file(&counted, "2");
    f.commit_with(
        "merge",
        &[("src/lib.rs", Some(merged.as_bytes()))],
        "Merge pull request #2 from bob/count\n\nCount words, not bytes, because callers want words.",
        ("Alice Smith <alice@example.com>", t + 5 * 86_400),
        Some(vec![main, side]),
        true,
    );
    let out = f.dir.path().join("site");
    build_json(&[f.root().to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let page = read(&out.join("files/src/lib.rs.html"));
    let parse = page
        .split("id=\"sym-parse\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap();
    let story = parse
        .split("class=\"story\"")
        .nth(1)
        .unwrap_or_else(|| panic!("a story: {parse}"));
    let quotes: Vec<&str> = story
        .split("<blockquote>")
        .skip(1)
        .map(|q| q.split("</blockquote>").next().unwrap().trim())
        .collect();
    assert_eq!(
        quotes,
        [
            "<p>The parser reads one token at a time.</p>",
            "<p>Empty input used to panic; now it counts as nothing.</p>",
            "<p>Callers want the number of words the parser read.</p>"
        ],
        "{story}"
    );
    assert!(story.contains("Made in"), "{story}");
    for noise in ["Bump trim", "Merge pull request", "Make other two"] {
        assert!(!story.contains(noise), "{noise} in {story}");
    }
    // The other function's story is its own.
    let other = page
        .split("id=\"sym-other\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .unwrap();
    assert!(other.contains("The other function now says two"), "{other}");
    assert!(
        !other.contains("Callers want the number of words"),
        "{other}"
    );
}
