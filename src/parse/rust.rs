//! Rust front-end: items with their `///` docs, the `//!` module doc, `mod` and `use` imports
//! resolved through the crate's module tree.

use tree_sitter::Node;

use super::{join, lines_of, parent_dir, signature, text, FileFacts, Import, ImportSpec};
use super::{RepoIndex, Symbol, SymbolKind};

pub(super) fn extract(root: Node, src: &[u8]) -> FileFacts {
    let mut facts = FileFacts {
        module_doc: module_doc(root, src),
        ..Default::default()
    };
    items(root, src, "", &mut facts);
    facts
}

fn items(list: Node, src: &[u8], prefix: &str, facts: &mut FileFacts) {
    let mut cursor = list.walk();
    for node in list.named_children(&mut cursor) {
        let kind = match node.kind() {
            "function_item" | "function_signature_item" => SymbolKind::Function,
            "struct_item" => SymbolKind::Struct,
            "enum_item" => SymbolKind::Enum,
            "union_item" => SymbolKind::Union,
            "trait_item" => SymbolKind::Trait,
            "type_item" => SymbolKind::Type,
            "const_item" => SymbolKind::Const,
            "static_item" => SymbolKind::Static,
            "macro_definition" => SymbolKind::Macro,
            "mod_item" => SymbolKind::Module,
            "impl_item" => {
                impl_block(node, src, prefix, facts);
                continue;
            }
            "use_declaration" => {
                if let Some(arg) = node.child_by_field_name("argument") {
                    for path in expand_use(text(arg, src)) {
                        facts.imports.push(Import {
                            spec: ImportSpec::RustUse(path),
                            line: lines_of(node).0,
                            target: None,
                        });
                    }
                }
                continue;
            }
            _ => continue,
        };
        if is_test_only(node, src) {
            continue;
        }
        let Some(name_node) = node.child_by_field_name("name") else {
            continue;
        };
        let name = text(name_node, src);
        let body = node.child_by_field_name("body");
        if kind == SymbolKind::Module && body.is_none() && prefix.is_empty() {
            facts.imports.push(Import {
                spec: ImportSpec::RustMod(name.to_string()),
                line: lines_of(node).0,
                target: None,
            });
        }
        let public = is_public(node);
        push_symbol(
            facts,
            node,
            body,
            src,
            kind,
            format!("{prefix}{name}"),
            public,
        );
        match (kind, body) {
            (SymbolKind::Module, Some(b)) => items(b, src, &format!("{prefix}{name}::"), facts),
            (SymbolKind::Trait, Some(b)) => {
                methods(b, src, &format!("{prefix}{name}::"), public, facts)
            }
            _ => {}
        }
    }
}

fn impl_block(node: Node, src: &[u8], prefix: &str, facts: &mut FileFacts) {
    let Some(ty) = node.child_by_field_name("type") else {
        return;
    };
    // Methods of a trait impl are as visible as the type; inherent ones say so themselves.
    let trait_impl = node.child_by_field_name("trait").is_some();
    // `impl<P> Visitor for &'a mut P` documents `P`'s methods: no reference, lifetime or `dyn`.
    let written = text(ty, src);
    let type_name = written
        .trim_start_matches('&')
        .split_whitespace()
        .find(|w| !w.starts_with('\'') && *w != "mut" && *w != "dyn")
        .unwrap_or(written)
        .split('<')
        .next()
        .unwrap_or("")
        .trim();
    if let Some(body) = node.child_by_field_name("body") {
        let qualified = format!("{prefix}{type_name}::");
        methods(body, src, &qualified, trait_impl, facts);
    }
}

fn methods(body: Node, src: &[u8], prefix: &str, all_public: bool, facts: &mut FileFacts) {
    let mut cursor = body.walk();
    for node in body.named_children(&mut cursor) {
        if !matches!(node.kind(), "function_item" | "function_signature_item") {
            continue;
        }
        let Some(name) = node.child_by_field_name("name") else {
            continue;
        };
        let public = all_public || is_public(node);
        let fn_body = node.child_by_field_name("body");
        let name = format!("{prefix}{}", text(name, src));
        push_symbol(facts, node, fn_body, src, SymbolKind::Method, name, public);
    }
}

