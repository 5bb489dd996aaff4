//! `hindsight export-pcap`: tcpdump reads the capture, and the payloads it shows are the
//! bytes sysdig shows for the same events.

use std::path::Path;
use std::process::Command;

use crate::util::{run, shared_dir, sysdig_available};

fn tcpdump(args: &[&str]) -> String {
    let out = Command::new("tcpdump")
        .args(args)
        .output()
        .expect("tcpdump is missing: apt-get install -y tcpdump (.ci/run installs it)");
    assert!(
        out.status.success(),
        "tcpdump {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn export(trace: &Path, out: &Path) -> String {
    let res = run(&[
        "export-pcap",
        trace.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        res.status.success(),
        "export-pcap failed: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    String::from_utf8_lossy(&res.stderr).into_owned()
}

/// Hex groups of a dump line `\t0x0010: 0667 6f6f ...  ascii`: the bytes between the
/// offset and the double space that starts the ASCII column (tcpdump `-xx` has none).
fn hex_bytes(line: &str) -> Vec<u8> {
    let Some((_, rest)) = line.split_once(':') else {
        return Vec::new();
    };
    let rest = rest.trim_start();
    let groups = rest.split_once("  ").map_or(rest, |(h, _)| h);
    let digits: String = groups.split_whitespace().collect();
    (0..digits.len() / 2)
        .map(|i| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// Splits a dump into records: a header line (not indented) followed by `\t0x` hex lines.
fn records(dump: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    for line in dump.lines() {
        if line.trim_start().starts_with("0x") {
            if let Some(last) = out.last_mut() {
                last.1.extend(hex_bytes(line));
            }
        } else if !line.starts_with(char::is_whitespace) && !line.is_empty() {
            out.push((line.to_string(), Vec::new()));
        }
    }
    out
}

/// The TCP or UDP payload of an Ethernet frame.
fn payload(frame: &[u8]) -> &[u8] {
    let (l4, proto) = match u16::from_be_bytes([frame[12], frame[13]]) {
        0x0800 => (14 + usize::from(frame[14] & 0xf) * 4, frame[23]),
        0x86dd => (14 + 40, frame[20]),
        other => panic!("unexpected ethertype {other:#x}"),
    };
    let hdr = if proto == 6 {
        usize::from(frame[l4 + 12] >> 4) * 4
    } else {
        8
    };
    &frame[l4 + hdr..]
}

#[test]
fn tcpdump_shows_the_payloads_sysdig_shows() {
    if !sysdig_available() {
        assert!(
            std::env::var("HINDSIGHT_SKIP_SYSDIG").is_ok(),
            "sysdig is missing (set HINDSIGHT_SKIP_SYSDIG=1 to skip)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for name in ["curl_google.scap", "single_ipv6_conn.scap"] {
        let trace = shared_dir().join("captures/falco").join(name);
        let pcap = dir.path().join(format!("{name}.pcapng"));
        let msg = export(&trace, &pcap);
        assert!(msg.contains("packets"), "{msg}");
        let pcap = pcap.to_str().unwrap();
        // Every checksum tcpdump verifies is correct.
        let verbose = tcpdump(&["-r", pcap, "-n", "-vv"]);
        assert!(!verbose.contains("incorrect"), "{verbose}");
        assert!(!verbose.contains("bad udp cksum"), "{verbose}");
        let frames = records(&tcpdump(&["-r", pcap, "-n", "-xx"]));
        let sysdig = Command::new("sysdig")
            .args(["-r", trace.to_str().unwrap(), "-X"])
            .arg("fd.l4proto in (tcp, udp) and evt.is_io = true and evt.dir = < and evt.rawres > 0")
            .output()
            .expect("sysdig failed to start");
        let events = records(&String::from_utf8_lossy(&sysdig.stdout));
        assert!(!events.is_empty(), "{name}: sysdig shows no network event");
        assert_eq!(frames.len(), events.len(), "{name}: {frames:?}\n{events:?}");
        for ((fline, frame), (eline, data)) in frames.iter().zip(&events) {
            assert!(!data.is_empty(), "{eline}");
            assert_eq!(payload(frame), &data[..], "{name}: {fline} vs {eline}");
        }
    }
}

#[test]
fn tcp_sequence_numbers_advance_by_the_bytes_transferred() {
    let dir = tempfile::tempdir().unwrap();
    let trace = shared_dir().join("captures/falco/curl_google.scap");
    let pcap = dir.path().join("curl.pcapng");
    export(&trace, &pcap);
    let text = tcpdump(&["-r", pcap.to_str().unwrap(), "-n", "tcp"]);
    // The server's replies follow one another: each starts where the previous one's
    // transfer (not only its captured bytes) ended.
    let seqs: Vec<(u64, u64)> = text
        .lines()
        .filter(|l| l.contains(".80 >"))
        .filter_map(|l| {
            let s = l.split("seq ").nth(1)?.split(',').next()?;
            let (a, b) = s.split_once(':')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect();
    assert!(seqs.len() >= 3, "{text}");
    assert_eq!(seqs[0].0, 1, "{text}");
    for w in seqs.windows(2) {
        assert!(w[1].0 > w[0].1, "sequence numbers do not advance: {text}");
    }
}

#[test]
fn a_trace_without_network_payload_gives_an_empty_valid_capture() {
    let dir = tempfile::tempdir().unwrap();
    let trace = shared_dir().join("captures/falco/cat_write.scap");
    let pcap = dir.path().join("none.pcapng");
    let msg = export(&trace, &pcap);
    assert!(msg.contains("no network payload"), "{msg}");
    let bytes = std::fs::read(&pcap).unwrap();
    assert_eq!(&bytes[..4], &[0x0a, 0x0d, 0x0d, 0x0a], "not a pcapng file");
    assert_eq!(tcpdump(&["-r", pcap.to_str().unwrap(), "-n"]), "");
}

#[test]
fn an_unreadable_trace_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.scap");
    std::fs::write(&bad, b"not a trace at all").unwrap();
    let pcap = dir.path().join("out.pcapng");
    let res = run(&[
        "export-pcap",
        bad.to_str().unwrap(),
        "-o",
        pcap.to_str().unwrap(),
    ]);
    assert_eq!(res.status.code(), Some(1));
    let err = String::from_utf8_lossy(&res.stderr);
    assert!(err.contains("bad.scap"), "{err}");
}

/// The comments and timestamps of the packets of a pcapng file, in order.
fn comments_and_times(path: &Path) -> Vec<(String, u128)> {
    use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketOption;
    use pcap_file::pcapng::{Block, PcapNgReader};
    let mut reader = PcapNgReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = Vec::new();
    while let Some(block) = reader.next_block() {
        if let Block::EnhancedPacket(p) = block.unwrap() {
            let comment = p.options.iter().find_map(|o| match o {
                EnhancedPacketOption::Comment(c) => Some(c.to_string()),
                _ => None,
            });
            out.push((
                comment.expect("a packet without comment"),
                p.timestamp.as_nanos(),
            ));
        }
    }
    out
}

#[test]
fn packets_carry_the_process_container_and_time_of_their_event() {
    let dir = tempfile::tempdir().unwrap();
    let trace = shared_dir().join("captures/falco/curl_google.scap");
    let pcap = dir.path().join("curl.pcapng");
    export(&trace, &pcap);
    let got = comments_and_times(&pcap);
    let printed = run(&[
        "print",
        trace.to_str().unwrap(),
        "-p",
        "%proc.name %proc.pid %container.id %evt.rawtime",
        "fd.l4proto in (tcp, udp) and evt.is_io = true and evt.dir = < and evt.rawres > 0",
    ]);
    assert!(printed.status.success());
    let want: Vec<(String, u128)> = String::from_utf8_lossy(&printed.stdout)
        .lines()
        .map(|l| {
            let (comment, ts) = l.rsplit_once(' ').unwrap();
            (comment.to_string(), ts.parse().unwrap())
        })
        .collect();
    assert!(!want.is_empty());
    assert!(want[0].0.starts_with("curl "), "{want:?}");
    assert_eq!(got, want);
}
