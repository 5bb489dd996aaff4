//! sysdig-style rendering of events: `%evt.num %evt.time %evt.cpu %proc.name (%thread.tid)
//! %evt.dir %evt.type %evt.args`, with each argument printed as `sysdig -r` prints it
//! (`fd=3(<f>/etc/ld.so.cache)`, `res=-2(ENOENT)`, `flags=4097(O_RDONLY|O_CLOEXEC)`, byte
//! buffers with non-printable bytes as `.` and cut to 80 characters).
//!
//! Names that need state (thread comm, fd names, user names) come from a [`Resolver`]; the
//! replay engine implements it with its full state, [`HeaderResolver`] uses only the trace
//! header's tables. Times are printed in UTC.

use std::fmt::Write as _;

use crate::event::EventRef;
use crate::header::{FdKind, TraceHeader};
use crate::schema::{self, convert, old, ParamFormat, ParamInfo};
use crate::value::{errno_name, fdlist, flags_str, signal_name, ParamValue};

/// `PPM_AT_FDCWD`, printed by name rather than as an errno.
const AT_FDCWD: i64 = -100;

/// Longest byte-buffer rendering, as sysdig's default `m_max_evt_output_len`.
pub const MAX_BUFFER_CHARS: usize = 80;

/// Looks up state the printer cannot know from the event alone.
pub trait Resolver {
    /// The `comm` of thread `tid`.
    fn comm(&self, _tid: i64) -> Option<&[u8]> {
        None
    }
    /// Type character and name of `fd` as seen by thread `tid` (`('f', "/etc/passwd")`).
    fn fd(&self, _tid: i64, _fd: i64) -> Option<(char, String)> {
        None
    }
    /// User name of `uid`.
    fn user(&self, _uid: u32) -> Option<&[u8]> {
        None
    }
    /// A relative path of thread `tid` made absolute against its working directory (no
    /// `dirfd`, or `AT_FDCWD`) or the directory fd `dirfd`; sysdig prints it after the
    /// path as `name(/resolved/name)`.
    fn resolve_path(&self, _tid: i64, _dirfd: Option<i64>, _path: &[u8]) -> Option<Vec<u8>> {
        None
    }
    /// Group name of `gid`.
    fn group(&self, _gid: u32) -> Option<&[u8]> {
        None
    }
    /// Layer-4 letter of a socket fd (`t` tcp, `u` udp, `i` icmp, `r` raw), printed after
    /// the type character as sysdig does (`<4t>`).
    fn fd_l4(&self, _tid: i64, _fd: i64) -> Option<char> {
        None
    }
}

/// A resolver that knows nothing (prints bare values).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoState;
impl Resolver for NoState {}

/// Resolves names from the header blocks only (threads and fds alive at capture start).
#[derive(Debug)]
pub struct HeaderResolver<'h> {
    header: &'h TraceHeader,
    by_tid: std::collections::HashMap<i64, usize>,
}

impl<'h> HeaderResolver<'h> {
    /// Indexes `header`'s thread table.
    pub fn new(header: &'h TraceHeader) -> Self {
        let by_tid = header
            .threads
            .iter()
            .enumerate()
            .map(|(i, t)| (t.tid, i))
            .collect();
        HeaderResolver { header, by_tid }
    }
}

/// Name and type character of an fd table entry, as sysdig builds them.
pub fn fd_entry_name(e: &crate::header::FdEntry) -> (char, String) {
    let ip4 = |a: &[u8; 4]| format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
    let ip6 = |a: &[u8; 16]| std::net::Ipv6Addr::from(*a).to_string();
    let name = || String::from_utf8_lossy(&e.name).into_owned();
    match &e.kind {
        FdKind::File { .. } => ('f', name()),
        FdKind::Directory => ('d', name()),
        FdKind::Ipv4Socket {
            sip,
            dip,
            sport,
            dport,
            ..
        } => ('4', format!("{}:{sport}->{}:{dport}", ip4(sip), ip4(dip))),
        FdKind::Ipv4Server { ip, port, .. } => ('4', format!("{}:{port}", ip4(ip))),
        FdKind::Ipv6Socket {
            sip,
            dip,
            sport,
            dport,
            ..
        } => ('6', format!("{}:{sport}->{}:{dport}", ip6(sip), ip6(dip))),
        FdKind::Ipv6Server { ip, port, .. } => ('6', format!("{}:{port}", ip6(ip))),
        FdKind::Unix { .. } => ('u', name()),
        FdKind::Other(t) => (
            match t {
                7 => 'p',
                9 => 'e',
                11 => 's',
                12 => 'l',
                13 => 'i',
                14 => 't',
                15 => 'n',
                _ => 'o',
            },
            name(),
        ),
    }
}

