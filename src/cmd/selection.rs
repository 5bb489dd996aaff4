//! Rule files and the rule-selection options shared by `hindsight replay`, `test`, `diff` and
//! `hindsight rules list`: Falco's `-r`, `-t`, `-T`, `-D` and minimum priority, declared once,
//! and the one way these commands turn them into compiled rules ([`RuleArgs::compile`]).

use std::path::PathBuf;

use hindsight_replay::bundled::{DEFAULT_RULES_NAME, DEFAULT_RULES_YAML};
use hindsight_replay::rules::{
    CompiledRules, Diagnostic, Loader, Priority, RuleSelection, Severity,
};

/// Which rule files to load and which of their rules to enable.
#[derive(clap::Args, Debug)]
pub struct RuleArgs {
    /// Falco rules file or directory; repeat to load several in order. Without it, the bundled
    /// default ruleset is used.
    #[arg(short = 'r', long = "rules", value_name = "RULES")]
    pub rules: Vec<PathBuf>,
    /// Only enable rules with this tag (repeatable; a rule needs one of them).
    #[arg(short = 't', long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Disable rules with this tag (repeatable).
    #[arg(short = 'T', long = "disable-tag", value_name = "TAG")]
    pub disable_tags: Vec<String>,
    /// Disable rules whose name contains this text, or matches it as a regex (repeatable).
    #[arg(short = 'D', long = "disable", value_name = "RULE")]
    pub disable: Vec<String>,
    /// Only enable rules at or above this priority (emergency ... debug), like Falco's `priority`.
    #[arg(long, value_name = "P", value_parser = parse_priority)]
    pub min_priority: Option<Priority>,
}

impl RuleArgs {
    /// A loader holding the `-r` files in order, or the bundled ruleset when there are none.
    pub fn loader(&self) -> Loader {
        self.loader_in_view(false)
    }

    /// [`RuleArgs::loader`] for rules replayed with enter events shown (`--enter-events`)
    /// or not: the load warnings about conditions that cannot match depend on it.
    pub fn loader_in_view(&self, enter_events: bool) -> Loader {
        let mut loader = Loader::new();
        loader.set_enter_events(enter_events);
        if self.rules.is_empty() {
            loader.add_str(DEFAULT_RULES_NAME, DEFAULT_RULES_YAML);
        }
        for path in &self.rules {
            loader.add_path(path);
        }
        loader
    }

    /// The selection the `-t`, `-T`, `-D` and `--min-priority` options describe.
    pub fn selection(&self) -> RuleSelection {
        RuleSelection {
            only_tags: self.tags.clone(),
            disabled_tags: self.disable_tags.clone(),
            disabled_names: self.disable.clone(),
            min_priority: self.min_priority,
        }
    }
}

impl RuleArgs {
    /// Loads the rule files (or the bundled set), hands every diagnostic to `report` in load
    /// order and applies the selection.
    ///
    /// # Errors
    ///
    /// When any diagnostic is an error; the message counts them (`report` has seen each).
    pub fn compile(&self, report: impl FnMut(&Diagnostic)) -> anyhow::Result<CompiledRules> {
        self.compile_in_view(false, report)
    }

    /// [`RuleArgs::compile`] for rules replayed with enter events shown (`--enter-events`)
    /// or not.
    ///
    /// # Errors
    ///
    /// When any diagnostic is an error.
    pub fn compile_in_view(
        &self,
        enter_events: bool,
        mut report: impl FnMut(&Diagnostic),
    ) -> anyhow::Result<CompiledRules> {
        let set = self.loader_in_view(enter_events).finish();
        let mut errors: u64 = 0;
        for d in set.diagnostics() {
            if d.severity == Severity::Error {
                errors += 1;
            }
            report(d);
        }
        if errors > 0 {
            anyhow::bail!(
                "the rules have {errors} error{}; fix them (`hindsight rules validate` lists them all)",
                super::plural(errors)
            );
        }
        Ok(set.select(&self.selection()))
    }
}

/// Parses a priority name as Falco accepts it (any case; `info` for informational).
pub fn parse_priority(text: &str) -> Result<Priority, String> {
    Priority::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Priority::ALL.iter().map(|p| p.name()).collect();
        format!(
            "unknown priority {text:?}; expected one of {} (any case) or info",
            names.join(", ")
        )
    })
}
