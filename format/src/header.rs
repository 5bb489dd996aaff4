//! Typed contents of the scap header blocks: machine info, threads, fds, users, groups and
//! network interfaces.
//!
//! These are the decoded forms of the MI, PL, FDL, UL and IL blocks (SCAP_FORMAT.md §3),
//! independent of the block version they came from, so that state reconstruction (replay) and
//! the /proc snapshot (capture) share one model. Byte strings stay `Vec<u8>`: scap does not
//! promise UTF-8.

/// Machine info block (MI).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MachineInfo {
    /// Number of CPUs.
    pub num_cpus: u32,
    /// Physical memory in bytes.
    pub memory_bytes: u64,
    /// Largest pid (0 when unknown).
    pub max_pid: u64,
    /// Host name.
    pub hostname: String,
    /// Boot time, nanoseconds since the epoch (0 when unknown; OLD writers leave it 0).
    pub boot_ts: u64,
    /// Flags (HEAD only).
    pub flags: u64,
}

/// One thread of the process list (PL), with every field any PL version carries.
/// Fields a version lacks keep their default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadEntry {
    /// Thread id.
    pub tid: i64,
    /// Process id (the main thread's tid).
    pub pid: i64,
    /// Parent process id.
    pub ptid: i64,
    /// Session id (V6+).
    pub sid: i64,
    /// Process group id as seen from the process's namespace (V8+).
    pub vpgid: i64,
    /// `comm`, the kernel's short name.
    pub comm: Vec<u8>,
    /// `argv[0]`.
    pub exe: Vec<u8>,
    /// Full path of the executable (V7+).
    pub exepath: Vec<u8>,
    /// argv[1..], one item each.
    pub args: Vec<Vec<u8>>,
    /// Working directory.
    pub cwd: Vec<u8>,
    /// RLIMIT_NOFILE.
    pub fdlimit: u64,
    /// `PPM_CL_*` flags.
    pub flags: u32,
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
    /// Virtual memory size in KiB (V2+).
    pub vmsize_kb: u32,
    /// Resident set size in KiB (V2+).
    pub vmrss_kb: u32,
    /// Swap in KiB (V2+).
    pub vmswap_kb: u32,
    /// Major page faults (V2+).
    pub pfmajor: u64,
    /// Minor page faults (V2+).
    pub pfminor: u64,
    /// Environment, one `NAME=value` item each (V3+).
    pub env: Vec<Vec<u8>>,
    /// Thread id inside its pid namespace (V4+).
    pub vtid: i64,
    /// Process id inside its pid namespace (V4+).
    pub vpid: i64,
    /// cgroups as `(subsystem, path)` (V4+).
    pub cgroups: Vec<(Vec<u8>, Vec<u8>)>,
    /// Root directory (V5+).
    pub root: Vec<u8>,
    /// Login uid (V9 tail), `u32::MAX` when unset.
    pub loginuid: u32,
    /// Whether the executable is writable by the user (V9 tail).
    pub exe_writable: bool,
    /// Controlling terminal (HEAD V9 tail only; 0 otherwise).
    pub tty: u32,
    /// Capabilities (inheritable, permitted, effective) when known.
    pub caps: Option<(u64, u64, u64)>,
    /// Start time of the pid namespace's init (HEAD V9 tail only).
    pub pidns_init_start_ts: u64,
    /// Whether the executable lives in the upper layer of an overlayfs (HEAD V9 tail only).
    pub exe_upper_layer: bool,
    /// The executable's inode number, change and modification times (HEAD V9 tail only; 0
    /// when unknown).
    pub exe_ino: (u64, u64, u64),
    /// Whether the executable is a memfd (HEAD V9 tail only).
    pub exe_from_memfd: bool,
    /// Whether the executable lives in a lower layer of an overlayfs (HEAD V9 tail only).
    pub exe_lower_layer: bool,
    /// Process group id (HEAD V9 tail only; `None` when the entry has none, which libscap
    /// reads as -1).
    pub pgid: Option<i64>,
}

