//! Lost events, per CPU and per cause, kept in the trace itself.
//!
//! The probe counts drops per CPU (ring buffer full, record too big, exit without its enter).
//! A trace that silently misses events misleads an investigation, so the recorder writes the
//! counters into the trace as a scap `notification` event (id [`DROPS_ID`], tid −1, the
//! counters as JSON in `desc`) whenever they change (checked at each flush) and at the end of
//! each file. Every reader keeps scap events, sysdig prints them, and `hindsight info` reports
//! the last one. The counters are cumulative since recording started.

use hindsight_probe::Stats;
use serde_json::{json, Value};

/// scap event id of NOTIFICATION_E.
pub const NOTIFICATION_E: u16 = 280;

/// The `id` parameter of the notification carrying drop counters.
pub const DROPS_ID: &str = "hindsight.drops";

/// The counters as JSON: totals by cause, and each CPU that lost anything.
pub fn to_json(per_cpu: &[Stats]) -> Value {
    let t = Stats::sum(per_cpu);
    let cpus: Vec<Value> = per_cpu
        .iter()
        .enumerate()
        .filter(|(_, s)| s.drops() > 0)
        .map(|(cpu, s)| {
            json!({"cpu": cpu, "buffer": s.drops_buffer, "too_big": s.drops_too_big,
                "stash": s.drops_stash})
        })
        .collect();
    json!({
        "total": t.drops(), "buffer": t.drops_buffer, "too_big": t.drops_too_big,
        "stash": t.drops_stash, "events": t.events, "cpus": cpus,
    })
}

/// The notification record carrying `per_cpu`'s counters, at time `ts`.
pub fn event(per_cpu: &[Stats], ts: u64) -> Vec<u8> {
    hindsight_format::EventBuilder::new(NOTIFICATION_E, ts, -1)
        .str(DROPS_ID.as_bytes())
        .str(to_json(per_cpu).to_string().as_bytes())
        .build()
}

/// The detail of the drops for the recorder's summary, after their total: empty when none,
/// else ` (buffer a, too big b, exit without enter c; cpu1 N, cpu3 M)`.
pub fn describe(per_cpu: &[Stats]) -> String {
    let t = Stats::sum(per_cpu);
    if t.drops() == 0 {
        return String::new();
    }
    let cpus: Vec<String> = per_cpu
        .iter()
        .enumerate()
        .filter(|(_, s)| s.drops() > 0)
        .map(|(cpu, s)| format!("cpu{cpu} {}", s.drops()))
        .collect();
    format!(
        " (buffer {}, too big {}, exit without enter {}; {})",
        t.drops_buffer,
        t.drops_too_big,
        t.drops_stash,
        cpus.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_round_trip_through_the_event() {
        let per_cpu = [
            Stats::default(),
            Stats {
                events: 10,
                drops_buffer: 3,
                drops_too_big: 1,
                drops_stash: 0,
            },
        ];
        let r = event(&per_cpu, 7);
        let ev = hindsight_format::EventRef::parse_v2(&r, 0, 0, 0).unwrap();
        assert_eq!(ev.param(0), Some(&b"hindsight.drops\0"[..]));
        let desc = ev.param(1).unwrap();
        let v: Value = serde_json::from_slice(&desc[..desc.len() - 1]).unwrap();
        assert_eq!(v["total"], 4);
        assert_eq!(v["cpus"][0]["cpu"], 1);
        assert_eq!(v["cpus"][0]["buffer"], 3);
        assert_eq!(
            describe(&per_cpu),
            " (buffer 3, too big 1, exit without enter 0; cpu1 4)"
        );
        assert_eq!(describe(&[Stats::default()]), "");
    }
}
