//! Flows: what happens when the code runs, from the resolved call graph. From each entry point
//! (a binary's `main`, a console script's function, a command's top level, or a part's API
//! that other parts call), the main call paths: depth-limited, ranked (crossing parts, calling
//! on, documented; helpers called from everywhere last), told in the order the code makes the
//! calls, every step at the line that makes it. Nothing is guessed: only resolved references.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use serde::Serialize;

use super::first_sentence;
use crate::parse::{RefKind, SymbolKind};
use crate::references::{Reference, SymId};
use crate::site::paths::{symbol_target, PageMap};
use crate::Analysis;

/// How deep a flow follows calls, how many calls it shows per caller at each depth, and how
/// many steps in all: enough to tell the story, few enough to read.
const MAX_DEPTH: usize = 3;
const PER_CALLER: [usize; MAX_DEPTH] = [6, 4, 3];
const MAX_STEPS: usize = 20;
/// A part gets at most this many flows.
const MAX_FLOWS: usize = 3;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Flow {
    /// What starts it, in words: "the binary `rg`", "called from 9 files of 3 other parts".
    pub start: String,
    pub entry: FlowNode,
    /// In the order a reader follows them: each step's callees right after it.
    pub steps: Vec<FlowStep>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FlowNode {
    /// As the file names it (`Searcher::new`, `App.run`); a file's path for its top level.
    pub name: String,
    pub kind: String,
    pub path: String,
    pub line: u32,
    /// The symbol on its file page.
    pub page: String,
    /// The first sentence of its doc.
    pub doc: String,
    pub part: String,
    pub part_page: String,
    /// Its lifeline in a sequence diagram: its type, else its file.
    pub lane: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FlowStep {
    /// 1 for what the entry calls.
    pub depth: usize,
    /// 0 for the entry, k for the callee of step k (1-based).
    pub caller: usize,
    /// "calls" or "creates".
    pub verb: String,
    pub callee: FlowNode,
    /// Where the call is written.
    pub at_path: String,
    pub at_line: u32,
    pub at_page: String,
    /// Shown earlier in this flow, so not followed again.
    pub again: bool,
}

/// The resolved calls, indexed both ways.
pub struct CallIndex<'a> {
    input: &'a Analysis,
    /// Caller -> its calls and creations, in line order (a file's top level as `None`).
    calls: HashMap<(u32, Option<SymId>), Vec<&'a Reference>>,
    /// Callee -> the files that call it.
    callers: HashMap<SymId, BTreeSet<u32>>,
}

impl<'a> CallIndex<'a> {
    pub fn new(input: &'a Analysis) -> Self {
        let mut calls: HashMap<(u32, Option<SymId>), Vec<&Reference>> = HashMap::new();
        let mut callers: HashMap<SymId, BTreeSet<u32>> = HashMap::new();
        for e in &input.references.edges {
            if !matches!(e.kind, RefKind::Call | RefKind::Create) || e.from == Some(e.to) {
                continue;
            }
            calls.entry((e.file, e.from)).or_default().push(e);
            callers.entry(e.to).or_default().insert(e.file);
        }
        CallIndex {
            input,
            calls,
            callers,
        }
    }

    fn file_path(&self, file: u32) -> &'a str {
        &self.input.parsed.files[file as usize].path
    }

    fn part_of(&self, file: u32) -> Option<usize> {
        self.input
            .clusters
            .of_file
            .get(self.file_path(file))
            .copied()
    }

    fn in_tests(&self, file: u32) -> bool {
        self.part_of(file)
            .is_some_and(|c| self.input.clusters.clusters[c].role.is_some())
    }

    fn calls_of(&self, caller: (u32, Option<SymId>)) -> &[&'a Reference] {
        self.calls.get(&caller).map(Vec::as_slice).unwrap_or(&[])
    }

    fn node(&self, id: SymId) -> FlowNode {
        let file = &self.input.parsed.files[id.file as usize];
        let s = &file.facts.symbols[id.symbol as usize];
        let lane = match s.kind {
            SymbolKind::Method => s
                .name
                .rsplit_once("::")
                .or_else(|| s.name.rsplit_once('.'))
                .map(|(owner, _)| owner.rsplit([':', '.']).next().unwrap_or(owner))
                .unwrap_or(&file.path)
                .to_string(),
            k if k.is_type() => s.short_name().to_string(),
            _ => file_name(&file.path).to_string(),
        };
        let (part, part_page) = part_names(self.input, self.file_path(id.file));
        FlowNode {
            name: s.name.clone(),
            kind: s.kind.name().to_string(),
            path: file.path.clone(),
            line: s.start_line,
            page: symbol_page(self.input, id),
            doc: first_sentence(&s.doc),
            part,
            part_page,
            lane,
        }
    }

    /// A file's top level, as the entry of a command or script.
    fn file_node(&self, file: u32) -> FlowNode {
        let path = self.file_path(file);
        let (part, part_page) = part_names(self.input, path);
        FlowNode {
            name: path.to_string(),
            kind: "file".into(),
            path: path.to_string(),
            line: 1,
            page: format!("/{}", self.input.pages.file(path).unwrap_or("index.html")),
            doc: first_sentence(&self.input.parsed.files[file as usize].facts.module_doc),
            part,
            part_page,
            lane: file_name(path).to_string(),
        }
    }

    /// The flow from one entry, or none when it calls fewer than two things of the repository.
    fn flow(&self, start: String, entry: (u32, Option<SymId>)) -> Option<Flow> {
        let node = match entry.1 {
            Some(id) => self.node(id),
            None => self.file_node(entry.0),
        };
        let mut steps = Vec::new();
        let mut seen: HashSet<SymId> = entry.1.into_iter().collect();
        let tests = self.in_tests(entry.0);
        self.expand(entry, 1, 0, MAX_STEPS, tests, &mut seen, &mut steps);
        (steps.len() >= 2).then_some(Flow {
            start,
            entry: node,
            steps,
        })
    }

    /// Adds the calls of `caller` and, under each, its own calls, within `budget` steps shared
    /// evenly among the calls, so that the first call does not crowd out the rest.
    #[allow(clippy::too_many_arguments)]
    fn expand(
        &self,
        caller: (u32, Option<SymId>),
        depth: usize,
        caller_step: usize,
        budget: usize,
        tests: bool,
        seen: &mut HashSet<SymId>,
        steps: &mut Vec<FlowStep>,
    ) {
        // Each callee once, at its first call; test code only in a flow that starts there.
        let mut first: BTreeMap<SymId, &Reference> = BTreeMap::new();
        for &e in self.calls_of(caller) {
            if Some(e.to) != caller.1 && (tests || !self.in_tests(e.to.file)) {
                first.entry(e.to).or_insert(e);
            }
        }
        let caller_part = self.part_of(caller.0);
        let mut ranked: Vec<(i32, &Reference)> = first
            .into_values()
            .map(|e| (self.rank(e, caller_part), e))
            .collect();
        ranked.sort_by_key(|(score, e)| (-score, e.line, e.to));
        ranked.truncate(PER_CALLER[depth - 1]);
        ranked.truncate(budget);
        ranked.sort_by_key(|(_, e)| (e.line, e.to));
        let start = steps.len();
        let n = ranked.len();
        for (i, (_, e)) in ranked.into_iter().enumerate() {
            let used = steps.len() - start;
            // What is left after this call and one step for each call after it, shared.
            let left = budget.saturating_sub(used + 1 + (n - i - 1));
            let share = left / (n - i);
            let again = !seen.insert(e.to);
            let at_path = self.file_path(e.file).to_string();
            let at_page = line_page(self.input, &at_path, e.line);
            steps.push(FlowStep {
                depth,
                caller: caller_step,
                verb: match e.kind {
                    RefKind::Create => "creates",
                    _ => "calls",
                }
                .into(),
                callee: self.node(e.to),
                at_path,
                at_line: e.line,
                at_page,
                again,
            });
            let me = steps.len();
            if !again && depth < MAX_DEPTH && share > 0 {
                self.expand(
                    (e.to.file, Some(e.to)),
                    depth + 1,
                    me,
                    share,
                    tests,
                    seen,
                    steps,
                );
            }
        }
    }

    /// Which calls tell the story: into another part, on to more calls, documented; a helper
    /// that half the repository calls says little.
    fn rank(&self, e: &Reference, caller_part: Option<usize>) -> i32 {
        let mut score = 0;
        if self.part_of(e.to.file) != caller_part {
            score += 4;
        }
        let onward = self.calls_of((e.to.file, Some(e.to))).len();
        score += onward.min(3) as i32;
        let sym = &self.input.parsed.files[e.to.file as usize].facts.symbols[e.to.symbol as usize];
        if !sym.doc.is_empty() {
            score += 1;
        }
        if self.callers.get(&e.to).map_or(0, BTreeSet::len) > 20 {
            score -= 3;
        }
        score
    }

    /// The symbol a file defines by that name at its top level.
    fn symbol_named(&self, file: u32, name: &str) -> Option<SymId> {
        let facts = &self.input.parsed.files[file as usize].facts;
        facts
            .symbols
            .iter()
            .position(|s| s.name == name && matches!(s.kind, SymbolKind::Function))
            .map(|i| SymId {
                file,
                symbol: i as u32,
            })
    }

    fn file_index(&self, path: &str) -> Option<u32> {
        self.input
            .parsed
            .files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| i as u32)
    }

    /// The flows of the entry points the manifests declare, in `files` (all files: `None`).
    fn entry_flows(&self, within: Option<&BTreeSet<&str>>) -> Vec<Flow> {
        let mut flows = Vec::new();
        let mut done: HashSet<(u32, Option<SymId>)> = HashSet::new();
        for p in &self.input.packages.packages {
            for e in &p.entries {
                if within.is_some_and(|w| !w.contains(e.path.as_str())) {
                    continue;
                }
                let Some(file) = self.file_index(&e.path) else {
                    continue;
                };
                let entry = match e.function.as_deref() {
                    Some(f) => match self.symbol_named(file, f) {
                        Some(id) => (file, Some(id)),
                        None => continue,
                    },
                    None => (file, None),
                };
                if !done.insert(entry) {
                    continue;
                }
                let start = format!("the {} `{}`", e.kind, e.name);
                flows.extend(self.flow(start, entry));
            }
        }
        flows
    }

    /// A part's flows: from its entry points, then from what other parts call most in it.
    pub fn part_flows(&self, cluster: usize) -> Vec<Flow> {
        let c = &self.input.clusters.clusters[cluster];
        if c.role.is_some() {
            return Vec::new();
        }
        let members: BTreeSet<&str> = c.members.iter().map(String::as_str).collect();
        let mut flows = self.entry_flows(Some(&members));
        // Then its public functions and methods, by how many other parts call them and how
        // much they reach: a one-line getter called from everywhere is no flow, and a
        // library's central function may have no caller here at all (its users are outside).
        let mut candidates: Vec<(usize, usize, usize, SymId)> = Vec::new();
        for path in &c.members {
            let Some(file) = self.file_index(path) else {
                continue;
            };
            let facts = &self.input.parsed.files[file as usize].facts;
            for (i, s) in facts.symbols.iter().enumerate() {
                if !matches!(s.kind, SymbolKind::Function | SymbolKind::Method) || !s.public {
                    continue;
                }
                let id = SymId {
                    file,
                    symbol: i as u32,
                };
                let reach = self.reach(id);
                if reach < 2 {
                    continue;
                }
                let callers: Vec<u32> = self
                    .callers
                    .get(&id)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|&f| !self.in_tests(f) && self.part_of(f) != Some(cluster))
                    .collect();
                let parts: BTreeSet<usize> =
                    callers.iter().filter_map(|&f| self.part_of(f)).collect();
                candidates.push((parts.len(), callers.len(), reach, id));
            }
        }
        candidates.sort_by_key(|&(parts, files, reach, id)| {
            let weight = 3 * parts.min(4) + reach.min(12);
            (std::cmp::Reverse((weight, files)), id)
        });
        for (parts, files, reach, id) in candidates {
            if flows.len() >= MAX_FLOWS {
                break;
            }
            let node = self.node(id);
            if flows.iter().any(|f| f.entry.page == node.page) {
                continue;
            }
            let start = match files {
                0 => format!(
                    "a public {} reaching {reach} others within two calls",
                    node.kind
                ),
                _ => format!(
                    "called from {files} {} of {parts} other {}",
                    if files == 1 { "file" } else { "files" },
                    if parts == 1 { "part" } else { "parts" }
                ),
            };
            flows.extend(self.flow(start, (id.file, Some(id))));
        }
        flows.truncate(MAX_FLOWS);
        flows
    }

    /// How many symbols a call to `id` reaches within two calls (tests left out).
    fn reach(&self, id: SymId) -> usize {
        let mut seen: HashSet<SymId> = HashSet::new();
        let mut frontier = vec![id];
        for _ in 0..2 {
            let mut next = Vec::new();
            for s in frontier {
                for e in self.calls_of((s.file, Some(s))) {
                    if e.to != id && !self.in_tests(e.to.file) && seen.insert(e.to) {
                        next.push(e.to);
                    }
                }
            }
            frontier = next;
        }
        seen.len()
    }

    /// The main flow of the whole repository, told across its parts (one lifeline per part):
    /// its first declared entry point that calls on, else the first flow of a library's part.
    pub fn main_flow(&self) -> Option<Flow> {
        // Else the flow that crosses the most parts, of all the parts' flows.
        let mut flow = self.entry_flows(None).into_iter().next().or_else(|| {
            (0..self.input.clusters.clusters.len())
                .flat_map(|c| self.part_flows(c))
                .max_by_key(|f| {
                    let parts: BTreeSet<&str> =
                        f.steps.iter().map(|s| s.callee.part.as_str()).collect();
                    (
                        parts.len(),
                        f.steps.len(),
                        std::cmp::Reverse(f.entry.page.clone()),
                    )
                })
        })?;
        let by_part = |node: &mut FlowNode| {
            if !node.part.is_empty() {
                node.lane = node.part.clone();
            }
        };
        by_part(&mut flow.entry);
        flow.steps.iter_mut().for_each(|s| by_part(&mut s.callee));
        Some(flow)
    }
}

