//! Stage 3: symbols, module docs and imports of every source file, parsed with tree-sitter on
//! rayon (one parser per worker and language), imports then resolved to files of the repo.
//!
//! Front-ends walk the syntax tree directly instead of running queries, so there is nothing to
//! compile per language; `every_language_loads` checks each grammar links and parses.

mod c;
mod cpp;
mod csharp;
mod ecmascript;
mod go;
mod java;
mod php;
mod python;
mod ruby;
mod rust;

use std::collections::{BTreeMap, BTreeSet};

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tree_sitter::{Node, Parser};

use crate::cache::{CacheUse, Space};
use crate::packages::{Ecosystem, Packages};
use crate::snapshot::{is_code_kind, kind_label, Language, Snapshot, SourceFile};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SymbolKind {
    Function,
    Method,
    Struct,
    Enum,
    Union,
    Trait,
    Class,
    Interface,
    Type,
    Const,
    Static,
    Module,
    Macro,
    /// A package-level variable (Go's `var`).
    Variable,
}

impl SymbolKind {
    pub fn name(self) -> &'static str {
        match self {
            SymbolKind::Function => "function",
            SymbolKind::Method => "method",
            SymbolKind::Struct => "struct",
            SymbolKind::Enum => "enum",
            SymbolKind::Union => "union",
            SymbolKind::Trait => "trait",
            SymbolKind::Class => "class",
            SymbolKind::Interface => "interface",
            SymbolKind::Type => "type",
            SymbolKind::Const => "const",
            SymbolKind::Static => "static",
            SymbolKind::Module => "module",
            SymbolKind::Macro => "macro",
            SymbolKind::Variable => "var",
        }
    }

    /// Types and traits say more about a part's design than its helpers do.
    pub fn is_type(self) -> bool {
        matches!(
            self,
            SymbolKind::Struct
                | SymbolKind::Enum
                | SymbolKind::Union
                | SymbolKind::Trait
                | SymbolKind::Class
                | SymbolKind::Interface
                | SymbolKind::Type
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Symbol {
    pub kind: SymbolKind,
    /// Qualified within the file: `Type::method`, `Class.method`.
    pub name: String,
    pub signature: String,
    pub doc: String,
    /// 1-based, inclusive.
    pub start_line: u32,
    pub end_line: u32,
    pub public: bool,
}

impl Symbol {
    /// The last segment of the name, which is how other files refer to it.
    pub fn short_name(&self) -> &str {
        self.name.rsplit([':', '.']).next().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportSpec {
    /// `mod name;`
    RustMod(String),
    /// A `use` path, braces expanded: `crate::a::b`.
    RustUse(String),
    /// `import a.b` (level 0, names empty) or `from ..a import b, c`.
    Python {
        level: usize,
        module: String,
        names: Vec<String>,
    },
    /// The module specifier of `import`/`export … from`/`require()`/`import()`.
    Js(String),
    /// A Go import path: `github.com/a/b/store`.
    Go(String),
    /// A Java import: `a.b.C`, `a.b.*`, `a.b.C.member` (static).
    Java { path: String, is_static: bool },
    /// `#include "a/b.h"` (`system`: `#include <a/b.h>`).
    Include { path: String, system: bool },
    /// A PHP `use A\\B\\C` (with its alias).
    PhpUse { path: String, alias: Option<String> },
    /// A PHP `require`/`include` of a literal path, relative to the file.
    PhpInclude(String),
    /// Ruby's `require "a/b"` (`relative`: `require_relative`).
    Require { path: String, relative: bool },
    /// A C# `using A.B;`, `using static A.B.C;`, `using X = A.B.C;`.
    Using {
        path: String,
        is_static: bool,
        alias: Option<String>,
    },
}

impl ImportSpec {
    pub fn display(&self) -> String {
        match self {
            ImportSpec::RustMod(m) => format!("mod {m}"),
            ImportSpec::RustUse(p) => format!("use {p}"),
            ImportSpec::Python {
                level,
                module,
                names,
            } => {
                let dots = ".".repeat(*level);
                if names.is_empty() {
                    format!("import {dots}{module}")
                } else {
                    format!("from {dots}{module} import {}", names.join(", "))
                }
            }
            ImportSpec::Js(s) | ImportSpec::Go(s) => format!("import \"{s}\""),
            ImportSpec::PhpUse { path, alias } => match alias {
                Some(a) => format!("use {path} as {a}"),
                None => format!("use {path}"),
            },
            ImportSpec::PhpInclude(path) => format!("require \"{path}\""),
            ImportSpec::Require { path, relative } => match relative {
                true => format!("require_relative \"{path}\""),
                false => format!("require \"{path}\""),
            },
            ImportSpec::Using {
                path,
                is_static,
                alias,
            } => match (is_static, alias) {
                (true, _) => format!("using static {path}"),
                (false, Some(a)) => format!("using {a} = {path}"),
                (false, None) => format!("using {path}"),
            },
            ImportSpec::Include { path, system } => match system {
                true => format!("#include <{path}>"),
                false => format!("#include \"{path}\""),
            },
            ImportSpec::Java { path, is_static } => match is_static {
                true => format!("import static {path}"),
                false => format!("import {path}"),
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Import {
    pub spec: ImportSpec,
    pub line: u32,
    /// The file of the repository it resolves to, when it does.
    pub target: Option<String>,
}

/// What a front-end extracts from one file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileFacts {
    pub symbols: Vec<Symbol>,
    pub imports: Vec<Import>,
    pub module_doc: String,
    /// Every identifier the file mentions (sorted, unique): how we tell what uses a symbol.
    pub identifiers: Vec<String>,
    /// Branching nodes (conditions, loops, match arms, catches): a measure of complexity.
    #[serde(default)]
    pub branches: u32,
    /// Calls, creations, type uses and implements/extends, as written (see `references`).
    #[serde(default)]
    pub refs: Vec<RawRef>,
    /// Parameters and local variables whose type the code states or shows.
    #[serde(default)]
    pub locals: Vec<Local>,
    /// Fields of the file's types with the type the code gives them.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// The names the file's imports bring into scope.
    #[serde(default)]
    pub bindings: Vec<Binding>,
    /// The local name a JavaScript module exports as its default.
    #[serde(default)]
    pub default_export: Option<String>,
    /// The package the file declares (Go's package clause): files of one folder with the same
    /// package see each other's names without an import. For C++, the namespaces the file
    /// opens, space-separated.
    #[serde(default)]
    pub package: String,
    /// How many arguments each call passes, where overloads are told apart by it (Java, C#):
    /// (line, method name, arguments).
    #[serde(default)]
    pub call_args: Vec<(u32, String, u32)>,
}

/// What a reference does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RefKind {
    /// `f()`, `x.m()`, `Type::f()`.
    Call,
    /// `new X()`, `X { .. }`, `X()` of a class.
    Create,
    /// A type named in an annotation, a field, a parameter or a return type.
    TypeUse,
    /// `impl Trait for Type`, `class C implements I`.
    Implements,
    /// `class C(Base)`, `class C extends B`, `trait A: B`, `interface I extends J`.
    Extends,
}

/// A name used by the code, as written, split into segments: `flags::parse()` is
/// `["flags", "parse"]`, `self.walker.next()` is `["self", "walker", "next"]`. Two segments are
/// markers: `"()"` is the value a call returns, `"?"` a value the code does not name, and a
/// leading `"::"` marks a Rust module path (`crate::`, `super::`, `self::`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawRef {
    pub kind: RefKind,
    pub path: Vec<String>,
    pub line: u32,
    /// For implements/extends, the type that implements or extends, as written; any other
    /// reference belongs to the innermost symbol around its line.
    #[serde(default)]
    pub subject: Vec<String>,
}

/// The type the code gives a name: written out, or shown by the value it is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypeHint {
    /// An annotation as written: `&mut Walker<'a>`, `Optional[Store]`, `Foo | null`.
    Written(String),
    /// The value of an expression path (see `RawRef::path`): `Foo::new()`, `Foo()`, `other`.
    Of(Vec<String>),
}

/// A parameter or local variable; it belongs to the innermost symbol around its line, and a
/// later one of the same name there shadows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Local {
    pub name: String,
    pub ty: Option<TypeHint>,
    pub line: u32,
}

/// A field; it belongs to the innermost type around its line (`self.x = …` in a method
/// belongs to the method's class).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub ty: Option<TypeHint>,
    pub line: u32,
}

/// A name an import brings into scope: `local` as the file uses it; `name` as the imported
/// module calls it (`None`: the module itself; `"*"`: everything the module has).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub local: String,
    pub import: u32,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParsedFile {
    pub path: String,
    pub blob: String,
    pub language: Option<Language>,
    /// What kind of file it is (see `snapshot::kind_label`).
    pub kind: &'static str,
    pub lines: usize,
    pub facts: FileFacts,
    /// Set when the parser reported syntax errors (the symbols found are still kept).
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// One per snapshot file, sorted by path.
    pub files: Vec<ParsedFile>,
}

impl Parsed {
    /// Drops what only the references stage reads (calls, locals, fields, bindings as written):
    /// most of what the parse holds, freed once references are resolved.
    pub fn shed_references(&mut self) {
        for f in &mut self.files {
            f.facts.refs = Vec::new();
            f.facts.locals = Vec::new();
            f.facts.fields = Vec::new();
            f.facts.bindings = Vec::new();
        }
    }

    pub fn get(&self, path: &str) -> Option<&ParsedFile> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }

    /// Files parsed by a front-end.
    pub fn code_files(&self) -> usize {
        self.files.iter().filter(|f| f.language.is_some()).count()
    }
}

impl ParsedFile {
    /// Program code, whether or not a front-end read it.
    pub fn is_code(&self) -> bool {
        self.language.is_some() || is_code_kind(self.kind)
    }
}

/// One tree-sitter parser per language, created on first use by each rayon worker.
#[derive(Default)]
struct Parsers {
    by_language: BTreeMap<Language, Parser>,
}

impl Parsers {
    fn get(&mut self, language: Language) -> &mut Parser {
        self.by_language.entry(language).or_insert_with(|| {
            let mut parser = Parser::new();
            parser
                .set_language(&grammar(language))
                .expect("the grammar crates are built against this tree-sitter version");
            parser
        })
    }
}

pub(crate) fn grammar(language: Language) -> tree_sitter::Language {
    match language {
        Language::Rust => tree_sitter_rust::LANGUAGE.into(),
        Language::Python => tree_sitter_python::LANGUAGE.into(),
        Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        Language::Go => tree_sitter_go::LANGUAGE.into(),
        Language::Java => tree_sitter_java::LANGUAGE.into(),
        Language::C => tree_sitter_c::LANGUAGE.into(),
        Language::Cpp => tree_sitter_cpp::LANGUAGE.into(),
        Language::CSharp => tree_sitter_c_sharp::LANGUAGE.into(),
        Language::Ruby => tree_sitter_ruby::LANGUAGE.into(),
        Language::Php => tree_sitter_php::LANGUAGE_PHP.into(),
    }
}

/// Bumped whenever a front-end extracts something new, so cached parse results are redone.
pub(crate) const FRONT_END_VERSION: u32 = 17;

/// Parses every file of the snapshot (a blob parsed by an earlier build comes from the cache)
/// and resolves imports against the snapshot's paths. Returns how many files were parsed now.
/// With `views` (an HTML site), the colours of the source view of each file parsed now are
/// worked out from its tree and kept in the cache.
pub fn parse_all(
    snapshot: &Snapshot,
    packages: &Packages,
    cache: &CacheUse,
    views: bool,
) -> (Parsed, usize) {
    let rules = crate::secrets::fingerprint();
    let parsed_now = AtomicUsize::new(0);
    let mut files: Vec<ParsedFile> = snapshot
        .files
        .par_iter()
        .map_init(Parsers::default, |parsers, file| {
            let Some(language) = file.language else {
                return parse_file(parsers, file);
            };
            // The facts hold the file's text (docs, names) as redacted under the secret rules
            // of the build that parsed it: other rules (a new model key), another entry.
            let key = format!("{language:?}:{}:v{FRONT_END_VERSION}:{rules}", file.blob);
            if let Some(cached) = cache.get::<CachedParse>(Space::Parse, &key) {
                return ParsedFile {
                    path: file.path.clone(),
                    blob: file.blob.clone(),
                    language: file.language,
                    kind: kind_label(&file.path, &file.text),
                    lines: file.lines,
                    facts: cached.facts,
                    note: cached.note,
                };
            }
            let (parsed, tree) = parse_file_keeping_tree(parsers, file);
            // The file's page colours its text with the same grammar: from this tree, so that
            // the page need not parse the file again.
            if views {
                let colours = crate::site::highlight::colours(language, &file.text, tree.as_ref());
                drop(tree);
                crate::site::highlight::keep_colours(
                    cache,
                    language,
                    &file.text,
                    colours.as_deref(),
                );
            }
            parsed_now.fetch_add(1, Ordering::Relaxed);
            cache.put(
                Space::Parse,
                &key,
                &CachedParse {
                    facts: parsed.facts.clone(),
                    note: parsed.note.clone(),
                },
            );
            parsed
        })
        .collect();
    let index = RepoIndex::new(snapshot, packages);
    files.par_iter_mut().for_each(|f| {
        let Some(language) = f.language else { return };
        for import in &mut f.facts.imports {
            import.target = resolve_import(language, &import.spec, &f.path, &index);
        }
    });
    imports_name_whole_packages(&mut files);
    (Parsed { files }, parsed_now.into_inner())
}

/// A Go import, and a Java `import a.b.*`, names a package, every file of it: the import
/// resolved to one of them (the one bindings go through) is followed by one import of each of
/// the others, on the same line. (A file page lists the import once; "imported by" and the
/// import graph see every file.) Tests are no part of the package they test.
fn imports_name_whole_packages(files: &mut [ParsedFile]) {
    let mut packages: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    let mut package_of: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for f in files.iter() {
        let key = match f.language {
            Some(Language::Go) if !f.path.ends_with("_test.go") => {
                (parent_dir(&f.path), f.facts.package.as_str())
            }
            Some(Language::Java) if !f.path.contains("/test/") && !f.facts.package.is_empty() => {
                ("", f.facts.package.as_str())
            }
            Some(Language::CSharp) if !f.facts.package.is_empty() => {
                ("#", f.facts.package.as_str())
            }
            _ => continue,
        };
        packages.entry(key).or_default().push(f.path.clone());
        package_of.insert(&f.path, key);
    }
    let extra: Vec<Vec<Import>> = files
        .iter()
        .map(|f| {
            let mut more = Vec::new();
            for import in &f.facts.imports {
                let whole = match &import.spec {
                    ImportSpec::Go(_) => true,
                    ImportSpec::Java { path, is_static } => !is_static && path.ends_with(".*"),
                    ImportSpec::Using {
                        is_static, alias, ..
                    } => !is_static && alias.is_none(),
                    _ => false,
                };
                let Some(target) = import.target.as_deref().filter(|_| whole) else {
                    continue;
                };
                let mates = package_of.get(target).and_then(|k| packages.get(k));
                for mate in mates.into_iter().flatten() {
                    if mate != target && *mate != f.path {
                        more.push(Import {
                            spec: import.spec.clone(),
                            line: import.line,
                            target: Some(mate.clone()),
                        });
                    }
                }
            }
            more
        })
        .collect();
    for (f, more) in files.iter_mut().zip(extra) {
        f.facts.imports.extend(more);
    }
}

/// The file of the repository an import names, when it names one.
pub(crate) fn resolve_import(
    language: Language,
    spec: &ImportSpec,
    from: &str,
    index: &RepoIndex,
) -> Option<String> {
    match language {
        Language::Rust => rust::resolve(spec, from, index),
        Language::Python => python::resolve(spec, from, index),
        Language::Go => go::resolve(spec, from, index),
        Language::Java => java::resolve(spec, from, index),
        Language::C | Language::Cpp => c::resolve(spec, from, index),
        Language::CSharp => csharp::resolve(spec, from, index),
        Language::Ruby => ruby::resolve(spec, from, index),
        Language::Php => php::resolve(spec, from, index),
        _ => ecmascript::resolve(spec, from, index),
    }
    .filter(|t| t != from)
}

/// A Rust path of items from the file `from`: the file of the deepest module it names and the
/// segments left inside that file (see `rust::resolve_path`).
pub(crate) fn resolve_rust_path(
    path: &[String],
    from: &str,
    index: &RepoIndex,
) -> Option<(String, Vec<String>)> {
    rust::resolve_path(&path.join("::"), from, index)
}

/// The module path a `go.mod` declares.
pub(crate) fn go_module_path(go_mod: &str) -> Option<String> {
    go::module_path(go_mod)
}

/// composer.json's PSR-4 prefixes and their folders.
pub(crate) fn php_psr4(dir: &str, composer: &str) -> Vec<(String, String)> {
    php::psr4(dir, composer)
}

/// The name a Go package is used by when imported without one.
pub(crate) fn go_package_name(import_path: &str) -> &str {
    go::package_name_of(import_path)
}

/// What is kept of a parse: everything that depends on the blob alone (imports unresolved).
#[derive(Serialize, Deserialize)]
struct CachedParse {
    facts: FileFacts,
    note: Option<String>,
}

/// The largest file parsed, in lines and in bytes.
pub const MAX_PARSE_LINES: usize = 100_000;
pub const MAX_PARSE_BYTES: usize = 4 << 20;

fn parse_file(parsers: &mut Parsers, file: &SourceFile) -> ParsedFile {
    parse_file_keeping_tree(parsers, file).0
}

/// `parse_file`, with the tree of the file's text as written when that is what was parsed
/// (not for C and C++ with macros blanked, nor C# with directives blanked, nor a file past
/// the bounds the source view's colours are read from the whole tree within).
fn parse_file_keeping_tree(
    parsers: &mut Parsers,
    file: &SourceFile,
) -> (ParsedFile, Option<tree_sitter::Tree>) {
    let mut parsed = ParsedFile {
        path: file.path.clone(),
        blob: file.blob.clone(),
        language: file.language,
        kind: kind_label(&file.path, &file.text),
        lines: file.lines,
        facts: FileFacts::default(),
        note: None,
    };
    let Some(language) = file.language else {
        return (parsed, None);
    };
    // A parse tree takes about two hundred times the file's bytes: past these bounds a file
    // is listed and shown, not parsed, so one file cannot take the memory of the build.
    if file.lines > MAX_PARSE_LINES || file.text.len() > MAX_PARSE_BYTES {
        parsed.note = Some(format!(
            "not parsed: over {MAX_PARSE_LINES} lines or {} MiB; its items are not listed",
            MAX_PARSE_BYTES >> 20
        ));
        return (parsed, None);
    }
    let src = file.text.as_bytes();
    // C and C++ are parsed with their export and attribute macros blanked out (same bytes,
    // same lines); their text is still read from the file as written.
    let unmacroed =
        matches!(language, Language::C | Language::Cpp).then(|| c::without_macros(&file.text));
    let parse_src = unmacroed.as_ref().map_or(src, |t| t.as_bytes());
    let Some(mut tree) = parsers.get(language).parse(parse_src, None) else {
        parsed.note = Some("the parser gave up on this file".into());
        return (parsed, None);
    };
    // C#'s grammar loses a whole type to an `#if` in the middle of its body; read again with
    // the directives blanked out (same bytes, same lines), the type is whole.
    let masked;
    let mut src = src;
    if language == Language::CSharp && tree.root_node().kind() == "ERROR" {
        masked = csharp::without_directives(&file.text);
        if let Some(again) = parsers.get(language).parse(masked.as_bytes(), None) {
            if again.root_node().kind() != "ERROR" {
                tree = again;
                src = masked.as_bytes();
            }
        }
    }
    let root = tree.root_node();
    let mut facts = match language {
        Language::Rust => rust::extract(root, src),
        Language::Python => python::extract(root, src),
        Language::Go => go::extract(root, src),
        Language::Java => java::extract(root, src),
        Language::C => c::extract(root, src, c::is_header(&file.path)),
        Language::Cpp => cpp::extract(root, src, c::is_header(&file.path)),
        Language::CSharp => csharp::extract(root, src),
        Language::Ruby => ruby::extract(root, src),
        Language::Php => php::extract(root, src),
        _ => ecmascript::extract(root, src),
    };
    facts.identifiers = collect_identifiers(root, src);
    facts.branches = count_branches(root, branch_kinds(language));
    parsed.facts = facts;
    if root.has_error() {
        parsed.note = Some("syntax errors: the symbols listed may be incomplete".into());
    }
    let as_written = src == file.text.as_bytes() && parse_src == src;
    let kept = (as_written && crate::site::highlight::parses_whole(&file.text)).then_some(tree);
    (parsed, kept)
}

/// The text of a node (empty when it is not valid UTF-8, which lossy decoding rules out).
pub(crate) fn text<'a>(node: Node, src: &'a [u8]) -> &'a str {
    node.utf8_text(src).unwrap_or("")
}

