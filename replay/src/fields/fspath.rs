//! `fs.path.*` fields: the path a filesystem call operates on (`name`), or the source and
//! target of a rename, link, symlink or mount, as passed (`*raw`) or made absolute.
//!
//! Semantics follow libsinsp's `sinsp_filter_check_fspath`: a table (`CALLS`) gives, per
//! exit event, the check that says the call succeeded and the argument each field reads; a
//! relative path is resolved against the thread's working directory, or the event's dirfd
//! for the `*at` calls that use one (an fd not known as a directory gives `<UNKNOWN>`). Its
//! quirks are kept: an `openat` with a relative path shows the name of the fd it opened
//! (`<UNKNOWN>` without one), a failed open counts as a success unless it returned -1, a
//! link's source is its new path and its target the old one, and `renameat` (unlike
//! `renameat2`) resolves against the working directory.

use super::ctx::Ctx;
use super::value::Out;
use crate::state::path::resolve;

/// How a call's success is read.
#[derive(Clone, Copy)]
enum Success {
    /// `evt.rawarg.res = 0`.
    ResZero,
    /// `evt.rawarg.fd != -1` (the opens).
    FdNotMinusOne,
}

/// Where a path comes from.
#[derive(Clone, Copy)]
enum PathArg {
    /// The event argument of that name (`evt.rawarg.NAME`).
    Param(&'static str),
    /// The event's fd's name (`fd.name`).
    FdName,
}

/// How a relative path is made absolute.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Base {
    /// Against the thread's working directory.
    Cwd,
    /// Against the event's fd when it is a directory (`<UNKNOWN>` otherwise).
    EventDir,
    /// The name of the fd the call opened replaces the path (`openat`, `openat2`).
    OpenedFd,
    /// The source against the event's fd (the link's dirfd), the target `<UNKNOWN>`.
    LinkDir,
    /// Against the directory fd in argument `olddirfd` (source) or `newdirfd` (target).
    RenameDirs,
}

/// One call: its success check, its path, source and target arguments, and its base.
struct Call {
    name: &'static str,
    success: Success,
    path: Option<PathArg>,
    source: Option<PathArg>,
    target: Option<PathArg>,
    base: Base,
}

const fn call(name: &'static str, success: Success, path: PathArg, base: Base) -> Call {
    Call {
        name,
        success,
        path: Some(path),
        source: None,
        target: None,
        base,
    }
}

const fn pair(name: &'static str, source: &'static str, target: &'static str, base: Base) -> Call {
    Call {
        name,
        success: Success::ResZero,
        path: None,
        source: Some(PathArg::Param(source)),
        target: Some(PathArg::Param(target)),
        base,
    }
}

use Base::*;
use PathArg::*;
use Success::*;

/// libsinsp's `create_fspath_checks`, by event name (every version of an event is converted
/// to the one it lists).
const CALLS: &[Call] = &[
    call("mkdir", ResZero, Param("path"), Cwd),
    call("mkdirat", ResZero, Param("path"), EventDir),
    call("rmdir", ResZero, Param("path"), Cwd),
    call("unlink", ResZero, Param("path"), Cwd),
    call("unlinkat", ResZero, Param("name"), EventDir),
    call("open", FdNotMinusOne, Param("name"), Cwd),
    call("openat", FdNotMinusOne, Param("name"), OpenedFd),
    call("openat2", FdNotMinusOne, Param("name"), OpenedFd),
    call("fchmodat", ResZero, Param("filename"), EventDir),
    call("chmod", ResZero, Param("filename"), Cwd),
    call("fchmod", ResZero, FdName, Cwd),
    call("chown", ResZero, Param("path"), Cwd),
    call("lchown", ResZero, Param("path"), Cwd),
    call("fchown", ResZero, FdName, Cwd),
    call("fchownat", ResZero, Param("pathname"), EventDir),
    call("quotactl", ResZero, Param("special"), Cwd),
    pair("rename", "oldpath", "newpath", Cwd),
    pair("renameat", "oldpath", "newpath", Cwd),
    pair("renameat2", "oldpath", "newpath", RenameDirs),
    pair("link", "newpath", "oldpath", Cwd),
    pair("linkat", "newpath", "oldpath", Cwd),
    pair("symlink", "linkpath", "target", Cwd),
    pair("symlinkat", "linkpath", "target", LinkDir),
    pair("mount", "dev", "dir", Cwd),
    call("umount", ResZero, Param("name"), Cwd),
    call("umount2", ResZero, Param("name"), Cwd),
];

/// Which of a call's paths a field reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Path,
    Source,
    Target,
}

/// `dir/` for a directory fd, `<UNKNOWN>` for anything else (libsinsp's `format_dirfd`).
fn dir_of(c: &Ctx<'_>, fd: Option<i64>) -> Vec<u8> {
    let f = match fd {
        Some(n) => c.fd_num(n),
        None => c.fd().map(|(_, f)| f),
    };
    match f.filter(|f| f.ty == crate::state::FdType::Directory) {
        Some(f) if f.name.is_empty() || f.name.ends_with(b"/") => f.name.to_vec(),
        Some(f) => {
            let mut d = f.name.to_vec();
            d.push(b'/');
            d
        }
        None => b"<UNKNOWN>".to_vec(),
    }
}

/// The directory a `renameat2` dirfd argument names (libsinsp's `parse_dirfd`).
fn dirfd_base(c: &Ctx<'_>, arg: &str, path: &[u8]) -> Vec<u8> {
    use crate::state::path::AT_FDCWD;
    if path.starts_with(b"/") {
        return b".".to_vec();
    }
    match c.p.int(arg) {
        Some(AT_FDCWD) => c.thread().map(|t| t.cwd.clone()).unwrap_or_default(),
        Some(fd) => match c.fd_num(fd) {
            Some(f) if f.name.is_empty() || f.name.ends_with(b"/") => f.name.to_vec(),
            Some(f) => {
                let mut d = f.name.to_vec();
                d.push(b'/');
                d
            }
            None => b"<UNKNOWN>".to_vec(),
        },
        None => b"<UNKNOWN>".to_vec(),
    }
}

