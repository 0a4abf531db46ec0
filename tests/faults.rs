//! Faults of the machine rather than of the input: a read-only output folder or cache, and a
//! full disk (a small tmpfs). These mount file systems, which needs root (CI runs as root);
//! where mounting is not allowed they say they were skipped.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::*;

/// A mount that is undone when the test ends, however it ends.
struct Mount(PathBuf);

impl Mount {
    fn new(args: &[&str], target: &Path) -> Option<Mount> {
        let ok = Command::new("mount")
            .args(args)
            .arg(target)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(target.to_path_buf()))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Whether this process may mount file systems (root, with the capability): tried on a
/// scratch folder. Where it may not, the tests say they were skipped.
fn can_mount() -> bool {
    let probe = tempfile::tempdir().unwrap();
    let ok = Mount::new(&["-t", "tmpfs", "-o", "size=64k", "tmpfs"], probe.path()).is_some();
    if !ok {
        println!("skipped: this process cannot mount file systems (needs root)");
    }
    ok
}

fn build(f: &Fixture, out: &Path, cache: &Path) -> std::process::Output {
    repowiki()
        .args(["build", "--quiet"])
        .arg(f.root())
        .arg("--out")
        .arg(out)
        .arg("--cache-dir")
        .arg(cache)
        .output()
        .unwrap()
}

fn edit(f: &mut Fixture, name: &'static str, text: &str) {
    f.commit(
        name,
        &[("src/engine/extra.rs", Some(text.as_bytes()))],
        "More engine",
        "Dana Lee",
        T0 + 30 * 86_400,
    );
}

#[test]
fn a_read_only_output_folder_is_one_clear_error_and_the_site_stays() {
    if !can_mount() {
        return;
    }
    let mut f = Fixture::standard();
    let (out, cache) = (f.dir.path().join("site"), f.dir.path().join("cache"));
    assert!(build(&f, &out, &cache).status.success());
    let before = published(&out);
    let _ro = Mount::new(&["--bind", "-o", "ro", out.to_str().unwrap()], &out).expect("bind mount");
    edit(&mut f, "extra", "//! Extra.\npub fn extra() {}\n");
    let o = build(&f, &out, &cache);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(out.to_str().unwrap()), "{err}");
    assert!(err.to_lowercase().contains("read-only"), "{err}");
    assert_eq!(published(&out), before);
}

#[test]
fn a_read_only_cache_builds_without_it() {
    if !can_mount() {
        return;
    }
    let mut f = Fixture::standard();
    let (out, cache) = (f.dir.path().join("site"), f.dir.path().join("cache"));
    assert!(build(&f, &out, &cache).status.success());
    let _ro =
        Mount::new(&["--bind", "-o", "ro", cache.to_str().unwrap()], &cache).expect("bind mount");
    edit(&mut f, "extra", "//! Extra.\npub fn extra() {}\n");
    let o = build(&f, &out, &cache);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning"), "{}", stderr(&o));
    assert!(
        read(&out.join("index.html")).contains("extra")
            || out.join("files/src/engine/extra.rs.html").is_file()
    );
    let fresh = f.dir.path().join("fresh");
    assert!(build(&f, &fresh, &f.dir.path().join("fresh-cache"))
        .status
        .success());
    assert_eq!(published(&out), published(&fresh));
}

#[test]
fn a_full_disk_fails_the_build_cleanly_and_the_next_one_completes() {
    if !can_mount() {
        return;
    }
    let mut f = Fixture::standard();
    let (out, cache) = (f.dir.path().join("site"), f.dir.path().join("cache"));
    fs::create_dir_all(&out).unwrap();
    let _tmpfs = Mount::new(&["-t", "tmpfs", "-o", "size=4m", "tmpfs"], &out).expect("tmpfs");
    assert!(build(&f, &out, &cache).status.success());
    let before = published(&out);
    // Leave almost no room, then commit a change that rewrites pages and adds a big one.
    let filler = out.join("filler");
    let free = {
        let o = Command::new("df")
            .args(["-B1", "--output=avail"])
            .arg(&out)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse::<u64>()
            .unwrap()
    };
    fs::write(&filler, vec![0u8; (free - 8 * 1024) as usize]).unwrap_or(());
    let big: String = (0..4000)
        .map(|i| format!("pub fn f{i}() -> u32 {{ {i} }}\n"))
        .collect();
    edit(&mut f, "extra", &format!("//! Extra.\n{big}"));
    let o = build(&f, &out, &cache);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("No space left") || err.contains("space"),
        "{err}"
    );
    fs::remove_file(&filler).unwrap();
    assert_eq!(published(&out), before, "the earlier site, whole");
    // Room again: the next build completes and equals a fresh one.
    let o = build(&f, &out, &cache);
    assert!(o.status.success(), "{}", stderr(&o));
    let fresh = f.dir.path().join("fresh");
    assert!(build(&f, &fresh, &f.dir.path().join("fresh-cache"))
        .status
        .success());
    assert_eq!(published(&out), published(&fresh));
}

#[test]
fn running_out_of_inodes_fails_in_one_line_and_leaves_no_staging_behind() {
    if !can_mount() {
        return;
    }
    let f = Fixture::standard();
    let (out, cache) = (f.dir.path().join("site"), f.dir.path().join("cache"));
    fs::create_dir_all(&out).unwrap();
    // Room for bytes, not for files: the site has more pages and folders than this.
    let _tmpfs = Mount::new(
        &["-t", "tmpfs", "-o", "size=16m,nr_inodes=24", "tmpfs"],
        &out,
    )
    .expect("tmpfs");
    let o = build(&f, &out, &cache);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
    let left: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
