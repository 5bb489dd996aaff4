//! The scap event schema as data.
//!
//! This module owns the *description* of scap events: which event type ids exist, their names,
//! direction (enter `>` / exit `<`), flags, and the name, type and print format of each
//! parameter. It is the single source of truth read by the decoders, the encoders, the printer
//! and the rule engine: nothing else in the workspace matches on event type ids by hand.
//!
//! The table itself lives in `table` and is written by us from the public scap event table
//! (falcosecurity/libs `driver/event_table.c`, `ppm_events_public.h`); a test compares it with
//! `../shared/reference/evt_old.json` and `evt_head.json` so drift is caught.

pub mod convert;
pub mod names;
mod native;
pub mod old;
mod table;

pub use names::{libs_syscall_name, native_syscall_code, syscall_name};
pub use table::EVENTS;

/// The wire type of one event parameter (`enum ppm_param_type`; the discriminant is the code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum ParamType {
    None = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Uint8 = 5,
    Uint16 = 6,
    Uint32 = 7,
    Uint64 = 8,
    Charbuf = 9,
    Bytebuf = 10,
    Errno = 11,
    Sockaddr = 12,
    Socktuple = 13,
    Fd = 14,
    Pid = 15,
    Fdlist = 16,
    Fspath = 17,
    Syscallid = 18,
    Sigtype = 19,
    Reltime = 20,
    Abstime = 21,
    Port = 22,
    L4proto = 23,
    Sockfamily = 24,
    Bool = 25,
    Ipv4addr = 26,
    Dyn = 27,
    Flags8 = 28,
    Flags16 = 29,
    Flags32 = 30,
    Uid = 31,
    Gid = 32,
    Double = 33,
    Sigset = 34,
    Charbufarray = 35,
    CharbufPairArray = 36,
    Ipv4net = 37,
    Ipv6addr = 38,
    Ipv6net = 39,
    Ipaddr = 40,
    Ipnet = 41,
    Mode = 42,
    Fsrelpath = 43,
    Enumflags8 = 44,
    Enumflags16 = 45,
    Enumflags32 = 46,
    Fd32 = 47,
    Pid32 = 48,
}

/// How a parameter is printed (`PF_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum ParamFormat {
    Na,
    Dec,
    Hex,
    TenPaddedDec,
    Id,
    Dir,
    Oct,
}

/// Extra information attached to a parameter: its flag or enum names, the index of the dirfd
/// parameter that a relative path is resolved against, or the alternatives of a dynamic type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamExtra {
    /// Nothing extra.
    None,
    /// Bit flags: (name, value) pairs, printed as `NAME|NAME`.
    Flags(&'static [(&'static str, u32)]),
    /// An enumeration: (name, value) pairs, printed as the matching name.
    Enum(&'static [(&'static str, u32)]),
    /// A path (FSRELPATH) relative to the fd held in the parameter with this index.
    DirFd(u8),
    /// The alternative types of a `Dyn` parameter, indexed by its leading selector byte.
    Dyn(&'static [ParamType]),
}

/// One parameter of an event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamInfo {
    /// Parameter name as sysdig prints it (`fd`, `name`, `res`...).
    pub name: &'static str,
    /// Wire type.
    pub ty: ParamType,
    /// Print format.
    pub fmt: ParamFormat,
    /// Flags/enum names, dirfd link, or dynamic alternatives.
    pub extra: ParamExtra,
}

/// Enter (`>`) or exit (`<`): even type ids are enters, odd ids exits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Syscall entry, printed `>`.
    Enter,
    /// Syscall exit, printed `<`.
    Exit,
}

impl Direction {
    /// The direction of an event type id.
    pub fn of(id: u16) -> Direction {
        if id & 1 == 0 {
            Direction::Enter
        } else {
            Direction::Exit
        }
    }

    /// `>` or `<`, as sysdig prints it.
    pub fn as_char(self) -> char {
        match self {
            Direction::Enter => '>',
            Direction::Exit => '<',
        }
    }
}

