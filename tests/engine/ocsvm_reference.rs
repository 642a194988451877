//! The One-Class SVM against scikit-learn: `tests/fixtures/sklearn/ocsvm.py` fits
//! `OneClassSVM(kernel="rbf", nu, gamma, tol=1e-3, shrinking)` on small fixed-seed data sets and
//! records its decision function, `offset_`, `support_` and `dual_coef_` (ocsvm.json).

use ndarray::Array2;
use netsift::engine::models::one_class_svm::{Gamma, SolverStatus};
use netsift::engine::models::{DetectorParams, OneClassSvmParams};
use netsift::engine::progress::NoProgress;
use serde_json::Value;

const TOLERANCE: f64 = 1e-3;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sklearn/ocsvm.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture present");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).expect("matrix");
    let (n, d) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((n, d), rows.into_iter().flatten().collect()).expect("rectangular")
}

fn floats(v: &Value) -> Vec<f64> {
    serde_json::from_value(v.clone()).expect("floats")
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn decision_function_matches_sklearn() {
    let fx = fixture();
    let mut worst: f64 = 0.0;
    for case in fx["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let ds = &fx["datasets"][case["dataset"].as_str().expect("dataset")];
        let (train, test) = (matrix(&ds["train"]), matrix(&ds["test"]));
        let gamma = match &case["gamma"] {
            Value::String(s) if s == "scale" => Gamma::Scale,
            Value::String(s) if s == "auto" => Gamma::Auto,
            v => Gamma::Value(v.as_f64().expect("gamma")),
        };
        let params = OneClassSvmParams {
            nu: Some(case["nu"].as_f64().expect("nu")),
            gamma,
            tol: case["tol"].as_f64().expect("tol"),
            shrinking: case["shrinking"].as_bool().expect("shrinking"),
            max_train_rows: train.nrows(),
            ..Default::default()
        };
        let fitted = params.fit(train.view(), &mut NoProgress).expect("fit");
        let m = &fitted.model;
        assert_eq!(m.status(), SolverStatus::Converged, "{name}");
        assert!(
            (m.gamma() - case["gamma_value"].as_f64().expect("g")).abs() < 1e-12,
            "{name}: gamma"
        );
        let support: Vec<usize> = serde_json::from_value(case["support"].clone()).expect("support");
        assert_eq!(m.support_rows(), &support[..], "{name}: support vectors");
        let d_coef = max_abs_diff(m.dual_coef(), &floats(&case["dual_coef"]));
        let d_rho = (m.rho() - case["offset"].as_f64().expect("offset")).abs();
        let d_train = max_abs_diff(
            m.decision_function(train.view())
                .expect("score")
                .as_slice()
                .expect("contiguous"),
            &floats(&case["decision_train"]),
        );
        let d_test = max_abs_diff(
            m.decision_function(test.view())
                .expect("score")
                .as_slice()
                .expect("contiguous"),
            &floats(&case["decision_test"]),
        );
        // train_scores are the negated decision values of the training rows
        let d_fit = max_abs_diff(
            &fitted.train_scores.iter().map(|s| -s).collect::<Vec<_>>(),
            &floats(&case["decision_train"]),
        );
        eprintln!(
            "{name}: n_sv {} iter {} (sklearn {}) | max |Δ| dual_coef {d_coef:.2e} rho {d_rho:.2e} \
             train {d_train:.2e} test {d_test:.2e}",
            m.n_support(),
            m.n_iter(),
            case["n_iter"]
        );
        for (what, d) in [
            ("dual_coef", d_coef),
            ("rho", d_rho),
            ("train", d_train),
            ("test", d_test),
            ("fit", d_fit),
        ] {
            assert!(d <= TOLERANCE, "{name}: {what} differs by {d}");
            worst = worst.max(d);
        }
    }
    eprintln!("worst max |Δ| over all cases: {worst:.3e}");
}
