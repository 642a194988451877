//! The Leptos UI (client-side rendered, feature `ui`).
//!
//! | module | job |
//! |---|---|
//! | [`app`] | the root component: provides the state and the worker, lays out the page |
//! | [`state`] | [`state::AppState`], every signal of the page, and [`state::use_app_state`] |
//! | [`hooks`] | [`hooks::use_worker`]: the typed bridge to the engine's Web Worker (`request(req)` → the request's reply) |
//! | [`pages`] | one component per tab: analyze, anomalies, network, live, history |
//! | [`components`] | header, tabs, data, train, results, error banner, … |
//! | [`chart`] | plotly.js rendering with errors instead of panics |
//! | [`download`] | Blob + object-URL downloads |
//! | [`error`] | [`error::AppError`], every failure the page shows, and `AppState::fail` |
//! | [`format`] | number formatting for cards and tables |
//!
//! The UI computes nothing heavy: the engine runs in the worker, charts are built by
//! [`crate::viz`] and drawn in effects.

pub mod app;
pub mod chart;
pub mod components;
pub mod download;
pub mod error;
pub mod format;
pub mod hooks;
pub mod pages;
pub mod state;

pub use app::App;
