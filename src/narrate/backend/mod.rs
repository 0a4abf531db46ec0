//! Model backends: one file per API. Each turns a prompt into a completion over HTTP; this
//! module holds what they share: the client, retries with backoff, and keeping the key secret.

mod anthropic;
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

/// The backend a configuration names (none for the built-in narrator).
pub fn for_config(config: &ModelConfig) -> Result<Option<Box<dyn Backend>>> {
    let key_env = config.key_env();
    let key = if key_env.is_empty() {
        None
    } else {
        std::env::var(&key_env).ok().filter(|k| !k.is_empty())
    };
    let hosted = config.base_url() == config.provider.default_base_url();
    let needs_key = matches!(config.provider, Provider::Anthropic)
        || (matches!(config.provider, Provider::Openai) && hosted);
    if key.is_none() && needs_key {
        return Err(Error::Config {
            path: "repowiki.toml".into(),
            message: format!(
                "the {} provider needs a key: set the environment variable {key_env} (named by `model.api-key-env`)",
                config.provider.name()
            ),
        });
    }
    let http = Http::new(config, key.clone())?;
    let model = config.model.clone();
    let base = config.base_url();
    Ok(match config.provider {
        Provider::Builtin => None,
        Provider::Openai => Some(Box::new(openai::OpenAi {
            http,
            model,
            base,
            key,
        })),
        Provider::Anthropic => Some(Box::new(anthropic::Anthropic {
            http,
            model,
            base,
            key,
        })),
        Provider::Ollama => Some(Box::new(ollama::Ollama { http, model, base })),
    })
}

/// An HTTP client that retries what is worth retrying and never shows the key.
pub(crate) struct Http {
    client: Client,
    retries: u32,
    backoff: Duration,
    secret: Option<String>,
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

impl Http {
    fn new(config: &ModelConfig, secret: Option<String>) -> Result<Http> {
        let client = Client::builder()
            .timeout(Duration::from_secs(config.timeout_seconds))
            .build()
            .map_err(|e| Error::Narrator {
                narrator: config.provider.name().into(),
                message: format!("cannot make an HTTP client: {e}"),
            })?;
        Ok(Http {
            client,
            retries: config.retries,
            backoff: Duration::from_millis(config.backoff_ms),
            secret,
            unreachable: AtomicBool::new(false),
        })
    }

    /// Posts `body` as JSON and returns the JSON answer, trying again on 429, 5xx, time-outs
    /// and unreadable answers.
    pub fn post(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> std::result::Result<Value, String> {
        if self.unreachable.load(Ordering::Relaxed) {
            return Err(format!(
                "{url} could not be reached earlier in this build; not tried again"
            ));
        }
        let mut last = String::new();
        for attempt in 0..=self.retries {
            let wait = match self.post_once(url, headers, body) {
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
        url: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> std::result::Result<Value, Failure> {
        let mut request = self.client.post(url).json(body);
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
        let text = match response.text() {
            Ok(t) => t,
            Err(e) if e.is_timeout() => {
                return Err(Failure::Retry(format!("{url} timed out"), None))
            }
            Err(e) => return Err(Failure::Retry(format!("{url}: {}", root_cause(&e)), None)),
        };
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

    /// Messages may quote what a server sent back: the key is cut out of them, always.
    fn redact(&self, message: String) -> String {
        match &self.secret {
            Some(s) if s.len() >= 4 => message.replace(s.as_str(), "[redacted]"),
            _ => message,
        }
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
