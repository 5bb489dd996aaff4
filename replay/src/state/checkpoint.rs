//! State checkpoints: the whole [`State`] as compact, versioned bytes.
//!
//! Native traces carry one checkpoint per chunk (the state *before* the chunk's first event),
//! so a chunk can be replayed alone. The encoding is ours: the magic `HSST`, a u16 version,
//! then the sections (threads, fd tables, users, groups, containers, stored enters, pending
//! removals), each a count followed by entries of LEB128 integers and length-prefixed byte
//! strings. Decoding treats the bytes as hostile: every length is checked against what is
//! left, and any inconsistency is an error naming the byte offset, never a panic.

use thiserror::Error;

use super::containers::{Container, Mount};
use super::fd_order::FdOrder;
use super::fds::{Fd, FdTable, FdType, Role, SockAddrs};
use super::threads::Thread;
use super::users::User;
use super::{State, StoredEnter};

/// Magic bytes opening every checkpoint.
pub const MAGIC: &[u8; 4] = b"HSST";
/// Current encoding version.
/// Version 2 added the IPv4 interfaces; version 3 the container plugin's other container
/// fields (full id, CNI result, host namespaces, pod sandbox), the IPv6 interface prefixes and
/// the count of events current libs drop; version 4 each fd's raw open path and whether only a
/// connect enter named it or current libs inferred it, the order of each fd table, the type
/// of each thread's latest enter, the threads' current-libs marks, pgid and inode durations,
/// and the recently exited threads. Older checkpoints still load.
pub const VERSION: u16 = 4;

/// Why a checkpoint could not be decoded.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum CheckpointError {
    /// The bytes do not start with the checkpoint magic.
    #[error("not a hindsight state checkpoint (bad magic); the chunk must be replayed from the trace start")]
    BadMagic,
    /// Written by a newer hindsight.
    #[error("checkpoint version {found} is not supported (expected {VERSION}); upgrade hindsight")]
    Version {
        /// The version found.
        found: u16,
    },
    /// Truncated or inconsistent data.
    #[error("corrupt checkpoint at byte {offset}: {what}")]
    Corrupt {
        /// Byte offset where decoding failed.
        offset: usize,
        /// What was being read.
        what: &'static str,
    },
}

struct W(Vec<u8>);

impl W {
    fn uv(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(b);
                return;
            }
            self.0.push(b | 0x80);
        }
    }
    fn iv(&mut self, v: i64) {
        self.uv(((v << 1) ^ (v >> 63)) as u64);
    }
    fn bytes(&mut self, b: &[u8]) {
        self.uv(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
}

struct R<'a> {
    b: &'a [u8],
    at: usize,
}

type Res<T> = Result<T, CheckpointError>;

impl<'a> R<'a> {
    fn err<T>(&self, what: &'static str) -> Res<T> {
        Err(CheckpointError::Corrupt {
            offset: self.at,
            what,
        })
    }
    fn uv(&mut self, what: &'static str) -> Res<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&b) = self.b.get(self.at) else {
                return self.err(what);
            };
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        self.err(what)
    }
    fn iv(&mut self, what: &'static str) -> Res<i64> {
        let u = self.uv(what)?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }
    fn u32(&mut self, what: &'static str) -> Res<u32> {
        let v = self.uv(what)?;
        u32::try_from(v).or_else(|_| self.err(what))
    }
    fn count(&mut self, what: &'static str) -> Res<usize> {
        let n = self.uv(what)?;
        // Every entry takes at least one byte: a larger count is corrupt.
        if n > (self.b.len() - self.at) as u64 {
            return self.err(what);
        }
        Ok(n as usize)
    }
    fn bytes(&mut self, what: &'static str) -> Res<&'a [u8]> {
        let n = self.count(what)?;
        let out = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(out)
    }
    fn vec(&mut self, what: &'static str) -> Res<Vec<u8>> {
        self.bytes(what).map(<[u8]>::to_vec)
    }
    fn string(&mut self, what: &'static str) -> Res<String> {
        let b = self.bytes(what)?;
        String::from_utf8(b.to_vec()).or_else(|_| self.err(what))
    }
    fn arr16(&mut self, what: &'static str) -> Res<[u8; 16]> {
        let b = self.bytes(what)?;
        b.try_into().or_else(|_| self.err(what))
    }
}

