//! The Anomalies page's components: the worker-paged table with filters and bulk verdicts, the
//! row detail with its explanation, suppression rules, retraining with feedback, and global
//! feature importance. They share one [`AnomaliesCtx`] of page-local signals.

pub mod detail;
pub mod feedback;
pub mod importance;
pub mod table;

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::explain::Importance;
use crate::engine::feedback::{RetrainDiff, Verdict};
use crate::engine::triage::{RowDetail, TableFilter, TablePage, TableSort};
use crate::worker::protocol::Mark;

pub use detail::RowDetailPanel;
pub use feedback::{FeedbackBar, RetrainPanel, SuppressionRules};
pub use importance::ImportancePanel;
pub use table::AnomalyTable;

/// Page sizes the table offers.
pub const PAGE_SIZES: [usize; 3] = [50, 100, 250];

/// The Anomalies page's own signals (provided by the page, read with [`use_anomalies`]).
#[derive(Debug, Clone, Copy)]
pub struct AnomaliesCtx {
    /// Table filters.
    pub filter: RwSignal<TableFilter>,
    /// Table order.
    pub sort: RwSignal<TableSort>,
    /// Rows per page.
    pub page_size: RwSignal<usize>,
    /// First row shown.
    pub offset: RwSignal<usize>,
    /// The page of rows the worker sent last.
    pub page: RwSignal<Option<TablePage>>,
    /// Milliseconds the last table query took, round trip.
    pub query_ms: RwSignal<Option<f64>>,
    /// Rows ticked for bulk actions.
    pub selection: RwSignal<BTreeSet<u32>>,
    /// The open row's detail.
    pub detail: RwSignal<Option<Arc<RowDetail>>>,
    /// Global importance, once computed.
    pub importance: RwSignal<Option<Importance>>,
    /// What the last retrain changed.
    pub diff: RwSignal<Option<RetrainDiff>>,
}

impl AnomaliesCtx {
    /// Fresh signals: flagged rows by score, 50 per page.
    pub fn new() -> Self {
        Self {
            filter: RwSignal::new(TableFilter {
                flagged_only: true,
                ..TableFilter::default()
            }),
            sort: RwSignal::new(TableSort {
                key: crate::engine::triage::SortKey::Score,
                descending: true,
            }),
            page_size: RwSignal::new(PAGE_SIZES[0]),
            offset: RwSignal::new(0),
            page: RwSignal::new(None),
            query_ms: RwSignal::new(None),
            selection: RwSignal::new(BTreeSet::new()),
            detail: RwSignal::new(None),
            importance: RwSignal::new(None),
            diff: RwSignal::new(None),
        }
    }
}

impl Default for AnomaliesCtx {
    fn default() -> Self {
        Self::new()
    }
}

/// Reads the page's signals from context.
///
/// # Panics
/// Outside the Anomalies page (a programming error, not a data path).
pub fn use_anomalies() -> AnomaliesCtx {
    expect_context::<AnomaliesCtx>()
}

/// Sets (`Some`) or clears (`None`) the verdict on `rows` through the worker (which hashes the
/// rows into stable keys) and stores the answer as the page's feedback.
pub fn mark_rows(
    state: crate::ui::state::AppState,
    worker: crate::ui::hooks::use_worker::UseWorkerReturn,
    rows: Vec<u32>,
    verdict: Option<Verdict>,
) {
    if rows.is_empty() {
        return;
    }
    let answer = worker.request(Mark {
        feedback: state.feedback.get_untracked(),
        rows,
        verdict,
        at: js_sys::Date::now() / 1000.0,
    });
    leptos::task::spawn_local(async move {
        match answer.await {
            Ok(f) => state.feedback.set(f),
            Err(e) => state.fail("Could not record the verdict", e),
        }
    });
}

/// Short text of a verdict.
pub fn verdict_label(v: Option<Verdict>) -> &'static str {
    match v {
        None => "unreviewed",
        Some(Verdict::TruePositive) => "true positive",
        Some(Verdict::FalsePositive) => "false positive",
    }
}
