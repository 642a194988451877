//! Alert triage: the Anomalies page's table query, row detail and feedback counts.
//!
//! The page never holds the data set, so everything that touches every row — filtering on any
//! cell, sorting by an input column, matching suppression rules, resolving feedback — happens
//! here, in the worker, and the page receives one page of rows and the total count.
//!
//! * [`query`]: filter (flagged only, severity, votes, verdict, suppressed, free text over every
//!   cell) → sort (score, votes, severity, a detector's score, row, any input column) → page.
//!   The flag decision is [`is_flagged`] under the page's ensemble-score threshold (`None` =
//!   the vote decision), the rule of [`crate::analysis::summary`].
//! * [`row_detail`]: everything the detail panel shows about one row — the explanation, the
//!   enrichment, the written analyses in every persona, each feature beside its training
//!   median, and a "suppress similar" rule ready to add.
//! * [`stats`]: feedback counts under the page's threshold.

use serde::{Deserialize, Serialize};

use crate::analysis::narrative::{analyse, choose_persona, Analysis, Persona};
use crate::analysis::summary::{is_flagged, shown_severity};
use crate::engine::data::{Table, Values, MISSING_CODE};
use crate::engine::enrich::{enrich_row, Baseline, Enriched, ModelFacts};
use crate::engine::ensemble::{Severity, TrainedEnsemble};
use crate::engine::error::{Error, Result};
use crate::engine::explain::{explain_row, CellValue, Explanation};
use crate::engine::feedback::{
    suppress_similar, verdicts, Feedback, FeedbackStats, SuppressionRule, Verdict,
};
use crate::engine::models::DetectorKind;
use crate::engine::pipeline::RunResult;

/// Rows per page the page may ask for, at most.
pub const MAX_PAGE: usize = 1000;

/// Which rows by verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum VerdictFilter {
    /// Any.
    #[default]
    Any,
    /// Rows without a verdict.
    Unreviewed,
    /// Rows marked true positive.
    TruePositive,
    /// Rows marked false positive.
    FalsePositive,
}

/// Which rows by suppression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SuppressedFilter {
    /// Suppressed and not.
    #[default]
    Any,
    /// Only rows a rule suppresses.
    Only,
    /// Only rows no rule suppresses.
    Hide,
}

/// The table's filters; all must hold.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TableFilter {
    /// Only rows flagged under the threshold (the default view).
    pub flagged_only: bool,
    /// Allowed severities; empty = any.
    pub severities: Vec<Severity>,
    /// At least this many votes.
    pub min_votes: Option<u8>,
    /// By verdict.
    pub verdict: VerdictFilter,
    /// By suppression.
    pub suppressed: SuppressedFilter,
    /// Case-insensitive substring of any cell (as the table shows it); empty = any.
    pub text: String,
}

/// What the table is sorted by.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SortKey {
    /// Ensemble score.
    #[default]
    Score,
    /// Votes.
    Votes,
    /// Severity.
    Severity,
    /// Row index.
    Row,
    /// One detector's score (index into the result's members).
    Detector(usize),
    /// An input column, by name (numbers by value, text alphabetically, empty cells last).
    Column(String),
}

/// Sort order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TableSort {
    /// The key.
    pub key: SortKey,
    /// Largest first.
    pub descending: bool,
}

