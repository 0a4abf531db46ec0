//! Stage 2: the files of the tree at the revision (never the dirty work tree), with every file
//! that is left out counted under its reason.

use std::collections::BTreeMap;

use git2::{ObjectType, Oid, Repository};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::patterns::{is_excluded, Pattern};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Language {
    Rust,
    Python,
    TypeScript,
    Tsx,
    JavaScript,
    Go,
    Java,
    C,
    CSharp,
    Ruby,
    Php,
    Cpp,
}

impl Language {
    /// Every language with a front-end.
    pub const ALL: [Language; 12] = [
        Language::Rust,
        Language::Python,
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Go,
        Language::Java,
        Language::C,
        Language::CSharp,
        Language::Ruby,
        Language::Php,
        Language::Cpp,
    ];

    pub fn from_path(path: &str) -> Option<Language> {
        let ext = extension(path)?;
        Some(match ext.as_str() {
            "rs" => Language::Rust,
            "py" | "pyi" => Language::Python,
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "go" => Language::Go,
            "java" => Language::Java,
            "c" | "h" => Language::C,
            "cs" => Language::CSharp,
            "rb" | "rake" | "gemspec" => Language::Ruby,
            "php" => Language::Php,
            "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "h++" | "ipp" | "tpp" => {
                Language::Cpp
            }
            _ => return None,
        })
    }

    /// The language of a file from its path, and for a `.h` from its text too: C and C++
    /// share the extension, and a header that declares a class, a namespace or a template,
    /// or includes the C++ standard library, is C++.
    ///
    /// A script without an extension is in the language its `#!` line runs.
    pub fn detect(path: &str, text: &str) -> Option<Language> {
        match Language::from_path(path) {
            Some(Language::C) if path.ends_with(".h") && looks_like_cpp(text) => {
                Some(Language::Cpp)
            }
            None if extension(path).is_none() && text.starts_with("#!") => {
                let first = text.lines().next().unwrap_or("");
                let runs = |name: &str| {
                    first
                        .split(|c: char| c == '/' || c.is_whitespace())
                        .any(|w| w.starts_with(name))
                };
                if runs("python") {
                    Some(Language::Python)
                } else if runs("ruby") {
                    Some(Language::Ruby)
                } else if runs("node") {
                    Some(Language::JavaScript)
                } else {
                    None
                }
            }
            other => other,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "Rust",
            Language::Python => "Python",
            Language::TypeScript => "TypeScript",
            Language::Tsx => "TSX",
            Language::JavaScript => "JavaScript",
            Language::Go => "Go",
            Language::Java => "Java",
            Language::C => "C",
            Language::CSharp => "C#",
            Language::Ruby => "Ruby",
            Language::Php => "PHP",
            Language::Cpp => "C++",
        }
    }
}

/// Whether a header's lines show C++: a line that opens a namespace, a class or a template,
/// an access section, `using namespace`, or an include of a standard header without `.h`
/// (`<string>`, `<cstdint>`). Comments do not count.
fn looks_like_cpp(text: &str) -> bool {
    let mut in_comment = false;
    for line in text.lines() {
        let mut l = line.trim_start();
        if in_comment {
            match l.find("*/") {
                Some(end) => {
                    in_comment = false;
                    l = l[end + 2..].trim_start();
                }
                None => continue,
            }
        }
        if l.starts_with("/*") && !l.contains("*/") {
            in_comment = true;
            continue;
        }
        if l.starts_with("//") || l.starts_with('*') {
            continue;
        }
        let word = |w: &str| {
            l.strip_prefix(w)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_whitespace() || c == '<'))
        };
        if word("namespace") || word("template") || word("using") {
            return true;
        }
        if word("class") {
            // `class Name {`, `class Name : Base`, `class Name;`, `class EXPORT Name {`
            let rest = l["class".len()..].trim_start();
            let name_end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if name_end > 0 {
                return true;
            }
        }
        if matches!(l, "public:" | "private:" | "protected:") {
            return true;
        }
        if let Some(rest) = l.strip_prefix("#include") {
            let rest = rest.trim_start();
            if let Some(name) = rest.strip_prefix('<').and_then(|r| r.split_once('>')) {
                let name = name.0;
                if !name.contains('.') && !name.contains('/') && !name.is_empty() {
                    return true;
                }
            }
        }
    }
    false
}

