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

// ---- damaged and hand-edited model files (issue 17): a typed error naming the field, never a
// panic. Each case edits a valid file and re-computes its hash, as an attacker would.

/// A four-detector model on 240 rows, exported once for every case below.
fn four_detector_file() -> &'static serde_json::Value {
    static FILE: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let t = sample_traffic(&SampleParams {
            rows: 240,
            ..SampleParams::default()
        })
        .unwrap();
        let (model, _) = pipeline::run(&RunConfig::default(), &t, &mut NoProgress).unwrap();
        serde_json::from_slice(&export(&model, &meta()).unwrap()).unwrap()
    })
}

/// Index of the member `kind` ("Autoencoder", "OneClassSvm", …) in `models`.
fn member(doc: &serde_json::Value, kind: &str) -> usize {
    doc["model"]["models"]
        .as_array()
        .unwrap()
        .iter()
        .position(|m| m.get(kind).is_some())
        .unwrap()
}

/// Applies `edit` to a copy of the file, re-hashes it and imports it.
fn import_edited(
    edit: impl FnOnce(&mut serde_json::Value),
) -> Result<netsift::engine::ensemble::TrainedEnsemble, ModelFileError> {
    use sha2::Digest;
    let mut doc = four_detector_file().clone();
    edit(&mut doc);
    let canonical = serde_json::to_vec(&doc["model"]).unwrap();
    let hash: String = sha2::Sha256::digest(&canonical)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    doc["content_sha256"] = serde_json::json!(hash);
    import(&serde_json::to_vec(&doc).unwrap()).map(|(m, _)| m)
}

/// The field an `Invalid` error names (panics with the error otherwise).
fn invalid_field(r: Result<netsift::engine::ensemble::TrainedEnsemble, ModelFileError>) -> String {
    match r {
        Err(ModelFileError::Invalid { field, .. }) => field,
        other => panic!("expected an Invalid error, got {other:?}"),
    }
}

#[test]
fn rehashed_unedited_file_still_imports() {
    assert!(import_edited(|_| {}).is_ok());
}

#[test]
fn shortened_autoencoder_weights_are_refused_naming_the_layer() {
    let f = invalid_field(import_edited(|d| {
        let i = member(d, "Autoencoder");
        let w = &mut d["model"]["models"][i]["Autoencoder"]["network"]["layers"][2]["w"];
        w.as_array_mut().unwrap().truncate(5);
    }));
    assert!(f.ends_with("(autoencoder).network.layers[2].w"), "{f}");
}

#[test]
fn empty_autoencoder_bias_is_refused() {
    let f = invalid_field(import_edited(|d| {
        let i = member(d, "Autoencoder");
        d["model"]["models"][i]["Autoencoder"]["network"]["layers"][0]["b"] = serde_json::json!([]);
    }));
    assert!(f.ends_with("network.layers[0].b"), "{f}");
}

#[test]
fn autoencoder_output_width_must_equal_its_input_width() {
    let f = invalid_field(import_edited(|d| {
        let i = member(d, "Autoencoder");
        let layers = d["model"]["models"][i]["Autoencoder"]["network"]["layers"]
            .as_array_mut()
            .unwrap();
        let last = layers.last_mut().unwrap();
        let n_in = last["n_in"].as_u64().unwrap() as usize;
        last["n_out"] = serde_json::json!(3);
        last["w"] = serde_json::json!(vec![0.1; n_in * 3]);
        last["b"] = serde_json::json!(vec![0.0; 3]);
    }));
    assert!(f.contains("(autoencoder).network.layers["), "{f}");
    assert!(f.ends_with("].n_out"), "{f}");
}

#[test]
fn huge_autoencoder_weights_are_refused() {
    let f = invalid_field(import_edited(|d| {
        let i = member(d, "Autoencoder");
        let w = &mut d["model"]["models"][i]["Autoencoder"]["network"]["layers"][1]["w"];
        for v in w.as_array_mut().unwrap() {
            *v = serde_json::json!(3e38);
        }
    }));
    assert!(f.contains("network.layers[1].w"), "{f}");
}

#[test]
fn shortened_support_vectors_are_refused() {
    let f = invalid_field(import_edited(|d| {
        let i = member(d, "OneClassSvm");
        let sv = &mut d["model"]["models"][i]["OneClassSvm"]["support"];
        let n = sv.as_array().unwrap().len();
        sv.as_array_mut().unwrap().truncate(n - 1);
    }));
    assert!(f.ends_with("(one_class_svm).support"), "{f}");
}

