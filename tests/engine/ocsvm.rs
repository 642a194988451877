//! One-Class SVM behaviour: the detector contract, determinism, serde, subsampling, progress.

use std::ops::ControlFlow;

use ndarray::Array2;
use netsift::engine::error::{FitError, InputError};
use netsift::engine::models::one_class_svm::{Gamma, SolverStatus};
use netsift::engine::models::{AnyModel, Detector, DetectorParams, OneClassSvm, OneClassSvmParams};
use netsift::engine::progress::{NoProgress, ProgressEvent, Stage};
use netsift::engine::rng;

/// `n` rows of N(0, 1) in `d` columns, row 0 moved far away.
fn blob_with_outlier(n: usize, d: usize, seed: u64) -> Array2<f64> {
    let mut r = rng::seeded(seed);
    let mut x = Array2::from_shape_fn((n, d), |_| rng::normal(&mut r, 0.0, 1.0));
    x.row_mut(0).fill(7.0);
    x
}

fn argmax(v: &[f64]) -> usize {
    (0..v.len())
        .max_by(|&a, &b| v[a].total_cmp(&v[b]))
        .unwrap_or(0)
}

#[test]
fn obvious_outlier_ranks_first() {
    let x = blob_with_outlier(300, 5, 1);
    let fitted = OneClassSvmParams::default()
        .fit(x.view(), &mut NoProgress)
        .expect("fit");
    let scores = fitted.model.score(x.view()).expect("score");
    assert_eq!(argmax(scores.as_slice().expect("contiguous")), 0);
    assert!(fitted.model.calibration().is_anomaly(scores[0]));
}

#[test]
fn same_seed_gives_identical_scores() {
    let x = blob_with_outlier(900, 4, 2);
    let p = OneClassSvmParams {
        max_train_rows: 256,
        seed: 11,
        ..Default::default()
    };
    let a = p.fit(x.view(), &mut NoProgress).expect("fit");
    let b = p.fit(x.view(), &mut NoProgress).expect("fit");
    assert_eq!(a.model, b.model);
    assert_eq!(a.train_scores, b.train_scores);
    let other = OneClassSvmParams { seed: 12, ..p }
        .fit(x.view(), &mut NoProgress)
        .expect("fit");
    assert_ne!(
        a.model.support_rows(),
        other.model.support_rows(),
        "another seed draws another sample"
    );
}

#[test]
fn train_scores_cover_every_row_when_subsampled() {
    let x = blob_with_outlier(700, 3, 3);
    let p = OneClassSvmParams {
        max_train_rows: 200,
        ..Default::default()
    };
    let fitted = p.fit(x.view(), &mut NoProgress).expect("fit");
    assert_eq!(fitted.model.n_train_rows(), 200);
    assert_eq!(fitted.train_scores.len(), 700);
    assert_eq!(
        fitted.train_scores,
        fitted.model.score(x.view()).expect("score")
    );
    let above = fitted
        .train_scores
        .iter()
        .filter(|&&s| fitted.model.calibration().is_anomaly(s))
        .count();
    assert_eq!(above, 105, "15 % of 700 rows are above the threshold");
}

#[test]
fn support_vectors_only_are_kept() {
    let x = blob_with_outlier(400, 4, 4);
    let p = OneClassSvmParams {
        nu: Some(0.1),
        ..Default::default()
    };
    let m = p.fit(x.view(), &mut NoProgress).expect("fit").model;
    // ν is a lower bound on the share of support vectors, and Σ α = ν·l
    assert!(
        m.n_support() >= 40 && m.n_support() < 400,
        "{}",
        m.n_support()
    );
    let sum: f64 = m.dual_coef().iter().sum();
    assert!((sum - 40.0).abs() < 1e-9, "{sum}");
    assert!(m.dual_coef().iter().all(|&a| a > 0.0 && a <= 1.0));
}

#[test]
fn fitted_model_survives_serde_round_trip() {
    let x = blob_with_outlier(250, 6, 5);
    let m = OneClassSvmParams::default()
        .fit(x.view(), &mut NoProgress)
        .expect("fit")
        .model;
    let bytes = postcard::to_stdvec(&AnyModel::OneClassSvm(m.clone())).expect("encode");
    let back: AnyModel = postcard::from_bytes(&bytes).expect("decode");
    assert_eq!(back, AnyModel::OneClassSvm(m.clone()));
    assert_eq!(
        back.score(x.view()).expect("score"),
        m.score(x.view()).expect("score")
    );
    let json = serde_json::to_string(&m).expect("json");
    let from_json: OneClassSvm = serde_json::from_str(&json).expect("json back");
    let (s1, s2) = (
        m.score(x.view()).expect("score"),
        from_json.score(x.view()).expect("score"),
    );
    assert!(s1.iter().zip(&s2).all(|(a, b)| (a - b).abs() < 1e-12));
}

