//! Stage 4: references. The front-ends read, per blob and cached with the parse, what each
//! file calls, creates, names as a type, implements and extends, as written. This stage
//! resolves those names to the symbols they mean where the code says so: the same file, an
//! import (re-exports followed), `self`/`this`, a field's or a local's declared type, a call's
//! declared return type, a trait or base class the code names. Anything else stays
//! unresolved: a bare name is never matched to a symbol of the same name elsewhere.

use std::collections::BTreeMap;

// Hashed with foldhash: seeded per process like std's maps, at a fraction of SipHash's cost
// (hashing was a fifth of this stage's time on rust-analyzer).
use foldhash::{HashMap, HashMapExt, HashSet};

use rayon::prelude::*;
use serde::Serialize;

use crate::packages::Packages;
use crate::parse::{
    resolve_import, resolve_rust_path, Binding, FileFacts, ImportSpec, Parsed, ParsedFile, RefKind,
    RepoIndex, SymbolKind, TypeHint,
};
use crate::snapshot::{Language, Snapshot};

/// A symbol of the repository: its file (index into `Parsed::files`) and its index there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SymId {
    pub file: u32,
    pub symbol: u32,
}

/// One resolved reference: written in `file` at `line`, inside the symbol `from` (the type
/// that implements or extends, for those kinds; `None` at a file's top level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub kind: RefKind,
    pub file: u32,
    pub line: u32,
    pub from: Option<SymId>,
    pub to: SymId,
}

/// How many call sites (calls and creations) resolved, and why the others did not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub calls: usize,
    pub resolved: usize,
    /// Named outside the repository: builtins, the standard library, dependencies.
    pub external: usize,
}

impl Stats {
    /// Call sites that name something of the repository and could not be followed (a value of
    /// unknown type, a trait object, a name the code does not pin down).
    pub fn unresolved(&self) -> usize {
        self.calls - self.resolved - self.external
    }
}

#[derive(Debug, Clone, Default)]
pub struct References {
    /// Sorted by file, line, kind.
    pub edges: Vec<Reference>,
    /// The fields of the repository's types whose type is one of the repository's types too.
    pub holds: Vec<Holds>,
    pub stats: Stats,
}

/// A field: `owner` holds a value of type `ty` in field `field`, declared in `file` at `line`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holds {
    pub owner: SymId,
    pub field: String,
    pub ty: SymId,
    pub file: u32,
    pub line: u32,
}

impl References {
    /// The references made from inside `symbol`, in the order of their lines.
    pub fn from_symbol(&self, symbol: SymId) -> impl Iterator<Item = &Reference> {
        let start = self.edges.partition_point(|e| e.file < symbol.file);
        self.edges[start..]
            .iter()
            .take_while(move |e| e.file == symbol.file)
            .filter(move |e| e.from == Some(symbol))
    }
}

/// Resolves every file's references. Deterministic: edges come out sorted.
pub fn resolve(snapshot: &Snapshot, packages: &Packages, parsed: &Parsed) -> References {
    let index = RepoIndex::new(snapshot, packages);
    let mut resolver = Resolver::new(parsed, &index);
    let per_file: Vec<(Vec<Reference>, Stats)> = (0..parsed.files.len())
        .into_par_iter()
        .map(|f| resolver.file_references(f as u32))
        .collect();
    let mut refs = References::default();
    for (edges, stats) in per_file {
        refs.edges.extend(edges);
        refs.stats.calls += stats.calls;
        refs.stats.resolved += stats.resolved;
        refs.stats.external += stats.external;
    }
    refs.holds = resolver.holds();
    // Each file's scope is thousands of small maps and names: freed on all cores (on one, it
    // was about 50 ms of a one-file build of rust-analyzer with the other core idle).
    std::mem::take(&mut resolver.files)
        .into_par_iter()
        .for_each(drop);
    refs
}

/// What a name stands for while a path is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entity {
    /// A file, as a module.
    Module(u32),
    /// A symbol itself: a function, a type, a module item.
    Sym(SymId),
    /// A value of a type of the repository.
    Value(SymId),
}

/// Where a path is written: the file, the innermost symbol, the line.
#[derive(Clone, Copy)]
struct Place {
    file: u32,
    scope: Option<u32>,
    line: u32,
}

/// Bounds every chain the resolver follows (re-exports, locals bound to locals, base classes).
const MAX_DEPTH: u32 = 8;

struct Resolver<'a> {
    parsed: &'a Parsed,
    index: &'a RepoIndex<'a>,
    files: Vec<FileScope<'a>>,
    /// A type's methods, wherever they are defined (Rust impls live anywhere).
    methods: HashMap<SymId, BTreeMap<&'a str, SymId>>,
    /// The traits a type implements, the classes and interfaces it extends.
    parents: HashMap<SymId, Vec<SymId>>,
    /// A type's fields: name -> where the field is declared and the type it is given.
    fields: HashMap<SymId, BTreeMap<&'a str, (Place, &'a TypeHint)>>,
    /// Files that see each other's top-level names without an import (a Go package's files):
    /// per file, its group in `groups`.
    group_of: Vec<Option<u32>>,
    groups: Vec<Vec<u32>>,
    /// C functions defined without `static`, by name: what a header's prototype stands for
    /// when the repository defines it once.
    c_definitions: HashMap<&'a str, Vec<SymId>>,
    /// Ruby's classes, modules and constants by their full name (`Kv.Store`): Ruby's
    /// constants are global once their files are loaded; a class reopened in several files is
    /// the first file's.
    ruby_constants: HashMap<String, SymId>,
    /// The namespaces C++ files open: a path may name them before what it means.
    cpp_namespaces: HashSet<&'a str>,
}

/// A file, as the module a Rust path names, and the segments of the path left inside it.
type ModuleAndRest = (u32, Vec<String>);

/// A local's line and the type the code gives it.
type LocalAt<'a> = (u32, Option<&'a TypeHint>);

