//! [`EventSource`]: the rules evaluator's view of one event, implementing
//! [`FieldSource`] over the field extractors.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::fields::ctx::{Arg, Ctx};
use crate::fields::extract::extract;
use crate::fields::value::{Out, Val};
use crate::rules::values::{FieldArg, FieldRef, FieldSource, Values};

/// One event in its state, plus the extraction scratch buffer (reused across events).
#[derive(Debug)]
pub struct EventSource<'c, 'a> {
    /// The event.
    pub ctx: &'c Ctx<'a>,
    /// Scratch for extraction.
    pub out: &'c mut Out,
}

/// The extractor argument of a compiled field reference.
pub fn arg_of(arg: &FieldArg) -> Arg<'_> {
    match arg {
        FieldArg::None => Arg::None,
        FieldArg::Index(i) => Arg::Index(*i),
        FieldArg::Key(k) => Arg::Key(k),
    }
}

/// Copies extracted values into the evaluator's buffer.
pub fn copy_values(out: &Out, values: &mut Values) {
    for v in &out.vals {
        match v {
            Val::Str(_) => values.push_str(out.bytes(v)),
            Val::U64(n) => values.push_u64(*n),
            Val::I64(n) => values.push_i64(*n),
            Val::Bool(b) => values.push_bool(*b),
            Val::Double(d) => values.push_f64(*d),
            Val::Ip(ip, true) => values.push_ip(IpAddr::V6(Ipv6Addr::from(*ip))),
            Val::Ip(ip, false) => {
                values.push_ip(IpAddr::V4(Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3])))
            }
        }
    }
}

impl FieldSource for EventSource<'_, '_> {
    fn extract(&mut self, field: &FieldRef, values: &mut Values) -> bool {
        if !extract(field.id, &arg_of(&field.arg), self.ctx, self.out) {
            return false;
        }
        copy_values(self.out, values);
        // A list field can have a value that lists nothing (`fd.types` of a process without
        // fds prints `()`); any other field without a value is missing.
        !self.out.is_empty() || field.id.info().has(crate::fields::catalog::flags::IS_LIST)
    }

    fn raw_param(
        &mut self,
        field: &FieldRef,
    ) -> Option<(&[u8], hindsight_format::schema::ParamType)> {
        crate::fields::evt::raw_param(self.ctx, &arg_of(&field.arg))
    }

    fn sanitizes_strings(&self) -> bool {
        self.ctx.libs
    }
}
