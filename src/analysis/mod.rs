//! Analysis: the page-shaped view models the worker and the CLI compute from the engine's
//! results, so that a page only draws. Native like the engine, never a browser crate; it calls
//! the engine and is called by `worker`, `viz`, `storage` and the CLI, never the other way.
//!
//! | module | computes |
//! |---|---|
//! | [`summary`] | the numbers under the analyst's threshold: counts per severity, the top rows, the JSON summary export |
//! | [`triage`] | the anomaly table query (filter, sort, page), one row's detail, feedback counts |
//! | [`views`] | feature histograms, a PCA projection, correlations and ground truth for the analysis charts |
//! | [`netviews`] | per-host and per-alert network views: enriched alerts, talkers, distributions, conversations |
//! | [`mapping`] | a column-mapping preview: what each column would become and the table it would give |
//! | [`narrative`] | a written analysis of one alert in an analyst persona (templates, no AI service) |

#![warn(missing_docs)]

pub mod mapping;
pub mod narrative;
pub mod netviews;
pub mod summary;
pub mod triage;
pub mod views;
