//! fd tables of the /proc snapshot: `/proc/<pid>/fd` links, typed with `fdinfo` flags and the
//! socket tables of the process's network namespace (`/proc/<pid>/net/{tcp,tcp6,udp,udp6,
//! unix,netlink}`, indexed by inode).

use std::collections::HashMap;
use std::path::Path;

use hindsight_format::header::{FdEntry, FdKind, FdTable, ThreadEntry};

use super::procs::numeric_dirs;

const TCP: u8 = 2;
const UDP: u8 = 3;

/// Sockets of one network namespace by inode.
type SocketTable = HashMap<u64, (FdKind, Vec<u8>)>;

/// One table per process leader of `threads`.
pub fn tables(proc: &Path, threads: &[ThreadEntry]) -> Vec<FdTable> {
    let mut by_netns: HashMap<Vec<u8>, SocketTable> = HashMap::new();
    let mut out = Vec::new();
    for t in threads.iter().filter(|t| t.tid == t.pid) {
        let pdir = proc.join(t.pid.to_string());
        let netns = std::fs::read_link(pdir.join("ns/net"))
            .map(|l| l.into_os_string().into_encoded_bytes())
            .unwrap_or_default();
        let sockets = by_netns
            .entry(netns)
            .or_insert_with(|| socket_table(&pdir.join("net")));
        let mut fds: Vec<i64> = numeric_dirs(&pdir.join("fd"));
        fds.sort_unstable();
        let entries: Vec<FdEntry> = fds
            .into_iter()
            .filter_map(|fd| entry(&pdir, fd, sockets))
            .collect();
        if !entries.is_empty() {
            out.push(FdTable {
                tid: t.pid,
                fds: entries,
            });
        }
    }
    out
}

fn entry(pdir: &Path, fd: i64, sockets: &SocketTable) -> Option<FdEntry> {
    let link = std::fs::read_link(pdir.join("fd").join(fd.to_string())).ok()?;
    let target = link.into_os_string().into_encoded_bytes();
    let meta = std::fs::metadata(pdir.join("fd").join(fd.to_string())).ok();
    let ino = meta.as_ref().map_or(0, std::os::unix::fs::MetadataExt::ino);
    let (kind, name) = if let Some(ino) = bracketed(&target, b"socket:[") {
        match sockets.get(&ino) {
            Some((k, n)) => (k.clone(), n.clone()),
            None => (FdKind::Other(10), target.clone()),
        }
    } else if target.starts_with(b"pipe:[") {
        (FdKind::Other(7), target.clone())
    } else if let Some(rest) = target.strip_prefix(b"anon_inode:") {
        let code = match rest {
            b"[eventfd]" => 9,
            b"[signalfd]" => 11,
            b"[eventpoll]" => 12,
            b"inotify" => 13,
            b"[timerfd]" => 14,
            _ => 10,
        };
        (FdKind::Other(code), target.clone())
    } else if meta.as_ref().is_some_and(std::fs::Metadata::is_dir) {
        (FdKind::Directory, target.clone())
    } else {
        let flags = std::fs::read_to_string(pdir.join("fdinfo").join(fd.to_string()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("flags:"))
                    .and_then(|v| u64::from_str_radix(v.trim(), 8).ok())
            })
            .unwrap_or(0);
        let dev = meta
            .as_ref()
            .map_or(0, |m| encode_dev(std::os::unix::fs::MetadataExt::dev(m)));
        (
            FdKind::File {
                open_flags: open_flags(flags),
                dev,
            },
            target.clone(),
        )
    };
    Some(FdEntry {
        fd,
        ino,
        kind,
        name,
    })
}

/// `x` of `prefix x]`.
fn bracketed(s: &[u8], prefix: &[u8]) -> Option<u64> {
    let rest = s.strip_prefix(prefix)?.strip_suffix(b"]")?;
    std::str::from_utf8(rest).ok()?.parse().ok()
}

/// A userspace dev_t as the kernel's new_encode_dev (what the probe writes).
fn encode_dev(dev: u64) -> u32 {
    let major = ((dev >> 8) & 0xfff) as u32;
    let minor = ((dev & 0xff) | ((dev >> 12) & 0xfff00)) as u32;
    (minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)
}

/// O_* (x86_64) to PPM_O_*, as the probe converts them.
pub fn open_flags(f: u64) -> u32 {
    const MAP: &[(u64, u32)] = &[
        (0o100, 1 << 2),
        (0o2000, 1 << 3),
        (0o10000, 1 << 4),
        (0o200, 1 << 5),
        (0o4000, 1 << 6),
        (0o1000, 1 << 8),
        (0o40000, 1 << 9),
        (0o200000, 1 << 10),
        (0o100000, 1 << 11),
        (0o2000000, 1 << 12),
    ];
    let mut r = match f & 3 {
        0 => 1,
        1 => 2,
        _ => 3,
    };
    for &(k, p) in MAP {
        if f & k != 0 {
            r |= p;
        }
    }
    if f & 0o4010000 == 0o4010000 {
        r |= 1 << 7;
    }
    r
}

