//! Where finished requests are kept: the [`UsageStore`] trait and its SQLite
//! implementation. All SQL lives in this module, so another backend (a
//! shared team gateway's PostgreSQL) slots in without touching the gateway.

mod row;
mod sqlite;

#[cfg(test)]
pub(crate) mod tests;

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

pub use row::{FIELDS, RequestRow};
pub use sqlite::{SCHEMA_VERSION, SqliteStore};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the usage store {path}: {message}")]
    Open { path: String, message: String },
    #[error(
        "the usage store {path} has schema version {found}, newer than this switchyard knows ({known}); upgrade switchyard"
    )]
    NewerSchema {
        path: String,
        found: u32,
        known: u32,
    },
    #[error("usage store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("usage export: {0}")]
    Write(#[from] std::io::Error),
}

/// What to break totals down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The upstream model (what was billed).
    Model,
    Provider,
    Client,
    /// The active profile (empty without profiles).
    Profile,
    /// UTC days.
    Day,
}

impl GroupBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Model => "model",
            Self::Provider => "provider",
            Self::Client => "client",
            Self::Profile => "profile",
            Self::Day => "day",
        }
    }
}

/// Which requests a report or an export covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Query {
    /// Unix milliseconds; `None`: from the first request.
    pub since_ms: Option<i64>,
    pub by: Option<GroupBy>,
}

/// Sums over some requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    pub requests: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub reasoning_tokens: u64,
    /// The sum of the known costs; `None` when no request had one.
    pub cost_usd: Option<f64>,
    /// Requests with tokens but no known price (not in `cost_usd`).
    pub unpriced_requests: u64,
    /// Requests that did not end `ok`.
    pub failed_requests: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The model, provider, client or day (`YYYY-MM-DD`).
    pub key: String,
    #[serde(flatten)]
    pub totals: Totals,
}

/// Totals, and the breakdown if one was asked for.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub totals: Totals,
    pub groups: Vec<Group>,
}

/// How much history to keep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    /// Older requests are deleted.
    pub max_age: Option<Duration>,
    /// Beyond this the oldest requests are deleted until the data fits.
    pub max_bytes: Option<u64>,
}

/// A place finished requests are kept. Written by one writer thread; read
/// by the CLI through its own instance.
pub trait UsageStore: Send {
    /// All rows or none.
    fn insert(&mut self, rows: &[Arc<RequestRow>]) -> Result<(), StoreError>;
    fn report(&self, query: &Query) -> Result<Report, StoreError>;
    /// Every request the query covers, oldest first (`query.by` is ignored).
    fn export(
        &self,
        query: &Query,
        each: &mut dyn FnMut(RequestRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// Applies `retention` as of `now_ms`; returns how many requests went.
    fn prune(&mut self, retention: &Retention, now_ms: i64) -> Result<u64, StoreError>;
}
