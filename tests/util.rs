//! Shared helpers for the end-to-end tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The built `hindsight` binary.
pub fn hindsight() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hindsight"))
}

/// Runs `hindsight` with `args` and returns its output.
pub fn run(args: &[&str]) -> Output {
    hindsight()
        .args(args)
        .output()
        .expect("failed to start hindsight")
}

/// `../shared` beside the checkout (CI has it there), or `$HINDSIGHT_SHARED`.
pub fn shared_dir() -> PathBuf {
    if let Ok(p) = std::env::var("HINDSIGHT_SHARED") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// The Falco/libsinsp test captures.
pub fn falco_captures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(shared_dir().join("captures/falco"))
        .expect("../shared/captures/falco is missing")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "scap"))
        .collect();
    v.sort();
    v
}

/// Whether `sysdig` is on PATH (CI installs it; tests that need it fail loudly without it
/// unless `HINDSIGHT_SKIP_SYSDIG=1`).
pub fn sysdig_available() -> bool {
    Command::new("sysdig").arg("--version").output().is_ok()
}

/// Whether the tests run as root (recording and containers need it; CI is root).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

/// Runs `hindsight` with `args`, requires success, and returns its stdout.
pub fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "hindsight {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The path of the shared capture `name` (in `../shared/captures/falco`), as text.
pub fn shared_capture(name: &str) -> String {
    shared_dir()
        .join("captures/falco")
        .join(name)
        .display()
        .to_string()
}
