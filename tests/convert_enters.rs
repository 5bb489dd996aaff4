//! `hindsight convert --enter-events` end to end: an exit-only recording (`record
//! --exit-only`, made live, as root) written back with its enter events must be read by
//! sysdig 0.29 (the oracle) without error, print in sysdig exactly as in `hindsight print
//! --enter-events`, pair every exit with its enter, and show the exits a recording with
//! enter events of the same activity shows; traces that have their enter events (the shared
//! captures, the corpus) are written as they are. The privileged tests skip, with a visible
//! message, when not root.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::record::record_with;
use crate::util::{falco_captures, run, sysdig_available};

/// The scripted activity, one program at a time: file reads and writes, a directory listing, execs, UDP and
/// TCP sockets, dup2 and close.
const ACTIVITY: &str = "for i in 1 2; do cat /etc/shadow >/dev/null; done; \
    ls -la /root >/dev/null; \
    sh -c 'echo x > /tmp/hindsight-convert-file; rm /tmp/hindsight-convert-file'; \
    cat /etc/hostname >/dev/null; \
    python3 -c 'import socket, os; \
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); \
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind((\"127.0.0.1\", 0)); \
    s.sendto(b\"to\", r.getsockname()); r.recvfrom(10); \
    l = socket.socket(); l.bind((\"127.0.0.1\", 0)); l.listen(); \
    c = socket.socket(); c.connect(l.getsockname()); a, _ = l.accept(); \
    a.send(b\"tcp\"); c.recv(10); os.dup2(a.fileno(), 20); os.close(20)'";

/// Records the activity into `dir/name.scap.zst` with `options` of `hindsight record`.
fn record(test: &str, dir: &Path, name: &str, options: &[&str]) -> Option<PathBuf> {
    record_with(test, dir, name, options, &["bash", "-c", ACTIVITY])
}

/// Runs `hindsight convert input output [flags]`; returns its stderr.
fn convert(input: &Path, output: &Path, flags: &[&str]) -> String {
    let mut args = vec!["convert", input.to_str().unwrap(), output.to_str().unwrap()];
    args.extend_from_slice(flags);
    let out = run(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "convert {args:?}: {stderr}");
    stderr
}

/// The number of enter events `convert --enter-events` said it wrote back.
fn written_back(stderr: &str) -> u64 {
    stderr
        .split_once(" (")
        .and_then(|(_, rest)| rest.split_once(' '))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of enter events in {stderr:?}"))
}

