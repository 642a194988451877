//! Overview statistics of a table's columns ([`summarize`]): missing cells, distinct values
//! (an exact open-addressing counter, then a HyperLogLog sketch), min, median (by buckets) and
//! max, and the most frequent categories.

use serde::{Deserialize, Serialize};

use super::table::{Column, Meaning, Role, Table};
use super::values::{splitmix, Values, MISSING_CODE};

/// Whether a column holds numbers or categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnKind {
    /// Numbers.
    Numeric,
    /// Categories (text).
    Categorical,
}

/// Overview statistics of one column, for the data page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// Column name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Meaning, when known.
    pub meaning: Option<Meaning>,
    /// Numbers or categories.
    pub kind: ColumnKind,
    /// Missing cells.
    pub missing: usize,
    /// Distinct non-missing values: exact up to [`EXACT_DISTINCT`], a HyperLogLog estimate
    /// (about ±1.6 %) above, as `distinct_exact` says.
    pub distinct: usize,
    /// Whether `distinct` is an exact count.
    pub distinct_exact: bool,
    /// Minimum (numeric columns with at least one value).
    pub min: Option<f64>,
    /// Median (numeric columns).
    pub median: Option<f64>,
    /// Maximum (numeric columns).
    pub max: Option<f64>,
    /// The most frequent categories with their counts (categorical columns, at most 10).
    pub top_levels: Vec<(String, usize)>,
}

/// Distinct values counted exactly up to this many; above, estimated (HyperLogLog).
pub const EXACT_DISTINCT: usize = 1 << 16;

/// Median (linear interpolation between the middle two, as [`crate::engine::math::percentile_sorted`])
/// by selection, reordering `values` (no NaN). `None` when empty. (The reference the bucketed
/// median is tested against.)
#[cfg(test)]
fn median_in_place(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let pos = 0.5 * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let (_, &mut a, right) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let frac = pos - lo as f64;
    let b = if frac == 0.0 {
        a
    } else {
        right.iter().copied().fold(f64::INFINITY, f64::min)
    };
    // The same arithmetic as the sorted version, so even -0.0 comes out the same.
    Some(a + (b - a) * frac)
}

/// Distinct values of a numeric column with their counts, while there are at most
/// [`EXACT_DISTINCT`]: an open-addressing set keyed by the bits (`-0.0` and `0.0` share a key;
/// negative zeros are counted apart) that starts small and doubles as it fills.
struct ExactCounts {
    keys: Vec<u64>,
    counts: Vec<u32>,
    log2: u32,
    len: usize,
    zeros: u32,
    negative_zeros: u32,
}

impl ExactCounts {
    const MAX_LOG2: u32 = 17; // 2× the exact cap: the set stays at most half full

    fn new() -> Self {
        Self {
            keys: vec![0; 1 << 10],
            counts: vec![0; 1 << 10],
            log2: 10,
            len: 0,
            zeros: 0,
            negative_zeros: 0,
        }
    }

