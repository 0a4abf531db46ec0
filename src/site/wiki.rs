//! `--format markdown`: the wiki as plain markdown files (`README.md`, `history.md`,
//! `parts/*.md`, `files/*.md`) with relative links, for committing into the repository or
//! pushing to a GitHub or GitLab wiki. Same content as the HTML pages, minus what needs a
//! browser (search, source views); diagrams are Mermaid, which GitHub and GitLab draw. Repository text is escaped; narratives and docs
//! stay markdown, with raw HTML escaped, unsafe links dropped and citations checked.

use std::collections::BTreeMap;
use std::fmt::Write;

use pulldown_cmark::{Event, Options, Parser, Tag};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::grounding::{Grounder, Reference};
use super::paths::{root_of, PageMap};
use super::{first_sentence, Page, SiteInput};
use crate::cache::Space;
use crate::narrate::date;

/// The markdown path of an HTML page: `index.html` is the README.
fn md_path(html: &str) -> String {
    let page = html
        .split('#')
        .next()
        .unwrap_or(html)
        .trim_start_matches('/');
    match page {
        "index.html" => "README.md".to_string(),
        // Once: `x.rs.html.html` (the page of a file named `x.rs.html`) is not `x.rs.md`.
        p => format!("{}.md", p.strip_suffix(".html").unwrap_or(p)),
    }
}

/// Text from the repository as literal markdown, on one line: nothing in it can start markup
/// (the markdown wiki and `llms.txt`).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A code span that no backtick inside can close.
fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    // In a table cell a bare `|` ends the cell even inside code.
    format!("{ticks}{pad}{}{pad}{ticks}", s.replace('|', "\\|"))
}

/// Markdown from code docs or a narrator, made safe to publish as markdown: raw HTML escaped,
/// images reduced to their text, links other than http(s)/mailto/relative dropped, and with a
/// grounder each cited path, line or name checked (found: linked where it has a page; missing:
/// marked).
fn clean(md: &str, root: &str, grounder: Option<&Grounder>) -> String {
    match grounder {
        Some(g) => clean_asking(md, root, Some(&|text: &str| g.check(text))),
        None => clean_asking(md, root, None),
    }
}

/// `clean`, with the grounder's answers from `ask` (which may note what was asked).
fn clean_asking(md: &str, root: &str, ask: Option<Ask>) -> String {
    // Escaping can change how the rest parses (an escaped `<div>` no longer hides the `[r]`
    // after it, which then links through a reference definition: found by fuzzing), so the
    // cleaning repeats until a pass finds nothing to change.
    let mut text = clean_once(md, root, ask);
    // Nothing changed: the next pass would find what this one found.
    if text == md {
        return text;
    }
    for _ in 0..8 {
        let again = clean_once(&text, root, None);
        if again == text {
            return text;
        }
        text = again;
    }
    // Still changing: give up on markup, keep the words.
    esc(md)
}

/// What the grounder answers to a text a narrative cites.
type Ask<'a> = &'a dyn Fn(&str) -> Reference;

