//! [`validate`]: checks a [`RawConfig`] and resolves it into a [`Config`].

use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, SocketAddr};
use std::num::{NonZeroU32, NonZeroU64};
use std::sync::Arc;
use std::time::Duration;

use toml::Spanned;

use super::error::{ConfigError, Diagnostic, Source};
use super::key_source::{self, Sources};
use super::preset;
use super::raw::{RawConfig, RawProvider, RawRetry, RawRoute, RawTarget};
use super::{
    AuthHeader, BreakerSettings, Caps, Config, ModelGlob, Provider, ProviderId, RetryPolicy, Route,
    Secret, Target,
};
use crate::catalog::AuthStyle;
use switchyard_protocol::Format;

const DEFAULT_PORT: u16 = 4315;
const MIN_CLIENT_KEY_CHARS: usize = 16;
const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 10_000;
const DEFAULT_FIRST_BYTE_TIMEOUT_MS: u64 = 300_000;
const DEFAULT_BREAKER_FAILURES: u32 = 5;
const DEFAULT_BREAKER_COOLDOWN_MS: u64 = 30_000;
const DEFAULT_MAX_ATTEMPTS: u32 = 3;
const DEFAULT_MAX_TOTAL_MS: u64 = 60_000;
const DEFAULT_BACKOFF_MS: u64 = 200;
/// Images make requests large; an answer this big is already unusual.
const DEFAULT_MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;
const KEY_HINT: &str = "generate one with `openssl rand -hex 24`, or let `switchyard init` write a config with a fresh key";

pub(super) fn validate(
    raw: RawConfig,
    src: &Source<'_>,
    sources: &Sources<'_>,
) -> Result<Config, ConfigError> {
    let listen = listen(raw.listen.as_ref(), raw.allow_non_loopback, src)?;
    let usage = super::usage::settings(&raw, src)?;
    let client_keys = client_keys(raw.client_keys, src)?;
    check_unique_ids(&raw.providers, src)?;
    let keychain_in_use = (raw.providers.iter().enumerate()).any(|(index, provider)| {
        preset::resolve(provider, index, src)
            .is_ok_and(|resolved| key_source::uses_keychain(provider, &resolved))
    });
    let mut warnings = Vec::new();
    let breaker = BreakerSettings {
        failures: raw
            .breaker_failures
            .map_or(DEFAULT_BREAKER_FAILURES, NonZeroU32::get),
        cooldown: Duration::from_millis(
            raw.breaker_cooldown_ms
                .map_or(DEFAULT_BREAKER_COOLDOWN_MS, NonZeroU64::get),
        ),
    };
    let providers = (raw.providers.into_iter().enumerate())
        .map(|(index, provider)| {
            self::provider(index, provider, breaker, src, sources, &mut warnings).map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let have_client_keys = !client_keys.is_empty();
    let gateway_token = key_source::gateway_token(have_client_keys, keychain_in_use, sources, src)?;
    let shared = super::profiles::RawRouteSet {
        routes: raw.routes,
        scenarios: raw.scenarios,
        claude_code: raw.claude_code,
    };
    let routing = super::profiles::compile(shared, raw.profile, raw.profiles, &providers, src)?;
    let intent = match raw.intent {
        Some(intent) => {
            let route = |at: &str, raw: RawRoute| self::route(at, raw, &providers, src);
            super::profiles::live_intent(super::intent::compile(intent, &providers, src, route)?)
        }
        None => None,
    };
    let prices = super::usage::prices(raw.prices, &providers, src)?;
    let budgets = super::budget::budgets(raw.budgets, &providers, src)?;
    let allow_non_loopback = raw.allow_non_loopback;
    let bytes = |raw: Option<NonZeroU64>| {
        usize::try_from(raw.map_or(DEFAULT_MAX_BODY_BYTES, NonZeroU64::get)).unwrap_or(usize::MAX)
    };
    Ok(Config {
        listen,
        allow_non_loopback,
        client_keys,
        gateway_token,
        providers,
        routes: routing.routes,
        needs_traits: routing.needs_traits || intent.is_some(),
        intent,
        scenarios: routing.scenarios,
        disabled_routes: routing.disabled,
        profiles: routing.profiles,
        active_profile: routing.active,
        max_request_bytes: bytes(raw.max_request_bytes),
        max_response_bytes: bytes(raw.max_response_bytes),
        retry: retry(&raw.retry),
        usage,
        prices,
        budgets,
        warnings,
    })
}

fn listen(
    raw: Option<&Spanned<String>>,
    allow_non_loopback: bool,
    src: &Source<'_>,
) -> Result<SocketAddr, ConfigError> {
    let Some(raw) = raw else {
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)));
    };
    let addr: SocketAddr = raw.get_ref().parse().map_err(|_| {
        let message = format!("`{}` is not an IP address and port", raw.get_ref());
        let hint = "write it like 127.0.0.1:4315 (host names such as localhost are not accepted)";
        src.at(raw, "listen", message, hint)
    })?;
    if !addr.ip().is_loopback() && !allow_non_loopback {
        let message = format!(
            "{addr} is not a loopback address; by default the gateway only listens on this machine, \
             so that nobody else on the network can spend your provider credits"
        );
        let hint = "use 127.0.0.1 or [::1]; to expose the gateway on purpose, set `allow_non_loopback = true` at the top of the file";
        return Err(src.at(raw, "listen", message, hint));
    }
    Ok(addr)
}

