//! Autoencoder behaviour against scikit-learn's `MLPRegressor` trained as an autoencoder on the
//! same fixed data set (`tests/fixtures/sklearn/ae.py` → `ae.json`): our ROC-AUC must be at
//! least scikit-learn's − 0.01.

/// ROC-AUC of scores against 0/1 labels (the engine's `metrics::roc_auc`, sklearn-exact).
pub fn roc_auc(scores: &[f64], labels: &[u8]) -> f64 {
    let truth: Vec<bool> = labels.iter().map(|&l| l == 1).collect();
    netsift::engine::metrics::roc_auc(&truth, scores)
}

#[test]
fn roc_auc_counts_ties_as_half() {
    assert_eq!(roc_auc(&[0.1, 0.4, 0.35, 0.8], &[0, 0, 1, 1]), 0.75);
    assert_eq!(roc_auc(&[1.0, 1.0], &[0, 1]), 0.5);
}

#[derive(serde::Deserialize)]
struct Fixture {
    roc_auc: f64,
    x: Vec<Vec<f64>>,
    y: Vec<u8>,
}

fn fixture() -> Fixture {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sklearn/ae.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn our_auc(params: &netsift::engine::models::AutoencoderParams) -> f64 {
    use netsift::engine::models::{Detector, DetectorParams};
    let f = fixture();
    let x = ndarray::Array2::from_shape_fn((f.x.len(), f.x[0].len()), |(i, j)| f.x[i][j]);
    let fitted = params
        .fit(x.view(), &mut netsift::engine::progress::NoProgress)
        .unwrap();
    assert_eq!(fitted.train_scores, fitted.model.score(x.view()).unwrap());
    roc_auc(fitted.train_scores.as_slice().unwrap(), &f.y)
}

#[test]
fn autoencoder_ranks_anomalies_at_least_as_well_as_sklearn_mlp() {
    let reference = fixture().roc_auc;
    let ours = our_auc(&Default::default());
    eprintln!("autoencoder ROC-AUC {ours:.4}, scikit-learn MLPRegressor {reference:.4}");
    assert!(
        ours >= reference - 0.01,
        "ours {ours:.4} < scikit-learn {reference:.4} − 0.01"
    );
}
