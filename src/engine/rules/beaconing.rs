//! Beaconing: each source → host:port's latest connections, scored as they come ([`beacon`]
//! computes the score).
//!
//! [`beacon`]: super::beacon

use std::collections::VecDeque;

use super::beacon::beacon_score;
use super::book::{AlertBook, AlertKey, Firing};
use super::fxmap::FxMap;
use super::rule::{Flow, Rule};
use super::run::{EngineSizes, SWEEP_S};
use super::{RuleKind, RulesConfig};

/// Beaconing keeps the connections of this many seconds (fewer while there are more than
/// [`BEACON_MAX_TOTAL`]).
pub const BEACON_HORIZON_S: f64 = 3600.0;
/// Most connections beaconing keeps over all pairs.
pub const BEACON_MAX_TOTAL: usize = 200_000;
/// The port of a service key when the records have no destination port.
pub(super) const ANY_PORT: u32 = u32::MAX;

/// A source → host:port (interned addresses; [`ANY_PORT`] without ports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Service {
    src: u32,
    dst: u32,
    port: u32,
}

/// One connection (16 bytes).
#[derive(Debug, Clone, Copy)]
struct Connection {
    t: f64,
    /// Bytes (or packets), NaN when unknown.
    size: f32,
    row: u32,
}

/// A pair's latest connections, oldest first.
#[derive(Debug, Default)]
struct History {
    conns: VecDeque<Connection>,
    /// Connections added since the pair was last scored.
    unscored: usize,
}

/// The beaconing rule.
#[derive(Debug)]
pub(super) struct Beaconing {
    cfg: RulesConfig,
    pairs: FxMap<Service, History>,
    /// Connections kept over all pairs.
    total: usize,
}

impl Beaconing {
    pub(super) fn new(c: &RulesConfig) -> Self {
        Self {
            cfg: c.clone(),
            pairs: FxMap::default(),
            total: 0,
        }
    }

    /// Scores one pair and fires when it looks like a call-home.
    fn score(&mut self, key: Service, book: &mut AlertBook) {
        let Some(pair) = self.pairs.get_mut(&key) else {
            return;
        };
        pair.unscored = 0;
        let h = &pair.conns;
        if h.len() < self.cfg.beacon_min_connections as usize {
            return;
        }
        let times: Vec<f64> = h.iter().map(|e| e.t).collect();
        let sizes: Option<Vec<f64>> = h
            .iter()
            .map(|e| (!e.size.is_nan()).then_some(f64::from(e.size)))
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
        book.fire(
            Firing {
                rule: RuleKind::Beaconing,
                key: AlertKey::Service {
                    src: key.src,
                    dst: key.dst,
                    port: key.port,
                },
                src: Some(key.src),
                dst: Some(key.dst),
                port: (key.port != ANY_PORT).then_some(key.port as u16),
                start: first,
                end: last,
                evidence: &ev,
                ratio: 1.0,
            },
            &mut h.iter().map(|e| (f64::INFINITY, e.row)),
        );
    }

    /// Drops connections before `cutoff` and the pairs left empty.
    fn trim(&mut self, cutoff: f64) {
        let mut dropped = 0;
        self.pairs.retain(|_, p| {
            while p.conns.front().is_some_and(|c| c.t < cutoff) {
                p.conns.pop_front();
                dropped += 1;
            }
            !p.conns.is_empty()
        });
        self.total -= dropped;
    }
}

impl Rule for Beaconing {
    fn push(&mut self, f: &Flow, book: &mut AlertBook) {
        let r = f.rec;
        let port = r.dst_port.map_or(ANY_PORT, u32::from);
        let key = Service {
            src: f.src,
            dst: f.dst,
            port,
        };
        let pair = self.pairs.entry(key).or_default();
        if pair.conns.len() >= self.cfg.beacon_max_history as usize {
            pair.conns.pop_front();
            self.total -= 1;
        }
        let size = r.bytes().or(r.packets()).map_or(f32::NAN, |x| x as f32);
        pair.conns.push_back(Connection {
            t: f.t,
            size,
            row: f.row,
        });
        pair.unscored += 1;
        self.total += 1;
        // Every connection while the history is short, then every eighth of its length
        // (amortised O(log n) per connection).
        let (n, min_n) = (pair.conns.len(), self.cfg.beacon_min_connections as usize);
        if n >= min_n && (n < 2 * min_n || pair.unscored >= n / 8) {
            self.score(key, book);
        }
    }

    /// Scores the pairs not scored since their last connection.
    fn flush(&mut self, book: &mut AlertBook) {
        let mut pairs: Vec<Service> = self
            .pairs
            .iter()
            .filter(|(_, p)| p.unscored > 0)
            .map(|(k, _)| *k)
            .collect();
        pairs.sort_unstable();
        for key in pairs {
            self.score(key, book);
        }
    }

    /// Drops history past [`BEACON_HORIZON_S`]; when more than [`BEACON_MAX_TOTAL`] connections
    /// remain, the horizon is halved until they fit (down to one sweep interval).
    fn sweep(&mut self, now: f64) {
        let mut horizon = BEACON_HORIZON_S;
        loop {
            self.trim(now - horizon);
            if self.total <= BEACON_MAX_TOTAL || horizon <= SWEEP_S {
                break;
            }
            horizon = (horizon / 2.0).max(SWEEP_S);
        }
    }

    fn sizes(&self, s: &mut EngineSizes) {
        s.beacon_connections += self.total;
    }
}
