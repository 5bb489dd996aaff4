//! `evt.*` fields: the event itself (number, time forms, type, direction, arguments, result).
//!
//! Semantics follow libsinsp's `sinsp_filter_check_event`. Arguments are looked up by name
//! in the exit event and then in its enter event ([`crate::state::Paired::get`]), which is
//! what current libsinsp sees after its converter merged old enter parameters into exits.

use std::io::Write;

use hindsight_format::print;
use hindsight_format::schema::{
    flags, libs_syscall_name, native_syscall_code, old, syscall_name, Category, Direction,
    EventInfo, ParamInfo, ParamType, Source,
};
use hindsight_format::value::{errno_name, ParamValue};

use super::ctx::{Arg, Ctx};
use super::render::{LibsResolver, StateResolver};
use super::value::Out;
use crate::state::event::{decode_int, trim_nul};

/// `evt.type`: the table name, or for a generic `syscall` event the syscall's own name.
///
/// Current libs (`sinsp_filter_check_event`, `TYPE_TYPE`) name a generic event whose
/// `PPM_SC_*` code is unknown (a call added after the capture's driver) from its native
/// syscall number when the event carries one, reading it as an x86-64 number
/// (`scap_native_id_to_ppm_sc`), and print codes by their lower-cased identifiers.
pub fn type_name<'a>(c: &Ctx<'a>) -> Option<&'a str> {
    let info = c.p.ev.info()?;
    if info.name == "syscall" {
        let id =
            c.p.ev
                .param(0)
                .and_then(|b| decode_int(b, ParamType::Uint16))? as u16;
        if !c.libs {
            return syscall_name(id);
        }
        // An old exit lacks `nativeID`; the converter takes it from the enter.
        let id = match c.p.int("nativeID") {
            Some(native) if id == 0 => native_syscall_code(native as u16),
            _ => id,
        };
        return libs_syscall_name(id);
    }
    Some(info.name)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Time of day and date of a timestamp, in UTC.
fn split_ts(ts: u64) -> ((i64, u32, u32), u64, u64, u64, u64) {
    let secs = ts / 1_000_000_000;
    let ns = ts % 1_000_000_000;
    let days = (secs / 86_400) as i64;
    let sod = secs % 86_400;
    (civil(days), sod / 3600, (sod / 60) % 60, sod % 60, ns)
}

/// `HH:MM:SS.nnnnnnnnn`.
pub fn write_time(out: &mut Vec<u8>, ts: u64) {
    let (_, h, m, s, ns) = split_ts(ts);
    let _ = write!(out, "{h:02}:{m:02}:{s:02}.{ns:09}");
}

/// `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`.
pub fn write_datetime(out: &mut Vec<u8>, ts: u64) {
    let ((y, mo, d), h, m, s, ns) = split_ts(ts);
    let _ = write!(out, "{y:04}-{mo:02}-{d:02} {h:02}:{m:02}:{s:02}.{ns:09}");
}

fn category_name(c: Category) -> &'static str {
    match c {
        Category::Unknown => "unknown",
        Category::Other => "other",
        Category::File => "file",
        Category::Net => "net",
        Category::Ipc => "IPC",
        Category::Memory => "memory",
        Category::Process => "process",
        Category::Sleep => "sleep",
        Category::System => "system",
        Category::Signal => "signal",
        Category::User => "user",
        Category::Time => "time",
        Category::Processing => "processing",
        Category::Io => "I/O",
        Category::Wait => "wait",
        Category::Scheduler => "scheduler",
        Category::Internal => "internal",
        Category::Plugin => "plugin",
        Category::Metaevent => "meta",
    }
}

