//! The context fields every alert carries for Parquet: who, what and where, as typed columns.
//!
//! Falco's JSON alert only has the fields a rule's output names, so two rules give two shapes.
//! For analysis in DuckDB or Spark, every Parquet row also carries the same fixed set of
//! context fields, extracted by the engine for the matched event whatever the rule. The list is
//! data: the engine extracts [`CONTEXT_FIELDS`] in order into [`crate::output::Alert::context`],
//! and the Parquet sink builds one column per entry with the Arrow type of its [`ValueKind`].

/// The storage type of a context column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// UTF-8 text (`Utf8`).
    Str,
    /// Signed 64-bit integer (`Int64`): process ids and other signed numbers.
    I64,
    /// Unsigned 64-bit integer (`UInt64`): user and group ids, ports, counters.
    U64,
    /// Boolean (`Boolean`).
    Bool,
}

/// One context field: its catalogue name (also the Parquet column name) and storage type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextField {
    /// The field name as in rule conditions, e.g. `proc.name`.
    pub name: &'static str,
    /// How its values are stored.
    pub kind: ValueKind,
}

const fn field(name: &'static str, kind: ValueKind) -> ContextField {
    ContextField { name, kind }
}

/// The context fields, in column order. The types follow the libsinsp catalogue: pids are
/// signed (`PT_INT64`), user ids and ports unsigned, names and paths text.
pub const CONTEXT_FIELDS: &[ContextField] = &[
    field("evt.type", ValueKind::Str),
    field("evt.res", ValueKind::Str),
    field("proc.name", ValueKind::Str),
    field("proc.exepath", ValueKind::Str),
    field("proc.cmdline", ValueKind::Str),
    field("proc.pid", ValueKind::I64),
    field("proc.ppid", ValueKind::I64),
    field("proc.pname", ValueKind::Str),
    field("proc.tty", ValueKind::U64),
    field("thread.tid", ValueKind::I64),
    field("user.name", ValueKind::Str),
    field("user.uid", ValueKind::U64),
    field("user.loginuid", ValueKind::I64),
    field("group.gid", ValueKind::U64),
    field("fd.num", ValueKind::I64),
    field("fd.type", ValueKind::Str),
    field("fd.name", ValueKind::Str),
    field("container.id", ValueKind::Str),
    field("container.name", ValueKind::Str),
    field("container.image", ValueKind::Str),
];

/// The position of `name` in [`CONTEXT_FIELDS`].
pub fn context_index(name: &str) -> Option<usize> {
    CONTEXT_FIELDS.iter().position(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        for (i, f) in CONTEXT_FIELDS.iter().enumerate() {
            assert_eq!(context_index(f.name), Some(i), "{} listed twice", f.name);
        }
        assert_eq!(context_index("proc.nope"), None);
    }
}
