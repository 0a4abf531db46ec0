//! Go front-end: functions, methods (under their receiver's type), types (structs,
//! interfaces with their methods, other types and aliases), constants and package variables,
//! each with its doc comment; the package comment; imports resolved through `go.mod`'s module
//! path to a file of the package's folder; calls, composite literals, types named, typed
//! parameters and locals, struct fields and embedded types for the references stage.
//!
//! Exported is Go's capitalisation: a name that starts with an upper-case letter (and, for a
//! method or an interface's method, whose type's name does too).

use tree_sitter::Node;

use super::{join, TypeHint};
use super::{lines_of, signature, text, visit_pruned, Binding, Field, FileFacts};
use super::{Import, ImportSpec, Local, RawRef, RefKind, RepoIndex, Symbol, SymbolKind};

pub(super) fn extract(root: Node, src: &[u8]) -> FileFacts {
    let mut facts = FileFacts::default();
    let mut cursor = root.walk();
    for node in root.named_children(&mut cursor) {
        match node.kind() {
            "package_clause" => {
                facts.module_doc = doc_comment(node, src);
                facts.package = node
                    .named_child(0)
                    .map(|n| text(n, src).to_string())
                    .unwrap_or_default();
            }
            "function_declaration" => function(node, src, &mut facts),
            "method_declaration" => method(node, src, &mut facts),
            "type_declaration" => types(node, src, &mut facts),
            "const_declaration" | "var_declaration" => values(node, src, &mut facts),
            "import_declaration" => imports(node, src, &mut facts),
            _ => {}
        }
    }
    references(root, src, &mut facts);
    facts
}

/// Go's rule for what a package exports.
fn is_exported(name: &str) -> bool {
    name.chars().next().is_some_and(char::is_uppercase)
}

fn function(node: Node, src: &[u8], facts: &mut FileFacts) {
    let Some(name) = node.child_by_field_name("name").map(|n| text(n, src)) else {
        return;
    };
    let (start_line, end_line) = lines_of(node);
    facts.symbols.push(Symbol {
        kind: SymbolKind::Function,
        name: name.to_string(),
        signature: signature(node, node.child_by_field_name("body"), src),
        doc: doc_comment(node, src),
        start_line,
        end_line,
        public: is_exported(name),
    });
}

fn method(node: Node, src: &[u8], facts: &mut FileFacts) {
    let Some(name) = node.child_by_field_name("name").map(|n| text(n, src)) else {
        return;
    };
    let receiver = node.child_by_field_name("receiver");
    // `func (s *Server[T]) Start()`: filed under `Server`.
    let owner = receiver
        .and_then(|r| r.named_child(0))
        .and_then(|p| p.child_by_field_name("type"))
        .and_then(|t| base_type(t, src));
    let (start_line, end_line) = lines_of(node);
    let qualified = match &owner {
        Some(t) => format!("{t}.{name}"),
        None => name.to_string(),
    };
    facts.symbols.push(Symbol {
        kind: SymbolKind::Method,
        name: qualified,
        signature: signature(node, node.child_by_field_name("body"), src),
        doc: doc_comment(node, src),
        start_line,
        end_line,
        public: is_exported(name) && owner.as_deref().is_some_and(is_exported),
    });
}

/// The type's name in a receiver or an embedded field: `*Server[T]` -> `Server`.
fn base_type(node: Node, src: &[u8]) -> Option<String> {
    let named = unwrap_type(node)?;
    (named.kind() == "type_identifier").then(|| text(named, src).to_string())
}

/// The named type inside pointers, parentheses and type arguments: `*(*List[T])` -> `List`.
/// A loop with a bound, not recursion: hostile code nests without end.
fn unwrap_type(mut node: Node) -> Option<Node> {
    for _ in 0..MAX_PATH_DEPTH {
        node = match node.kind() {
            "pointer_type" | "parenthesized_type" => node.named_child(0)?,
            "generic_type" => node.child_by_field_name("type")?,
            _ => return Some(node),
        };
    }
    None
}

