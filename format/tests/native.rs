//! Native traces: chunk listing with stats and checkpoints, per-chunk reading with the right
//! evt.num, sequential reading through TraceReader, and recovery from truncation.

mod common;

use hindsight_format::native::{NativeOptions, NativeReader, NativeWriter};
use hindsight_format::TraceReader;

fn write_native(path: &std::path::Path, chunk_size: usize, finish: bool) -> (usize, Vec<u64>) {
    let cap = common::shared().join("captures/falco/open-multiple-files.scap");
    let mut r = TraceReader::open(cap).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut w = NativeWriter::new(
        file,
        NativeOptions {
            chunk_size,
            level: 3,
        },
    )
    .unwrap();
    w.write_header_blocks(r.header_blocks()).unwrap();
    let mut starts = Vec::new();
    let mut n = 0;
    while let Some(ev) = r.next_event().unwrap() {
        if w.at_chunk_start() {
            starts.push(ev.num);
            w.set_checkpoint(format!("state before {}", ev.num).into_bytes());
        }
        w.write_event(&ev).unwrap();
        n += 1;
    }
    if finish {
        w.finish().unwrap();
    } else {
        w.flush_chunk().unwrap();
    }
    (n, starts)
}

#[test]
fn chunks_carry_stats_and_checkpoints_and_read_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.scap.zst");
    let (n, starts) = write_native(&path, 32 << 10, true);
    let mut nr = NativeReader::open(&path).unwrap();
    assert!(nr.has_index());
    assert!(nr.warnings().is_empty(), "{:?}", nr.warnings());
    assert_eq!(nr.header().threads.len(), 128);
    let chunks = nr.chunks().to_vec();
    assert_eq!(chunks.len(), starts.len());
    let mut total = 0;
    for (c, &first) in chunks.iter().zip(&starts) {
        assert_eq!(c.stats.first_num, first);
        assert_eq!(
            c.checkpoint.as_deref(),
            Some(format!("state before {first}").as_bytes())
        );
        let mut evs = nr.read_chunk(c.index).unwrap();
        let mut k = 0;
        while let Some(ev) = evs.next_event() {
            assert_eq!(ev.num, first + k);
            assert!(c.stats.has_type(ev.ty));
            k += 1;
        }
        assert_eq!(k, c.stats.count);
        total += k as usize;
    }
    assert_eq!(total, n);
    // The whole file also reads sequentially.
    let mut r = TraceReader::open(&path).unwrap();
    let mut m = 0;
    while r.next_event().unwrap().is_some() {
        m += 1;
    }
    assert_eq!(m, n);
}

#[test]
fn truncated_native_keeps_complete_chunks_and_a_partial_tail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.scap.zst");
    let (n, _) = write_native(&path, 32 << 10, false);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 200]).unwrap();
    let mut nr = NativeReader::open(&path).unwrap();
    assert!(!nr.has_index());
    let chunks = nr.chunks().to_vec();
    assert!(chunks.last().is_some_and(|c| !c.complete));
    let complete: u64 = chunks
        .iter()
        .filter(|c| c.complete)
        .map(|c| c.stats.count)
        .sum();
    assert!(complete > 0);
    let mut got = 0;
    for c in &chunks {
        let mut evs = nr.read_chunk(c.index).unwrap();
        while evs.next_event().is_some() {
            got += 1;
        }
    }
    // A cut frame decodes only up to its last complete zstd block (128 KiB granularity).
    assert!(got as u64 >= complete && got < n, "{got} of {n}");
}
