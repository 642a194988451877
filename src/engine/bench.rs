//! The NSL-KDD benchmark protocols, shared by `netsift-cli bench nsl-kdd` (native) and the
//! browser benchmark (inside the Web Worker), so both measure the same code path.
//!
//! - (a) `a_semi_supervised`: fit on the rows of the training table labelled normal, score the
//!   test table;
//! - (b) `b_unsupervised`: fit on every training row, score the test table;
//! - (c) `c_feedback_1pct`: fit as (b), an analyst's verdicts on 1 % of the training rows, the
//!   page's retrain with feedback, score the test table ([`run_feedback_protocol`]).
//!
//! [`run_all`] (the browser benchmark) runs these three. The CLI also runs the guard protocols
//! the quality work is checked against ([`run_nsl_kdd_suite`]: KDDTest-21, one attack family at
//! a time; [`run_generator_suite`]: the built-in generators).
//!
//! Each protocol yields one [`BenchLine`] per detector and one for the ensemble. Time comes from a
//! caller-supplied clock (native `Instant`, or `performance.now()` in the browser) and memory
//! from a [`MemoryProbe`] (a counting allocator natively, the wasm memory size in the browser).

use serde::{Deserialize, Serialize};

use crate::engine::data::{Column, Role, Table};
use crate::engine::ensemble::TrainedEnsemble;
use crate::engine::error::Result;
use crate::engine::feedback::{self, Verdict};
use crate::engine::generate::{sample_traffic, SampleParams};
use crate::engine::metrics::Metrics;
use crate::engine::models::DetectorKind;
use crate::engine::pipeline::{self, RunConfig, RunResult, TrainingMode};
use crate::engine::progress::{NoProgress, Progress, ProgressEvent, Stage};
use crate::engine::rng;

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

/// Runs (a), (b) and `c_feedback_1pct` (the browser benchmark's set).
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
    lines.extend(run_feedback_protocol(train, test, params, env)?.0);
    Ok(lines)
}

/// Sees each protocol's training table and result and every scored table with its result (the
/// CLI dumps them for offline study).
pub type Observer<'a> = dyn FnMut(&str, &Table, &RunResult, &[(&str, &Table, &RunResult)]) + 'a;

/// One simulated verdict: `(row, is_attack)`.
pub type SimulatedVerdict = (usize, bool);

/// The NSL-KDD attack family of an attack name (`DoS`, `Probe`, `R2L`, `U2R`), per the common
/// mapping in the data folder's README; `None` for `normal` and for unknown names.
pub fn attack_family(name: &str) -> Option<&'static str> {
    const FAMILIES: [(&str, &[&str]); 4] = [
        (
            "DoS",
            &[
                "back",
                "land",
                "neptune",
                "pod",
                "smurf",
                "teardrop",
                "apache2",
                "mailbomb",
                "processtable",
                "udpstorm",
                "worm",
            ],
        ),
        (
            "Probe",
            &["ipsweep", "nmap", "portsweep", "satan", "mscan", "saint"],
        ),
        (
            "R2L",
            &[
                "ftp_write",
                "guess_passwd",
                "imap",
                "multihop",
                "phf",
                "spy",
                "warezclient",
                "warezmaster",
                "httptunnel",
                "named",
                "sendmail",
                "snmpgetattack",
                "snmpguess",
                "xlock",
                "xsnoop",
            ],
        ),
        (
            "U2R",
            &[
                "buffer_overflow",
                "loadmodule",
                "perl",
                "rootkit",
                "ps",
                "sqlattack",
                "xterm",
            ],
        ),
    ];
    let name = name.trim().to_ascii_lowercase();
    FAMILIES
        .iter()
        .find(|(_, names)| names.contains(&name.as_str()))
        .map(|(family, _)| *family)
}

/// The label text of every row (empty when the table has no label column).
pub fn label_names(table: &Table) -> Vec<String> {
    match table.by_role(Role::Label) {
        Some(c) => (0..table.n_rows()).map(|r| c.values.display(r)).collect(),
        None => Vec::new(),
    }
}

