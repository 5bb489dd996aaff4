//! End-to-end tests of `hindsight replay`: formats, rule selection, exit codes, directories,
//! Parquet (read back with pyarrow) and bad input.
//!
//! The expected alerts of the bundled rules on the Falco captures were found by running the
//! same conditions, with macros expanded by hand, through `sysdig -r` (see
//! `bundled_rules_agree_with_sysdig`).

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::util::{hindsight, run, shared_dir, sysdig_available};

mod attacks;

fn capture(name: &str) -> PathBuf {
    shared_dir().join("captures/falco").join(name)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `hindsight replay ARGS` and asserts the exit code.
fn replay(args: &[&str], code: i32) -> Output {
    let mut full = vec!["replay", "-q"];
    full.extend_from_slice(args);
    let out = run(&full);
    assert_eq!(
        out.status.code(),
        Some(code),
        "hindsight {}\nstdout:\n{}\nstderr:\n{}",
        full.join(" "),
        stdout(&out),
        stderr(&out)
    );
    out
}

/// Parses JSON lines.
fn json_lines(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// `(rule, evt_num)` of each JSON alert.
fn rule_events(alerts: &[Value]) -> Vec<(String, u64)> {
    alerts
        .iter()
        .map(|a| {
            (
                a["rule"].as_str().unwrap().to_string(),
                a["evt_num"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A rules file in a scratch directory.
fn rules_file(dir: &Path, yaml: &str) -> PathBuf {
    let path = dir.join("rules.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

/// Two rules that both match cat's execve in cat_write.scap (event 131), at two priorities
/// and with different tags.
const TWO_RULES: &str = r#"
- rule: Any exec
  desc: every successful exec
  condition: evt.type = execve and evt.dir = < and evt.rawres = 0
  output: exec of %proc.name (pid=%proc.pid parent=%proc.pname)
  priority: NOTICE
  tags: [process, broad]

- rule: Cat exec
  desc: cat started
  condition: evt.type = execve and evt.dir = < and proc.name = cat
  output: cat started (cmdline=%proc.cmdline user=%user.name)
  priority: WARNING
  tags: [process, narrow]
"#;

#[test]
fn bundled_rules_alert_on_the_falco_captures() {
    let dir = shared_dir().join("captures/falco");
    let out = replay(&[dir.to_str().unwrap(), "--format", "json"], 0);
    let alerts = json_lines(&out);
    let got: Vec<(String, String, u64)> = alerts
        .iter()
        .map(|a| {
            let trace = a["trace"].as_str().unwrap();
            let name = Path::new(trace).file_name().unwrap().to_str().unwrap();
            (
                name.to_string(),
                a["rule"].as_str().unwrap().to_string(),
                a["evt_num"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("curl_google.scap", "Download tool launched", 211),
        (
            "psp_run_as_user_0_container.scap",
            "Interactive command in container",
            2183,
        ),
        ("single_ipv6_conn.scap", "Unexpected network listener", 853),
    ];
    let expected: Vec<(String, String, u64)> = expected
        .iter()
        .map(|(t, r, n)| (t.to_string(), r.to_string(), *n))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn bundled_rules_agree_with_sysdig() {
    if !sysdig_available() {
        assert!(
            std::env::var_os("HINDSIGHT_SKIP_SYSDIG").is_some(),
            "sysdig is not installed (set HINDSIGHT_SKIP_SYSDIG=1 to skip)"
        );
        return;
    }
    // The conditions of the three rules that fire, with the bundled macros expanded.
    let cases = [
        (
            "curl_google.scap",
            "Download tool launched",
            "evt.type in (execve, execveat) and evt.dir=< and evt.rawres=0 \
             and proc.name in (curl, wget, aria2c, fetch)",
        ),
        (
            "psp_run_as_user_0_container.scap",
            "Interactive command in container",
            "evt.type in (execve, execveat) and evt.dir=< and evt.rawres=0 \
             and container.id!=host and proc.tty!=0 and proc.pname in (ash, bash, sh, zsh)",
        ),
        (
            "single_ipv6_conn.scap",
            "Unexpected network listener",
            "evt.type=listen and evt.dir=< and evt.rawres=0 and not proc.name in (sshd, nginx)",
        ),
    ];
    for (cap, rule, filter) in cases {
        let path = capture(cap);
        let sysdig = std::process::Command::new("sysdig")
            .args(["-r", path.to_str().unwrap(), "-p", "%evt.num", filter])
            .output()
            .unwrap();
        let want: Vec<u64> = stdout(&sysdig)
            .lines()
            .map(|l| l.trim().parse().unwrap())
            .collect();
        let out = replay(
            &[path.to_str().unwrap(), "--format", "json", "--match", "all"],
            0,
        );
        let got: Vec<u64> = rule_events(&json_lines(&out))
            .into_iter()
            .filter(|(r, _)| r == rule)
            .map(|(_, n)| n)
            .collect();
        assert_eq!(got, want, "{cap}: {rule}");
        assert!(!want.is_empty(), "{cap}: sysdig found nothing for {rule}");
    }
}

#[test]
fn text_lines_follow_falco() {
    let out = replay(&[capture("curl_google.scap").to_str().unwrap()], 0);
    let text = stdout(&out);
    // TZ-independent: hindsight prints evt.time in UTC (`TZ=UTC sysdig -p %evt.time`).
    // The host's image is empty, not `<NA>`, as Falco 0.44's container plugin prints it.
    assert_eq!(
        text,
        "17:35:48.514632619: Informational Download tool launched (user=<NA> process=curl \
         command=curl -6 http://www.google.com parent=bash container_id=host image=)\n"
    );
}

#[test]
fn json_alerts_follow_falco_schema() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(dir.path(), TWO_RULES);
    let cap = capture("cat_write.scap");
    let out = replay(
        &[
            cap.to_str().unwrap(),
            "-r",
            rules.to_str().unwrap(),
            "--format",
            "json",
        ],
        0,
    );
    let alerts = json_lines(&out);
    assert_eq!(alerts.len(), 1);
    let a = &alerts[0];
    let keys: Vec<&str> = a.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "evt_num",
            "hostname",
            "output",
            "output_fields",
            "priority",
            "rule",
            "source",
            "tags",
            "time",
            "trace"
        ]
    );
    assert_eq!(a["rule"], "Any exec");
    assert_eq!(a["priority"], "Notice");
    assert_eq!(a["source"], "syscall");
    assert_eq!(a["evt_num"], 131);
    assert_eq!(a["trace"], cap.to_str().unwrap());
    assert_eq!(a["tags"], serde_json::json!(["broad", "process"]));
    assert_eq!(a["time"], "2016-08-04T16:17:57.881730713Z");
    assert_eq!(
        a["output"],
        "16:17:57.881730713: Notice exec of cat (pid=20072 parent=bash)"
    );
    let fields = &a["output_fields"];
    assert_eq!(fields["proc.name"], "cat");
    assert!(
        fields["proc.pid"].is_i64(),
        "numbers stay numbers: {fields}"
    );
    assert_eq!(fields["proc.pname"], "bash");
    assert_eq!(fields["evt.time"], 1_470_327_477_881_730_713u64);
}

#[test]
fn match_all_gives_every_rule_first_gives_one() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(dir.path(), TWO_RULES);
    let cap = capture("cat_write.scap");
    let (cap, rules) = (cap.to_str().unwrap(), rules.to_str().unwrap());
    let first = replay(&[cap, "-r", rules, "--format", "json"], 0);
    assert_eq!(rule_events(&json_lines(&first)), [("Any exec".into(), 131)]);
    let all = replay(&[cap, "-r", rules, "--format", "json", "--match", "all"], 0);
    assert_eq!(
        rule_events(&json_lines(&all)),
        [("Any exec".into(), 131), ("Cat exec".into(), 131)]
    );
}

#[test]
fn rule_selection_by_priority_tag_and_name() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(dir.path(), TWO_RULES);
    let cap = capture("cat_write.scap");
    let (cap, rules) = (cap.to_str().unwrap(), rules.to_str().unwrap());
    let only = |extra: &[&str]| {
        let mut args = vec![cap, "-r", rules, "--format", "json", "--match", "all"];
        args.extend_from_slice(extra);
        rule_events(&json_lines(&replay(&args, 0)))
            .into_iter()
            .map(|(r, _)| r)
            .collect::<Vec<_>>()
    };
    assert_eq!(only(&["--min-priority", "warning"]), ["Cat exec"]);
    assert_eq!(
        only(&["--min-priority", "NOTICE"]),
        ["Any exec", "Cat exec"]
    );
    assert_eq!(only(&["--min-priority", "error"]), Vec::<String>::new());
    assert_eq!(only(&["-t", "narrow"]), ["Cat exec"]);
    assert_eq!(only(&["-T", "narrow"]), ["Any exec"]);
    assert_eq!(only(&["-D", "Any exec"]), ["Cat exec"]);
    // With the broad rule disabled, first-match falls through to the next rule.
    let first = replay(&[cap, "-r", rules, "--format", "json", "-D", "Any"], 0);
    assert_eq!(rule_events(&json_lines(&first)), [("Cat exec".into(), 131)]);
}

#[test]
fn fail_on_sets_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(dir.path(), TWO_RULES);
    let cap = capture("cat_write.scap");
    let (cap, rules) = (cap.to_str().unwrap(), rules.to_str().unwrap());
    // The first-match alert is a Notice.
    replay(&[cap, "-r", rules, "--fail-on", "notice"], 3);
    replay(&[cap, "-r", rules, "--fail-on", "warning"], 0);
    replay(
        &[cap, "-r", rules, "--fail-on", "warning", "--match", "all"],
        3,
    );
    replay(&[cap, "-r", rules, "--fail-on", "debug"], 3);
    // No alert at all.
    replay(
        &[
            capture("empty.scap").to_str().unwrap(),
            "--fail-on",
            "debug",
        ],
        0,
    );
}

#[test]
fn directories_are_walked_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("b");
    std::fs::create_dir(&sub).unwrap();
    std::fs::copy(capture("curl_google.scap"), dir.path().join("a.scap")).unwrap();
    std::fs::copy(capture("single_ipv6_conn.scap"), sub.join("c.scap")).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a trace").unwrap();
    let out = replay(&[dir.path().to_str().unwrap(), "--format", "json"], 0);
    let traces: Vec<String> = json_lines(&out)
        .iter()
        .map(|a| {
            let t = Path::new(a["trace"].as_str().unwrap());
            t.strip_prefix(dir.path()).unwrap().display().to_string()
        })
        .collect();
    assert_eq!(traces, ["a.scap", "b/c.scap"]);
}

#[test]
fn summary_goes_to_stderr() {
    let out = hindsight()
        .args(["replay", capture("curl_google.scap").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.starts_with("hindsight replay: 1 trace, "),
        "summary missing: {err}"
    );
    assert!(
        err.contains("Informational  Download tool launched"),
        "{err}"
    );
}

#[test]
fn output_files_follow_their_extension() {
    let dir = tempfile::tempdir().unwrap();
    let cap = capture("curl_google.scap");
    for (name, first_char) in [("a.jsonl", '{'), ("a.json", '{'), ("a.txt", '1')] {
        let path = dir.path().join(name);
        let out = replay(&[cap.to_str().unwrap(), "-o", path.to_str().unwrap()], 0);
        assert!(out.stdout.is_empty(), "{name}: alerts leaked to stdout");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(first_char), "{name}: {text}");
        assert_eq!(text.lines().count(), 1, "{name}");
    }
}

/// Runs python3 with pyarrow on `script`; `None` when pyarrow is not installed.
fn pyarrow(script: &str) -> Option<String> {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import pyarrow"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return None;
    }
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .output()
        .unwrap();
    assert!(out.status.success(), "python3 failed:\n{}", stderr(&out));
    Some(stdout(&out))
}

#[test]
fn parquet_opens_in_pyarrow_with_typed_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alerts.parquet");
    let captures = shared_dir().join("captures/falco");
    replay(
        &[
            captures.to_str().unwrap(),
            "-o",
            path.to_str().unwrap(),
            "--match",
            "all",
        ],
        0,
    );
    let script = format!(
        r#"
import pyarrow.parquet as pq
t = pq.read_table({path:?})
print(t.num_rows)
for f in t.schema:
    print(f.name, f.type, f.nullable)
times = t.column("time").cast("int64").to_pylist()
rows = t.drop_columns(["time"]).to_pylist()
i = [k for k, x in enumerate(rows) if x["rule"] == "Download tool launched"][0]
r = rows[i]
print("ROW", r["evt_num"], r["proc.name"], r["proc.pid"], r["proc.ppid"], r["priority"], r["tags"], times[i])
print("FIELDS", sorted(r["output_fields"])[:2])
print("META", t.schema.metadata[b"hindsight.schema_version"].decode())
"#,
        path = path.to_str().unwrap()
    );
    let Some(text) = pyarrow(&script) else {
        assert!(
            std::env::var_os("HINDSIGHT_SKIP_PYARROW").is_some(),
            "python3 with pyarrow is needed (pip install pyarrow; .ci/run does it), \
             or set HINDSIGHT_SKIP_PYARROW=1"
        );
        return;
    };
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("3"), "{text}");
    let schema: Vec<&str> = text.lines().filter(|l| l.contains(' ')).collect();
    for want in [
        "time timestamp[ns, tz=UTC] False",
        "rule string False",
        "priority string False",
        "tags list<item: string not null> False",
        "output string False",
        "source string False",
        "trace string False",
        "evt_num uint64 False",
        "proc.name string True",
        "proc.cmdline string True",
        "proc.pid int64 True",
        "proc.ppid int64 True",
        "user.name string True",
        "user.uid uint64 True",
        "fd.name string True",
        "container.id string True",
        "container.image string True",
        "evt.type string True",
    ] {
        assert!(
            schema.contains(&want),
            "missing column {want:?} in:\n{text}"
        );
    }
    // Values as `sysdig -r curl_google.scap -p '%proc.pid %proc.ppid %evt.rawtime' evt.num=211`.
    assert!(
        text.contains(
            "ROW 211 curl 17497 3200 Informational ['T1105', 'mitre_command_and_control', \
             'network', 'process'] 1534527348514632619"
        ),
        "{text}"
    );
    assert!(
        // Falco 0.44's container plugin: the host's image is empty, not missing.
        text.contains("FIELDS [('container.id', 'host'), ('container.image', '')]"),
        "{text}"
    );
    assert!(text.contains("META 1"), "{text}");
}

#[test]
fn bad_input_is_exit_1_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    // A missing trace.
    let out = replay(&["/nonexistent/trace.scap"], 1);
    assert!(
        stderr(&out).contains("/nonexistent/trace.scap"),
        "{}",
        stderr(&out)
    );
    // A file that is not a trace.
    let junk = dir.path().join("junk.scap");
    std::fs::write(&junk, b"this is not a scap file at all").unwrap();
    let out = replay(&[junk.to_str().unwrap()], 1);
    assert!(stderr(&out).contains("junk.scap"), "{}", stderr(&out));
    // A broken rules file.
    let rules = rules_file(dir.path(), "- rule: broken\n  condition: evt.type = (\n");
    let cap = capture("cat_write.scap");
    let out = replay(&[cap.to_str().unwrap(), "-r", rules.to_str().unwrap()], 1);
    assert!(stderr(&out).contains("rules.yaml"), "{}", stderr(&out));
    // An output file that cannot be created.
    let out = replay(
        &[cap.to_str().unwrap(), "-o", "/nonexistent/dir/a.parquet"],
        1,
    );
    assert!(
        stderr(&out).contains("/nonexistent/dir/a.parquet"),
        "{}",
        stderr(&out)
    );
    // An empty directory.
    let empty = tempfile::tempdir().unwrap();
    let out = replay(&[empty.path().to_str().unwrap()], 1);
    assert!(stderr(&out).contains("no trace found"), "{}", stderr(&out));
    // Usage errors are exit 2 (clap).
    replay(&[cap.to_str().unwrap(), "--match", "some"], 2);
}

#[test]
fn every_trace_format_and_thread_count_gives_the_same_alerts() {
    // The same capture as plain, gzip and native (`hindsight convert`), found by walking a
    // directory; the alerts differ only in their trace path, whatever -j is.
    let dir = tempfile::tempdir().unwrap();
    let src = capture("psp_run_as_user_0_container.scap");
    for name in ["a.scap", "b.scap.gz", "c.scap.zst"] {
        let out = run(&[
            "convert",
            src.to_str().unwrap(),
            dir.path().join(name).to_str().unwrap(),
        ]);
        assert!(out.status.success(), "convert {name}: {}", stderr(&out));
    }
    let strip = |out: &Output| -> Vec<String> {
        json_lines(out)
            .into_iter()
            .map(|mut a| {
                let trace = a["trace"].as_str().unwrap().to_string();
                a["trace"] = Value::from(Path::new(&trace).file_name().unwrap().to_str().unwrap());
                a.to_string()
            })
            .collect()
    };
    let d = dir.path().to_str().unwrap();
    let one = strip(&replay(
        &[d, "--format", "json", "--match", "all", "-j", "1"],
        0,
    ));
    let four = strip(&replay(
        &[d, "--format", "json", "--match", "all", "-j", "4"],
        0,
    ));
    assert_eq!(one, four);
    assert!(!one.is_empty());
    assert_eq!(one.len() % 3, 0, "{one:#?}");
    let per = one.len() / 3;
    for (i, name) in ["a.scap", "b.scap.gz", "c.scap.zst"].iter().enumerate() {
        for line in &one[i * per..(i + 1) * per] {
            assert!(line.contains(&format!("\"trace\":\"{name}\"")), "{line}");
        }
        let first = one[i * per].replace(name, "X");
        assert_eq!(first, one[0].replace("a.scap", "X"));
    }
}

/// `--summary FILE.json` on the lab corpus with the lab rules: the counts of the corpus
/// README, per rule, priority, process, container and second.
#[test]
fn summary_file_counts_rules_processes_containers_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let path = dir.path().join("summary.json");
    replay(
        &[
            corpora.to_str().unwrap(),
            "-r",
            corpora.join("rules/lab_rules.yaml").to_str().unwrap(),
            "--summary",
            path.to_str().unwrap(),
        ],
        0,
    );
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(s["schema_version"], 1);
    assert_eq!(s["traces"], 5);
    assert_eq!(s["events"], 2123);
    assert_eq!(s["alerts"], 9);
    assert_eq!(
        s["rules"][0],
        serde_json::json!({"rule": "Unauthorized process on nginx containers", "priority": "Warning", "count": 3})
    );
    assert_eq!(
        s["priorities"],
        serde_json::json!({"Error": 2, "Warning": 6, "Notice": 1})
    );
    assert_eq!(
        s["top_containers"][0],
        serde_json::json!({"id": "76bbc7733833", "name": "port", "count": 4})
    );
    assert_eq!(s["top_containers"].as_array().unwrap().len(), 5);
    assert_eq!(
        s["top_processes"][0],
        serde_json::json!({"name": "cat", "count": 2})
    );
    let b = &s["time_buckets"];
    assert_eq!(b["width_s"], 1);
    let buckets = b["buckets"].as_array().unwrap();
    assert_eq!(
        buckets[0],
        serde_json::json!({"start": "2026-11-23T12:52:16.000000000Z", "count": 1})
    );
    let total: u64 = buckets.iter().map(|x| x["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 9);
    // An unwritable summary path is an error that names it.
    let out = run(&[
        "replay",
        "-q",
        corpora.join("lab_shell.scap.zst").to_str().unwrap(),
        "--summary",
        "/nonexistent-dir/s.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot write summary file /nonexistent-dir/s.json"));
}
