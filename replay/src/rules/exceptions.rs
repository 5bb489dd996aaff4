//! Rule exceptions: each becomes `and not (...)` appended to the rule's condition.
//!
//! As in Falco, a single-field exception `{fields: f, comps: in, values: [a, b]}` becomes
//! `and not f in (a, b)`, and a tuple exception `{fields: [f1, f2], comps: [=, in],
//! values: [[v1, [x, y]], ...]}` becomes `and not ((f1 = v1 and f2 in (x, y)) or ...)`.
//! Values without blanks are unquoted, so a value naming a list expands to the list's items.
//! The checks are built directly as AST nodes whose spans point at the `exceptions` key.

use serde_yaml::Value as Yaml;

use super::ast::{Check, Expr, Op, Operand, Rhs, Span, SrcId, Value};
use super::diag::Location;
use super::loader::{scalar, Either, ExceptionInfo};
use super::parse::parse_condition;

type ExcError = (Location, String);

fn field(text: &str, src: SrcId, loc: &Location) -> Result<Operand, ExcError> {
    match parse_condition(&format!("{text} exists"), src) {
        Ok(Expr::Check(c)) => Ok(c.lhs),
        _ => Err((loc.clone(), format!("'{text}' is not a valid field"))),
    }
}

fn value(text: String, span: Span) -> Value {
    let quoted = text.contains(' ');
    Value { text, quoted, span }
}

fn check(lhs: Operand, op: Op, rhs: Rhs, span: Span) -> Expr {
    Expr::Check(Box::new(Check {
        lhs,
        op,
        rhs: Some(rhs),
        span,
    }))
}

/// Appends the exceptions `exs` to `cond`. `add_src` registers a span source at a location.
pub(crate) fn apply(
    cond: Expr,
    exs: &[ExceptionInfo],
    mut add_src: impl FnMut(&Location) -> SrcId,
) -> Result<Expr, ExcError> {
    let mut parts = vec![cond];
    for ex in exs {
        let src = add_src(&ex.loc);
        let span = Span::new(src, 0, 0);
        let bad = |m: &str| (ex.loc.clone(), format!("exception '{}': {m}", ex.name));
        let clause = match (&ex.fields, &ex.comps) {
            (Some(Either::One(f)), Some(Either::One(c))) => {
                if ex.values.is_empty() {
                    continue;
                }
                let op =
                    Op::from_name(c.trim()).ok_or_else(|| bad("unknown comparison operator"))?;
                let vals = ex
                    .values
                    .iter()
                    .map(|v| {
                        scalar(v)
                            .map(|t| value(t, span))
                            .ok_or_else(|| bad("expected the values to be a list of strings"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                check(field(f, src, &ex.loc)?, op, Rhs::List(vals, span), span)
            }
            (Some(Either::Many(fs)), Some(Either::Many(cs))) => {
                let mut alts = Vec::new();
                for v in &ex.values {
                    let Yaml::Sequence(items) = v else {
                        return Err(bad("each value must be a list with one entry per field"));
                    };
                    if items.len() != fs.len() {
                        return Err(bad("fields and values lists must have equal length"));
                    }
                    let mut conj = Vec::new();
                    for ((f, c), item) in fs.iter().zip(cs).zip(items) {
                        let op = Op::from_name(c.trim())
                            .ok_or_else(|| bad("unknown comparison operator"))?;
                        let rhs = match item {
                            Yaml::Sequence(list) => Rhs::List(
                                list.iter()
                                    .map(|x| {
                                        scalar(x)
                                            .map(|t| value(t, span))
                                            .ok_or_else(|| bad("list values must be strings"))
                                    })
                                    .collect::<Result<_, _>>()?,
                                span,
                            ),
                            x => {
                                let t = scalar(x).ok_or_else(|| {
                                    bad("values must be strings or lists of strings")
                                })?;
                                if op.takes_list() {
                                    Rhs::List(vec![value(t, span)], span)
                                } else {
                                    Rhs::Value(Value {
                                        quoted: true,
                                        ..value(t, span)
                                    })
                                }
                            }
                        };
                        conj.push(check(field(f, src, &ex.loc)?, op, rhs, span));
                    }
                    alts.push(if conj.len() == 1 {
                        conj.pop().expect("one")
                    } else {
                        Expr::And(conj, span)
                    });
                }
                if alts.is_empty() {
                    continue;
                }
                if alts.len() == 1 {
                    alts.pop().expect("one")
                } else {
                    Expr::Or(alts, span)
                }
            }
            _ => return Err(bad("needs 'fields' (and matching 'comps')")),
        };
        parts.push(Expr::Not(Box::new(clause), span));
    }
    Ok(if parts.len() == 1 {
        parts.pop().expect("one")
    } else {
        let span = parts[0].span();
        Expr::And(parts, span)
    })
}
