//! The alert record that the engine hands to the sinks.
//!
//! An [`Alert`] is owned and self-contained: once the engine has matched a rule on an event, it
//! renders the output, extracts the output fields and the Parquet context fields into typed
//! [`FieldValue`]s, and the event buffer can be reused. Sinks only read alerts; they never see
//! events or state, so they can run after a parallel replay has merged its matches in
//! `(trace, evt.num)` order.

use std::fmt;

/// How urgent an alert is: the rule's priority (Falco's eight levels, most urgent first, so
/// "at or above `Warning`" is `p <= Priority::Warning`).
pub use crate::rules::Priority;

/// One typed value of a field, owned.
///
/// Numbers stay numbers so that JSON prints them unquoted (as Falco does in `output_fields`)
/// and Parquet stores them in integer columns. Addresses, paths and every other textual value
/// are [`FieldValue::Str`], already rendered the way `sysdig -p` prints them.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// The field has no value for this event (printed `<NA>` in text, `null` in JSON and
    /// Parquet).
    Null,
    /// A boolean field (`evt.is_open_read`, `fd.is_server`...).
    Bool(bool),
    /// A signed integer field (`proc.pid`, `evt.rawres`...).
    I64(i64),
    /// An unsigned integer field (`evt.num`, `user.uid`, `fd.sport`...).
    U64(u64),
    /// A floating point field (`proc.fdusage`): a number in JSON, one decimal in text, as
    /// libsinsp prints doubles (`%.1lf`).
    F64(f64),
    /// Any other value, as text.
    Str(String),
    /// The values of a list field (`fd.types`), each as text: printed `(a,b)` as libsinsp's
    /// formatter prints lists, a JSON array in `output_fields`.
    List(Vec<String>),
}

impl FieldValue {
    /// The value as `sysdig -p` would print it, `<NA>` for [`FieldValue::Null`].
    pub fn display(&self) -> DisplayValue<'_> {
        DisplayValue(self)
    }
}

/// Prints a [`FieldValue`] as `sysdig -p` does; returned by [`FieldValue::display`].
pub struct DisplayValue<'a>(&'a FieldValue);

impl fmt::Display for DisplayValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            FieldValue::Null => f.write_str("<NA>"),
            FieldValue::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            FieldValue::I64(v) => write!(f, "{v}"),
            FieldValue::U64(v) => write!(f, "{v}"),
            FieldValue::F64(v) => write!(f, "{v:.1}"),
            FieldValue::Str(s) => f.write_str(s),
            FieldValue::List(items) => {
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    f.write_str(item)?;
                }
                f.write_str(")")
            }
        }
    }
}

/// One alert: a rule matched an event.
///
/// The engine fills every field; sinks format them. `context` holds the values of
/// [`crate::output::CONTEXT_FIELDS`], in that order, for the matched event (Parquet stores them
/// as typed columns; the text and JSON sinks ignore them).
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Event timestamp, nanoseconds since the Unix epoch (UTC).
    pub time_ns: u64,
    /// Name of the rule that matched.
    pub rule: String,
    /// The rule's priority.
    pub priority: Priority,
    /// The rule's tags, in the order the rules file lists them.
    pub tags: Vec<String>,
    /// The rendered output message, without Falco's `time: Priority ` prefix.
    pub output: String,
    /// Event source of the rule (`syscall`).
    pub source: String,
    /// Host the trace was recorded on (from its machine-info block; empty when unknown).
    pub hostname: String,
    /// Path of the trace file the event comes from, as given on the command line.
    pub trace: String,
    /// The event's number in its trace (`evt.num`, 1-based).
    pub evt_num: u64,
    /// The fields referenced by the rule's output format, with their typed values, in the
    /// order they first appear in the format.
    pub output_fields: Vec<(String, FieldValue)>,
    /// The values of [`crate::output::CONTEXT_FIELDS`] for this event, in that order.
    pub context: Vec<FieldValue>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_display_like_sysdig() {
        assert_eq!(FieldValue::Null.display().to_string(), "<NA>");
        assert_eq!(FieldValue::I64(-2).display().to_string(), "-2");
        assert_eq!(FieldValue::Bool(true).display().to_string(), "true");
        assert_eq!(FieldValue::Str("/etc".into()).display().to_string(), "/etc");
    }
}
