//! Merging captures of one host into one time-ordered trace (`hindsight merge`).
//!
//! * [`merge_headers`]: the union of the header state of several captures (threads, fd
//!   tables, users, groups, interfaces); for the same thread id, fd, user id, group id or
//!   interface, the entry of the later capture wins, since it describes the machine closer to
//!   the events that follow.
//! * [`Merger`]: a streaming k-way merge of the events of several [`TraceReader`]s by
//!   timestamp (ties go to the earlier input). It holds one event per input in memory, never
//!   a whole file, and renumbers the events in merged order.
//!
//! A capture with several sections (a recorder restarted in the same file) is merged with
//! the header of its first section; the later section boundaries are dropped with a warning
//! (their state changes are still carried by the events).
//!
//! ```no_run
//! use hindsight_format::merge::{merge_headers, Merger};
//! use hindsight_format::TraceReader;
//! # fn open(p: &str) -> Result<TraceReader, hindsight_format::merge::MergeError> {
//! #     TraceReader::open(p).map_err(|source| hindsight_format::merge::MergeError { input: 0, source })
//! # }
//! let inputs = vec![open("a.scap")?, open("b.scap.gz")?];
//! let mut m = Merger::new(inputs)?;
//! let header = merge_headers(&m.headers_in_time_order());
//! println!("{} threads at start", header.threads.len());
//! while let Some(ev) = m.next_event()? {
//!     println!("{} {}", ev.num, ev.ts);
//! }
//! # Ok::<(), hindsight_format::merge::MergeError>(())
//! ```

use std::collections::HashMap;
use std::hash::Hash;

use crate::error::DecodeError;
use crate::event::EventRef;
use crate::header::{FdTable, TraceHeader};
use crate::reader::{Item, TraceReader};
use crate::Warning;

/// An input of a merge could not be read.
#[derive(Debug, thiserror::Error)]
#[error("merge input {input} (counting from 0) could not be read")]
pub struct MergeError {
    /// Which input, as an index into the readers given to [`Merger::new`].
    pub input: usize,
    /// The cause.
    #[source]
    pub source: DecodeError,
}

/// `entries` merged by `key`: first-appearance order, the last entry of a key wins.
fn union_by<T, K: Eq + Hash>(entries: impl Iterator<Item = T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    let mut at: HashMap<K, usize> = HashMap::new();
    for e in entries {
        match at.get(&key(&e)) {
            Some(&i) => out[i] = e,
            None => {
                at.insert(key(&e), out.len());
                out.push(e);
            }
        }
    }
    out
}

/// The union of `headers`, given oldest capture first: an entry of a later header replaces
/// the entry of an earlier one with the same key (thread id; fd within a thread's table;
/// user id; group id; interface name and address). The machine info and the version are the
/// latest header's that has them.
pub fn merge_headers(headers: &[&TraceHeader]) -> TraceHeader {
    let threads = union_by(
        headers.iter().flat_map(|h| h.threads.iter().cloned()),
        |t| t.tid,
    );
    let mut fds: Vec<FdTable> = Vec::new();
    let mut table_of: HashMap<i64, usize> = HashMap::new();
    for t in headers.iter().flat_map(|h| &h.fds) {
        match table_of.get(&t.tid) {
            Some(&i) => {
                let merged = union_by(fds[i].fds.drain(..).chain(t.fds.iter().cloned()), |f| f.fd);
                fds[i].fds = merged;
            }
            None => {
                table_of.insert(t.tid, fds.len());
                fds.push(FdTable {
                    tid: t.tid,
                    fds: union_by(t.fds.iter().cloned(), |f| f.fd),
                });
            }
        }
    }
    TraceHeader {
        version: headers.last().map_or((1, 2), |h| h.version),
        machine: headers.iter().rev().find_map(|h| h.machine.clone()),
        threads,
        fds,
        users: union_by(headers.iter().flat_map(|h| h.users.iter().cloned()), |u| {
            u.uid
        }),
        groups: union_by(headers.iter().flat_map(|h| h.groups.iter().cloned()), |g| {
            g.gid
        }),
        interfaces: union_by(
            headers.iter().flat_map(|h| h.interfaces.iter().cloned()),
            |i| (i.name.clone(), i.addr.clone()),
        ),
    }
}

/// The next event of one input, copied out of its reader.
#[derive(Debug, Default)]
struct Head {
    record: Vec<u8>,
    ts: u64,
    cpu: u16,
    dump_flags: u32,
    v2: bool,
}

/// One input of a [`Merger`].
struct Input {
    reader: TraceReader,
    head: Option<Head>,
    /// Timestamp of its first event (`u64::MAX` when it has none).
    first_ts: u64,
    sections_dropped: usize,
}

impl Input {
    /// Reads the next event into `head` (reusing its buffer); `head` is `None` at the end.
    fn advance(&mut self) -> Result<(), DecodeError> {
        let mut head = self.head.take().unwrap_or_default();
        loop {
            match self.reader.next_item()? {
                None => return Ok(()),
                Some(Item::NewSection) => self.sections_dropped += 1,
                Some(Item::Event(ev)) => {
                    head.record.clear();
                    head.record.extend_from_slice(ev.record_bytes());
                    head.ts = ev.ts;
                    head.cpu = ev.cpu;
                    head.dump_flags = ev.dump_flags;
                    head.v2 = ev.is_v2();
                    self.head = Some(head);
                    return Ok(());
                }
            }
        }
    }
}

/// A streaming k-way merge of the events of several traces by timestamp.
pub struct Merger {
    inputs: Vec<Input>,
    /// The input whose event was lent last, to be advanced before the next pick.
    lent: Option<usize>,
    /// The buffer the lent event borrows from.
    current: Head,
    num: u64,
}

