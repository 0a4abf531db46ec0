//! Doc comments rendered in their own dialect: each dialect (one file here) turns a doc into
//! markdown and a few blocks the page draws itself (a parameter table, a note), and every link
//! in it is resolved against the site: a symbol's anchor, a file's page, a heading's id; what
//! names nothing on the site is plain text, never a broken link.

pub mod doxygen;
pub mod godoc;
pub mod javadoc;
pub mod jsdoc;
pub mod napoleon;
pub mod phpdoc;
pub mod rest;
pub mod rustdoc;
pub mod xmldoc;
pub mod yard;

use foldhash::{HashMap, HashMapExt, HashSet};
use std::sync::Mutex;

use crate::parse::ParsedFile;
use crate::snapshot::Language;

use super::diagram::xml;
use super::markdown::{self, DocLinks, Ids};
use super::paths::{symbol_target, MAX_SYMBOLS_LISTED};

/// How a file's docs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Markdown with intra-doc links and hidden `# ` lines in examples.
    Rustdoc,
    /// reST and Sphinx, with Google and NumPy sections.
    Python,
    /// JSDoc and TSDoc tags.
    JsDoc,
    /// Go doc comments: paragraphs, `# Headings`, indented code, `[Name]` links.
    GoDoc,
    /// Javadoc: HTML and `{@code}`/`{@link}` in the text, block tags as JSDoc's.
    Javadoc,
    /// Doxygen (C, C++): `@param` or `\param`, `@brief`, `@return`, read as JSDoc's tags.
    Doxygen,
    /// C#'s XML doc comments: `<summary>`, `<param>`, `<returns>`, `<see cref>`.
    XmlDoc,
    /// Ruby's YARD tags (`@param name [Type]`) and RDoc markup (`+code+`, `*bold*`).
    Yard,
    /// PHPDoc: `@param Type $name`, `@return Type`, `@throws Type`.
    PhpDoc,
    /// Plain markdown (the repository's own `.md` files).
    Markdown,
    /// A reST document (Sphinx docs' `.rst` files).
    Rest,
}

impl Dialect {
    pub fn of(language: Option<Language>) -> Dialect {
        match language {
            Some(Language::Rust) => Dialect::Rustdoc,
            Some(Language::Python) => Dialect::Python,
            Some(Language::TypeScript | Language::Tsx | Language::JavaScript) => Dialect::JsDoc,
            Some(Language::Go) => Dialect::GoDoc,
            Some(Language::Java) => Dialect::Javadoc,
            Some(Language::C | Language::Cpp) => Dialect::Doxygen,
            Some(Language::CSharp) => Dialect::XmlDoc,
            Some(Language::Ruby) => Dialect::Yard,
            Some(Language::Php) => Dialect::PhpDoc,
            None => Dialect::Markdown,
        }
    }
}

