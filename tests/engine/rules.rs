//! Behaviour rules: the generated capture raises exactly its attacks, thresholds change the
//! outcome, windows slide, cooldown de-duplicates, beaconing scores regularity, tables work, and
//! an (ignored) timing run over 434k flows.

use netsift::engine::data::{Column, Meaning, Role, Table};
use netsift::engine::ingest::capture::generate::{generate_capture, CaptureGenParams, TrafficKind};
use netsift::engine::ingest::capture::{flows_to_table, read_flows_from_bytes, FlowConfig};
use netsift::engine::rules::{
    evaluate, records_from_flows, records_from_table, FlowRecord, RuleAlert, RuleKind, RulesConfig,
    ThreatLevel,
};

const T0: f64 = 1_700_000_000.0;

fn capture_alerts(params: &CaptureGenParams, config: &RulesConfig) -> Vec<RuleAlert> {
    let cap = generate_capture(params).unwrap();
    let flows = read_flows_from_bytes(&cap.bytes, FlowConfig::default()).unwrap();
    let records = records_from_flows(&flows.flows);
    evaluate(&records, config).unwrap().alerts
}

fn rec(ts: f64, src: &str, dst: &str, dport: u16, row: usize) -> FlowRecord {
    FlowRecord {
        ts,
        end: ts + 0.01,
        src: src.into(),
        dst: dst.into(),
        src_port: Some(40_000),
        dst_port: Some(dport),
        protocol: Some(6),
        packets_fwd: Some(2),
        packets_bwd: Some(2),
        bytes_fwd: Some(100),
        bytes_bwd: Some(100),
        syn: Some(1),
        ack: Some(3),
        fin: Some(2),
        rst: Some(0),
        handshake_complete: Some(true),
        dns: None,
        row,
    }
}

fn rules_of(alerts: &[RuleAlert]) -> Vec<RuleKind> {
    alerts.iter().map(|a| a.rule).collect()
}

#[test]
fn generated_capture_raises_exactly_its_attacks() {
    let p = CaptureGenParams::default();
    let cap = generate_capture(&p).unwrap();
    let flows = read_flows_from_bytes(&cap.bytes, FlowConfig::default()).unwrap();
    let alerts = evaluate(&records_from_flows(&flows.flows), &RulesConfig::default())
        .unwrap()
        .alerts;
    // The generator's five attacks (its exfiltration is a 2 MB upload with nothing coming back,
    // which the large-outbound rule reports) and nothing from its normal traffic.
    assert_eq!(
        rules_of(&alerts),
        vec![
            RuleKind::Beaconing,
            RuleKind::PortScan,
            RuleKind::SynFlood,
            RuleKind::Ddos,
            RuleKind::LargeOutbound
        ],
        "{alerts:#?}"
    );
    let span = |kind: TrafficKind| {
        let ts: Vec<f64> = cap
            .truth
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| t.start_ns as f64 / 1e9)
            .collect();
        (
            ts.iter().copied().fold(f64::INFINITY, f64::min),
            ts.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        )
    };
    let get = |r| alerts.iter().find(|a| a.rule == r).unwrap();

    let a = get(RuleKind::PortScan);
    assert_eq!(a.source.as_deref(), Some("198.51.100.66"));
    assert_eq!(a.target.as_deref(), Some("10.0.1.10"));
    assert_eq!(a.count("distinct_ports"), 200.0);
    let (s, e) = span(TrafficKind::PortScan);
    assert!((a.window_start - s).abs() < 1e-6 && (a.window_end - e).abs() < 1e-6);
    assert_eq!(a.flow_count, 200);
    assert_eq!(a.severity, ThreatLevel::Critical, "200 ports ≥ 5 × 20");

    let a = get(RuleKind::SynFlood);
    assert_eq!(a.target.as_deref(), Some("10.0.1.11"));
    assert_eq!(a.source, None);
    assert_eq!(a.count("syns"), 500.0);
    let (s, e) = span(TrafficKind::SynFlood);
    assert!((a.window_start - s).abs() < 1e-6 && (a.window_end - e).abs() < 1e-6);
    assert_eq!(
        a.related,
        vec![RuleKind::Ddos],
        "spoofed sources also trip DDoS"
    );
    assert!(a.count("ddos.distinct_sources") >= 500.0);
    assert_eq!(a.flow_count, 500);

    let a = get(RuleKind::Ddos);
    assert_eq!(a.target.as_deref(), Some("10.0.1.53"));
    let (s, e) = span(TrafficKind::Ddos);
    // The window that crossed the threshold may hold earlier normal lookups (≤ 30 s before).
    assert!(a.window_start <= s && a.window_start >= s - 30.0);
    assert!(a.window_end >= e && a.window_end <= e + 30.0);
    assert!(a.count("distinct_sources") >= 40.0);

    let a = get(RuleKind::Beaconing);
    assert_eq!(a.source.as_deref(), Some("10.0.0.88"));
    assert_eq!(a.target.as_deref(), Some("198.51.100.23"));
    assert_eq!(a.port, Some(80));
    let (s, e) = span(TrafficKind::Beaconing);
    assert!((a.window_start - s).abs() < 1e-6 && (a.window_end - e).abs() < 1e-6);
    assert!(a.count("score") > 0.95);
    assert!((a.count("interval_median_s") - 30.0).abs() < 0.5);

    let a = get(RuleKind::LargeOutbound);
    assert_eq!(a.source.as_deref(), Some("10.0.0.77"));
    assert_eq!(a.target.as_deref(), Some("203.0.113.200"));
    assert_eq!(a.count("bytes_out"), 2_000_000.0);
}

