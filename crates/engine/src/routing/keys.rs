//! [`KeyPool`]: which of a provider's keys a request uses.
//!
//! A key answered 429 cools down (until `cool_until`); one answered 401/403
//! is invalid until the config is loaded again. Round robin is one atomic
//! increment per request; a single key costs nothing.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};

use crate::config::KeyStrategy;

pub struct KeyPool {
    strategy: KeyStrategy,
    next: AtomicUsize,
    keys: Box<[KeyHealth]>,
}

#[derive(Default)]
struct KeyHealth {
    /// 0: usable; else the time (ms, [`super::Health::now_ms`]) it is again.
    cool_until: AtomicU64,
    /// 429s in a row, for the backoff when no Retry-After came.
    strikes: AtomicU32,
    invalid: AtomicBool,
}

/// The key a request should use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// A healthy key not yet tried by this request.
    Key(usize),
    /// Every untried key cools down; this one is free soonest.
    Cooling(usize),
    /// Every untried key was refused (401/403); this is the first of them.
    Refused(usize),
    /// None left: every key is invalid or already tried.
    Exhausted,
}

impl KeyPool {
    pub fn new(count: usize, strategy: KeyStrategy) -> Self {
        Self {
            strategy,
            next: AtomicUsize::new(0),
            keys: (0..count).map(|_| KeyHealth::default()).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key for a request that already tried the keys in `tried` (a bit
    /// per key), preferring `preferred` (the conversation's key) when healthy.
    pub fn pick(&self, now: u64, tried: u64, preferred: Option<usize>) -> Pick {
        let count = self.keys.len();
        if let Some(at) = preferred.filter(|&at| at < count && self.usable(at, now, tried)) {
            return Pick::Key(at);
        }
        let start = match (self.strategy, count) {
            (_, 0 | 1) | (KeyStrategy::FillFirst, _) => 0,
            (KeyStrategy::RoundRobin, _) => self.next.fetch_add(1, Ordering::Relaxed) % count,
        };
        let (mut soonest, mut refused): (Option<(u64, usize)>, Option<usize>) = (None, None);
        for at in (start..count).chain(0..start) {
            if self.usable(at, now, tried) {
                return Pick::Key(at);
            }
            let key = &self.keys[at];
            if tried & bit(at) != 0 {
                continue;
            }
            if key.invalid.load(Ordering::Relaxed) {
                refused = refused.or(Some(at));
                continue;
            }
            let until = key.cool_until.load(Ordering::Relaxed);
            if soonest.is_none_or(|(best, _)| until < best) {
                soonest = Some((until, at));
            }
        }
        match (soonest, refused) {
            (Some((_, at)), _) => Pick::Cooling(at),
            (None, Some(at)) => Pick::Refused(at),
            (None, None) => Pick::Exhausted,
        }
    }

    fn usable(&self, at: usize, now: u64, tried: u64) -> bool {
        let key = &self.keys[at];
        tried & bit(at) == 0
            && !key.invalid.load(Ordering::Relaxed)
            && key.cool_until.load(Ordering::Relaxed) <= now
    }

    /// The key answered: its 429 streak ends (a store only if there was one).
    pub fn success(&self, at: usize) {
        if let Some(key) = self.keys.get(at)
            && key.strikes.load(Ordering::Relaxed) != 0
        {
            key.strikes.store(0, Ordering::Relaxed);
        }
    }

    /// A 429: the key rests until `now + wait`; returns its 429 streak so the
    /// caller can back off when the upstream gave no Retry-After.
    pub fn strike(&self, at: usize) -> u32 {
        self.keys.get(at).map_or(0, |key| {
            key.strikes
                .fetch_add(1, Ordering::Relaxed)
                .saturating_add(1)
        })
    }

    pub fn cool(&self, at: usize, until: u64) {
        if let Some(key) = self.keys.get(at) {
            key.cool_until.store(until, Ordering::Relaxed);
        }
    }

    /// Keys refused (401/403) and keys cooling down after a 429, for status.
    pub fn troubled(&self, now: u64) -> (usize, usize) {
        let invalid = (self.keys.iter()).filter(|key| key.invalid.load(Ordering::Relaxed));
        let cooling = (self.keys.iter()).filter(|key| key.cool_until.load(Ordering::Relaxed) > now);
        (invalid.count(), cooling.count())
    }

    /// A 401/403. Returns true the first time, so it is reported once.
    pub fn invalidate(&self, at: usize) -> bool {
        self.keys
            .get(at)
            .is_some_and(|key| !key.invalid.swap(true, Ordering::Relaxed))
    }
}

/// The key's bit in a request's `tried` mask (at most 64 keys, checked at load).
pub fn bit(at: usize) -> u64 {
    1_u64
        .checked_shl(u32::try_from(at).unwrap_or(u32::MAX))
        .unwrap_or(0)
}
