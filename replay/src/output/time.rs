//! Timestamp formatting for alerts, in UTC.
//!
//! Falco prints the text prefix with `%evt.time` (`HH:MM:SS.nnnnnnnnn`) and the JSON `time` as
//! RFC 3339 with nanoseconds and a `Z`. libsinsp renders `%evt.time` in the local time zone;
//! hindsight renders it in UTC so that a replay prints the same bytes on every machine (run
//! Falco or sysdig with `TZ=UTC` to compare). Conversions are done with integer arithmetic on
//! the proleptic Gregorian calendar, without the C library.

use std::fmt::Write as _;

const NS_PER_SEC: u64 = 1_000_000_000;
const SECS_PER_DAY: u64 = 86_400;

/// A UTC calendar date and time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
}

/// Splits nanoseconds since the epoch into a UTC date and time.
fn civil(ts_ns: u64) -> Civil {
    let secs = ts_ns / NS_PER_SEC;
    let nanos = (ts_ns % NS_PER_SEC) as u32;
    let days = (secs / SECS_PER_DAY) as i64;
    let rem = secs % SECS_PER_DAY;
    // Days since 0000-03-01 in 400-year eras of 146097 days (years start in March so that the
    // leap day is the last day of the year).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: (rem / 3600) as u32,
        minute: (rem / 60 % 60) as u32,
        second: (rem % 60) as u32,
        nanos,
    }
}

/// Appends Falco's `%evt.time` form, `HH:MM:SS.nnnnnnnnn` (UTC), to `out`.
pub fn push_clock(out: &mut String, ts_ns: u64) {
    let c = civil(ts_ns);
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}.{:09}",
        c.hour, c.minute, c.second, c.nanos
    );
}

/// Appends RFC 3339 with nanoseconds, `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, to `out` (the `time`
/// of Falco's JSON alerts).
pub fn push_rfc3339(out: &mut String, ts_ns: u64) {
    let c = civil(ts_ns);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second, c.nanos
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc(ts: u64) -> String {
        let mut s = String::new();
        push_rfc3339(&mut s, ts);
        s
    }

    #[test]
    fn epoch_and_known_instants() {
        assert_eq!(rfc(0), "1970-01-01T00:00:00.000000000Z");
        // `date -u -d @1700000000`: Tue Nov 14 22:13:20 UTC 2023.
        assert_eq!(
            rfc(1_700_000_000 * NS_PER_SEC + 42),
            "2023-11-14T22:13:20.000000042Z"
        );
        // A leap day and the last nanosecond of a year.
        assert_eq!(
            rfc(951_782_400 * NS_PER_SEC),
            "2000-02-29T00:00:00.000000000Z"
        );
        assert_eq!(
            rfc(978_307_199 * NS_PER_SEC + 999_999_999),
            "2000-12-31T23:59:59.999999999Z"
        );
        // The largest timestamp a u64 holds does not panic.
        assert_eq!(rfc(u64::MAX), "2554-07-21T23:34:33.709551615Z");
    }

    #[test]
    fn clock_form_matches_sysdig_evt_time_in_utc() {
        // cat_write.scap, event 131: `TZ=UTC sysdig -p %evt.time` prints 16:17:57.881730713.
        let mut s = String::new();
        push_clock(&mut s, 1_470_327_477_881_730_713);
        assert_eq!(s, "16:17:57.881730713");
    }

    #[test]
    fn every_day_of_four_centuries_is_consistent() {
        // Walk day by day and check that dates increase by exactly one day each time.
        let mut prev = civil(0);
        for day in 1..146_097u64 {
            let c = civil(day * SECS_PER_DAY * NS_PER_SEC);
            let next_day = (c.year, c.month, c.day) > (prev.year, prev.month, prev.day);
            assert!(next_day, "{prev:?} -> {c:?}");
            assert!(c.day == prev.day + 1 || c.day == 1, "{prev:?} -> {c:?}");
            prev = c;
        }
    }
}
