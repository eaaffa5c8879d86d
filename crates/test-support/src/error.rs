//! Why a stream is invalid: which event, and what kind of rule it broke.

/// A stream that breaks its format's rules.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// Event number `position` (from 0), named `event`, broke a rule.
    #[error("event {position} ({event}): {violation}")]
    Event {
        position: usize,
        event: String,
        violation: Violation,
    },
    /// The stream stopped before an event that ends it.
    #[error("stream must end with {expected}")]
    Unterminated { expected: &'static str },
}

/// The rule one event broke.
#[derive(Debug, thiserror::Error)]
pub enum Violation {
    #[error("data is not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    /// A field the rules require is absent or has the wrong type.
    #[error("missing {0}")]
    Missing(&'static str),
    /// The SSE event name is not the data's `type`.
    #[error("event name {event} but data.type {data_type}")]
    NameMismatch { event: String, data_type: String },
    /// An event, delta or item type the format does not have.
    #[error("unknown {kind} {name}")]
    Unknown { kind: &'static str, name: String },
    /// A position out of step: `field` is `got` where `expected` was due.
    #[error("{field} {got}, expected {expected}")]
    Index {
        field: &'static str,
        got: usize,
        expected: usize,
    },
    /// An event where the lifecycle does not allow it.
    #[error("{0}")]
    Order(String),
    /// A value that contradicts the stream so far: ids, kinds, texts.
    #[error("{0}")]
    Content(String),
}

impl Violation {
    pub(crate) fn order(rule: impl Into<String>) -> Self {
        Self::Order(rule.into())
    }

    pub(crate) fn content(detail: impl Into<String>) -> Self {
        Self::Content(detail.into())
    }
}
