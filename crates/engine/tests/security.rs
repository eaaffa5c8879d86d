//! Issue 11: the guard against the running binary. Every refusal has the
//! right status and a body in the caller's own API format.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use serde_json::{Value, json};
use support::CLIENT_KEY;
use support::binary::{Served, command, free_port, serve_binary, temp_dir};

const PROVIDERS: &str = "max_request_bytes = 2048\n\
    [[providers]]\nid = \"local\"\nformat = \"openai_chat\"\nbase_url = \"http://127.0.0.1:9/v1\"\n\
    [[routes]]\nmodel = \"*\"\nprovider = \"local\"\n";

/// Each inbound API, with the pointer to its error's type (Gemini: status).
const APIS: [(&str, &str); 4] = [
    ("/v1/messages", "/error/type"),
    ("/v1/chat/completions", "/error/type"),
    ("/v1/responses", "/error/type"),
    ("/v1beta/models/m:generateContent", "/error/status"),
];

fn url(served: &Served, path: &str) -> String {
    format!("http://{}{path}", served.addr)
}

async fn refused(request: reqwest::RequestBuilder, status: u16, pointer: &str) -> String {
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), status);
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let body: Value = response.json().await.unwrap();
    let kind = body.pointer(pointer).and_then(Value::as_str);
    assert!(kind.is_some_and(|kind| !kind.is_empty()), "{body}");
    body.pointer("/error/message")
        .and_then(Value::as_str)
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn issue_11_every_refusal_is_in_the_callers_format() {
    let served = serve_binary(PROVIDERS, &[]).await;
    let http = reqwest::Client::new();
    let body = json!({"model": "m", "messages": []});
    for (path, pointer) in APIS {
        let post = || http.post(url(&served, path));
        let message = refused(post().json(&body), 401, pointer).await;
        assert!(message.contains("missing client key"), "{path}: {message}");
        let wrong = post()
            .bearer_auth("sk-wrong-but-long-enough-0000")
            .json(&body);
        assert!(
            refused(wrong, 401, pointer)
                .await
                .contains("invalid client key")
        );
        let host = post()
            .bearer_auth(CLIENT_KEY)
            .header("host", "evil.example")
            .json(&body);
        assert!(
            refused(host, 403, pointer)
                .await
                .contains("must name this machine")
        );
        let origin = post()
            .bearer_auth(CLIENT_KEY)
            .header("origin", "https://evil.example");
        assert!(
            refused(origin.json(&body), 403, pointer)
                .await
                .contains("web pages")
        );
        let form = post().bearer_auth(CLIENT_KEY).form(&[("model", "m")]);
        assert!(
            refused(form, 415, pointer).await.contains("must be JSON"),
            "{path}"
        );
        let text = post()
            .bearer_auth(CLIENT_KEY)
            .header("content-type", "text/plain");
        assert!(
            refused(text.body("{}"), 415, pointer)
                .await
                .contains("must be JSON")
        );
        let big =
            json!({"model": "m", "messages": [{"role": "user", "content": "x".repeat(4000)}]});
        let message = refused(post().bearer_auth(CLIENT_KEY).json(&big), 413, pointer).await;
        assert!(message.contains("(2048 bytes)"), "{path}: {message}");
    }
    // A stray x-api-key (an exported ANTHROPIC_API_KEY) beside our token.
    let both = http
        .post(url(&served, "/v1/chat/completions"))
        .bearer_auth(CLIENT_KEY);
    let both = both.header("x-api-key", "sk-ant-someone-elses-key-0000");
    assert_ne!(both.json(&body).send().await.unwrap().status(), 401);
    // JSON with a parameter, or a +json type, is let through to the handler.
    let typed = http
        .post(url(&served, "/v1/chat/completions"))
        .bearer_auth(CLIENT_KEY);
    let typed = typed.header("content-type", "application/json; charset=utf-8");
    let response = typed.body(body.to_string()).send().await.unwrap();
    assert_ne!(response.status(), 415);
}

#[test]
fn issue_11_non_loopback_bind_needs_the_flag() {
    let dir = temp_dir("bind");
    let config = dir.join("config.toml");
    let text = format!("client_keys = [\"{CLIENT_KEY}\"]\n{PROVIDERS}");
    std::fs::write(&config, text).unwrap();
    let path = config.to_str().unwrap();
    let listen = format!("0.0.0.0:{}", free_port());
    let output = command(&["serve", "--config", path, "--listen", &listen], &[])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("is not a loopback address"), "{log}");
    assert!(log.contains("allow_non_loopback = true"), "{log}");
    std::fs::write(
        &config,
        format!(
            "listen = \"{listen}\"\n{}",
            std::fs::read_to_string(&config).unwrap()
        ),
    )
    .unwrap();
    let output = command(&["check", "--config", path], &[]).output().unwrap();
    assert!(!output.status.success());
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        log.contains("line 1") && log.contains("not a loopback address"),
        "{log}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
