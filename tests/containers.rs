//! `hindsight record --container` against real podman + runc containers (issue 10): the
//! snapshot holds only the container's processes, metadata comes from the runtime's files when
//! no API socket answers, and a container started after the recorder is waited for.
//!
//! The containers run a tiny image made here from busybox-static (no registry, no network),
//! in podman storage of their own under /tmp. Without root, podman or busybox-static the tests
//! are skipped with a visible message.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util::{hindsight, is_root, run};

const IMAGE: &str = "localhost/hindsight-busybox:latest";

/// podman with storage and configuration of its own (runc, cgroupfs, ulimits this kind of VM
/// accepts), and the test image.
struct Podman {
    dir: PathBuf,
}

impl Podman {
    /// `None` (after saying why) when this machine cannot run containers.
    fn new(test: &str) -> Option<Podman> {
        if !is_root() {
            eprintln!("SKIPPED {test}: recording needs root");
            return None;
        }
        if Command::new("podman").arg("--version").output().is_err() {
            eprintln!("SKIPPED {test}: podman is not installed (apt-get install podman runc)");
            return None;
        }
        let dir = PathBuf::from("/tmp/hindsight-test-podman");
        std::fs::create_dir_all(&dir).unwrap();
        let conf = format!(
            "[containers]\ndefault_ulimits = [\"nofile=20000:20000\", \"nproc=32768:32768\"]\n\
             [engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n\
             tmp_dir = \"{d}/libpodtmp\"\n",
            d = dir.display()
        );
        std::fs::write(dir.join("containers.conf"), conf).unwrap();
        let storage = format!(
            "[storage]\ndriver = \"overlay\"\ngraphroot = \"{d}/storage\"\nrunroot = \"{d}/runroot\"\n",
            d = dir.display()
        );
        std::fs::write(dir.join("storage.conf"), storage).unwrap();
        let p = Podman { dir };
        if !p
            .cmd(&["image", "exists", IMAGE])
            .status()
            .is_ok_and(|s| s.success())
        {
            if let Err(e) = p.build_image() {
                eprintln!("SKIPPED {test}: cannot build the test image: {e}");
                return None;
            }
        }
        Some(p)
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("podman");
        c.args(args)
            .env("CONTAINERS_CONF", self.dir.join("containers.conf"))
            .env("CONTAINERS_STORAGE_CONF", self.dir.join("storage.conf"));
        c
    }

    /// A root file system of busybox-static, imported as [`IMAGE`].
    fn build_image(&self) -> Result<(), String> {
        let busybox = Path::new("/bin/busybox");
        if !busybox.exists() {
            return Err("/bin/busybox is missing (apt-get install busybox-static)".into());
        }
        let root = self.dir.join("rootfs");
        let _ = std::fs::remove_dir_all(&root);
        for d in [
            "bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp",
        ] {
            std::fs::create_dir_all(root.join(d)).map_err(|e| e.to_string())?;
        }
        std::fs::copy(busybox, root.join("bin/busybox")).map_err(|e| e.to_string())?;
        for applet in ["sh", "cat", "sleep", "ls"] {
            std::os::unix::fs::symlink("busybox", root.join("bin").join(applet))
                .map_err(|e| e.to_string())?;
        }
        std::fs::write(root.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n")
            .map_err(|e| e.to_string())?;
        let tar = Command::new("tar")
            .arg("-C")
            .arg(&root)
            .args(["-c", "."])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("tar: {e}"))?;
        let out = self
            .cmd(&["import", "-q", "-", IMAGE])
            .stdin(tar.stdout.unwrap())
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(())
    }

    /// `podman run -d --name NAME --label team=blue OPTS IMAGE ARGS`; `Err` with podman's
    /// words when it cannot.
    fn run(&self, name: &str, opts: &[&str], args: &[&str]) -> Result<Container<'_>, String> {
        let mut a = vec!["run", "-d", "--name", name, "--label", "team=blue"];
        a.extend_from_slice(opts);
        a.push(IMAGE);
        a.extend_from_slice(args);
        let out = self.cmd(&a).output().map_err(|e| e.to_string())?;
        // Remove the container even when the run half failed.
        let c = Container {
            podman: self,
            name: name.to_string(),
        };
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(c)
    }
}

/// A container removed on drop.
struct Container<'a> {
    podman: &'a Podman,
    name: String,
}

impl Container<'_> {
    fn id(&self) -> String {
        let out = self
            .podman
            .cmd(&["inspect", "-f", "{{.Id}}", &self.name])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Container<'_> {
    fn drop(&mut self) {
        let _ = self
            .podman
            .cmd(&["rm", "-f", "-t", "0", &self.name])
            .output();
    }
}

