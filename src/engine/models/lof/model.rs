//! The fitted LOF model: the reference rows with their k-distances and local reachability
//! densities, and novelty scoring of new rows against them.

use std::collections::HashMap;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::knn::{self, Blocks, KBest};
use crate::engine::math;
use crate::engine::models::{Calibration, Detector, DetectorKind};

/// Added to the mean reachability distance before inverting it, as scikit-learn does, so that a
/// row with `k` exact duplicates gets a large but finite density (1e10).
pub const LRD_EPSILON: f64 = 1e-10;

/// A fitted Local Outlier Factor model.
///
/// Scores rows by LOF against the reference rows: the mean of the neighbours' local reachability
/// densities over the row's own. A row equal to a reference row is that row, and is scored with
/// itself left out of its neighbours (its fit-time score); any other row gets the novelty score
/// (scikit-learn `-score_samples` with `novelty=True`). See the module docs, "Scoring is a pure
/// function of the model and the row". Serialized with its reference rows (`n_reference ×
/// n_features` numbers).
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
        // k < n_ref: a row equal to a reference row leaves it out and still needs k neighbours.
        if d.n_neighbors == 0 || d.n_neighbors >= n_ref || n_ref > u32::MAX as usize {
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

    /// Scores of `x` against the reference rows laid out in `blocks`, each row leaving out the
    /// reference row it equals (found through `exact`), if any.
    pub(super) fn score_with(
        &self,
        blocks: &Blocks,
        exact: &ExactRows,
        x: ArrayView2<'_, f64>,
    ) -> Vec<f64> {
        let own: Vec<u32> = x.outer_iter().map(|row| exact.find(row)).collect();
        knn::k_nearest(blocks, x, self.n_neighbors, Some(&own))
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

/// The reference rows by value, to find the one a query row equals.
///
/// Keys are the bit patterns of the values with `-0.0` read as `0.0` (the two give the same
/// distances to every row). Each key maps to the lowest reference index holding it; which of
/// several equal rows is left out does not matter, as they have the same k-distance and density.
#[derive(Debug, Clone, Default)]
pub(super) struct ExactRows {
    index: HashMap<Vec<u64>, u32>,
}

/// Sentinel for "no reference row to leave out" (never a valid index: `n_ref ≤ u32::MAX`).
const NO_ROW: u32 = u32::MAX;

fn key_into(row: ArrayView1<'_, f64>, key: &mut Vec<u64>) {
    key.clear();
    key.extend(row.iter().map(|v| (v + 0.0).to_bits()));
}

impl ExactRows {
    /// Indexes the rows of `reference`.
    pub(super) fn new(reference: ArrayView2<'_, f64>) -> Self {
        let mut index = HashMap::with_capacity(reference.nrows());
        let mut key = Vec::with_capacity(reference.ncols());
        for (i, row) in reference.outer_iter().enumerate() {
            key_into(row, &mut key);
            index.entry(key.clone()).or_insert(i as u32);
        }
        Self { index }
    }

    /// The reference row equal to `row`, or [`NO_ROW`].
    fn find(&self, row: ArrayView1<'_, f64>) -> u32 {
        let mut key = Vec::with_capacity(row.len());
        key_into(row, &mut key);
        self.index.get(key.as_slice()).copied().unwrap_or(NO_ROW)
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
        let exact = ExactRows::new(self.reference.view());
        Array1::from(self.score_with(&blocks, &exact, x))
    }
}

// Checks of a saved model, in their own file.
#[path = "validate.rs"]
mod validate;

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

    fn bits(v: &Array1<f64>) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn scoring_the_training_rows_gives_their_fit_scores_bit_for_bit() {
        // Duplicates inside the reference set, between reference and non-reference rows, and
        // more than k copies of one row; with and without the reference cap.
        let mut x = blob(400, 3, 13);
        for i in [5, 17, 230, 399] {
            let r = x.row(40).to_owned();
            x.row_mut(i).assign(&r);
        }
        for i in 100..130 {
            x.row_mut(i).fill(0.25);
        }
        x[[7, 1]] = -0.0;
        x[[8, 1]] = 0.0;
        x[[8, 0]] = x[[7, 0]];
        x[[8, 2]] = x[[7, 2]];
        for cap in [1000, 150] {
            let fitted = params(10, cap).fit(x.view(), &mut NoProgress).unwrap();
            let again = fitted.model.score(x.view()).unwrap();
            assert_eq!(bits(&again), bits(&fitted.train_scores), "cap {cap}");
            // Order does not matter: scoring is per row.
            let rev: Vec<usize> = (0..400).rev().collect();
            let back = fitted.model.score(x.select(Axis(0), &rev).view()).unwrap();
            for (pos, &r) in rev.iter().enumerate() {
                assert_eq!(back[pos].to_bits(), fitted.train_scores[r].to_bits());
            }
        }
    }

    #[test]
    fn rows_equal_to_no_reference_row_get_the_novelty_score() {
        let x = blob(80, 2, 14);
        let fitted = params(5, 1000).fit(x.view(), &mut NoProgress).unwrap();
        let mut q = x.slice_axis(Axis(0), (0..3).into()).to_owned();
        q[[0, 0]] += 1e-12;
        q[[1, 1]] = f64::from_bits(q[[1, 1]].to_bits() ^ 1);
        let scores = fitted.model.score(q.view()).unwrap();
        // Novelty by hand: neighbours among all reference rows, nothing left out.
        let blocks = Blocks::new(fitted.model.reference.view());
        let want: Vec<f64> = knn::k_nearest(&blocks, q.view(), 5, None)
            .iter()
            .map(|b| {
                outlier_factor(
                    b,
                    local_reachability_density(b, &fitted.model.k_distance),
                    &fitted.model.lrd,
                )
            })
            .collect();
        assert_eq!(scores[0].to_bits(), want[0].to_bits());
        assert_eq!(scores[1].to_bits(), want[1].to_bits());
        // Row 2 is a training row: its own score, not the novelty one.
        assert_eq!(scores[2].to_bits(), fitted.train_scores[2].to_bits());
        assert_ne!(scores[2].to_bits(), want[2].to_bits());
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
