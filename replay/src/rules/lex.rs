//! Token-level scanning of condition text, following libsinsp's lexical rules.
//!
//! The condition language has no separate token stream: what a word means depends on where
//! it appears (`in` is an operator after a field, a value inside a list), so the parser asks
//! a [`Cursor`] for one token class at a time, as libsinsp's parser does. The classes are
//! those of libsinsp: identifiers `[a-zA-Z][a-zA-Z0-9_]*`, field names (two or more
//! identifier parts joined by dots), bare strings (anything up to a blank, quote, paren,
//! `=` or comma), quoted strings with backslash escapes, numbers and bracketed field
//! arguments.

/// A position in the condition text.
pub struct Cursor<'a> {
    /// The whole text.
    pub text: &'a str,
    /// Current byte offset.
    pub pos: usize,
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x08)
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `text`.
    pub fn new(text: &'a str) -> Cursor<'a> {
        Cursor { text, pos: 0 }
    }

    fn rest(&self) -> &'a [u8] {
        &self.text.as_bytes()[self.pos..]
    }

    /// The next byte, if any.
    pub fn peek(&self) -> Option<u8> {
        self.rest().first().copied()
    }

    /// Whether the whole text was consumed.
    pub fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// Skips blanks; true if there were any.
    pub fn blank(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(is_blank) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// Consumes `s` if the text continues with it.
    pub fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s.as_bytes()) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    /// Consumes a word operator `s` only if a blank follows it.
    pub fn eat_word(&mut self, s: &str) -> bool {
        let save = self.pos;
        if self.eat(s) && self.peek().is_some_and(is_blank) {
            return true;
        }
        self.pos = save;
        false
    }

    /// Whether a keyword (`and`, `or`, `not`) starts here as a whole word.
    pub fn keyword_follows(&self) -> bool {
        ["and", "or", "not"].iter().any(|k| {
            let r = self.rest();
            r.starts_with(k.as_bytes()) && r.get(k.len()).is_none_or(|b| !b.is_ascii_alphanumeric())
        })
    }

    fn take_while(
        &mut self,
        first: impl Fn(u8) -> bool,
        next: impl Fn(u8) -> bool,
    ) -> Option<&'a str> {
        let r = self.rest();
        if !r.first().is_some_and(|&b| first(b)) {
            return None;
        }
        let n = 1 + r[1..].iter().take_while(|&&b| next(b)).count();
        let s = &self.text[self.pos..self.pos + n];
        self.pos += n;
        Some(s)
    }

    /// `[a-zA-Z]+[a-zA-Z0-9_]*`.
    pub fn identifier(&mut self) -> Option<&'a str> {
        self.take_while(
            |b| b.is_ascii_alphabetic(),
            |b| b.is_ascii_alphanumeric() || b == b'_',
        )
    }

    /// A field name: identifier parts joined by dots, at least two parts.
    pub fn field_name(&mut self) -> Option<&'a str> {
        let start = self.pos;
        self.identifier()?;
        let mut parts = 1;
        loop {
            let save = self.pos;
            if self.eat(".") && self.identifier().is_some() {
                parts += 1;
            } else {
                self.pos = save;
                break;
            }
        }
        if parts < 2 {
            self.pos = start;
            return None;
        }
        Some(&self.text[start..self.pos])
    }

    /// A bare string value: `[^()"'\s=,]+`.
    pub fn bare_str(&mut self) -> Option<&'a str> {
        let ok = |b: u8| !matches!(b, b'(' | b')' | b'"' | b'\'' | b'=' | b',') && !is_blank(b);
        self.take_while(ok, ok)
    }

    /// A bare field argument: `[^][\"'\s]+`.
    pub fn arg_bare_str(&mut self) -> Option<&'a str> {
        let ok = |b: u8| !matches!(b, b'[' | b']' | b'"' | b'\'') && !is_blank(b);
        self.take_while(ok, ok)
    }

    /// A number: hex `0x..` or decimal with optional sign, fraction and exponent.
    pub fn number(&mut self) -> Option<&'a str> {
        let start = self.pos;
        let r = self.rest();
        if r.len() > 2 && r[0] == b'0' && (r[1] == b'x' || r[1] == b'X') && r[2].is_ascii_hexdigit()
        {
            self.pos += 2;
            while self.peek().is_some_and(|b| b.is_ascii_hexdigit()) {
                self.pos += 1;
            }
            return Some(&self.text[start..self.pos]);
        }
        if matches!(self.peek(), Some(b'+' | b'-')) {
            self.pos += 1;
        }
        let digits = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == digits {
            self.pos = start;
            return None;
        }
        if self.eat(".") {
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        Some(&self.text[start..self.pos])
    }

    /// A quoted string (single or double quotes). Returns the unescaped text, or an error
    /// message for a bad escape. `Ok(None)` if no quote starts here or it is unterminated
    /// (libsinsp then tries other token classes).
    pub fn quoted_str(&mut self) -> Result<Option<String>, String> {
        let Some(delim @ (b'"' | b'\'')) = self.peek() else {
            return Ok(None);
        };
        let r = self.rest();
        // Like libsinsp, a delimiter preceded by a backslash never closes the string.
        let mut i = 1;
        while i < r.len() {
            if r[i] == delim && r[i - 1] != b'\\' {
                let raw = &self.text[self.pos..self.pos + i + 1];
                let s = unescape(raw)?;
                self.pos += i + 1;
                return Ok(Some(s));
            }
            i += 1;
        }
        Ok(None)
    }
}

/// Unescapes a quoted string including its delimiters, as libsinsp does.
fn unescape(raw: &str) -> Result<String, String> {
    let b = raw.as_bytes();
    let delim = b[0];
    let body = &b[1..b.len() - 1];
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&e) = body.get(i + 1) else {
            out.push(b'\\');
            break;
        };
        i += 2;
        match e {
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b' ' | b'\\' => out.push(b'\\'),
            b'/' => out.push(b'/'),
            b'"' | b'\'' if e == delim => out.push(e),
            b'"' => return Err("invalid \\\" escape in '-quoted string".into()),
            b'\'' => return Err("invalid \\' escape in \"-quoted string".into()),
            b'x' => {
                let hex = body.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => out.push(v),
                    None => {
                        return Err("invalid hex escape: expected \\x and two hex digits".into())
                    }
                }
                i += 2;
            }
            other => {
                return Err(format!("unsupported escape sequence \\{}", other as char));
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings_unescape_like_libsinsp() {
        let q = |s: &str| Cursor::new(s).quoted_str();
        assert_eq!(q(r#""a b""#).unwrap().as_deref(), Some("a b"));
        assert_eq!(q(r#"'it\'s'"#).unwrap().as_deref(), Some("it's"));
        assert_eq!(q(r#""\x41\t""#).unwrap().as_deref(), Some("A\t"));
        assert_eq!(q(r#""\/""#).unwrap().as_deref(), Some("/"));
        assert!(q(r#""\q""#).is_err());
        assert!(q(r#""\'""#).is_err());
        assert_eq!(q(r#""open"#).unwrap(), None);
    }

    #[test]
    fn token_classes() {
        assert_eq!(
            Cursor::new("proc.aname[2]").field_name(),
            Some("proc.aname")
        );
        assert_eq!(Cursor::new("proc").field_name(), None);
        assert_eq!(Cursor::new("/bin/sh, x").bare_str(), Some("/bin/sh"));
        assert_eq!(Cursor::new("-12.5e").number(), Some("-12.5"));
        assert_eq!(Cursor::new("0x1F)").number(), Some("0x1F"));
    }
}
