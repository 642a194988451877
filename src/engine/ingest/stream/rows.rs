//! The row accumulator: records (delimited or JSON) into typed columns, then the finished
//! [`Ingested`] table with its column mapping and warnings.

use std::collections::{HashMap, HashSet};

use super::{EVENT_SAMPLE_ROWS, SAMPLE_ROWS};
use crate::engine::data::{Column, ColumnKind, Role, Table, Values};
use crate::engine::ingest::columns::{distinct_levels, Batch, ColumnBuilder, ColumnPlan, Kind};
use crate::engine::ingest::json::Cell;
use crate::engine::ingest::lines::RowSink;
use crate::engine::ingest::presets::{self, Preset};
use crate::engine::ingest::records::Record;
use crate::engine::ingest::{ColumnMapping, IngestError, IngestOptions, Ingested};

/// Accumulates rows into typed columns.
pub(super) struct Rows {
    pub(super) cols: Vec<ColumnBuilder>,
    sources: Vec<String>,
    by_name: HashMap<String, usize>,
    pub(super) dynamic: bool,
    pending: Vec<(u64, Vec<(String, Cell)>)>,
    pub(super) n_rows: usize,
    pub(super) skip_first: bool,
    records_seen: usize,
    skipped: usize,
    first_bad: Vec<IngestError>,
    max_bad: usize,
    pub(super) warnings: Vec<String>,
    non_utf8: usize,
    first_non_utf8: u64,
    format: String,
    preset: Option<&'static Preset>,
    overrides: Vec<(String, Role, Option<crate::engine::data::Meaning>)>,
    /// Multi-type JSON logs: which records are rows.
    events: Option<crate::engine::ingest::events::EventFilter>,
    /// Whether the JSON sample is an event log still without flow events (decided once).
    awaiting_flows: Option<bool>,
    /// Every column's plan name, for the duplicate check in constant time (a JSON file may
    /// bring thousands of keys; a scan per new key was quadratic).
    names: HashSet<String>,
    /// Roles given so far (deduplicated: at most the few distinct roles).
    roles: Vec<Role>,
    /// Most columns ([`IngestOptions::max_columns`]).
    max_columns: usize,
}

impl Rows {
    pub(super) fn new(format: String, opts: &IngestOptions) -> Self {
        Self {
            cols: Vec::new(),
            sources: Vec::new(),
            by_name: HashMap::new(),
            dynamic: false,
            pending: Vec::new(),
            n_rows: 0,
            skip_first: false,
            records_seen: 0,
            skipped: 0,
            first_bad: Vec::new(),
            max_bad: opts.max_bad_rows_kept,
            warnings: Vec::new(),
            non_utf8: 0,
            first_non_utf8: 0,
            format,
            preset: None,
            overrides: opts.overrides.clone(),
            events: None,
            awaiting_flows: None,
            names: HashSet::new(),
            roles: Vec::new(),
            max_columns: opts.max_columns.max(1),
        }
    }

    /// True when no record, good or bad, has arrived (the JSON document held none).
    pub(super) fn saw_nothing(&self) -> bool {
        self.cols.is_empty() && self.pending.is_empty() && self.skipped == 0
    }

    /// The error for a JSON record that brings the distinct keys past the column limit.
    fn too_many_keys(&self, line: u64) -> IngestError {
        IngestError::new(
            format!(
                "the JSON records have more than {} distinct keys, the limit on columns",
                self.max_columns
            ),
            "this is not a table of flows (keys that differ per record?); netsift-cli raises \
             the limit with --max-columns",
        )
        .at_line(line)
    }

    /// Plans the columns from their header names and a sample of rows.
    pub(super) fn set_columns(
        &mut self,
        headers: &[String],
        sample: &[Vec<String>],
        preset: Option<&'static Preset>,
        opts: &IngestOptions,
    ) {
        self.preset = preset;
        for (i, h) in headers.iter().enumerate() {
            let values: Vec<&str> = sample
                .iter()
                .filter_map(|r| r.get(i).map(String::as_str))
                .collect();
            self.add_column(h, i, &values, opts);
        }
    }

