//! The rule engine: records in time order → alerts (see the [module docs](super) for the rules).
//!
//! [`RuleEngine`] is streaming: [`RuleEngine::push`] one record at a time in non-decreasing start
//! time (a record earlier than the last one is processed as if at the last one's time), then
//! [`RuleEngine::finish`]. State is per key and swept every 60 s of record time: empty windows,
//! finished conversations and alerts past their cooldown are dropped, so memory follows the
//! traffic of the last window, not the whole input (beaconing keeps at most `beacon_max_history`
//! connections per pair). [`evaluate`] sorts a batch and runs it.

use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasherDefault;
use std::net::IpAddr;

use super::beacon::beacon_score;
use super::fxmap::{FxHasher, FxMap};
use super::window::{DistinctWindow, SumWindow};
use super::{
    iso8601, unsupported_rules, FlowRecord, RuleAlert, RuleKind, RulesConfig, RulesOutcome,
};
use crate::engine::error::Error;

/// Seconds of record time between state sweeps.
const SWEEP_S: f64 = 60.0;
/// Most 1-second buckets one flow's packets are spread over (longer flows: the first ones).
const MAX_SPREAD_BUCKETS: i64 = 4 * 3600;
/// Key of the all-traffic spike.
const ALL: u32 = u32::MAX;
/// Severity rises one level at this multiple of the threshold.
const ESCALATE_AT: f64 = 5.0;

type Key = (u32, u32, u32, u32);
/// A beaconing pair's connections: (start, size, row), oldest first.
type History = std::collections::VecDeque<(f64, Option<f64>, u32)>;
type RowSet = HashSet<u32, BuildHasherDefault<FxHasher>>;

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
}

/// Alerts under construction and the open (still extendable) one per rule and key.
#[derive(Debug, Default)]
struct Book {
    alerts: Vec<Building>,
    open: FxMap<(RuleKind, Key), usize>,
    cooldown: f64,
}

/// One firing of a rule.
struct Fire<'a> {
    rule: RuleKind,
    key: Key,
    src: Option<u32>,
    dst: Option<u32>,
    port: Option<u16>,
    start: f64,
    end: f64,
    evidence: &'a [(&'static str, f64)],
    /// Measured value ÷ threshold (for escalation).
    ratio: f64,
}

