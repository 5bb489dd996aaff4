//! Chunk metadata: [`ChunkStats`] and the codec of the skippable frame that precedes each data
//! frame (statistics plus the optional state checkpoint).
//!
//! Two payload versions exist. `HSC1` (first files) stores fixed-width integers, the 512-bit
//! event-type bitmap and the checkpoint as is. `HSC2` (written now) stores varints, the list of
//! event types present, and the checkpoint compressed with zstd using the trace's header blocks
//! (frame 0, decompressed) as a raw-content dictionary: a checkpoint repeats the process names,
//! paths and fds of the header, so it compresses to a fraction of its size. Both are decoded.
//! Decoders never trust lengths: a payload that is cut short, inconsistent or that would
//! decompress past its declared size is rejected (`None`), never a panic or a huge allocation.

use std::io::Read;

use crate::cursor::{Cursor, PutLe};

/// Tag of a chunk-metadata skippable frame written by the first version of the format.
pub const CHUNK_TAG_V1: &[u8; 4] = b"HSC1";
/// Tag of a chunk-metadata skippable frame (compact version, written now).
pub const CHUNK_TAG: &[u8; 4] = b"HSC2";

/// Flag: the chunk starts a new section.
const NEW_SECTION: u8 = 1;
/// Flag: a checkpoint follows.
const HAS_CHECKPOINT: u8 = 2;
/// Flag: the checkpoint is a zstd frame made with the header blocks as dictionary.
const CHECKPOINT_ZSTD: u8 = 4;

/// Largest checkpoint a decoder accepts (a guard against hostile lengths).
const MAX_CHECKPOINT: u64 = 1 << 32;

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

    /// The event types that occur in the chunk, ascending (511 stands for every type ≥ 511).
    pub fn type_ids(&self) -> impl Iterator<Item = u16> + '_ {
        (0..512u16).filter(|&t| self.has_type(t))
    }
}

/// A checkpoint as the metadata frame stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StoredCheckpoint {
    /// Stored as is.
    Raw(Vec<u8>),
    /// A zstd frame compressed with the header blocks as dictionary; `raw_len` is its size
    /// once decompressed.
    Zstd {
        /// Decompressed size.
        raw_len: u64,
        /// The zstd frame.
        frame: Vec<u8>,
    },
}

impl StoredCheckpoint {
    /// The checkpoint bytes; `dict` must be the decompressed frame 0 of the trace. `None` when
    /// the frame does not decompress to exactly its declared size.
    pub(crate) fn resolve(&self, dict: &[u8]) -> Option<Vec<u8>> {
        match self {
            StoredCheckpoint::Raw(b) => Some(b.clone()),
            &StoredCheckpoint::Zstd { raw_len, ref frame } => {
                let mut d = zstd::stream::read::Decoder::with_dictionary(&frame[..], dict).ok()?;
                let mut out = Vec::with_capacity(raw_len.min(1 << 24) as usize);
                (&mut d).take(raw_len + 1).read_to_end(&mut out).ok()?;
                (out.len() as u64 == raw_len).then_some(out)
            }
        }
    }
}

/// Encodes an `HSC2` payload (without the skippable-frame header).
pub(crate) fn encode_meta(s: &ChunkStats, checkpoint: Option<&StoredCheckpoint>) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        64 + checkpoint.map_or(0, |c| match c {
            StoredCheckpoint::Raw(b) => b.len(),
            StoredCheckpoint::Zstd { frame, .. } => frame.len(),
        }),
    );
    out.extend_from_slice(CHUNK_TAG);
    let mut flags = 0;
    if s.new_section {
        flags |= NEW_SECTION;
    }
    match checkpoint {
        Some(StoredCheckpoint::Raw(_)) => flags |= HAS_CHECKPOINT,
        Some(StoredCheckpoint::Zstd { .. }) => flags |= HAS_CHECKPOINT | CHECKPOINT_ZSTD,
        None => {}
    }
    out.put_u8(flags);
    out.put_varint(s.first_ts);
    out.put_varint(s.last_ts.wrapping_sub(s.first_ts));
    for v in [s.first_num, s.count, s.raw_len, s.zst_len] {
        out.put_varint(v);
    }
    let types: Vec<u16> = s.type_ids().collect();
    out.put_varint(types.len() as u64);
    let mut prev = 0;
    for t in types {
        out.put_varint(u64::from(t - prev));
        prev = t;
    }
    match checkpoint {
        Some(StoredCheckpoint::Raw(b)) => {
            out.put_varint(b.len() as u64);
            out.extend_from_slice(b);
        }
        Some(StoredCheckpoint::Zstd { raw_len, frame }) => {
            out.put_varint(*raw_len);
            out.put_varint(frame.len() as u64);
            out.extend_from_slice(frame);
        }
        None => {}
    }
    out
}

