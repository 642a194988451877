//! Dense layers and the network they form, with hand-written `f32` kernels.
//!
//! One matrix kernel ([`gemm`]) does all the work. Every output element is summed in one fixed
//! order (its start value, then the shared dimension ascending), whatever the tiling; the
//! register tile keeps 4 × 8 independent accumulators, so the 8-wide lanes vectorise (SSE
//! natively, simd128 in wasm) without changing any result: each lane does exactly the scalar
//! arithmetic. Rust never contracts `a * b + c` into a fused multiply-add, so native and wasm
//! agree bit for bit.

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
    #[cfg(test)]
    pub(super) fn glorot_uniform(n_in: usize, n_out: usize, rng: &mut EngineRng) -> Self {
        Self::uniform(n_in, n_out, math::sqrt(6.0 / (n_in + n_out) as f64), rng)
    }

    /// Weights `U(−limit, +limit)` drawn row by row, zero bias (see [`Dense::randomise_bias`]).
    pub(super) fn uniform(n_in: usize, n_out: usize, limit: f64, rng: &mut EngineRng) -> Self {
        let w = (0..n_in * n_out)
            .map(|_| rng::uniform_range(rng, -limit, limit) as f32)
            .collect();
        let b = vec![0.0; n_out];
        Self { n_in, n_out, w, b }
    }

    /// Biases `U(−limit, +limit)`, drawn after the weights.
    pub(super) fn randomise_bias(&mut self, limit: f64, rng: &mut EngineRng) {
        for b in &mut self.b {
            *b = rng::uniform_range(rng, -limit, limit) as f32;
        }
    }

    /// `out[i, :] = b + Σ_k x[i, k] · W[k, :]` for `rows` rows, summed over `k` in order.
    pub(super) fn forward(&self, x: &[f32], rows: usize, out: &mut [f32]) {
        let a = Operand {
            data: x,
            row_stride: self.n_in,
            col_stride: 1,
        };
        gemm(
            a,
            &self.w,
            rows,
            self.n_in,
            self.n_out,
            Init::Bias(&self.b),
            out,
        );
    }

    /// Gradients of one batch given `dz = ∂L/∂z` (`rows × n_out`) and the layer input `x`:
    /// `gw = xᵀ·dz` (summed over rows in order), `gb = Σ_i dz[i, :]` (both overwritten) and,
    /// when asked, `dx = dz·Wᵀ` (`rows × n_in`, overwritten). `wt` is scratch for `Wᵀ`.
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
        let xt = Operand {
            data: x,
            row_stride: 1,
            col_stride: n_in,
        };
        gemm(xt, dz, n_in, rows, n_out, Init::Zero, gw);
        gb.fill(0.0);
        for dz_row in dz.chunks_exact(n_out).take(rows) {
            for (g, &d) in gb.iter_mut().zip(dz_row) {
                *g += d;
            }
        }
        if let Some(dx) = dx {
            // Wᵀ (n_out × n_in) so that the kernel reads contiguous rows.
            wt.clear();
            wt.resize(n_in * n_out, 0.0);
            for (k, w_row) in self.w.chunks_exact(n_out).enumerate() {
                for (j, &wv) in w_row.iter().enumerate() {
                    wt[j * n_in + k] = wv;
                }
            }
            let a = Operand {
                data: dz,
                row_stride: n_out,
                col_stride: 1,
            };
            gemm(a, wt, rows, n_out, n_in, Init::Zero, dx);
        }
    }
}

/// A matrix read through strides: element `(r, t)` is `data[r · row_stride + t · col_stride]`
/// (a transposed view is just swapped strides).
#[derive(Clone, Copy)]
struct Operand<'a> {
    data: &'a [f32],
    row_stride: usize,
    col_stride: usize,
}

impl Operand<'_> {
    #[inline(always)]
    fn at(&self, r: usize, t: usize) -> f32 {
        self.data[r * self.row_stride + t * self.col_stride]
    }
}

/// Starting value of every output element.
#[derive(Clone, Copy)]
enum Init<'a> {
    Zero,
    /// `bias[j]` for column `j`.
    Bias(&'a [f32]),
}

impl Init<'_> {
    #[inline(always)]
    fn get(&self, j: usize) -> f32 {
        match self {
            Init::Zero => 0.0,
            Init::Bias(b) => b[j],
        }
    }
}

/// Rows and columns of the register tile.
const TILE_R: usize = 4;
const TILE_C: usize = 8;

/// `out[r, j] = init[j] + Σ_{t = 0}^{k−1} a[r, t] · b[t, j]` (`out` is `rows × n`, `b` is
/// row-major `k × n`). Every element sums in the same order (`init`, then `t` ascending) whether
/// it lies in a 4 × 8 register tile or on the scalar edge, so the result does not depend on the
/// tiling, only on the inputs.
fn gemm(
    a: Operand<'_>,
    b: &[f32],
    rows: usize,
    k: usize,
    n: usize,
    init: Init<'_>,
    out: &mut [f32],
) {
    let full_r = rows - rows % TILE_R;
    let full_c = n - n % TILE_C;
    for r0 in (0..full_r).step_by(TILE_R) {
        for c0 in (0..full_c).step_by(TILE_C) {
            let mut acc = [[0.0f32; TILE_C]; TILE_R];
            for row in acc.iter_mut() {
                for (c, v) in row.iter_mut().enumerate() {
                    *v = init.get(c0 + c);
                }
            }
            for t in 0..k {
                let bt: &[f32; TILE_C] = match b[t * n + c0..t * n + c0 + TILE_C].try_into() {
                    Ok(v) => v,
                    Err(_) => return,
                };
                for (r, row) in acc.iter_mut().enumerate() {
                    let av = a.at(r0 + r, t);
                    for c in 0..TILE_C {
                        row[c] += av * bt[c];
                    }
                }
            }
            for (r, row) in acc.iter().enumerate() {
                out[(r0 + r) * n + c0..(r0 + r) * n + c0 + TILE_C].copy_from_slice(row);
            }
        }
        for r in r0..r0 + TILE_R {
            edge(a, b, r, k, n, full_c..n, init, out);
        }
    }
    for r in full_r..rows {
        edge(a, b, r, k, n, 0..n, init, out);
    }
}

