//! The replay engine: events in, state updated, fields extracted, rules evaluated, matches
//! out.
//!
//! * [`replayer::Replayer`]: the sequential core (state + clocks), one per trace or chunk.
//! * [`work`]: work units and shards, to split a replay across processes.
//! * [`profile`]: per-rule evaluation counts and times (`--profile`).
//! * [`window`]: `--since/--until`, resolved per trace; chunks outside are not read.
//! * [`format::PrintFormat`]: sysdig `-p` formats, for `hindsight print`.
//!
//! Invariant: within a chunk, events are applied strictly in order; chunks are independent
//! (each starts from its checkpoint), and results are merged by (trace, event number), so
//! output is identical for any number of threads.

pub mod checkpoint;
pub mod filter;
pub mod format;
pub mod print;
pub mod profile;
pub mod replay;
pub mod replayer;
pub mod segments;
pub mod source;
pub mod spool;
pub mod window;
pub mod work;

pub use format::{PrintFormat, DEFAULT_FORMAT};
pub use replay::{
    replay_trace_each, Engine, EngineError, MatchMode, Scratch, TraceOutcome, SEGMENT_MIN,
};
pub use replayer::Replayer;