impl Resolver for HeaderResolver<'_> {
    fn comm(&self, tid: i64) -> Option<&[u8]> {
        self.by_tid
            .get(&tid)
            .map(|&i| self.header.threads[i].comm.as_slice())
    }
    fn fd(&self, tid: i64, fd: i64) -> Option<(char, String)> {
        let pid = self
            .by_tid
            .get(&tid)
            .map_or(tid, |&i| self.header.threads[i].pid);
        let table = self.header.fds.iter().find(|t| t.tid == pid)?;
        table.fds.iter().find(|e| e.fd == fd).map(fd_entry_name)
    }
    fn user(&self, uid: u32) -> Option<&[u8]> {
        self.header
            .users
            .iter()
            .find(|u| u.uid == uid)
            .map(|u| u.name.as_slice())
    }
}

/// Appends `ts` as `HH:MM:SS.nnnnnnnnn` (UTC).
pub fn write_time(out: &mut String, ts: u64) {
    let secs = ts / 1_000_000_000;
    let day = secs % 86_400;
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}.{:09}",
        day / 3600,
        day / 60 % 60,
        day % 60,
        ts % 1_000_000_000
    );
}

fn push_lossy(out: &mut String, b: &[u8]) {
    out.push_str(&String::from_utf8_lossy(b));
}

/// Appends a buffer with its non-printable bytes as `.`.
fn push_printable(out: &mut String, b: &[u8]) {
    out.extend(b.iter().map(|&c| {
        if (0x20..0x7f).contains(&c) {
            c as char
        } else {
            '.'
        }
    }));
}

/// Appends a buffer as sysdig 0.29 prints it: [`push_printable`], cut to
/// [`MAX_BUFFER_CHARS`].
fn push_buffer(out: &mut String, b: &[u8]) {
    let start = out.len();
    push_printable(out, b);
    if out.len() - start > MAX_BUFFER_CHARS {
        out.truncate(start + MAX_BUFFER_CHARS - 3);
        out.push_str("...");
    }
}

fn push_num(out: &mut String, v: i64, u: u64, signed: bool, fmt: ParamFormat) {
    let _ = match (fmt, signed) {
        (ParamFormat::Hex, _) => write!(out, "{u:X}"),
        // sysdig prints octal with a leading 0 (`0644`), and zero as `0`.
        (ParamFormat::Oct, _) if u != 0 => write!(out, "0{u:o}"),
        (ParamFormat::Oct, _) => write!(out, "0"),
        (_, true) => write!(out, "{v}"),
        (_, false) => write!(out, "{u}"),
    };
}

fn sockaddr(out: &mut String, b: &[u8]) {
    match b.first() {
        None => out.push_str("NULL"),
        Some(1) => push_lossy(
            out,
            b.get(1..)
                .map_or(&[][..], |s| s.split(|&c| c == 0).next().unwrap_or(&[])),
        ),
        Some(2) if b.len() == 7 => {
            let _ = write!(
                out,
                "{}.{}.{}.{}:{}",
                b[1],
                b[2],
                b[3],
                b[4],
                u16::from_le_bytes([b[5], b[6]])
            );
        }
        Some(10) if b.len() == 19 => {
            let ip: [u8; 16] = b[1..17].try_into().unwrap_or_default();
            let _ = write!(
                out,
                "{}:{}",
                std::net::Ipv6Addr::from(ip),
                u16::from_le_bytes([b[17], b[18]])
            );
        }
        Some(f) => {
            let _ = write!(out, "family {f}");
        }
    }
}

