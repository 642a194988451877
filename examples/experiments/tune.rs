//! The tuning harness behind the engine's defaults (docs/decisions.md): fits every detector
//! under both NSL-KDD protocols with the defaults, overridden by environment variables, and prints
//! per-member and per-combination ROC-AUC / AP / F1 plus the CPU seconds of each fit and score:
//!
//! `TUNE_LOG=0|1 TUNE_LOF_CAP=2000 TUNE_LOF_K=20 TUNE_LOF_SEED=… TUNE_AE_ROWS=10000 TUNE_AE_EPOCHS=30
//! TUNE_OCSVM_CAP=2048 TUNE_OCSVM_GAMMA=scale|auto TUNE_IF_TREES=100 TUNE_PROTO=ab TUNE_KINDS=if,lof
//! cargo run --release --no-default-features --example experiments -- tune`
//!
//! Member scores are cached in /tmp/netsift-tune keyed by the protocol, features and params, so
//! varying one detector refits only that one.

use netsift::engine::data::Table;
use netsift::engine::ensemble;
use netsift::engine::features::{FeatureParams, LogTransform};
use netsift::engine::metrics;
use netsift::engine::models::one_class_svm::Gamma;
use netsift::engine::models::{AnyParams, Calibration, Detector, DetectorKind};
use netsift::engine::pipeline::TrainingMode;
use netsift::engine::progress::NoProgress;
use netsift::engine::rng;

use crate::data::{self, cpu_s, env_num};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn params_for(kind: DetectorKind, seed: u64) -> AnyParams {
    let idx = DetectorKind::ALL.iter().position(|&k| k == kind).unwrap() as u64;
    let mut p = AnyParams::default_for(kind, 0.15, rng::derive_seed(seed, idx));
    match &mut p {
        AnyParams::Lof(l) => {
            if let Some(v) = env_num("TUNE_LOF_CAP") {
                l.max_reference_rows = v;
            }
            if let Some(v) = env_num("TUNE_LOF_K") {
                l.n_neighbors = v;
            }
            if let Some(v) = env_num("TUNE_LOF_SEED") {
                l.seed = v;
            }
        }
        AnyParams::Autoencoder(a) => {
            if let Some(v) = env_num("TUNE_AE_ROWS") {
                a.max_train_rows = v;
            }
            if let Some(v) = env_num("TUNE_AE_EPOCHS") {
                a.epochs = v;
            }
            if let Some(v) = env_num("TUNE_AE_PATIENCE") {
                a.patience = v;
            }
        }
        AnyParams::OneClassSvm(o) => {
            if let Some(v) = env_num("TUNE_OCSVM_CAP") {
                o.max_train_rows = v;
            }
            if env("TUNE_OCSVM_GAMMA").as_deref() == Some("auto") {
                o.gamma = Gamma::Auto;
            }
        }
        AnyParams::IsolationForest(i) => {
            if let Some(v) = env_num("TUNE_IF_TREES") {
                i.n_trees = v;
            }
        }
    }
    p
}

struct Member {
    kind: DetectorKind,
    cal: Calibration,
    test: Vec<f64>,
    fit_cpu: f64,
    score_cpu: f64,
}

fn f1(truth: &[bool], pred: &[bool]) -> (f64, f64, f64) {
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for (&t, &p) in truth.iter().zip(pred) {
        match (t, p) {
            (true, true) => tp += 1.0,
            (false, true) => fp += 1.0,
            (true, false) => fn_ += 1.0,
            _ => {}
        }
    }
    let p = tp / (tp + fp);
    let r = tp / (tp + fn_);
    (p, r, 2.0 * p * r / (p + r))
}

fn fit_member(
    kind: DetectorKind,
    key: &str,
    x_train: &ndarray::Array2<f64>,
    x_test: &ndarray::Array2<f64>,
) -> Member {
    let params = params_for(kind, 42);
    let tag = format!("{key}|{params:?}");
    let h = tag.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let path = format!("/tmp/netsift-tune/{h:016x}.json");
    if let Some(v) = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
    {
        let train: Vec<f64> = serde_json::from_value(v["train"].clone()).unwrap();
        return Member {
            kind,
            cal: Calibration::from_scores(&train, 0.15),
            test: serde_json::from_value(v["test"].clone()).unwrap(),
            fit_cpu: v["fit_cpu"].as_f64().unwrap(),
            score_cpu: v["score_cpu"].as_f64().unwrap(),
        };
    }
    let t0 = cpu_s();
    let fitted = params.fit(x_train.view(), &mut NoProgress).unwrap();
    let t1 = cpu_s();
    let test = fitted.model.score(x_test.view()).unwrap().to_vec();
    let t2 = cpu_s();
    let train = fitted.train_scores.to_vec();
    let _ = std::fs::create_dir_all("/tmp/netsift-tune");
    let _ = std::fs::write(
        &path,
        serde_json::json!({"tag": tag, "train": train, "test": test, "fit_cpu": t1 - t0, "score_cpu": t2 - t1})
            .to_string(),
    );
    Member {
        kind,
        cal: fitted.model.calibration().clone(),
        test,
        fit_cpu: t1 - t0,
        score_cpu: t2 - t1,
    }
}

