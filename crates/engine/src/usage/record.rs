//! [`RequestRecord`]: one request's event, filled in as the request goes and
//! emitted exactly once.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use switchyard_protocol::Format;
use switchyard_protocol::ir::Usage;

use super::{Attempt, Client, Outcome, StreamProgress, UsageEvent, UsageSink};

/// Stream progress goes out at most this often per stream.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// An open request. Dropping it unfinished records it as `ClientGone`.
pub struct RequestRecord {
    sink: Arc<dyn UsageSink>,
    started: Instant,
    last_progress: Option<Instant>,
    event: Option<UsageEvent>,
}

impl RequestRecord {
    pub fn new(sink: Arc<dyn UsageSink>, endpoint: &'static str) -> Self {
        let id = sink.next_id();
        Self {
            sink,
            started: Instant::now(),
            last_progress: None,
            event: Some(UsageEvent {
                id,
                started_at: SystemTime::now(),
                endpoint,
                format: None,
                client: Client::Other,
                profile: String::new(),
                route: String::new(),
                client_model: String::new(),
                provider: String::new(),
                upstream_model: String::new(),
                attempts: Vec::new(),
                status: 0,
                outcome: Outcome::ClientGone,
                error_kind: None,
                stream: false,
                latency: Duration::ZERO,
                first_token: None,
                usage: Usage::default(),
                cost: None,
                request_bytes: 0,
                response_bytes: 0,
                error: None,
            }),
        }
    }

    fn event(&mut self) -> Option<&mut UsageEvent> {
        self.event.as_mut()
    }

    /// Who asked, in which API, with how large a body.
    pub fn set_inbound(&mut self, format: Format, user_agent: Option<&str>, request_bytes: usize) {
        if let Some(event) = self.event() {
            event.format = Some(format);
            event.client = Client::from_user_agent(user_agent);
            event.request_bytes = request_bytes as u64;
        }
    }

    /// The active profile the request was routed by.
    pub fn set_profile(&mut self, profile: &str) {
        if let Some(event) = self.event() {
            profile.clone_into(&mut event.profile);
        }
    }

    pub fn set_route(
        &mut self,
        client_model: &str,
        pattern: &str,
        provider: &str,
        upstream_model: &str,
    ) {
        if let Some(event) = self.event() {
            client_model.clone_into(&mut event.client_model);
            pattern.clone_into(&mut event.route);
            provider.clone_into(&mut event.provider);
            upstream_model.clone_into(&mut event.upstream_model);
        }
    }

    pub fn set_client_model(&mut self, client_model: &str) {
        if let Some(event) = self.event() {
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
        if let Some(event) = self.event() {
            event.status = status;
        }
    }

    pub fn set_stream(&mut self, stream: bool) {
        if let Some(event) = self.event() {
            event.stream = stream;
        }
    }

    pub fn set_error_kind(&mut self, kind: &'static str) {
        if let Some(event) = self.event() {
            event.error_kind = Some(kind);
        }
    }

    pub fn add_response_bytes(&mut self, bytes: usize) {
        if let Some(event) = self.event() {
            event.response_bytes += bytes as u64;
        }
    }

    /// Generated text is on its way to the client; only the first call counts.
    pub fn mark_first_token(&mut self) {
        let elapsed = self.started.elapsed();
        if let Some(event) = self.event() {
            event.first_token.get_or_insert(elapsed);
        }
    }

    /// Tells live subscribers how far a stream has got (throttled here).
    pub fn progress(&mut self, usage: Usage, output_bytes: u64) {
        // The clock first: asking the sink takes a lock.
        let now = Instant::now();
        if self
            .last_progress
            .is_some_and(|last| now.duration_since(last) < PROGRESS_EVERY)
        {
            return;
        }
        self.last_progress = Some(now);
        if !self.sink.wants_progress() {
            return;
        }
        let Some(event) = &self.event else { return };
        let progress = StreamProgress::new(event, now - self.started, usage, output_bytes);
        self.sink.progress(&progress);
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
