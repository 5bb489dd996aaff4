//! zstd frame boundaries without decompressing (RFC 8878 §3.1): lets the native reader skip
//! data frames and recover the frame list of a file that has no index.

/// Magic of the skippable frames hindsight writes (0x184D2A50 + 0xB).
pub const SKIPPABLE_MAGIC: u32 = 0x184D_2A5B;
const ZSTD_MAGIC: u32 = 0xFD2F_B528;

/// What a frame at some offset is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FrameKind {
    /// A zstd data frame.
    Data,
    /// A skippable frame; the payload starts 8 bytes in.
    Skippable,
}

/// Length of the frame at the start of `b` and its kind, or `None` when `b` does not hold a
/// complete frame (truncated or not a frame).
pub fn zstd_frame_len(b: &[u8]) -> Option<usize> {
    frame_at(b).map(|(_, len)| len)
}

pub(crate) fn frame_at(b: &[u8]) -> Option<(FrameKind, usize)> {
    let magic = u32::from_le_bytes(b.get(0..4)?.try_into().ok()?);
    if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
        let n = u32::from_le_bytes(b.get(4..8)?.try_into().ok()?) as usize;
        let end = 8usize.checked_add(n)?;
        return (end <= b.len()).then_some((FrameKind::Skippable, end));
    }
    if magic != ZSTD_MAGIC {
        return None;
    }
    let fhd = *b.get(4)?;
    let fcs_flag = fhd >> 6;
    let single = fhd & 0x20 != 0;
    let checksum = fhd & 0x04 != 0;
    let dict = [0, 1, 2, 4][(fhd & 3) as usize];
    let fcs = match fcs_flag {
        0 => usize::from(single),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let mut pos = 5 + usize::from(!single) + dict + fcs;
    loop {
        let h = b.get(pos..pos + 3)?;
        let h = u32::from(h[0]) | u32::from(h[1]) << 8 | u32::from(h[2]) << 16;
        let last = h & 1 != 0;
        let size = (h >> 3) as usize;
        pos += 3 + match (h >> 1) & 3 {
            0 | 2 => size,
            1 => 1,
            _ => return None,
        };
        if last {
            break;
        }
    }
    if checksum {
        pos += 4;
    }
    (pos <= b.len()).then_some((FrameKind::Data, pos))
}

/// Wraps `payload` in a skippable frame.
pub(crate) fn skippable(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + payload.len());
    out.extend_from_slice(&SKIPPABLE_MAGIC.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_real_frames() {
        let data: Vec<u8> = (0..100_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let mut z = zstd::bulk::compress(&data, 3).unwrap();
        let n = z.len();
        assert_eq!(frame_at(&z), Some((FrameKind::Data, n)));
        assert_eq!(frame_at(&z[..n - 1]), None);
        z.extend_from_slice(&skippable(b"abc"));
        assert_eq!(frame_at(&z[n..]), Some((FrameKind::Skippable, 11)));
    }
}
