//! PHP front-end: classes, interfaces, traits and enums (with their cases), their methods and
//! constants (`Class::name`), functions and constants; each with its PHPDoc (`/** */`). The
//! namespace is the file's package; `use` imports resolved through composer.json's PSR-4 map
//! and the namespaces the files declare, `require`/`include` of a literal path to the file;
//! calls, creations, extends/implements and traits, typed parameters, properties and locals
//! for the references stage.
//!
//! Visibility: `public` (PHP's default) or `protected` is public; `private` is not.

use tree_sitter::Node;

use super::{lines_of, normalize, parent_dir, signature, text, visit_pruned, Binding, Field};
use super::{FileFacts, Import, ImportSpec, Local, RawRef, RefKind, RepoIndex, Symbol};
use super::{SymbolKind, TypeHint};

pub(super) fn extract(root: Node, src: &[u8]) -> FileFacts {
    let mut facts = FileFacts {
        module_doc: file_doc(root, src),
        ..Default::default()
    };
    statements(root, src, 0, &mut facts);
    references(root, src, &mut facts);
    facts
}

const MAX_DEPTH: usize = 32;

fn statements(list: Node, src: &[u8], depth: usize, facts: &mut FileFacts) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut c = list.walk();
    for node in list.named_children(&mut c) {
        let (start_line, end_line) = lines_of(node);
        match node.kind() {
            "namespace_definition" => {
                if let Some(name) = node.child_by_field_name("name") {
                    if facts.package.is_empty() {
                        facts.package = text(name, src).to_string();
                    }
                }
                if let Some(body) = node.child_by_field_name("body") {
                    statements(body, src, depth + 1, facts);
                }
            }
            "namespace_use_declaration" => uses(node, src, facts),
            "class_declaration"
            | "interface_declaration"
            | "trait_declaration"
            | "enum_declaration" => type_declaration(node, src, facts),
            "function_definition" => {
                let Some(name) = node.child_by_field_name("name").map(|n| text(n, src)) else {
                    continue;
                };
                facts.symbols.push(Symbol {
                    kind: SymbolKind::Function,
                    name: name.to_string(),
                    signature: signature(node, node.child_by_field_name("body"), src),
                    doc: phpdoc(node, src),
                    start_line,
                    end_line,
                    public: true,
                });
            }
            "const_declaration" => constants(node, src, "", true, facts),
            "expression_statement" => {
                if let Some(e) = node.named_child(0) {
                    include(e, src, facts);
                }
            }
            // `if (!function_exists('x')) { function x() {} }` keeps its definitions.
            "if_statement" | "compound_statement" | "else_clause" => {
                statements(node, src, depth + 1, facts)
            }
            _ => {}
        }
    }
}

fn visibility(node: Node, src: &[u8]) -> bool {
    let mut c = node.walk();
    let private = node
        .children(&mut c)
        .any(|n| n.kind() == "visibility_modifier" && text(n, src) == "private");
    !private
}

