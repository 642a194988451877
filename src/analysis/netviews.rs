//! Network views of a data set: rule alerts with enrichment and written analyses, top talkers,
//! suspicious IPs, protocol / destination-port / packet-length distributions, flows per minute
//! with anomalies overlaid, and the conversations table — everything the Network page shows,
//! computed in one pass family over the table (and the last run's anomaly flags, when any).
//!
//! | view | needs | from |
//! |---|---|---|
//! | rule alerts, talkers, suspicious IPs, conversations | source + destination address, timestamp | [`rules::table_records`] |
//! | protocol distribution | a protocol column | [`Meaning::Protocol`] |
//! | destination-port distribution | a destination-port column | [`Meaning::DstPort`] |
//! | flows per minute | a numeric timestamp column | [`Table::timestamps`] |
//! | packet-length distribution | bytes and packets (mean bytes per packet) | [`Facts::packet_size`] |
//!
//! Views whose columns are missing come back empty and are named in [`NetworkViews::missing`]
//! with the reason, so the page can say which views need what.
//!
//! **Anomalies** are the rows the run flags (`RunResult::is_anomaly`), or under the analyst's
//! score threshold the rows scoring at least it ([`network_views_at`], [`is_flagged`]). A source is *suspicious*
//! when it originates at least [`SUSPICIOUS_MIN_ANOMALIES`] anomalous flows.
//! Enrichment judges values against the rows the models did not flag (or every row before a
//! run); see [`enrich`](crate::engine::enrich) for the types, tags and the severity scheme.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::analysis::narrative::{analyse, choose_persona, Analysis, Persona};
use crate::analysis::summary::is_flagged;
use crate::engine::data::{Meaning, Table, Values, MISSING_CODE};
use crate::engine::enrich::{enrich_alert, enrich_row, Baseline, Enriched, Facts, ModelFacts};
use crate::engine::error::Error;
use crate::engine::pipeline::RunResult;
use crate::engine::rules::{self, RuleAlert, RuleSupport, RulesConfig};

/// Anomalous flows a source needs to be listed as suspicious.
pub const SUSPICIOUS_MIN_ANOMALIES: usize = 3;
/// Rows kept in the top-talkers list.
pub const TOP_TALKERS: usize = 15;
/// Rows kept in the destination-port distribution (the rest are summed as "other").
pub const TOP_PORTS: usize = 15;
/// Conversations kept (by bytes, then flows); the total is always exact.
pub const MAX_CONVERSATIONS: usize = 200;
/// Anomalies enriched with a written analysis (highest ensemble score first).
pub const MAX_ENRICHED_ANOMALIES: usize = 100;
/// Upper edges of the packet-length bins, bytes (the last bin is open).
pub const PACKET_LENGTH_EDGES: [f64; 8] =
    [64.0, 128.0, 256.0, 512.0, 1024.0, 1518.0, 4096.0, 9000.0];

/// A view the data cannot feed, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingView {
    /// The view ("rule alerts, top talkers, suspicious IPs, conversations", …).
    pub view: String,
    /// What the data lacks.
    pub reason: String,
}

/// A rule alert with its enrichment and written analyses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertView {
    /// The alert.
    pub alert: RuleAlert,
    /// Type, tags, combined severity and advice.
    pub enriched: Enriched,
    /// One analysis per persona, the chosen persona's first.
    pub analyses: Vec<Analysis>,
}

/// An anomaly of the run with its enrichment and the chosen persona's analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalyView {
    /// Type, tags, combined severity, advice (and the row).
    pub enriched: Enriched,
    /// The written analysis in the persona [`choose_persona`] picks.
    pub analysis: Analysis,
}

/// One source's traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Talker {
    /// Source address.
    pub ip: String,
    /// Flows it started.
    pub flows: usize,
    /// Bytes in those flows (both directions).
    pub bytes: u64,
    /// Packets in those flows (both directions).
    pub packets: u64,
    /// Distinct destinations.
    pub destinations: usize,
    /// Anomalous flows among them.
    pub anomalies: usize,
}

