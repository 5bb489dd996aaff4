//! `hindsight record`: record syscalls with the eBPF probe into a trace (needs root).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

/// Arguments of `hindsight record`.
#[derive(clap::Args)]
pub struct Args {
    /// Output trace; the format follows the extension (.scap.zst native, .scap, .scap.gz).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// Stop after this long (e.g. 30s, 5m, 1h; plain numbers are seconds).
    #[arg(long, value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Record only this container (full or short id).
    #[arg(long, value_name = "ID")]
    container: Option<String>,
    /// Bytes of read/write/send/recv payload kept per event.
    #[arg(short = 's', long, default_value_t = 80)]
    snaplen: u32,
    /// Start a new file after this many MB (like sysdig -C).
    #[arg(short = 'C', value_name = "MB")]
    rotate_mb: Option<u64>,
    /// Start a new file every SECS seconds (like sysdig -G).
    #[arg(short = 'G', value_name = "SECS")]
    rotate_secs: Option<u64>,
    /// With -C or -G: keep only N files, reusing their names in a ring (like sysdig -W).
    #[arg(short = 'W', value_name = "N")]
    ring: Option<u32>,
    /// Record only these syscalls (comma-separated names).
    #[arg(long, value_delimiter = ',')]
    syscalls: Option<Vec<String>>,
    /// Docker Engine API socket for container metadata (default: podman's, then docker's).
    #[arg(long, value_name = "PATH")]
    api_socket: Option<PathBuf>,
    /// Record this command's process tree and stop when it exits; without it, the whole host
    /// until SIGINT/SIGTERM or --duration.
    #[arg(last = true, value_name = "COMMAND")]
    command: Vec<String>,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, ""), |i| s.split_at(i));
    let n: f64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (e.g. 30s, 5m, 1h)"))?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => {
            return Err(format!(
                "unknown unit `{unit}` in `{s}` (use ms, s, m or h)"
            ))
        }
    };
    Ok(Duration::from_secs_f64(secs))
}

/// Runs `hindsight record`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut cfg = hindsight_capture::RecordConfig::new(&args.output);
    cfg.duration = args.duration;
    cfg.container = args.container;
    cfg.snaplen = args.snaplen;
    cfg.rotation = hindsight_capture::Rotation {
        max_bytes: args.rotate_mb.map(|mb| mb * 1_000_000),
        max_age: args.rotate_secs.map(Duration::from_secs),
        ring: args.ring,
    };
    cfg.syscalls = args.syscalls;
    cfg.api_socket = args.api_socket;
    cfg.command = args.command;
    let s = hindsight_capture::record(&cfg)
        .with_context(|| format!("recording into {}", args.output.display()))?;
    let secs = s.elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "hindsight: recorded {} events in {:.2}s ({:.0} ev/s), {} dropped (buffer {}, too big {}), {} containers",
        s.events,
        secs,
        s.events as f64 / secs,
        s.probe.drops(),
        s.probe.drops_buffer,
        s.probe.drops_too_big,
        s.containers
    );
    eprintln!(
        "hindsight: {} bytes of events, {} bytes on disk (ratio {:.1}x) in {}",
        s.raw_bytes,
        s.file_bytes,
        s.ratio(),
        s.files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("5y").is_err());
        assert!(parse_duration("x").is_err());
    }
}
