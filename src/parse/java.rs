//! Java front-end: classes, interfaces, enums (with their constants), records and annotation
//! types, nested under their outer types; methods and constructors under their type;
//! `static final` fields as constants; each with its Javadoc. `package-info.java`'s Javadoc is
//! the package's doc. Imports (single-type, on-demand `.*`, static) resolved to the files that
//! declare those types and packages, across source roots; calls, creations, types named,
//! extends/implements, typed parameters, locals and fields for the references stage.
//!
//! Visibility: `public` or `protected` (what a user of the package can reach), members of an
//! interface or an annotation type are public unless `private`; a member is public only when
//! its type is too.

use tree_sitter::Node;

use super::{lines_of, signature, text, visit_pruned, Binding, Field, FileFacts, Import};
use super::{ImportSpec, Local, RawRef, RefKind, RepoIndex, Symbol, SymbolKind, TypeHint};

pub(super) fn extract(root: Node, src: &[u8]) -> FileFacts {
    let mut facts = FileFacts::default();
    let mut cursor = root.walk();
    for node in root.named_children(&mut cursor) {
        match node.kind() {
            "package_declaration" => {
                // `package-info.java` documents its package above this line.
                facts.module_doc = javadoc(node, src);
                let mut c = node.walk();
                facts.package = node
                    .named_children(&mut c)
                    .find(|n| matches!(n.kind(), "scoped_identifier" | "identifier"))
                    .map(|n| compact(text(n, src)))
                    .unwrap_or_default();
            }
            "import_declaration" => import(node, src, &mut facts),
            _ => declaration(node, src, "", true, 0, &mut facts),
        }
    }
    references(root, src, &mut facts);
    facts
}

/// `a . b . C` -> `a.b.C`.
fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The declaration's modifier keywords (`public`, `static`, …), annotations left out.
fn modifiers(node: Node, src: &[u8]) -> Vec<String> {
    let mut c = node.walk();
    let Some(m) = node
        .named_children(&mut c)
        .find(|n| n.kind() == "modifiers")
    else {
        return Vec::new();
    };
    let mut mc = m.walk();
    let words = m
        .children(&mut mc)
        .filter(|n| !n.kind().contains("annotation"))
        .map(|n| text(n, src).to_string())
        .collect();
    words
}

