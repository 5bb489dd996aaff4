//! Typed decoding of event parameters: [`ParamValue`] turns a parameter's bytes into a value by
//! the parameter's wire type (SCAP_FORMAT.md §5), borrowing strings and buffers from the record.
//! Decoding never fails: bytes of the wrong size become [`ParamValue::Invalid`].

use crate::schema::{ParamExtra, ParamInfo, ParamType};

/// A decoded parameter value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamValue<'a> {
    /// Zero-length parameter: absent (sysdig prints `NULL`).
    Absent,
    /// Signed integer (INT8..INT64).
    Int(i64),
    /// Unsigned integer (UINT8..UINT64, PORT, L4PROTO, SOCKFAMILY, SIGSET).
    Uint(u64),
    /// Return value or errno: negative values are `-errno`.
    Errno(i64),
    /// File descriptor.
    Fd(i64),
    /// Process or thread id.
    Pid(i64),
    /// User id (`u32::MAX` = none).
    Uid(u32),
    /// Group id.
    Gid(u32),
    /// NUL-terminated string (CHARBUF), without its NUL.
    Str(&'a [u8]),
    /// A path (FSPATH/FSRELPATH), without its NUL; relative paths resolve against cwd or dirfd.
    Path(&'a [u8]),
    /// Raw bytes (BYTEBUF; args/env/cgroups are NUL-separated lists).
    Bytes(&'a [u8]),
    /// A socket address (family byte + payload).
    SockAddr(&'a [u8]),
    /// A socket tuple (family byte + source and destination).
    SockTuple(&'a [u8]),
    /// poll/ppoll fd list: `u16 n` then `n × (i64 fd, u16 flags)`.
    FdList(&'a [u8]),
    /// Syscall code (PPM_SC) of a generic event.
    Syscall(u16),
    /// Signal number.
    Signal(u8),
    /// Relative time in ns.
    RelTime(u64),
    /// Absolute time in ns since the epoch.
    AbsTime(u64),
    /// Bit flags or enum with their name table.
    Flags {
        /// The raw value.
        value: u32,
        /// Name table (empty when the parameter has none).
        names: &'static [(&'static str, u32)],
    },
    /// File mode bits.
    Mode(u32),
    /// Boolean.
    Bool(bool),
    /// Floating point.
    Double(f64),
    /// IPv4 or IPv6 address (4 or 16 bytes, network order).
    Ip(&'a [u8]),
    /// Bytes that do not fit the declared type.
    Invalid(&'a [u8]),
}

fn int(b: &[u8]) -> Option<u64> {
    Some(match b.len() {
        1 => u64::from(b[0]),
        2 => u64::from(u16::from_le_bytes([b[0], b[1]])),
        4 => u64::from(u32::from_le_bytes(b.try_into().ok()?)),
        8 => u64::from_le_bytes(b.try_into().ok()?),
        _ => return None,
    })
}

fn sint(b: &[u8]) -> Option<i64> {
    Some(match b.len() {
        1 => i64::from(b[0] as i8),
        2 => i64::from(i16::from_le_bytes([b[0], b[1]])),
        4 => i64::from(i32::from_le_bytes(b.try_into().ok()?)),
        8 => i64::from_le_bytes(b.try_into().ok()?),
        _ => return None,
    })
}

fn strip_nul(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(i) => &b[..i],
        None => b,
    }
}

impl<'a> ParamValue<'a> {
    /// Decodes `bytes` (None = absent) as parameter `info` says; DYN parameters are unwrapped
    /// through their selector byte.
    pub fn decode(info: &ParamInfo, bytes: Option<&'a [u8]>) -> ParamValue<'a> {
        let Some(b) = bytes else {
            return ParamValue::Absent;
        };
        let (ty, b) = match (info.ty, info.extra) {
            (ParamType::Dyn, ParamExtra::Dyn(alts)) => match b.split_first() {
                Some((&sel, rest)) => match alts.get(sel as usize) {
                    Some(&t) => (t, rest),
                    None => return ParamValue::Invalid(b),
                },
                None => return ParamValue::Invalid(b),
            },
            (t, _) => (t, b),
        };
        let names = match info.extra {
            ParamExtra::Flags(n) | ParamExtra::Enum(n) => n,
            _ => &[],
        };
        Self::decode_as(ty, names, b)
    }

    /// Decodes `b` as wire type `ty`.
    pub fn decode_as(
        ty: ParamType,
        names: &'static [(&'static str, u32)],
        b: &'a [u8],
    ) -> ParamValue<'a> {
        use ParamType as T;
        let v = match ty {
            T::Int8 | T::Int16 | T::Int32 | T::Int64 => sint(b).map(ParamValue::Int),
            T::Uint8
            | T::Uint16
            | T::Uint32
            | T::Uint64
            | T::Port
            | T::L4proto
            | T::Sockfamily
            | T::Sigset => int(b).map(ParamValue::Uint),
            T::Errno => sint(b).map(ParamValue::Errno),
            T::Fd | T::Fd32 => sint(b).map(ParamValue::Fd),
            T::Pid | T::Pid32 => sint(b).map(ParamValue::Pid),
            T::Uid => int(b).map(|v| ParamValue::Uid(v as u32)),
            T::Gid => int(b).map(|v| ParamValue::Gid(v as u32)),
            T::Charbuf => Some(ParamValue::Str(strip_nul(b))),
            T::Fspath | T::Fsrelpath => Some(ParamValue::Path(strip_nul(b))),
            T::Bytebuf | T::Charbufarray | T::CharbufPairArray => Some(ParamValue::Bytes(b)),
            T::Sockaddr => Some(ParamValue::SockAddr(b)),
            T::Socktuple => Some(ParamValue::SockTuple(b)),
            T::Fdlist => Some(ParamValue::FdList(b)),
            T::Syscallid => int(b).map(|v| ParamValue::Syscall(v as u16)),
            T::Sigtype => int(b).map(|v| ParamValue::Signal(v as u8)),
            T::Reltime => int(b).map(ParamValue::RelTime),
            T::Abstime => int(b).map(ParamValue::AbsTime),
            T::Flags8
            | T::Flags16
            | T::Flags32
            | T::Enumflags8
            | T::Enumflags16
            | T::Enumflags32 => int(b).map(|v| ParamValue::Flags {
                value: v as u32,
                names,
            }),
            T::Mode => int(b).map(|v| ParamValue::Mode(v as u32)),
            T::Bool => int(b).map(|v| ParamValue::Bool(v != 0)),
            T::Double => b
                .try_into()
                .ok()
                .map(|a| ParamValue::Double(f64::from_le_bytes(a))),
            T::Ipv4addr | T::Ipv6addr | T::Ipaddr | T::Ipv4net | T::Ipv6net | T::Ipnet => {
                Some(ParamValue::Ip(b))
            }
            T::None | T::Dyn => None,
        };
        v.unwrap_or(ParamValue::Invalid(b))
    }

    /// The value as a signed integer, when it is numeric.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            ParamValue::Int(v) | ParamValue::Errno(v) | ParamValue::Fd(v) | ParamValue::Pid(v) => {
                Some(v)
            }
            ParamValue::Uint(v) | ParamValue::RelTime(v) | ParamValue::AbsTime(v) => Some(v as i64),
            ParamValue::Uid(v) | ParamValue::Gid(v) | ParamValue::Mode(v) => Some(i64::from(v)),
            ParamValue::Flags { value, .. } => Some(i64::from(value)),
            ParamValue::Syscall(v) => Some(i64::from(v)),
            ParamValue::Signal(v) => Some(i64::from(v)),
            ParamValue::Bool(v) => Some(i64::from(v)),
            _ => None,
        }
    }

    /// The value as bytes, when it is a string, path or buffer.
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            ParamValue::Str(b) | ParamValue::Path(b) | ParamValue::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

