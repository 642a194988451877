//! End-to-end runs on the sample data.

use std::ops::ControlFlow;

use netsift::engine::data::{Role, Table, Values};
use netsift::engine::generate::{sample_traffic, SampleParams};
use netsift::engine::models::{AnyParams, DetectorKind};
use netsift::engine::pipeline::{self, RunConfig, TrainingMode};
use netsift::engine::progress::{NoProgress, ProgressEvent, Stage};
use netsift::engine::Error;

pub fn if_only(contamination: f64) -> RunConfig {
    RunConfig {
        detectors: vec![AnyParams::default_for(
            DetectorKind::IsolationForest,
            contamination,
            42,
        )],
        contamination,
        min_votes: 1,
        ..RunConfig::default()
    }
}

fn sample() -> Table {
    sample_traffic(&SampleParams::default()).unwrap()
}

#[test]
fn if_run_flags_about_contamination_rows() {
    let t = sample();
    let (_, r) = pipeline::run(&if_only(0.15), &t, &mut NoProgress).unwrap();
    let flagged = r.is_anomaly.iter().filter(|&&a| a).count();
    assert!((140..=160).contains(&flagged), "{flagged}");
    assert_eq!(r.members.len(), 1);
    assert_eq!(r.n_rows, 1000);
    assert_eq!(r.n_train, 1000);
    let m = r.metrics.unwrap();
    assert!(m.roc_auc > 0.97, "roc {}", m.roc_auc);
    assert!(r.ensemble_score.iter().all(|s| (0.0..=1.0).contains(s)));
}

#[test]
fn same_seed_gives_identical_result() {
    let t = sample();
    let (m1, mut a) = pipeline::run(&if_only(0.1), &t, &mut NoProgress).unwrap();
    let (m2, mut b) = pipeline::run(&if_only(0.1), &t, &mut NoProgress).unwrap();
    a.total_seconds = 0.0;
    b.total_seconds = 0.0;
    for m in a.members.iter_mut().chain(b.members.iter_mut()) {
        m.fit_seconds = 0.0;
        m.score_seconds = 0.0;
    }
    assert_eq!(m1, m2);
    assert_eq!(a, b);
}

#[test]
fn nan_feature_cell_is_imputed_with_warning() {
    let mut t = sample();
    if let Values::Numeric(v) = &mut t.columns[0].values {
        v[3] = f64::NAN;
    }
    let (_, r) = pipeline::run(&if_only(0.15), &t, &mut NoProgress).unwrap();
    assert!(r.members[0].scores[3].is_finite());
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("packet_size") && w.contains("imputed")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn empty_detector_list_names_the_field() {
    let mut c = if_only(0.15);
    c.detectors.clear();
    match pipeline::run(&c, &sample(), &mut NoProgress) {
        Err(Error::Param(p)) => assert_eq!(p.field, "detectors"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn contamination_out_of_range_names_the_field() {
    for bad in [0.0, 0.6, f64::NAN] {
        let c = RunConfig {
            contamination: bad,
            ..if_only(0.15)
        };
        match pipeline::run(&c, &sample(), &mut NoProgress) {
            Err(Error::Param(p)) => assert_eq!(p.field, "contamination"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn zero_min_votes_names_the_field() {
    let c = RunConfig {
        min_votes: 0,
        ..if_only(0.15)
    };
    match pipeline::run(&c, &sample(), &mut NoProgress) {
        Err(Error::Param(p)) => assert_eq!(p.field, "min_votes"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn normal_only_needs_labels() {
    let mut t = sample();
    t.columns.retain(|c| c.role != Role::Label);
    let c = RunConfig {
        training: TrainingMode::NormalOnly,
        ..if_only(0.15)
    };
    assert!(matches!(
        pipeline::run(&c, &t, &mut NoProgress),
        Err(Error::Unsupported(_))
    ));
}

#[test]
fn normal_only_trains_on_normal_rows() {
    let t = sample();
    let c = RunConfig {
        training: TrainingMode::NormalOnly,
        ..if_only(0.05)
    };
    let (model, r) = pipeline::run(&c, &t, &mut NoProgress).unwrap();
    assert_eq!(r.n_train, 850);
    assert_eq!(model.n_train, 850);
    assert!(r.metrics.unwrap().roc_auc > 0.97);
}

#[test]
fn too_few_rows_is_an_input_error() {
    let t = sample_traffic(&SampleParams {
        rows: 5,
        ..SampleParams::default()
    })
    .unwrap();
    assert!(matches!(
        pipeline::run(&if_only(0.15), &t, &mut NoProgress),
        Err(Error::Input(_))
    ));
}

#[test]
fn cancellation_stops_the_run() {
    let mut cancel_at_fit = |e: ProgressEvent| {
        if matches!(e.stage, Stage::Fit(_)) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    assert_eq!(
        pipeline::run(&if_only(0.15), &sample(), &mut cancel_at_fit).unwrap_err(),
        Error::Cancelled
    );
}

#[test]
fn progress_reports_every_stage() {
    let mut stages = Vec::new();
    let mut sink = |e: ProgressEvent| {
        if !stages.contains(&e.stage) {
            stages.push(e.stage);
        }
        ControlFlow::Continue(())
    };
    pipeline::run(&if_only(0.15), &sample(), &mut sink).unwrap();
    let k = DetectorKind::IsolationForest;
    for s in [
        Stage::Preprocess,
        Stage::Fit(k),
        Stage::Score(k),
        Stage::Ensemble,
    ] {
        assert!(stages.contains(&s), "{s:?} missing from {stages:?}");
    }
}

#[test]
fn trained_model_scores_new_data() {
    let t = sample();
    let (model, _) = pipeline::run(&if_only(0.15), &t, &mut NoProgress).unwrap();
    let other = sample_traffic(&SampleParams {
        seed: 7,
        rows: 300,
        ..SampleParams::default()
    })
    .unwrap();
    let r = pipeline::score(&model, &other, &mut NoProgress).unwrap();
    assert_eq!(r.n_rows, 300);
    assert!(r.metrics.unwrap().roc_auc > 0.95);
}

#[test]
fn scoring_without_a_trained_column_names_it() {
    let t = sample();
    let (model, _) = pipeline::run(&if_only(0.15), &t, &mut NoProgress).unwrap();
    let mut other = t.clone();
    other.columns.retain(|c| c.name != "error_rate");
    let e = pipeline::score(&model, &other, &mut NoProgress).unwrap_err();
    assert!(e.to_string().contains("error_rate"), "{e}");
}

#[test]
fn scoring_training_data_reproduces_run_scores() {
    let t = sample();
    let (model, r) = pipeline::run(&if_only(0.15), &t, &mut NoProgress).unwrap();
    let again = pipeline::score(&model, &t, &mut NoProgress).unwrap();
    assert_eq!(r.members[0].scores, again.members[0].scores);
    assert_eq!(r.is_anomaly, again.is_anomaly);
}
