//! The provider catalog: presets for the vendors and local servers Switchyard
//! knows (formats, base URLs, auth, quirks) and their models' limits,
//! capabilities and prices.
//!
//! The data is compiled in: `catalog/providers.toml` is curated by hand,
//! `catalog/models.json` is generated from LiteLLM's price table by
//! `scripts/update-catalog` and records its source and date. Every `None`
//! in the data means unknown: an unknown price is never a free one.

mod cli;
mod lookup;
mod parse;
mod prices;
mod types;
mod validate;

use std::sync::LazyLock;

pub use cli::{print_presets, write_presets};
pub use parse::CatalogError;
pub use prices::{PriceTier, Prices, TokenUsage};
pub use types::{
    AuthStyle, Capabilities, DataSource, MaxTokensField, ModelInfo, Preset, PresetFormat,
    PresetKind,
};

const PROVIDERS_TOML: &str = include_str!("../../catalog/providers.toml");
const MODELS_JSON: &str = include_str!("../../catalog/models.json");

/// Parsed on first use; a unit test proves the compiled-in data parses.
static BUILTIN: LazyLock<Result<Catalog, CatalogError>> =
    LazyLock::new(|| Catalog::parse(PROVIDERS_TOML, MODELS_JSON));

/// Presets and the source of their model data.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    presets: Vec<Preset>,
    source: DataSource,
}

impl Catalog {
    /// Reads a providers.toml and its generated models.json, and checks them.
    pub fn parse(providers_toml: &str, models_json: &str) -> Result<Self, CatalogError> {
        parse::parse(providers_toml, models_json)
    }

    pub fn presets(&self) -> &[Preset] {
        &self.presets
    }

    pub fn source(&self) -> &DataSource {
        &self.source
    }

    pub fn preset(&self, id: &str) -> Option<&Preset> {
        self.presets.iter().find(|preset| preset.id == id)
    }

    /// `model` as a preset's upstream may be asked for it: the exact id, then
    /// looser forms (see `lookup`); on an aggregator, a `vendor/model` id
    /// falls back to the vendor preset's entry.
    pub fn model(&self, preset_id: &str, model: &str) -> Option<&ModelInfo> {
        let preset = self.preset(preset_id)?;
        lookup::find(&preset.models, model).or_else(|| {
            let (vendor, rest) = model.split_once('/')?;
            let target = preset.vendor_presets.get(vendor)?;
            lookup::find(&self.preset(target)?.models, rest)
        })
    }
}

/// The compiled-in catalog.
pub fn builtin() -> Result<&'static Catalog, &'static CatalogError> {
    BUILTIN.as_ref()
}

/// The compiled-in presets (empty only if the data failed to parse, which
/// the unit tests rule out).
pub fn presets() -> &'static [Preset] {
    builtin().map_or(&[], Catalog::presets)
}

pub fn preset(id: &str) -> Option<&'static Preset> {
    builtin().ok()?.preset(id)
}

pub fn model(preset_id: &str, model: &str) -> Option<&'static ModelInfo> {
    builtin().ok()?.model(preset_id, model)
}

#[cfg(test)]
mod tests;
