//! Sliding time windows: events in time order in a deque, evicted as time advances.
//!
//! A window of length `W` at time `now` holds the events with `now − W ≤ t ≤ now` (both ends
//! inclusive: two events exactly `W` apart share a window). Events must arrive with
//! non-decreasing times (the rule engine processes records sorted by time).

use std::collections::VecDeque;

use super::fxmap::FxMap;

/// A window that forgets events as time advances.
pub trait Sliding {
    /// Drops events older than `now − window`.
    fn evict(&mut self, now: f64, window: f64);
    /// True when the window holds no event.
    fn is_empty(&self) -> bool;
}

impl Sliding for DistinctWindow {
    fn evict(&mut self, now: f64, window: f64) {
        DistinctWindow::evict(self, now, window);
    }
    fn is_empty(&self) -> bool {
        DistinctWindow::is_empty(self)
    }
}

impl Sliding for SumWindow {
    fn evict(&mut self, now: f64, window: f64) {
        SumWindow::evict(self, now, window);
    }
    fn is_empty(&self) -> bool {
        SumWindow::is_empty(self)
    }
}

/// Distinct values in a sliding window, with a per-value counter so that adding and evicting are
/// O(1) — the distinct count is never recomputed from a set.
#[derive(Debug, Clone, Default)]
pub struct DistinctWindow {
    events: VecDeque<(f64, u32, u32)>,
    counts: Counts,
}

/// Events per value. Most windows hold a handful of distinct values (one source's ports to one
/// host, one host's sources), where a linear scan of a short vector beats hashing and allocates
/// once; past [`SMALL`] distinct values the counts move to a hash map.
#[derive(Debug, Clone)]
enum Counts {
    Small(Vec<(u32, u32)>),
    Large(FxMap<u32, u32>),
}

/// Most distinct values kept in [`Counts::Small`].
const SMALL: usize = 32;

impl Default for Counts {
    fn default() -> Self {
        Counts::Small(Vec::new())
    }
}

impl Counts {
    fn add(&mut self, v: u32) {
        match self {
            Counts::Small(s) => {
                if let Some(e) = s.iter_mut().find(|e| e.0 == v) {
                    e.1 += 1;
                } else if s.len() < SMALL {
                    s.push((v, 1));
                } else {
                    let mut m: FxMap<u32, u32> = s.iter().copied().collect();
                    m.insert(v, 1);
                    *self = Counts::Large(m);
                }
            }
            Counts::Large(m) => *m.entry(v).or_insert(0) += 1,
        }
    }

    fn remove_one(&mut self, v: u32) {
        match self {
            Counts::Small(s) => {
                if let Some(i) = s.iter().position(|e| e.0 == v) {
                    s[i].1 -= 1;
                    if s[i].1 == 0 {
                        s.swap_remove(i);
                    }
                }
            }
            Counts::Large(m) => {
                if let Some(c) = m.get_mut(&v) {
                    *c -= 1;
                    if *c == 0 {
                        m.remove(&v);
                    }
                }
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            Counts::Small(s) => s.len(),
            Counts::Large(m) => m.len(),
        }
    }
}

impl DistinctWindow {
    /// Drops events older than `now − window`.
    pub fn evict(&mut self, now: f64, window: f64) {
        while let Some(&(t, v, _)) = self.events.front() {
            if t >= now - window {
                break;
            }
            self.events.pop_front();
            self.counts.remove_one(v);
        }
    }

    /// Adds an event of `value` at time `t` from flow `row`.
    pub fn push(&mut self, t: f64, value: u32, row: u32) {
        self.events.push_back((t, value, row));
        self.counts.add(value);
    }

    /// Distinct values in the window.
    pub fn distinct(&self) -> usize {
        self.counts.len()
    }

    /// Oldest event time in the window.
    pub fn first_time(&self) -> Option<f64> {
        self.events.front().map(|e| e.0)
    }

    /// `(time, row)` of the events in the window, oldest first.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = (f64, u32)> + '_ {
        self.events.iter().map(|e| (e.0, e.2))
    }

