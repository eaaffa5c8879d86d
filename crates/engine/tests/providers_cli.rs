//! Issue 10 §1: `switchyard provider test`, `switchyard models` and
//! `switchyard providers detect` on the real binary, against mock servers.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use std::process::Output;

use serde_json::{Value, json};
use support::binary::{command, free_port, temp_dir};
use support::{MockUpstream, Reply, UPSTREAM_KEY};

/// Runs the binary off the runtime's threads, so the mocks keep answering.
async fn run(args: Vec<String>) -> Output {
    let env = [("TEST_KEY", UPSTREAM_KEY.to_owned())];
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        command(&args, &env).output().unwrap()
    })
    .await
    .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A config with one provider `mock` of `format` at `base_url`.
fn config(format: &str, base_url: &str) -> String {
    let dir = temp_dir("providers-cli");
    let path = dir.join("config.toml");
    let text = format!(
        "client_keys = [\"sk-test-client-key-0123456789\"]\n[[providers]]\nid = \"mock\"\n\
         format = \"{format}\"\nbase_url = \"{base_url}\"\napi_key_env = \"TEST_KEY\"\n\
         [[routes]]\nmodel = \"*\"\nprovider = \"mock\"\nupstream_model = \"routed-model\"\n"
    );
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|part| (*part).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_10_models_lists_what_the_upstream_serves() {
    let mock = MockUpstream::start().await;
    let openai = config("openai_chat", &format!("{}/v1", mock.url()));
    mock.push(Reply::json(
        json!({"object": "list", "data": [{"id": "deepseek-chat"}, {"id": "deepseek-reasoner"}]}),
    ));
    let output = run(args(&["models", "mock", "--config", &openai])).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "deepseek-chat\ndeepseek-reasoner\n");
    let seen = &mock.seen()[0];
    assert_eq!(seen.path, "/v1/models");
    assert_eq!(
        seen.headers["authorization"],
        format!("Bearer {UPSTREAM_KEY}")
    );

    let gemini = config("gemini", &format!("{}/v1beta", mock.url()));
    mock.push(Reply::json(
        json!({"models": [{"name": "models/gemini-2.5-pro"}]}),
    ));
    let output = run(args(&["models", "mock", "--config", &gemini, "--json"])).await;
    let listed: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(listed, json!(["gemini-2.5-pro"]));
    assert_eq!(mock.seen()[1].path, "/v1beta/models");
    assert_eq!(mock.seen()[1].headers["x-goog-api-key"], UPSTREAM_KEY);
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_10_provider_test_reports_latency_or_the_exact_upstream_error() {
    let mock = MockUpstream::start().await;
    let path = config("openai_chat", &format!("{}/v1", mock.url()));
    mock.push(Reply::json(
        json!({"id": "c", "object": "chat.completion", "created": 1,
        "model": "routed-model", "choices": [{"index": 0, "message": {"role": "assistant",
        "content": "pong"}, "finish_reason": "length"}]}),
    ));
    let output = run(args(&["provider", "test", "mock", "--config", &path])).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let line = stdout(&output);
    assert!(
        line.starts_with("ok: `mock` answered 200 for routed-model in "),
        "{line}"
    );
    let sent = mock.seen()[0].json();
    assert_eq!(
        (sent["model"].as_str(), sent["max_tokens"].as_u64()),
        (Some("routed-model"), Some(16))
    );

    mock.push(Reply::error(
        401,
        r#"{"error":{"message":"Invalid API key: sk-…abc","type":"auth"}}"#,
    ));
    let output = run(args(&[
        "provider", "test", "mock", "--config", &path, "--model", "other",
    ]))
    .await;
    assert!(!output.status.success());
    let log = stderr(&output);
    assert!(
        log.contains("test failed: `mock` answered 401: Invalid API key: sk-…abc"),
        "{log}"
    );
    assert_eq!(mock.seen()[1].json()["model"], "other");
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_10_detect_finds_local_servers_and_says_what_is_missing() {
    let ollama = MockUpstream::start().await;
    ollama.push(Reply::json(
        json!({"models": [{"name": "qwen3:8b"}, {"name": "llama3.2:3b"}]}),
    ));
    let closed = format!("http://127.0.0.1:{}", free_port());
    let output = run(args(&[
        "providers",
        "detect",
        "--json",
        "--ollama-url",
        &ollama.url(),
        "--lmstudio-url",
        &closed,
    ]))
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let found: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(found[0]["preset"], "ollama");
    assert_eq!(found[0]["models"], json!(["qwen3:8b", "llama3.2:3b"]));
    assert_eq!(ollama.seen()[0].path, "/api/tags");
    assert_eq!(
        (found[1]["preset"].as_str(), found[1]["models"].is_null()),
        (Some("lmstudio"), true)
    );
    assert!(
        found[1]["error"]
            .as_str()
            .is_some_and(|error| !error.is_empty())
    );

    let lmstudio = MockUpstream::start().await;
    lmstudio.push(Reply::json(
        json!({"data": [{"id": "qwen2.5-7b-instruct"}]}),
    ));
    let output = run(args(&[
        "providers",
        "detect",
        "--ollama-url",
        &closed,
        "--lmstudio-url",
        &lmstudio.url(),
    ]))
    .await;
    let text = stdout(&output);
    assert!(
        text.contains("LM Studio  running at") && text.contains("qwen2.5-7b-instruct"),
        "{text}"
    );
    assert!(text.contains("Ollama     not found at"), "{text}");
    assert_eq!(lmstudio.seen()[0].path, "/v1/models");
}
