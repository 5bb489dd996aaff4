//! Which trace files a `hindsight replay`, `test` or `diff` run reads.
//!
//! Files named on the command line are taken as they are, whatever their name. Directories are
//! walked recursively ([`super::files::expand`]) for `*.scap`, `*.scap.gz` and `*.scap.zst`.
//! A URL (`s3://bucket/key`, see `hindsight_store`) naming a trace is taken as it is; any other
//! URL is a prefix whose trace objects are listed, sorted.

use std::path::{Path, PathBuf};

use anyhow::bail;

use super::files;

/// File name endings recognised as traces when walking a directory.
pub const TRACE_SUFFIXES: &[&str] = &[".scap", ".scap.gz", ".scap.zst"];

fn is_trace_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| TRACE_SUFFIXES.iter().any(|s| n.ends_with(s)))
}

/// Expands `inputs` (files and directories) into the list of trace files to replay.
///
/// # Errors
///
/// A path that does not exist or cannot be listed, and a run that finds no trace at all.
pub fn discover(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        match hindsight_format::location::url_of(input) {
            Some(_) if is_trace_name(input) => out.push(input.clone()),
            Some(url) => {
                let object = hindsight_store::ObjectUrl::parse(url)?;
                let found = object.list(|name| is_trace_name(Path::new(name)))?;
                out.extend(found.into_iter().map(PathBuf::from));
            }
            None => out.extend(files::expand(
                std::slice::from_ref(input),
                "trace",
                is_trace_name,
            )?),
        }
    }
    if out.is_empty() {
        let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        bail!(
            "no trace found in {} (directories are searched for {})",
            names.join(", "),
            TRACE_SUFFIXES.join(", ")
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_walked_and_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        for name in [
            "b.scap",
            "a.scap.zst",
            "sub/c.scap.gz",
            "notes.txt",
            "x.scap.bak",
        ] {
            std::fs::write(root.join(name), b"").unwrap();
        }
        let found = discover(&[root.to_path_buf()]).unwrap();
        let rel: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(rel, ["a.scap.zst", "b.scap", "sub/c.scap.gz"]);
    }

    #[test]
    fn files_are_taken_as_given_and_missing_paths_fail() {
        let dir = tempfile::tempdir().unwrap();
        let odd = dir.path().join("capture.bin");
        std::fs::write(&odd, b"").unwrap();
        assert_eq!(discover(std::slice::from_ref(&odd)).unwrap(), [odd]);
        let err = discover(&[dir.path().join("nope.scap")]).unwrap_err();
        assert!(format!("{err:#}").contains("nope.scap"), "{err:#}");
        let empty = tempfile::tempdir().unwrap();
        let err = discover(&[empty.path().to_path_buf()]).unwrap_err();
        assert!(err.to_string().starts_with("no trace found in"), "{err}");
    }
}
