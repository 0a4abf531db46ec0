//! reST and Sphinx, as Python docstrings write them: field lists (`:param x:`, `:returns:`,
//! `:raises E:`) become tables, roles (`:class:`, `:meth:` …) links or code, directives
//! (`versionchanged`, `note`, `code-block` …) styled blocks, section titles headings, literal
//! and doctest blocks code. Indented text is a definition or a quote here, never code.

use std::sync::LazyLock;

use regex::Regex;

use super::{symbol_link, Block, Field};

static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r":(?:([a-z]+):)?([a-z][a-z0-9-]*):`([^`]+)`").expect("a valid pattern")
});
static HYPERLINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"`([^`<]+?)\s*<([^`>]+)>`__?").expect("a valid pattern"));
static REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"`([^`]+)`__?(\W|$)").expect("a valid pattern"));
static DIRECTIVE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\.\.\s+([\w:-]+)::\s*(.*)$").expect("a valid pattern"));
static FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^:([^:`]+):(?:\s+(.*))?$").expect("a valid pattern"));

/// Roles that name a Python object: links to its symbol.
const OBJECT_ROLES: &[&str] = &[
    "class", "meth", "func", "attr", "data", "exc", "obj", "mod", "const", "type", "any", "member",
    "function", "method", "property",
];
/// Roles whose text is code as written.
const CODE_ROLES: &[&str] = &[
    "file", "samp", "kbd", "envvar", "option", "command", "program", "code", "makevar", "literal",
    "mimetype", "regexp", "keyword",
];

/// A line of reST text as markdown: roles, hyperlinks.
pub fn inline(text: &str) -> String {
    let text = HYPERLINK.replace_all(text, |c: &regex::Captures| {
        let (words, target) = (c[1].trim().replace(['[', ']'], ""), c[2].trim());
        // `<name_>` refers to a target defined elsewhere in the file: its words only.
        if target.ends_with('_') || target.contains(char::is_whitespace) {
            words
        } else {
            format!("[{words}]({target})")
        }
    });
    let text = ROLE.replace_all(&text, |c: &regex::Captures| role(&c[2], &c[3]));
    let text = REFERENCE.replace_all(&text, |c: &regex::Captures| format!("{}{}", &c[1], &c[2]));
    text.into_owned()
}

fn role(name: &str, content: &str) -> String {
    let (title, target) = match content.rsplit_once('<') {
        Some((t, rest)) if rest.ends_with('>') && !t.trim().is_empty() => {
            (Some(t.trim()), rest.trim_end_matches('>').trim())
        }
        _ => (None, content.trim()),
    };
    if OBJECT_ROLES.contains(&name) {
        let plain = target.trim_start_matches(['~', '!', '.']);
        let shown = match title {
            Some(t) => t.to_string(),
            None if target.starts_with('~') => {
                plain.rsplit('.').next().unwrap_or(plain).to_string()
            }
            None => plain.to_string(),
        };
        if target.starts_with('!') {
            return format!("`{}`", shown.replace('`', ""));
        }
        return symbol_link(&shown, plain.trim_end_matches("()"));
    }
    if CODE_ROLES.contains(&name) {
        return format!("`{}`", title.unwrap_or(target).replace('`', ""));
    }
    match name {
        // Another document of the docs: a link, kept only where the site has that page.
        "doc" => format!(
            "[{}]({}.rst)",
            title.unwrap_or(target).replace(['[', ']'], ""),
            target.trim_start_matches('/')
        ),
        "pep" => format!("PEP {target}"),
        "rfc" => format!("RFC {target}"),
        // A cross-reference to a docs page or label: its words.
        _ => title.unwrap_or(target).to_string(),
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Lines `from..` that belong to a block indented more than `base`: blank lines inside it, and
/// every line indented more. Returns the end index.
fn block_end(lines: &[&str], from: usize, base: usize) -> usize {
    let mut end = from;
    let mut i = from;
    while i < lines.len() {
        let l = lines[i];
        if l.trim().is_empty() {
            i += 1;
            continue;
        }
        if indent_of(l) <= base {
            break;
        }
        i += 1;
        end = i;
    }
    end
}

/// Lines without their common indentation.
pub fn dedent(lines: &[&str]) -> String {
    let common = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent_of(l))
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for l in lines {
        out.push_str(l.get(common..).unwrap_or("").trim_end());
        out.push('\n');
    }
    out.trim_matches('\n').to_string()
}

/// A fenced code block that no backtick run inside can close.
pub fn fenced(lang: &str, code: &str) -> String {
    let longest = code
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or(0)
        .max(2);
    let fence = "`".repeat(longest + 1);
    format!("\n{fence}{lang}\n{}\n{fence}\n\n", code.trim_matches('\n'))
}

