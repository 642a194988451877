//! Offline written analysis of an anomaly or alert, in five analyst personas.
//!
//! Such analyses usually come from a hosted LLM. netsift never leaves the machine, so the analysis
//! is generated from rules: deterministic templates over the facts (type, severity, addresses,
//! ports, evidence counts, model votes and the mitigation advice). Every [`Analysis`] is marked
//! `generated_from_rules: true` and its text starts with "Generated from rules, no AI service."
//!
//! | persona | style | sections |
//! |---|---|---|
//! | technical expert | technical | technical assessment, indicators of compromise, attack vector, severity rating, mitigation steps, forensic notes |
//! | risk assessor | structured | risk level, business impact, data at risk, likelihood, immediate actions, long-term strategy |
//! | incident responder | conversational | immediate containment, evidence preservation, investigation priorities, escalation triggers |
//! | threat intel | contextual | threat landscape, attack-chain position, attribution, strategic implications |
//! | executive briefing | severity-focused | business impact summary, time-sensitive decisions, resource needs, follow-up timeline |
//!
//! [`choose_persona`] follows context rules that need no clock or history: critical →
//! incident responder, high or medium → risk assessor, otherwise technical expert.

use serde::{Deserialize, Serialize};

use crate::engine::enrich::{enrich_alert, AnomalyType, Enriched};
use crate::engine::rules::{RuleAlert, ThreatLevel};
use crate::engine::time::iso8601;

/// Who the analysis is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Persona {
    /// Security engineer: indicators and mechanics.
    TechnicalExpert,
    /// Risk owner: likelihood and impact.
    RiskAssessor,
    /// On-call responder: what to do now.
    IncidentResponder,
    /// Threat intelligence: where this fits.
    ThreatIntel,
    /// Management: decisions and resources.
    ExecutiveBriefing,
}

impl Persona {
    /// All five, in the order of the table above.
    pub const ALL: [Persona; 5] = [
        Persona::TechnicalExpert,
        Persona::RiskAssessor,
        Persona::IncidentResponder,
        Persona::ThreatIntel,
        Persona::ExecutiveBriefing,
    ];

    /// Display name.
    pub fn title(self) -> &'static str {
        match self {
            Persona::TechnicalExpert => "Technical analysis",
            Persona::RiskAssessor => "Risk assessment",
            Persona::IncidentResponder => "Incident response",
            Persona::ThreatIntel => "Threat intelligence",
            Persona::ExecutiveBriefing => "Executive summary",
        }
    }
}

/// A written analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Persona it is written in.
    pub persona: Persona,
    /// Threat level (the finding's combined severity).
    pub threat_level: ThreatLevel,
    /// The most likely attack, in words.
    pub likely_attack: String,
    /// What it could do to the organisation.
    pub impact: String,
    /// Actions, most urgent first.
    pub actions: Vec<String>,
    /// The full text, in the persona's sections.
    pub text: String,
    /// Always true: written by templates, not by an AI service.
    pub generated_from_rules: bool,
}

/// The persona for an analysis, from its context (no clock or history).
pub fn choose_persona(e: &Enriched) -> Persona {
    match e.severity {
        ThreatLevel::Critical => Persona::IncidentResponder,
        ThreatLevel::High | ThreatLevel::Medium => Persona::RiskAssessor,
        ThreatLevel::Low => Persona::TechnicalExpert,
    }
}

fn likely_attack(t: AnomalyType) -> &'static str {
    use AnomalyType as T;
    match t {
        T::PortScan => "reconnaissance: a port scan mapping the services of one host",
        T::IpScan => "reconnaissance: a sweep looking for live hosts",
        T::SynFlood => "denial of service: a TCP SYN flood exhausting connection state",
        T::Ddos => "distributed denial of service from many sources",
        T::TrafficSpike => "a volume surge, possibly a denial-of-service attempt",
        T::Beaconing => "command and control: malware calling home on a schedule",
        T::Exfiltration => "data exfiltration: a large upload to an outside host",
        T::SuspiciousPort => "backdoor or remote-access tool on a port malware favours",
        T::ExcessiveSyn => "connection flooding or scanning (many SYNs in one flow)",
        T::LargePacket => {
            "oversized packets: tunnelling, bulk transfer or a malformed-packet attack"
        }
        T::HighPacketRate => "a flood or an aggressive automated client",
        T::BurstTraffic => "a burst of packets typical of flooding or scanning tools",
        T::LongDuration => "a persistent session: remote access, tunnel or slow exfiltration",
        T::UnknownProtocol => "an unusual protocol: tunnelling or covert channel",
        T::ProtocolPortMismatch => {
            "a protocol on a port that does not fit it: evasion or tunnelling"
        }
        T::UnusualPort => "a service on an unusual port: shadow IT or a backdoor",
        T::UnusualPacketSize => "tiny packets on a service port: probing or keep-alives of a tool",
        T::PotentialPortScan => "a probe-like flow, part of a possible scan",
        T::HighByteCount => "a heavy transfer",
        T::OffHoursActivity => "heavy traffic outside business hours",
        T::BruteForce => "credential attack: password guessing against a login service",
        T::ArpSpoofing => "man in the middle: ARP replies redirecting local traffic",
        T::DnsTunnelling => "a covert channel: data carried in DNS queries",
        T::FailedLookups => "malware searching for its controller with generated domain names",
        T::Behavioral => "an unusual combination of traffic features (no single indicator)",
    }
}

