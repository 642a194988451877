//! Enrichment of anomalies and rule alerts: an anomaly type, tags, a combined severity and
//! mitigation advice ([`advice`](crate::engine::enrich::advice)).
//!
//! **Types** (first match is the primary [`Enriched::anomaly_type`]; all matches are listed).
//! Values are judged against the *training* rows ([`Baseline`], 99th percentiles unless said)
//! with the seeds' absolute cut-offs as fall-backs when a baseline is missing; every check needs
//! only the columns it reads and is skipped when they are absent:
//!
//! | type | when |
//! |---|---|
//! | a rule's type (`PORT_SCAN`, `SYN_FLOOD`, `DDOS`, `BEACONING`, …) | a rule alert involves the row |
//! | `SUSPICIOUS_PORT` | source or destination port in {1337, 4444, 6666, 9999, 12345, 31337, 54321} |
//! | `EXFILTRATION` | bytes above p99 and ≥ 10× more sent than received |
//! | `EXCESSIVE_SYN` | more than 50 SYN flags |
//! | `LARGE_PACKET` | bytes per packet above p99 (fall-back 2000; a `length`-style column is per packet) |
//! | `HIGH_PACKET_RATE` | packets/s above p99 (fall-back 1000) |
//! | `BURST_TRAFFIC` | more than 100 packets in under 1 s |
//! | `LONG_DURATION` | duration above p99 (fall-back 3600 s) |
//! | `UNKNOWN_PROTOCOL` | protocol not seen in training, or not TCP/UDP/ICMP when there is no baseline |
//! | `PROTOCOL_PORT_MISMATCH` | UDP to 22, 25, 80 or 8080; TCP to 123 or 161 |
//! | `UNUSUAL_PORT` ("Suspicious outbound port") | destination port below 0.1 % of training rows (fall-back: not a common service port) |
//! | `UNUSUAL_PACKET_SIZE` | bytes per packet below p1 |
//! | `POTENTIAL_PORT_SCAN` | ≤ 2 packets, < 100 bytes, < 0.2 s |
//! | `HIGH_BYTE_COUNT` | bytes above p99 (fall-back 1 MB) |
//! | `OFF_HOURS_ACTIVITY` | 20:00–06:00 UTC or a weekend, with bytes above the median |
//! | `BEHAVIORAL` | none of the above: the models see an unusual combination |
//!
//! **Severity** ([`combined_severity`]): points from the evidence —
//!
//! | evidence | points |
//! |---|---|
//! | votes beyond the minimum (`votes − min_votes`, at most 2: 4 of 4 with k = 2 → 2) | 0–2 |
//! | ensemble score margin past its threshold ≥ 0.5 / ≥ 0.9 | 1 / 2 |
//! | a hard indicator (`SUSPICIOUS_PORT`, `EXFILTRATION`, `EXCESSIVE_SYN`, `UNKNOWN_PROTOCOL`, `PROTOCOL_PORT_MISMATCH`) | 1 |
//! | any rule alert involves the row | 1 |
//!
//! 0 → low, 1–2 → medium, 3–4 → high, ≥ 5 → critical; the result is at least the strongest rule
//! alert's own severity. Every level is reachable from the models alone (a unanimous vote with an
//! extreme score and a hard indicator is critical), unlike the scoring schemes netsift was
//! specified from, where `high` needed a score the model could not produce and `critical` a
//! decision score never reached.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub mod advice;

use crate::engine::data::{Column, Meaning, Table, Values, MISSING_CODE};
use crate::engine::ingest::header_key;
use crate::engine::math;
use crate::engine::pipeline::RunResult;
use crate::engine::rules::{protocol_number, RuleAlert, RuleKind, ThreatLevel};
use advice::{advise, Advice};

