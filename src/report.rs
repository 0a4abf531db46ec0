//! What a build reports: progress while it runs, and the closing summary (also as JSON).

use std::collections::BTreeMap;

use serde::Serialize;

/// Progress events, sent to whoever runs the build (the CLI draws them on stderr).
pub enum Event<'a> {
    Started(&'a str),
    Finished {
        stage: &'a str,
        seconds: f64,
        detail: String,
    },
}

/// The stages, in the order they run.
pub const STAGES: &[&str] = &[
    "history", "snapshot", "parse", "graph", "cluster", "insight", "narrate", "render", "write",
];

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// The repository's work tree.
    pub repo: String,
    pub title: String,
    /// The revision as asked for, and the commit it named.
    pub rev: String,
    pub commit: String,
    pub commits: usize,
    /// A shallow clone: the history is partial.
    pub shallow: bool,
    /// Files read from the tree; of them, files parsed as code (the rest are listed).
    pub files: usize,
    pub files_parsed: usize,
    pub files_with_syntax_errors: usize,
    pub files_skipped: BTreeMap<String, usize>,
    pub symbols: usize,
    pub import_edges: usize,
    pub cochange_edges: usize,
    pub clusters: usize,
    /// Files of the site (pages and assets) written, left as they were, removed.
    pub pages_written: usize,
    pub pages_unchanged: usize,
    pub pages_removed: usize,
    pub narrator: String,
    pub narrator_calls: usize,
    /// Stage name -> seconds.
    pub stages: BTreeMap<String, f64>,
    pub seconds: f64,
    /// The site folder.
    pub out: String,
}

impl Report {
    /// The closing summary for a person.
    pub fn summary(&self) -> String {
        let short = &self.commit[..self.commit.len().min(7)];
        let mut s = format!(
            "repowiki built the wiki of {} at {short} ({})\n",
            self.title, self.rev
        );
        let shallow = if self.shallow {
            " (shallow clone: the history is partial)"
        } else {
            ""
        };
        s += &format!("  commits    {}{shallow}\n", self.commits);
        let skipped: Vec<String> = self
            .files_skipped
            .iter()
            .map(|(r, n)| format!("{n} {r}"))
            .collect();
        s += &format!(
            "  files      {} parsed as code, {} other text files listed",
            self.files_parsed,
            self.files - self.files_parsed
        );
        if self.files_with_syntax_errors > 0 {
            s += &format!(", {} with syntax errors", self.files_with_syntax_errors);
        }
        s += "\n";
        if !skipped.is_empty() {
            s += &format!("  skipped    {}\n", skipped.join(", "));
        }
        s += &format!(
            "  graph      {} symbols, {} import edges, {} co-change edges\n",
            self.symbols, self.import_edges, self.cochange_edges
        );
        s += &format!("  clusters   {}\n", self.clusters);
        s += &format!(
            "  narrator   {}, {} calls\n",
            self.narrator, self.narrator_calls
        );
        s += &format!(
            "  pages      {} written, {} unchanged, {} removed\n",
            self.pages_written, self.pages_unchanged, self.pages_removed
        );
        let stages: Vec<String> = STAGES
            .iter()
            .filter_map(|st| self.stages.get(*st).map(|t| format!("{st} {t:.2}s")))
            .collect();
        s += &format!("  stages     {}\n", stages.join(" · "));
        s += &format!("  total      {:.2}s\n", self.seconds);
        s += &format!("Open {}/index.html\n", self.out);
        s
    }
}
