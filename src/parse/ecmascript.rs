//! TypeScript, TSX and JavaScript front-end (TypeScript's grammar extends JavaScript's, so one
//! walker serves all three): declarations with their JSDoc, exports, and `import`, `export …
//! from`, `require()` and `import()` of relative paths resolved with index files.

use std::collections::BTreeSet;

use tree_sitter::Node;

use super::rust::clean_block;
use super::{lines_of, normalize, parent_dir, signature, text, visit, visit_pruned, Binding};
use super::{Field, FileFacts, Import, ImportSpec, Local, RawRef, RefKind, RepoIndex, Symbol};
use super::{SymbolKind, TypeHint};

pub(super) fn extract(root: Node, src: &[u8]) -> FileFacts {
    let mut facts = FileFacts {
        module_doc: module_doc(root, src),
        ..Default::default()
    };
    let mut cursor = root.walk();
    let top: Vec<Node> = root.named_children(&mut cursor).collect();
    // A file without any `export` is a script or CommonJS module: its top level is its API.
    let has_exports = top.iter().any(|n| n.kind() == "export_statement");
    // Names exported apart from their declaration: `export default client`, `export {a, b}`.
    let exported = exported_names(&top, src);
    let no_names = Default::default();
    for node in top {
        match node.kind() {
            "export_statement" => match node.child_by_field_name("declaration") {
                Some(decl) => declaration(decl, node, src, true, &no_names, &mut facts),
                // `export default supported && function adapter(config) {…}`
                None => named_functions(node, src, &mut facts),
            },
            // CommonJS: `exports.x = function …`, `app.get = function …`,
            // `User.prototype.save = function …`.
            "expression_statement" => assigned(node, src, &mut facts),
            _ => declaration(node, node, src, !has_exports, &exported, &mut facts),
        }
    }
    collect_imports(root, src, &mut facts);
    facts.default_export = default_export(root, src);
    references(root, src, &mut facts);
    facts
}

/// `export default x` / `export default class X` / `export default function x`: the local name.
fn default_export(root: Node, src: &[u8]) -> Option<String> {
    let mut cursor = root.walk();
    let found = root
        .named_children(&mut cursor)
        .filter(|n| n.kind() == "export_statement")
        .find(|n| {
            let mut c = n.walk();
            let default = n.children(&mut c).any(|k| k.kind() == "default");
            default
        })?;
    let named = found
        .child_by_field_name("declaration")
        .and_then(|d| d.child_by_field_name("name"))
        .or_else(|| {
            found
                .child_by_field_name("value")
                .filter(|v| v.kind() == "identifier")
        })?;
    Some(text(named, src).to_string())
}

/// The local names a module exports without declaring them in the export itself.
fn exported_names<'a>(top: &[Node], src: &'a [u8]) -> BTreeSet<&'a str> {
    let mut names = BTreeSet::new();
    for node in top.iter().filter(|n| n.kind() == "export_statement") {
        if node.child_by_field_name("source").is_some() {
            continue; // `export {x} from './y'` re-exports another module's name
        }
        if let Some(value) = node
            .child_by_field_name("value")
            .filter(|v| v.kind() == "identifier")
        {
            names.insert(text(value, src));
        }
        let mut cursor = node.walk();
        for clause in node
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "export_clause")
        {
            let mut c = clause.walk();
            for spec in clause.named_children(&mut c) {
                if let Some(name) = spec.child_by_field_name("name") {
                    names.insert(text(name, src));
                }
            }
        }
    }
    names
}

/// `outer` is the node a doc comment sits above (the `export` statement when there is one).
/// `exported`: the names the module exports apart from their declarations (`export default
/// x`): as public as an `export const`.
fn declaration(
    node: Node,
    outer: Node,
    src: &[u8],
    public: bool,
    exported: &BTreeSet<&str>,
    facts: &mut FileFacts,
) {
    let kind = match node.kind() {
        "function_declaration" | "generator_function_declaration" | "function_signature" => {
            SymbolKind::Function
        }
        "class_declaration" | "abstract_class_declaration" | "class" => SymbolKind::Class,
        "interface_declaration" => SymbolKind::Interface,
        "type_alias_declaration" => SymbolKind::Type,
        "enum_declaration" => SymbolKind::Enum,
        "lexical_declaration" | "variable_declaration" => {
            variables(node, outer, src, public, exported, facts);
            return;
        }
        _ => return,
    };
    let Some(name) = node.child_by_field_name("name").map(|n| text(n, src)) else {
        return;
    };
    let body = match kind {
        SymbolKind::Type => None,
        _ => node.child_by_field_name("body"),
    };
    let public = public || exported.contains(name);
    let (start_line, end_line) = lines_of(outer);
    facts.symbols.push(Symbol {
        kind,
        name: name.to_string(),
        signature: signature(outer, body, src),
        doc: doc_comment(outer, src),
        start_line,
        end_line,
        public,
    });
    match (kind, body) {
        (SymbolKind::Class | SymbolKind::Interface, Some(body)) => {
            class_members(body, name, src, public, facts, 0)
        }
        (SymbolKind::Function, Some(body)) => local_functions(body, name, src, facts, 0),
        _ => {}
    }
}