/// What kind of anomaly a row or alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AnomalyType {
    /// Port scan (rule).
    PortScan,
    /// IP scan (rule).
    IpScan,
    /// SYN flood (rule).
    SynFlood,
    /// DDoS (rule).
    Ddos,
    /// Traffic spike (rule).
    TrafficSpike,
    /// Regular call-home connections (rule).
    Beaconing,
    /// Large upload / possible exfiltration (rule or values).
    Exfiltration,
    /// A known-bad port.
    SuspiciousPort,
    /// Many SYN flags.
    ExcessiveSyn,
    /// Large packets.
    LargePacket,
    /// High packet rate.
    HighPacketRate,
    /// Many packets in a very short flow.
    BurstTraffic,
    /// Long flow (or a long-connection rule).
    LongDuration,
    /// Protocol never seen in training.
    UnknownProtocol,
    /// Protocol that does not fit the port.
    ProtocolPortMismatch,
    /// Destination port rarely or never seen in training.
    UnusualPort,
    /// Very small packets.
    UnusualPacketSize,
    /// A tiny probe-like flow.
    PotentialPortScan,
    /// Many bytes.
    HighByteCount,
    /// Heavy traffic outside business hours.
    OffHoursActivity,
    /// Password guessing against a login service (rule).
    BruteForce,
    /// ARP spoofing / poisoning (rule).
    ArpSpoofing,
    /// Data carried in DNS queries (rule).
    DnsTunnelling,
    /// Bursts of failed DNS lookups (rule).
    FailedLookups,
    /// None of the above.
    Behavioral,
}

impl AnomalyType {
    /// Human title (short, analyst-style).
    pub fn title(self) -> &'static str {
        match self {
            Self::PortScan => "Port scan",
            Self::IpScan => "IP scan",
            Self::SynFlood => "SYN flood",
            Self::Ddos => "DDoS",
            Self::TrafficSpike => "Traffic spike",
            Self::Beaconing => "Beaconing (possible command and control)",
            Self::Exfiltration => "Possible data exfiltration",
            Self::SuspiciousPort => "Suspicious port",
            Self::ExcessiveSyn => "Excessive SYN",
            Self::LargePacket => "Unusual packet size (large)",
            Self::HighPacketRate => "High packet rate",
            Self::BurstTraffic => "Burst traffic",
            Self::LongDuration => "Long duration",
            Self::UnknownProtocol => "Unknown protocol",
            Self::ProtocolPortMismatch => "Protocol/port mismatch",
            Self::UnusualPort => "Suspicious outbound port",
            Self::UnusualPacketSize => "Unusual packet size (small)",
            Self::PotentialPortScan => "Probe-like flow",
            Self::HighByteCount => "High byte count",
            Self::OffHoursActivity => "Off-hours activity",
            Self::BruteForce => "Password guessing (brute force)",
            Self::ArpSpoofing => "ARP spoofing (possible man-in-the-middle)",
            Self::DnsTunnelling => "DNS tunnelling",
            Self::FailedLookups => "Failed DNS lookups (possible DGA)",
            Self::Behavioral => "General anomaly (behavioural)",
        }
    }

    /// The type a rule implies.
    pub fn from_rule(rule: RuleKind) -> Self {
        match rule {
            RuleKind::PortScan => Self::PortScan,
            RuleKind::IpScan => Self::IpScan,
            RuleKind::SynFlood => Self::SynFlood,
            RuleKind::TrafficSpike => Self::TrafficSpike,
            RuleKind::Ddos => Self::Ddos,
            RuleKind::Beaconing => Self::Beaconing,
            RuleKind::LongConnection => Self::LongDuration,
            RuleKind::LargeOutbound => Self::Exfiltration,
            RuleKind::BruteForce => Self::BruteForce,
            RuleKind::ArpSpoof => Self::ArpSpoofing,
            RuleKind::DnsTunnel => Self::DnsTunnelling,
            RuleKind::NxdomainBurst => Self::FailedLookups,
        }
    }

    /// Types that add a severity point by themselves.
    pub fn is_hard_indicator(self) -> bool {
        matches!(
            self,
            Self::SuspiciousPort
                | Self::Exfiltration
                | Self::ExcessiveSyn
                | Self::UnknownProtocol
                | Self::ProtocolPortMismatch
        )
    }
}

/// Ports malware and backdoors are known for (including Metasploit's 4444).
pub const SUSPICIOUS_PORTS: [u16; 7] = [1337, 4444, 6666, 9999, 12345, 31337, 54321];
/// Common service ports, the fall-back for `UNUSUAL_PORT`.
pub const COMMON_PORTS: [u16; 14] = [
    20, 21, 22, 25, 53, 80, 110, 123, 143, 443, 465, 587, 993, 8080,
];

