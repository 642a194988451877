//! The fitted LOF model: the reference rows with their k-distances and local reachability
//! densities, and novelty scoring of new rows against them.

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::knn::{self, Blocks, KBest};
use crate::engine::math;
use crate::engine::models::{Calibration, Detector, DetectorKind};

/// Added to the mean reachability distance before inverting it, as scikit-learn does, so that a
/// row with `k` exact duplicates gets a large but finite density (1e10).
pub const LRD_EPSILON: f64 = 1e-10;

/// A fitted Local Outlier Factor model.
///
/// Scores new rows by novelty LOF (scikit-learn `-score_samples` with `novelty=True`): the mean of
/// the neighbours' local reachability densities over the row's own, with neighbours taken among
/// the reference rows. Serialized with its reference rows (`n_reference × n_features` numbers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "LofData")]
pub struct Lof {
    n_features: usize,
    n_neighbors: usize,
    /// The reference rows (the training rows, or a seeded subsample of them).
    reference: Array2<f64>,
    /// Distance of each reference row to its k-th neighbour among the other reference rows.
    k_distance: Vec<f64>,
    /// Local reachability density of each reference row.
    lrd: Vec<f64>,
    calibration: Calibration,
}

/// The serialized form, checked for consistency before it becomes a [`Lof`].
#[derive(Deserialize)]
struct LofData {
    n_features: usize,
    n_neighbors: usize,
    reference: Array2<f64>,
    k_distance: Vec<f64>,
    lrd: Vec<f64>,
    calibration: Calibration,
}

impl TryFrom<LofData> for Lof {
    type Error = String;

    fn try_from(d: LofData) -> Result<Self, String> {
        let n_ref = d.reference.nrows();
        if d.reference.ncols() != d.n_features || d.n_features == 0 {
            return Err(format!(
                "LOF model: reference rows have {} features, expected {}",
                d.reference.ncols(),
                d.n_features
            ));
        }
        if d.n_neighbors == 0 || d.n_neighbors > n_ref || n_ref > u32::MAX as usize {
            return Err(format!(
                "LOF model: k = {} does not fit {} reference rows",
                d.n_neighbors, n_ref
            ));
        }
        if d.k_distance.len() != n_ref || d.lrd.len() != n_ref {
            return Err(
                "LOF model: k-distances or densities do not match the reference rows".into(),
            );
        }
        Ok(Self {
            n_features: d.n_features,
            n_neighbors: d.n_neighbors,
            reference: d.reference,
            k_distance: d.k_distance,
            lrd: d.lrd,
            calibration: d.calibration,
        })
    }
}

impl Lof {
    pub(super) fn from_parts(
        reference: Array2<f64>,
        n_neighbors: usize,
        k_distance: Vec<f64>,
        lrd: Vec<f64>,
        calibration: Calibration,
    ) -> Self {
        Self {
            n_features: reference.ncols(),
            n_neighbors,
            reference,
            k_distance,
            lrd,
            calibration,
        }
    }

    pub(super) fn with_calibration(mut self, calibration: Calibration) -> Self {
        self.calibration = calibration;
        self
    }

    /// Number of neighbours `k`.
    pub fn n_neighbors(&self) -> usize {
        self.n_neighbors
    }

    /// Number of reference rows kept.
    pub fn n_reference(&self) -> usize {
        self.reference.nrows()
    }

    /// Novelty scores of `x` against the reference rows laid out in `blocks`.
    pub(super) fn score_with(&self, blocks: &Blocks, x: ArrayView2<'_, f64>) -> Vec<f64> {
        knn::k_nearest(blocks, x, self.n_neighbors, None)
            .iter()
            .map(|best| {
                outlier_factor(
                    best,
                    local_reachability_density(best, &self.k_distance),
                    &self.lrd,
                )
            })
            .collect()
    }
}

/// `1 / (mean_o max(k-distance(o), d(p, o)) + 1e-10)` over the neighbours `o` of `p`.
pub(super) fn local_reachability_density(best: &KBest, k_distance: &[f64]) -> f64 {
    let mut sum = 0.0;
    for (&d2, &o) in best.sq_dist.iter().zip(&best.index) {
        let reach = k_distance
            .get(o as usize)
            .copied()
            .unwrap_or(f64::INFINITY)
            .max(math::sqrt(d2));
        sum += reach;
    }
    1.0 / (sum / best.sq_dist.len() as f64 + LRD_EPSILON)
}

/// `mean_o lrd(o) / lrd(p)` over the neighbours `o` of `p`.
pub(super) fn outlier_factor(best: &KBest, own_lrd: f64, lrd: &[f64]) -> f64 {
    let mut sum = 0.0;
    for &o in &best.index {
        sum += lrd.get(o as usize).copied().unwrap_or(0.0) / own_lrd;
    }
    sum / best.index.len() as f64
}

impl Detector for Lof {
    fn kind(&self) -> DetectorKind {
        DetectorKind::Lof
    }

    fn n_features(&self) -> usize {
        self.n_features
    }

    fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    fn score_checked(&self, x: ArrayView2<'_, f64>) -> Array1<f64> {
        let blocks = Blocks::new(self.reference.view());
        Array1::from(self.score_with(&blocks, x))
    }
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use ndarray::{Array2, Axis};

    use super::*;
    use crate::engine::error::FitError;
    use crate::engine::models::{DetectorParams, LofParams};
    use crate::engine::progress::{NoProgress, ProgressEvent, Stage};
    use crate::engine::rng;

    fn blob(n: usize, d: usize, seed: u64) -> Array2<f64> {
        let mut r = rng::seeded(seed);
        Array2::from_shape_fn((n, d), |_| rng::normal(&mut r, 0.0, 1.0))
    }

