//! C# front-end: classes, structs, interfaces, records, enums (with their members) and
//! delegates, nested under their outer types; methods and constructors under their type;
//! `const` fields as constants; each with its XML doc comment (`///`). Namespaces (block and
//! file-scoped) are the file's package; `using` directives resolved to the files that declare
//! those namespaces; calls, creations, base types, typed parameters, locals, fields and
//! properties for the references stage.
//!
//! Visibility: `public` or `protected` (what another assembly can reach); an interface's
//! members are public; a member is public only when its type is too.

use tree_sitter::Node;

use super::{lines_of, signature, text, visit_pruned, Binding, Field, FileFacts, Import};
use super::{ImportSpec, Local, RawRef, RefKind, RepoIndex, Symbol, SymbolKind, TypeHint};

pub(super) fn extract(root: Node, src: &[u8]) -> FileFacts {
    let mut facts = FileFacts::default();
    members(root, src, "", true, 0, &mut facts);
    references(root, src, &mut facts);
    facts
}

/// Past this, nested types and namespaces are not read: hostile code nests without end.
const MAX_DEPTH: usize = 32;

fn modifiers(node: Node, src: &[u8]) -> Vec<String> {
    let mut c = node.walk();
    let words = node
        .children(&mut c)
        .filter(|n| n.kind() == "modifier")
        .map(|n| text(n, src).to_string())
        .collect();
    words
}