/// A function or class assigned to a property at the top of a file, as CommonJS modules
/// define their API: `exports.parse` and `module.exports.parse` are `parse`,
/// `Router.prototype.route` is the method `Router.route`, `app.listen` is `app.listen`.
fn assigned(statement: Node, src: &[u8], facts: &mut FileFacts) {
    let Some(a) = statement
        .named_child(0)
        .filter(|a| a.kind() == "assignment_expression")
    else {
        named_functions(statement, src, facts);
        return;
    };
    let (Some(left), Some(right)) = (
        a.child_by_field_name("left"),
        a.child_by_field_name("right"),
    ) else {
        return;
    };
    let is_function = matches!(
        right.kind(),
        "arrow_function" | "function_expression" | "function" | "generator_function"
    );
    if !is_function && right.kind() != "class" {
        return;
    }
    let path = text(left, src);
    if left.kind() != "member_expression" || path.len() > 200 || path.contains(['[', '(', '\n']) {
        return;
    }
    let mut segs: Vec<&str> = path.split('.').map(str::trim).collect();
    // `module.exports = function name() {}`: the function's own name.
    // An anonymous one is listed as what it is: the module's export.
    let anonymous = segs == ["module", "exports"] && right.child_by_field_name("name").is_none();
    if segs == ["module", "exports"] {
        if let Some(n) = right.child_by_field_name("name") {
            segs = vec![text(n, src)];
        }
    }
    let skip = match segs.as_slice() {
        _ if anonymous => 0,
        ["module", "exports", ..] => 2,
        ["exports", ..] => 1,
        _ => 0,
    };
    let mut segs: Vec<&str> = segs[skip..].to_vec();
    segs.retain(|s| *s != "prototype");
    if segs.is_empty() || segs.iter().any(|s| s.is_empty()) {
        return;
    }
    let name = segs.join(".");
    let body = right.child_by_field_name("body");
    let (start_line, end_line) = lines_of(statement);
    let kind = match (right.kind() == "class", segs.len()) {
        (true, _) => SymbolKind::Class,
        (false, 1) => SymbolKind::Function,
        _ if anonymous => SymbolKind::Function,
        (false, _) => SymbolKind::Method,
    };
    facts.symbols.push(Symbol {
        kind,
        name: name.clone(),
        signature: signature(statement, body, src),
        doc: doc_comment(statement, src),
        start_line,
        end_line,
        public: true,
    });
    if let Some(b) = body {
        match kind {
            SymbolKind::Class => class_members(b, &name, src, true, facts, 0),
            _ => local_functions(b, &name, src, facts, 0),
        }
    }
}

/// Functions a top-level statement defines by name as it passes them on
/// (`defineGetter(req, 'protocol', function protocol() {…})`), or assigns to a property
/// inside a callback (`xhr.onload = function () {…}`).
fn named_functions(statement: Node, src: &[u8], facts: &mut FileFacts) {
    let mut found: Vec<(Node, String, Node)> = Vec::new();
    visit_pruned(statement, &mut |n| match n.kind() {
        "function_expression" | "function" => match n.child_by_field_name("name") {
            Some(name) => {
                found.push((n, text(name, src).to_string(), n));
                false
            }
            None => true,
        },
        "assignment_expression" => match function_assignment(n, src) {
            Some((path, r)) => {
                found.push((n, path.to_string(), r));
                false
            }
            None => true,
        },
        "class" => false,
        // An anonymous function's named ones are the statement's too.
        _ => true,
    });
    for (n, name, function) in found {
        let body = function.child_by_field_name("body");
        let (start_line, end_line) = lines_of(n);
        facts.symbols.push(Symbol {
            kind: SymbolKind::Function,
            name: name.clone(),
            signature: signature(n, body, src),
            doc: doc_comment(statement, src),
            start_line,
            end_line,
            public: false,
        });
        if let Some(b) = body {
            local_functions(b, &name, src, facts, 0);
        }
    }
}

/// `a.b = function () {…}`: the property's path and the (anonymous) function.
fn function_assignment<'t>(n: Node<'t>, src: &'t [u8]) -> Option<(&'t str, Node<'t>)> {
    let left = n
        .child_by_field_name("left")
        .filter(|l| l.kind() == "member_expression")?;
    let right = n.child_by_field_name("right").filter(|r| {
        matches!(
            r.kind(),
            "function_expression" | "function" | "arrow_function"
        ) && r.child_by_field_name("name").is_none()
    })?;
    let path = text(left, src);
    (path.len() <= 200 && !path.contains(['[', '(', '\n'])).then_some((path, right))
}

/// How deep functions in functions are followed; deeper ones are left out, so a hostile file
/// cannot exhaust the stack.
const MAX_NESTING: usize = 32;

