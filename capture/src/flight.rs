//! The flight recorder: a rolling window of trace segments bounded on disk (by bytes or by
//! time), and, with trigger rules, one standalone trace per alert holding the history before
//! it and what followed.
//!
//! The recording is cut into segment files under `DIR/ring/` (each a complete native trace
//! whose header blocks are a fresh /proc snapshot, as rotation writes them); the oldest are
//! deleted once the rest still cover the window. Trigger rules are evaluated on the live
//! stream with `hindsight_replay`'s [`Engine`] and [`Replayer`], exactly as a replay would.
//! When an alert's `after` period has passed, the segments covering `[alert - before, now]`
//! are joined into `DIR/alert-<time>-<rule>.scap.zst`: the header blocks of the first
//! segment (the state at the window's start), then the events of each segment in order,
//! with a state checkpoint per chunk so the trace replays alone and in parallel. Alerts
//! that fall within a pending window share its trace.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hindsight_format::event::EventRef;
use hindsight_format::native::NativeOptions;
use hindsight_format::{Item, OutputFormat, TraceReader, TraceWriter};
use hindsight_replay::engine::checkpoint::Checkpointer;
use hindsight_replay::engine::{Engine, Replayer, Scratch};
use hindsight_replay::output::Alert;

use crate::error::CaptureError;
use crate::output::Rotation;

/// How much the ring keeps on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingLimit {
    /// At most about this many bytes of segment files.
    Bytes(u64),
    /// At least this much recent time, and not much more.
    Time(Duration),
}

/// Configuration of the flight recorder ([`crate::RecordConfig::flight`]).
#[derive(Clone, Debug)]
pub struct FlightConfig {
    /// The window kept on disk.
    pub limit: RingLimit,
    /// Rules evaluated on the live stream; each alert writes a trace. `None`: ring only.
    pub trigger: Option<Engine>,
    /// History kept before an alert in its trace.
    pub before: Duration,
    /// Time recorded after an alert before its trace is written.
    pub after: Duration,
}

impl FlightConfig {
    /// The segment rotation for this window: a tenth of it, and for a time window at most
    /// half of `before` (so an alert's trace starts at most that much earlier than asked),
    /// at least one second or one MiB.
    pub fn rotation(&self) -> Rotation {
        match self.limit {
            RingLimit::Bytes(b) => Rotation {
                max_bytes: Some((b / 10).max(1 << 20)),
                ..Rotation::default()
            },
            RingLimit::Time(d) => {
                let mut seg = d / 10;
                if !self.before.is_zero() {
                    seg = seg.min(self.before / 2);
                }
                Rotation {
                    max_age: Some(seg.max(Duration::from_secs(1))),
                    ..Rotation::default()
                }
            }
        }
    }

    /// Checks that a time window can hold an alert's `before` and `after` periods.
    pub fn check(&self) -> Result<(), CaptureError> {
        if let RingLimit::Time(d) = self.limit {
            let need = self.before + self.after;
            if self.trigger.is_some() && d < need {
                return Err(CaptureError::Flight(format!(
                    "the ring keeps {}s, less than --before plus --after ({}s); \
                     give --ring at least {}s",
                    d.as_secs_f64(),
                    need.as_secs_f64(),
                    need.as_secs_f64().ceil()
                )));
            }
        }
        Ok(())
    }
}

/// The base path of the segment files in `dir` (numbered by [`crate::output::numbered`]).
pub fn segment_base(dir: &Path) -> PathBuf {
    dir.join("ring").join("segment.scap.zst")
}

/// A closed segment file.
#[derive(Debug)]
struct Segment {
    path: PathBuf,
    /// Timestamp of its first event (0: none yet).
    first_ts: u64,
    bytes: u64,
}

/// An alert whose trace is still collecting its `after` period.
#[derive(Debug)]
struct Pending {
    /// Timestamp of the first alert.
    at: u64,
    /// When the trace is due (event time, ns since the epoch).
    until: u64,
    /// Rule of the first alert (names the file).
    rule: String,
    /// Alerts sharing the trace.
    alerts: usize,
}

/// Rules evaluated on the live stream.
struct Live {
    engine: Engine,
    rp: Replayer,
    scratch: Scratch,
    alerts: Vec<Alert>,
    num: u64,
}

