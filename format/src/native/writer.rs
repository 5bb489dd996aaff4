//! [`NativeWriter`]: writes `.scap.zst` traces chunk by chunk.
//!
//! Call order: [`NativeWriter::write_header_blocks`] (or [`NativeWriter::write_header`]) once,
//! then events; whenever [`NativeWriter::at_chunk_start`] is true, the caller may hand the
//! state *before* the next event to [`NativeWriter::set_checkpoint`], and it is stored with the
//! chunk that event opens. [`NativeWriter::finish`] flushes the last chunk and the index.

use std::io::Write;

use super::chunk_meta::{encode_meta, ChunkStats, StoredCheckpoint};
use super::frames::skippable;
use super::{DEFAULT_CHUNK_SIZE, INDEX_END, INDEX_TAG};
use crate::cursor::PutLe;
use crate::encode::write_event_block;
use crate::error::WriteError;
use crate::event::EventRef;
use crate::header::TraceHeader;

/// Options of a [`NativeWriter`].
#[derive(Clone, Debug)]
pub struct NativeOptions {
    /// Uncompressed bytes of event blocks per chunk (a chunk closes after the event that
    /// reaches this size).
    pub chunk_size: usize,
    /// zstd compression level of the data frames (3 keeps conversion at several hundred MB/s
    /// per core; higher levels gain a few percent at a fraction of the speed).
    pub level: i32,
    /// zstd level of frame 0 (the header blocks) and of small checkpoints. They are written
    /// once per file or chunk, so a slow strong level costs little; large ones fall back to
    /// weaker levels (see `side_level`) to bound the time spent on them.
    pub header_level: i32,
}

impl Default for NativeOptions {
    fn default() -> Self {
        NativeOptions {
            chunk_size: DEFAULT_CHUNK_SIZE,
            level: 3,
            header_level: 19,
        }
    }
}

impl NativeOptions {
    /// The level for `len` bytes of header blocks or checkpoint: `header_level` up to `budget`
    /// bytes, `level + 6` (at most) up to 16 × `budget`, then `level`. Frame 0 is written once
    /// per file (budget 1 MiB: a fraction of a second at level 19); a checkpoint once per chunk
    /// (budget 64 KiB, so that it never takes more than a fraction of the chunk's own time).
    fn side_level(&self, len: usize, budget: usize) -> i32 {
        if len <= budget {
            self.header_level
        } else if len <= budget * 16 {
            self.header_level.min(self.level + 6)
        } else {
            self.level
        }
    }
}

/// Where one chunk went, for the index.
#[derive(Clone, Copy, Debug)]
struct IndexEntry {
    meta_offset: u64,
    data_offset: u64,
    data_len: u64,
}

/// Writes a native trace to `W`.
pub struct NativeWriter<W: Write> {
    out: W,
    opts: NativeOptions,
    offset: u64,
    header_done: bool,
    chunk: Vec<u8>,
    stats: ChunkStats,
    checkpoint: Option<Vec<u8>>,
    next_num: u64,
    index: Vec<IndexEntry>,
    compressor: zstd::bulk::Compressor<'static>,
    /// The header blocks (frame 0, uncompressed): the dictionary of the checkpoints.
    dict: Vec<u8>,
    /// Checkpoint compressors by level, each loaded with `dict`.
    side: Vec<(i32, zstd::bulk::Compressor<'static>)>,
}

impl<W: Write> std::fmt::Debug for NativeWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeWriter")
            .field("offset", &self.offset)
            .field("chunks", &self.index.len())
            .finish()
    }
}

impl<W: Write> NativeWriter<W> {
    /// A writer with the given options.
    pub fn new(out: W, opts: NativeOptions) -> Result<Self, WriteError> {
        let mut compressor = zstd::bulk::Compressor::new(opts.level)?;
        // A window spanning the whole chunk (level 3 alone stops at 2 MiB): about 1% smaller
        // data frames for a negligible cost; 8 MiB at most keeps decoders' memory small.
        let wlog = usize::BITS - opts.chunk_size.max(2).saturating_sub(1).leading_zeros();
        compressor.set_parameter(zstd::stream::raw::CParameter::WindowLog(wlog.clamp(17, 23)))?;
        Ok(NativeWriter {
            out,
            opts,
            offset: 0,
            header_done: false,
            chunk: Vec::new(),
            stats: ChunkStats::default(),
            checkpoint: None,
            next_num: 1,
            index: Vec::new(),
            compressor,
            dict: Vec::new(),
            side: Vec::new(),
        })
    }

    fn put(&mut self, bytes: &[u8]) -> Result<u64, WriteError> {
        let at = self.offset;
        self.out.write_all(bytes)?;
        self.offset += bytes.len() as u64;
        Ok(at)
    }

    /// Writes frame 0 from raw header blocks (a scap prefix starting with a section header, e.g.
    /// [`crate::TraceReader::header_blocks`]).
    pub fn write_header_blocks(&mut self, raw: &[u8]) -> Result<(), WriteError> {
        if self.header_done {
            return Err(WriteError::Usage("the header was already written".into()));
        }
        let level = self.opts.side_level(raw.len(), 1 << 20);
        let z = zstd::bulk::Compressor::new(level)?.compress(raw)?;
        self.put(&z)?;
        self.dict = raw.to_vec();
        self.header_done = true;
        Ok(())
    }

