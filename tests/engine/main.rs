//! Engine integration tests: one binary, one module per area.

mod architecture;
mod iforest_reference;
mod lof_reference;
mod ocsvm;
mod ocsvm_nslkdd;
mod ocsvm_reference;
