//! A whole replay of real captures with the upstream rules does not allocate on an event that
//! adds nothing to the state and fires no rule, once its thread has met its event type and the
//! scratch buffers have seen the traces once: zero allocations on every such event.
//!
//! Decoding, pairing with the enter event, state updates, field extraction and the evaluation
//! of every rule all run per event; any allocation among them costs on every event of a
//! multi-million-event trace. Events that create state (an fd's name, a new thread, the kept
//! enter of a thread met again after its exit) or alerts allocate what they keep, and are not
//! counted.
//!
//! This test binary installs a counting global allocator, so it holds a single test.

mod counting;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use counting::counted;
use hindsight_format::reader::{Item, TraceReader};
use hindsight_format::schema::flags;
use hindsight_replay::engine::{Engine, MatchMode, Replayer, Scratch};
use hindsight_replay::rules::{Loader, RuleSelection};

#[global_allocator]
static GLOBAL: counting::Counting = counting::Counting;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// Replays `path` with `scratch`; returns (events counted, their allocations, an example that
/// allocated).
fn replay(engine: &Engine, path: &Path, scratch: &mut Scratch) -> (u64, usize, Option<String>) {
    let mut reader = TraceReader::open(path).unwrap();
    let mut rp = Replayer::from_header(reader.header());
    let mut alerts = Vec::new();
    let trace = path.display().to_string();
    let mut seen: HashSet<(i64, u16)> = HashSet::new();
    let (mut counted_events, mut allocs, mut example) = (0, 0, None);
    while let Some(item) = reader.next_item().unwrap() {
        let Item::Event(ev) = item else {
            let h = reader.header().clone();
            rp = Replayer::from_header(&h);
            continue;
        };
        let adds_state = ev
            .info()
            .is_none_or(|i| i.flags & (flags::CREATES_FD | flags::MODIFIES_STATE) != 0);
        // A thread's first event of a type sizes the buffers it needs (the enter kept for
        // pairing, the scratch of the fields its rules read).
        let warm = !seen.insert((ev.tid, ev.ty));
        let before = alerts.len();
        let enters_before = rp.state.enters.len();
        // A thread that exited at the previous event is removed now, and noted among the
        // recently exited (libsinsp's ring, which grows to its working size).
        let removes_thread = rp.state.pending.thread.is_some();
        let ((), n) = counted(|| engine.evaluate(&mut rp, &trace, scratch, &mut alerts, &ev));
        // An event of a thread met again after its exit re-creates the thread's entry or the
        // slot of its kept enter (a `switch` makes no thread): that adds state too.
        let adds_state = adds_state
            || removes_thread
            || rp.state.thread_created
            || rp.state.enters.len() > enters_before;
        if warm && !adds_state && alerts.len() == before {
            counted_events += 1;
            allocs += n;
            if n > 0 && example.is_none() {
                example = Some(format!(
                    "{} event {} ({}): {n} allocations",
                    trace,
                    ev.num,
                    ev.info().map_or("?", |i| i.name)
                ));
            }
        }
    }
    (counted_events, allocs, example)
}

#[test]
fn a_whole_replay_allocates_nothing_per_event_after_warm_up() {
    let rules = shared().join("rules/upstream");
    let captures = shared().join("captures/falco");
    if !rules.is_dir() || !captures.is_dir() {
        eprintln!("SKIPPED: ../shared (rules, captures) is not beside the checkout");
        return;
    }
    let mut loader = Loader::new();
    for f in [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
    ] {
        loader.add_path(&rules.join(f));
    }
    let set = loader.finish();
    assert!(!set.has_errors(), "{:?}", set.diagnostics());
    let engine = Engine::new(
        Arc::new(set.select(&RuleSelection::default())),
        MatchMode::All,
    );

    counting::assert_active();

    let mut traces: Vec<PathBuf> = std::fs::read_dir(&captures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    traces.sort();
    let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpora");
    traces.extend(
        std::fs::read_dir(&corpora)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".scap.zst")),
    );
    let (mut events, mut allocs, mut examples) = (0, 0, Vec::new());
    // The scratch buffers grow to the longest values a trace's fields take: a first pass
    // sizes them, the second is counted.
    let mut scratch = Scratch::default();
    for t in &traces {
        replay(&engine, t, &mut scratch);
    }
    for t in &traces {
        let (e, a, ex) = replay(&engine, t, &mut scratch);
        events += e;
        allocs += a;
        examples.extend(ex);
    }
    eprintln!(
        "{} traces: {events} warm events without state or alert, {allocs} allocations",
        traces.len()
    );
    assert!(events > 10_000, "too few events counted: {events}");
    assert!(
        allocs == 0,
        "{allocs} allocations on {events} warm events:\n{}",
        examples.join("\n")
    );
}
