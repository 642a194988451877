//! One detector at a time on NSL-KDD: the cap and setting tables behind each detector's defaults
//! (docs/decisions.md). Semi-supervised unless said otherwise: fit on the normal rows of
//! KDDTrain+, score KDDTest+ (attack = positive).

use std::time::Instant;

use netsift::engine::metrics;
use netsift::engine::models::autoencoder::WeightInit;
use netsift::engine::models::{
    AutoencoderParams, Detector, DetectorParams, IsolationForestParams, LofParams,
    OneClassSvmParams,
};
use netsift::engine::pipeline::TrainingMode;
use netsift::engine::progress::NoProgress;

use crate::data::{self, cpu_s, env_list, Matrices};

fn semi_supervised() -> Matrices {
    let (train, test) = data::nsl_kdd_pair();
    data::matrices(
        &train,
        &test,
        TrainingMode::NormalOnly,
        &data::features_from_env(),
    )
}

/// LOF's reference-row cap: fit and score CPU seconds and ROC-AUC per cap (`LOF_CAPS`).
pub fn lof_cap() {
    let m = semi_supervised();
    println!("| cap | fit s (cpu) | score s (cpu) | total wall s | ROC-AUC |");
    println!("|---|---|---|---|---|");
    for cap in env_list::<usize>("LOF_CAPS", "500,1000,2000,5000") {
        let p = LofParams {
            max_reference_rows: cap,
            ..LofParams::default()
        };
        let (t0, c0) = (Instant::now(), cpu_s());
        let fitted = p.fit(m.train.view(), &mut NoProgress).expect("fit");
        let (fit_s, fit_cpu) = (t0.elapsed().as_secs_f64(), cpu_s() - c0);
        let (t1, c1) = (Instant::now(), cpu_s());
        let scores = fitted.model.score(m.test.view()).expect("score");
        let (score_s, score_cpu) = (t1.elapsed().as_secs_f64(), cpu_s() - c1);
        let auc = metrics::roc_auc(&m.truth, scores.as_slice().expect("contiguous"));
        println!(
            "| {cap} | {fit_s:.2} ({fit_cpu:.2}) | {score_s:.2} ({score_cpu:.2}) | {:.2} | {auc:.4} |",
            fit_s + score_s
        );
    }
}

/// The autoencoder's training-row cap × dropout × seed grid (`AE_CAPS`, `AE_DROPOUT`, `AE_SEEDS`).
pub fn ae_cap() {
    let m = semi_supervised();
    println!(
        "| max_train_rows | dropout | seed | fit s (cpu) | score s (cpu) | epochs (best) | ROC-AUC |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for cap in env_list::<usize>("AE_CAPS", "5000,10000,20000,67343") {
        for dropout in env_list::<f32>("AE_DROPOUT", "0,0.2") {
            for seed in env_list::<u64>("AE_SEEDS", "42") {
                let p = AutoencoderParams {
                    max_train_rows: cap,
                    dropout,
                    seed,
                    ..Default::default()
                };
                let (t0, c0) = (Instant::now(), cpu_s());
                let fitted = p.fit(m.train.view(), &mut NoProgress).expect("fit");
                let (fit_s, fit_c) = (t0.elapsed().as_secs_f64(), cpu_s() - c0);
                let (t1, c1) = (Instant::now(), cpu_s());
                let scores = fitted.model.score(m.test.view()).expect("score");
                let (score_s, score_c) = (t1.elapsed().as_secs_f64(), cpu_s() - c1);
                let auc = metrics::roc_auc(&m.truth, scores.as_slice().expect("contiguous"));
                let t = fitted.model.training();
                println!(
                    "| {cap} | {dropout} | {seed} | {fit_s:.2} ({fit_c:.2}) | {score_s:.2} ({score_c:.2}) | {} ({}) | {auc:.4} |",
                    t.epochs_run,
                    t.best_epoch + 1
                );
            }
        }
    }
}