/// What an fd table entry refers to, with its type-specific payload (FDL entries).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FdKind {
    /// Regular file (FILE / FILE_V2): open flags (`PPM_O_*`, 0 when unknown) and device.
    File {
        /// `PPM_O_*` open flags.
        open_flags: u32,
        /// Device number (`dev`), 0 when unknown.
        dev: u32,
    },
    /// Directory.
    Directory,
    /// Connected IPv4 socket: source and destination address/port.
    Ipv4Socket {
        /// Source address.
        sip: [u8; 4],
        /// Destination address.
        dip: [u8; 4],
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// `SCAP_L4_*` protocol.
        l4proto: u8,
    },
    /// Listening IPv4 socket.
    Ipv4Server {
        /// Bound address.
        ip: [u8; 4],
        /// Bound port.
        port: u16,
        /// `SCAP_L4_*` protocol.
        l4proto: u8,
    },
    /// Connected IPv6 socket.
    Ipv6Socket {
        /// Source address.
        sip: [u8; 16],
        /// Destination address.
        dip: [u8; 16],
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// `SCAP_L4_*` protocol.
        l4proto: u8,
    },
    /// Listening IPv6 socket.
    Ipv6Server {
        /// Bound address.
        ip: [u8; 16],
        /// Bound port.
        port: u16,
        /// `SCAP_L4_*` protocol.
        l4proto: u8,
    },
    /// Unix socket: kernel pointers of both ends.
    Unix {
        /// Source endpoint pointer.
        source: u64,
        /// Destination endpoint pointer.
        dest: u64,
    },
    /// Any other type carrying only a name; the value is the `scap_fd_type` code
    /// (7 FIFO, 9 EVENT, 10 UNSUPPORTED, 11 SIGNALFD, 12 EVENTPOLL, 13 INOTIFY, 14 TIMERFD,
    /// 15 NETLINK, 17+ HEAD-only types).
    Other(u8),
}

/// One fd of a process (FDL entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdEntry {
    /// The fd number.
    pub fd: i64,
    /// Inode number.
    pub ino: u64,
    /// Type and payload.
    pub kind: FdKind,
    /// Name: path for files, directories, unix sockets and named types; empty for IP sockets
    /// (their name is derived from the addresses).
    pub name: Vec<u8>,
}

/// The fd table of one thread group (one FDL block).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FdTable {
    /// Thread id the block belongs to (a process leader).
    pub tid: i64,
    /// Its fds.
    pub fds: Vec<FdEntry>,
}

/// A user of the user list (UL).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserEntry {
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Login name.
    pub name: Vec<u8>,
    /// Home directory.
    pub home: Vec<u8>,
    /// Login shell.
    pub shell: Vec<u8>,
}

/// A group of the user list (UL).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupEntry {
    /// Group id.
    pub gid: u32,
    /// Group name.
    pub name: Vec<u8>,
}

/// An address of a network interface (IL).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceEntry {
    /// Interface name (`lo`, `eth0`).
    pub name: Vec<u8>,
    /// Address, netmask and broadcast as raw network-order bytes (4 or 16 bytes each).
    pub addr: Vec<u8>,
    /// Netmask.
    pub netmask: Vec<u8>,
    /// Broadcast or peer address.
    pub bcast: Vec<u8>,
    /// Link speed (0 when the entry has none).
    pub linkspeed: u64,
}

/// Everything the header blocks of one section say about the machine at capture start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceHeader {
    /// Section header version (major, minor).
    pub version: (u16, u16),
    /// Machine info, when present.
    pub machine: Option<MachineInfo>,
    /// Threads alive at capture start.
    pub threads: Vec<ThreadEntry>,
    /// fd tables, one per process leader.
    pub fds: Vec<FdTable>,
    /// Users.
    pub users: Vec<UserEntry>,
    /// Groups.
    pub groups: Vec<GroupEntry>,
    /// Network interface addresses.
    pub interfaces: Vec<InterfaceEntry>,
}
