//! C++ front-end: classes, structs, unions and enums (scoped enums' constants under their
//! enum), their methods, constructors, destructors and operators, nested as `Outer::Inner`;
//! functions, out-of-line definitions (`Table::Get`), templates (documented and quoted from
//! their `template <…>` line), type aliases and typedefs, constants and globals, macros. Each
//! has the comment right above it, as in C (Doxygen `///`, `/** */`); `#include`s resolve as
//! C's do. Namespaces are reopened in every file, as Java's packages are: they name nothing a
//! file defines, so they are not listed, and a path's leading namespaces are dropped.
//!
//! Visibility: `private:`/`protected:` sections (a `class` starts private, a `struct` public),
//! `static` and anonymous namespaces keep a name to its file.
//!
//! Export and attribute macros (`class LEVELDB_EXPORT DB`, a line `FMT_BEGIN_NAMESPACE`)
//! confuse the grammar, which knows no macro's expansion; `c::without_macros` blanks them out
//! (same bytes, same lines) before the parse, and the text is read from the file as written.

use std::collections::{BTreeSet, HashSet};

use tree_sitter::Node;

use super::c::{self, MAX_DEPTH};
use super::{lines_of, signature, text, visit_pruned};
use super::{Field, FileFacts, Local, RawRef, RefKind, Symbol, SymbolKind, TypeHint};

/// Nodes that hold declarations without being one: C's, and a module's `export { … }`.
fn is_container(kind: &str) -> bool {
    c::CONTAINERS.contains(&kind) || kind == "export_declaration"
}

/// How deep classes and namespaces are followed; deeper ones are left out, so a hostile file
/// cannot exhaust the stack.
const MAX_NESTING: usize = 48;

struct Walk<'s> {
    src: &'s [u8],
    header: bool,
    facts: FileFacts,
    /// The namespaces the file opens: a path that starts with one is read without it.
    namespaces: BTreeSet<String>,
}

/// What the names one declaration declares share.
struct Head {
    signature: String,
    doc: String,
    start_line: u32,
    end_line: u32,
    is_static: bool,
}

/// Where a declaration stands: the classes around it, and whether a reader outside the file
/// (or the class) can use it.
#[derive(Clone)]
struct Scope {
    classes: Vec<String>,
    public: bool,
    in_class: bool,
}

impl Scope {
    fn name(&self, short: &str) -> String {
        let mut segs = self.classes.clone();
        segs.push(short.to_string());
        segs.join("::")
    }
}

pub(super) fn extract(root: Node, src: &[u8], header: bool) -> FileFacts {
    let mut walk = Walk {
        src,
        header,
        facts: FileFacts {
            module_doc: c::file_doc(root, src),
            ..Default::default()
        },
        namespaces: BTreeSet::new(),
    };
    collect_namespaces(root, src, &mut walk.namespaces);
    let top = Scope {
        classes: vec![],
        public: true,
        in_class: false,
    };
    walk.items(root, &top, 0);
    let mut facts = walk.facts;
    facts.package = walk
        .namespaces
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    includes(root, src, &mut facts);
    references(root, src, &walk.namespaces, &mut facts);
    facts
}

fn collect_namespaces(root: Node, src: &[u8], out: &mut BTreeSet<String>) {
    visit_pruned(root, &mut |node| match node.kind() {
        "namespace_definition" => {
            if let Some(name) = node.child_by_field_name("name") {
                let mut c = name.walk();
                if name.kind() == "nested_namespace_specifier" {
                    for part in name.named_children(&mut c) {
                        out.insert(text(part, src).to_string());
                    }
                } else {
                    out.insert(text(name, src).to_string());
                }
            }
            true
        }
        "namespace_alias_definition" => {
            if let Some(name) = node.child_by_field_name("name") {
                out.insert(text(name, src).to_string());
            }
            false
        }
        k => is_container(k),
    });
}

