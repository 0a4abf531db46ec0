//! The built-in narrator: no model, no network. It writes each part's narrative from the
//! gathered facts only, in fixed sections, and says plainly where a fact is missing rather than
//! inventing one. Text from the repository is escaped so it shows as written.

use std::fmt::Write;

use super::facts::{ClusterFacts, CommitFact, OverviewFacts, PartLink, PartSummary};
use super::{first_sentence, md_code, md_escape, Narrative, Narrator};
use crate::error::Result;

pub struct BuiltinNarrator;

/// Bumped whenever the wording changes, so cached narratives are written again.
const VERSION: u32 = 14;

impl Narrator for BuiltinNarrator {
    fn id(&self) -> String {
        format!("builtin-v{VERSION}")
    }

    fn narrate_part(&self, f: &ClusterFacts) -> Result<Narrative> {
        let mut md = String::new();
        // The sections of the page's anatomy; the site draws the type map and the flows right
        // after "Architecture and key abstractions".
        purpose(&mut md, f);
        let mut said_by: Vec<&str> = Vec::new();
        if let Some(p) = &f.package {
            said_by.push(&p.manifest);
        }
        if !f.doc.trim().is_empty() && !f.doc_source.is_empty() {
            said_by.push(&f.doc_source);
        }
        sources(&mut md, &said_by);
        made_of(&mut md, f);
        let defined_in: Vec<&str> = f.key_symbols.iter().map(|k| k.path.as_str()).collect();
        sources(&mut md, &defined_in);
        evolution(&mut md, f);
        // The commits it quotes and dates are what "Why it is so" rests on.
        let h = &f.history;
        let commits: Vec<&str> = h
            .first
            .iter()
            .chain(h.notable.iter().rev())
            .chain(h.last.iter())
            .map(|c| c.short.as_str())
            .collect();
        sources(&mut md, &commits);
        connections(&mut md, f);
        let before = md.len();
        pitfalls(&mut md, f);
        if md.len() > before {
            let files: Vec<&str> = h.hotspots.iter().map(|(p, _, _)| p.as_str()).collect();
            sources(&mut md, &files);
        }
        start_reading(&mut md, f);
        Ok(Narrative {
            summary: part_summary(f),
            markdown: md,
            narrator: self.id(),
            note: String::new(),
        })
    }

    fn narrate_overview(&self, f: &OverviewFacts) -> Result<Narrative> {
        let mut md = String::new();
        // The project in its own words: its manifest's description, then its README's.
        if !f.description.is_empty() {
            let _ = writeln!(
                md,
                "From {}: *{}*\n",
                md_code(&f.description_source),
                md_escape(f.description.trim())
            );
        }
        if f.readme_intro.is_empty() {
            if f.description.is_empty() {
                md.push_str("No README introduces this repository; this overview is drawn from its code and history.\n\n");
            }
        } else if !same_words(&f.readme_intro, &f.description) {
            let _ = writeln!(
                md,
                "From the README:\n\n> {}\n",
                super::quote_markdown(whole_sentences(f.readme_intro.trim(), 300))
            );
        }
        md.push_str("## At a glance\n\n");
        let files = |n: usize| format!("{n} {}", if n == 1 { "file" } else { "files" });
        let langs: Vec<String> = f
            .languages
            .iter()
            .map(|(l, n)| format!("{l} ({})", files(*n)))
            .collect();
        // Each number counts what its words say: the languages are some of the files, not a
        // split of the "code" ones.
        let _ = write!(md, "{} holds {}", md_escape(&f.title), files(f.files));
        if langs.is_empty() {
            md.push('.');
        } else {
            let _ = write!(md, "; among them {}.", langs.join(", "));
        }
        if f.skipped > 0 {
            let why: Vec<String> = f
                .skipped_reasons
                .iter()
                .map(|(reason, n)| skipped_words(*n, reason))
                .collect();
            let _ = write!(
                md,
                " {} more {} left out: {} (see the history page's table).",
                f.skipped,
                if f.skipped == 1 { "was" } else { "were" },
                why.join(", ")
            );
        }
        md.push('\n');
        if f.partial_history {
            md.push_str("\nThe history is partial (a shallow clone, or bounded by `--since` / `--max-commits`): fetch the full history (`fetch-depth: 0` in CI) for the whole story.\n");
        }
        md.push_str("\n## The parts\n\n");
        let top: Vec<&PartSummary> = f.parts.iter().filter(|p| p.within.is_empty()).collect();
        let nested = f.parts.len() - top.len();
        let plural = |n: usize| if n == 1 { "part" } else { "parts" };
        let _ = write!(
            md,
            "The code falls into {} {}",
            top.len(),
            plural(top.len())
        );
        if nested > 0 {
            let _ = write!(
                md,
                ", and {nested} more {} (a package's modules, tests and examples) listed under their package",
                plural(nested)
            );
        }
        md.push_str("; each has its own page:\n\n");
        for part in top {
            let _ = write!(md, "- [{}]({})", md_escape(&part.name), part.page);
            if !part.summary.is_empty() {
                let _ = write!(md, ": {}", md_escape(&part.summary));
            }
            md.push('\n');
            let inner: Vec<String> = f
                .parts
                .iter()
                .filter(|p| p.within == part.name)
                .map(|p| format!("[{}]({})", md_escape(&p.name), p.page))
                .collect();
            if !inner.is_empty() {
                let _ = writeln!(md, "  - {}", inner.join(", "));
            }
        }
        if !f.entry_points.is_empty() {
            md.push_str("\n## Where to start\n\n");
            for e in &f.entry_points {
                let _ = writeln!(md, "- [{}]({}): {}", md_code(&e.path), e.page, e.reason);
            }
        }
        let summary = if !f.description.is_empty() {
            first_sentence(&f.description)
        } else if !f.readme_intro.is_empty() {
            first_sentence(&f.readme_intro)
        } else {
            format!("{} files of code in {} parts", f.code_files, f.parts.len())
        };
        Ok(Narrative {
            summary,
            markdown: md,
            narrator: self.id(),
            note: String::new(),
        })
    }
}

