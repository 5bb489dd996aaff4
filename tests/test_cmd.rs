//! `hindsight test`: the corpus test files pass, failing test files fail with the expected
//! item, what came instead and the closest alerts, bad input exits 2 with a location, JUnit
//! XML parses back with the right structure, and `--update` writes an `expect` that passes.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::run;

fn corpus(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpora")
        .join(name)
        .display()
        .to_string()
}

/// Writes a test file for the lab shell capture with `rest` appended (YAML).
fn write_test(dir: &Path, file: &str, trace: &str, rest: &str) -> PathBuf {
    let path = dir.join(file);
    let text = format!(
        "traces: [{}]\nrules: [{}]\n{rest}",
        corpus(trace),
        corpus("rules/lab_rules.yaml")
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn test_cmd(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["test"];
    all.extend_from_slice(args);
    let Output {
        status,
        stdout,
        stderr,
    } = run(&all);
    (
        status.code().expect("exit code"),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

#[test]
fn corpus_test_files_pass() {
    let (code, out, err) = test_cmd(&[&corpus("")]);
    assert_eq!(code, 0, "{out}{err}");
    for scenario in ["port", "process", "sensitive", "shell", "write"] {
        let line = out
            .lines()
            .find(|l| l.contains(&format!("lab_{scenario}.test.yaml")))
            .unwrap_or_else(|| panic!("no line for {scenario}: {out}"));
        assert!(line.starts_with("PASS "), "{line}");
    }
    assert!(out.contains("5 passed, 0 failed, 0 errors"), "{out}");
    // Sorted by path.
    let port = out.find("lab_port.test.yaml").unwrap();
    let write = out.find("lab_write.test.yaml").unwrap();
    assert!(port < write, "{out}");
}

#[test]
fn wrong_count_reports_what_came_instead() {
    let dir = tempfile::tempdir().unwrap();
    let t = write_test(
        dir.path(),
        "count.test.yaml",
        "lab_shell.scap.zst",
        "expect:\n  - {rule: Terminal shell in container, count: 2}\n",
    );
    let (code, out, _) = test_cmd(&[t.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("FAIL    count.test.yaml"), "{out}");
    assert!(
        out.contains("expected: rule \"Terminal shell in container\" count 2\n"),
        "{out}"
    );
    assert!(
        out.contains("found:    1 matching alert (1 alert in all)"),
        "{out}"
    );
    assert!(
        out.contains("closest:  lab_shell.scap.zst#351 Terminal shell in container (Notice)"),
        "{out}"
    );
    assert!(out.contains("0 passed, 1 failed, 0 errors"), "{out}");
}

#[test]
fn a_misspelt_rule_shows_the_most_similar_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let t = write_test(
        dir.path(),
        "typo.test.yaml",
        "lab_sensitive.scap.zst",
        "expect:\n  - {rule: Read sensitive files}\n",
    );
    let (code, out, _) = test_cmd(&[t.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("found:    0 matching alerts (2 alerts in all)"),
        "{out}"
    );
    // "Read sensitive file untrusted" shares two words, the other rule none.
    assert!(
        out.contains(
            "closest:  lab_sensitive.scap.zst#328 Read sensitive file untrusted (Warning)"
        ),
        "{out}"
    );
}

#[test]
fn wrong_field_names_the_field_and_both_values() {
    let dir = tempfile::tempdir().unwrap();
    let t = write_test(
        dir.path(),
        "field.test.yaml",
        "lab_shell.scap.zst",
        "expect:\n  - rule: Terminal shell in container\n    fields: {proc.name: bash, proc.tty: 34816}\n",
    );
    let (code, out, _) = test_cmd(&[t.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("fields {proc.name: \"bash\", proc.tty: \"34816\"}"),
        "{out}"
    );
    assert!(
        out.contains("[proc.name is \"sh\", expected \"bash\"]"),
        "{out}"
    );
}

#[test]
fn strict_rejects_unexpected_alerts_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let expect = "strict: true\nexpect:\n  - {rule: Read sensitive file untrusted, count: 1, output_contains: name=cat}\n";
    let t = write_test(
        dir.path(),
        "strict.test.yaml",
        "lab_sensitive.scap.zst",
        expect,
    );
    let (code, out, _) = test_cmd(&[t.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("expected: no alert of rule \"Unauthorized process on nginx containers\" beyond `expect` and `allow` (strict)"),
        "{out}"
    );
    assert!(out.contains("found:    1 unexpected alert\n"), "{out}");
    assert!(out.contains("lab_sensitive.scap.zst#324"), "{out}");

    let allowed = format!(
        "{expect}allow:\n  - {{rule: Unauthorized process on nginx containers, output_contains: cat /etc/shadow}}\n"
    );
    let t = write_test(
        dir.path(),
        "strict.test.yaml",
        "lab_sensitive.scap.zst",
        &allowed,
    );
    let (code, out, _) = test_cmd(&[t.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn bad_input_exits_2_with_a_location() {
    let dir = tempfile::tempdir().unwrap();
    // An unknown key on line 3.
    let bad = write_test(
        dir.path(),
        "bad.test.yaml",
        "lab_shell.scap.zst",
        "expectt: []\n",
    );
    let (code, out, _) = test_cmd(&[bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    let want = format!("{}:3:1: unknown field `expectt`", bad.display());
    assert!(out.contains(&want), "{out}");

    // Invalid YAML on line 2.
    std::fs::write(&bad, "traces: [a]\nexpect: [{rule: A\n").unwrap();
    let (code, out, _) = test_cmd(&[bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains(&format!("{}:", bad.display())), "{out}");
    assert!(out.contains("ERROR   bad.test.yaml"), "{out}");

    // A trace that does not exist.
    let missing = dir.path().join("missing.test.yaml");
    std::fs::write(&missing, "traces: [nope.scap]\n").unwrap();
    let (code, out, _) = test_cmd(&[missing.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("traces: nope.scap"), "{out}");

    // Rules with an error: the diagnostic is shown with its location.
    let rules = dir.path().join("broken.yaml");
    std::fs::write(
        &rules,
        "- rule: R\n  desc: d\n  condition: proc.nam = sh\n  output: o\n  priority: INFO\n",
    )
    .unwrap();
    let t = dir.path().join("rules.test.yaml");
    std::fs::write(
        &t,
        format!(
            "traces: [{}]\nrules: [broken.yaml]\n",
            corpus("lab_shell.scap.zst")
        ),
    )
    .unwrap();
    let (code, out, _) = test_cmd(&[t.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("broken.yaml:3:"), "{out}");
    assert!(out.contains("the rules have 1 error"), "{out}");

    // No test file at all.
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = test_cmd(&[empty.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no test file found"), "{err}");
}

#[test]
fn junit_xml_parses_back() {
    let dir = tempfile::tempdir().unwrap();
    write_test(
        dir.path(),
        "a_pass.test.yaml",
        "lab_shell.scap.zst",
        "name: \"shell <&> \\\"quoted\\\"\"\nexpect:\n  - {rule: Terminal shell in container, count: 1, priority: notice}\n",
    );
    write_test(
        dir.path(),
        "b_fail.test.yaml",
        "lab_shell.scap.zst",
        "expect:\n  - {rule: Terminal shell in container, count: 3}\n",
    );
    let xml_path = dir.path().join("report.xml");
    let (code, out, _) = test_cmd(&[
        dir.path().to_str().unwrap(),
        "--junit",
        xml_path.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let suite = doc.root_element();
    assert_eq!(suite.tag_name().name(), "testsuite");
    assert_eq!(suite.attribute("tests"), Some("2"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("errors"), Some("0"));
    assert!(suite.attribute("time").unwrap().parse::<f64>().is_ok());
    let cases: Vec<_> = suite.children().filter(|n| n.is_element()).collect();
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].attribute("name"), Some("shell <&> \"quoted\""));
    assert!(cases[0].children().all(|n| !n.is_element()));
    assert_eq!(cases[1].attribute("name"), Some("b_fail.test.yaml"));
    let failure = cases[1]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("failure element");
    assert_eq!(
        failure.attribute("message"),
        Some("expected rule \"Terminal shell in container\" count 3; found 1 matching alert (1 alert in all)")
    );
    assert!(failure
        .text()
        .unwrap()
        .contains("closest:  lab_shell.scap.zst#351"));
}

#[test]
fn json_format_is_machine_readable() {
    let dir = tempfile::tempdir().unwrap();
    let t = write_test(
        dir.path(),
        "j.test.yaml",
        "lab_port.scap.zst",
        "expect:\n  - {rule: Unauthorized port, min: 3}\n",
    );
    let (code, out, _) = test_cmd(&[t.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["totals"]["failed"], 1);
    let test = &v["tests"][0];
    assert_eq!(test["status"], "fail");
    assert_eq!(
        test["failures"][0]["found"],
        "2 matching alerts (4 alerts in all)"
    );
    assert_eq!(test["failures"][0]["closest"].as_array().unwrap().len(), 2);
}

#[test]
fn update_rewrites_expect_and_keeps_other_keys() {
    let dir = tempfile::tempdir().unwrap();
    let t = write_test(
        dir.path(),
        "golden.test.yaml",
        "lab_port.scap.zst",
        "name: golden\noptions: {match: all}\nstrict: true\nexpect:\n  - {rule: Terminal shell in container, count: 5}\n  - {rule: Read sensitive file untrusted, count: 0}\n",
    );
    let (code, out, _) = test_cmd(&[t.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let (code, out, _) = test_cmd(&[t.to_str().unwrap(), "--update"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("UPDATED golden"), "{out}");
    let text = std::fs::read_to_string(&t).unwrap();
    let doc: serde_json::Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(doc["name"], "golden");
    assert_eq!(doc["strict"], true);
    assert_eq!(doc["options"]["match"], "all");
    let expect = doc["expect"].as_array().unwrap();
    let items: Vec<(String, u64, String)> = expect
        .iter()
        .map(|e| {
            (
                e["rule"].as_str().unwrap().to_string(),
                e["count"].as_u64().unwrap(),
                e["priority"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("Unauthorized port".to_string(), 2, "Warning".to_string()),
            (
                "Unauthorized process on nginx containers".to_string(),
                1,
                "Warning".to_string()
            ),
            (
                "Write to non user_data dir".to_string(),
                1,
                "Error".to_string()
            ),
            (
                "Read sensitive file untrusted".to_string(),
                0,
                String::new()
            ),
        ]
    );
    let (code, out, _) = test_cmd(&[t.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn enter_events_option_is_passed_to_the_engine() {
    // Rules see enter events only with `enter_events: true`: a rule on `evt.dir = >` of
    // execve fires for the shell's exec then, and never in the default view.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("enter.yaml");
    std::fs::write(
        &rules,
        "- rule: Exec enter\n  desc: d\n  condition: evt.type = execve and evt.dir = >\n  output: \"exec %proc.name\"\n  priority: INFO\n",
    )
    .unwrap();
    let write = |file: &str, enter: bool| {
        let path = dir.path().join(file);
        std::fs::write(
            &path,
            format!(
                "traces: [{}]\nrules: [enter.yaml]\noptions: {{enter_events: {enter}}}\nexpect:\n  - {{rule: Exec enter, min: 1}}\n",
                corpus("lab_shell.scap.zst")
            ),
        )
        .unwrap();
        path
    };
    let on = write("on.test.yaml", true);
    let off = write("off.test.yaml", false);
    let (code, out, _) = test_cmd(&[on.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = test_cmd(&[off.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("found:    0 matching alerts (0 alerts in all)"),
        "{out}"
    );
}

#[test]
fn four_test_shards_run_every_test_file_once() {
    let names = |args: &[&str]| -> Vec<String> {
        let (code, out, err) = test_cmd(args);
        assert_eq!(code, 0, "{out}{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    let corpora = corpus("");
    let all = names(&[&corpora, "--format", "json"]);
    assert_eq!(all.len(), 5, "{all:?}");
    let mut union = Vec::new();
    for k in ["1/4", "2/4", "3/4", "4/4"] {
        let part = names(&[&corpora, "--format", "json", "--shard", k]);
        assert!(part.len() < all.len(), "{k}: {part:?}");
        union.extend(part);
    }
    union.sort();
    let mut all = all;
    all.sort();
    assert_eq!(union, all);
}
