//! The persisted workspace schema: round trips, migrations, history queries, failure paths.

use netsift::engine::data::{Column, Meaning, Role, Table};
use netsift::engine::ensemble::Severity;
use netsift::engine::feedback::{mark, Verdict};
use netsift::engine::generate::SampleParams;
use netsift::engine::model_file::{export, import, ModelMeta};
use netsift::engine::models::{AnyParams, DetectorKind};
use netsift::engine::pipeline::{self, RunConfig};
use netsift::engine::progress::NoProgress;
use netsift::storage::{
    self, anomaly_records, apply_retention, data_schema, filter_anomalies, filter_runs, load_runs,
    load_workspace, save_run, save_workspace, DataSource, HistoryFilter, MemoryStore,
    ResultSummary, Retention, RunRecord, Settings, StorageError, Store, Workspace, SCHEMA_VERSION,
};

fn flows(n: usize) -> Table {
    let ips: Vec<String> = (0..n).map(|i| format!("10.0.0.{}", i % 4)).collect();
    let bytes: Vec<f64> = (0..n)
        .map(|i| {
            if i % 25 == 3 {
                90_000.0
            } else {
                1_000.0 + (i * 37 % 100) as f64
            }
        })
        .collect();
    let t: Vec<f64> = (0..n).map(|i| 1_000.0 + i as f64).collect();
    Table::new(vec![
        Column::categorical("src_ip", ips)
            .with_role(Role::Ignore)
            .with_meaning(Meaning::SrcIp),
        Column::numeric("bytes", bytes),
        Column::numeric("ts", t).with_role(Role::Timestamp),
    ])
    .unwrap()
}

fn config() -> RunConfig {
    RunConfig {
        detectors: vec![AnyParams::default_for(
            DetectorKind::IsolationForest,
            0.05,
            3,
        )],
        contamination: 0.05,
        min_votes: 1,
        ..RunConfig::default()
    }
}

#[test]
fn workspace_survives_a_store_round_trip_with_its_model() {
    let t = flows(100);
    let (model, result) = pipeline::run(&config(), &t, &mut NoProgress).unwrap();
    let mut feedback = Vec::new();
    mark(
        &mut feedback,
        &t,
        &[3, 28],
        Verdict::TruePositive,
        "exfil",
        5.0,
    );
    let ws = Workspace {
        schema_version: SCHEMA_VERSION,
        id: "w1".into(),
        name: "Monday".into(),
        created: 1.0,
        updated: 2.0,
        source: DataSource::File {
            name: "flows.csv".into(),
            size: 1234,
            format: "CSV".into(),
        },
        schema: data_schema(&t),
        settings: Settings {
            run: config(),
            threshold: Some(0.8),
        },
        model_file: Some(
            String::from_utf8(export(&model, &ModelMeta::default()).unwrap()).unwrap(),
        ),
        summary: Some(ResultSummary::of(&result, None)),
        anomalies: anomaly_records(&t, &result, None, None, None),
        feedback,
        suppressions: Vec::new(),
        run_id: Some("run-1".into()),
    };
    let mut store = MemoryStore::new();
    save_workspace(&mut store, &ws).unwrap();
    let back = load_workspace(&store, "w1").unwrap().unwrap();
    assert_eq!(back, ws);
    let (m, _) = import(back.model_file.unwrap().as_bytes()).unwrap();
    assert_eq!(m, model);
    assert!(back
        .anomalies
        .iter()
        .all(|a| a.src_ip.is_some() && a.time.is_some()));
    assert_eq!(load_workspace(&store, "nope").unwrap(), None);
}

