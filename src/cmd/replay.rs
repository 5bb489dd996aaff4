//! `hindsight replay`: evaluate Falco rules over traces and write the alerts.
//!
//! Argument handling only: the traces come from [`traces::discover`], the rules from
//! `hindsight_replay::rules` (the bundled set of `hindsight_replay::bundled` without `-r`), the
//! matches from `hindsight_replay::engine`, and the formatting from the sinks of
//! `hindsight_replay::output`. Exit codes: 0 done, 1 bad input (unreadable trace or rules,
//! unwritable output), 3 when `--fail-on P` is given and an alert at or above `P` fired.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::sync::Arc;

use anyhow::Context;
use hindsight_replay::bundled::{DEFAULT_RULES_NAME, DEFAULT_RULES_YAML};
use hindsight_replay::engine::{Engine, EngineError, MatchMode as EngineMatch, TraceOutcome};
use hindsight_replay::output::{
    json::JsonSink, parquet::ParquetSink, text::TextSink, OutputFormat, Priority, Sink,
};
use hindsight_replay::rules::{CompiledRules, Loader, RuleSelection, Severity};
use indicatif::ProgressBar;
use rayon::prelude::*;

mod summary;
mod traces;

/// Exit code when `--fail-on` fired.
const EXIT_FAIL_ON: u8 = 3;

/// Which rules produce alerts for an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MatchMode {
    /// One alert per event, from the first matching rule in load order (Falco's default).
    First,
    /// One alert per matching rule.
    All,
}

/// Format of alerts written to stdout (an `-o` file's format follows its extension).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Falco's text lines, `time: Priority output`.
    Text,
    /// JSON lines in Falco's alert schema plus `trace` and `evt_num`.
    Json,
}

fn parse_priority(text: &str) -> Result<Priority, String> {
    Priority::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Priority::ALL.iter().map(|p| p.name()).collect();
        format!(
            "unknown priority {text:?}; expected one of {} (any case) or info",
            names.join(", ")
        )
    })
}

/// Arguments of `hindsight replay`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
    hindsight replay corpora/                        bundled rules, text alerts on stdout
    hindsight replay a.scap -r falco_rules.yaml -o alerts.parquet
    hindsight replay traces/ --fail-on warning       exit 3 if a Warning or worse fired")]
pub struct Args {
    /// Trace files, or directories searched recursively for *.scap, *.scap.gz, *.scap.zst.
    #[arg(required = true, value_name = "TRACE|DIR")]
    pub traces: Vec<PathBuf>,
    /// Falco rules file or directory; repeat to load several in order. Without it, the bundled
    /// default ruleset is used.
    #[arg(short = 'r', long = "rules", value_name = "RULES")]
    pub rules: Vec<PathBuf>,
    /// Only enable rules with this tag (repeatable; a rule needs one of them).
    #[arg(short = 't', long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Disable rules with this tag (repeatable).
    #[arg(short = 'T', long = "disable-tag", value_name = "TAG")]
    pub disable_tags: Vec<String>,
    /// Disable rules whose name contains this text, or matches it as a regex (repeatable).
    #[arg(short = 'D', long = "disable", value_name = "RULE")]
    pub disable: Vec<String>,
    /// Only load rules at or above this priority (emergency ... debug), like Falco's `priority`.
    #[arg(long, value_name = "P", value_parser = parse_priority)]
    pub min_priority: Option<Priority>,
    /// `first`: one alert per event from the first matching rule (Falco); `all`: every match.
    #[arg(long = "match", value_enum, default_value_t = MatchMode::First, value_name = "MODE")]
    pub match_mode: MatchMode,
    /// Format of alerts on stdout; with -o the file's extension decides.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Write alerts to FILE: .parquet is Parquet, .jsonl/.json JSON lines, anything else text.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with code 3 when an alert at or above this priority fired (for CI).
    #[arg(long, value_name = "P", value_parser = parse_priority)]
    pub fail_on: Option<Priority>,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long = "threads", value_name = "N")]
    pub threads: Option<usize>,
    /// Do not print the summary on stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// Opens the sink chosen by `-o`/`--format`.
fn open_sink(args: &Args) -> anyhow::Result<Box<dyn Sink>> {
    let Some(path) = &args.output else {
        let stdout = BufWriter::new(std::io::stdout().lock());
        return Ok(match args.format {
            FormatArg::Text => Box::new(TextSink::new(stdout)),
            FormatArg::Json => Box::new(JsonSink::new(stdout)),
        });
    };
    let target = path.display().to_string();
    Ok(match OutputFormat::for_path(path) {
        OutputFormat::Parquet => Box::new(ParquetSink::create(path)?),
        OutputFormat::Json => Box::new(JsonSink::with_target(create(path)?, target)),
        OutputFormat::Text => Box::new(TextSink::with_target(create(path)?, target)),
    })
}

