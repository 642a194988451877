//! The four detectors behind one contract.
//!
//! Every detector has a params type (plain serde data: what the UI edits and storage keeps, with an
//! explicit `seed` and `contamination`) and a fitted model type. [`DetectorParams::fit`] validates
//! the input and the params first, then fits, and returns the model together with the scores of
//! the training rows as the model sees them (for LOF: each row's outlier score with itself
//! excluded). The model's threshold is fixed at fit time as the `(1 − contamination)` percentile of
//! those training scores ([`Calibration`]) and is never recomputed from a batch being scored.
//!
//! Score convention: **higher = more anomalous**; a row is anomalous when `score > threshold`.
//!
//! | detector | our score | scikit-learn equivalent |
//! |---|---|---|
//! | Isolation Forest | `2^(−E[h(x)]/c(ψ))` | `-IsolationForest.score_samples(x)` |
//! | One-Class SVM | `−decision value` | `-OneClassSVM.decision_function(x)` |
//! | LOF | local outlier factor | `-negative_outlier_factor_` (training rows), `-score_samples(x)` (novelty) |
//! | Autoencoder | mean squared reconstruction error (scaled space) | Keras `mean((x − x̂)²)` |
//!
//! [`AnyParams`] and [`AnyModel`] dispatch over the four where they are stored or sent.

pub mod autoencoder;
pub mod calibration;
pub mod isolation_forest;
pub mod lof;
pub mod one_class_svm;

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

pub use self::autoencoder::{Autoencoder, AutoencoderParams};
pub use self::calibration::Calibration;
pub use self::isolation_forest::{IsolationForest, IsolationForestParams};
pub use self::lof::{Lof, LofParams};
pub use self::one_class_svm::{OneClassSvm, OneClassSvmParams};
use crate::engine::error::{FitError, InputError, ParamError};
use crate::engine::progress::Progress;

/// Which detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DetectorKind {
    /// Isolation Forest (Liu, Ting & Zhou 2008).
    IsolationForest,
    /// ν One-Class SVM with an RBF kernel (Schölkopf et al. 2001).
    OneClassSvm,
    /// Local Outlier Factor (Breunig et al. 2000).
    Lof,
    /// Dense autoencoder, reconstruction error.
    Autoencoder,
}

impl DetectorKind {
    /// All four, in display order.
    pub const ALL: [DetectorKind; 4] = [
        Self::IsolationForest,
        Self::OneClassSvm,
        Self::Lof,
        Self::Autoencoder,
    ];

    /// Stable identifier used in files and JSON lines (`isolation_forest`, …).
    pub fn id(self) -> &'static str {
        match self {
            Self::IsolationForest => "isolation_forest",
            Self::OneClassSvm => "one_class_svm",
            Self::Lof => "lof",
            Self::Autoencoder => "autoencoder",
        }
    }

    /// Human name.
    pub fn label(self) -> &'static str {
        match self {
            Self::IsolationForest => "Isolation Forest",
            Self::OneClassSvm => "One-Class SVM",
            Self::Lof => "Local Outlier Factor",
            Self::Autoencoder => "Autoencoder",
        }
    }

    /// Parses [`DetectorKind::id`].
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }
}

/// A fitted model and the scores of its training rows.
#[derive(Debug, Clone)]
pub struct Fitted<M> {
    /// The model.
    pub model: M,
    /// One score per training row, as the model sees it (LOF: self excluded).
    pub train_scores: Array1<f64>,
}

/// Hyper-parameters of one detector.
pub trait DetectorParams: Clone {
    /// The fitted model.
    type Model: Detector;

    /// Checks every parameter against the data shape; the error names the field.
    fn validate(&self, n_rows: usize, n_features: usize) -> Result<(), ParamError>;

    /// Fits on a matrix already checked to be non-empty and finite with valid params.
    /// Implementors write this; callers use [`DetectorParams::fit`].
    fn fit_checked(
        &self,
        x: ArrayView2<'_, f64>,
        progress: &mut dyn Progress,
    ) -> Result<Fitted<Self::Model>, FitError>;

    /// Validates the input and params, then fits.
    fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        progress: &mut dyn Progress,
    ) -> Result<Fitted<Self::Model>, FitError> {
        check_matrix(x, None)?;
        self.validate(x.nrows(), x.ncols())?;
        self.fit_checked(x, progress)
    }
}

/// A fitted detector.
pub trait Detector {
    /// Which detector this is.
    fn kind(&self) -> DetectorKind;

    /// Width of the feature matrix it was fitted on.
    fn n_features(&self) -> usize;

    /// Threshold and training-score quantiles fixed at fit time.
    fn calibration(&self) -> &Calibration;

