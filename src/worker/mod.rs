//! The Web Worker layer: the typed message protocol (native, tested by round trips) and the
//! runtime that serves it inside the worker (wasm only).

#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod anomalies;
pub mod protocol;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod runtime;
