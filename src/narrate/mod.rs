//! Stage 7: a narrative for each part of the system and one for the whole repository.
//!
//! A `Narrator` turns the facts gathered here (`facts.rs`) into markdown. Links in that markdown
//! that start with `/` are relative to the site root; the site stage makes them relative to
//! each page. The built-in narrator needs no model; model backends implement the same trait.

pub mod backend;
pub mod builtin;
pub mod facts;
pub mod flows;
pub mod model;
pub mod typemap;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use facts::{ClusterFacts, OverviewFacts};

use crate::cache::{CacheUse, Space};
use crate::error::Result;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Narrative {
    /// One line, plain text: what the part is, for lists and the overview.
    pub summary: String,
    /// The narrative itself, in markdown.
    pub markdown: String,
    /// The id of the narrator that wrote it.
    pub narrator: String,
    /// Set when this is not the narrator's answer for this build (its call failed, and an
    /// earlier narrative or the built-in narrator's text stands in): shown on the page.
    #[serde(default)]
    pub note: String,
}

/// Calls made and tokens used, as the model servers reported them.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Usage {
    pub calls: usize,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

pub trait Narrator: Send + Sync {
    /// Names the narrator and every setting that changes its output (model, options): part of
    /// the cache key of what it writes.
    fn id(&self) -> String;
    fn narrate_part(&self, facts: &ClusterFacts) -> Result<Narrative>;
    /// Written last, when `facts.parts` carries each part's summary.
    fn narrate_overview(&self, facts: &OverviewFacts) -> Result<Narrative>;
    /// How many parts may be narrated at once.
    fn concurrency(&self) -> usize {
        rayon::current_num_threads()
    }
    /// About how many tokens narrating this part would use (none: it costs nothing).
    fn estimate_part(&self, _facts: &ClusterFacts) -> Option<u64> {
        None
    }
    fn estimate_overview(&self, _facts: &OverviewFacts) -> Option<u64> {
        None
    }
    fn usage(&self) -> Usage {
        Usage::default()
    }
}

/// The id of the narrator a configuration asks for, without making it (no key needed).
pub fn narrator_id(
    config: &crate::config::ModelConfig,
    prompt_dir: Option<&std::path::Path>,
) -> String {
    match config.provider {
        crate::config::Provider::Builtin => builtin::BuiltinNarrator.id(),
        _ => model::model_id(config, &model::prompt_texts(prompt_dir)),
    }
}

/// The narrator a configuration asks for: the built-in one, or a model behind a backend, with
/// the prompt templates that `prompt_dir` overrides.
pub fn narrator_for(
    config: &crate::config::ModelConfig,
    prompt_dir: Option<&std::path::Path>,
) -> Result<Box<dyn Narrator>> {
    match backend::for_config(config)? {
        None => Ok(Box::new(builtin::BuiltinNarrator)),
        Some(b) => Ok(Box::new(model::ModelNarrator::new(config, b, prompt_dir)?)),
    }
}

#[derive(Debug, Clone, Default)]
pub struct Narratives {
    /// In cluster order.
    pub parts: Vec<Narrative>,
    pub overview: Option<Narrative>,
    /// Calls made to the narrator in this build, and narratives taken from the cache.
    pub calls: usize,
    pub cached: usize,
    /// The parts narrated in this build (not from the cache), by index.
    pub narrated: Vec<usize>,
    /// Calls that failed, one line each: the part and why.
    pub failures: Vec<String>,
}

/// The cache entry that remembers a part's last good narrative, whatever its input was.
fn last_key(part_id: &str) -> String {
    format!("last:{part_id}")
}

/// What stands in for a narrative whose call failed: the part's last good narrative if there
/// is one, else the built-in narrator's text; either way marked.
fn stand_in(facts: &ClusterFacts, cache: &CacheUse, why: &str) -> Result<Narrative> {
    let last = cache
        .get::<String>(Space::Narratives, &last_key(&facts.id))
        .and_then(|key| cache.get::<Narrative>(Space::Narratives, &key));
    if let Some(mut n) = last {
        n.note = format!("Kept from an earlier build: this build's narrator call failed ({why}).");
        return Ok(n);
    }
    let mut n = builtin::BuiltinNarrator.narrate_part(facts)?;
    n.note = format!("Written by the built-in narrator: the model call failed ({why}).");
    Ok(n)
}

/// The cache key of a narrative: a hash of the narrator's identity and of exactly what it is
/// given. A narrator is deterministic in these, so equal keys mean equal narratives.
pub fn narrative_key(narrator: &dyn Narrator, input: &impl Serialize) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(narrator.id().as_bytes());
    hasher.update(b"\n");
    hasher.update(&serde_json::to_vec(input).expect("facts serialise"));
    hasher.finalize().to_hex().to_string()
}

