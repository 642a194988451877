//! Network views: crafted flows give exact talkers, conversations and distributions; the
//! generated capture gives exactly its attacks as alerts, with enrichment and analyses; a table
//! without addresses says which views need them; the e2e fixture matches its expected numbers.

use netsift::analysis::netviews::{network_views, network_views_at, NetworkViews};
use netsift::engine::data::{Column, Meaning, Role, Table};
use netsift::engine::ingest::capture::generate::{generate_capture, CaptureGenParams};
use netsift::engine::ingest::capture::{flows_to_table, read_flows_from_bytes, FlowConfig};
use netsift::engine::pipeline::{run, RunConfig};
use netsift::engine::progress::NoProgress;
use netsift::engine::rules::{RuleKind, RulesConfig};

const T0: f64 = 1_700_000_000.0;

/// Five flows: a→b twice, a→c, d→b, and one row without a source.
fn crafted() -> Table {
    let src = ["10.0.0.1", "10.0.0.1", "10.0.0.1", "10.0.0.4", ""];
    let dst = ["10.0.0.2", "10.0.0.2", "10.0.0.3", "10.0.0.2", "10.0.0.2"];
    let ts = [T0, T0 + 30.0, T0 + 61.0, T0 + 185.0, T0 + 10.0];
    Table {
        columns: vec![
            Column::categorical("src", src.to_vec())
                .with_role(Role::Ignore)
                .with_meaning(Meaning::SrcIp),
            Column::categorical("dst", dst.to_vec())
                .with_role(Role::Ignore)
                .with_meaning(Meaning::DstIp),
            Column::numeric("ts", ts.to_vec()).with_role(Role::Timestamp),
            Column::numeric("dport", vec![443.0, 443.0, 53.0, 22.0, 443.0])
                .with_meaning(Meaning::DstPort),
            Column::categorical("proto", vec!["tcp", "tcp", "udp", "tcp", "tcp"])
                .with_meaning(Meaning::Protocol),
            Column::numeric("bytes", vec![1000.0, 3000.0, 80.0, 20_000.0, 5.0])
                .with_meaning(Meaning::Bytes),
            Column::numeric("packets", vec![10.0, 10.0, 1.0, 10.0, 1.0])
                .with_meaning(Meaning::Packets),
            Column::numeric("duration", vec![1.0, 2.0, 0.0, 5.0, 0.0])
                .with_meaning(Meaning::Duration),
        ],
    }
}

#[test]
fn crafted_flows_give_exact_talkers_conversations_and_distributions() {
    let v = network_views(&crafted(), None, &RulesConfig::default()).unwrap();
    assert_eq!((v.rows, v.records, v.skipped_rows), (5, 4, 1));
    assert!(!v.scored);
    assert!(v.alerts.is_empty());
    let talkers: Vec<_> = v
        .top_talkers
        .iter()
        .map(|t| (t.ip.as_str(), t.flows, t.bytes, t.packets, t.destinations))
        .collect();
    assert_eq!(
        talkers,
        vec![("10.0.0.4", 1, 20_000, 10, 1), ("10.0.0.1", 3, 4080, 21, 2)]
    );
    assert_eq!(v.conversation_count, 3);
    let ab = &v.conversations[1];
    assert_eq!((ab.src.as_str(), ab.dst.as_str()), ("10.0.0.1", "10.0.0.2"));
    assert_eq!((ab.flows, ab.bytes, ab.packets), (2, 4000, 20));
    assert_eq!((ab.first_seen, ab.last_seen), (T0, T0 + 32.0));
    let protos: Vec<_> = v
        .protocols
        .iter()
        .map(|b| (b.label.as_str(), b.count))
        .collect();
    assert_eq!(protos, vec![("tcp", 4), ("udp", 1)]);
    let ports: Vec<_> = v
        .dst_ports
        .iter()
        .map(|b| (b.label.as_str(), b.count))
        .collect();
    assert_eq!(ports, vec![("443", 3), ("22", 1), ("53", 1)]);
    let minutes: Vec<_> = v.per_minute.iter().map(|m| m.flows).collect();
    // T0 = 1_700_000_000 is 20 s into its minute: rows at +0, +10, +30 share it.
    assert_eq!(minutes, vec![3, 1, 0, 1]);
    // Bytes per packet: 100, 300, 80, 2000, 5.
    let lengths: Vec<_> = v.packet_lengths.iter().map(|b| b.count).collect();
    assert_eq!(lengths, vec![1, 2, 0, 1, 0, 0, 1, 0, 0]);
    assert!(v.missing.is_empty(), "{:?}", v.missing);
}

