//! The data behind the analysis charts of a run, computed in one pass over the table and the
//! result so the page only draws.
//!
//! * **Feature distributions** ([`FeatureHistogram`]): per feature column, counts of normal and
//!   anomalous rows (the ensemble's vote decision). Numeric columns get [`NUMERIC_BINS`] equal
//!   bins over their 1st–99th percentile (numpy's linear percentiles), with the rows below and
//!   above that range counted apart, so one huge value does not squash the picture; a column
//!   whose p1 equals its p99 is binned over min..max instead. Categorical columns get their
//!   [`TOP_LEVELS`] most frequent levels plus "other". Missing cells are counted apart. At most
//!   [`MAX_HISTOGRAMS`] are kept, ordered by how differently normal and anomalous rows are
//!   distributed: the total-variation distance between the two normalised histograms
//!   (½ Σ |pₙ − pₐ| over every cell, 0 = same shape, 1 = disjoint).
//! * **PCA** ([`Projection`]): the first two principal components of the model input (the
//!   encoded, scaled matrix the detectors saw). The covariance (ddof 1, as numpy's `cov`) is
//!   taken over every row, or over a seeded sample of [`PCA_FIT_ROWS`] rows of larger data; its
//!   eigenvectors come from the cyclic Jacobi method (fixed sweep order, so deterministic), each
//!   signed so its largest-magnitude loading is positive. At most [`PCA_MAX_POINTS`] rows are
//!   projected: every anomaly up to [`PCA_MAX_ANOMALIES`] (a seeded sample beyond) and a seeded
//!   sample of normal rows for the rest.
//! * **Correlation** ([`Correlation`]): Pearson correlation between numeric feature columns
//!   (raw values, missing cells count as the column mean), for the [`MAX_CORRELATED`] columns
//!   with the largest coefficient of variation (standard deviation over |mean|); constant
//!   columns are left out (their correlation is undefined).
//! * The per-row ground truth, when the data has labels, so the page can recount the confusion
//!   matrix at any threshold without asking again; and the rows per vote count.

use serde::{Deserialize, Serialize};

use crate::engine::data::{Role, Table, Values, MISSING_CODE};
use crate::engine::error::{Error, Result};
use crate::engine::features::Preprocessor;
use crate::engine::math;
use crate::engine::pipeline::RunResult;
use crate::engine::rng;

/// Bins of a numeric feature histogram.
pub const NUMERIC_BINS: usize = 30;
/// Levels of a categorical feature histogram (the rest are "other").
pub const TOP_LEVELS: usize = 10;
/// Feature histograms kept (the most discriminating).
pub const MAX_HISTOGRAMS: usize = 24;
/// Rows projected on the PCA chart.
pub const PCA_MAX_POINTS: usize = 5_000;
/// Anomalies projected on the PCA chart.
pub const PCA_MAX_ANOMALIES: usize = 2_500;
/// Rows the PCA covariance is computed on (a seeded sample of larger data).
pub const PCA_FIT_ROWS: usize = 20_000;
/// Numeric columns in the correlation matrix.
pub const MAX_CORRELATED: usize = 30;
/// Seed of the PCA samples (fixed: the same result always gives the same picture).
pub const VIEWS_SEED: u64 = 0x005E_EDA1;

/// Everything the analysis charts need beyond the [`RunResult`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultViews {
    /// Ground truth per row (`Some(true)` = anomaly, `None` = missing label); `None` without a
    /// label column.
    pub truth: Option<Vec<Option<bool>>>,
    /// Rows with 0, 1, … votes (index = votes).
    pub vote_counts: Vec<usize>,
    /// Feature histograms, most discriminating first.
    pub histograms: Vec<FeatureHistogram>,
    /// Feature columns in the data (histograms are capped at [`MAX_HISTOGRAMS`]).
    pub n_features: usize,
    /// The 2-D PCA projection, when the model input has at least two inputs.
    pub projection: Option<Projection>,
    /// The correlation matrix, when at least two numeric feature columns vary.
    pub correlation: Option<Correlation>,
}

