//! Why a row is (or is not) an anomaly, and which features matter overall.
//!
//! * [`explain_row`]: per-alert evidence — each detector's vote and how far its score is past
//!   its threshold, the raw features that deviate most from the training rows (value, typical
//!   value, how unusual), the autoencoder's per-feature reconstruction error and the Isolation
//!   Forest's path attribution (both mapped back from encoded inputs to raw columns), and a
//!   one- or two-sentence summary.
//! * [`permutation_importance`]: global importance of each raw feature, as the mean absolute
//!   change of the continuous ensemble score when the feature is shuffled within a seeded sample.
//! * [`RawProfile`]: the compact training distributions (101 quantiles / level counts) the
//!   preprocessor keeps for the explanations.
//! * [`format`]: numbers for sentences ("45,000", "about 12×", "99.8 %").

pub mod format;
mod importance;
mod profile;
mod row;

pub use importance::{
    permutation_importance, FeatureImportance, Importance, ImportanceParams,
    DEFAULT_IMPORTANCE_ROWS,
};
pub use profile::{RawProfile, PROFILE_QUANTILES};
pub use row::{
    explain_row, input_groups, CellValue, DetectorEvidence, Deviation, Direction, Explanation,
    FeatureShare, TOP_DEVIATIONS,
};