fn socktuple(out: &mut String, b: &[u8]) {
    match b.first() {
        None => out.push_str("NULL"),
        Some(2) if b.len() == 13 => {
            let p = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
            let _ = write!(
                out,
                "{}.{}.{}.{}:{}->{}.{}.{}.{}:{}",
                b[1],
                b[2],
                b[3],
                b[4],
                p(5),
                b[7],
                b[8],
                b[9],
                b[10],
                p(11)
            );
        }
        Some(10) if b.len() == 37 => {
            let s: [u8; 16] = b[1..17].try_into().unwrap_or_default();
            let d: [u8; 16] = b[19..35].try_into().unwrap_or_default();
            let (s, d) = (std::net::Ipv6Addr::from(s), std::net::Ipv6Addr::from(d));
            let p = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
            match (s.to_ipv4_mapped(), d.to_ipv4_mapped()) {
                (Some(s4), Some(d4)) => write!(out, "{s4}:{}->{d4}:{}", p(17), p(35)),
                _ => write!(out, "{s}:{}->{d}:{}", p(17), p(35)),
            }
            .unwrap_or(());
        }
        Some(1) if b.len() >= 17 => {
            let a = u64::from_le_bytes(b[1..9].try_into().unwrap_or_default());
            let d = u64::from_le_bytes(b[9..17].try_into().unwrap_or_default());
            let _ = write!(out, "{a:x}->{d:x} ");
            push_lossy(out, b[17..].split(|&c| c == 0).next().unwrap_or(&[]));
        }
        Some(f) => {
            let _ = write!(out, "family {f}");
        }
    }
}

