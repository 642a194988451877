//! The rule engine: records in time order → alerts (see the [module docs](super) for the rules).
//!
//! [`RuleEngine`] is incremental. [`RuleEngine::push`] takes records in non-decreasing start time
//! (a record earlier than the last one is processed as if at the last one's time),
//! [`RuleEngine::advance_to`] lets stream time pass without a record, [`RuleEngine::take_raised`]
//! hands over the alerts raised since the last call (as they stand then),
//! [`RuleEngine::take_closed`] the alerts that can no longer change (final form), and
//! [`RuleEngine::finish`] ends the stream and returns every alert not taken as closed.
//! [`evaluate`] sorts a batch, pushes it and finishes.
//!
//! **Batch = stream.** Every decision is taken at a record's time or on a fixed time grid (whole
//! seconds for traffic-spike buckets, whole minutes for state sweeps), never when the caller
//! polls, so cutting the stream into batches of any size gives the same alerts as one
//! [`evaluate`] over the same records. An alert is raised by the record that completes its
//! condition (a traffic spike when its second is over), except the rules that correlation may
//! fold into another alert (DDoS, traffic spikes): those wait for their correlation slack
//! (the DDoS window, 30 s by default; 1 s for spikes) in case the alert they belong to appears.
//!
//! **Bounded state.** Windows, buckets and conversations are per key and swept every
//! [`SWEEP_S`] of record time: empty windows, finished conversations and alerts that can no
//! longer change are dropped (the last move to the closed list, which a streaming caller empties
//! with [`RuleEngine::take_closed`]). The long-history rules keep their own bounds:
//! * beaconing: per source → host:port the latest `beacon_max_history` (4096) connections, only
//!   those of the last [`BEACON_HORIZON_S`](super::BEACON_HORIZON_S) (1 h); over all pairs at
//!   most [`BEACON_MAX_TOTAL`](super::BEACON_MAX_TOTAL) connections (when more, the horizon is
//!   halved until they fit, down to 60 s);
//! * large outbound: one sum window per source → host over `outbound_window_s` (1 h); once it
//!   holds [`OUTBOUND_DENSE`](super::OUTBOUND_DENSE) events, events closer than
//!   `window / OUTBOUND_DENSE` to the newest one are added to it (byte sums stay exact; the
//!   alert then lists one flow per merged group), so at most `2 × OUTBOUND_DENSE` events per
//!   pair;
//! * long connection: per 5-tuple the conversation's start, end and its first 64 flows, dropped
//!   `long_connection_gap_s` after its last flow.
//!
//! Addresses are interned once each (memory grows with distinct addresses, not with flows).
//!
//! **Where things are.** Each rule family is one type implementing [`Rule`] in its own file
//! ([`distinct`](super::distinct), [`syn_flood`](super::syn_flood),
//! [`large_outbound`](super::large_outbound), [`long_connection`](super::long_connection),
//! [`beaconing`](super::beaconing), [`traffic_spike`](super::traffic_spike),
//! [`brute_force`](super::brute_force), [`nxdomain`](super::nxdomain),
//! [`dns_tunnel`](super::dns_tunnel)); [`rules`] lists them
//! in the order they see each record. Cooldown and correlation are the [`AlertBook`]'s; the
//! alert sentences are `describe.rs`'s.

use std::net::IpAddr;

use super::beaconing::Beaconing;
use super::book::{AlertBook, PendingAlert, Status};
use super::brute_force::BruteForce;
use super::describe::describe;
use super::distinct;
use super::dns_tunnel::{registered_domain, DnsTunnel};
use super::fxmap::FxMap;
use super::large_outbound::LargeOutbound;
use super::long_connection::LongConnection;
use super::nxdomain::NxdomainBurst;
use super::rule::{Flow, Rule};
use super::syn_flood::SynFlood;
use super::traffic_spike::TrafficSpike;
use super::window::Sliding;
use super::{unsupported_rules, FlowRecord, RuleAlert, RulesConfig, RulesOutcome};
use crate::engine::error::Error;

/// Seconds of record time between state sweeps (sweeps happen at whole multiples).
pub const SWEEP_S: f64 = 60.0;
/// Severity rises one level at this multiple of the threshold.
const ESCALATE_AT: f64 = 5.0;

/// The rules the engine runs, in the order each record visits them (the order alerts open in
/// when one record fires several). A new rule is one line here.
fn rules(c: &RulesConfig) -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(distinct::port_scan(c)),
        Box::new(distinct::ip_scan(c)),
        Box::new(distinct::ddos(c)),
        Box::new(SynFlood::new(c)),
        Box::new(LargeOutbound::new(c)),
        Box::new(LongConnection::new(c)),
        Box::new(Beaconing::new(c)),
        Box::new(TrafficSpike::new(c)),
        Box::new(BruteForce::new(c)),
        Box::new(NxdomainBurst::new(c)),
        Box::new(DnsTunnel::new(c)),
    ]
}

