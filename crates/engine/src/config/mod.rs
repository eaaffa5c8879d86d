//! The user's TOML config: `switchyard serve --config FILE`.
//!
//! [`RawConfig`] is what serde reads; `validate` checks
//! it and resolves cross-references into [`Config`]. Every error names the
//! file, the line, the field path and a hint.

mod budget;
mod caps;
mod error;
mod glob;
mod intent;
mod key;
mod key_source;
mod overrides;
mod params;
mod preset;
mod profiles;
mod raw;
mod scenario;
mod secret;
mod usage;
mod validate;

#[cfg(test)]
mod key_tests;
#[cfg(test)]
mod preset_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod usage_tests;

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use switchyard_protocol::Format;

pub use budget::{Budget, BudgetLimit};
pub use caps::Caps;
pub use error::{ConfigError, Diagnostic};
pub use glob::ModelGlob;
pub use intent::{Intent, Scene};
pub use key::{MissingKey, ProviderKey};
pub use key_source::Sources;
pub use overrides::Overrides;
pub use params::{Params, RouteParams};
pub use profiles::DisabledRoute;
pub use raw::{
    BudgetPeriod, KeyStrategy, MaxTokensField, RawBudget, RawConfig, RawPrice, RawProvider,
    RawRoute,
};
pub use scenario::{Scenario, ScenarioKind};
pub use secret::Secret;
pub use usage::{PriceOverride, UsageConfig};

/// The commented example config that `switchyard init` writes.
pub const EXAMPLE_CONFIG: &str = include_str!("../../../../examples/switchyard.toml");

/// The client key in [`EXAMPLE_CONFIG`]; `switchyard init` replaces it with a generated one.
pub const EXAMPLE_KEY_PLACEHOLDER: &str = "REPLACE_WITH_GENERATED_KEY_0000000000";

/// The example config: with `client_key` in `client_keys`, or (`None`)
/// with `client_keys` commented out, clients then presenting the keychain's
/// gateway token.
pub fn example_config(client_key: Option<&str>) -> String {
    let line = format!("client_keys = [\"{EXAMPLE_KEY_PLACEHOLDER}\"]");
    match client_key {
        Some(key) => EXAMPLE_CONFIG.replace(EXAMPLE_KEY_PLACEHOLDER, key),
        None => EXAMPLE_CONFIG.replace(
            &line,
            "# client_keys = [\"…\"]\n# None set: clients present the gateway token kept in the OS keychain\n# (`switchyard token` prints it; `switchyard configure claude-code` writes it).",
        ),
    }
}

/// A validated config.
#[derive(Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// The user explicitly allowed listening on a non-loopback address.
    pub allow_non_loopback: bool,
    pub client_keys: Vec<Secret>,
    /// The per-install token from the keychain, accepted besides `client_keys`.
    pub gateway_token: Option<Secret>,
    pub providers: Vec<Arc<Provider>>,
    /// The live routes: the active profile's, then the top-level ones, with
    /// switched-off providers taken out.
    pub routes: Vec<Route>,
    /// Tried before `routes`, by what the request holds; first match wins.
    pub scenarios: Vec<Scenario>,
    /// Some scenario, model limit or intent routing needs what the request holds.
    pub needs_traits: bool,
    /// `[intent]`, when on (and its classifier's provider is).
    pub intent: Option<Intent>,
    /// Routes left with no enabled target.
    pub disabled_routes: Vec<DisabledRoute>,
    /// Every `[[profiles]]` name, in order.
    pub profiles: Vec<String>,
    pub active_profile: Option<String>,
    /// Client request bodies above this are refused with 413.
    pub max_request_bytes: usize,
    /// Non-streamed upstream answers above this are refused with 502.
    pub max_response_bytes: usize,
    pub retry: RetryPolicy,
    /// Where and how long requests are recorded.
    pub usage: UsageConfig,
    /// `[[prices]]`: per-model prices over the catalog's.
    pub prices: Vec<PriceOverride>,
    /// `[[budgets]]`: spending limits.
    pub budgets: Vec<Budget>,
    /// Problems that do not stop the gateway (a provider without its key):
    /// reported once at start, and by `switchyard check` (errors with `--strict`).
    pub warnings: Vec<Diagnostic>,
}

/// An upstream the gateway can reach.
pub struct Provider {
    /// Its place in [`Config::providers`]: runtime health is kept by it.
    pub index: usize,
    pub id: ProviderId,
    pub format: Format,
    /// Without a trailing slash.
    pub base_url: String,
    /// The header its key goes in.
    pub auth: AuthHeader,
    /// The catalog preset it inherits from (prices, limits), if any.
    pub preset: Option<String>,
    /// Its key, or why it has none.
    pub key: ProviderKey,
    /// Extra static headers sent upstream.
    pub headers: Vec<(String, String)>,
    /// Forward the client's reasoning effort as OpenAI `reasoning_effort`.
    pub reasoning_effort: bool,
    /// OpenAI Chat: which field carries the output limit.
    pub max_tokens_field: MaxTokensField,
    pub connect_timeout: Duration,
    pub first_byte_timeout: Duration,
    pub key_strategy: KeyStrategy,
    pub breaker: BreakerSettings,
    /// `enabled = false`: in no route (switched off from the tray or CLI).
    pub enabled: bool,
    /// Upstream models never sent to it (globs): its routes fall over instead.
    pub exclude_models: Vec<ModelGlob>,
}