    fn add_column(
        &mut self,
        header: &str,
        i: usize,
        values: &[&str],
        opts: &IngestOptions,
    ) -> usize {
        let trimmed = header.trim();
        let mut plan = match self.preset.and_then(|p| p.spec(trimmed).map(|s| (p, s))) {
            Some((p, s)) => {
                let renamed = if s.name != trimmed {
                    format!(" (header \"{trimmed}\")")
                } else {
                    String::new()
                };
                let mut plan = ColumnPlan::new(
                    s.name,
                    s.role,
                    s.meaning,
                    s.kind,
                    format!("{}: {}{renamed}", p.name, s.note),
                );
                plan.fixed = true;
                plan
            }
            None => {
                let name = if trimmed.is_empty() {
                    format!("col_{}", i + 1)
                } else {
                    trimmed.to_string()
                };
                presets::guess(&name, values)
            }
        };
        presets::only_one_of_each(&mut plan, self.roles.iter().copied());
        // duplicate names: the second gets ".1", the third ".2", …
        if self.names.contains(&plan.name) {
            let base = plan.name.clone();
            let mut k = 1;
            while self.names.contains(&format!("{base}.{k}")) {
                k += 1;
            }
            plan.name = format!("{base}.{k}");
            self.warnings.push(format!(
                "column name \"{base}\" appears more than once; column {} renamed \"{}\"",
                i + 1,
                plan.name
            ));
        }
        apply_override(&mut plan, header, &opts.overrides);
        self.names.insert(plan.name.clone());
        if !self.roles.contains(&plan.role) {
            self.roles.push(plan.role);
        }
        self.by_name.insert(header.to_string(), self.cols.len());
        self.sources.push(header.to_string());
        self.cols.push(ColumnBuilder::new(plan, self.n_rows));
        self.cols.len() - 1
    }

    fn bad_row(&mut self, e: IngestError) {
        self.skipped += 1;
        if self.first_bad.len() < self.max_bad {
            self.first_bad.push(e);
        }
    }

    fn push_record(&mut self, rec: &Record, line: u64) -> Result<(), IngestError> {
        self.records_seen += 1;
        if self.skip_first && self.records_seen == 1 {
            return Ok(());
        }
        let n = self.cols.len();
        let got = rec.len();
        let ok = got == n || (got == n + 1 && rec.field(n).is_empty());
        if !ok {
            if got == 1 && rec.field(0).iter().all(u8::is_ascii_whitespace) {
                return Ok(()); // a blank line
            }
            self.bad_row(
                IngestError::new(
                    format!("expected {n} fields, found {got}"),
                    "the row was skipped; check for a missing or extra delimiter, or an unquoted \
                     delimiter inside a value",
                )
                .at_line(line),
            );
            return Ok(());
        }
        for i in 0..n {
            if self.cols[i].push_bytes(rec.field(i), line) {
                note_non_utf8(&mut self.non_utf8, &mut self.first_non_utf8, line);
            }
        }
        self.n_rows += 1;
        Ok(())
    }

    pub(super) fn push_json(&mut self, bytes: &[u8], line: u64) -> Result<(), IngestError> {
        let record = match crate::engine::ingest::json::parse_record(bytes) {
            Ok(r) => r,
            Err(msg) => {
                self.bad_row(
                    IngestError::new(
                        format!("not a valid JSON record: {msg}"),
                        "the record was skipped; check the JSON syntax on this line",
                    )
                    .at_line(line),
                );
                return Ok(());
            }
        };
        if let Some(f) = &mut self.events {
            if !f.keeps(&record) {
                return Ok(());
            }
        }
        if self.cols.is_empty() {
            let more = self.sampling_more(&record);
            self.pending.push((line, record));
            if !more {
                self.flush_pending()?;
            }
            return Ok(());
        }
        self.push_json_row(record, line)
    }

