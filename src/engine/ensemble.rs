//! Votes, continuous ensemble score, confidence, severity and agreement.
//!
//! **Votes and decision.** Each member votes "anomaly" when its score is above its own threshold
//! (fixed at fit time from the contamination). A row is an anomaly when at least `k = min_votes`
//! members vote so (k-of-n; `k` is clamped to `1 ..= n`). For an even `n` with `k = n/2` a tie
//! (2 of 4) counts as an anomaly: the usual "≥ 2 of 4" rule.
//!
//! **Severity** of an anomaly: `Low` at exactly `k` votes, `Medium` at `k + 1`, `High` at
//! `k + 2` or more (four detectors, k = 2: 2 / 3 / 4 votes). A single detector (k = n = 1) only
//! ever gives `Low`.
//!
//! **Continuous ensemble score** in [0, 1], for ranking, ROC curves and the threshold slider.
//! Detector scores live on different scales, so each member's score `s` is first mapped onto its
//! own training-score distribution ([`member_position`]):
//!
//! * inside the training range: the percentile `p = Calibration::percentile(s)` ∈ [0, 1];
//! * above the training maximum: `1 + B · t/(1 + t)` with `t = (s − max)/spread`;
//! * below the training minimum: `−B · t/(1 + t)` with `t = (min − s)/spread`;
//!
//! where `spread = max − median` of the training scores (falling back to `max − min`, then 1)
//! and `B =` [`TAIL_BAND`]. Each position is turned into **evidence** ([`evidence`]):
//! `−ln(1 − c·p)`, `c = N/(N + 1)`, `N =` [`EVIDENCE_FLOOR_N`] — minus the log of the share of
//! training rows above the row, floored at ≈ 1 % — continued linearly beyond the training maximum.
//! The ensemble score is the **mean evidence of the `k` members with the highest positions**
//! (`k` = the effective `min_votes`), turned back into a position ([`evidence_position`]) and
//! mapped affinely from `[−B, 1 + B]` onto `[0, 1]` ([`Combine::TopEvidence`]). When the top `k`
//! members agree on a position the score is that position, so it stays a continuous companion
//! of the vote (a member votes when its position passes ≈ `1 − contamination`, and the score is
//! never below the `k`-th highest position, so every row the vote flags scores past the mapped
//! `1 − contamination`); when they disagree, the one deeper in its tail counts for more than a
//! mean of positions would give it (two members at their 95th percentile still outrank one at
//! its 99.9th with the other at its median; one member far past its training maximum outranks
//! both), and the members below the top `k` are ignored, so one dissenting or broken member
//! cannot drag it down. Inside the training range a position is a plain percentile, so the
//! score reads as one; the tails beyond it keep the most extreme rows ordered instead of tied
//! at one. It replaced the `k`-th highest position ([`Combine::KthHighest`]), which ignored how
//! far the top member was past its threshold. Why this rule rather than the k-th highest, the mean,
//! the mean of the top `k` ([`Combine::TopMean`]) or a clamped percentile, measured on every
//! benchmark protocol: `docs/decisions.md` ("Ensemble score").
//!
//! **Confidence** of each row's decision in [0, 1]: the mean of
//!
//! * the vote margin: for an anomaly `(votes − k + 1)/(n − k + 1)` (2/3/4 of 4 with k = 2 →
//!   1/3, 2/3, 1); for a normal row `(k − votes)/k` (0/1 votes with k = 2 → 1, 1/2);
//! * the score margin: how far the ensemble score sits past the ensemble's own score threshold
//!   `τ` (the `(1 − contamination)` quantile of the training rows' ensemble scores, fixed at fit
//!   time): for an anomaly `(e − τ)/(1 − τ)`, for a normal row `(τ − e)/τ`, clamped to [0, 1]
//!   (0 when the score disagrees with the vote).
//!
//! So a bare 2-of-4 anomaly whose score is barely past τ gets ≈ 0.17, a unanimous anomaly with
//! an extreme score ≈ 1, and a row no detector flags with a typical score ≈ 0.75 or more. (A
//! plain vote share would give a 2-vote anomaly 0.5, the same as a tie.)
//!
//! **Agreement**: Spearman's ρ (Pearson correlation of average ranks, ties averaged) between
//! every pair of members' scores over the scored rows; NaN when a member's scores are constant.

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::engine::error::{Error, InputError, ParamError, Result};
use crate::engine::features::Preprocessor;
use crate::engine::math;
use crate::engine::models::{AnyModel, AnyParams, Calibration, Detector, DetectorKind};
use crate::engine::progress::{self, Progress, Stage};
use crate::engine::rng;

