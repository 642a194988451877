//! Feature encoding and scaling, fitted on training rows only. (Types only; to be implemented.)

use serde::{Deserialize, Serialize};

/// How to turn table columns into model inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureParams {
    /// Categorical columns with at most this many levels are one-hot encoded (the rarest levels
    /// beyond the cap share an "other" column); columns with more levels are frequency encoded.
    pub max_one_hot: usize,
}

impl Default for FeatureParams {
    fn default() -> Self {
        Self { max_one_hot: 100 }
    }
}

/// Fitted encoding and scaling.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Preprocessor {
    /// Model input names after encoding.
    pub feature_names: Vec<String>,
}
