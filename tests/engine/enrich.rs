//! Enrichment, advice and written analysis on crafted flows and alerts.

use std::collections::BTreeMap;

use netsift::analysis::narrative::{analyse, analyse_alert, choose_persona, Persona};
use netsift::engine::data::{Column, Meaning, Role, Table};
use netsift::engine::enrich::advice::AdviceKind;
use netsift::engine::enrich::{
    combined_severity, enrich_alert, enrich_row, AnomalyType, Baseline, ModelFacts,
};
use netsift::engine::rules::{RuleAlert, RuleKind, ThreatLevel};

const T0: f64 = 1_700_000_000.0; // Tuesday 2023-11-14 22:13 UTC

/// 200 normal web flows (rows 0..200) then the crafted rows.
/// (src, dst, src port, dst port, protocol, bytes, packets, duration, timestamp).
type Row<'a> = (&'a str, &'a str, f64, f64, &'a str, f64, f64, f64, f64);

fn table(extra: &[Row]) -> Table {
    let mut src = Vec::new();
    let mut dst = Vec::new();
    let (mut sp, mut dp, mut proto, mut bytes, mut pkts, mut dur, mut ts) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for i in 0..200 {
        src.push(format!("10.0.0.{}", 10 + i % 40));
        dst.push("10.0.1.10".to_string());
        sp.push(40_000.0 + f64::from(i));
        dp.push(if i % 2 == 0 { 443.0 } else { 80.0 });
        proto.push("tcp".to_string());
        bytes.push(2000.0 + f64::from(i % 50) * 40.0);
        pkts.push(10.0 + f64::from(i % 5));
        dur.push(0.5 + f64::from(i % 10) * 0.1);
        ts.push(T0 - 10_000.0 + f64::from(i) * 10.0);
    }
    for &(s, d, spv, dpv, p, b, k, du, t) in extra {
        src.push(s.into());
        dst.push(d.into());
        sp.push(spv);
        dp.push(dpv);
        proto.push(p.into());
        bytes.push(b);
        pkts.push(k);
        dur.push(du);
        ts.push(t);
    }
    Table {
        columns: vec![
            Column::categorical("src_ip", src)
                .with_role(Role::Ignore)
                .with_meaning(Meaning::SrcIp),
            Column::categorical("dst_ip", dst)
                .with_role(Role::Ignore)
                .with_meaning(Meaning::DstIp),
            Column::numeric("src_port", sp).with_meaning(Meaning::SrcPort),
            Column::numeric("dst_port", dp).with_meaning(Meaning::DstPort),
            Column::categorical("protocol", proto).with_meaning(Meaning::Protocol),
            Column::numeric("bytes", bytes).with_meaning(Meaning::Bytes),
            Column::numeric("packets", pkts).with_meaning(Meaning::Packets),
            Column::numeric("duration", dur).with_meaning(Meaning::Duration),
            Column::numeric("ts", ts).with_role(Role::Timestamp),
        ],
    }
}

fn train_rows() -> Vec<usize> {
    (0..200).collect()
}

fn model(votes: u8, margin: f64) -> ModelFacts {
    ModelFacts {
        votes,
        n_models: 4,
        min_votes: 2,
        ensemble_score: 0.8,
        score_margin: margin,
    }
}

fn alert(
    rule: RuleKind,
    src: Option<&str>,
    dst: Option<&str>,
    port: Option<u16>,
    rows: Vec<usize>,
) -> RuleAlert {
    let mut evidence = BTreeMap::new();
    evidence.insert("distinct_ports".to_string(), 200.0);
    RuleAlert {
        rule,
        severity: rule.base_severity(),
        source: src.map(Into::into),
        target: dst.map(Into::into),
        port,
        window_start: T0,
        window_end: T0 + 30.0,
        evidence,
        flow_count: rows.len(),
        flows: rows,
        related: vec![],
        description: format!("{} test alert", rule.title()),
    }
}

#[test]
fn suspicious_port_and_large_packets_are_typed_and_tagged() {
    // Row 200: 10.0.0.5 → 203.0.113.9:4444, 60 kB in 5 packets (12 kB per packet).
    let t = table(&[(
        "10.0.0.5",
        "203.0.113.9",
        50_000.0,
        4444.0,
        "tcp",
        60_000.0,
        5.0,
        1.0,
        T0,
    )]);
    let base = Baseline::fit(&t, &train_rows());
    let e = enrich_row(&t, 200, &base, Some(model(2, 0.1)), &[]);
    assert_eq!(e.anomaly_type, AnomalyType::SuspiciousPort);
    assert!(e.types.contains(&AnomalyType::LargePacket), "{:?}", e.types);
    assert!(
        e.tags.contains(&"Suspicious port".to_string()),
        "{:?}",
        e.tags
    );
    assert!(e.tags.contains(&"Unusual packet size (large)".to_string()));
    assert!(e.tags.contains(&"external destination".to_string()));
    // 2 of 4 votes, small margin: 0 points; a hard indicator: +1 → medium.
    assert_eq!((e.severity, e.severity_points), (ThreatLevel::Medium, 1));
    let c2 = e
        .advice
        .iter()
        .find(|a| a.kind == AdviceKind::CommandAndControl)
        .unwrap();
    assert!(
        c2.actions
            .contains(&"block outbound to 203.0.113.9:4444".to_string()),
        "{:?}",
        c2.actions
    );
    assert!(c2.actions.iter().any(|a| a.contains("scheduled task")));
}