/// A doc in the parts a page draws: markdown, tables of fields, styled notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Markdown(String),
    /// "Parameters", "Returns", "Raises": one row per field; a row's text is markdown.
    Fields {
        title: String,
        rows: Vec<Field>,
    },
    /// A note, a warning, "Changed in version 2.0": `class` is one of the theme's note kinds.
    Note {
        label: String,
        class: &'static str,
        body: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Field {
    pub name: String,
    pub ty: String,
    pub text: String,
}

/// Marks a link that a dialect made from a symbol path (`:meth:`Foo.bar``, `{@link Foo}`).
pub const SYMBOL: &str = "repowiki-symbol:";

/// A markdown link to the symbol at `path`, shown as `shown` in code.
pub fn symbol_link(shown: &str, path: &str) -> String {
    let shown = shown.replace('`', "");
    let path: String = path
        .chars()
        .filter(|c| !c.is_whitespace() && !"()<>[]`".contains(*c))
        .collect();
    if path.is_empty() {
        return format!("`{shown}`");
    }
    format!("[`{shown}`]({SYMBOL}{path})")
}

pub fn blocks(doc: &str, dialect: Dialect) -> Vec<Block> {
    match dialect {
        Dialect::Rustdoc => vec![Block::Markdown(rustdoc::markdown(doc))],
        Dialect::Python => napoleon::blocks(doc),
        Dialect::JsDoc => jsdoc::blocks(doc),
        Dialect::GoDoc => vec![Block::Markdown(godoc::markdown(doc))],
        Dialect::Javadoc => jsdoc::blocks(&javadoc::to_jsdoc(doc)),
        Dialect::Doxygen => jsdoc::blocks(&doxygen::to_jsdoc(doc)),
        Dialect::XmlDoc => jsdoc::blocks(&xmldoc::to_jsdoc(doc)),
        Dialect::Yard => jsdoc::blocks(&yard::to_jsdoc(doc)),
        Dialect::PhpDoc => jsdoc::blocks(&phpdoc::to_jsdoc(doc)),
        Dialect::Markdown => vec![Block::Markdown(
            markdown::without_front_matter(doc).to_string(),
        )],
        Dialect::Rest => rest::blocks(doc),
    }
}

/// A doc as plain markdown, for the markdown export: tables as lists, notes as quotes, links
/// to symbols as code (the export has no symbol anchors), rustdoc's intra-doc links as code.
pub fn to_markdown(doc: &str, dialect: Dialect) -> String {
    let mut out = String::new();
    for block in blocks(doc, dialect) {
        match block {
            Block::Markdown(md) => out.push_str(&md),
            Block::Fields { title, rows } => {
                out.push_str(&format!("\n**{title}**\n\n"));
                for row in rows {
                    let mut head = Vec::new();
                    if !row.name.is_empty() {
                        head.push(format!("`{}`", row.name.replace('`', "")));
                    }
                    if !row.ty.is_empty() {
                        head.push(format!("(`{}`)", row.ty.replace('`', "")));
                    }
                    let text = row.text.replace('\n', " ");
                    out.push_str(&match head.is_empty() {
                        true => format!("- {text}\n"),
                        false => format!("- {}: {text}\n", head.join(" ")),
                    });
                }
                out.push('\n');
            }
            Block::Note { label, body, .. } => {
                out.push_str(&format!("\n> **{label}**"));
                for line in body.lines() {
                    out.push_str("\n> ");
                    out.push_str(line);
                }
                out.push_str("\n\n");
            }
        }
    }
    // Links a dialect made to symbols: their words, as code.
    let out = out.replace(&format!("]({SYMBOL}"), "](#");
    let out = crate::narrate::quote_markdown(&out);
    out.trim().to_string()
}

/// Ids a file page uses itself, which doc headings must not take.
pub const PAGE_IDS: &[&str] = &[
    "symbols", "imports", "history", "source", "contents", "main", "top", "search", "menu",
    "document", "private",
];

/// One symbol a doc can link to.
struct Target<'a> {
    path: &'a str,
    /// Qualified within its file: `Type::method`, `Class.method`.
    name: &'a str,
    /// From the site root: `files/a.rs.html#sym-Foo`.
    href: String,
    public: bool,
    is_type: bool,
}

/// Everything a doc's links can point to, built once per site.
pub struct DocIndex<'a> {
    files: HashMap<&'a str, &'a ParsedFile>,
    pages: &'a super::paths::PageMap,
    by_name: HashMap<&'a str, Vec<Target<'a>>>,
    /// Module name -> files that are that module (`runtime` -> `tokio/src/runtime/mod.rs`).
    modules: HashMap<String, Vec<&'a str>>,
    /// Per page: its heading ids, made when a link first needs them.
    headings: Mutex<HashMap<String, HashSet<String>>>,
    /// Repository text files that are not parsed code (markdown docs), for their headings.
    texts: HashMap<&'a str, &'a str>,
}

