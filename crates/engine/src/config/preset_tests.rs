//! Issue 10: `preset = "…"` inherits from the catalog; the config overrides.

use std::path::Path;

use switchyard_protocol::Format;

use super::*;

fn provider(lines: &str) -> Result<Arc<Provider>, ConfigError> {
    let text = format!(
        "client_keys = [\"sk-local-0123456789abcdef\"]\n[[providers]]\nid = \"p\"\n{lines}\n\
         [[routes]]\nmodel = \"*\"\nprovider = \"p\"\n"
    );
    let env = |name: &str| (name == "KEY").then(|| "sk-upstream".to_owned());
    let mut config = parse(&text, Path::new("p.toml"), &env)?;
    Ok(config.providers.remove(0))
}

fn error(lines: &str) -> String {
    provider(lines)
        .err()
        .map(|err| err.to_string())
        .unwrap_or_default()
}

#[test]
fn issue_10_preset_gives_format_base_url_and_quirks() -> Result<(), ConfigError> {
    let deepseek = provider("preset = \"deepseek\"\napi_key_env = \"KEY\"")?;
    assert_eq!(
        (deepseek.format, deepseek.base_url.as_str()),
        (Format::OpenaiChat, "https://api.deepseek.com/v1")
    );
    assert_eq!(
        (deepseek.auth, deepseek.preset.as_deref()),
        (AuthHeader::Bearer, Some("deepseek"))
    );
    let openai = provider("preset = \"openai\"\napi_key_env = \"KEY\"")?;
    assert_eq!(openai.max_tokens_field, MaxTokensField::MaxCompletionTokens);
    // Moonshot's Anthropic endpoint takes a bearer token, not x-api-key.
    let kimi = provider("preset = \"moonshot\"\nformat = \"anthropic\"\napi_key_env = \"KEY\"")?;
    assert_eq!(
        (kimi.format, kimi.auth),
        (Format::Anthropic, AuthHeader::Bearer)
    );
    assert_eq!(kimi.base_url, "https://api.moonshot.ai/anthropic");
    Ok(())
}

#[test]
fn issue_10_config_fields_override_the_preset() -> Result<(), ConfigError> {
    let lines = "preset = \"openai\"\napi_key_env = \"KEY\"\nbase_url = \"https://proxy.example/v1\"\n\
                 max_tokens_field = \"max_tokens\"\nreasoning_effort = true";
    let openai = provider(lines)?;
    assert_eq!(openai.base_url, "https://proxy.example/v1");
    assert_eq!(openai.max_tokens_field, MaxTokensField::MaxTokens);
    assert!(openai.reasoning_effort);
    Ok(())
}

#[test]
fn issue_10_local_presets_need_no_key() -> Result<(), ConfigError> {
    let ollama = provider("preset = \"ollama\"")?;
    assert!(matches!(ollama.key, ProviderKey::None));
    assert!(
        ollama.base_url.starts_with("http://127.0.0.1:11434")
            || ollama.base_url.starts_with("http://localhost:11434")
    );
    Ok(())
}

#[test]
fn issue_10_preset_errors_name_the_field_and_a_fix() {
    let cases = [
        (
            "preset = \"deepsek\"",
            "providers[0].preset|unknown preset `deepsek`|did you mean `deepseek`?",
        ),
        (
            "preset = \"deepseek\"\nformat = \"gemini\"",
            "providers[0].format|preset `deepseek` offers no gemini endpoint|it offers: openai_chat, anthropic",
        ),
        (
            "preset = \"openai-compatible\"",
            "providers[0].base_url|preset `openai-compatible` has no fixed address|set base_url",
        ),
        (
            "format = \"openai_chat\"",
            "providers[0].base_url|missing field `base_url`",
        ),
    ];
    for (lines, expected) in cases {
        let message = error(lines);
        for part in expected.split('|') {
            assert!(
                message.contains(part),
                "{lines:?}: {message:?} lacks {part:?}"
            );
        }
    }
}
