//! `switchyard tail`: the running gateway's requests as they finish, one
//! line each, read from its `GET /_switchyard/events`. On a terminal, a
//! progress line for the streams still running is redrawn in place below.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr};

use futures_util::StreamExt;
use switchyard_protocol::sse::{SseFrame, SseParser};

use super::StreamProgress;
use super::report::dollars;
use super::store::RequestRow;

/// Erases the current terminal line and returns to its start.
const CLEAR_LINE: &str = "\r\x1b[2K";

pub fn run(addr: SocketAddr, key: &str) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    runtime.block_on(follow(addr, key))
}

async fn follow(mut addr: SocketAddr, key: &str) -> Result<(), String> {
    if addr.ip().is_unspecified() {
        addr.set_ip(Ipv4Addr::LOCALHOST.into());
    }
    let url = format!("http://{addr}/_switchyard/events");
    let response = reqwest::Client::new()
        .get(&url)
        .bearer_auth(key)
        .send()
        .await
        .map_err(|err| format!("cannot reach the gateway at {url}: {err}"))?;
    if !response.status().is_success() {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        return Err(format!("{url} answered {status}: {body}"));
    }
    let mut display = Display::new(std::io::stdout().is_terminal());
    let mut parser = SseParser::new();
    let mut frames = Vec::new();
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|err| format!("the event stream failed: {err}"))?;
        parser.feed(&chunk, &mut frames);
        for frame in frames.drain(..) {
            display.show(&frame, &url).map_err(|err| err.to_string())?;
        }
    }
    display.clear().map_err(|err| err.to_string())?;
    tracing::info!("the gateway closed the event stream (stopped?)");
    Ok(())
}

struct Display {
    tty: bool,
    running: BTreeMap<u64, StreamProgress>,
    progress_shown: bool,
}

impl Display {
    fn new(tty: bool) -> Self {
        Self {
            tty,
            running: BTreeMap::new(),
            progress_shown: false,
        }
    }

    fn show(&mut self, frame: &SseFrame, url: &str) -> std::io::Result<()> {
        match frame.event.as_str() {
            "hello" => tracing::info!("following {url} (Ctrl-C to stop)"),
            "lagged" => tracing::warn!("too slow to follow: some events were missed"),
            "request" => {
                if let Ok(row) = serde_json::from_str::<RequestRow>(&frame.data) {
                    self.running.remove(&row.id.unsigned_abs());
                    self.clear()?;
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "{}", request_line(&row))?;
                    out.flush()?;
                    self.redraw()?;
                }
            }
            "progress" => {
                if let Ok(progress) = serde_json::from_str::<StreamProgress>(&frame.data) {
                    self.running.insert(progress.id, progress);
                    self.redraw()?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn clear(&mut self) -> std::io::Result<()> {
        if self.progress_shown {
            let mut out = std::io::stdout().lock();
            write!(out, "{CLEAR_LINE}")?;
            out.flush()?;
            self.progress_shown = false;
        }
        Ok(())
    }

    fn redraw(&mut self) -> std::io::Result<()> {
        if !self.tty || self.running.is_empty() {
            return Ok(());
        }
        let mut out = std::io::stdout().lock();
        write!(out, "{CLEAR_LINE}{}", progress_line(self.running.values()))?;
        out.flush()?;
        self.progress_shown = true;
        Ok(())
    }
}

/// `11:25:17 claude_code claude-sonnet-4-5 -> deepseek/deepseek-chat 200 ok
/// 812ms in=1520 out=96 cached=1024 $0.0012`
pub fn request_line(row: &RequestRow) -> String {
    let time = humantime::format_rfc3339_seconds(
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(row.ts_ms.unsigned_abs()),
    )
    .to_string();
    let clock = time.get(11..19).unwrap_or(&time);
    let route = if row.provider.is_empty() {
        "(no route)".to_owned()
    } else {
        format!("{}/{}", row.provider, row.upstream_model)
    };
    let cost = match row.cost_usd {
        Some(cost) => dollars(cost),
        None => "cost unknown".into(),
    };
    let mut line = format!(
        "{clock} {} {} -> {route} {} {} {}ms in={} out={} cached={} {cost}",
        row.client,
        escaped(&row.client_model),
        row.status,
        row.outcome,
        row.latency_ms,
        row.input_tokens + row.cache_read_tokens + row.cache_write_tokens,
        row.output_tokens,
        row.cache_read_tokens,
    );
    if let Some(kind) = &row.error_kind {
        line.push_str(" error=");
        line.push_str(kind);
    }
    line
}

/// `▸ 2 running: claude-sonnet-4-5 3.2s ~340 tok · gpt-5 1.1s ~20 tok`
pub fn progress_line<'a>(running: impl ExactSizeIterator<Item = &'a StreamProgress>) -> String {
    let count = running.len();
    let streams: Vec<String> = running
        .map(|progress| {
            let tokens = progress.output_tokens.max(progress.output_tokens_estimate);
            format!(
                "{} {:.1}s ~{tokens} tok",
                escaped(&progress.client_model),
                progress.elapsed_ms as f64 / 1000.0
            )
        })
        .collect();
    format!("▸ {count} running: {}", streams.join(" · "))
}

/// A model name is the client's text: no control characters reach the terminal.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for char in text.chars() {
        if char.is_control() {
            out.extend(char.escape_default());
        } else {
            out.push(char);
        }
    }
    out
}
