//! [`NativeReader`]: random access to the chunks of a `.scap.zst` trace.
//!
//! With an index (normal files) only the index and the chunk-metadata frames are read to list
//! chunks. Without one (a recorder killed mid-write) the file is scanned frame by frame; a cut
//! last data frame is decompressed as far as it goes and its complete event blocks are kept.

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use super::chunk_meta::{
    decode_meta, decode_stats, meta_has_checkpoint, StoredCheckpoint, STATS_PREFIX,
};
use super::frames::{frame_at, FrameKind, SKIPPABLE_MAGIC};
use super::{ChunkStats, INDEX_END, INDEX_TAG};
use crate::block::{le_u32, BlockKind};
use crate::cursor::Cursor;
use crate::error::{DecodeError, Warning, WarningKind};
use crate::event::EventRef;
use crate::header::TraceHeader;
use crate::reader::{parse_event_block, TraceReader};
use crate::source::Compression;

/// One chunk as listed by [`NativeReader::chunks`].
#[derive(Clone, Debug)]
pub struct ChunkInfo {
    /// Position in the file (0-based).
    pub index: usize,
    /// Statistics written with the chunk.
    pub stats: ChunkStats,
    /// Whether the chunk carries a checkpoint (the state before its first event, opaque to
    /// this crate): [`NativeReader::checkpoint`] decodes it when the chunk is started.
    pub has_checkpoint: bool,
    /// File offset of the compressed data frame.
    pub data_offset: u64,
    /// Compressed bytes of the data frame present in the file.
    pub data_len: u64,
    /// False when the data frame is cut short (only a prefix of its events can be read).
    pub complete: bool,
    /// False when the chunk's statistics were not read ([`NativeReader::open_chunks`] left
    /// the chunk out): `stats` is then empty. `has_checkpoint` is false when not read, for
    /// those chunks and for every chunk of [`NativeReader::open_listing`].
    pub listed: bool,
}

pub use crate::location::Source;

/// Which chunk metadata an open reads.
#[derive(Clone, Copy)]
enum Want<'a> {
    /// Statistics and checkpoints of every chunk.
    All,
    /// Statistics and checkpoints of chunk 0 and of these chunks; nothing of the others.
    Only(&'a [usize]),
    /// Statistics of every chunk, no checkpoint.
    Stats,
}

/// A native trace opened for chunk-wise reading.
pub struct NativeReader {
    /// Shared with [`Checkpoints`], which reads a chunk's checkpoint when the chunk starts.
    file: SharedSource,
    file_len: u64,
    header: TraceHeader,
    header_blocks: Vec<u8>,
    chunks: Vec<ChunkInfo>,
    warnings: Vec<Warning>,
    indexed: bool,
    /// Checkpoints as stored, by chunk, until frame 0 (their dictionary) is read.
    stored: Vec<Option<CheckpointAt>>,
    /// The chunks' checkpoints, kept compressed.
    checkpoints: Checkpoints,
}

/// A trace's source, shared by its reader and its [`Checkpoints`].
type SharedSource = Arc<Mutex<Box<dyn Source>>>;

/// Where a chunk's checkpoint is.
#[derive(Clone, Debug)]
enum CheckpointAt {
    /// Read with the chunk's metadata (a trace without an index, a version-1 frame).
    Memory(StoredCheckpoint),
    /// In the chunk's metadata frame, `len` bytes at `offset`, read when the chunk starts.
    File { offset: u64, len: usize },
}

/// The checkpoints of a trace's chunks, decoded one at a time as chunks start: decoded, all
/// the checkpoints of a long trace would hold tens of megabytes for a whole replay, and even
/// compressed they grow with the trace, so those of an indexed trace stay in the file until
/// their chunk starts. Cheap to clone and shared by the workers of a replay.
#[derive(Clone, Default)]
pub struct Checkpoints {
    stored: Arc<[Option<CheckpointAt>]>,
    /// The decompressed frame 0: the checkpoints' dictionary.
    dict: Arc<[u8]>,
    file: Option<SharedSource>,
}

impl std::fmt::Debug for Checkpoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checkpoints")
            .field("stored", &self.stored)
            .field("dict_len", &self.dict.len())
            .finish_non_exhaustive()
    }
}

