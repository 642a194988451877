//! The training loop: mini-batch Adam on the mean squared reconstruction error, with optional
//! dropout, a seeded validation split, early stopping and restoration of the best weights.

use ndarray::ArrayView2;

use super::layers::{relu, Network};
use super::model::{Autoencoder, EpochLoss, TrainingSummary};
use super::optim::Adam;
use super::params::AutoencoderParams;
use crate::engine::error::FitError;
use crate::engine::models::{Calibration, Detector, DetectorKind, Fitted};
use crate::engine::progress::{self, Progress, Stage};
use crate::engine::rng::{self, EngineRng};

/// Seed streams derived from the params' seed, one per random choice.
const STREAM_SAMPLE: u64 = 0;
const STREAM_SPLIT: u64 = 1;
const STREAM_INIT: u64 = 2;
const STREAM_EPOCHS: u64 = 3;

/// Hidden layers (0-based) followed by dropout when `dropout > 0`.
const DROPOUT_LAYERS: usize = 2;

/// Fits the autoencoder on a checked matrix with validated params.
// Over 120 lines on purpose: sample, seeded split, the epoch loop with early stopping and the
// calibration read top to bottom in the order the module docs describe.
pub(super) fn fit(
    p: &AutoencoderParams,
    x: ArrayView2<'_, f64>,
    progress: &mut dyn Progress,
) -> Result<Fitted<Autoencoder>, FitError> {
    let (n, d) = x.dim();

    // Training sample (sorted, so the data keeps its order before the seeded split).
    let rows: Vec<usize> = if n > p.max_train_rows {
        let mut s = rng::sample_indices(
            &mut rng::seeded(rng::derive_seed(p.seed, STREAM_SAMPLE)),
            n,
            p.max_train_rows,
        );
        s.sort_unstable();
        s
    } else {
        (0..n).collect()
    };

    // Seeded validation split of the sample.
    let mut order = rows;
    rng::shuffle(
        &mut rng::seeded(rng::derive_seed(p.seed, STREAM_SPLIT)),
        &mut order,
    );
    let n_val = ((order.len() as f64) * p.validation_fraction).floor() as usize;
    let n_val = if n_val >= order.len() { 0 } else { n_val };
    let (val_rows, train_rows) = order.split_at(n_val);
    let train = gather(x, train_rows);
    let val = gather(x, val_rows);
    let m = train_rows.len();

    let mut net = Network::new(
        d,
        &p.hidden_layers,
        p.weight_init,
        &mut rng::seeded(rng::derive_seed(p.seed, STREAM_INIT)),
    );
    let mut trainer = Trainer::new(&net, p.batch_size.min(m), p.dropout, p.learning_rate);
    let mut rng = rng::seeded(rng::derive_seed(p.seed, STREAM_EPOCHS));
    let mut perm: Vec<usize> = (0..m).collect();

    let stage = Stage::Fit(DetectorKind::Autoencoder);
    let total = p.epochs as u64;
    let mut history = Vec::with_capacity(p.epochs);
    let mut best: Option<(f64, usize, Network)> = None;
    let mut since_best = 0usize;
    for epoch in 0..p.epochs {
        rng::shuffle(&mut rng, &mut perm);
        let mut loss_sum = 0.0f64;
        for (b, chunk) in perm.chunks(trainer.batch).enumerate() {
            trainer.load_batch(&train, d, chunk);
            trainer.draw_dropout(chunk.len(), &mut rng);
            let loss = trainer.step(&mut net, chunk.len());
            if !loss.is_finite() {
                return Err(diverged(epoch, Some(b), loss));
            }
            loss_sum += loss * chunk.len() as f64;
        }
        let train_loss = loss_sum / m as f64;
        let val_loss = if n_val > 0 {
            let v = mean_error(&net, &val, n_val);
            if !v.is_finite() {
                return Err(diverged(epoch, None, v));
            }
            Some(v)
        } else {
            None
        };
        history.push(EpochLoss {
            train: train_loss,
            validation: val_loss,
        });
        progress::report(
            progress,
            stage,
            epoch as u64 + 1,
            total,
            FitError::Cancelled,
        )?;

        if let Some(v) = val_loss {
            match &best {
                Some((b, _, _)) if v >= *b => since_best += 1,
                _ => {
                    best = Some((v, epoch, net.clone()));
                    since_best = 0;
                }
            }
            if since_best >= p.patience {
                break;
            }
        }
    }
    let epochs_run = history.len();
    let best_epoch = match best {
        Some((_, e, best_net)) => {
            net = best_net;
            e
        }
        None => epochs_run - 1,
    };
    if epochs_run < p.epochs {
        // Stopped early: close the progress bar.
        progress::report(progress, stage, total, total, FitError::Cancelled)?;
    }

    let summary = TrainingSummary {
        train_rows: m,
        validation_rows: n_val,
        epochs_run,
        best_epoch,
        history,
    };
    let mut model = Autoencoder::new(net, Calibration::from_scores(&[], p.contamination), summary);
    let train_scores = model.score_checked(x);
    if let Some(i) = train_scores.iter().position(|s| !s.is_finite()) {
        return Err(FitError::Numerical(format!(
            "the reconstruction error of training row {i} is not finite; are the features scaled?"
        )));
    }
    model.set_calibration(Calibration::from_scores(
        train_scores.as_slice().unwrap_or(&[]),
        p.contamination,
    ));
    Ok(Fitted {
        model,
        train_scores,
    })
}

