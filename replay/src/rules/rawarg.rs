//! How libsinsp types and compares `evt.rawarg.NAME` (`sinsp_filter_check_event`,
//! `TYPE_ARGRAW`, in libs 0.25 as in 0.20).
//!
//! The field has no type of its own. When a rule is compiled, libsinsp names the parameter
//! after the longest parameter name of the whole event table that starts `NAME`, the first
//! one in table order (`find_longest_matching_evt_param`), and parses the constant with that
//! parameter's type ([`Declared`]): a number in that type's width, a string as its bytes.
//! When an event is evaluated, it compares the event's own parameter of that name with its
//! own type, reading the constant's bytes as that type (`flt_cast` reads the constant's
//! width at most, zero-extended): `evt.rawarg.res = -1` is parsed as the 64-bit errno of the
//! first event with a `res`, and on an event whose `res` is a 32-bit unsigned value it
//! compares with 4294967295. A parameter that is empty, or absent from the event, makes the
//! check false.
//!
//! `in` never matches a number: libsinsp looks the value up in the set of constants with a
//! length of zero (`craft_filter_value` gives numeric values none), which no constant has.
//! Strings are looked up by their text.

use hindsight_format::schema::{event_id_limit, event_info, ParamType};

use super::ast::Op;

/// The parameter a rule's `evt.rawarg.NAME` names, as libsinsp resolves it when it compiles
/// the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Declared {
    /// The parameter's name (the longest one `NAME` starts with).
    pub name: &'static str,
    /// Its type in the first event of the table that has it: the type constants are parsed
    /// with.
    pub ty: ParamType,
}

/// libsinsp's `find_longest_matching_evt_param`: the longest parameter name of the event
/// table that `name` starts with, the first in table order among those of that length.
pub fn declared(name: &str) -> Option<Declared> {
    let mut best: Option<Declared> = None;
    for id in 0..event_id_limit() {
        let Some(info) = event_info(id) else { continue };
        for p in info.params {
            let longer = best.is_none_or(|b| p.name.len() > b.name.len());
            if longer && name.as_bytes().starts_with(p.name.as_bytes()) {
                best = Some(Declared {
                    name: p.name,
                    ty: p.ty,
                });
            }
        }
    }
    best
}

/// A constant as libsinsp stores it for `evt.rawarg`: the bytes `string_to_rawval` writes
/// for the declared type into a zeroed buffer of at least 16 bytes, and how many it wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawConst {
    /// The buffer (zeros after the value).
    bytes: Box<[u8]>,
    /// The parsed length (the type's width, or the string's length).
    len: usize,
}

/// The smallest buffer libsinsp parses a constant into (`s_min_filter_value_buf_size`).
const MIN_STORAGE: usize = 16;

/// How libsinsp handles values of a parameter type in `evt.rawarg` comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A signed integer of this many bytes.
    Signed(usize),
    /// An unsigned integer of this many bytes.
    Unsigned(usize),
    /// A boolean stored in 4 bytes.
    Bool,
    /// A NUL-terminated string.
    Text,
    /// A type `flt_compare` does not compare (every check on it is false) and
    /// `string_to_rawval` does not parse.
    Other,
}

/// The types as `string_to_rawval` parses them and `flt_compare` compares them.
const KINDS: &[(ParamType, Kind)] = {
    use Kind::*;
    use ParamType as T;
    &[
        (T::Int8, Signed(1)),
        (T::Int16, Signed(2)),
        (T::Int32, Signed(4)),
        (T::Int64, Signed(8)),
        (T::Fd, Signed(8)),
        (T::Pid, Signed(8)),
        (T::Errno, Signed(8)),
        (T::Uint8, Unsigned(1)),
        (T::Flags8, Unsigned(1)),
        (T::Enumflags8, Unsigned(1)),
        (T::Uint16, Unsigned(2)),
        (T::Syscallid, Unsigned(2)),
        (T::Sigtype, Unsigned(1)),
        (T::Flags16, Unsigned(2)),
        (T::Enumflags16, Unsigned(2)),
        (T::Port, Unsigned(2)),
        (T::Uint32, Unsigned(4)),
        (T::Flags32, Unsigned(4)),
        (T::Enumflags32, Unsigned(4)),
        (T::Mode, Unsigned(4)),
        (T::Uid, Unsigned(4)),
        (T::Gid, Unsigned(4)),
        (T::Uint64, Unsigned(8)),
        (T::Reltime, Unsigned(8)),
        (T::Abstime, Unsigned(8)),
        (T::Bool, Bool),
        (T::Charbuf, Text),
        (T::Fspath, Text),
        (T::Fsrelpath, Text),
    ]
};

