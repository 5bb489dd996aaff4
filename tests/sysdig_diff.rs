//! Differential tests against sysdig: `hindsight print CAP FILTER -p FMT` must print exactly
//! what `sysdig -r CAP -p FMT FILTER` prints, on every capture in ../shared/captures/falco,
//! for a broad set of filters and fields.
//!
//! sysdig 0.29.3 carries a 2022 libsinsp. Where hindsight follows current libsinsp (or where
//! 0.29 shows an artefact we do not reproduce), the difference is an explicit case in
//! [`documented_differences`], with the value each side prints. These tests fail (they do not
//! skip) when sysdig is missing, unless `HINDSIGHT_SKIP_SYSDIG=1`.

use std::path::Path;
use std::process::Command;

use crate::util::{falco_captures, run, shared_dir, sysdig_available};

/// The container event sysdig 0.29 attributes to a fake `container:<id>` thread is left out
/// of the broad comparison (see [`documented_differences`]).
/// mmap and getsockopt exits are left out too: current libsinsp gives mmap the mapped fd,
/// sysdig 0.29 none; getsockopt see [`DIFFERENCES`].
const BASE_FILTER: &str =
    "evt.type != container and not (evt.dir = < and evt.type in (mmap, getsockopt))";

/// Filters: selection must match event for event.
const FILTERS: &[&str] = &[
    "evt.type = open",
    "evt.type in (open, openat, close) and evt.dir = <",
    "fd.typechar = f and evt.is_open_read = true",
    "fd.name contains /etc",
    "fd.name startswith /lib and not fd.name endswith .so.6",
    "evt.failed = true",
    "evt.res = ENOENT",
    "evt.rawres < 0",
    "proc.name in (cat, bash, curl, ping, sshd)",
    "proc.aname[1] = bash",
    "proc.pname exists",
    "fd.l4proto = tcp",
    "fd.sockfamily = ip or fd.type = unix",
    "fd.sport = 80 or fd.sport = 1234",
    "user.name = root",
    "container.id != host",
    "thread.ismain = true",
    "evt.is_io_write = true and fd.num >= 0",
    "(evt.type = execve or evt.type = clone) and evt.dir = <",
    "proc.cmdline contains google",
];

/// Formats compared on every capture and filter (fields where hindsight and sysdig agree).
const FORMATS: &[&str] = &[
    "*%evt.num %evt.type %evt.dir %evt.cpu %evt.time %evt.datetime %evt.rawtime %evt.res %evt.rawres %evt.failed",
    "*%evt.num %evt.is_io %evt.is_io_read %evt.is_io_write %evt.is_open_read %evt.is_open_write",
    "*%evt.num %proc.name %proc.pid %proc.ppid %proc.exe %proc.pname %proc.aname[1] %proc.aname[2] %proc.aname[3] %proc.vpid",
    "*%evt.num %thread.tid %thread.vtid %thread.ismain %proc.vpgid",
    "*%evt.num %user.uid %user.name %user.homedir %user.shell %user.loginuid %group.name",
    "*%evt.num %container.id %container.name %container.image %container.type %container.privileged %container.image.repository %container.image.tag",
    "%evt.num %proc.name %fd.name",
    "%evt.num %fd.num %fd.type",
    // Unix sockets named by their connect enter, failed connects and datagrams by their
    // tuple; directories without trailing `/`; failed opens without a file name.
    "*%evt.num %fd.name %fd.typechar %fd.filename %fd.directory",
];

fn skip_without_sysdig() -> bool {
    if sysdig_available() {
        return false;
    }
    assert!(
        std::env::var("HINDSIGHT_SKIP_SYSDIG").as_deref() == Ok("1"),
        "sysdig is not installed: install it (apt-get install sysdig) or set HINDSIGHT_SKIP_SYSDIG=1"
    );
    eprintln!("sysdig missing: skipped because HINDSIGHT_SKIP_SYSDIG=1");
    true
}

fn sysdig(cap: &Path, format: &str, filter: &str) -> String {
    let out = Command::new("sysdig")
        .arg("-r")
        .arg(cap)
        .arg("-p")
        .arg(format)
        .arg(filter)
        .output()
        .expect("sysdig failed to start");
    assert!(
        out.status.success(),
        "sysdig failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ours(cap: &Path, format: &str, filter: &str) -> String {
    let cap = cap.to_str().expect("utf-8 path");
    let out = run(&["print", cap, filter, "-p", format]);
    assert!(
        out.status.success(),
        "hindsight print failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The first differing line of two outputs, for the failure message.
fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<_>, Vec<_>) = (a.lines().collect(), b.lines().collect());
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i), lb.get(i));
        if x != y {
            return format!("line {}:\n  sysdig:    {x:?}\n  hindsight: {y:?}", i + 1);
        }
    }
    String::new()
}

/// Events left out of the broad comparison because of a documented difference (see
/// [`DIFFERENCES`]), per capture.
const EXCLUDED: &[(&str, &str)] = &[];