#[test]
fn other_seeds_raise_the_same_alerts() {
    for seed in [1, 2, 3] {
        let p = CaptureGenParams {
            seed,
            ..Default::default()
        };
        let alerts = capture_alerts(&p, &RulesConfig::default());
        assert_eq!(alerts.len(), 5, "seed {seed}: {alerts:#?}");
    }
}

#[test]
fn raising_the_port_scan_threshold_above_the_scan_removes_it() {
    let p = CaptureGenParams::default();
    let c = RulesConfig {
        port_scan_ports: 201,
        ..Default::default()
    };
    let alerts = capture_alerts(&p, &c);
    assert!(!rules_of(&alerts).contains(&RuleKind::PortScan));
    assert_eq!(alerts.len(), 4);
    let c = RulesConfig {
        port_scan_ports: 200,
        ..Default::default()
    };
    assert!(rules_of(&capture_alerts(&p, &c)).contains(&RuleKind::PortScan));
}

#[test]
fn lowering_the_outbound_threshold_and_disabling_correlation_change_the_outcome() {
    let p = CaptureGenParams::default();
    let c = RulesConfig {
        correlate: false,
        ..Default::default()
    };
    let alerts = capture_alerts(&p, &c);
    let ddos: Vec<_> = alerts.iter().filter(|a| a.rule == RuleKind::Ddos).collect();
    assert_eq!(ddos.len(), 2, "the SYN flood's spoofed sources stand alone");
    let c = RulesConfig {
        syn_flood_syns: 501,
        ..Default::default()
    };
    let alerts = capture_alerts(&p, &c);
    assert!(!rules_of(&alerts).contains(&RuleKind::SynFlood));
    assert_eq!(
        alerts.iter().filter(|a| a.rule == RuleKind::Ddos).count(),
        2,
        "without the SYN flood alert the spoofed-source DDoS is reported"
    );
}

/// 20 probes of distinct ports: the first at `0`, the rest `gap` seconds later.
fn two_bursts(gap: f64) -> Vec<FlowRecord> {
    let mut v = vec![rec(T0, "10.0.0.5", "10.0.0.9", 1, 0)];
    for i in 1..20 {
        v.push(rec(
            T0 + gap + i as f64 * 0.01,
            "10.0.0.5",
            "10.0.0.9",
            1 + i,
            i as usize,
        ));
    }
    v
}

#[test]
fn events_59_s_apart_share_a_window_and_61_s_apart_do_not() {
    let c = RulesConfig::default();
    let a = evaluate(&two_bursts(59.0), &c).unwrap().alerts;
    assert_eq!(rules_of(&a), vec![RuleKind::PortScan]);
    assert_eq!(a[0].count("distinct_ports"), 20.0);
    assert_eq!(a[0].window_start, T0);
    let a = evaluate(&two_bursts(61.0), &c).unwrap().alerts;
    assert!(a.is_empty(), "{a:#?}");
}

