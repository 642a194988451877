//! The RBF kernel and libsvm's `Q` matrix for the one-class problem: kernel rows computed on
//! demand, rounded to `f32` (libsvm's `Qfloat`) and kept in a least-recently-used row cache with a
//! memory bound.
//!
//! Every dot product goes through [`dot`], whose summation order is fixed by the code (eight
//! independent lanes, combined in a fixed tree), so kernel values are bit-identical on every
//! target; `exp` comes from [`crate::engine::math`].

use crate::engine::math;

/// Dot product of two equally long slices with a fixed summation order.
///
/// Eight independent partial sums (lane `k` takes elements `k, k + 8, …`) are combined as
/// `((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))`, then the tail (fewer than eight
/// trailing elements) is added in order. The lanes let the compiler use SIMD without changing
/// the result; no fused multiply-add is ever emitted by Rust on its own.
#[inline]
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ta, tb) = (ca.remainder(), cb.remainder());
    let mut s = [0.0f64; 8];
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            s[k] += x[k] * y[k];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ta.iter().zip(tb) {
        tail += x * y;
    }
    (((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]))) + tail
}

/// Squared Euclidean distance by differences (used when the norm identity overflows).
pub(crate) fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .fold(0.0, |acc, v| acc + v)
}

/// scikit-learn's `gamma = "scale"`: `1 / (n_features · Var(X))`, the variance taken over every
/// cell of the (row-major) matrix; `1` when the variance is zero.
pub(crate) fn scale_gamma(data: &[f64], n_features: usize) -> f64 {
    if data.is_empty() || n_features == 0 {
        return 1.0;
    }
    let n = data.len() as f64;
    let mean = data.iter().fold(0.0, |acc, v| acc + v) / n;
    let var = data
        .iter()
        .fold(0.0, |acc, v| acc + (v - mean) * (v - mean))
        / n;
    if var == 0.0 || !var.is_finite() {
        1.0
    } else {
        1.0 / (n_features as f64 * var)
    }
}

/// Minimum number of `f32` entries the cache holds: two full rows, as libsvm enforces.
fn min_cache_entries(l: usize) -> usize {
    2 * l
}

/// libsvm's kernel cache: row `i` holds `Q[i][0..len)` for the current order of the variables,
/// rows are dropped least-recently-used first when the budget (in `f32` entries) runs out.
#[derive(Debug)]
struct RowCache {
    rows: Vec<Vec<f32>>,
    /// Circular LRU list over row indices with a sentinel at index `l`.
    prev: Vec<usize>,
    next: Vec<usize>,
    /// Entries still available.
    free: usize,
}

impl RowCache {
    fn new(l: usize, budget_entries: usize) -> Self {
        let mut prev = vec![0; l + 1];
        let mut next = vec![0; l + 1];
        prev[l] = l;
        next[l] = l;
        Self {
            rows: vec![Vec::new(); l],
            prev,
            next,
            free: budget_entries.max(min_cache_entries(l)),
        }
    }

    fn sentinel(&self) -> usize {
        self.rows.len()
    }

    fn lru_delete(&mut self, h: usize) {
        let (p, n) = (self.prev[h], self.next[h]);
        self.next[p] = n;
        self.prev[n] = p;
    }

    fn lru_insert(&mut self, h: usize) {
        let s = self.sentinel();
        let last = self.prev[s];
        self.next[h] = s;
        self.prev[h] = last;
        self.next[last] = h;
        self.prev[s] = h;
    }

    /// Makes row `index` at least `len` long and most recently used. Returns the first position
    /// the caller has to fill (`len` when nothing is missing).
    fn get_data(&mut self, index: usize, len: usize) -> usize {
        let have = self.rows[index].len();
        if have > 0 {
            self.lru_delete(index);
        }
        let start = if len > have {
            let more = len - have;
            let s = self.sentinel();
            while self.free < more {
                let old = self.next[s];
                if old == s {
                    break; // cannot happen with the two-row floor; never loop forever
                }
                self.lru_delete(old);
                self.free += self.rows[old].len();
                self.rows[old] = Vec::new();
            }
            self.rows[index].resize(len, 0.0);
            self.free = self.free.saturating_sub(more);
            have
        } else {
            len
        };
        self.lru_insert(index);
        start
    }

    /// Swaps variables `i` and `j`: their rows, and their columns in every cached row (a row
    /// that holds only one of the two columns is dropped), as libsvm does.
    fn swap_index(&mut self, i: usize, j: usize) {
        if i == j {
            return;
        }
        if !self.rows[i].is_empty() {
            self.lru_delete(i);
        }
        if !self.rows[j].is_empty() {
            self.lru_delete(j);
        }
        self.rows.swap(i, j);
        if !self.rows[i].is_empty() {
            self.lru_insert(i);
        }
        if !self.rows[j].is_empty() {
            self.lru_insert(j);
        }
        let (lo, hi) = if i < j { (i, j) } else { (j, i) };
        let s = self.sentinel();
        let mut h = self.next[s];
        while h != s {
            let after = self.next[h];
            let len = self.rows[h].len();
            if len > lo {
                if len > hi {
                    self.rows[h].swap(lo, hi);
                } else {
                    self.lru_delete(h);
                    self.free += len;
                    self.rows[h] = Vec::new();
                }
            }
            h = after;
        }
    }
}

