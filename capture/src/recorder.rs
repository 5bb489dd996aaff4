//! The recording loop: pre-filters, /proc snapshot of the recording's scope, probe records to
//! the output file (flushed every second), container metadata on first sight, drop counters,
//! rotation, and a clean stop (command exit, duration, SIGINT/SIGTERM).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use hindsight_probe::{CgroupFilter, Probe, ProbeConfig, Stats};

use crate::container::{self, locate, ContainerApi};
use crate::drops;
use crate::error::CaptureError;
use crate::flight::{AlertTrace, Flight, FlightConfig};
use crate::output::{Output, Rotation};
use crate::snapshot::{self, Scope};

/// Event types whose parameter 14 is the cgroups list (execve, execveat and clone family exits).
const CGROUP_EVENTS: [u16; 6] = [293, 331, 223, 225, 227, 335];

/// What to record and where.
#[derive(Clone, Debug)]
pub struct RecordConfig {
    /// Output file; the format follows the extension (`.scap.zst` native, `.scap`, `.scap.gz`).
    pub output: PathBuf,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Record only this container (id prefix, full id or name); waited for when not running.
    pub container: Option<String>,
    /// How long to wait for `container` to appear (`None`: until it does, or SIGINT/SIGTERM).
    pub wait_timeout: Option<Duration>,
    /// Progress messages (waiting for a container); `eprintln!` with a `hindsight:` prefix by
    /// default.
    pub notify: fn(&str),
    /// Bytes of I/O payload kept per event.
    pub snaplen: u32,
    /// File rotation.
    pub rotation: Rotation,
    /// Record this command's process tree and stop when it exits (empty: the whole host).
    pub command: Vec<String>,
    /// Record only these syscalls (probe table names); all when `None`.
    pub syscalls: Option<Vec<String>>,
    /// No enter events where the exit can carry the enter's parameters
    /// ([`hindsight_probe::ProbeConfig::exit_only`]).
    pub exit_only: bool,
    /// Docker Engine API socket (default: discovered).
    pub api_socket: Option<PathBuf>,
    /// Uncompressed bytes per chunk of the native format.
    pub chunk_size: usize,
    /// Ring buffer size in bytes.
    pub ring_bytes: u32,
    /// Permission bits of the trace files (default 0600: traces hold secrets).
    pub mode: u32,
    /// Flight recorder: `output` is then a directory holding the ring of segments and the
    /// alert traces, and `rotation` is ignored (see [`crate::flight`]).
    pub flight: Option<FlightConfig>,
}

impl RecordConfig {
    /// A configuration with sysdig-like defaults writing to `output`.
    pub fn new(output: impl Into<PathBuf>) -> Self {
        RecordConfig {
            output: output.into(),
            duration: None,
            container: None,
            wait_timeout: None,
            notify: |m| eprintln!("hindsight: {m}"),
            snaplen: 80,
            rotation: Rotation::default(),
            command: Vec::new(),
            syscalls: None,
            exit_only: false,
            api_socket: None,
            chunk_size: 4 << 20,
            ring_bytes: 32 << 20,
            mode: hindsight_format::writer::DEFAULT_TRACE_MODE,
            flight: None,
        }
    }
}

/// What a recording produced.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Event records written (probe events plus container events).
    pub events: u64,
    /// The probe's counters (events produced, drops by cause).
    pub probe: Stats,
    /// The same counters per CPU, indexed by CPU number.
    pub per_cpu: Vec<Stats>,
    /// Uncompressed bytes of event records.
    pub raw_bytes: u64,
    /// Bytes on disk over all files.
    pub file_bytes: u64,
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Wall time recorded.
    pub elapsed: Duration,
    /// Containers described by container events.
    pub containers: usize,
    /// Exit code of the recorded command (`None` without a command or when killed).
    pub exit_code: Option<i32>,
    /// Flight recorder: the traces written for alerts.
    pub alert_traces: Vec<AlertTrace>,
}

impl Summary {
    /// Uncompressed over on-disk bytes.
    pub fn ratio(&self) -> f64 {
        if self.file_bytes == 0 {
            0.0
        } else {
            self.raw_bytes as f64 / self.file_bytes as f64
        }
    }
}

