//! Runtime health of providers, held in the server state: a circuit breaker
//! and a key pool per provider, indexed like `Config::providers`. Everything
//! on the request path is an atomic load or increment.

mod affinity;
mod breaker;
pub mod intent;
mod keys;
pub mod scenario;

#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

pub use affinity::{Affinity, session_of};
pub use breaker::{Admit, Breaker, Circuit};
pub use keys::{KeyPool, Pick, bit as key_bit};

use crate::config::{Config, Provider};

/// Breakers and key pools of every provider.
pub struct Health {
    epoch: Instant,
    providers: Box<[ProviderHealth]>,
    /// Which key each recent conversation used, per provider.
    pub affinity: Affinity,
    /// Which intent scene each recent conversation turn was given.
    pub intents: Affinity,
}

pub struct ProviderHealth {
    pub breaker: Breaker,
    pub keys: KeyPool,
}

impl Health {
    pub fn new(config: &Config) -> Self {
        let providers = (config.providers.iter())
            .map(|provider| ProviderHealth::new(provider))
            .collect();
        Self {
            epoch: Instant::now(),
            providers,
            affinity: Affinity::default(),
            intents: Affinity::default(),
        }
    }

    /// The provider's state (`None` only for a provider of another config).
    pub fn of(&self, provider: &Provider) -> Option<&ProviderHealth> {
        self.providers.get(provider.index)
    }

    /// Some provider of the route holds several keys: only then does the
    /// conversation matter (working it out reads the body once more).
    pub fn wants_session(&self, providers: impl IntoIterator<Item = usize>) -> bool {
        (providers.into_iter()).any(|at| self.providers.get(at).is_some_and(|p| p.keys.len() > 1))
    }

    /// Milliseconds since start, never 0 (0 means "not set" in the atomics).
    pub fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX) + 1
    }
}

impl ProviderHealth {
    fn new(provider: &Provider) -> Self {
        Self {
            breaker: Breaker::new(provider.breaker),
            keys: KeyPool::new(provider.key.keys().len(), provider.key_strategy),
        }
    }
}

/// `base · 2^(n-1)` with ±50 % jitter, capped at `cap`: spreads clients that
/// failed together so they do not retry together.
pub fn backoff(base: Duration, n: u32, cap: Duration) -> Duration {
    let exp = base
        .saturating_mul(1 << n.saturating_sub(1).min(16))
        .min(cap);
    let mut seed = [0_u8; 8];
    // Without randomness the wait is still bounded; only the spread is lost.
    let random = getrandom::fill(&mut seed).map_or(u64::MAX / 2, |()| u64::from_le_bytes(seed));
    let fraction = (random >> 11) as f64 / (1_u64 << 53) as f64;
    exp.mul_f64(0.5 + fraction)
}

/// A `Retry-After` value: seconds, or an HTTP date.
pub fn retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}
