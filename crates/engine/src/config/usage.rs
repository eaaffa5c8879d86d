//! The usage settings: where the store lives, how much it keeps, and
//! `[[prices]]`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use toml::Spanned;

use super::error::{ConfigError, Source};
use super::raw::{RawConfig, RawPrice};
use super::{ModelGlob, Provider};
use crate::usage::ModelPrices;
use crate::usage::store::Retention;

const DEFAULT_RETENTION_DAYS: u32 = 365;
const DEFAULT_MAX_MB: u64 = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageConfig {
    /// `usage_db`, relative paths taken from the config file's directory;
    /// `None`: the platform data dir.
    pub db: Option<PathBuf>,
    /// `record_usage = false` keeps only the log line.
    pub record: bool,
    /// 0 keeps every request.
    pub retention_days: u32,
    /// 0: no limit.
    pub max_mb: u64,
}

impl UsageConfig {
    pub fn retention(&self) -> Retention {
        Retention {
            max_age: (self.retention_days > 0)
                .then(|| Duration::from_secs(u64::from(self.retention_days) * 86_400)),
            max_bytes: (self.max_mb > 0).then(|| self.max_mb.saturating_mul(1 << 20)),
        }
    }
}

/// One `[[prices]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceOverride {
    /// Matched against the upstream model.
    pub model: ModelGlob,
    /// `None`: whichever provider serves it.
    pub provider: Option<String>,
    pub prices: ModelPrices,
}

pub(super) fn settings(raw: &RawConfig, src: &Source<'_>) -> Result<UsageConfig, ConfigError> {
    let db = match &raw.usage_db {
        Some(path) if path.get_ref().is_empty() => {
            let hint = "remove it to use the default (usage.sqlite3 in the platform data dir)";
            return Err(src.at(path, "usage_db", "the path is empty", hint));
        }
        Some(path) => {
            let path = PathBuf::from(path.get_ref());
            let base = src.path.parent().filter(|dir| !dir.as_os_str().is_empty());
            Some(match base {
                Some(dir) if path.is_relative() => dir.join(path),
                _ => path,
            })
        }
        None => None,
    };
    Ok(UsageConfig {
        db,
        record: raw.record_usage.unwrap_or(true),
        retention_days: raw.usage_retention_days.unwrap_or(DEFAULT_RETENTION_DAYS),
        max_mb: raw.usage_max_mb.unwrap_or(DEFAULT_MAX_MB),
    })
}

pub(super) fn prices(
    raw: Vec<RawPrice>,
    providers: &[Arc<Provider>],
    src: &Source<'_>,
) -> Result<Vec<PriceOverride>, ConfigError> {
    (raw.into_iter().enumerate())
        .map(|(index, entry)| price(index, entry, providers, src))
        .collect()
}

fn price(
    index: usize,
    raw: RawPrice,
    providers: &[Arc<Provider>],
    src: &Source<'_>,
) -> Result<PriceOverride, ConfigError> {
    let field = |name: &str| format!("prices[{index}].{name}");
    if raw.model.get_ref().is_empty() {
        let hint = "name the upstream model, e.g. model = \"deepseek-chat\" (globs allowed)";
        return Err(src.at(&raw.model, field("model"), "the model is empty", hint));
    }
    super::validate::known_provider(raw.provider.as_ref(), field("provider"), providers, src)?;
    let rate = |name: &str, value: &Option<Spanned<f64>>| -> Result<Option<f64>, ConfigError> {
        let Some(value) = value else { return Ok(None) };
        let rate = *value.get_ref();
        if !rate.is_finite() || rate < 0.0 {
            let hint = "write USD per million tokens, e.g. input = 0.27";
            let message = format!("`{rate}` is not a price");
            return Err(src.at(value, field(name), message, hint));
        }
        Ok(Some(rate))
    };
    let prices = ModelPrices {
        input: rate("input", &raw.input)?,
        output: rate("output", &raw.output)?,
        cache_read: rate("cache_read", &raw.cache_read)?,
        cache_write: rate("cache_write", &raw.cache_write)?,
        reasoning: rate("reasoning", &raw.reasoning)?,
    };
    if prices == ModelPrices::default() {
        let hint = "add input = … and output = … (USD per million tokens)";
        let message = "no price given";
        return Err(src.at(&raw.model, field("model"), message, hint));
    }
    Ok(PriceOverride {
        model: ModelGlob::new(raw.model.into_inner()),
        provider: raw.provider.map(Spanned::into_inner),
        prices,
    })
}
