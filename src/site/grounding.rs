//! Grounding: every path, line range and identifier that a narrative cites is checked against
//! the repository at the commit the site is built from. What exists becomes a link (a cited
//! line to that line of the file page's source view); what does not is marked, and counted.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashSet, HashSetExt};

use serde::Serialize;

use crate::site::paths::PageMap;
use crate::Analysis;

/// What a cited text turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Reference {
    /// Not a reference (a command, an expression, a URL).
    None,
    /// Exists; with the page it is on, when it has one.
    Found(Option<String>),
    /// Looks like a reference, but the repository has no such thing.
    Missing,
}

impl Reference {
    /// The answer as a build keeps it, for the next build to compare: a page (or a section of
    /// `llms-full.txt`) is kept while what its narrative cites gets the same answers.
    pub fn kept(&self) -> String {
        format!("{self:?}")
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Grounding {
    pub checked: usize,
    pub missing: usize,
}

pub struct Grounder<'a> {
    /// Path -> line count.
    files: BTreeMap<&'a str, usize>,
    names: HashSet<&'a str>,
    /// File name -> the paths that end in it, for bare names like `facts.rs`.
    by_name: BTreeMap<&'a str, Vec<&'a str>>,
    /// Every commit id, sorted, for short ids like `abc1234`.
    commits: Vec<&'a str>,
    pages: &'a PageMap,
    /// Path -> its text, to tell whether its source view shows a cited line (a huge file shows
    /// its first part). Read only for the files cited: scanning every file's lines at every
    /// build cost rust-analyzer 40 ms.
    texts: HashMap<&'a str, &'a str>,
}

const WORDS: &[&str] = &[
    "true",
    "false",
    "null",
    "None",
    "Some",
    "Ok",
    "Err",
    "self",
    "Self",
    "this",
    "nil",
    "undefined",
];

const EXTENSIONS: &[&str] = &[
    "rs", "py", "pyi", "ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts", "md", "toml", "json",
    "yml", "yaml", "txt", "sh", "go", "c", "h", "cc", "cpp", "hpp", "java", "rb", "css", "html",
    "lock", "cfg", "ini", "rst",
];

impl<'a> Grounder<'a> {
    pub fn new(a: &'a Analysis) -> Grounder<'a> {
        let mut files = BTreeMap::new();
        let mut names = HashSet::new();
        for f in &a.parsed.files {
            files.insert(f.path.as_str(), f.lines);
            for s in &f.facts.symbols {
                names.insert(s.name.as_str());
                names.insert(s.short_name());
            }
            names.extend(f.facts.identifiers.iter().map(String::as_str));
        }
        for s in &a.snapshot.skipped {
            files.entry(s.path.as_str()).or_insert(0);
        }
        // What the manifests declare is there too: package, module and binary names.
        for p in &a.packages.packages {
            names.insert(p.name.as_str());
            names.insert(p.module.as_str());
            names.extend(p.entries.iter().map(|e| e.name.as_str()));
        }
        let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for path in files.keys() {
            by_name
                .entry(path.rsplit('/').next().unwrap_or(path))
                .or_default()
                .push(path);
        }
        let mut commits: Vec<&str> = a.history.commits.iter().map(|c| c.id.as_str()).collect();
        commits.sort_unstable();
        let texts = a
            .snapshot
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.text.as_str()))
            .collect();
        Grounder {
            files,
            names,
            by_name,
            commits,
            pages: &a.pages,
            texts,
        }
    }

    /// Checks one cited text (the inside of a code span, or a word of prose).
    pub fn check(&self, text: &str) -> Reference {
        let t = text.trim().trim_end_matches("()");
        // A glob (`*.rs`, `src/**/x.py`) names a pattern, not a file.
        if t.is_empty()
            || t.contains("://")
            || t.contains(char::is_whitespace)
            || t.contains(['*', '?', '{'])
        {
            return Reference::None;
        }
        if let Some((path, first, last)) = citation(t) {
            return match self.files.get(path) {
                Some(&n) if first >= 1 && first <= last && last as usize <= n.max(1) => {
                    // The file page's source view has an anchor on every line it shows.
                    let anchored = self.texts.get(path).is_some_and(|t| {
                        super::highlight::shows_counted_line(t, n, first as usize)
                    });
                    Reference::Found(self.pages.file(path).map(|p| match anchored {
                        true => format!("{p}#L{first}"),
                        false => p.to_string(),
                    }))
                }
                _ => Reference::Missing,
            };
        }
        if (7..=40).contains(&t.len()) && t.chars().all(|c| c.is_ascii_hexdigit()) {
            let known = self.commits[self.commits.partition_point(|c| *c < t)..]
                .first()
                .is_some_and(|c| c.starts_with(t));
            // A short id may hold no digit (`ffeddba`); without one and unknown, it may be a
            // word (`added`, `decade`): read on.
            if known {
                return Reference::Found(None);
            }
            if t.chars().any(|c| c.is_ascii_digit()) {
                return Reference::Missing;
            }
        }
        if looks_like_path(t) {
            let t = t.trim_start_matches("./");
            if self.files.contains_key(t) {
                return Reference::Found(self.pages.file(t).map(str::to_string));
            }
            // A bare file name: found when some file has it (a link when only one does).
            if !t.contains('/') {
                if let Some(paths) = self.by_name.get(t) {
                    let page = (paths.len() == 1)
                        .then(|| self.pages.file(paths[0]).map(str::to_string))
                        .flatten();
                    return Reference::Found(page);
                }
            }
            let dir = format!("{}/", t.trim_end_matches('/'));
            return if self
                .files
                .range(dir.as_str()..)
                .next()
                .is_some_and(|(p, _)| p.starts_with(&dir))
            {
                Reference::Found(None)
            } else {
                Reference::Missing
            };
        }
        if is_identifier(t) {
            let last = t.rsplit(['.', ':']).next().unwrap_or(t);
            return if WORDS.contains(&t) || self.names.contains(t) || self.names.contains(last) {
                Reference::Found(None)
            } else {
                Reference::Missing
            };
        }
        Reference::None
    }
}