fn extension(path: &str) -> Option<String> {
    let name = path.rsplit('/').next()?;
    let (_, ext) = name.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

/// What kind of file this is, for display and for clustering: a front-end language, another
/// programming language (`#!` scripts included), or a kind of document or data.
pub fn kind_label(path: &str, text: &str) -> &'static str {
    if let Some(lang) = Language::detect(path, text) {
        return lang.name();
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        "Makefile" | "makefile" | "GNUmakefile" => return "Makefile",
        "Dockerfile" => return "Dockerfile",
        _ => {}
    }
    if text.starts_with("#!") {
        let first = text.lines().next().unwrap_or("");
        return if first.contains("python") {
            "Python script"
        } else if first.contains("node") {
            "JavaScript script"
        } else if first.contains("ruby") {
            "Ruby"
        } else if first.contains("perl") {
            "Perl"
        } else {
            "Shell"
        };
    }
    match extension(path).as_deref() {
        Some("md" | "markdown") => "Markdown",
        Some("rst") => "reStructuredText",
        Some("txt") => "Text",
        Some("toml") => "TOML",
        Some("json") => "JSON",
        Some("yml" | "yaml") => "YAML",
        Some("sh" | "bash") => "Shell",
        Some("html" | "htm") => "HTML",
        Some("css" | "scss") => "CSS",
        Some("go") => "Go",
        Some("c" | "h") => "C",
        Some("cc" | "cpp" | "hpp" | "cxx") => "C++",
        Some("java") => "Java",
        Some("kt" | "kts") => "Kotlin",
        Some("swift") => "Swift",
        Some("cs") => "C#",
        Some("php") => "PHP",
        Some("pl" | "pm") => "Perl",
        Some("lua") => "Lua",
        Some("scala") => "Scala",
        Some("rb") => "Ruby",
        Some("sql") => "SQL",
        Some("xml") => "XML",
        _ => "Text",
    }
}

/// Program code, with or without a front-end: what seeds the parts of the system.
pub fn is_code_kind(kind: &str) -> bool {
    !matches!(
        kind,
        "Markdown"
            | "reStructuredText"
            | "Text"
            | "TOML"
            | "JSON"
            | "YAML"
            | "HTML"
            | "CSS"
            | "XML"
            | "SQL"
            | "Dockerfile"
            | "Makefile"
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    Binary,
    TooLarge,
    Vendored,
    Generated,
    Minified,
    LockFile,
    Ignored,
    Symlink,
    Submodule,
    /// A file whose purpose is to hold secrets (`.env`, keys, credentials): never read.
    Secret,
    /// A Git LFS pointer: the file itself is stored elsewhere.
    Lfs,
    /// Its blob is not in the repository (a partial or damaged clone).
    Missing,
}

impl SkipReason {
    pub fn name(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too-large",
            SkipReason::Vendored => "vendored",
            SkipReason::Generated => "generated",
            SkipReason::Minified => "minified",
            SkipReason::LockFile => "lock-file",
            SkipReason::Ignored => "ignored",
            SkipReason::Symlink => "symlink",
            SkipReason::Submodule => "submodule",
            SkipReason::Secret => "secret",
            SkipReason::Lfs => "lfs",
            SkipReason::Missing => "missing",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceFile {
    pub path: String,
    /// The git blob id: already a content hash of the file.
    pub blob: String,
    pub language: Option<Language>,
    pub text: String,
    pub lines: usize,
    /// The bytes were not valid UTF-8 and were decoded with replacement characters.
    pub lossy: bool,
    /// Secret-looking strings were cut out of the text.
    pub redacted: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: String,
    /// The blob id (for a submodule, the commit it points at).
    pub blob: String,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub commit: String,
    /// Sorted by path.
    pub files: Vec<SourceFile>,
    pub skipped: Vec<Skipped>,
    /// Files holding bidirectional control characters (Trojan Source), with how many: each is
    /// shown as a visible escape.
    pub bidi: BTreeMap<String, usize>,
}

impl Snapshot {
    pub fn skip_counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for s in &self.skipped {
            *counts.entry(s.reason.name()).or_insert(0) += 1;
        }
        counts
    }
}

pub struct SnapshotOptions {
    pub max_file_bytes: u64,
    /// Lines in .gitignore syntax (from `.repowikiignore` and the config's `exclude`).
    pub ignore: Vec<String>,
}

const VENDOR_DIRS: &[&str] = &["node_modules", "vendor", "third_party", "bower_components"];
const LOCK_FILES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "Gemfile.lock",
    "composer.lock",
    "go.sum",
    "flake.lock",
];

struct Entry {
    path: String,
    oid: Oid,
    mode: i32,
    kind: Option<ObjectType>,
}

/// A path of the repository as text, one to one: a name that is not UTF-8 keeps each byte that
/// is not as `\xNN` (and a backslash is written `\\` in such names and in names that hold
/// one), so two different names never read the same, and the snapshot and the history agree.
pub fn path_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) if !s.contains('\\') => s.to_string(),
        _ => {
            let mut out = String::with_capacity(bytes.len() + 8);
            for chunk in bytes.utf8_chunks() {
                out.push_str(&chunk.valid().replace('\\', "\\\\"));
                for b in chunk.invalid() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            out
        }
    }
}

