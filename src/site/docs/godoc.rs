//! Go doc comments (go.dev/doc/comment): paragraphs, `# Headings`, indented code blocks and
//! lists, and doc links (`[Name]`, `[Type.Method]`, `[pkg.Name]`). Their text is not markdown:
//! what markdown would read as markup is escaped, so a `*` or `_` in prose stays one.

use super::symbol_link;

pub fn markdown(doc: &str) -> String {
    let lines: Vec<&str> = doc.lines().collect();
    let mut out = String::with_capacity(doc.len() + 32);
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() {
            out.push('\n');
            i += 1;
            continue;
        }
        if is_indented(line) {
            // An indented span: a list when it starts with a list marker, else code.
            let start = i;
            while i < lines.len() && (is_indented(lines[i]) || lines[i].trim().is_empty()) {
                i += 1;
            }
            let mut span = &lines[start..i];
            while span.last().is_some_and(|l| l.trim().is_empty()) {
                span = &span[..span.len() - 1];
            }
            if list_item(span[0].trim_start()).is_some() {
                for l in span.iter().filter(|l| !l.trim().is_empty()) {
                    let t = l.trim_start();
                    match list_item(t) {
                        Some((marker, rest)) => {
                            out.push_str(&format!("{marker} {}\n", text(rest)));
                        }
                        None => out.push_str(&format!("  {}\n", text(t))),
                    }
                }
            } else {
                let indent = span
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| l.len() - l.trim_start().len())
                    .min()
                    .unwrap_or(0);
                let fence = if span.iter().any(|l| l.contains("```")) {
                    "~~~~"
                } else {
                    "```"
                };
                out.push_str(&format!("\n{fence}go\n"));
                for l in span {
                    out.push_str(l.get(indent..).unwrap_or("").trim_end());
                    out.push('\n');
                }
                out.push_str(&format!("{fence}\n\n"));
            }
            continue;
        }
        // `# Heading`: a line of its own, a blank line on each side.
        let alone = (i == 0 || lines[i - 1].trim().is_empty())
            && lines.get(i + 1).is_none_or(|n| n.trim().is_empty());
        if let Some(h) = line.strip_prefix("# ").filter(|_| alone) {
            out.push_str(&format!("#### {}\n", text(h.trim())));
        } else {
            out.push_str(&text(line));
            out.push('\n');
        }
        i += 1;
    }
    out.trim().to_string()
}

fn is_indented(line: &str) -> bool {
    line.starts_with([' ', '\t']) && !line.trim().is_empty()
}

/// `- x`, `* x`, `+ x`, `• x` (shown as bullets) and `1. x`, `2) x` (numbered).
fn list_item(t: &str) -> Option<(String, &str)> {
    for bullet in ["- ", "* ", "+ ", "• "] {
        if let Some(rest) = t.strip_prefix(bullet) {
            return Some(("-".into(), rest));
        }
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let (n, rest) = t.split_at(digits);
    let rest = rest
        .strip_prefix(". ")
        .or_else(|| rest.strip_prefix(") "))?;
    (digits > 0).then(|| (format!("{n}."), rest))
}

/// A line of prose: markdown's markup escaped, doc links made links.
fn text(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    if rest.starts_with(['#', '-', '+', '=', '>', '|', '*', '•']) {
        out.push('\\');
    } else if list_item(rest).is_some() {
        // `1. x` read as a numbered list: `1\. x`.
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        out.push_str(&rest[..digits]);
        out.push('\\');
        rest = &rest[digits..];
    }
    while !rest.is_empty() {
        if let Some((name, after)) = doc_link(rest) {
            out.push_str(&symbol_link(name, name.trim_start_matches('*')));
            rest = after;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        if "\\`*_[]<>".contains(c) {
            out.push('\\');
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `[Name]`, `[*Name]`, `[pkg.Name.Method]` at the start of `s`, not followed by `(` (a
/// markdown link) or `: URL` (a link definition): the name and what follows.
fn doc_link(s: &str) -> Option<(&str, &str)> {
    let inner = s.strip_prefix('[')?;
    let end = inner.find(']')?;
    let name = &inner[..end];
    let after = &inner[end + 1..];
    let path = name.strip_prefix('*').unwrap_or(name);
    let ok = !path.is_empty()
        && path.split('.').all(|seg| {
            seg.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && seg.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
        && !after.starts_with('(')
        && (!after.starts_with(": ") || !after.contains("://"));
    ok.then_some((name, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_headings_code_lists_and_links() {
        let doc = "Package store keeps *things* and_more.\n\n# Usage\n\nCall [New] then [Store.Put]:\n\n\ts := store.New()\n\ts.Put(\"x\")\n\nOptions:\n  - fast\n  - small\n\nSee [the spec](https://x) and [1].";
        let md = markdown(doc);
        assert!(
            md.contains("Package store keeps \\*things\\* and\\_more."),
            "{md}"
        );
        assert!(md.contains("#### Usage"), "{md}");
        assert!(md.contains("[`New`](repowiki-symbol:New)"), "{md}");
        assert!(
            md.contains("[`Store.Put`](repowiki-symbol:Store.Put)"),
            "{md}"
        );
        assert!(
            md.contains("```go\ns := store.New()\ns.Put(\"x\")\n```"),
            "{md}"
        );
        assert!(md.contains("- fast\n- small"), "{md}");
        // Not doc links: a markdown-looking link, a number.
        assert!(md.contains("\\[the spec\\](https://x)"), "{md}");
        assert!(md.contains("\\[1\\]"), "{md}");
    }

    #[test]
    fn markup_in_prose_stays_text() {
        let md = markdown("<script>alert(1)</script>\n- not a list\n1. not a list either");
        assert!(!md.contains("<script>"), "{md}");
        assert!(md.contains("\\- not a list"), "{md}");
        assert!(md.contains("1\\. not"), "{md}");
    }
}