/// Optional: without them, clients present the keychain's gateway token.
fn client_keys(
    raw: Option<Spanned<Vec<Spanned<String>>>>,
    src: &Source<'_>,
) -> Result<Vec<Secret>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    if raw.get_ref().is_empty() {
        let message = "client_keys is empty: remove it to use the keychain's gateway token, or list at least one key";
        return Err(src.at(&raw, "client_keys", message, KEY_HINT));
    }
    let keys = raw.into_inner().into_iter().enumerate().map(|(index, key)| {
        let field = format!("client_keys[{index}]");
        let length = key.get_ref().chars().count();
        if length < MIN_CLIENT_KEY_CHARS {
            let message = format!("the key is {length} characters long; client keys need at least {MIN_CLIENT_KEY_CHARS}");
            return Err(src.at(&key, field, message, KEY_HINT));
        }
        if !key.get_ref().bytes().all(|byte| byte.is_ascii_graphic()) {
            let message = "the key contains spaces or characters that cannot be sent in an HTTP header";
            return Err(src.at(&key, field, message, KEY_HINT));
        }
        Ok(Secret::new(key.into_inner()))
    });
    keys.collect()
}

fn check_unique_ids(providers: &[RawProvider], src: &Source<'_>) -> Result<(), ConfigError> {
    let mut seen: HashMap<&str, &Spanned<String>> = HashMap::new();
    for (index, provider) in providers.iter().enumerate() {
        if let Some(first) = seen.insert(provider.id.get_ref(), &provider.id) {
            let line = src.line(&first.span());
            let message = format!(
                "provider id `{}` is already used on line {line}",
                first.get_ref()
            );
            let field = format!("providers[{index}].id");
            return Err(src.at(
                &provider.id,
                field,
                message,
                "give each provider its own id",
            ));
        }
    }
    Ok(())
}

fn retry(raw: &RawRetry) -> RetryPolicy {
    RetryPolicy {
        max_attempts: raw
            .max_attempts
            .map_or(DEFAULT_MAX_ATTEMPTS, NonZeroU32::get),
        max_total: Duration::from_millis(
            raw.max_total_ms
                .map_or(DEFAULT_MAX_TOTAL_MS, NonZeroU64::get),
        ),
        backoff: Duration::from_millis(raw.backoff_ms.unwrap_or(DEFAULT_BACKOFF_MS)),
    }
}

fn provider(
    index: usize,
    raw: RawProvider,
    breaker: BreakerSettings,
    src: &Source<'_>,
    sources: &Sources<'_>,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Provider, ConfigError> {
    let field = |name: &str| format!("providers[{index}].{name}");
    check_id(&raw.id, field("id"), src)?;
    let resolved = preset::resolve(&raw, index, src)?;
    let base_url = resolved.base_url.get_ref();
    if !base_url.starts_with("http://") && !base_url.starts_with("https://") {
        let message = format!("`{base_url}` must start with http:// or https://");
        let hint = "e.g. https://api.deepseek.com/v1, or http://localhost:11434/v1 for Ollama";
        return Err(src.at(&resolved.base_url, field("base_url"), message, hint));
    }
    let key = key_source::provider_key(&raw, &resolved, index, src, sources, warnings)?;
    let millis = |raw: Option<NonZeroU64>, default| {
        Duration::from_millis(raw.map_or(default, NonZeroU64::get))
    };
    let breaker = BreakerSettings {
        failures: raw
            .breaker_failures
            .map_or(breaker.failures, NonZeroU32::get),
        cooldown: raw
            .breaker_cooldown_ms
            .map_or(breaker.cooldown, |ms| Duration::from_millis(ms.get())),
    };
    Ok(Provider {
        index,
        id: ProviderId(raw.id.into_inner()),
        format: resolved.format,
        base_url: base_url.trim_end_matches('/').to_owned(),
        auth: auth_header(resolved.format, resolved.auth),
        preset: resolved.preset.map(|preset| preset.id.clone()),
        key,
        headers: headers(raw.headers, &field("headers"), src)?,
        reasoning_effort: resolved.reasoning_effort,
        max_tokens_field: resolved.max_tokens_field,
        connect_timeout: millis(raw.connect_timeout_ms, DEFAULT_CONNECT_TIMEOUT_MS),
        first_byte_timeout: millis(raw.first_byte_timeout_ms, DEFAULT_FIRST_BYTE_TIMEOUT_MS),
        key_strategy: raw.key_strategy.unwrap_or_default(),
        breaker,
        enabled: raw.enabled.unwrap_or(true),
        exclude_models: (raw.exclude_models.into_iter())
            .map(|glob| ModelGlob::new(glob.into_inner()))
            .collect(),
    })
}

