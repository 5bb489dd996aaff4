//! `hindsight replay`: evaluate Falco rules over traces and write the alerts.
//!
//! Argument handling only: the traces come from [`super::traces::discover`], the rules from
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
use hindsight_replay::engine::work::{self, Shard};
use hindsight_replay::engine::{Engine, EngineError, MatchMode as EngineMatch, TraceOutcome};
use hindsight_replay::output::{
    json::JsonSink,
    ocsf::OcsfSink,
    parquet::ParquetSink,
    partition::{PartitionKey, PartitionedSink},
    text::TextSink,
    OutputFormat, Priority, Sink,
};
use hindsight_replay::rules::{CompiledRules, Severity};

use super::profile::{ProfileReport, PROFILE_HELP};
use super::selection::{parse_priority, RuleArgs};
use super::traces;
use super::view::{ViewArgs, VIEWS_HELP};
use super::window::{WindowArgs, WINDOW_HELP};
use hindsight_store::ENV_HELP as STORE_HELP;
use indicatif::ProgressBar;
use rayon::prelude::*;

mod summary;

/// Exit code when `--fail-on` fired.
const EXIT_FAIL_ON: u8 = 3;

/// Which rules produce alerts for an event (`--match`, and `options.match` of a test file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// One alert per event, from the first matching rule in load order (Falco's default).
    #[default]
    First,
    /// One alert per matching rule.
    All,
}

impl From<MatchMode> for EngineMatch {
    fn from(m: MatchMode) -> EngineMatch {
        match m {
            MatchMode::First => EngineMatch::First,
            MatchMode::All => EngineMatch::All,
        }
    }
}

/// Format of alerts written to stdout (an `-o` file's format follows its extension).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// Falco's text lines, `time: Priority output`.
    Text,
    /// JSON lines in Falco's alert schema plus `trace` and `evt_num`.
    Json,
}

/// Schema of the alert records (`--schema`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaArg {
    /// Falco's alert schema (text, JSON lines) or hindsight's Parquet columns.
    #[default]
    Falco,
    /// OCSF Detection Finding (class_uid 2004) objects, as JSON lines.
    Ocsf,
}

/// Arguments of `hindsight replay`.
#[derive(clap::Args, Debug)]
#[command(after_help = format!("\
Examples:
    hindsight replay corpora/                        bundled rules, text alerts on stdout
    hindsight replay a.scap -r falco_rules.yaml -o alerts.parquet
    hindsight replay traces/ --fail-on warning       exit 3 if a Warning or worse fired
    hindsight replay corpora/ -q --summary s.json    counts per rule, process, container, time
    hindsight replay big.scap.zst --shard 2/4 -o part2.jsonl   this process's quarter of the work
    hindsight replay traces/ --list-work             the work units as JSON lines, for a scheduler
    hindsight replay t.scap.zst --chunks 3..4 -o ds/ --partition-by rule --part 8/20
                                     one unit as listed (unit 7 of 20), named after it
    hindsight replay a.scap --schema ocsf -o findings.jsonl   OCSF Detection Findings
    hindsight replay traces/ -o ds/ --partition-by date,host,rule --shard 1/4
                                     ds/date=2026-12-04/host=web-1/rule=.../part-1-of-4.parquet
    hindsight replay a.scap -r old_rules.yaml --enter-events   rules see enter events (Falco 0.41)
    hindsight replay corpora/ -q --profile           per-rule cost table on stderr
    hindsight replay corpora/ --profile --summary s.json   the table also as `profile` in s.json
    hindsight replay big.scap.zst --since +1m30s --until +2m   alerts of 30 s, earlier chunks unread
    hindsight replay a.scap --since 2024-01-02T03:04:05Z       alerts from that time on
    AWS_ENDPOINT_URL=http://127.0.0.1:9000 AWS_ALLOW_HTTP=true \\
      hindsight replay s3://traces/2026-12-04/ --shard 3/8 -o s3://alerts/part3.parquet
                                     traces listed under a prefix, alerts uploaded

