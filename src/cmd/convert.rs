//! `hindsight convert` (not implemented yet).

use std::process::ExitCode;

/// Arguments of `hindsight convert`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `hindsight convert`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`hindsight convert` is not implemented yet")
}
