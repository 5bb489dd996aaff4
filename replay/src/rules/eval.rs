//! The evaluator: runs a compiled [`Condition`] against one event through a [`FieldSource`].
//!
//! Evaluation is a loop over the condition's instructions with one boolean accumulator; each
//! check extracts its field into a reusable buffer of the per-thread [`EvalScratch`], applies
//! transformers in place and compares. Nothing is allocated once the scratch buffers have
//! grown to the largest values seen. A field without a value makes its check false (libsinsp's
//! behaviour); a field yielding several values passes if any value does, except `in` on a list
//! field, which needs every value in the set.

use memchr::memmem;

use super::ast::{Op, Transformer};
use super::compile::{Check, Condition, ConstSet, Instr, Operand};
use super::memo::CheckMemo;
use super::rawarg;
use super::resolve::{Const, FieldExpr};
use super::values::{FieldSource, ValueRef, Values};
use crate::fields::catalog::flags;

/// Per-thread mutable buffers for evaluation; create one per worker and reuse it.
#[derive(Default, Debug)]
pub struct EvalScratch {
    lhs: Values,
    rhs: Values,
    tmp: Values,
    /// The results of a rule set's shared checks for the event being evaluated.
    pub(crate) memo: CheckMemo,
}

impl EvalScratch {
    /// Fresh, empty buffers.
    pub fn new() -> EvalScratch {
        EvalScratch::default()
    }

    /// Two buffers for rendering outputs (values and transformer scratch).
    pub(crate) fn render_buffers(&mut self) -> (&mut Values, &mut Values) {
        (&mut self.rhs, &mut self.tmp)
    }
}

impl Condition {
    /// Whether the condition holds for the event `src` describes.
    pub fn eval<S: FieldSource + ?Sized>(&self, src: &mut S, scratch: &mut EvalScratch) -> bool {
        self.run(src, scratch, false)
    }

    /// [`Condition::eval`] for a condition of a rule set, taking the results of checks the
    /// set's other conditions evaluated on this event from `scratch.memo` (which the caller
    /// began for the event) and remembering those it evaluates.
    pub(crate) fn eval_shared<S: FieldSource + ?Sized>(
        &self,
        src: &mut S,
        scratch: &mut EvalScratch,
    ) -> bool {
        self.run(src, scratch, true)
    }

    fn run<S: FieldSource + ?Sized>(
        &self,
        src: &mut S,
        scratch: &mut EvalScratch,
        shared: bool,
    ) -> bool {
        let mut acc = true;
        let mut pc = 0;
        while let Some(ins) = self.code.get(pc) {
            pc += 1;
            match *ins {
                Instr::Check(i) => {
                    let check = &self.checks[i as usize];
                    acc = match self.slots.get(i as usize) {
                        Some(&slot) if shared => match scratch.memo.get(slot) {
                            Some(r) => r,
                            None => {
                                let r = eval_check(check, src, scratch);
                                scratch.memo.set(slot, r);
                                r
                            }
                        },
                        _ => eval_check(check, src, scratch),
                    };
                }
                Instr::JumpIfFalse(t) if !acc => pc = t as usize,
                Instr::JumpIfTrue(t) if acc => pc = t as usize,
                Instr::JumpIfFalse(_) | Instr::JumpIfTrue(_) => {}
                Instr::Not => acc = !acc,
                Instr::Const(b) => acc = b,
            }
        }
        acc
    }
}

/// Extracts `fe` into `out` and applies its transformers. False if the field has no value.
pub(crate) fn extract<S: FieldSource + ?Sized>(
    fe: &FieldExpr,
    src: &mut S,
    out: &mut Values,
    tmp: &mut Values,
) -> bool {
    extract_in(fe, src, out, tmp, false)
}

