//! The thread table: every thread the trace has told us about, with its process context.
//!
//! Seeded from the PL header block ([`Thread::from_entry`]) and kept up to date by clone,
//! execve, procexit, chdir, setuid... (see `state::apply`). Lists that scap stores as
//! NUL-separated byte buffers (argv, environment, cgroups) are kept in that form: one
//! allocation per list and the zero-copy iteration the field extractors need.

use std::borrow::Cow;

use hindsight_format::header::ThreadEntry;

/// `PPM_CL_CLONE_THREAD`: the thread shares the process of its creator.
pub const CL_CLONE_THREAD: u32 = 1 << 13;
/// `PPM_CL_CHILD_IN_PIDNS`: the thread was created in a child pid namespace.
pub const CL_CHILD_IN_PIDNS: u32 = 1 << 29;
/// `PPM_CL_CLONE_FILES`: the thread shares its creator's fd table.
pub const CL_CLONE_FILES: u32 = 1;
/// `PPM_CL_CLONE_NEWPID`: the child is the init of a new pid namespace.
pub const CL_CLONE_NEWPID: u32 = 1 << 6;
/// `PPM_CL_CLONE_PARENT`: the child's parent is the caller's parent (runc's first child).
pub const CL_CLONE_PARENT: u32 = 1 << 8;
/// `PPM_CL_CLONE_INVERTED`: libsinsp's mark of a thread created by its own clone exit,
/// before its creator's clone returned.
pub const CL_CLONE_INVERTED: u32 = 1 << 16;
/// `PPM_CL_CLOSED`: a main thread that exited while other threads of its process live on.
pub const CL_CLOSED: u32 = 1 << 18;
/// `PPM_CL_CLONE_VFORK`: the caller waits until the child execs or exits.
pub const CL_CLONE_VFORK: u32 = 1 << 27;
/// `PPM_EXE_WRITABLE`: the executable is writable by the user.
pub const EXE_WRITABLE: u32 = 1;
/// `PPM_EXE_UPPER_LAYER`: the executable lives in the upper layer of an overlayfs.
pub const EXE_UPPER_LAYER: u32 = 1 << 1;
/// `PPM_EXE_FROM_MEMFD`: the executable is a memfd (fileless execution).
pub const EXE_FROM_MEMFD: u32 = 1 << 2;
/// `PPM_EXE_LOWER_LAYER`: the executable lives in a lower layer of an overlayfs.
pub const EXE_LOWER_LAYER: u32 = 1 << 3;

