//! The model narrator: renders the prompt templates from a part's facts, asks a backend, and
//! turns the answer into a narrative. The templates' hash, the model and its settings make up
//! its id, so changing any of them writes the narratives again.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tera::{Context, Tera};

use super::backend::{Backend, Prompt};
use super::facts::{ClusterFacts, OverviewFacts};
use super::{first_sentence, Narrative, Narrator, Usage};
use crate::config::ModelConfig;
use crate::error::{Error, Result};

/// The built-in prompt templates; a repository can override each one with a file of the same
/// name in `.repowiki/templates/prompts/`.
pub(crate) const PROMPTS: &[(&str, &str)] = &[
    (
        "system.md",
        include_str!("../../templates/prompts/system.md"),
    ),
    ("part.md", include_str!("../../templates/prompts/part.md")),
    (
        "overview.md",
        include_str!("../../templates/prompts/overview.md"),
    ),
];

pub struct ModelNarrator {
    backend: Box<dyn Backend>,
    id: String,
    config: ModelConfig,
    prompts: Tera,
    prompt_tokens: AtomicU64,
    completion_tokens: AtomicU64,
    calls: AtomicUsize,
    /// Tokens promised to calls under way or done, for the build's budget.
    committed: AtomicU64,
}

/// The id of the model narrator a configuration makes: provider, model, every setting that
/// changes an answer, and the hash of the prompt templates. Computed without a backend (and
/// without a key), so `status` can tell whether the narratives are current.
pub fn model_id(c: &ModelConfig, prompts: &[(&str, String)]) -> String {
    let mut hasher = blake3::Hasher::new();
    for (name, text) in prompts {
        hasher.update(name.as_bytes());
        hasher.update(text.as_bytes());
    }
    format!(
        "{}:{} t={} out={} ctx={} prompts={}",
        c.provider.name(),
        c.model,
        c.temperature,
        c.max_output_tokens,
        c.context_tokens,
        &hasher.finalize().to_hex()[..12]
    )
}

/// A rough count of tokens in a text: about four characters each.
pub fn estimate_tokens(text: &str) -> u64 {
    (text.len() as u64).div_ceil(4)
}

/// The prompt templates in force: each built-in one, or the repository's override of it.
pub fn prompt_texts(overrides: Option<&std::path::Path>) -> Vec<(&'static str, String)> {
    PROMPTS
        .iter()
        .map(|(name, text)| {
            // Never through a link (`.repowiki/templates/prompts/part.md -> /proc/self/environ`
            // would send the environment to the model).
            let own = overrides.and_then(|dir| {
                let root = dir.ancestors().nth(3)?;
                let rel = dir.strip_prefix(root).ok()?.join(name);
                crate::confine::read_to_string(root, &rel).ok()
            });
            (*name, own.unwrap_or_else(|| text.to_string()))
        })
        .collect()
}

impl ModelNarrator {
    pub fn new(
        config: &ModelConfig,
        backend: Box<dyn Backend>,
        prompt_dir: Option<&std::path::Path>,
    ) -> Result<ModelNarrator> {
        let texts = prompt_texts(prompt_dir);
        let mut prompts = Tera::new();
        prompts
            .add_raw_templates(texts.iter().map(|(n, t)| (*n, t.as_str())))
            .map_err(|e| Error::Template {
                name: "prompts".into(),
                message: e.to_string(),
            })?;
        Ok(ModelNarrator {
            backend,
            id: model_id(config, &texts),
            config: config.clone(),
            prompts,
            prompt_tokens: AtomicU64::new(0),
            completion_tokens: AtomicU64::new(0),
            calls: AtomicUsize::new(0),
            committed: AtomicU64::new(0),
        })
    }

    fn render(&self, template: &str, facts: &impl serde::Serialize) -> Result<String> {
        let ctx = Context::from_serialize(facts).map_err(|e| self.error(e.to_string()))?;
        self.prompts
            .render(template, &ctx)
            .map_err(|e| self.error(format!("prompt {template}: {e}")))
    }

    fn error(&self, message: String) -> Error {
        Error::Narrator {
            narrator: self.id(),
            message,
        }
    }

