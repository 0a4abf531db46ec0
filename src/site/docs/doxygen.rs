//! Doxygen, as C and C++ code writes it: commands start with `@` or `\` (`\param`, `\return`,
//! `\brief`, `\note`, `\code … \endcode`); the JSDoc dialect reads the `@` forms, so the
//! backslash forms are made those, `\brief` is dropped (its text is the description), code
//! blocks are fenced and `\p x`/`\c x`/`\a x` are code.

use std::sync::LazyLock;

use regex::Regex;

static COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|\s)[\\@](brief|short|details|param|tparam|returns?|retval|throws?|exception|see|sa|note|warning|deprecated|since|author|version|code|endcode|p|c|a|e|em|b|ref)\b")
        .expect("a valid pattern")
});

static DIRECTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([\\@])param\[[a-z, ]+\]").expect("a valid pattern"));

pub fn to_jsdoc(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    let mut in_code = false;
    for line in doc.lines() {
        let t = line.trim_start();
        if t.starts_with("\\code") || t.starts_with("@code") {
            in_code = true;
            out.push_str("```c\n");
            continue;
        }
        if in_code {
            if t.starts_with("\\endcode") || t.starts_with("@endcode") {
                in_code = false;
                out.push_str("```\n");
            } else {
                out.push_str(line);
                out.push('\n');
            }
            continue;
        }
        // `\param[in]`: the direction says nothing a reader needs here.
        let line = DIRECTION.replace_all(line, "${1}param");
        let converted = COMMAND.replace_all(&line, |c: &regex::Captures| {
            let lead = &c[1];
            let cmd = &c[2];
            let cmd = cmd.split('[').next().unwrap_or(cmd);
            match cmd {
                "brief" | "short" | "details" => lead.to_string(),
                "p" | "c" | "a" | "e" | "em" | "b" | "ref" => format!("{lead}\u{1}"),
                "sa" => format!("{lead}@see"),
                "retval" => format!("{lead}@returns"),
                "warning" => format!("{lead}@note"),
                other => format!("{lead}@{other}"),
            }
        });
        // `\p name`: the next word as code.
        let mut line = String::with_capacity(converted.len());
        let mut rest = converted.as_ref();
        while let Some(at) = rest.find('\u{1}') {
            line.push_str(&rest[..at]);
            let after = rest[at + 1..].trim_start();
            let end = after
                .find(|c: char| c.is_whitespace() || ",.;:)".contains(c))
                .unwrap_or(after.len());
            line.push_str(&format!("`{}`", after[..end].replace('`', "")));
            rest = &after[end..];
        }
        line.push_str(rest);
        out.push_str(&line);
        out.push('\n');
    }
    if in_code {
        out.push_str("```\n");
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backslash_commands_become_jsdoc_tags() {
        let md = to_jsdoc("\\brief Opens a store.\n\nUses \\p path as is.\n\\code\nstore_open(\"x\");\n\\endcode\n\\param[in] path where it lives\n\\return the store");
        assert!(md.starts_with("Opens a store."), "{md}");
        assert!(md.contains("Uses `path` as is."), "{md}");
        assert!(md.contains("```c\nstore_open(\"x\");\n```"), "{md}");
        assert!(md.contains("@param path where it lives"), "{md}");
        assert!(md.contains("@return the store"), "{md}");
    }
}
