//! The field catalogue as data: one descriptor per field, in a single static slice.
//!
//! Every field that a Falco syscall rule can name (`evt.*`, `proc.*`, `thread.*`, `fd.*`,
//! `fs.path.*`, `user.*`, `group.*`, `container.*`, `k8s.*`) is one row of [`FIELDS`]: its
//! name, the argument it takes (`proc.aname[2]`, `evt.arg.flags`, `container.mount.dest[/proc]`),
//! its value type, usage flags and a one-line description. The index of a row is its stable
//! [`FieldId`]; the compiled conditions refer to fields by that id and the extractors (the
//! engine's `FieldSource`) dispatch on it. `hindsight fields`, rule type-checking and the typed
//! output columns are all derived from this table; nothing else lists field names by hand.
//!
//! Names, types and argument forms follow libsinsp's filter checks and the container plugin;
//! the descriptions are our own.

/// The stable id of a field: its index in [`FIELDS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(pub u16);

impl FieldId {
    /// The descriptor of this field.
    pub fn info(self) -> &'static FieldInfo {
        &FIELDS[self.0 as usize]
    }
}

/// The type of the values a field yields; it decides how constants are parsed and which
/// operators apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// A byte string (paths, names, command lines).
    Str,
    /// An unsigned integer.
    U64,
    /// A signed integer.
    I64,
    /// `true` or `false`.
    Bool,
    /// An IPv4 or IPv6 address.
    IpAddr,
    /// An address compared against networks in CIDR form (`fd.net = 10.0.0.0/8`).
    IpNet,
    /// A TCP/UDP port number.
    Port,
    /// A duration in nanoseconds.
    RelTime,
    /// A timestamp in nanoseconds since the epoch.
    AbsTime,
    /// Raw bytes (I/O buffers).
    Bytes,
    /// A floating point number.
    Double,
    /// The type of the underlying event parameter, known only per event (`evt.rawarg.*`).
    Dyn,
}

impl FieldType {
    /// The name `hindsight fields` prints, in libsinsp's vocabulary.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Str => "CHARBUF",
            FieldType::U64 => "UINT64",
            FieldType::I64 => "INT64",
            FieldType::Bool => "BOOL",
            FieldType::IpAddr => "IPADDR",
            FieldType::IpNet => "IPNET",
            FieldType::Port => "PORT",
            FieldType::RelTime => "RELTIME",
            FieldType::AbsTime => "ABSTIME",
            FieldType::Bytes => "BYTEBUF",
            FieldType::Double => "DOUBLE",
            FieldType::Dyn => "DYNAMIC",
        }
    }

    /// Whether values are integers (ordered comparisons apply).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::U64
                | FieldType::I64
                | FieldType::Port
                | FieldType::RelTime
                | FieldType::AbsTime
                | FieldType::Double
        )
    }
}

/// The argument a field takes, in brackets (`proc.aname[2]`) or, for fields marked
/// [`flags::DOTTED_ARG`], after a dot (`evt.arg.flags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgForm {
    /// No argument.
    None,
    /// An optional numeric index (`proc.aname`, `proc.aname[3]`).
    OptIndex,
    /// A required numeric index.
    Index,
    /// An optional string key (`proc.env`, `proc.env[HOME]`).
    OptKey,
    /// A required string key (`container.mount.dest[/proc*]`).
    Key,
    /// A required index or name (`evt.arg[1]`, `evt.arg.fd`).
    IndexOrKey,
}

impl ArgForm {
    /// How `hindsight fields` shows the argument form.
    pub fn describe(self) -> &'static str {
        match self {
            ArgForm::None => "",
            ArgForm::OptIndex => "[INDEX] optional",
            ArgForm::Index => "[INDEX] required",
            ArgForm::OptKey => "[KEY] optional",
            ArgForm::Key => "[KEY] required",
            ArgForm::IndexOrKey => "[INDEX] or .NAME required",
        }
    }
}