fn is_underline(line: &str) -> bool {
    let t = line.trim_end();
    let mut chars = t.chars();
    match chars.next() {
        Some(c) if "=-~^\"'`#*+<>:._".contains(c) => t.len() >= 3 && chars.all(|x| x == c),
        _ => false,
    }
}

/// What a note directive is called on the page, and its class.
fn note_kind(name: &str, args: &str) -> Option<(String, &'static str)> {
    let version = args.split_whitespace().next().unwrap_or("");
    Some(match name {
        "versionadded" => (format!("Added in version {version}"), "version"),
        "versionchanged" => (format!("Changed in version {version}"), "version"),
        "versionremoved" => (format!("Removed in version {version}"), "deprecated"),
        "deprecated" => (format!("Deprecated since version {version}"), "deprecated"),
        "note" => ("Note".into(), "info"),
        "hint" | "tip" => ("Tip".into(), "info"),
        "important" => ("Important".into(), "warning"),
        "warning" | "caution" | "attention" => ("Warning".into(), "warning"),
        "danger" | "error" => ("Danger".into(), "deprecated"),
        "seealso" => ("See also".into(), "info"),
        "todo" => ("To do".into(), "info"),
        "admonition" => (args.trim().to_string(), "info"),
        _ => return None,
    })
}

/// Directives that show nothing a reader of one docstring needs.
const SILENT: &[&str] = &[
    "image",
    "figure",
    "toctree",
    "include",
    "raw",
    "only",
    "index",
    "meta",
    "autoclass",
    "automodule",
    "autofunction",
    "automethod",
    "autodata",
    "autoattribute",
    "currentmodule",
    "module",
    "highlight",
    "contents",
    "sectionauthor",
    "testsetup",
    "testcleanup",
    "doctest",
    "literalinclude",
];

/// The fields of a field list, as they are written.
#[derive(Default)]
struct FieldList {
    fields: Vec<(String, String)>,
}

impl FieldList {
    fn into_blocks(self) -> Vec<Block> {
        let mut params: Vec<Field> = Vec::new();
        let mut attrs: Vec<Field> = Vec::new();
        let mut returns = Field::default();
        let mut yields = Field::default();
        let mut raises: Vec<Field> = Vec::new();
        let mut other: Vec<Field> = Vec::new();
        let row = |list: &mut Vec<Field>, name: &str| -> usize {
            match list.iter().position(|f| f.name == name) {
                Some(i) => i,
                None => {
                    list.push(Field {
                        name: name.to_string(),
                        ..Field::default()
                    });
                    list.len() - 1
                }
            }
        };
        for (head, text) in self.fields {
            let words: Vec<&str> = head.split_whitespace().collect();
            let Some((&kind, rest)) = words.split_first() else {
                continue;
            };
            let name = rest.last().copied().unwrap_or("");
            let ty = if rest.len() > 1 {
                rest[..rest.len() - 1].join(" ")
            } else {
                String::new()
            };
            let text = inline(&text);
            match kind {
                "param" | "parameter" | "arg" | "argument" | "key" | "keyword" | "kwarg"
                | "kwparam" => {
                    let i = row(&mut params, name);
                    params[i].text = text;
                    if !ty.is_empty() {
                        params[i].ty = ty;
                    }
                }
                "type" | "kwtype" => {
                    let i = row(&mut params, name);
                    params[i].ty = text;
                }
                "ivar" | "cvar" | "var" => {
                    let i = row(&mut attrs, name);
                    attrs[i].text = text;
                    if !ty.is_empty() {
                        attrs[i].ty = ty;
                    }
                }
                "vartype" => {
                    let i = row(&mut attrs, name);
                    attrs[i].ty = text;
                }
                "returns" | "return" => returns.text = text,
                "rtype" => returns.ty = text,
                "yields" | "yield" => yields.text = text,
                "ytype" => yields.ty = text,
                "raises" | "raise" | "except" | "exception" => raises.push(Field {
                    name: rest.join(" "),
                    ty: String::new(),
                    text,
                }),
                "meta" | "nocomments" | "private" | "public" | "orphan" => {}
                _ => other.push(Field {
                    name: head.clone(),
                    ty: String::new(),
                    text,
                }),
            }
        }
        let mut out = Vec::new();
        let mut push = |title: &str, rows: Vec<Field>| {
            if !rows.is_empty() {
                out.push(Block::Fields {
                    title: title.to_string(),
                    rows,
                });
            }
        };
        push("Parameters", params);
        push("Attributes", attrs);
        let one = |f: Field| {
            if f.text.is_empty() && f.ty.is_empty() {
                vec![]
            } else {
                vec![f]
            }
        };
        push("Returns", one(returns));
        push("Yields", one(yields));
        push("Raises", raises);
        push("Fields", other);
        out
    }
}