    /// Asks the model, within the build's token budget.
    fn ask(&self, user: &str) -> Result<String> {
        let system = self.render("system.md", &serde_json::json!({}))?;
        let estimate =
            estimate_tokens(&system) + estimate_tokens(user) + self.config.max_output_tokens as u64;
        let budget = self.config.max_tokens;
        let before = self.committed.fetch_add(estimate, Ordering::SeqCst);
        if budget > 0 && before + estimate > budget {
            self.committed.fetch_sub(estimate, Ordering::SeqCst);
            return Err(self.error(format!(
                "the token budget of {budget} would be exceeded (this call needs about {estimate})"
            )));
        }
        let prompt = Prompt {
            system: &system,
            user,
            max_tokens: self.config.max_output_tokens,
            temperature: self.config.temperature,
        };
        self.calls.fetch_add(1, Ordering::SeqCst);
        let result = self.backend.complete(&prompt);
        match result {
            Ok(c) => {
                // The budget counts what the server reports, once it has.
                let real = c.prompt_tokens + c.completion_tokens;
                if real > 0 {
                    self.committed.fetch_sub(estimate, Ordering::SeqCst);
                    self.committed.fetch_add(real, Ordering::SeqCst);
                }
                self.prompt_tokens
                    .fetch_add(c.prompt_tokens, Ordering::SeqCst);
                self.completion_tokens
                    .fetch_add(c.completion_tokens, Ordering::SeqCst);
                // What a model says is text that leaves the process: a key it echoes, or a
                // secret it makes up, is cut out like any other.
                let text = crate::secrets::clean(c.text.trim()).into_owned();
                if text.is_empty() {
                    return Err(self.error("the model answered with no text".into()));
                }
                Ok(text)
            }
            Err(message) => {
                self.committed.fetch_sub(estimate, Ordering::SeqCst);
                Err(self.error(message))
            }
        }
    }
}

impl ModelNarrator {
    fn narrate(&self, template: &str, facts: &impl serde::Serialize) -> Result<Narrative> {
        let markdown = self.ask(&self.render(template, facts)?)?;
        Ok(Narrative {
            summary: summary_of(&markdown),
            markdown,
            narrator: self.id(),
            note: String::new(),
        })
    }

    /// The system prompt, the user prompt and the longest answer allowed, in tokens.
    fn estimate(&self, template: &str, facts: &impl serde::Serialize) -> Option<u64> {
        let system = self.render("system.md", &serde_json::json!({})).ok()?;
        let user = self.render(template, facts).ok()?;
        Some(
            estimate_tokens(&system)
                + estimate_tokens(&user)
                + self.config.max_output_tokens as u64,
        )
    }
}

/// The summary of a narrative: the first sentence of its Purpose section (or of its text).
fn summary_of(markdown: &str) -> String {
    let purpose = markdown
        .split("\n## ")
        .find(|s| {
            s.trim_start_matches("## ")
                .to_ascii_lowercase()
                .starts_with("purpose")
        })
        .and_then(|s| s.split_once('\n').map(|(_, body)| body));
    let s = first_sentence(purpose.unwrap_or(markdown));
    if s.is_empty() {
        "(no summary)".into()
    } else {
        s
    }
}

impl Narrator for ModelNarrator {
    fn id(&self) -> String {
        self.id.clone()
    }

    fn concurrency(&self) -> usize {
        self.config.concurrency
    }

    fn narrate_part(&self, facts: &ClusterFacts) -> Result<Narrative> {
        self.narrate("part.md", facts)
    }

    fn narrate_overview(&self, facts: &OverviewFacts) -> Result<Narrative> {
        self.narrate("overview.md", facts)
    }

    fn estimate_part(&self, facts: &ClusterFacts) -> Option<u64> {
        self.estimate("part.md", facts)
    }

    fn estimate_overview(&self, facts: &OverviewFacts) -> Option<u64> {
        self.estimate("overview.md", facts)
    }

    fn usage(&self) -> Usage {
        Usage {
            calls: self.calls.load(Ordering::SeqCst),
            prompt_tokens: self.prompt_tokens.load(Ordering::SeqCst),
            completion_tokens: self.completion_tokens.load(Ordering::SeqCst),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_comes_from_the_purpose_section() {
        let md = "## Purpose\nParses the config. It also checks it.\n\n## Design\nMore.";
        assert_eq!(summary_of(md), "Parses the config.");
        assert_eq!(summary_of("Just text. Here."), "Just text.");
    }
}
