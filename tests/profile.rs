//! `--profile` on `replay` and `test`: per rule, the events it was evaluated on (only those
//! of its event types, as `print` counts them), its matches (as the alerts count them), and
//! the time spent, on stderr and in the `--summary` JSON.

use std::path::Path;

use serde_json::Value;

use crate::util::{ok, run, shared_dir};

const RULES: &str = "\
- rule: Open file 2
  desc: opens /tmp/file-2
  condition: evt.type = open and fd.name = /tmp/file-2
  output: open %fd.name
  priority: NOTICE
- rule: Fstat by nobody
  desc: never matches
  condition: evt.type = fstat and proc.name = no-such-process
  output: fstat %fd.name
  priority: NOTICE
- rule: Any open
  desc: every open
  condition: evt.type = open
  output: open %fd.name
  priority: INFO
";

fn capture() -> String {
    shared_dir()
        .join("captures/falco/open-multiple-files.scap")
        .display()
        .to_string()
}

/// Lines `hindsight print --libs-view FILTER` prints: the events rules see that pass it.
fn events_seen(filter: &str) -> u64 {
    ok(&["print", &capture(), "--libs-view", filter])
        .lines()
        .count() as u64
}

/// Alerts per rule of a JSON-lines replay.
fn alerts_of(rule: &str, json: &str) -> u64 {
    json.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|a| a["rule"] == rule)
        .count() as u64
}

/// The `profile` entry of `rule` in a summary file.
fn entry<'a>(summary: &'a Value, rule: &str) -> &'a Value {
    summary["profile"]
        .as_array()
        .expect("profile array")
        .iter()
        .find(|e| e["rule"] == rule)
        .unwrap_or_else(|| panic!("no profile entry for {rule}: {summary}"))
}

#[test]
fn replay_profile_counts_evaluations_and_matches() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, RULES).unwrap();
    let summary = dir.path().join("s.json");
    let (rules_s, summary_s) = (rules.to_str().unwrap(), summary.to_str().unwrap());
    let cap = capture();
    let args = [&cap, "-r", rules_s, "--format", "json", "--match", "all"];
    let mut profiled = args.to_vec();
    profiled.extend(["-q", "--profile", "--summary", summary_s]);
    let out = run(&["replay"]
        .iter()
        .chain(&profiled)
        .copied()
        .collect::<Vec<_>>());
    assert!(out.status.success(), "{out:?}");
    let alerts = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    // The alerts do not change when profiling.
    let plain = ok(&["replay"].iter().chain(&args).copied().collect::<Vec<_>>());
    assert_eq!(alerts, plain);

    let s: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let opens = events_seen("evt.type = open");
    let fstats = events_seen("evt.type = fstat");
    assert!(opens > 1 && fstats > 1, "{opens} opens, {fstats} fstats");
    for (rule, evaluated) in [
        ("Open file 2", opens),
        ("Any open", opens),
        ("Fstat by nobody", fstats),
    ] {
        let e = entry(&s, rule);
        assert_eq!(e["evaluations"], evaluated, "{rule}: {e}");
        assert_eq!(e["matches"], alerts_of(rule, &alerts), "{rule}: {e}");
        assert!(e["time_ns"].as_u64().unwrap() > 0, "{rule}: {e}");
        // And the table on stderr has the same figures.
        let line = stderr
            .lines()
            .find(|l| l.ends_with(&format!("  {rule}")))
            .unwrap_or_else(|| panic!("no table line for {rule}: {stderr}"));
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols[2], evaluated.to_string(), "{line}");
        assert_eq!(cols[3], e["matches"].to_string(), "{line}");
    }
    assert_eq!(entry(&s, "Open file 2")["matches"], 1);
    assert_eq!(entry(&s, "Any open")["matches"], opens);
    // Sorted by time, most first.
    let times: Vec<u64> = s["profile"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["time_ns"].as_u64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
}

#[test]
fn first_match_stops_evaluating_at_the_first_matching_rule() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, RULES).unwrap();
    let summary = dir.path().join("s.json");
    let cap = capture();
    ok(&[
        "replay",
        &cap,
        "-r",
        rules.to_str().unwrap(),
        "-q",
        "--profile",
        "--summary",
        summary.to_str().unwrap(),
    ]);
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    // "Any open" is not evaluated on the event "Open file 2" matched.
    let opens = events_seen("evt.type = open");
    assert_eq!(entry(&s, "Any open")["evaluations"], opens - 1);
}

#[test]
fn no_profile_without_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("s.json");
    let out = run(&["replay", &capture(), "--summary", summary.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("hindsight profile"));
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert!(s.get("profile").is_none(), "{s}");
}

#[test]
fn test_profile_adds_up_over_test_files() {
    let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let out = run(&["test", corpora.to_str().unwrap(), "--profile"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("hindsight profile: "), "{stderr}");
    // Every corpus alert of "Terminal shell in container" is one match in the profile.
    let alerts = ok(&[
        "replay",
        corpora.to_str().unwrap(),
        "-q",
        "--format",
        "json",
    ]);
    let shells = alerts_of("Terminal shell in container", &alerts);
    assert!(shells > 0);
    let line = stderr
        .lines()
        .find(|l| l.ends_with("  Terminal shell in container"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert_eq!(
        line.split_whitespace().nth(3),
        Some(shells.to_string().as_str())
    );
}

#[test]
fn chunks_replayed_in_parallel_add_up_to_the_same_profile() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, RULES).unwrap();
    let native = dir.path().join("o.scap.zst").display().to_string();
    ok(&["convert", &capture(), &native, "--chunk-size", "4096"]);
    let info: Value = serde_json::from_str(&ok(&["info", &native, "--json"])).unwrap();
    assert!(info["chunks"].as_array().unwrap().len() > 2);
    let counts = |trace: &str| -> Vec<(String, u64, u64)> {
        let summary = dir.path().join("s.json");
        ok(&[
            "replay",
            trace,
            "-r",
            rules.to_str().unwrap(),
            "-q",
            "--match",
            "all",
            "--profile",
            "--summary",
            summary.to_str().unwrap(),
        ]);
        let s: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
        let mut v: Vec<(String, u64, u64)> = s["profile"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["rule"].as_str().unwrap().to_string(),
                    e["evaluations"].as_u64().unwrap(),
                    e["matches"].as_u64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let plain = counts(&capture());
    assert_eq!(plain.len(), 3, "{plain:?}");
    assert_eq!(counts(&native), plain);
}