impl Checkpoints {
    /// The checkpoint of chunk `i`, decoded: the state before its first event as the
    /// writer's caller encoded it. `None` when the chunk has none, or when it is damaged (it
    /// does not decompress to its declared size) or cannot be read: the chunk must then be
    /// replayed from the state the previous chunk ended in.
    pub fn get(&self, i: usize) -> Option<Vec<u8>> {
        match self.stored.get(i)?.as_ref()? {
            CheckpointAt::Memory(c) => c.resolve(&self.dict),
            &CheckpointAt::File { offset, len } => {
                let meta = lock(self.file.as_ref()?).read_at(offset, len).ok()?;
                decode_meta(&meta)?.1?.resolve(&self.dict)
            }
        }
    }
}

/// The source, also after a thread panicked while reading it (reads leave no state behind).
fn lock(file: &SharedSource) -> std::sync::MutexGuard<'_, Box<dyn Source>> {
    file.lock().unwrap_or_else(PoisonError::into_inner)
}

fn io(offset: u64) -> impl FnOnce(std::io::Error) -> DecodeError {
    move |source| DecodeError::Io { offset, source }
}

fn read_at(f: &SharedSource, off: u64, len: usize) -> Result<Vec<u8>, DecodeError> {
    lock(f).read_at(off, len).map_err(io(off))
}

/// Decompresses as much of `z` as decodes (all of it for a complete frame).
///
/// A worker decompresses chunk after chunk: the output buffer comes from the thread's spares
/// ([`ChunkEvents`] gives its buffer back when dropped) and the zstd context is the thread's,
/// so that a chunk costs no fresh pages (a new multi-megabyte buffer per chunk was page
/// faults and page zeroing: a tenth of a native replay).
fn decompress_prefix(z: &[u8], hint: usize) -> (Vec<u8>, Option<String>) {
    // `hint` comes from the file: trust it only up to 64 MiB.
    let mut out = spare_buffer(hint.min(1 << 26));
    // A complete frame that fits the buffer decodes in one call, with the thread's context.
    let whole = DCTX.with(|d| match &mut *d.borrow_mut() {
        Some(d) => d.decompress_to_buffer(z, &mut out).is_ok(),
        None => false,
    });
    if whole {
        return (out, None);
    }
    // Otherwise (a frame cut short, or larger than announced) stream as far as it decodes.
    out.clear();
    match zstd::stream::read::Decoder::new(z) {
        Ok(mut d) => match d.read_to_end(&mut out) {
            Ok(_) => (out, None),
            Err(e) => (out, Some(e.to_string())),
        },
        Err(e) => (out, Some(e.to_string())),
    }
}

thread_local! {
    /// This thread's zstd decompression context (`None` if zstd could not allocate one).
    static DCTX: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        std::cell::RefCell::new(zstd::bulk::Decompressor::new().ok());
    /// Chunk buffers given back by dropped [`ChunkEvents`] on this thread.
    static SPARES: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Spare buffers kept per thread: a worker holds one chunk at a time, plus one in flight.
const MAX_SPARES: usize = 2;

/// An empty buffer with room for `capacity` bytes, reused when the thread has one.
fn spare_buffer(capacity: usize) -> Vec<u8> {
    let mut buf = SPARES.with(|s| s.borrow_mut().pop()).unwrap_or_default();
    buf.clear();
    buf.reserve(capacity);
    buf
}

impl std::fmt::Debug for NativeReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeReader")
            .field("file_len", &self.file_len)
            .field("chunks", &self.chunks.len())
            .field("indexed", &self.indexed)
            .finish_non_exhaustive()
    }
}

