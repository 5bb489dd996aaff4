//! Errors of the recorder.

use std::path::PathBuf;

/// Why recording failed.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The probe could not be loaded, attached or read.
    #[error(transparent)]
    Probe(#[from] hindsight_probe::ProbeError),
    /// Writing the trace failed.
    #[error("cannot write trace {path}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: hindsight_format::WriteError,
    },
    /// The output name has no known extension.
    #[error("cannot tell the trace format of {0}: use .scap.zst (native), .scap or .scap.gz")]
    UnknownFormat(PathBuf),
    /// The command to record could not be started.
    #[error("cannot start the command `{command}`")]
    Spawn {
        /// The program.
        command: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The container to record did not appear in time.
    #[error(
        "container `{query}` not found after waiting {:.1}s: no cgroup of a running container \
         has this id prefix or name (check `podman ps` / `docker ps`, or raise --wait-timeout)",
        waited.as_secs_f64()
    )]
    ContainerNotFound {
        /// The id prefix or name asked for.
        query: String,
        /// How long we waited.
        waited: std::time::Duration,
    },
    /// SIGINT or SIGTERM arrived before recording started.
    #[error("interrupted while {0}; nothing was recorded")]
    Interrupted(String),
    /// Not running as root.
    #[error("recording needs root (or CAP_BPF and CAP_PERFMON); run with sudo")]
    NotRoot,
    /// A segment of the flight recorder's ring could not be read back.
    #[error("cannot read ring segment {path}; an alert trace needs it (was the ring directory changed?)")]
    Read {
        /// The segment.
        path: PathBuf,
        /// The cause.
        #[source]
        source: hindsight_format::DecodeError,
    },
    /// The flight recorder's settings do not fit together, or its directory is unusable.
    #[error("flight recorder: {0}")]
    Flight(String),
}