impl Walk<'_> {
    /// The declarations directly under `node` (a file, a namespace's body, a conditional).
    fn items(&mut self, node: Node, scope: &Scope, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        let mut c = node.walk();
        for child in node.named_children(&mut c) {
            self.item(child, child, scope, depth);
        }
    }

    /// One declaration; `outer` is the node that carries its doc and starts its signature (a
    /// `template_declaration` around it, or itself).
    fn item(&mut self, node: Node, outer: Node, scope: &Scope, depth: usize) {
        let src = self.src;
        match node.kind() {
            k if is_container(k) => self.items(node, scope, depth + 1),
            "namespace_definition" => {
                let anonymous = node.child_by_field_name("name").is_none();
                if let Some(body) = node.child_by_field_name("body") {
                    let inner = Scope {
                        public: scope.public && !anonymous,
                        ..scope.clone()
                    };
                    self.items(body, &inner, depth + 1);
                }
            }
            "template_declaration" => {
                let mut c = node.walk();
                let inner = node
                    .named_children(&mut c)
                    .filter(|n| !matches!(n.kind(), "template_parameter_list" | "comment"))
                    .last();
                if let Some(inner) = inner {
                    self.item(inner, outer, scope, depth + 1);
                }
            }
            "function_definition" => {
                // `Table(const Table&) = delete;` says what a class does not have.
                let deleted = {
                    let mut c = node.walk();
                    let found = node
                        .children(&mut c)
                        .any(|n| n.kind() == "delete_method_clause");
                    found
                };
                if deleted {
                    return;
                }
                if let Some(d) = node.child_by_field_name("declarator") {
                    let head = self.head(node, outer, node.child_by_field_name("body"));
                    self.function(d, &head, scope, true);
                }
                if let Some(body) = node.child_by_field_name("body") {
                    self.local_types(body, depth + 1);
                }
            }
            "declaration" | "field_declaration" => {
                if let Some(t) = node.child_by_field_name("type") {
                    self.tagged(t, outer, scope, depth);
                }
                let mut c = node.walk();
                let declarators: Vec<Node> =
                    node.children_by_field_name("declarator", &mut c).collect();
                let constant = is_constant(node, src);
                // Worked out once: a declaration may declare thousands of names.
                let head = self.head(node, outer, None);
                for d in declarators {
                    if is_function(d) {
                        self.function(d, &head, scope, false);
                        continue;
                    }
                    if scope.in_class && !constant {
                        self.field(node, d);
                        continue;
                    }
                    let Some(name) = c::declared_name(d).and_then(|n| self.short(n)) else {
                        continue;
                    };
                    if scope.in_class || constant || node.kind() == "declaration" {
                        let kind = if constant {
                            SymbolKind::Const
                        } else {
                            SymbolKind::Variable
                        };
                        self.push(kind, scope.name(&name), &head, scope);
                    }
                }
            }
            "class_specifier" | "struct_specifier" | "union_specifier" | "enum_specifier" => {
                self.tagged(node, outer, scope, depth)
            }
            "type_definition" => {
                if let Some(t) = node.child_by_field_name("type") {
                    self.tagged(t, outer, scope, depth);
                }
                let head = self.head(node, outer, None);
                let mut c = node.walk();
                for d in node.children_by_field_name("declarator", &mut c) {
                    let Some(name) = c::declared_name(d)
                        .filter(|n| n.kind() == "type_identifier")
                        .map(|n| text(n, src).to_string())
                    else {
                        continue;
                    };
                    self.push(SymbolKind::Type, scope.name(&name), &head, scope);
                }
            }
            "alias_declaration" | "concept_definition" => {
                if let Some(name) = node.child_by_field_name("name") {
                    let name = scope.name(text(name, src));
                    let head = self.head(node, outer, None);
                    self.push(SymbolKind::Type, name, &head, scope);
                }
            }
            "preproc_def" | "preproc_function_def" => {
                c::declaration(node, src, self.header, &mut self.facts)
            }
            _ => {}
        }
    }

    /// The classes a function body defines for itself (a `struct State` to pass to a
    /// callback), and the macros it defines: they are the file's, private to it.
    fn local_types(&mut self, body: Node, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        let local = Scope {
            classes: vec![],
            public: false,
            in_class: false,
        };
        let mut found = Vec::new();
        visit_pruned(body, &mut |n| match n.kind() {
            "class_specifier" | "struct_specifier" | "union_specifier" | "enum_specifier"
                if n.child_by_field_name("body").is_some() =>
            {
                found.push(n);
                false
            }
            "preproc_def" | "preproc_function_def" | "alias_declaration" | "type_definition" => {
                found.push(n);
                false
            }
            _ => true,
        });
        for n in found {
            match n.kind() {
                "preproc_def" | "preproc_function_def" => {
                    c::declaration(n, self.src, self.header, &mut self.facts)
                }
                "alias_declaration" | "type_definition" => self.item(n, n, &local, depth + 1),
                _ => self.tagged(n, n, &local, depth + 1),
            }
        }
    }

    /// A name as the file shows it: `Table`, `~Table`, `operator==`; `None` for what names
    /// nothing (an abstract declarator).
    fn short(&self, n: Node) -> Option<String> {
        let segs = self.name_path(n);
        segs.last().cloned()
    }

    /// A declarator's name split at `::`, the file's namespaces dropped from its front and
    /// template arguments from each segment: `leveldb::Table<K>::Get` -> `[Table, Get]`.
    fn name_path(&self, n: Node) -> Vec<String> {
        let mut segs = Vec::new();
        qualified_segments(n, self.src, &mut segs, 0);
        let skip = segs
            .iter()
            .take(segs.len().saturating_sub(1))
            .take_while(|s| self.namespaces.contains(*s) || *s == "std" || s.is_empty())
            .count();
        segs.drain(..skip);
        segs
    }

    /// What every name a declaration declares shares: its quote, doc, lines, `static`.
    fn head(&self, node: Node, outer: Node, body: Option<Node>) -> Head {
        let (start_line, end_line) = lines_of(outer);
        Head {
            signature: signature(outer, body, self.src),
            doc: c::doc_comment(outer, self.src),
            start_line,
            end_line,
            is_static: c::is_static(node, self.src),
        }
    }

    /// A function or method, defined or declared by the declarator `d`.
    fn function(&mut self, d: Node, head: &Head, scope: &Scope, defined: bool) {
        let Some(name_node) = function_name(d) else {
            return;
        };
        let segs = self.name_path(name_node);
        if segs.is_empty() {
            return;
        }
        let qualified = segs.len() > 1;
        // A prototype at namespace level in a source file only announces its definition.
        if !defined && !scope.in_class && !qualified && !self.header {
            return;
        }
        // `Outer::f();` outside a class redeclares nothing a reader needs (a friend, a
        // specialisation's forward declaration).
        if !defined && !scope.in_class && qualified {
            return;
        }
        let kind = if scope.in_class || qualified {
            SymbolKind::Method
        } else {
            SymbolKind::Function
        };
        let mut all = scope.classes.clone();
        all.extend(segs);
        self.push(kind, all.join("::"), head, scope);
    }

    fn push(&mut self, kind: SymbolKind, name: String, head: &Head, scope: &Scope) {
        let private = !scope.public || (!scope.in_class && head.is_static);
        self.facts.symbols.push(Symbol {
            kind,
            name,
            signature: head.signature.clone(),
            doc: head.doc.clone(),
            start_line: head.start_line,
            end_line: head.end_line,
            public: !private,
        });
    }

    /// A data member, for the references stage.
    fn field(&mut self, node: Node, d: Node) {
        let Some(n) = c::declared_name(d) else {
            return;
        };
        let ty = node
            .child_by_field_name("type")
            .and_then(|t| self.written(t));
        self.facts.fields.push(Field {
            name: text(n, self.src).to_string(),
            ty,
            line: lines_of(node).0,
        });
    }

    /// A class, struct, union or enum with a body: its symbol, its bases, its members.
    fn tagged(&mut self, t: Node, outer: Node, scope: &Scope, depth: usize) {
        let kind = match t.kind() {
            "class_specifier" => SymbolKind::Class,
            "struct_specifier" => SymbolKind::Struct,
            "union_specifier" => SymbolKind::Union,
            "enum_specifier" => SymbolKind::Enum,
            _ => return,
        };
        let Some(body) = t.child_by_field_name("body") else {
            return;
        };
        if depth > MAX_NESTING {
            return;
        }
        // Documented above the declaration it opens (`struct s {…};`, `template <…> class`).
        let outer = match outer.kind() {
            "template_declaration" => outer,
            _ => t
                .parent()
                .filter(|p| {
                    matches!(
                        p.kind(),
                        "declaration" | "type_definition" | "field_declaration"
                    )
                })
                .unwrap_or(t),
        };
        let segs = t
            .child_by_field_name("name")
            .map(|n| self.name_path(n))
            .unwrap_or_default();
        let mut classes = scope.classes.clone();
        if !segs.is_empty() {
            let mut all = classes.clone();
            all.extend(segs.iter().cloned());
            let name = all.join("::");
            let (start_line, end_line) = lines_of(outer);
            self.facts.symbols.push(Symbol {
                kind,
                name,
                signature: signature(outer, Some(body), self.src),
                doc: c::doc_comment(outer, self.src),
                start_line,
                end_line,
                public: scope.public,
            });
            self.bases(t, &all);
        }
        if kind == SymbolKind::Enum {
            // `enum class E { A }` names `E::A`; a plain enum's constants are its scope's.
            let scoped = {
                let mut c = t.walk();
                let found = t
                    .children(&mut c)
                    .any(|n| matches!(n.kind(), "class" | "struct"));
                found
            };
            let mut c = body.walk();
            for e in body.named_children(&mut c) {
                if e.kind() != "enumerator" {
                    continue;
                }
                let Some(n) = e.child_by_field_name("name") else {
                    continue;
                };
                let mut all = classes.clone();
                if scoped {
                    all.extend(segs.iter().cloned());
                }
                all.push(text(n, self.src).to_string());
                let (start_line, end_line) = lines_of(e);
                self.facts.symbols.push(Symbol {
                    kind: SymbolKind::Const,
                    name: all.join("::"),
                    signature: signature(e, None, self.src),
                    doc: c::doc_comment(e, self.src),
                    start_line,
                    end_line,
                    public: scope.public,
                });
            }
            return;
        }
        if segs.is_empty() {
            // An anonymous struct's members are its scope's (`union { int a; float b; };`).
            let inner = Scope {
                classes,
                public: scope.public,
                in_class: true,
            };
            self.members(body, &inner, kind != SymbolKind::Class, depth + 1);
            return;
        }
        classes.extend(segs);
        let inner = Scope {
            classes,
            public: scope.public,
            in_class: true,
        };
        self.members(body, &inner, kind != SymbolKind::Class, depth + 1);
    }

    /// A class body, its access sections followed.
    fn members(&mut self, body: Node, scope: &Scope, open: bool, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        let mut access = open;
        let mut c = body.walk();
        for m in body.named_children(&mut c) {
            match m.kind() {
                "access_specifier" => {
                    access = text(m, self.src).trim() == "public";
                }
                // A friend defined in the class (`friend bool operator==(…) {…}`) is read
                // where it is written; a friend only declared is someone else's.
                "friend_declaration" => {
                    let mut fc = m.walk();
                    let defined: Vec<Node> = m
                        .named_children(&mut fc)
                        .filter(|n| {
                            matches!(n.kind(), "function_definition" | "template_declaration")
                        })
                        .collect();
                    let inner = Scope {
                        public: scope.public && access,
                        ..scope.clone()
                    };
                    for d in defined {
                        self.item(d, m, &inner, depth + 1);
                    }
                }
                // Conditional members keep the section they are in.
                k if k.starts_with("preproc_if")
                    || k.starts_with("preproc_else")
                    || k.starts_with("preproc_elif") =>
                {
                    self.members(m, scope, access, depth + 1)
                }
                _ => {
                    let inner = Scope {
                        public: scope.public && access,
                        ..scope.clone()
                    };
                    self.item(m, m, &inner, depth + 1);
                }
            }
        }
    }

    /// `class A : public B, private C<T>`: what it extends.
    fn bases(&mut self, t: Node, subject: &[String]) {
        let mut c = t.walk();
        let Some(clause) = t
            .named_children(&mut c)
            .find(|n| n.kind() == "base_class_clause")
        else {
            return;
        };
        let mut cc = clause.walk();
        for b in clause.named_children(&mut cc) {
            if !matches!(
                b.kind(),
                "type_identifier" | "qualified_identifier" | "template_type"
            ) {
                continue;
            }
            let path = self.name_path(b);
            if path.is_empty() || path.first().is_some_and(|s| s == "std") {
                continue;
            }
            self.facts.refs.push(RawRef {
                kind: RefKind::Extends,
                path,
                line: lines_of(b).0,
                subject: subject.to_vec(),
            });
        }
    }

    /// A type as the references stage reads it: the class a declaration names, through
    /// `const`, references, pointers and smart pointers (`std::unique_ptr<Table>` is a
    /// `Table`); primitive and standard types are none of the repository's.
    fn written(&self, t: Node) -> Option<TypeHint> {
        written_type(t, self.src, &self.namespaces, 0)
    }
}