fn compare(format: &str, filter: &str, failures: &mut Vec<String>) {
    for cap in falco_captures() {
        let name = cap
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let filter = match EXCLUDED.iter().find(|(c, _)| *c == name) {
            Some((_, x)) => format!("({filter}) and {x}"),
            None => filter.to_owned(),
        };
        let filter = filter.as_str();
        let (s, o) = (sysdig(&cap, format, filter), ours(&cap, format, filter));
        if s != o {
            failures.push(format!(
                "{} -p {format:?} {filter:?}: {}",
                cap.file_name().unwrap_or_default().to_string_lossy(),
                first_difference(&s, &o)
            ));
        }
    }
}

#[test]
fn filters_select_what_sysdig_selects() {
    if skip_without_sysdig() {
        return;
    }
    let mut failures = Vec::new();
    for f in FILTERS {
        compare(
            "*%evt.num %evt.type %evt.dir %proc.name %thread.tid",
            &format!("({f}) and {BASE_FILTER}"),
            &mut failures,
        );
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fields_print_what_sysdig_prints() {
    if skip_without_sysdig() {
        return;
    }
    let mut failures = Vec::new();
    for fmt in FORMATS {
        compare(fmt, BASE_FILTER, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn default_line_format_matches_sysdig() {
    if skip_without_sysdig() {
        return;
    }
    // Captures where the parameter printer has no known gap (see documented_differences).
    let mut failures = Vec::new();
    for cap in falco_captures() {
        let name = cap
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        // Its container event belongs to a fake thread in sysdig 0.29 (documented below).
        // The other psp_ captures cover relative paths (`path=.(/)`) and octal modes.
        if name == "psp_privileged.scap" {
            continue;
        }
        let s = Command::new("sysdig")
            .arg("-r")
            .arg(&cap)
            .output()
            .expect("sysdig");
        let o = run(&["print", cap.to_str().unwrap_or_default()]);
        let (s, o) = (
            String::from_utf8_lossy(&s.stdout),
            String::from_utf8_lossy(&o.stdout),
        );
        if s != o {
            failures.push(format!("{name}: {}", first_difference(&s, &o)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn print_without_value_drops_the_line_unless_star() {
    let cap = shared_dir().join("captures/falco/cat_write.scap");
    let cap = cap.to_str().unwrap_or_default();
    // user.name has no value in this capture (uid 4294967295 is in no user list).
    let plain = run(&["print", cap, "evt.num <= 135", "-p", "%evt.num %user.name"]);
    assert_eq!(String::from_utf8_lossy(&plain.stdout), "");
    let star = run(&[
        "print",
        cap,
        "evt.num <= 133",
        "-p",
        "*%evt.num %user.name %(proc.name)",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&star.stdout),
        "131 <NA> cat\n132 <NA> cat\n133 <NA> cat\n"
    );
}

/// One documented divergence: what sysdig 0.29 prints and what hindsight prints instead.
struct Difference {
    capture: &'static str,
    filter: &'static str,
    format: &'static str,
    sysdig: &'static str,
    hindsight: &'static str,
    why: &'static str,
}

const DIFFERENCES: &[Difference] = &[
    Difference {
        capture: "psp_privileged.scap",
        filter: "evt.type = container",
        format: "%evt.num %proc.name %thread.tid",
        sysdig: "1405 container:9dbcbd0c435f -1\n",
        hindsight: "",
        why: "sysdig 0.29 invents a thread `container:<id>` for tid -1; current libsinsp (the \
              container plugin) has no thread for container events, so proc.name has no value",
    },
    Difference {
        capture: "cat_write.scap",
        filter: "evt.num = 145",
        format: "*%evt.num %evt.type %evt.dir %fd.num %fd.name",
        sysdig: "145 mmap < <NA> <NA>\n",
        hindsight: "145 mmap < 3 /etc/ld.so.cache\n",
        why: "mmap uses an fd (its fifth parameter): current libsinsp flags it EF_USES_FD \
              and the converter gives the exit that fd; sysdig 0.29 has no fd for it",
    },
    Difference {
        capture: "curl_google.scap",
        filter: "evt.num = 1300",
        format: "*%evt.num %evt.type %evt.dir %fd.num",
        sysdig: "1300 getsockopt < -1\n",
        hindsight: "1300 getsockopt < 4\n",
        why: "an old getsockopt exit without parameters: its fd is the thread's last fd-using \
              enter (connect on fd 4); sysdig 0.29 resets it to -1 in a way we do not follow",
    },
    Difference {
        capture: "cat_write.scap",
        filter: "evt.num = 141",
        format: "%evt.num %evt.arg.fd %evt.category",
        sysdig: "141 <f>/etc/ld.so.cache file\n",
        hindsight: "141 <f>/etc/ld.so.cache file\n",
        why: "control case: identical",
    },
    Difference {
        capture: "cat_write.scap",
        filter: "evt.num = 147",
        format: "*%evt.num %evt.type %evt.arg.fd",
        sysdig: "147 close <NA>\n",
        hindsight: "147 close <f>/etc/ld.so.cache\n",
        why: "current libsinsp's converter appends the enter's fd to old close exits, so \
              evt.arg.fd has a value on the exit event",
    },
];

#[test]
fn documented_differences() {
    let check_sysdig = !skip_without_sysdig();
    let mut failures = Vec::new();
    for d in DIFFERENCES {
        let cap = shared_dir().join("captures/falco").join(d.capture);
        let o = ours(&cap, d.format, d.filter);
        if o != d.hindsight {
            failures.push(format!(
                "{} {}: hindsight printed {o:?} ({})",
                d.capture, d.filter, d.why
            ));
        }
        if check_sysdig {
            let s = sysdig(&cap, d.format, d.filter);
            if s != d.sysdig {
                failures.push(format!("{} {}: sysdig printed {s:?}", d.capture, d.filter));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Format and filter pairs compared on every capture: fields that agree on a subset.
const SCOPED: &[(&str, &str)] = &[
    // libsinsp: an IPv4 socket's local end is its source when that address is one of the
    // machine's interfaces, and it is a server when its destination is.
    (
        "*%evt.num %fd.name %fd.lip %fd.rip %fd.lport %fd.rport %fd.is_server %fd.l4proto",
        "fd.type = ipv4",
    ),
];

#[test]
fn scoped_fields_print_what_sysdig_prints() {
    if skip_without_sysdig() {
        return;
    }
    let mut failures = Vec::new();
    for (fmt, filter) in SCOPED {
        compare(fmt, filter, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Formats compared on every trace of the lab corpus (corpora/*.scap.zst, decompressed for
/// sysdig with the `zstd` tool).
const CORPUS_FORMATS: &[&str] = &[
    // Threads whose leader is unknown take its name from their own clone exit.
    "*%evt.num %proc.name %proc.pid %proc.ppid %proc.exe %proc.pname %thread.tid",
    "*%evt.num %user.name %proc.cmdline %proc.vpgid",
    "*%evt.num %evt.type %evt.category",
    // openat enters: -1 (its dirfd is not its fd); fchmod/fchmodat exits: none;
    // fcntl(F_DUPFD) exits: the new fd.
    "*%evt.num %evt.type %evt.dir %fd.num",
    "*%evt.num %fd.name %fd.typechar %fd.filename %fd.directory",
];

/// The lab corpus traces, each with a decompressed copy in `dir` for sysdig.
fn corpus_traces(dir: &Path) -> Vec<(std::path::PathBuf, std::path::PathBuf)> {
    let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&corpora).expect("corpora/ is readable") {
        let zst = entry.expect("corpora entry").path();
        let Some(name) = zst.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".zst") else {
            continue;
        };
        let raw = dir.join(stem);
        let st = Command::new("zstd")
            .arg("-dqf")
            .arg(&zst)
            .arg("-o")
            .arg(&raw)
            .status()
            .expect("the zstd tool runs");
        assert!(st.success(), "zstd could not decompress {}", zst.display());
        out.push((zst, raw));
    }
    out.sort();
    out
}

#[test]
fn corpus_fields_print_what_sysdig_prints() {
    if skip_without_sysdig() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for (zst, raw) in corpus_traces(dir.path()) {
        for fmt in CORPUS_FORMATS {
            let (s, o) = (sysdig(&raw, fmt, ""), ours(&zst, fmt, ""));
            if s != o {
                failures.push(format!(
                    "{} -p {fmt:?}: {}",
                    zst.display(),
                    first_difference(&s, &o)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Default lines of the lab corpus for events whose parameters need state or special forms:
/// `dirfd=-100(AT_FDCWD)`, octal modes (`mode=0644`), group names (`gid=0(root)`), fd names
/// of unix sockets and dup'd fds. (openat enters are left out: the recorder leaves their
/// path empty, which sysdig 0.29 prints as the dirfd.)
#[test]
fn corpus_default_lines_print_what_sysdig_prints() {
    if skip_without_sysdig() {
        return;
    }
    const FILTER: &str = "evt.type in (setgid, setuid, fchmod, fchmodat, openat, connect, \
                          fcntl, close, sendmsg, recvmsg) and not (evt.type = openat and evt.dir = >)";
    let dir = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for (zst, raw) in corpus_traces(dir.path()) {
        let s = Command::new("sysdig")
            .arg("-r")
            .arg(&raw)
            .arg(FILTER)
            .output()
            .expect("sysdig");
        let o = run(&["print", zst.to_str().unwrap_or_default(), FILTER]);
        let (s, o) = (
            String::from_utf8_lossy(&s.stdout),
            String::from_utf8_lossy(&o.stdout),
        );
        if s != o {
            failures.push(format!("{}: {}", zst.display(), first_difference(&s, &o)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
