//! PHPDoc: `@param Type $name text`, `@return Type text`, `@throws Type text`, `@var Type` are
//! JSDoc's tags with the type in braces and the `$` off the name; `{@see X}` and `@see X` link.

use std::sync::LazyLock;

use regex::Regex;

static PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^@param\s+(?:([^\s$]+)\s+)?(?:\.\.\.)?\$(\w+)").expect("a valid pattern")
});
static TYPED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^@(return|returns|throws|throw|var)\s+([^\s]+)").expect("a valid pattern")
});

pub fn to_jsdoc(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    for line in doc.lines() {
        let t = line.trim_start();
        let converted = if let Some(c) = PARAM.captures(t) {
            let rest = &t[c.get(0).map_or(0, |m| m.end())..];
            match c.get(1) {
                Some(ty) => format!("@param {{{}}} {}{rest}", ty.as_str(), &c[2]),
                None => format!("@param {}{rest}", &c[2]),
            }
        } else if let Some(c) = TYPED.captures(t) {
            let rest = &t[c.get(0).map_or(0, |m| m.end())..];
            let tag = match &c[1] {
                "throws" | "throw" => "throws",
                "var" => "type",
                _ => "returns",
            };
            format!("@{tag} {{{}}}{rest}", &c[2])
        } else {
            line.replace("{@see ", "{@link ")
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
    fn phpdoc_tags_become_jsdoc() {
        let md = to_jsdoc("Keeps one, see {@see Store::get()}.\n@param string $key the key\n@param int ...$rest more\n@return static itself\n@throws \\InvalidArgumentException when empty");
        assert!(md.contains("{@link Store::get()}"), "{md}");
        assert!(md.contains("@param {string} key the key"), "{md}");
        assert!(md.contains("@param {int} rest more"), "{md}");
        assert!(md.contains("@returns {static} itself"), "{md}");
        assert!(
            md.contains("@throws {\\InvalidArgumentException} when empty"),
            "{md}"
        );
    }
}
