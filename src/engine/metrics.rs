//! Metrics against labels, with anomaly as the positive class.
//!
//! * Confusion counts, accuracy, precision, recall and F1 of a yes/no decision; a ratio whose
//!   denominator is zero is 0 (scikit-learn's `zero_division=0`).
//! * ROC-AUC of a continuous score exactly as scikit-learn's `roc_auc_score`: the ROC curve has
//!   one point per *distinct* score (tied scores move together, which gives a diagonal segment),
//!   and the area is the trapezoid sum. NaN when only one class is present.
//! * Average precision exactly as scikit-learn's `average_precision_score`:
//!   `Σₙ (Rₙ − Rₙ₋₁) · Pₙ` over the distinct thresholds in decreasing order — a step function,
//!   no interpolation. NaN when there is no positive row (scikit-learn warns and returns 0 there).
//! * Curves thinned to at most [`MAX_CURVE_POINTS`] points for charts (the first and last point
//!   are always kept). The areas are computed on the full curves.
//!
//! Pinned against scikit-learn 1.7.2 by `tests/fixtures/sklearn/metrics.json`.

use serde::{Deserialize, Serialize};

/// Confusion matrix with anomaly as the positive class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Confusion {
    /// Anomalies flagged.
    pub tp: usize,
    /// Normal rows flagged.
    pub fp: usize,
    /// Normal rows passed.
    pub tn: usize,
    /// Anomalies missed.
    pub fn_: usize,
}

/// Detection quality against ground truth.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Metrics {
    /// Counts.
    pub confusion: Confusion,
    /// (tp + tn) / n.
    pub accuracy: f64,
    /// tp / (tp + fp), 0 when nothing is flagged.
    pub precision: f64,
    /// tp / (tp + fn), 0 when there are no anomalies.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Area under the ROC curve of the continuous score (NaN with one class only).
    pub roc_auc: f64,
    /// Average precision of the continuous score (scikit-learn's definition).
    pub pr_auc: f64,
    /// ROC curve points (false-positive rate, true-positive rate), thinned for charts.
    pub roc_curve: Vec<(f64, f64)>,
    /// Precision–recall points (recall, precision), thinned for charts.
    pub pr_curve: Vec<(f64, f64)>,
}

/// Most points kept of a curve for charts.
pub const MAX_CURVE_POINTS: usize = 200;

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

impl Confusion {
    /// Counts decisions against truth (`true` = anomaly). Lengths must match; extra items of the
    /// longer slice are ignored.
    pub fn from_decisions(truth: &[bool], predicted: &[bool]) -> Self {
        Self::from_labelled(truth.iter().map(|&t| Some(t)), predicted)
    }

    /// Like [`from_decisions`](Self::from_decisions) where some rows have no label (`None`):
    /// those rows are not counted.
    pub fn from_labelled(
        truth: impl IntoIterator<Item = Option<bool>>,
        predicted: &[bool],
    ) -> Self {
        let mut c = Confusion::default();
        for (t, &p) in truth.into_iter().zip(predicted) {
            match (t, p) {
                (Some(true), true) => c.tp += 1,
                (Some(false), true) => c.fp += 1,
                (Some(false), false) => c.tn += 1,
                (Some(true), false) => c.fn_ += 1,
                (None, _) => {}
            }
        }
        c
    }

    /// (tp + tn) / n.
    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_)
    }

    /// tp / (tp + fp), 0 when nothing is flagged.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// tp / (tp + fn), 0 when there is no anomaly.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// 2·tp / (2·tp + fp + fn), 0 when all three are 0.
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
}

/// Cumulative (false positives, true positives) at each distinct score, from the highest score
/// down (scikit-learn's `_binary_clf_curve`). NaN scores rank lowest.
fn binary_clf_curve(truth: &[bool], scores: &[f64]) -> Vec<(usize, usize)> {
    let n = truth.len().min(scores.len());
    let mut order: Vec<usize> = (0..n).collect();
    // Descending by score, NaN last; ties keep index order (irrelevant to the result).
    order.sort_by(|&a, &b| {
        let (sa, sb) = (scores[a], scores[b]);
        match (sa.is_nan(), sb.is_nan()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            (false, false) => sb.total_cmp(&sa),
        }
    });
    let mut points = Vec::new();
    let (mut fp, mut tp) = (0usize, 0usize);
    for (i, &row) in order.iter().enumerate() {
        if truth[row] {
            tp += 1;
        } else {
            fp += 1;
        }
        let last = i + 1 == order.len();
        let next_differs = !last && {
            let (s, t) = (scores[row], scores[order[i + 1]]);
            !(s == t || (s.is_nan() && t.is_nan()))
        };
        if last || next_differs {
            points.push((fp, tp));
        }
    }
    points
}

/// Full ROC curve (fpr, tpr) starting at (0, 0); empty when a class is missing.
pub fn roc_curve(truth: &[bool], scores: &[f64]) -> Vec<(f64, f64)> {
    let pts = binary_clf_curve(truth, scores);
    let Some(&(n_neg, n_pos)) = pts.last() else {
        return Vec::new();
    };
    if n_neg == 0 || n_pos == 0 {
        return Vec::new();
    }
    let mut curve = Vec::with_capacity(pts.len() + 1);
    curve.push((0.0, 0.0));
    for (fp, tp) in pts {
        curve.push((fp as f64 / n_neg as f64, tp as f64 / n_pos as f64));
    }
    curve
}

/// Area under the ROC curve, as scikit-learn's `roc_auc_score` (NaN with one class only).
pub fn roc_auc(truth: &[bool], scores: &[f64]) -> f64 {
    let curve = roc_curve(truth, scores);
    if curve.is_empty() {
        return f64::NAN;
    }
    // np.trapz(tpr, fpr): Σ (x₁ − x₀)(y₀ + y₁)/2.
    let mut area = 0.0;
    for w in curve.windows(2) {
        area += (w[1].0 - w[0].0) * (w[0].1 + w[1].1) / 2.0;
    }
    area
}

