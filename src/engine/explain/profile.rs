//! Compact training distributions of the raw feature columns, kept in the fitted
//! [`Preprocessor`](crate::engine::features::Preprocessor) so an explanation can say what a
//! typical value is and how unusual a row's value is without the training data.
//!
//! * numeric columns: [`PROFILE_QUANTILES`] evenly spaced quantiles (0 %, 1 %, …, 100 %, numpy's
//!   "linear" method) of the finite training values — about 0.8 KB per column;
//! * categorical columns: the count of every training level (sorted by name) and of missing cells.

use serde::{Deserialize, Serialize};

use crate::engine::data::{Column, Values, MISSING_CODE};
use crate::engine::math;

/// Number of quantiles kept per numeric column (0 %, 1 %, …, 100 %).
pub const PROFILE_QUANTILES: usize = 101;

/// The training distribution of one raw feature column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RawProfile {
    /// A numeric column.
    Numeric {
        /// Column name.
        name: String,
        /// Quantiles of the finite training values at 0 %, 1 %, …, 100 % (empty when the column
        /// had no finite training value).
        quantiles: Vec<f64>,
        /// Finite training values.
        n: u64,
    },
    /// A categorical column.
    Categorical {
        /// Column name.
        name: String,
        /// Levels seen in training, sorted by name.
        levels: Vec<String>,
        /// Training rows per level.
        counts: Vec<u64>,
        /// Training rows with a missing cell.
        missing: u64,
    },
}

impl RawProfile {
    /// Profiles `column` over `train_rows` (indices already checked to be in range).
    pub fn fit(column: &Column, train_rows: &[usize]) -> Self {
        match &column.values {
            Values::Numeric(v) => {
                let present: Vec<f64> = train_rows
                    .iter()
                    .filter_map(|&r| v.get(r).copied())
                    .filter(|x| x.is_finite())
                    .collect();
                let sorted = math::sorted(&present);
                let quantiles = if sorted.is_empty() {
                    Vec::new()
                } else {
                    (0..PROFILE_QUANTILES)
                        .map(|i| {
                            math::percentile_sorted(
                                &sorted,
                                100.0 * i as f64 / (PROFILE_QUANTILES - 1) as f64,
                            )
                        })
                        .collect()
                };
                RawProfile::Numeric {
                    name: column.name.clone(),
                    quantiles,
                    n: sorted.len() as u64,
                }
            }
            Values::Categorical { levels, codes } => {
                let mut counts = vec![0u64; levels.len()];
                let mut missing = 0u64;
                for &r in train_rows {
                    match codes.get(r) {
                        Some(&c) if c != MISSING_CODE => {
                            if let Some(n) = counts.get_mut(c as usize) {
                                *n += 1;
                            }
                        }
                        _ => missing += 1,
                    }
                }
                let mut seen: Vec<(String, u64)> = levels
                    .iter()
                    .zip(&counts)
                    .filter(|(_, &n)| n > 0)
                    .map(|(l, &n)| (l.clone(), n))
                    .collect();
                seen.sort_by(|a, b| a.0.cmp(&b.0));
                RawProfile::Categorical {
                    name: column.name.clone(),
                    levels: seen.iter().map(|(l, _)| l.clone()).collect(),
                    counts: seen.iter().map(|&(_, n)| n).collect(),
                    missing,
                }
            }
        }
    }

    /// The column this profile describes.
    pub fn name(&self) -> &str {
        match self {
            Self::Numeric { name, .. } | Self::Categorical { name, .. } => name,
        }
    }

    /// The training median of a numeric column (`None` for categorical or empty ones).
    pub fn median(&self) -> Option<f64> {
        match self {
            Self::Numeric { quantiles, .. } if !quantiles.is_empty() => {
                Some(quantiles[quantiles.len() / 2])
            }
            _ => None,
        }
    }

    /// Share of training rows strictly below and strictly above `value` (numeric columns),
    /// interpolated linearly between the stored quantiles. `None` for categorical or empty
    /// profiles and for a non-finite value.
    pub fn tail_shares(&self, value: f64) -> Option<(f64, f64)> {
        let Self::Numeric { quantiles: q, .. } = self else {
            return None;
        };
        if q.is_empty() || !value.is_finite() {
            return None;
        }
        Some((share_below(q, value), share_above(q, value)))
    }

    /// Share of training rows holding `level` (categorical columns; 0 for an unseen level).
    pub fn level_share(&self, level: &str) -> Option<f64> {
        let Self::Categorical {
            levels,
            counts,
            missing,
            ..
        } = self
        else {
            return None;
        };
        let total = counts.iter().sum::<u64>() + missing;
        if total == 0 {
            return Some(0.0);
        }
        let n = levels
            .iter()
            .position(|l| l == level)
            .map_or(0, |i| counts[i]);
        Some(n as f64 / total as f64)
    }