    /// Whether to keep gathering JSON records before planning the columns: the first
    /// `SAMPLE_ROWS`, and for an event log whose flow events have not shown up yet, on until
    /// one does (at most `EVENT_SAMPLE_ROWS`).
    fn sampling_more(&mut self, record: &[(String, Cell)]) -> bool {
        let n = self.pending.len() + 1;
        if n < SAMPLE_ROWS {
            return true;
        }
        if n >= EVENT_SAMPLE_ROWS {
            return false;
        }
        let pending = &self.pending;
        let waiting = *self.awaiting_flows.get_or_insert_with(|| {
            crate::engine::ingest::events::awaiting_flows(pending.iter().map(|r| r.1.as_slice()))
        });
        waiting && !crate::engine::ingest::events::is_flow(record)
    }

    /// Plans JSON columns from the first records, then replays them.
    fn flush_pending(&mut self) -> Result<(), IngestError> {
        if !self.cols.is_empty() || self.pending.is_empty() {
            return Ok(());
        }
        let mut pending = std::mem::take(&mut self.pending);
        self.events = crate::engine::ingest::events::EventFilter::detect(
            pending.iter().map(|r| r.1.as_slice()),
        );
        if let Some(f) = &mut self.events {
            pending.retain(|(_, r)| f.keeps(r));
        } else if crate::engine::ingest::events::awaiting_flows(
            pending.iter().map(|r| r.1.as_slice()),
        ) {
            self.warnings
                .push(crate::engine::ingest::events::no_flows_notice(
                    pending.len(),
                ));
        }
        let mut headers: Vec<String> = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (line, rec) in &pending {
            for (k, _) in rec {
                if !seen.contains_key(k.as_str()) {
                    if headers.len() >= self.max_columns {
                        return Err(self.too_many_keys(*line));
                    }
                    seen.insert(k.as_str(), headers.len());
                    headers.push(k.clone());
                }
            }
        }
        let mut sample = vec![vec![String::new(); headers.len()]; pending.len()];
        for (r, (_, rec)) in pending.iter().enumerate() {
            for (k, v) in rec {
                if let Some(&i) = seen.get(k.as_str()) {
                    sample[r][i] = v.text();
                }
            }
        }
        let preset = presets::detect(&headers);
        if let Some(p) = preset {
            self.format = format!("{}, {}", self.format, p.name);
        } else {
            self.format = format!("{}, generic columns", self.format);
        }
        let opts = IngestOptions {
            overrides: self.overrides.clone(),
            ..IngestOptions::default()
        };
        self.set_columns(&headers, &sample, preset, &opts);
        for (line, rec) in pending {
            self.push_json_row(rec, line)?;
        }
        Ok(())
    }

    fn push_json_row(&mut self, record: Vec<(String, Cell)>, line: u64) -> Result<(), IngestError> {
        let mut filled = vec![false; self.cols.len()];
        for (k, v) in record {
            let i = match self.by_name.get(&k) {
                Some(&i) => i,
                None => {
                    if self.cols.len() >= self.max_columns {
                        return Err(self.too_many_keys(line));
                    }
                    let opts = IngestOptions {
                        overrides: self.overrides.clone(),
                        ..IngestOptions::default()
                    };
                    let i = self.add_column(&k, self.cols.len(), &[], &opts);
                    filled.push(false);
                    i
                }
            };
            if filled.get(i).copied().unwrap_or(true) {
                continue; // duplicate key: first wins
            }
            filled[i] = true;
            let col = &mut self.cols[i];
            match v {
                Cell::Num(x) => col.push_f64(x, line),
                Cell::Text(s) => col.push_str(&s, line),
                Cell::Null => col.push_missing(),
            }
        }
        for (i, f) in filled.iter().enumerate() {
            if !f {
                self.cols[i].push_missing();
            }
        }
        self.n_rows += 1;
        Ok(())
    }

