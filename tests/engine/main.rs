//! Native integration tests of the engine, one module per area.

mod lof_nsl_kdd;
mod lof_reference;
