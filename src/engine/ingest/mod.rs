//! Bytes → [`Table`](crate::engine::data::Table): format detection, CSV with schema presets,
//! JSON, Zeek logs, and packet captures turned into flows. (Stub: only seed 001's CSV for now.)

use serde::{Deserialize, Serialize};

pub mod capture;

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
        Self { file: None, line: None, byte: None, message: message.into(), hint: hint.into() }
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
