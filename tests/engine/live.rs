//! Live mode: the simulator's ground truth, the rules and the model on the stream, bounded state.

use std::collections::BTreeSet;

use netsift::engine::live::{
    AlertOrigin, LiveSession, LiveSource, ModelStatus, SimParams, Simulator, Truth,
};
use netsift::engine::models::{AnyParams, DetectorKind};
use netsift::engine::pipeline::RunConfig;

/// Isolation Forest only: fast enough for long simulated runs in debug builds.
pub fn fast_config() -> RunConfig {
    RunConfig {
        detectors: vec![AnyParams::default_for(
            DetectorKind::IsolationForest,
            0.15,
            42,
        )],
        min_votes: 1,
        ..RunConfig::default()
    }
}

fn run(
    params: SimParams,
    seconds: usize,
    config: RunConfig,
) -> (Vec<netsift::engine::live::LiveAlert>, u64, u64) {
    let (mut s, _) = LiveSession::start(LiveSource::Simulator(params), config, None, None).unwrap();
    let mut alerts = Vec::new();
    let (mut flows, mut anomalies) = (0, 0);
    for _ in 0..seconds * 4 {
        let b = s.tick(0.25, None);
        alerts.extend(b.alerts);
        flows = b.flows_total;
        anomalies = b.anomalies_total;
    }
    (alerts, flows, anomalies)
}

#[test]
fn simulator_is_deterministic_and_ordered() {
    let p = SimParams {
        rate: 200.0,
        ..SimParams::default()
    };
    let mut a = Simulator::new(p.clone()).unwrap();
    let mut b = Simulator::new(p).unwrap();
    let fa: Vec<_> = (0..40).flat_map(|_| a.advance(0.5)).collect();
    let fb: Vec<_> = (0..20).flat_map(|_| b.advance(1.0)).collect();
    assert_eq!(fa.len(), fb.len());
    assert_eq!(
        fa, fb,
        "slicing the stream differently gives the same flows"
    );
    assert!(fa.windows(2).all(|w| w[0].record.ts <= w[1].record.ts));
    assert!(fa.iter().enumerate().all(|(i, f)| f.record.row == i));
    // ≈ 200 flows/s of background plus the first bursts.
    assert!((3500..5200).contains(&fa.len()), "{}", fa.len());
    let kinds: BTreeSet<Truth> = fa.iter().map(|f| f.truth).collect();
    for k in [
        Truth::Normal,
        Truth::SuspiciousPort,
        Truth::LargePacket,
        Truth::LongDuration,
        Truth::UnknownProtocol,
        Truth::UnusualSize,
        Truth::PortScan,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing");
    }
}

#[test]
fn simulator_rejects_rates_outside_the_range() {
    for rate in [0.1, 1001.0, f64::NAN] {
        let e = Simulator::new(SimParams {
            rate,
            ..SimParams::default()
        })
        .unwrap_err();
        assert_eq!(e.field, "rate");
    }
    assert!(Simulator::new(SimParams {
        rate: 0.5,
        ..SimParams::default()
    })
    .is_ok());
}

#[test]
fn injected_bursts_raise_exactly_their_rules() {
    // 6 bursts at 5, 45, …, 205 s (the 7th, at 245 s, is not reached); by 244 s the rule
    // engines covering the last burst (the IP scan, 205–215 s) have finished.
    let p = SimParams {
        rate: 200.0,
        seed: 3,
        ..SimParams::default()
    };
    let (alerts, flows, anomalies) = run(p, 244, fast_config());
    let rules: Vec<&str> = alerts
        .iter()
        .filter(|a| a.origin == AlertOrigin::Rule)
        .map(|a| a.kind.as_str())
        .collect();
    let mut want: Vec<&str> = Truth::BURSTS.iter().filter_map(|t| t.rule_id()).collect();
    want.sort();
    let mut got = rules.clone();
    got.sort();
    assert_eq!(got, want, "one alert per burst and no others: {alerts:#?}");
    assert!(flows > 45_000, "{flows}");
    assert!(anomalies > 0);
    assert!(alerts.iter().any(|a| a.origin == AlertOrigin::Model));
    let scan = alerts.iter().find(|a| a.kind == "port_scan").unwrap();
    assert_eq!(scan.source.as_deref(), Some("203.0.113.66"));
    assert!((scan.start - (SimParams::default().start + 5.0)).abs() < 1.0);
}

#[test]
fn background_alone_raises_no_rule_alert() {
    for rate in [5.0, 1000.0] {
        let p = SimParams {
            rate,
            attacks: false,
            ..SimParams::default()
        };
        let (alerts, _, _) = run(p, 90, fast_config());
        let rules: Vec<_> = alerts
            .iter()
            .filter(|a| a.origin == AlertOrigin::Rule)
            .collect();
        assert!(rules.is_empty(), "rate {rate}: {rules:#?}");
    }
}

#[test]
fn warm_up_trains_then_scores() {
    let p = SimParams {
        rate: 50.0,
        ..SimParams::default()
    };
    let (mut s, started) =
        LiveSession::start(LiveSource::Simulator(p), fast_config(), None, None).unwrap();
    assert!(
        started.model_note.contains("warm-up"),
        "{}",
        started.model_note
    );
    let b = s.tick(1.0, None);
    assert!(
        matches!(b.model, ModelStatus::WarmingUp { need: 1000, .. }),
        "{:?}",
        b.model
    );
    let mut notes = Vec::new();
    let mut last = b;
    for _ in 0..30 {
        last = s.tick(1.0, None);
        notes.extend(last.notes.clone());
    }
    assert_eq!(last.model, ModelStatus::Scoring);
    assert!(
        notes.iter().any(|n| n.contains("Warm-up done")),
        "{notes:?}"
    );
    assert!(!last.scores.is_empty());
}
