//! Isolation Forest against scikit-learn (`tests/fixtures/sklearn/iforest.py`): exact `c(n)`,
//! and ROC-AUC on fixed labelled sets no worse than scikit-learn's minus 0.01. An ignored test
//! measures NSL-KDD.

use std::time::Instant;

use ndarray::Array2;
use netsift::engine::models::isolation_forest::average_path_length;
use netsift::engine::models::{Detector, DetectorParams, IsolationForestParams};
use netsift::engine::progress::NoProgress;
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    sklearn_version: String,
    average_path_length: PathLengths,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct PathLengths {
    n: Vec<usize>,
    c: Vec<f64>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    n_features: usize,
    x: Vec<Vec<f64>>,
    y: Vec<u8>,
    sklearn_auc_random_state_0: f64,
    sklearn_auc_mean_rs0_9: f64,
}

fn fixture() -> Fixture {
    let text = include_str!("../fixtures/sklearn/iforest.json");
    serde_json::from_str(text).expect("iforest.json parses")
}

/// ROC-AUC as the Mann–Whitney statistic, ties counted half.
fn roc_auc(scores: &[f64], positive: &[bool]) -> f64 {
    netsift::engine::metrics::roc_auc(positive, scores)
}

fn auc_for_seed(x: &Array2<f64>, y: &[bool], seed: u64) -> f64 {
    let params = IsolationForestParams {
        n_trees: 100,
        contamination: 0.1,
        seed,
        ..Default::default()
    };
    let fitted = params.fit(x.view(), &mut NoProgress).expect("fit");
    roc_auc(fitted.train_scores.as_slice().expect("contiguous"), y)
}

#[test]
fn average_path_length_matches_sklearn() {
    let f = fixture();
    assert_eq!(f.sklearn_version, "1.7.2");
    for (&n, &c) in f.average_path_length.n.iter().zip(&f.average_path_length.c) {
        let ours = average_path_length(n);
        assert!(
            (ours - c).abs() <= 1e-12,
            "c({n}): ours {ours}, sklearn {c}"
        );
    }
}

#[test]
fn roc_auc_is_at_least_sklearns_minus_one_hundredth() {
    for case in fixture().cases {
        let x = Array2::from_shape_vec((case.x.len(), case.n_features), case.x.concat())
            .expect("rectangular");
        let y: Vec<bool> = case.y.iter().map(|&v| v == 1).collect();
        let seed0 = auc_for_seed(&x, &y, 0);
        let mean = (0..10).map(|s| auc_for_seed(&x, &y, s)).sum::<f64>() / 10.0;
        println!(
            "{}: ours seed 0 {seed0:.4}, mean of seeds 0-9 {mean:.4}; sklearn random_state 0 {:.4}, mean {:.4}",
            case.name, case.sklearn_auc_random_state_0, case.sklearn_auc_mean_rs0_9
        );
        assert!(
            seed0 >= case.sklearn_auc_random_state_0 - 0.01,
            "{}",
            case.name
        );
        assert!(mean >= case.sklearn_auc_mean_rs0_9 - 0.01, "{}", case.name);
    }
}

#[test]
fn roc_auc_helper_counts_ties_half() {
    assert_eq!(
        roc_auc(&[0.1, 0.2, 0.3, 0.4], &[false, false, true, true]),
        1.0
    );
    assert_eq!(roc_auc(&[0.5, 0.5], &[false, true]), 0.5);
}

/// NSL-KDD, read with a throwaway loader: the 38 numeric fields plus one-hot protocol_type,
/// service and flag (levels from KDDTrain+), standard-scaled with the fitting rows' mean and
/// population standard deviation (1 where it is 0).
struct Kdd {
    x: Array2<f64>,
    attack: Vec<bool>,
}

const KDD_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/nsl-kdd");

