//! Which fd current libsinsp (0.25) attributes to an event: its thread's `m_lastevent_fd`.
//!
//! `sinsp_parser::reset` sets it on every event of a known thread: an enter event clears it
//! and, when the call uses an fd, reads it from the enter's fd parameter
//! (`get_enter_event_fd_location`); an exit keeps the value its enter left only when that
//! enter reached the parser (current libs' converter passes few: connect and the opens), else
//! clears it and reads the exit's own fd parameter (`get_exit_event_fd_location`, a position
//! per event type; an empty parameter leaves -1). Parsing then moves it to every fd the event
//! adds to the table (`sinsp_threadinfo::add_fd`) and to the fd an `accept` returns
//! (`parse_accept_exit`). `fd.num` and `fd.uid` print it, and the fd fields read the table
//! entry it names.
//!
//! The positions are data (`EXIT_FD_LOCATIONS`), turned once into the name of the parameter
//! each exit event type has there in the newest version of the event table, so that older
//! versions of an event (whose parameters the converter fills) are read by name.

use std::sync::OnceLock;

use hindsight_format::schema::{event_id_limit, event_info, flags, Direction, EventInfo};

use super::event::Paired;

/// libscap's `get_exit_event_fd_location`: exit events and the position of their fd
/// parameter. Exits not listed have none (-1).
const EXIT_FD_LOCATIONS: &[(&str, usize)] = &[
    ("setns", 1),
    ("listen", 1),
    ("shutdown", 1),
    ("fchdir", 1),
    ("lseek", 1),
    ("llseek", 1),
    ("ioctl", 1),
    ("fstat", 1),
    ("close", 1),
    ("getdents", 1),
    ("getdents64", 1),
    ("flock", 1),
    ("copy_file_range", 1),
    ("fcntl", 1),
    ("dup", 1),
    ("dup2", 1),
    ("dup3", 1),
    ("newfstatat", 1),
    ("fchownat", 1),
    ("fchmodat", 1),
    ("mkdirat", 1),
    ("unlinkat", 1),
    ("mknodat", 1),
    ("sendmmsg", 1),
    ("recvmmsg", 1),
    ("io_uring_register", 1),
    ("io_uring_enter", 1),
    ("setsockopt", 1),
    ("getsockopt", 1),
    ("fsconfig", 1),
    ("finit_module", 1),
    ("fchmod", 1),
    ("fchown", 1),
    ("read", 2),
    ("pread", 2),
    ("bind", 2),
    ("write", 2),
    ("pwrite", 2),
    ("recv", 2),
    ("send", 2),
    ("sendto", 2),
    ("sendmsg", 2),
    ("sendfile", 2),
    ("splice", 2),
    ("writev", 2),
    ("pwritev", 2),
    ("connect", 2),
    ("symlinkat", 2),
    ("recvfrom", 3),
    ("readv", 3),
    ("preadv", 3),
    ("recvmsg", 5),
    ("mmap", 8),
    ("mmap2", 8),
];

/// The exits whose fd the converter takes from the enter with `CIF_FALLBACK_TO_EMPTY`
/// (libscap's converter table): without the enter, the fd stays empty rather than 0.
const FD_FALLBACK_TO_EMPTY: &[&str] = &["dup", "fchdir", "ioctl", "setns"];

/// libscap's `get_enter_event_fd_location`: the enter events whose fd is not parameter 0.
const ENTER_FD_LOCATIONS: &[(&str, usize)] = &[("mmap", 4), ("mmap2", 4), ("splice", 1)];

/// The newest (not `OLD_VERSION`) event of `name` in direction `dir`.
fn newest(name: &str, dir: Direction) -> Option<&'static EventInfo> {
    hindsight_format::schema::event_ids_by_name(name)
        .filter_map(event_info)
        .filter(|i| i.direction() == dir)
        .find(|i| i.flags & flags::OLD_VERSION == 0)
}

/// The name of the fd parameter of each event type id, by libscap's positions.
fn fd_param_name(id: u16) -> Option<&'static str> {
    static TABLE: OnceLock<Vec<Option<&'static str>>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            (0..event_id_limit())
                .map(|id| {
                    let info = event_info(id)?;
                    let dir = info.direction();
                    let at = match dir {
                        Direction::Exit => EXIT_FD_LOCATIONS
                            .iter()
                            .find(|(n, _)| *n == info.name)
                            .map(|(_, at)| *at)?,
                        Direction::Enter => ENTER_FD_LOCATIONS
                            .iter()
                            .find(|(n, _)| *n == info.name)
                            .map_or(0, |(_, at)| *at),
                    };
                    // An enter is read as it is; an exit by the name its newest version
                    // gives the position (the converter fills older versions up to it).
                    let params = match dir {
                        Direction::Enter => info.params,
                        Direction::Exit => newest(info.name, dir)?.params,
                    };
                    Some(params.get(at)?.name)
                })
                .collect()
        })
        .get(usize::from(id))
        .copied()
        .flatten()
}

