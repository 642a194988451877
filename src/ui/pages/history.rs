//! The History page: past runs with filters and retention, and saved models.

use leptos::prelude::*;

use crate::ui::components::history::{ModelsPanel, RunsPanel};

/// Past runs, saved models and storage settings.
#[component]
pub fn HistoryPage() -> impl IntoView {
    view! {
        <div class="ns-history-page">
            <RunsPanel />
            <section class="ns-panel" aria-labelledby="ns-models-title">
                <h2 id="ns-models-title" class="ns-panel__title">"Models"</h2>
                <ModelsPanel />
            </section>
        </div>
    }
}
