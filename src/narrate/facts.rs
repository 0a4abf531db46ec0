//! The facts a narrator writes from, gathered from every earlier stage. Everything here is
//! true of the repository at the revision; a narrator adds words, never facts.

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt};

use serde::Serialize;

use super::{date, first_sentence, md_code, md_escape};
use crate::cluster::Cluster;
use crate::history::{Commit, History};
use crate::packages::{Ecosystem, Package};
use crate::parse::SymbolKind;
use crate::site::paths::{symbol_target, PageMap};
use crate::snapshot::Snapshot;

#[derive(Debug, Clone, Serialize)]
pub struct FileFact {
    pub path: String,
    pub page: String,
    pub kind: String,
    pub lines: usize,
    pub module_doc: String,
    /// Files of the repository that import this one.
    pub importers: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct KeySymbol {
    pub name: String,
    pub kind: String,
    pub signature: String,
    pub doc_summary: String,
    pub path: String,
    pub line: u32,
    /// The symbol's place on its file's page.
    pub page: String,
    /// Other files that use it: files that name it and import its module, or import a
    /// module that imports it and names it too (a re-export); tests, benchmarks and examples
    /// left out.
    pub used_in: usize,
    pub public: bool,
    /// Defined or named by its package's root module (`lib.rs`, `__init__.py`, the entry the
    /// manifest names): the package's own API.
    pub at_root: bool,
    /// For a type: its public methods, in the order they are declared (at most five).
    pub methods: Vec<MethodLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodLine {
    pub name: String,
    pub page: String,
    pub doc_summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartLink {
    pub name: String,
    pub page: String,
    /// Import statements between the two parts.
    pub imports: u32,
    /// The first sentence of the linked part's own module doc, if it has one.
    pub doc_summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CommitFact {
    pub id: String,
    pub short: String,
    pub date: String,
    pub author: String,
    pub subject: String,
    pub body: String,
    /// Why it was made, in its author's words (`commit_why`), when its body says.
    pub why: String,
}

impl CommitFact {
    pub fn of(commit: &Commit) -> CommitFact {
        let body = commit
            .message
            .lines()
            .skip(1)
            .collect::<Vec<_>>()
            .join("\n");
        CommitFact {
            id: commit.id.clone(),
            short: commit.short_id().to_string(),
            date: date(commit.time),
            author: commit.author.clone(),
            subject: commit.subject().to_string(),
            why: super::commit_why(&body).unwrap_or_default(),
            body: body.trim().to_string(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct HistoryFacts {
    pub commits: usize,
    pub first: Option<CommitFact>,
    pub last: Option<CommitFact>,
    /// Newest first.
    pub notable: Vec<CommitFact>,
    pub authors: Vec<(String, usize)>,
    pub lines_added: u64,
    pub lines_removed: u64,
    /// A shallow clone: older commits are missing.
    pub partial: bool,
    /// Who wrote it: authors by lines added, most first.
    pub owners: Vec<(String, u64)>,
    /// Its files that change most and branch most: path, commits, branching nodes.
    pub hotspots: Vec<(String, usize, u32)>,
    /// Parts whose files change together with its own: name, shared commits, whether no
    /// import explains it.
    pub coupled_parts: Vec<(String, u32, bool)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadmeSection {
    pub heading: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct StartFile {
    pub path: String,
    pub page: String,
    pub reason: String,
}

/// The package a part belongs to, as its manifest declares it.
#[derive(Debug, Clone, Serialize)]
pub struct PackageFacts {
    pub name: String,
    /// "Rust crate", "Python package", "npm package".
    pub kind: String,
    pub manifest: String,
    pub manifest_page: String,
    pub description: String,
    /// The part holds the package's own code (its root module), not a module of it.
    pub own: bool,
    pub proc_macro: bool,
    /// Its binaries, console scripts and commands.
    pub entries: Vec<StartFile>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterFacts {
    pub id: String,
    pub name: String,
    pub dir: String,
    pub page: String,
    pub package: Option<PackageFacts>,
    /// "tests", "benchmarks", "examples", "docs" or "CI" for those parts.
    pub role: Option<String>,
    /// The module doc of the part's main file.
    pub doc: String,
    /// The file `doc` is quoted from.
    pub doc_source: String,
    pub files: Vec<FileFact>,
    pub key_symbols: Vec<KeySymbol>,
    pub uses: Vec<PartLink>,
    pub used_by: Vec<PartLink>,
    pub readme: Vec<ReadmeSection>,
    pub history: HistoryFacts,
    pub start_here: Vec<StartFile>,
    /// Language, files, lines.
    pub languages: Vec<(String, usize, usize)>,
    /// Every member code file with all its symbols: what a model reads first.
    pub outline: Vec<FileOutline>,
    /// The code of the most used items, as much as the context budget allows.
    pub excerpts: Vec<Excerpt>,
    /// What happens when it runs: call paths from its entry points and its most used API.
    /// Shown whole on the page; a model gets `prompt_flows`.
    #[serde(skip)]
    pub flows: Vec<super::flows::Flow>,
    /// Its main types and how they relate (whole; a model gets `prompt_types`).
    #[serde(skip)]
    pub type_map: Option<super::typemap::TypeMap>,
    /// The flows and the type map as far as they fit a third of the context budget, first
    /// things first: what a model is handed.
    pub prompt_flows: Vec<super::flows::Flow>,
    pub prompt_types: Option<super::typemap::TypeMap>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileOutline {
    pub path: String,
    pub lines: usize,
    pub doc: String,
    pub symbols: Vec<OutlineSymbol>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutlineSymbol {
    pub kind: String,
    pub name: String,
    pub signature: String,
    pub line: u32,
    pub doc: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Excerpt {
    pub path: String,
    pub start: u32,
    pub end: u32,
    /// The fence language (`rust`, `python`, `ts`, `js`).
    pub lang: String,
    pub code: String,
}

/// What the overview is written from. Nothing here moves with every commit (no commit counts,
/// dates or line counts: the overview page shows those itself), so that an edit inside one
/// part does not rewrite the overview's narrative.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewFacts {
    pub title: String,
    /// What the root manifest says the project is, and which manifest says it.
    pub description: String,
    pub description_source: String,
    pub readme_intro: String,
    /// Language and number of files, most files first.
    pub languages: Vec<(String, usize)>,
    pub files: usize,
    pub code_files: usize,
    pub skipped: usize,
    /// Why they were left out: reason -> files, in the report's words.
    pub skipped_reasons: Vec<(String, usize)>,
    pub partial_history: bool,
    /// The parts, with the one-line summary of each part's narrative (filled in once the parts
    /// are narrated: the overview is written from these, not from whole narratives, so that a
    /// part's new history does not rewrite the overview).
    pub parts: Vec<PartSummary>,
    pub entry_points: Vec<StartFile>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartSummary {
    pub name: String,
    pub page: String,
    pub summary: String,
    /// The name of the part it is listed under (its package's own part), if any.
    pub within: String,
}

/// The facts are drawn from everything the pipeline learned.
pub use crate::Analysis as FactsInput;

const ROOT_MODULES: &[&str] = &[
    "mod.rs",
    "lib.rs",
    "main.rs",
    "__init__.py",
    "__main__.py",
    "index.ts",
    "index.tsx",
    "index.js",
    "index.mjs",
];

/// Gathers the facts of every part and of the whole repository. `context_tokens` bounds the
/// outline and code excerpts given for one part (about four characters a token).
pub fn gather(input: &FactsInput, context_tokens: usize) -> (Vec<ClusterFacts>, OverviewFacts) {
    // Each section with the words a reader sees, read once for all parts.
    let readme: Vec<(ReadmeSection, String)> = readme_sections(&input.snapshot)
        .into_iter()
        .map(|s| {
            let words = prose(&s.text);
            (s, words)
        })
        .collect();
    let docs: Vec<(String, String)> = input
        .clusters
        .clusters
        .iter()
        .map(|c| part_doc(c, input))
        .collect();
    let calls = super::flows::CallIndex::new(input);
    let types = super::typemap::TypeMapIndex::new(input);
    // Each part's facts are its own: gathered on all cores.
    let parts: Vec<ClusterFacts> = input
        .clusters
        .clusters
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            let flows = calls.part_flows(i);
            let type_map = super::typemap::part_type_map(input, &types, i);
            let (prompt_flows, prompt_types, reserved) =
                fit_for_prompt(&flows, type_map.as_ref(), context_tokens * 4 / 3);
            let budget = (context_tokens * 4).saturating_sub(reserved);
            let mut facts = part_facts(i, c, input, &readme, &docs, budget / 4);
            facts.flows = flows;
            facts.type_map = type_map;
            facts.prompt_flows = prompt_flows;
            facts.prompt_types = prompt_types;
            facts
        })
        .collect();
    let overview = overview_facts(input, &docs);
    (parts, overview)
}

fn page_of(input: &FactsInput, path: &str) -> String {
    format!("/{}", input.pages.file(path).unwrap_or("index.html"))
}

/// The package whose own code the part holds: the part at the package's folder (the piece
/// with its root module, when the folder was split).
fn own_package<'a>(cluster: &Cluster, input: &'a FactsInput) -> Option<&'a Package> {
    let p = input.packages.owner(&cluster.dir)?;
    let is_root = cluster.role.is_none()
        && cluster.dir == p.root
        && cluster.package.as_deref() == Some(p.root.as_str());
    let holds_root = match (&p.library, cluster.id.contains('#')) {
        (_, false) => true,
        (Some(lib), true) => cluster.members.contains(lib),
        (None, true) => p.entries.iter().any(|e| cluster.members.contains(&e.path)),
    };
    (is_root && holds_root).then_some(p)
}

/// The file whose module doc speaks for the part: the package's root module, else the root
/// module of the part's own folder, else its anchor file. Never another member's: a test
/// helper's docstring does not describe its part.
fn main_file<'a>(cluster: &'a Cluster, input: &FactsInput) -> Option<&'a str> {
    if cluster.role.is_some() {
        return None;
    }
    let member = |p: &str| cluster.members.iter().find(|m| *m == p).map(String::as_str);
    if let Some(p) = own_package(cluster, input) {
        let root = p
            .library
            .as_deref()
            .and_then(member)
            .or_else(|| p.entries.iter().find_map(|e| member(&e.path)));
        if root.is_some() {
            return root;
        }
    }
    // The folder's own files, and those of the code folder that stands for a package's.
    let code_root = input
        .packages
        .owner(&cluster.dir)
        .filter(|p| p.root == cluster.dir)
        .map(|p| p.code_root.as_str());
    let anchor = cluster.id.split_once('#');
    let roots = cluster.members.iter().find(|m| {
        let (dir, name) = m.rsplit_once('/').unwrap_or(("", m));
        (dir == cluster.dir || Some(dir) == code_root)
            && ROOT_MODULES.contains(&name)
            && anchor.is_none()
    });
    let anchored = anchor.and_then(|(_, stem)| {
        cluster.members.iter().find(|m| {
            let name = m.rsplit('/').next().unwrap_or(m);
            name.split('.').next() == Some(stem)
        })
    });
    // A Go package is documented by the package comment of one of its files: `doc.go` by
    // convention, else the file named after the folder, else any file of the folder that has
    // one; a Java package by its `package-info.java`.
    let go_doc = || {
        let in_dir: Vec<&String> = cluster
            .members
            .iter()
            .filter(|m| {
                (m.ends_with(".go") || m.ends_with("/package-info.java"))
                    && crate::parse::parent_dir(m) == cluster.dir
            })
            .filter(|m| {
                input
                    .parsed
                    .get(m)
                    .is_some_and(|f| !f.facts.module_doc.is_empty())
            })
            .collect();
        let folder = cluster.dir.rsplit('/').next().unwrap_or("");
        let named = |n: &str| {
            in_dir
                .iter()
                .find(|m| m.rsplit('/').next() == Some(n))
                .copied()
        };
        named("doc.go")
            .or_else(|| named(&format!("{folder}.go")))
            .or(in_dir.first().copied())
    };
    roots
        .or(anchored)
        .or_else(|| anchor.is_none().then(go_doc).flatten())
        .map(String::as_str)
}

/// What speaks for the part, and where it comes from: its package's description, else its
/// main file's module doc.
fn part_doc(cluster: &Cluster, input: &FactsInput) -> (String, String) {
    if let Some(p) = own_package(cluster, input).filter(|p| !p.description.is_empty()) {
        return (p.description.clone(), p.manifest.clone());
    }
    main_file(cluster, input)
        .and_then(|m| input.parsed.get(m))
        .filter(|f| !f.facts.module_doc.trim().is_empty())
        .map(|f| {
            // Go's and Java's doc comments are not markdown: made markdown here, as on their pages.
            let doc = match f.language {
                Some(l @ (crate::snapshot::Language::Go | crate::snapshot::Language::Java)) => {
                    use crate::site::docs::{to_markdown, Dialect};
                    to_markdown(&f.facts.module_doc, Dialect::of(Some(l)))
                }
                _ => f.facts.module_doc.clone(),
            };
            (doc, f.path.clone())
        })
        .unwrap_or_default()
}

fn package_facts(cluster: &Cluster, input: &FactsInput) -> Option<PackageFacts> {
    let root = cluster.package.as_deref()?;
    let p = input.packages.packages.iter().find(|p| p.root == root)?;
    Some(PackageFacts {
        name: p.name.clone(),
        kind: match p.ecosystem {
            Ecosystem::Cargo => "Rust crate",
            Ecosystem::Python => "Python package",
            Ecosystem::Npm => "npm package",
            Ecosystem::Go => "Go module",
            Ecosystem::Maven => "Maven module",
            Ecosystem::Gradle => "Gradle project",
            Ecosystem::CMake => "CMake project",
            Ecosystem::DotNet => ".NET project",
            Ecosystem::Gem => "Ruby gem",
            Ecosystem::Composer => "Composer package",
        }
        .to_string(),
        manifest: p.manifest.clone(),
        manifest_page: page_of(input, &p.manifest),
        description: p.description.clone(),
        own: own_package(cluster, input).is_some(),
        proc_macro: p.proc_macro,
        entries: p
            .entries
            .iter()
            .map(|e| StartFile {
                path: e.path.clone(),
                page: page_of(input, &e.path),
                // Markdown: the name comes from the manifest, so it is made code, safely.
                reason: format!("{} {}", e.kind, md_code(&e.name)),
            })
            .collect(),
    })
}

/// Whether `file` imports `name` through `imports`, its imports of one module (`imports_of`):
/// `use a::b::Name` (or `a::b::*`), `from .b import Name` (or `*`); for JavaScript, whose
/// imports keep no names here, an import of the module and a mention of the name.
fn names_through(
    file: &crate::parse::ParsedFile,
    imports: &[&crate::parse::Import],
    name: &str,
) -> bool {
    use crate::parse::ImportSpec;
    imports.iter().any(|i| match &i.spec {
        ImportSpec::RustUse(path) => {
            let last = path.rsplit("::").next().unwrap_or(path);
            last == name || last == "*" || last.ends_with(&format!(" as {name}"))
        }
        ImportSpec::RustMod(_) => false,
        ImportSpec::Python { names, .. } => names
            .iter()
            .any(|n| n == name || n == "*" || n.split(" as ").next() == Some(name)),
        ImportSpec::Js(_) | ImportSpec::Go(_) => names(Some(file), name),
        ImportSpec::Include { .. } => true,
        ImportSpec::Require { .. } | ImportSpec::PhpInclude(_) => names(Some(file), name),
        ImportSpec::PhpUse { path, alias } => {
            alias.as_deref() == Some(name) || path.rsplit('\\').next() == Some(name)
        }
        ImportSpec::Using { path, alias, .. } => {
            alias.as_deref() == Some(name)
                || path.rsplit('.').next() == Some(name)
                || alias.is_none()
        }
        ImportSpec::Java { path, .. } => {
            let last = path.rsplit('.').next().unwrap_or(path);
            last == name || last == "*"
        }
    })
}

/// `file`'s imports of the module at `target`.
fn imports_of<'a>(
    file: &'a crate::parse::ParsedFile,
    target: &'a str,
) -> impl Iterator<Item = &'a crate::parse::Import> + 'a {
    file.facts
        .imports
        .iter()
        .filter(move |i| i.target.as_deref() == Some(target))
}

/// Most answers `key_symbols` keeps at once for one file's importers (16 MiB of them).
const HELD_ANSWERS: usize = 1 << 24;

/// Which of `names` (sorted, distinct) a file's identifiers (sorted) hold: one pass over both
/// lists, or a search per name when the names are very few against the identifiers.
fn names_held(file: Option<&crate::parse::ParsedFile>, names: &[&str]) -> Vec<bool> {
    let mut held = vec![false; names.len()];
    let Some(f) = file else { return held };
    let ids = &f.facts.identifiers;
    // Each step of a search lands somewhere new in memory; the pass reads the lists in order.
    let searches = names.len() * (usize::BITS - ids.len().leading_zeros()) as usize;
    if searches * 4 < ids.len() + names.len() {
        for (h, name) in held.iter_mut().zip(names) {
            *h = ids.binary_search_by(|i| i.as_str().cmp(name)).is_ok();
        }
        return held;
    }
    let (mut i, mut j) = (0, 0);
    while i < ids.len() && j < names.len() {
        match ids[i].as_str().cmp(names[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                held[j] = true;
                i += 1;
                j += 1;
            }
        }
    }
    held
}

/// Whether a file's identifiers (sorted) hold `name`.
fn names(file: Option<&crate::parse::ParsedFile>, name: &str) -> bool {
    file.is_some_and(|f| {
        f.facts
            .identifiers
            .binary_search_by(|i| i.as_str().cmp(name))
            .is_ok()
    })
}

/// A part's key items: the package's root API first, then public before private, types
/// before functions, then the most used.
/// A use is counted only where it resolves to the item: a file that names it and imports its
/// module, or imports a module that imports its module and names it (a re-export, a facade).
/// Tests, benchmarks and examples do not count as users; test modules' items are no key items;
/// overloads are one item.
fn key_symbols<'a>(cluster: &Cluster, input: &'a FactsInput) -> Vec<KeySymbol> {
    const KEEP: usize = 12;
    let parsed = &input.parsed;
    let counts = |path: &str| input.clusters.of(path).is_some_and(|c| c.role.is_none());
    // The package's root module: what it defines or names from a module it imports is the
    // package's own API, what its users call first.
    let root = cluster
        .package
        .as_deref()
        .and_then(|r| input.packages.packages.iter().find(|p| p.root == r))
        .and_then(|p| p.library.as_deref());
    let root_file = root.and_then(|r| parsed.get(r));
    let mut out: Vec<KeySymbol> = Vec::new();
    for f in cluster.members.iter().filter_map(|m| parsed.get(m)) {
        // Who may use the file's items: its importers, and their importers (a re-export),
        // each looked up once for all the file's items.
        // Each file is numbered once (`users`), so that whether it names an item is looked up
        // once per item, not once for every importer it imports through.
        let mut users: Vec<Option<&crate::parse::ParsedFile>> = Vec::new();
        let mut number: HashMap<&str, usize> = HashMap::new();
        let mut number_of = |p: &'a str| {
            *number.entry(p).or_insert_with(|| {
                users.push(parsed.get(p));
                users.len() - 1
            })
        };
        let importers: Vec<(usize, bool, Vec<usize>)> = input
            .graph
            .importers_of(&f.path)
            .map(|(p, _)| p.as_str())
            .filter(|p| *p != f.path)
            .map(|x| {
                let further: Vec<usize> = input
                    .graph
                    .importers_of(x)
                    .map(|(y, _)| y.as_str())
                    .filter(|y| *y != f.path && counts(y))
                    .map(&mut number_of)
                    .collect();
                (number_of(x), counts(x), further)
            })
            .collect();
        // The file's item names, sorted: each direct importer is asked about all of them at
        // once, in one pass over its identifiers where that is shorter than a search per name.
        let mut shorts: Vec<&str> = f
            .facts
            .symbols
            .iter()
            .filter(|s| !matches!(s.kind, SymbolKind::Method | SymbolKind::Module))
            .map(|s| s.short_name())
            .collect();
        shorts.sort_unstable();
        shorts.dedup();
        let mut held: Vec<Option<Vec<bool>>> = vec![None; users.len()];
        // Memory holds one answer per (importer, name): beyond a bound (a generated header of
        // 50,000 names that 2,000 files include), each item is searched for on its own.
        if shorts.len().saturating_mul(importers.len()) <= HELD_ANSWERS {
            for (x, _, _) in &importers {
                if held[*x].is_none() {
                    held[*x] = Some(names_held(users[*x], &shorts));
                }
            }
        }
        let mut named = vec![0u8; users.len()];
        let mut using = vec![false; users.len()];
        let page = page_of(input, &f.path);
        // Each symbol's anchor on the file's page (the n-th of its name).
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let targets: Vec<String> = f
            .facts
            .symbols
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let n = seen.entry(s.name.as_str()).or_default();
                *n += 1;
                symbol_target(&page, &s.name, *n - 1, i)
            })
            .collect();
        // The symbols by name, to find a type's methods (`Type::name`, `Type.name`) by search
        // rather than by a pass over all of them for each type.
        let mut by_name: Vec<(&str, usize)> = f
            .facts
            .symbols
            .iter()
            .enumerate()
            .map(|(j, m)| (m.name.as_str(), j))
            .collect();
        by_name.sort_unstable();
        // What the package's root module imports from this file.
        let from_root: Vec<_> = root_file
            .into_iter()
            .flat_map(|r| imports_of(r, &f.path))
            .collect();
        let mut listed: BTreeSet<&str> = BTreeSet::new();
        for (i, s) in f.facts.symbols.iter().enumerate() {
            let target = targets[i].clone();
            let in_tests = s
                .name
                .split("::")
                .any(|seg| seg == "tests" || seg == "test");
            if matches!(s.kind, SymbolKind::Method | SymbolKind::Module)
                || in_tests
                || !listed.insert(s.name.as_str())
            {
                continue;
            }
            let short = s.short_name();
            let at = shorts.binary_search(&short).unwrap_or_default();
            // Whether file k names the item: 0 not asked yet, 1 no, 2 yes.
            named.fill(0);
            let mut names_it = |k: usize| {
                if let Some(h) = &held[k] {
                    return h[at];
                }
                if named[k] == 0 {
                    named[k] = 1 + u8::from(names(users[k], short));
                }
                named[k] == 2
            };
            using.fill(false);
            for (x, counted, further) in &importers {
                if !names_it(*x) {
                    continue;
                }
                if *counted {
                    using[*x] = true;
                }
                for &y in further {
                    if names_it(y) {
                        using[y] = true;
                    }
                }
            }
            let used_in = using.iter().filter(|&&u| u).count();
            let methods = if s.kind.is_type() {
                let prefixes = [format!("{}::", s.name), format!("{}.", s.name)];
                // Every symbol whose name starts with a prefix, in the file's order.
                let mut under: Vec<usize> = prefixes
                    .iter()
                    .flat_map(|p| {
                        let from = by_name.partition_point(|(n, _)| *n < p.as_str());
                        by_name[from..]
                            .iter()
                            .take_while(|(n, _)| n.starts_with(p.as_str()))
                            .map(|&(_, j)| j)
                    })
                    .collect();
                under.sort_unstable();
                let mut lines = Vec::new();
                for j in under {
                    let m = &f.facts.symbols[j];
                    let Some(rest) = prefixes
                        .iter()
                        .find_map(|p| m.name.strip_prefix(p.as_str()))
                    else {
                        continue;
                    };
                    // `__init__`, `_helper`: not what a user calls by name.
                    if m.kind == SymbolKind::Method
                        && m.public
                        && rest != "constructor"
                        && !rest.starts_with('_')
                    {
                        lines.push(MethodLine {
                            name: rest.to_string(),
                            page: targets[j].clone(),
                            doc_summary: first_sentence(&m.doc),
                        });
                    }
                }
                // Documented methods first: a trait's `clone` or `fmt` says little.
                lines.sort_by_key(|m| m.doc_summary.is_empty());
                lines.truncate(5);
                lines
            } else {
                Vec::new()
            };
            let at_root = s.public
                && (root == Some(f.path.as_str())
                    || root_file.is_some_and(|r| names_through(r, &from_root, short)));
            out.push(KeySymbol {
                at_root,
                name: s.name.clone(),
                kind: s.kind.name().to_string(),
                signature: s.signature.clone(),
                doc_summary: first_sentence(&s.doc),
                path: f.path.clone(),
                line: s.start_line,
                page: target,
                used_in,
                public: s.public,
                methods,
            });
        }
    }
    out.sort_by(|a, b| {
        let type_of = |k: &KeySymbol| {
            matches!(
                k.kind.as_str(),
                "struct" | "class" | "trait" | "enum" | "interface"
            )
        };
        (b.at_root, b.public, type_of(b), b.used_in)
            .cmp(&(a.at_root, a.public, type_of(a), a.used_in))
            .then(a.path.cmp(&b.path))
            .then(a.line.cmp(&b.line))
    });
    out.truncate(KEEP);
    out
}

fn part_facts(
    index: usize,
    cluster: &Cluster,
    input: &FactsInput,
    readme: &[(ReadmeSection, String)],
    docs: &[(String, String)],
    context_tokens: usize,
) -> ClusterFacts {
    let parsed = &input.parsed;
    let files: Vec<FileFact> = cluster
        .members
        .iter()
        .filter_map(|m| parsed.get(m))
        .map(|f| FileFact {
            path: f.path.clone(),
            page: page_of(input, &f.path),
            kind: f.kind.to_string(),
            lines: f.lines,
            module_doc: f.facts.module_doc.clone(),
            importers: input.graph.importers_of(&f.path).count(),
        })
        .collect();

    let key_symbols = key_symbols(cluster, input);

    let link = |other: usize, imports: u32| {
        let c = &input.clusters.clusters[other];
        PartLink {
            name: c.name.clone(),
            page: format!("/{}", PageMap::part(&c.slug)),
            imports,
            doc_summary: first_sentence(&docs[other].0),
        }
    };
    let mut uses: BTreeMap<usize, u32> = BTreeMap::new();
    let mut used_by: BTreeMap<usize, u32> = BTreeMap::new();
    for m in &cluster.members {
        for (target, n) in input.graph.imports_of(m) {
            if let Some(&o) = input.clusters.of_file.get(target) {
                if o != index {
                    *uses.entry(o).or_default() += n;
                }
            }
        }
        for (source, n) in input.graph.importers_of(m) {
            if let Some(&o) = input.clusters.of_file.get(source) {
                if o != index {
                    *used_by.entry(o).or_default() += n;
                }
            }
        }
    }
    let sorted_links = |map: BTreeMap<usize, u32>| {
        let mut v: Vec<PartLink> = map.into_iter().map(|(o, n)| link(o, n)).collect();
        v.sort_by(|a, b| b.imports.cmp(&a.imports).then(a.name.cmp(&b.name)));
        v
    };

    // The paragraph that names the part, under its section's heading: a section that names it
    // in passing opens with words about something else.
    let readme_hits: Vec<ReadmeSection> = readme
        .iter()
        .filter(|(_, words)| mentions_part(words, cluster))
        .filter_map(|(s, _)| {
            let paragraph = paragraphs(&s.text).find(|p| mentions_part(&prose(p), cluster))?;
            Some(ReadmeSection {
                heading: s.heading.clone(),
                text: paragraph.to_string(),
            })
        })
        .take(2)
        .collect();

    let activity = &input.insights.clusters[index];
    let mut history = history_facts(&input.history, &activity.activity, &activity.notable);
    evolution_facts(&mut history, index, cluster, input);

    let mut start_here: Vec<StartFile> = Vec::new();
    let mut push = |path: &str, reason: String| {
        if !start_here.iter().any(|s| s.path == path) && start_here.len() < 3 {
            start_here.push(StartFile {
                path: path.to_string(),
                page: page_of(input, path),
                reason,
            });
        }
    };
    let package = package_facts(cluster, input);
    if let Some(main) = main_file(cluster, input) {
        let entry = package
            .iter()
            .flat_map(|p| &p.entries)
            .find(|e| e.path == main);
        let reason = match (&package, entry) {
            (_, Some(e)) => format!("where the {} starts", e.reason),
            (Some(p), None) if p.own => {
                let unit = match p.kind.as_str() {
                    "Go module" | "Maven module" | "Gradle project" => "package",
                    ".NET project" | "Composer package" => "namespace",
                    "CMake project" => "folder",
                    _ => "module",
                };
                format!("the root {unit} of the {} {}", p.kind, md_escape(&p.name))
            }
            (_, None) => "the part's main module: its documentation and what it declares".into(),
        };
        push(main, reason);
    }
    for e in package.iter().flat_map(|p| &p.entries) {
        if cluster.members.contains(&e.path) {
            push(&e.path, format!("where the {} starts", e.reason));
        }
    }
    if let Some(most) = files
        .iter()
        .filter(|f| f.importers > 0)
        .max_by(|a, b| a.importers.cmp(&b.importers).then(b.path.cmp(&a.path)))
    {
        push(&most.path, format!("imported by {} files", most.importers));
    }
    // The file that defines the part's most used type (a build script's `main` is no start).
    if let Some(top) = key_symbols.iter().find(|k| {
        matches!(
            k.kind.as_str(),
            "struct" | "class" | "trait" | "enum" | "interface"
        )
    }) {
        push(
            &top.path,
            format!("defines `{}`, the part's most used type", top.name),
        );
    }

    let (outline, excerpts) = model_context(cluster, input, &key_symbols, context_tokens * 4);
    ClusterFacts {
        outline,
        excerpts,
        flows: Vec::new(),
        type_map: None,
        prompt_flows: Vec::new(),
        prompt_types: None,
        id: cluster.id.clone(),
        name: cluster.name.clone(),
        dir: cluster.dir.clone(),
        page: format!("/{}", PageMap::part(&cluster.slug)),
        doc: docs[index].0.clone(),
        doc_source: docs[index].1.clone(),
        package,
        role: cluster.role.map(str::to_string),
        languages: languages(files.iter().map(|f| {
            (
                f.kind.as_str(),
                f.lines,
                crate::snapshot::is_code_kind(&f.kind),
            )
        })),
        files,
        key_symbols,
        uses: sorted_links(uses),
        used_by: sorted_links(used_by),
        readme: readme_hits,
        history,
        start_here,
    }
}

/// The outline of the part's code files, then excerpts of its most used items, within
/// `budget` characters (the outline takes at most half).
/// The flows, then the type map, as far as they fit `budget` characters of a prompt: a flow
/// keeps its first steps (callers come before their callees, so what is kept reads whole), a
/// map its first relations. Returns them and the characters they take.
fn fit_for_prompt(
    flows: &[super::flows::Flow],
    map: Option<&super::typemap::TypeMap>,
    budget: usize,
) -> (
    Vec<super::flows::Flow>,
    Option<super::typemap::TypeMap>,
    usize,
) {
    let mut used = 0;
    let mut kept = Vec::new();
    for f in flows {
        let head = f.entry.name.len() + f.entry.path.len() + f.entry.doc.len() + f.start.len() + 60;
        if used + head > budget {
            break;
        }
        let mut flow = f.clone();
        let mut cost = head;
        let fits = f
            .steps
            .iter()
            .take_while(|s| {
                let step = s.callee.name.len()
                    + s.callee.path.len()
                    + s.callee.part.len()
                    + s.at_path.len()
                    + s.callee.doc.len()
                    + 50;
                let ok = used + cost + step <= budget;
                if ok {
                    cost += step;
                }
                ok
            })
            .count();
        flow.steps.truncate(fits);
        if flow.steps.len() >= 2 {
            used += cost;
            kept.push(flow);
        }
    }
    let types = map.and_then(|m| {
        let mut m = m.clone();
        let mut cost: usize = m
            .types
            .iter()
            .filter(|t| t.own)
            .map(|t| t.name.len() + t.path.len() + t.doc.len() + 30)
            .sum::<usize>()
            + 20;
        if used + cost > budget {
            return None;
        }
        let fits = m
            .relations
            .iter()
            .take_while(|r| {
                let c = m.types[r.from].name.len()
                    + m.types[r.to].name.len()
                    + r.field.len()
                    + r.at_path.len()
                    + 40;
                let ok = used + cost + c <= budget;
                if ok {
                    cost += c;
                }
                ok
            })
            .count();
        m.relations.truncate(fits);
        used += cost;
        (!m.relations.is_empty()).then_some(m)
    });
    (kept, types, used)
}

fn model_context(
    cluster: &Cluster,
    input: &FactsInput,
    key_symbols: &[KeySymbol],
    budget: usize,
) -> (Vec<FileOutline>, Vec<Excerpt>) {
    let mut used = 0;
    let mut outline = Vec::new();
    for f in cluster.members.iter().filter_map(|m| input.parsed.get(m)) {
        if f.language.is_none() {
            continue;
        }
        let mut file = FileOutline {
            path: f.path.clone(),
            lines: f.lines,
            doc: first_sentence(&f.facts.module_doc),
            symbols: Vec::new(),
        };
        used += f.path.len() + file.doc.len() + 20;
        for s in &f.facts.symbols {
            let cost = s.name.len() + s.signature.len() + 40;
            if used + cost > budget / 2 {
                break;
            }
            used += cost;
            file.symbols.push(OutlineSymbol {
                kind: s.kind.name().to_string(),
                name: s.name.clone(),
                signature: s.signature.clone(),
                line: s.start_line,
                doc: first_sentence(&s.doc),
            });
        }
        outline.push(file);
    }
    let mut excerpts = Vec::new();
    for k in key_symbols {
        let Ok(i) = input
            .snapshot
            .files
            .binary_search_by(|f| f.path.as_str().cmp(&k.path))
        else {
            continue;
        };
        let file = &input.snapshot.files[i];
        let Some(sym) = input.parsed.get(&k.path).and_then(|p| {
            p.facts
                .symbols
                .iter()
                .find(|s| s.name == k.name && s.start_line == k.line)
        }) else {
            continue;
        };
        let end = sym.end_line.min(sym.start_line + 59);
        let code: String = file
            .text
            .lines()
            .skip(sym.start_line as usize - 1)
            .take((end - sym.start_line + 1) as usize)
            .collect::<Vec<_>>()
            .join("\n");
        if used + code.len() > budget {
            continue;
        }
        used += code.len() + 40;
        let lang = match file.language {
            Some(crate::snapshot::Language::Rust) => "rust",
            Some(crate::snapshot::Language::Python) => "python",
            Some(crate::snapshot::Language::TypeScript | crate::snapshot::Language::Tsx) => "ts",
            Some(crate::snapshot::Language::Go) => "go",
            Some(crate::snapshot::Language::Java) => "java",
            Some(crate::snapshot::Language::C) => "c",
            Some(crate::snapshot::Language::Cpp) => "cpp",
            Some(crate::snapshot::Language::CSharp) => "csharp",
            Some(crate::snapshot::Language::Ruby) => "ruby",
            Some(crate::snapshot::Language::Php) => "php",
            _ => "js",
        };
        excerpts.push(Excerpt {
            path: k.path.clone(),
            start: sym.start_line,
            end,
            lang: lang.into(),
            code,
        });
    }
    (outline, excerpts)
}

fn history_facts(
    history: &History,
    activity: &crate::insight::Activity,
    notable: &[usize],
) -> HistoryFacts {
    let commit = |i: usize| CommitFact::of(&history.commits[i]);
    HistoryFacts {
        commits: activity.commits.len(),
        first: activity.first().map(commit),
        last: activity.last().map(commit),
        notable: notable.iter().rev().map(|&i| commit(i)).collect(),
        authors: activity.authors.clone(),
        lines_added: activity.lines_added,
        lines_removed: activity.lines_removed,
        partial: history.partial(),
        ..Default::default()
    }
}

/// Ownership, hotspots and coupled parts of one part. Only what depends on the part's own files
/// and their commits, so that a commit elsewhere changes none of it (knowledge at risk, which
/// moves with the built commit's time, is left to the page's shared risk.js).
fn evolution_facts(h: &mut HistoryFacts, index: usize, cluster: &Cluster, input: &FactsInput) {
    let ins = &input.insights;
    let mut owners: BTreeMap<&str, u64> = BTreeMap::new();
    let mut spots: Vec<(String, usize, u32)> = Vec::new();
    for m in &cluster.members {
        if let Some(a) = ins.files.get(m) {
            for (author, n) in &a.authors_by_lines {
                *owners.entry(author).or_default() += n;
            }
            let branches = input.parsed.get(m).map(|f| f.facts.branches).unwrap_or(0);
            if a.commits.len() >= 3 && branches > 0 {
                spots.push((m.clone(), a.commits.len(), branches));
            }
        }
    }
    let mut owners: Vec<(String, u64)> = owners
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(a, n)| (a.to_string(), n))
        .collect();
    owners.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    owners.truncate(5);
    spots.sort_by(|a, b| {
        (b.1 as u64 * b.2 as u64)
            .cmp(&(a.1 as u64 * a.2 as u64))
            .then(a.0.cmp(&b.0))
    });
    spots.truncate(3);
    h.owners = owners;
    h.hotspots = spots;
    h.coupled_parts = ins
        .part_couplings
        .iter()
        .filter(|(a, b, _, _)| *a == index || *b == index)
        .map(|&(a, b, n, hidden)| {
            let other = if a == index { b } else { a };
            (input.clusters.clusters[other].name.clone(), n, hidden)
        })
        .collect();
}

/// Code languages with their file and line counts, most lines first.
fn languages<'a>(
    files: impl Iterator<Item = (&'a str, usize, bool)>,
) -> Vec<(String, usize, usize)> {
    let mut by: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (kind, lines, is_code) in files {
        if is_code {
            let e = by.entry(kind).or_default();
            e.0 += 1;
            e.1 += lines;
        }
    }
    let mut v: Vec<(String, usize, usize)> = by
        .into_iter()
        .map(|(k, (f, l))| (k.to_string(), f, l))
        .collect();
    v.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    v
}

/// The words of markdown a reader sees: text and code spans, never a link's or an image's
/// URL, never HTML.
fn prose(md: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    let mut out = String::new();
    for event in Parser::new(md) {
        match event {
            Event::Text(t) | Event::Code(t) => {
                out.push_str(&t);
                out.push(' ');
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out
}

/// Whether the README's words (`prose`: not its URLs) name the part's folder or one of its
/// files.
fn mentions_part(text: &str, cluster: &Cluster) -> bool {
    if cluster.role.is_some() {
        return false;
    }
    if !cluster.dir.is_empty()
        && (names_path(text, &format!("{}/", cluster.dir))
            || text.split_whitespace().any(|w| w == cluster.dir))
    {
        return true;
    }
    cluster
        .members
        .iter()
        .filter(|m| m.contains('/'))
        .any(|m| names_path(text, m))
}

/// Whether `text` names `path` from its start: `db/` is in "see db/impl.md", not in
/// "google/leveldb/main".
fn names_path(text: &str, path: &str) -> bool {
    text.match_indices(path).any(|(at, _)| {
        text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')))
    })
}

/// A section's paragraphs: its text split at blank lines, code blocks kept whole.
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    let mut out = Vec::new();
    let (mut start, mut in_code, mut at) = (0, false, 0);
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.trim().is_empty() {
            if at > start {
                out.push(&text[start..at]);
            }
            start = at + line.len();
        }
        at += line.len();
    }
    if at > start {
        out.push(&text[start..at]);
    }
    out.into_iter().filter(|p| !p.trim().is_empty())
}

/// The repository's README at its root, if it has one.
fn readme_file(snapshot: &Snapshot) -> Option<&crate::snapshot::SourceFile> {
    snapshot.files.iter().find(|f| {
        let lower = f.path.to_ascii_lowercase();
        matches!(
            lower.as_str(),
            "readme.md" | "readme" | "readme.txt" | "readme.rst" | "readme.markdown"
        )
    })
}

/// The repository's README, split at its headings.
fn readme_sections(snapshot: &Snapshot) -> Vec<ReadmeSection> {
    let Some(readme) = readme_file(snapshot) else {
        return Vec::new();
    };
    let mut sections = vec![ReadmeSection {
        heading: String::new(),
        text: String::new(),
    }];
    let mut in_code = false;
    for line in readme.text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with('#') {
            sections.push(ReadmeSection {
                heading: line.trim_start_matches('#').trim().to_string(),
                text: String::new(),
            });
        } else if let Some(s) = sections.last_mut() {
            s.text.push_str(line);
            s.text.push('\n');
        }
    }
    sections
}

/// The README's first paragraph of prose, as plain text: read with a markdown parser, so that
/// headings of both kinds (`# Title`, `Title` underlined with `---`), HTML blocks (a centred
/// logo, a sponsor block), badges, images and paragraphs of links alone are passed over, and
/// reference links keep their words (`[WSGI]` -> WSGI).
pub(crate) fn readme_intro(text: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let (mut in_para, mut in_image, mut depth_heading) = (false, 0usize, 0usize);
    // `outside`: the words not inside a link.
    let (mut prose, mut outside) = (String::new(), String::new());
    let mut in_link = 0usize;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading { .. }) => depth_heading += 1,
            Event::End(TagEnd::Heading(_)) => depth_heading = depth_heading.saturating_sub(1),
            Event::Start(Tag::Paragraph) if depth_heading == 0 => {
                in_para = true;
                prose.clear();
                outside.clear();
            }
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            Event::Start(Tag::Link { .. }) => in_link += 1,
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            Event::Text(t) | Event::Code(t) if in_para && in_image == 0 => {
                prose.push_str(&t);
                if in_link == 0 {
                    outside.push_str(&t);
                    outside.push(' ');
                }
            }
            Event::SoftBreak | Event::HardBreak if in_para => prose.push(' '),
            Event::End(TagEnd::Paragraph) if in_para => {
                in_para = false;
                // Prose: at least three words of its own, outside its links (`[Docs](…) ·
                // [Blog](…)` is a menu, not a description).
                let own = outside
                    .split_whitespace()
                    .filter(|w| w.chars().any(char::is_alphanumeric))
                    .count();
                // A GitHub alert (`> [!IMPORTANT]`) is a notice, not a description.
                let alert = [
                    "[!NOTE]",
                    "[!TIP]",
                    "[!IMPORTANT]",
                    "[!WARNING]",
                    "[!CAUTION]",
                ]
                .iter()
                .any(|a| prose.trim_start().starts_with(a));
                if own >= 3 && !alert {
                    let text = prose.split_whitespace().collect::<Vec<_>>().join(" ");
                    // A paragraph that ends by announcing a list ("It is:") ends at the
                    // sentence before, when there is one.
                    if text.ends_with(':') {
                        if let Some(end) = text.rfind(". ") {
                            return text[..=end].to_string();
                        }
                    }
                    return text;
                }
            }
            _ => {}
        }
    }
    String::new()
}

