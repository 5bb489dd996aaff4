//! What current libs' capture converter (`libscap/engine/savefile/converter`) puts in the
//! parameters an event of an old capture lacks.
//!
//! An event flagged [`flags::CONVERTER_MANAGED`] that has fewer parameters than its table entry
//! is completed before libsinsp sees it. Each missing parameter is taken from the enter event
//! of the same call on the same thread (the converter stores the last enter of each thread),
//! or is a default value (zero bytes of the type's fixed size; `-1` for user and group ids),
//! or is empty (a zero-length parameter, which libsinsp prints `<NA>` or `NULL`). Which one is
//! a property of the parameter in the converter's conversion table; this module states it by
//! rule plus the exceptions:
//!
//! - an old version of an exit becomes the current version of the call ([`target`]), keeping
//!   the parameters it has by name;
//! - a parameter the enter event also has (by name, or as `RENAMED_FROM_ENTER` says) comes
//!   from the enter; without an enter it is a default value, except for the parameters of
//!   `ENTER_OR_EMPTY`, which are then empty;
//! - a parameter the enter does not have is empty, except for those of `DEFAULTS`;
//! - the converter completes an event in stages, one per parameter count in its table, and
//!   frees the stored enter after the first stage that read it: a parameter of a later stage
//!   then finds no enter ([`enter_freed`]).
//!
//! An event the converter does not manage keeps the parameters it has.
//!
//! The same rules read backwards say how to write an exit-only event (current libs'
//! layout, which their modern probe writes) as the enter and exit events sysdig 0.29 reads:
//! [`old_version`] is the exit's version sysdig 0.29 knows (the one [`target`] turns into it),
//! and [`enter_source`] the exit parameter each parameter of the enter comes back from (the
//! one [`fill`] takes from it). `crate::enters` applies them to a stream of events.

use super::old::{old_event, OLD_EVENT_MAX};
use super::{event_info, flags, Direction, EventInfo, ParamType};

/// How the converter fills one missing parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fill {
    /// The enter event's parameter `name`; without an enter, empty (`or_empty`) or a default
    /// value.
    Enter {
        /// The name of the parameter in the enter event.
        name: &'static str,
        /// Whether the parameter is left empty when the enter is missing.
        or_empty: bool,
    },
    /// A zero-length parameter.
    Empty,
    /// The default value of the type ([`default_value`]).
    Default,
}

/// Exit parameters taken from the enter event that are left empty, not defaulted, when the
/// enter is missing (`CIF_FALLBACK_TO_EMPTY` in the conversion table), by call.
const ENTER_OR_EMPTY: &[(&str, &[&str])] = &[
    ("brk", &["addr"]),
    ("dup", &["oldfd"]),
    ("execve", &["filename"]),
    ("fchdir", &["fd"]),
    ("ioctl", &["fd", "request"]),
    ("link", &["oldpath", "newpath"]),
    ("linkat", &["olddir", "oldpath", "newdir", "newpath"]),
    ("mkdir", &["path", "mode"]),
    ("openat", &["dirfd", "name", "flags", "mode"]),
    ("prlimit", &["pid", "resource"]),
    ("ptrace", &["request", "pid"]),
    ("rmdir", &["path"]),
    ("setgid", &["gid"]),
    ("setns", &["fd", "nstype"]),
    ("setpgid", &["pid", "pgid"]),
    ("setresgid", &["rgid", "egid", "sgid"]),
    ("setresuid", &["ruid", "euid", "suid"]),
    ("setuid", &["uid"]),
    ("syscall", &["nativeID"]),
    ("unlink", &["path"]),
    ("unlinkat", &["dirfd", "name"]),
];

/// Exit parameters taken from an enter parameter of another name: (call, exit parameter,
/// enter parameter).
const RENAMED_FROM_ENTER: &[(&str, &str, &str)] = &[("dup", "oldfd", "fd")];

/// Exit parameters the enter event does not have that get a default value rather than an
/// empty one, by call.
const DEFAULTS: &[(&str, &[&str])] = &[
    ("accept", &["queuelen", "queuemax"]),
    ("fcntl", &["arg"]),
    ("recvmmsg", &["res"]),
    ("recvmsg", &["msgcontrol"]),
    ("sendmmsg", &["res"]),
    ("socket", &["flags"]),
];

/// Exit parameters a later stage of the conversion adds from the enter, after the stage that
/// adds the other parameter has read and freed it: (call, parameter, the parameter of the
/// earlier stage). libs 0.25's table completes a connect exit of two parameters with `fd`
/// from the enter (and frees it), then the exit of three with `addr` from the enter, which
/// is gone by then.
const FREED_ENTER: &[(&str, &str, &str)] = &[("connect", "addr", "fd")];

