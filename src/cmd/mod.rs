//! One module per subcommand.

pub mod convert;
pub mod diff;
pub mod export_pcap;
pub mod fields;
pub mod files;
pub mod info;
pub mod merge;
pub mod print;
pub mod profile;
pub mod record;
pub mod replay;
pub mod rules;
pub mod selection;
pub mod test;
pub mod trace_output;
pub mod traces;
pub mod view;
pub mod window;

/// `"s"` unless `n` is 1, for counts in messages (`1 alert`, `2 alerts`).
pub fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The file name of a trace path as alerts carry it, for compact report lines
/// (`lab_shell.scap.zst#351`); the whole path when it has no file name.
pub fn trace_name(trace: &str) -> String {
    std::path::Path::new(trace)
        .file_name()
        .map_or_else(|| trace.to_string(), |n| n.to_string_lossy().into_owned())
}

/// Bad input (unreadable file, invalid test file, rules with errors) in a command whose exit
/// code 1 means "a check failed" (`test`, `diff`): `main` exits with 2 for it instead of 1.
#[derive(Debug)]
pub struct InputError(pub anyhow::Error);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for InputError {}

/// Marks the error of `result` as bad input (exit code 2).
pub fn input<T>(result: anyhow::Result<T>) -> anyhow::Result<T> {
    result.map_err(|e| anyhow::Error::new(InputError(e)))
}
