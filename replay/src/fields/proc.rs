//! `proc.*` and `thread.*` fields: the process and thread that produced the event.
//!
//! Semantics follow libsinsp's `sinsp_filter_check_thread`: `proc.name` is `comm`,
//! `proc.cmdline` is `comm` plus the arguments, `proc.exeline` is `exe` plus the arguments,
//! ancestors are walked through the parent's main thread (`proc.aname[1]` is `proc.pname`).

use std::io::Write;

use super::ctx::{Arg, Ctx};
use super::value::{Out, Val};
use crate::state::threads::{
    nul_items, EXE_FROM_MEMFD, EXE_LOWER_LAYER, EXE_UPPER_LAYER, EXE_WRITABLE,
};
use crate::state::Thread;

/// Appends the items of a NUL-separated list joined by spaces (`populate_args`).
fn join_items(list: &[u8], b: &mut Vec<u8>) {
    for (i, a) in nul_items(list).enumerate() {
        if i > 0 {
            b.push(b' ');
        }
        b.extend_from_slice(a);
    }
}

fn join_args(t: &Thread, libs: bool, b: &mut Vec<u8>) {
    join_items(t.args_in(libs), b);
}

fn cmdline(t: &Thread, libs: bool, head: &[u8], b: &mut Vec<u8>) {
    b.extend_from_slice(head);
    if nul_items(t.args_in(libs)).next().is_some() {
        b.push(b' ');
        join_args(t, libs, b);
    }
}

/// The process's pid in its namespace ([`Thread::libs_vpid`] in current libs' view; sysdig
/// 0.29 has no value when the capture has none).
fn vpid(c: &Ctx<'_>, t: &Thread) -> Option<i64> {
    let v = if c.libs { t.libs_vpid() } else { t.vpid };
    (v >= 0).then_some(v)
}

/// libsinsp's `get_oldest_matching_ancestor` for an id (sid, vpgid, pgid): none when the id
/// is unset (-1); the thread of that id when it is known and the id is global (`virtual_id`
/// false: pgid) or the process is not in a pid namespace; otherwise the furthest run of
/// ancestors sharing the id, starting at the parent.
fn oldest_matching_ancestor<'a>(
    c: &Ctx<'a>,
    t: &'a Thread,
    id_of: fn(&Thread) -> i64,
    virtual_id: bool,
) -> Option<&'a Thread> {
    let id = id_of(t);
    if id == -1 {
        return None;
    }
    let in_pidns =
        t.flags & crate::state::threads::CL_CHILD_IN_PIDNS != 0 || (t.tid != t.vtid && t.vtid >= 0);
    if !virtual_id || !in_pidns {
        if let Some(l) = c.st.thread(id) {
            return Some(l);
        }
    }
    let mut leader = None;
    for a in c.ancestors() {
        if id_of(a) != id {
            break;
        }
        leader = Some(a);
    }
    leader
}

/// The session leader: the furthest ancestor (or self) sharing this thread's sid.
fn session_leader<'a>(c: &Ctx<'a>, t: &'a Thread) -> Option<&'a Thread> {
    let mut leader = (t.pid == t.sid).then_some(t);
    for a in c.ancestors() {
        if a.sid != t.sid {
            break;
        }
        leader = Some(a);
    }
    leader.or(Some(t)).filter(|l| l.sid == t.sid)
}

/// The process group leader: the furthest ancestor (or self) sharing this vpgid.
fn group_leader<'a>(c: &Ctx<'a>, t: &'a Thread) -> Option<&'a Thread> {
    let mut leader = Some(t);
    for a in c.ancestors() {
        if a.vpgid != t.vpgid {
            break;
        }
        leader = Some(a);
    }
    leader
}

fn one_thread(name: &str, t: &Thread, c: &Ctx<'_>, out: &mut Out) -> bool {
    match name {
        "name" => out.str(t.comm_in(c.libs)),
        "exe" => out.str(t.exe_in(c.libs)),
        "exepath" => out.str(t.exepath_in(c.libs)),
        "cmdline" => out.build(|b| cmdline(t, c.libs, t.comm_in(c.libs), b)),
        "pid" => out.i64(t.pid),
        "duration" => {
            if t.clone_ts == 0 {
                return false;
            }
            out.u64(c.p.ev.ts.saturating_sub(t.clone_ts));
        }
        _ => return false,
    }
    true
}