/// Precision–recall points (recall, precision) at each distinct threshold, from the highest
/// threshold down; empty when there is no positive row.
pub fn pr_curve(truth: &[bool], scores: &[f64]) -> Vec<(f64, f64)> {
    let pts = binary_clf_curve(truth, scores);
    let Some(&(_, n_pos)) = pts.last() else {
        return Vec::new();
    };
    if n_pos == 0 {
        return Vec::new();
    }
    pts.into_iter()
        .map(|(fp, tp)| (tp as f64 / n_pos as f64, tp as f64 / (tp + fp) as f64))
        .collect()
}

/// Average precision, as scikit-learn's `average_precision_score` (NaN without positives).
pub fn average_precision(truth: &[bool], scores: &[f64]) -> f64 {
    let curve = pr_curve(truth, scores);
    if curve.is_empty() {
        return f64::NAN;
    }
    // sklearn: -np.sum(np.diff(recall) * np.array(precision)[:-1]) over the reversed arrays,
    // i.e. Σ (Rₙ − Rₙ₋₁)·Pₙ in threshold-decreasing order with R₀ = 0.
    let mut ap = 0.0;
    let mut last_recall = 0.0;
    for &(r, p) in &curve {
        ap += (r - last_recall) * p;
        last_recall = r;
    }
    ap
}

/// Keeps at most `max` points, evenly spaced by index, always with the first and the last.
pub fn thin(curve: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if curve.len() <= max || max < 2 {
        return curve.to_vec();
    }
    let last = curve.len() - 1;
    let mut out = Vec::with_capacity(max);
    let mut prev = usize::MAX;
    for k in 0..max {
        // Integer arithmetic in u64: same on 32- and 64-bit targets.
        let i = ((k as u64 * last as u64) / (max as u64 - 1)) as usize;
        if i != prev {
            out.push(curve[i]);
            prev = i;
        }
    }
    out
}

impl Metrics {
    /// Every metric of a decision and a continuous score against truth (`true` = anomaly).
    /// The three slices are parallel; rows without truth must be removed beforehand.
    pub fn compute(truth: &[bool], predicted: &[bool], scores: &[f64]) -> Self {
        let confusion = Confusion::from_decisions(truth, predicted);
        Metrics {
            confusion,
            accuracy: confusion.accuracy(),
            precision: confusion.precision(),
            recall: confusion.recall(),
            f1: confusion.f1(),
            roc_auc: roc_auc(truth, scores),
            pr_auc: average_precision(truth, scores),
            roc_curve: thin(&roc_curve(truth, scores), MAX_CURVE_POINTS),
            pr_curve: thin(&pr_curve(truth, scores), MAX_CURVE_POINTS),
        }
    }

    /// [`Metrics::compute`] with optional truth per row: rows whose label is missing are left out.
    pub fn compute_partial(labels: &[Option<bool>], predicted: &[bool], scores: &[f64]) -> Self {
        let mut t = Vec::with_capacity(labels.len());
        let mut p = Vec::with_capacity(labels.len());
        let mut s = Vec::with_capacity(labels.len());
        for ((l, &d), &sc) in labels.iter().zip(predicted).zip(scores) {
            if let Some(truth) = l {
                t.push(*truth);
                p.push(d);
                s.push(sc);
            }
        }
        Self::compute(&t, &p, &s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_skips_rows_without_a_label() {
        let c = Confusion::from_labelled(
            [Some(true), None, Some(false), Some(false), Some(true)],
            &[true, true, true, false, false],
        );
        assert_eq!((c.tp, c.fp, c.tn, c.fn_), (1, 1, 1, 1));
    }

    #[test]
    fn zero_division_gives_zero() {
        let c = Confusion::from_decisions(&[false, false], &[false, false]);
        assert_eq!((c.precision(), c.recall(), c.f1()), (0.0, 0.0, 0.0));
        assert_eq!(c.accuracy(), 1.0);
    }

    #[test]
    fn perfect_ranking_has_auc_one() {
        let t = [false, false, true, true];
        let s = [0.1, 0.2, 0.8, 0.9];
        assert_eq!(roc_auc(&t, &s), 1.0);
        assert_eq!(average_precision(&t, &s), 1.0);
    }

    #[test]
    fn all_tied_scores_give_half_auc() {
        let t = [false, true, false, true];
        assert_eq!(roc_auc(&t, &[1.0; 4]), 0.5);
        assert_eq!(average_precision(&t, &[1.0; 4]), 0.5);
    }

    #[test]
    fn one_class_gives_nan_auc() {
        assert!(roc_auc(&[true, true], &[0.1, 0.2]).is_nan());
        assert!(average_precision(&[false, false], &[0.1, 0.2]).is_nan());
    }

    #[test]
    fn thinning_keeps_ends_and_bound() {
        let c: Vec<(f64, f64)> = (0..1000).map(|i| (i as f64, i as f64)).collect();
        let t = thin(&c, MAX_CURVE_POINTS);
        assert!(t.len() <= MAX_CURVE_POINTS);
        assert_eq!(t.first(), c.first());
        assert_eq!(t.last(), c.last());
    }

    #[test]
    fn missing_labels_are_left_out() {
        let m = Metrics::compute_partial(
            &[Some(true), None, Some(false)],
            &[true, true, false],
            &[0.9, 0.5, 0.1],
        );
        assert_eq!(
            m.confusion.tp + m.confusion.fp + m.confusion.tn + m.confusion.fn_,
            2
        );
        assert_eq!(m.precision, 1.0);
    }
}
