//! What a build reports: progress while it runs, and the closing summary (also as JSON).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Progress events, sent to whoever runs the build (the CLI draws them on stderr).
pub enum Event<'a> {
    Started(&'a str),
    /// Something worth saying while the build runs (waiting for another build, nothing to do).
    Note(String),
    /// Something that went wrong without failing the build (a cache moved aside).
    Warning(String),
    Finished {
        stage: &'a str,
        seconds: f64,
        detail: String,
    },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DryRun {
    pub calls: usize,
    pub estimated_tokens: u64,
}

/// The stages, in the order they run.
pub const STAGES: &[&str] = &[
    "history",
    "snapshot",
    "parse",
    "references",
    "graph",
    "cluster",
    "insight",
    "narrate",
    "render",
    "write",
];

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    /// The repository's work tree.
    pub repo: String,
    pub title: String,
    /// The revision as asked for, and the commit it named.
    pub rev: String,
    pub commit: String,
    pub commits: usize,
    /// Commits diffed in this build (the others came from the cache).
    pub commits_read: usize,
    /// A shallow clone: the history is partial.
    pub shallow: bool,
    /// `--since` / `--max-commits` left older commits out.
    pub bounded: bool,
    /// Files read from the tree; of them, files with a front-end, and of those, files parsed
    /// in this build (the others came from the cache).
    pub files: usize,
    pub code_files: usize,
    pub files_parsed: usize,
    pub files_with_syntax_errors: usize,
    /// Code files too large to parse (over 100,000 lines or 4 MiB): shown, not parsed.
    #[serde(default)]
    pub files_not_parsed: usize,
    pub files_skipped: BTreeMap<String, usize>,
    /// Bidirectional control characters (Trojan Source) in the files, shown as escapes, and
    /// the files that hold them.
    #[serde(default)]
    pub bidi_controls: usize,
    #[serde(default)]
    pub bidi_files: Vec<String>,
    pub symbols: usize,
    pub import_edges: usize,
    pub cochange_edges: usize,
    pub clusters: usize,
    /// Files of the site (pages and assets) written, left as they were, removed.
    pub pages_written: usize,
    pub pages_unchanged: usize,
    pub pages_removed: usize,
    pub narrator: String,
    /// Narrator calls made in this build, and narratives taken from the cache.
    pub narrator_calls: usize,
    pub narratives_cached: usize,
    /// Ids of the parts narrated in this build.
    pub narrated: Vec<String>,
    /// Narrator calls that failed (a stand-in narrative was used), one line each.
    pub narrator_failures: Vec<String>,
    /// Tokens the model servers reported for this build's calls.
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// For `--dry-run`: the calls a build would make and about how many tokens they would use.
    pub dry_run: Option<DryRun>,
    /// The site paths written or removed in this build.
    #[serde(skip)]
    pub pages_changed: Vec<String>,
    /// Warnings (a cache moved aside or unreadable), one line each.
    pub warnings: Vec<String>,
    /// Stage name -> seconds.
    pub stages: BTreeMap<String, f64>,
    pub seconds: f64,
    /// Peak resident memory of the process, in MiB (Linux; 0 where unknown).
    pub peak_memory_mib: f64,
    /// Nothing changed since the last build, which was checked and not repeated.
    pub up_to_date: bool,
    /// The site folder and the cache folder.
    pub out: String,
    pub cache: String,
    /// The page to open first: `index.html`, or `README.md` for the markdown wiki.
    #[serde(default)]
    pub entry: String,
}