/// How bad an anomaly is, from the number of detectors that agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    /// Not an anomaly.
    None,
    /// `min_votes` detectors (2 of 4 by default).
    Low,
    /// One more than `min_votes` (3 of 4).
    Medium,
    /// Every detector (4 of 4).
    High,
}

impl Severity {
    /// Lower-case name for files and tables (`none`, `low`, `medium`, `high`).
    pub fn id(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    /// Severity of a row with `votes` votes when `min_votes` are needed.
    pub fn from_votes(votes: usize, min_votes: usize) -> Self {
        if votes < min_votes {
            Self::None
        } else if votes == min_votes {
            Self::Low
        } else if votes == min_votes + 1 {
            Self::Medium
        } else {
            Self::High
        }
    }
}

/// Rank correlation between two detectors' scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// First detector.
    pub a: DetectorKind,
    /// Second detector.
    pub b: DetectorKind,
    /// Spearman's ρ of their scores over the scored rows.
    pub spearman: f64,
}

/// A trained ensemble: the fitted preprocessing and the fitted detectors — everything needed to
/// score new data without training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedEnsemble {
    /// Encoding and scaling fitted on the training rows.
    pub preprocessor: Preprocessor,
    /// The fitted detectors.
    pub models: Vec<AnyModel>,
    /// Minimum votes for an anomaly.
    pub min_votes: usize,
    /// Contamination the thresholds were fixed for.
    pub contamination: f64,
    /// The ensemble-score threshold τ used by confidence: the `(1 − contamination)` quantile of
    /// the training rows' ensemble scores.
    #[serde(default)]
    pub score_threshold: f64,
    /// Rows the ensemble was trained on.
    #[serde(default)]
    pub n_train: usize,
}

/// Width of each tail band of a member's position beyond its training range (see module docs).
pub const TAIL_BAND: f64 = 0.1;

/// Where a score sits on a member's training-score distribution: the percentile inside the
/// training range, extended monotonically beyond it into `(−B, 0)` and `(1, 1 + B)`.
pub fn member_position(cal: &Calibration, score: f64) -> f64 {
    let q = &cal.quantiles;
    let (Some(&min), Some(&max)) = (q.first(), q.last()) else {
        return 0.5;
    };
    if score.is_nan() {
        return 0.5;
    }
    let median = q[q.len() / 2];
    let mut spread = max - median;
    if spread.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        spread = max - min;
    }
    if spread.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !spread.is_finite() {
        spread = 1.0;
    }
    let squash = |t: f64| if t.is_finite() { t / (1.0 + t) } else { 1.0 };
    if score > max {
        1.0 + TAIL_BAND * squash((score - max) / spread)
    } else if score < min {
        -TAIL_BAND * squash((min - score) / spread)
    } else {
        cal.percentile(score)
    }
}

/// Training rows per unit of tail share below which [`evidence`] stops growing faster: the
/// tail share `1 − p` is floored at `1/(N + 1)` ≈ 1 %.
pub const EVIDENCE_FLOOR_N: f64 = 100.0;

/// A member's evidence that a row is anomalous, from its position `p`:
/// `−ln(1 − c·p)` with `c = N/(N + 1)` (`N` = [`EVIDENCE_FLOOR_N`]) — minus the log of the
/// share of training rows above the row, that share floored at `1/(N + 1)` — continued beyond
/// the training maximum (`p > 1`) by the straight line of the same slope, `ln(N + 1) + N·(p − 1)`.
/// Strictly increasing; [`evidence_position`] is its inverse.
pub fn evidence(p: f64) -> f64 {
    let n = EVIDENCE_FLOOR_N;
    if p <= 1.0 {
        -math::log1p(-(n / (n + 1.0)) * p)
    } else {
        math::log1p(n) + n * (p - 1.0)
    }
}

