//! Checking the alerts of a test against its `expect` and `allow` items: which alerts an item
//! matches, why an alert does not match (for the report), which alerts come closest to a
//! missing one, and which alerts strict mode rejects.

use std::collections::BTreeMap;

use hindsight_replay::output::{context_index, Alert, FieldValue};
use hindsight_replay::rules::Priority;
use serde::Serialize;

use super::spec::{Allow, Expect, Spec};
use crate::cmd::{plural, trace_name};

/// How many examples a failure shows.
const EXAMPLES: usize = 3;

/// What an `expect` or `allow` item requires of one alert.
pub struct Filter<'a> {
    rule: &'a str,
    priority: Option<Priority>,
    output_contains: Option<&'a str>,
    fields: &'a BTreeMap<String, serde_yaml::Value>,
}

impl Expect {
    fn filter(&self) -> Filter<'_> {
        Filter {
            rule: &self.rule,
            priority: self.priority,
            output_contains: self.output_contains.as_deref(),
            fields: &self.fields,
        }
    }
}

impl Allow {
    fn filter(&self) -> Filter<'_> {
        Filter {
            rule: &self.rule,
            priority: self.priority,
            output_contains: self.output_contains.as_deref(),
            fields: &self.fields,
        }
    }
}

/// One condition of a test that did not hold.
#[derive(Debug, Serialize)]
pub struct Failure {
    /// The item, as text (`rule "X" count 1, fields {proc.name: sh}`).
    pub expected: String,
    /// What the alerts gave instead (`0 matching alerts`).
    pub found: String,
    /// The alerts closest to what was expected, or the offending ones, described.
    pub closest: Vec<String>,
}

/// A YAML scalar as the text an alert field would print; `None` for null or `<NA>`.
fn expected_text(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::Null => None,
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::String(s) if s == "<NA>" => None,
        serde_yaml::Value::String(s) => Some(s.clone()),
        other => Some(
            serde_yaml::to_string(other)
                .unwrap_or_default()
                .trim()
                .to_string(),
        ),
    }
}

/// The value of field `name` in an alert: its output fields first, then the context fields.
fn alert_field<'a>(alert: &'a Alert, name: &str) -> Option<&'a FieldValue> {
    alert
        .output_fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .or_else(|| context_index(name).and_then(|i| alert.context.get(i)))
}

fn shown(v: Option<&str>) -> String {
    v.map_or_else(|| "<NA>".to_string(), |s| format!("{s:?}"))
}

impl Filter<'_> {
    /// Why `alert` does not match, or `None` when it does.
    fn mismatch(&self, alert: &Alert) -> Option<String> {
        if alert.rule != self.rule {
            return Some(format!("rule is {:?}", alert.rule));
        }
        if let Some(p) = self.priority {
            if alert.priority != p {
                return Some(format!("priority is {}, expected {p}", alert.priority));
            }
        }
        if let Some(text) = self.output_contains {
            if !alert.output.contains(text) {
                return Some(format!("output does not contain {text:?}"));
            }
        }
        for (name, want) in self.fields {
            let want = expected_text(want);
            let Some(have) = alert_field(alert, name) else {
                return Some(format!(
                    "field {name} is neither an output field of the rule nor a context field"
                ));
            };
            let have = match have {
                FieldValue::Null => None,
                v => Some(v.display().to_string()),
            };
            if have != want {
                return Some(format!(
                    "{name} is {}, expected {}",
                    shown(have.as_deref()),
                    shown(want.as_deref())
                ));
            }
        }
        None
    }

    fn matches(&self, alert: &Alert) -> bool {
        self.mismatch(alert).is_none()
    }
}

/// One alert as a line of a report: `trace#evt_num rule (Priority): output`.
pub fn describe(alert: &Alert) -> String {
    let trace = trace_name(&alert.trace);
    let mut output = alert.output.clone();
    if output.chars().count() > 160 {
        output = output.chars().take(157).collect::<String>() + "...";
    }
    format!(
        "{trace}#{} {} ({}): {output}",
        alert.evt_num, alert.rule, alert.priority
    )
}

fn describe_expect(e: &Expect) -> String {
    let mut s = format!("rule {:?}", e.rule);
    match e.bounds() {
        (lo, Some(hi)) if lo == hi => s += &format!(" count {lo}"),
        (lo, Some(hi)) => s += &format!(" count {lo}..={hi}"),
        (lo, None) => s += &format!(" count >= {lo}"),
    }
    if let Some(p) = e.priority {
        s += &format!(", priority {p}");
    }
    if let Some(t) = &e.output_contains {
        s += &format!(", output contains {t:?}");
    }
    if !e.fields.is_empty() {
        let f: Vec<String> = e
            .fields
            .iter()
            .map(|(k, v)| format!("{k}: {}", shown(expected_text(v).as_deref())))
            .collect();
        s += &format!(", fields {{{}}}", f.join(", "));
    }
    s
}

/// Words two rule names share, a crude similarity for "closest alert".
fn similarity(a: &str, b: &str) -> usize {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let wb = words(b);
    words(a).iter().filter(|w| wb.contains(w)).count()
}

