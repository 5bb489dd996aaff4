//! sysdig's `-p` output formats: `%field`, `%field[arg]`, `%(field)`, literal text, and a
//! leading `*` meaning "print the line even when a field has no value".
//!
//! Without `*`, a line is printed only when every field has a value; missing values print
//! as `<NA>`. [`DEFAULT_FORMAT`] is sysdig's line format when no `-p` is given.

use thiserror::Error;

use crate::fields::catalog;
use crate::fields::ctx::{Arg, Ctx};
use crate::fields::extract::{extractor, Extractor};
use crate::fields::value::Out;

/// sysdig's default event line (`sysdig -r` without `-p`).
pub const DEFAULT_FORMAT: &str =
    "*%evt.num %evt.time %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.args";

/// A format that could not be parsed.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FormatError {
    /// A `%name` that is not a known field.
    #[error(
        "unknown field `{name}` at byte {offset} of the format; `hindsight fields` lists them"
    )]
    UnknownField {
        /// The name as written.
        name: String,
        /// Byte offset of the `%`.
        offset: usize,
    },
    /// A `%(` without `)` or `[` without `]`.
    #[error("unterminated `{what}` at byte {offset} of the format")]
    Unterminated {
        /// The opening token.
        what: &'static str,
        /// Byte offset of the opening token.
        offset: usize,
    },
}

#[derive(Clone, Debug)]
enum Seg {
    Text(String),
    Field {
        name: String,
        ex: Extractor,
        arg: Option<String>,
    },
}

/// A parsed `-p` format.
#[derive(Clone, Debug)]
pub struct PrintFormat {
    segs: Vec<Seg>,
    print_all: bool,
}

fn is_field_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '_'
}

impl PrintFormat {
    /// Parses a format.
    pub fn parse(text: &str) -> Result<PrintFormat, FormatError> {
        let (print_all, body) = match text.strip_prefix('*') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let base = text.len() - body.len();
        let mut segs = Vec::new();
        let mut lit = String::new();
        let mut it = body.char_indices().peekable();
        while let Some((i, c)) = it.next() {
            if c != '%' {
                lit.push(c);
                continue;
            }
            let start = i + 1;
            let rest = &body[start..];
            let (spec, consumed) = if let Some(inner) = rest.strip_prefix('(') {
                let Some(end) = inner.find(')') else {
                    return Err(FormatError::Unterminated {
                        what: "%(",
                        offset: base + i,
                    });
                };
                (&inner[..end], end + 2)
            } else {
                let mut end = rest.find(|c: char| !is_field_char(c)).unwrap_or(rest.len());
                // A trailing dot is punctuation, not part of the name.
                while end > 0 && rest[..end].ends_with('.') {
                    end -= 1;
                }
                if rest[end..].starts_with('[') {
                    match rest[end..].find(']') {
                        Some(close) => end += close + 1,
                        None => {
                            return Err(FormatError::Unterminated {
                                what: "[",
                                offset: base + i,
                            })
                        }
                    }
                }
                (&rest[..end], end)
            };
            if spec.is_empty() {
                lit.push('%');
                continue;
            }
            for _ in 0..consumed {
                it.next_if(|&(j, _)| j < start + consumed);
            }
            let (name, bracket) = match spec.find('[') {
                Some(b) => (&spec[..b], Some(spec[b + 1..spec.len() - 1].to_owned())),
                None => (spec, None),
            };
            let Some((id, _, dotted)) = catalog::lookup(name) else {
                return Err(FormatError::UnknownField {
                    name: spec.to_owned(),
                    offset: base + i,
                });
            };
            let Some(ex) = extractor(id) else {
                return Err(FormatError::UnknownField {
                    name: spec.to_owned(),
                    offset: base + i,
                });
            };
            if !lit.is_empty() {
                segs.push(Seg::Text(std::mem::take(&mut lit)));
            }
            segs.push(Seg::Field {
                name: spec.to_owned(),
                ex,
                arg: bracket.or(dotted.map(str::to_owned)),
            });
        }
        if !lit.is_empty() {
            segs.push(Seg::Text(lit));
        }
        Ok(PrintFormat { segs, print_all })
    }

    /// The field names of the format, in order (as written, with their arguments).
    pub fn field_names(&self) -> Vec<String> {
        self.segs
            .iter()
            .filter_map(|s| match s {
                Seg::Field { name, .. } => Some(name.clone()),
                Seg::Text(_) => None,
            })
            .collect()
    }

    /// Renders the line for the event in `c` into `line` (cleared first). Returns `false`
    /// when the line must not be printed (a field without value and no `*`). In current
    /// libs' view strings print sanitised, as their outputs print them.
    pub fn render(&self, c: &Ctx<'_>, out: &mut Out, line: &mut Vec<u8>) -> bool {
        line.clear();
        for seg in &self.segs {
            match seg {
                Seg::Text(t) => line.extend_from_slice(t.as_bytes()),
                Seg::Field { ex, arg, .. } => {
                    let a = match arg.as_deref() {
                        None => Arg::None,
                        Some(k) => match k.parse::<u64>() {
                            Ok(i) => Arg::Index(i),
                            Err(_) => Arg::Key(k),
                        },
                    };
                    out.clear();
                    if ex.extract(&a, c, out) && !out.is_empty() {
                        out.render_all_in(b",", c.libs, line);
                    } else if self.print_all {
                        line.extend_from_slice(b"<NA>");
                    } else {
                        return false;
                    }
                }
            }
        }
        true
    }
}
