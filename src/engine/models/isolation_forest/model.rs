//! The fitted Isolation Forest: fitting, batch scoring and path attribution.

use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::params::IsolationForestParams;
use super::tree::{average_path_length, height_limit, Sample, Tree};
use crate::engine::error::{FitError, ParamError};
use crate::engine::math;
use crate::engine::models::{Calibration, Detector, DetectorKind, DetectorParams, Fitted};
use crate::engine::progress::{self, Progress, Stage};
use crate::engine::rng;

/// Rows scored together against all trees, so a block of rows stays in cache while every tree
/// walks it.
const ROW_BLOCK: usize = 256;

/// A fitted Isolation Forest (Liu, Ting & Zhou 2008).
///
/// # Algorithm
/// Anomalies are few and different, so random axis-parallel cuts isolate them in fewer steps than
/// normal points. Each of `n_trees` trees is grown on ψ rows drawn without replacement: at every
/// node a feature is drawn at random among those not constant over the node's rows (a node where
/// all are constant becomes a leaf, as in scikit-learn's random splitter) and split at a value
/// uniform between that feature's minimum and maximum there. Growth stops when a node holds one
/// row or reaches the height limit `ceil(log2 ψ)`. A row's path length `h(x)` in a tree is the
/// depth of the leaf it falls into plus `c(size)`, where `size` is the number of training rows in
/// that leaf and `c(n) = 2H(n−1) − 2(n−1)/n` ([`average_path_length`](super::average_path_length))
/// is the mean depth an unbuilt subtree would add. The score is
///
/// ```text
/// s(x) = 2^(−E[h(x)] / c(ψ))      ∈ (0, 1], higher = more anomalous
/// ```
///
/// which is exactly scikit-learn's `-IsolationForest.score_samples(x)`. The threshold is the
/// `(1 − contamination)` percentile of the training rows' scores, fixed at fit time.
///
/// # Parameters ([`IsolationForestParams`])
/// | field | default | meaning |
/// |---|---|---|
/// | `n_trees` | 100 | trees in the forest (sklearn `n_estimators`) |
/// | `max_samples` | `Auto` = min(256, n) | ψ, rows per tree: `Auto`, `Count(k)`, `Fraction(f)` |
/// | `max_features` | 1.0 | share of the features each tree may split on |
/// | `contamination` | 0.15 | expected anomaly share; sets the threshold |
/// | `seed` | 42 | tree `t` draws from `rng::derive_seed(seed, t)` |
///
/// Same data and seed give bit-identical scores on every target.
///
/// # Example
/// ```
/// use ndarray::Array2;
/// use netsift::engine::models::{Detector, DetectorParams, IsolationForestParams};
/// use netsift::engine::progress::NoProgress;
///
/// // A 10×10 grid of normal points and one far away.
/// let mut x = Array2::from_shape_fn((101, 2), |(i, j)| if j == 0 { (i % 10) as f64 } else { (i / 10) as f64 });
/// x[[100, 0]] = 40.0;
/// x[[100, 1]] = -30.0;
/// let params = IsolationForestParams { seed: 7, contamination: 0.05, ..Default::default() };
/// let fitted = params.fit(x.view(), &mut NoProgress).unwrap();
/// let scores = fitted.model.score(x.view()).unwrap();
/// let top = (0..101).max_by(|&a, &b| scores[a].total_cmp(&scores[b])).unwrap();
/// assert_eq!(top, 100);
/// assert!(scores[100] > fitted.model.threshold());
/// ```
///
/// # References
/// - F. T. Liu, K. M. Ting, Z.-H. Zhou, "Isolation Forest", ICDM 2008, pp. 413–422;
///   "Isolation-based anomaly detection", ACM TKDD 6(1), 2012.
/// - scikit-learn, `sklearn.ensemble.IsolationForest` (user guide §2.7.3.2, "Isolation Forest").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsolationForest {
    n_features: usize,
    /// ψ: rows each tree was grown on.
    max_samples: usize,
    trees: Vec<Tree>,
    calibration: Calibration,
}

impl DetectorParams for IsolationForestParams {
    type Model = IsolationForest;

    fn validate(&self, _n_rows: usize, _n_features: usize) -> Result<(), ParamError> {
        self.check()
    }

