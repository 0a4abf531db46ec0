//! Rust front-end: items with their `///` docs, the `//!` module doc, `mod` and `use` imports
//! resolved through the crate's module tree.

use tree_sitter::Node;

use super::TypeHint;
use super::{join, lines_of, parent_dir, signature, text, visit_pruned, Binding, FileFacts};
use super::{Field, Import, ImportSpec, Local, RawRef, RefKind, RepoIndex, Symbol, SymbolKind};

pub(super) fn extract(root: Node, src: &[u8]) -> FileFacts {
    let mut facts = FileFacts {
        module_doc: module_doc(root, src),
        ..Default::default()
    };
    items(root, src, "", &mut facts);
    references(root, src, &mut facts);
    facts
}

/// How deep modules, impls and functions in functions are followed; deeper ones are left
/// out, so a hostile file cannot exhaust the stack.
const MAX_NESTING: usize = 32;

fn items(list: Node, src: &[u8], prefix: &str, facts: &mut FileFacts) {
    let mut cursor = list.walk();
    let nodes: Vec<Node> = list.named_children(&mut cursor).collect();
    item_list(nodes, src, prefix, facts, 0, false);
}

/// The items a function body defines for itself (a `fn imp()` per platform, a helper
/// struct): named under the function, private to it.
fn local_items<'t>(body: Node<'t>) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    super::visit_pruned(body, &mut |n| match n.kind() {
        "function_item" | "struct_item" | "enum_item" | "union_item" | "trait_item"
        | "type_item" | "const_item" | "static_item" | "impl_item" | "macro_definition"
        | "mod_item" => {
            found.push(n);
            false
        }
        // Macro bodies are token trees, not syntax.
        "token_tree" | "macro_invocation" => false,
        _ => true,
    });
    found
}