/// Whether the converter finds no enter for parameter `param` of an event of type `info` (a
/// [`target`]) because an earlier stage of the same conversion freed it; `lacks` says
/// whether the event lacks a parameter of the target (the converter adds it).
pub fn enter_freed(info: &EventInfo, param: &str, lacks: impl Fn(&str) -> bool) -> bool {
    FREED_ENTER
        .iter()
        .any(|(c, p, earlier)| *c == info.name && *p == param && lacks(earlier))
}

fn listed(table: &[(&str, &[&str])], call: &str, param: &str) -> bool {
    table
        .iter()
        .any(|(c, ps)| *c == call && ps.contains(&param))
}

/// Whether the converter completes events of type `info` (exits and the enters it passes on).
pub fn completes(info: &EventInfo) -> bool {
    info.flags & flags::CONVERTER_MANAGED != 0
}

/// The enter event of exit type `info` (the previous id, of the same name).
fn enter_of(info: &EventInfo) -> Option<&'static EventInfo> {
    info.id
        .checked_sub(1)
        .filter(|_| info.id & 1 == 1)
        .and_then(event_info)
        .filter(|e| e.name == info.name)
}

/// The event type the converter turns an event of type `info` into: for an old version of
/// an exit it completes, the one current exit of the same name whose enter has every
/// parameter of the old enter (old `accept4` events are named `accept`; their enter's
/// `flags` tells them from `accept`'s), else the type itself.
pub fn target(info: &'static EventInfo) -> &'static EventInfo {
    if info.flags & flags::OLD_VERSION == 0 || !completes(info) || info.id & 1 == 0 {
        return info;
    }
    let old_enter = enter_of(info).map_or(&[][..], |e| e.params);
    let mut current = super::event_ids_by_name(info.name)
        .filter_map(event_info)
        .filter(|e| e.id & 1 == 1 && e.flags & flags::OLD_VERSION == 0)
        .filter(|e| {
            let enter = enter_of(e).map_or(&[][..], |x| x.params);
            old_enter
                .iter()
                .all(|p| enter.iter().any(|q| q.name == p.name))
        });
    match (current.next(), current.next()) {
        (Some(t), None) => t,
        _ => info,
    }
}

/// The version of exit type `info` that sysdig 0.29 reads: `info` itself when sysdig 0.29
/// knows its id under the same name, else the old exit of the same name that [`target`]
/// turns into `info` (the old `dup` for the current one). `None` for an exit sysdig 0.29 has
/// no version of, and for enters.
pub fn old_version(info: &'static EventInfo) -> Option<&'static EventInfo> {
    if info.direction() != Direction::Exit {
        return None;
    }
    if old_event(info.id).is_some_and(|(name, _)| name == info.name) {
        return Some(info);
    }
    (1..OLD_EVENT_MAX)
        .step_by(2)
        .filter_map(event_info)
        .filter(|e| e.name == info.name && old_event(e.id).is_some_and(|(n, _)| n == e.name))
        .find(|e| std::ptr::eq(target(e), info))
}

/// The index of the parameter of exit type `exit` (a current version) that parameter
/// `enter_param` of its call's enter event comes back from: the exit parameter [`fill`] takes
/// from it (the one of the same name, or the one `RENAMED_FROM_ENTER` names). `None` when the
/// exit does not carry it.
pub fn enter_source(exit: &EventInfo, enter_param: &str) -> Option<usize> {
    exit.params
        .iter()
        .position(|q| matches!(fill(exit, q.name), Fill::Enter { name, .. } if name == enter_param))
}

/// How the converter fills parameter `param` of an event of type `info` (a [`target`]) that
/// lacks it.
pub fn fill(info: &EventInfo, param: &'static str) -> Fill {
    let enter = enter_of(info);
    let source = RENAMED_FROM_ENTER
        .iter()
        .find(|(c, p, _)| *c == info.name && *p == param)
        .map_or(param, |(_, _, e)| *e);
    if enter.is_some_and(|e| e.param_index(source).is_some()) {
        Fill::Enter {
            name: source,
            or_empty: listed(ENTER_OR_EMPTY, info.name, param),
        }
    } else if listed(DEFAULTS, info.name, param) {
        Fill::Default
    } else {
        Fill::Empty
    }
}

/// The bytes of a default parameter of type `ty`: zeros of the type's size (`-1` for user
/// and group ids), or none for a type of variable size, whose default is empty.
pub fn default_value(ty: ParamType) -> &'static [u8] {
    use ParamType as T;
    const ZEROS: [u8; 16] = [0; 16];
    const MINUS_ONE: [u8; 4] = [0xff; 4];
    let size = match ty {
        T::Uid | T::Gid => return &MINUS_ONE,
        T::Int8 | T::Uint8 | T::Flags8 | T::Enumflags8 | T::Sigtype | T::L4proto => 1,
        T::Sockfamily | T::Bool => 1,
        T::Int16 | T::Uint16 | T::Flags16 | T::Enumflags16 | T::Syscallid | T::Port => 2,
        T::Int32 | T::Uint32 | T::Flags32 | T::Enumflags32 | T::Mode | T::Ipv4addr => 4,
        T::Fd32 | T::Pid32 => 4,
        T::Int64 | T::Uint64 | T::Errno | T::Fd | T::Pid | T::Reltime | T::Abstime => 8,
        T::Double => 8,
        T::Ipv4net => 8,
        T::Ipv6addr => 16,
        _ => 0,
    };
    &ZEROS[..size]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::event_ids_by_name;

    fn exit(name: &str) -> &'static EventInfo {
        event_ids_by_name(name)
            .filter_map(event_info)
            .filter(|i| i.id & 1 == 1 && i.flags & flags::OLD_VERSION == 0)
            .last()
            .expect(name)
    }

    #[test]
    fn parameters_of_the_enter_come_from_it() {
        let enter = |name, or_empty| Fill::Enter { name, or_empty };
        assert_eq!(fill(exit("futex"), "addr"), enter("addr", false));
        assert_eq!(fill(exit("setuid"), "uid"), enter("uid", true));
        assert_eq!(fill(exit("dup"), "oldfd"), enter("fd", true));
        assert_eq!(fill(exit("fcntl"), "arg"), Fill::Default);
        assert_eq!(fill(exit("socket"), "flags"), Fill::Default);
        assert_eq!(fill(exit("open"), "dev"), Fill::Empty);
        assert_eq!(fill(exit("execve"), "loginuid"), Fill::Empty);
    }

    #[test]
    fn old_exits_become_the_current_version() {
        let old_dup = event_ids_by_name("dup")
            .filter_map(event_info)
            .find(|i| i.id & 1 == 1 && i.flags & flags::OLD_VERSION != 0)
            .expect("old dup exit");
        assert_eq!(target(old_dup).id, exit("dup").id);
        assert_eq!(target(exit("dup")).id, exit("dup").id);
        // Old accept4 exits are named accept: their enter's flags keep them from becoming
        // the current accept.
        let olds = || {
            event_ids_by_name("accept")
                .filter_map(event_info)
                .filter(|i| i.id & 1 == 1 && i.flags & flags::OLD_VERSION != 0 && completes(i))
        };
        let accept4 = olds()
            .find(|i| enter_of(i).is_some_and(|e| e.param_index("flags").is_some()))
            .expect("old accept4 exit");
        assert_eq!(target(accept4).id, accept4.id);
        let accept = olds()
            .find(|i| enter_of(i).is_some_and(|e| e.params.is_empty()))
            .expect("old accept exit");
        assert_eq!(target(accept).id, exit("accept").id);
    }

    #[test]
    fn read_backwards_the_rules_give_the_old_pair() {
        // The current read exit is sysdig 0.29's; its enter's fd and size come back from the
        // exit parameters of the same names.
        let read = exit("read");
        assert!(std::ptr::eq(old_version(read).expect("read"), read));
        assert_eq!(enter_source(read, "fd"), read.param_index("fd"));
        assert_eq!(enter_source(read, "size"), read.param_index("size"));
        assert_eq!(enter_source(read, "res"), None);
        // The current dup exit is not in sysdig 0.29's table: its old version is, and the
        // old enter's fd comes back from oldfd.
        let dup = exit("dup");
        let old = old_version(dup).expect("old dup");
        assert!(old.id < dup.id && std::ptr::eq(target(old), dup));
        assert_eq!(enter_source(dup, "fd"), dup.param_index("oldfd"));
        // Enters have no old version.
        assert!(old_version(event_info(read.id - 1).expect("read enter")).is_none());
    }

    #[test]
    fn a_later_stage_finds_the_enter_freed() {
        let connect = exit("connect");
        assert!(enter_freed(connect, "addr", |p| p == "fd" || p == "addr"));
        assert!(!enter_freed(connect, "addr", |p| p == "addr"));
        assert!(!enter_freed(connect, "fd", |_| true));
        // Every entry names a parameter of the current exit, taken from the enter.
        for (call, param, earlier) in FREED_ENTER {
            let x = exit(call);
            for p in [param, earlier] {
                assert!(matches!(fill(x, p), Fill::Enter { .. }), "{call} {p}");
            }
        }
    }

    #[test]
    fn defaults_have_the_size_of_their_type() {
        assert_eq!(default_value(ParamType::Fd), &[0; 8]);
        assert_eq!(default_value(ParamType::Uid), &[0xff; 4]);
        assert_eq!(default_value(ParamType::Flags16), &[0; 2]);
        assert!(default_value(ParamType::Bytebuf).is_empty());
        assert!(default_value(ParamType::Socktuple).is_empty());
    }
}
