//! Macro and list expansion: identifiers become the macros they name, list names inside
//! list operands become the list's items.
//!
//! Visibility follows Falco: a macro sees the macros defined (first) before its own last
//! definition or append; rules see every macro. A list name is replaced wherever it appears as
//! an unquoted item of a list operand (`proc.name in (shell_binaries, sudo)`) or as the
//! bare operand of `in`/`intersects`/`pmatch`; lists were flattened at definition, so
//! nested lists expand too. Each macro is expanded once and memoized; loops between macros are
//! errors, and so is expansion deeper than [`MAX_DEPTH`](super::compile::MAX_DEPTH).

use std::collections::HashMap;

use super::ast::{Check, Expr, Rhs, Span, Value};
use super::compile::MAX_DEPTH;

/// Why a macro cannot be expanded.
#[derive(Clone, Debug)]
pub(crate) enum MacroState {
    /// Parsed, not yet expanded.
    Parsed(Expr),
    /// Being expanded (a reference now is a loop).
    InProgress,
    /// Expanded.
    Done(Expr),
    /// Broken (its own error was reported at its definition).
    Broken,
}

/// One macro for expansion.
#[derive(Clone)]
pub(crate) struct MacroEntry {
    pub name: String,
    pub index: u32,
    pub visibility: u32,
    pub state: MacroState,
    pub used: bool,
}

/// Expands conditions against a set of macros and lists.
pub(crate) struct Expander<'l> {
    pub macros: Vec<MacroEntry>,
    pub by_name: HashMap<String, usize>,
    pub lists: &'l HashMap<String, (Vec<String>, usize)>,
    pub used_lists: Vec<bool>,
}

/// An expansion error: where and what.
pub(crate) type ExpandError = (Span, String);

impl Expander<'_> {
    /// Expands `e`, seeing macros whose index is below `visibility`.
    pub fn expand(&mut self, e: &Expr, visibility: u32) -> Result<Expr, ExpandError> {
        self.walk(e, visibility, 0)
    }

    /// Expands macro `i` (memoized).
    pub fn expand_macro(&mut self, i: usize, span: Span) -> Result<Expr, ExpandError> {
        self.expand_macro_at(i, span, 0)
    }

    fn expand_macro_at(&mut self, i: usize, span: Span, depth: usize) -> Result<Expr, ExpandError> {
        let state = std::mem::replace(&mut self.macros[i].state, MacroState::InProgress);
        let name = self.macros[i].name.clone();
        let result = match state {
            MacroState::Done(e) => Ok(e),
            MacroState::InProgress => Err((
                span,
                format!("macro '{name}' refers to itself (loop between macros)"),
            )),
            MacroState::Broken => Err((
                span,
                format!("macro '{name}' is invalid (see its own error)"),
            )),
            MacroState::Parsed(e) => self.walk(&e, self.macros[i].visibility, depth + 1),
        };
        self.macros[i].state = match &result {
            Ok(e) => MacroState::Done(e.clone()),
            Err(_) => MacroState::Broken,
        };
        result
    }

    fn walk(&mut self, e: &Expr, vis: u32, depth: usize) -> Result<Expr, ExpandError> {
        if depth > MAX_DEPTH {
            return Err((
                e.span(),
                format!("condition nests deeper than {MAX_DEPTH} levels after macro expansion"),
            ));
        }
        Ok(match e {
            Expr::And(v, s) => Expr::And(
                v.iter()
                    .map(|c| self.walk(c, vis, depth + 1))
                    .collect::<Result<_, _>>()?,
                *s,
            ),
            Expr::Or(v, s) => Expr::Or(
                v.iter()
                    .map(|c| self.walk(c, vis, depth + 1))
                    .collect::<Result<_, _>>()?,
                *s,
            ),
            Expr::Not(c, s) => Expr::Not(Box::new(self.walk(c, vis, depth + 1)?), *s),
            Expr::Ident(name, span) => {
                let Some(&i) = self
                    .by_name
                    .get(name)
                    .filter(|&&i| self.macros[i].index < vis)
                else {
                    return Err((*span, format!("undefined macro '{name}' used in condition")));
                };
                self.macros[i].used = true;
                self.expand_macro_at(i, *span, depth)?
            }
            Expr::Check(c) => Expr::Check(Box::new(self.check(c))),
        })
    }

    fn splice(&mut self, out: &mut Vec<Value>, v: &Value) {
        if !v.quoted {
            if let Some((items, idx)) = self.lists.get(&v.text) {
                self.used_lists[*idx] = true;
                out.extend(items.iter().map(|t| list_item(t, v.span)));
                return;
            }
        }
        out.push(v.clone());
    }

    fn check(&mut self, c: &Check) -> Check {
        let rhs = match &c.rhs {
            Some(Rhs::List(vs, s)) => {
                let mut out = Vec::with_capacity(vs.len());
                for v in vs {
                    self.splice(&mut out, v);
                }
                Some(Rhs::List(out, *s))
            }
            Some(Rhs::Value(v)) if c.op.takes_list() => {
                let mut out = Vec::new();
                self.splice(&mut out, v);
                Some(Rhs::List(out, v.span))
            }
            other => other.clone(),
        };
        Check {
            lhs: c.lhs.clone(),
            op: c.op,
            rhs,
            span: c.span,
        }
    }
}

/// A list item as a condition value. Falco pastes list items into the condition text, so an
/// item written with quotes (`'"10.0.0.0/8"'`) is a quoted string and is unescaped.
fn list_item(t: &str, span: Span) -> Value {
    if t.starts_with(['"', '\'']) {
        let mut c = super::lex::Cursor::new(t);
        if let Ok(Some(s)) = c.quoted_str() {
            if c.at_end() {
                return Value {
                    text: s,
                    quoted: true,
                    span,
                };
            }
        }
    }
    Value {
        text: t.to_string(),
        quoted: false,
        span,
    }
}
