//! Javadoc: its block tags (`@param`, `@return`, `@throws`, `@see`, `@deprecated`, `@since`)
//! are JSDoc's, so the JSDoc dialect reads them; what is Java's own is made markdown first:
//! the HTML of the text (`<p>`, `<pre>`, `<code>`, lists, emphasis), `{@code x}`,
//! `{@literal x}`, `{@inheritDoc}`, and member links written `Type#member`.

use std::sync::LazyLock;

use regex::Regex;

static INLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{@(code|literal|value|inheritDoc|link|linkplain)(\s[^{}]*)?\}")
        .expect("a valid pattern")
});

static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)</?(p|br|code|tt|pre|ul|ol|li|b|strong|i|em|blockquote|h[1-6]|a|dl|dt|dd)(\s[^>]*)?/?>")
        .expect("a valid pattern")
});

pub fn to_jsdoc(doc: &str) -> String {
    let doc = INLINE.replace_all(doc, |c: &regex::Captures| {
        let raw = c.get(2).map_or("", |m| m.as_str());
        let body = raw.trim();
        match &c[1] {
            // A block of code (`<pre>{@code …}</pre>`) keeps its lines as they are.
            "code" if raw.contains('\n') => raw.trim_matches(|c| c == ' ').to_string(),
            "code" => format!("`{}`", body.replace('`', "")),
            "literal" => body.to_string(),
            "value" if body.is_empty() => String::new(),
            "value" => format!("`{}`", body.replace('#', ".").replace('`', "")),
            "inheritDoc" => String::new(),
            // `Type#member label` -> `{@link Type.member label}`.
            kind => {
                // `Type#member(A, B) label`: the target runs to its closing parenthesis.
                let split = match (body.find('('), body.find(char::is_whitespace)) {
                    (Some(open), Some(space)) if open < space => {
                        body[open..].find(')').map_or(body.len(), |c| open + c + 1)
                    }
                    (_, Some(space)) => space,
                    _ => body.len(),
                };
                let (target, label) = body.split_at(split);
                let target = target.trim_start_matches('#').replace('#', ".");
                let target = target.split('(').next().unwrap_or(&target).to_string();
                debug_assert!(kind.starts_with("link"));
                match label.trim() {
                    "" => format!("{{@link {target}}}"),
                    l => format!("{{@link {target} {l}}}"),
                }
            }
        }
    });
    let mut out = String::with_capacity(doc.len());
    let mut in_pre = false;
    let mut last = 0;
    for m in TAG.find_iter(&doc) {
        let before = &doc[last..m.start()];
        out.push_str(before);
        last = m.end();
        let tag = m.as_str().to_ascii_lowercase();
        let closing = tag.starts_with("</");
        let name: String = tag
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let piece = match (name.as_str(), closing) {
            ("pre", false) => {
                in_pre = true;
                "\n```java\n"
            }
            ("pre", true) => {
                in_pre = false;
                "\n```\n"
            }
            _ if in_pre => "",
            ("p" | "br" | "ul" | "ol" | "dl" | "blockquote", false) => "\n\n",
            ("p" | "ul" | "ol" | "dl" | "blockquote" | "li" | "dd" | "dt", true) => "\n",
            ("li" | "dd" | "dt", false) => "\n- ",
            ("code" | "tt", _) => "`",
            ("b" | "strong", _) => "**",
            ("i" | "em", _) => "*",
            (h, false) if h.starts_with('h') => "\n\n#### ",
            (h, true) if h.starts_with('h') => "\n\n",
            _ => "",
        };
        out.push_str(piece);
    }
    out.push_str(&doc[last..]);
    // A `<pre>` block's lines lose the indentation the comment gave them.
    let mut fixed = String::with_capacity(out.len());
    let mut in_code = false;
    for line in out.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            fixed.push_str(line.trim_start());
        } else if in_code {
            fixed.push_str(
                &line
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&"),
            );
        } else {
            fixed.push_str(line.trim_start());
        }
        fixed.push('\n');
    }
    fixed.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_inline_tags_become_markdown() {
        let doc = "Keeps <b>items</b>; see {@link Store#add(Object) add}, {@link #get(String, int)} and {@code List<T>}.\n<p>\nUse it so:\n<pre>{@code\n  Store s = new Store();\n}</pre>\n<ul><li>fast</li><li>small</li></ul>\n@param item the item\n@return {@code true} when added";
        let md = to_jsdoc(doc);
        assert!(md.contains("Keeps **items**"), "{md}");
        assert!(md.contains("{@link Store.add add}"), "{md}");
        assert!(md.contains("{@link get}"), "{md}");
        assert!(md.contains("`List<T>`"), "{md}");
        assert!(md.contains("```java"), "{md}");
        assert!(md.contains("  Store s = new Store();"), "{md}");
        assert!(md.contains("- fast"), "{md}");
        assert!(md.contains("@param item the item"), "{md}");
        let blocks = super::super::jsdoc::blocks(&md);
        assert!(blocks.iter().any(
            |b| matches!(b, super::super::Block::Fields { title, .. } if title == "Parameters")
        ));
    }
}
