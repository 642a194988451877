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
