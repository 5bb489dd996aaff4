//! Building event records from parameters: [`EventBuilder`] encodes a V2 record (26-byte header,
//! length array, values) with u16 or u32 lengths as the event type's `LARGE_PAYLOAD` flag says.
//! The recorder uses it for synthetic events (container JSON, procinfo); tests use it to craft
//! hostile input.

use crate::block;
use crate::event::HEADER_LEN_V2;
use crate::schema;

/// Encodes one event record parameter by parameter.
#[derive(Clone, Debug)]
pub struct EventBuilder {
    ty: u16,
    ts: u64,
    tid: i64,
    lens: Vec<u32>,
    values: Vec<u8>,
}

impl EventBuilder {
    /// Starts a record of event type `ty` at time `ts` (ns since the epoch) on thread `tid`.
    pub fn new(ty: u16, ts: u64, tid: i64) -> Self {
        EventBuilder {
            ty,
            ts,
            tid,
            lens: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Appends a parameter's raw bytes (empty = absent).
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.lens.push(bytes.len() as u32);
        self.values.extend_from_slice(bytes);
        self
    }

    /// Appends a 64-bit signed value (ERRNO, FD, PID, INT64).
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.raw(&v.to_le_bytes())
    }

    /// Appends a 64-bit unsigned value (UINT64, RELTIME, ABSTIME).
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.raw(&v.to_le_bytes())
    }

    /// Appends a 32-bit value (UINT32, FLAGS32, UID, GID, MODE).
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.raw(&v.to_le_bytes())
    }

    /// Appends a 16-bit value (UINT16, FLAGS16, SYSCALLID, PORT).
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.raw(&v.to_le_bytes())
    }

    /// Appends an 8-bit value (UINT8, FLAGS8, SIGTYPE).
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.raw(&[v])
    }

    /// Appends a NUL-terminated string (CHARBUF, FSPATH, FSRELPATH).
    pub fn str(&mut self, s: &[u8]) -> &mut Self {
        self.lens.push(s.len() as u32 + 1);
        self.values.extend_from_slice(s);
        self.values.push(0);
        self
    }

    /// Whether this event type uses u32 parameter lengths.
    pub fn is_large(&self) -> bool {
        schema::event_info(self.ty).is_some_and(|i| i.large_payload())
    }

    /// Size of the encoded record in bytes.
    pub fn len(&self) -> usize {
        HEADER_LEN_V2 + self.lens.len() * if self.is_large() { 4 } else { 2 } + self.values.len()
    }

    /// Whether no parameter was added yet.
    pub fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }

    /// Appends the encoded V2 record to `out`. Parameters longer than 65535 bytes in a non-large
    /// event are cut to that size (the wire cannot express more).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let large = self.is_large();
        let start = out.len();
        out.extend_from_slice(&self.ts.to_le_bytes());
        out.extend_from_slice(&self.tid.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&self.ty.to_le_bytes());
        out.extend_from_slice(&(self.lens.len() as u32).to_le_bytes());
        let mut off = 0usize;
        let mut kept = Vec::with_capacity(self.lens.len());
        for &l in &self.lens {
            let keep = if large { l } else { l.min(u16::MAX as u32) };
            kept.push((off, keep as usize));
            off += l as usize;
            if large {
                out.extend_from_slice(&keep.to_le_bytes());
            } else {
                out.extend_from_slice(&(keep as u16).to_le_bytes());
            }
        }
        for (o, l) in kept {
            out.extend_from_slice(&self.values[o..o + l]);
        }
        let len = (out.len() - start) as u32;
        out[start + 16..start + 20].copy_from_slice(&len.to_le_bytes());
    }

    /// The encoded V2 record.
    pub fn build(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        self.encode_into(&mut out);
        out
    }
}

/// Appends a framed event block holding `record` (a V1 or V2 record, as `v1` says) to `out`:
/// EV (or EVF when `dump_flags != 0`), the `_LARGE` variant when the block exceeds 64 KiB.
pub fn write_event_block(out: &mut Vec<u8>, record: &[u8], v1: bool, cpu: u16, dump_flags: u32) {
    let cpu = cpu.to_le_bytes();
    let flags = dump_flags.to_le_bytes();
    let total = 12 + 2 + if dump_flags != 0 { 4 } else { 0 } + record.len();
    let large = total > 65536;
    let ty = match (v1, dump_flags != 0, large) {
        (true, false, _) => block::EV_V1,
        (true, true, _) => block::EVF_V1,
        (false, false, false) => block::EV_V2,
        (false, false, true) => block::EV_V2_LARGE,
        (false, true, false) => block::EVF_V2,
        (false, true, true) => block::EVF_V2_LARGE,
    };
    if dump_flags != 0 {
        block::write_block_parts(out, ty, &[&cpu, &flags, record]);
    } else {
        block::write_block_parts(out, ty, &[&cpu, record]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventRef;

    #[test]
    fn builds_a_record_the_parser_reads_back() {
        let rec = EventBuilder::new(3, 42, 7)
            .i64(3)
            .str(b"/etc/passwd")
            .u32(1)
            .u32(0)
            .raw(&[])
            .build();
        let ev = EventRef::parse_v2(&rec, 1, 0, 0).unwrap();
        assert_eq!((ev.ts, ev.tid, ev.ty, ev.nparams()), (42, 7, 3, 5));
        assert_eq!(ev.param(1), Some(&b"/etc/passwd\0"[..]));
        assert_eq!(ev.param(4), None);
        let mut block = Vec::new();
        write_event_block(&mut block, &rec, false, 1, 0);
        let ev = crate::reader::parse_event_block(&block, 9).unwrap();
        assert_eq!((ev.num, ev.cpu), (9, 1));
    }

    #[test]
    fn large_payload_events_use_u32_lengths() {
        let rec = EventBuilder::new(324, 1, -1)
            .raw(&vec![b'x'; 70_000])
            .build();
        let ev = EventRef::parse_v2(&rec, 1, 0, 0).unwrap();
        assert_eq!(ev.param(0).map(<[u8]>::len), Some(70_000));
    }
}
