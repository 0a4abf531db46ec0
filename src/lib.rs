//! repowiki: turns a git repository into a living wiki, rebuilt from the code as it is and
//! from the history that explains why it is so.
//!
//! The pipeline is a chain of stages, each a function from immutable values to a new value
//! (see `build`): history -> snapshot -> packages -> parse -> graph -> cluster -> insight ->
//! narrate -> site render -> site write.

pub mod ask;
pub mod cache;
pub mod cluster;
pub mod config;
pub mod confine;
pub mod error;
#[cfg(test)]
mod fuzz;
pub mod graph;
pub mod history;
pub mod hook;
pub mod insight;
pub mod knowledge;
pub mod lock;
pub mod mcp;
pub mod narrate;
pub mod packages;
pub mod parse;
pub mod patterns;
pub mod references;
pub mod report;
pub mod secrets;
pub mod site;
pub mod snapshot;
pub mod state;
pub mod status;

use std::path::{Path, PathBuf};
use std::time::Instant;

use git2::{ErrorCode, Oid, Repository};

pub use config::Config;
pub use error::{Error, Result};
pub use narrate::{builtin::BuiltinNarrator, narrator_for, Narrator};
pub use report::{Event, Report};

pub struct BuildOptions {
    /// Any folder inside the repository's work tree.
    pub path: PathBuf,
    /// The site folder; default: the config's `out` under the repository root.
    pub out: Option<PathBuf>,
    /// What to build from; default: HEAD.
    pub rev: Option<String>,
    /// The cache folder; default: the config's `cache` under the repository root.
    pub cache_dir: Option<PathBuf>,
    /// Count the narrator calls and tokens a build would use; call nothing, write no page.
    pub dry_run: bool,
    /// Bounds on the history read, over the config's `history.since` / `history.max-commits`.
    pub since: Option<String>,
    pub max_commits: Option<usize>,
    /// Where the site is published, over the config's `site.base-url`.
    pub base_url: Option<String>,
    /// HTML pages, or the wiki as plain markdown files.
    pub format: Format,
    /// Write into an output folder that holds files repowiki did not write.
    pub force: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Html,
    Markdown,
}

/// Where the markdown wiki goes when no `--out` is given.
pub const MARKDOWN_OUT: &str = ".repowiki/wiki";

/// A repository found around a path, with its work tree and configuration.
pub struct Workspace {
    pub repo: Repository,
    pub root: PathBuf,
    pub config: Config,
}

impl Workspace {
    /// Finds the repository around `path`, with one clear error for each way this can fail.
    pub fn open(path: &Path) -> Result<Workspace> {
        if !path.is_dir() {
            return Err(Error::NoSuchPath(path.to_path_buf()));
        }
        let repo = Repository::discover(path).map_err(|e| match e.code() {
            ErrorCode::NotFound => Error::NotARepo(path.to_path_buf()),
            _ => Error::Git(e),
        })?;
        if repo.is_bare() {
            return Err(Error::BareRepo(repo.path().to_path_buf()));
        }
        let root = repo
            .workdir()
            .map(|w| w.canonicalize().unwrap_or_else(|_| w.to_path_buf()))
            .ok_or_else(|| Error::BareRepo(repo.path().to_path_buf()))?;
        // HEAD on a branch with no commits, in a repository that has some, is said when HEAD
        // is asked for (see `resolve`): another revision can still be built.
        if repo.is_empty()? {
            return Err(Error::EmptyRepo(root));
        }
        let config = Config::load(&root)?;
        Ok(Workspace { repo, root, config })
    }

