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
use super::fds::{server_name, socket_name, Fd, FdType, Role};
use super::net::{self, Addr, Tuple};
use super::path::{resolve, AT_FDCWD};
use super::threads::{
    normalise_cwd, Thread, CL_CHILD_IN_PIDNS, CL_CLONE_FILES, CL_CLONE_INVERTED, CL_CLONE_NEWPID,
    CL_CLONE_PARENT, CL_CLONE_THREAD, CL_CLONE_VFORK,
};
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
const O_CLOEXEC: u32 = 1 << 12;
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
        Action::Switch => switch(st, &p),
        _ => {}
    }
}

/// libsinsp's `parse_context_switch`: a switch carrying the counters (not those of old
/// captures) sets the thread's page faults and its main thread's memory.
fn switch(st: &mut State, p: &Paired<'_>) {
    let Some(swap) = p.int("vm_swap") else { return };
    let Some(t) = st.threads.threads.get_mut(&p.ev.tid) else {
        return;
    };
    t.pgft = (
        p.int("pgft_maj").unwrap_or(0) as u64,
        p.int("pgft_min").unwrap_or(0) as u64,
    );
    let pid = t.pid;
    let main = if t.is_main() {
        Some(t)
    } else {
        st.threads.threads.get_mut(&pid)
    };
    if let Some(m) = main {
        m.vm = (
            p.int("vm_size").unwrap_or(0) as u32,
            p.int("vm_rss").unwrap_or(0) as u32,
            swap as u32,
        );
    }
}

/// libsinsp's `parse_brk_mmap_mmap2_munmap__exit`: the exit's counters, when it has them,
/// become the thread's (its virtual size alone when rss and swap are missing).
fn memory(st: &mut State, p: &Paired<'_>) {
    let Some(t) = st.threads.threads.get_mut(&p.ev.tid) else {
        return;
    };
    if let Some(size) = p.int("vm_size") {
        t.vm.0 = size as u32;
    }
    if let Some(swap) = p.int("vm_swap") {
        t.vm.1 = p.int("vm_rss").unwrap_or(0) as u32;
        t.vm.2 = swap as u32;
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

/// Applies an exit event.
pub fn apply_exit(st: &mut State, ev: &EventRef<'_>) {
    let action = action_of(ev.ty);
    if action == Action::None {
        return;
    }
    // The handlers mutate `st` while reading the stored enter: move it out for the
    // duration (no copy, no allocation) and put it back afterwards.
    let enter = st.enters.get_mut(&ev.tid).map(std::mem::take);
    let enter_ev = enter
        .as_ref()
        .and_then(super::StoredEnter::event)
        .filter(|e| e.ty.wrapping_add(1) == ev.ty);
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
        Action::Clone => clone(st, p, res),
        Action::Execve if res >= 0 => execve(st, p),
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
        Action::Memory => memory(st, p),
        _ => {}
    }
}

fn fd_of_mut(st: &mut State, tid: i64, fd: i64) -> Option<&mut Fd> {
    let pid = st.thread(tid).map_or(tid, |t| t.pid);
    st.fds.get_mut(&pid)?.fds.get_mut(&fd)
}

fn fd_of(st: &State, tid: i64, fd: i64) -> Option<&Fd> {
    let t = st.thread(tid)?;
    st.fds.get(&t.pid)?.get(fd)
}

fn add_fd(st: &mut State, tid: i64, fd: i64, f: Fd) {
    let pid = st.thread(tid).map_or(tid, |t| t.pid);
    st.fds.entry(pid).or_default().fds.insert(fd, f);
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

/// The `args` of a process-info exit (clone family, execve). A parameter the record holds
/// with length 0 means "no arguments" (libsinsp sets the thread's args from it whatever its
/// length), so it clears the inherited ones; `None` only when the record lacks the parameter.
fn exit_args<'a>(p: &Paired<'a>) -> Option<&'a [u8]> {
    p.bytes("args").or_else(|| {
        let i = super::event::param_index(&p.ev, "args")?;
        (i < p.ev.nparams()).then_some(&[][..])
    })
}

