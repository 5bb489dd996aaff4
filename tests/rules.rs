//! `hindsight rules validate|list` and `hindsight fields`.

use crate::util::{run, shared_dir};

fn upstream() -> Vec<String> {
    [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
    ]
    .iter()
    .map(|f| {
        shared_dir()
            .join("rules/upstream")
            .join(f)
            .display()
            .to_string()
    })
    .collect()
}

fn seed(name: &str) -> String {
    format!(
        "{}/replay/tests/data/rules/seeds/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn validate_upstream_rules_exits_0() {
    let mut args = vec!["rules", "validate"];
    let files = upstream();
    args.extend(files.iter().map(String::as_str));
    let out = run(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{stderr}\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr.contains(" 0 errors"), "{stderr}");
}

#[test]
fn validate_reports_located_errors_and_exits_1() {
    let file = seed("lab_as_published.yaml");
    let out = run(&["rules", "validate", &file]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = format!("{file}:41:1: item 'open_write': error: invalid YAML");
    assert!(stdout.lines().any(|l| l.starts_with(&expected)), "{stdout}");
}

#[test]
fn validate_directory_loads_every_yaml_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.yaml"), "- list: l\n  items: [bash]\n").unwrap();
    std::fs::write(
        dir.path().join("b.yaml"),
        "- rule: r\n  desc: d\n  condition: evt.type = execve and proc.name in (l)\n  output: o\n  priority: info\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not rules").unwrap();
    let out = run(&["rules", "validate", dir.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn list_shows_rules_with_selection() {
    let mut args = vec![
        "rules",
        "list",
        "--json",
        "-T",
        "maturity_sandbox",
        "-D",
        "^Terminal shell",
    ];
    let files = upstream();
    for f in &files {
        args.extend(["-r", f.as_str()]);
    }
    let out = run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rules: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(rules.len() >= 90);
    let get = |n: &str| {
        rules
            .iter()
            .find(|r| r["name"] == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    let shell = get("Terminal shell in container");
    assert_eq!(shell["enabled"], false);
    assert_eq!(shell["priority"], "Notice");
    assert!(shell["event_types"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "execve"));
    assert_eq!(get("Read sensitive file untrusted")["enabled"], true);
    let sandbox = rules.iter().filter(|r| {
        r["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "maturity_sandbox")
    });
    assert!(sandbox.clone().count() > 0 && sandbox.into_iter().all(|r| r["enabled"] == false));
}

#[test]
fn fields_lists_the_catalogue() {
    let out = run(&["fields", "--json"]);
    assert!(out.status.success());
    let fields: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let f = fields.iter().find(|f| f["name"] == "proc.aname").unwrap();
    assert_eq!(f["type"], "CHARBUF");
    assert_eq!(f["arg"], "[INDEX] optional");
    let out = run(&["fields", "fd."]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Field Class: fd")
            && text.contains("fd.sport")
            && !text.contains("proc.name")
    );
}

#[test]
fn a_field_hindsight_cannot_compute_fails_at_load_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("r.yaml");
    std::fs::write(
        &rules,
        "- rule: busy thread\n  desc: d\n  condition: evt.type = poll\n    and thread.cpu > 0\n  output: \"%proc.name\"\n  priority: INFO\n",
    )
    .unwrap();
    let out = crate::util::run(&["rules", "validate", rules.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    let all = format!("{err}{}", String::from_utf8_lossy(&out.stdout));
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("r.yaml:4:9"), "{all}");
    assert!(
        all.contains("thread.cpu") && all.contains("cannot compute"),
        "{all}"
    );
}

#[test]
fn fields_lists_only_computed_fields_unless_all() {
    let listed = crate::util::run(&["fields", "--json"]);
    let all = crate::util::run(&["fields", "--json", "--all"]);
    let names = |o: &std::process::Output| -> Vec<String> {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| l.to_owned())
            .collect()
    };
    let (listed, all) = (names(&listed), names(&all));
    assert!(listed.iter().all(|l| !l.contains("unsupported")));
    assert!(all
        .iter()
        .any(|l| l.contains("\"thread.cpu\"") && l.contains("unsupported")));
    assert!(all.len() > listed.len());
}
