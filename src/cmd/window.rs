//! `--since/--until`, shared by `replay`, `print` and `test`: parsed into
//! `hindsight_replay::engine::window::TimeWindow`.

use hindsight_replay::engine::window::{TimeBound, TimeWindow};

/// Help text shared by the commands with a time window.
pub const WINDOW_HELP: &str = "\
Time window (--since/--until): only events with since <= time < until are evaluated or
printed; earlier events still rebuild the state (threads, fds, users), so fields are right.
A time is RFC 3339 (2024-01-02T03:04:05Z, 2024-01-02T04:04:05.25+01:00), nanoseconds since
the epoch, or +DURATION after the trace's first event (+5s, +1m30s, +250ms, +1.5s; units h m
s ms us ns). On native traces (.scap.zst) the chunk index is used: chunks wholly before the
window are not decompressed (replay starts from the checkpoint of the first needed chunk) and
chunks after it are not read; `replay` reports the chunks decoded and skipped.";

/// The `--since/--until` options.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct WindowArgs {
    /// Only the events from TIME on (RFC 3339, ns since the epoch, or +DURATION after the
    /// trace start); earlier events still rebuild the state.
    #[arg(long, value_name = "TIME")]
    pub since: Option<TimeBound>,
    /// Only the events before TIME (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<TimeBound>,
}

impl WindowArgs {
    /// The window these options give.
    pub fn window(&self) -> TimeWindow {
        TimeWindow {
            since: self.since,
            until: self.until,
        }
    }
}