    /// The commit that `rev` (default HEAD) names now.
    pub fn resolve(&self, rev: Option<&str>) -> Result<Oid> {
        let name = rev.unwrap_or("HEAD");
        if name == "HEAD" {
            if let Err(e) = self.repo.head() {
                if e.code() == ErrorCode::UnbornBranch {
                    let branch = self
                        .repo
                        .find_reference("HEAD")
                        .ok()
                        .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_string))
                        .unwrap_or_default();
                    return Err(Error::UnbornHead(
                        branch.trim_start_matches("refs/heads/").to_string(),
                    ));
                }
            }
        }
        match self.repo.revparse_single(name) {
            Ok(object) => object
                .peel_to_commit()
                .map(|c| c.id())
                .map_err(|_| Error::UnknownRev(name.to_string())),
            // A name that leads to a commit libgit2 cannot parse (an author line with a line
            // break in it) is read as git reads it, from the object (`history::parse_raw`).
            Err(e) => {
                let id = ["", "refs/heads/", "refs/tags/"]
                    .iter()
                    .find_map(|p| self.repo.refname_to_id(&format!("{p}{name}")).ok())
                    .or_else(|| Oid::from_str(name).ok());
                let is_commit = id
                    .and_then(|id| self.repo.odb().ok()?.read_header(id).ok())
                    .is_some_and(|(_, kind)| kind == git2::ObjectType::Commit);
                match id {
                    Some(id) if is_commit && history::parse_raw(&self.repo, id).is_some() => Ok(id),
                    Some(id) if is_commit => {
                        Err(Error::BadCommit(id.to_string(), e.message().to_string()))
                    }
                    _ => Err(Error::UnknownRev(name.to_string())),
                }
            }
        }
    }

    /// Where `commit` stands against the branch the repository is on (or, with a detached HEAD,
    /// origin's default branch, `main` or `master`): how many commits of that branch it lacks.
    pub fn freshness(&self, commit: Oid) -> Option<Freshness> {
        let head = self.repo.head().ok()?;
        let (branch, tip) = if head.is_branch() {
            (head.shorthand().ok()?.to_string(), head.target()?)
        } else {
            [
                "refs/remotes/origin/HEAD",
                "refs/heads/main",
                "refs/heads/master",
                "refs/remotes/origin/main",
                "refs/remotes/origin/master",
            ]
            .iter()
            .find_map(|name| {
                let r = self.repo.find_reference(name).ok()?.resolve().ok()?;
                let short = r.shorthand().ok()?.to_string();
                Some((short, r.target()?))
            })?
        };
        // (commits only in `commit`, commits only in the branch); a shallow history answers
        // with what it has.
        let (ahead, behind) = self.repo.graph_ahead_behind(commit, tip).ok()?;
        Some(Freshness {
            branch,
            ahead,
            behind,
        })
    }

    /// In a shallow clone, the commits its history stops at (git's `shallow` file): deepening
    /// the clone changes the history, and so the site, without a new commit.
    pub fn shallow_boundary(&self) -> Option<String> {
        let ids = history::shallow_boundary(&self.repo);
        (!ids.is_empty()).then(|| ids.iter().map(Oid::to_string).collect::<Vec<_>>().join(" "))
    }

    /// The template for links to source lines: configured, or guessed from `origin`.
    pub fn source_url(&self) -> Option<String> {
        if self.config.site.source_url.is_empty() {
            self.repo
                .find_remote("origin")
                .ok()
                .and_then(|r| r.url().ok().and_then(site::guess_source_url))
        } else {
            Some(self.config.site.source_url.clone())
        }
    }

    /// Where the repository overrides prompt templates.
    pub fn prompt_dir(&self) -> PathBuf {
        self.root.join(".repowiki/templates/prompts")
    }

    /// The cache folder: `--cache-dir`, else the config's `cache`; checked (see `confine`).
    pub fn cache_dir(&self, given: Option<&Path>) -> Result<PathBuf> {
        let bounds = confine::Bounds::of(&self.repo, &self.root);
        match given {
            Some(p) => confine::folder(&bounds, p, confine::Given::Flag, "--cache-dir"),
            None => confine::folder(
                &bounds,
                Path::new(&self.config.cache),
                confine::Given::Config,
                "cache",
            ),
        }
    }

    /// The output folder: `--out`, else the config's `out` (for markdown, `.repowiki/wiki`);
    /// checked (see `confine`).
    pub fn out_dir(&self, given: Option<&Path>, format: Format) -> Result<PathBuf> {
        let bounds = confine::Bounds::of(&self.repo, &self.root);
        match (given, format) {
            (Some(p), _) => confine::folder(&bounds, p, confine::Given::Flag, "--out"),
            (None, Format::Markdown) => confine::folder(
                &bounds,
                Path::new(MARKDOWN_OUT),
                confine::Given::Config,
                "the markdown folder",
            ),
            (None, Format::Html) => confine::folder(
                &bounds,
                Path::new(&self.config.out),
                confine::Given::Config,
                "out",
            ),
        }
    }
}

/// How the built commit compares with the tip of the repository's branch when it was built.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Freshness {
    pub branch: String,
    pub ahead: usize,
    pub behind: usize,
}

/// Everything the pipeline learned about the repository at one commit: the values the
/// narrate and site stages work from.
pub struct Analysis {
    pub title: String,
    pub snapshot: snapshot::Snapshot,
    pub packages: packages::Packages,
    pub history: history::History,
    pub parsed: parse::Parsed,
    pub references: references::References,
    pub graph: graph::Graph,
    pub clusters: cluster::Clusters,
    pub insights: insight::Insights,
    pub pages: site::paths::PageMap,
}

/// Hands the memory freed so far back to the system. The allocator keeps what a stage freed
/// for later use, in one arena per thread that freed it; the stages after the history crawl
/// and the parse need less than those freed, so without this the freed memory and the later
/// stages' both count in the peak.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator's own arenas to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// `work`, on `pool`'s threads when there is one.
fn on<T: Send>(pool: &Option<rayon::ThreadPool>, work: impl FnOnce() -> T + Send) -> T {
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Lowers the calling thread's priority as far as it goes (on Linux a thread's nice value is
/// its own; elsewhere it would be the whole process's, so nothing is done).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only changes this thread's scheduling weight.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 19);
    }
}

/// Times each stage and reports it.
struct Stages<'a> {
    progress: &'a (dyn Fn(Event) + Sync),
    seconds: std::collections::BTreeMap<String, f64>,
}

impl Stages<'_> {
    fn run<T>(
        &mut self,
        name: &'static str,
        work: impl FnOnce() -> Result<T>,
        detail: impl FnOnce(&T) -> String,
    ) -> Result<T> {
        (self.progress)(Event::Started(name));
        let t = Instant::now();
        let value = work()?;
        let seconds = t.elapsed().as_secs_f64();
        self.seconds.insert(name.to_string(), seconds);
        (self.progress)(Event::Finished {
            stage: name,
            seconds,
            detail: detail(&value),
        });
        Ok(value)
    }
}

