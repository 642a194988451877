//! Pure functions from results to plotly chart specs. No DOM: every chart is a [`plotly::Plot`]
//! whose JSON is tested natively; the UI hands that JSON to plotly.js.
//!
//! | chart | function |
//! |---|---|
//! | ensemble score per row, anomalies marked by severity | [`timeline::timeline`] |
//! | permutation importance per feature | [`importance::importance_bars`] |

pub mod palette;
pub mod timeline;

pub use timeline::timeline;
pub mod importance;
pub use importance::importance_bars;
