//! Process lifecycle: how clone, execve, exits, scheduler switches and memory calls change
//! the thread table, following libsinsp 0.25's parsers (`parse_clone_exit_caller`,
//! `parse_clone_exit_child`, `parse_execve_exit`, `parse_context_switch`,
//! `parse_brk_mmap_mmap2_munmap__exit`) and its thread manager's reparenting.
//!
//! The table serves both views. Where sysdig 0.29 kept other values than current libs, the
//! shared fields keep sysdig's and the thread carries what current libs know besides
//! (`Thread::libs_valid`, `Thread::libs_unnamed`, `Thread::libs_reparent`), which the
//! extractors read in their view.

use super::apply::{fd_of, O_CLOEXEC};
use super::event::Paired;
use super::fds::{FdTable, FdType};
use super::path::{resolve, AT_FDCWD};
use super::threads::{
    Thread, CL_CHILD_IN_PIDNS, CL_CLONE_FILES, CL_CLONE_INVERTED, CL_CLONE_NEWPID, CL_CLONE_PARENT,
    CL_CLONE_THREAD, CL_CLONE_VFORK,
};
use super::State;

/// libsinsp's `parse_context_switch`: a switch carrying the counters (not those of old
/// captures) sets the thread's page faults and its main thread's memory.
pub fn switch(st: &mut State, p: &Paired<'_>) {
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
pub fn memory(st: &mut State, p: &Paired<'_>) {
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

/// libsinsp's `create_thread_dependencies` for a thread that just became valid: its parent
/// in current libs is `ptid` when that is a valid thread of the table, else 0 (init keeps
/// its own). Shared fields keep sysdig 0.29's parent.
pub fn adopt(st: &mut State, tid: i64, ptid: i64) {
    let orphan = st.threads.get(ptid).is_none_or(Thread::is_invalid);
    let Some(t) = st.threads.threads.get_mut(&tid) else {
        return;
    };
    if t.pid == 1 || t.is_invalid() {
        return;
    }
    t.libs_reparent = match (orphan, ptid == t.ptid) {
        (true, _) => Some(0),
        (false, true) => None,
        (false, false) => Some(ptid),
    };
}

/// libsinsp's reparenting when a thread ends (`remove_thread` with `find_new_reaper` and
/// `assign_children_to_reaper`): its child processes get the reaper the exit names when it
/// is a valid thread, else one found in the table, else no parent (0). Current libs' view
/// only: the children keep their `ptid` for sysdig 0.29's.
pub fn reparent_children(st: &mut State, tid: i64, reaper_param: Option<i64>) {
    let Some(t) = st.threads.get(tid).filter(|t| !t.is_invalid()) else {
        return;
    };
    let children: Vec<i64> = st
        .threads
        .threads
        .values()
        .filter(|c| {
            c.is_main() && c.tid != tid && !c.is_invalid() && st.threads.libs_ptid(c) == tid
        })
        .map(|c| c.tid)
        .collect();
    if children.is_empty() {
        return;
    }
    let reaper = reaper_param
        .filter(|r| *r > 0)
        .filter(|r| st.threads.get(*r).is_some_and(|r| !r.is_invalid()))
        .or_else(|| st.threads.libs_reaper(t))
        .unwrap_or(0);
    for c in children {
        if let Some(c) = st.threads.threads.get_mut(&c) {
            c.libs_reparent = Some(reaper);
        }
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
pub fn clone(st: &mut State, p: &Paired<'_>, res: i64) {
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
    t.pgid = from.pgid;
    t.tty = from.tty;
    t.loginuid = from.loginuid;
    t.caps = from.caps;
    t.exe_ino = from.exe_ino;
    t.exe_ino_durations.0 = from.exe_ino_durations.0;
}

/// A new process starts with its creator's fds, working directory (its main thread's, `./`
/// without one) and environment.
fn inherit_process(st: &mut State, t: &mut Thread, from: &Thread) {
    // Copied fd by fd in the creator's order, as `parse_clone_exit` adds them.
    if let Some(table) = st.fds.get(&from.pid).map(FdTable::copy_for_child) {
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
        // Its parent stays unknown in the shared fields, as sysdig 0.29 shows it; current
        // libs take the event's (`adopt`).
        caller.pid = p.int("pid").unwrap_or(-1);
        (caller.vtid, caller.vpid) = clone_vids(p).unwrap_or((caller_tid, -1));
        caller.libs_valid = true;
        adopt(st, caller_tid, p.int("ptid").unwrap_or(-1));
    }
    let Some(caller) = st.threads.get(caller_tid) else {
        return;
    };
    let flags = p.int("flags").unwrap_or(0) as u32;
    if flags & (CL_CHILD_IN_PIDNS | CL_CLONE_NEWPID | CL_CLONE_PARENT) != 0
        || caller_tid != caller.libs_vtid()
        || flags & CL_CLONE_VFORK != 0
        || ev.info().is_some_and(|i| i.name == "vfork")
    {
        return;
    }
    if st.exited.contains(child_tid, caller_tid, ev.ts) {
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
    let child_ptid = p.int("ptid").unwrap_or(-1);
    child.ptid = child_ptid;
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
            adopt(st, lookup_tid, child_ptid);
        }
        // libsinsp's `get_thread` adds a placeholder for a parent it cannot find (one with
        // tid -1 would end every walk up the parents at once: nothing to add).
        None if lookup_tid >= 0 => {
            st.threads
                .threads
                .entry(lookup_tid)
                .or_insert_with(|| Thread::unknown(lookup_tid));
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
    // libsinsp adds the machine's boot time (`boot_ts_epoch`), which reads as 0 when it
    // replays a capture file (Falco 0.44 shows no start outside containers, whatever the
    // machine block holds), so only the event's own start of a child in a pid namespace
    // is left.
    let in_pidns =
        child.flags & (CL_CHILD_IN_PIDNS | CL_CLONE_NEWPID) != 0 || child.tid != child.vtid;
    if in_pidns {
        child.pidns_init_start_ts = p.int("pidns_init_start_ts").unwrap_or(0) as u64;
    }
    child.container_id = st.containers.attach(&child);
    st.threads.threads.insert(tid, child);
    if leader {
        adopt(st, tid, child_ptid);
    }
}

/// libsinsp's `parse_execve_exit`: the new program's executable, name, arguments, limits,
/// memory, environment, cgroups and credentials.
pub fn execve(st: &mut State, p: &Paired<'_>) {
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
    // A thread met mid-trace takes its process and parent from the event, which gives it a
    // thread group in current libs; they also take its namespace ids as its tid and pid
    // outside pid namespaces, which `Thread::libs_vtid` gives (sysdig 0.29 shows none).
    let was_invalid = t.is_invalid();
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
    // libsinsp: -1 when the exit has no pgid.
    t.pgid = p.int("pgid").unwrap_or(-1);
    if let Some(v) = p.int("loginuid") {
        t.loginuid = v as u32;
    }
    if let Some(v) = p.int("flags") {
        t.exe_flags = v as u32;
    }
    if let Some(ino) = p.int("exe_ino") {
        let time = |name| p.int(name).map_or(0, |v| v as u64);
        t.exe_ino = (ino as u64, time("exe_ino_ctime"), time("exe_ino_mtime"));
        let ctime = t.exe_ino.1;
        // As libsinsp: each duration only when its start is known (the first wraps as
        // libsinsp's unsigned difference does), else the previous value stays.
        if t.clone_ts != 0 {
            t.exe_ino_durations.0 = t.clone_ts.wrapping_sub(ctime);
        }
        if t.pidns_init_start_ts != 0 && ctime > t.pidns_init_start_ts {
            t.exe_ino_durations.1 = ctime - t.pidns_init_start_ts;
        }
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
    let (pid, tid, valid, ptid) = (t.pid, t.tid, !t.is_invalid(), t.ptid);
    if was_invalid {
        adopt(st, tid, ptid);
    }
    // An execve ends the process's other threads: the kernel gives the leader's tid to the
    // thread that called it, and libsinsp removes the others from the thread group.
    if valid {
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
    // Current libsinsp drops close-on-exec fds at execve (the kernel closed them).
    if let Some(table) = st.fds.get_mut(&pid) {
        table.retain(|f| !(f.ty == FdType::File && f.open_flags & O_CLOEXEC != 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use hindsight_format::encode::EventBuilder;
    use hindsight_format::event::EventRef;
    use hindsight_format::schema::{event_ids_by_name, event_info, Direction};

    /// A parameter value of [`exit`].
    enum V<'a> {
        I(i64),
        S(&'a [u8]),
    }

    /// The newest exit of `name` on thread `tid` at `ts`: the listed parameters, every other
    /// one empty (what a capture without it has).
    fn exit(name: &str, tid: i64, ts: u64, params: &[(&str, V<'_>)]) -> Vec<u8> {
        let info = event_ids_by_name(name)
            .filter_map(event_info)
            .filter(|i| i.direction() == Direction::Exit)
            .last()
            .expect("known exit");
        let mut b = EventBuilder::new(info.id, ts, tid);
        for p in info.params {
            match params.iter().find(|(n, _)| *n == p.name) {
                Some((_, V::I(v))) => b.i64(*v),
                Some((_, V::S(s))) => b.raw(s),
                None => b.raw(&[]),
            };
        }
        b.build()
    }

    fn apply(st: &mut State, rec: &[u8]) {
        st.apply(&EventRef::parse_v2(rec, 1, 0, 0).expect("well-formed record"));
    }

    /// A process-list shell, pid 10.
    fn shell() -> State {
        let mut st = State::default();
        let sh = Thread {
            pid: 10,
            ptid: 1,
            comm: b"sh".to_vec(),
            ..Thread::libs_new(10)
        };
        st.threads.threads.insert(10, sh);
        st
    }

    /// libsinsp computes the inode durations at execve, from the thread's creation and its
    /// pid namespace's start, and a fork inherits the first.
    #[test]
    fn exe_inode_durations_at_execve_and_fork() {
        let mut st = shell();
        let fork = |res, pid| [("res", V::I(res)), ("pid", V::I(pid)), ("flags", V::I(0))];
        apply(&mut st, &exit("clone", 10, 2_000, &fork(11, 10)));
        let child = st.thread(11).expect("created by the caller's exit");
        assert_eq!((child.ptid, child.clone_ts), (10, 2_000));
        assert_eq!(child.pidns_init_start_ts, 0, "no boot time in a replay");
        // A start known for the namespace (as a child in a pid namespace has).
        st.threads
            .threads
            .get_mut(&11)
            .expect("child")
            .pidns_init_start_ts = 1_000;
        let ino = [
            ("res", V::I(0)),
            ("pid", V::I(11)),
            ("exe_ino", V::I(42)),
            ("exe_ino_ctime", V::I(1_500)),
            ("exe_ino_mtime", V::I(900)),
        ];
        apply(&mut st, &exit("execve", 11, 3_000, &ino));
        assert_eq!(st.thread(11).expect("thread").exe_ino_durations, (500, 500));
        apply(&mut st, &exit("clone", 11, 4_000, &fork(12, 11)));
        let grandchild = st.thread(12).expect("created");
        assert_eq!(
            (grandchild.exe_ino, grandchild.exe_ino_durations),
            ((42, 1_500, 900), (500, 0))
        );
    }

    /// A new process whose own exit comes first and whose parent is unknown: libsinsp adds a
    /// placeholder for the parent, and, the parent being invalid, gives the child none (0).
    #[test]
    fn unknown_parent_gets_a_placeholder_and_the_child_none() {
        let mut st = shell();
        let child = [("res", V::I(0)), ("pid", V::I(30)), ("ptid", V::I(29))];
        apply(&mut st, &exit("clone", 30, 2_000, &child));
        let t = st.thread(30).expect("created by its own exit");
        assert_eq!(
            (t.pid, t.ptid, t.flags & CL_CLONE_INVERTED),
            (30, 29, CL_CLONE_INVERTED)
        );
        let parent = st.thread(29).expect("placeholder");
        assert!(parent.libs_unknown() && parent.is_invalid());
        assert_eq!(st.threads.libs_ancestor(t, 1).map(|p| p.tid), None);
        assert_eq!(
            (st.threads.libs_ptid(t), t.ptid),
            (0, 29),
            "sysdig's view keeps 29"
        );
    }

    /// runc's clone3 in a pid namespace: the caller met mid-trace gets its ids from its
    /// exit (current libs) but the child is left to its own exit; a new thread's exit names
    /// the still unknown leader for sysdig 0.29 only.
    #[test]
    fn callers_met_mid_trace_in_a_pid_namespace() {
        let mut st = shell();
        let caller = [
            ("res", V::I(9)),
            ("pid", V::I(20)),
            ("ptid", V::I(5)),
            ("flags", V::I(i64::from(CL_CHILD_IN_PIDNS))),
            ("vtid", V::I(8)),
            ("vpid", V::I(8)),
            ("exe", V::S(b"/usr/bin/runc\0")),
        ];
        apply(&mut st, &exit("clone3", 20, 2_000, &caller));
        assert!(
            st.thread(9).is_none(),
            "9 is the child's id in its namespace"
        );
        let c = st.thread(20).expect("caller");
        assert!(c.libs_valid && !c.is_invalid() && c.is_placeholder());
        assert_eq!((c.pid, c.libs_vtid(), c.libs_vpid()), (20, 8, 8));
        let thread = [
            ("res", V::I(0)),
            ("pid", V::I(20)),
            ("ptid", V::I(5)),
            (
                "flags",
                V::I(i64::from(CL_CLONE_THREAD | CL_CHILD_IN_PIDNS)),
            ),
            ("comm", V::S(b"runc:[2:INIT]\0")),
        ];
        apply(&mut st, &exit("clone3", 21, 2_100, &thread));
        let t = st.thread(21).expect("created by its own exit");
        assert_eq!((t.pid, t.comm.as_slice()), (20, &b"runc:[2:INIT]"[..]));
        let leader = st.thread(20).expect("leader");
        assert_eq!(leader.comm_in(false), b"runc:[2:INIT]");
        assert_eq!(leader.comm_in(true), b"<NA>");
        assert_eq!(st.threads.libs_thread_count(leader, None), 2);
    }
}
