//! Users and groups of the traced machine, from the UL header block.
//!
//! `user.name`, `user.homedir`, `user.shell` and `group.name` are looked up here by the
//! thread's uid/gid; an id missing from the block has no name (libsinsp prints `<NA>`),
//! except root, which libsinsp always knows.

use hindsight_format::header::{GroupEntry, UserEntry};

/// One user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct User {
    /// Primary group id.
    pub gid: u32,
    /// Login name.
    pub name: Vec<u8>,
    /// Home directory.
    pub home: Vec<u8>,
    /// Login shell.
    pub shell: Vec<u8>,
}

/// Users by uid and group names by gid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Users {
    /// Users by uid.
    pub users: super::IdMap<u32, User>,
    /// Group names by gid.
    pub groups: super::IdMap<u32, Vec<u8>>,
}

impl Users {
    /// The tables of a UL block.
    pub fn from_entries(users: &[UserEntry], groups: &[GroupEntry]) -> Users {
        Users {
            users: users
                .iter()
                .map(|u| {
                    (
                        u.uid,
                        User {
                            gid: u.gid,
                            name: u.name.clone(),
                            home: u.home.clone(),
                            shell: u.shell.clone(),
                        },
                    )
                })
                .collect(),
            groups: groups.iter().map(|g| (g.gid, g.name.clone())).collect(),
        }
    }

    /// The user `uid`.
    pub fn user(&self, uid: u32) -> Option<&User> {
        self.users.get(&uid)
    }

    /// The name of group `gid`.
    pub fn group(&self, gid: u32) -> Option<&[u8]> {
        self.groups.get(&gid).map(Vec::as_slice)
    }
}
