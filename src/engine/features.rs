//! Feature encoding and scaling, fitted on training rows only.
//!
//! The model inputs are the table's [`Role::Feature`] columns, in table order:
//!
//! * **Numeric** columns: missing cells (NaN, and ±∞, which no detector can use) are imputed
//!   with the *training* median, then standard-scaled with the training mean and population
//!   standard deviation (ddof 0). This is exactly scikit-learn's
//!   `make_pipeline(SimpleImputer(strategy="median"), StandardScaler())`, including its rule that
//!   a (near-)constant column gets scale 1 instead of a division by zero
//!   (`tests/fixtures/sklearn/scaler.json` pins it).
//! * **Categorical** columns with at most [`FeatureParams::max_one_hot`] training levels are
//!   one-hot encoded: one 0/1 input per level seen in training (levels sorted by name, as
//!   scikit-learn's `OneHotEncoder` does), named `column=level`. A level unseen in training, or a
//!   missing cell, gives all zeros (`handle_unknown="ignore"`).
//! * Categorical columns with **more** levels are, by default
//!   ([`HighCardinality::Frequency`]), frequency encoded — each cell becomes the share of
//!   training rows holding its level (unseen or missing → 0) — and that number is then
//!   standard-scaled like a numeric column. With [`HighCardinality::OneHotTop`] they are instead
//!   one-hot encoded over the `max_one_hot − 1` most frequent training levels plus a
//!   `column=<other>` input that every other level (seen or unseen, not missing) sets.
//!
//! One-hot inputs are standard-scaled too by default ([`FeatureParams::scale_one_hot`] = true),
//! as in a scikit-learn `Pipeline(OneHotEncoder, StandardScaler)`;
//! a `ColumnTransformer` that scales only the numeric columns is the other common choice
//! (`scale_one_hot = false`: inputs stay 0/1). Scaling helps the RBF kernel most: with 0/1
//! indicators the continuous inputs dominate the distances, and a row's service or flag barely
//! moves the kernel (measured in `docs/decisions.md`, "Features").
//!
//! **Heavy-tailed columns** ([`FeatureParams::log_transform`]). Byte and count columns of network
//! data span many orders of magnitude (NSL-KDD `src_bytes`: 0 … 1.4·10⁹): after standard scaling
//! a handful of large values dominate every distance and the bulk of the column collapses to one
//! point. A numeric column whose training values are all ≥ 0 and whose population skewness
//! exceeds [`LOG_SKEW_THRESHOLD`] (1, the usual "highly skewed" bound) therefore gets
//! `sign(x)·ln(1 + |x|)` (defined for any scored value, `ln(1 + x)` on the training range) after
//! imputation and before scaling; the choice is made per column on the training rows and stored
//! in the encoder. (A 0/1 column is skewed when rare but the transform is affine on {0, 1}, so
//! after scaling it is unchanged.) The default, [`LogTransform::CleanTraining`], applies it only
//! when training on the rows labelled normal: there the tail is normal variation whose scale
//! should be compressed, whereas in a training set that holds the anomalies the skew is often the
//! anomalies themselves and compressing it hides them (measured per detector in
//! `docs/decisions.md`, "Features").

use std::collections::HashMap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::engine::data::{Role, Table, Values, MISSING_CODE};
use crate::engine::error::{Error, InputError, ParamError, Result};
use crate::engine::explain::RawProfile;
use crate::engine::math;

/// What to do with categorical columns that have more than `max_one_hot` levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HighCardinality {
    /// Frequency encoding (share of training rows with the level), then standard scaling.
    #[default]
    Frequency,
    /// One-hot over the `max_one_hot − 1` most frequent levels plus one "other" input.
    OneHotTop,
}

