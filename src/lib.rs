//! repowiki: turns a git repository into a living wiki, rebuilt from the code as it is and
//! from the history that explains why it is so.
//!
//! The pipeline is a chain of stages, each a function from immutable values to a new value
//! (see `build`): history -> snapshot -> parse -> graph -> cluster -> insight -> narrate ->
//! site render -> site write.

pub mod cluster;
pub mod config;
pub mod error;
pub mod graph;
pub mod history;
pub mod insight;
pub mod narrate;
pub mod parse;
pub mod patterns;
pub mod report;
pub mod site;
pub mod snapshot;

use std::path::{Path, PathBuf};
use std::time::Instant;

use git2::{ErrorCode, Oid, Repository};

pub use config::Config;
pub use error::{Error, Result};
pub use narrate::{builtin::BuiltinNarrator, Narrator};
pub use report::{Event, Report};

pub struct BuildOptions {
    /// Any folder inside the repository's work tree.
    pub path: PathBuf,
    /// The site folder; default: the config's `out` under the repository root.
    pub out: Option<PathBuf>,
    /// What to build from; default: HEAD.
    pub rev: Option<String>,
}

/// The repository, the commit to build from, and where its work tree is.
pub struct Target {
    pub repo: Repository,
    pub root: PathBuf,
    pub rev: String,
    pub commit: Oid,
}

/// Opens the repository around `path` and resolves `rev`, with one clear error for each way
/// this can fail.
pub fn open(path: &Path, rev: Option<&str>) -> Result<Target> {
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
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::BareRepo(repo.path().to_path_buf()))?;
    if repo.is_empty()? || matches!(repo.head(), Err(ref e) if e.code() == ErrorCode::UnbornBranch)
    {
        return Err(Error::EmptyRepo(root));
    }
    let rev_name = rev.unwrap_or("HEAD").to_string();
    let commit = repo
        .revparse_single(&rev_name)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| Error::UnknownRev(rev_name.clone()))?
        .id();
    Ok(Target {
        repo,
        root,
        rev: rev_name,
        commit,
    })
}

/// Runs the whole pipeline and writes the site. Nothing is written before the repository,
/// revision, config and output folder have all been checked.
pub fn build(
    options: &BuildOptions,
    narrator: &dyn Narrator,
    progress: &(dyn Fn(Event) + Sync),
) -> Result<Report> {
    let started = Instant::now();
    let target = open(&options.path, options.rev.as_deref())?;
    let config = Config::load(&target.root)?;
    let out = match &options.out {
        Some(o) => o.clone(),
        None => target.root.join(&config.out),
    };
    site::write::prepare(&out)?;
    keep_out_of_git_status(&target.root, &out);
    let title = if config.site.title.is_empty() {
        default_title(&target)
    } else {
        config.site.title.clone()
    };

    let mut report = Report {
        repo: target.root.display().to_string(),
        title: title.clone(),
        rev: target.rev.clone(),
        commit: target.commit.to_string(),
        narrator: narrator.id(),
        out: out.display().to_string(),
        ..Default::default()
    };
    let stage = |name: &'static str, detail: String, t: Instant, report: &mut Report| {
        let seconds = t.elapsed().as_secs_f64();
        report.stages.insert(name.to_string(), seconds);
        progress(Event::Finished {
            stage: name,
            seconds,
            detail,
        });
    };

    progress(Event::Started("history"));
    let t = Instant::now();
    let history = history::crawl(&target.repo, target.commit)?;
    report.commits = history.commits.len();
    report.shallow = history.shallow;
    stage(
        "history",
        format!("{} commits", history.commits.len()),
        t,
        &mut report,
    );

    progress(Event::Started("snapshot"));
    let t = Instant::now();
    let mut ignore = read_ignore_file(&target.root);
    ignore.extend(config.snapshot.exclude.iter().cloned());
    let snapshot = snapshot::read(
        &target.repo,
        target.commit,
        &snapshot::SnapshotOptions {
            max_file_bytes: config.snapshot.max_file_bytes,
            ignore,
        },
    )?;
    report.files = snapshot.files.len();
    report.files_skipped = snapshot
        .skip_counts()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    stage(
        "snapshot",
        format!(
            "{} files, {} skipped",
            snapshot.files.len(),
            snapshot.skipped.len()
        ),
        t,
        &mut report,
    );

    progress(Event::Started("parse"));
    let t = Instant::now();
    let parsed = parse::parse_all(&snapshot);
    report.files_parsed = parsed.code_files();
    report.files_with_syntax_errors = parsed.files.iter().filter(|f| f.note.is_some()).count();
    report.symbols = parsed.files.iter().map(|f| f.facts.symbols.len()).sum();
    stage(
        "parse",
        format!("{} code files", report.files_parsed),
        t,
        &mut report,
    );

    progress(Event::Started("graph"));
    let t = Instant::now();
    let graph = graph::build(
        &parsed,
        &history,
        &graph::GraphOptions {
            max_changeset: config.history.max_changeset,
            min_cochange: config.history.min_cochange,
        },
    );
    report.import_edges = graph.imports.values().map(|m| m.len()).sum();
    report.cochange_edges = graph.cochange.len();
    stage(
        "graph",
        format!("{} import edges", report.import_edges),
        t,
        &mut report,
    );

    progress(Event::Started("cluster"));
    let t = Instant::now();
    let clusters = cluster::cluster(&parsed, &graph, &config.cluster, &title);
    report.clusters = clusters.clusters.len();
    stage(
        "cluster",
        format!("{} parts", report.clusters),
        t,
        &mut report,
    );

    progress(Event::Started("insight"));
    let t = Instant::now();
    let insights = insight::analyse(&history, &parsed, &clusters);
    stage("insight", String::new(), t, &mut report);

    progress(Event::Started("narrate"));
    let t = Instant::now();
    let pages = site::paths::PageMap::new(parsed.files.iter().map(|f| f.path.as_str()));
    let (part_facts, overview_facts) = narrate::facts::gather(&narrate::facts::FactsInput {
        title: &title,
        snapshot: &snapshot,
        history: &history,
        parsed: &parsed,
        graph: &graph,
        clusters: &clusters,
        insights: &insights,
        pages: &pages,
    });
    let narratives = narrate::narrate(&part_facts, &overview_facts, narrator)?;
    report.narrator_calls = narratives.calls;
    stage(
        "narrate",
        format!("{} calls", narratives.calls),
        t,
        &mut report,
    );

    progress(Event::Started("render"));
    let t = Instant::now();
    let source_url = if config.site.source_url.is_empty() {
        target
            .repo
            .find_remote("origin")
            .ok()
            .and_then(|r| r.url().ok().and_then(site::guess_source_url))
    } else {
        Some(config.site.source_url.clone())
    };
    let site = site::render(&site::SiteInput {
        title: &title,
        snapshot: &snapshot,
        history: &history,
        parsed: &parsed,
        graph: &graph,
        clusters: &clusters,
        insights: &insights,
        pages: &pages,
        part_facts: &part_facts,
        overview_facts: &overview_facts,
        narratives: &narratives,
        source_url: source_url.as_deref(),
    })?;
    stage(
        "render",
        format!("{} files", site.pages.len()),
        t,
        &mut report,
    );

    progress(Event::Started("write"));
    let t = Instant::now();
    let written = site::write(&site, &out)?;
    report.pages_written = written.written;
    report.pages_unchanged = written.unchanged;
    report.pages_removed = written.removed;
    stage(
        "write",
        format!("{} written", written.written),
        t,
        &mut report,
    );

    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The project's name from its manifest at the revision (Cargo.toml, package.json,