/// Field flags, as a bit set.
pub mod flags {
    /// Only usable in conditions, not in outputs.
    pub const FILTER_ONLY: u16 = 1 << 0;
    /// Only usable in outputs, not in conditions.
    pub const PRINT_ONLY: u16 = 1 << 1;
    /// Cannot be the right-hand side of `val()`.
    pub const NO_RHS: u16 = 1 << 2;
    /// Transformers cannot be applied.
    pub const NO_TRANSFORMER: u16 = 1 << 3;
    /// Yields a list of values (`in` means "all in", `intersects` "any in").
    pub const IS_LIST: u16 = 1 << 4;
    /// The argument may follow a dot (`evt.arg.name`).
    pub const DOTTED_ARG: u16 = 1 << 5;
    /// Deprecated upstream.
    pub const DEPRECATED: u16 = 1 << 6;
    /// Without an argument, yields several values and a check passes if any value does
    /// (`proc.aname`, `fd.ip`).
    pub const MULTI: u16 = 1 << 7;
    /// In JSON `output_fields`, the event's raw timestamp (a number) instead of the text the
    /// field prints in outputs, as libsinsp's `extract_as_js` gives for the time forms.
    pub const JSON_RAW_TS: u16 = 1 << 8;
    /// Has no single value to print: `<NA>` in outputs (libsinsp's either-end socket fields,
    /// `fd.ip`, `fd.port`, `fd.proto`, `fd.net`, only make sense in conditions).
    pub const NO_OUTPUT_VALUE: u16 = 1 << 9;
    /// Falco has this field but hindsight cannot compute it yet: naming it in a rule is a load
    /// error (never a value that is silently always missing), and `hindsight fields` lists it
    /// only with `--all`.
    pub const UNSUPPORTED: u16 = 1 << 10;
    /// Measured from the event's enter event: current libs (Falco 0.42+) drop enter events,
    /// so in their view the field is always 0 (`0ns` for the readable form).
    pub const NEEDS_ENTER: u16 = 1 << 11;
    /// Printed in hexadecimal in outputs (libsinsp's `PF_HEX` print format: uppercase
    /// digits, a string in JSON `output_fields`); conditions still compare the number.
    pub const HEX: u16 = 1 << 12;
    /// Yields both ends of a socket (`fd.ip`, `fd.port`, `fd.proto`, `fd.net`): a check passes
    /// when either end does, but `!=` only when neither end is equal (libsinsp's
    /// `compare_ip`, `compare_port`, `compare_net`).
    pub const BOTH_ENDS: u16 = 1 << 13;
}

/// The descriptor of one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    /// Full name (`proc.name`).
    pub name: &'static str,
    /// Value type.
    pub ty: FieldType,
    /// Argument form.
    pub arg: ArgForm,
    /// [`flags`] bits.
    pub flags: u16,
    /// One-line description.
    pub desc: &'static str,
}

impl FieldInfo {
    /// Whether `flag` (one of [`flags`]) is set.
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    /// The field class (`proc` for `proc.name`).
    pub fn class(&self) -> &'static str {
        self.name.split('.').next().unwrap_or(self.name)
    }
}

use self::flags::*;
use ArgForm as A;
use FieldType as T;

const fn f(
    name: &'static str,
    ty: FieldType,
    arg: ArgForm,
    flags: u16,
    desc: &'static str,
) -> FieldInfo {
    FieldInfo {
        name,
        ty,
        arg,
        flags,
        desc,
    }
}

const ANC: u16 = MULTI | NO_RHS | NO_TRANSFORMER;
/// Either-end socket fields (`fd.ip`): any end matches in conditions; Falco accepts them in
/// outputs too, where they print `<NA>`.
const NET: u16 = NO_OUTPUT_VALUE | NO_RHS | NO_TRANSFORMER | MULTI | BOTH_ENDS;

