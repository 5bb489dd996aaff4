//! The size criterion: a native trace at the default options is smaller than the same
//! trace gzip-compressed (the captures as shipped), for every capture. Run with `--nocapture`
//! to see the ratio table.

mod common;

use hindsight_format::native::{NativeOptions, NativeReader, NativeWriter};
use hindsight_format::TraceReader;

/// Converts `path` to native bytes in memory with the default options; `checkpoint` gives the
/// checkpoint payload stored with each chunk (the CLI stores replay state there).
fn native_bytes(path: &std::path::Path, checkpoint: &dyn Fn(&TraceReader) -> Vec<u8>) -> Vec<u8> {
    let mut r = TraceReader::open(path).unwrap();
    let mut w = NativeWriter::new(Vec::new(), NativeOptions::default()).unwrap();
    w.write_header_blocks(r.header_blocks()).unwrap();
    loop {
        if w.at_chunk_start() {
            let cp = checkpoint(&r);
            if !cp.is_empty() {
                w.set_checkpoint(cp);
            }
        }
        let Some(ev) = r.next_event().unwrap() else {
            break;
        };
        w.write_event(&ev).unwrap();
    }
    w.finish().unwrap()
}

#[test]
fn native_is_smaller_than_gzip_for_every_capture() {
    let mut table = String::from("capture                              gzip  native   ratio\n");
    for cap in common::captures() {
        let gz = std::fs::metadata(&cap).unwrap().len();
        let native = native_bytes(&cap, &|_| Vec::new()).len() as u64;
        let name = cap.file_name().unwrap().to_string_lossy().into_owned();
        table += &format!(
            "{name:34} {gz:7} {native:7} {:7.3}\n",
            native as f64 / gz as f64
        );
        assert!(
            native < gz,
            "{name}: native {native} bytes >= gzip {gz} bytes"
        );
    }
    println!("{table}");
}

/// All captures one after the other (one section each, as `cat a.scap b.scap` gives), with a
/// checkpoint offered at every chunk: still smaller than gzip of the same stream.
#[test]
fn a_multi_section_trace_is_smaller_than_gzip() {
    let mut plain = Vec::new();
    let mut w = NativeWriter::new(Vec::new(), NativeOptions::default()).unwrap();
    for (i, cap) in common::captures().iter().enumerate() {
        plain.extend_from_slice(&common::raw(cap));
        let mut r = TraceReader::open(cap).unwrap();
        if i == 0 {
            w.write_header_blocks(r.header_blocks()).unwrap();
        } else {
            w.new_section(r.header_blocks()).unwrap();
        }
        let state = r.header_blocks().to_vec();
        while let Some(ev) = r.next_event().unwrap() {
            if w.at_chunk_start() {
                w.set_checkpoint(state.clone());
            }
            w.write_event(&ev).unwrap();
        }
    }
    let bytes = w.finish().unwrap();
    let native = bytes.len();
    // New sections start from their own header blocks, so they carry no checkpoint.
    let mut nr = NativeReader::from_source(Box::new(std::io::Cursor::new(bytes))).unwrap();
    let chunks = nr.chunks().to_vec();
    assert_eq!(chunks.len(), common::captures().len());
    for c in &chunks[1..] {
        assert!(c.stats.new_section && !c.has_checkpoint && nr.checkpoint(c.index).is_none());
        let mut evs = nr.read_chunk(c.index).unwrap();
        assert!(evs.next_event().is_some());
        assert!(!evs.section_blocks().is_empty());
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &plain).unwrap();
    let gz = gz.finish().unwrap().len();
    println!("all captures as sections: gzip {gz}, native {native}");
    assert!(native < gz, "native {native} bytes >= gzip {gz} bytes");
}
