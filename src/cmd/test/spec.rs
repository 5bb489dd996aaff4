//! The test file format of `hindsight test` (`*.test.yaml`): what a file says, how it is read
//! (unknown keys are errors, located `file:line:col`) and how its paths, relative to the test
//! file and possibly globs, become trace files and rule arguments.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context};
use globset::GlobBuilder;
use hindsight_replay::engine::window::TimeBound;
use hindsight_replay::rules::Priority;
use serde::{Deserialize, Deserializer};

use crate::cmd::replay::MatchMode;
use crate::cmd::selection::{parse_priority, RuleArgs};
use crate::cmd::traces;

/// File name ending of test files found in directories.
pub const TEST_SUFFIX: &str = ".test.yaml";

/// A test file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Name shown in reports; the file name when absent.
    pub name: Option<String>,
    /// Trace files, directories or globs, relative to the test file.
    pub traces: Vec<String>,
    /// Rule files or directories, relative to the test file, loaded in order (empty: the
    /// bundled default rules).
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// Replay and rule-selection options.
    #[serde(default)]
    pub options: Options,
    /// Conditions on the alerts, all of which must hold over all traces.
    #[serde(default)]
    pub expect: Vec<Expect>,
    /// Alerts that may fire beyond `expect` in strict mode.
    #[serde(default)]
    pub allow: Vec<Allow>,
    /// Whether an alert matched by no `expect` or `allow` item fails the test.
    #[serde(default)]
    pub strict: bool,
}

/// The `options` of a test file: the flags of `hindsight replay` as keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// `first` (Falco's default) or `all`.
    #[serde(rename = "match", default)]
    pub match_mode: MatchMode,
    /// Only enable rules with one of these tags (`-t`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Disable rules with these tags (`-T`).
    #[serde(default)]
    pub disabled_tags: Vec<String>,
    /// Disable rules by name or regex (`-D`).
    #[serde(default)]
    pub disabled_rules: Vec<String>,
    /// Only enable rules at or above this priority.
    #[serde(default, deserialize_with = "priority")]
    pub min_priority: Option<Priority>,
    /// Let rules see enter events too (the view of sysdig and Falco before 0.41).
    #[serde(default)]
    pub enter_events: bool,
    /// Evaluate only the events from this time on (`--since`: RFC 3339, nanoseconds since
    /// the epoch, or `+DURATION` after each trace's start).
    #[serde(default, deserialize_with = "time_bound")]
    pub since: Option<TimeBound>,
    /// Evaluate only the events before this time (`--until`).
    #[serde(default, deserialize_with = "time_bound")]
    pub until: Option<TimeBound>,
}

/// One `expect` item: how many alerts matching a filter must fire.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The rule name.
    pub rule: String,
    /// Exactly this many (not with `min`/`max`).
    pub count: Option<u64>,
    /// At least this many (default 1 unless `max` or `count` is given).
    pub min: Option<u64>,
    /// At most this many.
    pub max: Option<u64>,
    /// The alert's priority.
    #[serde(default, deserialize_with = "priority")]
    pub priority: Option<Priority>,
    /// Text the rendered output must contain.
    pub output_contains: Option<String>,
    /// Output (or context) field values the alert must have.
    #[serde(default)]
    pub fields: BTreeMap<String, serde_yaml::Value>,
}

/// One `allow` item: alerts that may fire in strict mode.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allow {
    /// The rule name.
    pub rule: String,
    /// The alert's priority.
    #[serde(default, deserialize_with = "priority")]
    pub priority: Option<Priority>,
    /// Text the rendered output must contain.
    pub output_contains: Option<String>,
    /// Output (or context) field values the alert must have.
    #[serde(default)]
    pub fields: BTreeMap<String, serde_yaml::Value>,
}

impl Expect {
    /// The accepted number of matching alerts, `(min, max)`.
    pub fn bounds(&self) -> (u64, Option<u64>) {
        match self.count {
            Some(c) => (c, Some(c)),
            None => (
                self.min.unwrap_or(if self.max.is_some() { 0 } else { 1 }),
                self.max,
            ),
        }
    }
}

/// A time bound written as text (`+5s`, `2024-01-02T03:04:05Z`) or as a number of
/// nanoseconds since the epoch.
fn time_bound<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TimeBound>, D::Error> {
    let text = match serde_yaml::Value::deserialize(d)? {
        serde_yaml::Value::String(s) => s,
        serde_yaml::Value::Number(n) => n.to_string(),
        _ => {
            return Err(serde::de::Error::custom(
                "expected a time: text such as \"+5s\" or \"2024-01-02T03:04:05Z\", or nanoseconds since the epoch",
            ))
        }
    };
    text.parse().map(Some).map_err(serde::de::Error::custom)
}

