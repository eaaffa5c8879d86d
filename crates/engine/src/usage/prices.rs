//! What a request cost: rates per model from the config's `[[prices]]`, then
//! from whatever [`PriceTable`] backs them (the provider catalog). A rate
//! that is not known makes the cost unknown, never $0.

use std::sync::Arc;

use switchyard_protocol::ir::Usage;

use crate::config::PriceOverride;

/// USD per million tokens; `None` is unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ModelPrices {
    /// Uncached input.
    pub input: Option<f64>,
    pub output: Option<f64>,
    pub cache_read: Option<f64>,
    pub cache_write: Option<f64>,
    /// Reasoning tokens where priced apart; `None`: at the output rate.
    pub reasoning: Option<f64>,
}

impl ModelPrices {
    /// `None` if any kind of token the request used has no known rate.
    /// `usage.output_tokens` includes the reasoning tokens.
    pub fn cost_usd(&self, usage: &Usage) -> Option<f64> {
        let reasoning = usage.reasoning_tokens.min(usage.output_tokens);
        let charges = [
            (usage.input_tokens, self.input),
            (usage.output_tokens - reasoning, self.output),
            (reasoning, self.reasoning.or(self.output)),
            (usage.cache_read_tokens, self.cache_read),
            (usage.cache_write_tokens, self.cache_write),
        ];
        charges
            .into_iter()
            .filter(|(tokens, _)| *tokens > 0)
            .try_fold(0.0, |sum, (tokens, rate)| {
                Some(sum + tokens as f64 * rate? / 1_000_000.0)
            })
    }
}

/// Where a request's rates came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceSource {
    /// A `[[prices]]` entry of the config.
    Config,
    /// The provider catalog.
    Catalog,
}

impl PriceSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Config => "config",
            Self::Catalog => "catalog",
        }
    }
}

/// A known cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Priced {
    pub usd: f64,
    /// `None` when nothing needed pricing (no tokens).
    pub source: Option<PriceSource>,
}

/// Prices requests by provider id and upstream model.
pub trait PriceTable: Send + Sync {
    /// `None`: unknown.
    fn cost(&self, provider: &str, model: &str, usage: &Usage) -> Option<Priced>;
}

/// The config's `[[prices]]`, first match wins; then `fallback`.
pub struct ConfigPrices {
    overrides: Vec<PriceOverride>,
    fallback: Option<Arc<dyn PriceTable>>,
}

impl ConfigPrices {
    pub fn new(overrides: Vec<PriceOverride>, fallback: Option<Arc<dyn PriceTable>>) -> Self {
        Self {
            overrides,
            fallback,
        }
    }
}

impl PriceTable for ConfigPrices {
    fn cost(&self, provider: &str, model: &str, usage: &Usage) -> Option<Priced> {
        let found = self.overrides.iter().find(|entry| {
            entry.model.matches(model) && entry.provider.as_deref().is_none_or(|id| id == provider)
        });
        match found {
            Some(entry) => Some(Priced {
                usd: entry.prices.cost_usd(usage)?,
                source: Some(PriceSource::Config),
            }),
            None => self.fallback.as_ref()?.cost(provider, model, usage),
        }
    }
}

/// A request that used no tokens cost nothing, whatever its rates.
pub(super) fn price(
    table: &dyn PriceTable,
    provider: &str,
    model: &str,
    usage: &Usage,
) -> Option<Priced> {
    if *usage == Usage::default() {
        return Some(Priced {
            usd: 0.0,
            source: None,
        });
    }
    table.cost(provider, model, usage)
}
