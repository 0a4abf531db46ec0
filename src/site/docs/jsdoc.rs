//! JSDoc and TSDoc: the description is markdown; `@param`, `@returns`, `@throws` become tables,
//! `@example` code, `@deprecated` a note, `{@link X}` a link to the symbol.

use std::sync::LazyLock;

use regex::Regex;

use super::rest::fenced;
use super::{symbol_link, Block, Field};

static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\[([^\]]*)\])?\{@link(?:code|plain)?\s+([^}\s|]+)(?:\s*\|\s*|\s+)?([^}]*)\}")
        .expect("a valid pattern")
});

/// Inline tags as markdown: `{@link Foo}`, `{@link Foo|the foo}`, `[the foo]{@link Foo}`.
pub fn inline(text: &str) -> String {
    LINK.replace_all(text, |c: &regex::Captures| {
        let target = &c[2];
        let label = c
            .get(1)
            .map(|m| m.as_str())
            .filter(|s| !s.is_empty())
            .or_else(|| {
                c.get(3)
                    .map(|m| m.as_str().trim())
                    .filter(|s| !s.is_empty())
            });
        if target.starts_with("http://") || target.starts_with("https://") {
            let label = label.unwrap_or(target).replace(['[', ']'], "");
            return format!("[{label}]({target})");
        }
        symbol_link(label.unwrap_or(target), target)
    })
    .into_owned()
}

/// `{Type} rest` -> (`Type`, `rest`), braces balanced.
fn take_type(text: &str) -> (String, &str) {
    let t = text.trim_start();
    if !t.starts_with('{') {
        return (String::new(), t);
    }
    let mut depth = 0;
    for (i, c) in t.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return (t[1..i].trim().to_string(), t[i + 1..].trim_start());
                }
            }
            _ => {}
        }
    }
    (String::new(), t)
}

/// `name - text`, `[name=default] text` -> (name, text).
fn take_name(text: &str) -> (String, String) {
    let t = text.trim_start();
    let (name, rest) = if let Some(inner) = t.strip_prefix('[') {
        match inner.split_once(']') {
            Some((n, r)) => {
                let (n, default) = n.split_once('=').unwrap_or((n, ""));
                let note = if default.is_empty() {
                    "Optional.".to_string()
                } else {
                    format!("Optional, default `{}`.", default.trim().replace('`', ""))
                };
                (n.trim().to_string(), format!("{} {note}", r.trim()))
            }
            None => (String::new(), t.to_string()),
        }
    } else {
        match t.split_once(char::is_whitespace) {
            Some((n, r)) => (n.to_string(), r.to_string()),
            None => (t.to_string(), String::new()),
        }
    };
    let rest = rest.trim();
    let rest = rest.strip_prefix("- ").unwrap_or(rest).trim();
    (name, rest.to_string())
}

/// Tags that say nothing a reader needs (or that the page already shows).
const SILENT: &[&str] = &[
    "private",
    "public",
    "protected",
    "internal",
    "readonly",
    "override",
    "async",
    "module",
    "file",
    "fileoverview",
    "overview",
    "category",
    "ignore",
    "hidden",
    "packagedocumentation",
    "privateremarks",
    "typedef",
    "callback",
    "function",
    "func",
    "method",
    "class",
    "constructor",
    "memberof",
    "static",
    "inheritdoc",
    "type",
    "name",
    "kind",
    "abstract",
    "virtual",
    "export",
    "exports",
    "lends",
    "namespace",
    "enum",
    "interface",
    "implements",
    "augments",
    "extends",
    "this",
    "instance",
    "global",
    "inner",
    "license",
    "author",
    "copyright",
    "version",
    "eslint-disable",
    "ts-ignore",
    "vitest-environment",
    "jest-environment",
];

