//! The event table: one entry per scap event type id. (Being filled in; see mod.rs.)

use super::{Category, EventInfo, ParamExtra, ParamFormat, ParamInfo, ParamType};

const fn p(name: &'static str, ty: ParamType, fmt: ParamFormat) -> ParamInfo {
    ParamInfo {
        name,
        ty,
        fmt,
        extra: ParamExtra::None,
    }
}

/// All known event types, indexed by id.
pub static EVENTS: [Option<EventInfo>; 4] = [
    Some(EventInfo {
        id: 0,
        name: "syscall",
        category: Category::Other,
        flags: 0,
        params: &[
            p("ID", ParamType::Syscallid, ParamFormat::Dec),
            p("nativeID", ParamType::Uint16, ParamFormat::Dec),
        ],
    }),
    Some(EventInfo {
        id: 1,
        name: "syscall",
        category: Category::Other,
        flags: 0,
        params: &[p("ID", ParamType::Syscallid, ParamFormat::Dec)],
    }),
    Some(EventInfo {
        id: 2,
        name: "open",
        category: Category::File,
        flags: 0,
        params: &[p("name", ParamType::Fspath, ParamFormat::Na)],
    }),
    Some(EventInfo {
        id: 3,
        name: "open",
        category: Category::File,
        flags: 0,
        params: &[
            p("fd", ParamType::Fd, ParamFormat::Dec),
            p("name", ParamType::Fspath, ParamFormat::Na),
        ],
    }),
];