/// Narrates every part (in parallel; results kept in cluster order), then the overview. A
/// narrative already written for the same input comes from the cache; a new one is cached as
/// soon as it arrives, so an interrupted build loses none.
pub fn narrate(
    parts: &[ClusterFacts],
    overview: &OverviewFacts,
    narrator: &dyn Narrator,
    cache: &CacheUse,
) -> Result<Narratives> {
    let cached = AtomicUsize::new(0);
    let narrated_now: Vec<AtomicBool> = parts.iter().map(|_| AtomicBool::new(false)).collect();
    let failures = std::sync::Mutex::new(Vec::new());
    let keys: Vec<String> = parts.iter().map(|f| narrative_key(narrator, f)).collect();
    let costly = parts
        .first()
        .is_some_and(|f| narrator.estimate_part(f).is_some());
    // Model calls wait on the network, not the CPU: as many at once as the narrator allows.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(narrator.concurrency().max(1))
        .build()
        .map_err(|e| crate::error::Error::Narrator {
            narrator: narrator.id(),
            message: format!("cannot start the narration threads: {e}"),
        })?;
    let narrated: Vec<Narrative> = pool.install(|| {
        parts
            .par_iter()
            .zip(&keys)
            .enumerate()
            .map(|(i, (f, key))| {
                if let Some(n) = cache.get::<Narrative>(Space::Narratives, key) {
                    cached.fetch_add(1, Ordering::Relaxed);
                    return Ok(n);
                }
                narrated_now[i].store(true, Ordering::Relaxed);
                match narrator.narrate_part(f) {
                    Ok(n) => {
                        // Cached as soon as it arrives, durably when it cost a model call: an
                        // interrupted build loses nothing it paid for.
                        cache.put(Space::Narratives, &last_key(&f.id), key);
                        if costly {
                            cache.put_durable(Space::Narratives, key, &n);
                        } else {
                            cache.put(Space::Narratives, key, &n);
                        }
                        Ok(n)
                    }
                    Err(e) => {
                        let why = e.to_string();
                        failures
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(format!("{}: {why}", f.name));
                        stand_in(f, cache, &why)
                    }
                }
            })
            .collect::<Result<Vec<_>>>()
    })?;
    let mut overview = overview.clone();
    for (part, n) in overview.parts.iter_mut().zip(&narrated) {
        part.summary = n.summary.clone();
    }
    let overview_key = narrative_key(narrator, &overview);
    let overview = match cache.get::<Narrative>(Space::Narratives, &overview_key) {
        Some(n) => {
            cached.fetch_add(1, Ordering::Relaxed);
            n
        }
        None => match narrator.narrate_overview(&overview) {
            Ok(n) => {
                cache.put(Space::Narratives, &overview_key, &n);
                n
            }
            Err(e) => {
                let why = e.to_string();
                failures
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(format!("overview: {why}"));
                let mut n = builtin::BuiltinNarrator.narrate_overview(&overview)?;
                n.note =
                    format!("Written by the built-in narrator: the model call failed ({why}).");
                n
            }
        },
    };
    let cached = cached.into_inner();
    let narrated_parts = (0..parts.len())
        .filter(|&i| narrated_now[i].load(Ordering::Relaxed))
        .collect();
    Ok(Narratives {
        failures: failures.into_inner().unwrap_or_else(|p| p.into_inner()),
        narrated: narrated_parts,
        calls: narrated.len() + 1 - cached,
        cached,
        parts: narrated,
        overview: Some(overview),
    })
}