/// Appends the rendering of one parameter value (without `name=`).
pub fn write_value(
    out: &mut String,
    ev: &EventRef<'_>,
    info: &ParamInfo,
    v: ParamValue<'_>,
    r: &dyn Resolver,
) {
    match v {
        ParamValue::Absent => {
            // sysdig prints NULL for empty addresses and nothing for empty buffers and strings.
            if matches!(
                info.ty,
                crate::schema::ParamType::Sockaddr | crate::schema::ParamType::Socktuple
            ) {
                out.push_str("NULL");
            }
        }
        ParamValue::Int(i) => push_num(out, i, i as u64, true, info.fmt),
        ParamValue::Uint(u) => push_num(out, u as i64, u, false, info.fmt),
        ParamValue::Errno(e) => {
            push_num(out, e, e as u64, true, info.fmt);
            if let Some(n) = errno_name(e) {
                let _ = write!(out, "({n})");
            }
        }
        ParamValue::Fd(fd) => {
            let _ = write!(out, "{fd}");
            if fd == AT_FDCWD {
                out.push_str("(AT_FDCWD)");
            } else if fd < 0 {
                if let Some(n) = errno_name(fd) {
                    let _ = write!(out, "({n})");
                }
            } else if let Some((c, name)) = r.fd(ev.tid, fd) {
                match r.fd_l4(ev.tid, fd) {
                    Some(l4) => {
                        let _ = write!(out, "(<{c}{l4}>{name})");
                    }
                    None => {
                        let _ = write!(out, "(<{c}>{name})");
                    }
                }
            }
        }
        ParamValue::Pid(p) => {
            let _ = write!(out, "{p}");
            if let Some(c) = r.comm(p) {
                out.push('(');
                push_lossy(out, c);
                out.push(')');
            }
        }
        ParamValue::Uid(u) | ParamValue::Gid(u) if u == u32::MAX => out.push_str("-1(<NONE>)"),
        ParamValue::Uid(u) => {
            let _ = write!(out, "{u}(");
            match r.user(u) {
                Some(n) => push_lossy(out, n),
                None => out.push_str("<NA>"),
            }
            out.push(')');
        }
        ParamValue::Gid(g) => {
            let _ = write!(out, "{g}");
            if let Some(n) = r.group(g) {
                out.push('(');
                push_lossy(out, n);
                out.push(')');
            }
        }
        ParamValue::Str(s) => push_lossy(out, s),
        ParamValue::Path(s) => {
            push_lossy(out, s);
            if !s.is_empty() && !s.starts_with(b"/") {
                let dirfd = match info.extra {
                    crate::schema::ParamExtra::DirFd(i) => ev
                        .param(usize::from(i))
                        .and_then(|b| Some(i64::from_le_bytes(b.get(..8)?.try_into().ok()?))),
                    _ => None,
                };
                if let Some(full) = r.resolve_path(ev.tid, dirfd, s) {
                    out.push('(');
                    push_lossy(out, &full);
                    out.push(')');
                }
            }
        }
        ParamValue::Bytes(b) | ParamValue::Invalid(b) => push_buffer(out, b),
        ParamValue::SockAddr(b) => sockaddr(out, b),
        ParamValue::SockTuple(b) => socktuple(out, b),
        ParamValue::FdList(b) => {
            let mut sep = "";
            for (fd, flags) in fdlist(b) {
                let c = r.fd(ev.tid, fd).map_or('?', |f| f.0);
                let _ = write!(out, "{sep}{fd}:{c}{:x}", i32::from(flags as i16) as u32);
                sep = " ";
            }
        }
        ParamValue::Syscall(s) => {
            let _ = write!(
                out,
                "{s}({})",
                schema::syscall_name(s).unwrap_or("<unknown>")
            );
        }
        ParamValue::Signal(s) => {
            let _ = write!(out, "{s}");
            if let Some(n) = signal_name(s) {
                let _ = write!(out, "({n})");
            }
        }
        ParamValue::RelTime(t) if t == u64::MAX => out.push_str("none"),
        ParamValue::RelTime(t) => {
            let _ = write!(out, "{t}({}s)", t as f64 / 1e9);
        }
        ParamValue::AbsTime(t) => {
            let _ = write!(out, "{t}");
        }
        ParamValue::Flags { value, names } => {
            let _ = write!(out, "{value}");
            let mut s = String::new();
            flags_str(value, names, &mut s);
            if !s.is_empty() {
                let _ = write!(out, "({s})");
            }
        }
        ParamValue::Mode(m) => {
            // PT_MODE: octal with a leading 0, then the mode bits by name (`04755(...|S_ISUID)`).
            let _ = write!(out, "0{m:o}");
            if let schema::ParamExtra::Flags(names) = info.extra {
                let mut s = String::new();
                flags_str(m, names, &mut s);
                if !s.is_empty() {
                    let _ = write!(out, "({s})");
                }
            }
        }
        ParamValue::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        ParamValue::Double(d) => {
            let _ = write!(out, "{d}");
        }
        ParamValue::Ip(b) => match b.len() {
            4 => {
                let _ = write!(out, "{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
            }
            16 => {
                let a: [u8; 16] = b.try_into().unwrap_or_default();
                let _ = write!(out, "{}", std::net::Ipv6Addr::from(a));
            }
            _ => push_buffer(out, b),
        },
    }
}

/// Appends `%evt.args`: every present parameter as `name=value`, separated by spaces, with the
/// names and types sysdig 0.29 uses.
pub fn write_args(out: &mut String, ev: &EventRef<'_>, r: &dyn Resolver) {
    write_args_as(out, ev, None, r, ArgsStyle::Sysdig);
}

/// Whose `%evt.args` [`write_args_as`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgsStyle {
    /// sysdig 0.29: the parameters the event has, with the names of its own event table, each
    /// followed by a space.
    Sysdig,
    /// Current libs: the event as their capture converter completes it ([`convert`]), printed
    /// by `sinsp_evt::get_param_as_str` and separated by spaces.
    ///
    /// [`convert`]: crate::schema::convert
    Libs,
}

/// Appends `%evt.args` in `style`; `enter` is the event's enter event, for [`ArgsStyle::Libs`].
pub fn write_args_as(
    out: &mut String,
    ev: &EventRef<'_>,
    enter: Option<&EventRef<'_>>,
    r: &dyn Resolver,
    style: ArgsStyle,
) {
    let Some(info) = ev.info() else { return };
    if ev.ty <= 1 {
        // Generic events: sysdig shows the syscall as evt.type and prints no arguments.
        return;
    }
    if style == ArgsStyle::Libs {
        write_libs_args(out, ev, enter, r);
        return;
    }
    for (i, bytes) in ev.params().enumerate() {
        let Some(p) = info.params.get(i) else { break };
        let mut p = *p;
        if let Some((name, ty, fmt)) = old::old_param(ev.ty, i) {
            p = ParamInfo {
                name,
                ty,
                fmt,
                extra: p.extra,
            };
        }
        out.push_str(p.name);
        out.push('=');
        write_value(out, ev, &p, ParamValue::decode(&p, bytes), r);
        out.push(' ');
    }
}

