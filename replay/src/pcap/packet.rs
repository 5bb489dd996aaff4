//! Synthetic frames: Ethernet, IPv4 or IPv6, and TCP or UDP headers around a payload.
//!
//! A trace records what a process read from or wrote to a socket, not the packets that
//! carried it, so [`build`] makes one frame per transfer: lengths and checksums are correct
//! for the bytes the frame holds, so capture tools accept it. [`Streams`] gives TCP
//! segments sequence and acknowledgement numbers that advance per direction per connection.

use std::collections::HashMap;

/// EtherType of IPv4.
const ETHERTYPE_IPV4: u16 = 0x0800;
/// EtherType of IPv6.
const ETHERTYPE_IPV6: u16 = 0x86dd;
/// IP protocol number of TCP.
pub const PROTO_TCP: u8 = 6;
/// IP protocol number of UDP.
pub const PROTO_UDP: u8 = 17;
/// Lengths of the headers this module writes.
const ETH_LEN: usize = 14;
const IPV4_LEN: usize = 20;
const IPV6_LEN: usize = 40;
const TCP_LEN: usize = 20;
const UDP_LEN: usize = 8;
/// The most payload one frame carries: IP and UDP length fields are 16 bits, and the
/// largest headers (IPv4 20 + TCP 20, or UDP's own length field) must fit with it.
pub const MAX_PAYLOAD: usize = 65535 - IPV6_LEN - TCP_LEN;
/// The largest frame [`build`] writes: Ethernet header plus the largest IP packet.
pub const MAX_FRAME: usize = ETH_LEN + 65535;
/// Locally administered MAC addresses of the two ends (local, remote).
const MAC_LOCAL: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
const MAC_REMOTE: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];

/// One end of a connection: an IP address (IPv4 in the first four bytes) and a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    /// The address; for IPv4 only the first four bytes count.
    pub ip: [u8; 16],
    /// The port.
    pub port: u16,
}

/// What one synthetic frame carries.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    /// IPv6 (else IPv4).
    pub v6: bool,
    /// [`PROTO_TCP`] or [`PROTO_UDP`].
    pub proto: u8,
    /// Sender.
    pub src: Endpoint,
    /// Receiver.
    pub dst: Endpoint,
    /// Whether the sender is the local end (picks the MAC addresses).
    pub outbound: bool,
    /// TCP sequence and acknowledgement numbers (ignored for UDP).
    pub seq: u32,
    /// TCP acknowledgement number.
    pub ack: u32,
    /// IPv4 identification field.
    pub ip_id: u16,
    /// The payload, at most [`MAX_PAYLOAD`] bytes (longer payloads are cut).
    pub payload: &'a [u8],
}

/// The ones' complement sum of `data` folded into `acc` (RFC 1071), not yet inverted.
fn sum16(mut acc: u32, data: &[u8]) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        acc += u32::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = chunks.remainder() {
        acc += u32::from(*last) << 8;
    }
    acc
}

