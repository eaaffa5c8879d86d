//! Every request is recorded exactly once: when it completes, fails, or the
//! client goes away. Records go to a `UsageSink` (the desktop shell forwards
//! them to the window) and to one log line.

use std::sync::Arc;
use std::time::{Duration, Instant};

use switchyard_protocol::ir::Usage;

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
    pub endpoint: &'static str,
    pub client_model: String,
    pub provider: String,
    pub upstream_model: String,
    pub status: u16,
    pub outcome: Outcome,
    pub latency: Duration,
    pub usage: Usage,
    pub error: Option<String>,
    /// Every upstream attempt, in order (also providers skipped by an open
    /// circuit); the last one gave the answer.
    pub attempts: Vec<Attempt>,
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

/// Receives one event per request.
pub trait UsageSink: Send + Sync {
    fn record(&self, event: &UsageEvent);
}

/// A sink that only logs.
#[derive(Debug, Default)]
pub struct LogSink;

impl UsageSink for LogSink {
    fn record(&self, _event: &UsageEvent) {}
}

/// An open request. Dropping it unfinished records it as `ClientGone`.
pub struct RequestRecord {
    sink: Arc<dyn UsageSink>,
    started: Instant,
    event: Option<UsageEvent>,
}

impl RequestRecord {
    pub fn new(sink: Arc<dyn UsageSink>, endpoint: &'static str) -> Self {
        Self {
            sink,
            started: Instant::now(),
            event: Some(UsageEvent {
                endpoint,
                client_model: String::new(),
                provider: String::new(),
                upstream_model: String::new(),
                status: 0,
                outcome: Outcome::ClientGone,
                latency: Duration::ZERO,
                usage: Usage::default(),
                error: None,
                attempts: Vec::new(),
            }),
        }
    }

    pub fn set_route(&mut self, client_model: &str, provider: &str, upstream_model: &str) {
        if let Some(event) = &mut self.event {
            client_model.clone_into(&mut event.client_model);
            provider.clone_into(&mut event.provider);
            upstream_model.clone_into(&mut event.upstream_model);
        }
    }

    pub fn set_client_model(&mut self, client_model: &str) {
        if let Some(event) = &mut self.event {
            client_model.clone_into(&mut event.client_model);
        }
    }

    /// The provider and model the next attempts go to (a fallback).
    pub fn set_target(&mut self, provider: &str, upstream_model: &str) {
        if let Some(event) = &mut self.event {
            provider.clone_into(&mut event.provider);
            upstream_model.clone_into(&mut event.upstream_model);
        }
    }

    /// Notes one upstream attempt, at the current target.
    pub fn attempt(&mut self, status: u16, error_kind: Option<&'static str>, latency: Duration) {
        if let Some(event) = &mut self.event {
            event.attempts.push(Attempt {
                provider: event.provider.clone(),
                upstream_model: event.upstream_model.clone(),
                status,
                error_kind,
                latency,
            });
        }
    }

    /// The answer came from `provider`'s latest attempt: show its route.
    pub fn settle_on(&mut self, provider: &str) {
        let Some(event) = &mut self.event else {
            return;
        };
        if event.provider == provider {
            return;
        }
        if let Some(attempt) = (event.attempts.iter())
            .rev()
            .find(|a| a.provider == provider)
        {
            attempt.provider.clone_into(&mut event.provider);
            attempt.upstream_model.clone_into(&mut event.upstream_model);
        }
    }

    /// The status the client got; set as soon as it is known.
    pub fn set_status(&mut self, status: u16) {
        if let Some(event) = &mut self.event {
            event.status = status;
        }
    }

    pub fn finish(mut self, outcome: Outcome, usage: Usage, error: Option<String>) {
        self.emit(outcome, usage, error);
    }

    fn emit(&mut self, outcome: Outcome, usage: Usage, error: Option<String>) {
        let Some(mut event) = self.event.take() else {
            return;
        };
        event.outcome = outcome;
        event.usage = usage;
        event.error = error;
        event.latency = self.started.elapsed();
        log_event(&event);
        self.sink.record(&event);
    }
}

impl Drop for RequestRecord {
    fn drop(&mut self) {
        self.emit(Outcome::ClientGone, Usage::default(), None);
    }
}

/// One line per request. Built by hand, without `format!`: tracing's
/// per-field formatting, then `core::fmt`, each cost as much as translating a
/// small request.
fn log_event(event: &UsageEvent) {
    let mut line = String::with_capacity(
        96 + event.client_model.len() + event.provider.len() + event.upstream_model.len(),
    );
    for piece in [
        event.endpoint,
        " ",
        &event.client_model,
        " -> ",
        &event.provider,
        "/",
        &event.upstream_model,
        " status=",
    ] {
        line.push_str(piece);
    }
    push_number(&mut line, u64::from(event.status));
    line.push(' ');
    line.push_str(event.outcome.as_str());
    line.push(' ');
    push_number(
        &mut line,
        u64::try_from(event.latency.as_millis()).unwrap_or(u64::MAX),
    );
    line.push_str("ms in=");
    push_number(&mut line, event.usage.total_input());
    line.push_str(" out=");
    push_number(&mut line, event.usage.output_tokens);
    line.push_str(" cached=");
    push_number(&mut line, event.usage.cache_read_tokens);
    // One attempt is the line itself; more are listed.
    if event.attempts.len() > 1 {
        line.push_str(" attempts=");
        push_attempts(&mut line, &event.attempts);
    }
    if let Some(error) = &event.error {
        use std::fmt::Write as _;
        let _ = write!(line, " error={error:?}");
    }
    tracing::info!(target: "switchyard::request", "{line}");
}

/// `provider:status:12ms,provider:upstream_timeout:2000ms`.
fn push_attempts(line: &mut String, attempts: &[Attempt]) {
    for (at, attempt) in attempts.iter().enumerate() {
        if at > 0 {
            line.push(',');
        }
        line.push_str(&attempt.provider);
        line.push(':');
        match (attempt.status, attempt.error_kind) {
            (0, Some(kind)) => line.push_str(kind),
            (status, _) => push_number(line, u64::from(status)),
        }
        line.push(':');
        push_number(
            line,
            u64::try_from(attempt.latency.as_millis()).unwrap_or(u64::MAX),
        );
        line.push_str("ms");
    }
}

/// Decimal digits of `value`, appended.
fn push_number(out: &mut String, value: u64) {
    out.push_str(itoa::Buffer::new().format(value));
}