/// Ensemble combinations of member positions.
fn combos(members: &[Member], n: usize) -> Vec<(&'static str, Vec<f64>)> {
    let pos: Vec<Vec<f64>> = members
        .iter()
        .map(|m| {
            m.test
                .iter()
                .map(|&s| ensemble::member_position(&m.cal, s))
                .collect()
        })
        .collect();
    let mut out: Vec<(&'static str, Vec<f64>)> = vec![
        ("kth2", Vec::new()),
        ("mean", Vec::new()),
        ("top2mean", Vec::new()),
        ("max", Vec::new()),
        ("median", Vec::new()),
    ];
    for row in 0..n {
        let mut p: Vec<f64> = pos.iter().map(|v| v[row]).collect();
        p.sort_by(|a, b| b.total_cmp(a));
        let k = 2.min(p.len());
        out[0].1.push(p[k - 1]);
        out[1].1.push(p.iter().sum::<f64>() / p.len() as f64);
        out[2].1.push(p[..k].iter().sum::<f64>() / k as f64);
        out[3].1.push(p[0]);
        let m = p.len();
        out[4].1.push(if m % 2 == 1 {
            p[m / 2]
        } else {
            (p[m / 2 - 1] + p[m / 2]) / 2.0
        });
    }
    // Rank average over the scored rows (not usable on one row, shown for reference).
    let mut ravg = vec![0.0; n];
    for m in members {
        for (r, x) in ravg.iter_mut().zip(ensemble::average_ranks(&m.test)) {
            *r += x / members.len() as f64;
        }
    }
    out.push(("rankavg", ravg));
    out
}

fn run_protocol(
    name: &str,
    mode: TrainingMode,
    train: &Table,
    test: &Table,
    features: &FeatureParams,
    kinds: &[DetectorKind],
) {
    let t0 = cpu_s();
    let data::Matrices {
        train: x_train,
        test: x_test,
        truth,
    } = data::matrices(train, test, mode, features);
    let prep_cpu = cpu_s() - t0;
    let features = features.for_training(mode == TrainingMode::NormalOnly);
    let key = format!("{name}|{features:?}|{}", x_train.nrows());
    let members: Vec<Member> = kinds
        .iter()
        .map(|&k| fit_member(k, &key, &x_train, &x_test))
        .collect();
    let mut total = prep_cpu;
    for m in &members {
        let pred: Vec<bool> = m.test.iter().map(|&s| m.cal.is_anomaly(s)).collect();
        let (p, r, f) = f1(&truth, &pred);
        total += m.fit_cpu + m.score_cpu;
        println!(
            "{name} {:<18} roc {:.4} ap {:.4} P {:.4} R {:.4} F1 {:.4} fit_cpu {:.2} score_cpu {:.2}",
            m.kind.id(),
            metrics::roc_auc(&truth, &m.test),
            metrics::average_precision(&truth, &m.test),
            p,
            r,
            f,
            m.fit_cpu,
            m.score_cpu
        );
    }
    let votes: Vec<bool> = (0..truth.len())
        .map(|i| {
            members
                .iter()
                .filter(|m| m.cal.is_anomaly(m.test[i]))
                .count()
                >= 2.min(members.len())
        })
        .collect();
    let (p, r, f) = f1(&truth, &votes);
    println!(
        "{name} vote>=2 P {p:.4} R {r:.4} F1 {f:.4}; total cpu {total:.2} (prep {prep_cpu:.2})"
    );
    for (label, s) in combos(&members, truth.len()) {
        println!(
            "{name} ensemble {label:<9} roc {:.4} ap {:.4}",
            metrics::roc_auc(&truth, &s),
            metrics::average_precision(&truth, &s)
        );
    }
}

/// Runs the protocols `TUNE_PROTO` names (default both).
pub fn tune() {
    let (train, test) = data::nsl_kdd_pair();
    let mut features = FeatureParams::default();
    if let Some(v) = env_num::<u8>("TUNE_LOG") {
        features.log_transform = if v == 1 {
            LogTransform::Always
        } else {
            LogTransform::Never
        };
    }
    let kinds: Vec<DetectorKind> = match env("TUNE_KINDS") {
        Some(s) => s.split(',').filter_map(DetectorKind::from_id).collect(),
        None => DetectorKind::ALL.to_vec(),
    };
    let proto = env("TUNE_PROTO").unwrap_or_else(|| "ab".into());
    println!("features {features:?}");
    if proto.contains('a') {
        run_protocol(
            "a",
            TrainingMode::NormalOnly,
            &train,
            &test,
            &features,
            &kinds,
        );
    }
    if proto.contains('b') {
        run_protocol("b", TrainingMode::AllRows, &train, &test, &features, &kinds);
    }
}
