//! `hindsight replay --schema ocsf`: one OCSF Detection Finding per alert.

use serde_json::Value;

use crate::util::{run, shared_dir};

fn lines(args: &[&str]) -> Vec<Value> {
    let out = run(args);
    assert!(
        out.status.success(),
        "hindsight {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_alert_becomes_a_detection_finding() {
    let traces = shared_dir().join("captures/falco");
    let traces = traces.to_str().unwrap();
    let alerts = lines(&["replay", traces, "-q", "--format", "json"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("findings.jsonl");
    let file = file.to_str().unwrap();
    let out = run(&["replay", traces, "-q", "--schema", "ocsf", "-o", file]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings: Vec<Value> = std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!alerts.is_empty());
    assert_eq!(findings.len(), alerts.len());
    for (a, f) in alerts.iter().zip(&findings) {
        assert_eq!(f["class_uid"], 2004, "{f}");
        assert_eq!(f["type_uid"], 200401, "{f}");
        assert_eq!(f["finding_info"]["title"], a["rule"], "{f}");
        assert_eq!(f["unmapped"]["evt_num"], a["evt_num"], "{f}");
        assert_eq!(f["unmapped"]["trace"], a["trace"], "{f}");
        assert_eq!(f["time_dt"], a["time"], "{f}");
        assert!(a["output"]
            .as_str()
            .unwrap()
            .ends_with(f["message"].as_str().unwrap()));
        assert!((1..=6).contains(&f["severity_id"].as_u64().unwrap()), "{f}");
    }
}

#[test]
fn ocsf_refuses_parquet() {
    let trace = shared_dir().join("captures/falco/curl_google.scap");
    let out = run(&[
        "replay",
        trace.to_str().unwrap(),
        "--schema",
        "ocsf",
        "-o",
        "/tmp/never-written.parquet",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".jsonl"));
}
