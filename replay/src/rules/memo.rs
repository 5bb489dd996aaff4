//! Checks shared by the conditions of a rule set, evaluated once per event.
//!
//! Upstream rules are built from a few macros (`open_read`, `spawned_process`, `container`)
//! that most rules of an event type repeat, so one event meets the same check
//! (`evt.is_open_read=true`, `fd.typechar='f'`) in rule after rule: the field is extracted
//! and compared again each time. At load time [`Interner`] gives the equal checks of a rule
//! set one slot; while an event is evaluated, [`CheckMemo`] remembers each slot's result.
//!
//! Invariant: a check's result depends only on the event and on the state after it, so the
//! remembered result is the one evaluating the check again would give, and the alerts are
//! those of evaluating every condition on its own.

use std::collections::HashMap;

use super::ast::Op;
use super::compile::Check;
use crate::fields::catalog::FieldId;

/// Gives equal checks the same slot (load time only).
#[derive(Default)]
pub(crate) struct Interner {
    /// The checks seen so far with their slot, bucketed by field and operator so that a check
    /// is compared with few others.
    buckets: HashMap<(FieldId, Op), Vec<(u32, Check)>>,
    slots: u32,
}

impl Interner {
    /// The slot of `c`: the slot of an equal check seen before, or a new one.
    pub(crate) fn slot(&mut self, c: &Check) -> u32 {
        let bucket = self.buckets.entry((c.lhs.field.id, c.op)).or_default();
        if let Some((slot, _)) = bucket.iter().find(|(_, seen)| seen == c) {
            return *slot;
        }
        let slot = self.slots;
        self.slots += 1;
        bucket.push((slot, c.clone()));
        slot
    }

    /// How many slots were given.
    pub(crate) fn slots(&self) -> usize {
        self.slots as usize
    }
}

/// The results of the checks evaluated for the current event, by slot. Forgetting them all
/// is one increment: a result counts only if it was stamped with the current generation.
#[derive(Clone, Debug, Default)]
pub(crate) struct CheckMemo {
    stamps: Vec<u32>,
    results: Vec<bool>,
    generation: u32,
}

impl CheckMemo {
    /// Forgets every result, before a new event is evaluated against a set of `slots` checks.
    pub(crate) fn begin(&mut self, slots: usize) {
        if self.stamps.len() < slots {
            self.stamps.resize(slots, 0);
            self.results.resize(slots, false);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            // After 2^32 events a stamp of the first round could read as current again.
            self.stamps.fill(0);
            self.generation = 1;
        }
    }

    /// The result of `slot` for the current event, if it was evaluated.
    pub(crate) fn get(&self, slot: u32) -> Option<bool> {
        let i = slot as usize;
        (self.stamps.get(i) == Some(&self.generation)).then(|| self.results[i])
    }

    /// Remembers the result of `slot` for the current event.
    pub(crate) fn set(&mut self, slot: u32, result: bool) {
        let i = slot as usize;
        if let (Some(stamp), Some(r)) = (self.stamps.get_mut(i), self.results.get_mut(i)) {
            *stamp = self.generation;
            *r = result;
        }
    }
}
