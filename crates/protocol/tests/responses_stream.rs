//! The Responses stream encoder's output passes the strict checker, which
//! in turn names each rule a broken stream breaks.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns"
)]

use switchyard_protocol::formats::openai_responses::StreamEncoder;
use switchyard_protocol::ir::{BlockKind, Delta, StopReason, StreamEvent, Usage};
use switchyard_test_support::openai_responses::validate_stream;

fn encode(events: &[StreamEvent]) -> String {
    let mut encoder = StreamEncoder::new(7);
    let mut out = Vec::new();
    for event in events {
        encoder.encode(event, &mut out);
    }
    String::from_utf8(out).unwrap()
}

fn start() -> StreamEvent {
    StreamEvent::MessageStart {
        id: "r1".into(),
        model: "m".into(),
        usage: Usage::default(),
    }
}

fn call(index: usize, id: &str, name: &str) -> StreamEvent {
    StreamEvent::BlockStart {
        index,
        kind: BlockKind::ToolCall {
            id: id.into(),
            name: name.into(),
        },
    }
}

fn arguments(index: usize, text: &str) -> StreamEvent {
    StreamEvent::BlockDelta {
        index,
        delta: Delta::ToolArguments(text.into()),
    }
}

fn end(stop: StopReason) -> [StreamEvent; 2] {
    [
        StreamEvent::MessageDelta {
            stop_reason: Some(stop),
            usage: Usage {
                input_tokens: 3,
                output_tokens: 4,
                ..Usage::default()
            },
        },
        StreamEvent::MessageStop,
    ]
}

/// Text, reasoning with a signature, and two interleaved tool calls.
fn rich_events() -> Vec<StreamEvent> {
    let mut events = vec![
        start(),
        StreamEvent::BlockStart {
            index: 0,
            kind: BlockKind::Reasoning,
        },
        StreamEvent::BlockDelta {
            index: 0,
            delta: Delta::Reasoning("think".into()),
        },
        StreamEvent::BlockDelta {
            index: 0,
            delta: Delta::ReasoningSignature("sig".into()),
        },
        StreamEvent::BlockStop { index: 0 },
        StreamEvent::BlockStart {
            index: 1,
            kind: BlockKind::Text,
        },
        StreamEvent::BlockDelta {
            index: 1,
            delta: Delta::Text("hi".into()),
        },
        StreamEvent::BlockStop { index: 1 },
        call(2, "call_a", "Read"),
        call(3, "call_b", "multi_agent_v1--spawn_agent"),
        arguments(2, "{\"a\":"),
        arguments(3, "{}"),
        arguments(2, "1}"),
    ];
    events.extend(end(StopReason::ToolUse));
    events
}

#[test]
fn encoder_output_passes_the_validator() {
    let sse = encode(&rich_events());
    let summary = validate_stream(&sse).unwrap_or_else(|err| panic!("{err}\n{sse}"));
    let items: Vec<(&str, &str)> = summary
        .items
        .iter()
        .map(|(kind, text)| (kind.as_str(), text.as_str()))
        .collect();
    assert_eq!(
        items,
        [
            ("reasoning", "think"),
            ("message", "hi"),
            ("function_call", "{\"a\":1}"),
            ("function_call", "{}"),
        ]
    );
    assert_eq!(summary.status, "completed");
    let output = &summary.response["output"];
    assert_eq!(output[0]["encrypted_content"], "sig");
    assert_eq!(output[3]["name"], "spawn_agent");
    assert_eq!(output[3]["namespace"], "multi_agent_v1");
    assert!(output[2].get("namespace").is_none());
    assert_eq!(summary.usage.unwrap()["total_tokens"], 7);
}

#[test]
fn calls_without_arguments_get_an_empty_object() {
    let mut events = vec![start(), call(0, "c", "get_goal")];
    events.extend(end(StopReason::ToolUse));
    let summary = validate_stream(&encode(&events)).unwrap();
    assert_eq!(summary.items[0].1, "{}");
}

#[test]
fn max_tokens_is_incomplete_and_errors_fail() {
    let mut events = vec![start()];
    events.extend(end(StopReason::MaxTokens));
    let summary = validate_stream(&encode(&events)).unwrap();
    assert_eq!(summary.status, "incomplete");
    assert_eq!(
        summary.response["incomplete_details"]["reason"],
        "max_output_tokens"
    );

    let failed = encode(&[
        start(),
        call(0, "c", "x"),
        StreamEvent::Error {
            status: 429,
            message: "slow down".into(),
        },
        StreamEvent::MessageStop,
    ]);
    let summary = validate_stream(&failed).unwrap();
    assert_eq!(summary.status, "failed");
    assert_eq!(summary.error.unwrap()["code"], "rate_limit_exceeded");
}

/// The frames of a valid stream, one string each, to break one rule at a time.
fn frames() -> Vec<String> {
    encode(&rich_events())
        .split_inclusive("\n\n")
        .map(str::to_owned)
        .collect()
}

/// Breaks one rule in a valid stream's frames.
type Edit = dyn Fn(&mut Vec<String>);

fn broken(edit: impl Fn(&mut Vec<String>)) -> String {
    let mut frames = frames();
    edit(&mut frames);
    validate_stream(&frames.concat()).unwrap_err().to_string()
}

#[test]
fn validator_rejects_each_broken_rule() {
    let position = |frames: &[String], kind: &str| {
        frames
            .iter()
            .position(|frame| frame.starts_with(&format!("event: {kind}\n")))
            .unwrap()
    };
    let cases: [(&str, Box<Edit>); 6] = [
        ("must end", Box::new(|f| drop(f.pop()))),
        ("first", Box::new(|f| drop(f.remove(0)))),
        (
            "sequence_number",
            Box::new(|f| f[2] = f[2].replace("\"sequence_number\":2", "\"sequence_number\":1")),
        ),
        (
            "not the deltas",
            Box::new(move |f| {
                let at = position(f, "response.function_call_arguments.done");
                f[at] = f[at].replace("{\\\"a\\\":1}", "{}");
            }),
        ),
        (
            "never added",
            Box::new(move |f| {
                let at = position(f, "response.output_item.added");
                f.remove(at);
            }),
        ),
        (
            "after the terminal",
            Box::new(|f| {
                let last = f[f.len() - 1].clone();
                f.push(last);
            }),
        ),
    ];
    for (want, edit) in cases {
        let err = broken(edit);
        assert!(err.contains(want), "{err} should mention {want}");
    }
}
