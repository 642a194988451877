//! Shape and range checks of a saved One-Class SVM (see `engine::model_file::validate`).

use super::OneClassSvm;
use crate::engine::model_file::validate::{finite, same_len};
use crate::engine::model_file::{ModelFileError, MAX_ABS_SCALED};

impl OneClassSvm {
    /// Checks that the support vectors are `n_support × n_features` values, one norm and one
    /// coefficient per vector, γ > 0, ν ∈ (0, 1], ρ finite, coefficients in [0, 1] and every
    /// value finite within ±[`MAX_ABS_SCALED`] (norms within its square).
    pub(crate) fn validate_saved(&self, field: &str) -> Result<(), ModelFileError> {
        let d = self.n_features;
        if d == 0 {
            return Err(ModelFileError::invalid(
                format!("{field}.n_features"),
                "is 0",
            ));
        }
        let n_sv = self.dual_coef.len();
        if n_sv == 0 {
            return Err(ModelFileError::invalid(
                format!("{field}.dual_coef"),
                "is empty: the model has no support vector",
            ));
        }
        let cells = n_sv.saturating_mul(d);
        same_len(
            &format!("{field}.support"),
            self.support.len(),
            cells,
            "feature of each support vector",
        )?;
        same_len(
            &format!("{field}.support_sq"),
            self.support_sq.len(),
            n_sv,
            "support vector",
        )?;
        if !self.support_rows.is_empty() {
            same_len(
                &format!("{field}.support_rows"),
                self.support_rows.len(),
                n_sv,
                "support vector",
            )?;
        }
        if !(self.gamma.is_finite() && self.gamma > 0.0) {
            return Err(ModelFileError::invalid(
                format!("{field}.gamma"),
                format!("is {}; it must be a finite number above 0", self.gamma),
            ));
        }
        if !(self.nu > 0.0 && self.nu <= 1.0) {
            return Err(ModelFileError::invalid(
                format!("{field}.nu"),
                format!("is {}; it must be in (0, 1]", self.nu),
            ));
        }
        finite(&format!("{field}.rho"), [self.rho], f64::MAX)?;
        finite(
            &format!("{field}.support"),
            self.support.iter().copied(),
            MAX_ABS_SCALED,
        )?;
        finite(
            &format!("{field}.support_sq"),
            self.support_sq.iter().copied(),
            MAX_ABS_SCALED * MAX_ABS_SCALED * d as f64,
        )?;
        for (j, a) in self.dual_coef.iter().enumerate() {
            if !(0.0..=1.0).contains(a) {
                return Err(ModelFileError::invalid(
                    format!("{field}.dual_coef[{j}]"),
                    format!("is {a}; a coefficient is in [0, 1]"),
                ));
            }
        }
        Ok(())
    }
}
