//! Output format strings: `%field`, `%field[arg]`, `%(field)`, `%container.info`, parsed and
//! checked at load time.
//!
//! As in libsinsp's formatter, a `%` is followed by an optional width, then the longest prefix
//! that names a known field (so `%proc.name)` is `proc.name` followed by `)`), or a field in
//! parentheses. `%container.info` is kept as its own segment: Falco renders it as the
//! container's id and name. A leading `*` means "render even if some fields have no value".

use std::fmt::Write as _;

use super::ast::{Operand, Span, SrcId, Transformer};
use super::eval::{extract_in, EvalScratch};
use super::lex::Cursor;
use super::resolve::{field_expr, FieldExpr};
use super::values::{FieldSource, ValueRef};
use crate::fields::catalog;

/// One piece of an output format.
#[derive(Clone, Debug)]
pub enum Segment {
    /// Literal text.
    Text(String),
    /// A field to render.
    Field(FieldExpr),
    /// `%container.info`: the container id and name.
    ContainerInfo,
}

/// A parsed output format.
#[derive(Clone, Debug, Default)]
pub struct OutputFormat {
    /// Segments in order.
    pub segments: Vec<Segment>,
    /// False when the format started with `*` (render `<NA>` fields instead of giving up).
    pub require_all_values: bool,
}

/// An output format error: byte offset and message.
pub type OutputError = (usize, String);

impl OutputFormat {
    /// Parses and checks a format string.
    pub fn parse(fmt: &str) -> Result<OutputFormat, OutputError> {
        let (body, base, require_all_values) = match fmt.strip_prefix('*') {
            Some(rest) => (rest, 1, false),
            None => (fmt, 0, true),
        };
        let mut segments = Vec::new();
        let mut text = String::new();
        let b = body.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let Some(off) = body[i..].find('%') else {
                text.push_str(&body[i..]);
                break;
            };
            text.push_str(&body[i..i + off]);
            let mut j = i + off + 1;
            if j >= b.len() {
                return Err((base + j - 1, "format cannot end with '%'".into()));
            }
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let (seg, next) = parse_token(body, j).map_err(|(o, m)| (base + o, m))?;
            if !text.is_empty() {
                segments.push(Segment::Text(std::mem::take(&mut text)));
            }
            segments.push(seg);
            i = next;
        }
        if !text.is_empty() {
            segments.push(Segment::Text(text));
        }
        Ok(OutputFormat {
            segments,
            require_all_values,
        })
    }

    /// The fields the format renders, in order.
    pub fn fields(&self) -> impl Iterator<Item = &FieldExpr> {
        self.segments.iter().filter_map(|s| {
            if let Segment::Field(f) = s {
                Some(f)
            } else {
                None
            }
        })
    }

    /// Whether the format has `%container.info`, which Falco replaces by
    /// `container_id=%container.id container_name=%container.name`.
    pub fn has_container_info(&self) -> bool {
        self.segments
            .iter()
            .any(|s| matches!(s, Segment::ContainerInfo))
    }

    /// Renders the format for the current event: field values joined by `,` when several,
    /// `<NA>` when missing. `%container.info` renders `container.id` and `container.name`.
    pub fn render<S: FieldSource + ?Sized>(
        &self,
        src: &mut S,
        scratch: &mut EvalScratch,
        out: &mut String,
    ) {
        for s in &self.segments {
            match s {
                Segment::Text(t) => out.push_str(t),
                Segment::Field(f) => render_field(f, src, scratch, out),
                Segment::ContainerInfo => {
                    for (i, name) in ["container.id", "container.name"].iter().enumerate() {
                        out.push_str(if i == 0 {
                            "container_id="
                        } else {
                            " container_name="
                        });
                        if let Some((id, info)) = catalog::field(name) {
                            let fe = FieldExpr {
                                field: super::values::FieldRef {
                                    id,
                                    arg: super::values::FieldArg::None,
                                },
                                transforms: vec![],
                                ty: info.ty,
                            };
                            render_field(&fe, src, scratch, out);
                        }
                    }
                }
            }
        }
    }
}

