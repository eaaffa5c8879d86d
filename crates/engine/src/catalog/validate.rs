//! Consistency rules for the catalog data, applied when it is parsed.

use std::collections::HashSet;

use switchyard_protocol::Format;

use super::parse::CatalogError;
use super::types::{MaxTokensField, ModelInfo, Preset, PresetFormat, PresetKind};
use super::{Catalog, Prices};

/// Checked before the generated models are matched to presets by id.
pub(super) fn unique_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> Result<(), CatalogError> {
    let mut seen = HashSet::new();
    match ids
        .into_iter()
        .find(|id| id.is_empty() || !seen.insert(*id))
    {
        Some(id) => Err(CatalogError::invalid(id, "empty or repeated id")),
        None => Ok(()),
    }
}

pub(super) fn check(catalog: &Catalog) -> Result<(), CatalogError> {
    for preset in &catalog.presets {
        check_preset(preset).map_err(|reason| CatalogError::invalid(&preset.id, reason))?;
    }
    let ids: HashSet<&str> = catalog.presets.iter().map(|p| p.id.as_str()).collect();
    for preset in &catalog.presets {
        if let Some(target) = preset
            .vendor_presets
            .values()
            .find(|t| !ids.contains(t.as_str()))
        {
            let reason = format!("vendor_presets names the unknown preset `{target}`");
            return Err(CatalogError::invalid(&preset.id, reason));
        }
    }
    Ok(())
}

fn check_preset(preset: &Preset) -> Result<(), String> {
    if preset.formats.is_empty() {
        return Err("offers no API format".into());
    }
    let mut formats = HashSet::new();
    for entry in &preset.formats {
        if !formats.insert(entry.format) {
            return Err(format!("lists {} twice", entry.format));
        }
        check_format(preset.kind, entry)?;
    }
    let mut models = HashSet::new();
    for model in &preset.models {
        if !models.insert(model.id.as_str()) {
            return Err(format!("lists the model `{}` twice", model.id));
        }
        check_model(model).map_err(|reason| format!("model `{}`: {reason}", model.id))?;
    }
    Ok(())
}

fn check_format(kind: PresetKind, entry: &PresetFormat) -> Result<(), String> {
    match (&entry.base_url, kind) {
        (Some(base_url), _) => check_base_url(base_url)?,
        (None, PresetKind::Generic) => {}
        (None, _) => return Err(format!("{} has no base_url", entry.format)),
    }
    let chat_only = entry.max_tokens_field != MaxTokensField::MaxTokens || entry.reasoning_effort;
    if chat_only && entry.format != Format::OpenaiChat {
        return Err(format!(
            "max_tokens_field and reasoning_effort apply to openai_chat, not {}",
            entry.format
        ));
    }
    Ok(())
}

fn check_base_url(base_url: &str) -> Result<(), String> {
    let url = url::Url::parse(base_url).map_err(|err| format!("base_url {base_url}: {err}"))?;
    let web = matches!(url.scheme(), "http" | "https") && url.host_str().is_some();
    if !web || base_url.ends_with('/') {
        return Err(format!(
            "base_url {base_url} must be http(s) with a host and no trailing slash"
        ));
    }
    Ok(())
}

fn check_model(model: &ModelInfo) -> Result<(), String> {
    check_prices(&model.prices)?;
    let dated = model.date.as_deref().is_some_and(is_date);
    if model.prices.is_known() && (model.source.is_none() || !dated) {
        return Err("priced without a source and a YYYY-MM-DD date".into());
    }
    if model
        .deprecation_date
        .as_deref()
        .is_some_and(|d| !is_date(d))
    {
        return Err("deprecation_date is not YYYY-MM-DD".into());
    }
    Ok(())
}

fn check_prices(prices: &Prices) -> Result<(), String> {
    if prices
        .rates()
        .into_iter()
        .flatten()
        .any(|rate| !rate.is_finite() || rate < 0.0)
    {
        return Err("a price is negative or not a number".into());
    }
    let ascending = prices
        .tiers
        .windows(2)
        .all(|pair| pair[0].above_input_tokens < pair[1].above_input_tokens);
    if !ascending
        || prices
            .tiers
            .first()
            .is_some_and(|t| t.above_input_tokens == 0)
    {
        return Err("price tiers must start above 0 tokens and ascend".into());
    }
    Ok(())
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        })
}