/// How to turn table columns into model inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureParams {
    /// Categorical columns with at most this many levels are one-hot encoded; columns with more
    /// levels follow [`FeatureParams::high_cardinality`]. Must be ≥ 2. Default 100.
    pub max_one_hot: usize,
    /// Encoding of categorical columns above the cap. Default [`HighCardinality::Frequency`].
    #[serde(default)]
    pub high_cardinality: HighCardinality,
    /// Standard-scale one-hot inputs too (default true; false keeps them 0/1).
    #[serde(default = "default_true")]
    pub scale_one_hot: bool,
    /// When to log-transform heavy-tailed numeric columns before scaling: a numeric column whose
    /// training values are all ≥ 0 and whose skewness exceeds [`LOG_SKEW_THRESHOLD`] gets
    /// `sign(x)·ln(1 + |x|)` before the standard scaling (see the module docs). Default
    /// [`LogTransform::CleanTraining`].
    #[serde(default)]
    pub log_transform: LogTransform,
}

/// When heavy-tailed numeric columns are log-transformed (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LogTransform {
    /// Never.
    Never,
    /// Whenever a column qualifies.
    Always,
    /// Only when the training rows are known to be clean (training on rows labelled normal):
    /// the default. [`Preprocessor::fit`] cannot know how its rows were chosen and treats it as
    /// [`LogTransform::Never`]; the pipeline resolves it first with [`FeatureParams::for_training`].
    #[default]
    CleanTraining,
}

impl Default for FeatureParams {
    fn default() -> Self {
        Self {
            max_one_hot: 100,
            high_cardinality: HighCardinality::Frequency,
            scale_one_hot: true,
            log_transform: LogTransform::CleanTraining,
        }
    }
}

fn default_true() -> bool {
    true
}

impl FeatureParams {
    /// These params with [`LogTransform::CleanTraining`] resolved: [`LogTransform::Always`] when
    /// the training rows are the rows labelled normal (`clean_training`), else
    /// [`LogTransform::Never`].
    pub fn for_training(&self, clean_training: bool) -> FeatureParams {
        let mut p = self.clone();
        if p.log_transform == LogTransform::CleanTraining {
            p.log_transform = if clean_training {
                LogTransform::Always
            } else {
                LogTransform::Never
            };
        }
        p
    }

    /// Checks the parameters; the error names the field.
    pub fn validate(&self) -> std::result::Result<(), ParamError> {
        if self.max_one_hot < 2 {
            return Err(ParamError::new(
                "max_one_hot",
                format!("must be at least 2, got {}", self.max_one_hot),
            ));
        }
        Ok(())
    }
}

/// The fitted encoding of one feature column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnEncoder {
    /// Numeric: impute, optionally log-transform, then `(x − mean) / scale`.
    Numeric {
        /// Column name.
        name: String,
        /// Training median, used for missing cells.
        median: f64,
        /// Whether `sign(x)·ln(1 + |x|)` is applied after imputation (heavy-tailed column).
        #[serde(default)]
        log: bool,
        /// Training mean (after imputation).
        mean: f64,
        /// Training population standard deviation (1 for a constant column).
        scale: f64,
    },
    /// One-hot: one input per level (plus "other" when `other` is true).
    OneHot {
        /// Column name.
        name: String,
        /// Levels with their own input, in input order.
        levels: Vec<String>,
        /// Whether an extra input collects every other non-missing level.
        other: bool,
        /// Per-input training mean (0 when one-hot inputs are not scaled).
        means: Vec<f64>,
        /// Per-input training scale (1 when one-hot inputs are not scaled).
        scales: Vec<f64>,
    },
    /// Frequency: the level's training share, then `(f − mean) / scale`.
    Frequency {
        /// Column name.
        name: String,
        /// Training levels.
        levels: Vec<String>,
        /// Share of training rows per level.
        shares: Vec<f64>,
        /// Training mean of the encoded value.
        mean: f64,
        /// Training population standard deviation of the encoded value (1 when constant).
        scale: f64,
    },
}

impl ColumnEncoder {
    /// The table column this encoder reads.
    pub fn column_name(&self) -> &str {
        match self {
            Self::Numeric { name, .. }
            | Self::OneHot { name, .. }
            | Self::Frequency { name, .. } => name,
        }
    }

    /// Number of model inputs it produces.
    pub fn width(&self) -> usize {
        match self {
            Self::Numeric { .. } | Self::Frequency { .. } => 1,
            Self::OneHot { levels, other, .. } => levels.len() + usize::from(*other),
        }
    }
}