    fn slot(key: u64, log2: u32) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - log2)) as usize
    }

    /// Counts `x` (not NaN); false once there are more than [`EXACT_DISTINCT`] values.
    fn insert(&mut self, x: f64) -> bool {
        let key = (x + 0.0).to_bits(); // -0.0 + 0.0 = +0.0
        if key == 0 {
            self.len += usize::from(self.zeros == 0);
            self.zeros += 1;
            self.negative_zeros += u32::from(x.is_sign_negative());
            return self.len <= EXACT_DISTINCT;
        }
        let mask = (1usize << self.log2) - 1;
        let mut i = Self::slot(key, self.log2);
        loop {
            match self.keys[i] {
                0 => break,
                k if k == key => {
                    self.counts[i] += 1;
                    return true;
                }
                _ => i = (i + 1) & mask,
            }
        }
        self.keys[i] = key;
        self.counts[i] = 1;
        self.len += 1;
        if self.len * 2 > self.keys.len() && self.log2 < Self::MAX_LOG2 {
            self.grow();
        }
        self.len <= EXACT_DISTINCT
    }

    fn grow(&mut self) {
        let log2 = self.log2 + 1;
        let mask = (1usize << log2) - 1;
        let mut keys = vec![0u64; 1 << log2];
        let mut counts = vec![0u32; 1 << log2];
        for (&k, &c) in self.keys.iter().zip(&self.counts) {
            if k != 0 {
                let mut i = Self::slot(k, log2);
                while keys[i] != 0 {
                    i = (i + 1) & mask;
                }
                keys[i] = k;
                counts[i] = c;
            }
        }
        (self.keys, self.counts, self.log2) = (keys, counts, log2);
    }

    /// The median as a sort then `percentile_sorted` gives it, from the counted values.
    fn median(&self) -> Option<f64> {
        let mut pairs: Vec<(f64, u32)> = self
            .keys
            .iter()
            .zip(&self.counts)
            .filter(|(&k, _)| k != 0)
            .map(|(&k, &c)| (f64::from_bits(k), c))
            .collect();
        if self.negative_zeros > 0 {
            pairs.push((-0.0, self.negative_zeros));
        }
        if self.zeros > self.negative_zeros {
            pairs.push((0.0, self.zeros - self.negative_zeros));
        }
        pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let n: usize = pairs.iter().map(|p| p.1 as usize).sum();
        if n == 0 {
            return None;
        }
        let pos = 0.5 * (n - 1) as f64;
        let lo = pos.floor() as usize;
        let frac = pos - lo as f64;
        // The value at a sorted rank.
        let at = |rank: usize| {
            let mut below = 0usize;
            pairs
                .iter()
                .find(|p| {
                    below += p.1 as usize;
                    below > rank
                })
                .map_or(f64::NAN, |p| p.0)
        };
        let a = at(lo);
        let b = if frac == 0.0 { a } else { at(lo + 1) };
        Some(a + (b - a) * frac)
    }
}

/// HyperLogLog sketch of the distinct values (2^12 registers, standard error ≈ 1.6 %; `-0.0`
/// = `0.0`; no NaN), for columns with more than [`EXACT_DISTINCT`]. Deterministic (fixed hash).
struct DistinctSketch {
    registers: Vec<u8>,
}

impl DistinctSketch {
    const P: u32 = 12;

    fn new() -> Self {
        Self {
            registers: vec![0; 1 << Self::P],
        }
    }

    #[inline]
    fn insert(&mut self, x: f64) {
        let h = splitmix((x + 0.0).to_bits());
        let reg = (h >> (64 - Self::P)) as usize;
        let rank = ((h << Self::P) | (1 << (Self::P - 1))).leading_zeros() as u8 + 1;
        if let Some(r) = self.registers.get_mut(reg) {
            *r = (*r).max(rank);
        }
    }

    fn estimate(&self) -> usize {
        let m = (1u32 << Self::P) as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self
            .registers
            .iter()
            .map(|&r| 1.0 / f64::from(1u32 << r.min(31)))
            .sum();
        // Above 2^16 distinct values (16 per register) no small-range correction applies.
        (alpha * m * m / sum).round() as usize
    }
}

/// The bits of `x` as an integer in the order of [`f64::total_cmp`].
#[inline]
fn order_key(x: f64) -> u64 {
    let b = x.to_bits();
    b ^ ((((b as i64) >> 63) as u64) | (1 << 63))
}