/// Escapes text so that markdown shows it as written.
pub fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '&' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A markdown code span that holds `text` whatever backticks it contains.
pub fn md_code(text: &str) -> String {
    let text = text.replace('\n', " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest > 0 || text.starts_with(' ') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// The first sentence of the first paragraph of a doc text, on one line, as plain text
/// (markdown marks dropped: summaries are shown as text).
pub fn first_sentence(doc: &str) -> String {
    let mut lines = doc
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty() || l.starts_with('#'))
        .peekable();
    // A doc that is only a deprecation says so; other tags and fields are no summary.
    let deprecated = lines
        .peek()
        .and_then(|l| l.strip_prefix("@deprecated"))
        .filter(|rest| rest.is_empty() || rest.starts_with(' '))
        .map(|rest| format!("Deprecated: {}", rest.trim()));
    if deprecated.is_some() {
        lines.next();
    }
    let mut para: Vec<String> = deprecated.into_iter().collect();
    para.extend(
        lines
            .take_while(|l| !l.is_empty() && !reference_part(l))
            .map(str::to_string),
    );
    let para = plain_text(&para.join(" "));
    let end = para
        .char_indices()
        .find(|&(i, c)| c == '.' && para[i + 1..].starts_with(' '))
        .map(|(i, _)| i + 1)
        .unwrap_or(para.len());
    let mut s = para[..end].to_string();
    if s.chars().count() > 200 {
        s = s.chars().take(199).collect::<String>() + "…";
    }
    s
}

/// A line that starts a docstring's fields (`:param x:`), a directive (`.. note::`), a JSDoc
/// tag (`@param`) or a Google section (`Args:`).
pub(crate) fn reference_part(line: &str) -> bool {
    let t = line.trim();
    let field = t.starts_with(':')
        && t[1..]
            .split_once(':')
            .is_some_and(|(name, _)| !name.is_empty() && !name.contains('`'));
    let tag = t.starts_with('@') && t[1..].starts_with(|c: char| c.is_ascii_alphabetic());
    let section = t.strip_suffix(':').is_some_and(|s| {
        [
            "Args",
            "Arguments",
            "Parameters",
            "Returns",
            "Raises",
            "Yields",
            "Example",
            "Examples",
            "Attributes",
        ]
        .contains(&s)
    });
    field || tag || section || t.starts_with(".. ")
}

/// The text of inline markdown without its marks: `*a* \`b\` [c](d)` -> `a b c`. The marks of
/// the doc dialects go too: rustdoc's intra-doc links (`[Foo::bar]`, `` [`Foo`] ``) keep their
/// words, Sphinx roles (``:meth:`~pkg.Class.run` ``) their target (the last name after `~`).
pub fn plain_text(md: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    // An empty doc (many symbols have none) starts no markdown parser: it would find nothing.
    if md.trim().is_empty() {
        return String::new();
    }
    static ROLE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r":(?:[a-z]+:)?(?:func|meth|class|mod|attr|data|exc|obj|ref|const|term|doc|py:[a-z]+):(~|\.)?([A-Za-z_][\w.]*)")
            .expect("a valid pattern")
    });
    // JSDoc's and Javadoc's inline tags: `{@code x}` is x, `{@link Type#member label}` its
    // label or its target.
    static INLINE_TAG: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"\{@(code|literal|link|linkplain|linkcode|value)\s+([^{}\s|]+)(?:[\s|]+([^{}]*))?\}",
        )
        .expect("a valid pattern")
    });
    // The HTML Javadoc writes its prose in: formatting, not words.
    static FORMATTING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^</?(p|br|b|i|em|strong|code|tt|pre|ul|ol|li|a|sup|sub|span|div|blockquote)(\s[^>]*)?/?>$")
            .expect("a valid pattern")
    });
    let md = INLINE_TAG.replace_all(md, |c: &regex::Captures| {
        let target = c[2].trim_start_matches('#').replace('#', ".");
        let rest = c.get(3).map_or("", |m| m.as_str()).trim();
        match &c[1] {
            "code" | "literal" | "value" if !rest.is_empty() => format!("{} {rest}", &c[2]),
            "code" | "literal" | "value" => c[2].to_string(),
            _ if !rest.is_empty() && !target.contains('(') => rest.to_string(),
            _ => target.split('(').next().unwrap_or(&target).to_string(),
        }
    });
    // An intra-doc link names no URL: read as a link, its words stay and its brackets go.
    let mut broken = |_: pulldown_cmark::BrokenLink<'_>| Some(("#".into(), "".into()));
    let mut out = String::new();
    for event in Parser::new_with_broken_link_callback(
        &md,
        pulldown_cmark::Options::empty(),
        Some(&mut broken),
    ) {
        match event {
            Event::InlineHtml(t) | Event::Html(t) if FORMATTING.is_match(t.trim()) => {}
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) | Event::Html(t) => {
                out.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    let out = ROLE.replace_all(&out, |c: &regex::Captures| match c.get(1) {
        Some(_) => c[2].rsplit('.').next().unwrap_or(&c[2]).to_string(),
        None => c[2].to_string(),
    });
    out.trim().to_string()
}

/// Quoted words of a doc or README as markdown any page can show: marks that only mean
/// something where they were written become what they say. Sphinx roles and rustdoc intra-doc
/// links (`[Foo]`, `` [`Foo`] ``) become code, reference links (`[guide][g]`) and links to
/// the other site's pages (`[x](struct.Foo.html)`) their words, `:emoji:` shortcodes go.
pub fn quote_markdown(text: &str) -> String {
    use regex::Regex;
    use std::sync::LazyLock;
    static ROLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r":(?:[a-z]+:)?[a-z][a-z0-9-]*:`(?:[^`<]*<)?~?([^`>]+)>?`")
            .expect("a valid pattern")
    });
    static REFERENCE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\[([^\]\[]+)\]\[[^\]]*\]").expect("a valid pattern"));
    static LINK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\[([^\]\[]+)\]\(([^)\s]*)\)").expect("a valid pattern"));
    static INTRA: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\[(`?)([A-Za-z_][\w:@!().]*)`?\]([^(\[:]|$)").expect("a valid pattern")
    });
    static EMOJI: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(^|\s):[a-z0-9_+-]+:(\s|$)").expect("a valid pattern"));
    let t = ROLE.replace_all(text, |c: &regex::Captures| format!("`{}`", &c[1]));
    let t = REFERENCE.replace_all(&t, "$1");
    let t = LINK.replace_all(&t, |c: &regex::Captures| {
        let url = c[2].to_ascii_lowercase();
        if ["https://", "http://", "mailto:"]
            .iter()
            .any(|s| url.starts_with(s))
        {
            c[0].to_string()
        } else {
            c[1].to_string()
        }
    });
    let t = INTRA.replace_all(&t, |c: &regex::Captures| {
        let name = c[2].split_once('@').map_or(&c[2], |(_, n)| n);
        // `[optional]` is prose; `[Foo]`, `[foo()]`, `[a::b]` and `` [`x`] `` name code.
        let code = !c[1].is_empty()
            || name.starts_with(|ch: char| ch.is_uppercase())
            || name.contains("::")
            || name.ends_with(['!', ')']);
        if code {
            format!("`{name}`{}", &c[3])
        } else {
            c[0].to_string()
        }
    });
    let t = EMOJI.replace_all(&t, "$1");
    t.into_owned()
}