/// The position whose [`evidence`] is `y`.
pub fn evidence_position(y: f64) -> f64 {
    let n = EVIDENCE_FLOOR_N;
    let top = math::log1p(n);
    if y <= top {
        (1.0 - math::exp(-y)) * ((n + 1.0) / n)
    } else {
        1.0 + (y - top) / n
    }
}

/// How member positions are combined into the ensemble score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// The mean [`evidence`] of the `k` members with the highest positions, mapped back to a
    /// position (the default; see the module docs).
    TopEvidence(usize),
    /// The `k`-th highest member position (the default until the evidence mean replaced it).
    KthHighest(usize),
    /// The mean of the member positions.
    Mean,
    /// The mean of the `k` highest member positions.
    TopMean(usize),
}

/// Combines member positions into the ensemble score in [0, 1].
pub fn combine_positions(positions: &[f64], how: Combine) -> f64 {
    if positions.is_empty() {
        return 0.5;
    }
    let value = match how {
        Combine::Mean => {
            let mut sum = 0.0;
            for p in positions {
                sum += p;
            }
            sum / positions.len() as f64
        }
        Combine::KthHighest(k) => {
            let mut sorted = positions.to_vec();
            sorted.sort_by(|a, b| b.total_cmp(a));
            sorted[k.clamp(1, sorted.len()) - 1]
        }
        Combine::TopEvidence(k) => {
            let mut sorted = positions.to_vec();
            sorted.sort_by(|a, b| b.total_cmp(a));
            let k = k.clamp(1, sorted.len());
            if k == 1 {
                // The mean of one is the top position itself; skip the round trip's rounding.
                sorted[0]
            } else {
                let mut sum = 0.0;
                for &p in &sorted[..k] {
                    sum += evidence(p);
                }
                evidence_position(sum / k as f64)
            }
        }
        Combine::TopMean(k) => {
            let mut sorted = positions.to_vec();
            sorted.sort_by(|a, b| b.total_cmp(a));
            let k = k.clamp(1, sorted.len());
            let mut sum = 0.0;
            for p in &sorted[..k] {
                sum += p;
            }
            sum / k as f64
        }
    };
    ((value + TAIL_BAND) / (1.0 + 2.0 * TAIL_BAND)).clamp(0.0, 1.0)
}

/// Per-row ensemble output.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Combined {
    /// Anomaly votes per row.
    pub votes: Vec<u8>,
    /// Continuous ensemble score per row.
    pub ensemble_score: Vec<f64>,
    /// Decision per row.
    pub is_anomaly: Vec<bool>,
    /// Severity per row.
    pub severity: Vec<Severity>,
    /// Confidence per row.
    pub confidence: Vec<f64>,
}

/// Clamps `min_votes` to `1 ..= n`.
pub fn effective_min_votes(min_votes: usize, n: usize) -> usize {
    min_votes.clamp(1, n.max(1))
}

/// The rule [`ensemble_scores`] uses.
pub const DEFAULT_COMBINE: fn(usize) -> Combine = Combine::TopEvidence;

/// Ensemble scores of rows from per-member scores (`member_scores[m][row]`): the mean evidence
/// of the `k` highest member positions, as a position, normalised (see the module docs).
pub fn ensemble_scores(models: &[AnyModel], member_scores: &[Vec<f64>], k: usize) -> Vec<f64> {
    let n = member_scores.first().map_or(0, Vec::len);
    let mut positions = vec![0.0; models.len()];
    (0..n)
        .map(|row| {
            for (m, (model, scores)) in models.iter().zip(member_scores).enumerate() {
                positions[m] = member_position(model.calibration(), scores[row]);
            }
            combine_positions(&positions, DEFAULT_COMBINE(k))
        })
        .collect()
}

