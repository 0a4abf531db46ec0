//! Writes a rendered site into its folder, so that a build killed at any point leaves either
//! the previous site or, once the next build has run, the new one:
//!
//! 1. pages whose bytes changed are staged in `.repowiki-staging/` (nothing live is touched);
//! 2. on Linux, the new site is made beside the live one (hard links to every unchanged file,
//!    plus the staged pages) and the two folders are exchanged in one system call: a reader
//!    sees the old site or the new one, never a mix;
//! 3. where that cannot be done (the folder is a mount point, another OS), a journal listing
//!    the moves and removals is renamed into place (the commit point), then the staged pages
//!    are renamed over the live ones, stale pages removed, the journal dropped.
//!
//! Every write first recovers from an interrupted one: a committed journal is carried out, an
//! uncommitted staging folder is discarded. Pages whose bytes did not change are not touched,
//! and only files that repowiki wrote (listed in its manifest) are ever removed.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::Page;
use crate::error::{Error, Result};

const MANIFEST: &str = ".repowiki-manifest";
const STAGING: &str = ".repowiki-staging";
const JOURNAL: &str = ".repowiki-journal";

#[derive(Debug, Clone, Default, Serialize)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// The site paths written and removed, sorted.
    #[serde(skip)]
    pub changed: Vec<String>,
}

/// Makes sure the output folder exists and can be written, before any work is done. A folder
/// that holds files repowiki did not write (no manifest of its own) is refused unless `force`:
/// `--out docs` must not replace someone's `docs/index.html` by surprise.
pub fn prepare(out: &Path, force: bool) -> Result<()> {
    if !force && !ours(out) {
        return Err(Error::Output {
            path: out.to_path_buf(),
            source: std::io::Error::other(
                "it holds files repowiki did not write (no .repowiki-manifest); choose an empty or new folder, or pass --force to write beside them",
            ),
        });
    }
    writable(out)
}

/// Missing, empty, or written by repowiki (its manifest, or only its own leftovers from a
/// first build that was cut short).
fn ours(out: &Path) -> bool {
    let Ok(entries) = fs::read_dir(out) else {
        return true;
    };
    let names: Vec<_> = entries.flatten().map(|e| e.file_name()).collect();
    names.iter().any(|n| n == MANIFEST)
        || names
            .iter()
            .all(|n| n.to_string_lossy().starts_with(".repowiki-"))
}

fn writable(out: &Path) -> Result<()> {
    let fail = |source| Error::Output {
        path: out.to_path_buf(),
        source,
    };
    fs::create_dir_all(out).map_err(fail)?;
    let probe = out.join(format!("{PROBE}{}", std::process::id()));
    fs::write(&probe, b"").map_err(fail)?;
    // Another build's recovery may have removed it already: that is fine.
    match fs::remove_file(&probe) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(fail(e)),
        _ => Ok(()),
    }
}

const PROBE: &str = ".repowiki-probe-";