#[test]
fn unknown_protocol_long_duration_and_mismatch() {
    let t = table(&[
        (
            "10.0.0.6",
            "10.0.1.10",
            40_500.0,
            443.0,
            "gre",
            2500.0,
            12.0,
            9000.0,
            T0,
        ),
        (
            "10.0.0.7",
            "10.0.1.10",
            40_501.0,
            80.0,
            "udp",
            2500.0,
            12.0,
            0.7,
            T0,
        ),
    ]);
    let base = Baseline::fit(&t, &train_rows());
    let e = enrich_row(&t, 200, &base, None, &[]);
    assert_eq!(
        e.types,
        vec![AnomalyType::LongDuration, AnomalyType::UnknownProtocol]
    );
    let kinds: Vec<AdviceKind> = e.advice.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        vec![AdviceKind::DataExfiltration, AdviceKind::ProtocolAnomaly]
    );
    let e = enrich_row(&t, 201, &base, None, &[]);
    assert!(
        e.types.contains(&AnomalyType::ProtocolPortMismatch),
        "{:?}",
        e.types
    );
    assert!(
        e.types.contains(&AnomalyType::UnknownProtocol),
        "udp never seen in training"
    );
    let proto = e
        .advice
        .iter()
        .find(|a| a.kind == AdviceKind::ProtocolAnomaly)
        .unwrap();
    assert_eq!(
        proto.actions[0],
        "block udp to port 80 at the firewall unless it is expected"
    );
}

#[test]
fn an_ordinary_row_is_behavioural_and_rule_alerts_set_the_type() {
    let t = table(&[(
        "10.0.0.8",
        "10.0.1.10",
        40_600.0,
        443.0,
        "tcp",
        2600.0,
        12.0,
        0.8,
        T0 - 5000.0,
    )]);
    let base = Baseline::fit(&t, &train_rows());
    let e = enrich_row(&t, 200, &base, Some(model(3, 0.6)), &[]);
    assert_eq!(e.types, vec![AnomalyType::Behavioral]);
    assert_eq!(
        e.tags,
        vec!["General anomaly (behavioural)", "internal destination"]
    );
    assert_eq!((e.severity, e.severity_points), (ThreatLevel::Medium, 2));
    assert_eq!(e.advice[0].kind, AdviceKind::PatternAnomaly);
    let scan = alert(
        RuleKind::PortScan,
        Some("10.0.0.8"),
        Some("10.0.1.10"),
        None,
        vec![7, 200],
    );
    let e = enrich_row(&t, 200, &base, Some(model(3, 0.6)), &[scan]);
    assert_eq!(e.anomaly_type, AnomalyType::PortScan);
    assert!(e.tags.contains(&"rule:port_scan".to_string()));
    // 1 + 1 + 1 (rule) = 3 → high, and the alert's own severity (high) is the floor.
    assert_eq!((e.severity, e.severity_points), (ThreatLevel::High, 3));
    assert_eq!(e.advice[0].kind, AdviceKind::Scan);
    assert_eq!(
        e.advice[0].actions[0],
        "block 10.0.0.8 at the perimeter firewall for 24 h"
    );
}

#[test]
fn every_severity_level_is_reachable_from_the_models_alone() {
    let hard = [AnomalyType::SuspiciousPort];
    let none: [AnomalyType; 0] = [];
    assert_eq!(
        combined_severity(Some(&model(2, 0.0)), &none, &[]).0,
        ThreatLevel::Low
    );
    assert_eq!(
        combined_severity(Some(&model(3, 0.0)), &none, &[]).0,
        ThreatLevel::Medium
    );
    assert_eq!(
        combined_severity(Some(&model(4, 0.5)), &none, &[]).0,
        ThreatLevel::High
    );
    assert_eq!(
        combined_severity(Some(&model(4, 0.95)), &hard, &[]).0,
        ThreatLevel::Critical
    );
    // And from a rule alone: its own severity is the floor.
    let flood = alert(RuleKind::SynFlood, None, Some("10.0.1.11"), None, vec![1]);
    assert_eq!(
        combined_severity(None, &none, &[flood]).0,
        ThreatLevel::Critical
    );
}

