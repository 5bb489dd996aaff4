//! Where a trace's bytes come from: a local file, or a URL (`s3://`, `gs://`, `az://`,
//! `file://`...) served by the [`Remote`] the program installed.
//!
//! Readers never open files themselves; they ask this module for one of two access modes:
//!
//! * [`open_ranges`]: random access by byte range ([`Source`]), for native traces, whose
//!   index (at the end) says which frames a reader needs. Over object storage each
//!   [`Source::read_at`] is one ranged GET, so replaying one chunk fetches only that chunk,
//!   the header frame, the chunk metadata and the index.
//! * [`open_stream`]: front-to-back reading, for plain and gzip traces (one streamed GET).
//!
//! This crate does no network I/O itself: the binary installs a [`Remote`] (hindsight-store,
//! over the `object_store` crate) with [`install_remote`]. A path is a URL when it starts with
//! `scheme://`; without an installed remote, opening one fails with an error that says so.

use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::OnceLock;

/// A byte source read by ranges (a local file, bytes in memory, an object in a bucket).
pub trait Source: Send {
    /// The total size in bytes.
    ///
    /// # Errors
    ///
    /// The size cannot be learned (I/O or network error).
    fn size(&mut self) -> io::Result<u64>;

    /// Reads `len` bytes at `offset`; fewer only when the source ends first.
    ///
    /// # Errors
    ///
    /// The bytes cannot be read (I/O or network error).
    fn read_at(&mut self, offset: u64, len: usize) -> io::Result<Vec<u8>>;
}

impl<T: Read + Seek + Send> Source for T {
    fn size(&mut self) -> io::Result<u64> {
        self.seek(SeekFrom::End(0))
    }

    fn read_at(&mut self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        self.seek(SeekFrom::Start(offset))?;
        // `len` may come from a damaged file: reserve at most 16 MiB before bytes arrive.
        let mut buf = Vec::with_capacity(len.min(1 << 24));
        self.take(len as u64).read_to_end(&mut buf)?;
        Ok(buf)
    }
}

/// Opens URLs for readers; installed once per process with [`install_remote`].
pub trait Remote: Send + Sync {
    /// Opens the object at `url` for ranged reads.
    ///
    /// # Errors
    ///
    /// The URL is not understood, the store is unreachable, or the object does not exist.
    fn open_ranges(&self, url: &str) -> io::Result<Box<dyn Source>>;

    /// Opens the object at `url` as one front-to-back stream.
    ///
    /// # Errors
    ///
    /// As [`Remote::open_ranges`].
    fn open_stream(&self, url: &str) -> io::Result<Box<dyn Read + Send>>;
}

static REMOTE: OnceLock<Box<dyn Remote>> = OnceLock::new();

/// Installs the handler of URLs for the whole process. Returns false (and keeps the first)
/// when one is already installed.
pub fn install_remote(remote: Box<dyn Remote>) -> bool {
    REMOTE.set(remote).is_ok()
}

/// The URL `path` spells, when it starts with `scheme://` (a letter, then letters, digits,
/// `+`, `-` or `.`).
pub fn url_of(path: &Path) -> Option<&str> {
    let s = path.to_str()?;
    let (scheme, _) = s.split_once("://")?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(s)
}

fn remote_for(url: &str) -> io::Result<&'static dyn Remote> {
    REMOTE.get().map(|r| &**r).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::Unsupported,
            format!("cannot open {url}: this program reads local files only (no object store support installed)"),
        )
    })
}

/// Opens `path` (a local file or a URL) for ranged reads.
///
/// # Errors
///
/// The file or object cannot be opened.
pub fn open_ranges(path: &Path) -> io::Result<Box<dyn Source>> {
    match url_of(path) {
        Some(url) => remote_for(url)?.open_ranges(url),
        None => Ok(Box::new(std::fs::File::open(path)?)),
    }
}

/// Opens `path` (a local file or a URL) as a front-to-back stream.
///
/// # Errors
///
/// The file or object cannot be opened.
pub fn open_stream(path: &Path) -> io::Result<Box<dyn Read + Send>> {
    match url_of(path) {
        Some(url) => remote_for(url)?.open_stream(url),
        None => Ok(Box::new(std::fs::File::open(path)?)),
    }
}

/// The size of `path` (a local file or a URL) in bytes.
///
/// # Errors
///
/// The file or object cannot be opened.
pub fn size(path: &Path) -> io::Result<u64> {
    match url_of(path) {
        Some(url) => remote_for(url)?.open_ranges(url)?.size(),
        None => Ok(std::fs::metadata(path)?.len()),
    }
}

/// The first `n` bytes of `path` (fewer when it is shorter), e.g. to sniff its format.
///
/// # Errors
///
/// The file or object cannot be opened or read.
pub fn prefix(path: &Path, n: usize) -> io::Result<Vec<u8>> {
    let mut src = open_ranges(path)?;
    let len = src.size()?;
    src.read_at(0, n.min(usize::try_from(len).unwrap_or(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths() {
        assert_eq!(
            url_of(Path::new("s3://b/k.scap.zst")),
            Some("s3://b/k.scap.zst")
        );
        assert_eq!(url_of(Path::new("file:///tmp/a")), Some("file:///tmp/a"));
        for p in ["/tmp/a.scap", "a://", "dir/x://y", "://x", "3s://b"] {
            let want = (p == "a://").then_some(p);
            assert_eq!(url_of(Path::new(p)), want, "{p}");
        }
    }

    #[test]
    fn ranges_of_a_seekable_source() {
        let mut c = std::io::Cursor::new(b"0123456789".to_vec());
        assert_eq!(c.size().unwrap(), 10);
        assert_eq!(c.read_at(3, 4).unwrap(), b"3456");
        assert_eq!(c.read_at(8, 10).unwrap(), b"89");
    }
}
