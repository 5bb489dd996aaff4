//! `hindsight rules validate|list`: load Falco rule files, report every problem, list rules.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use hindsight_replay::bundled::{DEFAULT_RULES_NAME, DEFAULT_RULES_YAML};
use hindsight_replay::rules::{Loader, Priority, RuleSelection, RuleSet, Severity};

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
pub struct ValidateArgs {
    /// Rule files or directories (their *.yaml files in name order), loaded in order.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,
    /// Print errors only.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Arguments of `hindsight rules list`.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Rule files or directories, in order (default: the bundled rules).
    #[arg(short = 'r', long = "rules", value_name = "RULES")]
    pub rules: Vec<PathBuf>,
    /// Only enable rules with this tag (repeatable).
    #[arg(short = 't', long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Disable rules with this tag (repeatable).
    #[arg(short = 'T', long = "disable-tag", value_name = "TAG")]
    pub disable_tags: Vec<String>,
    /// Disable rules whose name contains this text or matches it as a regex (repeatable).
    #[arg(short = 'D', long = "disable", value_name = "RULE")]
    pub disable: Vec<String>,
    /// Only enable rules at or above this priority.
    #[arg(long, value_name = "P", value_parser = parse_priority)]
    pub min_priority: Option<Priority>,
    /// One JSON object per rule instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn parse_priority(s: &str) -> Result<Priority, String> {
    Priority::parse(s).ok_or_else(|| format!("unknown priority '{s}' (emergency, alert, critical, error, warning, notice, info, debug)"))
}

/// Runs `hindsight rules ...`.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Validate(a) => validate(a),
        Command::List(a) => list(a),
    }
}

fn validate(a: ValidateArgs) -> anyhow::Result<ExitCode> {
    let set = RuleSet::load(&a.paths);
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
    let mut loader = Loader::new();
    if a.rules.is_empty() {
        loader.add_str(DEFAULT_RULES_NAME, DEFAULT_RULES_YAML);
    }
    for p in &a.rules {
        loader.add_path(p);
    }
    let set = loader.finish();
    let errors: Vec<_> = set
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    for d in &errors {
        eprintln!("{d}");
    }
    let sel = RuleSelection {
        only_tags: a.tags,
        disabled_tags: a.disable_tags,
        disabled_names: a.disable,
        min_priority: a.min_priority,
    };
    let compiled = set.select(&sel);
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