/// The median of the non-NaN values of `v` (`n` of them, between `lo` and `hi`) as
/// selection on a sorted copy gives it, without copying them all: one pass counts them into buckets by
/// their bits in [`f64::total_cmp`] order (the span of the column's keys cut into equal parts:
/// heavy tails and narrow ranges alike spread over many buckets), a second gathers only the
/// bucket(s) holding the middle ranks, and selection finds the values there. Also feeds every
/// value to `sketch`.
fn median_by_buckets(
    v: &[f64],
    n: usize,
    lo: f64,
    hi: f64,
    sketch: &mut DistinctSketch,
) -> Option<f64> {
    const LOG2: u32 = 14;
    if n == 0 {
        return None;
    }
    let base = order_key(lo);
    let span = order_key(hi).wrapping_sub(base);
    let shift = (64 - span.leading_zeros()).saturating_sub(LOG2);
    let bucket = |x: f64| (order_key(x).wrapping_sub(base) >> shift) as usize;
    let mut counts = vec![0u32; 1 << LOG2];
    for &x in v {
        if !x.is_nan() {
            if let Some(c) = counts.get_mut(bucket(x)) {
                *c += 1;
            }
            sketch.insert(x);
        }
    }
    let pos = 0.5 * (n - 1) as f64;
    let rank = pos.floor() as usize;
    let frac = pos - rank as f64;
    let last = if frac == 0.0 { rank } else { rank + 1 };
    // The buckets holding ranks `rank` and `last`, and the values below the first.
    let (mut first, mut below, mut seen) = (None, 0usize, 0usize);
    let mut end = counts.len() - 1;
    for (k, &c) in counts.iter().enumerate() {
        if first.is_none() && seen + c as usize > rank {
            first = Some(k);
            below = seen;
        }
        seen += c as usize;
        if seen > last {
            end = k;
            break;
        }
    }
    let first = first?;
    // Keys from the first bucket's start to the last one's end (NaN keys lie outside [lo, hi]).
    let from = base.wrapping_add((first as u64) << shift);
    let width = ((end - first + 1) as u64) << shift;
    let mut gathered: Vec<f64> = Vec::with_capacity(
        counts[first..=end]
            .iter()
            .map(|&c| c as usize)
            .sum::<usize>(),
    );
    gathered.extend(
        v.iter()
            .copied()
            .filter(|&x| order_key(x).wrapping_sub(from) < width),
    );
    let (_, &mut a, right) = gathered
        .get_mut(..)?
        .select_nth_unstable_by(rank.checked_sub(below)?, f64::total_cmp);
    let b = if frac == 0.0 {
        a
    } else {
        right.iter().copied().fold(f64::INFINITY, f64::min)
    };
    Some(a + (b - a) * frac)
}

/// Summarises every column of a table.
pub fn summarize(table: &Table) -> Vec<ColumnSummary> {
    table.columns.iter().map(summarize_column).collect()
}

