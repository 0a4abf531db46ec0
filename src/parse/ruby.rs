//! Ruby front-end: classes and modules nested under their outer ones (`Outer::Inner`),
//! methods and singleton methods (`self.x`) under their class, constants; each with the `#`
//! comment right above it (YARD and RDoc); `private`/`protected` sections and `private def`;
//! the file's leading comment that is neither a magic comment nor a licence; `require` and
//! `require_relative` resolved to files of the repository; calls, `Class.new`, `include` and
//! `extend`, locals and instance variables for the references stage.

use tree_sitter::Node;

use super::{lines_of, normalize, parent_dir, signature, text, visit_pruned, Binding, Field};
use super::{FileFacts, Import, ImportSpec, Local, RawRef, RefKind, RepoIndex, Symbol};
use super::{SymbolKind, TypeHint};

pub(super) fn extract(root: Node, src: &[u8]) -> FileFacts {
    let mut facts = FileFacts {
        module_doc: file_doc(root, src),
        ..Default::default()
    };
    body(root, src, "", true, 0, &mut facts);
    references(root, src, &mut facts);
    facts
}

/// Past this, nested classes and modules are not read: hostile code nests without end.
const MAX_DEPTH: usize = 32;

/// The statements of a program, class or module body.
fn body(
    list: Node,
    src: &[u8],
    owner: &str,
    owner_public: bool,
    depth: usize,
    facts: &mut FileFacts,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut public = true;
    let mut c = list.walk();
    for node in list.named_children(&mut c) {
        match node.kind() {
            "class" | "module" => {
                let Some(name) = node.child_by_field_name("name") else {
                    continue;
                };
                let name = text(name, src).trim_start_matches("::").to_string();
                let qualified = match owner {
                    "" => name,
                    o => format!("{o}::{name}"),
                };
                let (start_line, end_line) = lines_of(node);
                let body_node = node.child_by_field_name("body");
                let kind = match node.kind() {
                    "class" => SymbolKind::Class,
                    _ => SymbolKind::Module,
                };
                facts.symbols.push(Symbol {
                    kind,
                    name: qualified.clone(),
                    signature: first_line(node, src),
                    doc: doc_comment(node, src),
                    start_line,
                    end_line,
                    public: owner_public,
                });
                if let Some(sup) = node.child_by_field_name("superclass") {
                    if let Some(path) = sup.named_child(0).and_then(|t| constant_path(t, src)) {
                        facts.refs.push(RawRef {
                            kind: RefKind::Extends,
                            path,
                            line: start_line,
                            subject: segments(&qualified),
                        });
                    }
                }
                if let Some(b) = body_node {
                    body(b, src, &qualified, owner_public, depth + 1, facts);
                }
            }
            "method" | "singleton_method" => {
                method(node, src, owner, owner_public && public, facts);
            }
            "assignment" => {
                let Some(left) = node.child_by_field_name("left") else {
                    continue;
                };
                if left.kind() != "constant" {
                    continue;
                }
                let name = text(left, src);
                let (start_line, end_line) = lines_of(node);
                facts.symbols.push(Symbol {
                    kind: SymbolKind::Const,
                    name: match owner {
                        "" => name.to_string(),
                        o => format!("{o}::{name}"),
                    },
                    signature: first_line(node, src),
                    doc: doc_comment(node, src),
                    start_line,
                    end_line,
                    public: owner_public,
                });
            }
            "call" | "identifier" => {
                // Methods defined in a block (`included do … end`, `Class.new do … end`)
                // are the namespace's too.
                if let Some(block) = node.child_by_field_name("block") {
                    if let Some(b) = block.child_by_field_name("body") {
                        body(b, src, owner, owner_public && public, depth + 1, facts);
                    }
                }
                let (method_name, args) = match node.kind() {
                    "identifier" => (text(node, src), None),
                    _ => {
                        if node.child_by_field_name("receiver").is_some() {
                            continue;
                        }
                        let Some(m) = node.child_by_field_name("method") else {
                            continue;
                        };
                        (text(m, src), node.child_by_field_name("arguments"))
                    }
                };
                match (method_name, args) {
                    // `private` alone: what follows is private.
                    ("private" | "protected", None) => public = false,
                    ("public", None) => public = true,
                    // `private def x`: that method only.
                    ("private" | "protected" | "private_class_method", Some(a)) => {
                        let mut ac = a.walk();
                        for m in a.named_children(&mut ac) {
                            if matches!(m.kind(), "method" | "singleton_method") {
                                method(m, src, owner, false, facts);
                            }
                        }
                    }
                    ("require" | "require_relative", Some(a)) if owner.is_empty() => {
                        require(node, a, method_name == "require_relative", src, facts)
                    }
                    ("include" | "extend" | "prepend", Some(a)) if !owner.is_empty() => {
                        let mut ac = a.walk();
                        for m in a.named_children(&mut ac) {
                            if let Some(path) = constant_path(m, src) {
                                facts.refs.push(RawRef {
                                    kind: RefKind::Extends,
                                    path,
                                    line: lines_of(node).0,
                                    subject: segments(owner),
                                });
                            }
                        }
                    }
                    _ => {}
                }
            }
            // `if …` around definitions (platform checks) keeps them; `class << self` holds
            // the class's own methods.
            "if" | "unless" | "begin" | "then" | "else" | "body_statement" => {
                body(node, src, owner, owner_public, depth + 1, facts)
            }
            "singleton_class" => {
                if let Some(b) = node.child_by_field_name("body") {
                    body(b, src, owner, owner_public && public, depth + 1, facts);
                }
            }
            _ => {}
        }
    }
}

