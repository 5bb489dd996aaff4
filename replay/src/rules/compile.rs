//! The compiled condition: a flat, typed program built once from an expanded AST.
//!
//! A [`Condition`] is a vector of instructions over a vector of typed checks. `and`/`or`
//! become short-circuit forward jumps and `not` an inversion of the accumulator, so
//! evaluation is a loop, never a recursion, whatever the nesting of the source. Constants stay
//! scalars; lists of strings become hash sets, other lists sorted sets searched by binary
//! search.

use super::ast::{Check as AstCheck, Expr, Op, Rhs, Value};
use super::rawarg::{self, RawConst};
use super::resolve::{self, Const, FieldExpr, IpNet, ResolveError};
use super::values::FieldArg;
use crate::fields::catalog::{flags, FieldType};

/// The deepest expanded expression accepted (macros inside macros inside parentheses).
pub const MAX_DEPTH: usize = 256;

/// A set of constants for `in`, `intersects` and `pmatch`.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstSet {
    /// Byte strings.
    Str(StrSet),
    /// Sorted integers.
    Int(Vec<i128>),
    /// Floats.
    Float(Vec<f64>),
    /// Booleans present in the list.
    Bool([bool; 2]),
    /// Networks (addresses are host networks).
    Net(Vec<IpNet>),
    /// Dynamically typed values: (text, integer reading).
    Dyn(Vec<(Box<[u8]>, Option<i128>)>),
    /// Path prefixes for `pmatch`.
    Paths(Vec<Box<[u8]>>),
    /// `evt.rawarg` constants as libsinsp parses them ([`super::rawarg`]).
    Raw(Vec<RawConst>),
}

/// A set of byte strings, looked up by hash: a rule's lists (`proc.name in (shell_binaries)`)
/// hold dozens of names and are met on every event of the rule's types, where a binary
/// search cost a libc `memcmp` call per step. Seeded per process, like the state tables.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StrSet(std::collections::HashSet<Box<[u8]>, foldhash::fast::RandomState>);

impl StrSet {
    /// Whether `s` is in the set.
    pub fn contains(&self, s: &[u8]) -> bool {
        self.0.contains(s)
    }
}

impl FromIterator<Box<[u8]>> for StrSet {
    fn from_iter<I: IntoIterator<Item = Box<[u8]>>>(iter: I) -> StrSet {
        StrSet(iter.into_iter().collect())
    }
}

/// The right-hand side of a compiled check.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// No operand (`exists`).
    None,
    /// One constant.
    Const(Const),
    /// A list of constants.
    Set(ConstSet),
    /// Another field (`val(...)` or a transformed field).
    Field(FieldExpr),
}

/// One typed comparison. Two checks are equal when they compare the same field the same way
/// with the same operand, wherever they were written: a rule set evaluates such checks once
/// per event ([`super::memo`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// The field on the left.
    pub lhs: FieldExpr,
    /// The operator.
    pub op: Op,
    /// The right-hand side.
    pub rhs: Operand,
}

/// One instruction of a compiled condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Instr {
    /// Evaluate check `n` into the accumulator.
    Check(u32),
    /// If the accumulator is false, jump to the instruction index.
    JumpIfFalse(u32),
    /// If the accumulator is true, jump to the instruction index.
    JumpIfTrue(u32),
    /// Invert the accumulator.
    Not,
    /// Set the accumulator (empty `and`/`or`, never produced by the parser).
    Const(bool),
}

/// A compiled condition: immutable, `Send + Sync`, evaluated with [`Condition::eval`].
#[derive(Clone, Debug, Default)]
pub struct Condition {
    pub(crate) code: Vec<Instr>,
    pub(crate) checks: Vec<Check>,
    /// The slot of each check in its rule set's [`super::memo::CheckMemo`]; empty for a
    /// condition outside a rule set.
    pub(crate) slots: Vec<u32>,
}

impl Condition {
    /// The checks, in source order (for tools that list the fields a rule uses).
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }
}

/// Compiles an expanded expression (no macro names left).
pub(crate) fn compile(e: &Expr) -> Result<Condition, ResolveError> {
    let mut c = Condition::default();
    emit(&mut c, e, 0)?;
    Ok(c)
}

