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
//! scored (recomputing it per batch would always flag the same share).
//!
//! Training, as Keras' `Sequential` + `fit` would do it with the usual settings:
//! - weights and biases Glorot-uniform `U(±√(6/(fan_in + fan_out)))` (scikit-learn's MLP
//!   initialisation; Keras' zero biases are [`WeightInit::GlorotUniform`]);
//! - Adam (lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-7, Keras' form), MSE loss, batch 32, up to 30 epochs,
//!   a fresh seeded shuffle every epoch;
//! - a seeded 10 % validation split; training stops after `patience` (3) epochs without a lower
//!   validation loss, and the best epoch's weights are restored (also when all epochs ran);
//! - optional inverted dropout after the 64 and 32 layers (`dropout`, off by default, see below);
//! - at most `max_train_rows` (10,000) rows are trained on, a seeded sample when there are more;
//!   every row passed to fit is still scored, and those scores set the threshold.
//!
//! The features must be scaled (the pipeline standard-scales them); unscaled inputs can make the
//! loss overflow, which is reported as [`FitError::Numerical`](crate::engine::error::FitError).
//! [`Autoencoder::feature_errors`] gives the per-feature squared errors behind a score.
//!
//! # Determinism
//! Weights and arithmetic are `f32`; the matrix kernel is our own loop nest with a fixed
//! summation order and no fused multiply-add (see `layers.rs`), and every random choice comes
//! from [`crate::engine::rng`] streams derived from `seed`, so a seed gives bit-identical models
//! and scores natively and in wasm. The model survives a JSON round trip bit for bit: serde_json
//! writes the shortest `f32` representation and reads it back exactly, and with its
//! `float_roundtrip` feature the same holds for the `f64` calibration (tests check both).
//!
//! # Parameters ([`AutoencoderParams`], defaults)
//! `contamination` 0.15 · `seed` 42 · `hidden_layers` `[64, 32, 16, 8, 16, 32, 64]` ·
//! `weight_init` Glorot uniform with biases · `dropout` 0.0 · `epochs` 30 · `batch_size` 32 ·
//! `learning_rate` 1e-3 · `validation_fraction` 0.1 · `patience` 3 · `max_train_rows` 10,000.
//!
//! Dropout is off and `max_train_rows` is 10,000 by measurement: dropout gave no gain on NSL-KDD
//! and a clear loss on small low-dimensional data, and 20,000 rows took twice the time for no
//! better ROC-AUC. The tables are in `docs/decisions.md` ("Autoencoder").
//!
//! # Example
//! ```
//! use ndarray::Array2;
//! use netsift::engine::models::{AutoencoderParams, Detector, DetectorParams};
//! use netsift::engine::progress::NoProgress;
//! use netsift::engine::rng;
//!
//! // Rows on a plane in 4-d: (a, b, a + b, a − b); row 0 breaks the pattern.
//! let mut r = rng::seeded(1);
//! let mut x = Array2::zeros((500, 4));
//! for mut row in x.rows_mut() {
//!     let (a, b) = (rng::standard_normal(&mut r), rng::standard_normal(&mut r));
//!     row.assign(&ndarray::arr1(&[a, b, a + b, a - b]));
//! }
//! x.row_mut(0).assign(&ndarray::arr1(&[2.0, 2.0, -4.0, 4.0]));
//! let params = AutoencoderParams { seed: 7, ..Default::default() };
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

pub use self::layers::WeightInit;
pub use self::model::{Autoencoder, EpochLoss, TrainingSummary};
pub use self::params::{AutoencoderParams, MAX_WIDTH};

#[cfg(test)]
mod tests;
