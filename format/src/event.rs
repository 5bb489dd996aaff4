//! Borrowed views of scap event records.
//!
//! An event record is `header | length array | values` (SCAP_FORMAT.md §4). [`EventRef`] borrows
//! one record from a decoded buffer without copying and answers parameter look-ups by index.
//! A zero-length parameter means "absent" in scap, so [`EventRef::param`] returns `None` for it,
//! exactly as for an index past the end.

use crate::schema::{self, Direction, EventInfo};

/// Size of a V2 record header: ts u64, tid i64, len u32, type u16, nparams u32.
pub const HEADER_LEN_V2: usize = 26;
/// Size of a V1 record header (no nparams).
pub const HEADER_LEN_V1: usize = 22;
/// Most parameters any event type has; records claiming more are rejected.
pub const MAX_PARAMS: usize = 64;

/// Why a record could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The record is shorter than its header or its declared length.
    #[error("event record truncated: need {need} bytes, have {have}")]
    Truncated {
        /// Bytes required.
        need: usize,
        /// Bytes available.
        have: usize,
    },
    /// The length array and values do not fit in the declared record length.
    #[error("event record of type {ty} is inconsistent: {nparams} parameters need {need} bytes, record has {len}")]
    Inconsistent {
        /// Event type id.
        ty: u16,
        /// Declared parameter count.
        nparams: u32,
        /// Bytes needed by the length array and values.
        need: usize,
        /// Declared record length.
        len: usize,
    },
}

/// One event record, borrowed.
#[derive(Clone, Copy, Debug)]
pub struct EventRef<'a> {
    /// 1-based ordinal of the record in its trace (`evt.num`).
    pub num: u64,
    /// Timestamp, nanoseconds since the epoch.
    pub ts: u64,
    /// Thread id.
    pub tid: i64,
    /// CPU the event was captured on.
    pub cpu: u16,
    /// Event type id.
    pub ty: u16,
    /// Block dump flags (`SCAP_DF_*`; bit 0 = state only). 0 for plain EV blocks.
    pub dump_flags: u32,
    nparams: u16,
    large: bool,
    lens: &'a [u8],
    values: &'a [u8],
    record: &'a [u8],
}

/// A parsed event without its borrow: the header fields and the positions of its record,
/// lengths and values in the bytes it was parsed from ([`EventRef::layout`]). A reader
/// checks a record, moves its cursor, then lends the event with [`Layout::bind`].
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    head: EventRef<'static>,
    at: usize,
    len: usize,
    lens_at: usize,
    values_at: usize,
}

impl Layout {
    /// The event again, from `base`: the same bytes it was parsed from. `None` when `base` is
    /// too short for it.
    pub fn bind<'b>(&self, base: &'b [u8]) -> Option<EventRef<'b>> {
        let record = base.get(self.at..self.at.checked_add(self.len)?)?;
        Some(EventRef {
            lens: record.get(self.lens_at..self.values_at)?,
            values: record.get(self.values_at..)?,
            record,
            ..self.head
        })
    }
}

/// The header fields V1 and V2 records share: ts, tid, len and type, in the first 22 bytes.
struct CommonHeader {
    ts: u64,
    tid: i64,
    len: usize,
    ty: u16,
}

impl CommonHeader {
    /// Reads the shared fields, after checking that `record` holds a whole header of
    /// `header_len` bytes (22 for V1, 26 for V2).
    fn read(record: &[u8], header_len: usize) -> Result<CommonHeader, RecordError> {
        if record.len() < header_len {
            return Err(RecordError::Truncated {
                need: header_len,
                have: record.len(),
            });
        }
        Ok(CommonHeader {
            ts: u64::from_le_bytes(record[0..8].try_into().unwrap_or_default()),
            tid: i64::from_le_bytes(record[8..16].try_into().unwrap_or_default()),
            len: u32::from_le_bytes(record[16..20].try_into().unwrap_or_default()) as usize,
            ty: u16::from_le_bytes([record[20], record[21]]),
        })
    }
}