/// The cells of a feature histogram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Bins {
    /// Numeric: `edges.len() = bins + 1`, increasing; bin `i` is `[edges[i], edges[i+1])`, the
    /// last bin includes its right edge.
    Numeric {
        /// Bin edges.
        edges: Vec<f64>,
        /// Whether the range is the 1st–99th percentile (else min..max, nothing outside).
        percentile_range: bool,
    },
    /// Categorical: one bin per level, most frequent first.
    Categorical {
        /// Level names.
        levels: Vec<String>,
    },
}

/// Normal and anomalous counts of one feature, under the vote decision. Every row is counted
/// exactly once: in a bin, below, above, other or missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureHistogram {
    /// Column name.
    pub name: String,
    /// The bins.
    pub bins: Bins,
    /// Normal rows per bin.
    pub normal: Vec<usize>,
    /// Anomalous rows per bin.
    pub anomalous: Vec<usize>,
    /// `[normal, anomalous]` rows below the numeric range.
    pub below: [usize; 2],
    /// `[normal, anomalous]` rows above the numeric range.
    pub above: [usize; 2],
    /// `[normal, anomalous]` rows of categorical levels outside the top ones.
    pub other: [usize; 2],
    /// `[normal, anomalous]` rows with a missing cell.
    pub missing: [usize; 2],
    /// Total-variation distance between the normal and anomalous distributions, in [0, 1].
    pub separation: f64,
}

impl FeatureHistogram {
    /// Rows counted (normal + anomalous, every cell).
    pub fn total(&self) -> usize {
        let extra = |a: [usize; 2]| a[0] + a[1];
        self.normal.iter().sum::<usize>()
            + self.anomalous.iter().sum::<usize>()
            + extra(self.below)
            + extra(self.above)
            + extra(self.other)
            + extra(self.missing)
    }
}

/// Rows projected on the first two principal components of the model input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    /// Row index of each point, increasing.
    pub rows: Vec<u32>,
    /// First component.
    pub x: Vec<f64>,
    /// Second component.
    pub y: Vec<f64>,
    /// Share of the total variance each component explains.
    pub explained: [f64; 2],
    /// The two unit eigenvectors (one loading per model input).
    pub components: [Vec<f64>; 2],
    /// Rows the covariance was computed on.
    pub fitted_on: usize,
    /// Anomalies (vote decision) in the data, projected or not.
    pub n_anomalies: usize,
}

/// Pearson correlation between numeric feature columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correlation {
    /// Column names, in table order.
    pub names: Vec<String>,
    /// `names.len()²` coefficients, row-major; symmetric with a unit diagonal.
    pub values: Vec<f64>,
    /// Numeric feature columns that vary (the matrix keeps at most [`MAX_CORRELATED`]).
    pub n_candidates: usize,
}

impl Correlation {
    /// The coefficient of columns `i` and `j` (NaN out of range).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        let k = self.names.len();
        if i < k && j < k {
            self.values[i * k + j]
        } else {
            f64::NAN
        }
    }
}

/// Computes the views of `result`, which must have been scored on `table` with `preprocessor`.
///
/// Errors: the row counts differ ([`Error::Unsupported`]: the data changed since training),
/// or the model input cannot be rebuilt (the preprocessor's own errors).
pub fn compute(
    table: &Table,
    preprocessor: &Preprocessor,
    result: &RunResult,
) -> Result<ResultViews> {
    let n = table.n_rows();
    if result.is_anomaly.len() != n || result.votes.len() != n {
        return Err(Error::Unsupported(format!(
            "the result covers {} rows but the data has {n}; train again on this data",
            result.is_anomaly.len()
        )));
    }
    let anomalous = &result.is_anomaly;
    let mut vote_counts = vec![0usize; result.members.len() + 1];
    for &v in &result.votes {
        let v = usize::from(v).min(vote_counts.len() - 1);
        vote_counts[v] += 1;
    }
    let n_features = table.features().count();
    let histograms = histograms(table, anomalous);
    let projection = projection(table, preprocessor, anomalous)?;
    let correlation = correlation(table);
    Ok(ResultViews {
        truth: table.labels(),
        vote_counts,
        histograms,
        n_features,
        projection,
        correlation,
    })
}