/// All sockets of the namespace whose `/proc/<pid>/net` is `net`.
pub fn socket_table(net: &Path) -> SocketTable {
    let mut t = SocketTable::new();
    for (file, proto) in [("tcp", TCP), ("udp", UDP), ("tcp6", TCP), ("udp6", UDP)] {
        let text = std::fs::read_to_string(net.join(file)).unwrap_or_default();
        for line in text.lines().skip(1) {
            if let Some((ino, kind)) = inet_line(line, proto) {
                t.insert(ino, (kind, Vec::new()));
            }
        }
    }
    let unix = std::fs::read_to_string(net.join("unix")).unwrap_or_default();
    for line in unix.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if let Some(ino) = f.get(6).and_then(|v| v.parse().ok()) {
            let path = f.get(7).map_or(Vec::new(), |p| p.as_bytes().to_vec());
            t.insert(ino, (FdKind::Unix { source: 0, dest: 0 }, path));
        }
    }
    let netlink = std::fs::read_to_string(net.join("netlink")).unwrap_or_default();
    for line in netlink.lines().skip(1) {
        if let Some(ino) = line.split_whitespace().nth(9).and_then(|v| v.parse().ok()) {
            t.insert(ino, (FdKind::Other(15), Vec::new()));
        }
    }
    t
}

/// One line of /proc/net/{tcp,udp}[6]: `sl local rem st ... uid timeout inode`.
fn inet_line(line: &str, proto: u8) -> Option<(u64, FdKind)> {
    let f: Vec<&str> = line.split_whitespace().collect();
    let ino: u64 = f.get(9)?.parse().ok()?;
    let (la, lp) = f.get(1)?.split_once(':')?;
    let (ra, rp) = f.get(2)?.split_once(':')?;
    let lport = u16::from_str_radix(lp, 16).ok()?;
    let rport = u16::from_str_radix(rp, 16).ok()?;
    let listening = if proto == TCP {
        f.get(3) == Some(&"0A")
    } else {
        rport == 0
    };
    let kind = match la.len() {
        8 => {
            let l = u32::from_str_radix(la, 16).ok()?.to_le_bytes();
            let r = u32::from_str_radix(ra, 16).ok()?.to_le_bytes();
            if listening {
                FdKind::Ipv4Server {
                    ip: l,
                    port: lport,
                    l4proto: proto,
                }
            } else {
                FdKind::Ipv4Socket {
                    sip: l,
                    dip: r,
                    sport: lport,
                    dport: rport,
                    l4proto: proto,
                }
            }
        }
        32 => {
            let (l, r) = (ipv6(la)?, ipv6(ra)?);
            if listening {
                FdKind::Ipv6Server {
                    ip: l,
                    port: lport,
                    l4proto: proto,
                }
            } else {
                FdKind::Ipv6Socket {
                    sip: l,
                    dip: r,
                    sport: lport,
                    dport: rport,
                    l4proto: proto,
                }
            }
        }
        _ => return None,
    };
    Some((ino, kind))
}

/// /proc/net/*6 addresses: four 32-bit words, each printed in host (little-endian) order.
fn ipv6(hex: &str) -> Option<[u8; 16]> {
    let mut out = [0u8; 16];
    for i in 0..4 {
        let w = u32::from_str_radix(hex.get(i * 8..i * 8 + 8)?, 16).ok()?;
        out[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_lines() {
        let l = "   0: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1";
        let (ino, k) = inet_line(l, TCP).unwrap();
        assert_eq!(ino, 12345);
        assert_eq!(
            k,
            FdKind::Ipv4Server {
                ip: [127, 0, 0, 1],
                port: 80,
                l4proto: TCP
            }
        );
        let c = "   1: 0100007F:D431 0100007F:0050 01 00000000:00000000 00:00000000 00000000     0        0 777 1";
        assert_eq!(
            inet_line(c, TCP).unwrap().1,
            FdKind::Ipv4Socket {
                sip: [127, 0, 0, 1],
                dip: [127, 0, 0, 1],
                sport: 0xd431,
                dport: 80,
                l4proto: TCP
            }
        );
        assert!(inet_line("garbage", TCP).is_none());
        let v6 = "0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 0 0 0 0 0 99 1";
        match inet_line(v6, TCP).unwrap().1 {
            FdKind::Ipv6Server { ip, port, .. } => {
                assert_eq!(ip[15], 1);
                assert_eq!(port, 80);
            }
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn flags_and_links() {
        assert_eq!(open_flags(0), 1);
        assert_eq!(open_flags(0o1101), 2 | 4 | 256);
        assert_eq!(bracketed(b"socket:[42]", b"socket:["), Some(42));
        assert_eq!(bracketed(b"socket:[x]", b"socket:["), None);
    }

    #[test]
    fn this_process_has_typed_fds() {
        let me = std::process::id() as i64;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let threads = vec![ThreadEntry {
            tid: me,
            pid: me,
            ..Default::default()
        }];
        let t = tables(Path::new("/proc"), &threads);
        let fds = &t[0].fds;
        assert!(
            fds.iter().any(|f| f.kind
                == FdKind::Ipv4Server {
                    ip: [127, 0, 0, 1],
                    port,
                    l4proto: TCP
                }),
            "{fds:?}"
        );
    }
}