pub(crate) fn lines_of(node: Node) -> (u32, u32) {
    (
        node.start_position().row as u32 + 1,
        node.end_position().row as u32 + 1,
    )
}

/// The declaration up to its body, on one line, whitespace collapsed.
pub(crate) fn signature(node: Node, body: Option<Node>, src: &[u8]) -> String {
    let end = body.map(|b| b.start_byte()).unwrap_or(node.end_byte());
    let raw = String::from_utf8_lossy(&src[node.start_byte()..end]);
    let mut sig = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if sig.chars().count() > 200 {
        sig = sig.chars().take(199).collect::<String>() + "…";
    }
    sig
}

fn collect_identifiers(root: Node, src: &[u8]) -> Vec<String> {
    let mut set = BTreeSet::new();
    visit(root, &mut |node| {
        if node.child_count() == 0 && node.kind().ends_with("identifier") {
            let t = text(node, src);
            if t.len() > 1 && t.len() < 80 {
                set.insert(t.to_string());
            }
        }
    });
    set.into_iter().collect()
}

/// The node kinds where control flow branches, per grammar.
fn branch_kinds(language: Language) -> &'static [&'static str] {
    match language {
        Language::Rust => &[
            "if_expression",
            "match_arm",
            "while_expression",
            "for_expression",
            "loop_expression",
            "try_expression",
        ],
        Language::Python => &[
            "if_statement",
            "elif_clause",
            "for_statement",
            "while_statement",
            "except_clause",
            "conditional_expression",
            "boolean_operator",
            "case_clause",
            "if_clause",
        ],
        Language::Go => &[
            "if_statement",
            "for_statement",
            "expression_case",
            "type_case",
            "communication_case",
        ],
        Language::C => &[
            "if_statement",
            "for_statement",
            "while_statement",
            "do_statement",
            "case_statement",
            "conditional_expression",
        ],
        Language::Cpp => &[
            "if_statement",
            "for_statement",
            "for_range_loop",
            "while_statement",
            "do_statement",
            "case_statement",
            "conditional_expression",
            "catch_clause",
        ],
        Language::Php => &[
            "if_statement",
            "else_if_clause",
            "for_statement",
            "foreach_statement",
            "while_statement",
            "do_statement",
            "case_statement",
            "catch_clause",
            "conditional_expression",
            "match_conditional_expression",
        ],
        Language::Ruby => &[
            "if",
            "unless",
            "while",
            "until",
            "for",
            "when",
            "rescue",
            "conditional",
            "if_modifier",
            "unless_modifier",
        ],
        Language::CSharp => &[
            "if_statement",
            "for_statement",
            "foreach_statement",
            "while_statement",
            "do_statement",
            "switch_section",
            "catch_clause",
            "conditional_expression",
        ],
        Language::Java => &[
            "if_statement",
            "for_statement",
            "enhanced_for_statement",
            "while_statement",
            "do_statement",
            "switch_label",
            "catch_clause",
            "ternary_expression",
        ],
        _ => &[
            "if_statement",
            "for_statement",
            "for_in_statement",
            "while_statement",
            "do_statement",
            "switch_case",
            "catch_clause",
            "ternary_expression",
        ],
    }
}