/// Types `string_to_rawval` parses as strings but `flt_compare` does not compare.
const PARSED_AS_TEXT: &[ParamType] = &[
    ParamType::Sockaddr,
    ParamType::Socktuple,
    ParamType::Sockfamily,
];

/// Whether libsinsp accepts operator `op` on a parameter declared `ty`
/// (`flt_is_comparable`, checked when the rule is compiled).
pub fn op_allowed(op: Op, ty: ParamType) -> bool {
    use Op::*;
    match (kind(ty), op) {
        (_, Exists) => true,
        (Kind::Signed(_) | Kind::Unsigned(_), _) => {
            matches!(op, Eq | Ne | Lt | Le | Gt | Ge | In | Intersects)
        }
        (Kind::Bool, _) => matches!(op, Eq | Ne | In | Intersects),
        (Kind::Text, _) => !matches!(op, BContains | BStartsWith),
        (Kind::Other, _) if ty == ParamType::Bytebuf => matches!(
            op,
            Eq | Ne | Contains | In | StartsWith | EndsWith | Intersects | BContains | BStartsWith
        ),
        (Kind::Other, _) => false,
    }
}

fn kind(ty: ParamType) -> Kind {
    KINDS
        .iter()
        .find(|(t, _)| *t == ty)
        .map_or(Kind::Other, |(_, k)| *k)
}

