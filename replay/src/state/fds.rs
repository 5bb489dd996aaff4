//! The fd table of one process: what each open file descriptor refers to.
//!
//! Entries come from the FDL header blocks and from fd-creating syscalls (open, socket, accept,
//! pipe, dup...). The model follows libsinsp's `sinsp_fdinfo`: a type (which gives
//! `fd.type`/`fd.typechar`), a name (`fd.name`), open flags, device and inode, and for sockets
//! the addresses, ports, layer-4 protocol and the role (client or server) that decides which
//! port is `fd.sport` and which `fd.cport`.

use hindsight_format::header::{FdEntry, FdKind};

use super::fd_order::FdOrder;

/// `PPM_FD_UPPER_LAYER`: an open flag the driver adds for a file of an overlayfs upper layer.
pub const O_UPPER_LAYER: u32 = 1 << 15;
/// `PPM_FD_LOWER_LAYER`: the same for a lower layer.
pub const O_LOWER_LAYER: u32 = 1 << 16;

/// What an fd refers to (`scap_fd_type`, with IPv4/IPv6 server sockets folded into one
/// socket kind plus [`Fd::role`] and [`Fd::listening`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FdType {
    /// Regular file.
    File = 0,
    /// Directory.
    Directory,
    /// IPv4 socket (connected, listening or not yet either).
    Ipv4,
    /// IPv6 socket.
    Ipv6,
    /// Unix domain socket.
    Unix,
    /// Pipe or FIFO.
    Pipe,
    /// eventfd.
    Event,
    /// signalfd.
    Signalfd,
    /// epoll instance.
    Eventpoll,
    /// inotify instance.
    Inotify,
    /// timerfd.
    Timerfd,
    /// Netlink socket.
    Netlink,
    /// bpf object.
    Bpf,
    /// userfaultfd.
    Userfaultfd,
    /// io_uring instance.
    IoUring,
    /// memfd.
    Memfd,
    /// pidfd.
    Pidfd,
    /// A type the kernel module could not classify.
    Unsupported,
}

/// `(fd.type, fd.typechar)` per [`FdType`], in discriminant order (libsinsp's
/// `sinsp_fdinfo::get_typestring` / `get_typechar`).
const TYPE_NAMES: [(&str, u8); 18] = [
    ("file", b'f'),
    ("directory", b'd'),
    ("ipv4", b'4'),
    ("ipv6", b'6'),
    ("unix", b'u'),
    ("pipe", b'p'),
    ("event", b'e'),
    ("signalfd", b's'),
    ("eventpoll", b'l'),
    ("inotify", b'i'),
    ("timerfd", b't'),
    ("netlink", b'n'),
    ("bpf", b'b'),
    ("userfaultfd", b'u'),
    ("io_uring", b'r'),
    ("memfd", b'm'),
    ("pidfd", b'P'),
    ("unsupported", b'X'),
];

/// All types in discriminant order, to turn a stored byte back into a type.
const ALL_TYPES: [FdType; 18] = [
    FdType::File,
    FdType::Directory,
    FdType::Ipv4,
    FdType::Ipv6,
    FdType::Unix,
    FdType::Pipe,
    FdType::Event,
    FdType::Signalfd,
    FdType::Eventpoll,
    FdType::Inotify,
    FdType::Timerfd,
    FdType::Netlink,
    FdType::Bpf,
    FdType::Userfaultfd,
    FdType::IoUring,
    FdType::Memfd,
    FdType::Pidfd,
    FdType::Unsupported,
];

impl FdType {
    /// `fd.type` as libsinsp prints it.
    pub fn name(self) -> &'static str {
        TYPE_NAMES[self as usize].0
    }

    /// `fd.typechar`.
    pub fn typechar(self) -> u8 {
        TYPE_NAMES[self as usize].1
    }

    /// The type stored as `code` by [`FdType::code`]; `None` for an unknown byte.
    pub fn from_code(code: u8) -> Option<FdType> {
        ALL_TYPES.get(code as usize).copied()
    }

    /// A stable byte for checkpoints.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The type of an FDL `scap_fd_type` code that carries only a name.
    pub fn from_scap_named(code: u8) -> FdType {
        match code {
            7 => FdType::Pipe,
            9 => FdType::Event,
            11 => FdType::Signalfd,
            12 => FdType::Eventpoll,
            13 => FdType::Inotify,
            14 => FdType::Timerfd,
            15 => FdType::Netlink,
            17 => FdType::Bpf,
            18 => FdType::Userfaultfd,
            19 => FdType::IoUring,
            20 => FdType::Memfd,
            21 => FdType::Pidfd,
            _ => FdType::Unsupported,
        }
    }

    /// Whether the fd is an IP socket.
    pub fn is_ip(self) -> bool {
        matches!(self, FdType::Ipv4 | FdType::Ipv6)
    }
}

