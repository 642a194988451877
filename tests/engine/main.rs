//! Native integration tests of the engine, one module per area.

mod ae_nslkdd;
mod ae_reference;
