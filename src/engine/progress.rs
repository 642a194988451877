//! Progress reporting with cancellation: long work calls [`Progress::update`] and stops when the
//! sink answers [`ControlFlow::Break`].

use std::ops::ControlFlow;

use serde::{Deserialize, Serialize};

use crate::engine::models::DetectorKind;

/// What the engine is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stage {
    /// Reading and parsing input bytes.
    Ingest,
    /// Encoding and scaling features.
    Preprocess,
    /// Fitting one detector.
    Fit(DetectorKind),
    /// Scoring rows with one detector.
    Score(DetectorKind),
    /// Combining votes and scores, computing metrics.
    Ensemble,
}

/// One progress report: `done` of `total` units of `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProgressEvent {
    /// Current stage.
    pub stage: Stage,
    /// Units done.
    pub done: u64,
    /// Units in all (0 when unknown).
    pub total: u64,
}

/// A sink for progress that can ask the work to stop.
pub trait Progress {
    /// Reports progress. Returning `Break` cancels the work.
    fn update(&mut self, event: ProgressEvent) -> ControlFlow<()>;
}

impl<F: FnMut(ProgressEvent) -> ControlFlow<()>> Progress for F {
    fn update(&mut self, event: ProgressEvent) -> ControlFlow<()> {
        self(event)
    }
}

/// A sink that ignores progress and never cancels.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn update(&mut self, _: ProgressEvent) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// Reports `done/total` for `stage` and maps a `Break` to `Err(cancelled)`.
pub fn report<E>(
    progress: &mut dyn Progress,
    stage: Stage,
    done: u64,
    total: u64,
    cancelled: E,
) -> Result<(), E> {
    match progress.update(ProgressEvent { stage, done, total }) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(cancelled),
    }
}