/// Every file of the tree at `commit` named as the snapshot names it, with its blob id (for a
/// submodule, the commit it names).
pub fn tree_blobs(repo: &Repository, commit: Oid) -> Result<BTreeMap<String, String>> {
    let tree = crate::history::tree_of(repo, commit).ok_or_else(|| {
        git2::Error::from_str(&format!("the commit {commit} has no readable tree"))
    })?;
    let mut entries = Vec::new();
    walk_tree(repo, &tree, "", &mut entries)?;
    Ok(entries
        .into_iter()
        .map(|e| (e.path, e.oid.to_string()))
        .collect())
}

/// Every entry under `tree` (folders entered, not listed), with its path as `path_text`.
fn walk_tree(
    repo: &Repository,
    tree: &git2::Tree,
    prefix: &str,
    out: &mut Vec<Entry>,
) -> Result<()> {
    for entry in tree.iter() {
        let path = format!("{prefix}{}", path_text(entry.name_bytes()));
        // Control characters in a name are shown, never obeyed.
        let path = crate::report::visible_controls(&path, false).map_or(path, |(p, _)| p);
        if entry.kind() == Some(ObjectType::Tree) {
            let sub = repo.find_tree(entry.id())?;
            walk_tree(repo, &sub, &format!("{path}/"), out)?;
            continue;
        }
        out.push(Entry {
            // A token used as a name is cut out here, before any page, index or prompt.
            path: crate::secrets::redact_name(&path).unwrap_or(path),
            oid: entry.id(),
            mode: entry.filemode(),
            kind: entry.kind(),
        });
    }
    Ok(())
}

/// What reading a blob found, kept per blob id: a blob never changes, so the next build reads
/// a known plain file without scanning it again (secrets, control characters, generated or
/// minified code), and does not read a known binary, LFS pointer or generated file at all.
#[derive(Debug, Serialize, Deserialize)]
enum Scanned {
    /// Left out for what its content is.
    Skip(SkipReason),
    /// UTF-8 text that needed nothing cut out or shown escaped.
    Plain { lines: usize },
}

/// The cache key of a blob's scan: the secret rules (and the secrets known at run time) are
/// part of it, so a scan is never reused under other rules.
fn scan_key(blob: Oid, rules: &str) -> String {
    format!("scan/{blob}/{rules}")
}