/// Runs the whole pipeline and writes the site. Nothing is written before the repository,
/// revision, config and output folder have all been checked. Expensive results come from the
/// cache when an earlier build computed them; only what changed is recomputed.
pub fn build(
    options: &BuildOptions,
    narrator: &dyn Narrator,
    progress: &(dyn Fn(Event) + Sync),
) -> Result<Report> {
    let started = Instant::now();
    let ws = Workspace::open(&options.path)?;
    if let Some(url) = options.base_url.as_deref().filter(|u| !u.is_empty()) {
        if !config::plain_url(url, "") {
            return Err(Error::Config {
                path: ws.root.join(config::CONFIG_FILE),
                message: "--site-url must be a plain http:// or https:// address (no spaces, quotes, brackets or parentheses)".into(),
            });
        }
    }
    ws.resolve(options.rev.as_deref())?;
    let out = ws.out_dir(options.out.as_deref(), options.format)?;
    let cache_dir = ws.cache_dir(options.cache_dir.as_deref())?;
    confine::apart(&out, &cache_dir)?;
    confine::no_links_within(&cache_dir)?;
    site::write::prepare(&out, options.force)?;
    // Read before any work: a theme file that cannot be read fails the build at once.
    let theme = site::theme::Theme::load(&ws.root)?;
    let _lock = lock::acquire(&out, &cache_dir, || {
        progress(Event::Note(
            "waiting for another build of this repository to finish".into(),
        ))
    })?;
    // Resolved again under the lock: a build that waited builds the newest HEAD.
    let commit = ws.resolve(options.rev.as_deref())?;
    keep_out_of_git_status(&ws.root, &out, &cache_dir);
    let since = options
        .since
        .clone()
        .unwrap_or_else(|| ws.config.history.since.clone());
    let limits = history::Limits {
        since: if since.is_empty() {
            None
        } else {
            Some(history::parse_date(&since).ok_or_else(|| Error::Config {
                path: ws.root.join(config::CONFIG_FILE),
                message: format!("--since must be a day like 2024-01-31, not '{since}'"),
            })?)
        },
        max_commits: options
            .max_commits
            .or(Some(ws.config.history.max_commits))
            .filter(|&m| m > 0),
    };
    // The config's own bounds are in the settings already; bounds given as flags are added.
    let flags =
        options.since.is_some() || options.max_commits.is_some() || options.base_url.is_some();
    let mut narrator_and_flags = match flags {
        true => format!("{} {limits:?} {:?}", narrator.id(), options.base_url),
        false => narrator.id(),
    };
    // The freshness line moves when the branch does (only ever when building an older commit).
    let freshness = ws.freshness(commit);
    if let Some(f) = freshness.as_ref().filter(|f| f.ahead + f.behind > 0) {
        narrator_and_flags += &format!(" {f:?}");
    }
    if options.format == Format::Markdown {
        narrator_and_flags += " markdown";
    }
    let settings = settings_hash(&ws, &narrator_and_flags);
    // What the last build left: read once, for the no-op check and for the page memo.
    let last = state::load(&cache_dir);
    let fast = !options.dry_run;
    if let Some(report) = fast
        .then(|| unchanged_since_last_build(last.as_ref(), &out, commit, &settings, started))
        .flatten()
    {
        progress(Event::Note(
            "nothing changed since the last build: the site is current".into(),
        ));
        return Ok(report);
    }

    let mut notes = Vec::new();
    let sled_cache = cache::SledCache::open(&cache_dir, &mut notes);
    let memory_cache = cache::MemoryCache::default();
    let store = cache_or_memory(&sled_cache, &memory_cache, &mut notes, "building");
    // git honours replace refs, and so does repowiki: said, since the pages then differ from
    // what the objects alone say.
    let replaced = history::replaced_commits(&ws.repo).len();
    if replaced > 0 {
        notes.push(format!(
            "note: {replaced} commit(s) replaced by refs/replace/: the pages show the replacements, as git log does"
        ));
    }
    for note in &notes {
        progress(Event::Warning(note.clone()));
    }
    let cache = cache::CacheUse::new(store);
    let mut report = Report {
        repo: ws.root.display().to_string(),
        rev: options.rev.clone().unwrap_or_else(|| "HEAD".into()),
        commit: commit.to_string(),
        narrator: narrator.id(),
        out: out.display().to_string(),
        cache: cache_dir.display().to_string(),
        entry: match options.format {
            Format::Html => "index.html".into(),
            Format::Markdown => "README.md".into(),
        },
        ..Default::default()
    };
    let mut stages = Stages {
        progress,
        seconds: Default::default(),
    };
    let config = &ws.config;

    // Source views are HTML pages' only: the parse stage colours them for the HTML site.
    let views = options.format == Format::Html;
    if let Some(last) = last.as_ref().filter(|_| views) {
        site::highlight::prepare_for_changes(&ws.repo, &last.commit, commit);
    }
    let (analysis, diffed, parsed_now) = analyse(&ws, commit, &limits, &cache, views, &mut stages)?;
    report.title = analysis.title.clone();
    if options.dry_run {
        let (parts, overview) = narrate::facts::gather(&analysis, config.model.context_tokens);
        let mut dry = report::DryRun::default();
        for f in &parts {
            if cache
                .get::<narrate::Narrative>(
                    cache::Space::Narratives,
                    &narrate::narrative_key(narrator, f),
                )
                .is_some()
            {
                report.narratives_cached += 1;
            } else {
                dry.calls += 1;
                dry.estimated_tokens += narrator.estimate_part(f).unwrap_or(0);
            }
        }
        if dry.calls > 0 {
            dry.calls += 1;
            dry.estimated_tokens += narrator.estimate_overview(&overview).unwrap_or(0);
        }
        report.dry_run = Some(dry);
        report.commits_read = diffed;
        report.files_parsed = parsed_now;
        report.clusters = analysis.clusters.clusters.len();
        report.commits = analysis.history.commits.len();
        report.files = analysis.snapshot.files.len();
        report.code_files = analysis.parsed.code_files();
        report.stages = stages.seconds;
        report.seconds = started.elapsed().as_secs_f64();
        cache.flush();
        return Ok(report);
    }
    let (part_facts, overview_facts, narratives) = stages.run(
        "narrate",
        || {
            let (parts, overview) = narrate::facts::gather(&analysis, config.model.context_tokens);
            let narratives = narrate::narrate(&parts, &overview, narrator, &cache)?;
            Ok((parts, overview, narratives))
        },
        |(_, _, n)| format!("{} calls, {} from the cache", n.calls, n.cached),
    )?;
    let source_url = ws.source_url();
    let base_url = match options.base_url.as_deref().unwrap_or(&config.site.base_url) {
        "" => String::new(),
        url => format!("{}/", url.trim_end_matches('/')),
    };
    // A file page may be kept as it is when the last build, with the same settings, rendered
    // it from the same inputs and nobody has touched it since.
    let last = last.filter(|l| l.settings == settings && Path::new(&l.out) == out);
    let journal_pending = out.join(".repowiki-journal").exists();
    let unchanged_since = |page: &str, key: &str| -> bool {
        !journal_pending
            && last.as_ref().is_some_and(|l| {
                l.page_keys.get(page).is_some_and(|k| k == key)
                    && state::file_matches(&out, page, &l.site)
            })
    };
    for w in &theme.warnings {
        progress(Event::Warning(w.clone()));
    }
    release_freed_memory();
    let mut writer = site::Writer::begin(&out)?;
    let rendered = stages.run(
        "render",
        || {
            let input = site::SiteInput {
                theme: &theme,
                analysis: &analysis,
                part_facts: &part_facts,
                overview_facts: &overview_facts,
                narratives: &narratives,
                source_url: source_url.as_deref(),
                base_url: &base_url,
                freshness: freshness.as_ref(),
                unchanged_since: &unchanged_since,
                last_asked: last.as_ref().map(|l| &l.asked),
                cache: Some(&cache),
            };
            match options.format {
                Format::Html => site::render(&input, &mut writer),
                Format::Markdown => {
                    let pages = site::wiki::render(&input);
                    for page in &pages {
                        writer.page(page)?;
                    }
                    Ok(site::Rendered {
                        rendered: pages.len(),
                        ..Default::default()
                    })
                }
            }
        },
        |r| {
            format!(
                "{} rendered, {} kept ({} of them part pages)",
                r.rendered, r.kept, r.kept_parts
            )
        },
    )?;
    let all_pages: Vec<String> = writer.paths().map(str::to_string).collect();
    let written = stages.run(
        "write",
        || writer.finish(),
        |w| format!("{} written", w.written),
    )?;

    let a = &analysis;
    report.commits = a.history.commits.len();
    report.commits_read = diffed;
    report.shallow = a.history.shallow;
    report.bounded = a.history.bounded;
    report.files = a.snapshot.files.len();
    report.code_files = a.parsed.code_files();
    report.files_parsed = parsed_now;
    let noted = |what: &str| {
        a.parsed
            .files
            .iter()
            .filter(|f| f.note.as_deref().is_some_and(|n| n.starts_with(what)))
            .count()
    };
    report.files_with_syntax_errors = noted("syntax errors");
    report.files_not_parsed = noted("not parsed");
    report.files_skipped = a
        .snapshot
        .skip_counts()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    report.bidi_controls = a.snapshot.bidi.values().sum();
    report.bidi_files = a.snapshot.bidi.keys().cloned().collect();
    report.symbols = a.parsed.files.iter().map(|f| f.facts.symbols.len()).sum();
    report.import_edges = a.graph.imports.values().map(|m| m.len()).sum();
    report.cochange_edges = a.graph.cochange.len();
    report.clusters = a.clusters.clusters.len();
    report.narrator_calls = narratives.calls;
    report.narrator_failures = narratives.failures.clone();
    let usage = narrator.usage();
    report.prompt_tokens = usage.prompt_tokens;
    report.completion_tokens = usage.completion_tokens;
    report.narratives_cached = narratives.cached;
    report.pages_written = written.written;
    report.pages_unchanged = written.unchanged;
    report.pages_removed = written.removed;
    report.pages_changed = written.changed;
    report.narrated = narratives
        .narrated
        .iter()
        .map(|&i| a.clusters.clusters[i].id.clone())
        .collect();
    report.stages = stages.seconds;
    report.warnings = notes;
    report.warnings.extend(cache.warnings());
    report.seconds = started.elapsed().as_secs_f64();
    report.peak_memory_mib = report::peak_memory_mib();
    cache.flush();
    let fingerprint = state::fingerprint(&out, all_pages.iter().map(String::as_str));
    let mut state = build_state(&analysis, &out, settings, &report, fingerprint);
    state.settings_base = settings_hash(&ws, &narrator.id());
    state.page_keys = rendered.keys;
    state.asked = rendered.asked;
    // The site is written: a state that cannot be saved costs the next build its shortcuts only.
    if let Err(e) = state::save(&cache_dir, &state) {
        progress(Event::Warning(format!(
            "warning: {e}; the next build will not know what this one did"
        )));
    }
    // What the build learned is millions of small allocations (0.1 s to free after a one-file
    // build of rust-analyzer, 0.4 s after a cold one): freed on a thread of its own, so that
    // the report goes out without waiting for it. (Where no thread can be started, here.)
    let learned = (analysis, part_facts, overview_facts, narratives, state);
    let _ = std::thread::Builder::new()
        .name("free".into())
        .spawn(move || drop(learned));
    Ok(report)
}