fn push_symbol(
    facts: &mut FileFacts,
    node: Node,
    body: Option<Node>,
    src: &[u8],
    kind: SymbolKind,
    name: String,
    public: bool,
) {
    let (start_line, end_line) = lines_of(node);
    facts.symbols.push(Symbol {
        kind,
        name,
        signature: signature(node, body, src),
        doc: doc_comment(node, src),
        start_line,
        end_line,
        public,
    });
}

/// Items under `#[cfg(test)]` describe nothing a reader of the design needs.
fn is_test_only(node: Node, src: &[u8]) -> bool {
    let mut prev = node.prev_sibling();
    while let Some(p) = prev {
        match p.kind() {
            "attribute_item" => {
                let t: String = text(p, src).split_whitespace().collect();
                if t.starts_with("#[cfg(test)") {
                    return true;
                }
            }
            "line_comment" | "block_comment" => {}
            _ => return false,
        }
        prev = p.prev_sibling();
    }
    false
}

fn is_public(node: Node) -> bool {
    let mut cursor = node.walk();
    let public = node
        .children(&mut cursor)
        .any(|c| c.kind() == "visibility_modifier");
    public
}

/// `///` lines and `/** */` blocks right above the item, attributes in between skipped.
fn doc_comment(node: Node, src: &[u8]) -> String {
    let mut lines = Vec::new();
    let mut prev = node.prev_sibling();
    while let Some(p) = prev {
        let t = text(p, src);
        match p.kind() {
            "attribute_item" => {}
            "line_comment" if t.starts_with("///") && !t.starts_with("////") => {
                lines.push(strip_one_space(&t[3..]).trim_end().to_string());
            }
            "block_comment" if t.starts_with("/**") && !t.starts_with("/***") => {
                lines.push(clean_block(t));
            }
            _ => break,
        }
        prev = p.prev_sibling();
    }
    lines.reverse();
    lines.join("\n").trim().to_string()
}

fn module_doc(root: Node, src: &[u8]) -> String {
    let mut lines = Vec::new();
    let mut cursor = root.walk();
    for node in root.children(&mut cursor) {
        let t = text(node, src);
        match node.kind() {
            "line_comment" if t.starts_with("//!") => {
                lines.push(strip_one_space(&t[3..]).trim_end().to_string())
            }
            "block_comment" if t.starts_with("/*!") => lines.push(clean_block(t)),
            "line_comment" | "block_comment" | "inner_attribute_item" => {}
            _ => break,
        }
    }
    lines.join("\n").trim().to_string()
}

fn strip_one_space(s: &str) -> &str {
    s.strip_prefix(' ').unwrap_or(s)
}