fn written_type(
    t: Node,
    src: &[u8],
    namespaces: &BTreeSet<String>,
    depth: usize,
) -> Option<TypeHint> {
    if depth > MAX_DEPTH {
        return None;
    }
    match t.kind() {
        "type_identifier" => Some(TypeHint::Written(text(t, src).to_string())),
        "class_specifier" | "struct_specifier" | "union_specifier" | "enum_specifier" => t
            .child_by_field_name("name")
            .and_then(|n| written_type(n, src, namespaces, depth + 1)),
        "qualified_identifier" | "template_type" => {
            let mut segs = Vec::new();
            qualified_segments(t, src, &mut segs, 0);
            let first = segs.first()?;
            if first == "std" {
                // `std::unique_ptr<T>`, `std::shared_ptr<T>`, `std::optional<T>` hold a T.
                let holder = matches!(
                    segs.last().map(String::as_str),
                    Some("unique_ptr" | "shared_ptr" | "optional" | "weak_ptr")
                );
                if !holder {
                    return None;
                }
                let inner = last_template_args(t)?.named_child(0)?;
                let inner = inner.child_by_field_name("type").unwrap_or(inner);
                return written_type(inner, src, namespaces, depth + 1);
            }
            let skip = segs
                .iter()
                .take(segs.len() - 1)
                .take_while(|s| namespaces.contains(*s))
                .count();
            Some(TypeHint::Written(segs[skip..].join("::")))
        }
        _ => None,
    }
}

