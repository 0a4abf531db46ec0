//! Python front-end: functions, classes and their methods with docstrings, the module
//! docstring, `import` / `from … import` resolved to modules of the repo.

use std::collections::BTreeSet;

use tree_sitter::Node;

use super::{join, lines_of, normalize, parent_dir, signature, text, visit_pruned, Binding};
use super::{Field, FileFacts, Import, ImportSpec, Local, RawRef, RefKind, RepoIndex, Symbol};
use super::{SymbolKind, TypeHint};

pub(super) fn extract(root: Node, src: &[u8]) -> FileFacts {
    let mut facts = FileFacts {
        module_doc: docstring(root, src),
        ..Default::default()
    };
    block(root, src, "", &mut facts, 0);
    references(root, src, &mut facts);
    facts
}

/// How deep classes, nested functions and conditional blocks are followed; deeper ones are
/// left out, so a hostile file cannot exhaust the stack.
const MAX_NESTING: usize = 32;

/// The statements that hold others at the level they stand at: a definition under
/// `if TYPE_CHECKING:`, `try:`/`except ImportError:` or `with` is the module's (or class's).
const COMPOUND: &[&str] = &[
    "if_statement",
    "try_statement",
    "with_statement",
    "elif_clause",
    "else_clause",
    "except_clause",
    "except_group_clause",
    "finally_clause",
];

fn block(list: Node, src: &[u8], class: &str, facts: &mut FileFacts, depth: usize) {
    if depth > MAX_NESTING {
        return;
    }
    let mut cursor = list.walk();
    for child in list.named_children(&mut cursor) {
        if COMPOUND.contains(&child.kind()) {
            let mut c = child.walk();
            for part in child.named_children(&mut c) {
                match part.kind() {
                    "block" => block(part, src, class, facts, depth + 1),
                    k if COMPOUND.contains(&k) => {
                        let mut pc = part.walk();
                        let blocks: Vec<Node> = part
                            .named_children(&mut pc)
                            .filter(|b| b.kind() == "block")
                            .collect();
                        for b in blocks {
                            block(b, src, class, facts, depth + 1);
                        }
                    }
                    _ => {}
                }
            }
            continue;
        }
        let node = if child.kind() == "decorated_definition" {
            match child.child_by_field_name("definition") {
                Some(d) => d,
                None => continue,
            }
        } else {
            child
        };
        match node.kind() {
            "function_definition" | "class_definition" => {
                definition(child, node, src, class, false, facts, depth)
            }
            "import_statement" if class.is_empty() => {
                let mut c = node.walk();
                for name in node.children_by_field_name("name", &mut c) {
                    let (module, alias) = match name.kind() {
                        "aliased_import" => (
                            name.child_by_field_name("name").map(|n| text(n, src)),
                            name.child_by_field_name("alias").map(|n| text(n, src)),
                        ),
                        _ => (Some(text(name, src)), None),
                    };
                    if let Some(module) = module {
                        facts.bindings.push(Binding {
                            local: alias.unwrap_or(module).to_string(),
                            import: facts.imports.len() as u32,
                            name: None,
                        });
                        facts.imports.push(Import {
                            spec: ImportSpec::Python {
                                level: 0,
                                module: module.to_string(),
                                names: vec![],
                            },
                            line: lines_of(node).0,
                            target: None,
                        });
                    }
                }
            }
            "import_from_statement" if class.is_empty() => {
                if let Some((spec, bound)) = from_import(node, src) {
                    for (name, local) in bound {
                        facts.bindings.push(Binding {
                            local,
                            import: facts.imports.len() as u32,
                            name: Some(name),
                        });
                    }
                    facts.imports.push(Import {
                        spec,
                        line: lines_of(node).0,
                        target: None,
                    });
                }
            }
            "expression_statement" if class.is_empty() => constant(node, src, facts),
            _ => {}
        }
    }
}

