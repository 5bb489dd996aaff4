//! Time windows (`--since/--until`): which events are evaluated or printed.
//!
//! A [`TimeBound`] is absolute (RFC 3339 such as `2024-01-02T03:04:05Z`, or nanoseconds
//! since the epoch) or relative to the trace start, the timestamp of its first event (`+5s`,
//! `+1m30s`, `+250ms`). A [`TimeWindow`] of two optional bounds resolves, once the trace start
//! is known, to a [`Span`] of nanoseconds, `since <= ts < until` (half-open, so adjacent
//! windows never share an event).
//!
//! Events outside the span are still applied to the state (threads, fds and users are
//! rebuilt from earlier events, so fields are right inside the window); only evaluation and
//! printing skip them. On native traces the engine uses the chunk index instead of reading:
//! a chunk wholly before the span is never decompressed (the first needed chunk starts from
//! its checkpoint) and chunks after it are never read.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// Why a time bound could not be parsed.
#[derive(Debug, Error, PartialEq, Eq)]
#[error(
    "invalid time {text:?}: {why}; give an RFC 3339 time (2024-01-02T03:04:05Z, \
     2024-01-02T03:04:05.5+01:00), nanoseconds since the epoch, or +DURATION from the trace \
     start (+5s, +1m30s, +250ms; units h m s ms us ns)"
)]
pub struct TimeError {
    /// The text given.
    pub text: String,
    /// What is wrong with it.
    pub why: &'static str,
}

/// One end of a time window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeBound {
    /// Nanoseconds since the epoch.
    Absolute(u64),
    /// Nanoseconds after the trace start (its first event).
    Relative(u64),
}

impl TimeBound {
    /// The bound in nanoseconds since the epoch for a trace starting at `start`.
    pub fn resolve(self, start: u64) -> u64 {
        match self {
            TimeBound::Absolute(t) => t,
            TimeBound::Relative(d) => start.saturating_add(d),
        }
    }
}

impl FromStr for TimeBound {
    type Err = TimeError;

    fn from_str(s: &str) -> Result<TimeBound, TimeError> {
        let err = |why| TimeError {
            text: s.to_string(),
            why,
        };
        let t = s.trim();
        if let Some(d) = t.strip_prefix('+') {
            return parse_duration(d).map(TimeBound::Relative).map_err(err);
        }
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            return t
                .parse()
                .map(TimeBound::Absolute)
                .map_err(|_| err("too many nanoseconds"));
        }
        parse_rfc3339(t).map(TimeBound::Absolute).map_err(err)
    }
}

impl fmt::Display for TimeBound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeBound::Absolute(t) => write!(f, "{t}"),
            TimeBound::Relative(d) => write!(f, "+{d}ns"),
        }
    }
}

/// `--since` and `--until`, unresolved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeWindow {
    /// The first time included.
    pub since: Option<TimeBound>,
    /// The first time excluded.
    pub until: Option<TimeBound>,
}

impl TimeWindow {
    /// Whether the window admits every event (no bound given).
    pub fn is_all(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// The span of a trace whose first event is at `start`.
    pub fn resolve(&self, start: u64) -> Span {
        Span {
            since: self.since.map_or(0, |b| b.resolve(start)),
            until: self.until.map_or(u64::MAX, |b| b.resolve(start)),
        }
    }
}

/// A resolved window: `since <= ts < until`, nanoseconds since the epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// The first time included.
    pub since: u64,
    /// The first time excluded.
    pub until: u64,
}

impl Span {
    /// Every time.
    pub const ALL: Span = Span {
        since: 0,
        until: u64::MAX,
    };

    /// Whether `ts` is in the span.
    pub fn contains(&self, ts: u64) -> bool {
        self.since <= ts && ts < self.until
    }

    /// Whether events with timestamps from `first` to `last` (either order) may fall in
    /// the span.
    pub fn overlaps(&self, first: u64, last: u64) -> bool {
        first.max(last) >= self.since && first.min(last) < self.until
    }
}

impl Default for Span {
    fn default() -> Span {
        Span::ALL
    }
}

/// `1m30s`, `250ms`, `2h`, `1.5s`: a sum of decimal numbers with units, in nanoseconds.
fn parse_duration(s: &str) -> Result<u64, &'static str> {
    if s.is_empty() {
        return Err("no duration after +");
    }
    let mut total: u64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or("a number without unit")?;
        if n == 0 {
            return Err("expected a number");
        }
        let (num, tail) = rest.split_at(n);
        let u = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(u);
        let scale: u64 = match unit {
            "h" => 3_600_000_000_000,
            "m" | "min" => 60_000_000_000,
            "s" => 1_000_000_000,
            "ms" => 1_000_000,
            "us" | "µs" => 1_000,
            "ns" => 1,
            _ => return Err("unknown unit"),
        };
        total = total
            .checked_add(scaled(num, scale).ok_or("bad number")?)
            .ok_or("duration too long")?;
        rest = next;
    }
    Ok(total)
}

