//! Events per second through the stages after decoding, on the real captures held in memory
//! (decoding itself: the format crate's `convert` bench; sinks: `sinks`):
//! - `state`: the state changes alone ([`Replayer::skim`], what a segment worker does on
//!   the events before its own);
//! - `state+ctx`: the state and each event's field context ([`Replayer::advance`]);
//! - `state+eval`: both and the three upstream Falco rule files (every rule enabled, so
//!   each event meets the most candidates).

use std::path::PathBuf;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hindsight_format::event::EventRef;
use hindsight_format::header::TraceHeader;
use hindsight_format::{Item, TraceReader};
use hindsight_replay::engine::{Engine, MatchMode, Replayer, Scratch};
use hindsight_replay::rules::{CompiledRules, Loader};
use hindsight_replay::state::libs_view::{fate, Fate};

fn shared() -> PathBuf {
    std::env::var_os("HINDSIGHT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
}

/// One event copied out of the reader: record bytes, number, cpu, header version.
struct Owned(Vec<u8>, u64, u16, bool);

fn load(name: &str) -> (TraceHeader, Vec<Owned>) {
    let mut r = TraceReader::open(shared().join("captures/falco").join(name)).expect("open");
    let header = r.header().clone();
    let mut evs = Vec::new();
    while let Some(item) = r.next_item().expect("read") {
        if let Item::Event(ev) = item {
            evs.push(Owned(
                ev.record_bytes().to_vec(),
                ev.num,
                ev.cpu,
                ev.is_v2(),
            ));
        }
    }
    (header, evs)
}

fn engine() -> Engine {
    let mut loader = Loader::new();
    for f in [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
    ] {
        loader.add_path(&shared().join("rules/upstream").join(f));
    }
    let mut rules = loader.finish().rules().to_vec();
    for r in &mut rules {
        r.enabled = true;
    }
    Engine::new(Arc::new(CompiledRules::new(rules)), MatchMode::First)
}

fn replay(engine: &Engine, header: &TraceHeader, evs: &[Owned], scratch: &mut Scratch) -> usize {
    let mut rp = Replayer::from_header(header);
    let mut alerts = Vec::new();
    each(evs, |ev| {
        let visible = fate(ev) == Fate::Visible;
        let ctx = rp.advance(ev);
        if visible {
            engine.on_event(&ctx, "bench", scratch, &mut alerts);
        }
    });
    alerts.len()
}

/// Parses the owned events and hands each to `f`.
fn each(evs: &[Owned], mut f: impl FnMut(&EventRef<'_>)) {
    for Owned(rec, num, cpu, v2) in evs {
        let parsed = if *v2 {
            EventRef::parse_v2(rec, *num, *cpu, 0)
        } else {
            EventRef::parse_v1(rec, *num, *cpu, 0)
        };
        if let Ok(ev) = parsed {
            f(&ev);
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("state");
    for name in ["curl_google.scap", "psp_run_as_user_0_container.scap"] {
        let (header, evs) = load(name);
        g.throughput(Throughput::Elements(evs.len() as u64));
        g.bench_function(format!("skim/{name}"), |b| {
            b.iter(|| {
                let mut rp = Replayer::from_header(&header);
                each(&evs, |ev| rp.skim(ev));
                rp.state.threads.threads.len()
            });
        });
        g.bench_function(format!("advance/{name}"), |b| {
            b.iter(|| {
                let mut rp = Replayer::from_header(&header);
                let mut n = 0u64;
                each(&evs, |ev| n += rp.advance(ev).num);
                n
            });
        });
    }
    g.finish();
    let engine = engine();
    let mut g = c.benchmark_group("state+eval");
    for name in ["curl_google.scap", "psp_run_as_user_0_container.scap"] {
        let (header, evs) = load(name);
        g.throughput(Throughput::Elements(evs.len() as u64));
        let mut scratch = Scratch::default();
        g.bench_function(name, |b| {
            b.iter(|| replay(&engine, &header, &evs, &mut scratch));
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
