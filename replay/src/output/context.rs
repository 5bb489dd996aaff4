//! The context fields every alert carries for Parquet: who, what and where, as typed columns.
//!
//! Falco's JSON alert only has the fields a rule's output names, so two rules give two shapes.
//! For analysis in DuckDB or Spark, every Parquet row also carries the same fixed set of
//! context fields, extracted by the engine for the matched event whatever the rule. The list of
//! names is data ([`CONTEXT_FIELDS`]); the storage type of each column is derived from the
//! field's type in the catalogue ([`crate::fields::catalog`]), so the two cannot drift apart.
//! The engine extracts the fields in this order into [`crate::output::Alert::context`].

use crate::fields::catalog::{self, FieldType};

/// The storage type of a context column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// UTF-8 text (`Utf8`).
    Str,
    /// Signed 64-bit integer (`Int64`): process ids and other signed numbers.
    I64,
    /// Unsigned 64-bit integer (`UInt64`): user and group ids, ports, times, counters.
    U64,
    /// Boolean (`Boolean`).
    Bool,
}

impl ValueKind {
    /// The column type for values of a catalogue type: integers stay integers (ports,
    /// durations and timestamps are unsigned), booleans stay booleans, and everything else
    /// (addresses, networks, buffers, per-event dynamic types) is stored as the text sysdig
    /// prints.
    pub fn of(ty: FieldType) -> ValueKind {
        match ty {
            FieldType::I64 => ValueKind::I64,
            FieldType::U64 | FieldType::Port | FieldType::RelTime | FieldType::AbsTime => {
                ValueKind::U64
            }
            FieldType::Bool => ValueKind::Bool,
            FieldType::Str
            | FieldType::IpAddr
            | FieldType::IpNet
            | FieldType::Bytes
            | FieldType::Double
            | FieldType::Dyn => ValueKind::Str,
        }
    }
}

/// One context field, named as in rule conditions (`proc.name`); also the Parquet column name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContextField {
    /// The field name as in rule conditions, e.g. `proc.name`.
    pub name: &'static str,
}

impl ContextField {
    /// How the field's values are stored, from its catalogue type (text when the catalogue
    /// does not know the name, which a unit test rules out).
    pub fn kind(&self) -> ValueKind {
        catalog::field(self.name).map_or(ValueKind::Str, |(_, info)| ValueKind::of(info.ty))
    }
}

const fn field(name: &'static str) -> ContextField {
    ContextField { name }
}

/// The context fields, in column order.
pub const CONTEXT_FIELDS: &[ContextField] = &[
    field("evt.type"),
    field("evt.res"),
    field("proc.name"),
    field("proc.exepath"),
    field("proc.cmdline"),
    field("proc.pid"),
    field("proc.ppid"),
    field("proc.pname"),
    field("proc.tty"),
    field("thread.tid"),
    field("user.name"),
    field("user.uid"),
    field("user.loginuid"),
    field("group.gid"),
    field("fd.num"),
    field("fd.type"),
    field("fd.name"),
    field("container.id"),
    field("container.name"),
    field("container.image"),
];

/// The position of `name` in [`CONTEXT_FIELDS`].
pub fn context_index(name: &str) -> Option<usize> {
    CONTEXT_FIELDS.iter().position(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_in_the_catalogue() {
        for (i, f) in CONTEXT_FIELDS.iter().enumerate() {
            assert_eq!(context_index(f.name), Some(i), "{} listed twice", f.name);
            assert!(
                catalog::field(f.name).is_some(),
                "{} is not in the catalogue",
                f.name
            );
        }
        assert_eq!(context_index("proc.nope"), None);
    }

    #[test]
    fn kinds_follow_the_catalogue() {
        let kind = |name: &str| CONTEXT_FIELDS[context_index(name).unwrap()].kind();
        assert_eq!(kind("proc.pid"), ValueKind::I64);
        assert_eq!(kind("user.uid"), ValueKind::U64);
        assert_eq!(kind("proc.name"), ValueKind::Str);
        assert_eq!(kind("fd.num"), ValueKind::I64);
    }
}
