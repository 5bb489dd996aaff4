//! `hindsight convert IN OUT`: rewrites a trace in the format OUT's extension names
//! (`.scap.zst` native, `.scap` plain, `.scap.gz` gzip), keeping every event as it is.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use hindsight_format::native::NativeOptions;
use hindsight_format::{Item, OutputFormat, TraceReader, TraceWriter};

/// Arguments of `hindsight convert`.
#[derive(clap::Args)]
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
}

/// Runs `hindsight convert`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let format = OutputFormat::from_path(&args.output).with_context(|| {
        format!(
            "{}: unknown output extension; use .scap.zst, .scap or .scap.gz",
            args.output.display()
        )
    })?;
    let mut reader =
        TraceReader::open(&args.input).with_context(|| format!("{}", args.input.display()))?;
    let opts = NativeOptions {
        chunk_size: args.chunk_size.max(4096),
        ..NativeOptions::default()
    };
    let mut writer = TraceWriter::create_with_mode(&args.output, format, opts, args.mode)
        .with_context(|| format!("cannot create {}", args.output.display()))?;
    writer.write_header_blocks(reader.header_blocks())?;
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let mut events = 0u64;
    // Native outputs get a state checkpoint per chunk, so chunks replay independently.
    let mut checkpoints = hindsight_replay::engine::checkpoint::Checkpointer::new(reader.header());
    loop {
        let item = reader
            .next_item()
            .with_context(|| format!("{}", args.input.display()))?;
        match item {
            None => break,
            Some(Item::NewSection) => {
                let raw = reader.header_blocks().to_vec();
                writer.new_section(&raw)?;
                checkpoints.new_section(reader.header());
            }
            Some(Item::Event(ev)) => {
                if let TraceWriter::Native(w) = &mut writer {
                    if w.at_chunk_start() {
                        w.set_checkpoint(checkpoints.save());
                    }
                }
                writer.write_event(&ev)?;
                checkpoints.apply(&ev);
                events += 1;
                if events.is_multiple_of(65536) {
                    bar.set_message(format!("{events} events, {} MiB", reader.offset() >> 20));
                    bar.tick();
                }
            }
        }
    }
    writer
        .finish()
        .with_context(|| format!("writing {}", args.output.display()))?;
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
