//! Password guessing, ARP spoofing, DNS tunnelling and NXDOMAIN bursts on captures: each
//! planted attack raises its own rule with the right source, target and window; ordinary
//! office traffic raises none of them; a threshold change changes the outcome; and the stream
//! engine raises exactly the batch alerts.

use netsift::engine::ingest::capture::arp::{ARP_REPLY, ARP_REQUEST};
use netsift::engine::ingest::capture::{read_flows_from_bytes, FlowConfig};
use netsift::engine::rules::{
    evaluate, evaluate_capture, records_from_flows, RuleAlert, RuleEngine, RuleKind, RulesConfig,
};

use crate::capture_app::{benign, client_hello, mac, Cap, S, T0};

const NEW_RULES: [RuleKind; 4] = [
    RuleKind::BruteForce,
    RuleKind::ArpSpoof,
    RuleKind::DnsTunnel,
    RuleKind::NxdomainBurst,
];

fn alerts(cap: &Cap, cfg: &RulesConfig) -> Vec<RuleAlert> {
    let cf = read_flows_from_bytes(&cap.bytes(), FlowConfig::default()).unwrap();
    evaluate_capture(&cf, cfg).unwrap().alerts
}

fn new_rule_alerts(cap: &Cap, cfg: &RulesConfig) -> Vec<RuleAlert> {
    alerts(cap, cfg)
        .into_iter()
        .filter(|a| NEW_RULES.contains(&a.rule))
        .collect()
}

fn secs(ns: i64) -> f64 {
    ns as f64 / 1e9
}

/// Benign office traffic: 4 clients for 20 minutes.
fn office() -> Cap {
    let mut cap = Cap::default();
    benign(&mut cap, T0, 4, 20);
    cap
}

/// `n` FTP login failures from `src` to `dst`, `gap_ms` apart from `t`.
fn ftp_guessing(cap: &mut Cap, t: i64, src: [u8; 4], dst: [u8; 4], n: u16, gap_ms: i64) {
    for i in 0..n {
        let user = format!("USER admin{i}\r\n");
        cap.session(
            t + i64::from(i) * gap_ms * 1_000_000,
            (src, 40_000 + i),
            (dst, 21),
            &[
                (false, b"220 FTP ready\r\n"),
                (true, user.as_bytes()),
                (false, b"331 Password required\r\n"),
                (true, b"PASS letmein\r\n"),
                (false, b"530 Login incorrect\r\n"),
            ],
        );
    }
}

#[test]
fn office_traffic_raises_none_of_the_new_rules() {
    let got = new_rule_alerts(&office(), &RulesConfig::default());
    assert!(got.is_empty(), "{got:#?}");
}

#[test]
fn ftp_password_guessing_raises_brute_force_from_its_source() {
    let mut cap = office();
    let (attacker, ftp) = ([203, 0, 113, 50], [10, 0, 0, 3]);
    let start = T0 + 300 * S;
    ftp_guessing(&mut cap, start, attacker, ftp, 60, 750); // 60 guesses in 45 s
    let got = new_rule_alerts(&cap, &RulesConfig::default());
    assert_eq!(got.len(), 1, "{got:#?}");
    let a = &got[0];
    assert_eq!(a.rule, RuleKind::BruteForce);
    assert_eq!(a.source.as_deref(), Some("203.0.113.50"));
    assert_eq!((a.target.as_deref(), a.port), (Some("10.0.0.3"), Some(21)));
    assert_eq!(a.window_start, secs(start));
    assert!(a.window_end <= secs(start + 45 * S), "{}", a.window_end);
    assert_eq!((a.count("attempts"), a.flow_count), (60.0, 60));
    assert!(a.description.contains("(FTP)"), "{}", a.description);

    let cfg = RulesConfig {
        brute_force_attempts: 61,
        ..RulesConfig::default()
    };
    assert!(new_rule_alerts(&cap, &cfg).is_empty());
    let cfg = RulesConfig {
        brute_force_ports: vec![22],
        ..RulesConfig::default()
    };
    assert!(
        new_rule_alerts(&cap, &cfg).is_empty(),
        "port 21 not watched"
    );
}

