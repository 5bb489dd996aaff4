//! State transitions: what each event does to threads, fds and containers.
//!
//! Event types are classified once, by their `evt.type` name in the schema table, into an
//! [`Action`] ([`ACTIONS`] is the data; [`action_of`] the per-id lookup built from it), so
//! every version of an event (`execve` 13, 155... 293) gets the same handler, and each
//! handler reads parameters by name through [`Paired`], which works for old traces (fd in
//! the enter event) and new ones (fd in the exit) alike.

use std::sync::OnceLock;

use hindsight_format::event::EventRef;
use hindsight_format::schema::{event_id_limit, event_info};

use super::event::Paired;
use super::fds::{server_name, socket_name, Fd, FdType, Role, O_LOWER_LAYER, O_UPPER_LAYER};
use super::net::{self, Addr, Tuple};
use super::path::{resolve, AT_FDCWD};
use super::process;
use super::threads::normalise_cwd;
use super::State;

/// What an event type does to the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Nothing.
    None,
    /// clone, fork, vfork, clone3 exit: a new thread.
    Clone,
    /// execve, execveat exit: a new program image.
    Execve,
    /// procexit: the thread ends.
    Procexit,
    /// open, openat, openat2, creat exit: a new file fd.
    Open,
    /// close exit: the fd goes away.
    Close,
    /// socket exit.
    Socket,
    /// socketpair exit.
    Socketpair,
    /// connect exit: the socket gets its tuple.
    Connect,
    /// accept, accept4 exit: a new connected socket.
    Accept,
    /// bind exit: the socket gets its local address.
    Bind,
    /// pipe, pipe2 exit.
    Pipe,
    /// dup, dup2, dup3 exit.
    Dup,
    /// fcntl exit (F_DUPFD, F_DUPFD_CLOEXEC).
    Fcntl,
    /// Exit creating an fd of the given type named after nothing (eventfd, epoll...).
    Typed(FdType),
    /// memfd_create exit.
    Memfd,
    /// chdir exit.
    Chdir,
    /// fchdir exit.
    Fchdir,
    /// chroot exit.
    Chroot,
    /// setuid exit.
    Setuid,
    /// setgid exit.
    Setgid,
    /// setresuid exit.
    Setresuid,
    /// setresgid exit.
    Setresgid,
    /// setsid exit.
    Setsid,
    /// container metadata event (JSON).
    ContainerJson,
    /// sendto/recvfrom...: tuples fill unconnected sockets.
    Datagram,
    /// brk, mmap, mmap2, munmap exit: the thread's memory counters.
    Memory,
    /// Scheduler switch (an enter event): page faults and the process's memory counters.
    Switch,
}