/// Appends parameter `i` as `evt.arg.X` shows it: like `evt.args`, except that an fd is
/// its `<type>name` when known and flags are their names only (`O_RDONLY|O_CLOEXEC`).
pub fn render_arg(c: &Ctx<'_>, raw: &[u8], i: usize, from_enter: bool, out: &mut String) {
    let ev = if from_enter {
        c.p.enter.unwrap_or(c.p.ev)
    } else {
        c.p.ev
    };
    if let Some(pi) = ev.info().and_then(|info| info.params.get(i)) {
        match ParamValue::decode(pi, Some(raw)) {
            ParamValue::Fd(fd) => {
                if let Some(f) = c.fd_num(fd) {
                    out.push('<');
                    out.push(char::from(f.ty.typechar()));
                    out.push('>');
                    // libsinsp's `render_fd` sanitises the name in every use, conditions
                    // included (`sanitize_string`).
                    if c.libs {
                        crate::fields::sanitize::push_sanitized(out, f.shown_name(true));
                    } else {
                        out.push_str(&String::from_utf8_lossy(f.shown_name(false)));
                    }
                    return;
                }
            }
            ParamValue::Flags { value, names } => {
                let before = out.len();
                hindsight_format::value::flags_str(value, names, out);
                if out.len() > before {
                    return;
                }
            }
            _ => {}
        }
    }
    render_param(c, raw, i, from_enter, out);
}

/// Appends parameter `i` of the event (or of its enter) as sysdig prints it, through the
/// format crate's printer with the state as resolver.
pub fn render_param(c: &Ctx<'_>, raw: &[u8], i: usize, from_enter: bool, out: &mut String) {
    let ev = if from_enter {
        c.p.enter.unwrap_or(c.p.ev)
    } else {
        c.p.ev
    };
    let Some(pi) = ev.info().and_then(|info| info.params.get(i)) else {
        return;
    };
    let mut pi = *pi;
    if let Some((name, ty, fmt)) = old::old_param(ev.ty, i) {
        pi = ParamInfo {
            name,
            ty,
            fmt,
            extra: pi.extra,
        };
    }
    let r = StateResolver(c.st);
    print::write_value(out, &ev, &pi, ParamValue::decode(&pi, Some(raw)), &r);
}

/// Finds argument `arg` (a name, or an index into the event's own parameters): its raw
/// bytes, parameter index and whether it came from the enter event.
fn find_arg<'a>(c: &Ctx<'a>, arg: &Arg<'_>) -> Option<(&'a [u8], usize, bool)> {
    let idx_of = |ev: &hindsight_format::EventRef<'_>, name: &str| ev.info()?.param_index(name);
    match arg {
        Arg::Index(i) => {
            let i = *i as usize;
            Some((c.p.ev.param(i)?, i, false))
        }
        Arg::Key(name) => {
            if let Some(i) = idx_of(&c.p.ev, name) {
                if let Some(b) = c.p.ev.param(i) {
                    return Some((b, i, false));
                }
            }
            let e = c.p.enter?;
            let i = idx_of(&e, name)?;
            Some((e.param(i)?, i, true))
        }
        Arg::None => None,
    }
}

/// `evt.rawarg.NAME`: the parameter's value as its type gives it. Current libs read the
/// completed event (`extract_argraw`), where an empty parameter has no value; sysdig 0.29 the
/// exit's own parameter or its enter's.
fn raw_arg(c: &Ctx<'_>, arg: &Arg<'_>, out: &mut Out) -> bool {
    let Some((raw, ty)) = raw_param(c, arg) else {
        return false;
    };
    match ty {
        ParamType::Charbuf
        | ParamType::Fspath
        | ParamType::Fsrelpath
        | ParamType::Bytebuf
        | ParamType::Sockaddr
        | ParamType::Socktuple => out.str(trim_nul(raw)),
        _ => match decode_int(raw, ty) {
            Some(v) => out.i64(v),
            None => out.str(raw),
        },
    }
    true
}

/// The parameter `evt.rawarg.NAME` reads, with its type in this event: in current libs' view
/// the completed event's (`extract_argraw`), where an empty parameter has no value; in
/// sysdig's view the exit's own parameter or its enter's.
pub fn raw_param<'a>(c: &Ctx<'a>, arg: &Arg<'_>) -> Option<(&'a [u8], ParamType)> {
    if c.libs {
        let Arg::Key(name) = arg else { return None };
        let p = print::libs_params(&c.p.ev, c.p.enter.as_ref()).find(|p| p.info.name == *name)?;
        return (!p.bytes.is_empty()).then_some((p.bytes, p.info.ty));
    }
    let (raw, i, enter) = find_arg(c, arg)?;
    let ev = if enter {
        c.p.enter.unwrap_or(c.p.ev)
    } else {
        c.p.ev
    };
    let pi = ev.info().and_then(|info| info.params.get(i))?;
    Some((raw, pi.ty))
}

