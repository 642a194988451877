//! The Anomalies page: the alert table (filtered, sorted and paged in the worker), the row
//! detail with its explanation, feedback and suppression rules, retraining with feedback, and
//! global feature importance.

use leptos::prelude::*;

use crate::ui::components::anomalies::{
    detail::sync_detail, table::sync_table, AnomaliesCtx, AnomalyTable, FeedbackBar,
    ImportancePanel, RetrainPanel, RowDetailPanel, SuppressionRules,
};
use crate::ui::hooks::use_worker::use_worker;
use crate::ui::state::use_app_state;

/// The anomaly table, row details, explanations and feedback.
#[component]
pub fn AnomaliesPage() -> impl IntoView {
    let state = use_app_state();
    let worker = use_worker();
    let ctx: AnomaliesCtx = state.anomalies;
    provide_context(ctx);
    sync_table(state, ctx, worker);
    sync_detail(state, ctx, worker);
    view! {
        <div class="ns-anom">
            <FeedbackBar />
            <div class="ns-anom__grid">
                <div class="ns-anom__main">
                    <AnomalyTable />
                </div>
                <RowDetailPanel />
            </div>
            <div class="ns-anom__lower">
                <SuppressionRules />
                <RetrainPanel />
            </div>
            <ImportancePanel />
        </div>
    }
}
