//! Rule loading semantics, each checked on a small rule file, and condition evaluation through
//! an in-memory field source.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;

use hindsight_replay::rules::{
    compile_filter, Condition, EvalScratch, FieldRef, FieldSource, Loader, Priority, RuleSelection,
    RuleSet, Severity, Values,
};

/// `../shared` (or `$HINDSIGHT_SHARED`).
fn shared() -> PathBuf {
    std::env::var_os("HINDSIGHT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/rules")).join(name)
}

fn upstream() -> Vec<PathBuf> {
    let u = shared().join("rules/upstream");
    vec![
        u.join("falco_rules.yaml"),
        u.join("falco-incubating_rules.yaml"),
        u.join("falco-sandbox_rules.yaml"),
    ]
}

fn load(yaml: &str) -> RuleSet {
    let mut l = Loader::new();
    l.add_str("t.yaml", yaml);
    l.finish()
}

/// Diagnostics as printed, errors and warnings.
fn diags(set: &RuleSet) -> Vec<String> {
    set.diagnostics().iter().map(ToString::to_string).collect()
}

fn errors(set: &RuleSet) -> Vec<String> {
    set.diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect()
}

fn assert_clean(set: &RuleSet) {
    assert!(!set.has_errors(), "unexpected errors: {:#?}", diags(set));
}

fn assert_error(set: &RuleSet, expected: &str) {
    let e = errors(set);
    assert!(
        e.iter().any(|l| l.contains(expected)),
        "no error containing {expected:?} in {e:#?}"
    );
}

fn rule(name: &str, cond: &str) -> String {
    format!("- rule: {name}\n  desc: d\n  condition: {cond}\n  output: o %proc.name\n  priority: WARNING\n")
}

/// An event as field name (with argument, as `FieldRef::display` prints it) to values.
#[derive(Default)]
struct Event(HashMap<String, Vec<V>>);

