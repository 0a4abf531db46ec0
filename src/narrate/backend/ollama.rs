//! Ollama's native chat API (`/api/chat`, not streamed).

use serde_json::json;

use super::{chat_messages, count_at, text_at, Backend, Completion, Http, Prompt};

pub(super) struct Ollama {
    pub http: Http,
    pub model: String,
}

impl Backend for Ollama {
    fn complete(&self, prompt: &Prompt) -> Result<Completion, String> {
        let body = json!({
            "model": self.model,
            "messages": chat_messages(prompt),
            "stream": false,
            "options": {"temperature": prompt.temperature, "num_predict": prompt.max_tokens},
        });
        let answer = self.http.post("/api/chat", &[], &body)?;
        Ok(Completion {
            text: text_at(&answer, "/message/content")?.to_string(),
            prompt_tokens: count_at(&answer, "/prompt_eval_count"),
            completion_tokens: count_at(&answer, "/eval_count"),
        })
    }
}