/// Reads the tree of commit `rev`.
pub fn read(
    repo: &Repository,
    rev: Oid,
    opts: &SnapshotOptions,
    cache: &crate::cache::CacheUse,
) -> Result<Snapshot> {
    let tree = crate::history::tree_of(repo, rev)
        .ok_or_else(|| git2::Error::from_str(&format!("the commit {rev} has no readable tree")))?;
    let mut entries = Vec::new();
    walk_tree(repo, &tree, "", &mut entries)?;
    entries.sort_by(|a, b| a.path.cmp(&b.path));

    let ignore: Vec<Pattern> = opts
        .ignore
        .iter()
        .filter_map(|l| Pattern::parse(l, ""))
        .collect();
    let attributes = read_gitattributes(repo, &entries);
    let odb = repo.odb()?;
    let rules = crate::secrets::fingerprint();

    let mut snapshot = Snapshot {
        commit: rev.to_string(),
        ..Default::default()
    };
    for entry in entries {
        let reason = if entry.kind == Some(ObjectType::Commit) {
            Some(SkipReason::Submodule)
        } else if entry.mode == 0o120000 {
            Some(SkipReason::Symlink)
        } else {
            path_skip_reason(&entry.path, &ignore, &attributes)
        };
        if let Some(reason) = reason {
            snapshot.skipped.push(Skipped {
                blob: entry.oid.to_string(),
                path: entry.path,
                reason,
            });
            continue;
        }
        // A partial clone (`--filter=blob:none`) or a damaged one lacks blobs: such a file is
        // listed as missing and the build goes on.
        let Ok((size, _)) = odb.read_header(entry.oid) else {
            snapshot.skipped.push(Skipped {
                blob: entry.oid.to_string(),
                path: entry.path,
                reason: SkipReason::Missing,
            });
            continue;
        };
        if size as u64 > opts.max_file_bytes {
            snapshot.skipped.push(Skipped {
                blob: entry.oid.to_string(),
                path: entry.path,
                reason: SkipReason::TooLarge,
            });
            continue;
        }
        let known: Option<Scanned> =
            cache.get(crate::cache::Space::Parse, &scan_key(entry.oid, &rules));
        if let Some(Scanned::Skip(reason)) = known {
            snapshot.skipped.push(Skipped {
                blob: entry.oid.to_string(),
                path: entry.path,
                reason,
            });
            continue;
        }
        let Ok(blob) = repo.find_blob(entry.oid) else {
            snapshot.skipped.push(Skipped {
                blob: entry.oid.to_string(),
                path: entry.path,
                reason: SkipReason::Missing,
            });
            continue;
        };
        if let (Some(Scanned::Plain { lines }), Ok(text)) =
            (&known, std::str::from_utf8(blob.content()))
        {
            snapshot.files.push(SourceFile {
                language: Language::detect(&entry.path, text),
                lines: *lines,
                blob: entry.oid.to_string(),
                path: entry.path,
                text: text.to_string(),
                lossy: false,
                redacted: false,
            });
            continue;
        }
        let remember = |scanned: Scanned| {
            cache.put(
                crate::cache::Space::Parse,
                &scan_key(entry.oid, &rules),
                &scanned,
            );
        };
        let utf16 = utf16_text(blob.content());
        let from_utf16 = utf16.is_some();
        if utf16.is_none() && blob.is_binary() {
            remember(Scanned::Skip(SkipReason::Binary));
            snapshot.skipped.push(Skipped {
                blob: entry.oid.to_string(),
                path: entry.path,
                reason: SkipReason::Binary,
            });
            continue;
        }
        let bytes = blob.content();
        if is_lfs_pointer(bytes) {
            remember(Scanned::Skip(SkipReason::Lfs));
            snapshot.skipped.push(Skipped {
                blob: entry.oid.to_string(),
                path: entry.path,
                reason: SkipReason::Lfs,
            });
            continue;
        }
        // UTF-8; UTF-16 with its byte-order mark; else Windows-1252 (Latin-1's superset), the
        // usual encoding of older text that is not UTF-8.
        let (text, lossy) = match (utf16, std::str::from_utf8(bytes)) {
            (Some(t), _) => (t, false),
            (None, Ok(t)) => (t.to_string(), false),
            (None, Err(_)) => {
                let (t, _, bad) = encoding_rs::WINDOWS_1252.decode(bytes);
                (t.into_owned(), bad)
            }
        };
        let plain = !from_utf16 && !lossy;
        // Secrets are cut out here, before any other stage sees the text.
        let (text, redacted) = match crate::secrets::redact(&text) {
            Some(clean) => (clean, true),
            None => (text, false),
        };
        // Trojan Source: bidirectional controls (and stray control characters) are shown as
        // escapes in every view of the file, and counted.
        let (text, shown) = match crate::report::visible_controls(&text, true) {
            Some((shown, bidi)) => {
                if bidi > 0 {
                    snapshot.bidi.insert(entry.path.clone(), bidi);
                }
                (shown, true)
            }
            None => (text, false),
        };
        if let Some(reason) = content_skip_reason(&text) {
            if plain && !redacted && !shown {
                remember(Scanned::Skip(reason));
            }
            snapshot.skipped.push(Skipped {
                blob: entry.oid.to_string(),
                path: entry.path,
                reason,
            });
            continue;
        }
        let lines = text.lines().count();
        if plain && !redacted && !shown {
            remember(Scanned::Plain { lines });
        }
        snapshot.files.push(SourceFile {
            language: Language::detect(&entry.path, &text),
            lines,
            blob: entry.oid.to_string(),
            path: entry.path,
            text,
            lossy,
            redacted,
        });
    }
    Ok(snapshot)
}