impl Book {
    /// Opens an alert with the rows of the window's events `(time, row)` (oldest first), or
    /// extends the open one with the events not yet included (walking back from the newest, so
    /// each event is visited about once).
    fn fire(&mut self, f: Fire, window: &mut dyn DoubleEndedIterator<Item = (f64, u32)>) {
        if let Some(&i) = self.open.get(&(f.rule, f.key)) {
            let a = &mut self.alerts[i];
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
        let i = self.alerts.len();
        self.alerts.push(Building {
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
        });
        let a = &mut self.alerts[i];
        for (t, row) in window {
            a.last_t = a.last_t.max(t);
            a.rows.insert(row);
        }
        self.open.insert((f.rule, f.key), i);
    }

    fn sweep(&mut self, now: f64) {
        let (alerts, cooldown) = (&self.alerts, self.cooldown);
        self.open.retain(|_, i| now - alerts[*i].end <= cooldown);
    }
}

#[derive(Debug, Default)]
struct SpikeBuckets {
    /// The bucket (whole second) of `slots[0]`.
    base: i64,
    /// Packets and the rows that started in each bucket from `base` on, contiguous: a ring
    /// indexed by `bucket − base` (one `O(1)` step per bucket a flow spreads over, where an
    /// ordered map paid a tree search).
    slots: std::collections::VecDeque<(f64, Vec<u32>)>,
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
    rows: Vec<u32>,
}

/// Streaming rule evaluation; see the module docs.
#[derive(Debug)]
pub struct RuleEngine {
    cfg: RulesConfig,
    names: Vec<String>,
    ids: FxMap<String, u32>,
    external: Vec<bool>,
    now: f64,
    last_sweep: f64,
    n: usize,
    port_scan: FxMap<(u32, u32), DistinctWindow>,
    ip_scan: FxMap<u32, DistinctWindow>,
    ddos: FxMap<u32, DistinctWindow>,
    syn: FxMap<u32, SumWindow>,
    outbound: FxMap<(u32, u32), SumWindow>,
    spike: FxMap<u32, SpikeBuckets>,
    runs: FxMap<Key, Run>,
    beacons: FxMap<(u32, u32, u32), History>,
    book: Book,
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
                ..Book::default()
            },
            cfg: config.clone(),
            names: Vec::new(),
            ids: FxMap::default(),
            external: Vec::new(),
            now: f64::NEG_INFINITY,
            last_sweep: f64::NEG_INFINITY,
            n: 0,
            port_scan: FxMap::default(),
            ip_scan: FxMap::default(),
            ddos: FxMap::default(),
            syn: FxMap::default(),
            outbound: FxMap::default(),
            spike: FxMap::default(),
            runs: FxMap::default(),
            beacons: FxMap::default(),
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
        if t - self.last_sweep >= SWEEP_S {
            self.sweep(t);
        }
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
            let w = self.port_scan.entry((src, dst)).or_default();
            w.evict(t, cfg.port_scan_window_s);
            w.push(t, u32::from(p), row);
            let n = w.distinct() as f64;
            let th = f64::from(cfg.port_scan_ports);
            if n >= th {
                let start = w.first_time().unwrap_or(t);
                self.book.fire(
                    Fire {
                        rule: RuleKind::PortScan,
                        key: (src, dst, 0, 0),
                        src: Some(src),
                        dst: Some(dst),
                        port: None,
                        start,
                        end: t,
                        evidence: &[("distinct_ports", n), ("probes", w.len() as f64)],
                        ratio: n / th,
                    },
                    &mut w.events(),
                );
            }
        }

        // IP scan: distinct destination hosts, per source.
        {
            let w = self.ip_scan.entry(src).or_default();
            w.evict(t, cfg.ip_scan_window_s);
            w.push(t, dst, row);
            let n = w.distinct() as f64;
            let th = f64::from(cfg.ip_scan_hosts);
            if n >= th {
                let start = w.first_time().unwrap_or(t);
                self.book.fire(
                    Fire {
                        rule: RuleKind::IpScan,
                        key: (src, 0, 0, 0),
                        src: Some(src),
                        dst: None,
                        port: None,
                        start,
                        end: t,
                        evidence: &[("distinct_hosts", n)],
                        ratio: n / th,
                    },
                    &mut w.events(),
                );
            }
        }

        // DDoS: distinct sources, per host.
        {
            let w = self.ddos.entry(dst).or_default();
            w.evict(t, cfg.ddos_window_s);
            w.push(t, src, row);
            let n = w.distinct() as f64;
            let th = f64::from(cfg.ddos_sources);
            if n >= th {
                let start = w.first_time().unwrap_or(t);
                self.book.fire(
                    Fire {
                        rule: RuleKind::Ddos,
                        key: (dst, 0, 0, 0),
                        src: None,
                        dst: Some(dst),
                        port: None,
                        start,
                        end: t,
                        evidence: &[("distinct_sources", n)],
                        ratio: n / th,
                    },
                    &mut w.events(),
                );
            }
        }

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
                w.push(t, out, r.bytes_bwd.unwrap_or(0), row);
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
            let run = self.runs.entry(key).or_insert(Run {
                start: t,
                end,
                rows: Vec::new(),
            });
            if t > run.end + gap {
                *run = Run {
                    start: t,
                    end,
                    rows: Vec::new(),
                };
            }
            run.end = run.end.max(end);
            if run.rows.len() < 64 {
                run.rows.push(row);
            }
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
                    &mut run.rows.iter().map(|&r| (f64::INFINITY, r)),
                );
            }
        }

        // Beaconing history, scored at the end.
        {
            let port = r.dst_port.map_or(ALL, u32::from);
            let h = self.beacons.entry((src, dst, port)).or_default();
            if h.len() >= cfg.beacon_max_history as usize {
                h.pop_front();
            }
            let size = r.bytes().or(r.packets()).map(|x| x as f64);
            h.push_back((t, size, row));
        }

        // Traffic spike: packets spread over 1-second buckets, per host and overall.
        if let Some(p) = r.packets() {
            let b0 = t.floor() as i64;
            self.settle_spikes(dst, b0);
            self.settle_spikes(ALL, b0);
            let cap = self.cfg.max_flows_per_alert as usize;
            for key in [dst, ALL] {
                let s = self.spike.entry(key).or_default();
                spread(s, t, end, p as f64, row, cap);
            }
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

    fn sweep(&mut self, now: f64) {
        self.last_sweep = now;
        let c = &self.cfg;
        self.port_scan.retain(|_, w| {
            w.evict(now, c.port_scan_window_s);
            !w.is_empty()
        });
        self.ip_scan.retain(|_, w| {
            w.evict(now, c.ip_scan_window_s);
            !w.is_empty()
        });
        self.ddos.retain(|_, w| {
            w.evict(now, c.ddos_window_s);
            !w.is_empty()
        });
        self.syn.retain(|_, w| {
            w.evict(now, c.syn_flood_window_s);
            !w.is_empty()
        });
        self.outbound.retain(|_, w| {
            w.evict(now, c.outbound_window_s);
            !w.is_empty()
        });
        let gap = c.long_connection_gap_s;
        self.runs.retain(|_, r| now <= r.end + gap);
        let mut keys: Vec<u32> = self.spike.keys().copied().collect();
        keys.sort_unstable();
        let upto = now.floor() as i64;
        for k in keys {
            self.settle_spikes(k, upto);
        }
        self.spike.retain(|_, s| !s.slots.is_empty());
        self.book.sweep(now);
    }

    /// Scores beaconing, settles the last spike buckets, correlates (when configured) and returns
    /// the sorted alerts.
    pub fn finish(mut self) -> RulesOutcome {
        let mut keys: Vec<u32> = self.spike.keys().copied().collect();
        keys.sort_unstable();
        for k in keys {
            self.settle_spikes(k, i64::MAX);
        }
        let mut pairs: Vec<_> = self.beacons.keys().copied().collect();
        pairs.sort_unstable();
        let min_n = self.cfg.beacon_min_connections as usize;
        for key in pairs {
            let Some(h) = self.beacons.get(&key) else {
                continue;
            };
            if h.len() < min_n {
                continue;
            }
            let times: Vec<f64> = h.iter().map(|e| e.0).collect();
            let sizes: Option<Vec<f64>> = h.iter().map(|e| e.1).collect();
            let Some(b) = beacon_score(&times, sizes.as_deref(), self.cfg.beacon_jitter_tolerance)
            else {
                continue;
            };
            if b.score < self.cfg.beacon_min_score
                || b.interval_median < self.cfg.beacon_min_interval_s
            {
                continue;
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
            let rows: Vec<u32> = h.iter().map(|e| e.2).collect();
            self.book.fire(
                Fire {
                    rule: RuleKind::Beaconing,
                    key: (key.0, key.1, key.2, 0),
                    src: Some(key.0),
                    dst: Some(key.1),
                    port: (key.2 != ALL).then_some(key.2 as u16),
                    start: times[0],
                    end: times[times.len() - 1],
                    evidence: &ev,
                    ratio: 1.0,
                },
                &mut rows.iter().map(|&r| (f64::INFINITY, r)),
            );
        }
        let cap = self.cfg.max_flows_per_alert as usize;
        let names = &self.names;
        let name = |id: Option<u32>| id.and_then(|i| names.get(i as usize).cloned());
        let mut alerts: Vec<RuleAlert> = self
            .book
            .alerts
            .into_iter()
            .map(|a| {
                let mut rows: Vec<usize> = a.rows.into_iter().map(|r| r as usize).collect();
                rows.sort_unstable();
                let flow_count = rows.len();
                rows.truncate(cap);
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
                    evidence: a.evidence,
                    flows: rows,
                    flow_count,
                    related: Vec::new(),
                    description: String::new(),
                };
                alert.description = describe(&alert);
                alert
            })
            .collect();
        sort_alerts(&mut alerts);
        if self.cfg.correlate {
            alerts = correlate(alerts, &self.cfg);
        }
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
    }
}