{PROFILE_HELP}

{WINDOW_HELP}

{VIEWS_HELP}

{STORE_HELP}"))]
pub struct Args {
    /// Trace files, or directories searched recursively for *.scap, *.scap.gz, *.scap.zst;
    /// URLs (s3://, gs://, az://, file://) of traces or of prefixes listed for traces.
    #[arg(required = true, value_name = "TRACE|DIR|URL")]
    pub traces: Vec<PathBuf>,
    /// Rule files and rule selection.
    #[command(flatten)]
    pub select: RuleArgs,
    /// The view of the capture the rules see.
    #[command(flatten)]
    pub view: ViewArgs,
    /// The time window whose events are evaluated.
    #[command(flatten)]
    pub window: WindowArgs,
    /// `first`: one alert per event from the first matching rule (Falco); `all`: every match.
    #[arg(long = "match", value_enum, default_value_t = MatchMode::First, value_name = "MODE")]
    pub match_mode: MatchMode,
    /// Format of alerts on stdout; with -o the file's extension decides.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Write alerts to FILE: .parquet is Parquet, .jsonl/.json JSON lines, anything else text;
    /// with --partition-by, the dataset directory. A URL (s3://BUCKET/KEY...) is written
    /// locally, then uploaded when the run ends.
    #[arg(short = 'o', long = "output", value_name = "FILE|DIR|URL")]
    pub output: Option<PathBuf>,
    /// Write a Hive-partitioned Parquet dataset under -o DIR, by these keys in this order:
    /// `DIR/date=YYYY-MM-DD/host=H/rule=R/part-K-of-N.parquet` (K/N from --shard, else 1/1).
    #[arg(long, value_name = "KEYS", value_parser = parse_keys, requires = "output")]
    pub partition_by: Option<PartitionKeys>,
    /// Exit with code 3 when an alert at or above this priority fired (for CI).
    #[arg(long, value_name = "P", value_parser = parse_priority)]
    pub fail_on: Option<Priority>,
    /// Worker threads (default: one per core). Traces replay in parallel; within a trace, a
    /// checkpointed native trace's chunks run in parallel from their checkpoints, and a
    /// plain trace of 8 MiB or more in byte segments, each worker skimming the events
    /// before its own; a gzip trace is read by one thread. Alerts are the same with any
    /// number of threads.
    #[arg(short = 'j', long = "threads", value_name = "N")]
    pub threads: Option<usize>,
    /// Do not print the summary on stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Also write the summary as JSON to FILE: events, alerts per rule and priority, top
    /// processes and containers, alerts per time bucket, and `object_store` (every request
    /// made to object storage: `requests` with url, kind head|range|stream, start, end).
    #[arg(long, value_name = "FILE.json")]
    pub summary: Option<PathBuf>,
    /// Replay only shard K of N (1-based): every N-th work unit (a chunk of a native trace, a
    /// whole trace otherwise); N processes running shards 1/N..N/N give the alerts of one run.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// `ocsf`: write OCSF Detection Findings (class_uid 2004) as JSON lines instead of
    /// Falco's alerts (on stdout, or to -o FILE of any extension but .parquet).
    #[arg(long, value_enum, default_value_t = SchemaArg::Falco, value_name = "SCHEMA")]
    pub schema: SchemaArg,
    /// Replay only the work units of chunks A..B (half-open, as `chunks` of --list-work prints
    /// them; 0..1 for a trace that is one unit) of the one trace given: how a scheduler runs
    /// a unit without listing every trace again.
    #[arg(long, value_name = "A..B", conflicts_with_all = ["shard", "list_work"])]
    pub chunks: Option<ChunkRange>,
    /// Name the files of --partition-by `part-K-of-N.parquet` (default: from --shard, else
    /// 1/1); with --chunks, the unit's position, so units write side by side.
    #[arg(long, value_name = "K/N", requires = "partition_by")]
    pub part: Option<Shard>,
    /// Print the work units as JSON lines instead of replaying (with --shard only that
    /// shard's): `unit` (position; `--shard U+1/TOTAL`, or TRACE `--chunks A..B`, runs unit U alone), `trace`, `chunks`
    /// (half-open chunk range, null for a whole trace), `bytes`, `events` (null when
    /// unknown), `shard` (K/N under --shard).
    #[arg(long)]
    pub list_work: bool,
    /// Measure each rule: events it was evaluated on, matches, time spent; printed on stderr
    /// (even with -q) sorted by time, and added to --summary FILE.json as `profile`.
    #[arg(long)]
    pub profile: bool,
}