/// One thread.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Thread {
    /// Thread id.
    pub tid: i64,
    /// Process id (the main thread's tid).
    pub pid: i64,
    /// Parent process id.
    pub ptid: i64,
    /// Session id.
    pub sid: i64,
    /// Process group id in the thread's pid namespace.
    pub vpgid: i64,
    /// Process group id, -1 when unknown (old captures' process lists and execve exits have
    /// none).
    pub pgid: i64,
    /// Thread id in the thread's pid namespace.
    pub vtid: i64,
    /// Process id in the thread's pid namespace.
    pub vpid: i64,
    /// `comm` (`proc.name`).
    pub comm: Vec<u8>,
    /// `argv[0]` (`proc.exe`).
    pub exe: Vec<u8>,
    /// Full path of the executable (`proc.exepath`).
    pub exepath: Vec<u8>,
    /// argv[1..], each item NUL-terminated.
    pub args: Vec<u8>,
    /// Environment, each `NAME=value` NUL-terminated.
    pub env: Vec<u8>,
    /// cgroups, each `subsys=path` NUL-terminated.
    pub cgroups: Vec<u8>,
    /// Working directory, always ending with `/` when known.
    pub cwd: Vec<u8>,
    /// Root directory.
    pub root: Vec<u8>,
    /// RLIMIT_NOFILE (-1, as `u64::MAX`, when unknown).
    pub fdlimit: u64,
    /// `PPM_CL_*` flags: the clone's, which an execve clears but for libsinsp's own
    /// `PPM_CL_CLONE_INVERTED`; `PPM_CL_CLOSED` on a main thread kept for its threads.
    pub flags: u32,
    /// Execve flags (`PPM_EXE_WRITABLE`...), from the PL tail or the last execve.
    pub exe_flags: u32,
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
    /// Login uid (`u32::MAX` when unset).
    pub loginuid: u32,
    /// Controlling terminal.
    pub tty: u32,
    /// Capabilities: inheritable, permitted, effective.
    pub caps: (u64, u64, u64),
    /// Virtual memory size, resident set and swap, in KiB.
    pub vm: (u32, u32, u32),
    /// Major and minor page faults.
    pub pgft: (u64, u64),
    /// Creation time (clone exit timestamp), ns since the epoch; 0 when it predates the trace.
    pub clone_ts: u64,
    /// Time of the last successful execve, ns since the epoch (0 when not seen).
    pub exec_ts: u64,
    /// Start time of the pid namespace's init.
    pub pidns_init_start_ts: u64,
    /// The executable's inode number, change time and modification time (ns), from the
    /// execve exit (0 when the capture has none).
    pub exe_ino: (u64, u64, u64),
    /// Nanoseconds from the executable's change time to the thread's creation, and from the
    /// pid namespace's start to that change time, as libsinsp computes them at execve (0 when
    /// unknown); a clone child inherits the first.
    pub exe_ino_durations: (u64, u64),
    /// Container id (12 hex chars), empty for the host.
    pub container_id: Vec<u8>,
    /// Whether current libs know this thread's ids although sysdig 0.29 does not: libsinsp's
    /// clone parser fills a caller met mid-trace from its clone exit (pid, namespace ids, and a
    /// thread group), while sysdig 0.29 keeps it unknown (its parent stays -1 here).
    pub libs_valid: bool,
    /// Whether current libs still know this thread's name, executable and arguments as
    /// unknown (`<NA>`, `<NA>`, none) while sysdig 0.29 took them from a thread's clone exit
    /// (sysdig names an unknown leader after its new thread; current libs do not once the
    /// leader's own clone exit made it valid). An execve names it in both.
    pub libs_unnamed: bool,
    /// The parent current libs gave this process when its own exited (libsinsp's reaper:
    /// `assign_children_to_reaper`, 0 when none was found); sysdig 0.29 keeps the old one
    /// (hindsight's `ptid` follows only a reaper the capture names).
    pub libs_reparent: Option<i64>,
    /// The fd of the last fd-using enter event (libsinsp's `m_lastevent_fd`): what exits
    /// whose own parameters carry no fd are about; -1 when that enter had no fd.
    pub last_fd: Option<i64>,
}

/// Joins items as NUL-terminated byte strings.
pub fn join_nul<T: AsRef<[u8]>>(items: &[T]) -> Vec<u8> {
    let mut out = Vec::with_capacity(items.iter().map(|i| i.as_ref().len() + 1).sum());
    for i in items {
        out.extend_from_slice(i.as_ref());
        out.push(0);
    }
    out
}

/// Iterates over the items of a NUL-separated list (a trailing NUL ends the last item).
pub fn nul_items(list: &[u8]) -> impl Iterator<Item = &[u8]> {
    let trimmed = list.strip_suffix(b"\0").unwrap_or(list);
    trimmed
        .split(|&b| b == 0)
        .filter(move |_| !trimmed.is_empty())
}

/// A cgroup subsystem as libsinsp's `set_cgroups` names it: without `_cgroup`, and `perf`,
/// `mem` and `io` (cgroup v2's name of blkio) as `perf_event`, `memory` and `blkio`.
pub fn libs_subsystem(sub: &[u8]) -> Cow<'_, [u8]> {
    let sub: Cow<'_, [u8]> = match memchr::memmem::find(sub, b"_cgroup") {
        Some(i) => Cow::Owned([&sub[..i], &sub[i + b"_cgroup".len()..]].concat()),
        None => Cow::Borrowed(sub),
    };
    match sub.as_ref() {
        b"perf" => Cow::Borrowed(b"perf_event"),
        b"mem" => Cow::Borrowed(b"memory"),
        b"io" => Cow::Borrowed(b"blkio"),
        _ => sub,
    }
}

