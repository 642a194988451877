//! Engine integration tests: one binary, one module per area.

mod ensemble;
mod features;
mod generate;
mod metrics;
mod pipeline;
mod report;