/// The alerts closest to a missing match of `e`: alerts of the same rule (with the reason
/// when they do not match), else the alerts whose rule names are most alike.
fn closest(e: &Expect, alerts: &[Alert]) -> Vec<String> {
    let f = e.filter();
    let same: Vec<String> = alerts
        .iter()
        .filter(|a| a.rule == e.rule)
        .map(|a| match f.mismatch(a) {
            Some(why) => format!("{} [{why}]", describe(a)),
            None => describe(a),
        })
        .take(EXAMPLES)
        .collect();
    if !same.is_empty() {
        return same;
    }
    let mut ranked: Vec<(usize, usize, &Alert)> = alerts
        .iter()
        .enumerate()
        .map(|(i, a)| (similarity(&e.rule, &a.rule), i, a))
        .collect();
    ranked.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
    ranked
        .into_iter()
        .take(EXAMPLES)
        .map(|(_, _, a)| describe(a))
        .collect()
}

/// Checks `alerts` (of all traces, in order) against the items of `spec`.
pub fn check(spec: &Spec, alerts: &[Alert]) -> Vec<Failure> {
    let mut failures = Vec::new();
    for e in &spec.expect {
        let f = e.filter();
        let matching: Vec<&Alert> = alerts.iter().filter(|a| f.matches(a)).collect();
        let n = matching.len() as u64;
        let (lo, hi) = e.bounds();
        if n < lo {
            failures.push(Failure {
                expected: describe_expect(e),
                found: format!(
                    "{n} matching alert{} ({} alert{} in all)",
                    plural(n),
                    alerts.len(),
                    plural(alerts.len() as u64)
                ),
                closest: closest(e, alerts),
            });
        } else if hi.is_some_and(|hi| n > hi) {
            failures.push(Failure {
                expected: describe_expect(e),
                found: format!("{n} matching alert{}", plural(n)),
                closest: matching
                    .iter()
                    .take(EXAMPLES)
                    .map(|a| describe(a))
                    .collect(),
            });
        }
    }
    if spec.strict {
        let mut unexpected: BTreeMap<&str, Vec<&Alert>> = BTreeMap::new();
        for a in alerts {
            let expected = spec.expect.iter().any(|e| e.filter().matches(a));
            let allowed = spec.allow.iter().any(|al| al.filter().matches(a));
            if !expected && !allowed {
                unexpected.entry(&a.rule).or_default().push(a);
            }
        }
        for (rule, list) in unexpected {
            failures.push(Failure {
                expected: format!("no alert of rule {rule:?} beyond `expect` and `allow` (strict)"),
                found: format!(
                    "{} unexpected alert{}",
                    list.len(),
                    plural(list.len() as u64)
                ),
                closest: list.iter().take(EXAMPLES).map(|a| describe(a)).collect(),
            });
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(rule: &str, evt_num: u64, name: &str) -> Alert {
        Alert {
            time_ns: 0,
            rule: rule.into(),
            priority: Priority::Notice,
            tags: Vec::new(),
            output: format!("shell={name}"),
            source: "syscall".into(),
            hostname: String::new(),
            trace: "dir/t.scap".into(),
            evt_num,
            output_fields: vec![
                ("proc.name".into(), FieldValue::Str(name.into())),
                ("proc.tty".into(), FieldValue::U64(34816)),
                ("proc.pname".into(), FieldValue::Null),
            ],
            context: Vec::new(),
        }
    }

    fn spec(text: &str) -> Spec {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn fields_compare_as_printed_text() {
        let s = spec("traces: [t]\nexpect:\n - {rule: Shell, count: 1, fields: {proc.name: sh, proc.tty: 34816, proc.pname: null}, output_contains: \"shell=\"}\n");
        assert!(check(&s, &[alert("Shell", 3, "sh")]).is_empty());
        let f = check(&s, &[alert("Shell", 3, "bash")]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].found, "0 matching alerts (1 alert in all)");
        assert_eq!(
            f[0].closest,
            ["t.scap#3 Shell (Notice): shell=bash [proc.name is \"bash\", expected \"sh\"]"]
        );
    }

    #[test]
    fn counts_and_strict_mode() {
        let s = spec("traces: [t]\nstrict: true\nexpect:\n - {rule: Shell, max: 1}\n - {rule: Write, count: 0}\nallow:\n - {rule: Read, output_contains: shell=cat}\n");
        let alerts = [
            alert("Shell", 1, "sh"),
            alert("Shell", 2, "sh"),
            alert("Read", 3, "cat"),
            alert("Read", 4, "dd"),
        ];
        let f = check(&s, &alerts);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].expected, "rule \"Shell\" count 0..=1");
        assert_eq!(f[0].found, "2 matching alerts");
        assert_eq!(f[1].found, "1 unexpected alert");
        assert_eq!(f[1].closest, ["t.scap#4 Read (Notice): shell=dd"]);
    }

    #[test]
    fn closest_falls_back_to_similar_rule_names() {
        let s = spec("traces: [t]\nexpect:\n - {rule: Terminal shell in container}\n");
        let alerts = [
            alert("Write below etc", 1, "sh"),
            alert("Shell in container", 2, "sh"),
        ];
        let f = check(&s, &alerts);
        assert_eq!(
            f[0].closest[0],
            "t.scap#2 Shell in container (Notice): shell=sh"
        );
    }
}