/// `sysdig -r trace [-p format] filter`: its stdout, after checking it ran without error.
fn sysdig(trace: &Path, format: Option<&str>, filter: &str) -> String {
    let mut c = Command::new("sysdig");
    c.arg("-r").arg(trace);
    if let Some(f) = format {
        c.args(["-p", f]);
    }
    let out = c.arg(filter).output().expect("sysdig runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stderr.trim().is_empty(),
        "sysdig -r {}: {stderr}",
        trace.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether sysdig is here; without it the tests fail unless `HINDSIGHT_SKIP_SYSDIG=1`.
fn sysdig_or_skip(test: &str) -> bool {
    if sysdig_available() {
        return true;
    }
    assert!(
        std::env::var("HINDSIGHT_SKIP_SYSDIG").as_deref() == Ok("1"),
        "sysdig is not installed (set HINDSIGHT_SKIP_SYSDIG=1 to skip {test})"
    );
    eprintln!("SKIPPED {test}: sysdig is not installed");
    false
}

/// The first line where `a` and `b` differ.
fn first_difference(a: &str, b: &str) -> Option<String> {
    let (la, lb): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
    (0..la.len().max(lb.len()))
        .find(|&i| la.get(i) != lb.get(i))
        .map(|i| format!("line {}:\n  {:?}\n  {:?}", i + 1, la.get(i), lb.get(i)))
}

#[test]
fn convert_enter_events_writes_traces_with_enters_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let mut traces = falco_captures();
    traces.push(corpora.join("lab_sensitive.scap.zst"));
    traces.push(corpora.join("lab_port.scap.zst"));
    for trace in traces {
        let (plain, with) = (dir.path().join("plain.scap"), dir.path().join("with.scap"));
        convert(&trace, &plain, &[]);
        let said = convert(&trace, &with, &["--enter-events"]);
        assert!(said.contains("has its enter events"), "{said}");
        assert!(
            std::fs::read(&plain).unwrap() == std::fs::read(&with).unwrap(),
            "{}: --enter-events changed a trace that has its enters",
            trace.display()
        );
    }
}

#[test]
fn privileged_exit_only_recording_with_enters_written_back_reads_in_sysdig_as_in_print() {
    let test =
        "privileged_exit_only_recording_with_enters_written_back_reads_in_sysdig_as_in_print";
    if !sysdig_or_skip(test) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(native) = record(test, dir.path(), "exit-only", &["--exit-only"]) else {
        return;
    };
    let out = dir.path().join("enters.scap");
    let n = written_back(&convert(&native, &out, &["--enter-events"]));
    assert!(n > 500, "only {n} enter events written back");
    // The result has its enters: converting it again leaves it as it is.
    let again = dir.path().join("again.scap");
    assert!(convert(&out, &again, &["--enter-events"]).contains("has its enter events"));
    assert!(std::fs::read(&out).unwrap() == std::fs::read(&again).unwrap());

    // sysdig reads it without error and prints what `hindsight print --enter-events` does.
    // The parent's vfork exit names its child in sysdig 0.29 (`res=N(sh)`) and not in
    // hindsight, in recordings with enters too: a difference of the printer, left out here.
    let filter = "not (evt.type = vfork and evt.dir = <)";
    let s = sysdig(&out, None, filter);
    let o = run(&["print", out.to_str().unwrap(), "--enter-events", filter]);
    assert!(o.status.success());
    let o = String::from_utf8_lossy(&o.stdout);
    assert!(s.lines().count() > 1000, "sysdig printed {s}");
    if let Some(d) = first_difference(&s, &o) {
        panic!(
            "sysdig and hindsight print differ on {}: {d}",
            out.display()
        );
    }

    // Every exit follows its own enter on its thread, as sysdig pairs them, except the
    // exit a new thread writes for the clone that created it.
    let lines = sysdig(
        &out,
        Some("*%thread.tid %evt.dir %evt.type %evt.rawres"),
        "evt.category != scheduler",
    );
    let mut last: std::collections::HashMap<String, String> = Default::default();
    let mut unpaired = Vec::new();
    for l in lines.lines() {
        let f: Vec<&str> = l.split(' ').collect();
        let [tid, dir, ty, res] = f[..] else { continue };
        let prev = last.insert(tid.to_owned(), format!("{dir} {ty}"));
        let child = ["clone", "fork", "vfork", "clone3"].contains(&ty) && res == "0";
        if dir == "<" && !child && prev.as_deref() != Some(&format!("> {ty}")) {
            unpaired.push(l.to_owned());
        }
    }
    assert!(
        unpaired.is_empty(),
        "{} exits without their enter, the first: {:?}",
        unpaired.len(),
        &unpaired[..unpaired.len().min(10)]
    );
}

/// Ports and inode numbers change from one run of the activity to the next.
fn without_numbers(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut digits = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !digits {
                out.push('N');
            }
            digits = true;
        } else {
            out.push(c);
            digits = false;
        }
    }
    out
}

#[test]
fn privileged_exit_only_recording_with_enters_written_back_equals_a_recording_with_enters() {
    let test =
        "privileged_exit_only_recording_with_enters_written_back_equals_a_recording_with_enters";
    if !sysdig_or_skip(test) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(exit_only) = record(test, dir.path(), "exit-only", &["--exit-only"]) else {
        return;
    };
    let Some(with) = record(test, dir.path(), "with", &[]) else {
        return;
    };
    let (a, b) = (dir.path().join("a.scap"), dir.path().join("b.scap"));
    convert(&with, &a, &[]);
    convert(&exit_only, &b, &["--enter-events"]);
    // The exits of the activity's programs (the shell's own start differs from run to run),
    // their fields as sysdig 0.29 gives them, times and numbers aside. Pipes and unix
    // sockets are left out: their names are kernel addresses.
    let format = "*%evt.type %proc.name %proc.pname %proc.cmdline %fd.name %fd.typechar \
                  %fd.l4proto %fd.sockfamily %evt.res %user.name";
    let filter = "evt.dir = < and proc.name in (cat, ls, rm, python3) \
                  and not fd.typechar in (p, u)";
    let (sa, sb) = (
        sysdig(&a, Some(format), filter),
        sysdig(&b, Some(format), filter),
    );
    assert!(sa.lines().count() > 1000, "sysdig printed {sa}");
    if let Some(d) = first_difference(&without_numbers(&sa), &without_numbers(&sb)) {
        panic!("the recording with enters and the exit-only one written back differ: {d}");
    }
}