fn diverged(epoch: usize, batch: Option<usize>, loss: f64) -> FitError {
    let at = match batch {
        Some(b) => format!("epoch {}, batch {}", epoch + 1, b + 1),
        None => format!("epoch {} (validation)", epoch + 1),
    };
    FitError::Numerical(format!(
        "autoencoder training diverged at {at}: the loss is {loss}; scale the features or lower the learning rate"
    ))
}

/// Rows `idx` of `x` as a row-major `f32` buffer.
fn gather(x: ArrayView2<'_, f64>, idx: &[usize]) -> Vec<f32> {
    let mut out = Vec::with_capacity(idx.len() * x.ncols());
    for &i in idx {
        out.extend(x.row(i).iter().map(|&v| v as f32));
    }
    out
}

/// Mean over rows and features of the squared reconstruction error of an `f32` buffer.
fn mean_error(net: &Network, data: &[f32], rows: usize) -> f64 {
    let recon = net.reconstruct(data, rows);
    let mut s = 0.0f64;
    for (&a, &b) in data.iter().zip(&recon) {
        let e = f64::from(a) - f64::from(b);
        s += e * e;
    }
    s / data.len() as f64
}

/// Buffers and optimiser state for mini-batch training.
pub(super) struct Trainer {
    /// Largest batch.
    pub(super) batch: usize,
    dropout: f32,
    /// `acts[0]` is the input batch, `acts[l + 1]` the output of layer `l` (after ReLU and dropout).
    acts: Vec<Vec<f32>>,
    /// Dropout multipliers (0 or 1/(1−rate)) of layer `l`'s output; empty when not dropped.
    scales: Vec<Vec<f32>>,
    gw: Vec<Vec<f32>>,
    gb: Vec<Vec<f32>>,
    delta: Vec<f32>,
    delta_in: Vec<f32>,
    wt: Vec<f32>,
    adam: Adam,
}

impl Trainer {
    pub(super) fn new(net: &Network, batch: usize, dropout: f32, lr: f64) -> Self {
        let batch = batch.max(1);
        let n_layers = net.layers.len();
        let mut acts = vec![vec![0.0; batch * net.n_features()]];
        acts.extend(net.layers.iter().map(|l| vec![0.0; batch * l.n_out]));
        let scales = net
            .layers
            .iter()
            .enumerate()
            .map(|(l, layer)| {
                if dropout > 0.0 && l < DROPOUT_LAYERS && l + 1 < n_layers {
                    vec![1.0; batch * layer.n_out]
                } else {
                    Vec::new()
                }
            })
            .collect();
        let width = net.max_width();
        Self {
            batch,
            dropout,
            acts,
            scales,
            gw: net.layers.iter().map(|l| vec![0.0; l.w.len()]).collect(),
            gb: net.layers.iter().map(|l| vec![0.0; l.b.len()]).collect(),
            delta: vec![0.0; batch * width],
            delta_in: vec![0.0; batch * width],
            wt: Vec::new(),
            adam: Adam::new(lr, net.layers.iter().flat_map(|l| [l.w.len(), l.b.len()])),
        }
    }