fn summarize_column(c: &Column) -> ColumnSummary {
    let mut s = ColumnSummary {
        name: c.name.clone(),
        role: c.role,
        meaning: c.meaning,
        kind: ColumnKind::Numeric,
        missing: 0,
        distinct: 0,
        distinct_exact: true,
        min: None,
        median: None,
        max: None,
        top_levels: Vec::new(),
    };
    match &c.values {
        Values::Numeric(v) => {
            // No sort: one pass for min/max and the distinct values with their counts (the
            // median then comes from the sorted distinct values); only a column with more than
            // EXACT_DISTINCT values is copied for a median by selection and a distinct estimate.
            // Plain comparisons (no NaN): `f64::min` is a libm call on wasm32.
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            let mut exact = Some(ExactCounts::new());
            let mut missing = 0;
            for &x in v {
                if x.is_nan() {
                    missing += 1;
                    continue;
                }
                if x < lo {
                    lo = x;
                }
                if x > hi {
                    hi = x;
                }
                if let Some(e) = &mut exact {
                    if !e.insert(x) {
                        exact = None;
                    }
                }
            }
            s.missing = missing;
            if lo <= hi {
                s.min = Some(lo);
                s.max = Some(hi);
            }
            match exact {
                Some(e) => {
                    (s.distinct, s.distinct_exact) = (e.len, true);
                    s.median = e.median();
                }
                None => {
                    let mut sketch = DistinctSketch::new();
                    s.median = median_by_buckets(v, v.len() - missing, lo, hi, &mut sketch);
                    (s.distinct, s.distinct_exact) = (sketch.estimate(), false);
                }
            }
        }
        Values::Categorical { levels, codes } => {
            s.kind = ColumnKind::Categorical;
            let mut counts = vec![0usize; levels.len()];
            for &code in codes {
                if let Some(n) = counts.get_mut(code as usize) {
                    *n += 1;
                } else if code == MISSING_CODE {
                    s.missing += 1;
                }
            }
            s.distinct = counts.iter().filter(|&&n| n > 0).count();
            let mut order: Vec<usize> = (0..levels.len()).collect();
            order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
            s.top_levels = order
                .into_iter()
                .take(10)
                .filter(|&i| counts[i] > 0)
                .map(|i| (levels[i].clone(), counts[i]))
                .collect();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_summary_matches_the_sorted_definitions() {
        let mut rng = crate::engine::rng::seeded(3);
        for n in [0usize, 1, 2, 5, 1000, 1001, 70_000, 300_000] {
            let v: Vec<f64> = (0..n)
                .map(|i| match i % 7 {
                    0 => f64::NAN,
                    1 => -0.0,
                    2 => 0.0,
                    _ => (crate::engine::rng::uniform(&mut rng) * 1e6).round(),
                })
                .collect();
            let s = summarize_column(&Column::numeric("x", v.clone()));
            let sorted = crate::engine::math::sorted(
                &v.iter()
                    .copied()
                    .filter(|x| !x.is_nan())
                    .collect::<Vec<_>>(),
            );
            let distinct = sorted.windows(2).filter(|w| w[0] != w[1]).count()
                + usize::from(!sorted.is_empty());
            assert_eq!(s.min, sorted.first().copied(), "min at n={n}");
            assert_eq!(s.max, sorted.last().copied(), "max at n={n}");
            assert_eq!(
                s.median.map(f64::to_bits),
                (!sorted.is_empty())
                    .then(|| crate::engine::math::percentile_sorted(&sorted, 50.0).to_bits()),
                "median at n={n}"
            );
            if distinct <= EXACT_DISTINCT {
                assert!(s.distinct_exact);
                assert_eq!(s.distinct, distinct, "distinct at n={n}");
            } else {
                assert!(!s.distinct_exact);
                let err = (s.distinct as f64 - distinct as f64).abs() / distinct as f64;
                assert!(err < 0.05, "estimate {} vs {distinct} at n={n}", s.distinct);
            }
        }
    }

    #[test]
    fn bucket_median_is_the_selected_median_on_any_spread() {
        // Spread, skewed (most values in one bucket), a huge range (the bucket width
        // overflows), negative zeros next to zeros, ties at the middle, odd and even counts.
        let mut rng = crate::engine::rng::seeded(5);
        let mut u = || crate::engine::rng::uniform(&mut rng);
        let columns: Vec<Vec<f64>> = vec![
            (0..100_001).map(|_| u() * 1e3 - 500.0).collect(),
            (0..100_000).map(|_| (u() * 40.0).exp()).collect(),
            (0..5_000)
                .map(|i| {
                    if i % 3 == 0 {
                        f64::MAX
                    } else {
                        -f64::MAX * u()
                    }
                })
                .collect(),
            (0..20_000)
                .map(|i| match i % 4 {
                    0 => -0.0,
                    1 => 0.0,
                    2 => f64::NAN,
                    _ => u() - 0.5,
                })
                .collect(),
            (0..10_000).map(|i| f64::from(i % 2) * 7.0).collect(),
            (0..3).map(f64::from).collect(),
            vec![2.5],
        ];
        for (k, v) in columns.iter().enumerate() {
            let mut present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let (lo, hi) = present
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            let mut sketch = DistinctSketch::new();
            let got = median_by_buckets(v, present.len(), lo, hi, &mut sketch);
            let want = median_in_place(&mut present);
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "column {k}");
        }
    }
}
