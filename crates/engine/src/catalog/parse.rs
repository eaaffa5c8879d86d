//! Reads providers.toml (hand-curated presets) and models.json (generated
//! model data) into one `Catalog`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::types::{DataSource, ModelInfo, Preset, PresetFormat, PresetKind};
use super::{Catalog, validate};

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("providers.toml: {0}")]
    Providers(toml::de::Error),
    #[error("models.json: {0}")]
    Models(serde_json::Error),
    #[error("preset `{preset}`: {reason}")]
    Invalid { preset: String, reason: String },
}

impl CatalogError {
    pub(super) fn invalid(preset: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            preset: preset.to_owned(),
            reason: reason.into(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProviders {
    presets: Vec<RawPreset>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPreset {
    id: String,
    name: String,
    kind: PresetKind,
    homepage: String,
    #[serde(default)]
    key_url: Option<String>,
    #[serde(default)]
    key_env: Option<String>,
    needs_key: bool,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    vendor_presets: BTreeMap<String, String>,
    models: Vec<String>,
    #[serde(default)]
    litellm: Option<RawLitellm>,
    formats: Vec<PresetFormat>,
}

/// What scripts/update-catalog reads; checked here so a typo fails a test.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLitellm {
    providers: Vec<String>,
    prefixes: Vec<String>,
    #[serde(default)]
    price_prefixes: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModels {
    #[serde(rename = "generated_by")]
    _generated_by: IgnoredAny,
    source: DataSource,
    presets: BTreeMap<String, Vec<ModelInfo>>,
}

pub(super) fn parse(providers_toml: &str, models_json: &str) -> Result<Catalog, CatalogError> {
    let raw: RawProviders = toml::from_str(providers_toml).map_err(CatalogError::Providers)?;
    let mut generated: RawModels =
        serde_json::from_str(models_json).map_err(CatalogError::Models)?;
    validate::unique_ids(raw.presets.iter().map(|preset| preset.id.as_str()))?;
    let presets = raw
        .presets
        .into_iter()
        .map(|preset| build(preset, &mut generated.presets))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(unknown) = generated.presets.keys().next() {
        return Err(CatalogError::invalid(
            unknown,
            "in models.json but not in providers.toml: run scripts/update-catalog",
        ));
    }
    let catalog = Catalog {
        presets,
        source: generated.source,
    };
    validate::check(&catalog)?;
    Ok(catalog)
}

/// The preset with its generated model entries, which must follow its list.
fn build(
    raw: RawPreset,
    generated: &mut BTreeMap<String, Vec<ModelInfo>>,
) -> Result<Preset, CatalogError> {
    if let Some(litellm) = &raw.litellm {
        check_litellm(&raw.id, litellm)?;
    }
    let models = generated.remove(&raw.id).unwrap_or_default();
    let ids: Vec<&str> = models.iter().map(|model| model.id.as_str()).collect();
    if ids != raw.models {
        return Err(CatalogError::invalid(
            &raw.id,
            "models.json does not match the models listed in providers.toml: run scripts/update-catalog",
        ));
    }
    Ok(Preset {
        id: raw.id,
        name: raw.name,
        kind: raw.kind,
        homepage: raw.homepage,
        key_url: raw.key_url,
        key_env: raw.key_env,
        needs_key: raw.needs_key,
        notes: raw.notes,
        formats: raw.formats,
        vendor_presets: raw.vendor_presets,
        models,
    })
}

fn check_litellm(preset: &str, litellm: &RawLitellm) -> Result<(), CatalogError> {
    let priced_outside = litellm
        .price_prefixes
        .iter()
        .flatten()
        .any(|prefix| !litellm.prefixes.contains(prefix));
    if litellm.providers.is_empty() || litellm.prefixes.is_empty() || priced_outside {
        return Err(CatalogError::invalid(
            preset,
            "litellm needs providers and prefixes, and price_prefixes drawn from prefixes",
        ));
    }
    Ok(())
}
