//! The value buffer shared by extraction and evaluation, and the [`FieldSource`] trait.
//!
//! A field can yield several values (`proc.aname` without index, `fd.ip`, `fd.types`), so an
//! extractor appends typed values to a [`Values`] buffer. Strings are copied into the
//! buffer's own byte storage, which is cleared, never freed, between checks: after warm-up,
//! extraction and evaluation do not allocate.

use std::net::IpAddr;

use crate::fields::catalog::FieldId;

/// The argument of a field reference, parsed and typed at load time.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FieldArg {
    /// No argument.
    None,
    /// A numeric index (`proc.aname[2]`, `evt.arg[1]`).
    Index(u64),
    /// A name or key (`evt.arg.flags`, `proc.env[HOME]`, `container.mount.dest[/proc*]`).
    Key(Box<str>),
}

/// A field as the engine extracts it: which field and with which argument.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldRef {
    /// The catalogue row.
    pub id: FieldId,
    /// The argument.
    pub arg: FieldArg,
}

impl FieldRef {
    /// The field's name with its argument, as a user would write it (and as Falco names it
    /// in `output_fields`): a named argument of a dotted-argument field after a dot
    /// (`evt.arg.flags`), other arguments in brackets.
    pub fn display(&self) -> String {
        let info = self.id.info();
        let name = info.name;
        match &self.arg {
            FieldArg::None => name.to_string(),
            FieldArg::Index(i) => format!("{name}[{i}]"),
            FieldArg::Key(k) if info.has(crate::fields::catalog::flags::DOTTED_ARG) => {
                format!("{name}.{k}")
            }
            FieldArg::Key(k) => format!("{name}[{k}]"),
        }
    }
}

/// Where values come from: implemented by the engine over (event, state), and by tests over
/// plain data.
pub trait FieldSource {
    /// Appends the value(s) of `field` for the current event to `out` (which the caller has
    /// cleared). Returns false when the field has no value for this event (`<NA>`): checks on
    /// it are then false, and `exists` is false.
    fn extract(&mut self, field: &FieldRef, out: &mut Values) -> bool;

    /// The bytes of the event parameter `evt.rawarg.NAME` names (`field`), with its type in
    /// this event; `None` when the event has none or it is empty
    /// ([`crate::rules::rawarg`]). Sources that know no event parameters have none.
    fn raw_param(
        &mut self,
        field: &FieldRef,
    ) -> Option<(&[u8], hindsight_format::schema::ParamType)> {
        let _ = field;
        None
    }

    /// Whether outputs print this source's strings sanitised, as current libs do
    /// ([`crate::fields::sanitize`]).
    fn sanitizes_strings(&self) -> bool {
        false
    }
}

/// One value in a [`Values`] buffer.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Slot {
    Str(u32, u32),
    U64(u64),
    I64(i64),
    Bool(bool),
    Ip(IpAddr),
    Double(f64),
}

/// A borrowed view of one extracted value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ValueRef<'a> {
    /// Bytes (strings and buffers).
    Str(&'a [u8]),
    /// Unsigned integer (also ports, times, ids).
    U64(u64),
    /// Signed integer.
    I64(i64),
    /// Boolean.
    Bool(bool),
    /// IP address.
    Ip(IpAddr),
    /// Floating point.
    Double(f64),
}

/// A reusable buffer of typed values.
#[derive(Clone, Debug, Default)]
pub struct Values {
    bytes: Vec<u8>,
    slots: Vec<Slot>,
}

impl Values {
    /// An empty buffer.
    pub fn new() -> Values {
        Values::default()
    }

    /// Empties the buffer, keeping its capacity.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.slots.clear();
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether there is no value.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Appends a string (copied).
    pub fn push_str(&mut self, s: &[u8]) {
        let start = self.bytes.len() as u32;
        self.bytes.extend_from_slice(s);
        self.slots.push(Slot::Str(start, s.len() as u32));
    }

    /// Appends an unsigned integer.
    pub fn push_u64(&mut self, v: u64) {
        self.slots.push(Slot::U64(v));
    }

    /// Appends a signed integer.
    pub fn push_i64(&mut self, v: i64) {
        self.slots.push(Slot::I64(v));
    }

    /// Appends a boolean.
    pub fn push_bool(&mut self, v: bool) {
        self.slots.push(Slot::Bool(v));
    }

    /// Appends an IP address.
    pub fn push_ip(&mut self, v: IpAddr) {
        self.slots.push(Slot::Ip(v));
    }

    /// Appends a floating point number.
    pub fn push_f64(&mut self, v: f64) {
        self.slots.push(Slot::Double(v));
    }

    /// Value `i`.
    pub fn get(&self, i: usize) -> Option<ValueRef<'_>> {
        self.slots.get(i).map(|s| self.view(*s))
    }

    fn view(&self, s: Slot) -> ValueRef<'_> {
        match s {
            Slot::Str(a, n) => ValueRef::Str(&self.bytes[a as usize..(a + n) as usize]),
            Slot::U64(v) => ValueRef::U64(v),
            Slot::I64(v) => ValueRef::I64(v),
            Slot::Bool(v) => ValueRef::Bool(v),
            Slot::Ip(v) => ValueRef::Ip(v),
            Slot::Double(v) => ValueRef::Double(v),
        }
    }

    /// All values in order.
    pub fn iter(&self) -> impl Iterator<Item = ValueRef<'_>> + '_ {
        self.slots.iter().map(|s| self.view(*s))
    }

    /// Applies `f` to the bytes of every string value, in place.
    pub(crate) fn map_bytes_in_place(&mut self, f: impl Fn(&mut [u8])) {
        for s in &self.slots {
            if let Slot::Str(a, n) = *s {
                f(&mut self.bytes[a as usize..(a + n) as usize]);
            }
        }
    }

    /// Narrows every string value to the sub-slice `f` returns (as start, len within it).
    pub(crate) fn narrow(&mut self, f: impl Fn(&[u8]) -> (usize, usize)) {
        for s in &mut self.slots {
            if let Slot::Str(a, n) = s {
                let (off, len) = f(&self.bytes[*a as usize..(*a + *n) as usize]);
                *a += off as u32;
                *n = len as u32;
            }
        }
    }

    /// Replaces every string value by its length.
    pub(crate) fn lengths(&mut self) {
        for s in &mut self.slots {
            if let Slot::Str(_, n) = *s {
                *s = Slot::U64(u64::from(n));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_roundtrip() {
        let mut v = Values::new();
        v.push_str(b"abc");
        v.push_u64(7);
        v.push_str(b"/x/y");
        v.narrow(|b| (b.len().min(1), b.len() - b.len().min(1)));
        assert_eq!(v.get(0), Some(ValueRef::Str(b"bc")));
        assert_eq!(v.get(1), Some(ValueRef::U64(7)));
        v.lengths();
        assert_eq!(v.get(2), Some(ValueRef::U64(3)));
        v.clear();
        assert!(v.is_empty());
    }
}