fn priority<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Priority>, D::Error> {
    let text = String::deserialize(d)?;
    parse_priority(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// A test file, read and resolved.
#[derive(Debug)]
pub struct TestFile {
    /// The file.
    pub path: PathBuf,
    /// Its name for reports.
    pub name: String,
    /// Its contents.
    pub spec: Spec,
    /// The trace files, in order, without duplicates.
    pub traces: Vec<PathBuf>,
    /// The rule files and selection, as `hindsight replay` flags.
    pub rules: RuleArgs,
}

/// The name of `path` for reports when the file has none: its file name.
pub fn default_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Reads and checks the test file at `path`.
///
/// # Errors
///
/// An unreadable file, invalid YAML or an unknown key (`file:line:col: message`), an
/// inconsistent `expect` item, and traces that cannot be found.
pub fn load(path: &Path) -> anyhow::Result<TestFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read test file {}", path.display()))?;
    let spec: Spec = serde_yaml::from_str(&text).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        anyhow::anyhow!(
            "{}:{line}:{col}: {msg}; see `hindsight test --help` for the test file format",
            path.display()
        )
    })?;
    for (i, e) in spec.expect.iter().enumerate() {
        let at = || format!("{}: expect[{i}] (rule {:?})", path.display(), e.rule);
        if e.count.is_some() && (e.min.is_some() || e.max.is_some()) {
            bail!(
                "{}: `count` cannot be combined with `min` or `max`; keep one form",
                at()
            );
        }
        if let (Some(lo), Some(hi)) = (e.min, e.max) {
            if lo > hi {
                bail!("{}: `min` ({lo}) is above `max` ({hi})", at());
            }
        }
    }
    if spec.traces.is_empty() {
        bail!(
            "{}: `traces` is empty; list at least one trace file, directory or glob",
            path.display()
        );
    }
    let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut found = Vec::new();
    for entry in &spec.traces {
        let files = resolve_traces(&base, entry)
            .with_context(|| format!("{}: traces: {entry}", path.display()))?;
        for f in files {
            if !found.contains(&f) {
                found.push(f);
            }
        }
    }
    let rules = RuleArgs {
        rules: spec.rules.iter().map(|r| base.join(r)).collect(),
        tags: spec.options.tags.clone(),
        disable_tags: spec.options.disabled_tags.clone(),
        disable: spec.options.disabled_rules.clone(),
        min_priority: spec.options.min_priority,
    };
    Ok(TestFile {
        path: path.to_path_buf(),
        name: spec.name.clone().unwrap_or_else(|| default_name(path)),
        spec,
        traces: found,
        rules,
    })
}

fn is_glob(text: &str) -> bool {
    text.contains(['*', '?', '[', '{'])
}

/// The trace files `entry` names, relative to `base`: a file, a directory (searched like
/// `hindsight replay` does) or a glob (`*` stays within a directory, `**` crosses them).
fn resolve_traces(base: &Path, entry: &str) -> anyhow::Result<Vec<PathBuf>> {
    if !is_glob(entry) {
        return traces::discover(&[base.join(entry)]);
    }
    // Walk from the longest directory prefix without wildcards, keep what the glob matches.
    let mut root = base.to_path_buf();
    for c in Path::new(entry).components() {
        match c {
            Component::Normal(s) if is_glob(&s.to_string_lossy()) => break,
            other => root.push(other),
        }
    }
    let pattern = base.join(entry);
    let glob = GlobBuilder::new(&pattern.to_string_lossy())
        .literal_separator(true)
        .build()
        .with_context(|| format!("invalid glob {entry:?}"))?
        .compile_matcher();
    let matched: Vec<PathBuf> = traces::discover(&[root])?
        .into_iter()
        .filter(|p| glob.is_match(p))
        .collect();
    if matched.is_empty() {
        bail!(
            "the glob matches no trace file; check the pattern (it is relative to the test file)"
        );
    }
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Spec, serde_yaml::Error> {
        serde_yaml::from_str(text)
    }

    #[test]
    fn bounds_default_to_at_least_one() {
        let s = parse(
            "traces: [a]\nexpect:\n - {rule: A}\n - {rule: B, max: 2}\n - {rule: C, count: 0}\n",
        )
        .unwrap();
        let b: Vec<_> = s.expect.iter().map(Expect::bounds).collect();
        assert_eq!(b, [(1, None), (0, Some(2)), (0, Some(0))]);
    }

    #[test]
    fn unknown_keys_and_priorities_are_rejected() {
        let e = parse("traces: [a]\nexpectt: []\n").unwrap_err();
        assert!(e.to_string().contains("unknown field `expectt`"), "{e}");
        assert_eq!(e.location().map(|l| l.line()), Some(2));
        let e = parse("traces: [a]\nexpect: [{rule: A, priority: loud}]\n").unwrap_err();
        assert!(e.to_string().contains("unknown priority"), "{e}");
    }

    #[test]
    fn globs_match_within_their_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("t")).unwrap();
        for n in ["t/a.scap", "t/b.scap.zst", "c.scap"] {
            std::fs::write(dir.path().join(n), b"").unwrap();
        }
        let found = resolve_traces(dir.path(), "t/*.scap").unwrap();
        assert_eq!(found, [dir.path().join("t/a.scap")]);
        let found = resolve_traces(dir.path(), "**/*.scap*").unwrap();
        assert_eq!(found.len(), 3);
        assert!(resolve_traces(dir.path(), "t/*.gz").is_err());
    }
}
