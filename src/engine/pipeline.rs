//! The one entry point: configuration + table + progress sink → trained ensemble + result.
//! The worker, the CLI, the tests and the benchmarks all call [`run`] and [`score`].

use serde::{Deserialize, Serialize};

use ndarray::Axis;

use crate::engine::data::Table;
use crate::engine::ensemble::{
    agreement, effective_min_votes, fit_members, score_member, score_threshold, Agreement,
    Severity, TrainedEnsemble,
};
use crate::engine::error::{Error, FitError, InputError, ParamError, Result};
use crate::engine::features::{FeatureParams, Preprocessor};
use crate::engine::metrics::Metrics;
use crate::engine::models::{check_contamination, AnyModel, AnyParams, Detector, DetectorKind};
use crate::engine::progress::{self, Progress, Stage};

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

impl RunConfig {
    /// Turns one detector on (with its default params under the run's contamination and seed)
    /// or off, keeping the detectors in display order.
    pub fn toggle_detector(&mut self, kind: DetectorKind, on: bool) {
        self.detectors.retain(|p| p.kind() != kind);
        if on {
            self.detectors
                .push(AnyParams::default_for(kind, self.contamination, self.seed));
            self.detectors.sort_by_key(|p| p.kind());
        }
    }

    /// Sets the contamination of the run and of every detector in it.
    pub fn set_contamination(&mut self, c: f64) {
        self.contamination = c;
        for p in &mut self.detectors {
            p.set_contamination(c);
        }
    }

    /// Sets the master seed and every detector's.
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
        for p in &mut self.detectors {
            p.set_seed(seed);
        }
    }

    /// Each detector whose params do not fit a data shape (`n_rows` × `n_features`, both
    /// counted as at least 1), with why.
    pub fn param_errors(
        &self,
        n_rows: usize,
        n_features: usize,
    ) -> Vec<(DetectorKind, ParamError)> {
        self.detectors
            .iter()
            .filter_map(|p| {
                p.validate(n_rows.max(1), n_features.max(1))
                    .err()
                    .map(|e| (p.kind(), e))
            })
            .collect()
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

/// Fewest training rows a run accepts. Below this the thresholds are meaningless: the
/// `(1 − contamination)` percentile of fewer than 10 scores is an interpolation between the top
/// one or two of them. Detectors may need more (LOF needs more rows than `n_neighbors`; their own
/// validation names the parameter).
pub const MIN_TRAIN_ROWS: usize = 10;

/// Checks a config before any work; the error names the field.
pub fn validate_config(config: &RunConfig) -> Result<()> {
    if config.detectors.is_empty() {
        return Err(ParamError::new("detectors", "choose at least one detector").into());
    }
    for (i, d) in config.detectors.iter().enumerate() {
        if config.detectors[..i].iter().any(|e| e.kind() == d.kind()) {
            return Err(ParamError::new(
                "detectors",
                format!("{} is listed twice", d.kind().label()),
            )
            .into());
        }
    }
    check_contamination(config.contamination)?;
    if config.min_votes == 0 {
        return Err(ParamError::new("min_votes", "must be at least 1").into());
    }
    config.features.validate()?;
    Ok(())
}

/// The rows that train the models under `mode`, with warnings.
pub fn training_rows(table: &Table, mode: TrainingMode) -> Result<(Vec<usize>, Vec<String>)> {
    let n = table.n_rows();
    let mut warnings = Vec::new();
    let rows: Vec<usize> = match mode {
        TrainingMode::AllRows => (0..n).collect(),
        TrainingMode::NormalOnly => {
            let labels = table.labels().ok_or_else(|| {
                Error::Unsupported(
                    "training on normal rows only needs a label column; the data has none".into(),
                )
            })?;
            let rows: Vec<usize> = labels
                .iter()
                .enumerate()
                .filter(|(_, l)| **l == Some(false))
                .map(|(i, _)| i)
                .collect();
            let unlabelled = labels.iter().filter(|l| l.is_none()).count();
            warnings.push(format!(
                "trained on the {} rows labelled normal (of {n})",
                rows.len()
            ));
            if unlabelled > 0 {
                warnings.push(format!(
                    "{unlabelled} row(s) without a label: not used for training or metrics"
                ));
            }
            rows
        }
    };
    if rows.len() < MIN_TRAIN_ROWS {
        return Err(InputError::TooFewRows {
            what: match mode {
                TrainingMode::AllRows => "training".into(),
                TrainingMode::NormalOnly => "training on normal rows only".into(),
            },
            needed: MIN_TRAIN_ROWS,
            found: rows.len(),
        }
        .into());
    }
    Ok((rows, warnings))
}

/// Seconds since some fixed instant, for timings (native: a monotonic clock; wasm32: always 0 —
/// the worker passes `performance.now()` to [`run_with_clock`] instead).
pub fn native_clock() -> impl Fn() -> f64 {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let start = std::time::Instant::now();
        move || start.elapsed().as_secs_f64()
    }
    #[cfg(target_arch = "wasm32")]
    {
        || 0.0
    }
}