/// Fitted encoding and scaling.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Preprocessor {
    /// Model input names after encoding.
    pub feature_names: Vec<String>,
    /// One encoder per feature column, in table order.
    #[serde(default)]
    pub encoders: Vec<ColumnEncoder>,
    /// What fitting found worth telling (imputed cells, constant columns, frequency encoding).
    #[serde(default)]
    pub fit_warnings: Vec<String>,
    /// Training distribution of each raw feature column, in encoder order (explanations read
    /// it; empty in models saved before it existed).
    #[serde(default)]
    pub profiles: Vec<RawProfile>,
}

/// Skewness above which a non-negative numeric column is log-transformed (when
/// [`FeatureParams::log_transform`] is on). Skewness above 1 is the usual reading of "highly
/// skewed" (Bulmer, *Principles of Statistics*, 1979).
pub const LOG_SKEW_THRESHOLD: f64 = 1.0;

/// `sign(x)·ln(1 + |x|)`: monotone, defined on every finite number, `ln(1 + x)` for `x ≥ 0`.
pub fn signed_log1p(x: f64) -> f64 {
    if x < 0.0 {
        -math::log1p(-x)
    } else {
        math::log1p(x)
    }
}

/// Population skewness `m3 / m2^1.5` (0 for a constant or empty column).
pub fn skewness(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let n = values.len() as f64;
    let mut sum = 0.0;
    for &v in values {
        sum += v;
    }
    let mean = sum / n;
    let (mut m2, mut m3) = (0.0, 0.0);
    for &v in values {
        let d = v - mean;
        m2 += d * d;
        m3 += d * d * d;
    }
    m2 /= n;
    m3 /= n;
    if m2 <= 0.0 || !m2.is_finite() {
        return 0.0;
    }
    m3 / (m2 * math::sqrt(m2))
}

/// Name of the "other" input of a capped one-hot column.
pub const OTHER_LEVEL: &str = "<other>";

/// scikit-learn's `_is_constant_feature`: the variance is within rounding error of zero.
fn is_constant(var: f64, mean: f64, n: f64) -> bool {
    let eps = f64::EPSILON;
    let bound = n * eps * var + (n * mean * eps) * (n * mean * eps);
    var <= bound
}

/// Mean and scale as scikit-learn's `StandardScaler` computes them (`_incremental_mean_and_var`
/// on one batch: mean = Σx/n; var = (Σ(x−mean)² − (Σ(x−mean))²/n)/n; scale 1 when constant).
pub fn mean_and_scale(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 1.0);
    }
    let n = values.len() as f64;
    let mut sum = 0.0;
    for &v in values {
        sum += v;
    }
    let mean = sum / n;
    let mut correction = 0.0;
    let mut sq = 0.0;
    for &v in values {
        let d = v - mean;
        correction += d;
        sq += d * d;
    }
    let var = ((sq - correction * correction / n) / n).max(0.0);
    let scale = if is_constant(var, mean, n) {
        1.0
    } else {
        math::sqrt(var)
    };
    (mean, scale)
}

/// Maps a table column's level codes to the encoder's level indices (by name).
fn code_map(table_levels: &[String], fitted: &[String]) -> Vec<Option<usize>> {
    let index: HashMap<&str, usize> = fitted
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    table_levels
        .iter()
        .map(|l| index.get(l.as_str()).copied())
        .collect()
}

/// A numeric column's encoder from its training values: the median imputes missing values, a
/// heavy tail may be log-transformed (its name added to `logged`), then mean and scale.
fn fit_numeric(
    name: &str,
    v: &[f64],
    train_rows: &[usize],
    params: &FeatureParams,
    warnings: &mut Vec<String>,
    logged: &mut Vec<String>,
) -> ColumnEncoder {
    let train: Vec<f64> = train_rows.iter().map(|&r| v[r]).collect();
    let present: Vec<f64> = train.iter().copied().filter(|x| x.is_finite()).collect();
    let missing = train.len() - present.len();
    let median = if present.is_empty() {
        warnings.push(format!(
            "column {}: no value in the training rows; it is set to 0",
            name
        ));
        0.0
    } else {
        math::median(&present)
    };
    if missing > 0 && !present.is_empty() {
        warnings.push(format!(
                    "column {}: {missing} missing or non-finite training value(s) imputed with the median {}",
                    name,
                    crate::engine::text::number(median)
                ));
    }
    let mut imputed: Vec<f64> = train
        .iter()
        .map(|&x| if x.is_finite() { x } else { median })
        .collect();
    let log = params.log_transform == LogTransform::Always
        && imputed.iter().all(|&x| x >= 0.0)
        && skewness(&imputed) > LOG_SKEW_THRESHOLD;
    if log {
        logged.push(name.to_owned());
        for x in &mut imputed {
            *x = signed_log1p(*x);
        }
    }
    let (mean, scale) = mean_and_scale(&imputed);
    if scale == 1.0 && imputed.iter().all(|&x| x == imputed[0]) {
        warnings.push(format!(
            "column {}: constant in the training rows (carries no information)",
            name
        ));
    }
    ColumnEncoder::Numeric {
        name: name.to_owned(),
        median,
        log,
        mean,
        scale,
    }
}

