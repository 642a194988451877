//! The History page: Past runs, saved models and storage settings.

use leptos::prelude::*;

/// Past runs, saved models and storage settings.
#[component]
pub fn HistoryPage() -> impl IntoView {
    view! {
        <section class="ns-page-empty">
            <p>"Past runs, saved models and storage settings — coming soon."</p>
        </section>
    }
}
