//! `hindsight diff`: what changes in the alerts when the rules change. Either evaluates a
//! baseline and a candidate rule set over the same traces (one pass per trace for both) or
//! compares two JSON-lines runs of `hindsight replay --format json`, and reports the alerts
//! lost, gained and changed, grouped per rule, as text, Markdown or JSON.
//!
//! * [`runs`]: where the two sides come from.
//! * [`compare`]: the differences, keyed by (trace, evt.num) and rule.
//! * [`render`]: the reports.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::replay::MatchMode;
use super::{input, traces};
use compare::Kind;

pub mod compare;
pub mod render;
pub mod runs;

/// Report format on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Counts, then each kind of difference per rule with examples.
    Text,
    /// Tables, for a pull-request comment.
    Markdown,
    /// One JSON document with every difference.
    Json,
}

/// Which differences fail the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Alerts the baseline had and the candidate lost.
    Lost,
    /// Alerts only the candidate has.
    Gained,
    /// Any difference, changed alerts included.
    Any,
}

/// Arguments of `hindsight diff`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Two modes:
    --baseline/--candidate given: INPUTS are traces (files or directories); both rule sets
        are evaluated over every trace, in one pass per trace.
    neither given: INPUTS are two JSON-lines files from `hindsight replay --format json`
        (baseline first), compared by trace, evt_num and rule.
An alert is lost (baseline only), gained (candidate only) or changed (same event, another
rule or another output).

Examples:
    hindsight diff -b old.yaml -c new.yaml corpora/
    hindsight diff -b falco_rules.yaml -c falco_rules.yaml -c local.yaml traces/ --format markdown
    hindsight diff -b old.yaml -c new.yaml corpora/ --fail-on lost    exit 1 if detections were lost
    hindsight diff before.jsonl after.jsonl --format json

Exit codes:
    0  no difference of the kind --fail-on names (always 0 without --fail-on)
    1  --fail-on: such a difference exists
    2  usage or load error: bad arguments, unreadable trace or alerts file, rules with errors")]
pub struct Args {
    /// Traces or directories (with --baseline/--candidate), or two JSON-lines alert files.
    #[arg(required = true, value_name = "TRACE|DIR|RUN.jsonl")]
    pub inputs: Vec<PathBuf>,
    /// Baseline rules file or directory; repeat to load several in order.
    #[arg(
        short = 'b',
        long = "baseline",
        value_name = "RULES",
        requires = "candidate"
    )]
    pub baseline: Vec<PathBuf>,
    /// Candidate rules file or directory; repeat to load several in order.
    #[arg(
        short = 'c',
        long = "candidate",
        value_name = "RULES",
        requires = "baseline"
    )]
    pub candidate: Vec<PathBuf>,
    /// `first`: one alert per event (Falco); `all`: every matching rule (both sides).
    #[arg(long = "match", value_enum, default_value_t = MatchMode::First, value_name = "MODE")]
    pub match_mode: MatchMode,
    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Exit with code 1 when a difference of this kind exists.
    #[arg(long, value_enum, value_name = "KIND")]
    pub fail_on: Option<FailOn>,
    /// Compare only shard K of N of the traces (every N-th trace file, 1-based); the
    /// differences of shards 1/N..N/N together are those of one run.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<hindsight_replay::engine::work::Shard>,
}

/// Runs `hindsight diff`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (baseline, candidate) = if args.baseline.is_empty() {
        let [a, b] = args.inputs.as_slice() else {
            return input(Err(anyhow::anyhow!(
                "without --baseline/--candidate, give exactly two JSON-lines alert files \
                 (baseline first); got {} input{}",
                args.inputs.len(),
                super::plural(args.inputs.len() as u64)
            )));
        };
        (input(runs::read_jsonl(a))?, input(runs::read_jsonl(b))?)
    } else {
        let mut traces = input(traces::discover(&args.inputs))?;
        if let Some(shard) = args.shard {
            let mut position = 0;
            traces.retain(|_| {
                position += 1;
                shard.owns(position - 1)
            });
        }
        let base = input(runs::load_rules("baseline", &args.baseline))?;
        let cand = input(runs::load_rules("candidate", &args.candidate))?;
        input(runs::evaluate(base, cand, args.match_mode.into(), &traces))?
    };
    let diffs = compare::compare(&baseline, &candidate);
    let report = render::Report {
        baseline_alerts: baseline.len(),
        candidate_alerts: candidate.len(),
        diffs: &diffs,
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        FormatArg::Text => render::write_text(&mut out, &report)?,
        FormatArg::Markdown => render::write_markdown(&mut out, &report)?,
        FormatArg::Json => render::write_json(&mut out, &report)?,
    }
    out.flush()?;
    let failed = match args.fail_on {
        None => false,
        Some(FailOn::Lost) => report.count(Kind::Lost) > 0,
        Some(FailOn::Gained) => report.count(Kind::Gained) > 0,
        Some(FailOn::Any) => !diffs.is_empty(),
    };
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