/// Where a link to a symbol goes: its anchor on its file's page.
pub(crate) fn symbol_page(input: &Analysis, id: SymId) -> String {
    let file = &input.parsed.files[id.file as usize];
    let s = &file.facts.symbols[id.symbol as usize];
    let page = format!("/{}", input.pages.file(&file.path).unwrap_or("index.html"));
    // The anchor counts the symbols of the same name before it (`symbol_anchor`).
    let n = file.facts.symbols[..id.symbol as usize]
        .iter()
        .filter(|o| o.name == s.name)
        .count();
    symbol_target(&page, &s.name, n, id.symbol as usize)
}

/// The name and page of the part a file belongs to (empty when none).
pub(crate) fn part_names(input: &Analysis, path: &str) -> (String, String) {
    match input.clusters.of_file.get(path) {
        Some(&c) => {
            let c = &input.clusters.clusters[c];
            (c.name.clone(), format!("/{}", PageMap::part(&c.slug)))
        }
        None => (String::new(), String::new()),
    }
}

/// A line of a file on its page: its anchor, when the page's source view shows that line (a
/// huge file shows its first part), else the page.
pub(crate) fn line_page(input: &Analysis, path: &str, line: u32) -> String {
    let page = format!("/{}", input.pages.file(path).unwrap_or("index.html"));
    let shown = input
        .snapshot
        .files
        .binary_search_by(|f| f.path.as_str().cmp(path))
        .is_ok_and(|i| {
            let file = &input.snapshot.files[i];
            crate::site::highlight::shows_counted_line(&file.text, file.lines, line as usize)
        });
    match shown {
        true => format!("{page}#L{line}"),
        false => page,
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