fn clean_once(md: &str, root: &str, ask: Option<Ask>) -> String {
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let (mut in_link, mut in_code_block) = (0usize, false);
    for (event, range) in Parser::new_ext(md, options).into_offset_iter() {
        match event {
            Event::Html(t) | Event::InlineHtml(t) => {
                edits.push((range, t.replace('&', "&amp;").replace('<', "&lt;")));
            }
            // A `<` in text is escaped too: once the HTML after it is escaped, `<data:x<b>`
            // would otherwise become the autolink `<data:x&lt;b>` (found by fuzzing).
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_code_block = false,
            Event::Text(_) if !in_code_block && md[range.clone()].contains('<') => {
                edits.push((range.clone(), md[range].replace('<', "&lt;")));
            }
            Event::Start(Tag::Image { .. }) => {
                // `![alt](url)` -> `alt`: no remote fetch from a wiki page.
                let alt = md[range.clone()]
                    .trim_start_matches('!')
                    .split(['[', ']'])
                    .nth(1)
                    .unwrap_or("")
                    .to_string();
                edits.push((range, esc(&alt)));
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                in_link += 1;
                // The HTML sanitiser's test: browsers drop tabs, newlines and controls from a
                // URL before reading its scheme, so it does too.
                if super::markdown::safe_url(&dest_url, "").is_none() {
                    let text = md[range.clone()]
                        .split(['[', ']'])
                        .nth(1)
                        .unwrap_or("")
                        .to_string();
                    edits.push((range, text));
                } else if !dest_url.contains(':')
                    && (dest_url.starts_with('/')
                        || dest_url.ends_with(".html")
                        || dest_url.contains(".html#"))
                {
                    // A page of the site (`/` is the site root): the same page's markdown file.
                    let target = dest_url.trim_start_matches('/');
                    let url = if dest_url.starts_with('/') {
                        format!("{root}{}", md_path(target))
                    } else {
                        md_path(target)
                    };
                    let needle = format!("]({dest_url}");
                    if let Some(at) = md[range.clone()].find(&needle) {
                        let start = range.start + at + 2;
                        edits.push((start..start + dest_url.len(), url));
                    }
                }
            }
            Event::End(pulldown_cmark::TagEnd::Link) => in_link = in_link.saturating_sub(1),
            Event::Code(text) if in_link == 0 => {
                let Some(ask) = ask else { continue };
                match ask(&text) {
                    Reference::Found(Some(page)) => {
                        edits.push((
                            range,
                            format!("[{}]({root}{})", code(&text), md_path(&page)),
                        ));
                    }
                    Reference::Missing => {
                        edits.push((
                            range,
                            format!("{} *(not found in the repository)*", code(&text)),
                        ));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    apply(md, edits)
}

/// `md` with each range replaced by its text, in order; of edits that overlap (a link inside
/// an image), the outer one is kept.
fn apply(md: &str, mut edits: Vec<(std::ops::Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out = String::with_capacity(md.len());
    let mut at = 0;
    for (range, text) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&md[at..range.start]);
        out.push_str(&text);
        at = range.end;
    }
    out.push_str(&md[at..]);
    out
}

fn link(label: &str, root: &str, html_page: &str) -> String {
    format!("[{}]({root}{})", esc(label), md_path(html_page))
}

fn commits_table(out: &mut String, input: &SiteInput, commits: impl Iterator<Item = usize>) {
    let h = &input.analysis.history;
    out.push_str("| Date | Commit | Author | Message |\n|---|---|---|---|\n");
    for c in commits {
        let c = &h.commits[c];
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            date(c.time),
            code(c.short_id()),
            esc(&c.author),
            esc(c.subject())
        );
    }
}

fn header(out: &mut String, input: &SiteInput, title: &str) {
    let a = input.analysis;
    let _ = writeln!(out, "# {}\n", esc(title));
    let _ = writeln!(
        out,
        "*{} · built by repowiki from {}*\n",
        esc(&a.title),
        code(&a.snapshot.commit[..a.snapshot.commit.len().min(7)])
    );
}

fn overview(input: &SiteInput, g: &Grounder) -> String {
    let a = input.analysis;
    let mut out = String::new();
    header(&mut out, input, &a.title);
    if let Some(n) = &input.narratives.overview {
        let _ = writeln!(out, "> {}\n", esc(&n.summary));
        let _ = writeln!(out, "{}\n", clean(&n.markdown, "", Some(g)).trim());
    }
    // The parts and their imports, when they fit a screen.
    let shown: Vec<usize> = (0..a.clusters.clusters.len())
        .filter(|&i| a.clusters.clusters[i].role.is_none())
        .collect();
    if (2..=30).contains(&shown.len()) {
        let at: BTreeMap<usize, usize> = shown.iter().enumerate().map(|(k, &i)| (i, k)).collect();
        let names: Vec<String> = shown
            .iter()
            .map(|&i| a.clusters.clusters[i].name.clone())
            .collect();
        let edges: Vec<(usize, usize)> = super::part_edges(input)
            .iter()
            .filter_map(|e| Some((*at.get(&e.from)?, *at.get(&e.to)?)))
            .collect();
        if !edges.is_empty() {
            out.push_str("## Architecture\n\nEach box is a part; an arrow points from a part to a part it imports.\n\n");
            let _ = writeln!(
                out,
                "```mermaid\n{}```\n",
                super::mermaid::flowchart(&names, &edges)
            );
        }
    }
    if let Some(f) = crate::narrate::flows::CallIndex::new(a).main_flow() {
        let _ = writeln!(
            out,
            "## How it runs\n\n[{}]({}), {}: its main calls, one lifeline per part.\n",
            code(&f.entry.name),
            md_path(&f.entry.page),
            start_md(&f.start)
        );
        flow_md(&mut out, &f, "");
    }
    out.push_str("## Parts\n\n| Part | Files | About |\n|---|---|---|\n");
    for (i, c) in a.clusters.clusters.iter().enumerate() {
        let summary = input.narratives.parts.get(i).map(|n| n.summary.as_str());
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            link(&c.name, "", &PageMap::part(&c.slug)),
            c.members.len(),
            esc(summary.unwrap_or(""))
        );
    }
    let h = &a.history;
    let _ = writeln!(
        out,
        "\n## History\n\n{} commits by {} people. See [the history](history.md).",
        h.commits.len(),
        a.insights.authors.len()
    );
    out
}

fn part(input: &SiteInput, g: &Grounder, i: usize) -> (String, String) {
    let c = &input.analysis.clusters.clusters[i];
    let mut out = String::new();
    header(&mut out, input, &c.name);
    out += &part_body(input, &|text: &str| g.check(text), i);
    (md_path(&PageMap::part(&c.slug)), out)
}

/// A part's page under its header (which names the built commit).
fn part_body(input: &SiteInput, ask: Ask, i: usize) -> String {
    let a = input.analysis;
    let c = &a.clusters.clusters[i];
    let page = PageMap::part(&c.slug);
    let root = root_of(&page);
    let facts = &input.part_facts[i];
    let mut out = String::new();
    if let Some(n) = input.narratives.parts.get(i) {
        let _ = writeln!(out, "> {}\n", esc(&n.summary));
        if !n.note.is_empty() {
            let _ = writeln!(out, "*{}*\n", esc(&n.note));
        }
        let _ = writeln!(
            out,
            "{}\n",
            clean_asking(&n.markdown, &root, Some(ask)).trim()
        );
    }
    if let Some(map) = &facts.type_map {
        types_md(&mut out, map, &root);
    }
    if !facts.flows.is_empty() {
        out.push_str("## How it works\n\nWhat runs when this part is used, followed through the calls its code makes (only calls the code pins down; a call through a trait or an interface goes to its declaration).\n\n");
        for f in &facts.flows {
            let _ = writeln!(
                out,
                "### {}, {}\n",
                format_args!(
                    "[{}]({root}{})",
                    code(&f.entry.name),
                    md_path(&f.entry.page)
                ),
                start_md(&f.start)
            );
            flow_md(&mut out, f, &root);
        }
    }
    out.push_str("## Files\n\n| File | Kind | Lines | About |\n|---|---|---|---|\n");
    for f in &facts.files {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            link(&f.path, &root, &f.page),
            esc(&f.kind),
            f.lines,
            esc(&first_sentence(&f.module_doc))
        );
    }
    if !facts.key_symbols.is_empty() {
        out.push_str("\n## Key symbols\n\n");
        for s in &facts.key_symbols {
            let _ = writeln!(
                out,
                "- {} ({}) {}{}",
                format_args!("[{}]({root}{})", code(&s.name), md_path(&s.page)),
                esc(&s.kind),
                code(&s.signature),
                if s.doc_summary.is_empty() {
                    String::new()
                } else {
                    format!(": {}", esc(&s.doc_summary))
                }
            );
        }
    }
    for (title, list) in [("Uses", &facts.uses), ("Used by", &facts.used_by)] {
        if !list.is_empty() {
            let _ = writeln!(out, "\n## {title}\n");
            for l in list {
                let _ = writeln!(
                    out,
                    "- {} ({} import{})",
                    link(&l.name, &root, &l.page),
                    l.imports,
                    if l.imports == 1 { "" } else { "s" }
                );
            }
        }
    }
    let commits = &a.insights.clusters[i].activity.commits;
    if !commits.is_empty() {
        out.push_str("\n## History\n\n");
        commits_table(&mut out, input, commits.iter().take(25).copied());
    }
    out
}

/// "the binary `rg`": the fixed words escaped, the names as code.
fn start_md(start: &str) -> String {
    start
        .split('`')
        .enumerate()
        .map(|(i, piece)| match i % 2 {
            1 => code(piece),
            _ => esc(piece),
        })
        .collect()
}

/// A flow: its sequence diagram in Mermaid, then its steps, callees under their callers.
fn flow_md(out: &mut String, f: &crate::narrate::flows::Flow, root: &str) {
    let _ = writeln!(out, "```mermaid\n{}```\n", super::mermaid::sequence(f));
    for (k, s) in f.steps.iter().enumerate() {
        let c = &s.callee;
        let _ = write!(
            out,
            "{}- **{}** {} [{}]({root}{})",
            "  ".repeat(s.depth - 1),
            k + 1,
            s.verb,
            code(&c.name),
            md_path(&c.page)
        );
        if !c.part.is_empty() && c.part != f.entry.part {
            let _ = write!(out, " in {}", link(&c.part, root, &c.part_page));
        }
        if s.again {
            out.push_str(" *(followed above)*");
        } else if !c.doc.is_empty() {
            let _ = write!(out, " — {}", esc(&c.doc));
        }
        let _ = writeln!(
            out,
            " · [{}]({root}{})",
            code(&format!("{}:{}", s.at_path, s.at_line)),
            md_path(&s.at_page)
        );
    }
    out.push('\n');
}

/// A type map: its class diagram in Mermaid, then each of the part's types and its relations.
fn types_md(out: &mut String, map: &crate::narrate::typemap::TypeMap, root: &str) {
    out.push_str("## Main types\n\n");
    let _ = writeln!(out, "```mermaid\n{}```\n", super::mermaid::classes(map));
    for (i, t) in map.types.iter().enumerate().filter(|(_, t)| t.own) {
        let _ = write!(
            out,
            "- [{}]({root}{}) ({})",
            code(&t.name),
            md_path(&t.page),
            esc(&t.kind)
        );
        if !t.doc.is_empty() {
            let _ = write!(out, ": {}", esc(&t.doc));
        }
        let relations: Vec<String> = map
            .relations
            .iter()
            .filter(|r| r.from == i)
            .map(|r| {
                let to = &map.types[r.to];
                let field = match r.field.is_empty() {
                    true => String::new(),
                    false => format!(" in {}", code(&r.field)),
                };
                format!(
                    "{} [{}]({root}{}){field} · [{}]({root}{})",
                    r.kind,
                    code(&to.name),
                    md_path(&to.page),
                    code(&format!("{}:{}", r.at_path, r.at_line)),
                    md_path(&r.at_page)
                )
            })
            .collect();
        if !relations.is_empty() {
            let _ = write!(out, ". {}", relations.join("; "));
        }
        out.push('\n');
    }
    out.push('\n');
}

fn file(input: &SiteInput, path: &str, page: &str) -> String {
    let a = input.analysis;
    let root = root_of(page);
    let mut out = String::new();
    header(&mut out, input, path);
    let Some(f) = a.parsed.get(path) else {
        return out;
    };
    let part = a
        .clusters
        .of(path)
        .map(|c| link(&c.name, &root, &PageMap::part(&c.slug)))
        .unwrap_or_default();
    let _ = writeln!(out, "{} · {} lines · part {part}\n", esc(f.kind), f.lines);
    if let Some(note) = &f.note {
        let _ = writeln!(out, "*{}*\n", esc(note));
    }
    let dialect = super::docs::Dialect::of(f.language);
    if !f.facts.module_doc.is_empty() {
        let doc = super::docs::to_markdown(&f.facts.module_doc, dialect);
        let _ = writeln!(out, "{}\n", clean(&doc, &root, None).trim());
    }
    if !f.facts.symbols.is_empty() {
        out.push_str("## Symbols\n\n");
        for s in &f.facts.symbols {
            let _ = writeln!(
                out,
                "### {} {}\n\n{}{}\n",
                esc(s.kind.name()),
                code(&s.name),
                if s.start_line == s.end_line {
                    format!("Line {}", s.start_line)
                } else {
                    format!("Lines {}–{}", s.start_line, s.end_line)
                },
                if s.public { "" } else { " · private" }
            );
            let fence = "`".repeat(
                3.max(
                    s.signature
                        .split(|c| c != '`')
                        .map(str::len)
                        .max()
                        .unwrap_or(0)
                        + 1,
                ),
            );
            let _ = writeln!(out, "{fence}\n{}\n{fence}\n", s.signature);
            if !s.doc.is_empty() {
                let doc = super::docs::to_markdown(&s.doc, dialect);
                let _ = writeln!(out, "{}\n", clean(&doc, &root, None).trim());
            }
        }
    }
    let imports: Vec<String> = f
        .facts
        .imports
        .iter()
        .map(
            |i| match i.target.as_deref().and_then(|t| a.pages.file(t)) {
                Some(p) => format!("[{}]({root}{})", code(&i.spec.display()), md_path(p)),
                None => code(&i.spec.display()),
            },
        )
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !imports.is_empty() {
        out.push_str("## Imports\n\n");
        for i in imports {
            let _ = writeln!(out, "- {i}");
        }
        out.push('\n');
    }
    let by: Vec<String> = a
        .graph
        .importers_of(path)
        .filter_map(|(p, _)| {
            a.pages
                .file(p)
                .map(|pg| format!("- [{}]({root}{})", code(p), md_path(pg)))
        })
        .collect();
    if !by.is_empty() {
        let _ = writeln!(out, "## Imported by\n\n{}\n", by.join("\n"));
    }
    if let Some(act) = a.insights.files.get(path) {
        let _ = writeln!(
            out,
            "## History\n\n{} commits · +{} / −{} lines\n",
            act.commits.len(),
            act.lines_added,
            act.lines_removed
        );
        if let (Some(first), Some(last)) = (act.first(), act.last()) {
            let c = |i: usize| &a.history.commits[i];
            let _ = writeln!(
                out,
                "First changed {} (`{}`), last changed {} (`{}`).\n",
                crate::narrate::date(c(first).time),
                c(first).short_id(),
                crate::narrate::date(c(last).time),
                c(last).short_id()
            );
        }
        commits_table(&mut out, input, act.commits.iter().take(30).copied());
        if act.commits.len() > 30 {
            let _ = writeln!(out, "The 30 latest of its {} commits.\n", act.commits.len());
        }
    }
    out
}

fn history(input: &SiteInput) -> String {
    let a = input.analysis;
    let mut out = String::new();
    header(&mut out, input, "History");
    if a.history.partial() {
        out.push_str("*The history is partial (a shallow clone, or bounded by `--since` / `--max-commits`).*\n\n");
    }
    let page = |p: &str| a.pages.file(p).unwrap_or("index.html").to_string();
    if !a.insights.hotspots.is_empty() {
        out.push_str(
            "## Hotspots\n\n| File | Commits | Decision points | Lines |\n|---|---|---|---|\n",
        );
        for h in a.insights.hotspots.iter().take(20) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                link(&h.path, "", &page(&h.path)),
                h.commits,
                h.branches,
                h.lines
            );
        }
        out.push('\n');
    }
    if !a.insights.couplings.is_empty() {
        out.push_str("## Files that change together\n\n| File | File | Shared commits | Degree |\n|---|---|---|---|\n");
        for c in a.insights.couplings.iter().take(30) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {}%{} |",
                link(&c.a, "", &page(&c.a)),
                link(&c.b, "", &page(&c.b)),
                c.shared,
                c.degree,
                if c.hidden {
                    " (no import between them)"
                } else {
                    ""
                }
            );
        }
        out.push('\n');
    }
    out.push_str("## Contributors\n\n| Name | Commits | First | Last |\n|---|---|---|---|\n");
    for c in &a.insights.contributors {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            esc(&c.name),
            c.commits,
            date(c.first),
            date(c.last)
        );
    }
    out.push_str("\n## Recent commits\n\n");
    commits_table(&mut out, input, 0..a.history.commits.len().min(50));
    out
}