#[test]
fn bad_input_gives_typed_errors() {
    let p = OneClassSvmParams::default();
    let empty = Array2::<f64>::zeros((0, 3));
    assert_eq!(
        p.fit(empty.view(), &mut NoProgress).err(),
        Some(FitError::Input(InputError::Empty))
    );
    let mut x = blob_with_outlier(50, 3, 6);
    x[[4, 1]] = f64::NAN;
    assert!(matches!(
        p.fit(x.view(), &mut NoProgress),
        Err(FitError::Input(InputError::NonFinite {
            row: 4,
            column: 1,
            ..
        }))
    ));
    let m = p
        .fit(blob_with_outlier(50, 3, 6).view(), &mut NoProgress)
        .expect("fit")
        .model;
    let wide = Array2::<f64>::zeros((2, 4));
    assert_eq!(
        m.score(wide.view()),
        Err(InputError::WidthMismatch {
            expected: 3,
            found: 4
        })
    );
}

#[test]
fn cancelling_stops_the_fit() {
    let x = blob_with_outlier(300, 4, 7);
    let mut stop = |_: ProgressEvent| ControlFlow::Break(());
    assert_eq!(
        OneClassSvmParams::default().fit(x.view(), &mut stop).err(),
        Some(FitError::Cancelled)
    );
}

#[test]
fn progress_is_reported_for_fit_and_training_scores() {
    let x = blob_with_outlier(300, 4, 8);
    let mut stages = Vec::new();
    let mut sink = |e: ProgressEvent| {
        stages.push(e.stage);
        ControlFlow::Continue(())
    };
    OneClassSvmParams::default()
        .fit(x.view(), &mut sink)
        .expect("fit");
    use netsift::engine::models::DetectorKind::OneClassSvm as K;
    assert!(stages.contains(&Stage::Fit(K)));
    assert!(stages.contains(&Stage::Score(K)));
}

#[test]
fn max_iter_stops_with_a_status() {
    let x = blob_with_outlier(300, 4, 9);
    let p = OneClassSvmParams {
        max_iter: 5,
        gamma: Gamma::Value(2.0),
        ..Default::default()
    };
    let fitted = p.fit(x.view(), &mut NoProgress).expect("fit");
    assert_eq!(fitted.model.status(), SolverStatus::MaxIterReached);
    assert_eq!(fitted.model.n_iter(), 5);
    assert!(fitted.train_scores.iter().all(|s| s.is_finite()));
}

#[test]
fn nu_one_gives_finite_scores() {
    let x = blob_with_outlier(60, 2, 10);
    let p = OneClassSvmParams {
        nu: Some(1.0),
        ..Default::default()
    };
    let fitted = p.fit(x.view(), &mut NoProgress).expect("fit");
    assert_eq!(fitted.model.n_support(), 60);
    assert!(fitted.train_scores.iter().all(|s| s.is_finite()));
    assert_eq!(
        argmax(fitted.train_scores.as_slice().expect("contiguous")),
        0
    );
}

#[test]
fn single_row_fits() {
    let x = Array2::from_elem((1, 3), 1.5);
    let fitted = OneClassSvmParams::default()
        .fit(x.view(), &mut NoProgress)
        .expect("fit");
    assert!(fitted.train_scores[0].is_finite());
}

#[test]
fn constant_data_fits() {
    let x = Array2::from_elem((40, 3), 2.0);
    let fitted = OneClassSvmParams::default()
        .fit(x.view(), &mut NoProgress)
        .expect("fit");
    assert_eq!(
        fitted.model.gamma(),
        1.0,
        "scikit-learn's scale gamma falls back to 1"
    );
    assert!(fitted.train_scores.iter().all(|s| s.is_finite()));
}

#[test]
fn huge_values_do_not_give_nan() {
    let mut x = blob_with_outlier(100, 3, 11);
    x[[1, 0]] = 1e200;
    let fitted = OneClassSvmParams::default()
        .fit(x.view(), &mut NoProgress)
        .expect("fit");
    assert!(fitted.train_scores.iter().all(|s| !s.is_nan()));
}
