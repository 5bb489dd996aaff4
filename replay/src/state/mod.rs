//! System state rebuilt from a trace: threads, fd tables, users, containers.
//!
//! [`State`] is seeded from a trace's header blocks ([`State::from_header`]) or restored from
//! a checkpoint ([`checkpoint`]), then [`State::apply`] is called once per event, in order,
//! *before* the event's fields are extracted — the order libsinsp uses, so that the fd an
//! `open` exit creates is visible in that exit's `fd.name`. Removals (a thread after its
//! `procexit`, an fd after its `close` exit) are deferred to the next event for the same
//! reason. Memory stays bounded: exited threads and closed fds are dropped, and the enter
//! events kept for pairing are one reusable buffer per live thread.

pub mod apply;
pub mod checkpoint;
pub mod containers;
pub mod event;
pub mod fds;
pub mod libs_view;
pub mod matchers;
pub mod net;
pub mod path;
pub mod process;
pub mod threads;
pub mod udp;
pub mod users;

use std::collections::HashMap;

use hindsight_format::event::EventRef;
use hindsight_format::header::TraceHeader;
use hindsight_format::schema::{flags, Direction, ParamType};

pub use containers::{Container, Containers};
pub use event::Paired;
pub use fds::{Fd, FdTable, FdType, Role};
pub use threads::{Thread, ThreadTable};
pub use users::Users;

/// The last enter event of one thread, copied out of the trace buffer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredEnter {
    /// The record bytes (header, lengths, values).
    pub record: Vec<u8>,
    /// Its event number.
    pub num: u64,
    /// Its CPU.
    pub cpu: u16,
    /// Whether the record has a V2 (26-byte) header.
    pub v2: bool,
}

impl StoredEnter {
    /// The stored event, re-parsed.
    pub fn event(&self) -> Option<EventRef<'_>> {
        if self.v2 {
            EventRef::parse_v2(&self.record, self.num, self.cpu, 0).ok()
        } else {
            EventRef::parse_v1(&self.record, self.num, self.cpu, 0).ok()
        }
    }
}

/// Removals deferred to the next event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pending {
    /// A thread that ran `procexit`.
    pub thread: Option<i64>,
    /// An fd closed by `(pid, fd)`.
    pub fd: Option<(i64, i64)>,
}

/// File-attribute calls whose exit sysdig 0.29's libsinsp does not treat as fd-using
/// (`EF_NONE` in its event table), so `fd.*` has no value on it although the exit names an
/// fd or dirfd (sysdig shows `<NA>` on the exits of fchmod and fchmodat). Current libs flag
/// these exits `EF_USES_FD`, as hindsight's table does.
const FDLESS_EXITS: &[&str] = &[
    "fchmod",
    "fchmodat",
    "fchown",
    "fchownat",
    "mkdirat",
    "mknodat",
    "newfstatat",
    "symlinkat",
    "unlinkat",
];

