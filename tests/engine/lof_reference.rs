//! LOF against scikit-learn 1.7.2 (`tests/fixtures/sklearn/lof.py` → `lof.json`).

use ndarray::Array2;
use netsift::engine::models::{Detector, DetectorParams, LofParams};
use netsift::engine::progress::NoProgress;
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    n_neighbors: usize,
    x_train: Vec<Vec<f64>>,
    x_test: Vec<Vec<f64>>,
    train_scores: Vec<f64>,
    test_scores: Vec<f64>,
}

fn matrix(rows: &[Vec<f64>]) -> Array2<f64> {
    let d = rows[0].len();
    Array2::from_shape_vec((rows.len(), d), rows.concat()).unwrap()
}

fn cases() -> Vec<Case> {
    let text = include_str!("../fixtures/sklearn/lof.json");
    serde_json::from_str::<Fixture>(text).unwrap().cases
}

/// Within 1e-6, relative for large values (rows with duplicates score around 1e10).
fn assert_close(name: &str, what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{name} {what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-6 * w.abs().max(1.0),
            "{name} {what}[{i}]: got {g}, sklearn {w}"
        );
    }
}

#[test]
fn training_scores_match_sklearn_negative_outlier_factor() {
    for c in cases() {
        let p = LofParams {
            n_neighbors: c.n_neighbors,
            ..LofParams::default()
        };
        let fitted = p.fit(matrix(&c.x_train).view(), &mut NoProgress).unwrap();
        assert_close(
            &c.name,
            "train",
            fitted.train_scores.as_slice().unwrap(),
            &c.train_scores,
        );
    }
}

/// Test rows are scored as scikit-learn's novelty LOF scores them, except exact copies of a
/// training row: netsift's model scores those as that training row (leaving it out of its own
/// neighbours), so a saved model gives the training data its fit-time scores. Their reference
/// is scikit-learn's training score of that row (`-negative_outlier_factor_`).
#[test]
fn novelty_scores_match_sklearn_score_samples() {
    let mut copies = 0;
    for c in cases() {
        let p = LofParams {
            n_neighbors: c.n_neighbors,
            ..LofParams::default()
        };
        let fitted = p.fit(matrix(&c.x_train).view(), &mut NoProgress).unwrap();
        let scores = fitted.model.score(matrix(&c.x_test).view()).unwrap();
        let want: Vec<f64> = c
            .x_test
            .iter()
            .zip(&c.test_scores)
            .map(
                |(row, &novelty)| match c.x_train.iter().position(|t| t == row) {
                    Some(i) => {
                        copies += 1;
                        c.train_scores[i]
                    }
                    None => novelty,
                },
            )
            .collect();
        assert_close(&c.name, "test", scores.as_slice().unwrap(), &want);
    }
    assert!(
        copies > 0,
        "the fixture has test rows that copy training rows"
    );
}
