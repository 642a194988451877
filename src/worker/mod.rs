//! The Web Worker layer: the typed message protocol (native, tested by round trips) and the
//! runtime that serves it inside the worker (wasm only).

pub mod models;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod mapping;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod live;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod network;
pub mod protocol;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod results;
pub mod live;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod runtime;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod views;
pub mod anomalies;