fn segments(qualified: &str) -> Vec<String> {
    qualified.split("::").map(str::to_string).collect()
}

fn method(node: Node, src: &[u8], owner: &str, public: bool, facts: &mut FileFacts) {
    let Some(name) = node.child_by_field_name("name").map(|n| text(n, src)) else {
        return;
    };
    let (start_line, end_line) = lines_of(node);
    let kind = match owner {
        "" => SymbolKind::Function,
        _ => SymbolKind::Method,
    };
    facts.symbols.push(Symbol {
        kind,
        name: match owner {
            "" => name.to_string(),
            o => format!("{o}::{name}"),
        },
        signature: first_line(node, src),
        doc: doc_comment(node, src),
        start_line,
        end_line,
        public,
    });
}

/// The declaration's first line, whitespace collapsed: `def get(key, default = nil)`.
fn first_line(node: Node, src: &[u8]) -> String {
    let sig = signature(node, None, src);
    let line = text(node, src).lines().next().unwrap_or("");
    let one: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
    match one.is_empty() {
        true => sig,
        false => one,
    }
}

fn require(node: Node, args: Node, relative: bool, src: &[u8], facts: &mut FileFacts) {
    let Some(arg) = args.named_child(0).filter(|a| a.kind() == "string") else {
        return;
    };
    // A plain string only: one with interpolation names no file we can know.
    let mut c = arg.walk();
    let parts: Vec<Node> = arg.named_children(&mut c).collect();
    let path = match parts.as_slice() {
        [one] if one.kind() == "string_content" => text(*one, src).to_string(),
        _ => return,
    };
    facts.bindings.push(Binding {
        local: "*".into(),
        import: facts.imports.len() as u32,
        name: Some("*".into()),
    });
    facts.imports.push(Import {
        spec: ImportSpec::Require { path, relative },
        line: lines_of(node).0,
        target: None,
    });
}

/// `Foo::Bar` -> `["Foo", "Bar"]`.
fn constant_path(node: Node, src: &[u8]) -> Option<Vec<String>> {
    match node.kind() {
        "constant" => Some(vec![text(node, src).to_string()]),
        "scope_resolution" => {
            let t = text(node, src).trim_start_matches("::");
            let path: Vec<String> = t.split("::").map(str::to_string).collect();
            path.iter()
                .all(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'))
                .then_some(path)
        }
        _ => None,
    }
}

/// Calls (`Foo.new` a creation), locals and instance variables with the value they get.
fn references(root: Node, src: &[u8], facts: &mut FileFacts) {
    visit_pruned(root, &mut |node| {
        let line = lines_of(node).0;
        match node.kind() {
            "call" => {
                let Some(m) = node.child_by_field_name("method") else {
                    return true;
                };
                let name = text(m, src);
                let receiver = node.child_by_field_name("receiver");
                if matches!(
                    name,
                    "require"
                        | "require_relative"
                        | "private"
                        | "protected"
                        | "public"
                        | "include"
                        | "extend"
                        | "attr_reader"
                        | "attr_accessor"
                        | "attr_writer"
                ) && receiver.is_none()
                {
                    return true;
                }
                let (kind, path) = match receiver {
                    Some(r) if name == "new" => match constant_path(r, src) {
                        Some(p) => (RefKind::Create, p),
                        None => (RefKind::Call, value_path(node, src, 0)),
                    },
                    Some(r) => {
                        let mut p = value_path(r, src, 0);
                        p.push(name.to_string());
                        (RefKind::Call, p)
                    }
                    None => (RefKind::Call, vec!["self".to_string(), name.to_string()]),
                };
                facts.refs.push(RawRef {
                    kind,
                    path,
                    line: lines_of(m).0,
                    subject: vec![],
                });
            }
            "assignment" => {
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return true;
                };
                let ty = Some(TypeHint::Of(value_path(right, src, 0)));
                match left.kind() {
                    "identifier" => facts.locals.push(Local {
                        name: text(left, src).to_string(),
                        ty,
                        line,
                    }),
                    "instance_variable" => facts.fields.push(Field {
                        name: text(left, src).to_string(),
                        ty,
                        line,
                    }),
                    _ => {}
                }
            }
            _ => {}
        }
        true
    });
}

