//! Stage 5: a deterministic partition of the files into the parts of the system.
//!
//! 1. Tests, benchmarks, examples, docs and CI files go to one labelled part per package and
//!    role ("tests of grep-searcher"), never one part per test file.
//! 2. Every package a manifest declares is a part that never folds into its parent or the top
//!    level; its code folder (a crate's `src`, a Python package's import folder) is the
//!    package's own part, so the manifest, README and license beside it belong to it too.
//! 3. Inside a package (or a repository without manifests) every folder with code is a
//!    candidate part; folders with too few code files fold into their parent (deepest first).
//! 4. Parts with too many files or lines split along the import graph (label propagation in
//!    path order, ties to the smaller label); each piece is anchored on its most imported file.
//! 5. A few loose top-level files join the part they are most tied to; otherwise the top level
//!    is a part of its own.
//! 6. Files that are not code (docs, data, config) join the part of their nearest folder.
//!
//! Names are the ones developers use: a package's part by its manifest's name, a module inside
//! it by its path in the language (`grep_searcher::sink`, `flask.json`, `ky/core`).
//!
//! Code means program code, with or without a front-end: a shell or Go repository gets parts
//! too, only without symbols.
//!
//! A part's id comes from its anchor (a package or folder, a folder + file, a package + role),
//! never from its members, so adding or removing a file does not move other parts' pages.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::config::ClusterConfig;
use crate::graph::Graph;
use crate::packages::{within, Ecosystem, Package, Packages};
use crate::parse::{parent_dir, Parsed};

#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    /// Stable identity: the anchoring folder ("" for the top level), `folder#file-stem`, or
    /// `folder@role` for the tests, benchmarks, examples, docs or CI of a package.
    pub id: String,
    /// URL-safe and unique: the page is `parts/<slug>.html`.
    pub slug: String,
    pub name: String,
    /// The folder the part is drawn from.
    pub dir: String,
    /// Member paths, sorted.
    pub members: Vec<String>,
    /// The root folder of the package the part belongs to, if a manifest declares one.
    pub package: Option<String>,
    /// "tests", "benchmarks", "examples", "docs" or "CI" for those parts.
    pub role: Option<&'static str>,
    /// The id of the part it is listed under: its package's own part.
    pub within: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Clusters {
    /// Sorted by id.
    pub clusters: Vec<Cluster>,
    /// Path -> index into `clusters`.
    pub of_file: BTreeMap<String, usize>,
}

impl Clusters {
    pub fn of(&self, path: &str) -> Option<&Cluster> {
        self.of_file.get(path).map(|&i| &self.clusters[i])
    }
}

/// Smallest and largest part in code files. Sizes move in coarse steps with the repository's
/// size, so that a few added files do not change them (and reshuffle every part).
pub fn sizes(code_files: usize, config: &ClusterConfig) -> (usize, usize) {
    let min = match code_files {
        0..=19 => 2,
        20..=79 => 3,
        80..=299 => 4,
        300..=999 => 6,
        _ => 8,
    };
    let max = match code_files {
        0..=1999 => 40,
        n => (n / 50).next_multiple_of(20),
    };
    let min = if config.min_files > 0 {
        config.min_files
    } else {
        min
    };
    let max = if config.max_files > 0 {
        config.max_files
    } else {
        max.max(min)
    };
    (min, max)
}

/// A part of more lines than this is split along its imports too (a 12,000-line library is
/// not read in one sitting).
const MAX_LINES: usize = 8_000;

/// What a file is for, when it is not the package's own code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Tests,
    Benchmarks,
    Examples,
    Docs,
    Ci,
}

impl Role {
    fn label(self) -> &'static str {
        match self {
            Role::Tests => "tests",
            Role::Benchmarks => "benchmarks",
            Role::Examples => "examples",
            Role::Docs => "docs",
            Role::Ci => "CI",
        }
    }
}

fn is_test_file(name: &str) -> bool {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    match ext {
        "py" => stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest",
        "go" => stem.ends_with("_test"),
        // C and C++: `db_test.cc`, `arena_unittest.cc`, `test_parse.c`.
        "c" | "cc" | "cpp" | "cxx" => {
            stem.ends_with("_test")
                || stem.ends_with("_tests")
                || stem.ends_with("_unittest")
                || stem.starts_with("test_")
        }
        "js" | "ts" | "tsx" | "jsx" | "mjs" | "cjs" | "mts" | "cts" => {
            let inner = stem.rsplit_once('.').map(|(_, k)| k);
            matches!(inner, Some("test" | "spec"))
        }
        _ => false,
    }
}