/// `path:12`, `path:12-30`, `path#L12`, `path#L12-L30` -> (path, first, last).
fn citation(t: &str) -> Option<(&str, u32, u32)> {
    let (path, range) = t.split_once('#').or_else(|| t.rsplit_once(':'))?;
    if !looks_like_path(path) {
        return None;
    }
    let range = range.trim_start_matches('L');
    let (a, b) = match range.split_once('-') {
        Some((a, b)) => (a, b.trim_start_matches('L')),
        None => (range, range),
    };
    Some((
        path.trim_start_matches("./"),
        a.parse().ok()?,
        b.parse().ok()?,
    ))
}

fn looks_like_path(t: &str) -> bool {
    if t.contains("::") || t.starts_with('-') || !t.chars().any(char::is_alphanumeric) {
        return false;
    }
    let name = t.trim_end_matches('/').rsplit('/').next().unwrap_or(t);
    let has_ext = name
        .rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && EXTENSIONS.contains(&ext));
    (t.contains('/') && t.chars().all(|c| c.is_alphanumeric() || "/._-".contains(c))) || has_ext
}

fn is_identifier(t: &str) -> bool {
    t.split("::").flat_map(|p| p.split('.')).all(|seg| {
        let mut chars = seg.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_and_paths_are_recognised() {
        assert_eq!(citation("src/a.rs:12"), Some(("src/a.rs", 12, 12)));
        assert_eq!(citation("src/a.rs:12-30"), Some(("src/a.rs", 12, 30)));
        assert_eq!(citation("src/a.rs#L3-L4"), Some(("src/a.rs", 3, 4)));
        assert_eq!(citation("Config::load"), None);
        assert!(looks_like_path("Cargo.toml"));
        assert!(looks_like_path("src/parse/"));
        assert!(!looks_like_path("Config::load"));
        assert!(!looks_like_path("--dry-run"));
        assert!(!looks_like_path("../"));
        assert!(!looks_like_path("/"));
        assert!(is_identifier("Config::load"));
        assert!(is_identifier("self.name"));
        assert!(!is_identifier("a + b"));
        assert!(!is_identifier("x-y"));
    }

    const CITE: &[&str] = &[
        "src",
        "/",
        "a",
        ".rs",
        ".py",
        ":",
        "#L",
        "-",
        "L",
        "12",
        "0",
        "999999999999",
        "::",
        ".",
        "..",
        "./",
        " ",
        "()",
        "ü",
        "_",
        "x1",
        "abc1234",
        "ff",
        "\\",
        "`",
    ];

    /// Fuzz target: the citation checker's recognisers. Any text is a citation, a path, an
    /// identifier or nothing, never a panic; a citation's path is part of the text.
    #[test]
    fn short_ids_without_digits_and_globs() {
        let pages = PageMap::new(["src/a.rs"]);
        let g = Grounder {
            files: [("src/a.rs", 10)].into_iter().collect(),
            names: ["added"].into_iter().collect(),
            by_name: [("a.rs", vec!["src/a.rs"])].into_iter().collect(),
            commits: vec!["ffeddba0000000000000000000000000000000000"],
            pages: &pages,
            texts: Default::default(),
        };
        assert_eq!(g.check("ffeddba"), Reference::Found(None));
        assert_eq!(g.check("added"), Reference::Found(None));
        assert_eq!(g.check("abcdef1"), Reference::Missing);
        assert_eq!(g.check("*.rs"), Reference::None);
        assert_eq!(g.check("src/**/x.py"), Reference::None);
        assert_eq!(g.check("src/b.rs"), Reference::Missing);
    }

    #[test]
    fn fuzz_citation_checker() {
        let mut g = crate::fuzz::Gen::new("citations");
        for _ in 0..crate::fuzz::cases() * 4 {
            let t = g.text(CITE, 10);
            if let Some((path, first, last)) = citation(&t) {
                assert!(t.contains(path), "{t:?}");
                let _ = (first, last);
            }
            let _ = looks_like_path(&t);
            let _ = is_identifier(&t);
        }
    }
}