/// [`extract`], with the strings sanitised before the transformers when `sanitize`: libsinsp
/// extracts an output's value sanitised and transforms the result
/// (`extract_nocache(sanitize_strings)` then `apply_transformers`), so a transformer's
/// output is not sanitised again.
pub(crate) fn extract_in<S: FieldSource + ?Sized>(
    fe: &FieldExpr,
    src: &mut S,
    out: &mut Values,
    tmp: &mut Values,
    sanitize: bool,
) -> bool {
    out.clear();
    if !src.extract(&fe.field, out) {
        return false;
    }
    if sanitize && !fe.transforms.is_empty() {
        tmp.clear();
        let mut s = String::new();
        for v in out.iter() {
            match v {
                ValueRef::Str(b) => {
                    s.clear();
                    crate::fields::sanitize::push_sanitized(&mut s, b);
                    tmp.push_str(s.as_bytes());
                }
                ValueRef::U64(x) => tmp.push_u64(x),
                ValueRef::I64(x) => tmp.push_i64(x),
                ValueRef::Bool(x) => tmp.push_bool(x),
                ValueRef::Ip(x) => tmp.push_ip(x),
                ValueRef::Double(x) => tmp.push_f64(x),
            }
        }
        std::mem::swap(out, tmp);
    }
    let list = fe.field.id.info().has(flags::IS_LIST);
    for t in &fe.transforms {
        match t {
            Transformer::ToLower => out.map_bytes_in_place(|b| b.make_ascii_lowercase()),
            Transformer::ToUpper => out.map_bytes_in_place(|b| b.make_ascii_uppercase()),
            Transformer::Basename => out.narrow(|b| match memchr::memrchr(b'/', b) {
                Some(i) => (i + 1, b.len() - i - 1),
                None => (0, b.len()),
            }),
            Transformer::Len if list => {
                let n = out.len() as u64;
                out.clear();
                out.push_u64(n);
            }
            Transformer::Len => out.lengths(),
            Transformer::B64 => {
                tmp.clear();
                for v in out.iter() {
                    if let ValueRef::Str(s) = v {
                        if let Some(d) = b64_decode(s) {
                            tmp.push_str(&d);
                        }
                    }
                }
                std::mem::swap(out, tmp);
                if out.is_empty() {
                    return false;
                }
            }
        }
    }
    true
}

/// Standard base64 decoding as libsinsp's `b64` transformer decodes
/// (`Base64::decodeWithoutPadding`): padding optional, the unused bits of the last
/// character zero; `None` if the input is not base64.
fn b64_decode(s: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine;
    const B64: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    B64.decode(s).ok()
}

fn eval_check<S: FieldSource + ?Sized>(c: &Check, src: &mut S, s: &mut EvalScratch) -> bool {
    // `evt.rawarg` compares the parameter in the event's own type ([`rawarg`]).
    match &c.rhs {
        Operand::Const(Const::Raw(k)) => {
            return src
                .raw_param(&c.lhs.field)
                .is_some_and(|(b, ty)| rawarg::compare(c.op, b, ty, k));
        }
        Operand::Set(ConstSet::Raw(ks)) => {
            return src
                .raw_param(&c.lhs.field)
                .is_some_and(|(b, ty)| rawarg::in_set(b, ty, ks));
        }
        _ => {}
    }
    if !extract(&c.lhs, src, &mut s.lhs, &mut s.tmp) {
        return false;
    }
    match &c.rhs {
        Operand::None => !s.lhs.is_empty(),
        Operand::Const(k) if c.op == Op::Ne && c.lhs.field.id.info().has(flags::BOTH_ENDS) => {
            s.lhs.iter().all(|v| cmp_const(v, c.op, k))
        }
        Operand::Const(k) => s.lhs.iter().any(|v| cmp_const(v, c.op, k)),
        Operand::Set(set) => {
            if c.op == Op::In && c.lhs.field.id.info().has(flags::IS_LIST) {
                !s.lhs.is_empty() && s.lhs.iter().all(|v| in_set(v, set))
            } else {
                s.lhs.iter().any(|v| in_set(v, set))
            }
        }
        Operand::Field(fe) => {
            if !extract(fe, src, &mut s.rhs, &mut s.tmp) {
                return false;
            }
            s.lhs
                .iter()
                .any(|a| s.rhs.iter().any(|b| cmp_values(a, c.op, b)))
        }
    }
}

fn int_of(v: ValueRef<'_>) -> Option<i128> {
    match v {
        ValueRef::U64(x) => Some(i128::from(x)),
        ValueRef::I64(x) => Some(i128::from(x)),
        ValueRef::Bool(b) => Some(i128::from(b)),
        _ => None,
    }
}

