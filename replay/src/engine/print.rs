//! `hindsight print`: the `sysdig -r` of hindsight, as a library function.
//!
//! Reads a trace front to back, applies each event to the state, keeps the events the
//! filter accepts and writes one line per event in a `-p` format (sysdig's default line
//! without one), or one JSON object per event.
//!
//! With a time window ([`PrintOptions::window`]) only the events inside it are printed; on a
//! native trace with checkpoints, the chunks wholly before it are not decompressed (printing
//! starts from the checkpoint of the first chunk that reaches the window) and the chunks
//! after it are not read.
//!
//! A native trace whose chunks all carry checkpoints is printed chunk by chunk in parallel
//! (rayon's pool), each chunk from its own checkpoint into its own buffer, and the buffers
//! are written in chunk order: the output is the same bytes as a front-to-back read. Only a
//! batch of chunks (two per worker) is in flight, so memory does not grow with the trace.

use std::io::Write;
use std::path::Path;

use hindsight_format::native::{ChunkFrame, NativeReader};
use hindsight_format::{Compression, TraceReader, Warning};
use rayon::prelude::*;
use thiserror::Error;

use super::format::PrintFormat;
use super::replayer::Replayer;
use super::segments::Handoff;
use super::spool::spool;
use super::window::{Span, TimeWindow};
use crate::fields::ctx::Ctx;
use crate::fields::value::Out;

