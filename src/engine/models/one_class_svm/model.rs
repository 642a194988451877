//! The fitted One-Class SVM: support vectors, their coefficients and `ρ`; fitting and scoring.

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::kernel::{self, KernelQ};
use super::params::{Gamma, OneClassSvmParams};
use super::solver::{self, SolverSettings};
use crate::engine::error::{FitError, InputError};
use crate::engine::math;
use crate::engine::models::{Calibration, Detector, DetectorKind, Fitted};
use crate::engine::progress::{self, Progress, Stage};
use crate::engine::rng;

/// Rows scored between two progress reports while scoring the training matrix.
const SCORE_CHUNK: usize = 4096;

/// How the solver ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SolverStatus {
    /// The optimality violation fell below `tol`.
    Converged,
    /// `max_iter` stopped the solver first; the model is usable but not optimal
    /// (scikit-learn keeps it too, with a warning).
    MaxIterReached,
}

/// A fitted One-Class SVM (see the [module docs](super) for the algorithm).
///
/// Decision value `f(x) = Σᵢ αᵢ K(svᵢ, x) − ρ` (positive inside the learned region); the score
/// is `−f(x)`, so higher means more anomalous.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneClassSvm {
    n_features: usize,
    gamma: f64,
    nu: f64,
    rho: f64,
    /// Support vectors, row-major (`n_support × n_features`).
    support: Vec<f64>,
    /// `‖sv‖²` per support vector.
    support_sq: Vec<f64>,
    /// `αᵢ` per support vector (libsvm's scaling: `0 < αᵢ ≤ 1`, `Σ αᵢ = ν·l`).
    dual_coef: Vec<f64>,
    /// Row of each support vector in the matrix passed to `fit`.
    support_rows: Vec<usize>,
    n_train: usize,
    n_iter: u64,
    status: SolverStatus,
    calibration: Calibration,
}

/// Fits on a checked matrix (see [`OneClassSvmParams`]).
pub(super) fn fit(
    params: &OneClassSvmParams,
    x: ArrayView2<'_, f64>,
    progress: &mut dyn Progress,
) -> Result<Fitted<OneClassSvm>, FitError> {
    let (n, d) = x.dim();
    let rows: Vec<usize> = if n > params.max_train_rows {
        let mut r = rng::sample_indices(&mut rng::seeded(params.seed), n, params.max_train_rows);
        r.sort_unstable();
        r
    } else {
        (0..n).collect()
    };
    let mut data = Vec::with_capacity(rows.len() * d);
    for &r in &rows {
        data.extend(x.row(r).iter().copied());
    }
    let gamma = match params.gamma {
        Gamma::Scale => kernel::scale_gamma(&data, d),
        Gamma::Auto => 1.0 / d as f64,
        Gamma::Value(g) => g,
    };
    let nu = params.effective_nu();
    let cache_bytes = u64::from(params.cache_mb) << 20;
    let q = KernelQ::new(data, d, gamma, cache_bytes);
    let settings = SolverSettings {
        eps: params.tol,
        shrinking: params.shrinking,
        max_iter: params.max_iter,
    };
    let sol = solver::solve_one_class(q, nu, settings, progress)?;

    let mut support = Vec::new();
    let mut support_sq = Vec::new();
    let mut dual_coef = Vec::new();
    let mut support_rows = Vec::new();
    for (k, &a) in sol.alpha.iter().enumerate() {
        if a > 0.0 {
            let row: Vec<f64> = x.row(rows[k]).to_vec();
            support_sq.push(kernel::dot4(&row, &row));
            support.extend(row);
            dual_coef.push(a);
            support_rows.push(rows[k]);
        }
    }
    let mut model = OneClassSvm {
        n_features: d,
        gamma,
        nu,
        rho: sol.rho,
        support,
        support_sq,
        dual_coef,
        support_rows,
        n_train: rows.len(),
        n_iter: sol.n_iter,
        status: if sol.hit_max_iter {
            SolverStatus::MaxIterReached
        } else {
            SolverStatus::Converged
        },
        calibration: Calibration {
            contamination: params.contamination,
            threshold: f64::NAN,
            quantiles: Vec::new(),
        },
    };

    let mut train_scores = vec![0.0; n];
    let stage = Stage::Score(DetectorKind::OneClassSvm);
    let mut start = 0;
    while start < n {
        progress::report(progress, stage, start as u64, n as u64, FitError::Cancelled)?;
        let end = (start + SCORE_CHUNK).min(n);
        let chunk = x.slice_axis(ndarray::Axis(0), ndarray::Slice::from(start..end));
        model.scores_into(chunk, &mut train_scores[start..end]);
        start = end;
    }
    progress::report(progress, stage, n as u64, n as u64, FitError::Cancelled)?;
    model.calibration = Calibration::from_scores(&train_scores, params.contamination);
    Ok(Fitted {
        model,
        train_scores: Array1::from(train_scores),
    })
}

