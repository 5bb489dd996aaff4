//! The end-of-run summary and the progress bar of `hindsight replay`, both on stderr, and the
//! same summary as a JSON file (`--summary FILE.json`).
//!
//! The summary says what was read (traces, events), what fired (alerts per rule, most frequent
//! first, with the rule's priority) and what went wrong on the way (trace warnings such as
//! truncated blocks), so that a run piped into a file still reports on the terminal. The JSON
//! file adds alerts per priority, the processes and containers that fired most, and alerts per
//! time bucket (schema in [`Summary::to_json`]).

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use hindsight_replay::output::{context_index, time, Alert, FieldValue, Priority};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cmd::plural;

/// Counters of one replay run.
pub struct Summary {
    started: Instant,
    /// Traces replayed.
    pub traces: usize,
    /// Events read, over all traces.
    pub events: u64,
    /// Chunks of native traces decompressed and replayed.
    pub chunks_decoded: usize,
    /// Chunks of native traces skipped unread (no rule can match their event types, or
    /// outside `--since/--until`).
    pub chunks_skipped: usize,
    alerts: u64,
    per_rule: HashMap<String, (Priority, u64)>,
    warnings: Vec<String>,
    most_urgent: Option<Priority>,
    /// Alerts per process name (`proc.name`).
    processes: HashMap<String, u64>,
    /// Alerts per container (`container.id`, `container.name`).
    containers: HashMap<(String, String), u64>,
    /// Alerts per second of event time (seconds since the epoch).
    per_second: BTreeMap<u64, u64>,
}

/// How many processes and containers the JSON summary lists.
const TOP: usize = 10;

/// The most time buckets the JSON summary has; the bucket width grows to stay below it.
const MAX_BUCKETS: u64 = 120;

/// Bucket widths the JSON summary chooses from, in seconds.
const BUCKET_WIDTHS: [u64; 10] = [1, 10, 60, 300, 600, 1800, 3600, 6 * 3600, 86400, 7 * 86400];

/// Version of the JSON summary schema.
pub const SUMMARY_SCHEMA_VERSION: u32 = 1;

/// The text of a context field of `alert`, `None` without a value.
fn context_text(alert: &Alert, name: &str) -> Option<String> {
    match context_index(name).and_then(|i| alert.context.get(i))? {
        FieldValue::Null => None,
        v => Some(v.display().to_string()),
    }
}

/// `counts` as `(key, count)` pairs, most frequent first, ties by key, at most `n`.
fn top<K: Ord + Clone>(counts: &HashMap<K, u64>, n: usize) -> Vec<(K, u64)> {
    let mut v: Vec<(K, u64)> = counts.iter().map(|(k, c)| (k.clone(), *c)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

impl Summary {
    /// An empty summary; the clock starts now.
    pub fn new() -> Self {
        Summary {
            started: Instant::now(),
            traces: 0,
            events: 0,
            chunks_decoded: 0,
            chunks_skipped: 0,
            alerts: 0,
            per_rule: HashMap::new(),
            warnings: Vec::new(),
            most_urgent: None,
            processes: HashMap::new(),
            containers: HashMap::new(),
            per_second: BTreeMap::new(),
        }
    }

    /// Counts one alert.
    pub fn alert(&mut self, alert: &Alert) {
        self.alerts += 1;
        let entry = self
            .per_rule
            .entry(alert.rule.clone())
            .or_insert((alert.priority, 0));
        entry.1 += 1;
        self.most_urgent = Some(match self.most_urgent {
            Some(p) => p.min(alert.priority),
            None => alert.priority,
        });
        let process = context_text(alert, "proc.name").unwrap_or_else(|| "<NA>".into());
        *self.processes.entry(process).or_default() += 1;
        if let Some(id) = context_text(alert, "container.id").filter(|id| id != "host") {
            let name = context_text(alert, "container.name").unwrap_or_default();
            *self.containers.entry((id, name)).or_default() += 1;
        }
        *self
            .per_second
            .entry(alert.time_ns / 1_000_000_000)
            .or_default() += 1;
    }

    /// Records a warning about a trace (damage, skipped blocks...).
    pub fn warning(&mut self, text: String) {
        self.warnings.push(text);
    }

    /// The most urgent priority among the alerts, if any fired.
    pub fn most_urgent(&self) -> Option<Priority> {
        self.most_urgent
    }

    /// Writes the summary to `out`.
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let elapsed = self.started.elapsed();
        writeln!(
            out,
            "hindsight replay: {} trace{}, {} events, {} alert{} in {}",
            self.traces,
            plural(self.traces as u64),
            self.events,
            self.alerts,
            plural(self.alerts),
            seconds(elapsed),
        )?;
        if self.chunks_decoded + self.chunks_skipped > 0 {
            writeln!(
                out,
                "  chunks: {} decoded, {} skipped unread",
                self.chunks_decoded, self.chunks_skipped
            )?;
        }
        let mut rules: Vec<(&String, &(Priority, u64))> = self.per_rule.iter().collect();
        rules.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then_with(|| a.0.cmp(b.0)));
        for (rule, (priority, count)) in rules {
            writeln!(out, "  {count:>8}  {:<13}  {rule}", priority.name())?;
        }
        if !self.warnings.is_empty() {
            writeln!(
                out,
                "{} warning{}:",
                self.warnings.len(),
                plural(self.warnings.len() as u64)
            )?;
            for w in &self.warnings {
                writeln!(out, "  {w}")?;
            }
        }
        Ok(())
    }
}

