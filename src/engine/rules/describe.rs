//! One sentence per alert, from its evidence (the alert's `description`).

use super::{RuleAlert, RuleKind};

fn fmt_count(x: f64) -> String {
    crate::engine::text::amount(x)
}

fn human_bytes(b: f64) -> String {
    crate::engine::text::bytes(b, 1)
}

/// One sentence for an alert, from its evidence.
pub fn describe(a: &RuleAlert) -> String {
    let src = a.source.as_deref().unwrap_or("?");
    let dst = a.target.as_deref().unwrap_or("?");
    let span = a.window_end - a.window_start;
    let span = if span < 10.0 {
        format!("{span:.1} s")
    } else {
        format!("{span:.0} s")
    };
    let c = |k| fmt_count(a.count(k));
    match a.rule {
        RuleKind::PortScan => format!(
            "Port scan: {src} probed {} ports on {dst} within {span}",
            c("distinct_ports")
        ),
        RuleKind::IpScan => format!(
            "IP scan: {src} contacted {} hosts within {span}",
            c("distinct_hosts")
        ),
        RuleKind::SynFlood => format!(
            "SYN flood: {} SYNs of half-open connections toward {dst} within {span}",
            c("syns")
        ),
        RuleKind::TrafficSpike => match &a.target {
            Some(t) => format!("Traffic spike: {} packets/s toward {t}", c("pps")),
            None => format!("Traffic spike: {} packets/s in total", c("pps")),
        },
        RuleKind::Ddos => format!(
            "Possible DDoS: {} sources hitting {dst} within {span}",
            c("distinct_sources")
        ),
        RuleKind::Beaconing => format!(
            "Beaconing: {src} called {dst}{} {} times every {:.1} s (regularity score {:.2})",
            a.port.map(|p| format!(":{p}")).unwrap_or_default(),
            c("connections"),
            a.count("interval_median_s"),
            a.count("score")
        ),
        RuleKind::LongConnection => format!(
            "Long connection: {src} → {dst}{} open for {:.1} h",
            a.port.map(|p| format!(":{p}")).unwrap_or_default(),
            a.count("duration_s") / 3600.0
        ),
        RuleKind::LargeOutbound => format!(
            "Large outbound transfer (possible exfiltration): {src} sent {} to {dst} and received {} within {span}",
            human_bytes(a.count("bytes_out")),
            human_bytes(a.count("bytes_in"))
        ),
        RuleKind::BruteForce => super::brute_force::describe(a, &span),
        RuleKind::DnsTunnel => super::dns_tunnel::describe(a, &span),
        RuleKind::NxdomainBurst => super::nxdomain::describe(a, &span),
        RuleKind::ArpSpoof => super::arp_spoof::describe(a),
    }
}
