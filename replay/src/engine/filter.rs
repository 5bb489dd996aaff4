//! Filters for `hindsight print`: a condition in the rule language, compiled once, with the
//! lists and macros of rule files in scope.

use std::path::PathBuf;

use thiserror::Error;

use super::source::EventSource;
use crate::fields::ctx::Ctx;
use crate::fields::value::Out;
use crate::rules::eval::EvalScratch;
use crate::rules::{compile_filter, CompiledFilter, Loader};

/// A filter that could not be compiled.
#[derive(Debug, Error)]
pub enum FilterError {
    /// The rule files given with `-r` have errors.
    #[error("{0}")]
    Rules(String),
    /// The filter text is invalid.
    #[error("invalid filter at byte {offset}: {message}")]
    Filter {
        /// Byte offset in the filter text.
        offset: usize,
        /// What is wrong.
        message: String,
    },
}

/// A compiled print filter; the empty filter accepts every event. It is shared by the
/// workers of a parallel print, each evaluating with its own thread's scratch buffers.
#[derive(Debug, Default)]
pub struct PrintFilter {
    filter: Option<CompiledFilter>,
}

thread_local! {
    /// The evaluation buffers of this thread's filters (an evaluation never nests).
    static SCRATCH: std::cell::RefCell<(EvalScratch, Out)> = Default::default();
}

impl PrintFilter {
    /// Compiles `text`, with the lists and macros of the `rules` files in scope.
    pub fn compile(text: &str, rules: &[PathBuf]) -> Result<PrintFilter, FilterError> {
        if text.trim().is_empty() {
            return Ok(PrintFilter::default());
        }
        let defs = if rules.is_empty() {
            None
        } else {
            let mut loader = Loader::new();
            for r in rules {
                loader.add_path(r);
            }
            let set = loader.finish();
            if set.has_errors() {
                let msgs: Vec<String> = set
                    .diagnostics()
                    .iter()
                    .filter(|d| d.severity == crate::rules::diag::Severity::Error)
                    .map(ToString::to_string)
                    .collect();
                return Err(FilterError::Rules(msgs.join("\n")));
            }
            Some(set)
        };
        let filter = compile_filter(text, defs.as_ref()).map_err(|e| FilterError::Filter {
            offset: e.offset,
            message: e.message,
        })?;
        Ok(PrintFilter {
            filter: Some(filter),
        })
    }

    /// Whether the event passes.
    pub fn matches(&self, c: &Ctx<'_>) -> bool {
        let Some(f) = &self.filter else { return true };
        if !f.event_types.contains(c.p.ev.ty) {
            return false;
        }
        SCRATCH.with(|s| {
            let mut guard = s.borrow_mut();
            let (scratch, out) = &mut *guard;
            let mut src = EventSource { ctx: c, out };
            f.condition.eval(&mut src, scratch)
        })
    }
}
