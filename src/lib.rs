//! # netsift
//!
//! Network-traffic anomaly detection that runs entirely in the browser.
//!
//! The crate is layered; dependencies point one way, engine → analysis → (worker, viz, storage)
//! → ui (`tests/engine/architecture.rs` checks it; `docs/architecture.md` explains it):
//!
//! | module | job | browser? |
//! |---|---|---|
//! | [`engine`] | ingest, features, the four detectors, ensemble, metrics, rules, reports, the pipeline | never |
//! | [`analysis`] | what the pages show, computed from results: summary, triage, chart and network views, mapping, narrative | never |
//! | [`worker`] | the message protocol between page and Web Worker (native), and the worker runtime (wasm) | runtime only |
//! | [`storage`] | the persisted workspace schema and its migrations (native), IndexedDB adapter (wasm) | adapter only |
//! | [`viz`] | pure functions from results to plotly chart specs, testable as JSON | no |
//! | `ui` | Leptos components: pages, tables, charts; holds state, computes nothing heavy | yes (feature `ui`) |
//!
//! `cargo test --no-default-features` builds and tests everything but `ui` with no browser crate at all.

// Production code never unwraps, expects or panics: a failure is a typed error the caller shows.
// Unit tests (cfg(test)), integration tests and examples may.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod analysis;
pub mod engine;
pub mod storage;
#[cfg(feature = "ui")]
pub mod ui;
#[cfg(feature = "ui")]
pub mod viz;
pub mod worker;