/// Result lines of one trained ensemble scored on a subset of a scored table's rows (`rows`
/// `None` = all rows): metrics recomputed from the scores of those rows only.
pub fn lines_for_rows(
    protocol: &str,
    trained: &RunResult,
    scored: &RunResult,
    labels: &[Option<bool>],
    rows: Option<&[usize]>,
) -> Vec<BenchLine> {
    let all: Vec<usize>;
    let rows = match rows {
        Some(r) => r,
        None => {
            all = (0..scored.n_rows).collect();
            &all
        }
    };
    let pick = |v: &dyn Fn(usize) -> (Option<bool>, bool, f64)| {
        let (mut l, mut p, mut s) = (Vec::new(), Vec::new(), Vec::new());
        for &r in rows {
            let (a, b, c) = v(r);
            l.push(a);
            p.push(b);
            s.push(c);
        }
        Metrics::compute_partial(&l, &p, &s)
    };
    let mut lines = Vec::new();
    let line = |model: &str, fit_s: f64, score_s: f64, n_train: usize, m: Metrics| BenchLine {
        protocol: protocol.to_owned(),
        model: model.to_owned(),
        fit_s,
        score_s,
        roc_auc: m.roc_auc,
        pr_auc: m.pr_auc,
        precision: m.precision,
        recall: m.recall,
        f1: m.f1,
        peak_mb: None,
        n_train,
        n_test: rows.len(),
    };
    for (fit, m) in trained.members.iter().zip(&scored.members) {
        let metrics = pick(&|r| (labels[r], m.scores[r] > m.threshold, m.scores[r]));
        lines.push(line(
            m.kind.id(),
            fit.fit_seconds,
            m.score_seconds,
            fit.n_train,
            metrics,
        ));
    }
    let metrics = pick(&|r| (labels[r], scored.is_anomaly[r], scored.ensemble_score[r]));
    lines.push(line(
        "ensemble",
        trained.members.iter().map(|m| m.fit_seconds).sum(),
        scored.members.iter().map(|m| m.score_seconds).sum(),
        trained.n_train,
        metrics,
    ));
    lines
}

/// The tables of the whole NSL-KDD suite.
pub struct NslKdd<'a> {
    /// KDDTrain+.
    pub train: &'a Table,
    /// KDDTest+.
    pub test: &'a Table,
    /// KDDTest-21, when present.
    pub test21: Option<&'a Table>,
}

/// Every NSL-KDD protocol, printed as it completes through `emit`:
///
/// - `a_semi_supervised`, `b_unsupervised` (as [`run_protocol`]);
/// - `a_test21`, `b_test21`: the same two models scoring KDDTest-21;
/// - `a_only_dos`, `a_only_probe`, `a_only_r2l`, `a_only_u2r`: the (a) model (trained on normal
///   rows, so every family is left out of training) scored on the normal rows of KDDTest+ plus
///   the rows of one attack family only;
/// - `c_feedback_1pct` ([`run_feedback_protocol`]), whose verdicts it returns.
pub fn run_nsl_kdd_suite(
    data: &NslKdd<'_>,
    params: (u64, f64),
    env: &mut BenchEnv<'_>,
    emit: &mut dyn FnMut(&BenchLine),
    observe: &mut Observer<'_>,
) -> Result<Vec<SimulatedVerdict>> {
    let names = label_names(data.test);
    let test_labels = data.test.labels().unwrap_or_default();
    for protocol in PROTOCOLS {
        let (model, trained) = fit_for_bench(protocol, data.train, params, env)?;
        let scored = pipeline::score_with_clock(&model, data.test, &mut NoProgress, env.clock)?;
        let mut lines = lines_for_rows(protocol.0, &trained, &scored, &test_labels, None);
        for l in &mut lines {
            l.peak_mb = None;
        }
        lines.iter().for_each(&mut *emit);
        let short = &protocol.0[..1];
        let mut s21 = None;
        if let Some(t21) = data.test21 {
            let scored21 = pipeline::score_with_clock(&model, t21, &mut NoProgress, env.clock)?;
            let l21 = t21.labels().unwrap_or_default();
            let name = format!("{short}_test21");
            lines_for_rows(&name, &trained, &scored21, &l21, None)
                .iter()
                .for_each(&mut *emit);
            s21 = Some(scored21);
        }
        let mut seen = vec![("test", data.test, &scored)];
        if let (Some(s21), Some(t21)) = (&s21, data.test21) {
            seen.push(("test21", t21, s21));
        }
        observe(protocol.0, data.train, &trained, &seen);
        if protocol.1 == TrainingMode::NormalOnly {
            for family in ["DoS", "Probe", "R2L", "U2R"] {
                let rows: Vec<usize> = (0..names.len())
                    .filter(|&r| {
                        test_labels[r] == Some(false) || attack_family(&names[r]) == Some(family)
                    })
                    .collect();
                let name = format!("{short}_only_{}", family.to_ascii_lowercase());
                lines_for_rows(&name, &trained, &scored, &test_labels, Some(&rows))
                    .iter()
                    .for_each(&mut *emit);
            }
        }
    }
    let (lines, verdicts) = run_feedback_protocol(data.train, data.test, params, env)?;
    lines.iter().for_each(&mut *emit);
    Ok(verdicts)
}

