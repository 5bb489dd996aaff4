//! Writes the seed corpus of the fuzz targets (`fuzz/seeds/<target>/`) from the real captures:
//! small traces (a trimmed header and a few dozen events of varied types) as plain, gzip and
//! native files, truncated and index-less variants, and single event blocks, one per type.
//!
//! `cargo run -p hindsight-format --example fuzz_seeds -- fuzz/seeds` (reads `../shared`, or
//! `$HINDSIGHT_SHARED`). The output is deterministic, so re-running it changes nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hindsight_format::encode::write_event_block;
use hindsight_format::native::{NativeOptions, NativeWriter};
use hindsight_format::writer::{encode_header, ScapWriter};
use hindsight_format::{TraceHeader, TraceReader};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// One event as the writers take it.
struct Rec {
    record: Vec<u8>,
    v1: bool,
    cpu: u16,
    flags: u32,
}

fn shared() -> PathBuf {
    std::env::var_os("HINDSIGHT_SHARED").map_or_else(
        || concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").into(),
        Into::into,
    )
}

/// The capture's header cut down to a few threads, fd tables and users, and its first event of
/// every type (up to `max` events).
fn sample(cap: &Path, max: usize) -> Result<(TraceHeader, Vec<Rec>)> {
    let mut r = TraceReader::open(cap)?;
    let mut h = r.header().clone();
    h.threads.truncate(3);
    let tids: Vec<i64> = h.threads.iter().map(|t| t.tid).collect();
    h.fds.retain(|t| tids.contains(&t.tid));
    for t in &mut h.fds {
        t.fds.truncate(4);
    }
    h.users.truncate(2);
    h.groups.truncate(2);
    let mut seen = std::collections::BTreeSet::new();
    let mut recs = Vec::new();
    while let Some(ev) = r.next_event()? {
        if recs.len() < max && seen.insert(ev.ty) {
            recs.push(Rec {
                record: ev.record_bytes().to_vec(),
                v1: !ev.is_v2(),
                cpu: ev.cpu,
                flags: ev.dump_flags,
            });
        }
    }
    Ok((h, recs))
}

fn plain(h: &TraceHeader, recs: &[Rec], gzip: bool) -> Result<Vec<u8>> {
    let mut w = ScapWriter::new(Vec::new(), gzip);
    w.write_header(h)?;
    for r in recs {
        w.write_record(&r.record, r.v1, r.cpu, r.flags)?;
    }
    Ok(w.finish()?)
}

fn native(h: &TraceHeader, recs: &[Rec], finish: bool) -> Result<Vec<u8>> {
    let opts = NativeOptions {
        chunk_size: 1024,
        ..NativeOptions::default()
    };
    let mut w = NativeWriter::new(Vec::new(), opts)?;
    w.write_header(h)?;
    for (i, r) in recs.iter().enumerate() {
        if w.at_chunk_start() {
            w.set_checkpoint(
                format!("checkpoint before event {}", i + 1)
                    .repeat(4)
                    .into_bytes(),
            );
        }
        w.write_record(&r.record, r.v1, r.cpu, r.flags)?;
    }
    if finish {
        return Ok(w.finish()?);
    }
    w.flush_chunk()?;
    // Without `finish` the sink stays inside the writer; rebuild it from a finished copy.
    let full = native(h, recs, true)?;
    let index_len = u32::from_le_bytes(full[full.len() - 8..full.len() - 4].try_into()?);
    Ok(full[..full.len() - index_len as usize].to_vec())
}

fn main() -> Result<()> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("fuzz/seeds"), PathBuf::from);
    let trace_dir = out.join("decode_trace");
    let event_dir = out.join("decode_event");
    std::fs::create_dir_all(&trace_dir)?;
    std::fs::create_dir_all(&event_dir)?;
    let caps = ["cat_write", "connect_localhost", "single_ipv6_conn"];
    let mut by_type: BTreeMap<u16, Vec<u8>> = BTreeMap::new();
    for name in caps {
        let (h, recs) = sample(&shared().join(format!("captures/falco/{name}.scap")), 40)?;
        let p = plain(&h, &recs, false)?;
        let files = [
            (format!("{name}.scap"), p.clone()),
            (format!("{name}.scap.gz"), plain(&h, &recs, true)?),
            (format!("{name}.scap.zst"), native(&h, &recs, true)?),
            (
                format!("{name}-noindex.scap.zst"),
                native(&h, &recs, false)?,
            ),
            (
                format!("{name}-header-cut.scap"),
                p[..encode_header(&h).len() / 2].to_vec(),
            ),
            (format!("{name}-event-cut.scap"), p[..p.len() - 7].to_vec()),
        ];
        for (file, bytes) in files {
            std::fs::write(trace_dir.join(file), bytes)?;
        }
        let zst = native(&h, &recs, true)?;
        std::fs::write(
            trace_dir.join(format!("{name}-frame-cut.scap.zst")),
            &zst[..zst.len() * 2 / 3],
        )?;
        for r in &recs {
            let ty = u16::from_le_bytes([r.record[20], r.record[21]]);
            let mut block = Vec::new();
            write_event_block(&mut block, &r.record, r.v1, r.cpu, r.flags);
            by_type.entry(ty).or_insert(block);
        }
    }
    for (ty, block) in &by_type {
        std::fs::write(event_dir.join(format!("type-{ty:03}.bin")), block)?;
    }
    eprintln!(
        "wrote {} trace seeds and {} event seeds under {}",
        std::fs::read_dir(&trace_dir)?.count(),
        by_type.len(),
        out.display()
    );
    Ok(())
}