    /// Copies rows `idx` of a row-major buffer into the input batch.
    pub(super) fn load_batch(&mut self, data: &[f32], d: usize, idx: &[usize]) {
        for (dst, &i) in self.acts[0].chunks_exact_mut(d).zip(idx) {
            dst.copy_from_slice(&data[i * d..(i + 1) * d]);
        }
    }

    /// Draws fresh dropout masks for a batch of `rows`.
    pub(super) fn draw_dropout(&mut self, rows: usize, rng: &mut EngineRng) {
        let keep = 1.0 / (1.0 - self.dropout);
        let rate = f64::from(self.dropout);
        for s in self.scales.iter_mut().filter(|s| !s.is_empty()) {
            let n = rows * (s.len() / self.batch);
            for v in &mut s[..n] {
                *v = if rng::uniform(rng) < rate { 0.0 } else { keep };
            }
        }
    }

    /// Forward pass of the loaded batch with the current dropout masks; returns the loss.
    pub(super) fn forward(&mut self, net: &Network, rows: usize) -> f64 {
        let last = net.layers.len() - 1;
        for (l, layer) in net.layers.iter().enumerate() {
            let (before, after) = self.acts.split_at_mut(l + 1);
            let out = &mut after[0][..rows * layer.n_out];
            layer.forward(&before[l][..rows * layer.n_in], rows, out);
            if l < last {
                relu(out);
                let s = &self.scales[l];
                if !s.is_empty() {
                    for (o, &k) in out.iter_mut().zip(s) {
                        *o *= k;
                    }
                }
            }
        }
        // Loss and ∂L/∂output into `delta`.
        let d = net.n_features();
        let n = rows * d;
        let scale = 2.0 / n as f32;
        let mut loss = 0.0f64;
        let (x, out) = (&self.acts[0][..n], &self.acts[last + 1][..n]);
        for ((g, &o), &t) in self.delta[..n].iter_mut().zip(out).zip(x) {
            let e = o - t;
            loss += f64::from(e * e);
            *g = e * scale;
        }
        loss / n as f64
    }

    /// Backward pass after [`Trainer::forward`]: fills the gradients.
    pub(super) fn backward(&mut self, net: &Network, rows: usize) {
        for (l, layer) in net.layers.iter().enumerate().rev() {
            let dz = &self.delta[..rows * layer.n_out];
            let dx = (l > 0).then(|| &mut self.delta_in[..rows * layer.n_in]);
            layer.backward(
                &self.acts[l][..rows * layer.n_in],
                dz,
                rows,
                &mut self.gw[l],
                &mut self.gb[l],
                dx,
                &mut self.wt,
            );
            if l > 0 {
                // Through the ReLU (and dropout) of layer l − 1, whose output is acts[l].
                let a = &self.acts[l][..rows * layer.n_in];
                let s = &self.scales[l - 1];
                let dx = &mut self.delta_in[..rows * layer.n_in];
                if s.is_empty() {
                    for (g, &v) in dx.iter_mut().zip(a) {
                        *g = if v > 0.0 { *g } else { 0.0 };
                    }
                } else {
                    for ((g, &v), &k) in dx.iter_mut().zip(a).zip(s) {
                        *g = if v > 0.0 { *g * k } else { 0.0 };
                    }
                }
                std::mem::swap(&mut self.delta, &mut self.delta_in);
            }
        }
    }

    /// One Adam step on the loaded batch; returns the batch loss (before the step).
    pub(super) fn step(&mut self, net: &mut Network, rows: usize) -> f64 {
        let loss = self.forward(net, rows);
        if !loss.is_finite() {
            return loss;
        }
        self.backward(net, rows);
        let alpha = self.adam.next_step();
        for (l, layer) in net.layers.iter_mut().enumerate() {
            self.adam.update(2 * l, &mut layer.w, &self.gw[l], alpha);
            self.adam
                .update(2 * l + 1, &mut layer.b, &self.gb[l], alpha);
        }
        loss
    }