/// `PPM_O_*` bits used by the `evt.is_open_*` fields.
const O_RDONLY: i64 = 1;
const O_WRONLY: i64 = 2;
const O_CREAT: i64 = 1 << 2;
const O_TMPFILE: i64 = 1 << 13;
/// `PPM_O_F_CREATED`: set by current drivers when the call created the file.
const O_F_CREATED: i64 = 1 << 14;
/// `S_IXUSR | S_IXGRP | S_IXOTH` in `PPM_S_*` numbering.
const MODE_EXEC: i64 = 0o111;

/// `evt.is_open_read`, `_write`, `_create` and `_exec` (`name` without `evt.`).
///
/// Current libs (`sinsp_filter_check_event`, `TYPE_ISOPEN_*`) read the flags of the exits of
/// `open`, `openat`, `openat2` and `open_by_handle_at` only (for `creat`, `is_open_exec`
/// alone, from its mode). A file is created when the driver says so (`PPM_O_F_CREATED`, which
/// old drivers never set) or by a successful `O_TMPFILE` open, and executable when `O_CREAT`
/// or `O_TMPFILE` comes with an exec bit in the mode. sysdig 0.29 also counts `creat` and
/// takes `O_CREAT` as a creation.
fn is_open(name: &str, c: &Ctx<'_>) -> bool {
    let Some(call) = c.p.ev.info().filter(|_| c.p.is_exit()).map(|i| i.name) else {
        return false;
    };
    let exec_mode = || c.p.int("mode").unwrap_or(0) & MODE_EXEC != 0;
    let opens = matches!(call, "open" | "openat" | "openat2" | "open_by_handle_at");
    if !(opens || call == "creat") {
        return false;
    }
    if c.libs && call == "creat" {
        return name == "is_open_exec" && exec_mode();
    }
    let fl = c.p.int("flags").unwrap_or(0);
    match name {
        "is_open_read" => fl & O_RDONLY != 0,
        "is_open_write" => fl & O_WRONLY != 0,
        "is_open_create" if c.libs => {
            fl & O_F_CREATED != 0 || (fl & O_TMPFILE != 0 && res_of(c).is_some_and(|r| r >= 0))
        }
        "is_open_create" => fl & O_CREAT != 0,
        _ if c.libs => {
            fl & (O_CREAT | O_TMPFILE) != 0 && call != "open_by_handle_at" && exec_mode()
        }
        _ => fl & O_CREAT != 0 && exec_mode(),
    }
}

/// The (dirfd, path) parameters `evt.abspath` reads on an exit of `call`: `which` is 0 (none
/// given) or 1 (`.src`) for the source of a two-path call, 2 (`.dst`) for its destination
/// (`sinsp_filter_check_event::extract_abspath`).
fn abspath_params(call: &str, which: u8) -> Option<(&'static str, &'static str)> {
    Some(match (call, which) {
        ("renameat" | "renameat2", 0 | 1) => ("olddirfd", "oldpath"),
        ("renameat" | "renameat2", 2) => ("newdirfd", "newpath"),
        ("linkat", 0 | 1) => ("olddir", "oldpath"),
        ("linkat", 2) => ("newdir", "newpath"),
        ("symlinkat", _) => ("linkdirfd", "linkpath"),
        ("openat" | "openat2" | "unlinkat", _) => ("dirfd", "name"),
        ("mkdirat", _) => ("dirfd", "path"),
        ("fchmodat", _) => ("dirfd", "filename"),
        ("fchownat", _) => ("dirfd", "pathname"),
        _ => return None,
    })
}

