//! The analysis charts under the results: model comparison, voting, severity, feature
//! distributions, PCA, correlation, and (with labels) confusion matrix and ROC/PR curves.

use leptos::prelude::*;

/// The charts that explain a run (empty until a result exists).
#[component]
pub fn AnalysisCharts() -> impl IntoView {
    view! { <div id="ns-analysis" class="ns-analysis"></div> }
}
