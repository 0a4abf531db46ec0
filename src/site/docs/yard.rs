//! YARD and RDoc, as Ruby documents itself: YARD's `@param name [Type] text` (or `@param
//! [Type] name text`), `@return [Type] text`, `@raise [Error] text`, `@example` are JSDoc's tags
//! with the type in braces; RDoc's `+code+` is code; `# :nodoc:` was handled by the parser.

use std::sync::LazyLock;

use regex::Regex;

static PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^@(param|option)\s+(?:\[([^\]]*)\]\s+(\S+)|(\S+)\s+\[([^\]]*)\]|(\S+))")
        .expect("a valid pattern")
});
static TYPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^@(return|raise|yieldreturn)\s+\[([^\]]*)\]").expect("a valid pattern")
});
static RDOC_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+([A-Za-z0-9_:.#?!]+)\+").expect("a valid pattern"));

pub fn to_jsdoc(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    for line in doc.lines() {
        let t = line.trim_start();
        let converted = if let Some(c) = PARAM.captures(t) {
            let (ty, name) = match (c.get(2), c.get(3), c.get(4), c.get(5), c.get(6)) {
                (Some(ty), Some(name), ..) => (ty.as_str(), name.as_str()),
                (_, _, Some(name), Some(ty), _) => (ty.as_str(), name.as_str()),
                (.., Some(name)) => ("", name.as_str()),
                _ => ("", ""),
            };
            let rest = &t[c.get(0).map_or(0, |m| m.end())..];
            match ty {
                "" => format!("@param {name}{rest}"),
                ty => format!("@param {{{ty}}} {name}{rest}"),
            }
        } else if let Some(c) = TYPED.captures(t) {
            let tag = match &c[1] {
                "raise" => "throws",
                _ => "returns",
            };
            let rest = &t[c.get(0).map_or(0, |m| m.end())..];
            format!("@{tag} {{{}}}{rest}", &c[2])
        } else {
            RDOC_CODE.replace_all(line, "`$1`").into_owned()
        };
        out.push_str(&converted);
        out.push('\n');
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yard_tags_and_rdoc_code() {
        let md = to_jsdoc("Keeps one, see +Store#get+.\n@param key [String] the key\n@param [Integer] ttl how long\n@return [Store] itself\n@raise [ArgumentError] when empty");
        assert!(md.starts_with("Keeps one, see `Store#get`."), "{md}");
        assert!(md.contains("@param {String} key the key"), "{md}");
        assert!(md.contains("@param {Integer} ttl how long"), "{md}");
        assert!(md.contains("@returns {Store} itself"), "{md}");
        assert!(md.contains("@throws {ArgumentError} when empty"), "{md}");
    }
}