fn item_list(
    nodes: Vec<Node>,
    src: &[u8],
    prefix: &str,
    facts: &mut FileFacts,
    depth: usize,
    local: bool,
) {
    if depth > MAX_NESTING {
        return;
    }
    for node in nodes {
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
                if !is_test_only(node, src) {
                    impl_block(node, src, prefix, facts, depth + 1, local);
                }
                continue;
            }
            "use_declaration" => {
                if let Some(arg) = node.child_by_field_name("argument") {
                    for used in expand_use(text(arg, src)) {
                        let last = used.path.rsplit("::").next().unwrap_or("");
                        let local = used.alias.clone().unwrap_or_else(|| last.to_string());
                        facts.bindings.push(Binding {
                            local: if used.glob { "*".into() } else { local },
                            import: facts.imports.len() as u32,
                            name: used.glob.then(|| "*".into()),
                        });
                        facts.imports.push(Import {
                            spec: ImportSpec::RustUse(used.path),
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
            facts.bindings.push(Binding {
                local: name.to_string(),
                import: facts.imports.len() as u32,
                name: None,
            });
            facts.imports.push(Import {
                spec: ImportSpec::RustMod(name.to_string()),
                line: lines_of(node).0,
                target: None,
            });
        }
        let public = is_public(node) && !local;
        push_symbol(
            facts,
            node,
            body,
            src,
            kind,
            format!("{prefix}{name}"),
            public,
        );
        let inner = format!("{prefix}{name}::");
        match (kind, body) {
            (SymbolKind::Module, Some(b)) => {
                let mut c = b.walk();
                let nodes: Vec<Node> = b.named_children(&mut c).collect();
                item_list(nodes, src, &inner, facts, depth + 1, local);
            }
            (SymbolKind::Trait, Some(b)) => methods(b, src, &inner, public, facts, depth + 1),
            (SymbolKind::Function, Some(b)) => {
                item_list(local_items(b), src, &inner, facts, depth + 1, true)
            }
            _ => {}
        }
    }
}

fn impl_block(
    node: Node,
    src: &[u8],
    prefix: &str,
    facts: &mut FileFacts,
    depth: usize,
    local: bool,
) {
    let Some(ty) = node.child_by_field_name("type") else {
        return;
    };
    // Methods of a trait impl are as visible as the type; inherent ones say so themselves.
    let trait_impl = node.child_by_field_name("trait").is_some() && !local;
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
        methods(body, src, &qualified, trait_impl, facts, depth);
    }
}

/// The methods, associated types and associated constants of an impl or a trait.
fn methods(
    body: Node,
    src: &[u8],
    prefix: &str,
    all_public: bool,
    facts: &mut FileFacts,
    depth: usize,
) {
    if depth > MAX_NESTING {
        return;
    }
    let mut cursor = body.walk();
    for node in body.named_children(&mut cursor) {
        let kind = match node.kind() {
            "function_item" | "function_signature_item" => SymbolKind::Method,
            "type_item" | "associated_type" => SymbolKind::Type,
            "const_item" => SymbolKind::Const,
            _ => continue,
        };
        if is_test_only(node, src) {
            continue;
        }
        let Some(name) = node.child_by_field_name("name") else {
            continue;
        };
        let public = all_public || is_public(node);
        let fn_body = node.child_by_field_name("body");
        let name = format!("{prefix}{}", text(name, src));
        let inner = format!("{name}::");
        push_symbol(facts, node, fn_body, src, kind, name, public);
        if let Some(b) = fn_body.filter(|_| kind == SymbolKind::Method) {
            item_list(local_items(b), src, &inner, facts, depth + 1, true);
        }
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

/// One path of a `use` tree, with the name it is bound to when renamed.
struct Used {
    path: String,
    alias: Option<String>,
    glob: bool,
}

/// `a::{b, c::{d as e, self}}` -> `a::b`, `a::c::d` (as `e`), `a::c`.
fn expand_use(tree: &str) -> Vec<Used> {
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

fn expand_into(prefix: &str, s: &str, out: &mut Vec<Used>) {
    for part in split_top_level(s) {
        // `x as y` renames a leaf; the renames inside a brace group belong to its leaves.
        let (part, alias) = match part.contains('{') {
            true => (part, None),
            false => {
                let mut pieces = part.split('\u{0}');
                let part = pieces.next().unwrap_or("");
                (part, pieces.nth(1).filter(|a| !a.is_empty() && *a != "_"))
            }
        };
        if part.is_empty() {
            continue;
        }
        if let Some(brace) = part.find('{') {
            let head = part[..brace].trim_end_matches("::");
            let inner = part[brace + 1..].trim_end_matches('}');
            expand_into(&concat_path(prefix, head), inner, out);
        } else {
            let path = concat_path(prefix, part);
            let glob = path.ends_with("::*");
            let path = path
                .strip_suffix("::self")
                .or(path.strip_suffix("::*"))
                .unwrap_or(&path);
            out.push(Used {
                path: path.to_string(),
                alias: alias.map(str::to_string),
                glob,
            });
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

/// Calls, creations, type uses, impls, typed locals and fields of the whole file; items
/// under `#[cfg(test)]` and macro bodies (token trees, not syntax) are not read.
fn references(root: Node, src: &[u8], facts: &mut FileFacts) {
    visit_pruned(root, &mut |node| {
        let line = lines_of(node).0;
        let mut push = |kind, path: Vec<String>, subject: Vec<String>| {
            if !path.is_empty() {
                facts.refs.push(RawRef {
                    kind,
                    path,
                    line,
                    subject,
                });
            }
        };
        match node.kind() {
            "mod_item" | "function_item" | "impl_item" if is_test_only(node, src) => return false,
            "call_expression" => {
                if let Some(f) = node.child_by_field_name("function") {
                    // A chained call is cited on the line of its method, not of the chain.
                    let at = f
                        .child_by_field_name("field")
                        .map_or(line, |m| lines_of(m).0);
                    facts.refs.push(RawRef {
                        kind: RefKind::Call,
                        path: value_path(f, src),
                        line: at,
                        subject: vec![],
                    });
                }
            }
            "struct_expression" => {
                if let Some(name) = node.child_by_field_name("name") {
                    push(RefKind::Create, type_path(text(name, src)), vec![]);
                }
            }
            "impl_item" => {
                if let (Some(t), Some(ty)) = (
                    node.child_by_field_name("trait"),
                    node.child_by_field_name("type"),
                ) {
                    let subject = type_path(text(ty, src));
                    push(RefKind::Implements, type_path(text(t, src)), subject);
                }
            }
            "trait_item" => {
                if let (Some(name), Some(bounds)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("bounds"),
                ) {
                    let mut c = bounds.walk();
                    for b in bounds.named_children(&mut c) {
                        if matches!(
                            b.kind(),
                            "type_identifier" | "scoped_type_identifier" | "generic_type"
                        ) {
                            let subject = vec![text(name, src).to_string()];
                            push(RefKind::Extends, type_path(text(b, src)), subject);
                        }
                    }
                }
            }
            "type_identifier" | "scoped_type_identifier" if is_type_use(node) => {
                push(RefKind::TypeUse, type_path(text(node, src)), vec![]);
                return false;
            }
            "let_declaration" => {
                if let Some(name) = node
                    .child_by_field_name("pattern")
                    .filter(|p| p.kind() == "identifier")
                {
                    let ty = match (
                        node.child_by_field_name("type"),
                        node.child_by_field_name("value"),
                    ) {
                        (Some(t), _) => Some(TypeHint::Written(text(t, src).to_string())),
                        (None, Some(v)) if v.kind() == "struct_expression" => v
                            .child_by_field_name("name")
                            .map(|n| TypeHint::Written(text(n, src).to_string())),
                        (None, Some(v)) => Some(TypeHint::Of(value_path(v, src))),
                        (None, None) => None,
                    };
                    facts.locals.push(Local {
                        name: text(name, src).to_string(),
                        ty,
                        line,
                    });
                }
            }
            "parameter" => {
                if let (Some(name), Some(t)) = (
                    node.child_by_field_name("pattern")
                        .filter(|p| p.kind() == "identifier"),
                    node.child_by_field_name("type"),
                ) {
                    facts.locals.push(Local {
                        name: text(name, src).to_string(),
                        ty: Some(TypeHint::Written(text(t, src).to_string())),
                        line,
                    });
                }
            }
            "field_declaration" => {
                if let (Some(name), Some(t)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("type"),
                ) {
                    facts.fields.push(Field {
                        name: text(name, src).to_string(),
                        ty: Some(TypeHint::Written(text(t, src).to_string())),
                        line,
                    });
                }
            }
            _ => {}
        }
        true
    });
}

/// A type named where it is used, not where it is declared, implemented or made generic.
fn is_type_use(node: Node) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    match parent.kind() {
        "scoped_type_identifier" | "struct_expression" => false,
        "type_parameters" | "constrained_type_parameter" | "type_parameter" => false,
        "struct_item" | "enum_item" | "union_item" | "trait_item" | "type_item" => {
            !is_field_of(parent, "name", node)
        }
        "impl_item" => !is_field_of(parent, "type", node) && !is_field_of(parent, "trait", node),
        // `impl<T> Trait<T> for Foo<T>`: the generic type is the impl's own.
        "generic_type" => parent.parent().is_none_or(|g| {
            g.kind() != "impl_item"
                || !(is_field_of(g, "type", parent) || is_field_of(g, "trait", parent))
        }),
        _ => true,
    }
}

fn is_field_of(parent: Node, field: &str, node: Node) -> bool {
    parent
        .child_by_field_name(field)
        .is_some_and(|c| c.id() == node.id())
}

/// `crate::a::B<T>` -> `["::", "crate", "a", "B"]`; `B<'a, T>` -> `["B"]`; `&mut dyn B` -> `["B"]`.
fn type_path(written: &str) -> Vec<String> {
    let main = written
        .trim_start_matches('&')
        .split_whitespace()
        .find(|w| !w.starts_with('\'') && !matches!(*w, "mut" | "dyn" | "impl"))
        .unwrap_or("");
    path_segments(&strip_generics(main))
}

/// `a::b::<T>::c` -> `a::b::c`.
fn strip_generics(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '<' => depth += 1,
            '>' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.replace("::::", "::").trim_end_matches("::").to_string()
}

fn path_segments(path: &str) -> Vec<String> {
    let segs: Vec<String> = path.split("::").map(str::to_string).collect();
    if segs.iter().any(|s| !is_name(s)) {
        return vec![];
    }
    match segs.first().map(String::as_str) {
        Some("crate" | "super" | "self") => std::iter::once("::".to_string()).chain(segs).collect(),
        _ => segs,
    }
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The path of a value as the code writes it: `self.walker.next` ->
/// `["self", "walker", "next"]`, `Foo::new().build` -> `["Foo", "new", "()", "build"]`; a
/// value the code does not name is `"?"`.
fn value_path(node: Node, src: &[u8]) -> Vec<String> {
    value_path_within(node, src, 0)
}

/// Paths deeper than this are not followed: hostile code nests without end.
const MAX_PATH_DEPTH: u32 = 32;

fn value_path_within(node: Node, src: &[u8], depth: u32) -> Vec<String> {
    if depth > MAX_PATH_DEPTH {
        return vec!["?".into()];
    }
    let unknown = || vec!["?".to_string()];
    match node.kind() {
        "identifier" | "self" => vec![text(node, src).to_string()],
        "scoped_identifier" => {
            let p = path_segments(&strip_generics(text(node, src)));
            if p.is_empty() {
                unknown()
            } else {
                p
            }
        }
        "generic_function" => node
            .child_by_field_name("function")
            .map(|f| value_path_within(f, src, depth + 1))
            .unwrap_or_else(unknown),
        "field_expression" => {
            let (Some(value), Some(field)) = (
                node.child_by_field_name("value"),
                node.child_by_field_name("field"),
            ) else {
                return unknown();
            };
            let mut p = value_path_within(value, src, depth + 1);
            p.push(text(field, src).to_string());
            p
        }
        "call_expression" => {
            let mut p = node
                .child_by_field_name("function")
                .map(|f| value_path_within(f, src, depth + 1))
                .unwrap_or_else(unknown);
            p.push("()".into());
            p
        }
        "try_expression"
        | "await_expression"
        | "reference_expression"
        | "parenthesized_expression" => node
            .named_child(if node.kind() == "reference_expression" {
                (node.named_child_count() as u32).saturating_sub(1)
            } else {
                0
            })
            .map(|n| value_path_within(n, src, depth + 1))
            .unwrap_or_else(unknown),
        _ => unknown(),
    }
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
        let src = d.rsplit('/').next() == Some("src");
        if (src && index.has(&join(parent_dir(d), "Cargo.toml"))) || index.rust_roots.contains(d) {
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
    module_file_depth(base, module, index).map(|(f, _)| f)
}

/// `module_file`, with how many segments of `module` the file stands for.
fn module_file_depth(base: &str, module: &[&str], index: &RepoIndex) -> Option<(String, usize)> {
    for n in (1..=module.len()).rev() {
        let dir = join(base, &module[..n].join("/"));
        for candidate in [format!("{dir}.rs"), format!("{dir}/mod.rs")] {
            if index.has(&candidate) {
                return Some((candidate, n));
            }
        }
    }
    ["lib.rs", "main.rs"]
        .iter()
        .map(|f| join(base, f))
        .find(|c| index.has(c))
        .map(|f| (f, 0))
}

/// A path of items (`crate::a::Foo::new`, `super::x`, `other_crate::y`) from the file `path`:
/// the file of the deepest module it names, and the segments left inside that file.
pub(super) fn resolve_path(
    use_path: &str,
    path: &str,
    index: &RepoIndex,
) -> Option<(String, Vec<String>)> {
    let place = module_place(path, index);
    let segs: Vec<&str> = use_path.split("::").collect();
    let rest = |module: &[&str], n: usize| module[n..].iter().map(|s| s.to_string()).collect();
    let first = *segs.first()?;
    match first {
        "crate" => {
            let (f, n) = module_file_depth(&place.base, &segs[1..], index)?;
            Some((f, rest(&segs[1..], n)))
        }
        "self" | "super" => {
            let mut module: Vec<&str> = place.module.iter().map(String::as_str).collect();
            let mut tail = &segs[..];
            while let Some(&s) = tail.first() {
                match s {
                    "self" => {}
                    "super" => {
                        module.pop()?;
                    }
                    _ => break,
                }
                tail = &tail[1..];
            }
            let depth = module.len();
            module.extend_from_slice(tail);
            let (f, n) = module_file_depth(&place.base, &module, index)?;
            // Ancestors are named by `super`, not found by walking up from a missing child.
            (n >= depth).then(|| (f, rest(&module, n)))
        }
        "std" | "core" | "alloc" => None,
        _ => {
            if let Some(src) = index.rust_crates.get(first) {
                let (f, n) = module_file_depth(src, &segs[1..], index)?;
                return Some((f, rest(&segs[1..], n)));
            }
            // Since 2018 a bare path may name a child module of the current one.
            let mut module: Vec<&str> = place.module.iter().map(String::as_str).collect();
            let depth = module.len();
            module.extend_from_slice(&segs);
            let (f, n) = module_file_depth(&place.base, &module, index)?;
            (n > depth).then(|| (f, rest(&module, n)))
        }
    }
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
use crate::flags::{doc::{help::{generate_long as help_long}, man::generate as man}, parse};
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
        assert_eq!(parser.start_line, 11);
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
    fn associated_items_and_functions_in_functions_are_listed() {
        let f = facts(
            Language::Rust,
            "pub trait Matcher { type Error; const N: usize; }\npub struct M;\nimpl Matcher for M {\n    type Error = String;\n    const N: usize = 1;\n}\npub fn is_hidden(p: &str) -> bool {\n    #[cfg(unix)]\n    fn imp(p: &str) -> bool { p.starts_with('.') }\n    #[cfg(windows)]\n    fn imp(p: &str) -> bool { false }\n    imp(p)\n}\n#[test]\nfn t() {}\n",
        );
        assert_eq!(symbol(&f, "Matcher::Error").kind, SymbolKind::Type);
        assert_eq!(symbol(&f, "M::Error").kind, SymbolKind::Type);
        assert!(symbol(&f, "M::Error").public);
        assert_eq!(symbol(&f, "M::N").kind, SymbolKind::Const);
        let imps: Vec<&Symbol> = f
            .symbols
            .iter()
            .filter(|s| s.name == "is_hidden::imp")
            .collect();
        assert_eq!(imps.len(), 2);
        assert!(imps
            .iter()
            .all(|s| !s.public && s.kind == SymbolKind::Function));
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
                "use crate::flags::doc::help::generate_long",
                "use crate::flags::doc::man::generate",
                "use crate::flags::parse",
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