/// Which side of a connection this process is on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Role {
    /// Unknown (not connected yet, or from an FDL block without a hint).
    #[default]
    None,
    /// The process connected (`connect`): the local end is the client.
    Client,
    /// The process accepted the connection: the local end is the server.
    Server,
}

/// Addresses of an IP socket. IPv4 addresses sit in the first four bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SockAddrs {
    /// Source (for a tuple: the connecting side) address.
    pub sip: [u8; 16],
    /// Destination address.
    pub dip: [u8; 16],
    /// Source port.
    pub sport: u16,
    /// Destination port.
    pub dport: u16,
    /// `SCAP_L4_*` protocol: 0 unknown, 1 n/a, 2 TCP, 3 UDP, 4 ICMP, 5 raw.
    pub l4proto: u8,
}

/// One open file descriptor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fd {
    /// What it refers to.
    pub ty: FdType,
    /// `fd.name` (path, socket description, pipe name...). Shared, not owned: a dup, a fork's
    /// copy of the table and a close kept for its exit event take a reference, not a copy.
    pub name: std::sync::Arc<[u8]>,
    /// `PPM_O_*` open flags (files only).
    pub open_flags: u32,
    /// Device number.
    pub dev: u32,
    /// Inode number.
    pub ino: u64,
    /// Addresses of IP sockets.
    pub addrs: SockAddrs,
    /// Client or server side.
    pub role: Role,
    /// A listening (server) socket: `sip`/`sport` hold the bound address.
    pub listening: bool,
    /// Kernel endpoint pointers of a unix socket (source, destination).
    pub unix_ends: (u64, u64),
    /// The path an open passed, before it was resolved (`fd.nameraw`; libsinsp's
    /// `m_name_raw`, empty for every fd an open did not create).
    pub name_raw: std::sync::Arc<[u8]>,
    /// A unix socket whose name comes only from its connect enter event: sysdig 0.29 names it
    /// there, current libs (which never parse that enter) leave it unnamed.
    pub enter_named: bool,
    /// A socket current libs assume after a send on an fd they never saw created
    /// (`infer_send_sendto_sendmsg_fdinfo`); sysdig 0.29 has no such fd, so its view does
    /// not see it.
    pub inferred: bool,
}

impl Fd {
    /// A fd of type `ty` named `name`, everything else unset.
    pub fn named(ty: FdType, name: &[u8]) -> Fd {
        Fd {
            ty,
            name: name.into(),
            open_flags: 0,
            dev: 0,
            ino: 0,
            addrs: SockAddrs::default(),
            role: Role::None,
            listening: false,
            unix_ends: (0, 0),
            name_raw: std::sync::Arc::from(&[][..]),
            enter_named: false,
            inferred: false,
        }
    }

    /// `fd.name` in current libs' view (`libs`) or in sysdig 0.29's.
    ///
    /// A unix socket named only by its connect enter has that name in sysdig 0.29; current
    /// libs never parse that enter and leave it unnamed.
    ///
    /// Some /proc/net/unix readers leave the line's newline at the end of a socket path of a
    /// capture's process list. libsinsp keeps the byte in every version; sysdig 0.29 and
    /// libs 0.20 (Falco 0.40) print fd names with non-printable bytes removed
    /// (`sanitize_string` with `g_invalidchar`), libs 0.25 with each replaced by U+FFFD
    /// ([`crate::fields::sanitize`]). sysdig's view shows the printed path everywhere, in
    /// conditions too: the one place where it departs from sysdig, whose filters compare the
    /// raw name.
    pub fn shown_name(&self, libs: bool) -> &[u8] {
        if libs && self.enter_named {
            return b"";
        }
        if libs || self.ty != FdType::Unix {
            return &self.name;
        }
        let n = &self.name;
        &n[..n.len() - n.iter().rev().take_while(|b| **b == b'\n').count()]
    }

