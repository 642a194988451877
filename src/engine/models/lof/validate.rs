//! Range checks of a saved LOF (see `engine::model_file::validate`). Shapes are checked when
//! the model is deserialised (`LofData`).

use super::Lof;
use crate::engine::model_file::validate::finite;
use crate::engine::model_file::{ModelFileError, MAX_ABS_SCALED};

impl Lof {
    /// Checks that the reference rows are finite within ±[`MAX_ABS_SCALED`], k-distances are
    /// finite and ≥ 0 and densities finite and > 0.
    pub(crate) fn validate_saved(&self, field: &str) -> Result<(), ModelFileError> {
        finite(
            &format!("{field}.reference"),
            self.reference.iter().copied(),
            MAX_ABS_SCALED,
        )?;
        finite(
            &format!("{field}.k_distance"),
            self.k_distance.iter().copied(),
            f64::MAX,
        )?;
        if let Some(j) = self.k_distance.iter().position(|&v| v < 0.0) {
            return Err(ModelFileError::invalid(
                format!("{field}.k_distance[{j}]"),
                "is negative",
            ));
        }
        finite(&format!("{field}.lrd"), self.lrd.iter().copied(), f64::MAX)?;
        if let Some(j) = self.lrd.iter().position(|&v| v <= 0.0) {
            return Err(ModelFileError::invalid(
                format!("{field}.lrd[{j}]"),
                "is not above 0",
            ));
        }
        Ok(())
    }
}