/// Crash tests stop the process at named points (`REPOWIKI_FAILPOINT=write-staged`, say), the
/// way kill -9 would, to prove that the next build recovers.
pub fn failpoint(name: &str) {
    if std::env::var("REPOWIKI_FAILPOINT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
}

/// A write in progress: pages are compared with the live ones and staged one by one as they
/// are rendered, so that a build holds a batch of pages in memory, never the whole site.
pub struct Writer {
    out: PathBuf,
    staging: PathBuf,
    new: BTreeSet<String>,
    changed: Vec<String>,
    unchanged: usize,
}

/// A write that stops with an error (no room, no inodes) takes its staged pages with it; a
/// committed journal stays, for the next build to complete.
impl Drop for Writer {
    fn drop(&mut self) {
        if !self.out.join(JOURNAL).exists() {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

impl Writer {
    /// Recovers from an interrupted write and starts a new one; nothing live is touched
    /// before `finish`.
    pub fn begin(out: &Path) -> Result<Writer> {
        writable(out)?;
        recover(out)?;
        let staging = out.join(STAGING);
        let _ = fs::remove_dir_all(&staging);
        Ok(Writer {
            out: out.to_path_buf(),
            staging,
            new: BTreeSet::new(),
            changed: Vec::new(),
            unchanged: 0,
        })
    }

    /// A page left as it is on disk (the last build wrote it from the same inputs).
    pub fn keep(&mut self, path: &str) {
        self.new.insert(path.to_string());
        self.unchanged += 1;
    }

    /// A rendered page: staged when its bytes differ from the live file's.
    pub fn page(&mut self, page: &Page) -> Result<()> {
        self.pages(std::slice::from_ref(page))
    }

    /// A batch of rendered pages, compared and staged in parallel.
    pub fn pages(&mut self, pages: &[Page]) -> Result<()> {
        let staged: Vec<bool> = pages
            .par_iter()
            .map(|page| {
                let target = inside(&self.out, &page.path)?;
                // The last of the one redaction pass: whatever a template, a model or a name
                // carried here, no secret is written.
                let redacted = std::str::from_utf8(&page.bytes)
                    .ok()
                    .and_then(crate::secrets::redact);
                let bytes = redacted
                    .as_ref()
                    .map(String::as_bytes)
                    .unwrap_or(&page.bytes);
                // A link in the site folder is not one of our pages: never read through it.
                let rel = target.strip_prefix(&self.out).expect("inside");
                if crate::confine::read(&self.out, rel).is_ok_and(|old| old == bytes) {
                    return Ok(false);
                }
                put_file(&inside(&self.staging, &page.path)?, bytes)?;
                Ok(true)
            })
            .collect::<Result<_>>()?;
        for (page, staged) in pages.iter().zip(staged) {
            self.new.insert(page.path.clone());
            if staged {
                self.changed.push(page.path.clone());
            } else {
                self.unchanged += 1;
            }
        }
        Ok(())
    }

    /// Every page the site now has, as given so far.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.new.iter().map(String::as_str)
    }

    /// Commits the staged pages and removes the pages of the last write that this one does
    /// not have.
    pub fn finish(self) -> Result<WriteReport> {
        let out = &self.out;
        let mut report = WriteReport {
            unchanged: self.unchanged,
            ..Default::default()
        };
        let last = read_manifest(out);
        let old: BTreeSet<String> = last
            .as_deref()
            .map(|t| t.lines().map(str::to_string).collect())
            .unwrap_or_default();
        let stale: Vec<&String> = old.difference(&self.new).collect();
        let manifest: String = self.new.iter().map(|p| format!("{p}\n")).collect();
        let manifest_changed = last.as_deref() != Some(manifest.as_str());
        if self.changed.is_empty() && stale.is_empty() && !manifest_changed {
            let _ = fs::remove_dir_all(&self.staging);
            return Ok(report);
        }
        failpoint("write-staged");
        // Where the folder can be swapped whole, readers see the old site or the new one,
        // never a mix; elsewhere (a mount point, another OS) the journal below.
        if !self.swap(&stale, manifest_changed.then_some(manifest.as_str()))? {
            self.journal(&stale, manifest_changed.then_some(manifest.as_str()))?;
        }
        report.written = self.changed.len();
        report.removed = stale.len();
        report.changed = self
            .changed
            .iter()
            .cloned()
            .chain(stale.iter().map(|s| s.to_string()))
            .collect();
        report.changed.sort();
        Ok(report)
    }

    /// Publishes the staged pages under a journal: renamed into place (the commit point), then
    /// carried out; a build killed after the commit point is completed by the next one.
    fn journal(&self, stale: &[&String], manifest: Option<&str>) -> Result<()> {
        let out = &self.out;
        // 1. Staged already (the pages); the manifest and the journal.
        let mut journal = String::new();
        for path in &self.changed {
            journal.push_str(&format!("put {path}\n"));
        }
        if let Some(manifest) = manifest {
            put_file(&self.staging.join(MANIFEST), manifest.as_bytes())?;
            journal.push_str(&format!("put {MANIFEST}\n"));
        }
        for path in stale {
            if inside(out, path).is_ok() {
                journal.push_str(&format!("del {path}\n"));
            }
        }
        // 2. Commit.
        let tmp = out.join(format!("{JOURNAL}.tmp"));
        put_file(&tmp, journal.as_bytes())?;
        fs::rename(&tmp, out.join(JOURNAL))
            .map_err(|e| Error::io("cannot commit the site journal", e))?;
        failpoint("write-committed");
        // 3. Apply.
        apply(out, &journal)
    }
}

impl Writer {
    /// Builds the new site beside the live one, as hard links to every unchanged file plus
    /// the staged pages, then exchanges the two folders in one system call. False when this
    /// cannot be done here (the folder is a mount point, links or the exchange are not
    /// supported), with nothing changed.
    /// `manifest`: the new manifest, when it changed.
    fn swap(&self, stale: &[&String], manifest: Option<&str>) -> Result<bool> {
        let out = &self.out;
        let Some(next) = next_path(out) else {
            return Ok(false);
        };
        if !swappable(out) {
            return Ok(false);
        }
        let _ = fs::remove_dir_all(&next);
        if fs::create_dir(&next).is_err() {
            return Ok(false);
        }
        let skip: BTreeSet<&str> = stale
            .iter()
            .map(|s| s.as_str())
            .chain(self.changed.iter().map(String::as_str))
            .chain(manifest.map(|_| MANIFEST))
            .collect();
        let built = (|| -> std::io::Result<()> {
            if let Ok(meta) = fs::metadata(out) {
                fs::set_permissions(&next, meta.permissions())?;
            }
            link_tree(out, &next, "", &skip)?;
            for path in &self.changed {
                let target = next.join(path);
                if let Some(dir) = Path::new(path).parent() {
                    dirs_in_our_copy(&next, dir)?;
                }
                fs::hard_link(self.staging.join(path), &target)?;
            }
            match manifest {
                Some(text) => fs::write(next.join(MANIFEST), text),
                None => Ok(()),
            }
        })();
        if built.is_err() {
            let _ = fs::remove_dir_all(&next);
            return Ok(false);
        }
        failpoint("write-linked");
        if exchange(&next, out).is_err() {
            let _ = fs::remove_dir_all(&next);
            return Ok(false);
        }
        failpoint("write-swapped");
        // `next` now holds the old site (and the staging folder).
        let _ = remove_tree(&next);
        Ok(true)
    }
}

/// The manifest of the last write, read without following a link.
fn read_manifest(out: &Path) -> Option<String> {
    crate::confine::read_to_string(out, Path::new(MANIFEST)).ok()
}

/// Makes the folders of `rel` in the new site being built (`next`, ours alone): a link copied
/// from the old site where one of our folders must be is replaced, never followed.
fn dirs_in_our_copy(next: &Path, rel: &Path) -> std::io::Result<()> {
    let mut dir = next.to_path_buf();
    for c in rel.components() {
        dir.push(c);
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.is_dir() => continue,
            Ok(_) => fs::remove_file(&dir)?,
            Err(_) => {}
        }
        fs::create_dir(&dir)?;
    }
    Ok(())
}

/// The folder a swap builds the new site in: a hidden sibling of the site folder.
pub fn next_path(out: &Path) -> Option<PathBuf> {
    let name = out.file_name()?.to_str()?;
    Some(out.with_file_name(format!(".{name}.repowiki-next")))
}

/// Not a mount point (a mount cannot be renamed) and on Linux. `REPOWIKI_NO_SWAP` makes the
/// crash tests take the journal's path.
fn swappable(out: &Path) -> bool {
    if std::env::var_os("REPOWIKI_NO_SWAP").is_some() {
        return false;
    }
    use std::os::unix::fs::MetadataExt;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    cfg!(target_os = "linux")
        && matches!((fs::metadata(out), fs::metadata(parent)), (Ok(a), Ok(b)) if a.dev() == b.dev())
}

/// Hard links every file under `from` (but repowiki's bookkeeping and `skip`) into `to`.
fn link_tree(from: &Path, to: &Path, rel: &str, skip: &BTreeSet<&str>) -> std::io::Result<()> {
    // On all cores: a large site is mostly folders of pages, each linked on its own.
    let entries: Vec<fs::DirEntry> = fs::read_dir(from.join(rel))?.collect::<Result<_, _>>()?;
    entries.par_iter().try_for_each(|entry| {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            // A name that is not UTF-8 was not written by repowiki: kept as it is.
            return fs::hard_link(entry.path(), to.join(rel).join(entry.file_name()));
        };
        let path = if rel.is_empty() {
            name.to_string()
        } else {
            format!("{rel}/{name}")
        };
        if rel.is_empty() && name.starts_with(".repowiki-") && name != MANIFEST {
            return Ok(());
        }
        if skip.contains(path.as_str()) {
            return Ok(());
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            fs::create_dir(to.join(&path))?;
            link_tree(from, to, &path, skip)?;
            // A folder whose pages all went goes too (one the new pages need is made again);
            // a folder that was empty already is someone else's and stays.
            let was_empty = fs::read_dir(entry.path()).is_ok_and(|mut d| d.next().is_none());
            if !was_empty {
                let _ = fs::remove_dir(to.join(&path));
            }
            Ok(())
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path())?, to.join(&path))
        } else {
            fs::hard_link(entry.path(), to.join(&path))
        }
    })
}

