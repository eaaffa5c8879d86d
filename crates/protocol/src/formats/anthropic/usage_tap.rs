//! Reads token usage out of Anthropic answers we pass through untouched.

use serde::Deserialize;

use crate::ir::Usage;
use crate::sse::{SseFrame, SseParser};

#[derive(Deserialize, Default)]
struct UsageWire {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
    #[serde(default)]
    cache_creation_input_tokens: u64,
    #[serde(default)]
    cache_read_input_tokens: u64,
}

impl From<UsageWire> for Usage {
    fn from(wire: UsageWire) -> Self {
        Self {
            input_tokens: wire.input_tokens,
            output_tokens: wire.output_tokens,
            cache_read_tokens: wire.cache_read_input_tokens,
            cache_write_tokens: wire.cache_creation_input_tokens,
            reasoning_tokens: 0,
        }
    }
}

#[derive(Deserialize)]
struct WithUsage {
    usage: Option<UsageWire>,
}

#[derive(Deserialize)]
struct StreamEventWire {
    #[serde(rename = "type")]
    kind: String,
    message: Option<WithUsage>,
    usage: Option<UsageWire>,
}

/// Usage of a complete Anthropic `message` body; zero when absent.
pub fn usage_from_response(body: &[u8]) -> Usage {
    serde_json::from_slice::<WithUsage>(body)
        .ok()
        .and_then(|message| message.usage)
        .map(Usage::from)
        .unwrap_or_default()
}

/// Watches an Anthropic SSE byte stream for usage, bytes split anywhere.
#[derive(Debug, Default)]
pub struct UsageTap {
    parser: SseParser,
    frames: Vec<SseFrame>,
    usage: Usage,
    stop_reason_seen: bool,
}

impl UsageTap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        self.parser.feed(bytes, &mut self.frames);
        self.drain();
    }

    pub fn finish(&mut self) {
        self.parser.finish(&mut self.frames);
        self.drain();
    }

    pub fn usage(&self) -> Usage {
        self.usage
    }

    /// Whether `message_stop` arrived: the stream completed.
    pub fn completed(&self) -> bool {
        self.stop_reason_seen
    }

    fn drain(&mut self) {
        for frame in self.frames.drain(..) {
            // Only the events that carry usage are worth parsing.
            let interesting = matches!(
                frame.event.as_str(),
                "message_start" | "message_delta" | "message_stop" | ""
            );
            if !interesting {
                continue;
            }
            let Ok(event) = serde_json::from_str::<StreamEventWire>(&frame.data) else {
                continue;
            };
            let usage = match event.kind.as_str() {
                "message_start" => event.message.and_then(|message| message.usage),
                "message_delta" => event.usage,
                "message_stop" => {
                    self.stop_reason_seen = true;
                    None
                }
                _ => None,
            };
            if let Some(usage) = usage {
                self.usage.merge(&Usage::from(usage));
            }
        }
    }
}
