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
        "8192"
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
