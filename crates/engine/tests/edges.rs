//! Issue 9, section 4: the gateway's loose edges, closed and tested over HTTP.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use serde_json::{Value, json};
use support::{CLIENT_KEY, MockUpstream, Reply, TestGateway, anthropic_request};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One provider `mock` of `format` at `upstream`, a catch-all route, and `top` lines.
fn config(top: &str, format: &str, upstream: &str, provider_extra: &str) -> String {
    format!(
        "listen = \"127.0.0.1:0\"\nclient_keys = [\"{CLIENT_KEY}\"]\n{top}\n\
         [[providers]]\nid = \"mock\"\nformat = \"{format}\"\nbase_url = \"{upstream}\"\n\
         api_key_env = \"TEST_UPSTREAM_KEY\"\n{provider_extra}\n\
         [[routes]]\nmodel = \"*\"\nprovider = \"mock\"\n"
    )
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// The small Anthropic request, asking for `model`.
async fn ask_model(gateway: &TestGateway, model: &str) -> (u16, Value) {
    let mut body = anthropic_request(false);
    body["model"] = json!(model);
    json_of(
        gateway
            .post("/v1/messages")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn issue_9_gemini_upstream_refuses_model_names_that_change_the_url() {
    let mock = MockUpstream::start().await;
    let gateway = TestGateway::with_config(&config("", "gemini", &mock.url(), "")).await;
    for model in [
        "a/../../v1/files",
        "x?alt=json",
        "m#frag",
        "..",
        "b%2Fc",
        "sp ace",
    ] {
        let (status, answer) = ask_model(&gateway, model).await;
        assert_eq!(status, 400, "{model}: {answer}");
        assert_eq!(answer["error"]["type"], "invalid_request_error");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("cannot be sent to the Gemini provider `mock`"),
            "{message}"
        );
    }
    // Through Gemini's own endpoint, the path segment arrives percent-decoded.
    let url = gateway.url("/v1beta/models/x%2F..%2F..%2Fupload:generateContent");
    let request = gateway
        .client
        .post(url)
        .header("x-goog-api-key", CLIENT_KEY);
    let body = json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]});
    let (status, answer) = json_of(request.json(&body).send().await.unwrap()).await;
    assert_eq!(
        (status, answer["error"]["status"].as_str()),
        (400, Some("INVALID_ARGUMENT")),
        "{answer}"
    );
    assert!(mock.seen().is_empty(), "a request reached the upstream");

    mock.push(Reply::json(
        json!({"candidates": [{"content": {"role": "model",
        "parts": [{"text": "ok"}]}, "finishReason": "STOP"}]}),
    ));
    let (status, _) = ask_model(&gateway, "gemini-2.5-flash_v1.0~x").await;
    assert_eq!(status, 200);
    assert_eq!(
        mock.seen()[0].path,
        "/models/gemini-2.5-flash_v1.0~x:generateContent"
    );
}

/// Raw HTTP/1.0 without a Host header.
async fn status_without_host(addr: std::net::SocketAddr) -> String {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(b"GET /health HTTP/1.0\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn issue_9_no_host_and_a_foreign_http2_authority_are_refused() {
    let mock = MockUpstream::start().await;
    let gateway = TestGateway::with_config(&config("", "anthropic", &mock.url(), "")).await;
    let addr = gateway.gateway.local_addr();
    assert!(status_without_host(addr).await.contains(" 403 "));

    let h2 = |host: &str| {
        reqwest::Client::builder()
            .http2_prior_knowledge()
            .resolve(host, addr)
            .build()
            .unwrap()
    };
    let port = addr.port();
    let foreign = h2("evil.example").get(format!("http://evil.example:{port}/health"));
    let response = foreign.send().await.unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2);
    assert_eq!(response.status(), 403);
    let local = h2("localhost").get(format!("http://localhost:{port}/health"));
    let response = local.send().await.unwrap();
    assert_eq!(
        (response.version(), response.status().as_u16()),
        (reqwest::Version::HTTP_2, 200)
    );
}

#[tokio::test]
async fn issue_9_an_oversized_upstream_answer_is_a_502_in_the_clients_format() {
    let mock = MockUpstream::start().await;
    let top = "max_response_bytes = 2000";
    let gateway = TestGateway::with_config(&config(top, "openai_chat", &mock.url(), "")).await;
    let answer = |text: &str| {
        json!({"id": "c", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
            "finish_reason": "stop"}]})
    };
    mock.push(Reply::json(answer(&"x".repeat(3000))));
    let (status, body) = json_of(gateway.send_messages(false).await).await;
    assert_eq!(
        (status, body["error"]["type"].as_str()),
        (502, Some("api_error")),
        "{body}"
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("answered more than 2000 bytes"),
        "{message}"
    );
    assert!(message.contains("max_response_bytes"), "{message}");

    mock.push(Reply::json(answer(&"x".repeat(1500))));
    let (status, _) = json_of(gateway.send_messages(false).await).await;
    assert_eq!(status, 200);
}