    /// The most frequent training level (ties: first by name).
    pub fn mode(&self) -> Option<&str> {
        let Self::Categorical { levels, counts, .. } = self else {
            return None;
        };
        let mut best: Option<usize> = None;
        for (i, &n) in counts.iter().enumerate() {
            if best.is_none_or(|b| n > counts[b]) {
                best = Some(i);
            }
        }
        best.map(|i| levels[i].as_str())
    }

    /// A robust spread of a numeric column: the inter-quartile range, else the full range,
    /// else 1.
    pub fn spread(&self) -> f64 {
        let Self::Numeric { quantiles: q, .. } = self else {
            return 1.0;
        };
        if q.len() < 2 {
            return 1.0;
        }
        let n = q.len() - 1;
        let iqr = q[(3 * n) / 4] - q[n / 4];
        if iqr > 0.0 {
            iqr
        } else if q[n] - q[0] > 0.0 {
            q[n] - q[0]
        } else {
            1.0
        }
    }
}

/// Fraction of the distribution strictly below `v`, from evenly spaced quantiles.
fn share_below(q: &[f64], v: f64) -> f64 {
    let n = q.len() - 1;
    if n == 0 {
        return if v > q[0] { 1.0 } else { 0.0 };
    }
    if v <= q[0] {
        return 0.0;
    }
    if v > q[n] {
        return 1.0;
    }
    // first index with q[i] >= v (i ≥ 1 here)
    let i = q.partition_point(|&x| x < v);
    let (lo, hi) = (q[i - 1], q[i]);
    let frac = if hi > lo { (v - lo) / (hi - lo) } else { 1.0 };
    ((i - 1) as f64 + frac) / n as f64
}

/// Fraction of the distribution strictly above `v`, from evenly spaced quantiles.
fn share_above(q: &[f64], v: f64) -> f64 {
    let n = q.len() - 1;
    if n == 0 {
        return if v < q[0] { 1.0 } else { 0.0 };
    }
    if v >= q[n] {
        return 0.0;
    }
    if v < q[0] {
        return 1.0;
    }
    // last index with q[j] <= v (j ≤ n − 1 here)
    let j = q.partition_point(|&x| x <= v) - 1;
    let (lo, hi) = (q[j], q[j + 1]);
    let frac = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
    1.0 - (j as f64 + frac) / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(values: Vec<f64>) -> RawProfile {
        let n = values.len();
        RawProfile::fit(&Column::numeric("x", values), &(0..n).collect::<Vec<_>>())
    }

    #[test]
    fn numeric_profile_keeps_101_quantiles_and_median() {
        let p = profile((0..=1000).map(f64::from).collect());
        let RawProfile::Numeric { quantiles, n, .. } = &p else {
            panic!()
        };
        assert_eq!(quantiles.len(), PROFILE_QUANTILES);
        assert_eq!(*n, 1001);
        assert_eq!(p.median(), Some(500.0));
    }

    #[test]
    fn tail_shares_are_exact_on_a_uniform_grid() {
        let p = profile((0..=1000).map(f64::from).collect());
        let (below, above) = p.tail_shares(998.0).unwrap();
        assert!((below - 0.998).abs() < 1e-12, "{below}");
        assert!((above - 0.002).abs() < 1e-12, "{above}");
        assert_eq!(p.tail_shares(5000.0), Some((1.0, 0.0)));
        assert_eq!(p.tail_shares(-1.0), Some((0.0, 1.0)));
    }

    #[test]
    fn ties_count_as_neither_below_nor_above() {
        // 80 % zeros: a zero is below nothing and above nothing but the 20 % of ones.
        let mut v = vec![0.0; 80];
        v.extend(vec![1.0; 20]);
        let (below, above) = profile(v).tail_shares(0.0).unwrap();
        assert_eq!(below, 0.0);
        assert!((above - 0.2).abs() < 0.011, "{above}");
    }

    #[test]
    fn categorical_profile_counts_levels_and_missing() {
        let c = Column::categorical("p", ["tcp", "icmp", "tcp", "", "udp"]);
        let p = RawProfile::fit(&c, &[0, 1, 2, 3]);
        assert_eq!(p.level_share("tcp"), Some(0.5));
        assert_eq!(p.level_share("udp"), Some(0.0));
        assert_eq!(p.mode(), Some("tcp"));
    }
}
