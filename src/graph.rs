//! Stage 4: the file graph: import edges resolved by the parse stage, and co-change edges from
//! the history (files changed by the same commit, bulk commits left out).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::history::History;
use crate::parse::Parsed;

#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// importer -> imported -> number of import statements.
    pub imports: BTreeMap<String, BTreeMap<String, u32>>,
    /// imported -> importers -> number of import statements.
    pub imported_by: BTreeMap<String, BTreeMap<String, u32>>,
    /// (a, b) with a < b -> commits that changed both.
    pub cochange: BTreeMap<(String, String), u32>,
}

pub struct GraphOptions {
    /// Commits that change more files than this are not evidence of coupling.
    pub max_changeset: usize,
    pub min_cochange: u32,
}

impl Graph {
    pub fn imports_of(&self, path: &str) -> impl Iterator<Item = (&String, &u32)> {
        self.imports.get(path).into_iter().flatten()
    }

    pub fn importers_of(&self, path: &str) -> impl Iterator<Item = (&String, &u32)> {
        self.imported_by.get(path).into_iter().flatten()
    }

    /// How strongly two files are tied: imports either way, plus shared commits.
    pub fn link_weight(&self, a: &str, b: &str) -> u32 {
        let import = |x: &str, y: &str| {
            self.imports
                .get(x)
                .and_then(|m| m.get(y))
                .copied()
                .unwrap_or(0)
        };
        let key = if a < b {
            (a.to_string(), b.to_string())
        } else {
            (b.to_string(), a.to_string())
        };
        import(a, b) + import(b, a) + self.cochange.get(&key).copied().unwrap_or(0)
    }

    /// Every file linked to `path`, with the weight of the link.
    pub fn neighbours(&self, path: &str) -> BTreeMap<&str, u32> {
        let mut out: BTreeMap<&str, u32> = BTreeMap::new();
        for (other, n) in self.imports_of(path).chain(self.importers_of(path)) {
            *out.entry(other.as_str()).or_default() += n;
        }
        out
    }
}

pub fn build(parsed: &Parsed, history: &History, opts: &GraphOptions) -> Graph {
    // Three maps, none reading another: made at once.
    let ((imports, imported_by), cochange) = rayon::join(
        || rayon::join(|| imports(parsed, false), || imports(parsed, true)),
        || cochange(parsed, history, opts),
    );
    Graph {
        imports,
        imported_by,
        cochange,
    }
}

/// importer -> imported -> import statements; `reversed`: imported -> importer -> the same.
fn imports(parsed: &Parsed, reversed: bool) -> BTreeMap<String, BTreeMap<String, u32>> {
    let mut map: BTreeMap<String, BTreeMap<String, u32>> = BTreeMap::new();
    for file in &parsed.files {
        for import in &file.facts.imports {
            if let Some(target) = &import.target {
                let (from, to) = match reversed {
                    false => (&file.path, target),
                    true => (target, &file.path),
                };
                *map.entry(from.clone())
                    .or_default()
                    .entry(to.clone())
                    .or_default() += 1;
            }
        }
    }
    map
}

/// (a, b) with a < b -> commits that changed both, for the pairs changed together at least
/// `opts.min_cochange` times.
fn cochange(
    parsed: &Parsed,
    history: &History,
    opts: &GraphOptions,
) -> BTreeMap<(String, String), u32> {
    // Which current files each commit touched (renames already followed by the history), by
    // their index in `parsed.files`, whose order is the paths' order.
    let mut touched: Vec<Vec<u32>> = vec![Vec::new(); history.commits.len()];
    for (f, file) in parsed.files.iter().enumerate() {
        for i in history.commits_of(&file.path) {
            if touched[i].last() != Some(&(f as u32)) {
                touched[i].push(f as u32);
            }
        }
    }
    // Counted by index pairs (a commit of n files makes n²/2 of them); only the pairs kept are
    // named by their paths.
    let mut counts: HashMap<u64, u32, BuildHasherDefault<PairHasher>> = HashMap::default();
    for (i, files) in touched.iter_mut().enumerate() {
        let commit = &history.commits[i];
        // Merges, bots' commits, bumps and formatting touch files together for no design
        // reason.
        if files.len() < 2 || commit.changes.len() > opts.max_changeset || history.is_noise(i) {
            continue;
        }
        files.sort_unstable();
        for (x, &a) in files.iter().enumerate() {
            for &b in &files[x + 1..] {
                *counts.entry(u64::from(a) << 32 | u64::from(b)).or_default() += 1;
            }
        }
    }
    let path = |f: u64| parsed.files[f as usize].path.clone();
    counts
        .into_iter()
        .filter(|&(_, n)| n >= opts.min_cochange)
        .map(|(pair, n)| ((path(pair >> 32), path(pair & u64::from(u32::MAX))), n))
        .collect()
}

/// Hashes a pair of file indices packed in a `u64`: the co-change count makes millions of
/// lookups on a large history, and SipHash (the default, slow on purpose against keys chosen
/// to collide) was a fifth of the graph stage; indices are no text a repository chooses.
#[derive(Default)]
struct PairHasher(u64);

impl Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    /// splitmix64's finaliser: every input bit moves every output bit, low ones included
    /// (which pick the bucket).
    fn write_u64(&mut self, n: u64) {
        let z = (n ^ (n >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        self.0 = z ^ (z >> 31);
    }
}
