//! The end-of-run summary and the progress bar of `hindsight replay`, both on stderr.
//!
//! The summary says what was read (traces, events), what fired (alerts per rule, most frequent
//! first, with the rule's priority) and what went wrong on the way (trace warnings such as
//! truncated blocks), so that a run piped into a file still reports on the terminal.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use hindsight_replay::output::{Alert, Priority};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Counters of one replay run.
pub struct Summary {
    started: Instant,
    /// Traces replayed.
    pub traces: usize,
    /// Events read, over all traces.
    pub events: u64,
    alerts: u64,
    per_rule: HashMap<String, (Priority, u64)>,
    warnings: Vec<String>,
    most_urgent: Option<Priority>,
}

impl Summary {
    /// An empty summary; the clock starts now.
    pub fn new() -> Self {
        Summary {
            started: Instant::now(),
            traces: 0,
            events: 0,
            alerts: 0,
            per_rule: HashMap::new(),
            warnings: Vec::new(),
            most_urgent: None,
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

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
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
    }
}