/// One table request.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TableQuery {
    /// Filters.
    pub filter: TableFilter,
    /// Order.
    pub sort: TableSort,
    /// First matching row to return (0-based position in the sorted matches).
    pub offset: usize,
    /// Rows to return (at most [`MAX_PAGE`]).
    pub limit: usize,
    /// The page's ensemble-score threshold; `None` = the vote decision.
    pub threshold: Option<f64>,
    /// The analyst's verdicts (the page owns them).
    pub feedback: Vec<Feedback>,
    /// Suppression rules (the page owns them).
    pub suppressions: Vec<SuppressionRule>,
    /// Also return every matching row index ("select all matching").
    pub all_matching: bool,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    /// Row index (0-based).
    pub row: u32,
    /// Flagged under the threshold.
    pub flagged: bool,
    /// Ensemble score.
    pub score: f64,
    /// Votes.
    pub votes: u8,
    /// Severity (by votes).
    pub severity: Severity,
    /// Each detector's score, in member order.
    pub detector_scores: Vec<f64>,
    /// The analyst's verdict.
    pub verdict: Option<Verdict>,
    /// The first enabled rule suppressing it: (id, name).
    pub suppressed_by: Option<(String, String)>,
    /// Every column's cell as text.
    pub cells: Vec<String>,
}

/// One page of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TablePage {
    /// Column names of `cells`.
    pub header: Vec<String>,
    /// Detectors, in member order (`detector_scores`).
    pub detectors: Vec<DetectorKind>,
    /// Thresholds of the detectors, in member order.
    pub detector_thresholds: Vec<f64>,
    /// Rows matching the filters.
    pub total: usize,
    /// Rows flagged under the threshold (whatever the filters).
    pub flagged: usize,
    /// The requested offset, clamped.
    pub offset: usize,
    /// The page's rows.
    pub rows: Vec<TableRow>,
    /// Every matching row index, sorted, when asked.
    pub all_matching: Option<Vec<u32>>,
    /// Feedback counts under the threshold.
    pub stats: FeedbackStats,
    /// Matching rows each rule suppresses: (rule id, count), in rule order.
    pub suppressed_counts: Vec<(String, usize)>,
    /// Milliseconds the query took where it ran (the worker fills it in; 0 here).
    pub elapsed_ms: f64,
}

/// Everything [`query`] derives per row before filtering.
struct Derived {
    flagged: Vec<bool>,
    verdicts: Vec<Option<Verdict>>,
    suppressed: Vec<Option<usize>>,
}

fn derive(table: &Table, result: &RunResult, q: &TableQuery) -> Derived {
    let n = table.n_rows();
    let flagged: Vec<bool> = (0..n).map(|r| is_flagged(result, q.threshold, r)).collect();
    let verdicts = if q.feedback.is_empty() {
        vec![None; n]
    } else {
        verdicts(table, &q.feedback)
    };
    let suppressed = (0..n)
        .map(|r| {
            if !flagged[r] {
                return None;
            }
            q.suppressions
                .iter()
                .position(|rule| rule.matches(table, r))
        })
        .collect();
    Derived {
        flagged,
        verdicts,
        suppressed,
    }
}

/// Per column: which rows' cells contain `needle` (lower-case). Categorical columns test each
/// level once.
fn text_matches(table: &Table, needle: &str, candidates: &[usize], keep: &mut [bool]) {
    for col in &table.columns {
        match &col.values {
            Values::Categorical { levels, codes } => {
                let hit: Vec<bool> = levels
                    .iter()
                    .map(|l| l.to_lowercase().contains(needle))
                    .collect();
                for (k, &r) in candidates.iter().enumerate() {
                    if !keep[k] {
                        if let Some(&c) = codes.get(r) {
                            if c != MISSING_CODE && hit.get(c as usize).copied().unwrap_or(false) {
                                keep[k] = true;
                            }
                        }
                    }
                }
            }
            Values::Numeric(_) => {
                for (k, &r) in candidates.iter().enumerate() {
                    if !keep[k] && col.values.display(r).to_lowercase().contains(needle) {
                        keep[k] = true;
                    }
                }
            }
        }
    }
}

