//! History queries and retention, as pure functions over run records.

use serde::{Deserialize, Serialize};

use crate::engine::ensemble::Severity;
use crate::storage::schema::{AnomalyRecord, RunRecord};

/// Seconds per day.
const DAY: f64 = 86_400.0;

/// What the history page shows. Empty fields filter nothing.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HistoryFilter {
    /// Earliest time, epoch seconds (inclusive).
    pub from: Option<f64>,
    /// Latest time, epoch seconds (inclusive).
    pub to: Option<f64>,
    /// Anomalies from this source IP (exact match).
    pub src_ip: Option<String>,
    /// Anomalies of these severities (empty = any).
    pub severities: Vec<Severity>,
    /// Anomalies with this tag (exact match).
    pub tag: Option<String>,
}

impl HistoryFilter {
    fn in_range(&self, t: f64) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|to| t <= to)
    }

    fn filters_anomalies(&self) -> bool {
        self.src_ip.is_some() || !self.severities.is_empty() || self.tag.is_some()
    }

    /// True when an anomaly passes the IP, severity and tag filters.
    pub fn matches_anomaly(&self, a: &AnomalyRecord) -> bool {
        self.src_ip
            .as_ref()
            .is_none_or(|ip| a.src_ip.as_ref() == Some(ip))
            && (self.severities.is_empty() || self.severities.contains(&a.severity))
            && self.tag.as_ref().is_none_or(|t| a.tags.contains(t))
    }
}

/// Runs whose time is in the range and — when an IP, severity or tag filter is set — that have
/// at least one matching anomaly; newest first.
pub fn filter_runs<'a>(runs: &'a [RunRecord], filter: &HistoryFilter) -> Vec<&'a RunRecord> {
    let mut out: Vec<&RunRecord> = runs
        .iter()
        .filter(|r| filter.in_range(r.at))
        .filter(|r| {
            !filter.filters_anomalies() || r.anomalies.iter().any(|a| filter.matches_anomaly(a))
        })
        .collect();
    out.sort_by(|a, b| b.at.total_cmp(&a.at).then(a.id.cmp(&b.id)));
    out
}

/// The anomalies of a run that pass the filter; the time range applies to the anomaly's own
/// time when it has one, else to the run's.
pub fn filter_anomalies<'a>(run: &'a RunRecord, filter: &HistoryFilter) -> Vec<&'a AnomalyRecord> {
    run.anomalies
        .iter()
        .filter(|a| filter.in_range(a.time.unwrap_or(run.at)) && filter.matches_anomaly(a))
        .collect()
}

/// How much history to keep. Both limits apply; `None` = no limit.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Retention {
    /// Keep at most this many runs (the newest).
    pub keep_last: Option<usize>,
    /// Drop runs older than this many days.
    pub max_age_days: Option<f64>,
}

/// Ids of the runs `retention` drops at time `now` (epoch seconds), oldest first.
pub fn expired(runs: &[RunRecord], retention: &Retention, now: f64) -> Vec<String> {
    let mut order: Vec<&RunRecord> = runs.iter().collect();
    order.sort_by(|a, b| b.at.total_cmp(&a.at).then(a.id.cmp(&b.id)));
    let mut out: Vec<(f64, String)> = order
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            retention.keep_last.is_some_and(|k| *i >= k)
                || retention.max_age_days.is_some_and(|d| now - r.at > d * DAY)
        })
        .map(|(_, r)| (r.at, r.id.clone()))
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    out.into_iter().map(|(_, id)| id).collect()
}
