//! Hostile input: arbitrary bytes, and real captures with flipped bytes or cut short, never make
//! the readers panic; damaged traces still yield their intact events.

mod common;

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
