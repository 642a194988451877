//! Engine integration tests: one binary, one module per area.

mod ae_nslkdd;
mod ae_reference;
mod architecture;
mod enrich;
mod ensemble;
mod explain;
mod features;
mod feedback;
mod generate;
mod iforest_reference;
mod ingest;
mod ingest_bench;
mod ingest_presets;
mod lof_nsl_kdd;
mod lof_reference;
mod metrics;
mod model_file;
mod ocsvm;
mod ocsvm_nslkdd;
mod ocsvm_reference;
mod pcap;
mod pipeline;
mod report;
mod rules;
mod storage;
mod tune;
