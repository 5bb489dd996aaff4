//! Plain and gzip scap writers (export), following the reference's writer recipe (§8.1) so that
//! sysdig 0.29, Falco and current libs all read the result, plus [`TraceWriter`], which picks
//! plain, gzip or native from the output file name (`.scap`, `.scap.gz`, `.scap.zst`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::block::{self, write_block};
use crate::encode::write_event_block;
use crate::error::WriteError;
use crate::event::EventRef;
use crate::header::TraceHeader;
use crate::meta;
use crate::native::{NativeOptions, NativeWriter};

/// Encodes a typed header as scap header blocks: bare SHB 1.2, MI, IL V2, UL V2, one PL V9 with
/// the old tail, one FDL V2 per table.
pub fn encode_header(h: &TraceHeader) -> Vec<u8> {
    let mut out = block::section_header(1, 2);
    if let Some(m) = &h.machine {
        write_block(&mut out, block::MI, &meta::encode_machine(m));
    }
    write_block(
        &mut out,
        block::IL_V2,
        &meta::encode_interfaces(&h.interfaces),
    );
    write_block(
        &mut out,
        block::UL_V2,
        &meta::encode_users(&h.users, &h.groups),
    );
    write_block(&mut out, block::PL[8], &meta::encode_procs(&h.threads));
    for t in &h.fds {
        write_block(&mut out, block::FDL_V2, &meta::encode_fds(t));
    }
    out
}

/// Writes a plain or gzip scap stream.
pub struct ScapWriter<W: Write> {
    out: Sink<W>,
    buf: Vec<u8>,
}

enum Sink<W: Write> {
    Plain(W),
    Gzip(flate2::write::GzEncoder<W>),
}

impl<W: Write> std::fmt::Debug for ScapWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScapWriter").finish_non_exhaustive()
    }
}

impl<W: Write> ScapWriter<W> {
    /// A writer to `out`, gzip-compressed when `gzip` is set.
    pub fn new(out: W, gzip: bool) -> Self {
        let out = if gzip {
            Sink::Gzip(flate2::write::GzEncoder::new(
                out,
                flate2::Compression::default(),
            ))
        } else {
            Sink::Plain(out)
        };
        ScapWriter {
            out,
            buf: Vec::with_capacity(1 << 16),
        }
    }

    fn put(&mut self, b: &[u8]) -> Result<(), WriteError> {
        match &mut self.out {
            Sink::Plain(w) => w.write_all(b)?,
            Sink::Gzip(w) => w.write_all(b)?,
        }
        Ok(())
    }

    /// Writes raw header blocks (a section start: SHB first). Also starts a new section when
    /// called between events.
    pub fn write_header_blocks(&mut self, raw: &[u8]) -> Result<(), WriteError> {
        self.put(raw)
    }

    /// Writes a typed header (see [`encode_header`]).
    pub fn write_header(&mut self, h: &TraceHeader) -> Result<(), WriteError> {
        self.put(&encode_header(h))
    }

    /// Appends an event, keeping its record version.
    pub fn write_event(&mut self, ev: &EventRef<'_>) -> Result<(), WriteError> {
        self.write_record(ev.record_bytes(), !ev.is_v2(), ev.cpu, ev.dump_flags)
    }

    /// Appends an event given as record bytes.
    pub fn write_record(
        &mut self,
        record: &[u8],
        v1: bool,
        cpu: u16,
        dump_flags: u32,
    ) -> Result<(), WriteError> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        write_event_block(&mut buf, record, v1, cpu, dump_flags);
        let r = self.put(&buf);
        self.buf = buf;
        r
    }

    /// Pushes everything written so far to the sink, so that a reader of a file cut right
    /// after this point gets every event (gzip: a sync flush, which ends the deflate block).
    pub fn flush(&mut self) -> Result<(), WriteError> {
        match &mut self.out {
            Sink::Plain(w) => w.flush()?,
            Sink::Gzip(w) => w.flush()?,
        }
        Ok(())
    }

    /// Flushes and returns the sink.
    pub fn finish(self) -> Result<W, WriteError> {
        Ok(match self.out {
            Sink::Plain(mut w) => {
                w.flush()?;
                w
            }
            Sink::Gzip(w) => w.finish()?,
        })
    }
}