/// A JSDoc comment as blocks.
pub fn blocks(doc: &str) -> Vec<Block> {
    let mut description = String::new();
    // Each tag and its text (lines up to the next tag).
    let mut tags: Vec<(String, String)> = Vec::new();
    let mut fence_open = false;
    for line in doc.lines() {
        let t = line.trim_start();
        if t.starts_with("```") {
            fence_open = !fence_open;
        }
        if !fence_open && t.starts_with('@') && t.chars().nth(1).is_some_and(char::is_alphabetic) {
            let (tag, rest) = t[1..]
                .split_once(char::is_whitespace)
                .unwrap_or((&t[1..], ""));
            tags.push((tag.to_ascii_lowercase(), rest.to_string()));
            continue;
        }
        match tags.last_mut() {
            Some((_, text)) => {
                text.push('\n');
                text.push_str(line);
            }
            None => {
                description.push_str(line);
                description.push('\n');
            }
        }
    }
    let mut out = Vec::new();
    if !description.trim().is_empty() {
        out.push(Block::Markdown(inline(&description)));
    }
    let mut tables: Vec<(&'static str, Vec<Field>)> = Vec::new();
    let mut add =
        |title: &'static str, field: Field| match tables.iter_mut().find(|(t, _)| *t == title) {
            Some((_, rows)) => rows.push(field),
            None => tables.push((title, vec![field])),
        };
    let mut notes = Vec::new();
    let mut examples = Vec::new();
    let mut see = Vec::new();
    for (tag, text) in tags {
        match tag.as_str() {
            "param" | "arg" | "argument" | "property" | "prop" | "template" | "typeparam" => {
                let (ty, rest) = take_type(&text);
                let (name, rest) = take_name(rest);
                let title = match tag.as_str() {
                    "property" | "prop" => "Properties",
                    "template" | "typeparam" => "Type parameters",
                    _ => "Parameters",
                };
                add(
                    title,
                    Field {
                        name,
                        ty,
                        text: inline(&rest),
                    },
                );
            }
            "returns" | "return" => {
                let (ty, rest) = take_type(&text);
                add(
                    "Returns",
                    Field {
                        name: String::new(),
                        ty,
                        text: inline(rest.trim()),
                    },
                );
            }
            "throws" | "throw" | "exception" => {
                let (ty, rest) = take_type(&text);
                add(
                    "Throws",
                    Field {
                        name: ty,
                        ty: String::new(),
                        text: inline(rest.trim()),
                    },
                );
            }
            "default" | "defaultvalue" => add(
                "Default",
                Field {
                    name: String::new(),
                    ty: String::new(),
                    text: format!("`{}`", text.trim().replace('`', "")),
                },
            ),
            "example" => {
                let body = text.trim_matches('\n');
                let body = match body.trim_start().strip_prefix("<caption>") {
                    Some(rest) => rest.split_once("</caption>").map_or(rest, |(_, r)| r),
                    None => body,
                };
                examples.push(if body.contains("```") {
                    inline(body)
                } else {
                    fenced(
                        "js",
                        &super::rest::dedent(&body.lines().collect::<Vec<_>>()),
                    )
                });
            }
            "deprecated" => notes.push(Block::Note {
                label: "Deprecated".into(),
                class: "deprecated",
                body: inline(text.trim()),
            }),
            "since" => notes.push(Block::Note {
                label: format!("Added in version {}", text.trim()),
                class: "version",
                body: String::new(),
            }),
            "beta" | "alpha" | "experimental" => notes.push(Block::Note {
                label: "Experimental".into(),
                class: "warning",
                body: inline(text.trim()),
            }),
            "remarks" | "description" | "summary" => {
                out.push(Block::Markdown(inline(&text)));
            }
            "note" => notes.push(Block::Note {
                label: "Note".into(),
                class: "info",
                body: inline(text.trim()),
            }),
            "see" => {
                let t = text.trim();
                see.push(if t.contains("{@link") {
                    inline(t)
                } else if t.starts_with("http://") || t.starts_with("https://") {
                    format!("<{}>", t.split_whitespace().next().unwrap_or(t))
                } else {
                    let (target, words) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
                    format!("{} {}", symbol_link(target, target), inline(words))
                });
            }
            t if SILENT.contains(&t) => {}
            other => add(
                "Tags",
                Field {
                    name: format!("@{other}"),
                    ty: String::new(),
                    text: inline(text.trim()),
                },
            ),
        }
    }
    out.extend(notes);
    for (title, rows) in tables {
        out.push(Block::Fields {
            title: title.to_string(),
            rows,
        });
    }
    if !see.is_empty() {
        let items: Vec<String> = see.iter().map(|s| format!("- {}", s.trim())).collect();
        out.push(Block::Markdown(format!(
            "**See also**\n\n{}\n",
            items.join("\n")
        )));
    }
    if !examples.is_empty() {
        out.push(Block::Markdown(format!(
            "**Examples**\n\n{}",
            examples.join("\n")
        )));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_links() {
        let doc = "Fetch a resource. See {@link Options.retry|the retry option} and {@link https://e.org}.\n\n\
                   @param {string | URL} input - The URL.\n@param [options={}] - Options,\n  merged.\n\
                   @returns {Promise<Response>} The response.\n@throws {HTTPError} When it fails.\n\
                   @deprecated Use `ky.get`.\n@example\n```js\nawait ky('x');\n```\n@example\nky.get('y')\n";
        let b = blocks(doc);
        assert_eq!(
            b[0],
            Block::Markdown(
                "Fetch a resource. See [`the retry option`](repowiki-symbol:Options.retry) and [https://e.org](https://e.org).\n\n".into()
            )
        );
        assert!(
            matches!(&b[1], Block::Note { label, class: "deprecated", .. } if label == "Deprecated")
        );
        let Block::Fields { title, rows } = &b[2] else {
            panic!("{b:?}")
        };
        assert_eq!(title, "Parameters");
        assert_eq!(
            (
                rows[0].name.as_str(),
                rows[0].ty.as_str(),
                rows[0].text.as_str()
            ),
            ("input", "string | URL", "The URL.")
        );
        assert_eq!(rows[1].name, "options");
        assert_eq!(rows[1].text, "Options,\n  merged. Optional, default `{}`.");
        assert!(
            matches!(&b[3], Block::Fields { title, rows } if title == "Returns" && rows[0].ty == "Promise<Response>")
        );
        assert!(
            matches!(&b[4], Block::Fields { title, rows } if title == "Throws" && rows[0].name == "HTTPError")
        );
        assert!(
            matches!(&b[5], Block::Markdown(m) if m.contains("```js\nawait ky('x');\n```") && m.contains("```js\nky.get('y')\n```"))
        );
    }
}
