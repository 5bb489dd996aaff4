//! The condition parser: text to [`Expr`], following libsinsp's grammar.
//!
//! ```text
//! Or      := And ("or" And)*
//! And     := Not ("and" Not)*
//! Not     := ("not" blank)* (Check | "not(" Or ")")
//! Check   := "(" Or ")" | Operand "exists" | Operand Op Rhs | Identifier
//! Operand := FieldName ("[" Arg "]")? | Transformer "(" Operand ")"
//! Rhs     := number | quoted | bare | "(" values ")" | identifier | "val(" Field ")" | Transformer
//! ```
//!
//! The input is treated as hostile: nesting (parentheses and transformers) is limited to
//! [`MAX_NEST`] levels, so recursion depth is bounded, and every failure is a
//! [`ParseError`] with a byte offset, never a panic.

use thiserror::Error;

use super::ast::{Check, Expr, Op, Operand, Rhs, Span, SrcId, Transformer, Value};
use super::lex::Cursor;

/// The deepest nesting of parentheses and transformers accepted.
pub const MAX_NEST: usize = 100;

/// A syntax error in a condition.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message} (at byte {offset})")]
pub struct ParseError {
    /// Byte offset in the condition where the problem is.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

type PResult<T> = Result<T, ParseError>;

/// Parses one condition. `src` tags the spans of the result.
pub fn parse_condition(text: &str, src: SrcId) -> PResult<Expr> {
    let mut p = Parser {
        c: Cursor::new(text),
        src,
        depth: 0,
    };
    if text.trim().is_empty() {
        return Err(p.err("condition is empty"));
    }
    let e = p.or()?;
    p.c.blank();
    if !p.c.at_end() {
        return Err(p.err("unexpected token, expecting 'and', 'or' or the end of the condition"));
    }
    Ok(e)
}

struct Parser<'a> {
    c: Cursor<'a>,
    src: SrcId,
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, m: impl Into<String>) -> ParseError {
        ParseError {
            offset: self.c.pos,
            message: m.into(),
        }
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.src, start, self.c.pos)
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NEST {
            return Err(self.err(format!("nesting deeper than {MAX_NEST} levels")));
        }
        Ok(())
    }

    fn or(&mut self) -> PResult<Expr> {
        self.enter()?;
        self.c.blank();
        let start = self.c.pos;
        let mut children = vec![self.and()?];
        self.c.blank();
        while self.c.eat("or") {
            let child = if self.c.blank() {
                self.and()?
            } else if self.c.eat("(") {
                self.embedded()?
            } else {
                return Err(self.err("expected a blank or '(' after 'or'"));
            };
            children.push(child);
            self.c.blank();
        }
        self.depth -= 1;
        Ok(if children.len() == 1 {
            children.pop().expect("one child")
        } else {
            Expr::Or(children, self.span(start))
        })
    }

    fn and(&mut self) -> PResult<Expr> {
        self.c.blank();
        let start = self.c.pos;
        let mut children = vec![self.not()?];
        self.c.blank();
        while self.c.eat("and") {
            let child = if self.c.blank() {
                self.not()?
            } else if self.c.eat("(") {
                self.embedded()?
            } else {
                return Err(self.err("expected a blank or '(' after 'and'"));
            };
            children.push(child);
            self.c.blank();
        }
        Ok(if children.len() == 1 {
            children.pop().expect("one child")
        } else {
            Expr::And(children, self.span(start))
        })
    }

    fn not(&mut self) -> PResult<Expr> {
        self.c.blank();
        let start = self.c.pos;
        let mut negate = false;
        while self.c.eat_word("not") {
            self.c.blank();
            negate = !negate;
        }
        let child = if self.c.eat("not(") {
            negate = !negate;
            self.embedded()?
        } else {
            self.check()?
        };
        Ok(if negate {
            Expr::Not(Box::new(child), self.span(start))
        } else {
            child
        })
    }

    /// After an opening parenthesis: `Or ")"`.
    fn embedded(&mut self) -> PResult<Expr> {
        let e = self.or()?;
        self.c.blank();
        if !self.c.eat(")") {
            return Err(self.err("expected ')'"));
        }
        Ok(e)
    }

    fn check(&mut self) -> PResult<Expr> {
        self.c.blank();
        let start = self.c.pos;
        if self.c.eat("(") {
            return self.embedded();
        }
        if let Some(lhs) = self.try_operand()? {
            return self.condition(lhs, start);
        }
        if let Some(id) = self.c.identifier() {
            return Ok(Expr::Ident(id.to_string(), self.span(start)));
        }
        Err(self.err("expected '(', a field check or a macro name"))
    }

    /// A field or a transformer application, if one starts here.
    fn try_operand(&mut self) -> PResult<Option<Operand>> {
        let start = self.c.pos;
        if let Some(name) = self.c.field_name() {
            let arg = self.field_arg()?;
            return Ok(Some(Operand::Field {
                name: name.to_string(),
                arg,
                span: self.span(start),
            }));
        }
        for (name, tr) in Transformer::ALL {
            let save = self.c.pos;
            if self.c.eat(name) && self.c.eat("(") {
                self.enter()?;
                self.c.blank();
                let Some(inner) = self.try_operand()? else {
                    return Err(self.err(format!(
                        "expected a field or a transformer inside '{name}('"
                    )));
                };
                self.c.blank();
                if self.c.peek() == Some(b',') {
                    return Err(self.err(format!("transformer '{name}' takes one argument")));
                }
                if !self.c.eat(")") {
                    return Err(self.err(format!("expected ')' closing '{name}('")));
                }
                self.depth -= 1;
                return Ok(Some(Operand::Transform {
                    tr,
                    inner: Box::new(inner),
                    span: self.span(start),
                }));
            }
            self.c.pos = save;
        }
        Ok(None)
    }

    fn field_arg(&mut self) -> PResult<Option<String>> {
        if !self.c.eat("[") {
            return Ok(None);
        }
        let arg = match self.c.quoted_str().map_err(|m| self.err(m))? {
            Some(s) => s,
            None => match self.c.arg_bare_str() {
                Some(s) => s.to_string(),
                None => return Err(self.err("expected a field argument: a quoted or bare string")),
            },
        };
        if !self.c.eat("]") {
            return Err(self.err("expected ']'"));
        }
        Ok(Some(arg))
    }

    fn condition(&mut self, lhs: Operand, start: usize) -> PResult<Expr> {
        self.c.blank();
        let op_at = self.c.pos;
        let mut op = None;
        for (s, o, word) in Op::SPELLINGS {
            if if word {
                self.c.eat_word(s)
            } else {
                self.c.eat(s)
            } {
                op = Some(o);
                break;
            }
        }
        let Some(op) = op else {
            self.c.pos = op_at;
            let names: Vec<_> = Op::SPELLINGS.iter().map(|s| s.0).collect();
            return Err(self.err(format!("expected an operator, one of: {}", names.join(" "))));
        };
        let rhs = match op {
            Op::Exists => None,
            o if o.is_ordering() => Some(self.num_value()?),
            o if o.takes_list() => Some(self.list_value()?),
            _ => Some(self.str_value()?),
        };
        Ok(Expr::Check(Box::new(Check {
            lhs,
            op,
            rhs,
            span: self.span(start),
        })))
    }

    /// `val(field)` or a transformer, if one starts here.
    fn try_field_rhs(&mut self) -> PResult<Option<Rhs>> {
        let start = self.c.pos;
        if self.c.eat("val(") {
            self.c.blank();
            let fstart = self.c.pos;
            let Some(name) = self.c.field_name() else {
                return Err(self.err("expected a field inside 'val('"));
            };
            let arg = self.field_arg()?;
            let field = Operand::Field {
                name: name.to_string(),
                arg,
                span: self.span(fstart),
            };
            self.c.blank();
            if !self.c.eat(")") {
                return Err(self.err("expected ')' closing 'val('"));
            }
            return Ok(Some(Rhs::Field(field)));
        }
        // A bare field name is a value, not a field; only transformers start an operand here.
        if self.c.field_name().is_some() {
            self.c.pos = start;
            return Ok(None);
        }
        self.c.pos = start;
        for (name, _) in Transformer::ALL {
            if self.c.text[start..].starts_with(name)
                && self.c.text[start + name.len()..].starts_with('(')
            {
                return Ok(self.try_operand()?.map(Rhs::Field));
            }
        }
        Ok(None)
    }

    fn num_value(&mut self) -> PResult<Rhs> {
        self.c.blank();
        if let Some(r) = self.try_field_rhs()? {
            return Ok(r);
        }
        let start = self.c.pos;
        match self.c.number() {
            Some(n) => Ok(Rhs::Value(Value {
                text: n.to_string(),
                quoted: false,
                span: self.span(start),
            })),
            None => Err(self.err("expected a number, or a field with val() or a transformer")),
        }
    }

    fn value(&mut self) -> PResult<Option<Value>> {
        self.c.blank();
        let start = self.c.pos;
        if let Some(s) = self.c.quoted_str().map_err(|m| self.err(m))? {
            return Ok(Some(Value {
                text: s,
                quoted: true,
                span: self.span(start),
            }));
        }
        Ok(self.c.bare_str().map(|s| Value {
            text: s.to_string(),
            quoted: false,
            span: self.span(start),
        }))
    }

    fn str_value(&mut self) -> PResult<Rhs> {
        self.c.blank();
        if let Some(r) = self.try_field_rhs()? {
            return Ok(r);
        }
        match self.value()? {
            Some(v) => Ok(Rhs::Value(v)),
            None => {
                Err(self.err("expected a string value, or a field with val() or a transformer"))
            }
        }
    }

    fn list_value(&mut self) -> PResult<Rhs> {
        self.c.blank();
        let start = self.c.pos;
        if self.c.eat("(") {
            let mut values = Vec::new();
            if let Some(v) = self.value()? {
                values.push(v);
                self.c.blank();
                while self.c.eat(",") {
                    match self.value()? {
                        Some(v) => values.push(v),
                        None => return Err(self.err("expected a value after ','")),
                    }
                    self.c.blank();
                }
            }
            self.c.blank();
            if !self.c.eat(")") {
                return Err(self.err("expected ',' or ')' in list"));
            }
            return Ok(Rhs::List(values, self.span(start)));
        }
        if let Some(r) = self.try_field_rhs()? {
            return Ok(r);
        }
        if let Some(id) = self.c.identifier() {
            return Ok(Rhs::Value(Value {
                text: id.to_string(),
                quoted: false,
                span: self.span(start),
            }));
        }
        Err(self
            .err("expected a list '(...)', a list name, or a field with val() or a transformer"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Expr {
        parse_condition(s, SrcId(0)).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn perr(s: &str) -> ParseError {
        parse_condition(s, SrcId(0)).expect_err(s)
    }

    #[test]
    fn precedence_and_negation() {
        let Expr::Or(c, _) = p("a and b or not c") else {
            panic!()
        };
        assert!(matches!(&c[0], Expr::And(v, _) if v.len() == 2));
        assert!(matches!(&c[1], Expr::Not(..)));
        assert!(matches!(p("not not a"), Expr::Ident(..)));
        assert!(matches!(p("not(a)"), Expr::Not(..)));
        assert!(matches!(p("a and(b or c)"), Expr::And(..)));
        assert!(matches!(p("not_a_macro"), Expr::Ident(ref n, _) if n == "not_a_macro"));
    }

    #[test]
    fn checks_values_and_lists() {
        let Expr::Check(c) = p("proc.name in (nginx, /bin/sh, \"a b\")") else {
            panic!()
        };
        let Some(Rhs::List(v, _)) = &c.rhs else {
            panic!()
        };
        let texts: Vec<_> = v.iter().map(|v| v.text.as_str()).collect();
        assert_eq!(texts, ["nginx", "/bin/sh", "a b"]);
        assert!(v[2].quoted && !v[0].quoted);
        let Expr::Check(c) = p("evt.dir = <") else {
            panic!()
        };
        assert!(matches!(&c.rhs, Some(Rhs::Value(v)) if v.text == "<"));
        let Expr::Check(c) = p("proc.aname[2]=sshd") else {
            panic!()
        };
        assert!(matches!(&c.lhs, Operand::Field { arg: Some(a), .. } if a == "2"));
        let Expr::Check(c) = p("container.mount.dest[/proc*] exists") else {
            panic!()
        };
        assert_eq!(c.op, Op::Exists);
        let Expr::Check(c) = p("fd.typechar='f'") else {
            panic!()
        };
        assert!(matches!(&c.rhs, Some(Rhs::Value(v)) if v.text == "f" && v.quoted));
        let Expr::Check(c) = p("proc.name in ()") else {
            panic!()
        };
        assert!(matches!(&c.rhs, Some(Rhs::List(v, _)) if v.is_empty()));
        let Expr::Check(c) = p("proc.name in shell_binaries") else {
            panic!()
        };
        assert!(matches!(&c.rhs, Some(Rhs::Value(v)) if v.text == "shell_binaries"));
    }

    #[test]
    fn transformers_and_val() {
        let Expr::Check(c) = p("tolower(basename(proc.exe)) = val(proc.name)") else {
            panic!()
        };
        assert!(matches!(
            &c.lhs,
            Operand::Transform {
                tr: Transformer::ToLower,
                ..
            }
        ));
        assert!(
            matches!(&c.rhs, Some(Rhs::Field(Operand::Field { name, .. })) if name == "proc.name")
        );
        let Expr::Check(c) = p("len(proc.args) > 10") else {
            panic!()
        };
        assert!(matches!(
            &c.lhs,
            Operand::Transform {
                tr: Transformer::Len,
                ..
            }
        ));
    }

    #[test]
    fn errors_have_offsets() {
        assert_eq!(perr("(proc.name = a").offset, 14);
        assert_eq!(perr("proc.name").offset, 9);
        assert_eq!(perr("proc.pid > abc").offset, 11);
        assert!(perr("a b").message.contains("unexpected token"));
        assert!(perr("").message.contains("empty"));
        assert!(perr("a orb").message.contains("after 'or'"));
        assert!(perr("proc.name in (a b)").message.contains("list"));
        assert!(perr(&"(".repeat(500)).message.contains("nesting"));
        assert!(perr(&"tolower(".repeat(500)).message.contains("nesting"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn never_panics_on_arbitrary_text(s in "\\PC{0,80}") {
            let _ = parse_condition(&s, SrcId(0));
        }

        #[test]
        fn never_panics_on_condition_like_text(
            s in r#"((not |\(|\)| and | or |proc\.name|fd\.name\[|\]|=|!=| in |,|'|"|\\|tolower\(|val\(|exists|a|/x)){0,40}"#
        ) {
            let _ = parse_condition(&s, SrcId(0));
        }
    }
}
