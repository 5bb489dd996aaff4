//! `hindsight record` (not implemented yet).

use std::process::ExitCode;

/// Arguments of `hindsight record`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `hindsight record`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`hindsight record` is not implemented yet")
}
