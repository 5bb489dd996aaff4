//! How current libs print a string field in an output: libsinsp 0.25's `sanitize_string`
//! (`utils.h`), applied by `extract_single_string` when a formatter extracts a value.
//!
//! Valid, printable UTF-8 is kept; every invalid sequence (its maximal subpart, as the
//! Unicode standard's U+FFFD substitution counts it) and every valid but non-printable
//! character (C0 controls, DEL, C1 controls, Unicode non-characters) becomes one U+FFFD.
//! Conditions compare the raw bytes; only outputs are sanitised. sysdig 0.29 and Falco 0.40
//! printed strings without this step.

/// Appends `s` to `out`, sanitised as current libs print it.
pub fn push_sanitized(out: &mut String, s: &[u8]) {
    for_each_char(s, |c| out.push(c));
}

/// Appends `s` to `out` as UTF-8, sanitised as current libs print it.
pub fn push_sanitized_bytes(out: &mut Vec<u8>, s: &[u8]) {
    let mut buf = [0u8; 4];
    for_each_char(s, |c| {
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes())
    });
}

/// Calls `f` with each character of `s` as current libs print it.
fn for_each_char(s: &[u8], mut f: impl FnMut(char)) {
    for chunk in s.utf8_chunks() {
        for c in chunk.valid().chars() {
            f(if printable(c) {
                c
            } else {
                char::REPLACEMENT_CHARACTER
            });
        }
        if !chunk.invalid().is_empty() {
            f(char::REPLACEMENT_CHARACTER);
        }
    }
}

/// `s` as an output prints it: sanitised (`sanitize`, current libs' view) or with invalid
/// UTF-8 replaced only.
pub fn output_string(s: &[u8], sanitize: bool) -> String {
    if sanitize {
        let mut out = String::with_capacity(s.len());
        push_sanitized(&mut out, s);
        out
    } else {
        String::from_utf8_lossy(s).into_owned()
    }
}

/// Whether libsinsp's `utf8_seq_len` takes `c` as printable.
fn printable(c: char) -> bool {
    let cp = u32::from(c);
    match cp {
        0..0x20 | 0x7f..=0x9f => false,
        0xfdd0..=0xfdef => false,
        _ => cp & 0xfffe != 0xfffe,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_invalid_sequences_become_one_replacement_each() {
        let mut s = String::new();
        push_sanitized(&mut s, b"a\\\n\tb");
        assert_eq!(s, "a\\\u{fffd}\u{fffd}b");
        let mut v = Vec::new();
        push_sanitized_bytes(&mut v, b"sock\n");
        assert_eq!(v, "sock\u{fffd}".as_bytes());
        s.clear();
        // An orphan continuation byte, a C1 control (U+0085), a non-character (U+FDD0) and a
        // truncated 3-byte sequence.
        push_sanitized(&mut s, b"\x80x\xc2\x85y\xef\xb7\x90z\xe2\x82");
        assert_eq!(s, "\u{fffd}x\u{fffd}y\u{fffd}z\u{fffd}");
        assert_eq!(output_string("é ok".as_bytes(), true), "é ok");
        assert_eq!(output_string(b"a\nb", false), "a\nb");
    }
}
