//! Stage 5: a deterministic partition of the files into the parts of the system.
//!
//! 1. Every folder with code is a candidate part, anchored on its path.
//! 2. Folders with too few code files fold into their parent (deepest first).
//! 3. Parts with too many files split along the import graph (label propagation in path order,
//!    ties to the smaller label); each piece is anchored on its most imported file.
//! 4. A few loose top-level files join the part they are most tied to; otherwise the top level
//!    is a part of its own.
//! 5. Files that are not code (docs, data, config) join the part of their nearest folder.
//!
//! Code means program code, with or without a front-end: a shell or Go repository gets parts
//! too, only without symbols.
//!
//! A part's id comes from its anchor (a folder, or folder + file), never from its members, so
//! adding or removing a file does not move other parts' pages.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::config::ClusterConfig;
use crate::graph::Graph;
use crate::parse::{parent_dir, Parsed};

#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    /// Stable identity: the anchoring folder ("" for the top level), or `folder#file-stem`.
    pub id: String,
    /// URL-safe and unique: the page is `parts/<slug>.html`.
    pub slug: String,
    pub name: String,
    /// The folder the part is drawn from.
    pub dir: String,
    /// Member paths, sorted.
    pub members: Vec<String>,
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

/// A part before naming: its anchor folder, optional anchor file, members.
struct Part {
    dir: String,
    anchor_file: Option<String>,
    files: Vec<String>,
}

pub fn cluster(parsed: &Parsed, graph: &Graph, config: &ClusterConfig, title: &str) -> Clusters {
    let code: Vec<&str> = parsed
        .files
        .iter()
        .filter(|f| f.is_code())
        .map(|f| f.path.as_str())
        .collect();
    let (min, max) = sizes(code.len(), config);

    // 1-2: seed with folders, fold small ones into their parents, deepest first.
    let mut held: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in &code {
        let mut dir = parent_dir(path);
        loop {
            held.entry(dir.to_string()).or_default();
            if dir.is_empty() {
                break;
            }
            dir = parent_dir(dir);
        }
        held.entry(parent_dir(path).to_string())
            .or_default()
            .push(path.to_string());
    }
    let mut dirs: Vec<String> = held.keys().filter(|d| !d.is_empty()).cloned().collect();
    dirs.sort_by(|a, b| depth(b).cmp(&depth(a)).then(a.cmp(b)));
    for dir in dirs {
        if held[&dir].len() < min {
            let files = held.remove(&dir).unwrap_or_default();
            held.entry(parent_dir(&dir).to_string())
                .or_default()
                .extend(files);
        }
    }
    let root_files = held.remove("").unwrap_or_default();

    // 3: split parts that are too large.
    let mut parts: Vec<Part> = Vec::new();
    for (dir, files) in held {
        if files.is_empty() {
            continue;
        }
        parts.extend(split(dir, files, graph, min, max));
    }

    // 4: loose top-level files.
    let mut root_left = Vec::new();
    if root_files.len() >= min || parts.is_empty() {
        root_left = root_files;
    } else {
        for file in root_files {
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
        parts.extend(split(String::new(), root_left, graph, min, max));
    }

    // 5: files without a front-end join the part of their nearest folder.
    let mut by_dir: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, p) in parts.iter().enumerate() {
        by_dir.entry(p.dir.as_str()).or_insert(i);
    }
    let mut extra: Vec<(usize, String)> = Vec::new();
    let mut project: Vec<String> = Vec::new();
    for file in parsed.files.iter().filter(|f| !f.is_code()) {
        let mut dir = parent_dir(&file.path);
        let found = loop {
            if let Some(&i) = by_dir.get(dir) {
                break Some(i);
            }
            if dir.is_empty() {
                break None;
            }
            dir = parent_dir(dir);
        };
        match found {
            Some(i) => extra.push((i, file.path.clone())),
            None => project.push(file.path.clone()),
        }
    }
    for (i, path) in extra {
        parts[i].files.push(path);
    }
    if !project.is_empty() {
        parts.push(Part {
            dir: String::new(),
            anchor_file: Some("(project)".into()),
            files: project,
        });
    }

    finish(parts, title)
}

fn depth(dir: &str) -> usize {
    if dir.is_empty() {
        0
    } else {
        dir.matches('/').count() + 1
    }
}