/// `linguist-vendored` / `linguist-generated` / `binary` (or `-text`) patterns from every
/// `.gitattributes` in the tree.
struct Attributes {
    vendored: Vec<Pattern>,
    generated: Vec<Pattern>,
    binary: Vec<Pattern>,
}

fn read_gitattributes(repo: &Repository, entries: &[Entry]) -> Attributes {
    let mut attrs = Attributes {
        vendored: Vec::new(),
        generated: Vec::new(),
        binary: Vec::new(),
    };
    let mut files: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.path == ".gitattributes" || e.path.ends_with("/.gitattributes"))
        .collect();
    // Shallower files first, so that deeper ones (which git lets override) come later.
    files.sort_by_key(|e| (e.path.matches('/').count(), e.path.clone()));
    for entry in files {
        let Ok(blob) = repo.find_blob(entry.oid) else {
            continue;
        };
        let base = entry.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        for line in String::from_utf8_lossy(blob.content()).lines() {
            let mut words = line.split_whitespace();
            let Some(pat) = words.next() else { continue };
            if pat.starts_with('#') {
                continue;
            }
            for attr in words {
                let (name, negated) = match attr {
                    a if a.starts_with('-') || a.ends_with("=false") => {
                        (a.trim_start_matches('-').trim_end_matches("=false"), true)
                    }
                    a => (a.trim_end_matches("=true"), false),
                };
                let (list, negated) = match name {
                    "linguist-vendored" => (&mut attrs.vendored, negated),
                    "linguist-generated" => (&mut attrs.generated, negated),
                    // What git calls binary is not read as text (a `.ai` file is not text
                    // because it happens to decode).
                    "binary" => (&mut attrs.binary, negated),
                    "text" => (&mut attrs.binary, !negated),
                    _ => continue,
                };
                let line = if negated {
                    format!("!{pat}")
                } else {
                    pat.to_string()
                };
                list.extend(Pattern::parse(&line, base));
            }
        }
    }
    attrs
}

fn path_skip_reason(path: &str, ignore: &[Pattern], attrs: &Attributes) -> Option<SkipReason> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let in_vendor_dir = path
        .split('/')
        .rev()
        .skip(1)
        .any(|dir| VENDOR_DIRS.contains(&dir));
    if crate::secrets::is_secret_file(path) {
        Some(SkipReason::Secret)
    } else if is_excluded(ignore, path) {
        Some(SkipReason::Ignored)
    } else if in_vendor_dir || is_excluded(&attrs.vendored, path) {
        Some(SkipReason::Vendored)
    } else if is_excluded(&attrs.generated, path) {
        Some(SkipReason::Generated)
    } else if is_excluded(&attrs.binary, path) || is_binary_format(name) {
        Some(SkipReason::Binary)
    } else if LOCK_FILES.contains(&name) {
        Some(SkipReason::LockFile)
    } else if name.contains(".min.") && (name.ends_with(".js") || name.ends_with(".css")) {
        Some(SkipReason::Minified)
    } else {
        None
    }
}

/// Formats that are binary documents even when their bytes pass for text (an Illustrator
/// `.ai` file is PostScript: 805 lines of it were shown as a page).
fn is_binary_format(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".ai", ".eps", ".ps", ".psd", ".pdf", ".sketch", ".fig", ".xd", ".indd",
    ]
    .iter()
    .any(|e| lower.ends_with(e))
}

/// The text of a UTF-16 file that starts with its byte-order mark (git sees NUL bytes and
/// calls it binary).
fn utf16_text(bytes: &[u8]) -> Option<String> {
    let (encoding, _) = encoding_rs::Encoding::for_bom(bytes)?;
    if encoding == encoding_rs::UTF_8 {
        return None;
    }
    let (text, _, bad) = encoding.decode(bytes);
    (!bad).then(|| text.into_owned())
}

