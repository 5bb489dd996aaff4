//! Throughput of the format layer on real events, in MB/s of uncompressed scap:
//!
//! * `decode/plain`: [`TraceReader`] over a plain scap stream, every event lent and every
//!   parameter decoded to a typed [`ParamValue`] (what replay does per event).
//! * `decode/native`: the same over the native `.scap.zst` encoding of that stream.
//! * `convert/native`: plain scap in, native `.scap.zst` out (default options), as
//!   `hindsight convert` does minus the file system.
//!
//! The input is built in memory at start-up from the real captures of `../shared` (or
//! `$HINDSIGHT_SHARED`): the header blocks of `syscall.scap`, then the events of every capture,
//! repeated until the stream holds about [`TARGET`] bytes. Run with
//! `cargo bench -p hindsight-format --bench convert -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::io::Cursor;
use std::path::PathBuf;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hindsight_format::block::BlockKind;
use hindsight_format::native::{NativeOptions, NativeWriter};
use hindsight_format::{ParamValue, TraceReader};

/// Approximate size of the in-memory plain input.
const TARGET: usize = 64 << 20;

fn shared() -> PathBuf {
    std::env::var_os("HINDSIGHT_SHARED").map_or_else(
        || concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").into(),
        Into::into,
    )
}

/// A plain scap stream of about `TARGET` bytes made of the captures' real events.
fn plain_input() -> Vec<u8> {
    let dir = shared().join("captures/falco");
    let mut caps: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "scap"))
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
        .collect();
    caps.sort();
    let header = TraceReader::open(dir.join("syscall.scap"))
        .expect("open syscall.scap")
        .header_blocks()
        .to_vec();
    let mut events = Vec::new();
    for cap in &caps {
        let mut r = TraceReader::open(cap).expect("open capture");
        while let Some(ev) = r.next_event().expect("read capture") {
            hindsight_format::encode::write_event_block(
                &mut events,
                ev.record_bytes(),
                !ev.is_v2(),
                ev.cpu,
                ev.dump_flags,
            );
        }
    }
    // Each repetition is shifted in time so timestamps keep increasing as in a real trace.
    let mut out = header;
    let mut rep = 0u64;
    while out.len() < TARGET {
        let shift = rep * 60_000_000_000;
        let mut pos = 0;
        while pos + 12 <= events.len() {
            let len = u32::from_le_bytes(events[pos + 4..pos + 8].try_into().unwrap()) as usize;
            let start = out.len();
            out.extend_from_slice(&events[pos..pos + len]);
            // The record starts after the block header (8 bytes) and cpu (2) [+ flags (4)].
            let ty = u32::from_le_bytes(events[pos..pos + 4].try_into().unwrap());
            let flags = matches!(BlockKind::of(ty), BlockKind::Event { flags: true, .. });
            let ts_at = start + if flags { 14 } else { 10 };
            if let Some(ts) = out.get_mut(ts_at..ts_at + 8) {
                let v = u64::from_le_bytes((&*ts).try_into().unwrap()) + shift;
                ts.copy_from_slice(&v.to_le_bytes());
            }
            pos += len;
        }
        rep += 1;
    }
    out
}

/// Reads every event of `bytes` (any encoding) and decodes all of its parameters.
fn decode_all(bytes: &Arc<[u8]>) -> u64 {
    let mut r = TraceReader::from_reader(Box::new(Cursor::new(Arc::clone(bytes)))).unwrap();
    let mut sum = 0u64;
    while let Some(ev) = r.next_event().unwrap() {
        let Some(info) = ev.info() else { continue };
        for (p, raw) in info.params.iter().zip(ev.params()) {
            sum += u64::from(!matches!(ParamValue::decode(p, raw), ParamValue::Absent));
        }
    }
    sum
}

fn to_native(plain: &Arc<[u8]>) -> Vec<u8> {
    let mut r = TraceReader::from_reader(Box::new(Cursor::new(Arc::clone(plain)))).unwrap();
    let mut w = NativeWriter::new(
        Vec::with_capacity(plain.len() / 8),
        NativeOptions::default(),
    )
    .unwrap();
    w.write_header_blocks(r.header_blocks()).unwrap();
    while let Some(ev) = r.next_event().unwrap() {
        w.write_event(&ev).unwrap();
    }
    w.finish().unwrap()
}

fn bench(c: &mut Criterion) {
    let plain: Arc<[u8]> = plain_input().into();
    let native: Arc<[u8]> = to_native(&plain).into();
    eprintln!(
        "input: {} MB plain scap, {} MB native ({:.1}x)",
        plain.len() >> 20,
        native.len() >> 20,
        plain.len() as f64 / native.len() as f64
    );
    let mut g = c.benchmark_group("format");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(plain.len() as u64));
    g.bench_function("decode/plain", |b| b.iter(|| black_box(decode_all(&plain))));
    g.bench_function("decode/native", |b| {
        b.iter(|| black_box(decode_all(&native)))
    });
    g.bench_function("convert/native", |b| {
        b.iter(|| black_box(to_native(&plain).len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
