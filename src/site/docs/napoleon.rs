//! Python docstrings: Google (`Args:` and an indented list) and NumPy (`Parameters` over a
//! dashed line) sections as tables and notes; everything else is reST (`rest.rs`).

use super::rest::{self, dedent, fenced, inline};
use super::{Block, Field};

/// What a section is.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// `name (type): text` rows.
    Params(&'static str),
    /// `type: text`, one row.
    Returns(&'static str),
    /// `Error: text` rows.
    Raises(&'static str),
    Note(&'static str, &'static str),
    Example,
    /// Text under a heading.
    Titled(&'static str),
}

fn section(name: &str) -> Option<Kind> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "args" | "arguments" | "parameters" | "params" => Kind::Params("Parameters"),
        "keyword args" | "keyword arguments" | "kwargs" => Kind::Params("Keyword arguments"),
        "other parameters" => Kind::Params("Other parameters"),
        "attributes" => Kind::Params("Attributes"),
        "returns" | "return" => Kind::Returns("Returns"),
        "yields" | "yield" => Kind::Returns("Yields"),
        "raises" | "raise" | "exceptions" | "except" => Kind::Raises("Raises"),
        "warns" => Kind::Raises("Warns"),
        "note" | "notes" => Kind::Note("Note", "info"),
        "warning" | "warnings" => Kind::Note("Warning", "warning"),
        "todo" => Kind::Note("To do", "info"),
        "example" | "examples" => Kind::Example,
        "see also" => Kind::Titled("See also"),
        "references" => Kind::Titled("References"),
        "methods" => Kind::Titled("Methods"),
        _ => return None,
    })
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// Where a section starts at `i`: its kind, and the line its body starts on.
fn header(lines: &[&str], i: usize) -> Option<(Kind, usize)> {
    let line = lines[i];
    let t = line.trim();
    // NumPy: a name over a dashed line of about its length.
    if let Some(next) = lines.get(i + 1) {
        let n = next.trim();
        if n.len() >= 3 && n.chars().all(|c| c == '-') && indent_of(next) == indent_of(line) {
            return section(t).map(|k| (k, i + 2));
        }
    }
    // Google: `Args:` alone on its line, with an indented body below.
    let name = t.strip_suffix(':')?;
    let kind = section(name)?;
    let body = lines[i + 1..]
        .iter()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| indent_of(l) > indent_of(line));
    body.then_some((kind, i + 1))
}

/// A section's lines: up to the next section header at its indentation or less, or (for
/// Google) the first line not indented more than the header.
fn section_end(lines: &[&str], from: usize, base: usize, numpy: bool) -> usize {
    let mut i = from;
    let mut end = from;
    while i < lines.len() {
        let l = lines[i];
        if l.trim().is_empty() {
            i += 1;
            continue;
        }
        if indent_of(l) <= base && (!numpy || header(lines, i).is_some()) {
            break;
        }
        i += 1;
        end = i;
    }
    end
}

/// `name (type): text` (Google) or `name : type` then indented text (NumPy) entries.
fn entries(body: &[&str], numpy: bool, kind: Kind) -> Vec<Field> {
    let text = dedent(body);
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<Field> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < lines.len() && (lines[end].trim().is_empty() || indent_of(lines[end]) > 0) {
            end += 1;
        }
        let more = dedent(&lines[i + 1..end]);
        let (head, first) = if numpy {
            (line.trim(), "")
        } else {
            split_google(line.trim(), kind)
        };
        let mut field = match (kind, numpy) {
            (Kind::Returns(_), false) => Field {
                ty: head.to_string(),
                ..Field::default()
            },
            (Kind::Raises(_), _) => Field {
                name: head.to_string(),
                ..Field::default()
            },
            (_, true) => match head.split_once(" :").or_else(|| head.split_once(':')) {
                Some((n, t)) => Field {
                    name: n.trim().to_string(),
                    ty: t.trim().to_string(),
                    ..Field::default()
                },
                None if matches!(kind, Kind::Returns(_)) => Field {
                    ty: head.to_string(),
                    ..Field::default()
                },
                None => Field {
                    name: head.to_string(),
                    ..Field::default()
                },
            },
            (_, false) => match head.split_once(" (") {
                Some((n, t)) => Field {
                    name: n.trim().to_string(),
                    ty: t.trim_end_matches(')').trim().to_string(),
                    ..Field::default()
                },
                None => Field {
                    name: head.to_string(),
                    ..Field::default()
                },
            },
        };
        field.text = inline([first, more.as_str()].join("\n").trim());
        out.push(field);
        i = end;
    }
    // A Google `Returns:` of plain text is one row of text.
    if let (Kind::Returns(_), false) = (kind, numpy) {
        if out.len() > 1 || out.first().is_some_and(|f| f.ty.contains(' ')) {
            return vec![Field {
                text: inline(text.trim()),
                ..Field::default()
            }];
        }
    }
    out
}

