//! Field resolution and typing: AST operands and literals to typed field references and
//! constants.
//!
//! A field name is looked up in the catalogue (with its dotted or bracketed argument), its
//! argument checked against the field's argument form, transformers checked against the
//! field's type, and each literal parsed according to the type of the field it is compared
//! with: numbers for numeric fields, `true`/`false` for booleans, addresses and CIDR
//! networks for IP fields, hex bytes for `bcontains`, regexes for `regex`.

use std::net::IpAddr;

use regex::bytes::Regex;

use super::ast::{Op, Operand, Span, Transformer, Value};
use super::values::{FieldArg, FieldRef};
use crate::fields::catalog::{self, flags, ArgForm, FieldType};

/// A resolution error: where and what.
pub(crate) type ResolveError = (Span, String);

/// A field with its transformers, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldExpr {
    /// The field to extract.
    pub field: FieldRef,
    /// Transformers, innermost first.
    pub transforms: Vec<Transformer>,
    /// The type of the values after the transformers.
    pub ty: FieldType,
}

/// An IP network in CIDR form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    /// Network address.
    pub addr: IpAddr,
    /// Prefix length in bits.
    pub prefix: u8,
}

impl IpNet {
    /// Parses `a.b.c.d/n`, an IPv6 CIDR, or a plain address (a host network).
    pub fn parse(s: &str) -> Option<IpNet> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.parse::<u8>().ok().filter(|&p| p <= max)?,
            None => max,
        };
        Some(IpNet { addr, prefix })
    }

    /// Whether `ip` is in this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (a, b, bits) = match (self.addr, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => (
                u128::from(u32::from(a)) << 96,
                u128::from(u32::from(b)) << 96,
                self.prefix,
            ),
            (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), self.prefix),
            (IpAddr::V4(a), IpAddr::V6(b)) => match b.to_ipv4_mapped() {
                Some(b) => (
                    u128::from(u32::from(a)) << 96,
                    u128::from(u32::from(b)) << 96,
                    self.prefix,
                ),
                None => return false,
            },
            (IpAddr::V6(_), IpAddr::V4(_)) => return false,
        };
        if bits == 0 {
            return true;
        }
        let mask = u128::MAX << (128 - u32::from(bits));
        a & mask == b & mask
    }
}

/// A constant operand, parsed for the type of the field it is compared with.
#[derive(Clone, Debug)]
pub enum Const {
    /// Bytes (strings, hex-decoded `bcontains` operands, lower-cased `icontains` operands).
    Str(Box<[u8]>),
    /// Any integer (compared after widening).
    Int(i128),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// An address or network.
    Net(IpNet),
    /// A compiled regex (full match).
    Regex(Regex),
    /// For dynamically typed fields: the text, and its integer reading if it has one.
    Dyn(Box<[u8]>, Option<i128>),
    /// For `evt.rawarg`: the constant as libsinsp parses it for the declared parameter.
    Raw(super::rawarg::RawConst),
}

/// Equal constants compare the same values the same way; regexes are equal when their
/// patterns are (a float is never equal to a NaN, which only costs a shared evaluation).
impl PartialEq for Const {
    fn eq(&self, other: &Const) -> bool {
        match (self, other) {
            (Const::Str(a), Const::Str(b)) => a == b,
            (Const::Int(a), Const::Int(b)) => a == b,
            (Const::Float(a), Const::Float(b)) => a == b,
            (Const::Bool(a), Const::Bool(b)) => a == b,
            (Const::Net(a), Const::Net(b)) => a == b,
            (Const::Regex(a), Const::Regex(b)) => a.as_str() == b.as_str(),
            (Const::Dyn(a, x), Const::Dyn(b, y)) => a == b && x == y,
            _ => false,
        }
    }
}

/// Parses an integer as libsinsp does: decimal (with sign) or `0x` hex.
pub(crate) fn parse_int(s: &str) -> Option<i128> {
    let s = s.trim();
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return i128::from_str_radix(h, 16).ok();
    }
    s.parse::<i128>().ok()
}

fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Parses literal `v` for a comparison `op` against a value of type `ty`.
pub(crate) fn constant(
    v: &Value,
    ty: FieldType,
    op: Op,
    field: &str,
) -> Result<Const, ResolveError> {
    let bad = |what: &str| {
        (
            v.span,
            format!(
                "'{}' is not {what} (field '{field}' is {})",
                v.text,
                ty.name()
            ),
        )
    };
    let t = v.text.as_str();
    Ok(match (ty, op) {
        (_, Op::BContains | Op::BStartsWith) => {
            Const::Str(hex_bytes(t).ok_or_else(|| bad("a hex byte string"))?.into())
        }
        (_, Op::Regex) => {
            let re = Regex::new(&format!("^(?:{t})$"))
                .map_err(|e| (v.span, format!("invalid regex '{t}': {e}")))?;
            Const::Regex(re)
        }
        (_, Op::IContains | Op::IGlob) => Const::Str(t.to_ascii_lowercase().into_bytes().into()),
        (FieldType::Str | FieldType::Bytes, _) => Const::Str(t.as_bytes().into()),
        (FieldType::Double, _) => Const::Float(t.parse().map_err(|_| bad("a number"))?),
        (FieldType::U64 | FieldType::Port | FieldType::RelTime | FieldType::AbsTime, _) => {
            let n = parse_int(t).ok_or_else(|| bad("a number"))?;
            if n < 0 {
                return Err(bad("an unsigned number"));
            }
            Const::Int(n)
        }
        (FieldType::I64, _) => Const::Int(parse_int(t).ok_or_else(|| bad("a number"))?),
        (FieldType::Bool, _) => Const::Bool(match t {
            "true" => true,
            "false" => false,
            _ => return Err(bad("a boolean (true or false)")),
        }),
        (FieldType::IpAddr | FieldType::IpNet, _) => {
            Const::Net(IpNet::parse(t).ok_or_else(|| bad("an IP address or CIDR network"))?)
        }
        (FieldType::Dyn, _) => Const::Dyn(t.as_bytes().into(), parse_int(t)),
    })
}

