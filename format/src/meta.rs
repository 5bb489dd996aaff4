//! Decoding and encoding of the header blocks (MI, PL, FDL, IL, UL; SCAP_FORMAT.md §3) into the
//! version-independent types of [`crate::header`].
//!
//! Decoders are lenient: they keep every entry decoded before a problem and return the problem
//! as a message, which the reader turns into a [`crate::Warning`]. Encoders write exactly the
//! block versions of the reference's writer recipe (§8.1), which both sysdig 0.29 and current
//! libs read: MI (180 bytes), IL V2, UL V2, PL V9 with the old tail, FDL V2 with fd types ≤ 16.

use crate::cursor::{Cursor, PutLe};
use crate::header::*;

/// Result of decoding one header block: `Err` carries what went wrong (entries decoded before
/// the problem are kept).
pub type MetaResult = Result<(), String>;

/// Splits a process's argument or environment list as libsinsp does (`sinsp_threadinfo::set_args`
/// and `set_env` through `sinsp_split`): one trailing NUL ends the list, every other NUL
/// separates two items, and empty items are kept (`"\0\0"` is two empty arguments). sysdig
/// 0.29 walked the buffer the same way; [`join_nul`] gives the same bytes back.
fn split_list(b: &[u8]) -> Vec<Vec<u8>> {
    let b = b.strip_suffix(b"\0").unwrap_or(b);
    if b.is_empty() {
        return Vec::new();
    }
    b.split(|&c| c == 0).map(<[u8]>::to_vec).collect()
}

