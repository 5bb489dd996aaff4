//! hindsight-store: traces read from, and alerts written to, object storage.
//!
//! URLs (`s3://bucket/key`, `gs://bucket/key`, `az://container/key`, `file:///path`) are
//! opened through the `object_store` crate; credentials and endpoints come from the standard
//! environment variables of each cloud (see [`object`]).
//!
//! * [`object`]: [`ObjectUrl`], a parsed URL bound to its store, and the listing of prefixes.
//! * [`read`]: the reads readers make. [`install`] plugs [`read::StoreRemote`] into
//!   `hindsight_format::location`, so the trace readers of `hindsight-format` open URLs as they
//!   open files: native traces by ranged GETs (the index, the chunk metadata, the header frame,
//!   then only the chunks replayed), plain and gzip traces as one streamed GET. Every request is
//!   counted in [`read::stats`].
//! * [`write`](mod@write): uploads of finished output files and directories (multipart).
//!
//! ```no_run
//! hindsight_store::install();
//! let reader = hindsight_format::native::NativeReader::open("s3://traces/web-1.scap.zst")?;
//! println!("{} chunks", reader.chunks().len());
//! # Ok::<(), hindsight_format::DecodeError>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod error;
pub mod object;
pub mod read;
pub mod write;

pub use error::StoreError;
pub use object::{is_url, ObjectUrl};

/// Makes the readers of `hindsight-format` open URLs through object storage (once per
/// process; later calls do nothing).
pub fn install() {
    hindsight_format::location::install_remote(Box::new(read::StoreRemote));
}

/// The environment variables each scheme reads, for `--help` texts.
pub const ENV_HELP: &str = "\
Object storage (traces and -o may be URLs):
    s3://BUCKET/KEY   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION
                      (default us-east-1), AWS_ENDPOINT_URL or AWS_ENDPOINT (MinIO, Ceph, R2...),
                      AWS_ALLOW_HTTP=true for a plain-http endpoint
    gs://BUCKET/KEY   GOOGLE_SERVICE_ACCOUNT (key file path) or GOOGLE_SERVICE_ACCOUNT_KEY
    az://CONTAINER/KEY  AZURE_STORAGE_ACCOUNT_NAME, AZURE_STORAGE_ACCOUNT_KEY (or _SAS_KEY,
                      client id/secret/tenant)
    file:///PATH      a local file through the same code path
  Native .scap.zst traces are read by byte ranges (index, chunk metadata, then only the
  chunks replayed); plain and gzip traces are streamed once.";