/// The functions and classes a body declares for itself (a queue's `run`): named under the
/// function, private to it.
fn local_functions(body: Node, outer: &str, src: &[u8], facts: &mut FileFacts, depth: usize) {
    if depth > MAX_NESTING {
        return;
    }
    let mut found = Vec::new();
    visit_pruned(body, &mut |n| match n.kind() {
        "function_declaration" | "generator_function_declaration" | "class_declaration" => {
            found.push((n, None, n));
            false
        }
        // `return function generateETag(body) {…}`
        "function_expression" | "function" if n.child_by_field_name("name").is_some() => {
            found.push((n, None, n));
            false
        }
        // `this.insert = function (evt) {…}` in a constructor: its method.
        "assignment_expression" => match function_assignment(n, src) {
            Some((path, r)) => {
                found.push((n, Some(path), r));
                false
            }
            None => true,
        },
        // `var app = function (req, res) {…}`
        "variable_declarator" => {
            let value = n.child_by_field_name("value").filter(|v| {
                matches!(
                    v.kind(),
                    "arrow_function" | "function_expression" | "function" | "generator_function"
                )
            });
            match value {
                Some(v)
                    if n.child_by_field_name("name")
                        .is_some_and(|x| x.kind() == "identifier") =>
                {
                    found.push((n, None, v));
                    false
                }
                _ => true,
            }
        }
        _ => true,
    });
    for (n, assigned, definition) in found {
        let Some(name) = assigned.or_else(|| n.child_by_field_name("name").map(|x| text(x, src)))
        else {
            continue;
        };
        let inner = definition.child_by_field_name("body");
        let qualified = match name.strip_prefix("this.") {
            Some(member) => format!("{outer}.{member}"),
            None => format!("{outer}.{name}"),
        };
        let (start_line, end_line) = lines_of(n);
        let class = n.kind() == "class_declaration";
        let method = assigned.is_some_and(|p| p.starts_with("this."));
        facts.symbols.push(Symbol {
            kind: if class {
                SymbolKind::Class
            } else if method {
                SymbolKind::Method
            } else {
                SymbolKind::Function
            },
            name: qualified.clone(),
            signature: signature(n, inner, src),
            doc: doc_comment(n, src),
            start_line,
            end_line,
            public: false,
        });
        if let Some(b) = inner {
            match class {
                true => class_members(b, &qualified, src, false, facts, depth + 1),
                false => local_functions(b, &qualified, src, facts, depth + 1),
            }
        }
    }
}

/// The class a value makes: `class {…}`, or the fallback of `globalThis.X ?? class X {…}`.
fn class_value(mut v: Node) -> Option<Node> {
    for _ in 0..8 {
        match v.kind() {
            "class" => return Some(v),
            "binary_expression" => v = v.child_by_field_name("right")?,
            "parenthesized_expression" => v = v.named_child(0)?,
            _ => return None,
        }
    }
    None
}

fn variables(
    node: Node,
    outer: Node,
    src: &[u8],
    public: bool,
    exported: &BTreeSet<&str>,
    facts: &mut FileFacts,
) {
    let mut cursor = node.walk();
    for decl in node.named_children(&mut cursor) {
        if decl.kind() != "variable_declarator" {
            continue;
        }
        let Some(name) = decl
            .child_by_field_name("name")
            .filter(|n| n.kind() == "identifier")
        else {
            continue;
        };
        let value = decl.child_by_field_name("value");
        let is_function = value.is_some_and(|v| {
            matches!(
                v.kind(),
                "arrow_function" | "function_expression" | "function" | "generator_function"
            )
        });
        let class = value.and_then(class_value);
        let is_class = class.is_some();
        // `var User = { index: function (req, res) {…}, show(req) {…} }`: its functions are
        // its methods.
        let object = value
            .filter(|v| v.kind() == "object")
            .filter(|v| object_methods(*v).next().is_some());
        let named_export = exported.contains(text(name, src));
        // Plain values count only when exported: a module's private constants are detail.
        if !(is_function
            || is_class
            || object.is_some()
            || named_export
            || (public && outer.kind() == "export_statement"))
        {
            // `const p = toFlatObject(utils, function filter(prop) {…})`
            if let Some(v) = value {
                named_functions(v, src, facts);
            }
            continue;
        }
        let public = public || named_export;
        let body = class.or(value).and_then(|v| v.child_by_field_name("body"));
        let sig = match (is_function || is_class, value) {
            (true, Some(v)) if class.is_some_and(|c| c != v) => {
                // `const X = globalThis.X ?? class X {`: the declaration, not the class's head.
                format!("{} …", signature(outer, Some(v), src))
            }
            (true, _) => signature(outer, body, src),
            (false, Some(v)) if text(v, src).len() <= 40 && !text(v, src).contains('\n') => {
                signature(outer, None, src)
            }
            (false, Some(v)) => {
                let head = signature(outer, Some(v), src);
                format!("{head} …")
            }
            (false, None) => signature(outer, None, src),
        };
        let (start_line, end_line) = lines_of(outer);
        let name = text(name, src);
        facts.symbols.push(Symbol {
            kind: if is_function {
                SymbolKind::Function
            } else if is_class {
                SymbolKind::Class
            } else {
                SymbolKind::Const
            },
            name: name.to_string(),
            signature: sig.trim_end_matches(';').to_string(),
            doc: doc_comment(outer, src),
            start_line,
            end_line,
            public,
        });
        match (class, body) {
            (Some(_), Some(b)) => class_members(b, name, src, public, facts, 0),
            (None, Some(b)) if is_function => local_functions(b, name, src, facts, 0),
            _ => {}
        }
        for (key, method, function) in object.into_iter().flat_map(object_methods) {
            let (start_line, end_line) = lines_of(method);
            let body = function.child_by_field_name("body");
            facts.symbols.push(Symbol {
                kind: SymbolKind::Method,
                name: format!("{name}.{}", text(key, src).trim_matches(['"', '\''])),
                signature: signature(method, body, src),
                doc: doc_comment(method, src),
                start_line,
                end_line,
                public,
            });
        }
    }
}

