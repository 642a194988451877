//! Autoencoder on NSL-KDD (semi-supervised): fit on the normal rows of KDDTrain+, score KDDTest+.
//! A throwaway loader (one-hot protocol_type/service/flag → 122 inputs, standard-scaled on the
//! training rows); the real pipeline lives in `engine::features`. Ignored by default: it needs
//! the data set outside the repository and a release build for meaningful timings:
//!
//! ```text
//! cargo test --release --no-default-features --test engine ae_nslkdd -- --ignored --nocapture
//! ```
//! `AE_CAPS=5000,10000` and `AE_DROPOUT=0,0.2` choose the grid.

use std::path::Path;
use std::time::Instant;

use ndarray::Array2;
use netsift::engine::models::{AutoencoderParams, Detector, DetectorParams};
use netsift::engine::progress::NoProgress;

use super::ae_reference::roc_auc;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/nsl-kdd");
const CATEGORICAL: [usize; 3] = [1, 2, 3];

struct Raw {
    rows: Vec<Vec<String>>,
}

fn read(path: &Path) -> Option<Raw> {
    let text = std::fs::read_to_string(path).ok()?;
    let rows = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    Some(Raw { rows })
}

/// One-hot vocabularies (sorted) from the training file.
fn vocabularies(train: &Raw) -> Vec<Vec<String>> {
    CATEGORICAL
        .iter()
        .map(|&c| {
            let mut v: Vec<String> = train.rows.iter().map(|r| r[c].clone()).collect();
            v.sort();
            v.dedup();
            v
        })
        .collect()
}

fn encode(
    raw: &Raw,
    vocab: &[Vec<String>],
    keep: impl Fn(&[String]) -> bool,
) -> (Array2<f64>, Vec<u8>) {
    let width = 38 + vocab.iter().map(Vec::len).sum::<usize>();
    let rows: Vec<&Vec<String>> = raw.rows.iter().filter(|r| keep(r)).collect();
    let mut x = Array2::zeros((rows.len(), width));
    let mut y = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let mut j = 0;
        for (c, v) in r.iter().enumerate().take(41) {
            if CATEGORICAL.contains(&c) {
                continue;
            }
            x[(i, j)] = v.parse::<f64>().unwrap();
            j += 1;
        }
        for (k, &c) in CATEGORICAL.iter().enumerate() {
            if let Some(p) = vocab[k].iter().position(|s| *s == r[c]) {
                x[(i, j + p)] = 1.0;
            }
            j += vocab[k].len();
        }
        y.push(u8::from(r[41] != "normal"));
    }
    (x, y)
}

/// Standard scaling fitted on `fit` (population std; 1 where the std is 0), applied to both.
fn scale(fit: &mut Array2<f64>, other: &mut Array2<f64>) {
    for j in 0..fit.ncols() {
        let col = fit.column(j);
        let mean = col.sum() / col.len() as f64;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / col.len() as f64;
        let sd = if var > 0.0 { var.sqrt() } else { 1.0 };
        fit.column_mut(j).mapv_inplace(|v| (v - mean) / sd);
        other.column_mut(j).mapv_inplace(|v| (v - mean) / sd);
    }
}

/// CPU seconds of this thread (user + system), from /proc: robust to other processes sharing
/// the cores, unlike wall time. 0 where /proc is missing.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = after
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    // After the name and the state letter: ppid pgrp session tty tpgid flags minflt cminflt
    // majflt cmajflt utime stime, in clock ticks (100 per second on Linux).
    if f.len() > 11 {
        (f[10] + f[11]) / 100.0
    } else {
        0.0
    }
}

fn list<T: std::str::FromStr>(var: &str, default: &str) -> Vec<T> {
    std::env::var(var)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

#[test]
#[ignore = "needs ../shared/data/nsl-kdd and --release; prints the measurement table"]
fn nslkdd_semi_supervised_table() {
    let (Some(train), Some(test)) = (
        read(&Path::new(DIR).join("KDDTrain+.txt")),
        read(&Path::new(DIR).join("KDDTest+.txt")),
    ) else {
        eprintln!("NSL-KDD not found under {DIR}; skipped");
        return;
    };
    let vocab = vocabularies(&train);
    let (mut x_train, _) = encode(&train, &vocab, |r| r[41] == "normal");
    let (mut x_test, y_test) = encode(&test, &vocab, |_| true);
    scale(&mut x_train, &mut x_test);
    println!("train {:?} test {:?}", x_train.dim(), x_test.dim());
    assert_eq!(x_train.dim(), (67_343, 122));
    assert_eq!(x_test.nrows(), 22_544);

    let caps: Vec<usize> = list("AE_CAPS", "5000,10000,20000,67343");
    let dropouts: Vec<f32> = list("AE_DROPOUT", "0,0.2");
    let seeds: Vec<u64> = list("AE_SEEDS", "42");
    println!("| max_train_rows | dropout | seed | fit s (cpu) | score s (cpu) | epochs (best) | ROC-AUC |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for &cap in &caps {
        for &dropout in &dropouts {
            for &seed in &seeds {
                let p = AutoencoderParams {
                    max_train_rows: cap,
                    dropout,
                    seed,
                    ..Default::default()
                };
                let (t0, c0) = (Instant::now(), cpu_seconds());
                let fitted = p.fit(x_train.view(), &mut NoProgress).unwrap();
                let (fit_s, fit_c) = (t0.elapsed().as_secs_f64(), cpu_seconds() - c0);
                let (t1, c1) = (Instant::now(), cpu_seconds());
                let scores = fitted.model.score(x_test.view()).unwrap();
                let (score_s, score_c) = (t1.elapsed().as_secs_f64(), cpu_seconds() - c1);
                let auc = roc_auc(scores.as_slice().unwrap(), &y_test);
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
