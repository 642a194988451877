//! Per-row explanation: votes, margins, deviating features, detector attributions, summary.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::engine::data::{Table, Values, MISSING_CODE};
use crate::engine::ensemble::{Severity, TrainedEnsemble};
use crate::engine::error::{Error, Result};
use crate::engine::explain::format::{format_percent, format_ratio, format_value};
use crate::engine::explain::RawProfile;
use crate::engine::features::Preprocessor;
use crate::engine::models::{AnyModel, Detector, DetectorKind};
use crate::engine::pipeline::RunResult;

/// Number of deviating features an explanation lists.
pub const TOP_DEVIATIONS: usize = 5;

/// A raw cell value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CellValue {
    /// A number.
    Number(f64),
    /// A category.
    Text(String),
    /// An empty cell (or a value nobody knows, such as the typical value of an empty column).
    Missing,
}

impl CellValue {
    /// The value for a sentence (numbers via [`format_value`]).
    pub fn display(&self) -> String {
        match self {
            Self::Number(x) => format_value(*x),
            Self::Text(s) => s.clone(),
            Self::Missing => "missing".into(),
        }
    }

    /// The value as stored text: numbers shortest round-trip without grouping (`45000`),
    /// categories as they are, missing as empty.
    pub fn display_raw(&self) -> String {
        match self {
            Self::Number(x) => crate::engine::text::number(*x),
            Self::Text(s) => s.clone(),
            Self::Missing => String::new(),
        }
    }

    /// Reads a table cell.
    pub fn of(values: &Values, row: usize) -> Self {
        match values {
            Values::Numeric(v) => match v.get(row) {
                Some(x) if !x.is_nan() => Self::Number(*x),
                _ => Self::Missing,
            },
            Values::Categorical { levels, codes } => match codes.get(row) {
                Some(&c) if c != MISSING_CODE => levels
                    .get(c as usize)
                    .map_or(Self::Missing, |l| Self::Text(l.clone())),
                _ => Self::Missing,
            },
        }
    }
}

/// One detector's evidence for a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectorEvidence {
    /// Which detector.
    pub kind: DetectorKind,
    /// Its score for the row (higher = more anomalous).
    pub score: f64,
    /// Its threshold, fixed at fit time.
    pub threshold: f64,
    /// Whether it votes "anomaly" (`score > threshold`).
    pub voted: bool,
    /// `score − threshold` (positive = past the threshold), in the detector's own units.
    pub margin: f64,
    /// `score / threshold` when both are positive (Isolation Forest, LOF and the autoencoder
    /// have positive scores; the One-Class SVM's can be negative).
    pub ratio: Option<f64>,
    /// Share of the training rows' scores at or below this score, in [0, 1].
    pub training_percentile: f64,
    /// True when the score is above every training score.
    pub beyond_training: bool,
}

/// How a feature value sits against the training rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// A number above most training values.
    Higher,
    /// A number below most training values.
    Lower,
    /// A category seen in training.
    Category,
    /// A category never seen in training.
    UnseenCategory,
    /// The cell is empty.
    Missing,
}

/// One raw feature's deviation from the training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deviation {
    /// The raw column.
    pub feature: String,
    /// The row's value.
    pub value: CellValue,
    /// The typical training value: the median (numbers) or the most frequent level (categories).
    pub typical: CellValue,
    /// Above, below, category, unseen or missing.
    pub direction: Direction,
    /// Share of training rows strictly below the value (numbers).
    pub share_below: Option<f64>,
    /// Share of training rows strictly above the value (numbers).
    pub share_above: Option<f64>,
    /// Share of training rows holding this category (categories).
    pub category_share: Option<f64>,
    /// `value / median` when both are positive (numbers).
    pub ratio_to_typical: Option<f64>,
    /// How unusual the value is, in [0, 1]: `2·max(below, above) − 1` for numbers (0 at the
    /// median, 1 beyond every training value), `1 − share` for categories. Deviations are
    /// ranked by it.
    pub unusualness: f64,
    /// Distance from the median in robust spreads (IQR, else range), signed (numbers; 0 otherwise).
    pub robust_distance: f64,
    /// The deviation in words: "dst_bytes 45,000 is about 12× the usual 3,700 — higher than
    /// 99.8 % of training rows".
    pub text: String,
}