/// Event names and their actions; every version of an event shares its name.
pub const ACTIONS: &[(&str, Action)] = &[
    ("clone", Action::Clone),
    ("clone3", Action::Clone),
    ("fork", Action::Clone),
    ("vfork", Action::Clone),
    ("execve", Action::Execve),
    ("execveat", Action::Execve),
    ("procexit", Action::Procexit),
    ("open", Action::Open),
    ("openat", Action::Open),
    ("openat2", Action::Open),
    ("creat", Action::Open),
    ("open_by_handle_at", Action::Open),
    ("close", Action::Close),
    ("socket", Action::Socket),
    ("socketpair", Action::Socketpair),
    ("connect", Action::Connect),
    ("accept", Action::Accept),
    ("accept4", Action::Accept),
    ("bind", Action::Bind),
    ("pipe", Action::Pipe),
    ("pipe2", Action::Pipe),
    ("dup", Action::Dup),
    ("dup2", Action::Dup),
    ("dup3", Action::Dup),
    ("fcntl", Action::Fcntl),
    ("eventfd", Action::Typed(FdType::Event)),
    ("eventfd2", Action::Typed(FdType::Event)),
    ("signalfd", Action::Typed(FdType::Signalfd)),
    ("signalfd4", Action::Typed(FdType::Signalfd)),
    ("timerfd_create", Action::Typed(FdType::Timerfd)),
    ("inotify_init", Action::Typed(FdType::Inotify)),
    ("inotify_init1", Action::Typed(FdType::Inotify)),
    ("epoll_create", Action::Typed(FdType::Eventpoll)),
    ("epoll_create1", Action::Typed(FdType::Eventpoll)),
    ("userfaultfd", Action::Typed(FdType::Userfaultfd)),
    ("io_uring_setup", Action::Typed(FdType::IoUring)),
    ("pidfd_open", Action::Typed(FdType::Pidfd)),
    ("pidfd_getfd", Action::Typed(FdType::Pidfd)),
    ("memfd_create", Action::Memfd),
    ("chdir", Action::Chdir),
    ("fchdir", Action::Fchdir),
    ("chroot", Action::Chroot),
    ("setuid", Action::Setuid),
    ("setgid", Action::Setgid),
    ("setresuid", Action::Setresuid),
    ("setresgid", Action::Setresgid),
    ("setsid", Action::Setsid),
    ("container", Action::ContainerJson),
    ("asyncevent", Action::ContainerJson),
    ("sendto", Action::Datagram),
    ("recvfrom", Action::Datagram),
    ("sendmsg", Action::Datagram),
    ("recvmsg", Action::Datagram),
    ("brk", Action::Memory),
    ("mmap", Action::Memory),
    ("mmap2", Action::Memory),
    ("munmap", Action::Memory),
    ("switch", Action::Switch),
];

/// The action of event type `id` (table built once from [`ACTIONS`] and the schema).
pub fn action_of(id: u16) -> Action {
    static TABLE: OnceLock<Vec<Action>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (0..event_id_limit())
            .map(|id| {
                event_info(id)
                    .and_then(|i| ACTIONS.iter().find(|(n, _)| *n == i.name))
                    .map_or(Action::None, |(_, a)| *a)
            })
            .collect()
    });
    table.get(id as usize).copied().unwrap_or(Action::None)
}

/// `PPM_O_DIRECTORY`.
const O_DIRECTORY: u32 = 1 << 10;
/// `PPM_O_CLOEXEC`.
pub(super) const O_CLOEXEC: u32 = 1 << 12;
/// `PPM_O_CREAT | PPM_O_WRONLY | PPM_O_TRUNC`, what `creat` means.
const CREAT_FLAGS: u32 = (1 << 2) | (1 << 1) | (1 << 8);
/// `PPM_FCNTL_F_DUPFD` and `PPM_FCNTL_F_DUPFD_CLOEXEC`.
const FCNTL_DUPFD: [i64; 2] = [1, 26];

/// The new fd of a successful fcntl(F_DUPFD / F_DUPFD_CLOEXEC) exit.
pub fn dup_result(p: &Paired<'_>) -> Option<i64> {
    if !p.is_exit() || p.ev.info()?.name != "fcntl" {
        return None;
    }
    let res = p.res().filter(|&r| r >= 0)?;
    p.int("cmd")
        .is_some_and(|c| FCNTL_DUPFD.contains(&c))
        .then_some(res)
}

/// Applies an enter event (enter-only events, and a connect's target).
pub fn apply_enter(st: &mut State, ev: &EventRef<'_>) {
    let p = Paired::alone(*ev);
    match action_of(ev.ty) {
        Action::Connect => connect_enter(st, &p),
        Action::Procexit => {
            process::reparent_children(st, ev.tid, p.int("reaper_tid"));
            if let Some(reaper) = p.int("reaper_tid").filter(|r| *r > 0) {
                for t in st.threads.threads.values_mut() {
                    if t.ptid == ev.tid {
                        t.ptid = reaper;
                    }
                }
            }
            st.pending.thread = Some(ev.tid);
        }
        Action::ContainerJson => st.containers.apply_event(&p),
        Action::Switch => process::switch(st, &p),
        _ => {}
    }
}