/// Trains the configured ensemble on `table` and scores every row of it, timing with the native
/// clock (0 timings on wasm32; see [`run_with_clock`]).
pub fn run(
    config: &RunConfig,
    table: &Table,
    progress: &mut dyn Progress,
) -> Result<(TrainedEnsemble, RunResult)> {
    let clock = native_clock();
    run_with_clock(config, table, progress, &clock)
}

/// [`run`] with a clock: `clock()` returns seconds from any fixed origin (the worker passes
/// `performance.now() / 1000`).
///
/// Steps: validate the config; choose the training rows ([`training_rows`]); fit the
/// preprocessor on them and encode every row; fit each detector on the training matrix (its
/// contamination and seed overridden, see [`crate::engine::ensemble::fit_members`]); score every
/// row (training rows get the detector's own training scores — LOF's exclude the row itself);
/// combine ([`crate::engine::ensemble`]); metrics when the data has labels (rows without a label
/// left out).
///
/// Errors: [`Error::Param`] naming the field, [`Error::Input`] (no rows, no features, too few
/// training rows), [`Error::Unsupported`] (normal-only training without labels),
/// [`Error::Fit`], [`Error::Cancelled`].
pub fn run_with_clock(
    config: &RunConfig,
    table: &Table,
    progress: &mut dyn Progress,
    clock: &dyn Fn() -> f64,
) -> Result<(TrainedEnsemble, RunResult)> {
    validate_config(config)?;
    if table.n_rows() == 0 {
        return Err(InputError::Empty.into());
    }
    let (train_rows, warnings) = training_rows(table, config.training)?;
    run_on_rows(config, table, &train_rows, warnings, progress, clock)
}

