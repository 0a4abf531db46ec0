//! `repowiki ask` and the `search` of `repowiki mcp`: retrieval over the wiki's narratives,
//! the code's docs and symbols, the source and the commit messages, from a tantivy index under
//! the cache folder (`<cache>/index`). The index is kept in groups of documents, one group per
//! file blob, per commit and per wiki page; an update deletes the groups that are gone and adds
//! the new ones, so a one-file commit reindexes one file, one commit and the pages that changed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Field, Schema, Value, INDEXED, STORED, STRING};
use tantivy::schema::{IndexRecordOption, TextFieldIndexing, TextOptions};
use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term};

use crate::knowledge::{finish, Knowledge, Refusal};
use crate::narrate::backend::embeddings::Embedder;
use crate::narrate::backend::{Backend, Prompt};
use crate::{Error, Result};

/// Bumped when what is indexed, or how, changes: an index of another version is rebuilt.
const INDEX_VERSION: u32 = 5;
/// Lines per source passage.
const CHUNK_LINES: usize = 40;
/// The longest question taken, in bytes; longer ones are refused.
pub const MAX_QUESTION: usize = 2_000;
/// The sections of wiki pages that list what is indexed on its own (files, symbols, parts,
/// commits): left out of the pages' passages, where they would match every question.
const LIST_SECTIONS: [&str; 10] = [
    "Files",
    "Dependencies",
    "Uses",
    "Used by",
    "Parts",
    "The parts",
    "History",
    "Key symbols",
    "Main types",
    "Where to start",
];

/// How much a result of each kind counts against the others: the code and its docs first, the
/// history's messages and the wiki's narratives after.
fn kind_weight(kind: &str) -> f32 {
    match kind {
        "symbol" | "file" => 1.0,
        "source" => 0.9,
        "doc" => 0.8,
        "commit" => 0.7,
        _ => 0.6,
    }
}

/// Files that test, measure, show or build the code count less than the code: a question is
/// most often about how the code itself works.
fn path_weight(kind: &str, path: &str) -> f32 {
    if matches!(kind, "commit" | "page") {
        return 1.0;
    }
    match crate::cluster::role_of(path) {
        Some("tests" | "benchmarks" | "CI") => 0.6,
        Some(_) => 0.8,
        None => 1.0,
    }
}

/// Results of one file or page a search gives at most.
const PER_PATH: usize = 2;
/// Results one search gives at most.
pub const MAX_RESULTS: usize = 50;

/// What a result is.
pub const KINDS: [&str; 6] = ["page", "symbol", "file", "doc", "source", "commit"];

struct Fields {
    kind: Field,
    path: Field,
    title: Field,
    body: Field,
    start: Field,
    end: Field,
    group: Field,
    /// Indexed, not stored: the words of the identifiers in the other fields.
    words: Field,
    /// The passage's embedding (little-endian f32s), when an embedder is configured.
    vector: Field,
    /// Stored only: for a commit, the files it changed (when at most 10), one per line.
    files: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Stemmed English words; identifiers are split into their words before indexing.
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("en_stem")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        kind: b.add_text_field("kind", STRING | STORED),
        path: b.add_text_field("path", text.clone()),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
        start: b.add_u64_field("start", INDEXED | STORED),
        end: b.add_u64_field("end", STORED),
        group: b.add_text_field("group", STRING),
        vector: b.add_bytes_field("vector", STORED),
        files: b.add_text_field("files", STORED),
        words: b.add_text_field(
            "words",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("en_stem")
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
    };
    (b.build(), fields)
}

/// One search result: where it is and what it says.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub kind: String,
    /// A path in the repository, a wiki page (`parts/x.md`), or for a commit its id.
    pub path: String,
    /// 1-based lines of `path` (0 when the result is not a range of lines).
    pub start: u64,
    pub end: u64,
    pub title: String,
    pub text: String,
    pub score: f32,
    /// The repository files it is about: its own path, or for a commit the files it changed
    /// (when it changed at most 10: a mass change is about none of them in particular).
    pub files: Vec<String>,
}

impl Hit {
    /// Where it is, as a citation: `path:start-end`, `path`, or `commit <id>`.
    pub fn citation(&self) -> String {
        match (self.kind.as_str(), self.start) {
            ("commit", _) => format!("commit {}", self.path),
            (_, 0) => self.path.clone(),
            _ if self.end > self.start => format!("{}:{}-{}", self.path, self.start, self.end),
            _ => format!("{}:{}", self.path, self.start),
        }
    }
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    pub dir: PathBuf,
    /// Ranks by meaning too, when configured: every passage's vector, normalised.
    embedder: Option<Embedder>,
    vectors: Vec<(tantivy::DocAddress, Vec<f32>)>,
    /// What went wrong but did not stop the index (an embeddings server that failed).
    pub warnings: Vec<String>,
    /// The project's own name, in words: in a question about it, it says nothing about where
    /// the answer is (and would find every file that names the project).
    own_name: Vec<String>,
    /// What the last update did: groups added and removed.
    pub added: usize,
    pub removed: usize,
}

/// A document before it is added.
struct Doc {
    kind: &'static str,
    path: String,
    title: String,
    body: String,
    start: u64,
    end: u64,
    /// A commit's files (see `Hit::files`).
    files: Vec<String>,
}

