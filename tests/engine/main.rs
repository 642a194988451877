//! Native integration tests of the engine, one module per area.

mod ingest;
mod ingest_bench;
mod ingest_presets;