/// A `--chunks A..B` range: chunks A (included) to B (excluded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkRange {
    /// First chunk.
    pub start: usize,
    /// One past the last chunk.
    pub end: usize,
}

impl std::str::FromStr for ChunkRange {
    type Err = String;

    fn from_str(s: &str) -> Result<ChunkRange, String> {
        let bad = || format!("invalid chunk range `{s}`: expected A..B with A < B, e.g. 3..4");
        let (a, b) = s.split_once("..").ok_or_else(bad)?;
        let start: usize = a.trim().parse().map_err(|_| bad())?;
        let end: usize = b.trim().parse().map_err(|_| bad())?;
        if start >= end {
            return Err(bad());
        }
        Ok(ChunkRange { start, end })
    }
}

/// The keys of `--partition-by`, in order.
#[derive(Clone, Debug)]
pub struct PartitionKeys(pub Vec<PartitionKey>);

fn parse_keys(
    s: &str,
) -> Result<PartitionKeys, hindsight_replay::output::partition::PartitionKeyError> {
    PartitionKey::parse_list(s).map(PartitionKeys)
}

/// Opens the sink chosen by `-o`/`--format`, writing to `output` (the local file or
/// directory standing for `-o`).
fn open_sink(args: &Args, output: Option<&Path>) -> anyhow::Result<Box<dyn Sink>> {
    if args.schema == SchemaArg::Ocsf {
        return Ok(match output {
            None => Box::new(OcsfSink::with_target(
                BufWriter::new(std::io::stdout().lock()),
                "<stdout>",
            )),
            Some(path) => {
                if args.partition_by.is_some()
                    || OutputFormat::for_path(path) == OutputFormat::Parquet
                {
                    anyhow::bail!(
                        "--schema ocsf writes JSON lines; give -o a .jsonl file (not .parquet, not --partition-by)"
                    );
                }
                Box::new(OcsfSink::with_target(
                    create(path)?,
                    path.display().to_string(),
                ))
            }
        });
    }
    let Some(path) = output else {
        let stdout = BufWriter::new(std::io::stdout().lock());
        return Ok(match args.format {
            FormatArg::Text => Box::new(TextSink::new(stdout)),
            FormatArg::Json => Box::new(JsonSink::new(stdout)),
        });
    };
    if let Some(keys) = &args.partition_by {
        let shard = args
            .part
            .or(args.shard)
            .map_or((1, 1), |s| (s.index, s.count));
        return Ok(Box::new(PartitionedSink::new(path, keys.0.clone(), shard)));
    }
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
    if args.list_work {
        return list_work(&traces, args.shard);
    }
    let plan = match args.chunks {
        Some(range) => chunk_plan(&traces, range)?,
        None => plan(&traces, args.shard)?,
    };
    let engine = Engine::new(Arc::new(load_rules(&args)?), args.match_mode.into())
        .exits_only(!args.view.enter_events)
        .profile(args.profile)
        .window(args.window.window());
    let mut summary = summary::Summary::new();
    let mut profile = ProfileReport::default();
    let total_bytes: u64 = plan
        .iter()
        .filter_map(|(t, _)| std::fs::metadata(t).ok())
        .map(|m| m.len())
        .sum();
    let bar = summary::progress(total_bytes, !args.quiet);
    let remote = RemoteOutput::new(args.output.as_deref())?;
    let output = remote
        .as_ref()
        .map(RemoteOutput::local)
        .or(args.output.as_deref());
    let mut sink = open_sink(&args, output)?;
    sink.begin()?;
    let replayed = replay_all(
        &args,
        &engine,
        &plan,
        &mut *sink,
        (&mut summary, &mut profile),
        &bar,
    );
    bar.finish_and_clear();
    sink.end()?;
    drop(sink);
    if let Some(remote) = &remote {
        remote.upload(args.partition_by.is_some())?;
    }
    if !args.quiet {
        let mut err = std::io::stderr().lock();
        // The summary is informative; failing to print it must not fail the run.
        let _ = summary.write(&mut err);
        let _ = err.flush();
    }
    if args.profile {
        profile.print();
    }
    replayed?;
    if let Some(path) = &args.summary {
        let mut json = summary.to_json();
        if args.profile {
            json["profile"] = profile.to_json();
        }
        let requests = hindsight_store::read::stats();
        if !requests.is_empty() {
            json["object_store"] = object_store_json(&requests);
        }
        let text = serde_json::to_string_pretty(&json)? + "\n";
        std::fs::write(path, text).with_context(|| {
            format!(
                "cannot write summary file {}; check that its directory exists and is writable",
                path.display()
            )
        })?;
    }
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

/// An `-o` URL: the sink writes to a local temporary file (or directory, with
/// `--partition-by`) of the same name, uploaded when the run ends.
struct RemoteOutput {
    url: String,
    /// Removed when the run ends, after the upload.
    _dir: tempfile::TempDir,
    local: PathBuf,
}

impl RemoteOutput {
    /// `Some` when `output` is a URL.
    fn new(output: Option<&Path>) -> anyhow::Result<Option<RemoteOutput>> {
        let Some(url) = output.and_then(hindsight_format::location::url_of) else {
            return Ok(None);
        };
        // Fail before replaying when the URL or the store's configuration is wrong.
        hindsight_store::ObjectUrl::parse(url)?;
        let dir = tempfile::tempdir()
            .context("cannot create a temporary directory for the output before its upload")?;
        let name = url
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("out");
        let local = dir.path().join(if name.is_empty() { "out" } else { name });
        Ok(Some(RemoteOutput {
            url: url.to_string(),
            _dir: dir,
            local,
        }))
    }

    fn local(&self) -> &Path {
        &self.local
    }

    /// Uploads the finished output (every file of the dataset when `dataset`).
    fn upload(&self, dataset: bool) -> anyhow::Result<()> {
        if dataset {
            if self.local.exists() {
                hindsight_store::write::upload_dir(&self.local, &self.url)?;
            }
        } else {
            hindsight_store::write::upload_file(&self.local, &self.url)?;
        }
        Ok(())
    }
}

/// The `object_store` object of the summary: the requests made, by kind, and the bytes read.
fn object_store_json(requests: &[hindsight_store::read::Request]) -> serde_json::Value {
    let count = |kind: &str| requests.iter().filter(|r| r.kind == kind).count();
    let bytes: u64 = requests.iter().map(|r| r.end - r.start).sum();
    let list: Vec<serde_json::Value> = requests
        .iter()
        .map(|r| serde_json::json!({"url": r.url, "kind": r.kind, "start": r.start, "end": r.end}))
        .collect();
    serde_json::json!({
        "heads": count("head"),
        "ranges": count("range"),
        "streams": count("stream"),
        "bytes": bytes,
        "requests": list,
    })
}

/// `e` and its causes on one line, each cause once (messages that already quote their
/// cause are not repeated).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let msg = c.to_string();
        if !text.contains(&msg) {
            text.push_str(": ");
            text.push_str(&msg);
        }
        cause = c.source();
    }
    text
}

