//! `switchyard usage` and `switchyard usage export`: totals and breakdowns
//! as a table or JSON, and every request as CSV or JSON.

use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::store::{FIELDS, GroupBy, Query, Report, RequestRow, StoreError, Totals, UsageStore};

/// `24h`, `7d`, `90m` (back from `now`), a day `2026-12-01` (UTC) or an
/// RFC 3339 time; unix milliseconds.
pub fn parse_since(text: &str, now: SystemTime) -> Result<i64, String> {
    let text = text.trim();
    let at = if let Ok(ago) = humantime::parse_duration(text) {
        now.checked_sub(ago).unwrap_or(UNIX_EPOCH)
    } else if text.len() == 10 {
        humantime::parse_rfc3339_weak(&format!("{text} 00:00:00")).map_err(|_| bad_since(text))?
    } else {
        humantime::parse_rfc3339_weak(text).map_err(|_| bad_since(text))?
    };
    let since = at.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    Ok(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
}

fn bad_since(text: &str) -> String {
    format!("--since {text}: expected a duration back (24h, 7d) or a date (2026-12-01)")
}

/// The report as JSON: the totals' numeric fields at the top level, and
/// each group's with its key named after the grouping (`"model": …`).
pub fn report_json(report: &Report, by: Option<GroupBy>, since_ms: Option<i64>) -> Value {
    let mut top = serde_json::to_value(&report.totals).unwrap_or_default();
    let groups = report.groups.iter().map(|group| {
        let mut value = serde_json::to_value(&group.totals).unwrap_or_default();
        if let (Some(object), Some(by)) = (value.as_object_mut(), by) {
            object.insert(by.as_str().to_owned(), Value::String(group.key.clone()));
        }
        value
    });
    if let Some(object) = top.as_object_mut() {
        object.insert("since".into(), since_ms.map(rfc3339).into());
        object.insert("by".into(), by.map(GroupBy::as_str).into());
        object.insert("groups".into(), Value::Array(groups.collect()));
    }
    top
}

/// A table: the totals, then one line per group.
pub fn write_table(
    out: &mut dyn Write,
    report: &Report,
    by: Option<GroupBy>,
) -> std::io::Result<()> {
    let label = by.map_or("", GroupBy::as_str);
    let mut lines = vec![[
        label.to_owned(),
        "requests".into(),
        "input".into(),
        "output".into(),
        "cache read".into(),
        "cache write".into(),
        "reasoning".into(),
        "cost".into(),
    ]];
    lines.push(cells("total", &report.totals));
    for group in &report.groups {
        let key = if group.key.is_empty() {
            "(none)"
        } else {
            &group.key
        };
        lines.push(cells(key, &group.totals));
    }
    let widths: Vec<usize> = (0..8)
        .map(|column| {
            lines
                .iter()
                .map(|line| line[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in &lines {
        let mut text = format!("{:<width$}", line[0], width = widths[0]);
        for (cell, width) in line.iter().zip(&widths).skip(1) {
            text.push_str(&format!("  {cell:>width$}"));
        }
        writeln!(out, "{}", text.trim_end())?;
    }
    Ok(())
}

fn cells(key: &str, totals: &Totals) -> [String; 8] {
    [
        key.to_owned(),
        grouped(totals.requests),
        grouped(totals.input_tokens),
        grouped(totals.output_tokens),
        grouped(totals.cache_read_tokens),
        grouped(totals.cache_write_tokens),
        grouped(totals.reasoning_tokens),
        cost_text(totals),
    ]
}

/// `$0.1234`, `$0.1234 + 3 unpriced`, or `unknown`: never a made-up $0.
pub fn cost_text(totals: &Totals) -> String {
    match (totals.cost_usd, totals.unpriced_requests) {
        (None, _) => "unknown".into(),
        (Some(cost), 0) => dollars(cost),
        (Some(cost), unpriced) => format!("{} + {unpriced} unpriced", dollars(cost)),
    }
}

pub fn dollars(cost: f64) -> String {
    if cost >= 100.0 {
        format!("${cost:.2}")
    } else {
        format!("${cost:.4}")
    }
}

/// 1234567 → `1,234,567`.
fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// Every request since `query.since_ms`, oldest first, each with its time
/// first and then the stored fields in their order.
pub fn export(
    store: &dyn UsageStore,
    query: &Query,
    format: ExportFormat,
    out: &mut dyn Write,
) -> Result<(), StoreError> {
    let mut names = vec!["time"];
    names.extend(FIELDS);
    match format {
        ExportFormat::Json => out.write_all(b"[")?,
        ExportFormat::Csv => writeln!(out, "{}", names.join(","))?,
    }
    let mut first = true;
    store.export(query, &mut |row| {
        let values = ordered_values(&row);
        match format {
            ExportFormat::Csv => {
                let line: Vec<String> = values.iter().map(csv_field).collect();
                writeln!(out, "{}", line.join(","))?;
            }
            ExportFormat::Json => {
                out.write_all(if first { b"\n{" } else { b",\n{" })?;
                for (index, (name, value)) in names.iter().zip(&values).enumerate() {
                    let comma = if index == 0 { "" } else { "," };
                    write!(out, "{comma}\"{name}\":{value}")?;
                }
                out.write_all(b"}")?;
            }
        }
        first = false;
        Ok(())
    })?;
    if format == ExportFormat::Json {
        out.write_all(if first { b"]\n" } else { b"\n]\n" })?;
    }
    Ok(())
}

/// The row's time, then its fields in [`FIELDS`] order.
fn ordered_values(row: &RequestRow) -> Vec<Value> {
    let mut object = match serde_json::to_value(row) {
        Ok(Value::Object(object)) => object,
        _ => serde_json::Map::new(),
    };
    let mut values = vec![Value::String(rfc3339(row.ts_ms))];
    values.extend(
        FIELDS
            .iter()
            .map(|name| object.remove(*name).unwrap_or(Value::Null)),
    );
    values
}

fn csv_field(value: &Value) -> String {
    let text = match value {
        Value::Null => return String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn rfc3339(ms: i64) -> String {
    let at = UNIX_EPOCH + Duration::from_millis(ms.max(0).unsigned_abs());
    humantime::format_rfc3339_millis(at).to_string()
}