/// Filters, sorts and pages the rows of `result` on `table`.
///
/// Errors: [`Error::Unsupported`] when `result` has another row count than `table`, or the sort
/// names a detector or column that does not exist.
pub fn query(table: &Table, result: &RunResult, q: &TableQuery) -> Result<TablePage> {
    let n = table.n_rows();
    if result.n_rows != n || result.ensemble_score.len() != n || result.votes.len() != n {
        return Err(Error::Unsupported(format!(
            "the result has {} rows, the data {n}; train again",
            result.n_rows
        )));
    }
    let d = derive(table, result, q);
    let f = &q.filter;
    let mut rows: Vec<usize> = (0..n)
        .filter(|&r| {
            (!f.flagged_only || d.flagged[r])
                && (f.severities.is_empty()
                    || f.severities
                        .contains(&shown_severity(result, q.threshold, r)))
                && f.min_votes.is_none_or(|m| result.votes[r] >= m)
                && match f.verdict {
                    VerdictFilter::Any => true,
                    VerdictFilter::Unreviewed => d.verdicts[r].is_none(),
                    VerdictFilter::TruePositive => d.verdicts[r] == Some(Verdict::TruePositive),
                    VerdictFilter::FalsePositive => d.verdicts[r] == Some(Verdict::FalsePositive),
                }
                && match f.suppressed {
                    SuppressedFilter::Any => true,
                    SuppressedFilter::Only => d.suppressed[r].is_some(),
                    SuppressedFilter::Hide => d.suppressed[r].is_none(),
                }
        })
        .collect();
    let needle = f.text.trim().to_lowercase();
    if !needle.is_empty() {
        let mut keep = vec![false; rows.len()];
        text_matches(table, &needle, &rows, &mut keep);
        let mut k = 0;
        rows.retain(|_| {
            k += 1;
            keep[k - 1]
        });
    }
    sort_rows(table, result, q, &mut rows)?;

    let total = rows.len();
    let offset = q.offset.min(total);
    let limit = q.limit.clamp(1, MAX_PAGE);
    let page_rows: Vec<TableRow> = rows[offset..(offset + limit).min(total)]
        .iter()
        .map(|&r| TableRow {
            row: r as u32,
            flagged: d.flagged[r],
            score: result.ensemble_score[r],
            votes: result.votes[r],
            severity: shown_severity(result, q.threshold, r),
            detector_scores: result
                .members
                .iter()
                .map(|m| m.scores.get(r).copied().unwrap_or(f64::NAN))
                .collect(),
            verdict: d.verdicts[r],
            suppressed_by: d.suppressed[r]
                .and_then(|i| q.suppressions.get(i))
                .map(|rule| (rule.id.clone(), rule.name.clone())),
            cells: table.columns.iter().map(|c| c.values.display(r)).collect(),
        })
        .collect();
    let suppressed_counts = q
        .suppressions
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            (
                rule.id.clone(),
                rows.iter().filter(|&&r| d.suppressed[r] == Some(i)).count(),
            )
        })
        .collect();
    Ok(TablePage {
        header: table.columns.iter().map(|c| c.name.clone()).collect(),
        detectors: result.members.iter().map(|m| m.kind).collect(),
        detector_thresholds: result.members.iter().map(|m| m.threshold).collect(),
        total,
        flagged: d.flagged.iter().filter(|&&a| a).count(),
        offset,
        rows: page_rows,
        all_matching: q
            .all_matching
            .then(|| rows.iter().map(|&r| r as u32).collect()),
        stats: count_stats(&d.flagged, &d.verdicts, q.feedback.len()),
        suppressed_counts,
        elapsed_ms: 0.0,
    })
}

