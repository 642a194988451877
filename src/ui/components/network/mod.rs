//! The Network page's components: rule thresholds, the alerts table with its detail (enrichment,
//! advice, written analyses, the flows behind it), charts and the host tables.

pub mod alerts;
pub mod charts;
pub mod enriched;
pub mod rules_form;
pub mod tables;

pub use alerts::AlertsPanel;
pub use charts::NetChartView;
pub use enriched::{AnalysisView, EnrichedAnomalies, EnrichmentView};
pub use rules_form::RulesForm;
pub use tables::{Conversations, SuspiciousIps, TopTalkers};

use crate::engine::rules::ThreatLevel;
use crate::engine::time::iso8601;

/// `YYYY-MM-DD HH:MM:SS` UTC.
pub fn utc(epoch_seconds: f64) -> String {
    let iso = iso8601(epoch_seconds);
    iso.get(..19).unwrap_or(&iso).replacen('T', " ", 1)
}

/// CSS class of a severity badge.
pub fn threat_class(t: ThreatLevel) -> &'static str {
    match t {
        ThreatLevel::Low => "ns-sev ns-sev--low",
        ThreatLevel::Medium => "ns-sev ns-sev--medium",
        ThreatLevel::High => "ns-sev ns-sev--high",
        ThreatLevel::Critical => "ns-sev ns-sev--critical",
    }
}
