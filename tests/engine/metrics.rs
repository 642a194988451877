//! Metrics against scikit-learn 1.7.2 (`tests/fixtures/sklearn/metrics.json`, made by
//! `metrics.py` beside it).

use netsift::engine::metrics::{self, Confusion, Metrics, MAX_CURVE_POINTS};
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sklearn/metrics.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn bools(v: &Value) -> Vec<bool> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap() == 1)
        .collect()
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-12, "{what}: ours {a}, sklearn {b}");
}

#[test]
fn metrics_match_sklearn_exactly() {
    let f = fixture();
    let cases = f["cases"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let y = bools(&c["labels"]);
        let s = floats(&c["scores"]);
        let p = bools(&c["predicted"]);
        let m = Metrics::compute(&y, &p, &s);
        let want = Confusion {
            tp: c["tp"].as_u64().unwrap() as usize,
            fp: c["fp"].as_u64().unwrap() as usize,
            tn: c["tn"].as_u64().unwrap() as usize,
            fn_: c["fn"].as_u64().unwrap() as usize,
        };
        assert_eq!(m.confusion, want, "{name}");
        close(m.accuracy, c["accuracy"].as_f64().unwrap(), name);
        close(m.precision, c["precision"].as_f64().unwrap(), name);
        close(m.recall, c["recall"].as_f64().unwrap(), name);
        close(m.f1, c["f1"].as_f64().unwrap(), name);
        close(m.roc_auc, c["roc_auc"].as_f64().unwrap(), name);
        close(m.pr_auc, c["average_precision"].as_f64().unwrap(), name);
    }
}

#[test]
fn curves_are_monotone_and_bounded() {
    let f = fixture();
    for c in f["cases"].as_array().unwrap() {
        let y = bools(&c["labels"]);
        let s = floats(&c["scores"]);
        let roc = metrics::roc_curve(&y, &s);
        assert_eq!(roc.first(), Some(&(0.0, 0.0)));
        assert_eq!(roc.last(), Some(&(1.0, 1.0)));
        assert!(roc.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1));
        let m = Metrics::compute(&y, &vec![false; y.len()], &s);
        assert!(m.roc_curve.len() <= MAX_CURVE_POINTS);
        assert!(m.pr_curve.len() <= MAX_CURVE_POINTS);
        assert!(m
            .pr_curve
            .iter()
            .all(|&(r, p)| (0.0..=1.0).contains(&r) && (0.0..=1.0).contains(&p)));
    }
}

#[test]
fn large_curves_are_thinned_but_areas_use_every_point() {
    let n = 20_000;
    let y: Vec<bool> = (0..n).map(|i| i % 7 == 0).collect();
    let s: Vec<f64> = (0..n).map(|i| ((i * 7919) % 10_007) as f64).collect();
    let m = Metrics::compute(&y, &vec![false; n], &s);
    assert!(m.roc_curve.len() <= MAX_CURVE_POINTS);
    assert!((m.roc_auc - metrics::roc_auc(&y, &s)).abs() == 0.0);
}
