//! Parallel chunk replay gives exactly the sequential result: every capture is converted to
//! a native trace with small chunks and a checkpoint per chunk (what `hindsight convert`
//! writes), then replayed chunk by chunk from the checkpoints (rayon) and front to back.

use std::path::PathBuf;
use std::sync::Arc;

use hindsight_format::native::{NativeOptions, NativeWriter};
use hindsight_format::{Item, TraceReader};
use hindsight_replay::engine::checkpoint::Checkpointer;
use hindsight_replay::engine::{Engine, MatchMode};
use hindsight_replay::rules::{Loader, RuleSelection};

fn shared() -> PathBuf {
    std::env::var_os("HINDSIGHT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")))
}

/// Converts `src` to a native trace with `chunk_size`-byte chunks and checkpoints.
fn to_native(src: &PathBuf, dst: &PathBuf, chunk_size: usize) -> usize {
    let mut reader = TraceReader::open(src).expect("open");
    let file = std::io::BufWriter::new(std::fs::File::create(dst).expect("create"));
    let opts = NativeOptions {
        chunk_size,
        ..NativeOptions::default()
    };
    let mut w = NativeWriter::new(file, opts).expect("writer");
    w.write_header_blocks(reader.header_blocks())
        .expect("header");
    let mut cp = Checkpointer::new(reader.header());
    let mut chunks = 0;
    while let Some(item) = reader.next_item().expect("read") {
        match item {
            Item::NewSection => {}
            Item::Event(ev) => {
                if w.at_chunk_start() {
                    w.set_checkpoint(cp.save());
                    chunks += 1;
                }
                w.write_event(&ev).expect("write");
                cp.apply(&ev);
            }
        }
    }
    w.finish().expect("finish");
    chunks
}

const RULES: &str = "
- rule: file io
  desc: d
  condition: evt.type in (open, openat, read, write, close) and fd.typechar = f
  output: \"%proc.name %fd.name %evt.type %user.uid %proc.pname\"
  priority: NOTICE
- rule: net
  desc: d
  condition: fd.l4proto in (tcp, udp) or fd.typechar = u
  output: \"%proc.cmdline %fd.name %fd.sport\"
  priority: WARNING
- rule: procs
  desc: d
  condition: evt.type in (execve, clone) and evt.dir = <
  output: \"%proc.cmdline %proc.aname[2] %container.id\"
  priority: INFO
";

