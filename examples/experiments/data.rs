//! What every experiment shares: the NSL-KDD loader, the model-input matrices, CPU time and the
//! environment-variable grids.
//!
//! NSL-KDD is read by the engine's own ingest (`ingest::read_any`, the headerless NSL-KDD preset),
//! the path `netsift-cli bench nsl-kdd` and the browser benchmark (`engine::bench`) take, and
//! encoded by the engine's [`Preprocessor`]: the experiments measure the code the app runs, not a
//! private re-implementation of it.

use std::path::PathBuf;
use std::str::FromStr;

use ndarray::{Array2, Axis};
use netsift::engine::data::Table;
use netsift::engine::features::{FeatureParams, LogTransform, Preprocessor};
use netsift::engine::ingest::{self, IngestOptions};
use netsift::engine::pipeline::{self, TrainingMode};

/// The NSL-KDD folder: `NSL_KDD_DIR`, else `../shared/data/nsl-kdd` beside the repository.
pub fn kdd_dir() -> PathBuf {
    std::env::var_os("NSL_KDD_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/nsl-kdd"),
        PathBuf::from,
    )
}

/// Every `step`-th row of an NSL-KDD file (`KDDTrain+.txt`, `KDDTest+.txt`) as the app's table.
/// Exits with a message when the file is absent.
pub fn nsl_kdd(name: &str, step: usize) -> Table {
    let path = kdd_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        eprintln!(
            "cannot read {} ({e}); set NSL_KDD_DIR to the folder holding KDDTrain+.txt and KDDTest+.txt",
            path.display()
        );
        std::process::exit(2)
    });
    let kept: String = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .step_by(step.max(1))
        .flat_map(|l| [l, "\n"])
        .collect();
    let got = ingest::read_any(name, kept.as_bytes(), &IngestOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    eprintln!("{name}: {} rows, {}", got.table.n_rows(), got.format);
    got.table
}

/// KDDTrain+ and KDDTest+, whole.
pub fn nsl_kdd_pair() -> (Table, Table) {
    (nsl_kdd("KDDTrain+.txt", 1), nsl_kdd("KDDTest+.txt", 1))
}

/// The model inputs of one protocol, as the pipeline builds them.
pub struct Matrices {
    /// The training rows the protocol selects.
    pub train: Array2<f64>,
    /// Every test row.
    pub test: Array2<f64>,
    /// Test ground truth (attack = true).
    pub truth: Vec<bool>,
}

/// Fits the engine's preprocessor on the rows `mode` selects from `train` and encodes both tables
/// (one-hot categoricals, median imputation, log transform per `features`, standard scaling).
pub fn matrices(
    train: &Table,
    test: &Table,
    mode: TrainingMode,
    features: &FeatureParams,
) -> Matrices {
    let (rows, _) = pipeline::training_rows(train, mode).expect("training rows");
    let features = features.for_training(mode == TrainingMode::NormalOnly);
    let pre = Preprocessor::fit(train, &rows, &features).expect("preprocessor");
    let x_train = pre
        .transform(train)
        .expect("encode train")
        .select(Axis(0), &rows);
    let x_test = pre.transform(test).expect("encode test");
    eprintln!(
        "{mode:?}: train {:?}, test {:?}, {features:?}",
        x_train.dim(),
        x_test.dim()
    );
    Matrices {
        train: x_train,
        test: x_test,
        truth: truth(test),
    }
}

/// Ground truth of a labelled table (attack = true).
pub fn truth(table: &Table) -> Vec<bool> {
    table
        .labels()
        .expect("a label column")
        .iter()
        .map(|l| *l == Some(true))
        .collect()
}

/// Feature settings from `LOG` (`0` never, `1` always, unset: the engine's default). The tables
/// measured before the log transform existed (2026-11-21, before 726c67b) correspond to `LOG=0`.
pub fn features_from_env() -> FeatureParams {
    let mut f = FeatureParams::default();
    match std::env::var("LOG").as_deref() {
        Ok("0") => f.log_transform = LogTransform::Never,
        Ok("1") => f.log_transform = LogTransform::Always,
        _ => {}
    }
    f
}

/// This thread's on-CPU seconds (Linux `schedstat`; NaN elsewhere): on a shared machine wall
/// time overstates the work.
pub fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}

/// A comma-separated list from the environment variable `var`, else from `default`.
pub fn env_list<T: FromStr>(var: &str, default: &str) -> Vec<T> {
    std::env::var(var)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// One value from the environment, when set and parseable.
pub fn env_num<T: FromStr>(var: &str) -> Option<T> {
    std::env::var(var).ok().and_then(|v| v.trim().parse().ok())
}