/// Each identifier's words (`parseDate` and `parse_date` as `parse date`), so that a question
/// in words finds code that names them.
fn split_words(text: &str) -> String {
    let mut extra = String::new();
    for ident in text.split(|c: char| !c.is_alphanumeric() && c != '_') {
        let has_case =
            ident.chars().any(char::is_lowercase) && ident.chars().any(char::is_uppercase);
        let mut words = String::new();
        let mut prev_lower = false;
        for c in ident.chars() {
            if c.is_uppercase() && prev_lower || c == '_' {
                words.push(' ');
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            if c != '_' {
                words.push(c);
            }
        }
        if has_case {
            extra += &words;
            extra.push(' ');
        }
        // The words that code abbreviates, spelled out: a question says "memory map", the
        // code `mmap`.
        for word in words.split(' ') {
            if let Some(long) = spelled_out(&word.to_ascii_lowercase()) {
                extra += long;
                extra.push(' ');
            }
        }
    }
    extra
}

/// What common abbreviations in code stand for.
fn spelled_out(word: &str) -> Option<&'static str> {
    Some(match word {
        "mmap" => "memory map",
        "cfg" | "conf" => "configuration",
        "ctx" => "context",
        "fs" => "file system",
        "db" => "database",
        "dir" | "dirs" => "directory",
        "err" | "errs" => "error",
        "msg" | "msgs" => "message",
        "req" => "request",
        "resp" | "res" => "response",
        "buf" => "buffer",
        "env" => "environment",
        "init" => "initialize",
        "param" | "params" => "parameter",
        "arg" | "args" => "argument",
        "auth" => "authentication",
        "util" | "utils" => "utility",
        "pkg" => "package",
        "repo" => "repository",
        "tmp" | "temp" => "temporary",
        "idx" => "index",
        "iter" => "iterator",
        "ptr" => "pointer",
        "tx" => "transaction",
        "num" => "number",
        "len" => "length",
        "lib" => "library",
        "doc" | "docs" => "documentation",
        "impl" => "implementation",
        "fmt" => "format",
        "cmd" => "command",
        "cli" => "command line",
        "ui" => "user interface",
        "gc" => "garbage collection",
        "io" => "input output",
        "regex" | "re" => "regular expression",
        _ => return None,
    })
}

/// Repository text as it may be stored: secrets cut.
fn safe(text: &str) -> String {
    crate::secrets::clean(text).into_owned()
}

fn hash(parts: &[&str]) -> String {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(str::as_bytes(p));
        h.update(&[0]);
    }
    h.finalize().to_hex()[..20].to_string()
}

/// The groups the wiki at this commit is made of, each with its documents made on demand.
enum Group<'k> {
    File(usize),
    Commit(usize),
    Page(&'k str, &'k str),
}

fn groups(k: &Knowledge) -> BTreeMap<String, Group<'_>> {
    let a = &k.analysis;
    let mut out = BTreeMap::new();
    let front = crate::parse::FRONT_END_VERSION.to_string();
    for (i, f) in a.parsed.files.iter().enumerate() {
        out.insert(
            format!("f{}", hash(&[&f.path, &f.blob, &front])),
            Group::File(i),
        );
    }
    for (i, c) in a.history.commits.iter().enumerate() {
        out.insert(format!("c{}", c.id), Group::Commit(i));
    }
    for (path, text) in &k.pages {
        if path == "README.md" || path.starts_with("parts/") {
            out.insert(format!("p{}", hash(&[path, text])), Group::Page(path, text));
        }
    }
    out
}

fn is_doc_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".md", ".markdown", ".rst", ".txt", ".adoc"]
        .iter()
        .any(|e| lower.ends_with(e))
}