/// `Foo.new` -> `["Foo", "()"]`, `@store.get` -> `["self", "@store", "get", "()"]`.
fn value_path(node: Node, src: &[u8], depth: usize) -> Vec<String> {
    let unknown = || vec!["?".to_string()];
    if depth > MAX_DEPTH {
        return unknown();
    }
    match node.kind() {
        "identifier" => vec![text(node, src).to_string()],
        "constant" | "scope_resolution" => constant_path(node, src).unwrap_or_else(unknown),
        "self" => vec!["self".into()],
        "instance_variable" => vec!["self".into(), text(node, src).to_string()],
        "call" => {
            let Some(m) = node.child_by_field_name("method") else {
                return unknown();
            };
            let name = text(m, src);
            match node.child_by_field_name("receiver") {
                Some(r) if name == "new" => match constant_path(r, src) {
                    Some(mut p) => {
                        p.push("()".into());
                        p
                    }
                    None => unknown(),
                },
                Some(r) => {
                    let mut p = value_path(r, src, depth + 1);
                    p.push(name.to_string());
                    p.push("()".into());
                    p
                }
                None => vec!["self".into(), name.to_string(), "()".into()],
            }
        }
        "parenthesized_statements" => node
            .named_child(0)
            .map(|n| value_path(n, src, depth + 1))
            .unwrap_or_else(unknown),
        _ => unknown(),
    }
}

/// The `#` lines right above a definition, the markers taken off (`# :nodoc:` hides it).
fn doc_comment(node: Node, src: &[u8]) -> String {
    // The first statement of a body: the comments above it sit before the body itself.
    let prev = node.prev_sibling().or_else(|| {
        node.parent()
            .filter(|p| p.kind() == "body_statement")
            .and_then(|p| p.prev_sibling())
    });
    let comments = super::comments_above(node, prev);
    let mut lines: Vec<&str> = comments
        .iter()
        .map_while(|p| text(*p, src).strip_prefix('#'))
        .map(|rest| rest.strip_prefix(' ').unwrap_or(rest).trim_end())
        .collect();
    lines.reverse();
    let doc = lines.join("\n").trim().to_string();
    if doc.contains(":nodoc:") {
        return String::new();
    }
    doc
}

/// The file's leading comment block: neither a magic comment (`# frozen_string_literal:
/// true`) nor a licence, and apart from the definition below it.
fn file_doc(root: Node, src: &[u8]) -> String {
    let mut c = root.walk();
    let nodes: Vec<Node> = root.named_children(&mut c).collect();
    let mut i = 0;
    let magic = |t: &str| {
        let t = t.trim_start_matches('#').trim().to_ascii_lowercase();
        t.starts_with("frozen_string_literal")
            || t.starts_with("encoding:")
            || t.starts_with("-*-")
            || t.starts_with('!')
            || t.starts_with("typed:")
    };
    while i < nodes.len() && nodes[i].kind() == "comment" && magic(text(nodes[i], src)) {
        i += 1;
    }
    let start = i;
    while i < nodes.len() && nodes[i].kind() == "comment" {
        if i > start && nodes[i].start_position().row > nodes[i - 1].end_position().row + 1 {
            break;
        }
        i += 1;
    }
    if i == start {
        return String::new();
    }
    let last = nodes[i - 1];
    let apart = nodes
        .get(i)
        .is_none_or(|n| n.start_position().row > last.end_position().row + 1);
    let doc: Vec<&str> = nodes[start..i]
        .iter()
        .map(|n| {
            let t = text(*n, src).trim_start_matches('#');
            t.strip_prefix(' ').unwrap_or(t).trim_end()
        })
        .collect();
    let doc = doc.join("\n");
    let lower = doc.to_ascii_lowercase();
    let licence = ["copyright", "license", "licence", "permission is hereby"]
        .iter()
        .any(|w| lower.contains(w));
    match apart && !licence {
        true => doc.trim().to_string(),
        false => String::new(),
    }
}