/// The functions of an object literal: (key, the pair or method, the function).
fn object_methods(object: Node) -> impl Iterator<Item = (Node, Node, Node)> {
    let mut cursor = object.walk();
    let members: Vec<Node> = object.named_children(&mut cursor).collect();
    members.into_iter().filter_map(|m| match m.kind() {
        "method_definition" => Some((m.child_by_field_name("name")?, m, m)),
        "pair" => {
            let key = m.child_by_field_name("key")?;
            let value = m.child_by_field_name("value")?;
            let function = matches!(
                value.kind(),
                "arrow_function" | "function_expression" | "function" | "generator_function"
            );
            (function && matches!(key.kind(), "property_identifier" | "string"))
                .then_some((key, m, value))
        }
        _ => None,
    })
}

/// A class's methods, or an interface's (its method signatures and its properties of a
/// function type, `add: <T>(fn: Job<T>) => Promise<T>`).
fn class_members(
    body: Node,
    class: &str,
    src: &[u8],
    public: bool,
    facts: &mut FileFacts,
    depth: usize,
) {
    if depth > MAX_NESTING {
        return;
    }
    let mut cursor = body.walk();
    for member in body.named_children(&mut cursor) {
        let function_property = member.kind() == "property_signature"
            && member
                .child_by_field_name("type")
                .and_then(|t| t.named_child(0))
                .is_some_and(|t| t.kind() == "function_type");
        if !function_property
            && !matches!(
                member.kind(),
                "method_definition" | "method_signature" | "abstract_method_signature"
            )
        {
            continue;
        }
        let Some(name) = member.child_by_field_name("name").map(|n| text(n, src)) else {
            continue;
        };
        let mut c = member.walk();
        let private = name.starts_with('#')
            || member
                .children(&mut c)
                .any(|m| m.kind() == "accessibility_modifier" && text(m, src) != "public");
        let (start_line, end_line) = lines_of(member);
        let qualified = format!("{class}.{name}");
        let body = member.child_by_field_name("body");
        facts.symbols.push(Symbol {
            kind: SymbolKind::Method,
            name: qualified.clone(),
            signature: signature(member, body, src),
            doc: doc_comment(member, src),
            start_line,
            end_line,
            public: public && !private,
        });
        if let Some(b) = body {
            local_functions(b, &qualified, src, facts, depth + 1);
        }
    }
}

fn collect_imports(root: Node, src: &[u8], facts: &mut FileFacts) {
    visit(root, &mut |node| {
        let source = match node.kind() {
            "import_statement" | "export_statement" => node.child_by_field_name("source"),
            "call_expression" => {
                let callee = node.child_by_field_name("function");
                let is_loader = callee.is_some_and(|f| {
                    f.kind() == "import" || (f.kind() == "identifier" && text(f, src) == "require")
                });
                node.child_by_field_name("arguments")
                    .filter(|_| is_loader)
                    .and_then(|a| a.named_child(0))
                    .filter(|a| a.kind() == "string")
            }
            _ => None,
        };
        if let Some(source) = source {
            let spec = text(source, src).trim_matches(|c| c == '"' || c == '\'' || c == '`');
            let import = facts.imports.len() as u32;
            for (local, name) in bound_names(node, src) {
                facts.bindings.push(Binding {
                    local,
                    import,
                    name,
                });
            }
            facts.imports.push(Import {
                spec: ImportSpec::Js(spec.to_string()),
                line: lines_of(node).0,
                target: None,
            });
        }
    });
}

