//! SMO for the one-class dual, step for step as libsvm's `Solver` (Fan, Chen & Lin 2005) with
//! `y = +1`, `p = 0` and `C = 1` for every variable:
//!
//! ```text
//! min ½ αᵀQα   subject to   0 ≤ αᵢ ≤ 1,   Σ αᵢ = ν·l
//! ```
//!
//! * start: scikit-learn's variant of libsvm's initialisation — `ν·l` accumulated as a sum,
//!   then handed out greedily: the first ⌊νl⌋ variables get 1, the next one the fraction;
//! * working set: second-order selection (WSS2): `i` maximises `−∇ᵢ` over variables below the
//!   upper bound, `j` minimises `−(∇ⱼ − ∇ᵢ)² / (Qᵢᵢ + Qⱼⱼ − 2Qᵢⱼ)` among those above the lower
//!   bound with `∇ⱼ > ∇ᵢ`; stop when `max(−∇ᵢ) + max(∇ⱼ) < tol`;
//! * two-variable update clipped to the box, gradient update over the active set, `G_bar` (the
//!   gradient contribution of the variables at the upper bound) kept for reconstruction;
//! * shrinking every `min(l, 1000)` iterations, unshrinking once when the violation drops below
//!   `10·tol`, and the whole gradient rebuilt before the final optimality check;
//! * `ρ`: the mean gradient over free variables, else the midpoint of the bounds.
//!
//! Ties are broken as libsvm does (`>=` keeps the last candidate), variables are swapped in the
//! same order, and `Q` is rounded to `f32`, so the iterates follow libsvm's up to the last bits
//! of the kernel values.

use super::kernel::KernelQ;
use crate::engine::error::FitError;
use crate::engine::models::DetectorKind;
use crate::engine::progress::{self, Progress, Stage};

/// libsvm's replacement for a non-positive curvature.
const TAU: f64 = 1e-12;

/// How often (in iterations) progress is reported and cancellation checked.
const REPORT_EVERY: u64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    Lower,
    Upper,
    Free,
}

/// Solver settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SolverSettings {
    /// Stopping tolerance on the maximal violating pair.
    pub eps: f64,
    /// libsvm's shrinking heuristic.
    pub shrinking: bool,
    /// Iteration bound.
    pub max_iter: u64,
}

/// The solver's result, in training-row order.
#[derive(Debug, Clone)]
pub(crate) struct Solution {
    /// One coefficient per training row.
    pub alpha: Vec<f64>,
    /// Offset of the decision function.
    pub rho: f64,
    /// Iterations run.
    pub n_iter: u64,
    /// True when the iteration bound stopped the solver.
    pub hit_max_iter: bool,
}

struct Solver {
    q: KernelQ,
    l: usize,
    active_size: usize,
    alpha: Vec<f64>,
    status: Vec<Bound>,
    g: Vec<f64>,
    g_bar: Vec<f64>,
    eps: f64,
    unshrink: bool,
}

/// Solves the one-class dual for `nu` over the rows held by `q`.
pub(crate) fn solve_one_class(
    q: KernelQ,
    nu: f64,
    settings: SolverSettings,
    progress: &mut dyn Progress,
) -> Result<Solution, FitError> {
    let l = q.len();
    let mut alpha = vec![0.0; l];
    let mut nu_l = 0.0;
    for _ in 0..l {
        nu_l += nu; // C[i] · nu with C[i] = 1, summed as scikit-learn does
    }
    let mut i = 0;
    while nu_l > 0.0 && i < l {
        alpha[i] = if 1.0 < nu_l { 1.0 } else { nu_l };
        nu_l -= alpha[i];
        i += 1;
    }
    let mut s = Solver {
        q,
        l,
        active_size: l,
        status: alpha.iter().map(|&a| bound_of(a)).collect(),
        alpha,
        g: vec![0.0; l],
        g_bar: vec![0.0; l],
        eps: settings.eps,
        unshrink: false,
    };
    s.init_gradient();
    let (n_iter, hit_max_iter) = s.run(settings, progress)?;
    let rho = s.calculate_rho();
    let mut alpha = vec![0.0; l];
    for (pos, &row) in s.q.perm().iter().enumerate() {
        alpha[row] = s.alpha[pos];
    }
    Ok(Solution {
        alpha,
        rho,
        n_iter,
        hit_max_iter,
    })
}

fn bound_of(a: f64) -> Bound {
    if a >= 1.0 {
        Bound::Upper
    } else if a <= 0.0 {
        Bound::Lower
    } else {
        Bound::Free
    }
}

impl Solver {
    fn init_gradient(&mut self) {
        let l = self.l;
        for i in 0..l {
            if self.status[i] != Bound::Lower {
                self.q.ensure(i, l);
                let q_i = self.q.row(i);
                let a_i = self.alpha[i];
                for (g, &qv) in self.g.iter_mut().zip(q_i) {
                    *g += a_i * f64::from(qv);
                }
                if self.status[i] == Bound::Upper {
                    for (gb, &qv) in self.g_bar.iter_mut().zip(q_i) {
                        *gb += f64::from(qv); // C · Q_ij with C = 1
                    }
                }
            }
        }
    }

