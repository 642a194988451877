//! What the results view shows about a run under the analyst's threshold: the stat-card numbers,
//! the rows it flags, the top of the ranking, and the JSON export that carries the same numbers.
//!
//! **The threshold rule.** `None` keeps the ensemble's vote decision (`RunResult::is_anomaly`);
//! `Some(t)` flags every row whose ensemble score is ≥ t — the rule of
//! [`Selection::ScoreAtLeast`](crate::engine::report::Selection) in the CSV export, so the cards,
//! the charts and both exports always agree. A row flagged by the threshold but not by the vote
//! has severity `None` in the result; it counts (and is drawn and exported) as `low`.
//!
//! Every function here is one O(n) pass (plus a sort of the flagged rows for [`top_flagged`]): at
//! 148k rows they take a few milliseconds, so the page can relabel on every slider step.

use serde::{Deserialize, Serialize};

use crate::engine::data::{Role, Table, Values};
use crate::engine::ensemble::Severity;
use crate::engine::error::{Error, Result};
use crate::engine::pipeline::RunResult;

/// Whether row `row` is anomalous under `threshold` (see the module docs).
pub fn is_flagged(result: &RunResult, threshold: Option<f64>, row: usize) -> bool {
    match threshold {
        None => result.is_anomaly.get(row).copied().unwrap_or(false),
        Some(t) => result.ensemble_score.get(row).is_some_and(|&s| s >= t),
    }
}

/// The severity a row is shown and exported with under `threshold`: `None` for rows not flagged,
/// at least `Low` for flagged ones.
pub fn shown_severity(result: &RunResult, threshold: Option<f64>, row: usize) -> Severity {
    if !is_flagged(result, threshold, row) {
        return Severity::None;
    }
    match result.severity.get(row).copied().unwrap_or(Severity::None) {
        Severity::None => Severity::Low,
        s => s,
    }
}

/// The numbers of the stat cards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Rows scored.
    pub rows: usize,
    /// Rows flagged under the threshold.
    pub anomalies: usize,
    /// `anomalies / rows` (0 without rows).
    pub rate: f64,
    /// Mean confidence of the flagged rows (`None` when nothing is flagged).
    pub avg_confidence: Option<f64>,
    /// Flagged rows of high severity.
    pub high: usize,
    /// Flagged rows per shown severity: low, medium, high.
    pub by_severity: [usize; 3],
    /// Mean pairwise Spearman ρ between the detectors' scores (`None` with fewer than two
    /// detectors or when no pair has a finite ρ).
    pub agreement: Option<f64>,
    /// The threshold the numbers were computed under (`None` = the vote decision).
    pub threshold: Option<f64>,
}

impl Summary {
    /// The card numbers of `result` under `threshold`, in one pass.
    pub fn of(result: &RunResult, threshold: Option<f64>) -> Self {
        let n = result.ensemble_score.len().max(result.is_anomaly.len());
        let mut anomalies = 0usize;
        let mut by_severity = [0usize; 3];
        let (mut conf_sum, mut conf_n) = (0.0, 0usize);
        for row in 0..n {
            if !is_flagged(result, threshold, row) {
                continue;
            }
            anomalies += 1;
            let slot = match shown_severity(result, threshold, row) {
                Severity::None | Severity::Low => 0,
                Severity::Medium => 1,
                Severity::High => 2,
            };
            by_severity[slot] += 1;
            if let Some(&c) = result.confidence.get(row) {
                if c.is_finite() {
                    conf_sum += c;
                    conf_n += 1;
                }
            }
        }
        let rows = result.n_rows;
        Self {
            rows,
            anomalies,
            rate: if rows == 0 {
                0.0
            } else {
                anomalies as f64 / rows as f64
            },
            avg_confidence: (conf_n > 0).then(|| conf_sum / conf_n as f64),
            high: by_severity[2],
            by_severity,
            agreement: mean_agreement(result),
            threshold,
        }
    }
}