/// A function, method or class (`outer` is its decorated form, when it has one); `local`: it
/// is defined in a function's body, where only that function sees it.
fn definition(
    outer: Node,
    node: Node,
    src: &[u8],
    class: &str,
    local: bool,
    facts: &mut FileFacts,
    depth: usize,
) {
    let Some(name) = node.child_by_field_name("name").map(|n| text(n, src)) else {
        return;
    };
    let is_class = node.kind() == "class_definition";
    let kind = match (is_class, class.is_empty() || local) {
        (true, _) => SymbolKind::Class,
        (false, true) => SymbolKind::Function,
        (false, false) => SymbolKind::Method,
    };
    let body = node.child_by_field_name("body");
    let qualified = format!("{class}{name}");
    let (start_line, end_line) = lines_of(outer);
    let sig = signature(node, body, src);
    facts.symbols.push(Symbol {
        kind,
        name: qualified.clone(),
        signature: sig.trim_end_matches(':').trim_end().to_string(),
        doc: body.map(|b| docstring(b, src)).unwrap_or_default(),
        start_line,
        end_line,
        public: !local && is_public(name) && (class.is_empty() || is_public(class)),
    });
    let Some(b) = body else { return };
    if is_class && !local {
        block(b, src, &format!("{qualified}."), facts, depth + 1);
        return;
    }
    if depth >= MAX_NESTING {
        return;
    }
    // The functions and classes a body defines for itself (a decorator's `wrapper`): named
    // under it, private to it.
    let mut inner = Vec::new();
    visit_pruned(b, &mut |n| match n.kind() {
        "function_definition" | "class_definition" => {
            inner.push((n, n));
            false
        }
        "decorated_definition" => {
            if let Some(d) = n.child_by_field_name("definition") {
                inner.push((n, d));
            }
            false
        }
        "lambda" => false,
        _ => true,
    });
    let prefix = format!("{qualified}.");
    for (o, d) in inner {
        definition(o, d, src, &prefix, true, facts, depth + 1);
    }
}

/// The import and the names it binds: (name in the module, local name).
type FromImport = (ImportSpec, Vec<(String, String)>);

fn from_import(node: Node, src: &[u8]) -> Option<FromImport> {
    let module_node = node.child_by_field_name("module_name")?;
    let raw = text(module_node, src);
    let level = raw.chars().take_while(|&c| c == '.').count();
    let module = raw[level..].to_string();
    let mut names = Vec::new();
    let mut bound = Vec::new();
    let mut c = node.walk();
    for name in node.children_by_field_name("name", &mut c) {
        let (n, alias) = match name.kind() {
            "aliased_import" => (
                name.child_by_field_name("name").map(|n| text(n, src)),
                name.child_by_field_name("alias").map(|n| text(n, src)),
            ),
            _ => (Some(text(name, src)), None),
        };
        if let Some(n) = n {
            names.push(n.to_string());
            bound.push((n.to_string(), alias.unwrap_or(n).to_string()));
        }
    }
    if names.is_empty() {
        names.push("*".into());
        bound.push(("*".into(), "*".into()));
    }
    let spec = ImportSpec::Python {
        level,
        module,
        names,
    };
    Some((spec, bound))
}

/// `NAME = …` at module level, in capitals: a constant by convention.
fn constant(node: Node, src: &[u8], facts: &mut FileFacts) {
    let Some(assign) = node.named_child(0).filter(|n| n.kind() == "assignment") else {
        return;
    };
    let Some(left) = assign.child_by_field_name("left") else {
        return;
    };
    let name = text(left, src);
    let is_constant = left.kind() == "identifier"
        && name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if is_constant {
        let (start_line, end_line) = lines_of(node);
        facts.symbols.push(Symbol {
            kind: SymbolKind::Const,
            name: name.to_string(),
            signature: signature(node, None, src),
            doc: String::new(),
            start_line,
            end_line,
            public: is_public(name),
        });
    }
}