fn put_thread(w: &mut W, t: &Thread) {
    for v in [t.tid, t.pid, t.ptid, t.sid, t.vpgid, t.vtid, t.vpid] {
        w.iv(v);
    }
    for b in [
        &t.comm,
        &t.exe,
        &t.exepath,
        &t.args,
        &t.env,
        &t.cgroups,
        &t.cwd,
        &t.root,
        &t.container_id,
    ] {
        w.bytes(b);
    }
    for v in [
        t.fdlimit,
        u64::from(t.flags),
        u64::from(t.exe_flags),
        u64::from(t.uid),
        u64::from(t.gid),
        u64::from(t.loginuid),
        u64::from(t.tty),
        t.caps.0,
        t.caps.1,
        t.caps.2,
        u64::from(t.vm.0),
        u64::from(t.vm.1),
        u64::from(t.vm.2),
        t.pgft.0,
        t.pgft.1,
        t.clone_ts,
        t.exec_ts,
        t.pidns_init_start_ts,
        // Since version 3.
        t.exe_ino.0,
        t.exe_ino.1,
        t.exe_ino.2,
        // Since version 4.
        u64::from(t.libs_valid) | u64::from(t.libs_unnamed) << 1,
    ] {
        w.uv(v);
    }
    // Since version 4.
    w.iv(t.pgid);
    w.uv(t.exe_ino_durations.0);
    w.uv(t.exe_ino_durations.1);
    match t.libs_reparent {
        Some(p) => {
            w.uv(1);
            w.iv(p);
        }
        None => w.uv(0),
    }
    match t.last_fd {
        Some(fd) => {
            w.uv(1);
            w.iv(fd);
        }
        None => w.uv(0),
    }
}

fn get_thread(r: &mut R<'_>, version: u16) -> Res<Thread> {
    let w = "thread";
    let mut t = Thread {
        tid: r.iv(w)?,
        pid: r.iv(w)?,
        ptid: r.iv(w)?,
        sid: r.iv(w)?,
        vpgid: r.iv(w)?,
        vtid: r.iv(w)?,
        vpid: r.iv(w)?,
        ..Thread::default()
    };
    t.comm = r.vec(w)?;
    t.exe = r.vec(w)?;
    t.exepath = r.vec(w)?;
    t.args = r.vec(w)?;
    t.env = r.vec(w)?;
    t.cgroups = r.vec(w)?;
    t.cwd = r.vec(w)?;
    t.root = r.vec(w)?;
    t.container_id = r.vec(w)?;
    t.fdlimit = r.uv(w)?;
    t.flags = r.u32(w)?;
    t.exe_flags = r.u32(w)?;
    t.uid = r.u32(w)?;
    t.gid = r.u32(w)?;
    t.loginuid = r.u32(w)?;
    t.tty = r.u32(w)?;
    t.caps = (r.uv(w)?, r.uv(w)?, r.uv(w)?);
    t.vm = (r.u32(w)?, r.u32(w)?, r.u32(w)?);
    t.pgft = (r.uv(w)?, r.uv(w)?);
    t.clone_ts = r.uv(w)?;
    t.exec_ts = r.uv(w)?;
    t.pidns_init_start_ts = r.uv(w)?;
    if version >= 3 {
        t.exe_ino = (r.uv(w)?, r.uv(w)?, r.uv(w)?);
    }
    if version >= 4 {
        let marks = r.uv(w)?;
        t.libs_valid = marks & 1 != 0;
        t.libs_unnamed = marks & 2 != 0;
    }
    t.pgid = -1;
    if version >= 4 {
        t.pgid = r.iv(w)?;
        t.exe_ino_durations = (r.uv(w)?, r.uv(w)?);
        if r.uv(w)? != 0 {
            t.libs_reparent = Some(r.iv(w)?);
        }
    }
    if r.uv(w)? != 0 {
        t.last_fd = Some(r.iv(w)?);
    }
    Ok(t)
}

