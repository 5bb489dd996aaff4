//! The native `.scap.zst` format: a standard zstd stream of independent frames.
//!
//! ```text
//! frame 0          zstd data frame: the header blocks (SHB, MI, IL, UL, PL, FDL...): a scap prefix
//! per chunk        skippable frame "HSC1": ChunkMeta (stats + optional checkpoint)
//!                  zstd data frame: whole event blocks (~4 MiB uncompressed by default)
//! end              skippable frame "HSI1": the index (offsets of every chunk), ending with
//!                  u32 frame length + "HSIE" so it can be found from the end of the file
//! ```
//!
//! `zstd -d` ignores skippable frames, so it yields exactly the scap byte stream. The chunk
//! metadata precedes its data frame, so a reader can list chunks (stats and checkpoints) by
//! reading only skippable frames and skipping data frames by their compressed length, and a
//! file cut short keeps every complete chunk. A chunk that begins a new section carries the
//! section's header blocks at the start of its data.

mod frames;
mod reader;
mod writer;

pub use frames::{zstd_frame_len, SKIPPABLE_MAGIC};
pub use reader::{ChunkEvents, ChunkInfo, NativeReader};
pub use writer::{NativeOptions, NativeWriter};

use crate::cursor::{Cursor, PutLe};

/// Tag of a chunk-metadata skippable frame.
pub const CHUNK_TAG: &[u8; 4] = b"HSC1";
/// Tag of the index skippable frame.
pub const INDEX_TAG: &[u8; 4] = b"HSI1";
/// Last 4 bytes of a file with an index.
pub const INDEX_END: &[u8; 4] = b"HSIE";
/// Default uncompressed chunk size.
pub const DEFAULT_CHUNK_SIZE: usize = 4 << 20;

/// Statistics of one chunk, written before its data frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChunkStats {
    /// Timestamp of the first event (ns since the epoch).
    pub first_ts: u64,
    /// Timestamp of the last event.
    pub last_ts: u64,
    /// `evt.num` of the first event.
    pub first_num: u64,
    /// Number of events.
    pub count: u64,
    /// Uncompressed size of the data frame.
    pub raw_len: u64,
    /// Compressed size of the data frame.
    pub zst_len: u64,
    /// Whether the chunk starts a new section (its data begins with header blocks).
    pub new_section: bool,
    /// Bit `t` is set when event type `t` occurs (512 bits; types ≥ 512 set bit 511).
    pub types: [u64; 8],
}

impl ChunkStats {
    /// Records one event.
    pub fn add(&mut self, ts: u64, ty: u16, num: u64) {
        if self.count == 0 {
            self.first_ts = ts;
            self.first_num = num;
        }
        self.last_ts = ts;
        self.count += 1;
        let t = (ty as usize).min(511);
        self.types[t / 64] |= 1 << (t % 64);
    }

    /// Whether event type `ty` occurs in the chunk.
    pub fn has_type(&self, ty: u16) -> bool {
        let t = (ty as usize).min(511);
        self.types[t / 64] & (1 << (t % 64)) != 0
    }
}

/// Encodes a chunk-metadata payload (without the skippable-frame header).
pub(crate) fn encode_meta(s: &ChunkStats, checkpoint: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + checkpoint.map_or(0, <[u8]>::len));
    out.extend_from_slice(CHUNK_TAG);
    for v in [
        s.first_ts,
        s.last_ts,
        s.first_num,
        s.count,
        s.raw_len,
        s.zst_len,
    ] {
        out.put_u64(v);
    }
    out.put_u32(u32::from(s.new_section));
    for w in s.types {
        out.put_u64(w);
    }
    match checkpoint {
        Some(cp) => {
            out.put_u32(1);
            out.put_u64(cp.len() as u64);
            out.extend_from_slice(cp);
        }
        None => out.put_u32(0),
    }
    out
}

/// Decodes a chunk-metadata payload.
pub(crate) fn decode_meta(p: &[u8]) -> Option<(ChunkStats, Option<Vec<u8>>)> {
    let mut c = Cursor::new(p);
    if c.bytes(4)? != CHUNK_TAG {
        return None;
    }
    let mut s = ChunkStats {
        first_ts: c.u64()?,
        last_ts: c.u64()?,
        first_num: c.u64()?,
        count: c.u64()?,
        raw_len: c.u64()?,
        zst_len: c.u64()?,
        new_section: c.u32()? != 0,
        types: [0; 8],
    };
    for w in &mut s.types {
        *w = c.u64()?;
    }
    let cp = match c.u32()? {
        0 => None,
        _ => {
            let n = usize::try_from(c.u64()?).ok()?;
            Some(c.bytes(n)?.to_vec())
        }
    };
    Some((s, cp))
}
