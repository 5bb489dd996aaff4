//! `hindsight print` (not implemented yet).

use std::process::ExitCode;

/// Arguments of `hindsight print`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `hindsight print`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`hindsight print` is not implemented yet")
}