/// When a provider's circuit opens, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerSettings {
    /// Consecutive failures that open it.
    pub failures: u32,
    pub cooldown: Duration,
}

/// `[retry]`: how far one request may go looking for an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Upstream attempts, over every target and key.
    pub max_attempts: u32,
    /// No new attempt starts after this (one already waiting for its first
    /// byte keeps the provider's own timeout).
    pub max_total: Duration,
    /// The first wait before trying the same provider again.
    pub backoff: Duration,
}

/// Header values may hold credentials: print only their names.
impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Provider")
            .field("id", &self.id)
            .field("format", &self.format)
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("preset", &self.preset)
            .field("key", &self.key)
            .field("headers", &header_names)
            .field("reasoning_effort", &self.reasoning_effort)
            .field("max_tokens_field", &self.max_tokens_field)
            .field("connect_timeout", &self.connect_timeout)
            .field("first_byte_timeout", &self.first_byte_timeout)
            .field("key_strategy", &self.key_strategy)
            .field("breaker", &self.breaker)
            .field("enabled", &self.enabled)
            .field("exclude_models", &self.exclude_models)
            .finish()
    }
}

/// Which header carries a provider's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthHeader {
    /// `Authorization: Bearer KEY` (OpenAI and most compatible APIs).
    Bearer,
    /// `x-api-key: KEY` (Anthropic).
    XApiKey,
    /// `x-goog-api-key: KEY` (Gemini).
    XGoogApiKey,
}

/// A provider's `id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProviderId(pub String);

impl ProviderId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ProviderId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Sends the models matching `pattern` to `provider`.
#[derive(Debug)]
pub struct Route {
    pub pattern: ModelGlob,
    pub provider: Arc<Provider>,
    /// `None`: forward the client's model name unchanged.
    pub upstream_model: Option<String>,
    /// Caps the client's `max_tokens` for upstreams that reject large values.
    pub max_tokens: Option<u32>,
    /// Tried in order when the provider (or the target before) fails.
    pub fallback: Vec<Target>,
    /// What the upstream model takes, per the catalog.
    pub caps: Caps,
    /// Payload defaults, overrides, extra body fields and headers.
    pub params: Option<Arc<RouteParams>>,
}

/// A fallback: another provider, and the model to ask it for.
#[derive(Debug)]
pub struct Target {
    pub provider: Arc<Provider>,
    /// `None`: the client's model name.
    pub upstream_model: Option<String>,
    pub caps: Caps,
}

/// Where one request goes: borrowed from the config (`'c`) and from the
/// request's model name (`'m`).
#[derive(Debug, Clone, Copy)]
pub struct ResolvedRoute<'c, 'm> {
    /// The route's `model` pattern.
    pub pattern: &'c str,
    pub provider: &'c Provider,
    /// The route's `upstream_model`, or the model the client asked for.
    pub upstream_model: &'m str,
    pub max_tokens: Option<u32>,
    /// The model the client asked for.
    pub client_model: &'m str,
    pub fallback: &'c [Target],
    pub caps: Caps,
    pub params: Option<&'c RouteParams>,
}

impl<'c: 'm, 'm> ResolvedRoute<'c, 'm> {
    /// The same route sent to its `n`th fallback (no further fallbacks of its own).
    pub fn fallback_target(&self, n: usize) -> Option<Self> {
        let target = self.fallback.get(n)?;
        Some(Self {
            pattern: self.pattern,
            provider: &target.provider,
            upstream_model: target
                .upstream_model
                .as_deref()
                .unwrap_or(self.client_model),
            max_tokens: self.max_tokens,
            client_model: self.client_model,
            fallback: &[],
            caps: target.caps,
            params: self.params,
        })
    }

    /// This route, or (when its model cannot take the request, or its
    /// provider excludes the model) its first fallback that can; else why not.
    pub fn usable(
        self,
        traits: Option<&switchyard_protocol::traits::Traits>,
    ) -> Result<Self, &'static str> {
        let Some(why) = unusable(self.provider, self.upstream_model, &self.caps, traits) else {
            return Ok(self);
        };
        let model = |target: &'c Target| {
            target
                .upstream_model
                .as_deref()
                .unwrap_or(self.client_model)
        };
        let at = (self.fallback.iter())
            .position(|target| {
                unusable(&target.provider, model(target), &target.caps, traits).is_none()
            })
            .ok_or(why)?;
        let target = &self.fallback[at];
        Ok(Self {
            provider: &target.provider,
            upstream_model: model(target),
            fallback: &self.fallback[at + 1..],
            caps: target.caps,
            ..self
        })
    }
}

