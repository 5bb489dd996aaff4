//! Conditions that need the enter events current libs hide from rules.
//!
//! In current libs' view (Falco 0.42+, hindsight's default) the enter event of each syscall
//! is merged into its exit and never shown to rules; only events without an exit (`procexit`,
//! `procinfo`, `switch`, ...) keep the enter direction. A condition restricted to enter
//! events by `evt.dir` therefore matches nothing, or only those enter-only events, unless the
//! rules are replayed in sysdig's view (`--enter-events`, Falco 0.41 and earlier).
//!
//! Fields measured from the enter event (`evt.latency`, flagged
//! [`NEEDS_ENTER`](crate::fields::catalog::flags::NEEDS_ENTER) in the catalogue) are always 0
//! in that view, so a condition on them says nothing either.
//!
//! The findings are computed from the expanded condition: the event types it can match once
//! `evt.dir` is taken into account ([`evttype::event_types_by_direction`]), intersected with
//! the event types current libs show to rules ([`libs_view::type_fate`]), and the catalogue
//! flags of the fields its checks read.

use super::ast::{Expr, Operand, Span};
use super::evttype::{self, EventTypes};
use crate::fields::catalog::{self, flags::NEEDS_ENTER};
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

/// What in `cond` (expanded) needs the enter events current libs hide from rules: for each
/// finding, where (`None`: the rule itself) and the warning text.
pub(crate) fn needs_enters(cond: &Expr) -> Vec<(Option<Span>, String)> {
    let mut found: Vec<(Option<Span>, String)> = hidden_enters(cond).into_iter().collect();
    let mut fields = Vec::new();
    enter_fields(cond, &mut fields);
    for (span, name) in fields {
        if found
            .iter()
            .any(|(_, m)| m.starts_with(&format!("{name} ")))
        {
            continue;
        }
        found.push((
            Some(span),
            format!(
                "{name} is always 0 by default: it is measured from the enter event, and enter events are not shown to rules by default (Falco 0.42+); {HINT}"
            ),
        ));
    }
    found
}

/// The field of an operand, through its transformers.
fn field_name(o: &Operand) -> &str {
    match o {
        Operand::Field { name, .. } => name,
        Operand::Transform { inner, .. } => field_name(inner),
    }
}

/// The checks of `e` on fields measured from the enter event, with their spans.
fn enter_fields(e: &Expr, out: &mut Vec<(Span, String)>) {
    match e {
        Expr::And(v, _) | Expr::Or(v, _) => v.iter().for_each(|c| enter_fields(c, out)),
        Expr::Not(c, _) => enter_fields(c, out),
        Expr::Ident(..) => {}
        Expr::Check(c) => {
            let name = field_name(&c.lhs);
            if catalog::field(name).is_some_and(|(_, f)| f.flags & NEEDS_ENTER != 0) {
                out.push((c.span, name.to_owned()));
            }
        }
    }
}

/// When `cond` (expanded) can only match enter events that current libs hide from rules: the
/// span of its first `evt.dir` check (`None` when it has none) and the warning text.
fn hidden_enters(cond: &Expr) -> Option<(Option<Span>, String)> {
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
    use crate::rules::ast::SrcId;
    use crate::rules::parse::parse_condition;

    fn finding(cond: &str) -> Option<String> {
        let e = parse_condition(cond, SrcId(0)).expect("condition parses");
        let mut all = super::needs_enters(&e);
        assert!(all.len() <= 1, "{all:?}");
        all.pop().map(|(_, m)| m)
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
    fn latency_is_always_zero_by_default() {
        let m = finding("evt.type = read and evt.latency > 1000").expect("a warning");
        assert!(m.starts_with("evt.latency is always 0 by default"), "{m}");
        let m = finding("evt.type = poll and evt.wait_latency > 0").expect("a warning");
        assert!(m.starts_with("evt.wait_latency is always 0"), "{m}");
    }

    #[test]
    fn exit_direction_and_no_direction_are_fine() {
        assert_eq!(finding("evt.type = open and evt.dir = <"), None);
        assert_eq!(finding("evt.type = open"), None);
        assert_eq!(finding("proc.name = cat"), None);
    }
}
