//! Local servers found running: Ollama and LM Studio on their default ports.

use serde::Serialize;

/// Where each local server listens by default.
pub const OLLAMA: &str = "http://127.0.0.1:11434";
pub const LMSTUDIO: &str = "http://127.0.0.1:1234";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Detected {
    /// The catalog preset that fits it (`preset = "…"` in the config).
    pub preset: &'static str,
    pub name: &'static str,
    pub url: String,
    /// `None` when nothing answered (the reason is in `error`).
    pub models: Option<Vec<String>>,
    pub error: Option<String>,
}

/// Asks each server at its address (`ollama`, `lmstudio`: roots without `/v1`).
pub async fn detect(ollama: &str, lmstudio: &str) -> Vec<Detected> {
    let (ollama_models, lmstudio_models) = tokio::join!(
        super::models::ollama_tags(ollama),
        super::models::openai_models(lmstudio),
    );
    vec![
        found("ollama", "Ollama", ollama, ollama_models),
        found("lmstudio", "LM Studio", lmstudio, lmstudio_models),
    ]
}

fn found(
    preset: &'static str,
    name: &'static str,
    url: &str,
    models: Result<Vec<String>, String>,
) -> Detected {
    let (models, error) = match models {
        Ok(models) => (Some(models), None),
        Err(error) => (None, Some(error)),
    };
    Detected {
        preset,
        name,
        url: url.to_owned(),
        models,
        error,
    }
}

/// One line per server, for the terminal.
pub fn describe(detected: &Detected) -> String {
    match (&detected.models, &detected.error) {
        (Some(models), _) => format!(
            "{:<10} running at {} ({} models: {}) -> preset = \"{}\"",
            detected.name,
            detected.url,
            models.len(),
            models.join(", "),
            detected.preset
        ),
        (None, error) => format!(
            "{:<10} not found at {} ({})",
            detected.name,
            detected.url,
            error.as_deref().unwrap_or("no answer")
        ),
    }
}
