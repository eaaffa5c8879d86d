//! A scripted upstream (axum on port 0) and a gateway started against it.

#![allow(
    dead_code,
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic
)]

pub mod binary;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use switchyard_engine::Gateway;
use switchyard_engine::config;
use switchyard_engine::usage::{UsageEvent, UsageHub, UsageSink};
#[allow(unused_imports)]
pub use switchyard_test_support::anthropic::validate_stream;

pub const CLIENT_KEY: &str = "sk-test-client-key-0123456789";
pub const UPSTREAM_KEY: &str = "sk-upstream-secret-key";

/// What the mock answers to the next request.
#[derive(Clone)]
pub enum Reply {
    Json {
        status: u16,
        body: String,
        headers: Vec<(&'static str, String)>,
    },
    /// SSE chunks, each sent after `delay`.
    Sse {
        chunks: Vec<String>,
        delay: Duration,
    },
    /// Some SSE bytes, then the connection is cut.
    SseThenCut { chunks: Vec<String> },
    /// SSE chunks forever, slowly; `dropped` turns true when the gateway hangs up.
    Endless { dropped: Arc<AtomicBool> },
    /// SSE chunks, then the connection stays open without another byte.
    SseThenHang { chunks: Vec<String> },
    /// Never answers.
    Hang,
}

impl Reply {
    pub fn json(body: serde_json::Value) -> Self {
        Self::Json {
            status: 200,
            body: body.to_string(),
            headers: Vec::new(),
        }
    }

    pub fn error(status: u16, body: &str) -> Self {
        Self::Json {
            status,
            body: body.to_owned(),
            headers: Vec::new(),
        }
    }

    pub fn sse(chunks: &[&str]) -> Self {
        Self::Sse {
            chunks: chunks.iter().map(|c| (*c).to_owned()).collect(),
            delay: Duration::ZERO,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Default)]
struct MockState {
    replies: Mutex<VecDeque<Reply>>,
    seen: Mutex<Vec<Seen>>,
}

pub struct MockUpstream {
    pub addr: SocketAddr,
    state: Arc<MockState>,
}

impl MockUpstream {
    pub async fn start() -> Self {
        let state = Arc::new(MockState::default());
        let app = Router::new()
            .fallback(mock_handler)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            tcp.set_nodelay(true).unwrap();
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, state }
    }

