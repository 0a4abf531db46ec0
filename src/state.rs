//! What the last build produced, kept beside the cache: enough to tell, without building,
//! which parts and pages are stale at a later commit (`repowiki status`, `repowiki check`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const FILE: &str = "state.json";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BuildState {
    /// The commit the site was built from.
    pub commit: String,
    pub out: String,
    /// A hash of the configuration and narrator the site was built with.
    pub settings: String,
    /// The same without what only that build's flags and format added: what `status` can
    /// compute again without knowing them.
    #[serde(default)]
    pub settings_base: String,
    /// Every file of the tree at that commit, read or skipped, with its blob id.
    pub tree: BTreeMap<String, String>,
    /// The report of that build.
    pub report: Option<crate::Report>,
    /// Every file of the site as written: path -> (length, modification time in ns).
    pub site: BTreeMap<String, (u64, u64)>,
    /// The input key of each file and part page (see `site::file_page_key`,
    /// `site::part_page_key`).
    pub page_keys: BTreeMap<String, String>,
    /// Per part page, the texts its narrative asked the grounder about (see
    /// `site::part_page_key`).
    #[serde(default)]
    pub asked: BTreeMap<String, Vec<String>>,
    pub parts: Vec<PartState>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PartState {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub members: Vec<String>,
}

pub fn save(cache_dir: &Path, state: &BuildState) -> Result<()> {
    let path = cache_dir.join(FILE);
    let tmp = cache_dir.join(format!("{FILE}.tmp"));
    let bytes = serde_json::to_vec(state).expect("the state serialises");
    let _ = std::fs::remove_file(&tmp);
    crate::confine::write(cache_dir, Path::new(&format!("{FILE}.tmp")), &bytes, false)
        .map_err(|e| Error::io(format!("cannot write {}", tmp.display()), e))?;
    std::fs::rename(&tmp, &path)
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}

/// The state of the last build, if there was one and it can be read.
pub fn load(cache_dir: &Path) -> Option<BuildState> {
    let bytes = crate::confine::read(cache_dir, Path::new(FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Only the commit the last build described: the rest of the state is skipped, not kept.
pub fn load_commit(cache_dir: &Path) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Commit {
        commit: String,
    }
    let bytes = crate::confine::read(cache_dir, Path::new(FILE)).ok()?;
    serde_json::from_slice::<Commit>(&bytes)
        .ok()
        .map(|c| c.commit)
}

/// Length and modification time of each site file, to tell later that nobody changed them.
pub fn fingerprint<'a>(
    out: &Path,
    pages: impl Iterator<Item = &'a str>,
) -> BTreeMap<String, (u64, u64)> {
    pages
        .filter_map(|p| Some((p.to_string(), stat(&out.join(p))?)))
        .collect()
}

/// Whether one site file is still as the fingerprint says.
pub fn file_matches(out: &Path, path: &str, site: &BTreeMap<String, (u64, u64)>) -> bool {
    site.get(path)
        .is_some_and(|want| stat(&out.join(path)).as_ref() == Some(want))
}

/// Whether every file of the site is still as the fingerprint says (and no write was cut off).
pub fn site_matches(out: &Path, site: &BTreeMap<String, (u64, u64)>) -> bool {
    !site.is_empty()
        && !out.join(".repowiki-journal").exists()
        && site
            .iter()
            .all(|(p, want)| stat(&out.join(p)).as_ref() == Some(want))
}

/// Of the path itself: a link put where a page was never matches.
fn stat(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some((meta.len(), mtime.as_nanos() as u64))
}