fn docs_of(k: &Knowledge, group: &Group) -> Vec<Doc> {
    let a = &k.analysis;
    let mut docs = Vec::new();
    match *group {
        Group::File(i) => {
            let f = &a.parsed.files[i];
            // Its doc only: the symbols are passages of their own, and a list of every name
            // in a large file would match any question weakly and none well.
            docs.push(Doc {
                kind: "file",
                path: f.path.clone(),
                title: safe(&f.path),
                body: safe(&f.facts.module_doc),
                start: 0,
                end: 0,
                files: Vec::new(),
            });
            for s in &f.facts.symbols {
                docs.push(Doc {
                    kind: "symbol",
                    path: f.path.clone(),
                    title: safe(&format!("{} {}", s.kind.name(), s.name)),
                    body: safe(&format!("{}\n{}", s.signature, s.doc)),
                    start: s.start_line as u64,
                    end: s.end_line as u64,
                    files: Vec::new(),
                });
            }
            let text = a
                .snapshot
                .files
                .binary_search_by(|s| s.path.as_str().cmp(&f.path))
                .map(|j| a.snapshot.files[j].text.as_str())
                .unwrap_or("");
            let kind = if is_doc_file(&f.path) {
                "doc"
            } else {
                "source"
            };
            let lines: Vec<&str> = text.lines().collect();
            for (n, chunk) in lines.chunks(CHUNK_LINES).enumerate() {
                let start = n * CHUNK_LINES + 1;
                docs.push(Doc {
                    kind,
                    path: f.path.clone(),
                    title: safe(&f.path),
                    body: safe(&chunk.join("\n")),
                    start: start as u64,
                    end: (start + chunk.len() - 1) as u64,
                    files: Vec::new(),
                });
            }
        }
        Group::Commit(i) => {
            let c = &a.history.commits[i];
            let (subject, body) = c.message.split_once('\n').unwrap_or((&c.message, ""));
            let paths: Vec<&str> = c
                .changes
                .iter()
                .take(50)
                .map(|ch| ch.path.as_str())
                .collect();
            docs.push(Doc {
                kind: "commit",
                path: c.id.clone(),
                title: safe(subject),
                body: safe(&format!("{body}\n{}", paths.join("\n"))),
                start: 0,
                end: 0,
                files: if c.changes.len() <= 10 {
                    c.changes.iter().map(|ch| ch.path.clone()).collect()
                } else {
                    Vec::new()
                },
            });
        }
        Group::Page(path, text) => {
            // One passage per section: a question is about one thing.
            let page_title = text
                .lines()
                .find_map(|l| l.strip_prefix("# "))
                .unwrap_or(path)
                .to_string();
            let mut sections: Vec<(String, String)> = vec![(page_title.clone(), String::new())];
            for line in text.lines() {
                if let Some(h) = line.strip_prefix("## ") {
                    sections.push((format!("{page_title}: {h}"), String::new()));
                } else if let Some(last) = sections.last_mut() {
                    last.1.push_str(line);
                    last.1.push('\n');
                }
            }
            for (title, body) in sections {
                // Lists of files, names and commits: each of those is indexed on its own.
                let list = LIST_SECTIONS
                    .iter()
                    .any(|l| title.ends_with(&format!(": {l}")));
                if body.trim().is_empty() || list {
                    continue;
                }
                docs.push(Doc {
                    kind: "page",
                    path: path.to_string(),
                    title: safe(&title),
                    body: safe(&body),
                    start: 0,
                    end: 0,
                    files: Vec::new(),
                });
            }
        }
    }
    docs
}

fn index_error(dir: &Path, e: impl std::fmt::Display) -> Error {
    Error::Index {
        path: dir.to_path_buf(),
        message: e.to_string(),
    }
}

/// What the index holds, kept in its commit payload: its version, the file naming its groups,
/// and enough to answer from it alone when it is up to date (`SearchIndex::open_current`).
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Payload {
    version: u32,
    /// The groups are in a file of their own beside the index, named by their hash, not in
    /// the payload: tantivy reads its meta file whole each time the index is opened, and a
    /// long history's 30,000 commit groups made each open cost 40 ms.
    groups: String,
    /// The embedder whose vectors the documents hold ("" for none).
    #[serde(default)]
    embedder: String,
    /// The wiki it was last brought up to date with (`Knowledge::key`).
    #[serde(default)]
    wiki: String,
    /// The project's own name, in words (see `SearchIndex::own_name`).
    #[serde(default)]
    own_name: Vec<String>,
}

/// The index folder in a cache, refused when it is a link or not a folder.
fn index_dir(cache_dir: &Path) -> Result<PathBuf> {
    let dir = cache_dir.join("index");
    // Never through a link: the cache folder is ours, and so is everything in it.
    match std::fs::symlink_metadata(&dir) {
        Ok(m) if m.file_type().is_symlink() || !m.is_dir() => {
            Err(index_error(&dir, "is not a folder repowiki made"))
        }
        _ => Ok(dir),
    }
}

/// The groups the file `name` holds, when it is whole (its name is its text's hash).
fn read_groups(dir: &Path, name: &str) -> Option<BTreeSet<String>> {
    if name.is_empty() {
        return Some(BTreeSet::new());
    }
    let bytes = crate::confine::read(dir, Path::new(name)).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    (groups_file(&text) == name).then(|| text.lines().map(str::to_string).collect())
}

fn groups_file(text: &str) -> String {
    format!("groups-{}.txt", hash(&[text]))
}

/// Writes the groups' file (before the commit that names it) and returns its name.
fn write_groups(dir: &Path, groups: &BTreeSet<String>) -> Result<String> {
    let text: String = groups.iter().map(|g| format!("{g}\n")).collect();
    let name = groups_file(&text);
    crate::confine::write(dir, Path::new(&name), text.as_bytes(), true)
        .map_err(|e| index_error(dir, e))?;
    Ok(name)
}

