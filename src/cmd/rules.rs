//! `hindsight rules validate|list`: load Falco rule files, report every problem, list rules.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use hindsight_replay::rules::{Loader, Severity};

use super::selection::RuleArgs;
use super::view::{ViewArgs, VIEWS_HELP};

/// `hindsight rules` subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Load rule files and directories in order and print every error and warning as
    /// `file:line:col: item 'name': message`. Exit 0 when there is no error, 1 otherwise.
    Validate(ValidateArgs),
    /// List the loaded rules: name, priority, tags, source, event types, enabled.
    List(ListArgs),
}

/// Arguments of `hindsight rules validate`.
#[derive(clap::Args)]
#[command(after_help = VIEWS_HELP)]
pub struct ValidateArgs {
    /// Rule files or directories (their *.yaml files in name order), loaded in order.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,
    /// Print errors only.
    #[arg(short, long)]
    pub quiet: bool,
    /// The view the rules are meant for (warnings about conditions that cannot match in it).
    #[command(flatten)]
    pub view: ViewArgs,
}

/// Arguments of `hindsight rules list`.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Rule files and rule selection.
    #[command(flatten)]
    pub select: RuleArgs,
    /// One JSON object per rule instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Runs `hindsight rules ...`.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Validate(a) => validate(a),
        Command::List(a) => list(a),
    }
}

fn validate(a: ValidateArgs) -> anyhow::Result<ExitCode> {
    let mut loader = Loader::new();
    loader.set_enter_events(a.view.enter_events);
    for p in &a.paths {
        loader.add_path(p);
    }
    let set = loader.finish();
    let mut out = std::io::stdout().lock();
    let (mut errors, mut warnings) = (0, 0);
    for d in set.diagnostics() {
        match d.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
        }
        if d.severity == Severity::Error || !a.quiet {
            writeln!(out, "{d}")?;
        }
    }
    eprintln!(
        "{} rules loaded, {errors} errors, {warnings} warnings",
        set.rules().len()
    );
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn list(a: ListArgs) -> anyhow::Result<ExitCode> {
    let set = a.select.loader().finish();
    let errors: Vec<_> = set
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    for d in &errors {
        eprintln!("{d}");
    }
    let compiled = set.select(&a.select.selection());
    let mut out = std::io::stdout().lock();
    if !a.json {
        writeln!(
            out,
            "{:<60} {:<13} {:<8} {:<7} {:<40} TAGS",
            "NAME", "PRIORITY", "ENABLED", "SOURCE", "EVENT TYPES"
        )?;
    }
    for r in compiled.rules() {
        let types = r.event_types.names();
        let all = r.event_types == hindsight_replay::rules::EventTypes::all();
        let types_text = if all {
            "(all)".to_string()
        } else {
            types.join(",")
        };
        if a.json {
            let v = serde_json::json!({
                "name": r.name, "priority": r.priority.name(), "tags": r.tags, "source": r.source,
                "event_types": if all { serde_json::json!("all") } else { serde_json::json!(types) },
                "enabled": r.enabled,
                "location": format!("{}:{}:{}", r.location.file, r.location.line, r.location.col),
            });
            writeln!(out, "{v}")?;
        } else {
            writeln!(
                out,
                "{:<60} {:<13} {:<8} {:<7} {:<40} {}",
                r.name,
                r.priority.name(),
                r.enabled,
                r.source,
                types_text,
                r.tags.join(",")
            )?;
        }
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