#[test]
fn a_table_without_addresses_names_the_views_that_need_them() {
    let t = Table {
        columns: vec![Column::numeric("bytes", vec![1.0, 2.0]).with_meaning(Meaning::Bytes)],
    };
    let v = network_views(&t, None, &RulesConfig::default()).unwrap();
    let views: Vec<_> = v.missing.iter().map(|m| m.view.as_str()).collect();
    assert_eq!(
        views,
        vec![
            "rule alerts, top talkers, suspicious IPs, conversations",
            "protocol distribution",
            "destination-port distribution",
            "flows per minute",
        ]
    );
    assert!(
        v.missing[0].reason.contains("source address"),
        "{:?}",
        v.missing[0]
    );
    assert_eq!(v.packet_lengths.iter().map(|b| b.count).sum::<usize>(), 2);
}

#[test]
fn a_bad_rules_config_is_refused() {
    let c = RulesConfig {
        port_scan_ports: 0,
        ..RulesConfig::default()
    };
    let e = network_views(&crafted(), None, &c).unwrap_err().to_string();
    assert!(e.contains("port_scan_ports"), "{e}");
}

/// The capture the e2e spec uploads: the generator's port scan, SYN flood, DDoS and beacon, no
/// exfiltration, lighter normal traffic.
fn e2e_params() -> CaptureGenParams {
    CaptureGenParams {
        exfil_bytes: 0,
        web_sessions: 60,
        dns_queries: 80,
        ..CaptureGenParams::default()
    }
}

fn capture_table(bytes: &[u8]) -> Table {
    flows_to_table(
        &read_flows_from_bytes(bytes, FlowConfig::default())
            .unwrap()
            .flows,
    )
}

fn alert_keys(v: &NetworkViews) -> Vec<(RuleKind, Option<String>, Option<String>)> {
    v.alerts
        .iter()
        .map(|a| (a.alert.rule, a.alert.source.clone(), a.alert.target.clone()))
        .collect()
}

#[test]
fn the_generated_capture_raises_exactly_its_attacks_with_enrichment_and_analyses() {
    let cap = generate_capture(&e2e_params()).unwrap();
    let table = capture_table(&cap.bytes);
    let v = network_views(&table, None, &RulesConfig::default()).unwrap();
    assert_eq!(
        alert_keys(&v),
        vec![
            (
                RuleKind::Beaconing,
                Some("10.0.0.88".into()),
                Some("198.51.100.23".into())
            ),
            (
                RuleKind::PortScan,
                Some("198.51.100.66".into()),
                Some("10.0.1.10".into())
            ),
            (RuleKind::SynFlood, None, Some("10.0.1.11".into())),
            (RuleKind::Ddos, None, Some("10.0.1.53".into())),
        ]
    );
    for a in &v.alerts {
        assert_eq!(a.analyses.len(), 5);
        assert!(a.analyses.iter().all(|x| x.generated_from_rules));
        assert!(!a.enriched.advice.is_empty(), "{:?}", a.alert.rule);
        assert!(a.enriched.severity >= a.alert.severity);
        assert!(a.alert.flows.iter().all(|&r| r < v.rows));
    }
    // Everything the records hold is in the conversations and talkers.
    assert_eq!(v.records, v.rows);
    let conv_flows: usize = v.conversations.iter().map(|c| c.flows).sum();
    assert!(v.conversation_count >= v.conversations.len());
    if v.conversation_count == v.conversations.len() {
        assert_eq!(conv_flows, v.rows);
    }
    let proto_total: usize = v.protocols.iter().map(|b| b.count).sum();
    assert_eq!(proto_total, v.rows);
    let minute_total: usize = v.per_minute.iter().map(|b| b.flows).sum();
    assert_eq!(minute_total, v.rows);

    // Raising the port-scan threshold above the scan's 200 ports removes that alert only.
    let c = RulesConfig {
        port_scan_ports: 201,
        ..RulesConfig::default()
    };
    let w = network_views(&table, None, &c).unwrap();
    let rules: Vec<_> = w.alerts.iter().map(|a| a.alert.rule).collect();
    assert_eq!(
        rules,
        vec![RuleKind::Beaconing, RuleKind::SynFlood, RuleKind::Ddos]
    );
}

