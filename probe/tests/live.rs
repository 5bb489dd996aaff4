//! Loads the real probe (needs root) and checks what it records for a small command.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hindsight_probe::table::ROWS;
use hindsight_probe::{EnterHook, Probe, ProbeConfig};

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

/// (type, tid, params) of a scap record.
type Event = (u16, u64, Vec<Vec<u8>>);

/// Decodes a scap record.
fn decode(ev: &[u8]) -> Event {
    let tid = u64::from_le_bytes(ev[8..16].try_into().unwrap());
    let ty = u16::from_le_bytes(ev[20..22].try_into().unwrap());
    let n = u32::from_le_bytes(ev[22..26].try_into().unwrap()) as usize;
    let mut off = 26 + 2 * n;
    let mut params = Vec::new();
    for i in 0..n {
        let l = u16::from_le_bytes(ev[26 + 2 * i..28 + 2 * i].try_into().unwrap()) as usize;
        params.push(ev[off..off + l].to_vec());
        off += l;
    }
    assert_eq!(off, ev.len(), "record of type {ty} has trailing bytes");
    (ty, tid, params)
}

/// Records `script` run by `sh -c` (its process tree only) with `config`; the events, after
/// checking that none was dropped. `None` (after saying why) when this machine cannot record.
fn record_script(test: &str, config: ProbeConfig, script: &str) -> Option<(Probe, Vec<Event>)> {
    if !is_root() {
        eprintln!("SKIPPED {test}: needs root");
        return None;
    }
    if let Err(e) = Probe::availability() {
        eprintln!("SKIPPED {test}: {e}");
        return None;
    }
    let mut probe = Probe::load(&ProbeConfig {
        follow_trees: true,
        ..config
    })
    .expect("probe loads");
    let mut child = Command::new("sh")
        .args(["-c", &format!("read x; {script}")])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    probe.follow(child.id()).unwrap();
    child.stdin.take().unwrap().write_all(b"go\n").unwrap();
    let mut events = Vec::new();
    let start = Instant::now();
    let mut exited = false;
    while start.elapsed() < Duration::from_secs(10) {
        probe
            .poll(Duration::from_millis(50), |r| events.push(decode(r.event)))
            .unwrap();
        if exited {
            break;
        }
        exited = child.try_wait().unwrap().is_some();
    }
    let _ = child.wait();
    let stats = probe.stats().unwrap();
    assert_eq!(stats.drops(), 0, "{stats:?}");
    Some((probe, events))
}

#[test]
fn privileged_records_a_command_tree() {
    let Some((probe, events)) = record_script(
        "privileged_records_a_command_tree",
        ProbeConfig::default(),
        "cat /etc/hostname > /dev/null",
    ) else {
        return;
    };
    assert_eq!(probe.enter_hook(), EnterHook::Raw);
    let types: Vec<u16> = events.iter().map(|e| e.0).collect();
    // the shell forks cat: clone exits on both sides, execve enter/exit pairs, procexits
    assert_clone_exits_on_both_sides(&types);
    let execve = events
        .iter()
        .find(|e| e.0 == 293 && e.2[13] == b"cat\0")
        .expect("execve of cat");
    assert_eq!(execve.2.len(), 20);
    assert!(events.iter().any(|e| e.0 == 186), "procexit");
    let open = events
        .iter()
        .find(|e| e.0 == 307 && e.2[2] == b"/etc/hostname\0")
        .expect("openat of /etc/hostname");
    assert_eq!(open.1, execve.1, "opened by cat's thread");
    // every syscall exit of a thread directly follows its enter on that thread
    let mut last_enter = std::collections::HashMap::new();
    for (ty, tid, _) in &events {
        if ty % 2 == 0 {
            last_enter.insert(*tid, *ty);
        } else if !matches!(ty, 223 | 225 | 227 | 335) {
            assert_eq!(
                last_enter.remove(tid),
                Some(ty - 1),
                "exit {ty} on {tid} without its enter"
            );
        }
    }
}

/// With `exit_only`, the raw enter tracepoint is not attached: the syscalls that keep their
/// enter (execve, the clone family, dup...) take it from their own tracepoints, which gives
/// the same events, and every other syscall has its exit alone.
#[test]
fn privileged_exit_only_takes_enters_from_per_syscall_tracepoints() {
    let Some((probe, events)) = record_script(
        "privileged_exit_only_takes_enters_from_per_syscall_tracepoints",
        ProbeConfig {
            exit_only: true,
            snaplen: 256,
            ..Default::default()
        },
        "exec 3>/dev/null; exec 4>&3; cat /etc/hostname >&4; cat /etc/passwd >&4",
    ) else {
        return;
    };
    let keep: Vec<_> = ROWS.iter().filter(|r| r.keeps_enter(true)).collect();
    assert!(
        keep.iter().any(|r| r.name == "execve") && keep.len() < ROWS.len() / 2,
        "{} rows keep their enter",
        keep.len()
    );
    assert_eq!(probe.enter_hook(), EnterHook::PerSyscall(keep.len()));
    let enters_kept: Vec<u16> = keep.iter().map(|r| r.enter).collect();
    let types: Vec<u16> = events.iter().map(|e| e.0).collect();
    // Enter events only of the rows that keep one, and those of execve and dup present.
    for ty in types.iter().filter(|t| *t % 2 == 0 && **t != 186) {
        assert!(enters_kept.contains(ty), "enter {ty} in {types:?}");
    }
    let execve = events
        .iter()
        .position(|e| e.0 == 293 && e.2[13] == b"cat\0")
        .expect("execve exit of cat");
    let tid = events[execve].1;
    let enter = events[..execve]
        .iter()
        .rev()
        .find(|e| e.1 == tid)
        .expect("an event before cat's execve exit");
    assert_eq!(enter.0, 292, "execve enter before its exit");
    assert!(enter.2[0].starts_with(b"/"), "filename of the enter");
    assert!(
        types.contains(&124) && types.contains(&125),
        "dup2 pair: {types:?}"
    );
    // The shell's clone: exits of parent and child, the parent's after its enter.
    assert_clone_exits_on_both_sides(&types);
    // Exit-only rows: the openat of /etc/hostname as one exit with the enter's parameters.
    let open = events
        .iter()
        .find(|e| e.0 == 307 && e.2[2] == b"/etc/hostname\0")
        .expect("openat exit of /etc/hostname");
    assert_eq!(open.1, tid, "opened by cat's thread");
    assert!(!types.contains(&306), "no openat enter: {types:?}");
    // Payloads, short (read through the stack) and longer than 128 bytes, as the files hold
    // them: the data of the write exits (res, data, fd, size), up to the snap length.
    for file in ["/etc/hostname", "/etc/passwd"] {
        let want = std::fs::read(file).unwrap();
        let want = &want[..want.len().min(256)];
        assert!(
            events
                .iter()
                .any(|e| e.0 == 9 && e.2.len() == 4 && e.2[1] == want),
            "no write of {file}'s {} bytes",
            want.len()
        );
    }
}

/// A fork shows as two exits of the clone family (clone, fork, vfork, clone3): the parent's
/// and the child's.
fn assert_clone_exits_on_both_sides(types: &[u16]) {
    let exits = types
        .iter()
        .filter(|&&t| matches!(t, 223 | 225 | 227 | 335))
        .count();
    assert!(exits >= 2, "{types:?}");
}
