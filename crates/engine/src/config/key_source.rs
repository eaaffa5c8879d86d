//! Where each provider's key and the clients' keys come from: the
//! environment, the keychain (opened only when a provider or the gateway
//! token needs it), or nowhere.

use toml::Spanned;

use super::error::{ConfigError, Diagnostic, Source};
use super::preset::Resolved;
use super::raw::{KeySetting, OneOrMany, RawProvider};
use super::{MissingKey, ProviderKey, Secret};
use crate::secrets::{self, Keychain, SecretError, SecretStore};

/// What config loading may read keys from.
pub struct Sources<'a> {
    pub env: &'a dyn Fn(&str) -> Option<String>,
    pub keychain: &'a Keychain<'a>,
}

/// The provider's key, or why it has none (a warning, not an error: the
/// gateway serves the other providers and says why this one is refused).
pub(super) fn provider_key(
    raw: &RawProvider,
    resolved: &Resolved,
    index: usize,
    src: &Source<'_>,
    sources: &Sources<'_>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<ProviderKey, ConfigError> {
    let field = |name: &str| format!("providers[{index}].{name}");
    let (key, place) = match (&raw.api_key_env, &raw.api_key) {
        (Some(_), Some(setting)) => {
            let hint = "keep api_key_env for a key in the environment, or api_key for the keychain";
            let message = "both api_key and api_key_env are set";
            return Err(src.at(setting, field("api_key"), message, hint));
        }
        (Some(names), None) => (
            from_env_names(raw.id.get_ref(), names, index, src, sources.env, warnings)?,
            names.span(),
        ),
        (None, Some(setting)) => match setting.get_ref() {
            KeySetting::None => (ProviderKey::None, setting.span()),
            KeySetting::Keychain => (from_keychain(raw.id.get_ref(), sources), setting.span()),
        },
        (None, None) if keyless_by_default(resolved) => (ProviderKey::None, 0..0),
        (None, None) => (from_keychain(raw.id.get_ref(), sources), raw.id.span()),
    };
    if let ProviderKey::Missing(missing) = &key {
        let field = if raw.api_key_env.is_some() {
            "api_key_env"
        } else {
            "api_key"
        };
        warnings.push(missing_key_warning(
            raw.id.get_ref(),
            missing,
            place,
            field,
            index,
            src,
        ));
    }
    Ok(key)
}

/// Whether the provider reads its key from the keychain.
pub(super) fn uses_keychain(raw: &RawProvider, resolved: &Resolved) -> bool {
    match (&raw.api_key_env, &raw.api_key) {
        (Some(_), _) => false,
        (None, Some(setting)) => *setting.get_ref() == KeySetting::Keychain,
        (None, None) => !keyless_by_default(resolved),
    }
}

/// A local preset, or any server on this machine, needs no key unless told.
fn keyless_by_default(resolved: &Resolved) -> bool {
    resolved.keyless || is_loopback_url(resolved.base_url.get_ref())
}

/// Keys at most: a request tracks the keys it tried in a 64-bit mask.
pub(super) const MAX_KEYS: usize = 64;