impl std::fmt::Debug for Merger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Merger")
            .field("inputs", &self.inputs.len())
            .field("num", &self.num)
            .finish()
    }
}

impl Merger {
    /// A merge of `readers` (opened traces, in any order), positioned before the first
    /// event of each.
    ///
    /// # Errors
    ///
    /// The first event of an input cannot be read; the error names the input by its index
    /// in `readers`, so callers add its path.
    pub fn new(readers: Vec<TraceReader>) -> Result<Merger, MergeError> {
        let mut inputs = Vec::with_capacity(readers.len());
        for (i, reader) in readers.into_iter().enumerate() {
            let mut input = Input {
                reader,
                head: None,
                first_ts: u64::MAX,
                sections_dropped: 0,
            };
            input
                .advance()
                .map_err(|source| MergeError { input: i, source })?;
            input.first_ts = input.head.as_ref().map_or(u64::MAX, |h| h.ts);
            inputs.push(input);
        }
        Ok(Merger {
            inputs,
            lent: None,
            current: Head::default(),
            num: 0,
        })
    }

    /// The inputs' indices, oldest capture (earliest first event) first; inputs without
    /// events last, ties in input order.
    pub fn time_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.inputs.len()).collect();
        order.sort_by_key(|&i| self.inputs[i].first_ts);
        order
    }

    /// The inputs' headers in [`Merger::time_order`], for [`merge_headers`].
    pub fn headers_in_time_order(&self) -> Vec<&TraceHeader> {
        self.time_order()
            .into_iter()
            .map(|i| self.inputs[i].reader.header())
            .collect()
    }

    /// The next event in timestamp order, numbered from 1 in merged order; `None` when every
    /// input is exhausted.
    ///
    /// # Errors
    ///
    /// An input cannot be read further; the error names it by its index.
    pub fn next_event(&mut self) -> Result<Option<EventRef<'_>>, MergeError> {
        if let Some(i) = self.lent.take() {
            // Hand the buffer back to its input so its next event reuses the allocation.
            self.inputs[i].head = Some(std::mem::take(&mut self.current));
            self.inputs[i]
                .advance()
                .map_err(|source| MergeError { input: i, source })?;
        }
        let Some(i) = (0..self.inputs.len())
            .filter(|&i| self.inputs[i].head.is_some())
            .min_by_key(|&i| (self.inputs[i].head.as_ref().map_or(u64::MAX, |h| h.ts), i))
        else {
            return Ok(None);
        };
        self.current = self.inputs[i].head.take().unwrap_or_default();
        self.lent = Some(i);
        self.num += 1;
        let h = &self.current;
        let parsed = if h.v2 {
            EventRef::parse_v2(&h.record, self.num, h.cpu, h.dump_flags)
        } else {
            EventRef::parse_v1(&h.record, self.num, h.cpu, h.dump_flags)
        };
        // The record parsed when it was read, so it parses again; a failure would be a bug.
        parsed.map(Some).map_err(|e| MergeError {
            input: i,
            source: DecodeError::Unsupported {
                offset: 0,
                reason: format!(
                    "internal error: a copied event record no longer parses ({e}); please report this bug"
                ),
            },
        })
    }

    /// Warnings of input `i`'s reader (damage), plus one for each section boundary dropped.
    pub fn warnings(&self, i: usize) -> Vec<String> {
        let Some(input) = self.inputs.get(i) else {
            return Vec::new();
        };
        let mut w: Vec<String> = input
            .reader
            .warnings()
            .iter()
            .map(Warning::to_string)
            .collect();
        if input.sections_dropped > 0 {
            w.push(format!(
                "{} later section{} merged into the first: their header state is not in the merged header (the events are all kept)",
                input.sections_dropped,
                if input.sections_dropped == 1 { "" } else { "s" }
            ));
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::{FdEntry, FdKind, ThreadEntry, UserEntry};

    fn thread(tid: i64, comm: &str) -> ThreadEntry {
        ThreadEntry {
            tid,
            pid: tid,
            comm: comm.as_bytes().to_vec(),
            ..ThreadEntry::default()
        }
    }

    #[test]
    fn later_header_wins_per_key() {
        let fd = |fd: i64, name: &str| FdEntry {
            fd,
            ino: 0,
            kind: FdKind::Other(7),
            name: name.as_bytes().to_vec(),
        };
        let a = TraceHeader {
            threads: vec![thread(1, "init"), thread(2, "old")],
            users: vec![UserEntry {
                uid: 0,
                name: b"root".to_vec(),
                ..UserEntry::default()
            }],
            fds: vec![FdTable {
                tid: 2,
                fds: vec![fd(0, "/dev/null"), fd(3, "/a")],
            }],
            ..TraceHeader::default()
        };
        let b = TraceHeader {
            threads: vec![thread(2, "new"), thread(3, "sh")],
            fds: vec![FdTable {
                tid: 2,
                fds: vec![fd(3, "/b"), fd(4, "/c")],
            }],
            ..TraceHeader::default()
        };
        let m = merge_headers(&[&a, &b]);
        let comms: Vec<(i64, &[u8])> = m.threads.iter().map(|t| (t.tid, &t.comm[..])).collect();
        assert_eq!(
            comms,
            [(1, &b"init"[..]), (2, &b"new"[..]), (3, &b"sh"[..])]
        );
        assert_eq!(m.fds.len(), 1);
        let names: Vec<&[u8]> = m.fds[0].fds.iter().map(|f| &f.name[..]).collect();
        assert_eq!(names, [&b"/dev/null"[..], b"/b", b"/c"]);
        assert_eq!(m.users.len(), 1);
    }
}
