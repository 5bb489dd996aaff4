//! Errors of the probe: building, loading, attaching and reading it.

use std::io;

/// Why the probe could not be started or read.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The eBPF object was not compiled into this binary.
    #[error("the eBPF probe was not built into this binary ({0}); install clang, bpftool, libbpf-dev and rebuild")]
    NotBuilt(&'static str),
    /// Not enough privileges to load eBPF programs.
    #[error("recording needs root (or CAP_BPF and CAP_PERFMON): {what} was refused")]
    Permission {
        /// The operation the kernel refused.
        what: String,
    },
    /// The kernel refused the object (verifier, BTF, map creation).
    #[error("the kernel refused the eBPF object")]
    Load(#[source] Box<aya::EbpfError>),
    /// The kernel's BTF, which the BTF tracepoints are resolved against, could not be read.
    #[error("cannot read the kernel's BTF at /sys/kernel/btf/vmlinux (a kernel built with CONFIG_DEBUG_INFO_BTF is needed)")]
    Btf(#[source] Box<aya::BtfError>),
    /// A program failed to load or attach.
    #[error("eBPF program `{program}` could not be {action}")]
    Program {
        /// Program name in the object.
        program: &'static str,
        /// "loaded" or "attached to `<tracepoint>`".
        action: String,
        /// The cause.
        #[source]
        source: Box<aya::programs::ProgramError>,
    },
    /// A map is missing from the object or has the wrong key/value size.
    #[error("eBPF map `{map}` is missing or malformed")]
    Map {
        /// Map name in the object.
        map: &'static str,
        /// The cause, when aya reported one.
        #[source]
        source: Option<Box<aya::maps::MapError>>,
    },
    /// An unknown syscall name was given to the syscall filter.
    #[error("unknown syscall `{0}` in the syscall filter (see `hindsight_probe::table::ROWS`)")]
    UnknownSyscall(String),
    /// Polling the ring buffer failed.
    #[error("polling the eBPF ring buffer failed")]
    Poll(#[source] io::Error),
}

impl ProbeError {
    pub(crate) fn map(map: &'static str) -> impl FnOnce(aya::maps::MapError) -> ProbeError {
        move |e| ProbeError::Map {
            map,
            source: Some(Box::new(e)),
        }
    }

    /// Whether the cause is a lack of privileges (EPERM/EACCES from the kernel).
    pub fn is_permission(&self) -> bool {
        matches!(self, ProbeError::Permission { .. })
    }
}