#[derive(Clone)]
enum V {
    S(&'static str),
    U(u64),
    I(i64),
    B(bool),
    Ip(&'static str),
}

impl Event {
    fn with(mut self, field: &str, vals: &[V]) -> Event {
        self.0.insert(field.to_string(), vals.to_vec());
        self
    }
}

impl FieldSource for Event {
    fn extract(&mut self, field: &FieldRef, out: &mut Values) -> bool {
        let Some(vals) = self.0.get(&field.display()) else {
            return false;
        };
        for v in vals {
            match v {
                V::S(s) => out.push_str(s.as_bytes()),
                V::U(u) => out.push_u64(*u),
                V::I(i) => out.push_i64(*i),
                V::B(b) => out.push_bool(*b),
                V::Ip(s) => out.push_ip(s.parse::<IpAddr>().unwrap()),
            }
        }
        true
    }
}

fn filter(text: &str) -> Condition {
    compile_filter(text, None)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .condition
}

fn eval(c: &Condition, ev: &mut Event) -> bool {
    c.eval(ev, &mut EvalScratch::new())
}

#[test]
fn upstream_rules_validate_together() {
    let set = RuleSet::load(&upstream());
    assert_clean(&set);
    assert!(set.rules().len() >= 90, "only {} rules", set.rules().len());
    let shell = set
        .rules()
        .iter()
        .find(|r| r.name == "Terminal shell in container")
        .unwrap();
    assert_eq!(shell.priority, Priority::Notice);
    assert!(shell.event_types.names().contains(&"execve"));
    assert!(!shell.event_types.names().contains(&"open"));
}

#[test]
fn seed_rules_validate_once_the_yaml_is_fixed() {
    let mut paths = upstream();
    paths.push(data("seeds/lab_fixed.yaml"));
    let set = RuleSet::load(&paths);
    assert_clean(&set);
    for name in [
        "Unauthorized process on nginx containers",
        "Unauthorized port",
        "Write to non user_data dir",
    ] {
        assert!(set.rules().iter().any(|r| r.name == name), "{name} missing");
    }
    let set = RuleSet::load(&[data("seeds/sprint_fixed.yaml")]);
    assert_clean(&set);
    assert!(set.diagnostics().is_empty(), "{:#?}", diags(&set));
}

#[test]
fn seed_yaml_as_published_gets_located_errors() {
    let set = RuleSet::load(&[data("seeds/lab_as_published.yaml")]);
    let e = errors(&set);
    assert_eq!(e.len(), 1, "{e:#?}");
    assert!(
        e[0].contains("lab_as_published.yaml:41:1: item 'open_write': error: invalid YAML"),
        "{}",
        e[0]
    );
    assert!(e[0].contains("indentation"), "{}", e[0]);
    let set = RuleSet::load(&[data("seeds/sprint_as_published.yaml")]);
    assert_error(
        &set,
        "sprint_as_published.yaml:17:1: item 'Write below binary dir': error: invalid YAML",
    );
    // With the YAML fixed, the macro written with `items` is still an error, as in Falco.
    let set = RuleSet::load(&[data("seeds/sprint_yaml_fixed.yaml")]);
    assert_eq!(errors(&set).len(), 1);
    assert_error(&set, "sprint_yaml_fixed.yaml:10:1: item 'package_mgmt_binaries': error: item has no 'condition' key");
}

#[test]
fn lists_flatten_and_expand_in_list_operands() {
    let set = load(&format!(
        "- list: a\n  items: [x, 'y z']\n- list: b\n  items: [a, w]\n- list: c\n  items: [\"'q r'\", b]\n{}",
        rule("r", "proc.name in (c, v) or proc.name intersects b or fd.name pmatch (c)")
    ));
    assert_clean(&set);
    assert_eq!(set.list("c").unwrap(), ["'q r'", "x", "y z", "w"]);
    let r = &set.rules()[0];
    for (name, hit) in [
        ("x", true),
        ("q r", true),
        ("v", true),
        ("w", true),
        ("c", false),
        ("b", false),
        ("y", false),
    ] {
        let mut ev = Event::default().with("proc.name", &[V::S(name)]);
        assert_eq!(eval(&r.condition, &mut ev), hit, "{name}");
    }
    // A quoted name is a value, not a list reference.
    let set = load(&format!(
        "- list: a\n  items: [x]\n{}",
        rule("r", "proc.name in (\"a\") and evt.type = open")
    ));
    assert!(diags(&set)
        .iter()
        .any(|d| d.contains("item 'a': warning: list not referred to")));
}

#[test]
fn macros_expand_with_falco_visibility() {
    // A macro sees only macros defined before it; rules see all.
    let set = load(&format!(
        "- macro: m1\n  condition: m2\n- macro: m2\n  condition: proc.name = a\n{}",
        rule("r", "m2 and evt.type = open")
    ));
    assert_error(&set, "t.yaml:2:14: item 'm1': error: undefined macro 'm2'");
    let set = load(&format!(
        "{}- macro: m2\n  condition: proc.name = a\n- macro: m3\n  condition: m2 or proc.name = b\n",
        rule("r", "m3 and evt.type = open")
    ));
    assert_clean(&set);
    let r = &set.rules()[0];
    let ev = |p: &'static str| {
        Event::default()
            .with("proc.name", &[V::S(p)])
            .with("evt.type", &[V::S("open")])
    };
    assert!(eval(&r.condition, &mut ev("b")));
    assert!(eval(&r.condition, &mut ev("a")));
    assert!(!eval(&r.condition, &mut ev("c")));
    // Undefined macros in rules are errors, located in the condition.
    let set = load(&rule("r", "proc.name = a and nosuch"));
    assert_error(
        &set,
        "t.yaml:3:32: item 'r': error: undefined macro 'nosuch'",
    );
    // A macro appended to refer to itself is a loop, not a stack overflow.
    let set = load(&format!(
        "- macro: m\n  condition: proc.name = a\n- macro: m\n  condition: or m\n  override:\n    condition: append\n{}",
        rule("r", "m")
    ));
    assert_error(&set, "refers to itself");
}

#[test]
fn append_and_override() {
    let base = "- list: l\n  items: [a]\n- macro: m\n  condition: proc.name in (l)\n";
    let set = load(&format!(
        "{base}{}- list: l\n  items: [b]\n  append: true\n- macro: m\n  condition: or proc.name = c\n  override:\n    condition: append\n\
- rule: r\n  condition: and fd.name = /x\n  output: more %fd.name\n  desc: more\n  tags: [t2]\n  override:\n    condition: append\n    output: append\n    desc: append\n    tags: append\n\
- rule: r\n  priority: critical\n  enabled: false\n  override:\n    priority: replace\n    enabled: replace\n",
        rule("r", "m")
    ));
    assert_clean(&set);
    assert!(diags(&set)
        .iter()
        .any(|d| d.contains("warning: 'append' is deprecated")));
    let r = &set.rules()[0];
    assert_eq!(r.priority, Priority::Critical);
    assert!(!r.enabled);
    assert_eq!(r.desc, "d more");
    assert_eq!(r.output.fields().count(), 2);
    let mut ev = Event::default()
        .with("proc.name", &[V::S("b")])
        .with("fd.name", &[V::S("/x")]);
    assert!(eval(&r.condition, &mut ev));
    let mut ev = Event::default()
        .with("proc.name", &[V::S("c")])
        .with("fd.name", &[V::S("/y")]);
    // A macro is substituted as one node: `(proc.name in (a, b) or proc.name = c) and fd.name = /x`.
    assert!(!eval(&r.condition, &mut ev));

    let set = load("- rule: nope\n  condition: a\n  override:\n    condition: append\n");
    assert_error(
        &set,
        "item 'nope': error: rule 'nope' has 'override' but no rule of that name",
    );
    let set = load(&format!(
        "{}- rule: r\n  condition: x\n  append: true\n  override:\n    condition: append\n",
        rule("r", "evt.type = open")
    ));
    assert_error(&set, "cannot be used together");
    let set = load(&format!(
        "{}- rule: r\n  condition: x\n  desc: y\n  override:\n    condition: append\n",
        rule("r", "evt.type = open")
    ));
    assert_error(&set, "t.yaml:8:3: item 'r': error: unexpected key 'desc'");
    let set = load("- list: l\n  items: [a]\n  append: true\n");
    assert_error(&set, "list 'l' has 'append' but no list of that name");
}

#[test]
fn exceptions_become_and_not_clauses() {
    let set = load(&format!(
        "- list: trusted\n  items: [sshd, systemd]\n{}  exceptions:\n    - name: by_proc\n      fields: proc.name\n      values: [trusted, cron]\n    - name: by_pair\n      fields: [proc.pname, fd.name]\n      comps: [=, startswith]\n      values:\n        - [bash, /tmp]\n        - [zsh, /var]\n    - name: by_list\n      fields: [proc.pname, fd.directory]\n      comps: [in, in]\n      values:\n        - [[make, cc], trusted]\n\
- rule: r\n  exceptions:\n    - name: by_proc\n      values: [atd]\n  override:\n    exceptions: append\n",
        rule("r", "fd.name startswith /")
    ));
    assert_clean(&set);
    let c = &set.rules()[0].condition;
    let ev = |p: &'static str, pp: &'static str, f: &'static str, d: &'static str| {
        Event::default()
            .with("proc.name", &[V::S(p)])
            .with("proc.pname", &[V::S(pp)])
            .with("fd.name", &[V::S(f)])
            .with("fd.directory", &[V::S(d)])
    };
    assert!(eval(c, &mut ev("vi", "bash", "/etc/x", "/etc")));
    assert!(
        !eval(c, &mut ev("sshd", "bash", "/etc/x", "/etc")),
        "list value of a single-field exception"
    );
    assert!(
        !eval(c, &mut ev("atd", "bash", "/etc/x", "/etc")),
        "appended exception value"
    );
    assert!(
        !eval(c, &mut ev("vi", "bash", "/tmp/x", "/tmp")),
        "tuple exception"
    );
    assert!(
        eval(c, &mut ev("vi", "zsh", "/tmp/x", "/tmp")),
        "tuple fields must all match"
    );
    assert!(
        !eval(c, &mut ev("vi", "cc", "/x", "systemd")),
        "list values and list names in tuples"
    );

    let set = load(&format!(
        "{}  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=]\n",
        rule("r", "evt.type = open")
    ));
    assert_error(
        &set,
        "exception 'e': 'fields' and 'comps' lists must have equal length",
    );
    let set = load(&format!(
        "{}  exceptions:\n    - name: e\n      fields: proc.nosuch\n",
        rule("r", "evt.type = open")
    ));
    assert_error(&set, "'proc.nosuch' is not a supported filter field");
    let set = load(&format!(
        "{}  exceptions:\n    - name: e\n      fields: proc.name\n      comps: startswith\n",
        rule("r", "evt.type = open")
    ));
    assert_error(&set, "comps' must be one of in, pmatch, intersects");
}

#[test]
fn enabled_priority_source_and_engine_version() {
    let set = load(&format!(
        "- required_engine_version: 0.50.0\n{}  enabled: false\n- rule: r\n  enabled: true\n{}{}",
        rule("r", "evt.type = open"),
        rule("low", "evt.type = open").replace("WARNING", "info"),
        rule("k8s", "ka.verb = create").replace("  priority", "  source: k8s_audit\n  priority"),
    ));
    assert_clean(&set);
    assert!(
        set.rules()[0].enabled,
        "enabled-only item re-enables the rule"
    );
    assert!(diags(&set)
        .iter()
        .any(|d| d.contains("item 'r': warning: a rule item with only 'enabled' is deprecated")));
    assert_eq!(set.rules()[1].priority, Priority::Informational);
    assert_eq!(set.rules().len(), 2, "non-syscall rules are skipped");
    assert!(diags(&set)
        .iter()
        .any(|d| d.contains("item 'k8s': warning: unknown source 'k8s_audit'")));

    let set = load(&rule("r", "evt.type = open").replace("WARNING", "loud"));
    assert_error(&set, "t.yaml:5:3: item 'r': error: invalid priority 'loud'");
    let set = load("- required_engine_version: 9.0.0\n");
    assert_error(&set, "rules require engine version 9.0.0");
    let set = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  priority: WARNING\n");
    assert_error(&set, "item 'r': error: item has no 'output' key");
}

#[test]
fn event_types_follow_libsinsp() {
    let set = load(
        &[
            rule("eq", "evt.type = open and proc.name = a"),
            rule("in", "evt.type in (open, execve)"),
            rule("ne", "evt.type != open and evt.type = execve"),
            rule(
                "not",
                "not (evt.type = open or proc.name = a) and evt.type in (open, execve)",
            ),
            rule("none", "proc.name = a"),
            rule("never", "evt.num = 0"),
        ]
        .concat(),
    );
    assert_clean(&set);
    let names = |n: &str| {
        set.rules()
            .iter()
            .find(|r| r.name == n)
            .unwrap()
            .event_types
            .names()
    };
    assert_eq!(names("eq"), ["open"]);
    assert_eq!(names("in"), ["open", "execve"]);
    assert_eq!(names("ne"), ["execve"]);
    assert_eq!(names("not"), ["execve"]);
    assert!(names("none").len() > 100);
    assert!(names("never").is_empty());
    let w: Vec<_> = diags(&set)
        .into_iter()
        .filter(|d| d.contains("too many event types"))
        .collect();
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(
        w[0].starts_with("t.yaml:21:1: item 'none': warning"),
        "{}",
        w[0]
    );

    let compiled = set.select(&RuleSelection::default());
    let open = hindsight_format::schema::event_ids_by_name("open")
        .next()
        .unwrap();
    let names: Vec<_> = compiled
        .candidates(open)
        .iter()
        .map(|&i| compiled.rules()[i as usize].name.as_str())
        .collect();
    assert_eq!(names, ["eq", "in", "none"]);
}

#[test]
fn condition_errors_are_located() {
    let cases = [
        ("proc.nosuch = a", "t.yaml:3:14: item 'r': error: unknown field 'proc.nosuch'"),
        ("(proc.name = a", "t.yaml:3:28: item 'r': error: expected ')'"),
        ("proc.pid startswith 1", "t.yaml:3:14: item 'r': error: operator 'startswith' cannot be used with field 'proc.pid'"),
        ("proc.pid = abc", "t.yaml:3:25: item 'r': error: 'abc' is not a number"),
        ("proc.name < a", "t.yaml:3:26: item 'r': error: expected a number"),
        ("proc.name bcontains 41", "operator 'bcontains' cannot be used"),
        ("fd.sport in (80, http)", "'http' is not a number"),
        ("container.privileged = yes", "is not a boolean"),
        ("fd.net = 10.0.0.0/33", "not an IP address or CIDR network"),
        ("proc.name regex '('", "invalid regex"),
        ("proc.name = \"a\\q\"", "unsupported escape"),
        ("evt.arg = x", "requires an argument"),
        ("proc.name[1] = x", "takes no argument"),
        ("proc.aname[x] = y", "numeric index"),
        ("len(proc.pid) > 1", "needs a string field"),
        ("proc.name = val(fd.ip)", "cannot be used on the right"),
        ("proc.name = val(proc.pid)", "cannot compare"),
    ];
    for (cond, expected) in cases {
        let set = load(&rule("r", cond));
        assert_error(&set, expected);
    }
    let set = load("- rule: r\n  desc: d\n  condition: >\n    evt.type = open\n    and proc.nosuch = 1\n  output: o\n  priority: INFO\n");
    assert_error(
        &set,
        "t.yaml:5:9: item 'r': error: unknown field 'proc.nosuch'",
    );
    let set = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: \"o %proc.nosuch\"\n  priority: INFO\n");
    assert_error(
        &set,
        "t.yaml:4:15: item 'r': error: unknown field 'proc.nosuch' in output",
    );
    let set = load("- rule: r\n  desc: [unclosed\n");
    assert_error(&set, "error: invalid YAML");
    let set = load("rule: not a sequence\n");
    assert_error(&set, "not a sequence of items");
}