fn put_fd(w: &mut W, n: i64, f: &Fd) {
    w.iv(n);
    w.uv(u64::from(f.ty.code()));
    w.bytes(&f.name);
    w.uv(u64::from(f.open_flags));
    w.uv(u64::from(f.dev));
    w.uv(f.ino);
    w.bytes(&f.addrs.sip);
    w.bytes(&f.addrs.dip);
    w.uv(u64::from(f.addrs.sport));
    w.uv(u64::from(f.addrs.dport));
    w.uv(u64::from(f.addrs.l4proto));
    w.uv(match f.role {
        Role::None => 0,
        Role::Client => 1,
        Role::Server => 2,
    });
    w.uv(u64::from(f.listening));
    w.uv(f.unix_ends.0);
    w.uv(f.unix_ends.1);
    // Since version 4.
    w.bytes(&f.name_raw);
    w.uv(u64::from(f.enter_named) | (u64::from(f.inferred) << 1));
}

fn get_fd(r: &mut R<'_>, version: u16) -> Res<(i64, Fd)> {
    let w = "fd";
    let n = r.iv(w)?;
    let code = r.u32(w)?;
    let Some(ty) = u8::try_from(code).ok().and_then(FdType::from_code) else {
        return r.err("fd type");
    };
    let mut f = Fd::named(ty, r.bytes(w)?);
    f.open_flags = r.u32(w)?;
    f.dev = r.u32(w)?;
    f.ino = r.uv(w)?;
    f.addrs = SockAddrs {
        sip: r.arr16(w)?,
        dip: r.arr16(w)?,
        sport: r.u32(w)? as u16,
        dport: r.u32(w)? as u16,
        l4proto: r.u32(w)? as u8,
    };
    f.role = match r.uv(w)? {
        0 => Role::None,
        1 => Role::Client,
        2 => Role::Server,
        _ => return r.err("fd role"),
    };
    f.listening = r.uv(w)? != 0;
    f.unix_ends = (r.uv(w)?, r.uv(w)?);
    if version >= 4 {
        f.name_raw = r.bytes(w)?.into();
        let bits = r.uv(w)?;
        f.enter_named = bits & 1 != 0;
        f.inferred = bits & 2 != 0;
    }
    Ok((n, f))
}

fn put_container(w: &mut W, c: &Container) {
    for s in [
        &c.id,
        &c.ty,
        &c.name,
        &c.image,
        &c.image_id,
        &c.image_repo,
        &c.image_tag,
        &c.image_digest,
        &c.ip,
    ] {
        w.str(s);
    }
    // 0 was "not reported" before version 3; the plugin reads that as false.
    w.uv(if c.privileged { 2 } else { 1 });
    w.uv(c.labels.len() as u64);
    for (k, v) in &c.labels {
        w.str(k);
        w.str(v);
    }
    w.uv(c.mounts.len() as u64);
    for m in &c.mounts {
        w.str(&m.source);
        w.str(&m.dest);
        w.str(&m.mode);
        w.uv(u64::from(m.rw));
        w.str(&m.propagation);
    }
    // Since version 3.
    for s in [&c.full_id, &c.cni_json, &c.pod_sandbox_id] {
        w.str(s);
    }
    for b in [c.host_pid, c.host_network, c.host_ipc] {
        w.uv(u64::from(b));
    }
    w.uv(c.pod_sandbox_labels.len() as u64);
    for (k, v) in &c.pod_sandbox_labels {
        w.str(k);
        w.str(v);
    }
}

