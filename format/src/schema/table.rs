//! The event table: one line per scap event type id, 0..454 (the ids of current libs).
//!
//! Written from the public scap event table (falcosecurity/libs `driver/event_table.c`,
//! `ppm_events_public.h`) in a compact form: `id "name" Category[/Source] [EF flags] (params)`
//! (the source, the high bits of the event category, is `Syscall` unless given), each
//! parameter as `"name" Type Format [Extra]` where the extra is `F(table)` (bit flags), `E(table)`
//! (enumeration), `D(n)` (path relative to the dirfd in parameter n) or `Y(table)` (the alternative
//! types of a dynamic parameter). The tables named here live in [`super::names`].
//!
//! Where sysdig 0.29 (the OLD table) and current libs (HEAD) disagree, this table describes HEAD:
//! HEAD only appends parameters, so it is a superset. The few per-parameter differences at the
//! same position (renames and re-typings with identical bytes) are listed in [`super::old`], which
//! the printer consults to print exactly like sysdig 0.29. Test `schema::tests` compares every
//! entry with `evt_old.json` and `evt_head.json` and documents each intentional difference.

use super::names::*;
use super::{flags, Category, EventInfo, ParamExtra, ParamFormat, ParamInfo, ParamType, Source};

/// Expands an event's optional source into a [`Source`]: a system call unless the line names
/// another.
macro_rules! source {
    () => {
        Source::Syscall
    };
    ($s:ident) => {
        Source::$s
    };
}

/// Expands one parameter's optional extra into a [`ParamExtra`].
macro_rules! extra {
    () => {
        ParamExtra::None
    };
    (F($t:ident)) => {
        ParamExtra::Flags($t)
    };
    (E($t:ident)) => {
        ParamExtra::Enum($t)
    };
    (D($n:literal)) => {
        ParamExtra::DirFd($n)
    };
    (Y($t:ident)) => {
        ParamExtra::Dyn($t)
    };
}

/// Builds [`EVENTS`] from one line per event type.
macro_rules! events {
    ($($id:literal $name:literal $cat:ident $(/ $src:ident)? [$($flag:ident)*]
        ($($pn:literal $pt:ident $pf:ident $($x:ident($xa:tt))?),*);)*) => {
        /// All event types, indexed by id (`EVENTS[id].id == id`). Ids that current libs mark
        /// unused are present with the name `NA` and the `UNUSED` flag.
        pub static EVENTS: &[Option<EventInfo>] = &[$(Some(EventInfo {
            id: $id,
            name: $name,
            category: Category::$cat,
            source: source!($($src)?),
            flags: 0 $(| flags::$flag)*,
            params: &[$(ParamInfo {
                name: $pn,
                ty: ParamType::$pt,
                fmt: ParamFormat::$pf,
                extra: extra!($($x($xa))?),
            }),*],
        })),*];
    };
}