/// A unix socket is named by the path its connect enter targets (libsinsp names it before
/// the call returns, and keeps the name when the connect fails).
fn connect_enter(st: &mut State, p: &Paired<'_>) {
    let (Some(fd), Some(Addr::Unix(path))) =
        (p.int("fd"), p.bytes("addr").and_then(net::parse_sockaddr))
    else {
        return;
    };
    if path.is_empty() {
        return;
    }
    if let Some(f) = fd_of_mut(st, p.ev.tid, fd).filter(|f| f.ty == FdType::Unix) {
        f.name = path.to_vec().into();
        f.enter_named = true;
    }
}

/// The display name libsinsp gives the fd of a failed unix connect exit: its tuple,
/// `src->dst path` with the kernel pointers in hex.
pub fn failed_connect_name(p: &Paired<'_>) -> Option<Vec<u8>> {
    if !p.is_exit() || action_of(p.ev.ty) != Action::Connect || p.res()? >= 0 {
        return None;
    }
    let Tuple::Unix(src, dst, path) = p.bytes("tuple").and_then(net::parse_tuple)? else {
        return None;
    };
    Some(super::udp::unix_tuple_name(src, dst, path))
}

/// A SOCKTUPLE parameter as libsinsp prints it: `sip:sport->dip:dport`, or `src->dst path`
/// for a unix tuple; empty when it does not decode.
pub fn tuple_text(b: &[u8]) -> Vec<u8> {
    match net::parse_tuple(b) {
        Some(Tuple::Ip(ty, a)) => socket_name(ty, &a),
        Some(Tuple::Unix(src, dst, path)) => super::udp::unix_tuple_name(src, dst, path),
        None => Vec::new(),
    }
}

/// Applies an exit event.
pub fn apply_exit(st: &mut State, ev: &EventRef<'_>) {
    let action = action_of(ev.ty);
    if action == Action::None {
        return;
    }
    // The handlers mutate `st` while reading the stored enter: move it out for the
    // duration (no copy, no allocation) and put it back afterwards.
    let enter = st.enters.get_mut(&ev.tid).map(std::mem::take);
    let enter_ev = enter.as_ref().and_then(|e| e.enter_of(ev.ty, false));
    let p = Paired {
        ev: *ev,
        enter: enter_ev,
    };
    dispatch(st, action, &p);
    if let (Some(stored), Some(slot)) = (enter, st.enters.get_mut(&ev.tid)) {
        *slot = stored;
    }
}