/// Removes the groups' files that the index no longer names.
fn remove_other_groups(dir: &Path, keep: &str) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("groups-") && name != keep {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn payload_of(index: &Index) -> Option<Payload> {
    index
        .load_metas()
        .ok()?
        .payload
        .and_then(|p| serde_json::from_str(&p).ok())
}

fn reader_of(index: &Index, dir: &Path) -> Result<IndexReader> {
    index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
        .map_err(|e| index_error(dir, e))
}

impl SearchIndex {
    /// Opens the index of `k`'s wiki and brings it up to date: only the groups that changed
    /// since the last update are indexed. An index that cannot be read is made again.
    pub fn update(k: &Knowledge, embedder: Option<Embedder>) -> Result<SearchIndex> {
        let dir = index_dir(&k.cache_dir)?;
        if !dir.exists() {
            std::fs::create_dir(&dir).map_err(|e| index_error(&dir, e))?;
        }
        // tantivy writes its files by name: none of them may be a link planted there.
        crate::confine::no_links_within(&dir)?;
        let (schema, fields) = schema();
        let opened = Index::open_in_dir(&dir).ok().and_then(|index| {
            let payload = payload_of(&index)?;
            let same_embedder = payload.embedder == embedder.as_ref().map_or("", |e| &e.id);
            let groups = read_groups(&dir, &payload.groups)?;
            (payload.version == INDEX_VERSION && index.schema() == schema && same_embedder)
                .then_some((index, groups, payload.wiki))
        });
        let own_name: Vec<String> = [k.analysis.title.as_str(), k.name.as_str()]
            .iter()
            .flat_map(|n| query_terms(n))
            .collect();
        let (index, old, old_wiki) = match opened {
            Some(found) => found,
            None => {
                // Another version's files, or none: start afresh in the same folder.
                for entry in std::fs::read_dir(&dir).map_err(|e| index_error(&dir, e))? {
                    let entry = entry.map_err(|e| index_error(&dir, e))?;
                    if entry.file_type().is_ok_and(|t| t.is_file()) {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
                let index =
                    Index::create_in_dir(&dir, schema.clone()).map_err(|e| index_error(&dir, e))?;
                (index, BTreeSet::new(), String::new())
            }
        };
        let mut warnings = Vec::new();
        let mut failed = false;
        let want = groups(k);
        let gone: Vec<&String> = old.iter().filter(|g| !want.contains_key(*g)).collect();
        let new: Vec<(&String, &Group)> = want.iter().filter(|(g, _)| !old.contains(*g)).collect();
        let (added, removed) = (new.len(), gone.len());
        // The same documents from another wiki key (a new narrator that wrote the same): only
        // the payload is written again.
        if added + removed > 0 || old_wiki != k.key {
            let mut writer = writer(&index, &dir)?;
            for g in &gone {
                writer.delete_term(Term::from_field_text(fields.group, g));
            }
            use rayon::prelude::*;
            let docs: Vec<(&String, Vec<Doc>)> = new
                .par_iter()
                .map(|(g, group)| (*g, docs_of(k, group)))
                .collect();
            let mut vectors = match &embedder {
                Some(e) => {
                    // Commits rank by their words alone: there are tens of thousands in a
                    // long history, and their messages name what they are about.
                    let texts: Vec<Option<String>> = docs
                        .iter()
                        .flat_map(|(_, ds)| {
                            ds.iter()
                                .map(|d| (d.kind != "commit").then(|| embedding_text(d)))
                        })
                        .collect();
                    let wanted: Vec<String> = texts.iter().flatten().cloned().collect();
                    match embed_all(&k.cache_dir, e, &wanted) {
                        Ok(v) => {
                            let mut v = v.into_iter();
                            texts.iter().map(|t| t.as_ref().and_then(|_| v.next())).collect()
                        }
                        Err(why) => {
                            warnings.push(format!(
                                "warning: the embeddings server failed ({why}); ranking by words only"
                            ));
                            failed = true;
                            Vec::new()
                        }
                    }
                }
                None => Vec::new(),
            }
            .into_iter();
            for (g, docs) in docs {
                for d in docs {
                    let mut doc = TantivyDocument::default();
                    doc.add_text(fields.kind, d.kind);
                    doc.add_text(fields.path, &d.path);
                    doc.add_text(fields.title, &d.title);
                    doc.add_text(fields.body, &d.body);
                    doc.add_u64(fields.start, d.start);
                    doc.add_u64(fields.end, d.end);
                    doc.add_text(fields.group, g);
                    if !d.files.is_empty() {
                        doc.add_text(fields.files, d.files.join("\n"));
                    }
                    doc.add_text(
                        fields.words,
                        split_words(&format!("{} {} {}", d.path, d.title, d.body)),
                    );
                    if let Some(Some(v)) = vectors.next() {
                        let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                        doc.add_bytes(fields.vector, &bytes);
                    }
                    writer.add_document(doc).map_err(|e| index_error(&dir, e))?;
                }
            }
            // Without the vectors asked for, nothing is kept as done: the next update tries
            // again from the start.
            let groups = match failed {
                true => String::new(),
                false => write_groups(&dir, &want.keys().cloned().collect())?,
            };
            let payload = Payload {
                version: INDEX_VERSION,
                groups: groups.clone(),
                embedder: match (&embedder, failed) {
                    (Some(e), false) => e.id.clone(),
                    _ => String::new(),
                },
                wiki: if failed { String::new() } else { k.key.clone() },
                own_name: own_name.clone(),
            };
            let mut commit = writer.prepare_commit().map_err(|e| index_error(&dir, e))?;
            commit.set_payload(&serde_json::to_string(&payload).unwrap_or_default());
            commit.commit().map_err(|e| index_error(&dir, e))?;
            writer
                .wait_merging_threads()
                .map_err(|e| index_error(&dir, e))?;
            remove_other_groups(&dir, &groups);
        }
        let reader = reader_of(&index, &dir)?;
        let vectors = if embedder.is_some() && !failed {
            load_vectors(&reader, &fields)
        } else {
            Vec::new()
        };
        Ok(SearchIndex {
            own_name,
            index,
            reader,
            fields,
            dir,
            embedder: embedder.filter(|_| !failed),
            vectors,
            warnings,
            added,
            removed,
        })
    }

    /// The index in `cache_dir` when it was last brought up to date with the wiki `key` (and
    /// the same embedder): then it answers alone, without the wiki read back into memory, which
    /// is what makes a `repowiki ask` on a large repository take milliseconds, not seconds.
    /// None when it is missing, of another version, or behind.
    pub fn open_current(
        cache_dir: &Path,
        key: &str,
        embedder: &mut Option<Embedder>,
    ) -> Result<Option<SearchIndex>> {
        let dir = index_dir(cache_dir)?;
        if !dir.is_dir() {
            return Ok(None);
        }
        crate::confine::no_links_within(&dir)?;
        let (schema, fields) = schema();
        let Ok(index) = Index::open_in_dir(&dir) else {
            return Ok(None);
        };
        let Some(payload) = payload_of(&index) else {
            return Ok(None);
        };
        let embedder_id = embedder.as_ref().map_or("", |e| e.id.as_str());
        if payload.version != INDEX_VERSION
            || index.schema() != schema
            || payload.embedder != embedder_id
            || payload.wiki.is_empty()
            || payload.wiki != key
        {
            return Ok(None);
        }
        let reader = reader_of(&index, &dir)?;
        let vectors = match embedder {
            Some(_) => load_vectors(&reader, &fields),
            None => Vec::new(),
        };
        Ok(Some(SearchIndex {
            own_name: payload.own_name,
            index,
            reader,
            fields,
            dir,
            embedder: embedder.take(),
            vectors,
            warnings: Vec::new(),
            added: 0,
            removed: 0,
        }))
    }

    /// The best `limit` results for `query`, of the given kinds (all when empty) and under a
    /// path prefix.
    pub fn search(
        &self,
        query: &str,
        kinds: &[String],
        under: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Hit>, Refusal> {
        if query.len() > MAX_QUESTION {
            return Err(Refusal(format!(
                "the question is {} bytes long; at most {MAX_QUESTION} are taken",
                query.len()
            )));
        }
        for kind in kinds {
            if !KINDS.contains(&kind.as_str()) {
                return Err(Refusal(format!(
                    "no kind '{kind}': the kinds are {}",
                    KINDS.join(", ")
                )));
            }
        }
        let mut terms = query_terms(query);
        if terms.iter().any(|t| !self.own_name.contains(t)) {
            terms.retain(|t| !self.own_name.contains(t));
        }
        if terms.is_empty() {
            return Err(Refusal("the question has no word to search for".into()));
        }
        let f = &self.fields;
        let mut parser =
            QueryParser::for_index(&self.index, vec![f.title, f.body, f.path, f.words]);
        parser.set_field_boost(f.title, 2.0);
        parser.set_field_boost(f.path, 1.5);
        let (q, _) = parser.parse_query_lenient(&terms.join(" "));
        let limit = limit.clamp(1, MAX_RESULTS);
        let searcher = self.reader.searcher();
        // Filtered after scoring: ask for more, then keep those of the kinds and path asked for.
        let filtered = !kinds.is_empty() || under.is_some();
        let want = if filtered { limit * 20 } else { limit * 10 };
        let top = searcher
            .search(&q, &TopDocs::with_limit(want).order_by_score())
            .map_err(|e| Refusal(format!("the search failed: {e}")))?;
        let mut candidates: Vec<Hit> = top
            .iter()
            .filter_map(|&(score, addr)| self.hit(&searcher, addr, score))
            .collect();
        if let (Some(e), false) = (&self.embedder, self.vectors.is_empty()) {
            // Hybrid: the ranks by words and by meaning, fused (reciprocal rank fusion).
            // A server that cannot answer now leaves the ranking to the words.
            let by_meaning = self.nearest(e, query, want).unwrap_or_default();
            let mut fused: Vec<(f32, tantivy::DocAddress)> = Vec::new();
            let mut rank_of: std::collections::HashMap<tantivy::DocAddress, f32> =
                Default::default();
            for (r, (_, addr)) in top.iter().enumerate() {
                *rank_of.entry(*addr).or_default() += 1.0 / (60.0 + r as f32);
            }
            for (r, addr) in by_meaning.iter().enumerate() {
                *rank_of.entry(*addr).or_default() += 1.0 / (60.0 + r as f32);
            }
            fused.extend(rank_of.into_iter().map(|(a, s)| (s, a)));
            candidates = fused
                .into_iter()
                .filter_map(|(score, addr)| self.hit(&searcher, addr, score))
                .collect();
        }
        for hit in &mut candidates {
            hit.score *= kind_weight(&hit.kind) * path_weight(&hit.kind, &hit.path);
        }
        candidates.sort_by(|x, y| y.score.total_cmp(&x.score));
        let mut hits = Vec::new();
        let mut per_path: std::collections::HashMap<String, usize> = Default::default();
        for hit in candidates {
            if !kinds.is_empty() && !kinds.contains(&hit.kind) {
                continue;
            }
            if let Some(prefix) = under {
                let prefix = prefix.trim_end_matches('/');
                if hit.path != prefix && !hit.path.starts_with(&format!("{prefix}/")) {
                    continue;
                }
            }
            // At most two passages of one file or page: the others are better spent elsewhere.
            let seen = per_path.entry(hit.path.clone()).or_insert(0usize);
            if *seen == PER_PATH {
                continue;
            }
            *seen += 1;
            hits.push(hit);
            if hits.len() == limit {
                break;
            }
        }
        Ok(hits)
    }
}

impl SearchIndex {
    /// A stored document as a result.
    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        addr: tantivy::DocAddress,
        score: f32,
    ) -> Option<Hit> {
        let f = &self.fields;
        let doc = searcher.doc::<TantivyDocument>(addr).ok()?;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let num = |field: Field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        let kind = text(f.kind);
        let path = text(f.path);
        let files = match kind.as_str() {
            "page" => Vec::new(),
            "commit" => text(f.files).lines().map(str::to_string).collect(),
            _ => vec![path.clone()],
        };
        Some(Hit {
            files,
            kind,
            path,
            start: num(f.start),
            end: num(f.end),
            title: text(f.title),
            text: text(f.body),
            score,
        })
    }

    /// The `n` passages nearest the question in meaning (cosine of normalised vectors).
    fn nearest(
        &self,
        e: &Embedder,
        query: &str,
        n: usize,
    ) -> Result<Vec<tantivy::DocAddress>, Refusal> {
        let q = e
            .embed(&[query])
            .map_err(|why| Refusal(format!("the embeddings server failed: {why}")))?;
        let q = normalised(q.into_iter().next().unwrap_or_default());
        let mut scored: Vec<(f32, tantivy::DocAddress)> = self
            .vectors
            .iter()
            .filter(|(_, v)| v.len() == q.len())
            .map(|(a, v)| (v.iter().zip(&q).map(|(x, y)| x * y).sum::<f32>(), *a))
            .collect();
        scored.sort_by(|x, y| y.0.total_cmp(&x.0));
        Ok(scored.into_iter().take(n).map(|(_, a)| a).collect())
    }
}

fn normalised(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// Every document's vector, read once when the index is opened.
fn load_vectors(reader: &IndexReader, fields: &Fields) -> Vec<(tantivy::DocAddress, Vec<f32>)> {
    let searcher = reader.searcher();
    let mut out = Vec::new();
    for (s, segment) in searcher.segment_readers().iter().enumerate() {
        let Ok(store) = segment.get_store_reader(64) else {
            continue;
        };
        let alive = segment.alive_bitset();
        for id in 0..segment.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(id)) {
                continue;
            }
            let Ok(doc) = store.get::<TantivyDocument>(id) else {
                continue;
            };
            if let Some(bytes) = doc.get_first(fields.vector).and_then(|v| v.as_bytes()) {
                let v: Vec<f32> = bytes
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                out.push((tantivy::DocAddress::new(s as u32, id), normalised(v)));
            }
        }
    }
    out
}

/// What a passage's vector is made from.
fn embedding_text(d: &Doc) -> String {
    let mut text = format!("{}\n{}", d.title, d.body);
    let mut cut = text.len().min(2_000);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    text
}

/// Vectors for every text, each asked of the server once per content: kept in
/// `<cache>/embeddings/<embedder>.bin` (32-byte content hash, u32 length, f32s), so that
/// passages seen before, in any file or commit, cost nothing.
fn embed_all(
    cache_dir: &Path,
    e: &Embedder,
    texts: &[String],
) -> std::result::Result<Vec<Vec<f32>>, String> {
    let dir = cache_dir.join("embeddings");
    match std::fs::symlink_metadata(&dir) {
        Ok(m) if m.file_type().is_symlink() || !m.is_dir() => {
            return Err(format!("{} is not a folder repowiki made", dir.display()));
        }
        Ok(_) => {}
        Err(_) => std::fs::create_dir(&dir).map_err(|err| err.to_string())?,
    }
    let file = dir.join(format!("{}.bin", &hash(&[&e.id])));
    let mut known: std::collections::HashMap<[u8; 32], Vec<f32>> = Default::default();
    let is_link = std::fs::symlink_metadata(&file).is_ok_and(|m| m.file_type().is_symlink());
    if let Some(bytes) = (!is_link).then(|| std::fs::read(&file).ok()).flatten() {
        let mut at = 0;
        while at + 36 <= bytes.len() {
            let key: [u8; 32] = bytes[at..at + 32].try_into().expect("32 bytes");
            let n =
                u32::from_le_bytes(bytes[at + 32..at + 36].try_into().expect("4 bytes")) as usize;
            let end = at + 36 + n * 4;
            if end > bytes.len() {
                break;
            }
            let v = bytes[at + 36..end]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            known.insert(key, v);
            at = end;
        }
    }
    let keys: Vec<[u8; 32]> = texts
        .iter()
        .map(|t| *blake3::hash(t.as_bytes()).as_bytes())
        .collect();
    let mut missing: Vec<usize> = (0..texts.len())
        .filter(|&i| !known.contains_key(&keys[i]))
        .collect();
    missing.dedup_by_key(|i| keys[*i]);
    // Each batch is kept as soon as it comes: a long first run that is stopped loses little.
    for batch in missing.chunks(crate::narrate::backend::embeddings::BATCH) {
        use std::io::Write;
        let input: Vec<&str> = batch.iter().map(|&i| texts[i].as_str()).collect();
        let vectors = e.embed(&input)?;
        let mut bytes = Vec::new();
        for (&i, v) in batch.iter().zip(vectors) {
            bytes.extend_from_slice(&keys[i]);
            bytes.extend_from_slice(&(v.len() as u32).to_le_bytes());
            for x in &v {
                bytes.extend_from_slice(&x.to_le_bytes());
            }
            known.insert(keys[i], v);
        }
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&file)
            .map_err(|err| err.to_string())?;
        f.write_all(&bytes).map_err(|err| err.to_string())?;
    }
    Ok(keys
        .iter()
        .map(|k| known.get(k).cloned().unwrap_or_default())
        .collect())
}

/// A writer for the index, waiting a while for another process that holds it.
fn writer(index: &Index, dir: &Path) -> Result<IndexWriter> {
    let started = std::time::Instant::now();
    loop {
        match index.writer_with_num_threads(1, 64_000_000) {
            Ok(w) => return Ok(w),
            Err(tantivy::TantivyError::LockFailure(..))
                if started.elapsed() < std::time::Duration::from_secs(30) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(e) => return Err(index_error(dir, e)),
        }
    }
}

/// Words that say nothing about where an answer is.
const STOP: [&str; 40] = [
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how",
    "i", "in", "is", "it", "of", "on", "or", "that", "the", "this", "to", "what", "when", "where",
    "which", "who", "why", "with", "you", "we", "there", "they", "its", "get", "gets", "into",
];

/// The question's words, plain: nothing in it is query syntax.
fn query_terms(question: &str) -> Vec<String> {
    format!("{question} {}", split_words(question))
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !STOP.contains(&w.as_str()))
        .collect()
}

