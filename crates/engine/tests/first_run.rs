//! Issue 9: the first run serves. The example config that `switchyard init`
//! writes, with no provider key in the environment, still gives a listening
//! gateway that says what to do next.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use std::process::Output;

use serde_json::{Value, json};
use support::binary::{command, free_port, serve_config, temp_dir};

fn run(args: &[&str]) -> Output {
    command(args, &[]).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The key `init` generated, read back from the file it wrote.
fn client_key(config: &str) -> String {
    let table: toml::Table = config.parse().unwrap();
    table["client_keys"][0].as_str().unwrap().to_owned()
}

fn assert_contains(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{text}\nlacks {part:?}");
    }
}

#[tokio::test]
async fn issue_9_example_config_serves_without_any_key() {
    let dir = temp_dir("first-run");
    let config = dir.join("config.toml");
    let path = config.to_str().unwrap();
    assert!(run(&["init", "--config", path]).status.success());
    let key = client_key(&std::fs::read_to_string(&config).unwrap());

    let check = run(&["check", "--config", path]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert_contains(&stderr(&check), &["WARN", "DEEPSEEK_API_KEY is not set"]);
    let strict = run(&["check", "--strict", "--config", path]);
    assert!(!strict.status.success());
    assert_contains(
        &stderr(&strict),
        &["1 warning(s), which --strict treats as errors"],
    );

    let addr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let served = serve_config(dir, &config, addr, &[]).await;
    let http = reqwest::Client::new();
    let health = http
        .get(format!("http://{addr}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
    let models = (http.get(format!("http://{addr}/v1/models")))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(models.status(), 200);

    let log = served.log();
    let warning =
        "provider `deepseek` has no API key: environment variable DEEPSEEK_API_KEY is not set";
    assert_eq!(log.matches(warning).count(), 1, "{log}");
    assert_contains(
        &log,
        &[
            &format!("switchyard listening on http://{addr}"),
            &format!(
                "(config {})",
                std::fs::canonicalize(&config).unwrap().display()
            ),
            "client key: client_keys[0] in that file (sk-switchyard-…",
            &format!("\"ANTHROPIC_BASE_URL\": \"http://{addr}\""),
            "~/.claude/settings.json",
        ],
    );
    assert!(!log.contains(&key), "the full client key is in the log");
    assert_routed_request_names_the_missing_key(&http, &addr.to_string(), &key).await;
}

/// A request routed to the keyless provider: 401 in the client's own format.
async fn assert_routed_request_names_the_missing_key(
    http: &reqwest::Client,
    addr: &str,
    key: &str,
) {
    let body = json!({"model": "claude-sonnet-4-5", "max_tokens": 16,
        "messages": [{"role": "user", "content": "hi"}]});
    let cases = [
        ("/v1/messages", "/error/type", "authentication_error"),
        (
            "/v1/chat/completions",
            "/error/type",
            "authentication_error",
        ),
    ];
    for (path, type_pointer, kind) in cases {
        let response = (http.post(format!("http://{addr}{path}")))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{path}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer.pointer(type_pointer), Some(&json!(kind)), "{answer}");
        let message = answer
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap();
        assert_contains(
            message,
            &[
                "provider `deepseek` has no API key",
                "DEEPSEEK_API_KEY is not set",
                "export DEEPSEEK_API_KEY=<your key> and restart the gateway",
            ],
        );
    }
}
