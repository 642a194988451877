//! Every limit the engine puts on its input, in one place. The CLI and the page share them; the
//! CLI can raise each one (flags in the table), the page uses the defaults. A refusal names the
//! file, the limit and how to raise it.
//!
//! | limit | default | where it is enforced | CLI flag |
//! |---|---|---|---|
//! | decompressed size of a `.gz` input | [`MAX_DECOMPRESSED_BYTES`] (4 GiB) | [`Inflater`](super::inflate::Inflater) | `--max-decompressed-mb` |
//! | compression ratio of a `.gz` input, once [`RATIO_GRACE_BYTES`] are out | [`MAX_COMPRESSION_RATIO`] (200 : 1) | [`Inflater`](super::inflate::Inflater) | `--max-ratio` |
//! | rows of a table (flows of a capture are bounded by the flow table) | [`MAX_ROWS`] (20 million) | the tabular reader | `--max-rows` |
//! | columns (CSV, TSV, Zeek, JSON keys) | [`MAX_COLUMNS`] (4,096) | the tabular reader | `--max-columns` |
//! | bytes of one line / record | [`MAX_RECORD_BYTES`] (1 MiB; JSON records 16 MiB) | the tabular reader | `--max-line-kb` |
//! | model file size | [`crate::engine::model_file::DEFAULT_MAX_MODEL_BYTES`] (256 MiB) | model import | `--max-model-mb` (`score`) |
//!
//! gzip bombs: deflate reaches about 1,030 : 1 at most (long runs of one byte); real CSV and
//! JSON logs compress 5–30 : 1 and very repetitive ones rarely beyond 100 : 1. Checking the
//! ratio only after 16 MiB of output lets small, very repetitive files through.

/// Default largest decompressed size of a gzip input.
pub const MAX_DECOMPRESSED_BYTES: u64 = 4 << 30;

/// Default largest compression ratio (decompressed ÷ compressed bytes) of a gzip input.
pub const MAX_COMPRESSION_RATIO: u64 = 200;

/// Output below which the compression ratio is not checked.
pub const RATIO_GRACE_BYTES: u64 = 16 << 20;

/// Default most rows of a table.
pub const MAX_ROWS: usize = 20_000_000;

/// Default most columns.
pub const MAX_COLUMNS: usize = 4096;

/// Default longest line or record, in bytes.
pub const MAX_RECORD_BYTES: usize = 1 << 20;