fn ord(op: Op, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        Op::Eq | Op::In | Op::Intersects => o == Equal,
        Op::Ne => o != Equal,
        Op::Lt => o == Less,
        Op::Le => o != Greater,
        Op::Gt => o == Greater,
        Op::Ge => o != Less,
        _ => false,
    }
}

/// A string comparison as libsinsp's `flt_compare_string` makes it (`icontains` and `iglob`
/// operands are lower-cased when parsed).
pub(crate) fn cmp_str(s: &[u8], op: Op, k: &[u8]) -> bool {
    match op {
        Op::Eq | Op::In | Op::Intersects => s == k,
        Op::Ne => s != k,
        Op::Contains | Op::BContains => memmem::find(s, k).is_some(),
        Op::IContains => k.is_empty() || s.windows(k.len()).any(|w| w.eq_ignore_ascii_case(k)),
        Op::StartsWith | Op::BStartsWith => s.starts_with(k),
        Op::EndsWith => s.ends_with(k),
        Op::Glob => glob(k, s, false),
        Op::IGlob => glob(k, s, true),
        Op::PMatch => path_prefix(s, k),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => ord(op, s.cmp(k)),
        Op::Regex | Op::Exists => false,
    }
}

fn cmp_const(v: ValueRef<'_>, op: Op, k: &Const) -> bool {
    match (v, k) {
        (ValueRef::Str(s), Const::Regex(re)) => re.is_match(s),
        (ValueRef::Str(s), Const::Str(k)) => cmp_str(s, op, k),
        (ValueRef::Str(s), Const::Dyn(t, _)) => cmp_str(s, op, t),
        (v, Const::Int(k) | Const::Dyn(_, Some(k))) => int_of(v).is_some_and(|x| ord(op, x.cmp(k))),
        (ValueRef::Double(x), Const::Float(k)) => x.partial_cmp(k).is_some_and(|o| ord(op, o)),
        (ValueRef::Bool(b), Const::Bool(k)) => ord(op, b.cmp(k)),
        (ValueRef::Ip(ip), Const::Net(n)) => match op {
            Op::Ne => !n.contains(ip),
            _ => n.contains(ip),
        },
        _ => false,
    }
}

fn in_set(v: ValueRef<'_>, set: &ConstSet) -> bool {
    match (v, set) {
        (ValueRef::Str(s), ConstSet::Str(k)) => k.contains(s),
        (ValueRef::Str(s), ConstSet::Paths(k)) => k.iter().any(|p| path_prefix(s, p)),
        (ValueRef::Str(s), ConstSet::Dyn(k)) => k.iter().any(|(t, _)| **t == *s),
        (v, ConstSet::Int(k)) => int_of(v).is_some_and(|x| k.binary_search(&x).is_ok()),
        (v, ConstSet::Dyn(k)) => int_of(v).is_some_and(|x| k.iter().any(|(_, n)| *n == Some(x))),
        (ValueRef::Double(x), ConstSet::Float(k)) => k.contains(&x),
        (ValueRef::Bool(b), ConstSet::Bool(k)) => k[usize::from(b)],
        (ValueRef::Ip(ip), ConstSet::Net(k)) => k.iter().any(|n| n.contains(ip)),
        _ => false,
    }
}

fn cmp_values(a: ValueRef<'_>, op: Op, b: ValueRef<'_>) -> bool {
    match (a, b) {
        (ValueRef::Str(x), ValueRef::Str(y)) => cmp_str(x, op, y),
        (ValueRef::Double(x), ValueRef::Double(y)) => x.partial_cmp(&y).is_some_and(|o| ord(op, o)),
        (ValueRef::Ip(x), ValueRef::Ip(y)) => ord(op, x.cmp(&y)),
        (x, y) => match (int_of(x), int_of(y)) {
            (Some(x), Some(y)) => ord(op, x.cmp(&y)),
            _ => false,
        },
    }
}

/// `pmatch`: `path` equals `prefix` or lies below it.
fn path_prefix(path: &[u8], prefix: &[u8]) -> bool {
    let p = prefix.strip_suffix(b"/").unwrap_or(prefix);
    path.starts_with(p) && (path.len() == p.len() || path[p.len()] == b'/')
}

