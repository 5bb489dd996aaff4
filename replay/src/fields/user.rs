//! `user.*` and `group.*` fields: the thread's user and group, named from the UL block.
//!
//! Like libsinsp, root is always named `root` even without a user list, and an unknown
//! id is named `<NA>` (a string, not a missing value).

use super::ctx::{Arg, Ctx};
use super::value::Out;

/// What libsinsp prints for a user or group it cannot name: the text `<NA>`, a real value
/// that conditions compare against (`user.name in ("<NA>", "")` in the upstream macros).
const NA: &[u8] = b"<NA>";

/// The user (or group) table a thread is named from: the trace's list describes the host;
/// a thread in a container is named from that container's own list, which libsinsp builds
/// live from the container's `/etc/passwd` and which a trace does not carry.
fn host_thread(t: &crate::state::Thread) -> bool {
    t.container_id.is_empty()
}

/// Extracts `user.<name>`.
pub fn extract_user(name: &str, _arg: &Arg<'_>, c: &Ctx<'_>, out: &mut Out) -> bool {
    let Some(t) = c.thread() else { return false };
    let lookup = |uid: u32| host_thread(t).then(|| c.st.users.user(uid)).flatten();
    let user = lookup(t.uid);
    match name {
        "uid" => out.u64(u64::from(t.uid)),
        "name" => match (user, t.uid) {
            (Some(u), _) => out.str(&u.name),
            (None, 0) => out.str(b"root"),
            _ => out.str(NA),
        },
        "homedir" => match (user, t.uid) {
            (Some(u), _) => out.str(&u.home),
            (None, 0) => out.str(b"/root"),
            _ => out.str(NA),
        },
        "shell" => match user {
            Some(u) => out.str(&u.shell),
            None => out.str(NA),
        },
        "loginuid" => out.i64(if t.loginuid == u32::MAX {
            -1
        } else {
            i64::from(t.loginuid)
        }),
        "loginname" => match (lookup(t.loginuid), t.loginuid) {
            (Some(u), _) => out.str(&u.name),
            (None, 0) => out.str(b"root"),
            _ => out.str(NA),
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
            host_thread(t).then(|| c.st.users.group(t.gid)).flatten(),
            t.gid,
        ) {
            (Some(g), _) => out.str(g),
            (None, 0) => out.str(b"root"),
            _ => out.str(NA),
        },
        _ => return false,
    }
    true
}
