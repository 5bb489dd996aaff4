//! `hindsight record`: record syscalls with the eBPF probe into a trace (needs root).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use hindsight_capture::flight::{FlightConfig, RingLimit};
use hindsight_replay::engine::{Engine, MatchMode};

/// Examples shown by `hindsight record --help`.
const EXAMPLES: &str = "Examples:
  hindsight record -o host.scap.zst --duration 1m
  hindsight record -o build.scap.zst -- make -j4
  hindsight record -o host.scap.zst --exit-only --duration 1m      half the events, for Falco 0.42+
  hindsight record --container web -o web.scap.zst
  hindsight record --ring 2G -o /var/lib/hindsight
  hindsight record --ring 30m -o /var/lib/hindsight --trigger rules.yaml --before 1m --after 10s";

/// Arguments of `hindsight record`.
#[derive(clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// Output trace; the format follows the extension (.scap.zst native, .scap, .scap.gz).
    /// With --ring: the directory of the ring's segments and of the alert traces.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// Stop after this long (e.g. 30s, 5m, 1h; plain numbers are seconds).
    #[arg(long, value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Record only this container (id, id prefix or name). When it is not running yet, wait
    /// for its first process and start recording then.
    #[arg(long, value_name = "ID|NAME")]
    container: Option<String>,
    /// With --container: give up when the container has not appeared after this long (e.g.
    /// 30s, 5m; 0 fails at once when it is not running). Default: wait until it appears.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, requires = "container")]
    wait_timeout: Option<Duration>,
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
    /// Write no enter events where the exit can carry the enter's parameters (most syscalls;
    /// not execve, the clone family and a few rare others, whose enters then come from their
    /// own tracepoints so that no other syscall is hooked at its enter): half the events and a
    /// lower probe cost, in the layout Falco 0.42+ reads and replays by default. Falco 0.41
    /// and earlier, sysdig and `--enter-events` expect enter events and see less in such a
    /// trace; `hindsight convert --enter-events` writes them back.
    #[arg(long)]
    exit_only: bool,
    /// Docker Engine API socket for container metadata (default: podman's, then docker's;
    /// `none`: read the runtime's files on disk only, which is also the fallback).
    #[arg(long, value_name = "PATH")]
    api_socket: Option<PathBuf>,
    /// Size of the probe's ring buffer (a power of two, at least 4096; K and M suffixes).
    /// Too small a buffer loses events under load (counted per CPU and cause).
    #[arg(long, value_name = "BYTES", default_value = "32M", value_parser = parse_size)]
    buffer_size: u32,
    /// Permission bits of the trace files, in octal (traces hold file contents, command lines
    /// and environment variables; the umask still applies).
    #[arg(long, value_name = "OCTAL", default_value = "600", value_parser = parse_mode)]
    mode: u32,
    /// Flight recorder: keep only a rolling window of the recording on disk, as segments
    /// under DIR/ring/ (-o names the directory DIR). SIZE (e.g. 500M, 2G) bounds the bytes,
    /// DURATION (e.g. 30s, 10m) the time kept.
    #[arg(long = "ring", value_name = "SIZE|DURATION", value_parser = parse_ring,
          conflicts_with_all = ["rotate_mb", "rotate_secs", "ring"])]
    flight: Option<RingLimit>,
    /// With --ring: evaluate these Falco rules (file or directory; repeatable) on the live
    /// stream, and for each alert write `DIR/alert-<time>-<rule>.scap.zst` holding --before of
    /// history and --after of what followed; `hindsight replay` replays it alone.
    #[arg(long = "trigger", value_name = "RULES", requires = "flight")]
    trigger: Vec<PathBuf>,
    /// With --trigger: history kept before an alert (the trace starts at the segment boundary
    /// before that point: up to half of it, or a tenth of the ring, earlier).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration, requires = "trigger")]
    before: Duration,
    /// With --trigger: time recorded after an alert before its trace is written; alerts in
    /// that time share the trace.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration, requires = "trigger")]
    after: Duration,
    /// Record this command's process tree and stop when it exits; without it, the whole host
    /// until SIGINT/SIGTERM or --duration.
    #[arg(last = true, value_name = "COMMAND")]
    command: Vec<String>,
}

/// A byte size: a power of two from 4096 to 1G, with an optional K or M suffix.
fn parse_size(s: &str) -> Result<u32, String> {
    let (num, mul) = match s.strip_suffix(['K', 'k']) {
        Some(n) => (n, 1u64 << 10),
        None => match s.strip_suffix(['M', 'm']) {
            Some(n) => (n, 1 << 20),
            None => (s, 1),
        },
    };
    let n = num
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mul))
        .filter(|n| n.is_power_of_two() && (4096..=1 << 30).contains(n));
    n.map(|n| n as u32).ok_or_else(|| {
        format!("`{s}` is not a power of two between 4096 and 1G bytes (e.g. 64K, 32M)")
    })
}

