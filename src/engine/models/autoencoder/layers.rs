//! Dense layers and the network they form, with hand-written `f32` kernels.
//!
//! Every kernel sums in one fixed order (the order of the loop indices), and the innermost loop
//! always runs over a contiguous row of independent outputs, so it vectorises (SSE/AVX natively,
//! simd128 in wasm) without changing any result: each lane does exactly the scalar arithmetic.
//! Rust never contracts `a * b + c` into a fused multiply-add, so native and wasm agree bit for bit.
//! Zero inputs (ReLU outputs, dropped units) are skipped; that changes at most the sign of a zero
//! and is the same on every target.

use serde::{Deserialize, Serialize};

use crate::engine::math;
use crate::engine::rng::{self, EngineRng};

/// Rows scored per block at inference, to bound scratch memory.
pub(super) const INFERENCE_BLOCK: usize = 256;

/// One fully connected layer `y = x·W + b`.
///
/// `w` is row-major `n_in × n_out` (row `k` holds the weights leaving input `k`), so the forward
/// pass streams contiguous rows of `W` into a contiguous output row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Dense {
    pub(super) n_in: usize,
    pub(super) n_out: usize,
    pub(super) w: Vec<f32>,
    pub(super) b: Vec<f32>,
}

impl Dense {
    /// Glorot (Xavier) uniform weights, `U(−√(6/(n_in+n_out)), +√(6/(n_in+n_out)))`, zero bias:
    /// Keras' default initialiser for `Dense`.
    pub(super) fn glorot_uniform(n_in: usize, n_out: usize, rng: &mut EngineRng) -> Self {
        let limit = math::sqrt(6.0 / (n_in + n_out) as f64);
        let w = (0..n_in * n_out)
            .map(|_| rng::uniform_range(rng, -limit, limit) as f32)
            .collect();
        Self {
            n_in,
            n_out,
            w,
            b: vec![0.0; n_out],
        }
    }

    /// `out[i, :] = b + Σ_k x[i, k] · W[k, :]` for `rows` rows, summed over `k` in order.
    pub(super) fn forward(&self, x: &[f32], rows: usize, out: &mut [f32]) {
        let (n_in, n_out) = (self.n_in, self.n_out);
        for (x_row, out_row) in x
            .chunks_exact(n_in)
            .zip(out.chunks_exact_mut(n_out))
            .take(rows)
        {
            out_row.copy_from_slice(&self.b);
            for (&xv, w_row) in x_row.iter().zip(self.w.chunks_exact(n_out)) {
                if xv != 0.0 {
                    for (o, &wv) in out_row.iter_mut().zip(w_row) {
                        *o += xv * wv;
                    }
                }
            }
        }
    }

    /// Gradients of one batch given `dz = ∂L/∂z` (`rows × n_out`) and the layer input `x`:
    /// `gw = xᵀ·dz`, `gb = Σ_i dz[i, :]` (both overwritten) and, when asked, `dx = dz·Wᵀ`
    /// (`rows × n_in`, overwritten). `wt` is scratch for `Wᵀ`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn backward(
        &self,
        x: &[f32],
        dz: &[f32],
        rows: usize,
        gw: &mut [f32],
        gb: &mut [f32],
        dx: Option<&mut [f32]>,
        wt: &mut Vec<f32>,
    ) {
        let (n_in, n_out) = (self.n_in, self.n_out);
        gw.fill(0.0);
        gb.fill(0.0);
        for (x_row, dz_row) in x.chunks_exact(n_in).zip(dz.chunks_exact(n_out)).take(rows) {
            for (&xv, gw_row) in x_row.iter().zip(gw.chunks_exact_mut(n_out)) {
                if xv != 0.0 {
                    for (g, &d) in gw_row.iter_mut().zip(dz_row) {
                        *g += xv * d;
                    }
                }
            }
            for (g, &d) in gb.iter_mut().zip(dz_row) {
                *g += d;
            }
        }
        if let Some(dx) = dx {
            // Wᵀ (n_out × n_in) so that the inner loop runs over contiguous inputs.
            wt.clear();
            wt.resize(n_in * n_out, 0.0);
            for (k, w_row) in self.w.chunks_exact(n_out).enumerate() {
                for (j, &wv) in w_row.iter().enumerate() {
                    wt[j * n_in + k] = wv;
                }
            }
            for (dz_row, dx_row) in dz
                .chunks_exact(n_out)
                .zip(dx.chunks_exact_mut(n_in))
                .take(rows)
            {
                dx_row.fill(0.0);
                for (&d, wt_row) in dz_row.iter().zip(wt.chunks_exact(n_in)) {
                    if d != 0.0 {
                        for (o, &wv) in dx_row.iter_mut().zip(wt_row) {
                            *o += d * wv;
                        }
                    }
                }
            }
        }
    }
}

/// `v ← max(v, 0)`.
pub(super) fn relu(v: &mut [f32]) {
    for x in v {
        *x = if *x > 0.0 { *x } else { 0.0 };
    }
}

