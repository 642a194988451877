//! Cost of the One-Class SVM's training-row cap on NSL-KDD (ignored: needs the data set and a
//! release build). Semi-supervised: fit on the 67,343 normal rows of KDDTrain+ (sampled down to
//! the cap), score KDDTest+ (22,544 rows), ROC-AUC with "normal" = 0 and every attack = 1.
//! Features: the 38 numeric columns plus one-hot protocol_type / service / flag (levels of
//! KDDTrain+), standard-scaled with the mean and deviation of the normal training rows.
//!
//! ```text
//! OCSVM_CAPS=1024,2048,4096,8192 cargo test --release --no-default-features --test engine \
//!     ocsvm_nslkdd -- --ignored --nocapture
//! ```
//! `NSL_KDD_DIR` overrides the data directory (default ../shared/data/nsl-kdd), `OCSVM_SEEDS`
//! (comma-separated, default 42) repeats each cap with other samples, `OCSVM_CACHE_MB` sets the cache.

use std::time::Instant;

use ndarray::Array2;
use netsift::engine::models::{Detector, DetectorParams, OneClassSvmParams};
use netsift::engine::progress::NoProgress;

const CATEGORICAL: [usize; 3] = [1, 2, 3];

struct Raw {
    rows: Vec<Vec<String>>,
}

fn read(path: &str) -> Raw {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let rows = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .map(|s| s.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    Raw { rows }
}

/// One-hot + numeric encoding with levels from `levels_from`.
fn encode(raw: &Raw, levels: &[Vec<String>]) -> (Array2<f64>, Vec<bool>) {
    let n_num = 41 - CATEGORICAL.len();
    let width = n_num + levels.iter().map(Vec::len).sum::<usize>();
    let mut x = Array2::zeros((raw.rows.len(), width));
    let mut attack = Vec::with_capacity(raw.rows.len());
    for (i, r) in raw.rows.iter().enumerate() {
        let mut c = 0;
        for (k, cell) in r.iter().take(41).enumerate() {
            if !CATEGORICAL.contains(&k) {
                x[[i, c]] = cell.parse::<f64>().unwrap_or(0.0);
                c += 1;
            }
        }
        let mut offset = n_num;
        for (lv, &k) in levels.iter().zip(&CATEGORICAL) {
            if let Some(p) = lv.iter().position(|v| *v == r[k]) {
                x[[i, offset + p]] = 1.0;
            }
            offset += lv.len();
        }
        attack.push(r[41] != "normal");
    }
    (x, attack)
}

fn roc_auc(scores: &[f64], positive: &[bool]) -> f64 {
    netsift::engine::metrics::roc_auc(positive, scores)
}

/// CPU seconds of this thread (user + system, from /proc; 0 elsewhere): wall time is
/// meaningless on a shared, overloaded machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

#[test]
#[ignore = "needs NSL-KDD and a release build"]
fn ocsvm_nslkdd_cap_table() {
    let dir = std::env::var("NSL_KDD_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/nsl-kdd").into());
    let train_raw = read(&format!("{dir}/KDDTrain+.txt"));
    let test_raw = read(&format!("{dir}/KDDTest+.txt"));
    let levels: Vec<Vec<String>> = CATEGORICAL
        .iter()
        .map(|&k| {
            let mut lv: Vec<String> = Vec::new();
            for r in &train_raw.rows {
                if !lv.contains(&r[k]) {
                    lv.push(r[k].clone());
                }
            }
            lv
        })
        .collect();
    let (train_all, train_attack) = encode(&train_raw, &levels);
    let normal_rows: Vec<usize> = (0..train_attack.len())
        .filter(|&i| !train_attack[i])
        .collect();
    let mut train = train_all.select(ndarray::Axis(0), &normal_rows);
    let (mut test, test_attack) = encode(&test_raw, &levels);
    for c in 0..train.ncols() {
        let col = train.column(c);
        let mean = col.sum() / col.len() as f64;
        let sd =
            (col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / col.len() as f64).sqrt();
        let sd = if sd > 0.0 { sd } else { 1.0 };
        train.column_mut(c).mapv_inplace(|v| (v - mean) / sd);
        test.column_mut(c).mapv_inplace(|v| (v - mean) / sd);
    }
    eprintln!(
        "train {:?} (normal rows), test {:?}",
        train.dim(),
        test.dim()
    );
    let caps: Vec<usize> = std::env::var("OCSVM_CAPS")
        .unwrap_or_else(|_| "1024,2048,4096,8192".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let cache_mb: u32 = std::env::var("OCSVM_CACHE_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32);
    let seeds: Vec<u64> = std::env::var("OCSVM_SEEDS")
        .unwrap_or_else(|_| "42".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    eprintln!("CPU seconds (wall in brackets)");
    eprintln!(
        "| cap | seed | n_sv | iter | SMO s | train-score s | fit total s | test score s | ROC-AUC |"
    );
    for (cap, seed) in caps
        .iter()
        .flat_map(|&c| seeds.iter().map(move |&s| (c, s)))
    {
        let p = OneClassSvmParams {
            max_train_rows: cap,
            cache_mb,
            seed,
            ..Default::default()
        };
        let (t0, c0) = (Instant::now(), cpu_seconds());
        let fitted = p.fit(train.view(), &mut NoProgress).expect("fit");
        let (fit_wall, fit_s) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
        let c1 = cpu_seconds();
        let again = fitted.model.score(train.view()).expect("score");
        let train_score_s = cpu_seconds() - c1;
        assert_eq!(again, fitted.train_scores);
        let (t2, c2) = (Instant::now(), cpu_seconds());
        let scores = fitted.model.score(test.view()).expect("score");
        let (score_wall, score_s) = (t2.elapsed().as_secs_f64(), cpu_seconds() - c2);
        let auc = roc_auc(scores.as_slice().expect("contiguous"), &test_attack);
        eprintln!(
            "| {cap} | {seed} | {} | {} | {:.2} | {train_score_s:.2} | {fit_s:.2} ({fit_wall:.2}) | {score_s:.2} \
             ({score_wall:.2}) | {auc:.4} |",
            fitted.model.n_support(),
            fitted.model.n_iter(),
            fit_s - train_score_s,
        );
    }
}
