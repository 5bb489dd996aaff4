//! The reference side of the differential suite: a shared Falco bundle ([`FalcoBundle`]: 0.44
//! in `../shared/reference/falco44` with its container plugin 0.7, 0.40 in
//! `../shared/reference/falco`) and the inputs both sides read.
//!
//! Falco only reads plain scap, so native corpus traces are converted with `hindsight convert`
//! first (a conversion the format tests check byte for byte against `zstd -d`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util::{falco_captures, hindsight, shared_dir};

/// Where a Falco bundle lives and how it is started.
struct BundleSpec {
    /// The bundle's directory under the shared directory.
    dir: &'static str,
    /// Its replay configuration, relative to the bundle.
    config: &'static str,
    /// The environment variable its configuration reads the bundle's path from, if any.
    home_var: Option<&'static str>,
    /// The upstream rules it ships, relative to the bundle.
    rules: &'static str,
}

/// Falco 0.44.1 (libs 0.25, container plugin 0.7): current libs' view.
const FALCO44: BundleSpec = BundleSpec {
    dir: "reference/falco44",
    config: "etc/falco.yaml",
    home_var: Some("FALCO44_HOME"),
    rules: "rules/falco_rules.yaml",
};

/// Falco 0.40.0 (libs 0.20, no container plugin): the last release that shows enter events
/// to rules.
const FALCO40: BundleSpec = BundleSpec {
    dir: "reference/falco",
    config: "falco.yaml",
    home_var: None,
    rules: "rules/falco_rules.yaml",
};

/// A shared Falco bundle that runs here.
pub struct FalcoBundle {
    spec: &'static BundleSpec,
    home: PathBuf,
}

/// One alert as both sides print it in JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// Rule name.
    pub rule: String,
    /// Priority name as printed (`Warning`).
    pub priority: String,
    /// `time` as RFC 3339 text.
    pub time: String,
    /// The whole rendered output.
    pub output: String,
    /// `output_fields`, each value rendered as text (`<NA>` for null).
    pub fields: BTreeMap<String, String>,
}

impl FalcoBundle {
    /// The Falco 0.44 bundle, or the reason it cannot run (printed by the caller as a
    /// visible skip).
    pub fn falco44() -> Result<FalcoBundle, String> {
        FalcoBundle::find(&FALCO44)
    }

    /// The Falco 0.40 bundle, or the reason it cannot run.
    pub fn falco40() -> Result<FalcoBundle, String> {
        FalcoBundle::find(&FALCO40)
    }

    /// The upstream rules file the bundle ships.
    pub fn upstream_rules(&self) -> PathBuf {
        self.home.join(self.spec.rules)
    }

    fn find(spec: &'static BundleSpec) -> Result<FalcoBundle, String> {
        let home = shared_dir().join(spec.dir);
        let home = home
            .canonicalize()
            .map_err(|e| format!("{}: {e}", home.display()))?;
        let out = Command::new(home.join("bin/falco"))
            .arg("--version")
            .output()
            .map_err(|e| format!("cannot start {}: {e}", home.join("bin/falco").display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} --version failed (missing runtime libraries? see its README): {}",
                home.join("bin/falco").display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(FalcoBundle { spec, home })
    }

    fn command(&self) -> Command {
        let mut c = Command::new(self.home.join("bin/falco"));
        if let Some(var) = self.spec.home_var {
            c.env(var, &self.home);
        }
        c.arg("-c").arg(self.home.join(self.spec.config));
        c
    }

    /// The names of every field this Falco (with its plugins) knows.
    pub fn field_names(&self) -> Vec<String> {
        let out = self
            .command()
            .args(["-o", "engine.replay.capture_file=none", "--list", "-N"])
            .output()
            .expect("falco --list");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.contains(' '))
            .map(str::to_owned)
            .collect()
    }