/// Which traces to replay and, under `--shard`, which of their units (chunk indices; 0 for
/// a trace that is one unit). Traces with no unit in the shard are left out.
fn plan(
    traces: &[PathBuf],
    shard: Option<Shard>,
) -> anyhow::Result<Vec<(PathBuf, Option<Vec<usize>>)>> {
    let Some(shard) = shard else {
        return Ok(traces.iter().map(|t| (t.clone(), None)).collect());
    };
    let mut position = 0;
    let mut plan = Vec::new();
    for t in traces {
        let mut mine = Vec::new();
        for chunk in 0..work::count(t)? {
            if shard.owns(position) {
                mine.push(chunk);
            }
            position += 1;
        }
        if !mine.is_empty() {
            plan.push((t.clone(), Some(mine)));
        }
    }
    Ok(plan)
}

/// `--chunks A..B`: the units of one trace.
fn chunk_plan(
    traces: &[PathBuf],
    range: ChunkRange,
) -> anyhow::Result<Vec<(PathBuf, Option<Vec<usize>>)>> {
    let [trace] = traces else {
        anyhow::bail!(
            "--chunks selects chunks of one trace, and {} were given; name one trace file or URL",
            traces.len()
        );
    };
    let units = work::count(trace)?;
    if range.end > units {
        anyhow::bail!(
            "--chunks {}..{}: {} has {units} work unit(s) (see --list-work)",
            range.start,
            range.end,
            trace.display()
        );
    }
    Ok(vec![(
        trace.clone(),
        Some((range.start..range.end).collect()),
    )])
}

