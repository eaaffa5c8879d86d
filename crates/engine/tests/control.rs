//! The control API (issue 10 §4-5): profiles switched live, providers
//! switched off and on, reloads from the file, over HTTP and in-process,
//! against mock upstreams on port 0 and a real config file.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests"
)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use support::{CLIENT_KEY, MockUpstream, Reply, TempDir, anthropic_request};
use switchyard_engine::control::{Engine, EngineOptions, KeySource, StateEvent};
use switchyard_engine::secrets::MemoryStore;

fn anthropic_ok(text: &str) -> Reply {
    Reply::json(json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "m",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "usage": {"input_tokens": 3, "output_tokens": 2}
    }))
}

fn anthropic_stream(text: &str, delay: Duration) -> Reply {
    let events = [
        r#"event: message_start
data: {"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"usage":{"input_tokens":3,"output_tokens":0}}}

"#
        .to_owned(),
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n".to_owned(),
        format!("event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"{text}\"}}}}\n\n"),
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n".to_owned(),
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n".to_owned(),
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".to_owned(),
    ];
    Reply::Sse {
        chunks: events.to_vec(),
        delay,
    }
}

/// Providers `a` and `b` (both Anthropic), profiles `to-a` and `to-b`, a
/// shared `gpt-*` route to `a` with no fallback.
fn config(dir: &TempDir, a: &str, b: &str) -> String {
    format!(
        r#"# the test's gateway
listen = "127.0.0.1:0"
client_keys = ["{CLIENT_KEY}"]
usage_db = "{db}"

[[providers]]
id = "a"
format = "anthropic"
base_url = "{a}"
api_key = "none"

[[providers]]
id = "b"   # the other one
format = "anthropic"
base_url = "{b}"
api_key = "none"

[[profiles]]
name = "to-a"
[[profiles.routes]]
model = "claude-*"
provider = "a"
fallback = [{{ provider = "b" }}]

[[profiles]]
name = "to-b"
[[profiles.routes]]
model = "claude-*"
provider = "b"

[[routes]]
model = "gpt-*"
provider = "a"
"#,
        db = dir.db().display()
    )
}

struct Running {
    engine: Engine,
    dir: TempDir,
    client: reqwest::Client,
}

impl Running {
    async fn start(text: &str, dir: TempDir, watch: bool) -> Self {
        let path = dir.0.join("config.toml");
        std::fs::write(&path, text).unwrap();
        let options = EngineOptions {
            keys: KeySource::Given(Arc::new(MemoryStore::default())),
            watch,
            ..EngineOptions::new(path)
        };
        let engine = Engine::start(options).await.unwrap();
        Self {
            engine,
            dir,
            client: reqwest::Client::new(),
        }
    }

    fn path(&self) -> std::path::PathBuf {
        self.dir.0.join("config.toml")
    }

    fn file(&self) -> String {
        std::fs::read_to_string(self.path()).unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.engine.local_addr())
    }

    async fn control(&self, post: bool, path: &str) -> (u16, Value) {
        let url = self.url(&format!("/_switchyard/{path}"));
        let request = match post {
            true => self
                .client
                .post(url)
                .header("content-type", "application/json")
                .body("{}"),
            false => self.client.get(url),
        };
        let response = request.bearer_auth(CLIENT_KEY).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    async fn messages(&self, model: &str, stream: bool) -> reqwest::Response {
        let mut body = anthropic_request(stream);
        body["model"] = json!(model);
        (self.client.post(self.url("/v1/messages")))
            .header("x-api-key", CLIENT_KEY)
            .header("anthropic-version", "2023-06-01")
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn text_of(&self, model: &str) -> (u16, Value) {
        let response = self.messages(model, false).await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }
}

async fn two() -> (MockUpstream, MockUpstream) {
    (MockUpstream::start().await, MockUpstream::start().await)
}

#[tokio::test]
async fn issue_10_profile_switch_routes_the_next_request_and_in_flight_streams_finish() {
    let (a, b) = two().await;
    let dir = TempDir::new("control-profile");
    let text = config(&dir, &a.url(), &b.url());
    let gw = Running::start(&text, dir, false).await;
    a.push(anthropic_stream("slow from a", Duration::from_millis(80)));
    let in_flight = gw.messages("claude-x", true).await;
    assert_eq!(in_flight.status(), 200);

    let (status, applied) = gw.control(true, "profiles/to-b/activate").await;
    assert_eq!(
        (status, &applied["saved"]),
        (200, &json!(true)),
        "{applied}"
    );
    b.push(anthropic_ok("from b"));
    let (status, body) = gw.text_of("claude-x").await;
    assert_eq!(
        (status, body["content"][0]["text"].as_str()),
        (200, Some("from b"))
    );

    let streamed = in_flight.text().await.unwrap();
    assert!(
        streamed.contains("slow from a") && streamed.contains("message_stop"),
        "{streamed}"
    );
    assert_eq!((a.seen().len(), b.seen().len()), (1, 1));
    let last_top_key = "usage.sqlite3\"\n";
    let expected = text.replace(last_top_key, &format!("{last_top_key}profile = \"to-b\"\n"));
    assert_eq!(
        gw.file(),
        expected,
        "one line added, at the end of the top-level keys"
    );
    let (_, status) = gw.control(false, "status").await;
    assert_eq!(status["active_profile"], "to-b");
    assert_eq!(
        status["profiles"],
        json!([{"name": "to-a", "active": false}, {"name": "to-b", "active": true}])
    );
    assert_eq!(status["unsaved"], false);
}

#[tokio::test]
async fn issue_10_a_switched_off_provider_falls_over_then_is_refused_in_the_callers_format() {
    let (a, b) = two().await;
    let dir = TempDir::new("control-disable");
    let text = config(&dir, &a.url(), &b.url());
    let gw = Running::start(&text, dir, false).await;
    let mut events = gw.engine.control().subscribe();

    let (status, _) = gw.control(true, "providers/a/disable").await;
    assert_eq!(status, 200);
    assert_eq!(
        events.recv().await.unwrap(),
        StateEvent::ProviderSwitched {
            id: "a".into(),
            enabled: false,
            saved: true
        }
    );
    assert!(gw.file().contains("api_key = \"none\"\nenabled = false\n"));
    b.push(anthropic_ok("fallback b"));
    let (status, body) = gw.text_of("claude-x").await;
    assert_eq!(
        (status, body["content"][0]["text"].as_str()),
        (200, Some("fallback b"))
    );

    // `gpt-*` goes only to `a`: an OpenAI client gets an OpenAI error naming it.
    let response = (gw.client.post(gw.url("/v1/chat/completions")))
        .bearer_auth(CLIENT_KEY)
        .json(&json!({"model": "gpt-x", "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let error: Value = response.json().await.unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("switched-off provider(s) a")
    );
    assert!(a.seen().is_empty());

    let (_, status) = gw.control(false, "status").await;
    assert_eq!(status["providers"][0]["enabled"], false);
    gw.control(true, "providers/a/enable").await;
    assert_eq!(
        gw.file(),
        text,
        "switching back on restores the file byte for byte"
    );
    a.push(anthropic_ok("a again"));
    assert_eq!(
        gw.text_of("claude-x").await.1["content"][0]["text"],
        "a again"
    );
}

#[tokio::test]
async fn issue_10_a_file_edit_reloads_and_a_bad_edit_keeps_the_running_config() {
    let (a, b) = two().await;
    let dir = TempDir::new("control-reload");
    let text = config(&dir, &a.url(), &b.url());
    let gw = Running::start(&text, dir, true).await;
    let mut events = gw.engine.control().subscribe();

    // An editor's save: a new file renamed over the old one.
    let edited = text.replace("name = \"to-a\"", "name = \"first\"");
    let temp = gw.dir.0.join("config.toml.swp");
    std::fs::write(&temp, &edited).unwrap();
    std::fs::rename(&temp, gw.path()).unwrap();
    let event = tokio::time::timeout(Duration::from_secs(5), events.recv()).await;
    assert_eq!(
        event.unwrap().unwrap(),
        StateEvent::Reloaded {
            needs_restart: vec![]
        }
    );
    assert_eq!(
        gw.engine.control().config().active_profile.as_deref(),
        Some("first")
    );

    std::fs::write(
        gw.path(),
        edited.replace("provider = \"b\"\n", "provider = \"bb\"\n"),
    )
    .unwrap();
    let event = tokio::time::timeout(Duration::from_secs(5), events.recv()).await;
    let StateEvent::ReloadFailed { message } = event.unwrap().unwrap() else {
        panic!("expected a failed reload");
    };
    assert!(
        message.contains("unknown provider `bb`") && message.contains("did you mean `b`?"),
        "{message}"
    );
    let (status, body) = gw.control(true, "reload").await;
    assert_eq!(
        (status, &body["error"]["type"]),
        (422, &json!("invalid_config"))
    );
    assert!(
        body["error"]["message"].as_str().unwrap().contains("line"),
        "{body}"
    );
    a.push(anthropic_ok("still a"));
    assert_eq!(
        gw.text_of("claude-x").await.1["content"][0]["text"],
        "still a"
    );
}

#[tokio::test]
async fn issue_10_switches_under_concurrent_streaming_load_lose_and_misroute_nothing() {
    let (a, b) = two().await;
    let dir = TempDir::new("control-load");
    let text = config(&dir, &a.url(), &b.url());
    let gw = Arc::new(Running::start(&text, dir, false).await);
    const REQUESTS: usize = 40;
    for _ in 0..REQUESTS {
        a.push(anthropic_stream("from a", Duration::from_millis(15)));
        b.push(anthropic_stream("from b", Duration::from_millis(15)));
    }
    let mut streams = Vec::new();
    for n in 0..REQUESTS {
        let gw = Arc::clone(&gw);
        streams.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(5 * n as u64)).await;
            let response = gw.messages("claude-x", true).await;
            (response.status().as_u16(), response.text().await.unwrap())
        }));
    }
    let control = gw.engine.control().clone();
    let switches = tokio::task::spawn_blocking(move || {
        for round in 0..10 {
            let profile = if round % 2 == 0 { "to-b" } else { "to-a" };
            control.activate_profile(profile).unwrap();
            control.set_provider_enabled("a", round % 3 != 0).unwrap();
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    switches.await.unwrap();
    let mut answered = 0;
    for stream in streams {
        let (status, text) = stream.await.unwrap();
        assert_eq!(status, 200, "{text}");
        assert!(text.contains("message_stop"), "{text}");
        answered += usize::from(text.contains("from a")) + usize::from(text.contains("from b"));
    }
    assert_eq!(
        answered, REQUESTS,
        "each stream came from exactly one upstream"
    );
    assert_eq!(a.seen().len() + b.seen().len(), REQUESTS);
    let gw = Arc::into_inner(gw).unwrap();
    let db = gw.dir.db();
    gw.engine.stop().await.unwrap();
    let rows = support::stored_rows(&db);
    assert_eq!(rows.len(), REQUESTS, "every request recorded once");
    for row in &rows {
        let expected = match row.provider.as_str() {
            "b" => ["to-a", "to-b"].as_slice(),
            _ => ["to-a"].as_slice(),
        };
        assert!(
            expected.contains(&row.profile.as_str()),
            "{} via {}",
            row.profile,
            row.provider
        );
    }
}

#[tokio::test]
async fn issue_10_control_api_is_behind_the_guard_and_names_what_is_unknown() {
    let (a, b) = two().await;
    let dir = TempDir::new("control-guard");
    let gw = Running::start(&config(&dir, &a.url(), &b.url()), dir, false).await;
    let status = gw
        .client
        .get(gw.url("/_switchyard/status"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401);
    let foreign = (gw.client.post(gw.url("/_switchyard/providers/a/disable")))
        .bearer_auth(CLIENT_KEY)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    let form = (gw.client.post(gw.url("/_switchyard/reload")))
        .bearer_auth(CLIENT_KEY)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=b")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    let (status, body) = gw.control(true, "providers/nope/disable").await;
    assert_eq!(
        (status, &body["error"]["type"]),
        (404, &json!("unknown_provider"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("providers: a, b")
    );
    let (status, body) = gw.control(true, "profiles/nope/activate").await;
    assert_eq!(
        (status, &body["error"]["type"]),
        (404, &json!("unknown_profile"))
    );
    assert!(gw.engine.control().config().provider("a").unwrap().enabled);
}

#[tokio::test]
async fn issue_10_a_switch_the_file_cannot_take_holds_in_memory_and_says_so() {
    let (a, b) = two().await;
    let dir = TempDir::new("control-unsaved");
    // Inline provider tables: not an edit we make.
    let text = format!(
        "listen = \"127.0.0.1:0\"\nclient_keys = [\"{CLIENT_KEY}\"]\nusage_db = \"{}\"\n\
         providers = [{{ id = \"a\", format = \"anthropic\", base_url = \"{}\", api_key = \"none\" }},\n\
         {{ id = \"b\", format = \"anthropic\", base_url = \"{}\", api_key = \"none\" }}]\n\
         [[routes]]\nmodel = \"claude-*\"\nprovider = \"a\"\nfallback = [{{ provider = \"b\" }}]\n",
        dir.db().display(),
        a.url(),
        b.url()
    );
    let gw = Running::start(&text, dir, false).await;
    let (status, applied) = gw.control(true, "providers/a/disable").await;
    assert_eq!((status, &applied["saved"]), (200, &json!(false)));
    assert!(
        applied["unsaved_reason"]
            .as_str()
            .unwrap()
            .contains("[[providers]] tables")
    );
    assert_eq!(gw.file(), text);
    b.push(anthropic_ok("b in memory"));
    assert_eq!(
        gw.text_of("claude-x").await.1["content"][0]["text"],
        "b in memory"
    );
    assert_eq!(gw.control(false, "status").await.1["unsaved"], true);
    // An unchanged file reloads with the switch kept.
    let (_, reloaded) = gw.control(true, "reload").await;
    assert_eq!(reloaded["changed"], false);
    assert!(!gw.engine.control().config().provider("a").unwrap().enabled);
}