pub(crate) fn clean_block(t: &str) -> String {
    let inner = t
        .trim_start_matches("/**")
        .trim_start_matches("/*!")
        .trim_start_matches("/*")
        .trim_end_matches("*/");
    inner
        .lines()
        .map(|l| {
            let l = l.trim();
            strip_one_space(l.strip_prefix('*').unwrap_or(l)).to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// `a::{b, c::{d as e, self}}` -> `a::b`, `a::c::d`, `a::c`.
fn expand_use(tree: &str) -> Vec<String> {
    let compact: String = tree
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" as ", "\u{0}as\u{0}")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut out = Vec::new();
    expand_into("", &compact, &mut out);
    out
}

fn expand_into(prefix: &str, s: &str, out: &mut Vec<String>) {
    for part in split_top_level(s) {
        let part = part.split('\u{0}').next().unwrap_or("");
        if part.is_empty() {
            continue;
        }
        if let Some(brace) = part.find('{') {
            let head = part[..brace].trim_end_matches("::");
            let inner = part[brace + 1..].trim_end_matches('}');
            expand_into(&concat_path(prefix, head), inner, out);
        } else {
            let path = concat_path(prefix, part);
            let path = path
                .strip_suffix("::self")
                .or(path.strip_suffix("::*"))
                .unwrap_or(&path);
            out.push(path.to_string());
        }
    }
}

fn concat_path(prefix: &str, s: &str) -> String {
    match (prefix.is_empty(), s.is_empty()) {
        (true, _) => s.to_string(),
        (_, true) => prefix.to_string(),
        _ => format!("{prefix}::{s}"),
    }
}

fn split_top_level(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut parts) = (0i32, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// `name = "..."` of the `[package]` table of a Cargo.toml.
pub(super) fn package_name(cargo_toml: &str) -> Option<String> {
    let value: toml::Table = toml::from_str(cargo_toml).ok()?;
    Some(value.get("package")?.get("name")?.as_str()?.to_string())
}

/// Where a file sits in its crate: the crate's `src` folder and the file's module path.
struct ModulePlace {
    base: String,
    module: Vec<String>,
    /// Folder holding the files of this module's children (`mod x;` -> folder/x.rs).
    child_dir: String,
}

fn module_place(path: &str, index: &RepoIndex) -> ModulePlace {
    let dir = parent_dir(path);
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.trim_end_matches(".rs");
    // The nearest `src` folder whose parent holds a Cargo.toml anchors the crate.
    let mut base = None;
    let mut d = dir;
    loop {
        if d.rsplit('/').next() == Some("src") && index.has(&join(parent_dir(d), "Cargo.toml")) {
            base = Some(d.to_string());
            break;
        }
        if d.is_empty() {
            break;
        }
        d = parent_dir(d);
    }
    let is_dir_module = matches!(file, "mod.rs" | "lib.rs" | "main.rs");
    let child_dir = if is_dir_module || base.is_none() {
        dir.to_string()
    } else {
        join(dir, stem)
    };
    let Some(base) = base else {
        return ModulePlace {
            base: dir.to_string(),
            module: vec![],
            child_dir,
        };
    };
    let rel = path[base.len()..].trim_start_matches('/');
    let mut module: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    let last = module.last().map(String::as_str);
    if matches!(last, Some("mod")) || (module.len() == 1 && matches!(last, Some("lib" | "main"))) {
        module.pop();
    }
    ModulePlace {
        base,
        module,
        child_dir,
    }
}

/// The file that defines module `module` under `base`, or the nearest enclosing module's file.
fn module_file(base: &str, module: &[&str], index: &RepoIndex) -> Option<String> {
    for n in (1..=module.len()).rev() {
        let dir = join(base, &module[..n].join("/"));
        for candidate in [format!("{dir}.rs"), format!("{dir}/mod.rs")] {
            if index.has(&candidate) {
                return Some(candidate);
            }
        }
    }
    ["lib.rs", "main.rs"]
        .iter()
        .map(|f| join(base, f))
        .find(|c| index.has(c))
}

pub(super) fn resolve(spec: &ImportSpec, path: &str, index: &RepoIndex) -> Option<String> {
    let place = module_place(path, index);
    match spec {
        ImportSpec::RustMod(name) => {
            let dir = &place.child_dir;
            [
                join(dir, &format!("{name}.rs")),
                join(dir, &format!("{name}/mod.rs")),
            ]
            .into_iter()
            .find(|c| index.has(c))
        }
        ImportSpec::RustUse(use_path) => {
            let segs: Vec<&str> = use_path.split("::").collect();
            let first = *segs.first()?;
            match first {
                "crate" => module_file(&place.base, &segs[1..], index),
                "self" | "super" => {
                    let mut module: Vec<&str> = place.module.iter().map(String::as_str).collect();
                    let mut rest = &segs[..];
                    while let Some(&s) = rest.first() {
                        match s {
                            "self" => {}
                            "super" => {
                                module.pop()?;
                            }
                            _ => break,
                        }
                        rest = &rest[1..];
                    }
                    module.extend_from_slice(rest);
                    module_file(&place.base, &module, index)
                }
                "std" | "core" | "alloc" => None,
                _ => {
                    if let Some(src) = index.rust_crates.get(first) {
                        return module_file(src, &segs[1..], index);
                    }
                    // Since 2018 a bare path may name a child module of the current one.
                    let mut module: Vec<&str> = place.module.iter().map(String::as_str).collect();
                    let depth = module.len();
                    module.extend_from_slice(&segs);
                    let found = module_file(&place.base, &module, index)?;
                    let child_base = join(&place.base, &module[..=depth].join("/"));
                    found.starts_with(&child_base).then_some(found)
                }
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{facts, snapshot, symbol};
    use super::*;
    use crate::snapshot::Language;

    const CODE: &str = r#"//! Parses things.
//! Second line.

use crate::graph::{Graph, Edge as E};
use super::{self, util::*};
mod inner;

/// A parser.
#[derive(Debug)]
pub struct Parser<'a> {
    src: &'a str,
}

impl<'a> Parser<'a> {
    /// Makes one.
    pub fn new(src: &'a str) -> Self { Parser { src } }
    fn helper(&self) {}
}

pub trait Visit { fn visit(&self); }

fn private_fn(x: u32) -> u32 { x }

#[cfg(test)]
mod tests { fn t() {} }

#[cfg(test)]
pub(crate) mod test_support { pub fn helper() {} }

mod inline { pub fn visible() {} }
"#;

    #[test]
    fn symbols_docs_and_visibility() {
        let f = facts(Language::Rust, CODE);
        assert_eq!(f.module_doc, "Parses things.\nSecond line.");
        let parser = symbol(&f, "Parser");
        assert_eq!(parser.kind, SymbolKind::Struct);
        assert_eq!(parser.doc, "A parser.");
        assert!(parser.public);
        assert_eq!(parser.start_line, 10);
        let new = symbol(&f, "Parser::new");
        assert_eq!(new.kind, SymbolKind::Method);
        assert_eq!(new.signature, "pub fn new(src: &'a str) -> Self");
        assert_eq!(new.doc, "Makes one.");
        assert!(!symbol(&f, "Parser::helper").public);
        assert!(symbol(&f, "Visit::visit").public);
        assert!(!symbol(&f, "private_fn").public);
        assert!(f.symbols.iter().all(|s| !s.name.starts_with("tests")));
        assert!(f
            .symbols
            .iter()
            .all(|s| !s.name.starts_with("test_support")));
        assert!(symbol(&f, "inline::visible").public);
        assert!(f.identifiers.contains(&"Parser".to_string()));
    }

    #[test]
    fn methods_of_an_impl_for_a_reference_belong_to_the_type() {
        let f = facts(
            Language::Rust,
            "pub trait B { fn build(&self); }\nimpl<'a, P: B> B for &'a mut P {\n    fn build(&self) {}\n}\nimpl dyn B {\n    pub fn run(&self) {}\n}\n",
        );
        let names: Vec<&str> = f.symbols.iter().map(|s| s.name.as_str()).collect();
        assert!(names.contains(&"P::build"), "{names:?}");
        assert!(names.contains(&"B::run"), "{names:?}");
    }

    #[test]
    fn use_trees_are_expanded() {
        let f = facts(Language::Rust, CODE);
        let specs: Vec<String> = f.imports.iter().map(|i| i.spec.display()).collect();
        assert_eq!(
            specs,
            [
                "use crate::graph::Graph",
                "use crate::graph::Edge",
                "use super",
                "use super::util",
                "mod inner"
            ]
        );
    }

    #[test]
    fn imports_resolve_through_the_module_tree() {
        let snap = snapshot(&[
            "Cargo.toml",
            "src/lib.rs",
            "src/graph.rs",
            "src/parse/mod.rs",
            "src/parse/rust.rs",
            "src/parse/util.rs",
        ]);
        let index = RepoIndex::new(&snap, &Default::default());
        let r = |spec: ImportSpec, from: &str| resolve(&spec, from, &index);
        assert_eq!(
            r(ImportSpec::RustMod("parse".into()), "src/lib.rs").as_deref(),
            Some("src/parse/mod.rs")
        );
        assert_eq!(
            r(ImportSpec::RustMod("rust".into()), "src/parse/mod.rs").as_deref(),
            Some("src/parse/rust.rs")
        );
        assert_eq!(
            r(
                ImportSpec::RustUse("crate::graph::Graph".into()),
                "src/parse/rust.rs"
            )
            .as_deref(),
            Some("src/graph.rs")
        );
        assert_eq!(
            r(
                ImportSpec::RustUse("super::util::x".into()),
                "src/parse/rust.rs"
            )
            .as_deref(),
            Some("src/parse/util.rs")
        );
        assert_eq!(
            r(ImportSpec::RustUse("my_crate::graph".into()), "tests/t.rs").as_deref(),
            Some("src/graph.rs")
        );
        assert_eq!(
            r(ImportSpec::RustUse("parse::rust::x".into()), "src/lib.rs").as_deref(),
            Some("src/parse/rust.rs")
        );
        assert_eq!(
            r(ImportSpec::RustUse("std::fmt".into()), "src/lib.rs"),
            None
        );
        assert_eq!(
            r(ImportSpec::RustUse("serde::Serialize".into()), "src/lib.rs"),
            None
        );
    }
}
