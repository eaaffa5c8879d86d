//! Intent routing (issue 10 §4 and §6) against a mock classifier: the right
//! scene, a timeout falls back to the default route, a turn asks once.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{CLIENT_KEY, MockUpstream, Reply, TestGateway};

fn said(text: &str) -> Reply {
    Reply::json(json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "m",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "usage": {"input_tokens": 3, "output_tokens": 2}
    }))
}

struct Setup {
    classifier: MockUpstream,
    chat: MockUpstream,
    code: MockUpstream,
    default: MockUpstream,
    gw: TestGateway,
}

async fn setup(timeout_ms: u64) -> Setup {
    let (classifier, chat) = (MockUpstream::start().await, MockUpstream::start().await);
    let (code, default) = (MockUpstream::start().await, MockUpstream::start().await);
    let mut text = format!("listen = \"127.0.0.1:0\"\nclient_keys = [\"{CLIENT_KEY}\"]\n");
    for (id, mock) in [
        ("classifier", &classifier),
        ("chat", &chat),
        ("code", &code),
        ("default", &default),
    ] {
        text.push_str(&format!(
            "[[providers]]\nid = \"{id}\"\nformat = \"anthropic\"\nbase_url = \"{}\"\napi_key = \"none\"\n",
            mock.url()
        ));
    }
    text.push_str(&format!(
        r#"[intent]
classifier = {{ provider = "classifier", upstream_model = "tiny" }}
timeout_ms = {timeout_ms}
[[intent.scenes]]
name = "chat"
description = "small talk and short questions"
provider = "chat"
upstream_model = "chat-small"
[[intent.scenes]]
name = "code"
description = "writing or changing code"
provider = "code"
upstream_model = "coder"
[[routes]]
model = "*"
provider = "default"
"#
    ));
    let gw = TestGateway::with_config(&text).await;
    Setup {
        classifier,
        chat,
        code,
        default,
        gw,
    }
}

async fn ask(gw: &TestGateway, text: &str) -> u16 {
    let body = json!({"model": "claude-x", "max_tokens": 100, "messages": [{"role": "user", "content": text}]});
    gw.post("/v1/messages")
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn issue_10_intent_picks_the_scene_and_asks_once_per_turn() {
    let s = setup(1500).await;
    s.classifier.push(said("code"));
    s.code.push(said("here is the code"));
    assert_eq!(
        ask(&s.gw, "write a rust function that adds two numbers").await,
        200
    );
    assert_eq!(s.code.seen()[0].json()["model"], "coder");
    let asked = s.classifier.seen()[0].json();
    assert_eq!(asked["model"], "tiny");
    let system = asked["system"].to_string();
    assert!(
        system.contains("- code: writing or changing code"),
        "{system}"
    );
    assert_eq!(
        asked["messages"][0]["content"][0]["text"],
        "write a rust function that adds two numbers\n"
    );

    // The same turn again (a retry, a tool loop): no second classification.
    s.code.push(said("again"));
    assert_eq!(
        ask(&s.gw, "write a rust function that adds two numbers").await,
        200
    );
    assert_eq!((s.classifier.seen().len(), s.code.seen().len()), (1, 2));

    s.classifier.push(said("Scene: chat."));
    s.chat.push(said("hello"));
    assert_eq!(ask(&s.gw, "hi there").await, 200);
    assert_eq!(s.chat.seen()[0].json()["model"], "chat-small");
    let routes: Vec<String> =
        s.gw.recorder
            .wait_for(3)
            .await
            .iter()
            .map(|e| e.route.clone())
            .collect();
    assert_eq!(routes, ["intent:code", "intent:code", "intent:chat"]);
}

#[tokio::test]
async fn issue_10_intent_timeout_or_no_scene_takes_the_default_route() {
    let s = setup(200).await;
    s.classifier.push(Reply::Hang);
    s.default.push(said("default"));
    let started = Instant::now();
    assert_eq!(ask(&s.gw, "something slow").await, 200);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(s.default.seen().len(), 1);

    s.classifier.push(said("I cannot tell"));
    s.default.push(said("default"));
    assert_eq!(ask(&s.gw, "something vague").await, 200);
    s.classifier.push(Reply::error(500, "{}"));
    s.default.push(said("default"));
    assert_eq!(ask(&s.gw, "something broken").await, 200);
    assert_eq!(s.default.seen().len(), 3);
    assert!(s.chat.seen().is_empty() && s.code.seen().is_empty());
}