/// [`run_with_clock`] on explicitly chosen training rows (ignoring `config.training`): the
/// analyst loop retrains on the rows feedback leaves ([`crate::engine::feedback`]).
/// `train_rows` must be in range; they are sorted and de-duplicated first. `warnings` are
/// prepended to the result's warnings.
///
/// Errors: as [`run_with_clock`]; fewer than [`MIN_TRAIN_ROWS`] rows is
/// [`InputError::TooFewRows`].
pub fn run_on_rows(
    config: &RunConfig,
    table: &Table,
    train_rows: &[usize],
    training_warnings: Vec<String>,
    progress: &mut dyn Progress,
    clock: &dyn Fn() -> f64,
) -> Result<(TrainedEnsemble, RunResult)> {
    let t_start = clock();
    validate_config(config)?;
    let n_rows = table.n_rows();
    if n_rows == 0 {
        return Err(InputError::Empty.into());
    }
    let n_models = config.detectors.len();
    let k = effective_min_votes(config.min_votes, n_models);
    let mut warnings = Vec::new();
    if k != config.min_votes {
        warnings.push(format!(
            "min_votes {} is more than the {n_models} detector(s); using {k}",
            config.min_votes
        ));
    }
    warnings.extend(training_warnings);
    let mut train_rows = train_rows.to_vec();
    train_rows.sort_unstable();
    train_rows.dedup();
    if let Some(&bad) = train_rows.iter().find(|&&r| r >= n_rows) {
        return Err(Error::Unsupported(format!(
            "training row {bad} is out of range (the data has {n_rows} rows)"
        )));
    }
    if train_rows.len() < MIN_TRAIN_ROWS {
        return Err(InputError::TooFewRows {
            what: "training".into(),
            needed: MIN_TRAIN_ROWS,
            found: train_rows.len(),
        }
        .into());
    }
    let all_rows = train_rows.len() == n_rows;

    // Preprocess.
    progress::report(progress, Stage::Preprocess, 0, 1, Error::Cancelled)?;
    let features = config
        .features
        .for_training(config.training == TrainingMode::NormalOnly);
    let preprocessor = Preprocessor::fit(table, &train_rows, &features)?;
    warnings.extend(preprocessor.fit_warnings.iter().cloned());
    let (x, transform_warnings) = preprocessor.transform_with_warnings(table)?;
    if !all_rows {
        warnings.extend(transform_warnings);
    }
    progress::report(progress, Stage::Preprocess, 1, 1, Error::Cancelled)?;
    let x_train = if all_rows {
        None
    } else {
        Some(x.select(Axis(0), &train_rows))
    };
    let x_train_view = x_train.as_ref().map_or(x.view(), |m| m.view());

    // Validate every detector on the training shape before fitting any.
    for p in &config.detectors {
        let mut p = p.clone();
        p.set_contamination(config.contamination);
        p.validate(x_train_view.nrows(), x_train_view.ncols())?;
    }

    // Fit.
    let fitted = fit_members(
        &config.detectors,
        x_train_view,
        config.contamination,
        config.seed,
        progress,
        clock,
    )?;
    for f in &fitted {
        if f.train_scores.len() != train_rows.len() {
            return Err(Error::Fit(FitError::Numerical(format!(
                "{} returned {} training scores for {} rows",
                f.model.kind().label(),
                f.train_scores.len(),
                train_rows.len()
            ))));
        }
    }

    // Score: training rows keep their training scores; the others are scored.
    let other_rows: Vec<usize> = if all_rows {
        Vec::new()
    } else {
        let mut is_train = vec![false; n_rows];
        for &r in &train_rows {
            is_train[r] = true;
        }
        (0..n_rows).filter(|&r| !is_train[r]).collect()
    };
    let x_other = (!other_rows.is_empty()).then(|| x.select(Axis(0), &other_rows));
    let mut member_scores = Vec::with_capacity(n_models);
    let mut score_seconds = Vec::with_capacity(n_models);
    for f in &fitted {
        let kind = f.model.kind();
        let t0 = clock();
        let mut scores = vec![f64::NAN; n_rows];
        for (&r, &s) in train_rows.iter().zip(&f.train_scores) {
            scores[r] = s;
        }
        match &x_other {
            Some(xo) => {
                let s = score_member(&f.model, xo.view(), progress)?;
                for (&r, v) in other_rows.iter().zip(s) {
                    scores[r] = v;
                }
            }
            None => progress::report(
                progress,
                Stage::Score(kind),
                n_rows as u64,
                n_rows as u64,
                Error::Cancelled,
            )?,
        }
        score_seconds.push((clock() - t0).max(0.0));
        member_scores.push(scores);
    }

    // Combine.
    progress::report(progress, Stage::Ensemble, 0, 1, Error::Cancelled)?;
    let models: Vec<AnyModel> = fitted.iter().map(|f| f.model.clone()).collect();
    let train_scores: Vec<Vec<f64>> = fitted.iter().map(|f| f.train_scores.clone()).collect();
    let model = TrainedEnsemble {
        score_threshold: score_threshold(&models, &train_scores, config.contamination, k),
        preprocessor,
        models,
        min_votes: k,
        contamination: config.contamination,
        n_train: train_rows.len(),
    };
    let fit_seconds: Vec<f64> = fitted.iter().map(|f| f.fit_seconds).collect();
    let mut result = assemble(
        &model,
        table,
        member_scores,
        &fit_seconds,
        &score_seconds,
        warnings,
    );
    progress::report(progress, Stage::Ensemble, 1, 1, Error::Cancelled)?;
    result.total_seconds = (clock() - t_start).max(0.0);
    Ok((model, result))
}

/// Builds the result from member scores: votes, ensemble score, metrics, agreement.
fn assemble(
    model: &TrainedEnsemble,
    table: &Table,
    member_scores: Vec<Vec<f64>>,
    fit_seconds: &[f64],
    score_seconds: &[f64],
    warnings: Vec<String>,
) -> RunResult {
    let combined = model.combine(&member_scores);
    let labels = table.labels();
    let metrics = labels
        .as_ref()
        .map(|l| Metrics::compute_partial(l, &combined.is_anomaly, &combined.ensemble_score));
    let kinds = model.kinds();
    let agreement = agreement(&kinds, &member_scores);
    let members = model
        .models
        .iter()
        .zip(member_scores)
        .enumerate()
        .map(|(i, (m, scores))| {
            let threshold = m.threshold();
            let flagged: Vec<bool> = scores.iter().map(|&s| s > threshold).collect();
            MemberResult {
                kind: m.kind(),
                threshold,
                n_anomalies: flagged.iter().filter(|&&f| f).count(),
                n_train: model.n_train,
                fit_seconds: fit_seconds.get(i).copied().unwrap_or(0.0),
                score_seconds: score_seconds.get(i).copied().unwrap_or(0.0),
                metrics: labels
                    .as_ref()
                    .map(|l| Metrics::compute_partial(l, &flagged, &scores)),
                scores,
            }
        })
        .collect();
    RunResult {
        n_rows: table.n_rows(),
        n_train: model.n_train,
        feature_names: model.preprocessor.feature_names.clone(),
        members,
        votes: combined.votes,
        min_votes: model.k(),
        ensemble_score: combined.ensemble_score,
        is_anomaly: combined.is_anomaly,
        severity: combined.severity,
        confidence: combined.confidence,
        agreement,
        metrics,
        warnings,
        total_seconds: 0.0,
    }
}

