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
pub mod fd_order;
pub mod fds;
pub mod libs_fd;
pub mod libs_view;
pub mod matchers;
pub mod net;
pub mod path;
pub mod process;
pub mod threads;
pub mod udp;
pub mod users;

use std::cell::Cell;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use hindsight_format::event::{EventRef, Layout};
use hindsight_format::header::TraceHeader;
use hindsight_format::schema::{flags, Direction, ParamType, Source};

pub use containers::{Container, Containers};
pub use event::Paired;
pub use fds::{Fd, FdTable, FdType, Role};
pub use threads::{Thread, ThreadTable};
pub use users::Users;

/// The last enter event of one thread, copied out of the trace buffer.
#[derive(Clone, Debug, Default)]
pub struct StoredEnter {
    /// The record bytes (header, lengths, values).
    pub record: Vec<u8>,
    /// Its event number.
    pub num: u64,
    /// Its CPU.
    pub cpu: u16,
    /// Whether the record has a V2 (26-byte) header.
    pub v2: bool,
    /// The type of the thread's latest enter event. Enters that are not system calls (context
    /// switches, signal deliveries, page faults) update only this, not the record: current
    /// libs' converter keeps the last syscall enter across them, while sysdig 0.29 (and the
    /// state) pair an exit only with the enter right before it.
    pub last_ty: u16,
    /// The record parsed once when stored: pairing lends it without parsing it again (an
    /// exit is paired several times). `None` for a record that does not parse.
    layout: Option<Layout>,
}

impl PartialEq for StoredEnter {
    fn eq(&self, o: &StoredEnter) -> bool {
        // The layout is derived from the other fields.
        (&self.record, self.num, self.cpu, self.v2, self.last_ty)
            == (&o.record, o.num, o.cpu, o.v2, o.last_ty)
    }
}

impl Eq for StoredEnter {}

impl StoredEnter {
    /// A kept enter of `record`, the thread's latest enter.
    pub fn new(record: Vec<u8>, num: u64, cpu: u16, v2: bool) -> StoredEnter {
        let mut e = StoredEnter {
            record,
            num,
            cpu,
            v2,
            last_ty: 0,
            layout: None,
        };
        e.parse();
        e.last_ty = e.event().map_or(0, |ev| ev.ty);
        e
    }

    /// Parses the record into its layout.
    fn parse(&mut self) {
        let ev = if self.v2 {
            EventRef::parse_v2(&self.record, self.num, self.cpu, 0)
        } else {
            EventRef::parse_v1(&self.record, self.num, self.cpu, 0)
        };
        self.layout = ev.ok().and_then(|ev| ev.layout(&self.record));
    }

    /// The stored event.
    pub fn event(&self) -> Option<EventRef<'_>> {
        self.layout?.bind(&self.record)
    }

    /// The enter of an exit of type `exit_ty`: the stored syscall enter of the matching type,
    /// in current libs' view (`libs`, the converter's `C_INSTR_FROM_ENTER`) whatever came in
    /// between, in sysdig's only when no other enter did.
    pub fn enter_of(&self, exit_ty: u16, libs: bool) -> Option<EventRef<'_>> {
        self.event()
            .filter(|e| e.ty.wrapping_add(1) == exit_ty && (libs || self.last_ty == e.ty))
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

/// A hash of an fd name: enough to tell whether an event changed it. foldhash reads the name
/// eight bytes at a time (a byte-wise FNV was 4% of a replay: it runs twice on every open);
/// the fixed seed keeps the hash of the empty name a constant.
fn name_hash(name: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one(name)
}

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
    /// The last fd the last event applied added to its process's table, which current
    /// libsinsp makes the thread's `m_lastevent_fd` (`sinsp_threadinfo::add_fd`).
    pub created_fd: Option<i64>,
    /// Events so far that current libs' capture converter drops ([`libs_view::Fate`]):
    /// the trace's event number minus this is Falco 0.42+'s `evt.num`.
    pub libs_dropped: u64,
    /// The fd of the event last applied, per view, found on first use.
    fd_memo: FdMemo,
}

/// The fd key (fd number, process id) of the event last applied, per view (sysdig's, current
/// libs'), remembered on first use: a rule set reads fd fields many times per event, and
/// finding the fd reads parameters by name and looks the thread up. Derived data: cleared by
/// every apply, ignored by equality.
#[derive(Clone, Debug, Default)]
struct FdMemo([Cell<Option<(u64, FdKey)>>; 2]);

/// An fd number and the id of the process whose table holds it; `None` when the event has
/// no fd or its thread is unknown.
type FdKey = Option<(i64, i64)>;

impl PartialEq for FdMemo {
    fn eq(&self, _: &FdMemo) -> bool {
        true
    }
}