/// libsinsp's `parse_clone_exit`: the caller's exit (the child's tid returned) or the
/// child's own exit (0) creates the child, whichever comes first and knows enough.
fn clone(st: &mut State, p: &Paired<'_>, res: i64) {
    match res {
        ..0 => {}
        0 => clone_child(st, p),
        child => clone_caller(st, p, child),
    }
}

/// The `vtid` and `vpid` of a clone exit, when the capture has them.
fn clone_vids(p: &Paired<'_>) -> Option<(i64, i64)> {
    Some((p.int("vtid")?, p.int("vpid")?))
}

/// The parts of a new thread that every clone exit fills from its own parameters (libsinsp's
/// `parse_clone_exit_caller` and `_child` alike): executable, name, arguments, fd limit,
/// memory counters, user, cgroups, creation time.
fn fill_from_clone_exit(t: &mut Thread, p: &Paired<'_>) {
    t.exe = p.str("exe").unwrap_or_default().to_vec();
    t.args = exit_args(p).unwrap_or_default().to_vec();
    t.comm = p
        .str("comm")
        .filter(|c| !c.is_empty())
        .map_or_else(|| t.exe.clone(), <[u8]>::to_vec);
    t.fdlimit = p.int("fdlimit").unwrap_or(-1) as u64;
    if let Some(swap) = p.int("vm_swap") {
        t.pgft = (
            p.int("pgft_maj").unwrap_or(0) as u64,
            p.int("pgft_min").unwrap_or(0) as u64,
        );
        t.vm = (
            p.int("vm_size").unwrap_or(0) as u32,
            p.int("vm_rss").unwrap_or(0) as u32,
            swap as u32,
        );
    }
    t.uid = p.int("uid").unwrap_or(-1) as u32;
    t.gid = p.int("gid").unwrap_or(-1) as u32;
    if let Some(cg) = p.bytes("cgroups").filter(|c| !c.is_empty()) {
        t.cgroups = cg.to_vec();
    }
    t.clone_ts = p.ev.ts;
}

/// What a child inherits from the thread libsinsp trusts for it (its creator, or the thread
/// its own clone exit names), when that thread is valid.
fn inherit(t: &mut Thread, from: &Thread) {
    t.exepath.clone_from(&from.exepath);
    t.exe_flags = from.exe_flags;
    t.root.clone_from(&from.root);
    t.sid = from.sid;
    t.vpgid = from.vpgid;
    t.tty = from.tty;
    t.loginuid = from.loginuid;
    t.caps = from.caps;
    t.exe_ino = from.exe_ino;
}

/// A new process starts with its creator's fds, working directory (its main thread's, `./`
/// without one) and environment.
fn inherit_process(st: &mut State, t: &mut Thread, from: &Thread) {
    if let Some(table) = st.fds.get(&from.pid).cloned() {
        st.fds.insert(t.pid, table);
    }
    t.cwd = st
        .threads
        .libs_main_of(from)
        .map_or_else(|| b"./".to_vec(), |m| m.cwd.clone());
    t.env.clone_from(&from.env);
}