/// What a file is for when it is not the code itself, judged by its path alone: "tests",
/// "benchmarks", "examples", "docs" or "CI".
pub fn role_of(path: &str) -> Option<&'static str> {
    role(path, "").map(Role::label)
}

/// The role of a file, judged by its path inside its package (or the repository).
fn role(path: &str, base: &str) -> Option<Role> {
    let rel = if base.is_empty() {
        path
    } else {
        path.strip_prefix(base)?.strip_prefix('/')?
    };
    let (dirs, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let dirs: Vec<&str> = dirs.split('/').filter(|d| !d.is_empty()).collect();
    let first = dirs.first().copied().unwrap_or("");
    if matches!(
        first,
        ".github" | ".circleci" | ".gitlab" | ".buildkite" | "ci"
    ) || matches!(
        name,
        ".gitlab-ci.yml" | ".travis.yml" | "azure-pipelines.yml"
    ) {
        return Some(Role::Ci);
    }
    if matches!(first, "docs" | "doc") {
        return Some(Role::Docs);
    }
    // The outermost folder that says what its files are for: `examples/app/tests` holds an
    // example, `tests/fixtures/examples` holds tests.
    let by_folder = dirs.iter().find_map(|d| match *d {
        "tests" | "test" | "__tests__" | "spec" | "specs" | "testdata" | "test_data"
        | "test-data" => Some(Role::Tests),
        "benches" | "bench" | "benchmarks" | "benchmark" | "benchsuite" => Some(Role::Benchmarks),
        "examples" | "example" => Some(Role::Examples),
        _ => None,
    });
    by_folder.or_else(|| is_test_file(name).then_some(Role::Tests))
}

/// A part before naming: its anchor folder, optional anchor file, members.
struct Part {
    dir: String,
    anchor_file: Option<String>,
    role: Option<Role>,
    files: Vec<String>,
}

pub fn cluster(
    parsed: &Parsed,
    graph: &Graph,
    packages: &Packages,
    config: &ClusterConfig,
    title: &str,
) -> Clusters {
    // 1: the files of each package's tests, benchmarks, examples, docs and CI.
    let mut roles: BTreeMap<(String, Role), Vec<String>> = BTreeMap::new();
    let mut code: Vec<&str> = Vec::new();
    let mut plain: Vec<&str> = Vec::new();
    for f in &parsed.files {
        let owner = packages.owner(&f.path);
        let base = owner.map_or("", |p| p.root.as_str());
        // Under a Java source root the folders are the code's packages (`com/example/...`):
        // they name no role.
        let java_code = owner.is_some_and(|p| {
            matches!(p.ecosystem, Ecosystem::Maven | Ecosystem::Gradle)
                && p.code_root != p.root
                && within(&f.path, &p.code_root)
        });
        let role = match java_code {
            true => None,
            false => role(&f.path, base),
        };
        match role {
            Some(r) => roles
                .entry((base.to_string(), r))
                .or_default()
                .push(f.path.clone()),
            None if f.is_code() => code.push(&f.path),
            None => plain.push(&f.path),
        }
    }
    let (min, max) = sizes(code.len(), config);
    let lines: BTreeMap<&str, usize> = parsed
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.lines))
        .collect();

    // 2: a package's code folder stands for the package's own folder.
    let roots: BTreeSet<&str> = packages.packages.iter().map(|p| p.root.as_str()).collect();
    let homes: BTreeMap<&str, &str> = packages
        .packages
        .iter()
        .filter(|p| p.code_root != p.root)
        .filter(|p| {
            packages
                .owner(&p.code_root)
                .is_some_and(|o| o.root == p.root)
        })
        .map(|p| (p.code_root.as_str(), p.root.as_str()))
        .collect();
    let home = |dir: &str| -> String { homes.get(dir).copied().unwrap_or(dir).to_string() };

    // 3: seed with folders, fold small ones into their parents, deepest first; a package's
    // folder never folds.
    let mut held: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in &code {
        let own = home(parent_dir(path));
        let mut dir = own.clone();
        loop {
            held.entry(dir.clone()).or_default();
            if dir.is_empty() {
                break;
            }
            dir = home(parent_dir(&dir));
        }
        held.entry(own).or_default().push(path.to_string());
    }
    let mut dirs: Vec<String> = held
        .keys()
        .filter(|d| !d.is_empty() && !roots.contains(d.as_str()))
        .cloned()
        .collect();
    dirs.sort_by(|a, b| depth(b).cmp(&depth(a)).then(a.cmp(b)));
    for dir in dirs {
        if held[&dir].len() < min {
            let files = held.remove(&dir).unwrap_or_default();
            held.entry(home(parent_dir(&dir)))
                .or_default()
                .extend(files);
        }
    }
    let root_files = held.remove("").unwrap_or_default();

    // 4: split parts that are too large.
    let split_limits = Limits {
        min,
        max,
        lines: &lines,
    };
    let mut parts: Vec<Part> = Vec::new();
    for (dir, files) in held {
        if files.is_empty() {
            continue;
        }
        parts.extend(split(dir, files, graph, &split_limits));
    }

    // 5: loose top-level files. The root package's own code is no loose file; a file that
    // folded up from a small folder outside its code folder is.
    let mut root_left = Vec::new();
    let root_code = packages.at_root().map(|p| p.code_root.as_str());
    let (own, loose): (Vec<String>, Vec<String>) = root_files
        .into_iter()
        .partition(|f| root_code.is_some_and(|code| parent_dir(f).is_empty() || within(f, code)));
    root_left.extend(own);
    if loose.len() + root_left.len() >= min && root_code.is_none() || parts.is_empty() {
        root_left.extend(loose);
    } else {
        for file in loose {
            let mut best: Option<(u32, usize)> = None;
            let mut tied_parts = 0;
            for (i, part) in parts.iter().enumerate() {
                let w: u32 = part.files.iter().map(|m| graph.link_weight(&file, m)).sum();
                if w > 0 {
                    tied_parts += 1;
                }
                if w > 0 && best.is_none_or(|(bw, _)| w > bw) {
                    best = Some((w, i));
                }
            }
            // A file tied to several parts is an entry point: it stays at the top.
            match best {
                Some((_, i)) if tied_parts == 1 => parts[i].files.push(file),
                _ => root_left.push(file),
            }
        }
    }
    if !root_left.is_empty() {
        parts.extend(split(String::new(), root_left, graph, &split_limits));
    }

    // A module carved out on its own whose folder of submodules is a part too (Rust's
    // `rwlock.rs` beside `rwlock/`) is one module: the file joins its folder's part.
    let folders: BTreeMap<String, usize> = parts
        .iter()
        .enumerate()
        .filter(|(_, p)| p.anchor_file.is_none())
        .map(|(i, p)| (p.dir.clone(), i))
        .collect();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        if let (Some(anchor), [only]) = (&p.anchor_file, p.files.as_slice()) {
            let own = anchor.rsplit_once('.').map_or(anchor.as_str(), |(s, _)| s);
            if let Some(&j) = folders.get(own).filter(|_| anchor == only) {
                merged.push((i, j));
            }
        }
    }
    for &(i, j) in &merged {
        let files = std::mem::take(&mut parts[i].files);
        parts[j].files.extend(files);
    }
    parts.retain(|p| !p.files.is_empty());

    // 6: files without a front-end join the part of their nearest folder.
    // A folder's own part, not a module carved out of it, takes its other files.
    let mut by_dir: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, p) in parts.iter().enumerate() {
        let slot = by_dir.entry(p.dir.as_str()).or_insert(i);
        if parts[*slot].anchor_file.is_some() && p.anchor_file.is_none() {
            *slot = i;
        }
    }
    let mut extra: Vec<(usize, String)> = Vec::new();
    let mut project: Vec<String> = Vec::new();
    for file in plain {
        let mut dir = home(parent_dir(file));
        let found = loop {
            if let Some(&i) = by_dir.get(dir.as_str()) {
                break Some(i);
            }
            if dir.is_empty() {
                break None;
            }
            dir = home(parent_dir(&dir));
        };
        match found {
            Some(i) => extra.push((i, file.to_string())),
            None => project.push(file.to_string()),
        }
    }
    for (i, path) in extra {
        parts[i].files.push(path);
    }
    if !project.is_empty() {
        parts.push(Part {
            dir: String::new(),
            anchor_file: Some("(project)".into()),
            role: None,
            files: project,
        });
    }
    for ((base, role), files) in roles {
        parts.push(Part {
            dir: base,
            anchor_file: None,
            role: Some(role),
            files,
        });
    }

    finish(parts, packages, title)
}

