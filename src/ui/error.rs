//! [`AppError`]: every failure the page can show, from the worker (typed engine errors inside),
//! from browser storage, or from the browser itself; and [`AppState::fail`], the one way to put
//! one in the error banner.

use crate::engine::ingest::IngestError;
use crate::storage::StorageError;
use crate::ui::state::{AppState, UiError};
use crate::worker::protocol::WorkerError;

/// Any failure on the page.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
    /// The worker answered with a failure (an engine error keeps its kind, file and line).
    #[error(transparent)]
    Worker(#[from] WorkerError),
    /// Browser storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The job was cancelled, or its worker was replaced: nothing to report.
    #[error("cancelled")]
    Cancelled,
    /// Another long job is running; this one was not started (the Cancel button is showing).
    #[error("another job is running; wait for it or cancel it")]
    Busy,
    /// The worker could not be reached.
    #[error("{0}")]
    Unreachable(String),
    /// A browser API failed (a download, a chart library); the text is the browser's.
    #[error("{0}")]
    Browser(String),
    /// The page could not build something itself (an export's text).
    #[error("{0}")]
    Page(String),
}

impl AppError {
    /// A browser error from a JS value (its `message`, or the value as text).
    pub fn browser(e: &wasm_bindgen::JsValue) -> Self {
        Self::Browser(js_text(e))
    }

    /// Whether the banner stays as it is (a cancel or a refused second job).
    pub fn is_silent(&self) -> bool {
        matches!(self, Self::Cancelled | Self::Busy)
    }

    /// Where an input file is wrong (file, line or byte, what to do), when that is the failure.
    pub fn ingest(&self) -> Option<&IngestError> {
        match self {
            Self::Worker(WorkerError::Engine(crate::engine::Error::Ingest(e))) => Some(e),
            _ => None,
        }
    }

    /// The parameter field to point at, when a parameter was refused.
    pub fn param_field(&self) -> Option<&str> {
        match self {
            Self::Worker(WorkerError::Engine(crate::engine::Error::Param(p))) => Some(&p.field),
            _ => None,
        }
    }
}

/// The message of a JS error value (or the value itself when it is a string).
pub fn js_text(e: &wasm_bindgen::JsValue) -> String {
    e.as_string()
        .or_else(|| {
            js_sys::Reflect::get(e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

impl AppState {
    /// Shows `error` in the banner under `title` (a cancel or a refused second job shows
    /// nothing).
    pub fn fail(&self, title: impl Into<String>, error: impl Into<AppError>) {
        self.fail_then(title, error, "");
    }

    /// Like [`fail`](Self::fail), with what the user can do next after the message
    /// ("{error} — {next}").
    pub fn fail_then(&self, title: impl Into<String>, error: impl Into<AppError>, next: &str) {
        let error = error.into();
        if error.is_silent() {
            return;
        }
        let message = if next.is_empty() {
            error.to_string()
        } else {
            format!("{error} — {next}")
        };
        self.error.set(Some(UiError {
            title: title.into(),
            message,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ingest_failure_says_which_line() {
        let e: AppError = WorkerError::from(crate::engine::Error::Ingest(
            IngestError::new("text in numeric column", "fix the cell")
                .at_line(7)
                .in_file("a.csv"),
        ))
        .into();
        let at = e.ingest().map(|i| (i.file.clone(), i.line));
        assert_eq!(at, Some((Some("a.csv".into()), Some(7))));
        assert_eq!(e.param_field(), None);
        assert!(!e.is_silent());
    }

    #[test]
    fn storage_and_parameter_errors_convert() {
        let e: AppError = StorageError::Full.into();
        assert!(e.to_string().starts_with("browser storage is full"));
        let p: AppError = WorkerError::from(crate::engine::Error::Param(
            crate::engine::error::ParamError::new("n_trees", "must be at least 1"),
        ))
        .into();
        assert_eq!(p.param_field(), Some("n_trees"));
        assert!(AppError::Cancelled.is_silent() && AppError::Busy.is_silent());
    }
}