/// What the rules hold at the moment (for memory tests and figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EngineSizes {
    /// Keys of the sliding windows (port scan, IP scan, DDoS, SYN flood, outbound).
    pub window_keys: usize,
    /// Events in those windows.
    pub window_events: usize,
    /// Beaconing connections kept, over all pairs.
    pub beacon_connections: usize,
    /// Open conversations (long-connection rule).
    pub conversations: usize,
    /// Alerts not yet closed.
    pub alerts: usize,
    /// Closed alerts not yet taken.
    pub closed: usize,
    /// Distinct addresses interned.
    pub addresses: usize,
}

/// Evicts what left every window of `map` at `now` and drops the empty ones.
pub(super) fn sweep_windows<G, W: Sliding>(map: &mut FxMap<G, W>, now: f64, window: f64) {
    map.retain(|_, w| {
        w.evict(now, window);
        !w.is_empty()
    });
}

/// Streaming rule evaluation; see the module docs.
#[derive(Debug)]
pub struct RuleEngine {
    cfg: RulesConfig,
    names: Vec<String>,
    ids: FxMap<String, u32>,
    external: Vec<bool>,
    now: f64,
    /// Index of the last sweep on the [`SWEEP_S`] grid.
    last_sweep: f64,
    /// Spike buckets before this second are settled.
    settled: i64,
    n: usize,
    rules: Vec<Box<dyn Rule>>,
    book: AlertBook,
    /// Raised alerts not yet taken (snapshots).
    raised_out: Vec<RuleAlert>,
    closed: Vec<RuleAlert>,
    seen: FlowRecordSummary,
}

/// What `finish` needs to know about the records seen (for unsupported-rule notes).
#[derive(Debug, Clone, Copy, Default)]
struct FlowRecordSummary {
    dst_port: bool,
    half_open: bool,
    packets: bool,
    duration: bool,
    bytes: bool,
}

fn is_external(name: &str) -> bool {
    match name.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => {
            !(a.is_private()
                || a.is_loopback()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
                || a.is_multicast()
                // 100.64.0.0/10, carrier-grade NAT
                || (a.octets()[0] == 100 && (a.octets()[1] & 0xc0) == 64))
        }
        Ok(IpAddr::V6(a)) => {
            let s = a.segments()[0];
            !(a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || (s & 0xfe00) == 0xfc00
                || (s & 0xffc0) == 0xfe80)
        }
        Err(_) => true,
    }
}

impl RuleEngine {
    /// A new engine; the config is validated first.
    pub fn new(config: &RulesConfig) -> Result<Self, Error> {
        config.validate()?;
        Ok(Self {
            book: AlertBook::new(config.cooldown_s, config.correlate, config.ddos_window_s),
            cfg: config.clone(),
            names: Vec::new(),
            ids: FxMap::default(),
            external: Vec::new(),
            now: f64::NEG_INFINITY,
            last_sweep: f64::NEG_INFINITY,
            settled: i64::MIN,
            n: 0,
            rules: rules(config),
            raised_out: Vec::new(),
            closed: Vec::new(),
            seen: FlowRecordSummary::default(),
        })
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.external.push(is_external(name));
        self.ids.insert(name.to_owned(), id);
        id
    }

    /// Stream time reached (the latest record or [`advance_to`](Self::advance_to)).
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Lets stream time pass to `t` without a record: spike seconds before `t` are settled,
    /// waiting alerts whose slack ended are raised or folded, and state is swept when a
    /// [`SWEEP_S`] boundary is crossed. Records pushed later must not be earlier than `t`.
    pub fn advance_to(&mut self, t: f64) {
        if t.is_finite() && t > self.now {
            self.now = t;
            self.time_passes(t);
        }
    }

    fn time_passes(&mut self, t: f64) {
        let grid = (t / SWEEP_S).floor();
        if grid > self.last_sweep {
            self.last_sweep = grid;
            self.sweep(grid * SWEEP_S);
        }
        let sec = t.floor() as i64;
        if sec > self.settled {
            self.settled = sec;
            self.settle_all(sec);
        }
        self.book.release(t);
    }

    /// The alerts raised since the last call, as they stand now (later flows may still extend
    /// them: see [`take_closed`](Self::take_closed) for their final form), in the order raised.
    pub fn take_raised(&mut self) -> Vec<RuleAlert> {
        self.snapshot_raised();
        std::mem::take(&mut self.raised_out)
    }

    /// Turns the ids raised since the last take into alerts (before any of them closes).
    fn snapshot_raised(&mut self) {
        let ids = std::mem::take(&mut self.book.raised);
        let snaps: Vec<RuleAlert> = ids
            .iter()
            .filter_map(|id| self.book.alerts.get(id))
            .map(|b| self.alert_of(b))
            .collect();
        self.raised_out.extend(snaps);
    }

