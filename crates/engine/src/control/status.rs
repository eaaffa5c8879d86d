//! [`Status`]: what the running gateway serves with and how its providers
//! are doing, for `switchyard status`, the tray and the window.

use std::path::PathBuf;

use serde::Serialize;

use super::Control;
use crate::config::{Config, Provider, ProviderKey};
use crate::routing::{Circuit, Health};

#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub version: &'static str,
    /// `http://127.0.0.1:4315`.
    pub url: String,
    pub config_path: PathBuf,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub active_profile: Option<String>,
    pub profiles: Vec<ProfileStatus>,
    pub providers: Vec<ProviderStatus>,
    /// Live routes (after switched-off providers were taken out).
    pub routes: usize,
    /// A switch could not be written into the config file: it lasts until the gateway stops.
    pub unsaved: bool,
    pub usage: UsageStatus,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProfileStatus {
    pub name: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProviderStatus {
    pub id: String,
    pub format: &'static str,
    pub base_url: String,
    pub preset: Option<String>,
    pub enabled: bool,
    pub key: KeyState,
    /// Keys configured.
    pub keys: usize,
    /// Refused by the upstream (401/403): not used until the config or key changes.
    pub keys_refused: usize,
    /// Resting after a 429.
    pub keys_cooling: usize,
    pub circuit: CircuitStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// A local server that needs none.
    None,
    Present,
    Missing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CircuitStatus {
    Closed { failures: u32 },
    Open { retry_in_ms: u64 },
    HalfOpen,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageStatus {
    pub path: Option<PathBuf>,
    pub error: Option<String>,
    pub stored: u64,
    pub dropped: u64,
    pub lost: u64,
}

pub(super) fn build(control: &Control, unsaved: bool) -> Status {
    let state = control.inner.live.state();
    let config = &state.config;
    let store = control.inner.usage.status();
    Status {
        version: env!("CARGO_PKG_VERSION"),
        url: format!("http://{}", control.inner.local_addr),
        config_path: control.inner.path.clone(),
        started_at: humantime::format_rfc3339_seconds(control.inner.started).to_string(),
        active_profile: config.active_profile.clone(),
        profiles: (config.profiles.iter())
            .map(|name| ProfileStatus {
                name: name.clone(),
                active: config.active_profile.as_ref() == Some(name),
            })
            .collect(),
        providers: (config.providers.iter())
            .map(|provider| provider_status(provider, &state.health))
            .collect(),
        routes: config.routes.len(),
        unsaved,
        usage: UsageStatus {
            path: store.path,
            error: store.error,
            stored: store.stored,
            dropped: store.dropped,
            lost: store.lost,
        },
        warnings: config.warnings.iter().map(ToString::to_string).collect(),
    }
}

fn provider_status(provider: &Provider, health: &Health) -> ProviderStatus {
    let now = health.now_ms();
    let (keys_refused, keys_cooling, circuit) = match health.of(provider) {
        Some(health) => {
            let (refused, cooling) = health.keys.troubled(now);
            (refused, cooling, health.breaker.circuit(now))
        }
        None => (0, 0, Circuit::Closed { failures: 0 }),
    };
    ProviderStatus {
        id: provider.id.to_string(),
        format: provider.format.as_str(),
        base_url: provider.base_url.clone(),
        preset: provider.preset.clone(),
        enabled: provider.enabled,
        key: match provider.key {
            ProviderKey::None => KeyState::None,
            ProviderKey::Present(_) | ProviderKey::Pool(_) => KeyState::Present,
            ProviderKey::Missing(_) => KeyState::Missing,
        },
        keys: provider.key.keys().len(),
        keys_refused,
        keys_cooling,
        circuit: match circuit {
            Circuit::Closed { failures } => CircuitStatus::Closed { failures },
            Circuit::Open { retry_in_ms } => CircuitStatus::Open { retry_in_ms },
            Circuit::HalfOpen => CircuitStatus::HalfOpen,
        },
    }
}

/// Settings a reload cannot apply to a running gateway: the listener, the
/// body limit its router was built with, and the usage store's setup.
pub(super) fn needs_restart(old: &Config, new: &Config) -> Vec<String> {
    let checks = [
        ("listen", old.listen != new.listen),
        (
            "allow_non_loopback",
            old.allow_non_loopback != new.allow_non_loopback,
        ),
        (
            "max_request_bytes",
            old.max_request_bytes != new.max_request_bytes,
        ),
        (
            "usage (usage_db, record_usage, retention)",
            old.usage != new.usage,
        ),
        ("prices", old.prices != new.prices),
        ("budgets", old.budgets != new.budgets),
    ];
    (checks.into_iter())
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| name.to_owned())
        .collect()
}