fn emit(c: &mut Condition, e: &Expr, depth: usize) -> Result<(), ResolveError> {
    if depth > MAX_DEPTH {
        return Err((
            e.span(),
            format!("condition nests deeper than {MAX_DEPTH} levels after macro expansion"),
        ));
    }
    match e {
        Expr::And(v, _) | Expr::Or(v, _) => {
            let and = matches!(e, Expr::And(..));
            if v.is_empty() {
                c.code.push(Instr::Const(and));
                return Ok(());
            }
            let mut patches = Vec::new();
            for (i, child) in v.iter().enumerate() {
                emit(c, child, depth + 1)?;
                if i + 1 < v.len() {
                    patches.push(c.code.len());
                    c.code.push(if and {
                        Instr::JumpIfFalse(0)
                    } else {
                        Instr::JumpIfTrue(0)
                    });
                }
            }
            let end = c.code.len() as u32;
            for p in patches {
                c.code[p] = if and {
                    Instr::JumpIfFalse(end)
                } else {
                    Instr::JumpIfTrue(end)
                };
            }
        }
        Expr::Not(inner, _) => {
            emit(c, inner, depth + 1)?;
            c.code.push(Instr::Not);
        }
        Expr::Ident(name, span) => return Err((*span, format!("undefined macro '{name}'"))),
        Expr::Check(chk) => {
            let compiled = check(chk)?;
            c.code.push(Instr::Check(c.checks.len() as u32));
            c.checks.push(compiled);
        }
    }
    Ok(())
}

fn set(values: &[Value], ty: FieldType, op: Op, field: &str) -> Result<ConstSet, ResolveError> {
    if op == Op::PMatch {
        let mut v: Vec<Box<[u8]>> = values.iter().map(|v| v.text.as_bytes().into()).collect();
        v.sort();
        return Ok(ConstSet::Paths(v));
    }
    let consts = values
        .iter()
        .map(|v| resolve::constant(v, ty, Op::Eq, field))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(match ty {
        FieldType::Str | FieldType::Bytes => ConstSet::Str(
            consts
                .into_iter()
                .filter_map(|c| if let Const::Str(s) = c { Some(s) } else { None })
                .collect(),
        ),
        FieldType::Double => ConstSet::Float(
            consts
                .into_iter()
                .filter_map(|c| {
                    if let Const::Float(f) = c {
                        Some(f)
                    } else {
                        None
                    }
                })
                .collect(),
        ),
        FieldType::Bool => {
            let mut b = [false; 2];
            for c in consts {
                if let Const::Bool(x) = c {
                    b[usize::from(x)] = true;
                }
            }
            ConstSet::Bool(b)
        }
        FieldType::IpAddr | FieldType::IpNet => ConstSet::Net(
            consts
                .into_iter()
                .filter_map(|c| if let Const::Net(n) = c { Some(n) } else { None })
                .collect(),
        ),
        FieldType::Dyn => ConstSet::Dyn(
            consts
                .into_iter()
                .filter_map(|c| {
                    if let Const::Dyn(t, n) = c {
                        Some((t, n))
                    } else {
                        None
                    }
                })
                .collect(),
        ),
        _ => {
            let mut v: Vec<i128> = consts
                .into_iter()
                .filter_map(|c| if let Const::Int(i) = c { Some(i) } else { None })
                .collect();
            v.sort_unstable();
            v.dedup();
            ConstSet::Int(v)
        }
    })
}

fn compatible(a: FieldType, b: FieldType) -> bool {
    a == b
        || (a.is_numeric() && b.is_numeric())
        || matches!(
            (a, b),
            (
                FieldType::IpAddr | FieldType::IpNet,
                FieldType::IpAddr | FieldType::IpNet
            )
        )
        || a == FieldType::Dyn
        || b == FieldType::Dyn
}