impl<'a> EventRef<'a> {
    /// Parses a V2 record (26-byte header) from `record`, which may extend past the record.
    pub fn parse_v2(
        record: &'a [u8],
        num: u64,
        cpu: u16,
        dump_flags: u32,
    ) -> Result<Self, RecordError> {
        let CommonHeader { ts, tid, len, ty } = CommonHeader::read(record, HEADER_LEN_V2)?;
        let nparams = u32::from_le_bytes(record[22..26].try_into().unwrap_or_default());
        Self::finish(
            record,
            num,
            cpu,
            dump_flags,
            ts,
            tid,
            len,
            ty,
            nparams,
            HEADER_LEN_V2,
        )
    }

    /// Parses a V1 record (22-byte header, no parameter count): the count is inferred as libscap
    /// does, from the table's count downwards until the lengths add up to the record length.
    pub fn parse_v1(
        record: &'a [u8],
        num: u64,
        cpu: u16,
        dump_flags: u32,
    ) -> Result<Self, RecordError> {
        let CommonHeader { ts, tid, len, ty } = CommonHeader::read(record, HEADER_LEN_V1)?;
        if len > record.len() || len < HEADER_LEN_V1 {
            return Err(RecordError::Truncated {
                need: len.max(HEADER_LEN_V1),
                have: record.len(),
            });
        }
        let info = schema::event_info(ty);
        let large = info.is_some_and(EventInfo::large_payload);
        let width = if large { 4 } else { 2 };
        let body = &record[HEADER_LEN_V1..len];
        let max = info.map_or(0, |i| i.params.len()).min(MAX_PARAMS);
        let mut inferred = 0;
        for n in (0..=max).rev() {
            if n * width > body.len() {
                continue;
            }
            let sum: usize = (0..n).map(|i| read_len(body, i, large)).sum();
            if n * width + sum == body.len() {
                inferred = n;
                break;
            }
        }
        Self::finish(
            record,
            num,
            cpu,
            dump_flags,
            ts,
            tid,
            len,
            ty,
            inferred as u32,
            HEADER_LEN_V1,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        record: &'a [u8],
        num: u64,
        cpu: u16,
        dump_flags: u32,
        ts: u64,
        tid: i64,
        len: usize,
        ty: u16,
        nparams: u32,
        header_len: usize,
    ) -> Result<Self, RecordError> {
        if len > record.len() || len < header_len {
            return Err(RecordError::Truncated {
                need: len.max(header_len),
                have: record.len(),
            });
        }
        let large = schema::event_info(ty).is_some_and(EventInfo::large_payload);
        let width = if large { 4 } else { 2 };
        let np = nparams as usize;
        let inconsistent = RecordError::Inconsistent {
            ty,
            nparams,
            need: np.saturating_mul(width),
            len,
        };
        if np > MAX_PARAMS || header_len + np * width > len {
            return Err(inconsistent);
        }
        let lens = &record[header_len..header_len + np * width];
        let values = &record[header_len + np * width..len];
        let sum = sum_lens(lens, large);
        if sum > values.len() {
            return Err(RecordError::Inconsistent {
                ty,
                nparams,
                need: header_len + np * width + sum,
                len,
            });
        }
        Ok(EventRef {
            num,
            ts,
            tid,
            cpu,
            ty,
            dump_flags,
            nparams: np as u16,
            large,
            lens,
            values,
            record: &record[..len],
        })
    }

    /// The schema entry of this event type, if the table knows it.
    pub fn info(&self) -> Option<&'static EventInfo> {
        schema::event_info(self.ty)
    }

    /// Enter or exit.
    pub fn direction(&self) -> Direction {
        Direction::of(self.ty)
    }

    /// Number of parameters present in the record (may differ from the table's count).
    pub fn nparams(&self) -> usize {
        self.nparams as usize
    }