fn sort_alerts(alerts: &mut [RuleAlert]) {
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

fn window_of(rule: RuleKind, c: &RulesConfig) -> f64 {
    match rule {
        RuleKind::Ddos => c.ddos_window_s,
        RuleKind::TrafficSpike => 1.0,
        _ => 0.0,
    }
}

/// Folds alerts that describe one attack into one (see the [module docs](super)): DDoS into an
/// overlapping SYN flood on the same host; a per-host spike into an overlapping SYN flood or
/// DDoS on that host; an all-traffic spike into any overlapping SYN flood, DDoS or per-host
/// spike. "Overlapping" allows the folded rule's window as slack. The kept alert keeps its own
/// window and flows (the folded rule's window usually holds unrelated earlier traffic) and gains
/// the folded evidence and [`RuleAlert::related`]. The result stays sorted.
pub fn correlate(mut alerts: Vec<RuleAlert>, config: &RulesConfig) -> Vec<RuleAlert> {
    let mut absorbed = vec![false; alerts.len()];
    // Fold in this order so that chains end in the most specific alert.
    for (victim, hosts) in [
        (RuleKind::Ddos, &[RuleKind::SynFlood][..]),
        (
            RuleKind::TrafficSpike,
            &[RuleKind::SynFlood, RuleKind::Ddos][..],
        ),
    ] {
        for i in 0..alerts.len() {
            if absorbed[i] || alerts[i].rule != victim {
                continue;
            }
            let slack = window_of(victim, config);
            let (s, e) = (alerts[i].window_start - slack, alerts[i].window_end + slack);
            let all_traffic = alerts[i].target.is_none();
            let host = (0..alerts.len()).find(|&j| {
                j != i
                    && !absorbed[j]
                    && (hosts.contains(&alerts[j].rule)
                        || (all_traffic
                            && alerts[j].rule == RuleKind::TrafficSpike
                            && alerts[j].target.is_some()))
                    && (all_traffic || alerts[j].target == alerts[i].target)
                    && alerts[j].window_start <= e
                    && s <= alerts[j].window_end
            });
            if let Some(j) = host {
                absorbed[i] = true;
                let a = alerts[i].clone();
                let h = &mut alerts[j];
                for (k, v) in &a.evidence {
                    if !k.contains('.') {
                        h.evidence.insert(format!("{}.{k}", a.rule.id()), *v);
                    } else {
                        h.evidence.insert(k.clone(), *v);
                    }
                }
                if !h.related.contains(&a.rule) {
                    h.related.push(a.rule);
                }
                for r in a.related {
                    if !h.related.contains(&r) {
                        h.related.push(r);
                    }
                }
                h.related.sort();
                h.severity = h.severity.max(a.severity);
                h.description = format!(
                    "{} (also {})",
                    describe(h),
                    h.related
                        .iter()
                        .map(|r| r.title())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
    }
    let mut out: Vec<RuleAlert> = alerts
        .into_iter()
        .zip(absorbed)
        .filter(|(_, gone)| !gone)
        .map(|(a, _)| a)
        .collect();
    sort_alerts(&mut out);
    out
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
///     syn: Some(1), ack: Some(1), fin: Some(0), rst: Some(1), handshake_complete: Some(false), row,
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