fn impact(t: AnomalyType, level: ThreatLevel) -> String {
    use AnomalyType as T;
    let base = match t {
        T::SynFlood
        | T::Ddos
        | T::TrafficSpike
        | T::HighPacketRate
        | T::BurstTraffic
        | T::ExcessiveSyn => "service outage or degraded performance for the targeted host",
        T::PortScan | T::IpScan | T::PotentialPortScan => {
            "no direct damage yet; it usually precedes exploitation of what the scan finds"
        }
        T::Beaconing | T::SuspiciousPort => {
            "a compromised host under remote control; lateral movement and data theft may follow"
        }
        T::Exfiltration | T::HighByteCount | T::LongDuration => {
            "loss of confidential data, with possible regulatory and reputational cost"
        }
        _ => "unclear; the traffic departs from the learned normal and needs a look",
    };
    format!("{base} (threat level {})", level.id())
}

fn facts_line(e: &Enriched) -> String {
    let f = &e.facts;
    let mut parts = Vec::new();
    if let Some(s) = &f.src {
        parts.push(format!(
            "source {s}{}",
            f.src_port.map(|p| format!(":{p}")).unwrap_or_default()
        ));
    }
    if let Some(d) = &f.dst {
        parts.push(format!(
            "destination {d}{}",
            f.dst_port.map(|p| format!(":{p}")).unwrap_or_default()
        ));
    } else if let Some(p) = f.dst_port {
        parts.push(format!("destination port {p}"));
    }
    if let Some(p) = &f.protocol {
        parts.push(format!("protocol {p}"));
    }
    if let Some(b) = f.bytes {
        parts.push(format!("{b:.0} bytes"));
    }
    if let Some(p) = f.packets {
        parts.push(format!("{p:.0} packets"));
    }
    if let Some(d) = f.duration {
        parts.push(format!("{d:.1} s"));
    }
    if let Some(t) = f.timestamp {
        parts.push(format!("at {}", iso8601(t)));
    }
    if parts.is_empty() {
        "no network fields available".into()
    } else {
        parts.join(", ")
    }
}

fn evidence_lines(e: &Enriched) -> Vec<String> {
    let mut v: Vec<String> = e.alerts.iter().map(|a| a.description.clone()).collect();
    if let Some(m) = &e.model {
        v.push(format!(
            "{} of {} detectors flagged it (minimum {}), ensemble score {:.3}",
            m.votes, m.n_models, m.min_votes, m.ensemble_score
        ));
    }
    let types: Vec<&str> = e.types.iter().map(|t| t.title()).collect();
    v.push(format!("indicators: {}", types.join(", ")));
    v
}