    pub fn push(&self, reply: Reply) {
        self.state.replies.lock().unwrap().push_back(reply);
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

async fn mock_handler(
    State(state): State<Arc<MockState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.seen.lock().unwrap().push(Seen {
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers,
        body,
    });
    let reply = state.replies.lock().unwrap().pop_front();
    match reply {
        None => (StatusCode::IM_A_TEAPOT, "no scripted reply").into_response(),
        Some(Reply::Json {
            status,
            body,
            headers,
        }) => {
            let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
            response
                .headers_mut()
                .insert("content-type", "application/json".parse().unwrap());
            for (name, value) in headers {
                response.headers_mut().insert(name, value.parse().unwrap());
            }
            response
        }
        Some(Reply::Sse { chunks, delay }) => sse(futures_util::stream::unfold(
            chunks.into_iter(),
            move |mut chunks| async move {
                let chunk = chunks.next()?;
                tokio::time::sleep(delay).await;
                Some((Ok::<_, Infallible>(Bytes::from(chunk)), chunks))
            },
        )),
        Some(Reply::SseThenCut { chunks }) => {
            // Paced, so the headers and first bytes really leave before the cut.
            let items = chunks.into_iter().map(|chunk| Ok(Bytes::from(chunk)));
            let items = items.chain(std::iter::once(Err(std::io::Error::other("cut"))));
            sse(futures_util::stream::unfold(
                items,
                |mut items| async move {
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    Some((items.next()?, items))
                },
            ))
        }
        Some(Reply::Endless { dropped }) => {
            let guard = DropFlag(dropped);
            sse(futures_util::stream::unfold(guard, |guard| async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let chunk = "data: {\"id\":\"e\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n";
                Some((Ok::<_, Infallible>(Bytes::from(chunk)), guard))
            }))
        }
        Some(Reply::SseThenHang { chunks }) => {
            let items = chunks.into_iter().map(|chunk| Some(Bytes::from(chunk)));
            let items = items.chain(std::iter::once(None));
            sse(futures_util::stream::unfold(
                items,
                |mut items| async move {
                    match items.next()? {
                        Some(chunk) => Some((Ok::<_, Infallible>(chunk), items)),
                        None => {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                            None
                        }
                    }
                },
            ))
        }
        Some(Reply::Hang) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn sse<S, E>(stream: S) -> Response
where
    S: futures_util::Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<axum::BoxError>,
{
    let mut response = Body::from_stream(stream).into_response();
    response
        .headers_mut()
        .insert("content-type", "text/event-stream".parse().unwrap());
    response
}

/// Collects usage events.
#[derive(Default)]
pub struct Recorder(pub Mutex<Vec<UsageEvent>>);

impl UsageSink for Recorder {
    fn record(&self, event: &UsageEvent) {
        self.0.lock().unwrap().push(event.clone());
    }
}

impl Recorder {
    pub fn events(&self) -> Vec<UsageEvent> {
        self.0.lock().unwrap().clone()
    }

    /// Waits until `count` events arrived (streams record when they end).
    pub async fn wait_for(&self, count: usize) -> Vec<UsageEvent> {
        for _ in 0..200 {
            if self.0.lock().unwrap().len() >= count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.events()
    }
}

pub struct TestGateway {
    pub gateway: Gateway,
    pub recorder: Arc<Recorder>,
    pub client: reqwest::Client,
    /// The usage hub, when the gateway records into a store.
    pub hub: Option<Arc<UsageHub>>,
}

impl TestGateway {
    /// A gateway with one provider of `format` at `base_url`, routing `claude-*` to it.
    pub async fn start(format: &str, base_url: &str, extra: &str) -> Self {
        let routes = r#"
[[routes]]
model = "claude-*"
provider = "mock"
upstream_model = "upstream-model-1"
"#;
        Self::start_with_routes_and_extra(format, base_url, extra, routes).await
    }

    /// The same provider, with the given `[[routes]]` tables.
    pub async fn start_with_routes(format: &str, base_url: &str, routes: &str) -> Self {
        Self::start_with_routes_and_extra(format, base_url, "", routes).await
    }

    async fn start_with_routes_and_extra(
        format: &str,
        base_url: &str,
        extra: &str,
        routes: &str,
    ) -> Self {
        let text = format!(
            r#"
listen = "127.0.0.1:0"
client_keys = ["{CLIENT_KEY}"]
[[providers]]
id = "mock"
format = "{format}"
base_url = "{base_url}"
api_key_env = "TEST_UPSTREAM_KEY"
first_byte_timeout_ms = 2000
connect_timeout_ms = 1000
{extra}
{routes}
"#
        );
        Self::with_config(&text).await
    }

    /// A gateway on a whole config text (`TEST_UPSTREAM_KEY` holds [`UPSTREAM_KEY`]).
    pub async fn with_config(text: &str) -> Self {
        Self::serving(text, false).await
    }

    /// [`Self::with_config`] with more environment variables (key pools).
    pub async fn with_config_env(text: &str, vars: &[(&str, &str)]) -> Self {
        let env = |name: &str| match name {
            "TEST_UPSTREAM_KEY" => Some(UPSTREAM_KEY.to_owned()),
            _ => (vars.iter())
                .find(|(var, _)| *var == name)
                .map(|(_, value)| (*value).to_owned()),
        };
        let config = config::parse(text, Path::new("test.toml"), &env).unwrap();
        let recorder = Arc::new(Recorder::default());
        let gateway = Gateway::start(Arc::new(config), recorder.clone(), None)
            .await
            .unwrap();
        Self {
            gateway,
            recorder,
            client: reqwest::Client::new(),
            hub: None,
        }
    }

    /// The same, recording through a [`UsageHub`] as `serve` does: into the
    /// config's `usage_db`, with its `[[prices]]`; the recorder sees the events too.
    pub async fn with_store(text: &str) -> Self {
        Self::serving(text, true).await
    }

    async fn serving(text: &str, store: bool) -> Self {
        let config = parse_config(text);
        let recorder = Arc::new(Recorder::default());
        let hub = store.then(|| {
            let forward: Arc<dyn UsageSink> = recorder.clone();
            Arc::new(UsageHub::for_config(&config, &|_| None, Some(forward)))
        });
        let sink: Arc<dyn UsageSink> = match &hub {
            Some(hub) => hub.clone(),
            None => recorder.clone(),
        };
        let gateway = Gateway::start(Arc::new(config), sink, None).await.unwrap();
        Self {
            gateway,
            recorder,
            client: reqwest::Client::new(),
            hub,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.gateway.local_addr())
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client
            .post(self.url(path))
            .header("x-api-key", CLIENT_KEY)
            .header("anthropic-version", "2023-06-01")
            .header("content-type", "application/json")
    }
}

/// `text` parsed as `test.toml`, `TEST_UPSTREAM_KEY` holding [`UPSTREAM_KEY`].
pub fn parse_config(text: &str) -> config::Config {
    let env = |name: &str| (name == "TEST_UPSTREAM_KEY").then(|| UPSTREAM_KEY.to_owned());
    config::parse(text, Path::new("test.toml"), &env).unwrap()
}

/// A provider `mock` of `format` at `base_url`, `claude-*` routed to its
/// `upstream-model-1`; `extra` goes at the top level.
pub fn mock_config(format: &str, base_url: &str, extra: &str) -> String {
    format!(
        r#"
listen = "127.0.0.1:0"
client_keys = ["{CLIENT_KEY}"]
{extra}
[[providers]]
id = "mock"
format = "{format}"
base_url = "{base_url}"
api_key_env = "TEST_UPSTREAM_KEY"
first_byte_timeout_ms = 2000
connect_timeout_ms = 1000
[[routes]]
model = "claude-*"
provider = "mock"
upstream_model = "upstream-model-1"
"#
    )
}

impl TestGateway {
    /// Sends the small Anthropic request of `anthropic_request`.
    pub async fn send_messages(&self, stream: bool) -> reqwest::Response {
        let request = self.post("/v1/messages").json(&anthropic_request(stream));
        request.send().await.unwrap()
    }
}

/// A small Anthropic request.
pub fn anthropic_request(stream: bool) -> serde_json::Value {
    serde_json::json!({
        "model": "claude-sonnet-4-5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "Say hi"}],
        "stream": stream,
    })
}

pub fn chat_chunk(delta: serde_json::Value, finish: Option<&str>) -> String {
    let chunk = serde_json::json!({
        "id": "chatcmpl-t", "model": "upstream-model-1",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    });
    format!("data: {chunk}\n\n")
}

/// A fresh directory for one test's files, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        Self(binary::temp_dir(label))
    }

    /// Where the test's usage store goes.
    pub fn db(&self) -> std::path::PathBuf {
        self.0.join("usage.sqlite3")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every request in the store at `path`, oldest first.
pub fn stored_rows(path: &Path) -> Vec<switchyard_engine::usage::RequestRow> {
    use switchyard_engine::usage::store::{Query, SqliteStore, UsageStore};
    let store = SqliteStore::open(path).unwrap();
    let mut rows = Vec::new();
    store
        .export(&Query::default(), &mut |row| {
            rows.push(row);
            Ok(())
        })
        .unwrap();
    rows
}