/// The model that writes answers, with the budget its settings give it.
pub struct AnswerModel {
    pub backend: Box<dyn Backend>,
    /// Tokens of passages one prompt may hold (`model.context-tokens`).
    pub context_tokens: usize,
    /// Tokens the answer may take (`model.max-output-tokens`).
    pub max_output_tokens: u32,
}

/// The answer to a question. With a model, written by it from the best passages only, every
/// citation in it checked at the built commit (one that does not resolve is marked), and the
/// passages listed after it; with none (or when the model fails), the passages themselves,
/// ranked, each with its citation checked.
pub fn answer(
    k: &Knowledge,
    index: &SearchIndex,
    question: &str,
    limit: usize,
    model: Option<&AnswerModel>,
) -> Result<String, Refusal> {
    let hits = index.search(question, &[], None, limit)?;
    let found = |hit: &Hit| cites(k, hit);
    if let (Some(model), false) = (model, hits.is_empty()) {
        let mut out = format!("{}\n\nQuestion: {}\n\n", k.stamp(), question.trim());
        match written(k, model, question, &hits) {
            Ok(text) => {
                out += &text;
                out += "\n\n## Sources (the passages the answer was written from)\n\n";
                for (n, hit) in hits.iter().enumerate() {
                    out += &format!("- {}\n", headline(n + 1, hit, found(hit)));
                }
                return Ok(finish(out));
            }
            Err(why) => {
                let note = format!("(The model did not answer: {why}. The passages follow.)");
                return Ok(passages(&k.stamp(), question, &hits, &note, &found));
            }
        }
    }
    Ok(passages(&k.stamp(), question, &hits, NO_MODEL, &found))
}

