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
//!   those of the last [`BEACON_HORIZON_S`] (1 h); over all pairs at most [`BEACON_MAX_TOTAL`]
//!   connections (when more, the horizon is halved until they fit, down to 60 s);
//! * large outbound: one sum window per source → host over `outbound_window_s` (1 h); once it
//!   holds [`OUTBOUND_DENSE`] events, events closer than `window / OUTBOUND_DENSE` to the newest
//!   one are added to it (byte sums stay exact; the alert then lists one flow per merged group),
//!   so at most `2 × OUTBOUND_DENSE` events per pair;
//! * long connection: per 5-tuple the conversation's start, end and its first 64 flows, dropped
//!   `long_connection_gap_s` after its last flow.
//!
//! Addresses are interned once each (memory grows with distinct addresses, not with flows).

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hash};
use std::net::IpAddr;

use super::beacon::beacon_score;
use super::brute_force::BruteForce;
use super::dns_tunnel::{registered_domain, DnsTunnel};
use super::fxmap::{FxHasher, FxMap};
use super::nxdomain::NxdomainBurst;
use super::window::{DistinctWindow, Sliding, SumWindow};
use super::{
    iso8601, unsupported_rules, FlowRecord, RuleAlert, RuleKind, RulesConfig, RulesOutcome,
};
use crate::engine::error::Error;

/// Seconds of record time between state sweeps (sweeps happen at whole multiples).
pub const SWEEP_S: f64 = 60.0;
/// Beaconing keeps the connections of this many seconds (see the module docs).
pub const BEACON_HORIZON_S: f64 = 3600.0;
/// Most connections beaconing keeps over all pairs.
pub const BEACON_MAX_TOTAL: usize = 200_000;
/// Large-outbound windows start merging close events at this many events.
pub const OUTBOUND_DENSE: usize = 1024;
/// Most 1-second buckets one flow's packets are spread over (longer flows: the first ones).
const MAX_SPREAD_BUCKETS: i64 = 4 * 3600;
/// Key of the all-traffic spike.
const ALL: u32 = u32::MAX;
/// Severity rises one level at this multiple of the threshold.
const ESCALATE_AT: f64 = 5.0;

pub(super) type Key = (u32, u32, u32, u32);
type RowSet = HashSet<u32, BuildHasherDefault<FxHasher>>;

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Status {
    /// A rule that correlation may fold (DDoS, traffic spike), waiting until this stream time for
    /// the alert it belongs to.
    Pending(f64),
    /// Raised: reported by [`RuleEngine::take_raised`] (or queued to be).
    Raised,
    /// Folded into the alert with this id.
    Folded(u64),
}

#[derive(Debug)]
struct Building {
    rule: RuleKind,
    src: Option<u32>,
    dst: Option<u32>,
    port: Option<u16>,
    start: f64,
    end: f64,
    evidence: BTreeMap<String, f64>,
    rows: RowSet,
    /// Time of the newest event whose row is in `rows`.
    last_t: f64,
    ratio: f64,
    status: Status,
    /// Alerts folded into this one, in the order they were folded.
    victims: Vec<u64>,
}

/// Alerts under construction (by id, in the order they were opened), the open (still
/// extendable) one per rule and key, and the correlation queue.
#[derive(Debug, Default)]
pub(super) struct Book {
    alerts: BTreeMap<u64, Building>,
    next_id: u64,
    open: FxMap<(RuleKind, Key), u64>,
    cooldown: f64,
    correlate: bool,
    ddos_slack: f64,
    /// Alerts waiting for their correlation slack, oldest first.
    pending: Vec<u64>,
    /// Raised since the last [`RuleEngine::take_raised`].
    raised: Vec<u64>,
}

