use std::path::Path;
use std::time::Duration;

use switchyard_protocol::Format;

use super::*;

// Line numbers matter: the error tests below name them.
const VALID: &str = r#"listen = "127.0.0.1:4315"
client_keys = ["sk-local-0123456789abcdef"]
[[providers]]
id = "deepseek"
format = "openai_chat"
base_url = "https://api.deepseek.com/v1/"
api_key_env = "DEEPSEEK_API_KEY"
headers = { "X-Title" = "header-value-42" }
[[providers]]
id = "ollama"
format = "openai_chat"
base_url = "http://localhost:11434/v1"
[[routes]]
model = "claude-*haiku*"
provider = "deepseek"
upstream_model = "deepseek-chat"
max_tokens = 8192
[[routes]]
model = "*"
provider = "ollama"
"#;

fn env(name: &str) -> Option<String> {
    (name == "DEEPSEEK_API_KEY").then(|| "sk-upstream-secret".to_owned())
}

fn parse_with(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
    parse(text, Path::new("dir/test.toml"), env)
}

/// The error's Display, or "" when the text is valid (failing the caller's asserts).
fn error(text: &str) -> String {
    parse_with(text, &env)
        .err()
        .map(|err| err.to_string())
        .unwrap_or_default()
}

fn edited(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "{from}");
    VALID.replacen(from, to, 1)
}

fn assert_contains(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{text:?} lacks {part:?}");
    }
}

#[test]
fn valid_config_resolves_providers_routes_and_defaults() -> Result<(), ConfigError> {
    let config = parse_with(VALID, &env)?;
    assert_eq!(config.listen.to_string(), "127.0.0.1:4315");
    assert!(!config.allow_non_loopback);
    assert!(config.client_keys[0].matches("sk-local-0123456789abcdef"));
    let deepseek = &config.providers[0];
    assert_eq!(deepseek.id.as_str(), "deepseek");
    assert_eq!(deepseek.format, Format::OpenaiChat);
    assert_eq!(deepseek.base_url, "https://api.deepseek.com/v1");
    assert_eq!(
        deepseek.key.secret().map(Secret::expose),
        Some("sk-upstream-secret")
    );
    assert_eq!(
        deepseek.headers,
        [("X-Title".to_owned(), "header-value-42".to_owned())]
    );
    assert!(!deepseek.reasoning_effort);
    assert_eq!(deepseek.connect_timeout, Duration::from_secs(10));
    assert_eq!(deepseek.first_byte_timeout, Duration::from_secs(300));
    assert!(matches!(config.providers[1].key, ProviderKey::None));
    assert!(config.warnings.is_empty());

    let haiku = config
        .resolve("claude-3-5-haiku-20241022")
        .map(|r| (r.provider.id.as_str(), r.upstream_model, r.max_tokens));
    assert_eq!(haiku, Some(("deepseek", "deepseek-chat", Some(8192))));
    let other = config
        .resolve("gpt-4o")
        .map(|r| (r.provider.id.as_str(), r.upstream_model, r.max_tokens));
    assert_eq!(other, Some(("ollama", "gpt-4o", None)));
    Ok(())
}

#[test]
fn optional_fields_and_listen_default() -> Result<(), ConfigError> {
    let text = edited("listen = \"127.0.0.1:4315\"\n", "")
        .replacen("[[providers]]\n", "[[providers]]\nreasoning_effort = true\nconnect_timeout_ms = 500\nfirst_byte_timeout_ms = 1500\n", 1);
    let config = parse_with(&text, &env)?;
    assert_eq!(config.listen.to_string(), "127.0.0.1:4315");
    let provider = &config.providers[0];
    assert!(provider.reasoning_effort);
    assert_eq!(provider.connect_timeout, Duration::from_millis(500));
    assert_eq!(provider.first_byte_timeout, Duration::from_millis(1500));
    Ok(())
}

#[test]
fn no_route_matches_without_a_catch_all() -> Result<(), ConfigError> {
    let text = edited("model = \"*\"", "model = \"gpt-?o\"");
    let config = parse_with(&text, &env)?;
    assert!(config.resolve("gpt-4o").is_some());
    assert!(config.resolve("gpt-4o-mini").is_none());
    Ok(())
}