/// Records until the command exits, the duration passes or SIGINT/SIGTERM arrives.
///
/// With `container` set and the container not running yet, the probe is loaded first and
/// recording starts when the container's cgroup appears (see [`locate::wait`]); the duration
/// counts from then. The snapshot in each file's header is limited to the recording's scope.
pub fn record(cfg: &RecordConfig) -> Result<Summary, CaptureError> {
    if !hindsight_probe::signal::is_root() {
        return Err(CaptureError::NotRoot);
    }
    Probe::availability()?;
    let (base, rotation) = match &cfg.flight {
        Some(f) => {
            f.check()?;
            let base = crate::flight::segment_base(&cfg.output);
            if let Some(ring) = base.parent() {
                create_private_dir(ring)?;
            }
            (base, f.rotation())
        }
        None => (cfg.output.clone(), cfg.rotation.clone()),
    };
    if hindsight_format::OutputFormat::from_path(&base).is_none() {
        return Err(CaptureError::UnknownFormat(cfg.output.clone()));
    }
    let stop = hindsight_probe::signal::install_stop_flag();
    let api = ContainerApi::discover(cfg.api_socket.as_deref());
    // Names are looked up on every scan of a container not yet matched, so this takes the
    // cheap way: the API when one answers, else runc's state and podman's containers.json.
    let mut name_of = |id: &str| {
        api.as_ref()
            .and_then(|a| a.inspect(id))
            .and_then(|v| Some(v["Name"].as_str()?.trim_start_matches('/').to_string()))
            .or_else(|| container::ondisk::name(id))
            .filter(|n| !n.is_empty())
    };
    let sys_cgroup = Path::new("/sys/fs/cgroup");
    // A running container is filtered from the start; one not running yet is waited for with
    // the probe already attached (and filtering every task out), so that only the time between
    // two scans of the cgroup tree, not the probe's load time, passes unrecorded once its
    // cgroup appears.
    let mut waiting = None;
    let (cgroup, mut scope) = match &cfg.container {
        Some(query) => match locate::locate(sys_cgroup, query, &mut name_of) {
            Some(found) => (found.filter, Scope::Container(found.id)),
            None => {
                waiting = Some(query);
                (CgroupFilter::Pending, Scope::Host)
            }
        },
        None => (CgroupFilter::None, Scope::Host),
    };
    let probe_cfg = ProbeConfig {
        snaplen: cfg.snaplen,
        ring_bytes: cfg.ring_bytes,
        follow_trees: !cfg.command.is_empty(),
        cgroup,
        syscalls: cfg.syscalls.clone(),
        exit_only: cfg.exit_only,
    };
    let mut probe = Probe::load(&probe_cfg)?;
    if let Some(query) = waiting {
        let found = locate::wait(
            sys_cgroup,
            query,
            cfg.wait_timeout,
            stop,
            name_of,
            cfg.notify,
        )?;
        probe.set_cgroup(&found.filter)?;
        scope = Scope::Container(found.id);
    }
    let gate = Gate::new();
    let mut child = if cfg.command.is_empty() {
        None
    } else {
        Some(gate.spawn(&cfg.command)?)
    };
    if let Some(c) = &child {
        probe.follow(c.id())?;
        // The command's process exists already (held at the gate); the snapshot describes
        // it, its future children, and the recorder as its parent.
        scope = Scope::Tree {
            root: i64::from(c.id()),
            parent: i64::from(std::process::id()),
        };
    }

    let mut known: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let (header, snap_containers, decoded) = header_now(&scope);
    let mut out = Output::create(&base, rotation, cfg.chunk_size, cfg.mode, &header)?;
    let mut flight = cfg
        .flight
        .clone()
        .map(|f| Flight::new(f, &cfg.output, cfg.mode, cfg.chunk_size, &decoded));
    let notify = cfg.notify;
    let observe = |flight: &mut Option<Flight>, rec: &[u8], cpu: u16| {
        if let Some(f) = flight.as_mut() {
            for a in f.observe(rec, cpu) {
                notify(&format!("alert: {}: {}", a.rule, a.output));
            }
        }
    };
    let start = Instant::now();
    let now_ns = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    };
    for (id, ty) in snap_containers {
        if seen.insert(id.clone()) {
            let json =
                container::container_json(&id, ty, container::inspect(api.as_ref(), &id).as_ref());
            let ev = container::container_event(&json, now_ns());
            out.write(&ev, 0)?;
            observe(&mut flight, &ev, 0);
            known.push(json);
        }
    }
    gate.open();

    let mut drops_checked = Instant::now();
    let mut drops_noted = 0u64;
    let mut exit_code = None;
    let mut exited_at: Option<Instant> = None;
    let mut pending: Result<(), CaptureError> = Ok(());
    loop {
        probe.poll(Duration::from_millis(100), |rec| {
            if pending.is_err() {
                return;
            }
            pending = (|| {
                if let Some((id, ty)) = new_container(rec.event, &seen) {
                    let json = container::container_json(
                        &id,
                        ty,
                        container::inspect(api.as_ref(), &id).as_ref(),
                    );
                    let ts = u64::from_le_bytes(rec.event[0..8].try_into().unwrap_or_default());
                    let ev = container::container_event(&json, ts);
                    out.write(&ev, rec.cpu)?;
                    observe(&mut flight, &ev, rec.cpu);
                    seen.insert(id);
                    known.push(json);
                }
                out.write(rec.event, rec.cpu)?;
                observe(&mut flight, rec.event, rec.cpu);
                Ok(())
            })();
        })?;
        std::mem::replace(&mut pending, Ok(()))?;
        // New drops go into the trace at the next flush, so that even a killed recording
        // says what it lost.
        if drops_checked.elapsed() >= crate::output::FLUSH_EVERY {
            drops_checked = Instant::now();
            let per_cpu = probe.stats_per_cpu()?;
            let total = Stats::sum(&per_cpu).drops();
            if total != drops_noted {
                drops_noted = total;
                out.write(&drops::event(&per_cpu, now_ns()), 0)?;
            }
        }
        out.tick()?;
        if let Some(c) = child.as_mut() {
            if exited_at.is_none() {
                if let Ok(Some(status)) = c.try_wait() {
                    exit_code = status.code();
                    exited_at = Some(Instant::now());
                }
            }
        }
        // after the command exits, drain what is still in flight (procexit and friends)
        if exited_at.is_some_and(|t| t.elapsed() > Duration::from_millis(300)) {
            break;
        }
        if stop.load(Ordering::SeqCst) || cfg.duration.is_some_and(|d| start.elapsed() >= d) {
            if let Some(c) = child.as_mut() {
                let _ = c.kill();
                let _ = c.wait();
            }
            break;
        }
        if out.due() || flight.as_ref().is_some_and(|f| f.due(now_ns())) {
            // Each file ends with the counters so far.
            out.write(&drops::event(&probe.stats_per_cpu()?, now_ns()), 0)?;
            let (h, _, _) = header_now(&scope);
            let closed = out.path().to_path_buf();
            out.rotate(&h)?;
            if let Some(f) = flight.as_mut() {
                if let Some(t) = f.segment_closed(&closed, now_ns(), false)? {
                    notify(&format!("wrote {} ({} alerts)", t.path.display(), t.alerts));
                }
            }
            for json in &known {
                out.write(&container::container_event(json, now_ns()), 0)?;
            }
        }
    }
    probe.poll(Duration::from_millis(0), |rec| {
        let _ = out.write(rec.event, rec.cpu);
        observe(&mut flight, rec.event, rec.cpu);
    })?;
    let per_cpu = probe.stats_per_cpu()?;
    out.write(&drops::event(&per_cpu, now_ns()), 0)?;
    let stats = Stats::sum(&per_cpu);
    let (events, raw_bytes) = (out.events, out.raw_bytes);
    let last = out.path().to_path_buf();
    let mut files = out.finish()?;
    let mut alert_traces = Vec::new();
    if let Some(mut f) = flight {
        if let Some(t) = f.segment_closed(&last, now_ns(), true)? {
            notify(&format!("wrote {} ({} alerts)", t.path.display(), t.alerts));
        }
        files.retain(|p| p.exists());
        alert_traces = f.written;
    }
    let file_bytes = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    Ok(Summary {
        events,
        probe: stats,
        per_cpu,
        raw_bytes,
        file_bytes,
        files,
        elapsed: start.elapsed(),
        containers: seen.len(),
        exit_code,
        alert_traces,
    })
}

