//! Stage 1: walk every commit reachable from the revision and record what each one changed.
//!
//! Each commit is diffed against its first parent (merges included, flagged as merges), with
//! rename detection, so that a file's history follows it across renames. Lines are counted for
//! the commits that are not merges: a merge's lines are its branches' commits', which are
//! counted already (`git log --numstat` does not diff merges either).

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use git2::{Delta, DiffFindOptions, DiffOptions, ObjectType, Oid, Repository, Sort};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cache::{CacheUse, Space};
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileChange {
    /// The path after the commit (for a deletion, the path that was deleted).
    pub path: String,
    /// For a rename, the path before it.
    pub old_path: Option<String>,
    pub kind: ChangeKind,
    pub added: u32,
    pub removed: u32,
    /// The diff's hunks, `[old_start, old_lines, new_start, new_lines]` as a unified diff with
    /// no context says them: what a line-range history maps lines back through. Empty for an
    /// added or deleted file, and for a change of more than `MAX_HUNKS` hunks (not traced).
    #[serde(default)]
    pub hunks: Vec<[u32; 4]>,
}

/// Most hunks kept of one change: a rewrite is traced no further back.
pub const MAX_HUNKS: usize = 2_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Commit {
    pub id: String,
    pub parents: Vec<String>,
    pub author: String,
    /// A hash of the author's email, lower-cased: enough to tell one person's commits
    /// together (and to apply `.mailmap`); the address itself is kept nowhere.
    #[serde(default)]
    pub email: String,
    pub time: i64,
    pub message: String,
    pub changes: Vec<FileChange>,
}

impl Commit {
    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }

    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(7)]
    }

    /// The first line of the message.
    pub fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("").trim()
    }

    /// A commit a bot authored (dependabot, renovate, github-actions, pre-commit-ci, …).
    pub fn by_bot(&self) -> bool {
        is_bot(&self.author)
    }

    /// A release or version bump, a dependency bump, or a formatting-only commit.
    pub fn is_routine(&self) -> bool {
        static ROUTINE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(
                r"(?ix)^(?:
                    (?:chore|build|ci|deps|release)(?:\([^)]*\))?!?:\s*(?:bump|release|version|update\s+(?:dependenc|deps|version)|prepare|publish|v?\d+\.\d+)
                  | (?:chore|build)\(deps(?:-dev)?\)
                  | \[?(?:bump|release|version|publish)\]?\b.*\bv?\d+\.\d+
                  | bump\s+(?:the\s+)?(?:version|deps|dependencies)\b
                  | prepare\s+(?:for\s+)?(?:the\s+)?(?:next\s+)?release
                  | update\s+(?:the\s+)?(?:version|changelog)\b
                  | v?\d+\.\d+(?:\.\d+)?(?:[-+.][0-9a-z.]+)?$
                  | style(?:\([^)]*\))?!?:
                  | (?:run|ran|apply|applied)?\s*(?:cargo\s+fmt|rustfmt|black|prettier|isort|ruff\s+format|gofmt|clang-format)\b
                  | (?:re)?format(?:ted|ting)?\s+(?:the\s+)?(?:code|files|sources)\b
                  | fix\s+(?:formatting|lint|linting|clippy|typos?)\b
                )",
            )
            .expect("a valid pattern")
        });
        ROUTINE.is_match(self.subject())
    }

    /// Merges, bots' commits, bumps and formatting: none of them shaped the code.
    pub fn is_noise(&self) -> bool {
        self.is_merge() || self.by_bot() || self.is_routine()
    }
}

/// Names bots commit under.
pub fn is_bot(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with("[bot]")
        || name.ends_with("-bot")
        || name.ends_with(" bot")
        || [
            "dependabot",
            "renovate",
            "github-actions",
            "pre-commit-ci",
            "greenkeeper",
            "snyk",
            "mergify",
            "allcontributors",
            "imgbot",
            "semantic-release",
            "bors",
            "homu",
        ]
        .iter()
        .any(|b| name.starts_with(b))
}

#[derive(Debug, Clone, Default)]
pub struct History {
    /// Newest first (topological, then by time).
    pub commits: Vec<Commit>,
    /// The repository is a shallow clone: older history is missing.
    pub shallow: bool,
    /// `--since` or `--max-commits` left older commits out.
    pub bounded: bool,
    /// For each path as it is at the revision (renames followed back), the changes made to it,
    /// newest first.
    pub by_path: BTreeMap<String, Vec<Touch>>,
    /// Per commit, whether it is noise (`Commit::is_noise`), worked out once on all cores:
    /// every part and page asks again about the same commits.
    pub(crate) noise: std::sync::OnceLock<Vec<bool>>,
}

/// One change to a file: `commits[commit].changes[change]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Touch {
    pub commit: usize,
    pub change: usize,
}

impl History {
    /// Older history is missing (a shallow clone, or bounds asked for): pages say so.
    pub fn partial(&self) -> bool {
        self.shallow || self.bounded
    }

    pub fn touches(&self, path: &str) -> &[Touch] {
        self.by_path.get(path).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Indices of the commits that changed `path` (renames followed), newest first.
    pub fn commits_of(&self, path: &str) -> impl Iterator<Item = usize> + '_ {
        self.touches(path).iter().map(|t| t.commit)
    }

    pub fn change(&self, touch: Touch) -> &FileChange {
        &self.commits[touch.commit].changes[touch.change]
    }

    /// Whether `commits[i]` is a merge, a bot's commit, a bump or formatting.
    pub fn is_noise(&self, i: usize) -> bool {
        self.noise
            .get_or_init(|| self.commits.par_iter().map(Commit::is_noise).collect())
            .get(i)
            .copied()
            .unwrap_or(false)
    }
}

/// The history of a range of lines of a file, in the spirit of `git log -L`: going back from
/// the revision, each commit's hunks tell whether it changed the lines and where they were
/// before it. Merges are skipped (their changes are their branches' commits); on branches
/// that ran side by side the mapping can drift by the lines the other branch moved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineStory {
    /// The commit whose change made all of the lines (or added the file).
    pub created: Option<usize>,
    /// The other commits that changed the lines, newest first, with how many of them.
    pub changes: Vec<(usize, u32)>,
}

/// The story of lines `start..=end` (1-based) of `path` at the revision.
pub fn line_story(history: &History, path: &str, start: u32, end: u32) -> LineStory {
    let mut story = LineStory::default();
    let (mut a, mut b) = (start, end.max(start));
    for &touch in history.touches(path) {
        let commit = &history.commits[touch.commit];
        if commit.is_merge() {
            continue;
        }
        let change = history.change(touch);
        match change.kind {
            ChangeKind::Added => {
                story.created = Some(touch.commit);
                break;
            }
            ChangeKind::Deleted => continue,
            ChangeKind::Modified | ChangeKind::Renamed => {}
        }
        if change.hunks.is_empty() {
            if change.added + change.removed > 0 {
                // Too big a change to trace through.
                break;
            }
            continue;
        }
        let touched: u32 = change.hunks.iter().map(|h| overlap(h, a, b)).sum();
        match map_back(&change.hunks, a, b) {
            Some((x, y)) => {
                if touched > 0 {
                    story.changes.push((touch.commit, touched));
                }
                (a, b) = (x, y);
            }
            None => {
                story.created = Some(touch.commit);
                break;
            }
        }
    }
    story
}

/// How many of lines `a..=b` a hunk changed: its new lines among them, or, for a deletion
/// inside them, the lines it deleted.
fn overlap(h: &[u32; 4], a: u32, b: u32) -> u32 {
    let [_, old_lines, new_start, new_lines] = *h;
    if new_lines == 0 {
        // Deleted after new line `new_start`.
        return if new_start >= a && new_start < b {
            old_lines
        } else {
            0
        };
    }
    let (s, e) = (new_start, new_start + new_lines - 1);
    let (lo, hi) = (s.max(a), e.min(b));
    if lo <= hi {
        hi - lo + 1
    } else {
        0
    }
}

/// Where new lines `a..=b` were before the change: the first and last of them that the
/// change did not add, mapped to old line numbers; `None` when it added them all.
fn map_back(hunks: &[[u32; 4]], a: u32, b: u32) -> Option<(u32, u32)> {
    let added = |x: u32| {
        hunks
            .iter()
            .any(|&[_, _, s, n]| n > 0 && x >= s && x < s + n)
    };
    let old = |x: u32| -> u32 {
        let mut shift: i64 = 0;
        for &[_, old_lines, s, n] in hunks {
            let before = if n > 0 { s + n - 1 < x } else { s < x };
            if before {
                shift += old_lines as i64 - n as i64;
            }
        }
        (x as i64 + shift).max(1) as u32
    };
    // A hunk can add thousands of lines: step over whole hunks, not line by line.
    let next_kept = |mut x: u32, step_up: bool| -> Option<u32> {
        for _ in 0..=hunks.len() {
            if x < a || x > b {
                return None;
            }
            match hunks
                .iter()
                .find(|&&[_, _, s, n]| n > 0 && x >= s && x < s + n)
            {
                None => return Some(x),
                Some(&[_, _, s, n]) => {
                    x = if step_up { s + n } else { s.checked_sub(1)? };
                }
            }
        }
        None
    };
    let first = next_kept(a, true)?;
    let last = next_kept(b, false)?;
    debug_assert!(!added(first) && !added(last));
    Some((old(first), old(last)))
}