fn depth(dir: &str) -> usize {
    if dir.is_empty() {
        0
    } else {
        dir.matches('/').count() + 1
    }
}

struct Limits<'a> {
    min: usize,
    max: usize,
    lines: &'a BTreeMap<&'a str, usize>,
}

/// Splits a folder's files along the import graph when there are more than `max` files or
/// `MAX_LINES` lines.
fn split(dir: String, mut files: Vec<String>, graph: &Graph, limits: &Limits) -> Vec<Part> {
    let min = limits.min;
    files.sort();
    let lines: usize = files
        .iter()
        .map(|f| limits.lines.get(f.as_str()).copied().unwrap_or(0))
        .sum();
    if files.len() <= limits.max && lines <= MAX_LINES {
        return vec![Part {
            dir,
            anchor_file: None,
            role: None,
            files,
        }];
    }
    let index: BTreeMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    // Import links (already both ways through `neighbours`) plus co-change, both ways.
    let mut symmetric: Vec<BTreeMap<usize, u32>> = vec![BTreeMap::new(); files.len()];
    for (i, f) in files.iter().enumerate() {
        for (other, w) in graph.neighbours(f) {
            if let Some(&j) = index.get(other) {
                *symmetric[i].entry(j).or_default() += w;
            }
        }
        for ((a, b), w) in graph.cochange.range((f.clone(), String::new())..) {
            if a != f {
                break;
            }
            if let Some(&j) = index.get(b.as_str()) {
                *symmetric[i].entry(j).or_default() += w;
                *symmetric[j].entry(i).or_default() += w;
            }
        }
    }

    let mut labels: Vec<usize> = (0..files.len()).collect();
    for _ in 0..30 {
        let mut changed = false;
        for i in 0..files.len() {
            let mut score: BTreeMap<usize, u32> = BTreeMap::new();
            for (&j, &w) in &symmetric[i] {
                *score.entry(labels[j]).or_default() += w;
            }
            // Highest weight wins; among equals the smallest label (the first path).
            if let Some((&label, _)) = score.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
                if label != labels[i] {
                    labels[i] = label;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &l) in labels.iter().enumerate() {
        groups.entry(l).or_default().push(i);
    }
    let (big, small): (Vec<Vec<usize>>, Vec<Vec<usize>>) =
        groups.into_values().partition(|g| g.len() >= min);
    if big.len() < 2 {
        return by_module(dir, files, limits);
    }
    // Small groups join the big group they are most tied to, else the folder's remainder part.
    let mut pieces: Vec<Vec<usize>> = big;
    let mut rest: Vec<usize> = Vec::new();
    for group in small {
        let best = pieces
            .iter()
            .enumerate()
            .map(|(p, piece)| {
                let w: u32 = group
                    .iter()
                    .flat_map(|&i| piece.iter().map(move |&j| (i, j)))
                    .map(|(i, j)| symmetric[i].get(&j).copied().unwrap_or(0))
                    .sum();
                (w, p)
            })
            .filter(|(w, _)| *w > 0)
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        match best {
            Some((_, p)) => pieces[p].extend(group),
            None => rest.extend(group),
        }
    }
    // Each piece is anchored on its most imported file; so is the remainder, so that it is
    // named by a module of its own rather than claiming the folder's name beside them.
    let anchored = |piece: &[usize]| {
        let mut members: Vec<String> = piece.iter().map(|&i| files[i].clone()).collect();
        members.sort();
        let anchor = members
            .iter()
            .max_by(|a, b| {
                let ia = graph.importers_of(a).count();
                let ib = graph.importers_of(b).count();
                ia.cmp(&ib).then(b.cmp(a))
            })
            .cloned();
        Part {
            dir: dir.clone(),
            anchor_file: anchor,
            role: None,
            files: members,
        }
    };
    let mut out: Vec<Part> = pieces.iter().map(|p| anchored(p)).collect();
    if !rest.is_empty() {
        out.push(anchored(&rest));
    }
    out
}

/// A folder too large to read in one sitting whose imports do not fall apart (a flat package
/// whose modules all import each other): each large module is a part of its own, named by
/// its module path, and the smaller ones stay together.
fn by_module(dir: String, files: Vec<String>, limits: &Limits) -> Vec<Part> {
    let lines = |f: &String| limits.lines.get(f.as_str()).copied().unwrap_or(0);
    let total: usize = files.iter().map(lines).sum();
    let (large, rest): (Vec<String>, Vec<String>) = files.iter().cloned().partition(|f| {
        total > MAX_LINES && lines(f) >= MAX_LINES / 8 && !ROOT_STEMS.contains(&file_stem(f))
    });
    if large.is_empty() || (rest.is_empty() && large.len() < 2) {
        return vec![Part {
            dir,
            anchor_file: None,
            role: None,
            files,
        }];
    }
    let mut out: Vec<Part> = large
        .into_iter()
        .map(|f| Part {
            dir: dir.clone(),
            anchor_file: Some(f.clone()),
            role: None,
            files: vec![f],
        })
        .collect();
    if !rest.is_empty() {
        out.push(Part {
            dir,
            anchor_file: None,
            role: None,
            files: rest,
        });
    }
    out
}

const GENERIC_DIRS: &[&str] = &["src", "lib", "source", "pkg", "internal", "app", "core"];

/// Files whose stem names their folder's module rather than a module of its own.
const ROOT_STEMS: &[&str] = &["mod", "lib", "main", "__init__", "index"];

/// A folder's name where no package names it: its last component, qualified when generic.
fn folder_name(dir: &str, title: &str) -> String {
    if dir.is_empty() {
        return "Top level".to_string();
    }
    let last = dir.rsplit('/').next().unwrap_or(dir);
    if GENERIC_DIRS.contains(&last) {
        let parent = parent_dir(dir);
        if parent.is_empty() {
            format!("{title} {last}")
        } else {
            format!("{} {last}", parent.rsplit('/').next().unwrap_or(parent))
        }
    } else {
        last.to_string()
    }
}

/// A code part's name: the package's name for its own folder, the module path in the
/// language's terms inside its code folder, the folder's name elsewhere.
fn code_name(dir: &str, stem: Option<&str>, package: Option<&Package>, title: &str) -> String {
    let module_of = |p: &Package, rel: &str| {
        let sep = p.ecosystem.separator();
        // A Java module's folders are named by their package alone (`com.example.store`).
        let mut path: Vec<String> = Some(p.module.clone())
            .filter(|m| !m.is_empty())
            .into_iter()
            .collect();
        path.extend(rel.split('/').filter(|s| !s.is_empty()).map(str::to_string));
        if let Some(s) = stem.filter(|s| !ROOT_STEMS.contains(s)) {
            path.push(s.to_string());
        }
        match path.is_empty() {
            true => p.name.clone(),
            false => path.join(sep),
        }
    };
    match package {
        Some(p) if dir == p.root => match stem.filter(|s| !ROOT_STEMS.contains(s)) {
            None => p.name.clone(),
            Some(_) => module_of(p, ""),
        },
        // A CMake project's folders have no module names: they are named as folders.
        Some(p) if within(dir, &p.code_root) && p.ecosystem != Ecosystem::CMake => {
            let rel = dir[p.code_root.len()..].trim_start_matches('/');
            module_of(p, rel)
        }
        _ => match stem {
            Some(s) => format!("{}: {s}", folder_name(dir, title)),
            None => folder_name(dir, title),
        },
    }
}

fn finish(parts: Vec<Part>, packages: &Packages, title: &str) -> Clusters {
    let mut clusters: Vec<Cluster> = parts
        .into_iter()
        .map(|mut part| {
            part.files.sort();
            part.files.dedup();
            let package = packages.owner(&part.dir);
            let stem = part.anchor_file.as_deref().map(file_stem);
            let id = match (&part.anchor_file, part.role) {
                (_, Some(role)) => format!("{}@{}", part.dir, role.label()),
                (Some(p), _) if p == "(project)" => "(project)".to_string(),
                (Some(f), _) => format!("{}#{}", part.dir, file_stem(f)),
                (None, _) => part.dir.clone(),
            };
            let name = match (part.role, stem) {
                (Some(role), _) => match (role, package) {
                    (Role::Docs | Role::Ci, Some(p)) if p.root.is_empty() => {
                        capitalised(role.label())
                    }
                    (_, Some(p)) => format!("{} of {}", role.label(), p.name),
                    (_, None) if part.dir.is_empty() => capitalised(role.label()),
                    (_, None) => format!("{} of {}", role.label(), folder_name(&part.dir, title)),
                },
                (None, Some("(project)")) => "Project files".to_string(),
                (None, stem) => code_name(&part.dir, stem, package, title),
            };
            Cluster {
                slug: String::new(),
                name,
                dir: part.dir,
                members: part.files,
                package: package.map(|p| p.root.clone()),
                role: part.role.map(Role::label),
                within: None,
                id,
            }
        })
        .collect();
    clusters.sort_by(|a, b| a.id.cmp(&b.id));

    // A package's other parts (its modules, tests, examples) are listed under its own part,
    // when there are several packages to tell apart; the repository's own docs and CI never
    // are.
    let several = packages.packages.len() > 1;
    let heads: BTreeMap<String, String> = clusters
        .iter()
        .filter(|c| c.role.is_none() && c.id != "(project)")
        .filter(|c| c.package.as_deref() == Some(c.dir.as_str()))
        .map(|c| (c.dir.clone(), c.id.clone()))
        .rev() // the first id of a split package folder wins
        .collect();
    for c in &mut clusters {
        let repository_wide = c.dir.is_empty() && matches!(c.role, Some("docs" | "CI"));
        let head = c.package.as_ref().and_then(|p| heads.get(p));
        c.within = head
            .filter(|h| **h != c.id && several && !repository_wide)
            .cloned();
    }

    // Same names are told apart by their packages' names when those differ (a Java package
    // in two Maven modules: `com.google.gson (gson-extras)`), else by their full folder path
    // (two `util` folders, say).
    let mut name_count: BTreeMap<String, usize> = BTreeMap::new();
    for c in &clusters {
        *name_count.entry(c.name.clone()).or_default() += 1;
    }
    let package_name = |c: &Cluster| {
        let root = c.package.as_deref()?;
        packages
            .packages
            .iter()
            .find(|p| p.root == root)
            .map(|p| p.name.clone())
    };
    let with_package: Vec<Option<String>> = clusters
        .iter()
        .map(|c| {
            let shared = name_count[&c.name] > 1 && c.role.is_none();
            shared
                .then(|| package_name(c))
                .flatten()
                .filter(|p| *p != c.name)
                .map(|p| format!("{} ({p})", c.name))
        })
        .collect();
    let mut told_apart: BTreeMap<&str, usize> = BTreeMap::new();
    for n in with_package.iter().flatten() {
        *told_apart.entry(n).or_default() += 1;
    }
    let renamed: Vec<Option<String>> = with_package
        .iter()
        .map(|n| n.clone().filter(|n| told_apart[n.as_str()] == 1))
        .collect();
    for (c, renamed) in clusters.iter_mut().zip(renamed) {
        if name_count[&c.name] > 1 && !c.dir.is_empty() {
            c.name = match (c.role, renamed) {
                (Some(role), _) => format!("{role} of {}", c.dir),
                (None, Some(name)) => name,
                (None, None) => c.id.replace('#', ": "),
            };
        }
    }
    let mut used = BTreeSet::new();
    for c in &mut clusters {
        let base = slugify(&c.id);
        let mut slug = base.clone();
        let mut n = 2;
        while !used.insert(slug.clone()) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        c.slug = slug;
    }
    let mut of_file = BTreeMap::new();
    for (i, c) in clusters.iter().enumerate() {
        for m in &c.members {
            of_file.insert(m.clone(), i);
        }
    }
    Clusters { clusters, of_file }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.split_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    }
}

/// Lower-case ASCII letters, digits and dashes; the top level is `root`.
pub fn slugify(id: &str) -> String {
    let mut slug = String::new();
    for c in id.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() {
        "root".into()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{FileFacts, Import, ImportSpec, ParsedFile};
    use crate::snapshot::Language;

    fn parsed(files: &[(&str, &[&str])]) -> (Parsed, Graph) {
        let mut list: Vec<ParsedFile> = files
            .iter()
            .map(|(path, imports)| ParsedFile {
                path: path.to_string(),
                blob: format!("blob-{path}"),
                language: Language::from_path(path),
                kind: crate::snapshot::kind_label(path, ""),
                lines: 10,
                facts: FileFacts {
                    imports: imports
                        .iter()
                        .map(|t| Import {
                            spec: ImportSpec::Js(t.to_string()),
                            line: 1,
                            target: Some(t.to_string()),
                        })
                        .collect(),
                    ..Default::default()
                },
                note: None,
            })
            .collect();
        list.sort_by(|a, b| a.path.cmp(&b.path));
        let parsed = Parsed { files: list };
        let graph = crate::graph::build(
            &parsed,
            &Default::default(),
            &crate::graph::GraphOptions {
                max_changeset: 50,
                min_cochange: 2,
            },
        );
        (parsed, graph)
    }

    /// `parsed` for lists built at run time.
    fn parsed_owned(files: &[(String, Vec<String>)]) -> (Parsed, Graph) {
        let owned: Vec<(&str, Vec<&str>)> = files
            .iter()
            .map(|(p, i)| (p.as_str(), i.iter().map(String::as_str).collect()))
            .collect();
        let borrowed: Vec<(&str, &[&str])> =
            owned.iter().map(|(p, i)| (*p, i.as_slice())).collect();
        parsed(&borrowed)
    }

    /// Parts of a repository without manifests, with the default sizes.
    fn plain(p: &Parsed, g: &Graph) -> Clusters {
        cluster(
            p,
            g,
            &Packages::default(),
            &ClusterConfig::default(),
            "demo",
        )
    }

    fn ids(c: &Clusters) -> Vec<&str> {
        c.clusters.iter().map(|c| c.id.as_str()).collect()
    }

    const REPO: &[(&str, &[&str])] = &[
        ("README.md", &[]),
        ("src/main.rs", &["src/lib.rs"]),
        ("src/lib.rs", &["src/parse/mod.rs", "src/site/mod.rs"]),
        ("src/parse/mod.rs", &[]),
        ("src/parse/rust.rs", &["src/parse/mod.rs"]),
        ("src/parse/python.rs", &["src/parse/mod.rs"]),
        ("src/site/mod.rs", &["src/parse/mod.rs"]),
        ("src/site/svg.rs", &[]),
        ("src/site/templates.rs", &[]),
        ("src/site/tiny/one.rs", &[]),
        ("tests/build.rs", &["src/lib.rs"]),
    ];

    #[test]
    fn folders_become_parts_and_small_ones_fold_up() {
        let (p, g) = parsed(REPO);
        let c = plain(&p, &g);
        assert_eq!(
            ids(&c),
            ["(project)", "@tests", "src", "src/parse", "src/site"]
        );
        // Tests are a labelled part of their own.
        assert_eq!(c.of("tests/build.rs").unwrap().id, "@tests");
        assert_eq!(c.of("tests/build.rs").unwrap().name, "Tests");
        assert_eq!(c.of("src/site/tiny/one.rs").unwrap().id, "src/site");
        assert_eq!(c.of("README.md").unwrap().id, "(project)");
        assert_eq!(c.of("src/parse/rust.rs").unwrap().name, "parse");
        assert_eq!(c.of("src/lib.rs").unwrap().name, "demo src");
        assert_eq!(c.of("src/lib.rs").unwrap().slug, "src");
    }

    #[test]
    fn adding_a_file_keeps_every_id_and_slug() {
        let (p, g) = parsed(REPO);
        let before = plain(&p, &g);
        let mut more = REPO.to_vec();
        more.push(("src/parse/go.rs", &["src/parse/mod.rs"]));
        let (p2, g2) = parsed(&more);
        let after = plain(&p2, &g2);
        assert_eq!(ids(&before), ids(&after));
        let slugs = |c: &Clusters| {
            c.clusters
                .iter()
                .map(|c| c.slug.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(slugs(&before), slugs(&after));
        // Only the part that gained the file has new members.
        for (b, a) in before.clusters.iter().zip(&after.clusters) {
            assert_eq!(b.members == a.members, b.id != "src/parse", "{}", b.id);
        }
    }

    #[test]
    fn small_edits_do_not_reshuffle_parts() {
        let members = |c: &Clusters| {
            c.clusters
                .iter()
                .map(|c| (c.id.clone(), c.members.clone()))
                .collect::<Vec<_>>()
        };
        let (p, g) = parsed(REPO);
        let before = plain(&p, &g);
        // A new import from one part into another, and a deleted one.
        let mut edited = REPO.to_vec();
        edited[3] = ("src/parse/mod.rs", &["src/site/svg.rs"]);
        edited[6] = ("src/site/mod.rs", &[]);
        let (p2, g2) = parsed(&edited);
        let after = plain(&p2, &g2);
        assert_eq!(members(&before), members(&after));
    }

    #[test]
    fn a_large_flat_folder_splits_along_imports() {
        let mut files: Vec<(String, Vec<String>)> = Vec::new();
        for group in ["alpha", "beta"] {
            files.push((format!("lib/{group}_core.py"), vec![]));
            for i in 0..25 {
                files.push((
                    format!("lib/{group}_{i:02}.py"),
                    vec![format!("lib/{group}_core.py")],
                ));
            }
        }
        let (p, g) = parsed_owned(&files);
        let c = plain(&p, &g);
        assert_eq!(ids(&c), ["lib#alpha_core", "lib#beta_core"]);
        assert!(c.clusters.iter().all(|c| c.members.len() == 26));
        assert_eq!(c.clusters[0].name, "demo lib: alpha_core");
    }

    #[test]
    fn a_large_package_whose_modules_all_import_each_other_splits_by_module() {
        let names = ["core", "types", "utils", "parser", "testing", "globals"];
        let files: Vec<(String, Vec<String>)> = names
            .iter()
            .map(|n| {
                let others = names
                    .iter()
                    .filter(|o| *o != n)
                    .map(|o| format!("pkg/{o}.py"))
                    .collect();
                (format!("pkg/{n}.py"), others)
            })
            .collect();
        let (mut p, g) = parsed_owned(&files);
        for f in &mut p.files {
            f.lines = match f.path.as_str() {
                "pkg/core.py" => 5_000,
                "pkg/types.py" => 2_000,
                _ => 400,
            };
        }
        let c = plain(&p, &g);
        assert_eq!(ids(&c), ["pkg", "pkg#core", "pkg#types"]);
        assert_eq!(c.of("pkg/utils.py").unwrap().id, "pkg");
        assert_eq!(c.of("pkg/core.py").unwrap().name, "demo pkg: core");
    }

    #[test]
    fn a_carved_module_joins_its_folder_of_submodules() {
        let mut files: Vec<(String, Vec<String>)> = Vec::new();
        for n in ["mutex", "rwlock", "notify", "barrier"] {
            let others: Vec<String> = ["mutex", "rwlock", "notify", "barrier"]
                .iter()
                .filter(|o| **o != n)
                .map(|o| format!("sync/{o}.rs"))
                .collect();
            files.push((format!("sync/{n}.rs"), others));
        }
        for sub in ["read", "write", "owned"] {
            files.push((format!("sync/rwlock/{sub}.rs"), vec![]));
        }
        let (mut p, g) = parsed_owned(&files);
        for f in &mut p.files {
            if matches!(f.path.as_str(), "sync/mutex.rs" | "sync/rwlock.rs") {
                f.lines = 4_000;
            }
        }
        let c = plain(&p, &g);
        assert_eq!(ids(&c), ["sync", "sync#mutex", "sync/rwlock"]);
        assert_eq!(c.of("sync/rwlock.rs").unwrap().id, "sync/rwlock");
    }

    fn crate_at(root: &str, name: &str) -> crate::packages::Package {
        crate::packages::Package {
            name: name.into(),
            ecosystem: crate::packages::Ecosystem::Cargo,
            root: root.into(),
            manifest: format!("{root}/Cargo.toml"),
            description: String::new(),
            code_root: format!("{root}/src"),
            module: name.replace('-', "_"),
            library: Some(format!("{root}/src/lib.rs")),
            entries: vec![],
            proc_macro: false,
        }
    }

    #[test]
    fn packages_are_parts_that_stay_put() {
        const WORKSPACE: &[(&str, &[&str])] = &[
            ("Cargo.toml", &[]),
            ("crates/core/Cargo.toml", &[]),
            ("crates/core/src/lib.rs", &["crates/core/src/walk/mod.rs"]),
            ("crates/core/src/walk/mod.rs", &[]),
            ("crates/core/src/walk/dir.rs", &[]),
            ("crates/core/src/walk/par.rs", &[]),
            ("crates/core/tests/walk.rs", &["crates/core/src/lib.rs"]),
            ("crates/tiny/Cargo.toml", &[]),
            ("crates/tiny/src/lib.rs", &[]),
            ("docs/guide.md", &[]),
        ];
        let packages = Packages {
            packages: vec![
                crate_at("crates/core", "my-core"),
                crate_at("crates/tiny", "tiny"),
            ],
            ..Default::default()
        };
        let (p, g) = parsed(WORKSPACE);
        let before = cluster(&p, &g, &packages, &ClusterConfig::default(), "demo");
        let names: Vec<(&str, &str)> = before
            .clusters
            .iter()
            .map(|c| (c.id.as_str(), c.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("(project)", "Project files"),
                ("@docs", "Docs"),
                ("crates/core", "my-core"),
                ("crates/core/src/walk", "my_core::walk"),
                ("crates/core@tests", "tests of my-core"),
                // One file, still a part: a package never folds into its parent.
                ("crates/tiny", "tiny"),
            ]
        );
        assert_eq!(
            before.of("crates/core/Cargo.toml").unwrap().id,
            "crates/core"
        );
        let slugs = |c: &Clusters| {
            c.clusters
                .iter()
                .map(|c| c.slug.clone())
                .collect::<Vec<_>>()
        };
        let mut more = WORKSPACE.to_vec();
        more.push(("crates/core/src/walk/sort.rs", &[]));
        more.push(("crates/tiny/src/extra.rs", &["crates/tiny/src/lib.rs"]));
        let (p2, g2) = parsed(&more);
        let after = cluster(&p2, &g2, &packages, &ClusterConfig::default(), "demo");
        assert_eq!(ids(&before), ids(&after));
        assert_eq!(slugs(&before), slugs(&after));
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("src/Parse Stuff#x"), "src-parse-stuff-x");
        assert_eq!(slugify(""), "root");
        assert_eq!(slugify("日本"), "root");
    }
}
