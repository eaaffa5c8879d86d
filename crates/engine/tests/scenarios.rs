//! `[[scenarios]]` and `[claude_code]` (issue 10 §4): requests routed by
//! what they hold, and Claude Code's tiers, against a mock upstream per target.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use serde_json::{Value, json};
use support::{CLIENT_KEY, MockUpstream, Reply, TestGateway};

fn ok() -> Reply {
    Reply::json(json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "m",
        "content": [{"type": "text", "text": "ok"}],
        "stop_reason": "end_turn", "usage": {"input_tokens": 3, "output_tokens": 2}
    }))
}

/// One Anthropic provider per name, each its own mock.
async fn providers(names: &[&str]) -> (Vec<MockUpstream>, String) {
    let mut mocks = Vec::new();
    let mut text = format!("listen = \"127.0.0.1:0\"\nclient_keys = [\"{CLIENT_KEY}\"]\n");
    for name in names {
        let mock = MockUpstream::start().await;
        text.push_str(&format!(
            "[[providers]]\nid = \"{name}\"\nformat = \"anthropic\"\nbase_url = \"{}\"\napi_key = \"none\"\n",
            mock.url()
        ));
        for _ in 0..8 {
            mock.push(ok());
        }
        mocks.push(mock);
    }
    (mocks, text)
}

/// Which mock got the request, and the model it was asked for.
fn landed(mocks: &[MockUpstream], before: &[usize]) -> (usize, String) {
    let at = (0..mocks.len())
        .find(|&at| mocks[at].seen().len() > before[at])
        .unwrap();
    let seen = mocks[at].seen();
    (
        at,
        seen.last().unwrap().json()["model"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

async fn send(gw: &TestGateway, mocks: &[MockUpstream], body: Value) -> (usize, String) {
    let before: Vec<usize> = mocks.iter().map(|mock| mock.seen().len()).collect();
    let response = gw.post("/v1/messages").json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    landed(mocks, &before)
}

fn message(model: &str, extra: Value) -> Value {
    let mut body = json!({
        "model": model, "max_tokens": 100,
        "messages": [{"role": "user", "content": "Say hi"}],
    });
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

#[tokio::test]
async fn issue_10_scenarios_route_by_what_the_request_holds_first_match_wins() {
    let (mocks, mut text) = providers(&["main", "think", "vision", "search", "long", "off"]).await;
    text.push_str(
        r#"
[[providers]]
id = "unused"
format = "anthropic"
base_url = "http://127.0.0.1:1"
api_key = "none"
enabled = false
[[scenarios]]
when = "thinking"
provider = "unused"
[[scenarios]]
when = "thinking"
provider = "think"
upstream_model = "reasoner"
[[scenarios]]
when = "images"
provider = "vision"
[[scenarios]]
when = "web_search"
provider = "search"
[[scenarios]]
when = "long_context"
above_tokens = 200
provider = "long"
[[routes]]
model = "*"
provider = "main"
"#,
    );
    let gw = TestGateway::with_config(&text).await;
    assert_eq!(
        send(&gw, &mocks, message("claude-x", json!({}))).await,
        (0, "claude-x".into())
    );
    let thinking = json!({"thinking": {"type": "enabled", "budget_tokens": 1024}});
    assert_eq!(
        send(&gw, &mocks, message("claude-x", thinking)).await,
        (1, "reasoner".into())
    );
    let image = json!({"messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
        {"type": "text", "text": "what is it"}]}]});
    assert_eq!(send(&gw, &mocks, message("claude-x", image)).await.0, 2);
    let search = json!({"tools": [{"type": "web_search_20250305", "name": "web_search"}]});
    assert_eq!(send(&gw, &mocks, message("claude-x", search)).await.0, 3);
    let long = json!({"messages": [{"role": "user", "content": "lorem ipsum dolor sit amet ".repeat(100)}]});
    assert_eq!(send(&gw, &mocks, message("claude-x", long)).await.0, 4);
    // Thinking and an image: the first scenario listed wins.
    let both = json!({"thinking": {"type": "enabled", "budget_tokens": 1024}, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}]}]});
    assert_eq!(send(&gw, &mocks, message("claude-x", both)).await.0, 1);

    let events = gw.recorder.wait_for(6).await;
    let routes: Vec<&str> = events.iter().map(|event| event.route.as_str()).collect();
    assert_eq!(
        routes,
        [
            "*",
            "scenario:thinking",
            "scenario:images",
            "scenario:web_search",
            "scenario:long_context",
            "scenario:thinking"
        ]
    );
}