fn sort_rows(table: &Table, result: &RunResult, q: &TableQuery, rows: &mut [usize]) -> Result<()> {
    let desc = q.sort.descending;
    let by_f64 = |rows: &mut [usize], v: &dyn Fn(usize) -> f64| {
        rows.sort_by(|&a, &b| {
            let (x, y) = (v(a), v(b));
            // Empty (NaN) values last in both directions; ties by row index.
            let o = match (x.is_nan(), y.is_nan()) {
                (true, true) => std::cmp::Ordering::Equal,
                (true, false) => return std::cmp::Ordering::Greater,
                (false, true) => return std::cmp::Ordering::Less,
                _ if desc => y.total_cmp(&x),
                _ => x.total_cmp(&y),
            };
            o.then(a.cmp(&b))
        });
    };
    match &q.sort.key {
        SortKey::Score => by_f64(rows, &|r| result.ensemble_score[r]),
        SortKey::Votes => by_f64(rows, &|r| {
            f64::from(result.votes[r]) + result.ensemble_score[r] * 1e-3
        }),
        SortKey::Severity => by_f64(rows, &|r| {
            shown_severity(result, q.threshold, r) as u8 as f64 + result.ensemble_score[r] * 1e-3
        }),
        SortKey::Row => by_f64(rows, &|r| r as f64),
        SortKey::Detector(i) => {
            let m = result.members.get(*i).ok_or_else(|| {
                Error::Unsupported(format!("there is no detector number {}", i + 1))
            })?;
            by_f64(rows, &|r| m.scores.get(r).copied().unwrap_or(f64::NAN));
        }
        SortKey::Column(name) => {
            let col = table.column(name).ok_or_else(|| {
                Error::Unsupported(format!("the data has no column named {name}"))
            })?;
            match &col.values {
                Values::Numeric(v) => by_f64(rows, &|r| v[r]),
                Values::Categorical { levels, codes } => {
                    let mut order: Vec<usize> = (0..levels.len()).collect();
                    order.sort_by(|&a, &b| levels[a].cmp(&levels[b]));
                    let mut rank = vec![0.0; levels.len()];
                    for (pos, &l) in order.iter().enumerate() {
                        rank[l] = pos as f64;
                    }
                    by_f64(rows, &|r| {
                        let c = codes[r];
                        if c == MISSING_CODE {
                            f64::NAN
                        } else {
                            rank.get(c as usize).copied().unwrap_or(f64::NAN)
                        }
                    });
                }
            }
        }
    }
    Ok(())
}

fn count_stats(flagged: &[bool], verdicts: &[Option<Verdict>], n_feedback: usize) -> FeedbackStats {
    let resolved = verdicts.iter().filter(|v| v.is_some()).count();
    let unresolved = n_feedback.saturating_sub(resolved.min(n_feedback));
    FeedbackStats::tally(flagged.iter().copied(), verdicts, unresolved)
}

/// Feedback counts under `threshold` (see [`FeedbackStats`]).
pub fn stats(
    table: &Table,
    result: &RunResult,
    threshold: Option<f64>,
    feedback: &[Feedback],
) -> FeedbackStats {
    let n = table.n_rows();
    let flagged: Vec<bool> = (0..n).map(|r| is_flagged(result, threshold, r)).collect();
    let v = verdicts(table, feedback);
    count_stats(&flagged, &v, feedback.len())
}

/// One feature of a row beside its training profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureValue {
    /// The raw column.
    pub feature: String,
    /// The row's value.
    pub value: CellValue,
    /// The training median (numbers) or most frequent level (categories).
    pub typical: CellValue,
    /// Share of training rows strictly below the value (numbers).
    pub share_below: Option<f64>,
}

/// Everything the detail panel shows about one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowDetail {
    /// The explanation (votes, margins, deviations, attributions, summary).
    pub explanation: Explanation,
    /// Type, tags, severity and advice.
    pub enriched: Enriched,
    /// The written analysis in every persona (generated from rules), the suggested one first.
    pub analyses: Vec<Analysis>,
    /// Every model feature beside its training profile, in column order.
    pub features: Vec<FeatureValue>,
    /// Every column's cell, in column order: (name, text).
    pub cells: Vec<(String, String)>,
    /// A rule suppressing alerts like this one, ready to add.
    pub similar_rule: SuppressionRule,
}