fn render_field<S: FieldSource + ?Sized>(
    f: &FieldExpr,
    src: &mut S,
    scratch: &mut EvalScratch,
    out: &mut String,
) {
    let (vals, tmp) = scratch.render_buffers();
    let form = OutputForm::of(f);
    let sanitize = src.sanitizes_strings();
    if form == OutputForm::Missing || !extract_in(f, src, vals, tmp, sanitize) {
        out.push_str("<NA>");
        return;
    }
    // A list prints `(a,b)`, `()` when empty (libsinsp's `sinsp_filter_check::tostring`).
    if form == OutputForm::List {
        out.push('(');
    } else if vals.is_empty() {
        out.push_str("<NA>");
        return;
    }
    if form == OutputForm::IpNet {
        out.push_str(IPNET_TEXT);
        return;
    }
    // Several values of one field (`proc.aname` without an index) are one space-separated
    // string in libsinsp's outputs; a list's values are separated by commas.
    let sep = if form == OutputForm::List { ',' } else { ' ' };
    for (i, v) in vals.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        let _ = match v {
            ValueRef::U64(x) if form == OutputForm::Hex => write!(out, "{x:X}"),
            ValueRef::I64(x) if form == OutputForm::Hex => write!(out, "{x:X}"),
            ValueRef::Str(s) if f.ty == catalog::FieldType::Bytes => {
                out.extend(s.iter().map(|&b| printable(b)));
                Ok(())
            }
            // A transformer's output is not sanitised again (see `extract_in`).
            ValueRef::Str(s) if sanitize && f.transforms.is_empty() => {
                crate::fields::sanitize::push_sanitized(out, s);
                Ok(())
            }
            ValueRef::Str(s) => {
                out.push_str(&String::from_utf8_lossy(s));
                Ok(())
            }
            ValueRef::U64(x) => write!(out, "{x}"),
            ValueRef::I64(x) => write!(out, "{x}"),
            ValueRef::Bool(x) => write!(out, "{x}"),
            ValueRef::Ip(x) => write!(out, "{x}"),
            // libsinsp prints doubles with one decimal (`%.1lf`).
            ValueRef::Double(x) => write!(out, "{x:.1}"),
        };
    }
    if form == OutputForm::List {
        out.push(')');
    }
}

/// How libsinsp's formatter prints one byte of a buffer field (`evt.buffer`): printable ASCII
/// as itself, anything else as `.`.
pub fn printable(b: u8) -> char {
    if b == b' ' || b.is_ascii_graphic() {
        char::from(b)
    } else {
        '.'
    }
}

/// What libsinsp prints for a network-typed field (`fd.cnet`) in outputs.
pub const IPNET_TEXT: &str = "<IPNET>";

/// How a field renders in an output, where libsinsp's formatter differs from the value a
/// condition sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputForm {
    /// The extracted value(s).
    Value,
    /// Always `<NA>` (`null` in `output_fields`): fields with no single value
    /// ([`catalog::flags::NO_OUTPUT_VALUE`]: `fd.ip`, `fd.port`, `fd.net`...) and `len()`,
    /// whose number libsinsp's formatter does not print.
    Missing,
    /// The text `<IPNET>` when the field has a value: libsinsp prints network-typed fields
    /// (`fd.cnet`) so.
    IpNet,
    /// The values of a list field (`fd.types`) as libsinsp's formatter prints lists:
    /// `(a,b)`.
    List,
    /// An integer in uppercase hexadecimal (`fd.dev`, libsinsp's `PF_HEX`).
    Hex,
}

impl OutputForm {
    /// The form of `f` in outputs.
    pub fn of(f: &FieldExpr) -> OutputForm {
        let info = f.field.id.info();
        if info.has(catalog::flags::NO_OUTPUT_VALUE) || f.transforms.contains(&Transformer::Len) {
            OutputForm::Missing
        } else if info.ty == catalog::FieldType::IpNet {
            OutputForm::IpNet
        } else if info.has(catalog::flags::IS_LIST) {
            OutputForm::List
        } else if info.has(catalog::flags::HEX) && f.transforms.is_empty() {
            OutputForm::Hex
        } else {
            OutputForm::Value
        }
    }
}

/// Parses the token after `%` (and its width) at byte `j`; returns the segment and the
/// offset after it.
fn parse_token(body: &str, j: usize) -> Result<(Segment, usize), OutputError> {
    if body[j..].starts_with('(') {
        let Some(close) = body[j..].find(')') else {
            return Err((j, "unterminated '%(' in output".into()));
        };
        let inner = body[j + 1..j + close].trim();
        let (seg, used) = field_token(inner, j + 1)?;
        if used != inner.len() {
            return Err((j + 1, format!("invalid field '{inner}' in '%(...)'")));
        }
        return Ok((seg, j + close + 1));
    }
    let (seg, used) = field_token(&body[j..], j)?;
    Ok((seg, j + used))
}

