//! End-to-end tests of the `hindsight` CLI, one binary with a module per topic.

mod containers;
mod corpora;
mod diff;
mod enter_events;
mod falco_diff;
mod format;
mod record;
mod replay;
mod rules;
mod sysdig_diff;
mod test_cmd;
mod util;
