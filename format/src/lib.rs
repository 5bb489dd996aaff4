//! hindsight-format: the scap event model and trace files.
//!
//! * [`schema`]: the event table as data (ids, names, parameters, flags).
//! * [`event`]: [`EventRef`], a borrowed view of one event record; [`EventBuilder`] encodes one.
//! * [`header`]: typed contents of the header blocks (machine, threads, fds, users, interfaces).
//! * [`TraceReader`]: reads plain, gzip and native traces front to back, lending events.
//! * [`merge`]: one time-ordered trace from several captures of a host (header union, k-way merge).
//! * [`native`]: the seekable `.scap.zst` format: chunks, stats, checkpoints, index.
//! * [`location`]: where bytes come from (local files, or URLs through an installed remote).
//! * [`enters`]: enter events written back before exits that carry their parameters.
//! * [`writer`]: plain/gzip scap writer; [`value`] and [`print`](mod@print): sysdig-style rendering.
//!
//! Data flows file → [`source`] (decompression) → blocks ([`block`], [`meta`]) →
//! [`EventRef`] → consumers (replay, print, convert).
//!
//! ```no_run
//! let mut r = hindsight_format::TraceReader::open("trace.scap.gz")?;
//! println!("{} threads at start", r.header().threads.len());
//! while let Some(ev) = r.next_event()? {
//!     println!("{} {}", ev.num, ev.info().map_or("?", |i| i.name));
//! }
//! # Ok::<(), hindsight_format::DecodeError>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod block;
mod cursor;
pub mod encode;
pub mod enters;
pub mod error;
pub mod event;
pub mod header;
pub mod location;
pub mod merge;
pub mod meta;
pub mod native;
pub mod print;
pub mod reader;
pub mod schema;
pub mod source;
pub mod value;
pub mod writer;

pub use encode::EventBuilder;
pub use error::{DecodeError, Warning, WarningKind, WriteError};
pub use event::EventRef;
pub use header::TraceHeader;
pub use reader::{Item, TraceReader};
pub use source::Compression;
pub use value::ParamValue;
pub use writer::{OutputFormat, ScapWriter, TraceWriter};
