//! Alerts as OCSF Detection Findings (class 2004), one JSON object per line.
//!
//! # Mapping, version 1 (OCSF 1.1.0)
//!
//! | OCSF attribute | from the alert |
//! |---|---|
//! | `class_uid` 2004, `class_name` `Detection Finding`, `category_uid` 2, `category_name` `Findings` | constant |
//! | `activity_id` 1, `activity_name` `Create`, `type_uid` 200401, `type_name` `Detection Finding: Create` | constant: each alert is a new finding |
//! | `status_id` 1, `status` `New` | constant |
//! | `time` (ms since the epoch), `time_dt` (RFC 3339, ns) | event time |
//! | `severity_id`, `severity` | priority: Emergency 6 `Fatal`, Alert and Critical 5 `Critical`, Error 4 `High`, Warning 3 `Medium`, Notice 2 `Low`, Informational and Debug 1 `Informational` |
//! | `message` | the rendered output, without the time/priority prefix |
//! | `finding_info.uid` | `TRACE#EVT_NUM#RULE`, unique per alert of a replay |
//! | `finding_info.title`, `finding_info.analytic` (`name`, `type_id` 1 `Rule`) | rule name |
//! | `finding_info.types` | the rule's tags, sorted |
//! | `device.hostname` | host the trace was recorded on (absent when unknown) |
//! | `evidences[0].process` | `proc.name` → `name`, `proc.pid` → `pid`, `proc.cmdline` → `cmd_line`, `proc.exepath` → `file.path`, `thread.tid` → `tid`, `proc.pname`/`proc.ppid` → `parent_process` |
//! | `evidences[0].actor.user` | `user.name` → `name`, `user.uid` → `uid` (as text, OCSF's type) |
//! | `evidences[0].container` | `container.id` → `uid`, `container.name` → `name`, `container.image` → `image.name` |
//! | `evidences[0].file` | `fd.name` → `path`, when the event has a file descriptor name |
//! | `metadata` | `version` 1.1.0, `product` `{name: hindsight, vendor_name: hindsight, version}`, `log_name` `syscall` (the rule's source), `original_time` the time as text |
//! | `unmapped` | `trace`, `evt_num`, `priority`, `output_fields` (the rule's fields, as in the JSON alert schema) |
//!
//! Attributes without a value (null, empty, `<NA>`, the unknown uid 4294967295) are left out.

use std::io::Write;

use serde_json::{json, Map, Value};

use super::{context::context_index, time, Alert, FieldValue, Priority, Sink, SinkError};

/// Version of this mapping.
pub const OCSF_MAPPING_VERSION: u32 = 1;
/// The OCSF schema version the objects follow.
pub const OCSF_VERSION: &str = "1.1.0";

/// OCSF `severity_id` and `severity` of a Falco priority.
pub fn severity(p: Priority) -> (u8, &'static str) {
    match p {
        Priority::Emergency => (6, "Fatal"),
        Priority::Alert | Priority::Critical => (5, "Critical"),
        Priority::Error => (4, "High"),
        Priority::Warning => (3, "Medium"),
        Priority::Notice => (2, "Low"),
        Priority::Informational | Priority::Debug => (1, "Informational"),
    }
}

/// Context field `name` of `a`, `None` when it has no value (null, empty, `<NA>`, or the
/// unknown uid 4294967295).
fn ctx<'a>(a: &'a Alert, name: &str) -> Option<&'a FieldValue> {
    a.context.get(context_index(name)?).filter(|v| match v {
        FieldValue::Null => false,
        FieldValue::Str(s) => !s.is_empty() && s != "<NA>",
        FieldValue::U64(n) => *n != u64::from(u32::MAX),
        FieldValue::I64(_) | FieldValue::F64(_) | FieldValue::Bool(_) => true,
        FieldValue::List(items) => !items.is_empty(),
    })
}

fn to_json(v: &FieldValue) -> Value {
    match v {
        FieldValue::Null => Value::Null,
        FieldValue::Bool(b) => json!(b),
        FieldValue::I64(n) => json!(n),
        FieldValue::U64(n) => json!(n),
        FieldValue::F64(n) => json!(n),
        FieldValue::Str(s) => json!(s),
        FieldValue::List(items) => json!(items),
    }
}

/// Inserts `key` when `value` is present.
fn put(obj: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        obj.insert(key.to_string(), v);
    }
}

fn text(v: &FieldValue) -> Value {
    json!(v.display().to_string())
}

