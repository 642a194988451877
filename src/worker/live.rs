//! Live mode in the worker (wasm only): holds the [`LiveSession`] and advances it on each tick.
//!
//! A job runs synchronously, so the page drives the stream: it sends `LiveTick` about every
//! 250 ms with the wall-clock time since the last one and the speed; the session produces and
//! scores that slice of stream time and answers with a compact batch, to which this adds the size
//! of the worker's wasm memory (so the page and the tests can watch it stay flat).

use wasm_bindgen::JsCast;

use crate::engine::live::{LiveBatch, LiveSession, LiveSource, LiveStarted};
use crate::engine::pipeline::RunConfig;
use crate::worker::protocol::WorkerError;
use crate::worker::runtime::with_state;

/// Fastest stream speed accepted (stream seconds per wall-clock second).
pub const MAX_SPEED: f64 = 100.0;

/// Starts a session on the current data set's model (or a warm-up one).
pub fn start(source: LiveSource, config: RunConfig) -> Result<LiveStarted, WorkerError> {
    with_state(|s| {
        s.live = None;
        let model = s.last.as_ref().map(|(m, _)| m);
        let (session, started) = LiveSession::start(source, config, model, s.table.as_ref())?;
        s.live = Some(session);
        Ok(started)
    })
}

/// Advances the running session.
pub fn tick(elapsed_ms: f64, speed: f64) -> Result<Box<LiveBatch>, WorkerError> {
    if !(elapsed_ms.is_finite() && elapsed_ms >= 0.0 && speed.is_finite() && speed > 0.0) {
        return Err(WorkerError::BadRequest(format!(
            "live tick with elapsed {elapsed_ms} ms at speed {speed}: both must be positive numbers"
        )));
    }
    let dt = elapsed_ms / 1000.0 * speed.min(MAX_SPEED);
    with_state(|s| {
        let table = s.table.as_ref();
        let Some(session) = s.live.as_mut() else {
            return Err(WorkerError::BadRequest(
                "no live session is running (the worker may have restarted); press Start again"
                    .into(),
            ));
        };
        let mut batch = session.tick(dt, table);
        batch.wasm_memory_bytes = wasm_memory_bytes();
        Ok(Box::new(batch))
    })
}

/// Ends the session.
pub fn stop() -> Result<(), WorkerError> {
    with_state(|s| s.live = None);
    Ok(())
}

fn wasm_memory_bytes() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0, |b| u64::from(b.byte_length()))
        })
        .unwrap_or(0)
}
