//! Votes, continuous ensemble score, confidence, severity and agreement. (Types only; to be implemented.)

use serde::{Deserialize, Serialize};

use crate::engine::features::Preprocessor;
use crate::engine::models::{AnyModel, DetectorKind};

/// How bad an anomaly is, from the number of detectors that agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    /// Not an anomaly.
    None,
    /// `min_votes` detectors (2 of 4 by default).
    Low,
    /// One more than `min_votes` (3 of 4).
    Medium,
    /// Every detector (4 of 4).
    High,
}

/// Rank correlation between two detectors' scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// First detector.
    pub a: DetectorKind,
    /// Second detector.
    pub b: DetectorKind,
    /// Spearman's ρ of their scores over the scored rows.
    pub spearman: f64,
}

/// A trained ensemble: the fitted preprocessing and the fitted detectors — everything needed to
/// score new data without training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedEnsemble {
    /// Encoding and scaling fitted on the training rows.
    pub preprocessor: Preprocessor,
    /// The fitted detectors.
    pub models: Vec<AnyModel>,
    /// Minimum votes for an anomaly.
    pub min_votes: usize,
    /// Contamination the thresholds were fixed for.
    pub contamination: f64,
}
