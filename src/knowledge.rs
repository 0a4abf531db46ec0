//! What the built wiki knows, held in memory to answer questions (`repowiki ask`, `repowiki
//! mcp`): the analysis at the built commit, its narratives, its pages as markdown, and answers
//! drawn from them and from the history. Every answer names the commit it describes, is
//! bounded in size, and passes through the build's secret redaction.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

use crate::history::ChangeKind;
use crate::narrate::facts::ClusterFacts;
use crate::narrate::{date, Narratives};
use crate::Analysis;

/// The longest answer any question gets, in bytes: an agent's context is not the place for a
/// whole large repository, and a bound keeps every answer's cost known.
pub const MAX_ANSWER: usize = 200_000;
/// Lines `read_source` gives at most per call.
pub const MAX_SOURCE_LINES: usize = 2_000;
/// Commits `why` lists at most.
const MAX_WHY: usize = 25;
/// A commit message body is cut after this many bytes.
const MAX_BODY: usize = 2_000;

pub struct Knowledge {
    /// The repository's work tree.
    pub root: PathBuf,
    /// The repository's folder name.
    pub name: String,
    pub cache_dir: PathBuf,
    /// The addresses of its remotes, as configured.
    pub remotes: Vec<String>,
    /// The commit the wiki describes.
    pub commit: String,
    /// HEAD when the wiki was read: when it differs, the wiki is older than the work tree.
    pub head: String,
    /// What identifies this wiki: its commit and the settings it was made with (narrator,
    /// config). The search index remembers the key it was last brought up to date with.
    pub key: String,
    pub analysis: Analysis,
    pub part_facts: Vec<ClusterFacts>,
    pub narratives: Narratives,
    /// The wiki as markdown (`README.md`, `history.md`, `parts/*.md`, `files/*.md`).
    pub pages: BTreeMap<String, String>,
}

/// A question that cannot be answered as asked: said in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Answer = Result<String, Refusal>;

fn refuse<T>(message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal(message.into()))
}

/// An answer made safe to hand out: secrets cut, and cut to the bound at a line end.
pub fn finish(text: String) -> String {
    let text = crate::secrets::clean(&text).into_owned();
    if text.len() <= MAX_ANSWER {
        return text;
    }
    let mut end = MAX_ANSWER;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').unwrap_or(end);
    format!(
        "{}\n\n[cut at {} of {} bytes: ask for less]\n",
        &text[..end],
        end,
        text.len()
    )
}

/// `out` and then each page whole while they fit in `budget` bytes; the pages that do not are
/// named at the end, to be read one by one, so that no page is ever cut in the middle.
fn whole_pages<'p>(
    mut out: String,
    pages: impl Iterator<Item = (&'p str, &'p str)>,
    budget: usize,
) -> String {
    // Room for the list of the pages left out.
    let budget = budget.saturating_sub(budget / 20);
    let mut left: Vec<&str> = Vec::new();
    for (path, text) in pages {
        let piece = format!("\n\n---\n<!-- {path} -->\n\n{text}");
        if left.is_empty() && out.len() + piece.len() <= budget {
            out += &piece;
        } else {
            left.push(path);
        }
    }
    if !left.is_empty() {
        let _ = write!(
            out,
            "\n\n---\n\n{} more did not fit in one answer; read each with `page`: {}\n",
            plural(left.len(), "part page"),
            left.join(", ")
        );
    }
    out
}

/// The line every answer starts with: the repository, the commit the wiki describes, and
/// whether that is HEAD.
pub fn stamp(name: &str, commit: &str, head: &str) -> String {
    let mut line = format!(
        "repository {name}, commit {}",
        &commit[..commit.len().min(12)]
    );
    if head != commit {
        line += &format!(
            " (HEAD is {}: the wiki is older; `repowiki build` or `--build` brings it up to date)",
            &head[..head.len().min(12)]
        );
    }
    line
}

impl Knowledge {
    fn short(&self) -> &str {
        &self.commit[..self.commit.len().min(12)]
    }

    /// The line every answer starts with: which commit it describes, and whether that is HEAD.
    pub fn stamp(&self) -> String {
        stamp(&self.name, &self.commit, &self.head)
    }