/// `evt.abspath[.src|.dst]`: the path argument of a `*at` call made absolute against its
/// dirfd (the working directory for `AT_FDCWD`, `<UNKNOWN>` for an fd not in the table), or
/// the path of a successful `open_by_handle_at`. Current libs compute it on the completed
/// exit, so a parameter the converter leaves empty gives no value.
fn abspath(c: &Ctx<'_>, arg: &Arg<'_>, out: &mut Out) -> bool {
    use crate::state::path::{resolve, AT_FDCWD};
    let (Some(info), Some(t)) = (c.p.ev.info(), c.thread()) else {
        return false;
    };
    if !c.p.is_exit() {
        return false;
    }
    if info.name == "open_by_handle_at" {
        return match (res_of(c), c.p.str("path")) {
            (Some(fd), Some(path)) if fd > 0 => {
                out.build(|b| b.extend_from_slice(&resolve(b"", path)));
                true
            }
            _ => false,
        };
    }
    let which = match arg.key() {
        Some("src") => 1,
        Some("dst") => 2,
        _ => 0,
    };
    let Some((dirfd_name, path_name)) = abspath_params(info.name, which) else {
        return false;
    };
    let (Some((dirfd, _)), Some((path, _))) = (c.p.get(dirfd_name), c.p.get(path_name)) else {
        return false;
    };
    if dirfd.is_empty() || path.is_empty() {
        return false;
    }
    let (Some(dirfd), path) = (decode_int(dirfd, ParamType::Fd), trim_nul(path)) else {
        return false;
    };
    let base: Vec<u8> = if path.starts_with(b"/") {
        Vec::new()
    } else if dirfd == AT_FDCWD {
        c.st.threads.main_of(t).cwd.clone()
    } else {
        match c.fd_num(dirfd) {
            Some(f) => f.name.to_vec(),
            None => b"<UNKNOWN>".to_vec(),
        }
    };
    out.build(|b| b.extend_from_slice(&resolve(&base, path)));
    true
}

/// The names current libs print in an event's arguments ([`LibsResolver`]).
fn libs_resolver<'a>(c: &Ctx<'a>) -> LibsResolver<'a> {
    LibsResolver {
        st: c.st,
        in_container: c.thread().is_some_and(|t| !t.container_id.is_empty()),
    }
}

