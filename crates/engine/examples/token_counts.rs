//! Local token counts for recorded requests; driven by
//! `scripts/measure-token-counts`, which compares them with other models'
//! tokenizers.
//!
//! `token_counts texts < requests.jsonl`: each input line
//! `{"name", "format", "body"}` (format: anthropic, openai_chat,
//! openai_responses or gemini; body: the request as JSON) gives one output
//! line `{"name", "tokens", "framing", "images", "texts"}`: what the gateway
//! answers to a count request for it, and the texts it counted.
//!
//! `token_counts perf FILE`: the time to build the tokenizer, the time per
//! 100 KB of FILE's text, and the resident memory each adds.

use std::io::{BufRead, Write};
use std::time::Instant;

use serde_json::{Value, json};
use switchyard_engine::tokens;
use switchyard_protocol::Format;
use switchyard_protocol::estimate::countable;
use switchyard_protocol::formats::decode_request;

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [mode] if mode == "texts" => texts(),
        [mode, file] if mode == "perf" => perf(file),
        _ => Err("usage: token_counts texts < requests.jsonl | token_counts perf FILE".into()),
    }
}

fn texts() -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let line: Value = serde_json::from_str(&line?)?;
        let format: Format = serde_json::from_value(line["format"].clone())?;
        let body = serde_json::to_vec(&line["body"])?;
        let request = decode_request(format, &body)?;
        let parts = countable(&request);
        let counted = json!({
            "name": line["name"],
            "tokens": tokens::input_tokens(&request),
            "framing": parts.framing(),
            "images": parts.images,
            "texts": parts.texts,
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
