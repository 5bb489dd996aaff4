//! End-to-end tests of the `hindsight` CLI, one binary with a module per topic.

mod util;
mod corpora;
mod format;
mod record;
mod replay;
mod sysdig_diff;
mod rules;