/// Why printing stopped.
#[derive(Debug, Error)]
pub enum PrintError {
    /// The trace could not be read.
    #[error("{path}: {source}")]
    Decode {
        /// The trace.
        path: String,
        /// The cause.
        #[source]
        source: hindsight_format::DecodeError,
    },
    /// Writing the output failed (a closed pipe included).
    #[error("writing the output failed")]
    Write(#[from] std::io::Error),
}

/// What was printed.
#[derive(Debug, Default)]
pub struct PrintSummary {
    /// Events read.
    pub events: u64,
    /// Lines written.
    pub printed: u64,
    /// Damage the reader reported.
    pub warnings: Vec<Warning>,
    /// Chunks of a native trace decompressed by a windowed print that seeked (0 when the
    /// trace was read front to back).
    pub decoded_chunks: usize,
}

/// How to print.
#[derive(Debug)]
pub struct PrintOptions {
    /// The line format.
    pub format: PrintFormat,
    /// Field names of the format, for JSON keys (`--json`); `None` for text lines.
    pub json_fields: Option<Vec<String>>,
    /// Print in current libs' view (Falco 0.42+: no enter events of syscalls, `evt.num`
    /// counting only what their capture converter keeps) instead of sysdig's (every event).
    pub libs_view: bool,
    /// Print only the events in this window (`--since/--until`).
    pub window: TimeWindow,
    /// The size from which a plain trace is printed in parallel byte segments when the
    /// thread pool has several threads ([`super::replay::SEGMENT_MIN`] by default).
    pub segment_min: u64,
}

/// The filter `hindsight print` applies (shared by the workers of a parallel print).
pub type Filter<'f> = &'f (dyn Fn(&Ctx<'_>) -> bool + Sync);

/// Per-event printing state shared by the front-to-back and the seeking readers.
struct Printer<'o> {
    filter: Filter<'o>,
    opts: &'o PrintOptions,
    out: &'o mut dyn Write,
    vals: Out,
    line: Vec<u8>,
    printed: u64,
}

impl<'o> Printer<'o> {
    fn new(filter: Filter<'o>, opts: &'o PrintOptions, out: &'o mut dyn Write) -> Printer<'o> {
        Printer {
            filter,
            opts,
            out,
            vals: Out::default(),
            line: Vec::with_capacity(256),
            printed: 0,
        }
    }
    /// Applies `ev` to the state, then prints it when it is visible, in `span` and accepted.
    fn event(
        &mut self,
        rp: &mut Replayer,
        ev: &hindsight_format::event::EventRef<'_>,
        span: Span,
    ) -> std::io::Result<()> {
        let visible = rp.shows(ev, self.opts.libs_view);
        rp.apply(ev);
        let ctx = rp.ctx(ev, self.opts.libs_view);
        if !visible || !span.contains(ev.ts) || !(self.filter)(&ctx) {
            return Ok(());
        }
        let ok = match &self.opts.json_fields {
            None => self
                .opts
                .format
                .render(&ctx, &mut self.vals, &mut self.line),
            Some(names) => {
                json_line(&ctx, names, &mut self.vals, &mut self.line);
                true
            }
        };
        if ok {
            self.line.push(b'\n');
            self.out.write_all(&self.line)?;
            self.printed += 1;
        }
        Ok(())
    }
}

/// Prints the events of `path` that `filter` accepts.
pub fn print_trace(
    path: &Path,
    filter: Filter<'_>,
    opts: &PrintOptions,
    out: &mut dyn Write,
) -> Result<PrintSummary, PrintError> {
    let decode = |source| PrintError::Decode {
        path: path.display().to_string(),
        source,
    };
    let mut p = Printer::new(filter, opts, out);
    if super::replay::sniff(path) == Some(Compression::Native) {
        if let Some(sum) = print_parallel(path, filter, opts, p.out)? {
            return Ok(sum);
        }
        if !opts.window.is_all() {
            if let Some(sum) = print_seeking(path, &mut p)? {
                return Ok(sum);
            }
        }
    }
    if super::replay::sniff(path) == Some(Compression::None) {
        let workers = rayon::current_num_threads();
        // A local file's length; a trace in object storage is read on one thread.
        let len = std::fs::metadata(path).map_or(0, |m| m.len());
        if workers > 1 && len >= opts.segment_min.max(1) {
            return print_segments(path, len, workers, filter, opts, p.out);
        }
    }
    let mut reader = TraceReader::open(path).map_err(decode)?;
    let mut rp = Replayer::from_header(reader.header());
    let mut sum = PrintSummary::default();
    let mut span: Option<Span> = None;
    sum.events = rp.replay_all(&mut reader, decode, |rp, ev| {
        // Relative bounds count from the trace's first event.
        let span = *span.get_or_insert_with(|| opts.window.resolve(ev.ts));
        Ok(p.event(rp, ev, span)?)
    })?;
    sum.printed = p.printed;
    sum.warnings = reader.take_warnings();
    Ok(sum)
}

/// Prints a windowed native trace from the checkpoint of the first chunk that reaches the
/// window, up to the last chunk that does. `None` when the chunks cannot be replayed that
/// way (fewer than two, no checkpoint, a new section on the way): the caller then reads the
/// trace front to back.
fn print_seeking(path: &Path, p: &mut Printer<'_>) -> Result<Option<PrintSummary>, PrintError> {
    let decode = |source| PrintError::Decode {
        path: path.display().to_string(),
        source,
    };
    let mut reader = NativeReader::open(path).map_err(decode)?;
    let chunks = reader.chunks().to_vec();
    let Some(first_ts) = chunks.first().map(|c| c.stats.first_ts) else {
        return Ok(None);
    };
    let span = p.opts.window.resolve(first_ts);
    let needed: Vec<usize> = (0..chunks.len())
        .filter(|&i| span.overlaps(chunks[i].stats.first_ts, chunks[i].stats.last_ts))
        .collect();
    let (Some(&from), Some(&to)) = (needed.first(), needed.last()) else {
        // Nothing in the window.
        return Ok(Some(PrintSummary {
            warnings: reader.warnings().to_vec(),
            ..PrintSummary::default()
        }));
    };
    if chunks.len() < 2 || chunks[from..=to].iter().any(|c| c.stats.new_section) {
        return Ok(None);
    }
    let mut rp = if from == 0 {
        Replayer::from_header(reader.header())
    } else {
        let Some(state) = reader
            .checkpoint(from)
            .and_then(|cp| crate::state::checkpoint::load(&cp).ok())
        else {
            return Ok(None);
        };
        Replayer::resume(state, first_ts, true)
    };
    let mut sum = PrintSummary {
        warnings: reader.warnings().to_vec(),
        ..PrintSummary::default()
    };
    for i in from..=to {
        let mut events = reader.read_chunk(i).map_err(decode)?;
        sum.decoded_chunks += 1;
        while let Some(ev) = events.next_event() {
            sum.events += 1;
            p.event(&mut rp, &ev, span)?;
        }
        sum.warnings.extend(events.warnings().iter().cloned());
    }
    sum.printed = p.printed;
    Ok(Some(sum))
}

/// One chunk's share of a parallel print.
struct Chunk {
    out: Vec<u8>,
    events: u64,
    printed: u64,
    warnings: Vec<Warning>,
    end: Option<Replayer>,
}

/// Prints the chunks of a native trace that reach the window in parallel, each from its own
/// checkpoint into its own buffer, written in chunk order. `None` when a chunk cannot start
/// on its own (fewer than two chunks, a missing or unreadable checkpoint, a new section): the
/// caller then reads sequentially.
fn print_parallel(
    path: &Path,
    filter: Filter<'_>,
    opts: &PrintOptions,
    out: &mut dyn Write,
) -> Result<Option<PrintSummary>, PrintError> {
    let decode = |source| PrintError::Decode {
        path: path.display().to_string(),
        source,
    };
    let reader = NativeReader::open(path).map_err(decode)?;
    let chunks = reader.chunks().to_vec();
    let Some(first_ts) = chunks.first().map(|c| c.stats.first_ts) else {
        return Ok(None);
    };
    let span = opts.window.resolve(first_ts);
    let needed: Vec<usize> = (0..chunks.len())
        .filter(|&i| span.overlaps(chunks[i].stats.first_ts, chunks[i].stats.last_ts))
        .collect();
    let independent =
        |i: usize| !chunks[i].stats.new_section && (i == 0 || chunks[i].has_checkpoint);
    let contiguous = needed.windows(2).all(|w| w[1] == w[0] + 1);
    if chunks.len() < 2
        || needed.is_empty()
        || !contiguous
        || !needed.iter().all(|&i| independent(i))
    {
        return Ok(None);
    }
    let header = reader.header().clone();
    let mut sum = PrintSummary {
        warnings: reader.warnings().to_vec(),
        ..PrintSummary::default()
    };
    let checkpoints = reader.checkpoints().clone();
    let shared = std::sync::Mutex::new(reader);
    // One chunk printed into a buffer, from `start` or else its checkpoint: its output,
    // events, lines, warnings and end state; `None` when its checkpoint does not load.
    let one = |i: usize, start: Option<Replayer>| -> Result<Option<Chunk>, PrintError> {
        let mut rp = match (start, i) {
            (Some(rp), _) => rp,
            (None, 0) => Replayer::from_header(&header),
            (None, _) => {
                let cp = checkpoints.get(i).unwrap_or_default();
                match crate::state::checkpoint::load(&cp) {
                    Ok(st) => Replayer::resume(st, first_ts, true),
                    Err(_) => return Ok(None),
                }
            }
        };
        let frame = shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .read_frame(i)
            .map_err(decode)?;
        let mut events = ChunkFrame::decompress(frame);
        let mut c = Chunk {
            out: Vec::new(),
            events: 0,
            printed: 0,
            warnings: Vec::new(),
            end: None,
        };
        let mut p = Printer::new(filter, opts, &mut c.out);
        while let Some(ev) = events.next_event() {
            c.events += 1;
            p.event(&mut rp, &ev, span)?;
        }
        c.printed = p.printed;
        c.warnings = events.warnings().to_vec();
        c.end = Some(rp);
        Ok(Some(c))
    };
    let batch = rayon::current_num_threads().max(1) * 2;
    let mut prev_end: Option<Replayer> = None;
    for group in needed.chunks(batch) {
        let parts: Vec<_> = group.par_iter().map(|&i| one(i, None)).collect();
        for (&i, part) in group.iter().zip(parts) {
            let c = match part? {
                Some(c) => c,
                // A checkpoint that does not load: this chunk goes on from the state the
                // previous one ended in (printed just before), as a sequential read would.
                None => match (prev_end.take(), needed.first() == Some(&i)) {
                    (Some(rp), false) => one(i, Some(rp))?.expect("a given start state"),
                    _ => return Ok(None),
                },
            };
            out.write_all(&c.out)?;
            sum.events += c.events;
            sum.printed += c.printed;
            sum.decoded_chunks += 1;
            sum.warnings.extend(c.warnings);
            prev_end = c.end;
        }
    }
    Ok(Some(sum))
}

/// Prints a plain trace in byte segments on `workers` threads ([`Handoff`]): each worker
/// prints its segment into its own [`spool`], and the caller writes the spools in segment
/// order as they fill. The output is the bytes of a front-to-back print; a worker ahead of
/// the writer keeps going, past a few megabytes into a temporary file, so neither time nor
/// memory suffers from a large output.
fn print_segments(
    path: &Path,
    len: u64,
    workers: usize,
    filter: Filter<'_>,
    opts: &PrintOptions,
    out: &mut dyn Write,
) -> Result<PrintSummary, PrintError> {
    let handoff = Handoff::new(len, workers);
    let handoff = &handoff;
    std::thread::scope(|scope| {
        let mut lanes = Vec::with_capacity(handoff.workers());
        for k in 0..handoff.workers() {
            let (mut sink, drain) = spool();
            let worker = scope.spawn(move || {
                let decode = |source| PrintError::Decode {
                    path: path.display().to_string(),
                    source,
                };
                let mut p = Printer::new(filter, opts, &mut sink);
                let mut span: Option<Span> = None;
                let end = handoff.run(k, path, decode, |rp, ev, first_ts| {
                    // Relative bounds count from the trace's first event.
                    let span = *span.get_or_insert_with(|| opts.window.resolve(first_ts));
                    Ok(p.event(rp, ev, span)?)
                })?;
                let printed = p.printed;
                sink.flush()?;
                Ok::<_, PrintError>((end, printed))
            });
            lanes.push((drain, worker));
        }
        let mut sum = PrintSummary::default();
        let mut failed: Option<PrintError> = None;
        for (drain, worker) in lanes {
            match failed {
                None => {
                    if let Err(e) = drain.write_to(out) {
                        failed = Some(e.into());
                    }
                }
                // A dropped drain stops its worker at its next buffer.
                Some(_) => drop(drain),
            }
            match worker.join() {
                Ok(Ok((end, printed))) => {
                    sum.events += end.events;
                    sum.printed += printed;
                    sum.warnings.extend(end.warnings);
                }
                Ok(Err(e)) => {
                    failed.get_or_insert(e);
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        failed.map_or(Ok(sum), Err)
    })
}

/// One JSON object with each named field (`null` when it has no value).
fn json_line(c: &Ctx<'_>, names: &[String], vals: &mut Out, line: &mut Vec<u8>) {
    use crate::fields::value::Val;
    let mut map = serde_json::Map::new();
    for n in names {
        let v = if crate::fields::extract::extract_by_name(n, c, vals) {
            match vals.vals.first() {
                Some(Val::U64(x)) if vals.vals.len() == 1 => serde_json::Value::from(*x),
                Some(Val::I64(x)) if vals.vals.len() == 1 => serde_json::Value::from(*x),
                Some(Val::Bool(x)) if vals.vals.len() == 1 => serde_json::Value::from(*x),
                _ => {
                    let mut b = Vec::new();
                    vals.render_all_in(b",", c.libs, &mut b);
                    serde_json::Value::from(String::from_utf8_lossy(&b).into_owned())
                }
            }
        } else {
            serde_json::Value::Null
        };
        map.insert(n.clone(), v);
    }
    line.clear();
    let _ = serde_json::to_writer(&mut *line, &serde_json::Value::Object(map));
}