/// Bounds on how much history to read, for huge histories (`--since`, `--max-commits`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// Leave out commits older than this (Unix time).
    pub since: Option<i64>,
    /// Read at most this many commits, newest first.
    pub max_commits: Option<usize>,
}

/// How much of the repository's pack files libgit2 keeps mapped at once. Its default (8 GiB on
/// 64-bit) lets a crawl of a large history keep every window it ever read, and mapped pages count
/// in the process's memory (80 MiB of rust-analyzer's peak); a window dropped is mapped again
/// from the page cache, which costs little.
const MAPPED_PACK_LIMIT: usize = 32 << 20;

/// How much libgit2 keeps of the trees and commits it parsed (its default: 256 MiB). A crawl
/// reads each tree about twice, the second time soon after the first, so a small cache keeps
/// what is read again; the default only held on to the rest. rust-analyzer's cold build, same
/// machine: 16 MiB gave a peak of 372 MiB against 419 MiB, its time within run-to-run noise.
const OBJECT_CACHE_LIMIT: isize = 16 << 20;

fn limit_git_memory() {
    // SAFETY: sets a global of libgit2's before this process maps any pack window for the
    // crawl; libgit2 takes its own lock around the window list.
    if let Err(e) = unsafe { git2::opts::set_mwindow_mapped_limit(MAPPED_PACK_LIMIT) } {
        debug_assert!(false, "{e}");
    }
    // SAFETY: as above, a global set before the crawl reads any object.
    if let Err(e) = unsafe { git2::opts::set_cache_max_size(OBJECT_CACHE_LIMIT) } {
        debug_assert!(false, "{e}");
    }
}

/// Walks the history reachable from `rev` (a commit id). A commit never changes, so what it
/// changed comes from the cache when an earlier build diffed it (from the pack of the history,
/// see `crawl_packed`; in a shallow clone or with replace refs, one cache entry per commit);
/// the others are diffed on all cores, one repository handle per worker (git2's handles are
/// not shared between threads). Returns the history and how many commits were diffed now.
pub fn crawl(
    repo: &Repository,
    rev: Oid,
    limits: &Limits,
    cache: &CacheUse,
) -> Result<(History, usize)> {
    // Objects come from the repository's own store: hashing each one again on every read
    // (libgit2's default) would cost as much as the diffs themselves.
    git2::opts::strict_hash_verification(false);
    limit_git_memory();
    // Grafts (`info/grafts`) cut or rewrite the history as a shallow clone does: said the same.
    let shallow = repo.is_shallow() || !grafted(repo).is_empty();
    // git honours replace refs (`git replace`); libgit2 does not: with any, the history is
    // walked and read from the objects, each replaced commit as its replacement says.
    let replaced = replaced_commits(repo);
    if replaced.is_empty() && !shallow {
        return crawl_packed(repo, rev, limits, cache);
    }
    let (ids, bounded) = match replaced.is_empty() {
        // libgit2's walk stops at a commit it cannot parse: walked again from the objects.
        true => walk(repo, rev, limits).unwrap_or_else(|_| walk_objects(repo, rev, limits)),
        false => walk_objects(repo, rev, limits),
    };
    // With replace refs a commit is not what its id alone says (nor, through its parent's
    // tree, is its diff): nothing from the cache, nothing into it.
    let mut commits: Vec<Option<Commit>> = ids
        .iter()
        .map(|id| match replaced.is_empty() {
            true => cache.get(Space::Commits, &id.to_string()),
            false => None,
        })
        .collect();
    let missing: Vec<usize> = (0..ids.len()).filter(|&i| commits[i].is_none()).collect();
    let boundary = shallow_boundary(repo);
    let wanted: Vec<Oid> = missing.iter().map(|&i| ids[i]).collect();
    let read = read_commits(repo, rev, &wanted, &replaced, &boundary)?;
    let diffed = read.len();
    let encoded: Vec<(String, Vec<u8>)> = read
        .par_iter()
        .filter(|(_, complete)| *complete)
        .map(|(c, _)| (c.id.clone(), CacheUse::encode(c)))
        .collect();
    for (&i, (commit, _)) in missing.iter().zip(read) {
        commits[i] = Some(commit);
    }
    cache.put_encoded(Space::Commits, &encoded);
    let commits: Vec<Commit> = commits.into_iter().flatten().collect();
    let by_path = follow_paths(&commits);
    Ok((
        History {
            commits: join_identities(commits, &mailmap_at(repo, rev)),
            shallow,
            bounded,
            by_path,
            noise: Default::default(),
        },
        diffed,
    ))
}

/// The commits a crawl keeps between builds, in segments stored whole (a rebuild reads a few
/// large values, not one per commit, and decodes them on all cores); a build adds one segment
/// for the commits it read, and small segments are merged once there are many of them.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Pack {
    /// (key, commits in it).
    segments: Vec<(String, usize)>,
}

const PACK_KEY: &str = "pack";
/// Most commits in a segment a crawl writes: what one value of the cache holds, and what memory
/// holds encoded at once during a cold crawl.
const SEGMENT: usize = 4096;
/// Segments smaller than half of `SEGMENT` beyond this many are merged into one.
const SMALL_SEGMENTS: usize = 8;

/// The pack and what its segments hold, in the pack's order (nothing when it is missing or
/// damaged: a cache is never a reason to fail, and the commits are read again).
fn load_pack(cache: &CacheUse) -> (Pack, Vec<Vec<Commit>>) {
    let Some(mut pack) = cache.get::<Pack>(Space::Commits, PACK_KEY) else {
        return Default::default();
    };
    let segments: Vec<Option<Vec<Commit>>> = pack
        .segments
        .par_iter()
        .map(|(key, _)| cache.get::<Vec<Commit>>(Space::Commits, key))
        .collect();
    // A segment that is gone or does not decode is dropped from the pack (its commits are read
    // again and kept in a new one), so that it is not tried again at every build.
    let mut readable = segments.iter().map(Option::is_some);
    pack.segments.retain(|_| readable.next().unwrap_or(false));
    (pack, segments.into_iter().flatten().collect())
}

/// The order of the commits reachable from `head`, newest first, as `topological` gives it
/// with no limits: for each commit, its segment (an index into `segments`, keys of the pack)
/// and its place there. A rebuild whose new commits are a line of one-parent commits on top
/// of `head` puts them in front of it (the walk would give the same order, see
/// `line_onto`): no graph of the whole history is built, no commit looked up by id.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Order {
    head: String,
    segments: Vec<String>,
    places: Vec<(u32, u32)>,
}

const ORDER_KEY: &str = "order";

/// The commits from `rev` down to `head`, `head` left out, newest first, when each of them has
/// exactly one parent (and there are not more than a segment's worth). Then `topological`
/// from `rev` gives them first, in this order, and then `head`'s order as it was: each of
/// them is the only commit ready when it comes out (its one child came just before), none is
/// an ancestor of `head`, and once they are out the walk stands where a walk from `head`
/// starts.
fn line_onto(repo: &Repository, rev: Oid, head: Oid) -> Option<Vec<Oid>> {
    let mut line = Vec::new();
    let mut id = rev;
    while id != head {
        if line.len() >= SEGMENT {
            return None;
        }
        let commit = repo.find_commit(id).ok()?;
        if commit.parent_count() != 1 {
            return None;
        }
        line.push(id);
        id = commit.parent_id(0).ok()?;
    }
    Some(line)
}

/// The commits `order` names, taken out of `segments` (aligned with `keys`), newest first,
/// each with where it is kept; `None` when the order does not fit what the pack holds (a
/// segment merged away, a place out of range), and then nothing is taken.
fn take_in_order(
    order: &Order,
    keys: &[String],
    segments: &mut [Vec<Option<Commit>>],
) -> Option<Vec<Entry>> {
    let index: Vec<u32> = order
        .segments
        .iter()
        .map(|k| keys.iter().position(|key| key == k).map(|i| i as u32))
        .collect::<Option<_>>()?;
    let mut seen: Vec<Vec<bool>> = segments.iter().map(|s| vec![false; s.len()]).collect();
    for &(s, i) in &order.places {
        let s = *index.get(s as usize)? as usize;
        let slot = seen[s].get_mut(i as usize)?;
        if *slot || segments[s][i as usize].is_none() {
            return None;
        }
        *slot = true;
    }
    Some(
        order
            .places
            .iter()
            .map(|&(s, i)| {
                let s = index[s as usize];
                let commit = segments[s as usize][i as usize].take().expect("checked");
                (commit, Some((s, i)))
            })
            .collect(),
    )
}

/// Whether the cache keeps no commit of any history (a cold build reads them all from git).
/// A shallow clone's commits are kept one by one, not in the pack: it counts as nothing kept
/// (its crawl is short either way).
pub fn nothing_kept(cache: &CacheUse) -> bool {
    cache
        .get::<Pack>(Space::Commits, PACK_KEY)
        .is_none_or(|p| p.segments.is_empty())
}