/// One file's names.
struct FileScope<'a> {
    /// Symbol names with `.` for every separator (`Foo::new` -> `Foo.new`) -> symbol.
    symbols: HashMap<String, u32>,
    /// (inline module, local name) of each binding -> its indices: a `use` inside a Rust
    /// `mod x { … }` binds its name there only.
    bindings: HashMap<(Option<u32>, &'a str), Vec<usize>>,
    globs: Vec<(Option<u32>, usize)>,
    /// The file each binding's import names (per name, for Python's `from m import a, b`).
    targets: Vec<Option<u32>>,
    /// For each Rust `use` binding, the file of the deepest module its path names and the
    /// segments left inside that file (found once: a file's calls go through its imports many
    /// times). `None` for other bindings.
    rust_uses: Vec<Option<Option<ModuleAndRest>>>,
    /// Line -> innermost symbol, and innermost type, around it (index 0 unused).
    innermost: Vec<Option<u32>>,
    innermost_type: Vec<Option<u32>>,
    innermost_module: Vec<Option<u32>>,
    /// (scope, name) -> the locals of that name there, in line order.
    locals: HashMap<(Option<u32>, &'a str), Vec<LocalAt<'a>>>,
}

fn key(name: &str) -> String {
    name.replace("::", ".")
}

impl<'a> Resolver<'a> {
    fn new(parsed: &'a Parsed, index: &'a RepoIndex<'a>) -> Self {
        let files: Vec<FileScope> = parsed
            .files
            .par_iter()
            .map(|f| FileScope::new(f, parsed, index))
            .collect();
        let (group_of, groups) = package_groups(parsed);
        let mut c_definitions: HashMap<&str, Vec<SymId>> = HashMap::new();
        for (f, file) in parsed.files.iter().enumerate() {
            if !matches!(file.language, Some(Language::C | Language::Cpp)) {
                continue;
            }
            for (i, s) in file.facts.symbols.iter().enumerate() {
                let callable = matches!(s.kind, SymbolKind::Function | SymbolKind::Method);
                if callable && s.public && !s.signature.ends_with(';') {
                    c_definitions.entry(&s.name).or_default().push(SymId {
                        file: f as u32,
                        symbol: i as u32,
                    });
                }
            }
        }
        let mut ruby_constants: HashMap<String, SymId> = HashMap::new();
        for (f, file) in parsed.files.iter().enumerate() {
            if file.language != Some(Language::Ruby) {
                continue;
            }
            for (i, s) in file.facts.symbols.iter().enumerate() {
                if s.kind.is_type() || matches!(s.kind, SymbolKind::Module | SymbolKind::Const) {
                    ruby_constants.entry(key(&s.name)).or_insert(SymId {
                        file: f as u32,
                        symbol: i as u32,
                    });
                }
            }
        }
        let cpp_namespaces = parsed
            .files
            .iter()
            .filter(|f| f.language == Some(Language::Cpp))
            .flat_map(|f| f.facts.package.split_whitespace())
            .collect();
        let mut r = Resolver {
            parsed,
            index,
            cpp_namespaces,
            files,
            methods: HashMap::new(),
            parents: HashMap::new(),
            fields: HashMap::new(),
            group_of,
            groups,
            c_definitions,
            ruby_constants,
        };
        r.index_methods();
        r.index_parents();
        r.index_fields();
        r
    }

    fn facts(&self, file: u32) -> &'a FileFacts {
        &self.parsed.files[file as usize].facts
    }

    fn language(&self, file: u32) -> Option<Language> {
        self.parsed.files[file as usize].language
    }

    fn symbol(&self, id: SymId) -> &'a crate::parse::Symbol {
        &self.facts(id.file).symbols[id.symbol as usize]
    }

    /// Methods are filed under the type their name's prefix resolves to in their own file.
    fn index_methods(&mut self) {
        let mut methods: HashMap<SymId, BTreeMap<&'a str, SymId>> = HashMap::new();
        for (f, file) in self.parsed.files.iter().enumerate() {
            for (i, s) in file.facts.symbols.iter().enumerate() {
                if s.kind != SymbolKind::Method {
                    continue;
                }
                let segs: Vec<String> = key(&s.name).split('.').map(str::to_string).collect();
                let Some((short, owner)) = segs.split_last() else {
                    continue;
                };
                let place = Place {
                    file: f as u32,
                    scope: None,
                    line: s.start_line,
                };
                if let Some(Entity::Sym(t)) = self.eval(place, owner, 0) {
                    let name = s.short_name();
                    debug_assert_eq!(name, short);
                    let id = SymId {
                        file: f as u32,
                        symbol: i as u32,
                    };
                    // A C++ method is declared in its class and defined elsewhere: the
                    // definition is the one a call runs.
                    let slot = methods.entry(t).or_default().entry(name).or_insert(id);
                    let declared = |id: SymId| self.symbol(id).signature.ends_with(';');
                    if declared(*slot) && !declared(id) {
                        *slot = id;
                    }
                }
            }
        }
        self.methods = methods;
    }

    fn index_parents(&mut self) {
        let mut parents: HashMap<SymId, Vec<SymId>> = HashMap::new();
        for (f, file) in self.parsed.files.iter().enumerate() {
            for r in file.facts.refs.iter().filter(|r| !r.subject.is_empty()) {
                let place = Place {
                    file: f as u32,
                    scope: None,
                    line: r.line,
                };
                let subject = self.eval(place, &r.subject, 0);
                let parent = self.eval(place, &r.path, 0);
                if let (Some(Entity::Sym(s)), Some(Entity::Sym(p))) = (subject, parent) {
                    if s != p && self.can_be_parent(p) && self.symbol(s).kind.is_type() {
                        let list = parents.entry(s).or_default();
                        if !list.contains(&p) {
                            list.push(p);
                        }
                    }
                }
            }
        }
        self.parents = parents;
    }

    fn index_fields(&mut self) {
        let mut fields: HashMap<SymId, BTreeMap<&'a str, (Place, &'a TypeHint)>> = HashMap::new();
        for (f, file) in self.parsed.files.iter().enumerate() {
            let scope = &self.files[f];
            for field in &file.facts.fields {
                let (Some(owner), Some(ty)) = (scope.type_at(field.line), field.ty.as_ref()) else {
                    continue;
                };
                let place = Place {
                    file: f as u32,
                    scope: scope.at(field.line),
                    line: field.line,
                };
                let id = SymId {
                    file: f as u32,
                    symbol: owner,
                };
                // The first assignment that shows a type is the declaration.
                fields
                    .entry(id)
                    .or_default()
                    .entry(field.name.as_str())
                    .or_insert((place, ty));
            }
        }
        self.fields = fields;
    }

    /// Every field whose type resolves, sorted by owner and field.
    fn holds(&self) -> Vec<Holds> {
        let mut out: Vec<Holds> = self
            .fields
            .iter()
            .flat_map(|(&owner, fields)| {
                fields.iter().filter_map(move |(&name, &(place, hint))| {
                    match self.type_of(place, hint, 0)? {
                        Entity::Value(ty) => Some(Holds {
                            owner,
                            field: name.to_string(),
                            ty,
                            file: place.file,
                            line: place.line,
                        }),
                        _ => None,
                    }
                })
            })
            .collect();
        out.sort_by(|a, b| (a.owner, &a.field).cmp(&(b.owner, &b.field)));
        out
    }

    fn file_references(&self, f: u32) -> (Vec<Reference>, Stats) {
        let file = &self.parsed.files[f as usize];
        let scope = &self.files[f as usize];
        let mut edges = Vec::new();
        let mut stats = Stats::default();
        for r in &file.facts.refs {
            let at = scope.at(r.line);
            let place = Place {
                file: f,
                scope: at,
                line: r.line,
            };
            let from = at.map(|symbol| SymId { file: f, symbol });
            let is_call = matches!(r.kind, RefKind::Call | RefKind::Create);
            if is_call {
                stats.calls += 1;
            }
            if !r.subject.is_empty() {
                // Implements/extends: already followed for the parents; kept as edges.
                if let (Some(Entity::Sym(s)), Some(Entity::Sym(p))) = (
                    self.eval(place, &r.subject, 0),
                    self.eval(place, &r.path, 0),
                ) {
                    if self.can_be_parent(p) && s != p {
                        edges.push(Reference {
                            kind: r.kind,
                            file: f,
                            line: r.line,
                            from: Some(s),
                            to: p,
                        });
                    }
                }
                continue;
            }
            let resolved = match r.kind {
                RefKind::Call => self.eval_callee(place, &r.path),
                _ => self.eval(place, &r.path, 0),
            };
            // Java's and C#'s overloads share a name: the one taking as many arguments.
            let resolved = match (resolved, r.path.last()) {
                (Some(Entity::Sym(s)), Some(name)) if r.kind == RefKind::Call => {
                    let args = file
                        .facts
                        .call_args
                        .iter()
                        .find(|(l, n, _)| *l == r.line && n == name)
                        .map(|(_, _, a)| *a);
                    Some(Entity::Sym(args.map_or(s, |a| self.overload(s, a))))
                }
                (other, _) => other,
            };
            let target = match resolved {
                Some(Entity::Sym(s)) => Some(s),
                _ => None,
            };
            let kind = match (r.kind, target) {
                (RefKind::Call, Some(t)) if self.symbol(t).kind.is_type() => Some(RefKind::Create),
                (RefKind::Call, Some(t)) if is_callable(self.symbol(t).kind) => Some(RefKind::Call),
                (RefKind::Create | RefKind::TypeUse, Some(t)) if self.symbol(t).kind.is_type() => {
                    Some(r.kind)
                }
                _ => None,
            };
            match (kind, target) {
                (Some(kind), Some(to)) => {
                    if is_call {
                        stats.resolved += 1;
                    }
                    edges.push(Reference {
                        kind,
                        file: f,
                        line: r.line,
                        from,
                        to,
                    });
                }
                _ if is_call && self.is_external(place, &r.path) => stats.external += 1,
                _ => {}
            }
        }
        edges.sort_by_key(|e| (e.line, e.kind, e.to));
        edges.dedup();
        (edges, stats)
    }

    /// A path whose first name the repository does not define: a builtin, the standard
    /// library, a dependency.
    fn is_external(&self, place: Place, path: &[String]) -> bool {
        match path.first().map(String::as_str) {
            None | Some("?" | "()" | "self" | "this" | "Self" | "super") => false,
            Some("::") => match self.language(place.file) {
                Some(Language::Rust) => {
                    resolve_rust_path(&path[1..], self.path_of(place.file), self.index).is_none()
                }
                _ => false,
            },
            Some(first) => {
                let scope = &self.files[place.file as usize];
                let local = place
                    .scope
                    .and_then(|_| scope.local(place.scope, first, place.line));
                match local {
                    // A local of a type the repository does not define (`let v: Vec<u8>`).
                    Some(Some(TypeHint::Written(t))) => main_type(t, false).is_some_and(|p| {
                        self.eval(
                            Place {
                                scope: None,
                                ..place
                            },
                            &p,
                            0,
                        )
                        .is_none()
                    }),
                    // A local whose type the code does not show: not known to be outside.
                    Some(_) => false,
                    None => self.head(place, path, 0).is_none(),
                }
            }
        }
    }

    fn path_of(&self, file: u32) -> &'a str {
        &self.parsed.files[file as usize].path
    }

    /// Follows a path from where it is written to what it names.
    fn eval(&self, place: Place, path: &[String], depth: u32) -> Option<Entity> {
        if depth > MAX_DEPTH || path.is_empty() {
            return None;
        }
        let (mut entity, rest) = self.head(place, path, depth)?;
        for (i, seg) in rest.iter().enumerate() {
            entity = self.step(entity, seg, depth, i + 1 == rest.len())?;
        }
        Some(entity)
    }

    /// `eval` for the callee of a call: `x.len()` calls the method `len` even when the type
    /// also has a field `len`.
    fn eval_callee(&self, place: Place, path: &[String]) -> Option<Entity> {
        if let [init @ .., last] = path {
            if !init.is_empty() && last != "()" {
                if let Some(Entity::Value(t)) = self.eval(place, init, 0) {
                    if let Some(m) = self.method(t, last, 0) {
                        return Some(Entity::Sym(m));
                    }
                }
            }
        }
        self.eval(place, path, 0)
    }

    /// The first name (or names) of a path, and what is left of it.
    fn head<'p>(
        &self,
        place: Place,
        path: &'p [String],
        depth: u32,
    ) -> Option<(Entity, &'p [String])> {
        let first = path[0].as_str();
        let scope = &self.files[place.file as usize];
        match first {
            "?" | "()" => None,
            "::" => {
                let (file, inner) =
                    resolve_rust_path(&path[1..], self.path_of(place.file), self.index)?;
                let file = self.file_index(&file)?;
                let mut entity = Entity::Module(file);
                for (i, seg) in inner.iter().enumerate() {
                    entity = self.step(entity, seg, depth, i + 1 == inner.len())?;
                }
                Some((entity, &[]))
            }
            "self" | "this" => {
                let owner = self.owner_of(place)?;
                Some((Entity::Value(owner), &path[1..]))
            }
            "Self" => Some((Entity::Sym(self.owner_of(place)?), &path[1..])),
            "super" => {
                let owner = self.owner_of(place)?;
                let parent = *self.parents.get(&owner)?.first()?;
                // Python's `super()` is a call; JavaScript's `super` a keyword.
                let rest = match path.get(1).map(String::as_str) {
                    Some("()") if self.language(place.file) == Some(Language::Python) => &path[2..],
                    _ => &path[1..],
                };
                Some((Entity::Value(parent), rest))
            }
            // `store::Table`: C++ namespaces are reopened in many files and name no file; the
            // path goes on without them.
            _ if path.len() > 1
                && self.language(place.file) == Some(Language::Cpp)
                && self.cpp_namespaces.contains(first) =>
            {
                let (entity, rest) = self.head(place, &path[1..], depth + 1)?;
                Some((entity, rest))
            }
            _ => {
                if let Some(ty) = place
                    .scope
                    .and_then(|_| scope.local(place.scope, first, place.line))
                {
                    let value = self.type_of(place, ty?, depth + 1)?;
                    return Some((value, &path[1..]));
                }
                // `import a.b` binds `a.b`: the longest dotted prefix bound wins.
                for n in (2..=path.len()).rev() {
                    let dotted = path[..n].join(".");
                    if let Some(&b) = scope
                        .bindings
                        .get(&(None, dotted.as_str()))
                        .and_then(|b| b.last())
                    {
                        let entity = self.binding(place.file, b, depth + 1, n == path.len())?;
                        return Some((entity, &path[n..]));
                    }
                }
                let module = scope.module_at(place.line);
                if let Some(entity) =
                    self.lookup_in(place.file, module, first, depth, path.len() == 1)
                {
                    return Some((entity, &path[1..]));
                }
                if self.language(place.file) == Some(Language::Ruby) {
                    if let Some(found) = self.ruby_constant(place, first) {
                        return Some((found, &path[1..]));
                    }
                }
                // Java names the types nested in the enclosing ones, and the fields of the
                // object, without qualifying them.
                if matches!(
                    self.language(place.file),
                    Some(Language::Java | Language::CSharp)
                ) {
                    if let Some(found) = self.java_implicit(place, first, depth) {
                        return Some((found, &path[1..]));
                    }
                }
                // C++ names the members of `this` without it, in a method defined in its
                // class or out of it (`Table::Get`).
                if self.language(place.file) == Some(Language::Cpp) {
                    if let Some(found) = self.cpp_implicit(place, first, depth) {
                        return Some((found, &path[1..]));
                    }
                }
                // A module-level variable (`app = Flask(__name__)`).
                if let Some(ty) = scope.local(None, first, place.line) {
                    let value = self.type_of(place, ty?, depth + 1)?;
                    return Some((value, &path[1..]));
                }
                // A crate of the workspace named without a `use`.
                if self.language(place.file) == Some(Language::Rust)
                    && self.index.rust_crates.contains_key(first)
                {
                    let (file, inner) =
                        resolve_rust_path(path, self.path_of(place.file), self.index)?;
                    let mut entity = Entity::Module(self.file_index(&file)?);
                    for (i, seg) in inner.iter().enumerate() {
                        entity = self.step(entity, seg, depth, i + 1 == inner.len())?;
                    }
                    return Some((entity, &[]));
                }
                None
            }
        }
    }

    fn file_index(&self, path: &str) -> Option<u32> {
        self.parsed
            .files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| i as u32)
    }

    /// The type a method belongs to (a Rust impl's type, a class), for `self`/`this`/`Self`.
    fn owner_of(&self, place: Place) -> Option<SymId> {
        let scope = &self.files[place.file as usize];
        if let Some(s) = place.scope {
            let sym = &self.facts(place.file).symbols[s as usize];
            if sym.kind == SymbolKind::Method {
                let segs: Vec<String> = key(&sym.name).split('.').map(str::to_string).collect();
                let owner_place = Place {
                    scope: None,
                    ..place
                };
                if let Some(Entity::Sym(t)) = self.eval(owner_place, &segs[..segs.len() - 1], 1) {
                    return Some(t);
                }
            }
        }
        let t = scope.type_at(place.line)?;
        Some(SymId {
            file: place.file,
            symbol: t,
        })
    }

    /// A name at the top of a file: its own symbol, an import, or a glob import's name.
    /// `last`: the name ends the path, so it names a value or a type, not a module (Rust keeps
    /// them apart: `mod parse;` and `use self::parse::parse;` live side by side).
    fn lookup(&self, file: u32, name: &str, depth: u32, last: bool) -> Option<Entity> {
        self.lookup_in(file, None, name, depth, last)
    }

    /// `lookup` from inside an inline module (`mod x { … }`): its own items and imports;
    /// the file's top level only through its `use super::*`.
    fn lookup_in(
        &self,
        file: u32,
        module: Option<u32>,
        name: &str,
        depth: u32,
        last: bool,
    ) -> Option<Entity> {
        if depth > MAX_DEPTH {
            return None;
        }
        let scope = &self.files[file as usize];
        let key_in = |n: &str| match module {
            Some(m) => format!("{}.{n}", key(&self.facts(file).symbols[m as usize].name)),
            None => n.to_string(),
        };
        let symbol = scope.symbols.get(&key_in(name)).copied();
        // A package variable stands for its value when the code shows its type.
        if let Some(value) = symbol.and_then(|s| self.variable_value(file, s, depth)) {
            return Some(value);
        }
        // `mod x;` is both a symbol and the import of x's file: the file has the items.
        let declared_mod =
            symbol.is_some_and(|s| self.facts(file).symbols[s as usize].kind == SymbolKind::Module);
        if let (Some(s), false) = (symbol, declared_mod) {
            return Some(Entity::Sym(self.defined(SymId { file, symbol: s })));
        }
        if let Some(list) = scope.bindings.get(&(module, name)) {
            let found: Vec<Entity> = list
                .iter()
                .rev()
                .filter_map(|&b| self.binding(file, b, depth + 1, last))
                .collect();
            let is_module = |e: &Entity| match e {
                Entity::Module(_) => true,
                Entity::Sym(s) => self.symbol(*s).kind == SymbolKind::Module,
                Entity::Value(_) => false,
            };
            let preferred = found.iter().find(|e| is_module(e) != last);
            if let Some(&e) = preferred.or(found.first()) {
                return Some(e);
            }
        }
        if let Some(s) = symbol {
            return Some(Entity::Sym(SymId { file, symbol: s }));
        }
        let facts = self.facts(file);
        let globs = scope.globs.iter().filter(|(m, _)| *m == module);
        for &(_, b) in globs {
            let from_parent = matches!(
                &facts.imports[facts.bindings[b].import as usize].spec,
                ImportSpec::RustUse(p) if p == "super"
            );
            let found = match (from_parent, module) {
                // `use super::*` in an inline module: the file's top level.
                (true, Some(_)) => self.lookup_in(file, None, name, depth + 1, last),
                _ => scope.targets[b].and_then(|t| self.lookup(t, name, depth + 1, last)),
            };
            if found.is_some() {
                return found;
            }
        }
        // The other files of the package: their own names, not what they import.
        if module.is_none() {
            if let Some(g) = self.group_of[file as usize] {
                for &mate in &self.groups[g as usize] {
                    let Some(&s) = self.files[mate as usize].symbols.get(name) else {
                        continue;
                    };
                    if let Some(value) = self.variable_value(mate, s, depth) {
                        return Some(value);
                    }
                    return Some(Entity::Sym(SymId {
                        file: mate,
                        symbol: s,
                    }));
                }
            }
        }
        None
    }

    /// A bare name in Java: a type nested in an enclosing type (innermost first), else a field
    /// of the object (`items` for `this.items`).
    fn java_implicit(&self, place: Place, name: &str, depth: u32) -> Option<Entity> {
        let scope = &self.files[place.file as usize];
        let t = scope.type_at(place.line)?;
        let mut outer = key(&self.facts(place.file).symbols[t as usize].name);
        loop {
            if let Some(&s) = scope.symbols.get(&format!("{outer}.{name}")) {
                if self.facts(place.file).symbols[s as usize].kind.is_type() {
                    return Some(Entity::Sym(SymId {
                        file: place.file,
                        symbol: s,
                    }));
                }
            }
            match outer.rsplit_once('.') {
                Some((o, _)) => outer = o.to_string(),
                None => break,
            }
        }
        let owner = self.owner_of(place)?;
        let (at, hint) = self.field(owner, name, 0)?;
        self.type_of(at, hint, depth + 1)
    }

    /// A bare name in a C++ method: a method or a field of the object, or a type nested in
    /// its class.
    fn cpp_implicit(&self, place: Place, name: &str, depth: u32) -> Option<Entity> {
        let owner = self.owner_of(place)?;
        if let Some(m) = self.method(owner, name, 0) {
            return Some(Entity::Sym(m));
        }
        let nested = format!("{}.{name}", key(&self.symbol(owner).name));
        if let Some(&s) = self.files[owner.file as usize].symbols.get(&nested) {
            return Some(Entity::Sym(SymId {
                file: owner.file,
                symbol: s,
            }));
        }
        let (at, hint) = self.field(owner, name, 0)?;
        self.type_of(at, hint, depth + 1)
    }

    /// The overload of `id` (another symbol of its file with the same name) that takes `args`
    /// parameters, when `id` does not; varargs take any number from their position on.
    fn overload(&self, id: SymId, args: u32) -> SymId {
        let symbols = &self.facts(id.file).symbols;
        let sym = &symbols[id.symbol as usize];
        if !is_callable(sym.kind) || accepts(&sym.signature, args) {
            return id;
        }
        symbols
            .iter()
            .enumerate()
            .find(|(_, s)| s.name == sym.name && s.kind == sym.kind && accepts(&s.signature, args))
            .map_or(id, |(i, _)| SymId {
                file: id.file,
                symbol: i as u32,
            })
    }

    /// A type, or a Ruby module (a mixin's methods are the class's).
    fn can_be_parent(&self, p: SymId) -> bool {
        let kind = self.symbol(p).kind;
        kind.is_type()
            || (kind == SymbolKind::Module && self.language(p.file) == Some(Language::Ruby))
    }

    /// A Ruby constant as Ruby looks it up: in the namespaces around the line, innermost
    /// first, then at the top (`Disk` in `Kv::Store#put` is `Kv::Store::Disk`, `Kv::Disk` or
    /// `Disk`), wherever in the repository it is defined.
    fn ruby_constant(&self, place: Place, name: &str) -> Option<Entity> {
        if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
            return None;
        }
        let scope = &self.files[place.file as usize];
        let mut outer = scope
            .at(place.line)
            .map(|s| key(&self.facts(place.file).symbols[s as usize].name))
            .unwrap_or_default();
        loop {
            let full = match outer.is_empty() {
                true => name.to_string(),
                false => format!("{outer}.{name}"),
            };
            if let Some(&id) = self.ruby_constants.get(&full) {
                return Some(Entity::Sym(id));
            }
            if outer.is_empty() {
                return None;
            }
            outer = outer
                .rsplit_once('.')
                .map_or(String::new(), |(o, _)| o.to_string());
        }
    }

    /// A C prototype (or a C++ declaration) stands for the function's one definition in the
    /// repository, when there is one (C links functions by name; C++ defines a method by its
    /// qualified name); anything else stands for itself.
    fn defined(&self, id: SymId) -> SymId {
        let sym = self.symbol(id);
        let callable = matches!(sym.kind, SymbolKind::Function | SymbolKind::Method);
        let prototype = callable && sym.signature.ends_with(';');
        if !prototype || !matches!(self.language(id.file), Some(Language::C | Language::Cpp)) {
            return id;
        }
        match self.c_definitions.get(sym.name.as_str()).map(Vec::as_slice) {
            Some([one]) => *one,
            _ => id,
        }
    }

    /// The value of a package-level variable whose type its declaration gives or shows.
    fn variable_value(&self, file: u32, s: u32, depth: u32) -> Option<Entity> {
        let sym = &self.facts(file).symbols[s as usize];
        if sym.kind != SymbolKind::Variable {
            return None;
        }
        let scope = &self.files[file as usize];
        let hint = scope.local(Some(s), &sym.name, sym.start_line.max(sym.end_line))??;
        let place = Place {
            file,
            scope: None,
            line: sym.end_line + 1,
        };
        match self.type_of(place, hint, depth + 1)? {
            Entity::Value(t) => Some(Entity::Value(t)),
            _ => None,
        }
    }

    /// What an import binds.
    fn binding(&self, file: u32, b: usize, depth: u32, last: bool) -> Option<Entity> {
        if depth > MAX_DEPTH {
            return None;
        }
        let facts = self.facts(file);
        let binding: &Binding = &facts.bindings[b];
        if let Some(found) = &self.files[file as usize].rust_uses[b] {
            let (target, inner) = found.as_ref()?;
            let mut entity = Entity::Module(*target);
            for (i, seg) in inner.iter().enumerate() {
                entity = self.step(entity, seg, depth, last && i + 1 == inner.len())?;
            }
            return Some(entity);
        }
        let target = self.files[file as usize].targets[b]?;
        match binding.name.as_deref() {
            None => Some(Entity::Module(target)),
            Some("default") => {
                let name = self.facts(target).default_export.as_deref()?;
                self.lookup(target, name, depth + 1, last)
            }
            Some(name) => {
                // `from pkg import sub` names the module `pkg/sub.py` when there is one.
                if is_module_named(self.path_of(target), name) {
                    return Some(Entity::Module(target));
                }
                self.lookup(target, name, depth + 1, last)
            }
        }
    }

    /// One more segment of a path.
    fn step(&self, entity: Entity, seg: &str, depth: u32, last: bool) -> Option<Entity> {
        match entity {
            Entity::Module(file) => self.lookup(file, seg, depth + 1, last),
            Entity::Sym(s) => {
                let sym = self.symbol(s);
                if seg == "()" {
                    return match sym.kind {
                        k if k.is_type() => Some(Entity::Value(s)),
                        SymbolKind::Function | SymbolKind::Method => self.returns(s, depth + 1),
                        _ => None,
                    };
                }
                if is_callable(sym.kind) {
                    return None;
                }
                if sym.kind == SymbolKind::Module {
                    // A Ruby module's constants, wherever they are defined.
                    if self.language(s.file) == Some(Language::Ruby) {
                        let full = format!("{}.{seg}", key(&sym.name));
                        if let Some(&id) = self.ruby_constants.get(&full) {
                            return Some(Entity::Sym(id));
                        }
                        return self.method(s, seg, 0).map(Entity::Sym);
                    }
                    // An inline module: its items and what it imports.
                    return self.lookup_in(s.file, Some(s.symbol), seg, depth + 1, last);
                }
                let nested = format!("{}.{seg}", key(&sym.name));
                if let Some(&n) = self.files[s.file as usize].symbols.get(&nested) {
                    return Some(Entity::Sym(self.defined(SymId {
                        file: s.file,
                        symbol: n,
                    })));
                }
                self.method(s, seg, 0).map(Entity::Sym)
            }
            Entity::Value(t) => {
                if seg == "()" {
                    return None;
                }
                if let Some((place, ty)) = self.field(t, seg, 0) {
                    return self.type_of(place, ty, depth + 1);
                }
                self.method(t, seg, 0).map(Entity::Sym)
            }
        }
    }

    fn method(&self, t: SymId, name: &str, depth: u32) -> Option<SymId> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(&m) = self.methods.get(&t).and_then(|m| m.get(name)) {
            return Some(m);
        }
        self.parents
            .get(&t)?
            .iter()
            .find_map(|&p| self.method(p, name, depth + 1))
    }

    fn field(&self, t: SymId, name: &str, depth: u32) -> Option<(Place, &'a TypeHint)> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(&f) = self.fields.get(&t).and_then(|m| m.get(name)) {
            return Some(f);
        }
        self.parents
            .get(&t)?
            .iter()
            .find_map(|&p| self.field(p, name, depth + 1))
    }

    /// The value a type hint stands for.
    fn type_of(&self, place: Place, hint: &TypeHint, depth: u32) -> Option<Entity> {
        match hint {
            TypeHint::Written(written) => {
                let path = main_type(written, false)?;
                self.type_named(place, &path, depth)
            }
            TypeHint::Of(path) => {
                // A local bound to itself (`let x = x.next()`) reads the earlier one.
                let before = Place {
                    line: place.line.saturating_sub(1),
                    ..place
                };
                match self.eval(before, path, depth + 1)? {
                    Entity::Value(t) => Some(Entity::Value(t)),
                    _ => None,
                }
            }
        }
    }

    fn type_named(&self, place: Place, path: &[String], depth: u32) -> Option<Entity> {
        let t = match path {
            [s] if s == "Self" || s == "this" => self.owner_of(place)?,
            _ => match self.eval(
                Place {
                    scope: None,
                    ..place
                },
                path,
                depth + 1,
            )? {
                Entity::Sym(t) => t,
                _ => return None,
            },
        };
        self.symbol(t).kind.is_type().then_some(Entity::Value(t))
    }

    /// The value a function returns, from the return type its signature declares.
    fn returns(&self, f: SymId, depth: u32) -> Option<Entity> {
        let sym = self.symbol(f);
        let written = return_type(&sym.signature, self.language(f.file)?)?;
        let path = main_type(written, true)?;
        let place = Place {
            file: f.file,
            scope: Some(f.symbol),
            line: sym.start_line,
        };
        self.type_named(place, &path, depth)
    }
}

