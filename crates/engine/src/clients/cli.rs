//! `switchyard configure CLIENT` and `switchyard clients`: argument
//! parsing and printing around the engine functions.

use std::io::Write;
use std::path::PathBuf;

use crate::config::{self, Secret};

use super::{
    Action, Applied, ClientKind, ClientStatus, Models, Paths, Plan, RetokenOutcome, RetokenResult,
    Scope, State, Target, Tier,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScopeArg {
    User,
    Project,
}

#[derive(Debug, clap::Args)]
pub struct ConfigureArgs {
    /// The client to point at the gateway.
    #[arg(value_enum)]
    pub client: ClientKind,
    /// Print the changes as a unified diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Put back what an earlier `configure` replaced; remove the keys it added.
    #[arg(long)]
    pub undo: bool,
    /// `project`: the project's own settings file in the current folder.
    #[arg(long, value_enum, default_value = "user")]
    pub scope: ScopeArg,
    /// The gateway config (its `listen` and `client_keys`). Default:
    /// `$XDG_CONFIG_HOME/switchyard/config.toml`.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// A model id per tier, e.g. `--model haiku=claude-deepseek-chat`
    /// (tiers: main, opus, sonnet, haiku, fable, small-fast, subagent).
    #[arg(long = "model", value_name = "TIER=MODEL")]
    pub models: Vec<String>,
    /// The routed model's context window in tokens (Claude Code compacts by it).
    #[arg(long)]
    pub context_window: Option<u64>,
}

#[derive(Debug, clap::Args)]
pub struct ClientsArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// `switchyard configure`.
pub fn configure(args: ConfigureArgs) -> Result<(), String> {
    let paths = Paths::from_env().map_err(|err| err.to_string())?;
    let scope = match args.scope {
        ScopeArg::User => Scope::User,
        ScopeArg::Project => Scope::Project(paths.cwd.clone()),
    };
    let plan = if args.undo {
        super::plan_undo(args.client, &scope, &paths)
    } else {
        let target = target(&args, &paths)?;
        super::plan(args.client, &target, &scope, &paths)
    }
    .map_err(|err| err.to_string())?;
    let mut out = std::io::stdout().lock();
    if args.dry_run {
        return print_dry_run(&mut out, &plan).map_err(|err| err.to_string());
    }
    let applied = super::apply(&plan).map_err(|err| err.to_string())?;
    print_applied(&mut out, &plan, &applied, &paths).map_err(|err| err.to_string())
}

fn target(args: &ConfigureArgs, paths: &Paths) -> Result<Target, String> {
    let path = args
        .config
        .clone()
        .unwrap_or_else(|| paths.config_home.join("switchyard").join("config.toml"));
    let config = config::load(&path).map_err(|err| err.to_string())?;
    let mut models = Models::default();
    for pair in &args.models {
        let (tier, model) = pair.split_once('=').ok_or_else(|| {
            format!("--model {pair}: write TIER=MODEL, e.g. haiku=claude-haiku-4-5")
        })?;
        models.set(tier.parse::<Tier>()?, model);
    }
    Target::from_config(&config, models, args.context_window).map_err(|err| err.to_string())
}

fn print_dry_run(out: &mut dyn Write, plan: &Plan) -> std::io::Result<()> {
    if !plan.changes() {
        writeln!(out, "no changes")?;
    }
    write!(out, "{}", plan.diff())?;
    for note in &plan.notes {
        writeln!(out, "note: {note}")?;
    }
    let verb = match plan.action {
        Action::Configure => "configure",
        Action::Undo => "undo",
        Action::Retoken => "retoken",
    };
    writeln!(
        out,
        "dry run: nothing written ({verb} {}, {})",
        plan.kind, plan.scope
    )
}

fn print_applied(
    out: &mut dyn Write,
    plan: &Plan,
    applied: &Applied,
    paths: &Paths,
) -> std::io::Result<()> {
    for path in &applied.backups {
        writeln!(out, "backup: {}", paths.display(path))?;
    }
    for path in &applied.written {
        writeln!(out, "wrote {}", paths.display(path))?;
    }
    for path in &applied.removed {
        writeln!(
            out,
            "removed {} (Switchyard had created it)",
            paths.display(path)
        )?;
    }
    if applied.written.is_empty() && applied.removed.is_empty() && !plan.files.is_empty() {
        writeln!(out, "{}: already as wanted, nothing to write", plan.kind)?;
    }
    for note in &applied.notes {
        writeln!(out, "note: {note}")?;
    }
    if plan.action == Action::Configure && plan.changes() {
        writeln!(
            out,
            "undo with: switchyard configure {} --undo{}",
            plan.kind,
            scope_flag(&plan.scope)
        )?;
    }
    Ok(())
}

fn scope_flag(scope: &Scope) -> &'static str {
    match scope {
        Scope::User => "",
        Scope::Project(_) => " --scope project",
    }
}

