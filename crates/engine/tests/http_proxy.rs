//! Providers behind an HTTP proxy from the environment (`HTTP_PROXY`, …):
//! the real `switchyard` binary, a mock proxy, and an upstream host that does
//! not resolve, so only a request sent through the proxy can succeed.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use serde_json::{Value, json};
use support::binary::{Served, free_port, serve_binary};
use support::{MockUpstream, Reply, anthropic_request};

fn far_provider(base_url: &str) -> String {
    format!(
        "[[providers]]\nid = \"far\"\nformat = \"openai_chat\"\nbase_url = \"{base_url}\"\napi_key = \"none\"\n\
         [[routes]]\nmodel = \"*\"\nprovider = \"far\"\nupstream_model = \"far-model\"\n"
    )
}

async fn ask(served: &Served) -> reqwest::Response {
    served.post_messages(&anthropic_request(false)).await
}

fn chat_answer() -> Reply {
    Reply::json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "far-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "via proxy"},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    }))
}

#[tokio::test]
async fn issue3_http_proxy_from_the_environment_is_used() {
    let proxy = MockUpstream::start().await;
    proxy.push(chat_answer());
    let served = serve_binary(
        &far_provider("http://upstream.invalid/v1"),
        &[("HTTP_PROXY", format!("http://{}", proxy.addr))],
    )
    .await;

    let response = ask(&served).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["content"][0]["text"], "via proxy");
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/v1/chat/completions");
    assert_eq!(seen[0].headers["host"], "upstream.invalid");
    assert_eq!(seen[0].json()["model"], "far-model");
}

#[tokio::test]
async fn issue3_no_proxy_sends_directly() {
    let upstream = MockUpstream::start().await;
    upstream.push(chat_answer());
    let unused_proxy = format!("http://127.0.0.1:{}", free_port());
    let served = serve_binary(
        &far_provider(&format!("{}/v1", upstream.url())),
        &[
            ("HTTP_PROXY", unused_proxy),
            ("NO_PROXY", "127.0.0.1".to_owned()),
        ],
    )
    .await;

    let response = ask(&served).await;
    assert_eq!(response.status(), 200);
    assert_eq!(upstream.seen().len(), 1);
}
