//! `fd.*` fields: the file descriptor an event is about, from the fd table.
//!
//! Semantics follow libsinsp's `sinsp_filter_check_fd` (0.25 in current libs' view, the
//! default; sysdig 0.29's where `Ctx::libs` is false). The fd is the thread's
//! `m_lastevent_fd` ([`crate::state::State::libs_event_fd`]): `fd.num` and `fd.uid` print it
//! whether or not it is in the table; without a table entry the name fields come from the
//! event's own arguments (`extract_fdname_from_event`) and `fd.typechar` from its type. For
//! sockets the client is the source of the tuple and the server its destination whatever the
//! role; local/remote (`fd.lip`, `fd.rport`...) depend on which end is the machine's. A
//! listening socket only has the server side.

use std::io::Write;

use super::ctx::{Arg, Ctx};
use super::value::Out;
use crate::state::fds::{O_LOWER_LAYER, O_UPPER_LAYER};
use crate::state::udp::Ipv4Iface;
use crate::state::{Fd, FdType, Role};

/// The directory part of a file's name, as libsinsp's `fd.directory` cuts it: up to the last
/// `/` unless that is the first or the last byte (a name ending in `/` is kept whole), `/` for
/// a name without one.
fn dirname(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b'/') {
        Some(i) if i > 0 && i + 1 < name.len() => &name[..i],
        Some(i) if i > 0 => name,
        _ => b"/",
    }
}

fn basename(name: &[u8]) -> &[u8] {
    if name == b"/" {
        // libsinsp: the root directory's file name is `/`.
        return name;
    }
    match name.iter().rposition(|&b| b == b'/') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

fn l4_name(l4: u8) -> Option<&'static [u8]> {
    match l4 {
        2 => Some(b"tcp"),
        3 => Some(b"udp"),
        4 => Some(b"icmp"),
        5 => Some(b"raw"),
        _ => None,
    }
}

/// Which end of a socket a field asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Client,
    Server,
    Local,
    Remote,
}

/// What decides which end of a socket is the local one: the machine's interfaces and
/// whether the thread is in a container.
#[derive(Clone, Copy, Default)]
struct Locality<'a> {
    ipv4: &'a [Ipv4Iface],
    ipv6: &'a [[u8; 8]],
    in_container: bool,
    /// Current libs' view: a listening socket has no client end (sysdig 0.29 reads zeros).
    libs: bool,
}

