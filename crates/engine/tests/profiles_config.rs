//! `[[profiles]]`, `profile` and `enabled` (issue 10 §4): which routes are
//! live, the diagnostics for mistakes, and resolution that is a pure
//! function of the config and the model.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;

use proptest::prelude::*;
use switchyard_engine::config::{self, Config, ConfigError, Overrides};

const PROVIDERS: &str = r#"
client_keys = ["sk-test-client-key-0123456789"]
[[providers]]
id = "deepseek"
format = "openai_chat"
base_url = "http://127.0.0.1:1/v1"
[[providers]]
id = "kimi"
format = "anthropic"
base_url = "http://127.0.0.1:2"
[[providers]]
id = "anthropic"
format = "anthropic"
base_url = "http://127.0.0.1:3"
"#;

const PROFILES: &str = r#"
[[profiles]]
name = "deepseek"
[[profiles.routes]]
model = "claude-*"
provider = "deepseek"
upstream_model = "deepseek-chat"
fallback = [{ provider = "kimi", upstream_model = "kimi-k2" }]
[[profiles]]
name = "kimi"
[[profiles.routes]]
model = "claude-*"
provider = "kimi"
upstream_model = "kimi-k2"
[[routes]]
model = "*"
provider = "anthropic"
"#;

fn parse(text: &str) -> Result<Config, ConfigError> {
    config::parse(text, Path::new("c.toml"), &|_| None)
}

fn with(overrides: &Overrides, text: &str) -> Config {
    let keychain = switchyard_engine::secrets::Keychain::off();
    let sources = config::Sources {
        env: &|_| None,
        keychain: &keychain,
    };
    config::parse_overridden(text, Path::new("c.toml"), &sources, overrides).unwrap()
}

fn target(config: &Config, model: &str) -> Option<(String, String, Vec<String>)> {
    let route = config.resolve(model)?;
    let fallback = route
        .fallback
        .iter()
        .map(|t| t.provider.id.to_string())
        .collect();
    Some((
        route.provider.id.to_string(),
        route.upstream_model.to_owned(),
        fallback,
    ))
}

fn error(text: &str) -> String {
    parse(text)
        .err()
        .map(|err| err.to_string())
        .unwrap_or_default()
}

#[test]
fn issue_10_the_first_profile_is_active_and_its_routes_come_before_the_shared_ones() {
    let config = parse(&format!("{PROVIDERS}{PROFILES}")).unwrap();
    assert_eq!(config.profiles, ["deepseek", "kimi"]);
    assert_eq!(config.active_profile.as_deref(), Some("deepseek"));
    let expected = (
        "deepseek".into(),
        "deepseek-chat".into(),
        vec!["kimi".into()],
    );
    assert_eq!(target(&config, "claude-sonnet-4-5"), Some(expected));
    assert_eq!(target(&config, "gpt-4o").unwrap().0, "anthropic");

    let config = parse(&format!("profile = \"kimi\"\n{PROVIDERS}{PROFILES}")).unwrap();
    assert_eq!(
        target(&config, "claude-x").unwrap(),
        ("kimi".into(), "kimi-k2".into(), vec![])
    );
}

#[test]
fn issue_10_a_switched_off_provider_leaves_its_routes_and_its_fallback_moves_up() {
    let text = format!("{PROVIDERS}{PROFILES}");
    let mut off = Overrides::default();
    off.enabled.insert("deepseek".into(), false);
    let config = with(&off, &text);
    assert_eq!(
        target(&config, "claude-x").unwrap(),
        ("kimi".into(), "kimi-k2".into(), vec![])
    );

    // Every target off: the next matching route takes the model.
    off.enabled.insert("kimi".into(), false);
    let config = with(&off, &text);
    assert_eq!(target(&config, "claude-x").unwrap().0, "anthropic");

    // Nothing left: refused naming what is off.
    off.enabled.insert("anthropic".into(), false);
    let config = with(&off, &text);
    assert!(target(&config, "claude-x").is_none());
    let disabled = config.disabled_route("claude-x").unwrap();
    let ids: Vec<&str> = disabled.providers.iter().map(|id| id.as_str()).collect();
    assert_eq!(ids, ["deepseek", "kimi"]);
}

#[test]
fn issue_10_enabled_false_in_the_file_is_the_same_as_a_switch() {
    let text = format!("{PROVIDERS}{PROFILES}").replace(
        "id = \"deepseek\"\n",
        "id = \"deepseek\"\nenabled = false\n",
    );
    let config = parse(&text).unwrap();
    assert!(!config.provider("deepseek").unwrap().enabled);
    assert_eq!(target(&config, "claude-x").unwrap().0, "kimi");
}

#[test]
fn issue_10_profile_mistakes_are_named_with_line_and_hint() {
    let unknown = error(&format!("profile = \"kimmi\"\n{PROVIDERS}{PROFILES}"));
    assert!(unknown.contains("unknown profile `kimmi`"), "{unknown}");
    assert!(unknown.contains("did you mean `kimi`?"), "{unknown}");
    assert!(unknown.contains("c.toml, line 1, column 11"), "{unknown}");

    let twice =
        error(&format!("{PROVIDERS}{PROFILES}").replace("name = \"kimi\"", "name = \"deepseek\""));
    assert!(
        twice.contains("a second profile is named `deepseek`"),
        "{twice}"
    );

    let spaced =
        error(&format!("{PROVIDERS}{PROFILES}").replace("name = \"kimi\"", "name = \"to kimi\""));
    assert!(
        spaced.contains("profile name `to kimi` must be"),
        "{spaced}"
    );

    // An inactive profile is checked too: switching to it cannot fail later.
    let inactive = error(&format!("{PROVIDERS}{PROFILES}").replace(
        "provider = \"kimi\"\nupstream_model = \"kimi-k2\"\n[[routes]]",
        "provider = \"kimy\"\nupstream_model = \"kimi-k2\"\n[[routes]]",
    ));
    assert!(
        inactive.contains("profiles[1].routes[0].provider"),
        "{inactive}"
    );
    assert!(inactive.contains("unknown provider `kimy`"), "{inactive}");

    let empty = error(&format!("{PROVIDERS}[[profiles]]\nname = \"bare\"\n"));
    assert!(
        empty.contains("the active profile has no routes"),
        "{empty}"
    );
}

proptest! {
    /// Any set of switched-off providers and any active profile: resolving
    /// twice gives the same answer, never a switched-off provider.
    #[test]
    fn issue_10_resolution_is_deterministic_and_skips_switched_off_providers(
        off in proptest::collection::vec(any::<bool>(), 3),
        profile in prop_oneof![Just("deepseek"), Just("kimi")],
        model in prop_oneof![Just("claude-sonnet-4-5"), Just("claude-haiku"), Just("gpt-4o"), Just("x")],
    ) {
        let mut overrides = Overrides { profile: Some(profile.to_owned()), ..Overrides::default() };
        for (id, off) in ["deepseek", "kimi", "anthropic"].into_iter().zip(&off) {
            overrides.enabled.insert(id.to_owned(), !off);
        }
        let text = format!("{PROVIDERS}{PROFILES}");
        let (first, second) = (with(&overrides, &text), with(&overrides, &text));
        let resolved = target(&first, model);
        prop_assert_eq!(&resolved, &target(&second, model));
        if let Some((provider, _, fallback)) = resolved {
            for id in std::iter::once(&provider).chain(&fallback) {
                prop_assert!(first.provider(id).unwrap().enabled, "{} is off", id);
            }
        } else {
            prop_assert!(first.disabled_route(model).is_some());
        }
    }
}
