//! What current libs (0.22 and later, Falco 0.42+) make of each event of a capture before
//! libsinsp and the rules see it.
//!
//! Their capture converter (`libscap/engine/savefile/converter`) merges the parameters of each
//! syscall's enter event into its exit and drops the enter, except for the few enter events
//! it passes on (the TOCTOU-sensitive opens and `connect`, the execve family): those libsinsp
//! counts in `evt.num` and parses, then filters out before the rules
//! (`sinsp_evt_filter`). Events flagged unused are dropped whole. Everything else (exits,
//! meta events such as `procinfo` and `container`, enter-only events such as `procexit`)
//! reaches the rules.
//!
//! The decision is a function of the event table ([`flags::ENTER_PASSED`] marks the passed
//! enters), so the replay and the checkpoints agree on it without keeping lists in step.

use hindsight_format::event::EventRef;
use hindsight_format::schema::{event_info, flags, Direction};

/// What current libs do with one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Dropped by the converter: not counted in `evt.num`, never seen.
    Dropped,
    /// Counted and parsed, but filtered out before the rules.
    Hidden,
    /// Counted and shown to the rules.
    Visible,
}

/// The fate of `ev` under current libs (this runs on every event).
pub fn fate(ev: &EventRef<'_>) -> Fate {
    type_fate(ev.ty)
}

/// The fate under current libs of every event of type `ty` (an id of the event table): one
/// lookup in a table computed once from the event table.
///
/// Rule loading uses it to tell which event types a rule can see in current libs' view.
pub fn type_fate(ty: u16) -> Fate {
    static FATES: std::sync::OnceLock<Vec<Fate>> = std::sync::OnceLock::new();
    FATES
        .get_or_init(|| {
            (0..hindsight_format::schema::event_id_limit())
                .map(compute_fate)
                .collect()
        })
        .get(usize::from(ty))
        .copied()
        .unwrap_or(Fate::Visible)
}

fn compute_fate(ty: u16) -> Fate {
    let Some(info) = event_info(ty) else {
        return Fate::Visible;
    };
    if info.flags & flags::UNUSED != 0 {
        return Fate::Dropped;
    }
    if !type_has_exit(ty) {
        return Fate::Visible;
    }
    if info.flags & flags::ENTER_PASSED != 0 {
        Fate::Hidden
    } else {
        Fate::Dropped
    }
}

/// Whether `ev` is the enter event of an enter/exit pair (the next id is its exit).
pub fn has_exit(ev: &EventRef<'_>) -> bool {
    type_has_exit(ev.ty)
}

/// Whether event type `ty` is the enter event of an enter/exit pair (the next id is its exit).
pub fn type_has_exit(ty: u16) -> bool {
    Direction::of(ty) == Direction::Enter
        && event_info(ty)
            .is_some_and(|i| event_info(ty.wrapping_add(1)).is_some_and(|x| x.name == i.name))
}