/// Makes `cwd` end with `/`, as libsinsp stores it.
pub fn normalise_cwd(mut cwd: Vec<u8>) -> Vec<u8> {
    if !cwd.is_empty() && !cwd.ends_with(b"/") {
        cwd.push(b'/');
    }
    cwd
}

impl Thread {
    /// A thread with nothing known but its id: libsinsp's placeholder for an unseen tid,
    /// whose name and executable are the literal text `<NA>`.
    pub fn unknown(tid: i64) -> Thread {
        Thread {
            tid,
            pid: tid,
            ptid: -1,
            sid: -1,
            vtid: -1,
            vpid: -1,
            vpgid: -1,
            pgid: -1,
            comm: b"<NA>".to_vec(),
            exe: b"<NA>".to_vec(),
            loginuid: u32::MAX,
            uid: u32::MAX,
            gid: u32::MAX,
            fdlimit: u64::MAX,
            ..Thread::default()
        }
    }

    /// A thread as libsinsp's `sinsp_threadinfo::init` leaves it before an event fills it: ids,
    /// users and namespace ids unknown (-1), no fd limit (-1), nothing else known.
    pub fn libs_new(tid: i64) -> Thread {
        Thread {
            tid,
            pid: -1,
            ptid: -1,
            sid: -1,
            vpgid: -1,
            pgid: -1,
            vtid: -1,
            vpid: -1,
            uid: u32::MAX,
            gid: u32::MAX,
            loginuid: u32::MAX,
            fdlimit: u64::MAX,
            ..Thread::default()
        }
    }

    /// The thread of a PL header entry.
    pub fn from_entry(e: &ThreadEntry) -> Thread {
        let cgroups: Vec<Vec<u8>> = e
            .cgroups
            .iter()
            .map(|(s, p)| {
                let mut v = s.clone();
                v.push(b'=');
                v.extend_from_slice(p);
                v
            })
            .collect();
        // Old PL versions carry no namespace ids (decoded as 0); libsinsp keeps -1 for them,
        // which the fields show as `<NA>`. (The decoder already gives -1 for an absent sid.)
        let (vtid, vpid) = if e.vtid == 0 && e.vpid == 0 {
            (-1, -1)
        } else {
            (e.vtid, e.vpid)
        };
        Thread {
            tid: e.tid,
            pid: e.pid,
            ptid: e.ptid,
            sid: e.sid,
            vpgid: e.vpgid,
            pgid: e.pgid.unwrap_or(-1),
            vtid,
            vpid,
            comm: e.comm.clone(),
            exe: e.exe.clone(),
            exepath: e.exepath.clone(),
            args: join_nul(&e.args),
            env: join_nul(&e.env),
            cgroups: join_nul(&cgroups),
            cwd: normalise_cwd(e.cwd.clone()),
            root: e.root.clone(),
            fdlimit: e.fdlimit,
            flags: e.flags,
            exe_flags: [
                (e.exe_writable, EXE_WRITABLE),
                (e.exe_upper_layer, EXE_UPPER_LAYER),
                (e.exe_lower_layer, EXE_LOWER_LAYER),
                (e.exe_from_memfd, EXE_FROM_MEMFD),
            ]
            .iter()
            .filter(|(set, _)| *set)
            .fold(0, |f, (_, bit)| f | bit),
            uid: e.uid,
            gid: e.gid,
            loginuid: e.loginuid,
            tty: e.tty,
            caps: e.caps.unwrap_or_default(),
            vm: (e.vmsize_kb, e.vmrss_kb, e.vmswap_kb),
            pgft: (e.pfmajor, e.pfminor),
            clone_ts: 0,
            exec_ts: 0,
            pidns_init_start_ts: e.pidns_init_start_ts,
            exe_ino: e.exe_ino,
            // libscap's process-list reader leaves these uninitialised; unknown here.
            exe_ino_durations: (0, 0),
            container_id: Vec::new(),
            libs_valid: false,
            libs_unnamed: false,
            libs_reparent: None,
            last_fd: None,
        }
    }

    /// Whether nothing is known about this thread but its id (see [`Thread::unknown`]).
    pub fn is_placeholder(&self) -> bool {
        self.comm == b"<NA>" && self.ptid == -1
    }

