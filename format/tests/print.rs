//! The printer against sysdig 0.29 (the oracle): every line of `sysdig -r` whose arguments need
//! no state the header lacks must match `print::write_line` from the direction marker onward.

mod common;

use std::process::Command;

use hindsight_format::print::{write_line, HeaderResolver};
use hindsight_format::TraceReader;

fn sysdig(path: &std::path::Path) -> Option<String> {
    match Command::new("sysdig").arg("-r").arg(path).output() {
        Ok(o) => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Err(_) if std::env::var_os("HINDSIGHT_SKIP_SYSDIG").is_some() => None,
        Err(e) => {
            panic!("sysdig is required for this test (set HINDSIGHT_SKIP_SYSDIG=1 to skip): {e}")
        }
    }
}

/// The part of a line from the direction marker on, if it needs no run-time state.
fn stateless_tail(line: &str) -> Option<&str> {
    let i = line.find(") > ").or_else(|| line.find(") < "))?;
    let tail = &line[i + 2..];
    let stateful = [
        "(<", "tid=", "next=", "pid=", "fd=", "uid=", "gid=", "name=", "path=", "fds=",
    ];
    (!stateful.iter().any(|s| tail.contains(s))).then_some(tail)
}

#[test]
fn stateless_arguments_match_sysdig() {
    let mut compared = 0;
    for path in common::captures() {
        let Some(expected) = sysdig(&path) else {
            return;
        };
        let mut ours = std::collections::HashMap::new();
        let mut r = TraceReader::open(&path).unwrap();
        let header = r.header().clone();
        let res = HeaderResolver::new(&header);
        while let Some(ev) = r.next_event().unwrap() {
            let mut s = String::new();
            write_line(&mut s, &ev, &res);
            ours.insert(ev.num, s);
        }
        for line in expected.lines() {
            let Some(tail) = stateless_tail(line) else {
                continue;
            };
            let num: u64 = line.split(' ').next().and_then(|n| n.parse().ok()).unwrap();
            let mine = ours
                .get(&num)
                .unwrap_or_else(|| panic!("{}: no event {num}", path.display()));
            if mine.contains('\n') {
                continue; // a string with a newline spans two sysdig lines
            }
            let (_, mine_tail) =
                mine.split_at(mine.find(") > ").or_else(|| mine.find(") < ")).unwrap() + 2);
            assert_eq!(mine_tail, tail, "{} event {num}", path.display());
            // Time and cpu are stateless too.
            assert_eq!(
                mine.split(' ').nth(1),
                line.split(' ').nth(1),
                "time of {num}"
            );
            compared += 1;
        }
    }
    assert!(compared > 1000, "only {compared} lines compared");
}
