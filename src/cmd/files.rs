//! Expanding command-line paths into files: a file is taken as given, a directory is walked
//! recursively for the files whose name a predicate accepts. Within one directory the files
//! come in byte order of their paths, so a run over a directory is reproducible. Used for
//! traces (`replay`, `diff`) and test files (`test`).

use std::path::{Path, PathBuf};

use anyhow::Context;

/// Expands `inputs` (files and directories) into files; `what` names them in errors
/// ("trace", "test file") and `keep` selects the files found in directories.
///
/// # Errors
///
/// A path that does not exist or a directory that cannot be listed.
pub fn expand(
    inputs: &[PathBuf],
    what: &str,
    keep: fn(&Path) -> bool,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .with_context(|| format!("cannot read {what} {}", input.display()))?;
        if meta.is_dir() {
            let before = out.len();
            walk(input, keep, &mut out)?;
            out[before..].sort();
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, keep: fn(&Path) -> bool, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list directory {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list directory {}", dir.display()))?;
        let path = entry.path();
        let ty = entry
            .file_type()
            .with_context(|| format!("cannot stat {}", path.display()))?;
        if ty.is_dir() {
            walk(&path, keep, out)?;
        } else if keep(&path) && (ty.is_file() || path.is_file()) {
            out.push(path);
        }
    }
    Ok(())
}
