//! A saved model gives the training data the scores of the run that trained it, bit for bit:
//! through a model file (export → import, the Import model button) and through the saved
//! workspace (the model file kept in the store, scored by the worker when the page reloads).
//! LOF is the detector this is about: its fit-time scores leave each row out of its own
//! neighbours, and the model now does the same for a row equal to a reference row.

use netsift::engine::data::Table;
use netsift::engine::generate::{sample_traffic, SampleParams};
use netsift::engine::model_file::{export, import};
use netsift::engine::models::DetectorKind;
use netsift::engine::pipeline::{self, RunConfig, RunResult};
use netsift::engine::progress::NoProgress;
use netsift::storage::{
    load_workspace, save_workspace, DataSource, MemoryStore, Settings, Workspace, SCHEMA_VERSION,
};
use netsift::worker::models::{meta_for, score_with_file};

/// Sample traffic with exact duplicate rows (copies of rows 10 and 500, three times each).
fn traffic(rows: usize) -> Table {
    let t = sample_traffic(&SampleParams {
        rows,
        ..SampleParams::default()
    })
    .unwrap();
    let mut order: Vec<usize> = (0..t.n_rows()).collect();
    order.extend([10, 10, 10, 500, 500, 500]);
    t.select_rows(&order)
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Every per-detector score and threshold, the ensemble score, votes, flags, severities and
/// confidences are the same bits.
fn assert_identical(got: &RunResult, want: &RunResult, path: &str) {
    assert_eq!(got.members.len(), want.members.len(), "{path}: detectors");
    for (g, w) in got.members.iter().zip(&want.members) {
        assert_eq!(g.kind, w.kind, "{path}: detector order");
        assert_eq!(
            g.threshold.to_bits(),
            w.threshold.to_bits(),
            "{path}: {:?} threshold",
            w.kind
        );
        let (gb, wb) = (bits(&g.scores), bits(&w.scores));
        let first = gb.iter().zip(&wb).position(|(a, b)| a != b);
        assert_eq!(first, None, "{path}: {:?} scores differ from row", w.kind);
        assert_eq!(g.n_anomalies, w.n_anomalies, "{path}: {:?} flags", w.kind);
    }
    assert_eq!(
        bits(&got.ensemble_score),
        bits(&want.ensemble_score),
        "{path}: ensemble score"
    );
    assert_eq!(got.votes, want.votes, "{path}: votes");
    assert_eq!(got.is_anomaly, want.is_anomaly, "{path}: flags");
    assert_eq!(got.severity, want.severity, "{path}: severity");
    assert_eq!(
        bits(&got.confidence),
        bits(&want.confidence),
        "{path}: confidence"
    );
}

fn trained(rows: usize) -> (Table, netsift::engine::ensemble::TrainedEnsemble, RunResult) {
    let t = traffic(rows);
    let config = RunConfig::default();
    assert_eq!(config.detectors.len(), 4, "the full ensemble");
    let (model, result) = pipeline::run(&config, &t, &mut NoProgress).unwrap();
    assert!(result.members.iter().any(|m| m.kind == DetectorKind::Lof));
    (t, model, result)
}

#[test]
fn exported_and_imported_model_scores_the_training_data_bit_identically() {
    // 1,506 rows: more than LOF's 1,000 reference rows, so rows outside the reference set
    // (and copies of reference rows among them) are covered too.
    let (t, model, result) = trained(1500);
    let bytes = export(&model, &meta_for("m", 1.0, "sample", "connection features")).unwrap();
    let (back, _) = import(&bytes).unwrap();
    assert_eq!(back, model);
    let again = pipeline::score(&back, &t, &mut NoProgress).unwrap();
    assert_identical(&again, &result, "model file");
}

#[test]
fn restored_workspace_scores_the_training_data_bit_identically() {
    // What use_storage does: the autosave stores the worker's model export as text in the
    // workspace; the reload reads the workspace and hands that text to the worker's
    // ImportModel, which runs `score_with_file` on the reloaded data.
    let (t, model, result) = trained(800);
    let bytes = export(&model, &meta_for("autosave", 5.0, "sample", "")).unwrap();
    let ws = Workspace {
        schema_version: SCHEMA_VERSION,
        id: "current".into(),
        name: "sample".into(),
        created: 1.0,
        updated: 5.0,
        source: DataSource::Generated {
            params: SampleParams::default(),
        },
        schema: Vec::new(),
        settings: Settings {
            run: RunConfig::default(),
            threshold: Some(0.5),
        },
        model_file: Some(String::from_utf8(bytes).unwrap()),
        summary: None,
        anomalies: Vec::new(),
        feedback: Vec::new(),
        suppressions: Vec::new(),
        run_id: None,
    };
    let mut store = MemoryStore::new();
    save_workspace(&mut store, &ws).unwrap();
    let back = load_workspace(&store, "current").unwrap().unwrap();
    let file = back.model_file.unwrap();
    let clock = || 0.0;
    let (_, again) = score_with_file(
        file.as_bytes(),
        "saved model",
        &t,
        None,
        &mut NoProgress,
        &clock,
    )
    .unwrap();
    assert_identical(&again, &result, "restored workspace");
}