/// Output format chosen from a file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// `.scap`
    Plain,
    /// `.scap.gz` / `.gz`
    Gzip,
    /// `.scap.zst` / `.zst`
    Native,
}

impl OutputFormat {
    /// The format a path's extension asks for, `None` when it is not one of ours.
    pub fn from_path(p: &Path) -> Option<Self> {
        let name = p.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".zst") {
            Some(OutputFormat::Native)
        } else if name.ends_with(".gz") {
            Some(OutputFormat::Gzip)
        } else if name.ends_with(".scap") {
            Some(OutputFormat::Plain)
        } else {
            None
        }
    }
}

/// Permission bits of a trace file unless asked otherwise: traces hold file contents,
/// command lines and environment variables, so only the owner may read them.
pub const DEFAULT_TRACE_MODE: u32 = 0o600;

/// Creates `path` for writing with permission bits `mode` (before the umask) set at open time.
///
/// An existing file at `path` is removed first and the new one is opened with `O_EXCL`: an
/// existing file keeps its permission bits when merely truncated, and `O_EXCL` refuses to
/// follow a symlink planted at the output path, so the trace never lands anywhere else or with
/// wider permissions than asked.
/// On other systems (replay builds anywhere) `mode` is ignored.
pub fn create_private(path: &Path, mode: u32) -> std::io::Result<File> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, mode);
    #[cfg(not(unix))]
    let _ = mode;
    o.open(path)
}

/// A writer of any output format, to a file.
#[derive(Debug)]
pub enum TraceWriter {
    /// Plain or gzip.
    Scap(ScapWriter<BufWriter<File>>),
    /// Native.
    Native(NativeWriter<BufWriter<File>>),
}

impl TraceWriter {
    /// Creates `path` in `format`, readable by its owner only ([`DEFAULT_TRACE_MODE`]).
    pub fn create(
        path: &Path,
        format: OutputFormat,
        opts: NativeOptions,
    ) -> Result<Self, WriteError> {
        Self::create_with_mode(path, format, opts, DEFAULT_TRACE_MODE)
    }

    /// Creates `path` in `format` with permission bits `mode` (see [`create_private`]).
    pub fn create_with_mode(
        path: &Path,
        format: OutputFormat,
        opts: NativeOptions,
        mode: u32,
    ) -> Result<Self, WriteError> {
        let f = BufWriter::with_capacity(1 << 20, create_private(path, mode)?);
        Ok(match format {
            OutputFormat::Plain => TraceWriter::Scap(ScapWriter::new(f, false)),
            OutputFormat::Gzip => TraceWriter::Scap(ScapWriter::new(f, true)),
            OutputFormat::Native => TraceWriter::Native(NativeWriter::new(f, opts)?),
        })
    }

    /// Writes the first section's header blocks.
    pub fn write_header_blocks(&mut self, raw: &[u8]) -> Result<(), WriteError> {
        match self {
            TraceWriter::Scap(w) => w.write_header_blocks(raw),
            TraceWriter::Native(w) => w.write_header_blocks(raw),
        }
    }

    /// Starts a new section with its header blocks.
    pub fn new_section(&mut self, raw: &[u8]) -> Result<(), WriteError> {
        match self {
            TraceWriter::Scap(w) => w.write_header_blocks(raw),
            TraceWriter::Native(w) => w.new_section(raw),
        }
    }

    /// Appends an event.
    pub fn write_event(&mut self, ev: &EventRef<'_>) -> Result<(), WriteError> {
        match self {
            TraceWriter::Scap(w) => w.write_event(ev),
            TraceWriter::Native(w) => w.write_event(ev),
        }
    }

    /// Makes everything written so far readable from the file: native traces close the open
    /// chunk (a file cut afterwards loses nothing before it), plain and gzip ones flush.
    pub fn flush(&mut self) -> Result<(), WriteError> {
        match self {
            TraceWriter::Scap(w) => w.flush(),
            TraceWriter::Native(w) => {
                w.flush_chunk()?;
                Ok(w.get_mut().flush()?)
            }
        }
    }

    /// Finishes the file.
    pub fn finish(self) -> Result<(), WriteError> {
        match self {
            TraceWriter::Scap(w) => w.finish().and_then(|mut f| Ok(f.flush()?)),
            TraceWriter::Native(w) => w.finish().and_then(|mut f| Ok(f.flush()?)),
        }
    }
}
