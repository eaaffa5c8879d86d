//! Local token counts for recorded requests; driven by
//! `scripts/measure-token-counts`, which compares them with other models'
//! tokenizers.
//!
//! `token_counts texts < requests.jsonl`: each input line
//! `{"name", "format", "body"}` (format: anthropic, openai_chat,
//! openai_responses or gemini; body: the request as JSON) gives one output
//! line `{"name", "tokens", "framing", "images", "texts", "chat"}`: what the
//! gateway answers to a count request for it, the texts it counted, and the
//! request as it would reach an OpenAI Chat upstream (for chat templates).
//!
//! `token_counts perf FILE`: the time to build the tokenizer, the time per
//! 100 KB of FILE's text, and the resident memory each adds.

use std::io::{BufRead, Write};
use std::time::Instant;

use serde_json::json;
use serde_json::value::RawValue;
use switchyard_engine::tokens;
use switchyard_protocol::Format;
use switchyard_protocol::estimate::countable;
use switchyard_protocol::formats::{EncodeOptions, decode_request, openai_chat};

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [mode] if mode == "texts" => texts(),
        [mode, file] if mode == "perf" => perf(file),
        _ => Err("usage: token_counts texts < requests.jsonl | token_counts perf FILE".into()),
    }
}

/// One request to count; `body` is kept byte for byte, as a client sent it.
#[derive(serde::Deserialize)]
struct Line<'a> {
    name: String,
    format: Format,
    #[serde(borrow)]
    body: &'a RawValue,
}

fn texts() -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let line: Line<'_> = serde_json::from_str(&line)?;
        let request = decode_request(line.format, line.body.get().as_bytes())?;
        let parts = countable(&request);
        let chat = openai_chat::encode_request(&request, &EncodeOptions::default());
        let chat: serde_json::Value = serde_json::from_slice(&chat)?;
        let counted = json!({
            "name": line.name,
            "tokens": tokens::input_tokens(&request),
            "framing": parts.framing(),
            "images": parts.images,
            "texts": parts.texts,
            "chat": chat,
        });
        writeln!(out, "{counted}")?;
    }
    Ok(())
}

fn perf(file: &str) -> Result<(), Failure> {
    let text = std::fs::read_to_string(file)?;
    let mut end = text.len().min(100_000);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    let idle = rss_kib()?;
    let started = Instant::now();
    tokens::count("warm up");
    let load = started.elapsed();
    let loaded = rss_kib()?;
    let rounds = 50;
    let started = Instant::now();
    let mut counted = 0;
    for _ in 0..rounds {
        counted = tokens::count(std::hint::black_box(sample));
    }
    let per_round = started.elapsed() / rounds;
    let report = json!({
        "sample_bytes": sample.len(),
        "sample_tokens": counted,
        "load_ms": load.as_secs_f64() * 1e3,
        "us_per_100kb": per_round.as_secs_f64() * 1e6 * 100_000.0 / sample.len() as f64,
        "rss_before_kib": idle,
        "rss_added_by_load_kib": loaded.saturating_sub(idle),
        "rss_added_after_counting_kib": rss_kib()?.saturating_sub(idle),
    });
    writeln!(std::io::stdout().lock(), "{report}")?;
    Ok(())
}

fn rss_kib() -> Result<u64, Failure> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .ok_or("no VmRSS in /proc/self/status")?;
    let kib = line.trim().trim_end_matches("kB").trim();
    Ok(kib.parse()?)
}
