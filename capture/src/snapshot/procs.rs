//! Threads of the /proc snapshot: one [`ThreadEntry`] per `/proc/<pid>/task/<tid>`.

use std::path::Path;

use hindsight_format::header::ThreadEntry;

/// `PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES`: what libscap sets on non-leader threads.
const THREAD_FLAGS: u32 = (1 << 13) | 1;

/// Every thread of the processes under `proc` that `keep` accepts (by pid, before anything
/// else of the process is read), leaders first within each process, sorted by pid.
pub fn threads(proc: &Path, keep: impl Fn(i64) -> bool) -> Vec<ThreadEntry> {
    let mut pids: Vec<i64> = numeric_dirs(proc)
        .into_iter()
        .filter(|&p| keep(p))
        .collect();
    pids.sort_unstable();
    let mut out = Vec::new();
    for pid in pids {
        let pdir = proc.join(pid.to_string());
        let mut tids = numeric_dirs(&pdir.join("task"));
        tids.sort_unstable_by_key(|&t| (t != pid, t));
        for tid in tids {
            if let Some(t) = thread(&pdir, pid, tid) {
                out.push(t);
            }
        }
    }
    out
}

/// The numeric entries of a directory (pids, tids, fds).
pub fn numeric_dirs(dir: &Path) -> Vec<i64> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// One thread; `None` when it vanished while being read.
pub fn thread(pdir: &Path, pid: i64, tid: i64) -> Option<ThreadEntry> {
    let tdir = pdir.join("task").join(tid.to_string());
    let stat = std::fs::read_to_string(tdir.join("stat")).ok()?;
    let status = std::fs::read_to_string(tdir.join("status")).unwrap_or_default();
    let after = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let field = |name: &str| -> Vec<i64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| {
                v.split_whitespace()
                    .filter_map(|x| x.parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let kb = |name: &str| field(name).first().copied().unwrap_or(0) as u32;
    let cmdline = std::fs::read(pdir.join("cmdline")).unwrap_or_default();
    let mut argv = split_nul(&cmdline);
    let exe = if argv.is_empty() {
        Vec::new()
    } else {
        argv.remove(0)
    };
    let link = |p: &str| {
        std::fs::read_link(pdir.join(p))
            .map(|l| l.into_os_string().into_encoded_bytes())
            .unwrap_or_default()
    };
    let comm = std::fs::read(tdir.join("comm")).unwrap_or_default();
    let uid = field("Uid:");
    let gid = field("Gid:");
    let nspid = field("NSpid:");
    let nstid = std::fs::read_to_string(tdir.join("status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("NSpid:"))
                .and_then(|v| v.split_whitespace().last()?.parse().ok())
        })
        .unwrap_or(tid);
    let mut cwd = link("cwd");
    if cwd.last() != Some(&b'/') {
        cwd.push(b'/');
    }
    Some(ThreadEntry {
        tid,
        pid,
        ptid: num(1),
        sid: num(3),
        vpgid: num(2),
        comm: trim_newline(comm),
        exe: if exe.is_empty() {
            trim_newline(std::fs::read(tdir.join("comm")).unwrap_or_default())
        } else {
            exe
        },
        exepath: link("exe"),
        args: argv,
        cwd,
        fdlimit: fd_limit(pdir),
        flags: if tid == pid { 0 } else { THREAD_FLAGS },
        uid: uid.get(1).copied().unwrap_or(0) as u32,
        gid: gid.get(1).copied().unwrap_or(0) as u32,
        vmsize_kb: kb("VmSize:"),
        vmrss_kb: kb("VmRSS:"),
        vmswap_kb: kb("VmSwap:"),
        pfmajor: num(9) as u64,
        pfminor: num(7) as u64,
        env: split_nul(&std::fs::read(pdir.join("environ")).unwrap_or_default()),
        vtid: nstid,
        vpid: nspid.last().copied().unwrap_or(pid),
        cgroups: cgroups(&std::fs::read_to_string(tdir.join("cgroup")).unwrap_or_default()),
        root: link("root"),
        loginuid: std::fs::read_to_string(pdir.join("loginuid"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(u32::MAX),
        exe_writable: false,
        tty: 0,
        caps: None,
        pidns_init_start_ts: 0,
        // The process list is written with the old tail, which has none of these.
        ..ThreadEntry::default()
    })
}

/// `(subsystem, path)` pairs of a /proc cgroup file, the way the probe emits them: one pair
/// per v1 controller (`cpu,cpuacct` is split) and `name=systemd`; the cgroup2 line has no
/// controller name and is skipped unless it is the only one.
pub fn cgroups(text: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    let mut unified = None;
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, ctrl, path) = (
            parts.next(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        if ctrl.is_empty() {
            unified = Some(path);
            continue;
        }
        for c in ctrl.split(',') {
            out.push((c.as_bytes().to_vec(), path.as_bytes().to_vec()));
        }
    }
    if out.is_empty() {
        if let Some(p) = unified {
            for c in ["cpuset", "cpu", "memory", "pids"] {
                out.push((c.as_bytes().to_vec(), p.as_bytes().to_vec()));
            }
        }
    }
    out
}

fn fd_limit(pdir: &Path) -> u64 {
    std::fs::read_to_string(pdir.join("limits"))
        .ok()
        .and_then(|s| {
            let l = s.lines().find(|l| l.starts_with("Max open files"))?;
            l["Max open files".len()..]
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn split_nul(b: &[u8]) -> Vec<Vec<u8>> {
    b.split(|&c| c == 0)
        .filter(|s| !s.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

fn trim_newline(mut v: Vec<u8>) -> Vec<u8> {
    while v.last() == Some(&b'\n') {
        v.pop();
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cgroup_lines() {
        let t = "9:name=systemd:/\n2:cpu,cpuacct:/libpod_parent/libpod-ab\n0::/x\n";
        let c = cgroups(t);
        assert_eq!(c.len(), 3);
        assert_eq!(
            c[1],
            (b"cpu".to_vec(), b"/libpod_parent/libpod-ab".to_vec())
        );
        let only2 = cgroups("0::/system.slice/docker-1.scope\n");
        assert_eq!(only2.len(), 4);
        assert!(cgroups("").is_empty());
    }

    #[test]
    fn this_process_is_read_back() {
        let me = std::process::id() as i64;
        let t = thread(Path::new(&format!("/proc/{me}")), me, me).unwrap();
        assert_eq!(t.pid, me);
        assert!(!t.comm.is_empty());
        assert!(t.cwd.ends_with(b"/"));
        assert!(t.fdlimit > 0);
        assert!(thread(Path::new("/proc/0"), 0, 0).is_none());
    }
}