/// libsinsp's `get_fd_opencount`: the size of the main thread's fd table, 0 without one.
fn libs_fd_opencount(c: &Ctx<'_>, t: &Thread) -> u64 {
    c.st.threads
        .libs_main_of(t)
        .and_then(|m| c.st.fd_table(m))
        .map_or(0, |f| f.fds.len() as u64)
}

/// Extracts `proc.<name>`.
pub fn extract_proc(name: &str, arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let Some(t) = c.thread() else { return false };
    match name {
        // Current libs know nothing of a thread met mid-trace, its pid included (-1).
        "pid" if c.libs && t.libs_unknown() => out.i64(-1),
        "pid" => out.i64(t.pid),
        "vpid" => match vpid(c, t) {
            Some(v) => out.i64(v),
            None => return false,
        },
        "exe" => out.str(t.exe_in(c.libs)),
        "name" => out.str(t.comm_in(c.libs)),
        "exepath" => out.str(t.exepath_in(c.libs)),
        "args" => out.build(|b| join_args(t, c.libs, b)),
        "cmdline" => out.build(|b| cmdline(t, c.libs, t.comm_in(c.libs), b)),
        // Current libs always put a space after the executable.
        "exeline" if c.libs => out.build(|b| {
            b.extend_from_slice(t.exe_in(c.libs));
            b.push(b' ');
            join_args(t, c.libs, b);
        }),
        "exeline" => out.build(|b| cmdline(t, c.libs, t.exe_in(c.libs), b)),
        "cmdnargs" => out.u64(nul_items(t.args_in(c.libs)).count() as u64),
        // Current libs add up the arguments' lengths only; sysdig 0.29 counted the spaces.
        "cmdlenargs" if c.libs => {
            out.u64(nul_items(t.args_in(c.libs)).map(<[u8]>::len).sum::<usize>() as u64)
        }
        "cmdlenargs" => out.u64(
            nul_items(t.args_in(c.libs))
                .enumerate()
                .map(|(i, a)| a.len() + usize::from(i > 0))
                .sum::<usize>() as u64,
        ),
        "env" => {
            // libsinsp's `get_env`: a thread's environment is its main thread's (in current
            // libs' view: its thread group's, the thread's own without one).
            let t = if c.libs {
                c.st.threads.libs_main_of(t).unwrap_or(t)
            } else {
                t
            };
            match arg.key() {
                Some(k) => match t.env_var(k.as_bytes()) {
                    Some(v) => out.str(v),
                    None => return false,
                },
                None => out.build(|b| {
                    for (i, e) in nul_items(&t.env).enumerate() {
                        if i > 0 {
                            b.push(b' ');
                        }
                        b.extend_from_slice(e);
                    }
                }),
            }
        }
        // Current libs read the main thread's cwd, `./` without one (a thread met mid-trace
        // has no thread group there).
        "cwd" if c.libs => out.str(c.st.threads.libs_main_of(t).map_or(b"./", |m| &m.cwd)),
        "cwd" => out.str(&t.cwd),
        "pvpid" => {
            let Some(v) = c.ancestors().next().and_then(|p| vpid(c, p)) else {
                return false;
            };
            out.i64(v);
        }
        // libsinsp: the thread's own creation time, none when it predates the trace.
        "pid.ts" if c.libs => match t.clone_ts {
            0 => return false,
            ts => out.u64(ts),
        },
        // libsinsp: the creation time of the thread's `ptid`, 0 when it predates the trace.
        "ppid.ts" if c.libs => match c.st.thread(c.st.threads.libs_ptid(t)) {
            Some(p) => out.u64(p.clone_ts),
            None => return false,
        },
        "pid.ts" | "ppid.ts" => {
            let owner = if name == "pid.ts" {
                c.main_thread()
            } else {
                c.ancestors().next()
            };
            match owner.map(|o| o.clone_ts) {
                Some(ts) if ts != 0 => out.u64(ts),
                _ => return false,
            }
        }
        "is_exe_lower_layer" => out.bool(t.exe_flags & EXE_LOWER_LAYER != 0),
        // libsinsp: each inode value and duration exists once known (0 is none).
        "exe_ino"
        | "exe_ino.ctime"
        | "exe_ino.mtime"
        | "exe_ino.ctime_duration_proc_start"
        | "exe_ino.ctime_duration_pidns_start" => {
            let v = match name {
                "exe_ino" => t.exe_ino.0,
                "exe_ino.ctime" => t.exe_ino.1,
                "exe_ino.mtime" => t.exe_ino.2,
                "exe_ino.ctime_duration_proc_start" => t.exe_ino_durations.0,
                _ => t.exe_ino_durations.1,
            };
            if v == 0 {
                return false;
            }
            out.u64(v);
        }
        // Current libs: `proc.aenv` without an ancestor is the process's own environment, and
        // `proc.aargs` the ancestors' arguments joined into one string with a space after
        // each non-empty prefix, no value when that is empty (`sinsp_filter_check_thread`,
        // `TYPE_AENV`, `TYPE_AARGS`).
        "aenv" if c.libs && arg.index().is_none() => {
            let env = &c.main_thread().unwrap_or(t).env;
            out.build(|b| join_items(env, b));
        }
        "aargs" if c.libs && arg.index().is_none() => {
            let mut any = false;
            out.build(|b| {
                let start = b.len();
                for a in c.ancestors() {
                    if b.len() > start {
                        b.push(b' ');
                    }
                    join_items(&a.args, b);
                }
                any = b.len() > start;
            });
            return any;
        }
        "aargs" | "aenv" => {
            let list = |a: &Thread| {
                if name == "aargs" {
                    a.args.clone()
                } else {
                    a.env.clone()
                }
            };
            let join = |a: &Thread, b: &mut Vec<u8>| {
                for (i, item) in nul_items(&list(a)).enumerate() {
                    if i > 0 {
                        b.push(b' ');
                    }
                    b.extend_from_slice(item);
                }
            };
            match arg.index() {
                Some(0) => out.build(|b| join(c.main_thread().unwrap_or(t), b)),
                Some(n) => {
                    let Some(a) = c.ancestors().nth(n as usize - 1) else {
                        return false;
                    };
                    out.build(|b| join(a, b));
                }
                None => {
                    for a in c.ancestors() {
                        out.build(|b| join(a, b));
                    }
                    return !out.is_empty();
                }
            }
        }
        "tty" => out.u64(u64::from(t.tty)),
        "sid" => out.i64(t.sid),
        "vpgid" => out.i64(t.vpgid),
        "sname" | "sid.exe" | "sid.exepath" | "vpgid.name" | "vpgid.exe" | "vpgid.exepath"
            if c.libs =>
        {
            let id_of: fn(&Thread) -> i64 = if name.starts_with('s') {
                |x| x.sid
            } else {
                |x| x.vpgid
            };
            // An unknown leader is an empty string in current libs, not a missing value.
            let leader = oldest_matching_ancestor(c, t, id_of, true);
            out.str(leader.map_or(&b""[..], |l| match name.rsplit('.').next() {
                Some("exe") => l.exe_in(true),
                Some("exepath") => l.exepath_in(true),
                _ => l.comm_in(true),
            }));
        }
        "sname" | "sid.exe" | "sid.exepath" => {
            let Some(l) = session_leader(c, t) else {
                return false;
            };
            out.str(match name {
                "sname" => &l.comm,
                "sid.exe" => &l.exe,
                _ => l.exepath_in(c.libs),
            });
        }
        "vpgid.name" | "vpgid.exe" | "vpgid.exepath" => {
            let Some(l) = group_leader(c, t) else {
                return false;
            };
            out.str(match name {
                "vpgid.name" => &l.comm,
                "vpgid.exe" => &l.exe,
                _ => l.exepath_in(c.libs),
            });
        }
        "pgid" => out.i64(t.pgid),
        // As `proc.vpgid.name` with the global id: the leader's name, or an empty string.
        "pgid.name" | "pgid.exe" | "pgid.exepath" => {
            let leader = oldest_matching_ancestor(c, t, |x| x.pgid, false);
            out.str(leader.map_or(&b""[..], |l| match name {
                "pgid.exe" => l.exe_in(c.libs),
                "pgid.exepath" => l.exepath_in(c.libs),
                _ => l.comm_in(c.libs),
            }));
        }
        // libsinsp compares with its pid, -1 for a thread met mid-trace.
        "is_pgid_leader" => {
            let pid = if c.libs && t.libs_unknown() {
                -1
            } else {
                t.pid
            };
            out.bool(t.pgid == pid);
        }
        "is_sid_leader" if c.libs => out.bool(t.sid == vpid(c, t).unwrap_or(-1)),
        "is_sid_leader" => out.bool(t.sid == t.vpid || t.sid == t.pid),
        "is_vpgid_leader" if c.libs => out.bool(t.vpgid == vpid(c, t).unwrap_or(-1)),
        "is_vpgid_leader" => out.bool(t.vpgid == t.vpid),
        // libsinsp's `get_ancestor_process(t, 1)`: the parent process's main thread, through
        // the main thread of this process; none when either is unknown.
        "ppid" if c.libs => match c.st.threads.libs_ancestor(t, 1) {
            Some(p) => out.i64(p.pid),
            None => return false,
        },
        "pname" | "pexe" | "pexepath" | "pcmdline" if c.libs => {
            let Some(p) = c.st.threads.libs_ancestor(t, 1) else {
                return false;
            };
            return one_thread(&name[1..], p, c, out);
        }
        // libsinsp's case for this field falls through to `proc.fdopencount` when the parent
        // predates the trace (no `break` after it), so that count is the value then.
        "ppid.duration" if c.libs => match c.st.threads.libs_ancestor(t, 1) {
            Some(p) if p.clone_ts != 0 => out.u64(c.p.ev.ts.saturating_sub(p.clone_ts)),
            Some(_) => out.u64(libs_fd_opencount(c, t)),
            None => return false,
        },
        "ppid" => out.i64(c.main_thread().map_or(t.ptid, |m| m.ptid)),
        "pname" | "pexe" | "pexepath" | "pcmdline" | "ppid.duration" => {
            // The thread's own parent (for a secondary thread: its creator).
            let Some(p) = c.st.thread(t.ptid).filter(|p| p.tid != t.tid) else {
                return false;
            };
            let field = match name {
                "pname" => "name",
                "pexe" => "exe",
                "pexepath" => "exepath",
                "pcmdline" => "cmdline",
                _ => "duration",
            };
            return one_thread(field, p, c, out);
        }
        // Without an index, `proc.apid` is the process's own pid in current libs (none without
        // a main thread); with one, `get_ancestor_process`.
        "apid" | "aname" | "aexe" | "aexepath" | "acmdline"
            if c.libs && (name == "apid" || arg.index().is_some()) =>
        {
            let n = arg.index().unwrap_or(0) as usize;
            let Some(a) = c.st.threads.libs_ancestor(t, n) else {
                return false;
            };
            return one_thread(&name[1..], a, c, out);
        }
        "aname" | "apid" | "aexe" | "aexepath" | "acmdline" => {
            let field = &name[1..];
            match arg.index() {
                Some(0) => return one_thread(field, c.main_thread().unwrap_or(t), c, out),
                Some(n) => {
                    let Some(a) = c.ancestors().nth(n as usize - 1) else {
                        return false;
                    };
                    return one_thread(field, a, c, out);
                }
                None => {
                    // libsinsp joins the ancestors' values with a space added only after a
                    // non-empty text: leading empty values vanish, and all empty is none.
                    for a in c.ancestors() {
                        one_thread(field, a, c, out);
                        if let [Val::Str(r)] = out.vals.as_slice() {
                            if r.is_empty() {
                                out.vals.clear();
                            }
                        }
                    }
                    return !out.is_empty();
                }
            }
        }
        "duration" => return one_thread("duration", t, c, out),
        // libsinsp reads both from the main thread, 0 without one.
        "fdlimit" if c.libs => {
            out.i64(c.st.threads.libs_main_of(t).map_or(0, |m| m.fdlimit as i64))
        }
        "fdopencount" if c.libs => out.u64(libs_fd_opencount(c, t)),
        "fdlimit" => out.i64(t.fdlimit as i64),
        // libsinsp's `get_fd_usage_pct_d`: open fds as a percentage of the main thread's limit
        // (100 past it), 0 without a limit.
        "fdusage" => {
            let limit = c.st.threads.libs_main_of(t).map_or(0, |m| m.fdlimit as i64);
            let open = libs_fd_opencount(c, t);
            out.f64(match limit {
                ..=0 => 0.0,
                l if open > l as u64 => 100.0,
                l => open as f64 * 100.0 / l as f64,
            });
        }
        "fdopencount" => out.u64(c.st.fd_table(t).map_or(0, |f| f.fds.len() as u64)),
        "vmsize" => out.u64(u64::from(t.vm.0)),
        "vmrss" => out.u64(u64::from(t.vm.1)),
        "vmswap" => out.u64(u64::from(t.vm.2)),
        "pfmajor" => out.u64(t.pgft.0),
        "pfminor" => out.u64(t.pgft.1),
        // libsinsp's thread group: its alive threads (the one exiting is dead at its procexit),
        // none for a thread met mid-trace.
        "nthreads" if c.libs => out.u64(c.st.threads.libs_thread_count(t, c.st.pending.thread)),
        // The group's threads other than a live leader.
        "nchilds" if c.libs => {
            let n = c.st.threads.libs_thread_count(t, c.st.pending.thread);
            let leader_alive =
                c.st.threads
                    .libs_main_of(t)
                    .is_some_and(|m| !m.is_closed() && Some(m.tid) != c.st.pending.thread);
            out.u64(n.saturating_sub(u64::from(leader_alive)));
        }
        "nthreads" => out.u64(
            c.st.threads
                .threads
                .values()
                .filter(|o| o.pid == t.pid)
                .count() as u64,
        ),
        "nchilds" => out.u64(
            c.st.threads
                .threads
                .values()
                .filter(|o| o.ptid == t.tid && o.pid != t.pid)
                .count() as u64,
        ),
        "is_exe_writable" => out.bool(t.exe_flags & EXE_WRITABLE != 0),
        "is_exe_upper_layer" => out.bool(t.exe_flags & EXE_UPPER_LAYER != 0),
        // libsinsp's flag from the execve exit or the process list, not the path.
        "is_exe_from_memfd" => out.bool(t.exe_flags & EXE_FROM_MEMFD != 0),
        "is_container_healthcheck"
        | "is_container_liveness_probe"
        | "is_container_readiness_probe" => out.bool(false),
        // The outermost shell among the main thread and its ancestors (current libs: none
        // without a main thread).
        "loginshellid" => {
            let main = if c.libs {
                c.st.threads.libs_main_of(t)
            } else {
                Some(c.main_thread().unwrap_or(t))
            };
            let mut id = None;
            for a in main.into_iter().chain(c.ancestors()) {
                if a.comm_in(c.libs).ends_with(b"sh") {
                    id = Some(a.pid);
                }
            }
            match id {
                Some(i) => out.i64(i),
                None => return false,
            }
        }
        "stdin.type" | "stdout.type" | "stderr.type" | "stdin.name" | "stdout.name"
        | "stderr.name" => {
            let n = match &name[..4] {
                "stdi" => 0,
                "stdo" => 1,
                _ => 2,
            };
            let Some(f) = c.fd_num(n) else { return false };
            if name.ends_with("type") {
                out.str(f.ty.name().as_bytes());
            } else {
                out.str(f.shown_name(c.libs));
            }
        }
        // libsinsp: none when unknown (0).
        "pidns_init_start_ts" if t.pidns_init_start_ts == 0 => return false,
        "pidns_init_start_ts" => out.u64(t.pidns_init_start_ts),
        _ => return false,
    }
    true
}

