//! `hindsight info` (not implemented yet).

use std::process::ExitCode;

/// Arguments of `hindsight info`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `hindsight info`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`hindsight info` is not implemented yet")
}