fn count_branches(root: Node, kinds: &[&str]) -> u32 {
    let mut n = 0;
    visit(root, &mut |node| {
        if kinds.contains(&node.kind()) {
            n += 1;
        }
    });
    n
}

/// The comments right above a declaration, nearest first, starting from `prev` (its previous
/// sibling, or where the grammar puts the comments of a body's first statement): each ends on
/// the line before the next, so no blank line parts them, and none ends a line of code (that
/// one belongs to the code).
pub(crate) fn comments_above<'t>(node: Node<'t>, prev: Option<Node<'t>>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let mut below = node.start_position().row;
    let mut prev = prev;
    while let Some(p) = prev {
        if p.kind() != "comment" || p.end_position().row + 1 < below {
            break;
        }
        let trailing = p.prev_sibling().is_some_and(|q| {
            q.end_position().row == p.start_position().row && q.kind() != "comment"
        });
        if trailing {
            break;
        }
        out.push(p);
        below = p.start_position().row;
        prev = p.prev_sibling();
    }
    out
}

/// Calls `f` on every node of the tree, in document order, without recursion; a node for
/// which `f` returns false is not descended into.
pub(crate) fn visit_pruned<'t>(root: Node<'t>, f: &mut impl FnMut(Node<'t>) -> bool) {
    let mut cursor = root.walk();
    loop {
        let descend = f(cursor.node());
        if (descend && cursor.goto_first_child()) || cursor.goto_next_sibling() {
            continue;
        }
        loop {
            if !cursor.goto_parent() {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
        }
    }
}

/// Calls `f` on every node of the tree, in document order, without recursion.
pub(crate) fn visit<'t>(root: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    let mut cursor = root.walk();
    loop {
        f(cursor.node());
        if cursor.goto_first_child() || cursor.goto_next_sibling() {
            continue;
        }
        loop {
            if !cursor.goto_parent() {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
        }
    }
}

/// What import resolvers need to know about the repository's files.
pub(crate) struct RepoIndex<'a> {
    pub paths: BTreeSet<&'a str>,
    /// Dotted module name -> Python files that it can name (see `python::module_keys`).
    pub python_modules: BTreeMap<String, Vec<&'a str>>,
    /// Rust crate name (as written in code) -> the crate's `src` folder.
    pub rust_crates: BTreeMap<String, String>,
    /// npm package name -> its folder and its entry module, for the repository's own packages.
    pub npm_packages: BTreeMap<String, (String, Option<String>)>,
    /// Folders of crate roots a Cargo.toml declares outside `src/` (`[[bin]] path =
    /// "crates/core/main.rs"`): `crate::` paths there start from that folder.
    pub rust_roots: BTreeSet<String>,
    /// Go module path (`go.mod`'s `module`) -> the module's folder.
    pub go_modules: BTreeMap<String, String>,
    /// Java type (`a.b.C`, from the file's package and name) -> its file.
    pub java_types: BTreeMap<String, String>,
    /// Java package -> its files (sorted; tests last).
    pub java_packages: BTreeMap<String, Vec<String>>,
    /// Folders `#include` looks in (see `c::include_dirs`), the root last.
    pub include_dirs: Vec<String>,
    /// C# namespace -> the files that declare it (sorted; tests last).
    pub cs_namespaces: BTreeMap<String, Vec<String>>,
    /// Folders Ruby's `require` looks in: the repository's `lib` folders, the root's first.
    pub ruby_lib_dirs: Vec<String>,
    /// PHP class (`A\\B\\C`, from the file's namespace and name) -> its file.
    pub php_types: BTreeMap<String, String>,
    /// composer.json's PSR-4 prefixes -> folders, longest first.
    pub php_psr4: Vec<(String, String)>,
}