impl<'a> Locality<'a> {
    fn of(c: &Ctx<'a>) -> Locality<'a> {
        Locality {
            ipv4: &c.st.ipv4_ifaces,
            ipv6: &c.st.ipv6_prefixes,
            in_container: c.thread().is_some_and(|t| !t.container_id.is_empty()),
            libs: c.libs,
        }
    }
}

/// `(ip, port)` of one end of an IP socket. With the machine's IPv4 interfaces known, the
/// local end of an IPv4 socket is its source when the source address is the machine's
/// (libsinsp), else the role decides. The local end of an IPv6 socket is its source when the
/// source shares its first 64 bits with an interface, never in a container (libsinsp's
/// `is_ipv6addr_in_local_machine`).
fn end(f: &Fd, e: End, loc: Locality<'_>) -> Option<([u8; 16], u16)> {
    if !f.ty.is_ip() {
        return None;
    }
    if f.listening {
        // A listening socket has its server end only; the client end reads as zero and
        // the local/remote split needs a connection.
        return match e {
            End::Server => Some((f.addrs.sip, f.addrs.sport)),
            End::Client if !loc.libs => Some(([0; 16], 0)),
            _ => None,
        };
    }
    if f.role == Role::None {
        // A socket with no address yet.
        return None;
    }
    let client = (f.addrs.sip, f.addrs.sport);
    let server = (f.addrs.dip, f.addrs.dport);
    let local_source = |yes: bool| if yes { Role::Client } else { Role::Server };
    let role = match f.ty {
        FdType::Ipv4 if !loc.ipv4.is_empty() => {
            local_source(loc.ipv4.iter().any(|i| i.addr[..] == f.addrs.sip[..4]))
        }
        FdType::Ipv6 => {
            local_source(!loc.in_container && loc.ipv6.iter().any(|p| p[..] == f.addrs.sip[..8]))
        }
        _ => f.role,
    };
    match (e, role) {
        (End::Client, _) => Some(client),
        (End::Server, _) => Some(server),
        (End::Local, Role::Client) | (End::Remote, Role::Server) => Some(client),
        (End::Local, Role::Server) | (End::Remote, Role::Client) => Some(server),
        (_, Role::None) => None,
    }
}

fn end_of(name: &str) -> Option<End> {
    Some(match name.as_bytes().first()? {
        b'c' => End::Client,
        b's' => End::Server,
        b'l' => End::Local,
        b'r' => End::Remote,
        _ => return None,
    })
}

/// The type character of the fd an fd-creating event is about, before it exists (sysdig 0.29).
fn expected_typechar(c: &Ctx<'_>) -> Option<u8> {
    use crate::state::apply::{action_of, Action};
    Some(match action_of(c.p.ev.ty) {
        Action::Open => b'f',
        Action::Socket | Action::Accept => b'4',
        Action::Socketpair => b'u',
        Action::Pipe => b'p',
        Action::Memfd => b'm',
        Action::Typed(t) => t.typechar(),
        _ => return None,
    })
}

/// Current libsinsp's `sinsp_evt::extract_typechar`: the type character `fd.typechar` shows
/// for an event whose fd is not in the table, by event type (`o` for the others; `open`
/// itself is not listed there).
const LIBS_TYPECHARS: &[(&str, u8)] = &[
    ("openat", b'f'),
    ("openat2", b'f'),
    ("creat", b'f'),
    ("socket", b'4'),
    ("accept", b'4'),
    ("accept4", b'4'),
    ("pipe", b'p'),
    ("pipe2", b'p'),
    ("eventfd", b'e'),
    ("eventfd2", b'e'),
    ("signalfd", b's'),
    ("signalfd4", b's'),
    ("timerfd_create", b't'),
    ("inotify_init", b'i'),
    ("inotify_init1", b'i'),
];

/// The name current libsinsp gives the fd of an event whose fd is not in the table
/// (`extract_fdname_from_event`): the path an open names (resolved, or as passed for
/// `fd.nameraw` of the `openat` family), the tuple of an accept or connect, else empty.
/// `None` when it has none (`<NA>`).
fn libs_event_name(c: &Ctx<'_>, raw: bool) -> Option<Vec<u8>> {
    use crate::state::apply::{open_path, tuple_text};
    let p = &c.p;
    if !p.is_exit() {
        return None;
    }
    let name = p.ev.info()?.name;
    Some(match name {
        "open" | "creat" => open_path(c.st, p).unwrap_or_default(),
        "openat" | "openat2" => {
            let path = p.str("name").filter(|n| !n.is_empty())?;
            if raw {
                path.to_vec()
            } else {
                p.int("dirfd")?;
                open_path(c.st, p)?
            }
        }
        "open_by_handle_at" => p.str("path").unwrap_or_default().to_vec(),
        "accept" | "accept4" | "connect" => p.bytes("tuple").map(tuple_text).unwrap_or_default(),
        _ => Vec::new(),
    })
}

/// `fd.*` of an event whose fd is not in the table: libsinsp still knows the type an
/// fd-creating call is about and names the fd after the event's own parameters.
fn without_entry(name: &str, n: i64, c: &Ctx<'_>, out: &mut Out) -> bool {
    if c.libs {
        match name {
            "typechar" => {
                let ty = c.p.ev.info().map_or("", |i| i.name);
                let ch = LIBS_TYPECHARS.iter().find(|(n, _)| *n == ty);
                out.str(&[ch.map_or(b'o', |(_, ch)| *ch)]);
            }
            "name" | "containername" | "directory" | "containerdirectory" | "nameraw" => {
                let Some(ev_name) = libs_event_name(c, name == "nameraw") else {
                    return false;
                };
                let shown = match name {
                    "directory" | "containerdirectory" => dirname(&ev_name),
                    _ => &ev_name,
                };
                match name {
                    "containername" | "containerdirectory" => {
                        out.build(|b| container_prefixed(b, container_of(c), shown));
                    }
                    "nameraw" => out.build(|b| push_without_duplicate_slashes(b, shown)),
                    _ => out.str(shown),
                }
            }
            _ => return false,
        }
        return true;
    }
    match (name, n < 0) {
        // An fd-using call on fd -1 (a stale fd of an old trace) is an unknown `o`.
        ("typechar", true) => out.str(&[expected_typechar(c).unwrap_or(b'o')]),
        ("typechar", false) => out.str(b"o"),
        // A failed open keeps its path for fd.name and fd.directory, but libsinsp has no
        // file name for it.
        ("name" | "nameraw" | "directory", true)
            if c.p.is_exit() && crate::state::apply::open_path(c.st, &c.p).is_some() =>
        {
            let Some(path) = crate::state::apply::open_path(c.st, &c.p) else {
                return false;
            };
            match name {
                "directory" => out.str(dirname(&path)),
                _ => out.str(&path),
            }
        }
        ("name" | "nameraw", _) if c.p.is_exit() => out.str(b""),
        ("directory", _) if c.p.is_exit() => out.str(b"/"),
        _ => return false,
    }
    true
}

/// `ID:TEXT`, libsinsp's `fd.containername` / `fd.containerdirectory`.
fn container_prefixed(b: &mut Vec<u8>, cid: &[u8], text: &[u8]) {
    b.extend_from_slice(cid);
    b.push(b':');
    b.extend_from_slice(text);
}

/// Appends `path` with runs of `/` collapsed to one (libsinsp's
/// `remove_duplicate_path_separators`, applied to `fd.nameraw`).
fn push_without_duplicate_slashes(b: &mut Vec<u8>, path: &[u8]) {
    for (i, &ch) in path.iter().enumerate() {
        if ch == b'/' && i > 0 && path[i - 1] == b'/' {
            continue;
        }
        b.push(ch);
    }
}

/// `fd.types`: the type of every fd of the process, each once, in the order of its table
/// (`sinsp_filter_check_fd::extract_nocache`); with an fd number, that fd's type alone.
fn types(arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let Some(t) = c.thread() else { return false };
    if let Some(n) = arg.index() {
        let Some(f) = c.fd_num(n as i64) else {
            return false;
        };
        out.str(f.ty.name().as_bytes());
        return true;
    }
    let Some(table) = c.st.fd_table(t) else {
        return true;
    };
    let mut seen = 0u64;
    for (_, f) in table.in_order() {
        let bit = 1u64 << f.ty.code();
        if seen & bit == 0 {
            seen |= bit;
            out.str(f.ty.name().as_bytes());
        }
    }
    true
}

/// Extracts `fd.<name>`.
pub fn extract(name: &str, arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let Some(n) = c.st.event_fd_of(&c.p, c.libs) else {
        return false;
    };
    // Current libsinsp gives no fd field to an event without a thread (`extract_fd`).
    if c.libs && c.thread().is_none() {
        return false;
    }
    match name {
        "num" => {
            out.i64(n);
            return true;
        }
        "types" => return types(arg, c, out),
        // The thread's id and `m_lastevent_fd`, whether or not the fd is in the table.
        "uid" if c.libs => {
            out.build(|b| {
                let _ = write!(b, "{}{n}", c.p.ev.tid);
            });
            return true;
        }
        _ => {}
    }
    let Some((num, f)) = c.fd() else {
        return without_entry(name, n, c, out);
    };
    let v6 = f.ty == FdType::Ipv6;
    let loc = Locality::of(c);
    match name {
        "name_changed" => out.bool(c.st.fd_name_changed),
        // Names from libsinsp's DNS cache, which a replay never fills.
        "cip.name" | "sip.name" | "lip.name" | "rip.name" => return false,
        "type" => out.str(f.ty.name().as_bytes()),
        "typechar" => out.str(&[f.ty.typechar()]),
        "name" | "nameraw" if c.libs => {
            // `fd.nameraw` is the path an open passed.
            let shown = f.shown_name(true);
            if name == "nameraw" {
                out.build(|b| push_without_duplicate_slashes(b, &f.name_raw));
            } else {
                out.str(shown);
            }
        }
        "name" | "nameraw" => match crate::state::apply::failed_connect_name(&c.p) {
            Some(shown) => out.str(&shown),
            None => out.str(f.shown_name(false)),
        },
        "directory" | "containerdirectory" => {
            let dir = match f.ty {
                FdType::File => dirname(&f.name),
                FdType::Directory => &f.name,
                _ => return false,
            };
            if name == "directory" {
                out.str(dir);
            } else {
                out.build(|b| container_prefixed(b, container_of(c), dir));
            }
        }
        "filename" => match f.ty {
            FdType::File => out.str(basename(&f.name)),
            _ => return false,
        },
        "containername" => {
            let shown = f.shown_name(c.libs);
            out.build(|b| container_prefixed(b, container_of(c), shown));
        }
        "uid" => out.build(|b| {
            let _ = write!(b, "{}{num}", c.p.ev.tid);
        }),
        "dev" => out.u64(u64::from(f.dev)),
        "dev.major" if c.libs => out.u64(u64::from((f.dev & 0xfff00) >> 8)),
        "dev.minor" if c.libs => out.u64(u64::from((f.dev & 0xff) | ((f.dev >> 12) & 0xfff00))),
        "dev.major" => out.u64(u64::from(f.dev >> 20)),
        "dev.minor" => out.u64(u64::from(f.dev & 0xfffff)),
        "ino" => out.u64(f.ino),
        // The overlay layer the open reported (`PPM_FD_UPPER_LAYER`, `PPM_FD_LOWER_LAYER`).
        "is_upper_layer" => out.bool(f.open_flags & O_UPPER_LAYER != 0),
        "is_lower_layer" => out.bool(f.open_flags & O_LOWER_LAYER != 0),
        "l4proto" => match l4_name(f.addrs.l4proto)
            .filter(|_| f.ty.is_ip() && (f.listening || f.role != Role::None))
        {
            Some(n) => out.str(n),
            // libsinsp prints the text `<NA>` for an fd without a layer-4 protocol.
            None if c.libs => out.str(b"<NA>"),
            None => return false,
        },
        "sockfamily" => match f.ty {
            FdType::Ipv4 | FdType::Ipv6 => out.str(b"ip"),
            FdType::Unix => out.str(b"unix"),
            _ => return false,
        },
        "is_server" if c.libs => out.bool(is_server(f, loc)),
        // sysdig 0.29: a connected IPv4 socket is the server end when its destination
        // address is one of the machine's (from the interface list, when the trace has one).
        "is_server" => out.bool(match &c.st.ipv4_ifaces {
            ifs if f.ty == FdType::Ipv4 && !f.listening && !ifs.is_empty() => {
                ifs.iter().any(|i| i.addr[..] == f.addrs.dip[..4])
            }
            _ => f.role == Role::Server || f.listening,
        }),
        "connected" => out.bool(f.ty.is_ip() && !f.listening && f.role != Role::None),
        "ip" | "net" => {
            for e in [End::Client, End::Server] {
                if let Some((ip, _)) = end(f, e, loc) {
                    out.ip(ip, v6);
                }
            }
        }
        // `compare_port`: both ports of a socket as the table holds them, role or not, and
        // the port of a listening one; `fd.proto` is the same check.
        "port" | "proto" if c.libs => match f.ty {
            FdType::Ipv4 | FdType::Ipv6 if f.listening => out.u64(u64::from(f.addrs.sport)),
            FdType::Ipv4 | FdType::Ipv6 => {
                out.u64(u64::from(f.addrs.sport));
                out.u64(u64::from(f.addrs.dport));
            }
            _ => return false,
        },
        "port" => {
            for e in [End::Client, End::Server] {
                if let Some((_, port)) = end(f, e, loc) {
                    out.u64(u64::from(port));
                }
            }
        }
        // libsinsp reads no address of a socket without a role; a listening socket of the
        // process list has none (`add_fd_from_scap`), one this trace bound is a server.
        "sip" | "snet" if c.libs && f.role == Role::None => return false,
        "cip" | "sip" | "lip" | "rip" | "cnet" | "snet" | "lnet" | "rnet" => {
            let Some((ip, _)) = end_of(name).and_then(|e| end(f, e, loc)) else {
                return false;
            };
            out.ip(ip, v6);
        }
        "cport" | "sport" | "lport" | "rport" => {
            let Some((_, port)) = end_of(name).and_then(|e| end(f, e, loc)) else {
                return false;
            };
            out.u64(u64::from(port));
        }
        "cproto" | "sproto" | "lproto" | "rproto" if c.libs => return proto(name, f, loc, out),
        "cproto" | "sproto" | "lproto" | "rproto" => return false,
        _ => return false,
    }
    !out.is_empty()
}

/// The container id `fd.containername` prefixes: current libs read the container plugin's
/// thread field, empty on the host; sysdig 0.29 printed `host`.
fn container_of<'a>(c: &Ctx<'a>) -> &'a [u8] {
    let cid = c.thread().map_or(&b""[..], |t| t.container_id.as_slice());
    if cid.is_empty() && !c.libs {
        b"host"
    } else {
        cid
    }
}