fn get_container(r: &mut R<'_>, version: u16) -> Res<Container> {
    let w = "container";
    let mut c = Container {
        id: r.string(w)?,
        ty: r.string(w)?,
        name: r.string(w)?,
        image: r.string(w)?,
        image_id: r.string(w)?,
        image_repo: r.string(w)?,
        image_tag: r.string(w)?,
        image_digest: r.string(w)?,
        ip: r.string(w)?,
        ..Container::default()
    };
    c.privileged = r.uv(w)? == 2;
    for _ in 0..r.count(w)? {
        let (k, v) = (r.string(w)?, r.string(w)?);
        c.labels.insert(k, v);
    }
    for _ in 0..r.count(w)? {
        c.mounts.push(Mount {
            source: r.string(w)?,
            dest: r.string(w)?,
            mode: r.string(w)?,
            rw: r.uv(w)? != 0,
            propagation: r.string(w)?,
        });
    }
    if version >= 3 {
        c.full_id = r.string(w)?;
        c.cni_json = r.string(w)?;
        c.pod_sandbox_id = r.string(w)?;
        c.host_pid = r.uv(w)? != 0;
        c.host_network = r.uv(w)? != 0;
        c.host_ipc = r.uv(w)? != 0;
        for _ in 0..r.count(w)? {
            let (k, v) = (r.string(w)?, r.string(w)?);
            c.pod_sandbox_labels.insert(k, v);
        }
    }
    Ok(c)
}

/// Serialises the whole state.
pub fn save(st: &State) -> Vec<u8> {
    let mut w = W(Vec::with_capacity(4096));
    w.0.extend_from_slice(MAGIC);
    w.0.extend_from_slice(&VERSION.to_le_bytes());
    w.str(&st.hostname);
    // Sorted keys keep the bytes deterministic across runs.
    let mut tids: Vec<_> = st.threads.threads.keys().copied().collect();
    tids.sort_unstable();
    w.uv(tids.len() as u64);
    for tid in &tids {
        put_thread(&mut w, &st.threads.threads[tid]);
    }
    let mut pids: Vec<_> = st.fds.keys().copied().collect();
    pids.sort_unstable();
    w.uv(pids.len() as u64);
    for pid in pids {
        let table = &st.fds[&pid];
        w.iv(pid);
        // In libsinsp's order, then (since version 4) the shape of its hash table.
        w.uv(table.fds.len() as u64);
        for (n, f) in table.in_order() {
            put_fd(&mut w, n, f);
        }
        let (buckets, next_resize) = table.order.shape();
        w.uv(buckets);
        w.uv(next_resize);
    }
    let mut uids: Vec<_> = st.users.users.keys().copied().collect();
    uids.sort_unstable();
    w.uv(uids.len() as u64);
    for uid in uids {
        let u = &st.users.users[&uid];
        w.uv(u64::from(uid));
        w.uv(u64::from(u.gid));
        w.bytes(&u.name);
        w.bytes(&u.home);
        w.bytes(&u.shell);
    }
    let mut gids: Vec<_> = st.users.groups.keys().copied().collect();
    gids.sort_unstable();
    w.uv(gids.len() as u64);
    for gid in gids {
        w.uv(u64::from(gid));
        w.bytes(&st.users.groups[&gid]);
    }
    let mut ids: Vec<_> = st.containers.by_id.keys().collect();
    ids.sort_unstable();
    w.uv(ids.len() as u64);
    for id in ids {
        put_container(&mut w, &st.containers.by_id[id]);
    }
    let mut etids: Vec<_> = st.enters.keys().copied().collect();
    etids.sort_unstable();
    w.uv(etids.len() as u64);
    for tid in etids {
        let e = &st.enters[&tid];
        w.iv(tid);
        w.bytes(&e.record);
        w.uv(e.num);
        w.uv(u64::from(e.cpu));
        w.uv(u64::from(e.v2));
        // Since version 4.
        w.uv(u64::from(e.last_ty));
    }
    match st.pending.thread {
        Some(t) => {
            w.uv(1);
            w.iv(t);
        }
        None => w.uv(0),
    }
    match st.pending.fd {
        Some((p, f)) => {
            w.uv(1);
            w.iv(p);
            w.iv(f);
        }
        None => w.uv(0),
    }
    // IPv4 interfaces (since version 2).
    w.uv(st.ipv4_ifaces.len() as u64);
    for i in &st.ipv4_ifaces {
        w.bytes(&i.addr);
        w.bytes(&i.netmask);
    }
    // IPv6 interface prefixes and the converter's drop count (since version 3).
    w.uv(st.ipv6_prefixes.len() as u64);
    for p in &st.ipv6_prefixes {
        w.bytes(p);
    }
    w.uv(st.libs_dropped);
    // Since version 4.
    w.uv(st.exited.entries.len() as u64);
    for &(tid, ptid, ts) in &st.exited.entries {
        w.iv(tid);
        w.iv(ptid);
        w.uv(ts);
    }
    w.0
}

