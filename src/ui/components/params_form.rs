//! The advanced per-detector parameters of the Train panel, as data: one [`ParamSpec`] per
//! editable field (how to show it, read it from and write it into [`AnyParams`]). Validation is
//! the engine's own (`AnyParams::validate`, whose `ParamError` names the field); these functions
//! only turn text into the field's type.

use crate::engine::models::autoencoder::AutoencoderParams;
use crate::engine::models::isolation_forest::{IsolationForestParams, MaxSamples};
use crate::engine::models::one_class_svm::{Gamma, OneClassSvmParams};
use crate::engine::models::{AnyParams, DetectorKind, LofParams};

/// One editable parameter.
#[derive(Clone, Copy)]
pub struct ParamSpec {
    /// Which detector.
    pub kind: DetectorKind,
    /// The params struct's field name (what `ParamError::field` says).
    pub field: &'static str,
    /// Visible label.
    pub label: &'static str,
    /// One line under the field: meaning and default.
    pub hint: &'static str,
    /// The current value as text.
    pub get: fn(&AnyParams) -> String,
    /// Writes the text; `Err` says why it is not a value of the right type.
    pub set: fn(&mut AnyParams, &str) -> Result<(), String>,
}

impl ParamSpec {
    /// Element id of the input (`ns-param-lof-n_neighbors`).
    pub fn input_id(&self) -> String {
        format!("ns-param-{}-{}", self.kind.id(), self.field)
    }
}

fn int(s: &str) -> Result<usize, String> {
    s.trim()
        .parse::<usize>()
        .map_err(|_| format!("enter a whole number, not \u{201c}{}\u{201d}", s.trim()))
}

fn real(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!("enter a number, not \u{201c}{}\u{201d}", s.trim())),
    }
}

macro_rules! with {
    ($p:expr, $variant:ident, $inner:ident => $body:expr, $default:expr) => {
        match $p {
            AnyParams::$variant($inner) => $body,
            _ => $default,
        }
    };
}

fn if_p(p: &AnyParams) -> Option<&IsolationForestParams> {
    with!(p, IsolationForest, x => Some(x), None)
}
fn svm_p(p: &AnyParams) -> Option<&OneClassSvmParams> {
    with!(p, OneClassSvm, x => Some(x), None)
}
fn lof_p(p: &AnyParams) -> Option<&LofParams> {
    with!(p, Lof, x => Some(x), None)
}
fn ae_p(p: &AnyParams) -> Option<&AutoencoderParams> {
    with!(p, Autoencoder, x => Some(x), None)
}

