//! The sample-traffic generator.

use netsift::engine::data::{Meaning, Role, Values};
use netsift::engine::generate::{sample_traffic, SampleParams, COLUMNS};

fn numeric<'a>(t: &'a netsift::engine::data::Table, name: &str) -> &'a [f64] {
    match &t.column(name).unwrap().values {
        Values::Numeric(v) => v,
        Values::Categorical { .. } => panic!("{name} is not numeric"),
    }
}

#[test]
fn default_sample_has_the_connection_features_schema() {
    let t = sample_traffic(&SampleParams::default()).unwrap();
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, COLUMNS);
    assert_eq!(t.n_rows(), 1000);
    assert_eq!(t.by_role(Role::Label).unwrap().name, "label");
    assert_eq!(t.by_role(Role::Timestamp).unwrap().name, "timestamp");
    assert_eq!(t.by_meaning(Meaning::SrcPort).unwrap().name, "src_port");
    assert_eq!(t.by_meaning(Meaning::DstPort).unwrap().name, "dst_port");
    assert_eq!(
        t.by_meaning(Meaning::Protocol).unwrap().name,
        "protocol_type"
    );
    assert_eq!(t.features().count(), 10);
}

#[test]
fn same_seed_same_table_other_seed_other_table() {
    let a = sample_traffic(&SampleParams::default()).unwrap();
    let b = sample_traffic(&SampleParams::default()).unwrap();
    assert_eq!(a, b);
    let c = sample_traffic(&SampleParams {
        seed: 43,
        ..SampleParams::default()
    })
    .unwrap();
    assert_ne!(a, c);
}

#[test]
fn values_respect_the_clipping_ranges() {
    let t = sample_traffic(&SampleParams {
        rows: 5000,
        ..SampleParams::default()
    })
    .unwrap();
    let labels = numeric(&t, "label");
    let check = |name: &str, lo: f64, hi: f64| {
        assert!(
            numeric(&t, name).iter().all(|v| (lo..=hi).contains(v)),
            "{name} outside [{lo}, {hi}]"
        );
    };
    check("packet_size", 64.0, 1500.0);
    check("duration", 0.01, 100.0);
    check("src_bytes", 10.0, 100_000.0);
    check("protocol_type", 0.0, 2.0);
    check("flag", 0.0, 5.0);
    check("src_port", 1.0, 65534.0);
    check("packet_rate", 0.1, 1000.0);
    check("error_rate", 0.0, 50.0);
    // The generator's trivial separation: error rate and source port.
    for (i, &l) in labels.iter().enumerate() {
        let (err, sp) = (numeric(&t, "error_rate")[i], numeric(&t, "src_port")[i]);
        if l == 1.0 {
            assert!(err >= 10.0 && sp < 1024.0);
        } else {
            assert!(err <= 5.0 && sp >= 1024.0);
        }
    }
    let normal_mean = {
        let v: Vec<f64> = numeric(&t, "packet_size")
            .iter()
            .zip(labels)
            .filter(|(_, &l)| l == 0.0)
            .map(|(v, _)| *v)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!((normal_mean - 512.0).abs() < 10.0, "{normal_mean}");
}

#[test]
fn anomaly_count_is_floor_of_ratio() {
    for (rows, ratio, want) in [(1000, 0.15, 150), (7, 0.5, 3), (10, 0.0, 0), (1, 0.99, 0)] {
        let t = sample_traffic(&SampleParams {
            rows,
            anomaly_ratio: ratio,
            ..SampleParams::default()
        })
        .unwrap();
        let n = numeric(&t, "label").iter().filter(|&&l| l == 1.0).count();
        assert_eq!(n, want, "{rows} × {ratio}");
    }
}

#[test]
fn zero_duration_puts_every_row_at_start() {
    let t = sample_traffic(&SampleParams {
        rows: 20,
        duration_s: 0.0,
        start: 100.0,
        ..SampleParams::default()
    })
    .unwrap();
    assert!(t.timestamps().unwrap().iter().all(|&s| s == 100.0));
}

#[test]
fn too_many_rows_names_the_field() {
    let e = sample_traffic(&SampleParams {
        rows: 5_000_001,
        ..SampleParams::default()
    })
    .unwrap_err();
    assert_eq!(e.field, "rows");
}
