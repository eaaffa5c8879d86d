//! Who may talk to the gateway: same machine only (Host check against DNS
//! rebinding), no browsers (any `Origin` is refused; no CORS), and only
//! clients presenting a configured key.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderMap, header};
use switchyard_protocol::error::ApiError;

use super::SharedState;
use super::respond::{error_response, format_for_path};

/// Paths that answer without a key (liveness only; they reveal nothing).
const OPEN_PATHS: [&str; 1] = ["/health"];

pub async fn guard(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    match refusal(&state, &request) {
        None => next.run(request).await,
        Some(error) => refuse(format_for_path(request.uri().path()), &error),
    }
}

/// The refusal in the caller's format. The body was not read, so the
/// connection cannot carry another request: say so, or a client reusing it
/// sees a reset instead of this answer.
fn refuse(format: switchyard_protocol::Format, error: &ApiError) -> Response {
    let mut response = error_response(format, error);
    (response.headers_mut()).insert(header::CONNECTION, http::HeaderValue::from_static("close"));
    response
}

/// Why the request may not reach a handler, if it may not.
fn refusal(state: &SharedState, request: &Request) -> Option<ApiError> {
    let path = request.uri().path();
    let headers = request.headers();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("?");
        let message = format!(
            "requests from web pages (Origin: {origin}) are refused: the gateway serves local clients only"
        );
        return Some(ApiError::new(403, message));
    }
    let authority = (request.uri().authority()).map(|authority| authority.as_str());
    if !state.allow_any_host && !names_this_machine(headers, authority, state.listen_port) {
        let message = "the Host header (HTTP/2: :authority) must name this machine (127.0.0.1, localhost or [::1])";
        return Some(ApiError::new(403, message));
    }
    if OPEN_PATHS.contains(&path) {
        return None;
    }
    if request.method() == http::Method::POST && !json_or_absent(headers) {
        let message = "the body must be JSON (Content-Type: application/json); forms and plain text are refused";
        return Some(ApiError::new(415, message));
    }
    let mut presented = presented_keys(headers, request.uri().query()).peekable();
    let any_presented = presented.peek().is_some();
    // Any place may carry it: Claude Code sends an exported ANTHROPIC_API_KEY
    // as x-api-key beside our token in Authorization.
    let accepted = presented.any(|key| state.config.accepts_client_key(key));
    match (accepted, any_presented) {
        (true, _) => None,
        (false, true) => Some(ApiError::new(
            401,
            "invalid client key: use the gateway token (`switchyard token`) or one of the config's client_keys",
        )),
        (false, false) => Some(ApiError::new(
            401,
            "missing client key: send the gateway token or a client key as `x-api-key` or `Authorization: Bearer`",
        )),
    }
}

/// A web page can post forms and `text/plain` without a CORS preflight;
/// only JSON (or no declared type, which no browser sends with a body)
/// reaches the handlers.
fn json_or_absent(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence
            .rsplit_once('+')
            .is_some_and(|(_, suffix)| suffix.eq_ignore_ascii_case("json"))
}

/// The key from `x-api-key`, `Authorization: Bearer`, `x-goog-api-key` or `?key=`.
fn presented_keys<'a>(
    headers: &'a HeaderMap,
    query: Option<&'a str>,
) -> impl Iterator<Item = &'a str> {
    let header_value = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let bearer = header_value(header::AUTHORIZATION.as_str()).and_then(|value| {
        value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
    });
    let query_key =
        query.and_then(|query| query.split('&').find_map(|pair| pair.strip_prefix("key=")));
    [
        header_value("x-api-key"),
        bearer,
        header_value("x-goog-api-key"),
        query_key,
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .filter(|key| !key.is_empty())
}

/// Both the Host header and the request target's authority (HTTP/2's
/// `:authority`, or an absolute-form HTTP/1 target) must name loopback on
/// our port, and at least one must be there: a request naming no host at all
/// cannot be told apart from a rebinding browser's.
fn names_this_machine(headers: &HeaderMap, authority: Option<&str>, port: u16) -> bool {
    let host = match headers.get(header::HOST) {
        Some(value) => match value.to_str() {
            Ok(host) => Some(host),
            Err(_) => return false,
        },
        None => None,
    };
    if host.is_none() && authority.is_none() {
        return false;
    }
    [host, authority]
        .into_iter()
        .flatten()
        .all(|named| is_loopback_on(named, port))
}

fn is_loopback_on(host: &str, port: u16) -> bool {
    let (name, host_port) = split_host(host);
    let port_ok = host_port.is_none_or(|host_port| host_port == port);
    port_ok && matches!(name, "127.0.0.1" | "localhost" | "[::1]" | "::1")
}

fn split_host(host: &str) -> (&str, Option<u16>) {
    if let Some(rest) = host.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((_, tail)) => {
                let name = &host[..host.len() - tail.len()];
                (
                    name,
                    tail.strip_prefix(':').and_then(|port| port.parse().ok()),
                )
            }
            None => (host, None),
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) => (name, port.parse().ok()),
        None => (host, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    fn allowed(host: Option<&str>, authority: Option<&str>) -> bool {
        let map = host.map_or_else(HeaderMap::new, |host| headers(&[("host", host)]));
        names_this_machine(&map, authority, 4315)
    }

    #[test]
    fn issue_9_no_host_and_a_foreign_authority_are_refused() {
        assert!(!allowed(None, None));
        assert!(!allowed(None, Some("evil.example:4315")));
        assert!(!allowed(Some("127.0.0.1:4315"), Some("evil.example:4315")));
        assert!(!allowed(Some("evil.example:4315"), Some("127.0.0.1:4315")));
        assert!(allowed(None, Some("127.0.0.1:4315")));
        assert!(allowed(Some("localhost:4315"), Some("[::1]:4315")));
    }

    #[test]
    fn host_must_be_loopback_on_our_port() {
        let ok = [
            "127.0.0.1:4315",
            "localhost:4315",
            "[::1]:4315",
            "localhost",
        ];
        for host in ok {
            assert!(allowed(Some(host), None), "{host}");
        }
        let bad = [
            "evil.example:4315",
            "127.0.0.1:80",
            "127.0.0.1.evil.example",
            "[::2]:4315",
        ];
        for host in bad {
            assert!(!allowed(Some(host), None), "{host}");
        }
    }

    #[test]
    fn key_comes_from_any_supported_place() {
        let cases = [
            (headers(&[("x-api-key", "k1")]), None, Some("k1")),
            (headers(&[("authorization", "Bearer k2")]), None, Some("k2")),
            (headers(&[("x-goog-api-key", "k3")]), None, Some("k3")),
            (HeaderMap::new(), Some("alt=sse&key=k4"), Some("k4")),
            (headers(&[("authorization", "Basic xyz")]), None, None),
            (headers(&[("x-api-key", " ")]), None, None),
        ];
        for (map, query, want) in cases {
            assert_eq!(presented_keys(&map, query).next(), want);
        }
        // Issue 11: a stray x-api-key does not hide the bearer token.
        let both = headers(&[
            ("x-api-key", "sk-ant-other"),
            ("authorization", "Bearer tok"),
        ]);
        assert_eq!(
            presented_keys(&both, None).collect::<Vec<_>>(),
            ["sk-ant-other", "tok"]
        );
    }
}
