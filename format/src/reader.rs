//! [`TraceReader`]: reads any scap trace (plain, gzip, native `.scap.zst`) front to back.
//!
//! Opening a reader reads the first section's header blocks, so [`TraceReader::header`] is ready
//! at once. Events are then lent one at a time from an internal buffer ([`TraceReader::next_item`]
//! or [`TraceReader::next_event`]): no allocation per event. Damage never stops the reader: it
//! records a [`Warning`] with the byte offset and what was lost, then resynchronises on the next
//! valid block. A section header between events starts a new section (sysdig resets its state
//! there); [`Item::NewSection`] tells the consumer, and `header()` then describes the new section.

use std::io::Read;
use std::path::Path;

use crate::block::{self, le_u32, plausible_block_at, BlockKind};
use crate::error::{DecodeError, Warning, WarningKind};
use crate::event::{EventRef, Layout};
use crate::header::TraceHeader;
use crate::meta;
use crate::source::{decompressing, Buffered, Compression};

/// What [`TraceReader::next_item`] yields.
#[derive(Debug)]
pub enum Item<'a> {
    /// The next event.
    Event(EventRef<'a>),
    /// A new section started: state built from earlier events must be reset and rebuilt from
    /// [`TraceReader::header`].
    NewSection,
}

/// Sequential reader of a scap trace.
pub struct TraceReader {
    src: Buffered,
    compression: Compression,
    header: TraceHeader,
    header_blocks: Vec<u8>,
    warnings: Vec<Warning>,
    section: usize,
    in_events: bool,
    pending_section: bool,
    next_num: u64,
}

impl std::fmt::Debug for TraceReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceReader")
            .field("compression", &self.compression)
            .field("section", &self.section)
            .field("next_num", &self.next_num)
            .finish_non_exhaustive()
    }
}

