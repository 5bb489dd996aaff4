//! `fd.*` fields: the file descriptor an event is about, from the fd table.
//!
//! Semantics follow libsinsp's `sinsp_filter_check_fd`. For sockets the client is the
//! source of the tuple and the server its destination whatever the role; local/remote
//! (`fd.lip`, `fd.rport`...) depend on the role: after `connect` the local end is the
//! client, after `accept` the server. A listening socket only has the server side.

use std::io::Write;

use super::ctx::{Arg, Ctx};
use super::value::Out;
use crate::state::udp::Ipv4Iface;
use crate::state::{Fd, FdType, Role};

fn dirname(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b'/') {
        Some(0) => b"/",
        Some(i) => &name[..i],
        None => name,
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

/// The type character of the fd an fd-creating event is about, before it exists.
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

/// Extracts `fd.<name>`.
pub fn extract(name: &str, _arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let Some(n) = c.st.event_fd_of(&c.p, c.libs) else {
        return false;
    };
    if name == "num" {
        out.i64(n);
        return true;
    }
    let Some((num, f)) = c.fd() else {
        // No table entry: libsinsp still knows the type an fd-creating call is about (and,
        // for a failed open, the path), and shows other unknown fds as an unnamed `o`.
        return match (name, n < 0) {
            // An fd-using call on fd -1 (a stale fd of an old trace) is an unknown `o`.
            ("typechar", true) => {
                out.str(&[expected_typechar(c).unwrap_or(b'o')]);
                true
            }
            ("typechar", false) => {
                out.str(b"o");
                true
            }
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
                true
            }
            ("name" | "nameraw", _) if c.p.is_exit() => {
                out.str(b"");
                true
            }
            ("directory", _) if c.p.is_exit() => {
                out.str(b"/");
                true
            }
            _ => false,
        };
    };
    let v6 = f.ty == FdType::Ipv6;
    match name {
        // One fd per event here; a list field as in libsinsp.
        "name_changed" => out.bool(c.st.fd_name_changed),
        "types" => out.str(f.ty.name().as_bytes()),
        // Names from libsinsp's DNS cache, which a replay never fills.
        "cip.name" | "sip.name" | "lip.name" | "rip.name" => return false,
        "type" => out.str(f.ty.name().as_bytes()),
        "typechar" => out.str(&[f.ty.typechar()]),
        "name" | "nameraw" => match crate::state::apply::failed_connect_name(&c.p) {
            Some(shown) => out.str(&shown),
            None => out.str(&f.name),
        },
        "directory" => match f.ty {
            FdType::File => out.str(dirname(&f.name)),
            FdType::Directory => out.str(&f.name),
            _ => return false,
        },
        "filename" => match f.ty {
            FdType::File => out.str(basename(&f.name)),
            _ => return false,
        },
        "containername" | "containerdirectory" => {
            let cid = c.thread().map_or(&b""[..], |t| t.container_id.as_slice());
            out.build(|b| {
                b.extend_from_slice(if cid.is_empty() { b"host" } else { cid });
                b.push(b':');
                b.extend_from_slice(if name == "containername" {
                    &f.name
                } else {
                    dirname(&f.name)
                });
            });
        }
        "uid" => out.build(|b| {
            let _ = write!(b, "{}{num}", c.p.ev.tid);
        }),
        "dev" => out.u64(u64::from(f.dev)),
        "dev.major" => out.u64(u64::from(f.dev >> 20)),
        "dev.minor" => out.u64(u64::from(f.dev & 0xfffff)),
        "ino" => out.u64(f.ino),
        "l4proto" => match l4_name(f.addrs.l4proto)
            .filter(|_| f.ty.is_ip() && (f.listening || f.role != Role::None))
        {
            Some(n) => out.str(n),
            None => return false,
        },
        "sockfamily" => match f.ty {
            FdType::Ipv4 | FdType::Ipv6 => out.str(b"ip"),
            FdType::Unix => out.str(b"unix"),
            _ => return false,
        },
        // libsinsp: a connected IPv4 socket is the server end when its destination address
        // is one of the machine's (from the interface list, when the trace has one).
        "is_server" => out.bool(match &c.st.ipv4_ifaces {
            ifs if f.ty == FdType::Ipv4 && !f.listening && !ifs.is_empty() => {
                ifs.iter().any(|i| i.addr[..] == f.addrs.dip[..4])
            }
            _ => f.role == Role::Server || f.listening,
        }),
        "connected" => out.bool(f.ty.is_ip() && !f.listening && f.role != Role::None),
        "ip" | "net" => {
            for e in [End::Client, End::Server] {
                if let Some((ip, _)) = end(f, e, Locality::of(c)) {
                    out.ip(ip, v6);
                }
            }
        }
        "port" => {
            for e in [End::Client, End::Server] {
                if let Some((_, port)) = end(f, e, Locality::of(c)) {
                    out.u64(u64::from(port));
                }
            }
        }
        "cip" | "sip" | "lip" | "rip" | "cnet" | "snet" | "lnet" | "rnet" => {
            let Some((ip, _)) = end_of(name).and_then(|e| end(f, e, Locality::of(c))) else {
                return false;
            };
            out.ip(ip, v6);
        }
        "cport" | "sport" | "lport" | "rport" => {
            let Some((_, port)) = end_of(name).and_then(|e| end(f, e, Locality::of(c))) else {
                return false;
            };
            out.u64(u64::from(port));
        }
        "cproto" | "sproto" | "lproto" | "rproto" => return false,
        _ => return false,
    }
    !out.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parts() {
        assert_eq!(dirname(b"/etc/shadow"), b"/etc");
        assert_eq!(dirname(b"/shadow"), b"/");
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
