use switchyard_protocol::Format;

use super::*;

/// A small catalog of two presets: a vendor and an aggregator reselling it.
const PROVIDERS: &str = r#"
[[presets]]
id = "vendor"
name = "Vendor"
kind = "cloud"
homepage = "https://vendor.example"
key_env = "VENDOR_API_KEY"
needs_key = true
models = ["vendor-chat", "Vendor-Large", "claude-sonnet-4-5", "accounts/v/models/kimi-k3", "gpt-4o"]
litellm = { providers = ["vendor"], prefixes = ["vendor/"] }

[[presets.formats]]
format = "openai_chat"
base_url = "https://api.vendor.example/v1"
auth = "bearer"
max_tokens_field = "max_completion_tokens"

[[presets.formats]]
format = "anthropic"
base_url = "https://api.vendor.example/anthropic"
auth = "x_api_key"

[[presets]]
id = "router"
name = "Router"
kind = "cloud"
homepage = "https://router.example"
needs_key = true
vendor_presets = { vendor = "vendor" }
models = ["other/model-x"]

[[presets.formats]]
format = "openai_chat"
base_url = "https://router.example/api/v1"
auth = "bearer"
"#;

const SOURCE: &str = r#""source": "T 1 t.json: x", "date": "2026-01-02""#;

fn models_json(vendor: &str) -> String {
    format!(
        r#"{{"generated_by": "test",
 "source": {{"name": "T", "version": "1", "file": "t.json", "retrieved": "2026-01-02"}},
 "presets": {{"vendor": [{vendor}], "router": [{{"id": "other/model-x"}}]}}}}"#
    )
}