/// The template arguments of the last segment of a (qualified) template type.
fn last_template_args(t: Node) -> Option<Node> {
    match t.kind() {
        "template_type" => t.child_by_field_name("arguments"),
        "qualified_identifier" => last_template_args(t.child_by_field_name("name")?),
        _ => None,
    }
}

/// `a::B<int>::c` -> `[a, B, c]`; `~T` and `operator==` are single segments.
fn qualified_segments(n: Node, src: &[u8], out: &mut Vec<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match n.kind() {
        "qualified_identifier" | "nested_namespace_specifier" => {
            match n.child_by_field_name("scope") {
                Some(scope) => qualified_segments(scope, src, out, depth + 1),
                // `::f` names the global namespace.
                None if n.kind() == "qualified_identifier" => {}
                None => {
                    let mut c = n.walk();
                    for part in n.named_children(&mut c) {
                        qualified_segments(part, src, out, depth + 1);
                    }
                    return;
                }
            }
            if let Some(name) = n.child_by_field_name("name") {
                qualified_segments(name, src, out, depth + 1);
            }
        }
        "template_type" | "template_function" | "template_method" => {
            if let Some(name) = n.child_by_field_name("name") {
                qualified_segments(name, src, out, depth + 1);
            }
        }
        "operator_name" | "destructor_name" | "operator_cast" => {
            let t: String = text(n, src)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            // `operator ==` -> `operator==`; `operator bool` keeps its space.
            let t = match t.strip_prefix("operator ") {
                Some(op) if !op.starts_with(|c: char| c.is_alphabetic() || c == '_') => {
                    format!("operator{op}")
                }
                _ => t.replace("~ ", "~"),
            };
            let t = match n.kind() {
                // `operator bool() const`: the name without the function's parameters.
                "operator_cast" => t[..t.find('(').unwrap_or(t.len())].trim().to_string(),
                _ => t,
            };
            out.push(t);
        }
        "identifier" | "field_identifier" | "type_identifier" | "namespace_identifier" => {
            out.push(text(n, src).to_string())
        }
        _ => {}
    }
}