    /// Alerts that can no longer change, in their final form (with the alerts folded into them),
    /// in the order they closed. A streaming caller should empty this regularly: closed alerts
    /// are kept until taken (or returned by [`finish`](Self::finish)).
    pub fn take_closed(&mut self) -> Vec<RuleAlert> {
        std::mem::take(&mut self.closed)
    }

    /// What the engine holds now.
    pub fn sizes(&self) -> EngineSizes {
        let mut sizes = EngineSizes {
            alerts: self.book.alerts.len(),
            closed: self.closed.len(),
            addresses: self.names.len(),
            ..EngineSizes::default()
        };
        for rule in &self.rules {
            rule.sizes(&mut sizes);
        }
        sizes
    }

    /// Processes one record (rows beyond `u32::MAX` are not supported and are ignored).
    pub fn push(&mut self, r: &FlowRecord) {
        if !r.ts.is_finite() {
            return;
        }
        let Ok(row) = u32::try_from(r.row) else {
            return;
        };
        self.n += 1;
        let t = r.ts.max(self.now);
        self.now = t;
        self.time_passes(t);
        let end = if r.end.is_finite() { r.end.max(t) } else { t };
        let src = self.intern(&r.src);
        let dst = self.intern(&r.dst);
        let seen = &mut self.seen;
        seen.dst_port |= r.dst_port.is_some();
        seen.duration |= r.end > r.ts;
        seen.packets |= r.packets().is_some();
        seen.bytes |= r.bytes_fwd.is_some();
        let half_open = r.half_open_syns();
        seen.half_open |= half_open.is_some();
        let domain = r
            .dns
            .as_ref()
            .and_then(|d| registered_domain(&d.query))
            .map(|d| self.intern(d));
        let flow = Flow {
            rec: r,
            t,
            end,
            src,
            dst,
            row,
            dst_external: self.external[dst as usize],
            half_open,
            domain,
        };
        for rule in &mut self.rules {
            rule.push(&flow, &mut self.book);
        }
    }

    /// Settles every rule's buckets before second `upto` (traffic spikes).
    fn settle_all(&mut self, upto: i64) {
        for rule in &mut self.rules {
            rule.settle(upto, &mut self.book);
        }
    }

    /// Drops what can no longer matter at `now` (a [`SWEEP_S`] boundary): each rule's state
    /// (evicted windows, finished conversations, beaconing history past its horizon, settled
    /// spike keys), and alerts that can no longer change (moved to the closed list).
    fn sweep(&mut self, now: f64) {
        for rule in &mut self.rules {
            rule.sweep(now);
        }
        self.book.sweep(now);
        // An alert that ended this long ago can neither be extended (cooldown) nor receive a
        // folded alert (which starts at most twice its slack before it is raised, and waits
        // at most its slack).
        let after = self.cfg.cooldown_s.max(3.0 * self.cfg.ddos_window_s + 2.0);
        self.snapshot_raised();
        for id in self.book.closable(now, after) {
            if let Some(a) = self.finalize(id) {
                self.closed.push(a);
            }
        }
    }

    /// An alert as it stands (without the alerts folded into it).
    fn alert_of(&self, a: &PendingAlert) -> RuleAlert {
        let name = |id: Option<u32>| id.and_then(|i| self.names.get(i as usize).cloned());
        let mut rows: Vec<usize> = a.rows.iter().map(|&r| r as usize).collect();
        rows.sort_unstable();
        let flow_count = rows.len();
        rows.truncate(self.cfg.max_flows_per_alert as usize);
        let severity = a
            .rule
            .base_severity()
            .raised(u32::from(a.ratio >= ESCALATE_AT));
        let mut alert = RuleAlert {
            rule: a.rule,
            severity,
            source: name(a.src),
            target: name(a.dst),
            port: a.port,
            window_start: a.start,
            window_end: a.end,
            evidence: a.evidence.clone(),
            flows: rows,
            flow_count,
            related: Vec::new(),
            description: String::new(),
        };
        alert.description = describe(&alert);
        alert
    }

