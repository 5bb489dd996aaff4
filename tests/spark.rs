//! `spark/`: the PySpark job in local mode over 20 traces gives the alerts of one replay as a
//! Hive-partitioned Parquet dataset that DuckDB reads; the Kubernetes Indexed Job's command,
//! run for every completion index, does the same.
//!
//! The Spark test skips with a message when Java, pyspark or duckdb is missing, unless it runs
//! in CI (`CI` or `HINDSIGHT_CI` set), where `.ci/run` installs them and their absence fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::partition::RULES;
use crate::util::ok;

/// Reads a dataset with DuckDB: its rows as sorted `[trace, evt_num, rule]` and its files.
const DUCKDB_ROWS: &str = r#"
import json, sys
import duckdb
q = "select trace, evt_num, rule, filename from read_parquet(?, hive_partitioning=true, filename=true)"
rows = duckdb.execute(q, [sys.argv[1] + "/**/*.parquet"]).fetchall()
print(json.dumps({"rows": sorted([r[0], r[1], r[2]] for r in rows),
                  "files": sorted({r[3] for r in rows})}))
"#;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// 20 traces: each corpus trace as native (copied), plain, gzip and native in small chunks
/// (several work units each).
fn corpus(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(repo().join("corpora")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let Some(stem) = name.strip_suffix(".scap.zst") else {
            continue;
        };
        std::fs::copy(&path, dir.join(&name)).unwrap();
        let src = path.to_str().unwrap();
        for (out, extra) in [
            (format!("{stem}.scap"), None),
            (format!("{stem}.scap.gz"), None),
            (format!("{stem}_chunked.scap.zst"), Some("16384")),
        ] {
            let out = dir.join(out);
            let mut args = vec!["convert", src, out.to_str().unwrap()];
            if let Some(size) = extra {
                args.extend(["--chunk-size", size]);
            }
            ok(&args);
        }
        n += 4;
    }
    n
}

/// `[trace, evt_num, rule]` of every alert of one replay, sorted.
fn one_run(traces: &Path, rules: &Path) -> Vec<serde_json::Value> {
    let mut rows: Vec<serde_json::Value> = ok(&[
        "replay",
        traces.to_str().unwrap(),
        "-r",
        rules.to_str().unwrap(),
        "-q",
        "--format",
        "json",
    ])
    .lines()
    .map(|l| {
        let a: serde_json::Value = serde_json::from_str(l).unwrap();
        serde_json::json!([a["trace"], a["evt_num"], a["rule"]])
    })
    .collect();
    rows.sort_by_key(ToString::to_string);
    rows
}

fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn in_ci() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("HINDSIGHT_CI").is_some()
}

