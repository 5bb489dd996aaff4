//! An exit event paired with its enter event, and typed access to parameters by name.
//!
//! libsinsp keeps the last enter event of every thread and reads parameters that old
//! drivers only put in the enter (the fd of `close`, `read`, `connect`...; the path of the
//! retired `openat`) from there; current libsinsp's converter appends those enter
//! parameters to the exit instead. [`Paired::get`] gives the same result for both kinds of
//! trace: the exit's own parameter when it has one, else the enter's parameter of the same
//! name.

use hindsight_format::event::EventRef;
use hindsight_format::schema::{Direction, ParamType};

/// An event plus, for an exit, the enter event of the same syscall on the same thread.
#[derive(Clone, Copy, Debug)]
pub struct Paired<'a> {
    /// The event itself.
    pub ev: EventRef<'a>,
    /// The matching enter event (exits only; `None` when the trace has none).
    pub enter: Option<EventRef<'a>>,
}

/// Index of parameter `name` in the table entry of `ev`.
pub fn param_index(ev: &EventRef<'_>, name: &str) -> Option<usize> {
    ev.info()?.param_index(name)
}

/// The type of parameter `i` of `ev`.
pub fn param_type(ev: &EventRef<'_>, i: usize) -> Option<ParamType> {
    ev.info()?.params.get(i).map(|p| p.ty)
}

/// Raw parameter `name` of `ev` with its type.
pub fn param_raw<'a>(ev: &EventRef<'a>, name: &str) -> Option<(&'a [u8], ParamType)> {
    let i = param_index(ev, name)?;
    Some((ev.param(i)?, param_type(ev, i)?))
}

/// Decodes an integer parameter: sign-extended for signed types, zero-extended otherwise.
pub fn decode_int(bytes: &[u8], ty: ParamType) -> Option<i64> {
    let signed = matches!(
        ty,
        ParamType::Int8
            | ParamType::Int16
            | ParamType::Int32
            | ParamType::Int64
            | ParamType::Errno
            | ParamType::Fd
            | ParamType::Pid
            | ParamType::Fd32
            | ParamType::Pid32
    );
    Some(match bytes.len() {
        1 if signed => bytes[0] as i8 as i64,
        1 => bytes[0] as i64,
        2 if signed => i16::from_le_bytes([bytes[0], bytes[1]]) as i64,
        2 => u16::from_le_bytes([bytes[0], bytes[1]]) as i64,
        4 if signed => i32::from_le_bytes(bytes.try_into().ok()?) as i64,
        4 => u32::from_le_bytes(bytes.try_into().ok()?) as i64,
        8 => i64::from_le_bytes(bytes.try_into().ok()?),
        _ => return None,
    })
}

/// A string parameter without its NUL terminator.
pub fn trim_nul(bytes: &[u8]) -> &[u8] {
    match memchr::memchr(0, bytes) {
        Some(i) => &bytes[..i],
        None => bytes,
    }
}

impl<'a> Paired<'a> {
    /// An event with no enter.
    pub fn alone(ev: EventRef<'a>) -> Paired<'a> {
        Paired { ev, enter: None }
    }

    /// Whether the event is an exit.
    pub fn is_exit(&self) -> bool {
        self.ev.direction() == Direction::Exit
    }

    /// Raw parameter `name`: the event's own, else the enter's.
    pub fn get(&self, name: &str) -> Option<(&'a [u8], ParamType)> {
        param_raw(&self.ev, name).or_else(|| self.enter.as_ref().and_then(|e| param_raw(e, name)))
    }

    /// Integer parameter `name`.
    pub fn int(&self, name: &str) -> Option<i64> {
        let (b, ty) = self.get(name)?;
        decode_int(b, ty)
    }

    /// String parameter `name`, without the NUL terminator.
    pub fn str(&self, name: &str) -> Option<&'a [u8]> {
        self.get(name).map(|(b, _)| trim_nul(b))
    }

    /// Byte-buffer parameter `name`, as stored.
    pub fn bytes(&self, name: &str) -> Option<&'a [u8]> {
        self.get(name).map(|(b, _)| b)
    }

    /// The return value: parameter 0 of an exit event, whatever its name (`res`, `fd`).
    pub fn res(&self) -> Option<i64> {
        if !self.is_exit() {
            return None;
        }
        let ty = param_type(&self.ev, 0)?;
        decode_int(self.ev.param(0)?, ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_decode_by_type_and_size() {
        assert_eq!(
            decode_int(&(-2i64).to_le_bytes(), ParamType::Errno),
            Some(-2)
        );
        assert_eq!(
            decode_int(&[0xff, 0xff, 0xff, 0xff], ParamType::Int32),
            Some(-1)
        );
        assert_eq!(
            decode_int(&[0xff, 0xff, 0xff, 0xff], ParamType::Uint32),
            Some(0xffff_ffff)
        );
        assert_eq!(decode_int(&[1, 2, 3], ParamType::Uint32), None);
        assert_eq!(trim_nul(b"abc\0"), b"abc");
    }
}