/// One row's network facts (everything optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// Source address.
    pub src: Option<String>,
    /// Destination address.
    pub dst: Option<String>,
    /// Source port.
    pub src_port: Option<u16>,
    /// Destination port.
    pub dst_port: Option<u16>,
    /// Protocol as written.
    pub protocol: Option<String>,
    /// Bytes (the `Bytes` meaning column).
    pub bytes: Option<f64>,
    /// Bytes sent back, when a directional column exists.
    pub bytes_back: Option<f64>,
    /// Packets.
    pub packets: Option<f64>,
    /// Duration, seconds.
    pub duration: Option<f64>,
    /// SYN flags.
    pub syn: Option<f64>,
    /// Epoch seconds.
    pub timestamp: Option<f64>,
}

impl Facts {
    /// Bytes per packet (or the bytes themselves for per-packet records without a packet count).
    pub fn packet_size(&self) -> Option<f64> {
        match (self.bytes, self.packets) {
            (Some(b), Some(p)) if p > 0.0 => Some(b / p),
            (Some(b), None) => Some(b),
            _ => None,
        }
    }

    /// Packets per second.
    pub fn pps(&self) -> Option<f64> {
        match (self.packets, self.duration) {
            (Some(p), Some(d)) if d > 0.0 => Some(p / d),
            _ => None,
        }
    }

    /// Reads a row; absent columns give `None`.
    pub fn read(table: &Table, row: usize) -> Self {
        let m = |meaning| table.by_meaning(meaning);
        let by_name = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| table.columns.iter().find(|c| header_key(&c.name) == *k))
        };
        let dur = m(Meaning::Duration)
            .map(|c| (c, 1.0))
            .or_else(|| by_name(&["flowduration"]).map(|c| (c, 1e-6)));
        Facts {
            src: m(Meaning::SrcIp).and_then(|c| cell_text(c, row)),
            dst: m(Meaning::DstIp).and_then(|c| cell_text(c, row)),
            src_port: num(m(Meaning::SrcPort), row).and_then(as_port),
            dst_port: num(m(Meaning::DstPort), row).and_then(as_port),
            protocol: m(Meaning::Protocol).and_then(|c| cell_text(c, row)),
            bytes: num(m(Meaning::Bytes), row),
            bytes_back: num(
                by_name(&[
                    "totlenbwdpkts",
                    "totallengthofbwdpackets",
                    "respbytes",
                    "dbytes",
                    "dstbytes",
                ]),
                row,
            ),
            packets: num(m(Meaning::Packets), row),
            duration: dur.and_then(|(c, k)| num(Some(c), row).map(|x| x * k)),
            syn: num(by_name(&["synflagcnt", "synflagcount"]), row),
            timestamp: table
                .timestamps()
                .and_then(|t| t.get(row).copied())
                .filter(|x| x.is_finite()),
        }
    }
}

fn as_port(x: f64) -> Option<u16> {
    ((0.0..=65535.0).contains(&x) && x.fract() == 0.0).then_some(x as u16)
}

fn cell_text(c: &Column, row: usize) -> Option<String> {
    match &c.values {
        Values::Categorical { levels, codes } => {
            let code = *codes.get(row)?;
            (code != MISSING_CODE)
                .then(|| levels.get(code as usize).cloned())
                .flatten()
        }
        Values::Numeric(v) => v
            .get(row)
            .filter(|x| x.is_finite())
            .map(|x| crate::engine::text::number(*x)),
    }
}

fn num(c: Option<&Column>, row: usize) -> Option<f64> {
    let c = c?;
    match &c.values {
        Values::Numeric(v) => v.get(row).copied().filter(|x| x.is_finite()),
        Values::Categorical { .. } => cell_text(c, row)?.trim().parse().ok(),
    }
}

/// 1st, 50th, 95th and 99th percentiles of one quantity over the training rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    /// 1st percentile.
    pub p1: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

impl Quantiles {
    fn of(values: Vec<f64>) -> Option<Self> {
        if values.len() < 10 {
            return None;
        }
        let s = math::sorted(&values);
        Some(Self {
            p1: math::percentile_sorted(&s, 1.0),
            p50: math::percentile_sorted(&s, 50.0),
            p95: math::percentile_sorted(&s, 95.0),
            p99: math::percentile_sorted(&s, 99.0),
        })
    }
}

