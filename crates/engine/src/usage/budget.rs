//! Budgets: running totals per period kept in memory (seeded from the
//! store at start, so no request costs a query), checked before a request
//! goes upstream; a warning at `warn_at` and another when used up, once per
//! period each.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::store::{GroupBy, Query, RequestRow, StoreError, Totals, UsageStore};
use crate::config::{Budget, BudgetLimit, BudgetPeriod};

const DAY_MS: i64 = 86_400_000;

/// A budget crossed its warning line or ran out (logged and broadcast).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetNotice {
    pub budget: String,
    /// `warning` or `exhausted`.
    pub level: String,
    /// `usd` or `tokens`.
    pub unit: String,
    pub spent: f64,
    pub limit: f64,
    /// RFC 3339, when the period ends.
    pub resets_at: String,
}

impl fmt::Display for BudgetNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let percent = 100.0 * self.spent / self.limit;
        write!(
            f,
            "budget `{}`: {percent:.0}% used ({} of {}); it resets at {}",
            self.budget,
            amount(&self.unit, self.spent),
            amount(&self.unit, self.limit),
            self.resets_at
        )
    }
}

/// Why a request is refused: a budget it counts against is used up.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetRefusal {
    pub notice: BudgetNotice,
    pub retry_after: Duration,
}

impl std::error::Error for BudgetRefusal {}

impl fmt::Display for BudgetRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let notice = &self.notice;
        write!(
            f,
            "budget `{}` is used up ({} of {}); requests are refused until it resets at {}, or raise it in the config",
            notice.budget,
            amount(&notice.unit, notice.spent),
            amount(&notice.unit, notice.limit),
            notice.resets_at
        )
    }
}

fn amount(unit: &str, value: f64) -> String {
    match unit {
        "usd" => format!("${value:.2}"),
        _ => format!("{value:.0} tokens"),
    }
}

pub struct Budgets {
    states: Mutex<Vec<State>>,
}

struct State {
    budget: Budget,
    start_ms: i64,
    end_ms: i64,
    spent: f64,
    warned: bool,
    exhausted: bool,
}

impl State {
    fn new(budget: Budget, now_ms: i64) -> Self {
        let (start_ms, end_ms) = period_bounds(budget.period, now_ms);
        Self {
            budget,
            start_ms,
            end_ms,
            spent: 0.0,
            warned: false,
            exhausted: false,
        }
    }

    /// A new period starts from nothing.
    fn roll(&mut self, now_ms: i64) {
        if now_ms >= self.end_ms {
            *self = Self::new(self.budget.clone(), now_ms);
        }
    }

    fn counts(&self, provider: &str) -> bool {
        self.budget
            .provider
            .as_deref()
            .is_none_or(|id| id == provider)
    }

    fn limit(&self) -> (f64, &'static str) {
        match self.budget.limit {
            BudgetLimit::Usd(usd) => (usd, "usd"),
            BudgetLimit::Tokens(tokens) => (tokens as f64, "tokens"),
        }
    }

    fn add(&mut self, cost_usd: Option<f64>, tokens: u64) {
        self.spent += match self.budget.limit {
            BudgetLimit::Usd(_) => cost_usd.unwrap_or(0.0),
            BudgetLimit::Tokens(_) => tokens as f64,
        };
    }

    fn notice(&self, level: &str) -> BudgetNotice {
        let (limit, unit) = self.limit();
        BudgetNotice {
            budget: self.budget.name.clone(),
            level: level.to_owned(),
            unit: unit.to_owned(),
            spent: self.spent,
            limit,
            resets_at: rfc3339(self.end_ms),
        }
    }

    /// The notice for a line just crossed, if any.
    fn crossed(&mut self) -> Option<BudgetNotice> {
        let (limit, _) = self.limit();
        if !self.exhausted && self.spent >= limit {
            self.exhausted = true;
            self.warned = true;
            return Some(self.notice("exhausted"));
        }
        if !self.warned && self.spent >= limit * self.budget.warn_at {
            self.warned = true;
            return Some(self.notice("warning"));
        }
        None
    }
}

