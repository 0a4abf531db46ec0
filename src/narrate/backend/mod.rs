//! Model backends: one file per API. Each turns a prompt into a completion over HTTP; this
//! module holds what they share: the client, retries with backoff, and keeping the key secret.

mod anthropic;
pub mod embeddings;
mod ollama;
mod openai;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::blocking::Client;
use serde_json::Value;

use crate::config::{ModelConfig, Provider};
use crate::error::{Error, Result};

/// What a model answered, with the token counts its server reported.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    pub text: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

pub struct Prompt<'a> {
    pub system: &'a str,
    pub user: &'a str,
    pub max_tokens: u32,
    pub temperature: f32,
}

pub trait Backend: Send + Sync {
    fn complete(&self, prompt: &Prompt) -> std::result::Result<Completion, String>;
}

/// The backend a configuration names (none for the built-in narrator: a build that needs no
/// network makes no HTTP client, so it needs no CA bundle either).
pub fn for_config(config: &ModelConfig) -> Result<Option<Box<dyn Backend>>> {
    if config.provider == Provider::Builtin {
        return Ok(None);
    }
    let key_env = config.key_env();
    let key = if key_env.is_empty() {
        None
    } else {
        std::env::var(&key_env).ok().filter(|k| !k.is_empty())
    };
    if let Some(k) = &key {
        crate::secrets::remember(k);
    }
    let endpoint = Endpoint::parse(&config.base_url()).map_err(|message| Error::Config {
        path: "repowiki.toml".into(),
        message: format!("model.base-url: {message}"),
    })?;
    let hosted = config.base_url() == config.provider.default_base_url();
    let mut key = key;
    let mut withheld = None;
    if key.is_some() && !(hosted || config.base_url_given || endpoint.on_this_machine()) {
        key = None;
        withheld = Some(format!(
            "the key in {key_env} is not sent to {}: that address comes from repowiki.toml, which a clone may have committed; give it with --base-url or REPOWIKI_MODEL_URL to send the key there",
            endpoint.shown
        ));
    }
    let needs_key = matches!(config.provider, Provider::Anthropic)
        || (matches!(config.provider, Provider::Openai) && hosted);
    if key.is_none() && needs_key {
        return Err(Error::Config {
            path: "repowiki.toml".into(),
            message: withheld.unwrap_or(format!(
                "the {} provider needs a key: set the environment variable {key_env} (named by `model.api-key-env`)",
                config.provider.name()
            )),
        });
    }
    if let Some(w) = &withheld {
        // Said where it is decided: the backend is made before any progress channel exists,
        // and the build goes on without the key (a server that needs none still answers).
        say_once(w);
    }
    let http = Http::new(config, endpoint)?;
    let model = config.model.clone();
    Ok(match config.provider {
        Provider::Builtin => None,
        Provider::Openai => Some(Box::new(openai::OpenAi { http, model, key })),
        Provider::Anthropic => Some(Box::new(anthropic::Anthropic { http, model, key })),
        Provider::Ollama => Some(Box::new(ollama::Ollama { http, model })),
    })
}

/// One line on stderr, once per process (`ask` makes a backend for the narrator and another
/// for its answers).
pub(crate) fn say_once(line: &str) {
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(|p| p.into_inner());
    if !said.iter().any(|s| s == line) {
        eprintln!("repowiki: {line}");
        said.push(line.to_string());
    }
}

/// A model server's address, taken apart: credentials (`user:pass@`) and a query string
/// (`?api_key=…`) are secrets, sent with each request but never shown in a message or a page.
pub(crate) struct Endpoint {
    /// Scheme, host, port and path: what may be shown.
    shown: String,
    query: Option<String>,
    user: Option<(String, Option<String>)>,
}

