//! `hindsight test`: rule tests as data. Finds `*.test.yaml` files, replays each one's traces
//! against its rules (test files in parallel), checks the alerts against its `expect`/`allow`
//! items and reports in path order, as text, JSON or JUnit XML.
//!
//! * [`spec`]: the file format and how its paths resolve.
//! * [`check`]: alerts against items, closest alerts for the report.
//! * [`report`]: results and their renderings.
//! * [`update`]: `--update`, rewriting `expect` from the current alerts.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;
use hindsight_replay::engine::window::TimeWindow;
use hindsight_replay::engine::Engine;
use hindsight_replay::output::Alert;
use hindsight_replay::rules::Severity;
use rayon::prelude::*;

use super::files;
use super::profile::{ProfileReport, PROFILE_HELP};
use super::view::VIEWS_HELP;
use super::window::{WindowArgs, WINDOW_HELP};
use report::{Outcome, TestResult, Totals};

pub mod check;
pub mod report;
pub mod spec;
pub mod update;

/// Output format of the results on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// One line per test, details of failures below.
    Text,
    /// One JSON document: `{"tests": [...], "totals": {...}}`.
    Json,
}

/// Arguments of `hindsight test`.
#[derive(clap::Args, Debug)]
#[command(after_help = format!("\
Test file (*.test.yaml; paths relative to it):
    name: terminal shell in a container        # optional, default: the file name
    traces: [../corpora/lab_shell.scap.zst]    # files, directories or globs
    rules: [rules/lab_rules.yaml]              # files or directories, in order (none: bundled)
    options: {{match: all, tags: [], disabled_tags: [], disabled_rules: [],
              min_priority: debug, enter_events: false,   # enter_events: as --enter-events
              since: +5s, until: \"2024-01-02T03:04:05Z\"}}  # time window, see below
    expect:                                    # all must hold, counted over all traces
      - rule: Terminal shell in container
        count: 1                               # or min:/max:; default min: 1
        priority: Notice
        output_contains: shell=sh
        fields: {{proc.name: sh}}                # output fields, then the context fields
      - {{rule: Write below etc, count: 0}}      # must not fire
    allow: [{{rule: Read sensitive file untrusted}}]   # may fire beyond expect
    strict: true                               # any other alert fails the test

Examples:
    hindsight test corpora/                    every *.test.yaml below corpora/
    hindsight test tests/ --junit report.xml   JUnit XML for CI as well
    hindsight test shell.test.yaml --update    rewrite `expect` from the current alerts
    hindsight test old/ --enter-events         every test in sysdig's view (Falco 0.41)
    hindsight test corpora/ --profile          per-rule costs over every test, on stderr
    hindsight test corpora/ --since +1s        only alerts from 1 s into each trace

Exit codes:
    0  every test passed (or was updated)
    1  at least one test failed
    2  usage or load error: bad test file (file:line:col), unreadable trace, rules with errors

{PROFILE_HELP}
With `test`, the costs of a rule are added up over every test file that loads it.

{WINDOW_HELP}
With `test`, --since/--until replace the `since`/`until` of every test file's `options`;
relative times count from each trace's start.

{VIEWS_HELP}"))]
pub struct Args {
    /// Test files, or directories searched recursively for *.test.yaml.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Also write the results as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Format of the results on stdout.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    pub format: FormatArg,
    /// Rewrite each test file's `expect` from the current alerts (rule, count, priority),
    /// keeping the other keys; YAML comments are not kept.
    #[arg(long)]
    pub update: bool,
    /// Run only shard K of N of the test files (every N-th file in sorted order, 1-based);
    /// shards 1/N..N/N together run every test once.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<hindsight_replay::engine::work::Shard>,
    /// Show enter events to the rules of every test file, as `enter_events: true` in its
    /// `options` does for one: the view of Falco 0.41 and earlier and of sysdig.
    #[arg(long)]
    pub enter_events: bool,
    /// Measure each rule over all tests: events it was evaluated on, matches, time spent;
    /// printed on stderr after the results, most time first.
    #[arg(long)]
    pub profile: bool,
    /// The time window whose events are evaluated, for every test file.
    #[command(flatten)]
    pub window: WindowArgs,
}

fn is_test_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(spec::TEST_SUFFIX))
}

