//! Parameters of the Isolation Forest and their validation.

use serde::{Deserialize, Serialize};

use crate::engine::error::ParamError;
use crate::engine::models::check_contamination;

/// How many training rows each tree is grown on (ψ), like scikit-learn's `max_samples`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum MaxSamples {
    /// `min(256, n)` (scikit-learn's `"auto"`).
    #[default]
    Auto,
    /// A fixed count, at least 1; more than `n` means `n` (scikit-learn warns and does the same).
    Count(usize),
    /// A share of the rows in (0, 1]: `max(1, floor(fraction · n))`.
    Fraction(f64),
}

impl MaxSamples {
    /// ψ for a training set of `n_rows` rows (at least 1 when `n_rows ≥ 1`).
    pub fn resolve(self, n_rows: usize) -> usize {
        let psi = match self {
            Self::Auto => 256.min(n_rows),
            Self::Count(k) => k.min(n_rows),
            Self::Fraction(f) => (f * n_rows as f64).floor() as usize,
        };
        psi.clamp(1.min(n_rows), n_rows)
    }
}

/// Parameters of the [`IsolationForest`](super::IsolationForest) detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsolationForestParams {
    /// Number of trees (scikit-learn `n_estimators`). Default 100; at least 1.
    pub n_trees: usize,
    /// Rows per tree, drawn without replacement. Default [`MaxSamples::Auto`] = `min(256, n)`.
    pub max_samples: MaxSamples,
    /// Share of the features each tree may split on, in (0, 1]: each tree draws
    /// `max(1, floor(max_features · d))` features without replacement. Default 1.0 (all).
    pub max_features: f64,
    /// Expected share of anomalies in (0, 0.5]; sets the threshold. Default 0.15.
    pub contamination: f64,
    /// PRNG seed; tree `t` uses `rng::derive_seed(seed, t)`. Default 42.
    pub seed: u64,
}

impl Default for IsolationForestParams {
    fn default() -> Self {
        Self {
            n_trees: 100,
            max_samples: MaxSamples::Auto,
            max_features: 1.0,
            contamination: 0.15,
            seed: 42,
        }
    }
}

impl IsolationForestParams {
    /// Checks every parameter (none depends on the data shape); the error names the field.
    pub(super) fn check(&self) -> Result<(), ParamError> {
        if self.n_trees == 0 {
            return Err(ParamError::new("n_trees", "must be at least 1, got 0"));
        }
        match self.max_samples {
            MaxSamples::Auto => {}
            MaxSamples::Count(0) => {
                return Err(ParamError::new(
                    "max_samples",
                    "a count must be at least 1, got 0",
                ));
            }
            MaxSamples::Count(_) => {}
            MaxSamples::Fraction(f) => {
                if !(f > 0.0 && f <= 1.0) {
                    return Err(ParamError::new(
                        "max_samples",
                        format!("a fraction must be in (0, 1], got {f}"),
                    ));
                }
            }
        }
        if !(self.max_features > 0.0 && self.max_features <= 1.0) {
            return Err(ParamError::new(
                "max_features",
                format!("must be in (0, 1], got {}", self.max_features),
            ));
        }
        check_contamination(self.contamination)
    }

    /// Number of features each tree uses for a `n_features`-wide matrix.
    pub(super) fn features_per_tree(&self, n_features: usize) -> usize {
        ((self.max_features * n_features as f64).floor() as usize)
            .clamp(1.min(n_features), n_features)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(p: &IsolationForestParams) -> Option<String> {
        p.check().err().map(|e| e.field)
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(field(&IsolationForestParams::default()), None);
    }

    #[test]
    fn n_trees_cannot_be_zero() {
        let p = IsolationForestParams {
            n_trees: 0,
            ..Default::default()
        };
        assert_eq!(field(&p).as_deref(), Some("n_trees"));
    }

    #[test]
    fn max_samples_count_must_be_at_least_one() {
        let mut p = IsolationForestParams {
            max_samples: MaxSamples::Count(0),
            ..Default::default()
        };
        assert_eq!(field(&p).as_deref(), Some("max_samples"));
        p.max_samples = MaxSamples::Count(1);
        assert_eq!(field(&p), None);
    }

    #[test]
    fn max_samples_fraction_must_be_in_zero_one() {
        for bad in [0.0, -0.5, 1.000_001, f64::NAN, f64::INFINITY] {
            let p = IsolationForestParams {
                max_samples: MaxSamples::Fraction(bad),
                ..Default::default()
            };
            assert_eq!(field(&p).as_deref(), Some("max_samples"), "{bad}");
        }
        let p = IsolationForestParams {
            max_samples: MaxSamples::Fraction(1.0),
            ..Default::default()
        };
        assert_eq!(field(&p), None);
    }

    #[test]
    fn max_features_must_be_in_zero_one() {
        for bad in [0.0, -1.0, 1.5, f64::NAN] {
            let p = IsolationForestParams {
                max_features: bad,
                ..Default::default()
            };
            assert_eq!(field(&p).as_deref(), Some("max_features"), "{bad}");
        }
    }

    #[test]
    fn contamination_must_be_in_sklearn_range() {
        for bad in [0.0, 0.51, -0.1, f64::NAN] {
            let p = IsolationForestParams {
                contamination: bad,
                ..Default::default()
            };
            assert_eq!(field(&p).as_deref(), Some("contamination"), "{bad}");
        }
    }

    #[test]
    fn max_samples_resolves_like_sklearn() {
        assert_eq!(MaxSamples::Auto.resolve(100), 100);
        assert_eq!(MaxSamples::Auto.resolve(10_000), 256);
        assert_eq!(MaxSamples::Count(500).resolve(100), 100);
        assert_eq!(MaxSamples::Fraction(0.5).resolve(101), 50);
        assert_eq!(MaxSamples::Fraction(0.001).resolve(10), 1);
    }

    #[test]
    fn max_features_resolves_to_at_least_one() {
        let p = IsolationForestParams {
            max_features: 0.01,
            ..Default::default()
        };
        assert_eq!(p.features_per_tree(10), 1);
        assert_eq!(IsolationForestParams::default().features_per_tree(7), 7);
    }
}