impl<'a> DocIndex<'a> {
    pub fn new(analysis: &'a crate::Analysis) -> DocIndex<'a> {
        let mut by_name: HashMap<&str, Vec<Target>> = HashMap::new();
        let mut modules: HashMap<String, Vec<&str>> = HashMap::new();
        let mut files = HashMap::new();
        for f in &analysis.parsed.files {
            files.insert(f.path.as_str(), f);
            let Some(page) = analysis.pages.file(&f.path) else {
                continue;
            };
            if let Some(module) = module_name(&f.path) {
                modules.entry(module).or_default().push(&f.path);
            }
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for (i, s) in f.facts.symbols.iter().enumerate() {
                let n = seen.entry(s.name.as_str()).or_default();
                let href = symbol_target(page, &s.name, *n, i);
                *n += 1;
                by_name.entry(s.short_name()).or_default().push(Target {
                    path: &f.path,
                    name: &s.name,
                    href,
                    public: s.public,
                    is_type: s.kind.is_type(),
                });
            }
        }
        let texts = analysis
            .snapshot
            .files
            .iter()
            .filter(|s| document_dialect(&s.path).is_some())
            .map(|s| (s.path.as_str(), s.text.as_str()))
            .collect();
        DocIndex {
            files,
            pages: &analysis.pages,
            by_name,
            modules,
            headings: Mutex::new(HashMap::new()),
            texts,
        }
    }

    /// Whether a heading of `path`'s page gets the id `id` (ids are made once per page, in
    /// the order the page renders its docs, when a link first asks).
    pub fn has_heading(&self, path: &str, id: &str) -> bool {
        if let Some(found) = self
            .headings
            .lock()
            .ok()
            .and_then(|h| h.get(path).map(|ids| ids.contains(id)))
        {
            return found;
        }
        let mut ids = self.new_ids(path);
        for md in self.docs_of(path) {
            for words in markdown::heading_words(&md) {
                ids.next(&words);
            }
        }
        let made: HashSet<String> = ids.made.into_iter().collect();
        let found = made.contains(id);
        if let Ok(mut h) = self.headings.lock() {
            h.insert(path.to_string(), made);
        }
        found
    }

    /// The ids a page of `path` starts with: its sections and its symbols' anchors.
    pub fn new_ids(&self, path: &str) -> Ids {
        let mut own: Vec<String> = PAGE_IDS.iter().map(|s| s.to_string()).collect();
        if let Some(f) = self.files.get(path) {
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for s in f.facts.symbols.iter().take(MAX_SYMBOLS_LISTED) {
                let n = seen.entry(s.name.as_str()).or_default();
                own.push(super::paths::symbol_anchor(&s.name, *n));
                *n += 1;
            }
        }
        Ids::reserving(own.iter().map(String::as_str))
    }

    /// The markdown of every doc a page shows, in its order (module doc, then symbols').
    fn docs_of(&self, path: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let (Some(text), Some(dialect)) = (self.texts.get(path), document_dialect(path)) {
            for block in blocks(text, dialect) {
                out.extend(block.texts().into_iter().map(str::to_string));
            }
        } else if let Some(f) = self.files.get(path) {
            let dialect = Dialect::of(f.language);
            let docs = std::iter::once(f.facts.module_doc.as_str()).chain(
                f.facts
                    .symbols
                    .iter()
                    .take(MAX_SYMBOLS_LISTED)
                    .map(|s| s.doc.as_str()),
            );
            for doc in docs.filter(|d| !d.is_empty()) {
                for block in blocks(doc, dialect) {
                    out.extend(block.texts().into_iter().map(str::to_string));
                }
            }
        }
        out
    }

    /// A markdown document of the repository, if `path` is one.
    pub fn document(&self, path: &str) -> Option<&'a str> {
        self.texts.get(path).copied()
    }

    /// Where every link of the docs on `path`'s page goes: part of the page's key, since a
    /// link's target can change without the file changing.
    pub fn links_key(&self, path: &str, root: &str) -> String {
        if let (Some(text), Some(dialect)) = (self.texts.get(path), document_dialect(path)) {
            let site = DocSite {
                index: self,
                path,
                symbol: None,
                root,
                dialect,
            };
            let mut out = String::new();
            for block in blocks(text, dialect) {
                for md in block.texts() {
                    for target in markdown::link_targets(md, false) {
                        out.push_str(&site.resolve(&target).unwrap_or_default());
                        out.push('\n');
                    }
                }
            }
            return out;
        }
        let Some(f) = self.files.get(path) else {
            return String::new();
        };
        let dialect = Dialect::of(f.language);
        let mut out = String::new();
        let docs = std::iter::once((None, f.facts.module_doc.as_str())).chain(
            f.facts
                .symbols
                .iter()
                .take(MAX_SYMBOLS_LISTED)
                .map(|s| (Some(s.name.as_str()), s.doc.as_str())),
        );
        for (symbol, doc) in docs {
            if doc.is_empty() {
                continue;
            }
            let site = DocSite {
                index: self,
                path,
                symbol,
                root,
                dialect,
            };
            for md in blocks(doc, dialect).iter().flat_map(Block::texts) {
                for target in markdown::link_targets(md, dialect == Dialect::Rustdoc) {
                    out.push_str(&site.resolve(&target).unwrap_or_default());
                    out.push('\n');
                }
            }
        }
        out
    }

