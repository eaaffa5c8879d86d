//! The `switchyard usage` and `switchyard tail` commands (their clap
//! arguments and what they run), kept here so `main.rs` only dispatches.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::report::{self, ExportFormat};
use super::store::{GroupBy, Query, Report, SqliteStore};
use crate::config;

/// Which store and which requests.
#[derive(Debug, Clone, clap::Args)]
pub struct Scope {
    /// The config whose `usage_db` to read (default: the platform data dir's store, as `serve` uses).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Only requests since: a duration back (24h, 7d, 90m) or a date/time (2026-12-01, RFC 3339).
    #[arg(long)]
    pub since: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct UsageArgs {
    #[command(subcommand)]
    pub command: Option<UsageCommand>,
    #[command(flatten)]
    pub scope: Scope,
    /// Break the totals down.
    #[arg(long, value_enum)]
    pub by: Option<By>,
    /// JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum UsageCommand {
    /// Every recorded request, oldest first.
    Export {
        #[command(flatten)]
        scope: Scope,
        #[arg(long, value_enum, default_value = "csv")]
        format: Export,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum By {
    Model,
    Provider,
    Client,
    Profile,
    Day,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Export {
    Csv,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct TailArgs {
    /// The running gateway's config: its `listen`, and the gateway token (or `client_keys[0]`).
    #[arg(long, short)]
    pub config: PathBuf,
    /// The address `serve --listen` was given, if it was.
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

pub fn usage(args: UsageArgs) -> Result<(), String> {
    let env = |name: &str| std::env::var(name).ok();
    match args.command {
        Some(UsageCommand::Export { scope, format }) => {
            let (path, query) = resolve(&scope, None, &env)?;
            let format = match format {
                Export::Csv => ExportFormat::Csv,
                Export::Json => ExportFormat::Json,
            };
            let mut out = std::io::stdout().lock();
            if let Some(store) = open(&path)? {
                report::export(&store, &query, format, &mut out).map_err(|err| err.to_string())?;
            } else if format == ExportFormat::Json {
                writeln!(out, "[]").map_err(|err| err.to_string())?;
            }
            out.flush().map_err(|err| err.to_string())
        }
        None => {
            let by = args.by.map(|by| match by {
                By::Model => GroupBy::Model,
                By::Provider => GroupBy::Provider,
                By::Client => GroupBy::Client,
                By::Profile => GroupBy::Profile,
                By::Day => GroupBy::Day,
            });
            let (path, query) = resolve(&args.scope, by, &env)?;
            let report = match open(&path)? {
                Some(store) => super::UsageStore::report(&store, &query),
                None => Ok(Report::default()),
            };
            let report = report.map_err(|err| err.to_string())?;
            print_report(&path, &report, &query, args.json)
        }
    }
}

fn print_report(path: &Path, report: &Report, query: &Query, json: bool) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    let written = if json {
        let value = report::report_json(report, query.by, query.since_ms);
        serde_json::to_writer_pretty(&mut out, &value)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        tracing::info!("usage store: {}", path.display());
        report::write_table(&mut out, report, query.by)
    };
    written
        .and_then(|()| out.flush())
        .map_err(|err| err.to_string())
}

/// The store's path (the config's `usage_db`, else the default) and the query.
fn resolve(
    scope: &Scope,
    by: Option<GroupBy>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(PathBuf, Query), String> {
    let configured = match &scope.config {
        Some(path) => config::load(path).map_err(|err| err.to_string())?.usage.db,
        None => None,
    };
    let path = super::paths::db_path(configured.as_deref(), env)?;
    let since_ms = scope
        .since
        .as_deref()
        .map(|since| report::parse_since(since, SystemTime::now()))
        .transpose()?;
    Ok((path, Query { since_ms, by }))
}

/// `None` when nothing was recorded yet (a report of nothing, not an error).
fn open(path: &Path) -> Result<Option<SqliteStore>, String> {
    let store = SqliteStore::open_existing(path).map_err(|err| err.to_string())?;
    if store.is_none() {
        tracing::info!("no usage recorded yet ({} does not exist)", path.display());
    }
    Ok(store)
}

pub fn tail(args: TailArgs) -> Result<(), String> {
    let config = config::load(&args.config).map_err(|err| err.to_string())?;
    let addr = args.listen.unwrap_or(config.listen);
    let key = (config.gateway_token.as_ref())
        .or(config.client_keys.first())
        .ok_or(
            "no client key: neither a gateway token in the keychain nor client_keys in the config",
        )?
        .expose()
        .to_owned();
    super::tail::run(addr, &key)
}