/// A raw feature's share of a detector's attribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureShare {
    /// The raw column.
    pub feature: String,
    /// Its share of the total, in [0, 1] (shares sum to 1 unless everything is 0).
    pub share: f64,
    /// The un-normalised amount: summed squared reconstruction error of its inputs (autoencoder)
    /// or summed attribution of its inputs (Isolation Forest).
    pub amount: f64,
}

/// Everything that says why a row got its verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The row (zero-based).
    pub row: usize,
    /// The ensemble's decision.
    pub is_anomaly: bool,
    /// Detectors voting "anomaly".
    pub votes: u8,
    /// Detectors in the ensemble.
    pub n_detectors: usize,
    /// Votes needed for an anomaly.
    pub min_votes: usize,
    /// Severity of the decision.
    pub severity: Severity,
    /// Continuous ensemble score in [0, 1].
    pub ensemble_score: f64,
    /// Confidence of the decision in [0, 1].
    pub confidence: f64,
    /// One entry per detector, in ensemble order.
    pub detectors: Vec<DetectorEvidence>,
    /// The most deviating raw features (at most [`TOP_DEVIATIONS`]), most unusual first.
    pub deviations: Vec<Deviation>,
    /// Autoencoder reconstruction error per raw feature (one-hot groups summed), largest first;
    /// `None` without an autoencoder.
    pub autoencoder_errors: Option<Vec<FeatureShare>>,
    /// Isolation Forest path attribution per raw feature (one-hot groups summed), largest first;
    /// `None` without an Isolation Forest.
    pub isolation_attribution: Option<Vec<FeatureShare>>,
    /// True when typical values come from the training rows (the model's stored profiles);
    /// false when the model predates them and the scored data stood in.
    pub profiles_from_training: bool,
    /// One or two plain sentences.
    pub summary: String,
}

/// Short detector name for sentences.
fn short_label(kind: DetectorKind) -> &'static str {
    match kind {
        DetectorKind::Lof => "LOF",
        other => other.label(),
    }
}

/// The raw column of each encoder and the range of encoded inputs it produces.
pub fn input_groups(preprocessor: &Preprocessor) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::with_capacity(preprocessor.encoders.len());
    let mut offset = 0;
    for enc in &preprocessor.encoders {
        let w = enc.width();
        out.push((enc.column_name().to_string(), offset..offset + w));
        offset += w;
    }
    out
}

/// Sums per-input amounts into per-raw-feature shares, largest first (ties in column order).
fn group_shares(groups: &[(String, Range<usize>)], per_input: &[f64]) -> Vec<FeatureShare> {
    let amounts: Vec<f64> = groups
        .iter()
        .map(|(_, r)| {
            let mut s = 0.0;
            for i in r.clone() {
                s += per_input.get(i).copied().unwrap_or(0.0);
            }
            s
        })
        .collect();
    let mut total = 0.0;
    for a in &amounts {
        total += a;
    }
    let mut out: Vec<FeatureShare> = groups
        .iter()
        .zip(&amounts)
        .map(|((name, _), &amount)| FeatureShare {
            feature: name.clone(),
            share: if total > 0.0 { amount / total } else { 0.0 },
            amount,
        })
        .collect();
    out.sort_by(|a, b| b.amount.total_cmp(&a.amount));
    out
}

