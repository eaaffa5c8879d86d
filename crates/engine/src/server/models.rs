//! Model lists: every route with a literal model name, in the shape the
//! client's API expects. Claude Code's picker offers only ids containing
//! "claude", so name routes like `claude-deepseek-chat` to see them there.

use axum::extract::State;
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use serde::Serialize;

use super::SharedState;
use super::respond::json_response;
use crate::config::Config;

struct Listed<'a> {
    id: &'a str,
    display_name: String,
}

/// Routes whose pattern is a plain name (no `*` or `?`), in config order.
fn listed_models(config: &Config) -> Vec<Listed<'_>> {
    config
        .routes
        .iter()
        .filter(|route| !route.pattern.as_str().contains(['*', '?']))
        .map(|route| {
            let id = route.pattern.as_str();
            let upstream = route.upstream_model.as_deref().unwrap_or(id);
            Listed {
                id,
                display_name: format!("{id} ({} {upstream})", route.provider.id),
            }
        })
        .collect()
}

#[derive(Serialize)]
struct AnthropicList<'a> {
    data: Vec<AnthropicModel<'a>>,
    has_more: bool,
    first_id: Option<&'a str>,
    last_id: Option<&'a str>,
}

#[derive(Serialize)]
struct AnthropicModel<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    display_name: &'a str,
    created_at: &'static str,
}

#[derive(Serialize)]
struct OpenaiList<'a> {
    object: &'static str,
    data: Vec<OpenaiModel<'a>>,
}

#[derive(Serialize)]
struct OpenaiModel<'a> {
    id: &'a str,
    object: &'static str,
    created: u64,
    owned_by: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GeminiList<'a> {
    models: Vec<GeminiModel<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GeminiModel<'a> {
    name: String,
    display_name: &'a str,
    supported_generation_methods: [&'static str; 3],
}

/// `GET /v1/models`: Anthropic's shape for Anthropic clients (they send
/// `anthropic-version` or `x-api-key`), OpenAI's otherwise.
pub async fn list_models(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    let models = listed_models(&state.config);
    let anthropic = headers.contains_key("anthropic-version") || headers.contains_key("x-api-key");
    let body = if anthropic {
        serde_json::to_vec(&AnthropicList {
            data: models
                .iter()
                .map(|model| AnthropicModel {
                    kind: "model",
                    id: model.id,
                    display_name: &model.display_name,
                    created_at: "2025-01-01T00:00:00Z",
                })
                .collect(),
            has_more: false,
            first_id: models.first().map(|model| model.id),
            last_id: models.last().map(|model| model.id),
        })
    } else {
        serde_json::to_vec(&OpenaiList {
            object: "list",
            data: models
                .iter()
                .map(|model| OpenaiModel {
                    id: model.id,
                    object: "model",
                    created: 0,
                    owned_by: "switchyard",
                })
                .collect(),
        })
    };
    json_response(StatusCode::OK, body.unwrap_or_default())
}

/// `GET /v1beta/models` in Gemini's shape.
pub async fn list_gemini_models(State(state): State<SharedState>) -> Response {
    let models = listed_models(&state.config);
    let list = GeminiList {
        models: models
            .iter()
            .map(|model| GeminiModel {
                name: format!("models/{}", model.id),
                display_name: &model.display_name,
                supported_generation_methods: [
                    "generateContent",
                    "streamGenerateContent",
                    "countTokens",
                ],
            })
            .collect(),
    };
    json_response(
        StatusCode::OK,
        serde_json::to_vec(&list).unwrap_or_default(),
    )
}
