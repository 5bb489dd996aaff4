//! Parquet output: one row per alert, typed columns, written in batches.
//!
//! # Schema, version 1
//!
//! The file's key-value metadata carries `hindsight.schema = alerts` and
//! `hindsight.schema_version = 1` ([`PARQUET_SCHEMA_VERSION`]). Columns, in order:
//!
//! | column | Arrow type | null | meaning |
//! |---|---|---|---|
//! | `time` | `Timestamp(ns, "UTC")` | no | event time |
//! | `rule` | `Utf8` | no | rule name |
//! | `priority` | `Utf8` | no | `Emergency` ... `Debug`, as in Falco's alerts |
//! | `priority_level` | `UInt8` | no | 0 (`Emergency`) to 7 (`Debug`): `priority_level <= 4` is "Warning or worse" |
//! | `tags` | `List<Utf8>` | no | the rule's tags, sorted (as in the JSON output) |
//! | `output` | `Utf8` | no | the rendered output message, without the time/priority prefix |
//! | `source` | `Utf8` | no | event source, `syscall` |
//! | `hostname` | `Utf8` | no | host the trace was recorded on (empty when unknown) |
//! | `trace` | `Utf8` | no | trace file path, as given on the command line |
//! | `evt_num` | `UInt64` | no | event number in the trace (`evt.num`) |
//! | `output_fields` | `Map<Utf8, Utf8>` | no | the rule's `%fields` rendered as text (null value when the field has none), keys sorted |
//! | one column per [`CONTEXT_FIELDS`] entry | from the field's catalogue type ([`ValueKind::of`]) | yes | the field's value for the matched event, null when it has none |
//!
//! The context columns of version 1 (the test `context_columns_of_version_1` pins them):
//!
//! | column | type | | column | type |
//! |---|---|---|---|---|
//! | `evt.type` | `Utf8` | | `user.name` | `Utf8` |
//! | `evt.res` | `Utf8` | | `user.uid` | `UInt64` |
//! | `proc.name` | `Utf8` | | `user.loginuid` | `Int64` |
//! | `proc.exepath` | `Utf8` | | `group.gid` | `UInt64` |
//! | `proc.cmdline` | `Utf8` | | `fd.num` | `Int64` |
//! | `proc.pid` | `Int64` | | `fd.type` | `Utf8` |
//! | `proc.ppid` | `Int64` | | `fd.name` | `Utf8` |
//! | `proc.pname` | `Utf8` | | `container.id` | `Utf8` |
//! | `proc.tty` | `UInt64` | | `container.name` | `Utf8` |
//! | `thread.tid` | `Int64` | | `container.image` | `Utf8` |
//!
//! The context columns are named after the fields (`proc.name`, `proc.pid`, `user.uid`,
//! `container.image`...); quote them in SQL: `SELECT "proc.name", count(*) FROM 'a.parquet'
//! GROUP BY 1`. A context value whose type differs from its column (the engine gave text for a
//! number column) is converted when it fits and stored as null otherwise.
//!
//! Rows are buffered in Arrow builders and written every [`BATCH_ROWS`] alerts; the file is
//! zstd-compressed and only readable after [`Sink::end`] has written the footer.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ::parquet::arrow::ArrowWriter;
use ::parquet::basic::{Compression, ZstdLevel};
use ::parquet::file::properties::WriterProperties;
use arrow::array::{
    ArrayRef, BooleanBuilder, Int64Builder, ListBuilder, MapBuilder, StringBuilder,
    TimestampNanosecondBuilder, UInt64Builder, UInt8Builder,
};
use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;

use super::{Alert, FieldValue, Sink, SinkError, ValueKind, CONTEXT_FIELDS};

/// Version of the Parquet schema documented above.
pub const PARQUET_SCHEMA_VERSION: u32 = 1;

/// Alerts buffered before a record batch is handed to the Parquet writer.
pub const BATCH_ROWS: usize = 8192;

fn string_list_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, false)))
}

fn string_map_type() -> DataType {
    let entries = Fields::from(vec![
        Field::new("keys", DataType::Utf8, false),
        Field::new("values", DataType::Utf8, true),
    ]);
    DataType::Map(
        Arc::new(Field::new("entries", DataType::Struct(entries), false)),
        false,
    )
}

fn arrow_type(kind: ValueKind) -> DataType {
    match kind {
        ValueKind::Str => DataType::Utf8,
        ValueKind::I64 => DataType::Int64,
        ValueKind::U64 => DataType::UInt64,
        ValueKind::Bool => DataType::Boolean,
    }
}