const NO_MODEL: &str = "The passages that answer it best, ranked (no model is configured: these are the sources, not a written answer):";

/// The answer from an index that is current (`SearchIndex::open_current`), with no model and
/// no wiki in memory: every place in the index was read from the snapshot at the commit the
/// stamp names, so each citation resolves there.
pub fn answer_from_index(
    stamp: &str,
    index: &SearchIndex,
    question: &str,
    limit: usize,
) -> Result<String, Refusal> {
    let hits = index.search(question, &[], None, limit)?;
    Ok(passages(stamp, question, &hits, NO_MODEL, &|_| true))
}

/// The passages as the answer, ranked, each under its checked citation.
fn passages(
    stamp: &str,
    question: &str,
    hits: &[Hit],
    note: &str,
    found: &dyn Fn(&Hit) -> bool,
) -> String {
    let mut out = format!("{stamp}\n\nQuestion: {}\n\n", question.trim());
    if hits.is_empty() {
        out += "Nothing in the wiki, the code or the history matches this question.\n";
        return finish(out);
    }
    let _ = writeln!(out, "{note}\n");
    for (n, hit) in hits.iter().enumerate() {
        let _ = writeln!(
            out,
            "## {}\n\n{}\n",
            headline(n + 1, hit, found(hit)),
            hit.title
        );
        let excerpt: Vec<&str> = hit.text.lines().take(12).collect();
        let _ = writeln!(
            out,
            "```\n{}\n```\n",
            excerpt.join("\n").replace("```", "ʼʼʼ")
        );
    }
    finish(out)
}