#[test]
fn windows_slide_so_a_long_lived_source_can_still_trip_a_rule() {
    // Windows measured from the source's first packet (a common shortcut): after 60 s a scanner was never
    // caught again. Here a quiet source that starts scanning an hour later is.
    let mut v = vec![rec(T0, "10.0.0.5", "10.0.0.9", 80, 0)];
    for i in 0..25u16 {
        v.push(rec(
            T0 + 3600.0 + f64::from(i),
            "10.0.0.5",
            "10.0.0.9",
            1000 + i,
            1 + i as usize,
        ));
    }
    let a = evaluate(&v, &RulesConfig::default()).unwrap().alerts;
    assert_eq!(rules_of(&a), vec![RuleKind::PortScan]);
    assert_eq!(a[0].window_start, T0 + 3600.0);
    assert_eq!(a[0].count("distinct_ports"), 25.0);
}

#[test]
fn repeated_connections_to_one_port_are_not_distinct_ports() {
    let v: Vec<FlowRecord> = (0..100)
        .map(|i| rec(T0 + i as f64 * 0.1, "10.0.0.5", "10.0.0.9", 443, i))
        .collect();
    assert!(evaluate(&v, &RulesConfig::default())
        .unwrap()
        .alerts
        .is_empty());
}

#[test]
fn cooldown_extends_one_alert_and_a_later_scan_raises_another() {
    // Scan 1 at 0–30 s, scan 2 at 200–230 s (within the 300 s cooldown), scan 3 at 1000 s.
    let mut v = Vec::new();
    let mut row = 0;
    for base in [0.0, 200.0, 1000.0] {
        for i in 0..30u16 {
            v.push(rec(
                T0 + base + f64::from(i),
                "10.0.0.5",
                "10.0.0.9",
                2000 + i,
                row,
            ));
            row += 1;
        }
    }
    let a = evaluate(&v, &RulesConfig::default()).unwrap().alerts;
    assert_eq!(rules_of(&a), vec![RuleKind::PortScan, RuleKind::PortScan]);
    assert_eq!(a[0].window_start, T0);
    assert_eq!(
        a[0].window_end,
        T0 + 229.0,
        "the second scan extended the first alert"
    );
    assert_eq!(a[0].flow_count, 60);
    assert_eq!(a[1].window_start, T0 + 1000.0);
    let c = RulesConfig {
        cooldown_s: 10.0,
        ..Default::default()
    };
    assert_eq!(evaluate(&v, &c).unwrap().alerts.len(), 3);
}

#[test]
fn ip_scan_needs_50_hosts_within_a_minute() {
    let v: Vec<FlowRecord> = (0..60)
        .map(|i| {
            rec(
                T0 + i as f64 * 0.5,
                "10.0.0.5",
                &format!("10.0.3.{i}"),
                445,
                i,
            )
        })
        .collect();
    let a = evaluate(&v, &RulesConfig::default()).unwrap().alerts;
    assert_eq!(rules_of(&a), vec![RuleKind::IpScan]);
    assert_eq!(a[0].source.as_deref(), Some("10.0.0.5"));
    assert_eq!(a[0].target, None);
    assert_eq!(a[0].count("distinct_hosts"), 60.0);
    let slow: Vec<FlowRecord> = (0..60)
        .map(|i| {
            rec(
                T0 + i as f64 * 2.0,
                "10.0.0.5",
                &format!("10.0.3.{i}"),
                445,
                i,
            )
        })
        .collect();
    assert!(evaluate(&slow, &RulesConfig::default())
        .unwrap()
        .alerts
        .is_empty());
}

