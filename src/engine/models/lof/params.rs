//! LOF hyper-parameters, their validation and the fit.

use ndarray::{Array1, Axis};
use serde::{Deserialize, Serialize};

use super::knn::{self, Blocks};
use super::model::{self, ExactRows, Lof};
use crate::engine::error::{FitError, ParamError};
use crate::engine::models::{
    check_contamination, Calibration, DetectorKind, DetectorParams, Fitted,
};
use crate::engine::progress::{self, Progress, Stage};
use crate::engine::rng;

/// Query rows between two progress reports (and cancellation checks).
pub(super) const PROGRESS_BLOCK: usize = 512;

/// Parameters of the Local Outlier Factor detector.
///
/// Defaults: `n_neighbors = 20` (scikit-learn's), `max_reference_rows = 1000` (see the module
/// docs for the measurements behind it), `contamination = 0.15`, `seed = 42`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LofParams {
    /// Number of neighbours `k` (scikit-learn `n_neighbors`). Must be ≥ 1 and smaller than the
    /// number of training rows (scikit-learn silently lowers it to `n − 1`; we refuse instead).
    pub n_neighbors: usize,
    /// Largest reference set. With more training rows, a seeded uniform subsample of this many
    /// rows becomes the reference set; the other training rows are scored as new rows against it.
    /// Must be greater than `n_neighbors`.
    pub max_reference_rows: usize,
    /// Expected share of anomalies; sets the threshold.
    pub contamination: f64,
    /// Seed of the reference-set subsample (unused when the training set fits under the cap).
    pub seed: u64,
}

/// Default `n_neighbors`.
pub const DEFAULT_N_NEIGHBORS: usize = 20;
/// Default `max_reference_rows`.
pub const DEFAULT_MAX_REFERENCE_ROWS: usize = 1000;

impl Default for LofParams {
    fn default() -> Self {
        Self {
            n_neighbors: DEFAULT_N_NEIGHBORS,
            max_reference_rows: DEFAULT_MAX_REFERENCE_ROWS,
            contamination: 0.15,
            seed: 42,
        }
    }
}

impl DetectorParams for LofParams {
    type Model = Lof;

    fn validate(&self, n_rows: usize, _n_features: usize) -> Result<(), ParamError> {
        if self.n_neighbors < 1 {
            return Err(ParamError::new("n_neighbors", "must be at least 1, got 0"));
        }
        if self.n_neighbors >= n_rows {
            return Err(ParamError::new(
                "n_neighbors",
                format!(
                    "must be smaller than the number of training rows: k = {} needs at least {} rows, found {n_rows}",
                    self.n_neighbors,
                    self.n_neighbors + 1
                ),
            ));
        }
        if self.max_reference_rows <= self.n_neighbors {
            return Err(ParamError::new(
                "max_reference_rows",
                format!(
                    "must be greater than n_neighbors ({}), got {}",
                    self.n_neighbors, self.max_reference_rows
                ),
            ));
        }
        if self.max_reference_rows.min(n_rows) > u32::MAX as usize {
            return Err(ParamError::new(
                "max_reference_rows",
                format!("the reference set may hold at most {} rows", u32::MAX),
            ));
        }
        check_contamination(self.contamination)
    }

