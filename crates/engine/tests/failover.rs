//! Fallback, retries, the circuit breaker and key pools (issue 10 §2-3),
//! by fault injection against mock upstreams on port 0.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{MockUpstream, Reply, TestGateway, chat_chunk, validate_stream};
use switchyard_engine::usage::{Outcome, UsageEvent};

/// `a` speaks Anthropic (the client's format: passed through), `b` OpenAI
/// Chat (translated); `claude-*` goes to `a`, then falls back to `b`.
fn config(a_url: &str, b_url: &str, extra: &str, route_extra: &str) -> String {
    format!(
        r#"
listen = "127.0.0.1:0"
client_keys = ["{key}"]
{extra}
[[providers]]
id = "a"
format = "anthropic"
base_url = "{a_url}"
api_key_env = "TEST_UPSTREAM_KEY"
first_byte_timeout_ms = 300
connect_timeout_ms = 300
[[providers]]
id = "b"
format = "openai_chat"
base_url = "{b_url}/v1"
api_key_env = "TEST_UPSTREAM_KEY"
[[routes]]
model = "claude-*"
provider = "a"
upstream_model = "a-model"
fallback = [{{ provider = "b", upstream_model = "b-model" }}]
{route_extra}
"#,
        key = support::CLIENT_KEY
    )
}

fn anthropic_ok() -> Reply {
    Reply::json(json!({
        "id": "msg_a", "type": "message", "role": "assistant", "model": "a-model",
        "content": [{"type": "text", "text": "from a"}],
        "stop_reason": "end_turn", "usage": {"input_tokens": 3, "output_tokens": 2}
    }))
}

fn chat_ok() -> Reply {
    Reply::json(json!({
        "id": "chatcmpl-b", "object": "chat.completion", "created": 1, "model": "b-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "from b"},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}
    }))
}

async fn two() -> (MockUpstream, MockUpstream) {
    (MockUpstream::start().await, MockUpstream::start().await)
}

/// A port nothing listens on.
async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

async fn text_of(gw: &TestGateway) -> (u16, Value) {
    let response = gw.send_messages(false).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// `provider:status-or-kind` of each attempt.
fn attempts(event: &UsageEvent) -> Vec<String> {
    (event.attempts.iter())
        .map(|a| match a.error_kind {
            Some(kind) if a.status == 0 => format!("{}:{kind}", a.provider),
            _ => format!("{}:{}", a.provider, a.status),
        })
        .collect()
}

#[tokio::test]
async fn issue_10_500_falls_over_to_the_next_target_in_its_own_format() {
    let (a, b) = two().await;
    let gw = TestGateway::with_config(&config(&a.url(), &b.url(), "", "")).await;
    a.push(Reply::error(
        500,
        r#"{"type":"error","error":{"type":"api_error","message":"boom"}}"#,
    ));
    b.push(chat_ok());
    let (status, body) = text_of(&gw).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["content"][0]["text"], "from b",
        "translated back to Anthropic"
    );
    assert_eq!(a.seen().len(), 1, "a fallback exists: no retry of `a`");
    let sent = b.seen()[0].json();
    assert_eq!(sent["model"], "b-model");
    assert_eq!(
        sent["messages"][0]["content"], "Say hi",
        "re-encoded as OpenAI Chat"
    );
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events.len(), 1, "recorded once");
    assert_eq!(attempts(&events[0]), ["a:500", "b:200"]);
    assert_eq!(events[0].attempts[1].upstream_model, "b-model");
    assert_eq!((events[0].provider.as_str(), events[0].status), ("b", 200));
}

#[tokio::test]
async fn issue_10_connection_refused_and_slow_first_byte_fall_over() {
    let (a, b) = two().await;
    let closed = closed_port_url().await;
    let gw = TestGateway::with_config(&config(&closed, &b.url(), "", "")).await;
    b.push(chat_ok());
    assert_eq!(text_of(&gw).await.0, 200);
    let gw2 = TestGateway::with_config(&config(&a.url(), &b.url(), "", "")).await;
    a.push(Reply::Hang);
    b.push(chat_ok());
    assert_eq!(text_of(&gw2).await.0, 200);
    let refused = gw.recorder.wait_for(1).await;
    assert_eq!(attempts(&refused[0]), ["a:upstream_connect", "b:200"]);
    let slow = gw2.recorder.wait_for(1).await;
    assert_eq!(attempts(&slow[0]), ["a:upstream_timeout", "b:200"]);
}

#[tokio::test]
async fn issue_10_client_errors_are_not_retried() {
    let (a, b) = two().await;
    let gw = TestGateway::with_config(&config(&a.url(), &b.url(), "", "")).await;
    let body = r#"{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}"#;
    a.push(Reply::error(400, body));
    let (status, answer) = text_of(&gw).await;
    assert_eq!(
        (status, answer["error"]["message"].as_str()),
        (400, Some("bad"))
    );
    assert!(b.seen().is_empty());
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(attempts(&events[0]), ["a:400"]);
}

