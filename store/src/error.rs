//! [`StoreError`]: what went wrong talking to object storage, with the URL and a hint.

use thiserror::Error;

/// An object-storage failure. Each message names the URL and says what to check.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The text is not a URL this crate can open.
    #[error("cannot use `{url}`: {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// Why it was refused, and what is accepted.
        reason: String,
    },
    /// A request to the store failed.
    #[error("cannot {what} {url}: {hint}")]
    Request {
        /// What was attempted (`read bytes 0..8 of`, `list`, `upload`...).
        what: String,
        /// The object or prefix.
        url: String,
        /// What to check, for this scheme.
        hint: &'static str,
        /// The store's error (boxed: it is large).
        #[source]
        source: Box<object_store::Error>,
    },
    /// A local file to upload could not be read.
    #[error("cannot read {path} to upload it to {url}")]
    Local {
        /// The local file.
        path: String,
        /// Its destination.
        url: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The async runtime that drives requests could not start.
    #[error("cannot start the object-storage I/O threads")]
    Runtime(#[source] std::io::Error),
}

impl From<StoreError> for std::io::Error {
    fn from(e: StoreError) -> std::io::Error {
        let kind = match &e {
            StoreError::Request { source, .. }
                if matches!(**source, object_store::Error::NotFound { .. }) =>
            {
                std::io::ErrorKind::NotFound
            }
            _ => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, e)
    }
}
