//! The kernel/user ABI: `#[repr(C)]` mirrors of the structs in `bpf/hindsight.h`.
//!
//! Sizes and offsets are asserted at compile time so a change on one side that is not made on
//! the other fails the build. The aya `Pod` impls here are the crate's only `unsafe impl`s.

use std::mem::{offset_of, size_of};

/// Syscall numbers the table covers (`HS_SYSCALL_MAX`).
pub const SYSCALL_MAX: usize = 512;
/// Parameter recipes per direction (`HS_MAX_SPECS`).
pub const MAX_SPECS: usize = 8;
/// Largest record the probe emits, ring header included (`HS_REC_MAX`).
pub const REC_MAX: usize = 16384;
/// Bytes of [`RingHdr`] in front of every scap record (`HS_RING_HDR`).
pub const RING_HDR: usize = 8;
/// Bytes of the scap event header (`HS_EVT_HDR`).
pub const EVT_HDR: usize = 26;

/// `hs_config.flags`: only processes whose tgid is in the `hs_pids` map.
pub const CFG_FILTER_TREE: u32 = 1 << 0;
/// `hs_config.flags`: only tasks in the cgroup `cgroup_id`.
pub const CFG_FILTER_CGROUP: u32 = 1 << 1;
/// `hs_config.flags`: `cgroup_id` is an id in the v1 `pids` hierarchy rather than cgroup2.
pub const CFG_CGROUP_V1_PIDS: u32 = 1 << 2;

/// `hs_syscall.flags`: the syscall is recorded.
pub const SC_ENABLED: u8 = 1 << 0;
/// `hs_syscall.flags`: the exit event has the execve process-info layout.
pub const SC_FAMILY_EXECVE: u8 = 1 << 1;
/// `hs_syscall.flags`: the exit event has the clone process-info layout.
pub const SC_FAMILY_CLONE: u8 = 1 << 2;
/// `hs_syscall.flags`: no enter event; the exit carries the enter's parameters.
pub const SC_EXIT_ONLY: u8 = 1 << 3;

/// Runtime configuration, the single entry of the `hs_config` map.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Added to the kernel's boot-time clock to get nanoseconds since the epoch.
    pub boot_to_epoch_ns: u64,
    /// Target cgroup id of the cgroup filter.
    pub cgroup_id: u64,
    /// `CFG_*` bits.
    pub flags: u32,
    /// Bytes of read/write payload kept per event.
    pub snaplen: u32,
    /// The recorder's own tgid, never traced.
    pub self_tgid: u32,
    /// Zero.
    pub reserved: u32,
}

/// How the probe encodes one syscall: event ids and parameter recipes (`struct hs_syscall`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Syscall {
    /// scap enter event id.
    pub enter_type: u16,
    /// scap exit event id.
    pub exit_type: u16,
    /// `PPM_SC_*` code, for generic events.
    pub ppm_sc: u16,
    /// `SC_*` bits.
    pub flags: u8,
    /// Parameters of the enter event.
    pub n_enter: u8,
    /// Parameters of the exit event (unused for the process families).
    pub n_exit: u8,
    /// Zero.
    pub reserved: [u8; 3],
    /// Recipes of the enter parameters: [`ParamKind`] | argument index << 8.
    pub enter_specs: [u16; MAX_SPECS],
    /// Recipes of the exit parameters.
    pub exit_specs: [u16; MAX_SPECS],
}

/// Per-CPU counters, the single entry of the `hs_stats` per-CPU map.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Records written to the ring buffer.
    pub events: u64,
    /// Records lost because the ring buffer was full.
    pub drops_buffer: u64,
    /// Records lost because they exceeded [`REC_MAX`].
    pub drops_too_big: u64,
    /// Always 0: the probe no longer stashes enter arguments (the exit reads them from the
    /// saved registers); kept so that the layout and the drop events stay the same.
    pub drops_stash: u64,
}

/// The header in front of every scap record in the ring buffer (`struct hs_ring_hdr`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RingHdr {
    /// CPU that produced the event.
    pub cpu: u16,
    /// Zero.
    pub reserved0: u16,
    /// Zero.
    pub reserved1: u32,
}

/// Parameter recipes (`enum hs_param_kind`): how the probe fills one event parameter.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs, reason = "each variant is documented in bpf/hindsight.h")]
pub enum ParamKind {
    None = 0,
    Res = 1,
    ArgI64 = 2,
    ArgU64 = 3,
    ArgU32 = 4,
    ArgU16 = 5,
    ArgU8 = 6,
    ArgStr = 7,
    OpenFlags = 8,
    NsFlags = 9,
    Sockaddr = 10,
    Data = 11,
    TupleFd = 12,
    TupleRes = 13,
    DevRes = 14,
    ZeroU8 = 15,
    ZeroU32 = 16,
    ScId = 17,
    NativeId = 18,
    HowFlags = 19,
    HowMode = 20,
    HowResolve = 21,
    MsgData = 22,
    MsgSize = 23,
    PtraceReq = 24,
    DynU64 = 25,
    BpfRes = 26,
    MountFlags = 27,
    ExecveatFlags = 28,
    PipeFd = 29,
    PipeIno = 30,
    TupleTo = 32,
    TupleFrom = 33,
    TupleMsgTo = 34,
    TupleMsgFrom = 35,
    FcntlCmd = 36,
}

const _: () = {
    assert!(size_of::<Config>() == 32);
    assert!(offset_of!(Config, flags) == 16);
    assert!(offset_of!(Config, self_tgid) == 24);
    assert!(size_of::<Syscall>() == 44);
    assert!(offset_of!(Syscall, enter_specs) == 12);
    assert!(offset_of!(Syscall, exit_specs) == 28);
    assert!(size_of::<Stats>() == 32);
    assert!(size_of::<RingHdr>() == RING_HDR);
};

// SAFETY: plain `#[repr(C)]` structs of integers with no padding (sizes asserted above), so
// every bit pattern is valid and they can be copied to and from the kernel as bytes.
#[allow(unsafe_code, reason = "aya::Pod is an unsafe marker trait")]
unsafe impl aya::Pod for Config {}
// SAFETY: as above.
#[allow(unsafe_code, reason = "aya::Pod is an unsafe marker trait")]
unsafe impl aya::Pod for Syscall {}
// SAFETY: as above.
#[allow(unsafe_code, reason = "aya::Pod is an unsafe marker trait")]
unsafe impl aya::Pod for Stats {}