/// Where a newcomer starts: the binaries, scripts and commands the manifests declare, then the
/// packages' root modules; in a repository without manifests, the files whose names make them
/// entry points by convention, outside tests and examples.
fn entry_points(input: &FactsInput) -> Vec<StartFile> {
    const MAX: usize = 8;
    let mut out: Vec<StartFile> = Vec::new();
    let push = |out: &mut Vec<StartFile>, path: &str, reason: String| {
        if out.len() < MAX && !out.iter().any(|s| s.path == path) {
            out.push(StartFile {
                path: path.to_string(),
                page: page_of(input, path),
                reason,
            });
        }
    };
    // The root package first, then the packages whose code the others' code imports most.
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    for (target, importers) in &input.graph.imported_by {
        let Some(owner) = input.packages.owner(target) else {
            continue;
        };
        let outside = importers
            .keys()
            .filter(|f| input.packages.owner(f).is_none_or(|o| o.root != owner.root))
            // What tests import says nothing of what the code uses.
            .filter(|f| input.clusters.of(f).is_some_and(|c| c.role.is_none()))
            .count();
        *used.entry(owner.root.as_str()).or_default() += outside;
    }
    let mut packages: Vec<&Package> = input.packages.packages.iter().collect();
    packages.sort_by_key(|p| {
        (
            !p.root.is_empty(),
            std::cmp::Reverse(used.get(p.root.as_str()).copied().unwrap_or(0)),
        )
    });
    for p in &packages {
        for e in &p.entries {
            let of = if packages.len() > 1 {
                format!(" of {}", md_escape(&p.name))
            } else {
                String::new()
            };
            push(
                &mut out,
                &e.path,
                format!("{} {}{of}", e.kind, md_code(&e.name)),
            );
        }
        if let Some(lib) = &p.library {
            let what = match (p.ecosystem, p.proc_macro) {
                (Ecosystem::Cargo, true) => "root of the procedural-macro crate",
                (Ecosystem::Cargo, false) => "root of the library crate",
                (Ecosystem::Python, _) => "root module of the Python package",
                (Ecosystem::Npm, _) => "entry module of the npm package",
                (Ecosystem::Go, _) => "root package of the Go module",
                (Ecosystem::Maven | Ecosystem::Gradle, _) => "root of the Java package",
                (Ecosystem::CMake, _) => "root of the CMake project",
                (Ecosystem::DotNet, _) => "root of the .NET project",
                (Ecosystem::Gem, _) => "root file of the Ruby gem",
                (Ecosystem::Composer, _) => "root of the Composer package",
            };
            push(&mut out, lib, format!("{what} {}", md_escape(&p.name)));
        }
    }
    if !packages.is_empty() {
        return out;
    }
    for f in &input.parsed.files {
        let (dir, name) = f.path.rsplit_once('/').unwrap_or(("", &f.path));
        let shallow = dir.is_empty() || !dir.contains('/');
        let reason = match name {
            "main.rs" | "__main__.py" | "main.py" | "cli.py" | "main.ts" | "main.js"
            | "main.go" | "main.c" => "named like a program entry point",
            "lib.rs" => "named like a library root",
            "index.ts" | "index.js" | "index.tsx" | "index.mjs" => "named like a package entry",
            "__init__.py" if !dir.contains('/') => "named like a package root",
            _ => continue,
        };
        let in_role = input.clusters.of(&f.path).is_some_and(|c| c.role.is_some());
        if shallow && f.language.is_some() && !in_role {
            push(&mut out, &f.path, reason.to_string());
        }
    }
    out
}

