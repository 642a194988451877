//! Feedback, suppression and retraining.

use netsift::engine::data::{Column, Meaning, Role, Table, Values};
use netsift::engine::explain::explain_row;
use netsift::engine::feedback::{
    apply_suppressions, feedback_stats, mark, retrain_with_feedback, suppress_similar, Feedback,
    Verdict,
};
use netsift::engine::ingest::{read_table, IngestOptions};
use netsift::engine::models::{AnyParams, LofParams};
use netsift::engine::pipeline::{self, RunConfig, TrainingMode};
use netsift::engine::progress::NoProgress;
use netsift::engine::rng;
use netsift::engine::Error;

const N_NORMAL: usize = 200;
const CLUSTER: std::ops::Range<usize> = 200..208;
const ATTACKS: std::ops::Range<usize> = 208..214;

/// 200 normal rows N(0, 1)²; 8 unlabelled rows on a small circle at (8, 8) (rare but benign:
/// a backup job); 6 scattered attacks.
fn crafted() -> Table {
    let mut r = rng::seeded(7);
    let (mut x, mut y, mut label) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..N_NORMAL {
        x.push(rng::standard_normal(&mut r));
        y.push(rng::standard_normal(&mut r));
        label.push("normal");
    }
    for i in 0..8 {
        let a = std::f64::consts::TAU * f64::from(i) / 8.0;
        x.push(8.0 + 0.3 * netsift::engine::math::cos(a));
        y.push(8.0 + 0.3 * netsift::engine::math::cos(a - std::f64::consts::FRAC_PI_2));
        label.push("");
    }
    for (a, b) in [
        (-10.0, 5.0),
        (10.0, -9.0),
        (0.0, 15.0),
        (-12.0, -12.0),
        (15.0, 0.0),
        (5.0, -14.0),
    ] {
        x.push(a);
        y.push(b);
        label.push("attack");
    }
    Table::new(vec![
        // Not "x" / "y": the ingest takes a column named "y" for the label.
        Column::numeric("pos_x", x),
        Column::numeric("pos_y", y),
        Column::categorical("label", label).with_role(Role::Label),
    ])
    .unwrap()
}

fn lof_config(k: usize, training: TrainingMode) -> RunConfig {
    RunConfig {
        detectors: vec![AnyParams::Lof(LofParams {
            n_neighbors: k,
            ..LofParams::default()
        })],
        contamination: 0.05,
        min_votes: 1,
        training,
        ..RunConfig::default()
    }
}

#[test]
fn retraining_with_false_positives_clears_exactly_them() {
    let t = crafted();
    let config = lof_config(5, TrainingMode::NormalOnly);
    let (_, before) = pipeline::run(&config, &t, &mut NoProgress).unwrap();
    for r in CLUSTER.chain(ATTACKS) {
        assert!(before.is_anomaly[r], "row {r} should start flagged");
    }
    let mut feedback = Vec::new();
    let cluster: Vec<usize> = CLUSTER.collect();
    mark(
        &mut feedback,
        &t,
        &cluster,
        Verdict::FalsePositive,
        "backup job",
        1.0,
    );
    let attacks: Vec<usize> = ATTACKS.collect();
    mark(&mut feedback, &t, &attacks, Verdict::TruePositive, "", 2.0);
    let kept = feedback.clone();

    let (_, after, diff) = retrain_with_feedback(&config, &t, &before, &feedback).unwrap();
    assert_eq!(feedback, kept, "feedback is never consumed");
    assert_eq!(diff.cleared, cluster);
    assert_eq!(diff.plan.added_as_normal, cluster);
    assert!(
        diff.plan.removed.is_empty(),
        "attacks were never training rows"
    );
    assert!(diff.false_positives_still_flagged.is_empty());
    assert!(diff.true_positives_lost.is_empty());
    for r in ATTACKS {
        assert!(after.is_anomaly[r]);
    }
    // Normal rows keep their LOF (the new rows are far away); the threshold moves by one rank,
    // so at most one normal row crosses it.
    assert!(diff.newly_flagged.len() <= 1, "{:?}", diff.newly_flagged);
    assert!(diff.newly_flagged.iter().all(|&r| r < N_NORMAL));
    assert_eq!(diff.train_rows_after, N_NORMAL + 8);
    assert!(diff.metrics.is_some());
    assert_eq!(
        diff.anomalies_after,
        diff.anomalies_before - 8 + diff.newly_flagged.len()
    );
}

