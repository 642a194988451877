//! Exact k-nearest-neighbour search by blocked brute force.
//!
//! The reference rows are stored transposed in chunks of [`LANES`] rows (`chunk[j * LANES + l]`
//! is feature `j` of row `l` of the chunk), so the inner loop walks the features once per query and
//! updates [`LANES`] independent accumulators that the compiler turns into SIMD lanes. Each squared
//! distance is the plain sequential sum `Σ_j (q_j − r_j)²` in feature order: no `‖a‖² + ‖b‖² − 2a·b`
//! cancellation (duplicates get exactly 0, as in scikit-learn's tree searches) and the same bits on
//! every target.
//!
//! Ties are broken by the lower reference index: candidates arrive in index order and a candidate
//! only enters the k-best list when it is strictly closer than the current worst.

use ndarray::{ArrayView2, Axis};

/// Reference rows per chunk (the SIMD-friendly accumulator width).
pub const LANES: usize = 8;

/// Features summed between two checks of the early exit.
const SEGMENT: usize = 16;

/// Reference rows laid out for the distance kernel.
#[derive(Debug, Clone)]
pub struct Blocks {
    n_rows: usize,
    n_features: usize,
    /// `ceil(n_rows / LANES)` chunks of `n_features * LANES` values; padding lanes are 0.
    data: Vec<f64>,
}

impl Blocks {
    /// Lays out the rows of `x`.
    pub fn new(x: ArrayView2<'_, f64>) -> Self {
        let (n_rows, n_features) = x.dim();
        let n_chunks = n_rows.div_ceil(LANES);
        let mut data = vec![0.0; n_chunks * n_features * LANES];
        for (i, row) in x.outer_iter().enumerate() {
            let (c, l) = (i / LANES, i % LANES);
            let chunk = &mut data[c * n_features * LANES..(c + 1) * n_features * LANES];
            for (j, v) in row.iter().enumerate() {
                chunk[j * LANES + l] = *v;
            }
        }
        Self {
            n_rows,
            n_features,
            data,
        }
    }

    /// Number of reference rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    fn chunks(&self) -> impl Iterator<Item = &[f64]> {
        self.data.chunks_exact((self.n_features * LANES).max(1))
    }
}

/// The `k` nearest reference rows of one query, sorted by (squared distance, index).
#[derive(Debug, Clone)]
pub struct KBest {
    /// Squared distances, ascending.
    pub sq_dist: Vec<f64>,
    /// Reference indices, matching `sq_dist`.
    pub index: Vec<u32>,
}

impl KBest {
    fn new(k: usize) -> Self {
        Self {
            sq_dist: vec![f64::INFINITY; k],
            index: vec![u32::MAX; k],
        }
    }

    /// Squared distance a candidate must beat.
    #[inline]
    fn bound(&self) -> f64 {
        self.sq_dist[self.sq_dist.len() - 1]
    }

    /// Inserts a candidate known to beat the bound (and, arriving in index order, to lose ties).
    #[inline]
    fn insert(&mut self, d2: f64, index: u32) {
        let k = self.sq_dist.len();
        let mut pos = k - 1;
        while pos > 0 && self.sq_dist[pos - 1] > d2 {
            self.sq_dist[pos] = self.sq_dist[pos - 1];
            self.index[pos] = self.index[pos - 1];
            pos -= 1;
        }
        self.sq_dist[pos] = d2;
        self.index[pos] = index;
    }
}

/// Finds the `k` nearest reference rows of each query row.
///
/// `skip[q]`, when given, is a reference index excluded from query `q`'s neighbours (the query's
/// own row when the queries are the reference set). `k` must be ≤ the number of eligible
/// reference rows; callers guarantee that through parameter validation.
///
/// Partial distance search: a chunk's sums grow monotonically with each feature, so once all its
/// lanes are at or past the current k-th distance after a segment of features, none of its rows
/// can enter and the rest of the chunk is skipped. Rows that are not skipped get the full
/// sequential sum, so the result is the exact k-NN.
pub fn k_nearest(
    blocks: &Blocks,
    queries: ArrayView2<'_, f64>,
    k: usize,
    skip: Option<&[u32]>,
) -> Vec<KBest> {
    let d = blocks.n_features;
    let mut q = vec![0.0; d];
    let mut out = Vec::with_capacity(queries.nrows());
    for (qi, row) in queries.outer_iter().enumerate() {
        for (dst, v) in q.iter_mut().zip(row.iter()) {
            *dst = *v;
        }
        let own = skip.and_then(|s| s.get(qi)).copied();
        let mut best = KBest::new(k);
        for (c, chunk) in blocks.chunks().enumerate() {
            let bound = best.bound();
            let Some(acc) = chunk_distances(&q, chunk, bound) else {
                continue;
            };
            let base = c * LANES;
            for (l, &d2) in acc.iter().enumerate() {
                let i = base + l;
                if d2 < best.bound() && i < blocks.n_rows && own != Some(i as u32) {
                    best.insert(d2, i as u32);
                }
            }
        }
        out.push(best);
    }
    out
}

/// Squared distances of `q` to the rows of one chunk, or `None` when every lane reaches `bound`
/// before the last feature.
#[inline]
fn chunk_distances(q: &[f64], chunk: &[f64], bound: f64) -> Option<[f64; LANES]> {
    let mut acc = [0.0f64; LANES];
    for (qs, rs) in q.chunks(SEGMENT).zip(chunk.chunks(SEGMENT * LANES)) {
        for (&a, r) in qs.iter().zip(rs.chunks_exact(LANES)) {
            for l in 0..LANES {
                let t = a - r[l];
                acc[l] += t * t;
            }
        }
        if acc.iter().all(|&s| s >= bound) {
            return None;
        }
    }
    Some(acc)
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::*;

    fn naive(x: &Array2<f64>, q: &[f64], k: usize, skip: Option<usize>) -> Vec<(f64, u32)> {
        let mut all: Vec<(f64, u32)> = x
            .outer_iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != skip)
            .map(|(i, r)| {
                (
                    r.iter().zip(q).fold(0.0, |s, (a, b)| s + (b - a) * (b - a)),
                    i as u32,
                )
            })
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        all.truncate(k);
        all
    }

    #[test]
    fn blocked_search_matches_naive_sort_including_ties() {
        // Integer grid data: many exact ties, which must go to the lower index.
        let n = 37;
        let x = Array2::from_shape_fn((n, 3), |(i, j)| ((i * (j + 3)) % 5) as f64);
        let blocks = Blocks::new(x.view());
        let skip: Vec<u32> = (0..n as u32).collect();
        let got = k_nearest(&blocks, x.view(), 6, Some(&skip));
        for (i, g) in got.iter().enumerate() {
            let want = naive(&x, x.row(i).as_slice().unwrap(), 6, Some(i));
            let have: Vec<(f64, u32)> = g
                .sq_dist
                .iter()
                .copied()
                .zip(g.index.iter().copied())
                .collect();
            assert_eq!(have, want, "row {i}");
        }
    }

    #[test]
    fn duplicates_are_at_distance_exactly_zero() {
        let x = Array2::from_shape_fn((10, 4), |(i, j)| {
            if i < 5 {
                0.1 * j as f64 + 1e8
            } else {
                i as f64
            }
        });
        let blocks = Blocks::new(x.view());
        let got = k_nearest(&blocks, x.slice_axis(Axis(0), (0..1).into()), 4, Some(&[0]));
        assert_eq!(got[0].sq_dist, vec![0.0; 4]);
        assert_eq!(got[0].index, vec![1, 2, 3, 4]);
    }
}
