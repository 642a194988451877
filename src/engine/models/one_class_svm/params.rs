//! Hyper-parameters of the One-Class SVM and their validation.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::model::{self, OneClassSvm};
use crate::engine::error::{FitError, ParamError};
use crate::engine::models::{check_contamination, DetectorParams, Fitted};
use crate::engine::progress::Progress;

/// The RBF kernel width `γ` in `K(x, y) = exp(−γ ‖x − y‖²)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Gamma {
    /// scikit-learn's default: `1 / (n_features · Var(X))`, the variance over every cell of the
    /// training matrix (1 when that variance is 0).
    #[default]
    Scale,
    /// `1 / n_features`.
    Auto,
    /// A fixed positive value.
    Value(f64),
}

/// Parameters of the One-Class SVM (ν formulation, RBF kernel).
///
/// Missing fields take their defaults when deserialized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OneClassSvmParams {
    /// Expected share of anomalies in (0, 0.5]; sets the threshold, and ν when `nu` is `None`.
    /// Default 0.15.
    pub contamination: f64,
    /// Seed of the training-row sample drawn when there are more than `max_train_rows` rows.
    /// Default 42.
    pub seed: u64,
    /// ν in (0, 1]: an upper bound on the share of training rows outside the boundary and a lower
    /// bound on the share of support vectors. `None` (default) uses `contamination`.
    pub nu: Option<f64>,
    /// Kernel width. Default [`Gamma::Scale`].
    pub gamma: Gamma,
    /// Stopping tolerance of the solver (libsvm's `eps`, scikit-learn's `tol`). Default 1e-3.
    pub tol: f64,
    /// Bound on solver iterations; when it is hit the model is kept and
    /// [`OneClassSvm::status`] says so (scikit-learn warns). Default 1,000,000.
    pub max_iter: u64,
    /// libsvm's shrinking heuristic (same solution, usually faster). Default true.
    pub shrinking: bool,
    /// Memory bound of the kernel-row cache in MiB (rows are `f32`, as libsvm's); never less than
    /// two rows. Default 32 (a 4096-row training set needs 64 MiB for all rows).
    pub cache_mb: u32,
    /// Largest training set handed to the solver: above it a sample of this many rows, drawn
    /// with `seed`, is trained on (every row is still scored). Default 4096.
    pub max_train_rows: usize,
}

impl Default for OneClassSvmParams {
    fn default() -> Self {
        Self {
            contamination: 0.15,
            seed: 42,
            nu: None,
            gamma: Gamma::Scale,
            tol: 1e-3,
            max_iter: 1_000_000,
            shrinking: true,
            cache_mb: 32,
            max_train_rows: 4096,
        }
    }
}

impl OneClassSvmParams {
    /// The ν the solver uses: `nu`, or `contamination` when unset.
    pub fn effective_nu(&self) -> f64 {
        self.nu.unwrap_or(self.contamination)
    }
}

impl DetectorParams for OneClassSvmParams {
    type Model = OneClassSvm;

    fn validate(&self, _n_rows: usize, _n_features: usize) -> Result<(), ParamError> {
        check_contamination(self.contamination)?;
        if let Some(nu) = self.nu {
            if !(nu > 0.0 && nu <= 1.0) {
                return Err(ParamError::new(
                    "nu",
                    format!("must be in (0, 1], got {nu}"),
                ));
            }
        }
        if let Gamma::Value(g) = self.gamma {
            if !(g > 0.0 && g.is_finite()) {
                return Err(ParamError::new(
                    "gamma",
                    format!("must be a positive number, got {g}"),
                ));
            }
        }
        if !(self.tol > 0.0 && self.tol.is_finite()) {
            return Err(ParamError::new(
                "tol",
                format!("must be a positive number, got {}", self.tol),
            ));
        }
        if self.max_iter == 0 {
            return Err(ParamError::new("max_iter", "must be at least 1"));
        }
        if self.max_train_rows < 2 {
            return Err(ParamError::new(
                "max_train_rows",
                format!("must be at least 2, got {}", self.max_train_rows),
            ));
        }
        Ok(())
    }

    fn fit_checked(
        &self,
        x: ArrayView2<'_, f64>,
        progress: &mut dyn Progress,
    ) -> Result<Fitted<OneClassSvm>, FitError> {
        model::fit(self, x, progress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(p: OneClassSvmParams) -> String {
        p.validate(100, 3)
            .map(|_| String::new())
            .unwrap_or_else(|e| e.field)
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(field_of(OneClassSvmParams::default()), "");
    }

    #[test]
    fn nu_must_be_in_zero_one() {
        for nu in [0.0, -0.1, 1.01, f64::NAN] {
            assert_eq!(
                field_of(OneClassSvmParams {
                    nu: Some(nu),
                    ..Default::default()
                }),
                "nu"
            );
        }
        assert_eq!(
            field_of(OneClassSvmParams {
                nu: Some(1.0),
                ..Default::default()
            }),
            ""
        );
    }

    #[test]
    fn gamma_must_be_positive() {
        for g in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(
                field_of(OneClassSvmParams {
                    gamma: Gamma::Value(g),
                    ..Default::default()
                }),
                "gamma"
            );
        }
        assert_eq!(
            field_of(OneClassSvmParams {
                gamma: Gamma::Value(0.5),
                ..Default::default()
            }),
            ""
        );
    }

    #[test]
    fn tol_must_be_positive() {
        for tol in [0.0, -1e-3, f64::NAN] {
            assert_eq!(
                field_of(OneClassSvmParams {
                    tol,
                    ..Default::default()
                }),
                "tol"
            );
        }
    }

    #[test]
    fn max_iter_cannot_be_zero() {
        assert_eq!(
            field_of(OneClassSvmParams {
                max_iter: 0,
                ..Default::default()
            }),
            "max_iter"
        );
    }

    #[test]
    fn max_train_rows_must_be_at_least_two() {
        assert_eq!(
            field_of(OneClassSvmParams {
                max_train_rows: 1,
                ..Default::default()
            }),
            "max_train_rows"
        );
        assert_eq!(
            field_of(OneClassSvmParams {
                max_train_rows: 2,
                ..Default::default()
            }),
            ""
        );
    }

    #[test]
    fn contamination_must_be_in_range() {
        for c in [0.0, 0.6, f64::NAN] {
            assert_eq!(
                field_of(OneClassSvmParams {
                    contamination: c,
                    ..Default::default()
                }),
                "contamination"
            );
        }
    }

    #[test]
    fn nu_defaults_to_contamination() {
        let p = OneClassSvmParams {
            contamination: 0.07,
            ..Default::default()
        };
        assert_eq!(p.effective_nu(), 0.07);
        assert_eq!(OneClassSvmParams { nu: Some(0.3), ..p }.effective_nu(), 0.3);
    }

    #[test]
    fn missing_fields_take_defaults() {
        let p: OneClassSvmParams =
            serde_json::from_str(r#"{"nu": 0.2, "gamma": {"value": 0.1}}"#).unwrap_or_default();
        assert_eq!(p.nu, Some(0.2));
        assert_eq!(p.gamma, Gamma::Value(0.1));
        assert_eq!(p.max_train_rows, 4096);
    }
}