/// Explains row `row` of `table`, which `result` scored with `model`.
///
/// Errors: [`Error::Unsupported`] when the row is out of range or `result` does not belong to
/// `table` and `model` (other row count or detector list); preprocessing errors when the table
/// lacks a column the model needs.
pub fn explain_row(
    model: &TrainedEnsemble,
    table: &Table,
    result: &RunResult,
    row: usize,
) -> Result<Explanation> {
    let n = table.n_rows();
    if row >= n {
        return Err(Error::Unsupported(format!(
            "row {row} is out of range (the data has {n} rows)"
        )));
    }
    if result.n_rows != n
        || result.votes.len() != n
        || result.members.len() != model.models.len()
        || result.members.iter().any(|m| m.scores.len() != n)
    {
        return Err(Error::Unsupported(
            "the result does not belong to this data and model; score the data again".into(),
        ));
    }
    let detectors: Vec<DetectorEvidence> = model
        .models
        .iter()
        .zip(&result.members)
        .map(|(m, mr)| evidence(m, mr.scores[row]))
        .collect();

    let pre = &model.preprocessor;
    let from_training = pre.profiles.len() == pre.encoders.len();
    let fallback: Vec<RawProfile>;
    let profiles: &[RawProfile] = if from_training {
        &pre.profiles
    } else {
        let all: Vec<usize> = (0..n).collect();
        fallback = pre
            .encoders
            .iter()
            .filter_map(|e| table.column(e.column_name()))
            .map(|c| RawProfile::fit(c, &all))
            .collect();
        &fallback
    };
    let mut deviations: Vec<Deviation> = profiles
        .iter()
        .filter_map(|p| {
            let col = table.column(p.name())?;
            deviation(p, CellValue::of(&col.values, row))
        })
        .collect();
    deviations.sort_by(|a, b| {
        b.unusualness
            .total_cmp(&a.unusualness)
            .then(b.robust_distance.abs().total_cmp(&a.robust_distance.abs()))
    });
    deviations.truncate(TOP_DEVIATIONS);

    // Detector attributions on the encoded row.
    let groups = input_groups(pre);
    let needs_x = model
        .models
        .iter()
        .any(|m| matches!(m, AnyModel::Autoencoder(_) | AnyModel::IsolationForest(_)));
    let x = if needs_x {
        Some(pre.transform(&table.select_rows(&[row]))?)
    } else {
        None
    };
    let mut autoencoder_errors = None;
    let mut isolation_attribution = None;
    if let Some(x) = &x {
        for m in &model.models {
            match m {
                AnyModel::Autoencoder(ae) => {
                    let e = ae.feature_errors(x.row(0)).map_err(Error::from)?;
                    autoencoder_errors = Some(group_shares(&groups, &e));
                }
                AnyModel::IsolationForest(f) if f.n_features() == x.ncols() => {
                    let a = f.path_attribution(x.row(0));
                    isolation_attribution = Some(group_shares(&groups, &a));
                }
                _ => {}
            }
        }
    }

    let votes = result.votes[row];
    let is_anomaly = result.is_anomaly.get(row).copied().unwrap_or(false);
    let summary = summary(&detectors, votes, model.k(), is_anomaly, &deviations);
    Ok(Explanation {
        row,
        is_anomaly,
        votes,
        n_detectors: model.models.len(),
        min_votes: model.k(),
        severity: result.severity.get(row).copied().unwrap_or(Severity::None),
        ensemble_score: result.ensemble_score.get(row).copied().unwrap_or(f64::NAN),
        confidence: result.confidence.get(row).copied().unwrap_or(f64::NAN),
        detectors,
        deviations,
        autoencoder_errors,
        isolation_attribution,
        profiles_from_training: from_training,
        summary,
    })
}

fn evidence(model: &AnyModel, score: f64) -> DetectorEvidence {
    let cal = model.calibration();
    let threshold = cal.threshold;
    let max = cal.quantiles.last().copied().unwrap_or(f64::NAN);
    DetectorEvidence {
        kind: model.kind(),
        score,
        threshold,
        voted: cal.is_anomaly(score),
        margin: score - threshold,
        ratio: (threshold > 0.0 && score >= 0.0).then(|| score / threshold),
        training_percentile: cal.percentile(score),
        beyond_training: score > max,
    }
}

