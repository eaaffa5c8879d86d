//! OpenAI Responses as the upstream: Anthropic and Chat clients in, both ways.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] fns"
)]

mod support;

use proptest::prelude::*;
use serde_json::Value;
use support::{chat_to_anthropic, fixture, split_at, validate_anthropic_stream};
use switchyard_protocol::formats::{EncodeOptions, anthropic, openai_chat, openai_responses};
use switchyard_protocol::ir::{Part, StopReason};
use switchyard_protocol::{StreamDecode, StreamEncode, Transcoder};

fn anthropic_to_responses(options: &EncodeOptions) -> Value {
    let request = anthropic::decode_request(&fixture("anthropic/kitchen_sink.req.json")).unwrap();
    serde_json::from_slice(&openai_responses::encode_request(&request, options)).unwrap()
}

#[test]
fn anthropic_request_to_responses_golden() {
    let out = anthropic_to_responses(&EncodeOptions::default());
    assert_eq!(out["store"], false);
    assert!(out.get("reasoning").is_none());
    let tools = out["tools"].as_array().unwrap();
    assert!(
        tools
            .iter()
            .all(|tool| tool["strict"] == false && tool["type"] == "function")
    );
    let input = out["input"].as_array().unwrap();
    assert!(input.iter().all(|item| item["type"] != "reasoning"));
    insta::assert_json_snapshot!(out);
}

#[test]
fn reasoning_effort_only_when_the_provider_allows_it() {
    let options = EncodeOptions {
        reasoning_effort: true,
        max_tokens_cap: Some(1000),
        ..EncodeOptions::default()
    };
    let request =
        openai_responses::decode_request(&fixture("openai_responses/kitchen_sink.req.json"))
            .unwrap();
    let out: Value =
        serde_json::from_slice(&openai_responses::encode_request(&request, &options)).unwrap();
    assert_eq!(out["reasoning"]["effort"], "high");
    assert_eq!(out["max_output_tokens"], 1000);
    // A Responses client's request, through the IR, keeps its call pairs in order.
    let kinds: Vec<&str> = out["input"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "message",
            "message",
            "function_call",
            "function_call",
            "function_call_output",
            "function_call_output",
            "message",
            "message"
        ]
    );
}

#[test]
fn responses_answer_becomes_an_anthropic_message() {
    let response =
        openai_responses::decode_response(&fixture("openai_responses/tools_reasoning.resp.json"))
            .unwrap();
    assert_eq!(response.stop_reason, Some(StopReason::ToolUse));
    assert_eq!(response.usage.reasoning_tokens, 64);
    assert_eq!(
        response.content[0],
        Part::Reasoning {
            text: "**Plan**\n\nRead both.".into(),
            signature: Some("gAAAAenc".into())
        }
    );
    assert_eq!(
        response.content[1],
        Part::Text("Reading.\n\n Not /etc.".into())
    );
    assert!(
        matches!(&response.content[3], Part::ToolCall { name, arguments, .. }
        if name == "multi_agent_v1--spawn_agent" && arguments.get() == "{}")
    );
    let out: Value = serde_json::from_slice(&anthropic::encode_response(&response)).unwrap();
    assert_eq!(out["stop_reason"], "tool_use");
    assert_eq!(out["content"][2]["id"], "toolu_call_a");
    assert_eq!(out["usage"]["input_tokens"], 300);
}

#[test]
fn incomplete_answer_is_max_tokens_and_cached_tokens_split() {
    let response =
        openai_responses::decode_response(&fixture("openai_responses/max_tokens.resp.json"))
            .unwrap();
    assert_eq!(response.stop_reason, Some(StopReason::MaxTokens));
    assert_eq!(response.usage.input_tokens, 20);
    assert_eq!(response.usage.cache_read_tokens, 100);
    assert_eq!(response.created, 1_755_000_000);
    let failed = br#"{"id":"r","status":"failed","error":{"code":"server_error","message":"boom"},"output":[]}"#;
    let err = openai_responses::decode_response(failed).unwrap_err();
    assert!(err.to_string().contains("boom"), "{err}");
}

fn transcode<D: StreamDecode, E: StreamEncode>(decoder: D, encoder: E, chunks: &[&[u8]]) -> String {
    let mut transcoder = Transcoder::new(decoder, encoder);
    let mut out = Vec::new();
    for chunk in chunks {
        out.extend(transcoder.feed(chunk));
    }
    out.extend(transcoder.finish());
    String::from_utf8(out).unwrap()
}