    /// Ends the accumulation: the typed columns, how each source column was read, and the
    /// warnings.
    pub(super) fn finish(mut self) -> Result<Ingested, IngestError> {
        self.flush_pending()?;
        if self.n_rows == 0 {
            return Err(self.no_rows_error());
        }
        if self.non_utf8 > 0 {
            self.warnings.push(format!(
                "{} cells are not valid UTF-8 (first on line {}); they were decoded as \
                 Windows-1252 (Latin-1)",
                self.non_utf8, self.first_non_utf8
            ));
        }
        self.warnings
            .extend(self.events.as_ref().and_then(|f| f.notice()));
        let n = self.n_rows;
        let mut columns = Vec::new();
        let mut mapping = Vec::new();
        let cols = std::mem::take(&mut self.cols);
        let sources = std::mem::take(&mut self.sources);
        for (col, source) in cols.into_iter().zip(sources) {
            let (entry, column) = self.finish_column(col, source, n);
            mapping.push(entry);
            columns.extend(column);
        }
        if columns.is_empty() {
            return Err(IngestError::new(
                "every column is empty",
                "the file has rows but no values; check the delimiter and the export",
            ));
        }
        if self.skipped > 0 {
            self.warnings.push(format!(
                "{} rows skipped (wrong number of fields or unreadable); the first on line {}",
                self.skipped,
                self.first_bad.first().and_then(|e| e.line).unwrap_or(0)
            ));
        }
        let table = Table::new(columns)
            .map_err(|e| IngestError::new(e.to_string(), "this is a bug in netsift"))?;
        debug_assert!(table
            .columns
            .iter()
            .all(|c| matches!(c.values, Values::Numeric(_) | Values::Categorical { .. })));
        Ok(Ingested {
            table,
            format: self.format,
            warnings: self.warnings,
            skipped_rows: self.skipped,
            first_bad_rows: self.first_bad,
            mapping,
            capture: None,
        })
    }

    /// Why a file gave no row: the first bad row, no columns at all, or a header alone.
    fn no_rows_error(&self) -> IngestError {
        if let Some(first) = self.first_bad.first() {
            return IngestError {
                message: format!(
                    "no row could be read ({} skipped); the first problem: {}",
                    self.skipped, first.message
                ),
                hint: first.hint.clone(),
                ..first.clone()
            };
        }
        if self.cols.is_empty() {
            return IngestError::new(
                "the file is empty",
                "choose a file with a header line and at least one row of data",
            );
        }
        IngestError::new(
            "the file has a header but no data rows",
            "add rows below the header, or check that the right file was chosen",
        )
        .at_line(2)
    }

    /// One column's final form out of `n` rows: its mapping entry and, unless it is empty in
    /// every row (dropped), the column; its warnings go to `self.warnings`.
    fn finish_column(
        &mut self,
        col: ColumnBuilder,
        source: String,
        n: usize,
    ) -> (ColumnMapping, Option<Column>) {
        let (mut plan, values, kind, rejected, first_rejected, converted) = col.finish();
        if plan.role == Role::Label {
            if let Some(w) = presets::placeholder_label(&mut plan, &values) {
                self.warnings.push(w);
            }
        }
        let missing = values.missing();
        if missing == n {
            self.warnings.push(format!(
                "column \"{}\" is empty in every row: dropped",
                plan.name
            ));
            let entry = ColumnMapping {
                column: plan.name,
                source,
                role: plan.role,
                meaning: plan.meaning,
                kind,
                kept: false,
                reason: "empty in every row".to_string(),
            };
            return (entry, None);
        }
        if rejected > 0 {
            let (line, text) = first_rejected.unwrap_or_default();
            let what = if plan.kind == Kind::Timestamp {
                "dates/times"
            } else {
                "numbers"
            };
            self.warnings.push(format!(
                "column \"{}\": {rejected} cells are not {what} (first on line {line}: \
                 \"{text}\"); they are treated as missing",
                plan.name
            ));
        }
        if converted {
            plan.reason = format!(
                "{}; it looked numeric but holds text, so it is categorical",
                plan.reason
            );
            self.warnings.push(format!(
                "column \"{}\" looked numeric but holds text: read as categories",
                plan.name
            ));
        }
        if !plan.fixed && plan.role == Role::Feature && kind == ColumnKind::Categorical {
            judge_text_feature(&mut plan, &values, n - missing);
        }
        let entry = ColumnMapping {
            column: plan.name.clone(),
            source,
            role: plan.role,
            meaning: plan.meaning,
            kind,
            kept: true,
            reason: plan.reason.clone(),
        };
        let column = Column {
            name: plan.name,
            role: plan.role,
            meaning: plan.meaning,
            values,
        };
        (entry, Some(column))
    }
}