/// The deviation of one cell against its training profile; `None` when the kinds disagree.
// Over 120 lines on purpose: one arm per (profile kind, cell kind) pair, each building one
// complete `Deviation` that reads on its own.
fn deviation(profile: &RawProfile, value: CellValue) -> Option<Deviation> {
    let feature = profile.name().to_string();
    match (profile, &value) {
        (RawProfile::Numeric { .. }, CellValue::Number(v)) => {
            let v = *v;
            let median = profile.median();
            let typical = median.map_or(CellValue::Missing, CellValue::Number);
            let (below, above) = profile.tail_shares(v).unwrap_or((0.5, 0.5));
            let unusualness = (2.0 * below.max(above) - 1.0).clamp(0.0, 1.0);
            let direction = if below >= above {
                Direction::Higher
            } else {
                Direction::Lower
            };
            let robust_distance = median.map_or(0.0, |m| (v - m) / profile.spread());
            let ratio = median.filter(|&m| m > 0.0 && v > 0.0).map(|m| v / m);
            let max = match profile {
                RawProfile::Numeric { quantiles, .. } => quantiles.last().copied(),
                RawProfile::Categorical { .. } => None,
            };
            let min = match profile {
                RawProfile::Numeric { quantiles, .. } => quantiles.first().copied(),
                RawProfile::Categorical { .. } => None,
            };
            let mut text = format!("{feature} {}", format_value(v));
            match (ratio, median) {
                (Some(r), Some(m)) if r >= 1.5 => {
                    text += &format!(
                        " is about {}× the usual {}",
                        format_ratio(r),
                        format_value(m)
                    )
                }
                (Some(r), Some(m)) if r <= 1.0 / 1.5 => {
                    text += &format!(
                        " is about 1/{} of the usual {}",
                        format_ratio(1.0 / r),
                        format_value(m)
                    )
                }
                (_, Some(m)) => text += &format!(" (usual {})", format_value(m)),
                _ => {}
            }
            let tail = if unusualness < 0.5 {
                "a typical value".to_string()
            } else if direction == Direction::Higher {
                if max.is_some_and(|mx| v > mx) {
                    "higher than every training row".to_string()
                } else {
                    format!("higher than {} % of training rows", format_percent(below))
                }
            } else if min.is_some_and(|mn| v < mn) {
                "lower than every training row".to_string()
            } else {
                format!("lower than {} % of training rows", format_percent(above))
            };
            text += &format!(" — {tail}");
            Some(Deviation {
                feature,
                value,
                typical,
                direction,
                share_below: Some(below),
                share_above: Some(above),
                category_share: None,
                ratio_to_typical: ratio,
                unusualness,
                robust_distance,
                text,
            })
        }
        (RawProfile::Categorical { .. }, CellValue::Text(level)) => {
            let share = profile.level_share(level).unwrap_or(0.0);
            let mode = profile.mode().map(str::to_string);
            let (direction, text) = if share == 0.0 {
                (
                    Direction::UnseenCategory,
                    format!("{feature} = {level}: never seen in the training rows"),
                )
            } else {
                let mut t = format!(
                    "{feature} = {level}: seen in {} % of training rows",
                    format_percent(share)
                );
                if let Some(m) = mode.as_deref().filter(|m| *m != level.as_str()) {
                    t += &format!(" (usually {m})");
                }
                (Direction::Category, t)
            };
            Some(Deviation {
                feature,
                value,
                typical: mode.map_or(CellValue::Missing, CellValue::Text),
                direction,
                share_below: None,
                share_above: None,
                category_share: Some(share),
                ratio_to_typical: None,
                unusualness: (1.0 - share).clamp(0.0, 1.0),
                robust_distance: 0.0,
                text,
            })
        }
        (_, CellValue::Missing) => {
            let typical = match profile {
                RawProfile::Numeric { .. } => profile
                    .median()
                    .map_or(CellValue::Missing, CellValue::Number),
                RawProfile::Categorical { .. } => profile
                    .mode()
                    .map_or(CellValue::Missing, |m| CellValue::Text(m.to_string())),
            };
            let text = format!("{feature} is missing (usual {})", typical.display());
            Some(Deviation {
                feature,
                value,
                typical,
                direction: Direction::Missing,
                share_below: None,
                share_above: None,
                category_share: None,
                ratio_to_typical: None,
                unusualness: 0.0,
                robust_distance: 0.0,
                text,
            })
        }
        _ => None,
    }
}

