//! `hindsight print`: one line per event, like `sysdig -r`, with sysdig's filter language
//! (the rule condition language, macros and lists from `-r` files usable) and `-p` formats.
//! The state (threads, fds, users, containers) is rebuilt as the trace is read, so names
//! are those sysdig prints. It shows sysdig's view (every enter and exit event) unless
//! `--libs-view` asks for the one current Falco's rules see.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use hindsight_replay::engine::filter::PrintFilter;
use hindsight_replay::engine::print::{print_trace, PrintOptions};
use hindsight_replay::engine::{PrintFormat, DEFAULT_FORMAT, SEGMENT_MIN};

use super::view::VIEWS_HELP;
use super::window::{WindowArgs, WINDOW_HELP};

/// Arguments of `hindsight print`.
#[derive(clap::Args)]
#[command(after_help = format!("\
Examples:
    hindsight print a.scap 'proc.name = cat and evt.type = openat'    enter and exit lines
    hindsight print a.scap --libs-view 'evt.type = openat'            what Falco 0.42+ rules see
    hindsight print a.scap.zst --since +10s --until +12s              two seconds, 10 s in
    hindsight print a.scap --since 2024-01-02T03:04:05.5Z 'proc.name = sh'

`hindsight print` shows sysdig's view by default, as `sysdig -r` does (--enter-events says so
explicitly); --libs-view prints current libs' view instead, the default of `hindsight replay`.

{WINDOW_HELP}

{VIEWS_HELP}"))]
pub struct Args {
    /// Trace to print (plain, gzip or native).
    pub trace: PathBuf,
    /// A filter in the rule condition language (`proc.name = cat and evt.type = open`);
    /// several words are joined with spaces, as sysdig does.
    pub filter: Vec<String>,
    /// Output format in sysdig's `-p` syntax: `%field`, `%field[arg]`, `%(field)`. A line is
    /// printed only when every field has a value unless the format starts with `*`; missing
    /// values print as `<NA>`.
    #[arg(short = 'p', long = "format")]
    pub format: Option<String>,
    /// Rule files whose lists and macros the filter may use (repeatable).
    #[arg(short = 'r', long = "rules")]
    pub rules: Vec<PathBuf>,
    /// One JSON object per event (the `-p` fields, or sysdig's default set) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print every enter and exit event, numbered as sysdig numbers them (the default: this
    /// flag only says so explicitly).
    #[arg(long, conflicts_with = "libs_view")]
    pub enter_events: bool,
    /// Print current libs' view instead (Falco 0.42+, what `hindsight replay` shows rules by
    /// default): no enter events of syscalls, `evt.num` counting only the events that remain.
    #[arg(long)]
    pub libs_view: bool,
    /// The time window whose events are printed.
    #[command(flatten)]
    pub window: WindowArgs,
    /// Worker threads (default: one per core). A native trace's chunks are printed in
    /// parallel from their checkpoints; a plain trace of 8 MiB or more in byte segments,
    /// each worker skimming the events before its own; a gzip trace is read by one thread.
    /// The output is the same bytes with any number of threads.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

/// The fields of the default JSON event object (sysdig `-j`).
const JSON_DEFAULT: &[&str] = &[
    "evt.cpu",
    "evt.dir",
    "evt.info",
    "evt.num",
    "evt.time",
    "evt.type",
    "proc.name",
    "thread.tid",
];

/// Runs `hindsight print`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let format = PrintFormat::parse(args.format.as_deref().unwrap_or(DEFAULT_FORMAT))?;
    let json_fields = args.json.then(|| match &args.format {
        Some(_) => format.field_names(),
        None => JSON_DEFAULT.iter().map(|s| (*s).to_owned()).collect(),
    });
    let filter = PrintFilter::compile(&args.filter.join(" "), &args.rules)?;
    let opts = PrintOptions {
        format,
        json_fields,
        libs_view: args.libs_view,
        window: args.window.window(),
        segment_min: SEGMENT_MIN,
    };
    let stdout = std::io::stdout();
    // Unlocked: `install` runs the print on a worker thread.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        pool = pool.num_threads(n);
    }
    let pool = pool.build().context("cannot start the worker threads")?;
    let summary = pool
        .install(|| print_trace(&args.trace, &|c| filter.matches(c), &opts, &mut out))
        .with_context(|| args.trace.display().to_string())?;
    out.flush()?;
    for w in &summary.warnings {
        eprintln!("hindsight: warning: {}: {w}", args.trace.display());
    }
    Ok(ExitCode::SUCCESS)
}