/// Iterates the `(fd, flags)` pairs of an FDLIST parameter.
pub fn fdlist(b: &[u8]) -> impl Iterator<Item = (i64, u16)> + '_ {
    let n = b.get(0..2).map_or(0, |s| u16::from_le_bytes([s[0], s[1]])) as usize;
    (0..n).map_while(move |i| {
        let e = b.get(2 + i * 10..12 + i * 10)?;
        Some((
            i64::from_le_bytes(e[0..8].try_into().ok()?),
            u16::from_le_bytes([e[8], e[9]]),
        ))
    })
}

/// Renders flag names the way sysdig 0.29 does: walk the table in order, append each name whose
/// bits are all set (clearing them), stop at an entry equal to the whole value (appended last).
pub fn flags_str(value: u32, names: &[(&str, u32)], out: &mut String) {
    let mut val = value;
    let mut sep = "";
    for &(name, bits) in names {
        if bits == value {
            out.push_str(sep);
            out.push_str(name);
            return;
        }
        if (bits == 0 && value == 0) || (bits != 0 && val & bits == bits && val != 0) {
            out.push_str(sep);
            out.push_str(name);
            sep = "|";
            val &= !bits;
        }
    }
}

/// Linux errno names by number, as sysdig resolves negative return values.
pub fn errno_name(e: i64) -> Option<&'static str> {
    const NAMES: [&str; 134] = [
        "",
        "EPERM",
        "ENOENT",
        "ESRCH",
        "EINTR",
        "EIO",
        "ENXIO",
        "E2BIG",
        "ENOEXEC",
        "EBADF",
        "ECHILD",
        "EAGAIN",
        "ENOMEM",
        "EACCES",
        "EFAULT",
        "ENOTBLK",
        "EBUSY",
        "EEXIST",
        "EXDEV",
        "ENODEV",
        "ENOTDIR",
        "EISDIR",
        "EINVAL",
        "ENFILE",
        "EMFILE",
        "ENOTTY",
        "ETXTBSY",
        "EFBIG",
        "ENOSPC",
        "ESPIPE",
        "EROFS",
        "EMLINK",
        "EPIPE",
        "EDOM",
        "ERANGE",
        "EDEADLK",
        "ENAMETOOLONG",
        "ENOLCK",
        "ENOSYS",
        "ENOTEMPTY",
        "ELOOP",
        "",
        "ENOMSG",
        "EIDRM",
        "ECHRNG",
        "EL2NSYNC",
        "EL3HLT",
        "EL3RST",
        "ELNRNG",
        "EUNATCH",
        "ENOCSI",
        "EL2HLT",
        "EBADE",
        "EBADR",
        "EXFULL",
        "ENOANO",
        "EBADRQC",
        "EBADSLT",
        "",
        "EBFONT",
        "ENOSTR",
        "ENODATA",
        "ETIME",
        "ENOSR",
        "ENONET",
        "ENOPKG",
        "EREMOTE",
        "ENOLINK",
        "EADV",
        "ESRMNT",
        "ECOMM",
        "EPROTO",
        "EMULTIHOP",
        "EDOTDOT",
        "EBADMSG",
        "EOVERFLOW",
        "ENOTUNIQ",
        "EBADFD",
        "EREMCHG",
        "ELIBACC",
        "ELIBBAD",
        "ELIBSCN",
        "ELIBMAX",
        "ELIBEXEC",
        "EILSEQ",
        "ERESTART",
        "ESTRPIPE",
        "EUSERS",
        "ENOTSOCK",
        "EDESTADDRREQ",
        "EMSGSIZE",
        "EPROTOTYPE",
        "ENOPROTOOPT",
        "EPROTONOSUPPORT",
        "ESOCKTNOSUPPORT",
        "EOPNOTSUPP",
        "EPFNOSUPPORT",
        "EAFNOSUPPORT",
        "EADDRINUSE",
        "EADDRNOTAVAIL",
        "ENETDOWN",
        "ENETUNREACH",
        "ENETRESET",
        "ECONNABORTED",
        "ECONNRESET",
        "ENOBUFS",
        "EISCONN",
        "ENOTCONN",
        "ESHUTDOWN",
        "ETOOMANYREFS",
        "ETIMEDOUT",
        "ECONNREFUSED",
        "EHOSTDOWN",
        "EHOSTUNREACH",
        "EALREADY",
        "EINPROGRESS",
        "ESTALE",
        "EUCLEAN",
        "ENOTNAM",
        "ENAVAIL",
        "EISNAM",
        "EREMOTEIO",
        "EDQUOT",
        "ENOMEDIUM",
        "EMEDIUMTYPE",
        "ECANCELED",
        "ENOKEY",
        "EKEYEXPIRED",
        "EKEYREVOKED",
        "EKEYREJECTED",
        "EOWNERDEAD",
        "ENOTRECOVERABLE",
        "ERFKILL",
        "EHWPOISON",
    ];
    let n = e.checked_neg()?;
    match n {
        512 => Some("ERESTARTSYS"),
        513 => Some("ERESTARTNOINTR"),
        514 => Some("ERESTARTNOHAND"),
        515 => Some("ENOIOCTLCMD"),
        516 => Some("ERESTART_RESTARTBLOCK"),
        _ => NAMES
            .get(usize::try_from(n).ok()?)
            .copied()
            .filter(|s| !s.is_empty()),
    }
}

