//! Behaviour of the fitted autoencoder.

use std::ops::ControlFlow;

use ndarray::{Array2, Axis};

use super::*;
use crate::engine::error::{FitError, InputError};
use crate::engine::models::{Detector, DetectorKind, DetectorParams};
use crate::engine::progress::{NoProgress, ProgressEvent, Stage};
use crate::engine::rng;

/// 400 rows near a 2-d plane in 6-d, row 0 far off it.
fn data() -> Array2<f64> {
    let mut r = rng::seeded(3);
    let mut x = Array2::zeros((400, 6));
    for mut row in x.rows_mut() {
        let (a, b) = (rng::standard_normal(&mut r), rng::standard_normal(&mut r));
        let v = [a, b, a + b, a - b, 0.5 * a, -b];
        for (c, v) in row.iter_mut().zip(v) {
            *c = v + 0.05 * rng::standard_normal(&mut r);
        }
    }
    x.row_mut(0)
        .assign(&ndarray::arr1(&[1.0, 1.0, -3.0, 3.0, -2.0, 2.0]));
    x
}

fn small() -> AutoencoderParams {
    AutoencoderParams {
        hidden_layers: vec![16, 8, 2, 8, 16],
        epochs: 40,
        learning_rate: 5e-3,
        seed: 5,
        ..Default::default()
    }
}

#[test]
fn obvious_outlier_ranks_first() {
    let x = data();
    let fitted = small().fit(x.view(), &mut NoProgress).unwrap();
    let scores = fitted.model.score(x.view()).unwrap();
    let top = scores
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .unwrap()
        .0;
    assert_eq!(top, 0);
    assert!(fitted.model.calibration().is_anomaly(scores[0]));
}

#[test]
fn train_scores_are_the_scores_of_every_fit_row_in_order() {
    let x = data();
    // A cap below the row count: the sample trains, but every row is scored.
    let p = AutoencoderParams {
        max_train_rows: 150,
        ..small()
    };
    let fitted = p.fit(x.view(), &mut NoProgress).unwrap();
    assert_eq!(fitted.train_scores.len(), 400);
    assert_eq!(fitted.train_scores, fitted.model.score(x.view()).unwrap());
    let t = fitted.model.training();
    assert_eq!(t.train_rows + t.validation_rows, 150);
    assert_eq!(t.validation_rows, 15);
}

#[test]
fn threshold_is_fixed_at_fit_time() {
    let x = data();
    let fitted = small().fit(x.view(), &mut NoProgress).unwrap();
    let before = fitted.model.threshold();
    let expected = crate::engine::models::Calibration::from_scores(
        fitted.train_scores.as_slice().unwrap(),
        0.15,
    );
    assert_eq!(before, expected.threshold);
    // Scoring another batch (all outliers) does not move it.
    let far = Array2::from_elem((50, 6), 9.0);
    let s = fitted.model.score(far.view()).unwrap();
    assert!(s.iter().all(|&v| fitted.model.calibration().is_anomaly(v)));
    assert_eq!(fitted.model.threshold(), before);
}

#[test]
fn same_seed_gives_bit_identical_models() {
    let x = data();
    let p = AutoencoderParams {
        dropout: 0.2,
        ..small()
    };
    let a = p.fit(x.view(), &mut NoProgress).unwrap();
    let b = p.fit(x.view(), &mut NoProgress).unwrap();
    assert_eq!(a.model, b.model);
    let bits = |v: &ndarray::Array1<f64>| v.iter().map(|s| s.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.train_scores), bits(&b.train_scores));
    let c = AutoencoderParams { seed: 6, ..p }
        .fit(x.view(), &mut NoProgress)
        .unwrap();
    assert_ne!(a.model, c.model);
}

#[test]
fn serde_round_trip_is_exact() {
    let x = data();
    let fitted = small().fit(x.view(), &mut NoProgress).unwrap();
    let json = serde_json::to_string(&fitted.model).unwrap();
    let back: Autoencoder = serde_json::from_str(&json).unwrap();
    // PartialEq on f32 weights: every weight has the same value (and no NaN exists).
    assert_eq!(back, fitted.model);
    let bits = |m: &Autoencoder| m.network_bits();
    assert_eq!(bits(&back), bits(&fitted.model));
    assert_eq!(back.score(x.view()).unwrap(), fitted.train_scores);
}

#[test]
fn f32_values_round_trip_through_json() {
    // Beyond the weights of one model: many random f32 of all magnitudes.
    let mut r = rng::seeded(8);
    let values: Vec<f32> = (0..20_000)
        .map(|i| {
            let m = rng::uniform_range(&mut r, -1.0, 1.0);
            (m * 10f64.powi(i % 60 - 30)) as f32
        })
        .collect();
    let back: Vec<f32> = serde_json::from_str(&serde_json::to_string(&values).unwrap()).unwrap();
    for (a, b) in values.iter().zip(&back) {
        assert_eq!(a.to_bits(), b.to_bits(), "{a} came back as {b}");
    }
}

