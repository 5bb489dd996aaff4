//! Helpers shared by the format crate's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared` beside the checkout, or `$HINDSIGHT_SHARED`.
pub fn shared() -> PathBuf {
    std::env::var_os("HINDSIGHT_SHARED").map_or_else(
        || concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared").into(),
        Into::into,
    )
}

/// Every real capture (non-empty `.scap` files of captures/falco), sorted.
pub fn captures() -> Vec<PathBuf> {
    let dir = shared().join("captures/falco");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "scap"))
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
        .collect();
    v.sort();
    v
}

/// Decompressed bytes of a capture.
pub fn raw(path: &std::path::Path) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    let f = std::fs::File::open(path).expect("open capture");
    flate2::read::MultiGzDecoder::new(f)
        .read_to_end(&mut out)
        .expect("gunzip capture");
    out
}
