//! The fitted autoencoder: reconstruction, scores and per-feature errors.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::layers::Network;
use crate::engine::error::InputError;
use crate::engine::models::{check_matrix, Calibration, Detector, DetectorKind};

/// Losses of one training epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochLoss {
    /// Mean squared error over the training rows (with dropout, averaged over the epoch's batches).
    pub train: f64,
    /// Mean squared error over the validation rows after the epoch; `None` without a split.
    pub validation: Option<f64>,
}

/// How training went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// Rows the gradient steps used (after the `max_train_rows` sample and the validation split).
    pub train_rows: usize,
    /// Rows held out to monitor the validation loss.
    pub validation_rows: usize,
    /// Epochs run (fewer than `epochs` when early stopping triggered).
    pub epochs_run: usize,
    /// Zero-based epoch whose weights were kept (lowest validation loss; the last one without a split).
    pub best_epoch: usize,
    /// Losses per epoch.
    pub history: Vec<EpochLoss>,
}

/// A fitted dense autoencoder. The score of a row is its mean squared reconstruction error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Autoencoder {
    network: Network,
    calibration: Calibration,
    training: TrainingSummary,
}

impl Autoencoder {
    pub(super) fn new(
        network: Network,
        calibration: Calibration,
        training: TrainingSummary,
    ) -> Self {
        Self {
            network,
            calibration,
            training,
        }
    }

    pub(super) fn set_calibration(&mut self, calibration: Calibration) {
        self.calibration = calibration;
    }

    /// How training went: rows, epochs, losses.
    pub fn training(&self) -> &TrainingSummary {
        &self.training
    }

    /// Layer widths from input to output, e.g. `[122, 64, 32, 16, 8, 16, 32, 64, 122]`.
    pub fn layer_sizes(&self) -> Vec<usize> {
        let mut sizes = vec![self.network.n_features()];
        sizes.extend(self.network.layers.iter().map(|l| l.n_out));
        sizes
    }

    /// Number of weights and biases.
    pub fn n_parameters(&self) -> usize {
        self.network
            .layers
            .iter()
            .map(|l| l.w.len() + l.b.len())
            .sum()
    }

    /// The reconstruction `x̂` of every row.
    pub fn reconstruct(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, InputError> {
        check_matrix(x, Some(self.n_features()))?;
        let recon = self.reconstruct_f32(x);
        Ok(Array2::from_shape_fn(x.dim(), |(i, j)| {
            f64::from(recon[i * x.ncols() + j])
        }))
    }

    /// Squared reconstruction error of every feature of every row, `(x − x̂)²`: the row's score
    /// is the mean of its row here. Explanations use it to name the features that deviate.
    pub fn feature_errors_batch(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, InputError> {
        check_matrix(x, Some(self.n_features()))?;
        let recon = self.reconstruct_f32(x);
        let d = x.ncols();
        Ok(Array2::from_shape_fn(x.dim(), |(i, j)| {
            let e = x[(i, j)] - f64::from(recon[i * d + j]);
            e * e
        }))
    }

    /// Squared reconstruction error of every feature of one row (see
    /// [`Autoencoder::feature_errors_batch`]).
    pub fn feature_errors(&self, row: ArrayView1<'_, f64>) -> Result<Vec<f64>, InputError> {
        let x = row.insert_axis(ndarray::Axis(0));
        Ok(self.feature_errors_batch(x)?.into_raw_vec_and_offset().0)
    }

    /// Bit patterns of every weight and bias, in layer order (tests compare models with it).
    #[cfg(test)]
    pub(super) fn network_bits(&self) -> Vec<u32> {
        self.network
            .layers
            .iter()
            .flat_map(|l| l.w.iter().chain(&l.b).map(|v| v.to_bits()))
            .collect()
    }

    fn reconstruct_f32(&self, x: ArrayView2<'_, f64>) -> Vec<f32> {
        let mut data = Vec::with_capacity(x.len());
        for row in x.outer_iter() {
            data.extend(row.iter().map(|&v| v as f32));
        }
        self.network.reconstruct(&data, x.nrows())
    }
}

impl Detector for Autoencoder {
    fn kind(&self) -> DetectorKind {
        DetectorKind::Autoencoder
    }

    fn n_features(&self) -> usize {
        self.network.n_features()
    }

    fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    /// Mean over features of `(x − x̂)²`, in f64 from the f32 reconstruction, summed in column
    /// order.
    fn score_checked(&self, x: ArrayView2<'_, f64>) -> Array1<f64> {
        let recon = self.reconstruct_f32(x);
        let d = x.ncols();
        x.outer_iter()
            .zip(recon.chunks_exact(d.max(1)))
            .map(|(row, r)| {
                let mut s = 0.0f64;
                for (&v, &rv) in row.iter().zip(r) {
                    let e = v - f64::from(rv);
                    s += e * e;
                }
                s / d as f64
            })
            .collect()
    }
}

// Checks of a saved model, in their own file.
#[path = "validate.rs"]
mod validate;
