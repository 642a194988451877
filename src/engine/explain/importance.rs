//! Global feature importance by permutation, on the continuous ensemble score.
//!
//! For a seeded sample of rows, the ensemble scores the sample as it is, then once per raw
//! feature with that feature's column shuffled among the sampled rows (a categorical column is
//! shuffled as whole categories, so its one-hot inputs move together). A feature's importance
//! is the mean absolute change of the ensemble score, normalised so all importances sum to 1.
//! Using the continuous score rather than counting flipped votes makes the measure
//! smooth: a feature that moves every row's score a little counts, not only one that pushes a
//! few rows across a threshold.

use serde::{Deserialize, Serialize};

use crate::engine::data::Table;
use crate::engine::ensemble::TrainedEnsemble;
use crate::engine::error::{Error, InputError, ParamError, Result};
use crate::engine::progress::{self, NoProgress, Progress, Stage};
use crate::engine::rng;

/// Default number of sampled rows.
pub const DEFAULT_IMPORTANCE_ROWS: usize = 500;

/// Parameters of [`permutation_importance`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportanceParams {
    /// Rows sampled (without replacement; all rows when the data has fewer). Default 500, ≥ 2.
    pub sample_rows: usize,
    /// Seed of the sample and of every shuffle (default 42).
    pub seed: u64,
}

impl Default for ImportanceParams {
    fn default() -> Self {
        Self {
            sample_rows: DEFAULT_IMPORTANCE_ROWS,
            seed: 42,
        }
    }
}

/// One raw feature's importance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureImportance {
    /// The raw column.
    pub feature: String,
    /// Normalised importance in [0, 1]; all features sum to 1 (or all are 0).
    pub importance: f64,
    /// Mean absolute change of the ensemble score when the column is shuffled.
    pub mean_abs_change: f64,
}

/// Importances of every raw feature, most important first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Importance {
    /// Features, most important first (ties in column order).
    pub features: Vec<FeatureImportance>,
    /// Rows in the sample.
    pub n_rows: usize,
    /// The seed used.
    pub seed: u64,
}

/// Permutation importance of each raw feature of `model` on a seeded sample of `table`.
///
/// Progress: one [`Stage::Ensemble`] report per feature (`done` features of `total`);
/// answering `Break` stops with [`Error::Cancelled`].
///
/// Errors: [`ParamError`] for `sample_rows < 2`, [`InputError::Empty`] for an empty table,
/// preprocessing errors when a column the model needs is missing, [`Error::Cancelled`].
pub fn permutation_importance(
    model: &TrainedEnsemble,
    table: &Table,
    params: &ImportanceParams,
    progress: &mut dyn Progress,
) -> Result<Importance> {
    if params.sample_rows < 2 {
        return Err(ParamError::new(
            "sample_rows",
            format!("must be at least 2, got {}", params.sample_rows),
        )
        .into());
    }
    let n = table.n_rows();
    if n == 0 {
        return Err(InputError::Empty.into());
    }
    let mut r = rng::seeded(params.seed);
    let rows = if params.sample_rows >= n {
        (0..n).collect()
    } else {
        rng::sample_indices(&mut r, n, params.sample_rows)
    };
    let sample = table.select_rows(&rows);
    let (_, base, _) = model.score(&sample, &mut NoProgress)?;
    let base = base.ensemble_score;
    let m = rows.len();

    let names: Vec<String> = model
        .preprocessor
        .encoders
        .iter()
        .map(|e| e.column_name().to_string())
        .collect();
    let total = names.len() as u64;
    let mut changes = Vec::with_capacity(names.len());
    for (j, name) in names.iter().enumerate() {
        progress::report(progress, Stage::Ensemble, j as u64, total, Error::Cancelled)?;
        let Some(ci) = sample.columns.iter().position(|c| &c.name == name) else {
            return Err(Error::Unsupported(format!(
                "the data has no column `{name}`, which the model was trained on"
            )));
        };
        let mut perm: Vec<usize> = (0..m).collect();
        rng::shuffle(
            &mut rng::seeded(rng::derive_seed(params.seed, 1 + j as u64)),
            &mut perm,
        );
        let mut shuffled = sample.clone();
        shuffled.columns[ci] = sample.select_rows(&perm).columns[ci].clone();
        let (_, s, _) = model.score(&shuffled, &mut NoProgress)?;
        let mut sum = 0.0;
        for (a, b) in s.ensemble_score.iter().zip(&base) {
            sum += (a - b).abs();
        }
        changes.push(sum / m as f64);
    }
    progress::report(progress, Stage::Ensemble, total, total, Error::Cancelled)?;
    let mut sum = 0.0;
    for c in &changes {
        sum += c;
    }
    let mut features: Vec<FeatureImportance> = names
        .into_iter()
        .zip(changes)
        .map(|(feature, c)| FeatureImportance {
            feature,
            importance: if sum > 0.0 { c / sum } else { 0.0 },
            mean_abs_change: c,
        })
        .collect();
    features.sort_by(|a, b| b.mean_abs_change.total_cmp(&a.mean_abs_change));
    Ok(Importance {
        features,
        n_rows: m,
        seed: params.seed,
    })
}