/// Every feature column's histogram, most discriminating first, capped at [`MAX_HISTOGRAMS`].
pub fn histograms(table: &Table, anomalous: &[bool]) -> Vec<FeatureHistogram> {
    let mut out: Vec<FeatureHistogram> = table
        .features()
        .map(|c| match &c.values {
            Values::Numeric(v) => numeric_histogram(&c.name, v, anomalous),
            Values::Categorical { levels, codes } => {
                categorical_histogram(&c.name, levels, codes, anomalous)
            }
        })
        .collect();
    // Stable: ties keep table order.
    out.sort_by(|a, b| b.separation.total_cmp(&a.separation));
    out.truncate(MAX_HISTOGRAMS);
    out
}

/// numpy's linear percentile of the finite values in `v` (reordered in place), in O(n).
fn percentile_select(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let pos = (q / 100.0).clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let frac = pos - lo as f64;
    let (_, &mut a, right) = v.select_nth_unstable_by(lo, f64::total_cmp);
    if frac == 0.0 || right.is_empty() {
        return a;
    }
    let b = right.iter().copied().fold(f64::INFINITY, f64::min);
    a + (b - a) * frac
}

/// Histogram of a numeric column over p1..p99 (see the module docs).
pub fn numeric_histogram(name: &str, values: &[f64], anomalous: &[bool]) -> FeatureHistogram {
    let mut finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let (mut lo, mut hi) = (
        percentile_select(&mut finite, 1.0),
        percentile_select(&mut finite, 99.0),
    );
    let mut percentile_range = true;
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        let (min, max) = finite
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        (lo, hi) = (min, max);
        percentile_range = false;
    }
    let (bins, edges) = if hi > lo {
        let edges: Vec<f64> = (0..=NUMERIC_BINS)
            .map(|i| lo + (hi - lo) * i as f64 / NUMERIC_BINS as f64)
            .collect();
        (NUMERIC_BINS, edges)
    } else if lo.is_finite() {
        (1, vec![lo - 0.5, lo + 0.5])
    } else {
        (1, vec![0.0, 1.0])
    };
    let mut h = FeatureHistogram {
        name: name.to_owned(),
        bins: Bins::Numeric {
            edges,
            percentile_range,
        },
        normal: vec![0; bins],
        anomalous: vec![0; bins],
        below: [0; 2],
        above: [0; 2],
        other: [0; 2],
        missing: [0; 2],
        separation: 0.0,
    };
    let width = hi - lo;
    for (i, &x) in values.iter().enumerate() {
        let g = usize::from(anomalous.get(i).copied().unwrap_or(false));
        if !x.is_finite() {
            h.missing[g] += 1;
        } else if x < lo {
            h.below[g] += 1;
        } else if x > hi {
            h.above[g] += 1;
        } else {
            let b = if width > 0.0 {
                (((x - lo) / width * bins as f64) as usize).min(bins - 1)
            } else {
                0
            };
            if g == 1 {
                h.anomalous[b] += 1;
            } else {
                h.normal[b] += 1;
            }
        }
    }
    h.separation = separation(&h);
    h
}

