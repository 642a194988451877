//! The NSL-KDD benchmark: (a) semi-supervised, fit on the normal rows of KDDTrain+; (b)
//! unsupervised, fit on all of KDDTrain+; both score KDDTest+. One JSON line per detector and one
//! for the ensemble, with fit and score seconds, ROC-AUC, PR-AUC, precision, recall, F1 and the
//! peak heap of each detector's fit.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

use netsift::engine::models::DetectorKind;
use netsift::engine::pipeline::{self, RunConfig, TrainingMode};
use netsift::engine::progress::{ProgressEvent, Stage};
use serde_json::json;

use crate::alloc;
use crate::commands::load;

/// Runs both protocols; exits 0 with a notice when the data folder is absent.
pub fn nsl_kdd(dir: &Path, seed: u64, contamination: f64) -> Result<(), String> {
    let train_path = dir.join("KDDTrain+.txt");
    let test_path = dir.join("KDDTest+.txt");
    if !train_path.exists() || !test_path.exists() {
        eprintln!(
            "netsift-cli: NSL-KDD not found in {} (need KDDTrain+.txt and KDDTest+.txt); nothing to benchmark",
            dir.display()
        );
        return Ok(());
    }
    let t0 = Instant::now();
    let train = load(&train_path)?;
    let test = load(&test_path)?;
    eprintln!(
        "netsift-cli: loaded {} + {} rows ({}) in {:.2}s",
        train.table.n_rows(),
        test.table.n_rows(),
        train.format,
        t0.elapsed().as_secs_f64()
    );
    for (protocol, mode) in [
        ("a_semi_supervised", TrainingMode::NormalOnly),
        ("b_unsupervised", TrainingMode::AllRows),
    ] {
        let config = RunConfig {
            training: mode,
            seed,
            contamination,
            ..RunConfig::default()
        };
        let config = RunConfig {
            detectors: config
                .detectors
                .iter()
                .cloned()
                .map(|mut d| {
                    d.set_contamination(contamination);
                    d
                })
                .collect(),
            ..config
        };
        // Peak heap per fitted detector: reset at each stage change, read at the next.
        let mut peaks: Vec<(DetectorKind, f64)> = Vec::new();
        let mut current: Option<Stage> = None;
        let mut sink = |e: ProgressEvent| {
            if current != Some(e.stage) {
                if let Some(Stage::Fit(kind)) = current {
                    peaks.push((kind, alloc::peak_mb()));
                }
                alloc::reset_peak();
                current = Some(e.stage);
            }
            ControlFlow::Continue(())
        };
        let started = Instant::now();
        let (model, trained) =
            pipeline::run(&config, &train.table, &mut sink).map_err(|e| e.to_string())?;
        let scored = pipeline::score(
            &model,
            &test.table,
            &mut netsift::engine::progress::NoProgress,
        )
        .map_err(|e| e.to_string())?;
        let wall = started.elapsed().as_secs_f64();
        for (fit, m) in trained.members.iter().zip(&scored.members) {
            let metrics = m.metrics.as_ref();
            let peak = peaks.iter().find(|(k, _)| *k == m.kind).map(|(_, p)| *p);
            println!(
                "{}",
                json!({
                    "protocol": protocol, "model": m.kind.id(),
                    "fit_s": round(fit.fit_seconds), "score_s": round(m.score_seconds),
                    "roc_auc": metrics.map(|x| round(x.roc_auc)), "pr_auc": metrics.map(|x| round(x.pr_auc)),
                    "precision": metrics.map(|x| round(x.precision)), "recall": metrics.map(|x| round(x.recall)),
                    "f1": metrics.map(|x| round(x.f1)), "peak_mb": peak.map(round),
                    "n_train": fit.n_train, "n_test": scored.n_rows,
                })
            );
        }
        let metrics = scored.metrics.as_ref();
        println!(
            "{}",
            json!({
                "protocol": protocol, "model": "ensemble",
                "fit_s": round(trained.members.iter().map(|m| m.fit_seconds).sum::<f64>()),
                "score_s": round(scored.members.iter().map(|m| m.score_seconds).sum::<f64>()),
                "roc_auc": metrics.map(|x| round(x.roc_auc)), "pr_auc": metrics.map(|x| round(x.pr_auc)),
                "precision": metrics.map(|x| round(x.precision)), "recall": metrics.map(|x| round(x.recall)),
                "f1": metrics.map(|x| round(x.f1)),
                "peak_mb": peaks.iter().map(|(_, p)| *p).fold(None, |a: Option<f64>, p| Some(a.map_or(p, |a| a.max(p)))).map(round),
                "wall_s": round(wall), "n_train": trained.n_train, "n_test": scored.n_rows,
            })
        );
    }
    Ok(())
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}
