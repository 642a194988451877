//! The analyst's feedback loop: verdicts on alerts, suppression rules, and retraining.
//!
//! * [`RowKey`] names a row stably: its index plus a hash of its cells, so feedback survives
//!   re-loading the same file (and finds the row again if it moved).
//! * [`Feedback`] is one verdict (true / false positive) with a note and a time; [`mark`] sets
//!   verdicts on many rows at once (the latest verdict per row wins).
//! * [`SuppressionRule`]s ([`suppress`]) label alerts that match conditions; suppressed alerts
//!   stay in the results, marked — never dropped.
//! * [`retrain_with_feedback`] ([`retrain`]) trains again with confirmed false positives as
//!   normal training rows and confirmed attacks removed — with rows like the confirmed attacks
//!   ([`head`]) when training on every row — and says what changed. Feedback is never consumed:
//!   it is taken by reference and stays the caller's.

pub mod head;
mod retrain;
mod suppress;

use serde::{Deserialize, Serialize};

use crate::engine::data::Table;
use crate::engine::pipeline::RunResult;

pub use retrain::{
    plan as plan_retrain, retrain_with_feedback, retrain_with_feedback_on, MetricChange,
    MetricDeltas, RetrainDiff, RetrainPlan, MIN_HEAD_VERDICTS,
};
pub use suppress::{
    apply_suppressions, suppress_similar, suppress_similar_with, Condition, Op, RuleValue,
    SuppressionRule, SIMILAR_TOLERANCE,
};

/// 64-bit FNV-1a: a small, fixed, platform-independent hash.
pub(crate) fn fnv1a(bytes: &[u8], mut h: u64) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// FNV-1a offset basis.
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// A stable name for a row: its index and a hash of its cells.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RowKey {
    /// Zero-based row index when the key was made.
    pub row: u64,
    /// FNV-1a (64-bit, 16 hex digits) over every column's name and cell text. Empty for keys
    /// migrated from stores that did not keep it (then only the index identifies the row).
    pub cells_hash: String,
}

impl RowKey {
    /// The key of `row` in `table` (the row must be in range; cells out of range hash as empty).
    pub fn of(table: &Table, row: usize) -> Self {
        Self {
            row: row as u64,
            cells_hash: row_hash(table, row),
        }
    }

    /// Finds the row this key names in `table`: the same index when its cells still match (or
    /// the key has no hash), else the first row with the same cells; `None` when no row matches.
    pub fn resolve(&self, table: &Table) -> Option<usize> {
        let n = table.n_rows();
        let idx = usize::try_from(self.row).ok().filter(|&i| i < n);
        if self.cells_hash.is_empty() {
            return idx;
        }
        if let Some(i) = idx {
            if row_hash(table, i) == self.cells_hash {
                return Some(i);
            }
        }
        (0..n).find(|&i| row_hash(table, i) == self.cells_hash)
    }
}

/// The 16-hex-digit cell hash of a row.
pub fn row_hash(table: &Table, row: usize) -> String {
    let mut h = FNV_OFFSET;
    for c in &table.columns {
        h = fnv1a(c.name.as_bytes(), h);
        h = fnv1a(&[0x1f], h);
        h = fnv1a(c.values.display(row).as_bytes(), h);
        h = fnv1a(&[0x1e], h);
    }
    format!("{h:016x}")
}

/// The analyst's verdict on an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// A real attack or problem.
    TruePositive,
    /// Harmless traffic the models flagged.
    FalsePositive,
}

/// One verdict on one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    /// The row.
    pub row_key: RowKey,
    /// True or false positive.
    pub verdict: Verdict,
    /// Free text.
    #[serde(default)]
    pub note: String,
    /// When, in seconds since the Unix epoch (the caller's clock).
    pub at: f64,
}

/// Sets `verdict` on every row in `rows` (bulk marking): an existing verdict on the same row is
/// replaced, others are appended in `rows` order. Rows out of range are skipped; returns how
/// many were marked.
pub fn mark(
    feedback: &mut Vec<Feedback>,
    table: &Table,
    rows: &[usize],
    verdict: Verdict,
    note: &str,
    at: f64,
) -> usize {
    let n = table.n_rows();
    let mut marked = 0;
    for &row in rows.iter().filter(|&&r| r < n) {
        let key = RowKey::of(table, row);
        let entry = Feedback {
            row_key: key.clone(),
            verdict,
            note: note.to_string(),
            at,
        };
        match feedback.iter_mut().find(|f| f.row_key == key) {
            Some(existing) => *existing = entry,
            None => feedback.push(entry),
        }
        marked += 1;
    }
    marked
}