/// The training distribution the values are judged against.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Bytes per flow.
    pub bytes: Option<Quantiles>,
    /// Bytes per packet.
    pub packet_size: Option<Quantiles>,
    /// Packets per second.
    pub pps: Option<Quantiles>,
    /// Duration, seconds.
    pub duration: Option<Quantiles>,
    /// Protocols seen (lower-case), empty when the data has no protocol column.
    pub protocols: Vec<String>,
    /// Destination ports seen in at least 0.1 % of the training rows, ascending.
    pub common_dst_ports: Vec<u16>,
}

impl Baseline {
    /// Fits on the given rows (the training rows; fewer than 10 values leave a quantity unset).
    pub fn fit(table: &Table, rows: &[usize]) -> Self {
        let facts: Vec<Facts> = rows.iter().map(|&r| Facts::read(table, r)).collect();
        let col = |f: fn(&Facts) -> Option<f64>| facts.iter().filter_map(f).collect::<Vec<_>>();
        let mut protocols: Vec<String> = facts
            .iter()
            .filter_map(|f| f.protocol.as_ref().map(|p| p.trim().to_ascii_lowercase()))
            .collect();
        protocols.sort();
        protocols.dedup();
        let mut ports: BTreeMap<u16, usize> = BTreeMap::new();
        let mut with_port = 0usize;
        for p in facts.iter().filter_map(|f| f.dst_port) {
            *ports.entry(p).or_default() += 1;
            with_port += 1;
        }
        let common_dst_ports = ports
            .into_iter()
            .filter(|&(_, n)| n * 1000 >= with_port)
            .map(|(p, _)| p)
            .collect();
        Self {
            bytes: Quantiles::of(col(|f| f.bytes)),
            packet_size: Quantiles::of(col(Facts::packet_size)),
            pps: Quantiles::of(col(Facts::pps)),
            duration: Quantiles::of(col(|f| f.duration)),
            protocols,
            common_dst_ports,
        }
    }
}

/// What the models said about a row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModelFacts {
    /// Detectors voting anomaly.
    pub votes: u8,
    /// Detectors in the ensemble.
    pub n_models: usize,
    /// Votes needed.
    pub min_votes: usize,
    /// Continuous ensemble score in [0, 1].
    pub ensemble_score: f64,
    /// How far the score sits past the ensemble threshold, in [0, 1] (0 = at the threshold,
    /// 1 = the maximum score).
    pub score_margin: f64,
}

impl ModelFacts {
    /// From a run's row. The score margin is recovered from the confidence, which the ensemble
    /// defines as the mean of the vote margin `(votes − k + 1)/(n − k + 1)` and the score margin.
    pub fn from_run(result: &RunResult, row: usize) -> Option<Self> {
        let votes = *result.votes.get(row)?;
        let n = result.members.len().max(1);
        let k = result.min_votes.clamp(1, n);
        let vote_margin = (f64::from(votes) - k as f64 + 1.0) / (n - k + 1) as f64;
        let c = *result.confidence.get(row)?;
        Some(Self {
            votes,
            n_models: n,
            min_votes: k,
            ensemble_score: *result.ensemble_score.get(row)?,
            score_margin: (2.0 * c - vote_margin).clamp(0.0, 1.0),
        })
    }
}

/// An anomaly or alert with its type, tags, severity and advice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enriched {
    /// Table row (`None` for an alert not tied to one row).
    pub row: Option<usize>,
    /// Primary type.
    pub anomaly_type: AnomalyType,
    /// Every matching type, primary first.
    pub types: Vec<AnomalyType>,
    /// Short labels for filtering ("Unusual packet size", "external destination", "rule:ddos", …).
    pub tags: Vec<String>,
    /// Combined severity.
    pub severity: ThreatLevel,
    /// The points behind it (see the module docs).
    pub severity_points: u32,
    /// The row's facts.
    pub facts: Facts,
    /// Model facts, when the row was scored.
    pub model: Option<ModelFacts>,
    /// Rule alerts involved (for an enriched alert: the alert itself).
    pub alerts: Vec<RuleAlert>,
    /// What to do.
    pub advice: Vec<Advice>,
}