/// `type X struct {…}`, `type ( A int; B = C )`: each spec is a symbol; an interface's
/// methods are its members; a struct's fields and embedded types go to the references stage.
fn types(decl: Node, src: &[u8], facts: &mut FileFacts) {
    let grouped = decl.child_by_field_name("type").is_none() && decl.named_child_count() > 1;
    let mut cursor = decl.walk();
    for spec in decl.named_children(&mut cursor) {
        if !matches!(spec.kind(), "type_spec" | "type_alias") {
            continue;
        }
        let Some(name) = spec.child_by_field_name("name").map(|n| text(n, src)) else {
            continue;
        };
        let ty = spec.child_by_field_name("type");
        let kind = match (spec.kind(), ty.map(|t| t.kind())) {
            (_, Some("struct_type")) => SymbolKind::Struct,
            (_, Some("interface_type")) => SymbolKind::Interface,
            _ => SymbolKind::Type,
        };
        // A lone spec is documented above `type`; a grouped one above itself.
        let (outer, doc) = match grouped {
            true => (spec, doc_comment(spec, src)),
            false => (decl, doc_comment(decl, src)),
        };
        let (start_line, end_line) = lines_of(outer);
        let body = match kind {
            SymbolKind::Struct | SymbolKind::Interface => ty.and_then(|t| {
                let mut c = t.walk();
                let list = t
                    .named_children(&mut c)
                    .find(|n| n.kind() == "field_declaration_list");
                list.or(Some(t))
            }),
            _ => None,
        };
        let sig = match (kind, body) {
            // `type Server struct`, `type Handler interface`: up to the braces.
            (SymbolKind::Struct | SymbolKind::Interface, _) => {
                let end = ty
                    .and_then(|t| t.child(0))
                    .map_or(spec.end_byte(), |kw| kw.end_byte());
                let head = String::from_utf8_lossy(&src[outer.start_byte()..end]);
                head.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .trim_end_matches('(')
                    .trim()
                    .to_string()
            }
            _ => signature(outer, None, src),
        };
        let sig = match grouped {
            true => format!("type {sig}"),
            false => sig,
        };
        facts.symbols.push(Symbol {
            kind,
            name: name.to_string(),
            signature: sig,
            doc,
            start_line,
            end_line,
            public: is_exported(name),
        });
        match (kind, ty) {
            (SymbolKind::Struct, Some(t)) => struct_fields(t, name, src, facts),
            (SymbolKind::Interface, Some(t)) => interface_methods(t, name, src, facts),
            _ => {}
        }
    }
}

fn struct_fields(ty: Node, owner: &str, src: &[u8], facts: &mut FileFacts) {
    let mut list = None;
    let mut c = ty.walk();
    for n in ty.named_children(&mut c) {
        if n.kind() == "field_declaration_list" {
            list = Some(n);
        }
    }
    let Some(list) = list else { return };
    let mut c = list.walk();
    for field in list.named_children(&mut c) {
        if field.kind() != "field_declaration" {
            continue;
        }
        let line = lines_of(field).0;
        let Some(t) = field.child_by_field_name("type") else {
            continue;
        };
        let mut names = Vec::new();
        let mut nc = field.walk();
        for n in field.children_by_field_name("name", &mut nc) {
            names.push(text(n, src).to_string());
        }
        if names.is_empty() {
            // An embedded type: its methods and fields are the struct's too.
            if let Some(path) = type_path(t, src) {
                let field_name = path.last().cloned().unwrap_or_default();
                facts.refs.push(RawRef {
                    kind: RefKind::Extends,
                    path,
                    line,
                    subject: vec![owner.to_string()],
                });
                names.push(field_name);
            }
        }
        let hint = written(t, src);
        for name in names {
            facts.fields.push(Field {
                name,
                ty: hint.clone(),
                line,
            });
        }
    }
}

