//! Pure functions from results to plotly chart specs. No DOM: every chart is a [`plotly::Plot`]
//! whose JSON is tested natively; the UI hands that JSON to plotly.js.
//!
//! | chart | function |
//! |---|---|
//! | ensemble score per row, anomalies marked by severity | [`timeline::timeline`] |
//! | histogram of the ensemble score split at the threshold | [`score_histogram::score_histogram`] |
//! | anomalies per detector and by the ensemble | [`comparison::model_comparison`] |
//! | rows per number of votes | [`comparison::voting`] |
//! | anomalies per severity | [`comparison::severity`] |
//! | one feature, normal vs anomalous | [`distributions::feature_histogram`] |
//! | 2-D PCA coloured by score | [`projection::pca`] |
//! | feature correlation heatmap | [`projection::correlation`] |
//! | ROC / precision–recall curves | [`curves::curves`] |
//! | permutation importance per feature | [`importance::importance_bars`] |
//! | network views: talkers, protocols, ports, flows per minute, packet lengths | [`network::network_chart`] |
//! | live mode: flows and anomalies per second | [`live::rate_chart`] |
//! | live mode: rolling scatter of ensemble scores | [`live::score_chart`] |
//!
//! Shared by every chart: [`frame`] (background, theme text, title, PNG download) and [`palette`]
//! (the colours of both CSS themes).

pub mod comparison;
pub mod curves;
pub mod distributions;
pub mod escape;
pub mod frame;
pub mod network;
pub mod palette;
pub mod projection;
pub mod timeline;

pub use escape::escape;
pub use timeline::timeline;
pub mod importance;
pub mod live;
pub mod score_histogram;
pub use importance::importance_bars;

#[cfg(test)]
mod hostile_tests;