/// One firing of a rule.
pub(super) struct Fire<'a> {
    pub(super) rule: RuleKind,
    pub(super) key: Key,
    pub(super) src: Option<u32>,
    pub(super) dst: Option<u32>,
    pub(super) port: Option<u16>,
    pub(super) start: f64,
    pub(super) end: f64,
    pub(super) evidence: &'a [(&'static str, f64)],
    /// Measured value ÷ threshold (for escalation).
    pub(super) ratio: f64,
}

/// Can correlation fold `v` into `h`? (See the [module docs](super).) "Overlapping" allows the
/// folded rule's window as slack.
fn fits(v: &Building, h: &Building, slack: f64) -> bool {
    let host_rule = match (v.rule, v.dst) {
        (RuleKind::Ddos, _) => h.rule == RuleKind::SynFlood && h.dst == v.dst,
        (RuleKind::TrafficSpike, Some(_)) => {
            matches!(h.rule, RuleKind::SynFlood | RuleKind::Ddos) && h.dst == v.dst
        }
        (RuleKind::TrafficSpike, None) => {
            matches!(h.rule, RuleKind::SynFlood | RuleKind::Ddos)
                || (h.rule == RuleKind::TrafficSpike && h.dst.is_some())
        }
        _ => false,
    };
    host_rule && h.start <= v.end + slack && v.start - slack <= h.end
}

impl Book {
    fn slack(&self, rule: RuleKind) -> f64 {
        match rule {
            RuleKind::Ddos => self.ddos_slack,
            _ => 1.0,
        }
    }

    fn is_victim(&self, rule: RuleKind) -> bool {
        self.correlate && matches!(rule, RuleKind::Ddos | RuleKind::TrafficSpike)
    }

    /// Opens an alert with the rows of the window's events `(time, row)` (oldest first), or
    /// extends the open one with the events not yet included (walking back from the newest, so
    /// each event is visited about once).
    pub(super) fn fire(
        &mut self,
        f: Fire,
        window: &mut dyn DoubleEndedIterator<Item = (f64, u32)>,
    ) {
        if let Some(a) = self
            .open
            .get(&(f.rule, f.key))
            .and_then(|i| self.alerts.get_mut(i))
        {
            if f.start - a.end <= self.cooldown {
                a.end = a.end.max(f.end);
                for &(k, v) in f.evidence {
                    // Look up before inserting: an extended alert fires once per record, and
                    // `entry` would allocate the key every time.
                    match a.evidence.get_mut(k) {
                        Some(e) => *e = e.max(v),
                        None => {
                            a.evidence.insert(k.to_owned(), v);
                        }
                    }
                }
                let last = a.last_t;
                let mut newest = last;
                for (t, row) in window.rev().take_while(|e| e.0 >= last) {
                    newest = newest.max(t);
                    a.rows.insert(row);
                }
                a.last_t = newest;
                a.ratio = a.ratio.max(f.ratio);
                return;
            }
        }
        let id = self.next_id;
        self.next_id += 1;
        let mut a = Building {
            rule: f.rule,
            src: f.src,
            dst: f.dst,
            port: f.port,
            start: f.start,
            end: f.end,
            evidence: f.evidence.iter().map(|&(k, v)| (k.to_owned(), v)).collect(),
            rows: RowSet::default(),
            last_t: f64::NEG_INFINITY,
            ratio: f.ratio,
            status: Status::Raised,
            victims: Vec::new(),
        };
        for (t, row) in window {
            a.last_t = a.last_t.max(t);
            a.rows.insert(row);
        }
        let victim = self.is_victim(a.rule);
        if victim {
            a.status = Status::Pending(a.end + self.slack(a.rule));
        }
        self.alerts.insert(id, a);
        self.open.insert((f.rule, f.key), id);
        if self.correlate {
            // Waiting alerts that belong to this one are folded now.
            let fold: Vec<u64> = self
                .pending
                .iter()
                .copied()
                .filter(|v| match (self.alerts.get(v), self.alerts.get(&id)) {
                    (Some(va), Some(h)) => fits(va, h, self.slack(va.rule)),
                    _ => false,
                })
                .collect();
            for v in fold {
                self.fold(v, id);
            }
        }
        if victim {
            match self.host_for(id) {
                Some(h) => self.fold(id, h),
                None => self.pending.push(id),
            }
        } else {
            self.raised.push(id);
        }
    }

