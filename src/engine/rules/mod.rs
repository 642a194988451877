//! Behaviour rules over flows: port scan, IP scan, SYN flood, traffic spike, DDoS, beaconing,
//! long connections, large outbound transfers, password guessing, DNS tunnelling and NXDOMAIN
//! bursts, beside the models; and ARP spoofing over a capture's ARP records.
//!
//! ```text
//! capture Flows ─► records_from_flows ─┐
//!                                      ├─► FlowRecord[] ─► evaluate (sorted by time) ─► RuleAlert[]
//! Table (meanings) ─► records_from_table ┘        RuleEngine: windows, cooldown, correlate
//! ```
//!
//! | module | job |
//! |---|---|
//! | [`record`] | [`FlowRecord`], the generic flow view, from captures or tables (and which rules each input supports) |
//! | [`config`] | [`RulesConfig`]: thresholds and their defaults |
//! | [`window`] | sliding time windows: distinct counts and sums, evicted as time advances |
//! | [`beacon`] | the beaconing score (dispersion of intervals and sizes) |
//! | `run.rs` | [`RuleEngine`]: records in time order → alerts, incrementally (push, take the raised alerts), sweeping state so it stays bounded; [`evaluate`] for a batch; [`evaluate_capture`] adds the ARP records' rule |
//! | `rule.rs` | the `Rule` trait every rule implements, and the `Flow` it sees |
//! | `distinct.rs`, `syn_flood.rs`, `large_outbound.rs`, `long_connection.rs`, `beaconing.rs`, `traffic_spike.rs`, `brute_force.rs`, `nxdomain.rs`, `dns_tunnel.rs` | one rule family each (a new rule: one new file and one line in `run::rules`; defaults and their sources in each file) |
//! | `arp_spoof.rs` | ARP spoofing over a capture's ARP records, not flows ([`evaluate_capture`] runs it beside the flow rules) |
//! | `book.rs` | the alert book: alerts under construction, cooldown de-duplication, correlation |
//! | `primary.rs` | which rule leads a correlated alert (DDoS vs SYN flood) |
//! | `describe.rs` | [`describe`]: one sentence per alert |
//!
//! **Rules** (defaults in brackets; every window is a true sliding window per key — a deque of
//! events in time order, evicted as time advances, with per-value counters for distinct counts):
//!
//! | rule | key | fires when | severity |
//! |---|---|---|---|
//! | `port_scan` | source → host | ≥ 20 distinct destination ports in 60 s | high |
//! | `ip_scan` | source | ≥ 50 distinct destination hosts in 60 s | medium |
//! | `syn_flood` | host | ≥ 100 SYNs of half-open TCP connections (no completed handshake, no reset) in 10 s | critical |
//! | `traffic_spike` | host, and all traffic | ≥ 1000 packets in one 1-second bucket; each flow's packets are spread evenly over its duration | medium |
//! | `ddos` | host | ≥ 20 distinct sources in 30 s | critical |
//! | `beaconing` | source → host:port | ≥ 10 connections with a regularity score ≥ 0.8 ([`beacon`]) and a median interval ≥ 1 s | high |
//! | `long_connection` | 5-tuple | one conversation (flows of the 5-tuple less than 120 s apart) lasting ≥ 3600 s | low |
//! | `large_outbound` | source → host | in 3600 s, ≥ 10 MB sent, or ≥ 1 MB sent and ≥ 10× what came back; destination outside private ranges | high |
//! | `brute_force` | source → host:port, and host:port | ≥ 20 short logins (completed, < 30 s, < 20 kB) to a login port in 900 s; distributed: ≥ 10 sources and ≥ 20 logins | high |
//! | `dns_tunnel` | source → registered domain | in 300 s ≥ 40 distinct subdomains, half of the queries encoded-looking (label ≥ 30 chars or entropy ≥ 3.5 bits); or ≥ 50 TXT/NULL queries | high |
//! | `nxdomain_burst` | source | ≥ 50 distinct names answered NXDOMAIN in 300 s | medium |
//! | `arp_spoof` | IP, or MAC | an IP claimed by another MAC within 3600 s; one MAC claiming ≥ 10 IPs; ≥ 30 gratuitous ARPs from one MAC in 60 s | high |
//!
//! Severity rises one level (at most critical) when the measured value reaches five times the
//! threshold (e.g. a port scan over ≥ 100 ports is critical).
//!
//! **Time**: each flow is an event at its start time (`ts`); records are processed sorted by
//! `(ts, row)`. Window bounds are inclusive: events exactly one window apart share a window.
//!
//! **De-duplication (cooldown, default 300 s)**: once a rule fired for a key,
//! further triggers for that key that start within `cooldown_s` of the alert's end extend that
//! alert (later end, peak evidence, more flows) instead of raising another.
//!
//! **Correlation** (`correlate`, default on): one attack often trips several rules. A DDoS alert
//! on a host overlapping a SYN flood alert on the same host (a spoofed SYN flood has many sources)
//! is folded into the SYN flood; a per-host traffic spike into an overlapping SYN flood or DDoS on
//! that host; an all-traffic spike into any overlapping per-host alert of those three.
//! "Overlapping" allows the folded rule's window as slack (the DDoS window; 1 s for spikes). It
//! runs as the stream goes: a DDoS or spike alert waits for its slack after it is raised, and is
//! folded into the earliest-opened fitting alert that exists by then (or that opens while it
//! waits); otherwise it is raised on its own. The folded rule is listed in
//! [`RuleAlert::related`] and its evidence is kept with the rule id as prefix; the kept alert
//! keeps its own window and flows. When the final alert is a SYN flood with a DDoS folded in
//! and its sources repeat (≥ 2 SYNs per source: real machines, not forged addresses), the DDoS
//! leads instead (`primary.rs`).
//!
//! Alerts come out sorted by window start, then rule, source and target.