    /// The page of a repository path, if the site has one.
    fn page(&self, path: &str) -> Option<&str> {
        self.pages.file(path)
    }

    /// The best symbol for a path of names (`["Foo", "bar"]`), seen from the file `from`.
    fn symbol(&self, segments: &[&str], from: &str) -> Option<&Target<'a>> {
        let (&name, qualifiers) = segments.split_last()?;
        let candidates = self.by_name.get(name)?;
        let qualifier = qualifiers.last().copied();
        let package = crate_root(from);
        let score = |t: &Target| -> i32 {
            let mut s = 0;
            if let Some(q) = qualifier {
                let own = t.name.rsplit_once([':', '.']).map(|(p, _)| p);
                if own.is_some_and(|p| p.trim_end_matches(':').rsplit([':', '.']).next() == Some(q))
                {
                    s += 8;
                } else if t.path.split(['/', '.']).any(|c| c == q) {
                    s += 4;
                } else if t.name.contains([':', '.']) {
                    // A method of another type.
                    s -= 8;
                }
            } else if !t.name.contains([':', '.']) {
                s += 2;
            }
            if t.path == from {
                s += 4;
            }
            if package.is_some() && crate_root(t.path) == package {
                s += 2;
            }
            if t.public {
                s += 1;
            }
            if t.is_type {
                s += 1;
            }
            s
        };
        candidates
            .iter()
            .map(|t| (score(t), t))
            .filter(|(s, _)| *s >= 0)
            .max_by(|(a, ta), (b, tb)| a.cmp(b).then_with(|| tb.path.cmp(ta.path)))
            .map(|(_, t)| t)
    }

    /// The file of a module path (`runtime`, `flask.json`), seen from `from`.
    fn module(&self, segments: &[&str], from: &str) -> Option<&'a str> {
        let name = segments.last()?;
        let list = self.modules.get(*name)?;
        let package = crate_root(from);
        list.iter()
            .copied()
            .filter(|p| {
                // Every qualifier is a folder of the path (`tokio::runtime` in `tokio/src/runtime`).
                segments[..segments.len() - 1].iter().all(|q| {
                    ["crate", "self", "super"].contains(q) || p.split('/').any(|c| c == *q)
                })
            })
            .max_by_key(|p| {
                (
                    package.is_some() && crate_root(p) == package,
                    std::cmp::Reverse(*p),
                )
            })
    }

    /// The crate (or package) root file of `from`: the page `crate` names.
    fn crate_root_file(&self, from: &str) -> Option<&'a str> {
        let root = crate_root(from)?;
        [format!("{root}lib.rs"), format!("{root}main.rs")]
            .iter()
            .find_map(|p| self.files.get_key_value(p.as_str()).map(|(k, _)| *k))
    }
}

impl Block {
    /// Every piece of markdown in the block.
    pub fn texts(&self) -> Vec<&str> {
        match self {
            Block::Markdown(md) => vec![md],
            Block::Fields { rows, .. } => rows.iter().map(|r| r.text.as_str()).collect(),
            Block::Note { body, .. } => vec![body],
        }
    }
}

/// A markdown document of the repository shown as a page.
#[derive(Debug, Clone)]
pub struct Document {
    pub path: String,
    /// Its first heading, else its file name.
    pub title: String,
}