/// The dataset at `ds` read by DuckDB.
fn duckdb_rows(ds: &Path) -> (Vec<serde_json::Value>, Vec<String>) {
    let out = Command::new("python3")
        .args(["-c", DUCKDB_ROWS, ds.to_str().unwrap()])
        .output()
        .expect("python3 is missing");
    assert!(
        out.status.success(),
        "DuckDB could not read the dataset: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut rows = v["rows"].as_array().unwrap().clone();
    rows.sort_by_key(ToString::to_string);
    let files = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    (rows, files)
}

#[test]
fn spark_job_in_local_mode_gives_the_alerts_of_one_replay() {
    let missing: Vec<&str> = [
        (
            "java",
            Command::new("java").arg("-version").output().is_ok(),
        ),
        ("pyspark", python_has("pyspark")),
        ("duckdb", python_has("duckdb")),
    ]
    .into_iter()
    .filter(|(_, ok)| !ok)
    .map(|(name, _)| name)
    .collect();
    if !missing.is_empty() {
        assert!(
            !in_ci(),
            "missing {missing:?}: .ci/run installs openjdk-17-jre-headless, pyspark and duckdb"
        );
        eprintln!("SKIPPED: missing {missing:?} (apt-get install openjdk-17-jre-headless; pip install pyspark duckdb)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let traces = dir.path().join("traces");
    std::fs::create_dir(&traces).unwrap();
    assert!(corpus(&traces) >= 20, "fewer than 20 traces");
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, RULES).unwrap();
    let expected = one_run(&traces, &rules);
    assert!(expected.len() > 100, "too few alerts: {}", expected.len());
    let units = ok(&["replay", "--list-work", traces.to_str().unwrap()])
        .lines()
        .count();
    assert!(units > 20, "the chunked copies should add units: {units}");

    let ds = dir.path().join("ds");
    let report = dir.path().join("report.json");
    let out = Command::new(repo().join("spark/run_local.sh"))
        .arg(&traces)
        .arg(&rules)
        .arg(&ds)
        .env("HINDSIGHT", env!("CARGO_BIN_EXE_hindsight"))
        .env("SPARK_CORES", "2")
        .env("REPORT", &report)
        .output()
        .expect("cannot run spark/run_local.sh");
    assert!(
        out.status.success(),
        "spark/run_local.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The union the executors wrote is the single replay's alerts, row for row.
    let (rows, files) = duckdb_rows(&ds);
    assert_eq!(rows, expected);
    assert!(
        files
            .iter()
            .all(|f| f.ends_with(&format!("-of-{units}.parquet"))),
        "one file per unit and partition expected: {files:?}"
    );
    // Spark SQL over the dataset counted the same alerts per rule.
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(report["units"], units);
    for rule in ["every fd event", "exec/clone = new process"] {
        let want = expected.iter().filter(|r| r[2] == rule).count();
        assert!(want > 0, "{rule} never fired");
        assert_eq!(report["alerts_per_rule"][rule], want, "{rule}: {report}");
    }
}

#[test]
fn kubernetes_indexed_job_shards_give_the_alerts_of_one_replay() {
    let text = std::fs::read_to_string(repo().join("spark/k8s-indexed-job.yaml")).unwrap();
    let job: serde_yaml::Value = serde_yaml::from_str(&text).expect("the manifest is not YAML");
    assert_eq!(job["apiVersion"], "batch/v1");
    assert_eq!(job["kind"], "Job");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    let completions = spec["completions"].as_u64().unwrap();
    let container = &spec["template"]["spec"]["containers"][0];
    let env: Vec<(String, String)> = container["env"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let shards = env.iter().find(|(k, _)| k == "SHARDS").unwrap();
    assert_eq!(
        shards.1,
        completions.to_string(),
        "SHARDS must equal completions"
    );
    assert_eq!(container["command"][0], "/bin/sh");
    let script = container["args"][0].as_str().unwrap();

    // Run the container's command for every index, with local traces, rules and output.
    let dir = tempfile::tempdir().unwrap();
    let traces = dir.path().join("traces");
    std::fs::create_dir(&traces).unwrap();
    corpus(&traces);
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, RULES).unwrap();
    let ds = dir.path().join("ds");
    let script = script.replace("/rules/rules.yaml", rules.to_str().unwrap());
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_hindsight")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for index in 0..completions {
        let out = Command::new("/bin/sh")
            .args(["-c", &script])
            .env("PATH", &path)
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .env("SHARDS", &shards.1)
            .env("TRACES", &traces)
            .env("OUT", &ds)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "index {index}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let expected = one_run(&traces, &rules);
    let out = Command::new("python3")
        .args([
            "-c",
            "import json,sys,pyarrow.dataset as ds\n\
             t=ds.dataset(sys.argv[1],format='parquet',partitioning='hive').to_table(columns=['trace','evt_num','rule'])\n\
             print(json.dumps([[r['trace'],r['evt_num'],r['rule']] for r in t.to_pylist()]))",
            ds.to_str().unwrap(),
        ])
        .output()
        .expect("python3 is missing");
    assert!(
        out.status.success(),
        "pyarrow could not read the dataset: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    rows.sort_by_key(ToString::to_string);
    assert_eq!(rows, expected);
}
