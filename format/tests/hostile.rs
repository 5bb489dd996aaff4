//! Hostile input: arbitrary bytes, and real captures with flipped bytes or cut short, never make
//! the readers panic; damaged traces still yield their intact events.

mod common;

use hindsight_format::native::{NativeOptions, NativeReader, NativeWriter};
use hindsight_format::reader::parse_event_block;
use hindsight_format::TraceReader;
use proptest::prelude::*;

fn read_all(bytes: Vec<u8>) -> usize {
    let Ok(mut r) = TraceReader::from_reader(Box::new(std::io::Cursor::new(bytes))) else {
        return 0;
    };
    let mut n = 0;
    while let Ok(Some(ev)) = r.next_event() {
        for i in 0..ev.nparams() + 2 {
            let _ = ev.param(i);
        }
        n += 1;
    }
    n
}

/// Reads `bytes` as a native trace chunk by chunk; returns the events read.
fn read_native(bytes: Vec<u8>) -> usize {
    let Ok(mut nr) = NativeReader::from_source(Box::new(std::io::Cursor::new(bytes))) else {
        return 0;
    };
    let mut n = 0;
    for i in 0..nr.chunks().len() {
        if let Ok(mut evs) = nr.read_chunk(i) {
            while let Some(ev) = evs.next_event() {
                let _ = ev.params().count();
                n += 1;
            }
        }
    }
    n
}

/// A small native trace (several chunks, checkpoints) of a real capture, built once.
fn small_native() -> Vec<u8> {
    static NATIVE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    NATIVE.get_or_init(build_small_native).clone()
}

fn build_small_native() -> Vec<u8> {
    let path = common::shared().join("captures/falco/cat_write.scap");
    let mut r = TraceReader::open(path).unwrap();
    let opts = NativeOptions {
        chunk_size: 4096,
        ..NativeOptions::default()
    };
    let mut w = NativeWriter::new(Vec::new(), opts).unwrap();
    let header = r.header_blocks().to_vec();
    w.write_header_blocks(&header).unwrap();
    while let Some(ev) = r.next_event().unwrap() {
        if w.at_chunk_start() {
            w.set_checkpoint(header[..64].to_vec());
        }
        w.write_event(&ev).unwrap();
    }
    w.finish().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_event_blocks_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_event_block(&bytes, 1);
    }

    #[test]
    fn mutated_captures_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16), cut in any::<prop::sample::Index>()) {
        let path = common::shared().join("captures/falco/syscall.scap");
        let mut raw = common::raw(&path);
        for (i, b) in flips {
            let at = i.index(raw.len());
            raw[at] ^= b | 1;
        }
        let len = cut.index(raw.len() + 1);
        raw.truncate(len.max(raw.len() / 2));
        read_all(raw);
    }

    #[test]
    fn mutated_native_traces_never_panic(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), cut in any::<prop::sample::Index>()) {
        let mut raw = small_native();
        for (i, b) in flips {
            let at = i.index(raw.len());
            raw[at] ^= b | 1;
        }
        let len = cut.index(raw.len() + 1);
        raw.truncate(len.max(raw.len() / 2));
        read_native(raw.clone());
        read_all(raw);
    }
}

/// The fuzz seeds (fuzz/seeds, written by `examples/fuzz_seeds.rs`) double as a regression
/// corpus: no reader panics on them, and every intact trace seed yields events.
#[test]
fn fuzz_seeds_read_without_panics() {
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/seeds");
    let mut traces = 0;
    for e in std::fs::read_dir(format!("{seeds}/decode_trace")).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let n = read_all(bytes.clone()).max(read_native(bytes));
        let intact = !name.contains("-cut");
        assert!(!intact || n > 0, "{name}: {n} events");
        traces += 1;
    }
    let mut events = 0;
    for e in std::fs::read_dir(format!("{seeds}/decode_event")).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        assert!(parse_event_block(&bytes, 1).is_ok());
        events += 1;
    }
    assert!(
        traces >= 10 && events >= 20,
        "{traces} trace and {events} event seeds"
    );
}

#[test]
fn truncated_capture_keeps_every_complete_event() {
    let raw = common::raw(&common::shared().join("captures/falco/syscall.scap"));
    let full = read_all(raw.clone());
    let cut = raw[..raw.len() - 100].to_vec();
    let mut r = TraceReader::from_reader(Box::new(std::io::Cursor::new(cut))).unwrap();
    let mut n = 0;
    while r.next_event().unwrap().is_some() {
        n += 1;
    }
    assert!(n >= full - 3 && n < full, "{n} of {full}");
    assert!(r
        .warnings()
        .iter()
        .any(|w| w.message.contains("stream ends inside a block")));
}