/// A guessed categorical feature with `present` values: identifier-like text (nearly all
/// distinct) or too many categories becomes a display-only column.
fn judge_text_feature(plan: &mut ColumnPlan, values: &Values, present: usize) {
    let distinct = distinct_levels(values);
    if present >= 20 && distinct * 10 >= present * 9 {
        plan.role = Role::Ignore;
        plan.reason = format!(
            "identifier-like text: {distinct} distinct values in {present} rows; \
             kept for display, not a model input"
        );
    } else if distinct > 1000 {
        plan.role = Role::Ignore;
        plan.reason = format!(
            "text with {distinct} distinct values: too many categories for a \
             feature; kept for display"
        );
    } else if !plan.reason.contains("categor") {
        plan.reason = format!("categorical feature ({distinct} distinct values)");
    }
}

impl RowSink for Rows {
    fn n_cols(&self) -> usize {
        self.cols.len()
    }

    fn record(&mut self, rec: &Record, line: u64) -> Result<(), IngestError> {
        self.push_record(rec, line)
    }

    fn plain_rows(&mut self, data: &[u8], offs: &[usize], lines: &[u64]) {
        let first = usize::from(self.skip_first && self.records_seen == 0);
        self.records_seen += lines.len();
        let Some(lines) = lines.get(first..) else {
            return;
        };
        let stride = self.cols.len() + 1;
        let batch = Batch {
            data,
            offs: &offs[first * stride..],
            lines,
            stride,
        };
        for (i, col) in self.cols.iter_mut().enumerate() {
            let (count, first) = (&mut self.non_utf8, &mut self.first_non_utf8);
            col.push_plain(batch, i, &mut |line| note_non_utf8(count, first, line));
        }
        self.n_rows += lines.len();
    }
}

/// Counts a cell that was not valid UTF-8 on `line`, keeping the first line (batches arrive
/// column by column, so the first is the smallest).
fn note_non_utf8(count: &mut usize, first: &mut u64, line: u64) {
    if *count == 0 || line < *first {
        *first = line;
    }
    *count += 1;
}

fn apply_override(
    plan: &mut ColumnPlan,
    header: &str,
    overrides: &[(String, Role, Option<crate::engine::data::Meaning>)],
) {
    let Some((_, role, meaning)) = overrides
        .iter()
        .find(|(n, ..)| n == &plan.name || n == header)
        .or_else(|| {
            overrides
                .iter()
                .find(|(n, ..)| presets::key(n) == presets::key(&plan.name))
        })
    else {
        return;
    };
    plan.role = *role;
    plan.meaning = *meaning;
    plan.fixed = true;
    plan.kind = match role {
        Role::Label => Kind::Categorical,
        Role::Timestamp => Kind::Timestamp,
        Role::Feature if plan.kind == Kind::Timestamp => Kind::Auto,
        Role::Feature | Role::Ignore => plan.kind,
    };
    plan.reason = format!("set by you ({role:?})");
}