#[tokio::test]
async fn issue_10_529_on_the_last_target_is_retried_with_backoff() {
    let a = MockUpstream::start().await;
    let extra = "[retry]\nbackoff_ms = 50";
    let gw = TestGateway::start("anthropic", &a.url(), extra).await;
    let overloaded = r#"{"type":"error","error":{"type":"overloaded_error","message":"busy"}}"#;
    a.push(Reply::error(529, overloaded));
    a.push(anthropic_ok());
    let started = std::time::Instant::now();
    assert_eq!(text_of(&gw).await.0, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(25),
        "jittered wait of 50 ms ± 50 %"
    );
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(attempts(&events[0]), ["mock:529", "mock:200"]);
}

#[tokio::test]
async fn issue_10_attempts_are_bounded() {
    let (a, b) = two().await;
    let extra = "[retry]\nmax_attempts = 1";
    let gw = TestGateway::with_config(&config(&a.url(), &b.url(), extra, "")).await;
    a.push(Reply::error(503, r#"{"error":{"message":"down"}}"#));
    assert_eq!(text_of(&gw).await.0, 503);
    assert!(b.seen().is_empty(), "no attempt left for the fallback");
}

#[tokio::test]
async fn issue_10_no_retry_after_the_first_byte() {
    let (a, b) = two().await;
    let text = config(&a.url(), &b.url(), "", "")
        .replace("format = \"anthropic\"", "format = \"openai_chat\"");
    let gw = TestGateway::with_config(&text).await;
    a.push(Reply::SseThenCut {
        chunks: vec![chat_chunk(json!({"content": "partial"}), None)],
    });
    let response = gw.send_messages(true).await;
    assert_eq!(response.status(), 200);
    let stream = response.text().await.unwrap();
    let summary = validate_stream(&stream).unwrap();
    assert_eq!(
        summary.error.unwrap()["type"],
        "api_error",
        "an error event, in the client's format"
    );
    assert!(b.seen().is_empty(), "the answer had begun: no fallback");
    let events = gw.recorder.wait_for(1).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].outcome, Outcome::StreamError);
    assert_eq!(attempts(&events[0]), ["a:200"]);
}

#[tokio::test]
async fn issue_10_breaker_opens_skips_probes_and_closes() {
    let (a, b) = two().await;
    let extra = "breaker_failures = 2\nbreaker_cooldown_ms = 300";
    let gw = TestGateway::with_config(&config(&a.url(), &b.url(), extra, "")).await;
    for _ in 0..2 {
        a.push(Reply::error(500, "{}"));
        b.push(chat_ok());
        assert_eq!(text_of(&gw).await.0, 200);
    }
    // Open: `a` is skipped without a request.
    b.push(chat_ok());
    assert_eq!(text_of(&gw).await.0, 200);
    assert_eq!(a.seen().len(), 2);
    tokio::time::sleep(Duration::from_millis(350)).await;
    // Half-open: one probe, which succeeds and closes the circuit.
    a.push(anthropic_ok());
    assert_eq!(text_of(&gw).await.1["content"][0]["text"], "from a");
    a.push(anthropic_ok());
    assert_eq!(text_of(&gw).await.1["content"][0]["text"], "from a");
    let events = gw.recorder.wait_for(5).await;
    let all: Vec<Vec<String>> = events.iter().map(attempts).collect();
    assert_eq!(
        all,
        [
            vec!["a:500", "b:200"],
            vec!["a:500", "b:200"],
            vec!["a:circuit_open", "b:200"],
            vec!["a:200"],
            vec!["a:200"],
        ]
    );
}

#[tokio::test]
async fn issue_10_every_circuit_open_is_a_503_naming_the_providers() {
    let (a, b) = two().await;
    let extra = "breaker_failures = 1\nbreaker_cooldown_ms = 60000";
    let gw = TestGateway::with_config(&config(&a.url(), &b.url(), extra, "")).await;
    a.push(Reply::error(500, "{}"));
    b.push(Reply::error(502, "{}"));
    assert_eq!(text_of(&gw).await.0, 502);
    let response = gw.send_messages(false).await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "60");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "error", "the client's (Anthropic) shape");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`a` (retried in 60s)") && message.contains("`b`"),
        "{message}"
    );
    let events = gw.recorder.wait_for(2).await;
    assert_eq!(attempts(&events[1]), ["a:circuit_open", "b:circuit_open"]);
}