fn vendor_models() -> String {
    [
        format!(r#"{{"id": "vendor-chat", "prices": {{"input": 1.0, "output": 2.0}}, {SOURCE}}}"#),
        r#"{"id": "Vendor-Large"}"#.to_owned(),
        r#"{"id": "claude-sonnet-4-5", "context_window": 200000}"#.to_owned(),
        r#"{"id": "accounts/v/models/kimi-k3"}"#.to_owned(),
        r#"{"id": "gpt-4o"}"#.to_owned(),
    ]
    .join(",")
}

fn sample() -> Catalog {
    Catalog::parse(PROVIDERS, &models_json(&vendor_models())).unwrap()
}

fn found(catalog: &Catalog, preset: &str, query: &str) -> Option<String> {
    catalog.model(preset, query).map(|model| model.id.clone())
}

#[test]
fn builtin_catalog_parses() {
    let catalog = builtin().unwrap();
    assert!(catalog.presets().len() >= 25);
    assert_eq!(presets().len(), catalog.presets().len());
    assert_eq!(catalog.source().name, "LiteLLM");
}

#[test]
fn builtin_presets_have_unique_ids_formats_and_http_base_urls() {
    let mut ids = std::collections::HashSet::new();
    for preset in presets() {
        assert!(ids.insert(preset.id.as_str()), "{} repeated", preset.id);
        assert!(!preset.formats.is_empty(), "{} has no format", preset.id);
        for entry in &preset.formats {
            let Some(base_url) = &entry.base_url else {
                assert_eq!(
                    preset.kind,
                    PresetKind::Generic,
                    "{} lacks a base_url",
                    preset.id
                );
                continue;
            };
            let url = url::Url::parse(base_url).unwrap();
            assert!(matches!(url.scheme(), "http" | "https"), "{base_url}");
        }
    }
}

#[test]
fn builtin_priced_models_record_source_and_date() {
    let source = builtin().unwrap().source();
    let models = presets().iter().flat_map(|preset| &preset.models);
    let priced: Vec<&ModelInfo> = models.filter(|model| model.prices.is_known()).collect();
    assert!(priced.len() > 100);
    for model in priced {
        let cited = model.source.as_deref().unwrap();
        assert!(cited.contains(&source.version), "{}: {cited}", model.id);
        assert_eq!(model.date.as_deref(), Some(source.retrieved.as_str()));
    }
}

#[test]
fn builtin_required_presets_offer_their_formats() {
    use Format::{Anthropic, Gemini, OpenaiChat, OpenaiResponses};
    let expected: [(&str, &[Format]); 8] = [
        ("openai", &[OpenaiChat, OpenaiResponses]),
        ("anthropic", &[Anthropic]),
        ("gemini", &[Gemini, OpenaiChat]),
        ("deepseek", &[OpenaiChat, Anthropic]),
        ("zai", &[OpenaiChat, Anthropic]),
        ("bigmodel", &[OpenaiChat, Anthropic]),
        ("ollama", &[OpenaiChat]),
        ("anthropic-compatible", &[Anthropic]),
    ];
    for (id, formats) in expected {
        let preset = preset(id).unwrap();
        for format in formats {
            assert!(preset.format(*format).is_some(), "{id} lacks {format}");
        }
    }
}

#[test]
fn openai_chat_preset_carries_max_completion_tokens() {
    let chat = preset("openai")
        .unwrap()
        .format(Format::OpenaiChat)
        .unwrap();
    assert_eq!(chat.max_tokens_field, MaxTokensField::MaxCompletionTokens);
    let field: switchyard_protocol::formats::openai_chat::MaxTokensField =
        chat.max_tokens_field.into();
    assert_eq!(
        field,
        switchyard_protocol::formats::openai_chat::MaxTokensField::MaxCompletionTokens
    );
    let deepseek = preset("deepseek")
        .unwrap()
        .format(Format::OpenaiChat)
        .unwrap();
    assert_eq!(deepseek.max_tokens_field, MaxTokensField::MaxTokens);
}

#[test]
fn builtin_openrouter_vendor_ids_resolve_to_the_vendor_entry() {
    let direct = model("deepseek", "deepseek-chat").unwrap();
    assert_eq!(model("openrouter", "deepseek/deepseek-chat"), Some(direct));
    assert_eq!(model("deepseek", "deepseek/deepseek-chat"), Some(direct));
    assert_eq!(model("openrouter", "nobody/deepseek-chat"), None);
}

#[test]
fn builtin_regions_billed_in_cny_have_limits_but_unknown_prices() {
    let cn = model("dashscope-cn", "qwen3-max").unwrap();
    assert!(cn.context_window.is_some());
    assert!(!cn.prices.is_known());
    let usage = TokenUsage {
        input_tokens: 10,
        output_tokens: 10,
        ..TokenUsage::default()
    };
    assert_eq!(cn.prices.cost_usd(&usage), None);
}

#[test]
fn lookup_matches_exact_ids_first() {
    let catalog = sample();
    assert_eq!(
        found(&catalog, "vendor", "vendor-chat").as_deref(),
        Some("vendor-chat")
    );
    assert_eq!(
        found(&catalog, "vendor", "VENDOR-CHAT").as_deref(),
        Some("vendor-chat")
    );
    assert_eq!(
        found(&catalog, "vendor", "vendor-large").as_deref(),
        Some("Vendor-Large")
    );
    assert_eq!(found(&catalog, "vendor", "missing"), None);
    assert_eq!(found(&catalog, "nobody", "vendor-chat"), None);
}

#[test]
fn lookup_strips_prefixes_dates_and_dots() {
    let catalog = sample();
    let cases = [
        ("vendor/vendor-chat", "vendor-chat"),
        ("router/vendor/vendor-chat", "vendor-chat"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("claude-sonnet-4.5", "claude-sonnet-4-5"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("kimi-k3", "accounts/v/models/kimi-k3"),
    ];
    for (query, id) in cases {
        assert_eq!(
            found(&catalog, "vendor", query).as_deref(),
            Some(id),
            "{query}"
        );
    }
}

#[test]
fn lookup_on_an_aggregator_falls_back_to_the_vendor_preset() {
    let catalog = sample();
    let on_router = catalog.model("router", "vendor/claude-sonnet-4.5").unwrap();
    assert_eq!(on_router.id, "claude-sonnet-4-5");
    assert_eq!(on_router.context_window, Some(200_000));
    assert_eq!(
        found(&catalog, "router", "other/model-x").as_deref(),
        Some("other/model-x")
    );
    assert_eq!(found(&catalog, "router", "unknown/vendor-chat"), None);
    // The vendor does not fall back in turn.
    assert_eq!(found(&catalog, "vendor", "router/model-x"), None);
}

fn anthropic_like() -> Prices {
    Prices {
        input: Some(3.0),
        output: Some(15.0),
        cache_read: Some(0.3),
        cache_write: Some(3.75),
        ..Prices::default()
    }
}

#[test]
fn cost_prices_each_token_kind() {
    // Anthropic usage: input_tokens excludes the cache reads and writes.
    let usage = TokenUsage {
        input_tokens: 1_000,
        output_tokens: 500,
        cache_read_tokens: 2_000,
        cache_write_tokens: 100,
        reasoning_tokens: 0,
    };
    // (1000 × 3 + 500 × 15 + 2000 × 0.3 + 100 × 3.75) / 1e6 = 11475 / 1e6
    assert_eq!(anthropic_like().cost_usd(&usage), Some(0.011475));
}

#[test]
fn cost_of_openai_usage_counts_cached_tokens_once() {
    // prompt_tokens 10000 of which cached_tokens 8000 → input 2000, cache_read 8000;
    // completion_tokens 1000 include 600 reasoning tokens, billed as output.
    let prices = Prices {
        input: Some(1.25),
        output: Some(10.0),
        cache_read: Some(0.125),
        ..Prices::default()
    };
    let usage = TokenUsage {
        input_tokens: 2_000,
        output_tokens: 1_000,
        cache_read_tokens: 8_000,
        cache_write_tokens: 0,
        reasoning_tokens: 600,
    };
    // (2000 × 1.25 + 1000 × 10 + 8000 × 0.125) / 1e6 = 13500 / 1e6
    assert_eq!(prices.cost_usd(&usage), Some(0.0135));
}

#[test]
fn cost_uses_a_separate_reasoning_rate_when_the_source_has_one() {
    let prices = Prices {
        input: Some(0.05),
        output: Some(0.2),
        reasoning: Some(0.5),
        ..Prices::default()
    };
    let usage = TokenUsage {
        output_tokens: 1_000,
        reasoning_tokens: 400,
        ..TokenUsage::default()
    };
    // (600 × 0.2 + 400 × 0.5) / 1e6 = 320 / 1e6
    assert_eq!(prices.cost_usd(&usage), Some(0.00032));
}

#[test]
fn cost_switches_tier_when_the_whole_prompt_exceeds_it() {
    let prices = Prices {
        input: Some(1.25),
        output: Some(10.0),
        cache_read: Some(0.125),
        tiers: vec![PriceTier {
            above_input_tokens: 200_000,
            prices: Prices {
                input: Some(2.5),
                output: Some(15.0),
                cache_read: Some(0.25),
                ..Prices::default()
            },
        }],
        ..Prices::default()
    };
    let long = TokenUsage {
        input_tokens: 150_000,
        output_tokens: 1_000,
        cache_read_tokens: 60_000,
        ..TokenUsage::default()
    };
    // 210000 prompt tokens > 200000: (150000 × 2.5 + 1000 × 15 + 60000 × 0.25) / 1e6
    assert_eq!(prices.cost_usd(&long), Some(0.405));
    let at_threshold = TokenUsage {
        input_tokens: 200_000,
        output_tokens: 1_000,
        ..TokenUsage::default()
    };
    // (200000 × 1.25 + 1000 × 10) / 1e6
    assert_eq!(prices.cost_usd(&at_threshold), Some(0.26));
}

#[test]
fn cost_is_unknown_when_a_needed_rate_is() {
    let no_cache_rate = Prices {
        cache_read: None,
        ..anthropic_like()
    };
    let cached = TokenUsage {
        input_tokens: 10,
        cache_read_tokens: 10,
        ..TokenUsage::default()
    };
    assert_eq!(no_cache_rate.cost_usd(&cached), None);
    let uncached = TokenUsage {
        input_tokens: 1_000_000,
        ..TokenUsage::default()
    };
    assert_eq!(no_cache_rate.cost_usd(&uncached), Some(3.0));
    let no_input_rate = Prices {
        input: None,
        ..anthropic_like()
    };
    assert_eq!(no_input_rate.cost_usd(&TokenUsage::default()), None);
    assert_eq!(Prices::default().cost_usd(&TokenUsage::default()), None);
}

fn parse_error(providers: &str, models: &str) -> String {
    Catalog::parse(providers, models).unwrap_err().to_string()
}

#[test]
fn parse_rejects_inconsistent_data() {
    let models = models_json(&vendor_models());
    let repeated = PROVIDERS.replace("id = \"router\"", "id = \"vendor\"");
    assert!(parse_error(&repeated, &models).contains("repeated id"));
    let ftp = PROVIDERS.replace("https://router.example/api/v1", "ftp://router.example");
    assert!(parse_error(&ftp, &models).contains("must be http(s)"));
    let stale = models_json(r#"{"id": "vendor-chat"}"#);
    assert!(parse_error(PROVIDERS, &stale).contains("run scripts/update-catalog"));
    let unsourced = vendor_models().replace(&format!(", {SOURCE}"), "");
    assert!(parse_error(PROVIDERS, &models_json(&unsourced)).contains("without a source"));
    let negative = vendor_models().replace("\"input\": 1.0", "\"input\": -1.0");
    assert!(parse_error(PROVIDERS, &models_json(&negative)).contains("negative"));
    assert!(parse_error("presets = 1", &models).starts_with("providers.toml"));
    assert!(parse_error(PROVIDERS, "{").starts_with("models.json"));
}

#[test]
fn parse_rejects_missing_base_urls_and_misplaced_quirks() {
    let models = models_json(&vendor_models());
    let no_url = PROVIDERS.replace("base_url = \"https://router.example/api/v1\"\n", "");
    assert!(parse_error(&no_url, &models).contains("has no base_url"));
    let generic = no_url.replace(
        "kind = \"cloud\"\nhomepage = \"https://router",
        "kind = \"generic\"\nhomepage = \"https://router",
    );
    assert!(Catalog::parse(&generic, &models).is_ok());
    let misplaced = PROVIDERS.replace(
        "auth = \"x_api_key\"",
        "auth = \"x_api_key\"\nmax_tokens_field = \"max_completion_tokens\"",
    );
    assert!(parse_error(&misplaced, &models).contains("apply to openai_chat"));
}

#[test]
fn table_lists_id_name_formats_and_key() {
    let mut out = Vec::new();
    write_presets(&mut out, sample().presets(), false).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("ID      NAME    FORMATS"));
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        [
            "vendor",
            "Vendor",
            "openai_chat,",
            "anthropic",
            "VENDOR_API_KEY"
        ]
    );
    assert!(lines[2].ends_with("required"));
}

#[test]
fn json_is_an_array_of_presets_with_formats() {
    let mut out = Vec::new();
    write_presets(&mut out, sample().presets(), true).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let vendor = &json[0];
    assert_eq!(vendor["id"], "vendor");
    assert_eq!(vendor["name"], "Vendor");
    assert_eq!(vendor["formats"][0]["format"], "openai_chat");
    assert_eq!(
        vendor["formats"][0]["max_tokens_field"],
        "max_completion_tokens"
    );
    assert_eq!(vendor["formats"][1]["auth"], "x_api_key");
    assert_eq!(vendor["models"][0]["prices"]["input"], 1.0);
    assert!(vendor["models"][1]["prices"]["input"].is_null());
    assert_eq!(json[1]["vendor_presets"]["vendor"], "vendor");
}