/// Extracts `fs.path.<name>`.
pub fn extract(name: &str, c: &Ctx<'_>, out: &mut Out) -> bool {
    let (which, raw) = match name {
        "name" => (Which::Path, false),
        "nameraw" => (Which::Path, true),
        "source" => (Which::Source, false),
        "sourceraw" => (Which::Source, true),
        "target" => (Which::Target, false),
        "targetraw" => (Which::Target, true),
        _ => return false,
    };
    let p = &c.p;
    if !p.is_exit() {
        return false;
    }
    let Some(call) =
        p.ev.info()
            .and_then(|i| CALLS.iter().find(|k| k.name == i.name))
    else {
        return false;
    };
    let ok = match call.success {
        ResZero => p.res() == Some(0),
        FdNotMinusOne => p.int("fd").is_some_and(|fd| fd != -1),
    };
    if !ok {
        return false;
    }
    let from = match which {
        Which::Path => call.path,
        Which::Source => call.source,
        Which::Target => call.target,
    };
    // The argument as `evt.rawarg` reads it: an empty string argument is `<NA>`.
    let arg: Vec<u8> = match from {
        Some(Param(a)) => match p.str(a) {
            Some([]) => b"<NA>".to_vec(),
            Some(s) => s.to_vec(),
            None => return false,
        },
        Some(FdName) => {
            if !super::fd::extract("name", &super::ctx::Arg::None, c, out) {
                return false;
            }
            let v = out.vals.pop();
            let name = v.map(|v| out.bytes(&v).to_vec()).unwrap_or_default();
            out.clear();
            name
        }
        None => return false,
    };
    if raw {
        out.str(&arg);
        return true;
    }
    let Some(t) = c.thread() else { return false };
    if arg.starts_with(b"/") {
        out.str(&resolve(b"", &arg));
        return true;
    }
    let resolved = match call.base {
        Cwd => resolve(&t.cwd, &arg),
        EventDir => resolve(&dir_of(c, None), &arg),
        OpenedFd => {
            let opened = c.fd().map_or(&b"<UNKNOWN>"[..], |(_, f)| &f.name[..]);
            resolve(b"", opened)
        }
        LinkDir if which == Which::Source => resolve(&dir_of(c, None), &arg),
        LinkDir => resolve(b"<UNKNOWN>", &arg),
        RenameDirs => {
            let dirfd = if which == Which::Target {
                "newdirfd"
            } else {
                "olddirfd"
            };
            resolve(&dirfd_base(c, dirfd, &arg), &arg)
        }
    };
    out.str(&resolved);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::state::{State, Thread};
    use hindsight_format::encode::EventBuilder;
    use hindsight_format::event::EventRef;
    use hindsight_format::schema::{event_ids_by_name, event_info, flags, Direction};

    /// The newest exit of `name`.
    fn exit_id(name: &str) -> u16 {
        event_ids_by_name(name)
            .filter_map(event_info)
            .find(|i| i.direction() == Direction::Exit && i.flags & flags::OLD_VERSION == 0)
            .map(|i| i.id)
            .expect("known event")
    }

    /// `fs.path.<fields>` of exit `name` with `params`, on thread 7 working in `/home/u`.
    fn paths(name: &str, params: &[&[u8]], fields: &[&str]) -> Vec<String> {
        let mut st = State::default();
        let mut t = Thread::unknown(7);
        t.cwd = b"/home/u".to_vec();
        st.threads.threads.insert(7, t);
        let mut b = EventBuilder::new(exit_id(name), 1_000, 7);
        for p in params {
            b.raw(p);
        }
        let rec = b.build();
        let ev = EventRef::parse_v2(&rec, 1, 0, 0).expect("well-formed record");
        st.apply(&ev);
        let c = Ctx::applied(&st, ev, true);
        fields
            .iter()
            .map(|f| {
                let mut out = Out::default();
                if !extract(f, &c, &mut out) {
                    return "<NA>".to_owned();
                }
                String::from_utf8_lossy(out.bytes(&out.vals[0])).into_owned()
            })
            .collect()
    }

    const OK: [u8; 8] = 0i64.to_le_bytes();

    #[test]
    fn a_link_source_is_its_new_path() {
        let got = paths(
            "link",
            &[&OK, b"a/../old\0", b"new\0"],
            &["source", "target", "targetraw", "name"],
        );
        assert_eq!(got, ["/home/u/new", "/home/u/old", "a/../old", "<NA>"]);
    }

    #[test]
    fn renameat2_resolves_against_its_dirfds_renameat_against_the_cwd() {
        let cwd = (-100i64).to_le_bytes();
        let unknown = 9i64.to_le_bytes();
        let params: [&[u8]; 6] = [&OK, &unknown, b"x\0", &cwd, b"y\0", &0u32.to_le_bytes()];
        let got = paths("renameat2", &params, &["source", "target"]);
        assert_eq!(got, ["<UNKNOWN>/x", "/home/u/y"]);
        let got = paths("renameat", &params[..5], &["source", "target"]);
        assert_eq!(got, ["/home/u/x", "/home/u/y"]);
        // A failed call has no path.
        let failed = (-2i64).to_le_bytes();
        let got = paths("rename", &[&failed, b"x\0", b"y\0"], &["source"]);
        assert_eq!(got, ["<NA>"]);
    }
}