impl<'a> RepoIndex<'a> {
    pub(crate) fn new(snapshot: &'a Snapshot, packages: &Packages) -> Self {
        let paths: BTreeSet<&str> = snapshot.files.iter().map(|f| f.path.as_str()).collect();
        let mut python_modules: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for f in &snapshot.files {
            if f.language == Some(Language::Python) {
                for key in python::module_keys(&f.path, &paths) {
                    python_modules.entry(key).or_default().push(&f.path);
                }
            }
        }
        let mut rust_crates = BTreeMap::new();
        for f in &snapshot.files {
            if f.path == "Cargo.toml" || f.path.ends_with("/Cargo.toml") {
                if let Some(name) = rust::package_name(&f.text) {
                    let dir = parent_dir(&f.path);
                    rust_crates.insert(name.replace('-', "_"), join(dir, "src"));
                }
            }
        }
        let go_modules = snapshot
            .files
            .iter()
            .filter(|f| f.path == "go.mod" || f.path.ends_with("/go.mod"))
            .filter_map(|f| Some((go::module_path(&f.text)?, parent_dir(&f.path).to_string())))
            .collect();
        let mut java_types = BTreeMap::new();
        let mut java_packages: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in &snapshot.files {
            if f.language != Some(Language::Java) {
                continue;
            }
            let Some(package) = java::declared_package(&f.text) else {
                continue;
            };
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            let stem = name.strip_suffix(".java").unwrap_or(name);
            if stem != "package-info" && stem != "module-info" {
                java_types
                    .entry(format!("{package}.{stem}"))
                    .or_insert_with(|| f.path.clone());
            }
            java_packages
                .entry(package)
                .or_default()
                .push(f.path.clone());
        }
        for files in java_packages.values_mut() {
            files.sort_by_key(|p| (p.contains("/test/"), p.clone()));
        }
        let include_dirs = c::include_dirs(
            snapshot
                .files
                .iter()
                .filter(|f| matches!(f.language, Some(Language::C | Language::Cpp)))
                .map(|f| f.path.as_str()),
            snapshot
                .files
                .iter()
                .filter(|f| f.path.rsplit('/').next() == Some("CMakeLists.txt"))
                .map(|f| (f.path.as_str(), f.text.as_str())),
        );
        let mut cs_namespaces: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in &snapshot.files {
            if f.language == Some(Language::CSharp) {
                for ns in csharp::declared_namespaces(&f.text) {
                    cs_namespaces.entry(ns).or_default().push(f.path.clone());
                }
            }
        }
        for files in cs_namespaces.values_mut() {
            files.sort_by_key(|p| (p.to_ascii_lowercase().contains("test"), p.clone()));
            files.dedup();
        }
        let mut ruby_lib_dirs: Vec<String> = Vec::new();
        for f in &snapshot.files {
            if f.language != Some(Language::Ruby) {
                continue;
            }
            let mut dir = parent_dir(&f.path);
            while !dir.is_empty() {
                if dir == "lib" || dir.ends_with("/lib") {
                    if !ruby_lib_dirs.iter().any(|d| d == dir) {
                        ruby_lib_dirs.push(dir.to_string());
                    }
                    break;
                }
                dir = parent_dir(dir);
            }
        }
        ruby_lib_dirs.sort_by_key(|d| (d.matches('/').count(), d.clone()));
        let mut php_types = BTreeMap::new();
        let mut php_psr4 = Vec::new();
        for f in &snapshot.files {
            if f.path == "composer.json" || f.path.ends_with("/composer.json") {
                php_psr4.extend(php::psr4(parent_dir(&f.path), &f.text));
            }
            if f.language != Some(Language::Php) {
                continue;
            }
            let stem = f.path.rsplit('/').next().unwrap_or(&f.path);
            let stem = stem.strip_suffix(".php").unwrap_or(stem);
            let fqn = match php::declared_namespace(&f.text) {
                Some(ns) => format!("{ns}\\{stem}"),
                None => stem.to_string(),
            };
            php_types.entry(fqn).or_insert_with(|| f.path.clone());
        }
        php_psr4.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        let npm_packages = packages
            .packages
            .iter()
            .filter(|p| p.ecosystem == Ecosystem::Npm)
            .map(|p| (p.name.clone(), (p.root.clone(), p.library.clone())))
            .collect();
        let rust_roots = packages
            .packages
            .iter()
            .filter(|p| p.ecosystem == Ecosystem::Cargo)
            .flat_map(|p| {
                let bins = p.entries.iter().filter(|e| e.kind == "binary");
                p.library.iter().chain(bins.map(|e| &e.path))
            })
            .map(|root| parent_dir(root).to_string())
            .filter(|dir| dir.rsplit('/').next() != Some("src") && !dir.ends_with("src/bin"))
            .collect();
        RepoIndex {
            paths,
            python_modules,
            rust_crates,
            npm_packages,
            rust_roots,
            go_modules,
            java_types,
            java_packages,
            include_dirs,
            cs_namespaces,
            ruby_lib_dirs,
            php_types,
            php_psr4,
        }
    }

