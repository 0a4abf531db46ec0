//! What the last build produced, kept beside the cache: enough to tell, without building,
//! which parts and pages are stale at a later commit (`repowiki status`, `repowiki check`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const FILE: &str = "state.json";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BuildState {
    /// The commit the site was built from.
    pub commit: String,
    pub out: String,
    /// A hash of the configuration and narrator the site was built with.
    pub settings: String,
    /// Every file of the tree at that commit, read or skipped, with its blob id.
    pub tree: BTreeMap<String, String>,
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
    std::fs::write(&tmp, bytes)
        .map_err(|e| Error::io(format!("cannot write {}", tmp.display()), e))?;
    std::fs::rename(&tmp, &path)
        .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}

/// The state of the last build, if there was one and it can be read.
pub fn load(cache_dir: &Path) -> Option<BuildState> {
    let bytes = std::fs::read(cache_dir.join(FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}
