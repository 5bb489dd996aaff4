//! Socket tuples learnt from datagram calls (sendto, sendmsg, recvfrom, recvmsg).
//!
//! An unconnected (UDP) socket gets no tuple from `connect`; libsinsp fills it from the tuple
//! each datagram call carries instead, every time the tuple changes, patches an unknown
//! (`0.0.0.0`) end from the machine's network interfaces (the trace's interface-list block),
//! guesses whether the process is the client or the server end, and orders the addresses so
//! that the client comes first. This module owns those rules and the interface table they
//! use.

use hindsight_format::header::InterfaceEntry;

use super::event::Paired;
use super::fds::{socket_name, Fd, FdTable, FdType, Role, SockAddrs};
use super::net::{self, Tuple};
use super::State;

/// `SCAP_L4_TCP`.
const L4_TCP: u8 = 2;
/// `SCAP_L4_UDP`.
const L4_UDP: u8 = 3;
/// The calls after which libsinsp infers a socket it never saw created.
const SENDS: &[&str] = &["send", "sendto", "sendmsg"];
/// 127.0.0.1 in network order.
const LOOPBACK: [u8; 4] = [127, 0, 0, 1];

/// An IPv4 address of a network interface, with its netmask (network byte order).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ipv4Iface {
    /// The interface's address.
    pub addr: [u8; 4],
    /// Its netmask.
    pub netmask: [u8; 4],
}

/// The IPv4 interfaces of an interface-list block, in block order (IPv6 entries are not
/// used to patch tuples, as in libsinsp).
pub fn ipv4_ifaces(entries: &[InterfaceEntry]) -> Vec<Ipv4Iface> {
    entries
        .iter()
        .filter_map(|e| {
            Some(Ipv4Iface {
                addr: e.addr.as_slice().try_into().ok()?,
                netmask: e.netmask.as_slice().try_into().ok()?,
            })
        })
        .collect()
}

/// The first 64 bits of each IPv6 interface address of an interface-list block: libsinsp
/// takes an IPv6 address as local when it shares them with an interface
/// (`ipv6addr::in_subnet`).
pub fn ipv6_prefixes(entries: &[InterfaceEntry]) -> Vec<[u8; 8]> {
    entries
        .iter()
        .filter(|e| e.addr.len() == 16)
        .filter_map(|e| e.addr[..8].try_into().ok())
        .collect()
}

/// The local address used to reach `dest` (libsinsp's `infer_ipv4_address`): an interface
/// with that very address, else one on the same subnet, else the first non-loopback one,
/// else `0.0.0.0`.
fn infer(ifaces: &[Ipv4Iface], dest: [u8; 4]) -> [u8; 4] {
    let masked = |a: [u8; 4], m: [u8; 4]| u32::from_be_bytes(a) & u32::from_be_bytes(m);
    ifaces
        .iter()
        .find(|i| i.addr == dest)
        .or_else(|| {
            ifaces
                .iter()
                .find(|i| masked(i.addr, i.netmask) == masked(dest, i.netmask))
        })
        .or_else(|| ifaces.iter().find(|i| i.addr != LOOPBACK))
        .map_or([0; 4], |i| i.addr)
}

/// Fills an unknown end of an IPv4 tuple from the interfaces.
fn patch_ipv4(ifaces: &[Ipv4Iface], a: &mut SockAddrs) {
    let ip4 = |ip: &[u8; 16]| -> [u8; 4] { [ip[0], ip[1], ip[2], ip[3]] };
    let (sip, dip) = (ip4(&a.sip), ip4(&a.dip));
    let (zero_s, zero_d) = (sip == [0; 4], dip == [0; 4]);
    if !zero_s && !zero_d {
        return;
    }
    let (known, target) = if zero_s {
        (dip, &mut a.sip)
    } else {
        (sip, &mut a.dip)
    };
    let new = infer(ifaces, known);
    if new == known && a.sport == a.dport {
        return;
    }
    target[..4].copy_from_slice(&new);
}

/// Whether the process has a socket whose peer port, or a listening socket whose own port,
/// is `port` (libsinsp's `is_bound_to_port`).
fn bound_to_port(table: &FdTable, port: u16) -> bool {
    table.fds.values().any(|f| {
        f.ty == FdType::Ipv4
            && if f.listening {
                f.addrs.sport == port
            } else {
                f.addrs.dport == port
            }
    })
}

/// Whether a connected socket of the process uses local port `port`.
fn uses_client_port(table: &FdTable, port: u16) -> bool {
    table
        .fds
        .values()
        .any(|f| f.ty == FdType::Ipv4 && !f.listening && f.addrs.sport == port)
}

