//! The Network page's job: behaviour rules and network views over the current data set.

use crate::engine::netviews::network_views_at;
use crate::engine::netviews::NetworkViews;
use crate::engine::rules::RulesConfig;
use crate::worker::protocol::WorkerError;
use crate::worker::runtime::with_state;

/// Runs the rules with `rules` and computes every network view over the current data set, with
/// the last run's anomalies under `threshold` (see [`network_views_at`]) when the run belongs to it.
pub(crate) fn network(
    rules: &RulesConfig,
    threshold: Option<f64>,
) -> Result<Box<NetworkViews>, WorkerError> {
    with_state(|s| {
        let table = s.table()?;
        let result = s
            .last
            .as_ref()
            .map(|(_, r)| r)
            .filter(|r| r.is_anomaly.len() == table.n_rows());
        network_views_at(table, result, rules, threshold)
            .map(Box::new)
            .map_err(WorkerError::from)
    })
}