/// Share of the training rows whose labels the simulated analyst reveals in `c_feedback_1pct`.
pub const FEEDBACK_SHARE: f64 = 0.01;

/// Of those verdicts, the share taken from the top of the flagged list; the rest are random rows.
pub const FEEDBACK_TOP_SHARE: f64 = 0.8;

/// The verdicts an analyst gives after a run on `result` (a result on the training table with
/// `labels`): `⌊FEEDBACK_SHARE · n⌋` rows in all — the first `⌊FEEDBACK_TOP_SHARE · budget⌋` of
/// the flagged rows by descending ensemble score (ties by row), then the rest drawn uniformly
/// without replacement (seeded) from the other labelled rows. Each is `(row, is_attack)`,
/// the label standing in for the analyst's verdict.
pub fn analyst_verdicts(
    result: &RunResult,
    labels: &[Option<bool>],
    seed: u64,
) -> Vec<SimulatedVerdict> {
    let n = result.n_rows.min(labels.len());
    let budget = (FEEDBACK_SHARE * n as f64) as usize;
    let mut flagged: Vec<usize> = (0..n)
        .filter(|&r| result.is_anomaly[r] && labels[r].is_some())
        .collect();
    flagged.sort_by(|&a, &b| {
        result.ensemble_score[b]
            .total_cmp(&result.ensemble_score[a])
            .then(a.cmp(&b))
    });
    let top = ((FEEDBACK_TOP_SHARE * budget as f64) as usize).min(flagged.len());
    let mut chosen = vec![false; n];
    let mut out: Vec<SimulatedVerdict> = Vec::with_capacity(budget);
    for &r in &flagged[..top] {
        chosen[r] = true;
        out.push((r, labels[r] == Some(true)));
    }
    let rest: Vec<usize> = (0..n)
        .filter(|&r| !chosen[r] && labels[r].is_some())
        .collect();
    let mut rng = rng::seeded(rng::derive_seed(seed, 0xfeed));
    let k = (budget - top).min(rest.len());
    for i in rng::sample_indices(&mut rng, rest.len(), k) {
        let r = rest[i];
        out.push((r, labels[r] == Some(true)));
    }
    out
}

/// Protocol `c_feedback_1pct`: fit as (b) on every row of `train`; the analyst reviews
/// [`analyst_verdicts`]; retrain with that feedback through
/// [`crate::engine::feedback::retrain_with_feedback_on`] (the page's path); score `test`. The
/// ensemble line's `fit_s` is the whole retrain's wall time. Returns the lines and the verdicts.
pub fn run_feedback_protocol(
    train: &Table,
    test: &Table,
    (seed, contamination): (u64, f64),
    env: &mut BenchEnv<'_>,
) -> Result<(Vec<BenchLine>, Vec<SimulatedVerdict>)> {
    let config = bench_config(TrainingMode::AllRows, seed, contamination);
    let (_, before) = pipeline::run_with_clock(&config, train, &mut *env.progress, env.clock)?;
    let labels = train.labels().unwrap_or_default();
    let verdicts = analyst_verdicts(&before, &labels, seed);
    let mut feedback = Vec::new();
    for (verdict, attack) in [
        (Verdict::TruePositive, true),
        (Verdict::FalsePositive, false),
    ] {
        let rows: Vec<usize> = verdicts
            .iter()
            .filter(|(_, a)| *a == attack)
            .map(|(r, _)| *r)
            .collect();
        feedback::mark(&mut feedback, train, &rows, verdict, "", 0.0);
    }
    let t0 = (env.clock)();
    let (model, trained, _) = feedback::retrain_with_feedback_on(
        &config,
        train,
        &before,
        &feedback,
        &mut *env.progress,
        env.clock,
    )?;
    let retrain_s = ((env.clock)() - t0).max(0.0);
    let scored = pipeline::score_with_clock(&model, test, &mut NoProgress, env.clock)?;
    let test_labels = test.labels().unwrap_or_default();
    let mut lines = lines_for_rows("c_feedback_1pct", &trained, &scored, &test_labels, None);
    if let Some(l) = lines.last_mut() {
        l.fit_s = retrain_s;
    }
    Ok((lines, verdicts))
}