/// One variable, or a pool: the keys found, each absent one a warning (all
/// absent: the first is why the provider has no key).
fn from_env_names(
    id: &str,
    names: &Spanned<OneOrMany>,
    index: usize,
    src: &Source<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<ProviderKey, ConfigError> {
    let field = format!("providers[{index}].api_key_env");
    let list = &names.get_ref().0;
    if list.is_empty() || list.len() > MAX_KEYS {
        let message = format!("api_key_env lists {} variables", list.len());
        let hint = format!(
            "list 1 to {MAX_KEYS} variable names, or remove api_key_env for keyless providers like Ollama"
        );
        return Err(src.at(names, field, message, hint));
    }
    let mut keys = Vec::with_capacity(list.len());
    let mut missing = Vec::new();
    for variable in list {
        if variable.is_empty() {
            let hint = "name the variable that holds the key, or remove api_key_env for keyless providers like Ollama";
            return Err(src.at(names, field, "the environment variable name is empty", hint));
        }
        match env(variable) {
            Some(value) if !value.is_empty() => keys.push(Secret::new(value)),
            Some(_) => missing.push(MissingKey::EnvEmpty {
                variable: variable.clone(),
            }),
            None => missing.push(MissingKey::EnvUnset {
                variable: variable.clone(),
            }),
        }
    }
    if keys.is_empty() {
        return Ok(missing
            .into_iter()
            .next()
            .map_or(ProviderKey::None, ProviderKey::Missing));
    }
    for absent in &missing {
        let message =
            format!("provider `{id}`: one of its keys is absent: {absent}; the others are used");
        warnings.push(src.diagnostic(Some(names.span()), field.clone(), message, absent.fix()));
    }
    Ok(match keys.len() {
        1 => keys.pop().map_or(ProviderKey::None, ProviderKey::Present),
        _ => ProviderKey::Pool(keys),
    })
}

fn from_keychain(id: &str, sources: &Sources<'_>) -> ProviderKey {
    let unavailable = |detail: String| {
        ProviderKey::Missing(MissingKey::KeychainUnavailable {
            provider: id.to_owned(),
            detail,
        })
    };
    let store = match sources.keychain.store() {
        Ok(store) => store,
        Err(err) => return unavailable(detail_of(err)),
    };
    match store.get(id) {
        Ok(Some(secret)) if !secret.expose().is_empty() => ProviderKey::Present(secret),
        Ok(_) => ProviderKey::Missing(MissingKey::KeychainEmpty {
            provider: id.to_owned(),
        }),
        Err(err) => unavailable(detail_of(err)),
    }
}

/// Only a store that survives reboots may hold the token.
fn persistent(store: &dyn SecretStore) -> Result<&dyn SecretStore, SecretError> {
    if store.backend().is_persistent() || store.backend() == secrets::Backend::Memory {
        return Ok(store);
    }
    Err(SecretError::Unavailable {
        detail: format!("{} forgets the token at reboot", store.backend()),
        hint: secrets::TOKEN_UNAVAILABLE_HINT,
    })
}

fn detail_of(err: secrets::SecretError) -> String {
    match err {
        secrets::SecretError::Unavailable { detail, .. } => detail,
        other => other.to_string(),
    }
}

fn missing_key_warning(
    id: &str,
    missing: &MissingKey,
    place: std::ops::Range<usize>,
    field: &str,
    index: usize,
    src: &Source<'_>,
) -> Diagnostic {
    let message = format!(
        "provider `{id}` has no API key: {missing}; requests routed to it are refused until it has one"
    );
    let hint = format!(
        "{}, or set api_key = \"none\" if it needs no key",
        missing.fix()
    );
    let span = (!place.is_empty()).then_some(place);
    src.diagnostic(span, format!("providers[{index}].{field}"), message, hint)
}

/// `http(s)://127.0.0.1…`, `localhost`, `[::1]`: a server on this machine,
/// which by default needs no key (Ollama, LM Studio, llama.cpp, vLLM).
pub(super) fn is_loopback_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|url| match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    })
}

/// The per-install token from the keychain, when it is in play: always
/// when no `client_keys` are configured, and whenever a provider already
/// reads the keychain. `Err` only when it is the sole way in and no
/// keychain answers.
pub(super) fn gateway_token(
    have_client_keys: bool,
    keychain_in_use: bool,
    sources: &Sources<'_>,
    src: &Source<'_>,
) -> Result<Option<Secret>, ConfigError> {
    if have_client_keys && !keychain_in_use {
        return Ok(None);
    }
    let token = sources
        .keychain
        .store()
        .and_then(persistent)
        .map_err(secrets::token::TokenError::from)
        .and_then(secrets::token::get_or_create);
    match token {
        Ok(token) => Ok(Some(token)),
        Err(_) if have_client_keys => Ok(None),
        Err(err) => {
            let message = format!(
                "no client keys, and the gateway token cannot be kept in a keychain: {err}"
            );
            let hint = "add client_keys = [\"<a key of 16+ characters>\"] (`openssl rand -hex 24` makes one), or start a keychain";
            Err(src.error(None, "client_keys", message, hint))
        }
    }
}