/// Histogram of a categorical column over its [`TOP_LEVELS`] most frequent levels.
pub fn categorical_histogram(
    name: &str,
    levels: &[String],
    codes: &[u32],
    anomalous: &[bool],
) -> FeatureHistogram {
    let mut per_level = vec![[0usize; 2]; levels.len()];
    let mut missing = [0usize; 2];
    for (i, &c) in codes.iter().enumerate() {
        let g = usize::from(anomalous.get(i).copied().unwrap_or(false));
        match per_level.get_mut(c as usize) {
            Some(slot) if c != MISSING_CODE => slot[g] += 1,
            _ => missing[g] += 1,
        }
    }
    let mut order: Vec<usize> = (0..levels.len())
        .filter(|&l| per_level[l][0] + per_level[l][1] > 0)
        .collect();
    order.sort_by(|&a, &b| {
        let (ca, cb) = (
            per_level[a][0] + per_level[a][1],
            per_level[b][0] + per_level[b][1],
        );
        cb.cmp(&ca).then_with(|| levels[a].cmp(&levels[b]))
    });
    let mut other = [0usize; 2];
    for &l in order.iter().skip(TOP_LEVELS) {
        other[0] += per_level[l][0];
        other[1] += per_level[l][1];
    }
    order.truncate(TOP_LEVELS);
    let mut h = FeatureHistogram {
        name: name.to_owned(),
        bins: Bins::Categorical {
            levels: order.iter().map(|&l| levels[l].clone()).collect(),
        },
        normal: order.iter().map(|&l| per_level[l][0]).collect(),
        anomalous: order.iter().map(|&l| per_level[l][1]).collect(),
        below: [0; 2],
        above: [0; 2],
        other,
        missing,
        separation: 0.0,
    };
    h.separation = separation(&h);
    h
}

/// Total-variation distance between the normal and anomalous distributions over every cell.
fn separation(h: &FeatureHistogram) -> f64 {
    let mut cells: Vec<[usize; 2]> = h
        .normal
        .iter()
        .zip(&h.anomalous)
        .map(|(&a, &b)| [a, b])
        .collect();
    cells.extend([h.below, h.above, h.other, h.missing]);
    let n0: usize = cells.iter().map(|c| c[0]).sum();
    let n1: usize = cells.iter().map(|c| c[1]).sum();
    if n0 == 0 || n1 == 0 {
        return 0.0;
    }
    0.5 * cells
        .iter()
        .map(|c| (c[0] as f64 / n0 as f64 - c[1] as f64 / n1 as f64).abs())
        .sum::<f64>()
}

/// Picks the rows drawn on the PCA chart: every anomaly up to [`PCA_MAX_ANOMALIES`] and normal
/// rows for the rest of [`PCA_MAX_POINTS`], seeded samples where there are more; increasing.
pub fn projection_rows(anomalous: &[bool], seed: u64) -> Vec<usize> {
    let (anom, normal): (Vec<usize>, Vec<usize>) =
        (0..anomalous.len()).partition(|&i| anomalous[i]);
    let mut r = rng::seeded(seed);
    let pick = |r: &mut rng::EngineRng, from: &[usize], k: usize| -> Vec<usize> {
        if from.len() <= k {
            from.to_vec()
        } else {
            rng::sample_indices(r, from.len(), k)
                .into_iter()
                .map(|i| from[i])
                .collect()
        }
    };
    let mut rows = pick(&mut r, &anom, PCA_MAX_ANOMALIES);
    let room = PCA_MAX_POINTS - rows.len();
    rows.extend(pick(&mut r, &normal, room));
    rows.sort_unstable();
    rows
}

