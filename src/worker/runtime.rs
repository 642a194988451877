//! The worker runtime (wasm only): serves the protocol inside the Web Worker. (To be written.)

/// Installs the message handler.
pub fn register() {}