#[test]
fn too_few_rows_after_feedback_names_the_binding_minimum() {
    let t = crafted().select_rows(&(190..214).collect::<Vec<_>>());
    let config = lof_config(20, TrainingMode::AllRows);
    let (_, before) = pipeline::run(&config, &t, &mut NoProgress).unwrap();
    let mut feedback = Vec::new();
    mark(
        &mut feedback,
        &t,
        &(10..24).collect::<Vec<_>>(),
        Verdict::TruePositive,
        "",
        1.0,
    );
    let e = retrain_with_feedback(&config, &t, &before, &feedback).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, Error::Input(_)), "{e:?}");
    assert_eq!(
        msg,
        "LOF with k = 20 (after removing 14 confirmed attack(s) and adding 0 confirmed false positive(s)) needs at least 21 rows, found 10"
    );
}

fn flows() -> Table {
    let n = 60;
    let proto: Vec<&str> = (0..n)
        .map(|i| if i % 20 == 0 { "icmp" } else { "tcp" })
        .collect();
    let bytes: Vec<f64> = (0..n)
        .map(|i| {
            if i % 20 == 0 {
                40_000.0 + f64::from(i)
            } else {
                3_000.0 + f64::from(i * 7 % 50)
            }
        })
        .collect();
    let dur: Vec<f64> = (0..n).map(|i| 1.0 + f64::from(i % 5)).collect();
    Table::new(vec![
        Column::categorical("protocol_type", proto).with_meaning(Meaning::Protocol),
        Column::numeric("dst_bytes", bytes),
        Column::numeric("duration", dur),
    ])
    .unwrap()
}

#[test]
fn suppress_similar_labels_matching_alerts_without_dropping_them() {
    let t = flows();
    let config = RunConfig {
        detectors: vec![AnyParams::Lof(LofParams {
            n_neighbors: 5,
            ..LofParams::default()
        })],
        contamination: 0.05,
        min_votes: 1,
        ..RunConfig::default()
    };
    let (m, r) = pipeline::run(&config, &t, &mut NoProgress).unwrap();
    assert!(r.is_anomaly[0] && r.is_anomaly[20] && r.is_anomaly[40]);
    let e = explain_row(&m, &t, &r, 20).unwrap();
    let rule = suppress_similar(&t, 20, &e);
    assert!(rule.enabled);
    assert_eq!(rule.conditions[0].column, "protocol_type");
    assert!(
        rule.conditions.iter().any(|c| c.column == "dst_bytes"),
        "{rule:?}"
    );
    let labels = apply_suppressions(&t, &r, std::slice::from_ref(&rule));
    assert_eq!(labels.len(), t.n_rows());
    for row in [0, 20, 40] {
        assert_eq!(
            labels[row].as_deref(),
            Some(rule.id.as_str()),
            "{}",
            rule.name
        );
    }
    assert!(labels
        .iter()
        .enumerate()
        .all(|(i, l)| l.is_none() || r.is_anomaly[i]));
}

#[test]
fn feedback_statistics_count_reviewed_alerts() {
    let t = flows();
    let config = RunConfig {
        detectors: vec![AnyParams::Lof(LofParams {
            n_neighbors: 5,
            ..LofParams::default()
        })],
        contamination: 0.05,
        min_votes: 1,
        ..RunConfig::default()
    };
    let (_, r) = pipeline::run(&config, &t, &mut NoProgress).unwrap();
    let flagged: Vec<usize> = (0..r.n_rows).filter(|&i| r.is_anomaly[i]).collect();
    let mut f: Vec<Feedback> = Vec::new();
    mark(&mut f, &t, &flagged[..2], Verdict::TruePositive, "", 1.0);
    mark(&mut f, &t, &flagged[2..3], Verdict::FalsePositive, "", 1.0);
    let s = feedback_stats(&t, &r, &f);
    assert_eq!(s.anomalies, flagged.len());
    assert_eq!((s.true_positives, s.false_positives), (2, 1));
    assert_eq!(s.unreviewed, flagged.len() - 3);
    assert_eq!(s.reviewed_precision, Some(2.0 / 3.0));
}