mod arp_spoof;
pub mod beacon;
mod beaconing;
mod book;
mod brute_force;
pub mod config;
mod describe;
mod distinct;
mod dns_tunnel;
mod fxmap;
mod large_outbound;
mod long_connection;
mod nxdomain;
mod primary;
pub mod record;
mod rule;
mod run;
mod syn_flood;
mod traffic_spike;
pub mod window;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use beaconing::{BEACON_HORIZON_S, BEACON_MAX_TOTAL};

pub use config::RulesConfig;
pub use describe::describe;
pub use large_outbound::OUTBOUND_DENSE;
pub use record::{
    dns_rcode_number, dns_type_number, protocol_number, records_from_flows, records_from_table,
    table_records, DnsFacts, FlowRecord, TableRecords,
};
pub use run::{evaluate, EngineSizes, RuleEngine, SWEEP_S};

/// Which rule raised an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Many ports of one host from one source.
    PortScan,
    /// Many hosts from one source.
    IpScan,
    /// Many half-open TCP connections toward one host.
    SynFlood,
    /// Packet rate above a threshold, toward one host or overall.
    TrafficSpike,
    /// Many sources toward one host.
    Ddos,
    /// Regular call-home connections.
    Beaconing,
    /// A conversation lasting hours.
    LongConnection,
    /// A large upload (possible exfiltration).
    LargeOutbound,
    /// Many short or failed logins to an authentication service (password guessing).
    BruteForce,
    /// ARP replies that rebind an address to another MAC (ARP spoofing / poisoning).
    ArpSpoof,
    /// DNS queries that carry data: many unique, long or random-looking subdomains of one domain.
    DnsTunnel,
    /// Many failed (NXDOMAIN) lookups from one host (domain-generation malware, misconfiguration).
    NxdomainBurst,
}

