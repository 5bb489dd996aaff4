//! Fuzz target: arbitrary bytes as one event block and as bare V1/V2 event records. Parsing,
//! typed parameter decoding and sysdig-style printing must never panic.

#![no_main]

use hindsight_format::print::{write_line, NoState};
use hindsight_format::reader::parse_event_block;
use hindsight_format::{EventRef, ParamValue};
use libfuzzer_sys::fuzz_target;

fn touch(ev: &EventRef<'_>) {
    if let Some(info) = ev.info() {
        for (p, raw) in info.params.iter().zip(ev.params()) {
            let _ = ParamValue::decode(p, raw);
        }
    }
    for i in 0..ev.nparams() + 1 {
        let _ = ev.param(i);
    }
    let mut line = String::new();
    write_line(&mut line, ev, &NoState);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(ev) = parse_event_block(data, 1) {
        touch(&ev);
    }
    if let Ok(ev) = EventRef::parse_v2(data, 1, 0, 0) {
        touch(&ev);
    }
    if let Ok(ev) = EventRef::parse_v1(data, 1, 0, 0) {
        touch(&ev);
    }
});