#[rustfmt::skip]
/// `(replace this, with this, expected parts of the error joined by '|')`; env sets DEEPSEEK_API_KEY.
const ERROR_CASES: &[(&str, &str, &str)] = &[
    ("127.0.0.1:4315", "0.0.0.0:4315", "line 1|listen|not a loopback address|set `allow_non_loopback = true`"),
    ("127.0.0.1:4315", "localhost:4315", "line 1|listen|`localhost:4315` is not an IP address|hint: write it like 127.0.0.1:4315"),
    ("\"sk-local-0123456789abcdef\"", "", "line 2|client_keys|client_keys is empty|hint: generate one with `openssl rand -hex 24`"),
    ("client_keys = [\"sk-local-0123456789abcdef\"]\n", "", "client_keys|no client keys, and the gateway token cannot be kept|openssl rand -hex 24"),
    ("sk-local-0123456789abcdef", "short-key", "line 2|client_keys[0]|9 characters long|at least 16|openssl rand"),
    ("sk-local-0123456789abcdef", "sk-local 0123456789abcdef", "line 2|client_keys[0]|cannot be sent in an HTTP header"),
    ("id = \"ollama\"", "id = \"deepseek\"", "line 10|providers[1].id|`deepseek` is already used on line 4|hint: give each"),
    ("id = \"ollama\"", "id = \"\"", "line 10|providers[1].id|the provider id is empty|routes refer to providers by id"),
    ("https://api.deepseek.com/v1/", "api.deepseek.com", "line 6|providers[0].base_url|must start with http:// or https://|hint: e.g."),
    ("\"X-Title\"", "\"X Title\"", "line 8|providers[0].headers.X Title|not a valid HTTP header name|dashes"),
    ("header-value-42", "a\\nb", "line 8|providers[0].headers.X-Title|not a valid HTTP header value|line breaks"),
    ("api_key_env = \"DEEPSEEK_API_KEY\"", "api_key_env = \"\"", "line 7|providers[0].api_key_env|the environment variable name is empty|hint: name the variable"),
    ("provider = \"ollama\"", "provider = \"olama\"", "line 20|routes[1].provider|unknown provider `olama`|hint: did you mean `ollama`? known providers: deepseek, ollama"),
    ("model = \"*\"", "model = \"\"", "line 19|routes[1].model|matches no model|claude-*haiku*"),
    ("upstream_model = \"deepseek-chat\"", "upstream_model = \"\"", "line 16|routes[0].upstream_model|is empty|forward the client's model name"),
    ("[[routes]]\nmodel = \"claude-*haiku*\"", "[[routez]]\nmodel = \"claude-*haiku*\"", "line 13|routez|unknown field `routez`, expected one of|hint: fix the spelling"),
    ("11434/v1\"\n", "11434/v1\"\ntimeout = 5\n", "line 13|providers[1].timeout|unknown field `timeout`, expected one of|hint: fix the spelling"),
    ("format = \"openai_chat\"", "format = \"openai\"", "line 5|providers[0].format|unknown variant `openai`, expected one of|`openai_chat`|hint: use one of"),
    ("max_tokens = 8192", "max_tokens = 0", "line 17|routes[0].max_tokens|expected a nonzero u32|hint:"),
    ("provider = \"deepseek\"", "provider = 7", "line 15|routes[0].provider|invalid type: integer `7`|hint:"),
    ("base_url = \"http://localhost:11434/v1\"\n", "", "line 10|providers[1].base_url|missing field `base_url`|hint: add the field, or name a preset"),
    ("\"127.0.0.1:4315\"", "127.0.0.1:4315", "line 1, column|hint: check the TOML syntax"),
];

#[test]
fn errors_name_file_line_field_and_hint() {
    for (from, to, expected) in ERROR_CASES {
        let message = error(&edited(from, to));
        for part in ["dir/test.toml"].into_iter().chain(expected.split('|')) {
            assert!(
                message.contains(part),
                "{from:?} -> {to:?}: {message:?} lacks {part:?}"
            );
        }
    }
}

#[test]
fn more_error_cases() {
    let message = error(&edited("sk-local-0123456789abcdef", "short-key"));
    assert!(!message.contains("short-key"), "the key leaked: {message}");
    let message = error(&edited(
        "provider = \"ollama\"",
        "provider = \"openrouter\"",
    ));
    assert_contains(
        &message,
        &[
            "routes[1].provider",
            "hint: known providers: deepseek, ollama",
        ],
    );
    assert!(!message.contains("did you mean"), "{message}");
    let no_routes = &VALID[..VALID.find("[[routes]]").unwrap_or_default()];
    assert_contains(
        &error(no_routes),
        &[
            "dir/test.toml, routes: no routes",
            "hint: add a [[routes]] table",
        ],
    );
}