#[rustfmt::skip]
events! {
    0 "syscall" Other [OLD_VERSION CONVERTER_MANAGED] ("ID" Syscallid Dec, "nativeID" Uint16 Dec);
    1 "syscall" Other [CONVERTER_MANAGED] ("ID" Syscallid Dec, "nativeID" Uint16 Dec);
    2 "open" File [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ("name" Fspath Na, "flags" Flags32 Hex F(FILE_FLAGS), "mode" Uint32 Oct);
    3 "open" File [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "name" Fspath Na, "flags" Flags32 Hex F(FILE_FLAGS), "mode" Uint32 Oct, "dev" Uint32 Hex, "ino" Uint64 Dec);
    4 "close" Io [OLD_VERSION DESTROYS_FD USES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec);
    5 "close" Io [DESTROYS_FD USES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Dec);
    6 "read" Io [OLD_VERSION USES_FD READS_FROM_FD CONVERTER_MANAGED] ("fd" Fd Dec, "size" Uint32 Dec);
    7 "read" Io [USES_FD READS_FROM_FD CONVERTER_MANAGED] ("res" Errno Dec, "data" Bytebuf Na, "fd" Fd Dec, "size" Uint32 Dec);
    8 "write" Io [OLD_VERSION USES_FD WRITES_TO_FD CONVERTER_MANAGED] ("fd" Fd Dec, "size" Uint32 Dec);
    9 "write" Io [USES_FD WRITES_TO_FD CONVERTER_MANAGED] ("res" Errno Dec, "data" Bytebuf Na, "fd" Fd Dec, "size" Uint32 Dec);
    10 "brk" Memory [OLD_VERSION CONVERTER_MANAGED] ("size" Uint32 Dec);
    11 "brk" Memory [OLD_VERSION CONVERTER_MANAGED] ("res" Uint64 Hex);
    12 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ();
    13 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Uint64 Dec);
    14 "clone" Process [OLD_VERSION MODIFIES_STATE] ();
    15 "clone" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Pid Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Int64 Dec, "flags" Flags32 Hex F(CLONE_FLAGS), "uid" Uint32 Dec, "gid" Uint32 Dec);
    16 "procexit" Process/Tracepoint [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ();
    17 "NA" Unknown/None [UNUSED] ();
    18 "socket" Net [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("domain" Enumflags32 Dec E(SOCKET_FAMILIES), "type" Uint32 Dec, "proto" Uint32 Dec);
    19 "socket" Net [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "domain" Enumflags32 Dec E(SOCKET_FAMILIES), "type" Uint32 Dec, "proto" Uint32 Dec, "flags" Flags32 Hex F(FILE_FLAGS));
    20 "bind" Net [OLD_VERSION USES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec);
    21 "bind" Net [USES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "addr" Sockaddr Na, "fd" Fd Dec);
    22 "connect" Net [USES_FD MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ("fd" Fd Dec, "addr" Sockaddr Na);
    23 "connect" Net [USES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "tuple" Socktuple Na, "fd" Fd Dec, "addr" Sockaddr Na);
    24 "listen" Net [OLD_VERSION USES_FD CONVERTER_MANAGED] ("fd" Fd Dec, "backlog" Int32 Dec);
    25 "listen" Net [USES_FD CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Dec, "backlog" Int32 Dec);
    26 "accept" Net [OLD_VERSION CREATES_FD MODIFIES_STATE] ();
    27 "accept" Net [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "tuple" Socktuple Na, "queuepct" Uint8 Dec);
    28 "send" Io [OLD_VERSION USES_FD WRITES_TO_FD CONVERTER_MANAGED] ("fd" Fd Dec, "size" Uint32 Dec);
    29 "send" Io [USES_FD WRITES_TO_FD CONVERTER_MANAGED] ("res" Errno Dec, "data" Bytebuf Na, "fd" Fd Dec, "size" Uint32 Dec, "tuple" Socktuple Na);
    30 "sendto" Io [OLD_VERSION USES_FD WRITES_TO_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "size" Uint32 Dec, "tuple" Socktuple Na);
    31 "sendto" Io [USES_FD WRITES_TO_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "data" Bytebuf Na, "fd" Fd Dec, "size" Uint32 Dec, "tuple" Socktuple Na);
    32 "recv" Io [OLD_VERSION USES_FD READS_FROM_FD CONVERTER_MANAGED] ("fd" Fd Dec, "size" Uint32 Dec);
    33 "recv" Io [USES_FD READS_FROM_FD CONVERTER_MANAGED] ("res" Errno Dec, "data" Bytebuf Na, "fd" Fd Dec, "size" Uint32 Dec, "tuple" Socktuple Na);
    34 "recvfrom" Io [OLD_VERSION USES_FD READS_FROM_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "size" Uint32 Dec);
    35 "recvfrom" Io [USES_FD READS_FROM_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "data" Bytebuf Na, "tuple" Socktuple Na, "fd" Fd Dec, "size" Uint32 Dec);
    36 "shutdown" Net [OLD_VERSION USES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "how" Enumflags8 Hex E(SHUTDOWN_HOW));
    37 "shutdown" Net [USES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Dec, "how" Enumflags8 Hex E(SHUTDOWN_HOW));
    38 "getsockname" Net [OLD_VERSION] ();
    39 "getsockname" Net [] ();
    40 "getpeername" Net [OLD_VERSION] ();
    41 "getpeername" Net [] ();
    42 "socketpair" Ipc [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("domain" Enumflags32 Dec E(SOCKET_FAMILIES), "type" Uint32 Dec, "proto" Uint32 Dec);
    43 "socketpair" Ipc [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "fd1" Fd Dec, "fd2" Fd Dec, "source" Uint64 Hex, "peer" Uint64 Hex, "domain" Enumflags32 Dec E(SOCKET_FAMILIES), "type" Uint32 Dec, "proto" Uint32 Dec);
    44 "setsockopt" Net [OLD_VERSION] ();
    45 "setsockopt" Net [USES_FD] ("res" Errno Dec, "fd" Fd Dec, "level" Enumflags8 Dec E(SOCKOPT_LEVELS), "optname" Enumflags8 Dec E(SOCKOPT_OPTIONS), "val" Dyn Dec Y(SOCKOPT_DYN), "optlen" Uint32 Dec);
    46 "getsockopt" Net [OLD_VERSION MODIFIES_STATE] ();
    47 "getsockopt" Net [USES_FD MODIFIES_STATE] ("res" Errno Dec, "fd" Fd Dec, "level" Enumflags8 Dec E(SOCKOPT_LEVELS), "optname" Enumflags8 Dec E(SOCKOPT_OPTIONS), "val" Dyn Dec Y(SOCKOPT_DYN), "optlen" Uint32 Dec);
    48 "sendmsg" Io [OLD_VERSION USES_FD WRITES_TO_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "size" Uint32 Dec, "tuple" Socktuple Na);
    49 "sendmsg" Io [USES_FD WRITES_TO_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "data" Bytebuf Na, "fd" Fd Dec, "size" Uint32 Dec, "tuple" Socktuple Na);
    50 "sendmmsg" Io [OLD_VERSION] ();
    51 "sendmmsg" Io [USES_FD WRITES_TO_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Dec, "size" Uint32 Dec, "data" Bytebuf Na, "tuple" Socktuple Na);
    52 "recvmsg" Io [OLD_VERSION USES_FD READS_FROM_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec);
    53 "recvmsg" Io [USES_FD READS_FROM_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "size" Uint32 Dec, "data" Bytebuf Na, "tuple" Socktuple Na, "msgcontrol" Bytebuf Na, "fd" Fd Dec);
    54 "recvmmsg" Io [OLD_VERSION] ();
    55 "recvmmsg" Io [USES_FD READS_FROM_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Dec, "size" Uint32 Dec, "data" Bytebuf Na, "tuple" Socktuple Na, "msgcontrol" Bytebuf Na);
    56 "accept" Net [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("flags" Int32 Hex);
    57 "accept" Net [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "tuple" Socktuple Na, "queuepct" Uint8 Dec);
    58 "creat" File [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ("name" Fspath Na, "mode" Uint32 Oct);
    59 "creat" File [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "name" Fspath Na, "mode" Uint32 Oct, "dev" Uint32 Hex, "ino" Uint64 Dec, "creat_flags" Flags16 Hex F(CREAT_FLAGS));
    60 "pipe" Ipc [OLD_VERSION CREATES_FD MODIFIES_STATE] ();
    61 "pipe" Ipc [CREATES_FD MODIFIES_STATE] ("res" Errno Dec, "fd1" Fd Dec, "fd2" Fd Dec, "ino" Uint64 Dec);
    62 "eventfd" Ipc [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("initval" Uint64 Dec, "flags" Uint32 Hex);
    63 "eventfd" Ipc [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Fd Dec, "initval" Uint64 Dec, "flags" Uint32 Hex);
    64 "futex" Ipc [OLD_VERSION CONVERTER_MANAGED] ("addr" Uint64 Hex, "op" Flags16 Hex F(FUTEX_OPERATIONS), "val" Uint64 Dec);
    65 "futex" Ipc [CONVERTER_MANAGED] ("res" Errno Dec, "addr" Uint64 Hex, "op" Flags16 Hex F(FUTEX_OPERATIONS), "val" Uint64 Dec);
    66 "stat" File [OLD_VERSION] ();
    67 "stat" File [] ("res" Errno Dec, "path" Fspath Na);
    68 "lstat" File [OLD_VERSION] ();
    69 "lstat" File [] ("res" Errno Dec, "path" Fspath Na);
    70 "fstat" File [OLD_VERSION USES_FD CONVERTER_MANAGED] ("fd" Fd Na);
    71 "fstat" File [USES_FD CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Na);
    72 "stat64" File [OLD_VERSION] ();
    73 "stat64" File [] ("res" Errno Dec, "path" Fspath Na);
    74 "lstat64" File [OLD_VERSION] ();
    75 "lstat64" File [] ("res" Errno Dec, "path" Fspath Na);
    76 "fstat64" File [OLD_VERSION USES_FD] ("fd" Fd Na);
    77 "fstat64" File [] ("res" Errno Dec);
    78 "epoll_wait" Wait [OLD_VERSION WAITS CONVERTER_MANAGED] ("maxevents" Errno Dec);
    79 "epoll_wait" Wait [WAITS CONVERTER_MANAGED] ("res" Errno Dec, "maxevents" Errno Dec);
    80 "poll" Wait [OLD_VERSION WAITS CONVERTER_MANAGED] ("fds" Fdlist Dec, "timeout" Int64 Dec);
    81 "poll" Wait [WAITS CONVERTER_MANAGED] ("res" Errno Dec, "fds" Fdlist Dec, "timeout" Int64 Dec);
    82 "select" Wait [OLD_VERSION WAITS] ();
    83 "select" Wait [WAITS] ("res" Errno Dec);
    84 "select" Wait [OLD_VERSION WAITS] ();
    85 "select" Wait [OLD_VERSION WAITS CONVERTER_MANAGED] ("res" Errno Dec);
    86 "lseek" File [OLD_VERSION USES_FD CONVERTER_MANAGED] ("fd" Fd Dec, "offset" Uint64 Dec, "whence" Enumflags8 Dec E(LSEEK_WHENCE));
    87 "lseek" File [USES_FD CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Dec, "offset" Uint64 Dec, "whence" Enumflags8 Dec E(LSEEK_WHENCE));
    88 "llseek" File [OLD_VERSION USES_FD CONVERTER_MANAGED] ("fd" Fd Dec, "offset" Uint64 Dec, "whence" Enumflags8 Dec E(LSEEK_WHENCE));
    89 "llseek" File [USES_FD CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Dec, "offset" Uint64 Dec, "whence" Enumflags8 Dec E(LSEEK_WHENCE));
    90 "ioctl" Io [OLD_VERSION USES_FD CONVERTER_MANAGED] ("fd" Fd Dec, "request" Uint64 Hex);
    91 "ioctl" Io [OLD_VERSION USES_FD CONVERTER_MANAGED] ("res" Errno Dec);
    92 "getcwd" File [OLD_VERSION] ();
    93 "getcwd" File [] ("res" Errno Dec, "path" Charbuf Na);
    94 "chdir" File [OLD_VERSION MODIFIES_STATE] ();
    95 "chdir" File [MODIFIES_STATE] ("res" Errno Dec, "path" Charbuf Na);
    96 "fchdir" File [OLD_VERSION USES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Na);
    97 "fchdir" File [USES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Na);
    98 "mkdir" File [OLD_VERSION CONVERTER_MANAGED] ("path" Fspath Na, "mode" Uint32 Hex);
    99 "mkdir" File [OLD_VERSION CONVERTER_MANAGED] ("res" Errno Dec);
    100 "rmdir" File [OLD_VERSION CONVERTER_MANAGED] ("path" Fspath Na);
    101 "rmdir" File [OLD_VERSION CONVERTER_MANAGED] ("res" Errno Dec);
    102 "openat" File [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("dirfd" Fd Dec, "name" Charbuf Na, "flags" Flags32 Hex F(FILE_FLAGS), "mode" Uint32 Oct);
    103 "openat" File [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec);
    104 "link" File [OLD_VERSION CONVERTER_MANAGED] ("oldpath" Fspath Na, "newpath" Fspath Na);
    105 "link" File [OLD_VERSION CONVERTER_MANAGED] ("res" Errno Dec);
    106 "linkat" File [OLD_VERSION CONVERTER_MANAGED] ("olddir" Fd Dec, "oldpath" Charbuf Na, "newdir" Fd Dec, "newpath" Charbuf Na);
    107 "linkat" File [OLD_VERSION CONVERTER_MANAGED] ("res" Errno Dec);
    108 "unlink" File [OLD_VERSION CONVERTER_MANAGED] ("path" Fspath Na);
    109 "unlink" File [OLD_VERSION CONVERTER_MANAGED] ("res" Errno Dec);
    110 "unlinkat" File [OLD_VERSION CONVERTER_MANAGED] ("dirfd" Fd Dec, "name" Charbuf Na);
    111 "unlinkat" File [OLD_VERSION CONVERTER_MANAGED] ("res" Errno Dec);
    112 "pread" Io [OLD_VERSION USES_FD READS_FROM_FD CONVERTER_MANAGED] ("fd" Fd Dec, "size" Uint32 Dec, "pos" Uint64 Dec);
    113 "pread" Io [USES_FD READS_FROM_FD CONVERTER_MANAGED] ("res" Errno Dec, "data" Bytebuf Na, "fd" Fd Dec, "size" Uint32 Dec, "pos" Uint64 Dec);
    114 "pwrite" Io [OLD_VERSION USES_FD WRITES_TO_FD CONVERTER_MANAGED] ("fd" Fd Dec, "size" Uint32 Dec, "pos" Uint64 Dec);
    115 "pwrite" Io [USES_FD WRITES_TO_FD CONVERTER_MANAGED] ("res" Errno Dec, "data" Bytebuf Na, "fd" Fd Dec, "size" Uint32 Dec, "pos" Uint64 Dec);
    116 "readv" Io [OLD_VERSION USES_FD READS_FROM_FD CONVERTER_MANAGED] ("fd" Fd Dec);
    117 "readv" Io [USES_FD READS_FROM_FD CONVERTER_MANAGED] ("res" Errno Dec, "size" Uint32 Dec, "data" Bytebuf Na, "fd" Fd Dec);
    118 "writev" Io [OLD_VERSION USES_FD WRITES_TO_FD CONVERTER_MANAGED] ("fd" Fd Dec, "size" Uint32 Dec);
    119 "writev" Io [USES_FD WRITES_TO_FD CONVERTER_MANAGED] ("res" Errno Dec, "data" Bytebuf Na, "fd" Fd Dec, "size" Uint32 Dec);
    120 "preadv" Io [OLD_VERSION USES_FD READS_FROM_FD CONVERTER_MANAGED] ("fd" Fd Dec, "pos" Uint64 Dec);
    121 "preadv" Io [USES_FD READS_FROM_FD CONVERTER_MANAGED] ("res" Errno Dec, "size" Uint32 Dec, "data" Bytebuf Na, "fd" Fd Dec, "pos" Uint64 Dec);
    122 "pwritev" Io [OLD_VERSION USES_FD WRITES_TO_FD CONVERTER_MANAGED] ("fd" Fd Dec, "size" Uint32 Dec, "pos" Uint64 Dec);
    123 "pwritev" Io [USES_FD WRITES_TO_FD CONVERTER_MANAGED] ("res" Errno Dec, "data" Bytebuf Na, "fd" Fd Dec, "size" Uint32 Dec, "pos" Uint64 Dec);
    124 "dup" Io [OLD_VERSION CREATES_FD USES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec);
    125 "dup" Io [OLD_VERSION CREATES_FD USES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Fd Dec);
    126 "signalfd" Signal [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "mask" Uint32 Hex, "flags" Uint8 Hex);
    127 "signalfd" Signal [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Fd Dec, "fd" Fd Dec, "mask" Uint32 Hex, "flags" Uint8 Hex);
    128 "kill" Signal [OLD_VERSION CONVERTER_MANAGED] ("pid" Pid Dec, "sig" Sigtype Dec);
    129 "kill" Signal [CONVERTER_MANAGED] ("res" Errno Dec, "pid" Pid Dec, "sig" Sigtype Dec);
    130 "tkill" Signal [OLD_VERSION CONVERTER_MANAGED] ("tid" Pid Dec, "sig" Sigtype Dec);
    131 "tkill" Signal [CONVERTER_MANAGED] ("res" Errno Dec, "tid" Pid Dec, "sig" Sigtype Dec);
    132 "tgkill" Signal [OLD_VERSION CONVERTER_MANAGED] ("pid" Pid Dec, "tid" Pid Dec, "sig" Sigtype Dec);
    133 "tgkill" Signal [CONVERTER_MANAGED] ("res" Errno Dec, "pid" Pid Dec, "tid" Pid Dec, "sig" Sigtype Dec);
    134 "nanosleep" Sleep [OLD_VERSION WAITS CONVERTER_MANAGED] ("interval" Reltime Dec);
    135 "nanosleep" Sleep [WAITS CONVERTER_MANAGED] ("res" Errno Dec, "interval" Reltime Dec);
    136 "timerfd_create" Time [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("clockid" Uint8 Dec, "flags" Uint8 Hex);
    137 "timerfd_create" Time [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Fd Dec, "clockid" Uint8 Dec, "flags" Uint8 Hex);
    138 "inotify_init" Ipc [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("flags" Uint8 Hex);
    139 "inotify_init" Ipc [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Fd Dec, "flags" Uint8 Hex);
    140 "getrlimit" Process [OLD_VERSION CONVERTER_MANAGED] ("resource" Enumflags8 Dec E(RLIMIT_RESOURCES));
    141 "getrlimit" Process [CONVERTER_MANAGED] ("res" Errno Dec, "cur" Int64 Dec, "max" Int64 Dec, "resource" Enumflags8 Dec E(RLIMIT_RESOURCES));
    142 "setrlimit" Process [OLD_VERSION CONVERTER_MANAGED] ("resource" Enumflags8 Dec E(RLIMIT_RESOURCES));
    143 "setrlimit" Process [CONVERTER_MANAGED] ("res" Errno Dec, "cur" Int64 Dec, "max" Int64 Dec, "resource" Enumflags8 Dec E(RLIMIT_RESOURCES));
    144 "prlimit" Process [OLD_VERSION CONVERTER_MANAGED] ("pid" Pid Dec, "resource" Enumflags8 Dec E(RLIMIT_RESOURCES));
    145 "prlimit" Process [CONVERTER_MANAGED] ("res" Errno Dec, "newcur" Int64 Dec, "newmax" Int64 Dec, "oldcur" Int64 Dec, "oldmax" Int64 Dec, "pid" Int64 Dec, "resource" Enumflags8 Dec E(RLIMIT_RESOURCES));
    146 "switch" Scheduler/Tracepoint [OLD_VERSION SKIPPARSERESET CONVERTER_MANAGED] ("next" Pid Dec);
    147 "NA" Unknown/None [UNUSED] ();
    148 "drop" Internal/Meta [SKIPPARSERESET] ("ratio" Uint32 Dec);
    149 "drop" Internal/Meta [SKIPPARSERESET] ("ratio" Uint32 Dec);
    150 "fcntl" Io [OLD_VERSION USES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "cmd" Enumflags8 Dec E(FCNTL_COMMANDS));
    151 "fcntl" Io [USES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Fd Dec, "fd" Fd Dec, "cmd" Enumflags8 Dec E(FCNTL_COMMANDS), "arg" Uint64 Hex);
    152 "switch" Scheduler/Tracepoint [] ("next" Pid Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec);
    153 "NA" Unknown/None [UNUSED] ();
    154 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ();
    155 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Uint64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec);
    156 "clone" Process [OLD_VERSION MODIFIES_STATE] ();
    157 "clone" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Pid Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Int64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "flags" Flags32 Hex F(CLONE_FLAGS), "uid" Uint32 Dec, "gid" Uint32 Dec);
    158 "brk" Memory [OLD_VERSION CONVERTER_MANAGED] ("addr" Uint64 Hex);
    159 "brk" Memory [CONVERTER_MANAGED] ("res" Uint64 Hex, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "addr" Uint64 Hex);
    160 "mmap" Memory [OLD_VERSION USES_FD CONVERTER_MANAGED] ("addr" Uint64 Hex, "length" Uint64 Dec, "prot" Flags32 Hex F(PROT_FLAGS), "flags" Flags32 Hex F(MMAP_FLAGS), "fd" Fd Dec, "offset" Uint64 Dec);
    161 "mmap" Memory [USES_FD CONVERTER_MANAGED] ("res" Errno Hex, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "addr" Uint64 Hex, "length" Uint64 Dec, "prot" Flags32 Hex F(PROT_FLAGS), "flags" Flags32 Hex F(MMAP_FLAGS), "fd" Fd Dec, "offset" Uint64 Dec);
    162 "mmap2" Memory [OLD_VERSION USES_FD CONVERTER_MANAGED] ("addr" Uint64 Hex, "length" Uint64 Dec, "prot" Flags32 Hex F(PROT_FLAGS), "flags" Flags32 Hex F(MMAP_FLAGS), "fd" Fd Dec, "pgoffset" Uint64 Dec);
    163 "mmap2" Memory [USES_FD CONVERTER_MANAGED] ("res" Errno Hex, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "addr" Uint64 Hex, "length" Uint64 Dec, "prot" Flags32 Hex F(PROT_FLAGS), "flags" Flags32 Hex F(MMAP_FLAGS), "fd" Fd Dec, "pgoffset" Uint64 Dec);
    164 "munmap" Memory [OLD_VERSION CONVERTER_MANAGED] ("addr" Uint64 Hex, "length" Uint64 Dec);
    165 "munmap" Memory [CONVERTER_MANAGED] ("res" Errno Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "addr" Uint64 Hex, "length" Uint64 Dec);
    166 "splice" Io [OLD_VERSION USES_FD CONVERTER_MANAGED] ("fd_in" Fd Dec, "fd_out" Fd Dec, "size" Uint64 Dec, "flags" Flags32 Hex F(SPLICE_FLAGS));
    167 "splice" Io [USES_FD CONVERTER_MANAGED] ("res" Errno Dec, "fd_in" Fd Dec, "fd_out" Fd Dec, "size" Uint64 Dec, "flags" Flags32 Hex F(SPLICE_FLAGS));
    168 "ptrace" Process [OLD_VERSION CONVERTER_MANAGED] ("request" Enumflags16 Dec E(PTRACE_REQUESTS), "pid" Pid Dec);
    169 "ptrace" Process [CONVERTER_MANAGED] ("res" Errno Dec, "addr" Dyn Hex Y(PTRACE_DYN), "data" Dyn Hex Y(PTRACE_DYN), "request" Enumflags16 Dec E(PTRACE_REQUESTS), "pid" Pid Dec);
    170 "ioctl" Io [OLD_VERSION USES_FD CONVERTER_MANAGED] ("fd" Fd Dec, "request" Uint64 Hex, "argument" Uint64 Hex);
    171 "ioctl" Io [USES_FD CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Dec, "request" Uint64 Hex, "argument" Uint64 Hex);
    172 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ();
    173 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Uint64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "env" Bytebuf Na);
    174 "rename" File [OLD_VERSION] ();
    175 "rename" File [] ("res" Errno Dec, "oldpath" Fspath Na, "newpath" Fspath Na);
    176 "renameat" File [OLD_VERSION] ();
    177 "renameat" File [] ("res" Errno Dec, "olddirfd" Fd Dec, "oldpath" Fsrelpath Na D(1), "newdirfd" Fd Dec, "newpath" Fsrelpath Na D(3));
    178 "symlink" File [OLD_VERSION] ();
    179 "symlink" File [] ("res" Errno Dec, "target" Charbuf Na, "linkpath" Fspath Na);
    180 "symlinkat" File [OLD_VERSION] ();
    181 "symlinkat" File [USES_FD] ("res" Errno Dec, "target" Charbuf Na, "linkdirfd" Fd Dec, "linkpath" Fsrelpath Na D(2));
    182 "fork" Process [OLD_VERSION MODIFIES_STATE] ();
    183 "fork" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Pid Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Int64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "flags" Flags32 Hex F(CLONE_FLAGS), "uid" Uint32 Dec, "gid" Uint32 Dec);
    184 "vfork" Process [OLD_VERSION MODIFIES_STATE] ();
    185 "vfork" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Pid Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Int64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "flags" Flags32 Hex F(CLONE_FLAGS), "uid" Uint32 Dec, "gid" Uint32 Dec);
    186 "procexit" Process/Tracepoint [MODIFIES_STATE] ("status" Errno Dec, "ret" Errno Dec, "sig" Sigtype Dec, "core" Uint8 Dec, "reaper_tid" Pid Dec);
    187 "NA" Unknown/None [UNUSED] ();
    188 "sendfile" Io [OLD_VERSION USES_FD CONVERTER_MANAGED] ("out_fd" Fd Dec, "in_fd" Fd Dec, "offset" Uint64 Dec, "size" Uint64 Dec);
    189 "sendfile" Io [USES_FD CONVERTER_MANAGED] ("res" Errno Dec, "offset" Uint64 Dec, "out_fd" Fd Dec, "in_fd" Fd Dec, "size" Uint64 Dec);
    190 "quotactl" User [OLD_VERSION CONVERTER_MANAGED] ("cmd" Flags16 Dec F(QUOTACTL_CMDS), "type" Flags8 Dec F(QUOTACTL_TYPES), "id" Uint32 Dec, "quota_fmt" Flags8 Dec F(QUOTACTL_QUOTA_FMTS));
    191 "quotactl" User [CONVERTER_MANAGED] ("res" Errno Dec, "special" Charbuf Na, "quotafilepath" Charbuf Na, "dqb_bhardlimit" Uint64 Dec, "dqb_bsoftlimit" Uint64 Dec, "dqb_curspace" Uint64 Dec, "dqb_ihardlimit" Uint64 Dec, "dqb_isoftlimit" Uint64 Dec, "dqb_btime" Reltime Dec, "dqb_itime" Reltime Dec, "dqi_bgrace" Reltime Dec, "dqi_igrace" Reltime Dec, "dqi_flags" Flags8 Dec F(QUOTACTL_DQI_FLAGS), "quota_fmt_out" Flags8 Dec F(QUOTACTL_QUOTA_FMTS), "cmd" Flags16 Dec F(QUOTACTL_CMDS), "type" Flags8 Dec F(QUOTACTL_TYPES), "id" Uint32 Dec, "quota_fmt" Flags8 Dec F(QUOTACTL_QUOTA_FMTS));
    192 "setresuid" User [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("ruid" Uid Dec, "euid" Uid Dec, "suid" Uid Dec);
    193 "setresuid" User [MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "ruid" Uid Dec, "euid" Uid Dec, "suid" Uid Dec);
    194 "setresgid" User [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("rgid" Gid Dec, "egid" Gid Dec, "sgid" Gid Dec);
    195 "setresgid" User [MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "rgid" Gid Dec, "egid" Gid Dec, "sgid" Gid Dec);
    196 "scapevent" Internal/Meta [SKIPPARSERESET] ("event_type" Uint32 Dec, "event_data" Uint64 Dec);
    197 "NA" Unknown/None [UNUSED] ();
    198 "setuid" User [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("uid" Uid Dec);
    199 "setuid" User [MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "uid" Uid Dec);
    200 "setgid" User [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("gid" Gid Dec);
    201 "setgid" User [MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "gid" Gid Dec);
    202 "getuid" User [OLD_VERSION] ();
    203 "getuid" User [] ("uid" Uid Dec);
    204 "geteuid" User [OLD_VERSION] ();
    205 "geteuid" User [] ("euid" Uid Dec);
    206 "getgid" User [OLD_VERSION] ();
    207 "getgid" User [] ("gid" Gid Dec);
    208 "getegid" User [OLD_VERSION] ();
    209 "getegid" User [] ("egid" Gid Dec);
    210 "getresuid" User [OLD_VERSION] ();
    211 "getresuid" User [] ("res" Errno Dec, "ruid" Uid Dec, "euid" Uid Dec, "suid" Uid Dec);
    212 "getresgid" User [OLD_VERSION] ();
    213 "getresgid" User [] ("res" Errno Dec, "rgid" Gid Dec, "egid" Gid Dec, "sgid" Gid Dec);
    214 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ();
    215 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Uint64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "comm" Charbuf Na, "env" Bytebuf Na);
    216 "clone" Process [OLD_VERSION MODIFIES_STATE] ();
    217 "clone" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Pid Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Int64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "comm" Charbuf Na, "flags" Flags32 Hex F(CLONE_FLAGS), "uid" Uint32 Dec, "gid" Uint32 Dec);
    218 "fork" Process [OLD_VERSION MODIFIES_STATE] ();
    219 "fork" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Pid Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Int64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "comm" Charbuf Na, "flags" Flags32 Hex F(CLONE_FLAGS), "uid" Uint32 Dec, "gid" Uint32 Dec);
    220 "vfork" Process [OLD_VERSION MODIFIES_STATE] ();
    221 "vfork" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Pid Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Int64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "comm" Charbuf Na, "flags" Flags32 Hex F(CLONE_FLAGS), "uid" Uint32 Dec, "gid" Uint32 Dec);
    222 "clone" Process [OLD_VERSION MODIFIES_STATE] ();
    223 "clone" Process [MODIFIES_STATE CONVERTER_MANAGED] ("res" Pid Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Int64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "comm" Charbuf Na, "cgroups" Bytebuf Na, "flags" Flags32 Hex F(CLONE_FLAGS), "uid" Uint32 Dec, "gid" Uint32 Dec, "vtid" Pid Dec, "vpid" Pid Dec, "pidns_init_start_ts" Uint64 Dec);
    224 "fork" Process [OLD_VERSION MODIFIES_STATE] ();
    225 "fork" Process [MODIFIES_STATE CONVERTER_MANAGED] ("res" Pid Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Int64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "comm" Charbuf Na, "cgroups" Bytebuf Na, "flags" Flags32 Hex F(CLONE_FLAGS), "uid" Uint32 Dec, "gid" Uint32 Dec, "vtid" Pid Dec, "vpid" Pid Dec, "pidns_init_start_ts" Uint64 Dec);
    226 "vfork" Process [OLD_VERSION MODIFIES_STATE] ();
    227 "vfork" Process [MODIFIES_STATE CONVERTER_MANAGED] ("res" Pid Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Int64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "comm" Charbuf Na, "cgroups" Bytebuf Na, "flags" Flags32 Hex F(CLONE_FLAGS), "uid" Uint32 Dec, "gid" Uint32 Dec, "vtid" Pid Dec, "vpid" Pid Dec, "pidns_init_start_ts" Uint64 Dec);
    228 "container" Internal/Meta [OLD_VERSION SKIPPARSERESET MODIFIES_STATE CONVERTER_MANAGED] ("id" Charbuf Na, "type" Uint32 Dec, "name" Charbuf Na, "image" Charbuf Na);
    229 "NA" Unknown/None [UNUSED] ();
    230 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ();
    231 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Uint64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "comm" Charbuf Na, "cgroups" Bytebuf Na, "env" Bytebuf Na);
    232 "signaldeliver" Signal/Tracepoint [] ("spid" Pid Dec, "dpid" Pid Dec, "sig" Sigtype Dec);
    233 "NA" Unknown/None [UNUSED] ();
    234 "procinfo" Internal/Meta [SKIPPARSERESET] ("cpu_usr" Uint64 Dec, "cpu_sys" Uint64 Dec);
    235 "NA" Unknown/None [UNUSED] ();
    236 "getdents" File [OLD_VERSION USES_FD CONVERTER_MANAGED] ("fd" Fd Na);
    237 "getdents" File [USES_FD CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Na);
    238 "getdents64" File [OLD_VERSION USES_FD CONVERTER_MANAGED] ("fd" Fd Na);
    239 "getdents64" File [USES_FD CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Na);
    240 "setns" Process [OLD_VERSION USES_FD CONVERTER_MANAGED] ("fd" Fd Na, "nstype" Flags32 Hex F(CLONE_FLAGS));
    241 "setns" Process [USES_FD CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Na, "nstype" Flags32 Hex F(CLONE_FLAGS));
    242 "flock" File [OLD_VERSION USES_FD CONVERTER_MANAGED] ("fd" Fd Na, "operation" Flags32 Hex F(FLOCK_FLAGS));
    243 "flock" File [USES_FD CONVERTER_MANAGED] ("res" Errno Dec, "fd" Fd Na, "operation" Flags32 Hex F(FLOCK_FLAGS));
    244 "cpu_hotplug" System/Meta [SKIPPARSERESET MODIFIES_STATE] ("cpu" Uint32 Dec, "action" Uint32 Dec);
    245 "NA" Unknown/None [UNUSED] ();
    246 "accept" Net [OLD_VERSION CREATES_FD MODIFIES_STATE] ();
    247 "accept" Net [CREATES_FD MODIFIES_STATE] ("fd" Fd Dec, "tuple" Socktuple Na, "queuepct" Uint8 Dec, "queuelen" Uint32 Dec, "queuemax" Uint32 Dec);
    248 "accept" Net [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("flags" Int32 Hex);
    249 "accept" Net [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "tuple" Socktuple Na, "queuepct" Uint8 Dec, "queuelen" Uint32 Dec, "queuemax" Uint32 Dec);
    250 "semop" Process [OLD_VERSION CONVERTER_MANAGED] ("semid" Int32 Dec);
    251 "semop" Process [CONVERTER_MANAGED] ("res" Errno Dec, "nsops" Uint32 Dec, "sem_num_0" Uint16 Dec, "sem_op_0" Int16 Dec, "sem_flg_0" Flags16 Hex F(SEMOP_FLAGS), "sem_num_1" Uint16 Dec, "sem_op_1" Int16 Dec, "sem_flg_1" Flags16 Hex F(SEMOP_FLAGS), "semid" Int32 Dec);
    252 "semctl" Process [OLD_VERSION CONVERTER_MANAGED] ("semid" Int32 Dec, "semnum" Int32 Dec, "cmd" Flags16 Hex F(SEMCTL_COMMANDS), "val" Int32 Dec);
    253 "semctl" Process [CONVERTER_MANAGED] ("res" Errno Dec, "semid" Int32 Dec, "semnum" Int32 Dec, "cmd" Flags16 Hex F(SEMCTL_COMMANDS), "val" Int32 Dec);
    254 "ppoll" Wait [OLD_VERSION WAITS CONVERTER_MANAGED] ("fds" Fdlist Dec, "timeout" Reltime Dec, "sigmask" Sigset Dec);
    255 "ppoll" Wait [WAITS CONVERTER_MANAGED] ("res" Errno Dec, "fds" Fdlist Dec, "timeout" Reltime Dec, "sigmask" Sigset Dec);
    256 "mount" File [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("flags" Flags32 Hex F(MOUNT_FLAGS));
    257 "mount" File [MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "dev" Charbuf Na, "dir" Fspath Na, "type" Charbuf Na, "flags" Flags32 Hex F(MOUNT_FLAGS));
    258 "umount" File [OLD_VERSION MODIFIES_STATE] ("flags" Flags32 Hex F(UMOUNT_FLAGS));
    259 "umount" File [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "name" Fspath Na);
    260 "k8s" Internal/Meta [OLD_VERSION SKIPPARSERESET MODIFIES_STATE] ("json" Charbuf Na);
    261 "NA" Unknown/None [UNUSED] ();
    262 "semget" Process [OLD_VERSION CONVERTER_MANAGED] ("key" Int32 Hex, "nsems" Int32 Dec, "semflg" Flags32 Hex F(SEMGET_FLAGS));
    263 "semget" Process [CONVERTER_MANAGED] ("res" Errno Dec, "key" Int32 Hex, "nsems" Int32 Dec, "semflg" Flags32 Hex F(SEMGET_FLAGS));
    264 "access" File [OLD_VERSION CONVERTER_MANAGED] ("mode" Flags32 Hex F(ACCESS_FLAGS));
    265 "access" File [CONVERTER_MANAGED] ("res" Errno Dec, "name" Fspath Na, "mode" Flags32 Hex F(ACCESS_FLAGS));
    266 "chroot" Process [OLD_VERSION MODIFIES_STATE] ();
    267 "chroot" Process [MODIFIES_STATE] ("res" Errno Dec, "path" Fspath Na);
    268 "tracer" Other/Meta [OLD_VERSION] ("id" Int64 Dec, "tags" Charbufarray Na, "args" CharbufPairArray Na);
    269 "NA" Unknown/None [UNUSED] ("id" Int64 Dec, "tags" Charbufarray Na, "args" CharbufPairArray Na);
    270 "mesos" Internal/Meta [OLD_VERSION SKIPPARSERESET MODIFIES_STATE] ("json" Charbuf Na);
    271 "NA" Unknown/None [UNUSED] ();
    272 "container" Process/Meta [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("json" Charbuf Na);
    273 "NA" Unknown/None [UNUSED] ();
    274 "setsid" Process [OLD_VERSION MODIFIES_STATE] ();
    275 "setsid" Process [MODIFIES_STATE] ("res" Pid Dec);
    276 "mkdir" File [OLD_VERSION CONVERTER_MANAGED] ("mode" Uint32 Hex);
    277 "mkdir" File [CONVERTER_MANAGED] ("res" Errno Dec, "path" Fspath Na, "mode" Uint32 Hex);
    278 "rmdir" File [OLD_VERSION] ();
    279 "rmdir" File [] ("res" Errno Dec, "path" Fspath Na);
    280 "notification" Other/Meta [SKIPPARSERESET] ("id" Charbuf Dec, "desc" Charbuf Na);
    281 "NA" Unknown/None [UNUSED] ();
    282 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ();
    283 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Uint64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "comm" Charbuf Na, "cgroups" Bytebuf Na, "env" Bytebuf Na, "tty" Int32 Dec);
    284 "unshare" Process [OLD_VERSION CONVERTER_MANAGED] ("flags" Flags32 Hex F(CLONE_FLAGS));
    285 "unshare" Process [CONVERTER_MANAGED] ("res" Errno Dec, "flags" Flags32 Hex F(CLONE_FLAGS));
    286 "infra" Internal/Meta [SKIPPARSERESET] ("source" Charbuf Dec, "name" Charbuf Na, "description" Charbuf Na, "scope" Charbuf Na);
    287 "NA" Unknown/None [UNUSED] ();
    288 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ("filename" Fspath Na);
    289 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Uint64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "comm" Charbuf Na, "cgroups" Bytebuf Na, "env" Bytebuf Na, "tty" Int32 Dec);
    290 "page_fault" Other/Tracepoint [SKIPPARSERESET] ("addr" Uint64 Hex, "ip" Uint64 Hex, "error" Flags32 Hex F(PF_FLAGS));
    291 "NA" Unknown/None [UNUSED] ();
    292 "execve" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ("filename" Fspath Na);
    293 "execve" Process [MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Uint64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "comm" Charbuf Na, "cgroups" Bytebuf Na, "env" Bytebuf Na, "tty" Uint32 Dec, "vpgid" Pid Dec, "loginuid" Uid Dec, "flags" Flags32 Hex F(EXECVE_FLAGS), "cap_inheritable" Uint64 Hex, "cap_permitted" Uint64 Hex, "cap_effective" Uint64 Hex, "exe_ino" Uint64 Dec, "exe_ino_ctime" Abstime Dec, "exe_ino_mtime" Abstime Dec, "uid" Uid Dec, "trusted_exepath" Fspath Na, "pgid" Pid Na, "gid" Gid Dec, "filename" Fspath Na);
    294 "setpgid" Process [OLD_VERSION CONVERTER_MANAGED] ("pid" Pid Dec, "pgid" Pid Dec);
    295 "setpgid" Process [CONVERTER_MANAGED] ("res" Errno Dec, "pid" Pid Dec, "pgid" Pid Dec);
    296 "bpf" Other [OLD_VERSION CREATES_FD CONVERTER_MANAGED] ("cmd" Int64 Dec);
    297 "bpf" Other [OLD_VERSION CREATES_FD CONVERTER_MANAGED] ("res_or_fd" Dyn Dec Y(BPF_DYN));
    298 "seccomp" Other [OLD_VERSION CONVERTER_MANAGED] ("op" Uint64 Dec, "flags" Uint64 Hex);
    299 "seccomp" Other [CONVERTER_MANAGED] ("res" Errno Dec, "op" Uint64 Dec, "flags" Uint64 Hex);
    300 "unlink" File [OLD_VERSION] ();
    301 "unlink" File [] ("res" Errno Dec, "path" Fspath Na);
    302 "unlinkat" File [OLD_VERSION] ();
    303 "unlinkat" File [USES_FD] ("res" Errno Dec, "dirfd" Fd Dec, "name" Fsrelpath Na D(1), "flags" Flags32 Hex F(UNLINKAT_FLAGS));
    304 "mkdirat" File [OLD_VERSION] ();
    305 "mkdirat" File [USES_FD] ("res" Errno Dec, "dirfd" Fd Dec, "path" Fsrelpath Na D(1), "mode" Uint32 Hex);
    306 "openat" File [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ("dirfd" Fd Dec, "name" Fsrelpath Na D(0), "flags" Flags32 Hex F(FILE_FLAGS), "mode" Uint32 Oct);
    307 "openat" File [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "dirfd" Fd Dec, "name" Fsrelpath Na D(1), "flags" Flags32 Hex F(FILE_FLAGS), "mode" Uint32 Oct, "dev" Uint32 Hex, "ino" Uint64 Dec);
    308 "link" File [OLD_VERSION] ();
    309 "link" File [] ("res" Errno Dec, "oldpath" Fspath Na, "newpath" Fspath Na);
    310 "linkat" File [OLD_VERSION] ();
    311 "linkat" File [] ("res" Errno Dec, "olddir" Fd Dec, "oldpath" Fsrelpath Na D(1), "newdir" Fd Dec, "newpath" Fsrelpath Na D(3), "flags" Flags32 Hex F(LINKAT_FLAGS));
    312 "fchmodat" File [OLD_VERSION] ();
    313 "fchmodat" File [USES_FD] ("res" Errno Dec, "dirfd" Fd Dec, "filename" Fsrelpath Na D(1), "mode" Mode Oct F(CHMOD_MODE));
    314 "chmod" File [OLD_VERSION] ();
    315 "chmod" File [] ("res" Errno Dec, "filename" Fspath Na, "mode" Mode Oct F(CHMOD_MODE));
    316 "fchmod" File [OLD_VERSION] ();
    317 "fchmod" File [USES_FD] ("res" Errno Dec, "fd" Fd Dec, "mode" Mode Oct F(CHMOD_MODE));
    318 "renameat2" File [OLD_VERSION] ();
    319 "renameat2" File [] ("res" Errno Dec, "olddirfd" Fd Dec, "oldpath" Fsrelpath Na D(1), "newdirfd" Fd Dec, "newpath" Fsrelpath Na D(3), "flags" Flags32 Hex F(RENAMEAT2_FLAGS));
    320 "userfaultfd" File [OLD_VERSION CREATES_FD MODIFIES_STATE] ();
    321 "userfaultfd" File [CREATES_FD MODIFIES_STATE] ("res" Errno Dec, "flags" Flags32 Hex F(FILE_FLAGS));
    322 "pluginevent" Other/Plugin [LARGE_PAYLOAD] ("plugin_id" Uint32 Dec, "event_data" Bytebuf Na);
    323 "NA" Unknown/None [UNUSED] ();
    324 "container" Process/Meta [MODIFIES_STATE LARGE_PAYLOAD] ("json" Charbuf Na);
    325 "NA" Unknown/None [UNUSED] ();
    326 "openat2" File [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ("dirfd" Fd Dec, "name" Fsrelpath Na D(0), "flags" Flags32 Hex F(FILE_FLAGS), "mode" Uint32 Oct, "resolve" Flags32 Hex F(OPENAT2_FLAGS));
    327 "openat2" File [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "dirfd" Fd Dec, "name" Fsrelpath Na D(1), "flags" Flags32 Hex F(FILE_FLAGS), "mode" Uint32 Oct, "resolve" Flags32 Hex F(OPENAT2_FLAGS), "dev" Uint32 Hex, "ino" Uint64 Dec);
    328 "mprotect" Memory [OLD_VERSION CONVERTER_MANAGED] ("addr" Uint64 Hex, "length" Uint64 Dec, "prot" Flags32 Hex F(PROT_FLAGS));
    329 "mprotect" Memory [CONVERTER_MANAGED] ("res" Errno Dec, "addr" Uint64 Hex, "length" Uint64 Dec, "prot" Flags32 Hex F(PROT_FLAGS));
    330 "execveat" Process [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED ENTER_PASSED] ("dirfd" Fd Dec, "pathname" Fsrelpath Na D(0), "flags" Flags32 Hex F(EXECVEAT_FLAGS));
    331 "execveat" Process [MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Uint64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "comm" Charbuf Na, "cgroups" Bytebuf Na, "env" Bytebuf Na, "tty" Uint32 Dec, "vpgid" Pid Dec, "loginuid" Uid Dec, "flags" Flags32 Hex F(EXECVE_FLAGS), "cap_inheritable" Uint64 Hex, "cap_permitted" Uint64 Hex, "cap_effective" Uint64 Hex, "exe_ino" Uint64 Dec, "exe_ino_ctime" Abstime Dec, "exe_ino_mtime" Abstime Dec, "uid" Uid Dec, "trusted_exepath" Fspath Na, "pgid" Pid Na, "gid" Gid Dec);
    332 "copy_file_range" File [OLD_VERSION USES_FD READS_FROM_FD WRITES_TO_FD CONVERTER_MANAGED] ("fdin" Fd Dec, "offin" Uint64 Dec, "len" Uint64 Dec);
    333 "copy_file_range" File [USES_FD READS_FROM_FD WRITES_TO_FD CONVERTER_MANAGED] ("res" Errno Dec, "fdout" Fd Dec, "offout" Uint64 Dec, "fdin" Fd Dec, "offin" Uint64 Dec, "len" Uint64 Dec);
    334 "clone3" Process [OLD_VERSION MODIFIES_STATE] ();
    335 "clone3" Process [MODIFIES_STATE CONVERTER_MANAGED] ("res" Pid Dec, "exe" Charbuf Na, "args" Bytebuf Na, "tid" Pid Dec, "pid" Pid Dec, "ptid" Pid Dec, "cwd" Charbuf Na, "fdlimit" Int64 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "comm" Charbuf Na, "cgroups" Bytebuf Na, "flags" Flags32 Hex F(CLONE_FLAGS), "uid" Uint32 Dec, "gid" Uint32 Dec, "vtid" Pid Dec, "vpid" Pid Dec, "pidns_init_start_ts" Uint64 Dec);
    336 "open_by_handle_at" File [OLD_VERSION CREATES_FD MODIFIES_STATE] ();
    337 "open_by_handle_at" File [CREATES_FD MODIFIES_STATE] ("fd" Fd Dec, "mountfd" Fd Dec, "flags" Flags32 Hex F(FILE_FLAGS), "path" Fspath Na, "dev" Uint32 Hex, "ino" Uint64 Dec);
    338 "io_uring_setup" Io [OLD_VERSION CREATES_FD MODIFIES_STATE] ();
    339 "io_uring_setup" Io [CREATES_FD MODIFIES_STATE] ("res" Errno Dec, "entries" Uint32 Dec, "sq_entries" Uint32 Dec, "cq_entries" Uint32 Dec, "flags" Flags32 Hex F(IO_URING_SETUP_FLAGS), "sq_thread_cpu" Uint32 Dec, "sq_thread_idle" Uint32 Dec, "features" Flags32 Hex F(IO_URING_SETUP_FEATS));
    340 "io_uring_enter" Io [OLD_VERSION] ();
    341 "io_uring_enter" Io [USES_FD] ("res" Errno Dec, "fd" Fd Dec, "to_submit" Uint32 Dec, "min_complete" Uint32 Dec, "flags" Flags32 Hex F(IO_URING_ENTER_FLAGS), "sig" Sigset Dec);
    342 "io_uring_register" Io [OLD_VERSION] ();
    343 "io_uring_register" Io [USES_FD] ("res" Errno Dec, "fd" Fd Dec, "opcode" Enumflags16 Dec E(IO_URING_REGISTER_OPCODES), "arg" Uint64 Hex, "nr_args" Uint32 Dec);
    344 "mlock" Memory [OLD_VERSION] ();
    345 "mlock" Memory [] ("res" Errno Dec, "addr" Uint64 Hex, "len" Uint64 Dec);
    346 "munlock" Memory [OLD_VERSION] ();
    347 "munlock" Memory [] ("res" Errno Dec, "addr" Uint64 Hex, "len" Uint64 Dec);
    348 "mlockall" Memory [OLD_VERSION] ();
    349 "mlockall" Memory [] ("res" Errno Dec, "flags" Flags32 Hex F(MLOCKALL_FLAGS));
    350 "munlockall" Memory [OLD_VERSION] ();
    351 "munlockall" Memory [] ("res" Errno Dec);
    352 "capset" Process [OLD_VERSION MODIFIES_STATE] ();
    353 "capset" Process [MODIFIES_STATE] ("res" Errno Dec, "cap_inheritable" Uint64 Hex, "cap_permitted" Uint64 Hex, "cap_effective" Uint64 Hex);
    354 "useradded" Process/Meta [MODIFIES_STATE] ("uid" Uint32 Dec, "gid" Uint32 Dec, "name" Charbuf Na, "home" Charbuf Na, "shell" Charbuf Na, "container_id" Charbuf Na);
    355 "NA" Unknown/None [UNUSED] ();
    356 "userdeleted" Process/Meta [MODIFIES_STATE] ("uid" Uint32 Dec, "gid" Uint32 Dec, "name" Charbuf Na, "home" Charbuf Na, "shell" Charbuf Na, "container_id" Charbuf Na);
    357 "NA" Unknown/None [UNUSED] ();
    358 "groupadded" Process/Meta [MODIFIES_STATE] ("gid" Uint32 Dec, "name" Charbuf Na, "container_id" Charbuf Na);
    359 "NA" Unknown/None [UNUSED] ();
    360 "groupdeleted" Process/Meta [MODIFIES_STATE] ("gid" Uint32 Dec, "name" Charbuf Na, "container_id" Charbuf Na);
    361 "NA" Unknown/None [UNUSED] ();
    362 "dup2" Io [OLD_VERSION CREATES_FD USES_FD MODIFIES_STATE] ("fd" Fd Dec);
    363 "dup2" Io [CREATES_FD USES_FD MODIFIES_STATE] ("res" Fd Dec, "oldfd" Fd Dec, "newfd" Fd Dec);
    364 "dup3" Io [OLD_VERSION CREATES_FD USES_FD MODIFIES_STATE] ("fd" Fd Dec);
    365 "dup3" Io [CREATES_FD USES_FD MODIFIES_STATE] ("res" Fd Dec, "oldfd" Fd Dec, "newfd" Fd Dec, "flags" Flags32 Hex F(FILE_FLAGS));
    366 "dup" Io [OLD_VERSION CREATES_FD USES_FD MODIFIES_STATE] ("fd" Fd Dec);
    367 "dup" Io [CREATES_FD USES_FD MODIFIES_STATE] ("res" Fd Dec, "oldfd" Fd Dec);
    368 "bpf" Other [OLD_VERSION CREATES_FD] ("cmd" Int64 Dec);
    369 "bpf" Other [CREATES_FD] ("fd" Fd Dec, "cmd" Enumflags32 Dec E(BPF_COMMANDS));
    370 "mlock2" Memory [OLD_VERSION] ();
    371 "mlock2" Memory [] ("res" Errno Dec, "addr" Uint64 Hex, "len" Uint64 Dec, "flags" Flags32 Hex F(MLOCK2_FLAGS));
    372 "fsconfig" System [OLD_VERSION] ();
    373 "fsconfig" System [USES_FD] ("res" Errno Dec, "fd" Fd Dec, "cmd" Enumflags32 Dec E(FSCONFIG_CMDS), "key" Charbuf Na, "value_bytebuf" Bytebuf Na, "value_charbuf" Charbuf Na, "aux" Int32 Dec);
    374 "epoll_create" Wait [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("size" Int32 Dec);
    375 "epoll_create" Wait [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "size" Int32 Dec);
    376 "epoll_create1" Wait [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("flags" Flags32 Hex F(EPOLL_CREATE1_FLAGS));
    377 "epoll_create1" Wait [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "flags" Flags32 Hex F(EPOLL_CREATE1_FLAGS));
    378 "chown" File [OLD_VERSION] ();
    379 "chown" File [] ("res" Errno Dec, "path" Fspath Na, "uid" Uint32 Dec, "gid" Uint32 Dec);
    380 "lchown" File [OLD_VERSION] ();
    381 "lchown" File [] ("res" Errno Dec, "path" Fspath Na, "uid" Uint32 Dec, "gid" Uint32 Dec);
    382 "fchown" File [OLD_VERSION] ();
    383 "fchown" File [USES_FD] ("res" Errno Dec, "fd" Fd Dec, "uid" Uint32 Dec, "gid" Uint32 Dec);
    384 "fchownat" File [OLD_VERSION] ();
    385 "fchownat" File [USES_FD] ("res" Errno Dec, "dirfd" Fd Dec, "pathname" Fsrelpath Na D(1), "uid" Uint32 Dec, "gid" Uint32 Dec, "flags" Flags32 Hex F(FCHOWNAT_FLAGS));
    386 "umount" File [OLD_VERSION MODIFIES_STATE] ();
    387 "umount" File [MODIFIES_STATE] ("res" Errno Dec, "name" Fspath Na);
    388 "accept4" Net [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("flags" Int32 Hex);
    389 "accept4" Net [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "tuple" Socktuple Na, "queuepct" Uint8 Dec, "queuelen" Uint32 Dec, "queuemax" Uint32 Dec, "flags" Int32 Hex);
    390 "umount2" File [OLD_VERSION MODIFIES_STATE CONVERTER_MANAGED] ("flags" Flags32 Hex F(UMOUNT_FLAGS));
    391 "umount2" File [MODIFIES_STATE CONVERTER_MANAGED] ("res" Errno Dec, "name" Fspath Na, "flags" Flags32 Hex F(UMOUNT_FLAGS));
    392 "pipe2" Ipc [OLD_VERSION CREATES_FD MODIFIES_STATE] ();
    393 "pipe2" Ipc [CREATES_FD MODIFIES_STATE] ("res" Errno Dec, "fd1" Fd Dec, "fd2" Fd Dec, "ino" Uint64 Dec, "flags" Flags32 Hex F(FILE_FLAGS));
    394 "inotify_init1" Ipc [OLD_VERSION CREATES_FD MODIFIES_STATE] ();
    395 "inotify_init1" Ipc [CREATES_FD MODIFIES_STATE] ("res" Fd Dec, "flags" Flags16 Hex F(FILE_FLAGS));
    396 "eventfd2" Ipc [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("initval" Uint64 Dec);
    397 "eventfd2" Ipc [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Fd Dec, "flags" Flags16 Hex F(FILE_FLAGS), "initval" Uint64 Dec);
    398 "signalfd4" Signal [OLD_VERSION CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("fd" Fd Dec, "mask" Uint32 Hex);
    399 "signalfd4" Signal [CREATES_FD MODIFIES_STATE CONVERTER_MANAGED] ("res" Fd Dec, "flags" Flags16 Hex F(FILE_FLAGS), "fd" Fd Dec, "mask" Uint32 Hex);
    400 "prctl" Process [OLD_VERSION MODIFIES_STATE] ();
    401 "prctl" Process [MODIFIES_STATE] ("res" Errno Dec, "option" Enumflags32 Dec E(PRCTL_OPTIONS), "arg2_str" Charbuf Na, "arg2_int" Int64 Dec);
    402 "asyncevent" Other/Meta [LARGE_PAYLOAD] ("plugin_id" Uint32 Dec, "name" Charbuf Na, "data" Bytebuf Na);
    403 "NA" Unknown/None [UNUSED] ();
    404 "memfd_create" Memory [OLD_VERSION CREATES_FD MODIFIES_STATE] ();
    405 "memfd_create" Memory [CREATES_FD MODIFIES_STATE] ("fd" Fd Dec, "name" Charbuf Na, "flags" Flags32 Hex F(MEMFD_CREATE_FLAGS));
    406 "pidfd_getfd" Process [OLD_VERSION CREATES_FD MODIFIES_STATE] ();
    407 "pidfd_getfd" Process [CREATES_FD MODIFIES_STATE] ("fd" Fd Dec, "pid_fd" Fd Dec, "target_fd" Fd Dec, "flags" Uint32 Hex);
    408 "pidfd_open" Process [OLD_VERSION CREATES_FD MODIFIES_STATE] ();
    409 "pidfd_open" Process [CREATES_FD MODIFIES_STATE] ("fd" Fd Dec, "pid" Pid Dec, "flags" Flags32 Hex F(PIDFD_OPEN_FLAGS));
    410 "init_module" Other [OLD_VERSION] ();
    411 "init_module" Other [] ("res" Errno Dec, "img" Bytebuf Na, "length" Uint64 Dec, "uargs" Charbuf Na);
    412 "finit_module" Other [OLD_VERSION] ();
    413 "finit_module" Other [USES_FD READS_FROM_FD] ("res" Errno Dec, "fd" Fd Dec, "uargs" Charbuf Na, "flags" Flags32 Hex F(FINIT_MODULE_FLAGS));
    414 "mknod" Other [OLD_VERSION] ();
    415 "mknod" Other [] ("res" Errno Dec, "path" Fspath Na, "mode" Mode Oct F(MKNOD_MODE), "dev" Uint32 Dec);
    416 "mknodat" Other [OLD_VERSION] ();
    417 "mknodat" Other [USES_FD] ("res" Errno Dec, "dirfd" Fd Dec, "path" Fsrelpath Na D(1), "mode" Mode Oct F(MKNOD_MODE), "dev" Uint32 Dec);
    418 "newfstatat" File [OLD_VERSION] ();
    419 "newfstatat" File [USES_FD] ("res" Errno Dec, "dirfd" Fd Dec, "path" Fsrelpath Na D(1), "flags" Flags32 Hex F(NEWFSTATAT_FLAGS));
    420 "process_vm_readv" Ipc [OLD_VERSION] ();
    421 "process_vm_readv" Ipc [] ("res" Int64 Dec, "pid" Pid Dec, "data" Bytebuf Na);
    422 "process_vm_writev" Ipc [OLD_VERSION] ();
    423 "process_vm_writev" Ipc [] ("res" Int64 Dec, "pid" Pid Dec, "data" Bytebuf Na);
    424 "delete_module" Other [OLD_VERSION] ();
    425 "delete_module" Other [] ("res" Errno Dec, "name" Charbuf Na, "flags" Flags32 Hex F(DELETE_MODULE_FLAGS));
    426 "setreuid" User [OLD_VERSION MODIFIES_STATE] ();
    427 "setreuid" User [MODIFIES_STATE] ("res" Errno Dec, "ruid" Uid Dec, "euid" Uid Dec);
    428 "setregid" User [OLD_VERSION] ();
    429 "setregid" User [MODIFIES_STATE] ("res" Errno Dec, "rgid" Uid Dec, "egid" Uid Dec);
    430 "task" Process/Iter [MODIFIES_STATE] ("ppid" Pid32 Dec, "pgid" Pid32 Dec, "vpgid" Pid32 Dec, "sid" Pid32 Dec, "comm" Charbuf Na, "argv" Charbufarray Na, "exepath" Fspath Na, "flags" Flags32 Hex F(EXECVE_FLAGS), "env" Charbufarray Na, "cwd" Charbuf Na, "fdlimit" Uint64 Dec, "euid" Uid Dec, "egid" Gid Dec, "cap_permitted" Uint64 Hex, "cap_effective" Uint64 Hex, "cap_inheritable" Uint64 Hex, "exe_ino_num" Uint64 Dec, "exe_ino_ctime" Abstime Dec, "exe_ino_mtime" Abstime Dec, "vm_size" Uint32 Dec, "vm_rss" Uint32 Dec, "vm_swap" Uint32 Dec, "pgft_maj" Uint64 Dec, "pgft_min" Uint64 Dec, "vtgid" Pid32 Dec, "vpid" Pid32 Dec, "pidns_init_start_ts" Uint64 Dec, "cgroups" Charbufarray Na, "root" Fspath Na, "start_time" Abstime Dec, "tty" Uint32 Dec, "loginuid" Uid Dec);
    431 "NA" Unknown/None [UNUSED] ();
    432 "task_file_pipe" File/Iter [MODIFIES_STATE] ("fd" Fd32 Dec, "path" Fspath Na, "ino_num" Uint64 Dec);
    433 "NA" Unknown/None [UNUSED] ();
    434 "task_file_memfd" File/Iter [MODIFIES_STATE] ("fd" Fd32 Dec, "path" Fspath Na, "ino_num" Uint64 Dec);
    435 "NA" Unknown/None [UNUSED] ();
    436 "task_file_regular" File/Iter [MODIFIES_STATE] ("fd" Fd32 Dec, "path" Fspath Na, "flags" Flags32 Hex F(FILE_FLAGS), "mnt_id" Uint32 Dec, "ino_num" Uint64 Dec);
    437 "NA" Unknown/None [UNUSED] ();
    438 "task_file_directory" File/Iter [MODIFIES_STATE] ("fd" Fd32 Dec, "path" Fspath Na, "ino_num" Uint64 Dec);
    439 "NA" Unknown/None [UNUSED] ();
    440 "task_file_socket_inet" File/Iter [MODIFIES_STATE] ("fd" Fd32 Dec, "sk_type" Uint16 Dec, "sk_proto" Uint16 Dec, "local_ip" Ipv4addr Hex, "local_port" Port Hex, "remote_ip" Ipv4addr Hex, "remote_port" Port Hex, "ino_num" Uint64 Dec);
    441 "NA" Unknown/None [UNUSED] ();
    442 "task_file_socket_inet6" File/Iter [MODIFIES_STATE] ("fd" Fd32 Dec, "sk_type" Uint16 Dec, "sk_proto" Uint16 Dec, "local_ip" Ipv6addr Hex, "local_port" Port Hex, "remote_ip" Ipv6addr Hex, "remote_port" Port Hex, "ino_num" Uint64 Dec);
    443 "NA" Unknown/None [UNUSED] ();
    444 "task_file_socket_unix" File/Iter [MODIFIES_STATE] ("fd" Fd32 Dec, "sk_type" Uint16 Dec, "sk_proto" Uint16 Dec, "sk_pointer" Uint64 Na, "sun_path" Fspath Na, "ino_num" Uint64 Dec);
    445 "NA" Unknown/None [UNUSED] ();
    446 "task_file_socket_netlink" File/Iter [MODIFIES_STATE] ("fd" Fd32 Dec, "sk_type" Uint16 Dec, "sk_proto" Uint16 Dec, "ino_num" Uint64 Dec);
    447 "NA" Unknown/None [UNUSED] ();
    448 "task_file_anon_inode" File/Iter [MODIFIES_STATE] ("fd" Fd32 Dec, "fd_type" Flags8 Dec F(ANON_INODE_FD_TYPES), "path" Fspath Na, "ino_num" Uint64 Dec);
    449 "NA" Unknown/None [UNUSED] ();
    450 "NA" Unknown/None [UNUSED] ();
    451 "close_range" Io [MODIFIES_STATE] ("res" Errno Dec, "first" Uint32 Dec, "last" Uint32 Dec, "flags" Flags32 Hex F(CLOSE_RANGE_FLAGS));
    452 "NA" Unknown/None [UNUSED] ();
    453 "keyctl" Other [] ("res" Errno Dec, "operation" Enumflags32 Dec E(KEYCTL_OPERATIONS), "arg2" Dyn Dec Y(KEYCTL_DYN), "arg3" Dyn Dec Y(KEYCTL_DYN), "arg4" Dyn Dec Y(KEYCTL_DYN), "arg5" Dyn Dec Y(KEYCTL_DYN));
}
