//! Saved models: export → import → score bit-identically; clear errors otherwise.

use netsift::engine::data::{Column, Table};
use netsift::engine::explain::explain_row;
use netsift::engine::generate::{sample_traffic, SampleParams};
use netsift::engine::model_file::{check_schema, export, import, ModelFileError, ModelMeta};
use netsift::engine::pipeline::{self, RunConfig};
use netsift::engine::progress::NoProgress;

fn meta() -> ModelMeta {
    ModelMeta {
        name: "sample".into(),
        created: 1_735_689_600.0,
        schema_name: Some("connection features".into()),
        ..ModelMeta::default()
    }
}

#[test]
fn exported_model_scores_bit_identically_after_import() {
    let t = sample_traffic(&SampleParams::default()).unwrap();
    let (model, _) = pipeline::run(&RunConfig::default(), &t, &mut NoProgress).unwrap();
    let bytes = export(&model, &meta()).unwrap();
    let (back, m) = import(&bytes).unwrap();
    assert_eq!(m, meta());
    assert_eq!(back, model);
    let other = sample_traffic(&SampleParams {
        seed: 9,
        ..SampleParams::default()
    })
    .unwrap();
    let a = pipeline::score(&model, &other, &mut NoProgress).unwrap();
    let b = pipeline::score(&back, &other, &mut NoProgress).unwrap();
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.ensemble_score), bits(&b.ensemble_score));
    for (ma, mb) in a.members.iter().zip(&b.members) {
        assert_eq!(bits(&ma.scores), bits(&mb.scores), "{:?}", ma.kind);
        assert_eq!(ma.threshold.to_bits(), mb.threshold.to_bits());
    }
    // The header says what the file is.
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["format"], "netsift-model");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["content_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(doc["feature_schema"].as_array().unwrap().len(), 10);
}

fn small_model() -> (netsift::engine::ensemble::TrainedEnsemble, Table) {
    let t = sample_traffic(&SampleParams {
        rows: 200,
        ..SampleParams::default()
    })
    .unwrap();
    let config = RunConfig {
        detectors: vec![netsift::engine::models::AnyParams::default_for(
            netsift::engine::models::DetectorKind::IsolationForest,
            0.1,
            1,
        )],
        min_votes: 1,
        ..RunConfig::default()
    };
    let (m, _) = pipeline::run(&config, &t, &mut NoProgress).unwrap();
    (m, t)
}

#[test]
fn altered_model_is_refused() {
    let (model, _) = small_model();
    let bytes = export(&model, &meta()).unwrap();
    let mut doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    doc["model"]["contamination"] = serde_json::json!(0.4);
    let e = import(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
    assert!(matches!(e, ModelFileError::HashMismatch { .. }), "{e:?}");
    assert!(e.to_string().contains("altered"), "{e}");
}

#[test]
fn model_saved_before_profiles_still_imports_and_explains() {
    let (model, t) = small_model();
    let mut value = serde_json::to_value(&model).unwrap();
    value["preprocessor"]
        .as_object_mut()
        .unwrap()
        .remove("profiles");
    let old: netsift::engine::ensemble::TrainedEnsemble = serde_json::from_value(value).unwrap();
    assert!(old.preprocessor.profiles.is_empty());
    let (back, _) = import(&export(&old, &meta()).unwrap()).unwrap();
    let r = pipeline::score(&back, &t, &mut NoProgress).unwrap();
    let e = explain_row(&back, &t, &r, 0).unwrap();
    assert!(!e.profiles_from_training);
}

#[test]
fn schema_mismatch_names_the_missing_columns() {
    let (model, _) = small_model();
    let nsl = Table::new(vec![
        Column::numeric("duration", vec![1.0]),
        Column::categorical("protocol_type", ["tcp"]),
        Column::numeric("src_bytes", vec![1.0]),
    ])
    .unwrap();
    let e = check_schema(&model, &nsl)
        .unwrap_err()
        .with_names(Some("connection features"), Some("NSL-KDD"));
    assert!(e.missing.contains(&"packet_size".to_string()));
    assert_eq!(e.wrong_kind.len(), 1);
    let msg = e.to_string();
    assert!(
        msg.starts_with(
            "this model was trained on the connection features schema; the file has the NSL-KDD schema: missing columns packet_size, dst_bytes, flag"
        ),
        "{msg}"
    );
    assert!(msg.contains("column protocol_type holds text but the model expects numbers"));
    let t = sample_traffic(&SampleParams::default()).unwrap();
    assert!(check_schema(&model, &t).is_ok());
}