/// A stack of dense layers: ReLU after every layer but the last, which is linear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Network {
    pub(super) layers: Vec<Dense>,
}

impl Network {
    /// Layers `n_features → hidden[0] → … → hidden[h−1] → n_features`, Glorot-uniform initialised.
    pub(super) fn new(n_features: usize, hidden: &[usize], rng: &mut EngineRng) -> Self {
        let mut sizes = Vec::with_capacity(hidden.len() + 2);
        sizes.push(n_features);
        sizes.extend_from_slice(hidden);
        sizes.push(n_features);
        let layers = sizes
            .windows(2)
            .map(|p| Dense::glorot_uniform(p[0], p[1], rng))
            .collect();
        Self { layers }
    }

    /// Input width.
    pub(super) fn n_features(&self) -> usize {
        self.layers.first().map_or(0, |l| l.n_in)
    }

    /// Widest layer output (scratch size per row).
    pub(super) fn max_width(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.n_out.max(l.n_in))
            .max()
            .unwrap_or(0)
    }

    /// Reconstructs `rows` rows of `x` (row-major, `n_features` wide) without dropout, in blocks.
    pub(super) fn reconstruct(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let d = self.n_features();
        let width = self.max_width();
        let mut out = vec![0.0f32; rows * d];
        let mut a = vec![0.0f32; INFERENCE_BLOCK * width];
        let mut b = vec![0.0f32; INFERENCE_BLOCK * width];
        let last = self.layers.len().saturating_sub(1);
        for (x_blk, out_blk) in x
            .chunks(INFERENCE_BLOCK * d)
            .zip(out.chunks_mut(INFERENCE_BLOCK * d))
        {
            let n = x_blk.len() / d.max(1);
            a[..x_blk.len()].copy_from_slice(x_blk);
            for (l, layer) in self.layers.iter().enumerate() {
                let (src, dst) = (&a[..n * layer.n_in], &mut b[..n * layer.n_out]);
                layer.forward(src, n, dst);
                if l < last {
                    relu(dst);
                }
                std::mem::swap(&mut a, &mut b);
            }
            out_blk.copy_from_slice(&a[..n * d]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_forward(l: &Dense, x: &[f32], rows: usize) -> Vec<f32> {
        let mut out = vec![0.0; rows * l.n_out];
        for i in 0..rows {
            for j in 0..l.n_out {
                let mut s = l.b[j];
                for k in 0..l.n_in {
                    s += x[i * l.n_in + k] * l.w[k * l.n_out + j];
                }
                out[i * l.n_out + j] = s;
            }
        }
        out
    }

    #[test]
    fn forward_sums_bias_then_inputs_in_order() {
        let mut r = rng::seeded(5);
        let mut l = Dense::glorot_uniform(7, 5, &mut r);
        l.b = (0..5).map(|j| j as f32 * 0.25 - 0.5).collect();
        let x: Vec<f32> = (0..3 * 7)
            .map(|_| rng::uniform_range(&mut r, -2.0, 2.0) as f32)
            .collect();
        let mut out = vec![0.0; 3 * 5];
        l.forward(&x, 3, &mut out);
        // Same order of additions as the naive triple loop: bit-identical.
        assert_eq!(out, naive_forward(&l, &x, 3));
    }

    #[test]
    fn backward_matches_naive_products() {
        let mut r = rng::seeded(6);
        let l = Dense::glorot_uniform(4, 3, &mut r);
        let x: Vec<f32> = (0..2 * 4)
            .map(|_| rng::uniform_range(&mut r, -1.0, 1.0) as f32)
            .collect();
        let dz: Vec<f32> = (0..2 * 3)
            .map(|_| rng::uniform_range(&mut r, -1.0, 1.0) as f32)
            .collect();
        let (mut gw, mut gb, mut dx, mut wt) =
            (vec![0.0; 12], vec![0.0; 3], vec![0.0; 8], Vec::new());
        l.backward(&x, &dz, 2, &mut gw, &mut gb, Some(&mut dx), &mut wt);
        for k in 0..4 {
            for j in 0..3 {
                let want = x[k] * dz[j] + x[4 + k] * dz[3 + j];
                assert!((gw[k * 3 + j] - want).abs() < 1e-6);
            }
        }
        for j in 0..3 {
            assert!((gb[j] - (dz[j] + dz[3 + j])).abs() < 1e-6);
        }
        for i in 0..2 {
            for k in 0..4 {
                let want: f32 = (0..3).map(|j| dz[i * 3 + j] * l.w[k * 3 + j]).sum();
                assert!((dx[i * 4 + k] - want).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn glorot_limits_hold() {
        let mut r = rng::seeded(1);
        let l = Dense::glorot_uniform(122, 64, &mut r);
        let limit = (6.0f64 / 186.0).sqrt() as f32;
        assert!(l.w.iter().all(|w| w.abs() <= limit));
        assert!(l.b.iter().all(|&b| b == 0.0));
    }
}
