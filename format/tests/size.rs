//! The size criterion: a native trace at the default options is smaller than the same
//! trace gzip-compressed (the captures as shipped), for every capture. Run with `--nocapture`
//! to see the ratio table.

mod common;

use hindsight_format::native::{NativeOptions, NativeWriter};
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
