//! Attempts: the route's provider, then its fallbacks in order, each with
//! its keys, within `[retry]`'s bounds. Nothing is retried once the
//! upstream's answer has begun: the first success commits the request.

use std::time::{Duration, Instant};

use axum::response::Response;
use http::HeaderValue;

use super::SharedState;
use super::proxy::{Inbound, prepare_fallback};
use super::relay::{self, Relay, UpstreamFailure, fail};
use super::respond::error_response_with_retry;
use crate::config::{Provider, ResolvedRoute, RetryPolicy, RouteParams, Secret, Target};
use crate::error::ProxyError;
use crate::routing::scenario::RequestTraits;
use crate::routing::{self, Admit, Pick};
use crate::upstream::UpstreamResponse;
use crate::usage::RequestRecord;
use switchyard_protocol::traits::Traits;

/// A route's fallbacks, kept past routing (empty when it has none, which
/// costs nothing).
#[derive(Debug, Default)]
pub struct Fallback<'s> {
    pattern: &'s str,
    targets: &'s [Target],
    client_model: String,
    max_tokens: Option<u32>,
    /// What the request holds, when a target's model may not take it.
    traits: Option<Traits>,
    params: Option<&'s RouteParams>,
}

impl<'s> Fallback<'s> {
    pub fn of(route: &ResolvedRoute<'s, '_>, traits: Option<&RequestTraits>) -> Self {
        if route.fallback.is_empty() {
            return Self::default();
        }
        Self {
            pattern: route.pattern,
            targets: route.fallback,
            client_model: route.client_model.to_owned(),
            max_tokens: route.max_tokens,
            traits: traits.map(|request| request.traits),
            params: route.params,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The fallbacks' providers, by index.
    pub fn providers(&self) -> impl Iterator<Item = usize> + '_ {
        self.targets.iter().map(|target| target.provider.index)
    }

    fn route(&self, n: usize) -> Option<ResolvedRoute<'s, '_>> {
        let target = self.targets.get(n)?;
        Some(ResolvedRoute {
            pattern: self.pattern,
            provider: &target.provider,
            upstream_model: target
                .upstream_model
                .as_deref()
                .unwrap_or(&self.client_model),
            max_tokens: self.max_tokens,
            client_model: &self.client_model,
            fallback: &[],
            caps: target.caps,
            params: self.params,
        })
    }

    /// Why the `n`th target cannot take this request, if it cannot.
    fn unusable(&self, n: usize, model: &str) -> Option<&'static str> {
        let target = self.targets.get(n)?;
        crate::config::unusable(&target.provider, model, &target.caps, self.traits.as_ref())
    }
}

/// How a target ended.
enum Tried {
    /// 2xx: the answer goes to the client.
    Answered(UpstreamResponse),
    /// Not worth another target (a 400-class error the request caused).
    Final(Failure),
    /// Failed; the next target may do better.
    Failed(Failure),
    /// Not attempted (circuit open, no usable key).
    Skipped(ProxyError),
}

enum Failure {
    Status(UpstreamFailure),
    Error(ProxyError),
}

/// The request's budget of attempts and time, and its conversation.
struct Budget {
    policy: RetryPolicy,
    started: Instant,
    attempts: u32,
    session: Option<u64>,
}

impl Budget {
    fn left(&self) -> bool {
        self.attempts == 0
            || (self.attempts < self.policy.max_attempts
                && self.started.elapsed() < self.policy.max_total)
    }

    /// The wait before the `n`th retry of the same provider, if it ends in time.
    fn backoff(&self, n: u32) -> Option<Duration> {
        let wait = routing::backoff(self.policy.backoff, n, Duration::from_secs(10));
        (self.started.elapsed() + wait < self.policy.max_total).then_some(wait)
    }
}

