//! The persisted records: a workspace (everything needed to pick the work up again) and a run
//! record (one entry of the history). Plain serde data; the version is [`SCHEMA_VERSION`].

use serde::{Deserialize, Serialize};

use crate::analysis::summary::{is_flagged, shown_severity};
use crate::engine::data::{ColumnKind, Meaning, Role, Table, Values};
use crate::engine::ensemble::Severity;
use crate::engine::explain::CellValue;
use crate::engine::feedback::{Feedback, RowKey, SuppressionRule};
use crate::engine::generate::SampleParams;
use crate::engine::metrics::Metrics;
use crate::engine::models::DetectorKind;
use crate::engine::pipeline::{RunConfig, RunResult};

/// The schema version this build writes. Older documents are migrated on load
/// ([`crate::storage::migrate`]).
pub const SCHEMA_VERSION: u32 = 1;

/// Where a workspace's data came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DataSource {
    /// A file the user opened (not stored: the browser cannot reopen it without the user).
    File {
        /// File name.
        name: String,
        /// Size in bytes.
        size: u64,
        /// Detected format (e.g. "NSL-KDD", "CSV", "PCAP").
        format: String,
    },
    /// The built-in generator (re-creatable exactly from its parameters).
    Generated {
        /// Generator parameters.
        params: SampleParams,
    },
}

impl DataSource {
    /// A short label for lists: the file name or "sample data (seed 42, 1,000 rows)".
    pub fn label(&self) -> String {
        match self {
            Self::File { name, .. } => name.clone(),
            Self::Generated { params } => format!(
                "sample data (seed {}, {} rows)",
                params.seed,
                crate::engine::explain::format::format_value(params.rows as f64)
            ),
        }
    }
}

/// One column of the data's schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataColumn {
    /// Column name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Meaning, when known.
    pub meaning: Option<Meaning>,
    /// Numbers or categories.
    pub kind: ColumnKind,
}

/// The schema of a table.
pub fn data_schema(table: &Table) -> Vec<DataColumn> {
    table
        .columns
        .iter()
        .map(|c| DataColumn {
            name: c.name.clone(),
            role: c.role,
            meaning: c.meaning,
            kind: match c.values {
                Values::Numeric(_) => ColumnKind::Numeric,
                Values::Categorical { .. } => ColumnKind::Categorical,
            },
        })
        .collect()
}

/// What the user set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The run configuration.
    pub run: RunConfig,
    /// The ensemble-score threshold chosen on the slider, if the user moved it.
    #[serde(default)]
    pub threshold: Option<f64>,
}

/// Anomalies per severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SeverityCounts {
    /// Low.
    pub low: usize,
    /// Medium.
    pub medium: usize,
    /// High.
    pub high: usize,
}

/// The headline numbers of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultSummary {
    /// Rows scored.
    pub n_rows: usize,
    /// Training rows.
    pub n_train: usize,
    /// Anomalies.
    pub n_anomalies: usize,
    /// Anomalies per severity.
    pub by_severity: SeverityCounts,
    /// Rows each detector flags.
    pub member_anomalies: Vec<(DetectorKind, usize)>,
    /// Ensemble metrics when the data had labels.
    #[serde(default)]
    pub metrics: Option<Metrics>,
    /// The ensemble-score threshold the analyst chose, under which `n_anomalies`, `by_severity`
    /// and the stored anomalies were counted; `None` = the vote decision (and in documents saved
    /// before the threshold was kept).
    #[serde(default)]
    pub threshold: Option<f64>,
}

impl ResultSummary {
    /// Summarises a result under `threshold` (the rule of [`crate::analysis::summary`]: `None` =
    /// the vote decision, `Some(t)` = ensemble score ≥ t, flagged rows at least `low`).
    pub fn of(result: &RunResult, threshold: Option<f64>) -> Self {
        let mut by = SeverityCounts::default();
        let mut n_anomalies = 0;
        for row in 0..result.ensemble_score.len().max(result.is_anomaly.len()) {
            match shown_severity(result, threshold, row) {
                Severity::Low => by.low += 1,
                Severity::Medium => by.medium += 1,
                Severity::High => by.high += 1,
                Severity::None => continue,
            }
            n_anomalies += 1;
        }
        Self {
            n_rows: result.n_rows,
            n_train: result.n_train,
            n_anomalies,
            by_severity: by,
            member_anomalies: result
                .members
                .iter()
                .map(|m| (m.kind, m.n_anomalies))
                .collect(),
            metrics: result.metrics.clone(),
            threshold,
        }
    }
}

/// One stored anomaly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalyRecord {
    /// The row.
    pub key: RowKey,
    /// Continuous ensemble score.
    pub score: f64,
    /// Detector votes.
    pub votes: u8,
    /// Severity.
    pub severity: Severity,
    /// Tags (anomaly types, rule names).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Source address, when the data has a source-IP column.
    #[serde(default)]
    pub src_ip: Option<String>,
    /// Destination address, when the data has a destination-IP column.
    #[serde(default)]
    pub dst_ip: Option<String>,
    /// Event time (epoch seconds), when the data has a timestamp column.
    #[serde(default)]
    pub time: Option<f64>,
    /// The suppression rule that labels it, if any.
    #[serde(default)]
    pub suppressed_by: Option<String>,
}

