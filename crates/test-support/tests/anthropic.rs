//! The Anthropic checker accepts a valid stream and names each broken rule.

use switchyard_test_support::anthropic::validate_stream;
use switchyard_test_support::{StreamError, Violation};

const START: &str = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{}}}\n\n";
const TEXT_START: &str = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
const TEXT_DELTA: &str = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n";
const JSON_DELTA: &str = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}\n\n";
const STOP0: &str =
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";
const SECOND_START: &str = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
const DELTA: &str = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":1}}\n\n";
const END: &str = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

#[test]
fn validator_accepts_a_valid_stream() {
    let sse = [START, TEXT_START, TEXT_DELTA, STOP0, DELTA, END].concat();
    let summary = validate_stream(&sse).unwrap();
    assert_eq!(summary.blocks, [("text".to_owned(), "hi".to_owned())]);
    assert_eq!(summary.stop_reason.as_deref(), Some("end_turn"));
}

#[test]
fn validator_rejects_each_broken_rule() {
    let cases: [(Vec<&str>, &str); 6] = [
        (
            vec![START, TEXT_START, TEXT_DELTA, STOP0, DELTA],
            "must end",
        ),
        (
            vec![START, TEXT_START, JSON_DELTA, STOP0, DELTA, END],
            "delta into a text block",
        ),
        (vec![START, TEXT_START, TEXT_START], "another is open"),
        (vec![START, TEXT_START, STOP0, SECOND_START], "expected 1"),
        (vec![START, TEXT_START, DELTA], "while a block is open"),
        (vec![TEXT_START], "first event"),
    ];
    for (parts, want) in cases {
        let err = validate_stream(&parts.concat()).unwrap_err().to_string();
        assert!(err.contains(want), "{err} should mention {want}");
    }
}

#[test]
fn validator_errors_say_where_and_what_kind() {
    let err = validate_stream(&[START, TEXT_START, STOP0, SECOND_START].concat()).unwrap_err();
    assert!(
        matches!(
            err,
            StreamError::Event {
                position: 3,
                violation: Violation::Index {
                    field: "index",
                    got: 2,
                    expected: 1
                },
                ..
            }
        ),
        "{err:?}"
    );
    let err = validate_stream(START).unwrap_err();
    assert!(matches!(err, StreamError::Unterminated { .. }), "{err:?}");
}
