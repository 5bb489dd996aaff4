//! `hindsight merge`: a capture cut in parts at time points and merged back (in any input
//! order, any input format) replays to the alerts of the original and prints as the original
//! in sysdig; merging different captures interleaves their events by time with the union of
//! their header state; the output is created 0600; bad input fails with the file named.

use std::path::Path;

use crate::util::{ok, run, shared_capture as capture, sysdig_available};

const RULES: &str = "\
- rule: File activity
  desc: reads, writes, opens of named fds
  condition: evt.type in (open, stat, access, read, write) and fd.name != \"\"
  output: \"%proc.name %fd.name %user.name %proc.pname %container.id\"
  priority: INFO
";

fn p(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

/// JSON alerts of a replay with the `trace` key (the file name) removed.
fn alerts(trace: &str, rules: &str) -> Vec<String> {
    ok(&[
        "replay", trace, "-r", rules, "--format", "json", "-q", "--match", "all",
    ])
    .lines()
    .map(|l| {
        let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
        v.as_object_mut().unwrap().remove("trace");
        v.to_string()
    })
    .collect()
}

#[test]
fn a_capture_cut_in_parts_merges_back_to_the_same_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rules = p(d, "rules.yaml");
    std::fs::write(&rules, RULES).unwrap();
    let original = capture("psp_run_as_user_0_container.scap");
    let (a, b, c) = (p(d, "a.scap"), p(d, "b.scap.gz"), p(d, "c.scap.zst"));
    ok(&["convert", &original, &a, "--until", "+1s"]);
    ok(&["convert", &original, &b, "--since", "+1s", "--until", "+2s"]);
    ok(&["convert", &original, &c, "--since", "+2s"]);
    let want = alerts(&original, &rules);
    assert!(want.len() > 10, "{} alerts", want.len());
    for (out, order) in [
        ("m.scap", [&a, &b, &c]),
        ("m.scap.zst", [&c, &a, &b]),
        ("m.scap.gz", [&b, &c, &a]),
    ] {
        let merged = p(d, out);
        let mut args = vec!["merge"];
        args.extend(order.iter().map(|s| s.as_str()));
        args.extend(["-o", &merged, "--chunk-size", "8192"]);
        ok(&args);
        assert_eq!(alerts(&merged, &rules), want, "{out}");
        // The parts alone miss alerts: the merge is what brings them back.
        assert!(alerts(&c, &rules).len() < want.len());
    }
    // The native merge has several chunks with checkpoints: a parallel replay gives the same.
    let info: serde_json::Value =
        serde_json::from_str(&ok(&["info", &p(d, "m.scap.zst"), "--json"])).unwrap();
    assert!(info["chunks"].as_array().unwrap().len() > 3);
    // Created owner-only, like every trace hindsight writes.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(p(d, "m.scap"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    if !sysdig_available() && std::env::var("HINDSIGHT_SKIP_SYSDIG").is_ok() {
        return;
    }
    // sysdig reads the merged plain file and prints exactly what it prints for the original.
    let sysdig = |f: &str| {
        let o = std::process::Command::new("sysdig")
            .args(["-r", f])
            .output()
            .expect("sysdig is not installed (set HINDSIGHT_SKIP_SYSDIG=1 to skip)");
        assert!(o.status.success(), "sysdig -r {f}: {o:?}");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let want = sysdig(&original);
    assert!(want.lines().count() > 1000);
    assert_eq!(sysdig(&p(d, "m.scap")), want);
}

#[test]
fn different_captures_interleave_by_time_with_their_state_united() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (x, y) = (capture("cat_write.scap"), capture("connect_localhost.scap"));
    let merged = p(d, "xy.scap");
    ok(&["merge", &y, &x, "-o", &merged]);
    let fmt = "%evt.rawtime %thread.tid %evt.type %evt.dir";
    let lines = |f: &str| -> Vec<String> {
        ok(&["print", f, "-p", fmt])
            .lines()
            .map(str::to_string)
            .collect()
    };
    let (lx, ly, lm) = (lines(&x), lines(&y), lines(&merged));
    assert_eq!(lm.len(), lx.len() + ly.len());
    let times: Vec<u64> = lm
        .iter()
        .map(|l| l.split(' ').next().unwrap().parse().unwrap())
        .collect();
    // Each input's events keep their order; the merge is sorted wherever the inputs are.
    let is_subsequence = |part: &[String]| {
        let mut it = lm.iter();
        part.iter().all(|l| it.any(|m| m == l))
    };
    assert!(is_subsequence(&lx) && is_subsequence(&ly));
    let sorted = |ls: &[String]| {
        ls.windows(2).all(|w| {
            let t = |s: &String| s.split(' ').next().unwrap().parse::<u64>().unwrap();
            t(&w[0]) <= t(&w[1])
        })
    };
    if sorted(&lx) && sorted(&ly) {
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }
    // The merged header holds every thread of both.
    let threads = |f: &str| -> u64 {
        let info: serde_json::Value = serde_json::from_str(&ok(&["info", f, "--json"])).unwrap();
        info["threads"].as_u64().unwrap()
    };
    let (tx, ty, tm) = (threads(&x), threads(&y), threads(&merged));
    assert!(tm >= tx.max(ty) && tm <= tx + ty, "{tx} + {ty} -> {tm}");
    if !sysdig_available() && std::env::var("HINDSIGHT_SKIP_SYSDIG").is_ok() {
        return;
    }
    // sysdig reads the merge and prints every event it prints for the inputs.
    let count = |f: &str| {
        let o = std::process::Command::new("sysdig")
            .args(["-r", f])
            .output()
            .expect("sysdig is not installed (set HINDSIGHT_SKIP_SYSDIG=1 to skip)");
        assert!(o.status.success(), "sysdig -r {f}: {o:?}");
        o.stdout.iter().filter(|&&b| b == b'\n').count()
    };
    assert_eq!(count(&merged), count(&x) + count(&y));
}

#[test]
fn merge_errors_name_the_file_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bad = p(d, "bad.scap");
    std::fs::write(&bad, b"not a trace at all").unwrap();
    let out_path = p(d, "out.scap");
    let o = run(&["merge", &capture("syscall.scap"), &bad, "-o", &out_path]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.scap"), "{err}");
    assert!(!Path::new(&out_path).exists());
    let o = run(&["merge", &capture("syscall.scap"), "-o", &p(d, "out.txt")]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown output extension"));
    let same = p(d, "same.scap");
    ok(&["convert", &capture("syscall.scap"), &same]);
    let o = run(&["merge", &same, "-o", &same]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("also an input"));
}