fn check(c: &AstCheck) -> Result<Check, ResolveError> {
    let lhs = resolve::field_expr(&c.lhs, false)?;
    let name = lhs.field.id.info().name;
    if !resolve::op_allowed(lhs.ty, c.op) || (c.op == Op::PMatch && lhs.ty != FieldType::Str) {
        return Err((
            c.span,
            format!(
                "operator '{}' cannot be used with field '{name}' of type {}",
                c.op.name(),
                lhs.ty.name()
            ),
        ));
    }
    let rhs = match &c.rhs {
        None => Operand::None,
        Some(Rhs::Value(v)) if c.op.takes_list() => {
            Operand::Set(set(std::slice::from_ref(v), lhs.ty, c.op, name)?)
        }
        Some(Rhs::Value(v)) => Operand::Const(resolve::constant(v, lhs.ty, c.op, name)?),
        Some(Rhs::List(vs, span)) => {
            if !c.op.takes_list() {
                return Err((
                    *span,
                    format!("operator '{}' does not take a list", c.op.name()),
                ));
            }
            Operand::Set(set(vs, lhs.ty, c.op, name)?)
        }
        Some(Rhs::Field(op)) => {
            let r = resolve::field_expr(op, false)?;
            let rinfo = r.field.id.info();
            if rinfo.has(flags::NO_RHS) && r.transforms.is_empty() {
                return Err((
                    op.span(),
                    format!(
                        "field '{}' cannot be used on the right of a comparison",
                        rinfo.name
                    ),
                ));
            }
            if c.op.takes_list() {
                return Err((
                    op.span(),
                    format!("operator '{}' needs a list, not a field", c.op.name()),
                ));
            }
            if !compatible(lhs.ty, r.ty) {
                return Err((
                    op.span(),
                    format!(
                        "cannot compare '{name}' ({}) with '{}' ({})",
                        lhs.ty.name(),
                        rinfo.name,
                        r.ty.name()
                    ),
                ));
            }
            Operand::Field(r)
        }
    };
    if name == "evt.around" {
        return around(c, lhs, rhs);
    }
    if name == "evt.rawarg" {
        return rawarg(c, lhs, rhs);
    }
    Ok(Check { lhs, op: c.op, rhs })
}

/// `evt.rawarg.NAME` against constants: the constants parsed with the type of the parameter
/// libsinsp declares for `NAME` when it compiles the rule, compared at each event with the
/// event's own type ([`super::rawarg`]).
fn rawarg(c: &AstCheck, lhs: FieldExpr, rhs: Operand) -> Result<Check, ResolveError> {
    let key = match &lhs.field.arg {
        FieldArg::Key(k) => k.to_string(),
        FieldArg::Index(i) => i.to_string(),
        FieldArg::None => String::new(),
    };
    let declared = rawarg::declared(&key)
        .filter(|d| d.name == key)
        .ok_or_else(|| (c.span, format!("unknown event argument '{key}'")))?;
    if !rawarg::op_allowed(c.op, declared.ty) {
        return Err((
            c.span,
            format!(
                "operator '{}' cannot be used with 'evt.rawarg.{key}': libsinsp types it as the \
                 parameter '{key}' of the first event that has one ({:?})",
                c.op.name(),
                declared.ty
            ),
        ));
    }
    let parse = |t: &[u8]| {
        RawConst::parse(&String::from_utf8_lossy(t), declared.ty)
            .map_err(|e| (c.span, format!("evt.rawarg.{key}: {e}")))
    };
    let rhs = match rhs {
        Operand::Const(Const::Dyn(t, _)) => Operand::Const(Const::Raw(parse(&t)?)),
        Operand::Set(ConstSet::Dyn(ks)) => Operand::Set(ConstSet::Raw(
            ks.iter().map(|(t, _)| parse(t)).collect::<Result<_, _>>()?,
        )),
        other => other,
    };
    Ok(Check { lhs, op: c.op, rhs })
}

/// `evt.around[T] = D`: libsinsp's only comparison of `evt.around`, true when the event is
/// within `D` milliseconds of `T` (`sinsp_filter_check_event::compare`). The field extracts
/// the distance to `T` in nanoseconds, so the check becomes `<= D * 1e6`.
fn around(c: &AstCheck, lhs: FieldExpr, rhs: Operand) -> Result<Check, ResolveError> {
    match (c.op, rhs) {
        (Op::Eq, Operand::Const(Const::Int(ms))) if ms >= 0 => Ok(Check {
            lhs,
            op: Op::Le,
            rhs: Operand::Const(Const::Int(ms.saturating_mul(1_000_000))),
        }),
        (Op::Eq, _) => Err((
            c.span,
            "evt.around compares with a number of milliseconds".to_owned(),
        )),
        _ => Err((
            c.span,
            "evt.around supports only '=' comparison operator".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::ast::SrcId;
    use crate::rules::parse::parse_condition;

    fn compiled(text: &str) -> Result<Condition, ResolveError> {
        compile(&parse_condition(text, SrcId(0)).expect("condition parses"))
    }

    #[test]
    fn evt_around_becomes_a_distance_bound() {
        let c = compiled("evt.around[1000000000] = 2").expect("compiles");
        let chk = &c.checks()[0];
        assert_eq!(chk.op, Op::Le);
        assert!(matches!(chk.rhs, Operand::Const(Const::Int(2_000_000))));
        let err = compiled("evt.around[1000000000] > 2").expect_err("only = is allowed");
        assert!(err.1.contains("only '='"), "{}", err.1);
        assert!(compiled("evt.around = 2").is_err());
    }
}