/// `--list-work`: one JSON line per work unit (of `shard` only, when given).
fn list_work(traces: &[PathBuf], shard: Option<Shard>) -> anyhow::Result<ExitCode> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut position = 0;
    for t in traces {
        for u in work::units(t)? {
            let owner = shard.map(|s| Shard {
                index: position % s.count + 1,
                ..s
            });
            if shard.is_none_or(|s| s.owns(position)) {
                let line = serde_json::json!({
                    "unit": position,
                    "trace": u.trace.display().to_string(),
                    "chunks": u.chunk.map(|c| [c, c + 1]),
                    "bytes": u.bytes,
                    "events": u.events,
                    "shard": owner.map(|s| format!("{}/{}", s.index, s.count)),
                });
                writeln!(out, "{line}")?;
            }
            position += 1;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Loads the rules of `-r` (or the bundled set) and applies the selection options; errors are
/// printed, and warnings unless `-q`.
fn load_rules(args: &Args) -> anyhow::Result<CompiledRules> {
    args.select.compile_in_view(args.view.enter_events, |d| {
        if d.severity == Severity::Error || !args.quiet {
            eprintln!("{d}");
        }
    })
}

/// Replays every trace (in parallel on `threads` workers), then writes their alerts in input
/// order, each trace's in event order. A trace that cannot be read is reported and the others
/// still run; the run then fails with exit code 1.
fn replay_all(
    args: &Args,
    engine: &Engine,
    plan: &[(PathBuf, Option<Vec<usize>>)],
    sink: &mut dyn Sink,
    (summary, profile): (&mut summary::Summary, &mut ProfileReport),
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        pool = pool.num_threads(n);
    }
    let pool = pool.build().context("cannot start the worker threads")?;
    let outcomes: Vec<Result<TraceOutcome, EngineError>> = pool.install(|| {
        plan.par_iter()
            .map(|(t, only)| {
                let res = engine.replay_chunks(t, only.as_deref());
                bar.inc(std::fs::metadata(t).map_or(0, |m| m.len()));
                res
            })
            .collect()
    });
    let mut failed = Vec::new();
    for ((trace, _), outcome) in plan.iter().zip(outcomes) {
        match outcome {
            Ok(o) => {
                summary.traces += 1;
                summary.events += o.events;
                summary.chunks_decoded += o.decoded_chunks;
                summary.chunks_skipped += o.skipped_chunks;
                profile.add(engine.rules(), &o.profile);
                for w in o.warnings {
                    summary.warning(format!("{}: {w}", trace.display()));
                }
                for alert in &o.alerts {
                    summary.alert(alert);
                    sink.alert(alert)?;
                }
            }
            Err(e) => failed.push(chain(&e)),
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
