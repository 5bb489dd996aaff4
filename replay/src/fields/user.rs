//! `user.*` and `group.*` fields: the thread's user and group, named from the UL block.
//!
//! Like libsinsp, root is always named `root` even without a user list, and an unknown
//! id is named `<NA>` (a string, not a missing value).

use super::ctx::{Arg, Ctx};
use super::value::Out;

/// What current libsinsp prints for a user or group it cannot name: the text `<NA>`, a real
/// value that conditions compare against (`user.name in ("<NA>", "")` in the upstream
/// macros). sysdig 0.29 has no value instead.
const NA: &[u8] = b"<NA>";

/// Whether the trace's user and group lists name the thread's ids. They describe the host;
/// current libsinsp names a thread in a container from that container's own list, which it
/// builds live from the container's `/etc/passwd` and which a trace does not carry. sysdig
/// 0.29 used the host's list for every thread.
fn named_from_trace(c: &Ctx<'_>, t: &crate::state::Thread) -> bool {
    !c.libs || t.container_id.is_empty()
}

/// Writes the unnamed marker in current libs' view; `false` (no value) in sysdig's.
fn unnamed(c: &Ctx<'_>, out: &mut Out) -> bool {
    if c.libs {
        out.str(NA);
    }
    c.libs
}

/// Extracts `user.<name>`.
pub fn extract_user(name: &str, _arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let Some(t) = c.thread() else { return false };
    let lookup = |uid: u32| {
        named_from_trace(c, t)
            .then(|| c.st.users.user(uid))
            .flatten()
    };
    let user = lookup(t.uid);
    match name {
        "uid" => out.u64(u64::from(t.uid)),
        "name" => match (user, t.uid) {
            (Some(u), _) => out.str(&u.name),
            (None, 0) => out.str(b"root"),
            _ => return unnamed(c, out),
        },
        "homedir" => match (user, t.uid) {
            (Some(u), _) => out.str(&u.home),
            (None, 0) => out.str(b"/root"),
            _ => return unnamed(c, out),
        },
        "shell" => match user {
            Some(u) => out.str(&u.shell),
            None => return unnamed(c, out),
        },
        "loginuid" => out.i64(if t.loginuid == u32::MAX {
            -1
        } else {
            i64::from(t.loginuid)
        }),
        // sysdig 0.29 names no login user when the login uid is unset.
        "loginname" if !c.libs && t.loginuid == u32::MAX => return false,
        "loginname" => match (lookup(t.loginuid), t.loginuid) {
            (Some(u), _) => out.str(&u.name),
            (None, 0) => out.str(b"root"),
            _ => return unnamed(c, out),
        },
        _ => return false,
    }
    true
}

/// Extracts `group.<name>`.
pub fn extract_group(name: &str, _arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let Some(t) = c.thread() else { return false };
    match name {
        "gid" => out.u64(u64::from(t.gid)),
        "name" => match (
            named_from_trace(c, t)
                .then(|| c.st.users.group(t.gid))
                .flatten(),
            t.gid,
        ) {
            (Some(g), _) => out.str(g),
            (None, 0) => out.str(b"root"),
            _ => return unnamed(c, out),
        },
        _ => return false,
    }
    true
}