    /// Writes frame 0 from a typed header (blocks of the reference writer recipe).
    pub fn write_header(&mut self, h: &TraceHeader) -> Result<(), WriteError> {
        self.write_header_blocks(&crate::writer::encode_header(h))
    }

    /// Whether the next event opens a new chunk (the moment to call `set_checkpoint`).
    pub fn at_chunk_start(&self) -> bool {
        self.stats.count == 0
    }

    /// Stores `checkpoint` with the chunk the next event opens (or the open chunk if it has no
    /// event yet): it must describe the state before that chunk's first event.
    ///
    /// Chunks whose state their header blocks describe keep none: the first chunk (frame 0's
    /// header, which every reader has) and a chunk that starts a new section (its own header
    /// blocks open its data, see [`super::ChunkEvents::section_blocks`]). Storing that state
    /// again would cost about as much as the header blocks themselves. Other checkpoints are
    /// stored zstd-compressed with frame 0's header blocks as dictionary.
    pub fn set_checkpoint(&mut self, checkpoint: Vec<u8>) {
        let from_header = self.index.is_empty() || self.stats.new_section;
        self.checkpoint = (!from_header).then_some(checkpoint);
    }

    /// The `evt.num` the next event will have.
    pub fn next_num(&self) -> u64 {
        self.next_num
    }

    /// Appends an event, keeping its record version (V1 records stay in V1 blocks).
    pub fn write_event(&mut self, ev: &EventRef<'_>) -> Result<(), WriteError> {
        self.write_record(ev.record_bytes(), !ev.is_v2(), ev.cpu, ev.dump_flags)
    }

    /// Appends an event given as record bytes (`v1`: 22-byte header record).
    pub fn write_record(
        &mut self,
        record: &[u8],
        v1: bool,
        cpu: u16,
        dump_flags: u32,
    ) -> Result<(), WriteError> {
        if !self.header_done {
            return Err(WriteError::Usage("write the header before events".into()));
        }
        let ts = record
            .get(0..8)
            .map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap_or_default()));
        let ty = record
            .get(20..22)
            .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
        self.stats.add(ts, ty, self.next_num);
        self.next_num += 1;
        write_event_block(&mut self.chunk, record, v1, cpu, dump_flags);
        if self.chunk.len() >= self.opts.chunk_size {
            self.flush_chunk()?;
        }
        Ok(())
    }

    /// The sink, e.g. to flush it.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Closes the open chunk and starts a new section with `raw` header blocks: they go at the
    /// start of the next chunk's data, so `zstd -d` yields a concatenation of scap sections.
    pub fn new_section(&mut self, raw: &[u8]) -> Result<(), WriteError> {
        self.flush_chunk()?;
        self.chunk.extend_from_slice(raw);
        self.stats.new_section = true;
        Ok(())
    }

    /// Writes the open chunk (metadata frame, then data frame), if it holds anything.
    pub fn flush_chunk(&mut self) -> Result<(), WriteError> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let z = self.compressor.compress(&self.chunk)?;
        self.stats.raw_len = self.chunk.len() as u64;
        self.stats.zst_len = z.len() as u64;
        let stored = match self.checkpoint.take() {
            Some(cp) => Some(self.store_checkpoint(cp)?),
            None => None,
        };
        let meta = skippable(&encode_meta(&self.stats, stored.as_ref()));
        let meta_offset = self.put(&meta)?;
        let data_offset = self.put(&z)?;
        self.index.push(IndexEntry {
            meta_offset,
            data_offset,
            data_len: z.len() as u64,
        });
        self.out.flush()?;
        self.chunk.clear();
        self.stats = ChunkStats::default();
        self.checkpoint = None;
        Ok(())
    }

    /// Compresses a checkpoint against the header blocks (kept raw when that does not help).
    fn store_checkpoint(&mut self, cp: Vec<u8>) -> Result<StoredCheckpoint, WriteError> {
        let level = self.opts.side_level(cp.len(), 64 << 10);
        let at = match self.side.iter().position(|(l, _)| *l == level) {
            Some(at) => at,
            None => {
                let c = zstd::bulk::Compressor::with_dictionary(level, &self.dict)?;
                self.side.push((level, c));
                self.side.len() - 1
            }
        };
        let frame = self.side[at].1.compress(&cp)?;
        Ok(if frame.len() < cp.len() {
            StoredCheckpoint::Zstd {
                raw_len: cp.len() as u64,
                frame,
            }
        } else {
            StoredCheckpoint::Raw(cp)
        })
    }

    /// Flushes the last chunk, writes the index and returns the sink.
    pub fn finish(mut self) -> Result<W, WriteError> {
        if !self.header_done {
            return Err(WriteError::Usage("no header was written".into()));
        }
        self.flush_chunk()?;
        let mut p = Vec::with_capacity(16 + self.index.len() * 24);
        p.extend_from_slice(INDEX_TAG);
        p.put_u32(self.index.len() as u32);
        for e in &self.index {
            p.put_u64(e.meta_offset);
            p.put_u64(e.data_offset);
            p.put_u64(e.data_len);
        }
        let total = 8 + p.len() as u32 + 8;
        p.put_u32(total);
        p.extend_from_slice(INDEX_END);
        let frame = skippable(&p);
        self.put(&frame)?;
        self.out.flush()?;
        Ok(self.out)
    }
}