/// FNV-1a of an fd name: enough to tell whether an event changed it.
fn name_hash(name: &[u8]) -> u64 {
    name.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// [`name_hash`] of the empty name.
const EMPTY_NAME_HASH: u64 = 0xcbf2_9ce4_8422_2325;

/// Enter events larger than this are not kept for pairing (libsinsp's SP_EVT_BUF_SIZE).
pub const MAX_STORED_ENTER: usize = 4096;

/// The hash map of the state tables, keyed by the thread, process, fd and user ids a trace
/// chooses. foldhash costs a fraction of SipHash on these integer keys (SipHash was a fifth of
/// a replay's profile) and is seeded per process, so a crafted trace cannot aim collisions.
pub type IdMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Everything known about the traced system at one point of the trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    /// Live threads.
    pub threads: ThreadTable,
    /// fd tables by process id.
    pub fds: IdMap<i64, FdTable>,
    /// Users and groups.
    pub users: Users,
    /// Containers seen so far.
    pub containers: Containers,
    /// Host name from the machine-info block.
    pub hostname: String,
    /// The last enter event of each thread.
    pub enters: IdMap<i64, StoredEnter>,
    /// Removals deferred to the next event.
    pub pending: Pending,
    /// Threads removed in the last two seconds, so that a creator's late clone exit does not
    /// bring them back.
    pub exited: threads::RecentlyExited,
    /// IPv4 interfaces from the interface-list block, to patch datagram tuples.
    pub ipv4_ifaces: Vec<udp::Ipv4Iface>,
    /// IPv6 interface prefixes (first 64 bits), to tell local from remote IPv6 ends.
    pub ipv6_prefixes: Vec<[u8; 8]>,
    /// Whether the last event applied was the first of its thread, which got an empty entry.
    pub thread_created: bool,
    /// Whether the last event applied changed the name of its fd (a new named fd, a socket
    /// whose tuple it set): libsinsp's `fd.name_changed`.
    pub fd_name_changed: bool,
    /// Events so far that current libs' capture converter drops ([`libs_view::Fate`]):
    /// the trace's event number minus this is Falco 0.42+'s `evt.num`.
    pub libs_dropped: u64,
}

impl State {
    /// The state described by the header blocks of a trace section.
    pub fn from_header(h: &TraceHeader) -> State {
        let mut st = State {
            users: Users::from_entries(&h.users, &h.groups),
            hostname: h
                .machine
                .as_ref()
                .map(|m| m.hostname.clone())
                .unwrap_or_default(),
            ipv4_ifaces: udp::ipv4_ifaces(&h.interfaces),
            ipv6_prefixes: udp::ipv6_prefixes(&h.interfaces),
            ..State::default()
        };
        for e in &h.threads {
            let mut t = Thread::from_entry(e);
            t.container_id = st.containers.attach(&t);
            st.threads.threads.insert(t.tid, t);
        }
        // As libsinsp after its process-list scan: a thread whose parent is not in the list
        // has none in current libs.
        for e in &h.threads {
            process::adopt(&mut st, e.tid, e.ptid);
        }
        for table in &h.fds {
            let pid = st.threads.get(table.tid).map_or(table.tid, |t| t.pid);
            st.fds
                .entry(pid)
                .or_default()
                .fds
                .extend(FdTable::from_entries(&table.fds).fds);
        }
        st
    }

    /// Applies one event. Call for every event in trace order, then extract its fields.
    pub fn apply(&mut self, ev: &EventRef<'_>) {
        self.flush_pending(ev.ts);
        if libs_view::fate(ev) == libs_view::Fate::Dropped {
            self.libs_dropped += 1;
        }
        let fd_name_before = self.event_fd_name_hash(ev);
        // libsinsp gives every tid it meets a thread entry, empty when nothing is known
        // (proc.name is then `<NA>`), so that fds it opens are still tracked.
        // Scheduler switches and bookkeeping events do not make libsinsp look a thread up.
        let skip = ev
            .info()
            .is_none_or(|i| i.flags & flags::SKIPPARSERESET != 0 || i.name == "switch");
        self.thread_created = ev.tid > 0 && !skip && !self.threads.threads.contains_key(&ev.tid);
        if self.thread_created {
            self.threads.threads.insert(ev.tid, Thread::unknown(ev.tid));
        }
        if ev.direction() == Direction::Enter {
            apply::apply_enter(self, ev);
            // A scheduler switch is no syscall's enter: libsinsp neither notes its fd nor
            // keeps it for the next exit (a switch between an execve's enter and exit leaves
            // the execve paired).
            if !skip {
                self.note_fd(ev);
                self.store_enter(ev);
            }
        } else {
            apply::apply_exit(self, ev);
        }
        // As libsinsp's `m_oldname`: the name when the event's fd was looked up, empty for
        // an fd the event creates.
        self.fd_name_changed = match (fd_name_before, self.event_fd_name_hash(ev)) {
            (before, Some(after)) => before.unwrap_or(EMPTY_NAME_HASH) != after,
            (_, None) => false,
        };
    }