/// Fits the default ensemble for a protocol on `train`.
fn fit_for_bench(
    (_, mode): (&str, TrainingMode),
    train: &Table,
    (seed, contamination): (u64, f64),
    env: &mut BenchEnv<'_>,
) -> Result<(TrainedEnsemble, RunResult)> {
    let config = bench_config(mode, seed, contamination);
    pipeline::run_with_clock(&config, train, &mut *env.progress, env.clock)
}

/// The default ensemble at `(seed, contamination)` training per `mode`.
pub fn bench_config(mode: TrainingMode, seed: u64, contamination: f64) -> RunConfig {
    let mut config = RunConfig {
        training: mode,
        seed,
        contamination,
        ..RunConfig::default()
    };
    for d in &mut config.detectors {
        d.set_contamination(contamination);
    }
    config
}

/// The built-in generators as protocols, each trained on one seed and scored on another:
/// `gen_sample_all` / `gen_sample_normal` (sample traffic, 4,000 training rows, 2,000 test rows,
/// trained on every row / on the normal rows) and `gen_capture_all` (the capture generator's
/// default traffic, seed 0 → seed 1, flows labelled from the generator's truth; most of its
/// flows are attacks, so training on every row teaches the detectors that attacks are normal) and
/// `gen_capture_normal` (the same, trained on the normal flows).
pub fn run_generator_suite(
    params: (u64, f64),
    env: &mut BenchEnv<'_>,
    emit: &mut dyn FnMut(&BenchLine),
    observe: &mut Observer<'_>,
) -> Result<()> {
    let sample = |rows: usize, seed: u64| {
        sample_traffic(&SampleParams {
            rows,
            seed,
            ..SampleParams::default()
        })
    };
    let train = sample(4_000, 42)?;
    let test = sample(2_000, 7)?;
    for (name, mode) in [
        ("gen_sample_all", TrainingMode::AllRows),
        ("gen_sample_normal", TrainingMode::NormalOnly),
    ] {
        let (model, trained) = fit_for_bench((name, mode), &train, params, env)?;
        let scored = pipeline::score_with_clock(&model, &test, &mut NoProgress, env.clock)?;
        let labels = test.labels().unwrap_or_default();
        lines_for_rows(name, &trained, &scored, &labels, None)
            .iter()
            .for_each(&mut *emit);
        observe(name, &train, &trained, &[("test", &test, &scored)]);
    }
    let train = labelled_capture(0)?;
    let test = labelled_capture(1)?;
    for (name, mode) in [
        ("gen_capture_all", TrainingMode::AllRows),
        ("gen_capture_normal", TrainingMode::NormalOnly),
    ] {
        let (model, trained) = fit_for_bench((name, mode), &train, params, env)?;
        let scored = pipeline::score_with_clock(&model, &test, &mut NoProgress, env.clock)?;
        let labels = test.labels().unwrap_or_default();
        lines_for_rows(name, &trained, &scored, &labels, None)
            .iter()
            .for_each(&mut *emit);
        observe(name, &train, &trained, &[("test", &test, &scored)]);
    }
    Ok(())
}