    /// Whether `name` is this repository: its folder name, or `owner/name` (or a longer form)
    /// of one of its remotes. DeepWiki's tools take a `repoName`; one for another repository
    /// must not get this one's answers.
    pub fn is_named(&self, name: &str) -> Result<(), Refusal> {
        let want = name.trim().trim_end_matches('/').trim_end_matches(".git");
        let want = want
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("github.com/");
        if want.is_empty() || want.eq_ignore_ascii_case(&self.name) {
            return Ok(());
        }
        let matches = self.remotes.iter().any(|url| {
            let url = url.trim_end_matches('/').trim_end_matches(".git");
            // `git@host:owner/name` and `https://host/owner/name` both end in `owner/name`.
            let path = url.rsplit_once(':').map(|(_, p)| p).unwrap_or(url);
            let tail: Vec<&str> = path.rsplit('/').take(2).collect();
            let owner_name = match tail.as_slice() {
                [name, owner] => format!("{owner}/{name}"),
                [name] => name.to_string(),
                _ => String::new(),
            };
            // Or the remote's whole address, or a tail of it that starts at a `/`.
            let url = url.to_ascii_lowercase();
            let want = want.to_ascii_lowercase();
            want.eq_ignore_ascii_case(&owner_name)
                || url == want
                || url.ends_with(&format!("/{want}"))
        });
        if matches {
            return Ok(());
        }
        let known = self
            .remotes
            .iter()
            .map(|u| u.as_str())
            .chain([self.name.as_str()])
            .collect::<Vec<_>>()
            .join(", ");
        refuse(format!(
            "repository '{name}' is not served here: this server answers for {known} only"
        ))
    }

    /// The wiki's table of contents: its pages with one line each.
    pub fn structure(&self) -> String {
        let a = &self.analysis;
        let mut out = format!("{}\n\n# {}: wiki pages\n\n", self.stamp(), a.title);
        if let Some(o) = &self.narratives.overview {
            out += &format!("{}\n\n", o.summary);
        }
        out += "- README.md: Overview: what the repository is and how its parts fit together\n";
        out += "- history.md: History: activity, hotspots, change coupling, contributors\n\n";
        out += &format!("## Parts ({})\n\n", a.clusters.clusters.len());
        for (i, c) in a.clusters.clusters.iter().enumerate() {
            let summary = self
                .narratives
                .parts
                .get(i)
                .map(|n| n.summary.as_str())
                .unwrap_or("");
            out += &format!(
                "- parts/{}.md: {} ({} files): {summary}\n",
                c.slug,
                c.name,
                c.members.len()
            );
        }
        let files: Vec<&String> = self
            .pages
            .keys()
            .filter(|p| p.starts_with("files/"))
            .collect();
        out += &format!(
            "\n## Files ({})\n\nEach source file has a page, `files/<path>.md`",
            files.len()
        );
        if files.len() <= 300 {
            out += ":\n\n";
            for f in files {
                out += &format!("- {f}\n");
            }
        } else {
            out += "; the `search` tool finds them.\n";
        }
        finish(out)
    }

    /// One page of the wiki, or with no page the overview and every part page.
    pub fn contents(&self, page: Option<&str>) -> Answer {
        let Some(page) = page.map(str::trim).filter(|p| !p.is_empty()) else {
            let mut out = format!("{}\n\n", self.stamp());
            out += self
                .pages
                .get("README.md")
                .map(String::as_str)
                .unwrap_or("");
            let parts = self
                .pages
                .range("parts/".to_string()..)
                .take_while(|(path, _)| path.starts_with("parts/"))
                .map(|(path, text)| (path.as_str(), text.as_str()));
            return Ok(finish(whole_pages(out, parts, MAX_ANSWER)));
        };
        let page = page
            .trim_start_matches("repowiki://wiki/")
            .trim_start_matches('/');
        let found = self
            .pages
            .get(page)
            .or_else(|| self.pages.get(&format!("{page}.md")))
            .or_else(|| self.pages.get(&format!("files/{page}.md")))
            .or_else(|| {
                // A part by its name or its slug.
                let c = self.analysis.clusters.clusters.iter().find(|c| {
                    c.name.eq_ignore_ascii_case(page) || c.slug.eq_ignore_ascii_case(page)
                })?;
                self.pages.get(&format!("parts/{}.md", c.slug))
            });
        match found {
            Some(text) => Ok(finish(format!("{}\n\n{text}", self.stamp()))),
            None => refuse(format!(
                "no wiki page '{page}': read_wiki_structure lists the pages"
            )),
        }
    }

