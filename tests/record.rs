//! `hindsight record` end to end, the record→replay loop: record a command, check the trace with
//! sysdig (the oracle) and replay it with a sensitive-file rule and with the bundled rules.
//! Recording needs root and the BPF object (clang at build time); without them the privileged
//! tests are skipped with a visible message. CI runs them as root.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util::{is_root, run, sysdig_available};

/// The lab's sensitive-file rule without its container condition: the recorded command runs
/// on the host.
const SENSITIVE_RULES: &str = r#"
- macro: open_read
  condition: evt.type in (open, openat, openat2) and evt.is_open_read = true and fd.typechar = 'f' and fd.num >= 0
- macro: sensitive_files
  condition: fd.name startswith /etc and (fd.name in (/etc/shadow, /etc/sudoers, /etc/pam.conf) or fd.directory in (/etc/sudoers.d, /etc/pam.d))
- rule: Read sensitive file
  desc: a program opened a sensitive file for reading
  condition: sensitive_files and open_read
  output: "Sensitive file opened for reading (user=%user.name name=%proc.name parent=%proc.pname command=%proc.cmdline file=%fd.name)"
  priority: WARNING
"#;

/// Records `cmd` into `dir/name.scap.zst` and returns the trace, or `None` (after saying why)
/// when this machine cannot record.
pub(crate) fn record(test: &str, dir: &Path, name: &str, cmd: &[&str]) -> Option<PathBuf> {
    record_with(test, dir, name, &[], cmd)
}