/// Removes the verdicts on `rows`; returns how many were removed.
pub fn unmark(feedback: &mut Vec<Feedback>, table: &Table, rows: &[usize]) -> usize {
    let keys: Vec<RowKey> = rows
        .iter()
        .filter(|&&r| r < table.n_rows())
        .map(|&r| RowKey::of(table, r))
        .collect();
    let before = feedback.len();
    feedback.retain(|f| !keys.contains(&f.row_key));
    before - feedback.len()
}

/// The verdict per row of `table` (latest entry wins; unresolvable keys are ignored).
pub fn verdicts(table: &Table, feedback: &[Feedback]) -> Vec<Option<Verdict>> {
    let mut out = vec![None; table.n_rows()];
    let mut at = vec![f64::NEG_INFINITY; table.n_rows()];
    for f in feedback {
        if let Some(r) = f.row_key.resolve(table) {
            if f.at >= at[r] {
                out[r] = Some(f.verdict);
                at[r] = f.at;
            }
        }
    }
    out
}

/// Counts of the feedback on one result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackStats {
    /// Rows the ensemble flags.
    pub anomalies: usize,
    /// Flagged rows confirmed as attacks.
    pub true_positives: usize,
    /// Flagged rows marked harmless.
    pub false_positives: usize,
    /// Flagged rows without a verdict.
    pub unreviewed: usize,
    /// Verdicts on rows the ensemble does not flag (missed attacks marked TP, or normal rows
    /// marked FP before a retrain cleared them).
    pub on_normal_rows: usize,
    /// Feedback entries whose row is not in the data.
    pub unresolved: usize,
    /// `TP / (TP + FP)` over reviewed alerts; `None` before any review.
    pub reviewed_precision: Option<f64>,
}

/// Feedback statistics of `result` on `table`.
pub fn feedback_stats(table: &Table, result: &RunResult, feedback: &[Feedback]) -> FeedbackStats {
    let v = verdicts(table, feedback);
    let unresolved = feedback
        .iter()
        .filter(|f| f.row_key.resolve(table).is_none())
        .count();
    let flagged = (0..v.len()).map(|i| result.is_anomaly.get(i).copied().unwrap_or(false));
    FeedbackStats::tally(flagged, &v, unresolved)
}

impl FeedbackStats {
    /// Counts verdicts against flags, row by row (`flagged` and `verdicts` zipped), with
    /// `unresolved` feedback entries whose row is not in the data.
    pub fn tally(
        flagged: impl IntoIterator<Item = bool>,
        verdicts: &[Option<Verdict>],
        unresolved: usize,
    ) -> Self {
        let mut s = FeedbackStats {
            anomalies: 0,
            true_positives: 0,
            false_positives: 0,
            unreviewed: 0,
            on_normal_rows: 0,
            unresolved,
            reviewed_precision: None,
        };
        for (f, verdict) in flagged.into_iter().zip(verdicts) {
            if f {
                s.anomalies += 1;
                match verdict {
                    Some(Verdict::TruePositive) => s.true_positives += 1,
                    Some(Verdict::FalsePositive) => s.false_positives += 1,
                    None => s.unreviewed += 1,
                }
            } else if verdict.is_some() {
                s.on_normal_rows += 1;
            }
        }
        let reviewed = s.true_positives + s.false_positives;
        if reviewed > 0 {
            s.reviewed_precision = Some(s.true_positives as f64 / reviewed as f64);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::Column;

    fn table() -> Table {
        Table::new(vec![
            Column::numeric("a", vec![1.0, 2.0, 3.0]),
            Column::categorical("p", ["tcp", "udp", "tcp"]),
        ])
        .unwrap()
    }

    #[test]
    fn row_key_survives_reloading_and_finds_moved_rows() {
        let t = table();
        let k = RowKey::of(&t, 1);
        assert_eq!(k.resolve(&t.clone()), Some(1));
        let moved = t.select_rows(&[2, 0, 1]);
        assert_eq!(k.resolve(&moved), Some(2));
        let other = t.select_rows(&[0, 2]);
        assert_eq!(k.resolve(&other), None);
    }

    #[test]
    fn bulk_marking_replaces_earlier_verdicts() {
        let t = table();
        let mut f = Vec::new();
        assert_eq!(mark(&mut f, &t, &[0, 1], Verdict::TruePositive, "", 1.0), 2);
        assert_eq!(
            mark(&mut f, &t, &[1, 9], Verdict::FalsePositive, "dns", 2.0),
            1
        );
        assert_eq!(f.len(), 2);
        assert_eq!(
            verdicts(&t, &f),
            vec![
                Some(Verdict::TruePositive),
                Some(Verdict::FalsePositive),
                None
            ]
        );
        assert_eq!(unmark(&mut f, &t, &[0]), 1);
        assert_eq!(f.len(), 1);
    }
}
