//! pcapng-style block framing of scap files (SCAP_FORMAT.md §2) and the block type registry.
//!
//! Every block is `u32 type | u32 total_len | body | 0-3 zero pad | u32 total_len`. We use a
//! small layer of our own rather than pcap-file's pcapng reader: pcap-file only knows the
//! standard pcapng block types and rejects or reinterprets scap's private ones (0x201..0x222,
//! the `0x80xxABCD` aliases), it cannot resynchronise after damage or report byte offsets, and
//! it has no writer for custom blocks. Framing is 20 lines; the block bodies are scap's own.

/// Section header block.
pub const SHB: u32 = 0x0A0D_0D0A;
/// Byte-order magic inside the SHB body.
pub const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
/// Machine info.
pub const MI: u32 = 0x201;
/// Machine info, pre-release alias.
pub const MI_INT: u32 = 0x8002_ABCD;
/// Process list V1..V9 (index 0 = V1), with the pre-release aliases of V1..V3.
pub const PL: [u32; 9] = [
    0x202, 0x207, 0x209, 0x210, 0x211, 0x212, 0x213, 0x214, 0x215,
];
/// Pre-release aliases of PL V1, V2, V3.
pub const PL_INT: [u32; 3] = [0x8000_ABCD, 0x8013_ABCD, 0x8014_ABCD];
/// fd list V1.
pub const FDL_V1: u32 = 0x203;
/// fd list V1, pre-release alias.
pub const FDL_V1_INT: u32 = 0x8001_ABCD;
/// fd list V2 (per-entry length).
pub const FDL_V2: u32 = 0x218;
/// Event V1 (record without nparams).
pub const EV_V1: u32 = 0x204;
/// Event V1, pre-release alias.
pub const EV_V1_INT: u32 = 0x8010_ABCD;
/// Event V2.
pub const EV_V2: u32 = 0x216;
/// Event V2, large block.
pub const EV_V2_LARGE: u32 = 0x221;
/// Event with dump flags V1.
pub const EVF_V1: u32 = 0x208;
/// Event with dump flags V2.
pub const EVF_V2: u32 = 0x217;
/// Event with dump flags V2, large block.
pub const EVF_V2_LARGE: u32 = 0x222;
/// Interface list V1.
pub const IL_V1: u32 = 0x205;
/// Interface list V1, pre-release alias.
pub const IL_V1_INT: u32 = 0x8011_ABCD;
/// Interface list V2.
pub const IL_V2: u32 = 0x219;
/// User list V1.
pub const UL_V1: u32 = 0x206;
/// User list V1, pre-release alias.
pub const UL_V1_INT: u32 = 0x8012_ABCD;
/// User list V2.
pub const UL_V2: u32 = 0x220;

/// Largest block this crate accepts (a sanity bound against garbage lengths).
pub const MAX_BLOCK_LEN: u32 = 1 << 28;

/// What a block type id means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// Section header.
    Section,
    /// Machine info.
    Machine,
    /// Process list of the given version (1..=9).
    Procs(u8),
    /// fd list of the given version (1 or 2).
    Fds(u8),
    /// Interface list of the given version (1 or 2).
    Interfaces(u8),
    /// User list of the given version (1 or 2).
    Users(u8),
    /// An event block.
    Event {
        /// Record header version (1 or 2).
        version: u8,
        /// Whether a `u32` dump-flags field precedes the record.
        flags: bool,
    },
    /// Anything else.
    Unknown,
}