/// One directed pair of hosts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    /// Initiator.
    pub src: String,
    /// Responder.
    pub dst: String,
    /// Flows.
    pub flows: usize,
    /// Bytes, both directions.
    pub bytes: u64,
    /// Packets, both directions.
    pub packets: u64,
    /// First flow start, epoch seconds.
    pub first_seen: f64,
    /// Last flow end, epoch seconds.
    pub last_seen: f64,
    /// Anomalous flows.
    pub anomalies: usize,
}

/// Flows that started in one minute.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MinuteBin {
    /// Minute start, epoch seconds (a multiple of 60).
    pub start: f64,
    /// Flows.
    pub flows: usize,
    /// Anomalous flows.
    pub anomalies: usize,
}

/// A labelled count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// Label ("tcp", "443", "128–256 B", "other").
    pub label: String,
    /// Rows.
    pub count: usize,
    /// Anomalous rows.
    pub anomalies: usize,
}

/// Everything the Network page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkViews {
    /// Rows in the data set.
    pub rows: usize,
    /// Rows the rules read (rows with addresses and a time).
    pub records: usize,
    /// Rows skipped by the rules for a missing address or time.
    pub skipped_rows: usize,
    /// Whether anomaly counts come from a run (false before training).
    pub scored: bool,
    /// Views the data cannot feed.
    pub missing: Vec<MissingView>,
    /// Rules that could not run on this data, and why.
    pub unsupported_rules: Vec<RuleSupport>,
    /// Rule alerts, sorted as the rules emit them.
    pub alerts: Vec<AlertView>,
    /// Sources by bytes (then flows), at most [`TOP_TALKERS`].
    pub top_talkers: Vec<Talker>,
    /// Sources with at least [`SUSPICIOUS_MIN_ANOMALIES`] anomalous flows, most anomalies first.
    pub suspicious_ips: Vec<Talker>,
    /// Flows per protocol, most first.
    pub protocols: Vec<Bucket>,
    /// Flows per destination port, most first, at most [`TOP_PORTS`] plus "other".
    pub dst_ports: Vec<Bucket>,
    /// Flows per minute, every minute from the first to the last (empty minutes included).
    pub per_minute: Vec<MinuteBin>,
    /// Flows per mean packet length ([`PACKET_LENGTH_EDGES`]).
    pub packet_lengths: Vec<Bucket>,
    /// Conversations by bytes, at most [`MAX_CONVERSATIONS`].
    pub conversations: Vec<Conversation>,
    /// How many conversations there are in all.
    pub conversation_count: usize,
    /// The run's anomalies, enriched (at most [`MAX_ENRICHED_ANOMALIES`], highest score first).
    pub anomalies: Vec<AnomalyView>,
    /// How many anomalies the run flagged in all.
    pub anomaly_count: usize,
    /// The score threshold the anomalies follow (`None`: the vote decision).
    pub threshold: Option<f64>,
}

/// Computes the network views of `table` with the rules configured by `config`, using `result`'s
/// anomaly flags when given (it must be a run over this table).
pub fn network_views(
    table: &Table,
    result: Option<&RunResult>,
    config: &RulesConfig,
) -> Result<NetworkViews, Error> {
    network_views_at(table, result, config, None)
}

