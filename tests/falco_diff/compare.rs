//! Comparing the two sides: alerts keyed by (rule, time, occurrence), field values per field
//! name, and a report that names each difference with an example.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::reference::Alert;

/// Alerts of one side keyed by (rule, time, n-th alert of that rule at that time).
fn keyed(alerts: &[Alert]) -> BTreeMap<(String, String, usize), &Alert> {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut m = BTreeMap::new();
    for a in alerts {
        let n = seen.entry((a.rule.clone(), a.time.clone())).or_default();
        m.insert((a.rule.clone(), a.time.clone(), *n), a);
        *n += 1;
    }
    m
}

/// Agreement of one field over the events where both sides printed it.
#[derive(Debug, Default)]
pub struct FieldStat {
    /// Events compared.
    pub compared: usize,
    /// Events with a different value.
    pub differing: usize,
    /// The first difference: (input, time, event type, Falco's value, hindsight's value).
    pub example: Option<[String; 5]>,
}

/// The comparison of one input: alert counts and, per field, whether it agreed on every
/// event of the input where both sides printed it.
#[derive(Debug, Default)]
pub struct InputStat {
    /// The input's name.
    pub input: String,
    /// Alerts on both sides.
    pub common: usize,
    /// Alerts only Falco gave.
    pub only_falco: usize,
    /// Alerts only hindsight gave.
    pub only_hindsight: usize,
    /// Per field compared on this input: whether it differed on some event.
    pub fields: BTreeMap<String, bool>,
}

/// Accumulated result of comparing alerts over several inputs.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Per input, in the order they were added.
    pub inputs: Vec<InputStat>,
    /// Per field name.
    pub fields: BTreeMap<String, FieldStat>,
    /// Alerts only Falco gave: (input, rule, time, output).
    pub only_falco: Vec<[String; 4]>,
    /// Alerts only hindsight gave.
    pub only_hindsight: Vec<[String; 4]>,
    /// Alerts on both sides whose priority or whole output differ.
    pub output_differs: Vec<[String; 5]>,
    /// Alerts on both sides.
    pub common: usize,
    /// Alerts on one side only, counted by their `evt.type` output field (`?` without one).
    pub one_side_types: BTreeMap<String, usize>,
}

impl Comparison {
    /// Adds one input's alerts of both sides.
    pub fn add(&mut self, input: &str, falco: &[Alert], ours: &[Alert]) {
        let f = keyed(falco);
        let h = keyed(ours);
        let mut stat = InputStat {
            input: input.into(),
            ..InputStat::default()
        };
        for (k, fa) in &f {
            let Some(ha) = h.get(k) else {
                *self.one_side_types.entry(type_of(fa)).or_default() += 1;
                self.only_falco
                    .push([input.into(), k.0.clone(), k.1.clone(), fa.output.clone()]);
                stat.only_falco += 1;
                continue;
            };
            self.common += 1;
            stat.common += 1;
            if fa.priority != ha.priority || fa.output != ha.output {
                self.output_differs.push([
                    input.into(),
                    k.0.clone(),
                    k.1.clone(),
                    format!("{} {}", fa.priority, fa.output),
                    format!("{} {}", ha.priority, ha.output),
                ]);
            }
            let ty = fa.fields.get("evt.type").cloned().unwrap_or_default();
            for (name, fv) in &fa.fields {
                let hv = ha.fields.get(name).map_or("(absent)", String::as_str);
                let st = self.fields.entry(name.clone()).or_default();
                st.compared += 1;
                *stat.fields.entry(name.clone()).or_default() |= fv != hv;
                if fv != hv {
                    st.differing += 1;
                    st.example.get_or_insert_with(|| {
                        [
                            input.into(),
                            k.1.clone(),
                            ty.clone(),
                            fv.clone(),
                            hv.to_owned(),
                        ]
                    });
                }
            }
        }
        for (k, ha) in &h {
            if !f.contains_key(k) {
                *self.one_side_types.entry(type_of(ha)).or_default() += 1;
                self.only_hindsight.push([
                    input.into(),
                    k.0.clone(),
                    k.1.clone(),
                    ha.output.clone(),
                ]);
                stat.only_hindsight += 1;
            }
        }
        self.inputs.push(stat);
    }

