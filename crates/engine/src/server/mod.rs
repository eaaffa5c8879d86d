//! The HTTP gateway: `router(state)` plus a `Gateway` handle to start it on
//! a listener and stop it (drained) from code, so the desktop shell can embed it.

mod endpoints;
mod events;
mod failover;
mod guard;
mod live;
mod models;
mod proxy;
mod relay;
mod respond;
mod stream;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use switchyard_protocol::error::ApiError;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::routing::Health;
use crate::upstream::Upstreams;
use crate::usage::UsageSink;

pub use live::Live;
pub(crate) use proxy::{max_tokens_field, upstream_headers, upstream_path};
pub use respond::format_for_path;

pub struct AppState {
    pub config: Arc<Config>,
    pub upstreams: Arc<Upstreams>,
    /// Breakers and key pools, by provider index.
    pub health: Arc<Health>,
    pub sink: Arc<dyn UsageSink>,
    pub listen_port: u16,
    pub allow_any_host: bool,
    /// Cancelled when the gateway stops (ends the live event streams).
    pub shutdown: CancellationToken,
}

pub type SharedState = Arc<AppState>;

/// The gateway's routes over a fixed state (tests, benches).
pub fn router(state: AppState) -> Router {
    router_with(Live::new(state), Router::new())
}

/// The gateway's routes over the live state, plus `extra` (the control API)
/// behind the same guard.
pub fn router_with(live: Live, extra: Router) -> Router {
    let body_limit = live.state().config.max_request_bytes;
    Router::new()
        .route("/health", get(health))
        .route("/v1/models", get(models::list_models))
        .route("/v1beta/models", get(models::list_gemini_models))
        .route(
            "/v1beta/models/{model_action}",
            post(endpoints::gemini_models),
        )
        .route("/v1/messages", post(endpoints::messages))
        .route("/v1/messages/count_tokens", post(endpoints::count_tokens))
        .route("/v1/chat/completions", post(endpoints::chat_completions))
        .route("/v1/responses", post(endpoints::responses))
        .route("/_switchyard/events", get(events::events))
        .with_state(live.clone())
        .merge(extra)
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(live, guard::guard))
        .layer(DefaultBodyLimit::max(body_limit))
}

async fn health() -> &'static str {
    "ok"
}

async fn not_found(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let message = format!("no such endpoint: {method} {path}");
    respond::error_response(format_for_path(path), &ApiError::new(404, message))
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Upstream(#[from] crate::upstream::UpstreamSetupError),
}

/// A running gateway.
pub struct Gateway {
    local_addr: SocketAddr,
    shutdown: CancellationToken,
    task: JoinHandle<std::io::Result<()>>,
    sink: Arc<dyn UsageSink>,
    live: Live,
}

impl Gateway {
    /// Binds `config.listen` (or `listen` when given) and starts serving.
    pub async fn start(
        config: Arc<Config>,
        sink: Arc<dyn UsageSink>,
        listen: Option<SocketAddr>,
    ) -> Result<Self, StartError> {
        let (gateway, ()) =
            Self::start_with(config, sink, listen, |_, _| (Router::new(), ())).await?;
        Ok(gateway)
    }

    /// [`Self::start`], also serving the routes `extra` builds over the
    /// live state and the bound address (the control API).
    pub async fn start_with<T>(
        config: Arc<Config>,
        sink: Arc<dyn UsageSink>,
        listen: Option<SocketAddr>,
        extra: impl FnOnce(Live, SocketAddr) -> (Router, T),
    ) -> Result<(Self, T), StartError> {
        let addr = listen.unwrap_or(config.listen);
        let shutdown = CancellationToken::new();
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let state = AppState {
            upstreams: Arc::new(Upstreams::new(&config)?),
            health: Arc::new(Health::new(&config)),
            allow_any_host: !local_addr.ip().is_loopback(),
            listen_port: local_addr.port(),
            config,
            sink: Arc::clone(&sink),
            shutdown: shutdown.clone(),
        };
        let live = Live::new(state);
        let (extra, made) = extra(live.clone(), local_addr);
        let app = router_with(live.clone(), extra);
        let signal = shutdown.clone();
        // Without TCP_NODELAY, Nagle holds small SSE writes back ~40 ms.
        let listener = listener.tap_io(|tcp| {
            if let Err(err) = tcp.set_nodelay(true) {
                tracing::debug!("cannot set TCP_NODELAY: {err}");
            }
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { signal.cancelled().await })
                .await
        });
        let gateway = Self {
            local_addr,
            shutdown,
            task,
            sink,
            live,
        };
        Ok((gateway, made))
    }

    /// The state requests are served with; swapping it reconfigures the gateway.
    pub fn live(&self) -> Live {
        self.live.clone()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, lets in-flight requests finish, stores their usage,
    /// then returns.
    pub async fn stop(self) -> std::io::Result<()> {
        self.shutdown.cancel();
        self.wait().await
    }

    /// Runs until stopped by `shutdown_token()` or a server error; then
    /// drains the usage queue, so no finished request goes unrecorded.
    pub async fn wait(self) -> std::io::Result<()> {
        let result = match self.task.await {
            Ok(result) => result,
            Err(join) => Err(std::io::Error::other(join)),
        };
        self.sink.flush().await;
        result
    }

    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }
}
