//! C#'s XML doc comments: `<summary>` is the description, `<param name>`, `<typeparam>`,
//! `<returns>`, `<exception cref>` and `<remarks>` become JSDoc's tags (which the JSDoc dialect
//! draws as tables and notes), `<see cref>` a link to the symbol, `<c>` and `<code>` code,
//! `<para>` a paragraph, `<paramref>` the parameter's name as code.

use std::sync::LazyLock;

use regex::Regex;

static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)<(/?)([a-zA-Z]+)((?:\s+[a-zA-Z]+\s*=\s*"[^"]*")*)\s*(/?)>"#)
        .expect("a valid pattern")
});

static ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"([a-zA-Z]+)\s*=\s*"([^"]*)""#).expect("a valid pattern"));

/// `T:Acme.Store` (a documentation id) -> `Acme.Store`; `M:A.B(System.Int32)` -> `A.B`.
fn cref(s: &str) -> String {
    let s = s
        .split_once(':')
        .map_or(s, |(k, r)| if k.len() == 1 { r } else { s });
    let s = s.split('(').next().unwrap_or(s);
    s.replace('{', "<").replace('}', ">")
}

pub fn to_jsdoc(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    let mut last = 0;
    for m in TAG.captures_iter(doc) {
        let whole = m.get(0).expect("a match");
        out.push_str(&doc[last..whole.start()]);
        last = whole.end();
        let closing = !m[1].is_empty();
        let name = m[2].to_ascii_lowercase();
        let attrs: Vec<(String, String)> = ATTR
            .captures_iter(&m[3])
            .map(|a| (a[1].to_ascii_lowercase(), a[2].to_string()))
            .collect();
        let attr = |k: &str| {
            attrs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let piece = match (name.as_str(), closing) {
            ("summary", _) => "\n".to_string(),
            ("remarks", false) => "\n\n".to_string(),
            ("remarks", true) => "\n".to_string(),
            ("para", false) => "\n\n".to_string(),
            ("para", true) => "\n".to_string(),
            ("param", false) => format!("\n@param {} ", attr("name")),
            ("typeparam", false) => format!("\n@template {} ", attr("name")),
            ("returns" | "value", false) => "\n@returns ".to_string(),
            ("exception", false) => format!("\n@throws {{{}}} ", cref(&attr("cref"))),
            ("example", false) => "\n@example\n".to_string(),
            ("see" | "seealso", _) if !attr("cref").is_empty() => {
                format!("{{@link {}}}", cref(&attr("cref")))
            }
            ("see" | "seealso", _) if !attr("href").is_empty() => {
                format!("<{}>", attr("href"))
            }
            ("see", _) if !attr("langword").is_empty() => format!("`{}`", attr("langword")),
            ("paramref" | "typeparamref", _) => format!("`{}`", attr("name")),
            ("c", _) => "`".to_string(),
            ("code", false) => "\n```csharp\n".to_string(),
            ("code", true) => "\n```\n".to_string(),
            ("list", _) => "\n".to_string(),
            ("item", false) => "\n- ".to_string(),
            ("inheritdoc", _) => String::new(),
            ("b" | "strong", _) => "**".to_string(),
            ("i" | "em", _) => "*".to_string(),
            _ => String::new(),
        };
        out.push_str(&piece);
    }
    out.push_str(&doc[last..]);
    let mut fixed = String::with_capacity(out.len());
    let mut code = false;
    for line in out.lines() {
        let t = line.trim_start();
        if t.starts_with("```") {
            code = !code;
            fixed.push_str(t);
        } else if code {
            fixed.push_str(line);
        } else {
            fixed.push_str(t);
        }
        fixed.push('\n');
    }
    fixed
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_docs_become_jsdoc() {
        let doc = "<summary>Adds <c>item</c>; see <see cref=\"M:Acme.Store.Remove(System.Int32)\"/>.</summary>\n<param name=\"item\">The item, as <paramref name=\"item\"/>.</param>\n<returns>Whether it was added.</returns>\n<exception cref=\"T:System.ArgumentException\">When empty.</exception>";
        let md = to_jsdoc(doc);
        assert!(
            md.starts_with("Adds `item`; see {@link Acme.Store.Remove}."),
            "{md}"
        );
        assert!(md.contains("@param item The item, as `item`."), "{md}");
        assert!(md.contains("@returns Whether it was added."), "{md}");
        assert!(
            md.contains("@throws {System.ArgumentException} When empty."),
            "{md}"
        );
        let blocks = super::super::jsdoc::blocks(&md);
        assert!(blocks.iter().any(
            |b| matches!(b, super::super::Block::Fields { title, .. } if title == "Parameters")
        ));
    }
}