#[test]
fn several_documents_and_unused_items() {
    let set = load(&format!(
        "- list: unused\n  items: []\n---\n- macro: idle\n  condition: proc.name = a\n---\n{}",
        rule("r", "evt.type = open")
    ));
    assert_clean(&set);
    let d = diags(&set);
    assert!(d.iter().any(|l| l == "t.yaml:1:1: item 'unused': warning: list not referred to by any other rule, macro or list"), "{d:#?}");
    assert!(
        d.iter()
            .any(|l| l.starts_with("t.yaml:4:1: item 'idle': warning: macro not referred")),
        "{d:#?}"
    );
    assert_eq!(set.rules()[0].location.line, 7);
}

#[test]
fn operators_and_transformers_evaluate_like_libsinsp() {
    let mut ev = Event::default()
        .with("proc.name", &[V::S("Bash")])
        .with("proc.exe", &[V::S("/usr/bin/bash")])
        .with("proc.cmdline", &[V::S("bash -c 'echo aGk='")])
        .with("proc.args", &[V::S("aGk=")])
        .with("proc.pid", &[V::I(42)])
        .with("proc.tty", &[V::U(34816)])
        .with("evt.rawres", &[V::I(-2)])
        .with("fd.name", &[V::S("/etc/shadow")])
        .with("fd.sip", &[V::Ip("10.1.2.3")])
        .with("fd.snet", &[V::Ip("10.1.2.3")])
        .with("fd.sport", &[V::U(443)])
        .with("fd.types", &[V::S("ipv4"), V::S("file")])
        .with("proc.aname", &[V::S("sshd"), V::S("systemd")])
        .with("proc.aname[2]", &[V::S("systemd")])
        .with("container.privileged", &[V::B(true)])
        .with("evt.buffer", &[V::S("\x7fELF")]);
    let yes = [
        "proc.name = Bash",
        "proc.name == Bash and proc.name != bash",
        "proc.name icontains BAS and proc.name contains as",
        "proc.exe startswith /usr/ and proc.exe endswith /bash",
        "proc.exe glob '/usr/*/b?sh' and proc.name iglob 'b*H'",
        "proc.exe pmatch (/usr/bin, /opt)",
        "fd.name regex '/etc/(shadow|passwd)'",
        "not fd.name regex 'shadow'",
        "proc.pid > 41 and proc.pid >= 42 and proc.pid < 43 and proc.pid <= 42 and proc.pid in (1, 42)",
        "proc.tty != 0 and proc.tty = 0x8800",
        "evt.rawres < 0 and evt.rawres = -2",
        "fd.sip = 10.1.2.3 and fd.snet = 10.0.0.0/8 and fd.snet in (192.168.0.0/16, 10.1.0.0/16)",
        "fd.sport in (80, 443)",
        "fd.types intersects (file, unix) and fd.types in (file, ipv4, pipe)",
        "not fd.types in (file)",
        "proc.aname = systemd and proc.aname[2] = systemd and not proc.aname[2] = sshd",
        "container.privileged = true and container.privileged in (true)",
        "evt.buffer bcontains 454c46 and evt.buffer bstartswith 7f",
        "tolower(proc.name) = bash and toupper(proc.name) = BASH",
        "basename(proc.exe) = bash and len(proc.exe) = 13 and len(fd.types) = 2",
        "b64(proc.args) = hi",
        "proc.exe endswith val(proc.cmdline) or basename(proc.exe) = tolower(proc.name)",
        "proc.name exists and not proc.pname exists",
        "proc.pname != x or proc.name = Bash",
        "((((proc.name = Bash))))",
    ];
    for f in yes {
        assert!(eval(&filter(f), &mut ev), "expected true: {f}");
    }
    let no = [
        "proc.pname = x",
        "proc.pname != x",
        "fd.snet = 192.168.0.0/16",
        "proc.name in ()",
        "fd.name pmatch (/et)",
    ];
    for f in no {
        assert!(!eval(&filter(f), &mut ev), "expected false: {f}");
    }
}