#[test]
fn guessing_from_many_sources_raises_the_distributed_form() {
    let mut cap = office();
    let ssh = [10, 0, 0, 4];
    for k in 0..15u8 {
        ftp_guessing(
            &mut cap,
            T0 + 200 * S + i64::from(k) * 7 * S,
            [198, 18, 0, k],
            ssh,
            3,
            2000,
        );
    }
    let cfg = RulesConfig {
        brute_force_ports: vec![21, 22],
        ..RulesConfig::default()
    };
    let got = new_rule_alerts(&cap, &cfg);
    assert_eq!(got.len(), 1, "{got:#?}");
    let a = &got[0];
    assert_eq!((a.rule, a.source.as_deref()), (RuleKind::BruteForce, None));
    assert_eq!((a.target.as_deref(), a.port), (Some("10.0.0.4"), Some(21)));
    assert_eq!(a.count("distinct_sources"), 15.0);
    assert!(
        a.description.starts_with("Distributed password guessing"),
        "{}",
        a.description
    );
    let cfg = RulesConfig {
        brute_force_sources: 16,
        ..cfg
    };
    assert!(new_rule_alerts(&cap, &cfg).is_empty());
}

/// `n` queries of hex-encoded chunks under `domain` from `host`, about a second apart.
fn tunnel(cap: &mut Cap, t: i64, host: [u8; 4], domain: &str, n: u32) {
    for i in 0..n {
        let chunk = format!(
            "{:016x}{:016x}",
            u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            u64::from(i).wrapping_mul(0x2545_F491_4F6C_DD1D)
        );
        let name = format!("{chunk}.{:x}.t.{domain}", i);
        let jitter = i64::from((i * 37) % 23) * 20_000_000;
        cap.dns(
            t + i64::from(i) * S + jitter,
            host,
            20_000 + i as u16,
            [10, 0, 0, 2],
            &name,
            16,
            0,
            &[],
        );
    }
}

#[test]
fn encoded_subdomains_raise_dns_tunnelling_for_the_host_and_domain() {
    let mut cap = office();
    let start = T0 + 400 * S;
    tunnel(&mut cap, start, [10, 0, 0, 66], "evil-tunnel.net", 120);
    let got = new_rule_alerts(&cap, &RulesConfig::default());
    assert_eq!(got.len(), 1, "{got:#?}");
    let a = &got[0];
    assert_eq!(a.rule, RuleKind::DnsTunnel);
    assert_eq!(
        (a.source.as_deref(), a.target.as_deref()),
        (Some("10.0.0.66"), Some("evil-tunnel.net"))
    );
    assert_eq!(a.window_start, secs(start));
    assert!(a.count("distinct_subdomains") >= 40.0);
    let cfg = RulesConfig {
        dns_tunnel_subdomains: 500,
        dns_tunnel_txt_queries: 500,
        ..RulesConfig::default()
    };
    assert!(new_rule_alerts(&cap, &cfg).is_empty());
}

#[test]
fn failed_lookups_of_generated_names_raise_an_nxdomain_burst() {
    let mut cap = office();
    let (bot, start) = ([10, 0, 0, 77], T0 + 500 * S);
    for i in 0..80u32 {
        // Twelve pseudo-random letters (a linear congruential generator seeded by `i`).
        let mut x = u64::from(i) + 1;
        let name: String = (0..12)
            .map(|_| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (b'a' + ((x >> 33) % 26) as u8) as char
            })
            .collect();
        let t = start + i64::from(i) * 400_000_000 + i64::from((i * 53) % 17) * 30_000_000;
        cap.dns(
            t,
            bot,
            25_000 + i as u16,
            [10, 0, 0, 2],
            &format!("{name}.com"),
            1,
            3,
            &[],
        );
    }
    let got = new_rule_alerts(&cap, &RulesConfig::default());
    assert_eq!(got.len(), 1, "{got:#?}");
    let a = &got[0];
    assert_eq!(
        (a.rule, a.source.as_deref(), a.target.as_deref()),
        (RuleKind::NxdomainBurst, Some("10.0.0.77"), None)
    );
    assert_eq!(a.window_start, secs(start));
    assert_eq!(a.count("distinct_names"), 80.0);
    let cfg = RulesConfig {
        nxdomain_names: 81,
        ..RulesConfig::default()
    };
    assert!(new_rule_alerts(&cap, &cfg).is_empty());
}