    /// The alert `v` folds into: the earliest-opened fitting one (any status).
    fn host_for(&self, v: u64) -> Option<u64> {
        let va = self.alerts.get(&v)?;
        let slack = self.slack(va.rule);
        self.alerts
            .iter()
            .filter(|(&h, ha)| h != v && fits(va, ha, slack))
            .min_by(|a, b| a.1.start.total_cmp(&b.1.start).then(a.0.cmp(b.0)))
            .map(|(&h, _)| h)
    }

    fn fold(&mut self, v: u64, h: u64) {
        if let Some(a) = self.alerts.get_mut(&v) {
            a.status = Status::Folded(h);
        }
        if let Some(a) = self.alerts.get_mut(&h) {
            a.victims.push(v);
        }
        self.pending.retain(|&p| p != v);
    }

    /// Raises or folds the waiting alerts whose slack ended before `now`.
    fn release(&mut self, now: f64) {
        let due: Vec<u64> = self
            .pending
            .iter()
            .copied()
            .filter(|p| {
                matches!(self.alerts.get(p).map(|a| a.status), Some(Status::Pending(d)) if d < now)
            })
            .collect();
        for v in due {
            self.pending.retain(|&p| p != v);
            match self.host_for(v) {
                Some(h) => self.fold(v, h),
                None => {
                    if let Some(a) = self.alerts.get_mut(&v) {
                        a.status = Status::Raised;
                    }
                    self.raised.push(v);
                }
            }
        }
    }

    /// Raised alerts that can no longer change nor gain folded alerts at `now`: they and every
    /// alert folded into them ended more than `after` ago.
    fn closable(&self, now: f64, after: f64) -> Vec<u64> {
        let done = |id: &u64| {
            let mut stack = vec![*id];
            while let Some(i) = stack.pop() {
                match self.alerts.get(&i) {
                    Some(a) if now - a.end > after => stack.extend(&a.victims),
                    Some(_) => return false,
                    None => {}
                }
            }
            true
        };
        self.alerts
            .iter()
            .filter(|(id, a)| a.status == Status::Raised && done(id))
            .map(|(&id, _)| id)
            .collect()
    }

    fn sweep(&mut self, now: f64) {
        let (alerts, cooldown) = (&self.alerts, self.cooldown);
        self.open
            .retain(|_, i| alerts.get(i).is_some_and(|a| now - a.end <= cooldown));
    }
}

#[derive(Debug, Default)]
struct SpikeBuckets {
    /// The bucket (whole second) of `slots[0]`.
    base: i64,
    /// Packets and the rows that started in each bucket from `base` on, contiguous: a ring
    /// indexed by `bucket − base` (one `O(1)` step per bucket a flow spreads over, where an
    /// ordered map paid a tree search).
    slots: VecDeque<(f64, Vec<u32>)>,
}

impl SpikeBuckets {
    /// The slot of bucket `b` (buckets before `base` land in the first slot), grown as needed.
    fn slot(&mut self, b: i64) -> &mut (f64, Vec<u32>) {
        if self.slots.is_empty() {
            self.base = b;
        }
        let i = usize::try_from(b - self.base).unwrap_or(0);
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, || (0.0, Vec::new()));
        }
        &mut self.slots[i]
    }
}

#[derive(Debug)]
struct Run {
    start: f64,
    end: f64,
    /// The conversation's first flow (most never get a second: no allocation for those).
    first: u32,
    /// Its next flows, at most 63.
    more: Vec<u32>,
}