/// [`network_views`] with the analyst's score threshold: a row is anomalous when
/// [`is_flagged`]`(result, threshold, row)` (the vote decision when `threshold` is `None`), as on
/// the other pages — anomaly counts, suspicious IPs, the enrichment baseline and the anomalies
/// per minute all follow it.
pub fn network_views_at(
    table: &Table,
    result: Option<&RunResult>,
    config: &RulesConfig,
    threshold: Option<f64>,
) -> Result<NetworkViews, Error> {
    config.validate()?;
    let n = table.n_rows();
    if let Some(r) = result {
        if r.is_anomaly.len() != n {
            return Err(Error::Unsupported(format!(
                "the last run scored {} rows but the data set has {n}; train again on this data",
                r.is_anomaly.len()
            )));
        }
    }
    let anomalous = |row: usize| result.is_some_and(|r| is_flagged(r, threshold, row));
    let mut missing = Vec::new();

    // Rules and per-host views.
    let (records, skipped_rows, mut unsupported) = match rules::table_records(table) {
        Ok(t) => (t.records, t.skipped_rows, Vec::new()),
        Err(e) => {
            missing.push(MissingView {
                view: "rule alerts, top talkers, suspicious IPs, conversations".into(),
                reason: e.to_string(),
            });
            (Vec::new(), 0, Vec::new())
        }
    };
    let outcome = if records.is_empty() {
        None
    } else {
        Some(rules::evaluate(&records, config)?)
    };
    if let Some(o) = &outcome {
        unsupported = o.unsupported.clone();
    }
    let rule_alerts: Vec<RuleAlert> = outcome.map(|o| o.alerts).unwrap_or_default();

    let mut talkers: HashMap<&str, (Talker, Vec<&str>)> = HashMap::new();
    let mut convs: HashMap<(&str, &str), Conversation> = HashMap::new();
    for r in &records {
        let bytes = r.bytes().unwrap_or(0);
        let packets = r.packets().unwrap_or(0);
        let bad = usize::from(anomalous(r.row));
        let (t, dsts) = talkers.entry(&r.src).or_insert_with(|| {
            (
                Talker {
                    ip: r.src.clone(),
                    flows: 0,
                    bytes: 0,
                    packets: 0,
                    destinations: 0,
                    anomalies: 0,
                },
                Vec::new(),
            )
        });
        t.flows += 1;
        t.bytes = t.bytes.saturating_add(bytes);
        t.packets = t.packets.saturating_add(packets);
        t.anomalies += bad;
        dsts.push(&r.dst);
        let c = convs
            .entry((&r.src, &r.dst))
            .or_insert_with(|| Conversation {
                src: r.src.clone(),
                dst: r.dst.clone(),
                flows: 0,
                bytes: 0,
                packets: 0,
                first_seen: r.ts,
                last_seen: r.end,
                anomalies: 0,
            });
        c.flows += 1;
        c.bytes = c.bytes.saturating_add(bytes);
        c.packets = c.packets.saturating_add(packets);
        c.first_seen = c.first_seen.min(r.ts);
        c.last_seen = c.last_seen.max(r.end);
        c.anomalies += bad;
    }
    let mut all_talkers: Vec<Talker> = talkers
        .into_values()
        .map(|(mut t, mut d)| {
            d.sort_unstable();
            d.dedup();
            t.destinations = d.len();
            t
        })
        .collect();
    all_talkers.sort_by(|a, b| {
        b.bytes
            .cmp(&a.bytes)
            .then(b.flows.cmp(&a.flows))
            .then(a.ip.cmp(&b.ip))
    });
    let mut suspicious_ips: Vec<Talker> = all_talkers
        .iter()
        .filter(|t| t.anomalies >= SUSPICIOUS_MIN_ANOMALIES)
        .cloned()
        .collect();
    suspicious_ips.sort_by(|a, b| b.anomalies.cmp(&a.anomalies).then(a.ip.cmp(&b.ip)));
    all_talkers.truncate(TOP_TALKERS);
    let mut conversations: Vec<Conversation> = convs.into_values().collect();
    let conversation_count = conversations.len();
    conversations.sort_by(|a, b| {
        b.bytes
            .cmp(&a.bytes)
            .then(b.flows.cmp(&a.flows))
            .then(a.src.cmp(&b.src))
            .then(a.dst.cmp(&b.dst))
    });
    conversations.truncate(MAX_CONVERSATIONS);

    // Distributions straight from the table.
    let protocols = match table.by_meaning(Meaning::Protocol) {
        Some(c) => {
            let mut m: BTreeMap<String, (usize, usize)> = BTreeMap::new();
            for row in 0..n {
                let label = cell_text(&c.values, row).unwrap_or_else(|| "(missing)".into());
                let e = m.entry(label.to_ascii_lowercase()).or_default();
                e.0 += 1;
                e.1 += usize::from(anomalous(row));
            }
            ranked(m, usize::MAX)
        }
        None => {
            missing.push(MissingView {
                view: "protocol distribution".into(),
                reason: "no protocol column".into(),
            });
            Vec::new()
        }
    };
    let dst_ports = match table.by_meaning(Meaning::DstPort) {
        Some(c) => {
            let mut m: BTreeMap<String, (usize, usize)> = BTreeMap::new();
            for row in 0..n {
                let Some(p) = cell_number(&c.values, row)
                    .filter(|x| (0.0..=65535.0).contains(x) && x.fract() == 0.0)
                else {
                    continue;
                };
                let e = m.entry(format!("{}", p as u16)).or_default();
                e.0 += 1;
                e.1 += usize::from(anomalous(row));
            }
            ranked(m, TOP_PORTS)
        }
        None => {
            missing.push(MissingView {
                view: "destination-port distribution".into(),
                reason: "no destination-port column".into(),
            });
            Vec::new()
        }
    };
    let per_minute = match table.timestamps() {
        Some(ts) => per_minute(ts, &anomalous),
        None => {
            missing.push(MissingView {
                view: "flows per minute".into(),
                reason: "no numeric timestamp column".into(),
            });
            Vec::new()
        }
    };
    let mut packet_lengths = vec![(0usize, 0usize); PACKET_LENGTH_EDGES.len() + 1];
    let mut any_length = false;
    let bytes_col = table.by_meaning(Meaning::Bytes).map(|c| &c.values);
    let packets_col = table.by_meaning(Meaning::Packets).map(|c| &c.values);
    for row in 0..n {
        // As `Facts::packet_size`, reading the two columns directly.
        let facts = Facts {
            bytes: bytes_col.and_then(|v| cell_number(v, row)),
            packets: packets_col.and_then(|v| cell_number(v, row)),
            ..Facts::default()
        };
        let Some(size) = facts.packet_size().filter(|x| x.is_finite()) else {
            continue;
        };
        any_length = true;
        let bin = PACKET_LENGTH_EDGES.partition_point(|&e| e <= size);
        packet_lengths[bin].0 += 1;
        packet_lengths[bin].1 += usize::from(anomalous(row));
    }
    let packet_lengths = if any_length {
        packet_lengths
            .into_iter()
            .enumerate()
            .map(|(i, (count, anomalies))| Bucket {
                label: length_label(i),
                count,
                anomalies,
            })
            .collect()
    } else {
        missing.push(MissingView {
            view: "packet-length distribution".into(),
            reason:
                "no byte column (bytes per packet need bytes, and packets when flows hold several)"
                    .into(),
        });
        Vec::new()
    };

    // Enrichment.
    let flagged: Vec<usize> = (0..n).filter(|&r| anomalous(r)).collect();
    let baseline_rows: Vec<usize> = if result.is_some() {
        (0..n).filter(|&r| !anomalous(r)).collect()
    } else {
        (0..n).collect()
    };
    let baseline = Baseline::fit(table, &baseline_rows);
    let alerts = rule_alerts
        .iter()
        .map(|a| {
            let enriched = enrich_alert(a);
            let first = choose_persona(&enriched);
            let mut analyses = vec![analyse(&enriched, first)];
            analyses.extend(
                Persona::ALL
                    .iter()
                    .filter(|p| **p != first)
                    .map(|p| analyse(&enriched, *p)),
            );
            AlertView {
                alert: a.clone(),
                enriched,
                analyses,
            }
        })
        .collect();
    let mut top: Vec<usize> = flagged.clone();
    if let Some(r) = result {
        top.sort_by(|&a, &b| {
            r.ensemble_score[b]
                .total_cmp(&r.ensemble_score[a])
                .then(a.cmp(&b))
        });
    }
    top.truncate(MAX_ENRICHED_ANOMALIES);
    let anomalies = top
        .into_iter()
        .map(|row| {
            let model = result.and_then(|r| ModelFacts::from_run(r, row));
            let enriched = enrich_row(table, row, &baseline, model, &rule_alerts);
            let analysis = analyse(&enriched, choose_persona(&enriched));
            AnomalyView { enriched, analysis }
        })
        .collect();

    Ok(NetworkViews {
        rows: n,
        records: records.len(),
        skipped_rows,
        scored: result.is_some(),
        missing,
        unsupported_rules: unsupported,
        alerts,
        top_talkers: all_talkers,
        suspicious_ips,
        protocols,
        dst_ports,
        per_minute,
        packet_lengths,
        conversations,
        conversation_count,
        anomalies,
        anomaly_count: flagged.len(),
        threshold,
    })
}