/// A categorical column's encoder from its training rows: one-hot over the seen levels, or for
/// many levels one-hot of the most frequent or frequency encoding (scaling comes after, in
/// [`scale_encoded`]).
fn fit_categorical(
    name: &str,
    levels: &[String],
    codes: &[u32],
    train_rows: &[usize],
    params: &FeatureParams,
    warnings: &mut Vec<String>,
) -> ColumnEncoder {
    let n_train = train_rows.len() as f64;
    let mut counts = vec![0usize; levels.len()];
    let mut missing = 0usize;
    for &r in train_rows {
        let c = codes[r];
        match counts.get_mut(c as usize) {
            Some(n) if c != MISSING_CODE => *n += 1,
            _ => missing += 1,
        }
    }
    if missing > 0 {
        warnings.push(format!(
            "column {}: {missing} missing training value(s) encoded as no level",
            name
        ));
    }
    // Seen levels, sorted by name (deterministic, like OneHotEncoder).
    let mut seen: Vec<(String, usize)> = levels
        .iter()
        .zip(&counts)
        .filter(|(_, &n)| n > 0)
        .map(|(l, &n)| (l.clone(), n))
        .collect();
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    if seen.len() <= params.max_one_hot {
        one_hot(name.to_owned(), seen, false)
    } else {
        match params.high_cardinality {
            HighCardinality::OneHotTop => {
                warnings.push(format!(
                            "column {}: {} levels; the {} most frequent are one-hot encoded, the rest share {}={OTHER_LEVEL}",
                            name,
                            seen.len(),
                            params.max_one_hot - 1,
                            name
                        ));
                let mut by_count = seen;
                by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                by_count.truncate(params.max_one_hot - 1);
                by_count.sort_by(|a, b| a.0.cmp(&b.0));
                one_hot(name.to_owned(), by_count, true)
            }
            HighCardinality::Frequency => {
                warnings.push(format!(
                    "column {}: {} levels (more than {}); frequency encoded",
                    name,
                    seen.len(),
                    params.max_one_hot
                ));
                let levels: Vec<String> = seen.iter().map(|(l, _)| l.clone()).collect();
                let shares: Vec<f64> = seen.iter().map(|&(_, n)| n as f64 / n_train).collect();
                ColumnEncoder::Frequency {
                    name: name.to_owned(),
                    levels,
                    shares,
                    mean: 0.0,
                    scale: 1.0,
                }
            }
        }
    }
}

