//! The rules file that ships inside hindsight.
//!
//! `hindsight replay` uses it when no `-r` is given. It lives in `replay/rules/default_rules.yaml`
//! and is embedded at build time, so the binary needs no data files. The set is compact and
//! aimed at forensic replay: high-value syscall detections (tampering, credential access,
//! privilege escalation, reverse shells, container drift), each with a MITRE ATT&CK tag.

/// The name reported in diagnostics and summaries for the bundled rules.
pub const DEFAULT_RULES_NAME: &str = "<bundled>/default_rules.yaml";

/// The text of the bundled rules file (Falco rule syntax).
pub const DEFAULT_RULES_YAML: &str = include_str!("../rules/default_rules.yaml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_rules_are_embedded() {
        assert!(DEFAULT_RULES_YAML.contains("- rule: Write below binary directory"));
        assert!(DEFAULT_RULES_YAML.is_ascii());
    }
}
