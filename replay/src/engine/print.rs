//! `hindsight print`: the `sysdig -r` of hindsight, as a library function.
//!
//! Reads a trace front to back, applies each event to the state, keeps the events the
//! filter accepts and writes one line per event in a `-p` format (sysdig's default line
//! without one), or one JSON object per event.

use std::io::Write;
use std::path::Path;

use hindsight_format::{TraceReader, Warning};
use thiserror::Error;

use super::format::PrintFormat;
use super::replayer::Replayer;
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
    let mut reader = TraceReader::open(path).map_err(decode)?;
    let mut rp = Replayer::from_header(reader.header());
    let mut sum = PrintSummary::default();
    let mut vals = Out::default();
    let mut line = Vec::with_capacity(256);
    let mut printed = 0;
    sum.events = rp.replay_all(&mut reader, decode, |rp, ev| {
        let visible = rp.shows(ev, opts.libs_view);
        let ctx = rp.advance(ev).in_view(opts.libs_view);
        if !visible || !filter(&ctx) {
            return Ok(());
        }
        let ok = match &opts.json_fields {
            None => opts.format.render(&ctx, &mut vals, &mut line),
            Some(names) => {
                json_line(&ctx, names, &mut vals, &mut line);
                true
            }
        };
        if ok {
            line.push(b'\n');
            out.write_all(&line)?;
            printed += 1;
        }
        Ok(())
    })?;
    sum.printed = printed;
    sum.warnings = reader.take_warnings();
    Ok(sum)
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