fn dispatch(st: &mut State, action: Action, p: &Paired<'_>) {
    let ev = &p.ev;
    let res = p.res().unwrap_or(-1);
    match action {
        Action::Clone => process::clone(st, p, res),
        Action::Execve if res >= 0 => process::execve(st, p),
        Action::Open if res >= 0 => open(st, p, res),
        Action::Close if res >= 0 => {
            if let (Some(fd), Some(t)) = (p.int("fd"), st.thread(ev.tid)) {
                st.pending.fd = Some((t.pid, fd));
            }
        }
        Action::Socket if res >= 0 => socket(st, p, res),
        Action::Socketpair if res >= 0 => {
            let ends = (
                p.int("source").unwrap_or(0) as u64,
                p.int("peer").unwrap_or(0) as u64,
            );
            for name in ["fd1", "fd2"] {
                if let Some(fd) = p.int(name) {
                    let mut f = Fd::named(FdType::Unix, b"");
                    f.unix_ends = ends;
                    add_fd(st, ev.tid, fd, f);
                }
            }
        }
        Action::Connect => connect(st, p),
        Action::Accept if res >= 0 => accept(st, p, res),
        Action::Bind if res >= 0 => bind(st, p),
        Action::Pipe if res >= 0 => {
            let ino = p.int("ino").unwrap_or(0) as u64;
            for name in ["fd1", "fd2"] {
                if let Some(fd) = p.int(name) {
                    let mut f = Fd::named(FdType::Pipe, b"");
                    f.ino = ino;
                    add_fd(st, ev.tid, fd, f);
                }
            }
        }
        Action::Dup if res >= 0 => {
            let old = p.int("oldfd").or_else(|| p.int("fd"));
            if let Some(old) = old {
                dup(st, ev.tid, old, res);
            }
        }
        Action::Fcntl if res >= 0 && p.int("cmd").is_some_and(|c| FCNTL_DUPFD.contains(&c)) => {
            if let Some(old) = p.int("fd") {
                dup(st, ev.tid, old, res);
            }
        }
        Action::Typed(ty) if res >= 0 => add_fd(st, ev.tid, res, Fd::named(ty, b"")),
        Action::Memfd if res >= 0 => {
            let mut name = b"memfd:".to_vec();
            name.extend_from_slice(p.str("name").unwrap_or_default());
            add_fd(st, ev.tid, res, Fd::named(FdType::Memfd, &name));
        }
        // libsinsp's `update_cwd` changes the main thread's directory, and nothing for a
        // thread met mid-trace (it has none).
        Action::Chdir | Action::Fchdir
            if st
                .thread(ev.tid)
                .is_some_and(|t| st.threads.libs_main_of(t).is_none()) => {}
        Action::Chdir if res >= 0 => {
            if let Some(path) = p.str("path") {
                let cwd = st.thread(ev.tid).map(|t| t.cwd.clone()).unwrap_or_default();
                set_cwd(st, ev.tid, normalise_cwd(resolve(&cwd, path)));
            }
        }
        Action::Fchdir if res >= 0 => {
            let name = p
                .int("fd")
                .and_then(|fd| fd_of(st, ev.tid, fd))
                .map(|f| f.name.to_vec());
            if let Some(name) = name {
                set_cwd(st, ev.tid, normalise_cwd(name));
            }
        }
        Action::Chroot if res >= 0 => {
            if let Some(path) = p.str("path") {
                let cwd = st.thread(ev.tid).map(|t| t.cwd.clone()).unwrap_or_default();
                let root = resolve(&cwd, path);
                if let Some(t) = st.threads.threads.get_mut(&ev.tid) {
                    t.root = root;
                }
            }
        }
        Action::Setuid | Action::Setresuid if res >= 0 => {
            let uid = p.int("uid").or_else(|| p.int("euid"));
            if let (Some(uid), Some(t)) = (uid, st.threads.threads.get_mut(&ev.tid)) {
                if uid >= 0 && uid != u32::MAX as i64 {
                    t.uid = uid as u32;
                }
            }
        }
        Action::Setgid | Action::Setresgid if res >= 0 => {
            let gid = p.int("gid").or_else(|| p.int("egid"));
            if let (Some(gid), Some(t)) = (gid, st.threads.threads.get_mut(&ev.tid)) {
                if gid >= 0 && gid != u32::MAX as i64 {
                    t.gid = gid as u32;
                }
            }
        }
        Action::Setsid if res >= 0 => {
            if let Some(t) = st.threads.threads.get_mut(&ev.tid) {
                t.sid = res;
            }
        }
        Action::Datagram => {
            let incoming = p.ev.info().is_some_and(|i| i.name.starts_with("recv"));
            super::udp::datagram(st, p, res, incoming);
        }
        Action::Memory => process::memory(st, p),
        _ => {}
    }
}

fn fd_of_mut(st: &mut State, tid: i64, fd: i64) -> Option<&mut Fd> {
    let pid = st.thread(tid).map_or(tid, |t| t.pid);
    st.fds.get_mut(&pid)?.fds.get_mut(&fd)
}

/// The fd `fd` of thread `tid`'s process.
pub(super) fn fd_of(st: &State, tid: i64, fd: i64) -> Option<&Fd> {
    let t = st.thread(tid)?;
    st.fds.get(&t.pid)?.get(fd)
}

