//! Native integration tests of the engine: one binary, one module per area.

mod ocsvm;
mod ocsvm_nslkdd;
mod ocsvm_reference;