#[test]
fn filters_use_macros_and_lists_of_a_rule_set() {
    let set = load(&format!("- list: shells\n  items: [bash, sh]\n- macro: shell\n  condition: proc.name in (shells)\n{}", rule("r", "shell")));
    let c = set
        .compile_filter("shell and not proc.name = sh")
        .unwrap()
        .condition;
    assert!(eval(
        &c,
        &mut Event::default().with("proc.name", &[V::S("bash")])
    ));
    let e = set.compile_filter("shell and").unwrap_err();
    assert_eq!(e.offset, 9);
    assert!(compile_filter("nosuch", None)
        .unwrap_err()
        .message
        .contains("undefined macro"));
}

#[test]
fn selection_and_first_match() {
    let yaml = [
        rule("a", "proc.name = x").replace("  priority", "  tags: [t1]\n  priority"),
        rule("b", "proc.name = x").replace("WARNING", "DEBUG"),
        rule("c", "proc.name = x")
            .replace("  priority", "  tags: [t2]\n  priority")
            .replace("WARNING", "ERROR"),
    ]
    .concat();
    let set = load(&yaml);
    let open = hindsight_format::schema::event_ids_by_name("open")
        .next()
        .unwrap();
    let mut ev = Event::default().with("proc.name", &[V::S("x")]);
    let mut s = EvalScratch::new();
    let pick = |sel: RuleSelection, ev: &mut Event, s: &mut EvalScratch| {
        let c = set.select(&sel);
        let mut all = Vec::new();
        c.all_matches(open, ev, s, &mut all);
        (
            c.first_match(open, ev, s)
                .map(|i| c.rules()[i].name.clone()),
            all.len(),
        )
    };
    assert_eq!(
        pick(RuleSelection::default(), &mut ev, &mut s),
        (Some("a".into()), 3)
    );
    assert_eq!(
        pick(
            RuleSelection {
                only_tags: vec!["t2".into()],
                ..Default::default()
            },
            &mut ev,
            &mut s
        ),
        (Some("c".into()), 1)
    );
    assert_eq!(
        pick(
            RuleSelection {
                disabled_tags: vec!["t1".into()],
                ..Default::default()
            },
            &mut ev,
            &mut s
        ),
        (Some("b".into()), 2)
    );
    assert_eq!(
        pick(
            RuleSelection {
                disabled_names: vec!["^[ab]$".into()],
                ..Default::default()
            },
            &mut ev,
            &mut s
        ),
        (Some("c".into()), 1)
    );
    assert_eq!(
        pick(
            RuleSelection {
                min_priority: Some(Priority::Error),
                ..Default::default()
            },
            &mut ev,
            &mut s
        ),
        (Some("c".into()), 1)
    );
}

