//! Pure functions from results to plotly chart specs. No DOM: every chart is a [`plotly::Plot`]
//! whose JSON is tested natively; the UI hands that JSON to plotly.js.
//!
//! | chart | function |
//! |---|---|
//! | ensemble score per row, anomalies marked by severity | [`timeline::timeline`] |
//! | histogram of the ensemble score split at the threshold | [`score_histogram::score_histogram`] |

pub mod palette;
pub mod timeline;

pub use timeline::timeline;
pub mod config;
pub mod score_histogram;
pub mod live;
