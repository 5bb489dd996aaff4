//! The renderings of a diff: text for a terminal, a Markdown report (tables per kind, for a
//! pull-request comment), and one JSON document listing every difference.

use std::io::Write;

use super::compare::{by_rule, Difference, Kind};
use crate::cmd::trace_name;

/// Examples shown per rule in text and Markdown.
const EXAMPLES: usize = 3;

/// Alert counts of both sides and the differences between them.
pub struct Report<'a> {
    /// Alerts of the baseline.
    pub baseline_alerts: usize,
    /// Alerts of the candidate.
    pub candidate_alerts: usize,
    /// The differences, in (trace, evt.num) order.
    pub diffs: &'a [Difference],
}

const KINDS: [(Kind, &str); 3] = [
    (Kind::Lost, "lost"),
    (Kind::Gained, "gained"),
    (Kind::Changed, "changed"),
];

impl Report<'_> {
    /// How many differences of `kind`.
    pub fn count(&self, kind: Kind) -> usize {
        self.diffs.iter().filter(|d| d.kind == kind).count()
    }

    fn headline(&self) -> String {
        format!(
            "baseline {} alerts, candidate {} alerts: {} lost, {} gained, {} changed",
            self.baseline_alerts,
            self.candidate_alerts,
            self.count(Kind::Lost),
            self.count(Kind::Gained),
            self.count(Kind::Changed)
        )
    }
}

/// One difference as an example line: `trace#evt: output`, or `old -> new` when changed.
fn example(d: &Difference) -> String {
    let trace = trace_name(&d.trace);
    let text = match (&d.baseline, &d.candidate) {
        (Some(b), Some(c)) if b.output != c.output => format!("{} -> {}", b.output, c.output),
        (Some(b), Some(c)) if b.priority != c.priority => {
            format!("{} -> {} ({})", b.priority, c.priority, c.output)
        }
        (_, Some(e)) | (Some(e), None) => e.output.clone(),
        (None, None) => String::new(),
    };
    format!("{trace}#{}: {text}", d.evt_num)
}

/// Writes the text report.
pub fn write_text(out: &mut dyn Write, r: &Report<'_>) -> std::io::Result<()> {
    writeln!(out, "{}", r.headline())?;
    for (kind, name) in KINDS {
        let groups = by_rule(r.diffs, kind);
        if groups.is_empty() {
            continue;
        }
        writeln!(out, "{name} ({}):", r.count(kind))?;
        for (rule, list) in groups {
            writeln!(out, "  {:>6}  {rule}", list.len())?;
            for d in list.iter().take(EXAMPLES) {
                writeln!(out, "            {}", example(d))?;
            }
        }
    }
    Ok(())
}

/// A table cell: pipes escaped, line breaks flattened.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Writes the Markdown report: a summary table, then one table per kind of difference.
pub fn write_markdown(out: &mut dyn Write, r: &Report<'_>) -> std::io::Result<()> {
    writeln!(out, "## hindsight diff\n")?;
    writeln!(out, "| | alerts |")?;
    writeln!(out, "|---|---:|")?;
    writeln!(out, "| baseline | {} |", r.baseline_alerts)?;
    writeln!(out, "| candidate | {} |", r.candidate_alerts)?;
    for (kind, name) in KINDS {
        writeln!(out, "| {name} | {} |", r.count(kind))?;
    }
    for (kind, name) in KINDS {
        let groups = by_rule(r.diffs, kind);
        if groups.is_empty() {
            continue;
        }
        let mut title = name.to_string();
        title[..1].make_ascii_uppercase();
        writeln!(out, "\n### {title} ({})\n", r.count(kind))?;
        writeln!(out, "| rule | count | examples |")?;
        writeln!(out, "|---|---:|---|")?;
        for (rule, list) in groups {
            let examples: Vec<String> = list
                .iter()
                .take(EXAMPLES)
                .map(|d| format!("`{}`", cell(&example(d)).replace('`', "'")))
                .collect();
            writeln!(
                out,
                "| {} | {} | {} |",
                cell(&rule),
                list.len(),
                examples.join("<br>")
            )?;
        }
    }
    Ok(())
}

/// Writes one JSON document: the counts and every difference.
pub fn write_json(out: &mut dyn Write, r: &Report<'_>) -> std::io::Result<()> {
    let doc = serde_json::json!({
        "baseline": { "alerts": r.baseline_alerts },
        "candidate": { "alerts": r.candidate_alerts },
        "counts": {
            "lost": r.count(Kind::Lost),
            "gained": r.count(Kind::Gained),
            "changed": r.count(Kind::Changed),
        },
        "differences": r.diffs,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
