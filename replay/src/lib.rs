//! hindsight-replay: Falco rules, field extraction and the replay engine.
//!
//! The rules half turns rule files into something an event loop can run:
//!
//! * [`rules::Loader`] reads Falco rule files (lists, macros, rules, appends, overrides,
//!   exceptions) and produces a [`rules::RuleSet`]: every rule's condition parsed, macros and
//!   lists expanded, fields resolved against [`fields::catalog`] and compiled to a flat, typed
//!   [`rules::Condition`], with located [`rules::Diagnostic`]s for everything wrong.
//! * [`rules::RuleSet::select`] applies a [`rules::RuleSelection`] (tags, names, priority) and
//!   returns the immutable, `Send + Sync` [`rules::CompiledRules`], indexed by event type.
//! * The engine evaluates a rule against one event through its own implementation of
//!   [`rules::FieldSource`], with one [`rules::EvalScratch`] per worker thread, and renders
//!   outputs with [`rules::OutputFormat`].
//!
//! ```
//! use hindsight_replay::rules::{Loader, RuleSelection};
//!
//! let mut loader = Loader::new();
//! loader.add_str("inline.yaml", "- rule: shell\n  desc: d\n  condition: proc.name = bash\n  output: shell %proc.name\n  priority: WARNING\n");
//! let set = loader.finish();
//! assert!(!set.has_errors(), "{:?}", set.diagnostics());
//! let compiled = set.select(&RuleSelection::default());
//! assert_eq!(compiled.rules()[0].name, "shell");
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod bundled;
pub mod engine;
pub mod fields;
pub mod output;
pub mod pcap;
pub mod rules;
pub mod state;