#[test]
fn traffic_spike_counts_packets_per_second_per_host() {
    // 12 flows of 100 packets each within one second toward one host = 1200 pps.
    let mut v: Vec<FlowRecord> = (0..12)
        .map(|i| {
            let mut r = rec(
                T0 + i as f64 * 0.05,
                &format!("10.0.0.{}", 10 + i),
                "10.0.1.80",
                80,
                i,
            );
            r.packets_fwd = Some(50);
            r.packets_bwd = Some(50);
            r
        })
        .collect();
    let a = evaluate(&v, &RulesConfig::default()).unwrap().alerts;
    assert_eq!(rules_of(&a), vec![RuleKind::TrafficSpike], "{a:#?}");
    assert_eq!(a[0].target.as_deref(), Some("10.0.1.80"));
    assert_eq!(a[0].count("pps"), 1200.0);
    assert_eq!(
        a[0].related,
        vec![RuleKind::TrafficSpike],
        "the all-traffic spike is folded in"
    );
    // The same packets spread over 10 s are 120 pps: no spike.
    for r in &mut v {
        r.end = r.ts + 10.0;
    }
    assert!(evaluate(&v, &RulesConfig::default())
        .unwrap()
        .alerts
        .is_empty());
}

#[test]
fn long_conversations_are_stitched_across_active_timeouts() {
    // The flow builder cuts at 3600 s: two flows of one 5-tuple, 30 s apart, are one conversation.
    let mut a = rec(T0, "10.0.0.5", "198.51.100.7", 22, 0);
    a.end = T0 + 3000.0;
    let mut b = rec(T0 + 3030.0, "10.0.0.5", "198.51.100.7", 22, 1);
    b.end = T0 + 4000.0;
    let out = evaluate(&[a.clone(), b], &RulesConfig::default())
        .unwrap()
        .alerts;
    assert_eq!(rules_of(&out), vec![RuleKind::LongConnection]);
    assert_eq!(out[0].count("duration_s"), 4000.0);
    assert_eq!(out[0].flow_count, 2);
    assert!(evaluate(&[a], &RulesConfig::default())
        .unwrap()
        .alerts
        .is_empty());
}

#[test]
fn large_outbound_needs_an_external_destination() {
    let mut r = rec(T0, "10.0.0.5", "203.0.113.9", 4444, 0);
    r.bytes_fwd = Some(12_000_000);
    r.bytes_bwd = Some(5_000_000);
    let a = evaluate(std::slice::from_ref(&r), &RulesConfig::default())
        .unwrap()
        .alerts;
    assert_eq!(rules_of(&a), vec![RuleKind::LargeOutbound]);
    r.dst = "10.0.9.9".into();
    assert!(evaluate(std::slice::from_ref(&r), &RulesConfig::default())
        .unwrap()
        .alerts
        .is_empty());
    // A 2 MB upload answered by 1 MB is ordinary (ratio 2 < 10).
    r.dst = "203.0.113.9".into();
    r.bytes_fwd = Some(2_000_000);
    r.bytes_bwd = Some(1_000_000);
    assert!(evaluate(&[r], &RulesConfig::default())
        .unwrap()
        .alerts
        .is_empty());
}

fn beacon_series(seed: u64, jitter: f64, sizes_vary: bool) -> Vec<FlowRecord> {
    use netsift::engine::rng;
    let mut g = rng::seeded(seed);
    let mut t = T0;
    (0..30)
        .map(|i| {
            t += if jitter > 0.0 {
                rng::uniform_range(&mut g, 60.0 - jitter, 60.0 + jitter)
            } else {
                rng::uniform_range(&mut g, 2.0, 240.0)
            };
            let mut r = rec(t, "10.0.0.66", "198.51.100.23", 8443, i);
            if sizes_vary {
                r.bytes_fwd = Some(100 + rng::below(&mut g, 5000));
            }
            r
        })
        .collect()
}

#[test]
fn a_regular_beacon_scores_high_and_jittery_traffic_low() {
    let c = RulesConfig::default();
    let a = evaluate(&beacon_series(1, 1.0, false), &c).unwrap().alerts;
    assert_eq!(rules_of(&a), vec![RuleKind::Beaconing]);
    assert!(a[0].count("score") > 0.9, "{:?}", a[0].evidence);
    assert_eq!(a[0].port, Some(8443));
    for seed in 1..6 {
        let a = evaluate(&beacon_series(seed, 0.0, false), &c)
            .unwrap()
            .alerts;
        assert!(a.is_empty(), "seed {seed}: {a:#?}");
        let a = evaluate(&beacon_series(seed, 0.0, true), &c)
            .unwrap()
            .alerts;
        assert!(a.is_empty(), "seed {seed}: {a:#?}");
    }
    // Nine connections are below the minimum.
    let few: Vec<FlowRecord> = beacon_series(1, 1.0, false).into_iter().take(9).collect();
    assert!(evaluate(&few, &c).unwrap().alerts.is_empty());
}

