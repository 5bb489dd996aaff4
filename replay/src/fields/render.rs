//! The bridge to the format crate's sysdig-style printer: [`StateResolver`] answers its
//! questions (thread names, fd names, user names) from the replay state.

use hindsight_format::print::Resolver;

use crate::state::State;

/// Resolves names for `hindsight_format::print` from a [`State`].
#[derive(Clone, Copy, Debug)]
pub struct StateResolver<'a>(pub &'a State);

impl Resolver for StateResolver<'_> {
    fn comm(&self, tid: i64) -> Option<&[u8]> {
        self.0.thread(tid).map(|t| t.comm.as_slice())
    }

    fn fd(&self, tid: i64, fd: i64) -> Option<(char, String)> {
        let t = self.0.thread(tid)?;
        // sysdig 0.29, whose lines `print` writes, never infers a socket from a send.
        let f = self.0.fd_table(t)?.get(fd).filter(|f| !f.inferred)?;
        Some((
            char::from(f.ty.typechar()),
            String::from_utf8_lossy(&f.name).into_owned(),
        ))
    }

    fn fd_l4(&self, tid: i64, fd: i64) -> Option<char> {
        let t = self.0.thread(tid)?;
        // sysdig 0.29, whose lines `print` writes, never infers a socket from a send.
        let f = self.0.fd_table(t)?.get(fd).filter(|f| !f.inferred)?;
        // A socket's protocol shows once it has an address (bind, connect, accept).
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
