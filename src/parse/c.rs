//! C front-end: functions (and, in headers, their prototypes), structs, unions, enums with
//! their constants, typedefs, macros and global variables, each with the comment right above
//! it (Doxygen's `/** */`, `///`, `/*! */`, `//!`, or a plain comment, as C code documents);
//! a file's leading comment that is not a licence is its doc; `#include`s resolved to files of
//! the repository; calls, types named, typed parameters, locals and struct fields for the
//! references stage.
//!
//! Visibility: `static` is private to its file; everything else links, and a header's
//! declarations are its API.
//!
//! Export and attribute macros (`UV_EXTERN int uv_run(…)`) confuse the grammar, which knows
//! no macro's expansion: C and C++ are parsed with them blanked out (`without_macros`, same
//! bytes, same lines), and their text is read from the file as written.

use tree_sitter::Node;

use super::{lines_of, normalize, parent_dir, signature, text, visit_pruned, Binding};
use super::{Field, FileFacts, Import, ImportSpec, Local, RawRef, RefKind, RepoIndex, Symbol};
use super::{SymbolKind, TypeHint};

/// Nodes that hold declarations without being one: conditional compilation, `extern "C"`,
/// and what the parser could not make sense of (a whole file becomes one `ERROR` when a macro
/// confuses it near its end; the declarations inside are still whole).
pub(super) const CONTAINERS: &[&str] = &[
    "translation_unit",
    "ERROR",
    "preproc_if",
    "preproc_ifdef",
    "preproc_else",
    "preproc_elif",
    "preproc_elifdef",
    "linkage_specification",
    "declaration_list",
];

pub(super) fn extract(root: Node, src: &[u8], header: bool) -> FileFacts {
    let mut facts = FileFacts {
        module_doc: file_doc(root, src),
        ..Default::default()
    };
    visit_pruned(root, &mut |node| match node.kind() {
        k if CONTAINERS.contains(&k) => true,
        "function_definition" => {
            declaration(node, src, header, &mut facts);
            // A macro defined in a body, and the functions a confused parse (a macro that
            // opens a brace) nests in another's body, are the file's too.
            if let Some(body) = node.child_by_field_name("body") {
                visit_pruned(body, &mut |inner| match inner.kind() {
                    "function_definition" => {
                        declaration(inner, src, header, &mut facts);
                        true
                    }
                    "preproc_def" | "preproc_function_def" => {
                        declaration(inner, src, header, &mut facts);
                        false
                    }
                    _ => true,
                });
            }
            false
        }
        _ => {
            declaration(node, src, header, &mut facts);
            false
        }
    });
    includes(root, src, &mut facts);
    references(root, src, &mut facts);
    facts
}

pub(super) fn is_static(node: Node, src: &[u8]) -> bool {
    let mut c = node.walk();
    let found = node
        .children(&mut c)
        .any(|n| n.kind() == "storage_class_specifier" && text(n, src) == "static");
    found
}

