//! [`TraceOutput`]: a trace file being written in the format its extension names, with a
//! state checkpoint before each chunk of a native output (so its chunks replay
//! independently), created with the permission bits asked (`0600` by default). Shared by
//! `convert` and `merge`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use hindsight_format::event::EventRef;
use hindsight_format::header::TraceHeader;
use hindsight_format::native::NativeOptions;
use hindsight_format::{OutputFormat, TraceWriter};
use hindsight_replay::engine::checkpoint::Checkpointer;

/// A trace being written.
pub struct TraceOutput {
    writer: TraceWriter,
    checkpoints: Checkpointer,
    path: PathBuf,
    /// Events written so far.
    pub events: u64,
}

impl TraceOutput {
    /// Creates `path` (`.scap.zst` native, `.scap` plain, `.scap.gz` gzip) with permission
    /// bits `mode`, starting with the header blocks `raw`, which encode `header`.
    pub fn create(
        path: &Path,
        raw: &[u8],
        header: &TraceHeader,
        chunk_size: usize,
        mode: u32,
    ) -> anyhow::Result<TraceOutput> {
        let format = OutputFormat::from_path(path).with_context(|| {
            format!(
                "{}: unknown output extension; use .scap.zst, .scap or .scap.gz",
                path.display()
            )
        })?;
        let opts = NativeOptions {
            chunk_size: chunk_size.max(4096),
            ..NativeOptions::default()
        };
        let mut writer =
            TraceWriter::create_with_mode(path, format, opts, mode).with_context(|| {
                format!(
                    "cannot create {}; check that its directory exists and is writable",
                    path.display()
                )
            })?;
        writer
            .write_header_blocks(raw)
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(TraceOutput {
            writer,
            checkpoints: Checkpointer::new(header),
            path: path.to_path_buf(),
            events: 0,
        })
    }

    /// Starts a new section with header blocks `raw`, which encode `header`.
    pub fn new_section(&mut self, raw: &[u8], header: &TraceHeader) -> anyhow::Result<()> {
        self.writer
            .new_section(raw)
            .with_context(|| format!("writing {}", self.path.display()))?;
        self.checkpoints.new_section(header);
        Ok(())
    }

    /// Appends `ev`.
    pub fn event(&mut self, ev: &EventRef<'_>) -> anyhow::Result<()> {
        if let TraceWriter::Native(w) = &mut self.writer {
            if w.at_chunk_start() {
                w.set_checkpoint(self.checkpoints.save());
            }
        }
        self.writer
            .write_event(ev)
            .with_context(|| format!("writing {}", self.path.display()))?;
        self.checkpoints.apply(ev);
        self.events += 1;
        Ok(())
    }

    /// Finishes the file (a native trace's index included).
    pub fn finish(self) -> anyhow::Result<()> {
        self.writer
            .finish()
            .with_context(|| format!("writing {}", self.path.display()))
    }
}
