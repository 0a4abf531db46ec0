//! A cloned repository is hostile: committed symlinks and a committed `repowiki.toml` must never
//! make a build create, change, delete or read anything outside its site and cache folders.
//! Each test snapshots the folders around the repository before and after.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Output;

use support::*;

/// Every entry under `dir`, not following links: path -> what it is (file bytes, link target,
/// or a folder).
fn tree(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let p = entry.path();
            let kind = entry.file_type().unwrap();
            let what = if kind.is_symlink() {
                format!("link {}", fs::read_link(&p).unwrap().display())
            } else if kind.is_dir() {
                stack.push(p.clone());
                "dir".into()
            } else {
                format!("file {:?}", fs::read(&p).unwrap())
            };
            out.insert(p, what);
        }
    }
    out
}

/// A fixture with one commit of code, and a folder of someone's own files beside it.
fn fixture() -> (Fixture, PathBuf) {
    let mut f = Fixture::new();
    f.commit(
        "init",
        &[
            ("README.md", Some(b"# Demo\n\nA demo.\n".as_slice())),
            (
                "src/lib.rs",
                Some(b"//! The lib.\n\npub fn f() {}\n".as_slice()),
            ),
        ],
        "Add the lib",
        "Alice Smith",
        T0,
    );
    let victim = f.dir.path().join("victim");
    fs::create_dir_all(victim.join("empty")).unwrap();
    fs::create_dir_all(victim.join("sub")).unwrap();
    fs::write(victim.join("index.html"), "the victim's own page").unwrap();
    fs::write(victim.join("db"), "the victim's db").unwrap();
    fs::write(victim.join("sub/notes.txt"), "notes").unwrap();
    (f, victim)
}

/// Commits links (path -> target) as the clone would check them out.
fn commit_links(f: &mut Fixture, links: &[(&str, &Path)]) {
    let mut index = f.repo.index().unwrap();
    for (path, target) in links {
        let full = f.root().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        symlink(target, &full).unwrap();
        index.add_path(Path::new(path)).unwrap();
    }
    index.write().unwrap();
    let tree = f.repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig =
        git2::Signature::new("Mallory", "m@example.com", &git2::Time::new(T0 + 60, 0)).unwrap();
    let head = f.repo.head().unwrap().peel_to_commit().unwrap();
    f.repo
        .commit(Some("HEAD"), &sig, &sig, "Add links", &tree, &[&head])
        .unwrap();
}

fn build(f: &Fixture, args: &[&str]) -> Output {
    repowiki()
        .args(["build", "--quiet"])
        .args(args)
        .arg(f.root())
        .output()
        .unwrap()
}

/// A refused build: exit 2, one line on stderr saying `what`.
fn assert_refused(o: &Output, what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains(what), "{what:?} in {err}");
}

#[test]
fn committed_links_for_the_site_or_the_cache_are_refused_and_nothing_outside_changes() {
    for (link, what) in [
        (".repowiki/site", "symbolic link"),
        (".repowiki/cache", "symbolic link"),
        (".repowiki", "symbolic link"),
    ] {
        let (mut f, victim) = fixture();
        commit_links(&mut f, &[(link, &victim)]);
        let before = tree(&victim);
        let o = build(&f, &[]);
        assert_refused(&o, what);
        assert_eq!(tree(&victim), before, "{link}: the linked folder changed");
    }
    // A link inside a committed cache folder (sled and the state file open files by name).
    let (mut f, victim) = fixture();
    commit_links(&mut f, &[(".repowiki/cache/db", &victim.join("db"))]);
    let before = tree(&victim);
    assert_refused(&build(&f, &[]), "symbolic link");
    assert_eq!(tree(&victim), before);
    // A committed site folder of its own (with a manifest, as repowiki writes one) whose page
    // folder is a link: the pages go into a real folder, the link's target is untouched, both
    // when the folder is swapped whole and on the journal's path.
    for journal in [false, true] {
        let (mut f, victim) = fixture();
        f.commit(
            "site",
            &[(
                ".repowiki/site/.repowiki-manifest",
                Some(b"files/src/lib.rs.html\nfiles/sub/notes.txt\nindex.html\n".as_slice()),
            )],
            "Add a site",
            "Mallory",
            T0 + 30,
        );
        commit_links(&mut f, &[(".repowiki/site/files", &victim)]);
        let before = tree(&victim);
        let mut cmd = repowiki();
        cmd.args(["build", "--quiet"]).arg(f.root());
        if journal {
            cmd.env("REPOWIKI_NO_SWAP", "1");
        }
        let o = cmd.output().unwrap();
        assert_eq!(tree(&victim), before, "journal {journal}: {}", stderr(&o));
        if !journal {
            assert!(o.status.success(), "{}", stderr(&o));
            let files = f.root().join(".repowiki/site/files");
            assert!(files.is_dir() && !files.is_symlink());
            assert!(files.join("src/lib.rs.html").exists());
        } else {
            assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
        }
    }
    // The lock beside the cache, and the log of the hook.
    let (mut f, victim) = fixture();
    commit_links(
        &mut f,
        &[(".repowiki/cache.lock", &victim.join("lock-target"))],
    );
    assert!(!build(&f, &[]).status.success());
    assert!(!victim.join("lock-target").exists());
}