    /// Fields that differed on at least one event.
    pub fn differing_fields(&self) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(_, s)| s.differing > 0)
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// The report: alert counts in total and per input, then every differing field with its
    /// first example.
    pub fn report(&self, title: &str, with_outputs: bool) -> String {
        let mut r = String::new();
        let agree = self.fields.values().filter(|s| s.differing == 0).count();
        let _ = writeln!(
            r,
            "== {title}: {} alerts in common, {} only Falco, {} only hindsight, {} with another output; fields: {agree} of {} agree",
            self.common,
            self.only_falco.len(),
            self.only_hindsight.len(),
            self.output_differs.len(),
            self.fields.len(),
        );
        self.input_table(&mut r, title);
        for (name, s) in self.fields.iter().filter(|(_, s)| s.differing > 0) {
            let e = s
                .example
                .as_ref()
                .expect("a differing field has an example");
            let _ = writeln!(
                r,
                "  field {name}: {}/{} differ; e.g. {} {} {}: falco={:?} hindsight={:?}",
                s.differing,
                s.compared,
                e[0],
                e[1],
                e[2],
                clip(&e[3]),
                clip(&e[4])
            );
        }
        for (what, list) in [
            ("only falco", &self.only_falco),
            ("only hindsight", &self.only_hindsight),
        ] {
            let mut groups: BTreeMap<(&str, &str), (usize, &[String; 4])> = BTreeMap::new();
            for a in list {
                groups.entry((&a[0], &a[1])).or_insert((0, a)).0 += 1;
            }
            for ((input, rule), (n, a)) in groups {
                let _ = writeln!(
                    r,
                    "  {what}: {input} [{rule}] {n}×, e.g. {} {}",
                    a[2],
                    clip(&a[3])
                );
            }
        }
        if with_outputs {
            for a in self.output_differs.iter().take(30) {
                let _ = writeln!(
                    r,
                    "  output differs: {} [{}] {}\n    falco:     {}\n    hindsight: {}",
                    a[0], a[1], a[2], a[3], a[4]
                );
            }
        }
        r
    }

    /// Appends the table per input: alerts in common, on one side only, and the fields that
    /// agreed on every event of the input of those it printed.
    fn input_table(&self, r: &mut String, title: &str) {
        let width = self
            .inputs
            .iter()
            .map(|s| s.input.len())
            .chain([title.len()])
            .max()
            .unwrap_or(0);
        let _ = writeln!(
            r,
            "  | {title:<width$} | common | only Falco | only hindsight | fields agreeing |"
        );
        let _ = writeln!(
            r,
            "  |{}|-------:|-----------:|---------------:|----------------:|",
            "-".repeat(width + 2)
        );
        for s in &self.inputs {
            let agree = s.fields.values().filter(|d| !**d).count();
            let fields = format!("{agree} of {}", s.fields.len());
            let _ = writeln!(
                r,
                "  | {:<width$} | {:>6} | {:>10} | {:>14} | {fields:>15} |",
                s.input, s.common, s.only_falco, s.only_hindsight
            );
        }
    }
}

/// The `evt.type` output field of an alert, `?` when it has none.
fn type_of(a: &Alert) -> String {
    a.fields
        .get("evt.type")
        .cloned()
        .unwrap_or_else(|| "?".to_owned())
}

/// The first 160 characters of an output, for one-line examples.
fn clip(s: &str) -> String {
    match s.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(rule: &str, time: &str, name: &str) -> Alert {
        Alert {
            rule: rule.into(),
            priority: "Informational".into(),
            time: time.into(),
            output: name.into(),
            fields: [("proc.name".to_owned(), name.to_owned())].into(),
        }
    }

    #[test]
    fn the_report_has_a_row_per_input() {
        let mut c = Comparison::default();
        let f = [alert("r", "t1", "cat"), alert("r", "t2", "ls")];
        let h = [alert("r", "t1", "cat"), alert("r", "t3", "sh")];
        c.add("a.scap", &f, &h);
        c.add("b.scap", &f[..1], &[alert("r", "t1", "dog")]);
        let a = &c.inputs[0];
        assert_eq!((a.common, a.only_falco, a.only_hindsight), (1, 1, 1));
        assert_eq!(a.fields.get("proc.name"), Some(&false));
        assert_eq!(c.inputs[1].fields.get("proc.name"), Some(&true));
        let r = c.report("rules", false);
        assert!(
            r.contains("| a.scap |      1 |          1 |              1 |          1 of 1 |"),
            "{r}"
        );
        assert!(
            r.contains("| b.scap |      1 |          0 |              0 |          0 of 1 |"),
            "{r}"
        );
    }
}