/// The stages from the history crawl to insight, with what they found: the analysis of the
/// repository at `commit`, how many commits were diffed now and how many files parsed now.
/// Everything cached by an earlier build is read from `cache`.
fn analyse(
    ws: &Workspace,
    commit: Oid,
    limits: &history::Limits,
    cache: &cache::CacheUse,
    views: bool,
    stages: &mut Stages,
) -> Result<(Analysis, usize, usize)> {
    let config = &ws.config;
    let progress = stages.progress;
    // The history is read on a thread of its own while the tree is read, parsed and resolved:
    // neither needs the other, and each has stretches that keep one core only. (git2's
    // `Repository` is not shared between threads: the history opens its own.)
    let gitdir = ws.repo.path().to_path_buf();
    // When the history is read from git whole (none of it kept), the crawl is the longest
    // stretch of the build: the tree is then parsed and resolved at a lower priority, filling
    // what the crawl leaves of the cores (each segment's last slow commits) rather than taking
    // turns with it. Otherwise the tree is the longer stretch, and nothing is lowered.
    let beside = history::nothing_kept(cache)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("tree-{i}"))
                .start_handler(|_| lower_priority())
                .build()
                .ok()
        })
        .flatten();
    let (crawled, analysed) = std::thread::scope(|scope| {
        let crawl = scope.spawn(|| {
            let t = Instant::now();
            progress(Event::Started("history"));
            let crawled = git2::Repository::open(&gitdir)
                .map_err(Into::into)
                .and_then(|repo| history::crawl(&repo, commit, limits, cache));
            (crawled, t.elapsed().as_secs_f64())
        });
        let analysed = (|| -> Result<_> {
            let snapshot = stages.run(
                "snapshot",
                || {
                    let mut ignore = read_ignore_file(&ws.root);
                    ignore.extend(config.snapshot.exclude.iter().cloned());
                    let options = snapshot::SnapshotOptions {
                        max_file_bytes: config.snapshot.max_file_bytes,
                        ignore,
                    };
                    snapshot::read(&ws.repo, commit, &options, cache)
                },
                |s| format!("{} files, {} skipped", s.files.len(), s.skipped.len()),
            )?;
            let packages = stages.run(
                "packages",
                || Ok(packages::read(&snapshot)),
                |p| format!("{} packages", p.packages.len()),
            )?;
            // A manifest that cannot be read is no package; said in one line each, and the build goes on.
            for (path, why) in &packages.unreadable {
                let line = format!("warning: {path} was not read as a manifest: {why}");
                progress(Event::Warning(report::for_terminal(&line)));
            }
            // The project's name: the config's, else its root package's, else its folder's.
            let title = if ws.config.site.title.is_empty() {
                default_title(ws, &packages)
            } else {
                ws.config.site.title.clone()
            };
            let title = secrets::clean(&title).into_owned();
            let (mut parsed, parsed_now) = stages.run(
                "parse",
                || {
                    Ok(on(&beside, || {
                        parse::parse_all(&snapshot, &packages, cache, views)
                    }))
                },
                |(p, n)| format!("{} code files, {n} parsed now", p.code_files()),
            )?;
            let references = stages.run(
                "references",
                || {
                    Ok(on(&beside, || {
                        references::resolve(&snapshot, &packages, &parsed)
                    }))
                },
                |r| {
                    format!(
                        "{} of {} call sites resolved, {} outside the repository",
                        r.stats.resolved, r.stats.calls, r.stats.external
                    )
                },
            )?;
            parsed.shed_references();
            Ok((snapshot, packages, title, parsed, parsed_now, references))
        })();
        let crawled = crawl.join().expect("the history thread does not panic");
        (crawled, analysed)
    });
    let ((history, diffed), seconds) = match crawled {
        (Ok(h), seconds) => (h, seconds),
        (Err(e), _) => return Err(e),
    };
    stages.seconds.insert("history".to_string(), seconds);
    progress(Event::Finished {
        stage: "history",
        seconds,
        detail: format!("{} commits, {diffed} read now", history.commits.len()),
    });
    let (snapshot, packages, title, parsed, parsed_now, references) = analysed?;
    release_freed_memory();
    let graph = stages.run(
        "graph",
        || {
            let options = graph::GraphOptions {
                max_changeset: config.history.max_changeset,
                min_cochange: config.history.min_cochange,
            };
            Ok(graph::build(&parsed, &history, &options))
        },
        |g| {
            format!(
                "{} import edges",
                g.imports.values().map(|m| m.len()).sum::<usize>()
            )
        },
    )?;
    let clusters = stages.run(
        "cluster",
        || {
            Ok(cluster::cluster(
                &parsed,
                &graph,
                &packages,
                &config.cluster,
                &title,
            ))
        },
        |c| format!("{} parts", c.clusters.len()),
    )?;
    let insights = stages.run(
        "insight",
        || Ok(insight::analyse(&history, &parsed, &clusters, &graph)),
        |_| String::new(),
    )?;
    let pages = site::paths::PageMap::new(parsed.files.iter().map(|f| f.path.as_str()));
    let analysis = Analysis {
        title,
        snapshot,
        packages,
        history,
        parsed,
        references,
        graph,
        clusters,
        insights,
        pages,
    };
    Ok((analysis, diffed, parsed_now))
}

