//! The measurements behind the ensemble score and the feature encoding (docs/decisions.md):
//! combinations of member positions, scaled vs 0/1 one-hot inputs, and the tails beyond the
//! training range.

use netsift::engine::ensemble::{self, Combine};
use netsift::engine::features::{FeatureParams, LogTransform};
use netsift::engine::generate::{sample_traffic, SampleParams};
use netsift::engine::metrics;
use netsift::engine::models::{AnyParams, Detector, DetectorKind};
use netsift::engine::pipeline::{self, RunConfig, TrainingMode};
use netsift::engine::progress::NoProgress;

use crate::data;

fn config(kinds: &[DetectorKind], contamination: f64, seed: u64) -> RunConfig {
    RunConfig {
        detectors: kinds
            .iter()
            .map(|&k| AnyParams::default_for(k, contamination, seed))
            .collect(),
        contamination,
        min_votes: 2.min(kinds.len()),
        seed,
        ..RunConfig::default()
    }
}

/// k-th highest member position vs the mean and the mean of the top k, on the sample traffic,
/// with and without the log transform, training on all rows and on the normal rows.
pub fn combinations() {
    let kinds = DetectorKind::ALL;
    let t = sample_traffic(&SampleParams::default()).expect("sample traffic");
    let truth = data::truth(&t);
    let k = 2;
    for (training, log_transform) in [
        (TrainingMode::AllRows, false),
        (TrainingMode::AllRows, true),
        (TrainingMode::NormalOnly, false),
        (TrainingMode::NormalOnly, true),
    ] {
        let mut c = RunConfig {
            training,
            ..config(&kinds, 0.15, 42)
        };
        c.features.log_transform = if log_transform {
            LogTransform::Always
        } else {
            LogTransform::Never
        };
        let (model, r) = pipeline::run(&c, &t, &mut NoProgress).expect("run");
        for m in &r.members {
            println!(
                "{training:?} log={log_transform} {:?}: ROC-AUC {:.4}",
                m.kind,
                m.metrics.as_ref().map_or(f64::NAN, |x| x.roc_auc)
            );
        }
        for (name, how) in [
            ("k-th highest", Combine::KthHighest(k)),
            ("mean", Combine::Mean),
            ("mean of top k", Combine::TopMean(k)),
        ] {
            let s: Vec<f64> = (0..r.n_rows)
                .map(|i| {
                    let p: Vec<f64> = model
                        .models
                        .iter()
                        .zip(&r.members)
                        .map(|(m, mr)| ensemble::member_position(m.calibration(), mr.scores[i]))
                        .collect();
                    ensemble::combine_positions(&p, how)
                })
                .collect();
            println!(
                "{training:?} log={log_transform}: {name} ROC-AUC {:.4} AP {:.4}",
                metrics::roc_auc(&truth, &s),
                metrics::average_precision(&truth, &s)
            );
        }
        println!(
            "{training:?} log={log_transform}: vote F1 {:.4}",
            r.metrics.as_ref().map_or(f64::NAN, |m| m.f1)
        );
    }
}

/// Scaled vs 0/1 one-hot inputs, per detector: trained on the normal rows of every 5th KDDTrain+
/// row, scored on KDDTest+, contamination 0.1, seed 42.
pub fn one_hot_scaling() {
    let train = data::nsl_kdd("KDDTrain+.txt", 5);
    let test = data::nsl_kdd("KDDTest+.txt", 1);
    for kind in DetectorKind::ALL {
        for scale_one_hot in [false, true] {
            let mut c = RunConfig {
                training: TrainingMode::NormalOnly,
                ..config(&[kind], 0.1, 42)
            };
            c.features = FeatureParams {
                scale_one_hot,
                ..data::features_from_env()
            };
            let (model, _) = pipeline::run(&c, &train, &mut NoProgress).expect("run");
            let r = pipeline::score(&model, &test, &mut NoProgress).expect("score");
            let m = r.metrics.unwrap_or_default();
            println!(
                "{kind:?} scale_one_hot={scale_one_hot}: normal-only KDDTrain+/5 → KDDTest+ \
                 ROC-AUC {:.4} AP {:.4}",
                m.roc_auc, m.pr_auc
            );
        }
    }
}

/// The ensemble score with and without the tails beyond each member's training range
/// (`UNSCALED_ONE_HOT=1` for 0/1 one-hot inputs).
pub fn tails() {
    let kinds = DetectorKind::ALL;
    let train = data::nsl_kdd("KDDTrain+.txt", 5);
    let test = data::nsl_kdd("KDDTest+.txt", 1);
    let mut c = RunConfig {
        training: TrainingMode::NormalOnly,
        ..config(&kinds, 0.1, 42)
    };
    c.features = data::features_from_env();
    c.features.scale_one_hot = std::env::var("UNSCALED_ONE_HOT").is_err();
    println!("scale_one_hot = {}", c.features.scale_one_hot);
    let (model, _) = pipeline::run(&c, &train, &mut NoProgress).expect("run");
    let r = pipeline::score(&model, &test, &mut NoProgress).expect("score");
    let truth = data::truth(&test);
    let members = || model.models.iter().zip(&r.members);
    let clamped: Vec<f64> = (0..r.n_rows)
        .map(|i| {
            let s: f64 = members()
                .map(|(m, mr)| m.calibration().percentile(mr.scores[i]))
                .sum();
            s / model.models.len() as f64
        })
        .collect();
    let at_one = clamped.iter().filter(|&&s| s == 1.0).count();
    let mean_positions: Vec<f64> = (0..r.n_rows)
        .map(|i| {
            let p: Vec<f64> = members()
                .map(|(m, mr)| ensemble::member_position(m.calibration(), mr.scores[i]))
                .collect();
            ensemble::combine_positions(&p, Combine::Mean)
        })
        .collect();
    println!(
        "ensemble = mean of positions: ROC-AUC {:.6} AP {:.6}",
        metrics::roc_auc(&truth, &mean_positions),
        metrics::average_precision(&truth, &mean_positions)
    );
    for (m, mr) in members() {
        let pct: Vec<f64> = mr
            .scores
            .iter()
            .map(|&s| m.calibration().percentile(s))
            .collect();
        let beyond = pct.iter().filter(|&&p| p == 1.0).count();
        let pos: Vec<f64> = mr
            .scores
            .iter()
            .map(|&s| ensemble::member_position(m.calibration(), s))
            .collect();
        println!(
            "  {:?}: {beyond} rows at/above the training max; ROC-AUC clamped percentile {:.6}, \
             with tails {:.6}; alone {:.4}",
            m.kind(),
            metrics::roc_auc(&truth, &pct),
            metrics::roc_auc(&truth, &pos),
            mr.metrics.as_ref().map_or(f64::NAN, |x| x.roc_auc)
        );
    }
    println!("detectors {kinds:?}, trained on {} normal rows", r.n_train);
    println!(
        "ensemble (k-th highest position) ROC-AUC with tails {:.6} (AP {:.6}); mean of clamped percentiles {:.6} (AP {:.6}); \
         rows at clamped 1.0: {at_one} of {}",
        metrics::roc_auc(&truth, &r.ensemble_score),
        metrics::average_precision(&truth, &r.ensemble_score),
        metrics::roc_auc(&truth, &clamped),
        metrics::average_precision(&truth, &clamped),
        r.n_rows
    );
    let m = r.metrics.unwrap_or_default();
    println!(
        "vote decision: precision {:.4} recall {:.4} F1 {:.4}",
        m.precision, m.recall, m.f1
    );
}
