//! `hindsight replay -o DIR --partition-by date,host,rule`: a Hive-partitioned Parquet
//! dataset that pyarrow reads back as the alerts of a JSON-lines run.

use std::process::Command;

use crate::util::{ok, run, shared_dir};

/// Two rules, so that alerts fall into several `rule=` partitions; names need escaping.
/// The Spark test uses them too.
pub(crate) const RULES: &str = r#"
- rule: every fd event
  desc: matches most events
  condition: evt.type in (openat, open, read, write, close, connect, sendto, recvfrom)
  output: "%evt.num %proc.name %fd.name"
  priority: NOTICE
- rule: exec/clone = new process
  desc: a name with characters a path must not hold raw
  condition: evt.type in (execve, clone)
  output: "%evt.num %proc.name %proc.cmdline"
  priority: WARNING
"#;

/// Reads the dataset and prints, per row, `trace evt_num rule priority` plus the checks of
/// each file (schema version, partition values equal to the row's columns) as JSON.
const READ_BACK: &str = r#"
import json, sys
import pyarrow.compute as pc, pyarrow.dataset as ds, pyarrow.parquet as pq
root = sys.argv[1]
d = ds.dataset(root, format="parquet", partitioning="hive")
rows = []
for f in d.files:
    meta = pq.read_schema(f).metadata
    assert meta[b"hindsight.schema_version"] == b"1", (f, meta)
t = d.to_table()
t = t.append_column("day", pc.strftime(t["time"], format="%Y-%m-%d")).drop_columns(["time"])
for r in t.to_pylist():
    assert r["date"] == r["day"], r
    assert r["host"] == r["hostname"], r
    rows.append([r["trace"], r["evt_num"], r["rule"], r["priority"]])
print(json.dumps({"rows": sorted(rows), "files": sorted(d.files)}))
"#;

/// The same dataset through DuckDB (optional: exit code 77 when it is not installed):
/// alerts per rule, decoded from the directory names.
const DUCKDB: &str = r#"
import json, sys
try:
    import duckdb
except ImportError:
    sys.exit(77)
q = "select rule, count(*) from read_parquet(?, hive_partitioning=true) group by rule"
print(json.dumps(dict(duckdb.execute(q, [sys.argv[1] + "/**/*.parquet"]).fetchall())))
"#;

#[test]
fn partitioned_dataset_reads_back_as_the_alerts_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, RULES).unwrap();
    let rules = rules.to_str().unwrap();
    let traces = shared_dir().join("captures/falco");
    let traces = traces.to_str().unwrap();
    let common = ["replay", traces, "-r", rules, "-q", "--match", "all"];
    let mut expected: Vec<serde_json::Value> = ok(&[&common[..], &["--format", "json"]].concat())
        .lines()
        .map(|l| {
            let a: serde_json::Value = serde_json::from_str(l).unwrap();
            serde_json::json!([a["trace"], a["evt_num"], a["rule"], a["priority"]])
        })
        .collect();
    expected.sort_by_key(|v| v.to_string());
    assert!(expected.len() > 100, "too few alerts: {}", expected.len());
    // Four shards write into one dataset.
    let ds = dir.path().join("ds");
    let ds = ds.to_str().unwrap();
    for k in 1..=4 {
        let shard = format!("{k}/4");
        ok(&[
            &common[..],
            &[
                "-o",
                ds,
                "--partition-by",
                "date,host,rule",
                "--shard",
                &shard,
            ],
        ]
        .concat());
    }
    let out = Command::new("python3")
        .args(["-c", READ_BACK, ds])
        .output()
        .expect("python3 is missing");
    assert!(
        out.status.success(),
        "pyarrow could not read the dataset back: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut rows: Vec<serde_json::Value> = back["rows"].as_array().unwrap().clone();
    rows.sort_by_key(|v| v.to_string());
    assert_eq!(rows, expected);
    let duck = Command::new("python3")
        .args(["-c", DUCKDB, ds])
        .output()
        .expect("python3 is missing");
    if duck.status.code() == Some(77) {
        eprintln!("duckdb is not installed: skipping the DuckDB read-back");
    } else {
        assert!(
            duck.status.success(),
            "{}",
            String::from_utf8_lossy(&duck.stderr)
        );
        let per_rule: serde_json::Value = serde_json::from_slice(&duck.stdout).unwrap();
        for rule in ["every fd event", "exec/clone = new process"] {
            let want = expected.iter().filter(|r| r[2] == rule).count();
            assert_eq!(per_rule[rule], want, "{rule}: {per_rule}");
        }
    }
    let files: Vec<&str> = back["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        files
            .iter()
            .any(|f| f.contains("/rule=exec%2Fclone%20%3D%20new%20process/part-")),
        "{files:?}"
    );
    for f in &files {
        let rel = f.strip_prefix(ds).unwrap();
        let parts: Vec<&str> = rel.trim_start_matches('/').split('/').collect();
        assert_eq!(parts.len(), 4, "{rel}");
        assert!(
            parts[0].starts_with("date=") && parts[0].len() == 15,
            "{rel}"
        );
        assert!(
            parts[1].starts_with("host=") && parts[2].starts_with("rule="),
            "{rel}"
        );
        assert!(
            parts[3].starts_with("part-") && parts[3].ends_with("-of-4.parquet"),
            "{rel}"
        );
    }
}

#[test]
fn partition_keys_are_checked() {
    let trace = shared_dir().join("captures/falco/cat_write.scap");
    let out = run(&[
        "replay",
        trace.to_str().unwrap(),
        "-o",
        "/tmp/nowhere",
        "--partition-by",
        "date,day",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("date, host, rule"), "{err}");
}
