//! A provider's model list: OpenAI-style `GET /models`, Anthropic's
//! `GET /v1/models`, Gemini's `models.list`, Ollama's `GET /api/tags`.

use serde::Deserialize;
use switchyard_protocol::Format;
use switchyard_protocol::error::upstream_message;

use super::{ProbeError, http_client};
use crate::config::Provider;

/// The model ids the provider serves, as it lists them.
pub async fn list(provider: &Provider) -> Result<Vec<String>, ProbeError> {
    let (url, kind) = list_url(provider);
    let mut request = http_client()?
        .get(&url)
        .headers(crate::upstream::provider_headers(provider));
    if provider.format == Format::Anthropic {
        request = request.header("anthropic-version", "2023-06-01");
    }
    let response = request
        .send()
        .await
        .map_err(|err| ProbeError::Request(format!("GET {url}: {}", error_chain(&err))))?;
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map_err(|err| ProbeError::Request(format!("GET {url}: {err}")))?;
    if !(200..300).contains(&status) {
        return Err(ProbeError::Upstream {
            provider: provider.id.to_string(),
            status,
            message: upstream_message(&body),
        });
    }
    parse(kind, &body).map_err(|message| ProbeError::BadList {
        provider: provider.id.to_string(),
        message,
    })
}

#[derive(Debug, Clone, Copy)]
enum ListKind {
    /// `{"data": [{"id"}]}` (OpenAI, Anthropic and compatible servers).
    Data,
    /// `{"models": [{"name": "models/…"}]}`.
    Gemini,
    /// `{"models": [{"name"}]}` at the server root.
    Ollama,
}

fn list_url(provider: &Provider) -> (String, ListKind) {
    let base = &provider.base_url;
    match provider.format {
        _ if provider.preset.as_deref() == Some("ollama") => {
            let root = base.strip_suffix("/v1").unwrap_or(base);
            (format!("{root}/api/tags"), ListKind::Ollama)
        }
        Format::Anthropic => (format!("{base}/v1/models"), ListKind::Data),
        Format::Gemini => (format!("{base}/models"), ListKind::Gemini),
        Format::OpenaiChat | Format::OpenaiResponses => (format!("{base}/models"), ListKind::Data),
    }
}

fn parse(kind: ListKind, body: &[u8]) -> Result<Vec<String>, String> {
    #[derive(Deserialize)]
    struct Entry {
        id: Option<String>,
        name: Option<String>,
    }
    #[derive(Deserialize)]
    struct List {
        data: Option<Vec<Entry>>,
        models: Option<Vec<Entry>>,
    }
    let list: List = serde_json::from_slice(body).map_err(|err| err.to_string())?;
    let (entries, field) = match kind {
        ListKind::Data => (list.data, "data"),
        ListKind::Gemini | ListKind::Ollama => (list.models, "models"),
    };
    let entries = entries.ok_or_else(|| format!("no `{field}` array"))?;
    let ids = entries.into_iter().filter_map(|entry| match kind {
        ListKind::Data => entry.id,
        ListKind::Ollama => entry.name,
        ListKind::Gemini => entry.name.map(|name| {
            name.strip_prefix("models/")
                .map_or(name.clone(), str::to_owned)
        }),
    });
    Ok(ids.collect())
}

/// reqwest's top-level message hides the cause.
pub(super) fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Ollama's `/api/tags` at `root` (no key), for detection.
pub(super) async fn ollama_tags(root: &str) -> Result<Vec<String>, String> {
    let body = get_json(&format!("{root}/api/tags")).await?;
    parse(ListKind::Ollama, &body)
}

/// An OpenAI-compatible `/v1/models` at `root` (no key), for detection.
pub(super) async fn openai_models(root: &str) -> Result<Vec<String>, String> {
    let body = get_json(&format!("{root}/v1/models")).await?;
    parse(ListKind::Data, &body)
}

async fn get_json(url: &str) -> Result<bytes::Bytes, String> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(2))
        .build()
        .map_err(|err| err.to_string())?;
    let response = client
        .get(url)
        .send()
        .await
        .map_err(|err| error_chain(&err))?;
    if !response.status().is_success() {
        return Err(format!("answered {}", response.status()));
    }
    response.bytes().await.map_err(|err| err.to_string())
}
