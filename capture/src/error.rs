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
    /// The container to record was not found.
    #[error("container `{0}` not found: no process has it in its cgroup paths (is it running?)")]
    ContainerNotFound(String),
    /// The container's cgroup directory could not be found.
    #[error("cannot find the cgroup directory {path} of container `{id}`")]
    CgroupDir {
        /// Container id.
        id: String,
        /// The directory looked for.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Not running as root.
    #[error("recording needs root (or CAP_BPF and CAP_PERFMON); run with sudo")]
    NotRoot,
}