    /// Builds an entry from an FDL header entry.
    pub fn from_entry(e: &FdEntry) -> Fd {
        let mut fd = Fd::named(FdType::Unsupported, &e.name);
        fd.ino = e.ino;
        match &e.kind {
            FdKind::File { open_flags, dev } => {
                fd.ty = FdType::File;
                fd.open_flags = *open_flags;
                fd.dev = *dev;
            }
            FdKind::Directory => fd.ty = FdType::Directory,
            FdKind::Ipv4Socket {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                fd.ty = FdType::Ipv4;
                fd.addrs.sip[..4].copy_from_slice(sip);
                fd.addrs.dip[..4].copy_from_slice(dip);
                fd.addrs.sport = *sport;
                fd.addrs.dport = *dport;
                fd.addrs.l4proto = *l4proto;
                orient(&mut fd);
            }
            FdKind::Ipv6Socket {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                fd.ty = FdType::Ipv6;
                fd.addrs = SockAddrs {
                    sip: *sip,
                    dip: *dip,
                    sport: *sport,
                    dport: *dport,
                    l4proto: *l4proto,
                };
                orient(&mut fd);
            }
            FdKind::Ipv4Server { ip, port, l4proto } => {
                fd.ty = FdType::Ipv4;
                fd.listening = true;
                fd.addrs.sip[..4].copy_from_slice(ip);
                fd.addrs.sport = *port;
                fd.addrs.l4proto = *l4proto;
                fd.name = server_name(FdType::Ipv4, &fd.addrs).into();
            }
            FdKind::Ipv6Server { ip, port, l4proto } => {
                fd.ty = FdType::Ipv6;
                fd.listening = true;
                fd.addrs.sip = *ip;
                fd.addrs.sport = *port;
                fd.addrs.l4proto = *l4proto;
                fd.name = server_name(FdType::Ipv6, &fd.addrs).into();
            }
            FdKind::Unix { source, dest } => {
                fd.ty = FdType::Unix;
                fd.unix_ends = (*source, *dest);
                // libsinsp's `add_fd_from_scap`: an unnamed unix socket is a client end, a
                // named one a server end.
                fd.role = if fd.name.is_empty() {
                    Role::Client
                } else {
                    Role::Server
                };
                // The name stays as the snapshot wrote it, with the newline some
                // /proc/net/unix readers leave at its end: current libs keep it (conditions
                // see it, outputs print it sanitised); [`Fd::shown_name`] gives sysdig's view.
            }
            FdKind::Other(code) => fd.ty = FdType::from_scap_named(*code),
        }
        fd
    }

    /// The local (this process's) port: the client port for a client, the server port for
    /// a server, the source port when the role is unknown.
    pub fn server_port(&self) -> u16 {
        if self.listening {
            self.addrs.sport
        } else {
            self.addrs.dport
        }
    }
}

/// Orients a connected socket from a /proc snapshot (local address first) as client ->
/// server, the order events use: the side with the lower port is taken as the server, as
/// sysdig shows them (`10.0.2.2:49289->10.0.2.15:22` for sshd's accepted socket).
fn orient(fd: &mut Fd) {
    let a = &mut fd.addrs;
    if a.sport < a.dport {
        std::mem::swap(&mut a.sip, &mut a.dip);
        std::mem::swap(&mut a.sport, &mut a.dport);
        fd.role = Role::Server;
    } else {
        fd.role = Role::Client;
    }
    fd.name = socket_name(fd.ty, &fd.addrs).into();
}

/// Appends an IP address in text form (dotted quad, or IPv6 `::` compressed form).
pub fn push_ip(out: &mut Vec<u8>, ty: FdType, ip: &[u8; 16]) {
    use std::io::Write;
    if ty == FdType::Ipv6 {
        let addr = std::net::Ipv6Addr::from(*ip);
        let _ = write!(out, "{addr}");
    } else {
        let _ = write!(out, "{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]);
    }
}

/// `sip:sport->dip:dport`, libsinsp's name of a connected socket.
pub fn socket_name(ty: FdType, a: &SockAddrs) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::with_capacity(48);
    push_ip(&mut out, ty, &a.sip);
    let _ = write!(out, ":{}->", a.sport);
    push_ip(&mut out, ty, &a.dip);
    let _ = write!(out, ":{}", a.dport);
    out
}