/// The sled cache, or when it cannot be opened the memory cache, said in a warning (`doing`:
/// what goes on without it).
fn cache_or_memory<'c>(
    sled: &'c std::result::Result<cache::SledCache, String>,
    memory: &'c cache::MemoryCache,
    notes: &mut Vec<String>,
    doing: &str,
) -> &'c dyn cache::Cache {
    match sled {
        Ok(c) => c,
        Err(e) => {
            notes.push(format!("warning: {e}; {doing} without a cache"));
            memory
        }
    }
}

/// How `ask` and `mcp` find the wiki they answer from.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Any folder inside the repository's work tree.
    pub path: PathBuf,
    /// The cache folder; default: the config's `cache` under the repository root.
    pub cache_dir: Option<PathBuf>,
    /// Build first when the wiki is older than HEAD (it is always built when there is none).
    pub build: bool,
}

/// The search index alone, with the line its answers start with, when it is up to date with
/// the wiki that `load_wiki` would give: then `ask` answers without reading the wiki back
/// (milliseconds instead of seconds on a large repository). None when there is no wiki yet,
/// when `build` is asked for and HEAD has moved on, or when the index is behind; the
/// embedder is taken only when the index is returned.
pub fn current_index(
    options: &LoadOptions,
    narrator_id: &str,
    embedder: &mut Option<narrate::backend::embeddings::Embedder>,
) -> Result<Option<CurrentIndex>> {
    let ws = Workspace::open(&options.path)?;
    let head = ws.resolve(None)?.to_string();
    let cache_dir = ws.cache_dir(options.cache_dir.as_deref())?;
    confine::no_links_within(&cache_dir)?;
    let Some(built) = state::load_commit(&cache_dir) else {
        return Ok(None);
    };
    if options.build && built != head {
        return Ok(None);
    }
    let key = wiki_key(&ws, &built, narrator_id);
    let Some(index) = ask::SearchIndex::open_current(&cache_dir, &key, embedder)? else {
        return Ok(None);
    };
    Ok(Some(CurrentIndex {
        stamp: knowledge::stamp(&folder_name(&ws.root), &built, &head),
        commit: built,
        index,
    }))
}