/// One parameter of an event as current libs' converter completes it.
#[derive(Clone, Copy, Debug)]
pub struct LibsParam<'a> {
    /// Its description in the completed event's type.
    pub info: ParamInfo,
    /// Its bytes; empty for an empty parameter.
    pub bytes: &'a [u8],
    /// The event they come from (the event itself or its enter), for names that need the
    /// thread.
    pub from: EventRef<'a>,
}

/// The parameters of `ev` (with `enter`, its enter event) as current libs' converter
/// completes them: an old version turned into the current one, keeping the parameters it has
/// by name, and the parameters it lacks filled in ([`convert`]). An event the converter does
/// not manage keeps its own parameters.
pub fn libs_params<'a>(
    ev: &EventRef<'a>,
    enter: Option<&EventRef<'a>>,
) -> impl Iterator<Item = LibsParam<'a>> + 'a {
    let ev = *ev;
    let enter = enter.copied();
    let info = ev.info();
    let target = info.map(convert::target);
    let own = ev.params().count();
    let total = match (info, target) {
        (Some(i), Some(t)) if convert::completes(i) => t.params.len(),
        (Some(i), _) => own.min(i.params.len()),
        _ => 0,
    };
    target
        .map_or(&[][..], |t| t.params)
        .iter()
        .take(total)
        .enumerate()
        .filter_map(move |(i, p)| {
            let (info, target) = (info?, target?);
            let kept = if std::ptr::eq(target, info) {
                Some(i)
            } else {
                info.param_index(p.name)
            };
            if let Some(bytes) = kept.filter(|&k| k < own).and_then(|k| ev.param(k)) {
                return Some(LibsParam {
                    info: *p,
                    bytes,
                    from: ev,
                });
            }
            let fill = convert::fill(target, p.name);
            let lacks = |name: &str| {
                let k = if std::ptr::eq(target, info) {
                    target.param_index(name)
                } else {
                    info.param_index(name)
                };
                k.is_none_or(|k| k >= own)
            };
            let freed = convert::enter_freed(target, p.name, lacks);
            let from_enter = match fill {
                convert::Fill::Enter { name, .. } if !freed => enter.and_then(|e| {
                    let ei = e.info()?;
                    let k = ei.param_index(name)?;
                    Some(LibsParam {
                        info: ei.params[k],
                        bytes: e.param(k)?,
                        from: e,
                    })
                }),
                _ => None,
            };
            let bytes = match (fill, from_enter) {
                (_, Some(q)) => return Some(LibsParam { info: *p, ..q }),
                (
                    convert::Fill::Enter {
                        or_empty: false, ..
                    },
                    None,
                )
                | (convert::Fill::Default, _) => convert::default_value(p.ty),
                _ => &[],
            };
            Some(LibsParam {
                info: *p,
                bytes,
                from: ev,
            })
        })
}

/// `%evt.args` in current libs' view: [`libs_params`] as `name=value` separated by spaces.
fn write_libs_args(
    out: &mut String,
    ev: &EventRef<'_>,
    enter: Option<&EventRef<'_>>,
    r: &dyn Resolver,
) {
    for (i, p) in libs_params(ev, enter).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(p.info.name);
        out.push('=');
        write_libs_value(out, &p.from, &p.info, p.bytes, r);
    }
}

