//! Adam (Kingma & Ba 2015) in the form Keras uses: the bias corrections are folded into the
//! step size, `α_t = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ)`, and `ε` is added to `√v` (not `√v̂`).

use crate::engine::math;

/// Adam state for a list of parameter tensors.
#[derive(Debug, Clone)]
pub(super) struct Adam {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f32,
    /// β₁ᵗ and β₂ᵗ as running products (exact on every target, unlike `powi`).
    beta1_pow: f64,
    beta2_pow: f64,
    m: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
}

/// Keras' defaults.
pub(super) const BETA1: f64 = 0.9;
/// Keras' defaults.
pub(super) const BETA2: f64 = 0.999;
/// Keras' default `ε` (PyTorch uses 1e-8).
pub(super) const EPSILON: f32 = 1e-7;

impl Adam {
    /// State for tensors of the given sizes.
    pub(super) fn new(lr: f64, sizes: impl IntoIterator<Item = usize>) -> Self {
        let (m, v): (Vec<_>, Vec<_>) = sizes
            .into_iter()
            .map(|n| (vec![0.0; n], vec![0.0; n]))
            .unzip();
        Self {
            lr,
            beta1: BETA1,
            beta2: BETA2,
            eps: EPSILON,
            beta1_pow: 1.0,
            beta2_pow: 1.0,
            m,
            v,
        }
    }

    /// Advances the step counter and returns this step's `α_t`.
    pub(super) fn next_step(&mut self) -> f32 {
        self.beta1_pow *= self.beta1;
        self.beta2_pow *= self.beta2;
        (self.lr * math::sqrt(1.0 - self.beta2_pow) / (1.0 - self.beta1_pow)) as f32
    }

    /// Updates tensor `slot` with its gradient, using the `alpha` of [`Adam::next_step`].
    pub(super) fn update(&mut self, slot: usize, param: &mut [f32], grad: &[f32], alpha: f32) {
        let (c1, c2, eps) = (
            (1.0 - self.beta1) as f32,
            (1.0 - self.beta2) as f32,
            self.eps,
        );
        let (m, v) = (&mut self.m[slot], &mut self.v[slot]);
        for (((p, &g), m), v) in param
            .iter_mut()
            .zip(grad)
            .zip(m.iter_mut())
            .zip(v.iter_mut())
        {
            *m += (g - *m) * c1;
            *v += (g * g - *v) * c2;
            *p -= (*m * alpha) / (v.sqrt() + eps);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_step_moves_by_learning_rate() {
        // With bias correction the first Adam step is ≈ lr · sign(g).
        let mut adam = Adam::new(1e-3, [2]);
        let mut p = vec![1.0f32, -1.0];
        let alpha = adam.next_step();
        adam.update(0, &mut p, &[0.5, -2.0], alpha);
        assert!((p[0] - (1.0 - 1e-3)).abs() < 1e-6, "{}", p[0]);
        assert!((p[1] - (-1.0 + 1e-3)).abs() < 1e-6, "{}", p[1]);
    }

    #[test]
    fn minimises_a_quadratic() {
        let mut adam = Adam::new(0.05, [1]);
        let mut p = vec![3.0f32];
        for _ in 0..2000 {
            let g = [2.0 * (p[0] - 1.0)];
            let a = adam.next_step();
            adam.update(0, &mut p, &g, a);
        }
        assert!((p[0] - 1.0).abs() < 1e-2, "{}", p[0]);
    }
}
