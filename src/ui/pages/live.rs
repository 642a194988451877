//! The Live page: Live mode: simulated traffic or capture replay, scored as it arrives.

use leptos::prelude::*;

/// Live mode: simulated traffic or capture replay, scored as it arrives.
#[component]
pub fn LivePage() -> impl IntoView {
    view! {
        <section class="ns-page-empty">
            <p>"Live mode: simulated traffic or capture replay, scored as it arrives — coming soon."</p>
        </section>
    }
}