/// `fs::remove_dir_all`, on all cores (the old site after a swap: 100,000 pages took 0.35 s
/// on one). Symbolic links are removed, never followed.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            remove_tree(&entry.path())
        } else {
            fs::remove_file(entry.path())
        }
    })?;
    fs::remove_dir(dir)
}

/// Exchanges two folders in one step (Linux's `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two valid, NUL-terminated paths; the call reads them and nothing else.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Finishes or discards an interrupted write, and removes the write probes of builds that
/// were killed before they could.
pub fn recover(out: &Path) -> Result<()> {
    // A swap cut short: before the exchange it holds an unpublished new site, after it the
    // old one. Either way it goes.
    if let Some(next) = next_path(out) {
        let _ = fs::remove_dir_all(next);
    }
    if let Ok(entries) = fs::read_dir(out) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(PROBE) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    match crate::confine::read_to_string(out, Path::new(JOURNAL)) {
        Ok(journal) => apply(out, &journal),
        Err(_) => {
            let _ = fs::remove_dir_all(out.join(STAGING));
            let _ = fs::remove_file(out.join(format!("{JOURNAL}.tmp")));
            Ok(())
        }
    }
}

/// Carries out a committed journal; safe to run again after an interruption.
fn apply(out: &Path, journal: &str) -> Result<()> {
    let staging = out.join(STAGING);
    let lines: Vec<&str> = journal.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if let Some(path) = line.strip_prefix("put ") {
            let (from, to) = (inside(&staging, path)?, inside(out, path)?);
            if from.exists() {
                if let Some(dir) = Path::new(path).parent() {
                    // A link in the way is an error here, never written through.
                    crate::confine::make_dirs(out, dir).map_err(|e| {
                        Error::io(format!("cannot create {}", out.join(dir).display()), e)
                    })?;
                }
                fs::rename(&from, &to)
                    .map_err(|e| Error::io(format!("cannot replace {}", to.display()), e))?;
            }
        } else if let Some(path) = line.strip_prefix("del ") {
            let target = inside(out, path)?;
            // Only through real folders of the site: a linked folder's files are not ours.
            if !through_a_link(out, path) && fs::remove_file(&target).is_ok() {
                remove_empty_parents(out, &target);
            }
        }
        if i == lines.len() / 2 {
            failpoint("write-applying");
        }
    }
    let _ = fs::remove_dir_all(&staging);
    fs::remove_file(out.join(JOURNAL)).map_err(|e| Error::io("cannot finish the site journal", e))
}

