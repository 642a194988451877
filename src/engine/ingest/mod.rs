//! Bytes → [`Table`](crate::engine::data::Table): format detection, CSV with schema presets,
//! JSON, Zeek logs, and packet captures turned into flows.
//!
//! Two entry points:
//! - [`read_table`]: a whole file already in memory (tests, small files, the CLI);
//! - [`StreamingReader`]: `push` chunks as they are read (the worker slices a `File` into 16 MiB
//!   pieces), then `finish`. Only the current partial record, the first 256 KiB used for sniffing,
//!   and the typed columns are ever held; never the file as one buffer or one string.
//!
//! What is detected, in order: gzip (by magic bytes, any name) → packet captures and binary files
//! (rejected with a pointer to the capture reader) → text encoding (UTF-8 with or without BOM,
//! UTF-16 with BOM; cells that are not UTF-8 are decoded as Windows-1252 with a notice) → JSON
//! (`{"flows": [...]}`, a top-level array, or newline-delimited records; nested keys joined with
//! `.`) → Zeek TSV (`#separator` header) → CSV (delimiter `,` `;` tab `|` sniffed, header or none,
//! quotes, CRLF) → a schema preset from the header names (or column count when headerless) →
//! generic guesses for the other columns. [`Ingested::mapping`] says for every column what it
//! became and why.
//!
//! Bad input: rows with the wrong number of fields are skipped, counted, and the first five kept
//! as [`IngestError`]s with their line; text in a numeric column becomes a missing cell (counted,
//! with the first offender named) unless it is more than 5 % of the column, which then turns
//! categorical; all-empty columns are dropped with a notice; a file with no loadable row, a line
//! longer than [`IngestOptions::max_record_bytes`] or wider than [`IngestOptions::max_columns`] is
//! an error naming the line.

use serde::{Deserialize, Serialize};

mod arff;
mod auto;
pub mod capture;
mod columns;
mod events;
pub mod inflate;
mod json;
pub mod limits;
mod lines;
mod presets;
mod records;
mod sniff;
mod stream;
pub mod timestamp;

pub use auto::AutoReader;
pub use columns::{parse_num, Num};
#[cfg(fuzzing)]
#[doc(hidden)]
pub use lines::force_general_path;
pub use presets::{key as header_key, NSL_KDD_NAMES, UNSW_NB15_NAMES};
pub use sniff::{container, Container};
pub use stream::StreamingReader;

use crate::engine::data::{ColumnKind, Meaning, Role, Table};

/// How to read a file. `Default` guesses everything and applies the default [`limits`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IngestOptions {
    /// User choices from the column-mapping panel: (column name, role, meaning). The name is the
    /// column's name in [`Ingested::mapping`] (or its header text). Re-reading with overrides
    /// applies them; they win over presets and guesses.
    pub overrides: Vec<(String, Role, Option<Meaning>)>,
    /// Force the delimiter (otherwise sniffed from the first lines).
    pub delimiter: Option<u8>,
    /// Force header / no header (otherwise guessed).
    pub has_header: Option<bool>,
    /// Longest accepted record, in bytes (default [`limits::MAX_RECORD_BYTES`], 1 MiB).
    pub max_record_bytes: usize,
    /// Most accepted columns (default [`limits::MAX_COLUMNS`], 4,096), JSON keys too.
    pub max_columns: usize,
    /// Most rows read (default [`limits::MAX_ROWS`]); more is an error naming the limit.
    pub max_rows: usize,
    /// Largest decompressed size of a gzip input (default [`limits::MAX_DECOMPRESSED_BYTES`]).
    pub max_decompressed_bytes: u64,
    /// Largest compression ratio of a gzip input (default [`limits::MAX_COMPRESSION_RATIO`]).
    pub max_compression_ratio: u64,
    /// How many bad rows to keep as examples (default 5).
    pub max_bad_rows_kept: usize,
    /// The file's size in bytes, when known: once some rows are read, the columns reserve room
    /// for the rows the rest of the file should hold, instead of doubling (which copies each
    /// column and can leave half its capacity unused at the end — the peak memory of a large
    /// load). Ignored for compressed input.
    pub size_hint: Option<u64>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            overrides: Vec::new(),
            delimiter: None,
            has_header: None,
            max_record_bytes: limits::MAX_RECORD_BYTES,
            max_columns: limits::MAX_COLUMNS,
            max_rows: limits::MAX_ROWS,
            max_decompressed_bytes: limits::MAX_DECOMPRESSED_BYTES,
            max_compression_ratio: limits::MAX_COMPRESSION_RATIO,
            max_bad_rows_kept: 5,
            size_hint: None,
        }
    }
}

/// What became of one input column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnMapping {
    /// Name in the table (after alias renaming), or the header text of a dropped column.
    pub column: String,
    /// The header text as written in the file (differs from `column` when renamed).
    pub source: String,
    /// Role given.
    pub role: Role,
    /// Network meaning given.
    pub meaning: Option<Meaning>,
    /// Numbers or categories.
    pub kind: ColumnKind,
    /// False when the column is not in the table (e.g. empty in every row).
    pub kept: bool,
    /// Why, in plain words.
    pub reason: String,
}

