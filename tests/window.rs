//! `--since/--until` on `replay`, `print` and `test`: the alerts (lines) of a window are
//! those of a whole run with a time inside it, fields included (the state is rebuilt from the
//! events before the window), the same on plain and native traces; on a multi-chunk native
//! trace the chunks outside the window are skipped unread.

use std::path::PathBuf;

use serde_json::Value;

use crate::util::{ok, run, shared_dir};

/// Rules that fire often, with fields that need the state (fd names, users, parents).
const RULES: &str = "\
- rule: File activity
  desc: reads, writes, opens of named fds
  condition: evt.type in (open, stat, access, read, write) and fd.name != \"\"
  output: \"%proc.name %fd.name %user.name %proc.pname\"
  priority: INFO
";

struct Fixture {
    _dir: tempfile::TempDir,
    plain: String,
    native: String,
    rules: String,
    dir: PathBuf,
}

/// A Falco capture of about 3 s, and the same as a native trace of many small chunks.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let plain = shared_dir()
        .join("captures/falco/psp_run_as_user_0_container.scap")
        .display()
        .to_string();
    let native = dir.path().join("p.scap.zst").display().to_string();
    ok(&["convert", &plain, &native, "--chunk-size", "8192"]);
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, RULES).unwrap();
    Fixture {
        dir: dir.path().to_path_buf(),
        plain,
        native,
        rules: rules.display().to_string(),
        _dir: dir,
    }
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

/// The native trace's chunks as `info --json` lists them.
fn chunks(native: &str) -> Vec<Value> {
    let info: Value = serde_json::from_str(&ok(&["info", native, "--json"])).unwrap();
    info["chunks"].as_array().unwrap().clone()
}

fn replay(trace: &str, rules: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["replay", trace, "-r", rules, "--format", "json", "-q"];
    args.extend_from_slice(extra);
    json_lines(&ok(&args))
}

fn time_of(alert: &Value) -> u64 {
    alert["output_fields"]["evt.time"]
        .as_u64()
        .expect("evt.time")
}

/// Alerts without their `trace` (which names the file).
fn strip(alerts: &[Value]) -> Vec<Value> {
    alerts
        .iter()
        .map(|a| {
            let mut a = a.clone();
            a.as_object_mut().unwrap().remove("trace");
            a
        })
        .collect()
}

#[test]
fn replay_window_is_the_full_replay_filtered_by_time() {
    let f = fixture();
    let chunks = chunks(&f.native);
    assert!(chunks.len() >= 10, "{} chunks", chunks.len());
    let start = chunks[0]["first_ts"].as_u64().unwrap();
    let full = replay(&f.native, &f.rules, &[]);
    let (since, until) = (start + 1_000_000_000, start + 1_500_000_000);
    let expected: Vec<Value> = full
        .iter()
        .filter(|a| (since..until).contains(&time_of(a)))
        .cloned()
        .collect();
    assert!(
        !expected.is_empty() && expected.len() < full.len(),
        "the window must select some alerts but not all: {} of {}",
        expected.len(),
        full.len()
    );
    // Relative, absolute in nanoseconds and RFC 3339 bounds give the same window.
    // RFC 3339 built here from the seconds of the epoch, not by the code under test.
    let rfc = |ns: u64| {
        let secs = ns / 1_000_000_000;
        let (days, rem) = (secs / 86400, secs % 86400);
        let (y, m, d) = civil(days as i64);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:09}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60,
            ns % 1_000_000_000
        )
    };
    for (s, u) in [
        ("+1s".to_string(), "+1500ms".to_string()),
        (since.to_string(), until.to_string()),
        (rfc(since), rfc(until)),
    ] {
        for trace in [&f.native, &f.plain] {
            let got = replay(trace, &f.rules, &["--since", &s, "--until", &u]);
            assert_eq!(
                strip(&got),
                strip(&expected),
                "{trace} --since {s} --until {u}"
            );
        }
    }
    // Only --since, only --until.
    let after: Vec<Value> = full
        .iter()
        .filter(|a| time_of(a) >= since)
        .cloned()
        .collect();
    assert_eq!(
        strip(&replay(&f.native, &f.rules, &["--since", "+1s"])),
        strip(&after)
    );
    let before: Vec<Value> = full
        .iter()
        .filter(|a| time_of(a) < since)
        .cloned()
        .collect();
    assert_eq!(
        strip(&replay(&f.native, &f.rules, &["--until", "+1s"])),
        strip(&before)
    );
}

