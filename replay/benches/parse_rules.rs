//! Loading rules: the three upstream Falco rule files, from YAML text to indexed
//! `CompiledRules` (parse, expand, type, compile, event-type analysis, selection).
//!
//! Run with `cargo bench -p hindsight-replay --bench parse_rules`. Reads the rule files from
//! `../shared/rules/upstream` (or `$HINDSIGHT_SHARED/rules/upstream`) once, outside the timing.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use hindsight_replay::rules::{compile_filter, Loader, RuleSelection};

fn upstream() -> Vec<(String, String)> {
    let shared = std::env::var_os("HINDSIGHT_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")));
    [
        "falco_rules.yaml",
        "falco-incubating_rules.yaml",
        "falco-sandbox_rules.yaml",
    ]
    .iter()
    .map(|f| {
        let p = shared.join("rules/upstream").join(f);
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        (f.to_string(), text)
    })
    .collect()
}

fn bench(c: &mut Criterion) {
    let files = upstream();
    c.bench_function("load_upstream_rules", |b| {
        b.iter(|| {
            let mut l = Loader::new();
            for (name, text) in &files {
                l.add_str(name, text);
            }
            let set = l.finish();
            assert!(!set.has_errors());
            set.select(&RuleSelection::default())
        })
    });
    let cond = "evt.type in (open, openat, openat2) and evt.is_open_write = true and fd.typechar = 'f' \
                and not proc.name in (dpkg, rpm, yum, apt, apt-get) and (fd.directory in (/bin, /sbin) \
                or fd.name startswith /usr/bin/) and not tolower(proc.pname) = val(proc.name)";
    c.bench_function("compile_filter", |b| {
        b.iter(|| compile_filter(cond, None).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