/// Every editable parameter, grouped by detector in display order.
pub const SPECS: &[ParamSpec] = &[
    ParamSpec {
        kind: DetectorKind::IsolationForest,
        field: "n_trees",
        label: "Trees (n_estimators)",
        hint: "Number of trees; default 100.",
        get: |p| if_p(p).map(|x| x.n_trees.to_string()).unwrap_or_default(),
        set: |p, s| {
            let v = int(s)?;
            with!(p, IsolationForest, x => x.n_trees = v, ());
            Ok(())
        },
    },
    ParamSpec {
        kind: DetectorKind::IsolationForest,
        field: "max_samples",
        label: "Rows per tree (max_samples)",
        hint: "auto = min(256, rows), a count, or a share like 0.5.",
        get: |p| {
            if_p(p)
                .map(|x| match x.max_samples {
                    MaxSamples::Auto => "auto".into(),
                    MaxSamples::Count(n) => n.to_string(),
                    MaxSamples::Fraction(f) => f.to_string(),
                })
                .unwrap_or_default()
        },
        set: |p, s| {
            let t = s.trim();
            let v = if t.eq_ignore_ascii_case("auto") {
                MaxSamples::Auto
            } else if t.contains(['.', 'e', 'E']) {
                MaxSamples::Fraction(real(t)?)
            } else {
                MaxSamples::Count(int(t).map_err(|_| {
                    format!("enter auto, a whole number or a share, not \u{201c}{t}\u{201d}")
                })?)
            };
            with!(p, IsolationForest, x => x.max_samples = v, ());
            Ok(())
        },
    },
    ParamSpec {
        kind: DetectorKind::IsolationForest,
        field: "max_features",
        label: "Feature share (max_features)",
        hint: "Share of the features each tree splits on, in (0, 1]; default 1.",
        get: |p| {
            if_p(p)
                .map(|x| x.max_features.to_string())
                .unwrap_or_default()
        },
        set: |p, s| {
            let v = real(s)?;
            with!(p, IsolationForest, x => x.max_features = v, ());
            Ok(())
        },
    },
    ParamSpec {
        kind: DetectorKind::OneClassSvm,
        field: "nu",
        label: "ν (nu)",
        hint: "Empty = the expected anomaly share; otherwise in (0, 1].",
        get: |p| {
            svm_p(p)
                .and_then(|x| x.nu)
                .map(|v| v.to_string())
                .unwrap_or_default()
        },
        set: |p, s| {
            let v = if s.trim().is_empty() {
                None
            } else {
                Some(real(s)?)
            };
            with!(p, OneClassSvm, x => x.nu = v, ());
            Ok(())
        },
    },
    ParamSpec {
        kind: DetectorKind::OneClassSvm,
        field: "gamma",
        label: "RBF γ (gamma)",
        hint: "scale (default), auto = 1 / features, or a positive number.",
        get: |p| {
            svm_p(p)
                .map(|x| match x.gamma {
                    Gamma::Scale => "scale".into(),
                    Gamma::Auto => "auto".into(),
                    Gamma::Value(g) => g.to_string(),
                })
                .unwrap_or_default()
        },
        set: |p, s| {
            let t = s.trim();
            let v = if t.eq_ignore_ascii_case("scale") {
                Gamma::Scale
            } else if t.eq_ignore_ascii_case("auto") {
                Gamma::Auto
            } else {
                Gamma::Value(real(t).map_err(|_| {
                    format!("enter scale, auto or a positive number, not \u{201c}{t}\u{201d}")
                })?)
            };
            with!(p, OneClassSvm, x => x.gamma = v, ());
            Ok(())
        },
    },
    ParamSpec {
        kind: DetectorKind::OneClassSvm,
        field: "max_train_rows",
        label: "Kernel rows cap (max_train_rows)",
        hint: "Training sample size (the kernel is quadratic in it); default 2048.",
        get: |p| {
            svm_p(p)
                .map(|x| x.max_train_rows.to_string())
                .unwrap_or_default()
        },
        set: |p, s| {
            let v = int(s)?;
            with!(p, OneClassSvm, x => x.max_train_rows = v, ());
            Ok(())
        },
    },
    ParamSpec {
        kind: DetectorKind::Lof,
        field: "n_neighbors",
        label: "Neighbours (n_neighbors)",
        hint: "k of the k-nearest-neighbour density; default 20.",
        get: |p| {
            lof_p(p)
                .map(|x| x.n_neighbors.to_string())
                .unwrap_or_default()
        },
        set: |p, s| {
            let v = int(s)?;
            with!(p, Lof, x => x.n_neighbors = v, ());
            Ok(())
        },
    },
    ParamSpec {
        kind: DetectorKind::Lof,
        field: "max_reference_rows",
        label: "Reference rows (max_reference_rows)",
        hint: "Training sample the neighbours come from.",
        get: |p| {
            lof_p(p)
                .map(|x| x.max_reference_rows.to_string())
                .unwrap_or_default()
        },
        set: |p, s| {
            let v = int(s)?;
            with!(p, Lof, x => x.max_reference_rows = v, ());
            Ok(())
        },
    },
    ParamSpec {
        kind: DetectorKind::Autoencoder,
        field: "hidden_layers",
        label: "Hidden layers",
        hint: "Widths, comma-separated; default 64,32,16,8,16,32,64.",
        get: |p| {
            ae_p(p)
                .map(|x| {
                    x.hidden_layers
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default()
        },
        set: |p, s| {
            let v = if s.trim().is_empty() {
                Vec::new()
            } else {
                s.split(',')
                    .map(int)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| "enter widths as whole numbers separated by commas".to_string())?
            };
            with!(p, Autoencoder, x => x.hidden_layers = v, ());
            Ok(())
        },
    },
    ParamSpec {
        kind: DetectorKind::Autoencoder,
        field: "epochs",
        label: "Epochs",
        hint: "Passes over the training rows; default 30.",
        get: |p| ae_p(p).map(|x| x.epochs.to_string()).unwrap_or_default(),
        set: |p, s| {
            let v = int(s)?;
            with!(p, Autoencoder, x => x.epochs = v, ());
            Ok(())
        },
    },
    ParamSpec {
        kind: DetectorKind::Autoencoder,
        field: "batch_size",
        label: "Batch size",
        hint: "Rows per gradient step; default 32.",
        get: |p| {
            ae_p(p)
                .map(|x| x.batch_size.to_string())
                .unwrap_or_default()
        },
        set: |p, s| {
            let v = int(s)?;
            with!(p, Autoencoder, x => x.batch_size = v, ());
            Ok(())
        },
    },
    ParamSpec {
        kind: DetectorKind::Autoencoder,
        field: "learning_rate",
        label: "Learning rate",
        hint: "Adam step size; default 0.001.",
        get: |p| {
            ae_p(p)
                .map(|x| x.learning_rate.to_string())
                .unwrap_or_default()
        },
        set: |p, s| {
            let v = real(s)?;
            with!(p, Autoencoder, x => x.learning_rate = v, ());
            Ok(())
        },
    },
    ParamSpec {
        kind: DetectorKind::Autoencoder,
        field: "patience",
        label: "Patience",
        hint: "Epochs without validation improvement before stopping; default 3.",
        get: |p| ae_p(p).map(|x| x.patience.to_string()).unwrap_or_default(),
        set: |p, s| {
            let v = int(s)?;
            with!(p, Autoencoder, x => x.patience = v, ());
            Ok(())
        },
    },
];

/// The specs of one detector.
pub fn specs_for(kind: DetectorKind) -> impl Iterator<Item = &'static ParamSpec> {
    SPECS.iter().filter(move |s| s.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_round_trips_its_default() {
        for kind in DetectorKind::ALL {
            let original = AnyParams::default_for(kind, 0.1, 7);
            for spec in specs_for(kind) {
                let mut p = original.clone();
                let text = (spec.get)(&p);
                (spec.set)(&mut p, &text).unwrap();
                assert_eq!(p, original, "{}", spec.field);
            }
        }
    }

    #[test]
    fn engine_validation_names_the_edited_field() {
        for (kind, field, bad) in [
            (DetectorKind::IsolationForest, "n_trees", "0"),
            (DetectorKind::IsolationForest, "max_features", "1.5"),
            (DetectorKind::OneClassSvm, "nu", "2"),
            (DetectorKind::Lof, "n_neighbors", "0"),
            (DetectorKind::Autoencoder, "learning_rate", "-1"),
            (DetectorKind::Autoencoder, "hidden_layers", ""),
        ] {
            let mut p = AnyParams::default_for(kind, 0.1, 7);
            let spec = specs_for(kind).find(|s| s.field == field).unwrap();
            (spec.set)(&mut p, bad).unwrap();
            assert_eq!(p.validate(1000, 5).unwrap_err().field, field);
        }
    }

    #[test]
    fn text_that_is_not_a_value_is_refused_with_a_reason() {
        let mut p = AnyParams::default_for(DetectorKind::IsolationForest, 0.1, 7);
        let spec = specs_for(DetectorKind::IsolationForest).next().unwrap();
        assert!((spec.set)(&mut p, "ten")
            .unwrap_err()
            .contains("whole number"));
    }
}