/// Splits a folder's files along the import graph when there are more than `max`.
fn split(dir: String, mut files: Vec<String>, graph: &Graph, min: usize, max: usize) -> Vec<Part> {
    files.sort();
    if files.len() <= max {
        return vec![Part {
            dir,
            anchor_file: None,
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
        return vec![Part {
            dir,
            anchor_file: None,
            files,
        }];
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
    let mut out: Vec<Part> = pieces
        .into_iter()
        .map(|piece| {
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
                files: members,
            }
        })
        .collect();
    if !rest.is_empty() {
        out.push(Part {
            dir,
            anchor_file: None,
            files: rest.iter().map(|&i| files[i].clone()).collect(),
        });
    }
    out
}

const GENERIC_DIRS: &[&str] = &["src", "lib", "source", "pkg", "internal", "app", "core"];

fn finish(parts: Vec<Part>, title: &str) -> Clusters {
    let mut clusters: Vec<Cluster> = parts
        .into_iter()
        .map(|mut part| {
            part.files.sort();
            part.files.dedup();
            let stem = part.anchor_file.as_deref().map(file_stem);
            let id = match (&part.anchor_file, part.dir.is_empty()) {
                (Some(p), _) if p == "(project)" => "(project)".to_string(),
                (Some(f), _) => format!("{}#{}", part.dir, file_stem(f)),
                (None, _) => part.dir.clone(),
            };
            let base_name = if part.dir.is_empty() {
                match part.anchor_file.as_deref() {
                    Some("(project)") => "Project files".to_string(),
                    _ => "Top level".to_string(),
                }
            } else {
                let last = part.dir.rsplit('/').next().unwrap_or(&part.dir);
                if GENERIC_DIRS.contains(&last) {
                    let parent = parent_dir(&part.dir);
                    if parent.is_empty() {
                        format!("{title} {last}")
                    } else {
                        format!("{} {last}", parent.rsplit('/').next().unwrap_or(parent))
                    }
                } else {
                    last.to_string()
                }
            };
            let name = match stem {
                Some(s) if s != "(project)" => format!("{base_name}: {s}"),
                _ => base_name,
            };
            Cluster {
                slug: String::new(),
                name,
                dir: part.dir,
                members: part.files,
                id,
            }
        })
        .collect();
    clusters.sort_by(|a, b| a.id.cmp(&b.id));

    // Same names (two `util` folders, say) are told apart by their full folder path.
    let mut name_count: BTreeMap<String, usize> = BTreeMap::new();
    for c in &clusters {
        *name_count.entry(c.name.clone()).or_default() += 1;
    }
    for c in &mut clusters {
        if name_count[&c.name] > 1 && !c.dir.is_empty() {
            c.name = c.id.replace('#', ": ");
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
        let c = cluster(&p, &g, &ClusterConfig::default(), "demo");
        assert_eq!(ids(&c), ["(project)", "src", "src/parse", "src/site"]);
        // A lone test file joins the part it exercises.
        assert_eq!(c.of("tests/build.rs").unwrap().id, "src");
        assert_eq!(c.of("src/site/tiny/one.rs").unwrap().id, "src/site");
        assert_eq!(c.of("README.md").unwrap().id, "(project)");
        assert_eq!(c.of("src/parse/rust.rs").unwrap().name, "parse");
        assert_eq!(c.of("src/lib.rs").unwrap().name, "demo src");
        assert_eq!(c.of("src/lib.rs").unwrap().slug, "src");
    }

    #[test]
    fn adding_a_file_keeps_every_id_and_slug() {
        let (p, g) = parsed(REPO);
        let before = cluster(&p, &g, &ClusterConfig::default(), "demo");
        let mut more = REPO.to_vec();
        more.push(("src/parse/go.rs", &["src/parse/mod.rs"]));
        let (p2, g2) = parsed(&more);
        let after = cluster(&p2, &g2, &ClusterConfig::default(), "demo");
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
        let before = cluster(&p, &g, &ClusterConfig::default(), "demo");
        // A new import from one part into another, and a deleted one.
        let mut edited = REPO.to_vec();
        edited[3] = ("src/parse/mod.rs", &["src/site/svg.rs"]);
        edited[6] = ("src/site/mod.rs", &[]);
        let (p2, g2) = parsed(&edited);
        let after = cluster(&p2, &g2, &ClusterConfig::default(), "demo");
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
        let owned: Vec<(&str, Vec<&str>)> = files
            .iter()
            .map(|(p, i)| (p.as_str(), i.iter().map(String::as_str).collect()))
            .collect();
        let borrowed: Vec<(&str, &[&str])> =
            owned.iter().map(|(p, i)| (*p, i.as_slice())).collect();
        let (p, g) = parsed(&borrowed);
        let c = cluster(&p, &g, &ClusterConfig::default(), "demo");
        assert_eq!(ids(&c), ["lib#alpha_core", "lib#beta_core"]);
        assert!(c.clusters.iter().all(|c| c.members.len() == 26));
        assert_eq!(c.clusters[0].name, "demo lib: alpha_core");
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("src/Parse Stuff#x"), "src-parse-stuff-x");
        assert_eq!(slugify(""), "root");
        assert_eq!(slugify("日本"), "root");
    }
}