impl OneClassSvm {
    /// Kernel width used.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// ν used.
    pub fn nu(&self) -> f64 {
        self.nu
    }

    /// Offset `ρ` of the decision function (scikit-learn's `offset_`).
    pub fn rho(&self) -> f64 {
        self.rho
    }

    /// Number of support vectors.
    pub fn n_support(&self) -> usize {
        self.dual_coef.len()
    }

    /// Row of each support vector in the matrix passed to `fit` (scikit-learn's `support_`).
    pub fn support_rows(&self) -> &[usize] {
        &self.support_rows
    }

    /// `αᵢ` of each support vector (scikit-learn's `dual_coef_`).
    pub fn dual_coef(&self) -> &[f64] {
        &self.dual_coef
    }

    /// Rows the solver trained on (the fit matrix, or the sample of `max_train_rows`).
    pub fn n_train_rows(&self) -> usize {
        self.n_train
    }

    /// Solver iterations.
    pub fn n_iter(&self) -> u64 {
        self.n_iter
    }

    /// Whether the solver converged or hit `max_iter`.
    pub fn status(&self) -> SolverStatus {
        self.status
    }

    /// scikit-learn's `decision_function`: `Σᵢ αᵢ K(svᵢ, x) − ρ` per row (positive = inlier).
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>, InputError> {
        Ok(self.score(x)?.mapv(|s| -s))
    }

    /// Writes `ρ − Σᵢ αᵢ K(svᵢ, x)` for each row of `x` into `out` (same length).
    fn scores_into(&self, x: ArrayView2<'_, f64>, out: &mut [f64]) {
        let d = self.n_features;
        let mut buf = vec![0.0; d];
        let mut dots = vec![0.0; self.dual_coef.len()];
        for (row, o) in x.outer_iter().zip(out.iter_mut()) {
            let r: &[f64] = match row.as_slice() {
                Some(s) => s,
                None => {
                    for (b, v) in buf.iter_mut().zip(row.iter()) {
                        *b = *v;
                    }
                    &buf
                }
            };
            let sq = kernel::dot4(r, r);
            let mut svs = self.support.chunks_exact(d.max(1));
            let mut quads = dots.chunks_exact_mut(4);
            for q in &mut quads {
                let (Some(a), Some(b), Some(c), Some(e)) =
                    (svs.next(), svs.next(), svs.next(), svs.next())
                else {
                    break;
                };
                q.copy_from_slice(&kernel::dot_x4(r, [a, b, c, e]));
            }
            for (o, sv) in quads.into_remainder().iter_mut().zip(svs) {
                *o = kernel::dot4(r, sv);
            }
            let mut sum = 0.0;
            for (((sv, &dt), &sv_sq), &a) in self
                .support
                .chunks_exact(d.max(1))
                .zip(&dots)
                .zip(&self.support_sq)
                .zip(&self.dual_coef)
            {
                let d2 = sq + sv_sq - 2.0 * dt;
                // the norm identity can dip below 0 by rounding, or overflow to NaN (∞ − ∞)
                let d2 = if d2.is_nan() {
                    kernel::squared_distance(r, sv)
                } else {
                    d2.max(0.0)
                };
                sum += a * math::exp(-self.gamma * d2);
            }
            *o = self.rho - sum;
        }
    }
}

impl Detector for OneClassSvm {
    fn kind(&self) -> DetectorKind {
        DetectorKind::OneClassSvm
    }

    fn n_features(&self) -> usize {
        self.n_features
    }

    fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    fn score_checked(&self, x: ArrayView2<'_, f64>) -> Array1<f64> {
        let mut out = vec![0.0; x.nrows()];
        self.scores_into(x, &mut out);
        Array1::from(out)
    }
}

// Checks of a saved model, in their own file.
#[path = "validate.rs"]
mod validate;
