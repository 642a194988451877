//! Feature encoding and scaling; the scaler against scikit-learn's `StandardScaler`
//! (`tests/fixtures/sklearn/scaler.json`).

use netsift::engine::data::{Column, Role, Table};
use netsift::engine::features::{mean_and_scale, ColumnEncoder, FeatureParams, Preprocessor};
use netsift::engine::generate::{sample_traffic, SampleParams};
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sklearn/scaler.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect()
}

fn table(rows: &[Vec<f64>]) -> Table {
    let width = rows[0].len();
    Table::new(
        (0..width)
            .map(|j| Column::numeric(format!("c{j}"), rows.iter().map(|r| r[j]).collect()))
            .collect(),
    )
    .unwrap()
}

fn close(ours: f64, theirs: f64, what: &str) {
    let tol = 1e-12 * theirs.abs().max(1.0);
    assert!(
        (ours - theirs).abs() <= tol,
        "{what}: ours {ours}, sklearn {theirs}"
    );
}

#[test]
fn scaler_matches_sklearn_standard_scaler() {
    let f = fixture();
    let x = matrix(&f["x"]);
    let x_new = matrix(&f["x_new"]);
    let t = table(&x);
    let train: Vec<usize> = (0..x.len()).collect();
    let p = Preprocessor::fit(&t, &train, &FeatureParams::default()).unwrap();
    let means: Vec<f64> = f["mean"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let scales: Vec<f64> = f["scale"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for (j, enc) in p.encoders.iter().enumerate() {
        match enc {
            ColumnEncoder::Numeric { mean, scale, .. } => {
                close(*mean, means[j], "mean");
                close(*scale, scales[j], "scale");
            }
            other => panic!("{other:?}"),
        }
    }
    for (input, want) in [(&x, &f["transform"]), (&x_new, &f["transform_new"])] {
        let got = p.transform(&table(input)).unwrap();
        for (i, row) in matrix(want).iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                close(got[[i, j]], v, &format!("transform[{i}][{j}]"));
            }
        }
    }
    // The constant column gets scale exactly 1, as in sklearn.
    assert_eq!(scales[1], 1.0);
    assert_eq!(mean_and_scale(&[7.0; 8]), (7.0, 1.0));
}

#[test]
fn sample_data_encodes_to_ten_scaled_inputs() {
    let t = sample_traffic(&SampleParams::default()).unwrap();
    let train: Vec<usize> = (0..t.n_rows()).collect();
    let p = Preprocessor::fit(&t, &train, &FeatureParams::default()).unwrap();
    assert_eq!(p.feature_names.len(), 10);
    assert_eq!(p.feature_names[0], "packet_size");
    assert!(!p
        .feature_names
        .iter()
        .any(|n| n == "timestamp" || n == "label"));
    let x = p.transform(&t).unwrap();
    for j in 0..10 {
        let col: Vec<f64> = x.column(j).to_vec();
        let mean = col.iter().sum::<f64>() / col.len() as f64;
        let var = col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / col.len() as f64;
        assert!(mean.abs() < 1e-9 && (var - 1.0).abs() < 1e-9, "column {j}");
    }
}

#[test]
fn categorical_columns_one_hot_with_feature_names() {
    let t = Table::new(vec![
        Column::numeric("bytes", vec![1.0, 2.0, 3.0, 4.0]),
        Column::categorical("service", ["http", "ftp", "http", "smtp"]),
        Column::categorical("label", ["normal", "x", "normal", "normal"]).with_role(Role::Label),
    ])
    .unwrap();
    let params = FeatureParams {
        scale_one_hot: false,
        ..FeatureParams::default()
    };
    let p = Preprocessor::fit(&t, &[0, 1, 2], &params).unwrap();
    assert_eq!(p.feature_names, ["bytes", "service=ftp", "service=http"]);
    let x = p.transform(&t).unwrap();
    assert_eq!(x.row(1).to_vec()[1..], [1.0, 0.0]);
    assert_eq!(x.row(3).to_vec()[1..], [0.0, 0.0]); // smtp unseen in training
}

#[test]
fn scaled_one_hot_is_standardised() {
    let t = Table::new(vec![Column::categorical("p", ["a", "b", "b", "b"])]).unwrap();
    let params = FeatureParams {
        scale_one_hot: true,
        ..FeatureParams::default()
    };
    let p = Preprocessor::fit(&t, &[0, 1, 2, 3], &params).unwrap();
    let x = p.transform(&t).unwrap();
    let col: Vec<f64> = x.column(0).to_vec();
    assert!(col.iter().sum::<f64>().abs() < 1e-12);
}
