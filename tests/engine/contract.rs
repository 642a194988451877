//! The detector contract, checked the same way on all four detectors through `AnyParams`:
//! bad input gives a typed error naming the problem, contamination is validated, an obvious
//! outlier ranks first, the same seed gives identical scores, the threshold is fixed at fit time
//! and a serde round trip keeps the scores.

use ndarray::{Array2, ArrayView2};
use netsift::engine::error::{FitError, InputError};
use netsift::engine::models::{AnyModel, AnyParams, Detector, DetectorKind, Fitted};
use netsift::engine::progress::NoProgress;
use netsift::engine::rng;

const N: usize = 300;
const D: usize = 12;

/// `N` rows near a 2-dimensional plane in 12 dimensions (so the autoencoder's 8-wide bottleneck
/// cannot simply copy its input), plus one row far off the plane at the end (row `N`).
fn data_with_outlier() -> Array2<f64> {
    let mut r = rng::seeded(11);
    let w = Array2::from_shape_fn((2, D), |_| rng::standard_normal(&mut r));
    let mut x = Array2::from_shape_fn((N + 1, D), |_| 0.1 * rng::standard_normal(&mut r));
    for i in 0..N {
        let (z0, z1) = (rng::standard_normal(&mut r), rng::standard_normal(&mut r));
        for j in 0..D {
            x[[i, j]] += z0 * w[[0, j]] + z1 * w[[1, j]];
        }
    }
    x.row_mut(N).assign(&off_plane(6.0));
    x
}

/// A point far from the plane: alternating ±`size`.
fn off_plane(size: f64) -> ndarray::Array1<f64> {
    ndarray::Array1::from_shape_fn(D, |j| if j % 2 == 0 { size } else { -size })
}

fn params(kind: DetectorKind) -> AnyParams {
    AnyParams::default_for(kind, 0.1, 5)
}

fn fit(kind: DetectorKind, x: ArrayView2<'_, f64>) -> Result<Fitted<AnyModel>, FitError> {
    params(kind).fit(x, &mut NoProgress)
}

#[test]
fn empty_input_is_a_typed_error() {
    for kind in DetectorKind::ALL {
        let err = fit(kind, Array2::<f64>::zeros((0, 3)).view()).unwrap_err();
        assert_eq!(err, FitError::Input(InputError::Empty), "{kind:?}");
    }
}

#[test]
fn nan_and_infinite_cells_are_named_by_row_and_column() {
    for kind in DetectorKind::ALL {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut x = data_with_outlier();
            x[[7, 2]] = bad;
            match fit(kind, x.view()).unwrap_err() {
                FitError::Input(InputError::NonFinite { row, column, .. }) => {
                    assert_eq!((row, column), (7, 2), "{kind:?}")
                }
                other => panic!("{kind:?}: {other:?}"),
            }
        }
    }
}

#[test]
fn scoring_the_wrong_width_is_a_typed_error() {
    let x = data_with_outlier();
    for kind in DetectorKind::ALL {
        let model = fit(kind, x.view()).unwrap().model;
        let err = model
            .score(Array2::<f64>::zeros((2, D + 1)).view())
            .unwrap_err();
        assert_eq!(
            err,
            InputError::WidthMismatch {
                expected: D,
                found: D + 1
            },
            "{kind:?}"
        );
    }
}

#[test]
fn contamination_outside_zero_to_half_names_the_field() {
    let x = data_with_outlier();
    for kind in DetectorKind::ALL {
        for c in [0.0, -0.1, 0.51, f64::NAN] {
            let mut p = params(kind);
            p.set_contamination(c);
            match p.fit(x.view(), &mut NoProgress).unwrap_err() {
                FitError::Param(e) => assert_eq!(e.field, "contamination", "{kind:?}"),
                other => panic!("{kind:?} c = {c}: {other:?}"),
            }
        }
    }
}

#[test]
fn fewer_rows_than_lof_neighbours_is_a_typed_error() {
    // k = 20 by default: 10 rows cannot define 20 neighbours.
    let x = data_with_outlier();
    let err = fit(DetectorKind::Lof, x.slice(ndarray::s![..10, ..])).unwrap_err();
    match err {
        FitError::Param(e) => assert_eq!(e.field, "n_neighbors"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_obvious_outlier_ranks_first_in_new_data() {
    let x = data_with_outlier();
    let clean = x.slice(ndarray::s![..N, ..]);
    for kind in DetectorKind::ALL {
        let fitted = fit(kind, clean).unwrap();
        let mut fresh = x.slice(ndarray::s![..5, ..]).to_owned();
        fresh.row_mut(3).assign(&off_plane(-5.0));
        let scores = fitted.model.score(fresh.view()).unwrap();
        assert_eq!(argmax(scores.as_slice().unwrap()), 3, "{kind:?}");
        assert!(fitted.model.calibration().is_anomaly(scores[3]), "{kind:?}");
    }
}

#[test]
fn an_obvious_outlier_among_the_training_rows_ranks_first() {
    // Not the autoencoder: trained on a set that holds one extreme row, it learns to reconstruct
    // that row too (its loss is dominated by it) — a known property of autoencoders, and one
    // reason it is one voter of four rather than the detector.
    let x = data_with_outlier();
    for kind in [
        DetectorKind::IsolationForest,
        DetectorKind::OneClassSvm,
        DetectorKind::Lof,
    ] {
        let fitted = fit(kind, x.view()).unwrap();
        assert_eq!(
            argmax(fitted.train_scores.as_slice().unwrap()),
            N,
            "{kind:?}"
        );
    }
}

fn argmax(s: &[f64]) -> usize {
    s.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

#[test]
fn the_same_seed_gives_identical_scores() {
    let x = data_with_outlier();
    for kind in DetectorKind::ALL {
        let a = fit(kind, x.view()).unwrap();
        let b = fit(kind, x.view()).unwrap();
        let bits = |f: &Fitted<AnyModel>| {
            f.train_scores
                .iter()
                .map(|s| s.to_bits())
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(&a), bits(&b), "{kind:?}");
        assert_eq!(a.model, b.model, "{kind:?}");
    }
}

#[test]
fn the_threshold_flags_the_contamination_share_of_training_rows() {
    let x = data_with_outlier();
    for kind in DetectorKind::ALL {
        let fitted = fit(kind, x.view()).unwrap();
        let flagged = fitted
            .train_scores
            .iter()
            .filter(|&&s| s > fitted.model.threshold())
            .count();
        // (1 − 0.1) percentile of 301 scores: about 30 rows above it (ties aside).
        assert!((28..=31).contains(&flagged), "{kind:?}: {flagged}");
        // Scoring a different batch never moves the threshold.
        let before = fitted.model.threshold();
        let _ = fitted.model.score(x.slice(ndarray::s![..3, ..])).unwrap();
        assert_eq!(
            before.to_bits(),
            fitted.model.threshold().to_bits(),
            "{kind:?}"
        );
    }
}

#[test]
fn a_serde_round_trip_keeps_every_score() {
    let x = data_with_outlier();
    for kind in DetectorKind::ALL {
        let model = fit(kind, x.view()).unwrap().model;
        let back: AnyModel = serde_json::from_str(&serde_json::to_string(&model).unwrap()).unwrap();
        let a = model.score(x.view()).unwrap();
        let b = back.score(x.view()).unwrap();
        assert!(
            a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()),
            "{kind:?}"
        );
    }
}