/// A beaconing pair's latest connections: (start, size or NaN, row), oldest first (16 bytes
/// each).
#[derive(Debug, Default)]
struct Pair {
    conns: VecDeque<(f64, f32, u32)>,
    /// Connections added since the pair was last scored.
    unscored: usize,
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

/// One "distinct values per group in a sliding window" rule: port scan (ports per source →
/// host), IP scan (hosts per source), DDoS (sources per host).
struct DistinctRule {
    rule: RuleKind,
    window_s: f64,
    threshold: u32,
    /// Evidence name of the distinct count.
    counted: &'static str,
    /// Evidence name of the event count, when reported.
    events: Option<&'static str>,
}

/// Who an alert of a [`DistinctRule`] is about.
struct Subject {
    key: Key,
    src: Option<u32>,
    dst: Option<u32>,
}

/// Adds `value` at `t` (from flow `row`) to the window of `group`, evicting what left the window,
/// and fires `spec.rule` when the window holds at least `spec.threshold` distinct values.
#[allow(clippy::too_many_arguments)]
fn distinct_step<G: Eq + Hash>(
    windows: &mut FxMap<G, DistinctWindow>,
    book: &mut Book,
    spec: &DistinctRule,
    group: G,
    who: Subject,
    t: f64,
    value: u32,
    row: u32,
) {
    let w = windows.entry(group).or_default();
    w.evict(t, spec.window_s);
    w.push(t, value, row);
    let n = w.distinct() as f64;
    let th = f64::from(spec.threshold);
    if n < th {
        return;
    }
    let counts = [
        (spec.counted, n),
        (spec.events.unwrap_or(""), w.len() as f64),
    ];
    let evidence = if spec.events.is_some() {
        &counts[..]
    } else {
        &counts[..1]
    };
    book.fire(
        Fire {
            rule: spec.rule,
            key: who.key,
            src: who.src,
            dst: who.dst,
            port: None,
            start: w.first_time().unwrap_or(t),
            end: t,
            evidence,
            ratio: n / th,
        },
        &mut w.events(),
    );
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
    port_scan: FxMap<(u32, u32), DistinctWindow>,
    ip_scan: FxMap<u32, DistinctWindow>,
    ddos: FxMap<u32, DistinctWindow>,
    syn: FxMap<u32, SumWindow>,
    outbound: FxMap<(u32, u32), SumWindow>,
    spike: FxMap<u32, SpikeBuckets>,
    runs: FxMap<Key, Run>,
    beacons: FxMap<(u32, u32, u32), Pair>,
    beacon_total: usize,
    brute_force: BruteForce,
    dns_tunnel: DnsTunnel,
    nxdomain: NxdomainBurst,
    book: Book,
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
            book: Book {
                cooldown: config.cooldown_s,
                correlate: config.correlate,
                ddos_slack: config.ddos_window_s,
                ..Book::default()
            },
            cfg: config.clone(),
            names: Vec::new(),
            ids: FxMap::default(),
            external: Vec::new(),
            now: f64::NEG_INFINITY,
            last_sweep: f64::NEG_INFINITY,
            settled: i64::MIN,
            n: 0,
            port_scan: FxMap::default(),
            ip_scan: FxMap::default(),
            ddos: FxMap::default(),
            syn: FxMap::default(),
            outbound: FxMap::default(),
            spike: FxMap::default(),
            runs: FxMap::default(),
            beacons: FxMap::default(),
            beacon_total: 0,
            brute_force: BruteForce::default(),
            dns_tunnel: DnsTunnel::default(),
            nxdomain: NxdomainBurst::default(),
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
        let ev = |n: usize| n;
        let more = [
            self.brute_force.sizes(),
            self.dns_tunnel.sizes(),
            self.nxdomain.sizes(),
        ];
        EngineSizes {
            window_keys: self.port_scan.len()
                + self.ip_scan.len()
                + self.ddos.len()
                + self.syn.len()
                + self.outbound.len()
                + more.iter().map(|m| m.0).sum::<usize>(),
            window_events: more.iter().map(|m| m.1).sum::<usize>()
                + ev(self
                    .port_scan
                    .values()
                    .map(DistinctWindow::len)
                    .sum::<usize>()
                    + self
                        .ip_scan
                        .values()
                        .map(DistinctWindow::len)
                        .sum::<usize>()
                    + self.ddos.values().map(DistinctWindow::len).sum::<usize>()
                    + self.syn.values().map(SumWindow::len).sum::<usize>()
                    + self.outbound.values().map(SumWindow::len).sum::<usize>()),
            beacon_connections: self.beacon_total,
            conversations: self.runs.len(),
            alerts: self.book.alerts.len(),
            closed: self.closed.len(),
            addresses: self.names.len(),
        }
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
        let cfg = &self.cfg;

        // Port scan: distinct destination ports, per source → host.
        if let Some(p) = r.dst_port {
            let spec = DistinctRule {
                rule: RuleKind::PortScan,
                window_s: cfg.port_scan_window_s,
                threshold: cfg.port_scan_ports,
                counted: "distinct_ports",
                events: Some("probes"),
            };
            let who = Subject {
                key: (src, dst, 0, 0),
                src: Some(src),
                dst: Some(dst),
            };
            let (map, book) = (&mut self.port_scan, &mut self.book);
            distinct_step(map, book, &spec, (src, dst), who, t, u32::from(p), row);
        }

        // IP scan: distinct destination hosts, per source.
        let spec = DistinctRule {
            rule: RuleKind::IpScan,
            window_s: cfg.ip_scan_window_s,
            threshold: cfg.ip_scan_hosts,
            counted: "distinct_hosts",
            events: None,
        };
        let who = Subject {
            key: (src, 0, 0, 0),
            src: Some(src),
            dst: None,
        };
        distinct_step(
            &mut self.ip_scan,
            &mut self.book,
            &spec,
            src,
            who,
            t,
            dst,
            row,
        );

        // DDoS: distinct sources, per host.
        let spec = DistinctRule {
            rule: RuleKind::Ddos,
            window_s: cfg.ddos_window_s,
            threshold: cfg.ddos_sources,
            counted: "distinct_sources",
            events: None,
        };
        let who = Subject {
            key: (dst, 0, 0, 0),
            src: None,
            dst: Some(dst),
        };
        distinct_step(&mut self.ddos, &mut self.book, &spec, dst, who, t, src, row);
        // SYN flood: SYNs of half-open connections, per host.
        if let Some(s) = half_open.filter(|&s| s > 0) {
            let w = self.syn.entry(dst).or_default();
            w.evict(t, cfg.syn_flood_window_s);
            w.push(t, s, 0, row);
            let n = w.sum_a() as f64;
            let th = f64::from(cfg.syn_flood_syns);
            if n >= th {
                let start = w.first_time().unwrap_or(t);
                let span = (t - start).max(1e-9);
                self.book.fire(
                    Fire {
                        rule: RuleKind::SynFlood,
                        key: (dst, 0, 0, 0),
                        src: None,
                        dst: Some(dst),
                        port: None,
                        start,
                        end: t,
                        evidence: &[("syns", n), ("syns_per_s", n / span.max(1.0))],
                        ratio: n / th,
                    },
                    &mut w.events(),
                );
            }
        }

        // Large outbound: bytes sent vs received, per source → host.
        if let Some(out) = r.bytes_fwd {
            if !cfg.outbound_external_only || self.external[dst as usize] {
                let w = self.outbound.entry((src, dst)).or_default();
                w.evict(t, cfg.outbound_window_s);
                let dense = cfg.outbound_window_s / OUTBOUND_DENSE as f64;
                w.push_coalesced(t, out, r.bytes_bwd.unwrap_or(0), row, OUTBOUND_DENSE, dense);
                let (o, i) = (w.sum_a(), w.sum_b());
                let big = o >= cfg.outbound_bytes;
                let lopsided = r.bytes_bwd.is_some()
                    && o >= cfg.outbound_ratio_floor_bytes
                    && o as f64 >= cfg.outbound_ratio * i as f64;
                if big || lopsided {
                    let start = w.first_time().unwrap_or(t);
                    let ratio = (o as f64 / cfg.outbound_bytes as f64)
                        .max(o as f64 / cfg.outbound_ratio_floor_bytes.max(1) as f64 / 10.0);
                    self.book.fire(
                        Fire {
                            rule: RuleKind::LargeOutbound,
                            key: (src, dst, 0, 0),
                            src: Some(src),
                            dst: Some(dst),
                            port: r.dst_port,
                            start,
                            end,
                            evidence: &[
                                ("bytes_out", o as f64),
                                ("bytes_in", i as f64),
                                ("out_in_ratio", o as f64 / (i.max(1)) as f64),
                            ],
                            ratio,
                        },
                        &mut w.events(),
                    );
                }
            }
        }

        // Long connection: one conversation per 5-tuple.
        if r.end > r.ts || self.runs.contains_key(&five(src, dst, r)) {
            let key = five(src, dst, r);
            let gap = cfg.long_connection_gap_s;
            let fresh = Run {
                start: t,
                end,
                first: row,
                more: Vec::new(),
            };
            let mut new = false;
            let run = self.runs.entry(key).or_insert_with(|| {
                new = true;
                fresh
            });
            if !new {
                if t > run.end + gap {
                    *run = Run {
                        start: t,
                        end,
                        first: row,
                        more: Vec::new(),
                    };
                } else if run.more.len() < 63 {
                    run.more.push(row);
                }
            }
            run.end = run.end.max(end);
            let d = run.end - run.start;
            if d >= cfg.long_connection_s {
                self.book.fire(
                    Fire {
                        rule: RuleKind::LongConnection,
                        key,
                        src: Some(src),
                        dst: Some(dst),
                        port: r.dst_port,
                        start: run.start,
                        end: run.end,
                        evidence: &[("duration_s", d)],
                        ratio: d / cfg.long_connection_s,
                    },
                    &mut std::iter::once(run.first)
                        .chain(run.more.iter().copied())
                        .map(|r| (f64::INFINITY, r)),
                );
            }
        }

        // Beaconing: the pair's latest connections, scored as they come.
        {
            let port = r.dst_port.map_or(ALL, u32::from);
            let key = (src, dst, port);
            let pair = self.beacons.entry(key).or_default();
            if pair.conns.len() >= self.cfg.beacon_max_history as usize {
                pair.conns.pop_front();
                self.beacon_total -= 1;
            }
            let size = r.bytes().or(r.packets()).map_or(f32::NAN, |x| x as f32);
            pair.conns.push_back((t, size, row));
            pair.unscored += 1;
            self.beacon_total += 1;
            // Every connection while the history is short, then every eighth of its length
            // (amortised O(log n) per connection).
            let (n, min_n) = (pair.conns.len(), self.cfg.beacon_min_connections as usize);
            if n >= min_n && (n < 2 * min_n || pair.unscored >= n / 8) {
                self.score_beacon(key);
            }
        }

        // Traffic spike: packets spread over 1-second buckets, per host and overall (settled
        // when their second is over, in `time_passes`).
        if let Some(p) = r.packets() {
            let cap = self.cfg.max_flows_per_alert as usize;
            for key in [dst, ALL] {
                let s = self.spike.entry(key).or_default();
                spread(s, t, end, p as f64, row, cap);
            }
        }

        // Password guessing, DNS tunnelling and NXDOMAIN bursts (one file each).
        let (book, cfg) = (&mut self.book, &self.cfg);
        self.brute_force.push(book, cfg, (src, dst), t, r, row);
        self.nxdomain.push(book, cfg, src, t, r, row);
        if let Some(domain) = r.dns.as_ref().and_then(|d| registered_domain(&d.query)) {
            let domain = self.intern(domain);
            let (book, cfg) = (&mut self.book, &self.cfg);
            self.dns_tunnel.push(book, cfg, (src, domain), t, r, row);
        }
    }