/// Mean pairwise Spearman ρ of `result.agreement` over the finite pairs.
pub fn mean_agreement(result: &RunResult) -> Option<f64> {
    let finite: Vec<f64> = result
        .agreement
        .iter()
        .map(|a| a.spearman)
        .filter(|r| r.is_finite())
        .collect();
    (!finite.is_empty()).then(|| finite.iter().sum::<f64>() / finite.len() as f64)
}

/// Indices of the `n` flagged rows with the highest ensemble score (ties: lower row first).
pub fn top_flagged(result: &RunResult, threshold: Option<f64>, n: usize) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..result.ensemble_score.len())
        .filter(|&i| is_flagged(result, threshold, i))
        .map(|i| i as u32)
        .collect();
    let score = |i: u32| result.ensemble_score[i as usize];
    idx.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(a.cmp(&b)));
    idx.truncate(n);
    idx
}

/// The lowest ensemble score among the rows the vote decision flags: where the threshold
/// slider starts. `None` when nothing is flagged.
pub fn vote_equivalent(result: &RunResult) -> Option<f64> {
    result
        .is_anomaly
        .iter()
        .zip(&result.ensemble_score)
        .filter(|(&a, s)| a && s.is_finite())
        .map(|(_, &s)| s)
        .reduce(f64::min)
}

/// Per-row facts the results view needs beside the [`RunResult`] (which stays unchanged): the
/// timestamps of the data set, when it has a timestamp column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowMeta {
    /// Rows of the data set.
    pub n_rows: usize,
    /// Name of the timestamp column, when there is one.
    pub timestamp_column: Option<String>,
    /// Seconds since the Unix epoch per row (NaN where a cell was missing).
    pub timestamps: Option<Vec<f64>>,
}

impl RowMeta {
    /// The row facts of `table`.
    pub fn of(table: &Table) -> Self {
        let column = table.by_role(Role::Timestamp);
        let timestamps = column.and_then(|c| match &c.values {
            Values::Numeric(v) => Some(v.clone()),
            Values::Categorical { .. } => None,
        });
        Self {
            n_rows: table.n_rows(),
            timestamp_column: column
                .filter(|_| timestamps.is_some())
                .map(|c| c.name.clone()),
            timestamps,
        }
    }
}

/// How the rows of an export were chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportDecision {
    /// `"vote"` (the ensemble's decision) or `"ensemble_score_threshold"`.
    pub rule: String,
    /// The threshold, for the threshold rule.
    pub ensemble_threshold: Option<f64>,
}

/// The JSON export: the whole result, relabelled under the threshold (`is_anomaly` and
/// `severity` follow it; `votes` and the scores are the models' own), with the card numbers and
/// the rule that chose the rows.
#[derive(Debug, Serialize)]
pub struct ResultExport<'a> {
    /// The export format (`netsift-result/1`).
    pub format: &'static str,
    /// When the export was made (UTC, ISO 8601).
    pub exported_at: String,
    /// The rule that chose the anomalous rows.
    pub decision: ExportDecision,
    /// The card numbers under that rule.
    pub summary: Summary,
    /// Every field of the run's result.
    #[serde(flatten)]
    pub result: &'a RunResult,
}

/// `result` with `is_anomaly` and `severity` following `threshold` (a copy; `None` returns an
/// unchanged copy).
pub fn relabelled(result: &RunResult, threshold: Option<f64>) -> RunResult {
    let mut r = result.clone();
    if threshold.is_some() {
        let n = r.ensemble_score.len();
        r.is_anomaly = (0..n).map(|i| is_flagged(result, threshold, i)).collect();
        r.severity = (0..n)
            .map(|i| shown_severity(result, threshold, i))
            .collect();
    }
    r
}

