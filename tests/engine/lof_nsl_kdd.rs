//! LOF timing and quality on NSL-KDD (ignored: needs ../shared/data/nsl-kdd and a release build).
//!
//! `cargo test --release --no-default-features --test engine -- --ignored lof_nsl_kdd --nocapture`
//!
//! Throwaway loader: one-hot protocol_type/service/flag (levels from train ∪ test), 38 numeric
//! columns, standard scaling fitted on the normal training rows. Semi-supervised: fit on the 67,343
//! normal rows of KDDTrain+, score KDDTest+ (normal → 0, attack → 1). `LOF_CAPS=2000,5000` picks
//! the reference caps (default 500,1000,2000,5000).

use std::time::Instant;

use ndarray::Array2;
use netsift::engine::models::{Detector, DetectorParams, LofParams};
use netsift::engine::progress::NoProgress;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/nsl-kdd/");

/// `NSL_KDD_DIR` (ending in `/`) overrides [`DIR`], e.g. from a git worktree elsewhere.
fn read(name: &str) -> Vec<Vec<String>> {
    let dir = std::env::var("NSL_KDD_DIR").unwrap_or_else(|_| DIR.to_string());
    let text = std::fs::read_to_string(format!("{dir}{name}")).unwrap();
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

fn encode(rows: &[Vec<String>], levels: &[Vec<String>; 3]) -> Array2<f64> {
    let width = 38 + levels.iter().map(Vec::len).sum::<usize>();
    let mut x = Array2::zeros((rows.len(), width));
    for (i, r) in rows.iter().enumerate() {
        let mut j = 0;
        for (c, cell) in r.iter().enumerate().take(41) {
            if !(1..=3).contains(&c) {
                x[[i, j]] = cell.parse::<f64>().unwrap();
                j += 1;
            }
        }
        for (l, c) in levels.iter().zip(1..=3) {
            let pos = l.iter().position(|v| *v == r[c]).unwrap();
            x[[i, j + pos]] = 1.0;
            j += l.len();
        }
    }
    x
}

/// CPU time of this thread in seconds (Linux; the machine is shared, so wall time overstates).
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |ns| ns / 1e9)
}

/// ROC-AUC by the rank-sum formula with tied scores sharing their mean rank.
fn roc_auc(scores: &[f64], positive: &[bool]) -> f64 {
    netsift::engine::metrics::roc_auc(positive, scores)
}

#[test]
#[ignore]
fn lof_nsl_kdd() {
    let train = read("KDDTrain+.txt");
    let test = read("KDDTest+.txt");
    let levels: [Vec<String>; 3] = [1, 2, 3].map(|c| {
        let mut v: Vec<String> = train.iter().chain(&test).map(|r| r[c].clone()).collect();
        v.sort();
        v.dedup();
        v
    });
    let normal: Vec<Vec<String>> = train.into_iter().filter(|r| r[41] == "normal").collect();
    let mut x = encode(&normal, &levels);
    let mut t = encode(&test, &levels);
    let labels: Vec<bool> = test.iter().map(|r| r[41] != "normal").collect();
    for j in 0..x.ncols() {
        let col = x.column(j);
        let mean = col.sum() / col.len() as f64;
        let var = col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / col.len() as f64;
        let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
        x.column_mut(j).mapv_inplace(|v| (v - mean) / sd);
        t.column_mut(j).mapv_inplace(|v| (v - mean) / sd);
    }
    println!("train {:?}, test {:?}", x.dim(), t.dim());
    let caps: Vec<usize> = std::env::var("LOF_CAPS")
        .unwrap_or_else(|_| "500,1000,2000,5000".into())
        .split(',')
        .map(|s| s.trim().parse().unwrap())
        .collect();
    println!("| cap | fit s (cpu) | score s (cpu) | total wall s | ROC-AUC |");
    for cap in caps {
        let p = LofParams {
            max_reference_rows: cap,
            ..LofParams::default()
        };
        let (t0, c0) = (Instant::now(), cpu_s());
        let fitted = p.fit(x.view(), &mut NoProgress).unwrap();
        let (fit_s, fit_cpu) = (t0.elapsed().as_secs_f64(), cpu_s() - c0);
        let (t1, c1) = (Instant::now(), cpu_s());
        let scores = fitted.model.score(t.view()).unwrap();
        let (score_s, score_cpu) = (t1.elapsed().as_secs_f64(), cpu_s() - c1);
        let auc = roc_auc(scores.as_slice().unwrap(), &labels);
        println!(
            "| {cap} | {fit_s:.2} ({fit_cpu:.2}) | {score_s:.2} ({score_cpu:.2}) | {:.2} | {auc:.4} |",
            fit_s + score_s
        );
    }
}
