//! Stage 6: facts from the history for every file and part: churn, code age, ownership and
//! knowledge at risk, change coupling (hidden when no import explains it), hotspots, and the
//! commits that shaped each part. Merges are left out: the commits they bring in are counted
//! already. "Now" is the time of the commit the site is built from, never the clock, so the
//! same commit always gives the same facts.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt};

use rayon::prelude::*;

use crate::cluster::Clusters;
use crate::graph::Graph;
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
    /// Author and lines added, most first.
    pub authors_by_lines: Vec<(String, u64)>,
}

impl Activity {
    /// Commits per calendar year (UTC), the latest `shown` years that have any, newest first,
    /// then how many came before them. Figures that move only when a commit comes, never with
    /// the clock: a page that shows them changes only when its own files do.
    pub fn by_year(&self, history: &History, shown: usize) -> (Vec<(String, usize)>, usize) {
        // Counted by the year's number (a part's thousands of commits, each written out as a
        // date, were 1.5% of a one-file build of rust-analyzer), then named as `date` names it.
        let mut counted: Vec<(i64, usize)> = Vec::new();
        for &i in &self.commits {
            let year = crate::narrate::year(history.commits[i].time);
            match counted.iter_mut().find(|(y, _)| *y == year) {
                Some((_, n)) => *n += 1,
                None => counted.push((year, 1)),
            }
        }
        let mut years: Vec<(String, usize)> = Vec::new();
        for (year, n) in counted {
            let name = format!("{year:04}").chars().take(4).collect::<String>();
            match years.iter_mut().find(|(y, _)| *y == name) {
                Some((_, m)) => *m += n,
                None => years.push((name, n)),
            }
        }
        years.sort_by(|a, b| b.0.cmp(&a.0));
        let before = years.iter().skip(shown).map(|(_, n)| n).sum();
        years.truncate(shown);
        (years, before)
    }

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
    pub contributors: Vec<Contributor>,
    /// Files that change often and branch a lot, most first.
    pub hotspots: Vec<Hotspot>,
    /// Files that change together, most shared commits first.
    pub couplings: Vec<Coupling>,
    /// Parts whose files change together: (part, part, shared commits, hidden).
    pub part_couplings: Vec<(usize, usize, u32, bool)>,
    pub at_risk: Vec<AtRisk>,
    /// Commits per month, `YYYY-MM`, oldest first (months without commits included).
    pub monthly: Vec<(String, usize)>,
    /// The time of the commit the site is built from.
    pub now: i64,
}

#[derive(Debug, Clone)]
pub struct Contributor {
    pub name: String,
    pub commits: usize,
    pub added: u64,
    pub removed: u64,
    pub first: i64,
    pub last: i64,
}

#[derive(Debug, Clone)]
pub struct Hotspot {
    pub path: String,
    pub commits: usize,
    pub branches: u32,
    pub lines: usize,
    pub score: u64,
}

#[derive(Debug, Clone)]
pub struct Coupling {
    pub a: String,
    pub b: String,
    pub shared: u32,
    /// Shared commits as a share of the two files' average commit count (code-maat's degree).
    pub degree: u32,
    /// Neither file imports the other: the history shows a tie the code does not.
    pub hidden: bool,
}

/// A file most of whose lines come from someone who has not committed for a long time.
#[derive(Debug, Clone)]
pub struct AtRisk {
    pub path: String,
    pub author: String,
    /// That author's share of the lines added to the file, in percent.
    pub share: u32,
    pub last_active: i64,
}

/// An author is "gone" after this long without a commit (before the built commit).
pub const INACTIVE_AFTER: i64 = 180 * 86_400;
/// Couplings below this degree are noise (code-maat's default minimum).
pub const MIN_DEGREE: u32 = 30;

#[derive(Debug, Clone, Default)]
pub struct ClusterActivity {
    pub activity: Activity,
    /// The commits that shaped the part, oldest first.
    pub notable: Vec<usize>,
}