/// Whether operator `op` applies to values of type `ty`.
pub(crate) fn op_allowed(ty: FieldType, op: Op) -> bool {
    use Op::*;
    match ty {
        // libsinsp's `flt_is_comparable_string` allows the relational operators too and
        // compares strings as text (`strcmp`); its parser only lets a number or a field stand
        // on their right (`proc.name > 5`). The byte operators are for buffers only.
        FieldType::Str => !matches!(op, BContains | BStartsWith),
        FieldType::Bytes => matches!(
            op,
            Eq | Ne
                | Contains
                | BContains
                | StartsWith
                | BStartsWith
                | EndsWith
                | Exists
                | In
                | Intersects
        ),
        FieldType::Dyn => !matches!(op, PMatch),
        t if t.is_numeric() => matches!(op, Eq | Ne | Lt | Le | Gt | Ge | In | Intersects | Exists),
        _ => matches!(op, Eq | Ne | In | Intersects | Exists),
    }
}

/// Resolves a field operand. `output` selects the output-format rules (print-only fields
/// allowed, filter-only refused).
pub(crate) fn field_expr(op: &Operand, output: bool) -> Result<FieldExpr, ResolveError> {
    match op {
        Operand::Field { name, arg, span } => {
            let Some((id, info, dotted)) = catalog::lookup(name) else {
                return Err((
                    *span,
                    format!("unknown field '{name}' (see `hindsight fields`)"),
                ));
            };
            if info.has(flags::UNSUPPORTED) {
                return Err((
                    *span,
                    format!(
                        "field '{}' exists in Falco but hindsight cannot compute it ({}); a \
                         rule naming it would never see a value, so remove it from the rule",
                        info.name, info.desc
                    ),
                ));
            }
            if dotted.is_some() && arg.is_some() {
                return Err((
                    *span,
                    format!(
                        "field '{}' has both a dotted and a bracketed argument",
                        info.name
                    ),
                ));
            }
            let arg_text = dotted.or(arg.as_deref());
            let arg = match (info.arg, arg_text) {
                (ArgForm::None, None) => FieldArg::None,
                (ArgForm::None, Some(a)) => {
                    return Err((
                        *span,
                        format!("field '{}' takes no argument, found '{a}'", info.name),
                    ))
                }
                (ArgForm::OptIndex | ArgForm::OptKey, None) => FieldArg::None,
                (ArgForm::Index | ArgForm::Key | ArgForm::IndexOrKey, None) => {
                    return Err((
                        *span,
                        format!(
                            "field '{}' requires an argument ({})",
                            info.name,
                            info.arg.describe()
                        ),
                    ));
                }
                (ArgForm::Index | ArgForm::OptIndex, Some(a)) => match a.parse::<u64>() {
                    Ok(i) => FieldArg::Index(i),
                    Err(_) => {
                        return Err((
                            *span,
                            format!("field '{}' needs a numeric index, found '{a}'", info.name),
                        ))
                    }
                },
                (ArgForm::IndexOrKey, Some(a))
                    if dotted.is_none() && a.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    FieldArg::Index(a.parse().unwrap_or(u64::MAX))
                }
                (_, Some(a)) => FieldArg::Key(a.into()),
            };
            if !output && info.has(flags::PRINT_ONLY) {
                return Err((
                    *span,
                    format!("field '{}' can only be used in outputs", info.name),
                ));
            }
            if output && info.has(flags::FILTER_ONLY) {
                return Err((
                    *span,
                    format!(
                        "field '{}' can only be used in conditions, not in outputs",
                        info.name
                    ),
                ));
            }
            Ok(FieldExpr {
                field: FieldRef { id, arg },
                transforms: Vec::new(),
                ty: info.ty,
            })
        }
        Operand::Transform { tr, inner, span } => {
            let mut fe = field_expr(inner, output)?;
            let info = fe.field.id.info();
            if info.has(flags::NO_TRANSFORMER) {
                return Err((
                    *span,
                    format!("transformers cannot be applied to field '{}'", info.name),
                ));
            }
            let list = info.has(flags::IS_LIST);
            match (tr, fe.ty) {
                (Transformer::Len, FieldType::Str | FieldType::Bytes) => fe.ty = FieldType::U64,
                (Transformer::Len, _) if list => fe.ty = FieldType::U64,
                (_, FieldType::Str | FieldType::Bytes) => {}
                _ => {
                    return Err((
                        *span,
                        format!(
                            "transformer '{}' needs a string field, '{}' is {}",
                            tr.name(),
                            info.name,
                            fe.ty.name()
                        ),
                    ));
                }
            }
            fe.transforms.push(*tr);
            Ok(fe)
        }
    }
}
