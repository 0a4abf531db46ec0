//! The Chat Completions API: OpenAI, and every server that speaks it (vLLM, llama.cpp's
//! server, Ollama's /v1, LM Studio).

use serde_json::json;

use super::{chat_messages, count_at, text_at, Backend, Completion, Http, Prompt};

pub(super) struct OpenAi {
    pub http: Http,
    pub model: String,
    pub key: Option<String>,
}

impl Backend for OpenAi {
    fn complete(&self, prompt: &Prompt) -> Result<Completion, String> {
        let body = json!({
            "model": self.model,
            "messages": chat_messages(prompt),
            "max_tokens": prompt.max_tokens,
            "temperature": prompt.temperature,
            "stream": false,
        });
        let auth = self.key.as_ref().map(|k| format!("Bearer {k}"));
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("authorization", a.as_str())).collect();
        let answer = self.http.post("/chat/completions", &headers, &body)?;
        Ok(Completion {
            text: text_at(&answer, "/choices/0/message/content")?.to_string(),
            prompt_tokens: count_at(&answer, "/usage/prompt_tokens"),
            completion_tokens: count_at(&answer, "/usage/completion_tokens"),
        })
    }
}