/// Folds and inverts a sum into a checksum.
fn finish(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

/// The Internet checksum of `data` (RFC 1071).
pub fn checksum(data: &[u8]) -> u16 {
    finish(sum16(0, data))
}

/// Builds one Ethernet frame for `s` into `out` (cleared first).
pub fn build(s: &Segment<'_>, out: &mut Vec<u8>) {
    out.clear();
    let payload = &s.payload[..s.payload.len().min(MAX_PAYLOAD)];
    let l4_len = payload.len()
        + if s.proto == PROTO_TCP {
            TCP_LEN
        } else {
            UDP_LEN
        };
    let (src_mac, dst_mac) = if s.outbound {
        (MAC_LOCAL, MAC_REMOTE)
    } else {
        (MAC_REMOTE, MAC_LOCAL)
    };
    out.extend_from_slice(&dst_mac);
    out.extend_from_slice(&src_mac);
    let ethertype = if s.v6 { ETHERTYPE_IPV6 } else { ETHERTYPE_IPV4 };
    out.extend_from_slice(&ethertype.to_be_bytes());
    let (src_ip, dst_ip): (&[u8], &[u8]) = if s.v6 {
        (&s.src.ip, &s.dst.ip)
    } else {
        (&s.src.ip[..4], &s.dst.ip[..4])
    };
    // The lengths fit: `payload` is at most MAX_PAYLOAD bytes.
    let l4_len16 = l4_len as u16;
    if s.v6 {
        out.extend_from_slice(&[0x60, 0, 0, 0]);
        out.extend_from_slice(&l4_len16.to_be_bytes());
        out.extend_from_slice(&[s.proto, 64]);
        out.extend_from_slice(src_ip);
        out.extend_from_slice(dst_ip);
    } else {
        let start = out.len();
        out.extend_from_slice(&[0x45, 0]);
        out.extend_from_slice(&((IPV4_LEN + l4_len) as u16).to_be_bytes());
        out.extend_from_slice(&s.ip_id.to_be_bytes());
        out.extend_from_slice(&[0x40, 0, 64, s.proto, 0, 0]);
        out.extend_from_slice(src_ip);
        out.extend_from_slice(dst_ip);
        let sum = checksum(&out[start..]);
        out[start + 10..start + 12].copy_from_slice(&sum.to_be_bytes());
    }
    let l4 = out.len();
    out.extend_from_slice(&s.src.port.to_be_bytes());
    out.extend_from_slice(&s.dst.port.to_be_bytes());
    let sum_at = if s.proto == PROTO_TCP {
        out.extend_from_slice(&s.seq.to_be_bytes());
        out.extend_from_slice(&s.ack.to_be_bytes());
        // Data offset 5 words; flags PSH|ACK; window 65535; checksum; urgent pointer.
        out.extend_from_slice(&[(TCP_LEN as u8 / 4) << 4, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
        l4 + 16
    } else {
        out.extend_from_slice(&l4_len16.to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        l4 + 6
    };
    out.extend_from_slice(payload);
    // The pseudo-header: addresses, protocol and layer-4 length.
    let mut acc = sum16(0, src_ip);
    acc = sum16(acc, dst_ip);
    acc += u32::from(s.proto) + l4_len as u32;
    let mut sum = finish(sum16(acc, &out[l4..]));
    if s.proto == PROTO_UDP && sum == 0 {
        // UDP sends a computed zero as all ones (zero means "no checksum").
        sum = 0xffff;
    }
    out[sum_at..sum_at + 2].copy_from_slice(&sum.to_be_bytes());
}

/// The next sequence numbers of each TCP connection, per direction.
///
/// Both directions start at 1 (a capture tool shows them as relative numbers anyway) and
/// advance by the bytes the process transferred, which may exceed the bytes the trace kept
/// (the capture's snap length): a gap then shows as missing data, as it should.
#[derive(Debug, Default)]
pub struct Streams {
    /// Next sequence number by (interface, sender, receiver).
    next: HashMap<(u32, Endpoint, Endpoint), u32>,
}

impl Streams {
    /// Sequence and acknowledgement numbers for `len` bytes sent from `src` to `dst` on
    /// interface `iface` (a network namespace), and advances the sender's sequence number.
    pub fn advance(&mut self, iface: u32, src: Endpoint, dst: Endpoint, len: u64) -> (u32, u32) {
        let ack = *self.next.entry((iface, dst, src)).or_insert(1);
        let seq = self.next.entry((iface, src, dst)).or_insert(1);
        let this = *seq;
        *seq = seq.wrapping_add(len as u32);
        (this, ack)
    }

    /// Connections seen (each direction counted once per connection).
    pub fn connections(&self) -> usize {
        self.next
            .keys()
            .filter(|(i, a, b)| !self.next.contains_key(&(*i, *b, *a)) || a <= b)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(last: u8, port: u16) -> Endpoint {
        let mut ip = [0; 16];
        ip[..4].copy_from_slice(&[10, 0, 0, last]);
        Endpoint { ip, port }
    }

    #[test]
    fn ipv4_tcp_frame_has_valid_lengths_and_checksums() {
        let seg = Segment {
            v6: false,
            proto: PROTO_TCP,
            src: ep(1, 40000),
            dst: ep(2, 80),
            outbound: true,
            seq: 7,
            ack: 9,
            ip_id: 3,
            payload: b"GET / HTTP/1.1\r\n",
        };
        let mut f = Vec::new();
        build(&seg, &mut f);
        assert_eq!(f.len(), ETH_LEN + IPV4_LEN + TCP_LEN + 16);
        let ip = &f[ETH_LEN..ETH_LEN + IPV4_LEN];
        assert_eq!(u16::from_be_bytes([ip[2], ip[3]]), 56);
        // A header with a correct checksum sums to zero.
        assert_eq!(checksum(ip), 0);
        let l4 = &f[ETH_LEN + IPV4_LEN..];
        let mut acc = sum16(0, &[10, 0, 0, 1, 10, 0, 0, 2]);
        acc += u32::from(PROTO_TCP) + l4.len() as u32;
        assert_eq!(finish(sum16(acc, l4)), 0);
        assert_eq!(&l4[4..8], &7u32.to_be_bytes());
        assert_eq!(&f[f.len() - 16..], b"GET / HTTP/1.1\r\n");
    }

    #[test]
    fn ipv6_udp_frame_has_valid_checksum() {
        let mut a = ep(1, 5353);
        let mut b = ep(2, 53);
        a.ip = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4];
        b.ip = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3];
        let seg = Segment {
            v6: true,
            proto: PROTO_UDP,
            src: a,
            dst: b,
            outbound: false,
            seq: 0,
            ack: 0,
            ip_id: 0,
            payload: b"abc",
        };
        let mut f = Vec::new();
        build(&seg, &mut f);
        assert_eq!(&f[12..14], &[0x86, 0xdd]);
        let l4 = &f[ETH_LEN + IPV6_LEN..];
        assert_eq!(l4.len(), 11);
        assert_eq!(u16::from_be_bytes([l4[4], l4[5]]), 11);
        let mut acc = sum16(0, &a.ip);
        acc = sum16(acc, &b.ip);
        acc += u32::from(PROTO_UDP) + 11;
        assert_eq!(finish(sum16(acc, l4)), 0);
    }

    #[test]
    fn sequence_numbers_advance_per_direction() {
        let mut s = Streams::default();
        let (c, srv) = (ep(1, 40000), ep(2, 80));
        assert_eq!(s.advance(0, c, srv, 10), (1, 1));
        assert_eq!(s.advance(0, srv, c, 100), (1, 11));
        assert_eq!(s.advance(0, c, srv, 5), (11, 101));
        assert_eq!(s.connections(), 1);
        // The same addresses in another network namespace are another connection.
        assert_eq!(s.advance(1, c, srv, 7), (1, 1));
        assert_eq!(s.connections(), 2);
    }
}