    /// Events in the window.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when the window holds no event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

/// One event of a [`SumWindow`].
#[derive(Debug, Clone, Copy)]
struct SumEvent {
    t: f64,
    sent: u64,
    received: u64,
    row: u32,
}

/// Sums of integer weights in a sliding window (exact: integers never drift): what was sent
/// (bytes out, or SYNs toward a host) and what came back (bytes in).
#[derive(Debug, Clone, Default)]
pub struct SumWindow {
    events: VecDeque<SumEvent>,
    sent: u64,
    received: u64,
}

impl SumWindow {
    /// Drops events older than `now − window`.
    pub fn evict(&mut self, now: f64, window: f64) {
        while let Some(&e) = self.events.front() {
            if e.t >= now - window {
                break;
            }
            self.events.pop_front();
            self.sent -= e.sent;
            self.received -= e.received;
        }
    }

    /// Adds `sent` and `received` at time `t` from flow `row`.
    pub fn push(&mut self, t: f64, sent: u64, received: u64, row: u32) {
        self.events.push_back(SumEvent {
            t,
            sent,
            received,
            row,
        });
        self.sent = self.sent.saturating_add(sent);
        self.received = self.received.saturating_add(received);
    }

    /// Like [`push`](Self::push), but once the window holds `dense` events or more, an event
    /// less than `granularity` seconds after the newest one is added to it (sums stay exact, the
    /// merged event keeps its first row and time), so a window of length `W` holds at most
    /// about `dense + W / granularity` events.
    pub fn push_coalesced(
        &mut self,
        t: f64,
        sent: u64,
        received: u64,
        row: u32,
        dense: usize,
        granularity: f64,
    ) {
        if self.events.len() >= dense {
            if let Some(last) = self.events.back_mut() {
                if t - last.t < granularity {
                    last.sent = last.sent.saturating_add(sent);
                    last.received = last.received.saturating_add(received);
                    self.sent = self.sent.saturating_add(sent);
                    self.received = self.received.saturating_add(received);
                    return;
                }
            }
        }
        self.push(t, sent, received, row);
    }

    /// Events in the window.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Sum of what was sent in the window.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// Sum of what came back in the window.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Oldest event time in the window.
    pub fn first_time(&self) -> Option<f64> {
        self.events.front().map(|e| e.t)
    }

    /// `(time, row)` of the events in the window, oldest first.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = (f64, u32)> + '_ {
        self.events.iter().map(|e| (e.t, e.row))
    }

    /// True when the window holds no event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_counts_follow_eviction() {
        let mut w = DistinctWindow::default();
        for (t, v) in [(0.0, 1), (1.0, 2), (2.0, 1), (70.0, 3)] {
            w.evict(t, 60.0);
            w.push(t, v, 0);
        }
        assert_eq!(w.distinct(), 1, "values 1 and 2 left the window");
        w.push(71.0, 3, 1);
        assert_eq!(w.distinct(), 1);
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn distinct_counts_survive_the_switch_to_a_map_and_back_down() {
        let mut w = DistinctWindow::default();
        for v in 0..100u32 {
            w.push(f64::from(v), v % 50, v);
        }
        assert_eq!(w.distinct(), 50);
        w.evict(75.0, 0.0);
        assert_eq!(w.len(), 25);
        assert_eq!(w.distinct(), 25, "values 25..50 remain");
    }

    #[test]
    fn window_edges_are_inclusive() {
        let mut w = SumWindow::default();
        w.push(0.0, 5, 0, 0);
        w.evict(60.0, 60.0);
        assert_eq!(w.sent(), 5, "exactly one window apart: still in");
        w.evict(60.001, 60.0);
        assert_eq!(w.sent(), 0);
        assert!(w.is_empty());
    }

    #[test]
    fn coalescing_keeps_sums_exact_and_bounds_events() {
        let mut w = SumWindow::default();
        for i in 0..10_000u32 {
            w.push_coalesced(f64::from(i) * 0.01, 3, 1, i, 100, 1.0);
        }
        assert_eq!(w.sent(), 30_000);
        assert_eq!(w.received(), 10_000);
        assert!(w.len() <= 100 + 100, "{}", w.len());
    }
}
