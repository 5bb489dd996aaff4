//! Priorities and rule selection (`-t`, `-T`, `-D`, minimum priority), shared with replay.

use std::fmt;

use regex::Regex;

/// A rule priority, most severe first (Falco's order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// System is unusable.
    Emergency,
    /// Action must be taken immediately.
    Alert,
    /// Critical conditions.
    Critical,
    /// Error conditions.
    Error,
    /// Warning conditions.
    Warning,
    /// Normal but significant.
    Notice,
    /// Informational.
    Informational,
    /// Debug-level messages.
    Debug,
}

impl Priority {
    /// All priorities, most severe first.
    pub const ALL: [Priority; 8] = [
        Priority::Emergency,
        Priority::Alert,
        Priority::Critical,
        Priority::Error,
        Priority::Warning,
        Priority::Notice,
        Priority::Informational,
        Priority::Debug,
    ];

    /// Parses a priority name as Falco does: any case, `info` for `informational`.
    pub fn parse(s: &str) -> Option<Priority> {
        let l = s.trim().to_ascii_lowercase();
        if l == "info" {
            return Some(Priority::Informational);
        }
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(&l))
    }

    /// The name as Falco prints it in alerts (`Warning`).
    pub fn name(self) -> &'static str {
        match self {
            Priority::Emergency => "Emergency",
            Priority::Alert => "Alert",
            Priority::Critical => "Critical",
            Priority::Error => "Error",
            Priority::Warning => "Warning",
            Priority::Notice => "Notice",
            Priority::Informational => "Informational",
            Priority::Debug => "Debug",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which loaded rules run: Falco's `-t`, `-T`, `-D` and minimum priority.
#[derive(Clone, Debug, Default)]
pub struct RuleSelection {
    /// `-t TAG`: if not empty, only rules with at least one of these tags run.
    pub only_tags: Vec<String>,
    /// `-T TAG`: rules with any of these tags do not run.
    pub disabled_tags: Vec<String>,
    /// `-D PATTERN`: rules whose name contains the substring, or matches the regex, do not run.
    pub disabled_names: Vec<String>,
    /// Rules less severe than this do not run (`None`: all priorities).
    pub min_priority: Option<Priority>,
}

/// A [`RuleSelection`] with its name patterns compiled.
pub(crate) struct Selector<'a> {
    sel: &'a RuleSelection,
    names: Vec<Option<Regex>>,
}

impl<'a> Selector<'a> {
    pub(crate) fn new(sel: &'a RuleSelection) -> Selector<'a> {
        let names = sel
            .disabled_names
            .iter()
            .map(|p| Regex::new(p).ok())
            .collect();
        Selector { sel, names }
    }

    /// Whether a rule with these attributes is selected.
    pub(crate) fn allows(&self, name: &str, tags: &[String], priority: Priority) -> bool {
        let s = self.sel;
        if !s.only_tags.is_empty() && !tags.iter().any(|t| s.only_tags.contains(t)) {
            return false;
        }
        if tags.iter().any(|t| s.disabled_tags.contains(t)) {
            return false;
        }
        let by_name = s.disabled_names.iter().zip(&self.names).any(|(p, re)| {
            name.contains(p.as_str()) || re.as_ref().is_some_and(|r| r.is_match(name))
        });
        if by_name {
            return false;
        }
        s.min_priority.is_none_or(|m| priority <= m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_parse_in_any_case() {
        assert_eq!(Priority::parse("WARNING"), Some(Priority::Warning));
        assert_eq!(Priority::parse("info"), Some(Priority::Informational));
        assert_eq!(
            Priority::parse("Informational"),
            Some(Priority::Informational)
        );
        assert_eq!(Priority::parse("emergency"), Some(Priority::Emergency));
        assert_eq!(Priority::parse("loud"), None);
        assert!(Priority::Critical < Priority::Debug);
    }

    #[test]
    fn selection_by_tag_name_and_priority() {
        let tags = vec!["shell".to_string(), "mitre".to_string()];
        let sel = RuleSelection {
            only_tags: vec!["shell".into()],
            ..Default::default()
        };
        assert!(Selector::new(&sel).allows("a", &tags, Priority::Debug));
        assert!(!Selector::new(&sel).allows("a", &[], Priority::Debug));
        let sel = RuleSelection {
            disabled_tags: vec!["mitre".into()],
            ..Default::default()
        };
        assert!(!Selector::new(&sel).allows("a", &tags, Priority::Debug));
        let sel = RuleSelection {
            disabled_names: vec!["Shell".into(), "^Write .* dir$".into()],
            ..Default::default()
        };
        let s = Selector::new(&sel);
        assert!(!s.allows("Terminal Shell in container", &[], Priority::Debug));
        assert!(!s.allows("Write below binary dir", &[], Priority::Debug));
        assert!(s.allows("Write below binary", &[], Priority::Debug));
        let sel = RuleSelection {
            min_priority: Some(Priority::Warning),
            ..Default::default()
        };
        assert!(Selector::new(&sel).allows("a", &[], Priority::Error));
        assert!(!Selector::new(&sel).allows("a", &[], Priority::Notice));
    }
}
