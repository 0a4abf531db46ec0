//! Which parts and pages of the site are stale at a revision, and why, without building:
//! the tree at the revision against the state the last build recorded.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use git2::Oid;
use serde::Serialize;

use crate::error::Result;
use crate::site::paths::PageMap;
use crate::state;
use crate::Workspace;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Staleness {
    /// The commit the site was built from (none if it never was).
    pub built: Option<String>,
    /// The commit it should describe.
    pub target: String,
    /// Commits since the built one, newest first: short id and subject.
    pub commits: Vec<(String, String)>,
    /// Path -> "added", "modified" or "deleted".
    pub files: BTreeMap<String, String>,
    /// Stale parts by name, with the changed files that make them so.
    pub parts: BTreeMap<String, Vec<String>>,
    /// Pages (relative to the site root) that will be rewritten.
    pub pages: Vec<String>,
    /// Why everything is stale, when it is (no build yet, site missing, settings changed).
    pub everything: Option<String>,
    /// Pages of the site that were edited or deleted on disk since the last build wrote them.
    pub damaged: Vec<String>,
}

impl Staleness {
    pub fn is_stale(&self) -> bool {
        self.everything.is_some()
            || !self.damaged.is_empty()
            || self.built.as_deref() != Some(self.target.as_str())
    }

    /// What `repowiki status` prints.
    pub fn describe(&self) -> String {
        let short = |id: &str| id[..id.len().min(7)].to_string();
        if !self.is_stale() {
            return format!("The wiki is up to date at {}.\n", short(&self.target));
        }
        let mut s = String::new();
        if let Some(why) = &self.everything {
            s += &format!(
                "The whole wiki is stale at {}: {why}.\n",
                short(&self.target)
            );
            return s;
        }
        if !self.damaged.is_empty() {
            let mut shown: Vec<&str> = self.damaged.iter().take(10).map(String::as_str).collect();
            let more = format!("and {} more", self.damaged.len().saturating_sub(10));
            if self.damaged.len() > 10 {
                shown.push(&more);
            }
            s += &format!(
                "{} page{} of the wiki changed or went missing on disk since the last build: {}\n",
                self.damaged.len(),
                if self.damaged.len() == 1 { "" } else { "s" },
                shown.join(", ")
            );
            if self.built.as_deref() == Some(self.target.as_str()) {
                return s;
            }
        }
        s += &format!(
            "The wiki was built from {} and is {} commit{} behind {}:\n",
            short(self.built.as_deref().unwrap_or("")),
            self.commits.len(),
            if self.commits.len() == 1 { "" } else { "s" },
            short(&self.target)
        );
        for (id, subject) in &self.commits {
            s += &format!("  {id} {subject}\n");
        }
        if !self.files.is_empty() {
            s += "Changed files:\n";
            for (path, how) in &self.files {
                s += &format!("  {how:<9} {path}\n");
            }
        }
        if !self.parts.is_empty() {
            s += "Stale parts:\n";
            for (name, files) in &self.parts {
                s += &format!("  {name} ({})\n", files.join(", "));
            }
        }
        s += &format!("Pages to rewrite: {}\n", self.pages.join(", "));
        s
    }
}

/// Compares the tree at `rev` with what the last build recorded in `cache_dir`. `out`: the
/// site folder asked about; none: the one the last build wrote (HTML or markdown).
/// `settings`: `settings_hash` with the narrator's id alone (no flags, no format).
pub fn status(
    ws: &Workspace,
    rev: Option<&str>,
    cache_dir: &Path,
    out: Option<&Path>,
    settings: &str,
) -> Result<Staleness> {
    let target = ws.resolve(rev)?;
    let mut result = Staleness {
        target: target.to_string(),
        ..Default::default()
    };
    let Some(last) = state::load(cache_dir) else {
        result.everything = Some("no build has been recorded".into());
        return Ok(result);
    };
    result.built = Some(last.commit.clone());
    let last_out = Path::new(&last.out);
    let out = out.unwrap_or(last_out);
    if out != last_out {
        result.everything = Some(format!(
            "the last build wrote {}, not {}",
            last_out.display(),
            out.display()
        ));
        return Ok(result);
    }
    let entry = last.report.as_ref().map_or("index.html", |r| r.entry());
    if !crate::confine::is_link(out) && !out.join(entry).is_file() {
        result.everything = Some(format!("the site at {} is missing", out.display()));
        return Ok(result);
    }
    let same = if last.settings_base.is_empty() {
        last.settings == settings
    } else {
        last.settings_base == settings
    };
    if !same {
        result.everything = Some("the configuration changed since the last build".into());
        return Ok(result);
    }
    // Pages someone edited or deleted: a rebuild puts them back.
    result.damaged = last
        .site
        .keys()
        .filter(|p| !state::file_matches(out, p, &last.site))
        .cloned()
        .collect();
    if last.commit == result.target {
        return Ok(result);
    }

    let mut walk = ws.repo.revwalk()?;
    walk.push(target)?;
    if let Ok(built) = Oid::from_str(&last.commit) {
        let _ = walk.hide(built);
    }
    for oid in walk.take(500) {
        let Ok(commit) = ws.repo.find_commit(oid?) else {
            continue;
        };
        let id = commit.id().to_string();
        let subject = String::from_utf8_lossy(commit.summary_bytes().unwrap_or(b"")).into_owned();
        // Printed to a terminal: secrets cut out, control characters shown (see main).
        let subject = crate::secrets::clean(&subject).into_owned();
        result.commits.push((id[..7].to_string(), subject));
    }

    let tree = crate::snapshot::tree_blobs(&ws.repo, target)?;
    for (path, blob) in &tree {
        match last.tree.get(path) {
            None => {
                result.files.insert(path.clone(), "added".into());
            }
            Some(old) if old != blob => {
                result.files.insert(path.clone(), "modified".into());
            }
            _ => {}
        }
    }
    for path in last.tree.keys().filter(|p| !tree.contains_key(*p)) {
        result.files.insert(path.clone(), "deleted".into());
    }

    let mut pages: BTreeSet<String> = ["index.html", "history.html", "site-info.js"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let new_pages = PageMap::new(tree.keys().map(String::as_str));
    let old_pages = PageMap::new(last.tree.keys().map(String::as_str));
    for path in result.files.keys() {
        if let Some(p) = new_pages.file(path).or(old_pages.file(path)) {
            pages.insert(p.to_string());
        }
        let part = last.parts.iter().find(|p| p.members.contains(path));
        if let Some(part) = part {
            result
                .parts
                .entry(part.name.clone())
                .or_default()
                .push(path.clone());
            pages.insert(PageMap::part(&part.slug));
        } else if !matches!(result.files[path].as_str(), "deleted") {
            result
                .parts
                .entry("(a part to be found)".into())
                .or_default()
                .push(path.clone());
        }
    }
    result.pages = pages.into_iter().collect();
    Ok(result)
}
