//! The bridge to the format crate's sysdig-style printer: [`StateResolver`] answers its
//! questions (thread names, fd names, user names) from the replay state, [`LibsResolver`]
//! as current libs answer them.

use hindsight_format::print::Resolver;

use crate::state::{Fd, State};

/// Resolves names for `hindsight_format::print` from a [`State`].
#[derive(Clone, Copy, Debug)]
pub struct StateResolver<'a>(pub &'a State);

impl Resolver for StateResolver<'_> {
    fn comm(&self, tid: i64) -> Option<&[u8]> {
        self.0.thread(tid).map(|t| t.comm.as_slice())
    }

    fn fd(&self, tid: i64, fd: i64) -> Option<(char, String)> {
        // sysdig 0.29, whose lines `print` writes, never infers a socket from a send.
        fd_info(fd_entry(self.0, tid, fd, false)?, false)
    }

    fn fd_l4(&self, tid: i64, fd: i64) -> Option<char> {
        fd_l4(fd_entry(self.0, tid, fd, false)?)
    }

    fn resolve_path(&self, tid: i64, dirfd: Option<i64>, path: &[u8]) -> Option<Vec<u8>> {
        let t = self.0.thread(tid)?;
        let base = match dirfd {
            None | Some(crate::state::path::AT_FDCWD) => t.cwd.as_slice(),
            Some(fd) => self.0.fd_table(t)?.get(fd)?.name.as_ref(),
        };
        if base.is_empty() {
            return None;
        }
        Some(crate::state::path::resolve(base, path))
    }

    fn group(&self, gid: u32) -> Option<&[u8]> {
        match self.0.users.groups.get(&gid) {
            Some(name) => Some(name),
            None if gid == 0 => Some(b"root"),
            None => None,
        }
    }

    fn user(&self, uid: u32) -> Option<&[u8]> {
        match self.0.users.user(uid) {
            Some(u) => Some(&u.name),
            None if uid == 0 => Some(b"root"),
            None => None,
        }
    }
}

/// Resolves names as current libs do when they print an event's arguments: like
/// [`StateResolver`], except that user and group names come from the users of the event's
/// container (`sinsp_usergroup_manager::get_user(container_id, uid)`), which a trace carries
/// only for the host, and that an id missing from the list has no name (no `root` default).
#[derive(Clone, Copy, Debug)]
pub struct LibsResolver<'a> {
    /// The state.
    pub st: &'a State,
    /// Whether the event's thread runs in a container.
    pub in_container: bool,
}

impl Resolver for LibsResolver<'_> {
    fn comm(&self, tid: i64) -> Option<&[u8]> {
        // The name current libs know the thread by (`<NA>` for one they made up).
        self.st.thread(tid).map(|t| t.comm_in(true))
    }

    fn fd(&self, tid: i64, fd: i64) -> Option<(char, String)> {
        // Current libs render an fd argument from the socket they inferred from a send too.
        fd_info(fd_entry(self.st, tid, fd, true)?, true)
    }

    fn fd_l4(&self, tid: i64, fd: i64) -> Option<char> {
        fd_l4(fd_entry(self.st, tid, fd, true)?)
    }

    fn resolve_path(&self, tid: i64, dirfd: Option<i64>, path: &[u8]) -> Option<Vec<u8>> {
        StateResolver(self.st).resolve_path(tid, dirfd, path)
    }

    fn group(&self, gid: u32) -> Option<&[u8]> {
        if self.in_container {
            return None;
        }
        self.st.users.groups.get(&gid).map(Vec::as_slice)
    }

    fn user(&self, uid: u32) -> Option<&[u8]> {
        if self.in_container {
            return None;
        }
        self.st.users.user(uid).map(|u| u.name.as_slice())
    }
}

/// Entry `fd` of thread `tid`'s process, with the sockets only current libs infer when
/// `libs`.
fn fd_entry(st: &State, tid: i64, fd: i64, libs: bool) -> Option<&Fd> {
    let t = st.thread(tid)?;
    st.fd_table(t)?.get(fd).filter(|f| libs || !f.inferred)
}

/// An fd argument's type character and name, in current libs' view (`libs`) or sysdig's.
/// Current libs' `render_fd` sanitises the name in every use, conditions on `evt.args`
/// included; sysdig's view shows [`Fd::shown_name`].
fn fd_info(f: &Fd, libs: bool) -> Option<(char, String)> {
    let name = if libs {
        let mut s = String::with_capacity(f.name.len());
        crate::fields::sanitize::push_sanitized(&mut s, f.shown_name(true));
        s
    } else {
        String::from_utf8_lossy(f.shown_name(false)).into_owned()
    };
    Some((char::from(f.ty.typechar()), name))
}

/// The protocol letter of an fd argument: a socket's shows once it has an address (bind,
/// connect, accept).
fn fd_l4(f: &Fd) -> Option<char> {
    if !f.ty.is_ip() || (f.role == crate::state::Role::None && !f.listening) {
        return None;
    }
    match f.addrs.l4proto {
        2 => Some('t'),
        3 => Some('u'),
        4 => Some('i'),
        5 => Some('r'),
        _ => None,
    }
}
