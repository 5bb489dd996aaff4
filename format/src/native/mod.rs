//! The native `.scap.zst` format: a standard zstd stream of independent frames.
//!
//! ```text
//! frame 0          zstd data frame: the header blocks (SHB, MI, IL, UL, PL, FDL...): a scap prefix
//! per chunk        skippable frame "HSC2": ChunkStats + optional checkpoint (see chunk_meta)
//!                  zstd data frame: whole event blocks (~4 MiB uncompressed by default)
//! end              skippable frame "HSI1": the index (offsets of every chunk), ending with
//!                  u32 frame length + "HSIE" so it can be found from the end of the file
//! ```
//!
//! `zstd -d` ignores skippable frames, so it yields exactly the scap byte stream. The chunk
//! metadata precedes its data frame, so a reader can list chunks (stats and checkpoints) by
//! reading only skippable frames and skipping data frames by their compressed length, and a
//! file cut short keeps every complete chunk. A chunk that begins a new section carries the
//! section's header blocks at the start of its data.

mod chunk_meta;
mod frames;
mod reader;
mod writer;

pub use chunk_meta::{ChunkStats, CHUNK_TAG, CHUNK_TAG_V1};
pub use frames::{zstd_frame_len, SKIPPABLE_MAGIC};
pub use reader::{Checkpoints, ChunkEvents, ChunkFrame, ChunkInfo, NativeReader, Source};
pub use writer::{NativeOptions, NativeWriter};

/// Tag of the index skippable frame.
pub const INDEX_TAG: &[u8; 4] = b"HSI1";
/// Last 4 bytes of a file with an index.
pub const INDEX_END: &[u8; 4] = b"HSIE";
/// Default uncompressed chunk size.
pub const DEFAULT_CHUNK_SIZE: usize = 4 << 20;
