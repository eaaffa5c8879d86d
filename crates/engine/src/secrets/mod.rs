//! Where keys live: the OS keychain behind [`SecretStore`], with an
//! in-memory store for tests. Service `switchyard`, one entry per provider id,
//! plus the per-install gateway token ([`token`]).
//!
//! Never a file: when no keychain is reachable the caller is told what is
//! missing and how to fix it (or to use `api_key_env`), not given a fallback.

pub mod cli;
mod keychain;
mod memory;
mod source;
pub mod token;

use std::fmt;

pub use keychain::KeychainStore;
pub use memory::MemoryStore;
pub use source::Keychain;

use crate::config::Secret;

/// The keychain service every entry is filed under.
pub const SERVICE: &str = "switchyard";

/// [`SERVICE`], or `SWITCHYARD_KEYCHAIN_SERVICE` when set: tests use their
/// own service so they never read or write the user's entries.
pub fn service_name() -> String {
    std::env::var("SWITCHYARD_KEYCHAIN_SERVICE")
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| SERVICE.to_owned())
}

/// The account of the gateway token. Provider ids cannot contain `:`
/// (config validation), so no provider can collide with it.
pub const TOKEN_ACCOUNT: &str = "switchyard:gateway-token";

/// A place to keep secrets, one per account name.
pub trait SecretStore: Send + Sync {
    /// The secret, or `None` when the store holds no entry for `account`.
    fn get(&self, account: &str) -> Result<Option<Secret>, SecretError>;
    fn set(&self, account: &str, secret: &Secret) -> Result<(), SecretError>;
    /// Whether there was an entry to remove.
    fn delete(&self, account: &str) -> Result<bool, SecretError>;
    /// Which keychain this is, for messages ("Secret Service", …).
    fn backend(&self) -> Backend;
}

/// The keychain implementation in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Linux Secret Service (GNOME Keyring, KWallet) over D-Bus.
    SecretService,
    /// The Linux kernel keyring: no Secret Service runs, so keys last until reboot.
    KernelKeyutils,
    MacosKeychain,
    WindowsCredentialManager,
    /// [`MemoryStore`]: tests only.
    Memory,
}

impl Backend {
    /// Entries survive a reboot (the kernel keyring's do not: the gateway
    /// token is never kept there, or clients would break at each boot).
    pub fn is_persistent(self) -> bool {
        !matches!(self, Self::KernelKeyutils | Self::Memory)
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SecretService => "the Secret Service (GNOME Keyring / KWallet)",
            Self::KernelKeyutils => {
                "the kernel keyring (no Secret Service is running: keys last until reboot)"
            }
            Self::MacosKeychain => "the macOS Keychain",
            Self::WindowsCredentialManager => "the Windows Credential Manager",
            Self::Memory => "an in-memory store",
        })
    }
}

/// Why the keychain could not be used. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("no keychain is reachable: {detail} (hint: {hint})")]
    Unavailable { detail: String, hint: &'static str },
    #[error("the keychain refused `{account}`: {detail}")]
    Platform { account: String, detail: String },
    #[error("the keychain entry `{account}` is not valid UTF-8 text")]
    BadEncoding { account: String },
}

/// What to do when no keychain is reachable, per platform.
pub const UNAVAILABLE_HINT: &str = if cfg!(target_os = "linux") {
    "start a Secret Service (e.g. `gnome-keyring-daemon --start --components=secrets` in your \
     desktop session, or install gnome-keyring), or give the key through `api_key_env` instead"
} else {
    "unlock your login keychain, or give the key through `api_key_env` instead"
};

/// What to do when no keychain can keep the gateway token.
pub const TOKEN_UNAVAILABLE_HINT: &str = if cfg!(target_os = "linux") {
    "start a Secret Service (e.g. install gnome-keyring and run `gnome-keyring-daemon --start \
     --components=secrets`), or list client_keys in the config instead"
} else {
    "unlock your login keychain, or list client_keys in the config instead"
};

/// The last four characters of a key, for lists: `…9f3a`.
pub fn last_four(secret: &Secret) -> String {
    let chars: Vec<char> = secret.expose().chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("…{tail}")
}
