//! hindsight-capture: the recorder. eBPF probe records plus a /proc snapshot, written as
//! scap traces (native `.scap.zst` chunks, or plain/gzip scap).
//!
//! * [`snapshot`]: threads, fds, users, groups, interfaces and machine info at start, as the
//!   trace's header blocks, limited to the recording's scope (container or command).
//! * [`container`]: container ids from cgroup paths, finding a container by id or name (waiting
//!   for it to start), metadata from the Docker Engine API or the runtime's files on disk,
//!   CONTAINER_JSON events.
//! * [`drops`]: lost events per CPU and cause, written into the trace as notification events.
//! * [`flight`]: the flight recorder, a ring of segments bounded on disk and, with trigger
//!   rules evaluated live, one standalone trace per alert.
//! * [`output`]: the trace file and its rotation (size, time, ring of N files).
//! * [`record`]: the loop tying them together, with a [`Summary`] at the end.
//!
//! Data flows probe ring buffer → [`record`] (container events inserted on first sight of a
//! container) → [`output::Output`] → `hindsight_format` writers.
//!
//! ```no_run
//! let mut cfg = hindsight_capture::RecordConfig::new("out.scap.zst");
//! cfg.command = vec!["sh".into(), "-c".into(), "cat /etc/shadow".into()];
//! let summary = hindsight_capture::record(&cfg)?;
//! println!("{} events, {} drops", summary.events, summary.probe.drops());
//! # Ok::<(), hindsight_capture::CaptureError>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod container;
pub mod drops;
mod error;
pub mod flight;
pub mod output;
mod recorder;
pub mod snapshot;

pub use error::CaptureError;
pub use output::Rotation;
pub use recorder::{record, RecordConfig, Summary};
