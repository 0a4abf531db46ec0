//! Where each page lives in the site. Paths are ASCII, unique even on case-insensitive file
//! systems, and always inside the output folder, whatever the repository's file names are.

use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default)]
pub struct PageMap {
    files: BTreeMap<String, String>,
}

impl PageMap {
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> PageMap {
        let mut files = BTreeMap::new();
        let mut taken = BTreeSet::new();
        for path in paths {
            let clean: Vec<String> = path.split('/').map(clean_component).collect();
            let mut page = format!("files/{}.html", clean.join("/"));
            // Altered names and case-only clashes get a short hash of the real path.
            if clean.join("/") != path || taken.contains(&page.to_ascii_lowercase()) {
                let hash = blake3::hash(path.as_bytes()).to_hex();
                page = format!("files/{}-{}.html", clean.join("/"), &hash[..8]);
            }
            taken.insert(page.to_ascii_lowercase());
            files.insert(path.to_string(), page);
        }
        PageMap { files }
    }

    /// The page of a file of the snapshot, relative to the site root.
    pub fn file(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    pub fn part(slug: &str) -> String {
        format!("parts/{slug}.html")
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.files.iter()
    }
}

fn clean_component(c: &str) -> String {
    let mut out: String = c
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || matches!(ch, '.' | '-' | '_') {
                ch
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    if out.len() > 100 {
        out.truncate(100);
    }
    out
}

/// The `../` prefix that leads from a page back to the site root.
pub fn root_of(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

/// A fragment id for a symbol, unique within its page when `n` differs.
pub fn symbol_anchor(name: &str, n: usize) -> String {
    let base: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if n == 0 {
        format!("sym-{base}")
    } else {
        format!("sym-{base}-{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_names_get_safe_unique_pages() {
        let map = PageMap::new([
            "src/a.rs",
            "docs/My File.md",
            "src/A.rs",
            ".github/ci.yml",
            "ünï/cödé.py",
        ]);
        assert_eq!(map.file("src/a.rs"), Some("files/src/a.rs.html"));
        let odd = map.file("docs/My File.md").unwrap();
        assert!(odd.starts_with("files/docs/My_File.md-") && odd.ends_with(".html"));
        assert_ne!(
            map.file("src/A.rs").unwrap().to_lowercase(),
            "files/src/a.rs.html"
        );
        assert!(map
            .file(".github/ci.yml")
            .unwrap()
            .starts_with("files/_github/"));
        assert!(map.file("ünï/cödé.py").unwrap().is_ascii());
    }

    #[test]
    fn root_prefix_matches_depth() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("files/src/a.rs.html"), "../../");
    }
}