/// Stores `commits` as one segment of the pack; returns its entry.
fn put_segment(cache: &CacheUse, commits: &[&Commit]) -> (String, usize) {
    let mut h = blake3::Hasher::new();
    for c in commits {
        h.update(c.id.as_bytes());
    }
    let key = format!("{PACK_KEY}/{}", &h.finalize().to_hex()[..24]);
    cache.put(Space::Commits, &key, &commits);
    (key, commits.len())
}

/// A commit and where the pack keeps it (segment, place), if it does.
type Entry = (Commit, Option<(u32, u32)>);

/// The crawl of a full history (no replace refs, not shallow): the commits the pack holds are
/// taken from it, parents and all, so that a rebuild reads from git only the commits that are
/// new; the rest are diffed on all cores, a segment at a time. When the new commits are a line
/// on top of the last build's (see `Order`), the pack's order is taken as it is.
fn crawl_packed(
    repo: &Repository,
    rev: Oid,
    limits: &Limits,
    cache: &CacheUse,
) -> Result<(History, usize)> {
    let (mut pack, segments) = load_pack(cache);
    let keys: Vec<String> = pack.segments.iter().map(|s| s.0.clone()).collect();
    let mut segments: Vec<Vec<Option<Commit>>> = segments
        .into_iter()
        .map(|s| s.into_iter().map(Some).collect())
        .collect();
    let unbounded = limits.since.is_none() && limits.max_commits.is_none();
    let order = unbounded
        .then(|| cache.get::<Order>(Space::Commits, ORDER_KEY))
        .flatten();
    let on_order = order.as_ref().and_then(|order| {
        let line = line_onto(repo, rev, Oid::from_str(&order.head).ok()?)?;
        Some((line, take_in_order(order, &keys, &mut segments)?))
    });
    // New segments, in the order they are added after the pack's.
    let mut added = Vec::new();
    let none = std::collections::HashSet::new();
    let (mut entries, bounded, diffed, same_order) = match on_order {
        Some((line, taken)) => {
            let read = read_commits(repo, rev, &line, &none, &[])?;
            let diffed = read.len();
            let mut entries = keep_read(cache, read, keys.len(), &mut added);
            entries.extend(taken);
            (entries, false, diffed, diffed == 0)
        }
        None => {
            let (entries, bounded, diffed) =
                walk_packed(repo, rev, limits, cache, segments, keys.len(), &mut added)?;
            (entries, bounded, diffed, false)
        }
    };
    if !added.is_empty() {
        pack.segments.extend(added);
        compact(cache, &mut pack, &mut entries);
        cache.put(Space::Commits, PACK_KEY, &pack);
    }
    // The order of `rev`, for the next build, when every commit of it is kept.
    let places: Option<Vec<(u32, u32)>> = entries.iter().map(|e| e.1).collect();
    if let Some(places) = places.filter(|_| unbounded && !bounded && !same_order) {
        let segments = pack.segments.iter().map(|s| s.0.clone()).collect();
        let head = rev.to_string();
        cache.put(
            Space::Commits,
            ORDER_KEY,
            &Order {
                head,
                segments,
                places,
            },
        );
    }
    let commits: Vec<Commit> = entries.into_iter().map(|e| e.0).collect();
    let by_path = follow_paths(&commits);
    Ok((
        History {
            commits: join_identities(commits, &mailmap_at(repo, rev)),
            shallow: false,
            bounded,
            by_path,
            noise: Default::default(),
        },
        diffed,
    ))
}

/// Keeps the complete ones of `read` (just read from git) as a new segment, the `index`-th
/// of the pack's; returns them all, in their order, each with where it is kept.
fn keep_read(
    cache: &CacheUse,
    read: Vec<(Commit, bool)>,
    index: usize,
    added: &mut Vec<(String, usize)>,
) -> Vec<Entry> {
    let kept: Vec<&Commit> = read.iter().filter(|c| c.1).map(|c| &c.0).collect();
    let segment = (!kept.is_empty()).then(|| {
        added.push(put_segment(cache, &kept));
        (index + added.len() - 1) as u32
    });
    let mut next = 0;
    read.into_iter()
        .map(|(commit, complete)| {
            let place = segment.filter(|_| complete).map(|s| {
                next += 1;
                (s, next - 1)
            });
            (commit, place)
        })
        .collect()
}

/// The crawl that walks the graph of every commit reachable from `rev` (from the pack's
/// `segments`, the first `packed` of the pack, where they hold the commit, else from git) and
/// orders it; returns the commits with where they are kept, whether the limits left some out,
/// and how many were read from git.
fn walk_packed(
    repo: &Repository,
    rev: Oid,
    limits: &Limits,
    cache: &CacheUse,
    segments: Vec<Vec<Option<Commit>>>,
    packed: usize,
    added: &mut Vec<(String, usize)>,
) -> Result<(Vec<Entry>, bool, usize)> {
    let mut known: HashMap<Oid, Entry> = HashMap::new();
    for (s, segment) in segments.into_iter().enumerate() {
        for (i, commit) in segment.into_iter().enumerate() {
            let Some(commit) = commit else { continue };
            if let Ok(id) = Oid::from_str(&commit.id) {
                known.insert(id, (commit, Some((s as u32, i as u32))));
            }
        }
    }
    // The graph of every commit reachable from `rev`: (time, parents) from the pack where it
    // knows the commit, else from the commit object's headers.
    let mut graph: HashMap<Oid, (i64, Vec<Oid>)> = HashMap::new();
    let mut queue = vec![rev];
    while let Some(id) = queue.pop() {
        if graph.contains_key(&id) {
            continue;
        }
        let node = match known.get(&id) {
            Some((c, _)) => Some((
                c.time,
                c.parents
                    .iter()
                    .filter_map(|p| Oid::from_str(p).ok())
                    .collect(),
            )),
            None => match repo.find_commit(id) {
                Ok(c) => Some((c.time().seconds(), c.parent_ids().collect())),
                Err(_) => parse_raw(repo, id).map(|r| (r.time, r.parents)),
            },
        };
        // A missing parent (a damaged clone) ends its line.
        let Some((time, parents)) = node else {
            continue;
        };
        queue.extend(parents.iter().filter(|p| !graph.contains_key(p)));
        graph.insert(id, (time, parents));
    }
    let (ids, bounded) = topological(&graph, rev, limits);
    // A commit a shallow build read is kept on its own, by id: taken from there.
    let single: Vec<(Oid, Commit)> = ids
        .par_iter()
        .filter(|id| !known.contains_key(id))
        .filter_map(|id| Some((*id, cache.get(Space::Commits, &id.to_string())?)))
        .collect();
    let single_ids: std::collections::HashSet<Oid> = single.iter().map(|s| s.0).collect();
    let missing: Vec<Oid> = ids
        .iter()
        .filter(|id| !known.contains_key(id) && !single_ids.contains(id))
        .copied()
        .collect();
    let mut read: HashMap<Oid, Entry> = HashMap::with_capacity(missing.len() + single.len());
    // A segment at a time: memory holds one segment's encoding, not the whole history's.
    let none = std::collections::HashSet::new();
    for chunk in missing.chunks(SEGMENT) {
        let commits = read_commits(repo, rev, chunk, &none, &[])?;
        for entry in keep_read(cache, commits, packed, added) {
            read.insert(Oid::from_str(&entry.0.id).expect("an id"), entry);
        }
    }
    let diffed = read.len();
    if !single.is_empty() {
        let (ids, commits): (Vec<Oid>, Vec<Commit>) = single.into_iter().unzip();
        let complete = commits.into_iter().map(|c| (c, true)).collect();
        for (id, entry) in ids
            .into_iter()
            .zip(keep_read(cache, complete, packed, added))
        {
            read.insert(id, entry);
        }
    }
    let entries = ids
        .iter()
        .map(|id| {
            known
                .remove(id)
                .or_else(|| read.remove(id))
                .expect("every commit is known or read")
        })
        .collect();
    Ok((entries, bounded, diffed))
}

/// Reads what each of the commits `ids` changed, on all cores, one repository handle per
/// worker; each with whether it may be kept in the cache (with replace refs a commit is not
/// what its id alone says; at a shallow boundary the parents are hidden or missing and the
/// boundary may move; a first parent that cannot be read is a damaged clone: such commits are
/// read again next time).
fn read_commits(
    repo: &Repository,
    rev: Oid,
    ids: &[Oid],
    replaced: &std::collections::HashSet<Oid>,
    boundary: &[Oid],
) -> Result<Vec<(Commit, bool)>> {
    let gitdir = repo.path().to_path_buf();
    ids.par_iter()
        .map_init(
            || worker_handle(&gitdir, rev),
            |handle, &id| {
                let handle = handle
                    .as_ref()
                    .map_err(|e| git2::Error::from_str(e.message()))?;
                Ok(match handle.find_commit(id) {
                    Ok(_) if !replaced.is_empty() => (read_unparsed(handle, id)?, false),
                    Ok(commit) => {
                        let complete = !boundary.contains(&id)
                            && (commit.parent_count() == 0 || commit.parent(0).is_ok());
                        (read_commit(handle, &commit)?, complete)
                    }
                    Err(_) => (read_unparsed(handle, id)?, !boundary.contains(&id)),
                })
            },
        )
        .collect()
}

