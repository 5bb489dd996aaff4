//! The reference side of the differential suite: the shared Falco 0.44 bundle
//! (`../shared/reference/falco44`, container plugin 0.7) and the inputs both sides read.
//!
//! Falco only reads plain scap, so native corpus traces are converted with `hindsight convert`
//! first (a conversion the format tests check byte for byte against `zstd -d`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util::{falco_captures, hindsight, shared_dir};

/// The Falco 0.44 bundle, when it can run here.
pub struct Falco44 {
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

impl Falco44 {
    /// The bundle, or the reason it cannot run (printed by the caller as a visible skip).
    pub fn find() -> Result<Falco44, String> {
        let home = shared_dir().join("reference/falco44");
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
        Ok(Falco44 { home })
    }

    fn command(&self) -> Command {
        let mut c = Command::new(self.home.join("bin/falco"));
        c.env("FALCO44_HOME", &self.home)
            .arg("-c")
            .arg(self.home.join("etc/falco.yaml"));
        c
    }

    /// The names of every field Falco 0.44 (with its container plugin) knows.
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
            return Err(format!(
                "falco failed on {}: {}",
                capture.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(parse_alerts(&out.stdout))
    }
}

/// Replays `trace` with hindsight, every match, JSON lines.
pub fn hindsight_replay(trace: &Path, rules: &[PathBuf]) -> Result<Vec<Alert>, String> {
    let mut c = hindsight();
    c.arg("replay").arg(trace);
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