/// Fills in the statistics that need the encoded training values (frequency and one-hot
/// scaling) and adds the encoder's input names to `names`.
fn scale_encoded(
    enc: ColumnEncoder,
    values: &Values,
    train_rows: &[usize],
    params: &FeatureParams,
    names: &mut Vec<String>,
) -> ColumnEncoder {
    match enc {
        ColumnEncoder::Frequency {
            name,
            levels: lv,
            shares,
            ..
        } => {
            let table_levels = match values {
                Values::Categorical { levels, .. } => levels.as_slice(),
                Values::Numeric(_) => &[],
            };
            let map = code_map(table_levels, &lv);
            let codes = match values {
                Values::Categorical { codes, .. } => codes.as_slice(),
                Values::Numeric(_) => &[],
            };
            let encoded: Vec<f64> = train_rows
                .iter()
                .map(|&r| freq_of(codes[r], &map, &shares))
                .collect();
            let (mean, scale) = mean_and_scale(&encoded);
            names.push(name.clone());
            ColumnEncoder::Frequency {
                name,
                levels: lv,
                shares,
                mean,
                scale,
            }
        }
        ColumnEncoder::OneHot {
            name,
            levels: lv,
            other,
            ..
        } => {
            let width = lv.len() + usize::from(other);
            let (mut means, mut scales) = (vec![0.0; width], vec![1.0; width]);
            if params.scale_one_hot {
                let (table_levels, codes) = match values {
                    Values::Categorical { levels, codes } => (levels.as_slice(), codes.as_slice()),
                    Values::Numeric(_) => (&[][..], &[][..]),
                };
                let map = code_map(table_levels, &lv);
                for j in 0..width {
                    let encoded: Vec<f64> = train_rows
                        .iter()
                        .map(|&r| {
                            one_hot_slot(codes[r], &map, other, lv.len())
                                .map_or(0.0, |s| f64::from(u8::from(s == j)))
                        })
                        .collect();
                    let (m, s) = mean_and_scale(&encoded);
                    means[j] = m;
                    scales[j] = s;
                }
            }
            for l in &lv {
                names.push(format!("{name}={l}"));
            }
            if other {
                names.push(format!("{name}={OTHER_LEVEL}"));
            }
            ColumnEncoder::OneHot {
                name,
                levels: lv,
                other,
                means,
                scales,
            }
        }
        numeric => {
            if let ColumnEncoder::Numeric { name, .. } = &numeric {
                names.push(name.clone());
            }
            numeric
        }
    }
}

impl Preprocessor {
    /// Fits the encoding and scaling on `train_rows` of `table`.
    ///
    /// Errors: bad params ([`Error::Param`]), no training rows ([`InputError::Empty`]), no
    /// feature column ([`InputError::NoFeatures`]), a training row index out of range.
    pub fn fit(
        table: &Table,
        train_rows: &[usize],
        params: &FeatureParams,
    ) -> Result<Preprocessor> {
        params.validate()?;
        if train_rows.is_empty() {
            return Err(InputError::Empty.into());
        }
        let n_rows = table.n_rows();
        if let Some(&bad) = train_rows.iter().find(|&&r| r >= n_rows) {
            return Err(Error::Unsupported(format!(
                "training row {bad} is out of range (the data has {n_rows} rows)"
            )));
        }
        let mut encoders = Vec::new();
        let mut names = Vec::new();
        let mut warnings = Vec::new();
        let mut profiles = Vec::new();
        let mut logged = Vec::new();
        for col in table.columns.iter().filter(|c| c.role == Role::Feature) {
            profiles.push(RawProfile::fit(col, train_rows));
            let enc = match &col.values {
                Values::Numeric(v) => {
                    fit_numeric(&col.name, v, train_rows, params, &mut warnings, &mut logged)
                }
                Values::Categorical { levels, codes } => {
                    fit_categorical(&col.name, levels, codes, train_rows, params, &mut warnings)
                }
            };
            encoders.push(scale_encoded(
                enc,
                &col.values,
                train_rows,
                params,
                &mut names,
            ));
        }
        if encoders.is_empty() {
            return Err(InputError::NoFeatures.into());
        }
        if !logged.is_empty() {
            warnings.push(format!(
                "{} heavy-tailed column(s) log-transformed (skewness above {LOG_SKEW_THRESHOLD}): {}",
                logged.len(),
                logged.join(", ")
            ));
        }
        Ok(Preprocessor {
            feature_names: names,
            encoders,
            fit_warnings: warnings,
            profiles,
        })
    }

    /// Number of model inputs.
    pub fn width(&self) -> usize {
        self.encoders.iter().map(ColumnEncoder::width).sum()
    }

    /// Encodes and scales every row of `table` (which must have the columns it was fitted on,
    /// of the same kind).
    pub fn transform(&self, table: &Table) -> Result<Array2<f64>> {
        self.transform_with_warnings(table).map(|(x, _)| x)
    }