#[test]
fn arp_poisoning_of_the_gateway_raises_arp_spoofing() {
    let mut cap = office();
    let (gw, victim, evil) = ([10, 0, 0, 1], [10, 0, 0, 10], [0x02, 0x66, 0, 0, 0, 0x66]);
    let start = T0 + 600 * S + S / 2;
    // arpspoof: "the gateway is at my MAC" to the victim every 2 s for a minute.
    for i in 0..30 {
        cap.arp(
            start + i * 2 * S,
            ARP_REPLY,
            (evil, gw),
            (mac(victim), victim),
        );
    }
    let got = new_rule_alerts(&cap, &RulesConfig::default());
    assert_eq!(got.len(), 1, "{got:#?}");
    let a = &got[0];
    assert_eq!(a.rule, RuleKind::ArpSpoof);
    assert_eq!(
        (a.source.as_deref(), a.target.as_deref()),
        (Some("02:66:00:00:00:66"), Some("10.0.0.1"))
    );
    assert_eq!(a.window_start, secs(start), "the first contradicting claim");
    assert!(
        a.count("mac_changes") >= 2.0,
        "the real gateway answers in between: {a:#?}"
    );
    // A binding remembered for 0.4 s only: the gateway's own replies (at least 0.5 s away from
    // the attacker's) are too old to be contradicted.
    let cfg = RulesConfig {
        arp_window_s: 0.4,
        ..RulesConfig::default()
    };
    assert!(new_rule_alerts(&cap, &cfg).is_empty());
}

#[test]
fn one_mac_claiming_a_subnet_and_a_gratuitous_storm_are_reported() {
    let mut cap = Cap::default();
    let evil = [0x02, 0x66, 0, 0, 0, 0x66];
    for i in 0..40u8 {
        let ip = [10, 0, 1, i + 1];
        cap.arp(
            T0 + i64::from(i) * S / 2,
            ARP_REPLY,
            (evil, ip),
            ([0xff; 6], ip),
        );
    }
    cap.arp(
        T0 + 30 * S,
        ARP_REQUEST,
        (mac([10, 0, 0, 9]), [10, 0, 0, 9]),
        ([0; 6], [10, 0, 0, 1]),
    );
    let got = new_rule_alerts(&cap, &RulesConfig::default());
    let mut kinds: Vec<(Option<&str>, bool, bool)> = got
        .iter()
        .map(|a| {
            (
                a.source.as_deref(),
                a.evidence.contains_key("claimed_ips"),
                a.evidence.contains_key("gratuitous_arps"),
            )
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            (Some("02:66:00:00:00:66"), false, true),
            (Some("02:66:00:00:00:66"), true, false)
        ],
        "{got:#?}"
    );
    let cfg = RulesConfig {
        arp_ips_per_mac: 41,
        arp_gratuitous: 41,
        ..RulesConfig::default()
    };
    assert!(new_rule_alerts(&cap, &cfg).is_empty());
}

/// Every planted attack at once in the office traffic, pushed through the stream engine in
/// batches of several sizes: exactly the batch alerts (the flow rules; ARP runs beside them).
#[test]
fn the_new_flow_rules_stream_exactly_as_in_batch() {
    let mut cap = office();
    ftp_guessing(
        &mut cap,
        T0 + 300 * S,
        [203, 0, 113, 50],
        [10, 0, 0, 3],
        60,
        750,
    );
    tunnel(
        &mut cap,
        T0 + 400 * S,
        [10, 0, 0, 66],
        "evil-tunnel.net",
        120,
    );
    for i in 0..80u32 {
        cap.dns(
            T0 + 500 * S + i64::from(i) * 350_000_000,
            [10, 0, 0, 77],
            25_000 + i as u16,
            [10, 0, 0, 2],
            &format!("q{i}zz{}.com", i * 7919),
            1,
            3,
            &[],
        );
    }
    cap.session(
        T0 + 900 * S,
        ([10, 0, 0, 11], 55_555),
        ([93, 184, 216, 34], 443),
        &[(true, &client_hello("x.example.com", 0))],
    );
    let cf = read_flows_from_bytes(&cap.bytes(), FlowConfig::default()).unwrap();
    let mut records = records_from_flows(&cf.flows);
    records.sort_by(|a, b| a.ts.total_cmp(&b.ts).then(a.row.cmp(&b.row)));
    let cfg = RulesConfig::default();
    let batch = evaluate(&records, &cfg).unwrap().alerts;
    let mut kinds: Vec<RuleKind> = batch
        .iter()
        .map(|a| a.rule)
        .filter(|r| NEW_RULES.contains(r))
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            RuleKind::BruteForce,
            RuleKind::DnsTunnel,
            RuleKind::NxdomainBurst
        ]
    );
    for size in [1, 7, 100, records.len()] {
        let mut e = RuleEngine::new(&cfg).unwrap();
        let mut finals = Vec::new();
        for chunk in records.chunks(size) {
            for r in chunk {
                e.push(r);
            }
            e.take_raised();
            finals.extend(e.take_closed());
        }
        finals.extend(e.finish().alerts);
        finals.sort_by(|a, b| {
            a.window_start
                .total_cmp(&b.window_start)
                .then(a.rule.cmp(&b.rule))
        });
        assert_eq!(finals, batch, "batches of {size}");
    }
}