/// The repository's own docs, in reading order: the README, the other top-level docs, then
/// the rest by path. Test fixtures and vendored code are not docs.
pub fn documents(snapshot: &crate::snapshot::Snapshot) -> Vec<Document> {
    let mut docs: Vec<Document> = snapshot
        .files
        .iter()
        .filter_map(|f| document_dialect(&f.path).map(|d| (f, d)))
        .filter(|(f, _)| {
            // Fixtures and vendored code are not the project's docs; nor are the host's issue
            // and pull request forms.
            let lower = f.path.to_ascii_lowercase();
            !f.path.split('/').any(|c| {
                [
                    "node_modules",
                    "vendor",
                    "fixtures",
                    "__fixtures__",
                    "testdata",
                    "third_party",
                ]
                .contains(&c)
            }) && !lower.contains("issue_template")
                && !lower.contains("pull_request_template")
        })
        .map(|(f, dialect)| {
            let title = match dialect {
                Dialect::Rest => blocks(&f.text, dialect)
                    .first()
                    .and_then(|b| b.texts().first().map(|t| markdown::heading_words(t)))
                    .and_then(|h| h.into_iter().next()),
                _ => markdown::title_of(&f.text),
            };
            let heading = title
                .map(|h| h.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|h| !h.is_empty() && h.chars().count() <= 80);
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            // A changelog's first heading is its latest release, not its title.
            let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
            let heading = heading.filter(|_| {
                !["changes", "changelog", "history", "news", "releases"].contains(&stem.as_str())
            });
            Document {
                title: heading.unwrap_or_else(|| name.to_string()),
                path: f.path.clone(),
            }
        })
        .collect();
    let rank = |d: &Document| {
        let top = !d.path.contains('/');
        let readme = d.path.to_ascii_lowercase().starts_with("readme");
        (!(top && readme), !top, d.path.to_ascii_lowercase())
    };
    docs.sort_by_key(rank);
    docs
}

/// How a document of the repository is written, if `path` is one (`.md`, `.rst`).
pub fn document_dialect(path: &str) -> Option<Dialect> {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".md") || lower.ends_with(".markdown") {
        Some(Dialect::Markdown)
    } else if lower.ends_with(".rst") {
        Some(Dialect::Rest)
    } else {
        None
    }
}

/// The module a code file is, by its language's rules: `a/b/mod.rs` and `a/b/__init__.py` are
/// `b`, `a/c.rs` is `c`; `lib.rs`, `main.rs` and `index.ts` are their folder's.
fn module_name(path: &str) -> Option<String> {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    let stem = file.split('.').next()?;
    if ["mod", "__init__", "index", "lib", "main"].contains(&stem) {
        let folder = dir.rsplit('/').next().filter(|d| !d.is_empty())?;
        return Some(folder.to_string());
    }
    Some(stem.to_string())
}

/// The folder a file's crate or package code starts in: the nearest `src/` above it, else its
/// top folder. Two files with the same root are in the same package.
fn crate_root(path: &str) -> Option<String> {
    let dir = path.rsplit_once('/').map(|(d, _)| d)?;
    let parts: Vec<&str> = dir.split('/').collect();
    match parts.iter().rposition(|c| *c == "src") {
        Some(i) => Some(parts[..=i].join("/") + "/"),
        None => Some(format!("{}/", parts[0])),
    }
}

/// Where a path of names is on the site.
pub enum Located<'p> {
    /// A module's page (a repository path).
    Page(&'p str),
    /// A symbol's place, from the site root.
    Symbol(String),
}

/// Where a doc sits: the file, the symbol it documents, the page's way to the root.
pub struct DocSite<'i, 'a> {
    pub index: &'i DocIndex<'a>,
    pub path: &'i str,
    /// The documented symbol's qualified name (`Type::method`), for `Self` and `#method.x`.
    pub symbol: Option<&'i str>,
    pub root: &'i str,
    pub dialect: Dialect,
}

impl DocSite<'_, '_> {
    /// Where a doc's link target goes on the site, from the page; `None`: plain text.
    pub fn resolve(&self, target: &str) -> Option<String> {
        let href = self.resolve_from_root(target)?;
        // A place on this very page is its fragment alone.
        let own = self
            .index
            .page(self.path)
            .map(|p| format!("{}{p}", self.root));
        match own.and_then(|own| href.strip_prefix(&own).map(str::to_string)) {
            Some(fragment) if fragment.starts_with('#') => Some(fragment),
            _ => Some(href),
        }
    }

    fn resolve_from_root(&self, target: &str) -> Option<String> {
        let target = target.trim();
        if target.is_empty() {
            return None;
        }
        if let Some(path) = target.strip_prefix(SYMBOL) {
            return self.symbol_path(&split_path(path));
        }
        if self.dialect == Dialect::Rustdoc {
            if let Some(href) = rustdoc::resolve(self, target) {
                return Some(href);
            }
        }
        self.relative(target)
    }

    /// A symbol or module path (`Foo`, `Foo::bar`, `flask.json`, `crate`) as an href.
    pub fn symbol_path(&self, segments: &[&str]) -> Option<String> {
        match self.locate(segments)? {
            Located::Page(file) => Some(format!("{}{}", self.root, self.index.page(file)?)),
            Located::Symbol(href) => Some(format!("{}{href}", self.root)),
        }
    }

