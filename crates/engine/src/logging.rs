//! The log format: one plain line per event, `2026-11-23T11:09:55.017793Z  INFO message k=v`.
//!
//! tracing-subscriber's default formatter escaped every message character by
//! character and formatted its timestamp through a generic date library; that
//! cost as much as translating a small request, once per request. This one
//! writes the same line with a byte scan for control characters (so a client
//! cannot forge log lines through a model name) and humantime's RFC 3339
//! writer (as fast as hand-built digits: docs/benchmarks.md, issue 9).

use std::fmt::{self, Write as _};
use std::time::SystemTime;

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Installs the global subscriber: stderr, filtered by `SWITCHYARD_LOG`
/// (`info` by default; any `EnvFilter` directive works).
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SWITCHYARD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .event_format(LineFormat)
        .init();
}

/// See the module docs.
#[derive(Debug, Clone, Copy, Default)]
pub struct LineFormat;

impl<S, N> FormatEvent<S, N> for LineFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let level = event.metadata().level();
        write!(writer, "{} {level:>5} ", utc_timestamp(SystemTime::now()))?;
        let mut visitor = LineVisitor {
            out: NoControlChars(&mut writer),
            first: true,
            result: Ok(()),
        };
        event.record(&mut visitor);
        visitor.result?;
        writer.write_char('\n')
    }
}

struct LineVisitor<'w, 'a> {
    out: NoControlChars<&'w mut Writer<'a>>,
    first: bool,
    result: fmt::Result,
}

impl Visit for LineVisitor<'_, '_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.result.is_err() {
            return;
        }
        let separator = if self.first { "" } else { " " };
        self.first = false;
        self.result = if field.name() == "message" {
            write!(self.out, "{separator}{value:?}")
        } else {
            write!(self.out, "{separator}{}={value:?}", field.name())
        };
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else {
            self.record_debug(field, &value);
        }
    }
}

/// Writes through, escaping ASCII control characters (`\n` as `\n`, the rest
/// as `\u{1b}`), so one event is always one line and carries no terminal codes.
struct NoControlChars<W>(W);

impl<W: fmt::Write> fmt::Write for NoControlChars<W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        if !text.bytes().any(|byte| byte.is_ascii_control()) {
            return self.0.write_str(text);
        }
        for ch in text.chars() {
            match ch {
                '\n' => self.0.write_str("\\n")?,
                '\r' => self.0.write_str("\\r")?,
                '\t' => self.0.write_str("\\t")?,
                ch if ch.is_ascii_control() => write!(self.0, "\\u{{{:x}}}", u32::from(ch))?,
                ch => self.0.write_char(ch)?,
            }
        }
        Ok(())
    }
}

/// RFC 3339 UTC with microseconds: `2026-11-23T11:09:55.017793Z`.
fn utc_timestamp(now: SystemTime) -> humantime::Rfc3339Timestamp {
    humantime::format_rfc3339_micros(now)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    fn at(secs: u64, micros: u32) -> String {
        utc_timestamp(UNIX_EPOCH + Duration::new(secs, micros * 1000)).to_string()
    }

    #[test]
    fn timestamps_match_known_dates() {
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000000Z");
        // `date -u -d @1795438195` → Mon Nov 23 12:49:55 UTC 2026
        assert_eq!(at(1_795_438_195, 17_793), "2026-11-23T12:49:55.017793Z");
        // Leap day and the last second of a leap year.
        assert_eq!(at(951_782_400, 0), "2000-02-29T00:00:00.000000Z");
        assert_eq!(at(1_483_228_799, 999_999), "2016-12-31T23:59:59.999999Z");
    }

    #[test]
    fn control_characters_are_escaped_and_plain_text_is_not() {
        let mut out = String::new();
        write!(NoControlChars(&mut out), "a\nb\x1b[31mc\td é").unwrap();
        assert_eq!(out, "a\\nb\\u{1b}[31mc\\td é");
        let mut plain = String::new();
        write!(NoControlChars(&mut plain), "claude-sonnet \"x\"").unwrap();
        assert_eq!(plain, "claude-sonnet \"x\"");
    }
}
