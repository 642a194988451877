//! Structured errors. Every variant says what is wrong and where, so the UI can point at the
//! field, the row or the byte; none carries a browser type, so all cross the worker boundary.

use serde::{Deserialize, Serialize};

/// Convenience alias for engine results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Any engine failure.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum Error {
    /// The input could not be read.
    #[error(transparent)]
    Ingest(#[from] crate::engine::ingest::IngestError),
    /// A parameter is out of range.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// The feature matrix is unusable.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A detector failed while fitting.
    #[error(transparent)]
    Fit(FitError),
    /// The data set does not support what was asked (for example, "train on normal rows" without labels).
    #[error("{0}")]
    Unsupported(String),
    /// The caller asked to stop.
    #[error("cancelled")]
    Cancelled,
}

/// A problem with a feature matrix handed to a detector.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum InputError {
    /// No rows at all.
    #[error("the data has no rows")]
    Empty,
    /// No columns at all.
    #[error("the data has no feature columns")]
    NoFeatures,
    /// NaN or ±∞ in a cell.
    #[error("row {row}, feature {column}: value {value} is not a finite number")]
    NonFinite {
        /// Zero-based row.
        row: usize,
        /// Zero-based feature column.
        column: usize,
        /// The offending value, as text (NaN and ∞ do not survive JSON).
        value: String,
    },
    /// The matrix has another width than the model was fitted on.
    #[error("expected {expected} features, found {found}")]
    WidthMismatch {
        /// Width at fit time.
        expected: usize,
        /// Width now.
        found: usize,
    },
    /// Too few rows for the algorithm's parameters.
    #[error("{what} needs at least {needed} rows, found {found}")]
    TooFewRows {
        /// What needs them, e.g. "LOF with k = 20".
        what: String,
        /// Rows needed.
        needed: usize,
        /// Rows given.
        found: usize,
    },
}

/// A parameter outside its valid range; `field` names the form field the UI highlights.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[error("{field}: {message}")]
pub struct ParamError {
    /// Parameter name as it appears in the params struct (e.g. `n_trees`).
    pub field: String,
    /// What is wrong and the accepted range.
    pub message: String,
}

impl ParamError {
    /// Builds an error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Fitting failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum FitError {
    /// Bad input matrix.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Bad parameter.
    #[error(transparent)]
    Param(#[from] ParamError),
    /// The caller asked to stop.
    #[error("cancelled")]
    Cancelled,
    /// A numerical failure (e.g. the autoencoder's loss diverged).
    #[error("{0}")]
    Numerical(String),
}

impl From<FitError> for Error {
    fn from(e: FitError) -> Self {
        match e {
            FitError::Input(e) => Error::Input(e),
            FitError::Param(e) => Error::Param(e),
            FitError::Cancelled => Error::Cancelled,
            other => Error::Fit(other),
        }
    }
}