/// The capture generator's default traffic at `seed` as a flow table with a `label` column: a
/// flow takes the kind of the generated conversation with the same addresses, ports and
/// protocol (either direction) whose start is nearest its own.
pub fn labelled_capture(seed: u64) -> Result<Table> {
    use crate::engine::ingest::capture::generate::{generate_capture, CaptureGenParams};
    use crate::engine::ingest::capture::{
        read_flows_from_bytes, table::flows_to_table, FlowConfig,
    };
    let cap = generate_capture(&CaptureGenParams {
        seed,
        ..CaptureGenParams::default()
    })?;
    let flows = read_flows_from_bytes(&cap.bytes, FlowConfig::default())?.flows;
    let labels: Vec<&str> = flows
        .iter()
        .map(|f| {
            let same = |t: &&crate::engine::ingest::capture::generate::TruthFlow| {
                t.protocol == f.protocol
                    && ((t.src_ip, t.src_port, t.dst_ip, t.dst_port)
                        == (f.src_ip, f.src_port, f.dst_ip, f.dst_port)
                        || (t.src_ip, t.src_port, t.dst_ip, t.dst_port)
                            == (f.dst_ip, f.dst_port, f.src_ip, f.src_port))
            };
            cap.truth
                .iter()
                .filter(same)
                .min_by_key(|t| (t.start_ns - f.start_ns).unsigned_abs())
                .map_or("normal", |t| t.kind.label())
        })
        .collect();
    let mut table = flows_to_table(&flows);
    table
        .columns
        .push(Column::categorical("label", labels).with_role(Role::Label));
    Ok(table)
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
    use crate::engine::models::{AnyParams, IsolationForestParams};

    #[test]
    fn every_protocol_gives_a_line_per_detector_and_the_ensemble() {
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
        assert_eq!(lines.len(), 3 * 5);
        assert_eq!(lines[14].protocol, "c_feedback_1pct");
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

    #[test]
    fn attack_families_follow_the_readme() {
        assert_eq!(attack_family("neptune"), Some("DoS"));
        assert_eq!(attack_family("mscan"), Some("Probe"));
        assert_eq!(attack_family("snmpguess"), Some("R2L"));
        assert_eq!(attack_family("sqlattack"), Some("U2R"));
        assert_eq!(attack_family("normal"), None);
    }

    #[test]
    fn analyst_reviews_the_top_of_the_flagged_list_then_random_rows() {
        let t = sample_traffic(&SampleParams {
            rows: 1000,
            ..Default::default()
        })
        .unwrap();
        let config = RunConfig {
            detectors: vec![AnyParams::IsolationForest(IsolationForestParams::default())],
            min_votes: 1,
            ..RunConfig::default()
        };
        let (_, r) = pipeline::run(&config, &t, &mut NoProgress).unwrap();
        let labels = t.labels().unwrap();
        let v = analyst_verdicts(&r, &labels, 3);
        assert_eq!(v.len(), 10, "1 % of 1,000 rows");
        let top = &v[..8];
        assert!(top.iter().all(|&(row, _)| r.is_anomaly[row]));
        assert!(top
            .windows(2)
            .all(|w| r.ensemble_score[w[0].0] >= r.ensemble_score[w[1].0]));
        let best = (0..1000)
            .map(|i| r.ensemble_score[i])
            .fold(f64::MIN, f64::max);
        assert_eq!(r.ensemble_score[top[0].0], best);
        assert!(v.iter().all(|&(row, attack)| labels[row] == Some(attack)));
        let mut rows: Vec<usize> = v.iter().map(|p| p.0).collect();
        rows.sort_unstable();
        rows.dedup();
        assert_eq!(rows.len(), 10, "no row twice");
        assert_eq!(v, analyst_verdicts(&r, &labels, 3), "seeded");
        assert_ne!(
            v[8..],
            analyst_verdicts(&r, &labels, 4)[8..],
            "the seed picks the random rows"
        );
    }

    #[test]
    fn generated_capture_flows_carry_both_labels() {
        let t = labelled_capture(0).unwrap();
        let labels = t.labels().unwrap();
        let attacks = labels.iter().filter(|l| **l == Some(true)).count();
        assert!(
            attacks > 0 && attacks < labels.len(),
            "{attacks} of {}",
            labels.len()
        );
    }
}