/// Event flags (`EF_*`), as a bit set.
pub mod flags {
    /// Creates a file descriptor.
    pub const CREATES_FD: u32 = 1 << 0;
    /// Destroys a file descriptor.
    pub const DESTROYS_FD: u32 = 1 << 1;
    /// Uses a file descriptor (parameter 0 of the enter event).
    pub const USES_FD: u32 = 1 << 2;
    /// Reads from a file descriptor.
    pub const READS_FROM_FD: u32 = 1 << 3;
    /// Writes to a file descriptor.
    pub const WRITES_TO_FD: u32 = 1 << 4;
    /// Modifies thread or fd state.
    pub const MODIFIES_STATE: u32 = 1 << 5;
    /// Not used by the drivers any more.
    pub const UNUSED: u32 = 1 << 6;
    /// Waits (sleeping syscalls).
    pub const WAITS: u32 = 1 << 7;
    /// Skipped by the driver's simple consumer mode.
    pub const SKIPPARSERESET: u32 = 1 << 8;
    /// Superseded by a newer event id.
    pub const OLD_VERSION: u32 = 1 << 9;
    /// Uses a file descriptor but does not consult it for fd.* fields.
    pub const USES_FD_NOT_CONSULTED: u32 = 1 << 10;
    /// Parameter lengths are u32 instead of u16.
    pub const LARGE_PAYLOAD: u32 = 1 << 11;
    /// Current libs convert older versions of this event into the newest one when reading.
    pub const CONVERTER_MANAGED: u32 = 1 << 12;
    /// hindsight's own flag, not an `EF_*` bit: an enter event that current libs' capture
    /// converter passes on instead of merging it into its exit (the TOCTOU-sensitive opens and
    /// connect, the execve family). libsinsp counts it in `evt.num` and parses it, then
    /// filters it out before rules; every other enter event of a syscall pair is dropped.
    pub const ENTER_PASSED: u32 = 1 << 13;
    /// OLD name of bit 10 (`EF_DROP_SIMPLE_CONS`): dropped by simple-consumer mode.
    pub const DROP_SIMPLE_CONS: u32 = 1 << 10;
}

/// Event categories (`EC_*`), the low bits only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Category {
    Unknown,
    Other,
    File,
    Net,
    Ipc,
    Memory,
    Process,
    Sleep,
    System,
    Signal,
    User,
    Time,
    Processing,
    Io,
    Wait,
    Scheduler,
    Internal,
    Plugin,
    Metaevent,
}

/// What generates an event: the high bits of its category (`EC_SYSCALL`, `EC_TRACEPOINT`,
/// `EC_METAEVENT`, `EC_PLUGIN`, `EC_ITER`) in current libs' table. sysdig 0.29's table had
/// none of them (its meta events were `EC_INTERNAL`), so only current libs' view reads this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// A system call (`EC_SYSCALL`): libsinsp reads a return value from its exit.
    Syscall,
    /// A kernel tracepoint (`EC_TRACEPOINT`): process exit, context switch, signal delivery.
    Tracepoint,
    /// A meta event (`EC_METAEVENT`): written by the libraries, not by a driver (process
    /// lists, container and user metadata, drops); libsinsp's asynchronous events.
    Meta,
    /// A plugin's event (`EC_PLUGIN`).
    Plugin,
    /// A kernel iterator's event (`EC_ITER`).
    Iter,
    /// None: the unused slots.
    None,
}

/// The description of one event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventInfo {
    /// Event type id (`PPME_*`).
    pub id: u16,
    /// Name as `evt.type` shows it (`open`, `execve`, `procexit`...).
    pub name: &'static str,
    /// Category.
    pub category: Category,
    /// What generates it (current libs' high category bits).
    pub source: Source,
    /// `flags::*` bits.
    pub flags: u32,
    /// Parameters in wire order.
    pub params: &'static [ParamInfo],
}

impl EventInfo {
    /// Enter or exit.
    pub fn direction(&self) -> Direction {
        Direction::of(self.id)
    }

    /// Whether parameter lengths on the wire are u32 (`EF_LARGE_PAYLOAD`).
    pub fn large_payload(&self) -> bool {
        self.flags & flags::LARGE_PAYLOAD != 0
    }

    /// Index of the parameter called `name`. State and fields look parameters up by name on
    /// every event; names are a few bytes, so the length and first byte settle most
    /// candidates, and the rest is compared byte by byte in line (a libc `memcmp` call per
    /// candidate was a twentieth of a replay).
    pub fn param_index(&self, name: &str) -> Option<usize> {
        let want = name.as_bytes();
        self.params.iter().position(|p| {
            let have = p.name.as_bytes();
            have.len() == want.len() && {
                let mut i = 0;
                while i < have.len() && have[i] == want[i] {
                    i += 1;
                }
                i == have.len()
            }
        })
    }
}

/// Looks up an event type id. `None` for ids the table does not know (readers skip those).
pub fn event_info(id: u16) -> Option<&'static EventInfo> {
    EVENTS.get(id as usize).and_then(|e| e.as_ref())
}

/// Every event type id whose `evt.type` name is `name` (both directions, every version).
///
/// The rule engine uses this to index rules by the event types their condition can match.
pub fn event_ids_by_name(name: &str) -> impl Iterator<Item = u16> + '_ {
    EVENTS
        .iter()
        .flatten()
        .filter(move |e| e.name == name)
        .map(|e| e.id)
}

/// The largest event type id in the table, plus one.
pub fn event_id_limit() -> u16 {
    EVENTS.len() as u16
}

#[cfg(test)]
mod tests;
