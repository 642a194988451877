//! Local Outlier Factor (Breunig, Kriegel, Ng & Sander 2000), computed exactly as scikit-learn's
//! `LocalOutlierFactor` does.
//!
//! # Algorithm
//! With `k` = `n_neighbors`, Euclidean distance `d` and `N_k(p)` the `k` nearest reference rows of
//! `p` (a training row never counts as its own neighbour; ties go to the lower row index):
//!
//! - k-distance(o) = distance of reference row `o` to its k-th neighbour;
//! - reach(p, o) = max(k-distance(o), d(p, o));
//! - lrd(p) = 1 / (mean over `o ∈ N_k(p)` of reach(p, o) + 1e-10) — the 1e-10 keeps rows with `k`
//!   exact duplicates finite (lrd = 1e10), as in scikit-learn;
//! - LOF(p) = mean over `o ∈ N_k(p)` of lrd(o) / lrd(p). About 1 inside a cluster, large for outliers.
//!
//! Training rows get their outlier factor with themselves excluded (scikit-learn's
//! `-negative_outlier_factor_`); new rows get the novelty factor against the reference rows
//! (`-score_samples(x)` with `novelty=True`), except exact copies of a reference row (see below).
//! Both are checked against scikit-learn 1.7.2 within
//! 1e-6 on the fixtures in `tests/fixtures/sklearn/lof.json`. Distances are exact sequential sums
//! `Σ (a_j − b_j)²` (no `‖a‖² + ‖b‖² − 2a·b` shortcut), matching scikit-learn's tree searches bit for
//! bit; scikit-learn's brute-force path uses the shortcut and can give duplicates a tiny non-zero
//! distance, which changes their density by orders of magnitude.
//!
//! # Scoring is a pure function of the model and the row
//! A saved model (a restored workspace, an imported model file) must give the training rows the
//! scores they got when it was fitted, and give any file the same scores whoever scores it. So
//! the model decides from the row alone: **a row exactly equal to a reference row is that row**
//! and leaves it out of its neighbours (leave-one-out, the fit-time score); every other row is a
//! novelty. "Exactly equal" means the same bits in every feature (`-0.0` counts as `0.0`, as both
//! give the same distances), found by a hash of the reference rows, not by a zero distance, which
//! a difference below 1e-162 also gives. With several equal reference rows the lowest index is
//! left out; equal rows have the same k-distance and density, so which one does not change a bit.
//! Training rows outside a capped reference set are scored through the same function at fit time,
//! so a copy of a reference row among them gets that row's score.
//!
//! Storing each training row's score would not do: an imported model scoring new data that
//! contains training rows would still score those as novelties. The price of the rule: a new row
//! that happens to equal a reference row gets the reference row's own score rather than
//! scikit-learn's novelty score (which counts the copy as a neighbour at distance 0, and is
//! lower). The scikit-learn fixture `duplicates_k*` has such test rows: they match scikit-learn's
//! training score of the row they copy; every other row matches its novelty score, within 1e-6.
//!
//! # Reference set
//! Exact k-NN is `O(rows × reference rows × features)`. When the training set has more than
//! `max_reference_rows` rows, a seeded uniform subsample of that size is the reference set: its
//! rows get self-excluded scores, every other training row gets a novelty score against it, so
//! `train_scores` still holds one score per training row. The k-NN search is blocked brute force
//! with partial-distance early exit ([`knn`]): on standard-scaled one-hot network data it beats
//! tree searches. Time grows linearly with the cap and quality does not, hence the default of
//! 1,000 reference rows. The measurements behind both choices are in `docs/decisions.md`
//! ("Local Outlier Factor").
//!
//! # Parameters
//! See [`LofParams`]: `n_neighbors` = 20, `max_reference_rows` = 1000, `contamination` = 0.15,
//! `seed` = 42.
//!
//! # Example
//! ```
//! use ndarray::Array2;
//! use netsift::engine::models::{Detector, DetectorParams, LofParams};
//! use netsift::engine::progress::NoProgress;
//! use netsift::engine::rng;
//!
//! let mut r = rng::seeded(7);
//! let mut x = Array2::from_shape_fn((200, 2), |_| rng::normal(&mut r, 0.0, 1.0));
//! x[[0, 0]] = 8.0; // an obvious outlier
//! let params = LofParams { n_neighbors: 10, seed: 7, ..LofParams::default() };
//! let fitted = params.fit(x.view(), &mut NoProgress).unwrap();
//! let top = fitted.train_scores.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
//! assert_eq!(top, 0);
//! assert!(fitted.model.threshold() > 1.0);
//! ```
//!
//! # References
//! - M. M. Breunig, H.-P. Kriegel, R. T. Ng, J. Sander. "LOF: Identifying Density-Based Local
//!   Outliers." SIGMOD 2000.
//! - scikit-learn `sklearn.neighbors.LocalOutlierFactor` (1.7.2).

pub mod knn;
mod model;
mod params;

pub use self::model::{Lof, LRD_EPSILON};
pub use self::params::{LofParams, DEFAULT_MAX_REFERENCE_ROWS, DEFAULT_N_NEIGHBORS};
