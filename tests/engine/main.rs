//! Engine integration tests: one binary, one module per area.

mod architecture;
mod iforest_reference;
mod ingest;
mod ingest_bench;
mod ingest_presets;
mod lof_reference;
mod ocsvm;
mod ocsvm_nslkdd;
mod ocsvm_reference;
mod pcap;