    /// libsinsp's `is_invalid`: a thread whose process or parent is unknown (its placeholder
    /// for an unseen tid has pid -1 there). Such a thread has no thread group, hence no main
    /// thread, in current libs.
    pub fn is_invalid(&self) -> bool {
        self.libs_unknown() || self.tid < 0 || self.pid < 0 || (self.ptid < 0 && !self.libs_valid)
    }

    /// Whether current libs know nothing of this thread but its id: their placeholder, whose
    /// pid is -1 (sysdig 0.29's placeholder has the tid as pid).
    pub fn libs_unknown(&self) -> bool {
        self.is_placeholder() && !self.libs_valid
    }

    /// The thread id in its pid namespace as current libs know it: a thread without one in
    /// the capture (old process lists, a thread met mid-trace at its execve) has its tid
    /// there, unless nothing is known of it (-1); sysdig 0.29 shows none.
    pub fn libs_vtid(&self) -> i64 {
        match self.vtid {
            v if v >= 0 => v,
            _ if !self.libs_unknown() => self.tid,
            _ => -1,
        }
    }

    /// The process id in its pid namespace as current libs know it (as [`Thread::libs_vtid`]).
    pub fn libs_vpid(&self) -> i64 {
        match self.vpid {
            v if v >= 0 => v,
            _ if !self.libs_unknown() => self.pid,
            _ => -1,
        }
    }

    /// The name (`comm`) in one view (`libs`: current libs').
    pub fn comm_in(&self, libs: bool) -> &[u8] {
        if libs && self.libs_unnamed {
            b"<NA>"
        } else {
            &self.comm
        }
    }

    /// The executable (`argv[0]`) in one view.
    pub fn exe_in(&self, libs: bool) -> &[u8] {
        if libs && self.libs_unnamed {
            b"<NA>"
        } else {
            &self.exe
        }
    }

    /// The executable's path in one view: current libs drop the ` (deleted)` the kernel
    /// appends to the link of an executable removed since (`set_exepath`); sysdig 0.29 keeps it.
    pub fn exepath_in(&self, libs: bool) -> &[u8] {
        const DELETED: &[u8] = b" (deleted)";
        match self.exepath.strip_suffix(DELETED) {
            Some(p) if libs && !p.is_empty() => p,
            _ => &self.exepath,
        }
    }

    /// The arguments in one view.
    pub fn args_in(&self, libs: bool) -> &[u8] {
        if libs && self.libs_unnamed {
            b""
        } else {
            &self.args
        }
    }

    /// Whether this main thread has exited, kept while its process has other threads.
    pub fn is_closed(&self) -> bool {
        self.flags & CL_CLOSED != 0
    }

    /// Whether this is the main thread of its process.
    pub fn is_main(&self) -> bool {
        self.tid == self.pid
    }

    /// The cgroups as `(subsystem, path)` pairs.
    pub fn cgroup_pairs(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        nul_items(&self.cgroups).map(|item| match memchr::memchr(b'=', item) {
            Some(i) => (&item[..i], &item[i + 1..]),
            None => (&item[..0], item),
        })
    }

    /// The cgroups as `(subsystem, path)` pairs in one view: current libs rename some
    /// subsystems ([`libs_subsystem`]).
    pub fn cgroup_pairs_in(&self, libs: bool) -> impl Iterator<Item = (Cow<'_, [u8]>, &[u8])> {
        self.cgroup_pairs().map(move |(sub, path)| {
            let sub = if libs {
                libs_subsystem(sub)
            } else {
                Cow::Borrowed(sub)
            };
            (sub, path)
        })
    }

    /// The value of environment variable `name`.
    pub fn env_var(&self, name: &[u8]) -> Option<&[u8]> {
        nul_items(&self.env).find_map(|item| {
            item.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(b"="))
        })
    }
}

/// libsinsp's ring of recently exited threads (`record_recently_exited`): a clone exit of the
/// creator that arrives after its child's `procexit` (a child that ran and exited first) does
/// not create the child again. Entries older than [`RecentlyExited::WINDOW_NS`] are dropped,
/// and at most [`RecentlyExited::CAPACITY`] are kept, as libsinsp's ring holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecentlyExited {
    /// `(tid, ptid, ts)` of each removal, oldest first.
    pub entries: std::collections::VecDeque<(i64, i64, u64)>,
}