    fn fit_checked(
        &self,
        x: ndarray::ArrayView2<'_, f64>,
        progress: &mut dyn Progress,
    ) -> Result<Fitted<Lof>, FitError> {
        let n = x.nrows();
        let k = self.n_neighbors;
        let stage = Stage::Fit(DetectorKind::Lof);
        let total = n as u64;

        // Reference rows, in increasing index order (ties go to the lower index, as in scikit-learn).
        let reference_rows: Vec<usize> = if n > self.max_reference_rows {
            let mut rows =
                rng::sample_indices(&mut rng::seeded(self.seed), n, self.max_reference_rows);
            rows.sort_unstable();
            rows
        } else {
            (0..n).collect()
        };
        let reference = x.select(Axis(0), &reference_rows);
        let blocks = Blocks::new(reference.view());
        let n_ref = reference_rows.len();

        // 1. Neighbours of every reference row among the others.
        let own: Vec<u32> = (0..n_ref as u32).collect();
        let mut neighbours = Vec::with_capacity(n_ref);
        let mut done = 0u64;
        for start in (0..n_ref).step_by(PROGRESS_BLOCK) {
            let end = (start + PROGRESS_BLOCK).min(n_ref);
            let q = reference.slice_axis(Axis(0), (start..end).into());
            neighbours.extend(knn::k_nearest(&blocks, q, k, Some(&own[start..end])));
            done += (end - start) as u64;
            progress::report(progress, stage, done, total, FitError::Cancelled)?;
        }
        let k_distance: Vec<f64> = neighbours
            .iter()
            .map(|b| crate::engine::math::sqrt(b.sq_dist[k - 1]))
            .collect();
        let lrd: Vec<f64> = neighbours
            .iter()
            .map(|b| model::local_reachability_density(b, &k_distance))
            .collect();

        // 2. Training scores: self-excluded LOF for reference rows; the others are scored as the
        //    model scores any row (novelty, or the reference row's own score for an exact copy),
        //    so re-scoring the training data with the model gives these scores bit for bit.
        let mut train_scores = Array1::<f64>::zeros(n);
        for ((&row, best), &own_lrd) in reference_rows.iter().zip(&neighbours).zip(&lrd) {
            train_scores[row] = model::outlier_factor(best, own_lrd, &lrd);
        }
        let exact = if n > n_ref {
            ExactRows::new(reference.view())
        } else {
            ExactRows::default()
        };
        let model = Lof::from_parts(
            reference,
            k,
            k_distance,
            lrd,
            Calibration::from_scores(&[], self.contamination),
        );
        let mut in_reference = vec![false; n];
        for &r in &reference_rows {
            in_reference[r] = true;
        }
        let others: Vec<usize> = (0..n).filter(|&i| !in_reference[i]).collect();
        for block in others.chunks(PROGRESS_BLOCK) {
            let q = x.select(Axis(0), block);
            let scores = model.score_with(&blocks, &exact, q.view());
            for (&row, s) in block.iter().zip(scores) {
                train_scores[row] = s;
            }
            done += block.len() as u64;
            progress::report(progress, stage, done, total, FitError::Cancelled)?;
        }

        let calibration =
            Calibration::from_scores(train_scores.as_slice().unwrap_or(&[]), self.contamination);
        Ok(Fitted {
            model: model.with_calibration(calibration),
            train_scores,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> LofParams {
        LofParams::default()
    }

    #[test]
    fn n_neighbors_cannot_be_zero() {
        let p = LofParams {
            n_neighbors: 0,
            ..params()
        };
        assert_eq!(p.validate(100, 3).unwrap_err().field, "n_neighbors");
    }

    #[test]
    fn n_neighbors_must_be_below_row_count() {
        let p = LofParams {
            n_neighbors: 20,
            ..params()
        };
        let e = p.validate(20, 3).unwrap_err();
        assert_eq!(e.field, "n_neighbors");
        assert!(e.message.contains("21 rows"), "{}", e.message);
        assert!(p.validate(21, 3).is_ok());
    }

    #[test]
    fn max_reference_rows_must_exceed_n_neighbors() {
        let p = LofParams {
            n_neighbors: 20,
            max_reference_rows: 20,
            ..params()
        };
        assert_eq!(p.validate(1000, 3).unwrap_err().field, "max_reference_rows");
        let p = LofParams {
            n_neighbors: 20,
            max_reference_rows: 21,
            ..params()
        };
        assert!(p.validate(1000, 3).is_ok());
    }

    #[test]
    fn contamination_must_be_in_range() {
        for c in [0.0, -0.1, 0.51, f64::NAN] {
            let p = LofParams {
                contamination: c,
                ..params()
            };
            assert_eq!(p.validate(100, 3).unwrap_err().field, "contamination");
        }
    }

    #[test]
    fn missing_fields_take_defaults_when_deserialized() {
        let p: LofParams = serde_json::from_str(r#"{"contamination": 0.1, "seed": 7}"#).unwrap();
        assert_eq!(p.n_neighbors, DEFAULT_N_NEIGHBORS);
        assert_eq!(p.max_reference_rows, DEFAULT_MAX_REFERENCE_ROWS);
        assert_eq!(p.seed, 7);
    }
}