    /// Raw bytes of parameter `i`; `None` when absent (past the end or zero-length).
    pub fn param(&self, i: usize) -> Option<&'a [u8]> {
        if i >= self.nparams as usize {
            return None;
        }
        let width = if self.large { 4 } else { 2 };
        let off = sum_lens(self.lens.get(..i * width)?, self.large);
        let len = read_len(self.lens, i, self.large);
        if len == 0 {
            return None;
        }
        self.values.get(off..off + len)
    }

    /// Iterates over all parameters present in the record (absent ones as `None`).
    pub fn params(&self) -> impl Iterator<Item = Option<&'a [u8]>> + '_ {
        let mut off = 0usize;
        (0..self.nparams as usize).map(move |i| {
            let len = read_len(self.lens, i, self.large);
            let v = if len == 0 {
                None
            } else {
                self.values.get(off..off + len)
            };
            off += len;
            v
        })
    }

    /// Where this event lies in `base`, the bytes it was parsed from: a [`Layout`] lends
    /// the same event again from those bytes without parsing them twice. `None` when the
    /// event's record is not inside `base`.
    pub fn layout(&self, base: &[u8]) -> Option<Layout> {
        // Offsets from addresses: the record, its lengths and its values are sub-slices of
        // `base`, so the differences are their positions.
        let start = base.as_ptr() as usize;
        let at = (self.record.as_ptr() as usize).checked_sub(start)?;
        if at + self.record.len() > base.len() {
            return None;
        }
        let rec = self.record.as_ptr() as usize;
        Some(Layout {
            head: EventRef {
                lens: &[],
                values: &[],
                record: &[],
                ..*self
            },
            at,
            len: self.record.len(),
            lens_at: (self.lens.as_ptr() as usize).checked_sub(rec)?,
            values_at: (self.values.as_ptr() as usize).checked_sub(rec)?,
        })
    }

    /// The whole record as stored (header, length array, values), for re-encoding.
    pub fn record_bytes(&self) -> &'a [u8] {
        self.record
    }

    /// Whether the record uses the 26-byte V2 header (false for V1 records).
    pub fn is_v2(&self) -> bool {
        self.record.len() >= HEADER_LEN_V2
            && self.record.len() - self.lens.len() - self.values.len() == HEADER_LEN_V2
    }
}

/// The sum of the parameter lengths in `lens` (whole lengths of 4 bytes if `large`, else 2),
/// read in whole words without a bounds check per parameter: this runs on every event read
/// and on every parameter looked up.
fn sum_lens(lens: &[u8], large: bool) -> usize {
    if large {
        lens.chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .sum()
    } else {
        lens.chunks_exact(2)
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
            .sum()
    }
}

fn read_len(lens: &[u8], i: usize, large: bool) -> usize {
    if large {
        lens.get(i * 4..i * 4 + 4)
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    } else {
        lens.get(i * 2..i * 2 + 2)
            .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::EventBuilder;

    #[test]
    fn a_layout_lends_the_same_event_again() {
        let mut b = EventBuilder::new(7, 42, 3);
        b.str(b"/etc/passwd").u8(1);
        let mut bytes = vec![0xaa; 5];
        b.encode_into(&mut bytes);
        bytes.extend_from_slice(&[0xbb; 3]);
        let ev = EventRef::parse_v2(&bytes[5..], 9, 1, 0).unwrap();
        let layout = ev.layout(&bytes).expect("inside");
        let again = layout.bind(&bytes).expect("bound");
        assert_eq!(again.record_bytes(), ev.record_bytes());
        assert_eq!((again.num, again.ts, again.tid, again.ty), (9, 42, 3, 7));
        assert_eq!(again.param(0), ev.param(0));
        assert_eq!(again.param(1), Some(&[1u8][..]));
        // Bytes too short for the record: no event, no panic.
        assert!(layout.bind(&bytes[..10]).is_none());
        // A record outside the base has no layout.
        assert!(ev.layout(&bytes[6..]).is_none());
    }
}
