use std::time::{Duration, SystemTime};

use proptest::prelude::*;

use super::*;
use crate::config::{BreakerSettings, KeyStrategy};

fn breaker(failures: u32, cooldown_ms: u64) -> Breaker {
    Breaker::new(BreakerSettings {
        failures,
        cooldown: Duration::from_millis(cooldown_ms),
    })
}

#[test]
fn issue_10_breaker_opens_probes_once_and_closes() {
    let breaker = breaker(2, 1000);
    assert_eq!(breaker.admit(10), Admit::Closed);
    assert!(!breaker.failure(10));
    assert!(breaker.failure(20), "the second failure in a row opens it");
    assert_eq!(breaker.admit(500), Admit::Open { retry_in_ms: 520 });
    assert_eq!(
        breaker.admit(1020),
        Admit::Probe,
        "half-open after the cool-down"
    );
    assert!(
        matches!(breaker.admit(1021), Admit::Open { .. }),
        "one probe at a time"
    );
    breaker.success();
    assert_eq!(breaker.admit(1022), Admit::Closed);
}

#[test]
fn issue_10_failed_probe_opens_again_and_lost_probe_expires() {
    let breaker = breaker(1, 100);
    breaker.failure(0);
    assert_eq!(breaker.admit(100), Admit::Probe);
    assert!(
        !breaker.failure(105),
        "a failed probe reopens, not a new opening"
    );
    assert_eq!(breaker.admit(150), Admit::Open { retry_in_ms: 55 });
    assert_eq!(breaker.admit(205), Admit::Probe);
    // The probe's client went away: after another cool-down, a new probe.
    assert!(matches!(breaker.admit(250), Admit::Open { .. }));
    assert_eq!(breaker.admit(305), Admit::Probe);
}

#[test]
fn issue_10_success_resets_the_count() {
    let breaker = breaker(2, 100);
    breaker.failure(0);
    breaker.success();
    assert!(!breaker.failure(1), "not consecutive");
    assert_eq!(breaker.admit(2), Admit::Closed);
}

#[test]
fn issue_10_keys_skip_cooling_tried_and_invalid() {
    let pool = KeyPool::new(3, KeyStrategy::FillFirst);
    assert_eq!(pool.pick(1, 0, None), Pick::Key(0));
    pool.cool(0, 100);
    assert_eq!(pool.pick(50, 0, None), Pick::Key(1));
    assert_eq!(pool.pick(50, key_bit(1), None), Pick::Key(2));
    assert!(pool.invalidate(2));
    assert!(!pool.invalidate(2), "reported once");
    assert_eq!(pool.pick(50, key_bit(1), None), Pick::Cooling(0));
    assert_eq!(pool.pick(100, 0, None), Pick::Key(0), "cooled down");
    assert_eq!(
        pool.pick(100, key_bit(0) | key_bit(1), None),
        Pick::Refused(2)
    );
    assert_eq!(
        pool.pick(100, key_bit(0) | key_bit(1) | key_bit(2), None),
        Pick::Exhausted
    );
    assert_eq!(
        pool.pick(100, 0, Some(1)),
        Pick::Key(1),
        "affinity wins while healthy"
    );
}

#[test]
fn issue_10_retry_after_seconds_and_http_date() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    assert_eq!(retry_after(" 7 ", now), Some(Duration::from_secs(7)));
    let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
    assert_eq!(retry_after(&later, now), Some(Duration::from_secs(30)));
    assert_eq!(retry_after("soon", now), None);
}

#[test]
fn issue_10_backoff_is_jittered_exponential_and_capped() {
    let base = Duration::from_millis(100);
    for n in 1..6 {
        let wait = backoff(base, n, Duration::from_secs(1));
        let exp = (base * 2_u32.pow(n - 1)).min(Duration::from_secs(1));
        assert!(wait >= exp / 2 && wait <= exp * 3 / 2, "{n}: {wait:?}");
    }
}

proptest! {
    #[test]
    fn issue_10_round_robin_spreads_evenly(keys in 1_usize..12, rounds in 1_usize..20) {
        let pool = KeyPool::new(keys, KeyStrategy::RoundRobin);
        let mut counts = vec![0_usize; keys];
        for _ in 0..keys * rounds {
            match pool.pick(1, 0, None) {
                Pick::Key(at) => counts[at] += 1,
                other => prop_assert!(false, "{other:?}"),
            }
        }
        prop_assert!(counts.iter().all(|&count| count == rounds), "{counts:?}");
    }

    #[test]
    fn issue_10_round_robin_skips_unhealthy_keys_evenly(keys in 2_usize..12, bad in 0_usize..12) {
        let bad = bad % keys;
        let pool = KeyPool::new(keys, KeyStrategy::RoundRobin);
        pool.invalidate(bad);
        let mut counts = vec![0_usize; keys];
        for _ in 0..keys * 10 {
            if let Pick::Key(at) = pool.pick(1, 0, None) {
                counts[at] += 1;
            }
        }
        prop_assert_eq!(counts[bad], 0);
        let (min, max) = (counts.iter().enumerate().filter(|(at, _)| *at != bad))
            .fold((usize::MAX, 0), |(lo, hi), (_, &c)| (lo.min(c), hi.max(c)));
        // The invalid key's turns go to its successor: at most one extra share.
        prop_assert!(max <= 2 * min && min >= 10 - 1, "{counts:?}");
    }
}

#[test]
fn issue_10_sessions_come_from_header_cache_key_or_first_turn() {
    let none = http::HeaderMap::new();
    let mut claude = http::HeaderMap::new();
    claude.insert("x-claude-code-session-id", "s-1".parse().unwrap());
    assert_eq!(session_of(&claude, b"{}"), session_of(&claude, b"not json"));
    let codex = |turns: &str| format!(r#"{{"prompt_cache_key":"c-9","input":[{turns}]}}"#);
    assert_eq!(
        session_of(&none, codex("1").as_bytes()),
        session_of(&none, codex("1,2").as_bytes())
    );
    let chat = |turns: &str| format!(r#"{{"system":"be brief","messages":[{turns}]}}"#);
    let one = session_of(&none, chat(r#"{"role":"user","content":"hi"}"#).as_bytes());
    let later = session_of(
        &none,
        chat(r#"{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}"#).as_bytes(),
    );
    assert!(one.is_some());
    assert_eq!(one, later, "one conversation, one session");
    let other = session_of(&none, chat(r#"{"role":"user","content":"bye"}"#).as_bytes());
    assert_ne!(one, other);
    assert_eq!(session_of(&none, br#"{"model":"m"}"#), None);
}

#[test]
fn issue_10_affinity_remembers_per_provider() {
    let affinity = Affinity::default();
    assert_eq!(affinity.recall(42, 0), None);
    affinity.remember(42, 0, 3);
    assert_eq!(affinity.recall(42, 0), Some(3));
    assert_eq!(affinity.recall(42, 1), None, "another provider");
    assert_eq!(affinity.recall(43, 0), None, "another conversation");
}