impl BlockKind {
    /// Classifies a block type id.
    pub fn of(ty: u32) -> BlockKind {
        match ty {
            SHB => BlockKind::Section,
            MI | MI_INT => BlockKind::Machine,
            FDL_V1 | FDL_V1_INT => BlockKind::Fds(1),
            FDL_V2 => BlockKind::Fds(2),
            IL_V1 | IL_V1_INT => BlockKind::Interfaces(1),
            IL_V2 => BlockKind::Interfaces(2),
            UL_V1 | UL_V1_INT => BlockKind::Users(1),
            UL_V2 => BlockKind::Users(2),
            EV_V1 | EV_V1_INT => BlockKind::Event {
                version: 1,
                flags: false,
            },
            EV_V2 | EV_V2_LARGE => BlockKind::Event {
                version: 2,
                flags: false,
            },
            EVF_V1 => BlockKind::Event {
                version: 1,
                flags: true,
            },
            EVF_V2 | EVF_V2_LARGE => BlockKind::Event {
                version: 2,
                flags: true,
            },
            _ => {
                if let Some(i) = PL.iter().position(|&t| t == ty) {
                    BlockKind::Procs(i as u8 + 1)
                } else if let Some(i) = PL_INT.iter().position(|&t| t == ty) {
                    BlockKind::Procs(i as u8 + 1)
                } else {
                    BlockKind::Unknown
                }
            }
        }
    }

    /// Whether this is an event block.
    pub fn is_event(self) -> bool {
        matches!(self, BlockKind::Event { .. })
    }
}

/// Reads a little-endian u32 at `off`, `None` when out of range.
pub(crate) fn le_u32(b: &[u8], off: usize) -> Option<u32> {
    let s = b.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Whether `b[off..]` starts with a complete, self-consistent block of a known type (header
/// length = trailer length, sane size). Used to resynchronise after damage.
pub(crate) fn plausible_block_at(b: &[u8], off: usize) -> bool {
    let (Some(ty), Some(len)) = (le_u32(b, off), le_u32(b, off + 4)) else {
        return false;
    };
    if BlockKind::of(ty) == BlockKind::Unknown
        || !(12..=MAX_BLOCK_LEN).contains(&len)
        || len % 4 != 0
    {
        return false;
    }
    le_u32(b, off + len as usize - 4) == Some(len)
}

/// Appends a framed block (header, body, zero padding to 4, trailer) to `out`.
pub fn write_block(out: &mut Vec<u8>, ty: u32, body: &[u8]) {
    write_block_parts(out, ty, &[body]);
}

/// Appends a framed block whose body is the concatenation of `parts`.
pub fn write_block_parts(out: &mut Vec<u8>, ty: u32, parts: &[&[u8]]) {
    let body_len: usize = parts.iter().map(|p| p.len()).sum();
    let total = (12 + body_len + 3) & !3;
    out.reserve(total);
    out.extend_from_slice(&ty.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    for p in parts {
        out.extend_from_slice(p);
    }
    out.resize(out.len() + (total - 12 - body_len), 0);
    out.extend_from_slice(&(total as u32).to_le_bytes());
}

/// The 28-byte bare section header block of version `major.minor` (what sysdig 0.29 accepts).
pub fn section_header(major: u16, minor: u16) -> Vec<u8> {
    let mut body = Vec::with_capacity(16);
    body.extend_from_slice(&BYTE_ORDER_MAGIC.to_le_bytes());
    body.extend_from_slice(&major.to_le_bytes());
    body.extend_from_slice(&minor.to_le_bytes());
    body.extend_from_slice(&u64::MAX.to_le_bytes());
    let mut out = Vec::with_capacity(28);
    write_block(&mut out, SHB, &body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_pads_and_repeats_length() {
        let mut out = Vec::new();
        write_block(&mut out, EV_V2, &[1, 2, 3, 4, 5]);
        assert_eq!(out.len(), 20);
        assert_eq!(le_u32(&out, 4), Some(20));
        assert_eq!(le_u32(&out, 16), Some(20));
        assert!(plausible_block_at(&out, 0));
        assert_eq!(section_header(1, 2).len(), 28);
    }

    #[test]
    fn classifies_every_version() {
        assert_eq!(BlockKind::of(0x215), BlockKind::Procs(9));
        assert_eq!(BlockKind::of(0x8014_ABCD), BlockKind::Procs(3));
        assert_eq!(
            BlockKind::of(0x222),
            BlockKind::Event {
                version: 2,
                flags: true
            }
        );
        assert_eq!(BlockKind::of(0x999), BlockKind::Unknown);
    }
}
