//! The results of `hindsight test` and their three renderings: text lines for a terminal, one
//! JSON document for tools, and JUnit XML for CI servers.

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::check::Failure;
use crate::cmd::plural;

/// How one test file ended.
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Outcome {
    /// Every item held.
    Pass {
        /// Alerts seen over all traces.
        alerts: usize,
    },
    /// At least one item did not hold.
    Fail {
        /// The items that did not hold.
        failures: Vec<Failure>,
    },
    /// The test could not run (bad test file, unreadable trace, rules with errors).
    Error {
        /// What went wrong, with its location.
        message: String,
    },
    /// `--update` rewrote the file's `expect`.
    Updated {
        /// Items written.
        items: usize,
    },
}

/// The result of one test file.
#[derive(Debug, Serialize)]
pub struct TestResult {
    /// The test file.
    pub file: PathBuf,
    /// The test's name.
    pub name: String,
    /// Wall time of the test, seconds.
    #[serde(rename = "time_s", serialize_with = "secs")]
    pub time: Duration,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

/// Counts over a run.
#[derive(Debug, Default, Serialize)]
pub struct Totals {
    /// Tests that passed (or were updated).
    pub passed: usize,
    /// Tests that failed.
    pub failed: usize,
    /// Tests that could not run.
    pub errors: usize,
    /// Wall time of the whole run, seconds.
    pub time_s: f64,
}

impl Totals {
    /// The counts of `results`.
    pub fn of(results: &[TestResult], time: Duration) -> Totals {
        let mut t = Totals {
            time_s: (time.as_secs_f64() * 1000.0).round() / 1000.0,
            ..Totals::default()
        };
        for r in results {
            match r.outcome {
                Outcome::Pass { .. } | Outcome::Updated { .. } => t.passed += 1,
                Outcome::Fail { .. } => t.failed += 1,
                Outcome::Error { .. } => t.errors += 1,
            }
        }
        t
    }
}

/// The detail lines of a failed test, as text: each failed item, what came instead and the
/// closest alerts.
pub fn failure_text(failures: &[Failure]) -> String {
    let mut s = String::new();
    for f in failures {
        let _ = writeln!(s, "expected: {}", f.expected);
        let _ = writeln!(s, "found:    {}", f.found);
        for (i, c) in f.closest.iter().enumerate() {
            let label = if i == 0 { "closest: " } else { "         " };
            let _ = writeln!(s, "{label} {c}");
        }
    }
    s
}

/// Writes one line per test and the details of failures and errors.
pub fn write_text(
    out: &mut dyn Write,
    results: &[TestResult],
    totals: &Totals,
) -> std::io::Result<()> {
    for r in results {
        let (status, detail) = match &r.outcome {
            Outcome::Pass { alerts } => {
                ("PASS", format!("{alerts} alert{}", plural(*alerts as u64)))
            }
            Outcome::Updated { items } => ("UPDATED", format!("{items} expect items written")),
            Outcome::Fail { failures } => ("FAIL", format!("{} failed", failures.len())),
            Outcome::Error { .. } => ("ERROR", String::new()),
        };
        writeln!(
            out,
            "{status:<7} {}  ({}, {detail}{}{:.2} s)",
            r.name,
            r.file.display(),
            if detail.is_empty() { "" } else { ", " },
            r.time.as_secs_f64()
        )?;
        let body = match &r.outcome {
            Outcome::Fail { failures } => failure_text(failures),
            Outcome::Error { message } => format!("{message}\n"),
            _ => String::new(),
        };
        for line in body.lines() {
            writeln!(out, "    {line}")?;
        }
    }
    writeln!(
        out,
        "{} passed, {} failed, {} errors in {:.2} s",
        totals.passed, totals.failed, totals.errors, totals.time_s
    )
}

/// Writes the results as one JSON document: `{"tests": [...], "totals": {...}}`.
pub fn write_json(
    out: &mut dyn Write,
    results: &[TestResult],
    totals: &Totals,
) -> std::io::Result<()> {
    let doc = serde_json::json!({ "tests": results, "totals": totals });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// `text` escaped for XML attribute values and text nodes; characters XML 1.0 cannot hold
/// become U+FFFD.
pub fn xml_escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            '\n' => s.push_str("&#10;"),
            '\t' | '\r' => s.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => s.push('\u{FFFD}'),
            c => s.push(c),
        }
    }
    s
}

/// Writes JUnit XML: one `<testsuite>` with a `<testcase>` per test file.
pub fn write_junit(
    out: &mut dyn Write,
    results: &[TestResult],
    totals: &Totals,
) -> std::io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuite name="hindsight test" tests="{}" failures="{}" errors="{}" time="{:.3}">"#,
        results.len(),
        totals.failed,
        totals.errors,
        totals.time_s
    )?;
    for r in results {
        write!(
            out,
            r#"  <testcase name="{}" classname="{}" time="{:.3}""#,
            xml_escape(&r.name),
            xml_escape(&r.file.display().to_string()),
            r.time.as_secs_f64()
        )?;
        match &r.outcome {
            Outcome::Pass { .. } | Outcome::Updated { .. } => writeln!(out, "/>")?,
            Outcome::Fail { failures } => {
                let first = failures.first().map_or(String::new(), |f| {
                    format!("expected {}; found {}", f.expected, f.found)
                });
                writeln!(out, ">")?;
                writeln!(
                    out,
                    r#"    <failure message="{}" type="expectation">{}</failure>"#,
                    xml_escape(&first),
                    xml_escape(&failure_text(failures))
                )?;
                writeln!(out, "  </testcase>")?;
            }
            Outcome::Error { message } => {
                writeln!(out, ">")?;
                writeln!(
                    out,
                    r#"    <error message="{}" type="load"/>"#,
                    xml_escape(message)
                )?;
                writeln!(out, "  </testcase>")?;
            }
        }
    }
    writeln!(out, "</testsuite>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_special_characters_are_escaped() {
        assert_eq!(
            xml_escape("a<b>&\"c'\n\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;\u{FFFD}"
        );
    }
}