    /// Scores rows already checked to be finite and of the right width.
    fn score_checked(&self, x: ArrayView2<'_, f64>) -> Array1<f64>;

    /// One score per row; higher = more anomalous.
    fn score(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>, InputError> {
        check_matrix(x, Some(self.n_features()))?;
        Ok(self.score_checked(x))
    }

    /// The decision threshold: anomalous when `score > threshold`.
    fn threshold(&self) -> f64 {
        self.calibration().threshold
    }
}

/// Checks that a matrix is non-empty, finite and (optionally) of the expected width.
pub fn check_matrix(x: ArrayView2<'_, f64>, width: Option<usize>) -> Result<(), InputError> {
    if let Some(expected) = width {
        if x.ncols() != expected {
            return Err(InputError::WidthMismatch {
                expected,
                found: x.ncols(),
            });
        }
    }
    if x.nrows() == 0 {
        return Err(InputError::Empty);
    }
    if x.ncols() == 0 {
        return Err(InputError::NoFeatures);
    }
    for (row, r) in x.outer_iter().enumerate() {
        for (column, v) in r.iter().enumerate() {
            if !v.is_finite() {
                return Err(InputError::NonFinite {
                    row,
                    column,
                    value: v.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// Checks `contamination` ∈ (0, 0.5], the range scikit-learn accepts.
pub fn check_contamination(contamination: f64) -> Result<(), ParamError> {
    if contamination > 0.0 && contamination <= 0.5 {
        Ok(())
    } else {
        Err(ParamError::new(
            "contamination",
            format!("must be in (0, 0.5], got {contamination}"),
        ))
    }
}

/// Params of any detector (for storage, forms and worker messages).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AnyParams {
    /// Isolation Forest.
    IsolationForest(IsolationForestParams),
    /// One-Class SVM.
    OneClassSvm(OneClassSvmParams),
    /// LOF.
    Lof(LofParams),
    /// Autoencoder.
    Autoencoder(AutoencoderParams),
}

/// A fitted detector of any kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AnyModel {
    /// Isolation Forest.
    IsolationForest(IsolationForest),
    /// One-Class SVM.
    OneClassSvm(OneClassSvm),
    /// LOF.
    Lof(Lof),
    /// Autoencoder.
    Autoencoder(Autoencoder),
}

macro_rules! dispatch {
    ($value:expr, $inner:ident => $body:expr) => {
        match $value {
            Self::IsolationForest($inner) => $body,
            Self::OneClassSvm($inner) => $body,
            Self::Lof($inner) => $body,
            Self::Autoencoder($inner) => $body,
        }
    };
}

impl AnyParams {
    /// Default params for a kind, with the given contamination and seed.
    pub fn default_for(kind: DetectorKind, contamination: f64, seed: u64) -> Self {
        let mut p = match kind {
            DetectorKind::IsolationForest => {
                Self::IsolationForest(IsolationForestParams::default())
            }
            DetectorKind::OneClassSvm => Self::OneClassSvm(OneClassSvmParams::default()),
            DetectorKind::Lof => Self::Lof(LofParams::default()),
            DetectorKind::Autoencoder => Self::Autoencoder(AutoencoderParams::default()),
        };
        p.set_contamination(contamination);
        p.set_seed(seed);
        p
    }

    /// Which detector.
    pub fn kind(&self) -> DetectorKind {
        match self {
            Self::IsolationForest(_) => DetectorKind::IsolationForest,
            Self::OneClassSvm(_) => DetectorKind::OneClassSvm,
            Self::Lof(_) => DetectorKind::Lof,
            Self::Autoencoder(_) => DetectorKind::Autoencoder,
        }
    }

    /// Overrides the contamination (the ensemble's single setting drives every member).
    pub fn set_contamination(&mut self, c: f64) {
        dispatch!(self, p => p.contamination = c)
    }

    /// Overrides the seed.
    pub fn set_seed(&mut self, seed: u64) {
        dispatch!(self, p => p.seed = seed)
    }

    /// Validates against a data shape.
    pub fn validate(&self, n_rows: usize, n_features: usize) -> Result<(), ParamError> {
        dispatch!(self, p => p.validate(n_rows, n_features))
    }

    /// Fits the detector.
    pub fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        progress: &mut dyn Progress,
    ) -> Result<Fitted<AnyModel>, FitError> {
        Ok(match self {
            Self::IsolationForest(p) => wrap(p.fit(x, progress)?, AnyModel::IsolationForest),
            Self::OneClassSvm(p) => wrap(p.fit(x, progress)?, AnyModel::OneClassSvm),
            Self::Lof(p) => wrap(p.fit(x, progress)?, AnyModel::Lof),
            Self::Autoencoder(p) => wrap(p.fit(x, progress)?, AnyModel::Autoencoder),
        })
    }
}

fn wrap<M>(f: Fitted<M>, into: impl FnOnce(M) -> AnyModel) -> Fitted<AnyModel> {
    Fitted {
        model: into(f.model),
        train_scores: f.train_scores,
    }
}

impl Detector for AnyModel {
    fn kind(&self) -> DetectorKind {
        dispatch!(self, m => m.kind())
    }
    fn n_features(&self) -> usize {
        dispatch!(self, m => m.n_features())
    }
    fn calibration(&self) -> &Calibration {
        dispatch!(self, m => m.calibration())
    }
    fn score_checked(&self, x: ArrayView2<'_, f64>) -> Array1<f64> {
        dispatch!(self, m => m.score_checked(x))
    }
}