    /// [`Preprocessor::transform`], also returning warnings about the cells it had to fill in
    /// (missing numbers imputed, categories unseen in training).
    pub fn transform_with_warnings(&self, table: &Table) -> Result<(Array2<f64>, Vec<String>)> {
        let n = table.n_rows();
        let width = self.width();
        if width == 0 {
            return Err(InputError::NoFeatures.into());
        }
        let mut x = Array2::<f64>::zeros((n, width));
        let mut warnings = Vec::new();
        let mut offset = 0;
        for enc in &self.encoders {
            let name = enc.column_name();
            let col = table.column(name).ok_or_else(|| {
                Error::Unsupported(format!(
                    "the data has no column `{name}`, which the model was trained on"
                ))
            })?;
            match (enc, &col.values) {
                (
                    ColumnEncoder::Numeric {
                        median,
                        log,
                        mean,
                        scale,
                        ..
                    },
                    Values::Numeric(v),
                ) => {
                    let mut imputed = 0usize;
                    for (i, &raw) in v.iter().enumerate() {
                        let mut value = if raw.is_finite() {
                            raw
                        } else {
                            imputed += 1;
                            *median
                        };
                        if *log {
                            value = signed_log1p(value);
                        }
                        x[[i, offset]] = (value - mean) / scale;
                    }
                    if imputed > 0 {
                        warnings.push(format!(
                            "column {name}: {imputed} missing or non-finite value(s) imputed with the training median {}",
                            crate::engine::text::number(*median)
                        ));
                    }
                }
                (
                    ColumnEncoder::OneHot {
                        levels,
                        other,
                        means,
                        scales,
                        ..
                    },
                    Values::Categorical {
                        levels: table_levels,
                        codes,
                    },
                ) => {
                    let map = code_map(table_levels, levels);
                    let w = levels.len() + usize::from(*other);
                    let mut unseen = 0usize;
                    for (i, &c) in codes.iter().enumerate() {
                        let slot = one_hot_slot(c, &map, *other, levels.len());
                        if slot.is_none() && c != MISSING_CODE {
                            unseen += 1;
                        }
                        for j in 0..w {
                            let hot = f64::from(u8::from(slot == Some(j)));
                            x[[i, offset + j]] = (hot - means[j]) / scales[j];
                        }
                    }
                    if unseen > 0 {
                        warnings.push(format!(
                            "column {name}: {unseen} value(s) with a category not seen in training (encoded as no category)"
                        ));
                    }
                }
                (
                    ColumnEncoder::Frequency {
                        levels,
                        shares,
                        mean,
                        scale,
                        ..
                    },
                    Values::Categorical {
                        levels: table_levels,
                        codes,
                    },
                ) => {
                    let map = code_map(table_levels, levels);
                    for (i, &c) in codes.iter().enumerate() {
                        x[[i, offset]] = (freq_of(c, &map, shares) - mean) / scale;
                    }
                }
                (ColumnEncoder::Numeric { .. }, Values::Categorical { .. }) => {
                    return Err(Error::Unsupported(format!(
                        "column `{name}` holds text, but the model was trained on numbers there"
                    )))
                }
                (_, Values::Numeric(_)) => {
                    return Err(Error::Unsupported(format!(
                    "column `{name}` holds numbers, but the model was trained on categories there"
                )))
                }
            }
            offset += enc.width();
        }
        Ok((x, warnings))
    }
}

fn one_hot(name: String, levels: Vec<(String, usize)>, other: bool) -> ColumnEncoder {
    ColumnEncoder::OneHot {
        name,
        levels: levels.into_iter().map(|(l, _)| l).collect(),
        other,
        means: Vec::new(),
        scales: Vec::new(),
    }
}

/// The one-hot input a code sets: its level's, "other" for any other non-missing level when
/// the column has one, or none.
fn one_hot_slot(code: u32, map: &[Option<usize>], other: bool, n_levels: usize) -> Option<usize> {
    if code == MISSING_CODE {
        return None;
    }
    match map.get(code as usize).copied().flatten() {
        Some(j) => Some(j),
        None if other => Some(n_levels),
        None => None,
    }
}