impl Report {
    /// The closing summary for a person.
    pub fn summary(&self) -> String {
        let short = &self.commit[..self.commit.len().min(7)];
        if let Some(d) = &self.dry_run {
            return format!(
                "Dry run for {} at {short} with {}: {} narrator calls, about {} tokens ({} parts already narrated). Nothing was called or written.\n",
                self.title, self.narrator, d.calls, d.estimated_tokens, self.narratives_cached
            );
        }
        if self.up_to_date {
            return format!(
                "The wiki of {} is up to date at {short} ({}): nothing to do ({:.2}s).\nOpen {}/{}\n",
                self.title, self.rev, self.seconds, self.out, self.entry()
            );
        }
        let mut s = format!(
            "repowiki built the wiki of {} at {short} ({})\n",
            self.title, self.rev
        );
        let shallow = if self.shallow {
            " (shallow clone: the history is partial)"
        } else if self.bounded {
            " (bounded by --since/--max-commits: the history is partial)"
        } else {
            ""
        };
        s += &format!(
            "  commits    {}{shallow}, {} read now, {} from the cache\n",
            self.commits,
            self.commits_read,
            self.commits - self.commits_read
        );
        let skipped: Vec<String> = self
            .files_skipped
            .iter()
            .map(|(r, n)| format!("{n} {r}"))
            .collect();
        s += &format!(
            "  files      {} code files ({} parsed now, {} from the cache), {} other text files listed",
            self.code_files,
            self.files_parsed,
            self.code_files - self.files_parsed,
            self.files - self.code_files
        );
        if self.files_with_syntax_errors > 0 {
            s += &format!(", {} with syntax errors", self.files_with_syntax_errors);
        }
        if self.files_not_parsed > 0 {
            s += &format!(", {} too large to parse", self.files_not_parsed);
        }
        s += "\n";
        if !skipped.is_empty() {
            s += &format!("  skipped    {}\n", skipped.join(", "));
        }
        if self.bidi_controls > 0 {
            let mut files = self.bidi_files.iter().take(5).cloned().collect::<Vec<_>>();
            if self.bidi_files.len() > 5 {
                files.push(format!("{} more", self.bidi_files.len() - 5));
            }
            s += &format!(
                "  warning    {} bidirectional control characters (Trojan Source), shown as \\u{{…}} escapes, in {}\n",
                self.bidi_controls,
                files.join(", ")
            );
        }
        s += &format!(
            "  graph      {} symbols, {} import edges, {} co-change edges\n",
            self.symbols, self.import_edges, self.cochange_edges
        );
        s += &format!("  clusters   {}\n", self.clusters);
        s += &format!(
            "  narrator   {}, {} calls, {} narratives from the cache",
            self.narrator, self.narrator_calls, self.narratives_cached
        );
        if self.prompt_tokens + self.completion_tokens > 0 {
            s += &format!(
                ", {} prompt + {} completion tokens",
                self.prompt_tokens, self.completion_tokens
            );
        }
        s += "\n";
        for f in &self.narrator_failures {
            s += &format!("  failed     {f}\n");
        }
        s += &format!(
            "  pages      {} written, {} unchanged, {} removed\n",
            self.pages_written, self.pages_unchanged, self.pages_removed
        );
        let stages: Vec<String> = STAGES
            .iter()
            .filter_map(|st| self.stages.get(*st).map(|t| format!("{st} {t:.2}s")))
            .collect();
        s += &format!("  stages     {}\n", stages.join(" · "));
        s += &format!(
            "  total      {:.2}s, peak memory {:.0} MiB\n",
            self.seconds, self.peak_memory_mib
        );
        s += &format!("Open {}/{}\n", self.out, self.entry());
        s
    }

    pub fn entry(&self) -> &str {
        if self.entry.is_empty() {
            "index.html"
        } else {
            &self.entry
        }
    }
}

/// The process's peak resident memory (VmHWM) in MiB, read from /proc on Linux.
pub fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb / 1024.0)
        })
        .unwrap_or(0.0)
}

/// Text for a terminal: control characters (ESC, CSI, OSC, carriage returns; C1 controls) and
/// bidirectional overrides (Trojan Source) shown as visible escapes, `\u{1b}`, so that a commit
/// subject or a file name cannot clear the screen, retitle the window, write the clipboard or
/// reorder what is read. Line breaks and tabs stay.
pub fn for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The bidirectional formatting characters that can make code read otherwise than it runs
/// (CVE-2021-42574): embeddings and overrides, isolates, and the marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Text from a repository with its bidirectional controls, and (unless `layout` allows them
/// as in source files: tab, line breaks, form feed) its other control characters, written as
/// visible escapes (`\u{202e}`), as rustc and code hosts show them; and how many bidirectional
/// controls there were. `None`: nothing to show.
pub fn visible_controls(text: &str, layout: bool) -> Option<(String, usize)> {
    let hidden = |c: char| {
        is_bidi_control(c)
            || (c.is_control()
                && !(c == '\n' || c == '\t' || (layout && (c == '\r' || c == '\x0c'))))
    };
    if !text.chars().any(hidden) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut bidi = 0;
    for c in text.chars() {
        if hidden(c) {
            bidi += usize::from(is_bidi_control(c));
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Some((out, bidi))
}
