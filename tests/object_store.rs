//! Traces read from, and alerts written to, a real S3 server (`s3s-fs`, started here on
//! loopback): the same alerts as from disk, and a work unit of one chunk fetches that chunk's
//! data frame and no other.
//!
//! s3s-fs serves a directory: a bucket is a subdirectory of its root, an object a file in it.
//! The test skips with a message when s3s-fs is not installed, unless it runs in CI (`CI` or
//! `HINDSIGHT_CI` set), where `.ci/run` installs it and its absence fails.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{hindsight, ok, shared_dir};

const RULES: &str = r#"
- rule: every fd event
  desc: matches most events so that a chunk read from the wrong place shows
  condition: evt.type in (openat, open, read, write, close, execve, connect, sendto, recvfrom, mmap, fstat)
  output: "%evt.num %proc.name %fd.name %proc.pname %user.name"
  priority: NOTICE
"#;

/// The s3s-fs binary: on PATH or in cargo's bin directory.
fn s3s_fs() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("s3s-fs"))
                .collect()
        })
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(Path::new(&home).join(".cargo/bin/s3s-fs"));
    }
    candidates.into_iter().find(|p| p.is_file())
}

/// A running s3s-fs, killed on drop.
struct S3Server {
    child: Child,
    endpoint: String,
    root: tempfile::TempDir,
    /// Its debug log: every request with its headers, every response with its status.
    log: PathBuf,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl S3Server {
    /// Starts s3s-fs over a fresh directory holding `buckets`, or `None` (with a message)
    /// when it is not installed outside CI.
    fn start(buckets: &[&str]) -> Option<S3Server> {
        let Some(bin) = s3s_fs() else {
            let ci = std::env::var_os("CI").is_some() || std::env::var_os("HINDSIGHT_CI").is_some();
            assert!(!ci, "s3s-fs is not installed; .ci/run installs it with `cargo install s3s-fs --version 0.14.1 --features binary`");
            eprintln!("SKIPPED: s3s-fs is not installed (cargo install s3s-fs --version 0.14.1 --features binary)");
            return None;
        };
        let root = tempfile::tempdir().unwrap();
        for b in buckets {
            std::fs::create_dir(root.path().join(b)).unwrap();
        }
        // Beside the buckets, not in one: s3s-fs lists directories of its root as buckets.
        let log = root.path().with_extension("s3s.log");
        let log_file = std::fs::File::create(&log).unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--access-key",
                "hindsight-test",
                "--secret-key",
                "hindsight-secret",
            ])
            .arg(root.path())
            .env("RUST_LOG", "s3s=debug")
            .env("NO_COLOR", "1")
            .stdout(Stdio::from(log_file.try_clone().unwrap()))
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("cannot start s3s-fs");
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            root,
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "s3s-fs did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }

    /// Puts `file` into `bucket` as `key`.
    fn put(&self, bucket: &str, key: &str, file: &Path) {
        std::fs::copy(file, self.root.path().join(bucket).join(key)).unwrap();
    }

    /// The object `key` of `bucket` as stored by the server.
    fn object(&self, bucket: &str, key: &str) -> PathBuf {
        self.root.path().join(bucket).join(key)
    }

    /// Bytes of the log so far (to read only what a later run adds).
    fn log_len(&self) -> usize {
        std::fs::read(&self.log).map_or(0, |b| b.len())
    }

    /// The byte ranges the server sent (206 responses, `content-range: bytes A-B/SIZE` as
    /// `(A, B + 1)`) after `from` bytes of its log, and how many GETs of a whole object it
    /// received (no `range` header, no query: not a listing).
    fn served(&self, from: usize) -> (Vec<(u64, u64)>, usize) {
        let log = std::fs::read(&self.log).unwrap();
        let text = String::from_utf8_lossy(&log[from.min(log.len())..]).into_owned();
        let mut ranges = Vec::new();
        let mut whole = 0;
        for line in text.lines() {
            if line.contains("resp: Response") {
                if let Some(rest) = line.split("\"content-range\": \"bytes ").nth(1) {
                    let span = rest.split('/').next().unwrap();
                    let (a, b) = span.split_once('-').unwrap();
                    ranges.push((a.parse().unwrap(), b.parse::<u64>().unwrap() + 1));
                }
            } else if line.contains("req: Request { method: GET")
                && !line.contains("\"range\"")
                && !line.contains('?')
            {
                whole += 1;
            }
        }
        (ranges, whole)
    }