/// The OCSF Detection Finding of `alert` (see the module documentation).
pub fn detection_finding(alert: &Alert) -> Value {
    let (severity_id, severity) = severity(alert.priority);
    let mut time_dt = String::new();
    time::push_rfc3339(&mut time_dt, alert.time_ns);
    let mut tags: Vec<&str> = alert.tags.iter().map(String::as_str).collect();
    tags.sort_unstable();
    tags.dedup();

    let mut process = Map::new();
    put(&mut process, "name", ctx(alert, "proc.name").map(to_json));
    put(&mut process, "pid", ctx(alert, "proc.pid").map(to_json));
    put(&mut process, "tid", ctx(alert, "thread.tid").map(to_json));
    put(
        &mut process,
        "cmd_line",
        ctx(alert, "proc.cmdline").map(to_json),
    );
    put(
        &mut process,
        "file",
        ctx(alert, "proc.exepath").map(|p| json!({ "path": to_json(p) })),
    );
    let mut parent = Map::new();
    put(&mut parent, "name", ctx(alert, "proc.pname").map(to_json));
    put(&mut parent, "pid", ctx(alert, "proc.ppid").map(to_json));
    if !parent.is_empty() {
        process.insert("parent_process".into(), Value::Object(parent));
    }
    let mut user = Map::new();
    put(&mut user, "name", ctx(alert, "user.name").map(to_json));
    put(&mut user, "uid", ctx(alert, "user.uid").map(text));
    let mut container = Map::new();
    put(
        &mut container,
        "uid",
        ctx(alert, "container.id").map(to_json),
    );
    put(
        &mut container,
        "name",
        ctx(alert, "container.name").map(to_json),
    );
    put(
        &mut container,
        "image",
        ctx(alert, "container.image").map(|i| json!({ "name": to_json(i) })),
    );
    let mut evidence = Map::new();
    if !process.is_empty() {
        evidence.insert("process".into(), Value::Object(process));
    }
    if !user.is_empty() {
        evidence.insert("actor".into(), json!({ "user": user }));
    }
    if !container.is_empty() {
        evidence.insert("container".into(), Value::Object(container));
    }
    put(
        &mut evidence,
        "file",
        ctx(alert, "fd.name").map(|p| json!({ "path": to_json(p) })),
    );

    let output_fields: Map<String, Value> = alert
        .output_fields
        .iter()
        .map(|(k, v)| (k.clone(), to_json(v)))
        .collect();
    let mut finding = json!({
        "class_uid": 2004,
        "class_name": "Detection Finding",
        "category_uid": 2,
        "category_name": "Findings",
        "activity_id": 1,
        "activity_name": "Create",
        "type_uid": 200401,
        "type_name": "Detection Finding: Create",
        "status_id": 1,
        "status": "New",
        "time": alert.time_ns / 1_000_000,
        "time_dt": time_dt,
        "severity_id": severity_id,
        "severity": severity,
        "message": alert.output,
        "finding_info": {
            "uid": format!("{}#{}#{}", alert.trace, alert.evt_num, alert.rule),
            "title": alert.rule,
            "types": tags,
            "analytic": { "name": alert.rule, "type_id": 1, "type": "Rule" },
        },
        "evidences": [evidence],
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "hindsight",
                "vendor_name": "hindsight",
                "version": env!("CARGO_PKG_VERSION"),
            },
            "log_name": alert.source,
            "original_time": time_dt,
        },
        "unmapped": {
            "trace": alert.trace,
            "evt_num": alert.evt_num,
            "priority": alert.priority.name(),
            "output_fields": output_fields,
        },
    });
    if !alert.hostname.is_empty() {
        finding["device"] = json!({ "hostname": alert.hostname, "type_id": 0, "type": "Unknown" });
    }
    finding
}

/// Writes alerts as OCSF Detection Findings, one JSON object per line.
pub struct OcsfSink<W: Write> {
    out: W,
    target: String,
}

impl<W: Write> OcsfSink<W> {
    /// A sink writing to `out`, named `target` (a file path or `<stdout>`) in errors.
    pub fn with_target(out: W, target: impl Into<String>) -> Self {
        OcsfSink {
            out,
            target: target.into(),
        }
    }

    fn io(&self, source: std::io::Error) -> SinkError {
        SinkError::Io {
            target: self.target.clone(),
            source,
        }
    }
}

impl<W: Write> Sink for OcsfSink<W> {
    fn begin(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    fn alert(&mut self, alert: &Alert) -> Result<(), SinkError> {
        let line = detection_finding(alert).to_string();
        writeln!(self.out, "{line}").map_err(|e| self.io(e))
    }

    fn end(&mut self) -> Result<(), SinkError> {
        self.out.flush().map_err(|e| self.io(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::CONTEXT_FIELDS;

    #[test]
    fn an_alert_maps_to_a_detection_finding() {
        let alert = Alert {
            time_ns: 1_470_327_477_881_730_713,
            rule: "Write below etc".into(),
            priority: Priority::Warning,
            tags: vec!["filesystem".into(), "T1565".into()],
            output: "File below /etc opened for writing".into(),
            source: "syscall".into(),
            hostname: "web-1".into(),
            trace: "incident.scap".into(),
            evt_num: 131,
            output_fields: vec![("fd.name".into(), FieldValue::Str("/etc/passwd".into()))],
            context: CONTEXT_FIELDS
                .iter()
                .map(|f| match f.name {
                    "proc.name" => FieldValue::Str("vi".into()),
                    "proc.pid" => FieldValue::I64(42),
                    "user.uid" => FieldValue::U64(0),
                    "container.id" => FieldValue::Str("host".into()),
                    _ => FieldValue::Null,
                })
                .collect(),
        };
        let f = detection_finding(&alert);
        assert_eq!(f["class_uid"], 2004);
        assert_eq!(f["type_uid"], 200401);
        assert_eq!(f["time"], 1_470_327_477_881u64);
        assert_eq!(
            (f["severity_id"].clone(), f["severity"].clone()),
            (json!(3), json!("Medium"))
        );
        assert_eq!(f["finding_info"]["title"], "Write below etc");
        assert_eq!(f["finding_info"]["types"], json!(["T1565", "filesystem"]));
        assert_eq!(
            f["evidences"][0]["process"],
            json!({"name": "vi", "pid": 42})
        );
        assert_eq!(f["evidences"][0]["actor"]["user"]["uid"], "0");
        assert_eq!(f["evidences"][0]["container"]["uid"], "host");
        assert_eq!(f["device"]["hostname"], "web-1");
        assert_eq!(f["unmapped"]["evt_num"], 131);
        assert_eq!(f["unmapped"]["output_fields"]["fd.name"], "/etc/passwd");
        assert!(f["evidences"][0].get("file").is_none());
    }
}
