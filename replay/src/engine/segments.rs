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
//! Skimming costs part of a full replay, so segments are not equal: a later worker spends
//! part of its time skimming, and gets less to replay ([`bounds`]).

use std::path::Path;

use hindsight_format::event::EventRef;
use hindsight_format::{DecodeError, Item, TraceReader, Warning};

use super::replay::{Engine, EngineError, TraceOutcome};
use super::replayer::Replayer;

/// The cost of skimming an event relative to replaying it with the upstream rules: decoding
/// and the state changes, without fields and rules. Measured on a 22 M-event recording of
/// this project's mixed workload (`benches/replay_compare.sh`: the second worker's extra user
/// time over its prefix, 0.35 to 0.38); a wrong guess only unbalances the workers, it never
/// changes the result.
pub const SKIM_COST: f64 = 0.35;

/// The starts of `workers` segments of a stream of `len` bytes, and its end (`u64::MAX`,
/// so a stream longer than announced still ends in the last segment): `workers + 1`
/// increasing offsets from 0.
///
/// Worker k skims the segments before its own at `skim` of the cost of replaying them, so
/// its work is `skim * b_k + (b_{k+1} - b_k)`; the bounds make it the same for every
/// worker: `b_{k+1} = (1 - skim) * b_k + c` with `c` chosen so the last bound is `len`.
pub fn bounds(len: u64, workers: usize, skim: f64) -> Vec<u64> {
    let workers = workers.max(1);
    let skim = skim.clamp(0.0, 1.0);
    let keep = 1.0 - skim;
    // The sum of keep^i for i < workers: the last bound in units of `c`.
    let units: f64 = (0..workers).map(|i| keep.powi(i as i32)).sum();
    let c = 1.0 / units;
    let mut b = 0.0_f64;
    let mut out = Vec::with_capacity(workers + 1);
    out.push(0);
    for _ in 1..workers {
        b = keep * b + c;
        let at = (b * len as f64) as u64;
        let prev = *out.last().unwrap_or(&0);
        out.push(at.clamp(prev, len));
    }
    out.push(u64::MAX);
    out
}

impl Engine {
    /// Replays the plain trace at `path` on `workers` threads, in byte segments
    /// ([`bounds`]); the outcome is that of a sequential replay.
    pub(crate) fn replay_segments(
        &self,
        path: &Path,
        len: u64,
        workers: usize,
    ) -> Result<TraceOutcome, EngineError> {
        use rayon::prelude::*;
        let parts: Vec<Result<TraceOutcome, EngineError>> = Segment::split(len, workers)
            .par_iter()
            .map(|s| self.replay_segment(path, s.lo, s.hi))
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

    /// Replays the events of segment `lo..hi` of `path`, after skimming those before.
    fn replay_segment(&self, path: &Path, lo: u64, hi: u64) -> Result<TraceOutcome, EngineError> {
        let decode = |source| EngineError::Decode {
            path: path.display().to_string(),
            source,
        };
        let trace = path.display().to_string();
        let mut scratch = self.scratch();
        let mut alerts = Vec::new();
        let mut resolved = false;
        let done = Segment { lo, hi }.run(path, decode, |rp, ev, first_ts| {
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

/// One worker's part of a trace: the events whose read begins at a stream offset in
/// `lo..hi`.
#[derive(Clone, Copy, Debug)]
pub struct Segment {
    /// The first offset of the segment.
    pub lo: u64,
    /// The first offset past it.
    pub hi: u64,
}

/// What a worker read of its segment.
#[derive(Debug, Default)]
pub struct SegmentEnd {
    /// Events of the segment.
    pub events: u64,
    /// The reader's warnings about bytes of the segment.
    pub warnings: Vec<Warning>,
}

impl Segment {
    /// The segments of a stream of `len` bytes for `workers` workers ([`bounds`]).
    pub fn split(len: u64, workers: usize) -> Vec<Segment> {
        bounds(len, workers, SKIM_COST)
            .windows(2)
            .map(|w| Segment { lo: w[0], hi: w[1] })
            .collect()
    }

    /// Reads `path` from its start, skims the events before the segment, and hands each
    /// event of the segment, applied to nothing yet, to `f` with the timestamp of the
    /// trace's first event (`f` applies it, usually with [`Replayer::advance`]). Stops at
    /// the first event past the segment.
    pub fn run<E>(
        self,
        path: &Path,
        decode: impl Fn(DecodeError) -> E,
        mut f: impl FnMut(&mut Replayer, &EventRef<'_>, u64) -> Result<(), E>,
    ) -> Result<SegmentEnd, E> {
        let mut reader = TraceReader::open(path).map_err(&decode)?;
        let mut rp = Replayer::from_header(reader.header());
        let mut end = SegmentEnd::default();
        let mut first_ts = None;
        loop {
            let at = reader.offset();
            if at >= self.hi {
                break;
            }
            let Some(item) = reader.next_item().map_err(&decode)? else {
                break;
            };
            match item {
                Item::NewSection => {
                    let h = reader.header().clone();
                    rp.new_section(&h);
                }
                Item::Event(ev) => {
                    let first_ts = *first_ts.get_or_insert(ev.ts);
                    if at < self.lo {
                        rp.skim(&ev);
                    } else {
                        end.events += 1;
                        f(&mut rp, &ev, first_ts)?;
                    }
                }
            }
        }
        end.warnings = reader
            .warnings()
            .iter()
            .filter(|w| (self.lo..self.hi).contains(&w.offset))
            .cloned()
            .collect();
        Ok(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_worker_takes_everything() {
        assert_eq!(bounds(1000, 1, 0.3), vec![0, u64::MAX]);
        assert_eq!(bounds(1000, 0, 0.3), vec![0, u64::MAX]);
    }

    #[test]
    fn free_skimming_gives_equal_segments() {
        assert_eq!(bounds(1000, 4, 0.0), vec![0, 250, 500, 750, u64::MAX]);
    }

    #[test]
    fn costly_skimming_shrinks_later_segments_and_balances_work() {
        let skim = 0.3;
        let b = bounds(1_000_000, 3, skim);
        assert_eq!(b.len(), 4);
        let seg = |k: usize| (b[k + 1].min(1_000_000) - b[k]) as f64;
        assert!(seg(0) > seg(1) && seg(1) > seg(2), "{b:?}");
        let work: Vec<f64> = (0..3).map(|k| skim * b[k] as f64 + seg(k)).collect();
        for w in &work {
            assert!((w - work[0]).abs() < 2.0, "unbalanced: {work:?}");
        }
    }

    #[test]
    fn bounds_are_monotonic_on_tiny_streams() {
        for len in 0..5 {
            let b = bounds(len, 8, 0.9);
            assert!(b.windows(2).all(|w| w[0] <= w[1]), "{b:?}");
            assert_eq!(b.first(), Some(&0));
        }
    }
}