/// The Arrow schema of the alert file (see the module documentation).
pub fn alert_schema() -> SchemaRef {
    let mut fields = vec![
        Field::new(
            "time",
            DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
            false,
        ),
        Field::new("rule", DataType::Utf8, false),
        Field::new("priority", DataType::Utf8, false),
        Field::new("priority_level", DataType::UInt8, false),
        Field::new("tags", string_list_type(), false),
        Field::new("output", DataType::Utf8, false),
        Field::new("source", DataType::Utf8, false),
        Field::new("hostname", DataType::Utf8, false),
        Field::new("trace", DataType::Utf8, false),
        Field::new("evt_num", DataType::UInt64, false),
        Field::new("output_fields", string_map_type(), false),
    ];
    fields.extend(
        CONTEXT_FIELDS
            .iter()
            .map(|f| Field::new(f.name, arrow_type(f.kind()), true)),
    );
    let metadata = [
        ("hindsight.schema".to_string(), "alerts".to_string()),
        (
            "hindsight.schema_version".to_string(),
            PARQUET_SCHEMA_VERSION.to_string(),
        ),
    ];
    Arc::new(Schema::new(fields).with_metadata(metadata.into_iter().collect()))
}

/// The builder of one context column.
enum ContextBuilder {
    Str(StringBuilder),
    I64(Int64Builder),
    U64(UInt64Builder),
    Bool(BooleanBuilder),
}

impl ContextBuilder {
    fn new(kind: ValueKind) -> Self {
        match kind {
            ValueKind::Str => ContextBuilder::Str(StringBuilder::new()),
            ValueKind::I64 => ContextBuilder::I64(Int64Builder::new()),
            ValueKind::U64 => ContextBuilder::U64(UInt64Builder::new()),
            ValueKind::Bool => ContextBuilder::Bool(BooleanBuilder::new()),
        }
    }

    /// Appends `value`, converted to the column's type when it fits, null otherwise.
    fn append(&mut self, value: Option<&FieldValue>, scratch: &mut String) {
        let value = value.unwrap_or(&FieldValue::Null);
        match self {
            ContextBuilder::Str(b) => match value {
                FieldValue::Null => b.append_null(),
                FieldValue::Str(s) => b.append_value(s),
                other => {
                    use std::fmt::Write as _;
                    scratch.clear();
                    let _ = write!(scratch, "{}", other.display());
                    b.append_value(scratch.as_str());
                }
            },
            ContextBuilder::I64(b) => b.append_option(match value {
                FieldValue::I64(v) => Some(*v),
                FieldValue::U64(v) => i64::try_from(*v).ok(),
                FieldValue::Str(s) => s.trim().parse().ok(),
                FieldValue::F64(_)
                | FieldValue::Bool(_)
                | FieldValue::Null
                | FieldValue::List(_) => None,
            }),
            ContextBuilder::U64(b) => b.append_option(match value {
                FieldValue::U64(v) => Some(*v),
                FieldValue::I64(v) => u64::try_from(*v).ok(),
                FieldValue::Str(s) => s.trim().parse().ok(),
                FieldValue::F64(_)
                | FieldValue::Bool(_)
                | FieldValue::Null
                | FieldValue::List(_) => None,
            }),
            ContextBuilder::Bool(b) => b.append_option(match value {
                FieldValue::Bool(v) => Some(*v),
                FieldValue::Str(s) if s == "true" => Some(true),
                FieldValue::Str(s) if s == "false" => Some(false),
                _ => None,
            }),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            ContextBuilder::Str(b) => Arc::new(b.finish()),
            ContextBuilder::I64(b) => Arc::new(b.finish()),
            ContextBuilder::U64(b) => Arc::new(b.finish()),
            ContextBuilder::Bool(b) => Arc::new(b.finish()),
        }
    }
}

/// Column builders for one batch of alerts.
struct Columns {
    time: TimestampNanosecondBuilder,
    rule: StringBuilder,
    priority: StringBuilder,
    priority_level: UInt8Builder,
    tags: ListBuilder<StringBuilder>,
    output: StringBuilder,
    source: StringBuilder,
    hostname: StringBuilder,
    trace: StringBuilder,
    evt_num: UInt64Builder,
    output_fields: MapBuilder<StringBuilder, StringBuilder>,
    context: Vec<ContextBuilder>,
    rows: usize,
    scratch: String,
}

