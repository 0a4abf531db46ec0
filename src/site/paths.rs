//! Where each page lives in the site. Paths are ASCII, unique even on case-insensitive file
//! systems, and always inside the output folder, whatever the repository's file names are.

use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default)]
pub struct PageMap {
    files: BTreeMap<String, String>,
}

/// The longest page path made (bytes, under the site folder): far below the system's 4,096,
/// with room for the output folder's own path. Longer ones go to `files/~long/`.
const MAX_PAGE_PATH: usize = 1024;

/// The longest name kept of one path component (a file system allows 255 bytes).
const MAX_COMPONENT: usize = 100;

impl PageMap {
    /// One page per path, and never one page for two paths (nor one for two paths whose pages
    /// differ only in case, nor a page where another page's folder is, in HTML or markdown):
    /// a name that had to be changed to be safe, or that clashes, gets `~` and a hash of the
    /// real path, and `~` is a character no unchanged name has.
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> PageMap {
        let mut files = BTreeMap::new();
        let mut taken = BTreeSet::new();
        for path in paths {
            let parts: Vec<&str> = path.split('/').collect();
            let mut altered = false;
            let clean: Vec<String> = parts
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let (clean, changed) = clean_component(c, i + 1 < parts.len());
                    altered |= changed;
                    clean
                })
                .collect();
            let base = clean.join("/");
            let hash = blake3::hash(path.as_bytes()).to_hex().to_string();
            let hashed = |n: usize| {
                let page = format!("files/{base}~{}.html", &hash[..n]);
                if page.len() > MAX_PAGE_PATH {
                    format!("files/~long/{}.html", &hash[..n.max(16)])
                } else {
                    page
                }
            };
            let mut page = format!("files/{base}.html");
            if altered || page.len() > MAX_PAGE_PATH || taken.contains(&page.to_ascii_lowercase()) {
                page = hashed(8);
            }
            let mut n = 8;
            while taken.contains(&page.to_ascii_lowercase()) && n < hash.len() {
                n += 4;
                page = hashed(n);
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

/// A path component in the characters a page name may have (ASCII letters, digits, `.-_`),
/// and whether that changed it. A folder whose name ends like a page (`.html`, `.md`) gets a
/// `~`, so that no page of a file is ever where a folder of pages is.
fn clean_component(c: &str, folder: bool) -> (String, bool) {
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
    if out.starts_with('.') || out.is_empty() {
        out.replace_range(0..out.len().min(1), "_");
    }
    if out.len() > MAX_COMPONENT {
        out.truncate(MAX_COMPONENT);
    }
    let changed = out != c;
    let lower = out.to_ascii_lowercase();
    if folder && (lower.ends_with(".html") || lower.ends_with(".md")) {
        out.push('~');
    }
    (out, changed)
}

/// The `../` prefix that leads from a page back to the site root.
pub fn root_of(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

/// A file page lists at most this many of its symbols (a file of 45,000 functions made a
/// 13 MB page); links to the others go to the page itself.
pub const MAX_SYMBOLS_LISTED: usize = 2_000;

/// Where a link to the `index`-th symbol of a file (the `n`-th of its name) goes.
pub fn symbol_target(page: &str, name: &str, n: usize, index: usize) -> String {
    if index < MAX_SYMBOLS_LISTED {
        format!("{page}#{}", symbol_anchor(name, n))
    } else {
        page.to_string()
    }
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
        assert!(odd.starts_with("files/docs/My_File.md~") && odd.ends_with(".html"));
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
    fn names_that_clashed_before_get_pages_of_their_own() {
        let map = PageMap::new([
            "a.rs",
            "a.rs.html/x.rs",
            "a~.rs",
            "a_.rs-710d6445",
            "x.rs",
            "x.rs.html",
            "bad\\xff.rs",
            "bad\\xfe.rs",
        ]);
        let pages: BTreeSet<&str> = map.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(pages.len(), 8, "{pages:?}");
        assert_eq!(map.file("a.rs"), Some("files/a.rs.html"));
        assert!(map
            .file("a.rs.html/x.rs")
            .unwrap()
            .starts_with("files/a.rs.html~/"));
        assert!(map.file("a~.rs").unwrap().starts_with("files/a_.rs~"));
        let deep = "d/".repeat(700) + "f.rs";
        let page = PageMap::new([deep.as_str()])
            .file(&deep)
            .unwrap()
            .to_string();
        assert!(
            page.starts_with("files/~long/") && page.len() < 100,
            "{page}"
        );
    }

    /// Property: over random sets of paths (odd bytes, case twins, `.html` and `.md` suffixes,
    /// hash-like names, deep and long names), the mapping is one to one even ignoring case; no
    /// page, in HTML or as its markdown twin, is where another page's folder is; every page is
    /// ASCII, inside `files/`, with short components.
    #[test]
    fn fuzz_page_names_are_one_to_one() {
        let mut g = crate::fuzz::Gen::new("page names");
        let tokens = [
            "a",
            "A",
            ".",
            "~",
            "_",
            "-",
            " ",
            "ü",
            ".rs",
            ".html",
            ".md",
            ".HTML",
            "~0123abcd",
            "-710d6445",
            "\\",
            "x",
            "/",
        ];
        for _ in 0..crate::fuzz::cases() {
            let mut paths = BTreeSet::new();
            for _ in 0..g.below(30) + 1 {
                let mut bytes = g.text(&tokens, 6).into_bytes();
                if g.below(4) == 0 {
                    bytes.push(0x80 + g.below(0x7f) as u8);
                }
                if g.below(20) == 0 {
                    bytes.extend(std::iter::repeat_n(b'y', 300));
                }
                let text = crate::snapshot::path_text(&bytes);
                let parts: Vec<&str> = text.split('/').filter(|p| !p.is_empty()).collect();
                if !parts.is_empty() {
                    paths.insert(parts.join("/"));
                }
            }
            let map = PageMap::new(paths.iter().map(String::as_str));
            let pages: Vec<String> = paths
                .iter()
                .map(|p| map.file(p).unwrap().to_ascii_lowercase())
                .collect();
            let unique: BTreeSet<&String> = pages.iter().collect();
            assert_eq!(unique.len(), pages.len(), "{paths:?} -> {pages:?}");
            let md: Vec<String> = pages
                .iter()
                .map(|p| format!("{}.md", p.strip_suffix(".html").unwrap()))
                .collect();
            for forms in [&pages, &md] {
                let folders: BTreeSet<&str> = forms
                    .iter()
                    .flat_map(|p| p.match_indices('/').map(move |(i, _)| &p[..i]))
                    .collect();
                for p in forms {
                    assert!(
                        !folders.contains(p.as_str()),
                        "{p} is a folder too: {paths:?}"
                    );
                }
            }
            for p in &pages {
                assert!(p.starts_with("files/") && p.is_ascii(), "{p}");
                assert!(
                    p.split('/')
                        .all(|c| !c.is_empty() && c != ".." && c.len() < 256),
                    "{p}"
                );
            }
        }
    }

    #[test]
    fn root_prefix_matches_depth() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("files/src/a.rs.html"), "../../");
    }
}
