//! `hindsight record` end to end (needs root; skipped with a visible message otherwise):
//! record a command, check the trace with sysdig (the oracle) and with `hindsight replay`.

use std::process::Command;

use crate::util::{run, sysdig_available};

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

#[test]
fn privileged_record_cat_shadow_is_read_by_sysdig_and_replay() {
    if !is_root() {
        eprintln!("SKIPPED privileged_record_cat_shadow_is_read_by_sysdig_and_replay: needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("x.scap.zst");
    let out = run(&[
        "record",
        "-o",
        trace.to_str().unwrap(),
        "--",
        "sh",
        "-c",
        "cat /etc/shadow > /dev/null",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("not built into this binary") {
        eprintln!("SKIPPED: {stderr}");
        return;
    }
    assert!(out.status.success(), "record failed: {stderr}");
    assert!(stderr.contains("0 dropped"), "{stderr}");

    // `zstd -d` turns the native trace into a plain scap file that sysdig reads
    let plain = dir.path().join("x.scap");
    let z = Command::new("zstd")
        .args(["-dqf"])
        .arg(&trace)
        .arg("-o")
        .arg(&plain)
        .status()
        .unwrap();
    assert!(z.success());
    if sysdig_available() {
        let s = Command::new("sysdig")
            .arg("-r")
            .arg(&plain)
            .args([
                "-p",
                "%proc.name|%fd.name|%user.name|%proc.pname",
                "evt.type=openat and evt.dir=< and fd.name=/etc/shadow",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&s.stdout);
        assert_eq!(
            text.trim(),
            "cat|/etc/shadow|root|sh",
            "sysdig output: {text}"
        );
    } else if std::env::var("HINDSIGHT_SKIP_SYSDIG").is_err() {
        panic!("sysdig is not installed (set HINDSIGHT_SKIP_SYSDIG=1 to skip this check)");
    }

    // replay with a sensitive-file rule
    let rules = dir.path().join("rules.yaml");
    std::fs::write(
        &rules,
        "- rule: Read shadow\n  desc: t\n  condition: evt.type in (open, openat) and evt.dir = < and fd.name = /etc/shadow\n  output: \"shadow read by %proc.name (user=%user.name)\"\n  priority: WARNING\n",
    )
    .unwrap();
    let r = run(&[
        "replay",
        trace.to_str().unwrap(),
        "-r",
        rules.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&r.stdout);
    if String::from_utf8_lossy(&r.stderr).contains("has not landed yet") {
        eprintln!("SKIPPED replay part: the replay engine has not landed yet");
        return;
    }
    assert!(
        text.contains("shadow read by cat (user=root)"),
        "replay stdout: {text}\nstderr: {}",
        String::from_utf8_lossy(&r.stderr)
    );
}

#[test]
fn record_without_root_or_with_bad_args_fails_clearly() {
    let out = run(&["record", "-o", "/tmp/hindsight-test.txt", "--", "true"]);
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("root") || e.contains(".scap.zst") || e.contains("not built"),
        "{e}"
    );
}
