//! What must hold for every client answer, whatever the snapshot says: the
//! strict stream validators, and a stream that ends in the client's own
//! success or error marker, never a silent success after a failure.

use serde_json::Value;
use switchyard_protocol::Format;
use switchyard_protocol::formats::decode_response;
use switchyard_test_support::{anthropic, openai_responses};

use crate::render::{frames, text_of};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

/// The client's own response decoder reads the JSON answer it is sent.
pub fn check_client_answer(client: Format, body: &[u8]) {
    if let Err(err) = decode_response(client, body) {
        panic!(
            "{client} cannot read the answer it got: {err}\n{}",
            text_of(body)
        );
    }
}

/// The client's stream is valid and ends the way `want` says.
pub fn check_client_stream(client: Format, sse: &[u8], want: Outcome) {
    let text = text_of(sse);
    let failed = match client {
        Format::Anthropic => anthropic_failed(text),
        Format::OpenaiResponses => responses_failed(text),
        Format::OpenaiChat => chat_failed(sse),
        Format::Gemini => gemini_failed(sse),
    };
    assert_eq!(
        failed,
        want == Outcome::Failure,
        "{client}: expected {want:?}\n{text}"
    );
}

fn anthropic_failed(text: &str) -> bool {
    let summary = anthropic::validate_stream(text).unwrap_or_else(|err| panic!("{err}\n{text}"));
    if summary.error.is_none() {
        assert!(summary.stop_reason.is_some(), "no stop reason\n{text}");
    }
    summary.error.is_some()
}

fn responses_failed(text: &str) -> bool {
    let summary =
        openai_responses::validate_stream(text).unwrap_or_else(|err| panic!("{err}\n{text}"));
    assert_eq!(
        summary.status == "failed",
        summary.error.is_some(),
        "{text}"
    );
    summary.error.is_some()
}

fn data_values(sse: &[u8]) -> Vec<Value> {
    frames(sse)
        .iter()
        .map(|frame| serde_json::from_str(&frame.data).unwrap_or(Value::String(frame.data.clone())))
        .collect()
}

/// Chat: success is a finish chunk, then `[DONE]` last; failure is an error
/// chunk last, and no `[DONE]` anywhere.
fn chat_failed(sse: &[u8]) -> bool {
    let data = data_values(sse);
    let last = data.last().unwrap_or_else(|| panic!("empty stream"));
    let done = data.iter().filter(|value| *value == "[DONE]").count();
    if last.get("error").is_some() {
        assert_eq!(done, 0, "[DONE] in a failed stream");
        return true;
    }
    assert_eq!(last, "[DONE]", "a chat stream ends in [DONE]");
    assert_eq!(done, 1, "one [DONE]");
    let finishes = data
        .iter()
        .filter(|value| !value["choices"][0]["finish_reason"].is_null())
        .count();
    assert_eq!(finishes, 1, "one finish chunk");
    false
}

/// Gemini: success is a last chunk with a `finishReason`; failure is an
/// error chunk last. Either way nothing follows the end.
fn gemini_failed(sse: &[u8]) -> bool {
    let data = data_values(sse);
    let last = data.last().unwrap_or_else(|| panic!("empty stream"));
    let errors = data.iter().filter(|value| value.get("error").is_some());
    assert!(errors.count() <= 1, "one error chunk at most");
    if last.get("error").is_some() {
        return true;
    }
    let finishes = data
        .iter()
        .filter(|value| !value["candidates"][0]["finishReason"].is_null())
        .count();
    assert_eq!(finishes, 1, "one finishReason");
    assert!(
        !last["candidates"][0]["finishReason"].is_null(),
        "the finishReason chunk is last"
    );
    false
}