/// Splits a NUL-separated list, skipping empty items (cgroups).
fn split_nul(b: &[u8]) -> Vec<Vec<u8>> {
    b.split(|&c| c == 0)
        .filter(|s| !s.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

fn join_nul(items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for i in items {
        out.extend_from_slice(i);
        out.push(0);
    }
    out
}

/// Decodes a machine-info body (180 bytes; shorter bodies keep the fields that fit).
pub fn decode_machine(body: &[u8]) -> Result<MachineInfo, String> {
    let mut c = Cursor::new(body);
    let short = || format!("machine info block has {} bytes, expected 180", body.len());
    let num_cpus = c.u32().ok_or_else(short)?;
    let memory_bytes = c.u64().ok_or_else(short)?;
    let max_pid = c.u64().ok_or_else(short)?;
    let host = c.bytes(128).ok_or_else(short)?;
    let end = host.iter().position(|&b| b == 0).unwrap_or(host.len());
    let boot_ts = c.u64().unwrap_or(0);
    let flags = c.u64().unwrap_or(0);
    Ok(MachineInfo {
        num_cpus,
        memory_bytes,
        max_pid,
        hostname: String::from_utf8_lossy(&host[..end]).into_owned(),
        boot_ts,
        flags,
    })
}

/// Encodes a machine-info body (exactly 180 bytes).
pub fn encode_machine(m: &MachineInfo) -> Vec<u8> {
    let mut out = Vec::with_capacity(180);
    out.put_u32(m.num_cpus);
    out.put_u64(m.memory_bytes);
    out.put_u64(m.max_pid);
    let mut host = [0u8; 128];
    let h = m.hostname.as_bytes();
    let n = h.len().min(127);
    host[..n].copy_from_slice(&h[..n]);
    out.extend_from_slice(&host);
    out.put_u64(m.boot_ts);
    out.put_u64(m.flags);
    out.put_u64(0);
    out.put_u64(0);
    out
}

fn decode_thread(c: &mut Cursor<'_>, v: u8, entry_end: Option<usize>) -> Option<ThreadEntry> {
    let mut t = ThreadEntry {
        tid: c.i64()?,
        pid: c.i64()?,
        ptid: c.i64()?,
        loginuid: u32::MAX,
        // Unknown before PL v6 (sid) and v8 (vpgid), as libscap leaves them; a recorded 0
        // (a process whose session leader is outside its pid namespace) stays 0.
        sid: -1,
        vpgid: -1,
        ..ThreadEntry::default()
    };
    if v >= 6 {
        t.sid = c.i64()?;
    }
    if v >= 8 {
        t.vpgid = c.i64()?;
    }
    t.comm = c.str16()?.to_vec();
    t.exe = c.str16()?.to_vec();
    if v >= 7 {
        t.exepath = c.str16()?.to_vec();
    }
    t.args = split_list(c.str16()?);
    t.cwd = c.str16()?.to_vec();
    t.fdlimit = c.u64()?;
    t.flags = c.u32()?;
    t.uid = c.u32()?;
    t.gid = c.u32()?;
    if v >= 2 {
        t.vmsize_kb = c.u32()?;
        t.vmrss_kb = c.u32()?;
        t.vmswap_kb = c.u32()?;
        t.pfmajor = c.u64()?;
        t.pfminor = c.u64()?;
    }
    if v >= 3 {
        t.env = split_list(c.str16()?);
    }
    if v >= 4 {
        t.vtid = c.i64()?;
        t.vpid = c.i64()?;
        t.cgroups = split_nul(c.str16()?)
            .into_iter()
            .map(|cg| match cg.iter().position(|&b| b == b'=') {
                Some(i) => (cg[..i].to_vec(), cg[i + 1..].to_vec()),
                None => (Vec::new(), cg),
            })
            .collect();
    }
    if v >= 5 {
        t.root = c.str16()?.to_vec();
    }
    if let Some(end) = entry_end {
        let left = |c: &Cursor<'_>| end.saturating_sub(c.pos());
        if left(c) > 29 {
            // libs >= 0.10 tail: pidns_init_start_ts and tty come first.
            t.pidns_init_start_ts = c.u64()?;
            if left(c) >= 4 {
                t.tty = c.u32()?;
            }
        }
        if left(c) >= 4 {
            t.loginuid = c.u32()?;
        }
        if left(c) >= 1 {
            t.exe_writable = c.u8()? != 0;
        }
        if left(c) >= 24 {
            t.caps = Some((c.u64()?, c.u64()?, c.u64()?));
        }
        // The rest of the HEAD tail, each field read when the entry still has its bytes (as
        // libscap's `scap_read_proclist`).
        if left(c) >= 1 {
            t.exe_upper_layer = c.u8()? != 0;
        }
        if left(c) >= 8 {
            t.exe_ino.0 = c.u64()?;
        }
        if left(c) >= 8 {
            t.exe_ino.1 = c.u64()?;
        }
        if left(c) >= 8 {
            t.exe_ino.2 = c.u64()?;
        }
        if left(c) >= 1 {
            t.exe_from_memfd = c.u8()? != 0;
        }
        if left(c) >= 1 {
            t.exe_lower_layer = c.u8()? != 0;
        }
        if left(c) >= 8 {
            t.pgid = Some(c.i64()?);
        }
    }
    Some(t)
}

/// Decodes a process-list body of version `v` (1..=9), appending to `out`.
pub fn decode_procs(v: u8, body: &[u8], out: &mut Vec<ThreadEntry>) -> MetaResult {
    let mut c = Cursor::new(body);
    while c.remaining() >= 4 {
        let start = c.pos();
        let entry_end = if v >= 9 {
            let len = c.u32().unwrap_or(0) as usize;
            if len == 0 {
                break;
            }
            if len < 4 || start + len > body.len() {
                return Err(format!("process entry {} has bad length {len}", out.len()));
            }
            Some(start + len)
        } else {
            None
        };
        match decode_thread(&mut c, v, entry_end) {
            Some(t) => out.push(t),
            None => return Err(format!("process entry {} is truncated", out.len())),
        }
        if let Some(end) = entry_end {
            c.set_pos(end);
        }
    }
    Ok(())
}

/// Encodes threads as a PL V9 body with the old tail (`loginuid`, `exe_writable`).
pub fn encode_procs(threads: &[ThreadEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    for t in threads {
        let start = out.len();
        out.put_u32(0);
        out.put_i64(t.tid);
        out.put_i64(t.pid);
        out.put_i64(t.ptid);
        out.put_i64(t.sid);
        out.put_i64(t.vpgid);
        out.put_str16(&t.comm, 16);
        out.put_str16(&t.exe, 4096);
        out.put_str16(&t.exepath, 4096);
        out.put_str16(&join_nul(&t.args), 4096);
        out.put_str16(&t.cwd, 1024);
        out.put_u64(t.fdlimit);
        out.put_u32(t.flags);
        out.put_u32(t.uid);
        out.put_u32(t.gid);
        out.put_u32(t.vmsize_kb);
        out.put_u32(t.vmrss_kb);
        out.put_u32(t.vmswap_kb);
        out.put_u64(t.pfmajor);
        out.put_u64(t.pfminor);
        out.put_str16(&join_nul(&t.env), 4096);
        out.put_i64(t.vtid);
        out.put_i64(t.vpid);
        let cgroups: Vec<Vec<u8>> = t
            .cgroups
            .iter()
            .map(|(s, p)| [s.as_slice(), b"=", p.as_slice()].concat())
            .collect();
        out.put_str16(&join_nul(&cgroups), 4096);
        out.put_str16(&t.root, 1024);
        out.put_u32(t.loginuid);
        out.put_u8(u8::from(t.exe_writable));
        let len = (out.len() - start) as u32;
        out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    }
    out
}

fn decode_fd(c: &mut Cursor<'_>, entry_end: Option<usize>) -> Option<FdEntry> {
    let fd = c.i64()?;
    let ino = c.u64()?;
    let ty = c.u8()?;
    let mut name = Vec::new();
    let kind = match ty {
        3 => FdKind::Ipv4Socket {
            sip: c.bytes(4)?.try_into().ok()?,
            dip: c.bytes(4)?.try_into().ok()?,
            sport: c.u16()?,
            dport: c.u16()?,
            l4proto: c.u8()?,
        },
        5 => FdKind::Ipv4Server {
            ip: c.bytes(4)?.try_into().ok()?,
            port: c.u16()?,
            l4proto: c.u8()?,
        },
        4 => FdKind::Ipv6Socket {
            sip: c.bytes(16)?.try_into().ok()?,
            dip: c.bytes(16)?.try_into().ok()?,
            sport: c.u16()?,
            dport: c.u16()?,
            l4proto: c.u8()?,
        },
        6 => FdKind::Ipv6Server {
            ip: c.bytes(16)?.try_into().ok()?,
            port: c.u16()?,
            l4proto: c.u8()?,
        },
        8 => {
            let (source, dest) = (c.u64()?, c.u64()?);
            name = c.str16()?.to_vec();
            FdKind::Unix { source, dest }
        }
        16 => {
            let open_flags = c.u32()?;
            name = c.str16()?.to_vec();
            let dev = match entry_end {
                Some(end) if end >= c.pos() + 4 => c.u32()?,
                _ => 0,
            };
            FdKind::File { open_flags, dev }
        }
        1 => {
            name = c.str16()?.to_vec();
            FdKind::File {
                open_flags: 0,
                dev: 0,
            }
        }
        2 => {
            name = c.str16()?.to_vec();
            FdKind::Directory
        }
        // Named types (FIFO, EVENT, UNSUPPORTED, SIGNALFD ... and HEAD's 17+) carry a name.
        // Without an entry length an unknown type cannot be sized; V1 callers stop there.
        other if other <= 21 || entry_end.is_some() => {
            name = c.str16()?.to_vec();
            FdKind::Other(other)
        }
        _ => return None,
    };
    Some(FdEntry {
        fd,
        ino,
        kind,
        name,
    })
}

/// Decodes an fd-list body of version `v` (1 or 2) into one [`FdTable`].
pub fn decode_fds(v: u8, body: &[u8], out: &mut Vec<FdTable>) -> MetaResult {
    let mut c = Cursor::new(body);
    let tid = c.i64().ok_or("fd list block shorter than its thread id")?;
    let mut table = FdTable {
        tid,
        fds: Vec::new(),
    };
    let mut result = Ok(());
    while c.remaining() >= 4 {
        let start = c.pos();
        let entry_end = if v >= 2 {
            let len = c.u32().unwrap_or(0) as usize;
            if len < 4 || start + len > body.len() {
                result = Err(format!(
                    "fd entry {} of tid {tid} has bad length {len}",
                    table.fds.len()
                ));
                break;
            }
            Some(start + len)
        } else {
            None
        };
        match decode_fd(&mut c, entry_end) {
            Some(e) => table.fds.push(e),
            None => {
                result = Err(format!(
                    "fd entry {} of tid {tid} is truncated or of unknown type",
                    table.fds.len()
                ));
                break;
            }
        }
        if let Some(end) = entry_end {
            c.set_pos(end);
        }
    }
    out.push(table);
    result
}

/// Encodes one fd table as an FDL V2 body. Types above 16 become 10 (UNSUPPORTED), which
/// sysdig 0.29 accepts; files are written as FILE_V2 with their device.
pub fn encode_fds(table: &FdTable) -> Vec<u8> {
    let mut out = Vec::new();
    out.put_i64(table.tid);
    for e in &table.fds {
        let start = out.len();
        out.put_u32(0);
        out.put_i64(e.fd);
        out.put_u64(e.ino);
        match &e.kind {
            FdKind::File { open_flags, dev } => {
                out.put_u8(16);
                out.put_u32(*open_flags);
                out.put_str16(&e.name, 4096);
                out.put_u32(*dev);
            }
            FdKind::Directory => {
                out.put_u8(2);
                out.put_str16(&e.name, 4096);
            }
            FdKind::Ipv4Socket {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                out.put_u8(3);
                out.extend_from_slice(sip);
                out.extend_from_slice(dip);
                out.put_u16(*sport);
                out.put_u16(*dport);
                out.put_u8(*l4proto);
            }
            FdKind::Ipv4Server { ip, port, l4proto } => {
                out.put_u8(5);
                out.extend_from_slice(ip);
                out.put_u16(*port);
                out.put_u8(*l4proto);
            }
            FdKind::Ipv6Socket {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                out.put_u8(4);
                out.extend_from_slice(sip);
                out.extend_from_slice(dip);
                out.put_u16(*sport);
                out.put_u16(*dport);
                out.put_u8(*l4proto);
            }
            FdKind::Ipv6Server { ip, port, l4proto } => {
                out.put_u8(6);
                out.extend_from_slice(ip);
                out.put_u16(*port);
                out.put_u8(*l4proto);
            }
            FdKind::Unix { source, dest } => {
                out.put_u8(8);
                out.put_u64(*source);
                out.put_u64(*dest);
                out.put_str16(&e.name, 4096);
            }
            FdKind::Other(t) => {
                out.put_u8(
                    if *t > 16 || matches!(*t, 0 | 1 | 2 | 3 | 4 | 5 | 6 | 8 | 16) {
                        10
                    } else {
                        *t
                    },
                );
                out.put_str16(&e.name, 4096);
            }
        }
        let len = (out.len() - start) as u32;
        out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    }
    out
}

/// Decodes a user-list body of version `v` (1 or 2).
pub fn decode_users(
    v: u8,
    body: &[u8],
    users: &mut Vec<UserEntry>,
    groups: &mut Vec<GroupEntry>,
) -> MetaResult {
    let mut c = Cursor::new(body);
    while c.remaining() >= 4 {
        let start = c.pos();
        let entry_end = if v >= 2 {
            let len = c.u32().unwrap_or(0) as usize;
            if len < 4 || start + len > body.len() {
                return Err(format!("user entry has bad length {len}"));
            }
            Some(start + len)
        } else {
            None
        };
        let ok = (|| {
            if c.u8()? == 0 {
                users.push(UserEntry {
                    uid: c.u32()?,
                    gid: c.u32()?,
                    name: c.str16()?.to_vec(),
                    home: c.str16()?.to_vec(),
                    shell: c.str16()?.to_vec(),
                });
            } else {
                groups.push(GroupEntry {
                    gid: c.u32()?,
                    name: c.str16()?.to_vec(),
                });
            }
            Some(())
        })();
        if ok.is_none() {
            return Err("user list entry is truncated".into());
        }
        if let Some(end) = entry_end {
            c.set_pos(end);
        }
    }
    Ok(())
}

/// Encodes users and groups as a UL V2 body (entry lengths include themselves).
pub fn encode_users(users: &[UserEntry], groups: &[GroupEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    for u in users {
        let start = out.len();
        out.put_u32(0);
        out.put_u8(0);
        out.put_u32(u.uid);
        out.put_u32(u.gid);
        out.put_str16(&u.name, 255);
        out.put_str16(&u.home, 1024);
        out.put_str16(&u.shell, 1024);
        let len = (out.len() - start) as u32;
        out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    }
    for g in groups {
        let start = out.len();
        out.put_u32(0);
        out.put_u8(1);
        out.put_u32(g.gid);
        out.put_str16(&g.name, 255);
        let len = (out.len() - start) as u32;
        out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    }
    out
}

/// Decodes an interface-list body of version `v` (1 or 2; V2 entry lengths exclude themselves).
pub fn decode_interfaces(v: u8, body: &[u8], out: &mut Vec<InterfaceEntry>) -> MetaResult {
    let mut c = Cursor::new(body);
    while c.remaining() >= 4 {
        let entry_end = if v >= 2 {
            let len = c.u32().unwrap_or(0) as usize;
            let end = c.pos() + len;
            if end > body.len() {
                return Err(format!("interface entry has bad length {len}"));
            }
            Some(end)
        } else {
            None
        };
        let entry = (|| {
            let ty = c.u16()?;
            let name_len = c.u16()? as usize;
            let w = match ty {
                1 | 3 => 4,
                2 | 4 => 16,
                _ => return None,
            };
            let addr = c.bytes(w)?.to_vec();
            let netmask = c.bytes(w)?.to_vec();
            let bcast = c.bytes(w)?.to_vec();
            let linkspeed = if ty <= 2 { c.u64()? } else { 0 };
            let name = c.bytes(name_len)?.to_vec();
            Some(InterfaceEntry {
                name,
                addr,
                netmask,
                bcast,
                linkspeed,
            })
        })();
        match entry {
            Some(e) => out.push(e),
            None => return Err("interface entry is truncated or of unknown type".into()),
        }
        if let Some(end) = entry_end {
            c.set_pos(end);
        }
    }
    Ok(())
}

/// Encodes interfaces as an IL V2 body.
pub fn encode_interfaces(ifs: &[InterfaceEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    for i in ifs {
        let w = if i.addr.len() == 16 { 16 } else { 4 };
        let start = out.len();
        out.put_u32(0);
        out.put_u16(if w == 4 { 1 } else { 2 });
        let name = &i.name[..i.name.len().min(u16::MAX as usize)];
        out.put_u16(name.len() as u16);
        for a in [&i.addr, &i.netmask, &i.bcast] {
            let mut v = a.clone();
            v.resize(w, 0);
            out.extend_from_slice(&v);
        }
        out.put_u64(i.linkspeed);
        out.extend_from_slice(name);
        let len = (out.len() - start - 4) as u32;
        out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Empty arguments are arguments (sinsp_split): only one trailing NUL ends the list.
    #[test]
    fn argument_lists_keep_empty_items() {
        let v = |items: &[&[u8]]| items.iter().map(|i| i.to_vec()).collect::<Vec<_>>();
        assert_eq!(split_list(b"\0\0"), v(&[b"", b""]));
        assert_eq!(split_list(b"-D\0\0x\0"), v(&[b"-D", b"", b"x"]));
        assert_eq!(split_list(b"a\0b"), v(&[b"a", b"b"]));
        assert_eq!(split_list(b"\0"), v(&[b""]).split_off(1));
        assert!(split_list(b"").is_empty());
        for raw in [&b"\0\0"[..], b"-D\0\0x\0", b""] {
            assert_eq!(join_nul(&split_list(raw)), raw);
        }
    }

    /// A session id of 0 (a process whose session leader is pid 0, as for every descendant of
    /// an init that never called setsid) is a value, not "unknown": libsinsp walks the
    /// ancestors for its leader. Only a block version without the field leaves it -1.
    #[test]
    fn session_id_zero_survives_and_absent_is_minus_one() {
        let t = ThreadEntry {
            tid: 7,
            pid: 7,
            ptid: 1,
            sid: 0,
            vpgid: 7,
            ..ThreadEntry::default()
        };
        let mut out = Vec::new();
        decode_procs(9, &encode_procs(&[t]), &mut out).unwrap();
        assert_eq!((out[0].sid, out[0].vpgid), (0, 7));

        // PL v1: tid, pid, ptid, then comm; no session id.
        let mut v1 = Vec::new();
        for id in [7i64, 7, 1] {
            v1.extend_from_slice(&id.to_le_bytes());
        }
        for s in [&b"sh"[..], b"/bin/sh", b"", b"/"] {
            v1.extend_from_slice(&(s.len() as u16).to_le_bytes());
            v1.extend_from_slice(s);
        }
        v1.extend_from_slice(&[0; 8 + 4 * 3]);
        let mut out = Vec::new();
        decode_procs(1, &v1, &mut out).unwrap();
        assert_eq!((out[0].comm.as_slice(), out[0].sid), (&b"sh"[..], -1));
    }

    /// The HEAD tail after the old one: pidns start and tty come first (libs 0.10's
    /// interleaving), then the overlay flags, the executable's inode data and the pgid; an
    /// entry of the old tail has no pgid (libscap's -1).
    #[test]
    fn head_tail_gives_inode_data_and_pgid() {
        let t = ThreadEntry {
            tid: 7,
            pid: 7,
            ptid: 1,
            ..ThreadEntry::default()
        };
        let old = encode_procs(&[t]);
        let mut out = Vec::new();
        decode_procs(9, &old, &mut out).unwrap();
        assert_eq!((out[0].pgid, out[0].exe_ino), (None, (0, 0, 0)));

        // Rebuild the entry with the HEAD tail: the old body up to `root`, then the tail.
        let old_tail = 4 + 1;
        let mut head = old[..old.len() - old_tail].to_vec();
        head.put_u64(11); // pidns_init_start_ts
        head.put_u32(34816); // tty
        head.put_u32(1000); // loginuid
        head.put_u8(1); // exe_writable
        for cap in [1u64, 2, 3] {
            head.put_u64(cap);
        }
        head.put_u8(1); // exe_upper_layer
        for v in [42u64, 100, 200] {
            head.put_u64(v); // exe_ino, ctime, mtime
        }
        head.put_u8(0); // exe_from_memfd
        head.put_u8(1); // exe_lower_layer
        head.put_i64(7); // pgid
        let len = head.len() as u32;
        head[..4].copy_from_slice(&len.to_le_bytes());
        let mut out = Vec::new();
        decode_procs(9, &head, &mut out).unwrap();
        let e = &out[0];
        assert_eq!(
            (e.pidns_init_start_ts, e.tty, e.loginuid),
            (11, 34816, 1000)
        );
        assert_eq!(e.caps, Some((1, 2, 3)));
        assert!(e.exe_upper_layer && e.exe_lower_layer && !e.exe_from_memfd);
        assert_eq!((e.exe_ino, e.pgid), ((42, 100, 200), Some(7)));
    }
}
