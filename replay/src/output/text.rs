//! Falco's text alert format.
//!
//! Each alert is one line, `HH:MM:SS.nnnnnnnnn: Priority output`, exactly as Falco prints it
//! with `json_output: false` and `time_format_iso_8601: false`: the `%evt.time` of the event
//! (in UTC, see [`crate::output::time`]), a colon, the priority name capitalised as Falco does
//! (`Warning`, `Informational`), and the rendered output of the rule.

use std::io::Write;

use super::{time, Alert, Sink, SinkError};

/// Writes alerts as Falco text lines to any writer.
pub struct TextSink<W: Write> {
    out: W,
    target: String,
    line: String,
}

impl<W: Write> TextSink<W> {
    /// A sink writing to `out`, reported as `<stdout>` in errors.
    pub fn new(out: W) -> Self {
        Self::with_target(out, "<stdout>")
    }

    /// A sink writing to `out`, named `target` (a file path) in errors.
    pub fn with_target(out: W, target: impl Into<String>) -> Self {
        TextSink {
            out,
            target: target.into(),
            line: String::with_capacity(256),
        }
    }

    fn io(&self, source: std::io::Error) -> SinkError {
        SinkError::Io {
            target: self.target.clone(),
            source,
        }
    }
}

/// Appends the Falco text line of `alert` (without the newline) to `out`; the JSON sink reuses
/// it for the `output` property, which Falco fills with the same line.
pub fn push_line(out: &mut String, alert: &Alert) {
    time::push_clock(out, alert.time_ns);
    out.push_str(": ");
    out.push_str(alert.priority.name());
    out.push(' ');
    out.push_str(&alert.output);
}

impl<W: Write> Sink for TextSink<W> {
    fn begin(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    fn alert(&mut self, alert: &Alert) -> Result<(), SinkError> {
        self.line.clear();
        push_line(&mut self.line, alert);
        self.line.push('\n');
        let res = self.out.write_all(self.line.as_bytes());
        res.map_err(|e| self.io(e))
    }

    fn end(&mut self) -> Result<(), SinkError> {
        let res = self.out.flush();
        res.map_err(|e| self.io(e))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::output::{FieldValue, Priority};

    /// An alert with every property set, shared by the sink tests.
    pub(crate) fn sample(priority: Priority, evt_num: u64) -> Alert {
        Alert {
            time_ns: 1_470_327_477_881_730_713,
            rule: "Write below etc".into(),
            priority,
            tags: vec!["filesystem".into(), "T1098".into()],
            output: "File below /etc opened for writing (file=/etc/passwd user=<NA>)".into(),
            source: "syscall".into(),
            hostname: "web-1".into(),
            trace: "cap/a.scap".into(),
            evt_num,
            output_fields: vec![
                ("fd.name".into(), FieldValue::Str("/etc/passwd".into())),
                ("user.name".into(), FieldValue::Null),
                ("proc.pid".into(), FieldValue::I64(4242)),
            ],
            context: Vec::new(),
        }
    }

    #[test]
    fn lines_follow_falco() {
        let mut out = Vec::new();
        let mut sink = TextSink::new(&mut out);
        sink.begin().unwrap();
        sink.alert(&sample(Priority::Informational, 1)).unwrap();
        sink.alert(&sample(Priority::Critical, 2)).unwrap();
        sink.end().unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "16:17:57.881730713: Informational File below /etc opened for writing \
             (file=/etc/passwd user=<NA>)\n\
             16:17:57.881730713: Critical File below /etc opened for writing \
             (file=/etc/passwd user=<NA>)\n"
        );
    }

    #[test]
    fn write_errors_name_the_target() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut sink = TextSink::with_target(Full, "/tmp/x.txt");
        let err = sink.alert(&sample(Priority::Error, 1)).unwrap_err();
        assert_eq!(err.to_string(), "cannot write alerts to /tmp/x.txt");
    }
}
