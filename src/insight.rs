//! Stage 6: facts from the history for every file and part: commits, first and last change,
//! who works on it, and the commits that shaped it. (Merges are left out: the commits they
//! bring in are already counted.)

use std::collections::{BTreeMap, BTreeSet};

use crate::cluster::Clusters;
use crate::history::History;
use crate::parse::Parsed;

#[derive(Debug, Clone, Default)]
pub struct Activity {
    /// Indices into `History::commits`, newest first, merges left out.
    pub commits: Vec<usize>,
    pub lines_added: u64,
    pub lines_removed: u64,
    /// Author and commit count, most commits first.
    pub authors: Vec<(String, usize)>,
}

impl Activity {
    pub fn first(&self) -> Option<usize> {
        self.commits.last().copied()
    }

    pub fn last(&self) -> Option<usize> {
        self.commits.first().copied()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Insights {
    pub files: BTreeMap<String, Activity>,
    /// One per cluster, in cluster order.
    pub clusters: Vec<ClusterActivity>,
    /// Files of the snapshot by number of commits, most first.
    pub most_changed: Vec<(String, usize)>,
    pub authors: Vec<(String, usize)>,
}

#[derive(Debug, Clone, Default)]
pub struct ClusterActivity {
    pub activity: Activity,
    /// The commits that shaped the part, oldest first.
    pub notable: Vec<usize>,
}

pub fn analyse(history: &History, parsed: &Parsed, clusters: &Clusters) -> Insights {
    let mut files = BTreeMap::new();
    for file in &parsed.files {
        let touches: Vec<_> = history
            .touches(&file.path)
            .iter()
            .filter(|t| !history.commits[t.commit].is_merge())
            .collect();
        let mut commits: Vec<usize> = touches.iter().map(|t| t.commit).collect();
        commits.dedup();
        let mut activity = activity_of(history, commits);
        for &&t in &touches {
            activity.lines_added += history.change(t).added as u64;
            activity.lines_removed += history.change(t).removed as u64;
        }
        files.insert(file.path.clone(), activity);
    }

    let clusters_activity = clusters
        .clusters
        .iter()
        .map(|cluster| {
            let set: BTreeSet<usize> = cluster
                .members
                .iter()
                .filter_map(|m| files.get(m))
                .flat_map(|a: &Activity| a.commits.iter().copied())
                .collect();
            let commits: Vec<usize> = set.into_iter().collect(); // ascending index = newest first
            let members: BTreeSet<&str> = cluster.members.iter().map(String::as_str).collect();
            let notable = notable_commits(history, &commits, &members);
            let mut activity = activity_of(history, commits);
            for m in &cluster.members {
                if let Some(a) = files.get(m) {
                    activity.lines_added += a.lines_added;
                    activity.lines_removed += a.lines_removed;
                }
            }
            ClusterActivity { activity, notable }
        })
        .collect();

    let mut most_changed: Vec<(String, usize)> = files
        .iter()
        .filter(|(_, a)| !a.commits.is_empty())
        .map(|(p, a)| (p.clone(), a.commits.len()))
        .collect();
    most_changed.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let all: Vec<usize> = (0..history.commits.len())
        .filter(|&i| !history.commits[i].is_merge())
        .collect();
    Insights {
        authors: activity_of(history, all).authors,
        files,
        clusters: clusters_activity,
        most_changed,
    }
}

fn activity_of(history: &History, commits: Vec<usize>) -> Activity {
    let mut by_author: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in &commits {
        *by_author.entry(&history.commits[i].author).or_default() += 1;
    }
    let mut authors: Vec<(String, usize)> = by_author
        .into_iter()
        .map(|(a, n)| (a.to_string(), n))
        .collect();
    authors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Activity {
        commits,
        authors,
        ..Default::default()
    }
}

/// Ranks a part's commits by how much they say about it: how many of its files they touch or
/// create, how much the message explains, and conventional `feat`/`refactor`/breaking markers.
/// The commit that began the part is always kept. Oldest first.
fn notable_commits(history: &History, commits: &[usize], members: &BTreeSet<&str>) -> Vec<usize> {
    const KEEP: usize = 8;
    let mut scored: Vec<(u32, usize)> = commits
        .iter()
        .map(|&i| {
            let c = &history.commits[i];
            let touched = c
                .changes
                .iter()
                .filter(|ch| members.contains(ch.path.as_str()));
            let (mut files, mut created) = (0u32, 0u32);
            for ch in touched {
                files += 1;
                if ch.kind == crate::history::ChangeKind::Added {
                    created += 1;
                }
            }
            let subject = c.subject().to_ascii_lowercase();
            let body_lines = c
                .message
                .lines()
                .skip(1)
                .filter(|l| !l.trim().is_empty())
                .count();
            let mut score = files.min(10) + 3 * created.min(5) + (body_lines as u32).min(10);
            if subject.starts_with("feat") || subject.starts_with("refactor") {
                score += 5;
            }
            if subject.contains("breaking") || subject.contains("!:") {
                score += 8;
            }
            (score, i)
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut keep: Vec<usize> = scored.iter().take(KEEP).map(|&(_, i)| i).collect();
    if let Some(&first) = commits.last() {
        if !keep.contains(&first) {
            keep.pop();
            keep.push(first);
        }
    }
    keep.sort_by(|a, b| b.cmp(a));
    keep
}