    /// Removes alert `id` and the alerts folded into it from the book and returns its final
    /// form: the folded rules are listed in `related`, their evidence kept with the rule id as
    /// prefix, the severity is the highest.
    fn finalize(&mut self, id: u64) -> Option<RuleAlert> {
        let b = self.book.alerts.remove(&id)?;
        let mut alert = self.alert_of(&b);
        for v in b.folded {
            let Some(folded) = self.finalize(v) else {
                continue;
            };
            for (k, val) in &folded.evidence {
                let name = if k.contains('.') {
                    k.clone()
                } else {
                    format!("{}.{k}", folded.rule.id())
                };
                alert.evidence.insert(name, *val);
            }
            for r in std::iter::once(folded.rule).chain(folded.related) {
                if !alert.related.contains(&r) {
                    alert.related.push(r);
                }
            }
            alert.severity = alert.severity.max(folded.severity);
        }
        super::primary::lead_by_evidence(&mut alert);
        if !alert.related.is_empty() {
            alert.related.sort();
            alert.description = format!(
                "{} (also {})",
                describe(&alert),
                alert
                    .related
                    .iter()
                    .map(|r| r.title())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        Some(alert)
    }

    /// The stream has ended (nothing more will arrive) but the engine stays usable: settles the
    /// last spike buckets, scores the beaconing pairs not scored since their last connection,
    /// and raises or folds the alerts waiting for a correlation partner. [`finish`](Self::finish)
    /// does this first.
    pub fn flush(&mut self) {
        self.settle_all(i64::MAX);
        for rule in &mut self.rules {
            rule.flush(&mut self.book);
        }
        self.book.release(f64::INFINITY);
    }

    /// Ends the stream ([`flush`](Self::flush)) and returns every alert not already taken with
    /// [`take_closed`](Self::take_closed), sorted (see the module docs).
    pub fn finish(mut self) -> RulesOutcome {
        self.flush();
        let roots: Vec<u64> = self
            .book
            .alerts
            .iter()
            .filter(|(_, a)| a.status == Status::Raised)
            .map(|(&id, _)| id)
            .collect();
        let mut alerts = std::mem::take(&mut self.closed);
        for id in roots {
            if let Some(a) = self.finalize(id) {
                alerts.push(a);
            }
        }
        sort_alerts(&mut alerts);
        let s = self.seen;
        let mut unsupported = Vec::new();
        if self.n > 0 {
            let probe = FlowRecord {
                ts: 0.0,
                end: if s.duration { 1.0 } else { 0.0 },
                src: String::new(),
                dst: String::new(),
                src_port: None,
                dst_port: s.dst_port.then_some(0),
                protocol: None,
                packets_fwd: s.packets.then_some(0),
                packets_bwd: None,
                bytes_fwd: s.bytes.then_some(0),
                bytes_bwd: None,
                syn: None,
                ack: None,
                fin: None,
                rst: None,
                handshake_complete: s.half_open.then_some(true),
                dns: None,
                row: 0,
            };
            unsupported = unsupported_rules(&[probe]);
        }
        RulesOutcome {
            alerts,
            unsupported,
            records: self.n,
        }
    }
}

pub(super) fn sort_alerts(alerts: &mut [RuleAlert]) {
    alerts.sort_by(|a, b| {
        a.window_start
            .total_cmp(&b.window_start)
            .then(a.rule.cmp(&b.rule))
            .then_with(|| a.source.cmp(&b.source))
            .then_with(|| a.target.cmp(&b.target))
            .then(a.port.cmp(&b.port))
            .then(a.window_end.total_cmp(&b.window_end))
    });
}

/// Runs every rule over `records` (any order: they are sorted by `(ts, row)` first; records with
/// a non-finite time are skipped).
///
/// ```
/// use netsift::engine::rules::{evaluate, FlowRecord, RuleKind, RulesConfig};
/// let probe = |port: u16, row: usize| FlowRecord {
///     ts: 1000.0 + row as f64, end: 1000.0 + row as f64, src: "10.0.0.5".into(),
///     dst: "10.0.0.9".into(), src_port: Some(40000), dst_port: Some(port), protocol: Some(6),
///     packets_fwd: Some(1), packets_bwd: Some(1), bytes_fwd: Some(0), bytes_bwd: Some(0),
///     syn: Some(1), ack: Some(1), fin: Some(0), rst: Some(1), handshake_complete: Some(false), dns: None, row,
/// };
/// let records: Vec<FlowRecord> = (0..25).map(|i| probe(1 + i as u16, i)).collect();
/// let out = evaluate(&records, &RulesConfig::default()).unwrap();
/// assert_eq!(out.alerts.len(), 1);
/// assert_eq!(out.alerts[0].rule, RuleKind::PortScan);
/// assert_eq!(out.alerts[0].count("distinct_ports"), 25.0);
/// ```
pub fn evaluate(records: &[FlowRecord], config: &RulesConfig) -> Result<RulesOutcome, Error> {
    let mut engine = RuleEngine::new(config)?;
    let mut order: Vec<usize> = (0..records.len())
        .filter(|&i| records[i].ts.is_finite())
        .collect();
    order.sort_by(|&a, &b| {
        records[a]
            .ts
            .total_cmp(&records[b].ts)
            .then(records[a].row.cmp(&records[b].row))
    });
    for i in order {
        engine.push(&records[i]);
    }
    Ok(engine.finish())
}