#[test]
fn order_of_input_does_not_change_alerts() {
    let cap = generate_capture(&CaptureGenParams::default()).unwrap();
    let flows = read_flows_from_bytes(&cap.bytes, FlowConfig::default()).unwrap();
    let records = records_from_flows(&flows.flows);
    let mut rev = records.clone();
    rev.reverse();
    let c = RulesConfig::default();
    assert_eq!(evaluate(&records, &c).unwrap(), evaluate(&rev, &c).unwrap());
}

#[test]
fn a_capture_table_gives_the_same_alerts_as_its_flows() {
    let cap = generate_capture(&CaptureGenParams::default()).unwrap();
    let flows = read_flows_from_bytes(&cap.bytes, FlowConfig::default()).unwrap();
    let from_flows = evaluate(&records_from_flows(&flows.flows), &RulesConfig::default()).unwrap();
    let table = flows_to_table(&flows.flows);
    let records = records_from_table(&table).unwrap();
    let from_table = evaluate(&records, &RulesConfig::default()).unwrap();
    assert_eq!(rules_of(&from_flows.alerts), rules_of(&from_table.alerts));
    for (a, b) in from_flows.alerts.iter().zip(&from_table.alerts) {
        assert_eq!(
            (&a.source, &a.target, a.flow_count),
            (&b.source, &b.target, b.flow_count)
        );
    }
    assert!(
        from_table.unsupported.is_empty(),
        "{:?}",
        from_table.unsupported
    );
}

#[test]
fn a_table_without_flags_reports_which_rules_cannot_run() {
    let n = 30;
    let t = Table {
        columns: vec![
            Column::categorical("src", (0..n).map(|_| "10.0.0.5").collect::<Vec<_>>())
                .with_role(Role::Ignore)
                .with_meaning(Meaning::SrcIp),
            Column::categorical("dst", (0..n).map(|_| "10.0.0.9").collect::<Vec<_>>())
                .with_role(Role::Ignore)
                .with_meaning(Meaning::DstIp),
            Column::numeric("dport", (0..n).map(|i| f64::from(i + 1)).collect())
                .with_meaning(Meaning::DstPort),
            Column::numeric("ts", (0..n).map(|i| T0 + f64::from(i)).collect())
                .with_role(Role::Timestamp),
        ],
    };
    let records = records_from_table(&t).unwrap();
    let out = evaluate(&records, &RulesConfig::default()).unwrap();
    assert_eq!(rules_of(&out.alerts), vec![RuleKind::PortScan]);
    let missing: Vec<RuleKind> = out.unsupported.iter().map(|u| u.rule).collect();
    assert_eq!(
        missing,
        vec![
            RuleKind::SynFlood,
            RuleKind::TrafficSpike,
            RuleKind::LongConnection,
            RuleKind::LargeOutbound
        ]
    );
}

#[test]
fn a_bad_config_is_refused() {
    let c = RulesConfig {
        ddos_window_s: 0.0,
        ..Default::default()
    };
    let e = evaluate(&[], &c).unwrap_err().to_string();
    assert!(e.contains("ddos_window_s"), "{e}");
}

/// 434k synthetic flows (the size of a big CIC-IDS day): 400 clients, 60 servers, one port scan.
fn big_records(n: usize) -> Vec<FlowRecord> {
    use netsift::engine::rng;
    let mut g = rng::seeded(9);
    let clients: Vec<String> = (0..400)
        .map(|i| format!("10.1.{}.{}", i / 200, i % 200))
        .collect();
    let servers: Vec<String> = (0..60).map(|i| format!("172.20.0.{i}")).collect();
    let ports = [80u16, 443, 53, 22, 8080, 3306];
    (0..n)
        .map(|i| {
            let ts = T0 + i as f64 * 0.02;
            let mut r = rec(
                ts,
                &clients[rng::below(&mut g, 400) as usize],
                &servers[rng::below(&mut g, 60) as usize],
                ports[rng::below(&mut g, 6) as usize],
                i,
            );
            r.end = ts + rng::uniform_range(&mut g, 0.0, 30.0);
            r
        })
        .collect()
}