/// Adds `f` as fd `fd` of `tid`'s process; like `sinsp_threadinfo::add_fd`, the event is then
/// about that fd in current libs' view ([`State::created_fd`]).
fn add_fd(st: &mut State, tid: i64, fd: i64, f: Fd) {
    let pid = st.thread(tid).map_or(tid, |t| t.pid);
    st.fds.entry(pid).or_default().insert(fd, f);
    st.created_fd = Some(fd);
}

fn set_cwd(st: &mut State, tid: i64, cwd: Vec<u8>) {
    let pid = st.thread(tid).map_or(tid, |t| t.pid);
    for t in st.threads.threads.values_mut() {
        if t.pid == pid || t.tid == tid {
            t.cwd.clone_from(&cwd);
        }
    }
}

fn dup(st: &mut State, tid: i64, old: i64, new: i64) {
    if old == new {
        return;
    }
    if let Some(f) = fd_of(st, tid, old).cloned() {
        add_fd(st, tid, new, f);
    }
}

/// The resolved path an open-family event names (against the cwd or its dirfd).
pub fn open_path(st: &State, p: &Paired<'_>) -> Option<Vec<u8>> {
    if action_of(p.ev.ty) != Action::Open {
        return None;
    }
    let name = p.str("name")?;
    let dirfd = p.int("dirfd").unwrap_or(AT_FDCWD);
    let base: &[u8] = if name.starts_with(b"/") {
        b""
    } else if dirfd == AT_FDCWD {
        st.thread(p.ev.tid).map_or(b"", |t| &t.cwd)
    } else {
        fd_of(st, p.ev.tid, dirfd).map_or(b"<UNKNOWN>", |f| &f.name)
    };
    // libsinsp names a directory opened as `/etc/` `/etc`.
    let mut path = resolve(base, name);
    if path.len() > 1 && path.ends_with(b"/") {
        path.pop();
    }
    Some(path)
}

fn open(st: &mut State, p: &Paired<'_>, fd: i64) {
    let ev = &p.ev;
    let Some(path) = open_path(st, p) else {
        return;
    };
    let open_flags = match p.int("flags") {
        Some(f) => f as u32,
        // creat has no flags; its `creat_flags` say the overlay layer (`PPM_FD_*_LAYER_CREAT`).
        None if ev.info().is_some_and(|i| i.name == "creat") => {
            let layer = p.int("creat_flags").unwrap_or(0);
            let upper = if layer & 1 != 0 { O_UPPER_LAYER } else { 0 };
            let lower = if layer & 2 != 0 { O_LOWER_LAYER } else { 0 };
            CREAT_FLAGS | upper | lower
        }
        None => 0,
    };
    let ty = if open_flags & O_DIRECTORY != 0 {
        FdType::Directory
    } else {
        FdType::File
    };
    let mut f = Fd::named(ty, &path);
    f.open_flags = open_flags;
    // libsinsp's `parse_open_openat_creat_exit` takes the device of the openat family only
    // with the inode (a driver that could not read the inode sends neither).
    let ino = p.int("ino");
    let openat = ev.info().is_some_and(|i| i.name.starts_with("openat"));
    if ino.is_some() || !openat {
        f.dev = p.int("dev").unwrap_or(0) as u32;
    }
    f.ino = ino.unwrap_or(0) as u64;
    // `m_name_raw`: the path as passed (`open_by_handle_at` passes none).
    if let Some(raw) = p.str("name") {
        f.name_raw = raw.into();
    }
    add_fd(st, ev.tid, fd, f);
}