impl RecentlyExited {
    /// libsinsp's window (its `CLONE_STALE_TIME_NS`): tids are reused after it.
    pub const WINDOW_NS: u64 = 2_000_000_000;
    /// libsinsp's `RECENTLY_EXITED_RING_SIZE`.
    pub const CAPACITY: usize = 8192;

    /// Notes that thread `tid`, child of `ptid`, was removed at `ts`.
    pub fn record(&mut self, tid: i64, ptid: i64, ts: u64) {
        while self.entries.front().is_some_and(|e| {
            ts.saturating_sub(e.2) >= Self::WINDOW_NS || self.entries.len() >= Self::CAPACITY
        }) {
            self.entries.pop_front();
        }
        self.entries.push_back((tid, ptid, ts));
    }

    /// libsinsp's `has_recently_exited`: whether `tid`, child of `ptid`, was removed less
    /// than the window before `ts`. libsinsp keys an entry by the low 32 bits of both ids.
    pub fn contains(&self, tid: i64, ptid: i64, ts: u64) -> bool {
        let key = |t: i64, p: i64| (p as u32, t as u32);
        self.entries
            .iter()
            .any(|&(t, p, at)| key(t, p) == key(tid, ptid) && ts >= at && ts - at < Self::WINDOW_NS)
    }
}

/// All live threads, by tid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadTable {
    /// Threads by tid.
    pub threads: super::IdMap<i64, Thread>,
}

impl ThreadTable {
    /// The thread `tid`.
    pub fn get(&self, tid: i64) -> Option<&Thread> {
        self.threads.get(&tid)
    }

    /// The main thread of `t`'s process (itself when it is the main thread or the main
    /// thread is unknown).
    pub fn main_of<'a>(&'a self, t: &'a Thread) -> &'a Thread {
        if t.is_main() {
            t
        } else {
            self.threads.get(&t.pid).unwrap_or(t)
        }
    }

    /// libsinsp's `get_main_thread` (current libs' view): the thread itself when it leads its
    /// process, else its group's leader; none for an invalid thread (no thread group) or a
    /// process whose leader is gone.
    pub fn libs_main_of<'a>(&'a self, t: &'a Thread) -> Option<&'a Thread> {
        if t.is_invalid() {
            return (t.is_main() && !t.libs_unknown()).then_some(t);
        }
        if t.is_main() {
            return Some(t);
        }
        self.threads
            .get(&t.pid)
            .filter(|m| m.is_main() && !m.is_invalid())
    }

    /// libsinsp's `get_ancestor_process(t, n)`: the main thread of `t`'s process (n = 0), of
    /// its parent (n = 1) and so on, each step through the main thread's `ptid`.
    pub fn libs_ancestor<'a>(&'a self, t: &'a Thread, n: usize) -> Option<&'a Thread> {
        let mut mt = self.libs_main_of(t)?;
        for _ in 0..n {
            mt = self.libs_main_of(self.threads.get(&self.libs_ptid(mt))?)?;
        }
        Some(mt)
    }

    /// A thread's `ptid` as current libs keep it: a new thread's is its process's parent
    /// (hindsight keeps its creator, sysdig 0.29's), read here from its main thread.
    pub fn libs_ptid(&self, t: &Thread) -> i64 {
        let own = |m: &Thread| m.libs_reparent.unwrap_or(m.ptid);
        if t.is_main() {
            return own(t);
        }
        self.libs_main_of(t).map_or(t.ptid, own)
    }

