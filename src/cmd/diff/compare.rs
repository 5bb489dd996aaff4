//! The comparison of two sets of alerts over the same events: alerts are keyed by
//! (trace, evt.num); at each event the rules present on one side only are lost or gained,
//! unless both sides have such rules, in which case they pair up as a changed rule; a rule
//! present on both sides with another output or priority is a changed output.

use std::collections::BTreeMap;

use serde::Serialize;

/// One alert, as far as a comparison is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The trace path, as given on the command line of the run.
    #[serde(skip)]
    pub trace: String,
    /// The event number in the trace.
    #[serde(skip)]
    pub evt_num: u64,
    /// The rule.
    pub rule: String,
    /// The rule's priority.
    pub priority: String,
    /// The rendered output message (without Falco's time and priority prefix).
    pub output: String,
}

/// What kind of difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The baseline fired, the candidate did not.
    Lost,
    /// The candidate fired, the baseline did not.
    Gained,
    /// Both fired at the event, with another rule or another output.
    Changed,
}

/// One difference at one event.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// Lost, gained or changed.
    pub kind: Kind,
    /// The trace.
    pub trace: String,
    /// The event number.
    pub evt_num: u64,
    /// The baseline's alert (absent when gained).
    pub baseline: Option<Entry>,
    /// The candidate's alert (absent when lost).
    pub candidate: Option<Entry>,
}

impl Difference {
    /// The rule the difference is grouped under: the baseline's, or the candidate's when
    /// gained; `A -> B` for a changed rule.
    pub fn rule(&self) -> String {
        match (&self.baseline, &self.candidate) {
            (Some(b), Some(c)) if b.rule != c.rule => format!("{} -> {}", b.rule, c.rule),
            (Some(b), _) => b.rule.clone(),
            (None, Some(c)) => c.rule.clone(),
            (None, None) => String::new(),
        }
    }
}

/// Alerts of both sides grouped by event, in (trace, evt.num) order.
type ByEvent<'a> = BTreeMap<(&'a str, u64), (Vec<&'a Entry>, Vec<&'a Entry>)>;

/// The differences between `baseline` and `candidate`, in (trace, evt.num) order.
pub fn compare(baseline: &[Entry], candidate: &[Entry]) -> Vec<Difference> {
    let mut events: ByEvent<'_> = BTreeMap::new();
    for e in baseline {
        events.entry((&e.trace, e.evt_num)).or_default().0.push(e);
    }
    for e in candidate {
        events.entry((&e.trace, e.evt_num)).or_default().1.push(e);
    }
    let mut out = Vec::new();
    for ((trace, evt_num), (base, cand)) in events {
        let diff = |kind, b: Option<&Entry>, c: Option<&Entry>| Difference {
            kind,
            trace: trace.to_string(),
            evt_num,
            baseline: b.cloned(),
            candidate: c.cloned(),
        };
        let mut only_base = Vec::new();
        for b in &base {
            match cand.iter().find(|c| c.rule == b.rule) {
                Some(c) if c.output != b.output || c.priority != b.priority => {
                    out.push(diff(Kind::Changed, Some(b), Some(c)));
                }
                Some(_) => {}
                None => only_base.push(*b),
            }
        }
        let only_cand: Vec<&Entry> = cand
            .iter()
            .filter(|c| !base.iter().any(|b| b.rule == c.rule))
            .copied()
            .collect();
        let paired = only_base.len().min(only_cand.len());
        for (b, c) in only_base.iter().zip(&only_cand) {
            out.push(diff(Kind::Changed, Some(b), Some(c)));
        }
        for b in &only_base[paired..] {
            out.push(diff(Kind::Lost, Some(b), None));
        }
        for c in &only_cand[paired..] {
            out.push(diff(Kind::Gained, None, Some(c)));
        }
    }
    out
}

/// The differences of one kind grouped by rule (name order), each with its count.
pub fn by_rule(diffs: &[Difference], kind: Kind) -> Vec<(String, Vec<&Difference>)> {
    let mut groups: BTreeMap<String, Vec<&Difference>> = BTreeMap::new();
    for d in diffs.iter().filter(|d| d.kind == kind) {
        groups.entry(d.rule()).or_default().push(d);
    }
    groups.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(evt_num: u64, rule: &str, output: &str) -> Entry {
        Entry {
            trace: "t.scap".into(),
            evt_num,
            rule: rule.into(),
            priority: "Warning".into(),
            output: output.into(),
        }
    }

    #[test]
    fn lost_gained_and_changed() {
        let base = [
            e(1, "A", "x"),
            e(2, "A", "x"),
            e(3, "B", "y"),
            e(4, "C", "z"),
        ];
        let cand = [
            e(2, "A", "x2"),
            e(3, "D", "y"),
            e(4, "C", "z"),
            e(5, "E", "w"),
        ];
        let d = compare(&base, &cand);
        let kinds: Vec<(Kind, u64, String)> =
            d.iter().map(|d| (d.kind, d.evt_num, d.rule())).collect();
        assert_eq!(
            kinds,
            [
                (Kind::Lost, 1, "A".into()),
                (Kind::Changed, 2, "A".into()),
                (Kind::Changed, 3, "B -> D".into()),
                (Kind::Gained, 5, "E".into()),
            ]
        );
        let lost = by_rule(&d, Kind::Lost);
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0].0, "A");
    }
}
