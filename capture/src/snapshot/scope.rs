//! Which processes a snapshot describes. A recording scoped to a container or a command keeps
//! only that scope in its header blocks: the host's other processes, with their command lines,
//! environments and open files, are none of the trace's business (and often secret).
//!
//! The scope is decided per process from cheap reads (`/proc/<pid>/cgroup` or `stat`) before
//! anything else of the process is read, so out-of-scope processes are never even loaded.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::procs::numeric_dirs;

/// The processes a snapshot keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every process of the host.
    #[default]
    Host,
    /// The processes whose cgroup paths name this container (full 64-hex id).
    Container(String),
    /// A recorded command: the process tree rooted at `root`, and `parent` (the recorder,
    /// which started it) so that replay knows the command's parent name. The parent's
    /// environment and open files are left out: replay needs neither.
    Tree {
        /// The command's process (it `exec`s the command once recording starts).
        root: i64,
        /// Its parent.
        parent: i64,
    },
}

/// The pids a snapshot of `proc` keeps, `None` for all of them.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Processes described in full.
    pub full: HashSet<i64>,
    /// Processes described without environment and fd table.
    pub bare: HashSet<i64>,
}

impl Selection {
    /// Whether process `pid` is kept at all.
    pub fn keeps(&self, pid: i64) -> bool {
        self.full.contains(&pid) || self.bare.contains(&pid)
    }
}

/// The processes of `proc` within `scope` (`None`: the whole host).
pub fn select(proc: &Path, scope: &Scope) -> Option<Selection> {
    match scope {
        Scope::Host => None,
        Scope::Container(id) => {
            let full = numeric_dirs(proc)
                .into_iter()
                .filter(|pid| {
                    let text = std::fs::read_to_string(proc.join(pid.to_string()).join("cgroup"))
                        .unwrap_or_default();
                    let groups = super::procs::cgroups(&text);
                    crate::container::id_from_cgroups(groups.iter().map(|(_, p)| p.as_slice()))
                        .is_some_and(|(c, _)| &c == id)
                })
                .collect();
            Some(Selection {
                full,
                bare: HashSet::new(),
            })
        }
        Scope::Tree { root, parent } => {
            let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
            for pid in numeric_dirs(proc) {
                if let Some(ppid) = ppid(proc, pid) {
                    children.entry(ppid).or_default().push(pid);
                }
            }
            let mut full = HashSet::new();
            let mut todo = vec![*root];
            while let Some(p) = todo.pop() {
                // A pid seen twice would mean a cycle in a racing /proc read: stop there.
                if full.insert(p) {
                    todo.extend(children.get(&p).into_iter().flatten().copied());
                }
            }
            let bare = if full.contains(parent) {
                HashSet::new()
            } else {
                HashSet::from([*parent])
            };
            Some(Selection { full, bare })
        }
    }
}

/// The parent pid in `/proc/<pid>/stat` (the field after the state, past the comm's `)`).
fn ppid(proc: &Path, pid: i64) -> Option<i64> {
    let stat = std::fs::read_to_string(proc.join(pid.to_string()).join("stat")).ok()?;
    stat[stat.rfind(')')? + 1..]
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_holds_the_root_its_children_and_a_bare_parent() {
        let me = std::process::id() as i64;
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let kid = child.id() as i64;
        let parent = ppid(Path::new("/proc"), me).unwrap();
        let s = select(Path::new("/proc"), &Scope::Tree { root: me, parent }).unwrap();
        let _ = child.kill();
        let _ = child.wait();
        assert!(s.full.contains(&me) && s.full.contains(&kid), "{s:?}");
        assert_eq!(s.bare, HashSet::from([parent]));
        assert!(
            !s.keeps(1) || parent == 1,
            "init is outside the tree: {s:?}"
        );
    }

    #[test]
    fn an_unknown_container_selects_nothing() {
        let s = select(Path::new("/proc"), &Scope::Container("f".repeat(64))).unwrap();
        assert!(s.full.is_empty() && s.bare.is_empty());
        assert!(select(Path::new("/proc"), &Scope::Host).is_none());
    }
}