/// libsinsp's `parse_clone_exit_caller`: a caller met mid-trace gets its ids from the event;
/// the child is created here only outside pid namespaces and vforks, and when its own exit
/// has not created it already.
fn clone_caller(st: &mut State, p: &Paired<'_>, child_tid: i64) {
    let ev = &p.ev;
    let caller_tid = ev.tid;
    let caller = st
        .threads
        .threads
        .entry(caller_tid)
        .or_insert_with(|| Thread::unknown(caller_tid));
    let valid_caller = !caller.is_invalid();
    if !valid_caller {
        // Its parent stays unknown here, as sysdig 0.29 shows it; current libs would take
        // the event's `ptid`, a thread that is not in the table either in these cases (the
        // caller is met mid-trace), so no field reads it.
        caller.pid = p.int("pid").unwrap_or(-1);
        (caller.vtid, caller.vpid) = clone_vids(p).unwrap_or((caller_tid, -1));
        caller.libs_valid = true;
    }
    let flags = p.int("flags").unwrap_or(0) as u32;
    if flags & (CL_CHILD_IN_PIDNS | CL_CLONE_NEWPID | CL_CLONE_PARENT) != 0
        || caller_tid != caller.libs_vtid()
        || flags & CL_CLONE_VFORK != 0
        || ev.info().is_some_and(|i| i.name == "vfork")
    {
        return;
    }
    if let Some(existing) = st.threads.get(child_tid) {
        if existing.flags & CL_CLONE_INVERTED != 0 {
            return;
        }
        st.remove_thread(child_tid);
    }
    let Some(caller) = st.threads.get(caller_tid).cloned() else {
        return;
    };
    let mut child = Thread::libs_new(child_tid);
    child.flags = flags;
    if flags & CL_CLONE_THREAD == 0 {
        child.pid = child_tid;
        child.ptid = caller.tid;
        if valid_caller {
            inherit_process(st, &mut child, &caller);
        }
    } else {
        // A new thread's parent is its creator in sysdig 0.29; current libs give it its
        // process's parent, which they read through the main thread
        // (`ThreadTable::libs_ptid`).
        child.pid = caller.pid;
        child.ptid = caller.tid;
        child.flags |= CL_CLONE_FILES;
    }
    child.vtid = child_tid;
    child.vpid = child.pid;
    fill_from_clone_exit(&mut child, p);
    child.pidns_init_start_ts = st.boot_ts;
    if valid_caller {
        inherit(&mut child, &caller);
    } else if let Some(c) = st.threads.threads.get_mut(&caller_tid) {
        name_from(c, &child);
    }
    child.container_id = st.containers.attach(&child);
    st.threads.threads.insert(child_tid, child);
}

/// Gives `t` the executable, name and arguments of `from`, in both views.
fn name_from(t: &mut Thread, from: &Thread) {
    t.exe.clone_from(&from.exe);
    t.comm.clone_from(&from.comm);
    t.args.clone_from(&from.args);
    t.libs_unnamed = false;
}

/// Two seconds: a thread created by its creator's clone exit longer ago than this is a stale
/// entry of a reused tid (libsinsp's `CLONE_STALE_TIME_NS`).
const CLONE_STALE_TIME_NS: u64 = 2_000_000_000;

