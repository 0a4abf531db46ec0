//! Writes a rendered site into its folder: a file only when its bytes change (through a
//! temporary file and a rename, so no page is ever half-written), and the files of an earlier
//! build that are no longer part of the site removed. Only files that repowiki wrote (listed
//! in its manifest) are ever removed.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Site;
use crate::error::{Error, Result};

const MANIFEST: &str = ".repowiki-manifest";

#[derive(Debug, Clone, Default, Serialize)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Makes sure the output folder exists and can be written, before any work is done.
pub fn prepare(out: &Path) -> Result<()> {
    let fail = |source| Error::Output {
        path: out.to_path_buf(),
        source,
    };
    fs::create_dir_all(out).map_err(fail)?;
    let probe = out.join(format!(".repowiki-probe-{}", std::process::id()));
    fs::write(&probe, b"").map_err(fail)?;
    fs::remove_file(&probe).map_err(fail)
}

pub fn write(site: &Site, out: &Path) -> Result<WriteReport> {
    prepare(out)?;
    let mut report = WriteReport::default();
    let old: BTreeSet<String> = fs::read_to_string(out.join(MANIFEST))
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let mut new = BTreeSet::new();
    for page in &site.pages {
        let target = inside(out, &page.path)?;
        new.insert(page.path.clone());
        if fs::read(&target).is_ok_and(|bytes| bytes == page.bytes) {
            report.unchanged += 1;
            continue;
        }
        replace(&target, &page.bytes)?;
        report.written += 1;
    }
    for stale in old.difference(&new) {
        let Ok(target) = inside(out, stale) else {
            continue;
        };
        if fs::remove_file(&target).is_ok() {
            report.removed += 1;
            remove_empty_parents(out, &target);
        }
    }
    let manifest: String = new.iter().map(|p| format!("{p}\n")).collect();
    if fs::read_to_string(out.join(MANIFEST)).ok().as_deref() != Some(manifest.as_str()) {
        replace(&out.join(MANIFEST), manifest.as_bytes())?;
    }
    Ok(report)
}

/// The path of a site file under `out`; page paths never climb out of it.
fn inside(out: &Path, rel: &str) -> Result<PathBuf> {
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
    Ok(out.join(rel))
}

fn replace(target: &Path, bytes: &[u8]) -> Result<()> {
    let ctx = |what: &str| format!("{what} {}", target.display());
    if let Some(dir) = target.parent() {
        fs::create_dir_all(dir).map_err(|e| Error::io(ctx("cannot create the folder of"), e))?;
    }
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let tmp = target.with_file_name(format!(".{name}.repowiki-tmp"));
    fs::write(&tmp, bytes).map_err(|e| Error::io(ctx("cannot write"), e))?;
    fs::rename(&tmp, target).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(ctx("cannot replace"), e)
    })
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
    use super::super::Page;
    use super::*;

    fn site(pages: &[(&str, &str)]) -> Site {
        Site {
            pages: pages
                .iter()
                .map(|(p, b)| Page {
                    path: p.to_string(),
                    bytes: b.as_bytes().to_vec(),
                })
                .collect(),
        }
    }

    #[test]
    fn only_changed_pages_are_written_and_stale_ones_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let first = write(&site(&[("index.html", "a"), ("files/x/y.html", "b")]), &out).unwrap();
        assert_eq!((first.written, first.unchanged, first.removed), (2, 0, 0));
        fs::write(out.join("mine.txt"), "not repowiki's").unwrap();
        let again = write(&site(&[("index.html", "a"), ("files/x/y.html", "b")]), &out).unwrap();
        assert_eq!((again.written, again.unchanged, again.removed), (0, 2, 0));
        let changed = write(&site(&[("index.html", "a2")]), &out).unwrap();
        assert_eq!(
            (changed.written, changed.unchanged, changed.removed),
            (1, 0, 1)
        );
        assert!(!out.join("files").exists(), "empty folders go too");
        assert!(
            out.join("mine.txt").exists(),
            "files repowiki did not write stay"
        );
    }

    #[test]
    fn paths_cannot_escape() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write(&site(&[("../evil.html", "x")]), dir.path()).is_err());
    }
}
