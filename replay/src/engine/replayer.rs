//! [`Replayer`]: the sequential core of every replay — state plus the per-trace clocks,
//! advanced one event at a time.

use hindsight_format::event::EventRef;
use hindsight_format::header::TraceHeader;
use hindsight_format::{DecodeError, Item, TraceReader};

use crate::fields::ctx::Ctx;
use crate::state::libs_view::{self, Fate};
use crate::state::State;

/// Replays one trace (or one chunk of it) in event order.
#[derive(Clone, Debug, Default)]
pub struct Replayer {
    /// The state, as of the last event applied.
    pub state: State,
    /// Timestamp of the first event seen (`evt.reltime` origin); 0 before any event.
    pub first_ts: u64,
    /// Timestamp of the previous event.
    pub prev_ts: u64,
    /// Timestamp of the first event current libs count (their converter drops most enter
    /// events): `evt.reltime`'s origin in their view.
    pub libs_first_ts: u64,
    last_ts: u64,
    seen_other: bool,
}

impl Replayer {
    /// A replayer starting from a trace section's header blocks.
    pub fn from_header(h: &TraceHeader) -> Replayer {
        Replayer {
            state: State::from_header(h),
            ..Replayer::default()
        }
    }

    /// A replayer starting from a restored state (a chunk checkpoint).
    pub fn from_state(state: State) -> Replayer {
        Replayer {
            state,
            ..Replayer::default()
        }
    }

    /// A replayer resuming mid-trace from a checkpointed state: `first_ts` is the trace's
    /// first timestamp, `seen_other` whether any non-container event came before.
    pub fn resume(state: State, first_ts: u64, seen_other: bool) -> Replayer {
        Replayer {
            state,
            first_ts,
            libs_first_ts: first_ts,
            seen_other,
            ..Replayer::default()
        }
    }

    /// Starts a new trace section: state rebuilt from its header, as sysdig does.
    pub fn new_section(&mut self, h: &TraceHeader) {
        self.state = State::from_header(h);
    }

    /// Whether the event just applied is shown to consumers: not internal bookkeeping, and
    /// not one of the container metadata events a capture writes before any other event
    /// (sysdig consumes those silently; later ones it prints).
    pub fn visible(&self, ev: &EventRef<'_>) -> bool {
        !is_internal(ev) && !self.is_leading_container(ev)
    }

    /// Whether `ev` is shown to consumers in current libs' view (`libs`: what their converter
    /// and libsinsp hand to rules) or in sysdig's ([`Replayer::visible`]). Decided before the
    /// event is applied: visibility never depends on the event's own effect.
    pub fn shows(&self, ev: &EventRef<'_>, libs: bool) -> bool {
        if libs {
            libs_view::fate(ev) == Fate::Visible && !self.is_leading_container(ev)
        } else {
            self.visible(ev)
        }
    }

    /// Reads `reader` to its end, rebuilding the state at each new section as sysdig does,
    /// and hands every event to `f` (which applies it with [`Replayer::advance`]). Returns the
    /// number of events; a decoding error stops the replay through `decode`, an error of `f`
    /// as it is.
    pub fn replay_all<E>(
        &mut self,
        reader: &mut TraceReader,
        decode: impl Fn(DecodeError) -> E,
        mut f: impl FnMut(&mut Replayer, &EventRef<'_>) -> Result<(), E>,
    ) -> Result<u64, E> {
        let mut events = 0;
        while let Some(item) = reader.next_item().map_err(&decode)? {
            match item {
                Item::NewSection => {
                    let h = reader.header().clone();
                    self.new_section(&h);
                }
                Item::Event(ev) => {
                    events += 1;
                    f(self, &ev)?;
                }
            }
        }
        Ok(events)
    }

    /// Whether `ev` is one of the container metadata events a capture writes before any
    /// other event, which libsinsp reads as part of the initial state.
    pub fn is_leading_container(&self, ev: &EventRef<'_>) -> bool {
        !self.seen_other && ev.info().is_some_and(|i| i.name == "container")
    }

    /// Applies `ev` to the state and returns the context its fields are extracted from, in
    /// sysdig's view ([`Ctx::in_view`] gives current libs' view).
    pub fn advance<'a>(&'a mut self, ev: &EventRef<'a>) -> Ctx<'a> {
        self.step(ev, true);
        self.ctx(ev, false)
    }

    /// Applies `ev` to the state; its fields are then read through [`Replayer::ctx`].
    pub fn apply(&mut self, ev: &EventRef<'_>) {
        self.step(ev, true);
    }

    /// The context of `ev`, the event last applied, in current libs' view (`libs`) or in
    /// sysdig's: the same as `advance(ev).in_view(libs)`, with one pairing instead of two.
    pub fn ctx<'a>(&'a self, ev: &EventRef<'a>, libs: bool) -> Ctx<'a> {
        Ctx {
            p: self.state.pair_in_view(*ev, libs),
            st: &self.state,
            // Current libs number events without those their converter drops.
            num: if libs {
                ev.num.saturating_sub(self.state.libs_dropped)
            } else {
                ev.num
            },
            libs,
            first_ts: self.first_ts,
            libs_first_ts: self.libs_first_ts,
            prev_ts: self.prev_ts,
            thread: None,
        }
        .resolved()
    }

    /// Applies `ev` to the state without making its fields readable: how a worker passes
    /// the events before its own part of a trace. The replayer is left as
    /// [`Replayer::advance`] leaves it for every later event.
    pub fn skim(&mut self, ev: &EventRef<'_>) {
        self.step(ev, false);
    }

    fn step(&mut self, ev: &EventRef<'_>, read: bool) {
        // libsinsp starts `evt.reltime` at the first event that is not a meta event
        // (container metadata, process list entries written before the syscalls).
        if self.first_ts == 0 && !is_meta(ev, false) {
            self.first_ts = ev.ts;
        }
        if self.libs_first_ts == 0 && !is_meta(ev, true) && libs_view::fate(ev) != Fate::Dropped {
            self.libs_first_ts = ev.ts;
        }
        self.prev_ts = if self.last_ts == 0 {
            ev.ts
        } else {
            self.last_ts
        };
        self.last_ts = ev.ts;
        if read {
            self.state.apply(ev);
        } else {
            self.state.apply_unread(ev);
        }
        if ev.info().is_none_or(|i| i.name != "container") {
            self.seen_other = true;
        }
    }
}

/// Whether `ev` is internal bookkeeping (`procinfo`, `drop`, `sysdigevent`...), which
/// libsinsp keeps from its consumers (sysdig's output, Falco's rules).
pub fn is_internal(ev: &EventRef<'_>) -> bool {
    ev.info().is_some_and(|i| {
        i.category == hindsight_format::schema::Category::Internal && i.name != "container"
    })
}

/// Whether `ev` is a meta event in current libs' view (`libs`) or sysdig's, which libsinsp
/// does not take as the trace's first event (`sinsp::next`).
fn is_meta(ev: &EventRef<'_>, libs: bool) -> bool {
    ev.info()
        .is_some_and(|i| crate::fields::evt::is_meta(i, libs))
}