/// libsinsp's `parse_clone_exit_child`: the child's own exit creates it when its creator's
/// exit has not (a child in a pid namespace, a lost or later caller exit), copying from its
/// parent (a new process) or its process's leader (a new thread), which it fills in when
/// that leader was met mid-trace.
fn clone_child(st: &mut State, p: &Paired<'_>) {
    let ev = &p.ev;
    let tid = ev.tid;
    if !st.thread_created {
        if let Some(existing) = st.threads.get(tid).filter(|t| t.clone_ts != 0) {
            if ev.ts.saturating_sub(existing.clone_ts) < CLONE_STALE_TIME_NS {
                return;
            }
            st.remove_thread(tid);
        }
    }
    let mut child = Thread::libs_new(tid);
    child.pid = p.int("pid").unwrap_or(-1);
    child.ptid = p.int("ptid").unwrap_or(-1);
    (child.vtid, child.vpid) = clone_vids(p).unwrap_or((tid, -1));
    child.flags = p.int("flags").unwrap_or(0) as u32 | CL_CLONE_INVERTED;
    let leader = child.flags & CL_CLONE_THREAD == 0;
    let lookup_tid = if leader {
        child.ptid
    } else {
        child.flags |= CL_CLONE_FILES;
        // The creator is unknown here: sysdig 0.29 takes the process's leader.
        child.ptid = child.pid;
        child.pid
    };
    fill_from_clone_exit(&mut child, p);
    let lookup = st
        .threads
        .get(lookup_tid)
        .filter(|l| !l.is_invalid())
        .cloned();
    match lookup {
        Some(l) => {
            inherit(&mut child, &l);
            if leader {
                inherit_process(st, &mut child, &l);
            }
        }
        // libsinsp creates the missing leader of a new thread from the thread's exit: ids,
        // executable, name and arguments (its parent stays unknown, as sysdig 0.29 has it).
        None if !leader => {
            let l = st
                .threads
                .threads
                .entry(lookup_tid)
                .or_insert_with(|| Thread::unknown(lookup_tid));
            l.pid = child.pid;
            l.vpid = child.vpid;
            l.vtid = child.vpid;
            l.libs_valid = true;
            name_from(l, &child);
        }
        None => {}
    }
    // sysdig 0.29 names a leader it still knows nothing of after its new thread; current
    // libs, for which the leader's own clone exit made it valid, keep it unnamed.
    if !leader {
        if let Some(l) = st
            .threads
            .threads
            .get_mut(&lookup_tid)
            .filter(|l| l.is_placeholder())
        {
            name_from(l, &child);
            l.libs_unnamed = true;
        }
    }
    let in_pidns =
        child.flags & (CL_CHILD_IN_PIDNS | CL_CLONE_NEWPID) != 0 || child.tid != child.vtid;
    child.pidns_init_start_ts = match p.int("pidns_init_start_ts") {
        Some(ts) if in_pidns => (ts as u64).wrapping_add(st.boot_ts),
        _ if in_pidns => 0,
        _ => st.boot_ts,
    };
    child.container_id = st.containers.attach(&child);
    st.threads.threads.insert(tid, child);
}