/// Types from values (no rules).
pub fn value_types(f: &Facts, base: &Baseline) -> Vec<AnomalyType> {
    use AnomalyType as T;
    let mut t = Vec::new();
    let above = |x: Option<f64>, q: Option<Quantiles>, fallback: f64| match (x, q) {
        (Some(x), Some(q)) => x > q.p99 && x > 0.0,
        (Some(x), None) => x > fallback,
        _ => false,
    };
    if f.src_port.is_some_and(|p| SUSPICIOUS_PORTS.contains(&p))
        || f.dst_port.is_some_and(|p| SUSPICIOUS_PORTS.contains(&p))
    {
        t.push(T::SuspiciousPort);
    }
    if above(f.bytes, base.bytes, 1e6)
        && f.bytes_back
            .is_some_and(|b| f.bytes.unwrap_or(0.0) >= 10.0 * b)
    {
        t.push(T::Exfiltration);
    }
    if f.syn.is_some_and(|s| s > 50.0) {
        t.push(T::ExcessiveSyn);
    }
    if above(f.packet_size(), base.packet_size, 2000.0) {
        t.push(T::LargePacket);
    }
    if above(f.pps(), base.pps, 1000.0) {
        t.push(T::HighPacketRate);
    }
    if f.duration.is_some_and(|d| d < 1.0) && f.packets.is_some_and(|p| p > 100.0) {
        t.push(T::BurstTraffic);
    }
    if above(f.duration, base.duration, 3600.0) {
        t.push(T::LongDuration);
    }
    let proto = f.protocol.as_ref().map(|p| p.trim().to_ascii_lowercase());
    if let Some(p) = &proto {
        let unknown = if base.protocols.is_empty() {
            !matches!(protocol_number(p), Some(1 | 6 | 17 | 58))
        } else {
            !base.protocols.contains(p)
        };
        if unknown {
            t.push(T::UnknownProtocol);
        }
    }
    let num = proto.as_deref().and_then(protocol_number);
    if let (Some(n), Some(port)) = (num, f.dst_port) {
        if (n == 17 && matches!(port, 22 | 25 | 80 | 8080)) || (n == 6 && matches!(port, 123 | 161))
        {
            t.push(T::ProtocolPortMismatch);
        }
    }
    if let Some(p) = f.dst_port {
        let rare = if base.common_dst_ports.is_empty() {
            !COMMON_PORTS.contains(&p) && p < 49_152
        } else {
            base.common_dst_ports.binary_search(&p).is_err()
        };
        if rare && !t.contains(&T::SuspiciousPort) {
            t.push(T::UnusualPort);
        }
    }
    if let (Some(x), Some(q)) = (f.packet_size(), base.packet_size) {
        if x < q.p1 {
            t.push(T::UnusualPacketSize);
        }
    }
    if f.packets.is_some_and(|p| p <= 2.0)
        && f.bytes.is_some_and(|b| b < 100.0)
        && f.duration.is_some_and(|d| d < 0.2)
    {
        t.push(T::PotentialPortScan);
    }
    if above(f.bytes, base.bytes, 1e6) && !t.contains(&T::Exfiltration) {
        t.push(T::HighByteCount);
    }
    if let Some(ts) = f.timestamp {
        let day = (ts / 86_400.0).floor() as i64;
        let hour = ((ts.rem_euclid(86_400.0)) / 3600.0).floor() as i64;
        let weekend = matches!((day + 4).rem_euclid(7), 0 | 6); // 1970-01-01 was a Thursday
        let busy = match (f.bytes, base.bytes) {
            (Some(b), Some(q)) => b > q.p50,
            _ => false,
        };
        if busy && (weekend || !(6..20).contains(&hour)) {
            t.push(T::OffHoursActivity);
        }
    }
    t
}