/// Ids name keychain entries and URL paths: letters, digits, `-`, `_`, `.`.
pub(super) fn check_id(
    id: &Spanned<String>,
    field: String,
    src: &Source<'_>,
) -> Result<(), ConfigError> {
    let text = id.get_ref();
    if text.trim().is_empty() {
        let hint = "name it, e.g. id = \"deepseek\"; routes refer to providers by id";
        return Err(src.at(id, field, "the provider id is empty", hint));
    }
    let allowed = |ch: char| ch.is_ascii_alphanumeric() || "-_.".contains(ch);
    if !text.chars().all(allowed) {
        let message =
            format!("`{text}` has characters other than letters, digits, `-`, `_` and `.`");
        let hint =
            "ids name keychain entries and control URLs: use e.g. \"deepseek\" or \"openrouter-2\"";
        return Err(src.at(id, field, message, hint));
    }
    Ok(())
}

fn headers(
    raw: BTreeMap<Spanned<String>, String>,
    field: &str,
    src: &Source<'_>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let headers = raw.into_iter().map(|(name, value)| {
        let field = format!("{field}.{}", name.get_ref());
        if http::HeaderName::from_bytes(name.get_ref().as_bytes()).is_err() {
            let message = format!("`{}` is not a valid HTTP header name", name.get_ref());
            return Err(src.at(
                &name,
                field,
                message,
                "use letters, digits and dashes, e.g. \"X-Title\"",
            ));
        }
        if http::HeaderValue::from_str(&value).is_err() {
            let message = "the value is not a valid HTTP header value";
            return Err(src.at(
                &name,
                field,
                message,
                "remove line breaks and control characters",
            ));
        }
        Ok((name.into_inner(), value))
    });
    headers.collect()
}

/// One route; `at` is its field path (`routes[2]`, `profiles[0].routes[1]`).
pub(super) fn route(
    at: &str,
    raw: RawRoute,
    providers: &[Arc<Provider>],
    src: &Source<'_>,
) -> Result<Route, ConfigError> {
    let field = |name: &str| format!("{at}.{name}");
    if raw.model.get_ref().is_empty() {
        let hint = "use a glob such as \"claude-*haiku*\", or \"*\" for every model";
        let message = "the pattern is empty, so it matches no model";
        return Err(src.at(&raw.model, field("model"), message, hint));
    }
    if let Some(upstream) = raw
        .upstream_model
        .as_ref()
        .filter(|name| name.get_ref().is_empty())
    {
        let hint = "remove it to forward the client's model name unchanged";
        return Err(src.at(
            upstream,
            field("upstream_model"),
            "the upstream model is empty",
            hint,
        ));
    }
    let provider = find_provider(&raw.provider, field("provider"), providers, src)?;
    let fallback = (raw.fallback.into_iter().enumerate())
        .map(|(at, target)| {
            self::target(target, &field(&format!("fallback[{at}]")), providers, src)
        })
        .collect::<Result<_, _>>()?;
    let upstream_model = raw.upstream_model.map(Spanned::into_inner);
    let caps = Caps::of(&provider, upstream_model.as_deref());
    let params = super::params::RawRouteParams {
        defaults: raw.defaults,
        overrides: raw.overrides,
        extra_body: raw.extra_body,
        headers: raw.headers,
    };
    let params = route_params(params, at, src)?;
    Ok(Route {
        pattern: ModelGlob::new(raw.model.into_inner()),
        provider,
        upstream_model,
        max_tokens: raw.max_tokens.map(NonZeroU32::get),
        fallback,
        caps,
        params,
    })
}