fn caps_text(mask: u64, b: &mut Vec<u8>) {
    const CAPS: [&str; 41] = [
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_DAC_READ_SEARCH",
        "CAP_FOWNER",
        "CAP_FSETID",
        "CAP_KILL",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETPCAP",
        "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",
        "CAP_NET_RAW",
        "CAP_IPC_LOCK",
        "CAP_IPC_OWNER",
        "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN",
        "CAP_SYS_BOOT",
        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG",
        "CAP_MKNOD",
        "CAP_LEASE",
        "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN",
        "CAP_SYSLOG",
        "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ",
        "CAP_PERFMON",
        "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
    ];
    let mut first = true;
    for (i, n) in CAPS.iter().enumerate() {
        if mask & (1 << i) != 0 {
            if !first {
                b.push(b' ');
            }
            b.extend_from_slice(n.as_bytes());
            first = false;
        }
    }
}

/// Extracts `thread.<name>`.
pub fn extract_thread(name: &str, _arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    if name == "tid" {
        out.i64(c.p.ev.tid);
        return true;
    }
    // libsinsp computes these without a thread: the run time of a scheduler switch, which
    // hindsight does not keep, so 0 as on every other event.
    if name == "exectime" {
        out.u64(0);
        return true;
    }
    let Some(t) = c.thread() else { return false };
    match name {
        "tid" => out.i64(t.tid),
        "cgroups" if t.cgroups.is_empty() => return false,
        "cgroups" => out.build(|b| {
            for (i, (sub, path)) in t.cgroup_pairs_in(c.libs).enumerate() {
                if i > 0 {
                    b.push(b' ');
                }
                b.extend_from_slice(&sub);
                b.push(b'=');
                b.extend_from_slice(path);
            }
        }),
        "cgroup" => match _arg.key().and_then(|k| {
            t.cgroup_pairs_in(c.libs)
                .find(|(sub, _)| sub.as_ref() == k.as_bytes())
                .map(|(_, p)| p)
        }) {
            Some(p) => out.str(p),
            None => return false,
        },
        "vtid" => match if c.libs { t.libs_vtid() } else { t.vtid } {
            ..0 => return false,
            v => out.i64(v),
        },
        "ismain" if c.libs && t.libs_unknown() => out.bool(false),
        "ismain" => out.bool(t.is_main()),
        "cap_inheritable" => out.build(|b| caps_text(t.caps.0, b)),
        "cap_permitted" => out.build(|b| caps_text(t.caps.1, b)),
        "cap_effective" => out.build(|b| caps_text(t.caps.2, b)),
        "totexectime" => out.u64(0),
        // The process's memory, on its main thread only (0 on the others), as libsinsp.
        "vmsize" | "vmrss" | "vmsize.b" | "vmrss.b" => {
            let kb = if !t.is_main() {
                0
            } else if name.starts_with("vmsize") {
                u64::from(t.vm.0)
            } else {
                u64::from(t.vm.1)
            };
            out.u64(if name.ends_with(".b") { kb * 1024 } else { kb });
        }
        "pfmajor" => out.u64(t.pgft.0),
        "pfminor" => out.u64(t.pgft.1),
        "nametid" => out.build(|b| {
            b.extend_from_slice(t.comm_in(c.libs));
            let _ = write!(b, "{}", t.tid);
        }),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::state::State;
    use hindsight_format::encode::EventBuilder;
    use hindsight_format::event::EventRef;
    use hindsight_format::schema::event_ids_by_name;

    /// A process-list thread.
    fn thread(tid: i64, pid: i64, ptid: i64, pgid: i64, comm: &str) -> Thread {
        Thread {
            pid,
            ptid,
            pgid,
            comm: comm.into(),
            exe: comm.into(),
            ..Thread::libs_new(tid)
        }
    }

    /// A shell (10) leading its process group, and its child `cat` (11) with a second
    /// thread (12).
    fn state() -> State {
        let mut st = State::default();
        for t in [
            thread(10, 10, 1, 10, "sh"),
            thread(11, 11, 10, 10, "cat"),
            thread(12, 11, 10, 10, "cat"),
        ] {
            st.threads.threads.insert(t.tid, t);
        }
        st
    }

    /// Applies event `name` (its first version, without parameters) of thread `tid` to `st`,
    /// then extracts the `proc.*` fields listed
    /// in current libs' view (`<NA>` when none).
    fn proc_fields(st: &mut State, name: &str, tid: i64, fields: &[&str]) -> Vec<String> {
        let id = event_ids_by_name(name).next().expect("known event");
        let rec = EventBuilder::new(id, 1_000, tid).build();
        let ev = EventRef::parse_v2(&rec, 1, 0, 0).expect("well-formed record");
        st.apply(&ev);
        let c = Ctx::applied(st, ev, true);
        fields
            .iter()
            .map(|f| {
                let mut out = Out::default();
                if !extract_proc(f, &Arg::None, &c, &mut out) {
                    return "<NA>".to_owned();
                }
                let mut b = Vec::new();
                out.render_all(b" ", &mut b);
                String::from_utf8_lossy(&b).into_owned()
            })
            .collect()
    }

    #[test]
    fn process_group_leader_by_global_id() {
        let mut st = state();
        let got = proc_fields(
            &mut st,
            "getuid",
            12,
            &["pgid", "pgid.name", "is_pgid_leader"],
        );
        assert_eq!(got, ["10", "sh", "false"]);
        let got = proc_fields(&mut st, "getuid", 10, &["is_pgid_leader"]);
        assert_eq!(got, ["true"]);
        st.threads.threads.get_mut(&12).expect("thread").pgid = -1;
        let got = proc_fields(&mut st, "getuid", 12, &["pgid", "pgid.name"]);
        assert_eq!(got, ["-1", ""], "no group: an empty name, as libsinsp");
    }

    /// libsinsp's thread group: the exiting thread is dead at its own procexit, and the
    /// leader counts apart in `proc.nchilds`; a thread met mid-trace has no group.
    #[test]
    fn thread_counts_of_the_group() {
        let mut st = state();
        let counts = ["nthreads", "nchilds"];
        assert_eq!(proc_fields(&mut st, "getuid", 12, &counts), ["2", "1"]);
        assert_eq!(proc_fields(&mut st, "procexit", 12, &counts), ["1", "0"]);
        assert_eq!(proc_fields(&mut st, "getuid", 11, &counts), ["1", "0"]);
        assert_eq!(proc_fields(&mut st, "procexit", 11, &counts), ["0", "0"]);
        let got = proc_fields(&mut st, "getuid", 99, &["nthreads", "apid", "cwd", "pid"]);
        assert_eq!(got, ["0", "<NA>", "./", "-1"]);
    }

    /// An orphan's parent in current libs is its reaper: the init among its ancestors when
    /// the capture names none (libsinsp's `find_new_reaper`).
    #[test]
    fn orphans_go_to_the_init_reaper() {
        let mut st = state();
        let init = thread(1, 1, 0, 1, "systemd");
        st.threads.threads.insert(1, init);
        st.threads
            .threads
            .insert(13, thread(13, 13, 11, 10, "sleep"));
        let parent = ["ppid", "pname"];
        assert_eq!(proc_fields(&mut st, "getuid", 13, &parent), ["11", "cat"]);
        proc_fields(&mut st, "procexit", 12, &[]);
        assert_eq!(
            proc_fields(&mut st, "getuid", 13, &parent),
            ["11", "cat"],
            "the process's other thread is alive"
        );
        proc_fields(&mut st, "procexit", 11, &[]);
        assert_eq!(
            proc_fields(&mut st, "getuid", 13, &parent),
            ["1", "systemd"]
        );
    }

    /// A main thread that exits before the other threads of its process stays, closed, for
    /// them (its directory and limits) and goes with the last one.
    #[test]
    fn closed_main_thread_stays_for_its_threads() {
        let mut st = state();
        for t in st.threads.threads.values_mut() {
            t.cwd = b"/srv/".to_vec();
            t.fdlimit = 1024;
        }
        let fields = ["nthreads", "nchilds", "cwd", "fdlimit", "ppid"];
        assert_eq!(
            proc_fields(&mut st, "procexit", 11, &fields[..2]),
            ["1", "1"]
        );
        let got = proc_fields(&mut st, "getuid", 12, &fields);
        assert_eq!(got, ["1", "1", "/srv/", "1024", "10"]);
        assert!(st.thread(11).is_some_and(Thread::is_closed));
        proc_fields(&mut st, "procexit", 12, &[]);
        proc_fields(&mut st, "getuid", 10, &[]);
        assert!(st.thread(11).is_none() && st.thread(12).is_none());
    }
}