/// "2 binary", "1 lock file", "14 symlinks": a skip reason read as words, its plural right.
fn skipped_words(n: usize, reason: &str) -> String {
    let (one, many) = match reason {
        "too-large" => ("too large", "too large"),
        "lock-file" => ("lock file", "lock files"),
        "symlink" => ("symlink", "symlinks"),
        "submodule" => ("submodule", "submodules"),
        "secret" => ("holding a secret", "holding secrets"),
        "lfs" => ("in Git LFS", "in Git LFS"),
        other => (other, other),
    };
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Whether one text starts with the other's words (a README that repeats the manifest).
fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        s.split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
    };
    let (a, b) = (words(a), words(b));
    let n = a.len().min(b.len());
    n > 0 && a[..n] == b[..n]
}

/// "14 files (13 Rust)": every number counts what its words say.
fn counted(f: &ClusterFacts) -> String {
    let total = f.files.len();
    let files = if total == 1 { "file" } else { "files" };
    match f.languages.first() {
        Some((l, n, _)) if *n == total => format!("{total} {l} {files}"),
        Some((l, n, _)) => format!("{total} {files} ({n} {l})"),
        None => format!("{total} {files}"),
    }
}

/// What a tests, benchmarks, examples, docs or CI part holds, in words that say how it was
/// told apart (by the folders and names such files have).
fn role_words(f: &ClusterFacts) -> Option<String> {
    let role = f.role.as_deref()?;
    let of = match &f.package {
        Some(p) => format!(" of the {} {}", p.kind, p.name),
        None if f.dir.is_empty() => " of the repository".to_string(),
        None => format!(" under {}", md_code(&f.dir)),
    };
    Some(match role {
        "tests" => format!("The tests{of}: files in test folders or named as tests"),
        "benchmarks" => format!("The benchmarks{of}: files in benchmark folders"),
        "examples" => format!("The examples{of}: files in example folders"),
        "docs" => format!("The documentation{of}: files in its docs folder"),
        _ => format!("The CI configuration{of}: files in CI folders"),
    })
}

fn part_summary(f: &ClusterFacts) -> String {
    if f.role.is_some() {
        return with_names(f, counted(f));
    }
    let doc = first_sentence(&f.doc);
    if !doc.is_empty() {
        return doc;
    }
    // The README's words about the part: its first paragraph of prose, never a logo's HTML.
    for section in &f.readme {
        let s = first_sentence(&super::facts::readme_intro(&section.text));
        if !s.is_empty() {
            return s;
        }
    }
    // The count is of the files it names: "61 files (2 Python script)", not "61 Python script
    // files".
    with_names(f, counted(f))
}