/// The name node of a function's declarator, through pointers, references and attributes.
fn function_name(mut d: Node) -> Option<Node> {
    for _ in 0..MAX_DEPTH {
        match d.kind() {
            "function_declarator" => {
                return d.child_by_field_name("declarator");
            }
            "operator_cast" => return Some(d),
            "pointer_declarator" | "reference_declarator" | "attributed_declarator" => {
                d = d
                    .child_by_field_name("declarator")
                    .or_else(|| d.named_child(0))?;
            }
            _ => return None,
        }
    }
    None
}

/// Whether a declarator declares a function (not a pointer to one).
fn is_function(d: Node) -> bool {
    let mut d = d;
    for _ in 0..MAX_DEPTH {
        match d.kind() {
            "function_declarator" | "operator_cast" => return true,
            "reference_declarator" | "attributed_declarator" | "init_declarator" => {
                match d
                    .child_by_field_name("declarator")
                    .or_else(|| d.named_child(0))
                {
                    Some(inner) => d = inner,
                    None => return false,
                }
            }
            // `T* f()` is a function returning a pointer; `T (*f)()` a pointer to one.
            "pointer_declarator" => match d.child_by_field_name("declarator") {
                Some(inner) if inner.kind() != "parenthesized_declarator" => d = inner,
                _ => return false,
            },
            _ => return false,
        }
    }
    false
}

/// `const`, `constexpr` and `static const` declarations, which the code reads as constants.
fn is_constant(node: Node, src: &[u8]) -> bool {
    let mut c = node.walk();
    let found = node.children(&mut c).any(|n| match n.kind() {
        "type_qualifier" => matches!(text(n, src), "const" | "constexpr" | "constinit"),
        _ => false,
    });
    found
}

