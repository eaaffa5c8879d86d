//! What live subscribers receive: every finished request, and running
//! streams' progress (the desktop window, `GET /_switchyard/events`).

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use switchyard_protocol::ir::Usage;

use super::UsageEvent;
use super::store::RequestRow;

/// Output text is about this many bytes per token (English and code).
const BYTES_PER_TOKEN: u64 = 4;

#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// A request finished (as it is stored; `id` is the live id).
    Request(Arc<RequestRow>),
    Progress(Arc<StreamProgress>),
}

impl LiveEvent {
    /// The SSE `event:` name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Request(_) => "request",
            Self::Progress(_) => "progress",
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        let json = match self {
            Self::Request(row) => serde_json::to_vec(&**row),
            Self::Progress(progress) => serde_json::to_vec(&**progress),
        };
        json.unwrap_or_default()
    }
}

/// How far a running stream has got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamProgress {
    /// The request's live id (its `request` event carries the same).
    pub id: u64,
    pub client_model: String,
    pub provider: String,
    pub upstream_model: String,
    pub elapsed_ms: u64,
    /// Generated text (and tool arguments) so far.
    pub output_bytes: u64,
    /// `output_bytes` / 4 until the upstream reports real counts at the end.
    pub output_tokens_estimate: u64,
    /// What the upstream has reported so far (often only at the end).
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl StreamProgress {
    pub(super) fn new(
        event: &UsageEvent,
        elapsed: Duration,
        usage: Usage,
        output_bytes: u64,
    ) -> Self {
        Self {
            id: event.id,
            client_model: event.client_model.clone(),
            provider: event.provider.clone(),
            upstream_model: event.upstream_model.clone(),
            elapsed_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            output_bytes,
            output_tokens_estimate: output_bytes.div_ceil(BYTES_PER_TOKEN),
            input_tokens: usage.total_input(),
            output_tokens: usage.output_tokens,
        }
    }
}
