//! `hindsight fields` (not implemented yet).

use std::process::ExitCode;

/// Arguments of `hindsight fields`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `hindsight fields`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`hindsight fields` is not implemented yet")
}