impl<'a> FileScope<'a> {
    fn new(file: &'a ParsedFile, parsed: &Parsed, index: &RepoIndex) -> Self {
        let facts = &file.facts;
        let symbols = facts
            .symbols
            .iter()
            .enumerate()
            .map(|(i, s)| (key(&s.name), i as u32))
            .collect();
        let targets = facts
            .bindings
            .iter()
            .map(|b| {
                let import = facts.imports.get(b.import as usize)?;
                let target = match (&import.spec, b.name.as_deref()) {
                    // `from m import a, b`: each name may be a module of its own.
                    (ImportSpec::Python { level, module, .. }, Some(name)) if name != "*" => {
                        let one = ImportSpec::Python {
                            level: *level,
                            module: module.clone(),
                            names: vec![name.to_string()],
                        };
                        resolve_import(Language::Python, &one, &file.path, index)
                    }
                    _ => import.target.clone(),
                }?;
                parsed
                    .files
                    .binary_search_by(|f| f.path.as_str().cmp(&target))
                    .ok()
                    .map(|i| i as u32)
            })
            .collect();
        let file_index = |path: &str| {
            parsed
                .files
                .binary_search_by(|f| f.path.as_str().cmp(path))
                .ok()
                .map(|i| i as u32)
        };
        let rust_uses = facts
            .bindings
            .iter()
            .map(|b| match &facts.imports.get(b.import as usize)?.spec {
                ImportSpec::RustUse(path) => {
                    let segs: Vec<String> = path.split("::").map(str::to_string).collect();
                    Some(
                        resolve_rust_path(&segs, &file.path, index)
                            .and_then(|(target, inner)| Some((file_index(&target)?, inner))),
                    )
                }
                _ => None,
            })
            .collect();
        let lines = file.lines.max(1) + 2;
        let mut innermost = vec![None; lines];
        let mut innermost_type = vec![None; lines];
        let mut innermost_module = vec![None; lines];
        // Larger symbols first, so nested ones paint over them.
        let mut order: Vec<u32> = (0..facts.symbols.len() as u32).collect();
        order.sort_by_key(|&i| {
            let s = &facts.symbols[i as usize];
            (
                std::cmp::Reverse(s.end_line - s.start_line),
                s.start_line,
                i,
            )
        });
        for i in order {
            let s = &facts.symbols[i as usize];
            let end = (s.end_line as usize).min(lines - 1);
            for line in (s.start_line as usize).min(end)..=end {
                innermost[line] = Some(i);
                if s.kind.is_type() {
                    innermost_type[line] = Some(i);
                }
                // An inline `mod x { … }`; `mod x;` only names a file. (Ruby's modules are
                // namespaces that see outward, read by `ruby_constant`.)
                let rust = file.language == Some(Language::Rust);
                if rust && s.kind == SymbolKind::Module && !s.signature.ends_with(';') {
                    innermost_module[line] = Some(i);
                }
            }
        }
        let mut bindings: HashMap<(Option<u32>, &str), Vec<usize>> = HashMap::new();
        let mut globs = Vec::new();
        for (i, b) in facts.bindings.iter().enumerate() {
            let line = facts.imports.get(b.import as usize).map_or(0, |im| im.line);
            let module = innermost_module.get(line as usize).copied().flatten();
            if b.local == "*" {
                globs.push((module, i));
            } else {
                bindings
                    .entry((module, b.local.as_str()))
                    .or_default()
                    .push(i);
            }
        }
        let mut locals: HashMap<(Option<u32>, &str), Vec<LocalAt>> = HashMap::new();
        for l in &facts.locals {
            let scope = innermost.get(l.line as usize).copied().flatten();
            locals
                .entry((scope, l.name.as_str()))
                .or_default()
                .push((l.line, l.ty.as_ref()));
        }
        FileScope {
            symbols,
            bindings,
            globs,
            targets,
            rust_uses,
            innermost,
            innermost_type,
            innermost_module,
            locals,
        }
    }