/// Why a commit was made, in its author's words: the first paragraph of prose of its body.
/// Trailers (`Signed-off-by:`, `Fixes #12`), lists (a squash's log), code and revert notes are
/// not prose; a body without prose says nothing.
pub fn commit_why(body: &str) -> Option<String> {
    let trailer = |l: &str| {
        let key = l.split_once(':').map(|(k, _)| k).unwrap_or("");
        // `Signed-off-by:`, `Change-Id:`, `Fixes:`; not prose like `Note: the parser…`.
        let keyed = !key.is_empty()
            && key.len() <= 30
            && key.starts_with(|c: char| c.is_ascii_uppercase())
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && (key.contains('-')
                || [
                    "Fixes",
                    "Closes",
                    "Resolves",
                    "Refs",
                    "Ref",
                    "Cc",
                    "Link",
                    "Bug",
                    "Issue",
                    "Issues",
                    "Changelog",
                    "Signed",
                    "Reviewed",
                    "Tested",
                    "Acked",
                ]
                .contains(&key));
        let issue = [
            "Fixes", "Closes", "Resolves", "Refs", "Ref", "See", "Fix", "Close",
        ]
        .iter()
        .any(|w| {
            l.strip_prefix(w).is_some_and(|r| {
                r.trim_start().starts_with('#') || r.trim_start().starts_with("http")
            })
        });
        keyed || issue
    };
    let body = body.replace("\r\n", "\n");
    for para in body.split("\n\n") {
        let lines: Vec<&str> = para
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take_while(|l| !trailer(l))
            .collect();
        let Some(first) = lines.first() else {
            continue;
        };
        let list = first.starts_with(['-', '*', '+', '#', '>', '|'])
            || first
                .split_once(". ")
                .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()));
        if list
            || first.starts_with("```")
            || first.starts_with("This reverts commit")
            || first.starts_with("(cherry picked")
            || para.lines().next().is_some_and(|l| l.starts_with("    "))
        {
            continue;
        }
        let mut text = lines.join(" ");
        // "…the following sequence to occur:" leads to what the quote leaves out: it ends at
        // the sentence before, or says nothing.
        if text.ends_with(':') {
            match text.rfind(". ") {
                Some(end) => text.truncate(end + 1),
                None => continue,
            }
        }
        if text.chars().filter(|c| c.is_alphabetic()).count() >= 20 {
            return Some(text);
        }
    }
    None
}