/// Shell-style glob: `*` (any run, including `/`), `?`, `[...]` classes with `!`/`^`
/// negation and ranges, `\` escapes. Iterative, with one backtrack point per `*`.
pub(crate) fn glob(pat: &[u8], s: &[u8], icase: bool) -> bool {
    let eq = |a: u8, b: u8| {
        if icase {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < pat.len() {
            match pat[p] {
                b'*' => {
                    star = Some((p, i));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    i += 1;
                    continue;
                }
                b'[' => {
                    if let Some((ok, next)) = class(&pat[p..], s[i], icase) {
                        if ok {
                            p += next;
                            i += 1;
                            continue;
                        }
                    } else if eq(b'[', s[i]) {
                        p += 1;
                        i += 1;
                        continue;
                    }
                }
                b'\\' if p + 1 < pat.len() => {
                    if eq(pat[p + 1], s[i]) {
                        p += 2;
                        i += 1;
                        continue;
                    }
                }
                c => {
                    if eq(c, s[i]) {
                        p += 1;
                        i += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, si)) => {
                p = sp + 1;
                i = si + 1;
                star = Some((sp, si + 1));
            }
            None => return false,
        }
    }
    pat[p..].iter().all(|&c| c == b'*')
}

/// Matches one byte against the class at the start of `pat` (`[...]`). Returns whether it
/// matched and the length of the class, or `None` if the class is unterminated.
fn class(pat: &[u8], c: u8, icase: bool) -> Option<(bool, usize)> {
    let mut i = 1;
    let neg = matches!(pat.get(1), Some(b'!' | b'^'));
    if neg {
        i += 1;
    }
    let c = if icase { c.to_ascii_lowercase() } else { c };
    let mut hit = false;
    let mut first = true;
    while i < pat.len() {
        if pat[i] == b']' && !first {
            return Some((hit != neg, i + 1));
        }
        first = false;
        let lo = if icase {
            pat[i].to_ascii_lowercase()
        } else {
            pat[i]
        };
        if i + 2 < pat.len() && pat[i + 1] == b'-' && pat[i + 2] != b']' {
            let hi = if icase {
                pat[i + 2].to_ascii_lowercase()
            } else {
                pat[i + 2]
            };
            hit |= lo <= c && c <= hi;
            i += 3;
        } else {
            hit |= lo == c;
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64_takes_unpadded_input_with_zero_trailing_bits() {
        assert_eq!(b64_decode(b"Y2F0").as_deref(), Some(&b"cat"[..]));
        assert_eq!(b64_decode(b"QQ==").as_deref(), Some(&b"A"[..]));
        assert_eq!(b64_decode(b"QQ").as_deref(), Some(&b"A"[..]));
        // `sysdig`: six characters, the last one's unused bits zero.
        assert_eq!(b64_decode(b"sysdig").map(|d| d.len()), Some(4));
        assert_eq!(b64_decode(b"QR"), None);
        assert_eq!(b64_decode(b"cat"), None);
    }

    #[test]
    fn glob_matches_like_fnmatch_without_pathname() {
        assert!(glob(b"/etc/*", b"/etc/passwd", false));
        assert!(glob(b"/etc/*", b"/etc/a/b", false));
        assert!(glob(b"*.sh", b"x.sh", false));
        assert!(!glob(b"*.sh", b"x.shx", false));
        assert!(glob(b"a?c", b"abc", false));
        assert!(glob(b"[a-c]x", b"bx", false));
        assert!(!glob(b"[!a-c]x", b"bx", false));
        assert!(glob(b"*A*", b"xax", true));
        assert!(glob(b"\\*", b"*", false));
        assert!(!glob(b"[ab", b"a", false));
        assert!(glob(b"", b"", false));
        assert!(glob(b"**", b"", false));
    }

    #[test]
    fn pmatch_is_component_wise() {
        assert!(path_prefix(b"/etc/passwd", b"/etc"));
        assert!(path_prefix(b"/etc", b"/etc/"));
        assert!(!path_prefix(b"/etcx", b"/etc"));
    }
}
