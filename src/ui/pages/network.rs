//! The Network page: Network views and behaviour-rule alerts.

use leptos::prelude::*;

/// Network views and behaviour-rule alerts.
#[component]
pub fn NetworkPage() -> impl IntoView {
    view! {
        <section class="ns-page-empty">
            <p>"Network views and behaviour-rule alerts — coming soon."</p>
        </section>
    }
}
