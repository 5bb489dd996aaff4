//! hindsight-format: the scap event model and trace files.
//!
//! * [`schema`]: the event table as data (ids, names, parameters, flags).
//! * [`event`]: [`event::EventRef`], a borrowed view of one event record.
//! * [`header`]: typed contents of the header blocks (machine, threads, fds, users, interfaces).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod event;
pub mod header;
pub mod schema;