const ANSWER_SYSTEM: &str = "You answer questions about a software repository for a developer who is new to it. Use only the numbered passages you are given: they are from the repository's code, docs, commit messages and wiki at one commit. Cite each claim with the passage's place in backticks exactly as given, like `src/lib.rs:10-20` or `commit 1a2b3c4`. If the passages do not answer the question, say so plainly; never guess. Answer in a few short paragraphs of markdown.";

/// The model's answer from the passages, with its citations checked.
fn written(
    k: &Knowledge,
    model: &AnswerModel,
    question: &str,
    hits: &[Hit],
) -> Result<String, String> {
    let mut user = format!("Question: {}\n\nPassages:\n", question.trim());
    // About four bytes a token: the passages share the prompt's budget, each cut to its part.
    let share = model.context_tokens * 4 / hits.len().max(1);
    for (n, hit) in hits.iter().enumerate() {
        let text: Vec<&str> = hit.text.lines().take(60).collect();
        let mut text = text.join("\n");
        if text.len() > share {
            let mut cut = share;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text += " […]";
        }
        let _ = write!(
            user,
            "\n[{}] `{}` ({}: {})\n{}\n",
            n + 1,
            hit.citation(),
            hit.kind,
            hit.title.lines().next().unwrap_or(""),
            text
        );
    }
    let prompt = Prompt {
        system: ANSWER_SYSTEM,
        user: &crate::secrets::clean(&user),
        max_tokens: model.max_output_tokens,
        temperature: 0.1,
    };
    let completion = model.backend.complete(&prompt)?;
    Ok(check_citations(k, completion.text.trim()))
}