impl Columns {
    fn new() -> Self {
        Columns {
            time: TimestampNanosecondBuilder::new().with_timezone("UTC"),
            rule: StringBuilder::new(),
            priority: StringBuilder::new(),
            priority_level: UInt8Builder::new(),
            tags: ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
                "item",
                DataType::Utf8,
                false,
            ))),
            output: StringBuilder::new(),
            source: StringBuilder::new(),
            hostname: StringBuilder::new(),
            trace: StringBuilder::new(),
            evt_num: UInt64Builder::new(),
            output_fields: MapBuilder::new(None, StringBuilder::new(), StringBuilder::new()),
            context: CONTEXT_FIELDS
                .iter()
                .map(|f| ContextBuilder::new(f.kind()))
                .collect(),
            rows: 0,
            scratch: String::new(),
        }
    }

    fn push(&mut self, alert: &Alert) {
        use std::fmt::Write as _;
        self.time
            .append_value(i64::try_from(alert.time_ns).unwrap_or(i64::MAX));
        self.rule.append_value(&alert.rule);
        self.priority.append_value(alert.priority.name());
        self.priority_level.append_value(alert.priority as u8);
        let mut tags: Vec<&str> = alert.tags.iter().map(String::as_str).collect();
        tags.sort_unstable();
        tags.dedup();
        for tag in tags {
            self.tags.values().append_value(tag);
        }
        self.tags.append(true);
        self.output.append_value(&alert.output);
        self.source.append_value(&alert.source);
        self.hostname.append_value(&alert.hostname);
        self.trace.append_value(&alert.trace);
        self.evt_num.append_value(alert.evt_num);
        let mut fields: Vec<&(String, FieldValue)> = alert.output_fields.iter().collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        fields.dedup_by(|later, earlier| later.0 == earlier.0);
        for (name, value) in fields {
            let (keys, values) = self.output_fields.entries();
            keys.append_value(name);
            match value {
                FieldValue::Null => values.append_null(),
                FieldValue::Str(s) => values.append_value(s),
                other => {
                    self.scratch.clear();
                    let _ = write!(self.scratch, "{}", other.display());
                    values.append_value(self.scratch.as_str());
                }
            }
        }
        // Keys and values were appended in pairs, so the lengths agree and this cannot fail.
        let _ = self.output_fields.append(true);
        for (i, builder) in self.context.iter_mut().enumerate() {
            builder.append(alert.context.get(i), &mut self.scratch);
        }
        self.rows += 1;
    }

    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch, arrow::error::ArrowError> {
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(self.time.finish()),
            Arc::new(self.rule.finish()),
            Arc::new(self.priority.finish()),
            Arc::new(self.priority_level.finish()),
            Arc::new(self.tags.finish()),
            Arc::new(self.output.finish()),
            Arc::new(self.source.finish()),
            Arc::new(self.hostname.finish()),
            Arc::new(self.trace.finish()),
            Arc::new(self.evt_num.finish()),
            Arc::new(self.output_fields.finish()),
        ];
        columns.extend(self.context.iter_mut().map(ContextBuilder::finish));
        self.rows = 0;
        RecordBatch::try_new(schema.clone(), columns)
    }
}

/// Writes alerts to a Parquet file.
pub struct ParquetSink {
    path: PathBuf,
    schema: SchemaRef,
    writer: Option<ArrowWriter<File>>,
    columns: Columns,
    last: Option<(String, u64)>,
}

impl ParquetSink {
    /// Creates (or truncates) the file at `path`.
    pub fn create(path: &Path) -> Result<Self, SinkError> {
        let file = File::create(path).map_err(|source| SinkError::Create {
            path: path.to_path_buf(),
            source,
        })?;
        let schema = alert_schema();
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .build();
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(|source| {
            SinkError::Parquet {
                path: path.to_path_buf(),
                source,
            }
        })?;
        Ok(ParquetSink {
            path: path.to_path_buf(),
            schema,
            writer: Some(writer),
            columns: Columns::new(),
            last: None,
        })
    }

    fn parquet_error(&self, source: parquet::errors::ParquetError) -> SinkError {
        SinkError::Parquet {
            path: self.path.clone(),
            source,
        }
    }

    /// Hands the buffered rows to the Parquet writer as one record batch.
    fn flush_batch(&mut self) -> Result<(), SinkError> {
        if self.columns.rows == 0 {
            return Ok(());
        }
        let batch = self.columns.finish(&self.schema).map_err(|e| {
            let (rule, evt_num) = self.last.clone().unwrap_or_default();
            SinkError::Internal {
                rule,
                evt_num,
                detail: format!("alert batch does not match the Parquet schema: {e}"),
            }
        })?;
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        let res = writer.write(&batch);
        res.map_err(|e| self.parquet_error(e))
    }
}

