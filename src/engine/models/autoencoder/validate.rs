//! Shape and range checks of a saved autoencoder (see `engine::model_file::validate`).

use ndarray::Array2;

use super::Autoencoder;
use crate::engine::model_file::validate::{finite, same_len};
use crate::engine::model_file::{ModelFileError, MAX_ABS_WEIGHT};
use crate::engine::models::Detector;

/// Most layers a saved network may have (the default has 8).
const MAX_LAYERS: usize = 64;

impl Autoencoder {
    /// Checks that the layers chain (`n_in` of each = `n_out` of the one before), the output
    /// width equals the input width, every weight matrix is `n_in × n_out` and every bias
    /// `n_out` long, every value is finite within ±[`MAX_ABS_WEIGHT`], and that a zero row
    /// reconstructs to a finite score. `field` names the model in errors.
    pub(crate) fn validate_saved(&self, field: &str) -> Result<(), ModelFileError> {
        let layers = &self.network.layers;
        if layers.is_empty() || layers.len() > MAX_LAYERS {
            return Err(ModelFileError::invalid(
                format!("{field}.network.layers"),
                format!("has {} layers; expected 1 to {MAX_LAYERS}", layers.len()),
            ));
        }
        let input = layers[0].n_in;
        if input == 0 {
            return Err(ModelFileError::invalid(
                format!("{field}.network.layers[0].n_in"),
                "is 0",
            ));
        }
        let mut prev = input;
        for (i, l) in layers.iter().enumerate() {
            let lf = format!("{field}.network.layers[{i}]");
            if l.n_in != prev {
                return Err(ModelFileError::invalid(
                    format!("{lf}.n_in"),
                    format!("is {}; the layer before has {prev} outputs", l.n_in),
                ));
            }
            if l.n_out == 0 {
                return Err(ModelFileError::invalid(format!("{lf}.n_out"), "is 0"));
            }
            let cells = l
                .n_in
                .checked_mul(l.n_out)
                .ok_or_else(|| ModelFileError::invalid(format!("{lf}.n_out"), "is too large"))?;
            same_len(&format!("{lf}.w"), l.w.len(), cells, "input × output")?;
            same_len(&format!("{lf}.b"), l.b.len(), l.n_out, "output")?;
            finite(
                &format!("{lf}.w"),
                l.w.iter().map(|&v| f64::from(v)),
                MAX_ABS_WEIGHT,
            )?;
            finite(
                &format!("{lf}.b"),
                l.b.iter().map(|&v| f64::from(v)),
                MAX_ABS_WEIGHT,
            )?;
            prev = l.n_out;
        }
        if prev != input {
            return Err(ModelFileError::invalid(
                format!("{field}.network.layers[{}].n_out", layers.len() - 1),
                format!("is {prev}; an autoencoder's output width equals its input width {input}"),
            ));
        }
        let probe = Array2::<f64>::zeros((1, input));
        if !self
            .score_checked(probe.view())
            .iter()
            .all(|s| s.is_finite())
        {
            return Err(ModelFileError::invalid(
                format!("{field}.network"),
                "gives a non-finite score to an all-zero row: its weights overflow",
            ));
        }
        Ok(())
    }
}
