//! Extracted field values: a reusable, typed output buffer.
//!
//! Extractors push zero or more [`Val`]s into an [`Out`]; byte strings are copied into the
//! buffer's arena and referenced by range, so one `Out` per worker thread serves every event
//! without allocating once its vectors have grown to the largest event seen.

use std::io::Write;
use std::ops::Range;

/// One typed value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// Unsigned integer (counts, ids, ports, timestamps).
    U64(u64),
    /// Signed integer (pids, return values, fds).
    I64(i64),
    /// Boolean.
    Bool(bool),
    /// Byte string, a range of [`Out::arena`].
    Str(Range<usize>),
    /// IP address; IPv4 in the first 4 bytes when the flag is false.
    Ip([u8; 16], bool),
    /// Floating point number.
    Double(f64),
}

/// The values of one field for one event.
#[derive(Clone, Debug, Default)]
pub struct Out {
    /// Backing bytes of the [`Val::Str`] values.
    pub arena: Vec<u8>,
    /// The values, in order.
    pub vals: Vec<Val>,
    /// Scratch text for renderers that write `String`s (reused, never part of a value).
    pub text: String,
}

impl Out {
    /// Empties the buffer, keeping its capacity.
    pub fn clear(&mut self) {
        self.arena.clear();
        self.vals.clear();
    }

    /// Whether no value was produced.
    pub fn is_empty(&self) -> bool {
        self.vals.is_empty()
    }

    /// Adds a byte string.
    pub fn str(&mut self, s: &[u8]) {
        let start = self.arena.len();
        self.arena.extend_from_slice(s);
        self.vals.push(Val::Str(start..self.arena.len()));
    }

    /// Adds a string built by `f` writing into the arena.
    pub fn build(&mut self, f: impl FnOnce(&mut Vec<u8>)) {
        let start = self.arena.len();
        f(&mut self.arena);
        self.vals.push(Val::Str(start..self.arena.len()));
    }

    /// Adds an unsigned integer.
    pub fn u64(&mut self, v: u64) {
        self.vals.push(Val::U64(v));
    }

    /// Adds a signed integer.
    pub fn i64(&mut self, v: i64) {
        self.vals.push(Val::I64(v));
    }

    /// Adds a floating point number.
    pub fn f64(&mut self, v: f64) {
        self.vals.push(Val::Double(v));
    }

    /// Adds a boolean.
    pub fn bool(&mut self, v: bool) {
        self.vals.push(Val::Bool(v));
    }

    /// Adds an IP address.
    pub fn ip(&mut self, ip: [u8; 16], v6: bool) {
        self.vals.push(Val::Ip(ip, v6));
    }

    /// The bytes of a string value (empty for other kinds).
    pub fn bytes(&self, v: &Val) -> &[u8] {
        match v {
            Val::Str(r) => self.arena.get(r.clone()).unwrap_or_default(),
            _ => &[],
        }
    }

    /// Appends value `i` as sysdig prints it: integers in decimal, booleans as
    /// `true`/`false`, addresses in text form, strings as they are.
    pub fn render(&self, i: usize, out: &mut Vec<u8>) {
        let Some(v) = self.vals.get(i) else { return };
        match v {
            Val::U64(n) => {
                let _ = write!(out, "{n}");
            }
            Val::I64(n) => {
                let _ = write!(out, "{n}");
            }
            Val::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Val::Str(_) => out.extend_from_slice(self.bytes(v)),
            Val::Ip(ip, v6) => {
                let ty = if *v6 {
                    crate::state::FdType::Ipv6
                } else {
                    crate::state::FdType::Ipv4
                };
                crate::state::fds::push_ip(out, ty, ip);
            }
            // libsinsp (sysdig 0.29 and current) prints doubles with one decimal (`%.1lf`).
            Val::Double(d) => {
                let _ = write!(out, "{d:.1}");
            }
        }
    }

    /// Appends every value, separated by `sep`.
    pub fn render_all(&self, sep: &[u8], out: &mut Vec<u8>) {
        for i in 0..self.vals.len() {
            if i > 0 {
                out.extend_from_slice(sep);
            }
            self.render(i, out);
        }
    }

    /// Like [`Out::render_all`], with strings sanitised as current libs print them when
    /// `sanitize` ([`crate::fields::sanitize`]).
    pub fn render_all_in(&self, sep: &[u8], sanitize: bool, out: &mut Vec<u8>) {
        if !sanitize {
            return self.render_all(sep, out);
        }
        for (i, v) in self.vals.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(sep);
            }
            match v {
                Val::Str(_) => crate::fields::sanitize::push_sanitized_bytes(out, self.bytes(v)),
                _ => self.render(i, out),
            }
        }
    }
}
