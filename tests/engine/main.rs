//! Native integration tests of the engine, one module per area.

mod ensemble;
mod features;
mod generate;
mod iforest_reference;
mod ingest;
mod ingest_bench;
mod ingest_presets;
mod lof_nsl_kdd;
mod lof_reference;
mod metrics;
mod ocsvm;
mod ocsvm_reference;
mod pipeline;
mod report;