/// A Git LFS pointer: a small text that names the real file by its hash.
fn is_lfs_pointer(bytes: &[u8]) -> bool {
    bytes.len() < 1024 && bytes.starts_with(b"version https://git-lfs.github.com/spec/")
}

fn content_skip_reason(text: &str) -> Option<SkipReason> {
    let head = text.lines().take(5).collect::<Vec<_>>().join("\n");
    if head.contains("@generated") || head.contains("DO NOT EDIT") {
        return Some(SkipReason::Generated);
    }
    // Minified code: long and almost without line breaks.
    let lines = text.lines().count().max(1);
    if text.len() > 20_000 && text.len() / lines > 500 {
        return Some(SkipReason::Minified);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_by_extension() {
        assert_eq!(Language::from_path("a/b.rs"), Some(Language::Rust));
        assert_eq!(Language::from_path("x.tsx"), Some(Language::Tsx));
        assert_eq!(Language::from_path("x.mjs"), Some(Language::JavaScript));
        assert_eq!(Language::from_path("README.md"), None);
        assert_eq!(Language::from_path("db/db_impl.cc"), Some(Language::Cpp));
        // A header is C++ when its code says so, not its comments.
        let c_header = "/* class Foo is not here */\n#include <stdio.h>\n#ifdef __cplusplus\nextern \"C\" {\n#endif\nint f(void);\n";
        assert_eq!(Language::detect("uv.h", c_header), Some(Language::C));
        for cpp in [
            "#include <string>\n",
            "namespace leveldb {\n}\n",
            "class LEVELDB_EXPORT DB {\n public:\n};\n",
            "template <typename T>\nT max(T a, T b);\n",
        ] {
            assert_eq!(Language::detect("db.h", cpp), Some(Language::Cpp), "{cpp}");
        }
        assert_eq!(
            Language::detect(
                "benchsuite/benchsuite",
                "#!/usr/bin/env python3\nimport os\n"
            ),
            Some(Language::Python)
        );
        assert_eq!(Language::detect("bin/tool", "#!/usr/bin/env bash\n"), None);
        assert_eq!(kind_label("README.md", "# x"), "Markdown");
        assert_eq!(kind_label("bin/tool", "#!/usr/bin/env bash\n"), "Shell");
        assert!(is_code_kind(kind_label("main.go", "")));
        assert!(!is_code_kind(kind_label("notes.txt", "")));
    }

    #[test]
    fn vendored_lock_and_minified_paths_are_skipped() {
        let attrs = Attributes {
            vendored: vec![Pattern::parse("third/**", "").unwrap()],
            generated: vec![Pattern::parse("*.pb.rs", "").unwrap()],
            binary: vec![Pattern::parse("*.ai", "").unwrap()],
        };
        let r = |p| path_skip_reason(p, &[], &attrs);
        assert_eq!(r("web/node_modules/x/index.js"), Some(SkipReason::Vendored));
        assert_eq!(r("third/lib.c"), Some(SkipReason::Vendored));
        assert_eq!(r("src/api.pb.rs"), Some(SkipReason::Generated));
        assert_eq!(r("Cargo.lock"), Some(SkipReason::LockFile));
        assert_eq!(r("static/app.min.js"), Some(SkipReason::Minified));
        assert_eq!(r("src/vendor.rs"), None);
        assert_eq!(r("media/logo.ai"), Some(SkipReason::Binary));
        // Without an attribute, a design file is still no text to read.
        let none = Attributes {
            vendored: vec![],
            generated: vec![],
            binary: vec![],
        };
        assert_eq!(
            path_skip_reason("assets/Logo.AI", &[], &none),
            Some(SkipReason::Binary)
        );
        assert_eq!(path_skip_reason("src/main.rs", &[], &none), None);
    }

    #[test]
    fn generated_marker_in_the_head_skips() {
        assert_eq!(
            content_skip_reason("// @generated by protoc\nfn x() {}"),
            Some(SkipReason::Generated)
        );
        assert_eq!(content_skip_reason("fn x() {}\n"), None);
    }
}