    fn fit_checked(
        &self,
        x: ArrayView2<'_, f64>,
        progress: &mut dyn Progress,
    ) -> Result<Fitted<IsolationForest>, FitError> {
        let (n, d) = x.dim();
        let psi = self.max_samples.resolve(n);
        let max_depth = height_limit(psi);
        let n_sub = self.features_per_tree(d);
        let total = self.n_trees as u64;
        let stage = Stage::Fit(DetectorKind::IsolationForest);
        progress::report(progress, stage, 0, total, FitError::Cancelled)?;

        let all_features: Vec<u32> = (0..d as u32).collect();
        let mut sample = vec![0.0; psi * d];
        let mut trees = Vec::new();
        for t in 0..self.n_trees {
            let mut r = rng::seeded(rng::derive_seed(self.seed, t as u64));
            let rows = rng::sample_indices(&mut r, n, psi);
            for (k, &i) in rows.iter().enumerate() {
                for (dst, src) in sample[k * d..(k + 1) * d].iter_mut().zip(x.row(i)) {
                    *dst = *src;
                }
            }
            let features: Vec<u32> = if n_sub < d {
                rng::sample_indices(&mut r, d, n_sub)
                    .into_iter()
                    .map(|f| f as u32)
                    .collect()
            } else {
                all_features.clone()
            };
            let sample = Sample {
                values: &sample,
                width: d,
            };
            trees.push(Tree::grow(&sample, &features, max_depth, &mut r));
            progress::report(progress, stage, t as u64 + 1, total, FitError::Cancelled)?;
        }

        let mut model = IsolationForest {
            n_features: d,
            max_samples: psi,
            trees,
            calibration: Calibration::from_scores(&[], self.contamination),
        };
        let train_scores = model.score_checked(x);
        model.calibration = Calibration::from_scores(&train_scores.to_vec(), self.contamination);
        Ok(Fitted {
            model,
            train_scores,
        })
    }
}

impl IsolationForest {
    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }

    /// ψ, the number of rows each tree was grown on.
    pub fn max_samples(&self) -> usize {
        self.max_samples
    }

    /// `c(n)` for every leaf size a tree can have (0..=ψ).
    fn c_table(&self) -> Vec<f64> {
        (0..=self.max_samples).map(average_path_length).collect()
    }

    /// Mean path length `E[h(x)]` over the trees for each row (rows of width `n_features`).
    pub fn mean_path_lengths(&self, x: ArrayView2<'_, f64>) -> Array1<f64> {
        let sums = self.path_length_sums(x);
        let t = self.trees.len().max(1) as f64;
        sums.mapv(|s| s / t)
    }

    /// Sum over trees of each row's path length, trees added in order.
    fn path_length_sums(&self, x: ArrayView2<'_, f64>) -> Array1<f64> {
        let x = x.as_standard_layout();
        let d = x.ncols();
        let c_table = self.c_table();
        let mut sums = Array1::<f64>::zeros(x.nrows());
        let Some(values) = x.as_slice() else {
            return sums;
        };
        let Some(out) = sums.as_slice_mut() else {
            return sums;
        };
        if d == 0 {
            return sums;
        }
        for (block, out) in values.chunks(ROW_BLOCK * d).zip(out.chunks_mut(ROW_BLOCK)) {
            for tree in &self.trees {
                for (row, acc) in block.chunks_exact(d).zip(out.iter_mut()) {
                    *acc += tree.path_length(row, &c_table);
                }
            }
        }
        sums
    }

    /// Per-feature share of how much each feature isolated `row` (sums to 1; all zeros when the
    /// row was never split, e.g. every tree is a single leaf).
    ///
    /// Definition: walking `row` down every tree, a split on feature `f` at a node holding `m`
    /// training rows that sends `row` to a child holding `m'` rows credits `f` with
    /// `log2(m / m')` bits — the share of the node's rows that split cut away from `row`. A split
    /// that peels `row` off alone from a large node earns many bits; a split that merely halves
    /// the node earns one. The credits are summed over the trees and normalised to sum to 1. Per
    /// tree they add up to `log2(ψ / leaf size)`, so features that isolate the row early (short
    /// path, small leaf) get the largest shares; this is the path-based explanation of the score.
    pub fn path_attribution(&self, row: ArrayView1<'_, f64>) -> Vec<f64> {
        let row: Vec<f64> = row.iter().copied().collect();
        let mut out = vec![0.0; self.n_features];
        for tree in &self.trees {
            tree.add_attribution(&row, &mut out);
        }
        let total: f64 = out.iter().sum();
        if total > 0.0 {
            for v in &mut out {
                *v /= total;
            }
        }
        out
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

    /// `2^(−Σₜ hₜ(x) / (T · c(ψ)))`, as scikit-learn computes `-score_samples`; 0.5 when
    /// `c(ψ) = 0` (ψ = 1).
    fn score_checked(&self, x: ArrayView2<'_, f64>) -> Array1<f64> {
        let sums = self.path_length_sums(x);
        let denominator = self.trees.len() as f64 * average_path_length(self.max_samples);
        sums.mapv(|s| {
            let ratio = if denominator != 0.0 {
                s / denominator
            } else {
                1.0
            };
            math::exp2(-ratio)
        })
    }
}

