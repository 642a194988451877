//! The NSL-KDD benchmark protocols, shared by `netsift-cli bench nsl-kdd` (native) and the
//! browser benchmark (inside the Web Worker), so both measure the same code path.
//!
//! - (a) `a_semi_supervised`: fit on the rows of the training table labelled normal, score the
//!   test table;
//! - (b) `b_unsupervised`: fit on every training row, score the test table.
//!
//! Each protocol yields one [`BenchLine`] per detector and one for the ensemble. Time comes from a
//! caller-supplied clock (native `Instant`, or `performance.now()` in the browser) and memory
//! from a [`MemoryProbe`] (a counting allocator natively, the wasm memory size in the browser).

use serde::{Deserialize, Serialize};

use crate::engine::data::Table;
use crate::engine::error::Result;
use crate::engine::models::DetectorKind;
use crate::engine::pipeline::{self, RunConfig, TrainingMode};
use crate::engine::progress::{NoProgress, Progress, ProgressEvent, Stage};

/// One result line (one detector, or the ensemble, in one protocol).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchLine {
    /// `a_semi_supervised` or `b_unsupervised`.
    pub protocol: String,
    /// Detector id or `ensemble`.
    pub model: String,
    /// Seconds to fit (for the ensemble: the sum over detectors).
    pub fit_s: f64,
    /// Seconds to score the test table (for the ensemble: the sum over detectors).
    pub score_s: f64,
    /// ROC-AUC of the continuous score on the test table.
    pub roc_auc: f64,
    /// Average precision on the test table.
    pub pr_auc: f64,
    /// Precision of the decision (member: its threshold; ensemble: ≥ min votes).
    pub precision: f64,
    /// Recall of the decision.
    pub recall: f64,
    /// F1 of the decision.
    pub f1: f64,
    /// Peak memory while fitting, MiB, when the probe can tell.
    pub peak_mb: Option<f64>,
    /// Training rows used.
    pub n_train: usize,
    /// Test rows scored.
    pub n_test: usize,
}

/// Measures memory for the benchmark.
pub trait MemoryProbe {
    /// Starts a new measurement window.
    fn reset(&mut self);
    /// Peak MiB since the last reset, when known.
    fn peak_mb(&self) -> Option<f64>;
}

/// A probe that knows nothing.
#[derive(Debug, Default)]
pub struct NoMemoryProbe;

impl MemoryProbe for NoMemoryProbe {
    fn reset(&mut self) {}
    fn peak_mb(&self) -> Option<f64> {
        None
    }
}

/// The two protocols, in order.
pub const PROTOCOLS: [(&str, TrainingMode); 2] = [
    ("a_semi_supervised", TrainingMode::NormalOnly),
    ("b_unsupervised", TrainingMode::AllRows),
];

/// Where the benchmark gets time, memory figures and progress from.
pub struct BenchEnv<'a> {
    /// Seconds from any fixed origin.
    pub clock: &'a dyn Fn() -> f64,
    /// Memory measurement.
    pub memory: &'a mut dyn MemoryProbe,
    /// Sees every stage; may cancel.
    pub progress: &'a mut dyn Progress,
}