/// A trace written for an alert.
#[derive(Clone, Debug)]
pub struct AlertTrace {
    /// The trace.
    pub path: PathBuf,
    /// Rule of the first alert.
    pub rule: String,
    /// Alerts it covers.
    pub alerts: usize,
}

/// The flight recorder's state, fed by the recording loop.
pub struct Flight {
    cfg: FlightConfig,
    dir: PathBuf,
    mode: u32,
    chunk_size: usize,
    closed: VecDeque<Segment>,
    open_first_ts: u64,
    live: Option<Live>,
    pending: Option<Pending>,
    /// Traces written for alerts, in order.
    pub written: Vec<AlertTrace>,
}

impl Flight {
    /// Starts a flight recorder writing into `dir`; `header` is the state the recording
    /// starts from (the first segment's header blocks, decoded).
    pub fn new(
        cfg: FlightConfig,
        dir: &Path,
        mode: u32,
        chunk_size: usize,
        header: &hindsight_format::header::TraceHeader,
    ) -> Flight {
        let live = cfg.trigger.clone().map(|engine| Live {
            engine,
            rp: Replayer::from_header(header),
            scratch: Scratch::default(),
            alerts: Vec::new(),
            num: 0,
        });
        Flight {
            cfg,
            dir: dir.to_path_buf(),
            mode,
            chunk_size,
            closed: VecDeque::new(),
            open_first_ts: 0,
            live,
            pending: None,
            written: Vec::new(),
        }
    }

    /// Follows one record written to the open segment: evaluates the trigger rules and
    /// opens (or extends) an alert window. Returns the alerts it raised.
    pub fn observe(&mut self, record: &[u8], cpu: u16) -> Vec<Alert> {
        let num = self.live.as_ref().map_or(0, |l| l.num + 1);
        let Ok(ev) = EventRef::parse_v2(record, num, cpu, 0) else {
            return Vec::new();
        };
        if self.open_first_ts == 0 {
            self.open_first_ts = ev.ts;
        }
        let Some(live) = self.live.as_mut() else {
            return Vec::new();
        };
        live.num = num;
        live.engine.evaluate(
            &mut live.rp,
            "live",
            &mut live.scratch,
            &mut live.alerts,
            &ev,
        );
        let raised = std::mem::take(&mut live.alerts);
        let after = self.cfg.after.as_nanos() as u64;
        for a in &raised {
            match self.pending.as_mut() {
                Some(p) if a.time_ns <= p.until => p.alerts += 1,
                _ => {
                    self.pending = Some(Pending {
                        at: a.time_ns,
                        until: a.time_ns.saturating_add(after),
                        rule: a.rule.clone(),
                        alerts: 1,
                    })
                }
            }
        }
        raised
    }

    /// Whether a pending alert's trace is due at `now_ns` (the open segment must then be
    /// closed, with [`Flight::segment_closed`], so that its events can be read back).
    pub fn due(&self, now_ns: u64) -> bool {
        self.pending.as_ref().is_some_and(|p| now_ns >= p.until)
    }

    /// Notes that the open segment `path` was closed (rotation or end of recording), writes
    /// the pending alert trace if due at `now_ns` (always when `last`), and deletes the
    /// segments no longer needed.
    pub fn segment_closed(
        &mut self,
        path: &Path,
        now_ns: u64,
        last: bool,
    ) -> Result<Option<AlertTrace>, CaptureError> {
        self.closed.push_back(Segment {
            path: path.to_path_buf(),
            first_ts: self.open_first_ts,
            bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
        });
        self.open_first_ts = 0;
        let mut done = None;
        if self.pending.is_some() && (last || self.due(now_ns)) {
            if let Some(p) = self.pending.take() {
                let t = self.write_alert_trace(&p)?;
                self.written.push(t.clone());
                done = Some(t);
            }
        }
        self.prune(now_ns);
        Ok(done)
    }

    /// Index of the newest closed segment that starts at or before `ts` (else the oldest).
    fn first_segment_for(&self, ts: u64) -> usize {
        self.closed
            .iter()
            .rposition(|s| s.first_ts != 0 && s.first_ts <= ts)
            .unwrap_or(0)
    }

