//! Live differential test (root): one scripted activity (execs, opens, file operations,
//! sockets) watched at once by Falco 0.40's modern eBPF probe (`falco-modern-bpf`, live
//! alerts) and by `hindsight record`; the alerts `hindsight replay --enter-events` gives on the
//! recording with the same rules must be Falco's, rule for rule and output field for output
//! field. Times are left out: each probe stamps its own events.
//!
//! Falco 0.40 loads its whole probe at once, and the verifier of some kernels (6.18 here)
//! refuses its `signal_deliver` program; the test then loads that one program as a no-op
//! through `scripts/falco_noop_prog.c` (see there why that leaves syscall capture intact). When
//! the probe still cannot start, or cc is missing, the test says so and skips.
//!
//! The rules select the activity by a directory of its own and by the name of a copy of bash
//! that runs it, so the rest of the host, which Falco sees too, never matches; `--enter-events`
//! is the view of Falco 0.40, the last release that shows enter events to rules.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::reference::{hindsight_replay, parse_alerts, Alert};
use crate::util::{hindsight, is_root, shared_dir};

/// Name of the copy of bash that runs the activity: a process name of its own, with this
/// test's pid in it so that another run of the test on the same host (which Falco sees too)
/// does not match these rules.
fn shell_name() -> String {
    format!("hsdiff{}", std::process::id())
}

/// The rules both sides evaluate (`@D@`: the activity's directory, `@S@`: the shell's name).
/// Every rule asks for exit events, so that the enter view of Falco 0.40 and hindsight's agree
/// on what one call gives.
const RULES: &str = r#"
- rule: live ready
  desc: Falco is capturing (the test waits for this alert before it starts recording)
  condition: evt.type in (open, openat, openat2) and evt.dir=< and fd.name=@D@/ready
  output: "ready %proc.name"
  priority: DEBUG
- rule: live open
  desc: files of the activity opened
  condition: evt.type in (open, openat, openat2) and evt.dir=< and fd.name startswith @D@/data
  output: "open %proc.name %fd.name %evt.type %proc.cmdline %proc.pname %user.name %evt.rawres"
  priority: WARNING
- rule: live exec
  desc: programs of the activity's directory executed
  condition: evt.type in (execve, execveat) and evt.dir=< and proc.exepath startswith @D@/
  output: "exec %proc.name %proc.exepath %proc.cmdline %proc.pname %proc.aname[2] %evt.res"
  priority: WARNING
- rule: live file op
  desc: renames, deletions and directories made by the activity's commands
  condition: >
    evt.type in (rename, renameat, renameat2, unlink, unlinkat, mkdir, mkdirat, rmdir)
    and evt.dir=< and proc.pname=@S@
  output: "fileop %evt.type %proc.name %proc.cmdline %evt.res"
  priority: NOTICE
- rule: live socket
  desc: sockets of the activity's shell, without failed connects (in some environments
    glibc tries nscd's unix socket; Falco 0.40's probe records no address for it, ours the
    path, so libsinsp names the fd NULL in one and the path in the other)
  condition: evt.type in (socket, connect, sendto) and evt.dir=< and proc.name=@S@
    and not (evt.type = connect and evt.rawres < 0)
  output: "net %evt.type %fd.name %fd.l4proto %fd.sport %evt.rawres"
  priority: NOTICE
"#;

/// The activity (`@D@`: its directory, `@P@`: a TCP port listening on 127.0.0.1).
const ACTIVITY: &str = "cd @D@; \
    for i in 1 2 3; do cat data.txt > /dev/null; done; \
    echo x > data.new; mv data.new data.moved; rm data.moved; \
    mkdir data.dir; rmdir data.dir; \
    cp /bin/true ./hstrue && ./hstrue; \
    (exec 3<>/dev/tcp/127.0.0.1/@P@; echo hello >&3) ; \
    echo datagram > /dev/udp/127.0.0.1/@P@; true";

/// Falco's modern probe, started with the no-op shim when cc can build it; `Err` is why
/// this host cannot run it.
struct LiveFalco {
    child: Child,
    out: PathBuf,
    log: PathBuf,
}

impl LiveFalco {
    fn start(dir: &Path, rules: &Path) -> Result<LiveFalco, String> {
        let bundle = shared_dir().join("reference/falco");
        let bin = bundle.join("bin/falco-modern-bpf");
        if !bin.exists() {
            return Err(format!("no Falco modern probe at {}", bin.display()));
        }
        let shim = dir.join("falco_noop_prog.so");
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/falco_noop_prog.c");
        let cc = Command::new("cc")
            .args(["-shared", "-fPIC", "-O2", "-o"])
            .arg(&shim)
            .arg(&src)
            .arg("-ldl")
            .output()
            .map_err(|e| format!("cannot run cc to build {}: {e}", src.display()))?;
        if !cc.status.success() {
            return Err(format!(
                "cc could not build {}: {}",
                src.display(),
                String::from_utf8_lossy(&cc.stderr)
            ));
        }
        let out = dir.join("falco.out");
        let log = dir.join("falco.log");
        let child = Command::new(&bin)
            .env("LD_PRELOAD", &shim)
            .env("HINDSIGHT_FALCO_NOOP_PROGS", "signal_deliver")
            .arg("-c")
            .arg(bundle.join("falco.yaml"))
            .arg("-r")
            .arg(rules)
            .args(["-o", "engine.kind=modern_ebpf", "-o", "json_output=true"])
            .args(["-o", "rule_matching=all", "-o", "buffered_outputs=false"])
            .stdout(std::fs::File::create(&out).map_err(|e| e.to_string())?)
            .stderr(std::fs::File::create(&log).map_err(|e| e.to_string())?)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        Ok(LiveFalco { child, out, log })
    }