    pub fn has(&self, path: &str) -> bool {
        self.paths.contains(path)
    }
}

/// The folder of a path ("" at the root).
pub(crate) fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Joins a relative path onto a folder, folding `.` and `..`; `None` if it leaves the repo.
pub(crate) fn normalize(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::snapshot::SourceFile;

    pub fn facts(language: Language, code: &str) -> FileFacts {
        facts_at(language, "x", code)
    }

    pub fn facts_at(language: Language, path: &str, code: &str) -> FileFacts {
        let file = SourceFile {
            path: path.into(),
            blob: String::new(),
            language: Some(language),
            text: code.into(),
            lines: code.lines().count(),
            lossy: false,
            redacted: false,
        };
        parse_file(&mut Parsers::default(), &file).facts
    }

    pub fn snapshot(paths: &[&str]) -> Snapshot {
        Snapshot {
            commit: String::new(),
            files: paths
                .iter()
                .map(|p| SourceFile {
                    path: p.to_string(),
                    blob: String::new(),
                    language: Language::from_path(p),
                    text: if p.ends_with("Cargo.toml") {
                        "[package]\nname = \"my-crate\"\n".into()
                    } else {
                        String::new()
                    },
                    lines: 0,
                    lossy: false,
                    redacted: false,
                })
                .collect(),
            skipped: vec![],
            bidi: Default::default(),
        }
    }

    pub fn symbol<'a>(facts: &'a FileFacts, name: &str) -> &'a Symbol {
        facts
            .symbols
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no symbol {name} in {:#?}", facts.symbols))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_loads() {
        let mut parsers = Parsers::default();
        for lang in Language::ALL {
            let tree = parsers.get(lang).parse("x", None);
            assert!(tree.is_some(), "{lang:?}");
        }
    }

    #[test]
    fn branches_are_counted_per_language() {
        use test_support::facts;
        let rust = facts(
            Language::Rust,
            "fn f(x: u8) { if x > 1 { for _ in 0..x {} } match x { 0 => {}, _ => {} } }",
        );
        assert_eq!(rust.branches, 4);
        let py = facts(Language::Python, "def f(x):\n    if x:\n        pass\n    elif x > 2:\n        pass\n    return 1 if x else 2\n");
        assert_eq!(py.branches, 3);
        let ts = facts(
            Language::TypeScript,
            "function f(x) { if (x) {} try {} catch (e) {} return x ? 1 : 2; }",
        );
        assert_eq!(ts.branches, 3);
    }

    #[test]
    fn normalize_folds_dots() {
        assert_eq!(normalize("a/b", "../c/./d").as_deref(), Some("a/c/d"));
        assert_eq!(normalize("a", "../../x"), None);
    }

    const PATHS: &[&str] = &[
        "Cargo.toml",
        "src/lib.rs",
        "src/main.rs",
        "src/a.rs",
        "src/a/mod.rs",
        "src/a/b.rs",
        "src/b/c.rs",
        "pkg/__init__.py",
        "pkg/m.py",
        "pkg/sub/__init__.py",
        "pkg/sub/n.py",
        "src/pkg/x.py",
        "app.py",
        "web/index.ts",
        "web/a.tsx",
        "web/lib/index.js",
        "web/lib/b.mjs",
        "web/c.d.ts",
        "ünï/çode.py",
        "a b/c d.ts",
        "src/a/x.go",
        "src/a/doc.go",
        "main.go",
    ];
    const SPEC: &[&str] = &[
        "crate", "super", "self", "::", "a", "b", "c", "m", "n", "sub", "pkg", "x", "*", "{", "}",
        ",", ".", "..", "/", "./", "../", "index", "lib", "my_crate", "my-crate", "@", "~", "\\",
        "?", "#", "%2e", "ünï", " ",
    ];

    /// Fuzz target: the import resolvers. Any import spec from any file resolves to a file of
    /// the repository or to nothing, never panics, never escapes the index.
    #[test]
    fn fuzz_import_resolvers() {
        let snapshot = test_support::snapshot(PATHS);
        let mut index = RepoIndex::new(&snapshot, &Default::default());
        index.go_modules.insert("m".into(), "src".into());
        index.go_modules.insert("x/y".into(), String::new());
        let mut g = crate::fuzz::Gen::new("resolvers");
        for _ in 0..crate::fuzz::cases() * 4 {
            let from = g.pick(PATHS);
            let text = g.text(SPEC, 8);
            let spec = match g.below(11) {
                0 => ImportSpec::RustMod(text),
                1 => ImportSpec::RustUse(text),
                2 => ImportSpec::Js(text),
                3 => ImportSpec::Go(text),
                8 => ImportSpec::PhpUse {
                    path: text.replace('/', "\\"),
                    alias: None,
                },
                7 => ImportSpec::Require {
                    path: text.clone(),
                    relative: g.below(2) == 0,
                },
                6 => ImportSpec::Using {
                    path: text.clone(),
                    is_static: g.below(2) == 0,
                    alias: None,
                },
                5 => ImportSpec::Include {
                    path: text.clone(),
                    system: g.below(2) == 0,
                },
                4 => ImportSpec::Java {
                    path: text,
                    is_static: g.below(2) == 0,
                },
                _ => ImportSpec::Python {
                    level: g.below(4),
                    module: text,
                    names: (0..g.below(3)).map(|_| g.text(SPEC, 2)).collect(),
                },
            };
            for target in [
                rust::resolve(&spec, from, &index),
                python::resolve(&spec, from, &index),
                ecmascript::resolve(&spec, from, &index),
                go::resolve(&spec, from, &index),
                java::resolve(&spec, from, &index),
                c::resolve(&spec, from, &index),
                csharp::resolve(&spec, from, &index),
                ruby::resolve(&spec, from, &index),
                php::resolve(&spec, from, &index),
            ]
            .into_iter()
            .flatten()
            {
                assert!(
                    index.paths.contains(target.as_str()),
                    "{spec:?} from {from} -> {target}"
                );
            }
        }
    }

    const CODE: &[&str] = &[
        "fn ",
        "pub ",
        "struct ",
        "impl ",
        "mod ",
        "use ",
        "crate::",
        "{",
        "}",
        "(",
        ")",
        ";",
        "def ",
        "class ",
        "import ",
        "from ",
        ":",
        "    ",
        "\n",
        "\"\"\"",
        "'",
        "\"",
        "`",
        "${",
        "export ",
        "function ",
        "const ",
        "=>",
        "<div>",
        "</div>",
        "/**",
        "*/",
        "///",
        "//!",
        "#",
        "if ",
        "else ",
        "match ",
        "x",
        "Y",
        "_",
        "0",
        "async ",
        "@decorator",
        "\\",
        "template <",
        ">",
        "namespace ",
        "public:",
        "::",
        "~",
        "operator",
        "A_B",
        "A_B(",
        ", ",
        "#if X\n",
        "#endif\n",
    ];

    /// Fuzz target: the front-ends. Any bytes in any language parse to facts whose symbols sit
    /// inside the file, never a panic.
    #[test]
    fn fuzz_front_ends() {
        let mut g = crate::fuzz::Gen::new("front-ends");
        for _ in 0..crate::fuzz::cases() {
            let code = g.text(CODE, 60);
            let lines = code.lines().count().max(1) as u32;
            // The macro blanking keeps every byte's place and every line.
            let unmacroed = c::without_macros(&code);
            assert_eq!(unmacroed.len(), code.len(), "{code:?}");
            assert_eq!(unmacroed.lines().count(), code.lines().count(), "{code:?}");
            for l in Language::ALL {
                let f = test_support::facts(l, &code);
                for s in &f.symbols {
                    assert!(
                        s.start_line >= 1 && s.start_line <= s.end_line,
                        "{l:?} {code:?}"
                    );
                    assert!(s.end_line <= lines + 1, "{l:?} {code:?}: {s:?}");
                }
            }
        }
    }
}