/// libsvm's `ONE_CLASS_Q`: `Q[i][j] = K(x_i, x_j)` over the training rows, with the variables
/// in the solver's current order (`perm[position]` = training row).
#[derive(Debug)]
pub(crate) struct KernelQ {
    /// Training rows, row-major, in their original order.
    data: Vec<f64>,
    n_features: usize,
    gamma: f64,
    /// Training row at each position.
    perm: Vec<usize>,
    /// `‖x‖²` at each position.
    sq: Vec<f64>,
    /// `K(x_i, x_i)` at each position (in `f64`, as libsvm's `QD`).
    qd: Vec<f64>,
    cache: RowCache,
}

impl KernelQ {
    /// Builds the matrix over `data` (`n_features` columns, row-major) with a cache of at most
    /// `cache_bytes` (never less than two full rows).
    pub(crate) fn new(data: Vec<f64>, n_features: usize, gamma: f64, cache_bytes: u64) -> Self {
        let l = if n_features == 0 {
            0
        } else {
            data.len() / n_features
        };
        let sq: Vec<f64> = (0..l)
            .map(|i| {
                let r = &data[i * n_features..(i + 1) * n_features];
                dot(r, r)
            })
            .collect();
        let entries = usize::try_from(cache_bytes / 4).unwrap_or(usize::MAX);
        let mut q = Self {
            data,
            n_features,
            gamma,
            perm: (0..l).collect(),
            sq,
            qd: Vec::new(),
            cache: RowCache::new(l, entries),
        };
        q.qd = (0..l).map(|i| q.kernel(i, i)).collect();
        q
    }

    /// Number of variables.
    pub(crate) fn len(&self) -> usize {
        self.perm.len()
    }

    /// Training row of each position.
    pub(crate) fn perm(&self) -> &[usize] {
        &self.perm
    }

    /// `K(x_i, x_i)` by position.
    pub(crate) fn qd(&self) -> &[f64] {
        &self.qd
    }

    fn row_of(&self, position: usize) -> &[f64] {
        let r = self.perm[position];
        &self.data[r * self.n_features..(r + 1) * self.n_features]
    }

    /// libsvm's `kernel_rbf`: `exp(−γ (‖x_i‖² + ‖x_j‖² − 2 x_i·x_j))` (NaN from an overflow → 0).
    fn kernel(&self, i: usize, j: usize) -> f64 {
        let k = math::exp(
            -self.gamma * (self.sq[i] + self.sq[j] - 2.0 * dot(self.row_of(i), self.row_of(j))),
        );
        if k.is_nan() {
            0.0
        } else {
            k
        }
    }

    /// Makes `Q[i][0..len)` available (see [`KernelQ::row`]).
    pub(crate) fn ensure(&mut self, i: usize, len: usize) {
        let start = self.cache.get_data(i, len);
        if start < len {
            let mut row = std::mem::take(&mut self.cache.rows[i]);
            for (j, v) in row.iter_mut().enumerate().take(len).skip(start) {
                *v = self.kernel(i, j) as f32;
            }
            self.cache.rows[i] = row;
        }
    }

    /// The cached row `i`; valid up to the `len` of the last [`KernelQ::ensure`] since any
    /// other call that could evict it.
    pub(crate) fn row(&self, i: usize) -> &[f32] {
        &self.cache.rows[i]
    }

    /// Swaps variables `i` and `j` (shrinking moves inactive variables to the end).
    pub(crate) fn swap_index(&mut self, i: usize, j: usize) {
        self.cache.swap_index(i, j);
        self.perm.swap(i, j);
        self.sq.swap(i, j);
        self.qd.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_naive_sum_on_exact_values() {
        let a: Vec<f64> = (0..21).map(f64::from).collect();
        let b: Vec<f64> = (0..21).map(|i| f64::from(i % 3)).collect();
        let naive: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert_eq!(dot(&a, &b), naive);
    }

    #[test]
    fn scale_gamma_is_one_over_features_times_variance() {
        // cells 0, 1, 2, 3: variance 1.25, two features
        assert!((scale_gamma(&[0.0, 1.0, 2.0, 3.0], 2) - 1.0 / 2.5).abs() < 1e-15);
        assert_eq!(scale_gamma(&[4.0, 4.0], 2), 1.0);
    }

    #[test]
    fn cache_keeps_two_rows_under_a_tiny_budget() {
        let data: Vec<f64> = (0..12).map(f64::from).collect();
        let mut q = KernelQ::new(data, 2, 0.1, 0);
        q.ensure(0, 6);
        q.ensure(1, 6);
        assert_eq!(q.row(0).len(), 6);
        assert_eq!(q.row(1).len(), 6);
        q.ensure(2, 6); // evicts row 0
        assert!(q.row(0).is_empty());
        assert_eq!(q.row(2)[2], 1.0);
    }

    #[test]
    fn swapped_rows_hold_swapped_kernel_values() {
        let data: Vec<f64> = (0..10).map(|v| f64::from(v) * 0.3).collect();
        let mut q = KernelQ::new(data.clone(), 2, 0.5, 1 << 20);
        q.ensure(0, 5);
        q.ensure(3, 5);
        q.swap_index(1, 3);
        let mut fresh = KernelQ::new(data, 2, 0.5, 1 << 20);
        fresh.swap_index(1, 3);
        fresh.ensure(0, 5);
        fresh.ensure(1, 5);
        assert_eq!(q.row(0), fresh.row(0));
        q.ensure(1, 5);
        assert_eq!(q.row(1), fresh.row(1));
    }
}