    /// Scores one beaconing pair and fires when it looks like a call-home.
    fn score_beacon(&mut self, key: (u32, u32, u32)) {
        let Some(pair) = self.beacons.get_mut(&key) else {
            return;
        };
        pair.unscored = 0;
        let h = &pair.conns;
        if h.len() < self.cfg.beacon_min_connections as usize {
            return;
        }
        let times: Vec<f64> = h.iter().map(|e| e.0).collect();
        let sizes: Option<Vec<f64>> = h
            .iter()
            .map(|e| (!e.1.is_nan()).then_some(f64::from(e.1)))
            .collect();
        let Some(b) = beacon_score(&times, sizes.as_deref(), self.cfg.beacon_jitter_tolerance)
        else {
            return;
        };
        if b.score < self.cfg.beacon_min_score || b.interval_median < self.cfg.beacon_min_interval_s
        {
            return;
        }
        let mut ev = vec![
            ("connections", h.len() as f64),
            ("score", b.score),
            ("timing_score", b.timing),
            ("interval_median_s", b.interval_median),
            ("interval_madm_s", b.interval_madm),
        ];
        if let (Some(s), Some(m)) = (b.size, b.size_median) {
            ev.push(("size_score", s));
            ev.push(("size_median", m));
        }
        let (first, last) = (times[0], times[times.len() - 1]);
        self.book.fire(
            Fire {
                rule: RuleKind::Beaconing,
                key: (key.0, key.1, key.2, 0),
                src: Some(key.0),
                dst: Some(key.1),
                port: (key.2 != ALL).then_some(key.2 as u16),
                start: first,
                end: last,
                evidence: &ev,
                ratio: 1.0,
            },
            &mut h.iter().map(|e| (f64::INFINITY, e.2)),
        );
    }

