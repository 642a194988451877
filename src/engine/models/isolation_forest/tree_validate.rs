//! Node checks of a saved isolation tree (see `engine::model_file::validate`).

use super::{Tree, LEAF};
use crate::engine::model_file::ModelFileError;

impl Tree {
    /// Every split node names a feature below `n_features`, has a finite threshold and two
    /// children after it inside the tree; the tree is not empty.
    pub(in crate::engine::models::isolation_forest) fn validate_saved(
        &self,
        field: &str,
        n_features: usize,
    ) -> Result<(), ModelFileError> {
        if self.nodes.is_empty() {
            return Err(ModelFileError::invalid(
                format!("{field}.nodes"),
                "is empty",
            ));
        }
        let n = self.nodes.len();
        for (i, node) in self.nodes.iter().enumerate() {
            if node.feature == LEAF {
                continue;
            }
            let nf = format!("{field}.nodes[{i}]");
            if node.feature as usize >= n_features {
                return Err(ModelFileError::invalid(
                    nf,
                    format!(
                        "splits on feature {}; the model has {n_features}",
                        node.feature
                    ),
                ));
            }
            if !node.threshold.is_finite() {
                return Err(ModelFileError::invalid(nf, "has a non-finite threshold"));
            }
            for child in [node.left, node.right] {
                let c = child as usize;
                if c <= i || c >= n {
                    return Err(ModelFileError::invalid(
                        nf,
                        format!("points to child {c}; children lie after their parent, below {n}"),
                    ));
                }
            }
        }
        Ok(())
    }
}