impl NativeReader {
    /// Opens a native trace (a local path, or a URL: see [`crate::location`]) and lists its
    /// chunks. Only the index, the chunk metadata and the header frame are read.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DecodeError> {
        Self::open_chunks(path, None)
    }

    /// Opens a native trace as [`NativeReader::open`] does, reading the metadata (statistics
    /// and checkpoint) of the chunks `only` lists (all for `None`): the others are located by
    /// the index but not [`ChunkInfo::listed`] (chunk 0 always is). Over object storage this is what keeps a work
    /// unit of one chunk from fetching every chunk's checkpoint. A trace without an index is
    /// scanned whole whatever `only` says.
    pub fn open_chunks(
        path: impl AsRef<Path>,
        only: Option<&[usize]>,
    ) -> Result<Self, DecodeError> {
        let file = crate::location::open_ranges(path.as_ref()).map_err(io(0))?;
        Self::from_source_chunks(file, only.map_or(Want::All, Want::Only))
    }

    /// Opens a native trace to list its chunks: the statistics of every chunk (read from the
    /// start of its metadata frame) but no checkpoint, so a listing over object storage
    /// fetches about a kilobyte per chunk. Chunks read from it replay without a checkpoint.
    pub fn open_listing(path: impl AsRef<Path>) -> Result<Self, DecodeError> {
        let file = crate::location::open_ranges(path.as_ref()).map_err(io(0))?;
        Self::from_source_chunks(file, Want::Stats)
    }

    /// Opens a native trace held by any [`Source`], e.g. `std::io::Cursor<Vec<u8>>`.
    pub fn from_source(file: Box<dyn Source>) -> Result<Self, DecodeError> {
        Self::from_source_chunks(file, Want::All)
    }

    fn from_source_chunks(mut file: Box<dyn Source>, want: Want<'_>) -> Result<Self, DecodeError> {
        let file_len = file.size().map_err(io(0))?;
        if file_len == 0 {
            return Err(DecodeError::Empty);
        }
        let mut r = NativeReader {
            file: Arc::new(Mutex::new(file)),
            file_len,
            header: TraceHeader::default(),
            header_blocks: Vec::new(),
            chunks: Vec::new(),
            warnings: Vec::new(),
            indexed: false,
            stored: Vec::new(),
            checkpoints: Checkpoints::default(),
        };
        let first_meta = match r.read_index(want)? {
            Some(first) => first,
            None => r.scan()?,
        };
        let z = read_at(&r.file, 0, first_meta as usize)?;
        let (raw, err) = decompress_prefix(&z, z.len() * 4);
        if let Some(e) = err {
            r.warnings.push(Warning {
                offset: 0,
                file_offset: Some(0),
                kind: WarningKind::BadCompression,
                message: format!("header frame: {e}"),
            });
        }
        for (c, st) in r.chunks.iter_mut().zip(&r.stored) {
            c.has_checkpoint = st.is_some();
        }
        r.checkpoints = Checkpoints {
            stored: std::mem::take(&mut r.stored).into(),
            dict: raw.as_slice().into(),
            file: Some(r.file.clone()),
        };
        let tr = TraceReader::from_decompressed(
            Box::new(std::io::Cursor::new(raw)),
            Compression::Native,
        )?;
        r.header = tr.header().clone();
        r.header_blocks = tr.header_blocks().to_vec();
        r.warnings.extend(tr.warnings().iter().cloned());
        Ok(r)
    }

    /// The checkpoint of chunk `i`, decoded ([`Checkpoints::get`]).
    pub fn checkpoint(&self, i: usize) -> Option<Vec<u8>> {
        self.checkpoints.get(i)
    }

    /// The chunks' checkpoints, to decode them apart from the reader (by the workers of a
    /// parallel replay, while one of them reads a frame).
    pub fn checkpoints(&self) -> &Checkpoints {
        &self.checkpoints
    }

    /// Reads the trailing index; returns the offset of the first chunk (end of frame 0).
    fn read_index(&mut self, want: Want<'_>) -> Result<Option<u64>, DecodeError> {
        if self.file_len < 20 {
            return Ok(None);
        }
        let tail = read_at(&self.file, self.file_len - 8, 8)?;
        if &tail[4..] != INDEX_END {
            return Ok(None);
        }
        let total = u64::from(le_u32(&tail, 0).unwrap_or(0));
        if total < 24 || total > self.file_len {
            return Ok(None);
        }
        let start = self.file_len - total;
        let frame = read_at(&self.file, start, total as usize)?;
        if le_u32(&frame, 0) != Some(SKIPPABLE_MAGIC) || &frame[8..12] != INDEX_TAG {
            return Ok(None);
        }
        let mut c = Cursor::new(&frame[12..]);
        let n = c.u32().unwrap_or(0) as usize;
        let mut entries = Vec::with_capacity(n.min(1 << 20));
        for _ in 0..n {
            match (c.u64(), c.u64(), c.u64()) {
                (Some(m), Some(d), Some(l)) => entries.push((m, d, l)),
                _ => return Ok(None),
            }
        }
        let mut chunks = Vec::with_capacity(entries.len());
        let mut stored = Vec::with_capacity(entries.len());
        for (i, (m, d, l)) in entries.iter().copied().enumerate() {
            // Every frame the index names must lie before the index itself.
            let plen = m.checked_add(8).and_then(|p| d.checked_sub(p));
            let fits = d.checked_add(l).is_some_and(|end| end <= start);
            let (Some(plen), true) = (plen, fits) else {
                return Ok(None);
            };
            // Chunk 0 is always listed: its first timestamp is the trace's time origin.
            if i > 0 && matches!(want, Want::Only(o) if !o.contains(&i)) {
                stored.push(None);
                chunks.push(ChunkInfo {
                    index: i,
                    stats: ChunkStats::default(),
                    has_checkpoint: false,
                    data_offset: d,
                    data_len: l,
                    complete: true,
                    listed: false,
                });
                continue;
            }
            let (stats, checkpoint) = if matches!(want, Want::Stats) {
                let head = read_at(&self.file, m + 8, (plen as usize).min(STATS_PREFIX))?;
                let Some(stats) = decode_stats(&head) else {
                    return Ok(None);
                };
                (stats, None)
            } else {
                let head = read_at(&self.file, m + 8, (plen as usize).min(STATS_PREFIX))?;
                match (decode_stats(&head), meta_has_checkpoint(&head)) {
                    // The checkpoint stays in the file until its chunk starts.
                    (Some(stats), Some(has)) => (
                        stats,
                        has.then_some(CheckpointAt::File {
                            offset: m + 8,
                            len: plen as usize,
                        }),
                    ),
                    _ => {
                        let meta = read_at(&self.file, m + 8, plen as usize)?;
                        let Some((stats, cp)) = decode_meta(&meta) else {
                            return Ok(None);
                        };
                        (stats, cp.map(CheckpointAt::Memory))
                    }
                }
            };
            stored.push(checkpoint);
            chunks.push(ChunkInfo {
                index: i,
                stats,
                has_checkpoint: false,
                data_offset: d,
                data_len: l,
                complete: true,
                listed: true,
            });
        }
        self.chunks = chunks;
        self.stored = stored;
        self.indexed = true;
        Ok(Some(entries.first().map_or(start, |e| e.0)))
    }

    /// Lists chunks by walking every frame (no index); returns the end of frame 0.
    fn scan(&mut self) -> Result<u64, DecodeError> {
        let all = read_at(&self.file, 0, self.file_len as usize)?;
        let mut pos = 0usize;
        let mut header_end = None;
        let mut pending: Option<(ChunkStats, Option<StoredCheckpoint>)> = None;
        while pos < all.len() {
            match frame_at(&all[pos..]) {
                Some((FrameKind::Skippable, len)) => {
                    if header_end.is_none() {
                        header_end = Some(pos as u64);
                    }
                    if let Some(m) = decode_meta(&all[pos + 8..pos + len]) {
                        pending = Some(m);
                    }
                    pos += len;
                }
                Some((FrameKind::Data, len)) => {
                    if header_end.is_none() {
                        pos += len;
                        header_end = Some(pos as u64);
                        continue;
                    }
                    self.push_scanned(pending.take(), pos as u64, len as u64, true);
                    pos += len;
                }
                None => {
                    let rest = (all.len() - pos) as u64;
                    self.warnings.push(Warning {
                        offset: 0,
                        file_offset: Some(pos as u64),
                        kind: WarningKind::Truncated,
                        message: format!("the last {rest} bytes hold an incomplete frame; its complete events are kept"),
                    });
                    if header_end.is_none() {
                        header_end = Some(all.len() as u64);
                    } else if all[pos..].starts_with(&crate::source::ZSTD_MAGIC) {
                        self.push_scanned(pending.take(), pos as u64, rest, false);
                    }
                    break;
                }
            }
        }
        if !self.indexed {
            self.warnings.push(Warning {
                offset: 0,
                file_offset: None,
                kind: WarningKind::BadMetadata,
                message: "no index at the end of the file (the writer did not finish); chunks were found by scanning".into(),
            });
        }
        Ok(header_end.unwrap_or(0))
    }

    fn push_scanned(
        &mut self,
        meta: Option<(ChunkStats, Option<StoredCheckpoint>)>,
        off: u64,
        len: u64,
        complete: bool,
    ) {
        let (stats, checkpoint) = meta.unwrap_or_default();
        let index = self.chunks.len();
        self.stored.push(checkpoint.map(CheckpointAt::Memory));
        self.chunks.push(ChunkInfo {
            index,
            stats,
            has_checkpoint: false,
            data_offset: off,
            data_len: len,
            complete,
            listed: true,
        });
    }

    /// The header of the trace (frame 0).
    pub fn header(&self) -> &TraceHeader {
        &self.header
    }

    /// The raw header blocks of frame 0.
    pub fn header_blocks(&self) -> &[u8] {
        &self.header_blocks
    }

    /// Every chunk, in file order.
    pub fn chunks(&self) -> &[ChunkInfo] {
        &self.chunks
    }

    /// Whether the file ends with a valid index.
    pub fn has_index(&self) -> bool {
        self.indexed
    }

    /// Damage found while opening.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Decompresses chunk `i` and returns its events (numbered from the chunk's `first_num`).
    pub fn read_chunk(&mut self, i: usize) -> Result<ChunkEvents, DecodeError> {
        let frame = self.read_frame(i)?;
        Ok(frame.decompress())
    }

    /// Reads the compressed data frame of chunk `i` (one read of the source) without
    /// decompressing it, so that a reader shared between threads is held only for the I/O.
    pub fn read_frame(&mut self, i: usize) -> Result<ChunkFrame, DecodeError> {
        let Some(c) = self.chunks.get(i).cloned() else {
            return Err(DecodeError::Unsupported {
                offset: 0,
                reason: format!("no chunk {i}: the trace has {}", self.chunks.len()),
            });
        };
        let z = read_at(&self.file, c.data_offset, c.data_len as usize)?;
        Ok(ChunkFrame { info: c, z })
    }
}