fn overview_facts(input: &FactsInput, docs: &[(String, String)]) -> OverviewFacts {
    let parts = input
        .clusters
        .clusters
        .iter()
        .enumerate()
        .map(|(i, c)| PartSummary {
            name: c.name.clone(),
            page: format!("/{}", PageMap::part(&c.slug)),
            summary: first_sentence(&docs[i].0),
            within: c
                .within
                .as_ref()
                .and_then(|w| input.clusters.clusters.iter().find(|o| &o.id == w))
                .map(|o| o.name.clone())
                .unwrap_or_default(),
        })
        .collect();
    let entry_points = entry_points(input);
    let (description, description_source) = input.packages.description();
    OverviewFacts {
        title: input.title.to_string(),
        description: description.to_string(),
        description_source: description_source.to_string(),
        readme_intro: readme_file(&input.snapshot)
            .map(|f| readme_intro(&f.text))
            .unwrap_or_default(),
        languages: {
            let mut v: Vec<(String, usize)> = languages(
                input
                    .parsed
                    .files
                    .iter()
                    .map(|f| (f.kind, f.lines, f.is_code())),
            )
            .into_iter()
            .map(|(l, files, _)| (l, files))
            .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v
        },
        files: input.parsed.files.len(),
        code_files: input.parsed.code_files(),
        skipped: input.snapshot.skipped.len(),
        skipped_reasons: input
            .snapshot
            .skip_counts()
            .into_iter()
            .map(|(r, n)| (r.to_string(), n))
            .collect(),
        partial_history: input.history.partial(),
        parts,
        entry_points,
    }
}