/// `require_relative "x"` from the file's folder; `require "a/b"` in the repository's `lib`
/// folders (the gem's own code), with `.rb` added.
pub(super) fn resolve(spec: &ImportSpec, from: &str, index: &RepoIndex) -> Option<String> {
    let ImportSpec::Require { path, relative } = spec else {
        return None;
    };
    let file = match path.ends_with(".rb") {
        true => path.clone(),
        false => format!("{path}.rb"),
    };
    if *relative {
        return normalize(parent_dir(from), &file).filter(|p| index.has(p));
    }
    index
        .ruby_lib_dirs
        .iter()
        .filter_map(|dir| normalize(dir, &file))
        .find(|p| index.has(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_support::{facts, symbol};
    use crate::snapshot::Language;

    const CODE: &str = r#"# frozen_string_literal: true

# The store: keeps things.

require "json"
require_relative "store/disk"

module Kv
  # Most items.
  MAX = 10

  # A store of keys.
  #
  # @example
  #   Kv::Store.new.put("a")
  class Store < Base
    include Enumerable

    # Makes one.
    def initialize(disk)
      @disk = Disk.new
      @cache = {}
    end

    # Keeps one value.
    # @param key [String] the key
    # @return [Store] itself
    def put(key)
      @disk.write(key)
      helper
      touch(key)
      self
    end

    def self.open(path) = new(path)

    private

    def touch(key); end

    public

    def size = 0
  end
end
"#;

    #[test]
    fn symbols_docs_nesting_and_visibility() {
        let f = facts(Language::Ruby, CODE);
        assert_eq!(f.module_doc, "The store: keeps things.");
        assert_eq!(symbol(&f, "Kv").kind, SymbolKind::Module);
        let max = symbol(&f, "Kv::MAX");
        assert_eq!(
            (max.kind, max.doc.as_str()),
            (SymbolKind::Const, "Most items.")
        );
        let store = symbol(&f, "Kv::Store");
        assert_eq!(store.kind, SymbolKind::Class);
        assert!(store.doc.starts_with("A store of keys."), "{}", store.doc);
        assert_eq!(store.signature, "class Store < Base");
        let put = symbol(&f, "Kv::Store::put");
        assert_eq!(put.kind, SymbolKind::Method);
        assert!(
            put.doc.contains("@param key [String] the key"),
            "{}",
            put.doc
        );
        assert!(put.public);
        assert_eq!(
            symbol(&f, "Kv::Store::open").signature,
            "def self.open(path) = new(path)"
        );
        assert!(!symbol(&f, "Kv::Store::touch").public);
        assert!(symbol(&f, "Kv::Store::size").public);
    }

    #[test]
    fn requires_and_references() {
        let f = facts(Language::Ruby, CODE);
        let specs: Vec<String> = f.imports.iter().map(|i| i.spec.display()).collect();
        assert_eq!(
            specs,
            ["require \"json\"", "require_relative \"store/disk\""]
        );
        let ext: Vec<Vec<String>> = f
            .refs
            .iter()
            .filter(|r| r.kind == RefKind::Extends)
            .map(|r| r.path.clone())
            .collect();
        assert_eq!(
            ext,
            [vec!["Base".to_string()], vec!["Enumerable".to_string()]]
        );
        assert!(f
            .refs
            .iter()
            .any(|r| r.kind == RefKind::Create && r.path == ["Disk"]));
        let calls: Vec<Vec<String>> = f
            .refs
            .iter()
            .filter(|r| r.kind == RefKind::Call)
            .map(|r| r.path.clone())
            .collect();
        assert!(
            calls.contains(&vec!["self".into(), "@disk".into(), "write".into()]),
            "{calls:?}"
        );
        assert!(
            calls.contains(&vec!["self".into(), "touch".into()]),
            "{calls:?}"
        );
        let disk = f.fields.iter().find(|x| x.name == "@disk").unwrap();
        assert_eq!(
            disk.ty,
            Some(TypeHint::Of(vec!["Disk".into(), "()".into()]))
        );
    }
}
