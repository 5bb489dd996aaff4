//! Reads from object storage: [`StoreRemote`] opens URLs for `hindsight_format::location`,
//! as ranged sources (one GET per range) or streams (one GET per object), and [`stats`]
//! lists every request, so a run can show what it fetched.

use std::io::{self, Read};
use std::sync::{Mutex, OnceLock};

use futures::stream::BoxStream;
use futures::StreamExt;
use hindsight_format::location::{Remote, Source};
use object_store::ObjectStoreExt;

use crate::object::{block_on, ObjectUrl};

/// One request made to a store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The object.
    pub url: String,
    /// `head` (size), `range` (a ranged GET) or `stream` (a whole-object GET).
    pub kind: &'static str,
    /// First byte requested (0 for `head` and `stream`).
    pub start: u64,
    /// End of the range, exclusive (the object's size for `stream`, 0 for `head`).
    pub end: u64,
}

static REQUESTS: Mutex<Vec<Request>> = Mutex::new(Vec::new());

fn record(url: &str, kind: &'static str, start: u64, end: u64) {
    let mut log = REQUESTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    log.push(Request {
        url: url.to_string(),
        kind,
        start,
        end,
    });
}

/// Every request this process made to object storage so far, in order.
pub fn stats() -> Vec<Request> {
    REQUESTS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

/// Object sizes learned by HEAD requests, by URL: a run opens a trace several times (to
/// sniff its format, list its chunks, replay them) and asks once.
fn sizes() -> std::sync::MutexGuard<'static, std::collections::HashMap<String, u64>> {
    static SIZES: OnceLock<Mutex<std::collections::HashMap<String, u64>>> = OnceLock::new();
    SIZES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The [`Remote`] that `crate::install` plugs into `hindsight_format::location`.
#[derive(Debug)]
pub struct StoreRemote;

impl Remote for StoreRemote {
    fn open_ranges(&self, url: &str) -> io::Result<Box<dyn Source>> {
        Ok(Box::new(ObjectSource {
            object: ObjectUrl::parse(url)?,
            size: None,
        }))
    }

    fn open_stream(&self, url: &str) -> io::Result<Box<dyn Read + Send>> {
        let object = ObjectUrl::parse(url)?;
        let store = object.store.clone();
        let path = object.path.clone();
        let got = block_on(async move { store.get(&path).await })?
            .map_err(|e| object.failed("read", e))?;
        record(url, "stream", 0, got.meta.size);
        Ok(Box::new(ObjectStream {
            object,
            stream: got.into_stream(),
            current: Vec::new(),
            pos: 0,
        }))
    }
}

/// An object read by byte ranges: [`Source::read_at`] is one ranged GET.
struct ObjectSource {
    object: ObjectUrl,
    size: Option<u64>,
}

impl Source for ObjectSource {
    fn size(&mut self) -> io::Result<u64> {
        if let Some(s) = self.size {
            return Ok(s);
        }
        if let Some(&s) = sizes().get(&self.object.url) {
            self.size = Some(s);
            return Ok(s);
        }
        let store = self.object.store.clone();
        let path = self.object.path.clone();
        let meta = block_on(async move { store.head(&path).await })?
            .map_err(|e| self.object.failed("find the size of", e))?;
        record(&self.object.url, "head", 0, 0);
        sizes().insert(self.object.url.clone(), meta.size);
        self.size = Some(meta.size);
        Ok(meta.size)
    }

    fn read_at(&mut self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let size = self.size()?;
        let end = offset.saturating_add(len as u64).min(size);
        if offset >= end {
            return Ok(Vec::new());
        }
        let store = self.object.store.clone();
        let path = self.object.path.clone();
        let bytes =
            block_on(async move { store.get_range(&path, offset..end).await })?.map_err(|e| {
                self.object
                    .failed(format!("read bytes {offset}..{end} of"), e)
            })?;
        record(&self.object.url, "range", offset, end);
        Ok(bytes.to_vec())
    }
}

/// An object read front to back from one GET.
struct ObjectStream {
    object: ObjectUrl,
    stream: BoxStream<'static, object_store::Result<bytes::Bytes>>,
    current: Vec<u8>,
    pos: usize,
}

impl Read for ObjectStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.current.len() {
            match block_on(self.stream.next())? {
                None => return Ok(0),
                Some(Ok(b)) => {
                    self.current = b.to_vec();
                    self.pos = 0;
                }
                Some(Err(e)) => return Err(self.object.failed("read", e).into()),
            }
        }
        let n = buf.len().min(self.current.len() - self.pos);
        buf[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