#[test]
fn support_vector_coefficients_must_match_the_vectors() {
    let f = invalid_field(import_edited(|d| {
        let i = member(d, "OneClassSvm");
        d["model"]["models"][i]["OneClassSvm"]["dual_coef"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!(0.5));
    }));
    assert!(f.contains("(one_class_svm).support"), "{f}");
}

#[test]
fn min_votes_outside_one_to_members_is_refused() {
    for k in [0, 5, 99] {
        let f = invalid_field(import_edited(|d| {
            d["model"]["min_votes"] = serde_json::json!(k)
        }));
        assert_eq!(f, "min_votes");
    }
    assert!(import_edited(|d| d["model"]["min_votes"] = serde_json::json!(4)).is_ok());
}

#[test]
fn isolation_tree_child_and_feature_indices_are_checked() {
    // Node tuple: (feature, threshold, left, right, size).
    let split_node = |d: &serde_json::Value| -> (usize, usize) {
        let i = member(d, "IsolationForest");
        let nodes = d["model"]["models"][i]["IsolationForest"]["trees"][0]["nodes"]
            .as_array()
            .unwrap();
        let n = nodes
            .iter()
            .position(|n| n[0].as_u64().unwrap() != u64::from(u32::MAX))
            .unwrap();
        (i, n)
    };
    let f = invalid_field(import_edited(|d| {
        let (i, n) = split_node(d);
        d["model"]["models"][i]["IsolationForest"]["trees"][0]["nodes"][n][2] =
            serde_json::json!(1_000_000);
    }));
    assert!(f.contains("(isolation_forest).trees[0].nodes["), "{f}");
    let f = invalid_field(import_edited(|d| {
        let (i, n) = split_node(d);
        d["model"]["models"][i]["IsolationForest"]["trees"][0]["nodes"][n][0] =
            serde_json::json!(500);
    }));
    assert!(f.contains("trees[0].nodes["), "{f}");
}

#[test]
fn lof_reference_of_another_width_is_refused() {
    let e = import_edited(|d| {
        let i = member(d, "Lof");
        let r = &mut d["model"]["models"][i]["Lof"]["reference"];
        let rows = r["dim"][0].as_u64().unwrap() as usize;
        r["dim"] = serde_json::json!([rows, 1]);
        r["data"] = serde_json::json!(vec![0.0; rows]);
    })
    .unwrap_err();
    assert!(
        matches!(
            e,
            ModelFileError::Corrupt(_) | ModelFileError::Invalid { .. }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string().contains("LOF") || e.to_string().contains("lof"),
        "{e}"
    );
}

#[test]
fn non_finite_or_unsorted_calibration_is_refused() {
    let f = invalid_field(import_edited(|d| {
        let i = member(d, "IsolationForest");
        let q = d["model"]["models"][i]["IsolationForest"]["calibration"]["quantiles"]
            .as_array_mut()
            .unwrap();
        q.reverse();
    }));
    assert!(
        f.contains("(isolation_forest).calibration.quantiles["),
        "{f}"
    );
    let e = import_edited(|d| {
        let i = member(d, "Lof");
        d["model"]["models"][i]["Lof"]["calibration"]["threshold"] = serde_json::json!(null);
    })
    .unwrap_err();
    assert!(matches!(e, ModelFileError::Corrupt(_)), "{e:?}");
}

#[test]
fn preprocessing_width_must_match_every_detector() {
    let f = invalid_field(import_edited(|d| {
        d["model"]["preprocessor"]["feature_names"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!("extra"));
    }));
    assert_eq!(f, "preprocessor.feature_names");
    let f = invalid_field(import_edited(|d| {
        let encoders = d["model"]["preprocessor"]["encoders"]
            .as_array_mut()
            .unwrap();
        let numeric = encoders
            .iter_mut()
            .find(|e| e.get("Numeric").is_some())
            .unwrap();
        numeric["Numeric"]["scale"] = serde_json::json!(0.0);
    }));
    assert!(f.ends_with(".scale"), "{f}");
}

#[test]
fn model_file_above_the_size_limit_is_refused_before_parsing() {
    let bytes = serde_json::to_vec(four_detector_file()).unwrap();
    let e = netsift::engine::model_file::import_limited(&bytes, 1000).unwrap_err();
    assert!(
        matches!(e, ModelFileError::TooLarge { limit: 1000, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("--max-model-mb"), "{e}");
}
