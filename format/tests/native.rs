//! Native traces: chunk listing with stats and checkpoints, per-chunk reading with the right
//! evt.num, sequential reading through TraceReader, and recovery from truncation.

mod common;

use hindsight_format::native::{NativeOptions, NativeReader, NativeWriter};
use hindsight_format::TraceReader;

fn write_native(path: &std::path::Path, chunk_size: usize, finish: bool) -> (usize, Vec<u64>) {
    write_native_with(path, chunk_size, finish, &|_, num| {
        format!("state before {num}").into_bytes()
    })
}

/// Converts a capture to a native trace; `checkpoint(header_blocks, num)` gives the checkpoint
/// stored with the chunk starting at event `num`.
fn write_native_with(
    path: &std::path::Path,
    chunk_size: usize,
    finish: bool,
    checkpoint: &dyn Fn(&[u8], u64) -> Vec<u8>,
) -> (usize, Vec<u64>) {
    let cap = common::shared().join("captures/falco/open-multiple-files.scap");
    let mut r = TraceReader::open(cap).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut w = NativeWriter::new(
        file,
        NativeOptions {
            chunk_size,
            ..NativeOptions::default()
        },
    )
    .unwrap();
    let header = r.header_blocks().to_vec();
    w.write_header_blocks(&header).unwrap();
    let mut starts = Vec::new();
    let mut n = 0;
    while let Some(ev) = r.next_event().unwrap() {
        if w.at_chunk_start() {
            starts.push(ev.num);
            w.set_checkpoint(checkpoint(&header, ev.num));
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
        // The first chunk's state is the header's, so its checkpoint is not stored.
        let want = format!("state before {first}");
        let want = (c.index > 0).then_some(want.as_bytes());
        assert_eq!(c.checkpoint.as_deref(), want);
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
fn large_checkpoints_are_stored_compressed_against_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.scap.zst");
    // A checkpoint that, like real replay state, repeats the header's names and paths.
    let cp = |h: &[u8], num: u64| [h, &num.to_le_bytes()].concat();
    write_native_with(&path, 8 << 10, true, &cp);
    let mut nr = NativeReader::open(&path).unwrap();
    assert!(nr.warnings().is_empty(), "{:?}", nr.warnings());
    let h = nr.header_blocks().to_vec();
    let chunks = nr.chunks().to_vec();
    assert!(chunks.len() > 3);
    for c in &chunks[1..] {
        let got = c.checkpoint.as_deref().expect("a checkpoint");
        assert_eq!(got, cp(&h, c.stats.first_num));
    }
    // Stored raw, the checkpoints alone would be larger than the whole file.
    let file_len = std::fs::metadata(&path).unwrap().len() as usize;
    assert!(file_len < h.len() * (chunks.len() - 1), "{file_len} bytes");
    assert!(nr.read_chunk(1).unwrap().next_event().is_some());
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