/// Minimum unusualness for a deviation to be named in the summary.
const SUMMARY_UNUSUALNESS: f64 = 0.9;

fn summary(
    detectors: &[DetectorEvidence],
    votes: u8,
    k: usize,
    is_anomaly: bool,
    deviations: &[Deviation],
) -> String {
    let n = detectors.len();
    let names: Vec<&str> = detectors
        .iter()
        .filter(|d| d.voted)
        .map(|d| short_label(d.kind))
        .collect();
    let noun = if n == 1 { "detector" } else { "detectors" };
    let verb = if votes == 1 { "flags" } else { "flag" };
    let mut s = if votes == 0 {
        "No detector flags this flow.".to_string()
    } else if is_anomaly {
        format!(
            "{votes} of {n} {noun} {verb} this flow ({}).",
            names.join(", ")
        )
    } else {
        format!(
            "{votes} of {n} {noun} {verb} this flow ({}); {k} are needed for an alert.",
            names.join(", ")
        )
    };
    let notable: Vec<&Deviation> = deviations
        .iter()
        .filter(|d| d.unusualness >= SUMMARY_UNUSUALNESS)
        .take(1)
        .collect();
    match notable.first() {
        Some(d) => {
            s.push(' ');
            s.push_str(&d.text);
            s.push('.');
        }
        None if is_anomaly => {
            s.push_str(" No single feature stands out; the combination of values is unusual.")
        }
        None => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::Column;

    fn numeric_profile() -> RawProfile {
        // 1001 training values 3,200 … 4,200: median 3,700.
        let v: Vec<f64> = (0..=1000).map(|i| 3200.0 + f64::from(i)).collect();
        RawProfile::fit(
            &Column::numeric("dst_bytes", v),
            &(0..=1000).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn deviation_names_ratio_to_median_and_tail_share() {
        let d = deviation(&numeric_profile(), CellValue::Number(45_000.0)).unwrap();
        assert_eq!(d.direction, Direction::Higher);
        assert_eq!(d.typical, CellValue::Number(3700.0));
        assert_eq!(d.unusualness, 1.0);
        assert_eq!(
            d.text,
            "dst_bytes 45,000 is about 12× the usual 3,700 — higher than every training row"
        );
        let d = deviation(&numeric_profile(), CellValue::Number(4198.0)).unwrap();
        assert!(
            d.text.ends_with("higher than 99.8 % of training rows"),
            "{}",
            d.text
        );
    }

    #[test]
    fn median_value_is_not_unusual() {
        let d = deviation(&numeric_profile(), CellValue::Number(3700.0)).unwrap();
        assert!(d.unusualness < 1e-9);
        assert!(d.text.ends_with("a typical value"), "{}", d.text);
    }

    #[test]
    fn rare_category_reports_its_share() {
        let mut cells = vec!["tcp"; 997];
        cells.extend(["icmp"; 3]);
        let c = Column::categorical("protocol_type", cells);
        let p = RawProfile::fit(&c, &(0..1000).collect::<Vec<_>>());
        let d = deviation(&p, CellValue::Text("icmp".into())).unwrap();
        assert_eq!(
            d.text,
            "protocol_type = icmp: seen in 0.3 % of training rows (usually tcp)"
        );
        assert!((d.unusualness - 0.997).abs() < 1e-12);
        let d = deviation(&p, CellValue::Text("gre".into())).unwrap();
        assert_eq!(d.direction, Direction::UnseenCategory);
    }

    #[test]
    fn one_hot_groups_sum_into_their_column() {
        let groups = vec![("a".to_string(), 0..1), ("p".to_string(), 1..4)];
        let s = group_shares(&groups, &[1.0, 0.5, 1.5, 1.0]);
        assert_eq!(s[0].feature, "p");
        assert_eq!(s[0].amount, 3.0);
        assert_eq!(s[0].share, 0.75);
        assert_eq!(s[1].share, 0.25);
    }
}
