//! Conditions that need the enter events current libs hide from rules.
//!
//! In current libs' view (Falco 0.42+, hindsight's default) the enter event of each syscall
//! is merged into its exit and never shown to rules; only events without an exit (`procexit`,
//! `procinfo`, `switch`, ...) keep the enter direction. A condition restricted to enter
//! events by `evt.dir` therefore matches nothing, or only those enter-only events, unless the
//! rules are replayed in sysdig's view (`--enter-events`, Falco 0.41 and earlier).
//!
//! The finding is computed from the expanded condition: the event types it can match once
//! `evt.dir` is taken into account ([`evttype::event_types_by_direction`]), intersected with
//! the event types current libs show to rules ([`libs_view::type_fate`]).

use super::ast::{Expr, Span};
use super::evttype::{self, EventTypes};
use crate::state::libs_view::{self, Fate};

/// What to tell the user after the reason, for every finding.
const HINT: &str = "use --enter-events (`enter_events: true` in a test file's options) for the view of Falco 0.41 and earlier and of sysdig, where rules see enter events";

/// The event types current libs show to rules.
fn visible() -> EventTypes {
    let mut s = EventTypes::none();
    for id in EventTypes::all().iter() {
        if libs_view::type_fate(id) == Fate::Visible {
            s.insert(id);
        }
    }
    s
}

/// The event types of `a` not in `b`.
fn minus(a: &EventTypes, b: &EventTypes) -> EventTypes {
    let mut s = EventTypes::none();
    for id in a.iter().filter(|&id| !b.contains(id)) {
        s.insert(id);
    }
    s
}

/// A list of event names for a message, the first few only.
fn names(s: &EventTypes) -> String {
    let n = s.names();
    if n.len() > 6 {
        format!("{}, ... ({} in all)", n[..6].join(", "), n.len())
    } else {
        n.join(", ")
    }
}

/// When `cond` (expanded) needs enter events that current libs hide from rules: the span of
/// its first `evt.dir` check (`None` when it has none) and the warning text.
pub(crate) fn hidden_enters(cond: &Expr) -> Option<(Option<Span>, String)> {
    let by_dir = evttype::event_types_by_direction(cond);
    let plain = evttype::event_types(cond);
    let visible = visible();
    let lost = minus(&by_dir, &visible);
    if by_dir == plain || lost.is_empty() || by_dir.is_empty() {
        // Without a direction restriction the exits carry what the enters had.
        return None;
    }
    let mut spans = Vec::new();
    evttype::direction_checks(cond, &mut spans);
    let span = spans.first().copied();
    let seen = minus(&by_dir, &lost);
    let msg = if seen.is_empty() {
        format!(
            "condition never matches: its evt.dir check keeps only enter events ({}), and enter events are not shown to rules by default (Falco 0.42+); {HINT}",
            names(&lost)
        )
    } else {
        format!(
            "condition matches only the enter-only events {} by default: its evt.dir check keeps enter events, and enter events of syscalls ({}) are not shown to rules by default (Falco 0.42+); {HINT}",
            names(&seen),
            names(&lost)
        )
    };
    Some((span, msg))
}

#[cfg(test)]
mod tests {
    use super::hidden_enters;
    use crate::rules::ast::SrcId;
    use crate::rules::parse::parse_condition;

    fn finding(cond: &str) -> Option<String> {
        let e = parse_condition(cond, SrcId(0)).expect("condition parses");
        hidden_enters(&e).map(|(_, m)| m)
    }

    #[test]
    fn enter_only_syscall_condition_never_matches() {
        let m = finding("evt.type in (open, openat) and evt.dir = >").expect("a warning");
        assert!(m.starts_with("condition never matches"), "{m}");
        assert!(m.contains("--enter-events"), "{m}");
        let m = finding("evt.type = execve and evt.dir != <").expect("a warning");
        assert!(m.starts_with("condition never matches"), "{m}");
    }

    #[test]
    fn bare_enter_direction_keeps_only_enter_only_events() {
        let m = finding("evt.dir = >").expect("a warning");
        assert!(m.contains("only the enter-only events"), "{m}");
        assert!(m.contains("procexit"), "{m}");
    }

    #[test]
    fn exit_direction_and_no_direction_are_fine() {
        assert_eq!(finding("evt.type = open and evt.dir = <"), None);
        assert_eq!(finding("evt.type = open"), None);
        assert_eq!(finding("proc.name = cat"), None);
    }
}
