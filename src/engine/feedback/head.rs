//! The supervised head of the feedback loop: a logistic regression on the analyst's verdicts.
//!
//! Verdicts name a few rows (confirmed attacks, confirmed harmless rows). The head learns from
//! them which training rows *look like* the confirmed attacks, so a retrain can leave those out
//! too — on NSL-KDD a confirmed handful of SYN-flood rows stands for tens of thousands of
//! unreviewed ones. It is an L2-regularised, class-balanced logistic regression on the
//! preprocessed features (standard-scaled, clipped to ±[`CLIP`]), fitted by Newton's method
//! (iteratively reweighted least squares, a Cholesky solve per step). Every sum runs in a fixed
//! order and `exp` is `libm`'s, so the fit is bit-identical natively and in the browser; there is
//! no random choice.
//!
//! smartcore (=0.7.0) was the candidate for this head and was measured out: its forest and tree
//! draw from `rand`'s `SmallRng`, which is Xoshiro256++ on 64-bit targets and Xoshiro128++ on
//! wasm32 (a different forest per target from the same seed), its random forest has no
//! probability output, and its logistic regression calls the platform's `exp`/`ln` through
//! `num-traits`, not `libm`, so native = wasm bit-identity is not guaranteed. See the README.

use ndarray::{Array2, ArrayView2};

use crate::engine::math;

/// Preprocessed inputs are clipped to ±`CLIP` standard deviations before the head sees them, so
/// one extreme value (byte counts span nine decades) cannot saturate the fit.
pub const CLIP: f64 = 10.0;

/// L2 penalty on the weights (not the intercept), per unit of total sample weight.
pub const L2: f64 = 1e-2;

/// Newton steps at most; the fit stops earlier when the step is below `1e-8`.
pub const MAX_STEPS: usize = 25;

/// A fitted logistic regression: `P(attack | x) = σ(bias + Σ wᵢ·clip(xᵢ))`.
#[derive(Debug, Clone, PartialEq)]
pub struct AttackHead {
    /// Intercept.
    pub bias: f64,
    /// One weight per preprocessed input.
    pub weights: Vec<f64>,
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + math::exp(-z))
    } else {
        let e = math::exp(z);
        e / (1.0 + e)
    }
}

fn clip(v: f64) -> f64 {
    v.clamp(-CLIP, CLIP)
}

/// Solves `a · x = b` for a symmetric positive-definite `a` (row-major, `d × d`) by Cholesky;
/// `None` when `a` is not positive definite.
fn cholesky_solve(a: &[f64], b: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut sum = a[i * d + j];
            for k in 0..j {
                sum -= l[i * d + k] * l[j * d + k];
            }
            if i == j {
                if sum.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                    return None;
                }
                l[i * d + i] = math::sqrt(sum);
            } else {
                l[i * d + j] = sum / l[j * d + j];
            }
        }
    }
    let mut y = vec![0.0; d];
    for i in 0..d {
        let mut sum = b[i];
        for k in 0..i {
            sum -= l[i * d + k] * y[k];
        }
        y[i] = sum / l[i * d + i];
    }
    let mut x = vec![0.0; d];
    for i in (0..d).rev() {
        let mut sum = y[i];
        for k in i + 1..d {
            sum -= l[k * d + i] * x[k];
        }
        x[i] = sum / l[i * d + i];
    }
    Some(x)
}

impl AttackHead {
    /// Fits on rows `x` (preprocessed) with `attack[i]` the verdict of row `i`. `None` when
    /// either class is missing or the fit fails numerically.
    pub fn fit(x: ArrayView2<'_, f64>, attack: &[bool]) -> Option<Self> {
        let n = x.nrows();
        let n_pos = attack.iter().filter(|&&a| a).count();
        if n != attack.len() || n_pos == 0 || n_pos == n {
            return None;
        }
        // Balanced class weights (scikit-learn's `class_weight="balanced"`): each class weighs n/2.
        let w_pos = n as f64 / (2.0 * n_pos as f64);
        let w_neg = n as f64 / (2.0 * (n - n_pos) as f64);
        let d = x.ncols() + 1; // intercept last
        let row = |i: usize| -> Vec<f64> {
            let mut r: Vec<f64> = x.row(i).iter().map(|&v| clip(v)).collect();
            r.push(1.0);
            r
        };
        let rows: Vec<Vec<f64>> = (0..n).map(row).collect();
        let lambda = L2 * n as f64;
        let mut beta = vec![0.0; d];
        for _ in 0..MAX_STEPS {
            let mut grad = vec![0.0; d];
            let mut hess = vec![0.0; d * d];
            for (r, &y) in rows.iter().zip(attack) {
                let mut z = 0.0;
                for (v, b) in r.iter().zip(&beta) {
                    z += v * b;
                }
                let p = sigmoid(z);
                let w = if y { w_pos } else { w_neg };
                let g = w * (p - f64::from(u8::from(y)));
                let h = w * p * (1.0 - p);
                for j in 0..d {
                    grad[j] += g * r[j];
                    let hr = h * r[j];
                    for k in 0..=j {
                        hess[j * d + k] += hr * r[k];
                    }
                }
            }
            for j in 0..d - 1 {
                grad[j] += lambda * beta[j];
                hess[j * d + j] += lambda;
            }
            hess[(d - 1) * d + d - 1] += 1e-9 * n as f64;
            for j in 0..d {
                for k in j + 1..d {
                    hess[j * d + k] = hess[k * d + j];
                }
            }
            let step = cholesky_solve(&hess, &grad, d)?;
            let mut largest = 0.0_f64;
            for (b, s) in beta.iter_mut().zip(&step) {
                *b -= s;
                largest = largest.max(s.abs());
            }
            if !largest.is_finite() {
                return None;
            }
            if largest < 1e-8 {
                break;
            }
        }
        Some(Self {
            bias: beta[d - 1],
            weights: beta[..d - 1].to_vec(),
        })
    }

    /// `P(attack)` of each row of `x` (preprocessed the same way as the fit's rows).
    pub fn predict(&self, x: &Array2<f64>) -> Vec<f64> {
        x.outer_iter()
            .map(|r| {
                let mut z = self.bias;
                for (v, w) in r.iter().zip(&self.weights) {
                    z += clip(*v) * w;
                }
                sigmoid(z)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_two_clouds_and_needs_both_classes() {
        let x = Array2::from_shape_fn((40, 2), |(i, j)| {
            let side = if i < 20 { -1.0 } else { 1.0 };
            side * 2.0 + ((i * 7 + j * 3) % 5) as f64 * 0.1
        });
        let y: Vec<bool> = (0..40).map(|i| i >= 20).collect();
        let head = AttackHead::fit(x.view(), &y).expect("two classes");
        let p = head.predict(&x);
        assert!(p[..20].iter().all(|&v| v < 0.5) && p[20..].iter().all(|&v| v > 0.5));
        assert!(AttackHead::fit(x.view(), &[true; 40]).is_none());
    }

    #[test]
    fn cholesky_solves_a_small_system() {
        // [[4, 2], [2, 3]] x = [2, 1] → x = [0.5, 0]
        let x = cholesky_solve(&[4.0, 2.0, 2.0, 3.0], &[2.0, 1.0], 2).unwrap();
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12, "{x:?}");
        assert!(cholesky_solve(&[0.0, 0.0, 0.0, 1.0], &[1.0, 1.0], 2).is_none());
    }
}
