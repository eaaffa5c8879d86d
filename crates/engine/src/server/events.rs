//! `GET /_switchyard/events`: the live usage feed as SSE, for `switchyard
//! tail` and other local tools. Behind the same guard as the API (client
//! key, Host and Origin checks); ends when the gateway stops.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::response::Response;
use switchyard_protocol::Format;
use switchyard_protocol::error::ApiError;
use tokio::sync::broadcast::error::RecvError;

use super::SharedState;
use super::respond::{error_response, sse_response};
use crate::usage::LiveEvent;

/// A comment this often keeps idle connections (and proxies) open.
const KEEPALIVE: Duration = Duration::from_secs(15);

pub async fn events(State(state): State<SharedState>) -> Response {
    let Some(live) = state.sink.subscribe() else {
        let message = "this gateway has no live usage feed";
        return error_response(Format::Anthropic, &ApiError::new(404, message));
    };
    let hello = format!(
        "event: hello\ndata: {{\"version\":\"{}\"}}\n\n",
        env!("CARGO_PKG_VERSION")
    );
    let first = futures_util::stream::once(async move { Ok(Bytes::from(hello)) });
    let shutdown = state.shutdown.clone();
    let rest = futures_util::stream::unfold(live, move |mut live| {
        let shutdown = shutdown.clone();
        async move {
            let frame = tokio::select! {
                () = shutdown.cancelled() => return None,
                received = tokio::time::timeout(KEEPALIVE, live.recv()) => match received {
                    Err(_) => Bytes::from_static(b": keepalive\n\n"),
                    Ok(Ok(event)) => frame(&event),
                    Ok(Err(RecvError::Lagged(missed))) => {
                        Bytes::from(format!("event: lagged\ndata: {{\"missed\":{missed}}}\n\n"))
                    }
                    Ok(Err(RecvError::Closed)) => return None,
                },
            };
            Some((Ok::<_, Infallible>(frame), live))
        }
    });
    sse_response(Body::from_stream(futures_util::StreamExt::chain(
        first, rest,
    )))
}

fn frame(event: &LiveEvent) -> Bytes {
    let json = event.to_json();
    let mut out = Vec::with_capacity(json.len() + 32);
    out.extend_from_slice(b"event: ");
    out.extend_from_slice(event.name().as_bytes());
    out.extend_from_slice(b"\ndata: ");
    out.extend_from_slice(&json);
    out.extend_from_slice(b"\n\n");
    Bytes::from(out)
}