/// Runs `hindsight test`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut paths = super::input(files::expand(&args.paths, "test file", is_test_name))?;
    paths.sort();
    paths.dedup();
    if paths.is_empty() {
        return super::input(Err(anyhow::anyhow!(
            "no test file found in the given directories (they are searched for *{}); \
             name test files like shell{}",
            spec::TEST_SUFFIX,
            spec::TEST_SUFFIX
        )));
    }
    if let Some(shard) = args.shard {
        let mut position = 0;
        paths.retain(|_| {
            position += 1;
            shard.owns(position - 1)
        });
    }
    let profile = args.profile.then(|| Mutex::new(ProfileReport::default()));
    let results: Vec<TestResult> = paths
        .par_iter()
        .map(|p| run_one(p, &args, profile.as_ref()))
        .collect();
    let totals = Totals::of(&results, started.elapsed());
    let mut out = std::io::stdout().lock();
    match args.format {
        FormatArg::Text => report::write_text(&mut out, &results, &totals)?,
        FormatArg::Json => report::write_json(&mut out, &results, &totals)?,
    }
    out.flush()?;
    if let Some(profile) = profile {
        profile
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .print();
    }
    if let Some(path) = &args.junit {
        let mut xml = Vec::new();
        report::write_junit(&mut xml, &results, &totals)?;
        super::input(std::fs::write(path, xml).with_context(|| {
            format!(
                "cannot write JUnit file {}; check that its directory exists and is writable",
                path.display()
            )
        }))?;
    }
    Ok(if totals.errors > 0 {
        ExitCode::from(2)
    } else if totals.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Loads, replays and checks (or updates) one test file; `--enter-events` shows enter events
/// to its rules and `--since/--until` replace its window, whatever its `options` say; the
/// rules' costs are added to `profile` when given.
fn run_one(path: &Path, args: &Args, profile: Option<&Mutex<ProfileReport>>) -> TestResult {
    let update = args.update;
    let started = Instant::now();
    let (name, outcome) = match spec::load(path) {
        Err(e) => (spec::default_name(path), error(&e)),
        Ok(mut test) => {
            test.spec.options.enter_events |= args.enter_events;
            if args.window.since.is_some() {
                test.spec.options.since = args.window.since;
            }
            if args.window.until.is_some() {
                test.spec.options.until = args.window.until;
            }
            let outcome = match alerts_of(&test, profile) {
                Err(e) => error(&e),
                Ok(alerts) if update => match update::rewrite(path, &alerts) {
                    Ok(items) => Outcome::Updated { items },
                    Err(e) => error(&e),
                },
                Ok(alerts) => {
                    let failures = check::check(&test.spec, &alerts);
                    if failures.is_empty() {
                        Outcome::Pass {
                            alerts: alerts.len(),
                        }
                    } else {
                        Outcome::Fail { failures }
                    }
                }
            };
            (test.name, outcome)
        }
    };
    TestResult {
        file: path.to_path_buf(),
        name,
        time: started.elapsed(),
        outcome,
    }
}

fn error(e: &anyhow::Error) -> Outcome {
    Outcome::Error {
        message: format!("{e:#}"),
    }
}

/// The alerts of every trace of `test`, in trace order, each trace's in event order; with
/// `profile`, the rules' costs are measured and added to it.
fn alerts_of(
    test: &spec::TestFile,
    profile: Option<&Mutex<ProfileReport>>,
) -> anyhow::Result<Vec<Alert>> {
    let mut errors = Vec::new();
    let enter_events = test.spec.options.enter_events;
    let rules = test
        .rules
        .compile_in_view(enter_events, |d| {
            if d.severity == Severity::Error {
                errors.push(d.to_string());
            }
        })
        .map_err(|e| anyhow::anyhow!("{}: {e}:\n{}", test.path.display(), errors.join("\n")))?;
    let engine = Engine::new(Arc::new(rules), test.spec.options.match_mode.into())
        .exits_only(!enter_events)
        .profile(profile.is_some())
        .window(TimeWindow {
            since: test.spec.options.since,
            until: test.spec.options.until,
        });
    let mut alerts = Vec::new();
    for outcome in engine.replay_paths(&test.traces) {
        let outcome = outcome.with_context(|| format!("{}: cannot replay", test.path.display()))?;
        if let Some(profile) = profile {
            profile
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .add(engine.rules(), &outcome.profile);
        }
        alerts.extend(outcome.alerts);
    }
    Ok(alerts)
}
