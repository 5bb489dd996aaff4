//! Where the two sides of `hindsight diff` come from: two rule sets evaluated over the same
//! traces in one pass each ([`evaluate`]), or two earlier runs saved as JSON lines by
//! `hindsight replay --format json` ([`read_jsonl`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use hindsight_replay::engine::{replay_trace_each, Engine, MatchMode};
use hindsight_replay::output::Alert;
use hindsight_replay::rules::{CompiledRules, Severity};
use rayon::prelude::*;

use super::compare::Entry;
use crate::cmd::selection::RuleArgs;

fn entry(a: Alert) -> Entry {
    Entry {
        trace: a.trace,
        evt_num: a.evt_num,
        rule: a.rule,
        priority: a.priority.name().to_string(),
        output: a.output,
    }
}

/// Loads one side's rule files (errors printed on stderr, with their location).
///
/// # Errors
///
/// A rule file with errors or that cannot be read.
pub fn load_rules(side: &str, files: &[PathBuf]) -> anyhow::Result<CompiledRules> {
    let args = RuleArgs {
        rules: files.to_vec(),
        tags: Vec::new(),
        disable_tags: Vec::new(),
        disable: Vec::new(),
        min_priority: None,
    };
    args.compile(|d| {
        if d.severity == Severity::Error {
            eprintln!("{d}");
        }
    })
    .with_context(|| format!("{side} rules"))
}

/// The alerts of `baseline` and `candidate` over `traces`: each trace is read once and both
/// rule sets are evaluated on its events; traces run in parallel, results in trace order.
///
/// # Errors
///
/// A trace that cannot be read.
pub fn evaluate(
    baseline: CompiledRules,
    candidate: CompiledRules,
    mode: MatchMode,
    traces: &[PathBuf],
) -> anyhow::Result<(Vec<Entry>, Vec<Entry>)> {
    let engines = [
        Engine::new(Arc::new(baseline), mode),
        Engine::new(Arc::new(candidate), mode),
    ];
    let outcomes: Vec<_> = traces
        .par_iter()
        .map(|t| replay_trace_each(&engines, t))
        .collect();
    let (mut base, mut cand) = (Vec::new(), Vec::new());
    for outcome in outcomes {
        let mut sides = outcome?.into_iter();
        let (Some(b), Some(c)) = (sides.next(), sides.next()) else {
            bail!("internal error (please report): the engine returned fewer than two outcomes");
        };
        base.extend(b.alerts.into_iter().map(entry));
        cand.extend(c.alerts.into_iter().map(entry));
    }
    Ok((base, cand))
}

/// The message of a JSON alert line: its `output` without Falco's `time: Priority ` prefix.
fn message(output: &str, priority: &str) -> String {
    output
        .split_once(": ")
        .and_then(|(_, rest)| rest.strip_prefix(priority))
        .map_or(output, |rest| rest.strip_prefix(' ').unwrap_or(rest))
        .to_string()
}

/// Reads a JSON-lines file written by `hindsight replay --format json` (or `-o x.jsonl`).
///
/// # Errors
///
/// The file cannot be read, or a line is not such an alert (`file:line: what`).
pub fn read_jsonl(path: &Path) -> anyhow::Result<Vec<Entry>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read alerts file {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{}:{}", path.display(), i + 1);
        let v: serde_json::Value = serde_json::from_str(line).with_context(|| {
            format!(
                "{}: not JSON; expected the output of `hindsight replay --format json`",
                at()
            )
        })?;
        let text_of = |key: &str| -> anyhow::Result<String> {
            v.get(key)
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
                .with_context(|| {
                    format!(
                        "{}: no string `{key}`; expected an alert of `hindsight replay --format json`",
                        at()
                    )
                })
        };
        let evt_num = v
            .get("evt_num")
            .and_then(serde_json::Value::as_u64)
            .with_context(|| {
                format!(
                    "{}: no integer `evt_num`; expected an alert of `hindsight replay --format json`",
                    at()
                )
            })?;
        let priority = text_of("priority")?;
        out.push(Entry {
            trace: text_of("trace")?,
            evt_num,
            rule: text_of("rule")?,
            output: message(&text_of("output")?, &priority),
            priority,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_of_falco_output_is_dropped() {
        assert_eq!(
            message("12:52:16.713009588: Notice Shell (user=root)", "Notice"),
            "Shell (user=root)"
        );
        assert_eq!(message("odd: text", "Notice"), "odd: text");
    }

    #[test]
    fn bad_lines_are_located() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(&p, "{\"rule\":\"R\",\"priority\":\"Notice\",\"output\":\"o\",\"trace\":\"t\",\"evt_num\":3}\n{\"rule\":1}\n").unwrap();
        let err = format!("{:#}", read_jsonl(&p).unwrap_err());
        assert!(err.contains("a.jsonl:2: no integer `evt_num`"), "{err}");
    }
}