/// Every `#include` of the file, wherever conditional compilation or a namespace puts it.
fn includes(root: Node, src: &[u8], facts: &mut FileFacts) {
    visit_pruned(root, &mut |node| match node.kind() {
        "preproc_include" => {
            c::include(node, src, facts);
            false
        }
        "namespace_definition" => true,
        k => is_container(k),
    });
}

/// Calls, creations, types named, typed parameters and locals.
fn references(root: Node, src: &[u8], namespaces: &BTreeSet<String>, facts: &mut FileFacts) {
    let strip = |mut path: Vec<String>| {
        let skip = path
            .iter()
            .take(path.len().saturating_sub(1))
            .take_while(|s| namespaces.contains(*s))
            .count();
        path.drain(..skip);
        path
    };
    // A parent is reached before its children, so what the children are is noted there:
    // `Node::parent` walks down from the root, and asked per node it costs the square of a
    // deeply nested file.
    let mut defining: HashSet<usize> = HashSet::new();
    let mut top_level: HashSet<usize> = HashSet::new();
    visit_pruned(root, &mut |node| {
        let line = lines_of(node).0;
        let kind = node.kind();
        let names_type = matches!(
            kind,
            "type_definition"
                | "alias_declaration"
                | "class_specifier"
                | "struct_specifier"
                | "union_specifier"
                | "enum_specifier"
                | "type_parameter_declaration"
                | "optional_type_parameter_declaration"
        );
        let holds_declarations =
            is_container(kind) || matches!(kind, "field_declaration_list" | "template_declaration");
        if names_type || holds_declarations {
            let mut c = node.walk();
            for child in node.named_children(&mut c) {
                match child.kind() {
                    "type_identifier" if names_type => {
                        defining.insert(child.id());
                    }
                    "declaration" if holds_declarations => {
                        top_level.insert(child.id());
                    }
                    _ => {}
                }
            }
        }
        match kind {
            "call_expression" => {
                if let Some(f) = node.child_by_field_name("function") {
                    let at = f
                        .child_by_field_name("field")
                        .map_or(line, |m| lines_of(m).0);
                    let path = strip(value_path(f, src, 0));
                    if let Some(args) = node.child_by_field_name("arguments") {
                        let n = args.named_child_count() as u32;
                        if let Some(last) = path.last() {
                            facts.call_args.push((at, last.clone(), n));
                        }
                    }
                    facts.refs.push(RawRef {
                        kind: RefKind::Call,
                        path,
                        line: at,
                        subject: vec![],
                    });
                }
            }
            "new_expression" => {
                if let Some(t) = node.child_by_field_name("type") {
                    let mut segs = Vec::new();
                    qualified_segments(t, src, &mut segs, 0);
                    if !segs.is_empty() {
                        facts.refs.push(RawRef {
                            kind: RefKind::Create,
                            path: strip(segs),
                            line,
                            subject: vec![],
                        });
                    }
                }
            }
            "type_identifier" if !defining.contains(&node.id()) => {
                facts.refs.push(RawRef {
                    kind: RefKind::TypeUse,
                    path: vec![text(node, src).to_string()],
                    line,
                    subject: vec![],
                });
            }
            "parameter_declaration" | "optional_parameter_declaration" | "declaration" => {
                let inside_function =
                    node.kind() != "declaration" || !top_level.contains(&node.id());
                if inside_function {
                    let ty = node.child_by_field_name("type");
                    let auto = ty.is_some_and(|t| t.kind() == "placeholder_type_specifier");
                    let hint = ty.and_then(|t| written_type(t, src, namespaces, 0));
                    let mut c = node.walk();
                    for d in node.children_by_field_name("declarator", &mut c) {
                        if is_function(d) {
                            // `Table t(opts);`: the grammar reads a function declaration,
                            // C++ means a local of that type.
                            if node.kind() == "declaration" && hint.is_some() {
                                if let Some(n) =
                                    function_name(d).filter(|n| n.kind() == "identifier")
                                {
                                    facts.locals.push(Local {
                                        name: text(n, src).to_string(),
                                        ty: hint.clone(),
                                        line,
                                    });
                                }
                            }
                            continue;
                        }
                        let Some(n) = c::declared_name(d) else {
                            continue;
                        };
                        // `auto x = Make();` has the type of what it is given.
                        let ty = match (auto, d.child_by_field_name("value")) {
                            (true, Some(v)) => Some(TypeHint::Of(strip(value_path(v, src, 0))))
                                .filter(|t| !matches!(t, TypeHint::Of(p) if p.first().is_some_and(|s| s == "?"))),
                            _ => hint.clone(),
                        };
                        facts.locals.push(Local {
                            name: text(n, src).to_string(),
                            ty,
                            line,
                        });
                    }
                }
            }
            _ => {}
        }
        true
    });
}

