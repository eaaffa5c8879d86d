//! Translation cost: the recorded Claude Code request (≈50 KB), a small
//! request, Codex's first turn (Responses in), and a 50-chunk OpenAI stream
//! turned into Anthropic events and into Responses events.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use switchyard_protocol::Transcoder;
use switchyard_protocol::formats::{EncodeOptions, anthropic, openai_chat, openai_responses};

const CLAUDE_CODE: &[u8] =
    include_bytes!("../tests/fixtures/anthropic/claude_code_write_loop.req.json");
/// The ~100 KB Claude Code-like body of `shared/bench` (gen_payloads.py).
const LARGE: &[u8] = include_bytes!("../tests/fixtures/anthropic/bench_large.req.json");
/// Codex CLI's first turn (`POST /v1/responses`), recorded.
const CODEX: &[u8] = include_bytes!("../tests/fixtures/openai_responses/codex_first_turn.req.json");
const SMALL: &[u8] = br#"{"model":"claude-sonnet-4-5-20250929","max_tokens":256,"messages":[{"role":"user","content":"Say hello in one short sentence."}]}"#;

fn translate_request(body: &[u8]) -> Vec<u8> {
    let mut request = match anthropic::decode_request(body) {
        Ok(request) => request,
        Err(err) => unreachable!("fixture must decode: {err}"),
    };
    request.model.clear();
    request.model.push_str("deepseek-chat");
    openai_chat::encode_request(&request, &EncodeOptions::default())
}

fn translate_responses_request(body: &[u8]) -> Vec<u8> {
    let request = match openai_responses::decode_request(body) {
        Ok(request) => request,
        Err(err) => unreachable!("fixture must decode: {err}"),
    };
    openai_chat::encode_request(&request, &EncodeOptions::default())
}

fn stream_50_chunks() -> Vec<u8> {
    let mut sse = String::new();
    sse.push_str("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n");
    for i in 0..50 {
        sse.push_str(&format!("data: {{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"token{i} \"}},\"finish_reason\":null}}]}}\n\n"));
    }
    sse.push_str("data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
    sse.push_str("data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":50}}\n\ndata: [DONE]\n\n");
    sse.into_bytes()
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("request");
    group.throughput(Throughput::Bytes(CLAUDE_CODE.len() as u64));
    group.bench_function("claude_code_to_chat", |b| {
        b.iter(|| translate_request(black_box(CLAUDE_CODE)))
    });
    group.throughput(Throughput::Bytes(LARGE.len() as u64));
    group.bench_function("large_100kb_to_chat", |b| {
        b.iter(|| translate_request(black_box(LARGE)))
    });
    group.throughput(Throughput::Bytes(CODEX.len() as u64));
    group.bench_function("codex_responses_to_chat", |b| {
        b.iter(|| translate_responses_request(black_box(CODEX)))
    });
    group.throughput(Throughput::Bytes(SMALL.len() as u64));
    group.bench_function("small_to_chat", |b| {
        b.iter(|| translate_request(black_box(SMALL)))
    });
    group.finish();

    let stream = stream_50_chunks();
    let mut group = c.benchmark_group("stream");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("chat_50_chunks_to_anthropic", |b| {
        b.iter(|| {
            let mut transcoder = Transcoder::new(
                openai_chat::StreamDecoder::new(),
                anthropic::StreamEncoder::new(),
            );
            // Feed as an upstream would: one network read per event.
            let mut out = 0;
            for event in stream.split_inclusive(|&byte| byte == b'\n') {
                out += transcoder.feed(black_box(event)).len();
            }
            out + transcoder.finish().len()
        });
    });
    group.bench_function("chat_50_chunks_to_responses", |b| {
        b.iter(|| {
            let mut transcoder = Transcoder::new(
                openai_chat::StreamDecoder::new(),
                openai_responses::StreamEncoder::new(1_700_000_000),
            );
            let mut out = 0;
            for event in stream.split_inclusive(|&byte| byte == b'\n') {
                out += transcoder.feed(black_box(event)).len();
            }
            out + transcoder.finish().len()
        });
    });
    group.finish();
}

criterion_group!(translate, benches);
criterion_main!(translate);
