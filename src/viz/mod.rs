//! Pure functions from results to plotly chart specs. No DOM: every chart is a [`plotly::Plot`]
//! whose JSON is tested natively; the UI hands that JSON to plotly.js.
//!
//! | chart | function |
//! |---|---|
//! | ensemble score per row, anomalies marked by severity | [`timeline::timeline`] |
//! | network views: talkers, protocols, ports, flows per minute, packet lengths | [`network::network_chart`] |

pub mod network;
pub mod palette;
pub mod timeline;

pub use timeline::timeline;