/// Creates `dir` (and its parents) readable by its owner only, as trace files are.
fn create_private_dir(dir: &Path) -> Result<(), CaptureError> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| {
            CaptureError::Flight(format!(
                "cannot create the directory {}: {e}; choose a writable -o DIR",
                dir.display()
            ))
        })
}

/// Header blocks of a fresh snapshot of `scope`, the containers its threads belong to, and
/// the snapshot itself.
fn header_now(
    scope: &Scope,
) -> (
    Vec<u8>,
    Vec<(String, u64)>,
    hindsight_format::header::TraceHeader,
) {
    let h = snapshot::take(Path::new("/proc"), Path::new("/etc"), scope);
    let mut containers: Vec<(String, u64)> = Vec::new();
    for t in &h.threads {
        if let Some(c) = container::id_from_cgroups(t.cgroups.iter().map(|(_, p)| p.as_slice())) {
            if !containers.contains(&c) {
                containers.push(c);
            }
        }
    }
    (hindsight_format::writer::encode_header(&h), containers, h)
}

/// The container of an execve/clone exit record, when not seen before.
fn new_container(record: &[u8], seen: &HashSet<String>) -> Option<(String, u64)> {
    let ty = u16::from_le_bytes(record.get(20..22)?.try_into().ok()?);
    if !CGROUP_EVENTS.contains(&ty) {
        return None;
    }
    let cgroups = param(record, 14)?;
    let paths = cgroups
        .split(|&b| b == 0)
        .filter_map(|item| item.iter().position(|&b| b == b'=').map(|i| &item[i + 1..]));
    let (id, ty) = container::id_from_cgroups(paths)?;
    (!seen.contains(&id)).then_some((id, ty))
}