/// Signal names by number.
pub fn signal_name(s: u8) -> Option<&'static str> {
    const NAMES: [&str; 32] = [
        "",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    NAMES.get(s as usize).copied().filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{event_info, names};

    #[test]
    fn open_flags_render_like_sysdig() {
        let mut s = String::new();
        flags_str(4097, names::FILE_FLAGS, &mut s);
        assert_eq!(s, "O_RDONLY|O_CLOEXEC");
        let mut s = String::new();
        flags_str(0, names::ACCESS_FLAGS, &mut s);
        assert_eq!(s, "F_OK");
        let mut s = String::new();
        flags_str(10, names::SOCKET_FAMILIES, &mut s);
        assert_eq!(s, "AF_INET6");
    }

    #[test]
    fn decodes_by_type_and_never_panics_on_bad_sizes() {
        let open = event_info(3).unwrap();
        assert_eq!(
            ParamValue::decode(&open.params[0], Some(&3i64.to_le_bytes())),
            ParamValue::Fd(3)
        );
        assert_eq!(
            ParamValue::decode(&open.params[0], Some(&[1, 2, 3])),
            ParamValue::Invalid(&[1, 2, 3])
        );
        assert_eq!(
            ParamValue::decode(&open.params[1], Some(b"/etc\0")),
            ParamValue::Path(b"/etc")
        );
        assert_eq!(
            ParamValue::decode(&open.params[1], None),
            ParamValue::Absent
        );
        assert_eq!(errno_name(-2), Some("ENOENT"));
        assert_eq!(errno_name(i64::MIN), None);
    }
}