#[cfg(test)]
mod tests {
    use super::{fit_for_prompt, names, names_held, names_path, paragraphs, readme_intro};

    #[test]
    fn names_held_says_what_a_search_per_name_says() {
        let file = |ids: &[&str]| crate::parse::ParsedFile {
            path: "a.rs".into(),
            blob: String::new(),
            language: None,
            kind: "Rust",
            lines: 1,
            facts: crate::parse::FileFacts {
                identifiers: ids.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
            note: None,
        };
        let many: Vec<String> = (0..500).map(|i| format!("id{i:03}")).collect();
        let mut many: Vec<&str> = many.iter().map(String::as_str).collect();
        many.sort_unstable();
        // Few names against many identifiers (a search each), and many against few (one pass).
        for (ids, names_asked) in [
            (many.clone(), vec!["id007", "id250", "nope"]),
            (vec!["Parser", "build", "id250"], many.clone()),
            (
                vec!["Parser", "build"],
                vec!["Parser", "Tree", "build", "zz"],
            ),
            (vec![], vec!["a"]),
        ] {
            let f = file(&ids);
            let held = names_held(Some(&f), &names_asked);
            for (name, h) in names_asked.iter().zip(&held) {
                assert_eq!(*h, names(Some(&f), name), "{name}");
            }
        }
        assert_eq!(names_held(None, &["a", "b"]), vec![false, false]);
    }

    #[test]
    fn a_part_is_named_by_its_path_from_a_word_start_and_quoted_from_its_paragraph() {
        assert!(names_path("See db/impl.md for more.", "db/"));
        assert!(names_path("(db/version_set.cc)", "db/"));
        assert!(!names_path("rebase on google/leveldb/main", "db/"));
        let section = "See doc/index.md first.\n\nThe public interface is in include/leveldb/*.h.\n\n```\nx\n\ny\n```\n";
        let found: Vec<&str> = paragraphs(section).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[1].starts_with("The public interface"));
        assert!(found[2].contains("x\n\ny"), "a code block stays whole");
    }
    use crate::narrate::flows::{Flow, FlowNode, FlowStep};
    use crate::narrate::typemap::{Relation, TypeBox, TypeMap};

