//! `fallback`, `[retry]`, breaker and key pool settings (issue 10 §2-3):
//! read, validated with the same diagnostics as other fields, and routing
//! that is deterministic.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;
use std::time::Duration;

use proptest::prelude::*;
use switchyard_engine::config::{self, Config, ConfigError, KeyStrategy, ProviderKey};

const BASE: &str = r#"
client_keys = ["sk-test-client-key-0123456789"]
breaker_failures = 7
[[providers]]
id = "deepseek"
format = "openai_chat"
base_url = "https://api.deepseek.com/v1"
api_key_env = ["DS_1", "DS_2", "DS_MISSING"]
key_strategy = "fill_first"
[[providers]]
id = "openrouter"
format = "openai_chat"
base_url = "https://openrouter.ai/api/v1"
api_key_env = "OR"
breaker_cooldown_ms = 5000
"#;

fn parse(text: &str) -> Result<Config, ConfigError> {
    let env = |name: &str| match name {
        "DS_1" | "DS_2" | "OR" => Some(format!("key-{name}")),
        _ => None,
    };
    config::parse(text, Path::new("c.toml"), &env)
}

fn with_routes(routes: &str) -> String {
    format!("{BASE}\n{routes}")
}

#[test]
fn issue_10_fallbacks_retry_breaker_and_pools_are_read() {
    let text = with_routes(
        r#"[retry]
max_attempts = 4
max_total_ms = 9000
backoff_ms = 10
[[routes]]
model = "*"
provider = "deepseek"
upstream_model = "deepseek-chat"
fallback = [{ provider = "openrouter", upstream_model = "deepseek/deepseek-chat" }, { provider = "openrouter" }]
"#,
    );
    let config = parse(&text).unwrap();
    assert_eq!(config.retry.max_attempts, 4);
    assert_eq!(config.retry.max_total, Duration::from_secs(9));
    let [deepseek, openrouter] = &config.providers[..] else {
        panic!()
    };
    assert_eq!(deepseek.key_strategy, KeyStrategy::FillFirst);
    assert!(matches!(&deepseek.key, ProviderKey::Pool(keys) if keys.len() == 2));
    assert_eq!(
        openrouter.key.keys().len(),
        1,
        "a single string still works"
    );
    assert_eq!(
        (deepseek.breaker.failures, openrouter.breaker.failures),
        (7, 7)
    );
    assert_eq!(openrouter.breaker.cooldown, Duration::from_secs(5));
    assert!(
        config
            .warnings
            .iter()
            .any(|w| w.message.contains("DS_MISSING")),
        "{:?}",
        config.warnings
    );
    let route = config.resolve("claude-x").unwrap();
    let first = route.fallback_target(0).unwrap();
    assert_eq!(
        (first.provider.id.as_str(), first.upstream_model),
        ("openrouter", "deepseek/deepseek-chat")
    );
    assert_eq!(route.fallback_target(1).unwrap().upstream_model, "claude-x");
    assert!(route.fallback_target(2).is_none());
}

#[test]
fn issue_10_unknown_fallback_provider_says_did_you_mean() {
    let text = with_routes(
        "[[routes]]\nmodel = \"*\"\nprovider = \"deepseek\"\nfallback = [{ provider = \"openroutr\" }]\n",
    );
    let err = parse(&text).unwrap_err().to_string();
    assert!(err.contains("routes[0].fallback[0].provider"), "{err}");
    assert!(err.contains("unknown provider `openroutr`"), "{err}");
    assert!(err.contains("did you mean `openrouter`?"), "{err}");
}

#[test]
fn issue_10_bad_settings_name_the_field() {
    let cases = [
        (
            "fallback = [{ provider = \"openrouter\", upstream_model = \"\" }]",
            "routes[0].fallback[0].upstream_model",
        ),
        (
            "fallback = [{ provider = \"openrouter\", weight = 2 }]",
            "unknown field `weight`",
        ),
    ];
    for (line, expected) in cases {
        let text = with_routes(&format!(
            "[[routes]]\nmodel = \"*\"\nprovider = \"deepseek\"\n{line}\n"
        ));
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains(expected), "{line}: {err}");
    }
    let text = BASE.replace("fill_first", "random")
        + "[[routes]]\nmodel = \"*\"\nprovider = \"deepseek\"\n";
    let err = parse(&text).unwrap_err().to_string();
    assert!(
        err.contains("key_strategy") && err.contains("round_robin"),
        "{err}"
    );
    let text = BASE.replace("[\"DS_1\", \"DS_2\", \"DS_MISSING\"]", "[]")
        + "[[routes]]\nmodel = \"*\"\nprovider = \"deepseek\"\n";
    let err = parse(&text).unwrap_err().to_string();
    assert!(
        err.contains("providers[0].api_key_env") && err.contains("0 variables"),
        "{err}"
    );
    let text = with_routes(
        "[retry]\nmax_attempts = 0\n[[routes]]\nmodel = \"*\"\nprovider = \"deepseek\"\n",
    );
    let err = parse(&text).unwrap_err().to_string();
    assert!(err.contains("retry.max_attempts"), "{err}");
}

proptest! {
    #[test]
    fn issue_10_route_resolution_is_deterministic(model in "[a-z0-9*-]{0,12}") {
        let text = with_routes(
            r#"[[routes]]
model = "claude-*haiku*"
provider = "openrouter"
[[routes]]
model = "claude-*"
provider = "deepseek"
fallback = [{ provider = "openrouter" }]
[[routes]]
model = "*"
provider = "openrouter"
"#,
        );
        let (one, two) = (parse(&text).unwrap(), parse(&text).unwrap());
        let route = |config: &Config| config.resolve(&model).map(|r| {
            let fallback: Vec<String> = r.fallback.iter().map(|t| t.provider.id.to_string()).collect();
            (r.provider.id.to_string(), r.upstream_model.to_owned(), fallback)
        });
        let first = route(&one);
        prop_assert_eq!(&first, &route(&one), "same config, same answer");
        prop_assert_eq!(&first, &route(&two), "same text, same answer");
        prop_assert!(first.is_some(), "the catch-all matches everything");
    }
}