/// [`record`] with more options of `hindsight record` (`--exit-only`).
pub(crate) fn record_with(
    test: &str,
    dir: &Path,
    name: &str,
    options: &[&str],
    cmd: &[&str],
) -> Option<PathBuf> {
    if !is_root() {
        eprintln!("SKIPPED {test}: recording needs root");
        return None;
    }
    let trace = dir.join(format!("{name}.scap.zst"));
    let mut args = vec!["record", "-o", trace.to_str().unwrap()];
    args.extend_from_slice(options);
    args.push("--");
    args.extend_from_slice(cmd);
    let out = run(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("not built into this binary") {
        eprintln!("SKIPPED {test}: {stderr}");
        return None;
    }
    assert!(out.status.success(), "record failed: {stderr}");
    assert!(
        stderr.contains(" 0 dropped"),
        "events were dropped: {stderr}"
    );
    Some(trace)
}

/// Decompresses a native trace with `zstd -d` into a plain scap file next to it.
fn decompress(trace: &Path) -> PathBuf {
    let plain = trace.with_extension("");
    let z = Command::new("zstd")
        .arg("-dqf")
        .arg(trace)
        .arg("-o")
        .arg(&plain)
        .status()
        .expect("zstd is needed to decompress a native trace");
    assert!(z.success(), "zstd -d {} failed", trace.display());
    plain
}

/// Runs `sysdig -r plain -p format filter` and returns its stdout lines, or `None` when sysdig
/// is not installed and `HINDSIGHT_SKIP_SYSDIG` allows skipping.
fn sysdig(plain: &Path, format: &str, filter: &str) -> Option<Vec<String>> {
    if !sysdig_available() {
        assert!(
            std::env::var("HINDSIGHT_SKIP_SYSDIG").is_ok(),
            "sysdig is not installed (set HINDSIGHT_SKIP_SYSDIG=1 to skip this check)"
        );
        return None;
    }
    let s = Command::new("sysdig")
        .arg("-r")
        .arg(plain)
        .args(["-p", format, filter])
        .output()
        .unwrap();
    assert!(
        s.status.success(),
        "sysdig failed: {}",
        String::from_utf8_lossy(&s.stderr)
    );
    Some(
        String::from_utf8_lossy(&s.stdout)
            .lines()
            .map(str::to_string)
            .collect(),
    )
}

/// Replays `trace` in JSON mode (with `rules`, or the bundled rules) and returns the alerts.
fn replay_json(trace: &Path, rules: Option<&Path>) -> Vec<Value> {
    let mut args = vec!["replay", trace.to_str().unwrap(), "--format", "json", "-q"];
    if let Some(r) = rules {
        args.extend_from_slice(&["-r", r.to_str().unwrap()]);
    }
    let r = run(&args);
    assert!(
        r.status.success(),
        "replay failed: {}",
        String::from_utf8_lossy(&r.stderr)
    );
    String::from_utf8_lossy(&r.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

#[test]
fn privileged_record_cat_shadow_is_read_by_sysdig_and_replay() {
    let test = "privileged_record_cat_shadow_is_read_by_sysdig_and_replay";
    let dir = tempfile::tempdir().unwrap();
    let Some(trace) = record(
        test,
        dir.path(),
        "shadow",
        &["sh", "-c", "cat /etc/shadow > /dev/null"],
    ) else {
        return;
    };

    // `zstd -d` turns the native trace into a plain scap file that sysdig reads; sysdig
    // sees exactly one open of /etc/shadow, by cat, child of sh.
    let plain = decompress(&trace);
    let sysdig_evt = sysdig(
        &plain,
        "%evt.num|%proc.name|%fd.name|%user.name|%proc.pname",
        "evt.type=openat and evt.dir=< and fd.name=/etc/shadow",
    )
    .map(|lines| {
        assert_eq!(lines.len(), 1, "sysdig output: {lines:?}");
        let (num, rest) = lines[0].split_once('|').unwrap();
        assert_eq!(rest, "cat|/etc/shadow|root|sh", "sysdig output: {lines:?}");
        num.parse::<u64>().unwrap()
    });

    // replay with the lab's sensitive-file rule: one alert, at the event sysdig shows
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, SENSITIVE_RULES).unwrap();
    let alerts = replay_json(&trace, Some(&rules));
    assert_eq!(alerts.len(), 1, "alerts: {alerts:?}");
    let a = &alerts[0];
    assert_eq!(a["rule"], "Read sensitive file");
    assert_eq!(a["priority"], "Warning");
    assert_eq!(a["output_fields"]["proc.name"], "cat");
    assert_eq!(a["output_fields"]["proc.pname"], "sh");
    assert_eq!(a["output_fields"]["proc.cmdline"], "cat /etc/shadow");
    assert_eq!(a["output_fields"]["fd.name"], "/etc/shadow");
    assert_eq!(a["output_fields"]["user.name"], "root");
    if let Some(num) = sysdig_evt {
        assert_eq!(a["evt_num"].as_u64(), Some(num), "alert: {a}");
    }

    // the bundled default ruleset (no -r) detects the same read
    let alerts = replay_json(&trace, None);
    assert!(
        alerts
            .iter()
            .any(|a| a["rule"] == "Read credential file by untrusted program"
                && a["output_fields"]["fd.name"] == "/etc/shadow"),
        "bundled rules: {alerts:?}"
    );
}

/// A UDP exchange on unconnected sockets and a TCP one on connected sockets.
const NET_SCRIPT: &str = r#"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("127.0.0.1", 0))
s.sendto(b"to", r.getsockname())
r.recvfrom(10)
s.sendmsg([b"msg"], [], 0, r.getsockname())
r.recvmsg(10)
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen()
c = socket.socket()
c.connect(l.getsockname())
a, _ = l.accept()
a.send(b"tcp")
c.recv(10)
print(r.getsockname()[1])
"#;

/// The probe's network tuples and execve flags, as sysdig reads them: sendto/sendmsg carry the
/// destination given to the call, recvfrom/recvmsg the source (remote first), calls on
/// connected sockets without an address carry no tuple (libs' fd_to_socktuple), and root
/// running a root-owned program gets `EXE_WRITABLE`, which replay exposes as
/// `proc.is_exe_writable`.
#[test]
fn privileged_record_network_tuples_and_exe_flags() {
    let test = "privileged_record_network_tuples_and_exe_flags";
    if Command::new("python3").arg("-c").arg("1").output().is_err() {
        eprintln!("SKIPPED {test}: python3 is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("net.py");
    std::fs::write(&script, NET_SCRIPT).unwrap();
    let cmd = format!(
        "python3 {} > {}/port; /bin/true",
        script.display(),
        dir.path().display()
    );
    let Some(trace) = record(test, dir.path(), "net", &["sh", "-c", &cmd]) else {
        return;
    };
    let port = std::fs::read_to_string(dir.path().join("port")).unwrap();
    let to_receiver = format!("->127.0.0.1:{}", port.trim());
    let plain = decompress(&trace);
    let Some(lines) = sysdig(
        &plain,
        "%evt.type %evt.dir %evt.arg.tuple",
        "proc.name=python3 and evt.type in (sendto, recvfrom, sendmsg, recvmsg)",
    ) else {
        return;
    };
    let tuples: Vec<(&str, &str)> = lines
        .iter()
        .filter_map(|l| {
            let mut it = l.splitn(3, ' ');
            let ty = it.next()?;
            let dir = it.next()?;
            let tuple = it.next()?;
            let carries =
                (ty.starts_with("send") && dir == ">") || (ty.starts_with("recv") && dir == "<");
            carries.then_some((ty, tuple))
        })
        .collect();
    assert_eq!(tuples.len(), 6, "sysdig lines: {lines:#?}");
    // UDP: sendto, recvfrom, sendmsg, recvmsg all name the receiver as destination
    for (ty, tuple) in &tuples[..4] {
        assert!(
            tuple.starts_with("0.0.0.0:") || tuple.starts_with("127.0.0.1:"),
            "{ty}: {tuple}"
        );
        assert!(
            tuple.ends_with(&to_receiver),
            "{ty}: {tuple} (receiver {to_receiver})"
        );
    }
    // TCP on connected sockets: no address argument, no tuple
    for (ty, tuple) in &tuples[4..] {
        assert_eq!(*tuple, "NULL", "{ty} on a connected socket: {tuple}");
    }

    let Some(flags) = sysdig(
        &plain,
        "%evt.num %evt.arg.flags",
        "evt.type=execve and evt.dir=< and proc.name=true",
    ) else {
        return;
    };
    assert_eq!(flags.len(), 1, "{flags:?}");
    let (num, f) = flags[0].split_once(' ').unwrap();
    assert_eq!(f, "EXE_WRITABLE", "root owns /bin/true: {flags:?}");
    let out = run(&[
        "print",
        trace.to_str().unwrap(),
        "-p",
        "%proc.is_exe_writable %proc.is_exe_upper_layer",
        &format!("evt.num={num}"),
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "true false");
}

/// Shell redirections save a descriptor with `fcntl(F_DUPFD)` and restore it with `dup2`; with
/// fcntl recorded, the fd table replay keeps agrees with sysdig's on every dup and fcntl.
#[test]
fn privileged_record_fd_duplication_matches_sysdig() {
    let test = "privileged_record_fd_duplication_matches_sysdig";
    let dir = tempfile::tempdir().unwrap();
    let Some(trace) = record(
        test,
        dir.path(),
        "dup",
        &[
            "sh",
            "-c",
            "cat /etc/hostname > /dev/null; ls / 2> /dev/null > /dev/null",
        ],
    ) else {
        return;
    };
    let plain = decompress(&trace);
    let format = "%evt.num %evt.type %evt.dir %fd.name %fd.typechar";
    let filter = "evt.type in (dup, fcntl)";
    let Some(want) = sysdig(&plain, format, filter) else {
        return;
    };
    assert!(
        want.iter().any(|l| l.contains(" fcntl ")),
        "no fcntl recorded: {want:#?}"
    );
    let out = run(&["print", trace.to_str().unwrap(), "-p", format, filter]);
    let got: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(got, want, "hindsight print (left) vs sysdig (right)");
}

#[test]
fn record_without_root_or_with_bad_args_fails_clearly() {
    let out = run(&["record", "-o", "/tmp/hindsight-test.txt", "--", "true"]);
    assert!(!out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("root") || e.contains(".scap.zst") || e.contains("not built"),
        "{e}"
    );
}

fn mode_of(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Traces hold secrets: `record` and `convert` create them owner-only, unless `--mode` says
/// otherwise (issue 10).
#[test]
fn privileged_record_trace_files_are_owner_only_unless_mode_says() {
    let test = "privileged_record_trace_files_are_owner_only_unless_mode_says";
    let dir = tempfile::tempdir().unwrap();
    let Some(trace) = record(test, dir.path(), "private", &["true"]) else {
        return;
    };
    assert_eq!(mode_of(&trace), 0o600, "{}", trace.display());
    let wide = dir.path().join("wide.scap.zst");
    let out = run(&[
        "record",
        "-o",
        wide.to_str().unwrap(),
        "--mode",
        "640",
        "--",
        "true",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode_of(&wide), 0o640);
    // convert rewrites an existing wider file owner-only, not keeping its old bits
    let plain = dir.path().join("plain.scap");
    std::fs::write(&plain, b"old").unwrap();
    std::fs::set_permissions(&plain, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let out = run(&["convert", trace.to_str().unwrap(), plain.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode_of(&plain), 0o600);
    let out = run(&["record", "-o", "x.scap", "--mode", "999", "--", "true"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("octal"));
}

/// A `-- COMMAND` recording describes in its header only the command's process and the
/// recorder that started it (without environment or open files): no other process of the
/// host, their command lines and environments (issue 10). Replay still knows the command's
/// parent.
#[test]
fn privileged_record_command_snapshot_holds_only_its_scope() {
    let test = "privileged_record_command_snapshot_holds_only_its_scope";
    let dir = tempfile::tempdir().unwrap();
    let Some(trace) = record(
        test,
        dir.path(),
        "scope",
        &["sh", "-c", "cat /etc/hostname > /dev/null"],
    ) else {
        return;
    };
    let r = hindsight_format::TraceReader::open(&trace).unwrap();
    let h = r.header();
    let pids: std::collections::BTreeSet<i64> = h.threads.iter().map(|t| t.pid).collect();
    assert_eq!(pids.len(), 2, "threads: {:#?}", h.threads);
    let recorder = h
        .threads
        .iter()
        .find(|t| t.comm == b"hindsight")
        .unwrap_or_else(|| panic!("no recorder in {:#?}", h.threads));
    let command = h.threads.iter().find(|t| t.pid != recorder.pid).unwrap();
    assert_eq!(
        command.ptid, recorder.pid,
        "the command is the recorder's child"
    );
    assert!(recorder.env.is_empty(), "the recorder's environment leaked");
    assert!(
        h.fds.iter().all(|t| t.tid == command.pid),
        "fd tables of other processes: {:?}",
        h.fds.iter().map(|t| t.tid).collect::<Vec<_>>()
    );
    let out = run(&[
        "print",
        trace.to_str().unwrap(),
        "-p",
        "%proc.name %proc.pname",
        "evt.type=execve and evt.dir=< and proc.name=sh",
    ]);
    // (one line per PATH candidate the gate's `exec` tries)
    let lines = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        !lines.is_empty() && lines.lines().all(|l| l == "sh hindsight"),
        "{lines}"
    );
}

/// A recorder killed with SIGKILL cannot finish its file; what it flushed (header at once,
/// events every second) still reads, with a warning that the writer did not finish.
#[test]
fn privileged_record_killed_with_sigkill_reads_up_to_its_last_flush() {
    let test = "privileged_record_killed_with_sigkill_reads_up_to_its_last_flush";
    if !is_root() {
        eprintln!("SKIPPED {test}: recording needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // One recorder per output format, killed together; what each damage looks like to info.
    let formats = [
        ("scap.zst", Some("did not finish")),
        ("scap.gz", Some("stopped early")),
        ("scap", None),
    ];
    let mut recorders = Vec::new();
    for (ext, _) in formats {
        let trace = dir.path().join(format!("killed.{ext}"));
        let started = dir.path().join(format!("started.{ext}"));
        // The command marks its start (recording has begun: the gate opened), then outlives
        // the recorder by a few seconds and ends by itself.
        let script = format!(
            "touch {}; i=0; while [ $i -lt 80 ]; do cat /etc/hostname > /dev/null; sleep 0.1; i=$((i+1)); done",
            started.display()
        );
        let rec = crate::util::hindsight()
            .args(["record", "-o", trace.to_str().unwrap(), "--"])
            .args(["sh", "-c", &script])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        recorders.push((trace, rec));
    }
    // Wait for every command to start (loading probes takes a while on a busy machine), then
    // for two flush intervals.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while formats
        .iter()
        .any(|(ext, _)| !dir.path().join(format!("started.{ext}")).exists())
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(2200));
    for (_, rec) in &mut recorders {
        if let Ok(Some(_)) = rec.try_wait() {
            let mut e = String::new();
            let _ = std::io::Read::read_to_string(rec.stderr.as_mut().unwrap(), &mut e);
            if e.contains("not built into this binary") {
                eprintln!("SKIPPED {test}: {e}");
                return;
            }
            panic!("the recorder stopped early: {e}");
        }
        rec.kill().unwrap(); // SIGKILL
        let _ = rec.wait();
    }
    for ((trace, _), (ext, warning)) in recorders.iter().zip(formats) {
        let out = run(&["info", "--json", trace.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "info {ext} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            v["event_types"]["openat"].as_u64().unwrap_or(0) >= 5,
            "{ext}: the loop's opens before the kill: {v}"
        );
        if let Some(w) = warning {
            let warnings = v["warnings"].to_string();
            assert!(warnings.contains(w), "{ext}: {warnings}");
        }
    }
}

/// A ring buffer too small for the load loses events; the loss is counted per CPU and cause,
/// and shows in the recorder's summary, in the trace and in `info`.
#[test]
fn privileged_record_drops_are_counted_per_cpu_and_kept_in_the_trace() {
    let test = "privileged_record_drops_are_counted_per_cpu_and_kept_in_the_trace";
    if !is_root() {
        eprintln!("SKIPPED {test}: recording needs root");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("drops.scap.zst");
    let out = run(&[
        "record",
        "-o",
        trace.to_str().unwrap(),
        "--buffer-size",
        "4096",
        "--",
        "dd",
        "if=/dev/zero",
        "of=/dev/null",
        "bs=1",
        "count=100000",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("not built into this binary") {
        eprintln!("SKIPPED {test}: {stderr}");
        return;
    }
    assert!(out.status.success(), "{stderr}");
    let summary_drops: u64 = stderr
        .split(" dropped")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no drop count in {stderr}"));
    assert!(summary_drops > 0, "a 4 KiB buffer lost nothing: {stderr}");
    assert!(stderr.contains("dropped (buffer "), "{stderr}");

    let info = run(&["info", "--json", trace.to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&info.stdout).unwrap();
    let d = &v["drops"];
    assert_eq!(d["total"].as_u64(), Some(summary_drops), "{d}");
    let per_cpu: u64 = d["cpus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c["buffer"].as_u64().unwrap()
                + c["too_big"].as_u64().unwrap()
                + c["stash"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(per_cpu, summary_drops, "{d}");
    let text = run(&["info", trace.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&text.stdout)
        .contains(&format!("drops:       {summary_drops} lost")));
}

/// A rule that fires when the marker program of the flight-recorder test starts.
const MARKER_RULE: &str = r#"
- rule: Marker started
  desc: the test's marker program ran
  condition: evt.type in (execve, execveat) and proc.name = hsmarker
  output: "marker (command=%proc.cmdline)"
  priority: NOTICE
"#;

#[test]
fn privileged_record_ring_writes_one_standalone_trace_per_alert() {
    let test = "privileged_record_ring_writes_one_standalone_trace_per_alert";
    if !is_root() {
        eprintln!("SKIPPED {test}: recording needs root");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("flight");
    let rules = tmp.path().join("sensitive.yaml");
    std::fs::write(&rules, SENSITIVE_RULES).unwrap();
    let marker_rules = tmp.path().join("marker.yaml");
    std::fs::write(&marker_rules, MARKER_RULE).unwrap();
    let marker = tmp.path().join("hsmarker");
    std::fs::copy("/bin/true", &marker).unwrap();
    // The marker runs 2 s before the trigger; the command outlives --after, so the trace is
    // written while recording goes on, not at the end.
    let script = format!(
        "sleep 1; {}; sleep 2; cat /etc/shadow > /dev/null; sleep 7",
        marker.display()
    );
    let out = run(&[
        "record",
        "--ring",
        "30s",
        "--trigger",
        rules.to_str().unwrap(),
        "--before",
        "10s",
        "--after",
        "5s",
        "-o",
        dir.to_str().unwrap(),
        "--",
        "sh",
        "-c",
        &script,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("not built into this binary") {
        eprintln!("SKIPPED {test}: {stderr}");
        return;
    }
    assert!(out.status.success(), "record failed: {stderr}");
    assert!(stderr.contains("alert: Read sensitive file"), "{stderr}");
    let traces: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("alert-"))
        })
        .collect();
    assert_eq!(
        traces.len(),
        1,
        "one alert, one trace: {traces:?}\n{stderr}"
    );
    assert!(
        dir.join("ring").is_dir(),
        "the ring's segments live in DIR/ring"
    );
    let trace = &traces[0];
    assert_eq!(mode_of(trace) & 0o777, 0o600);

    // Replayed alone, the trace gives the same alert...
    let alerts = replay_json(trace, Some(&rules));
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let a = &alerts[0];
    assert_eq!(a["rule"], "Read sensitive file");
    assert_eq!(a["output_fields"]["proc.name"], "cat");
    assert_eq!(a["output_fields"]["fd.name"], "/etc/shadow");
    // ...and holds the history before it: the marker, started about 2 s earlier, with its
    // process known (its name comes from the events in the trace).
    let marks = replay_json(trace, Some(&marker_rules));
    assert_eq!(
        marks.len(),
        1,
        "the marker's exec is in the trace: {marks:?}"
    );
    let ts = |v: &Value| {
        v["time"]
            .as_str()
            .and_then(seconds_of_day)
            .unwrap_or_else(|| panic!("no time in {v}"))
    };
    let gap = ts(a) - ts(&marks[0]);
    assert!(
        (1.5..5.0).contains(&gap),
        "the marker ran {gap:.2}s before the alert"
    );
}

/// Seconds within the day of an RFC 3339 time such as `2026-12-04T20:31:07.123456789Z`.
fn seconds_of_day(t: &str) -> Option<f64> {
    let clock = t.split('T').nth(1)?.trim_end_matches('Z');
    let mut parts = clock.split(':');
    let h: f64 = parts.next()?.parse().ok()?;
    let m: f64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next()?.parse().ok()?;
    Some(h * 3600.0 + m * 60.0 + s)
}
