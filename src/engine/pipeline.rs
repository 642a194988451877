//! The one entry point: configuration + table + progress sink → trained ensemble + result.
//! The worker, the CLI, the tests and the benchmarks all call [`run`] and [`score`].

use serde::{Deserialize, Serialize};

use crate::engine::data::Table;
use crate::engine::ensemble::{Agreement, Severity, TrainedEnsemble};
use crate::engine::error::Result;
use crate::engine::features::FeatureParams;
use crate::engine::metrics::Metrics;
use crate::engine::models::{AnyParams, DetectorKind};
use crate::engine::progress::Progress;

/// Which rows train the models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TrainingMode {
    /// Every row (unsupervised).
    #[default]
    AllRows,
    /// Only rows labelled normal (semi-supervised); needs a label column.
    NormalOnly,
}

/// Everything that defines a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// The detectors to train (any non-empty subset of the four), with their params.
    pub detectors: Vec<AnyParams>,
    /// Expected share of anomalies, in (0, 0.5]: sets every detector's threshold.
    pub contamination: f64,
    /// A row is anomalous when at least this many detectors vote so (default 2; clamped to the
    /// number of detectors).
    pub min_votes: usize,
    /// Which rows train the models.
    pub training: TrainingMode,
    /// Master seed; each detector gets `rng::derive_seed(seed, index)`.
    pub seed: u64,
    /// Encoding and scaling.
    pub features: FeatureParams,
}

impl Default for RunConfig {
    fn default() -> Self {
        let contamination = 0.15;
        let seed = 42;
        Self {
            detectors: DetectorKind::ALL
                .iter()
                .map(|&k| AnyParams::default_for(k, contamination, seed))
                .collect(),
            contamination,
            min_votes: 2,
            training: TrainingMode::AllRows,
            seed,
            features: FeatureParams::default(),
        }
    }
}

/// One detector's part of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberResult {
    /// Which detector.
    pub kind: DetectorKind,
    /// Its threshold (fixed at fit time).
    pub threshold: f64,
    /// One score per row (higher = more anomalous).
    pub scores: Vec<f64>,
    /// Rows above the threshold.
    pub n_anomalies: usize,
    /// Training rows used (after caps).
    pub n_train: usize,
    /// Seconds spent fitting (0 when scoring with a loaded model).
    pub fit_seconds: f64,
    /// Seconds spent scoring.
    pub score_seconds: f64,
    /// Metrics against the labels, when the data has labels.
    pub metrics: Option<Metrics>,
}

/// The outcome of a run: everything the views, the exports and the benchmarks need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Rows scored.
    pub n_rows: usize,
    /// Rows used for training.
    pub n_train: usize,
    /// Model input names after encoding (e.g. `protocol_type=tcp`).
    pub feature_names: Vec<String>,
    /// Per-detector scores and thresholds, in the order of the config.
    pub members: Vec<MemberResult>,
    /// Anomaly votes per row (0 ..= number of detectors).
    pub votes: Vec<u8>,
    /// Minimum votes for an anomaly.
    pub min_votes: usize,
    /// Continuous ensemble score per row in [0, 1] (see `ensemble` for its definition); used for
    /// ranking, ROC curves and the threshold slider.
    pub ensemble_score: Vec<f64>,
    /// Final decision per row (votes ≥ min_votes).
    pub is_anomaly: Vec<bool>,
    /// Severity per row (`None` for normal rows).
    pub severity: Vec<Severity>,
    /// Confidence of each row's decision in [0, 1] (see `ensemble`).
    pub confidence: Vec<f64>,
    /// Pairwise rank agreement between detectors.
    pub agreement: Vec<Agreement>,
    /// Ensemble metrics against labels, when the data has labels.
    pub metrics: Option<Metrics>,
    /// Things the user should know (caps applied, rows skipped, …).
    pub warnings: Vec<String>,
    /// Wall-clock seconds for the whole run.
    pub total_seconds: f64,
}

/// Trains the configured ensemble on `table` and scores every row of it.
pub fn run(
    config: &RunConfig,
    table: &Table,
    progress: &mut dyn Progress,
) -> Result<(TrainedEnsemble, RunResult)> {
    let _ = (config, table, progress);
    Err(crate::engine::Error::Unsupported(
        "pipeline not implemented yet".into(),
    ))
}

/// Scores `table` with an already trained ensemble (no training).
pub fn score(
    model: &TrainedEnsemble,
    table: &Table,
    progress: &mut dyn Progress,
) -> Result<RunResult> {
    let _ = (model, table, progress);
    Err(crate::engine::Error::Unsupported(
        "pipeline not implemented yet".into(),
    ))
}
