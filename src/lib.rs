//! repowiki: turns a git repository into a living wiki.

pub mod config;
pub mod error;
pub mod history;
pub mod parse;
pub mod patterns;
pub mod snapshot;
