//! hindsight-format: the scap event model and trace files.
//!
//! * [`schema`]: the event table as data (ids, names, parameters, flags).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod schema;
