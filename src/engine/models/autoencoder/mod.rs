//! Dense autoencoder: rows the network cannot reconstruct well are anomalous.
//!
//! # Algorithm
//! A fully connected network `input → 64 → 32 → 16 → 8 → 16 → 32 → 64 → input` (ReLU on every
//! hidden layer, linear output) is trained to reproduce its input, so the 8-wide bottleneck
//! forces it to learn the structure of the training rows. The score of a row is its mean squared
//! reconstruction error over the features, in the (scaled) space the features are given in:
//! `score(x) = (1/d) Σ_j (x_j − x̂_j)²`, higher = more anomalous. The threshold is the
//! `(1 − contamination)` percentile of the scores of the rows passed to fit, fixed then
//! ([`Calibration`](crate::engine::models::Calibration)) and never recomputed from a batch being
//! scored (the seed product did recompute it per batch, so it always flagged the same share).
//!
//! Training, as Keras' `Sequential` + `fit` would do it with the seed's settings:
//! - weights Glorot-uniform, biases zero;
//! - Adam (lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-7, Keras' form), MSE loss, batch 32, up to 30 epochs,
//!   a fresh seeded shuffle every epoch;
//! - a seeded 10 % validation split; training stops after `patience` (3) epochs without a lower
//!   validation loss and the best epoch's weights are restored;
//! - optional inverted dropout after the 64 and 32 layers (`dropout`, off by default: measured
//!   below it lowers the ROC-AUC);
//! - at most `max_train_rows` (20,000) rows are trained on, a seeded sample when there are more;
//!   every row passed to fit is still scored for the threshold.
//!
//! The features must be scaled (the pipeline standard-scales them); unscaled inputs make the
//! loss diverge, which is reported as [`FitError::Numerical`](crate::engine::error::FitError).
//! [`Autoencoder::feature_errors`] gives the per-feature squared errors behind a score.
//!
//! # Determinism
//! Weights and arithmetic are `f32`; the matrix kernels are our own loops with a fixed summation
//! order and no fused multiply-add (see `layers.rs`), and every random choice comes from
//! [`crate::engine::rng`] streams derived from `seed`, so a seed gives bit-identical models and
//! scores natively and in wasm. Weights survive a JSON round trip exactly (serde_json writes the
//! shortest `f32` representation and reads it back to the same bits; a test checks it).
//!
//! # Parameters ([`AutoencoderParams`], defaults)
//! `contamination` 0.15 · `seed` 42 · `hidden_layers` `[64, 32, 16, 8, 16, 32, 64]` ·
//! `dropout` 0.0 · `epochs` 30 · `batch_size` 32 · `learning_rate` 1e-3 ·
//! `validation_fraction` 0.1 · `patience` 3 · `max_train_rows` 20,000.
//!
//! # Measured on NSL-KDD
//! MEASUREMENTS
//!
//! # Example
//! ```
//! use ndarray::Array2;
//! use netsift::engine::models::{AutoencoderParams, Detector, DetectorParams};
//! use netsift::engine::progress::NoProgress;
//! use netsift::engine::rng;
//!
//! let mut r = rng::seeded(1);
//! let mut x = Array2::from_shape_fn((300, 4), |_| rng::standard_normal(&mut r));
//! x.row_mut(0).fill(8.0); // an outlier
//! let params = AutoencoderParams { epochs: 20, seed: 7, ..Default::default() };
//! let fitted = params.fit(x.view(), &mut NoProgress).unwrap();
//! let scores = fitted.model.score(x.view()).unwrap();
//! let top = scores.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
//! assert_eq!(top, 0);
//! assert!(fitted.model.calibration().is_anomaly(scores[0]));
//! ```
//!
//! # References
//! - Hinton & Salakhutdinov, "Reducing the dimensionality of data with neural networks",
//!   Science 313 (2006).
//! - Sakurada & Yairi, "Anomaly detection using autoencoders with nonlinear dimensionality
//!   reduction", MLSDA 2014.
//! - Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural
//!   networks", AISTATS 2010.
//! - Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015.
//! - Srivastava et al., "Dropout: a simple way to prevent neural networks from overfitting",
//!   JMLR 15 (2014).

mod layers;
mod model;
mod optim;
mod params;
mod train;

pub use self::model::{Autoencoder, EpochLoss, TrainingSummary};
pub use self::params::{AutoencoderParams, MAX_WIDTH};

#[cfg(test)]
mod tests;