/// The detail of row `row`. `baseline` is the enrichment's training distribution (fit it once
/// per data set with [`Baseline::fit`]).
///
/// Errors: as [`explain_row`].
pub fn row_detail(
    model: &TrainedEnsemble,
    table: &Table,
    result: &RunResult,
    baseline: &Baseline,
    row: usize,
) -> Result<RowDetail> {
    let explanation = explain_row(model, table, result, row)?;
    let enriched = enrich_row(table, row, baseline, ModelFacts::from_run(result, row), &[]);
    let first = choose_persona(&enriched);
    let mut personas = vec![first];
    personas.extend(Persona::ALL.iter().copied().filter(|&p| p != first));
    let analyses = personas.iter().map(|&p| analyse(&enriched, p)).collect();
    let features = model
        .preprocessor
        .profiles
        .iter()
        .filter_map(|p| {
            let col = table.column(p.name())?;
            let value = CellValue::of(&col.values, row);
            let typical = match (p.median(), p.mode()) {
                (Some(m), _) => CellValue::Number(m),
                (None, Some(l)) => CellValue::Text(l.to_string()),
                (None, None) => CellValue::Missing,
            };
            let share_below = match &value {
                CellValue::Number(x) => p.tail_shares(*x).map(|(b, _)| b),
                _ => None,
            };
            Some(FeatureValue {
                feature: p.name().to_string(),
                value,
                typical,
                share_below,
            })
        })
        .collect();
    let cells = table
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.values.display(row)))
        .collect();
    let similar_rule = suppress_similar(table, row, &explanation);
    Ok(RowDetail {
        explanation,
        enriched,
        analyses,
        features,
        cells,
        similar_rule,
    })
}