/// Counts the extractions of each field, for the checks a rule set shares.
struct Counting<'e> {
    ev: &'e mut Event,
    extracted: HashMap<String, usize>,
}

impl FieldSource for Counting<'_> {
    fn extract(&mut self, field: &FieldRef, out: &mut Values) -> bool {
        *self.extracted.entry(field.display()).or_default() += 1;
        self.ev.extract(field, out)
    }
}

#[test]
fn checks_shared_by_rules_are_evaluated_once_per_event() {
    let yaml = [
        "- macro: m\n  condition: proc.name = x and fd.num >= 0\n",
        &rule("a", "m and fd.name = /a"),
        &rule("b", "m and fd.name = /b"),
        &rule("c", "(proc.name = x) and not fd.name = /a"),
    ]
    .concat();
    let set = load(&yaml);
    assert_clean(&set);
    let rules = set.select(&RuleSelection::default());
    let open = hindsight_format::schema::event_ids_by_name("open")
        .next()
        .unwrap();
    let mut s = EvalScratch::new();
    // Events that flip each check, one after the other through the same scratch: a result
    // remembered from the previous event would show as a wrong match.
    for (name, fd, num) in [
        ("x", "/a", 3),
        ("y", "/a", 3),
        ("x", "/b", 3),
        ("x", "/b", -1),
        ("x", "/c", 0),
    ] {
        let mut ev = Event::default()
            .with("proc.name", &[V::S(name)])
            .with("fd.name", &[V::S(fd)])
            .with("fd.num", &[V::I(num)]);
        let alone: Vec<usize> = (0..rules.rules().len())
            .filter(|&i| {
                rules.rules()[i]
                    .condition
                    .eval(&mut ev, &mut EvalScratch::new())
            })
            .collect();
        let mut src = Counting {
            ev: &mut ev,
            extracted: HashMap::new(),
        };
        let mut all = Vec::new();
        rules.all_matches(open, &mut src, &mut s, &mut all);
        assert_eq!(all, alone, "{name} {fd} {num}");
        // Three rules test proc.name = x, two fd.num >= 0; fd.name has two distinct checks.
        for (field, most) in [("proc.name", 1), ("fd.num", 1), ("fd.name", 2)] {
            let n = src.extracted.get(field).copied().unwrap_or(0);
            assert!(
                n <= most,
                "{field} extracted {n} times for {name} {fd} {num}"
            );
        }
        assert_eq!(
            rules.first_match(open, &mut src, &mut s),
            alone.first().copied()
        );
    }
}