/// The JSON export of `result` under `threshold`, made at `epoch_seconds` (compact JSON: a 148k-row
/// result is tens of megabytes pretty-printed). NaN and ±∞ become `null`.
pub fn result_export_json(
    result: &RunResult,
    threshold: Option<f64>,
    epoch_seconds: f64,
) -> Result<String> {
    let relabelled = relabelled(result, threshold);
    let export = ResultExport {
        format: "netsift-result/1",
        exported_at: crate::engine::time::iso_timestamp(epoch_seconds),
        decision: ExportDecision {
            rule: if threshold.is_some() {
                "ensemble_score_threshold".into()
            } else {
                "vote".into()
            },
            ensemble_threshold: threshold,
        },
        summary: Summary::of(result, threshold),
        result: &relabelled,
    };
    serde_json::to_string(&export)
        .map_err(|e| Error::Unsupported(format!("writing JSON failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ensemble::Agreement;
    use crate::engine::models::DetectorKind;

    fn result() -> RunResult {
        RunResult {
            n_rows: 5,
            n_train: 5,
            feature_names: vec!["x".into()],
            members: vec![],
            votes: vec![0, 2, 1, 2, 2],
            min_votes: 2,
            ensemble_score: vec![0.1, 0.9, 0.7, 0.8, 0.95],
            is_anomaly: vec![false, true, false, true, true],
            severity: vec![
                Severity::None,
                Severity::Low,
                Severity::None,
                Severity::High,
                Severity::Medium,
            ],
            confidence: vec![1.0, 0.5, 0.4, 0.7, 0.9],
            agreement: vec![
                Agreement {
                    a: DetectorKind::IsolationForest,
                    b: DetectorKind::Lof,
                    spearman: 0.5,
                },
                Agreement {
                    a: DetectorKind::IsolationForest,
                    b: DetectorKind::Autoencoder,
                    spearman: f64::NAN,
                },
                Agreement {
                    a: DetectorKind::Lof,
                    b: DetectorKind::Autoencoder,
                    spearman: 0.7,
                },
            ],
            metrics: None,
            warnings: vec![],
            total_seconds: 0.0,
        }
    }

    #[test]
    fn vote_decision_is_the_default() {
        let s = Summary::of(&result(), None);
        assert_eq!(s.anomalies, 3);
        assert_eq!(s.by_severity, [1, 1, 1]);
        assert_eq!(s.high, 1);
        assert!((s.rate - 0.6).abs() < 1e-12);
        assert!((s.avg_confidence.unwrap() - 0.7).abs() < 1e-12);
    }

    #[test]
    fn threshold_relabels_and_unvoted_rows_count_as_low() {
        let r = result();
        let s = Summary::of(&r, Some(0.7));
        assert_eq!(s.anomalies, 4);
        assert_eq!(s.by_severity, [2, 1, 1]);
        assert_eq!(shown_severity(&r, Some(0.7), 2), Severity::Low);
        assert_eq!(Summary::of(&r, Some(0.92)).anomalies, 1);
        assert_eq!(Summary::of(&r, Some(2.0)).avg_confidence, None);
    }

    #[test]
    fn agreement_ignores_non_finite_pairs() {
        assert!((mean_agreement(&result()).unwrap() - 0.6).abs() < 1e-12);
        let mut r = result();
        r.agreement.clear();
        assert_eq!(Summary::of(&r, None).agreement, None);
    }

    #[test]
    fn top_flagged_ranks_by_score_under_the_threshold() {
        let r = result();
        assert_eq!(top_flagged(&r, None, 2), vec![4, 1]);
        assert_eq!(top_flagged(&r, Some(0.0), 10), vec![4, 1, 3, 2, 0]);
        assert_eq!(vote_equivalent(&r), Some(0.8));
    }

    #[test]
    fn json_export_counts_match_the_summary() {
        let r = result();
        let json = result_export_json(&r, Some(0.75), 1_735_689_600.0).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["summary"]["anomalies"], 3);
        assert_eq!(v["decision"]["ensemble_threshold"], 0.75);
        assert_eq!(v["exported_at"], "2025-01-01T00:00:00Z");
        let flagged = v["is_anomaly"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a.as_bool() == Some(true))
            .count();
        assert_eq!(flagged, 3);
        assert_eq!(v["n_rows"], 5);
        // The vote decision leaves the result as it is.
        let plain: serde_json::Value =
            serde_json::from_str(&result_export_json(&r, None, 0.0).unwrap()).unwrap();
        assert_eq!(plain["severity"][2], "None");
        assert_eq!(plain["decision"]["rule"], "vote");
    }
}
