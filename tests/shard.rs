//! `hindsight replay --shard K/N` and `--list-work`: N shards together give exactly the
//! alerts of one run.

use std::path::Path;

use crate::util::{ok, run, shared_capture as capture};

/// A rule matching most events, with outputs that need the replayed state (fd names,
/// parents, users), so a chunk started from a wrong state shows.
const RULES: &str = r#"
- rule: every fd event
  desc: matches most events so that a split shows
  condition: evt.type in (openat, open, read, write, close, execve, connect, sendto, recvfrom, mmap, fstat)
  output: "%evt.num %proc.name %fd.name %proc.pname %user.name"
  priority: NOTICE
"#;

/// Converts `capture` into a native trace at `out` with small chunks.
fn small_chunks(capture: &str, out: &Path) {
    ok(&[
        "convert",
        capture,
        out.to_str().unwrap(),
        "--chunk-size",
        "4096",
    ]);
}

fn sorted_lines(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text.lines().map(str::to_string).collect();
    v.sort();
    v
}

/// Alerts of one run and of the union of four shards over `input`, sorted.
fn one_and_union(input: &str, rules: &str) -> (Vec<String>, Vec<String>) {
    let base = ["replay", input, "-r", rules, "--format", "json", "-q"];
    let one = sorted_lines(&ok(&base));
    let mut union = String::new();
    for k in 1..=4 {
        let shard = format!("{k}/4");
        let mut args = base.to_vec();
        args.extend(["--shard", &shard]);
        union.push_str(&ok(&args));
    }
    (one, sorted_lines(&union))
}

#[test]
fn four_shards_of_a_chunked_trace_give_the_alerts_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, RULES).unwrap();
    let trace = dir.path().join("big.scap.zst");
    small_chunks(&capture("psp_run_as_user_0_container.scap"), &trace);
    let units = ok(&["replay", "--list-work", trace.to_str().unwrap()]);
    let units: Vec<serde_json::Value> = units
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        units.len() >= 8,
        "too few chunks to test a split: {units:?}"
    );
    for (i, u) in units.iter().enumerate() {
        assert_eq!(u["unit"], i);
        assert_eq!(u["chunks"], serde_json::json!([i, i + 1]));
        assert!(u["bytes"].as_u64().unwrap() > 0, "{u}");
    }
    let (one, union) = one_and_union(trace.to_str().unwrap(), rules.to_str().unwrap());
    assert!(
        one.len() > 100,
        "too few alerts to test a split: {}",
        one.len()
    );
    assert_eq!(union, one);
}

#[test]
fn four_shards_of_a_directory_give_the_alerts_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, RULES).unwrap();
    let traces = dir.path().join("traces");
    std::fs::create_dir(&traces).unwrap();
    // Chunked native traces, a plain one and a gzip one.
    small_chunks(&capture("curl_google.scap"), &traces.join("a.scap.zst"));
    small_chunks(&capture("cat_write.scap"), &traces.join("b.scap.zst"));
    ok(&[
        "convert",
        &capture("single_ipv6_conn.scap"),
        traces.join("c.scap").to_str().unwrap(),
    ]);
    ok(&[
        "convert",
        &capture("psp_privileged.scap"),
        traces.join("d.scap.gz").to_str().unwrap(),
    ]);
    let (one, union) = one_and_union(traces.to_str().unwrap(), rules.to_str().unwrap());
    assert!(
        one.len() > 100,
        "too few alerts to test a split: {}",
        one.len()
    );
    assert_eq!(union, one);
    // Each unit is listed once, with the shard that runs it.
    let listed = ok(&[
        "replay",
        "--list-work",
        traces.to_str().unwrap(),
        "--shard",
        "3/4",
    ]);
    for l in listed.lines() {
        let u: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(u["shard"], "3/4");
        assert_eq!(u["unit"].as_u64().unwrap() % 4, 2);
    }
    let all = ok(&["replay", "--list-work", traces.to_str().unwrap()]);
    assert!(all.contains("\"chunks\":null"), "{all}");
    // `--shard U+1/TOTAL` runs unit U alone.
    let total = all.lines().count();
    let second: serde_json::Value = serde_json::from_str(all.lines().nth(1).unwrap()).unwrap();
    let alone = ok(&[
        "replay",
        "--list-work",
        traces.to_str().unwrap(),
        "--shard",
        &format!("2/{total}"),
    ]);
    let alone: serde_json::Value = serde_json::from_str(alone.trim()).unwrap();
    assert_eq!(alone["chunks"], second["chunks"]);
    assert_eq!(alone["trace"], second["trace"]);
}

#[test]
fn a_bad_shard_is_refused() {
    let out = run(&["replay", &capture("cat_write.scap"), "--shard", "5/4"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("K/N"), "{err}");
}

#[test]
fn chunks_select_the_unit_that_list_work_names() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, RULES).unwrap();
    let rules = rules.to_str().unwrap();
    let trace = dir.path().join("big.scap.zst");
    small_chunks(&capture("psp_run_as_user_0_container.scap"), &trace);
    let trace = trace.to_str().unwrap();
    let total = ok(&["replay", "--list-work", trace]).lines().count();
    assert!(total >= 8, "too few chunks: {total}");
    let base = ["replay", trace, "-r", rules, "--format", "json", "-q"];
    let mut some = false;
    for unit in [1, total / 2, total - 1] {
        let shard = format!("{}/{total}", unit + 1);
        let range = format!("{unit}..{}", unit + 1);
        let by_shard = ok(&[&base[..], &["--shard", &shard]].concat());
        let by_chunks = ok(&[&base[..], &["--chunks", &range]].concat());
        assert_eq!(by_chunks, by_shard, "unit {unit}");
        some |= !by_chunks.is_empty();
    }
    assert!(some, "no selected unit has alerts");
    let beyond = format!("{total}..{}", total + 1);
    let out = run(&[&base[..], &["--chunks", &beyond]].concat());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--list-work"));
    let out = run(&[&base[..], &["--chunks", "3..2"]].concat());
    assert_eq!(
        out.status.code(),
        Some(2),
        "an empty range is a usage error"
    );
    let dup = run(&[
        "replay", trace, trace, "-r", rules, "-q", "--chunks", "0..1",
    ]);
    assert!(String::from_utf8_lossy(&dup.stderr).contains("one trace"));
}
