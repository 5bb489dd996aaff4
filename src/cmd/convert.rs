//! `hindsight convert IN OUT`: rewrites a trace in the format OUT's extension names
//! (`.scap.zst` native, `.scap` plain, `.scap.gz` gzip), keeping every event as it is, or
//! with `--enter-events` writing back the enter events an exit-only trace left out
//! (`hindsight_format::enters`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use hindsight_format::enters::{EnterRestorer, Restored};
use hindsight_format::{Item, TraceReader};

use super::trace_output::TraceOutput;

/// Arguments of `hindsight convert`.
#[derive(clap::Args)]
#[command(after_help = "\
Examples:
    hindsight convert a.scap.gz a.scap.zst                  seekable native trace
    hindsight convert a.scap.zst a.scap                     plain scap for sysdig -r
    hindsight convert a.scap a-first.scap --until +30s      the first 30 s (header as is)
    hindsight convert a.scap a-rest.scap --since +30s       the rest
    hindsight convert exit-only.scap.zst old.scap --enter-events
                                                            for sysdig 0.29, Falco <= 0.41

With --since/--until (same forms as `replay`: RFC 3339, ns since the epoch, +DURATION after
the first event), only the events with since <= time < until are written; the header blocks
are the input's, so a part that starts late is meant to be merged back (`hindsight merge`)
or replayed with the events before it.

With --enter-events, each exit that carries its enter's parameters but has no enter event
before it (a `record --exit-only` trace, or another trace in current libs' exit-only layout)
is written as the enter and exit events sysdig 0.29 reads: the enter of sysdig 0.29's event
table with its parameters taken from the exit, stamped just before it, then the exit with
the parameters sysdig 0.29 reads. Exits that have their enter (execve and the clone family
in a `record --exit-only` trace) and their enters are cut to the parameters sysdig 0.29
reads; every other event is written as it is. A trace that has its enter events is written
as it is.")]
pub struct Args {
    /// Input trace (plain, gzip or native; sniffed from its bytes).
    pub input: PathBuf,
    /// Output trace: `.scap.zst` (native), `.scap` (plain) or `.scap.gz` (gzip).
    pub output: PathBuf,
    /// Uncompressed bytes of events per chunk of a native output.
    #[arg(long, default_value_t = hindsight_format::native::DEFAULT_CHUNK_SIZE)]
    pub chunk_size: usize,
    /// Permission bits of the output, in octal (traces hold secrets; the umask still applies).
    #[arg(long, value_name = "OCTAL", default_value = "600", value_parser = super::record::parse_mode)]
    pub mode: u32,
    /// Write the enter event back before each exit that carries its parameters but has no
    /// enter (an exit-only trace), in the layout sysdig 0.29 reads: the view of sysdig,
    /// Falco 0.41 and earlier and `--enter-events`.
    #[arg(long)]
    pub enter_events: bool,
    /// Keep only the events in this time window.
    #[command(flatten)]
    pub window: super::window::WindowArgs,
}

/// Whether the trace at `path` was written without enter events
/// ([`EnterRestorer::shows_exit_only`]): read until an event shows it, or to its end. A trace
/// with its enters is left as it is, even where a call began before the capture and its
/// exit alone is in it.
fn exit_only(path: &Path) -> anyhow::Result<bool> {
    let mut reader = TraceReader::open(path).with_context(|| format!("{}", path.display()))?;
    let mut scan = EnterRestorer::new();
    while let Some(item) = reader
        .next_item()
        .with_context(|| format!("{}", path.display()))?
    {
        match item {
            Item::NewSection => scan.new_section(),
            Item::Event(ev) if scan.shows_exit_only(&ev) => return Ok(true),
            Item::Event(_) => {}
        }
    }
    Ok(false)
}

/// Runs `hindsight convert`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Whether to restore enters is decided for the whole trace, before the output is
    // created: an exit alone is no proof (a trace with enters has some, whose call began
    // before the capture or whose enter was dropped), so the trace is read up to its first
    // exit in a layout sysdig 0.29 never writes, or to its end (then it has its enters and
    // is written as it is).
    let mut enters = None;
    if args.enter_events {
        if exit_only(&args.input)? {
            enters = Some(EnterRestorer::new());
        } else {
            eprintln!(
                "{}: the trace has its enter events: written as it is",
                args.input.display()
            );
        }
    }
    let mut reader =
        TraceReader::open(&args.input).with_context(|| format!("{}", args.input.display()))?;
    let mut out = TraceOutput::create(
        &args.output,
        reader.header_blocks(),
        reader.header(),
        args.chunk_size,
        args.mode,
    )?;
    let window = args.window.window();
    let mut span = None;
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    loop {
        let item = reader
            .next_item()
            .with_context(|| format!("{}", args.input.display()))?;
        match item {
            None => break,
            Some(Item::NewSection) => {
                let raw = reader.header_blocks().to_vec();
                out.new_section(&raw, reader.header())?;
                if let Some(r) = &mut enters {
                    r.new_section();
                }
            }
            Some(Item::Event(ev)) => {
                // Relative bounds count from the trace's first event.
                if !span
                    .get_or_insert_with(|| window.resolve(ev.ts))
                    .contains(ev.ts)
                {
                    continue;
                }
                let before = out.events;
                let restored = enters.as_mut().map(|r| r.push(&ev)).transpose();
                match restored.context("internal error: a restored enter does not parse back")? {
                    Some(Restored::Pair { enter, exit }) => {
                        out.event(&enter)?;
                        out.event(&exit)?;
                    }
                    Some(Restored::Cut(cut)) => out.event(&cut)?,
                    Some(Restored::Keep) | None => out.event(&ev)?,
                }
                // An event may be written as two: tick when a multiple of 65536 is passed.
                if before >> 16 != out.events >> 16 {
                    bar.set_message(format!(
                        "{} events, {} MiB",
                        out.events,
                        reader.offset() >> 20
                    ));
                    bar.tick();
                }
            }
        }
    }
    let events = out.events;
    out.finish()?;
    bar.finish_and_clear();
    for w in reader.warnings() {
        eprintln!("hindsight: warning: {}: {w}", args.input.display());
    }
    if events == 0 && !reader.warnings().is_empty() {
        // Nothing could be read: do not leave an empty trace behind as if it were a result.
        let _ = std::fs::remove_file(&args.output);
        anyhow::bail!(
            "{}: no event could be read: the trace is damaged (see the warnings); nothing written",
            args.input.display()
        );
    }
    match &enters {
        Some(r) => eprintln!(
            "{events} events written to {} ({} enter events written back)",
            args.output.display(),
            r.restored
        ),
        None => eprintln!("{events} events written to {}", args.output.display()),
    }
    Ok(ExitCode::SUCCESS)
}
