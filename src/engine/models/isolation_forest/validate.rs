//! Shape and range checks of a saved Isolation Forest (see `engine::model_file::validate`).

use super::IsolationForest;
use crate::engine::model_file::ModelFileError;

/// Largest ψ (rows per tree) a saved forest may claim: scoring allocates a table of ψ + 1
/// values. scikit-learn's default is 256.
const MAX_SAMPLES: usize = 1 << 24;

impl IsolationForest {
    /// Checks width, ψ, and every tree's nodes (see `Tree::validate_saved`).
    pub(crate) fn validate_saved(&self, field: &str) -> Result<(), ModelFileError> {
        if self.n_features == 0 {
            return Err(ModelFileError::invalid(
                format!("{field}.n_features"),
                "is 0",
            ));
        }
        if self.max_samples == 0 || self.max_samples > MAX_SAMPLES {
            return Err(ModelFileError::invalid(
                format!("{field}.max_samples"),
                format!("is {}; expected 1 to {MAX_SAMPLES}", self.max_samples),
            ));
        }
        if self.trees.is_empty() {
            return Err(ModelFileError::invalid(
                format!("{field}.trees"),
                "is empty",
            ));
        }
        for (t, tree) in self.trees.iter().enumerate() {
            tree.validate_saved(&format!("{field}.trees[{t}]"), self.n_features)?;
        }
        Ok(())
    }
}