/// pyproject.toml), else the name of the repository's folder.
fn default_title(target: &Target) -> String {
    let manifest = |path: &str| -> Option<String> {
        let tree = target.repo.find_commit(target.commit).ok()?.tree().ok()?;
        let entry = tree.get_path(Path::new(path)).ok()?;
        let blob = target.repo.find_blob(entry.id()).ok()?;
        Some(String::from_utf8_lossy(blob.content()).into_owned())
    };
    let from_toml = |text: String, table: &str| -> Option<String> {
        let value: toml::Table = toml::from_str(&text).ok()?;
        Some(value.get(table)?.get("name")?.as_str()?.to_string())
    };
    let name = manifest("Cargo.toml")
        .and_then(|t| from_toml(t, "package"))
        .or_else(|| manifest("pyproject.toml").and_then(|t| from_toml(t, "project")))
        .or_else(|| {
            let json: serde_json::Value = serde_json::from_str(&manifest("package.json")?).ok()?;
            Some(json.get("name")?.as_str()?.to_string())
        });
    name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| {
        target
            .root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "repository".into())
    })
}

/// `.repowikiignore` at the repository root: like the config, it steers the tool, so it is
/// read from the work tree.
fn read_ignore_file(root: &Path) -> Vec<String> {
    std::fs::read_to_string(root.join(".repowikiignore"))
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// When the site goes under `.repowiki/` in the work tree, a `.gitignore` there keeps it out of
/// `git status`.
fn keep_out_of_git_status(root: &Path, out: &Path) {
    let dot = root.join(".repowiki");
    if out.starts_with(&dot) && !dot.join(".gitignore").exists() {
        let _ = std::fs::write(dot.join(".gitignore"), "# Written by repowiki.\n*\n");
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
    if file.exists() && !force {
        return Err(Error::Config {
            path: file,
            message: "already exists (use --force to overwrite it)".into(),
        });
    }
    std::fs::write(&file, config::INIT_TEXT)
        .map_err(|e| Error::io(format!("cannot write {}", file.display()), e))?;
    Ok(file)
}