/// Votes, decisions, severity, confidence and the ensemble score from per-member scores.
pub fn combine_scores(
    models: &[AnyModel],
    member_scores: &[Vec<f64>],
    min_votes: usize,
    score_threshold: f64,
) -> Combined {
    let n_models = models.len();
    let k = effective_min_votes(min_votes, n_models);
    let ensemble_score = ensemble_scores(models, member_scores, k);
    let n = ensemble_score.len();
    let mut out = Combined {
        votes: Vec::with_capacity(n),
        ensemble_score,
        is_anomaly: Vec::with_capacity(n),
        severity: Vec::with_capacity(n),
        confidence: Vec::with_capacity(n),
    };
    for row in 0..n {
        let votes = models
            .iter()
            .zip(member_scores)
            .filter(|(m, s)| m.calibration().is_anomaly(s[row]))
            .count();
        let anomaly = votes >= k;
        let e = out.ensemble_score[row];
        out.votes.push(votes.min(u8::MAX as usize) as u8);
        out.is_anomaly.push(anomaly);
        out.severity.push(Severity::from_votes(votes, k));
        out.confidence
            .push(confidence(votes, n_models, k, e, score_threshold));
    }
    out
}

/// Confidence of one row's decision (see the module docs).
pub fn confidence(votes: usize, n: usize, k: usize, score: f64, tau: f64) -> f64 {
    let anomaly = votes >= k;
    let vote_part = if anomaly {
        (votes - k + 1) as f64 / (n.max(k) - k + 1) as f64
    } else {
        (k - votes) as f64 / k as f64
    };
    let score_part = if anomaly {
        if tau < 1.0 {
            (score - tau) / (1.0 - tau)
        } else {
            0.0
        }
    } else if tau > 0.0 {
        (tau - score) / tau
    } else {
        0.0
    };
    let score_part = if score_part.is_nan() {
        0.0
    } else {
        score_part.clamp(0.0, 1.0)
    };
    ((vote_part + score_part) / 2.0).clamp(0.0, 1.0)
}

/// Average ranks (1-based), ties sharing the mean of their positions; NaN ranks last.
pub fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            ranks[o] = r;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman's ρ with average ranks for ties (scipy's `spearmanr`); NaN when either side is
/// constant or the lengths differ or are below 2.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() || a.len() < 2 {
        return f64::NAN;
    }
    let (ra, rb) = (average_ranks(a), average_ranks(b));
    let n = ra.len() as f64;
    let mean = (n + 1.0) / 2.0;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        let (dx, dy) = (x - mean, y - mean);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    if saa == 0.0 || sbb == 0.0 {
        return f64::NAN;
    }
    (sab / math::sqrt(saa * sbb)).clamp(-1.0, 1.0)
}

/// Spearman's ρ between every pair of members, in config order.
pub fn agreement(kinds: &[DetectorKind], member_scores: &[Vec<f64>]) -> Vec<Agreement> {
    let mut out = Vec::new();
    for i in 0..kinds.len() {
        for j in i + 1..kinds.len() {
            out.push(Agreement {
                a: kinds[i],
                b: kinds[j],
                spearman: spearman(&member_scores[i], &member_scores[j]),
            });
        }
    }
    out
}

/// One fitted member with its timings.
#[derive(Debug, Clone)]
pub struct FittedMember {
    /// The model.
    pub model: AnyModel,
    /// Scores of the training rows (in `train_rows` order), as the model sees them.
    pub train_scores: Vec<f64>,
    /// Seconds spent fitting.
    pub fit_seconds: f64,
}

/// Fits every configured detector on the training matrix `x_train`. Each member gets the
/// ensemble's contamination and the seed `rng::derive_seed(seed, index of its kind in
/// DetectorKind::ALL)`, overriding its own.
pub fn fit_members(
    detectors: &[AnyParams],
    x_train: ArrayView2<'_, f64>,
    contamination: f64,
    seed: u64,
    progress: &mut dyn Progress,
    clock: &dyn Fn() -> f64,
) -> Result<Vec<FittedMember>> {
    let mut out = Vec::with_capacity(detectors.len());
    for params in detectors {
        let kind = params.kind();
        progress::report(progress, Stage::Fit(kind), 0, 1, Error::Cancelled)?;
        let kind_index = DetectorKind::ALL
            .iter()
            .position(|&k| k == kind)
            .unwrap_or(0) as u64;
        let mut p = params.clone();
        p.set_contamination(contamination);
        p.set_seed(rng::derive_seed(seed, kind_index));
        let t0 = clock();
        let fitted = p.fit(x_train, progress).map_err(Error::from)?;
        let fit_seconds = (clock() - t0).max(0.0);
        progress::report(progress, Stage::Fit(kind), 1, 1, Error::Cancelled)?;
        out.push(FittedMember {
            model: fitted.model,
            train_scores: fitted.train_scores.to_vec(),
            fit_seconds,
        });
    }
    Ok(out)
}

