//! Errors and warnings of the trace readers and writers.
//!
//! A *fatal* [`DecodeError`] means nothing (more) can be read: the input is not a trace, is
//! empty, or the operating system failed us. Damage inside a trace is not fatal: the reader
//! records a [`Warning`] (what was lost and at which byte offset) and carries on with the next
//! intact block, so a damaged trace still yields every intact event.

use std::fmt;

/// A fatal error while opening or reading a trace.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input has no bytes at all.
    #[error("empty file: a scap trace starts with a section header block")]
    Empty,
    /// The input does not start like any trace this crate reads.
    #[error(
        "not a scap trace: expected a section header block (0a 0d 0d 0a) at byte offset {offset}, \
         found {found:02x?}; give a .scap, .scap.gz or .scap.zst file"
    )]
    NotATrace {
        /// Byte offset (in the decompressed stream) where the header was expected.
        offset: u64,
        /// The first bytes found there.
        found: Vec<u8>,
    },
    /// A section header declares a byte order or version this crate cannot read.
    #[error("unsupported section header at byte offset {offset}: {reason}")]
    Unsupported {
        /// Byte offset of the block.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// Reading or decompressing failed.
    #[error("i/o error at byte offset {offset}")]
    Io {
        /// Byte offset (in the decompressed stream) reached so far.
        offset: u64,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// What kind of damage a [`Warning`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// The stream ends in the middle of a block (or frame): the tail is lost.
    Truncated,
    /// A block header or trailer is inconsistent; bytes were skipped to the next valid block.
    BadBlock,
    /// A block type this crate does not know was skipped.
    UnknownBlock,
    /// A header block (PL, FDL, UL, IL, MI) could not be decoded completely.
    BadHeader,
    /// An event record is inconsistent and was dropped.
    BadEvent,
    /// Native-format metadata (stats, index) is missing or inconsistent.
    BadMetadata,
    /// The compressed stream is damaged.
    BadCompression,
}

/// Damage found while reading, with its location. The reader keeps going after a warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// Byte offset in the decompressed scap stream (for native traces: of the chunk's data,
    /// see `file_offset`).
    pub offset: u64,
    /// Byte offset in the file itself when known (compressed frame start for native traces).
    pub file_offset: Option<u64>,
    /// The kind of damage.
    pub kind: WarningKind,
    /// Human-readable detail: what was lost.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "byte offset {}", self.offset)?;
        if let Some(fo) = self.file_offset {
            write!(f, " (file offset {fo})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// An error of the trace writers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// Writing or compressing failed.
    #[error("i/o error while writing the trace")]
    Io(#[from] std::io::Error),
    /// The caller used the writer API out of order or gave an invalid value.
    #[error("invalid use of the trace writer: {0}")]
    Usage(String),
}
