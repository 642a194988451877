//! Distinct values per group in a sliding window: port scan (ports per source → host), IP scan
//! (hosts per source) and DDoS (sources per host).

use std::fmt::Debug;
use std::hash::Hash;

use super::book::{AlertBook, AlertKey, Firing};
use super::fxmap::FxMap;
use super::rule::{Flow, Rule};
use super::run::{sweep_windows, EngineSizes};
use super::window::DistinctWindow;
use super::{RuleKind, RulesConfig};

/// What one record counts: the value, in the window of which group, and who an alert is about.
pub(super) struct Counted<G> {
    group: G,
    value: u32,
    key: AlertKey,
    src: Option<u32>,
    dst: Option<u32>,
}

/// One "distinct values per group in a sliding window" rule.
#[derive(Debug)]
pub(super) struct DistinctCount<G> {
    rule: RuleKind,
    window_s: f64,
    threshold: u32,
    /// Evidence name of the distinct count.
    counted: &'static str,
    /// Evidence name of the event count, when reported.
    events: Option<&'static str>,
    /// What a record counts, if anything.
    select: fn(&Flow) -> Option<Counted<G>>,
    windows: FxMap<G, DistinctWindow>,
}

/// Port scan: distinct destination ports, per source → host.
pub(super) fn port_scan(c: &RulesConfig) -> DistinctCount<(u32, u32)> {
    DistinctCount {
        rule: RuleKind::PortScan,
        window_s: c.port_scan_window_s,
        threshold: c.port_scan_ports,
        counted: "distinct_ports",
        events: Some("probes"),
        select: |f| {
            f.rec.dst_port.map(|p| Counted {
                group: (f.src, f.dst),
                value: u32::from(p),
                key: AlertKey::Pair {
                    src: f.src,
                    dst: f.dst,
                },
                src: Some(f.src),
                dst: Some(f.dst),
            })
        },
        windows: FxMap::default(),
    }
}

/// IP scan: distinct destination hosts, per source.
pub(super) fn ip_scan(c: &RulesConfig) -> DistinctCount<u32> {
    DistinctCount {
        rule: RuleKind::IpScan,
        window_s: c.ip_scan_window_s,
        threshold: c.ip_scan_hosts,
        counted: "distinct_hosts",
        events: None,
        select: |f| {
            Some(Counted {
                group: f.src,
                value: f.dst,
                key: AlertKey::Source(f.src),
                src: Some(f.src),
                dst: None,
            })
        },
        windows: FxMap::default(),
    }
}

/// DDoS: distinct sources, per host.
pub(super) fn ddos(c: &RulesConfig) -> DistinctCount<u32> {
    DistinctCount {
        rule: RuleKind::Ddos,
        window_s: c.ddos_window_s,
        threshold: c.ddos_sources,
        counted: "distinct_sources",
        events: None,
        select: |f| {
            Some(Counted {
                group: f.dst,
                value: f.src,
                key: AlertKey::Host(f.dst),
                src: None,
                dst: Some(f.dst),
            })
        },
        windows: FxMap::default(),
    }
}

impl<G: Eq + Hash + Debug + Send + Sync> Rule for DistinctCount<G> {
    /// Adds the record's value to its group's window, evicting what left the window, and fires
    /// when the window holds at least `threshold` distinct values.
    fn push(&mut self, f: &Flow, book: &mut AlertBook) {
        let Some(c) = (self.select)(f) else {
            return;
        };
        let t = f.t;
        let w = self.windows.entry(c.group).or_default();
        w.evict(t, self.window_s);
        w.push(t, c.value, f.row);
        let n = w.distinct() as f64;
        let th = f64::from(self.threshold);
        if n < th {
            return;
        }
        let counts = [
            (self.counted, n),
            (self.events.unwrap_or(""), w.len() as f64),
        ];
        let evidence = if self.events.is_some() {
            &counts[..]
        } else {
            &counts[..1]
        };
        book.fire(
            Firing {
                rule: self.rule,
                key: c.key,
                src: c.src,
                dst: c.dst,
                port: None,
                start: w.first_time().unwrap_or(t),
                end: t,
                evidence,
                ratio: n / th,
            },
            &mut w.events(),
        );
    }

    fn sweep(&mut self, now: f64) {
        sweep_windows(&mut self.windows, now, self.window_s);
    }

    fn sizes(&self, s: &mut EngineSizes) {
        s.window_keys += self.windows.len();
        s.window_events += self
            .windows
            .values()
            .map(DistinctWindow::len)
            .sum::<usize>();
    }
}