    fn node(name: &str) -> FlowNode {
        FlowNode {
            name: name.into(),
            kind: "function".into(),
            path: "src/a.rs".into(),
            line: 1,
            page: "/files/src/a.rs.html".into(),
            doc: "Does a thing.".into(),
            part: "app".into(),
            part_page: "/parts/app.html".into(),
            lane: "a.rs".into(),
        }
    }

    fn flow(steps: usize) -> Flow {
        Flow {
            start: "the binary `app`".into(),
            entry: node("main"),
            steps: (0..steps)
                .map(|k| FlowStep {
                    depth: 1 + k % 2,
                    caller: if k % 2 == 1 { k } else { 0 },
                    verb: "calls".into(),
                    callee: node(&format!("step{k}")),
                    at_path: "src/a.rs".into(),
                    at_line: k as u32 + 2,
                    at_page: "/files/src/a.rs.html#L2".into(),
                    again: false,
                })
                .collect(),
        }
    }

    fn map(relations: usize) -> TypeMap {
        let types = (0..relations + 1)
            .map(|k| TypeBox {
                name: format!("T{k}"),
                kind: "struct".into(),
                path: "src/t.rs".into(),
                line: 1,
                page: "/files/src/t.rs.html".into(),
                doc: String::new(),
                own: true,
                part: "app".into(),
                part_page: "/parts/app.html".into(),
            })
            .collect();
        let relations = (0..relations)
            .map(|k| Relation {
                from: k,
                to: k + 1,
                kind: "holds".into(),
                field: "f".into(),
                at_path: "src/t.rs".into(),
                at_line: 3,
                at_page: "/files/src/t.rs.html#L3".into(),
            })
            .collect();
        TypeMap { types, relations }
    }