    /// Settles the spike buckets of every key before second `upto` (keys in order, so alerts
    /// open in the same order however the stream was cut).
    fn settle_all(&mut self, upto: i64) {
        let mut keys: Vec<u32> = self.spike.keys().copied().collect();
        keys.sort_unstable();
        for k in keys {
            self.settle_spikes(k, upto);
        }
    }

    /// Checks and drops the buckets of `key` before bucket `upto` (they can get no more packets).
    fn settle_spikes(&mut self, key: u32, upto: i64) {
        let Some(s) = self.spike.get_mut(&key) else {
            return;
        };
        while !s.slots.is_empty() && s.base < upto {
            let b = s.base;
            s.base += 1;
            let Some((pkts, rows)) = s.slots.pop_front() else {
                break;
            };
            if pkts >= self.cfg.spike_pps {
                let start = b as f64;
                self.book.fire(
                    Fire {
                        rule: RuleKind::TrafficSpike,
                        key: (key, 0, 0, 0),
                        src: None,
                        dst: (key != ALL).then_some(key),
                        port: None,
                        start,
                        end: start + 1.0,
                        evidence: &[("pps", pkts)],
                        ratio: pkts / self.cfg.spike_pps,
                    },
                    &mut rows.iter().map(|&r| (start, r)),
                );
            }
        }
    }