#[test]
fn a_committed_config_cannot_send_the_site_or_the_cache_out_of_the_repository() {
    for (config, what) in [
        ("out = \"../victim\"", "inside the repository"),
        ("out = \"/tmp\"", "inside the repository"),
        ("out = \".\"", "repository's root"),
        ("out = \"src/..\"", "inside the repository"),
        ("out = \".git\"", "git folder"),
        ("out = \".git/refs\"", "git folder"),
        ("cache = \"../victim\"", "inside the repository"),
        ("cache = \".repowiki/site\"", "overlap"),
        ("cache = \".repowiki/site/c\"", "overlap"),
    ] {
        let (f, _) = fixture();
        fs::write(f.root().join("repowiki.toml"), config).unwrap();
        let before = tree(f.dir.path());
        let o = build(&f, &[]);
        assert_refused(&o, what);
        assert_eq!(tree(f.dir.path()), before, "{config}: something changed");
    }
    // A committed folder that is a link further down: out = "docs/site", docs -> victim.
    let (mut f, victim) = fixture();
    commit_links(&mut f, &[("docs", &victim)]);
    fs::write(f.root().join("repowiki.toml"), "out = \"docs/site\"").unwrap();
    let before = tree(&victim);
    assert_refused(&build(&f, &[]), "symbolic link");
    assert_eq!(tree(&victim), before);
}

#[test]
fn dangerous_output_flags_are_refused() {
    let (f, _) = fixture();
    // Refs packed, as after `git gc`: rebuilding the root from links would drop .git/refs.
    let home = f.dir.path().join("home");
    fs::create_dir_all(&home).unwrap();
    let root = f.root();
    for (flag, value, what) in [
        ("--out", root.clone(), "repository's root"),
        ("--out", root.join("src/.."), "repository's root"),
        ("--out", root.join(".git"), "git folder"),
        ("--out", PathBuf::from("/"), "root"),
        ("--out", f.dir.path().to_path_buf(), "holds the repository"),
        ("--out", home.clone(), "home folder"),
        ("--cache-dir", root.join(".git/cache"), "git folder"),
        ("--cache-dir", root.clone(), "repository's root"),
    ] {
        let before = tree(f.dir.path());
        let o = repowiki()
            .args(["build", "--quiet"])
            .arg(flag)
            .arg(&value)
            .arg(f.root())
            .env("HOME", &home)
            .output()
            .unwrap();
        assert_refused(&o, what);
        assert_eq!(tree(f.dir.path()), before, "{flag} {value:?}");
    }
    // The same folder for both.
    let same = f.dir.path().join("same");
    let o = repowiki()
        .args(["build", "--quiet", "--out"])
        .arg(&same)
        .arg("--cache-dir")
        .arg(&same)
        .arg(f.root())
        .output()
        .unwrap();
    assert_refused(&o, "overlap");
}