/// The compressed data frame of one chunk, from [`NativeReader::read_frame`].
#[derive(Debug)]
pub struct ChunkFrame {
    info: ChunkInfo,
    z: Vec<u8>,
}

impl ChunkFrame {
    /// Decompresses the frame (as far as it decodes) into the chunk's events.
    pub fn decompress(self) -> ChunkEvents {
        let c = self.info;
        let i = c.index;
        let (data, err) = decompress_prefix(&self.z, c.stats.raw_len as usize);
        let mut warnings = Vec::new();
        if let Some(e) = err {
            warnings.push(Warning {
                offset: 0,
                file_offset: Some(c.data_offset),
                kind: if c.complete {
                    WarningKind::BadCompression
                } else {
                    WarningKind::Truncated
                },
                message: format!(
                    "chunk {i}: decompression stopped after {} bytes: {e}",
                    data.len()
                ),
            });
        }
        ChunkEvents {
            data,
            pos: 0,
            num: c.stats.first_num.max(1),
            warnings,
            section_blocks: Vec::new(),
        }
    }
}

/// The decoded events of one chunk; lend them with [`ChunkEvents::next_event`].
#[derive(Debug)]
pub struct ChunkEvents {
    data: Vec<u8>,
    pos: usize,
    num: u64,
    warnings: Vec<Warning>,
    section_blocks: Vec<u8>,
}