/// Rows scored per progress report.
const SCORE_CHUNK: usize = 4096;

/// Scores every row of `x` with `model`, in chunks with progress and cancellation.
pub fn score_member(
    model: &AnyModel,
    x: ArrayView2<'_, f64>,
    progress: &mut dyn Progress,
) -> Result<Vec<f64>> {
    let kind = model.kind();
    let n = x.nrows();
    if n == 0 {
        return Err(InputError::Empty.into());
    }
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    while start < n {
        progress::report(
            progress,
            Stage::Score(kind),
            start as u64,
            n as u64,
            Error::Cancelled,
        )?;
        let end = (start + SCORE_CHUNK).min(n);
        let chunk = x.slice_axis(Axis(0), (start..end).into());
        out.extend(model.score(chunk).map_err(Error::from)?);
        start = end;
    }
    progress::report(
        progress,
        Stage::Score(kind),
        n as u64,
        n as u64,
        Error::Cancelled,
    )?;
    Ok(out)
}

impl TrainedEnsemble {
    /// Kinds of the members, in order.
    pub fn kinds(&self) -> Vec<DetectorKind> {
        self.models.iter().map(|m| m.kind()).collect()
    }

    /// The ensemble's effective `k` (clamped `min_votes`).
    pub fn k(&self) -> usize {
        effective_min_votes(self.min_votes, self.models.len())
    }

    /// Scores an already encoded matrix with every member: `scores[m][row]`.
    pub fn score_matrix(
        &self,
        x: &Array2<f64>,
        progress: &mut dyn Progress,
    ) -> Result<Vec<Vec<f64>>> {
        self.models
            .iter()
            .map(|m| score_member(m, x.view(), progress))
            .collect()
    }

    /// Combines member scores into votes, decisions, severity, confidence and ensemble scores.
    pub fn combine(&self, member_scores: &[Vec<f64>]) -> Combined {
        combine_scores(
            &self.models,
            member_scores,
            self.min_votes,
            self.score_threshold,
        )
    }

    /// Encodes `table` and scores every row: the member scores and the combined output, plus
    /// the preprocessing warnings.
    pub fn score(
        &self,
        table: &crate::engine::data::Table,
        progress: &mut dyn Progress,
    ) -> Result<(Vec<Vec<f64>>, Combined, Vec<String>)> {
        if self.models.is_empty() {
            return Err(ParamError::new("detectors", "the ensemble has no detector").into());
        }
        let (x, warnings) = self.preprocessor.transform_with_warnings(table)?;
        let scores = self.score_matrix(&x, progress)?;
        progress::report(progress, Stage::Ensemble, 0, 1, Error::Cancelled)?;
        let combined = self.combine(&scores);
        Ok((scores, combined, warnings))
    }
}

