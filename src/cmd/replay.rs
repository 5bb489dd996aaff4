//! `hindsight replay` (not implemented yet).

use std::process::ExitCode;

/// Arguments of `hindsight replay`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `hindsight replay`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`hindsight replay` is not implemented yet")
}