    /// Gradients of the last backward pass, per layer (`(∂L/∂W, ∂L/∂b)`).
    #[cfg(test)]
    pub(super) fn grads(&self) -> (&[Vec<f32>], &[Vec<f32>]) {
        (&self.gw, &self.gb)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::models::autoencoder::WeightInit;

    /// Loss of `net` on the loaded batch with fixed masks, in f64 arithmetic on the f32 weights.
    fn loss_f64(net: &Network, trainer: &Trainer, rows: usize) -> f64 {
        let d = net.n_features();
        let last = net.layers.len() - 1;
        let mut a: Vec<f64> = trainer.acts[0][..rows * d]
            .iter()
            .map(|&v| f64::from(v))
            .collect();
        for (l, layer) in net.layers.iter().enumerate() {
            let mut out = vec![0.0f64; rows * layer.n_out];
            for i in 0..rows {
                for j in 0..layer.n_out {
                    let mut s = f64::from(layer.b[j]);
                    for k in 0..layer.n_in {
                        s += a[i * layer.n_in + k] * f64::from(layer.w[k * layer.n_out + j]);
                    }
                    if l < last {
                        s = s.max(0.0);
                        if !trainer.scales[l].is_empty() {
                            s *= f64::from(trainer.scales[l][i * layer.n_out + j]);
                        }
                    }
                    out[i * layer.n_out + j] = s;
                }
            }
            a = out;
        }
        let x = &trainer.acts[0][..rows * d];
        a.iter()
            .zip(x)
            .map(|(o, &t)| (o - f64::from(t)).powi(2))
            .sum::<f64>()
            / (rows * d) as f64
    }

    fn check_gradients(dropout: f32) {
        let mut r = rng::seeded(11);
        let mut net = Network::new(5, &[4, 3, 4], WeightInit::GlorotUniform, &mut r);
        // Non-zero biases so that no ReLU input sits exactly at its kink.
        for layer in &mut net.layers {
            for b in &mut layer.b {
                *b = rng::uniform_range(&mut r, -0.3, 0.3) as f32;
            }
        }
        let rows = 6;
        let data: Vec<f32> = (0..rows * 5)
            .map(|_| rng::standard_normal(&mut r) as f32)
            .collect();
        let mut t = Trainer::new(&net, rows, dropout, 1e-3);
        t.load_batch(&data, 5, &(0..rows).collect::<Vec<_>>());
        t.draw_dropout(rows, &mut r);
        t.forward(&net, rows);
        t.backward(&net, rows);
        let (gw, gb) = (t.grads().0.to_vec(), t.grads().1.to_vec());

        let h = 1e-3f32;
        let mut checked = 0;
        for l in 0..net.layers.len() {
            let n_w = net.layers[l].w.len();
            for idx in 0..n_w + net.layers[l].b.len() {
                let analytic = if idx < n_w {
                    gw[l][idx]
                } else {
                    gb[l][idx - n_w]
                };
                fn param(n: &mut Network, l: usize, idx: usize, n_w: usize) -> &mut f32 {
                    if idx < n_w {
                        &mut n.layers[l].w[idx]
                    } else {
                        &mut n.layers[l].b[idx - n_w]
                    }
                }
                let orig = *param(&mut net, l, idx, n_w);
                *param(&mut net, l, idx, n_w) = orig + h;
                let plus = loss_f64(&net, &t, rows);
                *param(&mut net, l, idx, n_w) = orig - h;
                let minus = loss_f64(&net, &t, rows);
                *param(&mut net, l, idx, n_w) = orig;
                let numeric = (plus - minus) / (2.0 * f64::from(h));
                let err = (f64::from(analytic) - numeric).abs();
                assert!(
                    err <= 1e-4 + 1e-3 * numeric.abs(),
                    "layer {l} param {idx}: backprop {analytic} vs finite difference {numeric}"
                );
                checked += 1;
            }
        }
        assert!(checked > 60);
    }

    #[test]
    fn backprop_matches_finite_differences() {
        check_gradients(0.0);
    }

    #[test]
    fn backprop_matches_finite_differences_with_dropout() {
        check_gradients(0.3);
    }
}