/// The scalar path of [`gemm`] for row `r`, columns `cols`.
#[allow(clippy::too_many_arguments)]
#[inline]
fn edge(
    a: Operand<'_>,
    b: &[f32],
    r: usize,
    k: usize,
    n: usize,
    cols: std::ops::Range<usize>,
    init: Init<'_>,
    out: &mut [f32],
) {
    for j in cols {
        let mut s = init.get(j);
        for t in 0..k {
            s += a.at(r, t) * b[t * n + j];
        }
        out[r * n + j] = s;
    }
}

/// How the weights and biases start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightInit {
    /// Weights and biases from Glorot's uniform `U(±√(6/(fan_in + fan_out)))`, as
    /// scikit-learn's `MLPRegressor` does for ReLU networks. The default: the random biases keep
    /// more units of the narrow layers alive than zero biases do (measured in the module docs).
    #[default]
    GlorotUniformWithBias,
    /// Glorot uniform weights and zero biases: Keras' default for `Dense`.
    GlorotUniform,
    /// He uniform weights `U(±√(6/fan_in))`, zero biases.
    HeUniform,
}

impl WeightInit {
    fn limit(self, n_in: usize, n_out: usize) -> f64 {
        match self {
            Self::GlorotUniform | Self::GlorotUniformWithBias => {
                math::sqrt(6.0 / (n_in + n_out) as f64)
            }
            Self::HeUniform => math::sqrt(6.0 / n_in as f64),
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
    /// Layers `n_features → hidden[0] → … → hidden[h−1] → n_features`, initialised by `init`.
    pub(super) fn new(
        n_features: usize,
        hidden: &[usize],
        init: WeightInit,
        rng: &mut EngineRng,
    ) -> Self {
        let mut sizes = Vec::with_capacity(hidden.len() + 2);
        sizes.push(n_features);
        sizes.extend_from_slice(hidden);
        sizes.push(n_features);
        let layers = sizes
            .windows(2)
            .map(|p| {
                let limit = init.limit(p[0], p[1]);
                let mut layer = Dense::uniform(p[0], p[1], limit, rng);
                if init == WeightInit::GlorotUniformWithBias {
                    layer.randomise_bias(limit, rng);
                }
                layer
            })
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
        // 9 × 19 outputs: full 4 × 8 tiles plus row and column edges.
        let mut r = rng::seeded(5);
        let mut l = Dense::glorot_uniform(7, 19, &mut r);
        l.b = (0..19).map(|j| j as f32 * 0.25 - 0.5).collect();
        let x: Vec<f32> = (0..9 * 7)
            .map(|_| rng::uniform_range(&mut r, -2.0, 2.0) as f32)
            .collect();
        let mut out = vec![0.0; 9 * 19];
        l.forward(&x, 9, &mut out);
        // Same order of additions as the naive triple loop: bit-identical.
        assert_eq!(out, naive_forward(&l, &x, 9));
    }

    #[test]
    fn backward_sums_in_the_documented_order() {
        let mut r = rng::seeded(6);
        let (rows, n_in, n_out) = (6, 10, 9);
        let l = Dense::glorot_uniform(n_in, n_out, &mut r);
        let x: Vec<f32> = (0..rows * n_in)
            .map(|_| rng::uniform_range(&mut r, -1.0, 1.0) as f32)
            .collect();
        let dz: Vec<f32> = (0..rows * n_out)
            .map(|_| rng::uniform_range(&mut r, -1.0, 1.0) as f32)
            .collect();
        let (mut gw, mut gb, mut dx, mut wt) = (
            vec![0.0; n_in * n_out],
            vec![0.0; n_out],
            vec![0.0; rows * n_in],
            Vec::new(),
        );
        l.backward(&x, &dz, rows, &mut gw, &mut gb, Some(&mut dx), &mut wt);
        for k in 0..n_in {
            for j in 0..n_out {
                let mut want = 0.0f32;
                for i in 0..rows {
                    want += x[i * n_in + k] * dz[i * n_out + j];
                }
                assert_eq!(gw[k * n_out + j], want);
            }
        }
        for j in 0..n_out {
            let mut want = 0.0f32;
            for i in 0..rows {
                want += dz[i * n_out + j];
            }
            assert_eq!(gb[j], want);
        }
        for i in 0..rows {
            for k in 0..n_in {
                let mut want = 0.0f32;
                for j in 0..n_out {
                    want += dz[i * n_out + j] * l.w[k * n_out + j];
                }
                assert_eq!(dx[i * n_in + k], want);
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