/// Sends `first`, then the fallbacks, and answers the client. `inbound`
/// (the client's request) is needed only when the route has fallbacks;
/// `session` (its conversation) only when a provider has several keys.
pub async fn relay(
    state: &SharedState,
    mut first: Relay<'_>,
    inbound: Option<&Inbound<'_>>,
    session: Option<u64>,
    mut record: RequestRecord,
) -> Response {
    let fallback = std::mem::take(&mut first.fallback);
    let client = first.answer.client();
    let mut budget = Budget {
        policy: state.config.retry,
        started: Instant::now(),
        attempts: 0,
        session,
    };
    let mut next = Some(first);
    let mut last: Option<(Relay<'_>, Failure)> = None;
    let mut skipped = Vec::new();
    for n in 0..=fallback.targets.len() {
        let relay = match next.take() {
            Some(relay) => relay,
            None => match next_target(&fallback, n - 1, inbound, &mut record) {
                Ok(relay) => relay,
                Err(err) => {
                    skipped.push(err);
                    continue;
                }
            },
        };
        let is_last = n == fallback.targets.len();
        match try_target(state, &relay, &mut budget, &mut record, is_last).await {
            Tried::Answered(response) => {
                return relay::answer(state, &relay, response, record).await;
            }
            Tried::Final(failure) => return answer_failure(record, &relay, failure),
            Tried::Failed(failure) => last = Some((relay, failure)),
            Tried::Skipped(err) => skipped.push(err),
        }
        if !budget.left() {
            break;
        }
    }
    match last {
        Some((relay, failure)) => answer_failure(record, &relay, failure),
        None => answer_skipped(record, client, skipped),
    }
}

/// The `n`th fallback's request, or why it is skipped.
fn next_target<'s>(
    fallback: &Fallback<'s>,
    n: usize,
    inbound: Option<&Inbound<'_>>,
    record: &mut RequestRecord,
) -> Result<Relay<'s>, ProxyError> {
    let (Some(route), Some(inbound)) = (fallback.route(n), inbound) else {
        return Err(ProxyError::NoRoute {
            model: fallback.client_model.clone(),
        });
    };
    let provider = route.provider;
    record.set_target(provider.id.as_str(), route.upstream_model);
    if let Some(missing) = fallback.unusable(n, route.upstream_model) {
        record.attempt(0, Some("unsupported_capability"), Duration::ZERO);
        return Err(ProxyError::Incapable {
            provider: provider.id.clone(),
            model: route.upstream_model.to_owned(),
            missing,
        });
    }
    if let Some(missing) = provider.key.missing() {
        record.attempt(0, Some("missing_upstream_key"), Duration::ZERO);
        return Err(ProxyError::MissingKey {
            provider: provider.id.clone(),
            missing: missing.clone(),
        });
    }
    let relay = prepare_fallback(inbound, &route);
    if let Err(err) = &relay {
        record.attempt(0, Some(err.kind()), Duration::ZERO);
    }
    relay
}

/// One provider: its keys, then (for a transient failure with no target
/// left) the same provider again after a jittered backoff.
async fn try_target(
    state: &SharedState,
    relay: &Relay<'_>,
    budget: &mut Budget,
    record: &mut RequestRecord,
    is_last: bool,
) -> Tried {
    let provider = relay.request.provider;
    if let Some(health) = state.health.of(provider)
        && let Admit::Open { retry_in_ms } = health.breaker.admit(state.health.now_ms())
    {
        record.attempt(0, Some("circuit_open"), Duration::ZERO);
        return Tried::Skipped(circuit_open(provider, retry_in_ms));
    }
    let (mut tried, mut here, mut last) = (0_u64, 0_u32, None);
    while budget.left() {
        let last_resort = is_last && tried == 0;
        let key = match pick_key(state, provider, tried, last_resort, budget.session) {
            Ok(key) => key,
            Err(err) => {
                let Some(failure) = last else {
                    record.attempt(0, Some(err.kind()), Duration::ZERO);
                    return Tried::Skipped(err);
                };
                return Tried::Failed(failure);
            }
        };
        if let Some(failure) = last.take() {
            // The same provider again: wait, unless that ends past the budget.
            let open = (state.health.of(provider)).is_some_and(|health| {
                matches!(
                    health.breaker.admit(state.health.now_ms()),
                    Admit::Open { .. }
                )
            });
            let Some(wait) = budget.backoff(here).filter(|_| !open) else {
                return Tried::Failed(failure);
            };
            tokio::time::sleep(wait).await;
        }
        (budget.attempts, here) = (budget.attempts + 1, here + 1);
        let started = Instant::now();
        let sent = send(state, relay, key).await;
        let judged = judge(state, provider, key, sent);
        record.attempt(judged.status(), judged.kind(), started.elapsed());
        match judged {
            Judged::Ok(response) => {
                if let (Some(session), Some(key)) = (budget.session, key) {
                    (state.health.affinity).remember(session, provider.index, key);
                }
                return Tried::Answered(response);
            }
            Judged::Final(failure) => return Tried::Final(failure),
            Judged::NextKey(failure) => {
                tried |= key.map_or(u64::MAX, routing::key_bit);
                last = Some(failure);
            }
            // The last target: the same provider once more, after a backoff.
            Judged::Transient(failure) if is_last => last = Some(failure),
            Judged::Transient(failure) | Judged::Timeout(failure) => {
                return Tried::Failed(failure);
            }
        }
    }
    last.map_or(
        Tried::Skipped(ProxyError::NoRoute {
            model: String::new(),
        }),
        Tried::Failed,
    )
}

