//! What the workspace's tests share: strict checkers of the SSE sequences
//! clients rely on. They check our output at every level, and help when a
//! vendor's "compatible" stream misbehaves; they are no part of the
//! gateway's API.

pub mod anthropic;
mod error;
pub mod openai_responses;

pub use error::{StreamError, Violation};

use switchyard_protocol::sse::{SseFrame, SseParser};

/// One format's stream rules, checked a frame at a time.
trait Rules {
    /// The events that may end a stream, for the error when none came.
    const TERMINAL: &'static str;

    fn frame(&mut self, position: usize, frame: &SseFrame) -> Result<(), Violation>;

    /// Whether a terminal event came.
    fn ended(&self) -> bool;
}

/// Checks every frame of a whole SSE body in order, then that it ended.
fn check<R: Rules>(sse: &str, rules: &mut R) -> Result<(), StreamError> {
    let mut parser = SseParser::new();
    let mut frames = Vec::new();
    parser.feed(sse.as_bytes(), &mut frames);
    parser.finish(&mut frames);
    for (position, frame) in frames.iter().enumerate() {
        rules
            .frame(position, frame)
            .map_err(|violation| StreamError::Event {
                position,
                event: frame.event.clone(),
                violation,
            })?;
    }
    if rules.ended() {
        Ok(())
    } else {
        Err(StreamError::Unterminated {
            expected: R::TERMINAL,
        })
    }
}

/// A non-negative integer field of an event's data.
fn usize_field(data: &serde_json::Value, field: &'static str) -> Result<usize, Violation> {
    data[field]
        .as_u64()
        .and_then(|value| usize::try_from(value).ok())
        .ok_or(Violation::Missing(field))
}