pub fn analyse(history: &History, parsed: &Parsed, clusters: &Clusters, graph: &Graph) -> Insights {
    // Each file's activity, then each part's, on all cores: each is its own. Which commits
    // touched each part is counted beside the files' activity (it reads the history alone).
    let (files, touched) = rayon::join(
        || file_activity(history, parsed),
        || files_touched_per_part(history, clusters),
    );
    let clusters_activity = clusters
        .clusters
        .par_iter()
        .zip(touched.par_iter())
        .map(|(cluster, touched)| {
            let set: BTreeSet<usize> = cluster
                .members
                .iter()
                .filter_map(|m| files.get(m))
                .flat_map(|a: &Activity| a.commits.iter().copied())
                .collect();
            let commits: Vec<usize> = set.into_iter().collect(); // ascending index = newest first

            // Merges, bots' commits, bumps and formatting never shaped a part.
            let candidates: Vec<usize> = commits
                .iter()
                .copied()
                .filter(|&i| !history.is_noise(i))
                .collect();
            let notable = notable_commits(history, &candidates, touched);
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
    let now = history.commits.first().map(|c| c.time).unwrap_or(0);
    let code: BTreeSet<&str> = parsed
        .files
        .iter()
        .filter(|f| f.is_code())
        .map(|f| f.path.as_str())
        .collect();
    // The figures below read what is above, never each other: made at once.
    let (mut authors, mut by_month, mut hot, mut coupled, mut people) =
        (None, None, None, None, None);
    rayon::scope(|s| {
        s.spawn(|_| {
            let all: Vec<usize> = (0..history.commits.len())
                .filter(|&i| !history.commits[i].is_merge())
                .collect();
            authors = Some(activity_of(history, all).authors);
        });
        s.spawn(|_| by_month = Some(monthly(history)));
        s.spawn(|_| hot = Some(hotspots(&files, parsed)));
        s.spawn(|_| {
            let couplings = couplings(graph, &files);
            let parts = part_couplings(&couplings, clusters, graph);
            coupled = Some((couplings, parts));
        });
        s.spawn(|_| {
            let contributors = contributors(history);
            let at_risk = at_risk(&files, &contributors, clusters, &code, now);
            people = Some((contributors, at_risk));
        });
    });
    let (couplings, part_couplings) = coupled.expect("made");
    let (contributors, at_risk) = people.expect("made");
    Insights {
        authors: authors.expect("made"),
        monthly: by_month.expect("made"),
        files,
        clusters: clusters_activity,
        most_changed,
        contributors,
        hotspots: hot.expect("made"),
        couplings,
        part_couplings,
        at_risk,
        now,
    }
}

/// Each file's activity: the commits that touched it (merges left out), newest first, and
/// its lines added and removed, by author.
fn file_activity(history: &History, parsed: &Parsed) -> BTreeMap<String, Activity> {
    parsed
        .files
        .par_iter()
        .map(|file| {
            let touches: Vec<_> = history
                .touches(&file.path)
                .iter()
                .filter(|t| !history.commits[t.commit].is_merge())
                .collect();
            let mut commits: Vec<usize> = touches.iter().map(|t| t.commit).collect();
            commits.dedup();
            let mut activity = activity_of(history, commits);
            let mut by_lines: BTreeMap<&str, u64> = BTreeMap::new();
            for &&t in &touches {
                let change = history.change(t);
                activity.lines_added += change.added as u64;
                activity.lines_removed += change.removed as u64;
                *by_lines
                    .entry(&history.commits[t.commit].author)
                    .or_default() += change.added as u64;
            }
            let mut by_lines: Vec<(String, u64)> = by_lines
                .into_iter()
                .map(|(a, n)| (a.to_string(), n))
                .collect();
            by_lines.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            activity.authors_by_lines = by_lines;
            (file.path.clone(), activity)
        })
        .collect()
}

fn contributors(history: &History) -> Vec<Contributor> {
    let mut by: BTreeMap<&str, Contributor> = BTreeMap::new();
    for c in history.commits.iter().filter(|c| !c.is_merge()) {
        let e = by.entry(&c.author).or_insert_with(|| Contributor {
            name: c.author.clone(),
            commits: 0,
            added: 0,
            removed: 0,
            first: c.time,
            last: c.time,
        });
        e.commits += 1;
        e.added += c.changes.iter().map(|ch| ch.added as u64).sum::<u64>();
        e.removed += c.changes.iter().map(|ch| ch.removed as u64).sum::<u64>();
        e.first = e.first.min(c.time);
        e.last = e.last.max(c.time);
    }
    let mut v: Vec<Contributor> = by.into_values().collect();
    v.sort_by(|a, b| b.commits.cmp(&a.commits).then(a.name.cmp(&b.name)));
    v
}

/// Change frequency times complexity (branching nodes, or size for files without a parser).
fn hotspots(files: &BTreeMap<String, Activity>, parsed: &Parsed) -> Vec<Hotspot> {
    let mut v: Vec<Hotspot> = parsed
        .files
        .iter()
        .filter(|f| f.is_code())
        .filter_map(|f| {
            let commits = files.get(&f.path)?.commits.len();
            let complexity = if f.language.is_some() {
                f.facts.branches as u64
            } else {
                (f.lines / 20) as u64
            };
            (commits >= 2).then(|| Hotspot {
                path: f.path.clone(),
                commits,
                branches: f.facts.branches,
                lines: f.lines,
                score: commits as u64 * (1 + complexity),
            })
        })
        .collect();
    v.sort_by(|a, b| b.score.cmp(&a.score).then(a.path.cmp(&b.path)));
    v.truncate(30);
    v
}

fn couplings(graph: &Graph, files: &BTreeMap<String, Activity>) -> Vec<Coupling> {
    let imports = |x: &str, y: &str| graph.imports.get(x).is_some_and(|m| m.contains_key(y));
    let mut v: Vec<Coupling> = graph
        .cochange
        .iter()
        .filter_map(|((a, b), &shared)| {
            let revs = |p: &str| files.get(p).map(|f| f.commits.len()).unwrap_or(0) as f64;
            let average = (revs(a) + revs(b)) / 2.0;
            let degree = if average > 0.0 {
                (100.0 * shared as f64 / average).round() as u32
            } else {
                0
            };
            (degree >= MIN_DEGREE).then(|| Coupling {
                a: a.clone(),
                b: b.clone(),
                shared,
                degree: degree.min(100),
                hidden: !imports(a, b) && !imports(b, a),
            })
        })
        .collect();
    v.sort_by(|x, y| {
        y.shared
            .cmp(&x.shared)
            .then(y.degree.cmp(&x.degree))
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    v
}

/// Couplings between files of different parts, summed per pair of parts; hidden when no file
/// of either part imports one of the other.
fn part_couplings(
    couplings: &[Coupling],
    clusters: &Clusters,
    graph: &Graph,
) -> Vec<(usize, usize, u32, bool)> {
    let mut pairs: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    // Manifests, lock files and changelogs change together at every release: that is no
    // coupling of the code.
    for c in couplings
        .iter()
        .filter(|c| !release_file(&c.a) && !release_file(&c.b))
    {
        let (Some(&x), Some(&y)) = (clusters.of_file.get(&c.a), clusters.of_file.get(&c.b)) else {
            continue;
        };
        // Tests change with the code they test, CI and docs with what they describe: expected,
        // not hidden.
        if clusters.clusters[x].role.is_some() || clusters.clusters[y].role.is_some() {
            continue;
        }
        if x != y {
            *pairs.entry((x.min(y), x.max(y))).or_default() += c.shared;
        }
    }
    let imports_between = |x: usize, y: usize| {
        graph.imports.iter().any(|(from, tos)| {
            let fx = clusters.of_file.get(from);
            tos.keys().any(|to| {
                let tx = clusters.of_file.get(to);
                (fx == Some(&x) && tx == Some(&y)) || (fx == Some(&y) && tx == Some(&x))
            })
        })
    };
    let mut v: Vec<(usize, usize, u32, bool)> = pairs
        .into_iter()
        .map(|((x, y), n)| (x, y, n, !imports_between(x, y)))
        .collect();
    v.sort_by(|a, b| b.2.cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    v
}

/// Files every release touches: manifests, lock files, changelogs.
fn release_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    matches!(
        name,
        "Cargo.toml"
            | "Cargo.lock"
            | "package.json"
            | "package-lock.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | "pyproject.toml"
            | "setup.py"
            | "setup.cfg"
            | "poetry.lock"
            | "uv.lock"
            | "go.mod"
            | "go.sum"
    ) || lower.starts_with("changelog")
        || lower.starts_with("changes")
        || lower.starts_with("history.")
        || lower.starts_with("news")
        || lower.starts_with("release")
}

/// Code whose main author has gone quiet. Config files, tests, examples, docs and CI are not
/// knowledge at risk (a fixture nobody touches is no loss), nor is a bot an author who left.
fn at_risk(
    files: &BTreeMap<String, Activity>,
    contributors: &[Contributor],
    clusters: &Clusters,
    code: &BTreeSet<&str>,
    now: i64,
) -> Vec<AtRisk> {
    let last_active: BTreeMap<&str, i64> = contributors
        .iter()
        .map(|c| (c.name.as_str(), c.last))
        .collect();
    let mut v: Vec<AtRisk> = files
        .iter()
        .filter(|(path, _)| code.contains(path.as_str()))
        .filter(|(path, _)| clusters.of(path).is_some_and(|c| c.role.is_none()))
        .filter_map(|(path, a)| {
            let total: u64 = a.authors_by_lines.iter().map(|(_, n)| n).sum();
            let (author, lines) = a.authors_by_lines.first()?;
            if crate::history::is_bot(author) {
                return None;
            }
            let last = *last_active.get(author.as_str())?;
            let share = (100 * lines).checked_div(total)? as u32;
            (share >= 50 && now - last > INACTIVE_AFTER).then(|| AtRisk {
                path: path.clone(),
                author: author.clone(),
                share,
                last_active: last,
            })
        })
        .collect();
    v.sort_by(|a, b| a.last_active.cmp(&b.last_active).then(a.path.cmp(&b.path)));
    v
}

/// Commits per calendar month, oldest first, empty months included (the last ten years at most).
fn monthly(history: &History) -> Vec<(String, usize)> {
    // Counted by the month's numbers, then named as `date` begins (every commit's date
    // written out was 24,000 strings on rust-analyzer at every build).
    let mut numbers: BTreeMap<(i64, i64), usize> = BTreeMap::new();
    for c in history.commits.iter().filter(|c| !c.is_merge()) {
        *numbers
            .entry(crate::narrate::year_month(c.time))
            .or_default() += 1;
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for ((y, m), n) in numbers {
        let name = format!("{y:04}-{m:02}").chars().take(7).collect::<String>();
        *counts.entry(name).or_default() += n;
    }
    let (Some(first), Some(last)) = (counts.keys().next().cloned(), counts.keys().last().cloned())
    else {
        return Vec::new();
    };
    let month =
        |s: &str| -> (i32, i32) { (s[..4].parse().unwrap_or(1970), s[5..7].parse().unwrap_or(1)) };
    let (mut y, mut m) = month(&first);
    let end = month(&last);
    let mut out = Vec::new();
    while (y, m) <= end {
        let key = format!("{y:04}-{m:02}");
        out.push((key.clone(), counts.get(&key).copied().unwrap_or(0)));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    let skip = out.len().saturating_sub(120);
    out.split_off(skip)
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

/// Per part, per commit: how many of the part's files (by their name in that commit) the commit
/// touched and how many it created. One pass over all changes: asking each part to scan every
/// commit's changes cost 1.4 s with 1,000 parts and a 50,000-file commit.
fn files_touched_per_part(
    history: &History,
    clusters: &Clusters,
) -> Vec<HashMap<usize, (u32, u32)>> {
    let mut touched = vec![HashMap::new(); clusters.clusters.len()];
    // Hashed, not searched: rust-analyzer's history holds about 300,000 file changes.
    let of_file: HashMap<&str, usize> = clusters
        .of_file
        .iter()
        .map(|(path, &k)| (path.as_str(), k))
        .collect();
    for (i, c) in history.commits.iter().enumerate() {
        for ch in &c.changes {
            if let Some(&k) = of_file.get(ch.path.as_str()) {
                let counts: &mut (u32, u32) = touched[k].entry(i).or_default();
                counts.0 += 1;
                if ch.kind == crate::history::ChangeKind::Added {
                    counts.1 += 1;
                }
            }
        }
    }
    touched
}

/// Ranks a part's commits by how much they say about it: how many of its files they touch or
/// create, how much the message explains, and conventional `feat`/`refactor`/breaking markers.
/// The commit that began the part is always kept. Oldest first.
fn notable_commits(
    history: &History,
    commits: &[usize],
    touched: &HashMap<usize, (u32, u32)>,
) -> Vec<usize> {
    const KEEP: usize = 8;
    let mut scored: Vec<(u32, usize)> = commits
        .iter()
        .map(|&i| {
            let c = &history.commits[i];
            let (files, created) = touched.get(&i).copied().unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Cluster;
    use crate::history::{ChangeKind, Commit, FileChange};

    fn commit(message: &str, changes: &[(&str, ChangeKind)]) -> Commit {
        Commit {
            id: String::new(),
            parents: vec![],
            author: "A".into(),
            email: String::new(),
            time: 0,
            message: message.into(),
            changes: changes
                .iter()
                .map(|&(path, kind)| FileChange {
                    path: path.into(),
                    old_path: None,
                    kind,
                    added: 1,
                    removed: 0,
                    hunks: Vec::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_timeline_keeps_the_commits_that_shaped_the_part() {
        use ChangeKind::*;
        let part = |id: &str, members: &[&str]| Cluster {
            id: id.into(),
            slug: id.into(),
            name: id.into(),
            dir: id.into(),
            members: members.iter().map(|m| m.to_string()).collect(),
            package: None,
            role: None,
            within: None,
        };
        let clusters = Clusters {
            of_file: [("a/x.rs", 0), ("a/y.rs", 0), ("b/z.rs", 1)]
                .into_iter()
                .map(|(p, k)| (p.to_string(), k))
                .collect(),
            clusters: vec![part("a", &["a/x.rs", "a/y.rs"]), part("b", &["b/z.rs"])],
        };
        // Newest first, as the history holds them.
        let mut commits = vec![
            commit("tweak 9", &[("a/x.rs", Modified)]),
            commit("feat: parse faster", &[("a/x.rs", Modified)]),
        ];
        commits.extend((0..8).map(|i| {
            let message: &'static str = Box::leak(format!("tweak {i}").into_boxed_str());
            commit(message, &[("a/y.rs", Modified)])
        }));
        commits.push(commit(
            "Explain the design\n\nWhy x.\nWhy y.\nWhy z.\nAnd more.",
            &[("a/y.rs", Modified)],
        ));
        // A bulk commit in the other part: many files there, one line here.
        let bulk: Vec<(&str, ChangeKind)> = std::iter::repeat_n(("b/z.rs", Modified), 30)
            .chain([("a/y.rs", Modified)])
            .collect();
        commits.push(commit("reformat everything", &bulk));
        commits.push(commit("start", &[("a/x.rs", Added), ("a/y.rs", Added)]));
        for (i, c) in commits.iter_mut().enumerate() {
            c.id = format!("{i:040}");
        }
        let history = History {
            commits,
            ..Default::default()
        };
        let touched = files_touched_per_part(&history, &clusters);
        assert_eq!(
            touched[0][&12],
            (2, 2),
            "the first commit created both files"
        );
        assert_eq!(
            touched[0][&11],
            (1, 0),
            "the bulk commit touched one file here"
        );
        assert_eq!(touched[1][&11], (30, 0));
        let candidates: Vec<usize> = (0..history.commits.len()).collect();
        let notable = notable_commits(&history, &candidates, &touched[0]);
        let subjects: Vec<&str> = notable
            .iter()
            .map(|&i| history.commits[i].subject())
            .collect();
        assert_eq!(notable.len(), 8);
        assert_eq!(
            subjects.first(),
            Some(&"start"),
            "oldest first: {subjects:?}"
        );
        assert!(subjects.contains(&"feat: parse faster"), "{subjects:?}");
        assert!(subjects.contains(&"Explain the design"), "{subjects:?}");
    }
}
