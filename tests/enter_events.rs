//! The two views of a capture from the command line: `--enter-events` on `replay`, `test`
//! and `rules validate`, `--libs-view` on `print`, and the load warning for conditions that
//! need the enter events current libs hide from rules.

use std::path::{Path, PathBuf};

use crate::util::run;

/// The lab shell capture, whose shell runs `execve`.
fn shell_trace() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpora/lab_shell.scap.zst")
        .display()
        .to_string()
}

/// A rule file with a rule on execve enters (line 3 holds its condition) and a rule on
/// execve exits.
fn enter_rules(dir: &Path) -> PathBuf {
    let p = dir.join("enter.yaml");
    std::fs::write(
        &p,
        "- rule: Exec enter\n  desc: d\n  condition: evt.type = execve and evt.dir = >\n  output: \"enter %proc.name %evt.dir\"\n  priority: INFO\n\n- rule: Exec exit\n  desc: d\n  condition: evt.type = execve and evt.dir = <\n  output: \"exit %proc.name %evt.dir\"\n  priority: INFO\n",
    )
    .unwrap();
    p
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn validate_warns_that_an_enter_only_condition_never_matches() {
    let dir = tempfile::tempdir().unwrap();
    let rules = enter_rules(dir.path());
    let file = rules.to_str().unwrap();
    let out = run(&["rules", "validate", file]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "the rule still loads: {stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains("never matches"))
        .unwrap_or_else(|| panic!("no never-matches warning: {stdout}"));
    // Located at the `evt.dir` check: line 3, after `  condition: evt.type = execve and `.
    assert!(
        line.starts_with(&format!("{file}:3:36: item 'Exec enter': warning: ")),
        "{line}"
    );
    assert!(line.contains("--enter-events"), "{line}");
    assert!(
        !stdout.contains("item 'Exec exit': warning: condition"),
        "{stdout}"
    );
    let out = run(&["rules", "validate", "--enter-events", file]);
    assert!(out.status.success());
    assert!(
        !text(&out.stdout).contains("never matches"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn replay_shows_enter_events_only_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let rules = enter_rules(dir.path());
    let trace = shell_trace();
    let base = [
        "replay",
        trace.as_str(),
        "-r",
        rules.to_str().unwrap(),
        "--match",
        "all",
    ];
    let out = run(&base);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stderr.contains("never matches"), "{stderr}");
    assert!(!stdout.contains(" enter "), "{stdout}");
    assert!(stdout.contains(" exit sh <"), "{stdout}");

    let mut with = base.to_vec();
    with.push("--enter-events");
    let out = run(&with);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(!stderr.contains("never matches"), "{stderr}");
    assert!(stdout.contains(" enter "), "{stdout}");
    assert!(stdout.contains(" >"), "{stdout}");
    assert!(stdout.contains(" exit sh <"), "{stdout}");
}

#[test]
fn replay_numbers_events_in_the_view() {
    // In current libs' view evt.num skips the enter events the converter drops; with
    // --enter-events it is the trace's own number, as `hindsight print` shows it.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("num.yaml");
    std::fs::write(
        &rules,
        "- rule: Exec exit\n  desc: d\n  condition: evt.type = execve and evt.dir = < and proc.name = sh\n  output: \"num=%evt.num\"\n  priority: INFO\n",
    )
    .unwrap();
    let trace = shell_trace();
    let replay = |extra: &[&str]| {
        let mut a = vec![
            "replay",
            trace.as_str(),
            "-r",
            rules.to_str().unwrap(),
            "-q",
        ];
        a.extend_from_slice(extra);
        let out = run(&a);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let num = |s: &str| -> u64 {
        s.split("num=")
            .nth(1)
            .and_then(|n| n.trim().lines().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no num in {s:?}"))
    };
    let libs = num(&replay(&[]));
    let sysdig = num(&replay(&["--enter-events"]));
    let printed = run(&[
        "print",
        &trace,
        "evt.type = execve and evt.dir = < and proc.name = sh",
        "-p",
        "%evt.num",
    ]);
    let printed: u64 = text(&printed.stdout)
        .trim()
        .lines()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(sysdig, printed);
    assert!(libs < sysdig, "libs {libs}, sysdig {sysdig}");
}

#[test]
fn print_libs_view_hides_syscall_enters() {
    let trace = shell_trace();
    let count = |extra: &[&str]| {
        let mut a = vec![
            "print",
            trace.as_str(),
            "evt.type = execve",
            "-p",
            "%evt.dir",
        ];
        a.extend_from_slice(extra);
        let out = run(&a);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let s = text(&out.stdout);
        (s.matches('>').count(), s.matches('<').count())
    };
    let (enters, exits) = count(&[]);
    assert!(enters > 0 && exits > 0, "{enters} {exits}");
    assert_eq!(count(&["--enter-events"]), (enters, exits));
    assert_eq!(count(&["--libs-view"]), (0, exits));
    let out = run(&["print", &trace, "--libs-view", "--enter-events"]);
    assert!(!out.status.success(), "the two views conflict");
}

#[test]
fn test_command_flag_shows_enter_events_to_every_file() {
    let dir = tempfile::tempdir().unwrap();
    enter_rules(dir.path());
    let t = dir.path().join("enter.test.yaml");
    std::fs::write(
        &t,
        format!(
            "traces: [{}]\nrules: [enter.yaml]\nexpect:\n  - {{rule: Exec enter, min: 1}}\n",
            shell_trace()
        ),
    )
    .unwrap();
    let file = t.to_str().unwrap();
    let out = run(&["test", file]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let out = run(&["test", "--enter-events", file]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn help_explains_the_two_views() {
    for cmd in ["replay", "print", "test"] {
        let out = run(&[cmd, "--help"]);
        let help = text(&out.stdout);
        assert!(help.contains("--enter-events"), "{cmd}: {help}");
        assert!(help.contains("Views of a capture"), "{cmd}: {help}");
        assert!(help.contains("Falco 0.41 and earlier"), "{cmd}: {help}");
    }
}

#[test]
fn latency_conditions_warn_and_never_fire_by_default() {
    // evt.latency is measured from the enter event: always 0 in current libs' view (as in
    // Falco 0.44), the real latency with --enter-events.
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("latency.yaml");
    std::fs::write(
        &rules,
        "- rule: Slow exec\n  desc: d\n  condition: evt.type = execve and evt.latency > 0\n  output: \"lat=%evt.latency\"\n  priority: INFO\n",
    )
    .unwrap();
    let trace = shell_trace();
    let base = ["replay", trace.as_str(), "-r", rules.to_str().unwrap()];
    let out = run(&base);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:3:36: item 'Slow exec': warning: evt.latency is always 0 by default",
            rules.display()
        )),
        "{stderr}"
    );
    assert!(!text(&out.stdout).contains("lat="), "{}", text(&out.stdout));
    let mut with = base.to_vec();
    with.push("--enter-events");
    let out = run(&with);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("always 0"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("lat="), "{}", text(&out.stdout));
}
