//! Traffic spike: packets per 1-second bucket, per host and over all traffic; each flow's packets
//! are spread evenly over its duration. A bucket is checked when its second is over.

use std::collections::VecDeque;

use super::book::{AlertBook, AlertKey, Firing};
use super::fxmap::FxMap;
use super::rule::{Flow, Rule};
use super::run::EngineSizes;
use super::{RuleKind, RulesConfig};

/// Most 1-second buckets one flow's packets are spread over (longer flows: the first ones).
const MAX_SPREAD_BUCKETS: i64 = 4 * 3600;
/// Key of the all-traffic spike.
const ALL_TRAFFIC: u32 = u32::MAX;

/// One second: its packets and the rows that started in it.
#[derive(Debug, Default)]
struct Bucket {
    packets: f64,
    rows: Vec<u32>,
}

/// One key's buckets.
#[derive(Debug, Default)]
struct Buckets {
    /// The bucket (whole second) of `slots[0]`.
    base: i64,
    /// The buckets from `base` on, contiguous: a ring indexed by `bucket − base` (one `O(1)`
    /// step per bucket a flow spreads over, where an ordered map paid a tree search).
    slots: VecDeque<Bucket>,
}

impl Buckets {
    /// The slot of bucket `b` (buckets before `base` land in the first slot), grown as needed.
    fn slot(&mut self, b: i64) -> &mut Bucket {
        if self.slots.is_empty() {
            self.base = b;
        }
        let i = usize::try_from(b - self.base).unwrap_or(0);
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, Bucket::default);
        }
        &mut self.slots[i]
    }

    /// Spreads `p` packets evenly over `[t, end]`; the flow's row is listed in its first bucket
    /// only (an alert lists the flows that started in the spiking second).
    fn spread(&mut self, t: f64, end: f64, p: f64, row: u32, cap: usize) {
        let b0 = t.floor() as i64;
        let first = self.slot(b0);
        if first.rows.len() < cap {
            first.rows.push(row);
        }
        let d = end - t;
        if d <= 0.0 || !d.is_finite() {
            first.packets += p;
            return;
        }
        let b1 = (end.floor() as i64).min(b0 + MAX_SPREAD_BUCKETS - 1);
        first.packets += p * (end.min(b0 as f64 + 1.0) - t) / d;
        for b in b0 + 1..=b1 {
            let lo = b as f64;
            let hi = end.min(lo + 1.0);
            if hi > lo {
                self.slot(b).packets += p * (hi - lo) / d;
            }
        }
    }
}

/// The traffic-spike rule: buckets per destination host and for all traffic.
#[derive(Debug)]
pub(super) struct TrafficSpike {
    pps: f64,
    max_rows: usize,
    keys: FxMap<u32, Buckets>,
}

impl TrafficSpike {
    pub(super) fn new(c: &RulesConfig) -> Self {
        Self {
            pps: c.spike_pps,
            max_rows: c.max_flows_per_alert as usize,
            keys: FxMap::default(),
        }
    }

    /// Checks and drops the buckets of `key` before bucket `upto` (they can get no more packets).
    fn settle_key(&mut self, key: u32, upto: i64, book: &mut AlertBook) {
        let Some(s) = self.keys.get_mut(&key) else {
            return;
        };
        while !s.slots.is_empty() && s.base < upto {
            let b = s.base;
            s.base += 1;
            let Some(bucket) = s.slots.pop_front() else {
                break;
            };
            let pkts = bucket.packets;
            if pkts >= self.pps {
                let start = b as f64;
                book.fire(
                    Firing {
                        rule: RuleKind::TrafficSpike,
                        key: AlertKey::Host(key),
                        src: None,
                        dst: (key != ALL_TRAFFIC).then_some(key),
                        port: None,
                        start,
                        end: start + 1.0,
                        evidence: &[("pps", pkts)],
                        ratio: pkts / self.pps,
                    },
                    &mut bucket.rows.iter().map(|&r| (start, r)),
                );
            }
        }
    }
}

impl Rule for TrafficSpike {
    /// Spreads the record's packets over the buckets of its host and of all traffic (checked in
    /// [`settle`](Rule::settle)).
    fn push(&mut self, f: &Flow, _book: &mut AlertBook) {
        if let Some(p) = f.rec.packets() {
            for key in [f.dst, ALL_TRAFFIC] {
                let s = self.keys.entry(key).or_default();
                s.spread(f.t, f.end, p as f64, f.row, self.max_rows);
            }
        }
    }

    /// Settles the buckets of every key before second `upto` (keys in order, so alerts open in
    /// the same order however the stream was cut).
    fn settle(&mut self, upto: i64, book: &mut AlertBook) {
        let mut keys: Vec<u32> = self.keys.keys().copied().collect();
        keys.sort_unstable();
        for k in keys {
            self.settle_key(k, upto, book);
        }
    }

    fn sweep(&mut self, _now: f64) {
        self.keys.retain(|_, s| !s.slots.is_empty());
    }

    fn sizes(&self, _sizes: &mut EngineSizes) {}
}