fn socket(st: &mut State, p: &Paired<'_>, fd: i64) {
    let domain = p.int("domain").unwrap_or(0) as u8;
    let ty = p.int("type").unwrap_or(0) & 0xf;
    let proto = p.int("proto").unwrap_or(0);
    let (fty, l4) = match domain {
        net::AF_UNIX => (FdType::Unix, 0),
        net::AF_INET | net::AF_INET6 => {
            let t = if domain == net::AF_INET {
                FdType::Ipv4
            } else {
                FdType::Ipv6
            };
            // SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_RAW 3; IPPROTO_TCP 6, UDP 17, ICMP 1.
            let l4 = match (proto, ty) {
                (_, 3) => 5,
                (6, _) | (0, 1) => 2,
                (17, _) | (0, 2) => 3,
                (1, _) => 4,
                _ => 0,
            };
            (t, l4)
        }
        net::AF_NETLINK => (FdType::Netlink, 0),
        _ => (FdType::Unsupported, 0),
    };
    let mut f = Fd::named(fty, b"");
    f.addrs.l4proto = l4;
    add_fd(st, p.ev.tid, fd, f);
}

fn set_tuple(f: &mut Fd, tuple: &Tuple<'_>, role: Role) {
    match tuple {
        Tuple::Ip(ty, a) => {
            let l4 = f.addrs.l4proto;
            f.ty = *ty;
            f.addrs = *a;
            f.addrs.l4proto = l4;
            f.role = role;
            f.listening = false;
            f.name = socket_name(*ty, a).into();
        }
        Tuple::Unix(src, dst, path) => {
            f.ty = FdType::Unix;
            f.unix_ends = (*src, *dst);
            f.role = role;
            f.name = path.to_vec().into();
        }
    }
    f.enter_named = false;
}

/// `-EINPROGRESS`: a non-blocking connect that is under way still names the socket.
const EINPROGRESS: i64 = -115;

fn connect(st: &mut State, p: &Paired<'_>) {
    let res = p.res().unwrap_or(0);
    if res < 0 && res != EINPROGRESS {
        return;
    }
    let Some(fd) = p.int("fd") else { return };
    let Some(tuple) = p.bytes("tuple").and_then(net::parse_tuple) else {
        return;
    };
    let pid = st.thread(p.ev.tid).map_or(p.ev.tid, |t| t.pid);
    if let Some(f) = st.fds.get_mut(&pid).and_then(|t| t.fds.get_mut(&fd)) {
        set_tuple(f, &tuple, Role::Client);
    }
}

fn accept(st: &mut State, p: &Paired<'_>, fd: i64) {
    let Some(tuple) = p.bytes("tuple").and_then(net::parse_tuple) else {
        add_fd(st, p.ev.tid, fd, Fd::named(FdType::Unsupported, b""));
        return;
    };
    let mut f = Fd::named(FdType::Unsupported, b"");
    f.addrs.l4proto = 2;
    set_tuple(&mut f, &tuple, Role::Server);
    add_fd(st, p.ev.tid, fd, f);
}

fn bind(st: &mut State, p: &Paired<'_>) {
    let Some(fd) = p.int("fd") else { return };
    let Some(addr) = p.bytes("addr").and_then(net::parse_sockaddr) else {
        return;
    };
    let pid = st.thread(p.ev.tid).map_or(p.ev.tid, |t| t.pid);
    let Some(f) = st.fds.get_mut(&pid).and_then(|t| t.fds.get_mut(&fd)) else {
        return;
    };
    match addr {
        // Binding to port 0 (an outgoing socket choosing its address) only names it.
        Addr::Ip(ty, ip, 0) => {
            let a = super::fds::SockAddrs {
                sip: ip,
                ..Default::default()
            };
            f.name = server_name(ty, &a).into();
        }
        Addr::Ip(ty, ip, port) => {
            // `parse_bind_exit`: a socket bound to a port is a server.
            f.ty = ty;
            f.listening = true;
            f.role = Role::Server;
            f.addrs.sip = ip;
            f.addrs.sport = port;
            f.name = server_name(ty, &f.addrs).into();
        }
        Addr::Unix(path) => f.name = path.to_vec().into(),
    }
    f.enter_named = false;
}