impl RuleKind {
    /// Every rule, in display order.
    pub const ALL: [RuleKind; 12] = [
        RuleKind::PortScan,
        RuleKind::IpScan,
        RuleKind::SynFlood,
        RuleKind::TrafficSpike,
        RuleKind::Ddos,
        RuleKind::Beaconing,
        RuleKind::LongConnection,
        RuleKind::LargeOutbound,
        RuleKind::BruteForce,
        RuleKind::ArpSpoof,
        RuleKind::DnsTunnel,
        RuleKind::NxdomainBurst,
    ];

    /// Stable snake_case id (`port_scan`, …).
    pub fn id(self) -> &'static str {
        match self {
            RuleKind::PortScan => "port_scan",
            RuleKind::IpScan => "ip_scan",
            RuleKind::SynFlood => "syn_flood",
            RuleKind::TrafficSpike => "traffic_spike",
            RuleKind::Ddos => "ddos",
            RuleKind::Beaconing => "beaconing",
            RuleKind::LongConnection => "long_connection",
            RuleKind::LargeOutbound => "large_outbound",
            RuleKind::BruteForce => "brute_force",
            RuleKind::ArpSpoof => "arp_spoof",
            RuleKind::DnsTunnel => "dns_tunnel",
            RuleKind::NxdomainBurst => "nxdomain_burst",
        }
    }

    /// Human name ("Port scan", …).
    pub fn title(self) -> &'static str {
        match self {
            RuleKind::PortScan => "Port scan",
            RuleKind::IpScan => "IP scan",
            RuleKind::SynFlood => "SYN flood",
            RuleKind::TrafficSpike => "Traffic spike",
            RuleKind::Ddos => "DDoS",
            RuleKind::Beaconing => "Beaconing",
            RuleKind::LongConnection => "Long connection",
            RuleKind::LargeOutbound => "Large outbound transfer",
            RuleKind::BruteForce => "Password guessing",
            RuleKind::ArpSpoof => "ARP spoofing",
            RuleKind::DnsTunnel => "DNS tunnelling",
            RuleKind::NxdomainBurst => "NXDOMAIN burst",
        }
    }

    /// The severity the rule gives before escalation (see the module docs).
    pub fn base_severity(self) -> ThreatLevel {
        match self {
            RuleKind::PortScan
            | RuleKind::Beaconing
            | RuleKind::LargeOutbound
            | RuleKind::BruteForce
            | RuleKind::ArpSpoof
            | RuleKind::DnsTunnel => ThreatLevel::High,
            RuleKind::IpScan | RuleKind::TrafficSpike | RuleKind::NxdomainBurst => {
                ThreatLevel::Medium
            }
            RuleKind::SynFlood | RuleKind::Ddos => ThreatLevel::Critical,
            RuleKind::LongConnection => ThreatLevel::Low,
        }
    }
}

/// Four-level severity shared by rule alerts, enriched anomalies and written analyses.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum ThreatLevel {
    /// Worth a look.
    #[default]
    Low,
    /// Review soon.
    Medium,
    /// Review today.
    High,
    /// Act now.
    Critical,
}

impl ThreatLevel {
    /// Lower-case id (`low`, `medium`, `high`, `critical`).
    pub fn id(self) -> &'static str {
        match self {
            ThreatLevel::Low => "low",
            ThreatLevel::Medium => "medium",
            ThreatLevel::High => "high",
            ThreatLevel::Critical => "critical",
        }
    }

    /// Capitalised name.
    pub fn title(self) -> &'static str {
        match self {
            ThreatLevel::Low => "Low",
            ThreatLevel::Medium => "Medium",
            ThreatLevel::High => "High",
            ThreatLevel::Critical => "Critical",
        }
    }

    /// The level `n` steps up, at most critical.
    pub fn raised(self, n: u32) -> Self {
        let i = (self as u32 + n).min(3);
        [
            ThreatLevel::Low,
            ThreatLevel::Medium,
            ThreatLevel::High,
            ThreatLevel::Critical,
        ][i as usize]
    }
}