/// Each inbound API and the body that makes it too large.
fn inbound_requests(size: usize) -> [(&'static str, Value); 5] {
    let text = "x".repeat(size);
    let messages = json!([{"role": "user", "content": text}]);
    [
        (
            "/v1/messages",
            json!({"model": "m", "max_tokens": 5, "messages": messages}),
        ),
        (
            "/v1/messages/count_tokens",
            json!({"model": "m", "messages": messages}),
        ),
        (
            "/v1/chat/completions",
            json!({"model": "m", "messages": messages}),
        ),
        ("/v1/responses", json!({"model": "m", "input": text})),
        (
            "/v1beta/models/m:generateContent",
            json!({"contents": [{"parts": [{"text": text}]}]}),
        ),
    ]
}

/// The error's type (Anthropic, OpenAI) or status (Gemini) field.
fn error_kind(path: &str, body: &Value) -> String {
    let pointer = if path.starts_with("/v1beta") {
        "/error/status"
    } else {
        "/error/type"
    };
    body.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

async fn assert_too_large(gateway: &TestGateway, size: usize, limit: usize) {
    for (path, body) in inbound_requests(size) {
        let response = gateway.post(path).json(&body).send().await.unwrap();
        let (status, answer) = json_of(response).await;
        assert_eq!(status, 413, "{path}: {answer}");
        let kind = error_kind(path, &answer);
        let want = match path {
            p if p.starts_with("/v1beta") => "INVALID_ARGUMENT",
            "/v1/chat/completions" | "/v1/responses" => "invalid_request_error",
            _ => "request_too_large",
        };
        assert_eq!(kind, want, "{path}: {answer}");
        let message = answer
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap();
        assert!(
            message.contains(&format!("({limit} bytes)")),
            "{path}: {message}"
        );
    }
}

#[tokio::test]
async fn issue_9_request_body_limit_is_a_413_for_every_inbound_api() {
    let mock = MockUpstream::start().await;
    let top = "max_request_bytes = 4096";
    let gateway = TestGateway::with_config(&config(top, "anthropic", &mock.url(), "")).await;
    assert_too_large(&gateway, 5000, 4096).await;
    assert!(mock.seen().is_empty());
}

#[tokio::test]
async fn issue_9_default_request_limit_is_64_mib() {
    let mock = MockUpstream::start().await;
    let gateway = TestGateway::with_config(&config("", "anthropic", &mock.url(), "")).await;
    let limit = 64 * 1024 * 1024;
    let (path, body) = inbound_requests(limit).into_iter().next().unwrap();
    let response = gateway.post(path).json(&body).send().await.unwrap();
    let (status, answer) = json_of(response).await;
    assert_eq!(
        (status, error_kind(path, &answer)),
        (413, "request_too_large".to_owned())
    );
    assert!(mock.seen().is_empty());
}

#[tokio::test]
async fn issue_9_max_tokens_field_is_a_provider_property() {
    let mock = MockUpstream::start().await;
    let answer = json!({"id": "c", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
        "finish_reason": "stop"}]});
    let cases = [
        ("", "max_tokens"),
        (
            "max_tokens_field = \"max_completion_tokens\"",
            "max_completion_tokens",
        ),
    ];
    for (extra, field) in cases {
        let gateway =
            TestGateway::with_config(&config("", "openai_chat", &mock.url(), extra)).await;
        mock.push(Reply::json(answer.clone()));
        let (status, _) = json_of(gateway.send_messages(false).await).await;
        assert_eq!(status, 200);
        let sent = mock.seen().last().unwrap().json();
        let other = if field == "max_tokens" {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        assert_eq!(
            (sent.get(field), sent.get(other)),
            (Some(&json!(100)), None),
            "{sent}"
        );
    }
}

/// Issue 10: a preset's auth style reaches the wire (Moonshot's Anthropic
/// endpoint takes `Authorization: Bearer`, not `x-api-key`).
#[tokio::test]
async fn issue_10_preset_auth_style_is_sent_upstream() {
    let mock = MockUpstream::start().await;
    let text = format!(
        "listen = \"127.0.0.1:0\"\nclient_keys = [\"{CLIENT_KEY}\"]\n\
         [[providers]]\nid = \"kimi\"\npreset = \"moonshot\"\nformat = \"anthropic\"\nbase_url = \"{}\"\n\
         api_key_env = \"TEST_UPSTREAM_KEY\"\n[[routes]]\nmodel = \"*\"\nprovider = \"kimi\"\n",
        mock.url()
    );
    let gateway = TestGateway::with_config(&text).await;
    mock.push(Reply::json(
        json!({"id": "msg_1", "type": "message", "role": "assistant",
        "model": "m", "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
        "usage": {"input_tokens": 1, "output_tokens": 1}}),
    ));
    let (status, _) = json_of(gateway.send_messages(false).await).await;
    assert_eq!(status, 200);
    let seen = &mock.seen()[0];
    assert_eq!(
        seen.headers["authorization"],
        format!("Bearer {}", support::UPSTREAM_KEY)
    );
    assert!(seen.headers.get("x-api-key").is_none());
}
