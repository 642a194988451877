//! Exports: anomalies as formula-safe CSV, the whole result as JSON.
//!
//! **CSV injection.** A spreadsheet treats a cell starting with `=`, `+`, `-`, `@`, tab or
//! carriage return as a formula. Following the OWASP guidance, such cells get a leading single
//! quote (`'=cmd` → `''=cmd`, displayed as text). Only *text* cells are escaped — categorical
//! input cells and column names, which come from the user's file. Numbers are written by us
//! ([`crate::engine::text::number`]): a negative number such as `-3.5` is a plain number
//! to every spreadsheet, cannot carry a formula, and stays unescaped so that it stays numeric.
//!
//! **JSON.** [`result_json`] serialises a [`RunResult`] with serde_json; non-finite numbers
//! (NaN ROC-AUC with one class, NaN Spearman ρ of a constant detector) become `null`.

use crate::engine::data::{Table, Values};
use crate::engine::error::{Error, Result};
use crate::engine::pipeline::RunResult;
use crate::engine::text;
use crate::engine::time::{file_timestamp, timestamp_suffix};

/// True when a text cell would be read as a formula by a spreadsheet.
pub fn is_formula_like(cell: &str) -> bool {
    matches!(
        cell.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

/// Escapes a text cell against CSV injection (prefixes `'` when [`is_formula_like`]).
pub fn escape_text(cell: &str) -> String {
    if is_formula_like(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

fn number(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        text::number(x)
    }
}

fn cell(values: &Values, row: usize) -> String {
    match values {
        Values::Numeric(_) => values.display(row),
        Values::Categorical { .. } => escape_text(&values.display(row)),
    }
}

/// Which rows an anomaly export holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Selection {
    /// The ensemble's vote decision.
    Decision,
    /// Rows whose ensemble score is at or above a threshold (the UI's slider).
    ScoreAtLeast(f64),
    /// Every row.
    All,
}

/// Writes the selected rows as CSV: every input column, then `votes`, one `score_<detector>`
/// column per member (`score_isolation_forest`, …), `ensemble_score`, `severity`, `confidence`.
/// Rows keep the table order.
pub fn anomalies_csv(table: &Table, result: &RunResult, selection: Selection) -> Result<Vec<u8>> {
    let n = table.n_rows();
    if result.n_rows != n || result.is_anomaly.len() != n {
        return Err(Error::Unsupported(format!(
            "the result has {} rows but the data has {n}",
            result.n_rows
        )));
    }
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut header: Vec<String> = table.columns.iter().map(|c| escape_text(&c.name)).collect();
    header.push("votes".into());
    for m in &result.members {
        header.push(format!("score_{}", m.kind.id()));
    }
    for h in ["ensemble_score", "severity", "confidence"] {
        header.push(h.into());
    }
    let csv_err = |e: csv::Error| Error::Unsupported(format!("writing CSV failed: {e}"));
    w.write_record(&header).map_err(csv_err)?;
    for row in 0..n {
        let keep = match selection {
            Selection::Decision => result.is_anomaly[row],
            Selection::ScoreAtLeast(t) => result.ensemble_score.get(row).is_some_and(|&s| s >= t),
            Selection::All => true,
        };
        if !keep {
            continue;
        }
        let mut rec: Vec<String> = table.columns.iter().map(|c| cell(&c.values, row)).collect();
        rec.push(result.votes.get(row).map_or(String::new(), u8::to_string));
        for m in &result.members {
            rec.push(m.scores.get(row).map_or(String::new(), |&s| number(s)));
        }
        rec.push(
            result
                .ensemble_score
                .get(row)
                .map_or(String::new(), |&s| number(s)),
        );
        rec.push(result.severity.get(row).map_or("", |s| s.id()).to_owned());
        rec.push(
            result
                .confidence
                .get(row)
                .map_or(String::new(), |&s| number(s)),
        );
        w.write_record(&rec).map_err(csv_err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Unsupported(format!("writing CSV failed: {e}")))
}

/// A whole table as CSV (header + rows; text cells escaped as above) — e.g. generated sample
/// data for download. The connection-features schema round-trips (all its columns are numeric).
pub fn table_csv(table: &Table) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let header: Vec<String> = table.columns.iter().map(|c| escape_text(&c.name)).collect();
    // Writing into a Vec cannot fail; an error would only drop the record.
    let _ = w.write_record(&header);
    for row in 0..table.n_rows() {
        let rec: Vec<String> = table.columns.iter().map(|c| cell(&c.values, row)).collect();
        let _ = w.write_record(&rec);
    }
    w.into_inner().unwrap_or_default()
}

/// Alias of [`table_csv`].
pub fn to_csv(table: &Table) -> Vec<u8> {
    table_csv(table)
}

/// `anomaly_report_YYYYMMDD_HHMMSS.csv` for an instant in seconds since the Unix epoch (UTC).
pub fn report_file_name(epoch_seconds: f64) -> String {
    format!("anomaly_report_{}.csv", timestamp_suffix(epoch_seconds))
}

/// The whole result as pretty JSON; NaN and ±∞ become `null` (serde_json's rule for
/// non-finite floats).
pub fn result_json(result: &RunResult) -> Result<String> {
    serde_json::to_string_pretty(result)
        .map_err(|e| Error::Unsupported(format!("writing JSON failed: {e}")))
}

/// The name of an export file: `netsift-<what>-2026-11-21T15-04-05.<ext>` (UTC), e.g.
/// `export_file_name("anomalies", "csv", now)`.
pub fn export_file_name(what: &str, ext: &str, epoch_seconds: f64) -> String {
    format!("netsift-{what}-{}.{ext}", file_timestamp(epoch_seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_escaped() {
        for c in ["=1+1", "+x", "-cmd", "@SUM(A1)", "\tx", "\rx"] {
            assert!(escape_text(c).starts_with('\''), "{c}");
        }
        assert_eq!(escape_text("tcp"), "tcp");
        assert_eq!(escape_text(""), "");
    }

    #[test]
    fn file_name_is_utc_timestamp() {
        assert_eq!(
            report_file_name(1_735_689_600.0),
            "anomaly_report_20250101_000000.csv"
        );
    }

    #[test]
    fn export_names_carry_an_iso_timestamp() {
        assert_eq!(
            export_file_name("anomalies", "csv", 1_795_619_045.0),
            "netsift-anomalies-2026-11-25T15-04-05.csv"
        );
        assert_eq!(
            export_file_name("result", "json", f64::NAN),
            "netsift-result-1970-01-01T00-00-00.json"
        );
    }
}