#[test]
fn hostile_conditions_do_not_crash() {
    for cond in [
        format!("'{}'", "(".repeat(5000)),
        format!("\"{}evt.type = open{}\"", "(".repeat(300), ")".repeat(300)),
        format!("\"{}evt.type = open\"", "not ".repeat(3000)),
        "\"\\x\"".to_string(),
        "\"proc.name = '\\xZZ'\"".to_string(),
    ] {
        let set = load(&rule("r", &cond));
        assert!(set.has_errors() || !set.rules().is_empty());
    }
    // A long chain of macros, each nesting the previous one.
    let mut yaml = String::from("- macro: m0\n  condition: proc.name = a\n");
    for i in 1..1500 {
        yaml.push_str(&format!(
            "- macro: m{i}\n  condition: (m{} and proc.name = a)\n",
            i - 1
        ));
    }
    yaml.push_str(&rule("r", "m1499"));
    let set = load(&yaml);
    assert_error(&set, "nests deeper than");
}

/// Fields sysdig 0.29.3 knows that the libsinsp catalogue no longer has: the Kubernetes
/// API-server metadata (`k8s.deployment.*`, `k8s.rc.*`, `k8s.rs.*`, `k8s.svc.*`, `k8s.ns.id`,
/// `k8s.ns.label*`, removed upstream with the k8s client) and sysdig's `evt.around` chisel helper.
fn dropped_upstream(name: &str) -> bool {
    [
        "k8s.deployment.",
        "k8s.rc.",
        "k8s.rs.",
        "k8s.svc.",
        "k8s.ns.id",
        "k8s.ns.label",
    ]
    .iter()
    .any(|p| name.starts_with(p))
        || name == "evt.around"
}

