//! Checks a deserialised ensemble before anything scores with it.
//!
//! The content hash catches accidents, not edits: anyone can change a number and re-hash. So
//! import checks every shape, index and value range a scoring path relies on, and refuses the
//! file with [`ModelFileError::Invalid`] naming the field. The rules:
//!
//! | what | rule |
//! |---|---|
//! | ensemble | 1–4 detectors, each kind at most once; `min_votes` in `1..=detectors`; `contamination` in (0, 0.5]; `score_threshold` finite |
//! | preprocessing | `feature_names` as many as the encoders' inputs; numeric median/mean finite, \|v\| ≤ [`MAX_ABS_RAW`], scale > 0; one-hot and frequency vectors as long as their levels; shares in [0, 1]; `profiles` empty or one per encoder |
//! | every detector | its input width equals the preprocessing's; calibration threshold and quantiles finite, quantiles sorted, at most 1,001 |
//! | Isolation Forest | ≥ 1 tree, ψ ≥ 1; every split's feature < width, threshold finite, children after their parent and inside the tree |
//! | One-Class SVM | support vectors × width = values; as many norms and coefficients as vectors; γ > 0, ν in (0, 1], ρ and every value finite, \|v\| ≤ [`MAX_ABS_SCALED`]; coefficients in [0, 1] |
//! | LOF | reference width = width; k in 1..rows; distances ≥ 0 and densities > 0, finite; \|v\| ≤ [`MAX_ABS_SCALED`] |
//! | Autoencoder | each layer's weights = inputs × outputs, biases = outputs, widths chain, output width = input width; every weight finite, \|w\| ≤ [`MAX_ABS_WEIGHT`]; a zero row reconstructs to a finite score |

use super::ModelFileError;
use crate::engine::ensemble::TrainedEnsemble;
use crate::engine::features::ColumnEncoder;
use crate::engine::models::calibration::N_QUANTILES;
use crate::engine::models::{AnyModel, Calibration, Detector};

/// Largest magnitude of a raw-unit statistic (median, mean, scale). Beyond it the square of a
/// difference overflows, so no model trained on finite data holds one.
pub const MAX_ABS_RAW: f64 = 1e150;

/// Largest magnitude of a value in the scaled feature space (support vectors, LOF reference
/// rows). A standard-scaled column of `n` rows stays within `√n` of 0; 10⁶ is `√(10¹²)`.
pub const MAX_ABS_SCALED: f64 = 1e6;

/// Largest magnitude of an autoencoder weight or bias. Trained weights are of order 1; 10⁴
/// leaves room while keeping products of eight layers inside `f32`.
pub const MAX_ABS_WEIGHT: f64 = 1e4;

/// Checks every shape, index and value range of `model` (see the module table).
pub fn validate(model: &TrainedEnsemble) -> Result<(), ModelFileError> {
    let n = model.models.len();
    if n == 0 {
        return Err(ModelFileError::invalid(
            "models",
            "is empty: the model has no detector",
        ));
    }
    if n > 4 {
        return Err(ModelFileError::invalid(
            "models",
            format!("has {n} detectors; an ensemble has at most 4"),
        ));
    }
    for (i, m) in model.models.iter().enumerate() {
        if model.models[..i].iter().any(|o| o.kind() == m.kind()) {
            return Err(ModelFileError::invalid(
                format!("models[{i}]"),
                format!("repeats the {} detector", m.kind().id()),
            ));
        }
    }
    if model.min_votes == 0 || model.min_votes > n {
        return Err(ModelFileError::invalid(
            "min_votes",
            format!(
                "is {}; it must be between 1 and {n} (the number of detectors)",
                model.min_votes
            ),
        ));
    }
    if !(model.contamination > 0.0 && model.contamination <= 0.5) {
        return Err(ModelFileError::invalid(
            "contamination",
            format!("is {}; it must be in (0, 0.5]", model.contamination),
        ));
    }
    if !model.score_threshold.is_finite() {
        return Err(ModelFileError::invalid(
            "score_threshold",
            "is not a finite number",
        ));
    }
    let width = preprocessor(model)?;
    for (i, m) in model.models.iter().enumerate() {
        let field = format!("models[{i}] ({})", m.kind().id());
        if m.n_features() != width {
            return Err(ModelFileError::invalid(
                format!("{field}.n_features"),
                format!(
                    "is {}; the preprocessing produces {width} inputs",
                    m.n_features()
                ),
            ));
        }
        calibration(&format!("{field}.calibration"), m.calibration())?;
        match m {
            AnyModel::IsolationForest(f) => f.validate_saved(&field)?,
            AnyModel::OneClassSvm(s) => s.validate_saved(&field)?,
            AnyModel::Lof(l) => l.validate_saved(&field)?,
            AnyModel::Autoencoder(a) => a.validate_saved(&field)?,
        }
    }
    Ok(())
}

