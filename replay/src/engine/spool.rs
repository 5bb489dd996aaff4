//! [`Spool`]: the output of a parallel worker that must be written after the outputs of the
//! workers before it (a segment print). The worker writes without waiting: its bytes go to
//! the writer in buffers through a channel while few are queued, and past a budget (16 MB)
//! queued bytes into a spill file, read back by the writer in order. So a worker far ahead
//! of the writer neither stops nor holds its whole output in memory.
//!
//! The spill file is an unnamed temporary file (`tempfile::tempfile`: created 0600 in the
//! temporary directory, gone when closed), since the output holds what the trace holds.

use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

/// Size of the buffers a worker sends.
const BUFFER: usize = 1 << 20;
/// Bytes a worker may have queued in memory before it spills to disk.
const MEM_BUDGET: usize = 16 << 20;

/// One piece of a worker's output, in order.
enum Piece {
    /// Bytes in memory.
    Mem(Vec<u8>),
    /// `len` bytes of the spill file at offset `at`.
    Disk {
        file: Arc<File>,
        at: u64,
        len: usize,
    },
}

/// The worker's end: a [`Write`] that never waits for the writer.
pub struct Spool {
    tx: Sender<Piece>,
    queued: Arc<AtomicUsize>,
    buf: Vec<u8>,
    spill: Option<(Arc<File>, u64)>,
}

/// The writer's end of a [`Spool`].
pub struct Drain {
    rx: Receiver<Piece>,
    queued: Arc<AtomicUsize>,
}

/// A new spool and the end its output is drained from.
pub fn spool() -> (Spool, Drain) {
    let (tx, rx) = channel();
    let queued = Arc::new(AtomicUsize::new(0));
    let s = Spool {
        tx,
        queued: queued.clone(),
        buf: Vec::with_capacity(BUFFER),
        spill: None,
    };
    (s, Drain { rx, queued })
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the output was closed")
}

impl Spool {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let len = self.buf.len();
        let piece = if self.queued.load(Ordering::Acquire) + len <= MEM_BUDGET {
            self.queued.fetch_add(len, Ordering::AcqRel);
            Piece::Mem(std::mem::replace(&mut self.buf, Vec::with_capacity(BUFFER)))
        } else {
            if self.spill.is_none() {
                self.spill = Some((Arc::new(tempfile::tempfile()?), 0));
            }
            let (file, end) = self.spill.as_mut().ok_or_else(closed)?;
            file.write_all_at(&self.buf, *end)?;
            let piece = Piece::Disk {
                file: file.clone(),
                at: *end,
                len,
            };
            *end += len as u64;
            self.buf.clear();
            piece
        };
        self.tx.send(piece).map_err(|_| closed())
    }
}

impl Write for Spool {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= BUFFER {
            self.send()?;
        }
        Ok(data.len())
    }

    /// Hands the buffered bytes to the writer (call once the worker is done).
    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

impl Drain {
    /// Writes the worker's output to `out` as it comes, until the worker drops its
    /// [`Spool`].
    ///
    /// # Errors
    ///
    /// Writing to `out` or reading the spill file failed.
    pub fn write_to(self, out: &mut dyn Write) -> io::Result<()> {
        let mut back = Vec::new();
        for piece in &self.rx {
            match piece {
                Piece::Mem(b) => {
                    self.queued.fetch_sub(b.len(), Ordering::AcqRel);
                    out.write_all(&b)?;
                }
                Piece::Disk { file, at, len } => {
                    back.resize(len, 0);
                    file.read_exact_at(&mut back, at)?;
                    out.write_all(&back)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker that writes far more than the memory budget before the writer starts
    /// gets every byte through, in order, and never waits.
    #[test]
    fn output_past_the_budget_spills_and_comes_back_in_order() {
        let (mut s, d) = spool();
        let line: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let n = (MEM_BUDGET * 3) / line.len();
        let worker = std::thread::spawn(move || {
            for i in 0..n {
                s.write_all(&(i as u64).to_le_bytes()).unwrap();
                s.write_all(&line).unwrap();
            }
            s.flush().unwrap();
            assert!(s.spill.is_some(), "the worker should have spilled");
        });
        // The writer starts only once the worker is done: everything past the budget
        // went to disk.
        worker.join().unwrap();
        let mut out = Vec::new();
        d.write_to(&mut out).unwrap();
        assert_eq!(out.len(), n * 1008);
        for (i, rec) in out.chunks(1008).enumerate() {
            assert_eq!(rec[..8], (i as u64).to_le_bytes());
            assert!(rec[8..].iter().enumerate().all(|(k, &b)| b == k as u8));
        }
    }

    #[test]
    fn a_closed_drain_stops_the_worker() {
        let (mut s, d) = spool();
        drop(d);
        let err = s.write_all(&vec![0; BUFFER]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    }
}
