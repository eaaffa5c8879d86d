//! Budget periods and running totals (issue 12 §3).

use std::sync::Arc;
use std::time::Duration;

use super::budget::{Budgets, period_bounds};
use super::store::tests::TempDir;
use super::store::{SqliteStore, UsageStore};
use super::*;
use crate::config::{Budget, BudgetLimit, BudgetPeriod};

const DAY_MS: i64 = 86_400_000;
/// 2026-12-15T10:00:00Z
const DEC_15_10H: i64 = 1_797_328_800_000;
/// 2026-12-01T00:00:00Z
const DEC_1: i64 = 1_796_083_200_000;
/// 2027-01-01T00:00:00Z
const JAN_1: i64 = 1_798_761_600_000;

fn budget(limit: BudgetLimit, provider: Option<&str>) -> Budget {
    Budget {
        name: "daily".into(),
        period: BudgetPeriod::Day,
        limit,
        provider: provider.map(str::to_owned),
        warn_at: 0.8,
    }
}

fn row(provider: &str, cost: Option<f64>, tokens: u64) -> RequestRow {
    RequestRow {
        provider: provider.into(),
        cost_usd: cost,
        input_tokens: tokens,
        cache_read_tokens: tokens,
        ..RequestRow::default()
    }
}

#[test]
fn issue_12_periods_are_utc_days_and_calendar_months() {
    let day = period_bounds(BudgetPeriod::Day, DEC_15_10H);
    assert_eq!(
        day,
        (DEC_15_10H - 10 * 3_600_000, DEC_15_10H + 14 * 3_600_000)
    );
    assert_eq!(
        period_bounds(BudgetPeriod::Month, DEC_15_10H),
        (DEC_1, JAN_1)
    );
    assert_eq!(period_bounds(BudgetPeriod::Month, DEC_1), (DEC_1, JAN_1));
    assert_eq!(
        period_bounds(BudgetPeriod::Month, JAN_1 - 1),
        (DEC_1, JAN_1)
    );
    // 2028 is a leap year: February has 29 days.
    let feb_2028 = 1_832_976_000_000;
    let (start, end) = period_bounds(BudgetPeriod::Month, feb_2028 + 5 * DAY_MS);
    assert_eq!((start, (end - start) / DAY_MS), (feb_2028, 29));
    assert_eq!(period_bounds(BudgetPeriod::Month, 0), (0, 31 * DAY_MS));
}

#[test]
fn issue_12_a_budget_warns_at_80_percent_refuses_at_100_and_resets() {
    let budgets = Budgets::new(&[budget(BudgetLimit::Usd(1.0), None)], DEC_15_10H);
    assert!(budgets.add(&row("a", Some(0.5), 1), DEC_15_10H).is_empty());
    let warning = budgets.add(&row("b", Some(0.35), 1), DEC_15_10H);
    assert_eq!(warning.len(), 1);
    assert_eq!(warning[0].level, "warning");
    assert_eq!(warning[0].resets_at, "2026-12-16T00:00:00Z");
    assert_eq!(budgets.check("a", DEC_15_10H), None);
    // Unknown costs do not count against a dollar budget.
    assert!(
        budgets
            .add(&row("a", None, 1_000_000), DEC_15_10H)
            .is_empty()
    );
    let exhausted = budgets.add(&row("a", Some(0.2), 1), DEC_15_10H);
    assert_eq!(exhausted[0].level, "exhausted");
    let refusal = budgets.check("c", DEC_15_10H).unwrap();
    assert_eq!(refusal.retry_after, Duration::from_secs(14 * 3600));
    assert_eq!(
        refusal.to_string(),
        "budget `daily` is used up ($1.05 of $1.00); requests are refused until it resets at 2026-12-16T00:00:00Z, or raise it in the config"
    );
    // Said once a period.
    assert!(budgets.add(&row("a", Some(0.2), 1), DEC_15_10H).is_empty());
    let tomorrow = DEC_15_10H + DAY_MS;
    assert_eq!(budgets.check("a", tomorrow), None);
}

#[test]
fn issue_12_provider_and_token_budgets_count_only_what_they_cover() {
    let budgets = Budgets::new(&[budget(BudgetLimit::Tokens(100), Some("a"))], DEC_15_10H);
    budgets.add(&row("b", Some(9.0), 1000), DEC_15_10H);
    assert_eq!(budgets.check("a", DEC_15_10H), None);
    // Cache tokens count: 30 input + 30 cache read.
    budgets.add(&row("a", None, 30), DEC_15_10H);
    assert_eq!(budgets.check("a", DEC_15_10H), None);
    budgets.add(&row("a", None, 20), DEC_15_10H);
    assert!(budgets.check("a", DEC_15_10H).is_some());
    assert_eq!(budgets.check("b", DEC_15_10H), None);
}

#[test]
fn issue_12_budgets_are_seeded_from_the_store_at_start() {
    let dir = TempDir::new("budget-seed");
    let mut store = SqliteStore::open(&dir.db()).unwrap();
    let now = budget::now_ms();
    let today = |cost| {
        Arc::new(RequestRow {
            ts_ms: now,
            ..row("a", Some(cost), 1)
        })
    };
    let old = Arc::new(RequestRow {
        ts_ms: now - 2 * DAY_MS,
        ..row("a", Some(50.0), 1)
    });
    store.insert(&[today(0.6), today(0.5), old]).unwrap();
    let budgets = Budgets::new(&[budget(BudgetLimit::Usd(1.0), None)], now);
    let notices = budgets.seed(&store).unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].level, "exhausted");
    assert!((notices[0].spent - 1.1).abs() < 1e-12, "{notices:?}");
    assert!(budgets.check("a", now).is_some());
}