/// `crafted()` as the CSV the e2e spec uploads: `pos_x,pos_y,label`, floats in Rust's shortest
/// round-trip form, the cluster's label left empty.
fn crafted_csv(t: &Table) -> String {
    let num = |name: &str| match t.column(name).map(|c| &c.values) {
        Some(Values::Numeric(v)) => v.clone(),
        other => panic!("{name}: {other:?}"),
    };
    let (x, y) = (num("pos_x"), num("pos_y"));
    let label = t.column("label").expect("label column");
    let mut out = String::from("pos_x,pos_y,label\n");
    for i in 0..t.n_rows() {
        out.push_str(&format!("{},{},{}\n", x[i], y[i], label.values.display(i)));
    }
    out
}

/// The configuration the e2e spec picks in the Train panel: the page's defaults with LOF the
/// only detector, k = 5, expected anomaly share 5 %, trained on rows labelled normal.
fn ui_config() -> RunConfig {
    let mut c = RunConfig::default();
    c.detectors.retain(|p| matches!(p, AnyParams::Lof(_)));
    for p in &mut c.detectors {
        if let AnyParams::Lof(l) = p {
            l.n_neighbors = 5;
        }
    }
    c.contamination = 0.05;
    c.training = TrainingMode::NormalOnly;
    c
}

fn flagged(r: &netsift::engine::pipeline::RunResult) -> Vec<usize> {
    (0..r.n_rows).filter(|&i| r.is_anomaly[i]).collect()
}

/// tests/fixtures/feedback/crafted.csv is `crafted()`, read back by the ingest as the same
/// table; expected.json is the engine's result on it with the spec's settings (before and
/// after retraining with the cluster marked false positive and the attacks true positive).
/// The retrain spec (tests/e2e/specs/retrain.mjs) checks the page against it.
/// `NETSIFT_BLESS=1` rewrites both.
#[test]
fn the_e2e_retrain_fixture_is_crafted_and_its_expected_rows_hold() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feedback");
    let t = crafted();
    let csv = crafted_csv(&t);

    // The upload is the same table: same numbers bit for bit, same labels, label role guessed.
    let read = read_table("crafted.csv", csv.as_bytes(), &IngestOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let u = read.table;
    assert_eq!(u.n_rows(), t.n_rows());
    for name in ["pos_x", "pos_y"] {
        let (a, b) = (
            &t.column(name).unwrap().values,
            &u.column(name).unwrap().values,
        );
        match (a, b) {
            (Values::Numeric(a), Values::Numeric(b)) => {
                assert!(
                    a.iter().zip(b).all(|(p, q)| p.to_bits() == q.to_bits()),
                    "{name} differs"
                )
            }
            _ => panic!("{name} was not read as a numeric column"),
        }
    }
    let lu = u.column("label").expect("label column read");
    assert_eq!(
        lu.role,
        Role::Label,
        "the label column is found by its name"
    );
    let lt = t.column("label").unwrap();
    assert!(
        (0..t.n_rows()).all(|i| lt.values.display(i) == lu.values.display(i)),
        "labels differ"
    );
    assert_eq!(t.labels(), u.labels(), "same normal / not-normal labels");

    // The page's settings give the native test's result, on the uploaded table.
    let config = ui_config();
    let (_, native) = pipeline::run(
        &lof_config(5, TrainingMode::NormalOnly),
        &t,
        &mut NoProgress,
    )
    .unwrap();
    let (_, before) = pipeline::run(&config, &u, &mut NoProgress).unwrap();
    assert_eq!(native.is_anomaly, before.is_anomaly);

    let mut feedback = Vec::new();
    let cluster: Vec<usize> = CLUSTER.collect();
    let attacks: Vec<usize> = ATTACKS.collect();
    mark(&mut feedback, &u, &cluster, Verdict::FalsePositive, "", 1.0);
    mark(&mut feedback, &u, &attacks, Verdict::TruePositive, "", 2.0);
    let (_, after, diff) = retrain_with_feedback(&config, &u, &before, &feedback).unwrap();
    assert_eq!(diff.cleared, cluster);
    assert!(diff.newly_flagged.len() <= 1 && diff.newly_flagged.iter().all(|&r| r < N_NORMAL));
    let expected = serde_json::json!({
        "rows": u.n_rows(),
        "normal_rows": N_NORMAL,
        "cluster": cluster,
        "attacks": attacks,
        "k": 5,
        "contamination": 0.05,
        "flagged_before": flagged(&before),
        "flagged_after": flagged(&after),
        "cleared": diff.cleared,
        "newly_flagged": diff.newly_flagged,
        "anomalies_before": diff.anomalies_before,
        "anomalies_after": diff.anomalies_after,
        "train_rows_before": diff.train_rows_before,
        "train_rows_after": diff.train_rows_after,
    });
    let text = serde_json::to_string_pretty(&expected).unwrap() + "\n";
    println!("{text}");
    if std::env::var_os("NETSIFT_BLESS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("crafted.csv"), &csv).unwrap();
        std::fs::write(dir.join("expected.json"), &text).unwrap();
    }
    let stored = std::fs::read_to_string(dir.join("crafted.csv")).unwrap();
    assert_eq!(stored, csv, "crafted() changed: rerun with NETSIFT_BLESS=1");
    let stored = std::fs::read_to_string(dir.join("expected.json")).unwrap();
    assert_eq!(stored, text, "rerun with NETSIFT_BLESS=1");
}

