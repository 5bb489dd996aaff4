//! Fuzz target: arbitrary bytes as a whole trace file. The sequential reader (plain, gzip or
//! native, sniffed) and the chunk-wise native reader must never panic, hang or allocate without
//! bound; every event they lend is decoded parameter by parameter and printed.

#![no_main]

use std::io::Cursor;

use hindsight_format::native::NativeReader;
use hindsight_format::print::{write_line, HeaderResolver};
use hindsight_format::{EventRef, ParamValue, TraceReader};
use libfuzzer_sys::fuzz_target;

fn touch(ev: &EventRef<'_>, r: &HeaderResolver<'_>, line: &mut String) {
    if let Some(info) = ev.info() {
        for (p, raw) in info.params.iter().zip(ev.params()) {
            let _ = ParamValue::decode(p, raw);
        }
    }
    line.clear();
    write_line(line, ev, r);
}

fuzz_target!(|data: &[u8]| {
    let mut line = String::new();
    if let Ok(mut r) = TraceReader::from_reader(Box::new(Cursor::new(data.to_vec()))) {
        let header = r.header().clone();
        let res = HeaderResolver::new(&header);
        while let Ok(Some(ev)) = r.next_event() {
            touch(&ev, &res, &mut line);
        }
    }
    if let Ok(mut nr) = NativeReader::from_source(Box::new(Cursor::new(data.to_vec()))) {
        let header = nr.header().clone();
        let res = HeaderResolver::new(&header);
        for i in 0..nr.chunks().len() {
            if let Ok(mut evs) = nr.read_chunk(i) {
                while let Some(ev) = evs.next_event() {
                    touch(&ev, &res, &mut line);
                }
            }
        }
    }
});
