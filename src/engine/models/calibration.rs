//! The threshold and score distribution a detector fixes at fit time.

use serde::{Deserialize, Serialize};

use crate::engine::math;

/// Number of quantiles kept of the training scores (0 %, 0.1 %, …, 100 %).
pub const N_QUANTILES: usize = 1001;

/// Threshold and training-score quantiles, fixed at fit time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Contamination the threshold was set for.
    pub contamination: f64,
    /// The `(1 − contamination)` percentile of the training scores (numpy "linear" method):
    /// a row is anomalous when its score is strictly above it.
    pub threshold: f64,
    /// Training-score quantiles at evenly spaced levels from 0 to 1 (sorted, `N_QUANTILES` long,
    /// or shorter for tiny training sets). Used to map scores of different detectors onto one scale.
    pub quantiles: Vec<f64>,
}

impl Calibration {
    /// Calibrates from the training scores. NaN scores are ignored.
    pub fn from_scores(train_scores: &[f64], contamination: f64) -> Self {
        let sorted = math::sorted(
            &train_scores
                .iter()
                .copied()
                .filter(|s| !s.is_nan())
                .collect::<Vec<_>>(),
        );
        let threshold = math::percentile_sorted(&sorted, 100.0 * (1.0 - contamination));
        let n_q = N_QUANTILES.min(sorted.len().max(1));
        let quantiles = if sorted.is_empty() {
            Vec::new()
        } else if n_q == 1 {
            vec![sorted[0]]
        } else {
            (0..n_q)
                .map(|i| math::percentile_sorted(&sorted, 100.0 * i as f64 / (n_q - 1) as f64))
                .collect()
        };
        Self {
            contamination,
            threshold,
            quantiles,
        }
    }

    /// True when `score` is past the threshold.
    pub fn is_anomaly(&self, score: f64) -> bool {
        score > self.threshold
    }

    /// Fraction of training scores at or below `score`, linearly interpolated between quantiles:
    /// 0 at the training minimum, 1 at the maximum, clamped outside.
    pub fn percentile(&self, score: f64) -> f64 {
        let q = &self.quantiles;
        match q.len() {
            0 => 0.5,
            1 => {
                if score < q[0] {
                    0.0
                } else if score > q[0] {
                    1.0
                } else {
                    0.5
                }
            }
            n => {
                if score <= q[0] {
                    return 0.0;
                }
                if score >= q[n - 1] {
                    return 1.0;
                }
                // first index with q[i] > score
                let i = q.partition_point(|&v| v <= score);
                let (lo, hi) = (q[i - 1], q[i]);
                let frac = if hi > lo {
                    (score - lo) / (hi - lo)
                } else {
                    0.0
                };
                ((i - 1) as f64 + frac) / (n - 1) as f64
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_upper_percentile() {
        let scores: Vec<f64> = (0..100).map(f64::from).collect();
        let c = Calibration::from_scores(&scores, 0.1);
        // np.percentile(range(100), 90) == 89.1
        assert!((c.threshold - 89.1).abs() < 1e-9);
        assert_eq!(scores.iter().filter(|&&s| c.is_anomaly(s)).count(), 10);
    }

    #[test]
    fn percentile_is_monotone_and_bounded() {
        let scores: Vec<f64> = (0..5000).map(|i| (i as f64).sqrt()).collect();
        let c = Calibration::from_scores(&scores, 0.15);
        let mut last = -1.0;
        for s in [-1.0, 0.0, 1.0, 10.0, 35.0, 70.0, 71.0, 1e9] {
            let p = c.percentile(s);
            assert!((0.0..=1.0).contains(&p));
            assert!(p >= last);
            last = p;
        }
        assert!((c.percentile(scores[2500]) - 0.5).abs() < 0.002);
    }
}