/// The anomalies of `result` under `threshold` (see [`ResultSummary::of`]) as records, highest
/// score first. `tags` and `suppressed` are per-row (as long as the table) when given.
pub fn anomaly_records(
    table: &Table,
    result: &RunResult,
    threshold: Option<f64>,
    tags: Option<&[Vec<String>]>,
    suppressed: Option<&[Option<String>]>,
) -> Vec<AnomalyRecord> {
    let text = |m: Meaning, row: usize| -> Option<String> {
        table
            .by_meaning(m)
            .map(|c| CellValue::of(&c.values, row))
            .and_then(|v| match v {
                CellValue::Missing => None,
                v => Some(v.display_raw()),
            })
    };
    let times = table.timestamps();
    let n = result.ensemble_score.len().max(result.is_anomaly.len());
    let mut out: Vec<AnomalyRecord> = (0..table.n_rows().min(n))
        .filter(|&r| is_flagged(result, threshold, r))
        .map(|r| AnomalyRecord {
            key: RowKey::of(table, r),
            score: result.ensemble_score.get(r).copied().unwrap_or(f64::NAN),
            votes: result.votes.get(r).copied().unwrap_or(0),
            severity: shown_severity(result, threshold, r),
            tags: tags.and_then(|t| t.get(r)).cloned().unwrap_or_default(),
            src_ip: text(Meaning::SrcIp, r),
            dst_ip: text(Meaning::DstIp, r),
            time: times
                .and_then(|t| t.get(r))
                .copied()
                .filter(|t| t.is_finite()),
            suppressed_by: suppressed.and_then(|s| s.get(r)).cloned().flatten(),
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.row.cmp(&b.key.row)));
    out
}

/// A saved workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    /// Always [`SCHEMA_VERSION`] when written by this build.
    pub schema_version: u32,
    /// Key.
    pub id: String,
    /// Name shown in lists.
    pub name: String,
    /// Created, epoch seconds.
    pub created: f64,
    /// Last saved, epoch seconds.
    pub updated: f64,
    /// Where the data came from.
    pub source: DataSource,
    /// The data's columns.
    #[serde(default)]
    pub schema: Vec<DataColumn>,
    /// Run configuration and chosen threshold.
    pub settings: Settings,
    /// The trained model as a model file ([`crate::engine::model_file::export`] output, UTF-8 JSON).
    #[serde(default)]
    pub model_file: Option<String>,
    /// Headline numbers of the last result.
    #[serde(default)]
    pub summary: Option<ResultSummary>,
    /// The last result's anomalies.
    #[serde(default)]
    pub anomalies: Vec<AnomalyRecord>,
    /// Every verdict given (kept across retrains).
    #[serde(default)]
    pub feedback: Vec<Feedback>,
    /// Suppression rules.
    #[serde(default)]
    pub suppressions: Vec<SuppressionRule>,
    /// The history entry of the last result (its anomalies follow the chosen threshold).
    #[serde(default)]
    pub run_id: Option<String>,
}

/// One run in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Always [`SCHEMA_VERSION`] when written by this build.
    pub schema_version: u32,
    /// Key.
    pub id: String,
    /// The workspace it belongs to.
    pub workspace_id: String,
    /// When it ran, epoch seconds.
    pub at: f64,
    /// The data it ran on.
    pub source: DataSource,
    /// Headline numbers.
    pub summary: ResultSummary,
    /// Its anomalies.
    pub anomalies: Vec<AnomalyRecord>,
    /// Distinct source IPs among the anomalies, sorted.
    #[serde(default)]
    pub source_ips: Vec<String>,
    /// Distinct tags among the anomalies, sorted.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl RunRecord {
    /// A history entry for `result` on `table` under the analyst's `threshold` (`None` = the
    /// vote decision): its summary and anomalies are the ones the results view shows.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: impl Into<String>,
        workspace_id: impl Into<String>,
        at: f64,
        source: DataSource,
        table: &Table,
        result: &RunResult,
        threshold: Option<f64>,
        tags: Option<&[Vec<String>]>,
        suppressed: Option<&[Option<String>]>,
    ) -> Self {
        let anomalies = anomaly_records(table, result, threshold, tags, suppressed);
        let mut source_ips: Vec<String> =
            anomalies.iter().filter_map(|a| a.src_ip.clone()).collect();
        source_ips.sort();
        source_ips.dedup();
        let mut all_tags: Vec<String> = anomalies.iter().flat_map(|a| a.tags.clone()).collect();
        all_tags.sort();
        all_tags.dedup();
        Self {
            schema_version: SCHEMA_VERSION,
            id: id.into(),
            workspace_id: workspace_id.into(),
            at,
            source,
            summary: ResultSummary::of(result, threshold),
            anomalies,
            source_ips,
            tags: all_tags,
        }
    }
}
