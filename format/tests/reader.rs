//! Reading the real captures: block versions, header contents, event counts and numbering.

mod common;

use hindsight_format::{Compression, TraceReader};

/// Event counts per capture, from the reference walker (SCAP_FORMAT.md §9).
const EXPECTED: &[(&str, usize, usize)] = &[
    ("cat_write", 345, 73),
    ("connect_localhost", 374, 184),
    ("curl_google", 1536, 54),
    ("empty", 143, 218),
    ("open-multiple-files", 1272, 128),
    ("ping_sendto", 1526, 136),
    ("psp_privileged", 2059, 100),
    ("psp_run_as_user_0_container", 4143, 124),
    ("psp_write_tmp_test", 229, 124),
    ("single_ipv6_conn", 1728, 154),
    ("syscall", 368, 229),
];

#[test]
fn reads_every_capture_completely() {
    for path in common::captures() {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut r = TraceReader::open(&path).unwrap_or_else(|e| panic!("{stem}: {e}"));
        assert_eq!(r.compression(), Compression::Gzip);
        let threads = r.header().threads.len();
        let fds: usize = r.header().fds.len();
        let mut n = 0;
        while let Some(ev) = r.next_event().unwrap() {
            n += 1;
            assert_eq!(ev.num, n as u64);
        }
        assert!(r.warnings().is_empty(), "{stem}: {:?}", r.warnings());
        if let Some(&(_, events, thr)) = EXPECTED.iter().find(|e| e.0 == stem) {
            assert_eq!((n, threads), (events, thr), "{stem}");
            assert_eq!(fds, thr, "{stem}: one FDL block per thread");
        }
    }
}

#[test]
fn decodes_the_hand_decoded_open_event() {
    let path = common::shared().join("captures/falco/cat_write.scap");
    let mut r = TraceReader::open(path).unwrap();
    let ev = loop {
        let ev = r.next_event().unwrap().expect("event 141");
        if ev.num == 141 {
            break ev;
        }
    };
    assert_eq!(ev.ts, 1_470_327_477_881_785_348);
    assert_eq!(ev.tid, 20072);
    assert_eq!(ev.ty, 3);
    assert_eq!(ev.nparams(), 4);
    assert_eq!(ev.param(1), Some(&b"/etc/ld.so.cache\0"[..]));
    assert_eq!(ev.param(2), Some(&[1, 0x10, 0, 0][..]));
}

#[test]
fn plain_input_and_garbage() {
    let path = common::shared().join("captures/falco/syscall.scap");
    let raw = common::raw(&path);
    let mut r = TraceReader::from_reader(Box::new(std::io::Cursor::new(raw))).unwrap();
    assert_eq!(r.compression(), Compression::None);
    assert_eq!(r.header().version, (1, 1));
    let mut n = 0;
    while r.next_event().unwrap().is_some() {
        n += 1;
    }
    assert_eq!(n, 368);
    let err = TraceReader::from_reader(Box::new(std::io::Cursor::new(b"hello world".to_vec())))
        .unwrap_err();
    assert!(err.to_string().contains("not a scap trace"), "{err}");
    let err = TraceReader::from_reader(Box::new(std::io::Cursor::new(Vec::new()))).unwrap_err();
    assert!(err.to_string().contains("empty"), "{err}");
}