    /// Drops what can no longer matter at `now` (a [`SWEEP_S`] boundary): evicted windows,
    /// finished conversations, beaconing history past its horizon, settled spike keys, and
    /// alerts that can no longer change (moved to the closed list).
    fn sweep(&mut self, now: f64) {
        let c = &self.cfg;
        sweep_windows(&mut self.port_scan, now, c.port_scan_window_s);
        sweep_windows(&mut self.ip_scan, now, c.ip_scan_window_s);
        sweep_windows(&mut self.ddos, now, c.ddos_window_s);
        sweep_windows(&mut self.syn, now, c.syn_flood_window_s);
        sweep_windows(&mut self.outbound, now, c.outbound_window_s);
        self.brute_force.sweep(now, c);
        self.dns_tunnel.sweep(now, c);
        self.nxdomain.sweep(now, c);
        let gap = c.long_connection_gap_s;
        self.runs.retain(|_, r| now <= r.end + gap);
        self.spike.retain(|_, s| !s.slots.is_empty());
        let mut horizon = BEACON_HORIZON_S;
        loop {
            self.trim_beacons(now - horizon);
            if self.beacon_total <= BEACON_MAX_TOTAL || horizon <= SWEEP_S {
                break;
            }
            horizon = (horizon / 2.0).max(SWEEP_S);
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

    /// Drops beaconing connections before `cutoff` and the pairs left empty.
    fn trim_beacons(&mut self, cutoff: f64) {
        let mut dropped = 0;
        self.beacons.retain(|_, p| {
            while p.conns.front().is_some_and(|c| c.0 < cutoff) {
                p.conns.pop_front();
                dropped += 1;
            }
            !p.conns.is_empty()
        });
        self.beacon_total -= dropped;
    }

    /// An alert as it stands (without the alerts folded into it).
    fn alert_of(&self, a: &Building) -> RuleAlert {
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
        for v in b.victims {
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
        let mut pairs: Vec<_> = self
            .beacons
            .iter()
            .filter(|(_, p)| p.unscored > 0)
            .map(|(k, _)| *k)
            .collect();
        pairs.sort_unstable();
        for key in pairs {
            self.score_beacon(key);
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

fn five(src: u32, dst: u32, r: &FlowRecord) -> Key {
    (
        src,
        dst,
        (u32::from(r.src_port.unwrap_or(0)) << 16) | u32::from(r.dst_port.unwrap_or(0)),
        u32::from(r.protocol.unwrap_or(255)),
    )
}

/// Spreads `p` packets evenly over `[t, end]` into 1-second buckets; the flow's row is listed in
/// its first bucket only (an alert lists the flows that started in the spiking second).
fn spread(s: &mut SpikeBuckets, t: f64, end: f64, p: f64, row: u32, cap: usize) {
    let b0 = t.floor() as i64;
    let first = s.slot(b0);
    if first.1.len() < cap {
        first.1.push(row);
    }
    let d = end - t;
    if d <= 0.0 || !d.is_finite() {
        first.0 += p;
        return;
    }
    let b1 = (end.floor() as i64).min(b0 + MAX_SPREAD_BUCKETS - 1);
    first.0 += p * (end.min(b0 as f64 + 1.0) - t) / d;
    for b in b0 + 1..=b1 {
        let lo = b as f64;
        let hi = end.min(lo + 1.0);
        if hi > lo {
            s.slot(b).0 += p * (hi - lo) / d;
        }
    }
}

fn fmt_count(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.1}")
    }
}

fn human_bytes(b: f64) -> String {
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{b:.0} B")
    }
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

/// Alert → the CLI's JSON object (times as ISO-8601 UTC and epoch seconds).
pub fn alert_json(a: &RuleAlert) -> serde_json::Value {
    serde_json::json!({
        "rule": a.rule.id(),
        "severity": a.severity.id(),
        "source": a.source,
        "target": a.target,
        "port": a.port,
        "window_start": iso8601(a.window_start),
        "window_end": iso8601(a.window_end),
        "window_start_epoch": a.window_start,
        "window_end_epoch": a.window_end,
        "evidence": a.evidence,
        "flow_count": a.flow_count,
        "related": a.related.iter().map(|r| r.id()).collect::<Vec<_>>(),
        "description": a.description,
    })
}
