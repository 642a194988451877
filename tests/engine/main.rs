//! Engine integration tests: one binary, one module per area.

mod architecture;
mod iforest_reference;
