//! The analyst's threshold on the ensemble score ([`AppState::threshold`]): which rows count as
//! anomalous on the page. `None` keeps the ensemble's vote decision; `Some(t)` flags every row
//! whose ensemble score is ≥ t, the same rule as the CSV export's
//! [`Selection::ScoreAtLeast`](crate::engine::report::Selection). One O(n) pass, no retraining.
//!
//! [`AppState::threshold`]: crate::ui::state::AppState::threshold

use crate::engine::pipeline::RunResult;

/// Whether row `row` is anomalous under `threshold`.
pub fn is_flagged(result: &RunResult, threshold: Option<f64>, row: usize) -> bool {
    match threshold {
        None => result.is_anomaly.get(row).copied().unwrap_or(false),
        Some(t) => result.ensemble_score.get(row).is_some_and(|&s| s >= t),
    }
}

/// One decision per row under `threshold`.
pub fn decisions(result: &RunResult, threshold: Option<f64>) -> Vec<bool> {
    match threshold {
        None => result.is_anomaly.clone(),
        Some(t) => result.ensemble_score.iter().map(|&s| s >= t).collect(),
    }
}

/// How many rows are anomalous under `threshold`.
pub fn count(result: &RunResult, threshold: Option<f64>) -> usize {
    match threshold {
        None => result.is_anomaly.iter().filter(|&&a| a).count(),
        Some(t) => result.ensemble_score.iter().filter(|&&s| s >= t).count(),
    }
}

/// The lowest ensemble score among the rows the vote decision flags: the threshold at which the
/// slider starts, so moving it from there changes the picture gradually. `None` when nothing is
/// flagged.
pub fn vote_equivalent(result: &RunResult) -> Option<f64> {
    result
        .is_anomaly
        .iter()
        .zip(&result.ensemble_score)
        .filter(|(&a, _)| a)
        .map(|(_, &s)| s)
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.min(s))))
}