/// A type, method, constructor or field declared in a type body (or at the top of the file
/// when `owner` is empty). `owner_public`: whether the enclosing type is reachable.
fn declaration(
    node: Node,
    src: &[u8],
    owner: &str,
    owner_public: bool,
    depth: usize,
    facts: &mut FileFacts,
) {
    // Types nested past this are not read: hostile code nests without end.
    if depth > MAX_PATH_DEPTH as usize {
        return;
    }
    let mods = modifiers(node, src);
    let has = |m: &str| mods.iter().any(|x| x == m);
    let in_interface = node
        .parent()
        .is_some_and(|p| matches!(p.kind(), "interface_body" | "annotation_type_body"));
    let visible = has("public") || has("protected") || (in_interface && !has("private"));
    let public = visible && owner_public;
    let qualify = |name: &str| match owner {
        "" => name.to_string(),
        o => format!("{o}.{name}"),
    };
    let (start_line, end_line) = lines_of(node);
    match node.kind() {
        "class_declaration"
        | "interface_declaration"
        | "enum_declaration"
        | "record_declaration"
        | "annotation_type_declaration" => {
            let Some(name) = node.child_by_field_name("name").map(|n| text(n, src)) else {
                return;
            };
            let kind = match node.kind() {
                "class_declaration" | "record_declaration" => SymbolKind::Class,
                "enum_declaration" => SymbolKind::Enum,
                _ => SymbolKind::Interface,
            };
            let body = node.child_by_field_name("body");
            let qualified = qualify(name);
            facts.symbols.push(Symbol {
                kind,
                name: qualified.clone(),
                signature: signature(node, body, src),
                doc: javadoc(node, src),
                start_line,
                end_line,
                public,
            });
            supertypes(node, src, &qualified, facts);
            if node.kind() == "record_declaration" {
                // A record's components are its fields.
                if let Some(params) = node.child_by_field_name("parameters") {
                    let mut c = params.walk();
                    for p in params.named_children(&mut c) {
                        let (Some(n), Some(t)) =
                            (p.child_by_field_name("name"), p.child_by_field_name("type"))
                        else {
                            continue;
                        };
                        facts.fields.push(Field {
                            name: text(n, src).to_string(),
                            ty: written(t, src),
                            line: lines_of(p).0,
                        });
                    }
                }
            }
            let Some(body) = body else { return };
            let mut c = body.walk();
            for member in body.named_children(&mut c) {
                match member.kind() {
                    "enum_constant" => {
                        let Some(n) = member.child_by_field_name("name").map(|n| text(n, src))
                        else {
                            continue;
                        };
                        let (s, e) = lines_of(member);
                        facts.symbols.push(Symbol {
                            kind: SymbolKind::Const,
                            name: format!("{qualified}.{n}"),
                            signature: n.to_string(),
                            doc: javadoc(member, src),
                            start_line: s,
                            end_line: e,
                            public,
                        });
                    }
                    "enum_body_declarations" => {
                        let mut ec = member.walk();
                        for d in member.named_children(&mut ec) {
                            declaration(d, src, &qualified, public, depth + 1, facts);
                        }
                    }
                    _ => declaration(member, src, &qualified, public, depth + 1, facts),
                }
            }
        }
        "method_declaration"
        | "constructor_declaration"
        | "compact_constructor_declaration"
        | "annotation_type_element_declaration" => {
            let Some(name) = node.child_by_field_name("name").map(|n| text(n, src)) else {
                return;
            };
            let kind = match owner {
                "" => SymbolKind::Function,
                _ => SymbolKind::Method,
            };
            let body = node.child_by_field_name("body");
            facts.symbols.push(Symbol {
                kind,
                name: qualify(name),
                signature: signature(node, body, src)
                    .trim_end_matches(';')
                    .trim_end()
                    .to_string(),
                doc: javadoc(node, src),
                start_line,
                end_line,
                public,
            });
        }
        "field_declaration" | "constant_declaration" => {
            let ty = node.child_by_field_name("type");
            let hint = ty.and_then(|t| written(t, src));
            // `static final`, and every field of an interface: constants.
            let constant = (has("static") && has("final")) || node.kind() == "constant_declaration";
            let mut c = node.walk();
            for d in node.children_by_field_name("declarator", &mut c) {
                let Some(n) = d.child_by_field_name("name").map(|n| text(n, src)) else {
                    continue;
                };
                facts.fields.push(Field {
                    name: n.to_string(),
                    ty: hint.clone(),
                    line: lines_of(d).0,
                });
                if constant {
                    facts.symbols.push(Symbol {
                        kind: SymbolKind::Const,
                        name: qualify(n),
                        signature: signature(node, None, src).trim_end_matches(';').to_string(),
                        doc: javadoc(node, src),
                        start_line,
                        end_line,
                        public,
                    });
                }
            }
        }
        _ => {}
    }
}

/// `extends` and `implements` of a type: for the references stage.
fn supertypes(node: Node, src: &[u8], subject: &str, facts: &mut FileFacts) {
    let subject: Vec<String> = subject.split('.').map(str::to_string).collect();
    let line = lines_of(node).0;
    let mut push = |kind: RefKind, list: Node| {
        visit_pruned(list, &mut |t| match t.kind() {
            "type_identifier" | "scoped_type_identifier" | "generic_type" => {
                if let Some(path) = type_path(t, src) {
                    facts.refs.push(RawRef {
                        kind,
                        path,
                        line,
                        subject: subject.clone(),
                    });
                }
                false
            }
            _ => true,
        });
    };
    let is_interface = node.kind() == "interface_declaration";
    let mut c = node.walk();
    for child in node.named_children(&mut c) {
        match child.kind() {
            "superclass" => push(RefKind::Extends, child),
            "super_interfaces" => push(RefKind::Implements, child),
            "extends_interfaces" if is_interface => push(RefKind::Extends, child),
            _ => {}
        }
    }
}

