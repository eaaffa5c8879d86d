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

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{MockUpstream, Reply, anthropic_request};

const CLIENT_KEY: &str = "sk-local-proxy-test";

struct Served {
    child: Child,
    addr: SocketAddr,
    _dir: TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the binary with `env` and waits until it accepts connections.
async fn serve(base_url: &str, env: &[(&str, String)]) -> Served {
    let dir = std::env::temp_dir().join(format!("switchyard-proxy-{}", free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"{addr}\"\nclient_keys = [\"{CLIENT_KEY}\"]\n\
             [[providers]]\nid = \"far\"\nformat = \"openai_chat\"\nbase_url = \"{base_url}\"\n\
             [[routes]]\nmodel = \"*\"\nprovider = \"far\"\nupstream_model = \"far-model\"\n"
        ),
    )
    .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    command
        .args(["serve", "--config"])
        .arg(&config)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let child = command.spawn().unwrap();
    let started = Instant::now();
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "gateway did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Served {
        child,
        addr,
        _dir: TempDir(dir),
    }
}

async fn ask(served: &Served) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("http://{}/v1/messages", served.addr))
        .header("x-api-key", CLIENT_KEY)
        .header("anthropic-version", "2023-06-01")
        .json(&anthropic_request(false))
        .send()
        .await
        .unwrap()
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
    let served = serve(
        "http://upstream.invalid/v1",
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
    let served = serve(
        &format!("{}/v1", upstream.url()),
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
