//! Reading stored documents of any known version.
//!
//! Every document carries `schema_version` (absent = 0). [`migrate`] upgrades one version at a
//! time until [`SCHEMA_VERSION`]; a newer document than this build knows is refused rather than
//! guessed at.
//!
//! **Version 0** (the prototype's shape, kept so the mechanism is exercised): a flat object —
//!
//! ```json
//! {"id": "w1", "name": "Monday", "created": 1735689600.0,
//!  "file_name": "flows.csv", "file_size": 12345, "config": { RunConfig },
//!  "threshold": 0.7,
//!  "feedback": [{"row": 12, "is_false_positive": true, "note": "backup", "at": 1735690000.0}],
//!  "anomalies": [{"row": 12, "score": 0.93, "votes": 3}]}
//! ```
//!
//! Version 1 moves the file fields into [`DataSource::File`] (format unknown → `"unknown"`),
//! `config`/`threshold` into [`Settings`], turns verdict booleans into [`Verdict`]s and row
//! numbers into [`RowKey`]s without a cell hash (they resolve by index only), and derives each
//! anomaly's severity from its votes and the config's `min_votes`.

use serde::Deserialize;

use crate::engine::ensemble::{effective_min_votes, Severity};
use crate::engine::feedback::{Feedback, RowKey, Verdict};
use crate::engine::pipeline::RunConfig;
use crate::storage::schema::{
    AnomalyRecord, DataSource, RunRecord, Settings, Workspace, SCHEMA_VERSION,
};
use crate::storage::StorageError;

#[derive(Deserialize)]
struct V0Feedback {
    row: u64,
    is_false_positive: bool,
    #[serde(default)]
    note: String,
    #[serde(default)]
    at: f64,
}

#[derive(Deserialize)]
struct V0Anomaly {
    row: u64,
    score: f64,
    votes: u8,
}

#[derive(Deserialize)]
struct V0Workspace {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    created: f64,
    #[serde(default)]
    file_name: String,
    #[serde(default)]
    file_size: u64,
    config: RunConfig,
    #[serde(default)]
    threshold: Option<f64>,
    #[serde(default)]
    feedback: Vec<V0Feedback>,
    #[serde(default)]
    anomalies: Vec<V0Anomaly>,
}

fn corrupt(from: u32, e: impl std::fmt::Display) -> StorageError {
    StorageError::Migration {
        from,
        message: e.to_string(),
    }
}

/// The `schema_version` of a stored document (0 when absent).
pub fn version_of(value: &serde_json::Value) -> u32 {
    value
        .get("schema_version")
        .and_then(|v| v.as_u64())
        .and_then(|v| u32::try_from(v).ok())
        .unwrap_or(0)
}

/// Upgrades a workspace document of version `from` to the current [`Workspace`].
///
/// Errors: [`StorageError::TooNew`] for a version above [`SCHEMA_VERSION`];
/// [`StorageError::Migration`] when the document does not have its version's shape.
pub fn migrate(value: serde_json::Value, from: u32) -> Result<Workspace, StorageError> {
    if from > SCHEMA_VERSION {
        return Err(StorageError::TooNew {
            found: from,
            supported: SCHEMA_VERSION,
        });
    }
    let mut value = value;
    let mut v = from;
    while v < SCHEMA_VERSION {
        value = match v {
            0 => v0_to_v1(value)?,
            _ => return Err(corrupt(v, "no migration from this version")),
        };
        v += 1;
    }
    serde_json::from_value(value).map_err(|e| corrupt(SCHEMA_VERSION, e))
}

/// Reads a stored workspace document of any known version.
pub fn workspace_from_json(text: &str) -> Result<Workspace, StorageError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let v = version_of(&value);
    migrate(value, v)
}

/// Reads a stored run record (version 1 is the first; newer ones are refused).
pub fn run_from_json(text: &str) -> Result<RunRecord, StorageError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let v = version_of(&value);
    if v > SCHEMA_VERSION {
        return Err(StorageError::TooNew {
            found: v,
            supported: SCHEMA_VERSION,
        });
    }
    serde_json::from_value(value).map_err(|e| corrupt(v, e))
}

fn v0_to_v1(value: serde_json::Value) -> Result<serde_json::Value, StorageError> {
    let old: V0Workspace = serde_json::from_value(value).map_err(|e| corrupt(0, e))?;
    let k = effective_min_votes(old.config.min_votes, old.config.detectors.len());
    let ws = Workspace {
        schema_version: 1,
        id: old.id,
        name: old.name,
        created: old.created,
        updated: old.created,
        source: DataSource::File {
            name: old.file_name,
            size: old.file_size,
            format: "unknown".into(),
        },
        schema: Vec::new(),
        settings: Settings {
            run: old.config,
            threshold: old.threshold,
        },
        model_file: None,
        run_id: None,
        summary: None,
        anomalies: old
            .anomalies
            .into_iter()
            .map(|a| AnomalyRecord {
                key: RowKey {
                    row: a.row,
                    cells_hash: String::new(),
                },
                score: a.score,
                votes: a.votes,
                severity: Severity::from_votes(usize::from(a.votes), k),
                tags: Vec::new(),
                src_ip: None,
                dst_ip: None,
                time: None,
                suppressed_by: None,
            })
            .collect(),
        feedback: old
            .feedback
            .into_iter()
            .map(|f| Feedback {
                row_key: RowKey {
                    row: f.row,
                    cells_hash: String::new(),
                },
                verdict: if f.is_false_positive {
                    Verdict::FalsePositive
                } else {
                    Verdict::TruePositive
                },
                note: f.note,
                at: f.at,
            })
            .collect(),
        suppressions: Vec::new(),
    };
    serde_json::to_value(ws).map_err(|e| corrupt(0, e))
}
