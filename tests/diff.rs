//! `hindsight diff`: two rule sets that differ in a few conditions and one output over the
//! lab corpus. The differences must equal the set differences of two separate
//! `hindsight replay --format json` runs; Markdown has tables; `--fail-on` sets the exit code;
//! the JSON-lines mode gives the same answer as the rules mode; bad input exits 2.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::run;

type Key = (String, u64, String);

fn corpora() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora")
}

fn base_rules() -> PathBuf {
    corpora().join("rules/lab_rules.yaml")
}

/// Writes a copy of the lab rules with `edits` (from, to) applied.
fn rules_with(dir: &Path, name: &str, edits: &[(&str, &str)]) -> PathBuf {
    let mut text = std::fs::read_to_string(base_rules()).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from} not in the lab rules");
        text = text.replace(from, to);
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `ls` no longer unauthorized: one alert lost (lab_process, evt 327).
const LOSE_LS: (&str, &str) = (
    "not proc.name in (nginx) and not shell_procs",
    "not proc.name in (nginx, ls) and not shell_procs",
);
/// Shells without a terminal too: alerts gained in lab_port and lab_write.
const GAIN_SHELLS: (&str, &str) = (
    "spawned_process and container and shell_procs and proc.tty != 0",
    "spawned_process and container and shell_procs",
);
/// Another output for the port rule: both of its alerts changed.
const NEW_PORT_OUTPUT: (&str, &str) = (
    "Unauthorized port (%fd.name) running in (%container.name)",
    "Unauthorized port %fd.sport in %container.name",
);

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn code_and_stdout(args: &[&str]) -> (i32, String, String) {
    let out = run(args);
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The (trace, evt_num, rule) keys of a `replay --format json` output.
fn keys_of_jsonl(text: &str) -> BTreeSet<Key> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["trace"].as_str().unwrap().to_string(),
                v["evt_num"].as_u64().unwrap(),
                v["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn replay_json(rules: &Path) -> String {
    let (code, out, err) = code_and_stdout(&[
        "replay",
        s(&corpora()),
        "-r",
        s(rules),
        "--format",
        "json",
        "--match",
        "all",
        "-q",
    ]);
    assert_eq!(code, 0, "{err}");
    out
}

/// Lost and gained keys of a `diff --format json` document: a changed rule counts as the
/// baseline's alert lost and the candidate's gained, as in a set difference.
fn lost_and_gained(doc: &Value) -> (BTreeSet<Key>, BTreeSet<Key>) {
    let (mut lost, mut gained) = (BTreeSet::new(), BTreeSet::new());
    for d in doc["differences"].as_array().unwrap() {
        let key = |side: &Value| {
            (
                d["trace"].as_str().unwrap().to_string(),
                d["evt_num"].as_u64().unwrap(),
                side["rule"].as_str().unwrap().to_string(),
            )
        };
        let (b, c) = (&d["baseline"], &d["candidate"]);
        if !b.is_null() && (c.is_null() || b["rule"] != c["rule"]) {
            lost.insert(key(b));
        }
        if !c.is_null() && (b.is_null() || b["rule"] != c["rule"]) {
            gained.insert(key(c));
        }
    }
    (lost, gained)
}

#[test]
fn four_diff_shards_give_the_differences_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let cand = rules_with(
        dir.path(),
        "cand.yaml",
        &[LOSE_LS, GAIN_SHELLS, NEW_PORT_OUTPUT],
    );
    let (base, corpora) = (base_rules(), corpora());
    let diff = |shard: Option<&str>| {
        let mut args = vec![
            "diff",
            "-b",
            s(&base),
            "-c",
            s(&cand),
            s(&corpora),
            "--match",
            "all",
            "--format",
            "json",
        ];
        if let Some(k) = shard {
            args.extend(["--shard", k]);
        }
        let (code, out, err) = code_and_stdout(&args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<Value>(&out).unwrap()
    };
    let one = diff(None);
    let (mut lost, mut gained) = (BTreeSet::new(), BTreeSet::new());
    let mut alerts = 0;
    for k in ["1/4", "2/4", "3/4", "4/4"] {
        let doc = diff(Some(k));
        let (l, g) = lost_and_gained(&doc);
        lost.extend(l);
        gained.extend(g);
        alerts += doc["baseline"]["alerts"].as_u64().unwrap();
    }
    let (want_lost, want_gained) = lost_and_gained(&one);
    assert!(!want_lost.is_empty() && !want_gained.is_empty());
    assert_eq!((lost, gained), (want_lost, want_gained));
    assert_eq!(alerts, one["baseline"]["alerts"].as_u64().unwrap());
}

#[test]
fn diff_equals_the_set_difference_of_two_replays() {
    let dir = tempfile::tempdir().unwrap();
    let cand = rules_with(
        dir.path(),
        "cand.yaml",
        &[LOSE_LS, GAIN_SHELLS, NEW_PORT_OUTPUT],
    );
    let a = keys_of_jsonl(&replay_json(&base_rules()));
    let b = keys_of_jsonl(&replay_json(&cand));
    let want_lost: BTreeSet<Key> = a.difference(&b).cloned().collect();
    let want_gained: BTreeSet<Key> = b.difference(&a).cloned().collect();
    assert_eq!(want_lost.len(), 1, "{want_lost:?}");
    assert_eq!(want_gained.len(), 2, "{want_gained:?}");

    let (code, out, err) = code_and_stdout(&[
        "diff",
        "-b",
        s(&base_rules()),
        "-c",
        s(&cand),
        s(&corpora()),
        "--match",
        "all",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let (lost, gained) = lost_and_gained(&doc);
    assert_eq!(lost, want_lost);
    assert_eq!(gained, want_gained);
    assert_eq!(doc["counts"]["lost"], 1);
    assert_eq!(doc["counts"]["gained"], 2);
    assert_eq!(doc["counts"]["changed"], 2);
    assert_eq!(doc["baseline"]["alerts"], a.len());
    assert_eq!(doc["candidate"]["alerts"], b.len());
    let changed: Vec<&Value> = doc["differences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "changed")
        .collect();
    assert_eq!(changed[0]["baseline"]["rule"], "Unauthorized port");
    assert_eq!(
        changed[0]["candidate"]["output"],
        "Unauthorized port 85 in port"
    );

    // The text report groups per rule with examples.
    let (_, text, _) = code_and_stdout(&[
        "diff",
        "-b",
        s(&base_rules()),
        "-c",
        s(&cand),
        s(&corpora()),
        "--match",
        "all",
    ]);
    assert!(
        text.starts_with("baseline 9 alerts, candidate 10 alerts: 1 lost, 2 gained, 2 changed\n"),
        "{text}"
    );
    assert!(text.contains("lost (1):\n       1  Unauthorized process on nginx containers\n            lab_process.scap.zst#327: Unauthorized process (ls /) running in (c5f5fecb6998)\n"), "{text}");
    assert!(text.contains("lab_port.scap.zst#597: Unauthorized port (0.0.0.0:85) running in (port) -> Unauthorized port 85 in port"), "{text}");
}

#[test]
fn markdown_has_tables() {
    let dir = tempfile::tempdir().unwrap();
    let cand = rules_with(dir.path(), "cand.yaml", &[LOSE_LS, GAIN_SHELLS]);
    let (code, md, err) = code_and_stdout(&[
        "diff",
        "--baseline",
        s(&base_rules()),
        "--candidate",
        s(&cand),
        s(&corpora()),
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(md.contains("| | alerts |\n|---|---:|\n| baseline | 9 |\n| candidate | 10 |\n| lost | 1 |\n| gained | 2 |\n| changed | 0 |\n"), "{md}");
    assert!(md.contains("### Lost (1)\n\n| rule | count | examples |\n|---|---:|---|\n| Unauthorized process on nginx containers | 1 | `lab_process.scap.zst#327: Unauthorized process (ls /) running in (c5f5fecb6998)` |\n"), "{md}");
    assert!(md.contains("### Gained (2)"), "{md}");
    assert!(
        md.contains("| Terminal shell in container | 2 | `lab_port.scap.zst#303: "),
        "{md}"
    );
    assert!(!md.contains("### Changed"), "{md}");
}

#[test]
fn fail_on_sets_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let lost_only = rules_with(dir.path(), "lost.yaml", &[LOSE_LS]);
    let changed_only = rules_with(dir.path(), "changed.yaml", &[NEW_PORT_OUTPUT]);
    let code = |cand: &Path, kind: &str| {
        code_and_stdout(&[
            "diff",
            "-b",
            s(&base_rules()),
            "-c",
            s(cand),
            s(&corpora()),
            "--fail-on",
            kind,
        ])
        .0
    };
    assert_eq!(code(&lost_only, "lost"), 1);
    assert_eq!(code(&lost_only, "gained"), 0);
    assert_eq!(code(&lost_only, "any"), 1);
    assert_eq!(code(&changed_only, "lost"), 0);
    assert_eq!(code(&changed_only, "gained"), 0);
    assert_eq!(code(&changed_only, "any"), 1);
    assert_eq!(code(&base_rules(), "any"), 0);
}

#[test]
fn jsonl_runs_compare_like_rule_sets() {
    let dir = tempfile::tempdir().unwrap();
    let cand = rules_with(
        dir.path(),
        "cand.yaml",
        &[LOSE_LS, GAIN_SHELLS, NEW_PORT_OUTPUT],
    );
    let a = dir.path().join("a.jsonl");
    let b = dir.path().join("b.jsonl");
    std::fs::write(&a, replay_json(&base_rules())).unwrap();
    std::fs::write(&b, replay_json(&cand)).unwrap();
    let (code, out, err) = code_and_stdout(&["diff", s(&a), s(&b), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let from_runs: Value = serde_json::from_str(&out).unwrap();
    let (_, out, _) = code_and_stdout(&[
        "diff",
        "-b",
        s(&base_rules()),
        "-c",
        s(&cand),
        s(&corpora()),
        "--match",
        "all",
        "--format",
        "json",
    ]);
    let from_rules: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(from_runs, from_rules);
    let (code, _, _) = code_and_stdout(&["diff", s(&a), s(&b), "--fail-on", "gained"]);
    assert_eq!(code, 1);
}

#[test]
fn bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    // A broken JSON line is located.
    let a = dir.path().join("a.jsonl");
    std::fs::write(&a, "{\"rule\": \"R\"}\n").unwrap();
    let (code, _, err) = code_and_stdout(&["diff", s(&a), s(&a)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a.jsonl:1: no integer `evt_num`"), "{err}");
    // One alerts file only.
    let (code, _, err) = code_and_stdout(&["diff", s(&a)]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("give exactly two JSON-lines alert files"),
        "{err}"
    );
    // --baseline without --candidate is a usage error.
    let (code, _, _) = code_and_stdout(&["diff", "-b", s(&base_rules()), s(&corpora())]);
    assert_eq!(code, 2);
    // Rules with an error.
    let broken = rules_with(
        dir.path(),
        "broken.yaml",
        &[("container.id != host", "container.idd != host")],
    );
    let (code, _, err) = code_and_stdout(&[
        "diff",
        "-b",
        s(&base_rules()),
        "-c",
        s(&broken),
        s(&corpora()),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("broken.yaml:"), "{err}");
    assert!(err.contains("candidate rules: the rules have"), "{err}");
    // A missing trace.
    let (code, _, err) = code_and_stdout(&[
        "diff",
        "-b",
        s(&base_rules()),
        "-c",
        s(&base_rules()),
        "nope.scap",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot read trace nope.scap"), "{err}");
}