#[test]
fn catalogue_covers_sysdig_field_list() {
    if std::env::var_os("HINDSIGHT_SKIP_SYSDIG").is_some() {
        eprintln!("HINDSIGHT_SKIP_SYSDIG set: skipping the comparison with `sysdig -l`");
        return;
    }
    let out = std::process::Command::new("sysdig")
        .arg("-l")
        .output()
        .expect("sysdig is the field oracle; install it or set HINDSIGHT_SKIP_SYSDIG=1");
    let text = String::from_utf8_lossy(&out.stdout);
    let classes = [
        "evt.",
        "syscall.",
        "proc.",
        "thread.",
        "fd.",
        "fdlist.",
        "fs.",
        "user.",
        "group.",
        "container.",
        "k8s.",
    ];
    let names: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with(char::is_whitespace))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| classes.iter().any(|c| n.starts_with(c)))
        .collect();
    assert!(names.len() > 150, "unexpected `sysdig -l` output");
    let missing: Vec<_> = names
        .iter()
        .filter(|n| !dropped_upstream(n) && hindsight_replay::fields::catalog::field(n).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "fields sysdig knows but the catalogue lacks: {missing:?}"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

    /// What the fuzz target does, on condition-like text: compile as a filter and load as a
    /// macro used by a rule. Errors are fine; panics and stack overflows are not.
    #[test]
    fn hostile_text_through_compiler_and_loader(
        s in r#"((not |\(|\)| and | or |proc\.aname\[|fd\.sport|evt\.type|\]|=|<|!=| in | pmatch |,|'|"|\\x4|tolower\(|val\(|exists|m|open|0x1|-5|/etc)){0,30}"#
    ) {
        let _ = compile_filter(&s, None);
        let set = load(&format!("- macro: m\n  condition: {s:?}\n{}", rule("r", "m")));
        proptest::prop_assert!(set.has_errors() || set.rules().len() == 1);
    }
}
