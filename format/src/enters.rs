//! Writing enter events back: [`EnterRestorer`] turns a stream of events in which exits carry
//! their enter's parameters (current libs' layout, which their modern probe and
//! `hindsight record --exit-only` write) into the enter and exit events sysdig 0.29, Falco
//! 0.41 and earlier and the `--enter-events` view expect.
//!
//! It is libs' capture converter (`libscap/engine/savefile/converter`) run backwards, with
//! the rules [`schema::convert`] states for the forward direction:
//!
//! - an exit has an enter of its own when its thread's last event of a syscall pair was
//!   that call's enter (sinsp's pairing); such an exit and every other event pass unchanged,
//!   so a trace that has its enters comes out as it went in;
//! - an exit without one becomes the version sysdig 0.29 reads
//!   ([`convert::old_version`]), cut to the parameters sysdig 0.29's table lists
//!   ([`old::old_event`]), preceded by the enter event of that version, whose parameters are
//!   taken from the exit ([`convert::enter_source`]);
//! - an exit that does not carry every parameter of the enter (an old layout whose enter
//!   was lost) passes unchanged: no value is invented. An enter without parameters is always
//!   carried, so an exit of such a call gets its enter back even in a trace that lost only
//!   that one (to drops, or because the call began before the capture);
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
fn encode(out: &mut Vec<u8>, ty: u16, ts: u64, ev: &EventRef<'_>, indices: &[usize]) {
    let mut b = EventBuilder::new(ty, ts, ev.tid);
    for &i in indices {
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
            return Ok(Restored::Keep);
        };
        let enter_ts = last_ts.max(ev.ts.saturating_sub(1)).min(ev.ts);
        encode(
            &mut self.enter,
            plan.enter.id,
            enter_ts,
            ev,
            &plan.enter_params,
        );
        encode(&mut self.exit, plan.exit.id, ev.ts, ev, &plan.exit_params);
        self.restored += 1;
        Ok(Restored::Pair {
            enter: EventRef::parse_v2(&self.enter, ev.num, ev.cpu, ev.dump_flags)?,
            exit: EventRef::parse_v2(&self.exit, ev.num, ev.cpu, ev.dump_flags)?,
        })
    }
}