    /// The main loop; returns the iteration count and whether the bound was hit.
    fn run(
        &mut self,
        settings: SolverSettings,
        progress: &mut dyn Progress,
    ) -> Result<(u64, bool), FitError> {
        let l = self.l;
        let stage = Stage::Fit(DetectorKind::OneClassSvm);
        let mut iter: u64 = 0;
        let mut counter = l.min(1000) + 1;
        let mut hit_max_iter = false;
        loop {
            if iter >= settings.max_iter {
                hit_max_iter = true;
                break;
            }
            if iter % REPORT_EVERY == 0 {
                progress::report(
                    progress,
                    stage,
                    iter,
                    settings.max_iter,
                    FitError::Cancelled,
                )?;
            }
            counter -= 1;
            if counter == 0 {
                counter = l.min(1000);
                if settings.shrinking {
                    self.do_shrinking();
                }
            }
            let (i, j) = match self.select_working_set() {
                Some(pair) => pair,
                None => {
                    self.reconstruct_gradient();
                    self.active_size = l;
                    match self.select_working_set() {
                        Some(pair) => {
                            counter = 1; // shrink at the next iteration
                            pair
                        }
                        None => break,
                    }
                }
            };
            iter += 1;
            self.update_pair(i, j);
        }
        if hit_max_iter && self.active_size < l {
            self.reconstruct_gradient();
            self.active_size = l;
        }
        Ok((iter, hit_max_iter))
    }

    /// One SMO step on the pair (`y_i = y_j`, `C = 1`).
    fn update_pair(&mut self, i: usize, j: usize) {
        let active = self.active_size;
        let l = self.l;
        self.q.ensure(i, active);
        self.q.ensure(j, active);
        let old_i = self.alpha[i];
        let old_j = self.alpha[j];
        {
            let q_i = self.q.row(i);
            let qd = self.q.qd();
            let mut quad = qd[i] + qd[j] - 2.0 * f64::from(q_i[j]);
            if quad <= 0.0 {
                quad = TAU;
            }
            let delta = (self.g[i] - self.g[j]) / quad;
            let sum = self.alpha[i] + self.alpha[j];
            let (mut ai, mut aj) = (self.alpha[i] - delta, self.alpha[j] + delta);
            if sum > 1.0 {
                if ai > 1.0 {
                    ai = 1.0;
                    aj = sum - 1.0;
                }
            } else if aj < 0.0 {
                aj = 0.0;
                ai = sum;
            }
            if sum > 1.0 {
                if aj > 1.0 {
                    aj = 1.0;
                    ai = sum - 1.0;
                }
            } else if ai < 0.0 {
                ai = 0.0;
                aj = sum;
            }
            self.alpha[i] = ai;
            self.alpha[j] = aj;
        }
        let d_i = self.alpha[i] - old_i;
        let d_j = self.alpha[j] - old_j;
        {
            let q_i = &self.q.row(i)[..active];
            let q_j = &self.q.row(j)[..active];
            for ((g, &a), &b) in self.g[..active].iter_mut().zip(q_i).zip(q_j) {
                *g += f64::from(a) * d_i + f64::from(b) * d_j;
            }
        }
        let ui = self.status[i] == Bound::Upper;
        let uj = self.status[j] == Bound::Upper;
        self.status[i] = bound_of(self.alpha[i]);
        self.status[j] = bound_of(self.alpha[j]);
        for (k, was_upper) in [(i, ui), (j, uj)] {
            if was_upper != (self.status[k] == Bound::Upper) {
                self.q.ensure(k, l);
                let q_k = self.q.row(k);
                if was_upper {
                    for (gb, &qv) in self.g_bar.iter_mut().zip(q_k) {
                        *gb -= f64::from(qv);
                    }
                } else {
                    for (gb, &qv) in self.g_bar.iter_mut().zip(q_k) {
                        *gb += f64::from(qv);
                    }
                }
            }
        }
    }