/// The PCA projection of the model input (see the module docs); `None` with fewer than two
/// inputs or two rows.
pub fn projection(
    table: &Table,
    preprocessor: &Preprocessor,
    anomalous: &[bool],
) -> Result<Option<Projection>> {
    let n = table.n_rows();
    let d = preprocessor.width();
    if d < 2 || n < 2 {
        return Ok(None);
    }
    let fit_rows: Vec<usize> = if n <= PCA_FIT_ROWS {
        (0..n).collect()
    } else {
        let mut r = rng::seeded(rng::derive_seed(VIEWS_SEED, 1));
        let mut rows = rng::sample_indices(&mut r, n, PCA_FIT_ROWS);
        rows.sort_unstable();
        rows
    };
    let x = if fit_rows.len() == n {
        preprocessor.transform(table)?
    } else {
        preprocessor.transform(&table.select_rows(&fit_rows))?
    };
    let (mean, cov) = covariance(&x);
    let (values, vectors) = jacobi_eigen(cov, d);
    let trace: f64 = values.iter().sum();
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let component = |k: usize| -> Vec<f64> {
        let mut v: Vec<f64> = (0..d).map(|i| vectors[i * d + order[k]]).collect();
        let (mut best, mut at) = (0.0, 0);
        for (i, &l) in v.iter().enumerate() {
            if l.abs() > best {
                (best, at) = (l.abs(), i);
            }
        }
        if v[at] < 0.0 {
            v.iter_mut().for_each(|l| *l = -*l);
        }
        v
    };
    let (c1, c2) = (component(0), component(1));
    let share = |k: usize| {
        if trace > 0.0 {
            values[order[k]].max(0.0) / trace
        } else {
            0.0
        }
    };
    let rows = projection_rows(anomalous, VIEWS_SEED);
    let shown = if rows.len() == fit_rows.len() {
        x
    } else {
        preprocessor.transform(&table.select_rows(&rows))?
    };
    let project = |c: &[f64]| -> Vec<f64> {
        shown
            .outer_iter()
            .map(|row| {
                row.iter()
                    .zip(&mean)
                    .zip(c)
                    .map(|((v, m), l)| (v - m) * l)
                    .sum()
            })
            .collect()
    };
    Ok(Some(Projection {
        x: project(&c1),
        y: project(&c2),
        rows: rows.iter().map(|&r| r as u32).collect(),
        explained: [share(0), share(1)],
        components: [c1, c2],
        fitted_on: fit_rows.len(),
        n_anomalies: anomalous.iter().filter(|&&a| a).count(),
    }))
}

/// Column means and the covariance matrix (ddof 1, row-major d×d) of `x`.
fn covariance(x: &ndarray::Array2<f64>) -> (Vec<f64>, Vec<f64>) {
    let (n, d) = x.dim();
    let mut mean = vec![0.0; d];
    for row in x.outer_iter() {
        for (m, v) in mean.iter_mut().zip(row.iter()) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    let mut cov = vec![0.0; d * d];
    let mut centred = vec![0.0; d];
    for row in x.outer_iter() {
        for ((c, v), m) in centred.iter_mut().zip(row.iter()).zip(&mean) {
            *c = v - m;
        }
        for i in 0..d {
            let ci = centred[i];
            if ci == 0.0 {
                continue;
            }
            let line = &mut cov[i * d..i * d + d];
            for j in i..d {
                line[j] += ci * centred[j];
            }
        }
    }
    let den = (n.max(2) - 1) as f64;
    for i in 0..d {
        for j in i..d {
            let v = cov[i * d + j] / den;
            cov[i * d + j] = v;
            cov[j * d + i] = v;
        }
    }
    (mean, cov)
}

/// Eigenvalues and eigenvectors (columns of the row-major `d×d` result) of a symmetric matrix
/// by the cyclic Jacobi method: rotations in a fixed (p, q) order until the off-diagonal mass is
/// negligible, at most 50 sweeps.
pub fn jacobi_eigen(mut a: Vec<f64>, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; d * d];
    for i in 0..d {
        v[i * d + i] = 1.0;
    }
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>();
    for _sweep in 0..50 {
        let mut off = 0.0;
        for p in 0..d {
            for q in p + 1..d {
                off += a[p * d + q] * a[p * d + q];
            }
        }
        if off <= scale * 1e-30 || off == 0.0 {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                let apq = a[p * d + q];
                if apq == 0.0 {
                    continue;
                }
                let (app, aqq) = (a[p * d + p], a[q * d + q]);
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + math::sqrt(theta * theta + 1.0));
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / math::sqrt(t * t + 1.0);
                let s = t * c;
                for k in 0..d {
                    let (akp, akq) = (a[k * d + p], a[k * d + q]);
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[p * d + k], a[q * d + k]);
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[k * d + p], v[k * d + q]);
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i * d + i]).collect(), v)
}

