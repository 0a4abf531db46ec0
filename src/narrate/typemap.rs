//! Type maps: a part's main types and how they relate, from the resolved references only:
//! which type holds which in a field, implements or extends which, names which in its own
//! declaration, and whose methods create which. Every relation points at the line that says so.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::first_sentence;
use crate::parse::{RefKind, SymbolKind};
use crate::references::SymId;
use crate::Analysis;

/// A map is drawn with at most this many of the part's own types, and this many in all.
const MAX_OWN: usize = 8;
const MAX_TYPES: usize = 12;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TypeMap {
    pub types: Vec<TypeBox>,
    pub relations: Vec<Relation>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TypeBox {
    pub name: String,
    pub kind: String,
    pub path: String,
    pub line: u32,
    pub page: String,
    pub doc: String,
    /// Defined in this part (else a type of another part it relates to).
    pub own: bool,
    pub part: String,
    pub part_page: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Relation {
    /// Indices into `types`.
    pub from: usize,
    pub to: usize,
    /// "holds", "implements", "extends", "uses" or "creates".
    pub kind: String,
    /// The field, for "holds".
    pub field: String,
    pub at_path: String,
    pub at_line: u32,
    pub at_page: String,
}

/// What every part's type map reads, found once for all parts: the part of each file, and for
/// each part the holds and edges that may touch it (in their order), so that a part's map does
/// not go through every relation of the repository.
pub struct TypeMapIndex {
    part_of: Vec<Option<usize>>,
    holds: Vec<Vec<u32>>,
    edges: Vec<Vec<u32>>,
}

/// The kind of relation a type map draws from an edge, if any.
fn drawn(kind: RefKind) -> bool {
    matches!(
        kind,
        RefKind::Implements | RefKind::Extends | RefKind::TypeUse | RefKind::Create
    )
}

/// The type name a method's name puts it under (`Store::put` -> `Store`).
fn owner_name(name: &str) -> Option<&str> {
    let prefix = name.rsplit_once("::").or_else(|| name.rsplit_once('.'))?.0;
    prefix.rsplit([':', '.']).next()
}

impl TypeMapIndex {
    pub fn new(input: &Analysis) -> TypeMapIndex {
        let parts = input.clusters.clusters.len();
        let part_of: Vec<Option<usize>> = input
            .parsed
            .files
            .iter()
            .map(|f| input.clusters.of_file.get(&f.path).copied())
            .collect();
        // The parts with a type of each short name: a method is drawn under its part's type of
        // that name, wherever the method is defined.
        let mut named: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
        for (f, file) in input.parsed.files.iter().enumerate() {
            let Some(p) = part_of[f] else { continue };
            for s in file.facts.symbols.iter().filter(|s| s.kind.is_type()) {
                named.entry(s.short_name()).or_default().insert(p);
            }
        }
        let mut holds = vec![Vec::new(); parts];
        for (i, h) in input.references.holds.iter().enumerate() {
            let mut to: BTreeSet<usize> = BTreeSet::new();
            to.extend(part_of[h.owner.file as usize]);
            to.extend(part_of[h.ty.file as usize]);
            for p in to {
                holds[p].push(i as u32);
            }
        }
        let mut edges = vec![Vec::new(); parts];
        for (i, e) in input.references.edges.iter().enumerate() {
            let Some(from) = e.from.filter(|_| drawn(e.kind)) else {
                continue;
            };
            let mut to: BTreeSet<usize> = BTreeSet::new();
            to.extend(part_of[from.file as usize]);
            to.extend(part_of[e.to.file as usize]);
            let s = &input.parsed.files[from.file as usize].facts.symbols[from.symbol as usize];
            if s.kind == SymbolKind::Method {
                if let Some(parts) = owner_name(&s.name).and_then(|n| named.get(n)) {
                    to.extend(parts);
                }
            }
            for p in to {
                edges[p].push(i as u32);
            }
        }
        TypeMapIndex {
            part_of,
            holds,
            edges,
        }
    }
}

/// The type map of one part, or none when its types do not relate.
pub fn part_type_map(input: &Analysis, index: &TypeMapIndex, cluster: usize) -> Option<TypeMap> {
    let c = &input.clusters.clusters[cluster];
    if c.role.is_some() {
        return None;
    }
    let file_of = |path: &str| -> Option<u32> {
        input
            .parsed
            .files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| i as u32)
    };
    let sym = |id: SymId| &input.parsed.files[id.file as usize].facts.symbols[id.symbol as usize];
    let in_part = |id: SymId| index.part_of[id.file as usize] == Some(cluster);
    // The part's own types, by short name, for the methods that belong to them.
    let mut own: BTreeMap<&str, Vec<SymId>> = BTreeMap::new();
    for path in &c.members {
        let Some(file) = file_of(path) else { continue };
        for (i, s) in input.parsed.files[file as usize]
            .facts
            .symbols
            .iter()
            .enumerate()
        {
            if s.kind.is_type() {
                own.entry(s.short_name()).or_default().push(SymId {
                    file,
                    symbol: i as u32,
                });
            }
        }
    }
    if own.is_empty() {
        return None;
    }
    // The type a method of this part belongs to, when its name says which one.
    let owner_of = |id: SymId| -> Option<SymId> {
        let s = sym(id);
        if s.kind != SymbolKind::Method {
            return s.kind.is_type().then_some(id);
        }
        match own.get(owner_name(&s.name)?).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            _ => None,
        }
    };
    // (from, to, kind) -> first (field, file, line) that says so.
    let mut found: BTreeMap<(SymId, SymId, &str), (String, u32, u32)> = BTreeMap::new();
    for h in index.holds[cluster]
        .iter()
        .map(|&i| &input.references.holds[i as usize])
    {
        if h.owner != h.ty && (in_part(h.owner) || in_part(h.ty)) {
            found
                .entry((h.owner, h.ty, "holds"))
                .or_insert((h.field.clone(), h.file, h.line));
        }
    }
    for e in index.edges[cluster]
        .iter()
        .map(|&i| &input.references.edges[i as usize])
    {
        let Some(from) = e.from else { continue };
        let kind = match e.kind {
            RefKind::Implements => "implements",
            RefKind::Extends => "extends",
            // A type naming another in its own declaration (a field's element type, a bound).
            RefKind::TypeUse if sym(from).kind.is_type() => "uses",
            RefKind::Create => "creates",
            _ => continue,
        };
        let Some(owner) = owner_of(from).filter(|_| in_part(from) || kind != "creates") else {
            continue;
        };
        if owner == e.to || !sym(e.to).kind.is_type() || !(in_part(owner) || in_part(e.to)) {
            continue;
        }
        found
            .entry((owner, e.to, kind))
            .or_insert((String::new(), e.file, e.line));
    }
    // A field says more than a mention: "uses" only where nothing else relates the two.
    let related: BTreeSet<(SymId, SymId)> = found
        .keys()
        .filter(|(_, _, k)| *k != "uses")
        .map(|&(a, b, _)| (a, b))
        .collect();
    found.retain(|&(a, b, k), _| k != "uses" || !related.contains(&(a, b)));
    // The part's types with the most relations, then the types they relate to.
    let mut degree: BTreeMap<SymId, usize> = BTreeMap::new();
    for &(a, b, _) in found.keys() {
        *degree.entry(a).or_default() += 1;
        *degree.entry(b).or_default() += 1;
    }
    let mut chosen: Vec<SymId> = degree.keys().copied().filter(|&t| in_part(t)).collect();
    chosen.sort_by_key(|t| (std::cmp::Reverse(degree[t]), *t));
    chosen.truncate(MAX_OWN);
    let mut others: Vec<SymId> = degree
        .keys()
        .copied()
        .filter(|&t| !in_part(t))
        .filter(|&t| {
            found.keys().any(|&(a, b, _)| {
                (a == t && chosen.contains(&b)) || (b == t && chosen.contains(&a))
            })
        })
        .collect();
    others.sort_by_key(|t| (std::cmp::Reverse(degree[t]), *t));
    others.truncate(MAX_TYPES.saturating_sub(chosen.len()));
    chosen.extend(others);
    let index: BTreeMap<SymId, usize> = chosen.iter().enumerate().map(|(i, &t)| (t, i)).collect();
    let relations: Vec<Relation> = found
        .iter()
        .filter_map(|(&(a, b, kind), (field, file, line))| {
            Some(Relation {
                from: *index.get(&a)?,
                to: *index.get(&b)?,
                kind: kind.to_string(),
                field: field.clone(),
                at_path: input.parsed.files[*file as usize].path.clone(),
                at_line: *line,
                at_page: super::flows::line_page(
                    input,
                    &input.parsed.files[*file as usize].path,
                    *line,
                ),
            })
        })
        .collect();
    if relations.is_empty() || chosen.iter().filter(|&&t| in_part(t)).count() < 2 {
        return None;
    }
    let types = chosen
        .iter()
        .map(|&id| {
            let file = &input.parsed.files[id.file as usize];
            let s = sym(id);
            let (part, part_page) = super::flows::part_names(input, &file.path);
            TypeBox {
                name: s.name.clone(),
                kind: s.kind.name().to_string(),
                path: file.path.clone(),
                line: s.start_line,
                page: super::flows::symbol_page(input, id),
                doc: first_sentence(&s.doc),
                own: in_part(id),
                part,
                part_page,
            }
        })
        .collect();
    Some(TypeMap { types, relations })
}