/// The ensemble's score threshold τ from the training rows' member scores.
pub fn score_threshold(
    models: &[AnyModel],
    train_scores: &[Vec<f64>],
    contamination: f64,
    min_votes: usize,
) -> f64 {
    let e = ensemble_scores(
        models,
        train_scores,
        effective_min_votes(min_votes, models.len()),
    );
    let sorted = math::sorted(&e);
    let t = math::percentile_sorted(&sorted, 100.0 * (1.0 - contamination));
    if t.is_nan() {
        0.5
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_follows_votes_past_k() {
        assert_eq!(Severity::from_votes(1, 2), Severity::None);
        assert_eq!(Severity::from_votes(2, 2), Severity::Low);
        assert_eq!(Severity::from_votes(3, 2), Severity::Medium);
        assert_eq!(Severity::from_votes(4, 2), Severity::High);
    }

    #[test]
    fn min_votes_is_clamped_to_detector_count() {
        assert_eq!(effective_min_votes(5, 2), 2);
        assert_eq!(effective_min_votes(0, 4), 1);
    }

    #[test]
    fn two_vote_anomaly_is_less_confident_than_unanimous() {
        let low = confidence(2, 4, 2, 0.80, 0.75);
        let high = confidence(4, 4, 2, 0.95, 0.75);
        assert!(low < 0.5, "{low}");
        assert!(high > 0.8, "{high}");
        assert!(confidence(0, 4, 2, 0.2, 0.75) > confidence(1, 4, 2, 0.6, 0.75));
    }

    #[test]
    fn confidence_is_bounded() {
        for v in 0..=4 {
            for e in [0.0, 0.3, 0.75, 1.0, f64::NAN] {
                let c = confidence(v, 4, 2, e, 0.75);
                assert!((0.0..=1.0).contains(&c));
            }
        }
    }

    #[test]
    fn spearman_handles_ties_like_scipy() {
        // scipy.stats.spearmanr([1,2,2,3],[1,3,2,4]).statistic == 0.9486832980505138
        let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]);
        assert!((r - 0.948_683_298_050_513_8).abs() < 1e-12, "{r}");
        assert!(spearman(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
    }

    #[test]
    fn position_is_monotone_beyond_training_range() {
        let train: Vec<f64> = (0..100).map(f64::from).collect();
        let cal = Calibration::from_scores(&train, 0.1);
        let xs = [-1e9, -50.0, -1.0, 0.0, 50.0, 99.0, 100.0, 150.0, 1e3, 1e9];
        let ps: Vec<f64> = xs.iter().map(|&x| member_position(&cal, x)).collect();
        assert!(ps.windows(2).all(|w| w[0] < w[1]), "{ps:?}");
        assert!(ps[0] > -TAIL_BAND && ps[9] < 1.0 + TAIL_BAND);
        assert_eq!(ps[4], cal.percentile(50.0));
    }

    #[test]
    fn combined_score_stays_in_unit_interval() {
        assert_eq!(combine_positions(&[-TAIL_BAND], Combine::Mean), 0.0);
        assert_eq!(
            combine_positions(&[1.0 + TAIL_BAND], Combine::KthHighest(1)),
            1.0
        );
        assert!((combine_positions(&[0.5, 0.5], Combine::Mean) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn evidence_is_increasing_and_inverted_by_evidence_position() {
        let ps = [-0.1, -0.05, 0.0, 0.3, 0.85, 0.99, 1.0, 1.01, 1.1];
        let ys: Vec<f64> = ps.iter().map(|&p| evidence(p)).collect();
        assert!(ys.windows(2).all(|w| w[0] < w[1]), "{ys:?}");
        for (&p, &y) in ps.iter().zip(&ys) {
            assert!((evidence_position(y) - p).abs() < 1e-12, "{p} → {y}");
        }
        // Agreeing members give their common position back.
        let e = combine_positions(&[0.9, 0.9, 0.1, 0.0], Combine::TopEvidence(2));
        assert!((e - combine_positions(&[0.9], Combine::Mean)).abs() < 1e-12);
    }

    #[test]
    fn top_evidence_ranks_one_extreme_member_above_two_moderate_ones_only_so_far() {
        // Two members at the 95th percentile beat one at the 99.9th with the other at the median.
        let both = combine_positions(&[0.95, 0.95, 0.2, 0.2], Combine::TopEvidence(2));
        let one = combine_positions(&[0.999, 0.5, 0.2, 0.2], Combine::TopEvidence(2));
        assert!(both > one, "{both} vs {one}");
        // Far past the training maximum one member does outweigh them.
        let far = combine_positions(&[1.09, 0.5, 0.2, 0.2], Combine::TopEvidence(2));
        assert!(far > both, "{far} vs {both}");
    }

    #[test]
    fn kth_highest_ignores_one_dissenting_member() {
        let k2 = combine_positions(&[0.99, 0.98, 0.97, 0.0], Combine::KthHighest(2));
        let mean = combine_positions(&[0.99, 0.98, 0.97, 0.0], Combine::Mean);
        assert_eq!(k2, combine_positions(&[0.98], Combine::Mean));
        assert!(k2 > mean);
    }
}