    fn at(&self, line: u32) -> Option<u32> {
        self.innermost.get(line as usize).copied().flatten()
    }

    fn type_at(&self, line: u32) -> Option<u32> {
        self.innermost_type.get(line as usize).copied().flatten()
    }

    fn module_at(&self, line: u32) -> Option<u32> {
        self.innermost_module.get(line as usize).copied().flatten()
    }

    /// The latest local of that name at or before `line` in `scope`: `Some(None)` when the
    /// local exists but the code gives it no type.
    fn local(&self, scope: Option<u32>, name: &str, line: u32) -> Option<Option<&'a TypeHint>> {
        self.locals.get(&(scope, name)).and_then(|list| {
            list.iter()
                .rev()
                .find(|(l, _)| *l <= line)
                .map(|(_, ty)| *ty)
        })
    }
}

/// Go files of one folder with the same package clause, and Java files of one package,
/// grouped (Go tests' `package x_test` is a package of its own).
fn package_groups(parsed: &Parsed) -> (Vec<Option<u32>>, Vec<Vec<u32>>) {
    let mut by_package: BTreeMap<(&str, &str), Vec<u32>> = BTreeMap::new();
    for (i, f) in parsed.files.iter().enumerate() {
        if f.facts.package.is_empty() {
            continue;
        }
        // A Java package spans source roots (`src/main/java`, `src/test/java`).
        let dir = match f.language {
            Some(Language::Go) => crate::parse::parent_dir(&f.path),
            Some(Language::Java | Language::CSharp | Language::Php) => "",
            _ => continue,
        };
        by_package
            .entry((dir, f.facts.package.as_str()))
            .or_default()
            .push(i as u32);
    }
    let mut group_of = vec![None; parsed.files.len()];
    let mut groups = Vec::new();
    for files in by_package.into_values().filter(|g| g.len() > 1) {
        for &f in &files {
            group_of[f as usize] = Some(groups.len() as u32);
        }
        groups.push(files);
    }
    (group_of, groups)
}

