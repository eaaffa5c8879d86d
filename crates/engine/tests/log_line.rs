//! The request log of the real binary: one line per request with route,
//! status, latency and tokens, control characters escaped, never a key.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::binary::serve_binary;
use support::{CLIENT_KEY, MockUpstream, Reply, UPSTREAM_KEY};

#[tokio::test]
async fn issue3_one_escaped_log_line_per_request_without_keys() {
    let upstream = MockUpstream::start().await;
    upstream.push(Reply::json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "deep-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 30, "completion_tokens": 4, "total_tokens": 34,
                  "prompt_tokens_details": {"cached_tokens": 10}}
    })));
    let config = format!(
        "[[providers]]\nid = \"deep\"\nformat = \"openai_chat\"\nbase_url = \"{}/v1\"\n\
         api_key_env = \"SWITCHYARD_TEST_UPSTREAM_KEY\"\n\
         [[routes]]\nmodel = \"*\"\nprovider = \"deep\"\nupstream_model = \"deep-1\"\n",
        upstream.url()
    );
    let served = serve_binary(
        &config,
        &[("SWITCHYARD_TEST_UPSTREAM_KEY", UPSTREAM_KEY.to_owned())],
    )
    .await;

    // A model name that would forge a second line and colour the terminal.
    let forged = "claude-x\n2026-01-01T00:00:00Z  INFO forged\u{1b}[31m";
    let response = served
        .post_messages(&json!({"model": forged, "max_tokens": 10,
                               "messages": [{"role": "user", "content": "hi"}]}))
        .await;
    assert_eq!(response.status(), 200);

    let started = Instant::now();
    let line = loop {
        let log = served.log();
        let lines: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("anthropic.messages"))
            .collect();
        if let [line] = lines[..] {
            break line.to_owned();
        }
        assert!(lines.len() <= 1, "{log}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "no request line: {log}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        line.contains(r"claude-x\n2026-01-01T00:00:00Z  INFO forged\u{1b}[31m -> deep/deep-1"),
        "{line}"
    );
    assert!(line.contains(" status=200 ok "), "{line}");
    assert!(line.contains("ms in=30 out=4 cached=10"), "{line}");
    assert!(
        line.split_once(' ').unwrap().0.ends_with('Z'),
        "RFC 3339 UTC: {line}"
    );
    let log = served.log();
    assert!(
        !log.contains("INFO forged\n") && !log.contains('\u{1b}'),
        "{log}"
    );
    assert!(
        !log.contains(UPSTREAM_KEY) && !log.contains(CLIENT_KEY),
        "{log}"
    );
}

#[tokio::test]
async fn issue_10_the_log_line_lists_every_attempt() {
    let upstream = MockUpstream::start().await;
    upstream.push(Reply::json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "b-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
    })));
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_addr = closed.local_addr().unwrap();
    drop(closed);
    let config = format!(
        "[[providers]]\nid = \"a\"\nformat = \"anthropic\"\nbase_url = \"http://{closed_addr}\"\n\
         api_key = \"none\"\n\
         [[providers]]\nid = \"b\"\nformat = \"openai_chat\"\nbase_url = \"{}/v1\"\napi_key = \"none\"\n\
         [[routes]]\nmodel = \"*\"\nprovider = \"a\"\nfallback = [{{ provider = \"b\", upstream_model = \"b-1\" }}]\n",
        upstream.url()
    );
    let served = serve_binary(&config, &[]).await;
    let response = served
        .post_messages(&json!({"model": "claude-x", "max_tokens": 10,
                               "messages": [{"role": "user", "content": "hi"}]}))
        .await;
    assert_eq!(response.status(), 200);
    let started = Instant::now();
    let line = loop {
        let log = served.log();
        if let Some(line) = log.lines().find(|l| l.contains("anthropic.messages")) {
            break line.to_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "no request line: {log}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(line.contains("claude-x -> b/b-1 status=200 ok"), "{line}");
    assert!(line.contains(" attempts=a:upstream_connect:"), "{line}");
    assert!(line.contains(",b:200:"), "{line}");
}
