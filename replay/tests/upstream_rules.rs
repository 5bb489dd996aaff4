//! Replays every capture in ../shared/captures/falco against the three upstream Falco rule
//! files and checks the alerts a reader of each capture expects (found by reading the
//! `sysdig -r` listings): the container captures trigger their container rules, the plain
//! host captures stay quiet.

use std::path::PathBuf;
use std::sync::Arc;

use hindsight_replay::engine::{Engine, MatchMode};
use hindsight_replay::output::{FieldValue, Priority, CONTEXT_FIELDS};
use hindsight_replay::rules::{CompiledRules, Loader, RuleSelection};

fn shared() -> PathBuf {
    std::env::var_os("HINDSIGHT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
}

fn engine(mode: MatchMode) -> Engine {
    let mut loader = Loader::new();
    for f in [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
    ] {
        loader.add_path(&shared().join("rules/upstream").join(f));
    }
    let set = loader.finish();
    assert!(!set.has_errors(), "{:#?}", set.diagnostics());
    Engine::new(Arc::new(set.select(&RuleSelection::default())), mode)
}

/// `(rule, evt.num)` of every alert of a capture.
fn alerts(engine: &Engine, capture: &str) -> Vec<(String, u64)> {
    let path = shared().join("captures/falco").join(capture);
    let out = engine.replay_file(&path).expect("replay");
    out.alerts
        .into_iter()
        .map(|a| (a.rule, a.evt_num))
        .collect()
}

fn captures() -> Vec<String> {
    let mut caps: Vec<_> = std::fs::read_dir(shared().join("captures/falco"))
        .expect("../shared/captures/falco")
        .map(|d| d.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    caps.sort();
    caps
}

/// With Falco's default selection (enabled rules only) none of these captures alerts: they
/// are short traces of ordinary commands (cat, curl, ping, ls in an nginx container), and
/// the container captures lack the events the container rules need (no process with vpid 1
/// is spawned, no shell is spawned with a terminal). Reading the sysdig listings confirms it.
#[test]
fn enabled_upstream_rules_stay_quiet_on_the_captures() {
    let e = engine(MatchMode::First);
    let exits = engine(MatchMode::First).exits_only(true);
    for c in captures() {
        assert_eq!(alerts(&e, &c), vec![], "{c}");
        assert_eq!(alerts(&exits, &c), vec![], "{c} (exits only)");
    }
}

/// With every upstream rule enabled, the only alerts are the IPv6 server of
/// single_ipv6_conn: its listen on 2001:db8::3:1234 (evt 853) and the accepted connection
/// from 2001:db8::4 (evt 1153) match `inbound`, and the source is in no allowed list.
#[test]
fn all_upstream_rules_find_the_inbound_ipv6_connection() {
    let mut loader = Loader::new();
    for f in [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
    ] {
        loader.add_path(&shared().join("rules/upstream").join(f));
    }
    let set = loader.finish();
    let mut rules = set.rules().to_vec();
    for r in &mut rules {
        r.enabled = true;
    }
    let e = Engine::new(Arc::new(CompiledRules::new(rules)), MatchMode::All);
    for c in captures() {
        let expected: Vec<(String, u64)> = if c == "single_ipv6_conn.scap" {
            vec![
                ("Unexpected inbound connection source".into(), 853),
                ("Unexpected inbound connection source".into(), 1153),
            ]
        } else {
            vec![]
        };
        assert_eq!(alerts(&e, &c), expected, "{c}");
    }
}

/// A rule of our own on the container capture: the alert carries the rendered output, the
/// typed output fields and the context columns.
#[test]
fn alert_records_are_complete() {
    let mut loader = Loader::new();
    loader.add_str(
        "t.yaml",
        "- rule: ls in container\n  desc: d\n  condition: evt.type = execve and container.id != host and proc.name = ls\n  output: \"%proc.name ran in %container.id (%container.image.repository) by uid %user.uid parent %proc.pname\"\n  priority: NOTICE\n  tags: [container, t1]\n",
    );
    let set = loader.finish();
    assert!(!set.has_errors(), "{:?}", set.diagnostics());
    let e = Engine::new(
        Arc::new(set.select(&RuleSelection::default())),
        MatchMode::First,
    );
    let path = shared().join("captures/falco/psp_run_as_user_0_container.scap");
    let out = e.replay_file(&path).expect("replay");
    assert_eq!(out.alerts.len(), 1);
    let a = &out.alerts[0];
    assert_eq!(a.evt_num, 2183);
    assert_eq!(a.rule, "ls in container");
    assert_eq!(
        a.output,
        "ls ran in 697956520d89 (nginx) by uid 0 parent bash"
    );
    assert_eq!(a.priority, Priority::Notice);
    assert_eq!(a.tags, vec!["container".to_string(), "t1".to_string()]);
    assert_eq!(
        a.output_fields,
        vec![
            ("proc.name".to_string(), FieldValue::Str("ls".into())),
            (
                "container.id".to_string(),
                FieldValue::Str("697956520d89".into())
            ),
            (
                "container.image.repository".to_string(),
                FieldValue::Str("nginx".into())
            ),
            ("user.uid".to_string(), FieldValue::U64(0)),
            ("proc.pname".to_string(), FieldValue::Str("bash".into())),
        ]
    );
    let ctx = |name: &str| {
        let i = CONTEXT_FIELDS
            .iter()
            .position(|f| f.name == name)
            .expect(name);
        a.context[i].clone()
    };
    assert_eq!(ctx("proc.pid"), FieldValue::I64(32052));
    assert_eq!(ctx("container.image"), FieldValue::Str("nginx".into()));
    assert_eq!(ctx("user.name"), FieldValue::Str("root".into()));
}