/// The declarations in a compilation unit, a namespace or a type's body.
fn members(
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
    let mut c = list.walk();
    for node in list.named_children(&mut c) {
        match node.kind() {
            "using_directive" if owner.is_empty() => using(node, src, facts),
            "namespace_declaration" | "file_scoped_namespace_declaration" => {
                if let Some(name) = node.child_by_field_name("name") {
                    if facts.package.is_empty() {
                        facts.package = compact(text(name, src));
                    }
                }
                if facts.module_doc.is_empty() {
                    facts.module_doc = xml_doc(node, src);
                }
                if let Some(body) = node.child_by_field_name("body") {
                    members(body, src, owner, owner_public, depth + 1, facts);
                }
            }
            // A preprocessor block keeps its declarations.
            "preproc_if" | "preproc_else" | "preproc_elif" | "declaration_list" => {
                members(node, src, owner, owner_public, depth + 1, facts)
            }
            _ => declaration(node, src, owner, owner_public, depth, facts),
        }
    }
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn declaration(
    node: Node,
    src: &[u8],
    owner: &str,
    owner_public: bool,
    depth: usize,
    facts: &mut FileFacts,
) {
    let mods = modifiers(node, src);
    let has = |m: &str| mods.iter().any(|x| x == m);
    let in_interface = node
        .parent()
        .and_then(|p| p.parent())
        .is_some_and(|p| p.kind() == "interface_declaration");
    let public = (has("public") || has("protected") || in_interface) && owner_public;
    let qualify = |name: &str| match owner {
        "" => name.to_string(),
        o => format!("{o}.{name}"),
    };
    let (start_line, end_line) = lines_of(node);
    match node.kind() {
        "class_declaration"
        | "struct_declaration"
        | "interface_declaration"
        | "enum_declaration"
        | "record_declaration"
        | "record_struct_declaration"
        | "delegate_declaration" => {
            let Some(name) = node.child_by_field_name("name").map(|n| text(n, src)) else {
                return;
            };
            let kind = match node.kind() {
                "struct_declaration" | "record_struct_declaration" => SymbolKind::Struct,
                "interface_declaration" => SymbolKind::Interface,
                "enum_declaration" => SymbolKind::Enum,
                "delegate_declaration" => SymbolKind::Type,
                _ => SymbolKind::Class,
            };
            let body = node.child_by_field_name("body");
            let qualified = qualify(name);
            facts.symbols.push(Symbol {
                kind,
                name: qualified.clone(),
                signature: signature(node, body, src).trim_end_matches(';').to_string(),
                doc: xml_doc(node, src),
                start_line,
                end_line,
                public,
            });
            bases(node, src, &qualified, facts);
            if let Some(params) = node.child_by_field_name("parameters").or_else(|| {
                let mut c = node.walk();
                let p = node
                    .named_children(&mut c)
                    .find(|n| n.kind() == "parameter_list");
                p
            }) {
                // A record's or primary constructor's parameters are its properties.
                let mut c = params.walk();
                for p in params.named_children(&mut c) {
                    if let (Some(n), Some(t)) =
                        (p.child_by_field_name("name"), p.child_by_field_name("type"))
                    {
                        facts.fields.push(Field {
                            name: text(n, src).to_string(),
                            ty: written(t, src),
                            line: lines_of(p).0,
                        });
                    }
                }
            }
            let Some(body) = body else { return };
            if node.kind() == "enum_declaration" {
                let mut c = body.walk();
                for m in body.named_children(&mut c) {
                    if m.kind() != "enum_member_declaration" {
                        continue;
                    }
                    let Some(n) = m.child_by_field_name("name").map(|n| text(n, src)) else {
                        continue;
                    };
                    let (s, e) = lines_of(m);
                    facts.symbols.push(Symbol {
                        kind: SymbolKind::Const,
                        name: format!("{qualified}.{n}"),
                        signature: signature(m, None, src),
                        doc: xml_doc(m, src),
                        start_line: s,
                        end_line: e,
                        public,
                    });
                }
                return;
            }
            members(body, src, &qualified, public, depth + 1, facts);
        }
        "method_declaration"
        | "constructor_declaration"
        | "destructor_declaration"
        | "operator_declaration"
        | "conversion_operator_declaration" => {
            let name = match node.child_by_field_name("name") {
                Some(n) => text(n, src).to_string(),
                None if node.kind() == "operator_declaration" => node
                    .child_by_field_name("operator")
                    .map(|o| format!("operator {}", text(o, src)))
                    .unwrap_or_default(),
                // `implicit operator string(…)`: named by the type it converts to.
                None if node.kind() == "conversion_operator_declaration" => node
                    .child_by_field_name("type")
                    .map(|t| format!("operator {}", compact(text(t, src))))
                    .unwrap_or_default(),
                None => return,
            };
            if name.is_empty() {
                return;
            }
            let name = match node.kind() {
                "destructor_declaration" => format!("~{name}"),
                _ => name,
            };
            let body = node.child_by_field_name("body");
            facts.symbols.push(Symbol {
                kind: if owner.is_empty() {
                    SymbolKind::Function
                } else {
                    SymbolKind::Method
                },
                name: qualify(&name),
                signature: signature(node, body, src)
                    .trim_end_matches(';')
                    .trim_end()
                    .to_string(),
                doc: xml_doc(node, src),
                start_line,
                end_line,
                public,
            });
        }
        "field_declaration" | "event_field_declaration" => {
            let mut c = node.walk();
            let Some(decl) = node
                .named_children(&mut c)
                .find(|n| n.kind() == "variable_declaration")
            else {
                return;
            };
            let hint = decl
                .child_by_field_name("type")
                .and_then(|t| written(t, src));
            let constant = has("const");
            let mut dc = decl.walk();
            for d in decl.named_children(&mut dc) {
                if d.kind() != "variable_declarator" {
                    continue;
                }
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
                        doc: xml_doc(node, src),
                        start_line,
                        end_line,
                        public,
                    });
                }
            }
        }
        "property_declaration" => {
            if let (Some(n), Some(t)) = (
                node.child_by_field_name("name"),
                node.child_by_field_name("type"),
            ) {
                facts.fields.push(Field {
                    name: text(n, src).to_string(),
                    ty: written(t, src),
                    line: start_line,
                });
            }
        }
        _ => {}
    }
}

/// A type's base class and interfaces: for the references stage.
fn bases(node: Node, src: &[u8], subject: &str, facts: &mut FileFacts) {
    let subject: Vec<String> = subject.split('.').map(str::to_string).collect();
    let line = lines_of(node).0;
    let mut c = node.walk();
    let Some(list) = node
        .named_children(&mut c)
        .find(|n| n.kind() == "base_list")
    else {
        return;
    };
    let mut lc = list.walk();
    for t in list.named_children(&mut lc) {
        let t = match t.kind() {
            "primary_constructor_base_type" => t.named_child(0).unwrap_or(t),
            _ => t,
        };
        if let Some(path) = type_path(t, src) {
            facts.refs.push(RawRef {
                kind: RefKind::Extends,
                path,
                line,
                subject: subject.clone(),
            });
        }
    }
}

fn using(node: Node, src: &[u8], facts: &mut FileFacts) {
    let mut c = node.walk();
    let named: Vec<Node> = node.named_children(&mut c).collect();
    // `using A = X.Y;`: the alias's name comes first.
    let (alias, target) = match named.as_slice() {
        [a, t, ..] if a.kind() == "identifier" && node.child_by_field_name("name") == Some(*a) => {
            (Some(text(*a, src)), *t)
        }
        [t, ..] => (None, *t),
        [] => return,
    };
    let path = compact(text(target, src));
    let mut c = node.walk();
    let is_static = node.children(&mut c).any(|n| n.kind() == "static");
    facts.bindings.push(Binding {
        local: alias.unwrap_or("*").to_string(),
        import: facts.imports.len() as u32,
        name: match alias {
            Some(_) => None,
            None => Some("*".into()),
        },
    });
    facts.imports.push(Import {
        spec: ImportSpec::Using {
            path,
            is_static,
            alias: alias.map(str::to_string),
        },
        line: lines_of(node).0,
        target: None,
    });
}

