//! JSON lines in Falco's alert schema, plus the trace and event number.
//!
//! # Schema, version 1
//!
//! One JSON object per alert, one per line (JSON Lines). Keys are sorted, as Falco's
//! `nlohmann::json` sorts them, so that a line is byte-stable:
//!
//! | key | type | meaning |
//! |---|---|---|
//! | `evt_num` | integer | hindsight: the event's number in its trace (`evt.num`, 1-based) |
//! | `hostname` | string | host the trace was recorded on (Falco: the host Falco runs on) |
//! | `output` | string | the whole Falco text line, `HH:MM:SS.nnnnnnnnn: Priority message` |
//! | `output_fields` | object | each `%field` of the rule's output with its typed value: numbers unquoted, text quoted, `null` when the field has no value; plus `evt.time` (integer, ns since the epoch) as Falco adds it |
//! | `priority` | string | `Emergency` `Alert` `Critical` `Error` `Warning` `Notice` `Informational` `Debug` |
//! | `rule` | string | rule name |
//! | `source` | string | event source, `syscall` |
//! | `tags` | array of strings | the rule's tags, sorted (Falco keeps them in a `std::set`) |
//! | `time` | string | event time, RFC 3339 UTC with nanoseconds: `2016-08-04T16:17:57.881730713Z` |
//! | `trace` | string | hindsight: path of the trace file, as given on the command line |
//!
//! A consumer written for Falco's JSON output reads these lines unchanged; the two extra keys
//! locate the event (`hindsight print TRACE evt.num=N` shows it).

use std::io::Write;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::{text, time, Alert, FieldValue, Sink, SinkError};

/// Version of the JSON alert schema documented above.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// Writes alerts as JSON lines to any writer.
pub struct JsonSink<W: Write> {
    out: W,
    target: String,
    line: Vec<u8>,
    output: String,
    time: String,
}

impl<W: Write> JsonSink<W> {
    /// A sink writing to `out`, reported as `<stdout>` in errors.
    pub fn new(out: W) -> Self {
        Self::with_target(out, "<stdout>")
    }

    /// A sink writing to `out`, named `target` (a file path) in errors.
    pub fn with_target(out: W, target: impl Into<String>) -> Self {
        JsonSink {
            out,
            target: target.into(),
            line: Vec::with_capacity(1024),
            output: String::with_capacity(256),
            time: String::with_capacity(32),
        }
    }

    fn io(&self, source: std::io::Error) -> SinkError {
        SinkError::Io {
            target: self.target.clone(),
            source,
        }
    }
}

impl Serialize for FieldValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            FieldValue::Null => s.serialize_none(),
            FieldValue::Bool(b) => s.serialize_bool(*b),
            FieldValue::I64(v) => s.serialize_i64(*v),
            FieldValue::U64(v) => s.serialize_u64(*v),
            FieldValue::F64(v) => s.serialize_f64(*v),
            FieldValue::Str(v) => s.serialize_str(v),
            FieldValue::List(items) => s.collect_seq(items),
        }
    }
}

/// `output_fields`: the rule's fields plus `evt.time`, sorted by name. As in Falco, the
/// `evt.time` of the prefix replaces a `%evt.time` of the rule's output; otherwise the first
/// value of a name wins.
struct OutputFields<'a> {
    alert: &'a Alert,
}

impl Serialize for OutputFields<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let evt_time = FieldValue::U64(self.alert.time_ns);
        let mut fields: Vec<(&str, &FieldValue)> =
            Vec::with_capacity(1 + self.alert.output_fields.len());
        fields.push(("evt.time", &evt_time));
        fields.extend(
            self.alert
                .output_fields
                .iter()
                .map(|(k, v)| (k.as_str(), v)),
        );
        // A stable sort keeps the first occurrence of a duplicate name first.
        fields.sort_by(|a, b| a.0.cmp(b.0));
        fields.dedup_by(|later, earlier| later.0 == earlier.0);
        let mut map = s.serialize_map(Some(fields.len()))?;
        for (k, v) in fields {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The JSON object of one alert; field order is key order.
#[derive(Serialize)]
struct JsonAlert<'a> {
    evt_num: u64,
    hostname: &'a str,
    output: &'a str,
    output_fields: OutputFields<'a>,
    priority: &'static str,
    rule: &'a str,
    source: &'a str,
    tags: Vec<&'a str>,
    time: &'a str,
    trace: &'a str,
}

impl<W: Write> Sink for JsonSink<W> {
    fn begin(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    fn alert(&mut self, alert: &Alert) -> Result<(), SinkError> {
        self.output.clear();
        text::push_line(&mut self.output, alert);
        self.time.clear();
        time::push_rfc3339(&mut self.time, alert.time_ns);
        let mut tags: Vec<&str> = alert.tags.iter().map(String::as_str).collect();
        tags.sort_unstable();
        tags.dedup();
        let record = JsonAlert {
            evt_num: alert.evt_num,
            hostname: &alert.hostname,
            output: &self.output,
            output_fields: OutputFields { alert },
            priority: alert.priority.name(),
            rule: &alert.rule,
            source: &alert.source,
            tags,
            time: &self.time,
            trace: &alert.trace,
        };
        self.line.clear();
        serde_json::to_writer(&mut self.line, &record).map_err(|e| SinkError::Internal {
            rule: alert.rule.clone(),
            evt_num: alert.evt_num,
            detail: e.to_string(),
        })?;
        self.line.push(b'\n');
        let res = self.out.write_all(&self.line);
        res.map_err(|e| self.io(e))
    }

    fn end(&mut self) -> Result<(), SinkError> {
        let res = self.out.flush();
        res.map_err(|e| self.io(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::text::tests::sample;
    use crate::output::Priority;

    #[test]
    fn one_sorted_object_per_line() {
        let mut out = Vec::new();
        let mut sink = JsonSink::new(&mut out);
        sink.begin().unwrap();
        let mut alert = sample(Priority::Warning, 7);
        alert.output = "say \"hi\"\n".into();
        sink.alert(&alert).unwrap();
        sink.end().unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            concat!(
                r#"{"evt_num":7,"hostname":"web-1","#,
                r#""output":"16:17:57.881730713: Warning say \"hi\"\n","#,
                r#""output_fields":{"evt.time":1470327477881730713,"fd.name":"/etc/passwd","#,
                r#""proc.pid":4242,"user.name":null},"#,
                r#""priority":"Warning","rule":"Write below etc","source":"syscall","#,
                r#""tags":["T1098","filesystem"],"time":"2016-08-04T16:17:57.881730713Z","#,
                r#""trace":"cap/a.scap"}"#,
                "\n"
            )
        );
    }

    #[test]
    fn duplicate_output_fields_keep_the_first_value_and_prefix_time() {
        let mut alert = sample(Priority::Debug, 1);
        alert.output_fields = vec![
            ("proc.pid".into(), FieldValue::I64(1)),
            ("proc.pid".into(), FieldValue::I64(2)),
            ("evt.time".into(), FieldValue::U64(5)),
        ];
        let v = serde_json::to_value(OutputFields { alert: &alert }).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"proc.pid": 1, "evt.time": 1_470_327_477_881_730_713u64})
        );
    }
}