/// Merges the pack's small segments into one once there are more than `SMALL_SEGMENTS` of them
/// (each one-file rebuild adds one): the commits of `entries` kept in them go into the new
/// segment, in their order, and every entry's place follows.
fn compact(cache: &CacheUse, pack: &mut Pack, entries: &mut [Entry]) {
    let small = |n: usize| n < SEGMENT / 2;
    if pack.segments.iter().filter(|s| small(s.1)).count() <= SMALL_SEGMENTS {
        return;
    }
    let merged: Vec<bool> = pack.segments.iter().map(|s| small(s.1)).collect();
    let in_merged = |e: &Entry| e.1.is_some_and(|(s, _)| merged[s as usize]);
    let kept: Vec<&Commit> = entries
        .iter()
        .filter(|e| in_merged(e))
        .map(|e| &e.0)
        .collect();
    // Where each segment that stays is in the pack now.
    let mut renumbered = Vec::with_capacity(merged.len());
    let mut segments = Vec::new();
    for (segment, merged) in std::mem::take(&mut pack.segments).into_iter().zip(&merged) {
        renumbered.push((!merged).then_some(segments.len() as u32));
        if !merged {
            segments.push(segment);
        }
    }
    let into = segments.len() as u32;
    if !kept.is_empty() {
        segments.push(put_segment(cache, &kept));
    }
    pack.segments = segments;
    let mut next = 0;
    for entry in entries {
        if let Some((s, i)) = entry.1 {
            entry.1 = Some(match renumbered[s as usize] {
                Some(n) => (n, i),
                None => {
                    next += 1;
                    (into, next - 1)
                }
            });
        }
    }
}

/// The commits reachable from `rev` in `graph`, newest first, a commit always before its
/// parents (ties by time, then id: the same history always comes in the same order, whatever
/// the cache held), and whether the limits left some out.
fn topological(
    graph: &HashMap<Oid, (i64, Vec<Oid>)>,
    rev: Oid,
    limits: &Limits,
) -> (Vec<Oid>, bool) {
    let mut children: HashMap<Oid, usize> = HashMap::new();
    for (_, parents) in graph.values() {
        for p in parents {
            *children.entry(*p).or_default() += 1;
        }
    }
    let time = |id: &Oid| graph.get(id).map_or(0, |n| n.0);
    let mut ready = std::collections::BinaryHeap::from([(time(&rev), rev)]);
    let (mut ids, mut bounded) = (Vec::with_capacity(graph.len()), false);
    while let Some((t, id)) = ready.pop() {
        let Some((_, parents)) = graph.get(&id) else {
            continue;
        };
        for p in parents {
            let left = children.get_mut(p).expect("counted");
            *left -= 1;
            if *left == 0 {
                ready.push((time(p), *p));
            }
        }
        if limits.max_commits.is_some_and(|m| ids.len() >= m) {
            bounded = true;
            break;
        }
        if limits.since.is_some_and(|since| t < since) {
            bounded = true;
            continue;
        }
        ids.push(id);
    }
    (ids, bounded)
}

/// The key one email is known by: a hash of it, trimmed and lower-cased ("" for none).
fn email_key(email: &str) -> String {
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return String::new();
    }
    blake3::hash(email.as_bytes()).to_hex()[..16].to_string()
}

/// The `.mailmap` at the built commit (at most 1 MiB), as git reads it from the tree.
fn mailmap_at(repo: &Repository, rev: Oid) -> String {
    let blob = repo
        .find_commit(rev)
        .and_then(|c| c.tree())
        .and_then(|t| t.get_path(std::path::Path::new(".mailmap")))
        .and_then(|e| repo.find_blob(e.id()));
    match blob {
        Ok(b) if b.size() <= 1 << 20 => String::from_utf8_lossy(b.content()).into_owned(),
        _ => String::new(),
    }
}

/// One `.mailmap` line: the commit's email (and name, when given) -> the proper name (if
/// given) and email.
struct MailmapRule {
    commit_email: String,
    commit_name: Option<String>,
    proper_name: Option<String>,
    proper_email: String,
}

fn mailmap_rules(text: &str) -> Vec<MailmapRule> {
    let mut rules = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        // Text, then `<email>`, optionally text and a second `<email>`.
        let mut pieces: Vec<(String, String)> = Vec::new();
        let mut rest = line;
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>') else {
                break;
            };
            pieces.push((
                rest[..open].trim().to_string(),
                rest[open + 1..open + close].to_string(),
            ));
            rest = &rest[open + close + 1..];
        }
        let named = |s: &String| Some(s.clone()).filter(|s| !s.is_empty());
        let rule = match pieces.as_slice() {
            [(name, email)] => MailmapRule {
                commit_email: email_key(email),
                commit_name: None,
                proper_name: named(name),
                proper_email: email_key(email),
            },
            [(name, proper), (commit_name, commit)] => MailmapRule {
                commit_email: email_key(commit),
                commit_name: named(commit_name),
                proper_name: named(name),
                proper_email: email_key(proper),
            },
            _ => continue,
        };
        if !rule.commit_email.is_empty() {
            rules.push(rule);
        }
    }
    rules
}

/// One person, however their commits spell them: `.mailmap` first, as git applies it; then
/// the commits that share an email or a name are one person, shown by the name they use most.
fn join_identities(mut commits: Vec<Commit>, mailmap: &str) -> Vec<Commit> {
    let rules = mailmap_rules(mailmap);
    for c in &mut commits {
        let rule = rules.iter().rev().find(|r| {
            r.commit_email == c.email
                && r.commit_name
                    .as_ref()
                    .is_none_or(|n| n.eq_ignore_ascii_case(&c.author))
        });
        if let Some(r) = rule {
            if let Some(name) = &r.proper_name {
                // A name from the repository: as guarded as an author's.
                let name = crate::secrets::redact_name(name).unwrap_or_else(|| name.clone());
                c.author = crate::report::visible_controls(&name, false).map_or(name, |(n, _)| n);
            }
            c.email = r.proper_email.clone();
        }
    }
    // Union-find over names and emails.
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut node = |key: String, parent: &mut Vec<usize>| -> usize {
        *ids.entry(key).or_insert_with(|| {
            parent.push(parent.len());
            parent.len() - 1
        })
    };
    // Each spelling (name and email) is joined once, however many commits it signs: rust-
    // analyzer's 41,000 commits have 1,400 of them.
    let mut spellings: HashMap<(&str, &str), (usize, usize)> = HashMap::new();
    let mut of_commit = Vec::with_capacity(commits.len());
    for c in &commits {
        if let Some((n, count)) = spellings.get_mut(&(c.author.as_str(), c.email.as_str())) {
            *count += 1;
            of_commit.push(*n);
            continue;
        }
        let name = c
            .author
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let n = node(format!("n:{name}"), &mut parent);
        if !c.email.is_empty() {
            let e = node(format!("e:{}", c.email), &mut parent);
            let (a, b) = (find(&mut parent, n), find(&mut parent, e));
            parent[a.max(b)] = a.min(b);
        }
        spellings.insert((&c.author, &c.email), (n, 1));
        of_commit.push(n);
    }
    // Each group's name: the one its commits use most (ties: the first by name).
    let mut counts: HashMap<usize, BTreeMap<&str, usize>> = HashMap::new();
    for ((author, _), (n, count)) in spellings {
        let group = find(&mut parent, n);
        *counts.entry(group).or_default().entry(author).or_default() += count;
    }
    let names: HashMap<usize, String> = counts
        .into_iter()
        .map(|(g, names)| {
            let best = names
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(n, _)| n.to_string())
                .unwrap_or_default();
            (g, best)
        })
        .collect();
    for (c, n) in commits.iter_mut().zip(of_commit) {
        let group = find(&mut parent, n);
        if let Some(name) = names.get(&group).filter(|name| **name != c.author) {
            c.author.clone_from(name);
        }
    }
    commits
}

/// The commits to read, newest first in topological order, and whether the limits left some
/// out.
fn walk(repo: &Repository, rev: Oid, limits: &Limits) -> Result<(Vec<Oid>, bool)> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
    walk.push(rev)?;
    let mut ids = Vec::new();
    let mut bounded = false;
    for oid in walk {
        let oid = oid?;
        if limits.max_commits.is_some_and(|m| ids.len() >= m) {
            bounded = true;
            break;
        }
        if let Some(since) = limits.since {
            if repo.find_commit(oid)?.time().seconds() < since {
                bounded = true;
                continue;
            }
        }
        ids.push(oid);
    }
    Ok((ids, bounded))
}