/// A loaded table and everything the page says about how it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ingested {
    /// The data.
    pub table: Table,
    /// What was detected, e.g. "CSV (comma), connection features".
    pub format: String,
    /// Notices: encoding fallbacks, renamed/dropped columns, cells that became missing, …
    pub warnings: Vec<String>,
    /// Rows that could not be read and were skipped.
    pub skipped_rows: usize,
    /// The first few of them (at most [`IngestOptions::max_bad_rows_kept`]), with line numbers.
    pub first_bad_rows: Vec<IngestError>,
    /// One entry per input column, in file order.
    pub mapping: Vec<ColumnMapping>,
    /// Packet and flow counts when the input was a packet capture.
    #[serde(default)]
    pub capture: Option<CaptureSummary>,
}

/// What a packet capture turned into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureSummary {
    /// IP packets decoded.
    pub packets: u64,
    /// Bidirectional flows built from them.
    pub flows: u64,
    /// Flows ended early because the live flow table was full.
    pub evicted: u64,
}

/// Reads any supported file held in memory: packet captures (pcap, pcapng) become bidirectional
/// flows (one row per flow), everything else goes through the tabular reader (CSV, TSV, Zeek,
/// JSON, optionally gzip-compressed). The format is detected from the bytes, not the name.
pub fn read_any(name: &str, bytes: &[u8], opts: &IngestOptions) -> crate::engine::Result<Ingested> {
    let mut r = AutoReader::new(name, opts.clone(), capture::FlowConfig::default());
    for chunk in bytes.chunks(4 << 20) {
        r.push(chunk)?;
    }
    r.finish()
}

/// Turns the flows of a capture into an [`Ingested`] table with a format line and warnings.
pub fn capture_to_ingested(flows: CaptureFlows) -> Ingested {
    let table = flows_to_table(&flows.flows);
    let kind = match flows.stats.format {
        Some(f) => f.to_string(),
        None => "capture".to_owned(),
    };
    let summary = CaptureSummary {
        packets: flows.stats.packets,
        flows: flows.flows.len() as u64,
        evicted: flows.evicted,
    };
    let mut warnings: Vec<String> = flows.stats.warnings.iter().map(|w| w.to_string()).collect();
    if flows.evicted > 0 {
        warnings.push(format!(
            "{} flows were closed early because more flows were open at once than the flow table holds",
            flows.evicted
        ));
    }
    let mapping = table
        .columns
        .iter()
        .map(|c| ColumnMapping {
            column: c.name.clone(),
            source: c.name.clone(),
            role: c.role,
            meaning: c.meaning,
            kind: match c.values {
                crate::engine::data::Values::Numeric(_) => ColumnKind::Numeric,
                crate::engine::data::Values::Categorical { .. } => ColumnKind::Categorical,
            },
            kept: true,
            reason: "flow feature computed from the capture".to_owned(),
        })
        .collect();
    Ingested {
        format: format!(
            "{kind}: {} packets → {} bidirectional flows",
            summary.packets, summary.flows
        ),
        table,
        warnings,
        skipped_rows: 0,
        first_bad_rows: Vec::new(),
        mapping,
        capture: Some(summary),
    }
}

/// Reads a whole file held in memory (pushes it through a [`StreamingReader`] in 4 MiB chunks).
pub fn read_table(name: &str, bytes: &[u8], opts: &IngestOptions) -> Result<Ingested, IngestError> {
    let mut r = StreamingReader::new(name, opts.clone());
    for chunk in bytes.chunks(4 << 20) {
        r.push(chunk)?;
    }
    r.finish()
}

pub use capture::{
    flows_to_table, read_flows, CaptureFlows, Flow, FlowConfig, FlowTable, PcapReader,
};

/// Why a file could not be (fully) read: what, where and how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[error("{}{}{message}{}", file.as_deref().map(|f| format!("{f}: ")).unwrap_or_default(), location(*line, *byte), if hint.is_empty() { String::new() } else { format!(" — {hint}") })]
pub struct IngestError {
    /// File name, when known.
    pub file: Option<String>,
    /// 1-based line, for text formats.
    pub line: Option<u64>,
    /// 0-based byte offset, for binary formats.
    pub byte: Option<u64>,
    /// What is wrong.
    pub message: String,
    /// What the user can do about it.
    pub hint: String,
}

fn location(line: Option<u64>, byte: Option<u64>) -> String {
    match (line, byte) {
        (Some(l), _) => format!("line {l}: "),
        (None, Some(b)) => format!("byte {b}: "),
        _ => String::new(),
    }
}

impl IngestError {
    /// An error with a message and a hint, no location.
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            file: None,
            line: None,
            byte: None,
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// Sets the line.
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the byte offset.
    pub fn at_byte(mut self, byte: u64) -> Self {
        self.byte = Some(byte);
        self
    }

    /// Sets the file name.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
}