#[tokio::test]
async fn issue_10_background_is_the_haiku_tier_and_tiers_compile_into_routes() {
    let (mocks, mut text) = providers(&["strong", "fast", "cheap", "rest"]).await;
    text.push_str(
        r#"
[claude_code]
opus = "strong/deep-reasoner"
sonnet = { provider = "fast", upstream_model = "fast-chat", fallback = [{ provider = "rest" }] }
haiku = "fast/fast-mini"
default = "rest"
[[scenarios]]
when = "background"
provider = "cheap"
upstream_model = "cheap-mini"
[[routes]]
model = "*"
provider = "rest"
upstream_model = "catch-all"
"#,
    );
    let gw = TestGateway::with_config(&text).await;
    let cases = [
        ("claude-opus-4-1", (0, "deep-reasoner")),
        ("claude-sonnet-4-5", (1, "fast-chat")),
        ("claude-haiku-4-5", (2, "cheap-mini")),
        ("claude-3-7-other", (3, "claude-3-7-other")),
        ("gpt-4o", (3, "catch-all")),
    ];
    for (model, (at, upstream)) in cases {
        assert_eq!(
            send(&gw, &mocks, message(model, json!({}))).await,
            (at, upstream.to_owned()),
            "{model}"
        );
    }
}

#[tokio::test]
async fn issue_10_tier_and_scenario_mistakes_name_their_field() {
    let (_mocks, text) = providers(&["a"]).await;
    let bad_tier = format!(
        "{text}[claude_code]\nopus = \"nope/model\"\n[[routes]]\nmodel = \"*\"\nprovider = \"a\"\n"
    );
    let err =
        switchyard_engine::config::parse(&bad_tier, std::path::Path::new("c.toml"), &|_| None)
            .unwrap_err();
    assert!(
        err.to_string().contains("claude_code[0].provider")
            && err.to_string().contains("unknown provider `nope`"),
        "{err}"
    );
    let bad_kind = format!(
        "{text}[[scenarios]]\nwhen = \"sometimes\"\nprovider = \"a\"\n[[routes]]\nmodel = \"*\"\nprovider = \"a\"\n"
    );
    let err =
        switchyard_engine::config::parse(&bad_kind, std::path::Path::new("c.toml"), &|_| None)
            .unwrap_err();
    assert!(err.to_string().contains("scenarios[0].when"), "{err}");
}

/// `deepseek` is the preset (its catalog: deepseek-reasoner has no tool use,
/// deepseek-chat gives at most 8192 output tokens) at a mock address.
async fn preset_gateway(route_extra: &str) -> (MockUpstream, MockUpstream, TestGateway) {
    let (deepseek, other) = (MockUpstream::start().await, MockUpstream::start().await);
    let text = format!(
        r#"listen = "127.0.0.1:0"
client_keys = ["{CLIENT_KEY}"]
[[providers]]
id = "deepseek"
preset = "deepseek"
base_url = "{}/v1"
api_key = "none"
[[providers]]
id = "other"
format = "anthropic"
base_url = "{}"
api_key = "none"
[[routes]]
model = "claude-opus*"
provider = "deepseek"
upstream_model = "deepseek-reasoner"
{route_extra}
[[routes]]
model = "*"
provider = "deepseek"
upstream_model = "deepseek-chat"
"#,
        deepseek.url(),
        other.url()
    );
    (deepseek, other, TestGateway::with_config(&text).await)
}

fn chat_ok() -> Reply {
    Reply::json(json!({
        "id": "c", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    }))
}

fn with_tool(model: &str) -> Value {
    message(
        model,
        json!({"tools": [{"name": "f", "description": "d", "input_schema": {"type": "object"}}]}),
    )
}

