//! The analysis views (`analysis::views`): PCA against scikit-learn, invariants on a real run, and
//! the timing on NSL-KDD (ignored: needs the data set).
//!
//! `cargo test --release --no-default-features --test engine -- --ignored views_nsl_kdd --nocapture`

use std::time::Instant;

use netsift::analysis::views;
use netsift::engine::data::{Column, Table};
use netsift::engine::features::{FeatureParams, Preprocessor};
use netsift::engine::generate::{sample_traffic, SampleParams};
use netsift::engine::pipeline::{self, RunConfig};
use netsift::engine::progress::NoProgress;

#[derive(serde::Deserialize)]
struct PcaFixture {
    columns: Vec<String>,
    x: Vec<Vec<f64>>,
    explained_variance_ratio: Vec<f64>,
    components: Vec<Vec<f64>>,
    projection: Vec<Vec<f64>>,
}

#[test]
fn pca_matches_scikit_learn() {
    let f: PcaFixture = serde_json::from_str(include_str!("../fixtures/sklearn/pca.json")).unwrap();
    let columns = f
        .columns
        .iter()
        .enumerate()
        .map(|(j, name)| Column::numeric(name.clone(), f.x.iter().map(|r| r[j]).collect()))
        .collect();
    let table = Table::new(columns).unwrap();
    let n = table.n_rows();
    let all: Vec<usize> = (0..n).collect();
    let pre =
        Preprocessor::fit(&table, &all, &FeatureParams::default().for_training(false)).unwrap();
    // Every row normal: all of them are projected (n < the point cap), in row order.
    let p = views::projection(&table, &pre, &vec![false; n])
        .unwrap()
        .unwrap();
    assert_eq!(p.rows, (0..n as u32).collect::<Vec<_>>());
    for k in 0..2 {
        assert!(
            (p.explained[k] - f.explained_variance_ratio[k]).abs() < 1e-9,
            "explained share {k}: {} vs {}",
            p.explained[k],
            f.explained_variance_ratio[k]
        );
        for (a, b) in p.components[k].iter().zip(&f.components[k]) {
            assert!((a - b).abs() < 1e-9, "loading {a} vs {b}");
        }
    }
    for (i, want) in f.projection.iter().enumerate() {
        assert!((p.x[i] - want[0]).abs() < 1e-8 && (p.y[i] - want[1]).abs() < 1e-8);
    }
}

#[test]
fn views_of_a_sample_run_are_consistent() {
    let table = sample_traffic(&SampleParams::default()).unwrap();
    let (model, result) = pipeline::run(&RunConfig::default(), &table, &mut NoProgress).unwrap();
    let v = views::compute(&table, &model.preprocessor, &result).unwrap();
    let n = table.n_rows();
    assert_eq!(v.vote_counts.iter().sum::<usize>(), n);
    assert_eq!(v.vote_counts.len(), result.members.len() + 1);
    let flagged = result.is_anomaly.iter().filter(|&&a| a).count();
    let at_least_k: usize = v.vote_counts[result.min_votes..].iter().sum();
    assert_eq!(at_least_k, flagged, "rows with ≥ min_votes = the anomalies");
    assert!(!v.histograms.is_empty() && v.histograms.len() <= views::MAX_HISTOGRAMS);
    for h in &v.histograms {
        assert_eq!(h.total(), n, "{}: every row counted once", h.name);
        let anomalous: usize =
            h.anomalous.iter().sum::<usize>() + h.below[1] + h.above[1] + h.other[1] + h.missing[1];
        assert_eq!(anomalous, flagged, "{}", h.name);
    }
    assert!(v
        .histograms
        .windows(2)
        .all(|w| w[0].separation >= w[1].separation));
    let truth = v.truth.as_ref().expect("the sample has labels");
    assert_eq!(truth.len(), n);
    let p = v.projection.as_ref().unwrap();
    assert_eq!(p.rows.len(), n.min(views::PCA_MAX_POINTS));
    assert!(p.explained[0] >= p.explained[1] && p.explained[0] + p.explained[1] <= 1.0 + 1e-12);
    let c = v.correlation.as_ref().unwrap();
    let k = c.names.len();
    for i in 0..k {
        assert_eq!(c.get(i, i), 1.0);
        for j in 0..k {
            assert_eq!(c.get(i, j), c.get(j, i));
        }
    }
    // Deterministic.
    assert_eq!(
        views::compute(&table, &model.preprocessor, &result).unwrap(),
        v
    );
}

/// CPU time of this thread in seconds (Linux; NaN elsewhere).
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |ns| ns / 1e9)
}

/// NSL-KDD directory (`NSL_KDD_DIR` overrides `../shared/data/nsl-kdd`).
fn kdd_dir() -> String {
    std::env::var("NSL_KDD_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/nsl-kdd").into())
}

#[test]
#[ignore = "needs ../shared/data/nsl-kdd; run in release"]
fn views_nsl_kdd() {
    let dir = kdd_dir();
    let mut bytes = std::fs::read(format!("{dir}/KDDTrain+.txt")).expect("KDDTrain+.txt");
    bytes.extend(std::fs::read(format!("{dir}/KDDTest+.txt")).expect("KDDTest+.txt"));
    let table = netsift::engine::ingest::read_any("KDD+.txt", &bytes, &Default::default())
        .unwrap()
        .table;
    let mut config = RunConfig::default();
    config
        .detectors
        .retain(|p| p.kind() == netsift::engine::models::DetectorKind::IsolationForest);
    let (model, result) = pipeline::run(&config, &table, &mut NoProgress).unwrap();
    let t = Instant::now();
    let _ = views::histograms(&table, &result.is_anomaly);
    let t_hist = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let _ = views::projection(&table, &model.preprocessor, &result.is_anomaly).unwrap();
    let t_pca = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let _ = views::correlation(&table);
    let t_corr = t.elapsed().as_secs_f64();
    println!("parts: histograms {t_hist:.3} s, PCA {t_pca:.3} s, correlation {t_corr:.3} s");
    let (t, cpu) = (Instant::now(), cpu_s());
    let v = views::compute(&table, &model.preprocessor, &result).unwrap();
    let (secs, cpu) = (t.elapsed().as_secs_f64(), cpu_s() - cpu);
    let bytes = postcard::to_allocvec(&v).unwrap().len();
    println!(
        "views on {} rows × {} model inputs: {:.3} s wall, {cpu:.3} s CPU, {} histograms, PCA {} points ({:.1} % + {:.1} %), \
         correlation {}×{}, {} KiB encoded",
        table.n_rows(),
        model.preprocessor.width(),
        secs,
        v.histograms.len(),
        v.projection.as_ref().map_or(0, |p| p.rows.len()),
        v.projection.as_ref().map_or(0.0, |p| p.explained[0] * 100.0),
        v.projection.as_ref().map_or(0.0, |p| p.explained[1] * 100.0),
        v.correlation.as_ref().map_or(0, |c| c.names.len()),
        v.correlation.as_ref().map_or(0, |c| c.names.len()),
        bytes / 1024
    );
    // CPU time: the machine may be shared, so wall time overstates.
    assert!(cpu < 1.0, "views took {cpu:.3} s of CPU ({secs:.3} s wall)");
}