/// The explanation of a row as plain text, for "Copy" and the text download.
pub fn detail_text(d: &RowDetail) -> String {
    use std::fmt::Write;
    let e = &d.explanation;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "netsift — row {} ({})",
        e.row + 1,
        if e.is_anomaly { "anomaly" } else { "normal" }
    );
    let _ = writeln!(
        s,
        "Ensemble score {:.4}, {} of {} detectors voted (need {}), severity {}, confidence {:.0} %",
        e.ensemble_score,
        e.votes,
        e.n_detectors,
        e.min_votes,
        e.severity.id(),
        e.confidence * 100.0
    );
    let _ = writeln!(s, "\n{}", e.summary);
    let _ = writeln!(s, "\nDetectors:");
    for det in &e.detectors {
        let _ = writeln!(
            s,
            "  {}: score {:.4}, threshold {:.4} — {}",
            det.kind.label(),
            det.score,
            det.threshold,
            if det.voted { "anomaly" } else { "normal" }
        );
    }
    let _ = writeln!(s, "\nMost unusual features:");
    for dev in &e.deviations {
        let _ = writeln!(s, "  {}", dev.text);
    }
    let _ = writeln!(s, "\nRow:");
    for (name, cell) in &d.cells {
        let _ = writeln!(s, "  {name} = {cell}");
    }
    if let Some(a) = d.analyses.first() {
        let _ = writeln!(s, "\n{}", a.text);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::generate::{sample_traffic, SampleParams};
    use crate::engine::pipeline::{run, RunConfig};
    use crate::engine::progress::NoProgress;

    fn setup() -> (TrainedEnsemble, Table, RunResult) {
        let table = sample_traffic(&SampleParams {
            rows: 400,
            ..SampleParams::default()
        })
        .unwrap();
        let (model, result) = run(&RunConfig::default(), &table, &mut NoProgress).unwrap();
        (model, table, result)
    }

    fn q() -> TableQuery {
        TableQuery {
            filter: TableFilter {
                flagged_only: true,
                ..TableFilter::default()
            },
            sort: TableSort {
                key: SortKey::Score,
                descending: true,
            },
            limit: 50,
            ..TableQuery::default()
        }
    }

    #[test]
    fn default_view_is_flagged_rows_by_score() {
        let (_, t, r) = setup();
        let page = query(&t, &r, &q()).unwrap();
        assert_eq!(page.total, r.is_anomaly.iter().filter(|&&a| a).count());
        assert_eq!(page.total, page.flagged);
        assert!(page
            .rows
            .windows(2)
            .all(|w| w[0].score >= w[1].score && w[0].flagged));
    }

    #[test]
    fn threshold_relabels_like_the_slider() {
        let (_, t, r) = setup();
        let mut query_ = q();
        query_.threshold = Some(0.9);
        let page = query(&t, &r, &query_).unwrap();
        let expected = r.ensemble_score.iter().filter(|&&s| s >= 0.9).count();
        assert_eq!(page.total, expected);
    }

    #[test]
    fn text_filter_matches_any_cell_and_severity_filter_counts() {
        let (_, t, r) = setup();
        let mut query_ = q();
        query_.filter.flagged_only = false;
        query_.filter.text = t.columns[0].values.display(7);
        query_.all_matching = true;
        let page = query(&t, &r, &query_).unwrap();
        assert!(page.all_matching.unwrap().contains(&7));
        let mut sev = q();
        sev.filter.severities = vec![Severity::High];
        let high = r.severity.iter().filter(|&&s| s == Severity::High).count();
        assert_eq!(query(&t, &r, &sev).unwrap().total, high);
    }

    #[test]
    fn sorting_by_a_column_ascends_and_unknown_keys_are_errors() {
        let (_, t, r) = setup();
        let mut query_ = q();
        let name = t.columns[1].name.clone();
        query_.sort = TableSort {
            key: SortKey::Column(name.clone()),
            descending: false,
        };
        query_.filter.flagged_only = false;
        query_.limit = 1000;
        let page = query(&t, &r, &query_).unwrap();
        let col = t.column(&name).unwrap();
        let vals: Vec<f64> = page
            .rows
            .iter()
            .map(|row| match &col.values {
                Values::Numeric(v) => v[row.row as usize],
                _ => 0.0,
            })
            .collect();
        assert!(vals.windows(2).all(|w| w[0] <= w[1]));
        query_.sort.key = SortKey::Column("nope".into());
        assert!(query(&t, &r, &query_).is_err());
        query_.sort.key = SortKey::Detector(9);
        assert!(query(&t, &r, &query_).is_err());
    }

    #[test]
    fn verdicts_and_suppressions_are_reported_per_row() {
        let (model, t, r) = setup();
        let flagged: Vec<usize> = (0..t.n_rows()).filter(|&i| r.is_anomaly[i]).collect();
        let mut fb = Vec::new();
        crate::engine::feedback::mark(&mut fb, &t, &flagged[..3], Verdict::FalsePositive, "", 1.0);
        let base = Baseline::fit(&t, &(0..t.n_rows()).collect::<Vec<_>>());
        let detail = row_detail(&model, &t, &r, &base, flagged[0]).unwrap();
        assert!(detail.analyses[0].generated_from_rules);
        assert_eq!(detail.analyses.len(), Persona::ALL.len());
        assert!(detail_text(&detail).contains("Ensemble score"));
        let mut query_ = q();
        query_.feedback = fb;
        query_.suppressions = vec![detail.similar_rule.clone()];
        query_.filter.verdict = VerdictFilter::FalsePositive;
        let page = query(&t, &r, &query_).unwrap();
        assert_eq!(page.total, 3);
        assert_eq!(page.stats.false_positives, 3);
        query_.filter.verdict = VerdictFilter::Any;
        query_.filter.suppressed = SuppressedFilter::Only;
        let page = query(&t, &r, &query_).unwrap();
        assert!(page.total >= 1);
        assert!(page.rows.iter().all(|row| row.suppressed_by.is_some()));
        assert_eq!(page.suppressed_counts[0].1, page.total);
    }
}