#[test]
#[ignore = "timing: cargo test --release --no-default-features --test engine rules_over_434k -- --ignored --nocapture"]
fn rules_over_434k_flows_timing() {
    let records = big_records(434_000);
    let cpu0 = thread_cpu_seconds();
    let t = std::time::Instant::now();
    let out = evaluate(&records, &RulesConfig::default()).unwrap();
    let s = t.elapsed().as_secs_f64();
    let cpu = thread_cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    eprintln!(
        "rules over {} flows: {:.3} s wall, {} s CPU, {} alerts",
        records.len(),
        s,
        cpu.map_or("?".into(), |c| format!("{c:.3}")),
        out.alerts.len()
    );
    // Session 1 measured 2.0–2.4 s wall on the shared, loaded 2-core machine. With the spike
    // buckets in a ring, evidence updated without allocating and small distinct counts in a
    // vector, this thread's CPU time is 1.3–2.0 s at load average 13 (wall 4–7 s there: the
    // machine gives the test a third of a core). The bound, on CPU time where it can be read,
    // only catches regressions.
    let measured = cpu.unwrap_or(s);
    assert!(measured < 4.0, "{measured} s");
}

/// CPU time of this thread (Linux `/proc/thread-self/schedstat`), so a loaded machine does not
/// inflate the figure; `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn cli(args: &[&std::path::Path]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_netsift-cli"))
        .arg("alerts")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_alerts_prints_one_json_line_per_alert_for_captures_and_tables() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rules_cli");
    std::fs::create_dir_all(&dir).unwrap();
    let cap = generate_capture(&CaptureGenParams::default()).unwrap();
    let pcap = dir.join("gen.pcap");
    std::fs::write(&pcap, &cap.bytes).unwrap();
    let out = cli(&[&pcap]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rules: Vec<&str> = lines.iter().map(|l| l["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        [
            "beaconing",
            "port_scan",
            "syn_flood",
            "ddos",
            "large_outbound"
        ]
    );
    let scan = &lines[1];
    assert_eq!(scan["severity"], "critical");
    assert_eq!(scan["source"], "198.51.100.66");
    assert_eq!(scan["target"], "10.0.1.10");
    assert_eq!(scan["evidence"]["distinct_ports"], 200.0);
    assert!(scan["window_start"]
        .as_str()
        .unwrap()
        .starts_with("2023-11-14T22:14:20."));
    assert!(scan["window_start_epoch"].as_f64().unwrap() > T0);

    // The same flows as a CSV table. (The duration column is renamed: under its own name,
    // `flow_duration`, ingest recognises the CICFlowMeter preset, whose `Flow Duration` is in
    // microseconds, while netsift's capture tables write seconds.)
    let flows = read_flows_from_bytes(&cap.bytes, FlowConfig::default()).unwrap();
    let csv = dir.join("flows.csv");
    let text = String::from_utf8(netsift::engine::report::table_csv(&flows_to_table(
        &flows.flows,
    )))
    .unwrap();
    std::fs::write(&csv, text.replacen("flow_duration", "duration", 1)).unwrap();
    let out = cli(&[&csv]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 5);

    // A partial config raising the port-scan threshold removes that alert.
    let cfg = dir.join("rules.json");
    std::fs::write(&cfg, r#"{"port_scan_ports": 500}"#).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_netsift-cli"))
        .args([
            "alerts".as_ref(),
            pcap.as_os_str(),
            "--config".as_ref(),
            cfg.as_os_str(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 4);
    assert!(!text.contains("port_scan"));

    // A bad config is a clear error.
    std::fs::write(&cfg, r#"{"port_scan_ports": "many"}"#).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_netsift-cli"))
        .args([
            "alerts".as_ref(),
            pcap.as_os_str(),
            "--config".as_ref(),
            cfg.as_os_str(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("rules.json") && err.contains("not a valid rules config"),
        "{err}"
    );

    // A table without addresses says what is missing.
    let plain = dir.join("plain.csv");
    std::fs::write(&plain, "bytes,packets\n1,2\n3,4\n").unwrap();
    let out = cli(&[&plain]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("rules need source and destination addresses and a timestamp"),
        "{err}"
    );
}