fn kdd_rows(name: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(format!("{KDD_DIR}/{name}")).expect("NSL-KDD file");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

fn kdd_levels(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    (1..=3)
        .map(|c| {
            let mut levels: Vec<String> = Vec::new();
            for r in rows {
                if !levels.contains(&r[c]) {
                    levels.push(r[c].clone());
                }
            }
            levels
        })
        .collect()
}

fn kdd_encode(rows: &[Vec<String>], levels: &[Vec<String>]) -> Kdd {
    let width = 38 + levels.iter().map(Vec::len).sum::<usize>();
    let mut x = Array2::<f64>::zeros((rows.len(), width));
    let mut attack = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let mut j = 0;
        for (c, cell) in r.iter().enumerate().take(41) {
            if (1..=3).contains(&c) {
                continue;
            }
            x[[i, j]] = cell.parse().expect("number");
            j += 1;
        }
        for (k, lv) in levels.iter().enumerate() {
            if let Some(p) = lv.iter().position(|l| *l == r[k + 1]) {
                x[[i, j + p]] = 1.0;
            }
            j += lv.len();
        }
        attack.push(r[41] != "normal");
    }
    Kdd { x, attack }
}

fn scale(fit_on: &Array2<f64>, others: &mut [&mut Array2<f64>]) {
    let n = fit_on.nrows() as f64;
    for j in 0..fit_on.ncols() {
        let col = fit_on.column(j);
        let mean = col.sum() / n;
        let var = col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
        for m in others.iter_mut() {
            m.column_mut(j).mapv_inplace(|v| (v - mean) / sd);
        }
    }
}

/// CPU time of this thread in seconds (Linux schedstat; the test machine is shared, so wall
/// time overstates the work).
fn thread_cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}

fn kdd_run(label: &str, train: &Kdd, test: &Kdd) {
    for seed in 0..3 {
        let params = IsolationForestParams {
            contamination: 0.1,
            seed,
            ..Default::default()
        };
        let (t0, c0) = (Instant::now(), thread_cpu_s());
        let fitted = params.fit(train.x.view(), &mut NoProgress).expect("fit");
        let (fit_s, fit_cpu) = (t0.elapsed().as_secs_f64(), thread_cpu_s() - c0);
        let (t1, c1) = (Instant::now(), thread_cpu_s());
        let scores = fitted.model.score(test.x.view()).expect("score");
        let (score_s, score_cpu) = (t1.elapsed().as_secs_f64(), thread_cpu_s() - c1);
        let auc = roc_auc(scores.as_slice().expect("contiguous"), &test.attack);
        println!(
            "NSL-KDD {label}, seed {seed}: fit {} rows × {} features {fit_s:.3} s wall / {fit_cpu:.3} s CPU \
             (incl. scoring the training rows), score {} rows {score_s:.3} s wall / {score_cpu:.3} s CPU, \
             ROC-AUC {auc:.4}",
            train.x.nrows(),
            train.x.ncols(),
            test.x.nrows()
        );
    }
}

#[test]
#[ignore = "reads NSL-KDD from ../shared/data; run in release with --ignored --nocapture"]
fn nsl_kdd_iforest_performance() {
    let train_rows = kdd_rows("KDDTrain+.txt");
    let test_rows = kdd_rows("KDDTest+.txt");
    let levels = kdd_levels(&train_rows);
    let all = kdd_encode(&train_rows, &levels);
    let test = kdd_encode(&test_rows, &levels);

    // (a) fit on the normal training rows only.
    let normal_idx: Vec<usize> = (0..all.attack.len()).filter(|&i| !all.attack[i]).collect();
    let mut normal = Kdd {
        x: all.x.select(ndarray::Axis(0), &normal_idx),
        attack: vec![false; normal_idx.len()],
    };
    let mut test_a = Kdd {
        x: test.x.clone(),
        attack: test.attack.clone(),
    };
    let fit_on = normal.x.clone();
    scale(&fit_on, &mut [&mut normal.x, &mut test_a.x]);
    kdd_run("(a) normal rows of KDDTrain+ → KDDTest+", &normal, &test_a);

    // (b) fit on all training rows.
    let mut all_b = all;
    let mut test_b = test;
    let fit_on = all_b.x.clone();
    scale(&fit_on, &mut [&mut all_b.x, &mut test_b.x]);
    kdd_run("(b) all of KDDTrain+ → KDDTest+", &all_b, &test_b);
}
