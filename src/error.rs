//! The library's typed errors: what went wrong, in one line each, and which exit code it maps to.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no such folder: {0}")]
    NoSuchPath(PathBuf),
    #[error("{0} is not inside a git repository")]
    NotARepo(PathBuf),
    #[error("{0} is a bare repository: run repowiki inside a clone with a work tree")]
    BareRepo(PathBuf),
    #[error("the repository at {0} has no commits yet: commit something first")]
    EmptyRepo(PathBuf),
    #[error("unknown revision '{0}'")]
    UnknownRev(String),
    #[error("HEAD is on the branch '{0}', which has no commits yet: commit something, or build another revision with --rev")]
    UnbornHead(String),
    #[error("the commit {0} cannot be read ({1}): build another revision with --rev")]
    BadCommit(String, String),
    #[error("invalid {path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("cannot write to the output folder {path}: {source}")]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    #[error("no wiki has been built with the cache at {0}: run `repowiki build` first")]
    NoWiki(PathBuf),
    #[error("the search index at {path}: {message}")]
    Index { path: PathBuf, message: String },
    #[error("narrator {narrator}: {message}")]
    Narrator { narrator: String, message: String },
}

impl Error {
    /// Usage and input errors (exit code 2) as opposed to failures during a build (exit code 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Error::NotARepo(_)
                | Error::NoSuchPath(_)
                | Error::BareRepo(_)
                | Error::EmptyRepo(_)
                | Error::UnknownRev(_)
                | Error::UnbornHead(_)
                | Error::BadCommit(..)
                | Error::Config { .. }
                | Error::Output { .. }
        )
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
