//! The Anomalies page: The anomaly table, row details, explanations and feedback.

use leptos::prelude::*;

/// The anomaly table, row details, explanations and feedback.
#[component]
pub fn AnomaliesPage() -> impl IntoView {
    view! {
        <section class="ns-page-empty">
            <p>"The anomaly table, row details, explanations and feedback — coming soon."</p>
        </section>
    }
}