/// Pearson correlation of the most variable numeric feature columns (see the module docs);
/// `None` when fewer than two vary.
pub fn correlation(table: &Table) -> Option<Correlation> {
    struct Col<'a> {
        name: &'a str,
        values: &'a [f64],
        mean: f64,
        sd: f64,
    }
    let mut cols: Vec<(usize, Col)> = table
        .columns
        .iter()
        .filter(|c| c.role == Role::Feature)
        .filter_map(|c| match &c.values {
            Values::Numeric(v) => Some((c.name.as_str(), v.as_slice())),
            Values::Categorical { .. } => None,
        })
        .enumerate()
        .filter_map(|(pos, (name, values))| {
            let (mut sum, mut k) = (0.0, 0usize);
            for &x in values.iter().filter(|x| x.is_finite()) {
                sum += x;
                k += 1;
            }
            if k < 2 {
                return None;
            }
            let mean = sum / k as f64;
            let ss: f64 = values
                .iter()
                .filter(|x| x.is_finite())
                .map(|x| (x - mean) * (x - mean))
                .sum();
            let sd = math::sqrt(ss / k as f64);
            (sd > 0.0 && sd.is_finite()).then_some((
                pos,
                Col {
                    name,
                    values,
                    mean,
                    sd,
                },
            ))
        })
        .collect();
    let n_candidates = cols.len();
    if n_candidates < 2 {
        return None;
    }
    let cv = |c: &Col| {
        if c.mean == 0.0 {
            f64::INFINITY
        } else {
            c.sd / c.mean.abs()
        }
    };
    cols.sort_by(|a, b| cv(&b.1).total_cmp(&cv(&a.1)).then(a.0.cmp(&b.0)));
    cols.truncate(MAX_CORRELATED);
    cols.sort_by_key(|c| c.0);
    let k = cols.len();
    // Standardised columns (missing = mean = 0), then one dot product per pair.
    let z: Vec<Vec<f64>> = cols
        .iter()
        .map(|(_, c)| {
            c.values
                .iter()
                .map(|&x| {
                    if x.is_finite() {
                        (x - c.mean) / c.sd
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    let norms: Vec<f64> = z
        .iter()
        .map(|v| math::sqrt(v.iter().map(|x| x * x).sum()))
        .collect();
    let mut values = vec![0.0; k * k];
    for i in 0..k {
        values[i * k + i] = 1.0;
        for j in i + 1..k {
            let dot: f64 = z[i].iter().zip(&z[j]).map(|(a, b)| a * b).sum();
            let den = norms[i] * norms[j];
            let r = if den > 0.0 {
                (dot / den).clamp(-1.0, 1.0)
            } else {
                0.0
            };
            values[i * k + j] = r;
            values[j * k + i] = r;
        }
    }
    Some(Correlation {
        names: cols.iter().map(|(_, c)| c.name.to_owned()).collect(),
        values,
        n_candidates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::Column;

    #[test]
    fn percentile_select_matches_numpy_linear() {
        // np.percentile([1, 2, 3, 4], 85) == 3.55
        let mut v = [4.0, 1.0, 3.0, 2.0];
        assert!((percentile_select(&mut v, 85.0) - 3.55).abs() < 1e-12);
        let mut w: Vec<f64> = (0..101).map(f64::from).rev().collect();
        assert_eq!(percentile_select(&mut w, 1.0), 1.0);
        assert_eq!(percentile_select(&mut w, 99.0), 99.0);
    }

    #[test]
    fn numeric_histogram_counts_every_row_once() {
        let mut values: Vec<f64> = (0..1000).map(|i| (i % 97) as f64).collect();
        values[3] = f64::NAN;
        values[10] = 1e9;
        let anomalous: Vec<bool> = (0..1000).map(|i| i % 7 == 0).collect();
        let h = numeric_histogram("x", &values, &anomalous);
        assert_eq!(h.total(), 1000);
        assert_eq!(h.normal.len(), NUMERIC_BINS);
        assert_eq!(h.missing, [1, 0]);
        assert!(h.above[0] + h.above[1] >= 1, "the huge value is above p99");
        let Bins::Numeric { edges, .. } = &h.bins else {
            panic!("numeric bins")
        };
        assert_eq!(edges.len(), NUMERIC_BINS + 1);
    }

    #[test]
    fn constant_column_has_one_bin() {
        let h = numeric_histogram("c", &[2.0; 5], &[false, true, false, false, true]);
        assert_eq!(h.normal, vec![3]);
        assert_eq!(h.anomalous, vec![2]);
        assert_eq!(h.separation, 0.0);
    }

    #[test]
    fn categorical_histogram_keeps_top_levels_and_other() {
        let levels: Vec<String> = (0..15).map(|i| format!("l{i}")).collect();
        let codes: Vec<u32> = (0..300)
            .map(|i| {
                if i == 0 {
                    MISSING_CODE
                } else {
                    (i % 15) as u32
                }
            })
            .collect();
        let anomalous: Vec<bool> = (0..300).map(|i| i % 15 == 1).collect();
        let h = categorical_histogram("c", &levels, &codes, &anomalous);
        assert_eq!(h.normal.len(), TOP_LEVELS);
        assert_eq!(h.total(), 300);
        assert_eq!(h.missing, [1, 0]);
        // Only level l1 is anomalous: the two distributions are disjoint.
        assert!((h.separation - 1.0).abs() < 1e-12);
    }

    #[test]
    fn histograms_are_ordered_by_separation() {
        let n = 200;
        let anomalous: Vec<bool> = (0..n).map(|i| i < 20).collect();
        let noise: Vec<f64> = (0..n).map(|i| (i * 37 % 11) as f64).collect();
        let signal: Vec<f64> = (0..n).map(|i| if i < 20 { 100.0 } else { 1.0 }).collect();
        let t = Table::new(vec![
            Column::numeric("noise", noise),
            Column::numeric("signal", signal),
        ])
        .unwrap();
        let h = histograms(&t, &anomalous);
        assert_eq!(h[0].name, "signal");
        assert!(h[0].separation > h[1].separation);
    }

    #[test]
    fn correlation_is_symmetric_with_unit_diagonal() {
        let a: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let b: Vec<f64> = a.iter().map(|x| 3.0 - 2.0 * x).collect();
        let c: Vec<f64> = (0..50).map(|i| ((i * 7) % 13) as f64).collect();
        let t = Table::new(vec![
            Column::numeric("a", a),
            Column::numeric("b", b),
            Column::numeric("c", c),
            Column::numeric("flat", vec![1.0; 50]),
        ])
        .unwrap();
        let r = correlation(&t).unwrap();
        assert_eq!(r.names, ["a", "b", "c"]);
        assert_eq!(r.n_candidates, 3);
        for i in 0..3 {
            assert_eq!(r.get(i, i), 1.0);
            for j in 0..3 {
                assert_eq!(r.get(i, j), r.get(j, i));
                assert!((-1.0..=1.0).contains(&r.get(i, j)));
            }
        }
        assert!((r.get(0, 1) + 1.0).abs() < 1e-12);
    }

    #[test]
    fn jacobi_recovers_a_known_spectrum() {
        // [[2, 1], [1, 2]] has eigenvalues 3 and 1.
        let (vals, vecs) = jacobi_eigen(vec![2.0, 1.0, 1.0, 2.0], 2);
        let mut s = vals.clone();
        s.sort_by(f64::total_cmp);
        assert!((s[0] - 1.0).abs() < 1e-12 && (s[1] - 3.0).abs() < 1e-12);
        let top = if vals[0] > vals[1] { 0 } else { 1 };
        assert!((vecs[top].abs() - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
    }

    #[test]
    fn projection_rows_are_capped_and_keep_anomalies() {
        let anomalous: Vec<bool> = (0..20_000).map(|i| i % 10 == 0).collect();
        let rows = projection_rows(&anomalous, 1);
        assert_eq!(rows.len(), PCA_MAX_POINTS);
        assert_eq!(rows.iter().filter(|&&r| anomalous[r]).count(), 2_000);
        assert!(rows.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(rows, projection_rows(&anomalous, 1));
    }
}