/// A docstring in reST as blocks.
pub fn blocks(doc: &str) -> Vec<Block> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut out: Vec<Block> = Vec::new();
    let mut md = String::new();
    let mut fields = FieldList::default();
    let flush = |md: &mut String, out: &mut Vec<Block>| {
        if !md.trim().is_empty() {
            out.push(Block::Markdown(std::mem::take(md)));
        }
        md.clear();
    };
    let flush_fields = |fields: &mut FieldList, out: &mut Vec<Block>| {
        out.extend(std::mem::take(fields).into_blocks());
    };
    // Section title characters in the order they first appear: the first is level 1.
    let mut title_chars: Vec<char> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim();
        let indent = indent_of(line);
        if t.is_empty() {
            md.push('\n');
            i += 1;
            continue;
        }
        // A field list ends at the first line that is not a field.
        let is_field = indent == 0 && FIELD.is_match(t);
        if !fields.fields.is_empty() && !is_field {
            flush_fields(&mut fields, &mut out);
        }
        // Directives, comments and targets.
        if let Some(rest) = t.strip_prefix("..") {
            if rest.is_empty() || rest.starts_with(' ') {
                let end = block_end(&lines, i + 1, indent);
                let body_lines: Vec<&str> = lines[i + 1..end]
                    .iter()
                    .copied()
                    .skip_while(|l| l.trim().is_empty() || l.trim_start().starts_with(':'))
                    .collect();
                let body = dedent(&body_lines);
                if let Some(c) = DIRECTIVE.captures(t) {
                    let name = c[1].rsplit(':').next().unwrap_or(&c[1]).to_string();
                    let args = c[2].to_string();
                    if ["code-block", "code", "sourcecode"].contains(&name.as_str()) {
                        md.push_str(&fenced(args.trim(), &body));
                    } else if let Some((label, class)) = note_kind(&name, &args) {
                        flush(&mut md, &mut out);
                        // A version directive's words after the version are its text.
                        let first = if name.starts_with("version") || name == "deprecated" {
                            args.split_once(char::is_whitespace)
                                .map(|(_, r)| r.trim().to_string())
                                .unwrap_or_default()
                        } else if name == "admonition" {
                            String::new()
                        } else {
                            args.trim().to_string()
                        };
                        let text = [first, body].join("\n").trim().to_string();
                        let inner = blocks(&text)
                            .into_iter()
                            .filter_map(|b| match b {
                                Block::Markdown(m) => Some(m),
                                _ => None,
                            })
                            .collect::<Vec<_>>()
                            .join("\n");
                        out.push(Block::Note {
                            label,
                            class,
                            body: inner,
                        });
                    } else if !SILENT.contains(&name.as_str()) && !body.is_empty() {
                        // An unknown directive: its text is still the author's words.
                        md.push('\n');
                        for b in blocks(&body) {
                            if let Block::Markdown(m) = b {
                                md.push_str(&m);
                            }
                        }
                        md.push('\n');
                    }
                }
                i = end.max(i + 1);
                continue;
            }
        }
        // Field lists: `:param x: text` and its indented continuation.
        if let Some(c) = FIELD.captures(t).filter(|_| indent == 0) {
            let head = c[1].trim().to_string();
            let end = block_end(&lines, i + 1, indent);
            let mut text = c.get(2).map_or("", |m| m.as_str()).to_string();
            let more = dedent(&lines[i + 1..end]);
            if !more.is_empty() {
                text.push('\n');
                text.push_str(&more);
            }
            flush(&mut md, &mut out);
            fields.fields.push((head, text.trim().to_string()));
            i = end.max(i + 1);
            continue;
        }
        // Doctest blocks: `>>>` lines up to a blank line.
        if t.starts_with(">>>") {
            let mut end = i;
            while end < lines.len() && !lines[end].trim().is_empty() {
                end += 1;
            }
            md.push_str(&fenced("python", &dedent(&lines[i..end])));
            i = end;
            continue;
        }
        // Section titles: a line over an underline (and maybe under an overline).
        if i + 1 < lines.len() && indent == 0 && is_underline(lines[i + 1]) && !is_underline(line) {
            let c = lines[i + 1].trim().chars().next().unwrap_or('=');
            let level = match title_chars.iter().position(|x| *x == c) {
                Some(l) => l,
                None => {
                    title_chars.push(c);
                    title_chars.len() - 1
                }
            };
            md.push_str(&format!("\n{} {}\n\n", "#".repeat(level + 2), inline(t)));
            i += 2;
            continue;
        }
        if is_underline(line) && i + 2 < lines.len() && is_underline(lines[i + 2]) {
            i += 1;
            continue;
        }
        // A literal block: a paragraph ending `::`, then indented lines.
        if t.ends_with("::") {
            let words = t.trim_end_matches("::").trim_end();
            if !words.is_empty() {
                md.push_str(&inline(&format!("{words}:")));
                md.push('\n');
            }
            let end = block_end(&lines, i + 1, indent);
            if end > i + 1 {
                md.push_str(&fenced("", &dedent(&lines[i + 1..end])));
            }
            i = end.max(i + 1);
            continue;
        }
        // Indented text after a one-line paragraph: a definition list item.
        let prev_blank = i == 0 || lines[i - 1].trim().is_empty();
        let next_indented = lines
            .get(i + 1)
            .is_some_and(|n| !n.trim().is_empty() && indent_of(n) > indent);
        let is_item = t.starts_with(['-', '*', '+']) && t.chars().nth(1) == Some(' ')
            || t.split_once(". ")
                .is_some_and(|(n, _)| n == "#" || n.chars().all(|c| c.is_ascii_digit()));
        if prev_blank && next_indented && !is_item {
            let end = block_end(&lines, i + 1, indent);
            md.push_str(&format!("\n**{}**\n\n", inline(t).replace('*', "\\*")));
            for b in blocks(&dedent(&lines[i + 1..end])) {
                match b {
                    Block::Markdown(m) => md.push_str(&m),
                    other => {
                        flush(&mut md, &mut out);
                        out.push(other);
                    }
                }
            }
            md.push('\n');
            i = end;
            continue;
        }
        let shown = if let Some(rest) = t.strip_prefix("#. ") {
            format!("1. {rest}")
        } else {
            t.to_string()
        };
        // List items keep a little indentation so that their continuation stays in them.
        let keep = if indent > 0 && !prev_blank { "  " } else { "" };
        md.push_str(keep);
        md.push_str(&inline(&shown));
        md.push('\n');
        i += 1;
    }
    flush(&mut md, &mut out);
    flush_fields(&mut fields, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn markdown_of(blocks: &[Block]) -> String {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Markdown(m) => Some(m.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn click_style_fields_roles_and_directives() {
        // As in click's core.py.
        let doc = "The context is a special internal object.\n\n\
                   .. versionchanged:: 8.0\n    The ``show_default`` parameter defaults to the value\n    from the parent context.\n\n\
                   :param command: the command class for this context.\n\
                   :param parent: the parent context.  See\n    :meth:`Context.scope` for more.\n\
                   :type parent: Context | None\n\
                   :return: the new :class:`~click.core.Context`.\n\
                   :raises UsageError: when it fails.\n";
        let b = blocks(doc);
        assert_eq!(
            b[0],
            Block::Markdown("The context is a special internal object.\n\n".into())
        );
        assert_eq!(
            b[1],
            Block::Note {
                label: "Changed in version 8.0".into(),
                class: "version",
                body: "The ``show_default`` parameter defaults to the value\nfrom the parent context.\n"
                    .into()
            }
        );
        let Block::Fields { title, rows } = &b[2] else {
            panic!("{b:?}")
        };
        assert_eq!(title, "Parameters");
        assert_eq!(rows[0].name, "command");
        assert_eq!(rows[1].ty, "Context | None");
        assert_eq!(
            rows[1].text,
            "the parent context.  See\n[`Context.scope`](repowiki-symbol:Context.scope) for more."
        );
        let Block::Fields { title, rows } = &b[3] else {
            panic!("{b:?}")
        };
        assert_eq!(title, "Returns");
        assert_eq!(
            rows[0].text,
            "the new [`Context`](repowiki-symbol:click.core.Context)."
        );
        assert!(
            matches!(&b[4], Block::Fields { title, rows } if title == "Raises" && rows[0].name == "UsageError")
        );
    }

    #[test]
    fn code_literal_doctest_titles_and_definitions() {
        let doc = "Example::\n\n    app = Flask(__name__)\n\n\
                   .. code-block:: python\n    :linenos:\n\n    x = 1\n\n\
                   >>> 1 + 1\n2\n\n\
                   Usage\n-----\n\n\
                   term\n    its definition\n\n\
                   .. _label:\n\n\
                   See `the docs <https://e.org/x>`_ and :pep:`8`, :ref:`views <views>`.\n";
        let md = markdown_of(&blocks(doc));
        assert!(
            md.contains("Example:\n\n```\napp = Flask(__name__)\n```"),
            "{md}"
        );
        assert!(md.contains("```python\nx = 1\n```"), "{md}");
        assert!(md.contains("```python\n>>> 1 + 1\n2\n```"), "{md}");
        assert!(md.contains("## Usage"), "{md}");
        assert!(md.contains("**term**\n\nits definition"), "{md}");
        assert!(!md.contains("_label"), "{md}");
        assert!(
            md.contains("See [the docs](https://e.org/x) and PEP 8, views."),
            "{md}"
        );
        assert!(!md.contains("    "), "{md}");
    }
}