#[test]
fn version_0_document_migrates_to_version_1() {
    let config = serde_json::to_value(RunConfig::default()).unwrap();
    let v0 = serde_json::json!({
        "id": "old", "name": "prototype", "created": 100.0,
        "file_name": "capture.csv", "file_size": 4096,
        "config": config, "threshold": 0.7,
        "feedback": [{"row": 12, "is_false_positive": true, "note": "backup", "at": 150.0}],
        "anomalies": [{"row": 12, "score": 0.93, "votes": 3}]
    });
    let ws = storage::workspace_from_json(&v0.to_string()).unwrap();
    assert_eq!(ws.schema_version, 1);
    assert_eq!(
        ws.source,
        DataSource::File {
            name: "capture.csv".into(),
            size: 4096,
            format: "unknown".into()
        }
    );
    assert_eq!(ws.settings.threshold, Some(0.7));
    assert_eq!(ws.feedback[0].verdict, Verdict::FalsePositive);
    assert_eq!(ws.feedback[0].row_key.row, 12);
    assert_eq!(ws.anomalies[0].severity, Severity::Medium);
    // A key without a hash resolves by index.
    assert_eq!(ws.feedback[0].row_key.resolve(&flows(20)), Some(12));
    // Saving writes the current version.
    let mut store = MemoryStore::new();
    save_workspace(&mut store, &ws).unwrap();
    let text = store.get("workspaces", "old").unwrap().unwrap();
    assert!(text.contains("\"schema_version\":1"));
}