/// `ip:port`, the name of a listening socket.
pub fn server_name(ty: FdType, a: &SockAddrs) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::with_capacity(24);
    push_ip(&mut out, ty, &a.sip);
    let _ = write!(out, ":{}", a.sport);
    out
}

/// The fds of one process (shared by its threads). Insertions and removals go through
/// [`FdTable::insert`] and [`FdTable::remove`], which keep libsinsp's iteration order
/// ([`FdOrder`]) in step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FdTable {
    /// Open fds by number.
    pub fds: super::IdMap<i64, Fd>,
    /// The order libsinsp lists them in.
    pub order: FdOrder,
}

impl FdTable {
    /// The table of an FDL block, its fds added in block order.
    pub fn from_entries(entries: &[FdEntry]) -> FdTable {
        let mut t = FdTable::default();
        for e in entries {
            t.insert(e.fd, Fd::from_entry(e));
        }
        t
    }

    /// The fd numbered `fd`.
    pub fn get(&self, fd: i64) -> Option<&Fd> {
        self.fds.get(&fd)
    }

    /// Adds or replaces fd `fd` (a replaced fd keeps its place, as in `sinsp_fdtable::add`).
    pub fn insert(&mut self, fd: i64, f: Fd) {
        if self.fds.insert(fd, f).is_none() {
            self.order.insert(fd);
        }
    }

    /// Removes fd `fd`.
    pub fn remove(&mut self, fd: i64) -> Option<Fd> {
        let f = self.fds.remove(&fd)?;
        self.order.remove(fd);
        Some(f)
    }

    /// Keeps the fds `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&Fd) -> bool) {
        let gone: Vec<i64> = self
            .order
            .iter()
            .filter(|n| self.fds.get(n).is_some_and(|f| !keep(f)))
            .collect();
        for n in gone {
            self.remove(n);
        }
    }

    /// The table a new process starts with: a copy of this one, its fds added in this
    /// table's order (`parse_clone_exit`).
    pub fn copy_for_child(&self) -> FdTable {
        let mut t = FdTable::default();
        for (n, f) in self.in_order() {
            t.insert(n, f.clone());
        }
        t
    }

    /// The fds in the order libsinsp lists them.
    pub fn in_order(&self) -> impl Iterator<Item = (i64, &Fd)> {
        self.order
            .iter()
            .filter_map(|n| self.fds.get(&n).map(|f| (n, f)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_names_follow_libsinsp() {
        let mut a = SockAddrs::default();
        a.sip[..4].copy_from_slice(&[10, 0, 0, 1]);
        a.dip[..4].copy_from_slice(&[1, 2, 3, 4]);
        a.sport = 5555;
        a.dport = 443;
        assert_eq!(socket_name(FdType::Ipv4, &a), b"10.0.0.1:5555->1.2.3.4:443");
        assert_eq!(server_name(FdType::Ipv4, &a), b"10.0.0.1:5555");
        let mut b = SockAddrs::default();
        b.sip[15] = 1;
        b.dip[15] = 1;
        assert_eq!(socket_name(FdType::Ipv6, &b), b"::1:0->::1:0");
    }

    #[test]
    fn a_listed_unix_path_keeps_its_newline_for_current_libs_only() {
        let e = FdEntry {
            fd: 20,
            ino: 7,
            kind: FdKind::Unix { source: 1, dest: 0 },
            name: b"/var/run/docker.sock\n".to_vec(),
        };
        let f = Fd::from_entry(&e);
        assert_eq!(&*f.name, b"/var/run/docker.sock\n");
        assert_eq!(f.shown_name(true), b"/var/run/docker.sock\n");
        assert_eq!(f.shown_name(false), b"/var/run/docker.sock");
        assert_eq!(f.role, Role::Server);
        // Only unix sockets: a file's name is the same in both views.
        let file = Fd::named(FdType::File, b"/tmp/x\n");
        assert_eq!(file.shown_name(false), b"/tmp/x\n");
    }

    #[test]
    fn type_codes_round_trip() {
        for t in ALL_TYPES {
            assert_eq!(FdType::from_code(t.code()), Some(t));
        }
        assert_eq!(FdType::from_code(200), None);
        assert_eq!(FdType::Pidfd.typechar(), b'P');
    }
}