/// `what`, and the part's three most used names, each once.
fn with_names(f: &ClusterFacts, what: String) -> String {
    // Several files may define the same name: each name once.
    let mut names: Vec<&str> = Vec::new();
    for s in &f.key_symbols {
        if names.len() < 3 && !names.contains(&s.name.as_str()) {
            names.push(&s.name);
        }
    }
    if names.is_empty() {
        what
    } else {
        format!("{what} around {}", names.join(", "))
    }
}

fn purpose(md: &mut String, f: &ClusterFacts) {
    md.push_str("## Purpose\n\n");
    let mut said = false;
    if let Some(words) = role_words(f) {
        let _ = writeln!(md, "{words}.\n");
        said = true;
    }
    if let Some(p) = f.package.as_ref().filter(|p| p.own) {
        let kind = if p.proc_macro {
            "Rust procedural-macro crate".to_string()
        } else {
            p.kind.clone()
        };
        let _ = write!(
            md,
            "This is the {kind} {}, declared in [{}]({})",
            md_code(&p.name),
            md_code(&p.manifest),
            p.manifest_page
        );
        let entries: Vec<String> = p
            .entries
            .iter()
            .map(|e| format!("[{}]({})", e.reason, e.page))
            .collect();
        if !entries.is_empty() {
            let _ = write!(md, "; it gives {}", entries.join(", "));
        }
        let description = f.doc.trim();
        if f.doc_source == p.manifest && !description.is_empty() {
            let _ = write!(
                md,
                ". Its manifest describes it: *{}*",
                md_escape(description)
            );
            if !description.ends_with(['.', '!', '?']) {
                md.push('.');
            }
            md.push_str("\n\n");
        } else {
            md.push_str(".\n\n");
        }
        said = true;
    } else if let Some(p) = f.package.as_ref().filter(|_| f.role.is_none()) {
        // Go calls the folders of a module packages; the other languages, modules.
        let unit = match p.kind.as_str() {
            "Go module" | "Maven module" | "Gradle project" => "package",
            ".NET project" | "Composer package" => "namespace",
            "CMake project" => "folder",
            _ => "module",
        };
        let _ = writeln!(
            md,
            "A {unit} of the {} {}, declared in [{}]({}).\n",
            p.kind,
            md_code(&p.name),
            md_code(&p.manifest),
            p.manifest_page
        );
    }
    let from_manifest = f
        .package
        .as_ref()
        .is_some_and(|p| p.manifest == f.doc_source);
    if !f.doc.trim().is_empty() && !from_manifest {
        // Doc comments are markdown by convention: quoted as they are (the site sanitises).
        let _ = writeln!(
            md,
            "The module documentation of {} says:\n",
            md_code(&f.doc_source)
        );
        for line in doc_quote(&super::quote_markdown(&f.doc), 12).lines() {
            let _ = writeln!(md, "> {line}");
        }
        md.push('\n');
        said = true;
    }
    for section in &f.readme {
        // Its first paragraph of prose: never a heading's underline, a logo or a badge.
        let text = super::facts::readme_intro(&section.text);
        let text = whole_sentences(&text, 500);
        if text.is_empty() {
            continue;
        }
        let heading = if section.heading.is_empty() {
            "its introduction".to_string()
        } else {
            format!("“{}”", md_escape(&section.heading))
        };
        let _ = writeln!(
            md,
            "The README mentions it under {heading}:\n\n> {}\n",
            super::quote_markdown(text)
        );
        said = true;
    }
    if !said {
        md.push_str("Neither a module doc nor the README describes this part; what follows comes from its code and history.\n\n");
    }
}

