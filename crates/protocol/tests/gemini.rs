//! Gemini both ways: Gemini CLI's real requests through the IR to other
//! formats, answers and streams to and from Gemini, errors, and decoders
//! that never panic.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns"
)]

mod support;

use proptest::prelude::*;
use serde_json::{Value, json};
use support::{fixture, split_at, validate_anthropic_stream};
use switchyard_protocol::Transcoder;
use switchyard_protocol::error::ApiError;
use switchyard_protocol::formats::{
    self, EncodeOptions, anthropic, gemini, openai_chat, openai_responses,
};
use switchyard_protocol::ir::{Part, Request, StopReason, ToolChoice, ToolResultPart};
use switchyard_protocol::sse::SseFrame;
use switchyard_protocol::{Format, StreamDecode};

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

fn gemini_request(case: &str) -> Request {
    let mut request = gemini::decode_request(&fixture(&format!("gemini/{case}.req.json"))).unwrap();
    "upstream-model".clone_into(&mut request.model);
    request
}

fn to_chat(request: &Request) -> Value {
    json_of(&openai_chat::encode_request(
        request,
        &EncodeOptions::default(),
    ))
}

#[test]
fn gemini_cli_requests_reencode_cleanly_to_chat() {
    // The router sends the session context and the prompt as two user
    // turns in a row; the turn sends them as two parts of one.
    for (case, user_turns) in [("gemini_cli_router", 2), ("gemini_cli_turn", 1)] {
        let request = gemini_request(case);
        let chat = to_chat(&request);
        let text = chat.to_string();
        for gemini_only in [
            "systemInstruction",
            "functionDeclarations",
            "parametersJsonSchema",
            "generationConfig",
            "thinkingConfig",
            "responseJsonSchema",
            "\"contents\"",
            "\"parts\"",
        ] {
            assert!(!text.contains(gemini_only), "{case}: {gemini_only} leaked");
        }
        assert_eq!(chat["messages"][0]["role"], "system", "{case}");
        assert_eq!(chat["top_p"], 0.95);
        assert!(request.stream_usage);
        let users = chat["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|message| message["role"] == "user")
            .count();
        assert_eq!(users, user_turns, "{case}");
    }
    let turn = gemini_request("gemini_cli_turn");
    assert_eq!(turn.tools.len(), 8);
    assert_eq!(turn.top_k, Some(64));
    let chat = to_chat(&turn);
    assert_eq!(chat["tools"].as_array().unwrap().len(), 8);
    assert_eq!(chat["tools"][1]["function"]["name"], "list_directory");
    assert_eq!(chat["tools"][1]["function"]["parameters"]["type"], "object");
    // `thinkingLevel: HIGH` is an effort.
    let reasoning = turn.reasoning.unwrap();
    assert_eq!(reasoning.effort.map(|effort| effort.as_str()), Some("high"));
}

#[test]
fn tool_loop_pairs_calls_without_ids() {
    let request = gemini_request("tool_loop");
    let model = &request.messages[1].content;
    let Part::ToolCall { id: first, .. } = &model[1] else {
        panic!("{model:?}")
    };
    let Part::ToolCall { id: second, .. } = &model[2] else {
        panic!("{model:?}")
    };
    let results = &request.messages[2].content;
    let paired: Vec<(&str, bool)> = results
        .iter()
        .map(|part| match part {
            Part::ToolResult {
                call_id, is_error, ..
            } => (call_id.as_str(), *is_error),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(paired, [(first.as_str(), false), (second.as_str(), true)]);
    assert!(matches!(&results[0], Part::ToolResult { content, .. }
        if content == &[ToolResultPart::Text("buy milk".into())]));
    assert_eq!(
        request.tool_choice,
        Some(ToolChoice::Tool("read_file".into()))
    );
    // Only function declarations become tools; googleSearch is dropped.
    assert_eq!(request.tools.len(), 2);
    // `parameters` (OpenAPI subset) is lowered to JSON Schema.
    assert!(request.tools[1].parameters.get().contains("\"object\""));
    assert_eq!(request.reasoning.unwrap().budget_tokens, Some(4096));
    insta::assert_json_snapshot!("gemini_tool_loop_to_chat", to_chat(&request));
    insta::assert_json_snapshot!(
        "gemini_tool_loop_to_anthropic",
        json_of(&anthropic::encode_request(
            &request,
            &EncodeOptions::default()
        ))
    );
}

#[test]
fn requests_encode_to_gemini() {
    let anthropic_in =
        anthropic::decode_request(&fixture("anthropic/kitchen_sink.req.json")).unwrap();
    let body = gemini::encode_request(&anthropic_in, &EncodeOptions::default());
    let wire = json_of(&body);
    assert!(wire.get("model").is_none());
    insta::assert_json_snapshot!("anthropic_kitchen_sink_to_gemini", wire);
    let chat_in =
        openai_chat::decode_request(&fixture("openai_chat/kitchen_sink.req.json")).unwrap();
    let wire = json_of(&gemini::encode_request(&chat_in, &EncodeOptions::default()));
    insta::assert_json_snapshot!("chat_kitchen_sink_to_gemini", wire);
    // The Gemini tool loop re-encoded: names on responses. A Gemini client's
    // own signatures are not carried through the IR (a Gemini upstream gets
    // that client's body untouched), so the first call gets the placeholder.
    let wire = json_of(&gemini::encode_request(
        &gemini_request("tool_loop"),
        &EncodeOptions::default(),
    ));
    let model = &wire["contents"][1]["parts"];
    assert_eq!(
        model[0]["thoughtSignature"],
        "skip_thought_signature_validator"
    );
    assert!(model[1].get("thoughtSignature").is_none());
    assert_eq!(
        wire["contents"][2]["parts"][1]["functionResponse"],
        json!({"name": "list_directory", "response": {"error": "permission denied"}})
    );
    insta::assert_json_snapshot!("gemini_tool_loop_to_gemini", wire);
}

#[test]
fn foreign_tool_calls_get_the_placeholder_signature() {
    let chat_in = openai_chat::decode_request(
        json!({"model": "m", "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"ok\":true}"}]})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let wire = json_of(&gemini::encode_request(&chat_in, &EncodeOptions::default()));
    assert_eq!(
        wire["contents"][1]["parts"][0]["thoughtSignature"],
        "skip_thought_signature_validator"
    );
    assert_eq!(
        wire["contents"][2]["parts"][0]["functionResponse"],
        json!({"name": "f", "response": {"ok": true}})
    );
}

#[test]
fn responses_translate_both_ways() {
    let response = gemini::decode_response(&fixture("gemini/tools_thinking.resp.json")).unwrap();
    assert_eq!(response.stop_reason, Some(StopReason::ToolUse));
    assert_eq!(response.usage.input_tokens, 20);
    assert_eq!(response.usage.cache_read_tokens, 100);
    assert_eq!(response.usage.output_tokens, 50);
    assert_eq!(response.usage.reasoning_tokens, 30);
    insta::assert_json_snapshot!(
        "gemini_tools_thinking_to_chat",
        json_of(&openai_chat::encode_response(&response))
    );
    insta::assert_json_snapshot!(
        "gemini_tools_thinking_to_anthropic",
        json_of(&anthropic::encode_response(&response))
    );
    let chat =
        openai_chat::decode_response(&fixture("openai_chat/tools_reasoning.resp.json")).unwrap();
    insta::assert_json_snapshot!(
        "chat_tools_reasoning_to_gemini",
        json_of(&gemini::encode_response(&chat))
    );
    let usage =
        formats::usage_from_response(Format::Gemini, &fixture("gemini/tools_thinking.resp.json"));
    assert_eq!(usage, response.usage);
}

fn gemini_to_anthropic(bytes: &[u8]) -> String {
    let mut transcoder = Transcoder::new(
        gemini::StreamDecoder::new(),
        anthropic::StreamEncoder::new(),
    );
    let mut out = transcoder.feed(bytes);
    out.extend(transcoder.finish());
    String::from_utf8(out).unwrap()
}

#[test]
fn gemini_stream_to_anthropic_is_valid() {
    let sse = gemini_to_anthropic(&fixture("gemini/tools_thinking.stream.sse"));
    let summary = validate_anthropic_stream(&sse);
    assert!(
        sse.contains("\"thinking\":\"read the file first.\""),
        "{sse}"
    );
    assert!(sse.contains("\"text\":\"read it.\""), "{sse}");
    assert!(sse.contains("\"name\":\"glob\""), "{sse}");
    assert!(sse.contains("\"stop_reason\":\"tool_use\""), "{sse}");
    assert!(sse.contains("\"cache_read_input_tokens\":100"), "{sse}");
    let _ = summary;
    let mut decoder = gemini::StreamDecoder::new();
    let mut events = Vec::new();
    for frame in
        support::frames(&String::from_utf8(fixture("gemini/tools_thinking.stream.sse")).unwrap())
    {
        decoder.feed(&frame, &mut events);
    }
    decoder.finish(&mut events);
    insta::assert_debug_snapshot!("gemini_stream_events", events);
}

/// OpenAI SSE → Gemini SSE chunks, parsed back.
fn chat_to_gemini(case: &str) -> Vec<Value> {
    let mut transcoder = Transcoder::new(
        openai_chat::StreamDecoder::new(),
        gemini::StreamEncoder::new(),
    );
    let mut out = transcoder.feed(&fixture(&format!("openai_chat/{case}.stream.sse")));
    out.extend(transcoder.finish());
    support::frames(&String::from_utf8(out).unwrap())
        .into_iter()
        .map(|frame| {
            assert!(frame.event.is_empty());
            serde_json::from_str(&frame.data).unwrap()
        })
        .collect()
}

fn parts(chunks: &[Value]) -> Vec<Value> {
    chunks
        .iter()
        .filter_map(|chunk| chunk["candidates"][0]["content"]["parts"].as_array())
        .flatten()
        .cloned()
        .collect()
}

#[test]
fn chat_streams_become_gemini_chunks() {
    let chunks = chat_to_gemini("reasoning_then_text");
    let all = parts(&chunks);
    let thought: String = all
        .iter()
        .filter(|part| part["thought"] == true)
        .filter_map(|part| part["text"].as_str())
        .collect();
    let text: String = all
        .iter()
        .filter(|part| part.get("thought").is_none())
        .filter_map(|part| part["text"].as_str())
        .collect();
    assert!(!thought.is_empty());
    assert!(!text.is_empty());
    let last = chunks.last().unwrap();
    assert!(last["candidates"][0]["finishReason"].is_string(), "{last}");
    assert!(last["usageMetadata"]["totalTokenCount"].as_u64().is_some());

    for case in ["tool_call_split", "parallel_interleaved", "name_after_args"] {
        let chunks = chat_to_gemini(case);
        let calls: Vec<Value> = parts(&chunks)
            .iter()
            .filter_map(|part| part.get("functionCall").cloned())
            .collect();
        assert!(!calls.is_empty(), "{case}");
        for call in &calls {
            assert!(call["args"].is_object(), "{case}: {call}");
            assert!(call["name"].as_str().is_some_and(|name| !name.is_empty()));
        }
        insta::assert_json_snapshot!(format!("chat_{case}_to_gemini_calls"), calls);
    }
}

#[test]
fn errors_mid_stream_and_in_bodies_have_gemini_shape() {
    let chunks = chat_to_gemini("error_mid_stream");
    let last = chunks.last().unwrap();
    assert!(last["error"]["code"].as_u64().is_some(), "{last}");
    assert!(last["error"]["status"].is_string());
    let cases = [
        (400, "INVALID_ARGUMENT"),
        (401, "UNAUTHENTICATED"),
        (403, "PERMISSION_DENIED"),
        (404, "NOT_FOUND"),
        (429, "RESOURCE_EXHAUSTED"),
        (500, "INTERNAL"),
        (503, "UNAVAILABLE"),
        (504, "DEADLINE_EXCEEDED"),
    ];
    for (status, name) in cases {
        let body = json_of(&formats::encode_error(
            Format::Gemini,
            &ApiError::new(status, "boom"),
        ));
        assert_eq!(
            body,
            json!({"error": {"code": status, "message": "boom", "status": name}})
        );
    }
    let frame = formats::stream_error_frame(Format::Gemini, &ApiError::new(502, "cut"), 0);
    assert!(frame.starts_with(b"data: {\"error\""));
    // An upstream's in-stream error becomes an IR error with its status.
    let mut decoder = gemini::StreamDecoder::new();
    let mut events = Vec::new();
    let data = r#"{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}"#;
    decoder.feed(
        &SseFrame {
            event: String::new(),
            data: data.into(),
        },
        &mut events,
    );
    assert_eq!(
        events,
        [switchyard_protocol::ir::StreamEvent::Error {
            status: 429,
            message: "quota".into()
        }]
    );
}

#[test]
fn finish_reasons_map_both_ways() {
    let decode = |reason: &str, call: bool| {
        let part = if call {
            json!({"functionCall": {"name": "f", "args": {}}})
        } else {
            json!({"text": "x"})
        };
        let body = json!({"candidates": [{"content": {"parts": [part]}, "finishReason": reason}]});
        gemini::decode_response(body.to_string().as_bytes())
            .unwrap()
            .stop_reason
            .unwrap()
    };
    assert_eq!(decode("STOP", false), StopReason::EndTurn);
    assert_eq!(decode("STOP", true), StopReason::ToolUse);
    assert_eq!(decode("MAX_TOKENS", false), StopReason::MaxTokens);
    for filtered in [
        "SAFETY",
        "RECITATION",
        "BLOCKLIST",
        "PROHIBITED_CONTENT",
        "SPII",
    ] {
        assert_eq!(decode(filtered, false), StopReason::ContentFilter);
    }
    assert_eq!(
        decode("MALFORMED_FUNCTION_CALL", false),
        StopReason::Other("MALFORMED_FUNCTION_CALL".into())
    );
    let encode = |stop: StopReason| {
        let mut response = gemini::decode_response(br#"{"candidates":[]}"#).unwrap();
        response.stop_reason = Some(stop);
        json_of(&gemini::encode_response(&response))["candidates"][0]["finishReason"].clone()
    };
    assert_eq!(encode(StopReason::EndTurn), "STOP");
    assert_eq!(encode(StopReason::ToolUse), "STOP");
    assert_eq!(encode(StopReason::StopSequence(None)), "STOP");
    assert_eq!(encode(StopReason::MaxTokens), "MAX_TOKENS");
    assert_eq!(encode(StopReason::ContentFilter), "SAFETY");
    assert_eq!(encode(StopReason::Other("x".into())), "OTHER");
    // A prompt blocked before any candidate is a content filter.
    let blocked =
        gemini::decode_response(br#"{"promptFeedback":{"blockReason":"SAFETY"}}"#).unwrap();
    assert_eq!(blocked.stop_reason, Some(StopReason::ContentFilter));
}

#[test]
fn candidate_count_above_one_is_refused() {
    let body = br#"{"contents":[],"generationConfig":{"candidateCount":2}}"#;
    assert!(gemini::decode_request(body).is_err());
    let body = br#"{"contents":[{"role":"user","parts":[{"text":5}]}],"generationConfig":{"temperature":"hot"}}"#;
    let err = gemini::decode_request(body).unwrap_err().to_string();
    assert!(err.contains("generationConfig.temperature"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn rechunking_a_gemini_stream_keeps_the_output(cuts in prop::collection::vec(any::<usize>(), 0..40)) {
        let raw = fixture("gemini/tools_thinking.stream.sse");
        let whole = gemini_to_anthropic(&raw);
        let mut transcoder = Transcoder::new(gemini::StreamDecoder::new(), anthropic::StreamEncoder::new());
        let mut out = Vec::new();
        for piece in split_at(&raw, cuts) {
            out.extend(transcoder.feed(piece));
        }
        out.extend(transcoder.finish());
        prop_assert_eq!(whole, String::from_utf8(out).unwrap());
    }

    #[test]
    fn gemini_decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = gemini::decode_request(&bytes);
        let _ = gemini::decode_response(&bytes);
        let _ = gemini::usage_from_response(&bytes);
        let mut decoder = gemini::StreamDecoder::new();
        let mut events = Vec::new();
        let frame = SseFrame { event: String::new(), data: String::from_utf8_lossy(&bytes).into_owned() };
        StreamDecode::feed(&mut decoder, &frame, &mut events);
        StreamDecode::finish(&mut decoder, &mut events);
    }

    #[test]
    fn gemini_decoders_never_panic_on_json_shapes(
        text in "[a-zA-Z ]{0,8}",
        thought in any::<bool>(),
        reason in prop::sample::select(vec!["STOP", "MAX_TOKENS", "SAFETY", "OTHER", ""]),
    ) {
        let chunk = json!({"candidates": [{"content": {"parts": [
            {"text": text, "thought": thought},
            {"functionCall": {"name": text, "args": {"a": 1}}},
            {"functionResponse": {"name": text, "response": {"x": [1]}}},
        ]}, "finishReason": reason}]}).to_string();
        let _ = gemini::decode_response(chunk.as_bytes());
        let _ = gemini::decode_request(json!({"contents": [{"role": "model", "parts": [{"text": text, "thought": thought}]}]}).to_string().as_bytes());
        let mut decoder = gemini::StreamDecoder::new();
        let mut events = Vec::new();
        decoder.feed(&SseFrame { event: String::new(), data: chunk }, &mut events);
        decoder.finish(&mut events);
        prop_assert!(!events.is_empty());
    }
}

#[test]
fn responses_client_can_reach_gemini() {
    let request =
        openai_responses::decode_request(&fixture("openai_responses/kitchen_sink.req.json"))
            .unwrap();
    let wire = json_of(&gemini::encode_request(&request, &EncodeOptions::default()));
    assert!(
        wire["contents"]
            .as_array()
            .is_some_and(|contents| !contents.is_empty())
    );
}

/// A Gemini stream cut before its `finishReason` chunk is an error for the
/// client, not an answer that merely looks short.
#[test]
fn issue4_gemini_stream_cut_before_finish_reason_is_an_error() {
    let full = String::from_utf8(fixture("gemini/tools_thinking.stream.sse")).unwrap();
    let cut: String = support::frames(&full)
        .iter()
        .take(3)
        .map(|frame| format!("data: {}\n\n", frame.data))
        .collect();
    let sse = gemini_to_anthropic(cut.as_bytes());
    let summary = validate_anthropic_stream(&sse);
    let error = summary.error.unwrap();
    assert_eq!(error["type"], "api_error");
    assert_eq!(
        error["message"],
        "upstream stream ended before its finishReason"
    );
    assert!(!sse.contains("message_stop"), "{sse}");
}

/// Thoughts count against `maxOutputTokens`: the budget sent to Gemini
/// leaves at least half of it for the answer (never below 128, Pro's
/// minimum), and a smaller budget the client chose is kept.
#[test]
fn issue4_gemini_thinking_budget_leaves_room_for_the_answer() {
    use switchyard_protocol::ir::{Reasoning, ReasoningEffort};
    let budget = |max_tokens: Option<u32>, effort, budget_tokens| {
        let request = Request {
            max_tokens,
            reasoning: Some(Reasoning {
                effort,
                budget_tokens,
            }),
            ..Request::default()
        };
        let wire = json_of(&gemini::encode_request(&request, &EncodeOptions::default()));
        wire["generationConfig"]["thinkingConfig"]["thinkingBudget"].clone()
    };
    let medium = Some(ReasoningEffort::Medium);
    assert_eq!(budget(Some(4096), medium, None), 2048);
    assert_eq!(budget(None, medium, None), 8192);
    assert_eq!(budget(Some(100), medium, None), 128);
    assert_eq!(budget(Some(8192), None, Some(64)), 64);
}