#[test]
fn enriched_alerts_carry_concrete_advice() {
    let flood = alert(
        RuleKind::SynFlood,
        None,
        Some("10.0.1.11"),
        None,
        vec![1, 2],
    );
    let e = enrich_alert(&flood);
    assert_eq!(e.anomaly_type, AnomalyType::SynFlood);
    assert_eq!(e.severity, ThreatLevel::Critical);
    let a = &e.advice[0];
    assert_eq!(a.kind, AdviceKind::TrafficSpike);
    assert!(a.actions[0].contains("SYN cookies") && a.actions[0].contains("10.0.1.11"));
    assert!(a.actions[1].starts_with("rate-limit traffic toward 10.0.1.11 at the edge"));

    let spike = alert(
        RuleKind::TrafficSpike,
        None,
        Some("10.0.1.12"),
        None,
        vec![3],
    );
    let mut one_src = spike.clone();
    one_src.source = Some("10.0.0.5".into());
    let e = enrich_alert(&one_src);
    assert!(e.advice[0]
        .actions
        .contains(&"rate-limit 10.0.0.5 at the edge".to_string()));

    let beacon = alert(
        RuleKind::Beaconing,
        Some("10.0.0.88"),
        Some("198.51.100.23"),
        Some(80),
        vec![4],
    );
    let e = enrich_alert(&beacon);
    assert_eq!(e.advice[0].kind, AdviceKind::CommandAndControl);
    assert_eq!(e.advice[0].actions[0], "block outbound to 198.51.100.23:80");
    assert!(e.advice[0].actions[1].contains("check the host for a scheduled task"));

    let exfil = alert(
        RuleKind::LargeOutbound,
        Some("10.0.0.77"),
        Some("203.0.113.200"),
        Some(443),
        vec![5],
    );
    let e = enrich_alert(&exfil);
    assert_eq!(e.anomaly_type, AnomalyType::Exfiltration);
    assert_eq!(e.advice[0].kind, AdviceKind::DataExfiltration);
    assert_eq!(
        e.advice[0].actions[0],
        "block outbound to 203.0.113.200:443 until the transfer is explained"
    );
}

#[test]
fn enrichment_tolerates_missing_columns() {
    let t = Table {
        columns: vec![Column::numeric("x", vec![1.0, 2.0, 3.0])],
    };
    let base = Baseline::fit(&t, &[0, 1]);
    let e = enrich_row(&t, 2, &base, None, &[]);
    assert_eq!(e.types, vec![AnomalyType::Behavioral]);
    assert_eq!(e.severity, ThreatLevel::Low);
    let a = analyse(&e, Persona::TechnicalExpert);
    assert!(a.text.contains("no network fields available"));
}

#[test]
fn written_analyses_are_marked_and_follow_the_persona() {
    let scan = alert(
        RuleKind::PortScan,
        Some("198.51.100.66"),
        Some("10.0.1.10"),
        None,
        vec![42, 43],
    );
    for p in Persona::ALL {
        let a = analyse_alert(&scan, p);
        assert!(a.generated_from_rules);
        assert!(
            a.text.starts_with("Generated from rules, no AI service.\n"),
            "{}",
            a.text
        );
        assert_eq!(a.threat_level, ThreatLevel::High);
        assert!(a.likely_attack.contains("port scan"));
        assert!(a.actions[0].contains("198.51.100.66"));
        assert_eq!(analyse_alert(&scan, p), a, "deterministic");
    }
    let tech = analyse_alert(&scan, Persona::TechnicalExpert).text;
    for h in [
        "Technical assessment:",
        "Indicators of compromise:",
        "Attack vector:",
        "Severity rating:",
        "Mitigation steps:",
        "Forensic notes:",
    ] {
        assert!(tech.contains(h), "{h} missing in\n{tech}");
    }
    assert!(tech.contains("Port scan test alert"));
    assert!(tech.contains("42, 43"));
    let exec = analyse_alert(&scan, Persona::ExecutiveBriefing).text;
    for h in [
        "Business impact summary:",
        "Time-sensitive decisions:",
        "Resource needs:",
        "Follow-up timeline:",
    ] {
        assert!(exec.contains(h), "{h} missing in\n{exec}");
    }
    let ir = analyse_alert(&scan, Persona::IncidentResponder).text;
    assert!(
        ir.contains("Immediate containment:\nAct within the hour. Block 198.51.100.66"),
        "{ir}"
    );
    assert!(analyse_alert(&scan, Persona::RiskAssessor)
        .text
        .contains("Likelihood:\nHigh: a behaviour rule matched"));
    assert!(analyse_alert(&scan, Persona::ThreatIntel)
        .text
        .contains("Reconnaissance (early stage)."));
    let flood = enrich_alert(&alert(
        RuleKind::SynFlood,
        None,
        Some("10.0.1.11"),
        None,
        vec![1],
    ));
    assert_eq!(choose_persona(&flood), Persona::IncidentResponder);
    assert_eq!(choose_persona(&enrich_alert(&scan)), Persona::RiskAssessor);
}
