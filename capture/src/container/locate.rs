//! Finding the container to record: by id prefix or by name, running or not yet started.
//!
//! Containers are found through their cgroup directories rather than through processes: the
//! runtime creates the directory (and puts its `runc init` in it) before the container's
//! command starts, so a container that appears while we wait is caught before its entrypoint
//! runs, and the directory's inode is what the probe's cgroup filter needs anyway. Names come
//! from the caller (the runtime API or the on-disk state, see [`super::ondisk`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use hindsight_probe::CgroupFilter;

use crate::error::CaptureError;

/// How deep below a hierarchy's root container directories are looked for (kubepods nest
/// `kubepods/<qos>/pod<uid>/<id>`, systemd `machine.slice/libpod-<id>.scope/container`).
const MAX_DEPTH: usize = 6;

/// How often the cgroup hierarchy is scanned while waiting: what passes between the cgroup's
/// creation and the probe's filter being set is not recorded, and runc starts the entrypoint
/// within tens of milliseconds. A scan reads a few directories.
const POLL: Duration = Duration::from_millis(5);

/// A container found in a cgroup hierarchy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// Full 64-hex id.
    pub id: String,
    /// The probe filter selecting its processes.
    pub filter: CgroupFilter,
}

/// The hierarchy container processes are filtered in: the v1 `pids` controller when mounted
/// (the probe reads it with CO-RE), otherwise cgroup2.
fn hierarchy(sys_cgroup: &Path) -> (PathBuf, bool) {
    let pids = sys_cgroup.join("pids");
    if pids.is_dir() {
        return (pids, true);
    }
    let unified = sys_cgroup.join("unified");
    if unified.is_dir() {
        (unified, false)
    } else {
        (sys_cgroup.to_path_buf(), false)
    }
}

/// Container cgroup directories below `root` that hold at least one process, as (full id,
/// inode). Directories without processes are skipped: a stopped container's leftover
/// directory, or the parent of systemd's `<scope>/container`, where nothing runs.
fn container_dirs(root: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut todo = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = todo.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            if !e.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let path = e.path();
            let rel = path.strip_prefix(root).unwrap_or(&path);
            if let Some((id, _)) = super::id_from_cgroup(&format!("/{}", rel.to_string_lossy())) {
                let busy = std::fs::read(path.join("cgroup.procs"))
                    .is_ok_and(|p| p.iter().any(u8::is_ascii_digit));
                if busy {
                    if let Ok(m) = std::fs::metadata(&path) {
                        out.push((id, std::os::unix::fs::MetadataExt::ino(&m)));
                    }
                }
            }
            if depth + 1 < MAX_DEPTH {
                todo.push((path, depth + 1));
            }
        }
    }
    out
}

/// Looks for the container `query` (a full id, a name that `name_of` gives for its id, or an
/// id prefix, in this order) among the running containers under `sys_cgroup` (normally
/// `/sys/fs/cgroup`).
pub fn locate(
    sys_cgroup: &Path,
    query: &str,
    name_of: &mut impl FnMut(&str) -> Option<String>,
) -> Option<Located> {
    let (root, v1) = hierarchy(sys_cgroup);
    let want = query.to_ascii_lowercase();
    let dirs = container_dirs(&root);
    // Docker's order: a full id, then a name, then an id prefix (a name such as `cafe` is
    // also a hex prefix; the container named so wins).
    let found = dirs
        .iter()
        .find(|(id, _)| *id == want)
        .or_else(|| {
            dirs.iter()
                .find(|(id, _)| name_of(id).is_some_and(|n| n == query))
        })
        .or_else(|| {
            dirs.iter()
                .find(|(id, _)| !want.is_empty() && id.starts_with(&want))
        })?;
    let (id, ino) = found.clone();
    Some(Located {
        id,
        filter: if v1 {
            CgroupFilter::V1Pids(ino)
        } else {
            CgroupFilter::V2(ino)
        },
    })
}