impl Sink for ParquetSink {
    fn begin(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    fn alert(&mut self, alert: &Alert) -> Result<(), SinkError> {
        self.columns.push(alert);
        self.last = Some((alert.rule.clone(), alert.evt_num));
        if self.columns.rows >= BATCH_ROWS {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), SinkError> {
        self.flush_batch()?;
        if let Some(writer) = self.writer.take() {
            writer.close().map_err(|e| self.parquet_error(e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::text::tests::sample;
    use crate::output::Priority;
    use arrow::array::{Array, AsArray, RecordBatchReader};
    use arrow::datatypes::{Int64Type, UInt64Type};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    fn with_context(mut alert: Alert) -> Alert {
        alert.context = CONTEXT_FIELDS
            .iter()
            .map(|f| match f.name {
                "proc.name" => FieldValue::Str("bash".into()),
                "proc.pid" => FieldValue::I64(4242),
                // A text value in a number column is parsed.
                "user.uid" => FieldValue::Str("1000".into()),
                // A negative number does not fit an unsigned column and becomes null.
                "group.gid" => FieldValue::I64(-1),
                _ => FieldValue::Null,
            })
            .collect();
        alert
    }

    #[test]
    fn rows_round_trip_with_types() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.parquet");
        let mut sink = ParquetSink::create(&path).unwrap();
        sink.begin().unwrap();
        let n = BATCH_ROWS + 3;
        for i in 0..n {
            let p = if i % 2 == 0 {
                Priority::Warning
            } else {
                Priority::Notice
            };
            sink.alert(&with_context(sample(p, i as u64 + 1))).unwrap();
        }
        sink.end().unwrap();

        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap())
            .unwrap()
            .build()
            .unwrap();
        let schema = reader.schema();
        assert_eq!(schema.fields(), alert_schema().fields());
        let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(rows, n);
        let b = &batches[0];
        let col = |name: &str| b.column(b.schema().index_of(name).unwrap()).clone();
        assert_eq!(col("rule").as_string::<i32>().value(0), "Write below etc");
        assert_eq!(col("priority").as_string::<i32>().value(1), "Notice");
        assert_eq!(col("evt_num").as_primitive::<UInt64Type>().value(1), 2);
        assert_eq!(col("proc.pid").as_primitive::<Int64Type>().value(0), 4242);
        assert_eq!(col("user.uid").as_primitive::<UInt64Type>().value(0), 1000);
        assert!(col("group.gid").is_null(0));
        assert!(col("container.id").is_null(0));
        let tags = col("tags");
        let tags = tags.as_list::<i32>().value(0);
        let tags: Vec<&str> = tags.as_string::<i32>().iter().flatten().collect();
        assert_eq!(tags, ["T1098", "filesystem"]);
        let meta = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap())
            .unwrap()
            .schema()
            .metadata()
            .clone();
        assert_eq!(meta["hindsight.schema_version"], "1");
    }

    #[test]
    fn context_columns_of_version_1() {
        let schema = alert_schema();
        let got: Vec<(String, String)> = schema
            .fields()
            .iter()
            .skip(11)
            .map(|f| (f.name().clone(), f.data_type().to_string()))
            .collect();
        let want = [
            ("evt.type", "Utf8"),
            ("evt.res", "Utf8"),
            ("proc.name", "Utf8"),
            ("proc.exepath", "Utf8"),
            ("proc.cmdline", "Utf8"),
            ("proc.pid", "Int64"),
            ("proc.ppid", "Int64"),
            ("proc.pname", "Utf8"),
            ("proc.tty", "UInt64"),
            ("thread.tid", "Int64"),
            ("user.name", "Utf8"),
            ("user.uid", "UInt64"),
            ("user.loginuid", "Int64"),
            ("group.gid", "UInt64"),
            ("fd.num", "Int64"),
            ("fd.type", "Utf8"),
            ("fd.name", "Utf8"),
            ("container.id", "Utf8"),
            ("container.name", "Utf8"),
            ("container.image", "Utf8"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        assert_eq!(
            got, want,
            "a change here needs a new PARQUET_SCHEMA_VERSION"
        );
    }

    #[test]
    fn no_alerts_still_gives_a_valid_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.parquet");
        let mut sink = ParquetSink::create(&path).unwrap();
        sink.begin().unwrap();
        sink.end().unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap())
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(reader.map(|b| b.unwrap().num_rows()).sum::<usize>(), 0);
    }

    #[test]
    fn unwritable_path_is_a_create_error() {
        let err = ParquetSink::create(Path::new("/nonexistent-dir/x.parquet"))
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("/nonexistent-dir/x.parquet"),
            "{err}"
        );
    }
}
