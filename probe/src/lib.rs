//! hindsight-probe: the eBPF program that records syscalls as scap events, and its loader.
//!
//! The C side (`bpf/*.bpf.c`, CO-RE, tracepoints only) writes complete scap event records
//! (SCAP_FORMAT.md §4-§6, sysdig 0.29 event ids and parameter counts) into one ring buffer:
//! `raw_syscalls:sys_enter`/`sys_exit` give each recorded syscall an enter event immediately
//! followed by its exit for the same thread (with [`ProbeConfig::exit_only`], most syscalls
//! have their exit alone, and the few that keep an enter get it from their own per-syscall
//! tracepoints instead of the raw `sys_enter`: [`EnterHook`]), `sched_process_exit` gives
//! `procexit`, and `sched_process_fork` follows process trees. Which syscalls are recorded and how each
//! parameter is encoded is data: [`table::ROWS`], written into the probe at load time.
//!
//! The Rust side is [`Probe`]: load and attach with a [`ProbeConfig`] (snap length, ring size,
//! process-tree and cgroup pre-filters, syscall set), [`Probe::follow`] a process, then
//! [`Probe::poll`] for [`Record`]s and read drop counters with [`Probe::stats`].
//!
//! ```no_run
//! use hindsight_probe::{Probe, ProbeConfig};
//! let mut probe = Probe::load(&ProbeConfig::default())?;
//! probe.poll(std::time::Duration::from_millis(100), |rec| println!("{} bytes", rec.event.len()))?;
//! # Ok::<(), hindsight_probe::ProbeError>(())
//! ```
#![deny(missing_docs)]

pub mod abi;
mod error;
mod loader;
pub mod signal;
pub mod table;

pub use error::ProbeError;
pub use loader::{
    split_record, CgroupFilter, EnterHook, Probe, ProbeConfig, Record, Stats, POLL_SLICE,
};
