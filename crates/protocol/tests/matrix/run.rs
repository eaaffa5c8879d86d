//! One run of a case through one client → upstream pair, checked, and the
//! value its snapshot shows.

use serde_json::{Value, json};
use switchyard_protocol::error::ApiError;
use switchyard_protocol::formats::{stream_decoder, stream_error_frame};
use switchyard_protocol::ir::{BlockKind, Delta, Request, StreamEvent, Usage};
use switchyard_protocol::{Format, StreamWatch};

use crate::cases::{self, Case, Modes, UPSTREAM_MODEL};
use crate::checks::{Outcome, check_client_answer, check_client_stream};
use crate::lossy;
use crate::pipeline::{
    Ending, Pair, client_answer, client_error, client_stream, decoded_request, encode_events,
    upstream_error, upstream_json, upstream_request, upstream_sse,
};
use crate::render::{events_of, json_of, text_of};

/// The request the upstream gets, the JSON answer the client gets and,
/// when the case streams, the events the client gets.
pub fn run_case(pair: Pair, case: &Case) -> Value {
    let request = (case.request)();
    let answer = (case.answer)();
    let decoded = decoded_request(pair, &request);
    let upstream_body = json_of(&upstream_request(pair, &decoded));
    lossy::check_request(pair, case.name, &decoded, &upstream_body);
    let mut snapshot = json!({ "upstream_request": upstream_body });
    if case.modes != Modes::Sse {
        let body = client_answer(pair, &upstream_json(pair.upstream, &answer));
        check_client_answer(pair.client, &body);
        let body = json_of(&body);
        lossy::check_answer(pair, case.name, &body);
        snapshot["client_answer"] = body;
    }
    if case.modes != Modes::Json {
        let streaming = Request {
            stream: true,
            stream_usage: true,
            ..request
        };
        let decoded = decoded_request(pair, &streaming);
        assert!(decoded.stream, "{pair:?}: the stream flag was lost");
        let upstream = upstream_sse(pair.upstream, &answer);
        let sse = streamed(pair, decoded.stream_usage, &upstream, Ending::Closed);
        check_client_stream(pair.client, &sse, Outcome::Success);
        snapshot["client_stream"] = events_of(&sse);
    }
    snapshot
}

/// The same upstream bytes fed whole and in 7-byte pieces give the client
/// the same bytes.
fn streamed(pair: Pair, include_usage: bool, upstream: &[u8], ending: Ending) -> Vec<u8> {
    let whole = client_stream(pair, include_usage, upstream, usize::MAX, ending);
    let pieces = client_stream(pair, include_usage, upstream, 7, ending);
    assert_eq!(text_of(&pieces), text_of(&whole), "{pair:?}: re-chunked");
    whole
}

/// Every error class an upstream answers with, and a message only the
/// upstream could have written.
pub const ERROR_CLASSES: [(u16, &str); 9] = [
    (400, "max_tokens: 99999 > 8192, the maximum for this model"),
    (401, "invalid x-api-key"),
    (403, "this key may not use upstream-model"),
    (404, "model upstream-model does not exist"),
    (413, "request size exceeds 32 MB"),
    (429, "rate limit: 50 requests per minute; retry after 17s"),
    (500, "internal error, id 5f3a"),
    (503, "the service is temporarily unavailable"),
    (529, "overloaded, try again shortly"),
];

/// Each error class, answered by the upstream in its shape → the client's
/// error body. The status is the upstream's (`ProxyError::Upstream`); the
/// `retry-after` header is copied by the engine (`relay::upstream_error`,
/// tested in `crates/engine/tests/http_chat.rs`), not by this crate.
pub fn run_errors(pair: Pair) -> Value {
    let rows = ERROR_CLASSES.iter().map(|&(status, message)| {
        let upstream_body = upstream_error(pair.upstream, status, message);
        let client_body = client_error(pair, status, &upstream_body);
        let client_json = json_of(&client_body);
        assert!(
            client_json.to_string().contains(message),
            "{pair:?} {status}: the upstream's message is lost\n{client_json}"
        );
        json!({
            "status": status,
            "upstream_body": json_of(&upstream_body),
            "client_body": client_json,
        })
    });
    Value::Array(rows.collect())
}

/// The upstream reports an overload inside its stream, after some text.
pub fn run_mid_stream_error(pair: Pair) -> Value {
    let events = [
        StreamEvent::MessageStart {
            id: "up_1".into(),
            model: UPSTREAM_MODEL.into(),
            usage: Usage::default(),
        },
        StreamEvent::BlockStart {
            index: 0,
            kind: BlockKind::Text,
        },
        StreamEvent::BlockDelta {
            index: 0,
            delta: Delta::Text("Hello".into()),
        },
        StreamEvent::Error {
            status: 529,
            message: "overloaded, try again shortly".into(),
        },
    ];
    let upstream = encode_events(pair.upstream, &events);
    let sse = streamed(pair, true, &upstream, Ending::Closed);
    check_client_stream(pair.client, &sse, Outcome::Failure);
    json!({
        "upstream_stream": events_of(&upstream),
        "client_stream": events_of(&sse),
    })
}

/// The upstream's tool-call answer cut halfway (at an event boundary),
/// before its terminator: the body then ends (`closed`) or fails (`reset`).
/// Either way the client must see its error event, never a success.
pub fn run_mid_stream_disconnect(pair: Pair) -> Value {
    let full = upstream_sse(pair.upstream, &(cases::TOOLS.answer)());
    let cut = first_half_of_events(&full);
    let mut snapshot = json!({ "upstream_stream": events_of(cut) });
    for (key, ending) in [("closed", Ending::Closed), ("reset", Ending::Reset)] {
        let sse = streamed(pair, true, cut, ending);
        check_client_stream(pair.client, &sse, Outcome::Failure);
        snapshot[key] = events_of(&sse);
    }
    snapshot
}

/// Same format on both sides: the gateway passes the bytes through and only
/// watches them (`StreamWatch`). A cut stream must not count as complete,
/// so that the engine appends the format's error frame after it
/// (`Passthrough::finish` in `crates/engine/src/server/stream.rs`).
pub fn run_passthrough_cut(format: Format) {
    let full = upstream_sse(format, &(cases::TOOLS.answer)());
    assert!(watched(format, &full).completed(), "{format}: whole stream");
    let cut = first_half_of_events(&full);
    let watch = watched(format, cut);
    assert!(!watch.completed(), "{format}: cut stream");
    let error = ApiError::new(502, "upstream stream ended before its end marker");
    // Responses events are numbered: the appended one takes the next number.
    let frame = stream_error_frame(format, &error, watch.frames_seen());
    let mut sse = cut.to_vec();
    sse.extend_from_slice(b"\n\n");
    sse.extend(frame);
    check_client_stream(format, &sse, Outcome::Failure);
}

fn watched(format: Format, sse: &[u8]) -> StreamWatch {
    let mut watch = StreamWatch::new(stream_decoder(format));
    watch.feed(sse);
    watch.finish();
    watch
}

/// The bytes of the first half of the SSE events (rounded up).
fn first_half_of_events(sse: &[u8]) -> &[u8] {
    let ends: Vec<usize> = sse
        .windows(2)
        .enumerate()
        .filter(|(_, pair)| pair == b"\n\n")
        .map(|(at, _)| at + 2)
        .collect();
    assert!(ends.len() >= 3, "too short to cut\n{}", text_of(sse));
    &sse[..ends[ends.len().div_ceil(2) - 1]]
}