fn type_declaration(node: Node, src: &[u8], facts: &mut FileFacts) {
    let Some(name) = node.child_by_field_name("name").map(|n| text(n, src)) else {
        return;
    };
    let (start_line, end_line) = lines_of(node);
    let kind = match node.kind() {
        "interface_declaration" => SymbolKind::Interface,
        "trait_declaration" => SymbolKind::Trait,
        "enum_declaration" => SymbolKind::Enum,
        _ => SymbolKind::Class,
    };
    let body = node.child_by_field_name("body");
    facts.symbols.push(Symbol {
        kind,
        name: name.to_string(),
        signature: signature(node, body, src),
        doc: phpdoc(node, src),
        start_line,
        end_line,
        public: true,
    });
    let subject = vec![name.to_string()];
    let mut c = node.walk();
    for child in node.named_children(&mut c) {
        let kind = match child.kind() {
            "base_clause" => RefKind::Extends,
            "class_interface_clause" => RefKind::Implements,
            _ => continue,
        };
        let mut cc = child.walk();
        for t in child.named_children(&mut cc) {
            if let Some(path) = name_path(t, src) {
                facts.refs.push(RawRef {
                    kind,
                    path,
                    line: start_line,
                    subject: subject.clone(),
                });
            }
        }
    }
    let Some(body) = body else { return };
    let mut c = body.walk();
    for member in body.named_children(&mut c) {
        let (s, e) = lines_of(member);
        match member.kind() {
            "method_declaration" => {
                let Some(m) = member.child_by_field_name("name").map(|n| text(n, src)) else {
                    continue;
                };
                facts.symbols.push(Symbol {
                    kind: SymbolKind::Method,
                    name: format!("{name}::{m}"),
                    signature: signature(member, member.child_by_field_name("body"), src)
                        .trim_end_matches(';')
                        .trim_end()
                        .to_string(),
                    doc: phpdoc(member, src),
                    start_line: s,
                    end_line: e,
                    public: visibility(member, src),
                });
                // PHP 8's promoted constructor parameters are properties.
                if let Some(params) = member.child_by_field_name("parameters") {
                    let mut pc = params.walk();
                    for p in params.named_children(&mut pc) {
                        if p.kind() != "property_promotion_parameter" {
                            continue;
                        }
                        if let Some(n) = p.child_by_field_name("name") {
                            facts.fields.push(Field {
                                name: text(n, src).trim_start_matches('$').to_string(),
                                ty: p.child_by_field_name("type").and_then(|t| written(t, src)),
                                line: s,
                            });
                        }
                    }
                }
            }
            "const_declaration" => constants(member, src, name, visibility(member, src), facts),
            "enum_case" => {
                let Some(n) = member.child_by_field_name("name").map(|n| text(n, src)) else {
                    continue;
                };
                facts.symbols.push(Symbol {
                    kind: SymbolKind::Const,
                    name: format!("{name}::{n}"),
                    signature: signature(member, None, src)
                        .trim_end_matches(';')
                        .to_string(),
                    doc: phpdoc(member, src),
                    start_line: s,
                    end_line: e,
                    public: true,
                });
            }
            "property_declaration" => {
                let hint = member
                    .child_by_field_name("type")
                    .and_then(|t| written(t, src));
                let mut pc = member.walk();
                for p in member.named_children(&mut pc) {
                    if p.kind() != "property_element" {
                        continue;
                    }
                    if let Some(n) = p.child_by_field_name("name") {
                        facts.fields.push(Field {
                            name: text(n, src).trim_start_matches('$').to_string(),
                            ty: hint.clone(),
                            line: s,
                        });
                    }
                }
            }
            // `use SomeTrait;`: its methods are the class's.
            "use_declaration" => {
                let mut uc = member.walk();
                for t in member.named_children(&mut uc) {
                    if let Some(path) = name_path(t, src) {
                        facts.refs.push(RawRef {
                            kind: RefKind::Extends,
                            path,
                            line: s,
                            subject: subject.clone(),
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

fn constants(node: Node, src: &[u8], owner: &str, public: bool, facts: &mut FileFacts) {
    let (start_line, end_line) = lines_of(node);
    let mut c = node.walk();
    for el in node.named_children(&mut c) {
        if el.kind() != "const_element" {
            continue;
        }
        let mut ec = el.walk();
        let Some(n) = el.named_children(&mut ec).find(|n| n.kind() == "name") else {
            continue;
        };
        let n = text(n, src);
        facts.symbols.push(Symbol {
            kind: SymbolKind::Const,
            name: match owner {
                "" => n.to_string(),
                o => format!("{o}::{n}"),
            },
            signature: signature(node, None, src).trim_end_matches(';').to_string(),
            doc: phpdoc(node, src),
            start_line,
            end_line,
            public,
        });
    }
}

fn uses(node: Node, src: &[u8], facts: &mut FileFacts) {
    // `use function …`/`use const …` import no class.
    if node.child_by_field_name("type").is_some() {
        return;
    }
    let mut c = node.walk();
    let group_prefix = node
        .named_children(&mut c)
        .find(|n| n.kind() == "namespace_name")
        .map(|n| text(n, src).to_string());
    let mut clauses = Vec::new();
    visit_pruned(node, &mut |n| {
        if n.kind() == "namespace_use_clause" {
            clauses.push(n);
            return false;
        }
        true
    });
    for clause in clauses {
        let mut cc = clause.walk();
        let Some(target) = clause
            .named_children(&mut cc)
            .find(|n| matches!(n.kind(), "name" | "qualified_name"))
        else {
            continue;
        };
        if clause
            .child_by_field_name("alias")
            .is_some_and(|a| a.id() == target.id())
        {
            continue;
        }
        let written = text(target, src).trim_start_matches('\\');
        let path = match &group_prefix {
            Some(p) => format!("{}\\{written}", p.trim_end_matches('\\')),
            None => written.to_string(),
        };
        let last = path.rsplit('\\').next().unwrap_or(&path).to_string();
        let alias = clause
            .child_by_field_name("alias")
            .map(|a| text(a, src).to_string());
        facts.bindings.push(Binding {
            local: alias.clone().unwrap_or_else(|| last.clone()),
            import: facts.imports.len() as u32,
            name: Some(last),
        });
        facts.imports.push(Import {
            spec: ImportSpec::PhpUse { path, alias },
            line: lines_of(clause).0,
            target: None,
        });
    }
}

/// `require __DIR__ . '/x.php'` and `require 'x.php'`: the file, relative to this one.
fn include(expr: Node, src: &[u8], facts: &mut FileFacts) {
    if !matches!(
        expr.kind(),
        "require_expression"
            | "require_once_expression"
            | "include_expression"
            | "include_once_expression"
    ) {
        return;
    }
    let Some(arg) = expr.named_child(0) else {
        return;
    };
    let literal = |n: Node| -> Option<String> {
        if !matches!(n.kind(), "string" | "encapsed_string") {
            return None;
        }
        let t = text(n, src);
        let inner = t.get(1..t.len().checked_sub(1)?)?;
        (!inner.contains('$')).then(|| inner.to_string())
    };
    let path = match arg.kind() {
        "binary_expression" => {
            let left = arg.child_by_field_name("left").map(|l| text(l, src));
            match (left, arg.child_by_field_name("right").and_then(literal)) {
                (Some("__DIR__"), Some(p)) => p.trim_start_matches('/').to_string(),
                _ => return,
            }
        }
        _ => match literal(arg) {
            Some(p) => p,
            None => return,
        },
    };
    facts.imports.push(Import {
        spec: ImportSpec::PhpInclude(path),
        line: lines_of(expr).0,
        target: None,
    });
}

/// Calls, creations, typed parameters and locals.
fn references(root: Node, src: &[u8], facts: &mut FileFacts) {
    visit_pruned(root, &mut |node| {
        let line = lines_of(node).0;
        match node.kind() {
            "member_call_expression" | "nullsafe_member_call_expression" => {
                if let (Some(o), Some(n)) = (
                    node.child_by_field_name("object"),
                    node.child_by_field_name("name"),
                ) {
                    let mut path = value_path(o, src, 0);
                    path.push(text(n, src).to_string());
                    facts.refs.push(RawRef {
                        kind: RefKind::Call,
                        path,
                        line: lines_of(n).0,
                        subject: vec![],
                    });
                }
            }
            "scoped_call_expression" => {
                if let (Some(s), Some(n)) = (
                    node.child_by_field_name("scope"),
                    node.child_by_field_name("name"),
                ) {
                    let mut path = scope_path(s, src);
                    path.push(text(n, src).to_string());
                    facts.refs.push(RawRef {
                        kind: RefKind::Call,
                        path,
                        line,
                        subject: vec![],
                    });
                }
            }
            "function_call_expression" => {
                if let Some(path) = node
                    .child_by_field_name("function")
                    .and_then(|f| name_path(f, src))
                {
                    facts.refs.push(RawRef {
                        kind: RefKind::Call,
                        path,
                        line,
                        subject: vec![],
                    });
                }
            }
            "object_creation_expression" => {
                let mut c = node.walk();
                let path = node.named_children(&mut c).find_map(|n| name_path(n, src));
                if let Some(path) = path {
                    facts.refs.push(RawRef {
                        kind: RefKind::Create,
                        path,
                        line,
                        subject: vec![],
                    });
                }
            }
            "simple_parameter" | "property_promotion_parameter" => {
                if let Some(n) = node.child_by_field_name("name") {
                    facts.locals.push(Local {
                        name: text(n, src).to_string(),
                        ty: node
                            .child_by_field_name("type")
                            .and_then(|t| written(t, src)),
                        line,
                    });
                }
            }
            "assignment_expression" => {
                if let (Some(l), Some(r)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) {
                    match l.kind() {
                        "variable_name" => facts.locals.push(Local {
                            name: text(l, src).to_string(),
                            ty: Some(TypeHint::Of(value_path(r, src, 0))),
                            line,
                        }),
                        "member_access_expression" => {
                            let object = l.child_by_field_name("object").map(|o| text(o, src));
                            if let (Some("$this"), Some(n)) =
                                (object, l.child_by_field_name("name"))
                            {
                                facts.fields.push(Field {
                                    name: text(n, src).to_string(),
                                    ty: Some(TypeHint::Of(value_path(r, src, 0))),
                                    line,
                                });
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        true
    });
}

/// A class name as written: `Foo`, `\App\Foo`, `App\Foo` -> its segments.
fn name_path(n: Node, src: &[u8]) -> Option<Vec<String>> {
    match n.kind() {
        "name" => Some(vec![text(n, src).to_string()]),
        "qualified_name" | "relative_name" => {
            let t = text(n, src).trim_start_matches('\\');
            let t = t.strip_prefix("namespace\\").unwrap_or(t);
            Some(t.split('\\').map(str::to_string).collect())
        }
        _ => None,
    }
}

/// `self::`, `static::` -> the class; `parent::` -> its parent; `Foo::` -> `Foo`.
fn scope_path(s: Node, src: &[u8]) -> Vec<String> {
    match text(s, src) {
        "self" | "static" => vec!["Self".into()],
        "parent" => vec!["super".into()],
        _ => name_path(s, src).unwrap_or_else(|| vec!["?".into()]),
    }
}

fn written(t: Node, src: &[u8]) -> Option<TypeHint> {
    let t = match t.kind() {
        "optional_type" => t.named_child(0)?,
        _ => t,
    };
    let t = match t.kind() {
        "named_type" => t.named_child(0)?,
        _ => t,
    };
    let path = name_path(t, src)?;
    Some(TypeHint::Written(path.join(".")))
}

/// `$this->store->get()` -> `["this", "store", "get", "()"]`, `new Foo()` -> `["Foo", "()"]`.
fn value_path(node: Node, src: &[u8], depth: usize) -> Vec<String> {
    let unknown = || vec!["?".to_string()];
    if depth > MAX_DEPTH {
        return unknown();
    }
    match node.kind() {
        "variable_name" => match text(node, src) {
            "$this" => vec!["this".into()],
            v => vec![v.to_string()],
        },
        "member_access_expression" | "nullsafe_member_access_expression" => {
            let (Some(o), Some(n)) = (
                node.child_by_field_name("object"),
                node.child_by_field_name("name"),
            ) else {
                return unknown();
            };
            let mut p = value_path(o, src, depth + 1);
            p.push(text(n, src).to_string());
            p
        }
        "member_call_expression" | "nullsafe_member_call_expression" => {
            let (Some(o), Some(n)) = (
                node.child_by_field_name("object"),
                node.child_by_field_name("name"),
            ) else {
                return unknown();
            };
            let mut p = value_path(o, src, depth + 1);
            p.push(text(n, src).to_string());
            p.push("()".into());
            p
        }
        "scoped_call_expression" => {
            let (Some(s), Some(n)) = (
                node.child_by_field_name("scope"),
                node.child_by_field_name("name"),
            ) else {
                return unknown();
            };
            let mut p = scope_path(s, src);
            p.push(text(n, src).to_string());
            p.push("()".into());
            p
        }
        "object_creation_expression" => {
            let mut c = node.walk();
            let path = node.named_children(&mut c).find_map(|n| name_path(n, src));
            match path {
                Some(mut p) => {
                    p.push("()".into());
                    p
                }
                None => unknown(),
            }
        }
        "parenthesized_expression" => node
            .named_child(0)
            .map(|n| value_path(n, src, depth + 1))
            .unwrap_or_else(unknown),
        _ => unknown(),
    }
}

/// The `/** … */` block right above a declaration (attributes are part of it).
fn phpdoc(node: Node, src: &[u8]) -> String {
    match node.prev_sibling() {
        Some(c)
            if c.kind() == "comment"
                && text(c, src).starts_with("/**")
                && c.end_position().row + 1 >= node.start_position().row =>
        {
            super::rust::clean_block(text(c, src))
        }
        _ => String::new(),
    }
}

/// A file-level docblock: the first `/** */` of the file when no declaration follows it
/// directly (that one would be the declaration's), and no licence.
fn file_doc(root: Node, src: &[u8]) -> String {
    let mut c = root.walk();
    let Some(first) = root
        .named_children(&mut c)
        .find(|n| !matches!(n.kind(), "php_tag" | "text"))
        .filter(|n| n.kind() == "comment" && text(*n, src).starts_with("/**"))
    else {
        return String::new();
    };
    let declares = first.next_named_sibling().is_some_and(|n| {
        n.start_position().row <= first.end_position().row + 1
            && matches!(
                n.kind(),
                "class_declaration"
                    | "interface_declaration"
                    | "trait_declaration"
                    | "enum_declaration"
                    | "function_definition"
                    | "const_declaration"
            )
    });
    let doc = super::rust::clean_block(text(first, src));
    let lower = doc.to_ascii_lowercase();
    let licence = ["copyright", "license", "licence"]
        .iter()
        .any(|w| lower.contains(w));
    match declares || licence {
        true => String::new(),
        false => doc,
    }
}

/// A `use` through composer's PSR-4 prefixes, else the file that declares that class;
/// a `require` of a literal path relative to the file.
pub(super) fn resolve(spec: &ImportSpec, from: &str, index: &RepoIndex) -> Option<String> {
    match spec {
        ImportSpec::PhpInclude(path) => normalize(parent_dir(from), path).filter(|p| index.has(p)),
        ImportSpec::PhpUse { path, .. } => {
            if let Some(file) = index.php_types.get(path.as_str()) {
                return Some(file.clone());
            }
            index.php_psr4.iter().find_map(|(prefix, dir)| {
                let rest = path.strip_prefix(prefix.as_str())?;
                let file = normalize(dir, &format!("{}.php", rest.replace('\\', "/")))?;
                index.has(&file).then_some(file)
            })
        }
        _ => None,
    }
}

/// The namespace a PHP file declares (`namespace A\B;`), read from its text.
pub(crate) fn declared_namespace(text: &str) -> Option<String> {
    text.lines().take(200).find_map(|l| {
        let rest = l.trim_start().strip_prefix("namespace ")?;
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '\\')
            .collect();
        (!name.is_empty()).then_some(name)
    })
}

/// composer.json's `autoload.psr-4` (and `autoload-dev`): namespace prefix -> folder.
pub(crate) fn psr4(dir: &str, composer: &str) -> Vec<(String, String)> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(composer) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for section in ["autoload", "autoload-dev"] {
        let Some(map) = json
            .get(section)
            .and_then(|a| a.get("psr-4"))
            .and_then(|m| m.as_object())
        else {
            continue;
        };
        for (prefix, dirs) in map {
            let dirs: Vec<&str> = match dirs {
                serde_json::Value::String(s) => vec![s.as_str()],
                serde_json::Value::Array(a) => a.iter().filter_map(|d| d.as_str()).collect(),
                _ => continue,
            };
            for d in dirs {
                if let Some(path) = normalize(dir, d.trim_end_matches('/')) {
                    out.push((prefix.clone(), path));
                }
            }
        }
    }
    // Longest prefix first: `App\Http\` before `App\`.
    out.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_support::{facts, symbol};
    use crate::snapshot::Language;

    const CODE: &str = r#"<?php

/**
 * The store: keeps things.
 */

declare(strict_types=1);

namespace Acme\Kv;

use Acme\Kv\Util\Strings;
use Acme\Kv\Util\{Chars, Bytes as B};

require_once __DIR__ . '/helpers.php';

/**
 * A store of keys.
 */
final class Store extends Base implements \Countable
{
    use Loggable;

    /** Most items. */
    public const MAX = 10;

    private Strings $strings;

    public function __construct(private Disk $disk) {}

    /**
     * Keeps one value.
     *
     * @param string $key the key
     * @return static itself
     */
    public function put(string $key): static
    {
        $s = new Strings();
        $s->trim($key);
        $this->disk->write($key);
        self::helper();
        return $this;
    }

    private static function helper(): void {}

    public function count(): int { return 0; }
}

enum Kind: string { case Memory = 'm'; case Disk = 'd'; }

function make(): Store { return new Store(new Disk()); }
"#;

    #[test]
    fn symbols_docs_and_visibility() {
        let f = facts(Language::Php, CODE);
        assert_eq!(f.module_doc, "The store: keeps things.");
        assert_eq!(f.package, "Acme\\Kv");
        let store = symbol(&f, "Store");
        assert_eq!(store.kind, SymbolKind::Class);
        assert_eq!(store.doc, "A store of keys.");
        let max = symbol(&f, "Store::MAX");
        assert_eq!(
            (max.kind, max.doc.as_str()),
            (SymbolKind::Const, "Most items.")
        );
        let put = symbol(&f, "Store::put");
        assert_eq!(put.kind, SymbolKind::Method);
        assert!(
            put.doc.contains("@param string $key the key"),
            "{}",
            put.doc
        );
        assert_eq!(put.signature, "public function put(string $key): static");
        assert!(!symbol(&f, "Store::helper").public);
        assert_eq!(symbol(&f, "Kind::Disk").kind, SymbolKind::Const);
        assert_eq!(symbol(&f, "make").kind, SymbolKind::Function);
    }

    #[test]
    fn uses_includes_and_references() {
        let f = facts(Language::Php, CODE);
        let specs: Vec<String> = f.imports.iter().map(|i| i.spec.display()).collect();
        assert_eq!(
            specs,
            [
                "use Acme\\Kv\\Util\\Strings",
                "use Acme\\Kv\\Util\\Chars",
                "use Acme\\Kv\\Util\\Bytes as B",
                "require \"helpers.php\""
            ]
        );
        let locals: Vec<&str> = f.bindings.iter().map(|b| b.local.as_str()).collect();
        assert_eq!(locals, ["Strings", "Chars", "B"]);
        let calls: Vec<Vec<String>> = f
            .refs
            .iter()
            .filter(|r| r.kind == RefKind::Call)
            .map(|r| r.path.clone())
            .collect();
        assert!(
            calls.contains(&vec!["$s".into(), "trim".into()]),
            "{calls:?}"
        );
        assert!(
            calls.contains(&vec!["this".into(), "disk".into(), "write".into()]),
            "{calls:?}"
        );
        assert!(
            calls.contains(&vec!["Self".into(), "helper".into()]),
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
        assert!(
            ext.contains(&(RefKind::Extends, vec!["Loggable".into()])),
            "{ext:?}"
        );
        let disk = f.fields.iter().find(|x| x.name == "disk").unwrap();
        assert_eq!(disk.ty, Some(TypeHint::Written("Disk".into())));
        assert_eq!(declared_namespace(CODE).as_deref(), Some("Acme\\Kv"));
    }
}
