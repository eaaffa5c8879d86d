//! [`ProviderKey`]: a provider's upstream key, or why it has none.

use std::fmt;

use super::Secret;

/// Where a provider's key stands once the config is loaded.
#[derive(Debug)]
pub enum ProviderKey {
    /// Keyless (a local server such as Ollama): no auth header is sent.
    None,
    Present(Secret),
    /// Several keys (`api_key_env = ["K1", "K2"]`), spread by the key strategy.
    Pool(Vec<Secret>),
    /// The config names a key that is not there. The gateway still starts;
    /// requests routed to the provider are refused with this reason.
    Missing(MissingKey),
}

impl ProviderKey {
    /// The first key.
    pub fn secret(&self) -> Option<&Secret> {
        self.keys().first()
    }

    /// Every key, in config order (empty when keyless or missing).
    pub fn keys(&self) -> &[Secret] {
        match self {
            Self::Present(secret) => std::slice::from_ref(secret),
            Self::Pool(keys) => keys,
            Self::None | Self::Missing(_) => &[],
        }
    }

    pub fn missing(&self) -> Option<&MissingKey> {
        match self {
            Self::Missing(missing) => Some(missing),
            Self::None | Self::Present(_) | Self::Pool(_) => None,
        }
    }
}

/// Why a provider that needs a key has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MissingKey {
    EnvUnset {
        variable: String,
    },
    EnvEmpty {
        variable: String,
    },
    /// The keychain answers but holds no entry for the provider.
    KeychainEmpty {
        provider: String,
    },
    /// No keychain could be reached (the detail says why).
    KeychainUnavailable {
        provider: String,
        detail: String,
    },
}

impl MissingKey {
    /// What the user does about it.
    pub fn fix(&self) -> String {
        match self {
            Self::EnvUnset { variable } | Self::EnvEmpty { variable } => {
                format!("export {variable}=<your key> and restart the gateway")
            }
            Self::KeychainEmpty { provider } => {
                format!("run `switchyard key set {provider}` and restart the gateway")
            }
            Self::KeychainUnavailable { .. } => format!(
                "{}; then restart the gateway",
                crate::secrets::UNAVAILABLE_HINT
            ),
        }
    }
}

impl fmt::Display for MissingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EnvUnset { variable } => write!(f, "environment variable {variable} is not set"),
            Self::EnvEmpty { variable } => {
                write!(f, "environment variable {variable} is set but empty")
            }
            Self::KeychainEmpty { provider } => {
                write!(f, "the keychain has no key for `{provider}`")
            }
            Self::KeychainUnavailable { detail, .. } => {
                write!(f, "no keychain is reachable ({detail})")
            }
        }
    }
}