/// Scores `table` with an already trained ensemble (no training), timing with the native clock.
pub fn score(
    model: &TrainedEnsemble,
    table: &Table,
    progress: &mut dyn Progress,
) -> Result<RunResult> {
    let clock = native_clock();
    score_with_clock(model, table, progress, &clock)
}

/// [`score`] with a clock (see [`run_with_clock`]). The table must have every column the
/// preprocessor was fitted on (the error names the first missing one).
pub fn score_with_clock(
    model: &TrainedEnsemble,
    table: &Table,
    progress: &mut dyn Progress,
    clock: &dyn Fn() -> f64,
) -> Result<RunResult> {
    let t_start = clock();
    if model.models.is_empty() {
        return Err(ParamError::new("detectors", "the model has no detector").into());
    }
    if table.n_rows() == 0 {
        return Err(InputError::Empty.into());
    }
    progress::report(progress, Stage::Preprocess, 0, 1, Error::Cancelled)?;
    let (x, warnings) = model.preprocessor.transform_with_warnings(table)?;
    progress::report(progress, Stage::Preprocess, 1, 1, Error::Cancelled)?;
    let mut member_scores = Vec::with_capacity(model.models.len());
    let mut score_seconds = Vec::with_capacity(model.models.len());
    for m in &model.models {
        let t0 = clock();
        member_scores.push(score_member(m, x.view(), progress)?);
        score_seconds.push((clock() - t0).max(0.0));
    }
    progress::report(progress, Stage::Ensemble, 0, 1, Error::Cancelled)?;
    let fit_seconds = vec![0.0; model.models.len()];
    let mut result = assemble(
        model,
        table,
        member_scores,
        &fit_seconds,
        &score_seconds,
        warnings,
    );
    progress::report(progress, Stage::Ensemble, 1, 1, Error::Cancelled)?;
    result.total_seconds = (clock() - t_start).max(0.0);
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggling_keeps_display_order_and_contamination() {
        let mut c = RunConfig::default();
        c.detectors
            .retain(|p| p.kind() == DetectorKind::IsolationForest);
        c.set_contamination(0.1);
        c.toggle_detector(DetectorKind::Lof, true);
        c.toggle_detector(DetectorKind::OneClassSvm, true);
        let kinds: Vec<_> = c.detectors.iter().map(AnyParams::kind).collect();
        assert_eq!(
            kinds,
            [
                DetectorKind::IsolationForest,
                DetectorKind::OneClassSvm,
                DetectorKind::Lof
            ]
        );
        assert!(c
            .detectors
            .iter()
            .all(|p| *p == AnyParams::default_for(p.kind(), 0.1, 42)));
        c.toggle_detector(DetectorKind::IsolationForest, false);
        assert_eq!(c.detectors.len(), 2);
    }

    #[test]
    fn a_new_seed_reaches_every_detector() {
        let mut c = RunConfig::default();
        c.set_seed(7);
        c.toggle_detector(DetectorKind::Lof, false);
        c.toggle_detector(DetectorKind::Lof, true);
        assert_eq!(c.seed, 7);
        assert!(c
            .detectors
            .iter()
            .all(|p| *p == AnyParams::default_for(p.kind(), 0.15, 7)));
    }

    #[test]
    fn invalid_params_are_reported_per_detector() {
        let mut c = RunConfig::default();
        c.detectors
            .retain(|p| p.kind() == DetectorKind::IsolationForest);
        c.toggle_detector(DetectorKind::Lof, true);
        assert!(c.param_errors(1000, 4).is_empty());
        let e = c.param_errors(10, 4);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].0, DetectorKind::Lof);
        assert_eq!(e[0].1.field, "n_neighbors");
    }
}