/// Checks the preprocessing and returns its output width.
fn preprocessor(model: &TrainedEnsemble) -> Result<usize, ModelFileError> {
    let p = &model.preprocessor;
    if p.encoders.is_empty() {
        return Err(ModelFileError::invalid(
            "preprocessor.encoders",
            "is empty: the model reads no column",
        ));
    }
    let mut width = 0usize;
    for (i, e) in p.encoders.iter().enumerate() {
        let field = format!("preprocessor.encoders[{i}]");
        match e {
            ColumnEncoder::Numeric {
                median,
                mean,
                scale,
                ..
            } => {
                finite(&format!("{field}.median"), [*median], MAX_ABS_RAW)?;
                finite(&format!("{field}.mean"), [*mean], MAX_ABS_RAW)?;
                positive(&format!("{field}.scale"), *scale)?;
            }
            ColumnEncoder::OneHot {
                levels,
                other,
                means,
                scales,
                ..
            } => {
                let w = levels.len() + usize::from(*other);
                same_len(&format!("{field}.means"), means.len(), w, "inputs")?;
                same_len(&format!("{field}.scales"), scales.len(), w, "inputs")?;
                finite(
                    &format!("{field}.means"),
                    means.iter().copied(),
                    MAX_ABS_RAW,
                )?;
                for (j, s) in scales.iter().enumerate() {
                    positive(&format!("{field}.scales[{j}]"), *s)?;
                }
            }
            ColumnEncoder::Frequency {
                levels,
                shares,
                mean,
                scale,
                ..
            } => {
                same_len(
                    &format!("{field}.shares"),
                    shares.len(),
                    levels.len(),
                    "levels",
                )?;
                for (j, s) in shares.iter().enumerate() {
                    if !(0.0..=1.0).contains(s) {
                        return Err(ModelFileError::invalid(
                            format!("{field}.shares[{j}]"),
                            format!("is {s}; a share is in [0, 1]"),
                        ));
                    }
                }
                finite(&format!("{field}.mean"), [*mean], MAX_ABS_RAW)?;
                positive(&format!("{field}.scale"), *scale)?;
            }
        }
        width = width.saturating_add(e.width());
    }
    if p.feature_names.len() != width {
        return Err(ModelFileError::invalid(
            "preprocessor.feature_names",
            format!(
                "has {} names; the encoders produce {width} inputs",
                p.feature_names.len()
            ),
        ));
    }
    if !p.profiles.is_empty() && p.profiles.len() != p.encoders.len() {
        return Err(ModelFileError::invalid(
            "preprocessor.profiles",
            format!(
                "has {} entries; there are {} encoders",
                p.profiles.len(),
                p.encoders.len()
            ),
        ));
    }
    Ok(width)
}

/// Threshold and quantiles finite, quantiles sorted and at most [`N_QUANTILES`].
pub(crate) fn calibration(field: &str, c: &Calibration) -> Result<(), ModelFileError> {
    if !c.threshold.is_finite() {
        return Err(ModelFileError::invalid(
            format!("{field}.threshold"),
            "is not a finite number",
        ));
    }
    if c.quantiles.len() > N_QUANTILES {
        return Err(ModelFileError::invalid(
            format!("{field}.quantiles"),
            format!("has {} values; at most {N_QUANTILES}", c.quantiles.len()),
        ));
    }
    finite(
        &format!("{field}.quantiles"),
        c.quantiles.iter().copied(),
        f64::MAX,
    )?;
    if let Some(j) = c.quantiles.windows(2).position(|w| w[1] < w[0]) {
        return Err(ModelFileError::invalid(
            format!("{field}.quantiles[{}]", j + 1),
            "is below the one before: quantiles are sorted",
        ));
    }
    Ok(())
}

/// Every value finite with magnitude at most `max_abs`; the error names the first bad index.
pub(crate) fn finite(
    field: &str,
    values: impl IntoIterator<Item = f64>,
    max_abs: f64,
) -> Result<(), ModelFileError> {
    for (j, v) in values.into_iter().enumerate() {
        if !v.is_finite() || v.abs() > max_abs {
            let problem = if v.is_finite() {
                format!("is {v:e}, beyond the ±{max_abs:e} a trained model holds")
            } else {
                "is not a finite number".to_string()
            };
            return Err(ModelFileError::invalid(
                format!("{field} (value {j})"),
                problem,
            ));
        }
    }
    Ok(())
}

/// A finite number > 0.
pub(crate) fn positive(field: &str, v: f64) -> Result<(), ModelFileError> {
    if v.is_finite() && v > 0.0 && v <= MAX_ABS_RAW {
        Ok(())
    } else {
        Err(ModelFileError::invalid(
            field,
            format!("is {v}; it must be a finite number above 0"),
        ))
    }
}

/// `found == expected`, or an error saying "has {found} values; expected {expected} ({what})".
pub(crate) fn same_len(
    field: &str,
    found: usize,
    expected: usize,
    what: &str,
) -> Result<(), ModelFileError> {
    if found == expected {
        Ok(())
    } else {
        Err(ModelFileError::invalid(
            field,
            format!("has {found} values; expected {expected} (one per {what})"),
        ))
    }
}