/// `None` when the route sets none, so the request path skips them entirely.
fn route_params(
    raw: super::params::RawRouteParams,
    at: &str,
    src: &Source<'_>,
) -> Result<Option<Arc<super::RouteParams>>, ConfigError> {
    if raw.is_empty() {
        return Ok(None);
    }
    let check = |params: Option<super::params::RawParams>, name: &str| {
        let Some(params) = params else {
            return Ok(super::Params::default());
        };
        let effort = match &params.reasoning_effort {
            Some(effort) => Some(super::params::effort(effort).map_err(|message| {
                let hint = "use minimal, low, medium or high";
                src.at(
                    effort,
                    format!("{at}.{name}.reasoning_effort"),
                    message,
                    hint,
                )
            })?),
            None => None,
        };
        Ok(super::Params {
            temperature: params.temperature,
            top_p: params.top_p,
            reasoning_effort: effort,
        })
    };
    Ok(Some(Arc::new(super::RouteParams {
        defaults: check(raw.defaults, "defaults")?,
        overrides: check(raw.overrides, "overrides")?,
        extra_body: raw.extra_body.unwrap_or_default(),
        headers: headers(raw.headers, &format!("{at}.headers"), src)?,
    })))
}

pub(super) fn target(
    raw: RawTarget,
    field: &str,
    providers: &[Arc<Provider>],
    src: &Source<'_>,
) -> Result<Target, ConfigError> {
    if let Some(upstream) = (raw.upstream_model.as_ref()).filter(|name| name.get_ref().is_empty()) {
        let hint = "remove it to send the client's model name unchanged";
        let field = format!("{field}.upstream_model");
        return Err(src.at(upstream, field, "the upstream model is empty", hint));
    }
    let provider = find_provider(&raw.provider, format!("{field}.provider"), providers, src)?;
    let upstream_model = raw.upstream_model.map(Spanned::into_inner);
    Ok(Target {
        caps: Caps::of(&provider, upstream_model.as_deref()),
        provider,
        upstream_model,
    })
}

fn find_provider(
    wanted: &Spanned<String>,
    field: String,
    providers: &[Arc<Provider>],
    src: &Source<'_>,
) -> Result<Arc<Provider>, ConfigError> {
    (providers.iter())
        .find(|provider| provider.id.as_str() == wanted.get_ref())
        .map(Arc::clone)
        .ok_or_else(|| unknown_provider(wanted, field, providers, src))
}

/// `wanted` names one of `providers` (a `provider = "…"` outside routes).
pub(super) fn known_provider(
    wanted: Option<&Spanned<String>>,
    field: String,
    providers: &[Arc<Provider>],
    src: &Source<'_>,
) -> Result<(), ConfigError> {
    match wanted {
        Some(wanted) if !providers.iter().any(|p| p.id.as_str() == wanted.get_ref()) => {
            Err(unknown_provider(wanted, field, providers, src))
        }
        _ => Ok(()),
    }
}

fn unknown_provider(
    wanted: &Spanned<String>,
    field: String,
    providers: &[Arc<Provider>],
    src: &Source<'_>,
) -> ConfigError {
    let known: Vec<&str> = providers
        .iter()
        .map(|provider| provider.id.as_str())
        .collect();
    let closest = (known.iter())
        .map(|id| (edit_distance(id, wanted.get_ref()), id))
        .min()
        .filter(|(distance, _)| *distance <= 3);
    let hint = match closest {
        _ if known.is_empty() => "define it in a [[providers]] table".to_owned(),
        Some((_, id)) => format!("did you mean `{id}`? known providers: {}", known.join(", ")),
        None => format!("known providers: {}", known.join(", ")),
    };
    src.at(
        wanted,
        field,
        format!("unknown provider `{}`", wanted.get_ref()),
        hint,
    )
}

/// The header a provider's key goes in: the preset's auth style, else the
/// one its format's own API uses.
fn auth_header(format: Format, style: Option<AuthStyle>) -> AuthHeader {
    match style {
        Some(AuthStyle::Bearer) => AuthHeader::Bearer,
        Some(AuthStyle::XApiKey) => AuthHeader::XApiKey,
        Some(AuthStyle::XGoogApiKey) => AuthHeader::XGoogApiKey,
        Some(AuthStyle::None) | None => match format {
            Format::Anthropic => AuthHeader::XApiKey,
            Format::Gemini => AuthHeader::XGoogApiKey,
            Format::OpenaiChat | Format::OpenaiResponses => AuthHeader::Bearer,
        },
    }
}

/// Levenshtein distance, in characters.
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut diagonal = i;
        row[0] = i + 1;
        for (j, &b_char) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(a_char != b_char));
            diagonal = above;
        }
    }
    row[b.len()]
}