/// Whether a signature's parameter list takes `args` arguments: its parameters counted at the
/// top level of the first parentheses after the name (`<A, B>` and `(…)` inside not split); a
/// last parameter with `...` or `params` takes any number from there.
fn accepts(signature: &str, args: u32) -> bool {
    // Past a Java method's type parameters (`<T> T get(Class<T> c)`) to its parameter list.
    let Some(open) = signature.find('(') else {
        return false;
    };
    let Some(len) = balanced(&signature[open..], '(', ')') else {
        return false;
    };
    let inner = signature[open + 1..open + len - 1].trim();
    if inner.is_empty() {
        return args == 0;
    }
    let params = split_args(inner);
    let varargs = params
        .last()
        .is_some_and(|p| p.contains("...") || p.trim_start().starts_with("params "));
    let n = params.len() as u32;
    match varargs {
        true => args + 1 >= n,
        false => args == n,
    }
}

fn is_callable(kind: SymbolKind) -> bool {
    matches!(kind, SymbolKind::Function | SymbolKind::Method)
}

/// `pkg/sub.py` or `pkg/sub/__init__.py` is the module `sub`.
fn is_module_named(path: &str, name: &str) -> bool {
    let no_ext = path
        .trim_end_matches(".pyi")
        .trim_end_matches(".py")
        .trim_end_matches("/__init__");
    no_ext.rsplit('/').next() == Some(name)
}

/// The return type a signature declares, as written.
fn return_type(signature: &str, language: Language) -> Option<&str> {
    match language {
        Language::Rust => {
            let (_, ret) = signature.rsplit_once("->")?;
            Some(ret.split(" where ").next().unwrap_or(ret).trim())
        }
        Language::Python => Some(signature.rsplit_once("->")?.1.trim()),
        Language::Go => go_result(signature),
        Language::Java | Language::CSharp => java_result(signature),
        Language::C | Language::Cpp => c_result(signature),
        _ => {
            // After the parameter list's closing parenthesis: `f(a: A): B`.
            let open = signature.find('(')?;
            let mut depth = 0;
            for (i, c) in signature[open..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            let rest = signature[open + i + 1..].trim_start();
                            return rest.strip_prefix(':').map(str::trim);
                        }
                    }
                    _ => {}
                }
            }
            None
        }
    }
}

/// A Go function's result as written, its first value when there are several:
/// `func (s *S) F(a int) (*T, error)` -> `*T`.
fn go_result(signature: &str) -> Option<&str> {
    let mut s = signature.trim();
    s = s.strip_prefix("func").unwrap_or(s).trim_start();
    // The receiver, then the name and type parameters, then the parameters.
    if s.starts_with('(') {
        s = s[balanced(s, '(', ')')?..].trim_start();
    }
    let open = s.find('(')?;
    let type_params = s[..open].find('[');
    if let Some(tp) = type_params {
        let close = tp + balanced(&s[tp..], '[', ']')?;
        s = &s[close..];
        let open = s.find('(')?;
        s = &s[open..];
    } else {
        s = &s[open..];
    }
    let mut result = s[balanced(s, '(', ')')?..].trim();
    if result.starts_with('(') {
        let inner = &result[1..result.len().checked_sub(1)?];
        let first = split_args(inner).into_iter().next()?.trim();
        // Named results: `(n int, err error)`.
        result = first.rsplit_once(' ').map_or(first, |(_, t)| t).trim();
    }
    let result = result.trim_start_matches('*');
    (!result.is_empty()).then_some(result)
}

/// A Java method's return type as written: `public static <T> Foo<T> make(int x)` ->
/// `Foo<T>`; a constructor or `void` has none.
fn java_result(signature: &str) -> Option<&str> {
    let head = signature[..signature.find('(')?].trim_end();
    // The name is the last word; the type is what comes before it, after the modifiers,
    // annotations and type parameters.
    let (before, _name) = head.rsplit_once(char::is_whitespace)?;
    let mut rest = before.trim();
    loop {
        let start = rest;
        if rest.starts_with('@') {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = &rest[..end];
            rest = match word.find('(') {
                Some(open) => &rest[open + balanced(&rest[open..], '(', ')')?..],
                None => &rest[end..],
            }
            .trim_start();
        }
        if rest.starts_with('<') {
            rest = rest[balanced(rest, '<', '>')?..].trim_start();
        }
        for m in [
            "public ",
            "internal ",
            "virtual ",
            "override ",
            "sealed ",
            "async ",
            "readonly ",
            "extern ",
            "unsafe ",
            "new ",
            "partial ",
            "required ",
            "protected ",
            "private ",
            "static ",
            "final ",
            "abstract ",
            "synchronized ",
            "native ",
            "default ",
            "strictfp ",
        ] {
            rest = rest.strip_prefix(m).unwrap_or(rest).trim_start();
        }
        if rest == start {
            break;
        }
    }
    (!rest.is_empty() && rest != "void").then_some(rest)
}

/// A C function's return type as written, pointers, qualifiers and the tag keyword left out:
/// `static struct conn *conn_new(int fd)` -> `conn`.
fn c_result(signature: &str) -> Option<&str> {
    let head = signature[..signature.find('(')?].trim_end();
    let name_len = head
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum::<usize>();
    let mut t = head[..head.len() - name_len]
        .trim_end()
        .trim_end_matches('*')
        .trim();
    loop {
        let start = t;
        for w in [
            "static ",
            "inline ",
            "extern ",
            "const ",
            "struct ",
            "union ",
            "enum ",
            "volatile ",
            "__inline ",
            "__inline__ ",
        ] {
            t = t.strip_prefix(w).unwrap_or(t).trim_start();
        }
        t = t.trim_end_matches('*').trim_end();
        t = t.strip_suffix(" const").unwrap_or(t).trim_end();
        if t == start {
            break;
        }
    }
    let plain = !t.is_empty() && t.chars().all(|c| c.is_alphanumeric() || c == '_');
    (plain && t != "void").then_some(t)
}

/// The length of the bracketed group `s` starts with, brackets included.
fn balanced(s: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(i + 1);
            }
        }
    }
    None
}

/// The type whose methods a value of a written type answers to, as a path: references,
/// lifetimes and the wrappers that pass method calls through (`Box`, `Arc`, `Rc`; `Optional`
/// and `| null`, which code narrows before use) are looked through; for a return type also
/// `Result`, `Option` and `Promise` (`?` and `await` unwrap them). A collection (`Vec<T>`,
/// `list[T]`, `T[]`) is not its element.
pub(crate) fn main_type(written: &str, returned: bool) -> Option<Vec<String>> {
    let mut t = written
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .trim();
    if t.ends_with("[]") {
        return None;
    }
    loop {
        let before = t;
        // `&T` (Rust), `?T` (PHP's nullable).
        t = t.trim_start_matches(['&', '?']).trim();
        for prefix in ["mut ", "dyn ", "impl ", "readonly "] {
            t = t.strip_prefix(prefix).unwrap_or(t).trim();
        }
        if t.starts_with('\'') {
            t = t.split_once(' ').map(|(_, r)| r).unwrap_or("").trim();
        }
        // `Foo | null`, `Foo | None`, `None | Foo`.
        if t.contains('|') && !t.contains(['<', '[']) {
            let parts: Vec<&str> = t
                .split('|')
                .map(str::trim)
                .filter(|p| !matches!(*p, "null" | "undefined" | "None" | "void"))
                .collect();
            match parts.as_slice() {
                [one] => t = one,
                _ => return None,
            }
        }
        if let Some((outer, inner)) = generic(t) {
            let last = outer.rsplit([':', '.']).next().unwrap_or(outer);
            let passes = matches!(last, "Box" | "Arc" | "Rc" | "Optional" | "Pin")
                || (returned && matches!(last, "Result" | "Option" | "Promise" | "Awaitable"));
            if passes {
                // `Result<T, E>` answers as `T`.
                t = split_args(inner).into_iter().next()?.trim();
                continue;
            }
            // A collection is not its element; `Foo[int]` is a generic `Foo`.
            if matches!(
                last,
                "list"
                    | "dict"
                    | "set"
                    | "tuple"
                    | "frozenset"
                    | "type"
                    | "List"
                    | "Dict"
                    | "Set"
                    | "Tuple"
                    | "Type"
                    | "Sequence"
                    | "Iterable"
                    | "Iterator"
                    | "Mapping"
                    | "Callable"
            ) {
                return None;
            }
            t = outer;
        }
        if t == before {
            break;
        }
    }
    if t.ends_with(']') || t.is_empty() {
        return None;
    }
    let segs: Vec<String> = t
        .trim_start_matches('\\')
        .split("::")
        .flat_map(|s| s.split(['.', '\\']))
        .map(|s| s.trim().to_string())
        .collect();
    let valid = segs.iter().all(|s| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    });
    if !valid {
        return None;
    }
    match segs.first().map(String::as_str) {
        Some("crate" | "super" | "self") => {
            Some(std::iter::once("::".into()).chain(segs).collect())
        }
        _ => Some(segs),
    }
}

/// `Box<Foo>` -> (`Box`, `Foo`); `Optional[Foo]` -> (`Optional`, `Foo`).
fn generic(t: &str) -> Option<(&str, &str)> {
    let open = t.find(['<', '['])?;
    let close = if t.as_bytes()[open] == b'<' { '>' } else { ']' };
    let inner = t[open + 1..].strip_suffix(close)?;
    Some((t[..open].trim(), inner))
}