/// Writes the analysis of an enriched finding in a persona's style.
pub fn analyse(e: &Enriched, persona: Persona) -> Analysis {
    let level = e.severity;
    let attack = likely_attack(e.anomaly_type).to_owned();
    let impact = impact(e.anomaly_type, level);
    let actions: Vec<String> = e.advice.iter().flat_map(|a| a.actions.clone()).collect();
    let numbered = |acts: &[String]| {
        acts.iter()
            .enumerate()
            .map(|(i, a)| format!("{}. {a}", i + 1))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let facts = facts_line(e);
    let evidence = evidence_lines(e);
    let src = e.facts.src.as_deref().unwrap_or("the source");
    let dst = e.facts.dst.as_deref().unwrap_or("the target");
    let urgency = match level {
        ThreatLevel::Critical => "now",
        ThreatLevel::High => "within the hour",
        ThreatLevel::Medium => "within 24 hours",
        ThreatLevel::Low => "at the next review",
    };
    let mut text = String::from("Generated from rules, no AI service.\n");
    text.push_str(&format!(
        "{} — {} ({})\n\n",
        persona.title(),
        e.anomaly_type.title(),
        level.title()
    ));
    let sections: Vec<(&str, String)> = match persona {
        Persona::TechnicalExpert => vec![
            ("Technical assessment", format!("Likely {attack}. Observed: {facts}.")),
            ("Indicators of compromise", evidence.join("\n")),
            (
                "Attack vector",
                format!("Traffic from {src} toward {dst}; {}.", e.anomaly_type.title().to_lowercase()),
            ),
            (
                "Severity rating",
                format!("{} ({} points on netsift's scale).", level.title(), e.severity_points),
            ),
            ("Mitigation steps", numbered(&actions)),
            (
                "Forensic notes",
                format!("Keep the flows behind this finding (rows {}) and the capture around {}.", rows_text(e), time_text(e)),
            ),
        ],
        Persona::RiskAssessor => vec![
            ("Risk level", level.title().to_owned()),
            ("Business impact", capitalise(&impact)),
            (
                "Data at risk",
                match e.anomaly_type {
                    AnomalyType::Exfiltration | AnomalyType::Beaconing | AnomalyType::HighByteCount => {
                        format!("Whatever {src} can read: treat its data as exposed until shown otherwise.")
                    }
                    _ => format!("Availability of {dst}; no sign of data leaving in this finding."),
                },
            ),
            ("Likelihood", likelihood(e)),
            ("Immediate actions", numbered(&actions[..actions.len().min(2)])),
            ("Long-term strategy", "Tune the thresholds to this network, segment exposed services, and review egress policy.".into()),
        ],
        Persona::IncidentResponder => vec![
            (
                "Immediate containment",
                format!(
                    "Act {urgency}. {}",
                    actions.first().map(|a| capitalise(a) + ".").unwrap_or_default()
                ),
            ),
            (
                "Evidence preservation",
                format!("Export the flows (rows {}) and keep the raw capture around {}; do not reboot {src} before imaging it.", rows_text(e), time_text(e)),
            ),
            ("Investigation priorities", numbered(&actions.iter().skip(1).cloned().collect::<Vec<_>>())),
            (
                "Escalation triggers",
                "Escalate if the activity continues after containment, spreads to other hosts, or data is confirmed to have left.".into(),
            ),
        ],
        Persona::ThreatIntel => vec![
            ("Threat landscape", format!("Pattern: {attack}.")),
            ("Attack-chain position", chain_position(e.anomaly_type).into()),
            (
                "Attribution",
                format!("Only network evidence is available: {src}. Addresses can be spoofed or borrowed; attribution needs more than this."),
            ),
            ("Strategic implications", capitalise(&impact)),
        ],
        Persona::ExecutiveBriefing => vec![
            (
                "Business impact summary",
                format!("{} threat: {}. {}", level.title(), attack, capitalise(&impact)),
            ),
            ("Time-sensitive decisions", format!("Approve containment {urgency}: {}.", actions.first().cloned().unwrap_or_else(|| "review the finding".into()))),
            ("Resource needs", match level {
                ThreatLevel::Critical | ThreatLevel::High => "The on-call security engineer now; the network team for blocking.".into(),
                _ => "One analyst for review; no emergency resources.".into(),
            }),
            ("Follow-up timeline", format!("Status update {urgency}; full report within a week.")),
        ],
    };
    for (h, body) in &sections {
        text.push_str(&format!("{h}:\n{body}\n\n"));
    }
    let text = text.trim_end().to_owned() + "\n";
    Analysis {
        persona,
        threat_level: level,
        likely_attack: attack,
        impact,
        actions,
        text,
        generated_from_rules: true,
    }
}

/// [`analyse`] of a rule alert ([`enrich_alert`] first).
pub fn analyse_alert(alert: &RuleAlert, persona: Persona) -> Analysis {
    analyse(&enrich_alert(alert), persona)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn likelihood(e: &Enriched) -> String {
    if !e.alerts.is_empty() {
        "High: a behaviour rule matched, independent of the models.".into()
    } else if let Some(m) = &e.model {
        if usize::from(m.votes) >= m.n_models {
            "High: every detector agrees.".into()
        } else {
            format!("Moderate: {} of {} detectors agree.", m.votes, m.n_models)
        }
    } else {
        "Unknown: no model or rule evidence attached.".into()
    }
}

fn chain_position(t: AnomalyType) -> &'static str {
    use AnomalyType as T;
    match t {
        T::PortScan | T::IpScan | T::PotentialPortScan => "Reconnaissance (early stage).",
        T::Beaconing | T::SuspiciousPort => "Command and control (post-compromise).",
        T::Exfiltration | T::HighByteCount | T::LongDuration => {
            "Exfiltration (late stage: actions on objectives)."
        }
        T::SynFlood
        | T::Ddos
        | T::TrafficSpike
        | T::HighPacketRate
        | T::BurstTraffic
        | T::ExcessiveSyn => "Impact (denial of service).",
        _ => "Unclear: could be delivery, exploitation or benign change.",
    }
}

fn rows_text(e: &Enriched) -> String {
    let mut rows: Vec<usize> = e
        .alerts
        .iter()
        .flat_map(|a| a.flows.iter().copied())
        .collect();
    if let Some(r) = e.row {
        rows.push(r);
    }
    rows.sort_unstable();
    rows.dedup();
    let n = rows.len();
    let shown: Vec<String> = rows.iter().take(5).map(|r| r.to_string()).collect();
    match n {
        0 => "none recorded".into(),
        1..=5 => shown.join(", "),
        _ => format!("{} … {n} in all", shown.join(", ")),
    }
}

fn time_text(e: &Enriched) -> String {
    e.facts
        .timestamp
        .map(iso8601)
        .unwrap_or_else(|| "the time of the finding".into())
}
