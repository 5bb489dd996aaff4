//! `fdlist.*` fields: the fds of a `poll` or `ppoll` exit's `fds` argument, each looked up in
//! the process's fd table, as one comma-separated text.
//!
//! Semantics follow libsinsp's `sinsp_filter_check_fdlist`: the numbers of every listed fd;
//! the name of each (`<NA>` for an fd not in the table or without a name); the addresses and
//! ports of the connected IP sockets among them, skipping the other fds; `<NA>` when nothing
//! is left to print. As there, a listening IPv6 socket's server address is printed from its
//! first four bytes as if it were IPv4.

use std::io::Write;

use super::ctx::Ctx;
use super::value::Out;
use crate::state::event::param_raw;
use crate::state::fds::push_ip;
use crate::state::FdType;

/// The events whose `fds` argument the fields read.
const POLLS: &[&str] = &["poll", "ppoll"];

/// One entry of an FDLIST parameter: an fd and its poll flags (the flags are not used).
const ENTRY_LEN: usize = 10;

/// The fd numbers of an FDLIST parameter (`u16` count, then `i64` fd and `i16` flags each);
/// the entries the bytes hold, at most the count.
fn listed_fds(b: &[u8]) -> impl Iterator<Item = i64> + '_ {
    let n = b
        .get(..2)
        .map_or(0, |c| usize::from(u16::from_le_bytes([c[0], c[1]])));
    b.get(2..)
        .unwrap_or_default()
        .chunks_exact(ENTRY_LEN)
        .take(n)
        .filter_map(|e| Some(i64::from_le_bytes(e.get(..8)?.try_into().ok()?)))
}

/// Extracts `fdlist.<name>`.
pub fn extract(name: &str, c: &Ctx<'_>, out: &mut Out) -> bool {
    if !c.p.is_exit() || !c.p.ev.info().is_some_and(|i| POLLS.contains(&i.name)) {
        return false;
    }
    let Some((fds, _)) = param_raw(&c.p.ev, "fds") else {
        return false;
    };
    if c.thread().is_none() {
        return false;
    }
    out.build(|b| {
        for fd in listed_fds(fds) {
            let f = if fd < 0 { None } else { c.fd_num(fd) };
            let sock = f.filter(|f| f.ty.is_ip() && !f.listening);
            let start = b.len();
            match name {
                "nums" => {
                    let _ = write!(b, "{fd}");
                }
                "names" => match f.map(|f| f.shown_name(c.libs)).filter(|n| !n.is_empty()) {
                    Some(n) => b.extend_from_slice(n),
                    None => b.extend_from_slice(b"<NA>"),
                },
                "cips" => {
                    if let Some(f) = sock {
                        push_ip(b, f.ty, &f.addrs.sip);
                    }
                }
                "sips" => match f {
                    Some(f) if f.ty.is_ip() && !f.listening => push_ip(b, f.ty, &f.addrs.dip),
                    Some(f) if f.ty.is_ip() => push_ip(b, FdType::Ipv4, &f.addrs.sip),
                    _ => {}
                },
                "cports" => {
                    if let Some(f) = sock {
                        let _ = write!(b, "{}", f.addrs.sport);
                    }
                }
                "sports" => {
                    if let Some(f) = sock {
                        let _ = write!(b, "{}", f.addrs.dport);
                    }
                }
                _ => {}
            }
            if b.len() > start || matches!(name, "nums" | "names") {
                b.push(b',');
            }
        }
        if b.last() == Some(&b',') {
            b.pop();
        }
    });
    let empty = out.vals.last().is_some_and(|v| out.bytes(v).is_empty());
    if empty {
        out.vals.pop();
    }
    !out.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fdlist_entries_are_read_within_bounds() {
        let mut b = 2u16.to_le_bytes().to_vec();
        for fd in [3i64, 7] {
            b.extend_from_slice(&fd.to_le_bytes());
            b.extend_from_slice(&1i16.to_le_bytes());
        }
        assert_eq!(listed_fds(&b).collect::<Vec<_>>(), [3, 7]);
        // A count larger than the entries present, or a cut entry, reads what is there.
        b[0] = 9;
        assert_eq!(listed_fds(&b[..b.len() - 3]).collect::<Vec<_>>(), [3]);
        assert_eq!(listed_fds(&[]).count(), 0);
    }
}