/// Calls, creations (a class called), annotations, base classes, typed locals and the fields
/// `self.x = …` sets.
fn references(root: Node, src: &[u8], facts: &mut FileFacts) {
    visit_pruned(root, &mut |node| {
        let line = lines_of(node).0;
        match node.kind() {
            "call" => {
                if let Some(f) = node.child_by_field_name("function") {
                    let path = value_path(f, src);
                    // A chained call is cited on the line of its method, not of the chain.
                    let at = f
                        .child_by_field_name("attribute")
                        .map_or(line, |m| lines_of(m).0);
                    facts.refs.push(RawRef {
                        kind: RefKind::Call,
                        path,
                        line: at,
                        subject: vec![],
                    });
                }
            }
            "class_definition" => {
                let subject = class_path(node, src);
                if let Some(bases) = node.child_by_field_name("superclasses") {
                    let mut c = bases.walk();
                    for base in bases.named_children(&mut c) {
                        if matches!(base.kind(), "identifier" | "attribute") {
                            facts.refs.push(RawRef {
                                kind: RefKind::Extends,
                                path: value_path(base, src),
                                line,
                                subject: subject.clone(),
                            });
                        }
                    }
                }
            }
            "type" => {
                visit_pruned(node, &mut |t| match t.kind() {
                    "identifier" | "attribute" => {
                        let path = value_path(t, src);
                        if !path.iter().any(|s| s == "?") {
                            facts.refs.push(RawRef {
                                kind: RefKind::TypeUse,
                                path,
                                line: lines_of(t).0,
                                subject: vec![],
                            });
                        }
                        false
                    }
                    "string" => false,
                    _ => true,
                });
                return false;
            }
            "typed_parameter" | "typed_default_parameter" => {
                let name = match node.kind() {
                    "typed_parameter" => node.named_child(0),
                    _ => node.child_by_field_name("name"),
                };
                if let (Some(name), Some(t)) = (
                    name.filter(|n| n.kind() == "identifier"),
                    node.child_by_field_name("type"),
                ) {
                    facts.locals.push(Local {
                        name: text(name, src).to_string(),
                        ty: Some(TypeHint::Written(text(t, src).to_string())),
                        line,
                    });
                }
            }
            "assignment" => {
                let (Some(left), right) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return true;
                };
                let ty = match (node.child_by_field_name("type"), right) {
                    (Some(t), _) => Some(TypeHint::Written(text(t, src).to_string())),
                    (None, Some(r)) => Some(TypeHint::Of(value_path(r, src))),
                    (None, None) => None,
                };
                match left.kind() {
                    "identifier" => facts.locals.push(Local {
                        name: text(left, src).to_string(),
                        ty: ty.clone(),
                        line,
                    }),
                    "attribute" => {
                        let object = left.child_by_field_name("object");
                        if object.is_some_and(|o| text(o, src) == "self") {
                            if let Some(attr) = left.child_by_field_name("attribute") {
                                facts.fields.push(Field {
                                    name: text(attr, src).to_string(),
                                    ty: ty.clone(),
                                    line,
                                });
                            }
                        }
                    }
                    _ => {}
                }
                // A class body's `x: Foo` declares a field (its line is inside the class).
                if left.kind() == "identifier" && is_class_level(node) {
                    facts.fields.push(Field {
                        name: text(left, src).to_string(),
                        ty,
                        line,
                    });
                }
            }
            _ => {}
        }
        true
    });
}

/// An assignment directly in a class body.
fn is_class_level(assignment: Node) -> bool {
    let block = assignment.parent().and_then(|s| s.parent());
    block
        .and_then(|b| b.parent())
        .is_some_and(|c| c.kind() == "class_definition")
}

/// `Outer.Inner` for a nested class.
fn class_path(node: Node, src: &[u8]) -> Vec<String> {
    let mut path = vec![];
    let mut n = Some(node);
    while let Some(c) = n {
        if c.kind() == "class_definition" {
            if let Some(name) = c.child_by_field_name("name") {
                path.push(text(name, src).to_string());
            }
        }
        if c.kind() == "function_definition" {
            break;
        }
        n = c.parent();
    }
    path.reverse();
    path
}

/// `self.store.get` -> `["self", "store", "get"]`, `Store().get` -> `["Store", "()", "get"]`,
/// `super().save` -> `["super", "()", "save"]`; a value the code does not name is `"?"`.
fn value_path(node: Node, src: &[u8]) -> Vec<String> {
    value_path_within(node, src, 0)
}

/// Paths deeper than this are not followed: hostile code nests without end.
const MAX_PATH_DEPTH: u32 = 32;

fn value_path_within(node: Node, src: &[u8], depth: u32) -> Vec<String> {
    if depth > MAX_PATH_DEPTH {
        return vec!["?".into()];
    }
    match node.kind() {
        "identifier" => vec![text(node, src).to_string()],
        "attribute" => {
            let (Some(object), Some(attr)) = (
                node.child_by_field_name("object"),
                node.child_by_field_name("attribute"),
            ) else {
                return vec!["?".into()];
            };
            let mut p = value_path_within(object, src, depth + 1);
            p.push(text(attr, src).to_string());
            p
        }
        "call" => {
            let mut p = node
                .child_by_field_name("function")
                .map(|f| value_path_within(f, src, depth + 1))
                .unwrap_or_else(|| vec!["?".into()]);
            p.push("()".into());
            p
        }
        "await" | "parenthesized_expression" => node
            .named_child(0)
            .map(|n| value_path_within(n, src, depth + 1))
            .unwrap_or_else(|| vec!["?".into()]),
        _ => vec!["?".into()],
    }
}

