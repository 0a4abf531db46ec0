//! The repowiki command: parses the command line, calls the library, maps the result to an
//! exit code (0 ok, 1 build failed, 2 usage or input error).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use repowiki::config::Provider;
use repowiki::{BuildOptions, Error, Event, Narrator, Workspace};

#[derive(Parser)]
#[command(
    name = "repowiki",
    version,
    about = "Turns a git repository into a living wiki"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the wiki of the repository around PATH into a static site.
    Build {
        /// Any folder inside the repository [default: the current folder].
        path: Option<PathBuf>,
        /// Where to write the site [default: .repowiki/site in the repository].
        #[arg(long)]
        out: Option<PathBuf>,
        /// The revision to build from [default: HEAD].
        #[arg(long)]
        rev: Option<String>,
        /// Where the cache lives [default: .repowiki/cache in the repository].
        #[arg(long)]
        cache_dir: Option<PathBuf>,
        /// Who writes the narratives: builtin, openai, anthropic or ollama [default: model.provider].
        #[arg(long)]
        provider: Option<String>,
        /// The model to ask [default: model.model].
        #[arg(long)]
        model: Option<String>,
        /// The model server's address [default: model.base-url].
        #[arg(long)]
        base_url: Option<String>,
        /// Tokens this build may use at most [default: model.max-tokens].
        #[arg(long)]
        max_tokens: Option<u64>,
        /// Say how many narrator calls and about how many tokens a build would use; call nothing.
        #[arg(long)]
        dry_run: bool,
        /// Leave out commits before this day (YYYY-MM-DD) [default: history.since].
        #[arg(long)]
        since: Option<String>,
        /// Read at most this many commits, newest first [default: history.max-commits].
        #[arg(long)]
        max_commits: Option<usize>,
        /// Where the site will be published, for llms.txt's links [default: site.base-url].
        /// (--base-url names the model server.)
        #[arg(long)]
        site_url: Option<String>,
        /// html: the static site; markdown: the wiki as plain markdown files, for committing
        /// into the repository or a GitHub/GitLab wiki [default out: .repowiki/wiki].
        #[arg(long, value_enum, default_value_t = FormatArg::Html)]
        format: FormatArg,
        /// Print the report as one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// Write into an output folder that holds files repowiki did not write (they are
        /// kept, but pages of the same name are replaced).
        #[arg(long)]
        force: bool,
        /// No progress on stderr.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Say which parts and pages of the wiki are stale at HEAD, and why, without building.
    Status {
        path: Option<PathBuf>,
        #[arg(long)]
        cache_dir: Option<PathBuf>,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the answer as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Exit with 1 when the wiki is stale at HEAD, 0 when it is current (for CI).
    Check {
        path: Option<PathBuf>,
        #[arg(long)]
        cache_dir: Option<PathBuf>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check every link of a built site (each href, src and #fragment); list the broken ones
    /// and exit with 1 when there is any.
    Links {
        /// The site folder [default: .repowiki/site].
        site: Option<PathBuf>,
    },
    /// Install or remove the post-commit hook that keeps the wiki up to date.
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
    /// Work with the page templates and theme.
    Theme {
        #[command(subcommand)]
        action: ThemeAction,
    },
    /// Answer a question about the repository from its wiki, code and history: the best
    /// passages, each with a citation checked at the built commit.
    Ask {
        /// The question, in words.
        question: String,
        /// Any folder inside the repository [default: the current folder].
        path: Option<PathBuf>,
        #[arg(long)]
        cache_dir: Option<PathBuf>,
        /// How many passages [default: 5].
        #[arg(long, default_value_t = 5)]
        limit: usize,
        /// Build first when the wiki is older than HEAD.
        #[arg(long)]
        build: bool,
        /// Print the answer as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Serve the wiki, the code and the history to agents over MCP: on stdin and stdout, or
    /// over Streamable HTTP at http://ADDR/mcp with --http.
    Mcp {
        /// Any folder inside the repository [default: the current folder].
        path: Option<PathBuf>,
        #[arg(long)]
        cache_dir: Option<PathBuf>,
        /// Serve over HTTP at this address (e.g. 127.0.0.1:8765) instead of stdio.
        #[arg(long, value_name = "ADDR")]
        http: Option<std::net::SocketAddr>,
        /// Allow --http on an address other than loopback.
        #[arg(long)]
        allow_remote: bool,
        /// Build first when the wiki is older than HEAD (with no wiki, it always builds).
        #[arg(long)]
        build: bool,
    },
    /// Write a commented repowiki.toml with every default at the repository root.
    Init {
        path: Option<PathBuf>,
        /// Overwrite an existing repowiki.toml.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum HookAction {
    /// Install it (a hook already there keeps running, before repowiki's).
    Install { path: Option<PathBuf> },
    /// Remove it (and put back the hook that was there before, byte for byte).
    Uninstall { path: Option<PathBuf> },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Html,
    Markdown,
}

#[derive(Subcommand)]
enum ThemeAction {
    /// Copy the built-in page templates, prompt templates and theme into .repowiki/ to edit:
    /// each file there replaces the built-in of the same name.
    Eject {
        path: Option<PathBuf>,
        /// Overwrite files already there.
        #[arg(long)]
        force: bool,
    },
}

fn here(path: Option<PathBuf>) -> PathBuf {
    path.unwrap_or_else(|| PathBuf::from("."))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build {
            path,
            out,
            rev,
            cache_dir,
            provider,
            model,
            base_url,
            max_tokens,
            dry_run,
            since,
            max_commits,
            site_url,
            format,
            json,
            force,
            quiet,
        } => {
            let overrides = ModelOverrides {
                provider,
                model,
                base_url,
                max_tokens,
            };
            let options = BuildOptions {
                path: here(path),
                out,
                rev,
                cache_dir,
                dry_run,
                since,
                max_commits,
                base_url: site_url,
                format: match format {
                    FormatArg::Html => repowiki::Format::Html,
                    FormatArg::Markdown => repowiki::Format::Markdown,
                },
                force,
            };
            build(options, &overrides, json, quiet)
        }
        Command::Status {
            path,
            cache_dir,
            out,
            json,
        } => staleness(here(path), cache_dir, out).map(|s| {
            if json {
                println!(
                    "{}",
                    terminal(&serde_json::to_string_pretty(&s).expect("serialises"))
                );
            } else {
                print!("{}", terminal(&s.describe()));
            }
        }),
        Command::Check {
            path,
            cache_dir,
            out,
        } => match staleness(here(path), cache_dir, out) {
            Ok(s) if s.is_stale() => {
                print!("{}", terminal(&s.describe()));
                return ExitCode::from(1);
            }
            Ok(s) => {
                print!("{}", terminal(&s.describe()));
                Ok(())
            }
            Err(e) => Err(e),
        },
        Command::Links { site } => {
            let site = site.unwrap_or_else(|| PathBuf::from(".repowiki/site"));
            match repowiki::site::links::broken_links(&site) {
                Ok(broken) if broken.is_empty() => {
                    println!("no broken links in {}", terminal(&site.display().to_string()));
                    Ok(())
                }
                Ok(broken) => {
                    for line in &broken {
                        println!("{}", terminal(line));
                    }
                    println!("{} broken links", broken.len());
                    return ExitCode::from(1);
                }
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", terminal(&site.display().to_string()));
                    return ExitCode::from(2);
                }
            }
        }
        Command::Hook { action } => hook(action),
        Command::Theme {
            action: ThemeAction::Eject { path, force },
        } => Workspace::open(&here(path)).and_then(|ws| {
            let (written, kept) = repowiki::site::theme::eject(&ws.root, force)?;
            for f in &written {
                println!("wrote {}", f.display());
            }
            for f in &kept {
                println!("kept {} (already there; --force overwrites it)", f.display());
            }
            println!(
                "Edit them: each file replaces the built-in of the same name; delete one to go back to the built-in."
            );
            Ok(())
        }),
        Command::Ask {
            question,
            path,
            cache_dir,
            limit,
            build,
            json,
        } => ask(here(path), cache_dir, build, &question, limit, json),
        Command::Mcp {
            path,
            cache_dir,
            http,
            allow_remote,
            build,
        } => mcp(here(path), cache_dir, build, http, allow_remote),
        Command::Init { path, force } => repowiki::init(&here(path), force).map(|file| {
            println!("wrote {}", file.display());
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line, with any secret cut out and no terminal control character.
            eprintln!("repowiki: {}", terminal(&e.to_string()));
            ExitCode::from(if e.is_usage() { 2 } else { 1 })
        }
    }
}

fn staleness(
    path: PathBuf,
    cache_dir: Option<PathBuf>,
    out: Option<PathBuf>,
) -> Result<repowiki::status::Staleness, Error> {
    let ws = Workspace::open(&path)?;
    let settings = repowiki::settings_hash(
        &ws,
        &repowiki::narrate::narrator_id(&ws.config.model, Some(&ws.prompt_dir())),
    );
    let cache = ws.cache_dir(cache_dir.as_deref())?;
    // No --out: the folder the last build wrote, HTML or markdown.
    let out = out
        .map(|o| ws.out_dir(Some(&o), repowiki::Format::Html))
        .transpose()?;
    repowiki::status::status(&ws, None, &cache, out.as_deref(), &settings)
}

fn hook(action: HookAction) -> Result<(), Error> {
    use repowiki::hook::HookChange::*;
    let (change, file) = match action {
        HookAction::Install { path } => repowiki::hook::install(&Workspace::open(&here(path))?)?,
        HookAction::Uninstall { path } => {
            repowiki::hook::uninstall(&Workspace::open(&here(path))?)?
        }
    };
    let what = match change {
        Installed => "installed the post-commit hook",
        InstalledKeeping => "installed the post-commit hook (the hook that was there runs first)",
        AlreadyInstalled => "the post-commit hook is already installed; nothing changed",
        Removed => "removed the post-commit hook",
        Restored => "removed the post-commit hook and put back the one that was there before",
        NotInstalled => "no repowiki post-commit hook is installed; nothing changed",
    };
    println!("{what}: {}", file.display());
    Ok(())
}

#[derive(Default)]
struct ModelOverrides {
    provider: Option<String>,
    model: Option<String>,
    base_url: Option<String>,
    max_tokens: Option<u64>,
}

/// The narrator the repository's config asks for, with the command line's overrides.
fn narrator(path: &std::path::Path, o: &ModelOverrides) -> Result<Box<dyn Narrator>, Error> {
    let (m, prompts) = model_config(path, o)?;
    repowiki::narrator_for(&m, Some(&prompts))
}

/// The model settings of the repository's config with the command line's overrides, checked,
/// and where the repository's prompt templates are.
fn model_config(
    path: &std::path::Path,
    o: &ModelOverrides,
) -> Result<(repowiki::config::ModelConfig, PathBuf), Error> {
    let ws = Workspace::open(path)?;
    let mut m = ws.config.model.clone();
    let usage = |message: String| Error::Config {
        path: ws.root.join(repowiki::config::CONFIG_FILE),
        message,
    };
    if let Some(p) = &o.provider {
        m.provider = Provider::parse(p).ok_or_else(|| {
            usage(format!(
                "unknown provider '{p}' (builtin, openai, anthropic, ollama)"
            ))
        })?;
    }
    if let Some(model) = &o.model {
        m.model = model.clone();
    }
    // The user's own address, from the command line or the environment: the key may go there.
    let given = o.base_url.clone().or_else(|| {
        std::env::var("REPOWIKI_MODEL_URL")
            .ok()
            .filter(|u| !u.is_empty())
    });
    if let Some(url) = &given {
        m.base_url = url.clone();
        m.base_url_given = true;
    }
    if let Some(t) = o.max_tokens {
        m.max_tokens = t;
    }
    m.check().map_err(usage)?;
    if let Some(url) = given.as_deref().filter(|u| !u.is_empty()) {
        if !repowiki::config::plain_url(url, "") {
            return Err(usage(
                "--base-url (or REPOWIKI_MODEL_URL) must be an http:// or https:// address".into(),
            ));
        }
    }
    if m.provider != Provider::Builtin && m.model.trim().is_empty() {
        return Err(usage(format!(
            "the {} provider needs a model (--model or model.model)",
            m.provider.name()
        )));
    }
    Ok((m, ws.prompt_dir()))
}

fn build(
    options: BuildOptions,
    overrides: &ModelOverrides,
    json: bool,
    quiet: bool,
) -> Result<(), Error> {
    let narrator = narrator(&options.path, overrides)?;
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    });
    let bar = Mutex::new(bar);
    let progress = |event: Event| {
        if quiet && !matches!(event, Event::Warning(_)) {
            return;
        }
        let guard = bar.lock().unwrap_or_else(|e| e.into_inner());
        if let Event::Note(note) | Event::Warning(note) = &event {
            // Warnings show even when quiet (filtered above); notes only when not.
            let note = terminal(note);
            match guard.as_ref() {
                Some(bar) => bar.println(format!("repowiki: {note}")),
                None => eprintln!("repowiki: {note}"),
            }
            return;
        }
        match (event, guard.as_ref()) {
            (Event::Started(stage), Some(bar)) => bar.set_message(format!("{stage}…")),
            (Event::Started(_), None) | (Event::Note(_) | Event::Warning(_), _) => {}
            (
                Event::Finished {
                    stage,
                    seconds,
                    detail,
                },
                bar,
            ) => {
                let line = terminal(&format!("{stage:<9} {seconds:>6.2}s  {detail}"));
                match bar {
                    Some(bar) => bar.println(line),
                    None => eprintln!("repowiki: {line}"),
                }
            }
        }
    };
    let result = repowiki::build(&options, narrator.as_ref(), &progress);
    if let Some(bar) = bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
        bar.finish_and_clear();
    }
    let report = result?;
    if json {
        println!(
            "{}",
            terminal(&serde_json::to_string_pretty(&report).expect("the report serialises"))
        );
    } else {
        print!("{}", terminal(&report.summary()));
    }
    Ok(())
}

/// The wiki in memory and its search index up to date, for `ask` and `mcp`. Only notes and
/// warnings are said, on stderr (stdout may be the protocol's).
type Model = Option<repowiki::ask::AnswerModel>;

/// What `ask` and `mcp` answer from: the wiki read back with its index brought up to date, or,
/// when the index is current and no model is needed, the index alone.
enum Loaded {
    Wiki(
        Box<repowiki::knowledge::Knowledge>,
        repowiki::ask::SearchIndex,
        Model,
    ),
    Index(repowiki::CurrentIndex),
}

/// `index_alone`: the index may answer by itself when no model writes the answer (`--json`
/// never asks one).
fn load(
    path: PathBuf,
    cache_dir: Option<PathBuf>,
    build: bool,
    index_alone: Option<bool>,
) -> Result<Loaded, Error> {
    let (m, prompts) = model_config(&path, &ModelOverrides::default())?;
    let narrator = repowiki::narrator_for(&m, Some(&prompts))?;
    let options = repowiki::LoadOptions {
        path,
        cache_dir,
        build,
    };
    let mut ask = Workspace::open(&options.path)?.config.ask;
    // The user's own embeddings server: the key may go there.
    if let Some(url) = std::env::var("REPOWIKI_EMBEDDINGS_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        ask.embeddings_url = url;
        ask.embeddings_url_given = true;
    }
    let mut embedder = repowiki::narrate::backend::embeddings::Embedder::for_config(&ask)?;
    let no_model = m.provider == Provider::Builtin;
    if index_alone.is_some_and(|json| json || no_model) {
        if let Some(current) = repowiki::current_index(&options, &narrator.id(), &mut embedder)? {
            return Ok(Loaded::Index(current));
        }
    }
    let model =
        repowiki::narrate::backend::for_config(&m)?.map(|backend| repowiki::ask::AnswerModel {
            backend,
            context_tokens: m.context_tokens,
            max_output_tokens: m.max_output_tokens,
        });
    let progress = |event: Event| {
        if let Event::Note(note) | Event::Warning(note) = &event {
            eprintln!("repowiki: {}", terminal(note));
        }
    };
    let wiki = repowiki::load_wiki(&options, narrator.as_ref(), &progress)?;
    let index = repowiki::ask::SearchIndex::update(&wiki, embedder)?;
    for w in &index.warnings {
        eprintln!("repowiki: {}", terminal(w));
    }
    Ok(Loaded::Wiki(Box::new(wiki), index, model))
}

fn ask(
    path: PathBuf,
    cache_dir: Option<PathBuf>,
    build: bool,
    question: &str,
    limit: usize,
    json: bool,
) -> Result<(), Error> {
    let usage = |message: String| Error::Config {
        path: "the question".into(),
        message,
    };
    if question.len() > repowiki::ask::MAX_QUESTION {
        return Err(usage(format!(
            "it is {} bytes long; at most {} are taken",
            question.len(),
            repowiki::ask::MAX_QUESTION
        )));
    }
    let loaded = load(path, cache_dir, build, Some(json))?;
    let (index, commit) = match &loaded {
        Loaded::Wiki(wiki, index, _) => (index, wiki.commit.as_str()),
        Loaded::Index(current) => (&current.index, current.commit.as_str()),
    };
    // Whether a result's place exists at the built commit: an index that answers alone was
    // made from that commit's files, so each of its places does.
    let found = |h: &repowiki::ask::Hit| match &loaded {
        Loaded::Wiki(wiki, _, _) => repowiki::ask::cites(wiki, h),
        Loaded::Index(_) => true,
    };
    if json {
        let hits = index
            .search(question, &[], None, limit)
            .map_err(|r| usage(r.0))?;
        let results: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| {
                serde_json::json!({
                    "kind": h.kind,
                    "path": h.path,
                    "start": h.start,
                    "end": h.end,
                    "citation": h.citation(),
                    "files": h.files,
                    "verified": found(h),
                    "title": h.title,
                    "text": h.text,
                    "score": h.score,
                })
            })
            .collect();
        let answer = serde_json::json!({
            "commit": commit,
            "question": question,
            "results": results,
            "index": {
                "groups_added": index.added,
                "groups_removed": index.removed,
                // Whether the index answered alone or the wiki was read back first.
                "alone": matches!(loaded, Loaded::Index(_)),
            },
        });
        let text = serde_json::to_string_pretty(&answer).expect("serialises");
        println!("{}", terminal(&text));
        return Ok(());
    }
    let text = match &loaded {
        Loaded::Wiki(wiki, index, model) => {
            repowiki::ask::answer(wiki, index, question, limit, model.as_ref())
        }
        Loaded::Index(c) => repowiki::ask::answer_from_index(&c.stamp, &c.index, question, limit),
    }
    .map_err(|r| usage(r.0))?;
    print!("{}", terminal(&text));
    Ok(())
}