    fn params(k: usize, cap: usize) -> LofParams {
        LofParams {
            n_neighbors: k,
            max_reference_rows: cap,
            ..LofParams::default()
        }
    }

    #[test]
    fn obvious_outlier_ranks_first_in_training_and_novelty_scores() {
        let mut x = blob(300, 4, 1);
        x.row_mut(123).fill(9.0);
        let fitted = params(20, 1000).fit(x.view(), &mut NoProgress).unwrap();
        let argmax = |s: &[f64]| {
            s.iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|m| m.0)
        };
        assert_eq!(argmax(fitted.train_scores.as_slice().unwrap()), Some(123));
        let mut new = blob(50, 4, 2);
        new.row_mut(7).fill(-9.0);
        let scores = fitted.model.score(new.view()).unwrap();
        assert_eq!(argmax(scores.as_slice().unwrap()), Some(7));
        assert!(fitted.model.calibration().is_anomaly(scores[7]));
    }

    #[test]
    fn same_seed_gives_bit_identical_scores() {
        let x = blob(500, 5, 3);
        let p = params(10, 200);
        let a = p.fit(x.view(), &mut NoProgress).unwrap();
        let b = p.fit(x.view(), &mut NoProgress).unwrap();
        assert_eq!(a.train_scores, b.train_scores);
        assert_eq!(a.model, b.model);
        let other = LofParams { seed: 99, ..p }
            .fit(x.view(), &mut NoProgress)
            .unwrap();
        assert_ne!(
            a.model.reference, other.model.reference,
            "the seed picks the reference subsample"
        );
    }

    #[test]
    fn serde_round_trip_scores_identically() {
        let x = blob(120, 3, 4);
        let fitted = params(5, 1000).fit(x.view(), &mut NoProgress).unwrap();
        // postcard (the worker codec) keeps every bit; serde_json may round the last digit.
        let bytes = postcard::to_allocvec(&fitted.model).unwrap();
        let back: Lof = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, fitted.model);
        let new = blob(30, 3, 5);
        assert_eq!(
            back.score(new.view()).unwrap(),
            fitted.model.score(new.view()).unwrap()
        );
    }

    #[test]
    fn inconsistent_serialized_model_is_rejected() {
        let fitted = params(5, 1000)
            .fit(blob(40, 3, 6).view(), &mut NoProgress)
            .unwrap();
        let mut v: serde_json::Value = serde_json::to_value(&fitted.model).unwrap();
        v["lrd"] = serde_json::json!([1.0]);
        assert!(serde_json::from_value::<Lof>(v.clone()).is_err());
        v["n_neighbors"] = serde_json::json!(1000);
        assert!(serde_json::from_value::<Lof>(v).is_err());
    }

    #[test]
    fn capped_reference_scores_every_training_row() {
        let x = blob(400, 3, 7);
        let fitted = params(10, 100).fit(x.view(), &mut NoProgress).unwrap();
        assert_eq!(fitted.train_scores.len(), 400);
        assert_eq!(fitted.model.n_reference(), 100);
        // The reference rows' scores are those of a plain fit on the reference rows alone, and
        // the other rows' scores are novelty scores against it.
        let alone = params(10, 1000)
            .fit(fitted.model.reference.view(), &mut NoProgress)
            .unwrap();
        let mut rows = rng::sample_indices(&mut rng::seeded(42), 400, 100);
        rows.sort_unstable();
        for (pos, &r) in rows.iter().enumerate() {
            assert_eq!(fitted.train_scores[r], alone.train_scores[pos]);
        }
        let others: Vec<usize> = (0..400)
            .filter(|i| rows.binary_search(i).is_err())
            .collect();
        let novelty = alone
            .model
            .score(x.select(Axis(0), &others).view())
            .unwrap();
        for (pos, &r) in others.iter().enumerate() {
            assert_eq!(fitted.train_scores[r], novelty[pos]);
        }
    }

    #[test]
    fn k_exact_duplicates_give_finite_scores() {
        let mut x = blob(60, 2, 8);
        for i in 0..25 {
            x.row_mut(i).fill(0.5);
        }
        let fitted = params(20, 1000).fit(x.view(), &mut NoProgress).unwrap();
        assert!(fitted.train_scores.iter().all(|s| s.is_finite()));
        assert_eq!(fitted.model.lrd[0], 1.0 / LRD_EPSILON);
    }

    #[test]
    fn progress_reports_and_cancellation_stops_the_fit() {
        let x = blob(3000, 2, 9);
        let mut events: Vec<ProgressEvent> = Vec::new();
        let mut sink = |e: ProgressEvent| {
            events.push(e);
            ControlFlow::Continue(())
        };
        params(5, 1000).fit(x.view(), &mut sink).unwrap();
        assert!(events
            .iter()
            .all(|e| e.stage == Stage::Fit(DetectorKind::Lof) && e.total == 3000));
        assert_eq!(events.last().map(|e| e.done), Some(3000));
        let mut stop = |_: ProgressEvent| ControlFlow::Break(());
        assert_eq!(
            params(5, 1000).fit(x.view(), &mut stop).unwrap_err(),
            FitError::Cancelled
        );
    }

    #[test]
    fn wrong_width_and_non_finite_rows_are_rejected() {
        let fitted = params(5, 1000)
            .fit(blob(40, 3, 10).view(), &mut NoProgress)
            .unwrap();
        assert!(fitted.model.score(blob(5, 4, 11).view()).is_err());
        let mut bad = blob(5, 3, 12);
        bad[[2, 1]] = f64::NAN;
        assert!(fitted.model.score(bad.view()).is_err());
    }
}
