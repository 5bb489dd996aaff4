//! `user.*` and `group.*` fields: the thread's user and group, named from the UL block.
//!
//! Like libsinsp, root is always named `root` even without a user list, and an unknown
//! id has no name.

use super::ctx::{Arg, Ctx};
use super::value::Out;

/// Extracts `user.<name>`.
pub fn extract_user(name: &str, _arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let Some(t) = c.thread() else { return false };
    let user = c.st.users.user(t.uid);
    match name {
        "uid" => out.u64(u64::from(t.uid)),
        "name" => match (user, t.uid) {
            (Some(u), _) => out.str(&u.name),
            (None, 0) => out.str(b"root"),
            _ => return false,
        },
        "homedir" => match (user, t.uid) {
            (Some(u), _) => out.str(&u.home),
            (None, 0) => out.str(b"/root"),
            _ => return false,
        },
        "shell" => match user {
            Some(u) => out.str(&u.shell),
            None => return false,
        },
        "loginuid" => out.i64(if t.loginuid == u32::MAX {
            -1
        } else {
            i64::from(t.loginuid)
        }),
        "loginname" => {
            if t.loginuid == u32::MAX {
                return false;
            }
            match (c.st.users.user(t.loginuid), t.loginuid) {
                (Some(u), _) => out.str(&u.name),
                (None, 0) => out.str(b"root"),
                _ => return false,
            }
        }
        _ => return false,
    }
    true
}

/// Extracts `group.<name>`.
pub fn extract_group(name: &str, _arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let Some(t) = c.thread() else { return false };
    match name {
        "gid" => out.u64(u64::from(t.gid)),
        "name" => match (c.st.users.group(t.gid), t.gid) {
            (Some(g), _) => out.str(g),
            (None, 0) => out.str(b"root"),
            _ => return false,
        },
        _ => return false,
    }
    true
}
