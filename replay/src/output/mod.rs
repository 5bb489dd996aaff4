//! Alert sinks: where the matches of a replay go.
//!
//! The engine produces [`Alert`]s in `(trace, evt.num)` order; a [`Sink`] receives them between
//! one [`Sink::begin`] and one [`Sink::end`], like ripgrep's searcher-to-sink split. Three sinks
//! ship:
//!
//! * [`text::TextSink`]: Falco's text lines, `HH:MM:SS.nnnnnnnnn: Priority output`.
//! * [`json::JsonSink`]: one JSON object per line in Falco's alert schema plus `trace` and
//!   `evt_num` (schema documented field by field in [`json`]).
//! * [`parquet::ParquetSink`]: one row per alert with typed columns, including the context
//!   fields of [`CONTEXT_FIELDS`] (schema documented field by field in [`parquet`]).
//! * [`ocsf::OcsfSink`]: JSON lines of OCSF Detection Findings (class 2004), mapping
//!   documented attribute by attribute in [`ocsf`].
//! * [`partition::PartitionedSink`]: the same Parquet files in a Hive-partitioned directory
//!   (`date=…/host=…/rule=…/part-K-of-N.parquet`).
//!
//! [`OutputFormat::for_path`] picks a sink from an output file name, as `hindsight replay -o`
//! does.
//!
//! ```
//! use hindsight_replay::output::{Alert, FieldValue, Priority, Sink, text::TextSink};
//!
//! let mut out = Vec::new();
//! let mut sink = TextSink::new(&mut out);
//! sink.begin().unwrap();
//! sink.alert(&Alert {
//!     time_ns: 1_470_327_477_881_730_713,
//!     rule: "Write below etc".into(),
//!     priority: Priority::Warning,
//!     tags: vec!["filesystem".into()],
//!     output: "File below /etc opened for writing (file=/etc/passwd)".into(),
//!     source: "syscall".into(),
//!     hostname: "web-1".into(),
//!     trace: "incident.scap".into(),
//!     evt_num: 131,
//!     output_fields: vec![("fd.name".into(), FieldValue::Str("/etc/passwd".into()))],
//!     context: Vec::new(),
//! }).unwrap();
//! sink.end().unwrap();
//! assert_eq!(
//!     String::from_utf8(out).unwrap(),
//!     "16:17:57.881730713: Warning File below /etc opened for writing (file=/etc/passwd)\n",
//! );
//! ```

use std::path::{Path, PathBuf};

mod alert;
mod context;
pub mod json;
pub mod ocsf;
pub mod parquet;
pub mod partition;
pub mod text;
pub mod time;

pub use alert::{Alert, DisplayValue, FieldValue, Priority};
pub use context::{context_index, ContextField, ValueKind, CONTEXT_FIELDS};

/// Why a sink could not write.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// Writing to the output failed (disk full, closed pipe...).
    #[error("cannot write alerts to {target}")]
    Io {
        /// The output: a file path or `<stdout>`.
        target: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Creating the output file failed.
    #[error(
        "cannot create alert output file {path}; check that its directory exists and is writable"
    )]
    Create {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The Arrow/Parquet writer rejected a batch or could not finish the file.
    #[error("cannot write Parquet file {path}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: ::parquet::errors::ParquetError,
    },
    /// An alert does not fit the sink's schema: an internal error of hindsight.
    #[error("internal error (please report): alert {rule:?} at evt.num {evt_num}: {detail}")]
    Internal {
        /// Rule of the offending alert.
        rule: String,
        /// Event number of the offending alert.
        evt_num: u64,
        /// What went wrong.
        detail: String,
    },
}

/// Receives the alerts of one replay, in order.
///
/// Call [`Sink::begin`] once, [`Sink::alert`] for each alert, then [`Sink::end`] once; `end`
/// flushes buffered output (the Parquet sink writes its footer there, so a file is only
/// readable after `end`).
pub trait Sink {
    /// Starts the output (headers, file creation).
    fn begin(&mut self) -> Result<(), SinkError>;
    /// Writes one alert.
    fn alert(&mut self, alert: &Alert) -> Result<(), SinkError>;
    /// Finishes the output and flushes it.
    fn end(&mut self) -> Result<(), SinkError>;
}

impl<S: Sink + ?Sized> Sink for Box<S> {
    fn begin(&mut self) -> Result<(), SinkError> {
        (**self).begin()
    }
    fn alert(&mut self, alert: &Alert) -> Result<(), SinkError> {
        (**self).alert(alert)
    }
    fn end(&mut self) -> Result<(), SinkError> {
        (**self).end()
    }
}

/// The output formats of `hindsight replay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Falco's text lines.
    Text,
    /// JSON lines in Falco's alert schema.
    Json,
    /// A Parquet file.
    Parquet,
}

impl OutputFormat {
    /// Picks the format from an output file name: `.parquet` is Parquet, `.jsonl`, `.ndjson` and
    /// `.json` are JSON lines, anything else is text (case-insensitive).
    pub fn for_path(path: &Path) -> OutputFormat {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("parquet") => OutputFormat::Parquet,
            Some("jsonl" | "ndjson" | "json") => OutputFormat::Json,
            _ => OutputFormat::Text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_extension() {
        let f = |p: &str| OutputFormat::for_path(Path::new(p));
        assert_eq!(f("alerts.parquet"), OutputFormat::Parquet);
        assert_eq!(f("ALERTS.PARQUET"), OutputFormat::Parquet);
        assert_eq!(f("a.jsonl"), OutputFormat::Json);
        assert_eq!(f("a.json"), OutputFormat::Json);
        assert_eq!(f("a.ndjson"), OutputFormat::Json);
        assert_eq!(f("a.txt"), OutputFormat::Text);
        assert_eq!(f("alerts"), OutputFormat::Text);
    }
}
