//! OpenAI Chat Completions in → Anthropic Messages upstream, both ways.
#![allow(
    clippy::allow_attributes,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns"
)]

mod support;

use serde_json::{Value, json};
use support::fixture;
use switchyard_protocol::Transcoder;
use switchyard_protocol::formats::{EncodeOptions, anthropic, openai_chat};
use switchyard_protocol::sse::{SseFrame, SseParser};

fn translate_request(path: &str) -> Value {
    let request = openai_chat::decode_request(&fixture(path)).unwrap();
    serde_json::from_slice(&anthropic::encode_request(
        &request,
        &EncodeOptions::default(),
    ))
    .unwrap()
}

#[test]
fn kitchen_sink_request_golden() {
    let out = translate_request("openai_chat/kitchen_sink.req.json");
    // A forced tool choice rules out thinking on Anthropic; sampling stays.
    assert!(out.get("thinking").is_none());
    assert_eq!(out["temperature"], 0.3);
    insta::assert_json_snapshot!(out);
}

#[test]
fn reasoning_effort_becomes_a_thinking_budget_without_sampling() {
    let body = br#"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":16000,"temperature":0.5,"reasoning_effort":"low"}"#;
    let request = openai_chat::decode_request(body).unwrap();
    let out: Value = serde_json::from_slice(&anthropic::encode_request(
        &request,
        &EncodeOptions::default(),
    ))
    .unwrap();
    assert_eq!(
        out["thinking"],
        json!({"type": "enabled", "budget_tokens": 2048})
    );
    // Anthropic rejects sampling parameters next to thinking.
    assert!(out.get("temperature").is_none());
}

#[test]
fn consecutive_tool_messages_form_one_user_turn() {
    let out = translate_request("openai_chat/kitchen_sink.req.json");
    let messages = out["messages"].as_array().unwrap();
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user", "system", "user"]);
    let results = messages[2]["content"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["tool_use_id"], "toolu_call_a");
    assert_eq!(messages[1]["content"][0]["id"], "toolu_call_a");
    // Reasoning without an Anthropic signature cannot go back to Anthropic.
    assert!(
        messages[1]["content"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["type"] != "thinking")
    );
}

#[test]
fn n_above_one_is_refused_clearly() {
    let err = openai_chat::decode_request(br#"{"model":"m","messages":[],"n":2}"#).unwrap_err();
    assert!(err.to_string().contains("n = 1"), "{err}");
}

#[test]
fn anthropic_answer_becomes_a_chat_completion() {
    let response =
        anthropic::decode_response(&fixture("anthropic/tools_thinking.resp.json")).unwrap();
    let out: Value = serde_json::from_slice(&openai_chat::encode_response(&response)).unwrap();
    insta::assert_json_snapshot!(out);
    assert_eq!(out["choices"][0]["finish_reason"], "tool_calls");
    assert_eq!(out["choices"][0]["message"]["tool_calls"][0]["id"], "01A");
    assert_eq!(out["usage"]["prompt_tokens"], 18);
    assert_eq!(out["usage"]["prompt_tokens_details"]["cached_tokens"], 5);
}

fn anthropic_to_chat_stream(chunks: &[&[u8]], include_usage: bool) -> Vec<SseFrame> {
    let mut transcoder = Transcoder::new(
        anthropic::StreamDecoder::new(),
        openai_chat::StreamEncoder::new(1_700_000_000, include_usage),
    );
    let mut out = Vec::new();
    for chunk in chunks {
        out.extend(transcoder.feed(chunk));
    }
    out.extend(transcoder.finish());
    let mut parser = SseParser::new();
    let mut frames = Vec::new();
    parser.feed(&out, &mut frames);
    parser.finish(&mut frames);
    frames
}

#[test]
fn anthropic_stream_becomes_chat_chunks() {
    let sse = fixture("anthropic/tools_thinking.stream.sse");
    let frames = anthropic_to_chat_stream(&[&sse], true);
    assert_eq!(frames.last().unwrap().data, "[DONE]");
    let chunks: Vec<Value> = frames[..frames.len() - 1]
        .iter()
        .map(|f| serde_json::from_str(&f.data).unwrap())
        .collect();
    let mut text = String::new();
    let mut reasoning = String::new();
    let mut calls: Vec<(String, String, String)> = Vec::new();
    for chunk in &chunks {
        assert_eq!(chunk["object"], "chat.completion.chunk");
        let Some(choice) = chunk["choices"].get(0) else {
            continue;
        };
        let delta = &choice["delta"];
        text.push_str(delta["content"].as_str().unwrap_or(""));
        reasoning.push_str(delta["reasoning_content"].as_str().unwrap_or(""));
        for call in delta["tool_calls"].as_array().into_iter().flatten() {
            let index = call["index"].as_u64().unwrap() as usize;
            if index == calls.len() {
                calls.push((
                    call["id"].as_str().unwrap().into(),
                    call["function"]["name"].as_str().unwrap().into(),
                    String::new(),
                ));
            }
            calls[index]
                .2
                .push_str(call["function"]["arguments"].as_str().unwrap());
        }
    }
    assert_eq!(text, "Reading both.");
    assert_eq!(reasoning, "Let me see.");
    assert_eq!(
        calls,
        [
            ("01R".into(), "Read".into(), "{\"file_path\":\"/a\"}".into()),
            ("01T".into(), "Read".into(), "{\"file_path\":\"/b\"}".into()),
        ]
    );
    let finish = &chunks[chunks.len() - 2];
    assert_eq!(finish["choices"][0]["finish_reason"], "tool_calls");
    let usage = &chunks[chunks.len() - 1];
    assert_eq!(usage["choices"], json!([]));
    assert_eq!(usage["usage"]["prompt_tokens"], 42);
    assert_eq!(usage["usage"]["completion_tokens"], 42);
}

#[test]
fn usage_chunk_only_when_asked() {
    let sse = fixture("anthropic/tools_thinking.stream.sse");
    let frames = anthropic_to_chat_stream(&[&sse], false);
    assert!(frames.iter().all(|f| !f.data.contains("\"choices\":[]")));
}

#[test]
fn truncated_anthropic_stream_ends_in_an_error_chunk() {
    let sse = fixture("anthropic/tools_thinking.stream.sse");
    let frames = anthropic_to_chat_stream(&[&sse[..sse.len() / 2]], false);
    let last: Value = serde_json::from_str(&frames.last().unwrap().data).unwrap();
    assert_eq!(last["error"]["type"], "server_error");
    assert!(frames.iter().all(|f| f.data != "[DONE]"));
}