fn create(path: &Path) -> anyhow::Result<BufWriter<File>> {
    let file = File::create(path).with_context(|| {
        format!(
            "cannot create output file {}; check that its directory exists and is writable",
            path.display()
        )
    })?;
    Ok(BufWriter::new(file))
}

/// Runs `hindsight replay`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.threads == Some(0) {
        anyhow::bail!("-j/--threads must be at least 1");
    }
    let traces = traces::discover(&args.traces)?;
    let mode = match args.match_mode {
        MatchMode::First => EngineMatch::First,
        MatchMode::All => EngineMatch::All,
    };
    let engine = Engine::new(Arc::new(load_rules(&args)?), mode);
    let mut summary = summary::Summary::new();
    let total_bytes: u64 = traces
        .iter()
        .filter_map(|t| std::fs::metadata(t).ok())
        .map(|m| m.len())
        .sum();
    let bar = summary::progress(total_bytes, !args.quiet);
    let mut sink = open_sink(&args)?;
    sink.begin()?;
    let replayed = replay_all(&args, &engine, &traces, &mut *sink, &mut summary, &bar);
    bar.finish_and_clear();
    sink.end()?;
    if !args.quiet {
        let mut err = std::io::stderr().lock();
        // The summary is informative; failing to print it must not fail the run.
        let _ = summary.write(&mut err);
        let _ = err.flush();
    }
    replayed?;
    let fired = match (args.fail_on, summary.most_urgent()) {
        (Some(threshold), Some(worst)) => worst <= threshold,
        _ => false,
    };
    Ok(if fired {
        ExitCode::from(EXIT_FAIL_ON)
    } else {
        ExitCode::SUCCESS
    })
}

/// Loads the rules of `-r` (or the bundled set) and applies the selection options.
fn load_rules(args: &Args) -> anyhow::Result<CompiledRules> {
    let mut loader = Loader::new();
    if args.rules.is_empty() {
        loader.add_str(DEFAULT_RULES_NAME, DEFAULT_RULES_YAML);
    } else {
        for path in &args.rules {
            loader.add_path(path);
        }
    }
    let set = loader.finish();
    let mut errors = 0;
    for d in set.diagnostics() {
        match d.severity {
            Severity::Error => {
                errors += 1;
                eprintln!("{d}");
            }
            Severity::Warning if !args.quiet => eprintln!("{d}"),
            Severity::Warning => {}
        }
    }
    if errors > 0 {
        anyhow::bail!(
            "the rules have {errors} error{}; fix them (`hindsight rules validate` lists them all)",
            if errors == 1 { "" } else { "s" }
        );
    }
    let selection = RuleSelection {
        only_tags: args.tags.clone(),
        disabled_tags: args.disable_tags.clone(),
        disabled_names: args.disable.clone(),
        min_priority: args.min_priority,
    };
    Ok(set.select(&selection))
}

/// Replays every trace (in parallel on `threads` workers), then writes their alerts in input
/// order, each trace's in event order. A trace that cannot be read is reported and the others
/// still run; the run then fails with exit code 1.
fn replay_all(
    args: &Args,
    engine: &Engine,
    traces: &[PathBuf],
    sink: &mut dyn Sink,
    summary: &mut summary::Summary,
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        pool = pool.num_threads(n);
    }
    let pool = pool.build().context("cannot start the worker threads")?;
    let outcomes: Vec<Result<TraceOutcome, EngineError>> = pool.install(|| {
        traces
            .par_iter()
            .map(|t| {
                let res = engine.replay_file(t);
                bar.inc(std::fs::metadata(t).map_or(0, |m| m.len()));
                res
            })
            .collect()
    });
    let mut failed = Vec::new();
    for (trace, outcome) in traces.iter().zip(outcomes) {
        match outcome {
            Ok(o) => {
                summary.traces += 1;
                summary.events += o.events;
                for w in o.warnings {
                    summary.warning(format!("{}: {w}", trace.display()));
                }
                for alert in &o.alerts {
                    summary.alert(alert);
                    sink.alert(alert)?;
                }
            }
            Err(e) => failed.push(e.to_string()),
        }
    }
    match failed.len() {
        0 => Ok(()),
        1 => anyhow::bail!("{}", failed[0]),
        n => anyhow::bail!(
            "{n} traces could not be replayed:\n  {}",
            failed.join("\n  ")
        ),
    }
}