/// Why `model` at `provider` cannot take a request with `traits`, if it cannot.
pub fn unusable(
    provider: &Provider,
    model: &str,
    caps: &Caps,
    traits: Option<&switchyard_protocol::traits::Traits>,
) -> Option<&'static str> {
    if provider
        .exclude_models
        .iter()
        .any(|glob| glob.matches(model))
    {
        return Some("the provider's `exclude_models` lists it");
    }
    caps.missing(traits?)
}

impl Config {
    /// A key a client presented: one of `client_keys` or the gateway token,
    /// compared in constant time.
    pub fn accepts_client_key(&self, presented: &str) -> bool {
        let mut accepted = false;
        for key in self.client_keys.iter().chain(&self.gateway_token) {
            accepted |= key.matches(presented);
        }
        accepted
    }

    /// The key to give a client: the gateway token, else the first of `client_keys`.
    pub fn key_for_clients(&self) -> Option<&Secret> {
        self.gateway_token.as_ref().or(self.client_keys.first())
    }

    /// Some provider speaks `format` (so a request in it may pass through).
    pub fn has_provider_speaking(&self, format: Format) -> bool {
        self.providers
            .iter()
            .any(|provider| provider.format == format)
    }

    /// The first route whose pattern matches `model`.
    pub fn resolve<'c: 'm, 'm>(&'c self, model: &'m str) -> Option<ResolvedRoute<'c, 'm>> {
        let route = self
            .routes
            .iter()
            .find(|route| route.pattern.matches(model))?;
        Some(Self::resolved(route, route.pattern.as_str(), model))
    }

    /// The first scenario the request falls under, else the scene intent
    /// routing picked, else [`Self::resolve`].
    pub fn resolve_for<'c: 'm, 'm>(
        &'c self,
        model: &'m str,
        traits: Option<&crate::routing::scenario::RequestTraits>,
    ) -> Option<ResolvedRoute<'c, 'm>> {
        if let Some(traits) = traits {
            let applies = |s: &&Scenario| crate::routing::scenario::applies(s, model, traits);
            if let Some(scenario) = self.scenarios.iter().find(applies) {
                return Some(Self::resolved(
                    &scenario.route,
                    scenario.kind.label(),
                    model,
                ));
            }
            let scene = traits
                .scene
                .and_then(|at| self.intent.as_ref()?.scenes.get(at));
            if let Some(scene) = scene {
                return Some(Self::resolved(&scene.route, &scene.label, model));
            }
        }
        self.resolve(model)
    }

    fn resolved<'c: 'm, 'm>(
        route: &'c Route,
        pattern: &'c str,
        model: &'m str,
    ) -> ResolvedRoute<'c, 'm> {
        ResolvedRoute {
            pattern,
            provider: &route.provider,
            upstream_model: route.upstream_model.as_deref().unwrap_or(model),
            max_tokens: route.max_tokens,
            client_model: model,
            fallback: &route.fallback,
            caps: route.caps,
            params: route.params.as_deref(),
        }
    }

    /// The switched-off route `model` would have taken (asked only when no
    /// live route matches).
    pub fn disabled_route(&self, model: &str) -> Option<&DisabledRoute> {
        (self.disabled_routes.iter()).find(|route| route.pattern.matches(model))
    }

    pub fn provider(&self, id: &str) -> Option<&Arc<Provider>> {
        self.providers
            .iter()
            .find(|provider| provider.id.as_str() == id)
    }
}

/// Reads and validates the config at `path`, taking API keys from the
/// process environment and, only when a provider or the gateway token needs
/// it, the OS keychain ([`crate::secrets::service_name`]).
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    load_with_keychain(path, &crate::secrets::service_name())
}

/// [`load`] with the keychain service named.
pub fn load_with_keychain(path: &Path, keychain_service: &str) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let keychain = crate::secrets::Keychain::os(keychain_service);
    let env = |name: &str| std::env::var(name).ok();
    parse_with(
        &text,
        path,
        &Sources {
            env: &env,
            keychain: &keychain,
        },
    )
}

/// Parses and validates `text` without a keychain (keychain keys are
/// reported missing); `origin` names the file in errors, `env` looks up API keys.
pub fn parse(
    text: &str,
    origin: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let keychain = crate::secrets::Keychain::off();
    parse_with(
        text,
        origin,
        &Sources {
            env,
            keychain: &keychain,
        },
    )
}

/// Parses and validates `text` with the given key sources.
pub fn parse_with(text: &str, origin: &Path, sources: &Sources<'_>) -> Result<Config, ConfigError> {
    parse_overridden(text, origin, sources, &Overrides::default())
}

/// [`parse_with`], with the runtime's choices (active profile, switched-off
/// providers) over the file's.
pub fn parse_overridden(
    text: &str,
    origin: &Path,
    sources: &Sources<'_>,
    overrides: &Overrides,
) -> Result<Config, ConfigError> {
    let source = error::Source { text, path: origin };
    let mut raw = raw::deserialize(&source)?;
    overrides.apply(&mut raw);
    validate::validate(raw, &source, sources)
}