/// [`locate`], retried until the container appears, `timeout` passes (`None`: no limit) or
/// `stop` is set (SIGINT/SIGTERM). `notify` is told once that we are waiting. Names found are
/// remembered; failed lookups are retried, since the runtime may write its state a moment
/// after the cgroup appears.
pub fn wait(
    sys_cgroup: &Path,
    query: &str,
    timeout: Option<Duration>,
    stop: &AtomicBool,
    mut name_of: impl FnMut(&str) -> Option<String>,
    notify: fn(&str),
) -> Result<Located, CaptureError> {
    let start = Instant::now();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut cached = |id: &str| -> Option<String> {
        if let Some(n) = names.get(id) {
            return Some(n.clone());
        }
        let n = name_of(id)?;
        names.insert(id.to_string(), n.clone());
        Some(n)
    };
    let mut told = false;
    loop {
        if let Some(l) = locate(sys_cgroup, query, &mut cached) {
            if told {
                notify(&format!(
                    "container `{query}` appeared ({}), recording",
                    &l.id[..12]
                ));
            }
            return Ok(l);
        }
        if timeout.is_some_and(|t| start.elapsed() >= t) {
            return Err(CaptureError::ContainerNotFound {
                query: query.to_string(),
                waited: start.elapsed(),
            });
        }
        if stop.load(Ordering::SeqCst) {
            return Err(CaptureError::Interrupted(format!(
                "waiting for container `{query}`"
            )));
        }
        if !told {
            notify(&format!(
                "container `{query}` is not running; waiting for its first process{}",
                timeout.map_or(String::from(" (no time limit; Ctrl-C to give up)"), |t| {
                    format!(" (at most {:.1}s)", t.as_secs_f64())
                })
            ));
            told = true;
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "8bd2458beb9ce641d7e308da97cbc1c75d786053c1e9e02176ea1e4851ea1cae";

    /// A fake cgroup tree: v1 `pids` with one busy podman container and one stale one.
    fn tree(dir: &Path) {
        let busy = dir.join(format!("pids/libpod_parent/libpod-{ID}"));
        let stale = dir.join(format!("pids/libpod_parent/libpod-{}", "a".repeat(64)));
        std::fs::create_dir_all(&busy).unwrap();
        std::fs::create_dir_all(&stale).unwrap();
        std::fs::create_dir_all(dir.join("pids/libpod_parent/conmon")).unwrap();
        std::fs::write(busy.join("cgroup.procs"), "4242\n").unwrap();
        std::fs::write(stale.join("cgroup.procs"), "").unwrap();
    }

    #[test]
    fn by_prefix_or_by_name_never_a_stale_directory() {
        let dir = tempfile::tempdir().unwrap();
        tree(dir.path());
        let mut no_names = |_: &str| None;
        let l = locate(dir.path(), "8BD2458B", &mut no_names).unwrap();
        assert_eq!(l.id, ID);
        assert!(matches!(l.filter, CgroupFilter::V1Pids(_)));
        let mut names = |id: &str| (id == ID).then(|| "web".to_string());
        assert_eq!(locate(dir.path(), "web", &mut names).unwrap().id, ID);
        // a name that is also a hex prefix of another container's id: the name wins
        let other = dir
            .path()
            .join(format!("pids/libpod_parent/libpod-{}", "8".repeat(64)));
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("cgroup.procs"), "7\n").unwrap();
        let mut named_8 = |id: &str| (id == ID).then(|| "8888".to_string());
        assert_eq!(locate(dir.path(), "8888", &mut named_8).unwrap().id, ID);
        assert_eq!(
            locate(dir.path(), "8888", &mut no_names).unwrap().id,
            "8".repeat(64)
        );
        assert!(locate(dir.path(), "aaaa", &mut no_names).is_none(), "stale");
        assert!(locate(dir.path(), "db", &mut names).is_none());
    }

    #[test]
    fn waiting_ends_with_the_timeout_or_the_stop_flag() {
        let dir = tempfile::tempdir().unwrap();
        tree(dir.path());
        let stop = AtomicBool::new(false);
        let t = Some(Duration::from_millis(120));
        let e = wait(dir.path(), "nope", t, &stop, |_| None, |_| {}).unwrap_err();
        assert!(e.to_string().contains("`nope`"), "{e}");
        stop.store(true, Ordering::SeqCst);
        let e = wait(dir.path(), "nope", None, &stop, |_| None, |_| {}).unwrap_err();
        assert!(matches!(e, CaptureError::Interrupted(_)), "{e}");
        // a container appearing while we wait is found
        let late = dir
            .path()
            .join(format!("pids/libpod_parent/libpod-{}", "b".repeat(64)));
        let l = std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(Duration::from_millis(100));
                std::fs::create_dir_all(&late).unwrap();
                std::fs::write(late.join("cgroup.procs"), "1\n").unwrap();
            });
            let stop = AtomicBool::new(false);
            wait(
                dir.path(),
                "bbbb",
                Some(Duration::from_secs(5)),
                &stop,
                |_| None,
                |_| {},
            )
        });
        assert_eq!(l.unwrap().id, "b".repeat(64));
    }
}