/// One parameter as `evt.arg` shows it in current libs' view (`sinsp_filter_check_event`,
/// `TYPE_ARGSTR`): the resolved form `get_param_as_str` gives (an errno's name, an fd's
/// `<type>name`, a thread's name, flag names, a user name or `<NA>`, an absolute path), else
/// the value as `evt.args` prints it.
pub fn write_libs_arg(out: &mut String, p: &LibsParam<'_>, r: &dyn Resolver) {
    use crate::schema::ParamExtra;
    let before = out.len();
    if !p.bytes.is_empty() {
        match (ParamValue::decode(&p.info, Some(p.bytes)), p.info.extra) {
            (ParamValue::Errno(e), _) if e < 0 => out.push_str(errno_name(e).unwrap_or("")),
            (ParamValue::Fd(AT_FDCWD), _) => out.push_str("AT_FDCWD"),
            (ParamValue::Fd(fd), _) if fd < 0 => out.push_str(errno_name(fd).unwrap_or("")),
            (ParamValue::Fd(fd), _) => {
                if let Some((c, name)) = r.fd(p.from.tid, fd) {
                    out.push('<');
                    out.push(c);
                    if let Some(l4) = r.fd_l4(p.from.tid, fd) {
                        out.push(l4);
                    }
                    out.push('>');
                    out.push_str(&name);
                }
            }
            (ParamValue::Pid(pid), _) => {
                if let Some(c) = r.comm(pid) {
                    push_lossy(out, c);
                }
            }
            (ParamValue::Uid(u) | ParamValue::Gid(u), _) if u == u32::MAX => out.push_str("<NONE>"),
            (ParamValue::Uid(u), _) => push_lossy(out, r.user(u).unwrap_or(b"<NA>")),
            (ParamValue::Gid(g), _) => push_lossy(out, r.group(g).unwrap_or(b"<NA>")),
            (ParamValue::Flags { value, names }, ParamExtra::Enum(_)) => {
                for (i, (name, _)) in names.iter().filter(|(_, v)| *v == value).enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    out.push_str(name);
                }
            }
            (ParamValue::Flags { value, names }, _) => flags_str(value, names, out),
            (ParamValue::Mode(m), ParamExtra::Flags(names)) => flags_str(m, names, out),
            (ParamValue::Syscall(s), _) => out.push_str(schema::libs_syscall_name(s).unwrap_or("")),
            (ParamValue::Signal(s), _) => out.push_str(signal_name(s).unwrap_or("")),
            (ParamValue::RelTime(t), _) if t != u64::MAX => {
                let _ = write!(out, "{}s", t as f64 / 1e9);
            }
            (ParamValue::Path(path), extra) if !path.is_empty() && !path.starts_with(b"/") => {
                let dirfd = match extra {
                    ParamExtra::DirFd(i) => p
                        .from
                        .param(usize::from(i))
                        .and_then(|b| Some(i64::from_le_bytes(b.get(..8)?.try_into().ok()?))),
                    _ => None,
                };
                if let Some(full) = r.resolve_path(p.from.tid, dirfd, path) {
                    push_lossy(out, &full);
                }
            }
            _ => {}
        }
    }
    if out.len() == before {
        write_libs_value(out, &p.from, &p.info, p.bytes, r);
    }
}

/// One parameter as `sinsp_evt::get_param_as_str` prints it where it differs from sysdig
/// 0.29: an empty parameter is `NULL` (buffers, tuples, fd lists, dynamic values) or `<NA>`,
/// an errno is decimal whatever its format, an enumeration names every entry of its value,
/// an unnamed group is `<NA>`, and buffers are not cut.
fn write_libs_value(
    out: &mut String,
    ev: &EventRef<'_>,
    p: &ParamInfo,
    bytes: &[u8],
    r: &dyn Resolver,
) {
    use crate::schema::{ParamExtra, ParamType as T};
    if bytes.is_empty() {
        out.push_str(match p.ty {
            T::Bytebuf
            | T::Socktuple
            | T::Fdlist
            | T::Charbufarray
            | T::CharbufPairArray
            | T::Dyn => "NULL",
            _ => "<NA>",
        });
        return;
    }
    match (ParamValue::decode(p, Some(bytes)), p.extra) {
        (ParamValue::Errno(e), _) => {
            let _ = write!(out, "{e}");
            if let Some(n) = errno_name(e) {
                let _ = write!(out, "({n})");
            }
        }
        (ParamValue::Flags { value, names }, ParamExtra::Enum(_)) => {
            let _ = write!(out, "{value}");
            let mut sep = '(';
            for (name, _) in names.iter().filter(|(_, v)| *v == value) {
                out.push(sep);
                out.push_str(name);
                sep = '|';
            }
            if sep == '|' {
                out.push(')');
            }
        }
        // Unlike sysdig 0.29, a group it cannot name is `<NA>`, as a user.
        (ParamValue::Gid(g), _) if g != u32::MAX => {
            let _ = write!(out, "{g}(");
            match r.group(g) {
                Some(n) => push_lossy(out, n),
                None => out.push_str("<NA>"),
            }
            out.push(')');
        }
        (ParamValue::Bytes(b), _) => push_printable(out, b),
        (v, _) => write_value(out, ev, p, v, r),
    }
}