    /// A hash of the name of `ev`'s fd in the table (none without one), computed only for
    /// the events that can name an fd: those that create one, and socket calls (connect,
    /// bind, datagrams) that set a tuple. Reads, writes and closes never rename; skipping
    /// them keeps the two table lookups off the hot path.
    fn event_fd_name_hash(&self, ev: &EventRef<'_>) -> Option<u64> {
        let info = ev.info()?;
        let names = info.flags & flags::CREATES_FD != 0
            || (info.category == hindsight_format::schema::Category::Net
                && info.flags & flags::USES_FD != 0);
        if !names {
            return None;
        }
        let (_, f) = self.event_fd_info(&self.pair(*ev), true)?;
        Some(name_hash(&f.name))
    }

    /// Performs the deferred removals now, before an event at `ts`.
    pub fn flush_pending(&mut self, ts: u64) {
        if let Some((pid, fd)) = self.pending.fd.take() {
            if let Some(t) = self.fds.get_mut(&pid) {
                t.fds.remove(&fd);
            }
        }
        if let Some(tid) = self.pending.thread.take() {
            let ptid = self
                .threads
                .get(tid)
                .map_or(-1, |t| self.threads.libs_ptid(t));
            self.exited.record(tid, ptid, ts);
            self.remove_thread(tid);
        }
    }

    /// Remembers the fd of an fd-using or fd-creating enter event for its thread (-1 for a
    /// call whose fd does not exist yet).
    fn note_fd(&mut self, ev: &EventRef<'_>) {
        let Some(info) = ev.info() else { return };
        if info.flags & (flags::USES_FD | flags::CREATES_FD) == 0 {
            return;
        }
        let fd = info
            .params
            .first()
            .filter(|p| {
                info.flags & flags::USES_FD != 0 && matches!(p.ty, ParamType::Fd | ParamType::Fd32)
            })
            .and_then(|p| event::decode_int(ev.param(0)?, p.ty))
            .unwrap_or(-1);
        if let Some(t) = self.threads.threads.get_mut(&ev.tid) {
            t.last_fd = Some(fd);
        }
    }

    fn store_enter(&mut self, ev: &EventRef<'_>) {
        let rec = ev.record_bytes();
        if rec.len() > MAX_STORED_ENTER {
            self.enters.remove(&ev.tid);
            return;
        }
        let slot = self.enters.entry(ev.tid).or_default();
        // Most enter records are under 256 bytes: one allocation per thread, not a growth
        // step each time a longer path comes by.
        slot.record.clear();
        slot.record.reserve(rec.len().max(256));
        slot.record.extend_from_slice(rec);
        slot.num = ev.num;
        slot.cpu = ev.cpu;
        slot.v2 = ev.is_v2();
    }

    /// The event paired with its enter (for an exit whose thread's last enter is the
    /// matching type).
    pub fn pair<'a>(&'a self, ev: EventRef<'a>) -> Paired<'a> {
        let enter = if ev.direction() == Direction::Exit {
            self.enters
                .get(&ev.tid)
                .and_then(StoredEnter::event)
                .filter(|e| e.ty.wrapping_add(1) == ev.ty)
        } else {
            None
        };
        Paired { ev, enter }
    }