/// Parses an integer as `sscanf("%" PRId64 "%c")` accepts it: optional blanks, an optional
/// sign, decimal digits, nothing after.
fn scan_int(text: &str) -> Option<i128> {
    let t = text.trim_start();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

impl RawConst {
    /// Parses `text` as libsinsp parses a constant for a parameter declared `ty`; the error
    /// says why it rejects it.
    pub fn parse(text: &str, ty: ParamType) -> Result<RawConst, String> {
        let mut bytes = vec![0u8; MIN_STORAGE.max(text.len() + 1)];
        let len = match kind(ty) {
            Kind::Signed(n) | Kind::Unsigned(n) => {
                let v = scan_int(text).ok_or_else(|| format!("{text} is not a valid number"))?;
                // The value wraps to the type's width, as the C conversion stores it.
                bytes[..n].copy_from_slice(&(v as i64).to_le_bytes()[..n]);
                n
            }
            Kind::Bool => {
                bytes[0] = match text {
                    "true" => 1,
                    "false" => 0,
                    _ => return Err(format!("unrecognized boolean value {text}")),
                };
                4
            }
            Kind::Text => {
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                text.len()
            }
            Kind::Other if PARSED_AS_TEXT.contains(&ty) => {
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                text.len()
            }
            Kind::Other => return Err(format!("wrong parameter type {}", ty as u8)),
        };
        Ok(RawConst {
            bytes: bytes.into(),
            len,
        })
    }

    /// The constant read as a C string (up to its first NUL).
    fn c_str(&self) -> &[u8] {
        let end = memchr::memchr(0, &self.bytes).unwrap_or(self.bytes.len());
        &self.bytes[..end]
    }

    /// The constant read as an integer of `width` bytes: `flt_cast` copies at most the
    /// constant's parsed length, into a zeroed value.
    fn int(&self, width: usize, signed: bool) -> i128 {
        let mut b = [0u8; 8];
        let n = if self.len > 0 {
            width.min(self.len)
        } else {
            width
        };
        b[..n].copy_from_slice(&self.bytes[..n]);
        int_of(&b[..width], signed)
    }
}

/// A little-endian integer of 1, 2, 4 or 8 bytes.
fn int_of(b: &[u8], signed: bool) -> i128 {
    let mut w = [0u8; 8];
    w[..b.len()].copy_from_slice(b);
    let u = u64::from_le_bytes(w);
    if !signed {
        return i128::from(u);
    }
    let shift = 64 - 8 * b.len() as u32;
    i128::from(((u << shift) as i64) >> shift)
}

/// A string parameter as `flt_compare_string` reads it: up to its first NUL.
fn c_str(b: &[u8]) -> &[u8] {
    &b[..memchr::memchr(0, b).unwrap_or(b.len())]
}

/// Whether the event's parameter `param` (of its own type `ty`, not empty) compares with
/// `k` under `op` as libsinsp compares them.
pub fn compare(op: Op, param: &[u8], ty: ParamType, k: &RawConst) -> bool {
    use std::cmp::Ordering;
    let ord = |o: Ordering| match op {
        Op::Eq => o.is_eq(),
        Op::Ne => o.is_ne(),
        Op::Lt => o.is_lt(),
        Op::Le => o.is_le(),
        Op::Gt => o.is_gt(),
        Op::Ge => o.is_ge(),
        _ => false,
    };
    match kind(ty) {
        Kind::Signed(n) | Kind::Unsigned(n) if param.len() >= n => {
            let signed = matches!(kind(ty), Kind::Signed(_));
            ord(int_of(&param[..n], signed).cmp(&k.int(n, signed)))
        }
        Kind::Bool if param.len() >= 4 => {
            let (a, b) = (int_of(&param[..4], false) != 0, k.int(4, false) != 0);
            matches!((op, a == b), (Op::Eq, true) | (Op::Ne, false))
        }
        Kind::Text => super::eval::cmp_str(c_str(param), op, k.c_str()),
        _ => false,
    }
}

/// Whether the event's parameter is in the set `ks` for `in` and `intersects`: strings by
/// their text, numbers never (see the module's comment).
pub fn in_set(param: &[u8], ty: ParamType, ks: &[RawConst]) -> bool {
    if kind(ty) != Kind::Text {
        return false;
    }
    let s = c_str(param);
    ks.iter().any(|k| &k.bytes[..k.len] == s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_to_the_first_longest_parameter() {
        let fd = declared("fd").unwrap();
        assert_eq!((fd.name, fd.ty), ("fd", ParamType::Fd));
        // `fdlimit` is longer than `fd`, so it wins for `fdlimit`, not for `fd`.
        assert_eq!(declared("fdlimit").unwrap().name, "fdlimit");
        assert!(declared("zzz").is_none());
    }

    #[test]
    fn constants_are_read_in_the_events_type() {
        let minus_one = RawConst::parse("-1", ParamType::Errno).unwrap();
        assert!(compare(
            Op::Eq,
            &(-1i64).to_le_bytes(),
            ParamType::Errno,
            &minus_one
        ));
        // Read as a 32-bit unsigned value: 4294967295.
        assert!(compare(
            Op::Eq,
            &u32::MAX.to_le_bytes(),
            ParamType::Uint32,
            &minus_one
        ));
        // A 32-bit constant read as 64 bits is zero-extended.
        let small = RawConst::parse("-1", ParamType::Int32).unwrap();
        assert!(!compare(
            Op::Eq,
            &(-1i64).to_le_bytes(),
            ParamType::Int64,
            &small
        ));
        assert!(compare(
            Op::Eq,
            &4294967295i64.to_le_bytes(),
            ParamType::Int64,
            &small
        ));
        assert!(compare(
            Op::Gt,
            &7u32.to_le_bytes(),
            ParamType::Uint32,
            &RawConst::parse("3", ParamType::Fd).unwrap()
        ));
        assert!(RawConst::parse("0x10", ParamType::Fd).is_err());
    }

    #[test]
    fn operators_follow_the_declared_type() {
        assert!(op_allowed(Op::Gt, ParamType::Fd));
        assert!(!op_allowed(Op::Contains, ParamType::Fd));
        assert!(op_allowed(Op::StartsWith, ParamType::Fspath));
        assert!(!op_allowed(Op::Gt, ParamType::Sockaddr));
        assert!(op_allowed(Op::Exists, ParamType::Sockaddr));
    }

    #[test]
    fn in_matches_strings_only() {
        let three = RawConst::parse("3", ParamType::Fd).unwrap();
        assert!(!in_set(
            &3i64.to_le_bytes(),
            ParamType::Fd,
            std::slice::from_ref(&three)
        ));
        let etc = RawConst::parse("/etc", ParamType::Fspath).unwrap();
        assert!(in_set(b"/etc\0", ParamType::Fspath, &[etc]));
    }
}