/// Extracts `evt.<name>`; `false` when the field has no value for this event.
pub fn extract(name: &str, arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let ev = &c.p.ev;
    let info = ev.info();
    match name {
        "num" => out.u64(c.num),
        "cpu" => out.u64(u64::from(ev.cpu)),
        "dir" => out.str(if ev.direction() == Direction::Enter {
            b">"
        } else {
            b"<"
        }),
        "type" | "type.is" => match type_name(c) {
            Some(n) => out.str(n.as_bytes()),
            None => return false,
        },
        "category" => match info {
            // I/O calls take the category of their fd (libsinsp's `get_category`).
            Some(i) if i.category == Category::Io => {
                use crate::state::FdType as T;
                let name: &[u8] = match c.fd().map(|(_, f)| f.ty) {
                    Some(T::File | T::Directory) => b"file",
                    // Current libs: only IP sockets are net, and the fd kinds that are neither
                    // file, net nor IPC are `SC_OTHER`, printed unknown.
                    Some(T::Ipv4 | T::Ipv6) if c.libs => b"net",
                    Some(
                        T::Unix | T::Pipe | T::Event | T::Signalfd | T::Inotify | T::Userfaultfd,
                    ) if c.libs => b"ipc",
                    Some(_) if c.libs => b"unknown",
                    Some(T::Ipv4 | T::Ipv6 | T::Netlink) => b"net",
                    Some(_) => b"ipc",
                    None => b"unknown",
                };
                out.str(name);
            }
            // sysdig 0.29 gives a generic event its syscall's category; current libs keep the
            // generic event type's own (`sinsp_evt::get_category` reads the event table only).
            Some(i) if i.name == "syscall" && !c.libs => {
                let cat = type_name(c).and_then(super::syscat::generic_category);
                out.str(cat.unwrap_or(category_name(i.category)).as_bytes());
            }
            Some(i) => out.str(category_name(i.category).as_bytes()),
            None => return false,
        },
        "source" => out.str(b"syscall"),
        // Current libs take it from the live machine info, which a replayed capture leaves
        // empty; sysdig 0.29 reads the capture's machine block.
        "hostname" if c.libs => out.str(b""),
        "hostname" => out.str(c.st.hostname.as_bytes()),
        // The distance to time T in nanoseconds: the rules compiler turns `evt.around[T]=D`
        // into `<= D ms`, libsinsp's `T` in `[ts - D, ts + D]`.
        "around" => match arg.index() {
            Some(t) => out.u64(ev.ts.abs_diff(t)),
            None => return false,
        },
        "rawtime" => out.u64(ev.ts),
        "rawtime.s" => out.u64(ev.ts / 1_000_000_000),
        "rawtime.ns" => out.u64(ev.ts % 1_000_000_000),
        "time" => out.build(|b| write_time(b, ev.ts)),
        "time.s" => out.build(|b| {
            write_time(b, ev.ts);
            b.truncate(b.len() - 10);
        }),
        "time.iso8601" => out.build(|b| {
            write_datetime(b, ev.ts);
            if let Some(sp) = b.iter().rposition(|&x| x == b' ') {
                b[sp] = b'T';
            }
            b.push(b'Z');
        }),
        "datetime" => out.build(|b| write_datetime(b, ev.ts)),
        "datetime.s" => out.build(|b| {
            write_datetime(b, ev.ts);
            b.truncate(b.len() - 10);
        }),
        "reltime" => out.u64(ev.ts.saturating_sub(c.reltime_origin())),
        "reltime.s" => out.u64(ev.ts.saturating_sub(c.reltime_origin()) / 1_000_000_000),
        "reltime.ns" => out.u64(ev.ts.saturating_sub(c.reltime_origin()) % 1_000_000_000),
        "deltatime" => out.u64(ev.ts.saturating_sub(c.prev_ts)),
        "deltatime.s" => out.u64(ev.ts.saturating_sub(c.prev_ts) / 1_000_000_000),
        "deltatime.ns" => out.u64(ev.ts.saturating_sub(c.prev_ts) % 1_000_000_000),
        "is_async" => out.bool(info.is_some_and(|i| is_meta(i, c.libs))),
        "asynctype" => match info.filter(|i| is_meta(i, c.libs)) {
            // An `asyncevent` carries its own name (libsinsp's evt.asynctype).
            Some(i) if i.name == "asyncevent" => match c.p.bytes("name") {
                Some(n) => out.str(trim_nul(n)),
                None => return false,
            },
            Some(i) => out.str(i.name.as_bytes()),
            None => return false,
        },
        "is_wait" => out.bool(info.is_some_and(|i| i.flags & flags::WAITS != 0)),
        "is_syslog" => out.bool(
            info.is_some_and(|i| i.flags & flags::WRITES_TO_FD != 0)
                && c.fd()
                    .is_some_and(|(_, f)| memchr::memmem::find(&f.name, b"/dev/log").is_some()),
        ),
        "io_dir" => match info.map_or(0, |i| i.flags) {
            f if f & flags::WRITES_TO_FD != 0 => out.str(b"write"),
            f if f & flags::READS_FROM_FD != 0 => out.str(b"read"),
            _ => return false,
        },
        "count.exit" if c.p.is_exit() => out.u64(1),
        "count.exit" => return false,
        "count.error" | "count.error.file" | "count.error.net" | "count.error.memory"
        | "count.error.other" => {
            let Some(res) = res_of(c) else { return false };
            if !error_class_matches(name, c) {
                return false;
            }
            out.u64(u64::from(res < 0));
        }
        // Plugin events carry these; syscall events have none.
        "pluginname" | "plugininfo" => return false,
        // Deprecated in current libs, which hard-code them (0, "0ns").
        "latency" | "latency.s" | "latency.ns" | "wait_latency" if c.libs => out.u64(0),
        "latency.human" if c.libs => out.str(b"0ns"),
        "latency.human" | "wait_latency" => return false,
        // The event time in the output's time format (hh:mm:ss.ns; JSON takes the raw time).
        "outputtime" => out.build(|b| write_time(b, ev.ts)),
        "latency" | "latency.s" | "latency.ns" => {
            let lat = match c.p.enter {
                Some(e) if !c.libs => ev.ts.saturating_sub(e.ts),
                _ => 0,
            };
            out.u64(match name {
                "latency.s" => lat / 1_000_000_000,
                "latency.ns" => lat % 1_000_000_000,
                _ => lat,
            });
        }
        "count" => out.u64(1),
        "res" => {
            let Some(res) = res_of(c) else { return false };
            if res >= 0 {
                out.str(b"SUCCESS");
            } else {
                match errno_name(res) {
                    Some(n) => out.str(n.as_bytes()),
                    None => out.build(|b| {
                        let _ = write!(b, "{res}");
                    }),
                }
            }
        }
        "rawres" => match res_of(c) {
            Some(r) => out.i64(r),
            None => return false,
        },
        "failed" => match res_of(c) {
            Some(r) => out.bool(r < 0),
            // Current libs have no value without a return value; sysdig 0.29 says false.
            None if c.libs => return false,
            None => out.bool(false),
        },
        "is_io" | "is_io_read" | "is_io_write" => {
            let f = info.map_or(0, |i| i.flags);
            let mask = match name {
                "is_io_read" => flags::READS_FROM_FD,
                "is_io_write" => flags::WRITES_TO_FD,
                _ => flags::READS_FROM_FD | flags::WRITES_TO_FD,
            };
            out.bool(f & mask != 0);
        }
        "is_open_read" | "is_open_write" | "is_open_exec" | "is_open_create" => {
            out.bool(is_open(name, c));
        }
        "is_syscall" => out.bool(info.is_some()),
        "args" | "info" => {
            if info.is_none() {
                return false;
            }
            let mut text = std::mem::take(&mut out.text);
            text.clear();
            let (libs, sysdig);
            let (r, style): (&dyn print::Resolver, _) = if c.libs {
                libs = libs_resolver(c);
                (&libs, print::ArgsStyle::Libs)
            } else {
                sysdig = StateResolver(c.st);
                (&sysdig, print::ArgsStyle::Sysdig)
            };
            print::write_args_as(&mut text, ev, c.p.enter.as_ref(), r, style);
            out.str(text.as_bytes());
            out.text = text;
        }
        "arg" if c.libs => {
            let mut params = print::libs_params(ev, c.p.enter.as_ref());
            let found = match arg {
                Arg::Index(i) => usize::try_from(*i).ok().and_then(|i| params.nth(i)),
                Arg::Key(name) => params.find(|p| p.info.name == *name),
                Arg::None => None,
            };
            let Some(param) = found else { return false };
            let mut text = std::mem::take(&mut out.text);
            text.clear();
            print::write_libs_arg(&mut text, &param, &libs_resolver(c));
            out.str(text.as_bytes());
            out.text = text;
        }
        "arg" => {
            let Some((raw, i, enter)) = find_arg(c, arg) else {
                return false;
            };
            let mut text = std::mem::take(&mut out.text);
            text.clear();
            render_arg(c, raw, i, enter, &mut text);
            out.str(text.as_bytes());
            out.text = text;
        }
        "rawarg" => return raw_arg(c, arg, out),
        "abspath" => return abspath(c, arg, out),
        "buffer" => match c.p.bytes("data") {
            Some(d) => out.str(d),
            None => return false,
        },
        // Current libs: any I/O-category call on a known fd (close too); sysdig 0.29: reads
        // and writes.
        "buflen" if c.libs => match c
            .p
            .res()
            .filter(|_| info.is_some_and(|i| i.category == Category::Io) && c.fd().is_some())
        {
            Some(r) if r >= 0 => out.i64(r),
            _ => return false,
        },
        "buflen" => match c.p.res().filter(|_| {
            info.is_some_and(|i| i.flags & (flags::READS_FROM_FD | flags::WRITES_TO_FD) != 0)
        }) {
            Some(r) if r >= 0 => out.i64(r),
            _ => return false,
        },
        _ => return false,
    }
    true
}