    /// Removes a thread, its stored enter, and its process's fd table when it was the last
    /// thread of the process. A main thread whose process still has live threads stays,
    /// closed, and goes with the last of them: both libsinsps keep it (`PPM_CL_CLOSED`), as
    /// the other threads read its working directory, fd table and limits.
    pub fn remove_thread(&mut self, tid: i64) {
        self.enters.remove(&tid);
        let Some(t) = self.threads.threads.get(&tid) else {
            return;
        };
        let (pid, main) = (t.pid, t.is_main());
        let others_live = self
            .threads
            .threads
            .values()
            .any(|o| o.pid == pid && o.tid != tid && !o.is_closed());
        if main && others_live {
            if let Some(t) = self.threads.threads.get_mut(&tid) {
                t.flags |= threads::CL_CLOSED;
            }
            return;
        }
        self.threads.threads.remove(&tid);
        if !main && !others_live && self.threads.get(pid).is_some_and(Thread::is_closed) {
            self.threads.threads.remove(&pid);
        }
        if !self.threads.threads.values().any(|o| o.pid == pid) {
            self.fds.remove(&pid);
        }
    }

    /// The thread of event `ev`.
    pub fn thread(&self, tid: i64) -> Option<&Thread> {
        self.threads.get(tid)
    }

    /// The fd table of thread `t`'s process.
    pub fn fd_table(&self, t: &Thread) -> Option<&FdTable> {
        self.fds.get(&t.pid)
    }

    /// The fd number an event is about, like libsinsp's `evt->get_fd_num()`: for enters of
    /// fd-using syscalls parameter 0; for exits of fd-creating syscalls the new fd (the
    /// return value); for other fd-using exits the `fd` parameter of the exit or its enter.
    pub fn event_fd(p: &Paired<'_>) -> Option<i64> {
        let info = p.ev.info()?;
        let uses = info.flags & flags::USES_FD != 0;
        let creates = info.flags & flags::CREATES_FD != 0;
        if !uses && !creates {
            return None;
        }
        if p.ev.direction() == Direction::Enter {
            let first = info.params.first();
            if !uses || !first.is_some_and(|f| matches!(f.ty, ParamType::Fd | ParamType::Fd32)) {
                // An fd-creating call before it returns (openat's dirfd is not its fd):
                // libsinsp reports fd -1.
                return creates.then_some(-1);
            }
            return event::decode_int(p.ev.param(0)?, first?.ty);
        }
        if let Some(new) = apply::dup_result(p) {
            // fcntl(F_DUPFD): libsinsp moves the event to the new fd.
            return Some(new);
        }
        if creates {
            // pipe/socketpair: the last fd created; a failed call: -1.
            if let Some(fd2) = p.int("fd2") {
                return Some(fd2);
            }
            return p.res().map(|r| if r < 0 { -1 } else { r });
        }
        // The exit's own `fd` parameter (traces without enter events).
        event::param_raw(&p.ev, "fd").and_then(|(b, t)| event::decode_int(b, t))
    }

    /// The fd an event is about. For exits of fd-using calls, current libsinsp's view: the
    /// exit's own `fd` parameter, else its enter's (which the converter appends to the
    /// exit), else the fd of the thread's last fd-using enter (`m_lastevent_fd`, stale when
    /// the exit lost its enter), else 0 (its initial value).
    /// `libs` selects current libs' view, where the exits of the `FDLESS_EXITS` calls use their fd.
    pub fn event_fd_of(&self, p: &Paired<'_>, libs: bool) -> Option<i64> {
        let info = p.ev.info()?;
        if !libs && p.ev.direction() == Direction::Exit && FDLESS_EXITS.contains(&info.name) {
            return None;
        }
        if p.ev.direction() == Direction::Exit
            && info.flags & flags::USES_FD != 0
            && info.flags & flags::CREATES_FD == 0
        {
            if let Some(fd) = Self::event_fd(p).or_else(|| p.int("fd")) {
                return Some(fd);
            }
            return self.thread(p.ev.tid)?.last_fd.or(Some(0));
        }
        Self::event_fd(p)
    }

    /// The fd an event is about, looked up in the thread's table.
    pub fn event_fd_info(&self, p: &Paired<'_>, libs: bool) -> Option<(i64, &Fd)> {
        let fd = self.event_fd_of(p, libs)?;
        let t = self.thread(p.ev.tid)?;
        Some((fd, self.fd_table(t)?.get(fd)?))
    }
}
