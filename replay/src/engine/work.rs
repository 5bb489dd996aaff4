//! Work units: how a replay splits into pieces that separate processes can run.
//!
//! A native trace with several chunks is one unit per chunk (each chunk starts from its
//! checkpoint, so it replays alone); any other trace is one unit. [`units`] lists them in a
//! fixed order and [`Shard`] picks every N-th, so N processes running shards 1..=N together
//! replay each unit exactly once, and their alerts are exactly those of one run.

use std::path::{Path, PathBuf};

use hindsight_format::native::NativeReader;
use hindsight_format::Compression;
use thiserror::Error;

use super::EngineError;

/// One piece of a replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkUnit {
    /// The trace.
    pub trace: PathBuf,
    /// The chunk of a native trace; `None` for a whole trace.
    pub chunk: Option<usize>,
    /// Bytes of the trace the unit reads: the chunk's compressed size, or the file's size.
    pub bytes: u64,
    /// Events in the unit, when the trace's index says.
    pub events: Option<u64>,
}

/// The units of one trace, in chunk order.
///
/// # Errors
///
/// The trace is native and its chunk index cannot be read.
pub fn units(path: &Path) -> Result<Vec<WorkUnit>, EngineError> {
    let decode = |source| EngineError::Decode {
        path: path.display().to_string(),
        source,
    };
    // An unreadable file is reported when it is replayed; here it is one unit of size 0.
    let size = hindsight_format::location::size(path).unwrap_or(0);
    let whole = vec![WorkUnit {
        trace: path.to_path_buf(),
        chunk: None,
        bytes: size,
        events: None,
    }];
    if super::replay::sniff(path) != Some(Compression::Native) {
        return Ok(whole);
    }
    let reader = NativeReader::open_listing(path).map_err(decode)?;
    if reader.chunks().len() < 2 {
        return Ok(whole);
    }
    Ok(reader
        .chunks()
        .iter()
        .enumerate()
        .map(|(i, c)| WorkUnit {
            trace: path.to_path_buf(),
            chunk: Some(i),
            bytes: c.data_len,
            events: Some(c.stats.count),
        })
        .collect())
}

/// How many units [`units`] lists for the trace, reading only the index of a native trace
/// (not its chunk metadata): what a shard needs to find its units.
///
/// # Errors
///
/// The trace is native and its index cannot be read.
pub fn count(path: &Path) -> Result<usize, EngineError> {
    if super::replay::sniff(path) != Some(Compression::Native) {
        return Ok(1);
    }
    let reader =
        NativeReader::open_chunks(path, Some(&[])).map_err(|source| EngineError::Decode {
            path: path.display().to_string(),
            source,
        })?;
    Ok(reader.chunks().len().max(1))
}

/// Shard K of N (1-based): the units whose position in the overall list is K-1 modulo N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 1..=`count`.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

/// A `--shard` value that is not `K/N` with 1 <= K <= N.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("invalid shard `{0}`: expected K/N with 1 <= K <= N, e.g. 2/4")]
pub struct ShardError(pub String);

impl std::str::FromStr for Shard {
    type Err = ShardError;

    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let bad = || ShardError(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether the unit at `position` of the overall list belongs to this shard.
    pub fn owns(self, position: usize) -> bool {
        position % self.count == self.index - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_partition() {
        let s: Shard = "2/3".parse().unwrap();
        assert_eq!(s, Shard { index: 2, count: 3 });
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let owners: Vec<usize> = (0..10)
            .map(|p| {
                (1..=3)
                    .filter(|&k| Shard { index: k, count: 3 }.owns(p))
                    .count()
            })
            .collect();
        assert!(owners.iter().all(|&n| n == 1));
    }
}
