//! Located diagnostics: every error and warning of rule loading, as `file:line:col`.
//!
//! Loading never stops at the first problem: each one becomes a [`Diagnostic`] carrying the
//! file, line and column in the YAML where the problem is, the item it belongs to, a stable
//! code (Falco's `LOAD_ERR_*` / `LOAD_*` vocabulary) and a human message. [`TextMap`] maps
//! byte offsets of a condition string (possibly assembled from several YAML scalars by
//! `append`) back to file positions.

use std::fmt;
use std::sync::Arc;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The item (and whatever depends on it) is not loaded.
    Error,
    /// Loaded, but probably not what the author meant (Falco prints these too).
    Warning,
}

/// A position in a rules file (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The file name as given to the loader.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

/// One problem found while loading rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Falco's code for this kind of problem (`LOAD_ERR_COMPILE_CONDITION`, `LOAD_UNUSED_LIST`...).
    pub code: &'static str,
    /// Where the problem is.
    pub location: Location,
    /// The item it belongs to (`rule 'Terminal shell in container'` is `Terminal shell in
    /// container`), when known.
    pub item: Option<String>,
    /// What is wrong and, where it helps, what to do.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let l = &self.location;
        write!(f, "{}:{}:{}: ", l.file, l.line, l.col)?;
        if let Some(item) = &self.item {
            write!(f, "item '{item}': ")?;
        }
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: {}", self.message)
    }
}

/// One piece of a [`TextMap`]: text offsets from `off` on start at `line:col` of `file`.
#[derive(Clone, Debug)]
struct Seg {
    off: usize,
    file: Arc<str>,
    line: u32,
    col: u32,
}

/// Maps byte offsets of a condition or output string to positions in the rules files.
#[derive(Clone, Debug, Default)]
pub struct TextMap {
    segs: Vec<Seg>,
}

impl TextMap {
    /// A map whose offset 0 is at `loc`.
    pub fn at(loc: &Location) -> TextMap {
        let mut m = TextMap::default();
        m.push(0, loc);
        m
    }

    /// Offsets from `off` on start at `loc`.
    pub fn push(&mut self, off: usize, loc: &Location) {
        self.segs.push(Seg {
            off,
            file: loc.file.clone(),
            line: loc.line,
            col: loc.col,
        });
    }

    /// Appends `other` (which maps a string appended at offset `base`).
    pub fn extend(&mut self, base: usize, other: &TextMap) {
        for s in &other.segs {
            self.segs.push(Seg {
                off: s.off + base,
                ..s.clone()
            });
        }
    }

    /// The file position of byte `off`.
    pub fn locate(&self, off: usize) -> Option<Location> {
        let seg = self.segs.iter().rev().find(|s| s.off <= off)?;
        let col = seg
            .col
            .saturating_add(u32::try_from(off - seg.off).unwrap_or(u32::MAX));
        Some(Location {
            file: seg.file.clone(),
            line: seg.line,
            col,
        })
    }
}
