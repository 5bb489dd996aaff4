//! The /proc snapshot taken when recording starts, as a [`TraceHeader`]: machine info,
//! every thread ([`procs`]), the fd table of every process ([`fds`]), users and groups from
//! /etc/passwd and /etc/group, and network interfaces.
//!
//! A [`Scope`] limits the snapshot to a container or a recorded command's process tree
//! ([`scope`]).
//!
//! Everything is best effort: a process that exits while being read is skipped, an unreadable
//! field keeps its default. A snapshot never fails.

pub mod fds;
pub mod procs;
pub mod scope;

pub use scope::Scope;

use std::path::Path;

use hindsight_format::header::{GroupEntry, InterfaceEntry, MachineInfo, TraceHeader, UserEntry};

/// Reads the snapshot of `scope` from `proc` (normally `/proc`) and `etc` (normally `/etc`).
pub fn take(proc: &Path, etc: &Path, scope: &Scope) -> TraceHeader {
    let (threads, fds) = match scope::select(proc, scope) {
        None => {
            let threads = procs::threads(proc, |_| true);
            let fds = fds::tables(proc, &threads);
            (threads, fds)
        }
        Some(sel) => {
            let mut threads = procs::threads(proc, |pid| sel.keeps(pid));
            for t in threads.iter_mut().filter(|t| sel.bare.contains(&t.pid)) {
                t.env.clear();
            }
            let full: Vec<_> = threads
                .iter()
                .filter(|t| sel.full.contains(&t.pid))
                .cloned()
                .collect();
            let fds = fds::tables(proc, &full);
            (threads, fds)
        }
    };
    TraceHeader {
        version: (1, 2),
        machine: Some(machine(proc)),
        threads,
        fds,
        users: users(&etc.join("passwd")),
        groups: groups(&etc.join("group")),
        interfaces: interfaces(),
    }
}

/// Machine info: CPUs, memory, hostname, boot time.
pub fn machine(proc: &Path) -> MachineInfo {
    let read = |p: &str| std::fs::read_to_string(proc.join(p)).unwrap_or_default();
    let num_cpus = read("cpuinfo")
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count() as u32;
    let memory_kb: u64 = read("meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let uptime: f64 = read("uptime")
        .split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    MachineInfo {
        num_cpus,
        memory_bytes: memory_kb * 1024,
        max_pid: read("sys/kernel/pid_max").trim().parse().unwrap_or(0),
        hostname: read("sys/kernel/hostname").trim().to_string(),
        boot_ts: now.saturating_sub((uptime * 1e9) as u64),
        flags: 0,
    }
}

/// Users of a passwd file (`name:x:uid:gid:gecos:home:shell`).
pub fn users(passwd: &Path) -> Vec<UserEntry> {
    let text = std::fs::read_to_string(passwd).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 7 {
                return None;
            }
            Some(UserEntry {
                uid: f[2].parse().ok()?,
                gid: f[3].parse().ok()?,
                name: f[0].as_bytes().to_vec(),
                home: f[5].as_bytes().to_vec(),
                shell: f[6].as_bytes().to_vec(),
            })
        })
        .collect()
}

/// Groups of a group file (`name:x:gid:members`).
pub fn groups(group: &Path) -> Vec<GroupEntry> {
    let text = std::fs::read_to_string(group).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 3 {
                return None;
            }
            Some(GroupEntry {
                gid: f[2].parse().ok()?,
                name: f[0].as_bytes().to_vec(),
            })
        })
        .collect()
}

/// Interface addresses, from `ip -j addr` (iproute2); empty when it is not installed.
pub fn interfaces() -> Vec<InterfaceEntry> {
    let Ok(out) = std::process::Command::new("ip")
        .args(["-j", "addr"])
        .output()
    else {
        return Vec::new();
    };
    parse_ip_json(&out.stdout)
}

fn parse_ip_json(json: &[u8]) -> Vec<InterfaceEntry> {
    let Ok(serde_json::Value::Array(links)) = serde_json::from_slice(json) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for link in &links {
        let name = link["ifname"].as_str().unwrap_or_default();
        for a in link["addr_info"].as_array().into_iter().flatten() {
            let (Some(local), Some(prefix)) = (a["local"].as_str(), a["prefixlen"].as_u64()) else {
                continue;
            };
            let Ok(ip) = local.parse::<std::net::IpAddr>() else {
                continue;
            };
            let (addr, netmask, bcast) = match ip {
                std::net::IpAddr::V4(v4) => {
                    let mask = if prefix == 0 {
                        0
                    } else {
                        u32::MAX << (32 - prefix.min(32))
                    };
                    let b = a["broadcast"]
                        .as_str()
                        .and_then(|b| b.parse::<std::net::Ipv4Addr>().ok());
                    (
                        v4.octets().to_vec(),
                        mask.to_be_bytes().to_vec(),
                        b.map_or(vec![0; 4], |b| b.octets().to_vec()),
                    )
                }
                std::net::IpAddr::V6(v6) => {
                    let mask = if prefix == 0 {
                        0
                    } else {
                        u128::MAX << (128 - prefix.min(128))
                    };
                    (
                        v6.octets().to_vec(),
                        mask.to_be_bytes().to_vec(),
                        vec![0; 16],
                    )
                }
            };
            out.push(InterfaceEntry {
                name: name.as_bytes().to_vec(),
                addr,
                netmask,
                bcast,
                linkspeed: 0,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwd_and_group_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("passwd"),
            "root:x:0:0:root:/root:/bin/sh\nbad line\nwww:x:33:33::/var/www:/bin/false\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("group"), "root:x:0:\nwww:x:33:\n::\n").unwrap();
        let u = users(&dir.path().join("passwd"));
        assert_eq!(u.len(), 2);
        assert_eq!(
            (u[1].uid, u[1].name.as_slice(), u[1].shell.as_slice()),
            (33, &b"www"[..], &b"/bin/false"[..])
        );
        assert_eq!(groups(&dir.path().join("group")).len(), 2);
    }

    #[test]
    fn ip_json_addresses() {
        let j =
            br#"[{"ifname":"lo","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8},
            {"family":"inet6","local":"::1","prefixlen":128}]}]"#;
        let v = parse_ip_json(j);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].addr, vec![127, 0, 0, 1]);
        assert_eq!(v[0].netmask, vec![255, 0, 0, 0]);
        assert_eq!(v[1].addr.len(), 16);
        assert!(parse_ip_json(b"not json").is_empty());
    }

    #[test]
    fn live_snapshot_has_this_process() {
        let h = take(Path::new("/proc"), Path::new("/etc"), &Scope::Host);
        let me = std::process::id() as i64;
        assert!(h.threads.iter().any(|t| t.tid == me && t.pid == me));
        assert!(h.fds.iter().any(|t| t.tid == me));
        assert!(h.machine.unwrap().num_cpus >= 1);
    }
}