    /// Whether this Falco loads `rules` without error (`falco -V`).
    pub fn validates(&self, rules: &Path) -> bool {
        self.command()
            .args(["-o", "engine.replay.capture_file=none", "-V"])
            .arg(rules)
            .output()
            .is_ok_and(|o| {
                o.status.success()
                    && !String::from_utf8_lossy(&o.stdout).contains("\"successful\":false")
            })
    }

    /// The names of the rules of `rules` this Falco refuses to load (`falco -V`, JSON).
    pub fn rejected_rules(&self, rules: &Path) -> Vec<String> {
        let out = self
            .command()
            .args([
                "-o",
                "engine.replay.capture_file=none",
                "-o",
                "json_output=true",
                "-V",
            ])
            .arg(rules)
            .output()
            .expect("falco -V");
        let mut names = Vec::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Ok(v) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            for file in v["falco_load_results"].as_array().into_iter().flatten() {
                for e in file["errors"].as_array().into_iter().flatten() {
                    for loc in e["context"]["locations"].as_array().into_iter().flatten() {
                        if loc["item_type"] == "rule" {
                            names.push(text(&loc["item_name"]));
                        }
                    }
                }
            }
        }
        names
    }

    /// Replays `capture` (plain scap) against `rules` with `rule_matching=all`.
    pub fn replay(&self, capture: &Path, rules: &[PathBuf]) -> Result<Vec<Alert>, String> {
        let mut c = self.command();
        for r in rules {
            c.arg("-r").arg(r);
        }
        let out = c
            .arg("-o")
            .arg("engine.kind=replay")
            .arg("-o")
            .arg(format!("engine.replay.capture_file={}", capture.display()))
            .args(["-o", "json_output=true", "-o", "rule_matching=all"])
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let tail: String = err.lines().rev().take(12).collect::<Vec<_>>().join("\n");
            return Err(format!(
                "falco failed on {} (last lines of its log, latest first):\n{tail}",
                capture.display()
            ));
        }
        Ok(parse_alerts(&out.stdout))
    }
}

/// Replays `trace` with hindsight, every match, JSON lines, with the `extra` flags
/// (`--enter-events`).
pub fn hindsight_replay(
    trace: &Path,
    rules: &[PathBuf],
    extra: &[&str],
) -> Result<Vec<Alert>, String> {
    let mut c = hindsight();
    c.arg("replay").arg(trace).args(extra);
    for r in rules {
        c.arg("-r").arg(r);
    }
    let out = c
        .args(["--match", "all", "--format", "json", "-q", "-j", "1"])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "hindsight replay failed on {}: {}",
            trace.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(parse_alerts(&out.stdout))
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "<NA>".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Parses the JSON alert lines of either side (other lines are Falco's log).
pub fn parse_alerts(stdout: &[u8]) -> Vec<Alert> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|v| Alert {
            rule: text(&v["rule"]),
            priority: text(&v["priority"]),
            time: text(&v["time"]),
            output: text(&v["output"]),
            fields: v["output_fields"]
                .as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), text(v))).collect())
                .unwrap_or_default(),
        })
        .collect()
}

/// Every input of the suite as (name, plain scap path): the shared Falco captures and the
/// corpus traces converted to plain scap under `tmp`.
pub fn inputs(tmp: &Path) -> Vec<(String, PathBuf)> {
    let mut v: Vec<(String, PathBuf)> = falco_captures()
        .into_iter()
        .map(|p| (file_name(&p), p))
        .collect();
    let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora");
    let mut native: Vec<PathBuf> = std::fs::read_dir(&corpora)
        .expect("corpora/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".scap.zst"))
        .collect();
    native.sort();
    for p in native {
        let name = file_name(&p);
        let plain = tmp.join(name.trim_end_matches(".zst"));
        let st = hindsight()
            .arg("convert")
            .arg(&p)
            .arg(&plain)
            .status()
            .expect("hindsight convert");
        assert!(st.success(), "convert {}", p.display());
        v.push((name, plain));
    }
    v
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}
