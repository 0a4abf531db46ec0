//! The Anthropic Messages API.

use serde_json::{json, Value};

use super::{count_at, Backend, Completion, Http, Prompt};

pub(super) struct Anthropic {
    pub http: Http,
    pub model: String,
    pub key: Option<String>,
}

impl Backend for Anthropic {
    fn complete(&self, prompt: &Prompt) -> Result<Completion, String> {
        let body = json!({
            "model": self.model,
            "system": prompt.system,
            "messages": [{"role": "user", "content": prompt.user}],
            "max_tokens": prompt.max_tokens,
            "temperature": prompt.temperature,
        });
        let key = self.key.clone().unwrap_or_default();
        let headers = [
            ("x-api-key", key.as_str()),
            ("anthropic-version", "2023-06-01"),
        ];
        let answer = self.http.post("/v1/messages", &headers, &body)?;
        // The answer is a list of content blocks; the text is in those of type "text".
        let blocks = answer
            .get("content")
            .and_then(Value::as_array)
            .ok_or("the answer has no content blocks")?;
        let text: String = blocks
            .iter()
            .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect();
        Ok(Completion {
            text,
            prompt_tokens: count_at(&answer, "/usage/input_tokens"),
            completion_tokens: count_at(&answer, "/usage/output_tokens"),
        })
    }
}