impl Drop for ChunkEvents {
    /// Gives the chunk's buffer to the thread's spares, for the next chunk it decompresses.
    fn drop(&mut self) {
        let data = std::mem::take(&mut self.data);
        if data.capacity() > 0 && data.capacity() <= 1 << 26 {
            SPARES.with(|s| {
                let mut s = s.borrow_mut();
                if s.len() < MAX_SPARES {
                    s.push(data);
                }
            });
        }
    }
}

impl ChunkEvents {
    /// The next event of the chunk.
    pub fn next_event(&mut self) -> Option<EventRef<'_>> {
        loop {
            let rest = &self.data[self.pos..];
            if rest.len() < 12 {
                return None;
            }
            let ty = le_u32(rest, 0).unwrap_or(0);
            let len = le_u32(rest, 4).unwrap_or(0) as usize;
            if len < 12 || len > rest.len() {
                self.warnings.push(Warning {
                    offset: self.pos as u64,
                    file_offset: None,
                    kind: WarningKind::Truncated,
                    message: format!("chunk data ends inside a block ({} bytes lost)", rest.len()),
                });
                self.pos = self.data.len();
                return None;
            }
            let start = self.pos;
            self.pos += len;
            if !BlockKind::of(ty).is_event() {
                self.section_blocks
                    .extend_from_slice(&self.data[start..start + len]);
                continue;
            }
            // Parsed once: the layout outlives the borrow of the buffer, and lends the event
            // again without a second parse.
            let block = &self.data[start..start + len];
            let layout = parse_event_block(block, self.num)
                .ok()
                .and_then(|ev| ev.layout(block));
            if let Some(layout) = layout {
                self.num = self.num.wrapping_add(1);
                return layout.bind(&self.data[start..start + len]);
            }
            self.warnings.push(Warning {
                offset: start as u64,
                file_offset: None,
                kind: WarningKind::BadEvent,
                message: "bad event record dropped".into(),
            });
        }
    }

    /// Header blocks found at the start of the chunk (a new section), raw.
    pub fn section_blocks(&self) -> &[u8] {
        &self.section_blocks
    }

    /// Damage found while decoding the chunk.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The decompressed scap bytes of the chunk.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}
