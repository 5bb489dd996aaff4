//! `hindsight merge IN... -o OUT`: one time-ordered trace from several captures of the same
//! host. The header state of the inputs (threads, fd tables, users, groups, interfaces) is
//! merged by `hindsight_format::merge::merge_headers` (union; the later capture's entry wins),
//! the events are interleaved by timestamp by its streaming k-way `Merger`, and the output is
//! written like `convert` writes (format by extension, checkpoints in native chunks, 0600).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use hindsight_format::merge::{merge_headers, MergeError, Merger};
use hindsight_format::writer::encode_header;
use hindsight_format::TraceReader;

use super::trace_output::TraceOutput;

/// Arguments of `hindsight merge`.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
    hindsight merge morning.scap.gz afternoon.scap -o day.scap.zst
    hindsight merge ring/*.scap.zst -o incident.scap     one plain file sysdig -r reads
    hindsight merge a.scap b.scap -o ab.scap --mode 640

The inputs should be captures of one host (the same pid and fd namespaces). Their events
are interleaved by timestamp (ties keep input order) and renumbered; the merged header holds
the union of their threads, fd tables, users, groups and interfaces, the entry of the later
capture (later first event) winning for the same thread id, fd, user, group or interface.
Inputs are read as streams, one event each in memory. A capture with several sections is
merged with its first section's header; the others are reported with a warning.")]
pub struct Args {
    /// Input traces (plain, gzip or native; sniffed from their bytes), in any order.
    #[arg(required = true, num_args = 1.., value_name = "IN")]
    pub inputs: Vec<PathBuf>,
    /// Output trace: `.scap.zst` (native), `.scap` (plain) or `.scap.gz` (gzip).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: PathBuf,
    /// Uncompressed bytes of events per chunk of a native output.
    #[arg(long, default_value_t = hindsight_format::native::DEFAULT_CHUNK_SIZE)]
    pub chunk_size: usize,
    /// Permission bits of the output, in octal (traces hold secrets; the umask still applies).
    #[arg(long, value_name = "OCTAL", default_value = "600", value_parser = super::record::parse_mode)]
    pub mode: u32,
}

/// Runs `hindsight merge`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(same) = args
        .inputs
        .iter()
        .find(|i| same_file(i, &args.output).unwrap_or(false))
    {
        anyhow::bail!(
            "{}: the output is also an input; write the merge to another file",
            same.display()
        );
    }
    let readers = args
        .inputs
        .iter()
        .map(|p| TraceReader::open(p).with_context(|| format!("{}", p.display())))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // The library names an input by its index; the message names its file.
    let named = |e: MergeError| {
        let name = args
            .inputs
            .get(e.input)
            .map_or_else(String::new, |p| p.display().to_string());
        anyhow::Error::new(e.source).context(name)
    };
    let mut merger = Merger::new(readers).map_err(named)?;
    let header = merge_headers(&merger.headers_in_time_order());
    let mut out = TraceOutput::create(
        &args.output,
        &encode_header(&header),
        &header,
        args.chunk_size,
        args.mode,
    )?;
    let written = (|| -> anyhow::Result<()> {
        while let Some(ev) = merger.next_event().map_err(named)? {
            out.event(&ev)?;
        }
        Ok(())
    })();
    if let Err(e) = written {
        // Do not leave a partial merge behind as if it were a result.
        drop(out);
        let _ = std::fs::remove_file(&args.output);
        return Err(e.context(format!("nothing written to {}", args.output.display())));
    }
    let events = out.events;
    out.finish()?;
    for (i, p) in args.inputs.iter().enumerate() {
        for w in merger.warnings(i) {
            eprintln!("hindsight: warning: {}: {w}", p.display());
        }
    }
    eprintln!(
        "{events} events from {} traces written to {} ({} threads, {} fd tables at start)",
        args.inputs.len(),
        args.output.display(),
        header.threads.len(),
        header.fds.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Whether `a` and `b` name the same existing file.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> std::io::Result<bool> {
    Ok(std::fs::canonicalize(a)? == std::fs::canonicalize(b)?)
}
