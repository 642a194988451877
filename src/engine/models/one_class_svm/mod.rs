//! One-Class SVM (Schölkopf et al. 2001), ν formulation with an RBF kernel, solved by SMO as
//! libsvm does, so its decision function matches scikit-learn's
//! `OneClassSVM(kernel="rbf").decision_function` (checked to 1e-3 on fixtures, achieved ≈1e-7).
//!
//! # Algorithm
//! The dual in libsvm's scaling,
//!
//! ```text
//! min ½ αᵀQα   subject to   0 ≤ αᵢ ≤ 1,   Σ αᵢ = ν·l,   Qᵢⱼ = K(xᵢ, xⱼ) = exp(−γ ‖xᵢ − xⱼ‖²)
//! ```
//!
//! is solved by sequential minimal optimisation with second-order working-set selection
//! (Fan, Chen & Lin 2005), libsvm's shrinking and its kernel cache: kernel rows are computed on
//! demand as `exp(−γ (‖xᵢ‖² + ‖xⱼ‖² − 2 xᵢ·xⱼ))` with precomputed squared norms, rounded to `f32`
//! like libsvm's `Qfloat`, and kept in a least-recently-used cache bounded by `cache_mb` (a
//! full `f64` matrix for 4096 rows would take 128 MiB of a browser tab). All other arithmetic
//! is `f64`. `ρ` is the mean gradient over free support vectors (the midpoint of the bounds
//! when none is free). Only the support vectors (`αᵢ > 0`) are kept.
//!
//! Decision value `f(x) = Σᵢ αᵢ K(svᵢ, x) − ρ`; **score = `−f(x)`**, higher = more anomalous.
//!
//! # Training-set cap
//! SMO costs roughly O(l²) kernel evaluations, so at most `max_train_rows` rows (default 2048)
//! are trained on: above that a uniform sample drawn with `seed` (kept in row order) is used, and
//! `γ = scale` is computed on that sample (the model is exactly scikit-learn's fitted on those
//! rows). [`Fitted::train_scores`](crate::engine::models::Fitted) still holds a score for
//! **every** row of the matrix passed to `fit`, in its order: the rows outside the sample are
//! scored with the fitted model like any other row, and the threshold is the
//! `(1 − contamination)` percentile of all of them.
//!
//! # Parameters (defaults)
//! See [`OneClassSvmParams`]: `nu` = `contamination` (0.15), `gamma` = `scale`, `tol` = 1e-3,
//! `max_iter` = 1,000,000 (hitting it sets [`SolverStatus::MaxIterReached`]), `shrinking` = true,
//! `cache_mb` = 16, `max_train_rows` = 2048, `seed` = 42.
//!
//! The cap of 2,048 rows is measured: on NSL-KDD a larger training set did not raise ROC-AUC and
//! only cost time (SMO grows ~l², scoring with the number of support vectors ≈ ν·l). The table is
//! in `docs/decisions.md` ("One-Class SVM").
//!
//! # Example
//! ```
//! use ndarray::Array2;
//! use netsift::engine::models::{Detector, DetectorParams, OneClassSvmParams};
//! use netsift::engine::progress::NoProgress;
//! use netsift::engine::rng;
//!
//! let mut r = rng::seeded(7);
//! let mut x = Array2::from_shape_fn((200, 3), |_| rng::normal(&mut r, 0.0, 1.0));
//! x.row_mut(0).fill(8.0); // an obvious outlier
//! let params = OneClassSvmParams { contamination: 0.05, seed: 7, ..Default::default() };
//! let fitted = params.fit(x.view(), &mut NoProgress).unwrap();
//! let scores = fitted.model.score(x.view()).unwrap();
//! let top = (0..200).max_by(|&a, &b| scores[a].total_cmp(&scores[b])).unwrap();
//! assert_eq!(top, 0);
//! assert!(fitted.model.threshold() < scores[0]);
//! ```
//!
//! # References
//! * B. Schölkopf, J. Platt, J. Shawe-Taylor, A. Smola, R. Williamson, "Estimating the support
//!   of a high-dimensional distribution", Neural Computation 13(7), 2001.
//! * R.-E. Fan, P.-H. Chen, C.-J. Lin, "Working set selection using second order information for
//!   training support vector machines", JMLR 6, 2005.
//! * C.-C. Chang, C.-J. Lin, "LIBSVM: a library for support vector machines", ACM TIST 2(3), 2011.

mod kernel;
mod model;
mod params;
mod solver;

pub use self::model::{OneClassSvm, SolverStatus};
pub use self::params::{Gamma, OneClassSvmParams};
