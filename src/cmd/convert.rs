//! `hindsight convert IN OUT`: rewrites a trace in the format OUT's extension names
//! (`.scap.zst` native, `.scap` plain, `.scap.gz` gzip), keeping every event as it is.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
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

With --since/--until (same forms as `replay`: RFC 3339, ns since the epoch, +DURATION after
the first event), only the events with since <= time < until are written; the header blocks
are the input's, so a part that starts late is meant to be merged back (`hindsight merge`)
or replayed with the events before it.")]
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
    /// Keep only the events in this time window.
    #[command(flatten)]
    pub window: super::window::WindowArgs,
}

/// Runs `hindsight convert`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
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
            }
            Some(Item::Event(ev)) => {
                // Relative bounds count from the trace's first event.
                if !span
                    .get_or_insert_with(|| window.resolve(ev.ts))
                    .contains(ev.ts)
                {
                    continue;
                }
                out.event(&ev)?;
                if out.events.is_multiple_of(65536) {
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
    eprintln!("{events} events written to {}", args.output.display());
    Ok(ExitCode::SUCCESS)
}
