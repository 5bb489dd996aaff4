//! How sysdig 0.29 (libs `e5c53d6`, the OLD table) describes the parameters whose name or type
//! differs from current libs at the same position. Bytes are identical in every case; only the
//! printing changes (e.g. `pgid` vs `vpgid`, `FLAGS8` vs `ENUMFLAGS8`, `UINT64` vs `ERRNO`).
//! The printer uses these entries so that `hindsight print` matches `sysdig -r`.
//!
//! It also says which events sysdig 0.29 knows and how many parameters it reads of each
//! ([`old_event`]): current libs appended parameters to many events (an exit now carries its
//! enter's), so a writer for sysdig 0.29 cuts them back to OLD's count.

use super::{ParamFormat, ParamType};

/// The number of event type ids sysdig 0.29 knows (its `PPM_EVENT_MAX`); it skips the others.
pub const OLD_EVENT_MAX: u16 = 336;

/// `(event id, OLD parameter count)` of the events to which current libs appended
/// parameters, sorted by id; every other id below [`OLD_EVENT_MAX`] has the same count in
/// both tables.
#[rustfmt::skip]
static OLD_PARAM_COUNTS: &[(u16, u8)] = &[
    (1, 1), (3, 5), (5, 1), (7, 2), (9, 2), (19, 1), (21, 2), (23, 2), (25, 1), (29, 2), (31, 2),
    (33, 2), (35, 3), (37, 1), (43, 5), (49, 2), (51, 0), (53, 4), (55, 0), (59, 4), (63, 1),
    (65, 1), (71, 1), (79, 1), (81, 2), (87, 1), (89, 1), (97, 1), (113, 2), (115, 2), (117, 3),
    (119, 2), (121, 3), (123, 2), (127, 1), (129, 1), (131, 1), (133, 1), (135, 1), (137, 1),
    (139, 1), (141, 3), (143, 3), (145, 5), (151, 1), (159, 4), (161, 4), (163, 4), (165, 4),
    (167, 1), (169, 3), (171, 1), (186, 4), (189, 2), (191, 14), (193, 1), (195, 1), (199, 1),
    (201, 1), (223, 20), (225, 20), (227, 20), (237, 1), (239, 1), (241, 1), (243, 1), (251, 8),
    (253, 1), (255, 2), (257, 4), (263, 1), (265, 2), (277, 2), (285, 1), (293, 20), (295, 1),
    (298, 1), (299, 1), (307, 6), (327, 6), (329, 1), (331, 20), (333, 3), (335, 20),
];

/// `(event id, OLD name)` of the ids sysdig 0.29 names otherwise: current libs renamed its
/// unused slots `NAx` to `NA`, retired old events (container, tracer, signaldeliver, the
/// plugin event's exit) to `NA`, and renamed 196.
#[rustfmt::skip]
pub static OLD_NAMES: &[(u16, &str)] = &[
    (17, "NA1"), (147, "NA2"), (153, "NA2"), (187, "NA1"), (196, "sysdigevent"),
    (197, "sysdigevent"), (229, "container"), (233, "signaldeliver"), (235, "NA2"),
    (245, "NA2"), (261, "NA3"), (269, "tracer"), (271, "NA4"), (273, "container"),
    (281, "NA4"), (287, "NA4"), (291, "NA5"), (323, "pluginevent"), (325, "container"),
];

/// How sysdig 0.29 knows event type `id`: its name there and how many parameters it reads.
/// `None` for the ids it does not know (it skips those events).
pub fn old_event(id: u16) -> Option<(&'static str, usize)> {
    if id >= OLD_EVENT_MAX {
        return None;
    }
    let info = super::event_info(id)?;
    let name = OLD_NAMES
        .iter()
        .find(|(i, _)| *i == id)
        .map_or(info.name, |(_, n)| *n);
    let count = OLD_PARAM_COUNTS
        .binary_search_by_key(&id, |(i, _)| *i)
        .map_or(info.params.len(), |k| OLD_PARAM_COUNTS[k].1 as usize);
    Some((name, count))
}

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