fn mcp(
    path: PathBuf,
    cache_dir: Option<PathBuf>,
    build: bool,
    http: Option<std::net::SocketAddr>,
    allow_remote: bool,
) -> Result<(), Error> {
    let usage = |message: String| Error::Config {
        path: "--http".into(),
        message,
    };
    if let Some(addr) = &http {
        repowiki::mcp::check_address(addr, allow_remote).map_err(usage)?;
    }
    let Loaded::Wiki(wiki, index, model) = load(path.clone(), cache_dir.clone(), build, None)?
    else {
        unreachable!("the wiki is read back unless the index may answer alone")
    };
    let stamp = wiki.stamp();
    // After a build, the wiki is read again as at start (never building: that is the build's).
    let reload: repowiki::mcp::Reload =
        Box::new(
            move || match load(path.clone(), cache_dir.clone(), false, None) {
                Ok(Loaded::Wiki(wiki, index, _)) => Ok((*wiki, index)),
                Ok(Loaded::Index(_)) => unreachable!("the wiki is read back for mcp"),
                Err(e) => Err(e),
            },
        );
    let server = repowiki::mcp::Server::new(*wiki, index, model, Some(reload));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Io {
            context: "cannot start the server".into(),
            source: e,
        })?;
    let served = runtime.block_on(async move {
        match http {
            Some(addr) => {
                repowiki::mcp::serve_http(server, addr, allow_remote, |bound| {
                    eprintln!(
                        "repowiki: serving {} over MCP at http://{bound}/mcp",
                        terminal(&stamp)
                    );
                })
                .await
            }
            None => repowiki::mcp::serve_stdio(server).await,
        }
    });
    served.map_err(|e| Error::Io {
        context: "the MCP server stopped".into(),
        source: e,
    })
}

/// What reaches the terminal: no secret, and no control character (a commit subject or file
/// name with ESC sequences could clear the screen, retitle the window or write the
/// clipboard); each is shown as a visible escape.
fn terminal(text: &str) -> String {
    repowiki::report::for_terminal(&repowiki::secrets::clean(text))
}
