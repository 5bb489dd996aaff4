//! Parallel replay of a plain scap trace, which carries no checkpoints to start a worker
//! from: the trace is cut into byte segments, one per worker, and every worker reads the
//! trace from its start, applying the events before its segment to the state only
//! ([`Replayer::skim`]: no fields, no rules), then replaying its own segment in full.
//!
//! Invariants:
//! - An event belongs to the segment holding the stream offset at which its read began
//!   ([`TraceReader::offset`] before [`TraceReader::next_item`]). Every worker reads the
//!   same stream, so every worker assigns every event to the same segment: each event is
//!   evaluated exactly once, by one worker, after the same state as a sequential replay.
//! - Skimming leaves the state as a full replay does ([`crate::state::State::apply_unread`]),
//!   so the alerts, concatenated in segment order, are those of a sequential replay.
//! - A worker reports the reader's warnings whose offset lies in its own segment: each is
//!   reported once.
//!
//! Where a segment ends is decided while the workers run ([`Handoff`]). Skimming costs part
//! of a replay, a part that depends on the rules, the trace and the machine, so fixed
//! segments leave one worker idle while the other finishes. Instead worker k + 1 skims until
//! what is left after its position, shared with the workers after it, takes no longer to
//! replay than what worker k has left before that position; it starts there, and worker k
//! stops there. The decision is taken under a lock that worker k takes once per step of
//! bytes, so worker k never replays an event past the boundary: it replays only below the
//! offset it was last granted, and the boundary is never set below a grant.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use hindsight_format::event::EventRef;
use hindsight_format::{DecodeError, Item, TraceReader, Warning};

use super::replay::{Engine, EngineError, TraceOutcome};
use super::replayer::Replayer;

/// The boundary between worker k (the left side, replaying up to it) and worker k + 1 (the
/// right side, skimming up to it).
#[derive(Debug, Default)]
struct Boundary {
    /// Worker k may replay the events whose offset is below this without asking again;
    /// `None` until it starts replaying, `u64::MAX` once it has read to the end.
    granted: Option<u64>,
    /// Where worker k + 1 starts replaying, once decided.
    at: Option<u64>,
}

/// The boundaries of `workers` segments of one plain trace, decided as the workers run.
/// Share it between the workers, each calling [`Handoff::run`] with its index.
#[derive(Debug)]
pub struct Handoff {
    len: u64,
    workers: usize,
    /// Bytes between two grants, progress reports and decisions.
    step: u64,
    /// `bounds[k]` lies between worker k and worker k + 1.
    bounds: Vec<Mutex<Boundary>>,
    /// How far each worker has replayed, reported once per step.
    progress: Vec<AtomicU64>,
}

/// What a worker read of its segment.
#[derive(Debug, Default)]
pub struct SegmentEnd {
    /// Events of the segment.
    pub events: u64,
    /// The reader's warnings about bytes of the segment.
    pub warnings: Vec<Warning>,
}