    /// The documented symbol's type: `Type` of `Type::method`, or the symbol itself.
    pub fn own_type(&self) -> Option<&str> {
        self.symbol.map(|s| {
            s.rsplit_once("::")
                .or_else(|| s.rsplit_once('.'))
                .map_or(s, |(t, _)| t)
        })
    }

    /// Where a symbol or module path is: a symbol's anchor or a module's page.
    pub fn locate(&self, segments: &[&str]) -> Option<Located<'_>> {
        let index = self.index;
        let mut segments: Vec<&str> = segments.to_vec();
        if segments.first() == Some(&"Self") {
            segments[0] = self.own_type()?;
        }
        while segments.len() > 1 && ["crate", "self", "super"].contains(&segments[0]) {
            segments.remove(0);
        }
        if segments.is_empty() {
            return None;
        }
        if segments.len() == 1 && ["crate", "self"].contains(&segments[0]) {
            let file = if segments[0] == "crate" {
                index.crate_root_file(self.path)?
            } else {
                self.path
            };
            return Some(Located::Page(file));
        }
        if let Some(t) = index.symbol(&segments, self.path) {
            return Some(Located::Symbol(t.href.clone()));
        }
        index.module(&segments, self.path).map(Located::Page)
    }

    /// A page of this site with a fragment that is one of its heading ids, else without.
    pub fn with_fragment(&self, file: &str, fragment: &str) -> Option<String> {
        let page = self.index.page(file)?;
        if fragment.is_empty() {
            return Some(format!("{}{page}", self.root));
        }
        if self.index.has_heading(file, fragment) {
            Some(format!("{}{page}#{fragment}", self.root))
        } else if file == self.path {
            None
        } else {
            Some(format!("{}{page}", self.root))
        }
    }

    /// A relative path (`../docs/guide.md#setup`, `#examples`), from the doc's file.
    fn relative(&self, target: &str) -> Option<String> {
        let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
        let path = path.split('?').next().unwrap_or("");
        if path.contains(':') {
            return None;
        }
        if path.is_empty() {
            return self.with_fragment(self.path, fragment);
        }
        let base = if let Some(rest) = path.strip_prefix('/') {
            rest.to_string()
        } else {
            let dir = self.path.rsplit_once('/').map_or("", |(d, _)| d);
            if dir.is_empty() {
                path.to_string()
            } else {
                format!("{dir}/{path}")
            }
        };
        let normal = normalize(&base)?;
        if self.index.page(&normal).is_some() {
            return self.with_fragment(&normal, fragment);
        }
        // A folder: its README.
        let readme = ["README.md", "readme.md", "README.markdown"]
            .iter()
            .map(|r| {
                if normal.is_empty() {
                    r.to_string()
                } else {
                    format!("{}/{r}", normal.trim_end_matches('/'))
                }
            })
            .find(|p| self.index.page(p).is_some())?;
        self.with_fragment(&readme, fragment)
    }
}

/// `a/./b/../c` -> `a/c`; `None` when it climbs out of the repository.
fn normalize(path: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            p => out.push(p),
        }
    }
    Some(out.join("/"))
}

/// `a::b::C`, `a.b.C`, `C#method` -> its names.
fn split_path(path: &str) -> Vec<&str> {
    path.trim_start_matches(['~', '!', '.'])
        .split("::")
        .flat_map(|s| s.split(['.', '#']))
        .filter(|s| !s.is_empty())
        .collect()
}

