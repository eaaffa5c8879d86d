//! Every request is recorded exactly once: when it completes, fails, or the
//! client goes away. Records go to a `UsageSink`: the [`UsageHub`] prices them,
//! queues them for the [`store`] (off the request path) and broadcasts them
//! live; the desktop shell forwards them to the window. Each also makes one
//! log line.

pub mod budget;
pub mod cli;
mod client;
mod hub;
mod live;
pub mod paths;
mod prices;
mod record;
pub mod report;
pub mod store;
pub mod tail;
mod writer;

#[cfg(test)]
mod budget_tests;
#[cfg(test)]
mod tests;

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use switchyard_protocol::Format;
use switchyard_protocol::ir::Usage;

pub use client::Client;
pub use hub::{HubOptions, StoreStatus, UsageHub};
pub use live::{LiveEvent, StreamProgress};
pub use prices::{CatalogPrices, ConfigPrices, ModelPrices, PriceSource, PriceTable, Priced};
pub use record::RequestRecord;
pub use store::{RequestRow, UsageStore};

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// We or the upstream answered with an error status.
    Error,
    /// The stream began but failed before its end (an SSE error event was sent).
    StreamError,
    /// The client disconnected before the answer was complete.
    ClientGone,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
            Self::StreamError => "stream_error",
            Self::ClientGone => "client_gone",
        }
    }
}

/// One finished request.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageEvent {
    /// Unique in this process (the live feed pairs progress with its request).
    pub id: u64,
    pub started_at: SystemTime,
    pub endpoint: &'static str,
    /// The client's API; `None` only if the request never got that far.
    pub format: Option<Format>,
    pub client: Client,
    /// The active `[[profiles]]` name; empty without profiles.
    pub profile: String,
    /// The `[[routes]]` pattern that matched; empty when none did.
    pub route: String,
    pub client_model: String,
    pub provider: String,
    pub upstream_model: String,
    /// Every upstream attempt, in order (also providers skipped by an open
    /// circuit); the last one gave the answer. Empty when refused before.
    pub attempts: Vec<Attempt>,
    pub status: u16,
    pub outcome: Outcome,
    /// `ProxyError::kind()`, or `upstream_stream` for a stream that failed mid-way.
    pub error_kind: Option<&'static str>,
    pub stream: bool,
    pub latency: Duration,
    /// Until the first generated text reached the client (streams only).
    pub first_token: Option<Duration>,
    pub usage: Usage,
    /// `None`: a price it needs is unknown (never shown as $0).
    pub cost: Option<Priced>,
    pub request_bytes: u64,
    pub response_bytes: u64,
    pub error: Option<String>,
}

/// One try at an upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub provider: String,
    pub upstream_model: String,
    /// The upstream's status; 0 when none came (connection, timeout, skipped).
    pub status: u16,
    /// `None` on success; else a low-cardinality reason such as
    /// `upstream_status`, `upstream_connect`, `upstream_timeout`, `circuit_open`.
    pub error_kind: Option<&'static str>,
    pub latency: Duration,
}

impl Attempt {
    /// Whether a request went upstream: a skipped target (open circuit,
    /// missing key) is noted with no status and no time.
    pub fn was_sent(&self) -> bool {
        self.status != 0 || !self.latency.is_zero()
    }
}

/// Waits until what was recorded before it is stored.
pub type Flush<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Receives one event per request. Only `record` is required.
pub trait UsageSink: Send + Sync {
    fn record(&self, event: &UsageEvent);

    /// A fresh request id (see [`UsageEvent::id`]).
    fn next_id(&self) -> u64 {
        0
    }

    /// Whether anyone listens to stream progress (else it is not built).
    fn wants_progress(&self) -> bool {
        false
    }

    /// A running stream's progress, at most a few times a second.
    fn progress(&self, _progress: &StreamProgress) {}

    /// The live feed of events and progress, if this sink has one.
    fn subscribe(&self) -> Option<tokio::sync::broadcast::Receiver<LiveEvent>> {
        None
    }

    /// Resolves once every event recorded so far is stored (shutdown, tests).
    fn flush(&self) -> Flush<'_> {
        Box::pin(async {})
    }

    /// `Some` when a budget that `provider`'s requests count against is used
    /// up: the request is refused before it goes upstream.
    fn budget_check(&self, _provider: &str) -> Option<budget::BudgetRefusal> {
        None
    }
}

/// A sink that only logs.
#[derive(Debug, Default)]
pub struct LogSink;

impl UsageSink for LogSink {
    fn record(&self, _event: &UsageEvent) {}
}