#[test]
fn feature_errors_average_to_the_score() {
    let x = data();
    let fitted = small().fit(x.view(), &mut NoProgress).unwrap();
    let scores = fitted.model.score(x.view()).unwrap();
    for i in [0, 1, 250] {
        let fe = fitted.model.feature_errors(x.row(i)).unwrap();
        assert_eq!(fe.len(), 6);
        let mean = fe.iter().sum::<f64>() / 6.0;
        assert!((mean - scores[i]).abs() <= 1e-12 * scores[i].max(1.0));
    }
    // The outlier's worst features are the ones off the plane's pattern.
    let batch = fitted
        .model
        .feature_errors_batch(x.view().split_at(Axis(0), 3).0)
        .unwrap();
    assert_eq!(batch.dim(), (3, 6));
    let r = fitted
        .model
        .reconstruct(x.view().split_at(Axis(0), 1).0)
        .unwrap();
    assert_eq!(r.dim(), (1, 6));
}

#[test]
fn wrong_width_is_an_error() {
    let x = data();
    let fitted = small().fit(x.view(), &mut NoProgress).unwrap();
    let narrow = Array2::<f64>::zeros((3, 5));
    assert_eq!(
        fitted.model.score(narrow.view()),
        Err(InputError::WidthMismatch {
            expected: 6,
            found: 5
        })
    );
    assert!(fitted.model.feature_errors(narrow.row(0)).is_err());
}

#[test]
fn reports_progress_once_per_epoch() {
    let x = data();
    let p = AutoencoderParams {
        validation_fraction: 0.0,
        epochs: 4,
        ..small()
    };
    let mut events: Vec<ProgressEvent> = Vec::new();
    let mut sink = |e: ProgressEvent| {
        events.push(e);
        ControlFlow::Continue(())
    };
    let fitted = p.fit(x.view(), &mut sink).unwrap();
    assert_eq!(fitted.model.training().epochs_run, 4);
    let done: Vec<u64> = events.iter().map(|e| e.done).collect();
    assert_eq!(done, [1, 2, 3, 4]);
    assert!(events
        .iter()
        .all(|e| e.total == 4 && e.stage == Stage::Fit(DetectorKind::Autoencoder)));
}

#[test]
fn cancellation_stops_training() {
    let x = data();
    let mut calls = 0;
    let mut sink = |_: ProgressEvent| {
        calls += 1;
        if calls == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    assert_eq!(
        small().fit(x.view(), &mut sink).unwrap_err(),
        FitError::Cancelled
    );
    assert_eq!(calls, 2);
}

#[test]
fn early_stopping_restores_the_best_epoch() {
    let x = data();
    let p = AutoencoderParams {
        epochs: 200,
        patience: 2,
        ..small()
    };
    let fitted = p.fit(x.view(), &mut NoProgress).unwrap();
    let t = fitted.model.training();
    assert!(t.epochs_run < 200, "ran {}", t.epochs_run);
    assert_eq!(t.best_epoch + 1 + 2, t.epochs_run);
    let losses: Vec<f64> = t.history.iter().map(|h| h.validation.unwrap()).collect();
    let min = losses.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(losses[t.best_epoch], min);
}

#[test]
fn divergence_is_a_numerical_error() {
    // Values near f32::MAX overflow the squared error.
    let mut x = data();
    x.mapv_inplace(|v| v * 1e37);
    let err = small().fit(x.view(), &mut NoProgress).unwrap_err();
    assert!(matches!(err, FitError::Numerical(_)), "{err:?}");
}

#[test]
fn default_architecture_is_the_seeds() {
    let x = Array2::from_shape_fn((40, 10), |(i, j)| ((i * 7 + j * 3) % 11) as f64 / 5.0 - 1.0);
    let p = AutoencoderParams {
        epochs: 1,
        ..Default::default()
    };
    let m = p.fit(x.view(), &mut NoProgress).unwrap().model;
    assert_eq!(m.layer_sizes(), [10, 64, 32, 16, 8, 16, 32, 64, 10]);
    // Keras' count for this layout on 10 features: 6,898 weights and biases.
    assert_eq!(m.n_parameters(), 6898);
}

#[test]
fn one_row_trains_without_validation() {
    let x = Array2::from_shape_vec((1, 3), vec![0.1, -0.2, 0.3]).unwrap();
    let fitted = small().fit(x.view(), &mut NoProgress).unwrap();
    assert_eq!(fitted.model.training().validation_rows, 0);
    assert_eq!(fitted.train_scores.len(), 1);
}

/// FNV-1a over the bits of every weight and every training score.
fn fingerprint(fitted: &crate::engine::models::Fitted<Autoencoder>) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut eat = |v: u64| {
        for byte in v.to_le_bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for w in fitted.model.network_bits() {
        eat(u64::from(w));
    }
    for s in &fitted.train_scores {
        eat(s.to_bits());
    }
    h
}

/// Pinned: the same number natively and in wasm (run under wasm-bindgen-test in the browser
/// suite). A change means results moved on some target, or the algorithm changed on purpose.
#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn fitted_model_is_pinned_across_targets() {
    let x = data();
    let p = AutoencoderParams {
        dropout: 0.2,
        epochs: 5,
        ..small()
    };
    let fitted = p.fit(x.view(), &mut NoProgress).unwrap();
    assert_eq!(
        fingerprint(&fitted),
        PINNED,
        "fingerprint {:#018x}",
        fingerprint(&fitted)
    );
}

const PINNED: u64 = 0xceb0_ef16_0e24_5ba6;