#[tokio::test]
async fn issue_10_tools_never_reach_a_model_without_tool_use() {
    let (deepseek, other, gw) =
        preset_gateway("fallback = [{ provider = \"other\", upstream_model = \"helper\" }]").await;
    other.push(ok());
    let response = gw
        .post("/v1/messages")
        .json(&with_tool("claude-opus-4-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        deepseek.seen().is_empty(),
        "tools went to deepseek-reasoner"
    );
    assert_eq!(other.seen()[0].json()["model"], "helper");
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events[0].provider, "other");

    // Without tools the reasoner is asked, as routed.
    deepseek.push(chat_ok());
    let response = gw
        .post("/v1/messages")
        .json(&message("claude-opus-4-1", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(deepseek.seen()[0].json()["model"], "deepseek-reasoner");
}

#[tokio::test]
async fn issue_10_no_capable_target_is_a_400_naming_model_and_capability() {
    let (deepseek, _other, gw) = preset_gateway("").await;
    let response = gw
        .post("/v1/messages")
        .json(&with_tool("claude-opus-4-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "error");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`deepseek-reasoner` at provider `deepseek`") && message.contains("tools"),
        "{message}"
    );
    assert!(deepseek.seen().is_empty());
}

#[tokio::test]
async fn issue_10_max_tokens_is_capped_to_the_models_maximum_output() {
    let (deepseek, _other, gw) = preset_gateway("").await;
    deepseek.push(chat_ok());
    let mut body = message("claude-sonnet-4-5", json!({}));
    body["max_tokens"] = json!(32000);
    let response = gw.post("/v1/messages").json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(deepseek.seen()[0].json()["max_tokens"], 8192);
}

#[tokio::test]
async fn issue_10_excluded_models_fall_over_to_a_provider_that_serves_them() {
    let (mocks, mut text) = providers(&["a", "b"]).await;
    text = text.replacen(
        "api_key = \"none\"\n",
        "api_key = \"none\"\nexclude_models = [\"big-*\"]\n",
        1,
    );
    text.push_str(
        "[[routes]]\nmodel = \"*\"\nprovider = \"a\"\nfallback = [{ provider = \"b\" }]\n",
    );
    let gw = TestGateway::with_config(&text).await;
    assert_eq!(
        send(&gw, &mocks, message("small-1", json!({}))).await,
        (0, "small-1".into())
    );
    assert_eq!(
        send(&gw, &mocks, message("big-1", json!({}))).await,
        (1, "big-1".into())
    );

    let (mocks, mut text) = providers(&["a"]).await;
    text = text.replacen(
        "api_key = \"none\"\n",
        "api_key = \"none\"\nexclude_models = [\"big-*\"]\n",
        1,
    );
    text.push_str("[[routes]]\nmodel = \"*\"\nprovider = \"a\"\n");
    let gw = TestGateway::with_config(&text).await;
    let response = gw
        .post("/v1/messages")
        .json(&message("big-1", json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`exclude_models` lists it"),
        "{body}"
    );
    assert!(mocks[0].seen().is_empty());
}

#[tokio::test]
async fn issue_10_route_params_set_defaults_overrides_extra_body_and_headers() {
    let (mocks, mut text) = providers(&["a"]).await;
    text.push_str(
        r#"[[routes]]
model = "think-*"
provider = "a"
overrides = { reasoning_effort = "high" }
[[routes]]
model = "*"
provider = "a"
defaults = { temperature = 0.3, top_p = 0.5 }
extra_body = { metadata = { user_id = "route" }, service_tier = "flex" }
headers = { "X-Title" = "switchyard" }
"#,
    );
    let gw = TestGateway::with_config(&text).await;
    send(&gw, &mocks, message("plain-x", json!({"top_p": 0.9}))).await;
    let seen = mocks[0].seen()[0].clone();
    let sent = seen.json();
    assert_eq!(sent["temperature"], 0.3, "default applied: {sent}");
    assert_eq!(sent["top_p"], 0.9, "the client's value kept: {sent}");
    assert_eq!(sent["metadata"], json!({"user_id": "route"}));
    assert_eq!(sent["service_tier"], "flex");
    assert_eq!(seen.headers["x-title"], "switchyard");
    assert_eq!(seen.headers["anthropic-version"], "2023-06-01");

    let mut body = message("think-x", json!({"max_tokens": 64000}));
    body["thinking"] = json!({"type": "enabled", "budget_tokens": 2048});
    send(&gw, &mocks, body).await;
    let sent = mocks[0].seen()[1].json();
    // The override's effort, not the client's budget.
    assert_eq!(
        sent["thinking"],
        json!({"type": "enabled", "budget_tokens": 24576}),
        "{sent}"
    );
    assert!(sent.get("metadata").is_none());

    let bad = text.replace(
        "reasoning_effort = \"high\"",
        "reasoning_effort = \"extreme\"",
    );
    let err = switchyard_engine::config::parse(&bad, std::path::Path::new("c.toml"), &|_| None)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("routes[0].overrides.reasoning_effort"),
        "{err}"
    );
}
