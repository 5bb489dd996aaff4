//! Socket addresses and tuples as the drivers encode them (SCAP_FORMAT.md §5).
//!
//! A SOCKADDR is `family, addr, port`; a SOCKTUPLE is `family, src addr, src port, dst addr,
//! dst port` (unix: two kernel pointers and a path). Families use libscap's numbering
//! (1 unix, 2 inet, 10 inet6). Addresses stay in network byte order, ports are host order.

use super::fds::{FdType, SockAddrs};

/// `PPM_AF_UNIX`.
pub const AF_UNIX: u8 = 1;
/// `PPM_AF_INET`.
pub const AF_INET: u8 = 2;
/// `PPM_AF_INET6`.
pub const AF_INET6: u8 = 10;
/// `PPM_AF_NETLINK`.
pub const AF_NETLINK: u8 = 16;

/// A decoded SOCKTUPLE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tuple<'a> {
    /// An IP tuple: type (IPv4 or IPv6) and addresses.
    Ip(FdType, SockAddrs),
    /// A unix tuple: source and destination pointers and the path.
    Unix(u64, u64, &'a [u8]),
}

fn u16le(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn u64le(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Decodes a SOCKTUPLE parameter.
pub fn parse_tuple(b: &[u8]) -> Option<Tuple<'_>> {
    let mut a = SockAddrs::default();
    match *b.first()? {
        AF_INET => {
            a.sip[..4].copy_from_slice(b.get(1..5)?);
            a.sport = u16le(b, 5)?;
            a.dip[..4].copy_from_slice(b.get(7..11)?);
            a.dport = u16le(b, 11)?;
            Some(Tuple::Ip(FdType::Ipv4, a))
        }
        AF_INET6 => {
            a.sip.copy_from_slice(b.get(1..17)?);
            a.sport = u16le(b, 17)?;
            a.dip.copy_from_slice(b.get(19..35)?);
            a.dport = u16le(b, 35)?;
            // IPv4-mapped addresses are shown as IPv4, as libsinsp does.
            if is_v4_mapped(&a.sip) && is_v4_mapped(&a.dip) {
                let (s, d) = (a.sip, a.dip);
                a.sip = [0; 16];
                a.dip = [0; 16];
                a.sip[..4].copy_from_slice(&s[12..]);
                a.dip[..4].copy_from_slice(&d[12..]);
                return Some(Tuple::Ip(FdType::Ipv4, a));
            }
            Some(Tuple::Ip(FdType::Ipv6, a))
        }
        AF_UNIX => {
            let src = u64le(b, 1)?;
            let dst = u64le(b, 9)?;
            let path = super::event::trim_nul(b.get(17..).unwrap_or_default());
            Some(Tuple::Unix(src, dst, path))
        }
        _ => None,
    }
}

/// Whether an IPv6 address is `::ffff:a.b.c.d` (or the unspecified `::`).
pub fn is_v4_mapped(ip: &[u8; 16]) -> bool {
    ip[..10].iter().all(|&b| b == 0) && ip[10] == 0xff && ip[11] == 0xff
}

/// A decoded SOCKADDR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addr<'a> {
    /// IP address and port.
    Ip(FdType, [u8; 16], u16),
    /// Unix socket path.
    Unix(&'a [u8]),
}

/// Decodes a SOCKADDR parameter.
pub fn parse_sockaddr(b: &[u8]) -> Option<Addr<'_>> {
    let mut ip = [0u8; 16];
    match *b.first()? {
        AF_INET => {
            ip[..4].copy_from_slice(b.get(1..5)?);
            Some(Addr::Ip(FdType::Ipv4, ip, u16le(b, 5)?))
        }
        AF_INET6 => {
            ip.copy_from_slice(b.get(1..17)?);
            Some(Addr::Ip(FdType::Ipv6, ip, u16le(b, 17)?))
        }
        AF_UNIX => Some(Addr::Unix(super::event::trim_nul(&b[1..]))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_decode() {
        let mut b = vec![AF_INET, 10, 0, 0, 1];
        b.extend_from_slice(&5555u16.to_le_bytes());
        b.extend_from_slice(&[1, 2, 3, 4]);
        b.extend_from_slice(&443u16.to_le_bytes());
        let Some(Tuple::Ip(FdType::Ipv4, a)) = parse_tuple(&b) else {
            panic!("not ipv4")
        };
        assert_eq!(
            (a.sport, a.dport, &a.dip[..4]),
            (5555, 443, &[1, 2, 3, 4][..])
        );
        assert_eq!(parse_tuple(&b[..6]), None);
        assert_eq!(parse_tuple(&[]), None);
        assert_eq!(
            parse_sockaddr(&[AF_UNIX, b'/', b'x', 0]),
            Some(Addr::Unix(b"/x"))
        );
    }
}
