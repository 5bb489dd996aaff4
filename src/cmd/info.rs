//! `hindsight info TRACE [--json]`: format, compression, machine, time range, event counts per
//! type, processes, containers (from cgroups), chunks and damage of a trace.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use hindsight_format::native::NativeReader;
use hindsight_format::{Compression, Item, TraceReader};

/// Arguments of `hindsight info`.
#[derive(clap::Args)]
pub struct Args {
    /// Trace to summarise.
    pub trace: PathBuf,
    /// Print a JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The 12-character container id in a cgroup path (`/docker/<64 hex>` and friends), if any.
fn container_id(path: &[u8]) -> Option<String> {
    let s = String::from_utf8_lossy(path);
    s.split(['/', '-', '.', ':'])
        .find(|p| p.len() == 64 && p.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|p| p[..12].to_string())
}

/// Runs `hindsight info`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let name = args.trace.display().to_string();
    let mut r = TraceReader::open(&args.trace).with_context(|| name.clone())?;
    let h = r.header().clone();
    let mut containers = BTreeSet::new();
    let mut procs = BTreeSet::new();
    for t in &h.threads {
        procs.insert(t.pid);
        for (_, p) in &t.cgroups {
            containers.extend(container_id(p));
        }
    }
    let mut per_type: BTreeMap<&'static str, u64> = BTreeMap::new();
    let (mut count, mut first, mut last, mut sections) = (0u64, u64::MAX, 0u64, 1usize);
    // The recorder's last word on lost events (cumulative counters, see hindsight_capture::drops).
    let mut drops: Option<serde_json::Value> = None;
    while let Some(item) = r.next_item().with_context(|| name.clone())? {
        match item {
            Item::NewSection => sections += 1,
            Item::Event(ev) => {
                count += 1;
                first = first.min(ev.ts);
                last = last.max(ev.ts);
                let n = hindsight_format::print::event_type_name(&ev);
                *per_type.entry(n).or_default() += 1;
                if n == "notification" {
                    drops = recorder_drops(&ev).or(drops);
                }
            }
        }
    }
    let mut warnings: Vec<String> = r.warnings().iter().map(ToString::to_string).collect();
    let mut chunks = Vec::new();
    if r.compression() == Compression::Native {
        if let Ok(nr) = NativeReader::open(&args.trace) {
            warnings.extend(nr.warnings().iter().map(ToString::to_string));
            for (i, c) in nr.chunks().iter().enumerate() {
                chunks.push(serde_json::json!({
                    "index": c.index, "events": c.stats.count, "first_num": c.stats.first_num,
                    "first_ts": c.stats.first_ts, "last_ts": c.stats.last_ts,
                    "raw_bytes": c.stats.raw_len, "compressed_bytes": c.data_len, "data_offset": c.data_offset,
                    "checkpoint_bytes": nr.checkpoint(i).map_or(0, |cp| cp.len()), "complete": c.complete,
                }));
            }
        }
    }
    let machine = h.machine.as_ref();
    let v = serde_json::json!({
        "file": name,
        "format": "scap",
        "version": format!("{}.{}", h.version.0, h.version.1),
        "compression": r.compression(),
        "hostname": machine.map(|m| m.hostname.clone()),
        "cpus": machine.map(|m| m.num_cpus),
        "memory_bytes": machine.map(|m| m.memory_bytes),
        "sections": sections,
        "events": count,
        "first_ts": (count > 0).then_some(first),
        "last_ts": (count > 0).then_some(last),
        "duration_s": if count > 0 { (last - first) as f64 / 1e9 } else { 0.0 },
        "threads": h.threads.len(),
        "processes": procs.len(),
        "users": h.users.len(),
        "containers": containers,
        "event_types": per_type,
        "chunks": chunks,
        "drops": drops,
        "warnings": warnings,
    });
    let mut out = String::new();
    if args.json {
        out = serde_json::to_string_pretty(&v)? + "\n";
    } else {
        write_text(&mut out, &v, &per_type, r.compression(), machine.is_some());
    }
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .context("writing to stdout")?;
    if count == 0 && !warnings.is_empty() {
        anyhow::bail!("{name}: no event could be read: the trace is damaged (see the warnings)");
    }
    Ok(ExitCode::SUCCESS)
}

/// The drop counters of a recorder's `hindsight.drops` notification event.
fn recorder_drops(ev: &hindsight_format::EventRef<'_>) -> Option<serde_json::Value> {
    let strip = |b: &[u8]| -> Vec<u8> { b.strip_suffix(b"\0").unwrap_or(b).to_vec() };
    if strip(ev.param(0)?) != b"hindsight.drops" {
        return None;
    }
    serde_json::from_slice(&strip(ev.param(1)?)).ok()
}

/// Human-readable words for a compression.
fn compression_name(c: Compression) -> &'static str {
    match c {
        Compression::None => "plain",
        Compression::Gzip => "gzip",
        Compression::Native => "native .scap.zst",
    }
}

/// The text report of `info` (the same facts as the JSON object `v`).
fn write_text(
    out: &mut String,
    v: &serde_json::Value,
    per_type: &BTreeMap<&str, u64>,
    compression: Compression,
    machine: bool,
) {
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    let _ = writeln!(out, "file:        {}", s("file"));
    let _ = writeln!(
        out,
        "format:      scap {}, {}",
        s("version"),
        compression_name(compression)
    );
    if machine {
        let _ = writeln!(
            out,
            "machine:     {} ({} cpus, {} MiB)",
            s("hostname"),
            n("cpus"),
            n("memory_bytes") >> 20
        );
    }
    let _ = writeln!(
        out,
        "events:      {} in {} section(s), {:.3} s",
        n("events"),
        n("sections"),
        v["duration_s"].as_f64().unwrap_or(0.0)
    );
    let _ = writeln!(
        out,
        "processes:   {} ({} threads) at start, {} users",
        n("processes"),
        n("threads"),
        n("users")
    );
    let containers: Vec<&str> = v["containers"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c.as_str()).collect())
        .unwrap_or_default();
    let containers = if containers.is_empty() {
        "none".to_string()
    } else {
        containers.join(", ")
    };
    let _ = writeln!(out, "containers:  {containers}");
    let chunks = v["chunks"].as_array().map_or(0, Vec::len);
    if chunks > 0 {
        let _ = writeln!(out, "chunks:      {chunks}");
    }
    let d = &v["drops"];
    if !d.is_null() {
        let cpus: Vec<String> = d["cpus"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                format!(
                    "cpu{}: buffer {}, too big {}, exit without enter {}",
                    c["cpu"], c["buffer"], c["too_big"], c["stash"]
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "drops:       {} lost while recording (buffer full {}, too big {}, exit without enter {}){}",
            d["total"],
            d["buffer"],
            d["too_big"],
            d["stash"],
            if cpus.is_empty() {
                String::new()
            } else {
                format!("; {}", cpus.join("; "))
            }
        );
    }
    let _ = writeln!(out, "event types:");
    let mut by_count: Vec<_> = per_type.iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (t, k) in by_count {
        let _ = writeln!(out, "  {k:>10}  {t}");
    }
    for w in v["warnings"].as_array().into_iter().flatten() {
        let _ = writeln!(out, "warning:     {}", w.as_str().unwrap_or(""));
    }
}