/// Days since the epoch to a civil date (test-side, independent of the code under test).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `chunks` of a `replay --summary` file.
fn summary_chunks(f: &Fixture, extra: &[&str]) -> (u64, u64) {
    let path = f.dir.join("summary.json");
    let mut args = vec![
        "replay",
        &f.native,
        "-r",
        &f.rules,
        "-q",
        "--summary",
        path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(&args);
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (
        s["chunks"]["decoded"].as_u64().unwrap(),
        s["chunks"]["skipped"].as_u64().unwrap(),
    )
}

#[test]
fn chunks_outside_the_window_are_not_decoded() {
    let f = fixture();
    let chunks = chunks(&f.native);
    let start = chunks[0]["first_ts"].as_u64().unwrap();
    let (since, until) = (start + 1_000_000_000, start + 1_500_000_000);
    let inside = chunks
        .iter()
        .filter(|c| {
            c["last_ts"].as_u64().unwrap() >= since && c["first_ts"].as_u64().unwrap() < until
        })
        .count() as u64;
    let (all_decoded, all_skipped) = summary_chunks(&f, &[]);
    assert_eq!(all_decoded + all_skipped, chunks.len() as u64);
    let (decoded, skipped) = summary_chunks(&f, &["--since", "+1s", "--until", "+1500ms"]);
    assert_eq!(decoded + skipped, chunks.len() as u64);
    // At most the chunks that reach the window are decoded (fewer when no rule can match
    // the event types of some), and chunks before it exist.
    assert!(
        decoded <= inside && decoded < all_decoded,
        "{decoded} of {inside}"
    );
    assert!(chunks[0]["last_ts"].as_u64().unwrap() < since);
    // An empty window decodes nothing.
    assert_eq!(
        summary_chunks(&f, &["--since", "+1h"]),
        (0, chunks.len() as u64)
    );
}

#[test]
fn print_window_on_native_and_plain_traces() {
    let f = fixture();
    let fmt = "%evt.rawtime %evt.num %proc.name %fd.name %user.name";
    let full = ok(&["print", &f.plain, "-p", fmt]);
    let start = chunks(&f.native)[0]["first_ts"].as_u64().unwrap();
    let (since, until) = (start + 1_000_000_000, start + 2_000_000_000);
    let expected: Vec<&str> = full
        .lines()
        .filter(|l| {
            let ts: u64 = l.split(' ').next().unwrap().parse().unwrap();
            (since..until).contains(&ts)
        })
        .collect();
    assert!(!expected.is_empty());
    for trace in [&f.plain, &f.native] {
        for view in [&[][..], &["--libs-view"][..]] {
            let mut args = vec![
                "print", trace, "-p", fmt, "--since", "+1s", "--until", "+2s",
            ];
            args.extend_from_slice(view);
            let got = ok(&args);
            if view.is_empty() {
                assert_eq!(got.lines().collect::<Vec<_>>(), expected, "{trace}");
            } else {
                let libs = ok(&["print", &f.plain, "-p", fmt, "--libs-view"]);
                let want: Vec<&str> = libs
                    .lines()
                    .filter(|l| {
                        let ts: u64 = l.split(' ').next().unwrap().parse().unwrap();
                        (since..until).contains(&ts)
                    })
                    .collect();
                assert_eq!(got.lines().collect::<Vec<_>>(), want, "{trace} --libs-view");
            }
        }
    }
}

#[test]
fn test_files_take_a_window_in_options_or_on_the_command_line() {
    let f = fixture();
    let windowed = replay(
        &f.native,
        &f.rules,
        &["--since", "+1s", "--until", "+1500ms"],
    );
    let all = replay(&f.native, &f.rules, &[]);
    assert!(windowed.len() < all.len());
    let write = |name: &str, options: &str, count: usize| -> PathBuf {
        let p = f.dir.join(name);
        std::fs::write(
            &p,
            format!(
                "traces: [{}]\nrules: [{}]\noptions: {{{options}}}\nexpect:\n  - {{rule: File activity, count: {count}}}\n",
                f.native, f.rules
            ),
        )
        .unwrap();
        p
    };
    let code = |args: &[&str]| run(args).status.code();
    let in_options = write(
        "a.test.yaml",
        "since: +1s, until: \"+1500ms\"",
        windowed.len(),
    );
    assert_eq!(code(&["test", in_options.to_str().unwrap()]), Some(0));
    let whole = write("b.test.yaml", "", windowed.len());
    let whole = whole.to_str().unwrap();
    assert_eq!(code(&["test", whole]), Some(1));
    assert_eq!(
        code(&["test", whole, "--since", "+1s", "--until", "+1500ms"]),
        Some(0)
    );
    let bad = write("c.test.yaml", "since: soon", 0);
    let out = run(&["test", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("RFC 3339"),
        "{out:?}"
    );
}

#[test]
fn bad_times_are_usage_errors_that_say_what_to_write() {
    let trace = shared_dir().join("captures/falco/syscall.scap");
    for cmd in ["replay", "print"] {
        let out = run(&[cmd, trace.to_str().unwrap(), "--since", "+5 parsecs"]);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("+1m30s") && err.contains("RFC 3339"), "{err}");
    }
}