fn import(node: Node, src: &[u8], facts: &mut FileFacts) {
    let mut c = node.walk();
    let Some(path) = node
        .named_children(&mut c)
        .find(|n| matches!(n.kind(), "scoped_identifier" | "identifier"))
        .map(|n| compact(text(n, src)))
    else {
        return;
    };
    let mut c = node.walk();
    let star = node.children(&mut c).any(|n| n.kind() == "asterisk");
    let mut c = node.walk();
    let is_static = node.children(&mut c).any(|n| n.kind() == "static");
    let spec = match star {
        true => format!("{path}.*"),
        false => path.clone(),
    };
    let last = path.rsplit('.').next().unwrap_or(&path).to_string();
    facts.bindings.push(Binding {
        local: if star { "*".into() } else { last.clone() },
        import: facts.imports.len() as u32,
        name: Some(if star { "*".into() } else { last }),
    });
    facts.imports.push(Import {
        spec: ImportSpec::Java {
            path: spec,
            is_static,
        },
        line: lines_of(node).0,
        target: None,
    });
}

/// Calls, creations, types named, typed parameters and locals.
fn references(root: Node, src: &[u8], facts: &mut FileFacts) {
    visit_pruned(root, &mut |node| {
        let line = lines_of(node).0;
        match node.kind() {
            "method_invocation" => {
                let Some(name) = node.child_by_field_name("name") else {
                    return true;
                };
                let mut path = match node.child_by_field_name("object") {
                    Some(o) => value_path(o, src, 0),
                    // A bare call is the object's own method (or a static import's).
                    None if !is_imported(facts, text(name, src)) => vec!["this".to_string()],
                    None => vec![],
                };
                path.push(text(name, src).to_string());
                if let Some(args) = node.child_by_field_name("arguments") {
                    facts.call_args.push((
                        lines_of(name).0,
                        text(name, src).to_string(),
                        args.named_child_count() as u32,
                    ));
                }
                facts.refs.push(RawRef {
                    kind: RefKind::Call,
                    path,
                    line: lines_of(name).0,
                    subject: vec![],
                });
            }
            "object_creation_expression" => {
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
            "type_identifier" | "scoped_type_identifier" => {
                let declares = node
                    .parent()
                    .is_some_and(|p| matches!(p.kind(), "superclass" | "type_list"));
                if !declares {
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
            "superclass" | "super_interfaces" | "extends_interfaces" => return false,
            "formal_parameter" | "spread_parameter" => {
                let name = node.child_by_field_name("name").or_else(|| {
                    let mut c = node.walk();
                    let d = node
                        .named_children(&mut c)
                        .find(|n| n.kind() == "variable_declarator");
                    d.and_then(|d| d.child_by_field_name("name"))
                });
                let ty = node.child_by_field_name("type").or_else(|| {
                    let mut c = node.walk();
                    let t = node
                        .named_children(&mut c)
                        .find(|n| !matches!(n.kind(), "modifiers" | "variable_declarator"));
                    t
                });
                if let Some(name) = name {
                    facts.locals.push(Local {
                        name: text(name, src).to_string(),
                        ty: ty.and_then(|t| written(t, src)),
                        line,
                    });
                }
            }
            "local_variable_declaration" => {
                let ty = node.child_by_field_name("type");
                let is_var = ty.is_some_and(|t| text(t, src) == "var");
                let mut c = node.walk();
                for d in node.children_by_field_name("declarator", &mut c) {
                    let Some(name) = d.child_by_field_name("name") else {
                        continue;
                    };
                    let hint = match (is_var, d.child_by_field_name("value")) {
                        (true, Some(v)) => Some(TypeHint::Of(value_path(v, src, 0))),
                        (true, None) => None,
                        (false, _) => ty.and_then(|t| written(t, src)),
                    };
                    facts.locals.push(Local {
                        name: text(name, src).to_string(),
                        ty: hint,
                        line: lines_of(d).0,
                    });
                }
            }
            _ => {}
        }
        true
    });
}

/// Whether a static import binds `name` (then a bare call names it, not a method of this).
fn is_imported(facts: &FileFacts, name: &str) -> bool {
    facts.bindings.iter().any(|b| b.local == name)
}

/// A type as the references stage reads it: a class type (generics looked through by
/// `main_type`); arrays and primitives are none of the repository's.
fn written(t: Node, src: &[u8]) -> Option<TypeHint> {
    match t.kind() {
        "type_identifier" | "scoped_type_identifier" | "generic_type" => {
            Some(TypeHint::Written(compact(text(t, src))))
        }
        _ => None,
    }
}

/// `Foo` -> `["Foo"]`, `Map.Entry<K, V>` -> `["Map", "Entry"]`.
fn type_path(t: Node, src: &[u8]) -> Option<Vec<String>> {
    let mut t = t;
    if t.kind() == "generic_type" {
        t = t.named_child(0)?;
    }
    match t.kind() {
        "type_identifier" => Some(vec![text(t, src).to_string()]),
        "scoped_type_identifier" => {
            let written = compact(text(t, src));
            // Type arguments inside a scoped type are not part of its path.
            let plain: String = {
                let mut depth = 0;
                written
                    .chars()
                    .filter(|c| {
                        match c {
                            '<' => depth += 1,
                            '>' => depth -= 1,
                            _ => return depth == 0,
                        }
                        false
                    })
                    .collect()
            };
            let path: Vec<String> = plain.split('.').map(str::to_string).collect();
            path.iter()
                .all(|s| !s.is_empty() && !s.contains('@'))
                .then_some(path)
        }
        _ => None,
    }
}

/// Paths deeper than this are not followed: hostile code nests without end.
const MAX_PATH_DEPTH: u32 = 32;

/// `this.store.get` -> `["this", "store", "get"]`, `new Foo().bar` -> `["Foo", "()",
/// "bar"]`, `make().run` -> `["this", "make", "()", "run"]`; an unnamed value is `"?"`.
fn value_path(node: Node, src: &[u8], depth: u32) -> Vec<String> {
    let unknown = || vec!["?".to_string()];
    if depth > MAX_PATH_DEPTH {
        return unknown();
    }
    match node.kind() {
        "identifier" | "type_identifier" => vec![text(node, src).to_string()],
        "this" => vec!["this".into()],
        "super" => vec!["super".into()],
        "field_access" => {
            let (Some(object), Some(field)) = (
                node.child_by_field_name("object"),
                node.child_by_field_name("field"),
            ) else {
                return unknown();
            };
            let mut path = value_path(object, src, depth + 1);
            path.push(text(field, src).to_string());
            path
        }
        "scoped_identifier" => compact(text(node, src))
            .split('.')
            .map(str::to_string)
            .collect(),
        "method_invocation" => {
            let Some(name) = node.child_by_field_name("name") else {
                return unknown();
            };
            let mut path = match node.child_by_field_name("object") {
                Some(o) => value_path(o, src, depth + 1),
                None => vec!["this".to_string()],
            };
            path.push(text(name, src).to_string());
            path.push("()".into());
            path
        }
        "object_creation_expression" => {
            match node
                .child_by_field_name("type")
                .and_then(|t| type_path(t, src))
            {
                Some(mut path) => {
                    path.push("()".into());
                    path
                }
                None => unknown(),
            }
        }
        "parenthesized_expression" | "cast_expression" => {
            // A cast names its type: `((Foo) x).bar()`.
            if node.kind() == "cast_expression" {
                if let Some(path) = node
                    .child_by_field_name("type")
                    .and_then(|t| type_path(t, src))
                {
                    let mut p = path;
                    p.push("()".into());
                    return p;
                }
            }
            node.named_child(0)
                .map(|n| value_path(n, src, depth + 1))
                .unwrap_or_else(unknown)
        }
        _ => unknown(),
    }
}

/// The `/** … */` block right above the declaration (its annotations are part of it).
fn javadoc(node: Node, src: &[u8]) -> String {
    let mut prev = node.prev_sibling();
    // Line comments between the Javadoc and the declaration are skipped.
    while let Some(p) = prev.filter(|p| p.kind() == "line_comment") {
        prev = p.prev_sibling();
    }
    match prev {
        Some(c) if c.kind() == "block_comment" => {
            let t = text(c, src);
            if t.starts_with("/**") && !t.starts_with("/***") && t != "/**/" {
                super::rust::clean_block(t)
            } else {
                String::new()
            }
        }
        _ => String::new(),
    }
}

/// The file an import names: a type's file (its top-level type, for a nested or static
/// import), or for `pkg.*` a file of that package (the references stage finds the others).
pub(super) fn resolve(spec: &ImportSpec, _from: &str, index: &RepoIndex) -> Option<String> {
    let ImportSpec::Java { path, .. } = spec else {
        return None;
    };
    if let Some(package) = path.strip_suffix(".*") {
        // `import a.b.*` (a package) or `import static a.b.C.*` (a type's members).
        if let Some(file) = type_file(package, index) {
            return Some(file);
        }
        return index
            .java_packages
            .get(package)
            .and_then(|files| files.first())
            .cloned();
    }
    type_file(path, index)
}

/// The file that declares the type `a.b.C` or holds it (`a.b.C.Inner`, `a.b.C.member`).
fn type_file(path: &str, index: &RepoIndex) -> Option<String> {
    let mut name = path;
    loop {
        if let Some(file) = index.java_types.get(name) {
            return Some(file.clone());
        }
        name = name.rsplit_once('.')?.0;
    }
}

/// The package a Java file declares, read from its text: the first `package a.b;` line
/// outside comments.
pub(crate) fn declared_package(text: &str) -> Option<String> {
    let mut in_block = false;
    for line in text.lines().take(400) {
        let mut l = line.trim();
        if in_block {
            match l.find("*/") {
                Some(end) => {
                    in_block = false;
                    l = l[end + 2..].trim();
                }
                None => continue,
            }
        }
        while let Some(rest) = l.strip_prefix("/*") {
            match rest.find("*/") {
                Some(end) => l = rest[end + 2..].trim(),
                None => {
                    in_block = true;
                    l = "";
                }
            }
        }
        if l.is_empty() || l.starts_with("//") || l.starts_with('@') {
            continue;
        }
        let rest = l.strip_prefix("package")?;
        let name = rest.trim().trim_end_matches(';').trim();
        let ok = !name.is_empty()
            && name
                .split('.')
                .all(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'));
        return ok.then(|| name.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_support::{facts, symbol};
    use crate::snapshot::Language;

    const CODE: &str = r#"/*
 * Copyright header.
 */
package com.example.store;

import java.util.List;
import java.util.*;
import static com.example.util.Strings.upper;
import com.example.util.Strings;

/**
 * Keeps items.
 *
 * @param <T> the item type
 * @see Strings
 */
@Deprecated
public class Store<T> extends Base implements Iterable<T>, AutoCloseable {
    /** The most items. */
    public static final int MAX = 10;
    private final Strings strings = new Strings();
    private List<T> items;

    /** Makes an empty store. */
    public Store() { this.items = new ArrayList<>(); }

    /**
     * Adds one.
     *
     * @param item the item
     * @return whether it was added
     */
    public boolean add(T item) {
        var s = new Strings();
        s.trim(upper(item.toString()));
        strings.trim("x");
        helper();
        return items.add(item);
    }

    private void helper() {}

    /** Kinds of store. */
    public enum Kind { MEMORY, /** On disk. */ DISK }

    interface Listener { void changed(); }

    static class Inner {}
}

record Point(int x, Strings label) {}
"#;

    #[test]
    fn symbols_docs_nesting_and_visibility() {
        let f = facts(Language::Java, CODE);
        assert_eq!(f.package, "com.example.store");
        assert_eq!(f.module_doc, "");
        let store = symbol(&f, "Store");
        assert_eq!(store.kind, SymbolKind::Class);
        assert!(store.public);
        assert!(store.doc.starts_with("Keeps items."), "{}", store.doc);
        assert!(store
            .signature
            .starts_with("@Deprecated public class Store<T> extends Base"));
        let max = symbol(&f, "Store.MAX");
        assert_eq!((max.kind, max.public), (SymbolKind::Const, true));
        assert_eq!(max.doc, "The most items.");
        let ctor = symbol(&f, "Store.Store");
        assert_eq!(ctor.kind, SymbolKind::Method);
        assert_eq!(ctor.doc, "Makes an empty store.");
        let add = symbol(&f, "Store.add");
        assert_eq!(add.signature, "public boolean add(T item)");
        assert!(add.doc.contains("@return whether it was added"));
        assert!(!symbol(&f, "Store.helper").public);
        assert_eq!(symbol(&f, "Store.Kind").kind, SymbolKind::Enum);
        assert_eq!(symbol(&f, "Store.Kind.DISK").doc, "On disk.");
        let listener = symbol(&f, "Store.Listener");
        assert_eq!(listener.kind, SymbolKind::Interface);
        assert!(!listener.public);
        // An interface's methods are public, within a package-private interface: not public.
        assert!(!symbol(&f, "Store.Listener.changed").public);
        assert!(!symbol(&f, "Store.Inner").public);
        assert!(!symbol(&f, "Point").public);
    }

    #[test]
    fn imports_and_references() {
        let f = facts(Language::Java, CODE);
        let specs: Vec<String> = f.imports.iter().map(|i| i.spec.display()).collect();
        assert_eq!(
            specs,
            [
                "import java.util.List",
                "import java.util.*",
                "import static com.example.util.Strings.upper",
                "import com.example.util.Strings"
            ]
        );
        let calls: Vec<Vec<String>> = f
            .refs
            .iter()
            .filter(|r| r.kind == RefKind::Call)
            .map(|r| r.path.clone())
            .collect();
        assert!(
            calls.contains(&vec!["s".into(), "trim".into()]),
            "{calls:?}"
        );
        assert!(calls.contains(&vec!["upper".into()]), "{calls:?}");
        assert!(
            calls.contains(&vec!["this".into(), "helper".into()]),
            "{calls:?}"
        );
        assert!(
            calls.contains(&vec!["strings".into(), "trim".into()]),
            "{calls:?}"
        );
        let ext: Vec<(RefKind, Vec<String>)> = f
            .refs
            .iter()
            .filter(|r| !r.subject.is_empty())
            .map(|r| (r.kind, r.path.clone()))
            .collect();
        assert!(
            ext.contains(&(RefKind::Extends, vec!["Base".into()])),
            "{ext:?}"
        );
        assert!(ext.contains(&(RefKind::Implements, vec!["Iterable".into()])));
        let s = f.locals.iter().find(|l| l.name == "s").unwrap();
        assert_eq!(
            s.ty,
            Some(TypeHint::Of(vec!["Strings".into(), "()".into()]))
        );
        let item = f.locals.iter().find(|l| l.name == "item").unwrap();
        assert_eq!(item.ty, Some(TypeHint::Written("T".into())));
        let strings = f.fields.iter().find(|x| x.name == "strings").unwrap();
        assert_eq!(strings.ty, Some(TypeHint::Written("Strings".into())));
        let label = f.fields.iter().find(|x| x.name == "label").unwrap();
        assert_eq!(label.ty, Some(TypeHint::Written("Strings".into())));
    }

    #[test]
    fn packages_are_read_from_the_text() {
        assert_eq!(
            declared_package("/* a\n package x; */\n// b\n@Ann\npackage a.b.c;\n").as_deref(),
            Some("a.b.c")
        );
        assert_eq!(declared_package("import x.y;\n"), None);
        let f = facts(
            Language::Java,
            "/** The store: keeps things. */\npackage com.example.store;\n",
        );
        assert_eq!(f.module_doc, "The store: keeps things.");
    }
}