/// Restores a state saved by [`save`].
pub fn load(bytes: &[u8]) -> Result<State, CheckpointError> {
    if bytes.len() < 6 || &bytes[..4] != MAGIC {
        return Err(CheckpointError::BadMagic);
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    if !(1..=VERSION).contains(&version) {
        return Err(CheckpointError::Version { found: version });
    }
    let mut r = R { b: bytes, at: 6 };
    let mut st = State {
        hostname: r.string("hostname")?,
        ..State::default()
    };
    for _ in 0..r.count("threads")? {
        let t = get_thread(&mut r, version)?;
        st.threads.threads.insert(t.tid, t);
    }
    for _ in 0..r.count("fd tables")? {
        let pid = r.iv("fd table")?;
        let mut table = FdTable::default();
        let mut list = Vec::new();
        for _ in 0..r.count("fd table")? {
            let (n, f) = get_fd(&mut r, version)?;
            table.insert(n, f);
            list.push(n);
        }
        if version >= 4 {
            let (buckets, next_resize) = (r.uv("fd table")?, r.uv("fd table")?);
            let order = FdOrder::restore(list, buckets, next_resize)
                .filter(|o| o.iter().count() == table.fds.len());
            let Some(order) = order else {
                return r.err("fd table shape");
            };
            table.order = order;
        }
        st.fds.insert(pid, table);
    }
    for _ in 0..r.count("users")? {
        let uid = r.u32("user")?;
        let u = User {
            gid: r.u32("user")?,
            name: r.vec("user")?,
            home: r.vec("user")?,
            shell: r.vec("user")?,
        };
        st.users.users.insert(uid, u);
    }
    for _ in 0..r.count("groups")? {
        let gid = r.u32("group")?;
        st.users.groups.insert(gid, r.vec("group")?);
    }
    for _ in 0..r.count("containers")? {
        let c = get_container(&mut r, version)?;
        st.containers.by_id.insert(c.id.clone(), c);
    }
    for _ in 0..r.count("enters")? {
        let tid = r.iv("enter")?;
        let mut e = StoredEnter::new(
            r.vec("enter")?,
            r.uv("enter")?,
            r.u32("enter")? as u16,
            r.uv("enter")? != 0,
        );
        // Before version 4 the record was the latest enter whatever its kind: a thread
        // checkpointed after a context switch inside a syscall lost the syscall's enter,
        // which current libs' view of its exit then lacks.
        if version >= 4 {
            e.last_ty = r.uv("enter")? as u16;
        }
        st.enters.insert(tid, e);
    }
    if r.uv("pending")? != 0 {
        st.pending.thread = Some(r.iv("pending")?);
    }
    if r.uv("pending")? != 0 {
        st.pending.fd = Some((r.iv("pending")?, r.iv("pending")?));
    }
    if version >= 2 {
        for _ in 0..r.count("interfaces")? {
            let addr = r.bytes("interface")?.try_into();
            let netmask = r.bytes("interface")?.try_into();
            let (Ok(addr), Ok(netmask)) = (addr, netmask) else {
                return r.err("interface address is not 4 bytes");
            };
            st.ipv4_ifaces.push(super::udp::Ipv4Iface { addr, netmask });
        }
    }
    if version >= 3 {
        for _ in 0..r.count("interfaces")? {
            let Ok(prefix) = r.bytes("interface")?.try_into() else {
                return r.err("IPv6 interface prefix is not 8 bytes");
            };
            st.ipv6_prefixes.push(prefix);
        }
        st.libs_dropped = r.uv("dropped events")?;
    }
    if version >= 4 {
        for _ in 0..r.count("exited threads")? {
            let e = (
                r.iv("exited thread")?,
                r.iv("exited thread")?,
                r.uv("exited thread")?,
            );
            st.exited.entries.push_back(e);
        }
    }
    if r.at != bytes.len() {
        return r.err("trailing bytes");
    }
    Ok(st)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> State {
        let mut st = State::default();
        let mut t = Thread::unknown(42);
        t.comm = b"bash".to_vec();
        t.cwd = b"/root/".to_vec();
        t.container_id = b"9dbcbd0c435f".to_vec();
        t.pgid = 42;
        t.exe_ino_durations = (5, 6);
        t.libs_valid = true;
        t.libs_unnamed = true;
        t.libs_reparent = Some(1);
        st.threads.threads.insert(42, t);
        st.exited.record(43, 42, 2_000);
        let mut f = Fd::named(FdType::Ipv4, b"1.2.3.4:5->6.7.8.9:10");
        f.role = Role::Client;
        f.addrs.sport = 5;
        st.fds.entry(42).or_default().insert(3, f);
        st.users.users.insert(
            0,
            User {
                gid: 0,
                name: b"root".to_vec(),
                ..User::default()
            },
        );
        st.users.groups.insert(0, b"root".to_vec());
        st.containers.add_json(br#"{"container":{"id":"9dbcbd0c435f","full_id":"9dbcbd0c435fx","name":"n","labels":{"a":"b"},"privileged":true,"host_ipc":true,"cni_json":"{}","pod_sandbox_id":"p","pod_sandbox_labels":{"c":"d"},"Mounts":[{"Source":"/s","RW":true}]}}"#);
        let mut e = StoredEnter::new(vec![1, 2, 3], 7, 1, true);
        e.last_ty = 3;
        st.enters.insert(42, e);
        st.pending.fd = Some((42, 3));
        st.hostname = "host".into();
        st.ipv4_ifaces.push(super::super::udp::Ipv4Iface {
            addr: [127, 0, 0, 1],
            netmask: [255, 0, 0, 0],
        });
        st
    }

    #[test]
    fn round_trips() {
        let st = sample();
        let bytes = save(&st);
        assert_eq!(load(&bytes), Ok(st.clone()));
        assert_eq!(save(&load(&bytes).unwrap()), bytes, "deterministic");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let bytes = save(&sample());
        assert_eq!(load(b"nope"), Err(CheckpointError::BadMagic));
        let mut v = bytes.clone();
        v[4] = 9;
        assert!(matches!(load(&v), Err(CheckpointError::Version { .. })));
        for cut in 6..bytes.len() {
            assert!(load(&bytes[..cut]).is_err(), "truncated at {cut}");
        }
        // Flip every byte in turn: decoding may succeed or fail but must not panic.
        for i in 6..bytes.len() {
            let mut v = bytes.clone();
            v[i] ^= 0xff;
            let _ = load(&v);
        }
    }
}
