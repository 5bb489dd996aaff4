//! The byte source under [`crate::TraceReader`]: compression sniffing (by magic bytes, never by
//! file name) and a refillable buffer that lets events be borrowed without copying.

use std::io::{self, Read};

/// How a trace file is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Plain scap.
    None,
    /// gzip (one or several members), as libscap writes with compression on.
    Gzip,
    /// hindsight's native `.scap.zst` (independent zstd frames plus metadata frames).
    Native,
}

/// zstd frame magic, little-endian bytes.
pub const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Detects the compression from the first bytes of a file.
pub fn sniff(prefix: &[u8]) -> Compression {
    if prefix.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if prefix.starts_with(&ZSTD_MAGIC)
        || (prefix.len() >= 4 && prefix[0] & 0xf0 == 0x50 && prefix[1..4] == [0x2a, 0x4d, 0x18])
    {
        Compression::Native
    } else {
        Compression::None
    }
}

/// Wraps `r` in the decompressor its first bytes call for.
pub fn decompressing(
    mut r: Box<dyn Read + Send>,
) -> io::Result<(Compression, Box<dyn Read + Send>)> {
    let mut prefix = [0u8; 4];
    let mut n = 0;
    while n < 4 {
        match r.read(&mut prefix[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let comp = sniff(&prefix[..n]);
    let whole: Box<dyn Read + Send> = Box::new(io::Cursor::new(prefix[..n].to_vec()).chain(r));
    let out: Box<dyn Read + Send> = match comp {
        Compression::None => whole,
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(
            io::BufReader::with_capacity(1 << 16, whole),
        )),
        Compression::Native => Box::new(zstd::stream::read::Decoder::new(whole)?),
    };
    Ok((comp, out))
}

/// A growable window over a byte stream. `buf[pos..end]` is unread data; `base` is the stream
/// offset of `buf[0]`.
pub(crate) struct Buffered {
    inner: Box<dyn Read + Send>,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    base: u64,
    eof: bool,
    /// The error that ended the stream early, if any (reported once as a warning).
    pub(crate) failure: Option<io::Error>,
}

/// Bytes read at a time. Small enough that the bytes just read are still in the core's L2
/// cache when they are parsed: 1 MiB reads made a 2-thread replay of a plain trace about 5%
/// slower than 128 KiB reads (64 KiB gained nothing more).
const CHUNK: usize = 1 << 17;

impl Buffered {
    pub(crate) fn new(inner: Box<dyn Read + Send>) -> Self {
        Buffered {
            inner,
            buf: Vec::new(),
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
            failure: None,
        }
    }

    /// Stream offset of the next unread byte.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Makes at least `n` unread bytes available if the stream has them; returns how many are.
    /// A read error ends the stream (kept in `failure`) instead of failing the caller.
    pub(crate) fn fill(&mut self, n: usize) -> usize {
        while self.end - self.pos < n && !self.eof {
            if self.pos > 0 && (self.pos >= CHUNK || self.buf.len() - self.end < CHUNK / 4) {
                self.buf.copy_within(self.pos..self.end, 0);
                self.end -= self.pos;
                self.base += self.pos as u64;
                self.pos = 0;
            }
            // Grow by at most CHUNK per read: a hostile length asks for up to 256 MiB, which
            // must not be allocated (and zeroed) before the bytes actually arrive.
            if self.buf.len() - self.end < CHUNK / 4 {
                self.buf.resize(self.end + CHUNK, 0);
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.failure = Some(e);
                    self.eof = true;
                }
            }
        }
        self.end - self.pos
    }

    /// The unread bytes currently buffered.
    pub(crate) fn data(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// Marks `n` bytes as read.
    pub(crate) fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.end);
    }

    /// Bytes `[from, from + len)` counted from the current position, after `consume`.
    pub(crate) fn slice_back(&self, back: usize, len: usize) -> &[u8] {
        let start = self.pos - back;
        &self.buf[start..start + len]
    }
}