/// Every `path:lines` (or `path:line`) the text cites, checked at the built commit: one that
/// names no file there, or lines past its end, is marked.
pub fn check_citations(k: &Knowledge, text: &str) -> String {
    static CITE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let cite = CITE.get_or_init(|| {
        regex::Regex::new(r"([A-Za-z0-9_][A-Za-z0-9_./+-]*\.[A-Za-z0-9]+):([0-9]+)(?:-([0-9]+))?")
            .expect("a valid pattern")
    });
    let files = &k.analysis.snapshot.files;
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for m in cite.captures_iter(text) {
        let whole = m.get(0).expect("the whole match");
        let path = &m[1];
        let start: u64 = m[2].parse().unwrap_or(0);
        let end: u64 = m
            .get(3)
            .and_then(|e| e.as_str().parse().ok())
            .unwrap_or(start);
        let lines = files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| files[i].text.lines().count() as u64);
        let ok = lines.is_some_and(|n| start >= 1 && start <= end && end <= n.max(1));
        // After the closing backtick, when the citation is in one.
        let mut close = whole.end();
        if text[close..].starts_with('`') {
            close += 1;
        }
        out.push_str(&text[at..close]);
        if !ok {
            out.push_str(" *(not found at this commit)*");
        }
        at = close;
    }
    out.push_str(&text[at..]);
    check_paths(k, &out)
}

/// Every path the text names in backticks (`src/app.rs`, `crates/ignore/`), checked at the
/// built commit: one that names no file or folder there is marked.
fn check_paths(k: &Knowledge, text: &str) -> String {
    static SPAN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let span = SPAN.get_or_init(|| {
        regex::Regex::new(r"`([A-Za-z0-9_.][A-Za-z0-9_./+-]*/[A-Za-z0-9_./+-]*|[A-Za-z0-9_][A-Za-z0-9_+-]*\.(?:rs|py|ts|tsx|js|jsx|mjs|go|java|kt|c|h|cc|cpp|hpp|rb|php|cs|md|rst|toml|json|ya?ml|txt|lock|cfg|ini))`")
            .expect("a valid pattern")
    });
    let files = &k.analysis.snapshot.files;
    let exists = |p: &str| {
        let p = p.trim_end_matches('/');
        let at = files.partition_point(|f| f.path.as_str() < p);
        files.get(at).is_some_and(|f| {
            f.path == p || (f.path.starts_with(p) && f.path.as_bytes().get(p.len()) == Some(&b'/'))
        }) || k.analysis.snapshot.skipped.iter().any(|f| f.path == p)
            || files.iter().any(|f| f.path.ends_with(&format!("/{p}")))
    };
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for m in span.captures_iter(text) {
        let whole = m.get(0).expect("the whole match");
        let path = &m[1];
        // A `path:lines` was checked already; a URL or a version is no path.
        let marked = text[whole.end()..].starts_with(" *(not found");
        if marked || path.contains("://") || !exists(path) && path.contains("..") {
            continue;
        }
        out.push_str(&text[at..whole.end()]);
        if !exists(path) {
            out.push_str(" *(not found at this commit)*");
        }
        at = whole.end();
    }
    out.push_str(&text[at..]);
    out
}

/// A result's first line: its rank, kind, citation and, for a commit, the files it changed;
/// `found`: whether its place exists at the built commit.
pub fn headline(n: usize, hit: &Hit, found: bool) -> String {
    let mut line = format!("{n}. [{}] {}", hit.kind, hit.citation());
    if hit.kind == "commit" && !hit.files.is_empty() {
        line += &format!(" (changed {})", hit.files.join(", "));
    }
    if !found {
        line += " (not found at this commit)";
    }
    line
}

/// Whether a result's place exists at the built commit: its file and lines, its page, its
/// commit.
pub fn cites(k: &Knowledge, hit: &Hit) -> bool {
    let a = &k.analysis;
    match hit.kind.as_str() {
        "commit" => a.history.commits.iter().any(|c| c.id == hit.path),
        "page" => k.pages.contains_key(&hit.path),
        _ => a
            .snapshot
            .files
            .binary_search_by(|f| f.path.as_str().cmp(&hit.path))
            .is_ok_and(|i| {
                let lines = a.snapshot.files[i].text.lines().count() as u64;
                hit.end <= lines.max(1) && hit.start <= hit.end.max(hit.start)
            }),
    }
}
