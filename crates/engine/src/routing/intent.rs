//! Intent routing: the latest user turn, sent to the configured small
//! model with the scenes' descriptions, picks the scene. Bounded by the
//! configured timeout (the request then takes its default route), and
//! remembered per conversation turn, so a retry or a tool loop within the
//! turn asks once.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Instant;

use bytes::Bytes;
use http::HeaderMap;
use switchyard_protocol::Format;
use switchyard_protocol::formats::{self, EncodeOptions};
use switchyard_protocol::ir::{Message, Part, Request, Role, Text};

use crate::config::Intent;
use crate::server::{AppState, upstream_path};
use crate::upstream::UpstreamRequest;

/// The classifier reads at most this much of the turn.
const MAX_TURN_CHARS: usize = 4_000;
/// The classifier's answer is a name.
const ANSWER_TOKENS: u32 = 16;
/// Namespace of intent decisions in the turn table.
const TABLE: usize = usize::MAX;

/// The scene for this request, if intent routing is on, applies to its
/// model, and the classifier answered in time with a scene's name.
pub async fn decide(
    state: &AppState,
    format: Format,
    body: &Bytes,
    path_model: Option<&str>,
) -> Option<usize> {
    let intent = state.config.intent.as_ref()?;
    let request = formats::decode_request(format, body).ok()?;
    let model = path_model.unwrap_or(&request.model);
    if !intent.pattern.matches(model) {
        return None;
    }
    let turn = latest_user_text(&request)?;
    let key = turn_key(model, &turn);
    if let Some(scene) = state.health.intents.recall(key, TABLE) {
        tracing::debug!(
            "intent: {} (remembered for this turn)",
            scene_name(intent, scene)
        );
        return Some(scene);
    }
    let started = Instant::now();
    let answer = tokio::time::timeout(intent.timeout, classify(state, intent, &turn)).await;
    let elapsed = started.elapsed().as_millis();
    let scene = match answer {
        Ok(Some(answer)) => intent.scene_named(&answer),
        Ok(None) => None,
        Err(_) => {
            tracing::info!(
                "intent: the classifier took over {} ms; default route",
                intent.timeout.as_millis()
            );
            return None;
        }
    };
    match scene {
        Some(scene) => {
            tracing::info!("intent: {} ({elapsed} ms)", scene_name(intent, scene));
            state.health.intents.remember(key, TABLE, scene);
        }
        None => {
            tracing::info!("intent: no scene named in the answer ({elapsed} ms); default route")
        }
    }
    scene
}

fn scene_name(intent: &Intent, at: usize) -> &str {
    intent
        .scenes
        .get(at)
        .map_or("?", |scene| scene.name.as_str())
}

/// The classifier's answer text, or `None` (logged) when it failed.
async fn classify(state: &AppState, intent: &Intent, turn: &str) -> Option<String> {
    let provider = &intent.classifier.provider;
    let model = intent
        .classifier
        .upstream_model
        .as_deref()
        .unwrap_or_default();
    let request = Request {
        model: model.to_owned(),
        system: vec![Text::new(&intent.prompt)],
        messages: vec![Message {
            role: Role::User,
            content: vec![Part::Text(Text::new(turn))],
        }],
        max_tokens: Some(ANSWER_TOKENS),
        temperature: Some(0.0),
        ..Request::default()
    };
    let options = EncodeOptions {
        max_tokens_field: crate::server::max_tokens_field(provider),
        max_tokens_cap: None,
        reasoning_effort: false,
    };
    let upstream = UpstreamRequest {
        provider,
        path: upstream_path(provider, model, false).ok()?,
        query: None,
        forward_headers: crate::server::upstream_headers(provider.format, &HeaderMap::new()),
        body: Bytes::from(formats::encode_request(provider.format, &request, &options)),
    };
    let response = match state.upstreams.send(&upstream, provider.key.secret()).await {
        Ok(response) if response.status().is_success() => response,
        Ok(response) => {
            tracing::warn!(
                "intent: the classifier answered {}; default route",
                response.status()
            );
            return None;
        }
        Err(err) => {
            tracing::warn!("intent: {err}; default route");
            return None;
        }
    };
    let body = response.into_body().bytes(1 << 20).await.ok()?;
    let answer = formats::decode_response(provider.format, &body).ok()?;
    let text = answer.content.iter().filter_map(|part| match part {
        Part::Text(text) => Some(text.plain().into_owned()),
        _ => None,
    });
    Some(text.collect::<Vec<_>>().join(" "))
}

/// The text of the last user message that has any.
fn latest_user_text(request: &Request) -> Option<String> {
    let message = (request.messages.iter().rev())
        .filter(|message| message.role == Role::User)
        .find(|message| {
            message
                .content
                .iter()
                .any(|part| matches!(part, Part::Text(_)))
        })?;
    let mut text = String::new();
    for part in &message.content {
        if let Part::Text(part) = part {
            text.push_str(&part.plain());
            text.push('\n');
        }
    }
    let end = (text.char_indices().nth(MAX_TURN_CHARS)).map_or(text.len(), |(at, _)| at);
    text.truncate(end);
    Some(text)
}

/// One conversation turn: a tool loop within it keeps the same latest
/// user text, so it keeps the scene.
fn turn_key(model: &str, turn: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    (model, turn).hash(&mut hasher);
    hasher.finish()
}