fn freq_of(code: u32, map: &[Option<usize>], shares: &[f64]) -> f64 {
    if code == MISSING_CODE {
        return 0.0;
    }
    map.get(code as usize)
        .copied()
        .flatten()
        .and_then(|j| shares.get(j).copied())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::Column;

    fn all(n: usize) -> Vec<usize> {
        (0..n).collect()
    }

    #[test]
    fn constant_column_gets_scale_one() {
        let t = Table::new(vec![Column::numeric("c", vec![3.0; 5])]).unwrap();
        let p = Preprocessor::fit(&t, &all(5), &FeatureParams::default()).unwrap();
        let x = p.transform(&t).unwrap();
        assert!(x.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn scaling_uses_training_rows_only() {
        let t = Table::new(vec![Column::numeric("a", vec![0.0, 2.0, 100.0])]).unwrap();
        let p = Preprocessor::fit(&t, &[0, 1], &FeatureParams::default()).unwrap();
        let x = p.transform(&t).unwrap();
        assert_eq!(x[[0, 0]], -1.0);
        assert_eq!(x[[1, 0]], 1.0);
        assert_eq!(x[[2, 0]], 99.0);
    }

    #[test]
    fn missing_numbers_are_imputed_with_training_median() {
        let t = Table::new(vec![Column::numeric(
            "a",
            vec![1.0, f64::NAN, 3.0, 10.0, f64::INFINITY],
        )])
        .unwrap();
        let p = Preprocessor::fit(&t, &[0, 1, 2, 3], &FeatureParams::default()).unwrap();
        assert!(matches!(p.encoders[0], ColumnEncoder::Numeric { median, .. } if median == 3.0));
        assert!(p.fit_warnings.iter().any(|w| w.contains("imputed")));
        let (x, w) = p.transform_with_warnings(&t).unwrap();
        assert!(x.iter().all(|v| v.is_finite()));
        assert_eq!(x[[1, 0]], x[[2, 0]]);
        assert!(w[0].contains("2 missing"));
    }

    #[test]
    fn one_hot_names_levels_and_ignores_unseen() {
        let t = Table::new(vec![Column::categorical(
            "p",
            ["udp", "tcp", "tcp", "icmp"],
        )])
        .unwrap();
        let params = FeatureParams {
            scale_one_hot: false,
            ..FeatureParams::default()
        };
        let p = Preprocessor::fit(&t, &[0, 1, 2], &params).unwrap();
        assert_eq!(p.feature_names, vec!["p=tcp", "p=udp"]);
        let (x, w) = p.transform_with_warnings(&t).unwrap();
        assert_eq!(x.row(0).to_vec(), vec![0.0, 1.0]);
        assert_eq!(x.row(3).to_vec(), vec![0.0, 0.0]);
        assert!(w[0].contains("not seen"));
    }

    #[test]
    fn many_levels_are_frequency_encoded() {
        let t = Table::new(vec![Column::categorical("s", ["a", "b", "c", "a", "zz"])]).unwrap();
        let params = FeatureParams {
            max_one_hot: 2,
            ..FeatureParams::default()
        };
        let p = Preprocessor::fit(&t, &[0, 1, 2, 3], &params).unwrap();
        assert_eq!(p.feature_names, vec!["s"]);
        let x = p.transform(&t).unwrap();
        // a: 0.5, b/c: 0.25 → rows 1 and 2 equal, row 0 above them, unseen zz lowest.
        assert_eq!(x[[1, 0]], x[[2, 0]]);
        assert!(x[[0, 0]] > x[[1, 0]]);
        assert!(x[[4, 0]] < x[[1, 0]]);
    }

    #[test]
    fn capped_one_hot_keeps_top_levels_and_other() {
        let t = Table::new(vec![Column::categorical(
            "s",
            ["a", "b", "b", "c", "c", "c", "new"],
        )])
        .unwrap();
        let params = FeatureParams {
            max_one_hot: 3,
            high_cardinality: HighCardinality::OneHotTop,
            scale_one_hot: false,
            log_transform: LogTransform::Never,
        };
        let tr: Vec<usize> = (0..6).collect();
        let t4 = Table::new(vec![Column::categorical(
            "s",
            ["a", "b", "b", "c", "c", "c", "d"],
        )])
        .unwrap();
        let p = Preprocessor::fit(&t4, &tr, &params).unwrap();
        // 3 levels ≤ cap 3 → plain one-hot.
        assert_eq!(p.feature_names, vec!["s=a", "s=b", "s=c"]);
        let t5 = Table::new(vec![Column::categorical(
            "s",
            ["a", "b", "b", "c", "c", "c", "d", "d", "d"],
        )])
        .unwrap();
        let p = Preprocessor::fit(&t5, &all(9), &params).unwrap();
        assert_eq!(p.feature_names, vec!["s=c", "s=d", "s=<other>"]);
        let x = p.transform(&t).unwrap();
        assert_eq!(x.row(0).to_vec(), vec![0.0, 0.0, 1.0]); // a → other
        assert_eq!(x.row(6).to_vec(), vec![0.0, 0.0, 1.0]); // unseen → other
        assert_eq!(x.row(3).to_vec(), vec![1.0, 0.0, 0.0]);
    }

    #[test]
    fn skewed_nonnegative_column_is_log_transformed_only_when_asked() {
        let mut v = vec![0.0; 95];
        v.extend([1e3, 1e5, 1e6, 1e8, 1e9]);
        let t = Table::new(vec![
            Column::numeric("bytes", v.clone()),
            Column::numeric("signed", v.iter().map(|x| x - 1.0).collect()),
        ])
        .unwrap();
        let rows = all(100);
        let always = FeatureParams {
            log_transform: LogTransform::Always,
            ..FeatureParams::default()
        };
        let p = Preprocessor::fit(&t, &rows, &always).unwrap();
        assert!(matches!(
            p.encoders[0],
            ColumnEncoder::Numeric { log: true, .. }
        ));
        // A negative training value keeps the column linear.
        assert!(matches!(
            p.encoders[1],
            ColumnEncoder::Numeric { log: false, .. }
        ));
        assert!(p.fit_warnings.iter().any(|w| w.contains("log-transformed")));
        let x = p.transform(&t).unwrap();
        let expected = signed_log1p(1e9);
        assert!(x[[99, 0]] > x[[98, 0]] && x[[99, 0]] < expected);
        // The default resolves by training mode; `fit` alone treats it as never.
        let default = FeatureParams::default();
        let p = Preprocessor::fit(&t, &rows, &default).unwrap();
        assert!(matches!(
            p.encoders[0],
            ColumnEncoder::Numeric { log: false, .. }
        ));
        assert_eq!(
            default.for_training(true).log_transform,
            LogTransform::Always
        );
        assert_eq!(
            default.for_training(false).log_transform,
            LogTransform::Never
        );
    }

    #[test]
    fn signed_log1p_is_monotone_and_odd() {
        let xs = [-1e9, -2.0, -0.5, 0.0, 0.5, 2.0, 1e9];
        let ys: Vec<f64> = xs.iter().map(|&x| signed_log1p(x)).collect();
        assert!(ys.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(signed_log1p(-3.0), -signed_log1p(3.0));
        assert!((skewness(&[0.0, 0.0, 0.0, 10.0]) - 1.1547005383792515).abs() < 1e-12);
    }

    #[test]
    fn missing_column_is_named() {
        let t = Table::new(vec![Column::numeric("a", vec![1.0, 2.0])]).unwrap();
        let p = Preprocessor::fit(&t, &all(2), &FeatureParams::default()).unwrap();
        let other = Table::new(vec![Column::numeric("b", vec![1.0])]).unwrap();
        let e = p.transform(&other).unwrap_err().to_string();
        assert!(e.contains("`a`"), "{e}");
    }

    #[test]
    fn max_one_hot_below_two_is_rejected() {
        let p = FeatureParams {
            max_one_hot: 1,
            ..FeatureParams::default()
        };
        assert_eq!(p.validate().unwrap_err().field, "max_one_hot");
    }

    #[test]
    fn non_feature_columns_are_not_inputs() {
        let t = Table::new(vec![
            Column::numeric("a", vec![1.0, 2.0]),
            Column::numeric("label", vec![0.0, 1.0]).with_role(Role::Label),
        ])
        .unwrap();
        let p = Preprocessor::fit(&t, &all(2), &FeatureParams::default()).unwrap();
        assert_eq!(p.feature_names, vec!["a"]);
    }
}