fn interface_methods(ty: Node, owner: &str, src: &[u8], facts: &mut FileFacts) {
    let mut c = ty.walk();
    for elem in ty.named_children(&mut c) {
        match elem.kind() {
            "method_elem" => {
                let Some(name) = elem.child_by_field_name("name").map(|n| text(n, src)) else {
                    continue;
                };
                let (start_line, end_line) = lines_of(elem);
                facts.symbols.push(Symbol {
                    kind: SymbolKind::Method,
                    name: format!("{owner}.{name}"),
                    signature: signature(elem, None, src),
                    doc: doc_comment(elem, src),
                    start_line,
                    end_line,
                    public: is_exported(name) && is_exported(owner),
                });
            }
            // An embedded interface: its methods are this one's.
            "type_elem" => {
                let line = lines_of(elem).0;
                let mut tc = elem.walk();
                for t in elem.named_children(&mut tc) {
                    if let Some(path) = type_path(t, src) {
                        facts.refs.push(RawRef {
                            kind: RefKind::Extends,
                            path,
                            line,
                            subject: vec![owner.to_string()],
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

/// `const ( A = 1; B )`, `var ErrX = errors.New(…)`: one symbol per name.
fn values(decl: Node, src: &[u8], facts: &mut FileFacts) {
    let kind = match decl.kind() {
        "const_declaration" => SymbolKind::Const,
        _ => SymbolKind::Variable,
    };
    let mut specs = Vec::new();
    let mut cursor = decl.walk();
    for child in decl.named_children(&mut cursor) {
        match child.kind() {
            "const_spec" | "var_spec" => specs.push(child),
            "var_spec_list" => {
                let mut c = child.walk();
                specs.extend(
                    child
                        .named_children(&mut c)
                        .filter(|n| n.kind() == "var_spec"),
                );
            }
            _ => {}
        }
    }
    let grouped = specs.len() > 1 || text(decl, src).trim_end().ends_with(')');
    for spec in specs {
        let (outer, doc) = match grouped {
            true => (spec, doc_comment(spec, src)),
            false => (decl, doc_comment(decl, src)),
        };
        let (start_line, end_line) = lines_of(outer);
        let sig = signature(spec, None, src);
        let keyword = if kind == SymbolKind::Const {
            "const"
        } else {
            "var"
        };
        let mut c = spec.walk();
        for name in spec.children_by_field_name("name", &mut c) {
            let name = text(name, src);
            if name == "_" {
                continue;
            }
            facts.symbols.push(Symbol {
                kind,
                name: name.to_string(),
                signature: format!("{keyword} {sig}"),
                doc: doc.clone(),
                start_line,
                end_line,
                public: is_exported(name),
            });
        }
        // A package variable's type, for the references stage (`var DefaultClient = &Client{}`).
        if kind == SymbolKind::Variable {
            local_specs(spec, src, facts);
        }
    }
}

fn imports(decl: Node, src: &[u8], facts: &mut FileFacts) {
    let mut specs = Vec::new();
    let mut cursor = decl.walk();
    for child in decl.named_children(&mut cursor) {
        match child.kind() {
            "import_spec" => specs.push(child),
            "import_spec_list" => {
                let mut c = child.walk();
                specs.extend(
                    child
                        .named_children(&mut c)
                        .filter(|n| n.kind() == "import_spec"),
                );
            }
            _ => {}
        }
    }
    for spec in specs {
        let Some(path) = spec.child_by_field_name("path") else {
            continue;
        };
        let path = text(path, src).trim_matches(['"', '`']).to_string();
        if path.is_empty() {
            continue;
        }
        let alias = spec.child_by_field_name("name").map(|n| text(n, src));
        let local = match alias {
            Some("_") => None,
            Some(".") => Some("*".to_string()),
            Some(a) => Some(a.to_string()),
            None => Some(package_name_of(&path).to_string()),
        };
        if let Some(local) = local {
            facts.bindings.push(Binding {
                name: (local == "*").then(|| "*".to_string()),
                local,
                import: facts.imports.len() as u32,
            });
        }
        facts.imports.push(Import {
            spec: ImportSpec::Go(path),
            line: lines_of(spec).0,
            target: None,
        });
    }
}

/// The name a package is used by when imported without one: its path's last element, with a
/// major version (`/v2`) or a `.v3` suffix (gopkg.in) left out. (The package clause may say
/// otherwise; Go's own tools read it, we read the path, as most code's authors do.)
pub(crate) fn package_name_of(path: &str) -> &str {
    let mut segs = path.rsplit('/');
    let mut last = segs.next().unwrap_or(path);
    let is_major = |s: &str| {
        s.strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    if is_major(last) {
        last = segs.next().unwrap_or(last);
    }
    let last = match last.rsplit_once('.') {
        Some((name, v)) if is_major(v) => name,
        _ => last,
    };
    last.strip_prefix("go-").unwrap_or(last)
}

/// Calls, composite literals, types named, typed parameters and locals.
fn references(root: Node, src: &[u8], facts: &mut FileFacts) {
    visit_pruned(root, &mut |node| {
        let line = lines_of(node).0;
        match node.kind() {
            "call_expression" => {
                if let Some(f) = node.child_by_field_name("function") {
                    let at = f
                        .child_by_field_name("field")
                        .map_or(line, |m| lines_of(m).0);
                    facts.refs.push(RawRef {
                        kind: RefKind::Call,
                        path: value_path(f, src, 0),
                        line: at,
                        subject: vec![],
                    });
                }
            }
            "composite_literal" => {
                if let Some(path) = node
                    .child_by_field_name("type")
                    .and_then(|t| type_path(t, src))
                {
                    facts.refs.push(RawRef {
                        kind: RefKind::Create,
                        path,
                        line,
                        subject: vec![],
                    });
                }
            }
            "type_identifier" | "qualified_type" => {
                let is_name = node
                    .parent()
                    .and_then(|p| p.child_by_field_name("name"))
                    .is_some_and(|n| n.id() == node.id());
                if !is_name {
                    if let Some(path) = type_path(node, src) {
                        facts.refs.push(RawRef {
                            kind: RefKind::TypeUse,
                            path,
                            line,
                            subject: vec![],
                        });
                    }
                }
                return false;
            }
            "parameter_declaration" | "variadic_parameter_declaration" => {
                let hint = node
                    .child_by_field_name("type")
                    .and_then(|t| written(t, src));
                let mut c = node.walk();
                for name in node.children_by_field_name("name", &mut c) {
                    facts.locals.push(Local {
                        name: text(name, src).to_string(),
                        ty: hint.clone(),
                        line,
                    });
                }
            }
            "short_var_declaration" => {
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return true;
                };
                let mut lc = left.walk();
                let mut rc = right.walk();
                let values: Vec<Node> = right.named_children(&mut rc).collect();
                for (i, name) in left.named_children(&mut lc).enumerate() {
                    if name.kind() != "identifier" || text(name, src) == "_" {
                        continue;
                    }
                    // `a, b := f()` binds what f returns to a only.
                    let ty = match (values.len(), i) {
                        (1, 0) => Some(TypeHint::Of(value_path(values[0], src, 0))),
                        (n, i) if n > 1 && i < n => {
                            Some(TypeHint::Of(value_path(values[i], src, 0)))
                        }
                        _ => None,
                    };
                    facts.locals.push(Local {
                        name: text(name, src).to_string(),
                        ty,
                        line,
                    });
                }
            }
            "var_spec" => {
                // Package variables are read with their declaration (see `values`); a `var`
                // whose declaration is not the file's own is a local.
                let in_function = node
                    .parent()
                    .and_then(|d| {
                        if d.kind() == "var_spec_list" {
                            d.parent()
                        } else {
                            Some(d)
                        }
                    })
                    .and_then(|d| d.parent())
                    .is_some_and(|p| p.kind() != "source_file");
                if in_function {
                    local_specs(node, src, facts);
                }
            }
            _ => {}
        }
        true
    });
}

/// `var x T`, `var x = f()`: the names with the type given or shown.
fn local_specs(spec: Node, src: &[u8], facts: &mut FileFacts) {
    let line = lines_of(spec).0;
    let hint = match (
        spec.child_by_field_name("type"),
        spec.child_by_field_name("value"),
    ) {
        (Some(t), _) => written(t, src),
        (None, Some(v)) if v.named_child_count() == 1 => Some(TypeHint::Of(value_path(
            v.named_child(0).unwrap_or(v),
            src,
            0,
        ))),
        _ => None,
    };
    let mut c = spec.walk();
    for name in spec.children_by_field_name("name", &mut c) {
        facts.locals.push(Local {
            name: text(name, src).to_string(),
            ty: hint.clone(),
            line,
        });
    }
}

/// A type as the references stage reads it: a named type, through pointers; a slice, map,
/// channel or function type is no type of the repository's.
fn written(mut t: Node, src: &[u8]) -> Option<TypeHint> {
    while matches!(t.kind(), "pointer_type" | "parenthesized_type") {
        t = unwrap_type(t)?;
    }
    match t.kind() {
        "type_identifier" | "qualified_type" | "generic_type" => {
            Some(TypeHint::Written(text(t, src).to_string()))
        }
        _ => None,
    }
}

/// `Server` -> `["Server"]`, `http.Handler` -> `["http", "Handler"]`, `*List[T]` -> `["List"]`.
fn type_path(t: Node, src: &[u8]) -> Option<Vec<String>> {
    let t = unwrap_type(t)?;
    match t.kind() {
        "type_identifier" => Some(vec![text(t, src).to_string()]),
        "qualified_type" => Some(vec![
            text(t.child_by_field_name("package")?, src).to_string(),
            text(t.child_by_field_name("name")?, src).to_string(),
        ]),
        _ => None,
    }
}

/// Paths deeper than this are not followed: hostile code nests without end.
const MAX_PATH_DEPTH: u32 = 32;

/// `s.store.Get` -> `["s", "store", "Get"]`, `NewServer().Start` -> `["NewServer", "()",
/// "Start"]`, `&Config{}` -> `["Config", "()"]`; a value the code does not name is `"?"`.
fn value_path(node: Node, src: &[u8], depth: u32) -> Vec<String> {
    let unknown = || vec!["?".to_string()];
    if depth > MAX_PATH_DEPTH {
        return unknown();
    }
    match node.kind() {
        "identifier" | "package_identifier" | "field_identifier" | "type_identifier" => {
            vec![text(node, src).to_string()]
        }
        "selector_expression" => {
            let (Some(operand), Some(field)) = (
                node.child_by_field_name("operand"),
                node.child_by_field_name("field"),
            ) else {
                return unknown();
            };
            let mut path = value_path(operand, src, depth + 1);
            path.push(text(field, src).to_string());
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
        "composite_literal" => match node
            .child_by_field_name("type")
            .and_then(|t| type_path(t, src))
        {
            Some(mut path) => {
                path.push("()".into());
                path
            }
            None => unknown(),
        },
        "unary_expression" if node.child(0).is_some_and(|op| op.kind() == "&") => node
            .child_by_field_name("operand")
            .map(|n| value_path(n, src, depth + 1))
            .unwrap_or_else(unknown),
        "parenthesized_expression" => node
            .named_child(0)
            .map(|n| value_path(n, src, depth + 1))
            .unwrap_or_else(unknown),
        _ => unknown(),
    }
}

/// The `//` lines or the `/* */` block right above a declaration, with no blank line between;
/// directives (`//go:generate`, `//nolint`) are not part of the doc.
fn doc_comment(node: Node, src: &[u8]) -> String {
    let comments = super::comments_above(node, node.prev_sibling());
    let lines: Vec<String> = comments
        .iter()
        .rev()
        .filter_map(|p| {
            let t = text(*p, src);
            match t.strip_prefix("//") {
                Some(rest) if is_directive(rest) => None,
                Some(rest) => Some(
                    rest.strip_prefix(' ')
                        .unwrap_or(rest)
                        .trim_end()
                        .to_string(),
                ),
                None => Some(super::rust::clean_block(t)),
            }
        })
        .collect();
    lines.join("\n").trim_matches('\n').to_string()
}

/// `//go:build`, `//go:generate`, `//nolint:…`, `//export f`, `//line f:1`: for tools.
fn is_directive(rest: &str) -> bool {
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '_')
        .collect();
    !rest.starts_with(' ')
        && (word.contains(':') || word == "nolint" || word == "export" || word == "line")
}

/// The file that stands for the package an import path names: the folder under the module
/// whose path prefixes it, and in that folder the file named after the package, else
/// `doc.go`, else its first Go file that is not a test. The references stage finds the
/// package's other files from it (see `RepoIndex::package_mates`).
pub(super) fn resolve(spec: &ImportSpec, _from: &str, index: &RepoIndex) -> Option<String> {
    let ImportSpec::Go(path) = spec else {
        return None;
    };
    let (module, dir) = index
        .go_modules
        .iter()
        .filter(|(m, _)| {
            path == *m || (path.starts_with(m.as_str()) && path.as_bytes()[m.len()] == b'/')
        })
        .max_by_key(|(m, _)| m.len())?;
    let rel = path[module.len()..].trim_start_matches('/');
    let folder = match rel.is_empty() {
        true => dir.clone(),
        false => join(dir, rel),
    };
    package_file(&folder, index)
}

/// The file that stands for the Go package in `folder` (see `resolve`).
pub(super) fn package_file(folder: &str, index: &RepoIndex) -> Option<String> {
    let prefix = match folder.is_empty() {
        true => String::new(),
        false => format!("{folder}/"),
    };
    let files: Vec<&str> = index
        .paths
        .range(prefix.as_str()..)
        .take_while(|p| p.starts_with(prefix.as_str()))
        .filter(|p| {
            let name = &p[prefix.len()..];
            !name.contains('/') && name.ends_with(".go") && !name.ends_with("_test.go")
        })
        .copied()
        .collect();
    let name = folder.rsplit('/').next().unwrap_or(folder);
    let named = format!("{prefix}{name}.go");
    let doc = format!("{prefix}doc.go");
    files
        .iter()
        .find(|p| **p == named)
        .or_else(|| files.iter().find(|p| **p == doc))
        .or(files.first())
        .map(|p| p.to_string())
}

/// The module path a `go.mod` declares.
pub(crate) fn module_path(go_mod: &str) -> Option<String> {
    go_mod.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("module")?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let m = rest.split("//").next()?.trim().trim_matches('"');
        (!m.is_empty()).then(|| m.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_support::{facts, symbol};
    use crate::snapshot::Language;

    const CODE: &str = r#"// Package store keeps things.
//
// It is small.
package store

import (
	"fmt"
	st "strings"
	_ "embed"
	"example.com/app/internal/db"
	"gopkg.in/yaml.v3"
)

// MaxItems bounds a store.
const MaxItems = 10

const (
	// A is first.
	A = iota
	b
)

// ErrFull is returned when the store is full.
var ErrFull = fmt.Errorf("full")

// Store holds items.
//
//go:generate stringer
type Store struct {
	db    *db.Conn
	items []string
	Base
}

// Getter gets.
type Getter interface {
	// Get returns one.
	Get(key string) (string, error)
	io.Reader
}

type (
	// ID names a thing.
	ID string
	alias = Store
)

// New makes a store.
func New(conn *db.Conn) *Store {
	s := &Store{db: conn}
	return s
}

// Put adds one.
func (s *Store) Put(item string) error {
	s.db.Exec(st.ToUpper(item)) // trailing
	return nil
}

func (s Store) get() {}

func helper[T any](x T) T { return x }
"#;

    #[test]
    fn symbols_docs_and_visibility() {
        let f = facts(Language::Go, CODE);
        assert_eq!(f.module_doc, "Package store keeps things.\n\nIt is small.");
        assert_eq!(f.package, "store");
        let c = symbol(&f, "MaxItems");
        assert_eq!(c.kind, SymbolKind::Const);
        assert_eq!(c.doc, "MaxItems bounds a store.");
        assert!(c.public);
        assert_eq!(symbol(&f, "A").doc, "A is first.");
        assert!(!symbol(&f, "b").public);
        let v = symbol(&f, "ErrFull");
        assert_eq!(v.kind, SymbolKind::Variable);
        assert_eq!(v.signature, "var ErrFull = fmt.Errorf(\"full\")");
        let s = symbol(&f, "Store");
        assert_eq!(s.kind, SymbolKind::Struct);
        assert_eq!(s.doc, "Store holds items.");
        assert_eq!(s.signature, "type Store struct");
        assert_eq!((s.start_line, s.end_line), (29, 33));
        let i = symbol(&f, "Getter");
        assert_eq!(i.kind, SymbolKind::Interface);
        let get = symbol(&f, "Getter.Get");
        assert_eq!(get.kind, SymbolKind::Method);
        assert_eq!(get.doc, "Get returns one.");
        assert_eq!(get.signature, "Get(key string) (string, error)");
        let id = symbol(&f, "ID");
        assert_eq!(
            (id.kind, id.doc.as_str()),
            (SymbolKind::Type, "ID names a thing.")
        );
        assert_eq!(id.signature, "type ID string");
        assert!(!symbol(&f, "alias").public);
        let new = symbol(&f, "New");
        assert_eq!(new.kind, SymbolKind::Function);
        assert_eq!(new.signature, "func New(conn *db.Conn) *Store");
        let put = symbol(&f, "Store.Put");
        assert_eq!((put.kind, put.public), (SymbolKind::Method, true));
        assert_eq!(put.doc, "Put adds one.");
        assert!(!symbol(&f, "Store.get").public);
        assert_eq!(symbol(&f, "helper").kind, SymbolKind::Function);
    }

    #[test]
    fn imports_bind_their_package_names() {
        let f = facts(Language::Go, CODE);
        let specs: Vec<String> = f.imports.iter().map(|i| i.spec.display()).collect();
        assert_eq!(
            specs,
            [
                "import \"fmt\"",
                "import \"strings\"",
                "import \"embed\"",
                "import \"example.com/app/internal/db\"",
                "import \"gopkg.in/yaml.v3\""
            ]
        );
        let locals: Vec<&str> = f.bindings.iter().map(|b| b.local.as_str()).collect();
        assert_eq!(locals, ["fmt", "st", "db", "yaml"]);
        assert!(f.bindings.iter().all(|b| b.name.is_none()));
        assert_eq!(package_name_of("github.com/x/y/v2"), "y");
        assert_eq!(package_name_of("github.com/mattn/go-isatty"), "isatty");
    }

    #[test]
    fn references_fields_and_locals() {
        let f = facts(Language::Go, CODE);
        let calls: Vec<Vec<String>> = f
            .refs
            .iter()
            .filter(|r| r.kind == RefKind::Call)
            .map(|r| r.path.clone())
            .collect();
        assert!(calls.contains(&vec!["s".into(), "db".into(), "Exec".into()]));
        assert!(calls.contains(&vec!["st".into(), "ToUpper".into()]));
        assert!(f
            .refs
            .iter()
            .any(|r| r.kind == RefKind::Create && r.path == ["Store"]));
        assert!(f
            .refs
            .iter()
            .any(|r| r.kind == RefKind::Extends && r.path == ["Base"] && r.subject == ["Store"]));
        let db = f.fields.iter().find(|x| x.name == "db").unwrap();
        assert_eq!(db.ty, Some(TypeHint::Written("db.Conn".into())));
        let s = f
            .locals
            .iter()
            .find(|l| l.name == "s" && l.line == 50)
            .unwrap();
        assert_eq!(s.ty, Some(TypeHint::Of(vec!["Store".into(), "()".into()])));
        let recv = f
            .locals
            .iter()
            .find(|l| l.name == "s" && l.line == 55)
            .unwrap();
        assert_eq!(recv.ty, Some(TypeHint::Written("Store".into())));
    }

    #[test]
    fn module_paths_and_package_files() {
        assert_eq!(
            module_path("// c\nmodule github.com/a/b // x\n\ngo 1.22\n").as_deref(),
            Some("github.com/a/b")
        );
        assert_eq!(module_path("modules x\n"), None);
        let snapshot = crate::parse::test_support::snapshot(&[
            "go.mod",
            "store/store.go",
            "store/util.go",
            "store/store_test.go",
            "api/handler.go",
            "api/doc.go",
            "cmd/app/main.go",
        ]);
        let mut index = RepoIndex::new(&snapshot, &Default::default());
        index
            .go_modules
            .insert("example.com/app".into(), String::new());
        let r = |p: &str| resolve(&ImportSpec::Go(p.into()), "x.go", &index);
        assert_eq!(
            r("example.com/app/store").as_deref(),
            Some("store/store.go")
        );
        assert_eq!(r("example.com/app/api").as_deref(), Some("api/doc.go"));
        assert_eq!(
            r("example.com/app/cmd/app").as_deref(),
            Some("cmd/app/main.go")
        );
        assert_eq!(r("example.com/application"), None);
        assert_eq!(r("fmt"), None);
    }
}
