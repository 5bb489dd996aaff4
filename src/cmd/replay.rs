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

use anyhow::Context;
use hindsight_replay::output::{
    json::JsonSink, parquet::ParquetSink, text::TextSink, OutputFormat, Priority, Sink,
};

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
    let mut summary = summary::Summary::new();
    let total_bytes: u64 = traces
        .iter()
        .filter_map(|t| std::fs::metadata(t).ok())
        .map(|m| m.len())
        .sum();
    let bar = summary::progress(total_bytes, !args.quiet);
    let mut sink = open_sink(&args)?;
    sink.begin()?;
    engine_glue::replay(&args, &traces, &mut *sink, &mut summary, &bar)?;
    sink.end()?;
    bar.finish_and_clear();
    if !args.quiet {
        let mut err = std::io::stderr().lock();
        // The summary is informative; failing to print it must not fail the run.
        let _ = summary.write(&mut err);
        let _ = err.flush();
    }
    let fired = match (args.fail_on, summary.most_urgent()) {
        (Some(threshold), Some(worst)) => worst.at_least(threshold),
        _ => false,
    };
    Ok(if fired {
        ExitCode::from(EXIT_FAIL_ON)
    } else {
        ExitCode::SUCCESS
    })
}

mod engine_glue {
    //! The connection to the rules loader and the engine (landing with them).

    use hindsight_replay::output::Sink;
    use indicatif::ProgressBar;

    use super::{summary::Summary, Args};

    pub fn replay(
        _args: &Args,
        _traces: &[std::path::PathBuf],
        _sink: &mut dyn Sink,
        _summary: &mut Summary,
        _bar: &ProgressBar,
    ) -> anyhow::Result<()> {
        anyhow::bail!("`hindsight replay` needs the replay engine, which has not landed yet")
    }
}
