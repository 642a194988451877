//! Saved models as the worker uses them: export → import scores the same data bit for bit
//! without training; a file for another schema or format version is refused with a message.

use netsift::engine::data::{Column, Table};
use netsift::engine::model_file::{export, ModelMeta};
use netsift::engine::models::{AnyParams, DetectorKind};
use netsift::engine::pipeline::{self, RunConfig};
use netsift::engine::progress::NoProgress;
use netsift::storage::{load_runs, save_run, DataSource, MemoryStore, RunRecord};
use netsift::worker::models::{meta_for, score_with_file};

fn table(n: usize, second: &str) -> Table {
    let bytes: Vec<f64> = (0..n)
        .map(|i| {
            if i % 20 == 7 {
                80_000.0
            } else {
                900.0 + (i * 31 % 97) as f64
            }
        })
        .collect();
    let dur: Vec<f64> = (0..n).map(|i| 1.0 + (i * 13 % 11) as f64).collect();
    Table::new(vec![
        Column::numeric("bytes", bytes),
        Column::numeric(second, dur),
    ])
    .unwrap()
}

fn config() -> RunConfig {
    RunConfig {
        detectors: vec![
            AnyParams::default_for(DetectorKind::IsolationForest, 0.05, 9),
            AnyParams::default_for(DetectorKind::Lof, 0.05, 9),
        ],
        contamination: 0.05,
        min_votes: 1,
        ..RunConfig::default()
    }
}

fn clock() -> f64 {
    0.0
}

fn forest_only() -> RunConfig {
    let mut c = config();
    c.detectors.truncate(1);
    c
}

/// What the page shows after a reload (the saved model scoring the same data) is what it
/// showed after training, bit for bit — for the Isolation Forest alone and with LOF beside it
/// (LOF scores a training row leaving the row out, at fit time and from a saved model alike).
#[test]
fn imported_model_scores_the_same_data_identically_without_training() {
    for config in [forest_only(), config()] {
        same_scores_after_import(&config);
    }
}

fn same_scores_after_import(config: &RunConfig) {
    let t = table(300, "duration");
    let (model, trained) = pipeline::run(config, &t, &mut NoProgress).unwrap();
    let bytes = export(&model, &meta_for("m", 1.0, "flows.csv", "CSV")).unwrap();
    let (_, scored) = score_with_file(&bytes, "m.json", &t, None, &mut NoProgress, &clock).unwrap();
    assert_eq!(scored.is_anomaly, trained.is_anomaly);
    let same = scored
        .ensemble_score
        .iter()
        .zip(&trained.ensemble_score)
        .all(|(a, b)| a.to_bits() == b.to_bits());
    assert!(same, "ensemble scores differ after the round trip");
    assert_eq!(scored.votes, trained.votes);
}

/// Scoring with an imported model is deterministic: two imports give identical results.
#[test]
fn two_imports_of_one_model_score_identically() {
    let t = table(300, "duration");
    let (model, _) = pipeline::run(&config(), &t, &mut NoProgress).unwrap();
    let bytes = export(&model, &ModelMeta::default()).unwrap();
    let (_, a) = score_with_file(&bytes, "m.json", &t, None, &mut NoProgress, &clock).unwrap();
    let (_, b) = score_with_file(&bytes, "m.json", &t, None, &mut NoProgress, &clock).unwrap();
    assert_eq!(a.is_anomaly, b.is_anomaly);
    assert!(a
        .ensemble_score
        .iter()
        .zip(&b.ensemble_score)
        .all(|(x, y)| x.to_bits() == y.to_bits()));
}

#[test]
fn model_for_another_schema_names_the_missing_column() {
    let (model, _) = pipeline::run(&config(), &table(200, "duration"), &mut NoProgress).unwrap();
    let bytes = export(&model, &meta_for("m", 1.0, "a.csv", "connection features")).unwrap();
    let other = table(200, "packets");
    let err = score_with_file(
        &bytes,
        "m.json",
        &other,
        Some("NSL-KDD"),
        &mut NoProgress,
        &clock,
    )
    .unwrap_err();
    assert!(err.contains("m.json cannot score this data"), "{err}");
    assert!(err.contains("missing column duration"), "{err}");
    assert!(
        err.contains("connection features") && err.contains("NSL-KDD"),
        "{err}"
    );
}

#[test]
fn newer_format_version_or_not_a_model_is_refused() {
    let (model, _) = pipeline::run(&config(), &table(200, "duration"), &mut NoProgress).unwrap();
    let bytes = export(&model, &ModelMeta::default()).unwrap();
    let mut doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    doc["version"] = serde_json::json!(99);
    let newer = serde_json::to_vec(&doc).unwrap();
    let t = table(50, "duration");
    let err = score_with_file(&newer, "new.json", &t, None, &mut NoProgress, &clock).unwrap_err();
    assert!(
        err.starts_with("new.json: ") && err.contains("version 99"),
        "{err}"
    );
    let err =
        score_with_file(b"a,b\n1,2\n", "x.csv", &t, None, &mut NoProgress, &clock).unwrap_err();
    assert!(err.contains("not a netsift model file"), "{err}");
}

#[test]
fn run_records_of_an_imported_model_land_in_the_history() {
    let t = table(300, "duration");
    let (model, _) = pipeline::run(&config(), &t, &mut NoProgress).unwrap();
    let bytes = export(&model, &ModelMeta::default()).unwrap();
    let (_, scored) = score_with_file(&bytes, "m.json", &t, None, &mut NoProgress, &clock).unwrap();
    let source = DataSource::File {
        name: "flows.csv".into(),
        size: 10,
        format: "CSV".into(),
    };
    let run = RunRecord::new(
        "run-1", "current", 5.0, source, &t, &scored, None, None, None,
    );
    let mut store = MemoryStore::new();
    save_run(&mut store, &run).unwrap();
    let (runs, bad) = load_runs(&store).unwrap();
    assert_eq!((runs.len(), bad), (1, 0));
    assert_eq!(
        runs[0].summary.n_anomalies,
        scored.is_anomaly.iter().filter(|a| **a).count()
    );
}