/// A field, a transformed field (`%toupper(proc.name)`) or `%container.info` at the start
/// of `s`.
fn field_token(s: &str, at: usize) -> Result<(Segment, usize), OutputError> {
    if s.starts_with("container.info")
        && !s[14..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    {
        return Ok((Segment::ContainerInfo, 14));
    }
    let (op, end) = operand_token(s, at)?;
    let fe = field_expr(&op, true).map_err(|(_, m)| (at, m))?;
    Ok((Segment::Field(fe), end))
}

/// A field operand at the start of `s`: `tr(operand)` for a transformer `tr` (nested as in
/// libsinsp's formatter), else the longest known field name with its optional `[arg]`.
fn operand_token(s: &str, at: usize) -> Result<(Operand, usize), OutputError> {
    for (name, tr) in Transformer::ALL {
        let Some(rest) = s.strip_prefix(name).and_then(|r| r.strip_prefix('(')) else {
            continue;
        };
        let open = name.len() + 1;
        let (inner, used) = operand_token(rest, at + open)?;
        if !rest[used..].starts_with(')') {
            return Err((
                at + open + used,
                format!("expected ')' to close the transformer '{name}('"),
            ));
        }
        let end = open + used + 1;
        let span = Span::new(SrcId(0), at, at + end);
        return Ok((
            Operand::Transform {
                tr,
                inner: Box::new(inner),
                span,
            },
            end,
        ));
    }
    let mut c = Cursor::new(s);
    let Some(full) = c.field_name() else {
        return Err((
            at,
            format!(
                "invalid formatting token: expected a field name after '%', found '{}'",
                s.chars().take(20).collect::<String>()
            ),
        ));
    };
    let mut len = full.len();
    while len > 0 {
        let name = &full[..len];
        if !name.ends_with('.') && catalog::lookup(name).is_some() {
            break;
        }
        len -= 1;
    }
    if len == 0 || !full[..len].contains('.') {
        return Err((
            at,
            format!("unknown field '{full}' in output (see `hindsight fields`)"),
        ));
    }
    let mut end = len;
    let mut arg = None;
    if len == full.len() && s[len..].starts_with('[') {
        if let Some(close) = s[len..].find(']') {
            arg = Some(s[len + 1..len + close].to_string());
            end = len + close + 1;
        }
    }
    let op = Operand::Field {
        name: full[..len].to_string(),
        arg,
        span: Span::new(SrcId(0), at, at + end),
    };
    Ok((op, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(f: &OutputFormat) -> Vec<String> {
        f.segments
            .iter()
            .map(|s| match s {
                Segment::Text(t) => format!("'{t}'"),
                Segment::Field(f) => f.field.display(),
                Segment::ContainerInfo => "container.info".into(),
            })
            .collect()
    }

    #[test]
    fn parses_fields_args_and_container_info() {
        let f = OutputFormat::parse(
            "shell (user=%user.name %container.info parent=%proc.aname[2]) %evt.arg.flags.",
        )
        .unwrap();
        assert_eq!(
            names(&f),
            [
                "'shell (user='",
                "user.name",
                "' '",
                "container.info",
                "' parent='",
                "proc.aname[2]",
                "') '",
                "evt.arg.flags",
                "'.'"
            ]
        );
        let f = OutputFormat::parse("*%(proc.name)x %proc.namex").unwrap();
        assert!(!f.require_all_values);
        assert_eq!(names(&f), ["proc.name", "'x '", "proc.name", "'x'"]);
    }

    #[test]
    fn rejects_bad_tokens() {
        assert!(OutputFormat::parse("a %").is_err());
        assert!(OutputFormat::parse("%nosuch.field")
            .unwrap_err()
            .1
            .contains("unknown field"));
        assert!(OutputFormat::parse("%thread.cpu")
            .unwrap_err()
            .1
            .contains("cannot compute"));
        assert!(OutputFormat::parse("%toupper(proc.name").is_err());
        assert_eq!(OutputFormat::parse("ab %1x").unwrap_err().0, 5);
    }

    #[test]
    fn network_fields_and_transformers_render_as_falco_prints_them() {
        let f = OutputFormat::parse("%fd.net %fd.cnet %toupper(basename(fd.name))").unwrap();
        let forms: Vec<OutputForm> = f.fields().map(OutputForm::of).collect();
        assert_eq!(
            forms,
            [OutputForm::Missing, OutputForm::IpNet, OutputForm::Value]
        );
        assert_eq!(names(&f), ["fd.net", "' '", "fd.cnet", "' '", "fd.name"]);
    }
}