/// The name a declarator declares, through pointers, arrays, parentheses and initialisers.
pub(super) fn declared_name<'t>(mut d: Node<'t>) -> Option<Node<'t>> {
    for _ in 0..MAX_DEPTH {
        match d.kind() {
            // (C++'s `a::b` and `T& r` too: the C++ front-end reads its declarators here.)
            "identifier" | "field_identifier" | "type_identifier" | "qualified_identifier" => {
                return Some(d)
            }
            "function_declarator"
            | "pointer_declarator"
            | "reference_declarator"
            | "array_declarator"
            | "init_declarator"
            | "attributed_declarator"
            | "parenthesized_declarator" => {
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
fn is_function(mut d: Node) -> bool {
    for _ in 0..MAX_DEPTH {
        match d.kind() {
            "function_declarator" => return true,
            "pointer_declarator" | "attributed_declarator" | "init_declarator" => {
                match d.child_by_field_name("declarator") {
                    Some(inner) => d = inner,
                    None => return false,
                }
            }
            _ => return false,
        }
    }
    false
}

pub(super) const MAX_DEPTH: usize = 32;

pub(super) fn declaration(node: Node, src: &[u8], header: bool, facts: &mut FileFacts) {
    let (start_line, end_line) = lines_of(node);
    let doc = || doc_comment(node, src);
    let private = is_static(node, src);
    match node.kind() {
        "function_definition" => {
            let Some(name) = node
                .child_by_field_name("declarator")
                .and_then(declared_name)
                .map(|n| text(n, src))
            else {
                return;
            };
            facts.symbols.push(Symbol {
                kind: SymbolKind::Function,
                name: name.to_string(),
                signature: signature(node, node.child_by_field_name("body"), src),
                doc: doc(),
                start_line,
                end_line,
                public: !private,
            });
            if let Some(t) = node.child_by_field_name("type") {
                tagged_type(t, src, header, facts);
            }
        }
        "declaration" => {
            if let Some(t) = node.child_by_field_name("type") {
                tagged_type(t, src, header, facts);
            }
            // Worked out once: a declaration may declare thousands of names.
            let (sig, doc) = (signature(node, None, src), doc());
            let mut c = node.walk();
            for d in node.children_by_field_name("declarator", &mut c) {
                let Some(name) = declared_name(d).map(|n| text(n, src)) else {
                    continue;
                };
                let function = is_function(d);
                // A prototype in a `.c` file only announces its definition there.
                if function && !header {
                    continue;
                }
                facts.symbols.push(Symbol {
                    kind: if function {
                        SymbolKind::Function
                    } else {
                        SymbolKind::Variable
                    },
                    name: name.to_string(),
                    signature: sig.clone(),
                    doc: doc.clone(),
                    start_line,
                    end_line,
                    public: !private,
                });
            }
        }
        // What a parser confused by macros reads as a struct's member at the top of a file
        // (libuv's `uv.h`): the types it defines and the prototypes are whole; a bare name is
        // not known to be a variable, so it is not said to be one.
        "field_declaration" => {
            if let Some(t) = node.child_by_field_name("type") {
                tagged_type(t, src, header, facts);
            }
            // Worked out once: a declaration may declare thousands of names.
            let (sig, doc) = (signature(node, None, src), doc());
            let mut c = node.walk();
            for d in node.children_by_field_name("declarator", &mut c) {
                let Some(name) = declared_name(d).map(|n| text(n, src)) else {
                    continue;
                };
                if is_function(d) && header {
                    facts.symbols.push(Symbol {
                        kind: SymbolKind::Function,
                        name: name.to_string(),
                        signature: sig.clone(),
                        doc: doc.clone(),
                        start_line,
                        end_line,
                        public: !private,
                    });
                }
            }
        }
        "type_definition" => {
            if let Some(t) = node.child_by_field_name("type") {
                tagged_type(t, src, header, facts);
            }
            // Worked out once: a declaration may declare thousands of names.
            let (sig, doc) = (signature(node, None, src), doc());
            let mut c = node.walk();
            for d in node.children_by_field_name("declarator", &mut c) {
                // A typedef names a type; anything else is a parse a macro confused.
                let Some(name) = declared_name(d)
                    .filter(|n| n.kind() == "type_identifier")
                    .map(|n| text(n, src))
                else {
                    continue;
                };
                facts.symbols.push(Symbol {
                    kind: SymbolKind::Type,
                    name: name.to_string(),
                    signature: sig.clone(),
                    doc: doc.clone(),
                    start_line,
                    end_line,
                    public: true,
                });
            }
        }
        "struct_specifier" | "union_specifier" | "enum_specifier" => {
            tagged_type(node, src, header, facts)
        }
        "preproc_def" | "preproc_function_def" => {
            let Some(name) = node.child_by_field_name("name").map(|n| text(n, src)) else {
                return;
            };
            let function_like = node.kind() == "preproc_function_def";
            let value = node
                .child_by_field_name("value")
                .map(|v| text(v, src).trim())
                .unwrap_or("");
            if !function_like && value.is_empty() && is_include_guard(name) {
                return;
            }
            facts.symbols.push(Symbol {
                kind: if function_like {
                    SymbolKind::Macro
                } else {
                    SymbolKind::Const
                },
                name: name.to_string(),
                signature: signature(node, None, src),
                doc: doc(),
                start_line,
                end_line,
                public: header,
            });
        }
        _ => {}
    }
}

/// `#define FOO_H` with nothing after it guards a header; it is no constant.
fn is_include_guard(name: &str) -> bool {
    let n = name.trim_matches('_').to_ascii_uppercase();
    ["_H", "_HPP", "_HH", "_HXX", "_INCLUDED", "_H_INCLUDED"]
        .iter()
        .any(|s| n.ends_with(s))
}

/// A `struct`, `union` or `enum` with a body inside a declaration: a symbol of its own when
/// it has a name; its fields and enum constants either way.
fn tagged_type(t: Node, src: &[u8], header: bool, facts: &mut FileFacts) {
    if !matches!(
        t.kind(),
        "struct_specifier" | "union_specifier" | "enum_specifier"
    ) {
        return;
    }
    let Some(body) = t.child_by_field_name("body") else {
        return;
    };
    if let Some(name) = t.child_by_field_name("name").map(|n| text(n, src)) {
        let (start_line, end_line) = lines_of(t);
        let kind = match t.kind() {
            "struct_specifier" => SymbolKind::Struct,
            "union_specifier" => SymbolKind::Union,
            _ => SymbolKind::Enum,
        };
        // Documented above the declaration it opens (`struct s {…};`).
        let outer = t
            .parent()
            .filter(|p| matches!(p.kind(), "declaration" | "type_definition"))
            .unwrap_or(t);
        facts.symbols.push(Symbol {
            kind,
            name: name.to_string(),
            signature: signature(t, Some(body), src),
            doc: doc_comment(outer, src),
            start_line,
            end_line,
            public: true,
        });
    }
    let mut c = body.walk();
    for member in body.named_children(&mut c) {
        match member.kind() {
            "enumerator" => {
                let Some(name) = member.child_by_field_name("name").map(|n| text(n, src)) else {
                    continue;
                };
                let (s, e) = lines_of(member);
                facts.symbols.push(Symbol {
                    kind: SymbolKind::Const,
                    name: name.to_string(),
                    signature: signature(member, None, src),
                    doc: doc_comment(member, src),
                    start_line: s,
                    end_line: e,
                    public: header,
                });
            }
            "field_declaration" => {
                let ty = member.child_by_field_name("type");
                if let Some(inner) = ty {
                    tagged_type(inner, src, header, facts);
                }
                let hint = ty.and_then(|t| written(t, src));
                let mut dc = member.walk();
                for d in member.children_by_field_name("declarator", &mut dc) {
                    if let Some(n) = declared_name(d) {
                        facts.fields.push(Field {
                            name: text(n, src).to_string(),
                            ty: hint.clone(),
                            line: lines_of(member).0,
                        });
                    }
                }
            }
            _ => {}
        }
    }
}

/// Calls, types named, typed parameters and locals.
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
            "type_identifier" => {
                // The name a typedef gives is a definition, not a use.
                let defines = node.parent().is_some_and(|p| p.kind() == "type_definition");
                if !defines {
                    facts.refs.push(RawRef {
                        kind: RefKind::TypeUse,
                        path: vec![text(node, src).to_string()],
                        line,
                        subject: vec![],
                    });
                }
            }
            "parameter_declaration" | "declaration" => {
                // A declaration whose parent holds declarations is the file's, not a local.
                let inside_function = node.kind() == "parameter_declaration"
                    || node
                        .parent()
                        .is_some_and(|p| !CONTAINERS.contains(&p.kind()));
                if inside_function {
                    let hint = node
                        .child_by_field_name("type")
                        .and_then(|t| written(t, src));
                    let mut c = node.walk();
                    for d in node.children_by_field_name("declarator", &mut c) {
                        if is_function(d) {
                            continue;
                        }
                        if let Some(n) = declared_name(d) {
                            facts.locals.push(Local {
                                name: text(n, src).to_string(),
                                ty: hint.clone(),
                                line,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
        true
    });
}

/// A type as the references stage reads it: `struct conn`, `const conn_t` -> `conn` /
/// `conn_t`; primitive types are none of the repository's.
fn written(t: Node, src: &[u8]) -> Option<TypeHint> {
    match t.kind() {
        "type_identifier" => Some(TypeHint::Written(text(t, src).to_string())),
        "struct_specifier" | "union_specifier" | "enum_specifier" => t
            .child_by_field_name("name")
            .map(|n| TypeHint::Written(text(n, src).to_string())),
        _ => None,
    }
}

/// `f` -> `["f"]`, `s->ops->open` -> `["s", "ops", "open"]`; an unnamed value is `"?"`.
fn value_path(node: Node, src: &[u8], depth: usize) -> Vec<String> {
    let unknown = || vec!["?".to_string()];
    if depth > MAX_DEPTH {
        return unknown();
    }
    match node.kind() {
        "identifier" | "field_identifier" => vec![text(node, src).to_string()],
        "field_expression" => {
            let (Some(arg), Some(field)) = (
                node.child_by_field_name("argument"),
                node.child_by_field_name("field"),
            ) else {
                return unknown();
            };
            let mut path = value_path(arg, src, depth + 1);
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
        "parenthesized_expression" | "pointer_expression" => node
            .named_child(0)
            .map(|n| value_path(n, src, depth + 1))
            .unwrap_or_else(unknown),
        _ => unknown(),
    }
}

/// The comment block right above a declaration (no blank line between), markers stripped;
/// Doxygen's trailing `///<` and a comment that ends a line of code belong elsewhere.
pub(super) fn doc_comment(node: Node, src: &[u8]) -> String {
    let comments = super::comments_above(node, node.prev_sibling());
    let mut lines: Vec<String> = comments
        .iter()
        .map(|p| text(*p, src))
        .take_while(|t| !["///<", "/**<", "//!<"].iter().any(|m| t.starts_with(m)))
        .map(comment_text)
        .collect();
    lines.reverse();
    lines.join("\n").trim().to_string()
}

fn comment_text(t: &str) -> String {
    match t.strip_prefix("//") {
        Some(rest) => {
            let rest = rest.strip_prefix(['/', '!']).unwrap_or(rest);
            rest.strip_prefix(' ')
                .unwrap_or(rest)
                .trim_end()
                .to_string()
        }
        None => super::rust::clean_block(t.strip_prefix("/*!").map_or(t, |_| &t[1..])),
    }
}

/// The file's leading comment, when it is no licence and stands apart from the declaration
/// below it (or says `@file`).
pub(super) fn file_doc(root: Node, src: &[u8]) -> String {
    let Some(first) = root.named_child(0).filter(|n| n.kind() == "comment") else {
        return String::new();
    };
    // A run of `//` lines is one comment, as a reader sees it.
    let mut last = first;
    if text(first, src).starts_with("//") {
        while let Some(next) = last.next_named_sibling().filter(|n| {
            n.kind() == "comment"
                && text(*n, src).starts_with("//")
                && n.start_position().row == last.end_position().row + 1
        }) {
            last = next;
        }
    }
    let mut lines: Vec<String> = Vec::new();
    let mut node = Some(first);
    while let Some(n) = node {
        lines.extend(comment_text(text(n, src)).lines().map(str::to_string));
        node = (n != last).then(|| n.next_named_sibling()).flatten();
    }
    let is_licence = |l: &str| {
        let lower = l.to_ascii_lowercase();
        [
            "copyright",
            "license",
            "licence",
            "spdx-",
            "permission is hereby",
            "all rights reserved",
        ]
        .iter()
        .any(|w| lower.contains(w))
    };
    let whole = lines.join("\n");
    let tagged = whole.contains("@file") || whole.contains("\\file");
    let kept: Vec<&String> = lines
        .iter()
        .filter(|l| {
            let l = l.trim_start();
            !l.starts_with("@file") && !l.starts_with("\\file")
        })
        .collect();
    // A licence block: the words before its first licence line describe the file (fmt's
    // "Formatting library for C++ - the base API for char/UTF-8"), when there are some.
    if let Some(at) = kept.iter().position(|l| is_licence(l)) {
        let before = kept[..at]
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let words = before.split_whitespace().count();
        return if words >= 3 {
            before.trim().to_string()
        } else {
            String::new()
        };
    }
    let apart = last
        .next_named_sibling()
        .is_none_or(|n| n.start_position().row > last.end_position().row + 1);
    // Kept: a tagged comment, or one that stands apart from the declaration below.
    if !tagged && !apart {
        return String::new();
    }
    kept.iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// `#include "x.h"` relative to the file, then in the include folders; `<x.h>` in the include
/// folders; else the one file of the repository whose path ends so.
pub(super) fn resolve(spec: &ImportSpec, from: &str, index: &RepoIndex) -> Option<String> {
    let ImportSpec::Include { path, system } = spec else {
        return None;
    };
    if path.is_empty() || path.starts_with('/') {
        return None;
    }
    if !system {
        if let Some(p) = normalize(parent_dir(from), path).filter(|p| index.has(p)) {
            return Some(p);
        }
    }
    for dir in &index.include_dirs {
        if let Some(p) = normalize(dir, path).filter(|p| index.has(p)) {
            return Some(p);
        }
    }
    let suffix = format!("/{}", path.trim_start_matches("./"));
    let mut found = index
        .paths
        .iter()
        .filter(|p| p.ends_with(&suffix) || **p == &suffix[1..]);
    let one = found.next()?;
    found.next().is_none().then(|| one.to_string())
}

/// Folders `#include` looks in: every `include/` folder, the folders a `CMakeLists.txt`
/// names in `include_directories` or `target_include_directories`, and the root.
pub(crate) fn include_dirs<'a>(
    paths: impl Iterator<Item = &'a str>,
    cmake: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<String> {
    let mut dirs: Vec<String> = Vec::new();
    for p in paths {
        let mut dir = parent_dir(p);
        while !dir.is_empty() {
            if dir == "include" || dir.ends_with("/include") {
                if !dirs.iter().any(|d| d == dir) {
                    dirs.push(dir.to_string());
                }
                break;
            }
            dir = parent_dir(dir);
        }
    }
    for (path, text) in cmake {
        let base = parent_dir(path);
        for call in ["include_directories", "target_include_directories"] {
            let mut rest = text;
            while let Some(at) = rest.find(call) {
                rest = &rest[at + call.len()..];
                let Some(args) = rest.trim_start().strip_prefix('(') else {
                    continue;
                };
                let args = &args[..args.find(')').unwrap_or(args.len())];
                let words = args
                    .split_whitespace()
                    .skip(usize::from(call == "target_include_directories"));
                for w in words {
                    let w = w
                        .trim_matches('"')
                        .trim_start_matches("${CMAKE_CURRENT_SOURCE_DIR}/")
                        .trim_start_matches("${PROJECT_SOURCE_DIR}/");
                    let keyword = matches!(
                        w,
                        "PUBLIC" | "PRIVATE" | "INTERFACE" | "SYSTEM" | "BEFORE" | "AFTER"
                    );
                    if keyword || w.contains('$') || w.starts_with('/') {
                        continue;
                    }
                    if let Some(dir) = normalize(base, w) {
                        if !dirs.contains(&dir) {
                            dirs.push(dir);
                        }
                    }
                }
            }
        }
    }
    dirs.push(String::new());
    dirs
}

pub(super) fn include(node: Node, src: &[u8], facts: &mut FileFacts) {
    let Some(p) = node.child_by_field_name("path") else {
        return;
    };
    let system = p.kind() == "system_lib_string";
    let path = text(p, src)
        .trim_matches(|c| c == '"' || c == '<' || c == '>')
        .to_string();
    facts.bindings.push(Binding {
        local: "*".into(),
        import: facts.imports.len() as u32,
        name: Some("*".into()),
    });
    facts.imports.push(Import {
        spec: ImportSpec::Include { path, system },
        line: lines_of(node).0,
        target: None,
    });
}

/// Every `#include` of the file, wherever conditional compilation puts it.
fn includes(root: Node, src: &[u8], facts: &mut FileFacts) {
    visit_pruned(root, &mut |node| match node.kind() {
        "preproc_include" => {
            include(node, src, facts);
            false
        }
        k => CONTAINERS.contains(&k),
    });
}

/// Whether a path is a C or C++ header.
pub(crate) fn is_header(path: &str) -> bool {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(ext, "h" | "hh" | "hpp" | "hxx" | "h++" | "inl")
}

/// The text with export and attribute macros blanked out, byte for byte:
/// - a word in capitals with an underscore alone on its line (`FMT_BEGIN_NAMESPACE`);
/// - such a word before another word where a declaration starts (`LEVELDB_EXPORT Status
///   DestroyDB(…)`, `static FMT_CONSTEXPR int f()`), and any word in capitals between `class`
///   or `struct` and the name (`class LOCKABLE Mutex`);
/// - such a word, with its arguments, after a declarator (`void Lock() EXCLUSIVE_LOCK_FUNCTION()
///   {`, `int n_ GUARDED_BY(mu_);`).
///
/// Types in capitals without an underscore (`HANDLE h;`) and values (`case MAX_SIZE:`,
/// `x = MAX_SIZE;`) are kept.
pub(super) fn without_macros(text: &str) -> String {
    let mut out = text.as_bytes().to_vec();
    let mut offset = 0;
    // The last code line's last character, and for each open `#if`, whether it stands in the
    // middle of an expression or an initialiser list (`: a_(1),` / `#if X` / `b_(2),`).
    let mut last = '{';
    let mut inline_ifs: Vec<bool> = Vec::new();
    let mut in_directive = false;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end();
        let trimmed = body.trim_start();
        let indent = body.len() - trimmed.len();
        // The lines a `\` continues belong to the directive above.
        let continued = in_directive;
        in_directive = body.ends_with('\\') && (continued || trimmed.starts_with('#'));
        if continued {
            offset += line.len();
            continue;
        }
        if let Some(directive) = trimmed.strip_prefix('#') {
            let word = directive.trim_start();
            let word = &word[..word
                .find(|c: char| !c.is_alphabetic())
                .unwrap_or(word.len())];
            let inline = match word {
                "if" | "ifdef" | "ifndef" => {
                    let inline = matches!(last, ',' | ':' | '(' | '&' | '|' | '+' | '?');
                    inline_ifs.push(inline);
                    inline
                }
                "else" | "elif" | "elifdef" | "elifndef" => {
                    inline_ifs.last().copied().unwrap_or(false)
                }
                "endif" => inline_ifs.pop().unwrap_or(false),
                _ => false,
            };
            // Both branches stay, without the directives: the grammar reads an initialiser
            // list whole, where it cannot read a directive in it.
            if inline && !body.ends_with('\\') {
                blank(&mut out, offset + indent, trimmed.len());
            }
        } else if is_macro_word(trimmed) || is_macro_line(trimmed, last) {
            // Gone: the line before is still the last code line.
            blank(&mut out, offset + indent, trimmed.len());
            offset += line.len();
            continue;
        } else if !trimmed.starts_with("//") {
            let continues = last.is_alphanumeric() || last == '_' || last == ')';
            if continues {
                continuation(body, indent, offset, &mut out);
            }
            leading(body, indent, offset, &mut out);
            trailing(body, offset, &mut out);
        }
        let code = body[..body.find("//").unwrap_or(body.len())].trim_end();
        if !trimmed.starts_with('#') {
            if let Some(c) = code.chars().last() {
                last = c;
            }
        }
        offset += line.len();
    }
    template_parameters(text, &mut out);
    // Only ASCII letters, digits and brackets were replaced by spaces: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// An annotation on a line of its own that ends a declaration (`  GUARDED_BY(mu_);` under
/// `std::queue<Item> queue_`).
fn continuation(body: &str, indent: usize, offset: usize, out: &mut [u8]) {
    let t = &body[indent..];
    let len = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    if !is_macro_word(&t[..len]) || !t[len..].starts_with('(') {
        return;
    }
    if let Some(close) = closing(&t[len..], '(', ')') {
        let end = len + close + 1;
        if t[end..].trim_start().starts_with([';', '{', ':']) {
            blank(out, offset + indent, end);
        }
    }
}

/// Macros among the keywords that open a declaration.
fn leading(body: &str, indent: usize, offset: usize, out: &mut [u8]) {
    let mut pos = indent;
    let mut after_class = false;
    loop {
        let rest = &body[pos..];
        let word_len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if word_len == 0 {
            break;
        }
        let word = &rest[..word_len];
        let after = &rest[word_len..];
        let next = after.trim_start();
        let spaced = after.len() > next.len();
        let before_word =
            spaced && next.starts_with(|c: char| c.is_alphabetic() || c == '_' || c == '~');
        let capitals = word.len() >= 2
            && word
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        let opens_block = pos == indent && next.starts_with('{') && is_macro_word(word);
        // `class FMT_SO_VISIBILITY("default") format_error`
        if after_class && is_macro_word(word) && after.starts_with('(') {
            let Some(close) = closing(after, '(', ')') else {
                break;
            };
            blank(out, offset + pos, word_len + close + 1);
            let rest = &after[close + 1..];
            let gap = rest.len() - rest.trim_start().len();
            if gap == 0 {
                break;
            }
            pos = body.len() - rest.len() + gap;
            continue;
        }
        if opens_block || before_word && (is_macro_word(word) || (after_class && capitals)) {
            blank(out, offset + pos, word_len);
        } else if word == "template" && next.starts_with('<') {
            // `template <typename T> FMT_CONSTEXPR auto f()`: on past the head.
            let Some(close) = closing(next, '<', '>') else {
                break;
            };
            let after_head = &next[close + 1..];
            let gap = after_head.len() - after_head.trim_start().len();
            if gap == 0 {
                break;
            }
            pos = body.len() - after_head.len() + gap;
            continue;
        } else if matches!(word, "class" | "struct" | "union") {
            after_class = true;
        } else if !matches!(
            word,
            "enum"
                | "static"
                | "inline"
                | "virtual"
                | "explicit"
                | "constexpr"
                | "extern"
                | "friend"
                | "const"
                | "template"
        ) {
            break;
        }
        if !spaced {
            break;
        }
        pos += word_len + (after.len() - next.len());
    }
}

/// Annotation macros after a declarator's closing parenthesis or name.
fn trailing(body: &str, offset: usize, out: &mut [u8]) {
    let bytes = body.as_bytes();
    let code_end = body.find("//").unwrap_or(body.len());
    let mut i = 0;
    // Quotes passed so far: a word after an odd number of them is in a string.
    let mut quotes = 0;
    while i < code_end {
        let starts_word = bytes[i].is_ascii_uppercase()
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
        if !starts_word {
            quotes += usize::from(bytes[i] == b'"');
            i += 1;
            continue;
        }
        let len = body[i..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len() - i);
        let word = &body[i..i + len];
        let before = body[..i].trim_end();
        let quoted = quotes % 2 == 1;
        if !is_macro_word(word) || quoted || before.len() == body[..i].len() {
            i += len;
            continue;
        }
        let mut end = i + len;
        let args = body[end..].starts_with('(');
        if args {
            let mut depth = 0;
            let mut close = None;
            let mut scanned = end;
            for (j, c) in body[end..].char_indices().take(SCAN) {
                scanned = end + j + c.len_utf8();
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(end + j + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            match close {
                Some(c) => end = c,
                None => {
                    i = scanned;
                    continue;
                }
            }
        }
        let next = body[end..].trim_start();
        let prev = before.chars().last();
        let prev_word_start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |(p, c)| p + c.len_utf8());
        let prev_word = &before[prev_word_start..];
        let ends_declaration = next.is_empty()
            || next.starts_with([';', '{', '=', ':'])
            || next.starts_with("->")
            || next.starts_with(|c: char| c.is_alphabetic());
        let after_paren = prev == Some(')') && !next.starts_with(':') || prev == Some(')') && args;
        let after_identifier = prev.is_some_and(|c| c.is_alphanumeric() || c == '_');
        // `value(int x FMT_BUILTIN)`, `if FMT_CONSTEXPR20 (…)`.
        let in_parameters = after_identifier
            && !args
            && next.starts_with([')', ','])
            && !matches!(prev_word, "return" | "case" | "sizeof");
        let after_if = prev_word == "if" && !args && next.starts_with('(');
        if in_parameters || after_if {
            blank(out, offset + i, end - i);
            i = end;
            continue;
        }
        let after_name = after_identifier
            && args
            && !matches!(
                prev_word,
                "return" | "case" | "else" | "do" | "throw" | "new"
            )
            && next.starts_with([';', '{', '=', ','])
            || prev_word == "const" && next.starts_with([';', '{']);
        if ends_declaration && (after_paren || after_name) {
            blank(out, offset + i, end - i);
        }
        i = end;
    }
}

/// A macro call alone on its line with no `;` after it, where a declaration could start
/// (`FMT_PRAGMA_GCC(push_options)`): it stands for declarations or for nothing.
fn is_macro_line(t: &str, last: char) -> bool {
    let len = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    if !is_macro_word(&t[..len]) || !t[len..].starts_with('(') || !t.ends_with(')') {
        return false;
    }
    closing(&t[len..], '(', ')')
        .is_some_and(|close| len + close + 1 == t.len() && matches!(last, ';' | '{' | '}'))
}

/// Where the bracket `s` opens with closes (its byte offset), within `SCAN` characters.
fn closing(s: &str, open: char, close: char) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in s.char_indices().take(SCAN) {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// How far a macro's arguments or a template head are looked for: a longer one is left as
/// it is, so a hostile line costs linear time.
const SCAN: usize = 4096;

fn is_macro_word(w: &str) -> bool {
    w.len() >= 3
        && w.contains('_')
        && w.starts_with(|c: char| c.is_ascii_uppercase())
        && w.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Spaces over `len` bytes from `at`, line breaks kept.
fn blank(out: &mut [u8], at: usize, len: usize) {
    for b in &mut out[at..at + len] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// A macro standing for a template parameter (`template <typename T, FMT_ENABLE_IF(…)>`,
/// SFINAE's usual spelling), with the comma before it: what is left is a template head.
fn template_parameters(text: &str, out: &mut [u8]) {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text[from..].find(',').map(|i| from + i) {
        from = at + 1;
        let rest = &text[at + 1..];
        let word_at = at + 1 + (rest.len() - rest.trim_start().len());
        let len = text[word_at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len() - word_at);
        if !is_macro_word(&text[word_at..word_at + len]) || bytes.get(word_at + len) != Some(&b'(')
        {
            continue;
        }
        let mut depth = 0;
        let mut close = None;
        let mut scanned = word_at + len;
        for (j, c) in text[word_at + len..].char_indices().take(SCAN) {
            scanned = word_at + len + j + c.len_utf8();
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(scanned);
                        break;
                    }
                }
                ';' | '{' | '}' => break,
                _ => {}
            }
        }
        // What was scanned is not scanned again: a hostile text costs linear time.
        from = scanned;
        let Some(close) = close else { continue };
        if text[close..].trim_start().starts_with('>') {
            blank(out, at, close - at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_support::{facts_at, symbol};
    use crate::snapshot::Language;

    const HEADER: &str = r#"/**
 * @file store.h
 * A store of keys.
 */

#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include "util/strings.h"

#define STORE_MAX 64
#define STORE_MIN(a, b) ((a) < (b) ? (a) : (b))

#ifdef __cplusplus
extern "C" {
#endif

/** A store. */
typedef struct store {
    struct entry *head; /**< the first entry */
    size_t len;
} store_t;

/// Kinds of store.
enum store_kind {
    STORE_MEMORY, /**< in memory */
    /** on disk */
    STORE_DISK,
};

typedef enum { RED, GREEN } colour;

/**
 * Opens a store.
 * @param path where it lives
 * @return the store, or NULL
 */
store_t *store_open(const char *path);

extern int store_debug;

#ifdef __cplusplus
}
#endif
#endif
"#;

    const SOURCE: &str = r#"/* Copyright 2024 Someone. Licensed under MIT. */

#include "store.h"

static int count;

/* Makes an entry. */
static struct entry *make(void) { return NULL; }

store_t *store_open(const char *path) {
    store_t *s = alloc_store();
    struct entry *e = make();
    s->head = e;
    store_touch(s);
    return s;
}

int main(int argc, char **argv) { store_open(argv[1]); return 0; }
"#;

    #[test]
    fn header_symbols_docs_and_visibility() {
        let f = facts_at(Language::C, "include/store.h", HEADER);
        assert_eq!(f.module_doc, "A store of keys.");
        assert!(!f.symbols.iter().any(|s| s.name == "STORE_H"));
        assert_eq!(symbol(&f, "STORE_MAX").kind, SymbolKind::Const);
        assert_eq!(symbol(&f, "STORE_MIN").kind, SymbolKind::Macro);
        let st = symbol(&f, "store");
        assert_eq!(st.kind, SymbolKind::Struct);
        assert_eq!(st.doc, "A store.");
        let td = symbol(&f, "store_t");
        assert_eq!(td.kind, SymbolKind::Type);
        assert_eq!(symbol(&f, "store_kind").doc, "Kinds of store.");
        assert_eq!(symbol(&f, "STORE_DISK").doc, "on disk");
        assert_eq!(symbol(&f, "STORE_MEMORY").kind, SymbolKind::Const);
        assert_eq!(symbol(&f, "RED").kind, SymbolKind::Const);
        assert_eq!(symbol(&f, "colour").kind, SymbolKind::Type);
        let open = symbol(&f, "store_open");
        assert_eq!(open.kind, SymbolKind::Function);
        assert!(open.doc.starts_with("Opens a store."), "{}", open.doc);
        assert!(open.signature.ends_with(';'), "{}", open.signature);
        assert!(open.public);
        assert_eq!(symbol(&f, "store_debug").kind, SymbolKind::Variable);
        let heads: Vec<&str> = f.fields.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(heads, ["head", "len"]);
        let specs: Vec<String> = f.imports.iter().map(|i| i.spec.display()).collect();
        assert_eq!(
            specs,
            ["#include <stddef.h>", "#include \"util/strings.h\""]
        );
    }

    #[test]
    fn a_licence_header_keeps_the_words_before_it() {
        let code = "// Formatting library for C++ - the base API\n//\n// Copyright (c) 2012 - present, Someone\n// All rights reserved.\n\n#ifndef BASE_H_\n#define BASE_H_\nint f(void);\n#endif\n";
        let f = facts_at(Language::C, "include/base.h", code);
        assert_eq!(f.module_doc, "Formatting library for C++ - the base API");
        // A comment right above the first declaration is that declaration's.
        let f = facts_at(Language::C, "a.h", "// Opens it.\nint open(void);\n");
        assert_eq!(f.module_doc, "");
    }

    #[test]
    fn export_macros_do_not_hide_declarations() {
        let code = "#define UV_EXTERN extern\nUV_EXTERN int uv_run(uv_loop_t* loop, uv_run_mode mode);\nUV_EXTERN uv_loop_t* uv_default_loop(void);\n";
        let f = facts_at(Language::C, "include/uv.h", code);
        let run = symbol(&f, "uv_run");
        assert_eq!(run.kind, SymbolKind::Function);
        // Quoted from the file, from where the parse starts the declaration: after the macro.
        assert_eq!(
            run.signature,
            "int uv_run(uv_loop_t* loop, uv_run_mode mode);"
        );
        assert_eq!(symbol(&f, "uv_default_loop").kind, SymbolKind::Function);
    }

    #[test]
    fn source_symbols_and_references() {
        let f = facts_at(Language::C, "src/store.c", SOURCE);
        // A licence is no file doc.
        assert_eq!(f.module_doc, "");
        let make = symbol(&f, "make");
        assert!(!make.public);
        assert_eq!(make.doc, "Makes an entry.");
        assert!(symbol(&f, "store_open").public);
        assert!(!symbol(&f, "count").public);
        let calls: Vec<Vec<String>> = f
            .refs
            .iter()
            .filter(|r| r.kind == RefKind::Call)
            .map(|r| r.path.clone())
            .collect();
        assert!(calls.contains(&vec!["store_touch".to_string()]));
        assert!(calls.contains(&vec!["make".to_string()]));
        let s = f.locals.iter().find(|l| l.name == "s").unwrap();
        assert_eq!(s.ty, Some(TypeHint::Written("store_t".into())));
        let e = f.locals.iter().find(|l| l.name == "e").unwrap();
        assert_eq!(e.ty, Some(TypeHint::Written("entry".into())));
    }

    #[test]
    fn includes_resolve_relative_then_in_include_folders() {
        let snapshot = crate::parse::test_support::snapshot(&[
            "CMakeLists.txt",
            "include/store.h",
            "src/store.c",
            "src/local.h",
            "lib/util/strings.h",
            "third/a/dup.h",
            "third/b/dup.h",
        ]);
        let mut index = RepoIndex::new(&snapshot, &Default::default());
        index.include_dirs = include_dirs(
            snapshot.files.iter().map(|f| f.path.as_str()),
            [(
                "CMakeLists.txt",
                "target_include_directories(store PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/lib)",
            )]
            .into_iter(),
        );
        let r = |p: &str, system: bool| {
            resolve(
                &ImportSpec::Include {
                    path: p.into(),
                    system,
                },
                "src/store.c",
                &index,
            )
        };
        assert_eq!(r("local.h", false).as_deref(), Some("src/local.h"));
        assert_eq!(r("store.h", false).as_deref(), Some("include/store.h"));
        assert_eq!(
            r("util/strings.h", true).as_deref(),
            Some("lib/util/strings.h")
        );
        assert_eq!(r("dup.h", false), None);
        assert_eq!(r("stdio.h", true), None);
        assert_eq!(
            r("../include/store.h", false).as_deref(),
            Some("include/store.h")
        );
    }

    #[test]
    fn macros_are_blanked_byte_for_byte() {
        let text = "FMT_BEGIN_NAMESPACE\nclass FMT_API Foo {};\nFMT_CONSTEXPR inline int f();\nHANDLE h;\nint x = MAX_SIZE;\nclass LOCKABLE Mutex {\n  void Lock() EXCLUSIVE_LOCK_FUNCTION() { f(A_B); }\n  int n_ GUARDED_BY(mu_);\n  case MAX_SIZE: return MAX_SIZE;\n  void f() const FMT_NOEXCEPT;\n  std::queue<int> q_\n      GUARDED_BY(mu_);\n  L() :\n#if !defined(NDEBUG)\n  a_(1),\n#endif\n  b_(2) {}\n#if X\nint y;\n#endif\n";
        let out = without_macros(text);
        assert_eq!(out.len(), text.len());
        assert_eq!(
            out,
            "                   \nclass         Foo {};\n              inline int f();\nHANDLE h;\nint x = MAX_SIZE;\nclass          Mutex {\n  void Lock()                           { f(A_B); }\n  int n_                ;\n  case MAX_SIZE: return MAX_SIZE;\n  void f() const             ;\n  std::queue<int> q_\n                     ;\n  L() :\n                    \n  a_(1),\n      \n  b_(2) {}\n#if X\nint y;\n#endif\n"
        );
    }
}
