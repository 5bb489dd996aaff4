//! `hindsight info TRACE [--json]`: format, compression, machine, time range, event counts per
//! type, processes, containers (from cgroups), chunks and damage of a trace.

use std::collections::{BTreeMap, BTreeSet};
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
    while let Some(item) = r.next_item()? {
        match item {
            Item::NewSection => sections += 1,
            Item::Event(ev) => {
                count += 1;
                first = first.min(ev.ts);
                last = last.max(ev.ts);
                let n = hindsight_format::print::event_type_name(&ev);
                *per_type.entry(n).or_default() += 1;
            }
        }
    }
    let mut warnings: Vec<String> = r.warnings().iter().map(ToString::to_string).collect();
    let mut chunks = Vec::new();
    if r.compression() == Compression::Native {
        if let Ok(nr) = NativeReader::open(&args.trace) {
            warnings.extend(nr.warnings().iter().map(ToString::to_string));
            for c in nr.chunks() {
                chunks.push(serde_json::json!({
                    "index": c.index, "events": c.stats.count, "first_num": c.stats.first_num,
                    "first_ts": c.stats.first_ts, "last_ts": c.stats.last_ts,
                    "raw_bytes": c.stats.raw_len, "compressed_bytes": c.data_len,
                    "checkpoint_bytes": c.checkpoint.as_ref().map_or(0, Vec::len), "complete": c.complete,
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
        "warnings": warnings,
    });
    if args.json {
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("file:        {name}");
    println!(
        "format:      scap {} ({:?} compression)",
        v["version"].as_str().unwrap_or(""),
        r.compression()
    );
    if let Some(m) = machine {
        println!(
            "machine:     {} ({} cpus, {} MiB)",
            m.hostname,
            m.num_cpus,
            m.memory_bytes >> 20
        );
    }
    println!(
        "events:      {count} in {sections} section(s), {:.3} s",
        v["duration_s"].as_f64().unwrap_or(0.0)
    );
    println!(
        "processes:   {} ({} threads) at start, {} users",
        procs.len(),
        h.threads.len(),
        h.users.len()
    );
    println!(
        "containers:  {}",
        if containers.is_empty() {
            "none".to_string()
        } else {
            containers.iter().cloned().collect::<Vec<_>>().join(", ")
        }
    );
    if !chunks.is_empty() {
        println!("chunks:      {}", chunks.len());
    }
    println!("event types:");
    let mut by_count: Vec<_> = per_type.iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (t, n) in by_count {
        println!("  {n:>10}  {t}");
    }
    for w in &warnings {
        println!("warning:     {w}");
    }
    Ok(ExitCode::SUCCESS)
}