/// The names an import, a re-export or a `require()` binds: (local name, name in the module).
fn bound_names(node: Node, src: &[u8]) -> Vec<(String, Option<String>)> {
    let mut out = vec![];
    let name_of = |n: Node| text(n, src).to_string();
    match node.kind() {
        "import_statement" => {
            let mut c = node.walk();
            for clause in node
                .named_children(&mut c)
                .filter(|n| n.kind() == "import_clause")
            {
                let mut cc = clause.walk();
                for part in clause.named_children(&mut cc) {
                    match part.kind() {
                        "identifier" => out.push((name_of(part), Some("default".into()))),
                        "namespace_import" => {
                            if let Some(id) = part.named_child(0) {
                                out.push((name_of(id), None));
                            }
                        }
                        "named_imports" => {
                            let mut sc = part.walk();
                            for spec in part.named_children(&mut sc) {
                                if let Some(name) = spec.child_by_field_name("name") {
                                    let local = spec.child_by_field_name("alias").unwrap_or(name);
                                    out.push((name_of(local), Some(name_of(name))));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        "export_statement" => {
            let mut c = node.walk();
            let clause = node
                .named_children(&mut c)
                .find(|n| matches!(n.kind(), "export_clause" | "namespace_export"));
            match clause {
                Some(cl) if cl.kind() == "export_clause" => {
                    let mut sc = cl.walk();
                    for spec in cl.named_children(&mut sc) {
                        if let Some(name) = spec.child_by_field_name("name") {
                            let local = spec.child_by_field_name("alias").unwrap_or(name);
                            out.push((name_of(local), Some(name_of(name))));
                        }
                    }
                }
                Some(ns) => {
                    if let Some(id) = ns.named_child(0) {
                        out.push((name_of(id), None));
                    }
                }
                None => out.push(("*".into(), Some("*".into()))),
            }
        }
        "call_expression" => {
            let declarator = node.parent().filter(|p| p.kind() == "variable_declarator");
            match declarator.and_then(|d| d.child_by_field_name("name")) {
                Some(n) if n.kind() == "identifier" => out.push((name_of(n), None)),
                Some(n) if n.kind() == "object_pattern" => {
                    let mut c = n.walk();
                    for p in n.named_children(&mut c) {
                        match p.kind() {
                            "shorthand_property_identifier_pattern" => {
                                out.push((name_of(p), Some(name_of(p))))
                            }
                            "pair_pattern" => {
                                if let (Some(k), Some(v)) =
                                    (p.child_by_field_name("key"), p.child_by_field_name("value"))
                                {
                                    out.push((name_of(v), Some(name_of(k))));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
    out
}

/// Calls, `new`, type annotations, `extends`/`implements`, typed locals and class fields.
fn references(root: Node, src: &[u8], facts: &mut FileFacts) {
    visit_pruned(root, &mut |node| {
        let line = lines_of(node).0;
        let mut push = |kind, path: Vec<String>, subject: Vec<String>, line| {
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
            "call_expression" => {
                if let Some(f) = node
                    .child_by_field_name("function")
                    .filter(|f| !matches!(f.kind(), "import"))
                {
                    if !(f.kind() == "identifier" && text(f, src) == "require") {
                        // A chained call is cited on the line of its method, not of the chain.
                        let at = f
                            .child_by_field_name("property")
                            .map_or(line, |m| lines_of(m).0);
                        push(RefKind::Call, value_path(f, src), vec![], at);
                    }
                }
            }
            "new_expression" => {
                if let Some(c) = node.child_by_field_name("constructor") {
                    push(RefKind::Create, value_path(c, src), vec![], line);
                }
            }
            "class_declaration"
            | "abstract_class_declaration"
            | "class"
            | "interface_declaration" => {
                let Some(name) = node.child_by_field_name("name") else {
                    return true;
                };
                let subject = vec![text(name, src).to_string()];
                let mut c = node.walk();
                for part in node.named_children(&mut c) {
                    let clauses: Vec<Node> = match part.kind() {
                        "class_heritage" => {
                            let mut hc = part.walk();
                            part.named_children(&mut hc).collect()
                        }
                        "extends_type_clause" => vec![part],
                        _ => vec![],
                    };
                    for clause in clauses {
                        let kind = match clause.kind() {
                            "implements_clause" => RefKind::Implements,
                            _ => RefKind::Extends,
                        };
                        let mut tc = clause.walk();
                        for t in clause.named_children(&mut tc) {
                            let path = match t.kind() {
                                "generic_type" => t
                                    .child_by_field_name("name")
                                    .map(|n| type_path(n, src))
                                    .unwrap_or_default(),
                                "type_identifier" | "nested_type_identifier" => type_path(t, src),
                                "identifier" | "member_expression" => value_path(t, src),
                                _ => vec![],
                            };
                            push(kind, path, subject.clone(), line);
                        }
                    }
                }
            }
            "type_identifier" | "nested_type_identifier" if is_type_use(node) => {
                push(RefKind::TypeUse, type_path(node, src), vec![], line);
                return false;
            }
            "variable_declarator" => {
                if let Some(name) = node
                    .child_by_field_name("name")
                    .filter(|n| n.kind() == "identifier")
                {
                    let ty = hint(node, src);
                    facts.locals.push(Local {
                        name: text(name, src).to_string(),
                        ty,
                        line,
                    });
                }
            }
            "required_parameter" | "optional_parameter" => {
                if let Some(name) = node
                    .child_by_field_name("pattern")
                    .filter(|n| n.kind() == "identifier")
                {
                    let ty = hint(node, src);
                    let name = text(name, src).to_string();
                    let mut c = node.walk();
                    let property = node
                        .children(&mut c)
                        .any(|m| matches!(m.kind(), "accessibility_modifier" | "readonly"));
                    if property {
                        facts.fields.push(Field {
                            name: name.clone(),
                            ty: ty.clone(),
                            line,
                        });
                    }
                    facts.locals.push(Local { name, ty, line });
                }
            }
            "public_field_definition" | "field_definition" => {
                if let Some(name) = node
                    .child_by_field_name("name")
                    .or_else(|| node.child_by_field_name("property"))
                {
                    let ty = hint(node, src);
                    facts.fields.push(Field {
                        name: text(name, src).to_string(),
                        ty,
                        line,
                    });
                }
            }
            "assignment_expression" => {
                let left = node.child_by_field_name("left");
                let this_field = left.filter(|l| {
                    l.kind() == "member_expression"
                        && l.child_by_field_name("object")
                            .is_some_and(|o| o.kind() == "this")
                });
                if let (Some(l), Some(r)) = (this_field, node.child_by_field_name("right")) {
                    if let Some(p) = l.child_by_field_name("property") {
                        facts.fields.push(Field {
                            name: text(p, src).to_string(),
                            ty: value_hint(r, src),
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

/// The type of a declarator, parameter or field: its annotation, else what its value shows.
fn hint(node: Node, src: &[u8]) -> Option<TypeHint> {
    if let Some(t) = node.child_by_field_name("type") {
        let written = text(t, src).trim_start_matches(':').trim();
        return Some(TypeHint::Written(written.to_string()));
    }
    node.child_by_field_name("value")
        .and_then(|v| value_hint(v, src))
}

fn value_hint(value: Node, src: &[u8]) -> Option<TypeHint> {
    match value.kind() {
        "new_expression" => value
            .child_by_field_name("constructor")
            .map(|c| TypeHint::Of([value_path(c, src), vec!["()".into()]].concat())),
        _ => Some(TypeHint::Of(value_path(value, src))),
    }
}

/// A type named where it is used, not where it is declared or made generic.
fn is_type_use(node: Node) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    let is_name = parent
        .child_by_field_name("name")
        .is_some_and(|n| n.id() == node.id());
    !(parent.kind() == "nested_type_identifier"
        || parent.kind() == "type_parameter"
        || (is_name && parent.kind() != "generic_type"))
}

/// `a.B` -> `["a", "B"]`.
fn type_path(node: Node, src: &[u8]) -> Vec<String> {
    let t = text(node, src);
    let segs: Vec<String> = t.split('.').map(|s| s.trim().to_string()).collect();
    if segs.iter().any(|s| {
        s.is_empty()
            || !s
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    }) {
        return vec![];
    }
    segs
}

/// `this.store.get` -> `["this", "store", "get"]`, `make().run` -> `["make", "()", "run"]`;
/// a value the code does not name is `"?"`.
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
        "identifier" | "this" | "super" | "property_identifier" => {
            vec![text(node, src).to_string()]
        }
        "member_expression" => {
            let (Some(object), Some(property)) = (
                node.child_by_field_name("object"),
                node.child_by_field_name("property"),
            ) else {
                return unknown();
            };
            let mut p = value_path_within(object, src, depth + 1);
            p.push(text(property, src).to_string());
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
        "new_expression" => {
            let mut p = node
                .child_by_field_name("constructor")
                .map(|f| value_path_within(f, src, depth + 1))
                .unwrap_or_else(unknown);
            p.push("()".into());
            p
        }
        "await_expression" | "non_null_expression" | "parenthesized_expression" => node
            .named_child(0)
            .map(|n| value_path_within(n, src, depth + 1))
            .unwrap_or_else(unknown),
        _ => unknown(),
    }
}

/// A `/** … */` block ending on the line just above the node.
fn doc_comment(node: Node, src: &[u8]) -> String {
    match node.prev_named_sibling() {
        Some(c)
            if c.kind() == "comment"
                && text(c, src).starts_with("/**")
                && c.end_position().row + 1 >= node.start_position().row =>
        {
            clean_block(text(c, src))
        }
        _ => String::new(),
    }
}

/// A leading `/** … */` block that is not the doc of the declaration right below it.
fn module_doc(root: Node, src: &[u8]) -> String {
    let Some(first) = root.named_child(0) else {
        return String::new();
    };
    let t = text(first, src);
    if first.kind() != "comment" || !t.starts_with("/**") {
        return String::new();
    }
    let detached = match first.next_named_sibling() {
        Some(next) => {
            next.start_position().row > first.end_position().row + 1
                || t.contains("@module")
                || t.contains("@file")
        }
        None => true,
    };
    if detached {
        clean_block(t)
    } else {
        String::new()
    }
}

const EXTENSIONS: &[&str] = &["ts", "tsx", "d.ts", "js", "jsx", "mjs", "cjs", "mts", "cts"];

pub(super) fn resolve(spec: &ImportSpec, path: &str, index: &RepoIndex) -> Option<String> {
    let ImportSpec::Js(spec) = spec else {
        return None;
    };
    // Relative specifiers name files of the repo; bare ones name packages, some of them the
    // repository's own (a monorepo's workspaces): `@scope/pkg` is its entry module,
    // `@scope/pkg/sub` a file under its folder.
    let relative = spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == "..";
    if !relative {
        let (name, sub) = match spec.strip_prefix('@') {
            Some(scoped) => {
                let mut parts = scoped.splitn(3, '/');
                let scope = parts.next()?;
                let name = parts.next()?;
                (format!("@{scope}/{name}"), parts.next())
            }
            None => match spec.split_once('/') {
                Some((name, sub)) => (name.to_string(), Some(sub)),
                None => (spec.to_string(), None),
            },
        };
        let (root, entry) = index.npm_packages.get(&name)?;
        return match sub {
            None => entry.clone(),
            Some(sub) => file_at(&normalize(root, sub)?, index),
        };
    }
    let target = normalize(parent_dir(path), spec)?;
    file_at(&target, index)
}

/// The file an import of `target` (a path without or with a `.js` extension, or a folder with
/// an index file) names.
fn file_at(target: &str, index: &RepoIndex) -> Option<String> {
    let target = target.to_string();
    if index.has(&target) {
        return Some(target);
    }
    // ESM TypeScript imports `./x.js` for the source `./x.ts`.
    let stem = [".js", ".jsx", ".mjs", ".cjs"]
        .iter()
        .find_map(|e| target.strip_suffix(e))
        .unwrap_or(&target);
    for base in [stem.to_string(), format!("{target}/index")] {
        for ext in EXTENSIONS {
            let candidate = format!("{base}.{ext}");
            if index.has(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{facts, snapshot, symbol};
    use super::*;
    use crate::snapshot::Language;

    const TS: &str = r#"/**
 * The widget store.
 */

import { a } from './util';
import type { T } from "../types/index";
export * from './reexport';
import React from 'react';

/** Makes a widget. */
export function makeWidget(name: string): Widget {
  return new Widget(name);
}

/** A widget. */
export class Widget extends Base {
  /** Its name. */
  constructor(public name: string) { super(); }
  private secret(): void {}
  render() { return require('./render'); }
}

export interface Shape { area(): number }
export type Id = string;
export const MAX = 3;
export const handler = async (req: Request) => { return import('./lazy'); };
const hidden = () => 1;
"#;

    #[test]
    fn typescript_symbols_docs_and_exports() {
        let f = facts(Language::TypeScript, TS);
        assert_eq!(f.module_doc, "The widget store.");
        let make = symbol(&f, "makeWidget");
        assert_eq!(make.doc, "Makes a widget.");
        assert_eq!(
            make.signature,
            "export function makeWidget(name: string): Widget"
        );
        assert!(make.public);
        assert_eq!(symbol(&f, "Widget").kind, SymbolKind::Class);
        assert_eq!(symbol(&f, "Widget.constructor").doc, "Its name.");
        assert!(!symbol(&f, "Widget.secret").public);
        assert_eq!(symbol(&f, "Shape").kind, SymbolKind::Interface);
        assert_eq!(symbol(&f, "Id").kind, SymbolKind::Type);
        assert_eq!(symbol(&f, "MAX").signature, "export const MAX = 3");
        assert_eq!(symbol(&f, "handler").kind, SymbolKind::Function);
        assert!(!symbol(&f, "hidden").public);
    }

    #[test]
    fn commonjs_assignments_objects_and_nested_functions_are_listed() {
        let js = "/** Accepts. */\nreq.accepts = function () { return 1; };\nexports.parse = function parse(s) {};\nmodule.exports = function (app) {};\nRouter.prototype.route = function route(path) {};\nvar User = { index: function (req, res) {}, show(req) {} };\ndefineGetter(req, 'protocol', function protocol() {});\nexport function createQueue(n) {\n  function run() {}\n  return { add: run };\n}\nsearch.on('keyup', function () {\n  xhr.onload = function () {};\n});\n";
        let f = facts(Language::JavaScript, js);
        let accepts = symbol(&f, "req.accepts");
        assert_eq!(accepts.kind, SymbolKind::Method);
        assert_eq!(accepts.doc, "Accepts.");
        assert_eq!(symbol(&f, "parse").kind, SymbolKind::Function);
        assert_eq!(symbol(&f, "module.exports").kind, SymbolKind::Function);
        assert_eq!(symbol(&f, "Router.route").kind, SymbolKind::Method);
        assert_eq!(symbol(&f, "User.index").kind, SymbolKind::Method);
        assert_eq!(symbol(&f, "User.show").kind, SymbolKind::Method);
        assert_eq!(symbol(&f, "protocol").kind, SymbolKind::Function);
        let run = symbol(&f, "createQueue.run");
        assert!(!run.public);
        assert_eq!(symbol(&f, "xhr.onload").kind, SymbolKind::Function);
        let f = facts(
            Language::JavaScript,
            "function Type(name) {\n  this.insert = function (evt) { return 1; };\n}\n",
        );
        assert_eq!(symbol(&f, "Type.insert").kind, SymbolKind::Method);
        let ts = "export interface Queue {\n  add: <T>(job: () => T) => Promise<T>;\n  size(): number;\n}\nexport const Stack = globalThis.Stack ?? class Stack {\n  use(v: number) {}\n};\n";
        let f = facts(Language::TypeScript, ts);
        assert_eq!(symbol(&f, "Queue.add").kind, SymbolKind::Method);
        assert_eq!(symbol(&f, "Queue.size").kind, SymbolKind::Method);
        assert_eq!(symbol(&f, "Stack").kind, SymbolKind::Class);
        assert_eq!(symbol(&f, "Stack.use").kind, SymbolKind::Method);
    }

    #[test]
    fn names_exported_apart_from_their_declaration_are_public() {
        let code = "class Ky { get() {} }\nconst internal = 1;\n/** The default client. */\nconst ky = new Ky();\nfunction helper() {}\nexport {helper as h};\nexport default ky;\n";
        let f = facts(Language::TypeScript, code);
        let names: Vec<(&str, bool)> = f
            .symbols
            .iter()
            .map(|s| (s.name.as_str(), s.public))
            .collect();
        assert_eq!(
            names,
            [
                ("Ky", false),
                ("Ky.get", false),
                ("ky", true),
                ("helper", true)
            ]
        );
        assert_eq!(symbol(&f, "ky").doc, "The default client.");
    }

    #[test]
    fn every_import_form_is_found() {
        let f = facts(Language::TypeScript, TS);
        let specs: Vec<String> = f.imports.iter().map(|i| i.spec.display()).collect();
        for expected in [
            "./util",
            "../types/index",
            "./reexport",
            "react",
            "./render",
            "./lazy",
        ] {
            assert!(
                specs.contains(&format!("import \"{expected}\"")),
                "{expected} in {specs:?}"
            );
        }
    }

    #[test]
    fn tsx_and_commonjs_parse() {
        let tsx = facts(Language::Tsx, "export const App = () => <div>{x}</div>;\n");
        assert_eq!(symbol(&tsx, "App").kind, SymbolKind::Function);
        let js = facts(
            Language::JavaScript,
            "const lib = require('./lib');\n/** Runs. */\nfunction run() {}\nmodule.exports = { run };\n",
        );
        assert!(symbol(&js, "run").public, "CommonJS top level is public");
        assert_eq!(symbol(&js, "run").doc, "Runs.");
        assert_eq!(js.imports[0].spec, ImportSpec::Js("./lib".into()));
    }

    #[test]
    fn relative_imports_resolve_with_extensions_and_index_files() {
        let snap = snapshot(&[
            "web/app.ts",
            "web/util.ts",
            "web/types/index.ts",
            "web/render.jsx",
            "web/esm.ts",
        ]);
        let index = RepoIndex::new(&snap, &Default::default());
        let r = |s: &str| resolve(&ImportSpec::Js(s.into()), "web/app.ts", &index);
        assert_eq!(r("./util").as_deref(), Some("web/util.ts"));
        assert_eq!(r("./types").as_deref(), Some("web/types/index.ts"));
        assert_eq!(r("./render").as_deref(), Some("web/render.jsx"));
        assert_eq!(r("./esm.js").as_deref(), Some("web/esm.ts"));
        assert_eq!(r("react"), None);
        assert_eq!(r("../../outside"), None);
    }

    #[test]
    fn a_monorepo_imports_its_own_packages_by_name() {
        let snap = snapshot(&[
            "packages/cli/src/index.ts",
            "packages/config/src/index.ts",
            "packages/config/src/schema.ts",
        ]);
        let packages = crate::packages::Packages {
            packages: vec![crate::packages::Package {
                name: "@scope/config".into(),
                ecosystem: crate::packages::Ecosystem::Npm,
                root: "packages/config".into(),
                manifest: "packages/config/package.json".into(),
                description: String::new(),
                code_root: "packages/config/src".into(),
                module: "@scope/config".into(),
                library: Some("packages/config/src/index.ts".into()),
                entries: vec![],
                proc_macro: false,
            }],
            ..Default::default()
        };
        let index = RepoIndex::new(&snap, &packages);
        let r = |s: &str| {
            resolve(
                &ImportSpec::Js(s.into()),
                "packages/cli/src/index.ts",
                &index,
            )
        };
        assert_eq!(
            r("@scope/config").as_deref(),
            Some("packages/config/src/index.ts")
        );
        assert_eq!(
            r("@scope/config/src/schema.js").as_deref(),
            Some("packages/config/src/schema.ts")
        );
        assert_eq!(r("@scope/other"), None);
    }
}