/// Every known field. The index is the [`FieldId`]; append new rows at the end so ids stay
/// stable.
#[rustfmt::skip]
pub static FIELDS: &[FieldInfo] = &[
    // evt: every event
    f("evt.num", T::U64, A::None, 0, "event number, counted from 1 in the trace"),
    f("evt.time", T::Str, A::None, JSON_RAW_TS, "event time as hh:mm:ss.nnnnnnnnn"),
    f("evt.time.s", T::Str, A::None, JSON_RAW_TS, "event time as hh:mm:ss"),
    f("evt.time.iso8601", T::Str, A::None, JSON_RAW_TS, "event time in ISO 8601 with nanoseconds, UTC"),
    f("evt.datetime", T::Str, A::None, JSON_RAW_TS, "event date and time with nanoseconds"),
    f("evt.datetime.s", T::Str, A::None, JSON_RAW_TS, "event date and time to the second"),
    f("evt.rawtime", T::AbsTime, A::None, 0, "event timestamp in nanoseconds since the epoch"),
    f("evt.around", T::U64, A::Index, FILTER_ONLY | NO_RHS | NO_TRANSFORMER, "evt.around[T]=D: the event is within D milliseconds of time T (an evt.rawtime)"),
    f("evt.rawtime.s", T::AbsTime, A::None, 0, "seconds part of evt.rawtime"),
    f("evt.rawtime.ns", T::AbsTime, A::None, 0, "nanoseconds part of evt.rawtime"),
    f("evt.reltime", T::RelTime, A::None, 0, "nanoseconds since the first event of the trace"),
    f("evt.reltime.s", T::RelTime, A::None, 0, "seconds part of evt.reltime"),
    f("evt.reltime.ns", T::RelTime, A::None, 0, "nanoseconds part of evt.reltime"),
    f("evt.pluginname", T::Str, A::None, 0, "name of the plugin that produced the event"),
    f("evt.plugininfo", T::Str, A::None, 0, "plugin's summary of the event"),
    f("evt.source", T::Str, A::None, 0, "event source (syscall for kernel events)"),
    f("evt.is_async", T::Bool, A::None, 0, "true for asynchronous (metadata) events"),
    f("evt.asynctype", T::Str, A::None, 0, "name of an asynchronous event"),
    f("evt.hostname", T::Str, A::None, 0, "hostname of the machine the trace was taken on"),
    // evt: syscall events
    f("evt.latency", T::RelTime, A::None, DEPRECATED | NEEDS_ENTER, "nanoseconds between an exit event and its enter event"),
    f("evt.latency.s", T::RelTime, A::None, DEPRECATED | NEEDS_ENTER, "seconds part of evt.latency"),
    f("evt.latency.ns", T::RelTime, A::None, DEPRECATED | NEEDS_ENTER, "nanoseconds part of evt.latency"),
    f("evt.latency.human", T::Str, A::None, DEPRECATED | NEEDS_ENTER, "evt.latency as a readable duration"),
    f("evt.deltatime", T::RelTime, A::None, 0, "nanoseconds since the previous event"),
    f("evt.deltatime.s", T::RelTime, A::None, 0, "seconds part of evt.deltatime"),
    f("evt.deltatime.ns", T::RelTime, A::None, 0, "nanoseconds part of evt.deltatime"),
    f("evt.outputtime", T::Str, A::None, PRINT_ONLY | JSON_RAW_TS, "event time in the output's time format"),
    f("evt.dir", T::Str, A::None, DEPRECATED, "direction: > for enter, < for exit"),
    f("evt.type", T::Str, A::None, 0, "event type name (open, execve, ...)"),
    f("evt.type.is", T::U64, A::Key, DOTTED_ARG, "1 if the event is of the named type, else 0"),
    f("syscall.type", T::Str, A::None, 0, "system call name, unset for non-syscall events"),
    f("evt.category", T::Str, A::None, 0, "event category (file, net, process, ...)"),
    f("evt.cpu", T::I64, A::None, 0, "CPU the event happened on"),
    f("evt.args", T::Str, A::None, 0, "all event arguments as one string"),
    f("evt.arg", T::Str, A::IndexOrKey, DOTTED_ARG, "one event argument by name or index, rendered as text"),
    f("evt.rawarg", T::Dyn, A::IndexOrKey, DOTTED_ARG | NO_RHS | NO_TRANSFORMER, "one event argument by name, as its raw typed value"),
    f("evt.info", T::Str, A::None, 0, "event arguments, or a description for special events"),
    f("evt.buffer", T::Bytes, A::None, 0, "binary data buffer of I/O events"),
    f("evt.buflen", T::U64, A::None, 0, "length of the data buffer of I/O events"),
    f("evt.res", T::Str, A::None, 0, "return value as text: SUCCESS or the error name"),
    f("evt.rawres", T::I64, A::None, 0, "return value as a signed number"),
    f("evt.failed", T::Bool, A::None, 0, "true if the call returned an error"),
    f("evt.is_io", T::Bool, A::None, 0, "true for reads and writes on fds"),
    f("evt.is_io_read", T::Bool, A::None, 0, "true for reads from fds"),
    f("evt.is_io_write", T::Bool, A::None, 0, "true for writes to fds"),
    f("evt.io_dir", T::Str, A::None, 0, "r for reads, w for writes"),
    f("evt.is_wait", T::Bool, A::None, 0, "true for sleeping calls"),
    f("evt.wait_latency", T::RelTime, A::None, DEPRECATED | NEEDS_ENTER, "time spent waiting in a sleeping call"),
    f("evt.is_syslog", T::Bool, A::None, 0, "true for writes to /dev/log"),
    f("evt.count", T::U64, A::None, 0, "1 for every event (for aggregations)"),
    f("evt.count.error", T::U64, A::None, 0, "1 for events that returned an error"),
    f("evt.count.error.file", T::U64, A::None, 0, "1 for file events that returned an error"),
    f("evt.count.error.net", T::U64, A::None, 0, "1 for network events that returned an error"),
    f("evt.count.error.memory", T::U64, A::None, 0, "1 for memory events that returned an error"),
    f("evt.count.error.other", T::U64, A::None, 0, "1 for other events that returned an error"),
    f("evt.count.exit", T::U64, A::None, 0, "1 for exit events"),
    f("evt.abspath", T::Str, A::OptKey, DOTTED_ARG, "absolute path of a path argument, resolved against its dirfd; .src and .dst for the two paths of a rename or link"),
    f("evt.is_open_read", T::Bool, A::None, 0, "true for open calls with read access"),
    f("evt.is_open_write", T::Bool, A::None, 0, "true for open calls with write access"),
    f("evt.is_open_exec", T::Bool, A::None, 0, "true for open calls that create an executable file"),
    f("evt.is_open_create", T::Bool, A::None, 0, "true for open calls that created the file"),
    // fd
    f("fd.num", T::I64, A::None, 0, "file descriptor number"),
    f("fd.type", T::Str, A::None, 0, "fd type: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, ..."),
    f("fd.typechar", T::Str, A::None, 0, "fd type as one letter (f, 4, 6, u, p, ...)"),
    f("fd.name", T::Str, A::None, 0, "full fd name: path, or connection tuple for sockets"),
    f("fd.directory", T::Str, A::None, 0, "directory of a file fd"),
    f("fd.filename", T::Str, A::None, 0, "file name of a file fd, without directory"),
    f("fd.ip", T::IpAddr, A::None, NET, "either IP address of a socket fd (client or server)"),
    f("fd.cip", T::IpAddr, A::None, 0, "client IP address"),
    f("fd.sip", T::IpAddr, A::None, 0, "server IP address"),
    f("fd.lip", T::IpAddr, A::None, 0, "local IP address"),
    f("fd.rip", T::IpAddr, A::None, 0, "remote IP address"),
    f("fd.port", T::Port, A::None, NET, "either port of a socket fd (client or server)"),
    f("fd.cport", T::Port, A::None, 0, "client port"),
    f("fd.sport", T::Port, A::None, 0, "server port"),
    f("fd.lport", T::Port, A::None, 0, "local port"),
    f("fd.rport", T::Port, A::None, 0, "remote port"),
    f("fd.l4proto", T::Str, A::None, 0, "transport protocol: tcp, udp, icmp, raw"),
    f("fd.sockfamily", T::Str, A::None, 0, "socket family: ip or unix"),
    f("fd.is_server", T::Bool, A::None, 0, "true if the process owning the fd is the server end"),
    f("fd.uid", T::Str, A::None, 0, "unique fd id: thread id and fd number"),
    f("fd.containername", T::Str, A::None, 0, "container id joined with fd.name"),
    f("fd.containerdirectory", T::Str, A::None, 0, "container id joined with fd.directory"),
    f("fd.proto", T::Port, A::None, NET, "either port of a socket fd (client or server), as fd.port"),
    f("fd.cproto", T::Str, A::None, 0, "protocol name of the client port"),
    f("fd.sproto", T::Str, A::None, 0, "protocol name of the server port"),
    f("fd.lproto", T::Str, A::None, 0, "protocol name of the local port"),
    f("fd.rproto", T::Str, A::None, 0, "protocol name of the remote port"),
    f("fd.net", T::IpNet, A::None, NET, "either IP address of a socket fd, compared against a network"),
    f("fd.cnet", T::IpNet, A::None, NO_RHS | NO_TRANSFORMER, "client IP address, compared against a network"),
    f("fd.snet", T::IpNet, A::None, NO_RHS | NO_TRANSFORMER, "server IP address, compared against a network"),
    f("fd.lnet", T::IpNet, A::None, NO_RHS | NO_TRANSFORMER, "local IP address, compared against a network"),
    f("fd.rnet", T::IpNet, A::None, NO_RHS | NO_TRANSFORMER, "remote IP address, compared against a network"),
    f("fd.connected", T::Bool, A::None, 0, "true if the socket is connected"),
    f("fd.name_changed", T::Bool, A::None, 0, "true if the event changed the fd name (connect, accept)"),
    f("fd.cip.name", T::Str, A::None, NO_RHS | NO_TRANSFORMER, "domain name of the client IP address"),
    f("fd.sip.name", T::Str, A::None, NO_RHS | NO_TRANSFORMER, "domain name of the server IP address"),
    f("fd.lip.name", T::Str, A::None, NO_RHS | NO_TRANSFORMER, "domain name of the local IP address"),
    f("fd.rip.name", T::Str, A::None, NO_RHS | NO_TRANSFORMER, "domain name of the remote IP address"),
    f("fd.dev", T::I64, A::None, HEX, "device number of the file"),
    f("fd.dev.major", T::I64, A::None, 0, "major device number of the file"),
    f("fd.dev.minor", T::I64, A::None, 0, "minor device number of the file"),
    f("fd.ino", T::I64, A::None, 0, "inode number of the file"),
    f("fd.nameraw", T::Str, A::None, 0, "fd name as passed by the process, not normalised"),
    f("fd.types", T::Str, A::OptIndex, IS_LIST | NO_RHS, "types of the process's fds, each once; with an fd number, that fd's type"),
    f("fd.is_upper_layer", T::Bool, A::None, 0, "true if the file is on the upper layer of an overlay filesystem"),
    f("fd.is_lower_layer", T::Bool, A::None, 0, "true if the file is on a lower layer of an overlay filesystem"),
    // fs.path
    f("fs.path.name", T::Str, A::None, 0, "path argument of a filesystem event, made absolute"),
    f("fs.path.nameraw", T::Str, A::None, 0, "path argument of a filesystem event, as passed"),
    f("fs.path.source", T::Str, A::None, 0, "source path of a link or rename, made absolute"),
    f("fs.path.sourceraw", T::Str, A::None, 0, "source path of a link or rename, as passed"),
    f("fs.path.target", T::Str, A::None, 0, "target path of a link or rename, made absolute"),
    f("fs.path.targetraw", T::Str, A::None, 0, "target path of a link or rename, as passed"),
    // group, user
    f("group.gid", T::U64, A::None, 0, "group id"),
    f("group.name", T::Str, A::None, 0, "group name"),
    f("user.uid", T::U64, A::None, 0, "user id"),
    f("user.name", T::Str, A::None, 0, "user name"),
    f("user.homedir", T::Str, A::None, 0, "home directory of the user"),
    f("user.shell", T::Str, A::None, 0, "login shell of the user"),
    f("user.loginuid", T::I64, A::None, 0, "audit login user id (-1 when unset)"),
    f("user.loginname", T::Str, A::None, 0, "user name of user.loginuid"),
    // proc, thread
    f("proc.exe", T::Str, A::None, 0, "first command-line argument (argv[0])"),
    f("proc.pexe", T::Str, A::None, 0, "argv[0] of the parent"),
    f("proc.aexe", T::Str, A::OptIndex, ANC, "argv[0] of an ancestor: [1] parent, [2] grandparent; any ancestor without index"),
    f("proc.exepath", T::Str, A::None, 0, "full path of the executable"),
    f("proc.pexepath", T::Str, A::None, 0, "full executable path of the parent"),
    f("proc.aexepath", T::Str, A::OptIndex, ANC, "full executable path of an ancestor; any ancestor without index"),
    f("proc.name", T::Str, A::None, 0, "process name (the executable's base name, as comm)"),
    f("proc.pname", T::Str, A::None, 0, "name of the parent"),
    f("proc.aname", T::Str, A::OptIndex, ANC, "name of an ancestor: [1] parent, [2] grandparent; any ancestor without index"),
    f("proc.args", T::Str, A::OptIndex, 0, "command-line arguments after argv[0], joined by spaces; [N] one argument"),
    f("proc.aargs", T::Str, A::OptIndex, ANC, "arguments of an ancestor"),
    f("proc.cmdline", T::Str, A::None, 0, "process name followed by its arguments"),
    f("proc.pcmdline", T::Str, A::None, 0, "command line of the parent"),
    f("proc.acmdline", T::Str, A::OptIndex, ANC, "command line of an ancestor; any ancestor without index"),
    f("proc.cmdnargs", T::U64, A::None, 0, "number of command-line arguments"),
    f("proc.cmdlenargs", T::U64, A::None, 0, "total length of the command-line arguments"),
    f("proc.exeline", T::Str, A::None, 0, "argv[0] followed by the arguments"),
    f("proc.env", T::Str, A::OptKey, 0, "environment variables, or the value of one ([NAME])"),
    f("proc.aenv", T::Str, A::OptKey, ANC, "environment of an ancestor"),
    f("proc.cwd", T::Str, A::None, 0, "current working directory"),
    f("proc.loginshellid", T::I64, A::None, 0, "pid of the outermost shell ancestor"),
    f("proc.tty", T::U64, A::None, 0, "controlling terminal (0 if none)"),
    f("proc.pid", T::I64, A::None, 0, "process id"),
    f("proc.ppid", T::I64, A::None, 0, "parent process id"),
    f("proc.apid", T::I64, A::OptIndex, ANC, "pid of an ancestor; any ancestor without index"),
    f("proc.vpid", T::I64, A::None, 0, "process id inside its pid namespace"),
    f("proc.pvpid", T::I64, A::None, 0, "parent process id inside its pid namespace"),
    f("proc.sid", T::I64, A::None, 0, "session id"),
    f("proc.sname", T::Str, A::None, 0, "name of the session leader"),
    f("proc.sid.exe", T::Str, A::None, 0, "argv[0] of the session leader"),
    f("proc.sid.exepath", T::Str, A::None, 0, "executable path of the session leader"),
    f("proc.vpgid", T::I64, A::None, 0, "process group id inside its pid namespace"),
    f("proc.vpgid.name", T::Str, A::None, 0, "name of the process group leader (namespace view)"),
    f("proc.vpgid.exe", T::Str, A::None, 0, "argv[0] of the process group leader (namespace view)"),
    f("proc.vpgid.exepath", T::Str, A::None, 0, "executable path of the process group leader (namespace view)"),
    f("proc.pgid", T::I64, A::None, 0, "process group id (-1 when the capture has none)"),
    f("proc.pgid.name", T::Str, A::None, 0, "name of the process group leader"),
    f("proc.pgid.exe", T::Str, A::None, 0, "argv[0] of the process group leader"),
    f("proc.pgid.exepath", T::Str, A::None, 0, "executable path of the process group leader"),
    f("proc.duration", T::RelTime, A::None, 0, "nanoseconds since the process started"),
    f("proc.ppid.duration", T::RelTime, A::None, 0, "nanoseconds since the parent started"),
    f("proc.pid.ts", T::RelTime, A::None, 0, "start time of the process"),
    f("proc.ppid.ts", T::RelTime, A::None, 0, "start time of the parent"),
    f("proc.is_exe_writable", T::Bool, A::None, 0, "true if the executable is writable by the process's user"),
    f("proc.is_exe_upper_layer", T::Bool, A::None, 0, "true if the executable is on the upper layer of an overlay filesystem"),
    f("proc.is_exe_lower_layer", T::Bool, A::None, 0, "true if the executable is on a lower layer of an overlay filesystem"),
    f("proc.is_exe_from_memfd", T::Bool, A::None, 0, "true if the executable is a memfd (fileless execution)"),
    f("proc.is_sid_leader", T::Bool, A::None, 0, "true if the process leads its session"),
    f("proc.is_vpgid_leader", T::Bool, A::None, 0, "true if the process leads its process group (namespace view)"),
    f("proc.is_pgid_leader", T::Bool, A::None, 0, "true if the process leads its process group"),
    f("proc.exe_ino", T::I64, A::None, 0, "inode number of the executable"),
    f("proc.exe_ino.ctime", T::AbsTime, A::None, 0, "last status change time of the executable's inode"),
    f("proc.exe_ino.mtime", T::AbsTime, A::None, 0, "last modification time of the executable's inode"),
    f("proc.exe_ino.ctime_duration_proc_start", T::AbsTime, A::None, 0, "nanoseconds between the executable's ctime and the process start"),
    f("proc.exe_ino.ctime_duration_pidns_start", T::AbsTime, A::None, 0, "nanoseconds between the pid namespace start and the executable's ctime"),
    f("proc.pidns_init_start_ts", T::U64, A::None, 0, "start time of the pid namespace's init process"),
    f("thread.cap_permitted", T::Str, A::None, 0, "permitted capabilities, names joined by spaces"),
    f("thread.cap_inheritable", T::Str, A::None, 0, "inheritable capabilities"),
    f("thread.cap_effective", T::Str, A::None, 0, "effective capabilities"),
    f("proc.fdopencount", T::U64, A::None, 0, "number of open fds"),
    f("proc.fdlimit", T::I64, A::None, 0, "maximum number of fds"),
    f("proc.fdusage", T::Double, A::None, 0, "open fds as a percentage of the limit"),
    f("proc.vmsize", T::U64, A::None, 0, "virtual memory size in KiB"),
    f("proc.vmrss", T::U64, A::None, 0, "resident memory in KiB"),
    f("proc.vmswap", T::U64, A::None, 0, "swapped memory in KiB"),
    f("thread.pfmajor", T::U64, A::None, 0, "major page faults since the thread started"),
    f("thread.pfminor", T::U64, A::None, 0, "minor page faults since the thread started"),
    f("thread.tid", T::I64, A::None, 0, "thread id"),
    f("thread.ismain", T::Bool, A::None, 0, "true for the main thread of a process"),
    f("thread.vtid", T::I64, A::None, 0, "thread id inside its pid namespace"),
    f("thread.exectime", T::RelTime, A::None, 0, "CPU time of the last scheduled run"),
    f("thread.totexectime", T::RelTime, A::None, 0, "total CPU time of the thread"),
    f("thread.cgroups", T::Str, A::None, 0, "all cgroups of the thread"),
    f("thread.cgroup", T::Str, A::Key, DOTTED_ARG, "cgroup of the thread in one subsystem (thread.cgroup.cpuacct)"),
    f("proc.nthreads", T::U64, A::None, 0, "number of threads of the process"),
    f("proc.nchilds", T::U64, A::None, 0, "number of child threads of the process"),
    // libsinsp 0.25 (`sinsp_filter_check_thread::extract_thread_cpu`) has a value on procinfo
    // events only: the thread's user+system (or user, or system) CPU ticks less the number
    // stored in one per-thread slot, capped at 100 (0 when the slot holds 0), and every
    // extraction then stores its own reading there. The slot is a dynamic thread field of
    // one name (`_tmp_sinsp_filter_thread_cpu`) shared by the three fields and by every
    // rule condition and output that names one of them. So a value depends on which reads
    // happened before it on that thread: which rules' conditions reached the field (rule
    // order, short-circuits, filter caches), which rules matched (`rule_matching`), how
    // many times the output formats read it (Falco's JSON output reads each output field
    // twice, for `output` and for `output_fields`, and the second read of the same event
    // gives 0), and the same on every earlier procinfo event of the thread. That sequence
    // is Falco's evaluation order, not a fact of the trace: hindsight's outputs (text,
    // JSON, Parquet, several sinks, `--match first`), its parallel chunks and its
    // checkpoints would each need their own history of reads, and two outputs of one alert
    // would disagree as they do in Falco. No per-event value equals Falco's in general, so
    // the fields stay a load error.
    f("thread.cpu", T::Double, A::None, UNSUPPORTED, "CPU use of the thread; not computed: libsinsp's value depends on how many reads of the three thread.cpu fields, by any rule or output, came before it on the thread"),
    f("thread.cpu.user", T::Double, A::None, UNSUPPORTED, "user CPU use of the thread; not computed, as thread.cpu"),
    f("thread.cpu.system", T::Double, A::None, UNSUPPORTED, "system CPU use of the thread; not computed, as thread.cpu"),
    f("thread.vmsize", T::U64, A::None, 0, "virtual memory of the main thread in KiB"),
    f("thread.vmrss", T::U64, A::None, 0, "resident memory of the main thread in KiB"),
    f("proc.stdin.type", T::Str, A::None, 0, "fd type of stdin"),
    f("proc.stdout.type", T::Str, A::None, 0, "fd type of stdout"),
    f("proc.stderr.type", T::Str, A::None, 0, "fd type of stderr"),
    f("proc.stdin.name", T::Str, A::None, 0, "fd name of stdin"),
    f("proc.stdout.name", T::Str, A::None, 0, "fd name of stdout"),
    f("proc.stderr.name", T::Str, A::None, 0, "fd name of stderr"),
    // fdlist
    f("fdlist.nums", T::Str, A::None, 0, "fd numbers of a poll event, comma separated"),
    f("fdlist.names", T::Str, A::None, 0, "fd names of a poll event"),
    f("fdlist.cips", T::Str, A::None, 0, "client IPs of the fds of a poll event"),
    f("fdlist.sips", T::Str, A::None, 0, "server IPs of the fds of a poll event"),
    f("fdlist.cports", T::Str, A::None, 0, "client ports of the fds of a poll event"),
    f("fdlist.sports", T::Str, A::None, 0, "server ports of the fds of a poll event"),
    // container (container plugin)
    f("container.id", T::Str, A::None, 0, "container id (12 characters), or host"),
    f("container.full_id", T::Str, A::None, 0, "full container id"),
    f("container.name", T::Str, A::None, 0, "container name, or host"),
    f("container.image", T::Str, A::None, 0, "container image name (repository:tag)"),
    f("container.image.id", T::Str, A::None, 0, "container image id"),
    f("container.type", T::Str, A::None, 0, "container runtime type: docker, cri-o, containerd, podman, ..."),
    f("container.privileged", T::Bool, A::None, 0, "true for privileged containers"),
    f("container.mounts", T::Str, A::None, 0, "all mounts as source:dest:mode:rdwr:propagation, comma separated"),
    f("container.mount", T::Str, A::Key, 0, "one mount as source:dest:mode:rdwr:propagation, by index or source (regular expression)"),
    f("container.mount.source", T::Str, A::Key, 0, "source of a mount, by index or destination (regular expression)"),
    f("container.mount.dest", T::Str, A::Key, 0, "destination of a mount, by index or source (regular expression)"),
    f("container.mount.mode", T::Str, A::Key, 0, "mode of a mount, by index or source (regular expression)"),
    f("container.mount.rdwr", T::Str, A::Key, 0, "read/write flag of a mount, by index or source (regular expression)"),
    f("container.mount.propagation", T::Str, A::Key, 0, "propagation of a mount, by index or source (regular expression)"),
    f("container.image.repository", T::Str, A::None, 0, "repository part of the image name"),
    f("container.image.tag", T::Str, A::None, 0, "tag part of the image name"),
    f("container.image.digest", T::Str, A::None, 0, "registry digest of the image"),
    f("container.healthcheck", T::Str, A::None, DEPRECATED, "deprecated by the container plugin: never has a value"),
    f("container.liveness_probe", T::Str, A::None, DEPRECATED, "deprecated by the container plugin: never has a value"),
    f("container.readiness_probe", T::Str, A::None, DEPRECATED, "deprecated by the container plugin: never has a value"),
    f("container.start_ts", T::AbsTime, A::None, 0, "container start time: start of the thread's pid namespace init (proc.pidns_init_start_ts)"),
    f("container.duration", T::RelTime, A::None, 0, "nanoseconds since the container started"),
    f("container.ip", T::Str, A::None, 0, "primary IP address of the container"),
    f("container.cni.json", T::Str, A::None, 0, "CNI result of the container, as JSON"),
    f("container.host_pid", T::Bool, A::None, 0, "true if the container shares the host pid namespace"),
    f("container.host_network", T::Bool, A::None, 0, "true if the container shares the host network namespace"),
    f("container.host_ipc", T::Bool, A::None, 0, "true if the container shares the host ipc namespace"),
    f("container.label", T::Str, A::Key, 0, "one container label by name"),
    f("container.labels", T::Str, A::None, 0, "all container labels as key:value, comma separated"),
    f("proc.is_container_healthcheck", T::Bool, A::None, DEPRECATED, "deprecated by the container plugin: never has a value"),
    f("proc.is_container_liveness_probe", T::Bool, A::None, DEPRECATED, "deprecated by the container plugin: never has a value"),
    f("proc.is_container_readiness_probe", T::Bool, A::None, DEPRECATED, "deprecated by the container plugin: never has a value"),
    // k8s (container plugin: from the container's labels and pod sandbox metadata)
    f("k8s.pod.name", T::Str, A::None, 0, "Kubernetes pod name"),
    f("k8s.ns.name", T::Str, A::None, 0, "Kubernetes namespace name"),
    f("k8s.pod.id", T::Str, A::None, DEPRECATED, "Kubernetes pod uid (use k8s.pod.uid)"),
    f("k8s.pod.uid", T::Str, A::None, 0, "Kubernetes pod uid"),
    f("k8s.pod.sandbox_id", T::Str, A::None, 0, "pod sandbox id (12 characters)"),
    f("k8s.pod.full_sandbox_id", T::Str, A::None, 0, "full pod sandbox id"),
    f("k8s.pod.label", T::Str, A::Key, 0, "one pod label by name"),
    f("k8s.pod.labels", T::Str, A::None, 0, "all pod labels as key:value, comma separated"),
    f("k8s.pod.ip", T::Str, A::None, 0, "pod IP address"),
    f("k8s.pod.cni.json", T::Str, A::None, 0, "CNI result of the pod, as JSON"),
    // k8s fields the container plugin still declares but no longer fills (use the k8smeta plugin)
    f("k8s.rc.name", T::Str, A::None, DEPRECATED, "Kubernetes replication controller name: deprecated by the container plugin, never has a value"),
    f("k8s.rc.id", T::Str, A::None, DEPRECATED, "Kubernetes replication controller id: deprecated by the container plugin, never has a value"),
    f("k8s.rc.label", T::Str, A::Key, DEPRECATED, "one label of the Kubernetes replication controller, by name: deprecated by the container plugin, never has a value"),
    f("k8s.rc.labels", T::Str, A::None, DEPRECATED, "Kubernetes replication controller labels: deprecated by the container plugin, never has a value"),
    f("k8s.svc.name", T::Str, A::None, DEPRECATED, "Kubernetes service name: deprecated by the container plugin, never has a value"),
    f("k8s.svc.id", T::Str, A::None, DEPRECATED, "Kubernetes service id: deprecated by the container plugin, never has a value"),
    f("k8s.svc.label", T::Str, A::Key, DEPRECATED, "one label of the Kubernetes service, by name: deprecated by the container plugin, never has a value"),
    f("k8s.svc.labels", T::Str, A::None, DEPRECATED, "Kubernetes service labels: deprecated by the container plugin, never has a value"),
    f("k8s.ns.id", T::Str, A::None, DEPRECATED, "Kubernetes namespace id: deprecated by the container plugin, never has a value"),
    f("k8s.ns.label", T::Str, A::Key, DEPRECATED, "one label of the Kubernetes namespace, by name: deprecated by the container plugin, never has a value"),
    f("k8s.ns.labels", T::Str, A::None, DEPRECATED, "Kubernetes namespace labels: deprecated by the container plugin, never has a value"),
    f("k8s.rs.name", T::Str, A::None, DEPRECATED, "Kubernetes replica set name: deprecated by the container plugin, never has a value"),
    f("k8s.rs.id", T::Str, A::None, DEPRECATED, "Kubernetes replica set id: deprecated by the container plugin, never has a value"),
    f("k8s.rs.label", T::Str, A::Key, DEPRECATED, "one label of the Kubernetes replica set, by name: deprecated by the container plugin, never has a value"),
    f("k8s.rs.labels", T::Str, A::None, DEPRECATED, "Kubernetes replica set labels: deprecated by the container plugin, never has a value"),
    f("k8s.deployment.name", T::Str, A::None, DEPRECATED, "Kubernetes deployment name: deprecated by the container plugin, never has a value"),
    f("k8s.deployment.id", T::Str, A::None, DEPRECATED, "Kubernetes deployment id: deprecated by the container plugin, never has a value"),
    f("k8s.deployment.label", T::Str, A::Key, DEPRECATED, "one label of the Kubernetes deployment, by name: deprecated by the container plugin, never has a value"),
    f("k8s.deployment.labels", T::Str, A::None, DEPRECATED, "Kubernetes deployment labels: deprecated by the container plugin, never has a value"),
];

