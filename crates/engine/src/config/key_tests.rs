//! Issue 11: where provider keys and the gateway token come from.

use std::path::Path;

use super::*;
use crate::secrets::{Keychain, MemoryStore, SecretStore, TOKEN_ACCOUNT};

fn config(client_keys: &str, provider: &str) -> String {
    format!(
        "{client_keys}\n[[providers]]\nid = \"deepseek\"\nformat = \"openai_chat\"\n{provider}\n\
         [[routes]]\nmodel = \"*\"\nprovider = \"deepseek\"\n"
    )
}

const REMOTE: &str = "base_url = \"https://api.deepseek.com/v1\"";
const KEYS: &str = "client_keys = [\"sk-local-0123456789abcdef\"]";

fn with_store(text: &str, store: &MemoryStore) -> Result<Config, ConfigError> {
    let keychain = Keychain::given(store);
    let env = |_: &str| None;
    parse_with(
        text,
        Path::new("k.toml"),
        &Sources {
            env: &env,
            keychain: &keychain,
        },
    )
}

#[test]
fn issue_11_remote_provider_without_env_reads_the_keychain() -> Result<(), ConfigError> {
    let store = MemoryStore::new();
    store.set("deepseek", &Secret::new("sk-from-keychain")).ok();
    let config = with_store(&config(KEYS, REMOTE), &store)?;
    assert_eq!(
        config.providers[0].key.secret().map(Secret::expose),
        Some("sk-from-keychain")
    );
    // A provider reads the keychain, so the token is in play too.
    assert!(config.gateway_token.is_some());
    assert!(config.warnings.is_empty());
    Ok(())
}

#[test]
fn issue_11_loopback_and_none_are_keyless_and_never_open_the_keychain() -> Result<(), ConfigError> {
    for provider in [
        "base_url = \"http://127.0.0.1:11434/v1\"".to_owned(),
        "base_url = \"http://localhost:1234/v1\"".to_owned(),
        format!("{REMOTE}\napi_key = \"none\""),
    ] {
        // `parse` has the keychain off: opening it would be a missing-key warning.
        let config = parse(&config(KEYS, &provider), Path::new("k.toml"), &|_| None)?;
        assert!(
            matches!(config.providers[0].key, ProviderKey::None),
            "{provider}"
        );
        assert!(config.warnings.is_empty() && config.gateway_token.is_none());
    }
    Ok(())
}

#[test]
fn issue_11_missing_keychain_entry_is_a_warning_with_the_fix() -> Result<(), ConfigError> {
    let config = with_store(&config(KEYS, REMOTE), &MemoryStore::new())?;
    let warning = config.warnings[0].to_string();
    for part in [
        "the keychain has no key for `deepseek`",
        "run `switchyard key set deepseek`",
    ] {
        assert!(warning.contains(part), "{warning}");
    }
    Ok(())
}

#[test]
fn issue_11_no_client_keys_means_the_gateway_token() -> Result<(), ConfigError> {
    let store = MemoryStore::new();
    let keyless = "base_url = \"http://127.0.0.1:11434/v1\"";
    let config = with_store(&config("", keyless), &store)?;
    let token = config
        .gateway_token
        .as_ref()
        .map(Secret::expose)
        .unwrap_or_default()
        .to_owned();
    assert!(
        token.starts_with("sk-switchyard-") && token.len() == 78,
        "{token}"
    );
    assert_eq!(
        store
            .get(TOKEN_ACCOUNT)
            .ok()
            .flatten()
            .map(|t| t.expose().to_owned()),
        Some(token.clone())
    );
    assert!(config.accepts_client_key(&token));
    assert!(!config.accepts_client_key("sk-switchyard-other"));
    assert_eq!(
        config.key_for_clients().map(Secret::expose),
        Some(token.as_str())
    );
    // The same token on the next load.
    let again = with_store(&config_text_again(keyless), &store)?;
    assert_eq!(
        again.gateway_token.as_ref().map(Secret::expose),
        Some(token.as_str())
    );
    Ok(())
}

fn config_text_again(provider: &str) -> String {
    config("", provider)
}

#[test]
fn issue_11_key_errors_name_the_field() {
    let cases = [
        (
            config("", "base_url = \"http://127.0.0.1:1/v1\""),
            "no client keys, and the gateway token cannot be kept",
        ),
        (config("client_keys = []", REMOTE), "client_keys is empty"),
        (
            config(
                KEYS,
                &format!("{REMOTE}\napi_key = \"keychain\"\napi_key_env = \"X\""),
            ),
            "both api_key and api_key_env are set",
        ),
        (
            config(KEYS, REMOTE).replace("id = \"deepseek\"", "id = \"deep:seek\""),
            "characters other than letters",
        ),
    ];
    for (text, expected) in cases {
        let message = parse(&text, Path::new("k.toml"), &|_| None)
            .err()
            .map(|err| err.to_string())
            .unwrap_or_default();
        assert!(message.contains(expected), "{message:?} lacks {expected:?}");
    }
}