impl Summary {
    /// The summary as a JSON document, schema version [`SUMMARY_SCHEMA_VERSION`]:
    ///
    /// | key | meaning |
    /// |---|---|
    /// | `schema_version` | 1 |
    /// | `traces`, `events`, `alerts` | traces replayed, events read, alerts fired |
    /// | `chunks` | `{decoded, skipped}`: chunks of native traces decompressed, and skipped unread (no rule can match their event types, or outside `--since/--until`) |
    /// | `rules` | `[{rule, priority, count}]`, most frequent first |
    /// | `priorities` | `{Priority: count}` for the priorities that fired, most urgent first |
    /// | `top_processes` | `[{name, count}]` (`proc.name`), at most 10, most frequent first |
    /// | `top_containers` | `[{id, name, count}]`, host events left out, at most 10 |
    /// | `time_buckets` | `{width_s, buckets: [{start, count}]}`: alerts per bucket of event time (`start` RFC 3339 UTC), only non-empty buckets, the width chosen so that there are at most 120 |
    /// | `warnings` | trace warnings, as text |
    /// | `profile` | only with `--profile`: `[{rule, evaluations, matches, time_ns}]`, most time first |
    pub fn to_json(&self) -> serde_json::Value {
        let mut rules: Vec<(&String, &(Priority, u64))> = self.per_rule.iter().collect();
        rules.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then_with(|| a.0.cmp(b.0)));
        let rules: Vec<serde_json::Value> = rules
            .into_iter()
            .map(|(rule, (p, n))| serde_json::json!({"rule": rule, "priority": p.name(), "count": n}))
            .collect();
        let mut priorities = serde_json::Map::new();
        for p in Priority::ALL {
            let n: u64 = self
                .per_rule
                .values()
                .filter(|(q, _)| *q == p)
                .map(|(_, n)| n)
                .sum();
            if n > 0 {
                priorities.insert(p.name().to_string(), n.into());
            }
        }
        let processes: Vec<serde_json::Value> = top(&self.processes, TOP)
            .into_iter()
            .map(|(name, n)| serde_json::json!({"name": name, "count": n}))
            .collect();
        let containers: Vec<serde_json::Value> = top(&self.containers, TOP)
            .into_iter()
            .map(|((id, name), n)| serde_json::json!({"id": id, "name": name, "count": n}))
            .collect();
        serde_json::json!({
            "schema_version": SUMMARY_SCHEMA_VERSION,
            "traces": self.traces,
            "events": self.events,
            "chunks": {"decoded": self.chunks_decoded, "skipped": self.chunks_skipped},
            "alerts": self.alerts,
            "rules": rules,
            "priorities": priorities,
            "top_processes": processes,
            "top_containers": containers,
            "time_buckets": self.time_buckets(),
            "warnings": self.warnings,
        })
    }

    fn time_buckets(&self) -> serde_json::Value {
        let (first, last) = match (
            self.per_second.keys().next(),
            self.per_second.keys().next_back(),
        ) {
            (Some(f), Some(l)) => (*f, *l),
            _ => return serde_json::json!({"width_s": 1, "buckets": []}),
        };
        let width = BUCKET_WIDTHS
            .into_iter()
            .find(|w| (last / w - first / w) < MAX_BUCKETS)
            .unwrap_or(BUCKET_WIDTHS[BUCKET_WIDTHS.len() - 1]);
        let mut buckets: BTreeMap<u64, u64> = BTreeMap::new();
        for (sec, n) in &self.per_second {
            *buckets.entry(sec / width * width).or_default() += n;
        }
        let buckets: Vec<serde_json::Value> = buckets
            .into_iter()
            .map(|(start, n)| {
                let mut t = String::new();
                time::push_rfc3339(&mut t, start.saturating_mul(1_000_000_000));
                serde_json::json!({"start": t, "count": n})
            })
            .collect();
        serde_json::json!({"width_s": width, "buckets": buckets})
    }
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// A progress bar over the bytes of the traces, drawn only when stderr is a terminal.
pub fn progress(total_bytes: u64, enabled: bool) -> ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(rule: &str, priority: Priority) -> Alert {
        Alert {
            time_ns: 0,
            rule: rule.into(),
            priority,
            tags: Vec::new(),
            output: String::new(),
            source: "syscall".into(),
            hostname: String::new(),
            trace: "t.scap".into(),
            evt_num: 1,
            output_fields: Vec::new(),
            context: Vec::new(),
        }
    }

    #[test]
    fn counts_per_rule_most_frequent_first() {
        let mut s = Summary::new();
        s.traces = 2;
        s.events = 10;
        s.alert(&alert("B", Priority::Notice));
        s.alert(&alert("A", Priority::Critical));
        s.alert(&alert("B", Priority::Notice));
        s.warning("t.scap: truncated block at byte 12".into());
        assert_eq!(s.most_urgent(), Some(Priority::Critical));
        let mut out = Vec::new();
        s.write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("hindsight replay: 2 traces, 10 events, 3 alerts in "));
        assert_eq!(lines[1], "         2  Notice         B");
        assert_eq!(lines[2], "         1  Critical       A");
        assert_eq!(lines[3], "1 warning:");
        let j = s.to_json();
        assert_eq!(j["alerts"], 3);
        assert_eq!(
            j["rules"][0],
            serde_json::json!({"rule": "B", "priority": "Notice", "count": 2})
        );
        assert_eq!(
            j["priorities"],
            serde_json::json!({"Critical": 1, "Notice": 2})
        );
        assert_eq!(
            j["top_processes"],
            serde_json::json!([{"name": "<NA>", "count": 3}])
        );
        assert_eq!(
            j["time_buckets"],
            serde_json::json!({"width_s": 1, "buckets": [{"start": "1970-01-01T00:00:00.000000000Z", "count": 3}]})
        );
    }

    #[test]
    fn buckets_widen_to_stay_few() {
        let mut s = Summary::new();
        for t in [0u64, 30, 3 * 3600] {
            let mut a = alert("A", Priority::Notice);
            a.time_ns = t * 1_000_000_000;
            s.alert(&a);
        }
        let b = &s.to_json()["time_buckets"];
        assert_eq!(b["width_s"], 300);
        assert_eq!(b["buckets"][0]["count"], 2);
        assert_eq!(b["buckets"][1]["start"], "1970-01-01T03:00:00.000000000Z");
    }
}
