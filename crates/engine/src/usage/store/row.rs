//! One stored request, as the store, the export and the live feed show it.

use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::usage::{Priced, UsageEvent};

/// A finished request, flat: every field the store keeps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestRow {
    /// The store's id; on the live feed, the request's live id.
    pub id: i64,
    /// Unix milliseconds when the request arrived.
    pub ts_ms: i64,
    /// `claude_code`, `codex`, `gemini_cli`, `sdk` or `other`.
    pub client: String,
    /// The gateway endpoint (`anthropic.messages`, `openai.chat`, …).
    pub endpoint: String,
    /// The client's API format; empty when unknown.
    pub inbound_format: String,
    pub profile: String,
    /// The matched `[[routes]]` pattern.
    pub route: String,
    pub client_model: String,
    pub provider: String,
    pub upstream_model: String,
    pub attempts: u32,
    /// A JSON array, one object per upstream attempt.
    pub attempts_detail: String,
    pub status: u16,
    /// `ok`, `error`, `stream_error` or `client_gone`.
    pub outcome: String,
    pub error_kind: Option<String>,
    pub error: Option<String>,
    pub stream: bool,
    pub latency_ms: u64,
    pub ttft_ms: Option<u64>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub reasoning_tokens: u64,
    /// `None`: unknown price (never shown as $0).
    pub cost_usd: Option<f64>,
    /// `config` or `catalog`; `None` when unknown or nothing was priced.
    pub price_source: Option<String>,
    pub request_bytes: u64,
    pub response_bytes: u64,
}

/// The fields in their declared order (exports keep it; a test checks it
/// against the struct).
pub const FIELDS: [&str; 28] = [
    "id",
    "ts_ms",
    "client",
    "endpoint",
    "inbound_format",
    "profile",
    "route",
    "client_model",
    "provider",
    "upstream_model",
    "attempts",
    "attempts_detail",
    "status",
    "outcome",
    "error_kind",
    "error",
    "stream",
    "latency_ms",
    "ttft_ms",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "cost_usd",
    "price_source",
    "request_bytes",
    "response_bytes",
];

/// Error texts are capped: an upstream may answer a page of HTML.
const MAX_ERROR_CHARS: usize = 512;

#[derive(Serialize)]
struct Attempt<'a> {
    provider: &'a str,
    model: &'a str,
    status: u16,
    error_kind: Option<&'a str>,
}

impl RequestRow {
    pub fn from_event(event: &UsageEvent, cost: Option<Priced>) -> Self {
        let usage = &event.usage;
        Self {
            id: i64::try_from(event.id).unwrap_or(i64::MAX),
            ts_ms: unix_ms(
                event
                    .started_at
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default(),
            ),
            client: event.client.as_str().to_owned(),
            endpoint: event.endpoint.to_owned(),
            inbound_format: event
                .format
                .map(|f| f.as_str())
                .unwrap_or_default()
                .to_owned(),
            profile: event.profile.clone(),
            route: event.route.clone(),
            client_model: event.client_model.clone(),
            provider: event.provider.clone(),
            upstream_model: event.upstream_model.clone(),
            attempts: sent_attempts(event),
            attempts_detail: attempts_detail(event),
            status: event.status,
            outcome: event.outcome.as_str().to_owned(),
            error_kind: event.error_kind.map(str::to_owned),
            error: event.error.as_deref().map(capped),
            stream: event.stream,
            latency_ms: unix_ms(event.latency).unsigned_abs(),
            ttft_ms: event.first_token.map(|d| unix_ms(d).unsigned_abs()),
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            cache_read_tokens: usage.cache_read_tokens,
            cache_write_tokens: usage.cache_write_tokens,
            reasoning_tokens: usage.reasoning_tokens,
            cost_usd: cost.map(|cost| cost.usd),
            price_source: cost
                .and_then(|cost| cost.source)
                .map(|s| s.as_str().to_owned()),
            request_bytes: event.request_bytes,
            response_bytes: event.response_bytes,
        }
    }
}

/// Requests that went upstream (a target skipped for its open circuit or
/// missing key does not count; it is still in the detail).
fn sent_attempts(event: &UsageEvent) -> u32 {
    let sent = event.attempts.iter().filter(|a| a.was_sent()).count();
    u32::try_from(sent).unwrap_or(u32::MAX)
}

/// Every attempt, skipped ones included, in order.
fn attempts_detail(event: &UsageEvent) -> String {
    let attempts: Vec<Attempt<'_>> = (event.attempts.iter())
        .map(|attempt| Attempt {
            provider: &attempt.provider,
            model: &attempt.upstream_model,
            status: attempt.status,
            error_kind: attempt.error_kind,
        })
        .collect();
    serde_json::to_string(&attempts).unwrap_or_else(|_| "[]".to_owned())
}

fn capped(text: &str) -> String {
    match text.char_indices().nth(MAX_ERROR_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

fn unix_ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