/// The descriptor and id of the field named exactly `name`.
pub fn field(name: &str) -> Option<(FieldId, &'static FieldInfo)> {
    FIELDS
        .iter()
        .position(|f| f.name == name)
        .map(|i| (FieldId(i as u16), &FIELDS[i]))
}

/// Resolves a field name as written in a condition, where the argument may follow a dot
/// (`evt.arg.flags` is `evt.arg` with argument `flags`). Returns the field and the dotted
/// argument, if any. The longest matching name wins.
pub fn lookup(name: &str) -> Option<(FieldId, &'static FieldInfo, Option<&str>)> {
    if let Some((id, info)) = field(name) {
        return Some((id, info, None));
    }
    let mut end = name.len();
    while let Some(dot) = name[..end].rfind('.') {
        if let Some((id, info)) = field(&name[..dot]) {
            let arg = &name[dot + 1..];
            if info.has(DOTTED_ARG) && !arg.is_empty() {
                return Some((id, info, Some(arg)));
            }
            return None;
        }
        end = dot;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_ids_fit() {
        let mut names: Vec<_> = FIELDS.iter().map(|f| f.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate field name");
        assert!(FIELDS.len() < u16::MAX as usize);
    }

    #[test]
    fn dotted_arguments_resolve_to_their_field() {
        let (_, info, arg) = lookup("evt.arg.flags").unwrap();
        assert_eq!((info.name, arg), ("evt.arg", Some("flags")));
        // Plugin fields take brackets only: Falco 0.44 rejects `k8s.pod.label.app` and
        // `container.label.maintainer` ("requires an argument but none provided").
        assert!(lookup("k8s.pod.label.app").is_none());
        assert!(lookup("container.label.maintainer").is_none());
        assert!(lookup("proc.name.x").is_none());
        assert!(lookup("proc.nosuch").is_none());
        assert_eq!(lookup("proc.name").unwrap().1.ty, FieldType::Str);
    }
}