fn is_public(name: &str) -> bool {
    !name.starts_with('_') || (name.starts_with("__") && name.ends_with("__"))
}

/// The string that opens a module or a body, cleaned like `inspect.cleandoc`.
fn docstring(body: Node, src: &[u8]) -> String {
    let Some(first) = body.named_child(0) else {
        return String::new();
    };
    let string = match first.kind() {
        "expression_statement" => first.named_child(0).filter(|n| n.kind() == "string"),
        _ => None,
    };
    let Some(string) = string else {
        return String::new();
    };
    let raw = text(string, src);
    let raw = raw.trim_start_matches(|c: char| "rRuUbBfF".contains(c));
    let inner = ["\"\"\"", "'''", "\"", "'"]
        .iter()
        .find_map(|q| raw.strip_prefix(q).and_then(|r| r.strip_suffix(q)))
        .unwrap_or(raw);
    cleandoc(inner)
}

fn cleandoc(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let indent = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<String> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            out.push(l.trim().to_string());
        } else {
            out.push(l.get(indent..).unwrap_or("").trim_end().to_string());
        }
    }
    out.join("\n").trim().to_string()
}

/// The dotted names by which `path` can be imported: counted from the repository root and
/// from every folder that is not itself a package (no `__init__.py`), e.g. `src/`.
pub(super) fn module_keys(path: &str, paths: &BTreeSet<&str>) -> Vec<String> {
    let no_ext = path.trim_end_matches(".pyi").trim_end_matches(".py");
    let mut parts: Vec<&str> = no_ext.split('/').collect();
    if parts.last() == Some(&"__init__") {
        parts.pop();
    }
    let mut keys = Vec::new();
    for start in 0..parts.len() {
        let root = parts[..start].join("/");
        let is_root = start == 0 || !paths.contains(join(&root, "__init__.py").as_str());
        if is_root {
            keys.push(parts[start..].join("."));
        }
    }
    keys
}

fn module_file(dir: &str, dotted: &str, index: &RepoIndex) -> Option<String> {
    let base = if dotted.is_empty() {
        dir.to_string()
    } else {
        join(dir, &dotted.replace('.', "/"))
    };
    [
        format!("{base}.py"),
        format!("{base}.pyi"),
        join(&base, "__init__.py"),
    ]
    .into_iter()
    .find(|c| !base.is_empty() && index.has(c))
}

fn absolute(dotted: &str, index: &RepoIndex) -> Option<String> {
    let parts: Vec<&str> = dotted.split('.').collect();
    for n in (1..=parts.len()).rev() {
        if let Some(files) = index.python_modules.get(&parts[..n].join(".")) {
            // The shortest path is the one nearest a root, as on a typical sys.path.
            return files
                .iter()
                .min_by_key(|p| (p.len(), p.to_string()))
                .map(|p| p.to_string());
        }
    }
    None
}