/// Whether an event is a meta event, libsinsp's asynchronous events (process lists, container
/// metadata, drops). Current libs ask the `EC_METAEVENT` bit (`libsinsp::events::is_metaevent`),
/// which their table also sets on the JSON container events and the user and group events;
/// sysdig 0.29's table had no such bit and its meta events were the `EC_INTERNAL` ones.
pub fn is_meta(i: &EventInfo, libs: bool) -> bool {
    if libs {
        i.source == Source::Meta
    } else {
        matches!(i.category, Category::Internal | Category::Metaevent)
    }
}

/// Whether `evt.count.error.<class>` counts this event (libsinsp: by the fd's type, or for
/// an event without a known fd, by the call).
fn error_class_matches(name: &str, c: &Ctx<'_>) -> bool {
    use crate::state::FdType as T;
    let class = name.strip_prefix("count.error").unwrap_or("");
    let call = c.p.ev.info().map_or("", |i| i.name);
    let memory =
        c.p.ev
            .info()
            .is_some_and(|i| i.category == Category::Memory);
    let opens = matches!(
        call,
        "open" | "creat" | "openat" | "openat2" | "open_by_handle_at"
    );
    let nets = matches!(call, "accept" | "accept4" | "connect");
    let fd_ty = c.fd().map(|(_, f)| f.ty);
    let file = |t: T| matches!(t, T::File | T::Directory);
    let net = |t: T| matches!(t, T::Ipv4 | T::Ipv6 | T::Unix);
    match class {
        "" => true,
        ".file" => fd_ty.map_or(opens, file),
        ".net" => fd_ty.map_or(nets, net),
        ".memory" => memory,
        _ => fd_ty.map_or(!(opens || nets || memory), |t| !file(t) && !net(t)),
    }
}