/// A key not yet tried by this request; a cooling or refused one only when
/// nothing else is left (the upstream then says for itself what is wrong).
fn pick_key(
    state: &SharedState,
    provider: &Provider,
    tried: u64,
    last_resort: bool,
    session: Option<u64>,
) -> Result<Option<usize>, ProxyError> {
    let refused = || ProxyError::KeysRefused {
        provider: provider.id.clone(),
    };
    let Some(pool) = state.health.of(provider).map(|health| &health.keys) else {
        return Ok(None);
    };
    if pool.is_empty() {
        return if tried == 0 { Ok(None) } else { Err(refused()) };
    }
    let preferred =
        session.and_then(|session| state.health.affinity.recall(session, provider.index));
    match pool.pick(state.health.now_ms(), tried, preferred) {
        Pick::Key(at) => Ok(Some(at)),
        Pick::Cooling(at) | Pick::Refused(at) if last_resort => Ok(Some(at)),
        Pick::Cooling(_) => Err(ProxyError::KeysCooling {
            provider: provider.id.clone(),
        }),
        Pick::Refused(_) | Pick::Exhausted => Err(refused()),
    }
}

enum Sent {
    Ok(UpstreamResponse),
    Status(UpstreamFailure),
    Error(ProxyError),
}

async fn send(state: &SharedState, relay: &Relay<'_>, key: Option<usize>) -> Sent {
    let keys = relay.request.provider.key.keys();
    let secret: Option<&Secret> = key.and_then(|at| keys.get(at));
    match state.upstreams.send(&relay.request, secret).await {
        Ok(response) if response.status().is_success() => Sent::Ok(response),
        Ok(response) => Sent::Status(UpstreamFailure::read(response).await),
        Err(err) => Sent::Error(err),
    }
}

/// What an attempt's result means for the request and for the provider's health.
enum Judged {
    Ok(UpstreamResponse),
    /// Caused by the request: the next target would refuse it too.
    Final(Failure),
    /// 429, 401, 403: another key may do.
    NextKey(Failure),
    /// Connection failure, 5xx, 529.
    Transient(Failure),
    /// No first byte in time: another target, never the same again.
    Timeout(Failure),
}

impl Judged {
    fn status(&self) -> u16 {
        match self {
            Self::Ok(response) => response.status().as_u16(),
            Self::Final(failure)
            | Self::NextKey(failure)
            | Self::Transient(failure)
            | Self::Timeout(failure) => match failure {
                Failure::Status(failure) => failure.status,
                Failure::Error(_) => 0,
            },
        }
    }

    fn kind(&self) -> Option<&'static str> {
        match self {
            Self::Ok(_) => None,
            Self::Final(failure)
            | Self::NextKey(failure)
            | Self::Transient(failure)
            | Self::Timeout(failure) => Some(match failure {
                Failure::Status(_) => "upstream_status",
                Failure::Error(err) => err.kind(),
            }),
        }
    }
}