#[test]
fn newer_or_damaged_documents_are_refused_with_a_message() {
    let e = storage::workspace_from_json(r#"{"schema_version": 9, "id": "x"}"#).unwrap_err();
    assert_eq!(
        e,
        StorageError::TooNew {
            found: 9,
            supported: 1
        }
    );
    assert!(e.to_string().contains("newer netsift"));
    let e = storage::workspace_from_json(r#"{"id": 3}"#).unwrap_err();
    assert!(
        matches!(e, StorageError::Migration { from: 0, .. }),
        "{e:?}"
    );
}

#[test]
fn full_and_blocked_storage_say_work_continues_in_memory() {
    let mut store = MemoryStore::new();
    store.quota = Some(10);
    let e = store.put("runs", "a", "x".repeat(11)).unwrap_err();
    assert_eq!(e, StorageError::Full);
    assert!(e.to_string().contains("kept in memory"));
    store.quota = None;
    store.blocked = true;
    let e = store.list("runs").unwrap_err();
    assert!(e.to_string().contains("continues in memory"), "{e}");
}

fn runs() -> Vec<RunRecord> {
    let t = flows(100);
    let (_, result) = pipeline::run(&config(), &t, &mut NoProgress).unwrap();
    let tags: Vec<Vec<String>> = (0..100)
        .map(|i| {
            if i % 2 == 0 {
                vec!["large packet".to_string()]
            } else {
                vec![]
            }
        })
        .collect();
    let src = DataSource::Generated {
        params: SampleParams::default(),
    };
    (0..5)
        .map(|i| {
            RunRecord::new(
                format!("run{i}"),
                "w1",
                86_400.0 * f64::from(i),
                src.clone(),
                &t,
                &result,
                None,
                Some(&tags),
                None,
            )
        })
        .collect()
}

#[test]
fn history_filters_by_time_ip_severity_and_tag() {
    let runs = runs();
    assert!(!runs[0].anomalies.is_empty());
    assert!(!runs[0].source_ips.is_empty());
    let f = HistoryFilter {
        from: Some(86_400.0),
        to: Some(3.0 * 86_400.0),
        ..HistoryFilter::default()
    };
    let ids: Vec<&str> = filter_runs(&runs, &f)
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, vec!["run3", "run2", "run1"]);
    let ip = runs[0].anomalies[0].src_ip.clone().unwrap();
    let f = HistoryFilter {
        src_ip: Some(ip.clone()),
        ..HistoryFilter::default()
    };
    assert!(filter_anomalies(&runs[0], &f)
        .iter()
        .all(|a| a.src_ip.as_deref() == Some(ip.as_str())));
    let f = HistoryFilter {
        src_ip: Some("192.0.2.1".into()),
        ..HistoryFilter::default()
    };
    assert!(filter_runs(&runs, &f).is_empty());
    let f = HistoryFilter {
        severities: vec![Severity::Low],
        tag: Some("large packet".into()),
        ..HistoryFilter::default()
    };
    let a = filter_anomalies(&runs[0], &f);
    assert!(a
        .iter()
        .all(|a| a.key.row % 2 == 0 && a.severity == Severity::Low));
}

#[test]
fn retention_keeps_the_newest_and_drops_the_old() {
    let runs = runs();
    let mut store = MemoryStore::new();
    for r in &runs {
        save_run(&mut store, r).unwrap();
    }
    let keep3 = Retention {
        keep_last: Some(3),
        max_age_days: None,
    };
    assert_eq!(storage::expired(&runs, &keep3, 0.0), vec!["run0", "run1"]);
    let age = Retention {
        keep_last: None,
        max_age_days: Some(1.5),
    };
    // now = day 4: runs older than 1.5 days (day 0, 1, 2) go.
    let dropped = apply_retention(&mut store, &age, 4.0 * 86_400.0).unwrap();
    assert_eq!(dropped, vec!["run0", "run1", "run2"]);
    let (left, bad) = load_runs(&store).unwrap();
    assert_eq!(bad, 0);
    assert_eq!(
        left.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        vec!["run3", "run4"]
    );
}

/// A run saved under the analyst's threshold stores the anomalies the results view shows under
/// it (`analysis::summary`), not the vote decision's, and keeps the threshold.
#[test]
fn run_record_counts_anomalies_under_the_chosen_threshold() {
    use netsift::analysis::summary::{is_flagged, shown_severity, Summary};
    let t = flows(100);
    let (_, result) = pipeline::run(&config(), &t, &mut NoProgress).unwrap();
    let votes = result.is_anomaly.iter().filter(|a| **a).count();
    // A threshold below the lowest flagged score flags more rows than the vote.
    let lowest = netsift::analysis::summary::vote_equivalent(&result).unwrap();
    let mut sorted: Vec<f64> = result.ensemble_score.clone();
    sorted.sort_by(f64::total_cmp);
    let threshold = sorted.iter().rev().copied().find(|&s| s < lowest).unwrap();
    let src = DataSource::Generated {
        params: SampleParams::default(),
    };
    let run = RunRecord::new("r", "w", 1.0, src, &t, &result, Some(threshold), None, None);
    let shown = Summary::of(&result, Some(threshold));
    assert!(shown.anomalies > votes, "{} vs {votes}", shown.anomalies);
    assert_eq!(run.summary.n_anomalies, shown.anomalies);
    assert_eq!(run.summary.threshold, Some(threshold));
    let by = &run.summary.by_severity;
    assert_eq!([by.low, by.medium, by.high], shown.by_severity);
    assert_eq!(run.anomalies.len(), shown.anomalies);
    for a in &run.anomalies {
        let row = usize::try_from(a.key.row).unwrap();
        assert!(is_flagged(&result, Some(threshold), row));
        assert_eq!(a.severity, shown_severity(&result, Some(threshold), row));
        assert_ne!(a.severity, Severity::None);
    }
    // Without a threshold: the vote decision, as before.
    let vote = ResultSummary::of(&result, None);
    assert_eq!((vote.n_anomalies, vote.threshold), (votes, None));
    // Round trip through the store keeps the threshold; old documents read as `None`.
    let mut store = MemoryStore::new();
    save_run(&mut store, &run).unwrap();
    let (back, _) = load_runs(&store).unwrap();
    assert_eq!(back[0], run);
    let mut old = serde_json::to_value(&run).unwrap();
    old["summary"].as_object_mut().unwrap().remove("threshold");
    let old: RunRecord = serde_json::from_value(old).unwrap();
    assert_eq!(old.summary.threshold, None);
}
