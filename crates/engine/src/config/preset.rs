//! `preset = "deepseek"`: a provider inherits format, base URL, auth style
//! and OpenAI quirks from the built-in catalog; any field written in the
//! config overrides the preset's.

use switchyard_protocol::Format;
use toml::Spanned;

use super::error::{ConfigError, Source};
use super::raw::{MaxTokensField, RawProvider};
use crate::catalog::{self, AuthStyle, Preset, PresetFormat};

/// What a provider table resolves to once its preset is applied.
pub(super) struct Resolved {
    pub format: Format,
    pub base_url: Spanned<String>,
    pub auth: Option<AuthStyle>,
    pub max_tokens_field: MaxTokensField,
    pub reasoning_effort: bool,
    /// A preset whose servers need no key (local ones).
    pub keyless: bool,
    pub preset: Option<&'static Preset>,
}

pub(super) fn resolve(
    raw: &RawProvider,
    index: usize,
    src: &Source<'_>,
) -> Result<Resolved, ConfigError> {
    let field = |name: &str| format!("providers[{index}].{name}");
    let Some(name) = &raw.preset else {
        return without_preset(raw, src, field("format"));
    };
    let preset =
        catalog::preset(name.get_ref()).ok_or_else(|| unknown(name, field("preset"), src))?;
    let entry = match raw.format {
        Some(format) => preset.format(format).ok_or_else(|| {
            let message = format!(
                "preset `{}` offers no {} endpoint",
                preset.id,
                format.as_str()
            );
            src.at(name, field("format"), message, offered(preset))
        })?,
        None => preset.formats.first().ok_or_else(|| {
            src.at(
                name,
                field("preset"),
                "the preset lists no API format",
                "set format and base_url",
            )
        })?,
    };
    let base_url = match (&raw.base_url, &entry.base_url) {
        (Some(url), _) => url.clone(),
        (None, Some(url)) => Spanned::new(name.span(), url.clone()),
        (None, None) => {
            let message = format!("preset `{}` has no fixed address", preset.id);
            let hint = "set base_url to your server's API root, e.g. http://127.0.0.1:8000/v1";
            return Err(src.at(name, field("base_url"), message, hint));
        }
    };
    Ok(Resolved {
        format: entry.format,
        base_url,
        auth: Some(entry.auth),
        max_tokens_field: raw.max_tokens_field.unwrap_or(from_catalog(entry)),
        reasoning_effort: raw.reasoning_effort.unwrap_or(entry.reasoning_effort),
        keyless: !preset.needs_key,
        preset: Some(preset),
    })
}

fn without_preset(
    raw: &RawProvider,
    src: &Source<'_>,
    field: String,
) -> Result<Resolved, ConfigError> {
    let (Some(format), Some(base_url)) = (raw.format, &raw.base_url) else {
        let missing = if raw.format.is_none() {
            "format"
        } else {
            "base_url"
        };
        let message = format!("missing field `{missing}`");
        let hint = "add the field, or name a preset (`switchyard presets` lists them): preset = \"deepseek\"";
        return Err(src.at(&raw.id, field.replace("format", missing), message, hint));
    };
    Ok(Resolved {
        format,
        base_url: base_url.clone(),
        auth: None,
        max_tokens_field: raw.max_tokens_field.unwrap_or_default(),
        reasoning_effort: raw.reasoning_effort.unwrap_or(false),
        keyless: false,
        preset: None,
    })
}

fn from_catalog(entry: &PresetFormat) -> MaxTokensField {
    match entry.max_tokens_field {
        catalog::MaxTokensField::MaxTokens => MaxTokensField::MaxTokens,
        catalog::MaxTokensField::MaxCompletionTokens => MaxTokensField::MaxCompletionTokens,
    }
}

fn unknown(name: &Spanned<String>, field: String, src: &Source<'_>) -> ConfigError {
    let ids: Vec<&str> = catalog::presets()
        .iter()
        .map(|preset| preset.id.as_str())
        .collect();
    let closest = ids
        .iter()
        .map(|id| (super::validate::edit_distance(id, name.get_ref()), *id))
        .min()
        .filter(|(distance, _)| *distance <= 3);
    let hint = match closest {
        Some((_, id)) => format!("did you mean `{id}`? `switchyard presets` lists them all"),
        None => "`switchyard presets` lists them all".to_owned(),
    };
    src.at(
        name,
        field,
        format!("unknown preset `{}`", name.get_ref()),
        hint,
    )
}

fn offered(preset: &Preset) -> String {
    let names: Vec<&str> = preset
        .formats
        .iter()
        .map(|entry| entry.format.as_str())
        .collect();
    format!("it offers: {}", names.join(", "))
}