/// One Anthropic provider `p` with keys K1, K2 (`strategy`), no fallback.
async fn pool(strategy: &str, extra: &str) -> (MockUpstream, TestGateway) {
    let mock = MockUpstream::start().await;
    let text = format!(
        r#"
listen = "127.0.0.1:0"
client_keys = ["{key}"]
{extra}
[[providers]]
id = "p"
format = "anthropic"
base_url = "{url}"
api_key_env = ["K1", "K2"]
key_strategy = "{strategy}"
[[routes]]
model = "*"
provider = "p"
"#,
        key = support::CLIENT_KEY,
        url = mock.url()
    );
    let gw = TestGateway::with_config_env(&text, &[("K1", "key-one"), ("K2", "key-two")]).await;
    (mock, gw)
}

fn keys_seen(mock: &MockUpstream) -> Vec<String> {
    (mock.seen().iter())
        .map(|seen| seen.headers["x-api-key"].to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn issue_10_round_robin_alternates_keys_and_conversations_stick() {
    let (mock, gw) = pool("round_robin", "").await;
    // Four conversations (their first turns differ): spread over the keys.
    for n in 0..4 {
        mock.push(anthropic_ok());
        assert_eq!(send_chat(&gw, n, None).await, 200);
    }
    assert_eq!(
        keys_seen(&mock),
        ["key-one", "key-two", "key-one", "key-two"]
    );
    // One Claude Code session: every request on the key it started with.
    for n in 0..3 {
        mock.push(anthropic_ok());
        assert_eq!(send_chat(&gw, 10 + n, Some("s-7")).await, 200);
    }
    let keys = keys_seen(&mock);
    assert!(keys[4..].iter().all(|key| *key == keys[4]), "{keys:?}");
}

/// A request of conversation `n` (its first turn), with a session header.
async fn send_chat(gw: &TestGateway, n: usize, session: Option<&str>) -> u16 {
    let body = json!({"model": "m", "max_tokens": 5,
                      "messages": [{"role": "user", "content": format!("chat {n}")}]});
    let mut request = gw.post("/v1/messages").json(&body);
    if let Some(session) = session {
        request = request.header("x-claude-code-session-id", session);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn issue_10_429_cools_the_key_and_the_request_goes_on_with_the_next() {
    let (mock, gw) = pool("fill_first", "[retry]\nbackoff_ms = 1").await;
    mock.push(Reply::Json {
        status: 429,
        body: r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}"#.into(),
        headers: vec![("retry-after", "1".into())],
    });
    mock.push(anthropic_ok());
    assert_eq!(text_of(&gw).await.0, 200);
    // Cooling: fill_first now starts with the second key…
    mock.push(anthropic_ok());
    assert_eq!(text_of(&gw).await.0, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // …until its Retry-After has passed (a new conversation: the first one
    // stays on the key that answered it).
    mock.push(anthropic_ok());
    assert_eq!(send_chat(&gw, 1, None).await, 200);
    mock.push(anthropic_ok());
    assert_eq!(text_of(&gw).await.0, 200);
    assert_eq!(
        keys_seen(&mock),
        ["key-one", "key-two", "key-two", "key-one", "key-two"]
    );
    let events = gw.recorder.wait_for(4).await;
    assert_eq!(attempts(&events[0]), ["p:429", "p:200"]);
    assert_eq!(events.len(), 4);
}

#[tokio::test]
async fn issue_10_a_refused_key_is_never_used_again() {
    let (mock, gw) = pool("round_robin", "[retry]\nbackoff_ms = 1").await;
    let refused = r#"{"type":"error","error":{"type":"authentication_error","message":"bad key"}}"#;
    mock.push(Reply::error(401, refused));
    mock.push(anthropic_ok());
    assert_eq!(text_of(&gw).await.0, 200);
    for _ in 0..3 {
        mock.push(anthropic_ok());
        assert_eq!(text_of(&gw).await.0, 200);
    }
    assert_eq!(
        keys_seen(&mock),
        ["key-one", "key-two", "key-two", "key-two", "key-two"]
    );
}

#[tokio::test]
async fn issue_10_401_with_one_key_goes_to_the_next_target() {
    let (a, b) = two().await;
    let gw = TestGateway::with_config(&config(&a.url(), &b.url(), "", "")).await;
    a.push(Reply::error(
        401,
        r#"{"type":"error","error":{"type":"authentication_error","message":"no"}}"#,
    ));
    b.push(chat_ok());
    assert_eq!(text_of(&gw).await.0, 200);
    // The refused key is skipped while another target remains.
    b.push(chat_ok());
    assert_eq!(text_of(&gw).await.0, 200);
    assert_eq!(a.seen().len(), 1);
    let events = gw.recorder.wait_for(2).await;
    assert_eq!(attempts(&events[0]), ["a:401", "b:200"]);
    assert_eq!(attempts(&events[1]), ["a:upstream_keys_refused", "b:200"]);
}
