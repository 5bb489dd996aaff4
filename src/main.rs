//! The `hindsight` command line: argument parsing, printing and exit codes only.
//!
//! Every subcommand lives in `cmd/<name>.rs` as an `Args` struct (clap) and a `run` function;
//! the domain logic is in the library crates (`hindsight-format`, `hindsight-replay`,
//! `hindsight-capture`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

const EXIT_CODES: &str = "\
EXIT CODES:
    0  success (for `replay`: no alert at or above --fail-on)
    1  error: unreadable or invalid input (trace, rules, arguments that parse but make no sense)
    2  usage error (unknown option, missing argument)
    3  `replay --fail-on P`: at least one alert at or above priority P fired
    `test` and `diff` use 1 for a failed check and 2 for bad input (see their --help)
";

/// Capture-and-replay forensic analyzer for Linux runtime security.
///
/// hindsight records syscalls into compressed, seekable scap traces and replays any scap
/// capture (its own, sysdig's or Falco's) against Falco rule files.
#[derive(Parser)]
#[command(name = "hindsight", version, after_help = EXIT_CODES, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Summarise a trace: format, machine, time range, event counts, processes, damage.
    Info(cmd::info::Args),
    /// Convert between trace formats, chosen by extension (.scap.zst, .scap, .scap.gz).
    Convert(cmd::convert::Args),
    /// Merge captures of one host into one time-ordered trace, with their state merged.
    Merge(cmd::merge::Args),
    /// Write the socket payloads of a trace as packets to a pcapng file.
    ExportPcap(cmd::export_pcap::Args),
    /// Print events one per line, like `sysdig -r`.
    Print(cmd::print::Args),
    /// Load, validate and list Falco rule files.
    #[command(subcommand)]
    Rules(cmd::rules::Command),
    /// List the fields usable in conditions and output formats, like `falco --list`.
    Fields(cmd::fields::Args),
    /// Replay traces against Falco rules and write alerts (text, JSON lines, Parquet).
    Replay(cmd::replay::Args),
    /// Record syscalls with the eBPF probe into a trace (needs root).
    Record(cmd::record::Args),
    /// Run rule tests (*.test.yaml): replay their traces and check the expected alerts.
    Test(cmd::test::Args),
    /// Compare the alerts of two rule sets over the same traces, or of two JSON-lines runs.
    Diff(cmd::diff::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Trace paths may be object-storage URLs (s3://, gs://, az://, file://).
    hindsight_store::install();
    let result = match cli.command {
        Command::Info(a) => cmd::info::run(a),
        Command::Convert(a) => cmd::convert::run(a),
        Command::Merge(a) => cmd::merge::run(a),
        Command::Print(a) => cmd::print::run(a),
        Command::ExportPcap(a) => cmd::export_pcap::run(a),
        Command::Rules(c) => cmd::rules::run(c),
        Command::Fields(a) => cmd::fields::run(a),
        Command::Replay(a) => cmd::replay::run(a),
        Command::Record(a) => cmd::record::run(a),
        Command::Test(a) => cmd::test::run(a),
        Command::Diff(a) => cmd::diff::run(a),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("hindsight: error: {err:#}");
            let bad_input = err.downcast_ref::<cmd::InputError>().is_some();
            ExitCode::from(if bad_input { 2 } else { 1 })
        }
    }
}

/// A closed stdout (`hindsight print x | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