/// Polls `cond` until it holds, for 30 s at most (loading the probe is slow on a busy host).
fn wait_until(mut cond: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !cond() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `hindsight print TRACE -p FORMAT FILTER` lines.
fn print(trace: &Path, format: &str, filter: &str) -> Vec<String> {
    let out = run(&["print", trace.to_str().unwrap(), "-p", format, filter]);
    assert!(
        out.status.success(),
        "print: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Recording a running (privileged) container with no API socket: the header holds its
/// processes only, and name, image, labels and privileged come from runc's and podman's files.
#[test]
fn privileged_podman_container_without_api_has_metadata_and_only_its_processes() {
    let test = "privileged_podman_container_without_api_has_metadata_and_only_its_processes";
    let Some(podman) = Podman::new(test) else {
        return;
    };
    let name = format!("hs-meta-{}", std::process::id());
    let c = match podman.run(&name, &["--privileged"], &["sleep", "30"]) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("SKIPPED {test}: podman cannot run a container here: {e}");
            return;
        }
    };
    let id = c.id();
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("c.scap.zst");
    let rec = hindsight()
        .args([
            "record",
            "-o",
            trace.to_str().unwrap(),
            "--container",
            &name,
        ])
        .args(["--api-socket", "none", "--duration", "3s"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Recording has begun once the trace exists (after the probe's load and the snapshot).
    wait_until(|| trace.exists());
    let exec = podman
        .cmd(&["exec", &name, "cat", "/etc/passwd"])
        .output()
        .unwrap();
    assert!(
        exec.status.success(),
        "{}",
        String::from_utf8_lossy(&exec.stderr)
    );
    let out = rec.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("not built into this binary") {
        eprintln!("SKIPPED {test}: {stderr}");
        return;
    }
    assert!(out.status.success(), "record: {stderr}");

    let r = hindsight_format::TraceReader::open(&trace).unwrap();
    let threads = &r.header().threads;
    assert!(!threads.is_empty(), "the container's sleep is missing");
    for t in threads {
        assert!(
            t.cgroups
                .iter()
                .any(|(_, p)| String::from_utf8_lossy(p).contains(&id)),
            "a process outside the container: {} {:?}",
            t.pid,
            String::from_utf8_lossy(&t.comm)
        );
    }
    let lines = print(
        &trace,
        "%container.name %container.image %container.label[team] %container.privileged",
        &format!("container.id={}", &id[..12]),
    );
    assert!(!lines.is_empty(), "no event of the container");
    let want = format!("{name} {IMAGE} blue true");
    assert!(lines.iter().all(|l| *l == want), "want {want}: {lines:#?}");
}

/// `--container NAME` before the container exists: the recorder says it waits, and records
/// the container once its first process appears.
#[test]
fn privileged_podman_record_waits_for_a_container_started_later() {
    let test = "privileged_podman_record_waits_for_a_container_started_later";
    let Some(podman) = Podman::new(test) else {
        return;
    };
    let name = format!("hs-wait-{}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("w.scap.zst");
    let log = dir.path().join("record.log");
    let mut rec = hindsight()
        .args([
            "record",
            "-o",
            trace.to_str().unwrap(),
            "--container",
            &name,
        ])
        .args([
            "--api-socket",
            "none",
            "--duration",
            "4s",
            "--wait-timeout",
            "60s",
        ])
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let said = || std::fs::read_to_string(&log).unwrap_or_default();
    wait_until(|| said().contains("waiting") || rec.try_wait().is_ok_and(|s| s.is_some()));
    if !said().contains("waiting") {
        let e = said();
        let _ = rec.kill();
        if e.contains("not built into this binary") {
            eprintln!("SKIPPED {test}: {e}");
            return;
        }
        panic!("the recorder did not wait: {e}");
    }
    // The entrypoint works at once: the recorder attached its probe while waiting and sets
    // the container's cgroup filter within a few milliseconds of the cgroup's creation, before
    // runc starts the entrypoint.
    let c = podman.run(
        &name,
        &[],
        &["sh", "-c", "cat /etc/passwd > /dev/null; sleep 5"],
    );
    let c = match c {
        Ok(c) => c,
        Err(e) => {
            let _ = rec.kill();
            eprintln!("SKIPPED {test}: podman cannot run a container here: {e}");
            return;
        }
    };
    let status = rec.wait().unwrap();
    let stderr = said();
    assert!(status.success(), "record: {stderr}");
    assert!(stderr.contains("appeared"), "{stderr}");
    let lines = print(
        &trace,
        // proc.exe: busybox runs its applets by exec'ing /proc/self/exe, so comm is `exe`
        "%proc.exe %fd.name %container.name %container.image %container.privileged",
        "evt.type=openat and evt.dir=< and fd.name=/etc/passwd and proc.exe=cat",
    );
    assert_eq!(
        lines,
        vec![format!("cat /etc/passwd {name} {IMAGE} false")],
        "container {}",
        c.id()
    );
    // The entrypoint's own start is in the trace, not only what it did later.
    let execs = print(
        &trace,
        "%proc.exe",
        "evt.type=execve and evt.dir=< and evt.failed=false",
    );
    assert_eq!(execs, ["sh", "cat", "sleep"], "container {}", c.id());
}

/// A container that never appears ends the wait with a clear error.
#[test]
fn privileged_record_gives_up_on_a_container_that_never_appears() {
    let test = "privileged_record_gives_up_on_a_container_that_never_appears";
    if !is_root() {
        eprintln!("SKIPPED {test}: recording needs root");
        return;
    }
    let out = run(&[
        "record",
        "-o",
        "/tmp/never.scap.zst",
        "--container",
        "no-such-container-hindsight",
        "--wait-timeout",
        "300ms",
    ]);
    let e = String::from_utf8_lossy(&out.stderr);
    if e.contains("not built into this binary") {
        eprintln!("SKIPPED {test}: {e}");
        return;
    }
    assert!(!out.status.success());
    assert!(
        e.contains("`no-such-container-hindsight` not found after waiting"),
        "{e}"
    );
    assert!(!Path::new("/tmp/never.scap.zst").exists());
}