/// A search index that answers alone (see `current_index`).
pub struct CurrentIndex {
    /// The line every answer starts with.
    pub stamp: String,
    /// The commit the wiki and the index describe.
    pub commit: String,
    pub index: ask::SearchIndex,
}

/// What identifies a wiki: its commit and the settings it is made with.
fn wiki_key(ws: &Workspace, commit: &str, narrator_id: &str) -> String {
    format!("{commit} {}", settings_hash(ws, narrator_id))
}

fn folder_name(root: &Path) -> String {
    root.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The wiki as the last build left it, read back into memory (from the cache, at the commit
/// that build described) for `ask` and `mcp`. With no build yet, or with `build` and a wiki
/// older than HEAD, the site is built first, as `repowiki build` would.
pub fn load_wiki(
    options: &LoadOptions,
    narrator: &dyn Narrator,
    progress: &(dyn Fn(Event) + Sync),
) -> Result<knowledge::Knowledge> {
    let ws = Workspace::open(&options.path)?;
    let head = ws.resolve(None)?;
    let out = ws.out_dir(None, Format::Html)?;
    let cache_dir = ws.cache_dir(options.cache_dir.as_deref())?;
    confine::no_links_within(&cache_dir)?;
    let built = state::load(&cache_dir).map(|s| s.commit);
    let stale = built.as_deref() != Some(head.to_string().as_str());
    if built.is_none() || (stale && options.build) {
        build(
            &BuildOptions {
                path: options.path.clone(),
                out: None,
                rev: None,
                cache_dir: options.cache_dir.clone(),
                dry_run: false,
                since: None,
                max_commits: None,
                base_url: None,
                format: Format::Html,
                force: false,
            },
            narrator,
            progress,
        )?;
    }
    let built = state::load(&cache_dir)
        .map(|s| s.commit)
        .ok_or_else(|| Error::NoWiki(cache_dir.clone()))?;
    let commit = Oid::from_str(&built).map_err(|_| Error::NoWiki(cache_dir.clone()))?;
    // The cache is read under the build's lock, and let go once the wiki is in memory: a
    // server that runs for days must not hold back the post-commit hook's builds.
    let _lock = lock::acquire(&out, &cache_dir, || {
        progress(Event::Note(
            "waiting for a build of this repository to finish".into(),
        ))
    })?;
    let mut notes = Vec::new();
    let sled_cache = cache::SledCache::open(&cache_dir, &mut notes);
    let memory_cache = cache::MemoryCache::default();
    let store = cache_or_memory(&sled_cache, &memory_cache, &mut notes, "reading the wiki");
    for note in &notes {
        progress(Event::Warning(note.clone()));
    }
    let cache = cache::CacheUse::new(store);
    let limits = history::Limits {
        since: history::parse_date(&ws.config.history.since),
        max_commits: Some(ws.config.history.max_commits).filter(|&m| m > 0),
    };
    let mut stages = Stages {
        progress,
        seconds: Default::default(),
    };
    let (analysis, _, _) = analyse(&ws, commit, &limits, &cache, false, &mut stages)?;
    let (part_facts, overview_facts) =
        narrate::facts::gather(&analysis, ws.config.model.context_tokens);
    let narratives = narrate::narrate(&part_facts, &overview_facts, narrator, &cache)?;
    cache.flush();
    drop(sled_cache);
    let theme = site::theme::Theme::load(&ws.root)?;
    let source_url = ws.source_url();
    let freshness = ws.freshness(commit);
    let input = site::SiteInput {
        theme: &theme,
        analysis: &analysis,
        part_facts: &part_facts,
        overview_facts: &overview_facts,
        narratives: &narratives,
        source_url: source_url.as_deref(),
        base_url: "",
        freshness: freshness.as_ref(),
        unchanged_since: &|_, _| false,
        last_asked: None,
        cache: None,
    };
    let pages = site::wiki::render(&input)
        .into_iter()
        .map(|p| (p.path, String::from_utf8_lossy(&p.bytes).into_owned()))
        .collect();
    let remotes = ws
        .repo
        .remotes()
        .map(|names| {
            names
                .iter()
                .flatten()
                .flatten()
                .filter_map(|n| ws.repo.find_remote(n).ok()?.url().ok().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(knowledge::Knowledge {
        name: folder_name(&ws.root),
        root: ws.root.clone(),
        cache_dir,
        remotes,
        key: wiki_key(&ws, &built, &narrator.id()),
        commit: built,
        head: head.to_string(),
        analysis,
        part_facts,
        narratives,
        pages,
    })
}

/// This program's identity: its version and, so that a rebuilt binary counts as a different
/// program (its templates and logic are built in), its executable's size and mtime.
pub fn program_stamp() -> &'static str {
    static STAMP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    STAMP.get_or_init(|| {
        let exe = std::env::current_exe()
            .ok()
            .and_then(|p| std::fs::metadata(p).ok());
        let (len, mtime) = exe
            .map(|m| {
                let t = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_nanos())
                    .unwrap_or(0);
                (m.len(), t)
            })
            .unwrap_or((0, 0));
        format!("{} {len} {mtime}", env!("CARGO_PKG_VERSION"))
    })
}

/// Everything besides the commit that shapes the site: the configuration, the narrator, this
/// version of repowiki (its templates are built in), `.repowikiignore`, the source-link
/// template, the theme, and where a shallow clone's history stops. When these and the commit
/// are as last time, the site is as last time.
pub fn settings_hash(ws: &Workspace, narrator_id: &str) -> String {
    let theme = site::theme::Theme::load(&ws.root)
        .map(|t| t.fingerprint())
        .unwrap_or_else(|e| e.to_string());
    let mut text = format!(
        "{}\n{}\n{}\n{}\n{}\n{theme}",
        toml::to_string(&ws.config).unwrap_or_default(),
        narrator_id,
        program_stamp(),
        read_ignore_file(&ws.root).join("\n"),
        ws.source_url().unwrap_or_default(),
    );
    if let Some(boundary) = ws.shallow_boundary() {
        text += &format!("\nshallow {boundary}");
    }
    // Replace refs change what commits say without a new commit.
    if let Ok(refs) = ws.repo.references_glob("refs/replace/*") {
        for r in refs.flatten() {
            text += &format!("\n{} {:?}", r.name().unwrap_or(""), r.target());
        }
    }
    blake3::hash(text.as_bytes()).to_hex()[..16].to_string()
}

/// When the commit, the settings and the site on disk are all as the last build left them,
/// the build has nothing to do: the last report, marked as such.
fn unchanged_since_last_build(
    last: Option<&state::BuildState>,
    out: &Path,
    commit: Oid,
    settings: &str,
    started: Instant,
) -> Option<Report> {
    let last = last?;
    let same = last.commit == commit.to_string()
        && last.settings == settings
        && Path::new(&last.out) == out
        && state::site_matches(out, &last.site);
    if !same {
        return None;
    }
    let mut r = last.report.clone()?;
    // Stand-ins for failed narrator calls are to be replaced as soon as the narrator answers.
    if !r.narrator_failures.is_empty() {
        return None;
    }
    r.commits_read = 0;
    r.files_parsed = 0;
    r.narratives_cached += r.narrator_calls;
    r.narrator_calls = 0;
    r.narrated.clear();
    r.pages_unchanged += r.pages_written;
    r.pages_written = 0;
    r.pages_removed = 0;
    r.pages_changed.clear();
    r.warnings.clear();
    r.up_to_date = true;
    r.seconds = started.elapsed().as_secs_f64();
    r.stages = [("check".to_string(), r.seconds)].into_iter().collect();
    r.peak_memory_mib = report::peak_memory_mib();
    Some(r)
}

fn build_state(
    a: &Analysis,
    out: &Path,
    settings: String,
    report: &Report,
    site: std::collections::BTreeMap<String, (u64, u64)>,
) -> state::BuildState {
    let mut tree = std::collections::BTreeMap::new();
    for f in &a.snapshot.files {
        tree.insert(f.path.clone(), f.blob.clone());
    }
    for s in &a.snapshot.skipped {
        tree.insert(s.path.clone(), s.blob.clone());
    }
    state::BuildState {
        commit: a.snapshot.commit.clone(),
        out: out.display().to_string(),
        settings,
        settings_base: String::new(),
        report: Some(report.clone()),
        site,
        page_keys: Default::default(),
        asked: Default::default(),
        tree,
        parts: a
            .clusters
            .clusters
            .iter()
            .map(|c| state::PartState {
                id: c.id.clone(),
                name: c.name.clone(),
                slug: c.slug.clone(),
                members: c.members.clone(),
            })
            .collect(),
    }
}

/// The project's name from its manifest at the revision (Cargo.toml, package.json,
/// pyproject.toml, …), else from the root's Visual Studio solution, else the name of the
/// repository's folder.
fn default_title(ws: &Workspace, packages: &packages::Packages) -> String {
    // A Go module is named by its path (`github.com/spf13/cobra`); the project by its last part.
    let name = packages.at_root().map(|p| match p.ecosystem {
        packages::Ecosystem::Go => parse::go_package_name(&p.name).to_string(),
        _ => p.name.clone(),
    });
    let solution = Some(packages.solution.clone());
    name.filter(|n| !n.trim().is_empty())
        .or(solution.filter(|n| !n.is_empty()))
        .unwrap_or_else(|| {
            ws.root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "repository".into())
        })
}

/// `.repowikiignore` at the repository root: like the config, it steers the tool, so it is
/// read from the work tree.
/// A symbolic link there is not followed (it is read as no file).
fn read_ignore_file(root: &Path) -> Vec<String> {
    confine::read_to_string(root, Path::new(".repowikiignore"))
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

const GITIGNORE_HEAD: &str =
    "# Written by repowiki: what it builds stays out of git; templates/ is yours to commit.";

/// What repowiki writes under `.repowiki/` in the work tree (the site, the cache and its lock,
/// the hook's log) is kept out of `git status` by a `.gitignore` there; `.repowiki/templates/`
/// is left for the repository's own template overrides.
fn keep_out_of_git_status(root: &Path, out: &Path, cache: &Path) {
    let dot = root.join(".repowiki");
    let mut lines = vec![
        GITIGNORE_HEAD.to_string(),
        "/.gitignore".into(),
        "/hook.log".into(),
    ];
    let lock = lock::lock_path(cache);
    let out_lock = lock::out_lock_path(out);
    let next = site::write::next_path(out).unwrap_or_default();
    for path in [out, cache, &lock, &out_lock, &next] {
        if let Ok(rel) = path.strip_prefix(&dot) {
            lines.push(format!("/{}", rel.to_string_lossy()));
        }
    }
    if let Ok(rel) = cache.strip_prefix(&dot) {
        lines.push(format!("/{}.corrupt-*", rel.to_string_lossy()));
    }
    if lines.len() == 3 {
        return;
    }
    let text = lines.join("\n") + "\n";
    let file = Path::new(".repowiki/.gitignore");
    // A .gitignore that someone else wrote is left alone; nothing is written through a link.
    match confine::read_to_string(root, file) {
        Ok(old) if old == text || !old.starts_with(GITIGNORE_HEAD) => {}
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {}
        _ => {
            let _ = confine::write(root, file, text.as_bytes(), true);
        }
    }
}

/// Writes the commented default `repowiki.toml` at the root of the repository around `path`.
pub fn init(path: &Path, force: bool) -> Result<PathBuf> {
    if !path.is_dir() {
        return Err(Error::NoSuchPath(path.to_path_buf()));
    }
    let repo = Repository::discover(path).map_err(|_| Error::NotARepo(path.to_path_buf()))?;
    let root = repo
        .workdir()
        .ok_or_else(|| Error::BareRepo(repo.path().to_path_buf()))?;
    let file = root.join(config::CONFIG_FILE);
    if std::fs::symlink_metadata(&file).is_ok() && !force {
        return Err(Error::Config {
            path: file,
            message: "already exists (use --force to overwrite it)".into(),
        });
    }
    confine::write(
        root,
        Path::new(config::CONFIG_FILE),
        config::INIT_TEXT.as_bytes(),
        true,
    )
    .map_err(|e| Error::io(format!("cannot write {}", file.display()), e))?;
    Ok(file)
}
