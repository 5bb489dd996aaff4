//! Hive-partitioned Parquet output: `DIR/date=YYYY-MM-DD/host=H/rule=R/part-<shard>.parquet`.
//!
//! [`PartitionedSink`] routes each alert to the Parquet file of its partition, one
//! [`ParquetSink`] per partition directory, created on the first alert that needs it. Each
//! file has the schema of [`super::parquet`] (its key-value metadata carries
//! `hindsight.schema_version`), so the partition values are also columns of the rows
//! (`rule`, `hostname`, `time`), and a reader that drops the directory names loses nothing.
//! The file name carries the shard (`part-2-of-4.parquet`, `part-1-of-1.parquet` for an
//! unsharded run), so shards of one replay write side by side into one dataset.
//!
//! Partition values are percent-encoded as Hive and Arrow's `segment_encoding="uri"`
//! expect: bytes other than ASCII letters, digits, `-`, `_` and `.` become `%XX`; an empty
//! value (unknown host) is `__HIVE_DEFAULT_PARTITION__`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::parquet::ParquetSink;
use super::{Alert, Sink, SinkError};

/// A key a dataset can be partitioned by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionKey {
    /// The alert's UTC date, `date=YYYY-MM-DD`.
    Date,
    /// The host the trace was recorded on, `host=H`.
    Host,
    /// The rule's name, `rule=R`.
    Rule,
}

/// A `--partition-by` list that names an unknown key or a key twice.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid partition keys `{0}`: expected a comma-separated list of date, host, rule, each at most once")]
pub struct PartitionKeyError(pub String);

impl PartitionKey {
    /// The directory name's key.
    pub fn name(self) -> &'static str {
        match self {
            PartitionKey::Date => "date",
            PartitionKey::Host => "host",
            PartitionKey::Rule => "rule",
        }
    }

    /// Parses `date,host,rule` (any order, any non-empty subset).
    ///
    /// # Errors
    ///
    /// An unknown or repeated key, or an empty list.
    pub fn parse_list(s: &str) -> Result<Vec<PartitionKey>, PartitionKeyError> {
        let mut keys = Vec::new();
        for word in s.split(',') {
            let key = match word.trim() {
                "date" => PartitionKey::Date,
                "host" => PartitionKey::Host,
                "rule" => PartitionKey::Rule,
                _ => return Err(PartitionKeyError(s.to_string())),
            };
            if keys.contains(&key) {
                return Err(PartitionKeyError(s.to_string()));
            }
            keys.push(key);
        }
        Ok(keys)
    }

    fn value(self, alert: &Alert) -> String {
        match self {
            PartitionKey::Date => {
                let mut s = String::new();
                super::time::push_rfc3339(&mut s, alert.time_ns);
                s.truncate(10);
                s
            }
            PartitionKey::Host => alert.hostname.clone(),
            PartitionKey::Rule => alert.rule.clone(),
        }
    }
}

/// Percent-encodes a partition value (see the module documentation).
pub fn encode_value(v: &str) -> String {
    if v.is_empty() {
        return "__HIVE_DEFAULT_PARTITION__".into();
    }
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out == "." || out == ".." {
        // Not a usable directory name.
        return out.replace('.', "%2E");
    }
    out
}

/// Writes alerts into a Hive-partitioned directory of Parquet files.
pub struct PartitionedSink {
    root: PathBuf,
    keys: Vec<PartitionKey>,
    file_name: String,
    open: BTreeMap<PathBuf, ParquetSink>,
}

impl PartitionedSink {
    /// A sink writing under `root` (created when missing), partitioned by `keys` in that
    /// order; `shard` is (K, N) of the run, (1, 1) when it is not sharded.
    pub fn new(root: &Path, keys: Vec<PartitionKey>, shard: (usize, usize)) -> PartitionedSink {
        PartitionedSink {
            root: root.to_path_buf(),
            keys,
            file_name: format!("part-{}-of-{}.parquet", shard.0, shard.1),
            open: BTreeMap::new(),
        }
    }

    /// The partition directory of `alert`.
    pub fn directory(&self, alert: &Alert) -> PathBuf {
        let mut dir = self.root.clone();
        for k in &self.keys {
            dir.push(format!("{}={}", k.name(), encode_value(&k.value(alert))));
        }
        dir
    }
}

impl Sink for PartitionedSink {
    fn begin(&mut self) -> Result<(), SinkError> {
        std::fs::create_dir_all(&self.root).map_err(|source| SinkError::Create {
            path: self.root.clone(),
            source,
        })
    }

    fn alert(&mut self, alert: &Alert) -> Result<(), SinkError> {
        let dir = self.directory(alert);
        if !self.open.contains_key(&dir) {
            std::fs::create_dir_all(&dir).map_err(|source| SinkError::Create {
                path: dir.clone(),
                source,
            })?;
            let mut sink = ParquetSink::create(&dir.join(&self.file_name))?;
            sink.begin()?;
            self.open.insert(dir.clone(), sink);
        }
        match self.open.get_mut(&dir) {
            Some(sink) => sink.alert(alert),
            None => Ok(()),
        }
    }

    fn end(&mut self) -> Result<(), SinkError> {
        for sink in self.open.values_mut() {
            sink.end()?;
        }
        self.open.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_values_encode() {
        assert_eq!(
            PartitionKey::parse_list("date,host,rule").unwrap(),
            [PartitionKey::Date, PartitionKey::Host, PartitionKey::Rule]
        );
        assert_eq!(
            PartitionKey::parse_list("rule").unwrap(),
            [PartitionKey::Rule]
        );
        for bad in ["", "date,date", "day", "date,,rule"] {
            assert!(PartitionKey::parse_list(bad).is_err(), "{bad}");
        }
        assert_eq!(
            encode_value("Read sensitive file/untrusted"),
            "Read%20sensitive%20file%2Funtrusted"
        );
        assert_eq!(encode_value(""), "__HIVE_DEFAULT_PARTITION__");
        assert_eq!(encode_value(".."), "%2E%2E");
        assert_eq!(encode_value("a=b"), "a%3Db");
    }
}