/// Parameter `i` of a V2 record with u16 lengths.
fn param(record: &[u8], i: usize) -> Option<&[u8]> {
    let n = u32::from_le_bytes(record.get(22..26)?.try_into().ok()?) as usize;
    if i >= n {
        return None;
    }
    let lens = record.get(26..26 + 2 * n)?;
    let len_at = |k: usize| u16::from_le_bytes([lens[2 * k], lens[2 * k + 1]]) as usize;
    let start = 26 + 2 * n + (0..i).map(len_at).sum::<usize>();
    record.get(start..start + len_at(i))
}

/// Holds a spawned command before its `exec` until the probe follows it: the child is a shell
/// spinning on a builtin test of a file, then `exec`s the command (same pid, no extra process).
struct Gate {
    path: PathBuf,
}

impl Gate {
    fn new() -> Gate {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        Gate {
            path: std::env::temp_dir()
                .join(format!(".hindsight-gate-{}-{nanos}", std::process::id())),
        }
    }

    fn spawn(&self, command: &[String]) -> Result<Child, CaptureError> {
        let script = format!(
            "while [ ! -e '{}' ]; do :; done; exec \"$@\"",
            self.path.display()
        );
        Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .arg("hindsight-record")
            .args(command)
            .spawn()
            .map_err(|source| CaptureError::Spawn {
                command: command.join(" "),
                source,
            })
    }

    fn open(&self) {
        let _ = std::fs::write(&self.path, b"");
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_of_a_record() {
        let r = hindsight_format::EventBuilder::new(293, 0, 1)
            .i64(0)
            .str(b"x")
            .raw(b"")
            .build();
        assert_eq!(param(&r, 1), Some(&b"x\0"[..]));
        assert_eq!(param(&r, 2), Some(&b""[..]));
        assert_eq!(param(&r, 3), None);
        assert_eq!(param(&r[..20], 0), None);
    }

    #[test]
    fn container_of_an_exec_record() {
        let id = "a".repeat(64);
        let cg = format!("cpu=/libpod_parent/libpod-{id}\0pids=/x\0");
        let mut b = hindsight_format::EventBuilder::new(293, 0, 1);
        for _ in 0..14 {
            b.raw(b"");
        }
        b.raw(cg.as_bytes());
        let r = b.build();
        assert_eq!(
            new_container(&r, &HashSet::new()).map(|c| c.0),
            Some(id.clone())
        );
        assert_eq!(new_container(&r, &HashSet::from([id])), None);
    }
}