#[test]
fn chunks_from_checkpoints_equal_the_sequential_replay() {
    let mut loader = Loader::new();
    loader.add_str("r.yaml", RULES);
    let set = loader.finish();
    assert!(!set.has_errors(), "{:?}", set.diagnostics());
    let e = Engine::new(
        Arc::new(set.select(&RuleSelection::default())),
        MatchMode::All,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let mut total = 0;
    for name in [
        "cat_write",
        "curl_google",
        "psp_run_as_user_0_container",
        "single_ipv6_conn",
    ] {
        let src = shared().join(format!("captures/falco/{name}.scap"));
        let dst = dir.path().join(format!("{name}.scap.zst"));
        let chunks = to_native(&src, &dst, 4096);
        assert!(chunks > 1, "{name}: {chunks} chunks");
        let seq = e.replay_trace(&src).expect("sequential");
        let par = e.replay_file(&dst).expect("parallel");
        assert_eq!(seq.events, par.events, "{name}");
        let key = |o: &hindsight_replay::engine::TraceOutcome| {
            o.alerts
                .iter()
                .map(|a| (a.evt_num, a.rule.clone(), a.output.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&seq), key(&par), "{name}");
        total += seq.alerts.len();
    }
    assert!(
        total > 100,
        "the rules should match many events, got {total}"
    );
}

/// A native trace of two sections (two captures back to back): the chunk opening the second
/// section has no checkpoint and starts from its own header blocks.
#[test]
fn a_chunk_opening_a_section_starts_from_its_header() {
    let mut loader = Loader::new();
    loader.add_str("r.yaml", RULES);
    let e = Engine::new(
        Arc::new(loader.finish().select(&RuleSelection::default())),
        MatchMode::All,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let dst = dir.path().join("two.scap.zst");
    let file = std::io::BufWriter::new(std::fs::File::create(&dst).expect("create"));
    let opts = NativeOptions {
        chunk_size: 4096,
        ..NativeOptions::default()
    };
    let mut w = NativeWriter::new(file, opts).expect("writer");
    let mut first = true;
    for name in ["cat_write", "curl_google"] {
        let mut reader =
            TraceReader::open(shared().join(format!("captures/falco/{name}.scap"))).expect("open");
        if first {
            w.write_header_blocks(reader.header_blocks())
                .expect("header");
            first = false;
        } else {
            w.new_section(reader.header_blocks()).expect("section");
        }
        let mut cp = Checkpointer::new(reader.header());
        while let Some(item) = reader.next_item().expect("read") {
            if let Item::Event(ev) = item {
                if w.at_chunk_start() {
                    w.set_checkpoint(cp.save());
                }
                w.write_event(&ev).expect("write");
                cp.apply(&ev);
            }
        }
    }
    w.finish().expect("finish");
    let seq = e.replay_trace(&dst).expect("sequential");
    let par = e.replay_file(&dst).expect("parallel");
    let key = |o: &hindsight_replay::engine::TraceOutcome| {
        o.alerts
            .iter()
            .map(|a| (a.evt_num, a.rule.clone(), a.output.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(seq.events, par.events);
    assert_eq!(key(&seq), key(&par));
    assert!(seq.alerts.len() > 100);
}

/// [`replay_trace_each`] evaluates several rule sets in one pass with exactly the results of
/// separate replays, each set keeping its own match mode and enter-event view.
#[test]
fn several_engines_in_one_pass_equal_separate_replays() {
    use hindsight_replay::engine::replay_trace_each;
    let mut loader = Loader::new();
    loader.add_str("r.yaml", RULES);
    let rules = Arc::new(loader.finish().select(&RuleSelection::default()));
    let engines = [
        Engine::new(rules.clone(), MatchMode::All),
        Engine::new(rules, MatchMode::First).exits_only(false),
    ];
    let src = shared().join("captures/falco/cat_write.scap");
    let together = replay_trace_each(&engines, &src).expect("one pass");
    assert_eq!(together.len(), 2);
    let key = |o: &hindsight_replay::engine::TraceOutcome| {
        o.alerts
            .iter()
            .map(|a| (a.evt_num, a.rule.clone(), a.output.clone()))
            .collect::<Vec<_>>()
    };
    for (engine, one) in engines.iter().zip(&together) {
        let alone = engine.replay_trace(&src).expect("separate");
        assert_eq!(alone.events, one.events);
        assert_eq!(key(&alone), key(one));
    }
    assert_ne!(
        key(&together[0]),
        key(&together[1]),
        "the modes should differ"
    );
}

/// Every field class a rule output can print, for the segment test: a value that depends on
/// state the skimming workers failed to rebuild shows up as a different output.
const WIDE_RULES: &str = "
- rule: every event
  desc: d
  condition: evt.num > 0
  output: \"%evt.num %evt.type %evt.dir %evt.reltime %evt.deltatime %evt.args %proc.name %proc.pid %proc.ppid %proc.cmdline %proc.cwd %proc.pname %proc.aname[2] %proc.sid %proc.vpid %thread.tid %thread.ismain %fd.num %fd.name %fd.type %fd.name_changed %fd.cip %fd.sport %fd.l4proto %user.name %group.name %container.id %container.name\"
  priority: INFO
";

/// A plain trace replayed in byte segments (every worker skimming the events before its
/// own, [`hindsight_replay::engine::segments`]) gives exactly the sequential result: the
/// same events counted, the same alerts with the same outputs, in both views, with 2 and 3
/// workers, on every shared capture.
#[test]
fn plain_segments_equal_the_sequential_replay() {
    let mut loader = Loader::new();
    loader.add_str("r.yaml", RULES);
    loader.add_str("wide.yaml", WIDE_RULES);
    let set = loader.finish();
    assert!(!set.has_errors(), "{:?}", set.diagnostics());
    let rules = Arc::new(set.select(&RuleSelection::default()));
    let dir = tempfile::tempdir().expect("tempdir");
    let captures = plain_captures(dir.path());
    assert!(captures.len() >= 5, "{captures:?}");
    let key = |o: &hindsight_replay::engine::TraceOutcome| {
        o.alerts
            .iter()
            .map(|a| (a.evt_num, a.rule.clone(), a.output.clone()))
            .collect::<Vec<_>>()
    };
    let mut compared = 0;
    for exits_only in [true, false] {
        let e = Engine::new(rules.clone(), MatchMode::All)
            .exits_only(exits_only)
            .segment_min(0);
        for src in &captures {
            let seq = e.replay_trace(src).expect("sequential");
            for workers in [2, 3] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(workers)
                    .build()
                    .expect("pool");
                let par = pool.install(|| e.replay_file(src)).expect("segments");
                let name = format!("{} with {workers} workers", src.display());
                assert_eq!(seq.events, par.events, "{name}");
                assert_eq!(seq.warnings, par.warnings, "{name}");
                assert_eq!(key(&seq), key(&par), "{name}");
                compared += par.alerts.len();
            }
        }
    }
    assert!(compared > 10_000, "only {compared} alerts compared");
}

/// Decompresses every shared capture (gzip, which is read on one thread) into `dir`.
fn plain_captures(dir: &std::path::Path) -> Vec<PathBuf> {
    std::fs::read_dir(shared().join("captures/falco"))
        .expect("shared captures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "scap"))
        .map(|src| {
            let file = std::fs::File::open(&src).expect("open");
            let (_, mut plain) =
                hindsight_format::source::decompressing(Box::new(file)).expect("decompress");
            let dst = dir.join(src.file_name().expect("name"));
            let mut out = std::fs::File::create(&dst).expect("create");
            std::io::copy(&mut plain, &mut out).expect("copy");
            dst
        })
        .collect()
}

/// A plain trace printed in byte segments is the same bytes as a front-to-back print, in
/// both views, as text and JSON, with 2 and 3 workers, on every shared capture.
#[test]
fn plain_segments_print_the_same_bytes() {
    use hindsight_replay::engine::print::{print_trace, PrintOptions};
    use hindsight_replay::engine::{PrintFormat, DEFAULT_FORMAT};
    let dir = tempfile::tempdir().expect("tempdir");
    let captures = plain_captures(dir.path());
    let mut lines = 0;
    for libs_view in [false, true] {
        for json in [false, true] {
            let format = PrintFormat::parse(DEFAULT_FORMAT).expect("format");
            let json_fields = json.then(|| format.field_names());
            let opts = PrintOptions {
                format,
                json_fields,
                libs_view,
                window: Default::default(),
                segment_min: 0,
            };
            for src in &captures {
                let print = |workers: usize| {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(workers)
                        .build()
                        .expect("pool");
                    let mut out = Vec::new();
                    let sum = pool
                        .install(|| print_trace(src, &|_| true, &opts, &mut out))
                        .expect("print");
                    (out, sum.events, sum.printed)
                };
                let (seq, events, printed) = print(1);
                for workers in [2, 3] {
                    let par = print(workers);
                    let name = format!("{} with {workers} workers", src.display());
                    assert_eq!((events, printed), (par.1, par.2), "{name}");
                    assert!(seq == par.0, "{name}: the output differs");
                }
                lines += printed;
            }
        }
    }
    assert!(lines > 10_000, "only {lines} lines compared");
}