/// `num` (decimal, possibly with a fraction) times `scale`, `None` when malformed or too big.
fn scaled(num: &str, scale: u64) -> Option<u64> {
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() && frac.is_empty() || frac.contains('.') {
        return None;
    }
    let whole: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut value = whole.checked_mul(scale)?;
    let mut unit = scale;
    for d in frac.bytes() {
        unit /= 10;
        value = value.checked_add(u64::from(d - b'0') * unit)?;
    }
    Some(value)
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (a space or `t` instead of `T`, `z` instead
/// of `Z` accepted) in nanoseconds since the epoch.
fn parse_rfc3339(s: &str) -> Result<u64, &'static str> {
    const SHAPE: &str = "not an RFC 3339 time";
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return Err(SHAPE);
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return Err(SHAPE);
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, &'static str> {
        let part = s.get(r).ok_or(SHAPE)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return Err(SHAPE);
        }
        part.parse().map_err(|_| SHAPE)
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return Err("a field is out of range");
    }
    let mut i = 19;
    let mut frac_ns: u64 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = s.get(start..i).ok_or(SHAPE)?;
        if digits.is_empty() {
            return Err("no digits after the decimal point");
        }
        frac_ns = scaled(&format!("0.{digits}"), 1_000_000_000).ok_or(SHAPE)?;
    }
    let offset_s: i64 = match s.get(i..).ok_or(SHAPE)? {
        "Z" | "z" => 0,
        tz if tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) => {
            if tz.as_bytes()[3] != b':' {
                return Err("bad UTC offset");
            }
            let h = num(i + 1..i + 3)?;
            let m = num(i + 4..i + 6)?;
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
        _ => return Err("missing or bad UTC offset (Z or +HH:MM)"),
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86400 + hour * 3600 + min * 60 + sec - offset_s;
    let secs = u64::try_from(secs).map_err(|_| "before 1970")?;
    secs.checked_mul(1_000_000_000)
        .and_then(|n| n.checked_add(frac_ns))
        .ok_or("too far in the future")
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<TimeBound, TimeError> {
        s.parse()
    }

    #[test]
    fn absolute_times() {
        assert_eq!(p("1970-01-01T00:00:00Z"), Ok(TimeBound::Absolute(0)));
        assert_eq!(
            p("2024-01-02T03:04:05Z"),
            Ok(TimeBound::Absolute(1_704_164_645_000_000_000))
        );
        assert_eq!(
            p("2024-01-02T04:04:05.25+01:00"),
            Ok(TimeBound::Absolute(1_704_164_645_250_000_000))
        );
        assert_eq!(p("123"), Ok(TimeBound::Absolute(123)));
        for bad in [
            "2024-13-02T03:04:05Z",
            "2024-01-02T03:04:05",
            "2024-01-02",
            "yesterday",
            "",
            "1969-12-31T23:59:59Z",
            "2024-01-02T03:04:05.Z",
        ] {
            let e = p(bad).unwrap_err();
            assert!(e.to_string().contains("RFC 3339"), "{bad}: {e}");
        }
    }

    #[test]
    fn relative_times() {
        assert_eq!(p("+5s"), Ok(TimeBound::Relative(5_000_000_000)));
        assert_eq!(p("+1m30s"), Ok(TimeBound::Relative(90_000_000_000)));
        assert_eq!(p("+250ms"), Ok(TimeBound::Relative(250_000_000)));
        assert_eq!(p("+1.5s"), Ok(TimeBound::Relative(1_500_000_000)));
        assert_eq!(p("+2h10ns"), Ok(TimeBound::Relative(7_200_000_000_010)));
        for bad in ["+", "+5", "+5x", "+s", "+1.2.3s", "+99999999999h"] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn spans_are_half_open() {
        let w = TimeWindow {
            since: Some(TimeBound::Relative(10)),
            until: Some(TimeBound::Absolute(120)),
        };
        let s = w.resolve(100);
        assert!(!s.contains(109) && s.contains(110) && s.contains(119) && !s.contains(120));
        assert!(s.overlaps(0, 110) && !s.overlaps(0, 109) && !s.overlaps(120, 130));
        assert!(TimeWindow::default().resolve(5) == Span::ALL);
    }
}