/// `walk` from the commit objects themselves, for a history with a commit libgit2 cannot
/// parse: newest first, a commit always before its parents.
fn walk_objects(repo: &Repository, rev: Oid, limits: &Limits) -> (Vec<Oid>, bool) {
    let mut graph: HashMap<Oid, (i64, Vec<Oid>)> = HashMap::new();
    let mut queue = vec![rev];
    while let Some(id) = queue.pop() {
        if graph.contains_key(&id) {
            continue;
        }
        // A missing parent (a shallow clone) ends its line.
        let Some(raw) = parse_raw(repo, id) else {
            continue;
        };
        queue.extend(raw.parents.iter().copied());
        graph.insert(id, (raw.time, raw.parents));
    }
    topological(&graph, rev, limits)
}

/// The commits a shallow clone's history stops at (git's `shallow` file), sorted. git hides
/// their parents, so they look like first commits; deepening the clone gives them parents.
pub fn shallow_boundary(repo: &Repository) -> Vec<Oid> {
    let mut ids = grafted(repo);
    if repo.is_shallow() {
        let text = std::fs::read_to_string(repo.commondir().join("shallow")).unwrap_or_default();
        ids.extend(text.lines().filter_map(|l| Oid::from_str(l.trim()).ok()));
    }
    ids.sort();
    ids.dedup();
    ids
}

/// The commits `info/grafts` gives other parents (each line: a commit, then its parents).
fn grafted(repo: &Repository) -> Vec<Oid> {
    grafts(repo).into_keys().collect()
}

/// A repository handle for one crawl worker, with an object store of its own. libgit2 shares
/// an open pack file between all handles that name it by the same path, and serialises reads
/// through that pack's locks and delta-base cache: two workers then mostly wait for each other
/// (two threads crawled barely faster than one). Naming the objects folder by a path of the
/// worker thread's own (`objects/.`, `objects/./.`, ...) gives each thread its own pack
/// state, as each `git` process has. Alternates are still read (libgit2 loads them for this
/// store too). Where that store does not hold `tip` (objects kept somewhere unusual), the
/// plain handle is used.
fn worker_handle(
    gitdir: &std::path::Path,
    tip: Oid,
) -> std::result::Result<Repository, git2::Error> {
    let repo = Repository::open(gitdir)?;
    // The common folder: a linked worktree's own folder holds no objects.
    let mut objects = repo
        .commondir()
        .join("objects")
        .to_string_lossy()
        .into_owned();
    for _ in 0..=rayon::current_thread_index().unwrap_or(0) {
        objects.push_str("/.");
    }
    let odb = git2::Odb::new()?;
    odb.add_disk_alternate(&objects)?;
    if odb.exists(tip) {
        repo.set_odb(&odb)?;
    }
    Ok(repo)
}

/// Unix time of the start of a `YYYY-MM-DD` day (UTC).
pub fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days-from-civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

fn read_commit(repo: &Repository, commit: &git2::Commit) -> Result<Commit> {
    // In a shallow clone the first parent may be missing: diff against nothing, as git does.
    let parent_tree = match commit.parent(0) {
        Ok(p) => Some(p.tree()?),
        Err(_) => None,
    };
    let encoding = commit.message_encoding().ok().flatten();
    commit_of(
        repo,
        RawCommit {
            tree: commit.tree_id(),
            parents: commit.parent_ids().collect(),
            author: commit.author().name_bytes().to_vec(),
            email: commit.author().email_bytes().to_vec(),
            time: commit.time().seconds(),
            message: commit.message_bytes().to_vec(),
            encoding: encoding.map(str::to_string),
        },
        commit.id(),
        parent_tree,
    )
}

/// A commit as its object says, read without libgit2's parser, which refuses some that git
/// reads (an author line broken over two lines): such a commit is read this way instead.
pub(crate) struct RawCommit {
    tree: Oid,
    parents: Vec<Oid>,
    author: Vec<u8>,
    email: Vec<u8>,
    time: i64,
    message: Vec<u8>,
    encoding: Option<String>,
}

/// The commits that `refs/replace/` replaces.
pub fn replaced_commits(repo: &Repository) -> std::collections::HashSet<Oid> {
    let Ok(refs) = repo.references_glob("refs/replace/*") else {
        return Default::default();
    };
    refs.flatten()
        .filter_map(|r| Oid::from_str(r.name().ok()?.strip_prefix("refs/replace/")?).ok())
        .collect()
}

/// What git reads for `id`: the object `refs/replace/<id>` names, if there is one.
fn replacement(repo: &Repository, id: Oid) -> Oid {
    repo.refname_to_id(&format!("refs/replace/{id}"))
        .unwrap_or(id)
}

/// Reads a commit object's headers leniently (what cannot be read is left empty), through a
/// replace ref if there is one, as git does.
pub(crate) fn parse_raw(repo: &Repository, id: Oid) -> Option<RawCommit> {
    let odb = repo.odb().ok()?;
    let object = odb.read(replacement(repo, id)).ok()?;
    if object.kind() != ObjectType::Commit {
        return None;
    }
    let data = object.data();
    let split = data.windows(2).position(|w| w == b"\n\n");
    let (head, message) = match split {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &[][..]),
    };
    let oid = |b: &[u8]| {
        std::str::from_utf8(b)
            .ok()
            .and_then(|t| Oid::from_str(t.trim()).ok())
    };
    // The time of a signature line: the number after its `>`.
    let time = |b: &[u8]| -> Option<i64> {
        let after = &b[b.iter().rposition(|&c| c == b'>')? + 1..];
        std::str::from_utf8(after)
            .ok()?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    let mut raw = RawCommit {
        tree: oid(head.strip_prefix(b"tree ")?.split(|&c| c == b'\n').next()?)?,
        parents: Vec::new(),
        author: Vec::new(),
        email: Vec::new(),
        time: 0,
        message: message.to_vec(),
        encoding: None,
    };
    for line in head.split(|&c| c == b'\n') {
        if let Some(p) = line.strip_prefix(b"parent ").and_then(oid) {
            raw.parents.push(p);
        } else if let Some(a) = line.strip_prefix(b"author ") {
            let mut fields = a.split(|&c| c == b'<');
            raw.author = fields.next().unwrap_or(a).trim_ascii().to_vec();
            let email = fields.next().unwrap_or_default();
            raw.email = email
                .split(|&c| c == b'>')
                .next()
                .unwrap_or_default()
                .to_vec();
            raw.time = time(a).unwrap_or(raw.time);
        } else if let Some(c) = line.strip_prefix(b"committer ") {
            raw.time = time(c).unwrap_or(raw.time);
        } else if let Some(e) = line.strip_prefix(b"encoding ") {
            raw.encoding = Some(String::from_utf8_lossy(e).trim().to_string());
        }
    }
    // A graft gives the commit other parents, as libgit2's own walk does.
    if let Some(parents) = grafts(repo).get(&id) {
        raw.parents = parents.clone();
    }
    Some(raw)
}

/// `info/grafts`: each line a commit, then the parents it is given.
fn grafts(repo: &Repository) -> HashMap<Oid, Vec<Oid>> {
    let text = std::fs::read_to_string(repo.commondir().join("info/grafts")).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut ids = l.split_whitespace().map(Oid::from_str);
            let id = ids.next()?.ok()?;
            Some((id, ids.flatten().collect()))
        })
        .collect()
}

/// The tree a commit names, whether libgit2 can parse the commit or not.
pub fn tree_of(repo: &Repository, id: Oid) -> Option<git2::Tree<'_>> {
    let id = replacement(repo, id);
    let tree = match repo.find_commit(id) {
        Ok(c) => c.tree_id(),
        Err(_) => parse_raw(repo, id)?.tree,
    };
    repo.find_tree(tree).ok()
}

/// A commit libgit2 cannot parse, read from its object.
fn read_unparsed(repo: &Repository, id: Oid) -> Result<Commit> {
    let raw = parse_raw(repo, id).ok_or_else(|| {
        git2::Error::from_str(&format!("the commit {id} cannot be read, even leniently"))
    })?;
    let parent_tree = raw.parents.first().and_then(|&p| tree_of(repo, p));
    commit_of(repo, raw, id, parent_tree)
}

fn commit_of(
    repo: &Repository,
    raw: RawCommit,
    id: Oid,
    parent_tree: Option<git2::Tree>,
) -> Result<Commit> {
    let tree = repo.find_tree(raw.tree)?;
    let mut changed = Vec::new();
    tree_diff(
        repo,
        parent_tree.as_ref(),
        Some(&tree),
        ("", b""),
        &mut changed,
    )?;
    let changed = pair_renames(repo, parent_tree.as_ref(), &tree, changed);
    // Nothing reads a merge's line counts (its lines are its branches' commits'): a merge
    // keeps its files and renames, which the timeline and rename-following need, and no blob
    // of it is read.
    let mut changes = line_counts(repo, changed, raw.parents.len() < 2)?;
    // Names and messages are text that reaches pages and prompts: secrets go here.
    // As the snapshot names them (see `snapshot::walk_tree`), so that the two agree.
    let name = |p: &str| -> Option<String> {
        let shown = crate::report::visible_controls(p, false).map(|(v, _)| v);
        crate::secrets::redact_name(shown.as_deref().unwrap_or(p)).or(shown)
    };
    for c in &mut changes {
        if let Some(clean) = name(&c.path) {
            c.path = clean;
        }
        if let Some(clean) = c.old_path.as_deref().and_then(name) {
            c.old_path = Some(clean);
        }
    }
    let encoding = raw.encoding.as_deref();
    let author = decode(&raw.author, encoding);
    let author = if author.is_empty() {
        "unknown"
    } else {
        author.as_str()
    };
    Ok(Commit {
        id: id.to_string(),
        parents: raw.parents.iter().map(Oid::to_string).collect(),
        author: {
            let author = crate::secrets::redact_name(author).unwrap_or_else(|| author.to_string());
            crate::report::visible_controls(&author, false).map_or(author, |(a, _)| a)
        },
        email: email_key(&String::from_utf8_lossy(&raw.email)),
        time: raw.time,
        message: {
            let message = bounded(decode(&raw.message, encoding));
            let message = crate::secrets::redact(&message).unwrap_or(message);
            // ESC sequences and bidirectional controls are shown, never obeyed.
            crate::report::visible_controls(&message, false).map_or(message, |(m, _)| m)
        },
        changes,
    })
}

