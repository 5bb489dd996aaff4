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
        assert_eq!(nr.checkpoint(c.index).as_deref(), want);
        assert_eq!(c.has_checkpoint, want.is_some());
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
        let got = nr.checkpoint(c.index).expect("a checkpoint");
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

/// Complete zstd blocks at the start of the (possibly cut) data frame `z`, walked from the
/// frame format (RFC 8878) rather than by decoding: the oracle for a cut frame.
fn complete_zstd_blocks(z: &[u8]) -> usize {
    zstd_block_ends(z).len()
}

/// End offsets of the complete zstd blocks of the data frame `z`.
fn zstd_block_ends(z: &[u8]) -> Vec<usize> {
    let fhd = z[4];
    let single = fhd & 0x20 != 0;
    let dict = [0, 1, 2, 4][(fhd & 3) as usize];
    let fcs = match fhd >> 6 {
        0 => usize::from(single),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let mut pos = 5 + usize::from(!single) + dict + fcs;
    let mut ends = Vec::new();
    while let Some(h) = z.get(pos..pos + 3) {
        let h = u32::from(h[0]) | u32::from(h[1]) << 8 | u32::from(h[2]) << 16;
        let size = match (h >> 1) & 3 {
            1 => 1,
            _ => (h >> 3) as usize,
        };
        if pos + 3 + size > z.len() {
            break;
        }
        pos += 3 + size;
        ends.push(pos);
    }
    ends
}

/// Whole event blocks in `data`.
fn whole_blocks(data: &[u8]) -> usize {
    let (mut pos, mut n) = (0, 0);
    while let Some(len) = data.get(pos + 4..pos + 8) {
        let len = u32::from_le_bytes(len.try_into().unwrap()) as usize;
        if pos + len > data.len() {
            break;
        }
        pos += len;
        n += 1;
    }
    n
}

#[test]
fn a_cut_last_frame_yields_every_event_its_complete_zstd_blocks_hold() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.scap.zst");
    let cap = common::shared().join("captures/falco/psp_run_as_user_0_container.scap");
    let mut w = NativeWriter::new(Vec::new(), NativeOptions::default()).unwrap();
    let mut n = 0;
    // The capture's events three times over: one chunk of several 128 KiB zstd blocks.
    for pass in 0..3 {
        let mut r = TraceReader::open(&cap).unwrap();
        if pass == 0 {
            w.write_header_blocks(r.header_blocks()).unwrap();
        }
        while let Some(ev) = r.next_event().unwrap() {
            w.write_event(&ev).unwrap();
            n += 1;
        }
    }
    std::fs::write(&full, w.finish().unwrap()).unwrap();
    let mut nr = NativeReader::open(&full).unwrap();
    let chunk = nr.chunks()[0].clone();
    let plain = nr.read_chunk(0).unwrap().data().to_vec();
    assert!(
        plain.len() > 5 * (128 << 10),
        "the chunk must span several zstd blocks"
    );
    let bytes = std::fs::read(&full).unwrap();
    let frame = &bytes[chunk.data_offset as usize..][..chunk.data_len as usize];
    let mut seen = std::collections::BTreeSet::new();
    // Cut inside each zstd block, just after it, and at a few even steps.
    let ends = zstd_block_ends(frame);
    assert!(ends.len() > 5, "{} zstd blocks", ends.len());
    let mut cuts: Vec<usize> = ends.iter().flat_map(|&e| [e - 1, e + 2]).collect();
    cuts.extend((20..frame.len()).step_by(frame.len() / 7));
    cuts.retain(|&c| c < frame.len());
    for cut in cuts {
        let path = dir.path().join("cut.scap.zst");
        std::fs::write(&path, &bytes[..chunk.data_offset as usize + cut]).unwrap();
        let decodable = (complete_zstd_blocks(&frame[..cut]) * (128 << 10)).min(plain.len());
        let want = whole_blocks(&plain[..decodable]);
        seen.insert(want);
        // Chunk-wise reading.
        let mut nr = NativeReader::open(&path).unwrap();
        assert!(!nr.has_index());
        assert_eq!(nr.chunks().len(), 1);
        assert!(!nr.chunks()[0].complete);
        let mut evs = nr.read_chunk(0).unwrap();
        let mut got = 0;
        while evs.next_event().is_some() {
            got += 1;
        }
        assert_eq!(got, want, "cut at {cut} of {} bytes", frame.len());
        // Sequential reading gives the same events and says the stream was cut.
        let mut tr = TraceReader::open(&path).unwrap();
        let mut seq = 0;
        while tr.next_event().unwrap().is_some() {
            seq += 1;
        }
        assert_eq!(seq, want, "sequential, cut at {cut}");
        assert!(!tr.warnings().is_empty());
    }
    assert!(seen.len() >= 4 && seen.contains(&0), "{seen:?}");
    assert!(seen.iter().all(|&k| k < n));
}