fn judge(state: &SharedState, provider: &Provider, key: Option<usize>, sent: Sent) -> Judged {
    let Some(health) = state.health.of(provider) else {
        return match sent {
            Sent::Ok(response) => Judged::Ok(response),
            Sent::Status(failure) => Judged::Final(Failure::Status(failure)),
            Sent::Error(err) => Judged::Final(Failure::Error(err)),
        };
    };
    let now = state.health.now_ms();
    let key_at = key.unwrap_or(usize::MAX);
    let provider_failed = || {
        if health.breaker.failure(now) {
            let secs = provider.breaker.cooldown.as_secs();
            tracing::warn!(
                "provider `{}`: {} failures in a row; paused for {secs}s",
                provider.id,
                provider.breaker.failures
            );
        }
    };
    match sent {
        Sent::Ok(response) => {
            health.breaker.success();
            health.keys.success(key_at);
            Judged::Ok(response)
        }
        Sent::Status(failure) => match failure.status {
            429 => {
                cool_key(health, key_at, now, &failure);
                Judged::NextKey(Failure::Status(failure))
            }
            401 | 403 => {
                if key.is_some() && health.keys.invalidate(key_at) {
                    report_invalid(provider, key_at, failure.status);
                }
                Judged::NextKey(Failure::Status(failure))
            }
            500.. => {
                provider_failed();
                Judged::Transient(Failure::Status(failure))
            }
            _ => {
                health.breaker.success();
                Judged::Final(Failure::Status(failure))
            }
        },
        Sent::Error(err @ ProxyError::Timeout { .. }) => {
            provider_failed();
            Judged::Timeout(Failure::Error(err))
        }
        Sent::Error(err @ ProxyError::Connect { .. }) => {
            provider_failed();
            Judged::Transient(Failure::Error(err))
        }
        Sent::Error(err) => Judged::Final(Failure::Error(err)),
    }
}

/// A 429: the key rests for the upstream's Retry-After, else a backoff that
/// grows with its 429 streak.
fn cool_key(health: &routing::ProviderHealth, at: usize, now: u64, failure: &UpstreamFailure) {
    let strikes = health.keys.strike(at);
    let wait = (failure.retry_after.as_ref())
        .and_then(|value| value.to_str().ok())
        .and_then(|value| routing::retry_after(value, std::time::SystemTime::now()))
        .unwrap_or_else(|| routing::backoff(Duration::from_secs(1), strikes, KEY_COOL_CAP))
        .min(KEY_COOL_CAP);
    let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
    health.keys.cool(at, now.saturating_add(wait_ms));
}

/// A key resting after a 429 is tried again after at most this long.
const KEY_COOL_CAP: Duration = Duration::from_secs(3600);

/// Once per key and config: the user has to replace it.
fn report_invalid(provider: &Provider, at: usize, status: u16) {
    let tail = (provider.key.keys().get(at)).map_or_else(String::new, Secret::masked);
    tracing::warn!(
        "provider `{}`: key #{} ({tail}) was refused with {status}; it is not used again until the gateway restarts with a new config",
        provider.id,
        at + 1
    );
}

fn circuit_open(provider: &Provider, retry_in_ms: u64) -> ProxyError {
    let retry_in = Duration::from_millis(retry_in_ms);
    ProxyError::CircuitOpen {
        providers: format!("`{}` (retried in {}s)", provider.id, secs_up(retry_in)),
        retry_in,
    }
}

/// Whole seconds, rounded up (a client told 0 would retry at once).
fn secs_up(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis().div_ceil(1000))
        .unwrap_or(u64::MAX)
        .max(1)
}

fn answer_failure(mut record: RequestRecord, relay: &Relay<'_>, failure: Failure) -> Response {
    let provider = relay.request.provider;
    record.settle_on(provider.id.as_str());
    match failure {
        Failure::Status(failure) => relay::upstream_error(record, relay.answer, provider, failure),
        Failure::Error(err) => fail(record, relay.answer.client(), &err),
    }
}

/// No target was attempted: all circuits open (a 503 naming them), or the
/// last reason a target was skipped.
fn answer_skipped(
    mut record: RequestRecord,
    client: switchyard_protocol::Format,
    skipped: Vec<ProxyError>,
) -> Response {
    let mut names = Vec::new();
    let mut soonest = Duration::MAX;
    let mut other = None;
    for err in skipped {
        match err {
            ProxyError::CircuitOpen {
                providers,
                retry_in,
            } => {
                names.push(providers);
                soonest = soonest.min(retry_in);
            }
            err => other = Some(err),
        }
    }
    let err = match other {
        Some(err) if names.is_empty() => err,
        _ => ProxyError::CircuitOpen {
            providers: names.join(", "),
            retry_in: soonest,
        },
    };
    let api_error = err.to_api_error();
    record.set_status(api_error.status);
    let retry =
        matches!(err, ProxyError::CircuitOpen { .. }).then(|| HeaderValue::from(secs_up(soonest)));
    record.set_error_kind(err.kind());
    let response = error_response_with_retry(client, &api_error, retry);
    relay::finish(
        record,
        response,
        crate::usage::Outcome::Error,
        Default::default(),
        Some(err.to_string()),
    )
}
