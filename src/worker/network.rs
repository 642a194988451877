//! The Network page's job: behaviour rules and network views over the current data set.

use crate::analysis::netviews::network_views_at;
use crate::engine::rules::RulesConfig;
use crate::worker::protocol::{ResponseBody, WorkerError};
use crate::worker::runtime::{failure, with_state};

/// Runs the rules with `rules` and computes every network view over the current data set, with
/// the last run's anomalies under `threshold` (see [`network_views_at`]) when the run belongs to it.
pub(crate) fn network(
    rules: &RulesConfig,
    threshold: Option<f64>,
) -> Result<ResponseBody, WorkerError> {
    with_state(|s| {
        let Some(table) = s.table.as_ref() else {
            return Err(failure(
                "no data set is loaded; load sample data or a file on the Analyze page first",
            ));
        };
        let result = s
            .last
            .as_ref()
            .map(|(_, r)| r)
            .filter(|r| r.is_anomaly.len() == table.n_rows());
        network_views_at(table, result, rules, threshold)
            .map(|v| ResponseBody::Network(Box::new(v)))
            .map_err(WorkerError::from)
    })
}
