//! The context a field is extracted from: one event (paired with its enter) and the state
//! after applying it.

use hindsight_format::event::EventRef;

use crate::state::{Fd, Paired, State, Thread};

/// One event in its state. Cheap to build (references only), built once per event.
#[derive(Clone, Copy, Debug)]
pub struct Ctx<'a> {
    /// The event and its enter.
    pub p: Paired<'a>,
    /// The state after the event was applied.
    pub st: &'a State,
    /// `evt.num`: the trace's event number, or in current libs' view (the default for
    /// rules) that number less the events their capture converter drops.
    pub num: u64,
    /// Whether fields follow current libs (Falco 0.42+, the rules' default) rather than
    /// sysdig 0.29 where the two differ.
    pub libs: bool,
    /// Timestamp of the first event of the trace (for `evt.reltime`).
    pub first_ts: u64,
    /// The same in current libs' view (the first event their converter keeps).
    pub libs_first_ts: u64,
    /// Timestamp of the previous event (for `evt.deltatime`).
    pub prev_ts: u64,
    /// The thread of the event ([`Ctx::thread`]), looked up once: fields read it many times
    /// per event. Set by [`Ctx::resolved`], which every constructor ends with.
    pub(crate) thread: Option<&'a Thread>,
}

/// A field argument: `proc.aname[2]`, `evt.arg[1]`, `evt.arg.fd`, `proc.env[HOME]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Arg<'a> {
    /// No argument.
    #[default]
    None,
    /// A numeric index.
    Index(u64),
    /// A key (parameter name, variable name, label).
    Key(&'a str),
}

impl Arg<'_> {
    /// The index, also accepting a numeric key.
    pub fn index(&self) -> Option<u64> {
        match self {
            Arg::Index(i) => Some(*i),
            Arg::Key(k) => k.parse().ok(),
            Arg::None => None,
        }
    }

    /// The key text.
    pub fn key(&self) -> Option<&str> {
        match self {
            Arg::Key(k) => Some(k),
            _ => None,
        }
    }
}

impl<'a> Ctx<'a> {
    /// This context in current libs' view (`libs`, the rules' default: events numbered
    /// without those their capture converter drops) or in sysdig 0.29's.
    pub fn in_view(self, libs: bool) -> Ctx<'a> {
        let num = if libs {
            self.p.ev.num.saturating_sub(self.st.libs_dropped)
        } else {
            self.p.ev.num
        };
        // The enter whose parameters the view shows: current libs' converter keeps a thread's
        // last syscall enter across context switches and other tracepoints.
        let p = if libs || self.libs {
            self.st.pair_in_view(self.p.ev, libs)
        } else {
            self.p
        };
        Ctx {
            num,
            libs,
            p,
            ..self
        }
        .resolved()
    }

    /// This context with its thread looked up (in its view).
    pub(crate) fn resolved(mut self) -> Ctx<'a> {
        self.thread = self.st.thread(self.p.ev.tid).filter(|_| {
            !(self.libs
                && self.st.thread_created
                && self.p.ev.info().is_some_and(|i| i.name == "procexit"))
        });
        self
    }

    /// The context of `ev`, the event last applied to `st`, in current libs' view (`libs`)
    /// or sysdig 0.29's, numbered as the trace numbers it, with the clocks at zero: what a
    /// test of an extractor needs.
    pub fn applied(st: &'a State, ev: EventRef<'a>, libs: bool) -> Ctx<'a> {
        Ctx {
            p: st.pair(ev),
            st,
            num: ev.num,
            libs,
            first_ts: 0,
            libs_first_ts: 0,
            prev_ts: 0,
            thread: None,
        }
        .resolved()
    }

    /// `evt.reltime`'s origin in this context's view.
    pub fn reltime_origin(&self) -> u64 {
        if self.libs {
            self.libs_first_ts
        } else {
            self.first_ts
        }
    }

    /// The thread of the event. In current libs' view a thread first met at its `procexit`
    /// does not exist (libsinsp's `can_query_os_for_thread_info` creates none for it; sysdig
    /// 0.29 made an empty one).
    pub fn thread(&self) -> Option<&'a Thread> {
        self.thread
    }

    /// The main thread of the event's process.
    pub fn main_thread(&self) -> Option<&'a Thread> {
        self.thread().map(|t| self.st.threads.main_of(t))
    }

    /// The fd the event is about and its table entry.
    pub fn fd(&self) -> Option<(i64, &'a Fd)> {
        self.st.applied_fd_info(&self.p, self.libs)
    }

    /// The fd numbered `n` of the event's process (in sysdig 0.29's view, not a socket only
    /// current libs infer).
    pub fn fd_num(&self, n: i64) -> Option<&'a Fd> {
        let f = self.st.fd_table(self.thread()?)?.get(n)?;
        (self.libs || !f.inferred).then_some(f)
    }

    /// The ancestors of the event's process, nearest first, at most 64 deep. In current libs'
    /// view, libsinsp's `traverse_parent_state` from the main thread (none without one): each
    /// step the thread its `ptid` names, which may be a secondary thread of the parent (the
    /// one that forked); in sysdig's, the parents' main threads.
    pub fn ancestors(&self) -> impl Iterator<Item = &'a Thread> + 'a {
        let (st, libs) = (self.st, self.libs);
        let mut cur = if libs {
            self.thread().and_then(|t| st.threads.libs_main_of(t))
        } else {
            self.main_thread()
        };
        let mut depth = 0;
        std::iter::from_fn(move || {
            if depth >= 64 {
                return None;
            }
            depth += 1;
            let c = cur?;
            let next = if libs {
                st.threads.get(st.threads.libs_ptid(c))?
            } else {
                st.threads.parent_of(c)?
            };
            if next.tid == c.tid {
                return None;
            }
            cur = Some(next);
            cur
        })
    }
}
