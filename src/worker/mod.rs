//! The Web Worker layer: the typed message protocol (native, tested by round trips) and the
//! runtime that serves it inside the worker (wasm only), with one module of job handlers per
//! area.

pub mod models;
pub mod protocol;
pub mod warmup;

#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod anomalies;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod file_reader;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod live;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod mapping;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod network;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod results;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod runtime;
#[cfg(all(feature = "ui", target_arch = "wasm32"))]
pub mod views;
