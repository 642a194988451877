//! Metrics against labels. (Types only; to be implemented.)

use serde::{Deserialize, Serialize};

/// Confusion matrix with anomaly as the positive class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Confusion {
    /// Anomalies flagged.
    pub tp: usize,
    /// Normal rows flagged.
    pub fp: usize,
    /// Normal rows passed.
    pub tn: usize,
    /// Anomalies missed.
    pub fn_: usize,
}

/// Detection quality against ground truth.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Metrics {
    /// Counts.
    pub confusion: Confusion,
    /// (tp + tn) / n.
    pub accuracy: f64,
    /// tp / (tp + fp), 0 when nothing is flagged.
    pub precision: f64,
    /// tp / (tp + fn), 0 when there are no anomalies.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Area under the ROC curve of the continuous score (NaN with one class only).
    pub roc_auc: f64,
    /// Average precision of the continuous score (scikit-learn's definition).
    pub pr_auc: f64,
    /// ROC curve points (false-positive rate, true-positive rate), thinned for charts.
    pub roc_curve: Vec<(f64, f64)>,
    /// Precision–recall points (recall, precision), thinned for charts.
    pub pr_curve: Vec<(f64, f64)>,
}