    /// WSS2; `None` when the pair violates optimality by less than `eps` (or there is none).
    fn select_working_set(&mut self) -> Option<(usize, usize)> {
        let active = self.active_size;
        let mut gmax = f64::NEG_INFINITY;
        let mut gmax2 = f64::NEG_INFINITY;
        let mut gmax_idx: Option<usize> = None;
        let mut gmin_idx: Option<usize> = None;
        let mut obj_diff_min = f64::INFINITY;
        for t in 0..active {
            if self.status[t] != Bound::Upper && -self.g[t] >= gmax {
                gmax = -self.g[t];
                gmax_idx = Some(t);
            }
        }
        if let Some(i) = gmax_idx {
            self.q.ensure(i, active);
        }
        let q_i = gmax_idx.map(|i| self.q.row(i));
        let qd = self.q.qd();
        for j in 0..active {
            if self.status[j] == Bound::Lower {
                continue;
            }
            let grad_diff = gmax + self.g[j];
            if self.g[j] >= gmax2 {
                gmax2 = self.g[j];
            }
            if grad_diff > 0.0 {
                // grad_diff > 0 implies gmax is finite, hence an `i` exists
                if let (Some(i), Some(q_i)) = (gmax_idx, q_i) {
                    let quad = qd[i] + qd[j] - 2.0 * f64::from(q_i[j]);
                    let obj_diff = if quad > 0.0 {
                        -(grad_diff * grad_diff) / quad
                    } else {
                        -(grad_diff * grad_diff) / TAU
                    };
                    if obj_diff <= obj_diff_min {
                        gmin_idx = Some(j);
                        obj_diff_min = obj_diff;
                    }
                }
            }
        }
        if gmax + gmax2 < self.eps {
            return None;
        }
        match (gmax_idx, gmin_idx) {
            (Some(i), Some(j)) => Some((i, j)),
            _ => None,
        }
    }

    fn be_shrunk(&self, i: usize, gmax1: f64, gmax2: f64) -> bool {
        match self.status[i] {
            Bound::Upper => -self.g[i] > gmax1,
            Bound::Lower => self.g[i] > gmax2,
            Bound::Free => false,
        }
    }

    fn do_shrinking(&mut self) {
        let mut gmax1 = f64::NEG_INFINITY; // max −∇ over variables below the upper bound
        let mut gmax2 = f64::NEG_INFINITY; // max ∇ over variables above the lower bound
        for i in 0..self.active_size {
            if self.status[i] != Bound::Upper && -self.g[i] >= gmax1 {
                gmax1 = -self.g[i];
            }
            if self.status[i] != Bound::Lower && self.g[i] >= gmax2 {
                gmax2 = self.g[i];
            }
        }
        if !self.unshrink && gmax1 + gmax2 <= self.eps * 10.0 {
            self.unshrink = true;
            self.reconstruct_gradient();
            self.active_size = self.l;
        }
        let mut i = 0;
        while i < self.active_size {
            if self.be_shrunk(i, gmax1, gmax2) {
                self.active_size -= 1;
                while self.active_size > i {
                    if !self.be_shrunk(self.active_size, gmax1, gmax2) {
                        self.swap_index(i, self.active_size);
                        break;
                    }
                    self.active_size -= 1;
                }
            }
            i += 1;
        }
    }

    fn swap_index(&mut self, i: usize, j: usize) {
        self.q.swap_index(i, j);
        self.g.swap(i, j);
        self.status.swap(i, j);
        self.alpha.swap(i, j);
        self.g_bar.swap(i, j);
    }

    /// Rebuilds the gradient of the shrunk variables from `G_bar` and the free variables.
    fn reconstruct_gradient(&mut self) {
        let (active, l) = (self.active_size, self.l);
        if active == l {
            return;
        }
        for j in active..l {
            self.g[j] = self.g_bar[j];
        }
        let nr_free = (0..active)
            .filter(|&j| self.status[j] == Bound::Free)
            .count();
        if (nr_free as u64) * (l as u64) > 2 * (active as u64) * ((l - active) as u64) {
            for i in active..l {
                self.q.ensure(i, active);
                let q_i = self.q.row(i);
                let mut gi = self.g[i];
                for j in 0..active {
                    if self.status[j] == Bound::Free {
                        gi += self.alpha[j] * f64::from(q_i[j]);
                    }
                }
                self.g[i] = gi;
            }
        } else {
            for i in 0..active {
                if self.status[i] == Bound::Free {
                    self.q.ensure(i, l);
                    let q_i = self.q.row(i);
                    let a_i = self.alpha[i];
                    for j in active..l {
                        self.g[j] += a_i * f64::from(q_i[j]);
                    }
                }
            }
        }
    }

    /// libsvm's `calculate_rho` for `y = +1`. When no variable is free and all sit at the upper
    /// bound (ν = 1), libsvm's midpoint is infinite; the finite bound is used instead.
    fn calculate_rho(&self) -> f64 {
        let mut nr_free = 0u64;
        let (mut ub, mut lb, mut sum_free) = (f64::INFINITY, f64::NEG_INFINITY, 0.0);
        for i in 0..self.active_size {
            let g = self.g[i];
            match self.status[i] {
                Bound::Upper => lb = lb.max(g),
                Bound::Lower => ub = ub.min(g),
                Bound::Free => {
                    nr_free += 1;
                    sum_free += g;
                }
            }
        }
        if nr_free > 0 {
            sum_free / nr_free as f64
        } else if ub.is_finite() && lb.is_finite() {
            (ub + lb) / 2.0
        } else if lb.is_finite() {
            lb
        } else if ub.is_finite() {
            ub
        } else {
            0.0
        }
    }
}
