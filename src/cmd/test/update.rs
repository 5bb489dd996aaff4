//! `hindsight test --update`: rewrites a test file's `expect` from the alerts of the current
//! run (one item per rule: rule, count, priority), keeping every other key and its order, so
//! test files can serve as golden files. Items with `count: 0` for rules that still do not
//! fire are kept. YAML comments are not preserved.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use hindsight_replay::output::{Alert, Priority};
use serde_yaml::{Mapping, Value};

/// Rewrites the `expect` of the test file at `path` from `alerts`; returns the number of
/// items written.
///
/// # Errors
///
/// The file cannot be read, parsed or written.
pub fn rewrite(path: &Path, alerts: &[Alert]) -> anyhow::Result<usize> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read test file {}", path.display()))?;
    let mut doc: Mapping = serde_yaml::from_str(&text)
        .with_context(|| format!("{}: not a YAML mapping", path.display()))?;
    let mut per_rule: BTreeMap<&str, (Priority, u64)> = BTreeMap::new();
    for a in alerts {
        per_rule.entry(&a.rule).or_insert((a.priority, 0)).1 += 1;
    }
    let mut items: Vec<Value> = Vec::new();
    for (rule, (priority, count)) in &per_rule {
        let mut m = Mapping::new();
        m.insert("rule".into(), (*rule).into());
        m.insert("count".into(), (*count).into());
        m.insert("priority".into(), priority.name().into());
        items.push(Value::Mapping(m));
    }
    // Keep the "must not fire" items of rules that still do not fire.
    if let Some(Value::Sequence(old)) = doc.get("expect") {
        for item in old {
            let rule = item.get("rule").and_then(Value::as_str);
            let zero = item.get("count").and_then(Value::as_u64) == Some(0);
            if let (Some(rule), true) = (rule, zero) {
                if !per_rule.contains_key(rule) {
                    let mut m = Mapping::new();
                    m.insert("rule".into(), rule.into());
                    m.insert("count".into(), 0u64.into());
                    items.push(Value::Mapping(m));
                }
            }
        }
    }
    let n = items.len();
    doc.insert("expect".into(), Value::Sequence(items));
    let out =
        serde_yaml::to_string(&doc).with_context(|| format!("cannot render {}", path.display()))?;
    std::fs::write(path, out)
        .with_context(|| format!("cannot write test file {}", path.display()))?;
    Ok(n)
}
