//! rustdoc: markdown whose examples hide their `# ` lines, and intra-doc links in every form
//! (`[Foo]`, `` [`Foo`] ``, `[Foo::bar]`, `[text](Foo)`, `struct@Foo`, `crate::x`, `foo()`,
//! `m!`, `struct.Foo.html`, `#method.x`, `crate#heading`).

use super::{DocSite, Located};

/// The doc as it reads: in Rust examples, lines starting `# ` are setup rustdoc hides.
pub fn markdown(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    // The open fence (its character and length) and whether its block is Rust.
    let mut fence: Option<(char, usize, bool)> = None;
    for line in doc.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        match (fence, marker) {
            (None, Some(c)) => {
                let n = trimmed.chars().take_while(|x| *x == c).count();
                if n >= 3 {
                    let info = trimmed[n..].trim();
                    fence = Some((c, n, is_rust(info)));
                }
                out.push_str(line);
            }
            (Some((c, n, _)), Some(m))
                if m == c
                    && trimmed.chars().take_while(|x| *x == c).count() >= n
                    && trimmed.trim_start_matches(c).trim().is_empty() =>
            {
                fence = None;
                out.push_str(line);
            }
            (Some((_, _, true)), _) => {
                let body = trimmed.trim_end_matches(['\n', '\r']);
                if body == "#" || body.starts_with("# ") {
                    continue;
                }
                if let Some(rest) = trimmed.strip_prefix("##") {
                    let indent = &line[..line.len() - trimmed.len()];
                    out.push_str(indent);
                    out.push('#');
                    out.push_str(rest);
                } else {
                    out.push_str(line);
                }
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// rustdoc takes a code block as Rust unless its info names another language.
fn is_rust(info: &str) -> bool {
    info.split([',', ' ']).filter(|t| !t.is_empty()).all(|t| {
        t == "rust"
            || t.starts_with("edition")
            || [
                "no_run",
                "ignore",
                "should_panic",
                "compile_fail",
                "test_harness",
                "allow_fail",
            ]
            .contains(&t)
            || t.starts_with("ignore-")
            || t.starts_with('{')
    })
}

/// What rustdoc prefixes a name with to say its kind (`struct@Foo`).
const DISAMBIGUATORS: &[&str] = &[
    "struct",
    "enum",
    "trait",
    "union",
    "module",
    "mod",
    "const",
    "constant",
    "fn",
    "function",
    "method",
    "derive",
    "type",
    "value",
    "tyalias",
    "static",
    "macro",
    "prim",
    "primitive",
    "field",
    "variant",
    "attr",
];

/// Where an intra-doc link target goes; `None` when it is not one or names nothing here.
pub fn resolve(site: &DocSite, target: &str) -> Option<String> {
    let target = target.trim_matches('`').trim();
    if target.starts_with('#') || target.contains(".html") {
        return html_link(site, target);
    }
    let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
    let path = match path.split_once('@') {
        Some((kind, rest)) if DISAMBIGUATORS.contains(&kind) => rest,
        _ => path,
    };
    let path = path.trim_end_matches("()").trim_end_matches('!');
    let is_path = !path.is_empty()
        && path.split("::").all(|s| {
            !s.is_empty()
                && s.chars().all(|c| c.is_alphanumeric() || c == '_')
                && !s.starts_with(|c: char| c.is_ascii_digit())
        });
    if !is_path {
        return None;
    }
    let segments: Vec<&str> = path.split("::").collect();
    at(site, &segments, fragment)
}

/// A path of names and an optional fragment: a heading of a module's page, or a member.
fn at(site: &DocSite, segments: &[&str], fragment: &str) -> Option<String> {
    if let Some(member) = member_of(fragment) {
        let mut with_member = segments.to_vec();
        with_member.push(member);
        if let Some(href) = site.symbol_path(&with_member) {
            return Some(href);
        }
    }
    match site.locate(segments)? {
        Located::Page(file) => {
            let fragment = if member_of(fragment).is_some() {
                ""
            } else {
                fragment
            };
            site.with_fragment(file, fragment)
        }
        Located::Symbol(href) => Some(format!("{}{href}", site.root)),
    }
}

/// `method.len` -> `len` (rustdoc's anchors of a type's members).
fn member_of(fragment: &str) -> Option<&str> {
    let (kind, name) = fragment.split_once('.')?;
    [
        "method",
        "tymethod",
        "variant",
        "structfield",
        "associatedtype",
        "associatedconstant",
        "field",
    ]
    .contains(&kind)
    .then_some(name)
    .filter(|n| !n.is_empty())
}

/// A link to a rustdoc page: `struct.Foo.html#method.bar`, `../tokio/runtime/index.html`,
/// `#method.x` (a member of the documented type).
fn html_link(site: &DocSite, target: &str) -> Option<String> {
    let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
    if file.is_empty() {
        if let Some(member) = member_of(fragment) {
            let own = site.own_type()?;
            let mut segments: Vec<&str> = own.split("::").collect();
            segments.push(member);
            return site.symbol_path(&segments);
        }
        return site.with_fragment(site.path, fragment);
    }
    let mut parts: Vec<&str> = file
        .split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .collect();
    let last = parts.pop()?;
    let stem = last.strip_suffix(".html")?;
    let segments: Vec<&str> = if stem == "index" {
        if parts.is_empty() {
            vec!["self"]
        } else {
            parts
        }
    } else {
        let (_, name) = stem.split_once('.')?;
        parts.push(name);
        parts
    };
    // Crate names in rustdoc URLs are the crate's folder names with `_`; a module path is
    // matched by its last names.
    let tail: Vec<&str> = segments.iter().rev().take(2).rev().copied().collect();
    at(site, &tail, fragment).or_else(|| at(site, &segments[segments.len() - 1..], fragment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_setup_lines_of_rust_examples_only() {
        let doc = "Text\n\n```\n# use foo::Bar;\nlet x = Bar;\n## not hidden\n#[derive(Debug)]\n#\n```\n\n```text\n# shown\n```\n";
        let md = markdown(doc);
        assert!(!md.contains("use foo::Bar"));
        assert!(md.contains("let x = Bar;\n# not hidden\n#[derive(Debug)]\n```"));
        assert!(md.contains("# shown"));
        assert!(is_rust("rust,no_run") && is_rust("") && !is_rust("text") && !is_rust("toml"));
    }

    #[test]
    fn members_of_rustdoc_anchors() {
        assert_eq!(member_of("method.hidden"), Some("hidden"));
        assert_eq!(member_of("unstable-features"), None);
    }
}
