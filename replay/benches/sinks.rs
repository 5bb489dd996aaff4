//! Throughput of the alert sinks: text, JSON lines and Parquet, on the same batch of alerts.
//!
//! Run with `cargo bench -p hindsight-replay --bench sinks`. Each iteration writes 10,000
//! alerts (text and JSON into memory, Parquet into a temporary file including its footer).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hindsight_replay::output::{
    json::JsonSink, parquet::ParquetSink, text::TextSink, Alert, FieldValue, Priority, Sink,
    ValueKind, CONTEXT_FIELDS,
};

const ALERTS: usize = 10_000;

fn alerts() -> Vec<Alert> {
    (0..ALERTS as u64)
        .map(|i| Alert {
            time_ns: 1_700_000_000_000_000_000 + i * 1_000,
            rule: format!("Rule {}", i % 7),
            priority: Priority::ALL[(i % 8) as usize],
            tags: vec![
                "filesystem".into(),
                "mitre_persistence".into(),
                "T1098".into(),
            ],
            output: format!(
                "File below /etc opened for writing (file=/etc/conf{i} user=root process=vi \
                 command=vi /etc/conf{i} parent=bash container_id=host image=<NA>)"
            ),
            source: "syscall".into(),
            hostname: "web-1".into(),
            trace: "traces/incident.scap.zst".into(),
            evt_num: i + 1,
            output_fields: vec![
                ("fd.name".into(), FieldValue::Str(format!("/etc/conf{i}"))),
                ("proc.pid".into(), FieldValue::I64(4000 + i as i64)),
                ("user.name".into(), FieldValue::Str("root".into())),
                ("container.image".into(), FieldValue::Null),
            ],
            context: CONTEXT_FIELDS
                .iter()
                .map(|f| match f.kind() {
                    ValueKind::Str => FieldValue::Str(format!("{}-{}", f.name, i % 100)),
                    ValueKind::I64 => FieldValue::I64(i as i64),
                    ValueKind::U64 => FieldValue::U64(i),
                    ValueKind::Bool => FieldValue::Bool(i % 2 == 0),
                })
                .collect(),
        })
        .collect()
}

fn drive(sink: &mut dyn Sink, alerts: &[Alert]) {
    sink.begin().unwrap();
    for a in alerts {
        sink.alert(a).unwrap();
    }
    sink.end().unwrap();
}

fn sinks(c: &mut Criterion) {
    let alerts = alerts();
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("sinks");
    group.throughput(Throughput::Elements(ALERTS as u64));
    group.bench_function(BenchmarkId::new("text", ALERTS), |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(4 << 20);
            drive(&mut TextSink::new(&mut out), &alerts);
            out.len()
        })
    });
    group.bench_function(BenchmarkId::new("json", ALERTS), |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(8 << 20);
            drive(&mut JsonSink::new(&mut out), &alerts);
            out.len()
        })
    });
    let path = dir.path().join("bench.parquet");
    group.bench_function(BenchmarkId::new("parquet", ALERTS), |b| {
        b.iter(|| drive(&mut ParquetSink::create(&path).unwrap(), &alerts))
    });
    group.finish();
}

criterion_group!(benches, sinks);
criterion_main!(benches);