#[test]
fn a_folder_repowiki_did_not_make_is_refused_unless_forced_and_its_files_stay() {
    let (f, victim) = fixture();
    let before = tree(&victim);
    let o = build(&f, &["--out", victim.to_str().unwrap()]);
    assert_refused(&o, "--force");
    assert_eq!(tree(&victim), before);
    // Forced: repowiki's pages join, everything else stays (an empty folder too).
    let o = build(&f, &["--force", "--out", victim.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read(&victim.join("sub/notes.txt")), "notes");
    assert_eq!(read(&victim.join("db")), "the victim's db");
    assert!(
        victim.join("empty").is_dir(),
        "an empty folder of theirs stays"
    );
    assert!(victim.join(".repowiki-manifest").exists());
    // Now it is repowiki's: no --force needed, and a rebuild keeps their files.
    let o = build(&f, &["--out", victim.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(victim.join("empty").is_dir() && victim.join("sub/notes.txt").exists());
}

#[test]
fn linked_templates_and_theme_files_are_left_out_and_nothing_behind_them_is_published() {
    let (mut f, victim) = fixture();
    let ssh = f.dir.path().join("ssh");
    fs::create_dir_all(&ssh).unwrap();
    fs::write(ssh.join("id_rsa"), "PRIVATE-KEY-SENTINEL").unwrap();
    commit_links(
        &mut f,
        &[
            (
                ".repowiki/templates/base.html",
                Path::new("/proc/self/environ"),
            ),
            (
                ".repowiki/templates/prompts/part.md",
                Path::new("/proc/self/environ"),
            ),
            (".repowiki/theme/keys", &ssh),
            (".repowiki/theme/style.css", &ssh.join("id_rsa")),
        ],
    );
    let o = repowiki()
        .args(["build", "--quiet"])
        .arg(f.root())
        .env("SENTINEL_TOKEN", "ENVIRONMENT-SENTINEL")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("symbolic link"), "{err}");
    for file in walk(&f.root().join(".repowiki/site")) {
        let text = String::from_utf8_lossy(&fs::read(&file).unwrap()).into_owned();
        for s in [
            "ENVIRONMENT-SENTINEL",
            "PRIVATE-KEY-SENTINEL",
            "SENTINEL_TOKEN",
        ] {
            assert!(!text.contains(s), "{s} in {}", file.display());
        }
    }
    assert!(!f.root().join(".repowiki/site/assets/keys").exists());
    assert!(read(&f.root().join(".repowiki/site/assets/style.css")).len() > 100);
    // The theme folder itself, or .repowiki/templates, as a link.
    let (mut f, _) = fixture();
    commit_links(
        &mut f,
        &[(".repowiki/theme", &ssh), (".repowiki/templates", &ssh)],
    );
    let o = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!f.root().join(".repowiki/site/assets/id_rsa").exists());
    drop(victim);
}

#[test]
fn init_eject_and_the_gitignore_never_write_through_a_link() {
    let (mut f, victim) = fixture();
    commit_links(
        &mut f,
        &[
            ("repowiki.toml", &victim.join("new.toml")),
            (".repowiki/templates/base.html", &victim.join("base.html")),
            (".repowiki/.gitignore", &victim.join("gitignore")),
        ],
    );
    let before = tree(&victim);
    let o = run(&["init", "--force", f.root().to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    let o = run(&["theme", "eject", "--force", f.root().to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    // The config is a (dangling) link: not read, one line.
    let o = build(&f, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    fs::remove_file(f.root().join("repowiki.toml")).unwrap();
    let o = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        tree(&victim),
        before,
        "something was written through a link"
    );
}

#[test]
fn two_builds_into_one_site_with_different_caches_take_turns() {
    let (f, _) = fixture();
    let site = f.dir.path().join("site");
    let children: Vec<_> = (0..2)
        .map(|i| {
            repowiki()
                .args(["build", "--quiet", "--out"])
                .arg(&site)
                .arg("--cache-dir")
                .arg(f.dir.path().join(format!("cache{i}")))
                .arg(f.root())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert!(site.join("index.html").exists());
    assert!(broken_links(&site).is_empty());
}

/// `repowiki mcp` and `ask` read only what the snapshot read: a committed link to a file
/// outside is no source to serve, whatever path names it.
#[test]
fn mcp_and_ask_never_read_through_a_committed_link() {
    use std::io::{BufRead, BufReader, Write};
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    fs::write(&secret, "the neighbour's private words: zanzibar quokka\n").unwrap();
    let mut f = Fixture::standard();
    commit_links(&mut f, &[("docs/secret.txt", &secret)]);
    let o = build(&f, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = run(&[
        "ask",
        "zanzibar quokka private words",
        f.root().to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("quokka\\n"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("neighbour"));
    let mut child = repowiki()
        .args(["mcp", f.root().to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    for message in [
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}),
        serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "read_source", "arguments": {"path": "docs/secret.txt"}}}),
    ] {
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
        if message.get("id").is_some() {
            line.clear();
            stdout.read_line(&mut line).unwrap();
        }
    }
    assert!(
        line.contains("\"error\"") && line.contains("symlink"),
        "{line}"
    );
    assert!(!line.contains("quokka"), "{line}");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