/// Training on every row, verdicts on a few attacks and a few normal rows take the unreviewed
/// rows like the attacks out of training too (the feedback head); training on normal rows only,
/// they do not (those rows are labelled already).
#[test]
fn verdicts_take_rows_like_the_confirmed_attacks_out_of_dirty_training() {
    use netsift::engine::feedback::{plan_retrain, MIN_HEAD_VERDICTS};
    use netsift::engine::generate::{sample_traffic, SampleParams};
    let t = sample_traffic(&SampleParams {
        rows: 600,
        ..Default::default()
    })
    .unwrap();
    let labels = t.labels().unwrap();
    let attacks: Vec<usize> = (0..600).filter(|&r| labels[r] == Some(true)).collect();
    let normal: Vec<usize> = (0..600).filter(|&r| labels[r] == Some(false)).collect();
    let mut feedback = Vec::new();
    mark(
        &mut feedback,
        &t,
        &attacks[..10],
        Verdict::TruePositive,
        "",
        1.0,
    );
    mark(
        &mut feedback,
        &t,
        &normal[..10],
        Verdict::FalsePositive,
        "",
        1.0,
    );
    let config = lof_config(5, TrainingMode::AllRows);
    let plan = plan_retrain(&config, &t, &feedback).unwrap();
    assert_eq!(plan.removed.len(), 10);
    let kept_attacks = plan
        .train_rows
        .iter()
        .filter(|&&r| labels[r] == Some(true))
        .count();
    assert!(plan.similar_removed > 0);
    assert!(
        kept_attacks * 4 < attacks.len() - 10,
        "{kept_attacks} of {} unreviewed attacks still train",
        attacks.len() - 10
    );
    let kept_normal = plan.train_rows.len() - kept_attacks;
    assert!(
        kept_normal * 10 >= normal.len() * 9,
        "{kept_normal} normal rows kept"
    );

    // Too few verdicts of one kind: only the reviewed rows change.
    let mut few = Vec::new();
    mark(&mut few, &t, &attacks[..10], Verdict::TruePositive, "", 1.0);
    mark(
        &mut few,
        &t,
        &normal[..MIN_HEAD_VERDICTS - 1],
        Verdict::FalsePositive,
        "",
        1.0,
    );
    assert_eq!(plan_retrain(&config, &t, &few).unwrap().similar_removed, 0);
    // Normal-only training: the labels already chose the rows.
    let config = lof_config(5, TrainingMode::NormalOnly);
    assert_eq!(
        plan_retrain(&config, &t, &feedback)
            .unwrap()
            .similar_removed,
        0
    );
}
