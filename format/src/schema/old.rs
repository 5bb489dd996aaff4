//! How sysdig 0.29 (libs `e5c53d6`, the OLD table) describes the parameters whose name or type
//! differs from current libs at the same position. Bytes are identical in every case; only the
//! printing changes (e.g. `pgid` vs `vpgid`, `FLAGS8` vs `ENUMFLAGS8`, `UINT64` vs `ERRNO`).
//! The printer uses these entries so that `hindsight print` matches `sysdig -r`.

use super::{ParamFormat, ParamType};

/// `(event id, parameter index, OLD name, OLD type, OLD format)`, sorted by id and index.
#[rustfmt::skip]
pub static OLD_PARAM_DIFFS: &[(u16, u8, &str, ParamType, ParamFormat)] = &[
    (18, 0, "domain", ParamType::Flags32, ParamFormat::Dec),
    (24, 1, "backlog", ParamType::Uint32, ParamFormat::Dec),
    (36, 1, "how", ParamType::Flags8, ParamFormat::Hex),
    (42, 0, "domain", ParamType::Flags32, ParamFormat::Dec),
    (45, 2, "level", ParamType::Flags8, ParamFormat::Dec),
    (45, 3, "optname", ParamType::Flags8, ParamFormat::Dec),
    (47, 2, "level", ParamType::Flags8, ParamFormat::Dec),
    (47, 3, "optname", ParamType::Flags8, ParamFormat::Dec),
    (62, 1, "flags", ParamType::Flags32, ParamFormat::Hex),
    (86, 2, "whence", ParamType::Flags8, ParamFormat::Dec),
    (88, 2, "whence", ParamType::Flags8, ParamFormat::Dec),
    (126, 2, "flags", ParamType::Flags8, ParamFormat::Hex),
    (136, 1, "flags", ParamType::Flags8, ParamFormat::Hex),
    (138, 0, "flags", ParamType::Flags8, ParamFormat::Hex),
    (140, 0, "resource", ParamType::Flags8, ParamFormat::Dec),
    (142, 0, "resource", ParamType::Flags8, ParamFormat::Dec),
    (144, 1, "resource", ParamType::Flags8, ParamFormat::Dec),
    (150, 1, "cmd", ParamType::Flags8, ParamFormat::Dec),
    (161, 0, "res", ParamType::Uint64, ParamFormat::Hex),
    (163, 0, "res", ParamType::Uint64, ParamFormat::Hex),
    (168, 0, "request", ParamType::Flags16, ParamFormat::Dec),
    (293, 16, "tty", ParamType::Int32, ParamFormat::Dec),
    (293, 17, "pgid", ParamType::Pid, ParamFormat::Dec),
    (293, 18, "loginuid", ParamType::Int32, ParamFormat::Dec),
    (295, 0, "res", ParamType::Pid, ParamFormat::Dec),
    (322, 0, "plugin ID", ParamType::Uint32, ParamFormat::Dec),
    (331, 16, "tty", ParamType::Int32, ParamFormat::Dec),
    (331, 17, "pgid", ParamType::Pid, ParamFormat::Dec),
    (331, 18, "loginuid", ParamType::Int32, ParamFormat::Dec),
];

/// The OLD description of parameter `idx` of event `id`, when it differs from [`super::EVENTS`].
pub fn old_param(id: u16, idx: usize) -> Option<(&'static str, ParamType, ParamFormat)> {
    OLD_PARAM_DIFFS
        .iter()
        .find(|d| d.0 == id && d.1 as usize == idx)
        .map(|d| (d.2, d.3, d.4))
}
