//! CSV and JSON exports.

use netsift::engine::data::{Column, Role, Table};
use netsift::engine::generate::{sample_traffic, SampleParams};
use netsift::engine::pipeline;
use netsift::engine::progress::NoProgress;
use netsift::engine::report::{self, Selection};

use crate::pipeline::if_only;

fn read(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(bytes);
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[test]
fn anomaly_csv_has_inputs_votes_scores_and_decisions() {
    let t = sample_traffic(&SampleParams::default()).unwrap();
    let (_, r) = pipeline::run(&if_only(0.15), &t, &mut NoProgress).unwrap();
    let bytes = report::anomalies_csv(&t, &r, Selection::Decision).unwrap();
    let (header, rows) = read(&bytes);
    assert_eq!(header[0], "packet_size");
    let tail: Vec<&str> = header[header.len() - 5..]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail,
        [
            "votes",
            "score_isolation_forest",
            "ensemble_score",
            "severity",
            "confidence"
        ]
    );
    assert_eq!(rows.len(), r.is_anomaly.iter().filter(|&&a| a).count());
    assert!(rows.iter().all(|row| row[header.len() - 2] == "low"));
    // Numbers round-trip exactly.
    let first = r.is_anomaly.iter().position(|&a| a).unwrap();
    let s: f64 = rows[0][header.len() - 3].parse().unwrap();
    assert_eq!(s, r.ensemble_score[first]);
}

#[test]
fn formula_text_cells_are_escaped_but_negative_numbers_are_not() {
    let t = Table::new(vec![
        Column::numeric("x", vec![-3.5, 2.0]),
        Column::categorical("note", ["=HYPERLINK(\"http://x\")", "ok"]),
        Column::numeric("label", vec![1.0, 0.0]).with_role(Role::Label),
    ])
    .unwrap();
    let bytes = report::table_csv(&t);
    let (header, rows) = read(&bytes);
    assert_eq!(header, ["x", "note", "label"]);
    assert_eq!(rows[0][0], "-3.5");
    assert_eq!(rows[0][1], "'=HYPERLINK(\"http://x\")");
    assert_eq!(rows[1][1], "ok");
}

#[test]
fn sample_csv_round_trips() {
    let t = sample_traffic(&SampleParams {
        rows: 50,
        ..SampleParams::default()
    })
    .unwrap();
    let (header, rows) = read(&report::to_csv(&t));
    assert_eq!(header.len(), 12);
    assert_eq!(rows.len(), 50);
    for (j, col) in t.columns.iter().enumerate() {
        if let netsift::engine::data::Values::Numeric(v) = &col.values {
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(row[j].parse::<f64>().unwrap(), v[i], "{} row {i}", col.name);
            }
        }
    }
}

#[test]
fn json_writes_nan_as_null() {
    let t = sample_traffic(&SampleParams {
        rows: 100,
        anomaly_ratio: 0.0,
        ..SampleParams::default()
    })
    .unwrap();
    let (_, r) = pipeline::run(&if_only(0.1), &t, &mut NoProgress).unwrap();
    assert!(r.metrics.as_ref().unwrap().roc_auc.is_nan());
    let json = report::result_json(&r).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["metrics"]["roc_auc"].is_null());
}
