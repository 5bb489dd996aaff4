//! Writing enter events back: [`EnterRestorer`] turns a stream of events in which exits carry
//! their enter's parameters (current libs' layout, which their modern probe and
//! `hindsight record --exit-only` write) into the enter and exit events sysdig 0.29, Falco
//! 0.41 and earlier and the `--enter-events` view expect.
//!
//! It is libs' capture converter (`libscap/engine/savefile/converter`) run backwards, with
//! the rules [`schema::convert`] states for the forward direction:
//!
//! - a trace is exit-only when an exit without its enter is in a layout sysdig 0.29 never
//!   writes (more parameters than its table lists, or a version it does not know) and
//!   carries its enter's parameters ([`EnterRestorer::shows_exit_only`]). A trace where no
//!   event is so has its enters and is left as it is, even where an exit lost its enter (to
//!   drops, or because the call began before the capture): the caller asks first, and uses
//!   [`EnterRestorer::push`] only on exit-only traces. A trace can be mixed: `record
//!   --exit-only` keeps the enters of execve and the clone family;
//! - an exit has an enter of its own when its thread's last event of a syscall pair was
//!   that call's enter (sinsp's pairing); such an exit and its enter pass, cut to the
//!   parameters sysdig 0.29 reads where current libs appended some, and every other event
//!   passes unchanged;
//! - an exit without one becomes the version sysdig 0.29 reads
//!   ([`convert::old_version`]), cut to the parameters sysdig 0.29's table lists
//!   ([`old::old_event`]), preceded by the enter event of that version, whose parameters are
//!   taken from the exit ([`convert::enter_source`]). An enter without parameters is always
//!   carried (stat, pipe, chdir... have the same exit in both layouts);
//! - an exit that does not carry every parameter of the enter passes unchanged: no value is
//!   invented;
//! - the exit a new thread writes for the call that created it (a clone family exit
//!   returning 0) never had an enter, and gets none;
//! - the restored enter is stamped one nanosecond before its exit, or at the time of the
//!   event written before it when that is later (never after the exit), so times keep their
//!   order.

use std::collections::HashMap;

use crate::encode::EventBuilder;
use crate::event::{EventRef, RecordError};
use crate::schema::{self, convert, old, Direction, EventInfo, Source};

/// Calls whose exit the new thread writes too, returning 0, without having entered the call.
const NEW_THREAD_EXITS: &[&str] = &["clone", "clone3", "fork", "vfork"];

/// Restores enter events, one event at a time (see the module documentation).
#[derive(Debug, Default)]
pub struct EnterRestorer {
    /// The enter type of each thread's pending syscall (its last enter not yet followed by
    /// an exit).
    pending: HashMap<i64, u16>,
    /// The plan of each (exit type, parameter count) met, computed once.
    plans: HashMap<(u16, usize), Option<Plan>>,
    /// The time of the last event written.
    last_ts: u64,
    enter: Vec<u8>,
    exit: Vec<u8>,
    /// Enter events restored so far.
    pub restored: u64,
}

/// What to write for one event.
#[derive(Clone, Copy, Debug)]
pub enum Restored<'a> {
    /// The event as it is.
    Keep,
    /// A restored enter, then the exit in the layout sysdig 0.29 reads, instead of the event.
    Pair {
        /// The enter event.
        enter: EventRef<'a>,
        /// The exit event.
        exit: EventRef<'a>,
    },
    /// The event cut to the parameters sysdig 0.29 reads, instead of the event: an enter,
    /// or an exit that needs no enter restored, of a syscall to which current libs appended
    /// parameters.
    Cut(EventRef<'a>),
}

/// The enter and exit types to write for an exit without its enter, and the positions in
/// the exit of the parameters of each.
#[derive(Debug)]
struct Plan {
    enter: &'static EventInfo,
    exit: &'static EventInfo,
    enter_params: Vec<usize>,
    exit_params: Vec<usize>,
}