/// Runs one protocol: fit on `train` per `mode`, score `test`, with the default ensemble at the
/// given `(seed, contamination)`.
pub fn run_protocol(
    (protocol, mode): (&str, TrainingMode),
    train: &Table,
    test: &Table,
    (seed, contamination): (u64, f64),
    env: &mut BenchEnv<'_>,
) -> Result<Vec<BenchLine>> {
    let clock = env.clock;
    let memory = &mut *env.memory;
    let progress = &mut *env.progress;
    let mut config = RunConfig {
        training: mode,
        seed,
        contamination,
        ..RunConfig::default()
    };
    for d in &mut config.detectors {
        d.set_contamination(contamination);
    }
    // Peak memory per detector fit: a new window at each stage change.
    let mut peaks: Vec<(DetectorKind, Option<f64>)> = Vec::new();
    let mut current: Option<Stage> = None;
    let mut sink = |e: ProgressEvent| {
        if current != Some(e.stage) {
            if let Some(Stage::Fit(kind)) = current {
                peaks.push((kind, memory.peak_mb()));
            }
            memory.reset();
            current = Some(e.stage);
        }
        progress.update(e)
    };
    let (model, trained) = pipeline::run_with_clock(&config, train, &mut sink, clock)?;
    let scored = pipeline::score_with_clock(&model, test, &mut NoProgress, clock)?;
    let mut lines = Vec::new();
    for (fit, m) in trained.members.iter().zip(&scored.members) {
        let metrics = m.metrics.clone().unwrap_or_default();
        lines.push(BenchLine {
            protocol: protocol.to_owned(),
            model: m.kind.id().to_owned(),
            fit_s: fit.fit_seconds,
            score_s: m.score_seconds,
            roc_auc: metrics.roc_auc,
            pr_auc: metrics.pr_auc,
            precision: metrics.precision,
            recall: metrics.recall,
            f1: metrics.f1,
            peak_mb: peaks
                .iter()
                .find(|(k, _)| *k == m.kind)
                .and_then(|(_, p)| *p),
            n_train: fit.n_train,
            n_test: scored.n_rows,
        });
    }
    let metrics = scored.metrics.clone().unwrap_or_default();
    lines.push(BenchLine {
        protocol: protocol.to_owned(),
        model: "ensemble".to_owned(),
        fit_s: trained.members.iter().map(|m| m.fit_seconds).sum(),
        score_s: scored.members.iter().map(|m| m.score_seconds).sum(),
        roc_auc: metrics.roc_auc,
        pr_auc: metrics.pr_auc,
        precision: metrics.precision,
        recall: metrics.recall,
        f1: metrics.f1,
        peak_mb: peaks.iter().filter_map(|(_, p)| *p).reduce(f64::max),
        n_train: trained.n_train,
        n_test: scored.n_rows,
    });
    Ok(lines)
}

/// Runs both protocols.
pub fn run_all(
    train: &Table,
    test: &Table,
    params: (u64, f64),
    env: &mut BenchEnv<'_>,
) -> Result<Vec<BenchLine>> {
    let mut lines = Vec::new();
    for protocol in PROTOCOLS {
        lines.extend(run_protocol(protocol, train, test, params, env)?);
    }
    Ok(lines)
}

/// A line as compact JSON with 4-decimal figures (NaN → null).
pub fn to_json_line(line: &BenchLine) -> String {
    let r = |x: f64| {
        if x.is_finite() {
            serde_json::json!((x * 10_000.0).round() / 10_000.0)
        } else {
            serde_json::Value::Null
        }
    };
    serde_json::json!({
        "protocol": line.protocol, "model": line.model,
        "fit_s": r(line.fit_s), "score_s": r(line.score_s),
        "roc_auc": r(line.roc_auc), "pr_auc": r(line.pr_auc),
        "precision": r(line.precision), "recall": r(line.recall), "f1": r(line.f1),
        "peak_mb": line.peak_mb.map(r), "n_train": line.n_train, "n_test": line.n_test,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::generate::{sample_traffic, SampleParams};

    #[test]
    fn both_protocols_give_a_line_per_detector_and_the_ensemble() {
        let train = sample_traffic(&SampleParams {
            rows: 300,
            ..Default::default()
        })
        .unwrap();
        let test = sample_traffic(&SampleParams {
            rows: 200,
            seed: 7,
            ..Default::default()
        })
        .unwrap();
        let mut env = BenchEnv {
            clock: &|| 0.0,
            memory: &mut NoMemoryProbe,
            progress: &mut NoProgress,
        };
        let lines = run_all(&train, &test, (1, 0.15), &mut env).unwrap();
        assert_eq!(lines.len(), 2 * 5);
        assert_eq!(lines[4].model, "ensemble");
        assert!(lines.iter().all(|l| l.n_test == 200));
        assert!(lines[4].roc_auc > 0.8, "{:?}", lines[4]);
        // Semi-supervised trains on the normal rows only.
        assert!(lines[0].n_train < 300 && lines[5].n_train == 300);
        let json = to_json_line(&lines[4]);
        for key in [
            "protocol",
            "model",
            "fit_s",
            "score_s",
            "roc_auc",
            "pr_auc",
            "precision",
            "recall",
            "f1",
            "peak_mb",
        ] {
            assert!(json.contains(&format!("\"{key}\"")), "{json}");
        }
    }
}