/// `f` -> `["f"]`, `s->ops->open` -> `["s", "ops", "open"]`, `Status::OK` -> `["Status",
/// "OK"]`, `this->x` -> `["this", "x"]`; an unnamed value is `"?"`.
fn value_path(node: Node, src: &[u8], depth: usize) -> Vec<String> {
    let unknown = || vec!["?".to_string()];
    if depth > MAX_DEPTH {
        return unknown();
    }
    match node.kind() {
        "identifier" | "field_identifier" => vec![text(node, src).to_string()],
        "this" => vec!["this".to_string()],
        "qualified_identifier" | "template_function" => {
            let mut segs = Vec::new();
            qualified_segments(node, src, &mut segs, 0);
            if segs.is_empty() {
                unknown()
            } else {
                segs
            }
        }
        "field_expression" => {
            let (Some(arg), Some(field)) = (
                node.child_by_field_name("argument"),
                node.child_by_field_name("field"),
            ) else {
                return unknown();
            };
            let mut path = value_path(arg, src, depth + 1);
            let mut segs = Vec::new();
            qualified_segments(field, src, &mut segs, 0);
            match segs.pop() {
                Some(last) => path.push(last),
                None => return unknown(),
            }
            path
        }
        "call_expression" => match node.child_by_field_name("function") {
            Some(f) => {
                let mut path = value_path(f, src, depth + 1);
                path.push("()".into());
                path
            }
            None => unknown(),
        },
        // `new Table(…)` is a `Table`, as `Table(…)` is.
        "new_expression" => {
            let mut segs = Vec::new();
            if let Some(t) = node.child_by_field_name("type") {
                qualified_segments(t, src, &mut segs, 0);
            }
            if segs.is_empty() {
                return unknown();
            }
            segs.push("()".into());
            segs
        }
        "parenthesized_expression" | "pointer_expression" => node
            .named_child(0)
            .map(|n| value_path(n, src, depth + 1))
            .unwrap_or_else(unknown),
        _ => unknown(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_support::{facts_at, symbol};
    use crate::snapshot::Language;

    const HEADER: &str = r#"// Copyright 2024 The Authors. All rights reserved.

#ifndef STORAGE_TABLE_H_
#define STORAGE_TABLE_H_

#include <memory>
#include <string>
#include "util/status.h"

namespace storage {

class Block;

/// How a table is kept.
enum class Kind : int { kMemory = 1, kDisk };

enum Color { RED, GREEN };

/**
 * A sorted table of keys.
 * @see Block
 */
class STORAGE_EXPORT Table : public Base {
 public:
  /// Opens a table.
  explicit Table(const Options& options);
  ~Table();

  /// Looks a key up.
  /// @param key the key
  /// @return the status
  Status Get(const Slice& key) const;
  static int Count() { return count_; }
  bool operator==(const Table& other) const;
  Table(const Table&) = delete;
  using Ptr = std::shared_ptr<Table>;

  struct Stats {
    int reads;
  };

 private:
  void Compact();
  std::unique_ptr<Block> block_;
  static const int kMax = 3;
  static int count_;
};

template <typename T>
T Max(T a, T b);

STORAGE_EXPORT Status DestroyTable(const std::string& name);

}  // namespace storage

#endif  // STORAGE_TABLE_H_
"#;

    const SOURCE: &str = r#"#include "storage/table.h"

namespace storage {

namespace {
int Helper(int x) { return x; }
}  // namespace

static const int kLimit = 10;

Table::Table(const Options& options) : block_(nullptr) {}

Table::~Table() = default;

Status Table::Get(const Slice& key) const {
  Block* b = block_.get();
  auto s = Status::OK();
  Compact();
  b->Seek(key);
  this->Compact();
  return storage::Status::OK();
}

void Table::Compact() { Helper(1); }

}  // namespace storage

int main(int argc, char** argv) {
  storage::Table t(storage::Options());
  t.Get("k");
  auto* other = new storage::Table(storage::Options());
  return 0;
}
"#;

    #[test]
    fn header_symbols_nesting_visibility_and_docs() {
        let f = facts_at(Language::Cpp, "include/storage/table.h", HEADER);
        assert_eq!(f.module_doc, "");
        assert!(!f
            .symbols
            .iter()
            .any(|s| s.name == "storage" || s.name == "Block"));
        let table = symbol(&f, "Table");
        assert_eq!(table.kind, SymbolKind::Class);
        assert!(
            table.doc.starts_with("A sorted table of keys."),
            "{}",
            table.doc
        );
        // The macro is blanked for the parse only; the signature quotes the file.
        assert_eq!(table.signature, "class STORAGE_EXPORT Table : public Base");
        assert!(table.public);
        let ctor = symbol(&f, "Table::Table");
        assert_eq!(ctor.kind, SymbolKind::Method);
        assert_eq!(ctor.doc, "Opens a table.");
        assert_eq!(symbol(&f, "Table::~Table").kind, SymbolKind::Method);
        // A deleted constructor is no API.
        let ctors = f
            .symbols
            .iter()
            .filter(|s| s.name == "Table::Table")
            .count();
        assert_eq!(ctors, 1);
        let get = symbol(&f, "Table::Get");
        assert!(get.doc.starts_with("Looks a key up."));
        assert!(get.public);
        assert!(symbol(&f, "Table::Count").public);
        assert_eq!(symbol(&f, "Table::operator==").kind, SymbolKind::Method);
        assert_eq!(symbol(&f, "Table::Ptr").kind, SymbolKind::Type);
        assert_eq!(symbol(&f, "Table::Stats").kind, SymbolKind::Struct);
        assert!(!symbol(&f, "Table::Compact").public);
        let k = symbol(&f, "Table::kMax");
        assert_eq!(k.kind, SymbolKind::Const);
        assert!(!k.public);
        assert!(!f.symbols.iter().any(|s| s.name == "Table::block_"));
        assert!(f
            .fields
            .iter()
            .any(|x| x.name == "block_" && x.ty == Some(TypeHint::Written("Block".into()))));
        assert_eq!(symbol(&f, "Kind").doc, "How a table is kept.");
        assert_eq!(symbol(&f, "Kind::kDisk").kind, SymbolKind::Const);
        assert_eq!(symbol(&f, "RED").kind, SymbolKind::Const);
        let max = symbol(&f, "Max");
        assert_eq!(max.kind, SymbolKind::Function);
        assert_eq!(max.signature, "template <typename T> T Max(T a, T b);");
        assert_eq!(symbol(&f, "DestroyTable").kind, SymbolKind::Function);
        assert!(f
            .refs
            .iter()
            .any(|r| r.kind == RefKind::Extends && r.path == ["Base"] && r.subject == ["Table"]));
        let specs: Vec<String> = f.imports.iter().map(|i| i.spec.display()).collect();
        assert_eq!(
            specs,
            [
                "#include <memory>",
                "#include <string>",
                "#include \"util/status.h\""
            ]
        );
    }

    #[test]
    fn source_definitions_and_references() {
        let f = facts_at(Language::Cpp, "src/table.cc", SOURCE);
        let helper = symbol(&f, "Helper");
        assert!(!helper.public, "anonymous namespace");
        assert!(!symbol(&f, "kLimit").public);
        let get = symbol(&f, "Table::Get");
        assert_eq!(get.kind, SymbolKind::Method);
        assert!(!get.signature.ends_with(';'));
        assert_eq!(symbol(&f, "Table::Table").kind, SymbolKind::Method);
        assert_eq!(symbol(&f, "main").kind, SymbolKind::Function);
        let calls: Vec<Vec<String>> = f
            .refs
            .iter()
            .filter(|r| r.kind == RefKind::Call)
            .map(|r| r.path.clone())
            .collect();
        let has = |p: &[&str]| calls.iter().any(|c| c == p);
        assert!(has(&["Status", "OK"]), "{calls:?}");
        assert!(has(&["Compact"]));
        assert!(has(&["b", "Seek"]));
        assert!(has(&["this", "Compact"]));
        assert!(has(&["t", "Get"]));
        assert!(f
            .refs
            .iter()
            .any(|r| r.kind == RefKind::Create && r.path == ["Table"]));
        let b = f.locals.iter().find(|l| l.name == "b").unwrap();
        assert_eq!(b.ty, Some(TypeHint::Written("Block".into())));
        let t = f.locals.iter().find(|l| l.name == "t").unwrap();
        assert_eq!(t.ty, Some(TypeHint::Written("Table".into())));
        let s = f.locals.iter().find(|l| l.name == "s").unwrap();
        assert_eq!(
            s.ty,
            Some(TypeHint::Of(vec![
                "Status".into(),
                "OK".into(),
                "()".into()
            ]))
        );
    }
}
