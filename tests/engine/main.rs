//! Native integration tests of the engine, one module per area.

mod lof_reference;
mod lof_nsl_kdd;
