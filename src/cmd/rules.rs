//! `hindsight rules ...` (not implemented yet).

use std::process::ExitCode;

/// `hindsight rules` subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Validate rule files.
    Validate {},
}

/// Runs `hindsight rules ...`.
pub fn run(_cmd: Command) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`hindsight rules` is not implemented yet")
}