    /// A path as the repository names it, or a refusal: never outside the repository.
    fn repo_path<'p>(&self, path: &'p str) -> Result<&'p str, Refusal> {
        let p = path.trim();
        let p = p.strip_prefix("./").unwrap_or(p);
        if p.is_empty() {
            return refuse("a path is needed");
        }
        if p.starts_with('/') || p.starts_with('\\') || p.contains('\0') || p.contains(":\\") {
            return refuse(format!(
                "'{path}' is not a path inside the repository: give it relative to the repository's root"
            ));
        }
        if p.split(['/', '\\']).any(|c| c == ".." || c == ".") {
            return refuse(format!(
                "'{path}' leaves the repository or is not in its plain form (no '.' or '..' parts)"
            ));
        }
        Ok(p)
    }

    /// Lines `start..=end` (1-based) of a file at the built commit, numbered. Only files the
    /// snapshot read: never a symbolic link, never outside the repository.
    pub fn read_source(&self, path: &str, start: Option<u64>, end: Option<u64>) -> Answer {
        let path = self.repo_path(path)?;
        let files = &self.analysis.snapshot.files;
        let Ok(i) = files.binary_search_by(|f| f.path.as_str().cmp(path)) else {
            if let Some(s) = self
                .analysis
                .snapshot
                .skipped
                .iter()
                .find(|s| s.path == path)
            {
                return refuse(format!(
                    "{path} is not served: it was skipped at {} ({})",
                    self.short(),
                    s.reason.name()
                ));
            }
            return refuse(format!(
                "no file {path} at commit {} (paths are relative to the repository's root)",
                self.short()
            ));
        };
        let file = &files[i];
        let total = file.text.lines().count();
        let start = start.unwrap_or(1).max(1) as usize;
        if start > total.max(1) {
            return refuse(format!(
                "{path} has {total} lines at {}: line {start} is past its end",
                self.short()
            ));
        }
        let end = end
            .map(|e| e as usize)
            .unwrap_or(start + MAX_SOURCE_LINES - 1)
            .min(total)
            .min(start + MAX_SOURCE_LINES - 1);
        if end < start {
            return refuse(format!("the range {start}-{end} is empty"));
        }
        let mut out = format!(
            "{}\n\n{path}, lines {start}-{end} of {total}{}:\n\n",
            self.stamp(),
            if file.redacted {
                " (secret-looking strings cut out)"
            } else {
                ""
            }
        );
        let width = end.to_string().len();
        for (n, line) in file
            .text
            .lines()
            .enumerate()
            .skip(start - 1)
            .take(end + 1 - start)
        {
            let _ = writeln!(out, "{:>width$}  {line}", n + 1);
        }
        Ok(finish(out))
    }

    /// The lines of a symbol: `name` as the file names it (`Type::method`) or its last part.
    fn symbol_lines(&self, path: Option<&str>, name: &str) -> Result<(String, u32, u32), Refusal> {
        let name = name.trim();
        let mut found = Vec::new();
        for f in &self.analysis.parsed.files {
            if path.is_some_and(|p| p != f.path) {
                continue;
            }
            // The qualified name, when given, is the one meant.
            if f.facts.symbols.iter().any(|s| s.name == name) {
                for s in f.facts.symbols.iter().filter(|s| s.name == name) {
                    found.push((f.path.clone(), s.start_line, s.end_line, s.name.clone()));
                }
                continue;
            }
            for s in &f.facts.symbols {
                if s.short_name() == name {
                    found.push((f.path.clone(), s.start_line, s.end_line, s.name.clone()));
                }
            }
        }
        match found.len() {
            0 => refuse(format!(
                "no symbol '{name}'{} at {}",
                path.map(|p| format!(" in {p}")).unwrap_or_default(),
                self.short()
            )),
            1 => {
                let (p, a, b, _) = found.remove(0);
                Ok((p, a, b))
            }
            n => {
                let at: Vec<String> = found
                    .iter()
                    .take(10)
                    .map(|(p, l, _, q)| format!("{q} at {p}:{l}"))
                    .collect();
                refuse(format!(
                    "{n} symbols are named '{name}' ({}): give the qualified name{}",
                    at.join(", "),
                    if path.is_none() { " or the path" } else { "" }
                ))
            }
        }
    }

    /// The commits that shaped a file, a symbol in it or a range of its lines, newest first,
    /// with their messages.
    pub fn why(
        &self,
        path: Option<&str>,
        symbol: Option<&str>,
        start: Option<u64>,
        end: Option<u64>,
    ) -> Answer {
        let path = path.map(|p| self.repo_path(p)).transpose()?;
        let h = &self.analysis.history;
        let (path, lines) = match (path, symbol.filter(|s| !s.trim().is_empty())) {
            (p, Some(sym)) => {
                let (p, a, b) = self.symbol_lines(p, sym)?;
                (p, Some((a, b)))
            }
            (Some(p), None) => {
                let lines = match (start, end) {
                    (None, None) => None,
                    (a, b) => {
                        let a = a.unwrap_or(1).max(1) as u32;
                        Some((a, b.map(|b| b as u32).unwrap_or(a).max(a)))
                    }
                };
                (p.to_string(), lines)
            }
            (None, None) => return refuse("give a path, a symbol, or both"),
        };
        if h.touches(&path).is_empty() {
            return refuse(format!(
                "no commit in the history read touches {path} (at {})",
                self.short()
            ));
        }
        let mut out = format!("{}\n\n", self.stamp());
        let mut shown: Vec<(usize, Option<u32>)> = Vec::new();
        match lines {
            Some((a, b)) => {
                let story = crate::history::line_story(h, &path, a, b);
                let _ = writeln!(
                    out,
                    "The commits that shaped lines {a}-{b} of {path}, newest first (traced back through each commit's changes, as `git log -L` does):\n"
                );
                shown.extend(story.changes.iter().map(|&(c, n)| (c, Some(n))));
                if let Some(c) = story.created {
                    shown.push((c, None));
                }
            }
            None => {
                let touches = h.touches(&path);
                let _ = writeln!(
                    out,
                    "{} changed {path} (renames followed); the newest {}, merges left out:\n",
                    plural(touches.len(), "commit"),
                    MAX_WHY.min(touches.len())
                );
                shown.extend(
                    touches
                        .iter()
                        .filter(|t| !h.commits[t.commit].is_merge())
                        .map(|t| (t.commit, None)),
                );
            }
        }
        if shown.is_empty() {
            out += "No commit in the history read changed these lines after they were made.\n";
        }
        for (i, lines) in shown.into_iter().take(MAX_WHY) {
            let c = &h.commits[i];
            let change = h
                .touches(&path)
                .iter()
                .find(|t| t.commit == i)
                .map(|&t| h.change(t));
            let what = match (lines, change) {
                (Some(n), _) => format!("changed {n} of these lines"),
                (None, Some(ch)) if ch.kind == ChangeKind::Added => "added the file".into(),
                (None, Some(ch)) if ch.kind == ChangeKind::Renamed => format!(
                    "renamed it from {}, +{} -{}",
                    ch.old_path.as_deref().unwrap_or("?"),
                    ch.added,
                    ch.removed
                ),
                (None, Some(ch)) => format!("+{} -{}", ch.added, ch.removed),
                (None, None) => String::new(),
            };
            let (subject, body) = c.message.split_once('\n').unwrap_or((&c.message, ""));
            let _ = writeln!(
                out,
                "## {} {} ({}, {}): {}\n",
                &c.id[..c.id.len().min(12)],
                subject.trim(),
                c.author,
                date(c.time),
                what
            );
            let body = body.trim();
            if !body.is_empty() {
                let mut cut = body.len().min(MAX_BODY);
                while !body.is_char_boundary(cut) {
                    cut -= 1;
                }
                out += &body[..cut];
                out += if cut < body.len() {
                    " […]\n\n"
                } else {
                    "\n\n"
                };
            }
        }
        Ok(finish(out))
    }

    /// Where change concentrates and knowledge is thin: for the whole repository, a path (a
    /// file or a folder) or a part (by name or slug).
    pub fn risk(&self, target: Option<&str>) -> Answer {
        let a = &self.analysis;
        let ins = &a.insights;
        let target = target.map(str::trim).filter(|t| !t.is_empty());
        let part = target.and_then(|t| {
            a.clusters
                .clusters
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(t) || c.slug.eq_ignore_ascii_case(t))
        });
        let scope: Option<Vec<&str>> = match (target, part) {
            (None, _) => None,
            (Some(_), Some(i)) => Some(
                a.clusters.clusters[i]
                    .members
                    .iter()
                    .map(String::as_str)
                    .collect(),
            ),
            (Some(t), None) => {
                let t = self.repo_path(t)?.trim_end_matches('/');
                let files: Vec<&str> = a
                    .parsed
                    .files
                    .iter()
                    .map(|f| f.path.as_str())
                    .filter(|p| *p == t || p.starts_with(&format!("{t}/")))
                    .collect();
                if files.is_empty() {
                    return refuse(format!("no file, folder or part '{t}' at {}", self.short()));
                }
                Some(files)
            }
        };
        let within = |p: &str| scope.as_ref().is_none_or(|s| s.contains(&p));
        let mut out = format!(
            "{}\n\n# Risk{}\n\n",
            self.stamp(),
            target.map(|t| format!(": {t}")).unwrap_or_default()
        );
        if a.history.partial() {
            out += "The history read is partial (a shallow clone or bounds): older commits are not counted.\n\n";
        }
        if let Some(i) = part {
            let act = &ins.clusters[i].activity;
            let _ = writeln!(
                out,
                "The part {} has {} files, changed by {} commits (+{} -{} lines).\n",
                a.clusters.clusters[i].name,
                a.clusters.clusters[i].members.len(),
                act.commits.len(),
                act.lines_added,
                act.lines_removed
            );
        }
        out += "## Hotspots (often changed and complex: commits × branching points)\n\n";
        let hot: Vec<_> = ins
            .hotspots
            .iter()
            .filter(|h| within(&h.path))
            .take(10)
            .collect();
        if hot.is_empty() {
            out += "None.\n";
        }
        for h in hot {
            let _ = writeln!(
                out,
                "- {}: {}, {}, {}",
                h.path,
                plural(h.commits, "commit"),
                plural(h.branches as usize, "branching point"),
                plural(h.lines, "line")
            );
        }
        out += "\n## Knowledge at risk (one author wrote most of it and has not been active lately)\n\n";
        let risky: Vec<_> = ins
            .at_risk
            .iter()
            .filter(|r| within(&r.path))
            .take(10)
            .collect();
        if risky.is_empty() {
            out += "None.\n";
        }
        for r in risky {
            let _ = writeln!(
                out,
                "- {}: {}% of its lines by {}, last active {}",
                r.path,
                r.share,
                r.author,
                date(r.last_active)
            );
        }
        out += "\n## Owners (by commits)\n\n";
        // Each commit counted once per author, however many of these files it touched.
        let mut commits: BTreeMap<&str, std::collections::BTreeSet<usize>> = BTreeMap::new();
        for (path, act) in &ins.files {
            if within(path) {
                for &c in &act.commits {
                    commits
                        .entry(a.history.commits[c].author.as_str())
                        .or_default()
                        .insert(c);
                }
            }
        }
        let mut owners: Vec<(&str, usize)> =
            commits.into_iter().map(|(a, c)| (a, c.len())).collect();
        owners.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
        if owners.is_empty() {
            out += "None.\n";
        }
        for (author, n) in owners.iter().take(8) {
            let _ = writeln!(
                out,
                "- {author}: {} that changed these files",
                plural(*n, "commit")
            );
        }
        out += "\n## Change coupling (files that change together)\n\n";
        let coupled: Vec<_> = ins
            .couplings
            .iter()
            .filter(|c| within(&c.a) || within(&c.b))
            .take(10)
            .collect();
        if coupled.is_empty() {
            out += "None.\n";
        }
        for c in coupled {
            let _ = writeln!(
                out,
                "- {} and {}: {} together ({}%){}",
                c.a,
                c.b,
                plural(c.shared as usize, "commit"),
                c.degree,
                if c.hidden {
                    ", with no import between them"
                } else {
                    ""
                }
            );
        }
        Ok(finish(out))
    }

    /// The call paths through a symbol: who calls it, what it calls, and the wiki's flows
    /// that pass through it.
    pub fn flows(&self, symbol: &str, path: Option<&str>) -> Answer {
        let path = path.map(|p| self.repo_path(p)).transpose()?;
        let (p, line, _) = self.symbol_lines(path, symbol)?;
        let a = &self.analysis;
        let file = a
            .parsed
            .files
            .binary_search_by(|f| f.path.as_str().cmp(&p))
            .map_err(|_| Refusal(format!("no file {p}")))?;
        let sym = a.parsed.files[file]
            .facts
            .symbols
            .iter()
            .position(|s| {
                s.start_line == line && (s.name == symbol.trim() || s.short_name() == symbol.trim())
            })
            .ok_or_else(|| Refusal(format!("no symbol '{symbol}' in {p}")))?;
        let name = &a.parsed.files[file].facts.symbols[sym].name;
        let describe = |f: u32, s: Option<crate::references::SymId>| -> String {
            let fp = &a.parsed.files[f as usize].path;
            match s {
                Some(id) => format!(
                    "{} ({fp})",
                    a.parsed.files[id.file as usize].facts.symbols[id.symbol as usize].name
                ),
                None => format!("the top level of {fp}"),
            }
        };
        let mut out = format!(
            "{}\n\n# Calls through {name} ({p}:{line})\n\n",
            self.stamp()
        );
        out += "## Called from\n\n";
        let mut callers = 0;
        for e in &a.references.edges {
            if e.to.file as usize == file && e.to.symbol as usize == sym && e.from != Some(e.to) {
                callers += 1;
                if callers <= 30 {
                    let _ = writeln!(
                        out,
                        "- {} at {}:{} ({})",
                        describe(e.file, e.from),
                        a.parsed.files[e.file as usize].path,
                        e.line,
                        kind_word(e.kind)
                    );
                }
            }
        }
        if callers == 0 {
            out += "No call to it was resolved in the repository.\n";
        } else if callers > 30 {
            let _ = writeln!(out, "- … and {} more", callers - 30);
        }
        out += "\n## Calls\n\n";
        let id = crate::references::SymId {
            file: file as u32,
            symbol: sym as u32,
        };
        let mut calls = 0;
        for e in a.references.from_symbol(id) {
            calls += 1;
            if calls <= 30 {
                let _ = writeln!(
                    out,
                    "- {} at line {} ({})",
                    describe(e.to.file, Some(e.to)),
                    e.line,
                    kind_word(e.kind)
                );
            }
        }
        if calls == 0 {
            out += "No call from it was resolved to the repository's own code.\n";
        } else if calls > 30 {
            let _ = writeln!(out, "- … and {} more", calls - 30);
        }
        let mut flows = 0;
        for (i, facts) in self.part_facts.iter().enumerate() {
            for f in &facts.flows {
                let through = (f.entry.path == p && f.entry.line == line)
                    || f.steps
                        .iter()
                        .any(|s| s.callee.path == p && s.callee.line == line);
                if !through {
                    continue;
                }
                if flows == 0 {
                    out += "\n## Flows of the wiki through it\n";
                }
                flows += 1;
                let _ = writeln!(
                    out,
                    "\nIn part {} ({}): {} starts at {} ({}:{})",
                    a.clusters.clusters[i].name,
                    f.start,
                    f.entry.name,
                    f.entry.name,
                    f.entry.path,
                    f.entry.line
                );
                for s in &f.steps {
                    let _ = writeln!(
                        out,
                        "{}- {} {} ({}:{}){}",
                        "  ".repeat(s.depth.saturating_sub(1)),
                        s.verb,
                        s.callee.name,
                        s.at_path,
                        s.at_line,
                        if s.again { ", shown above" } else { "" }
                    );
                }
            }
        }
        Ok(finish(out))
    }
}

fn kind_word(kind: crate::parse::RefKind) -> &'static str {
    use crate::parse::RefKind::*;
    match kind {
        Call => "call",
        Create => "creation",
        TypeUse => "type use",
        Implements => "implements",
        Extends => "extends",
    }
}

/// `1 commit`, `2 commits`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_that_do_not_fit_are_named_not_cut() {
        let big = "x".repeat(400);
        let pages = [
            ("parts/a.md", "# A\nshort"),
            ("parts/b.md", big.as_str()),
            ("parts/c.md", "# C\nshort too"),
        ];
        let out = whole_pages("# Overview\n".into(), pages.into_iter(), 400);
        assert!(out.contains("# A\nshort"), "{out}");
        assert!(!out.contains("xxxx"), "a page is whole or absent: {out}");
        // After one page is left out, the later ones are too: the reader gets a contiguous run.
        assert!(!out.contains("short too"), "{out}");
        assert!(
            out.ends_with("2 part pages more did not fit in one answer; read each with `page`: parts/b.md, parts/c.md\n"),
            "{out}"
        );
        let all = whole_pages(String::new(), pages.into_iter(), 10_000);
        assert!(all.contains("short too") && all.contains("xxxx") && !all.contains("did not fit"));
    }
}
