//! The Anomalies page's jobs (wasm only): the table query, row details, global importance,
//! marking verdicts and retraining with feedback. The work itself is in
//! [`crate::engine::triage`] and [`crate::engine::feedback`]; this file reaches the worker's
//! data set and last result and logs how long a table query took.

use web_sys::DedicatedWorkerGlobalScope;

use crate::engine::enrich::Baseline;
use crate::engine::explain::{permutation_importance, Importance, ImportanceParams};
use crate::engine::feedback::RetrainDiff;
use crate::engine::feedback::{self, Feedback, Verdict};
use crate::engine::pipeline::RunConfig;
use crate::engine::pipeline::RunResult;
use crate::engine::triage::{self, RowDetail, TablePage, TableQuery};
use crate::worker::protocol::{JobId, WorkerError};
use crate::worker::runtime::{now_ms, with_state, Sink};

/// What a cached baseline was fitted for: row count, training rows, first score's bits.
type BaselineKey = (usize, usize, u64);

thread_local! {
    /// The enrichment baseline of the current data set and result: (row count, training rows,
    /// first score bits) it was fitted for, and the baseline.
    static BASELINE: std::cell::RefCell<Option<(BaselineKey, Baseline)>> =
        const { std::cell::RefCell::new(None) };
}

/// One page of the anomaly table.
pub(crate) fn table(q: &TableQuery) -> Result<Box<TablePage>, WorkerError> {
    let started = now_ms();
    let mut page = with_state(|s| {
        let table = s.table()?;
        let (_, result) = s.last()?;
        triage::query(table, result, q).map_err(WorkerError::from)
    })?;
    let ms = now_ms() - started;
    page.elapsed_ms = ms;
    web_sys::console::debug_1(
        &format!(
            "netsift table query: {} matching of {} flagged, page of {} in {ms:.1} ms",
            page.total,
            page.flagged,
            page.rows.len()
        )
        .into(),
    );
    Ok(Box::new(page))
}

/// One row's detail.
pub(crate) fn row_detail(row: u32) -> Result<Box<RowDetail>, WorkerError> {
    with_state(|s| {
        let table = s.table()?;
        let (model, result) = s.last()?;
        let key = (
            table.n_rows(),
            result.n_train,
            result.ensemble_score.first().map_or(0, |x| x.to_bits()),
        );
        let baseline = BASELINE.with(|b| {
            let mut b = b.borrow_mut();
            match b.as_ref() {
                Some((k, base)) if *k == key => base.clone(),
                _ => {
                    let all: Vec<usize> = (0..table.n_rows()).collect();
                    let base = Baseline::fit(table, &all);
                    *b = Some((key, base.clone()));
                    base
                }
            }
        });
        let detail = triage::row_detail(model, table, result, &baseline, row as usize)?;
        Ok(Box::new(detail))
    })
}

/// Permutation importance with progress.
pub(crate) fn importance(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    params: &ImportanceParams,
) -> Result<Importance, WorkerError> {
    with_state(|s| {
        let table = s.table()?;
        let (model, _) = s.last()?;
        let mut sink = Sink::new(scope, job);
        let imp = permutation_importance(model, table, params, &mut sink)?;
        Ok(imp)
    })
}

/// Sets or clears a verdict on rows.
pub(crate) fn mark(
    mut feedback: Vec<Feedback>,
    rows: &[u32],
    verdict: Option<Verdict>,
    at: f64,
) -> Result<Vec<Feedback>, WorkerError> {
    with_state(|s| {
        let table = s.table()?;
        let rows: Vec<usize> = rows.iter().map(|&r| r as usize).collect();
        match verdict {
            Some(v) => {
                feedback::mark(&mut feedback, table, &rows, v, "", at);
            }
            None => {
                feedback::unmark(&mut feedback, table, &rows);
            }
        }
        Ok(feedback)
    })
}

/// Retrains with feedback; the new model and result become the worker's current ones.
pub(crate) fn retrain(
    scope: &DedicatedWorkerGlobalScope,
    job: JobId,
    config: &RunConfig,
    feedback: &[Feedback],
) -> Result<Box<(RunResult, RetrainDiff)>, WorkerError> {
    let started = now_ms();
    let (model, mut result, diff) = with_state(|s| {
        let table = s.table()?;
        let (_, previous) = s.last()?;
        let mut sink = Sink::new(scope, job);
        feedback::retrain_with_feedback_on(config, table, previous, feedback, &mut sink, &|| {
            now_ms() / 1000.0
        })
        .map_err(WorkerError::from)
    })?;
    result.total_seconds = (now_ms() - started) / 1000.0;
    let answer = Box::new((result.clone(), diff));
    with_state(|s| s.last = Some((model, result)));
    Ok(answer)
}