/// libsinsp's role guess for a socket first seen in a datagram call.
fn guess_role(table: &FdTable, a: &SockAddrs, incoming: bool) -> Role {
    if !bound_to_port(table, a.dport) {
        return Role::Client;
    }
    if !uses_client_port(table, a.sport) {
        return Role::Server;
    }
    if incoming {
        Role::Server
    } else {
        Role::Client
    }
}

/// A unix tuple as libsinsp prints it: `src->dst path`, the kernel pointers in hex.
pub fn unix_tuple_name(src: u64, dst: u64, path: &[u8]) -> Vec<u8> {
    let mut name = format!("{src:x}->{dst:x} ").into_bytes();
    name.extend_from_slice(path);
    name
}

/// Applies the tuple of a successful datagram call to its fd. `incoming` is true for the
/// receiving calls, whose tuple lists the peer first.
pub fn datagram(st: &mut State, p: &Paired<'_>, res: i64, incoming: bool) {
    if res < 0 {
        return;
    }
    let Some(fd) = p.int("fd") else { return };
    let Some(tuple) = p.bytes("tuple").and_then(net::parse_tuple) else {
        return;
    };
    let pid = st.thread(p.ev.tid).map_or(p.ev.tid, |t| t.pid);
    if let Tuple::Ip(ty, _) = tuple {
        // libsinsp's `infer_send_sendto_sendmsg_fdinfo`: a send on an fd it never saw
        // created (the capture started later) makes it a UDP socket of the tuple's family.
        let unknown = st.fds.get(&pid).is_none_or(|t| t.get(fd).is_none());
        let send = p.ev.info().is_some_and(|i| SENDS.contains(&i.name));
        if unknown && send && st.thread(p.ev.tid).is_some() {
            let mut f = Fd::named(ty, b"");
            f.addrs.l4proto = L4_UDP;
            f.inferred = true;
            st.fds.entry(pid).or_default().insert(fd, f);
            st.created_fd = Some(fd);
        }
    }
    let ifaces = &st.ipv4_ifaces;
    let Some(table) = st.fds.get_mut(&pid) else {
        return;
    };
    let Some(f) = table.fds.get(&fd) else { return };
    if !f.name.is_empty() && f.addrs.l4proto == L4_TCP {
        return;
    }
    let mut f: Fd = f.clone();
    match tuple {
        Tuple::Unix(src, dst, path) => {
            // libsinsp names it after the tuple as printed, not after the path.
            f.ty = FdType::Unix;
            f.unix_ends = (src, dst);
            f.name = unix_tuple_name(src, dst, path).into();
        }
        Tuple::Ip(ty, a) => {
            let same = f.ty == ty
                && !f.listening
                && ((f.addrs.sip, f.addrs.sport, f.addrs.dip, f.addrs.dport)
                    == (a.sip, a.sport, a.dip, a.dport)
                    || (f.addrs.sip, f.addrs.sport, f.addrs.dip, f.addrs.dport)
                        == (a.dip, a.dport, a.sip, a.sport));
            if same {
                return;
            }
            let l4 = match f.addrs.l4proto {
                0 => L4_UDP,
                l4 => l4,
            };
            f.ty = ty;
            f.listening = false;
            f.addrs = SockAddrs { l4proto: l4, ..a };
            if ty == FdType::Ipv4 {
                patch_ipv4(ifaces, &mut f.addrs);
            }
            if f.role == Role::None {
                // libsinsp guesses with the socket's new tuple already in the table.
                table.insert(fd, f.clone());
                f.role = guess_role(table, &f.addrs, incoming);
            }
            let swap = if incoming {
                f.role == Role::Client
            } else {
                f.role == Role::Server
            };
            if swap {
                let x = &mut f.addrs;
                std::mem::swap(&mut x.sip, &mut x.dip);
                std::mem::swap(&mut x.sport, &mut x.dport);
            }
            f.name = socket_name(ty, &f.addrs).into();
        }
    }
    f.enter_named = false;
    table.insert(fd, f);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lo_and_eth() -> Vec<Ipv4Iface> {
        vec![
            Ipv4Iface {
                addr: LOOPBACK,
                netmask: [255, 0, 0, 0],
            },
            Ipv4Iface {
                addr: [10, 0, 2, 15],
                netmask: [255, 255, 255, 0],
            },
        ]
    }

    use hindsight_format::encode::EventBuilder;
    use hindsight_format::event::EventRef;
    use hindsight_format::schema::event_ids_by_name;

    fn v4_tuple(s: [u8; 4], sport: u16, d: [u8; 4], dport: u16) -> Vec<u8> {
        let mut t = vec![2];
        t.extend_from_slice(&s);
        t.extend_from_slice(&sport.to_le_bytes());
        t.extend_from_slice(&d);
        t.extend_from_slice(&dport.to_le_bytes());
        t
    }

    /// Applies event `name` (`>` enter, `<` exit) of thread 7 with parameters `params`.
    fn apply(st: &mut State, name: &str, dir: char, params: &[&[u8]]) {
        let id = event_ids_by_name(name)
            .find(|&id| hindsight_format::schema::Direction::of(id).as_char() == dir)
            .expect("known event");
        let mut b = EventBuilder::new(id, 1, 7);
        for p in params {
            b.raw(p);
        }
        let rec = b.build();
        let ev = EventRef::parse_v2(&rec, 1, 0, 0).expect("well-formed record");
        st.apply(&ev);
    }

    fn fd_name(st: &State, fd: i64) -> String {
        let f = &st.fds[&7].fds[&fd];
        String::from_utf8_lossy(&f.name).into_owned()
    }

    /// As sysdig shows a python sender (`sendto` on an unbound socket) and receiver
    /// (`recvfrom` on a socket bound to 127.0.0.1:0).
    #[test]
    fn unconnected_sockets_take_datagram_tuples() {
        let mut st = State {
            ipv4_ifaces: lo_and_eth(),
            ..State::default()
        };
        let (lo, n) = (LOOPBACK, 2u32.to_le_bytes());
        for fd in [3i64, 4] {
            apply(&mut st, "socket", '>', &[&n, &n, &0u32.to_le_bytes()]);
            apply(&mut st, "socket", '<', &[&fd.to_le_bytes()]);
        }
        let mut addr = vec![2];
        addr.extend_from_slice(&lo);
        addr.extend_from_slice(&0u16.to_le_bytes());
        apply(&mut st, "bind", '>', &[&4i64.to_le_bytes()]);
        apply(&mut st, "bind", '<', &[&0i64.to_le_bytes(), &addr]);
        let out = v4_tuple([0; 4], 0, lo, 38926);
        apply(
            &mut st,
            "sendto",
            '>',
            &[&3i64.to_le_bytes(), &1u32.to_le_bytes(), &out],
        );
        apply(&mut st, "sendto", '<', &[&1i64.to_le_bytes(), b"x"]);
        assert_eq!(fd_name(&st, 3), "127.0.0.1:0->127.0.0.1:38926");
        assert_eq!(st.fds[&7].fds[&3].addrs.l4proto, L4_UDP);
        let inc = v4_tuple(lo, 56253, lo, 38926);
        apply(
            &mut st,
            "recvfrom",
            '>',
            &[&4i64.to_le_bytes(), &9u32.to_le_bytes()],
        );
        apply(&mut st, "recvfrom", '<', &[&1i64.to_le_bytes(), b"x", &inc]);
        assert_eq!(fd_name(&st, 4), "127.0.0.1:56253->127.0.0.1:38926");
        // A failed call changes nothing.
        let other = v4_tuple(lo, 1, lo, 2);
        apply(
            &mut st,
            "recvfrom",
            '>',
            &[&4i64.to_le_bytes(), &9u32.to_le_bytes()],
        );
        apply(
            &mut st,
            "recvfrom",
            '<',
            &[&(-11i64).to_le_bytes(), b"", &other],
        );
        assert_eq!(fd_name(&st, 4), "127.0.0.1:56253->127.0.0.1:38926");
    }

    #[test]
    fn unknown_source_is_the_interface_reaching_the_destination() {
        let ifs = lo_and_eth();
        assert_eq!(infer(&ifs, LOOPBACK), LOOPBACK);
        assert_eq!(infer(&ifs, [10, 0, 2, 3]), [10, 0, 2, 15]);
        assert_eq!(infer(&ifs, [8, 8, 8, 8]), [10, 0, 2, 15]);
        assert_eq!(infer(&[], [8, 8, 8, 8]), [0; 4]);
        let mut a = SockAddrs::default();
        a.dip[..4].copy_from_slice(&LOOPBACK);
        a.dport = 38926;
        patch_ipv4(&ifs, &mut a);
        assert_eq!(
            socket_name(FdType::Ipv4, &a),
            b"127.0.0.1:0->127.0.0.1:38926"
        );
    }
}