impl Endpoint {
    pub(crate) fn parse(raw: &str) -> std::result::Result<Endpoint, String> {
        let mut url = reqwest::Url::parse(raw).map_err(|_| "not a URL".to_string())?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("only http and https addresses are supported".into());
        }
        let user = (!url.username().is_empty()).then(|| {
            let password = url.password().map(percent_decode);
            if let Some(p) = &password {
                crate::secrets::remember(p);
                crate::secrets::remember(url.password().unwrap_or_default());
            }
            (percent_decode(url.username()), password)
        });
        let query = url.query().map(str::to_string);
        for (_, value) in url.query_pairs() {
            crate::secrets::remember(&value);
        }
        if let Some(q) = &query {
            crate::secrets::remember(q);
        }
        let _ = url.set_username("");
        let _ = url.set_password(None);
        url.set_query(None);
        url.set_fragment(None);
        Ok(Endpoint {
            shown: url.as_str().trim_end_matches('/').to_string(),
            query,
            user,
        })
    }

    /// A server on this machine (`localhost`, 127.0.0.0/8, ::1): the user runs it, so a key
    /// sent there stays with the user whoever named the address.
    pub(crate) fn on_this_machine(&self) -> bool {
        let Some(url) = reqwest::Url::parse(&self.shown).ok() else {
            return false;
        };
        let host = url.host_str().unwrap_or_default();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || bare
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// Where a request for `path` goes (the query string kept after the path).
    fn url(&self, path: &str) -> String {
        match &self.query {
            Some(q) => format!("{}{path}?{q}", self.shown),
            None => format!("{}{path}", self.shown),
        }
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An HTTP client that retries what is worth retrying and never shows the key.
pub(crate) struct Http {
    client: Client,
    endpoint: Endpoint,
    retries: u32,
    backoff: Duration,
    /// The most an answer may take, in bytes (from `max-output-tokens`): an endless answer
    /// is cut off, not read into memory.
    max_answer_bytes: u64,
    /// Set once the server could not be reached through all retries: later calls fail at once
    /// instead of waiting out the same time-outs for every part.
    unreachable: AtomicBool,
}

enum Failure {
    /// Worth trying again (after the server's Retry-After, when it gave one).
    Retry(String, Option<Duration>),
    /// The server could not be reached at all.
    Unreachable(String),
    Final(String),
}

/// The bytes an answer of `tokens` tokens may take: generous for JSON's escapes and the
/// envelope, small enough that a server cannot fill the memory.
pub fn max_answer_bytes(tokens: u32) -> u64 {
    u64::from(tokens) * 32 + 64 * 1024
}

impl Http {
    fn new(config: &ModelConfig, endpoint: Endpoint) -> Result<Http> {
        // Redirects only within the server's own origin: the prompt (the repository's code)
        // and the key are never sent to another host.
        let policy = reqwest::redirect::Policy::custom(|attempt| {
            let same = attempt
                .previous()
                .first()
                .is_some_and(|first| first.origin() == attempt.url().origin());
            if same && attempt.previous().len() < 5 {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let client = Client::builder()
            .timeout(Duration::from_secs(config.timeout_seconds))
            .redirect(policy)
            .build()
            .map_err(|e| Error::Narrator {
                narrator: config.provider.name().into(),
                message: format!("cannot make an HTTP client: {e}"),
            })?;
        Ok(Http {
            client,
            endpoint,
            retries: config.retries,
            backoff: Duration::from_millis(config.backoff_ms),
            max_answer_bytes: max_answer_bytes(config.max_output_tokens),
            unreachable: AtomicBool::new(false),
        })
    }

    /// Posts `body` as JSON and returns the JSON answer, trying again on 429, 5xx, time-outs
    /// and unreadable answers.
    pub fn post(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> std::result::Result<Value, String> {
        let shown = format!("{}{path}", self.endpoint.shown);
        let url = shown.as_str();
        if self.unreachable.load(Ordering::Relaxed) {
            return Err(format!(
                "{url} could not be reached earlier in this build; not tried again"
            ));
        }
        let mut last = String::new();
        for attempt in 0..=self.retries {
            let wait = match self.post_once(path, headers, body) {
                Ok(v) => return Ok(v),
                Err(Failure::Final(m)) => return Err(self.redact(m)),
                Err(Failure::Retry(m, after)) => {
                    last = m;
                    after
                }
                Err(Failure::Unreachable(m)) => {
                    last = m;
                    if attempt == self.retries {
                        self.unreachable.store(true, Ordering::Relaxed);
                    }
                    None
                }
            };
            if attempt < self.retries {
                let backoff = self.backoff.saturating_mul(1 << attempt.min(10));
                std::thread::sleep(wait.unwrap_or(backoff).min(Duration::from_secs(120)));
            }
        }
        Err(self.redact(format!("{last} (after {} tries)", self.retries + 1)))
    }

    fn post_once(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> std::result::Result<Value, Failure> {
        // Messages name the address as shown: no credentials, no query string.
        let shown = format!("{}{path}", self.endpoint.shown);
        let url = shown.as_str();
        // The last redaction pass before anything leaves: a secret that reached the facts by
        // a way nobody foresaw still does not reach the model.
        let text = body.to_string();
        let text = crate::secrets::redact(&text).unwrap_or(text);
        let mut request = self
            .client
            .post(self.endpoint.url(path))
            .header("content-type", "application/json")
            .body(text);
        if let Some((user, password)) = &self.endpoint.user {
            request = request.basic_auth(user, password.as_ref());
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = match request.send() {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return Err(Failure::Retry(format!("{url} timed out"), None))
            }
            Err(e) if e.is_connect() => {
                return Err(Failure::Unreachable(format!(
                    "cannot reach {url}: {}",
                    root_cause(&e)
                )))
            }
            Err(e) => return Err(Failure::Retry(format!("{url}: {}", root_cause(&e)), None)),
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let cap = self.max_answer_bytes;
        if response.content_length().is_some_and(|n| n > cap) {
            return Err(Failure::Final(format!(
                "{url} answered with more than {cap} bytes (model.max-output-tokens bounds an answer)"
            )));
        }
        let mut bytes = Vec::new();
        let read =
            std::io::Read::read_to_end(&mut std::io::Read::take(response, cap + 1), &mut bytes);
        match read {
            Ok(_) if bytes.len() as u64 > cap => {
                return Err(Failure::Final(format!(
                    "{url} answered with more than {cap} bytes (model.max-output-tokens bounds an answer)"
                )))
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                return Err(Failure::Retry(format!("{url} timed out"), None))
            }
            Err(e) => return Err(Failure::Retry(format!("{url}: {}", root_cause(&e)), None)),
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let excerpt: String = text.chars().take(200).collect();
        if status.as_u16() == 429 || status.is_server_error() {
            return Err(Failure::Retry(
                format!("{url} answered {status}: {excerpt}"),
                retry_after,
            ));
        }
        if !status.is_success() {
            return Err(Failure::Final(format!(
                "{url} answered {status}: {excerpt}"
            )));
        }
        serde_json::from_str(&text).map_err(|e| {
            Failure::Retry(
                format!("{url} answered with JSON that does not parse ({e})"),
                None,
            )
        })
    }

    /// Messages may quote what a server sent back: the key, the address's credentials and
    /// anything else secret-looking are cut out of them, always.
    fn redact(&self, message: String) -> String {
        crate::secrets::redact(&message).unwrap_or(message)
    }
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cause = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    cause
}

/// A string at a JSON path, or a message that says the answer lacked it.
pub(crate) fn text_at<'a>(v: &'a Value, pointer: &str) -> std::result::Result<&'a str, String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the answer has no text at {pointer}"))
}

/// The system and user turns, in the message list both chat APIs take.
pub(crate) fn chat_messages(prompt: &Prompt) -> Value {
    serde_json::json!([
        {"role": "system", "content": prompt.system},
        {"role": "user", "content": prompt.user},
    ])
}

pub(crate) fn count_at(v: &Value, pointer: &str) -> u64 {
    v.pointer(pointer).and_then(Value::as_u64).unwrap_or(0)
}