/// The [`Plan`] for an exit of type `info` with `present` parameters, or `None` when the
/// exit does not carry every parameter of the enter in them (or has no version sysdig 0.29
/// reads).
fn plan(info: &'static EventInfo, present: usize) -> Option<Plan> {
    if info.source != Source::Syscall {
        return None;
    }
    let exit = convert::old_version(info)?;
    let enter = schema::event_info(exit.id - 1)?;
    let (enter_name, enter_count) = old::old_event(enter.id)?;
    let (_, exit_count) = old::old_event(exit.id)?;
    if enter_name != exit.name {
        return None;
    }
    let found = |i: Option<usize>| i.filter(|&i| i < present);
    let enter_params = enter.params[..enter_count]
        .iter()
        .map(|p| found(convert::enter_source(info, p.name)))
        .collect::<Option<Vec<_>>>()?;
    let exit_params = if std::ptr::eq(exit, info) {
        (0..exit_count.min(present)).collect()
    } else {
        exit.params[..exit_count]
            .iter()
            .map(|p| found(info.param_index(p.name)))
            .collect::<Option<Vec<_>>>()?
    };
    Some(Plan {
        enter,
        exit,
        enter_params,
        exit_params,
    })
}

/// Whether an event of type `info` is the enter of a syscall pair (its exit follows it).
fn is_pair_enter(info: &EventInfo) -> bool {
    info.direction() == Direction::Enter
        && info.source == Source::Syscall
        && schema::event_info(info.id + 1).is_some_and(|x| x.name == info.name)
}

/// Encodes an event of type `ty` with the parameters of `ev` at `indices` into `out`.
fn encode(
    out: &mut Vec<u8>,
    ty: u16,
    ts: u64,
    ev: &EventRef<'_>,
    indices: impl IntoIterator<Item = usize>,
) {
    let mut b = EventBuilder::new(ty, ts, ev.tid);
    for i in indices {
        // A zero-length parameter stays empty.
        b.raw(ev.param(i).unwrap_or_default());
    }
    out.clear();
    b.encode_into(out);
}

/// Follows the pairing of `ev`, the next event of the trace, in `pending` (each thread's
/// pending call), and returns the plan to restore its enter (from `plans`, the plans met so
/// far) when it is an exit that needs one and carries it.
fn orphan_plan<'p>(
    pending: &mut HashMap<i64, u16>,
    plans: &'p mut HashMap<(u16, usize), Option<Plan>>,
    ev: &EventRef<'_>,
) -> Option<&'p Plan> {
    let info = ev.info()?;
    if is_pair_enter(info) {
        pending.insert(ev.tid, ev.ty);
    }
    if info.direction() != Direction::Exit || info.source != Source::Syscall {
        return None;
    }
    let own = pending.remove(&ev.tid) == Some(ev.ty - 1);
    let new_thread = NEW_THREAD_EXITS.contains(&info.name)
        && ev
            .param(0)
            .and_then(|b| b.try_into().ok())
            .is_some_and(|b| i64::from_le_bytes(b) == 0);
    if own || new_thread {
        return None;
    }
    plans
        .entry((ev.ty, ev.nparams()))
        .or_insert_with(|| plan(info, ev.nparams()))
        .as_ref()
}

impl EnterRestorer {
    /// A restorer at the start of a trace.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets every thread's pending call: a new section of the trace starts.
    pub fn new_section(&mut self) {
        self.pending.clear();
    }

    /// Whether `ev`, the next event of a trace, shows that the trace was written without
    /// enter events: an exit without its enter in a layout sysdig 0.29 does not write (more
    /// parameters than its table lists, or a version it does not know) that carries its
    /// enter's parameters. A trace where no event does has its enters; [`push`] is for the
    /// others.
    ///
    /// [`push`]: EnterRestorer::push
    pub fn shows_exit_only(&mut self, ev: &EventRef<'_>) -> bool {
        let present = ev.nparams();
        self.last_ts = ev.ts;
        orphan_plan(&mut self.pending, &mut self.plans, ev).is_some_and(|plan| {
            plan.exit.id != ev.ty || old::old_event(ev.ty).is_some_and(|(_, n)| present > n)
        })
    }