/// The autoencoder on the scikit-learn reference set (`tests/fixtures/sklearn/ae.json`): mean
/// ROC-AUC over seeds 0–9 per weight init, dropout and patience (`AE_INIT`, `AE_DROPOUT`,
/// `AE_PATIENCE`).
pub fn ae_fixture_spread() {
    #[derive(serde::Deserialize)]
    struct Fixture {
        roc_auc: f64,
        x: Vec<Vec<f64>>,
        y: Vec<u8>,
    }
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sklearn/ae.json"
    );
    let f: Fixture =
        serde_json::from_str(&std::fs::read_to_string(path).expect(path)).expect("ae.json");
    let x = ndarray::Array2::from_shape_fn((f.x.len(), f.x[0].len()), |(i, j)| f.x[i][j]);
    let truth: Vec<bool> = f.y.iter().map(|&l| l == 1).collect();
    println!("scikit-learn MLPRegressor: ROC-AUC {:.4}", f.roc_auc);
    for init in env_list::<String>("AE_INIT", "glorot_uniform") {
        let weight_init: WeightInit =
            serde_json::from_str(&format!("\"{init}\"")).expect("a WeightInit id");
        for dropout in env_list::<f32>("AE_DROPOUT", "0,0.2") {
            for patience in env_list::<usize>("AE_PATIENCE", "3") {
                let aucs: Vec<f64> = (0..10)
                    .map(|seed| {
                        let p = AutoencoderParams {
                            seed,
                            dropout,
                            patience,
                            weight_init,
                            ..Default::default()
                        };
                        let fitted = p.fit(x.view(), &mut NoProgress).expect("fit");
                        metrics::roc_auc(&truth, fitted.train_scores.as_slice().expect("slice"))
                    })
                    .collect();
                let mean = aucs.iter().sum::<f64>() / aucs.len() as f64;
                println!(
                    "{init} dropout {dropout} patience {patience}: mean {mean:.4}, seeds 0..9 {aucs:.4?}"
                );
            }
        }
    }
}

/// The One-Class SVM's training-row cap (`OCSVM_CAPS`, `OCSVM_SEEDS`, `OCSVM_CACHE_MB`).
pub fn ocsvm_cap() {
    let m = semi_supervised();
    let cache_mb: u32 = data::env_num("OCSVM_CACHE_MB").unwrap_or(32);
    println!("CPU seconds (wall in brackets)");
    println!(
        "| cap | seed | n_sv | iter | SMO s | train-score s | fit total s | test score s | ROC-AUC |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for cap in env_list::<usize>("OCSVM_CAPS", "1024,2048,4096,8192") {
        for seed in env_list::<u64>("OCSVM_SEEDS", "42") {
            let p = OneClassSvmParams {
                max_train_rows: cap,
                cache_mb,
                seed,
                ..Default::default()
            };
            let (t0, c0) = (Instant::now(), cpu_s());
            let fitted = p.fit(m.train.view(), &mut NoProgress).expect("fit");
            let (fit_wall, fit_s) = (t0.elapsed().as_secs_f64(), cpu_s() - c0);
            let c1 = cpu_s();
            let _ = fitted.model.score(m.train.view()).expect("score");
            let train_score_s = cpu_s() - c1;
            let (t2, c2) = (Instant::now(), cpu_s());
            let scores = fitted.model.score(m.test.view()).expect("score");
            let (score_wall, score_s) = (t2.elapsed().as_secs_f64(), cpu_s() - c2);
            let auc = metrics::roc_auc(&m.truth, scores.as_slice().expect("contiguous"));
            println!(
                "| {cap} | {seed} | {} | {} | {:.2} | {train_score_s:.2} | {fit_s:.2} ({fit_wall:.2}) | {score_s:.2} ({score_wall:.2}) | {auc:.4} |",
                fitted.model.n_support(),
                fitted.model.n_iter(),
                fit_s - train_score_s,
            );
        }
    }
}

/// Isolation Forest under both protocols, seeds 0–2: time and ROC-AUC.
pub fn iforest() {
    let (train, test) = data::nsl_kdd_pair();
    let features = data::features_from_env();
    for (label, mode) in [
        (
            "(a) normal rows of KDDTrain+ → KDDTest+",
            TrainingMode::NormalOnly,
        ),
        ("(b) all of KDDTrain+ → KDDTest+", TrainingMode::AllRows),
    ] {
        let m = data::matrices(&train, &test, mode, &features);
        for seed in 0..3 {
            let params = IsolationForestParams {
                contamination: 0.1,
                seed,
                ..Default::default()
            };
            let (t0, c0) = (Instant::now(), cpu_s());
            let fitted = params.fit(m.train.view(), &mut NoProgress).expect("fit");
            let (fit_s, fit_cpu) = (t0.elapsed().as_secs_f64(), cpu_s() - c0);
            let (t1, c1) = (Instant::now(), cpu_s());
            let scores = fitted.model.score(m.test.view()).expect("score");
            let (score_s, score_cpu) = (t1.elapsed().as_secs_f64(), cpu_s() - c1);
            let auc = metrics::roc_auc(&m.truth, scores.as_slice().expect("contiguous"));
            println!(
                "NSL-KDD {label}, seed {seed}: fit {} rows × {} features {fit_s:.3} s wall / {fit_cpu:.3} s CPU \
                 (incl. scoring the training rows), score {} rows {score_s:.3} s wall / {score_cpu:.3} s CPU, \
                 ROC-AUC {auc:.4}",
                m.train.nrows(),
                m.train.ncols(),
                m.test.nrows()
            );
        }
    }
}