// Checks of a saved model, in their own file.
#[path = "validate.rs"]
mod validate;

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use ndarray::{Array2, Axis, ShapeBuilder, Slice};

    use super::*;
    use crate::engine::models::isolation_forest::MaxSamples;
    use crate::engine::progress::{NoProgress, ProgressEvent};

    /// 500 rows of 4 standard-normal features, row 0 moved far out in feature 2.
    fn data(seed: u64) -> Array2<f64> {
        let mut r = rng::seeded(seed);
        let mut x = Array2::from_shape_fn((500, 4), |_| rng::standard_normal(&mut r));
        x[[0, 2]] = 12.0;
        x
    }

    fn fit(p: &IsolationForestParams, x: &Array2<f64>) -> Fitted<IsolationForest> {
        p.fit(x.view(), &mut NoProgress).expect("fit")
    }

    #[test]
    fn obvious_outlier_ranks_first() {
        let x = data(1);
        let f = fit(&IsolationForestParams::default(), &x);
        let s = f.model.score(x.view()).expect("score");
        let top = (0..s.len()).max_by(|&a, &b| s[a].total_cmp(&s[b]));
        assert_eq!(top, Some(0));
        assert!(f.model.calibration().is_anomaly(s[0]));
    }

    #[test]
    fn train_scores_are_scores_of_all_fit_rows_in_order() {
        let x = data(2);
        let f = fit(&IsolationForestParams::default(), &x);
        assert_eq!(f.train_scores, f.model.score(x.view()).expect("score"));
        assert!(f.train_scores.iter().all(|s| *s > 0.0 && *s <= 1.0));
    }

    #[test]
    fn threshold_flags_the_contamination_share_of_training_rows() {
        let x = data(3);
        let p = IsolationForestParams {
            contamination: 0.1,
            ..Default::default()
        };
        let f = fit(&p, &x);
        let flagged = f
            .train_scores
            .iter()
            .filter(|s| f.model.calibration().is_anomaly(**s))
            .count();
        assert!((45..=50).contains(&flagged), "{flagged}");
    }

    #[test]
    fn same_seed_gives_identical_scores() {
        let x = data(4);
        let p = IsolationForestParams::default();
        let a = fit(&p, &x).train_scores;
        let b = fit(&p, &x).train_scores;
        assert_eq!(
            a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            b.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn different_seed_gives_different_scores() {
        let x = data(5);
        let a = fit(&IsolationForestParams::default(), &x).train_scores;
        let p = IsolationForestParams {
            seed: 43,
            ..Default::default()
        };
        let b = fit(&p, &x).train_scores;
        assert_ne!(a, b);
    }

    #[test]
    fn serde_round_trip_keeps_scores() {
        let x = data(6);
        let m = fit(&IsolationForestParams::default(), &x).model;
        let json = serde_json::to_string(&m).expect("to json");
        let back: IsolationForest = serde_json::from_str(&json).expect("from json");
        assert_eq!(back, m);
        assert_eq!(back.score(x.view()), m.score(x.view()));
        let bytes = postcard::to_allocvec(&m).expect("to postcard");
        let back: IsolationForest = postcard::from_bytes(&bytes).expect("from postcard");
        assert_eq!(back, m);
    }

    #[test]
    fn non_standard_layout_scores_the_same() {
        let x = data(7);
        let m = fit(&IsolationForestParams::default(), &x).model;
        let mut fortran = Array2::zeros((500, 4).f());
        fortran.assign(&x);
        assert!(!fortran.is_standard_layout());
        assert_eq!(m.score(fortran.view()), m.score(x.view()));
        // Scoring a subset gives the same scores as in the full batch (no batch dependence).
        let part = m
            .score(x.slice_axis(Axis(0), Slice::from(10..20)))
            .expect("score");
        let full = m.score(x.view()).expect("score");
        assert_eq!(
            part,
            full.slice_axis(Axis(0), Slice::from(10..20)).to_owned()
        );
    }

    #[test]
    fn height_limit_and_sample_size_follow_max_samples() {
        let x = data(8);
        let p = IsolationForestParams {
            max_samples: MaxSamples::Fraction(0.5),
            n_trees: 7,
            ..Default::default()
        };
        let m = fit(&p, &x).model;
        assert_eq!(m.max_samples(), 250);
        assert_eq!(m.n_trees(), 7);
        // Path lengths never exceed the height limit plus c(ψ).
        let limit = f64::from(height_limit(250)) + average_path_length(250);
        assert!(m.mean_path_lengths(x.view()).iter().all(|h| *h <= limit));
    }

    #[test]
    fn single_row_sample_scores_one_half() {
        let x = data(9);
        let p = IsolationForestParams {
            max_samples: MaxSamples::Count(1),
            n_trees: 3,
            ..Default::default()
        };
        let f = fit(&p, &x);
        assert!(f.train_scores.iter().all(|s| *s == 0.5));
    }

    #[test]
    fn max_features_restricts_each_tree() {
        let x = data(10);
        let p = IsolationForestParams {
            max_features: 0.5,
            ..Default::default()
        };
        let f = fit(&p, &x);
        assert!(f.train_scores.iter().all(|s| s.is_finite()));
        assert_ne!(f.train_scores, fit(&Default::default(), &x).train_scores);
    }

    #[test]
    fn constant_columns_are_never_split() {
        let mut x = data(11);
        x.column_mut(1).fill(5.0);
        let m = fit(&IsolationForestParams::default(), &x).model;
        for row in x.axis_iter(Axis(0)).take(50) {
            assert_eq!(m.path_attribution(row)[1], 0.0);
        }
    }

    #[test]
    fn path_attribution_points_at_the_deviating_feature() {
        let x = data(12);
        let m = fit(&IsolationForestParams::default(), &x).model;
        let a = m.path_attribution(x.row(0));
        assert_eq!(a.len(), 4);
        assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let top = (0..4).max_by(|&i, &j| a[i].total_cmp(&a[j]));
        assert_eq!(top, Some(2), "{a:?}");
        assert!(a[2] > 0.5, "{a:?}");
    }

    #[test]
    fn progress_reports_each_tree_and_can_cancel() {
        let x = data(13);
        let p = IsolationForestParams {
            n_trees: 5,
            ..Default::default()
        };
        let mut seen = Vec::new();
        let mut sink = |e: ProgressEvent| {
            seen.push((e.done, e.total));
            ControlFlow::Continue(())
        };
        p.fit(x.view(), &mut sink).expect("fit");
        assert_eq!(seen, (0..=5).map(|t| (t, 5)).collect::<Vec<_>>());
        let mut stop = |e: ProgressEvent| {
            if e.done >= 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        assert_eq!(p.fit(x.view(), &mut stop).err(), Some(FitError::Cancelled));
    }

    #[test]
    fn bad_input_gives_typed_errors() {
        let x = data(14);
        let m = fit(&IsolationForestParams::default(), &x).model;
        let narrow = Array2::<f64>::zeros((3, 2));
        assert!(matches!(
            m.score(narrow.view()),
            Err(crate::engine::error::InputError::WidthMismatch { .. })
        ));
        let mut nan = x.clone();
        nan[[3, 1]] = f64::NAN;
        assert!(matches!(
            IsolationForestParams::default().fit(nan.view(), &mut NoProgress),
            Err(FitError::Input(_))
        ));
        let empty = Array2::<f64>::zeros((0, 4));
        assert!(IsolationForestParams::default()
            .fit(empty.view(), &mut NoProgress)
            .is_err());
    }
}