    /// What to write for `ev`, the next event of a trace that [`shows_exit_only`].
    ///
    /// # Errors
    ///
    /// An internal error when a record it built does not parse back (a bug).
    ///
    /// [`shows_exit_only`]: EnterRestorer::shows_exit_only
    pub fn push(&mut self, ev: &EventRef<'_>) -> Result<Restored<'_>, RecordError> {
        let last_ts = std::mem::replace(&mut self.last_ts, ev.ts);
        let Some(plan) = orphan_plan(&mut self.pending, &mut self.plans, ev) else {
            return self.cut(ev);
        };
        let enter_ts = last_ts.max(ev.ts.saturating_sub(1)).min(ev.ts);
        encode(
            &mut self.enter,
            plan.enter.id,
            enter_ts,
            ev,
            plan.enter_params.iter().copied(),
        );
        let exit_params = plan.exit_params.iter().copied();
        encode(&mut self.exit, plan.exit.id, ev.ts, ev, exit_params);
        self.restored += 1;
        Ok(Restored::Pair {
            enter: EventRef::parse_v2(&self.enter, ev.num, ev.cpu, ev.dump_flags)?,
            exit: EventRef::parse_v2(&self.exit, ev.num, ev.cpu, ev.dump_flags)?,
        })
    }

    /// `ev` as it is, or cut to the parameters sysdig 0.29 reads when it is an event of a
    /// syscall pair with more (sysdig 0.29 would skip them; hindsight's printer would not).
    fn cut(&mut self, ev: &EventRef<'_>) -> Result<Restored<'_>, RecordError> {
        let count = ev
            .info()
            .filter(|i| i.source == Source::Syscall)
            .filter(|i| {
                is_pair_enter(i)
                    || i.id
                        .checked_sub(1)
                        .and_then(schema::event_info)
                        .is_some_and(is_pair_enter)
            })
            .and_then(|i| old::old_event(i.id).filter(|(name, _)| *name == i.name))
            .map(|(_, n)| n)
            .filter(|&n| ev.nparams() > n);
        let Some(n) = count else {
            return Ok(Restored::Keep);
        };
        encode(&mut self.exit, ev.ty, ev.ts, ev, 0..n);
        Ok(Restored::Cut(EventRef::parse_v2(
            &self.exit,
            ev.num,
            ev.cpu,
            ev.dump_flags,
        )?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{event_info, flags, ParamType, EVENTS};
    use serde_json::Value;

    /// sysdig 0.29's event table (`../shared/reference/evt_old.json`).
    fn old_table() -> Value {
        let shared = std::env::var_os("HINDSIGHT_SHARED").map_or_else(
            || concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").into(),
            std::path::PathBuf::from,
        );
        let path = shared.join("reference/evt_old.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        serde_json::from_str(&text).expect("reference table is JSON")
    }

    /// The current exits of syscalls: what an exit-only trace holds.
    fn current_exits() -> impl Iterator<Item = &'static EventInfo> {
        EVENTS.iter().flatten().filter(|e| {
            e.direction() == Direction::Exit
                && e.source == Source::Syscall
                && e.flags & (flags::OLD_VERSION | flags::UNUSED) == 0
        })
    }

    /// Wire size of a fixed-size parameter type, `None` for variable sizes.
    fn size(ty: ParamType) -> Option<usize> {
        Some(convert::default_value(ty).len()).filter(|&n| n > 0)
    }

    /// Every exit in its complete current layout that has a version sysdig 0.29 knows gets
    /// an enter and an exit sysdig 0.29's table describes: its ids, its parameter counts,
    /// and at each position a parameter of the name and wire size sysdig 0.29 reads there.
    #[test]
    fn every_exit_only_layout_gets_the_pair_sysdig_reads() {
        let old = old_table();
        let types = &old["param_types"];
        let code = |name: &Value| types[name.as_str().unwrap()].as_u64().unwrap() as u8;
        let mut planned = 0;
        let mut without = Vec::new();
        for info in current_exits() {
            let Some(p) = plan(info, info.params.len()) else {
                if convert::old_version(info).is_some() {
                    without.push(info.name);
                }
                continue;
            };
            planned += 1;
            for (ty, sources) in [(p.enter, &p.enter_params), (p.exit, &p.exit_params)] {
                let e = &old["events"][ty.id.to_string()];
                assert_eq!(e["name"], info.name, "{} event {}", info.name, ty.id);
                let params = e["params"].as_array().unwrap();
                assert_eq!(params.len(), sources.len(), "{} event {}", info.name, ty.id);
                for (i, (want, &from)) in params.iter().zip(sources.iter()).enumerate() {
                    let have = &info.params[from];
                    let want_ty = EVENTS
                        .iter()
                        .flatten()
                        .flat_map(|e| e.params)
                        .map(|q| q.ty)
                        .find(|t| *t as u8 == code(&want["type"]))
                        .unwrap_or(ParamType::None);
                    assert_eq!(
                        size(have.ty),
                        size(want_ty),
                        "{} event {}: {} from {}",
                        info.name,
                        ty.id,
                        want["name"],
                        have.name
                    );
                    let renamed = convert::fill(info, have.name)
                        == convert::Fill::Enter {
                            name: "fd",
                            or_empty: true,
                        };
                    // The name at this position: sysdig 0.29's (where current libs renamed
                    // it, with the same bytes), and in current libs' table the parameter's
                    // own, or the one its enter gives it another name.
                    let old_name = old::old_param(ty.id, i).map_or(ty.params[i].name, |d| d.0);
                    assert_eq!(want["name"], old_name, "{} event {}", info.name, ty.id);
                    assert!(
                        ty.params[i].name == have.name || renamed,
                        "{} event {}: {} from {}",
                        info.name,
                        ty.id,
                        want["name"],
                        have.name
                    );
                }
            }
        }
        assert!(planned > 100, "only {planned} exits restored");
        // Exits whose complete layout lacks a parameter sysdig 0.29 reads: execveat's exit
        // has no dirfd and pathname (its enter is always written), fstat64's no fd (current
        // libs left the call unconverted), and bpf's current exit has its result as `fd`
        // where sysdig 0.29's has a dynamic `res_or_fd`. These pass unchanged.
        without.sort_unstable();
        assert_eq!(
            without,
            ["bpf", "execveat", "fstat64"],
            "exits without a restorable enter"
        );
    }

    /// The id of the current exit called `name`, and of its enter.
    fn ids(name: &str) -> (u16, u16) {
        let x = current_exits().find(|e| e.name == name).expect(name);
        (x.id - 1, x.id)
    }

    fn record(b: &EventBuilder) -> Vec<u8> {
        b.build()
    }

    fn parse(rec: &[u8]) -> EventRef<'_> {
        EventRef::parse_v2(rec, 1, 0, 0).expect("record parses")
    }

    /// The events written for `events`, in order, as (type, ts, parameters).
    fn restore(events: &[Vec<u8>]) -> Vec<(u16, u64, Vec<Vec<u8>>)> {
        let mut r = EnterRestorer::new();
        let mut out = Vec::new();
        let mut put = |ev: &EventRef<'_>| {
            let params = ev
                .params()
                .map(|p| p.unwrap_or_default().to_vec())
                .collect();
            out.push((ev.ty, ev.ts, params));
        };
        for rec in events {
            let ev = parse(rec);
            match r.push(&ev).expect("restored records parse") {
                Restored::Keep => put(&ev),
                Restored::Cut(cut) => put(&cut),
                Restored::Pair { enter, exit } => {
                    put(&enter);
                    put(&exit);
                }
            }
        }
        out
    }

    /// A read exit in current libs' layout (res, data, fd, size).
    fn read_exit(ts: u64, tid: i64) -> Vec<u8> {
        let (_, x) = ids("read");
        record(
            EventBuilder::new(x, ts, tid)
                .i64(3)
                .raw(b"abc")
                .i64(7)
                .u32(100),
        )
    }

    #[test]
    fn an_exit_without_its_enter_gets_it_back_before_it() {
        let (e, x) = ids("read");
        let out = restore(&[read_exit(1_000, 10)]);
        assert_eq!(
            out,
            [
                (
                    e,
                    999,
                    vec![7i64.to_le_bytes().to_vec(), 100u32.to_le_bytes().to_vec()]
                ),
                (x, 1_000, vec![3i64.to_le_bytes().to_vec(), b"abc".to_vec()]),
            ]
        );
    }

    #[test]
    fn an_exit_with_its_enter_gets_none_and_other_events_pass_unchanged() {
        let (e, x) = ids("read");
        let enter = record(EventBuilder::new(e, 900, 10).i64(7).u32(100));
        // An old-layout exit that lost its enter carries nothing to rebuild it from.
        let old_exit = record(EventBuilder::new(x, 2_000, 11).i64(3).raw(b"abc"));
        let procexit = record(EventBuilder::new(186, 3_000, 11).i64(0));
        let out = restore(&[enter, read_exit(1_000, 10), old_exit, procexit]);
        let types: Vec<(u16, u64, usize)> =
            out.iter().map(|(t, ts, p)| (*t, *ts, p.len())).collect();
        // The paired exit is cut to the two parameters sysdig 0.29 reads.
        assert_eq!(
            types,
            [(e, 900, 2), (x, 1_000, 2), (x, 2_000, 2), (186, 3_000, 1)]
        );
    }

    #[test]
    fn an_enter_of_another_thread_or_call_is_not_the_exits() {
        let (e, x) = ids("read");
        let (we, _) = ids("write");
        let other_thread = record(EventBuilder::new(e, 900, 11).i64(7).u32(100));
        let other_call = record(EventBuilder::new(we, 950, 10).i64(7).u32(1));
        let out = restore(&[other_thread, other_call, read_exit(1_000, 10)]);
        let types: Vec<u16> = out.iter().map(|o| o.0).collect();
        assert_eq!(types, [e, we, e, x]);
    }

    #[test]
    fn the_restored_enter_keeps_the_order_of_times() {
        let (e, _) = ids("read");
        // The previous event has the exit's time: the enter gets it too, not one less.
        let out = restore(&[read_exit(1_000, 11), read_exit(1_000, 10)]);
        assert_eq!((out[2].0, out[2].1), (e, 1_000));
        // An exit at time 0 cannot have its enter before it.
        assert_eq!(restore(&[read_exit(0, 10)])[0].1, 0);
    }

    #[test]
    fn the_new_threads_clone_exit_gets_no_enter() {
        let (_, x) = ids("clone");
        let clone = |res: i64, tid: i64| {
            let mut b = EventBuilder::new(x, 1_000, tid);
            b.i64(res);
            for p in &event_info(x).unwrap().params[1..] {
                b.raw(convert::default_value(p.ty));
            }
            record(&b)
        };
        let out = restore(&[clone(0, 11), clone(11, 10)]);
        let types: Vec<u16> = out.iter().map(|o| o.0).collect();
        // The child's exit passes; the parent's gets its (parameterless) enter.
        assert_eq!(types, [x, x - 1, x]);
        assert!(out[1].2.is_empty());
        assert_eq!(out[2].2.len(), old::old_event(x).unwrap().1);
    }

    #[test]
    fn a_version_sysdig_does_not_know_becomes_the_one_it_does() {
        // The current dup exit (res, oldfd) is sysdig 0.29's dup enter (fd) and exit (res).
        let dup = current_exits().find(|e| e.name == "dup").unwrap();
        let old = convert::old_version(dup).expect("an old dup");
        assert!(old.id < old::OLD_EVENT_MAX && dup.id >= old::OLD_EVENT_MAX);
        let rec = record(EventBuilder::new(dup.id, 1_000, 10).i64(4).i64(3));
        let out = restore(&[rec]);
        assert_eq!(
            out,
            [
                (old.id - 1, 999, vec![3i64.to_le_bytes().to_vec()]),
                (old.id, 1_000, vec![4i64.to_le_bytes().to_vec()]),
            ]
        );
    }

    #[test]
    fn exit_only_traces_are_told_from_traces_with_enters() {
        let (e, x) = ids("read");
        let mut r = EnterRestorer::new();
        // Exits with their enters, and an old-layout exit without: a trace with enters.
        let enter = record(EventBuilder::new(e, 900, 10).i64(7).u32(100));
        let paired = read_exit(1_000, 10);
        let old_exit = record(EventBuilder::new(x, 2_000, 11).i64(3).raw(b"abc"));
        for rec in [&enter, &paired, &old_exit] {
            assert!(!r.shows_exit_only(&parse(rec)));
        }
        // A current-layout exit without its enter: an exit-only trace.
        assert!(r.shows_exit_only(&parse(&read_exit(3_000, 10))));
    }

    #[test]
    fn events_with_their_pair_are_cut_to_what_sysdig_reads() {
        // A current execve exit (its enter kept by every probe) has 31 parameters; sysdig
        // 0.29 reads 20 of them.
        let (e, x) = ids("execve");
        let enter = record(EventBuilder::new(e, 900, 10).str(b"/bin/true"));
        let mut b = EventBuilder::new(x, 1_000, 10);
        for p in event_info(x).unwrap().params {
            b.raw(convert::default_value(p.ty));
        }
        let out = restore(&[enter, record(&b)]);
        let counts: Vec<(u16, usize)> = out.iter().map(|(t, _, p)| (*t, p.len())).collect();
        assert_eq!(counts, [(e, 1), (x, old::old_event(x).unwrap().1)]);
        assert_eq!(old::old_event(x).unwrap().1, 20);
    }
}