/// The combined severity and its points (see the module docs).
pub fn combined_severity(
    model: Option<&ModelFacts>,
    types: &[AnomalyType],
    alerts: &[RuleAlert],
) -> (ThreatLevel, u32) {
    let mut points = 0u32;
    if let Some(m) = model {
        points += (usize::from(m.votes).saturating_sub(m.min_votes)).min(2) as u32;
        points += if m.score_margin >= 0.9 {
            2
        } else if m.score_margin >= 0.5 {
            1
        } else {
            0
        };
    }
    if types.iter().any(|t| t.is_hard_indicator()) {
        points += 1;
    }
    if !alerts.is_empty() {
        points += 1;
    }
    let level = match points {
        0 => ThreatLevel::Low,
        1..=2 => ThreatLevel::Medium,
        3..=4 => ThreatLevel::High,
        _ => ThreatLevel::Critical,
    };
    let floor = alerts.iter().map(|a| a.severity).max().unwrap_or_default();
    (level.max(floor), points)
}

fn tags_for(types: &[AnomalyType], facts: &Facts, alerts: &[RuleAlert]) -> Vec<String> {
    let mut tags: Vec<String> = types.iter().map(|t| t.title().to_owned()).collect();
    if let Some(d) = &facts.dst {
        if let Ok(ip) = d.parse::<std::net::IpAddr>() {
            let internal = match ip {
                std::net::IpAddr::V4(a) => a.is_private() || a.is_loopback() || a.is_link_local(),
                std::net::IpAddr::V6(a) => a.is_loopback() || (a.segments()[0] & 0xfe00) == 0xfc00,
            };
            tags.push(
                if internal {
                    "internal destination"
                } else {
                    "external destination"
                }
                .into(),
            );
        }
    }
    for a in alerts {
        tags.push(format!("rule:{}", a.rule.id()));
    }
    tags.sort();
    tags.dedup();
    tags
}

fn finish(
    row: Option<usize>,
    facts: Facts,
    model: Option<ModelFacts>,
    mut types: Vec<AnomalyType>,
    alerts: Vec<RuleAlert>,
) -> Enriched {
    let mut rule_types: Vec<AnomalyType> = alerts
        .iter()
        .map(|a| AnomalyType::from_rule(a.rule))
        .collect();
    rule_types.sort();
    rule_types.dedup();
    types.retain(|t| !rule_types.contains(t));
    let mut all = rule_types;
    all.extend(types);
    if all.is_empty() {
        all.push(AnomalyType::Behavioral);
    }
    let (severity, severity_points) = combined_severity(model.as_ref(), &all, &alerts);
    let tags = tags_for(&all, &facts, &alerts);
    let mut e = Enriched {
        row,
        anomaly_type: all[0],
        types: all,
        tags,
        severity,
        severity_points,
        facts,
        model,
        alerts,
        advice: Vec::new(),
    };
    e.advice = advise(&e);
    e
}

/// Enriches one table row with its model facts and the rule alerts that list it.
pub fn enrich_row(
    table: &Table,
    row: usize,
    baseline: &Baseline,
    model: Option<ModelFacts>,
    alerts: &[RuleAlert],
) -> Enriched {
    let facts = Facts::read(table, row);
    let types = value_types(&facts, baseline);
    let mine: Vec<RuleAlert> = alerts
        .iter()
        .filter(|a| a.flows.binary_search(&row).is_ok())
        .cloned()
        .collect();
    finish(Some(row), facts, model, types, mine)
}

/// Enriches a rule alert by itself (facts from the alert: source, target, port, evidence).
pub fn enrich_alert(alert: &RuleAlert) -> Enriched {
    let facts = Facts {
        src: alert.source.clone(),
        dst: alert.target.clone(),
        dst_port: alert.port,
        bytes: alert.evidence.get("bytes_out").copied(),
        bytes_back: alert.evidence.get("bytes_in").copied(),
        duration: Some(alert.window_end - alert.window_start),
        timestamp: Some(alert.window_start),
        ..Facts::default()
    };
    finish(None, facts, None, Vec::new(), vec![alert.clone()])
}

/// Enriches every anomaly of a run (rows with `is_anomaly`), in row order. `baseline` should be
/// fitted on the training rows.
pub fn enrich_anomalies(
    table: &Table,
    result: &RunResult,
    baseline: &Baseline,
    alerts: &[RuleAlert],
) -> Vec<Enriched> {
    result
        .is_anomaly
        .iter()
        .enumerate()
        .filter(|(_, a)| **a)
        .map(|(row, _)| {
            enrich_row(
                table,
                row,
                baseline,
                ModelFacts::from_run(result, row),
                alerts,
            )
        })
        .collect()
}
