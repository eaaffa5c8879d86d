//! The control API over HTTP, for the headless binary and its CLI, under
//! `/_switchyard/` on the gateway's own port and behind its guard (client
//! key, Host and Origin checks, JSON-only POSTs):
//! `GET status`, `POST providers/{id}/enable|disable`,
//! `POST profiles/{name}/activate`, `POST reload`.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::StatusCode;
use serde::Serialize;

use super::{Control, ControlError};

pub const PREFIX: &str = "/_switchyard";

pub fn routes(control: Control) -> Router {
    Router::new()
        .route("/_switchyard/status", get(status))
        .route("/_switchyard/providers/{id}/enable", post(enable))
        .route("/_switchyard/providers/{id}/disable", post(disable))
        .route("/_switchyard/profiles/{name}/activate", post(activate))
        .route("/_switchyard/reload", post(reload))
        .with_state(control)
}

async fn status(State(control): State<Control>) -> Response {
    json(StatusCode::OK, &control.status())
}

async fn enable(State(control): State<Control>, Path(id): Path<String>) -> Response {
    blocking(control, move |control| {
        control.set_provider_enabled(&id, true)
    })
    .await
}

async fn disable(State(control): State<Control>, Path(id): Path<String>) -> Response {
    blocking(control, move |control| {
        control.set_provider_enabled(&id, false)
    })
    .await
}

async fn activate(State(control): State<Control>, Path(name): Path<String>) -> Response {
    blocking(control, move |control| control.activate_profile(&name)).await
}

async fn reload(State(control): State<Control>) -> Response {
    blocking(control, |control| control.reload()).await
}

/// Changes read files and may reach the keychain: off the async workers.
async fn blocking<T: Serialize + Send + 'static>(
    control: Control,
    change: impl FnOnce(&Control) -> Result<T, ControlError> + Send + 'static,
) -> Response {
    let done = tokio::task::spawn_blocking(move || change(&control)).await;
    match done {
        Ok(Ok(value)) => json(StatusCode::OK, &value),
        Ok(Err(err)) => error(&err),
        Err(join) => error(&ControlError::Apply(format!(
            "the change did not finish: {join}"
        ))),
    }
}

fn error(err: &ControlError) -> Response {
    #[derive(Serialize)]
    struct Body<'a> {
        error: Detail<'a>,
    }
    #[derive(Serialize)]
    struct Detail<'a> {
        #[serde(rename = "type")]
        kind: &'a str,
        message: String,
    }
    let kind = match err {
        ControlError::UnknownProvider { .. } => "unknown_provider",
        ControlError::UnknownProfile { .. } => "unknown_profile",
        ControlError::Config(_) => "invalid_config",
        ControlError::Apply(_) => "apply_failed",
    };
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = Body {
        error: Detail {
            kind,
            message: err.to_string(),
        },
    };
    json(status, &body)
}

fn json(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (
            status,
            [(http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
        Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response(),
    }
}