/// The doc's first paragraphs, whole, within `max` lines (a code block counts as part of its
/// paragraph and is never cut open); a first paragraph longer than that is cut at a sentence's
/// end.
fn doc_quote(doc: &str, max: usize) -> String {
    let mut paragraphs: Vec<Vec<&str>> = vec![Vec::new()];
    let mut fence = false;
    for line in doc.trim().lines() {
        if line.trim_start().starts_with("```") {
            fence = !fence;
        }
        // Fields, directives, tags and sections are the doc's reference part, not its prose.
        if !fence && super::reference_part(line) {
            break;
        }
        if line.trim().is_empty() && !fence {
            if !paragraphs.last().is_some_and(Vec::is_empty) {
                paragraphs.push(Vec::new());
            }
        } else {
            paragraphs.last_mut().expect("one paragraph").push(line);
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut used = 0;
    for p in paragraphs.iter().filter(|p| !p.is_empty()) {
        if used + p.len() > max {
            if out.is_empty() {
                out.push(whole_sentences(&p.join(" "), 600).to_string());
            }
            break;
        }
        used += p.len() + 1;
        out.push(p.join("\n"));
    }
    out.join("\n\n")
}

/// At most `max` characters of `text`, ending at a sentence's end: a quote never stops
/// mid-sentence. A first sentence longer than `max` is kept whole.
fn whole_sentences(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let ends: Vec<usize> = text
        .char_indices()
        .filter(|&(i, c)| matches!(c, '.' | '!' | '?') && text[i + 1..].starts_with(' '))
        .map(|(i, _)| i + 1)
        .collect();
    match ends.iter().rev().find(|&&e| e <= max).or(ends.first()) {
        Some(&e) => &text[..e],
        None => text,
    }
}

fn made_of(md: &mut String, f: &ClusterFacts) {
    md.push_str("## Architecture and key abstractions\n\n");
    let lines: usize = f.files.iter().map(|x| x.lines).sum();
    let langs: Vec<String> = f
        .languages
        .iter()
        .map(|(l, n, _)| format!("{n} {l}"))
        .collect();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let _ = write!(
        md,
        "{}, {}",
        plural(f.files.len(), "file", "files"),
        plural(lines, "line", "lines")
    );
    if !langs.is_empty() {
        let _ = write!(md, " ({})", langs.join(", "));
    }
    md.push('.');
    if f.key_symbols.is_empty() {
        md.push_str(" No functions or types were found in it.\n\n");
        return;
    }
    md.push_str(" Its key items: first those its package's root module defines or names, then public before private, types before functions, then the most used (a use: another file that names the item and imports its module, or a module that re-exports it; tests, benchmarks and examples not counted):\n\n");
    for s in &f.key_symbols {
        let visibility = if s.public { "public" } else { "private" };
        let _ = write!(
            md,
            "- [{}]({}) — {visibility} {}",
            md_code(&s.name),
            s.page,
            s.kind
        );
        let _ = write!(md, " in {}", md_code(&format!("{}:{}", s.path, s.line)));
        if s.at_root {
            md.push_str(", in the package's root API");
        }
        match s.used_in {
            0 => md.push_str(", used in no other file"),
            1 => md.push_str(", used in 1 other file that imports it"),
            n => {
                let _ = write!(md, ", used in {n} other files that import it");
            }
        }
        if !s.doc_summary.is_empty() {
            let _ = write!(md, ": {}", s.doc_summary);
        }
        md.push('\n');
        for m in &s.methods {
            let _ = write!(md, "  - [{}]({})", md_code(&m.name), m.page);
            if !m.doc_summary.is_empty() {
                let _ = write!(md, ": {}", m.doc_summary);
            }
            md.push('\n');
        }
    }
    md.push('\n');
}

fn links(md: &mut String, list: &[PartLink]) {
    for l in list.iter().take(10) {
        let _ = write!(
            md,
            "- [{}]({}) ({} import{})",
            md_escape(&l.name),
            l.page,
            l.imports,
            if l.imports == 1 { "" } else { "s" }
        );
        if !l.doc_summary.is_empty() {
            let _ = write!(md, ": {}", l.doc_summary);
        }
        md.push('\n');
    }
    if list.len() > 10 {
        let _ = writeln!(md, "- and {} more", list.len() - 10);
    }
}

fn connections(md: &mut String, f: &ClusterFacts) {
    md.push_str("## Dependencies\n\n");
    if f.uses.is_empty() {
        md.push_str("It imports nothing from the other parts.\n\n");
    } else {
        md.push_str("It uses:\n\n");
        links(md, &f.uses);
        md.push('\n');
    }
    if f.used_by.is_empty() {
        md.push_str("No other part imports it.\n\n");
    } else {
        md.push_str("It is used by:\n\n");
        links(md, &f.used_by);
        md.push('\n');
    }
}

fn commit_line(c: &CommitFact) -> String {
    format!(
        "{} {} by {}: {}",
        c.date,
        md_code(&c.short),
        md_escape(&c.author),
        md_escape(&c.subject)
    )
}

fn evolution(md: &mut String, f: &ClusterFacts) {
    md.push_str("## Why it is so\n\n");
    let h = &f.history;
    let (Some(first), Some(last)) = (&h.first, &h.last) else {
        md.push_str("No commit in the history touches its files.\n\n");
        return;
    };
    let _ = writeln!(
        md,
        "It began with {}. {} {} changed it since (+{} / −{} lines), the latest on {}.\n",
        // A subject's own full stop ends the sentence ("…tools.." read twice).
        commit_line(first).trim_end_matches('.'),
        h.commits,
        if h.commits == 1 {
            "commit has"
        } else {
            "commits have"
        },
        h.lines_added,
        h.lines_removed,
        last.date
    );
    if h.partial {
        md.push_str("The history is partial (a shallow clone, or bounded by `--since` / `--max-commits`): older commits are missing.\n\n");
    }
    if h.notable.len() > 1 {
        // Each with why it was made, where its message says so: its body's first paragraph.
        md.push_str("The commits that shaped it, oldest first:\n\n");
        for c in h.notable.iter().rev() {
            let _ = writeln!(md, "- {}", commit_line(c));
            if !c.why.is_empty() {
                let _ = writeln!(
                    md,
                    "\n  > {}\n",
                    super::quote_markdown(whole_sentences(&c.why, 400))
                );
            }
        }
        md.push('\n');
    }
    let people: Vec<String> = h
        .authors
        .iter()
        .take(5)
        .map(|(a, n)| format!("{} ({n})", md_escape(a)))
        .collect();
    let _ = writeln!(md, "Who works on it, by commits: {}.\n", people.join(", "));
    if !h.owners.is_empty() {
        let owners: Vec<String> = h
            .owners
            .iter()
            .take(3)
            .map(|(a, n)| format!("{} ({n} lines)", md_escape(a)))
            .collect();
        let _ = writeln!(md, "Who wrote it, by lines added: {}.\n", owners.join(", "));
    }
}

/// A section's last line: the files (or commits) it rests on, each once, in the order cited
/// (the site checks each against the built commit and links what has a page).
fn sources(md: &mut String, paths: &[&str]) {
    let mut seen = std::collections::BTreeSet::new();
    let list: Vec<String> = paths
        .iter()
        .filter(|p| !p.is_empty() && seen.insert(**p))
        .map(|p| md_code(p))
        .collect();
    if !list.is_empty() {
        let _ = writeln!(md, "Sources: {}.\n", list.join(", "));
    }
}

/// Where a reader should tread carefully, from the history: hotspots (change meets
/// complexity), hidden coupling (changed together with no import between). Knowledge at risk
/// is not told here: who counts as gone moves with the built commit's time, and a narrative
/// should change when its part does (the page shows it from the shared risk.js).
fn pitfalls(md: &mut String, f: &ClusterFacts) {
    let h = &f.history;
    let hidden = h.coupled_parts.iter().any(|(_, _, hidden)| *hidden);
    if h.hotspots.is_empty() && !hidden {
        return;
    }
    md.push_str("## Pitfalls\n\n");
    if !h.hotspots.is_empty() {
        let spots: Vec<String> = h
            .hotspots
            .iter()
            .map(|(p, c, b)| format!("{} ({c} commits, {b} decision points)", md_code(p)))
            .collect();
        let _ = writeln!(
            md,
            "Its hotspots, where change meets complexity: {}.\n",
            spots.join(", ")
        );
    }
    let hidden: Vec<String> = h
        .coupled_parts
        .iter()
        .filter(|(_, _, hidden)| *hidden)
        .map(|(name, n, _)| format!("{} ({n} shared commits)", md_escape(name)))
        .collect();
    if !hidden.is_empty() {
        let _ = writeln!(
            md,
            "It changes together with parts it does not import from, nor they from it: {}. Such hidden couplings are worth a look.\n",
            hidden.join(", ")
        );
    }
}

fn start_reading(md: &mut String, f: &ClusterFacts) {
    if f.start_here.is_empty() {
        return;
    }
    md.push_str("## Where to start\n\n");
    for s in &f.start_here {
        let _ = writeln!(md, "- [{}]({}): {}", md_code(&s.path), s.page, s.reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::narrate::facts::{FileFact, HistoryFacts, KeySymbol};

    #[test]
    fn quotes_end_at_a_sentence_or_a_paragraph() {
        assert_eq!(whole_sentences("One. Two. Three.", 10), "One. Two.");
        assert_eq!(
            whole_sentences("A long first sentence. B.", 5),
            "A long first sentence."
        );
        let doc = "First line\nof one paragraph.\n\n```\ncode\n\nmore\n```\n\nThird.";
        assert_eq!(doc_quote(doc, 3), "First line\nof one paragraph.");
        assert_eq!(
            doc_quote(doc, 8),
            "First line\nof one paragraph.\n\n```\ncode\n\nmore\n```"
        );
        assert_eq!(doc_quote("A. B. C.\nD.", 1), "A. B. C. D.");
    }

    fn facts() -> ClusterFacts {
        ClusterFacts {
            flows: vec![],
            type_map: None,
            prompt_flows: vec![],
            prompt_types: None,
            id: "src/store".into(),
            name: "store".into(),
            dir: "src/store".into(),
            page: "/parts/src-store.html".into(),
            package: None,
            role: None,
            doc: String::new(),
            doc_source: String::new(),
            files: vec![FileFact {
                path: "src/store/db.rs".into(),
                page: "/files/src/store/db.rs.html".into(),
                kind: "Rust".into(),
                lines: 40,
                module_doc: String::new(),
                importers: 2,
            }],
            key_symbols: vec![KeySymbol {
                name: "Db".into(),
                kind: "struct".into(),
                signature: "pub struct Db".into(),
                doc_summary: "A database.".into(),
                path: "src/store/db.rs".into(),
                line: 3,
                page: "/files/src/store/db.rs.html#sym-Db".into(),
                used_in: 2,
                public: true,
                at_root: false,
                methods: vec![],
            }],
            uses: vec![],
            used_by: vec![],
            readme: vec![],
            history: HistoryFacts::default(),
            start_here: vec![],
            languages: vec![("Rust".into(), 1, 40)],
            outline: vec![],
            excerpts: vec![],
        }
    }

    #[test]
    fn a_summary_counts_the_files_it_names_and_quotes_prose_not_html() {
        let mut f = facts();
        assert_eq!(part_summary(&f), "1 Rust file around Db");
        // Two files, one of them Rust: not "2 Rust files".
        let mut other = f.files[0].clone();
        other.path = "src/store/notes.md".into();
        f.files.push(other);
        assert_eq!(part_summary(&f), "2 files (1 Rust) around Db");
        // A README section that opens with a logo's HTML: its prose, not the HTML.
        f.readme = vec![crate::narrate::facts::ReadmeSection {
            heading: String::new(),
            text: "<div align=\"center\"><img src=\"l.svg\"></div>\n\nThe store keeps rows on disk. More.\n".into(),
        }];
        assert_eq!(part_summary(&f), "The store keeps rows on disk.");
    }

    #[test]
    fn missing_facts_are_said_to_be_missing() {
        let n = BuiltinNarrator.narrate_part(&facts()).unwrap();
        assert!(n
            .markdown
            .contains("Neither a module doc nor the README describes this part"));
        assert!(n
            .markdown
            .contains("It imports nothing from the other parts."));
        assert!(n.markdown.contains("No other part imports it."));
        assert!(n
            .markdown
            .contains("No commit in the history touches its files."));
        assert_eq!(n.summary, "1 Rust file around Db");
    }

    #[test]
    fn every_cited_path_is_a_member_and_every_link_a_given_page() {
        let f = facts();
        let n = BuiltinNarrator.narrate_part(&f).unwrap();
        let pages: Vec<&str> = f
            .files
            .iter()
            .map(|x| x.page.as_str())
            .chain(f.key_symbols.iter().map(|s| s.page.as_str()))
            .collect();
        for link in n.markdown.split("](").skip(1) {
            let target = link.split(')').next().unwrap();
            assert!(
                pages.contains(&target),
                "{target} is not a page the facts gave"
            );
        }
        assert!(n.markdown.contains("src/store/db.rs:3"));
    }

    #[test]
    fn commit_text_is_escaped() {
        let mut f = facts();
        let commit = CommitFact {
            id: "a".repeat(40),
            short: "aaaaaaa".into(),
            date: "2024-01-01".into(),
            author: "<b>Eve</b>".into(),
            subject: "[click](javascript:alert(1)) *bold*".into(),
            body: String::new(),
            why: String::new(),
        };
        f.history = HistoryFacts {
            commits: 1,
            first: Some(commit.clone()),
            last: Some(commit),
            authors: vec![("<b>Eve</b>".into(), 1)],
            ..Default::default()
        };
        let n = BuiltinNarrator.narrate_part(&f).unwrap();
        assert!(
            n.markdown
                .contains("\\[click\\](javascript:alert(1)) \\*bold\\*"),
            "{}",
            n.markdown
        );
        assert!(n.markdown.contains("\\<b\\>Eve"));
    }
}