/// Extracts `syscall.<name>`: `syscall.type` is the name of the system call behind a syscall
/// event (an enter/exit pair; for a generic `syscall` event, its own name), else no value.
pub fn extract_syscall(name: &str, _arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    if name != "type" || !is_syscall_event(c.p.ev.ty) {
        return false;
    }
    match type_name(c) {
        Some(n) => out.str(n.as_bytes()),
        None => return false,
    }
    true
}

/// Whether event type `ty` is a system call's: syscalls come as enter/exit pairs (even and
/// odd ids of one name), tracepoints and meta events alone.
fn is_syscall_event(ty: u16) -> bool {
    let (Some(a), Some(b)) = (
        hindsight_format::schema::event_info(ty),
        hindsight_format::schema::event_info(ty ^ 1),
    ) else {
        return false;
    };
    a.name == b.name
}

/// The return value of an exit event.
///
/// Current libs follow `sinsp_evt::has_return_value` and `get_syscall_return_value`: every
/// exit of a system call (`EC_SYSCALL`) with a parameter, except the generic `syscall` event,
/// has one, its first parameter whatever its name (the `euid` of `geteuid`), read as a signed
/// 32- or 64-bit integer by its size and 0 for any other size. sysdig 0.29 reads only a
/// first parameter named `res` or `fd`.
fn res_of(c: &Ctx<'_>) -> Option<i64> {
    let info = c.p.ev.info()?;
    if !c.p.is_exit() {
        return None;
    }
    if c.libs {
        if info.source != Source::Syscall || info.name == "syscall" {
            return None;
        }
        let first = c.p.ev.param(0)?;
        return Some(match first.len() {
            4 => decode_int(first, ParamType::Int32)?,
            8 => decode_int(first, ParamType::Int64)?,
            _ => 0,
        });
    }
    let first = info.params.first()?;
    if !matches!(first.name, "res" | "fd") {
        return None;
    }
    c.p.res()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abspath_reads_the_source_or_destination_pair() {
        assert_eq!(
            abspath_params("renameat2", 0),
            Some(("olddirfd", "oldpath"))
        );
        assert_eq!(abspath_params("renameat", 2), Some(("newdirfd", "newpath")));
        assert_eq!(abspath_params("linkat", 1), Some(("olddir", "oldpath")));
        assert_eq!(abspath_params("openat", 2), Some(("dirfd", "name")));
        assert_eq!(abspath_params("open", 0), None);
    }

    #[test]
    fn time_forms() {
        // 2020-03-04 16:17:57.881730713 UTC
        let ts = 1_583_338_677_881_730_713;
        let mut b = Vec::new();
        write_time(&mut b, ts);
        assert_eq!(b, b"16:17:57.881730713");
        b.clear();
        write_datetime(&mut b, ts);
        assert_eq!(b, b"2020-03-04 16:17:57.881730713");
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(11_016), (2000, 2, 29));
    }
}
