//! Rule profiling (`--profile`): per rule, the events its condition was evaluated on, the
//! events it matched, and the time spent evaluating it, as Suricata's rule profiling reports,
//! so that a slow rule can be found.
//!
//! Profiling is off unless [`super::Engine::profile`] turns it on. Off, the hot path pays one
//! branch per event that has candidate rules and reads no clock. On, each worker's
//! [`super::Scratch`] holds a [`Profile`] (one [`RuleCost`] per rule, by rule index), each
//! [`super::TraceOutcome`] carries its worker's profile, and the caller adds them up with
//! [`Profile::merge`]. Times are CPU time summed over workers, not wall-clock time.
//!
//! Rules are indexed by event type, so a rule is evaluated only on the events whose type its
//! condition can match; with `--match first` (Falco's default) the rules after the first
//! match of an event are not evaluated on it.

use std::time::Duration;

/// What evaluating one rule cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuleCost {
    /// Events the rule's condition was evaluated on.
    pub evaluations: u64,
    /// Events the condition matched.
    pub matches: u64,
    /// Time spent evaluating the condition, in nanoseconds.
    pub nanos: u64,
}

/// The costs of every rule of a rule set, by rule index (as in
/// [`crate::rules::CompiledRules::rules`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    costs: Vec<RuleCost>,
}

impl Profile {
    /// A profile of `rules` rules, all costs zero.
    pub fn new(rules: usize) -> Profile {
        Profile {
            costs: vec![RuleCost::default(); rules],
        }
    }

    /// Records one evaluation of rule `i` that took `took` and matched or not.
    pub fn record(&mut self, i: usize, matched: bool, took: Duration) {
        if let Some(c) = self.costs.get_mut(i) {
            c.evaluations += 1;
            c.matches += u64::from(matched);
            c.nanos = c
                .nanos
                .saturating_add(u64::try_from(took.as_nanos()).unwrap_or(u64::MAX));
        }
    }

    /// Adds the costs of `other` (a profile of the same rule set) to these.
    pub fn merge(&mut self, other: &Profile) {
        if self.costs.len() < other.costs.len() {
            self.costs.resize(other.costs.len(), RuleCost::default());
        }
        for (c, o) in self.costs.iter_mut().zip(&other.costs) {
            c.evaluations += o.evaluations;
            c.matches += o.matches;
            c.nanos = c.nanos.saturating_add(o.nanos);
        }
    }

    /// The costs, by rule index; empty when profiling was off.
    pub fn costs(&self) -> &[RuleCost] {
        &self.costs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_merges_by_rule_index() {
        let mut a = Profile::new(2);
        a.record(1, true, Duration::from_nanos(5));
        a.record(1, false, Duration::from_nanos(7));
        a.record(9, true, Duration::from_nanos(7));
        let mut total = Profile::default();
        total.merge(&a);
        total.merge(&a);
        assert_eq!(total.costs()[0], RuleCost::default());
        assert_eq!(
            total.costs()[1],
            RuleCost {
                evaluations: 4,
                matches: 2,
                nanos: 24
            }
        );
    }
}
