//! The Live page's data: bounded rings filled from the worker's batches. Plain Rust (no
//! signals), so the bounds are unit-tested natively.

use std::collections::VecDeque;

use crate::engine::live::{
    AlertOrigin, LiveAlert, LiveAnomaly, LiveBatch, LiveStarted, ModelStatus, SecondAgg,
};
use crate::engine::rules::ThreatLevel;

/// Stream seconds kept for the rate chart (5 minutes).
pub const WINDOW_SECONDS: usize = 300;
/// Score samples kept for the rolling score chart.
pub const SCORE_POINTS: usize = 600;
/// Feed entries kept.
pub const FEED_LEN: usize = 100;

/// Where the live session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LiveRun {
    /// No session.
    #[default]
    Idle,
    /// Waiting for the worker to start it.
    Starting,
    /// Ticking.
    Running,
    /// Started, no ticks.
    Paused,
    /// A replay reached its end.
    Ended,
}

impl LiveRun {
    /// Id for `data-run` (tests, CSS).
    pub fn id(self) -> &'static str {
        match self {
            LiveRun::Idle => "idle",
            LiveRun::Starting => "starting",
            LiveRun::Running => "running",
            LiveRun::Paused => "paused",
            LiveRun::Ended => "ended",
        }
    }
}

/// Everything the Live page shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveView {
    /// The start answer (source, model note, rules note).
    pub started: Option<LiveStarted>,
    /// Stream time reached, epoch seconds.
    pub stream_time: f64,
    /// Stream seconds since the start.
    pub stream_elapsed: f64,
    /// Flows so far.
    pub flows: u64,
    /// Model anomalies so far.
    pub anomalies: u64,
    /// Feed entries so far.
    pub alerts: u64,
    /// High or critical feed entries so far.
    pub high_alerts: u64,
    /// The last completed seconds, oldest first (≤ [`WINDOW_SECONDS`]).
    pub seconds: VecDeque<SecondAgg>,
    /// Score samples, oldest first (≤ [`SCORE_POINTS`]).
    pub scores: VecDeque<(f64, f32, bool)>,
    /// Feed, newest first (≤ [`FEED_LEN`]).
    pub feed: VecDeque<LiveAlert>,
    /// The last anomalies, newest first.
    pub recent: Vec<LiveAnomaly>,
    /// Model state.
    pub model: Option<ModelStatus>,
    /// Notes from the worker (warm-up done, …), newest last, ≤ 5.
    pub notes: VecDeque<String>,
    /// The newest high-severity entry not yet dismissed (the toast).
    pub toast: Option<LiveAlert>,
    /// The last tick was cut to the per-tick flow cap (the stream runs slower than asked).
    pub capped: bool,
    /// Worker wasm memory in bytes at the last batch.
    pub wasm_memory_bytes: u64,
    /// Batches received.
    pub batches: u64,
}

impl LiveView {
    /// A fresh view for a session that just started.
    pub fn started(s: LiveStarted) -> Self {
        Self {
            stream_time: s.start,
            started: Some(s),
            ..Self::default()
        }
    }

    /// Folds one batch in, keeping every ring bounded.
    pub fn apply(&mut self, b: LiveBatch) {
        self.batches += 1;
        self.stream_time = b.stream_time;
        self.stream_elapsed = b.stream_elapsed;
        self.flows = b.flows_total;
        self.anomalies = b.anomalies_total;
        self.alerts = b.alerts_total;
        self.capped = b.capped;
        self.wasm_memory_bytes = b.wasm_memory_bytes;
        self.model = Some(b.model);
        push_bounded(&mut self.seconds, b.seconds, WINDOW_SECONDS);
        push_bounded(&mut self.scores, b.scores, SCORE_POINTS);
        for a in b.alerts {
            if a.severity >= ThreatLevel::High {
                self.high_alerts += 1;
                self.toast = Some(a.clone());
            }
            self.feed.push_front(a);
        }
        // Over the bound, groups of model anomalies go first (they recur every few seconds;
        // rule alerts are rarer and matter longer).
        while self.feed.len() > FEED_LEN {
            match self
                .feed
                .iter()
                .rposition(|a| a.origin == AlertOrigin::Model)
            {
                Some(i) => {
                    self.feed.remove(i);
                }
                None => {
                    self.feed.pop_back();
                }
            }
        }
        if !b.recent.is_empty() {
            self.recent = b.recent;
        }
        for n in b.notes {
            self.notes.push_back(n);
        }
        while self.notes.len() > 5 {
            self.notes.pop_front();
        }
    }

    /// Flows per second over the last completed second (0 before the first).
    pub fn last_rate(&self) -> u32 {
        self.seconds.back().map_or(0, |s| s.flows)
    }
}

fn push_bounded<T>(ring: &mut VecDeque<T>, items: Vec<T>, cap: usize) {
    let skip = items.len().saturating_sub(cap);
    ring.extend(items.into_iter().skip(skip));
    while ring.len() > cap {
        ring.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(i: u64) -> LiveBatch {
        LiveBatch {
            stream_time: i as f64,
            stream_elapsed: i as f64,
            new_flows: 10,
            flows_total: 10 * i,
            anomalies_total: i,
            alerts_total: i,
            seconds: (0..50)
                .map(|k| SecondAgg {
                    t: (i * 50 + k) as i64,
                    flows: 10,
                    anomalies: 1,
                    mean_score: 0.2,
                    max_score: 0.9,
                })
                .collect(),
            scores: vec![(i as f64, 0.5, false); 200],
            alerts: vec![LiveAlert {
                id: i,
                origin: AlertOrigin::Rule,
                kind: "port_scan".into(),
                title: "Port scan".into(),
                severity: ThreatLevel::High,
                start: 0.0,
                end: 1.0,
                source: None,
                target: None,
                flows: 40,
                description: String::new(),
            }],
            recent: Vec::new(),
            model: ModelStatus::Scoring,
            notes: vec!["n".into()],
            capped: false,
            ended: false,
            wasm_memory_bytes: 0,
        }
    }

    #[test]
    fn rings_stay_bounded_and_newest_first() {
        let mut v = LiveView::default();
        for i in 1..=500 {
            v.apply(batch(i));
        }
        assert_eq!(v.seconds.len(), WINDOW_SECONDS);
        assert_eq!(v.scores.len(), SCORE_POINTS);
        assert_eq!(v.feed.len(), FEED_LEN);
        assert_eq!(v.notes.len(), 5);
        assert_eq!(v.feed[0].id, 500, "newest first");
        assert_eq!(v.seconds.back().map(|s| s.t), Some(500 * 50 + 49));
        assert_eq!(v.high_alerts, 500);
        assert_eq!(v.toast.as_ref().map(|a| a.id), Some(500));
    }

    #[test]
    fn model_groups_leave_the_full_feed_before_rule_alerts() {
        let mut v = LiveView::default();
        let mut b = batch(1);
        b.alerts[0].id = 0;
        v.apply(b);
        for i in 1..=150 {
            let mut b = batch(i);
            b.alerts[0].origin = AlertOrigin::Model;
            v.apply(b);
        }
        assert_eq!(v.feed.len(), FEED_LEN);
        assert_eq!(v.feed.back().map(|a| a.id), Some(0), "the rule alert stays");
    }
}
