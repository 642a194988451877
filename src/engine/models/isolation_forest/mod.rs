//! IsolationForest (stub: to be implemented).

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::engine::error::{FitError, ParamError};
use crate::engine::models::{
    check_contamination, Calibration, Detector, DetectorKind, DetectorParams, Fitted,
};
use crate::engine::progress::Progress;

/// Parameters of the IsolationForest detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsolationForestParams {
    /// Expected share of anomalies; sets the threshold.
    pub contamination: f64,
    /// PRNG seed.
    pub seed: u64,
}

impl Default for IsolationForestParams {
    fn default() -> Self {
        Self {
            contamination: 0.15,
            seed: 42,
        }
    }
}

/// A fitted IsolationForest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsolationForest {
    n_features: usize,
    calibration: Calibration,
}

impl DetectorParams for IsolationForestParams {
    type Model = IsolationForest;

    fn validate(&self, _n_rows: usize, _n_features: usize) -> Result<(), ParamError> {
        check_contamination(self.contamination)
    }

    fn fit_checked(
        &self,
        _x: ArrayView2<'_, f64>,
        _progress: &mut dyn Progress,
    ) -> Result<Fitted<IsolationForest>, FitError> {
        Err(FitError::Numerical(
            "IsolationForest is not implemented yet".into(),
        ))
    }
}

impl Detector for IsolationForest {
    fn kind(&self) -> DetectorKind {
        DetectorKind::IsolationForest
    }
    fn n_features(&self) -> usize {
        self.n_features
    }
    fn calibration(&self) -> &Calibration {
        &self.calibration
    }
    fn score_checked(&self, x: ArrayView2<'_, f64>) -> Array1<f64> {
        Array1::zeros(x.nrows())
    }
}