    /// libsinsp's `find_new_reaper` for the exiting thread `t`: another live thread of its
    /// process, else the first live thread of the nearest ancestor process that is an init
    /// (pid or namespace pid 1) in the same kind of pid namespace. (libsinsp also counts the
    /// processes it chose as reapers before; hindsight does not keep that mark.)
    pub fn libs_reaper(&self, t: &Thread) -> Option<i64> {
        let first_live = |pid: i64, except: i64| {
            self.threads
                .values()
                .filter(|o| o.pid == pid && o.tid != except && !o.is_invalid() && !o.is_closed())
                .map(|o| o.tid)
                .min_by_key(|&tid| (tid != pid, tid))
        };
        if let Some(r) = first_live(t.pid, t.tid) {
            return Some(r);
        }
        let in_pidns =
            |x: &Thread| x.flags & CL_CHILD_IN_PIDNS != 0 || (x.tid != x.vtid && x.vtid >= 0);
        let mut p = self.threads.get(&self.libs_ptid(t));
        for _ in 0..64 {
            let cur = p?;
            if in_pidns(cur) != in_pidns(t) {
                return None;
            }
            if cur.pid == 1 || cur.libs_vpid() == 1 {
                if let Some(r) = first_live(cur.pid, -1) {
                    return Some(r);
                }
            }
            p = self.threads.get(&self.libs_ptid(cur));
        }
        None
    }

    /// libsinsp's alive count of `t`'s thread group (`get_num_threads`): 0 for an invalid
    /// thread, else the valid threads of its process, less a closed main thread and `dying`
    /// (the thread whose `procexit` is being parsed, already dead there).
    pub fn libs_thread_count(&self, t: &Thread, dying: Option<i64>) -> u64 {
        if t.is_invalid() {
            return 0;
        }
        self.threads
            .values()
            .filter(|o| o.pid == t.pid && !o.is_invalid() && !o.is_closed() && Some(o.tid) != dying)
            .count() as u64
    }

    /// The parent process's main thread of `t`.
    pub fn parent_of(&self, t: &Thread) -> Option<&Thread> {
        let main = self.main_of(t);
        if main.ptid == main.tid {
            return None;
        }
        let p = self.threads.get(&main.ptid)?;
        Some(self.main_of(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_lists_split_like_libsinsp() {
        let v = join_nul(&[b"a".as_slice(), b"bc"]);
        assert_eq!(v, b"a\0bc\0");
        assert_eq!(
            nul_items(&v).collect::<Vec<_>>(),
            vec![b"a".as_slice(), b"bc"]
        );
        assert_eq!(nul_items(b"").count(), 0);
        assert_eq!(nul_items(b"x").collect::<Vec<_>>(), vec![b"x".as_slice()]);
    }

    #[test]
    fn env_and_cgroups() {
        let t = Thread {
            env: join_nul(&[b"A=1".as_slice(), b"HOME=/root"]),
            cgroups: join_nul(&[b"cpu=/docker/x".as_slice()]),
            ..Thread::unknown(1)
        };
        assert_eq!(t.env_var(b"HOME"), Some(b"/root".as_slice()));
        assert_eq!(t.env_var(b"HOM"), None);
        assert_eq!(
            t.cgroup_pairs().collect::<Vec<_>>(),
            vec![(b"cpu".as_slice(), b"/docker/x".as_slice())]
        );
        assert_eq!(normalise_cwd(b"/etc".to_vec()), b"/etc/");
    }

    #[test]
    fn recently_exited_within_two_seconds() {
        let mut r = RecentlyExited::default();
        r.record(11, 10, 1_000);
        assert!(r.contains(11, 10, 1_000 + RecentlyExited::WINDOW_NS - 1));
        assert!(!r.contains(11, 10, 1_000 + RecentlyExited::WINDOW_NS));
        assert!(!r.contains(11, 9, 1_500), "another parent: a reused tid");
        assert!(!r.contains(11, 10, 999), "before the exit");
        r.record(12, 10, 1_000 + RecentlyExited::WINDOW_NS);
        assert_eq!(r.entries.len(), 1, "the stale entry is dropped");
    }

    #[test]
    fn libs_rename_cgroup_subsystems() {
        for (sub, libs) in [
            (&b"io"[..], &b"blkio"[..]),
            (b"perf", b"perf_event"),
            (b"perf_cgroup", b"perf_event"),
            (b"mem", b"memory"),
            (b"name_cgroup=x", b"name=x"),
            (b"cpuacct", b"cpuacct"),
        ] {
            assert_eq!(libs_subsystem(sub).as_ref(), libs);
        }
    }
}