fn execve(st: &mut State, p: &Paired<'_>) {
    let ev = &p.ev;
    // Every event's thread exists by now (`State::apply` gives an unseen tid a placeholder,
    // as libsinsp's `get_thread` does).
    let Some(t) = st.threads.get(ev.tid) else {
        return;
    };
    // libsinsp resolves against the process's working directory (`get_cwd`: its main
    // thread's, `./` without one).
    let cwd = st
        .threads
        .libs_main_of(t)
        .map_or_else(|| b"./".to_vec(), |m| m.cwd.clone());
    // The executable's path: the driver's trusted path, else the enter's filename resolved
    // against the working directory (execveat: against its dirfd).
    let exepath = if let Some(tp) = p.str("trusted_exepath").filter(|s| !s.is_empty()) {
        Some(tp.to_vec())
    } else if let Some(name) = p.enter.as_ref().and_then(|e| {
        super::event::param_raw(e, "filename")
            .or_else(|| super::event::param_raw(e, "pathname"))
            .map(|(b, _)| super::event::trim_nul(b))
    }) {
        let dirfd = p.int("dirfd").unwrap_or(AT_FDCWD);
        let base = if dirfd == AT_FDCWD || name.starts_with(b"/") {
            cwd.clone()
        } else {
            fd_of(st, ev.tid, dirfd).map_or_else(|| b"<UNKNOWN>".to_vec(), |f| f.name.to_vec())
        };
        Some(resolve(&base, name))
    } else {
        None
    };
    let pid = p.int("pid");
    let Some(t) = st.threads.threads.get_mut(&ev.tid) else {
        return;
    };
    if let Some(exe) = p.str("exe") {
        t.exe = exe.to_vec();
    }
    if let Some(args) = exit_args(p) {
        t.args = args.to_vec();
    }
    t.comm = p.str("comm").map_or_else(|| t.exe.clone(), <[u8]>::to_vec);
    // libsinsp's `parse_execve_exit`: a thread met mid-trace takes its parent and (outside
    // pid namespaces) its namespace ids from the event, which gives it a thread group.
    // (Current libs then read the namespace ids as the tid and pid outside pid namespaces,
    // which the `vtid` and `vpid` fields do for a thread with none; sysdig 0.29 shows none.)
    let invalid = t.is_invalid();
    if let Some(pid) = pid {
        t.pid = pid;
    }
    if let Some(ptid) = p.int("ptid") {
        t.ptid = ptid;
    }
    t.libs_unnamed = false;
    if let Some(v) = p.int("fdlimit") {
        t.fdlimit = v as u64;
    }
    if let Some(swap) = p.int("vm_swap") {
        t.vm = (
            p.int("vm_size").unwrap_or(0) as u32,
            p.int("vm_rss").unwrap_or(0) as u32,
            swap as u32,
        );
        t.pgft = (
            p.int("pgft_maj").unwrap_or(0) as u64,
            p.int("pgft_min").unwrap_or(0) as u64,
        );
    }
    if let Some(cg) = p.bytes("cgroups") {
        t.cgroups = cg.to_vec();
    }
    if let Some(env) = p.bytes("env") {
        t.env = env.to_vec();
    }
    if let Some(tty) = p.int("tty") {
        t.tty = tty as u32;
    }
    if let Some(v) = p.int("vpgid").or_else(|| p.int("pgid")) {
        t.vpgid = v;
    }
    if let Some(v) = p.int("loginuid") {
        t.loginuid = v as u32;
    }
    if let Some(v) = p.int("flags") {
        t.exe_flags = v as u32;
    }
    if let Some(ino) = p.int("exe_ino") {
        let time = |name| p.int(name).map_or(0, |v| v as u64);
        t.exe_ino = (ino as u64, time("exe_ino_ctime"), time("exe_ino_mtime"));
    }
    if let (Some(i), Some(pe), Some(ef)) = (
        p.int("cap_inheritable"),
        p.int("cap_permitted"),
        p.int("cap_effective"),
    ) {
        t.caps = (i as u64, pe as u64, ef as u64);
    }
    if let Some(uid) = p.int("uid") {
        t.uid = uid as u32;
    }
    if let Some(gid) = p.int("gid") {
        t.gid = gid as u32;
    }
    if let Some(ep) = exepath {
        t.exepath = ep;
    }
    t.exec_ts = ev.ts;
    // The clone flags are cleared (libsinsp keeps only its own marks).
    t.flags &= CL_CLONE_INVERTED;
    t.container_id = st.containers.attach(t);
    // Current libsinsp drops close-on-exec fds at execve (the kernel closed them).
    let (pid, tid) = (t.pid, t.tid);
    // An execve ends the process's other threads: the kernel gives the leader's tid to the
    // thread that called it, and libsinsp removes the others.
    if !invalid {
        let others: Vec<i64> = st
            .threads
            .threads
            .values()
            .filter(|o| o.pid == pid && o.tid != tid && !o.is_main())
            .map(|o| o.tid)
            .collect();
        for o in others {
            st.remove_thread(o);
        }
    }
    if let Some(table) = st.fds.get_mut(&pid) {
        table
            .fds
            .retain(|_, f| !(f.ty == FdType::File && f.open_flags & O_CLOEXEC != 0));
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
        None if ev.info().is_some_and(|i| i.name == "creat") => CREAT_FLAGS,
        None => 0,
    };
    let ty = if open_flags & O_DIRECTORY != 0 {
        FdType::Directory
    } else {
        FdType::File
    };
    let mut f = Fd::named(ty, &path);
    f.open_flags = open_flags;
    f.dev = p.int("dev").unwrap_or(0) as u32;
    f.ino = p.int("ino").unwrap_or(0) as u64;
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
            f.ty = ty;
            f.listening = true;
            f.addrs.sip = ip;
            f.addrs.sport = port;
            f.name = server_name(ty, &f.addrs).into();
        }
        Addr::Unix(path) => f.name = path.to_vec().into(),
    }
}