pub(super) fn resolve(spec: &ImportSpec, path: &str, index: &RepoIndex) -> Option<String> {
    let ImportSpec::Python {
        level,
        module,
        names,
    } = spec
    else {
        return None;
    };
    let first_name = names.first().filter(|n| *n != "*");
    if *level == 0 {
        // `from a.b import c` names module a.b.c when there is one, else something in a.b.
        let full = match first_name {
            Some(name) => format!("{module}.{name}"),
            None => module.clone(),
        };
        return absolute(&full, index);
    }
    let up = "../".repeat(level - 1);
    let dir = normalize(parent_dir(path), &up)?;
    if let Some(name) = first_name {
        let sub = if module.is_empty() {
            name.clone()
        } else {
            format!("{module}.{name}")
        };
        if let Some(f) = module_file(&dir, &sub, index) {
            return Some(f);
        }
    }
    module_file(&dir, module, index)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{facts, snapshot, symbol};
    use super::*;
    use crate::snapshot::Language;

    const CODE: &str = r#""""Storage of widgets.

Keeps them safe.
"""
import os.path
from . import util
from ..core.models import Widget as W, Gadget
MAX_SIZE = 10

@decorator
def load(path: str) -> "Widget":
    """Load a widget."""
    return W(path)

class Store(Base):
    '''A store.'''
    def __init__(self):
        pass
    def _secret(self):
        pass

def _private():
    pass
"#;

    #[test]
    fn symbols_and_docstrings() {
        let f = facts(Language::Python, CODE);
        assert_eq!(f.module_doc, "Storage of widgets.\n\nKeeps them safe.");
        let load = symbol(&f, "load");
        assert_eq!(load.signature, "def load(path: str) -> \"Widget\"");
        assert_eq!(load.doc, "Load a widget.");
        assert_eq!(load.start_line, 10, "decorators belong to the symbol");
        let store = symbol(&f, "Store");
        assert_eq!(store.kind, SymbolKind::Class);
        assert_eq!(store.doc, "A store.");
        assert!(symbol(&f, "Store.__init__").public);
        assert!(!symbol(&f, "Store._secret").public);
        assert!(!symbol(&f, "_private").public);
        assert_eq!(symbol(&f, "MAX_SIZE").kind, SymbolKind::Const);
    }

    #[test]
    fn nested_and_conditional_definitions_are_listed() {
        let code = "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from .app import Flask\n\n    class AppProxy(Flask):\n        def current(self): ...\nelse:\n    AppProxy = object\n\ntry:\n    import ujson as json\nexcept ImportError:\n    def dumps(o):\n        return ''\n\nclass Scaffold:\n    def route(self, rule):\n        \"\"\"Registers a view.\"\"\"\n        def decorator(f):\n            for _ in []:\n                def inner(): pass\n            return f\n        return decorator\n";
        let f = facts(Language::Python, code);
        assert_eq!(symbol(&f, "AppProxy").kind, SymbolKind::Class);
        assert_eq!(symbol(&f, "AppProxy.current").kind, SymbolKind::Method);
        assert_eq!(symbol(&f, "dumps").kind, SymbolKind::Function);
        let decorator = symbol(&f, "Scaffold.route.decorator");
        assert_eq!(decorator.kind, SymbolKind::Function);
        assert!(!decorator.public);
        assert!(!symbol(&f, "Scaffold.route.decorator.inner").public);
        assert!(symbol(&f, "Scaffold.route").public);
        // An import under `if TYPE_CHECKING:` is read like any other.
        assert!(f.bindings.iter().any(|b| b.local == "Flask"));
    }

    #[test]
    fn imports_are_read() {
        let f = facts(Language::Python, CODE);
        let specs: Vec<String> = f.imports.iter().map(|i| i.spec.display()).collect();
        assert_eq!(
            specs,
            [
                "import os.path",
                "from . import util",
                "from ..core.models import Widget, Gadget"
            ]
        );
    }

    #[test]
    fn imports_resolve_to_repo_modules() {
        let snap = snapshot(&[
            "src/app/__init__.py",
            "src/app/store/__init__.py",
            "src/app/store/widgets.py",
            "src/app/store/util.py",
            "src/app/core/models.py",
            "scripts/run.py",
            "scripts/helper.py",
        ]);
        let index = RepoIndex::new(&snap, &Default::default());
        let py = |level, module: &str, names: &[&str]| ImportSpec::Python {
            level,
            module: module.into(),
            names: names.iter().map(|s| s.to_string()).collect(),
        };
        let from = "src/app/store/widgets.py";
        let r = |spec: ImportSpec, from: &str| resolve(&spec, from, &index);
        assert_eq!(
            r(py(1, "", &["util"]), from).as_deref(),
            Some("src/app/store/util.py")
        );
        assert_eq!(
            r(py(2, "core.models", &["Widget"]), from).as_deref(),
            Some("src/app/core/models.py")
        );
        assert_eq!(
            r(py(0, "app.core.models", &[]), from).as_deref(),
            Some("src/app/core/models.py")
        );
        assert_eq!(
            r(py(0, "app.store", &["util"]), from).as_deref(),
            Some("src/app/store/util.py")
        );
        assert_eq!(
            r(py(0, "helper", &[]), "scripts/run.py").as_deref(),
            Some("scripts/helper.py")
        );
        assert_eq!(r(py(0, "os.path", &[]), from), None);
        // A module inside a package is not importable by its bare name.
        assert_eq!(r(py(0, "util", &[]), from), None);
    }
}