/// One rule alert with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleAlert {
    /// The rule.
    pub rule: RuleKind,
    /// How bad (base severity of the rule, raised at five times the threshold).
    pub severity: ThreatLevel,
    /// The source address (`None` for many-source rules: DDoS, SYN flood, spikes).
    pub source: Option<String>,
    /// The target address (`None` for IP scans and all-traffic spikes).
    pub target: Option<String>,
    /// Destination port for port-specific rules (beaconing, long connection).
    pub port: Option<u16>,
    /// First event, epoch seconds.
    pub window_start: f64,
    /// Last event, epoch seconds.
    pub window_end: f64,
    /// Named counts, per rule: `distinct_ports`, `distinct_hosts`, `syns`, `pps`,
    /// `distinct_sources`, `connections` / `score` / `interval_median_s` / …, `duration_s`,
    /// `bytes_out` / `bytes_in`; peaks over the alert's lifetime. Folded rules add theirs with
    /// their id as prefix (`ddos.distinct_sources`).
    pub evidence: BTreeMap<String, f64>,
    /// Rows (table rows or capture flow positions) involved, ascending, at most
    /// `max_flows_per_alert`.
    pub flows: Vec<usize>,
    /// How many rows are involved in all.
    pub flow_count: usize,
    /// Rules folded into this alert by correlation.
    pub related: Vec<RuleKind>,
    /// One sentence for people.
    pub description: String,
}

impl RuleAlert {
    /// An evidence value, 0 when absent.
    pub fn count(&self, name: &str) -> f64 {
        self.evidence.get(name).copied().unwrap_or(0.0)
    }
}

/// A rule that could not run on this data, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSupport {
    /// The rule.
    pub rule: RuleKind,
    /// What the data lacks.
    pub reason: String,
}

/// The result of a rules run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesOutcome {
    /// Alerts, sorted (see the module docs).
    pub alerts: Vec<RuleAlert>,
    /// Rules that could not run on the data.
    pub unsupported: Vec<RuleSupport>,
    /// Records evaluated.
    pub records: usize,
}

/// The rules over a packet capture: its flows through the flow rules ([`evaluate`]), its ARP
/// records through [`arp_spoof`]; the alerts merged and sorted.
pub fn evaluate_capture(
    capture: &crate::engine::ingest::capture::CaptureFlows,
    config: &RulesConfig,
) -> Result<RulesOutcome, crate::engine::error::Error> {
    let mut out = evaluate(&records_from_flows(&capture.flows), config)?;
    out.alerts
        .extend(arp_spoof::arp_alerts(&capture.arp.records, config));
    run::sort_alerts(&mut out.alerts);
    Ok(out)
}

/// Which rules lack the data they need in these records.
pub fn unsupported_rules(records: &[FlowRecord]) -> Vec<RuleSupport> {
    let mut out = Vec::new();
    let mut need = |rule, ok: bool, reason: &str| {
        if !ok {
            out.push(RuleSupport {
                rule,
                reason: reason.to_owned(),
            })
        }
    };
    if records.is_empty() {
        return out;
    }
    need(
        RuleKind::PortScan,
        records.iter().any(|r| r.dst_port.is_some()),
        "no destination ports",
    );
    need(
        RuleKind::SynFlood,
        records.iter().any(|r| r.half_open_syns().is_some()),
        "no TCP flag counts or handshake state",
    );
    need(
        RuleKind::TrafficSpike,
        records.iter().any(|r| r.packets().is_some()),
        "no packet counts",
    );
    need(
        RuleKind::LongConnection,
        records.iter().any(|r| r.end > r.ts),
        "no flow durations",
    );
    need(
        RuleKind::LargeOutbound,
        records.iter().any(|r| r.bytes_fwd.is_some()),
        "no byte counts",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raised_severity_stops_at_critical() {
        assert_eq!(ThreatLevel::High.raised(1), ThreatLevel::Critical);
        assert_eq!(ThreatLevel::Critical.raised(3), ThreatLevel::Critical);
        assert_eq!(ThreatLevel::Low.raised(0), ThreatLevel::Low);
    }
}