impl TraceReader {
    /// Opens a trace file; the compression is sniffed from its magic bytes.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DecodeError> {
        let file = crate::location::open_stream(path.as_ref())
            .map_err(|source| DecodeError::Io { offset: 0, source })?;
        Self::from_reader(file)
    }

    /// Reads a trace from any byte stream (plain, gzip or native).
    pub fn from_reader(r: Box<dyn Read + Send>) -> Result<Self, DecodeError> {
        let (compression, inner) =
            decompressing(r).map_err(|source| DecodeError::Io { offset: 0, source })?;
        Self::from_decompressed(inner, compression)
    }

    /// Reads an already decompressed scap byte stream (`compression` is what `info` reports).
    pub fn from_decompressed(
        r: Box<dyn Read + Send>,
        compression: Compression,
    ) -> Result<Self, DecodeError> {
        let mut rd = TraceReader {
            src: Buffered::new(r),
            compression,
            header: TraceHeader::default(),
            header_blocks: Vec::new(),
            warnings: Vec::new(),
            section: 0,
            in_events: false,
            pending_section: false,
            next_num: 1,
        };
        let n = rd.src.fill(8);
        if n == 0 {
            if let Some(source) = rd.src.failure.take() {
                return Err(DecodeError::Io { offset: 0, source });
            }
            return Err(DecodeError::Empty);
        }
        if n < 8 || le_u32(rd.src.data(), 0) != Some(block::SHB) {
            return Err(DecodeError::NotATrace {
                offset: 0,
                found: rd.src.data()[..n.min(8)].to_vec(),
            });
        }
        rd.scan_metadata()?;
        rd.pending_section = false;
        Ok(rd)
    }

    /// How the file is compressed.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The header of the current section.
    pub fn header(&self) -> &TraceHeader {
        &self.header
    }

    /// The raw header blocks (SHB, MI, IL, UL, PL, FDL...) of the current section, exactly as
    /// read: a valid scap prefix that writers can copy to keep the original block versions.
    pub fn header_blocks(&self) -> &[u8] {
        &self.header_blocks
    }

    /// Index of the current section (0 for the first).
    pub fn section(&self) -> usize {
        self.section
    }

    /// Damage found so far.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Takes the warnings collected so far.
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    /// Offset in the decompressed stream of the next unread byte.
    pub fn offset(&self) -> u64 {
        self.src.offset()
    }

    /// The `evt.num` the next event will get.
    pub fn next_num(&self) -> u64 {
        self.next_num
    }

    /// Sets the `evt.num` of the next event (for readers of one chunk of a larger trace).
    pub fn set_next_num(&mut self, num: u64) {
        self.next_num = num;
    }

    /// The next event, skipping section boundaries (use [`TraceReader::next_item`] to see them).
    pub fn next_event(&mut self) -> Result<Option<EventRef<'_>>, DecodeError> {
        let (len, layout) = loop {
            let Some(len) = self.scan_metadata()? else {
                return Ok(None);
            };
            self.pending_section = false;
            if let Some(layout) = self.check_event(len) {
                break (len, layout);
            }
        };
        Ok(self.take_event(len, layout))
    }

    /// The next event or section boundary; `None` at the end of the trace.
    pub fn next_item(&mut self) -> Result<Option<Item<'_>>, DecodeError> {
        let (len, layout) = loop {
            let Some(len) = self.scan_metadata()? else {
                return Ok(None);
            };
            if self.pending_section {
                self.pending_section = false;
                return Ok(Some(Item::NewSection));
            }
            if let Some(layout) = self.check_event(len) {
                break (len, layout);
            }
        };
        Ok(self.take_event(len, layout).map(Item::Event))
    }

    fn warn(&mut self, offset: u64, kind: WarningKind, message: String) {
        self.warnings.push(Warning {
            offset,
            file_offset: None,
            kind,
            message,
        });
    }

    /// Processes blocks until the next one is a valid event block (left unconsumed; returns its
    /// length) or the stream ends (`None`).
    fn scan_metadata(&mut self) -> Result<Option<usize>, DecodeError> {
        loop {
            let offset = self.src.offset();
            let avail = self.src.fill(8);
            if avail < 8 {
                if avail > 0 {
                    self.warn(
                        offset,
                        WarningKind::Truncated,
                        format!("{avail} trailing bytes do not form a block header"),
                    );
                    self.src.consume(avail);
                }
                self.finish_stream();
                return Ok(None);
            }
            let data = self.src.data();
            let (ty, len) = (le_u32(data, 0).unwrap_or(0), le_u32(data, 4).unwrap_or(0));
            let kind = BlockKind::of(ty);
            if !(12..=block::MAX_BLOCK_LEN).contains(&len)
                || (kind == BlockKind::Unknown && self.in_events)
            {
                let msg = format!("invalid block header (type {ty:#x}, length {len})");
                self.resync(offset, msg);
                continue;
            }
            let len = len as usize;
            let avail = self.src.fill(len);
            if avail < len {
                self.warn(
                    offset,
                    WarningKind::Truncated,
                    format!("stream ends inside a block of type {ty:#x}: {} of {len} bytes present; the block is lost", avail),
                );
                self.src.consume(avail);
                self.finish_stream();
                return Ok(None);
            }
            if le_u32(self.src.data(), len - 4) != Some(len as u32) {
                self.resync(offset, format!("block of type {ty:#x} at this offset has a trailer that does not match its length {len}"));
                continue;
            }
            if kind.is_event() {
                self.in_events = true;
                return Ok(Some(len));
            }
            self.metadata_block(offset, ty, kind, len)?;
        }
    }

    fn finish_stream(&mut self) {
        if let Some(e) = self.src.failure.take() {
            let offset = self.src.offset();
            self.warn(
                offset,
                WarningKind::BadCompression,
                format!("decompression stopped early: {e}; the rest of the trace is lost"),
            );
        }
    }

    fn metadata_block(
        &mut self,
        offset: u64,
        ty: u32,
        kind: BlockKind,
        len: usize,
    ) -> Result<(), DecodeError> {
        let raw = self.src.data()[..len].to_vec();
        self.src.consume(len);
        let body = &raw[8..len - 4];
        if kind == BlockKind::Section {
            let magic = le_u32(body, 0);
            if magic != Some(block::BYTE_ORDER_MAGIC) {
                if offset == 0 {
                    return Err(DecodeError::Unsupported {
                        offset,
                        reason: format!("byte-order magic {magic:#x?}, expected 0x1a2b3c4d (big-endian traces are not supported)"),
                    });
                }
                self.warn(
                    offset,
                    WarningKind::BadHeader,
                    "section header with a bad byte-order magic; ignored".into(),
                );
                return Ok(());
            }
            if self.in_events || offset != 0 {
                self.section += usize::from(self.in_events || !self.header_blocks.is_empty());
                self.pending_section = self.in_events;
                self.in_events = false;
            }
            self.header = TraceHeader::default();
            self.header_blocks.clear();
            let major = body
                .get(4..6)
                .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
            let minor = body
                .get(6..8)
                .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
            self.header.version = (major, minor);
            // Keep a bare SHB: options after the 16-byte body break sysdig 0.29.
            self.header_blocks
                .extend_from_slice(&block::section_header(major, minor));
            return Ok(());
        }
        if self.in_events {
            self.warn(offset, WarningKind::UnknownBlock, format!("header block of type {ty:#x} between events (not after a section header); skipped"));
            return Ok(());
        }
        let h = &mut self.header;
        let res = match kind {
            BlockKind::Machine => meta::decode_machine(body).map(|m| h.machine = Some(m)),
            BlockKind::Procs(v) => meta::decode_procs(v, body, &mut h.threads),
            BlockKind::Fds(v) => meta::decode_fds(v, body, &mut h.fds),
            BlockKind::Users(v) => meta::decode_users(v, body, &mut h.users, &mut h.groups),
            BlockKind::Interfaces(v) => meta::decode_interfaces(v, body, &mut h.interfaces),
            _ => {
                self.warn(
                    offset,
                    WarningKind::UnknownBlock,
                    format!("unknown block type {ty:#x} ({len} bytes) skipped"),
                );
                return Ok(());
            }
        };
        if let Err(msg) = res {
            self.warn(
                offset,
                WarningKind::BadHeader,
                format!("block type {ty:#x}: {msg}"),
            );
        }
        self.header_blocks.extend_from_slice(&raw);
        Ok(())
    }

    /// Skips forward from a damaged block at `offset` to the next plausible block.
    fn resync(&mut self, offset: u64, why: String) {
        let mut skip = 4usize;
        loop {
            let avail = self.src.fill(skip + 8);
            if avail < skip + 8 {
                self.src.consume(avail);
                self.warn(
                    offset,
                    WarningKind::BadBlock,
                    format!("{why}; no valid block follows: {avail} bytes lost"),
                );
                return;
            }
            let len = le_u32(self.src.data(), skip + 4).unwrap_or(0) as usize;
            if len <= block::MAX_BLOCK_LEN as usize && len >= 12 {
                self.src.fill(skip + len);
            }
            if plausible_block_at(self.src.data(), skip) {
                self.src.consume(skip);
                self.warn(
                    offset,
                    WarningKind::BadBlock,
                    format!("{why}; skipped {skip} bytes to the next valid block"),
                );
                return;
            }
            skip += 4;
        }
    }

    /// Parses the event block at the front of the buffer (validated by `scan_metadata`); a bad
    /// record is consumed with a warning (`None`).
    fn check_event(&mut self, len: usize) -> Option<Layout> {
        let offset = self.src.offset();
        let block = &self.src.data()[..len];
        // The layout, not the event: the borrow of the buffer ends here, and the event is
        // lent again by `take_event` without a second parse.
        let res = parse_event_block(block, self.next_num).map(|ev| ev.layout(block));
        match res {
            Ok(layout) => layout,
            Err(e) => {
                self.src.consume(len);
                self.warn(
                    offset,
                    WarningKind::BadEvent,
                    format!("event block dropped: {e}"),
                );
                None
            }
        }
    }

    /// Consumes the (checked) event block at the front of the buffer and lends its event.
    fn take_event(&mut self, len: usize, layout: Layout) -> Option<EventRef<'_>> {
        self.next_num += 1;
        self.src.consume(len);
        layout.bind(self.src.slice_back(len, len))
    }
}

/// Parses one whole event block (header, body, trailer) into an event numbered `num`.
pub fn parse_event_block(
    block: &[u8],
    num: u64,
) -> Result<EventRef<'_>, crate::event::RecordError> {
    let ty = le_u32(block, 0).unwrap_or(0);
    let BlockKind::Event { version, flags } = BlockKind::of(ty) else {
        return Err(crate::event::RecordError::Truncated { need: 12, have: 0 });
    };
    let body = block.get(8..block.len().saturating_sub(4)).unwrap_or(&[]);
    let head = if flags { 6 } else { 2 };
    if body.len() < head {
        return Err(crate::event::RecordError::Truncated {
            need: head,
            have: body.len(),
        });
    }
    let cpu = u16::from_le_bytes([body[0], body[1]]);
    let dump = if flags {
        le_u32(body, 2).unwrap_or(0)
    } else {
        0
    };
    let rec = &body[head..];
    if version == 1 {
        EventRef::parse_v1(rec, num, cpu, dump)
    } else {
        EventRef::parse_v2(rec, num, cpu, dump)
    }
}