    /// `hindsight ARGS` with the server's endpoint and credentials in the environment.
    fn hindsight(&self, args: &[&str]) -> Output {
        hindsight()
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "hindsight-test")
            .env("AWS_SECRET_ACCESS_KEY", "hindsight-secret")
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ALLOW_HTTP", "true")
            .env("AWS_REGION", "us-east-1")
            .output()
            .expect("failed to start hindsight")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.hindsight(args);
        assert!(
            out.status.success(),
            "hindsight {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// Alert lines as JSON with `trace` reduced to the file name, sorted.
fn alerts(jsonl: &str) -> Vec<String> {
    let mut v: Vec<String> = jsonl
        .lines()
        .map(|l| {
            let mut a: serde_json::Value = serde_json::from_str(l).unwrap();
            let name = a["trace"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string();
            a["trace"] = name.into();
            a.to_string()
        })
        .collect();
    v.sort();
    v
}

/// A local directory with a multi-chunk native trace, a corpus trace and a gzip trace.
fn traces(dir: &Path) -> Vec<PathBuf> {
    let big = dir.join("big.scap.zst");
    let capture = shared_dir().join("captures/falco/psp_run_as_user_0_container.scap");
    ok(&[
        "convert",
        capture.to_str().unwrap(),
        big.to_str().unwrap(),
        "--chunk-size",
        "4096",
    ]);
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpora/lab_port.scap.zst");
    let port = dir.join("lab_port.scap.zst");
    std::fs::copy(&corpus, &port).unwrap();
    let gz = dir.join("lab_port_copy.scap.gz");
    ok(&["convert", port.to_str().unwrap(), gz.to_str().unwrap()]);
    vec![big, port, gz]
}

#[test]
fn traces_in_s3_give_the_alerts_of_the_same_traces_on_disk() {
    let Some(s3) = S3Server::start(&["traces", "alerts"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, RULES).unwrap();
    let rules = rules.to_str().unwrap();
    let local = dir.path().join("local");
    std::fs::create_dir(&local).unwrap();
    for t in traces(&local) {
        s3.put("traces", t.file_name().unwrap().to_str().unwrap(), &t);
    }
    let from_disk = alerts(&ok(&[
        "replay",
        local.to_str().unwrap(),
        "-r",
        rules,
        "--format",
        "json",
        "-q",
    ]));
    assert!(
        from_disk.len() > 100,
        "too few alerts to compare: {}",
        from_disk.len()
    );
    let summary = dir.path().join("summary.json");
    let from_s3 = s3.ok(&[
        "replay",
        "s3://traces/",
        "-r",
        rules,
        "--format",
        "json",
        "-q",
        "--summary",
        summary.to_str().unwrap(),
    ]);
    assert_eq!(alerts(&from_s3), from_disk);
    // The gzip trace was streamed; the chunked native one read by ranges.
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    let requests = s["object_store"]["requests"].as_array().unwrap();
    let streamed = |url: &str| {
        requests
            .iter()
            .any(|r| r["kind"] == "stream" && r["url"] == url)
    };
    assert!(
        streamed("s3://traces/lab_port_copy.scap.gz"),
        "{requests:?}"
    );
    assert!(!streamed("s3://traces/big.scap.zst"), "{requests:?}");

    // Alerts uploaded as JSON lines and as Parquet are those written locally.
    s3.ok(&[
        "replay",
        "s3://traces/",
        "-r",
        rules,
        "-q",
        "-o",
        "s3://alerts/run/all.jsonl",
    ]);
    let uploaded = std::fs::read_to_string(s3.object("alerts", "run/all.jsonl")).unwrap();
    assert_eq!(alerts(&uploaded), from_disk);
    let log = std::fs::read_to_string(&s3.log).unwrap();
    assert!(
        log.contains("op: CompleteMultipartUpload"),
        "the alerts did not arrive by a multipart upload"
    );
    s3.ok(&[
        "replay",
        "s3://traces/big.scap.zst",
        "-r",
        rules,
        "-q",
        "-o",
        "s3://alerts/big.parquet",
    ]);
    let local_parquet = dir.path().join("big.parquet");
    ok(&[
        "replay",
        local.join("big.scap.zst").to_str().unwrap(),
        "-r",
        rules,
        "-q",
        "-o",
        local_parquet.to_str().unwrap(),
    ]);
    let up = std::fs::read(s3.object("alerts", "big.parquet")).unwrap();
    assert!(
        up.starts_with(b"PAR1") && up.ends_with(b"PAR1"),
        "not Parquet"
    );
    assert!(
        up.len() > 1000
            && up
                .len()
                .abs_diff(std::fs::metadata(&local_parquet).unwrap().len() as usize)
                < up.len() / 10
    );
}

#[test]
fn a_work_unit_of_one_chunk_fetches_only_that_chunk() {
    let Some(s3) = S3Server::start(&["traces"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, RULES).unwrap();
    let rules = rules.to_str().unwrap();
    let big = traces(dir.path()).remove(0);
    s3.put("traces", "big.scap.zst", &big);
    let size = std::fs::metadata(&big).unwrap().len();
    let info: serde_json::Value =
        serde_json::from_str(&ok(&["info", "--json", big.to_str().unwrap()])).unwrap();
    let frames: Vec<(u64, u64)> = info["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let off = c["data_offset"].as_u64().unwrap();
            (off, off + c["compressed_bytes"].as_u64().unwrap())
        })
        .collect();
    assert!(frames.len() >= 8, "too few chunks: {}", frames.len());
    let units = s3.ok(&["replay", "--list-work", "s3://traces/big.scap.zst"]);
    assert_eq!(units.lines().count(), frames.len());
    // A unit in the middle of the trace that has alerts (some chunks hold no matching event).
    let (unit, shard, on_disk) = (frames.len() / 2..frames.len())
        .find_map(|u| {
            let shard = format!("{}/{}", u + 1, frames.len());
            let out = ok(&[
                "replay",
                big.to_str().unwrap(),
                "-r",
                rules,
                "--format",
                "json",
                "-q",
                "--shard",
                &shard,
            ]);
            (!out.is_empty()).then_some((u, shard, out))
        })
        .expect("no unit in the second half of the trace has alerts");
    let summary = dir.path().join("summary.json");
    let log_from = s3.log_len();
    let remote = s3.ok(&[
        "replay",
        "s3://traces/big.scap.zst",
        "-r",
        rules,
        "--format",
        "json",
        "-q",
        "--shard",
        &shard,
        "--summary",
        summary.to_str().unwrap(),
    ]);
    assert!(!on_disk.is_empty(), "the unit has no alert to compare");
    assert_eq!(alerts(&remote), alerts(&on_disk));

    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    let ranges: Vec<(u64, u64)> = s["object_store"]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "range")
        .map(|r| (r["start"].as_u64().unwrap(), r["end"].as_u64().unwrap()))
        .collect();
    // The server saw exactly the ranges the reader counted, and no whole-object GET.
    let (mut served, whole) = s3.served(log_from);
    let mut counted = ranges.clone();
    served.sort_unstable();
    counted.sort_unstable();
    assert_eq!(served, counted, "s3s-fs log and --summary disagree");
    assert_eq!(whole, 0, "a whole-object GET was served");
    let overlaps = |a: (u64, u64), b: (u64, u64)| a.0 < b.1 && b.0 < a.1;
    for (i, &frame) in frames.iter().enumerate() {
        let touching: Vec<&(u64, u64)> = ranges.iter().filter(|&&r| overlaps(r, frame)).collect();
        if i == unit {
            assert_eq!(
                touching,
                [&frame],
                "chunk {i} must be fetched exactly once: {ranges:?}"
            );
        } else {
            assert!(
                touching.is_empty(),
                "chunk {i} {frame:?} was fetched by {touching:?}"
            );
        }
    }
    let bytes: u64 = ranges.iter().map(|r| r.1 - r.0).sum();
    assert!(
        bytes * 4 < size,
        "{bytes} of {size} bytes fetched for one chunk: {ranges:?}"
    );
    eprintln!(
        "one chunk of {}: {} ranged GETs, {bytes} of {size} bytes",
        frames.len(),
        ranges.len()
    );
}

#[test]
fn an_unreachable_bucket_is_reported_with_what_to_check() {
    let Some(s3) = S3Server::start(&[]) else {
        return;
    };
    let out = s3.hindsight(&["replay", "s3://missing/x.scap.zst", "-q"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("s3://missing/x.scap.zst") && err.contains("AWS_ENDPOINT_URL"),
        "{err}"
    );
}

#[test]
fn file_urls_read_and_write_through_the_same_layer() {
    let dir = tempfile::tempdir().unwrap();
    let corpora = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let local = ok(&[
        "replay",
        corpora.to_str().unwrap(),
        "--format",
        "json",
        "-q",
    ]);
    assert!(!local.is_empty(), "the corpus gives no alert");
    let url = format!("file://{}/", corpora.display());
    let out = dir.path().join("alerts.jsonl");
    let out_url = format!("file://{}", out.display());
    ok(&["replay", &url, "-q", "-o", &out_url]);
    assert_eq!(
        alerts(&std::fs::read_to_string(&out).unwrap()),
        alerts(&local)
    );
    let err = crate::util::run(&["replay", "ftp://host/x.scap", "-q"]);
    assert_eq!(err.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&err.stderr);
    assert!(
        msg.contains("ftp://host/x.scap") && msg.contains("s3://BUCKET/KEY"),
        "{msg}"
    );
}
