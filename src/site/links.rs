//! The whole-site link check: every `href` and `src` of every HTML page must name a file of the
//! site, and a fragment must name an element id of that file. External http(s) and mailto links
//! are not followed. Used by `repowiki links` and by the tests on every fixture site.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

/// One line per broken link: the page (relative to the site), the target and why.
pub fn broken_links(site: &Path) -> std::io::Result<Vec<String>> {
    let root = site.canonicalize()?;
    let mut pages = Vec::new();
    walk(&root, &mut pages)?;
    pages.retain(|p| p.extension().is_some_and(|e| e == "html"));
    pages.sort();
    let mut ids: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    let mut broken = Vec::new();
    for page in &pages {
        let html = fs::read_to_string(page)?;
        let shown = page
            .strip_prefix(&root)
            .unwrap_or(page)
            .display()
            .to_string();
        for target in attributes(&html) {
            if ["http://", "https://", "mailto:"]
                .iter()
                .any(|s| target.starts_with(s))
            {
                continue;
            }
            let (file, fragment) = target.split_once('#').unwrap_or((&target, ""));
            let resolved = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap_or(&root).join(unescape(file))
            };
            let canonical = match resolved.canonicalize() {
                Ok(c) if c.starts_with(&root) && c.is_file() => c,
                Ok(_) => {
                    broken.push(format!(
                        "{shown}: {target} (outside the site or not a file)"
                    ));
                    continue;
                }
                Err(_) => {
                    broken.push(format!("{shown}: {target} (no such file)"));
                    continue;
                }
            };
            if fragment.is_empty() {
                continue;
            }
            if !ids.contains_key(&canonical) {
                let text = fs::read_to_string(&canonical).unwrap_or_default();
                ids.insert(canonical.clone(), element_ids(&text));
            }
            if !ids[&canonical].contains(&unescape(fragment)) {
                broken.push(format!("{shown}: {target} (no such anchor)"));
            }
        }
    }
    Ok(broken)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), out)?;
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
    Ok(())
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// The tags of a page: text between `<` and `>` (escaped text is never a tag).
fn tags(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        let start = rest.find('<')?;
        let len = rest[start..].find('>')?;
        let tag = &rest[start + 1..start + len];
        rest = &rest[start + len + 1..];
        Some(tag)
    })
}

fn values<'a>(tag: &'a str, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let mut t = tag;
    std::iter::from_fn(move || {
        let i = t.find(key)?;
        t = &t[i + key.len()..];
        let end = t.find('"')?;
        let value = &t[..end];
        t = &t[end..];
        Some(value)
    })
}

/// The values of every `href="…"` and `src="…"` attribute of every tag.
fn attributes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in tags(html) {
        for key in [" href=\"", " src=\""] {
            out.extend(values(tag, key).map(str::to_string));
        }
    }
    out
}

fn element_ids(html: &str) -> HashSet<String> {
    tags(html)
        .flat_map(|tag| values(tag, " id=\"").map(unescape).collect::<Vec<_>>())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_missing_files_and_anchors_and_ignores_escaped_text() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path();
        fs::create_dir(site.join("a")).unwrap();
        fs::write(
            site.join("index.html"),
            "<a href=\"a/b.html#x\">ok</a> <a href=\"a/b.html#y\">no anchor</a> \
             <img src=\"gone.png\"> &lt;a href=\"nothing.html\"&gt; <a href=\"https://e.org\">e</a> \
             <a href=\"#top\">self</a><h1 id=\"top\">t</h1>",
        )
        .unwrap();
        fs::write(
            site.join("a/b.html"),
            "<h2 id=\"x\">x</h2><a href=\"../../x.html\">out</a>",
        )
        .unwrap();
        let broken = broken_links(site).unwrap();
        assert_eq!(broken.len(), 3, "{broken:?}");
        assert!(broken[0].starts_with("a/b.html: ../../x.html"));
        assert!(broken[1].contains("a/b.html#y (no such anchor)"));
        assert!(broken[2].contains("gone.png (no such file)"));
    }
}