/// Every page of the markdown wiki, sorted by path.
/// `llms-full.txt`: the overview, the history and every part page as one markdown file, for
/// agents that read a whole wiki at once. File pages are left out (one per file, they would make
/// it as large as the repository; `llms.txt` lists them). Links go to the site's HTML pages,
/// under the base URL when there is one.
///
/// A part's section is the same text as long as its page's `bases` (everything the page is
/// made from but its citations) and the grounder's answers to what its narrative cites are:
/// such a section is taken from the cache, under its header, which names the built commit.
pub fn full_text(input: &SiteInput, g: &Grounder, bases: &[String]) -> String {
    let a = input.analysis;
    let pages = [
        ("README.md".to_string(), overview(input, g)),
        ("history.md".to_string(), history(input)),
    ];
    // Each page is cleaned on its own (two or more passes of the markdown parser over it): on all
    // cores, then joined in order.
    let site_text = |path: &str, text: &str| {
        let text = clean(text, &root_of(path), None);
        to_site_links(&text, path, input.base_url)
    };
    let mut cleaned: Vec<String> = pages
        .par_iter()
        .map(|(path, text)| site_text(path, text))
        .collect();
    let parts: Vec<String> = (0..a.clusters.clusters.len())
        .into_par_iter()
        .map(|i| {
            let c = &a.clusters.clusters[i];
            let path = md_path(&PageMap::part(&c.slug));
            let mut head = String::new();
            header(&mut head, input, &c.name);
            let mut text = site_text(&path, &head);
            let key = bases.get(i).map(|b| section_key(b, &path, input.base_url));
            let cache = input.cache.zip(key.as_ref());
            let kept = cache
                .and_then(|(cache, key)| cache.get::<Section>(Space::Sections, key))
                .filter(|s| s.answers.iter().all(|(t, was)| g.check(t).kept() == *was));
            if let Some(kept) = kept {
                return text + &kept.text;
            }
            let answers = std::cell::RefCell::new(Vec::new());
            let ask = |t: &str| {
                let found = g.check(t);
                answers.borrow_mut().push((t.to_string(), found.kept()));
                found
            };
            let body = site_text(&path, &part_body(input, &ask, i));
            if let Some((cache, key)) = cache {
                let section = Section {
                    text: body,
                    answers: answers.into_inner(),
                };
                cache.put(Space::Sections, key, &section);
                text += &section.text;
            } else {
                text += &body;
            }
            text
        })
        .collect();
    cleaned.extend(parts);
    let mut out = String::with_capacity(cleaned.iter().map(|t| t.len() + 7).sum());
    for text in cleaned {
        out += &text;
        out += "\n\n---\n\n";
    }
    out
}

