//! End-to-end: `hindsight convert` round trips (scap → .scap.zst → .scap.gz) are printed by
//! sysdig exactly like the original, `zstd -d` of a native trace is a valid scap, and bad input
//! gives a clear error with exit 1.

use std::path::Path;
use std::process::Command;

use crate::util::{falco_captures, run};

fn sysdig_print(path: &Path) -> Option<String> {
    let fmt = "%evt.num %evt.time %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %fd.name %user.name %container.id %evt.args";
    match Command::new("sysdig")
        .arg("-r")
        .arg(path)
        .arg("-p")
        .arg(fmt)
        .output()
    {
        Ok(o) => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Err(_) if std::env::var("HINDSIGHT_SKIP_SYSDIG").as_deref() == Ok("1") => None,
        Err(e) => panic!("sysdig is required (set HINDSIGHT_SKIP_SYSDIG=1 to skip): {e}"),
    }
}

#[test]
fn convert_round_trip_prints_identically_in_sysdig() {
    let dir = tempfile::tempdir().unwrap();
    for cap in falco_captures() {
        if std::fs::metadata(&cap).map(|m| m.len()).unwrap_or(0) == 0 {
            continue;
        }
        let zst = dir.path().join("t.scap.zst");
        let back = dir.path().join("t.scap.gz");
        let o = run(&[
            "convert",
            cap.to_str().unwrap(),
            zst.to_str().unwrap(),
            "--chunk-size",
            "16384",
        ]);
        assert!(
            o.status.success(),
            "{}: {}",
            cap.display(),
            String::from_utf8_lossy(&o.stderr)
        );
        let o = run(&["convert", zst.to_str().unwrap(), back.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let Some(orig) = sysdig_print(&cap) else {
            return;
        };
        assert_eq!(sysdig_print(&back).unwrap(), orig, "{}", cap.display());
        // zstd -d of the native file is the scap stream itself.
        if let Ok(o) = Command::new("zstd").arg("-dc").arg(&zst).output() {
            let plain = dir.path().join("t.scap");
            std::fs::write(&plain, o.stdout).unwrap();
            assert_eq!(
                sysdig_print(&plain).unwrap(),
                orig,
                "zstd -d of {}",
                cap.display()
            );
        }
    }
}

#[test]
fn garbage_and_empty_files_fail_with_offset() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.scap");
    std::fs::write(&junk, b"this is not a trace at all").unwrap();
    let o = run(&["info", junk.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("not a scap trace") && err.contains("offset 0"),
        "{err}"
    );
    let empty = dir.path().join("empty.scap");
    std::fs::write(&empty, b"").unwrap();
    let o = run(&["print", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn info_json_reports_counts_and_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let cap = falco_captures()
        .into_iter()
        .find(|p| p.ends_with("cat_write.scap"))
        .unwrap();
    let zst = dir.path().join("c.scap.zst");
    assert!(run(&[
        "convert",
        cap.to_str().unwrap(),
        zst.to_str().unwrap(),
        "--chunk-size",
        "4096"
    ])
    .status
    .success());
    let o = run(&["info", zst.to_str().unwrap(), "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["events"], 345);
    assert_eq!(v["compression"], "native");
    assert!(v["chunks"].as_array().unwrap().len() > 3);
}

#[test]
fn native_is_smaller_than_the_gzip_capture_at_the_default_chunk_size() {
    let dir = tempfile::tempdir().unwrap();
    for cap in falco_captures() {
        let gz = std::fs::metadata(&cap).unwrap().len();
        if gz == 0 {
            continue;
        }
        let zst = dir.path().join("t.scap.zst");
        let o = run(&["convert", cap.to_str().unwrap(), zst.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let native = std::fs::metadata(&zst).unwrap().len();
        assert!(
            native < gz,
            "{}: native {native} bytes, gzip {gz} bytes",
            cap.display()
        );
    }
}

/// A capture cut short, and a native trace cut inside its last frame, still give their
/// intact events (exit 0, with a warning); cut inside the header, nothing is readable (exit 1).
#[test]
fn truncated_traces_keep_their_intact_events_or_fail_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let cap = falco_captures()
        .into_iter()
        .find(|p| p.ends_with("cat_write.scap"))
        .unwrap();
    let plain = dir.path().join("c.scap");
    let zst = dir.path().join("c.scap.zst");
    assert!(
        run(&["convert", cap.to_str().unwrap(), plain.to_str().unwrap()])
            .status
            .success()
    );
    // Several chunks: the ones before the cut stay whole.
    let o = run(&[
        "convert",
        cap.to_str().unwrap(),
        zst.to_str().unwrap(),
        "--chunk-size",
        "4096",
    ]);
    assert!(o.status.success());
    let events = |path: &Path| -> (Option<i32>, u64, String) {
        let o = run(&["info", path.to_str().unwrap(), "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let warnings = v["warnings"].to_string();
        (o.status.code(), v["events"].as_u64().unwrap(), warnings)
    };
    for full in [&plain, &zst] {
        let bytes = std::fs::read(full).unwrap();
        let cut = dir.path().join(format!(
            "cut-{}",
            full.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&cut, &bytes[..bytes.len() - 300]).unwrap();
        let (code, n, warnings) = events(&cut);
        assert_eq!(code, Some(0), "{}", cut.display());
        assert!(n > 0 && n < 345, "{}: {n} events", cut.display());
        assert!(warnings.contains("byte offset"), "{warnings}");
        // The cut trace converts, keeping those events.
        let back = dir.path().join("back.scap.gz");
        let o = run(&["convert", cut.to_str().unwrap(), back.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(events(&back).1, n);
    }
    // Cut inside the header blocks: no event is readable, every command fails.
    let bytes = std::fs::read(&plain).unwrap();
    let cut = dir.path().join("header-cut.scap");
    std::fs::write(&cut, &bytes[..2000]).unwrap();
    let out = dir.path().join("out.scap.zst");
    for args in [
        vec!["info", cut.to_str().unwrap()],
        vec!["convert", cut.to_str().unwrap(), out.to_str().unwrap()],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("no event could be read"), "{err}");
    }
    assert!(
        !out.exists(),
        "convert must not leave an empty trace behind"
    );
}

#[test]
fn convert_rejects_unknown_extensions_and_non_traces() {
    let dir = tempfile::tempdir().unwrap();
    let cap = &falco_captures()[0];
    let o = run(&["convert", cap.to_str().unwrap(), "out.pcap"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown output extension"));
    let junk = dir.path().join("junk.scap.zst");
    std::fs::write(&junk, [0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]).unwrap();
    let o = run(&["convert", junk.to_str().unwrap(), "out.scap"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!std::path::Path::new("out.scap").exists());
}

#[test]
fn info_survives_a_closed_stdout() {
    let cap = &falco_captures()[0];
    let mut child = crate::util::hindsight()
        .args(["info", cap.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
}

/// A native trace with checkpoints is printed chunk by chunk in parallel; the lines are the
/// bytes a front-to-back read of the original capture prints, in both views, with a filter
/// and without.
#[test]
fn parallel_print_of_chunks_equals_a_sequential_print() {
    let dir = tempfile::tempdir().unwrap();
    let mut chunked = 0;
    for cap in falco_captures() {
        if std::fs::metadata(&cap).map(|m| m.len()).unwrap_or(0) == 0 {
            continue;
        }
        let zst = dir.path().join("p.scap.zst");
        let c = cap.to_str().unwrap();
        let z = zst.to_str().unwrap();
        let o = run(&["convert", c, z, "--chunk-size", "8192"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let info = run(&["info", "--json", z]);
        let v: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
        let chunks = v["chunks"].as_array().map_or(0, Vec::len);
        chunked += usize::from(chunks > 2);
        for args in [
            &["-p", "%evt.num %evt.type %proc.name %fd.name %evt.args"][..],
            &[
                "--libs-view",
                "-p",
                "%evt.num %evt.type %thread.tid %fd.name",
            ],
            &["evt.type in (openat, close) and fd.name exists"],
        ] {
            let seq = run(&[&["print", c][..], args].concat());
            let par = run(&[&["print", "-j", "2", z][..], args].concat());
            assert!(seq.status.success() && par.status.success());
            assert!(
                seq.stdout == par.stdout,
                "{} ({chunks} chunks) {args:?}: the parallel print differs",
                cap.display()
            );
        }
    }
    assert!(
        chunked > 3,
        "too few captures made several chunks: {chunked}"
    );
}