/// `A, B<C, D>` -> [`A`, `B<C, D>`].
fn split_args(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0i32, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '<' | '[' | '(' => depth += 1,
            '>' | ']' | ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cache::{CacheUse, MemoryCache};
    use crate::snapshot::SourceFile;

    /// Parses the files and resolves their references, as a build does.
    pub(crate) fn build(files: &[(&str, &str)]) -> (Parsed, References) {
        let snapshot = Snapshot {
            commit: String::new(),
            files: files
                .iter()
                .map(|(path, text)| SourceFile {
                    path: path.to_string(),
                    blob: format!("blob-{path}"),
                    language: Language::detect(path, text),
                    text: text.to_string(),
                    lines: text.lines().count(),
                    lossy: false,
                    redacted: false,
                })
                .collect(),
            skipped: vec![],
            bidi: Default::default(),
        };
        let mut snapshot = snapshot;
        snapshot.files.sort_by(|a, b| a.path.cmp(&b.path));
        let packages = crate::packages::read(&snapshot);
        let memory = MemoryCache::default();
        let (parsed, _) =
            crate::parse::parse_all(&snapshot, &packages, &CacheUse::new(&memory), false);
        let refs = resolve(&snapshot, &packages, &parsed);
        (parsed, refs)
    }

    /// `from -kind-> file::to`, one per resolved reference.
    pub(crate) fn edges(parsed: &Parsed, refs: &References) -> Vec<String> {
        let name = |id: SymId| {
            let f = &parsed.files[id.file as usize];
            format!("{}::{}", f.path, f.facts.symbols[id.symbol as usize].name)
        };
        refs.edges
            .iter()
            .map(|e| {
                let from = match e.from {
                    Some(id) => name(id),
                    None => format!("{}::<top>", parsed.files[e.file as usize].path),
                };
                format!("{from} -{:?}-> {}", e.kind, name(e.to))
            })
            .collect()
    }

    fn has(all: &[String], edge: &str) {
        assert!(all.iter().any(|e| e == edge), "missing {edge} in {all:#?}");
    }

    fn lacks(all: &[String], edge: &str) {
        assert!(!all.iter().any(|e| e == edge), "unexpected {edge}");
    }

    const RUST: &[(&str, &str)] = &[
        ("Cargo.toml", "[package]\nname = \"app\"\n"),
        (
            "src/main.rs",
            "mod flags;\nmod search;\nmod util;\nuse crate::search::Searcher;\n\nfn main() {\n    let args = flags::parse();\n    let mut s = Searcher::new(args.pattern());\n    s.run();\n    helper();\n    util::helper();\n    let w = make_walker();\n    w.visit();\n}\n\nfn helper() {}\n",
        ),
        (
            "src/flags.rs",
            "pub struct Args { pattern: String }\nimpl Args {\n    pub fn pattern(&self) -> String { self.pattern.clone() }\n}\npub fn parse() -> Args { Args { pattern: String::new() } }\n",
        ),
        (
            "src/search.rs",
            "use crate::util::Printer;\n\npub trait Sink { fn matched(&mut self); fn done(&self) {} }\n\npub struct Searcher {\n    printer: Printer,\n    sink: Box<dyn Sink>,\n}\n\nimpl Searcher {\n    pub fn new(p: String) -> Self {\n        Searcher { printer: Printer::default(), sink: todo!() }\n    }\n    pub fn run(&mut self) {\n        self.printer.print();\n        self.sink.matched();\n        self.step();\n        let other = Self::new(String::new());\n        other.step();\n    }\n    fn step(&self) {}\n}\n",
        ),
        (
            "src/util.rs",
            "#[derive(Default)]\npub struct Printer;\nimpl Printer {\n    pub fn print(&self) {}\n}\npub fn helper() {}\nimpl crate::search::Sink for Printer {\n    fn matched(&mut self) { self.print(); }\n}\n#[cfg(test)]\nmod tests { fn t() { super::helper(); } }\n",
        ),
    ];

    #[test]
    fn rust_calls_resolve_through_modules_imports_fields_and_return_types() {
        let (parsed, refs) = build(RUST);
        let all = edges(&parsed, &refs);
        for edge in [
            "src/main.rs::main -Call-> src/flags.rs::parse",
            "src/main.rs::main -Call-> src/search.rs::Searcher::new",
            "src/main.rs::main -Call-> src/flags.rs::Args::pattern",
            "src/main.rs::main -Call-> src/search.rs::Searcher::run",
            "src/main.rs::main -Call-> src/main.rs::helper",
            "src/main.rs::main -Call-> src/util.rs::helper",
            "src/search.rs::Searcher::run -Call-> src/util.rs::Printer::print",
            "src/search.rs::Searcher::run -Call-> src/search.rs::Sink::matched",
            "src/search.rs::Searcher::run -Call-> src/search.rs::Searcher::step",
            "src/search.rs::Searcher::run -Call-> src/search.rs::Searcher::new",
            "src/search.rs::Searcher::new -Create-> src/search.rs::Searcher",
            "src/search.rs::Searcher -TypeUse-> src/util.rs::Printer",
            "src/search.rs::Searcher -TypeUse-> src/search.rs::Sink",
            "src/flags.rs::parse -Create-> src/flags.rs::Args",
            "src/util.rs::Printer -Implements-> src/search.rs::Sink",
            "src/util.rs::Printer::matched -Call-> src/util.rs::Printer::print",
        ] {
            has(&all, edge);
        }
        // The same short name in two modules: the one the path says, never both.
        assert_eq!(
            all.iter().filter(|e| e.ends_with("::helper")).count(),
            2,
            "{all:#?}"
        );
        // An unknown callee (`make_walker` is defined nowhere) leaves its value unknown.
        assert!(all.iter().all(|e| !e.contains("visit")));
        // Test modules are not read.
        assert!(all.iter().all(|e| !e.contains("tests")));
        assert!(refs.stats.resolved >= 12, "{:?}", refs.stats);
        assert!(refs.stats.external >= 2, "{:?}", refs.stats);
    }

    const GO: &[(&str, &str)] = &[
        ("go.mod", "module example.com/app\n\ngo 1.22\n"),
        (
            "server.go",
            "package app\n\nimport (\n\t\"fmt\"\n\tst \"example.com/app/store\"\n)\n\ntype Server struct {\n\tdb *st.DB\n\tLogger\n}\n\nfunc NewServer() *Server {\n\treturn &Server{db: st.Open()}\n}\n\nfunc (s *Server) Run() error {\n\ts.db.Get(\"k\")\n\ts.log()\n\ts.Print()\n\thelper()\n\tfmt.Println(\"x\")\n\tDefault.Run()\n\tdb := st.Open()\n\tdb.Get(\"k\")\n\treturn nil\n}\n\nvar Default = NewServer()\n",
        ),
        (
            "util.go",
            "package app\n\ntype Logger struct{}\n\nfunc (l Logger) Print() {}\n\nfunc (s *Server) log() {}\n\nfunc helper() {}\n",
        ),
        (
            "store/db.go",
            "package store\n\ntype DB struct{}\n\nfunc Open() *DB { return &DB{} }\n\nfunc (d *DB) Get(k string) string { return k }\n",
        ),
        (
            "cmd/app/main.go",
            "package main\n\nimport \"example.com/app\"\n\nfunc main() {\n\tapp.NewServer().Run()\n}\n",
        ),
    ];

    #[test]
    fn go_calls_resolve_across_a_packages_files_imports_receivers_and_embedding() {
        let (parsed, refs) = build(GO);
        let all = edges(&parsed, &refs);
        for edge in [
            "server.go::NewServer -Create-> server.go::Server",
            "server.go::NewServer -Call-> store/db.go::Open",
            "server.go::Server.Run -Call-> store/db.go::DB.Get",
            // A method defined in another file of the package, through the receiver.
            "server.go::Server.Run -Call-> util.go::Server.log",
            // A method of an embedded type is the struct's own.
            "server.go::Server.Run -Call-> util.go::Logger.Print",
            "server.go::Server.Run -Call-> util.go::helper",
            // A package variable whose value shows its type.
            "server.go::Server.Run -Call-> server.go::Server.Run",
            "server.go::Server -TypeUse-> store/db.go::DB",
            "server.go::Server -Extends-> util.go::Logger",
            "cmd/app/main.go::main -Call-> server.go::NewServer",
            "cmd/app/main.go::main -Call-> server.go::Server.Run",
        ] {
            has(&all, edge);
        }
        // `s.db.Get` through the field, and `db := st.Open()` then `db.Get`: both resolved.
        let gets = all
            .iter()
            .filter(|e| *e == "server.go::Server.Run -Call-> store/db.go::DB.Get")
            .count();
        assert_eq!(gets, 2, "{all:#?}");
        // fmt is outside the repository.
        assert!(refs.stats.external >= 1, "{:?}", refs.stats);
        lacks(&all, "server.go::Server.Run -Call-> server.go::helper");
    }

    const JAVA: &[(&str, &str)] = &[
        (
            "src/main/java/com/ex/app/Server.java",
            "package com.ex.app;\n\nimport com.ex.store.*;\nimport com.ex.util.Log;\n\npublic class Server extends Base implements Runnable {\n    private final Db db = Db.open();\n    private Log log;\n\n    public void run() {\n        db.get(\"k\");\n        this.log.info();\n        helper();\n        Kind k = Kind.FAST;\n        var other = new Server();\n        other.helper();\n        shared();\n        Config c = new Config();\n        c.load();\n    }\n\n    private void helper() {}\n\n    enum Kind { FAST }\n}\n",
        ),
        (
            "src/main/java/com/ex/app/Base.java",
            "package com.ex.app;\n\nclass Base {\n    void shared() {}\n}\n",
        ),
        (
            "src/main/java/com/ex/app/Config.java",
            "package com.ex.app;\n\nclass Config {\n    void load() {}\n}\n",
        ),
        (
            "src/main/java/com/ex/store/Db.java",
            "package com.ex.store;\n\npublic class Db {\n    public static Db open() { return new Db(); }\n    public String get(String k) { return k; }\n}\n",
        ),
        (
            "src/main/java/com/ex/util/Log.java",
            "package com.ex.util;\n\npublic interface Log {\n    void info();\n}\n",
        ),
    ];

    #[test]
    fn java_calls_resolve_through_imports_packages_fields_and_inheritance() {
        let (parsed, refs) = build(JAVA);
        let all = edges(&parsed, &refs);
        let app = "src/main/java/com/ex/app";
        for edge in [
            format!("{app}/Server.java::Server -Extends-> {app}/Base.java::Base"),
            // `import com.ex.store.*` and a field's declared type.
            format!("{app}/Server.java::Server -Call-> src/main/java/com/ex/store/Db.java::Db.open"),
            format!("{app}/Server.java::Server.run -Call-> src/main/java/com/ex/store/Db.java::Db.get"),
            format!("{app}/Server.java::Server.run -Call-> src/main/java/com/ex/util/Log.java::Log.info"),
            // A bare call is the object's own method; an inherited one through the superclass.
            format!("{app}/Server.java::Server.run -Call-> {app}/Server.java::Server.helper"),
            format!("{app}/Server.java::Server.run -Call-> {app}/Base.java::Base.shared"),
            // A type of the same package without an import; a nested type by its own name.
            format!("{app}/Server.java::Server.run -Create-> {app}/Config.java::Config"),
            format!("{app}/Server.java::Server.run -Call-> {app}/Config.java::Config.load"),
            format!("{app}/Server.java::Server.run -TypeUse-> {app}/Server.java::Server.Kind"),
            format!("{app}/Server.java::Server.run -Create-> {app}/Server.java::Server"),
        ] {
            has(&all, &edge);
        }
        // `var other = new Server()` then `other.helper()`.
        let helpers = all
            .iter()
            .filter(|e| e.ends_with("-Call-> src/main/java/com/ex/app/Server.java::Server.helper"))
            .count();
        assert_eq!(helpers, 2, "{all:#?}");
    }

    const C: &[(&str, &str)] = &[
        (
            "include/store.h",
            "#ifndef STORE_H\n#define STORE_H\n#include \"util.h\"\ntypedef struct store store_t;\nstore_t *store_open(const char *path);\nvoid store_close(store_t *s);\n#endif\n",
        ),
        ("include/util.h", "int util_hash(const char *s);\n"),
        (
            "src/store.c",
            "#include \"store.h\"\nstruct store { int fd; };\nstatic int helper(void) { return util_hash(\"x\"); }\nstore_t *store_open(const char *path) { helper(); return 0; }\nvoid store_close(store_t *s) { }\n",
        ),
        ("src/util.c", "int util_hash(const char *s) { return 0; }\n"),
        (
            "src/main.c",
            "#include <store.h>\nstatic int helper(void) { return 1; }\nint main(void) { store_t *s = store_open(\"x\"); store_close(s); helper(); puts(\"x\"); return 0; }\n",
        ),
    ];

    #[test]
    fn c_calls_resolve_through_includes_to_the_definitions() {
        let (parsed, refs) = build(C);
        let all = edges(&parsed, &refs);
        for edge in [
            // The header's prototype stands for the one definition.
            "src/main.c::main -Call-> src/store.c::store_open",
            "src/main.c::main -Call-> src/store.c::store_close",
            // A header included by a header.
            "src/store.c::helper -Call-> src/util.c::util_hash",
            // `static` functions: each file its own.
            "src/main.c::main -Call-> src/main.c::helper",
            "src/store.c::store_open -Call-> src/store.c::helper",
            "src/main.c::main -TypeUse-> include/store.h::store_t",
        ] {
            has(&all, edge);
        }
        lacks(&all, "src/main.c::main -Call-> src/store.c::helper");
        // `puts` is the C library's.
        assert!(refs.stats.external >= 1, "{:?}", refs.stats);
    }

    const CPP: &[(&str, &str)] = &[
        (
            "CMakeLists.txt",
            "project(store)\nadd_executable(tool tools/main.cc)\ninclude_directories(include)\n",
        ),
        (
            "include/store/table.h",
            "#include <memory>\n#include \"store/block.h\"\nnamespace store {\nclass Status {\n public:\n  static Status OK();\n};\nclass Table {\n public:\n  Status Get(int k) const;\n  void Compact();\n private:\n  std::unique_ptr<Block> block_;\n};\n}  // namespace store\n",
        ),
        (
            "include/store/block.h",
            "namespace store {\nclass Block {\n public:\n  virtual void Seek(int k);\n};\nclass SortedBlock : public Block {\n public:\n  void Sort() {}\n};\n}\n",
        ),
        (
            "src/table.cc",
            "#include \"store/table.h\"\nnamespace store {\nStatus Status::OK() { return Status(); }\nStatus Table::Get(int k) const {\n  block_->Seek(k);\n  Compact();\n  return Status::OK();\n}\nvoid Table::Compact() {\n  SortedBlock b;\n  b.Sort();\n  b.Seek(1);\n}\n}\n",
        ),
        (
            "tools/main.cc",
            "#include \"store/table.h\"\nint main() {\n  store::Table t;\n  t.Get(1);\n  auto* u = new store::Table();\n  u->Compact();\n  return 0;\n}\n",
        ),
    ];

    #[test]
    fn cpp_calls_resolve_to_out_of_line_definitions_members_and_bases() {
        let (parsed, refs) = build(CPP);
        let all = edges(&parsed, &refs);
        for edge in [
            // The class declares, the source file defines: the call runs the definition.
            "tools/main.cc::main -Call-> src/table.cc::Table::Get",
            "tools/main.cc::main -Create-> include/store/table.h::Table",
            "tools/main.cc::main -Call-> src/table.cc::Table::Compact",
            // `this` is implicit: a method, and a field's type through `unique_ptr`.
            "src/table.cc::Table::Get -Call-> src/table.cc::Table::Compact",
            "src/table.cc::Table::Get -Call-> include/store/block.h::Block::Seek",
            "src/table.cc::Table::Get -Call-> src/table.cc::Status::OK",
            // A local's type, and a method its base class declares.
            "src/table.cc::Table::Compact -Call-> include/store/block.h::SortedBlock::Sort",
            "src/table.cc::Table::Compact -Call-> include/store/block.h::Block::Seek",
        ] {
            has(&all, edge);
        }
    }

    #[test]
    fn java_and_csharp_overloads_are_told_apart_by_their_arguments() {
        let java = "class Gson {\n    String toJson(Object src) { return toJson(src, null); }\n    String toJson(Object src, Object type) { return \"\"; }\n    void log(String... parts) {}\n    void run() {\n        toJson(1);\n        toJson(1, 2);\n        log(\"a\", \"b\", \"c\");\n    }\n}\n";
        let csharp = "class Json {\n    public string Write(object o) => Write(o, 2);\n    public string Write(object o, int indent) => \"\";\n}\n";
        let (parsed, refs) = build(&[("Gson.java", java), ("Json.cs", csharp)]);
        // (file, line of the call) -> line of the method it calls.
        let target = |file: &str, line: u32| {
            let f = parsed.files.iter().position(|x| x.path == file).unwrap() as u32;
            refs.edges
                .iter()
                .find(|e| e.file == f && e.line == line && e.kind == RefKind::Call)
                .map(|e| {
                    parsed.files[e.to.file as usize].facts.symbols[e.to.symbol as usize].start_line
                })
        };
        assert_eq!(
            target("Gson.java", 2),
            Some(3),
            "one argument calls the two-argument one"
        );
        assert_eq!(target("Gson.java", 6), Some(2));
        assert_eq!(target("Gson.java", 7), Some(3));
        assert_eq!(target("Gson.java", 8), Some(4), "varargs take three");
        assert_eq!(target("Json.cs", 2), Some(3));
    }

    const CSHARP: &[(&str, &str)] = &[
        (
            "src/App/Server.cs",
            "using Acme.Store;\nusing Acme.Util;\n\nnamespace Acme.App\n{\n    public class Server : Base\n    {\n        private readonly Db db = Db.Open();\n        public Log Log { get; set; }\n\n        public void Run()\n        {\n            db.Get(\"k\");\n            Log.Info();\n            Helper();\n            var c = new Config();\n            c.Load();\n            Shared();\n        }\n\n        private void Helper() { }\n    }\n}\n",
        ),
        (
            "src/App/Base.cs",
            "namespace Acme.App;\n\npublic class Base\n{\n    protected void Shared() { }\n}\n",
        ),
        (
            "src/App/Config.cs",
            "namespace Acme.App;\n\ninternal class Config\n{\n    public void Load() { }\n}\n",
        ),
        (
            "src/Store/Db.cs",
            "namespace Acme.Store;\n\npublic class Db\n{\n    public static Db Open() => new Db();\n    public string Get(string k) => k;\n}\n",
        ),
        (
            "src/Util/Log.cs",
            "namespace Acme.Util\n{\n    public interface Log { void Info(); }\n}\n",
        ),
    ];

    #[test]
    fn csharp_calls_resolve_through_usings_namespaces_properties_and_bases() {
        let (parsed, refs) = build(CSHARP);
        let all = edges(&parsed, &refs);
        for edge in [
            "src/App/Server.cs::Server -Extends-> src/App/Base.cs::Base",
            "src/App/Server.cs::Server -Call-> src/Store/Db.cs::Db.Open",
            "src/App/Server.cs::Server.Run -Call-> src/Store/Db.cs::Db.Get",
            // A property's declared type.
            "src/App/Server.cs::Server.Run -Call-> src/Util/Log.cs::Log.Info",
            "src/App/Server.cs::Server.Run -Call-> src/App/Server.cs::Server.Helper",
            // A type of the same namespace, another file, no `using`.
            "src/App/Server.cs::Server.Run -Create-> src/App/Config.cs::Config",
            "src/App/Server.cs::Server.Run -Call-> src/App/Config.cs::Config.Load",
            "src/App/Server.cs::Server.Run -Call-> src/App/Base.cs::Base.Shared",
        ] {
            has(&all, edge);
        }
    }

    const RUBY: &[(&str, &str)] = &[
        (
            "lib/kv.rb",
            "require \"kv/store\"\n\nmodule Kv\n  def self.open(path)\n    Store.new(path)\n  end\nend\n",
        ),
        (
            "lib/kv/store.rb",
            "require_relative \"disk\"\n\nmodule Kv\n  class Store\n    include Helpers\n\n    def initialize(path)\n      @disk = Disk.new(path)\n    end\n\n    def put(key)\n      @disk.write(key)\n      touch(key)\n      trim(key)\n    end\n\n    private\n\n    def touch(key); end\n  end\nend\n",
        ),
        (
            "lib/kv/disk.rb",
            "module Kv\n  class Disk\n    def write(key); end\n  end\n\n  module Helpers\n    def trim(key); end\n  end\nend\n",
        ),
    ];

    #[test]
    fn ruby_calls_resolve_through_constants_instance_variables_and_mixins() {
        let (parsed, refs) = build(RUBY);
        let all = edges(&parsed, &refs);
        for edge in [
            // A constant of the namespace around, defined in another file.
            "lib/kv.rb::Kv::open -Create-> lib/kv/store.rb::Kv::Store",
            "lib/kv/store.rb::Kv::Store::initialize -Create-> lib/kv/disk.rb::Kv::Disk",
            // An instance variable's value, set in `initialize`.
            "lib/kv/store.rb::Kv::Store::put -Call-> lib/kv/disk.rb::Kv::Disk::write",
            "lib/kv/store.rb::Kv::Store::put -Call-> lib/kv/store.rb::Kv::Store::touch",
            // A method a mixin brings.
            "lib/kv/store.rb::Kv::Store::put -Call-> lib/kv/disk.rb::Kv::Helpers::trim",
        ] {
            has(&all, edge);
        }
    }

    const PHP: &[(&str, &str)] = &[
        (
            "composer.json",
            "{\"name\": \"acme/kv\", \"autoload\": {\"psr-4\": {\"Acme\\\\Kv\\\\\": \"src/\"}}}",
        ),
        (
            "src/Store.php",
            "<?php\nnamespace Acme\\Kv;\n\nuse Acme\\Kv\\Util\\Strings;\n\nclass Store extends Base\n{\n    public function __construct(private Disk $disk) {}\n\n    public function put(string $key): static\n    {\n        $s = new Strings();\n        $s->trim($key);\n        $this->disk->write($key);\n        self::helper();\n        $this->shared();\n        return $this;\n    }\n\n    private static function helper(): void {}\n}\n",
        ),
        (
            "src/Base.php",
            "<?php\nnamespace Acme\\Kv;\n\nclass Base\n{\n    protected function shared(): void {}\n}\n",
        ),
        (
            "src/Disk.php",
            "<?php\nnamespace Acme\\Kv;\n\nclass Disk\n{\n    public function write(string $k): void {}\n}\n",
        ),
        (
            "src/Util/Strings.php",
            "<?php\nnamespace Acme\\Kv\\Util;\n\nfinal class Strings\n{\n    public function trim(string $s): string { return $s; }\n}\n",
        ),
    ];

    #[test]
    fn php_calls_resolve_through_uses_namespaces_and_promoted_properties() {
        let (parsed, refs) = build(PHP);
        let all = edges(&parsed, &refs);
        for edge in [
            "src/Store.php::Store -Extends-> src/Base.php::Base",
            "src/Store.php::Store::put -Create-> src/Util/Strings.php::Strings",
            "src/Store.php::Store::put -Call-> src/Util/Strings.php::Strings::trim",
            // A promoted constructor parameter is a property; `Disk` is of the same namespace.
            "src/Store.php::Store::put -Call-> src/Disk.php::Disk::write",
            "src/Store.php::Store::put -Call-> src/Store.php::Store::helper",
            "src/Store.php::Store::put -Call-> src/Base.php::Base::shared",
        ] {
            has(&all, edge);
        }
    }

    /// A crate root a manifest declares outside `src/`, and a module beside a function of the
    /// same name (Rust keeps modules and values apart).
    #[test]
    fn rust_crate_roots_outside_src_and_names_in_two_namespaces() {
        let (parsed, refs) = build(&[
            (
                "Cargo.toml",
                "[package]\nname = \"rg\"\n\n[[bin]]\nname = \"rg\"\npath = \"crates/core/main.rs\"\n",
            ),
            (
                "crates/core/main.rs",
                "mod flags;\n\nfn main() {\n    flags::parse();\n    flags::parse::low();\n}\n",
            ),
            (
                "crates/core/flags/mod.rs",
                "mod parse;\n\npub(crate) use crate::flags::parse::parse;\n",
            ),
            (
                "crates/core/flags/parse.rs",
                "pub(crate) fn parse() {}\npub(crate) fn low() {}\n",
            ),
        ]);
        let all = edges(&parsed, &refs);
        has(
            &all,
            "crates/core/main.rs::main -Call-> crates/core/flags/parse.rs::parse",
        );
        has(
            &all,
            "crates/core/main.rs::main -Call-> crates/core/flags/parse.rs::low",
        );
    }

    /// A `use` inside an inline module binds its name there only (tokio's `loom/std/mod.rs`
    /// imports `std`'s `AtomicU32` in one module and re-exports its own in another).
    #[test]
    fn rust_inline_modules_keep_their_imports_to_themselves() {
        let (parsed, refs) = build(&[
            ("Cargo.toml", "[package]\nname = \"app\"\n"),
            (
                "src/lib.rs",
                "mod atomic_u32;\n\npub(crate) mod sync {\n    pub(crate) use crate::atomic_u32::AtomicU32;\n}\n\npub(crate) mod rand {\n    use std::sync::atomic::AtomicU32;\n\n    pub(crate) fn seed() -> u32 {\n        let _c = AtomicU32::new(1);\n        0\n    }\n}\n\npub fn f() {\n    rand::seed();\n    sync::AtomicU32::new(2);\n}\n",
            ),
            (
                "src/atomic_u32.rs",
                "pub struct AtomicU32;\n\nimpl AtomicU32 {\n    pub fn new(_v: u32) -> Self {\n        AtomicU32\n    }\n}\n",
            ),
        ]);
        let all = edges(&parsed, &refs);
        has(&all, "src/lib.rs::f -Call-> src/lib.rs::rand::seed");
        has(
            &all,
            "src/lib.rs::f -Call-> src/atomic_u32.rs::AtomicU32::new",
        );
        lacks(
            &all,
            "src/lib.rs::rand::seed -Call-> src/atomic_u32.rs::AtomicU32::new",
        );
    }

    const PYTHON: &[(&str, &str)] = &[
        ("app/__init__.py", "from .core import App\n"),
        (
            "app/core.py",
            "from .store import Store\nfrom . import util\n\nclass Base:\n    def save(self):\n        pass\n\nclass App(Base):\n    store: Store\n\n    def __init__(self):\n        self.cache = util.Cache()\n\n    def run(self, name: str) -> \"Result\":\n        self.store.get(name)\n        self.cache.clear()\n        self.save()\n        super().save()\n        r = Result()\n        r.show()\n        return helper()\n\nclass Result:\n    def show(self):\n        pass\n\ndef helper():\n    pass\n",
        ),
        (
            "app/store.py",
            "class Store:\n    def get(self, key):\n        pass\n\ndef helper():\n    pass\n",
        ),
        ("app/util.py", "class Cache:\n    def clear(self):\n        pass\n"),
        (
            "main.py",
            "from app import App\nimport app.util\n\ndef main():\n    a = App()\n    a.run(\"x\")\n    app.util.Cache().clear()\n    unknown.thing()\n    a.run(\"y\").show()\n\nif __name__ == \"__main__\":\n    main()\n",
        ),
    ];

    #[test]
    fn python_calls_resolve_through_imports_self_fields_and_bases() {
        let (parsed, refs) = build(PYTHON);
        let all = edges(&parsed, &refs);
        for edge in [
            "main.py::main -Create-> app/core.py::App",
            "main.py::main -Call-> app/core.py::App.run",
            "main.py::main -Create-> app/util.py::Cache",
            "main.py::main -Call-> app/util.py::Cache.clear",
            "main.py::main -Call-> app/core.py::Result.show",
            "main.py::<top> -Call-> main.py::main",
            "app/core.py::App.__init__ -Create-> app/util.py::Cache",
            "app/core.py::App.run -Call-> app/store.py::Store.get",
            "app/core.py::App.run -Call-> app/util.py::Cache.clear",
            "app/core.py::App.run -Call-> app/core.py::Base.save",
            "app/core.py::App.run -Create-> app/core.py::Result",
            "app/core.py::App.run -Call-> app/core.py::Result.show",
            "app/core.py::App.run -Call-> app/core.py::helper",
            "app/core.py::App -Extends-> app/core.py::Base",
            "app/core.py::App -TypeUse-> app/store.py::Store",
        ] {
            has(&all, edge);
        }
        lacks(&all, "app/core.py::App.run -Call-> app/store.py::helper");
        assert_eq!(refs.stats.external, 1, "unknown.thing: {:?}", refs.stats);
    }

    const TS: &[(&str, &str)] = &[
        (
            "src/index.ts",
            "export { Client } from './client';\nexport { default as make } from './make';\n",
        ),
        (
            "src/client.ts",
            "import { Transport } from './transport';\nimport * as util from './util';\n\nexport interface Sender { send(x: string): void }\n\nexport class Client implements Sender {\n  private transport: Transport;\n  constructor(private readonly opts: Options) {\n    this.transport = new Transport();\n  }\n  send(x: string): void {\n    this.transport.post(x);\n    util.log(x);\n    this.retry();\n  }\n  retry() {\n    const t = new Transport();\n    t.post('again');\n  }\n}\n\nexport interface Options { url: string }\n",
        ),
        (
            "src/transport.ts",
            "export class Transport {\n  post(x: string) { return log(x); }\n}\nfunction log(x: string) {}\n",
        ),
        ("src/util.ts", "export function log(x: string) {}\n"),
        (
            "src/make.ts",
            "import { Client } from './index';\nexport default function make(): Client {\n  return new Client({ url: '' });\n}\n",
        ),
        (
            "src/main.ts",
            "import make from './make';\nconst c = make();\nc.send('x');\n",
        ),
    ];

    #[test]
    fn typescript_calls_resolve_through_imports_this_fields_and_defaults() {
        let (parsed, refs) = build(TS);
        let all = edges(&parsed, &refs);
        for edge in [
            "src/client.ts::Client.constructor -Create-> src/transport.ts::Transport",
            "src/client.ts::Client.send -Call-> src/transport.ts::Transport.post",
            "src/client.ts::Client.send -Call-> src/util.ts::log",
            "src/client.ts::Client.send -Call-> src/client.ts::Client.retry",
            "src/client.ts::Client.retry -Create-> src/transport.ts::Transport",
            "src/client.ts::Client.retry -Call-> src/transport.ts::Transport.post",
            "src/client.ts::Client -Implements-> src/client.ts::Sender",
            "src/client.ts::Client.constructor -TypeUse-> src/client.ts::Options",
            "src/make.ts::make -Create-> src/client.ts::Client",
            "src/make.ts::make -TypeUse-> src/client.ts::Client",
            "src/main.ts::<top> -Call-> src/make.ts::make",
            "src/main.ts::<top> -Call-> src/client.ts::Client.send",
        ] {
            has(&all, edge);
        }
        lacks(
            &all,
            "src/client.ts::Client.send -Call-> src/transport.ts::log",
        );
    }

    #[test]
    fn main_types_look_through_references_and_pointers_not_collections() {
        let p = |s: &str, r| main_type(s, r).map(|v| v.join("/"));
        assert_eq!(p("&'a mut Walker<'a>", false).as_deref(), Some("Walker"));
        assert_eq!(p("Arc<Mutex<Inner>>", false).as_deref(), Some("Mutex"));
        assert_eq!(
            p("Box<dyn crate::a::Sink>", false).as_deref(),
            Some("::/crate/a/Sink")
        );
        assert_eq!(p("io::Result<Self>", true).as_deref(), Some("Self"));
        assert_eq!(p("Result<Foo, Error>", false).as_deref(), Some("Result"));
        assert_eq!(p("Optional[Store]", false).as_deref(), Some("Store"));
        assert_eq!(p("Store | None", false).as_deref(), Some("Store"));
        assert_eq!(p("Promise<Response>", true).as_deref(), Some("Response"));
        assert_eq!(p("Vec<Matcher>", false).as_deref(), Some("Vec"));
        assert_eq!(p("list[Store]", false), None);
        assert_eq!(p("Store[]", false), None);
        assert_eq!(p("'\"Result\"'", false).as_deref(), Some("Result"));
    }
}
