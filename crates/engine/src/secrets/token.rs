//! The per-install gateway token: 32 random bytes behind `sk-switchyard-`,
//! created on first use and kept in the keychain. Clients present it like a
//! `client_keys` entry.

use super::{SecretError, SecretStore, TOKEN_ACCOUNT};
use crate::config::Secret;

pub const PREFIX: &str = "sk-switchyard-";

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Store(#[from] SecretError),
    #[error("the system's random number generator failed: {0}")]
    Random(String),
}

/// The token in `store`, created there if it has none.
pub fn get_or_create(store: &dyn SecretStore) -> Result<Secret, TokenError> {
    if let Some(token) = store.get(TOKEN_ACCOUNT)? {
        return Ok(token);
    }
    rotate(store)
}

/// A new token, replacing the old one (which stops working).
pub fn rotate(store: &dyn SecretStore) -> Result<Secret, TokenError> {
    let token = generate()?;
    store.set(TOKEN_ACCOUNT, &token)?;
    Ok(token)
}

/// `sk-switchyard-` and 64 hex digits (32 bytes from the OS).
pub fn generate() -> Result<Secret, TokenError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|err| TokenError::Random(err.to_string()))?;
    let mut token = String::with_capacity(PREFIX.len() + 64);
    token.push_str(PREFIX);
    for byte in bytes {
        token.push(char::from(HEX[usize::from(byte >> 4)]));
        token.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    bytes.fill(0);
    Ok(Secret::new(token))
}

const HEX: &[u8; 16] = b"0123456789abcdef";
