//! The repowiki command: parses the command line, calls the library, maps the result to an
//! exit code (0 ok, 1 build failed, 2 usage or input error).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use repowiki::{BuildOptions, BuiltinNarrator, Error, Event};

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
        /// Print the report as one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// No progress on stderr.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Write a commented repowiki.toml with every default at the repository root.
    Init {
        path: Option<PathBuf>,
        /// Overwrite an existing repowiki.toml.
        #[arg(long)]
        force: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build {
            path,
            out,
            rev,
            json,
            quiet,
        } => build(path, out, rev, json, quiet),
        Command::Init { path, force } => {
            repowiki::init(&path.unwrap_or_else(|| PathBuf::from(".")), force).map(|file| {
                println!("wrote {}", file.display());
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("repowiki: {e}");
            ExitCode::from(if e.is_usage() { 2 } else { 1 })
        }
    }
}

fn build(
    path: Option<PathBuf>,
    out: Option<PathBuf>,
    rev: Option<String>,
    json: bool,
    quiet: bool,
) -> Result<(), Error> {
    let options = BuildOptions {
        path: path.unwrap_or_else(|| PathBuf::from(".")),
        out,
        rev,
    };
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    });
    let bar = Mutex::new(bar);
    let progress = |event: Event| {
        if quiet {
            return;
        }
        let guard = bar.lock().unwrap_or_else(|e| e.into_inner());
        match (event, guard.as_ref()) {
            (Event::Started(stage), Some(bar)) => bar.set_message(format!("{stage}…")),
            (Event::Started(_), None) => {}
            (
                Event::Finished {
                    stage,
                    seconds,
                    detail,
                },
                bar,
            ) => {
                let line = format!("{stage:<9} {seconds:>6.2}s  {detail}");
                match bar {
                    Some(bar) => bar.println(line),
                    None => eprintln!("repowiki: {line}"),
                }
            }
        }
    };
    let result = repowiki::build(&options, &BuiltinNarrator, &progress);
    if let Some(bar) = bar.lock().unwrap_or_else(|e| e.into_inner()).take() {
        bar.finish_and_clear();
    }
    let report = result?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("the report serialises")
        );
    } else {
        print!("{}", report.summary());
    }
    Ok(())
}