impl Eq for FdMemo {}

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
            let into = st.fds.entry(pid).or_default();
            for e in &table.fds {
                into.insert(e.fd, Fd::from_entry(e));
            }
        }
        st
    }

    /// Applies one event. Call for every event in trace order, then extract its fields.
    pub fn apply(&mut self, ev: &EventRef<'_>) {
        self.apply_as(ev, true);
    }

    /// Applies one event whose fields nobody extracts (the events a parallel worker passes
    /// on its way to its own part of a trace): the state after it is the one
    /// [`State::apply`] leaves, except the facts about this event alone that only its fields
    /// read (`fd_name_changed`), which the next applied event recomputes.
    pub fn apply_unread(&mut self, ev: &EventRef<'_>) {
        self.apply_as(ev, false);
    }

    fn apply_as(&mut self, ev: &EventRef<'_>, read: bool) {
        // Nothing reads the memo while an event applies (only its fields do, afterwards).
        self.fd_memo = FdMemo::default();
        self.flush_pending(ev.ts);
        if libs_view::fate(ev) == libs_view::Fate::Dropped {
            self.libs_dropped += 1;
        }
        self.created_fd = None;
        let names = read && Self::names_fd(ev);
        let fd_name_before = if names {
            self.libs_fd_name_hash(ev, false)
        } else {
            None
        };
        // libsinsp gives every tid it meets a thread entry, empty when nothing is known
        // (proc.name is then `<NA>`), so that fds it opens are still tracked.
        // Scheduler switches and bookkeeping events do not make libsinsp look a thread up.
        let skip = ev
            .info()
            .is_none_or(|i| i.flags & flags::SKIPPARSERESET != 0 || i.name == "switch");
        let enter = ev.direction() == Direction::Enter;
        // The fd an enter names is noted on its thread (libsinsp's `m_lastevent_fd`) with
        // the same lookup that finds or creates the thread: this runs on every event.
        let enter_fd = if enter && !skip {
            Self::enter_fd(ev)
        } else {
            None
        };
        self.thread_created = false;
        if ev.tid > 0 && !skip {
            let t = match self.threads.threads.entry(ev.tid) {
                Entry::Occupied(o) => o.into_mut(),
                Entry::Vacant(v) => {
                    self.thread_created = true;
                    v.insert(Thread::unknown(ev.tid))
                }
            };
            if enter_fd.is_some() {
                t.last_fd = enter_fd;
            }
        } else if let Some(t) = enter_fd.and_then(|_| self.threads.threads.get_mut(&ev.tid)) {
            t.last_fd = enter_fd;
        }
        if enter {
            apply::apply_enter(self, ev);
            // Both libsinsps leave a thread's last enter alone on a switch or a bookkeeping
            // event (`reset` returns before recording it), so a syscall's exit still pairs
            // with its enter across the context switches in between.
            if !skip {
                self.store_enter(ev);
            }
        } else {
            apply::apply_exit(self, ev);
        }
        // libsinsp's `fd.name_changed` compares the name of the event's fd after parsing with
        // its `m_oldname`, the name it had when `reset` looked it up (`get_fd`); a new fd's
        // old name is empty, and a dup's copy keeps the name its source was looked up with.
        self.fd_name_changed = names
            && self
                .libs_fd_name_hash(ev, true)
                .is_some_and(|after| fd_name_before.unwrap_or_else(|| name_hash(b"")) != after);
    }

    /// Whether `ev` can rename an fd: the exits of the calls that create one, and of socket
    /// calls (connect, bind, the datagram calls) that set a tuple; of enters, only a connect's
    /// (it names a unix socket, [`apply::apply_enter`]). Reads, writes and closes never
    /// rename; skipping them keeps the table lookups off the hot path.
    fn names_fd(ev: &EventRef<'_>) -> bool {
        if ev.direction() == Direction::Enter {
            return apply::action_of(ev.ty) == apply::Action::Connect;
        }
        ev.info().is_some_and(|info| {
            info.flags & flags::CREATES_FD != 0
                || (info.flags & flags::USES_FD != 0
                    && (info.category == hindsight_format::schema::Category::Net
                        || apply::action_of(ev.ty) == apply::Action::Datagram))
        })
    }

    /// A hash of the name of the fd current libsinsp attributes to `ev`, before parsing (the
    /// fd `reset` looks up) or after it (`m_lastevent_fd`); none without a table entry.
    fn libs_fd_name_hash(&self, ev: &EventRef<'_>, parsed: bool) -> Option<u64> {
        let p = self.pair(*ev);
        let fd = if parsed {
            self.libs_event_fd(&p)?
        } else {
            libs_fd::reset_fd(&p)?
        };
        let f = self.fd_table(self.thread(ev.tid)?)?.get(fd)?;
        Some(name_hash(&f.name))
    }

    /// The fd current libsinsp attributes to an event after parsing it, its thread's
    /// `m_lastevent_fd`: the fd `reset` read ([`libs_fd::reset_fd`]), or the last fd the
    /// event added to the table. `None` for an event without fd fields.
    pub fn libs_event_fd(&self, p: &Paired<'_>) -> Option<i64> {
        let reset = libs_fd::reset_fd(p)?;
        Some(self.created_fd.unwrap_or(reset))
    }

    /// Performs the deferred removals now, before an event at `ts`.
    pub fn flush_pending(&mut self, ts: u64) {
        if let Some((pid, fd)) = self.pending.fd.take() {
            if let Some(t) = self.fds.get_mut(&pid) {
                t.remove(fd);
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

    /// The fd an fd-using or fd-creating enter event names, which its thread remembers (-1
    /// for a call whose fd does not exist yet); `None` for other events.
    fn enter_fd(ev: &EventRef<'_>) -> Option<i64> {
        let info = ev.info()?;
        if info.flags & (flags::USES_FD | flags::CREATES_FD) == 0 {
            return None;
        }
        let fd = info
            .params
            .first()
            .filter(|p| {
                info.flags & flags::USES_FD != 0 && matches!(p.ty, ParamType::Fd | ParamType::Fd32)
            })
            .and_then(|p| event::decode_int(ev.param(0)?, p.ty))
            .unwrap_or(-1);
        Some(fd)
    }

    fn store_enter(&mut self, ev: &EventRef<'_>) {
        if ev.info().is_some_and(|i| i.source != Source::Syscall) {
            if let Some(slot) = self.enters.get_mut(&ev.tid) {
                slot.last_ty = ev.ty;
            }
            return;
        }
        let rec = ev.record_bytes();
        if rec.len() > MAX_STORED_ENTER {
            // Forget the previous enter but keep the slot and its buffer, which the thread's
            // next enter reuses: no allocation per oversized enter.
            if let Some(slot) = self.enters.get_mut(&ev.tid) {
                slot.record.clear();
                slot.layout = None;
                slot.last_ty = ev.ty;
            }
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
        slot.last_ty = ev.ty;
        // The reader parsed these very bytes: its layout, relative to the record, fits the
        // copy (as a kept enter, without the block's dump flags).
        let mut unflagged = *ev;
        unflagged.dump_flags = 0;
        slot.layout = unflagged.layout(rec);
    }

    /// The event paired with its enter (for an exit whose thread's last enter is the
    /// matching type), as sysdig 0.29 and the state pair them.
    pub fn pair<'a>(&'a self, ev: EventRef<'a>) -> Paired<'a> {
        self.pair_in_view(ev, false)
    }

    /// The event paired with its enter in current libs' view (`libs`: the last syscall enter
    /// of the thread, see [`StoredEnter::enter_of`]) or in sysdig's.
    pub fn pair_in_view<'a>(&'a self, ev: EventRef<'a>, libs: bool) -> Paired<'a> {
        let enter = if ev.direction() == Direction::Exit {
            self.enters
                .get(&ev.tid)
                .and_then(|s| s.enter_of(ev.ty, libs))
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

    /// The fd an event is about. In current libs' view (`libs`) [`State::libs_event_fd`]. In
    /// sysdig 0.29's, for exits of fd-using calls: the exit's own `fd` parameter, else its
    /// enter's, else the fd of the thread's last fd-using enter (`m_lastevent_fd`, stale
    /// when the exit lost its enter), else 0 (its initial value); the exits of the
    /// `FDLESS_EXITS` calls have none.
    pub fn event_fd_of(&self, p: &Paired<'_>, libs: bool) -> Option<i64> {
        if libs {
            return self.libs_event_fd(p);
        }
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

    /// The fd an event is about, looked up in the thread's table (in sysdig 0.29's view,
    /// without the sockets only current libs infer).
    pub fn event_fd_info(&self, p: &Paired<'_>, libs: bool) -> Option<(i64, &Fd)> {
        let (fd, pid) = self.event_fd_key(p, libs)?;
        self.fd_entry(fd, pid, libs)
    }

    /// [`State::event_fd_info`] for the event last applied (its fields), remembering which
    /// fd it is for the next field of the same event.
    pub fn applied_fd_info(&self, p: &Paired<'_>, libs: bool) -> Option<(i64, &Fd)> {
        let memo = &self.fd_memo.0[usize::from(libs)];
        let key = match memo.get() {
            Some((num, key)) if num == p.ev.num => key,
            _ => {
                let key = self.event_fd_key(p, libs);
                memo.set(Some((p.ev.num, key)));
                key
            }
        };
        let (fd, pid) = key?;
        self.fd_entry(fd, pid, libs)
    }

    /// Entry `fd` of process `pid`'s table, as the view sees it (sysdig 0.29 does not see
    /// the sockets only current libs infer).
    fn fd_entry(&self, fd: i64, pid: i64, libs: bool) -> Option<(i64, &Fd)> {
        let f = self
            .fds
            .get(&pid)?
            .get(fd)
            .filter(|f| libs || !f.inferred)?;
        Some((fd, f))
    }

    /// The fd an event is about and the process whose table holds it.
    fn event_fd_key(&self, p: &Paired<'_>, libs: bool) -> FdKey {
        let fd = self.event_fd_of(p, libs)?;
        Some((fd, self.thread(p.ev.tid)?.pid))
    }
}
