//! The HTTP gateway: `router(state)` plus a `Gateway` handle to start it on
//! a listener and stop it (drained) from code, so the desktop shell can embed it.

mod endpoints;
mod events;
mod failover;
mod guard;
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

pub(crate) use proxy::{max_tokens_field, upstream_path};
pub use respond::format_for_path;

pub struct AppState {
    pub config: Arc<Config>,
    pub upstreams: Upstreams,
    /// Breakers and key pools, by provider index.
    pub health: Health,
    pub sink: Arc<dyn UsageSink>,
    pub listen_port: u16,
    pub allow_any_host: bool,
    /// Cancelled when the gateway stops (ends the live event streams).
    pub shutdown: CancellationToken,
}

pub type SharedState = Arc<AppState>;

pub fn router(state: SharedState) -> Router {
    let body_limit = state.config.max_request_bytes;
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
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
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
}

impl Gateway {
    /// Binds `config.listen` (or `listen` when given) and starts serving.
    pub async fn start(
        config: Arc<Config>,
        sink: Arc<dyn UsageSink>,
        listen: Option<SocketAddr>,
    ) -> Result<Self, StartError> {
        let addr = listen.unwrap_or(config.listen);
        let shutdown = CancellationToken::new();
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let state = Arc::new(AppState {
            upstreams: Upstreams::new(&config)?,
            health: Health::new(&config),
            allow_any_host: !local_addr.ip().is_loopback(),
            listen_port: local_addr.port(),
            config,
            sink: Arc::clone(&sink),
            shutdown: shutdown.clone(),
        });
        let app = router(state);
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
        Ok(Self {
            local_addr,
            shutdown,
            task,
            sink,
        })
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
