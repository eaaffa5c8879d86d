//! [`Breaker`]: a provider's circuit, in three atomics.
//!
//! Closed: requests pass, consecutive failures are counted. Open (after
//! `failures` of them): requests skip the provider until the cool-down
//! ends. Half-open: one request probes; success closes the circuit, failure
//! opens it again for another cool-down.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::config::BreakerSettings;

pub struct Breaker {
    threshold: u32,
    cooldown_ms: u64,
    failures: AtomicU32,
    /// 0: closed; else the time (ms, [`super::Health::now_ms`]) it may be probed.
    open_until: AtomicU64,
    /// 0: no probe out; else when one was let through. A probe whose request
    /// vanished (client gone) expires after a cool-down.
    probe_since: AtomicU64,
}

/// May a request go to the provider?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    Closed,
    /// Half-open: this request is the one probe.
    Probe,
    /// Skip it; it may be probed again in this many ms.
    Open {
        retry_in_ms: u64,
    },
}

/// What the circuit is doing, for status (not the request path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Circuit {
    /// Passing requests; this many failed in a row.
    Closed { failures: u32 },
    /// Skipping the provider for this many ms more.
    Open { retry_in_ms: u64 },
    /// The cool-down is over: the next request probes it.
    HalfOpen,
}

impl Breaker {
    pub fn circuit(&self, now: u64) -> Circuit {
        match self.open_until.load(Ordering::Acquire) {
            0 => Circuit::Closed {
                failures: self.failures.load(Ordering::Relaxed),
            },
            until if now < until => Circuit::Open {
                retry_in_ms: until - now,
            },
            _ => Circuit::HalfOpen,
        }
    }

    pub fn new(settings: BreakerSettings) -> Self {
        Self {
            threshold: settings.failures.max(1),
            cooldown_ms: u64::try_from(settings.cooldown.as_millis()).unwrap_or(u64::MAX),
            failures: AtomicU32::new(0),
            open_until: AtomicU64::new(0),
            probe_since: AtomicU64::new(0),
        }
    }

    pub fn admit(&self, now: u64) -> Admit {
        let until = self.open_until.load(Ordering::Acquire);
        if until == 0 {
            return Admit::Closed;
        }
        if now < until {
            return Admit::Open {
                retry_in_ms: until - now,
            };
        }
        let since = self.probe_since.load(Ordering::Acquire);
        let free = since == 0 || now.saturating_sub(since) >= self.cooldown_ms;
        let taken = free
            && (self.probe_since)
                .compare_exchange(since, now, Ordering::AcqRel, Ordering::Acquire)
                .is_ok();
        if taken {
            Admit::Probe
        } else {
            Admit::Open {
                retry_in_ms: (since + self.cooldown_ms).saturating_sub(now),
            }
        }
    }

    /// The provider answered: the circuit closes. Stores only on a change,
    /// so the healthy path does not bounce the cache line between cores.
    pub fn success(&self) {
        if self.failures.load(Ordering::Relaxed) != 0 {
            self.failures.store(0, Ordering::Relaxed);
        }
        if self.open_until.load(Ordering::Relaxed) != 0 {
            self.open_until.store(0, Ordering::Release);
            self.probe_since.store(0, Ordering::Release);
        }
    }

    /// A connection failure, timeout, 5xx or 529. Returns whether this opened it.
    pub fn failure(&self, now: u64) -> bool {
        let failures = self
            .failures
            .fetch_add(1, Ordering::AcqRel)
            .saturating_add(1);
        let probing = self.open_until.load(Ordering::Acquire) != 0;
        if failures < self.threshold && !probing {
            return false;
        }
        self.open_until
            .store(now.saturating_add(self.cooldown_ms), Ordering::Release);
        self.probe_since.store(0, Ordering::Release);
        !probing
    }
}
