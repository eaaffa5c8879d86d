//! `[[budgets]]`: daily or monthly limits, in dollars or tokens, for every
//! provider or one.

use std::sync::Arc;

use toml::Spanned;

use super::Provider;
use super::error::{ConfigError, Source};
use super::raw::{BudgetPeriod, RawBudget};

const DEFAULT_WARN_AT: f64 = 0.8;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BudgetLimit {
    /// Known costs only: a request of unknown price does not count.
    Usd(f64),
    /// Input, output and cache tokens.
    Tokens(u64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub name: String,
    pub period: BudgetPeriod,
    pub limit: BudgetLimit,
    /// `None`: every provider's requests count.
    pub provider: Option<String>,
    /// At this fraction of the limit a warning goes out (once a period).
    pub warn_at: f64,
}

pub(super) fn budgets(
    raw: Vec<RawBudget>,
    providers: &[Arc<Provider>],
    src: &Source<'_>,
) -> Result<Vec<Budget>, ConfigError> {
    (raw.into_iter().enumerate())
        .map(|(index, entry)| budget(index, entry, providers, src))
        .collect()
}

fn budget(
    index: usize,
    raw: RawBudget,
    providers: &[Arc<Provider>],
    src: &Source<'_>,
) -> Result<Budget, ConfigError> {
    let field = |name: &str| format!("budgets[{index}].{name}");
    let limit = match (&raw.usd, &raw.tokens) {
        (Some(usd), None) if usd.get_ref().is_finite() && *usd.get_ref() > 0.0 => {
            BudgetLimit::Usd(*usd.get_ref())
        }
        (None, Some(tokens)) if *tokens.get_ref() > 0 => BudgetLimit::Tokens(*tokens.get_ref()),
        (Some(usd), None) => {
            let message = format!("`{}` is not a positive amount", usd.get_ref());
            return Err(src.at(usd, field("usd"), message, "e.g. usd = 5.0"));
        }
        (None, Some(tokens)) => {
            let hint = "e.g. tokens = 2000000";
            return Err(src.at(tokens, field("tokens"), "the limit is 0", hint));
        }
        _ => {
            let hint = "give exactly one of usd = … (dollars) or tokens = … per budget";
            let message = "a budget needs one limit";
            return Err(src.at(&raw.period, field("period"), message, hint));
        }
    };
    super::validate::known_provider(raw.provider.as_ref(), field("provider"), providers, src)?;
    let warn_at = match &raw.warn_at {
        Some(value) if *value.get_ref() > 0.0 && *value.get_ref() <= 1.0 => *value.get_ref(),
        Some(value) => {
            let hint = "a fraction of the limit, e.g. warn_at = 0.8";
            let message = format!("`{}` is not between 0 and 1", value.get_ref());
            return Err(src.at(value, field("warn_at"), message, hint));
        }
        None => DEFAULT_WARN_AT,
    };
    let period = *raw.period.get_ref();
    let provider = raw.provider.map(Spanned::into_inner);
    let name = match raw.name {
        Some(name) => name.into_inner(),
        None => default_name(period, limit, provider.as_deref()),
    };
    Ok(Budget {
        name,
        period,
        limit,
        provider,
        warn_at,
    })
}

/// `daily $5.00`, `monthly 2000000 tokens on deepseek`.
fn default_name(period: BudgetPeriod, limit: BudgetLimit, provider: Option<&str>) -> String {
    let period = match period {
        BudgetPeriod::Day => "daily",
        BudgetPeriod::Month => "monthly",
    };
    let limit = match limit {
        BudgetLimit::Usd(usd) => format!("${usd:.2}"),
        BudgetLimit::Tokens(tokens) => format!("{tokens} tokens"),
    };
    match provider {
        Some(provider) => format!("{period} {limit} on {provider}"),
        None => format!("{period} {limit}"),
    }
}