/// Issue 9: a provider whose key is missing does not stop the gateway; it is
/// a warning naming the provider, the variable and the fix.
#[test]
fn issue_9_missing_key_is_a_warning_not_an_error() -> Result<(), ConfigError> {
    type Env<'a> = &'a dyn Fn(&str) -> Option<String>;
    let cases: [(&str, Env<'_>, &str); 2] = [
        (
            "OTHER_KEY",
            &env,
            "environment variable OTHER_KEY is not set",
        ),
        (
            "DEEPSEEK_API_KEY",
            &|_| Some(String::new()),
            "DEEPSEEK_API_KEY is set but empty",
        ),
    ];
    for (variable, env, reason) in cases {
        let text = edited("\"DEEPSEEK_API_KEY\"", &format!("\"{variable}\""));
        let config = parse_with(&text, env)?;
        assert!(config.providers[0].key.missing().is_some());
        let [warning] = &config.warnings[..] else {
            panic!("one warning expected: {:?}", config.warnings);
        };
        assert_contains(
            &warning.to_string(),
            &[
                "dir/test.toml, line 7",
                "providers[0].api_key_env",
                "provider `deepseek` has no API key",
                reason,
                &format!("hint: export {variable}=<your key> and restart the gateway"),
            ],
        );
        // The other provider and every route are still there.
        assert_eq!(config.providers.len(), 2);
        assert_eq!(config.routes.len(), 2);
    }
    Ok(())
}

#[test]
fn non_loopback_listen_with_opt_in() -> Result<(), ConfigError> {
    let text = format!(
        "allow_non_loopback = true\n{}",
        edited("127.0.0.1:4315", "0.0.0.0:4315")
    );
    let config = parse_with(&text, &env)?;
    assert!(config.allow_non_loopback);
    assert_eq!(config.listen.to_string(), "0.0.0.0:4315");
    Ok(())
}

#[test]
fn secrets_never_print() -> Result<(), ConfigError> {
    let secret = Secret::new("sk-upstream-secret");
    assert_eq!(format!("{secret} {secret:?}"), "Secret(***) Secret(***)");
    let debug = format!("{:?}", parse_with(VALID, &env)?);
    for hidden in [
        "sk-upstream-secret",
        "sk-local-0123456789abcdef",
        "header-value-42",
    ] {
        assert!(!debug.contains(hidden), "{debug}");
    }
    assert!(debug.contains("X-Title"));
    Ok(())
}

#[test]
fn secret_matches_only_the_exact_value() {
    let secret = Secret::new("sk-local-0123456789abcdef");
    assert!(secret.matches("sk-local-0123456789abcdef"));
    for wrong in [
        "",
        "sk-local-0123456789abcde",
        "sk-local-0123456789abcdef0",
        "sk-local-0123456789abcdeF",
        "sk-local-0123456789abcdef\0",
    ] {
        assert!(!secret.matches(wrong), "{wrong:?}");
    }
    assert!(Secret::new("").matches(""));
}

#[test]
fn globs_match_whole_names() {
    let cases = [
        ("claude-*haiku*", "claude-3-5-haiku-20241022", true),
        ("claude-*haiku*", "claude-haiku-4-5", true),
        ("claude-*haiku*", "claude-3-5-sonnet", false),
        ("claude-*haiku*", "xclaude-haiku", false),
        ("claude-*haiku*", "Claude-haiku", false),
        ("*", "", true),
        ("*", "anything at all", true),
        ("", "", true),
        ("", "a", false),
        ("gpt-4o", "gpt-4o", true),
        ("gpt-4o", "gpt-4o-mini", false),
        ("gpt-?o", "gpt-4o", true),
        ("gpt-?o", "gpt-o", false),
        ("a*b*c", "abc", true),
        ("a*b*c", "aXbYbZc", true),
        ("a*b*c", "aXbYcZ", false),
        ("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaa", false),
        ("**", "x", true),
        ("?", "é", true),
        ("é*", "éclair", true),
        ("*?", "", false),
    ];
    for (pattern, model, expected) in cases {
        assert_eq!(
            ModelGlob::new(pattern).matches(model),
            expected,
            "{pattern:?} on {model:?}"
        );
    }
}

#[test]
fn example_config_is_valid_and_routes_claude_models() -> Result<(), ConfigError> {
    assert!(EXAMPLE_CONFIG.contains(&format!("\"{EXAMPLE_KEY_PLACEHOLDER}\"")));
    let example = Path::new("examples/switchyard.toml");
    let deepseek = |name: &str| (name == "DEEPSEEK_API_KEY").then(|| "sk-test".to_owned());
    let config = parse(EXAMPLE_CONFIG, example, &deepseek)?;
    assert_eq!(config.listen.to_string(), "127.0.0.1:4315");
    let patterns: Vec<&str> = config
        .routes
        .iter()
        .map(|route| route.pattern.as_str())
        .collect();
    assert_eq!(
        patterns,
        ["claude-*haiku*", "claude-*sonnet*", "claude-*opus*", "*"]
    );
    for model in [
        "claude-3-5-haiku-20241022",
        "claude-sonnet-4-5",
        "claude-opus-4-1",
        "gpt-4o",
    ] {
        let route = config
            .resolve(model)
            .map(|route| (route.provider.id.as_str(), route.provider.format));
        assert_eq!(route, Some(("deepseek", Format::OpenaiChat)), "{model}");
    }
    let generated = EXAMPLE_CONFIG.replace(
        EXAMPLE_KEY_PLACEHOLDER,
        "sk-switchyard-0123456789abcdef0123",
    );
    let config = parse(&generated, example, &deepseek)?;
    assert!(config.client_keys[0].matches("sk-switchyard-0123456789abcdef0123"));

    let keyless = parse(EXAMPLE_CONFIG, example, &|_| None)?;
    let warnings: Vec<String> = keyless.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_contains(
        &warnings[0],
        &[
            "examples/switchyard.toml",
            "providers[0].api_key_env",
            "DEEPSEEK_API_KEY is not set",
        ],
    );
    Ok(())
}