/// A part's section of `llms-full.txt` without its header, as the site shows it, with the
/// texts its narrative cited and what the grounder answered to each (`Reference::kept`).
#[derive(Serialize, Deserialize)]
struct Section {
    text: String,
    answers: Vec<(String, String)>,
}

/// Bumped with any change to how a part's section is written that the binary's version does
/// not already capture.
const SECTION_VERSION: u32 = 1;

fn section_key(base: &str, path: &str, base_url: &str) -> String {
    let mut h = blake3::Hasher::new();
    for s in [
        &format!("llms-full section v{SECTION_VERSION}"),
        base,
        path,
        base_url,
    ] {
        h.update(&(s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    }
    h.finalize().to_hex().to_string()
}

/// A markdown page's relative links to other markdown pages, made links to their HTML pages
/// from the site's root (`base`, ending in `/`, or none).
fn to_site_links(md: &str, page: &str, base: &str) -> String {
    let dir: Vec<&str> = page.split('/').collect();
    let dir = &dir[..dir.len() - 1];
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    for (event, range) in Parser::new_ext(md, options).into_offset_iter() {
        let Event::Start(Tag::Link { dest_url, .. }) = event else {
            continue;
        };
        if dest_url.contains(':') || dest_url.starts_with('/') || dest_url.starts_with('#') {
            continue;
        }
        let (target, anchor) = dest_url.split_once('#').unwrap_or((&dest_url, ""));
        let Some(target_md) = target.strip_suffix(".md") else {
            continue;
        };
        let mut at: Vec<&str> = dir.to_vec();
        for segment in target_md.split('/') {
            match segment {
                ".." => {
                    at.pop();
                }
                "." | "" => {}
                s => at.push(s),
            }
        }
        let joined = at.join("/");
        let html = if joined == "README" {
            "index.html".to_string()
        } else {
            format!("{joined}.html")
        };
        let url = match anchor {
            "" => format!("{base}{html}"),
            a => format!("{base}{html}#{a}"),
        };
        let needle = format!("]({dest_url}");
        if let Some(found) = md[range.clone()].find(&needle) {
            let start = range.start + found + 2;
            edits.push((start..start + dest_url.len(), url));
        }
    }
    apply(md, edits)
}

pub fn render(input: &SiteInput) -> Vec<Page> {
    let a = input.analysis;
    let g = Grounder::new(a);
    let mut pages: BTreeMap<String, String> = BTreeMap::new();
    pages.insert("README.md".into(), overview(input, &g));
    pages.insert("history.md".into(), history(input));
    for i in 0..a.clusters.clusters.len() {
        let (path, text) = part(input, &g, i);
        pages.insert(path, text);
    }
    for f in &a.parsed.files {
        if let Some(page) = a.pages.file(&f.path) {
            pages.insert(md_path(page), file(input, &f.path, page));
        }
    }
    pages
        .into_iter()
        .map(|(path, text)| {
            // Once more over the whole file: snippets that were safe alone can join into a
            // link (a reference in one doc comment, its `javascript:` definition in another).
            let text = clean(&text, &root_of(&path), None);
            Page {
                path,
                bytes: text.into_bytes(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_text_cannot_start_markup() {
        assert_eq!(
            esc("<script>a|b</script>"),
            "&lt;script&gt;a\\|b&lt;/script&gt;"
        );
        assert_eq!(esc("[x](javascript:y)"), "\\[x\\](javascript:y)");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
    }

    #[test]
    fn markdown_is_cleaned_of_html_images_and_unsafe_links() {
        let md = "Hi <script>alert(1)</script> and <img src=x onerror=y>.\n\n[ok](https://a.b) [bad](javascript:alert(1)) [data](data:text/html,x) ![pic](https://t.example/p.png)\n\n<div>\nblock\n</div>\n";
        let out = clean(md, "", None);
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(!out.contains("<div"), "{out}");
        assert!(out.contains("&lt;script>"), "{out}");
        assert!(out.contains("[ok](https://a.b)"), "{out}");
        assert!(!out.contains("javascript:"), "{out}");
        assert!(!out.contains("data:"), "{out}");
        assert!(!out.contains("t.example"), "{out}");
        assert!(out.contains("bad") && out.contains("pic"), "{out}");
        let out = clean(
            "[`run`](/files/a.rs.html#sym-run) and [p](../parts/x.html)",
            "../../",
            None,
        );
        assert_eq!(out, "[`run`](../../files/a.rs.md) and [p](../parts/x.md)");
        let out = clean("[t](<java\tscript:x>) [u](<java script:y>)", "", None);
        assert_eq!(out, "t u");
        let out = clean("[ext](https://a.b/c.html#x)", "", None);
        assert_eq!(out, "[ext](https://a.b/c.html#x)");
    }

    #[test]
    fn pages_map_to_markdown_files() {
        assert_eq!(md_path("index.html"), "README.md");
        assert_eq!(md_path("files/src/a.rs.html#L4"), "files/src/a.rs.md");
        assert_eq!(md_path("parts/core.html"), "parts/core.md");
    }

    #[test]
    fn snippets_joined_into_one_file_cannot_make_an_unsafe_link() {
        // Each alone is clean: a reference with no definition, a definition with no reference.
        let a = clean("See [the docs][x] here.", "", None);
        let b = clean("[x]: javascript:alert(1)", "", None);
        let joined = format!("{a}\n\n{b}\n");
        let whole = clean(&joined, "", None);
        let links: Vec<String> = Parser::new(&whole)
            .filter_map(|e| match e {
                Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
                _ => None,
            })
            .collect();
        assert!(links.is_empty(), "{links:?} in {whole}");
        assert!(whole.contains("the docs"));
    }

    #[test]
    fn escaping_html_cannot_make_an_autolink() {
        let out = clean("<data:x|<script>", "", None);
        assert!(!out.contains("<data:"), "{out}");
        // Code keeps its angle brackets.
        let out = clean("```\nVec<u8>\n```\n", "", None);
        assert_eq!(out, "```\nVec<u8>\n```\n");
    }

    /// Fuzz target: the markdown wiki's cleaner. Whatever the markdown, the result has no raw
    /// HTML and no link with a scheme other than http(s)/mailto.
    #[test]
    fn fuzz_markdown_cleaner() {
        const MD: &[&str] = &[
            "<script>",
            "</script>",
            "<img src=x onerror=y>",
            "<div>",
            "<!--",
            "[",
            "]",
            "(",
            ")",
            "](",
            "javascript:",
            "data:x",
            "https://ok",
            "![",
            "`",
            "```",
            "\n",
            "\n\n",
            "*",
            "#",
            "> ",
            "- ",
            "|",
            "<",
            ">",
            "&",
            "\\",
            "x",
            "/files/a.rs.html#L3",
            "<b>",
            "<https://auto>",
            "<javascript:x>",
            "[r]: javascript:y",
            "[r]",
        ];
        let mut g = crate::fuzz::Gen::new("wiki");
        for _ in 0..crate::fuzz::cases() * 2 {
            let md = g.text(MD, 30);
            let out = clean(&md, "../", None);
            let mut options = Options::empty();
            options.insert(Options::ENABLE_TABLES);
            options.insert(Options::ENABLE_STRIKETHROUGH);
            for event in Parser::new_ext(&out, options) {
                match event {
                    Event::Html(h) | Event::InlineHtml(h) => {
                        panic!("raw HTML {h:?} in {out:?} from {md:?}")
                    }
                    Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                        assert!(
                            crate::fuzz::safe_scheme(&dest_url),
                            "{dest_url} in {out:?} from {md:?}"
                        );
                    }
                    _ => {}
                }
            }
        }
    }
}
