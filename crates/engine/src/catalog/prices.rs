//! Prices per million tokens and the cost of one request.

use serde::{Deserialize, Serialize};

/// The token counts of one request, as the gateway records them for every
/// format: `input_tokens` excludes cache reads and writes (Anthropic's
/// `input_tokens` already does; OpenAI's `prompt_tokens` and Gemini's
/// `promptTokenCount` include cached tokens, and the decoders subtract them),
/// and `output_tokens` includes `reasoning_tokens` (OpenAI's
/// `completion_tokens` does; Gemini's thoughts are added in).
pub use switchyard_protocol::ir::Usage as TokenUsage;

/// USD per million tokens; `None` is unknown, never free.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    /// Uncached input.
    #[serde(default)]
    pub input: Option<f64>,
    #[serde(default)]
    pub output: Option<f64>,
    #[serde(default)]
    pub cache_read: Option<f64>,
    /// Writing the prompt cache (Anthropic's 5-minute cache).
    #[serde(default)]
    pub cache_write: Option<f64>,
    /// Reasoning tokens, where the source prices them apart; `None`: as output.
    #[serde(default)]
    pub reasoning: Option<f64>,
    /// Dearer rates for long prompts, by ascending threshold.
    #[serde(default)]
    pub tiers: Vec<PriceTier>,
}

/// The rates of a request whose prompt (cached tokens included) is longer
/// than `above_input_tokens`; a rate `prices` lacks keeps the base rate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTier {
    pub above_input_tokens: u64,
    /// Its own `tiers` stay empty.
    pub prices: Prices,
}

impl Prices {
    /// Whether anything is priced at all.
    pub fn is_known(&self) -> bool {
        self.rates().iter().any(Option::is_some)
    }

    /// The request's cost in USD, or `None` when a rate it needs is unknown:
    /// input and output always, cache rates only when cache tokens were used.
    pub fn cost_usd(&self, usage: &TokenUsage) -> Option<f64> {
        let rates = self.rates_for(usage.total_input());
        let (input_rate, output_rate) = (rates.input?, rates.output?);
        let reasoning = usage.reasoning_tokens.min(usage.output_tokens);
        let parts = [
            (usage.input_tokens, Some(input_rate)),
            (usage.output_tokens - reasoning, Some(output_rate)),
            (reasoning, Some(rates.reasoning.unwrap_or(output_rate))),
            (usage.cache_read_tokens, rates.cache_read),
            (usage.cache_write_tokens, rates.cache_write),
        ];
        let mut per_million = 0.0;
        for (tokens, rate) in parts {
            if tokens > 0 {
                per_million += tokens as f64 * rate?;
            }
        }
        Some(per_million / 1_000_000.0)
    }

    /// The base rates, overlaid with the dearest tier the prompt exceeds.
    fn rates_for(&self, prompt_tokens: u64) -> Prices {
        let tier = self
            .tiers
            .iter()
            .filter(|tier| prompt_tokens > tier.above_input_tokens)
            .max_by_key(|tier| tier.above_input_tokens);
        let over = tier.map(|tier| &tier.prices);
        let pick = |rate: fn(&Prices) -> Option<f64>| over.and_then(rate).or(rate(self));
        Prices {
            input: pick(|p| p.input),
            output: pick(|p| p.output),
            cache_read: pick(|p| p.cache_read),
            cache_write: pick(|p| p.cache_write),
            reasoning: pick(|p| p.reasoning),
            tiers: Vec::new(),
        }
    }

    /// Every rate, the tiers' included, for validation.
    pub(super) fn rates(&self) -> Vec<Option<f64>> {
        let own = [
            self.input,
            self.output,
            self.cache_read,
            self.cache_write,
            self.reasoning,
        ];
        let tiers = self.tiers.iter().flat_map(|tier| tier.prices.rates());
        own.into_iter().chain(tiers).collect()
    }
}