/// After `switchyard token --rotate`: the new token into the files
/// configured with the old one, a log line per file (stdout holds the token).
pub fn retoken(old: &Secret, new: &Secret) {
    let outcomes =
        Paths::from_env().and_then(|paths| Ok((super::retoken(&paths, old, new)?, paths)));
    match outcomes {
        Ok((outcomes, paths)) => {
            for outcome in &outcomes {
                log_retoken(outcome, &paths);
            }
        }
        Err(err) => tracing::warn!(
            "the clients Switchyard configured still present the old token ({err}): run `switchyard configure CLIENT` for each"
        ),
    }
}

fn log_retoken(outcome: &RetokenOutcome, paths: &Paths) {
    let kind = outcome.kind;
    let file = paths.display(&outcome.path);
    let again = match &outcome.scope {
        Scope::User => format!("switchyard configure {kind}"),
        Scope::Project(dir) => format!(
            "switchyard configure {kind} --scope project` in `{}",
            paths.display(dir)
        ),
    };
    match &outcome.result {
        RetokenResult::Rewritten => tracing::info!("{kind}: wrote the new token into {file}"),
        RetokenResult::NoToken => {
            tracing::info!(
                "{kind}: {file} holds no token (the client reads it from the shell block): unchanged"
            );
        }
        RetokenResult::OtherKey => tracing::info!(
            "{kind}: {file} presents another key than the gateway token (a client_keys entry): unchanged"
        ),
        RetokenResult::Drifted { keys } => tracing::warn!(
            "{kind}: left {file} as it is: {} changed by hand since Switchyard wrote it; run `{again}` to give it the new token",
            keys.join(", ")
        ),
        RetokenResult::Failed { error } => {
            tracing::warn!("{kind}: {file} still presents the old token ({error}); run `{again}`")
        }
    }
}

/// `switchyard clients`.
pub fn clients(args: ClientsArgs) -> Result<(), String> {
    let paths = Paths::from_env().map_err(|err| err.to_string())?;
    let statuses = super::detect(&paths).map_err(|err| err.to_string())?;
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        serde_json::to_string_pretty(&statuses)
            .map_err(std::io::Error::other)
            .and_then(|json| writeln!(out, "{json}"))
    } else {
        statuses
            .iter()
            .try_for_each(|status| print_status(&mut out, status, &paths))
    };
    written.map_err(|err| err.to_string())
}

fn print_status(out: &mut dyn Write, status: &ClientStatus, paths: &Paths) -> std::io::Result<()> {
    let installed = match (&status.binary, status.installed) {
        (Some(binary), _) => format!("installed ({})", paths.display(binary)),
        (None, true) => "installed (config folder found)".to_owned(),
        (None, false) => "not installed".to_owned(),
    };
    writeln!(out, "{}: {installed}", status.kind)?;
    for file in &status.files {
        writeln!(
            out,
            "  {}: {}",
            paths.display(&file.path),
            describe(&file.state)
        )?;
    }
    for warning in &status.warnings {
        writeln!(out, "  warning: {warning}")?;
    }
    Ok(())
}

fn describe(state: &State) -> String {
    match state {
        State::NotConfigured => "not configured".to_owned(),
        State::Ours => "configured by Switchyard".to_owned(),
        State::Drifted { keys } => format!(
            "configured by Switchyard, changed by hand since: {}",
            keys.join(", ")
        ),
        State::Foreign { detail } => format!("configured by someone else ({detail})"),
        State::Unreadable { error } => format!("unreadable: {error}"),
    }
}
