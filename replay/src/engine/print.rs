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

use std::io::Write;
use std::path::Path;

use hindsight_format::native::NativeReader;
use hindsight_format::{Compression, TraceReader, Warning};
use thiserror::Error;

use super::format::PrintFormat;
use super::replayer::Replayer;
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
}

/// Per-event printing state shared by the front-to-back and the seeking readers.
struct Printer<'o> {
    filter: &'o dyn Fn(&Ctx<'_>) -> bool,
    opts: &'o PrintOptions,
    out: &'o mut dyn Write,
    vals: Out,
    line: Vec<u8>,
    printed: u64,
}

impl Printer<'_> {
    /// Applies `ev` to the state, then prints it when it is visible, in `span` and accepted.
    fn event(
        &mut self,
        rp: &mut Replayer,
        ev: &hindsight_format::event::EventRef<'_>,
        span: Span,
    ) -> std::io::Result<()> {
        let visible = rp.shows(ev, self.opts.libs_view);
        let ctx = rp.advance(ev).in_view(self.opts.libs_view);
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
    filter: &dyn Fn(&Ctx<'_>) -> bool,
    opts: &PrintOptions,
    out: &mut dyn Write,
) -> Result<PrintSummary, PrintError> {
    let decode = |source| PrintError::Decode {
        path: path.display().to_string(),
        source,
    };
    let mut p = Printer {
        filter,
        opts,
        out,
        vals: Out::default(),
        line: Vec::with_capacity(256),
        printed: 0,
    };
    if !opts.window.is_all() && super::replay::sniff(path) == Some(Compression::Native) {
        if let Some(sum) = print_seeking(path, &mut p)? {
            return Ok(sum);
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
        let Some(state) = chunks[from]
            .checkpoint
            .as_deref()
            .and_then(|cp| crate::state::checkpoint::load(cp).ok())
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
                    vals.render_all(b",", &mut b);
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
