//! `switchyard key set|list|rm` and `switchyard token`: the CLI over the
//! keychain. Keys come from a no-echo prompt or stdin, never from argv, and
//! are shown only by their last four characters.

use std::io::{BufRead, IsTerminal, Write};

use super::{SecretError, SecretStore, last_four, token};
use crate::config::{Config, ProviderKey, Secret};

#[derive(Debug, thiserror::Error)]
pub enum KeyCliError {
    #[error(transparent)]
    Store(#[from] SecretError),
    #[error(transparent)]
    Token(#[from] token::TokenError),
    #[error("`{0}` is not a provider id: use letters, digits, `-`, `_` and `.`")]
    BadId(String),
    #[error("no key given: type it at the prompt, or pipe it on stdin")]
    Empty,
    #[error("cannot read the key: {0}")]
    Read(std::io::Error),
    #[error("cannot write the output: {0}")]
    Write(std::io::Error),
}

/// Stores the key for `provider`, read from the terminal without echo or
/// from stdin when it is not a terminal.
pub fn key_set(store: &dyn SecretStore, provider: &str) -> Result<String, KeyCliError> {
    if provider.is_empty()
        || !provider
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
    {
        return Err(KeyCliError::BadId(provider.to_owned()));
    }
    let key = read_key(provider)?;
    store.set(provider, &key)?;
    Ok(format!(
        "stored the key for `{provider}` ({}) in {}",
        last_four(&key),
        store.backend()
    ))
}

fn read_key(provider: &str) -> Result<Secret, KeyCliError> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("API key for {provider} (not shown): "))
            .map_err(KeyCliError::Read)?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(KeyCliError::Read)?;
        line
    };
    let key = Secret::new(text.trim());
    drop(text);
    if key.expose().is_empty() {
        return Err(KeyCliError::Empty);
    }
    Ok(key)
}

pub fn key_rm(store: &dyn SecretStore, provider: &str) -> Result<String, KeyCliError> {
    Ok(if store.delete(provider)? {
        format!("removed the key for `{provider}` from {}", store.backend())
    } else {
        format!("{} holds no key for `{provider}`", store.backend())
    })
}

/// One line per provider of `config`: where its key comes from and its last
/// four characters.
pub fn key_list(config: &Config) -> Vec<String> {
    let mut lines = Vec::new();
    for provider in &config.providers {
        let state = match &provider.key {
            ProviderKey::None => "no key (keyless)".to_owned(),
            ProviderKey::Present(secret) => format!("{} set", last_four(secret)),
            ProviderKey::Pool(keys) => {
                let tails: Vec<String> = keys.iter().map(last_four).collect();
                format!("{} keys set: {}", keys.len(), tails.join(", "))
            }
            ProviderKey::Missing(missing) => format!("missing: {missing}"),
        };
        lines.push(format!("{:<20} {state}", provider.id.as_str()));
    }
    if let Some(token) = &config.gateway_token {
        lines.push(format!(
            "{:<20} {} (gateway token)",
            "(clients)",
            last_four(token)
        ));
    }
    lines
}

/// The gateway token, created if there is none; `rotate` replaces it.
pub fn token(store: &dyn SecretStore, rotate: bool) -> Result<Secret, KeyCliError> {
    if !store.backend().is_persistent() {
        return Err(KeyCliError::Store(SecretError::Unavailable {
            detail: format!("{} would forget the token at reboot", store.backend()),
            hint: super::TOKEN_UNAVAILABLE_HINT,
        }));
    }
    if rotate {
        return Ok(token::rotate(store)?);
    }
    Ok(token::get_or_create(store)?)
}

/// Writes `lines` to stdout; a closed pipe is not an error worth a message.
pub fn print_lines(lines: &[String]) -> Result<(), KeyCliError> {
    let mut out = std::io::stdout().lock();
    for line in lines {
        match writeln!(out, "{line}") {
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
            other => other.map_err(KeyCliError::Write)?,
        }
    }
    Ok(())
}