/// Decodes a chunk-metadata payload of either version.
pub(crate) fn decode_meta(p: &[u8]) -> Option<(ChunkStats, Option<StoredCheckpoint>)> {
    match p.get(..4)? {
        t if t == CHUNK_TAG => decode_v2(&p[4..]),
        t if t == CHUNK_TAG_V1 => decode_v1(&p[4..]),
        _ => None,
    }
}

/// The longest metadata prefix [`decode_stats`] needs: the statistics come before the
/// checkpoint and take at most this many bytes (v2: tag, flags, six varints, 512 type deltas).
pub(crate) const STATS_PREFIX: usize = 1280;

/// Whether a version-2 metadata payload carries a checkpoint, from its flags (its first five
/// bytes); `None` for another version, whose flags lie elsewhere.
pub(crate) fn meta_has_checkpoint(p: &[u8]) -> Option<bool> {
    (p.get(..4)? == CHUNK_TAG).then(|| p.get(4).is_some_and(|f| f & HAS_CHECKPOINT != 0))
}

/// Decodes only the statistics of a metadata frame's payload, from its first
/// [`STATS_PREFIX`] bytes (the checkpoint that follows is not needed).
pub(crate) fn decode_stats(p: &[u8]) -> Option<ChunkStats> {
    match p.get(..4)? {
        t if t == CHUNK_TAG => stats_v2(&mut Cursor::new(&p[4..])).map(|(_, s)| s),
        t if t == CHUNK_TAG_V1 => stats_v1(&mut Cursor::new(&p[4..])),
        _ => None,
    }
}

fn stats_v2(c: &mut Cursor<'_>) -> Option<(u8, ChunkStats)> {
    let flags = c.u8()?;
    let first_ts = c.varint()?;
    let mut s = ChunkStats {
        first_ts,
        last_ts: first_ts.wrapping_add(c.varint()?),
        first_num: c.varint()?,
        count: c.varint()?,
        raw_len: c.varint()?,
        zst_len: c.varint()?,
        new_section: flags & NEW_SECTION != 0,
        types: [0; 8],
    };
    let ntypes = c.varint()?;
    if ntypes > 512 {
        return None;
    }
    let mut t = 0u64;
    for _ in 0..ntypes {
        t = t.checked_add(c.varint()?).filter(|&t| t < 512)?;
        s.types[t as usize / 64] |= 1 << (t % 64);
    }
    Some((flags, s))
}

fn decode_v2(p: &[u8]) -> Option<(ChunkStats, Option<StoredCheckpoint>)> {
    let mut c = Cursor::new(p);
    let (flags, s) = stats_v2(&mut c)?;
    let cp = if flags & HAS_CHECKPOINT == 0 {
        None
    } else if flags & CHECKPOINT_ZSTD != 0 {
        let raw_len = c.varint().filter(|&n| n <= MAX_CHECKPOINT)?;
        let n = usize::try_from(c.varint()?).ok()?;
        let frame = c.bytes(n)?.to_vec();
        Some(StoredCheckpoint::Zstd { raw_len, frame })
    } else {
        let n = usize::try_from(c.varint()?).ok()?;
        Some(StoredCheckpoint::Raw(c.bytes(n)?.to_vec()))
    };
    Some((s, cp))
}

fn stats_v1(c: &mut Cursor<'_>) -> Option<ChunkStats> {
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
    Some(s)
}