/// A commit's text in the encoding its `encoding` header names (git's default: UTF-8).
fn decode(bytes: &[u8], encoding: Option<&str>) -> String {
    let named = encoding
        .and_then(|label| encoding_rs::Encoding::for_label(label.trim().as_bytes()))
        .filter(|e| *e != encoding_rs::UTF_8);
    match named {
        Some(e) => e.decode_without_bom_handling(bytes).0.into_owned(),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The most of a commit message kept: a 1 MB subject is not published whole.
const MAX_MESSAGE_BYTES: usize = 16 * 1024;

fn bounded(mut message: String) -> String {
    if message.len() > MAX_MESSAGE_BYTES {
        let mut end = MAX_MESSAGE_BYTES;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        let cut = message.len() - end;
        message.truncate(end);
        message += &format!("… ({cut} more bytes not shown)");
    }
    message
}

/// A file whose blob differs between two trees (`None`: absent on that side), or, once
/// `pair_renames` has paired them, a deletion and an addition that are one file renamed.
struct RawChange {
    path: String,
    /// The path's bytes as the tree has them (for libgit2's pathspec).
    bytes: Vec<u8>,
    old: Option<Oid>,
    new: Option<Oid>,
    /// A submodule (its "blob" is a commit of another repository).
    submodule: bool,
    /// For a rename, the path before it.
    old_path: Option<String>,
}

/// Walks two trees in step, as git does, skipping every subtree whose id is the same on both
/// sides, so a commit costs what it changed rather than the size of the tree. Entries come in
/// git's order (a folder sorts as if its name ended in `/`), so a file and a folder of the same
/// name are different entries: a type change is a deletion and an addition.
fn tree_diff(
    repo: &Repository,
    old: Option<&git2::Tree>,
    new: Option<&git2::Tree>,
    (prefix, prefix_bytes): (&str, &[u8]),
    out: &mut Vec<RawChange>,
) -> Result<()> {
    let len = |t: Option<&git2::Tree>| t.map(|t| t.len()).unwrap_or(0);
    fn entry<'t>(t: Option<&'t git2::Tree>, i: usize) -> Option<(git2::TreeEntry<'t>, bool)> {
        let e = t?.get(i)?;
        let is_tree = e.kind() == Some(ObjectType::Tree);
        Some((e, is_tree))
    }
    // git's order: names compared as bytes, a folder's name as if it ended in '/'.
    let git_order = |a: &(git2::TreeEntry, bool), b: &(git2::TreeEntry, bool)| {
        let slash = |t: bool| if t { &b"/"[..] } else { &b""[..] };
        a.0.name_bytes()
            .iter()
            .chain(slash(a.1))
            .cmp(b.0.name_bytes().iter().chain(slash(b.1)))
    };
    let (mut i, mut j) = (0, 0);
    while i < len(old) || j < len(new) {
        let (o, n) = (entry(old, i), entry(new, j));
        let order = match (&o, &n) {
            (Some(a), Some(b)) => git_order(a, b),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        let (o, n) = match order {
            std::cmp::Ordering::Less => {
                i += 1;
                (o, None)
            }
            std::cmp::Ordering::Greater => {
                j += 1;
                (None, n)
            }
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
                (o, n)
            }
        };
        if let (Some((oe, _)), Some((ne, _))) = (&o, &n) {
            if oe.id() == ne.id() && oe.filemode() == ne.filemode() {
                continue;
            }
        }
        let (name, is_tree) = o
            .as_ref()
            .or(n.as_ref())
            .map(|(e, t)| (e.name_bytes(), *t))
            .expect("one side");
        let path = format!("{prefix}{}", crate::snapshot::path_text(name));
        let bytes = [prefix_bytes, name].concat();
        if is_tree {
            let subtree = |side: &Option<(git2::TreeEntry, bool)>| -> Result<Option<git2::Tree>> {
                side.as_ref()
                    .map(|(e, _)| repo.find_tree(e.id()))
                    .transpose()
                    .map_err(Into::into)
            };
            let (ot, nt) = (subtree(&o)?, subtree(&n)?);
            let (path, bytes) = (format!("{path}/"), [&bytes[..], b"/"].concat());
            tree_diff(repo, ot.as_ref(), nt.as_ref(), (&path, &bytes), out)?;
        } else {
            let gitlink = |side: &Option<(git2::TreeEntry, bool)>| {
                side.as_ref()
                    .is_some_and(|(e, _)| e.kind() == Some(ObjectType::Commit))
            };
            out.push(RawChange {
                path,
                bytes,
                submodule: gitlink(&o) || gitlink(&n),
                old: o.map(|(e, _)| e.id()),
                new: n.map(|(e, _)| e.id()),
                old_path: None,
            });
        }
    }
    Ok(())
}

/// The empty blob: git pairs no renames by it (every empty file would be every other's rename).
const EMPTY_BLOB: &str = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

/// Pairs the deletions and additions of a commit that are renames, as git does: exact renames
/// first, by blob id (a mass rename costs a hash lookup per file, no blob read), preferring a
/// file of the same name; then libgit2's similarity, over what is left only. In a partial or
/// damaged clone a blob similarity needs may be missing: what is left then stays a deletion
/// and an addition, rather than failing.
fn pair_renames(
    repo: &Repository,
    parent: Option<&git2::Tree>,
    tree: &git2::Tree,
    mut raw: Vec<RawChange>,
) -> Vec<RawChange> {
    let candidate = |c: &RawChange, id: Option<Oid>| {
        !c.submodule && id.is_some_and(|id| id.to_string() != EMPTY_BLOB)
    };
    let gone: Vec<usize> = (0..raw.len())
        .filter(|&i| raw[i].new.is_none() && candidate(&raw[i], raw[i].old))
        .collect();
    let came: Vec<usize> = (0..raw.len())
        .filter(|&i| raw[i].old.is_none() && candidate(&raw[i], raw[i].new))
        .collect();
    if gone.is_empty() || came.is_empty() {
        return raw;
    }
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let mut by_blob: HashMap<Oid, Vec<usize>> = HashMap::new();
    for &d in &gone {
        by_blob
            .entry(raw[d].old.expect("deleted"))
            .or_default()
            .push(d);
    }
    // (deleted, added) index pairs.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut left_added = Vec::new();
    for &a in &came {
        let Some(sources) = by_blob.get_mut(&raw[a].new.expect("added")) else {
            left_added.push(a);
            continue;
        };
        if sources.is_empty() {
            left_added.push(a);
            continue;
        }
        let same = sources
            .iter()
            .position(|&d| name(&raw[d].path) == name(&raw[a].path))
            .unwrap_or(0);
        pairs.push((sources.remove(same), a));
    }
    let left_gone: Vec<usize> = by_blob.into_values().flatten().collect();
    if !left_gone.is_empty() && !left_added.is_empty() {
        let mut wanted: Vec<usize> = left_gone.iter().chain(&left_added).copied().collect();
        wanted.sort_unstable();
        if let Ok(similar) = similar_renames(repo, parent, tree, &raw, &wanted) {
            pairs.extend(similar);
        }
    }
    if pairs.is_empty() {
        return raw;
    }
    // Each rename is one change, where its new path is; the deletion goes.
    let mut dropped = vec![false; raw.len()];
    for &(d, a) in &pairs {
        raw[a].old = raw[d].old;
        raw[a].old_path = Some(raw[d].path.clone());
        dropped[d] = true;
    }
    raw.into_iter()
        .zip(dropped)
        .filter(|(_, d)| !d)
        .map(|(c, _)| c)
        .collect()
}

/// libgit2's rename detection over the changes `wanted` (indices into `raw`) alone: the
/// deletions and additions exact renames left unpaired. Returns (deleted, added) pairs.
fn similar_renames(
    repo: &Repository,
    parent: Option<&git2::Tree>,
    tree: &git2::Tree,
    raw: &[RawChange],
    wanted: &[usize],
) -> Result<Vec<(usize, usize)>> {
    let mut opts = DiffOptions::new();
    opts.context_lines(0).disable_pathspec_match(true);
    for &i in wanted {
        opts.pathspec(raw[i].bytes.clone());
    }
    let mut diff = repo.diff_tree_to_tree(parent, Some(tree), Some(&mut opts))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    let index: HashMap<&[u8], usize> = wanted
        .iter()
        .map(|&i| (raw[i].bytes.as_slice(), i))
        .collect();
    let mut pairs = Vec::new();
    for delta in diff.deltas() {
        if delta.status() != Delta::Renamed {
            continue;
        }
        let (Some(old), Some(new)) = (delta.old_file().path_bytes(), delta.new_file().path_bytes())
        else {
            continue;
        };
        if let (Some(&d), Some(&a)) = (index.get(old), index.get(new)) {
            if raw[d].new.is_none() && raw[a].old.is_none() {
                pairs.push((d, a));
            }
        }
    }
    Ok(pairs)
}

const MAX_COUNTED_BYTES: u64 = 8 << 20;

/// Lines added and removed per changed file, as `git log --numstat` counts them (with `count`
/// unset, for a merge: the files and renames alone, every count 0 and no blob read).
fn line_counts(repo: &Repository, raw: Vec<RawChange>, count: bool) -> Result<Vec<FileChange>> {
    let blob = |id: Option<Oid>| id.and_then(|id| repo.find_blob(id).ok());
    let lines = |b: &git2::Blob| -> u32 {
        let bytes = b.content();
        let n = bytes.iter().filter(|&&c| c == b'\n').count();
        (n + usize::from(!bytes.is_empty() && !bytes.ends_with(b"\n"))) as u32
    };
    let mut changes = Vec::with_capacity(raw.len());
    for c in raw {
        let kind = match (c.old, c.new) {
            (None, _) => ChangeKind::Added,
            (_, None) => ChangeKind::Deleted,
            _ if c.old_path.is_some() => ChangeKind::Renamed,
            _ => ChangeKind::Modified,
        };
        // A merge, or a rename of an unchanged file: nothing to count.
        if !count || (kind == ChangeKind::Renamed && c.old == c.new) {
            changes.push(FileChange {
                path: c.path,
                old_path: c.old_path,
                kind,
                added: 0,
                removed: 0,
                hunks: Vec::new(),
            });
            continue;
        }
        let (old, new) = (blob(c.old), blob(c.new));
        // A blob over this size is not diffed to count its lines (as for a binary): no diff of
        // two huge texts can run for minutes. (It is read, once, and dropped at once.)
        let huge = |b: &Option<git2::Blob>| {
            b.as_ref()
                .is_some_and(|b| b.size() as u64 > MAX_COUNTED_BYTES)
        };
        let (old, new) = if huge(&old) || huge(&new) {
            (None, None)
        } else {
            (old, new)
        };
        let binary = old.as_ref().is_some_and(is_binary) || new.as_ref().is_some_and(is_binary);
        let mut hunks: Vec<[u32; 4]> = Vec::new();
        let (added, removed) = match (&old, &new) {
            _ if binary => (0, 0),
            (None, Some(n)) if kind == ChangeKind::Added => (lines(n), 0),
            (Some(o), None) if kind == ChangeKind::Deleted => (0, lines(o)),
            (Some(o), Some(n)) => {
                // Without context lines, the hunk headers hold the counts: no patch is built.
                // (The whole texts are diffed, as `git log --numstat` diffs them: setting
                // their common ends aside would be faster, and finds other diffs than git's.)
                let mut opts = DiffOptions::new();
                opts.context_lines(0).interhunk_lines(0);
                let (mut a, mut r) = (0u32, 0u32);
                let mut hunk = |_: git2::DiffDelta, h: git2::DiffHunk| {
                    a += h.new_lines();
                    r += h.old_lines();
                    hunks.push([h.old_start(), h.old_lines(), h.new_start(), h.new_lines()]);
                    true
                };
                // Empty paths, not none: with none libgit2 calls the file "file" and looks up
                // its diff attributes (reading .gitattributes files) for every single diff,
                // which cost about a fifth of the whole crawl.
                repo.diff_blobs(
                    Some(o),
                    Some(""),
                    Some(n),
                    Some(""),
                    Some(&mut opts),
                    None,
                    None,
                    Some(&mut hunk),
                    None,
                )?;
                (a, r)
            }
            // Submodules, and entries whose blob cannot be read: no line counts.
            _ => (0, 0),
        };
        if hunks.len() > MAX_HUNKS {
            hunks = Vec::new();
        }
        changes.push(FileChange {
            path: c.path,
            old_path: c.old_path,
            kind,
            added,
            removed,
            hunks,
        });
    }
    Ok(changes)
}

/// Whether git counts no lines of a blob: a NUL byte in its first 8,000 (git's own test, and
/// the first half of libgit2's, which also scans those bytes one at a time for control
/// characters: 3% of a cold crawl). A text libgit2 still calls binary gives no hunks to count.
fn is_binary(blob: &git2::Blob) -> bool {
    let bytes = blob.content();
    bytes[..bytes.len().min(8000)].contains(&0)
}

/// Going back in time, a rename `old -> new` means that `old`'s earlier commits belong to
/// whatever `new` is called at the revision.
fn follow_paths(commits: &[Commit]) -> BTreeMap<String, Vec<Touch>> {
    // By reference while the history is walked (a large history has hundreds of thousands of
    // changes and some tens of thousands of paths): owned once per path at the end.
    let mut current_name: HashMap<&str, &str> = HashMap::new();
    let mut by_path: HashMap<&str, Vec<Touch>> = HashMap::new();
    for (i, commit) in commits.iter().enumerate() {
        for (c, change) in commit.changes.iter().enumerate() {
            let name = current_name
                .get(change.path.as_str())
                .copied()
                .unwrap_or(change.path.as_str());
            by_path.entry(name).or_default().push(Touch {
                commit: i,
                change: c,
            });
            if let Some(old) = &change.old_path {
                current_name.insert(old, name);
            }
        }
    }
    by_path
        .into_iter()
        .map(|(path, touches)| (path.to_string(), touches))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit_by(author: &str, subject: &str) -> Commit {
        Commit {
            id: "0".repeat(40),
            parents: vec![],
            author: author.into(),
            email: String::new(),
            time: 0,
            message: subject.into(),
            changes: vec![],
        }
    }

    #[test]
    fn routine_commits_and_bots_are_told_apart() {
        for routine in [
            "Bump serde from 1.0.1 to 1.0.2",
            "build(deps): bump actions/checkout from 3 to 4",
            "chore(release): v2.1.0",
            "chore: release 1.2.3",
            "release: 0.4.0",
            "Release 14.0.0",
            "1.2.3",
            "v0.10.0-rc.1",
            "Bump version",
            "Prepare for the next release",
            "Update changelog",
            "style: run black",
            "Run cargo fmt",
            "rustfmt",
            "Reformat the code",
            "Fix clippy lints",
        ] {
            assert!(commit_by("a", routine).is_routine(), "{routine}");
        }
        for real in [
            "Release the lock before waking the waiter",
            "Version detection for old pythons",
            "Add a formatter for durations",
            "feat: publish events to subscribers",
            "Fix a crash in the parser",
            "refactor: split the runtime",
        ] {
            assert!(!commit_by("a", real).is_routine(), "{real}");
        }
        for bot in [
            "dependabot[bot]",
            "renovate[bot]",
            "github-actions[bot]",
            "pre-commit-ci[bot]",
            "bors",
            "Renovate Bot",
        ] {
            assert!(is_bot(bot), "{bot}");
        }
        assert!(!is_bot("Bob Roberts"));
        assert!(!is_bot("Abbott"));
    }

    #[test]
    fn one_person_is_one_name() {
        let mut a = commit_by("alice", "x");
        a.email = email_key("Alice@Example.com");
        let mut b = commit_by("Alice Smith", "y");
        b.email = email_key("alice@example.com ");
        let mut c = commit_by("Alice Smith", "z");
        c.email = email_key("alice@work.example");
        let mut d = commit_by("old nick", "w");
        d.email = email_key("nick@old.example");
        let mut e = commit_by("Bob", "v");
        e.email = email_key("bob@example.com");
        let mailmap = "# people\nAlice Smith <alice@example.com> old nick <nick@old.example>\n<bob@new.example> <bob@example.com>\n";
        let joined = join_identities(vec![a, b, c, d, e], mailmap);
        let names: Vec<&str> = joined.iter().map(|c| c.author.as_str()).collect();
        assert_eq!(
            names,
            [
                "Alice Smith",
                "Alice Smith",
                "Alice Smith",
                "Alice Smith",
                "Bob"
            ]
        );
        assert_eq!(joined[4].email, email_key("bob@new.example"));
    }

    fn change(path: &str, old: Option<&str>, kind: ChangeKind) -> FileChange {
        FileChange {
            path: path.into(),
            old_path: old.map(Into::into),
            kind,
            added: 1,
            removed: 0,
            hunks: Vec::new(),
        }
    }

    #[test]
    fn lines_map_back_through_hunks() {
        // Lines 3-4 replaced by 3 new lines, and 2 lines added after line 10.
        let hunks = [[3, 2, 3, 3], [9, 0, 11, 2]];
        // Lines 1-2 stay where they were; 6-10 were 5-9; 13 was 10.
        assert_eq!(map_back(&hunks, 1, 2), Some((1, 2)));
        assert_eq!(map_back(&hunks, 6, 10), Some((5, 9)));
        assert_eq!(map_back(&hunks, 13, 13), Some((10, 10)));
        // A range the change made whole: created here.
        assert_eq!(map_back(&hunks, 3, 5), None);
        assert_eq!(map_back(&hunks, 11, 12), None);
        // A range around a change: its first and last old lines.
        assert_eq!(map_back(&hunks, 2, 7), Some((2, 6)));
        assert_eq!(overlap(&hunks[0], 2, 7), 3);
        assert_eq!(overlap(&hunks[1], 1, 10), 0);
        // A deletion inside the range counts the lines it took.
        assert_eq!(overlap(&[5, 4, 4, 0], 1, 10), 4);
        assert_eq!(map_back(&[[5, 4, 4, 0]], 1, 10), Some((1, 14)));
    }

    fn commit(changes: Vec<FileChange>) -> Commit {
        Commit {
            id: "0".repeat(40),
            parents: vec![],
            author: "a".into(),
            email: String::new(),
            time: 0,
            message: "m".into(),
            changes,
        }
    }

    /// libgit2's own diff of two trees, with its rename detection and a patch per delta: what
    /// the crawl did before it walked trees itself, kept as the reference it must agree with.
    fn libgit2_changes(
        repo: &Repository,
        parent: Option<&git2::Tree>,
        tree: &git2::Tree,
    ) -> Vec<(String, Option<String>, u32, u32)> {
        let mut opts = DiffOptions::new();
        opts.context_lines(0);
        let mut diff = repo
            .diff_tree_to_tree(parent, Some(tree), Some(&mut opts))
            .unwrap();
        diff.find_similar(Some(DiffFindOptions::new().renames(true)))
            .unwrap();
        let text = |p: Option<&[u8]>| p.map(crate::snapshot::path_text).unwrap();
        let mut out = Vec::new();
        for (idx, delta) in diff.deltas().enumerate() {
            let (old, new) = (
                text(delta.old_file().path_bytes()),
                text(delta.new_file().path_bytes()),
            );
            let (path, old_path) = match delta.status() {
                Delta::Deleted => (old, None),
                Delta::Renamed => (new, Some(old)),
                _ => (new, None),
            };
            let (a, r) = match delta.new_file().is_binary() || delta.old_file().is_binary() {
                true => (0, 0),
                false => git2::Patch::from_diff(&diff, idx)
                    .unwrap()
                    .map(|p| p.line_stats().unwrap())
                    .map(|(_, a, r)| (a as u32, r as u32))
                    .unwrap_or((0, 0)),
            };
            out.push((path, old_path, a, r));
        }
        out.sort();
        out
    }

    /// The fast tree walk, with its own exact renames and libgit2's similarity for the rest,
    /// agrees with libgit2's whole diff on every commit: edits, files and folders swapped,
    /// binaries, renames with and without edits, and a mass rename.
    #[test]
    fn the_tree_walk_agrees_with_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let sig = git2::Signature::new("a", "a@x", &git2::Time::new(1_700_000_000, 0)).unwrap();
        let owned = |files: &[(&str, &[u8])]| -> Vec<(String, Vec<u8>)> {
            files
                .iter()
                .map(|(p, b)| (p.to_string(), b.to_vec()))
                .collect()
        };
        let long = |seed: usize| -> Vec<u8> {
            (0..40)
                .map(|i| format!("line {i} of file {seed}\n"))
                .collect::<String>()
                .into_bytes()
        };
        let mass = |folder: &str, edited: usize| -> Vec<(String, Vec<u8>)> {
            (0..300)
                .map(|k| {
                    let mut text = long(k);
                    if k < edited {
                        text.extend_from_slice(b"one more line\n");
                    }
                    (format!("{folder}/f{k}.rs"), text)
                })
                .collect()
        };
        let mut states: Vec<Vec<(String, Vec<u8>)>> = vec![
            owned(&[
                ("a.txt", b"1\n2\n3\n"),
                ("d/e/f.rs", b"fn f() {}\n"),
                ("bin", b"\0\x01\x02"),
                ("x", b"no newline"),
            ]),
            owned(&[
                ("a.txt", b"1\nTWO\n3\n4\n"),
                ("d/e/f.rs", b"fn f() {}\n"),
                ("bin", b"\0\x03"),
                ("x", b"no newline\nat all"),
            ]),
            owned(&[
                ("a.txt", b"1\nTWO\n3\n4\n"),
                ("d", b"a file where a folder was\n"),
                ("bin", b"\0\x03"),
                ("x", b""),
            ]),
            owned(&[("a.txt", b"1\n"), ("new/deep/g.py", b"x = 1\ny = 2\n")]),
        ];
        // Renames: exact, and with an edit; an unrelated file comes as another goes.
        let mut renamed = vec![
            ("b/moved.txt".to_string(), long(1)),
            ("c.rs".to_string(), long(2)),
            ("gone.rs".to_string(), long(3)),
        ];
        states.push(renamed.clone());
        renamed[0].0 = "elsewhere/moved.txt".into();
        renamed[1] = ("src/c.rs".into(), [long(2), b"edited\n".to_vec()].concat());
        renamed[2] = ("fresh.rs".into(), b"nothing like it\n".to_vec());
        states.push(renamed);
        // A mass rename: 300 files move, 20 of them edited on the way.
        states.push(mass("old", 0));
        states.push(mass("new", 20));
        let mut parent: Option<git2::Oid> = None;
        for (n, files) in states.into_iter().enumerate() {
            fn build_tree(repo: &Repository, files: &[(String, &[u8])]) -> Oid {
                let mut b = repo.treebuilder(None).unwrap();
                let mut sub: BTreeMap<String, Vec<(String, &[u8])>> = BTreeMap::new();
                for (p, bytes) in files {
                    match p.split_once('/') {
                        Some((d, rest)) => sub
                            .entry(d.to_string())
                            .or_default()
                            .push((rest.to_string(), *bytes)),
                        None => {
                            b.insert(p, repo.blob(bytes).unwrap(), 0o100644).unwrap();
                        }
                    }
                }
                for (d, files) in sub {
                    b.insert(&d, build_tree(repo, &files), 0o040000).unwrap();
                }
                b.write().unwrap()
            }
            let refs: Vec<(String, &[u8])> = files
                .iter()
                .map(|(p, b)| (p.clone(), b.as_slice()))
                .collect();
            let tree = repo.find_tree(build_tree(&repo, &refs)).unwrap();
            let parents: Vec<git2::Commit> = parent
                .iter()
                .map(|p| repo.find_commit(*p).unwrap())
                .collect();
            let refs: Vec<&git2::Commit> = parents.iter().collect();
            let id = repo.commit(None, &sig, &sig, "c", &tree, &refs).unwrap();
            let commit = repo.find_commit(id).unwrap();
            let parent_tree = commit.parent(0).ok().map(|p| p.tree().unwrap());
            let mut raw = Vec::new();
            tree_diff(
                &repo,
                parent_tree.as_ref(),
                Some(&tree),
                ("", b""),
                &mut raw,
            )
            .unwrap();
            let raw = pair_renames(&repo, parent_tree.as_ref(), &tree, raw);
            let mut fast: Vec<(String, Option<String>, u32, u32)> = line_counts(&repo, raw, true)
                .unwrap()
                .into_iter()
                .map(|c| (c.path, c.old_path, c.added, c.removed))
                .collect();
            fast.sort();
            let slow = libgit2_changes(&repo, parent_tree.as_ref(), &tree);
            assert_eq!(fast, slow, "commit {n}");
            if n == 5 {
                assert_eq!(fast.iter().filter(|c| c.1.is_some()).count(), 2, "{fast:?}");
            }
            if n == 7 {
                assert_eq!(fast.iter().filter(|c| c.1.is_some()).count(), 300);
            }
            parent = Some(id);
        }
    }

    #[test]
    fn dates_parse_to_unix_days() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2023-11-14"), Some(1_699_920_000));
        assert_eq!(parse_date("2023-13-01"), None);
        assert_eq!(parse_date("soon"), None);
    }

    #[test]
    fn renames_are_followed_back_to_the_current_name() {
        // Newest first: c2 renames a.rs -> b.rs, c1 edits a.rs, c0 adds a.rs.
        let commits = vec![
            commit(vec![change("b.rs", Some("a.rs"), ChangeKind::Renamed)]),
            commit(vec![change("a.rs", None, ChangeKind::Modified)]),
            commit(vec![change("a.rs", None, ChangeKind::Added)]),
        ];
        let by_path = follow_paths(&commits);
        let commits: Vec<usize> = by_path["b.rs"].iter().map(|t| t.commit).collect();
        assert_eq!(commits, vec![0, 1, 2]);
        assert!(!by_path.contains_key("a.rs"));
    }
}
