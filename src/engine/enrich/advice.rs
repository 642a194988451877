//! Mitigation advice in four recommendation kinds (traffic spike, pattern, protocol,
//! exfiltration) plus scans and command and control, each with concrete actions naming the hosts
//! and ports involved ("rate-limit 10.0.0.5 at the edge", "block outbound to 203.0.113.9:4444").
//!
//! | kind | from types | generic actions, made concrete |
//! |---|---|---|
//! | `TRAFFIC_SPIKE` | SYN flood, DDoS, traffic spike, high packet rate, burst, excessive SYN | rate limiting, throttling, DDoS protection |
//! | `SCAN` | port scan, IP scan, probe-like flow | block the scanner, audit what answered |
//! | `DATA_EXFILTRATION` | exfiltration, high byte count, long duration | egress filtering, DLP, transfer monitoring |
//! | `COMMAND_AND_CONTROL` | beaconing, suspicious port | block the destination, hunt the scheduled task |
//! | `PROTOCOL_ANOMALY` | unknown protocol, protocol/port mismatch, unusual port | firewall rules, DPI, protocol validation |
//! | `PATTERN_ANOMALY` | anything else (behavioural, packet size, off-hours) | behavioural analysis, IDS signatures, segmentation |

use serde::{Deserialize, Serialize};

use crate::engine::enrich::{AnomalyType, Enriched};
use crate::engine::rules::{RuleKind, ThreatLevel};

/// Kind of recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AdviceKind {
    /// Volume attacks.
    TrafficSpike,
    /// Reconnaissance.
    Scan,
    /// Data leaving.
    DataExfiltration,
    /// Call-home traffic.
    CommandAndControl,
    /// Protocol misuse.
    ProtocolAnomaly,
    /// Unusual behaviour.
    PatternAnomaly,
}

/// One recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    /// Kind.
    pub kind: AdviceKind,
    /// How urgent (the finding's severity).
    pub severity: ThreatLevel,
    /// What was seen, in a few words.
    pub description: String,
    /// Concrete steps, most urgent first.
    pub actions: Vec<String>,
}

fn kind_of(t: AnomalyType) -> AdviceKind {
    use AnomalyType as T;
    match t {
        T::SynFlood
        | T::Ddos
        | T::TrafficSpike
        | T::HighPacketRate
        | T::BurstTraffic
        | T::ExcessiveSyn => AdviceKind::TrafficSpike,
        // Password guessing comes from a source to block and watch, as a scan does.
        T::PortScan | T::IpScan | T::PotentialPortScan | T::BruteForce => AdviceKind::Scan,
        T::Exfiltration | T::HighByteCount | T::LongDuration | T::DnsTunnelling => {
            AdviceKind::DataExfiltration
        }
        T::Beaconing | T::SuspiciousPort | T::FailedLookups => AdviceKind::CommandAndControl,
        T::ArpSpoofing => AdviceKind::ProtocolAnomaly,
        T::UnknownProtocol | T::ProtocolPortMismatch | T::UnusualPort => {
            AdviceKind::ProtocolAnomaly
        }
        T::LargePacket | T::UnusualPacketSize | T::OffHoursActivity | T::Behavioral => {
            AdviceKind::PatternAnomaly
        }
    }
}

/// Advice for an enriched finding: one entry per advice kind its types map to, in type order.
pub fn advise(e: &Enriched) -> Vec<Advice> {
    let f = &e.facts;
    let src = f.src.clone().unwrap_or_else(|| "the source host".into());
    let dst = f
        .dst
        .clone()
        .unwrap_or_else(|| "the destination host".into());
    let dst_port = match (&f.dst, f.dst_port) {
        (Some(d), Some(p)) => format!("{d}:{p}"),
        (Some(d), None) => d.clone(),
        (None, Some(p)) => format!("port {p}"),
        (None, None) => "the destination".into(),
    };
    let many_sources = e.alerts.iter().any(|a| {
        matches!(
            a.rule,
            RuleKind::Ddos | RuleKind::SynFlood | RuleKind::TrafficSpike
        ) && a.source.is_none()
    });
    let mut kinds: Vec<AdviceKind> = Vec::new();
    for t in &e.types {
        let k = kind_of(*t);
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    kinds
        .into_iter()
        .map(|kind| {
            let (description, actions): (&str, Vec<String>) = match kind {
                AdviceKind::TrafficSpike => {
                    let mut a = Vec::new();
                    if e.types.contains(&AnomalyType::SynFlood) || e.types.contains(&AnomalyType::ExcessiveSyn) {
                        a.push(format!("enable SYN cookies and shorten the SYN-received timeout on {dst}"));
                    }
                    if many_sources || f.src.is_none() {
                        a.push(format!("rate-limit traffic toward {dst} at the edge and ask the upstream provider for DDoS scrubbing"));
                    } else {
                        a.push(format!("rate-limit {src} at the edge"));
                    }
                    a.push(format!("throttle new connections per source to {dst} (e.g. connlimit / per-IP SYN rate)"));
                    a.push("put DDoS protection (CDN or scrubbing service) in front of the exposed service".into());
                    ("Unusual spike in network traffic", a)
                }
                AdviceKind::Scan => (
                    "Reconnaissance: a host is mapping the network",
                    vec![
                        format!("block {src} at the perimeter firewall for 24 h"),
                        format!("list which ports on {dst} answered and close the services that need not be exposed"),
                        format!("add an IDS watch for further traffic from {src}"),
                    ],
                ),
                AdviceKind::DataExfiltration => (
                    "Potential data exfiltration",
                    vec![
                        format!("block outbound to {dst_port} until the transfer is explained"),
                        format!("check {src} for the process that sent the data and what it read"),
                        "enable data-loss prevention and egress filtering for this host's segment".into(),
                        format!("monitor transfer volumes from {src} to external hosts"),
                    ],
                ),
                AdviceKind::CommandAndControl => (
                    "Possible command-and-control traffic",
                    vec![
                        format!("block outbound to {dst_port}"),
                        format!("isolate {src} and check the host for a scheduled task, cron job or service that calls {dst}"),
                        format!("search other hosts' logs for connections to {dst}"),
                    ],
                ),
                AdviceKind::ProtocolAnomaly => {
                    let what = match (&f.protocol, f.dst_port) {
                        (Some(p), Some(port)) => format!("{p} to port {port}"),
                        (Some(p), None) => p.clone(),
                        (None, Some(port)) => format!("port {port}"),
                        (None, None) => "this protocol".into(),
                    };
                    (
                        "Unusual protocol behaviour",
                        vec![
                            format!("block {what} at the firewall unless it is expected"),
                            format!("inspect the payloads of {src} → {dst_port} with deep packet inspection"),
                            format!("verify which process on {src} uses {what}"),
                        ],
                    )
                }
                AdviceKind::PatternAnomaly => (
                    "Unusual traffic pattern",
                    vec![
                        format!("review recent activity of {src} and {dst} (logins, processes, transfers)"),
                        "update IDS signatures and enable behavioural analysis for this traffic".into(),
                        format!("segment {src} from sensitive systems while it is reviewed"),
                    ],
                ),
            };
            Advice {
                kind,
                severity: e.severity,
                description: description.into(),
                actions,
            }
        })
        .collect()
}