fn decode_v1(p: &[u8]) -> Option<(ChunkStats, Option<StoredCheckpoint>)> {
    let mut c = Cursor::new(p);
    let s = stats_v1(&mut c)?;
    let cp = match c.u32()? {
        0 => None,
        _ => {
            let n = usize::try_from(c.u64()?).ok()?;
            Some(StoredCheckpoint::Raw(c.bytes(n)?.to_vec()))
        }
    };
    Some((s, cp))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats() -> ChunkStats {
        let mut s = ChunkStats::default();
        s.add(1_700_000_000_000_000_000, 3, 10);
        s.add(1_700_000_000_000_000_500, 511, 11);
        s.add(1_699_999_999_000_000_000, 700, 12);
        s.raw_len = 4 << 20;
        s.zst_len = 300_000;
        s.new_section = true;
        s
    }

    #[test]
    fn v2_round_trips_stats_and_both_checkpoint_kinds() {
        let s = stats();
        let dict = b"header blocks with /usr/bin/cat and /etc/passwd".repeat(10);
        let cp = b"state: /usr/bin/cat reads /etc/passwd".repeat(50);
        let frame = zstd::bulk::Compressor::with_dictionary(3, &dict)
            .unwrap()
            .compress(&cp)
            .unwrap();
        assert!(frame.len() < cp.len() / 4);
        for stored in [
            None,
            Some(StoredCheckpoint::Raw(cp.clone())),
            Some(StoredCheckpoint::Zstd {
                raw_len: cp.len() as u64,
                frame,
            }),
        ] {
            let enc = encode_meta(&s, stored.as_ref());
            let (back, got) = decode_meta(&enc).unwrap();
            assert_eq!(back, s);
            // The statistics alone decode from the frame's first STATS_PREFIX bytes.
            assert_eq!(
                decode_stats(&enc[..enc.len().min(STATS_PREFIX)]),
                Some(s.clone())
            );
            assert_eq!(got, stored);
            if let Some(got) = got {
                assert_eq!(got.resolve(&dict).unwrap(), cp);
            }
            // Every strict prefix is rejected, never misread or panicking.
            for n in 0..enc.len() {
                assert!(decode_meta(&enc[..n]).is_none(), "prefix of {n} bytes");
            }
        }
    }

    #[test]
    fn stats_of_every_event_type_fit_the_prefix() {
        let mut s = stats();
        for t in 0..512 {
            s.add(1_700_000_000_000_000_000, t, 10);
        }
        let enc = encode_meta(&s, Some(&StoredCheckpoint::Raw(vec![7; 5000])));
        assert_eq!(decode_stats(&enc[..STATS_PREFIX]), Some(s));
    }

    #[test]
    fn wrong_dictionary_or_size_is_rejected() {
        // Pseudo-random bytes: the checkpoint only compresses by referring to the dictionary.
        let mut x = 12345u32;
        let dict: Vec<u8> = (0..4000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8
            })
            .collect();
        let cp = dict[1000..3000].to_vec();
        let frame = zstd::bulk::Compressor::with_dictionary(3, &dict)
            .unwrap()
            .compress(&cp)
            .unwrap();
        let lying = StoredCheckpoint::Zstd {
            raw_len: cp.len() as u64 - 1,
            frame: frame.clone(),
        };
        assert_eq!(lying.resolve(&dict), None);
        let ok = StoredCheckpoint::Zstd {
            raw_len: cp.len() as u64,
            frame,
        };
        assert!(frame_len_small(&ok, cp.len()));
        assert_ne!(ok.resolve(&dict[..2000]).as_deref(), Some(&cp[..]));
        assert_eq!(ok.resolve(&dict).as_deref(), Some(&cp[..]));
    }

    fn frame_len_small(c: &StoredCheckpoint, raw: usize) -> bool {
        matches!(c, StoredCheckpoint::Zstd { frame, .. } if frame.len() < raw / 10)
    }

    #[test]
    fn v1_payloads_still_decode() {
        let s = stats();
        let mut p = CHUNK_TAG_V1.to_vec();
        for v in [
            s.first_ts,
            s.last_ts,
            s.first_num,
            s.count,
            s.raw_len,
            s.zst_len,
        ] {
            p.put_u64(v);
        }
        p.put_u32(1);
        for w in s.types {
            p.put_u64(w);
        }
        p.put_u32(1);
        p.put_u64(3);
        p.extend_from_slice(b"abc");
        let (back, cp) = decode_meta(&p).unwrap();
        assert_eq!(back, s);
        assert_eq!(cp, Some(StoredCheckpoint::Raw(b"abc".to_vec())));
    }
}