/// `m_lastevent_fd` as `sinsp_parser::reset` leaves it, before the event is parsed: -1 or
/// the fd its parameters name. `None` for an event that uses, creates and destroys no fd,
/// which `sinsp_filter_check_fd::extract_fd` gives no fd fields at all.
pub fn reset_fd(p: &Paired<'_>) -> Option<i64> {
    let info = p.ev.info()?;
    let fd_flags = flags::USES_FD | flags::CREATES_FD | flags::DESTROYS_FD;
    if info.flags & fd_flags == 0 {
        return None;
    }
    let uses = |i: &EventInfo| i.flags & flags::USES_FD != 0;
    let read = |name: Option<&str>| name.and_then(|n| p.int(n)).unwrap_or(-1);
    if p.ev.direction() == Direction::Enter {
        return Some(if uses(info) {
            read(fd_param_name(p.ev.ty))
        } else {
            -1
        });
    }
    // An exit keeps what its enter set only when the converter passed that enter on.
    let kept = p
        .enter
        .as_ref()
        .and_then(|e| e.info())
        .filter(|e| e.flags & flags::ENTER_PASSED != 0 && uses(e))
        .map_or(-1, |e| read(fd_param_name(e.id)));
    if kept != -1 || !uses(info) {
        return Some(kept);
    }
    // The converter fills an older exit's missing fd parameter from its enter's fd, whatever
    // the two call it (`dup`'s enter says `fd`, the newest exit `oldfd`); without the enter,
    // with the type's default, 0, except where its table asks for an empty parameter
    // (`CIF_FALLBACK_TO_EMPTY`), which leaves -1. Events it does not convert keep -1.
    let own = fd_param_name(p.ev.ty).and_then(|n| p.int(n));
    let from_enter = || {
        let e = p.enter.as_ref()?;
        let (b, ty) = super::event::param_raw(e, fd_param_name(e.ty)?)?;
        super::event::decode_int(b, ty)
    };
    let default = || {
        let converted = info.flags & flags::CONVERTER_MANAGED != 0
            && !FD_FALLBACK_TO_EMPTY.contains(&info.name);
        (converted && fd_param_name(p.ev.ty).is_some()).then_some(0)
    };
    Some(own.or_else(from_enter).or_else(default).unwrap_or(-1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hindsight_format::encode::EventBuilder;
    use hindsight_format::event::EventRef;
    use hindsight_format::schema::event_ids_by_name;

    /// The newest version of an exit; an enter (every enter of the drivers is an old
    /// version now) of the right direction.
    fn id(name: &str, dir: Direction) -> u16 {
        newest(name, dir)
            .or_else(|| {
                event_ids_by_name(name)
                    .filter_map(event_info)
                    .find(|i| i.direction() == dir)
            })
            .map(|i| i.id)
            .expect("known event")
    }

    #[test]
    fn fd_parameters_by_position() {
        assert_eq!(fd_param_name(id("mmap", Direction::Exit)), Some("fd"));
        assert_eq!(fd_param_name(id("dup2", Direction::Exit)), Some("oldfd"));
        assert_eq!(fd_param_name(id("recvmsg", Direction::Exit)), Some("fd"));
        assert_eq!(fd_param_name(id("read", Direction::Enter)), Some("fd"));
        assert_eq!(fd_param_name(id("open", Direction::Exit)), None);
    }

    #[test]
    fn an_exit_without_its_fd_parameter_has_fd_minus_one() {
        // Old captures' getsockopt exits carry no parameter: current libs see fd -1.
        let old = event_ids_by_name("getsockopt")
            .filter_map(event_info)
            .find(|i| i.direction() == Direction::Exit && i.params.is_empty());
        let ty = old.map_or_else(|| id("getsockopt", Direction::Exit), |i| i.id);
        let rec = EventBuilder::new(ty, 1, 7).build();
        let ev = EventRef::parse_v2(&rec, 1, 0, 0).expect("well-formed record");
        assert_eq!(reset_fd(&Paired::alone(ev)), Some(-1));
        let rec = EventBuilder::new(id("brk", Direction::Exit), 1, 7).build();
        let ev = EventRef::parse_v2(&rec, 1, 0, 0).expect("well-formed record");
        assert_eq!(reset_fd(&Paired::alone(ev)), None);
    }

    /// An old capture's exit with only its first `n` parameters, without its enter.
    fn lone_exit(name: &str, params: &[&[u8]]) -> Vec<u8> {
        let mut b = EventBuilder::new(id(name, Direction::Exit), 1, 7);
        for p in params {
            b.raw(p);
        }
        b.build()
    }

    #[test]
    fn the_converter_defaults_a_missing_fd_to_zero_unless_told_empty() {
        let res = 5i64.to_le_bytes();
        let rec = lone_exit("read", &[&res, b"x"]);
        let ev = EventRef::parse_v2(&rec, 1, 0, 0).expect("well-formed record");
        assert_eq!(reset_fd(&Paired::alone(ev)), Some(0));
        let rec = lone_exit("dup", &[&res]);
        let ev = EventRef::parse_v2(&rec, 1, 0, 0).expect("well-formed record");
        assert_eq!(reset_fd(&Paired::alone(ev)), Some(-1));
    }
}
