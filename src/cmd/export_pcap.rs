//! `hindsight export-pcap TRACE -o FILE.pcapng`: the socket payloads of a trace as packets.
//!
//! Argument handling only; the replay and the frames are `hindsight_replay::pcap`'s.
//! A trace without network payload gives an empty but valid capture and says so.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::plural;

/// Arguments of `hindsight export-pcap`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Each read or write of captured bytes on an IPv4/IPv6 TCP or UDP socket becomes one synthetic
Ethernet frame (IP and TCP/UDP headers with correct lengths and checksums, TCP sequence numbers
advancing per direction): writes go from the socket's local end to its remote end, reads the
other way. Frames carry the event's timestamp and the comment `proc.name pid container.id`.
Payloads hold what the capture kept (its snap length), not necessarily the whole transfer.

Examples:
    hindsight export-pcap curl.scap -o curl.pcapng
    tcpdump -r curl.pcapng -A                   the payloads as text
    tshark -r curl.pcapng -T fields -e frame.comment")]
pub struct Args {
    /// Trace to export (plain, gzip or native).
    #[arg(value_name = "TRACE")]
    pub trace: PathBuf,
    /// The pcapng file to write.
    #[arg(short = 'o', long = "output", value_name = "FILE.pcapng")]
    pub output: PathBuf,
}

/// Runs `hindsight export-pcap`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let file = File::create(&args.output).with_context(|| {
        format!(
            "cannot create {}; check that its directory exists and is writable",
            args.output.display()
        )
    })?;
    let sum = hindsight_replay::pcap::export(&args.trace, BufWriter::new(file))
        .with_context(|| format!("exporting {}", args.output.display()))?;
    for w in &sum.warnings {
        eprintln!("hindsight: warning: {}: {w}", args.trace.display());
    }
    if sum.packets == 0 {
        eprintln!(
            "{}: no network payload in {} event{} (no read or write with captured bytes on a TCP or UDP socket); {} is an empty capture",
            args.trace.display(),
            sum.events,
            plural(sum.events),
            args.output.display()
        );
    } else {
        eprintln!(
            "{} packet{} ({} payload bytes of {} transferred, {} connection{}, {} network namespace{}) written to {}",
            sum.packets,
            plural(sum.packets),
            sum.payload_bytes,
            sum.transferred_bytes,
            sum.connections,
            plural(sum.connections as u64),
            sum.interfaces,
            plural(sum.interfaces as u64),
            args.output.display()
        );
    }
    if sum.cut > 0 {
        eprintln!(
            "hindsight: warning: {} payload{} longer than one frame were cut",
            sum.cut,
            plural(sum.cut)
        );
    }
    Ok(ExitCode::SUCCESS)
}