/// Calls, creations, typed parameters and locals.
fn references(root: Node, src: &[u8], facts: &mut FileFacts) {
    visit_pruned(root, &mut |node| {
        let line = lines_of(node).0;
        match node.kind() {
            "invocation_expression" => {
                if let Some(f) = node.child_by_field_name("function") {
                    let path = match f.kind() {
                        // A bare call is the object's own method (or a static one of its type).
                        "identifier" | "generic_name" => {
                            vec!["this".to_string(), name_of(f, src)]
                        }
                        _ => value_path(f, src, 0),
                    };
                    let at = f
                        .child_by_field_name("name")
                        .map_or(line, |m| lines_of(m).0);
                    if let (Some(name), Some(args)) =
                        (path.last(), node.child_by_field_name("arguments"))
                    {
                        facts
                            .call_args
                            .push((at, name.clone(), args.named_child_count() as u32));
                    }
                    facts.refs.push(RawRef {
                        kind: RefKind::Call,
                        path,
                        line: at,
                        subject: vec![],
                    });
                }
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
            "parameter" => {
                if let (Some(n), Some(t)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("type"),
                ) {
                    facts.locals.push(Local {
                        name: text(n, src).to_string(),
                        ty: written(t, src),
                        line,
                    });
                    if let Some(path) = type_path(t, src) {
                        facts.refs.push(RawRef {
                            kind: RefKind::TypeUse,
                            path,
                            line,
                            subject: vec![],
                        });
                    }
                }
            }
            "local_declaration_statement" => {
                let mut c = node.walk();
                let Some(decl) = node
                    .named_children(&mut c)
                    .find(|n| n.kind() == "variable_declaration")
                else {
                    return true;
                };
                let ty = decl.child_by_field_name("type");
                let is_var = ty.is_some_and(|t| text(t, src) == "var");
                let mut dc = decl.walk();
                for d in decl.named_children(&mut dc) {
                    if d.kind() != "variable_declarator" {
                        continue;
                    }
                    let Some(n) = d.child_by_field_name("name") else {
                        continue;
                    };
                    let value = {
                        let mut vc = d.walk();
                        let v = d
                            .named_children(&mut vc)
                            .filter(|v| v.id() != n.id())
                            .last();
                        v
                    };
                    let hint = match (is_var, value) {
                        (true, Some(v)) => Some(TypeHint::Of(value_path(v, src, 0))),
                        (true, None) => None,
                        (false, _) => ty.and_then(|t| written(t, src)),
                    };
                    facts.locals.push(Local {
                        name: text(n, src).to_string(),
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

fn name_of(n: Node, src: &[u8]) -> String {
    match n.kind() {
        "generic_name" => n
            .named_child(0)
            .map(|i| text(i, src).to_string())
            .unwrap_or_default(),
        _ => text(n, src).to_string(),
    }
}

/// A named type, generics looked through by `main_type`; predefined and array types are none
/// of the repository's.
fn written(t: Node, src: &[u8]) -> Option<TypeHint> {
    match t.kind() {
        "identifier" | "qualified_name" | "generic_name" => {
            Some(TypeHint::Written(compact(text(t, src))))
        }
        "nullable_type" => t.named_child(0).and_then(|i| written(i, src)),
        _ => None,
    }
}

/// `Foo` -> `["Foo"]`, `A.B<T>` -> `["A", "B"]`.
fn type_path(t: Node, src: &[u8]) -> Option<Vec<String>> {
    match t.kind() {
        "identifier" => Some(vec![text(t, src).to_string()]),
        "generic_name" => Some(vec![name_of(t, src)]),
        "qualified_name" => {
            let mut path = type_path(t.child_by_field_name("qualifier")?, src)?;
            path.extend(type_path(t.child_by_field_name("name")?, src)?);
            (path.len() < MAX_DEPTH).then_some(path)
        }
        _ => None,
    }
}

/// `this.store.Get` -> `["this", "store", "Get"]`, `new Foo().Run` -> `["Foo", "()", "Run"]`.
fn value_path(node: Node, src: &[u8], depth: usize) -> Vec<String> {
    let unknown = || vec!["?".to_string()];
    if depth > MAX_DEPTH {
        return unknown();
    }
    match node.kind() {
        "identifier" | "generic_name" => vec![name_of(node, src)],
        "this_expression" | "this" => vec!["this".into()],
        "base_expression" | "base" => vec!["super".into()],
        "member_access_expression" => {
            let (Some(e), Some(n)) = (
                node.child_by_field_name("expression"),
                node.child_by_field_name("name"),
            ) else {
                return unknown();
            };
            let mut path = value_path(e, src, depth + 1);
            path.push(name_of(n, src));
            path
        }
        "invocation_expression" => match node.child_by_field_name("function") {
            Some(f) => {
                let mut path = match f.kind() {
                    "identifier" | "generic_name" => vec!["this".to_string(), name_of(f, src)],
                    _ => value_path(f, src, depth + 1),
                };
                path.push("()".into());
                path
            }
            None => unknown(),
        },
        "object_creation_expression" => match node
            .child_by_field_name("type")
            .and_then(|t| type_path(t, src))
        {
            Some(mut path) => {
                path.push("()".into());
                path
            }
            None => unknown(),
        },
        "parenthesized_expression" | "await_expression" => node
            .named_child(0)
            .map(|n| value_path(n, src, depth + 1))
            .unwrap_or_else(unknown),
        _ => unknown(),
    }
}

/// The `///` lines right above a declaration (attributes between are part of it), the
/// markers taken off: XML, read by the XML doc dialect.
fn xml_doc(node: Node, src: &[u8]) -> String {
    let comments = super::comments_above(node, node.prev_sibling());
    let mut lines: Vec<&str> = comments
        .iter()
        .map_while(|p| text(*p, src).strip_prefix("///"))
        .map(|rest| rest.strip_prefix(' ').unwrap_or(rest).trim_end())
        .collect();
    lines.reverse();
    lines.join("\n").trim().to_string()
}

/// The file a `using` names: one that declares the namespace (the references stage finds
/// the others), or for `using static A.B.C` the file declaring the type `C`.
pub(super) fn resolve(spec: &ImportSpec, _from: &str, index: &RepoIndex) -> Option<String> {
    let ImportSpec::Using { path, .. } = spec else {
        return None;
    };
    if let Some(files) = index.cs_namespaces.get(path.as_str()) {
        return files.first().cloned();
    }
    // `using static A.B.C;` or `using X = A.B.C;`: the namespace of the type, then its file.
    let (namespace, ty) = path.rsplit_once('.')?;
    let files = index.cs_namespaces.get(namespace)?;
    files
        .iter()
        .find(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            name.strip_suffix(".cs") == Some(ty)
        })
        .or(files.first())
        .cloned()
}

/// The text as a compiler sees it with every `#if` condition true: directive lines, and the
/// lines of `#elif`/`#else` branches, made spaces (same bytes, same lines). What a parser
/// confused by directives in the middle of a declaration reads instead.
pub(crate) fn without_directives(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Per open `#if`: whether a later branch (`#elif`, `#else`) is being skipped.
    let mut skipping: Vec<bool> = Vec::new();
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let directive = t.starts_with('#');
        if directive {
            let word: String = t[1..]
                .trim_start()
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            match word.as_str() {
                "if" => skipping.push(false),
                "elif" | "else" => {
                    if let Some(s) = skipping.last_mut() {
                        *s = true;
                    }
                }
                "endif" => {
                    skipping.pop();
                }
                _ => {}
            }
        }
        if directive || skipping.iter().any(|s| *s) {
            let body = line.trim_end_matches(['\n', '\r']);
            out.extend(std::iter::repeat_n(' ', body.len()));
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The namespaces a C# file declares, read from its text (`namespace A.B` lines).
pub(crate) fn declared_namespaces(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let rest = l.trim_start().strip_prefix("namespace ")?;
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_support::{facts, symbol};
    use crate::snapshot::Language;

    const CODE: &str = r#"using System;
using Acme.Store.Util;
using static Acme.Store.Util.Strings;
using Json = Acme.Store.Util.JsonWriter;

namespace Acme.Store
{
    /// <summary>Keeps <c>items</c>.</summary>
    /// <remarks>Thread-safe.</remarks>
    public class Store<T> : Base, IDisposable
    {
        /// <summary>The most items.</summary>
        public const int Max = 10;
        private readonly Strings strings = new Strings();
        public Cache Cache { get; set; }

        /// <summary>Makes an empty store.</summary>
        public Store() { }

        /// <summary>Adds one.</summary>
        /// <param name="item">The item.</param>
        /// <returns>Whether it was added.</returns>
        [Obsolete]
        public bool Add(T item)
        {
            var s = new Strings();
            s.Trim("x");
            strings.Trim("y");
            Helper();
            Cache.Clear();
            return true;
        }

        private void Helper() { }

        public enum Kind { Memory, /// <summary>On disk.</summary>
            Disk }

        internal interface IListener { void Changed(); }
    }

    public struct Point { public int X; }
    public delegate void Handler(int x);
}
"#;

    #[test]
    fn symbols_docs_nesting_and_visibility() {
        let f = facts(Language::CSharp, CODE);
        assert_eq!(f.package, "Acme.Store");
        let store = symbol(&f, "Store");
        assert_eq!((store.kind, store.public), (SymbolKind::Class, true));
        assert!(
            store
                .doc
                .starts_with("<summary>Keeps <c>items</c>.</summary>"),
            "{}",
            store.doc
        );
        assert_eq!(symbol(&f, "Store.Max").kind, SymbolKind::Const);
        assert_eq!(
            symbol(&f, "Store.Store").doc,
            "<summary>Makes an empty store.</summary>"
        );
        let add = symbol(&f, "Store.Add");
        assert_eq!(add.kind, SymbolKind::Method);
        assert!(add.doc.contains("<param name=\"item\">"), "{}", add.doc);
        assert!(
            add.signature.contains("public bool Add(T item)"),
            "{}",
            add.signature
        );
        assert!(!symbol(&f, "Store.Helper").public);
        assert_eq!(symbol(&f, "Store.Kind").kind, SymbolKind::Enum);
        assert_eq!(symbol(&f, "Store.Kind.Disk").kind, SymbolKind::Const);
        assert!(!symbol(&f, "Store.IListener").public);
        assert_eq!(symbol(&f, "Point").kind, SymbolKind::Struct);
        assert_eq!(symbol(&f, "Handler").kind, SymbolKind::Type);
    }

    #[test]
    fn usings_and_references() {
        let f = facts(Language::CSharp, CODE);
        let specs: Vec<String> = f.imports.iter().map(|i| i.spec.display()).collect();
        assert_eq!(
            specs,
            [
                "using System",
                "using Acme.Store.Util",
                "using static Acme.Store.Util.Strings",
                "using Json = Acme.Store.Util.JsonWriter"
            ]
        );
        let calls: Vec<Vec<String>> = f
            .refs
            .iter()
            .filter(|r| r.kind == RefKind::Call)
            .map(|r| r.path.clone())
            .collect();
        assert!(
            calls.contains(&vec!["s".into(), "Trim".into()]),
            "{calls:?}"
        );
        assert!(
            calls.contains(&vec!["this".into(), "Helper".into()]),
            "{calls:?}"
        );
        assert!(
            calls.contains(&vec!["Cache".into(), "Clear".into()]),
            "{calls:?}"
        );
        let ext: Vec<Vec<String>> = f
            .refs
            .iter()
            .filter(|r| r.kind == RefKind::Extends)
            .map(|r| r.path.clone())
            .collect();
        assert_eq!(
            ext,
            [vec!["Base".to_string()], vec!["IDisposable".to_string()]]
        );
        let s = f.locals.iter().find(|l| l.name == "s").unwrap();
        assert_eq!(
            s.ty,
            Some(TypeHint::Of(vec!["Strings".into(), "()".into()]))
        );
        let cache = f.fields.iter().find(|x| x.name == "Cache").unwrap();
        assert_eq!(cache.ty, Some(TypeHint::Written("Cache".into())));
        assert_eq!(declared_namespaces(CODE), ["Acme.Store"]);
    }

    #[test]
    fn a_type_broken_by_an_if_is_read_whole() {
        let code = "namespace N;\n\n/// <summary>Logs.</summary>\npublic interface ILog\n{\n    void Write(string m)\n#if DEFAULT\n    { Console.Write(m); }\n#else\n    ;\n#endif\n    void Flush();\n}\n";
        let masked = without_directives(code);
        assert_eq!(masked.len(), code.len());
        assert_eq!(masked.lines().count(), code.lines().count());
        let f = facts(Language::CSharp, code);
        assert_eq!(symbol(&f, "ILog").doc, "<summary>Logs.</summary>");
        assert_eq!(symbol(&f, "ILog.Write").kind, SymbolKind::Method);
        assert_eq!(symbol(&f, "ILog.Flush").start_line, 12);
    }
}