fn responses_to_anthropic(chunks: &[&[u8]]) -> String {
    transcode(
        openai_responses::StreamDecoder::new(),
        anthropic::StreamEncoder::new(),
        chunks,
    )
}

fn blocks(summary: &switchyard_test_support::anthropic::StreamSummary) -> Vec<(&str, &str)> {
    summary
        .blocks
        .iter()
        .map(|(kind, text)| (kind.as_str(), text.as_str()))
        .collect()
}

#[test]
fn responses_stream_becomes_a_valid_anthropic_stream() {
    let raw = fixture("openai_responses/tools_reasoning.stream.sse");
    let sse = responses_to_anthropic(&[&raw]);
    let summary = validate_anthropic_stream(&sse);
    assert_eq!(
        blocks(&summary),
        [
            ("thinking", "**Plan**\n\nRead both."),
            ("tool_use", "{\"path\":\"/a\"}"),
            ("tool_use", "{\"path\":\"/b\"}"),
        ]
    );
    assert!(sse.contains("\"signature\":\"gAAAAenc\""));
    assert_eq!(summary.stop_reason.as_deref(), Some("tool_use"));
    assert_eq!(summary.usage.unwrap()["output_tokens"], 80);

    let text = responses_to_anthropic(&[&fixture("openai_responses/text.stream.sse")]);
    let summary = validate_anthropic_stream(&text);
    assert_eq!(blocks(&summary), [("text", "Hello there.")]);
    assert_eq!(summary.usage.unwrap()["cache_read_input_tokens"], 100);
}

#[test]
fn responses_stream_to_chat() {
    let raw = fixture("openai_responses/text.stream.sse");
    let sse = transcode(
        openai_responses::StreamDecoder::new(),
        openai_chat::StreamEncoder::new(5, true),
        &[&raw],
    );
    assert!(sse.contains("\"content\":\" there.\""), "{sse}");
    assert!(sse.contains("\"finish_reason\":\"stop\""));
    assert!(sse.trim_end().ends_with("data: [DONE]"));
}

#[test]
fn failed_and_cut_streams_end_in_an_error() {
    let failed = responses_to_anthropic(&[&fixture("openai_responses/failed.stream.sse")]);
    let summary = validate_anthropic_stream(&failed);
    let error = summary.error.unwrap();
    assert_eq!(error["type"], "rate_limit_error");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("try again in 2s")
    );

    // Done items without deltas still carry their content; the cut is an error.
    let cut = responses_to_anthropic(&[&fixture("openai_responses/done_only_cut.stream.sse")]);
    let summary = validate_anthropic_stream(&cut);
    assert_eq!(
        blocks(&summary),
        [("redacted_thinking", ""), ("text", "Hello there.")]
    );
    assert!(
        summary.error.unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("response.completed")
    );
}

const CHAT_STREAMS: [&str; 6] = [
    "text",
    "reasoning_then_text",
    "tool_call_split",
    "parallel_interleaved",
    "no_finish_chunk",
    "name_after_args",
];

/// Our own Responses stream, decoded again, says what the original said.
#[test]
fn own_responses_streams_decode_to_the_same_answer() {
    for name in CHAT_STREAMS {
        let raw = fixture(&format!("openai_chat/{name}.stream.sse"));
        let responses = transcode(
            openai_chat::StreamDecoder::new(),
            openai_responses::StreamEncoder::new(1),
            &[&raw],
        );
        let direct = validate_anthropic_stream(&chat_to_anthropic(&[&raw]));
        let via = validate_anthropic_stream(&responses_to_anthropic(&[responses.as_bytes()]));
        assert_eq!(blocks(&via), blocks(&direct), "{name}");
        assert_eq!(via.usage, direct.usage, "{name}");
    }
}

const STREAMS: [&str; 4] = ["text", "tools_reasoning", "failed", "done_only_cut"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn rechunking_keeps_the_client_stream(
        which in 0..STREAMS.len(),
        cuts in prop::collection::vec(any::<usize>(), 0..40),
    ) {
        let raw = fixture(&format!("openai_responses/{}.stream.sse", STREAMS[which]));
        let whole = responses_to_anthropic(&[&raw]);
        prop_assert_eq!(&whole, &responses_to_anthropic(&split_at(&raw, cuts)));
    }

    #[test]
    fn stream_decoder_survives_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        validate_anthropic_stream(&responses_to_anthropic(&[&bytes]));
    }

    #[test]
    fn answer_decoder_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = openai_responses::decode_response(&bytes);
    }
}
