//! The detection engine: plain Rust with no browser dependency, so it builds and is tested
//! natively and runs unchanged in the Web Worker.
//!
//! ```text
//! ingest ──► Table (typed columns with roles) ──► features (encode + scale) ──► models ──► ensemble
//!                                                                                     └─► metrics, explain, report
//! ```
//!
//! | module | job |
//! |---|---|
//! | [`data`] | `Table`: typed columns (numeric / categorical) with roles (feature, label, timestamp, …) |
//! | [`ingest`] | bytes → `Table`: CSV (schema presets), JSON, Zeek, PCAP/PCAPNG → flows |
//! | [`generate`] | seeded synthetic sample traffic (connection-features schema) |
//! | [`features`] | categorical encoding and standard scaling, fitted on training rows only |
//! | [`models`] | the four detectors behind one contract (params → fit → model → score) |
//! | [`ensemble`] | votes, continuous ensemble score, confidence, severity, agreement |
//! | [`metrics`] | confusion matrix, precision/recall/F1, ROC-AUC, PR-AUC, curves |
//! | [`bench`] | the NSL-KDD benchmark protocols (shared by the CLI and the browser worker) |
//! | [`explain`] | per-alert explanations, permutation importance, number formatting for sentences |
//! | [`feedback`] | verdicts on alerts, suppression rules, retraining with feedback |
//! | [`model_file`] | saved models: one JSON file with schema, version and content hash |
//! | [`pipeline`] | the one entry point the worker, the CLI, the tests and the benchmarks call |
//! | [`rules`] | behaviour rules over flows: scans, SYN flood, spikes, DDoS, beaconing, long connections, large uploads |
//! | [`enrich`] | anomaly types, tags, a combined severity and mitigation advice for anomalies and rule alerts |
//! | [`report`] | CSV (formula-safe) and JSON exports |
//! | [`progress`] | progress reporting with cancellation |
//! | [`error`] | the typed engine errors: what is wrong and where (field, row, byte) |
//! | [`live`] | live mode: traffic simulator and capture replay scored flow by flow, bounded state |
//! | [`text`], [`time`] | numbers, bytes and spans as text; civil dates and ISO 8601 |
//! | [`rng`], [`math`] | seeded PRNG and platform-independent floating-point functions |
//!
//! Determinism: every random choice takes a seed, the PRNG algorithm is fixed, transcendental
//! functions come from `libm` and reductions run in a fixed order, so the same input and seed give
//! bit-identical results natively and in wasm.
#![warn(missing_docs)]

pub mod bench;
pub mod data;
pub mod enrich;
pub mod ensemble;
pub mod error;
pub mod explain;
pub mod features;
pub mod feedback;
pub mod generate;
pub mod ingest;
pub mod math;
pub mod metrics;
pub mod model_file;
pub mod models;
pub mod pipeline;
pub mod progress;
pub mod report;
pub mod rng;
pub mod rules;
pub mod text;
pub mod time;

pub use error::{Error, Result};
pub mod live;