fn cell_text(v: &Values, row: usize) -> Option<String> {
    match v {
        Values::Categorical { levels, codes } => {
            let code = *codes.get(row)?;
            (code != MISSING_CODE)
                .then(|| levels.get(code as usize).cloned())
                .flatten()
        }
        Values::Numeric(x) => x
            .get(row)
            .filter(|x| x.is_finite())
            .map(|x| crate::engine::text::number(*x)),
    }
}

fn cell_number(v: &Values, row: usize) -> Option<f64> {
    match v {
        Values::Numeric(x) => x.get(row).copied().filter(|x| x.is_finite()),
        Values::Categorical { .. } => cell_text(v, row)?.trim().parse().ok(),
    }
}

/// Buckets by count (then label), the tail beyond `keep` summed as "other".
fn ranked(m: BTreeMap<String, (usize, usize)>, keep: usize) -> Vec<Bucket> {
    let mut v: Vec<Bucket> = m
        .into_iter()
        .map(|(label, (count, anomalies))| Bucket {
            label,
            count,
            anomalies,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
    if v.len() > keep {
        let rest = v.split_off(keep);
        v.push(Bucket {
            label: "other".into(),
            count: rest.iter().map(|b| b.count).sum(),
            anomalies: rest.iter().map(|b| b.anomalies).sum(),
        });
    }
    v
}

/// Most minutes listed; longer spans are summed into wider bins so the chart stays drawable.
const MAX_MINUTE_BINS: usize = 10_000;

fn per_minute(ts: &[f64], anomalous: &dyn Fn(usize) -> bool) -> Vec<MinuteBin> {
    let finite = ts.iter().copied().filter(|t| t.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
        (lo.min(t), hi.max(t))
    });
    if !lo.is_finite() {
        return Vec::new();
    }
    let first = (lo / 60.0).floor();
    let minutes = ((hi / 60.0).floor() - first) as usize + 1;
    let width = minutes.div_ceil(MAX_MINUTE_BINS).max(1);
    let bins = minutes.div_ceil(width);
    let mut out: Vec<MinuteBin> = (0..bins)
        .map(|i| MinuteBin {
            start: (first + (i * width) as f64) * 60.0,
            flows: 0,
            anomalies: 0,
        })
        .collect();
    for (row, t) in ts.iter().enumerate() {
        if !t.is_finite() {
            continue;
        }
        let i = (((t / 60.0).floor() - first) as usize / width).min(bins - 1);
        out[i].flows += 1;
        out[i].anomalies += usize::from(anomalous(row));
    }
    out
}

fn length_label(bin: usize) -> String {
    let lo = if bin == 0 {
        0.0
    } else {
        PACKET_LENGTH_EDGES[bin - 1]
    };
    match PACKET_LENGTH_EDGES.get(bin) {
        Some(hi) => format!("{lo}–{hi} B"),
        None => format!("≥ {lo} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_length_bins_are_labelled_by_their_edges() {
        assert_eq!(length_label(0), "0–64 B");
        assert_eq!(length_label(5), "1024–1518 B");
        assert_eq!(length_label(8), "≥ 9000 B");
    }

    #[test]
    fn minutes_cover_the_span_including_empty_ones() {
        let ts = [120.0, 125.0, 300.5, f64::NAN];
        let bins = per_minute(&ts, &|r| r == 2);
        assert_eq!(
            bins.iter()
                .map(|b| (b.start, b.flows, b.anomalies))
                .collect::<Vec<_>>(),
            vec![(120.0, 2, 0), (180.0, 0, 0), (240.0, 0, 0), (300.0, 1, 1)]
        );
    }

    #[test]
    fn the_port_tail_is_summed_as_other() {
        let mut m = BTreeMap::new();
        m.insert("80".to_owned(), (5, 1));
        m.insert("443".to_owned(), (7, 0));
        m.insert("22".to_owned(), (1, 1));
        let v = ranked(m, 2);
        assert_eq!(
            v.iter()
                .map(|b| (b.label.as_str(), b.count, b.anomalies))
                .collect::<Vec<_>>(),
            vec![("443", 7, 0), ("80", 5, 1), ("other", 1, 1)]
        );
    }
}