impl Handoff {
    /// The boundaries of a stream of about `len` bytes (a longer stream still ends in the
    /// last segment) for `workers` workers.
    pub fn new(len: u64, workers: usize) -> Handoff {
        let workers = workers.max(1);
        Handoff {
            len,
            workers,
            // About a thousand decisions over the trace; never a lock per event.
            step: (len / 1024).clamp(4096, 1 << 20),
            bounds: (1..workers).map(|_| Mutex::default()).collect(),
            progress: (0..workers).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// How many workers share the trace.
    pub fn workers(&self) -> usize {
        self.workers
    }

    fn bound(&self, k: usize) -> Option<std::sync::MutexGuard<'_, Boundary>> {
        // A worker that panicked holding the lock changed nothing half-way: the data stays
        // usable (and the panic reaches the caller through its own worker).
        self.bounds
            .get(k)
            .map(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Worker `k`, replaying and about to read at `at`: the offset it may replay below
    /// without asking again, and where its segment ends if that is decided.
    fn grant(&self, k: usize, at: u64) -> (u64, Option<u64>) {
        match self.bound(k) {
            None => (u64::MAX, None),
            Some(mut b) => match b.at {
                Some(end) => (u64::MAX, Some(end)),
                None => {
                    let until = at.saturating_add(self.step);
                    b.granted = Some(until);
                    (until, None)
                }
            },
        }
    }

    /// Whether worker `k` (k >= 1), skimming at `at`, starts its segment there: when its
    /// share of what is left takes no longer than what worker k - 1 still has to replay up
    /// to `at`, and worker k - 1 may not yet replay past it.
    fn start_here(&self, k: usize, at: u64) -> bool {
        let left = self.progress[k - 1].load(Ordering::Relaxed);
        let share = self.len.saturating_sub(at) / (self.workers - k) as u64;
        if at.saturating_sub(left) < share {
            return false;
        }
        let Some(mut b) = self.bound(k - 1) else {
            return false;
        };
        match b.granted {
            Some(g) if g <= at => {
                b.at = Some(at);
                true
            }
            _ => false,
        }
    }

    /// Worker `k` starts replaying at `lo`: the worker after it may decide its boundary from
    /// there on.
    fn started(&self, k: usize, lo: u64) {
        self.progress[k].store(lo, Ordering::Relaxed);
        if let Some(mut b) = self.bound(k) {
            b.granted = Some(lo);
        }
    }

    /// Worker `k` read to the end while replaying: nothing is left for the worker after it.
    fn finished(&self, k: usize) {
        if let Some(mut b) = self.bound(k) {
            if b.at.is_none() {
                b.granted = Some(u64::MAX);
            }
        }
    }

    /// Worker `k`: reads `path` from its start, skims the events before its segment, and
    /// hands each event of its segment, applied to nothing yet, to `f` with the timestamp
    /// of the trace's first event (`f` applies it, usually with [`Replayer::advance`]).
    /// Stops at the first event past the segment.
    pub fn run<E>(
        &self,
        k: usize,
        path: &Path,
        decode: impl Fn(DecodeError) -> E,
        mut f: impl FnMut(&mut Replayer, &EventRef<'_>, u64) -> Result<(), E>,
    ) -> Result<SegmentEnd, E> {
        let mut reader = TraceReader::open(path).map_err(&decode)?;
        let mut rp = Replayer::from_header(reader.header());
        let mut end = SegmentEnd::default();
        let mut first_ts = None;
        // The segment: its start once decided (worker 0 starts at once), its end once known.
        let mut lo = (k == 0).then_some(0);
        let mut hi = u64::MAX;
        if k == 0 {
            self.started(0, 0);
        }
        let mut granted = 0;
        let mut next_check = 0;
        loop {
            let at = reader.offset();
            match lo {
                Some(_) => {
                    if at >= granted && hi == u64::MAX {
                        let (g, decided) = self.grant(k, at);
                        granted = g;
                        hi = decided.unwrap_or(u64::MAX);
                    }
                    if at >= hi {
                        break;
                    }
                    if at >= next_check {
                        self.progress[k].store(at, Ordering::Relaxed);
                        next_check = at.saturating_add(self.step);
                    }
                }
                None if at >= next_check => {
                    if self.start_here(k, at) {
                        lo = Some(at);
                        self.started(k, at);
                        continue;
                    }
                    next_check = at.saturating_add(self.step);
                }
                None => {}
            }
            let Some(item) = reader.next_item().map_err(&decode)? else {
                if lo.is_some() {
                    self.finished(k);
                }
                break;
            };
            match item {
                Item::NewSection => {
                    let h = reader.header().clone();
                    rp.new_section(&h);
                }
                Item::Event(ev) => {
                    let first_ts = *first_ts.get_or_insert(ev.ts);
                    if lo.is_some() {
                        end.events += 1;
                        f(&mut rp, &ev, first_ts)?;
                    } else {
                        rp.skim(&ev);
                    }
                }
            }
        }
        if let Some(lo) = lo {
            end.warnings = reader
                .warnings()
                .iter()
                .filter(|w| (lo..hi).contains(&w.offset))
                .cloned()
                .collect();
        }
        Ok(end)
    }
}

impl Engine {
    /// Replays the plain trace at `path` on `workers` threads, in byte segments
    /// ([`Handoff`]); the outcome is that of a sequential replay.
    pub(crate) fn replay_segments(
        &self,
        path: &Path,
        len: u64,
        workers: usize,
    ) -> Result<TraceOutcome, EngineError> {
        use rayon::prelude::*;
        let handoff = Handoff::new(len, workers);
        let parts: Vec<Result<TraceOutcome, EngineError>> = (0..handoff.workers())
            .into_par_iter()
            .map(|k| self.replay_segment(path, &handoff, k))
            .collect();
        let mut res = TraceOutcome::default();
        for p in parts {
            let o = p?;
            res.events += o.events;
            res.profile.merge(&o.profile);
            res.alerts.extend(o.alerts);
            res.warnings.extend(o.warnings);
        }
        Ok(res)
    }

    /// Replays the events of worker `k`'s segment of `path`, after skimming those before.
    fn replay_segment(
        &self,
        path: &Path,
        handoff: &Handoff,
        k: usize,
    ) -> Result<TraceOutcome, EngineError> {
        let decode = |source| EngineError::Decode {
            path: path.display().to_string(),
            source,
        };
        let trace = path.display().to_string();
        let mut scratch = self.scratch();
        let mut alerts = Vec::new();
        let mut resolved = false;
        let done = handoff.run(k, path, decode, |rp, ev, first_ts| {
            if !resolved {
                // Relative bounds count from the trace's first event.
                resolved = true;
                scratch.span = self.window.resolve(first_ts);
            }
            self.evaluate(rp, &trace, &mut scratch, &mut alerts, ev);
            Ok(())
        })?;
        Ok(TraceOutcome {
            alerts,
            events: done.events,
            warnings: done.warnings.iter().map(ToString::to_string).collect(),
            profile: scratch.take_profile(),
            ..TraceOutcome::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_worker_has_no_boundary() {
        let h = Handoff::new(1 << 30, 1);
        h.started(0, 0);
        assert_eq!(h.grant(0, 0), (u64::MAX, None));
    }

    #[test]
    fn the_boundary_is_never_below_a_grant() {
        let h = Handoff::new(1_000_000, 2);
        // Worker 1 cannot start before worker 0 has (nothing to balance against).
        assert!(!h.start_here(1, 900_000));
        h.started(0, 0);
        let (granted, end) = h.grant(0, 0);
        assert_eq!((granted, end), (h.step, None));
        // Worker 0 has replayed nothing yet: worker 1 starts once what is left after it is
        // no more than what lies before it, here past the middle; and never below a grant.
        assert!(!h.start_here(1, 400_000));
        assert!(!h.start_here(1, granted - 1));
        assert!(h.start_here(1, 500_000));
        // Worker 0 learns where to stop at its next grant.
        assert_eq!(h.grant(0, granted), (u64::MAX, Some(500_000)));
    }

    #[test]
    fn a_worker_that_read_everything_leaves_nothing() {
        let h = Handoff::new(1_000_000, 2);
        h.started(0, 0);
        h.finished(0);
        assert!(!h.start_here(1, 999_999));
    }

    #[test]
    fn a_later_worker_balances_against_the_progress_of_the_one_before() {
        let h = Handoff::new(1_000_000, 3);
        h.started(0, 0);
        h.grant(0, 0);
        // Two workers share what is left after worker 1's start.
        assert!(!h.start_here(1, 300_000));
        assert!(h.start_here(1, 340_000));
        h.started(1, 340_000);
        h.grant(1, 340_000);
        h.progress[1].store(500_000, Ordering::Relaxed);
        assert!(!h.start_here(2, 700_000));
        assert!(h.start_here(2, 750_000));
    }
}
