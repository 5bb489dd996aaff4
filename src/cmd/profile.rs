//! `--profile` of `replay` and `test`: the per-rule costs the engine measured
//! (`hindsight_replay::engine::profile`), added up by rule name over traces and test files,
//! printed on stderr as a table sorted by time (most expensive first), and as JSON in
//! `replay --summary FILE.json` (key `profile`).

use std::collections::HashMap;
use std::io::Write;

use hindsight_replay::engine::profile::{Profile, RuleCost};
use hindsight_replay::rules::CompiledRules;

/// Help text shared by the `--profile` options.
pub const PROFILE_HELP: &str = "\
Profile (--profile): one line per rule evaluated at least once, most time first:
    time ms   total time spent evaluating the rule's condition (CPU time over all workers)
    share     that time as a share of all rules' time
    evals     events the condition was evaluated on (rules are indexed by event type, so a
              rule on `evt.type = open` is evaluated on open events only; with --match first
              the rules after an event's first match are not evaluated on it)
    matches   events the condition matched
    ns/eval   average time per evaluation";

/// Rule costs added up by rule name.
#[derive(Debug, Default)]
pub struct ProfileReport {
    rules: HashMap<String, RuleCost>,
}

impl ProfileReport {
    /// Adds `profile`, measured with `rules`, to the report.
    pub fn add(&mut self, rules: &CompiledRules, profile: &Profile) {
        for (rule, cost) in rules.rules().iter().zip(profile.costs()) {
            if cost.evaluations == 0 {
                continue;
            }
            let total = self.rules.entry(rule.name.clone()).or_default();
            total.evaluations += cost.evaluations;
            total.matches += cost.matches;
            total.nanos = total.nanos.saturating_add(cost.nanos);
        }
    }

    /// The rules, most time first, ties by name.
    fn rows(&self) -> Vec<(&str, RuleCost)> {
        let mut rows: Vec<(&str, RuleCost)> =
            self.rules.iter().map(|(n, c)| (n.as_str(), *c)).collect();
        rows.sort_by(|a, b| b.1.nanos.cmp(&a.1.nanos).then_with(|| a.0.cmp(b.0)));
        rows
    }

    fn total_nanos(&self) -> u64 {
        self.rules.values().map(|c| c.nanos).sum()
    }

    /// Writes the table (see [`PROFILE_HELP`]).
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let total = self.total_nanos();
        writeln!(
            out,
            "hindsight profile: {} rule{} evaluated, {:.3} ms evaluating conditions",
            self.rules.len(),
            super::plural(self.rules.len() as u64),
            total as f64 / 1e6
        )?;
        writeln!(
            out,
            "  {:>10}  {:>6}  {:>10}  {:>8}  {:>8}  rule",
            "time ms", "share", "evals", "matches", "ns/eval"
        )?;
        for (name, c) in self.rows() {
            let share = if total == 0 {
                0.0
            } else {
                c.nanos as f64 * 100.0 / total as f64
            };
            writeln!(
                out,
                "  {:>10.3}  {:>5.1}%  {:>10}  {:>8}  {:>8}  {name}",
                c.nanos as f64 / 1e6,
                share,
                c.evaluations,
                c.matches,
                c.nanos / c.evaluations.max(1),
            )?;
        }
        Ok(())
    }

    /// The report as JSON: `[{rule, evaluations, matches, time_ns}]`, most time first.
    pub fn to_json(&self) -> serde_json::Value {
        self.rows()
            .into_iter()
            .map(|(name, c)| {
                serde_json::json!({
                    "rule": name,
                    "evaluations": c.evaluations,
                    "matches": c.matches,
                    "time_ns": c.nanos,
                })
            })
            .collect()
    }

    /// Prints the table on stderr; failing to print it does not fail the run.
    pub fn print(&self) {
        let mut err = std::io::stderr().lock();
        let _ = self.write(&mut err);
        let _ = err.flush();
    }
}
