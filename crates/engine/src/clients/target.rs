//! What clients are pointed at: the gateway's URL, the token they present,
//! and the model ids they ask for.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use crate::config::{Config, Secret};

use super::error::ClientsError;

/// The gateway as clients must reach it.
#[derive(Debug, Clone)]
pub struct Target {
    /// `http://127.0.0.1:4315`: no trailing slash, no `/v1`.
    pub gateway_url: String,
    /// What clients present to the gateway.
    pub token: Secret,
    pub models: Models,
    /// The routed model's context window, when known.
    pub context_window: Option<u64>,
}

impl Target {
    /// From the gateway's config: its `listen` address and [`client_token`].
    pub fn from_config(
        config: &Config,
        models: Models,
        context_window: Option<u64>,
    ) -> Result<Self, ClientsError> {
        Ok(Self {
            gateway_url: gateway_url(config.listen)?,
            token: client_token(config)?,
            models,
            context_window,
        })
    }

    /// The OpenAI-style base URL (`…/v1`).
    pub(crate) fn openai_base(&self) -> String {
        format!("{}/v1", self.gateway_url.trim_end_matches('/'))
    }

    pub(crate) fn base(&self) -> &str {
        self.gateway_url.trim_end_matches('/')
    }
}

/// The token clients present to the gateway: the keychain's gateway token
/// when it is in play, else the config's first `client_keys` entry.
pub fn client_token(config: &Config) -> Result<Secret, ClientsError> {
    config.key_for_clients().cloned().ok_or_else(|| {
        ClientsError::Setup(
            "the gateway has no key for clients: keep the gateway token in a keychain, or add client_keys (`switchyard init` writes an example)"
                .to_owned(),
        )
    })
}

/// `http://ADDR` for a listen address; an unspecified address (0.0.0.0, ::)
/// is reached through loopback.
pub fn gateway_url(listen: SocketAddr) -> Result<String, ClientsError> {
    if listen.port() == 0 {
        return Err(ClientsError::Setup(
            "`listen` has port 0 (a random port each start): give it a fixed port, clients need one".to_owned(),
        ));
    }
    let host = match listen {
        SocketAddr::V4(addr) if addr.ip().is_unspecified() => "127.0.0.1".to_owned(),
        SocketAddr::V4(addr) => addr.ip().to_string(),
        SocketAddr::V6(addr) if addr.ip().is_unspecified() => "[::1]".to_owned(),
        SocketAddr::V6(addr) => format!("[{}]", addr.ip()),
    };
    Ok(format!("http://{host}:{}", listen.port()))
}

/// The model id each tier asks the gateway for. Stable, gateway-owned ids
/// containing `claude` (Claude Code's picker shows only those).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Models {
    pub main: String,
    pub opus: String,
    pub sonnet: String,
    pub haiku: String,
    /// Claude Code's `fable` tier.
    pub fable: String,
    /// Background work (titles, summaries).
    pub small_fast: String,
    pub subagent: String,
}

impl Default for Models {
    fn default() -> Self {
        Self {
            main: "claude-sonnet-4-5".to_owned(),
            opus: "claude-opus-4-1".to_owned(),
            sonnet: "claude-sonnet-4-5".to_owned(),
            haiku: "claude-haiku-4-5".to_owned(),
            fable: "claude-opus-4-1".to_owned(),
            small_fast: "claude-haiku-4-5".to_owned(),
            subagent: "claude-sonnet-4-5".to_owned(),
        }
    }
}

impl Models {
    pub fn set(&mut self, tier: Tier, model: impl Into<String>) {
        let slot = match tier {
            Tier::Main => &mut self.main,
            Tier::Opus => &mut self.opus,
            Tier::Sonnet => &mut self.sonnet,
            Tier::Haiku => &mut self.haiku,
            Tier::Fable => &mut self.fable,
            Tier::SmallFast => &mut self.small_fast,
            Tier::Subagent => &mut self.subagent,
        };
        *slot = model.into();
    }

    /// Each distinct id once, main first.
    pub(crate) fn distinct(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        let all = [
            &self.main,
            &self.opus,
            &self.sonnet,
            &self.haiku,
            &self.fable,
            &self.small_fast,
            &self.subagent,
        ];
        for id in all {
            if !ids.contains(&id.as_str()) {
                ids.push(id);
            }
        }
        ids
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Main,
    Opus,
    Sonnet,
    Haiku,
    Fable,
    SmallFast,
    Subagent,
}

const TIERS: [(&str, Tier); 7] = [
    ("main", Tier::Main),
    ("opus", Tier::Opus),
    ("sonnet", Tier::Sonnet),
    ("haiku", Tier::Haiku),
    ("fable", Tier::Fable),
    ("small-fast", Tier::SmallFast),
    ("subagent", Tier::Subagent),
];

impl FromStr for Tier {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        TIERS
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, tier)| *tier)
            .ok_or_else(|| {
                let names: Vec<&str> = TIERS.iter().map(|(known, _)| *known).collect();
                format!("unknown tier `{name}`; use one of {}", names.join(", "))
            })
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = TIERS
            .iter()
            .find(|(_, tier)| tier == self)
            .map_or("?", |(name, _)| name);
        f.write_str(name)
    }
}