    /// A model's prompt gets the flows, then the type map, only as far as the budget goes:
    /// first flows first, each cut after whole steps, never a flow of fewer than two steps.
    #[test]
    fn flows_and_types_fit_the_prompt_budget_first_things_first() {
        let flows = vec![flow(20), flow(20)];
        let types = map(10);
        let (all, all_types, used) = fit_for_prompt(&flows, Some(&types), 1_000_000);
        assert_eq!(all, flows);
        assert_eq!(all_types.as_ref(), Some(&types));
        assert!(used > 0);
        let (some, none, used) = fit_for_prompt(&flows, Some(&types), 800);
        assert!(used <= 800, "{used}");
        assert_eq!(some.len(), 1, "the first flow, cut");
        assert!(some[0].steps.len() >= 2 && some[0].steps.len() < 20);
        assert_eq!(some[0].steps[..], flows[0].steps[..some[0].steps.len()]);
        assert_eq!(none, None, "no room left for the types");
        let (nothing, _, used) = fit_for_prompt(&flows, None, 100);
        assert!(nothing.is_empty() && used <= 100);
    }

    /// The shapes of README openings seen on real repositories.
    #[test]
    fn the_readme_intro_is_its_first_paragraph_of_prose() {
        // A setext heading (ripgrep).
        assert_eq!(
            readme_intro("ripgrep (rg)\n------------\nripgrep is a line-oriented search tool.\n"),
            "ripgrep is a line-oriented search tool."
        );
        // A centred logo in HTML, then reference links (flask).
        assert_eq!(
            readme_intro("<div align=\"center\"><img src=\"x.svg\"></div>\n\n# Flask\n\nFlask is a lightweight [WSGI] web application framework.\n\n[WSGI]: https://wsgi.readthedocs.io/\n"),
            "Flask is a lightweight WSGI web application framework."
        );
        // A sponsor block of HTML, badges, a paragraph of links alone (ky-like).
        assert_eq!(
            readme_intro("<div align=\"center\">\n\t<p>\n\t\t<sup>Supported by the community.<br>Special thanks to:</sup>\n\t</p>\n</div>\n\n[![CI](https://x/b.svg)](https://x)\n\n[Docs](https://d) · [Blog](https://b)\n\n> Tiny & elegant JavaScript HTTP client based on the Fetch API\n"),
            "Tiny & elegant JavaScript HTTP client based on the Fetch API"
        );
        assert_eq!(readme_intro("# Title\n\n![logo](l.png)\n"), "");
        // A GitHub alert is passed over (changesets).
        assert_eq!(
            readme_intro("> [!IMPORTANT]\n> This is the development branch.\n\nChangesets manage versions.\n"),
            "Changesets manage versions."
        );
        // A paragraph that announces a list (tokio).
        assert_eq!(
            readme_intro("A runtime for writing apps. It is:\n\n* Fast\n"),
            "A runtime for writing apps."
        );
    }
}