/// An octal permission mode such as `600` or `0640`.
pub fn parse_mode(s: &str) -> Result<u32, String> {
    let digits = s.strip_prefix("0o").unwrap_or(s);
    match u32::from_str_radix(digits, 8) {
        Ok(m) if m <= 0o777 => Ok(m),
        _ => Err(format!(
            "`{s}` is not an octal permission mode between 000 and 777 (e.g. 600 or 640)"
        )),
    }
}

/// A ring size (`500M`, `2G`: bytes, with a K, M or G suffix) or a duration (`30s`, `10m`).
fn parse_ring(s: &str) -> Result<RingLimit, String> {
    let bytes = |num: &str, mul: u64| {
        num.parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(mul))
            .filter(|&n| n > 0)
    };
    let size = match s.char_indices().last() {
        Some((i, 'K' | 'k')) => bytes(&s[..i], 1 << 10),
        Some((i, 'M')) => bytes(&s[..i], 1 << 20),
        Some((i, 'G' | 'g')) => bytes(&s[..i], 1 << 30),
        _ => None,
    };
    if let Some(n) = size {
        return Ok(RingLimit::Bytes(n));
    }
    match parse_duration(s) {
        Ok(d) if !d.is_zero() => Ok(RingLimit::Time(d)),
        _ => Err(format!(
            "`{s}` is neither a size (e.g. 500M, 2G) nor a duration (e.g. 30s, 10m)"
        )),
    }
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
    cfg.wait_timeout = args.wait_timeout;
    cfg.snaplen = args.snaplen;
    cfg.rotation = hindsight_capture::Rotation {
        max_bytes: args.rotate_mb.map(|mb| mb * 1_000_000),
        max_age: args.rotate_secs.map(Duration::from_secs),
        ring: args.ring,
    };
    cfg.syscalls = args.syscalls;
    cfg.exit_only = args.exit_only;
    cfg.api_socket = args.api_socket;
    cfg.command = args.command;
    cfg.mode = args.mode;
    cfg.ring_bytes = args.buffer_size;
    if let Some(limit) = args.flight {
        let trigger = if args.trigger.is_empty() {
            None
        } else {
            let mut warnings: u64 = 0;
            let rules = super::selection::RuleArgs {
                rules: args.trigger.clone(),
                tags: Vec::new(),
                disable_tags: Vec::new(),
                disable: Vec::new(),
                min_priority: None,
            }
            .compile(|d| {
                if d.severity == hindsight_replay::rules::Severity::Error {
                    eprintln!("{d}");
                } else {
                    warnings += 1;
                }
            })
            .context("loading the --trigger rules")?;
            if warnings > 0 {
                eprintln!(
                    "hindsight: the --trigger rules have {warnings} warning{} \
                     (`hindsight rules validate` lists them)",
                    super::plural(warnings)
                );
            }
            Some(Engine::new(std::sync::Arc::new(rules), MatchMode::First))
        };
        cfg.flight = Some(FlightConfig {
            limit,
            trigger,
            before: args.before,
            after: args.after,
        });
    }
    let s = hindsight_capture::record(&cfg)
        .with_context(|| format!("recording into {}", args.output.display()))?;
    let secs = s.elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "hindsight: recorded {} events in {:.2}s ({:.0} ev/s), {} dropped{}, {} containers",
        s.events,
        secs,
        s.events as f64 / secs,
        s.probe.drops(),
        hindsight_capture::drops::describe(&s.per_cpu),
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
    for t in &s.alert_traces {
        eprintln!(
            "hindsight: alert trace {} ({}, {} alert{})",
            t.path.display(),
            t.rule,
            t.alerts,
            if t.alerts == 1 { "" } else { "s" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::{parse_duration, parse_mode};
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("5y").is_err());
        assert!(parse_duration("x").is_err());
    }

    #[test]
    fn ring_limits() {
        use hindsight_capture::flight::RingLimit;
        assert_eq!(super::parse_ring("2G").unwrap(), RingLimit::Bytes(2 << 30));
        assert_eq!(
            super::parse_ring("500M").unwrap(),
            RingLimit::Bytes(500 << 20)
        );
        assert_eq!(
            super::parse_ring("30s").unwrap(),
            RingLimit::Time(Duration::from_secs(30))
        );
        assert_eq!(
            super::parse_ring("10m").unwrap(),
            RingLimit::Time(Duration::from_secs(600))
        );
        assert!(super::parse_ring("0").is_err());
        assert!(super::parse_ring("5q")
            .unwrap_err()
            .contains("neither a size"));
    }

    #[test]
    fn modes() {
        assert_eq!(parse_mode("600").unwrap(), 0o600);
        assert_eq!(parse_mode("0640").unwrap(), 0o640);
        assert!(parse_mode("800").is_err());
        assert!(parse_mode("7777").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(super::parse_size("32M").unwrap(), 32 << 20);
        assert_eq!(super::parse_size("4096").unwrap(), 4096);
        assert!(super::parse_size("3000").is_err());
        assert!(super::parse_size("2048").is_err());
        assert!(super::parse_size("99999999999M").is_err());
    }
}