    /// Opens the `ready` file until Falco alerts on it (its probe is then attached and its
    /// rules loaded); `Err` with the end of its log when it exits or stays silent.
    fn wait_ready(&mut self, ready: &Path) -> Result<(), String> {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("Falco exited ({status}): {}", self.log_tail()));
            }
            let _ = std::fs::read(ready);
            if self.alerts().iter().any(|a| a.rule == "live ready") {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "Falco gave no alert within 60 s: {}",
            self.log_tail()
        ))
    }

    fn alerts(&self) -> Vec<Alert> {
        parse_alerts(&std::fs::read(&self.out).unwrap_or_default())
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(8)..].join("\n")
    }

    /// Stops Falco with SIGINT (it flushes its outputs) and returns its alerts.
    fn stop(mut self) -> Vec<Alert> {
        let _ = Command::new("kill")
            .arg("-INT")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        self.alerts()
    }
}

impl Drop for LiveFalco {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An alert without its time: the rule and its output fields but `evt.time`.
fn untimed(a: &Alert) -> (String, BTreeMap<String, String>) {
    let mut f = a.fields.clone();
    f.remove("evt.time");
    (a.rule.clone(), f)
}

/// Accepts connections and reads what they send until the test ends.
fn listener() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = l.local_addr().expect("local address").port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf);
        }
    });
    port
}

#[test]
fn privileged_live_alerts_of_falco40_probe_equal_replay_of_recording() {
    let test = "privileged_live_alerts_of_falco40_probe_equal_replay_of_recording";
    if !is_root() {
        eprintln!("SKIPPED {test}: Falco's probe and the recorder need root");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("act");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("data.txt"), "secret\n").unwrap();
    let shell = tmp.path().join(shell_name());
    std::fs::copy("/bin/bash", &shell).expect("copy /bin/bash");
    let rules = tmp.path().join("rules.yaml");
    let text = RULES
        .replace("@D@", d.to_str().unwrap())
        .replace("@S@", &shell_name());
    std::fs::write(&rules, text).unwrap();

    let mut falco = match LiveFalco::start(tmp.path(), &rules) {
        Ok(f) => f,
        Err(why) => {
            eprintln!("SKIPPED {test}: {why}");
            return;
        }
    };
    if let Err(why) = falco.wait_ready(&d.join("ready")) {
        eprintln!("SKIPPED {test}: Falco's modern probe did not start here: {why}");
        return;
    }
    let trace = tmp.path().join("live.scap.zst");
    let activity = ACTIVITY
        .replace("@D@", d.to_str().unwrap())
        .replace("@P@", &listener().to_string());
    let rec = hindsight()
        .args(["record", "-o"])
        .arg(&trace)
        .arg("--")
        .arg(&shell)
        .arg("-c")
        .arg(&activity)
        .stdin(Stdio::null())
        .output()
        .expect("hindsight record");
    let stderr = String::from_utf8_lossy(&rec.stderr);
    if stderr.contains("not built into this binary") {
        eprintln!("SKIPPED {test}: {stderr}");
        return;
    }
    assert!(rec.status.success(), "record failed: {stderr}");
    // Falco reads its ring every few milliseconds; give it time to print the last alerts.
    std::thread::sleep(Duration::from_secs(2));
    let theirs: Vec<Alert> = falco
        .stop()
        .into_iter()
        .filter(|a| a.rule != "live ready")
        .collect();
    let ours = hindsight_replay(&trace, &[rules], &["--enter-events"]).unwrap();

    let mut f: Vec<_> = theirs.iter().map(untimed).collect();
    let mut h: Vec<_> = ours.iter().map(untimed).collect();
    f.sort();
    h.sort();
    let show = |v: &[(String, BTreeMap<String, String>)]| {
        v.iter()
            .map(|(r, f)| format!("  [{r}] {f:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let report = format!(
        "Falco 0.40 live ({}):\n{}\nhindsight replay --enter-events ({}):\n{}",
        f.len(),
        show(&f),
        h.len(),
        show(&h)
    );
    eprintln!("{report}");
    for rule in ["live open", "live exec", "live file op", "live socket"] {
        assert!(
            f.iter().any(|(r, _)| r == rule),
            "Falco gave no `{rule}` alert: the activity no longer exercises it\n{report}"
        );
    }
    assert_eq!(f, h, "live alerts differ\n{report}");
}