#[test]
fn anomalies_of_a_run_feed_suspicious_ips_and_enriched_anomalies() {
    let cap = generate_capture(&e2e_params()).unwrap();
    let table = capture_table(&cap.bytes);
    let (_, result) = run(&RunConfig::default(), &table, &mut NoProgress).unwrap();
    let v = network_views(&table, Some(&result), &RulesConfig::default()).unwrap();
    assert!(v.scored);
    let flagged = result.is_anomaly.iter().filter(|a| **a).count();
    assert_eq!(v.anomaly_count, flagged);
    assert_eq!(v.anomalies.len(), flagged.min(100));
    assert!(v.anomalies.iter().all(|a| a.analysis.generated_from_rules));
    let minute_anoms: usize = v.per_minute.iter().map(|b| b.anomalies).sum();
    assert_eq!(minute_anoms, flagged);
    assert!(v
        .suspicious_ips
        .iter()
        .all(|t| t.anomalies >= netsift::analysis::netviews::SUSPICIOUS_MIN_ANOMALIES));
    assert!(
        !v.suspicious_ips.is_empty(),
        "attack sources raise anomalies"
    );
}

#[test]
fn the_score_threshold_decides_anomalies_and_suspicious_ips() {
    let cap = generate_capture(&e2e_params()).unwrap();
    let table = capture_table(&cap.bytes);
    let (_, result) = run(&RunConfig::default(), &table, &mut NoProgress).unwrap();
    let rules = RulesConfig::default();
    let vote = network_views(&table, Some(&result), &rules).unwrap();
    assert_eq!(
        network_views_at(&table, Some(&result), &rules, None).unwrap(),
        vote
    );
    // The median score flags about half the rows: far more than the vote.
    let mut scores = result.ensemble_score.clone();
    scores.sort_by(f64::total_cmp);
    let median = scores[scores.len() / 2];
    let low = network_views_at(&table, Some(&result), &rules, Some(median)).unwrap();
    let at_median = result
        .ensemble_score
        .iter()
        .filter(|&&s| s >= median)
        .count();
    assert_eq!(low.anomaly_count, at_median);
    assert_eq!(low.threshold, Some(median));
    assert!(low.anomaly_count > vote.anomaly_count);
    let minute: usize = low.per_minute.iter().map(|b| b.anomalies).sum();
    assert_eq!(minute, at_median);
    assert!(low.suspicious_ips.len() > vote.suspicious_ips.len());
    // Above every score: nothing is anomalous, no IP is suspicious; the rule alerts stay.
    let high = network_views_at(&table, Some(&result), &rules, Some(1.01)).unwrap();
    assert_eq!(high.anomaly_count, 0);
    assert!(high.suspicious_ips.is_empty() && high.anomalies.is_empty());
    assert_eq!(high.alerts.len(), vote.alerts.len());
}

/// The fixture the e2e spec (tests/e2e/specs/network.mjs) uploads and the numbers it expects.
/// `NETSIFT_BLESS=1` rewrites both.
#[test]
fn the_e2e_capture_fixture_matches_its_expected_numbers() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/network");
    let cap = generate_capture(&e2e_params()).unwrap();
    let table = capture_table(&cap.bytes);
    let v = network_views(&table, None, &RulesConfig::default()).unwrap();
    let expected = serde_json::json!({
        "rows": v.rows,
        "conversation_count": v.conversation_count,
        "alerts": v.alerts.iter().map(|a| serde_json::json!({
            "rule": a.alert.rule.id(),
            "source": a.alert.source,
            "target": a.alert.target,
            "flow_count": a.alert.flow_count,
        })).collect::<Vec<_>>(),
        "port_scan_ports": v.alerts.iter().find(|a| a.alert.rule == RuleKind::PortScan)
            .map(|a| a.alert.count("distinct_ports")),
        "top_talker": v.top_talkers.first().map(|t| serde_json::json!({
            "ip": t.ip, "flows": t.flows, "bytes": t.bytes,
        })),
        "top_conversation": v.conversations.first().map(|c| serde_json::json!({
            "src": c.src, "dst": c.dst, "flows": c.flows, "bytes": c.bytes, "packets": c.packets,
        })),
        "protocols": v.protocols.iter().map(|b| (b.label.clone(), b.count)).collect::<Vec<_>>(),
    });
    let text = serde_json::to_string_pretty(&expected).unwrap() + "\n";
    if std::env::var_os("NETSIFT_BLESS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("capture.pcap"), &cap.bytes).unwrap();
        std::fs::write(dir.join("expected.json"), &text).unwrap();
    }
    let stored = std::fs::read(dir.join("capture.pcap")).unwrap();
    assert!(
        stored == cap.bytes,
        "the generator changed: rerun with NETSIFT_BLESS=1"
    );
    let stored = std::fs::read_to_string(dir.join("expected.json")).unwrap();
    assert_eq!(stored, text, "rerun with NETSIFT_BLESS=1");
}