/// The `evt.type` of an event: the syscall name for generic events, else the table name.
pub fn event_type_name<'a>(ev: &EventRef<'a>) -> &'static str {
    match ev.info() {
        Some(i) if ev.ty <= 1 => ev
            .param(0)
            .filter(|b| b.len() == 2)
            .and_then(|b| schema::syscall_name(u16::from_le_bytes([b[0], b[1]])))
            .unwrap_or(i.name),
        Some(i) => i.name,
        None => "<unknown>",
    }
}

/// Appends one line in sysdig's default format (no trailing newline).
pub fn write_line(out: &mut String, ev: &EventRef<'_>, r: &dyn Resolver) {
    let _ = write!(out, "{} ", ev.num);
    write_time(out, ev.ts);
    let _ = write!(out, " {} ", ev.cpu);
    match r.comm(ev.tid) {
        Some(c) => push_lossy(out, c),
        None => out.push_str("<NA>"),
    }
    let _ = write!(
        out,
        " ({}) {} {} ",
        ev.tid,
        ev.direction().as_char(),
        event_type_name(ev)
    );
    write_args(out, ev, r);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::EventBuilder;

    fn event(rec: &[u8]) -> EventRef<'_> {
        EventRef::parse_v2(rec, 1, 0, 0).expect("well-formed record")
    }

    fn libs_args(ev: &EventRef<'_>, enter: Option<&EventRef<'_>>) -> String {
        let mut s = String::new();
        write_args_as(&mut s, ev, enter, &NoState, ArgsStyle::Libs);
        s
    }

    #[test]
    fn old_exits_are_completed_from_their_enter_or_defaults() {
        // futex: the old exit has only its result; the enter has the rest.
        let enter = EventBuilder::new(64, 1, 7)
            .u64(0x55d6)
            .u16(0)
            .u64(0)
            .build();
        let exit = EventBuilder::new(65, 2, 7).i64(0).build();
        let (enter, exit) = (event(&enter), event(&exit));
        assert_eq!(
            libs_args(&exit, Some(&enter)),
            "res=0 addr=55D6 op=0(FUTEX_WAIT) val=0"
        );
        assert_eq!(
            libs_args(&exit, None),
            "res=0 addr=0 op=0(FUTEX_WAIT) val=0"
        );
        // An old dup exit becomes the current one, its oldfd taken from the enter's fd.
        let dup_enter = EventBuilder::new(124, 1, 7).i64(10).build();
        let dup_exit = EventBuilder::new(125, 2, 7).i64(3).build();
        let dup_enter = event(&dup_enter);
        assert_eq!(
            libs_args(&event(&dup_exit), Some(&dup_enter)),
            "res=3 oldfd=10"
        );
    }

    #[test]
    fn empty_parameters_and_unmanaged_events() {
        // read: an empty buffer is NULL, an errno decimal with its name.
        let read = EventBuilder::new(7, 2, 7)
            .i64(-11)
            .raw(&[])
            .i64(4)
            .u32(16)
            .build();
        let read = event(&read);
        assert_eq!(
            libs_args(&read, None),
            "res=-11(EAGAIN) data=NULL fd=4 size=16"
        );
        let p = libs_params(&read, None).next().expect("res");
        let mut s = String::new();
        write_libs_arg(&mut s, &p, &NoState);
        assert_eq!(s, "EAGAIN");
        // procexit is not completed: an old one keeps its four parameters.
        let exit = EventBuilder::new(186, 2, 7)
            .i64(0)
            .i64(0)
            .u8(0)
            .u8(0)
            .build();
        assert_eq!(
            libs_args(&event(&exit), None),
            "status=0 ret=0 sig=0 core=0"
        );
    }
}
