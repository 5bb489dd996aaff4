//! Falco rules: loading, checking and compiling rule files, and evaluating conditions.
//!
//! The pipeline has one module per named form, like a compiler:
//!
//! * [`loader`] / `rule_item`: YAML items to list, macro and rule definitions, with Falco's
//!   append/override/enabled semantics and located [`Diagnostic`]s ([`diag`], `yaml`).
//! * [`lex`] and [`parse`]: condition text to the spanned [`ast`].
//! * `expand`: macros and lists substituted; `exceptions`: rule exceptions appended.
//! * [`resolve`] and [`compile`]: fields looked up in the catalogue, comparisons typed,
//!   and the result flattened into a [`Condition`] program.
//! * [`eval`]: the evaluator over a [`FieldSource`], with a per-thread [`EvalScratch`].
//! * [`evttype`]: the event types each rule can match; [`output`]: output formats.
//! * `view`: conditions that need the enter events current libs hide from rules.
//! * `set`: [`RuleSet`] (everything loaded, with diagnostics) and [`CompiledRules`] (the
//!   selected rules indexed by event type), and [`compile_filter`].

pub mod ast;
pub mod compile;
pub mod diag;
pub mod eval;
pub mod evttype;
mod exceptions;
mod expand;
pub mod lex;
pub mod loader;
mod memo;
pub mod output;
pub mod parse;
pub mod rawarg;
pub mod resolve;
mod rule_item;
pub mod select;
mod set;
pub mod values;
mod view;
mod yaml;

pub use compile::Condition;
pub use diag::{Diagnostic, Location, Severity};
pub use eval::EvalScratch;
pub use evttype::EventTypes;
pub use loader::Loader;
pub use output::{OutputFormat, Segment};
pub use select::{Priority, RuleSelection};
pub use set::{compile_filter, CompiledFilter, CompiledRule, CompiledRules, FilterError, RuleSet};
pub use values::{FieldArg, FieldRef, FieldSource, ValueRef, Values};