/// The path of a site file under `root`; page paths never climb out of it.
fn inside(root: &Path, rel: &str) -> Result<PathBuf> {
    let ok = !rel.is_empty()
        && !rel.starts_with('/')
        && rel
            .split('/')
            .all(|c| !c.is_empty() && c != ".." && c != ".");
    if !ok {
        return Err(Error::io(
            format!("refusing to write outside the site folder: {rel}"),
            std::io::Error::from(std::io::ErrorKind::InvalidInput),
        ));
    }
    Ok(root.join(rel))
}

/// Whether a folder on the way from `out` to `rel` is a symbolic link.
fn through_a_link(out: &Path, rel: &str) -> bool {
    let mut dir = out.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    parts[..parts.len() - 1].iter().any(|c| {
        dir.push(c);
        crate::confine::is_link(&dir)
    })
}

fn put_file(target: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = target.parent() {
        fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    }
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    // Into folders repowiki just made; O_NOFOLLOW all the same.
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(target)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| Error::io(format!("cannot write {}", target.display()), e))
}

fn remove_empty_parents(out: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == out || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One whole write of these pages.
    fn write(pages: &[(&str, &str)], out: &Path) -> Result<WriteReport> {
        let mut writer = Writer::begin(out)?;
        for (path, bytes) in pages {
            writer.page(&Page {
                path: path.to_string(),
                bytes: bytes.as_bytes().to_vec(),
            })?;
        }
        writer.finish()
    }

    #[test]
    fn only_changed_pages_are_written_and_stale_ones_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let first = write(&[("index.html", "a"), ("files/x/y.html", "b")], &out).unwrap();
        assert_eq!((first.written, first.unchanged, first.removed), (2, 0, 0));
        fs::write(out.join("mine.txt"), "not repowiki's").unwrap();
        let again = write(&[("index.html", "a"), ("files/x/y.html", "b")], &out).unwrap();
        assert_eq!((again.written, again.unchanged, again.removed), (0, 2, 0));
        let changed = write(&[("index.html", "a2")], &out).unwrap();
        assert_eq!(
            (changed.written, changed.unchanged, changed.removed),
            (1, 0, 1)
        );
        assert_eq!(changed.changed, ["files/x/y.html", "index.html"]);
        assert!(!out.join("files").exists(), "empty folders go too");
        assert!(
            out.join("mine.txt").exists(),
            "files repowiki did not write stay"
        );
        assert!(!out.join(STAGING).exists() && !out.join(JOURNAL).exists());
    }

    #[test]
    fn a_committed_journal_is_carried_out_and_an_uncommitted_one_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        write(&[("index.html", "old"), ("gone.html", "x")], &out).unwrap();
        // Interrupted before the commit point: the live site is untouched, staging goes.
        put_file(&out.join(STAGING).join("index.html"), b"half").unwrap();
        recover(&out).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert!(!out.join(STAGING).exists());
        // Interrupted after it: the next write finishes the job first.
        put_file(&out.join(STAGING).join("index.html"), b"new").unwrap();
        fs::write(out.join(JOURNAL), "put index.html\ndel gone.html\n").unwrap();
        recover(&out).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "new");
        assert!(!out.join("gone.html").exists());
        assert!(!out.join(JOURNAL).exists());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_site_folder_is_swapped_whole_and_keeps_what_repowiki_did_not_write() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        write(
            &[
                ("index.html", "a"),
                ("files/x/y.html", "b"),
                ("k.html", "k"),
            ],
            &out,
        )
        .unwrap();
        fs::write(out.join("CNAME"), "wiki.example").unwrap();
        std::os::unix::fs::symlink("index.html", out.join("home.html")).unwrap();
        let (folder, kept) = (
            fs::metadata(&out).unwrap().ino(),
            fs::metadata(out.join("k.html")).unwrap().ino(),
        );
        let r = write(
            &[("index.html", "a2"), ("k.html", "k"), ("n/new.html", "n")],
            &out,
        )
        .unwrap();
        assert_eq!((r.written, r.unchanged, r.removed), (2, 1, 1));
        // A new folder (the exchange), the unchanged page the same file (a hard link).
        assert_ne!(fs::metadata(&out).unwrap().ino(), folder);
        assert_eq!(fs::metadata(out.join("k.html")).unwrap().ino(), kept);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "a2");
        assert_eq!(fs::read_to_string(out.join("n/new.html")).unwrap(), "n");
        assert_eq!(
            fs::read_to_string(out.join("CNAME")).unwrap(),
            "wiki.example"
        );
        assert_eq!(
            fs::read_link(out.join("home.html")).unwrap(),
            Path::new("index.html")
        );
        assert!(!out.join("files").exists());
        assert!(!out.join(STAGING).exists() && !next_path(&out).unwrap().exists());
    }

    #[test]
    fn paths_cannot_escape() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write(&[("../evil.html", "x")], dir.path()).is_err());
    }
}