/// Renders a doc of `site`'s file, its headings taking ids from `ids` (shared by the page).
pub fn render(doc: &str, site: &DocSite, ids: &mut Ids, shift: u8) -> String {
    let resolve = |t: &str| site.resolve(t);
    let mut out = String::new();
    let md = |text: &str, ids: &mut Ids| {
        let mut links = DocLinks {
            resolve: &resolve,
            intra_doc: site.dialect == Dialect::Rustdoc,
            ids,
            shift,
        };
        markdown::render_doc(text, site.root, &mut links)
    };
    for block in blocks(doc, site.dialect) {
        match block {
            Block::Markdown(text) => out.push_str(&md(&text, ids)),
            Block::Fields { title, rows } => {
                out.push_str("<div class=\"fields\"><p class=\"fields-title\">");
                out.push_str(&xml(&title));
                out.push_str("</p><table>");
                for row in rows {
                    out.push_str("<tr><td>");
                    if !row.name.is_empty() {
                        out.push_str(&format!("<code>{}</code>", xml(&row.name)));
                    }
                    if !row.ty.is_empty() {
                        let ty = md(&format!("`{}`", row.ty.replace('`', "")), ids);
                        let ty = ty.trim().trim_start_matches("<p>").trim_end_matches("</p>");
                        out.push_str(&format!(" <span class=\"type\">{ty}</span>"));
                    }
                    out.push_str("</td><td>");
                    out.push_str(&md(&row.text, ids));
                    out.push_str("</td></tr>");
                }
                out.push_str("</table></div>");
            }
            Block::Note { label, class, body } => {
                out.push_str(&format!(
                    "<div class=\"note {class}\"><p class=\"note-title\">{}</p>",
                    xml(&label)
                ));
                out.push_str(&md(&body, ids));
                out.push_str("</div>");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &[&str] = &[
        ":param x:",
        ":type x: int",
        ":returns:",
        ":raises E:",
        ":meth:`A.b`",
        ":class:`~a.B`",
        ":doc:`t <x/y>`",
        ".. note::",
        ".. versionchanged:: 2.0",
        ".. code-block:: python",
        ".. _t:",
        "::",
        ">>> 1",
        "\n",
        "\n\n",
        "    ",
        "  ",
        "Args:",
        "Returns:",
        "Raises:",
        "Parameters",
        "----------",
        "x (int): y",
        "x : int",
        "@param {T} x - y",
        "@param [x=1]",
        "@returns {P<T>}",
        "@throws {E}",
        "@example",
        "@deprecated",
        "{@link A|b}",
        "{@link",
        "```",
        "```rust,no_run",
        "# hidden",
        "##",
        "[`A`]",
        "[A::b]",
        "[t](A)",
        "struct@A",
        "#method.x",
        "crate#x",
        "<b>",
        "</b>",
        "<img src=x>",
        "é",
        "ü",
        "*",
        "`",
        "[",
        "]",
        "(",
        ")",
        "{",
        "}",
        ":",
        "-",
        "=",
        "word",
        "Title",
        "=====",
    ];

    #[test]
    fn fuzz_dialects_never_panic_and_render_safely() {
        let mut g = crate::fuzz::Gen::new("dialects");
        let resolve = |t: &str| {
            t.chars()
                .all(|c| c.is_ascii_alphanumeric())
                .then(|| format!("x.html#{t}"))
        };
        for case in 0..crate::fuzz::cases() * 2 {
            let doc = g.text(DOC, 40);
            let dialect = [
                Dialect::Rustdoc,
                Dialect::Python,
                Dialect::JsDoc,
                Dialect::Rest,
                Dialect::Markdown,
                Dialect::GoDoc,
                Dialect::Javadoc,
                Dialect::Doxygen,
                Dialect::XmlDoc,
                Dialect::Yard,
                Dialect::PhpDoc,
            ][case % 11];
            let _ = to_markdown(&doc, dialect);
            for block in blocks(&doc, dialect) {
                for md in block.texts() {
                    let mut ids = Ids::default();
                    let mut links = DocLinks {
                        resolve: &resolve,
                        intra_doc: dialect == Dialect::Rustdoc,
                        ids: &mut ids,
                        shift: 3,
                    };
                    let html = markdown::render_doc(md, "", &mut links);
                    assert!(
                        !html.contains("<script") && !html.contains("<img"),
                        "{doc:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn modules_and_roots() {
        assert_eq!(module_name("tokio/src/runtime/mod.rs").unwrap(), "runtime");
        assert_eq!(module_name("src/flask/json/__init__.py").unwrap(), "json");
        assert_eq!(module_name("a/c.rs").unwrap(), "c");
        assert_eq!(crate_root("tokio/src/sync/mutex.rs").unwrap(), "tokio/src/");
        assert_eq!(crate_root("src/lib.rs").unwrap(), "src/");
        assert_eq!(crate_root("flask/app.py").unwrap(), "flask/");
        assert_eq!(normalize("a/./b/../c").unwrap(), "a/c");
        assert!(normalize("../x").is_none());
        assert_eq!(split_path("~flask.Flask.run"), ["flask", "Flask", "run"]);
    }
}
