//! Issue 12 with the real binary: `serve` records, SIGTERM drains, and
//! `switchyard usage` (no flags: the same default store) shows the mock's
//! token counts; `usage export`; `switchyard tail` follows a running gateway.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};
use support::binary::{Served, command, serve_binary};
use support::{MockUpstream, Reply, UPSTREAM_KEY, chat_chunk};

fn config(upstream: &MockUpstream) -> String {
    format!(
        "[[providers]]\nid = \"deep\"\nformat = \"openai_chat\"\nbase_url = \"{}/v1\"\n\
         api_key_env = \"SWITCHYARD_TEST_UPSTREAM_KEY\"\n\
         [[routes]]\nmodel = \"*\"\nprovider = \"deep\"\nupstream_model = \"deep-1\"\n\
         [[prices]]\nmodel = \"deep-1\"\ninput = 1.0\noutput = 2.0\ncache_read = 0.5\n",
        upstream.url()
    )
}

async fn serve(upstream: &MockUpstream) -> Served {
    let env = [("SWITCHYARD_TEST_UPSTREAM_KEY", UPSTREAM_KEY.to_owned())];
    serve_binary(&config(upstream), &env).await
}

fn chat_answer() -> Reply {
    Reply::json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "deep-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 30, "completion_tokens": 4,
                  "prompt_tokens_details": {"cached_tokens": 10}}
    }))
}

fn ask(stream: bool) -> Value {
    json!({"model": "claude-x", "max_tokens": 10, "stream": stream,
           "messages": [{"role": "user", "content": "hi"}]})
}

/// `switchyard ARGS` with the served gateway's data dir.
fn run(served: &Served, args: &[&str]) -> Output {
    let data = served.dir().join("data").display().to_string();
    let output = command(args, &[("SWITCHYARD_DATA_DIR", data)])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn issue_12_usage_shows_what_serve_recorded_after_sigterm() {
    let upstream = MockUpstream::start().await;
    upstream.push(chat_answer());
    upstream.push(Reply::sse(&[
        &chat_chunk(json!({"role": "assistant", "content": "ok"}), None),
        &chat_chunk(json!({}), Some("stop")),
        "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":9}}\n\n",
        "data: [DONE]\n\n",
    ]));
    let mut served = serve(&upstream).await;
    assert_eq!(served.post_messages(&ask(false)).await.status(), 200);
    let streamed = served.post_messages(&ask(true)).await;
    assert!(streamed.text().await.unwrap().contains("message_stop"));
    assert!(served.terminate().success(), "{}", served.log());

    let totals = json_of(&run(&served, &["usage", "--json"]));
    assert_eq!(totals["requests"], 2, "{totals}");
    assert_eq!(totals["input_tokens"], 20 + 40);
    assert_eq!(totals["cache_read_tokens"], 10);
    assert_eq!(totals["output_tokens"], 4 + 9);
    assert_eq!(totals["cache_write_tokens"], 0);
    assert_eq!(totals["reasoning_tokens"], 0);
    // (60 × 1.0 + 13 × 2.0 + 10 × 0.5) per million
    assert!((totals["cost_usd"].as_f64().unwrap() - 91e-6).abs() < 1e-15);

    let by_model = json_of(&run(&served, &["usage", "--json", "--by", "model"]));
    assert_eq!(by_model["groups"][0]["model"], "deep-1");
    assert_eq!(by_model["groups"][0]["requests"], 2);
    let by_client = json_of(&run(&served, &["usage", "--by", "client", "--json"]));
    assert_eq!(by_client["groups"][0]["client"], "other");
    let none = json_of(&run(&served, &["usage", "--json", "--since", "2999-01-01"]));
    assert_eq!(
        (none["requests"].as_u64(), &none["cost_usd"]),
        (Some(0), &Value::Null)
    );
    let recent = json_of(&run(&served, &["usage", "--json", "--since", "1h"]));
    assert_eq!(recent["requests"], 2);

    // A config naming the same file through usage_db finds the same rows.
    let db = served.dir().join("data/usage.sqlite3");
    let other = served.dir().join("other.toml");
    let text = format!(
        "client_keys = [\"sk-other-config-key-0123\"]\nusage_db = {db:?}\n{}",
        config(&upstream)
    );
    std::fs::write(&other, text).unwrap();
    let via_config = command(
        &["usage", "--json", "--config", other.to_str().unwrap()],
        &[],
    )
    .output()
    .unwrap();
    assert_eq!(json_of(&via_config)["requests"], 2);

    let table = String::from_utf8(run(&served, &["usage", "--by", "provider"]).stdout).unwrap();
    assert!(table.lines().any(|l| l.starts_with("deep ")), "{table}");
    assert!(table.contains("$0.0001"), "{table}");

    let csv = String::from_utf8(run(&served, &["usage", "export"]).stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("time,id,ts_ms,client,"), "{csv}");
    let exported = json_of(&run(&served, &["usage", "export", "--format", "json"]));
    let rows = exported.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (
            rows[0]["input_tokens"].as_u64(),
            rows[1]["stream"].as_bool()
        ),
        (Some(20), Some(true))
    );
    assert!(rows[1]["ttft_ms"].is_u64());
}

/// Lines of a child's pipe, read on a thread.
fn lines(pipe: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

fn wait_for(lines: &mpsc::Receiver<String>, needle: &str) -> String {
    loop {
        let line = lines.recv_timeout(Duration::from_secs(10)).unwrap();
        if line.contains(needle) {
            return line;
        }
    }
}

#[tokio::test]
async fn issue_12_tail_prints_one_line_per_finished_request() {
    let upstream = MockUpstream::start().await;
    upstream.push(chat_answer());
    let served = serve(&upstream).await;
    let config = served.dir().join("config.toml");
    let listen = served.addr.to_string();
    let mut tail = command(
        &[
            "tail",
            "--config",
            config.to_str().unwrap(),
            "--listen",
            &listen,
        ],
        &[],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let stdout = lines(tail.stdout.take().unwrap());
    let stderr = lines(tail.stderr.take().unwrap());
    wait_for(&stderr, "following");

    assert_eq!(served.post_messages(&ask(false)).await.status(), 200);
    let line = wait_for(&stdout, "claude-x");
    let _ = tail.kill();
    let _ = tail.wait();
    assert!(line.contains("claude-x -> deep/deep-1 200 ok "), "{line}");
    assert!(line.contains("in=30 out=4 cached=10 $0.0000"), "{line}");
    // Not a terminal: no progress line, no escape codes.
    assert!(!line.contains('\u{1b}'), "{line}");
}