    /// Deletes the oldest segments while the others still hold the window (and any pending
    /// alert's history).
    fn prune(&mut self, now_ns: u64) {
        let keep_from = self.pending.as_ref().map(|p| {
            let start = p.at.saturating_sub(self.cfg.before.as_nanos() as u64);
            self.first_segment_for(start)
        });
        loop {
            if self.closed.len() < 2 || keep_from.is_some_and(|k| k == 0) {
                break;
            }
            let drop_oldest = match self.cfg.limit {
                RingLimit::Bytes(limit) => self.closed.iter().map(|s| s.bytes).sum::<u64>() > limit,
                RingLimit::Time(d) => {
                    // The second oldest segment alone still reaches back far enough.
                    let second = self.closed[1].first_ts;
                    second != 0 && now_ns.saturating_sub(second) >= d.as_nanos() as u64
                }
            };
            if !drop_oldest {
                break;
            }
            if let Some(s) = self.closed.pop_front() {
                let _ = std::fs::remove_file(&s.path);
            }
            if keep_from.is_some() {
                // indices shifted; recompute on the next call rather than track them here
                break;
            }
        }
    }

    /// Joins the segments covering `p`'s window into one trace in `dir`.
    fn write_alert_trace(&self, p: &Pending) -> Result<AlertTrace, CaptureError> {
        let start = p.at.saturating_sub(self.cfg.before.as_nanos() as u64);
        let first = self.first_segment_for(start);
        let secs = p.at / 1_000_000_000;
        let rule: String = p
            .rule
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .take(48)
            .collect();
        let path = self.dir.join(format!("alert-{secs}-{rule}.scap.zst"));
        let werr = |source| CaptureError::Write {
            path: path.clone(),
            source,
        };
        let opts = NativeOptions {
            chunk_size: self.chunk_size,
            ..Default::default()
        };
        let mut w = TraceWriter::create_with_mode(&path, OutputFormat::Native, opts, self.mode)
            .map_err(werr)?;
        let mut checkpoints: Option<Checkpointer> = None;
        for seg in self.closed.iter().skip(first) {
            let mut r = TraceReader::open(&seg.path).map_err(|source| CaptureError::Read {
                path: seg.path.clone(),
                source,
            })?;
            if checkpoints.is_none() {
                w.write_header_blocks(r.header_blocks()).map_err(werr)?;
                checkpoints = Some(Checkpointer::new(r.header()));
            }
            let Some(cp) = checkpoints.as_mut() else {
                continue;
            };
            // A segment cut short (the recorder was killed) still gives its intact events.
            while let Ok(Some(item)) = r.next_item() {
                if let Item::Event(ev) = item {
                    if let TraceWriter::Native(n) = &mut w {
                        if n.at_chunk_start() {
                            n.set_checkpoint(cp.save());
                        }
                    }
                    w.write_event(&ev).map_err(werr)?;
                    cp.apply(&ev);
                }
            }
        }
        w.finish().map_err(werr)?;
        Ok(AlertTrace {
            path,
            rule: p.rule.clone(),
            alerts: p.alerts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_a_fraction_of_the_window() {
        let cfg = FlightConfig {
            limit: RingLimit::Time(Duration::from_secs(30)),
            trigger: None,
            before: Duration::from_secs(10),
            after: Duration::from_secs(5),
        };
        assert_eq!(cfg.rotation().max_age, Some(Duration::from_secs(3)));
        let bytes = FlightConfig {
            limit: RingLimit::Bytes(100 << 20),
            ..cfg.clone()
        };
        assert_eq!(bytes.rotation().max_bytes, Some(10 << 20));
        assert!(cfg.check().is_ok());
    }

    #[test]
    fn time_window_must_hold_before_and_after() {
        let rules = hindsight_replay::rules::Loader::new()
            .finish()
            .select(&Default::default());
        let cfg = FlightConfig {
            limit: RingLimit::Time(Duration::from_secs(10)),
            trigger: Some(Engine::new(
                std::sync::Arc::new(rules),
                hindsight_replay::engine::MatchMode::First,
            )),
            before: Duration::from_secs(10),
            after: Duration::from_secs(5),
        };
        let e = cfg.check().unwrap_err().to_string();
        assert!(e.contains("at least 15s"), "{e}");
    }
}
