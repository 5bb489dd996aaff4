//! End-to-end tests of the `hindsight` CLI, one binary with a module per topic.

mod containers;
mod convert_enters;
mod corpora;
mod diff;
mod enter_events;
mod export_pcap;
mod falco_diff;
mod format;
mod merge;
mod object_store;
mod ocsf;
mod partition;
mod profile;
mod record;
mod replay;
mod rules;
mod shard;
mod spark;
mod sysdig_diff;
mod test_cmd;
mod util;
mod window;