/// `fd.is_server` in current libs: true for a listening socket; for a connected IP socket,
/// whether its destination address is the machine's (`is_ipv4addr_in_local_machine`, IPv6:
/// in an interface's /64 and not in a container); false for anything else.
fn is_server(f: &Fd, loc: Locality<'_>) -> bool {
    if f.listening {
        return true;
    }
    match f.ty {
        FdType::Ipv4 => loc.ipv4.iter().any(|i| i.addr[..] == f.addrs.dip[..4]),
        FdType::Ipv6 => !loc.in_container && loc.ipv6.iter().any(|p| p[..] == f.addrs.dip[..8]),
        _ => false,
    }
}

/// The `*proto` fields in current libs: the port of that end as text (`port_to_string`
/// without name resolution). `fd.cproto` needs a socket with a role and is empty for one
/// that is not a connected IP socket; `fd.sproto` is empty for a listening socket (whose port
/// it does not print); the local and remote forms need a connected IP socket with a role.
fn proto(name: &str, f: &Fd, loc: Locality<'_>, out: &mut Out) -> bool {
    let Some(e) = end_of(name) else { return false };
    let connected = f.ty.is_ip() && !f.listening && f.role != Role::None;
    match e {
        End::Client if f.role == Role::None => return false,
        End::Client if !connected => out.str(b""),
        End::Server if f.listening => out.str(b""),
        _ if !connected => return false,
        _ => {
            let Some((_, port)) = end(f, e, loc) else {
                return false;
            };
            out.build(|b| {
                let _ = write!(b, "{port}");
            });
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parts() {
        assert_eq!(dirname(b"/etc/shadow"), b"/etc");
        assert_eq!(dirname(b"/shadow"), b"/");
        // libsinsp keeps a name ending in `/` whole and gives `/` for a name without one.
        assert_eq!(dirname(b"/etc/"), b"/etc/");
        assert_eq!(dirname(b"shadow"), b"/");
        let mut b = Vec::new();
        push_without_duplicate_slashes(&mut b, b"//etc///shadow");
        assert_eq!(b, b"/etc/shadow");
        assert_eq!(basename(b"/etc/shadow"), b"shadow");
        assert_eq!(basename(b"/"), b"/");
        assert_eq!(basename(b"shadow"), b"shadow");
    }

    #[test]
    fn socket_ends_by_role() {
        let mut f = Fd::named(FdType::Ipv4, b"");
        f.addrs.sip[..4].copy_from_slice(&[10, 0, 0, 1]);
        f.addrs.sport = 5555;
        f.addrs.dip[..4].copy_from_slice(&[1, 2, 3, 4]);
        f.addrs.dport = 443;
        f.role = Role::Client;
        assert_eq!(
            end(&f, End::Server, Locality::default()).map(|e| e.1),
            Some(443)
        );
        assert_eq!(
            end(&f, End::Client, Locality::default()).map(|e| e.1),
            Some(5555)
        );
        assert_eq!(
            end(&f, End::Local, Locality::default()).map(|e| e.1),
            Some(5555)
        );
        assert_eq!(
            end(&f, End::Remote, Locality::default()).map(|e| e.1),
            Some(443)
        );
        f.role = Role::Server;
        assert_eq!(
            end(&f, End::Local, Locality::default()).map(|e| e.1),
            Some(443)
        );
    }
}