impl Budgets {
    pub fn new(budgets: &[Budget], now_ms: i64) -> Self {
        let states = budgets
            .iter()
            .map(|budget| State::new(budget.clone(), now_ms))
            .collect();
        Self {
            states: Mutex::new(states),
        }
    }

    /// Totals so far in each budget's period, from the store (once, at start).
    pub fn seed(&self, store: &dyn UsageStore) -> Result<Vec<BudgetNotice>, StoreError> {
        let mut states = self.lock();
        let mut notices = Vec::new();
        for state in states.iter_mut() {
            let query = Query {
                since_ms: Some(state.start_ms),
                by: Some(GroupBy::Provider),
            };
            let report = store.report(&query)?;
            let totals = match &state.budget.provider {
                None => Some(&report.totals),
                Some(id) => report
                    .groups
                    .iter()
                    .find(|g| &g.key == id)
                    .map(|g| &g.totals),
            };
            if let Some(totals) = totals {
                state.add(totals.cost_usd, token_total(totals));
            }
            notices.extend(state.crossed());
        }
        Ok(notices)
    }

    /// `Some` when a budget `provider`'s requests count against is used up.
    pub fn check(&self, provider: &str, now_ms: i64) -> Option<BudgetRefusal> {
        let mut states = self.lock();
        for state in states.iter_mut() {
            state.roll(now_ms);
        }
        let state = states
            .iter()
            .find(|state| state.counts(provider) && state.spent >= state.limit().0)?;
        let until_end = (state.end_ms - now_ms).max(0).unsigned_abs();
        Some(BudgetRefusal {
            notice: state.notice("exhausted"),
            retry_after: Duration::from_millis(until_end),
        })
    }

    /// Counts a finished request; returns the lines it crossed.
    pub fn add(&self, row: &RequestRow, now_ms: i64) -> Vec<BudgetNotice> {
        let tokens =
            row.input_tokens + row.output_tokens + row.cache_read_tokens + row.cache_write_tokens;
        let mut states = self.lock();
        let mut notices = Vec::new();
        for state in states.iter_mut() {
            state.roll(now_ms);
            if state.counts(&row.provider) {
                state.add(row.cost_usd, tokens);
                notices.extend(state.crossed());
            }
        }
        notices
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<State>> {
        self.states
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn token_total(totals: &Totals) -> u64 {
    totals.input_tokens
        + totals.output_tokens
        + totals.cache_read_tokens
        + totals.cache_write_tokens
}

pub fn now_ms() -> i64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// The UTC day or month holding `now_ms`, as unix milliseconds [start, end).
pub fn period_bounds(period: BudgetPeriod, now_ms: i64) -> (i64, i64) {
    let day = now_ms.div_euclid(DAY_MS);
    match period {
        BudgetPeriod::Day => (day * DAY_MS, (day + 1) * DAY_MS),
        BudgetPeriod::Month => {
            let (year, month) = year_month(day);
            let (next_year, next_month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
            (
                first_of_month(year, month) * DAY_MS,
                first_of_month(next_year, next_month) * DAY_MS,
            )
        }
    }
}

/// The civil year and month of a day number (days since 1970-01-01), by
/// counting in 400-year eras of 146,097 days that start on 1 March.
fn year_month(day: i64) -> (i64, i64) {
    let shifted = day + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month)
}

/// The day number of the first of `month` in `year`.
fn first_of_month(year: i64, month: i64) -> i64 {
    let year = year - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_from_march + 2) / 5;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn rfc3339(ms: i64) -> String {
    let at = UNIX_EPOCH + Duration::from_millis(ms.max(0).unsigned_abs());
    humantime::format_rfc3339_seconds(at).to_string()
}