/// `name (type): text` -> (`name (type)`, `text`); a line with no such colon is all text.
fn split_google(line: &str, kind: Kind) -> (&str, &str) {
    // The first `: ` outside parentheses and backticks ends the head.
    let mut depth = 0i32;
    let mut code = false;
    for (i, c) in line.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            '`' => code = !code,
            ':' if depth == 0
                && !code
                && (line[i + 1..].starts_with(' ') || i + 1 == line.len()) =>
            {
                return (line[..i].trim(), line[i + 1..].trim());
            }
            _ => {}
        }
    }
    match kind {
        Kind::Returns(_) => ("", line),
        _ => (line, ""),
    }
}

/// A Python docstring as blocks.
pub fn blocks(doc: &str) -> Vec<Block> {
    let lines: Vec<&str> = doc.lines().collect();
    let mut out = Vec::new();
    let mut text_from = 0;
    let mut i = 0;
    while i < lines.len() {
        let Some((kind, body_start)) = header(&lines, i) else {
            i += 1;
            continue;
        };
        out.extend(rest::blocks(&lines[text_from..i].join("\n")));
        let numpy = body_start == i + 2;
        let base = indent_of(lines[i]);
        let end = section_end(&lines, body_start, base, numpy);
        let body = &lines[body_start..end];
        match kind {
            Kind::Params(title) | Kind::Returns(title) | Kind::Raises(title) => {
                let rows = entries(body, numpy, kind);
                if !rows.is_empty() {
                    out.push(Block::Fields {
                        title: title.to_string(),
                        rows,
                    });
                }
            }
            Kind::Note(label, class) => out.push(Block::Note {
                label: label.to_string(),
                class,
                body: markdown(&dedent(body)),
            }),
            Kind::Example => {
                let text = dedent(body);
                let md = if text.trim_start().starts_with(">>>") {
                    fenced("python", &text)
                } else {
                    markdown(&text)
                };
                out.push(Block::Markdown(format!("\n**Examples**\n\n{md}")));
            }
            Kind::Titled(title) => out.push(Block::Markdown(format!(
                "\n**{title}**\n\n{}",
                markdown(&dedent(body))
            ))),
        }
        i = end.max(i + 1);
        text_from = i;
    }
    out.extend(rest::blocks(
        &lines[text_from.min(lines.len())..].join("\n"),
    ));
    out
}

/// reST text as markdown only (a section's body).
fn markdown(text: &str) -> String {
    rest::blocks(text)
        .into_iter()
        .filter_map(|b| match b {
            Block::Markdown(m) => Some(m),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_sections() {
        let doc = "Fetch rows.\n\nArgs:\n    table (Table): The table\n        to read.\n    keys: Keys to fetch.\n\n\
                   Returns:\n    dict: A mapping of keys to rows.\n\nRaises:\n    IOError: An error occurred.\n\n\
                   Note:\n    Slow on big tables.\n\nExamples:\n    >>> fetch(t, [1])\n    {1: 'a'}\n";
        let b = blocks(doc);
        assert_eq!(b[0], Block::Markdown("Fetch rows.\n".into()));
        let Block::Fields { title, rows } = &b[1] else {
            panic!("{b:?}")
        };
        assert_eq!(title, "Parameters");
        assert_eq!(
            (rows[0].name.as_str(), rows[0].ty.as_str()),
            ("table", "Table")
        );
        assert_eq!(rows[0].text, "The table\nto read.");
        assert_eq!(
            (rows[1].name.as_str(), rows[1].text.as_str()),
            ("keys", "Keys to fetch.")
        );
        let Block::Fields { title, rows } = &b[2] else {
            panic!("{b:?}")
        };
        assert_eq!((title.as_str(), rows[0].ty.as_str()), ("Returns", "dict"));
        assert!(matches!(&b[3], Block::Fields { rows, .. } if rows[0].name == "IOError"));
        assert!(
            matches!(&b[4], Block::Note { label, body, .. } if label == "Note" && body.contains("Slow on big tables."))
        );
        assert!(
            matches!(&b[5], Block::Markdown(m) if m.contains("```python\n>>> fetch(t, [1])\n{1: 'a'}\n```"))
        );
    }

    #[test]
    fn numpy_sections() {
        let doc = "Compute.\n\nParameters\n----------\nx : array_like\n    Input data.\naxis : int, optional\n    The axis.\n\n\
                   Returns\n-------\nndarray\n    The result.\n\nSee Also\n--------\nother : Does more.\n";
        let b = blocks(doc);
        let Block::Fields { rows, .. } = &b[1] else {
            panic!("{b:?}")
        };
        assert_eq!(
            (rows[1].name.as_str(), rows[1].ty.as_str()),
            ("axis", "int, optional")
        );
        assert_eq!(rows[1].text, "The axis.");
        let Block::Fields { title, rows } = &b[2] else {
            panic!("{b:?}")
        };
        assert_eq!(
            (title.as_str(), rows[0].ty.as_str(), rows[0].text.as_str()),
            ("Returns", "ndarray", "The result.")
        );
        assert!(matches!(&b[3], Block::Markdown(m) if m.contains("**See also**")));
    }

    #[test]
    fn prose_that_only_mentions_a_section_word_is_prose() {
        let doc = "Returns:\nthe value, not indented.\n";
        assert!(blocks(doc).iter().all(|b| matches!(b, Block::Markdown(_))));
    }
}
