//! Loads the real probe (needs root) and checks what it records for a small command.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hindsight_probe::{Probe, ProbeConfig};

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

/// (type, tid, params) of a scap record.
fn decode(ev: &[u8]) -> (u16, u64, Vec<Vec<u8>>) {
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

#[test]
fn privileged_records_a_command_tree() {
    if !is_root() {
        eprintln!("SKIPPED privileged_records_a_command_tree: needs root");
        return;
    }
    if let Err(e) = Probe::availability() {
        eprintln!("SKIPPED privileged_records_a_command_tree: {e}");
        return;
    }
    let mut probe = Probe::load(&ProbeConfig {
        follow_trees: true,
        ..Default::default()
    })
    .expect("probe loads");
    let mut child = Command::new("sh")
        .args(["-c", "read x; cat /etc/hostname > /dev/null"])
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
    let types: Vec<u16> = events.iter().map(|e| e.0).collect();
    // the shell forks cat: clone exits on both sides, execve enter/exit pairs, procexits
    assert!(
        types
            .iter()
            .filter(|&&t| matches!(t, 223 | 225 | 227 | 335))
            .count()
            >= 2,
        "{types:?}"
    );
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