/// `YYYY-MM-DD` of a Unix time (UTC), without a date crate.
pub fn date(ts: i64) -> String {
    let (y, m, d) = civil(ts);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The calendar year (UTC) of a time, as `date` writes it but without the text.
pub fn year(ts: i64) -> i64 {
    civil(ts).0
}

/// The calendar year and month (UTC) of a time.
pub fn year_month(ts: i64) -> (i64, i64) {
    let (y, m, _) = civil(ts);
    (y, m)
}

/// Year, month and day (UTC) of a time in seconds since 1970.
fn civil(ts: i64) -> (i64, i64, i64) {
    let days = ts.div_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (y, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_commits_why_is_its_first_paragraph_of_prose() {
        use super::commit_why;
        assert_eq!(
            commit_why("This changes the walker to depth first.\nPeak memory drops from 1 GB to 50 MB.\n\nSigned-off-by: A <a@e>").as_deref(),
            Some("This changes the walker to depth first. Peak memory drops from 1 GB to 50 MB.")
        );
        assert_eq!(
            commit_why("Signed-off-by: A <a@e>\nCo-authored-by: B <b@e>"),
            None
        );
        assert_eq!(
            commit_why("* fix one thing\n* fix another thing entirely"),
            None
        );
        assert_eq!(commit_why("Fixes #12"), None);
        assert_eq!(
            commit_why("It turns out that the old version was wrong. Namely, this could occur:\n\n1. a\n2. b").as_deref(),
            Some("It turns out that the old version was wrong.")
        );
        assert_eq!(
            commit_why("Note: the parser now keeps comments for the formatter.").as_deref(),
            Some("Note: the parser now keeps comments for the formatter.")
        );
        assert_eq!(commit_why("This reverts commit abc1234567."), None);
        assert_eq!(commit_why("    let x = some_code_here();"), None);
        assert_eq!(
            commit_why("Closes #3\n\nThe old parser could not read nested lists.").as_deref(),
            Some("The old parser could not read nested lists.")
        );
    }

    #[test]
    fn quotes_lose_the_marks_of_their_dialect() {
        let q = super::quote_markdown(
            "See [`Runtime`] and [Handle::spawn], :meth:`~flask.Flask.run`, [every release][rel], \
             [docs](https://e.org) [guide](GUIDE.md) [b](struct.B.html#method.x) :balloon: [optional] a[0]",
        );
        assert_eq!(
            q,
            "See `Runtime` and `Handle::spawn`, `flask.Flask.run`, every release, \
             [docs](https://e.org) guide b [optional] a[0]"
        );
    }

    use super::*;

    #[test]
    fn doc_dialect_marks_are_read_as_words() {
        assert_eq!(
            plain_text("Inspect the original [`std::io::Error`] if there is one, see [io_error]."),
            "Inspect the original std::io::Error if there is one, see io_error."
        );
        assert_eq!(
            plain_text(
                "Return a :class:`~flask.Response` built by :func:`send_file` (:py:meth:`a.b`)."
            ),
            "Return a Response built by send_file (a.b)."
        );
        assert_eq!(
            plain_text("Use [the guide](https://x.example) here."),
            "Use the guide here."
        );
    }

    #[test]
    fn dates_are_civil() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_700_000_000), "2023-11-14");
        assert_eq!(date(951_782_400), "2000-02-29");
        // The last second of 1999 and the first of 2000, and one before 1970.
        assert_eq!(year(946_684_799), 1999);
        assert_eq!(year(946_684_800), 2000);
        assert_eq!(year(-1), 1969);
    }

    #[test]
    fn escaping_keeps_text_literal() {
        assert_eq!(
            md_escape("a *b* [c](d) <x>"),
            "a \\*b\\* \\[c\\](d) \\<x\\>"
        );
        assert_eq!(md_code("a`b"), "`` a`b ``");
        assert_eq!(md_code("ab"), "`ab`");
    }

    #[test]
    fn first_sentence_of_a_doc() {
        assert_eq!(
            first_sentence("Parses things. More here.\n\nOther."),
            "Parses things."
        );
        // Sphinx's `.Name` (find it anywhere) reads as the name.
        assert_eq!(
            first_sentence("Create an :class:`.AppContext` with data."),
            "Create an AppContext with data."
        );
        assert_eq!(
            first_sentence("# Title\n\nBody v1.2 text"),
            "Body v1.2 text"
        );
        // Javadoc's inline tags and HTML are what they say.
        assert_eq!(
            first_sentence("Returns <b>whether</b> {@code null} values go, see {@link #toJson(Object, Type)} and {@link Gson the class}.\n<p>More."),
            "Returns whether null values go, see toJson and the class."
        );
        assert_eq!(
            first_sentence("Keeps a Vec<T> of them."),
            "Keeps a Vec<T> of them."
        );
    }
}
