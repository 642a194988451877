//! The Live page: simulated traffic or a replay of the loaded data, scored flow by flow in the
//! worker (rules and ensemble), with live charts, an alerts feed and a notice for high severity.

use leptos::prelude::*;

use crate::ui::components::live::{
    AlertsFeed, HighSeverityToast, LiveCharts, LiveControls, LiveSettings, LiveStats,
    RecentAnomalies,
};
use crate::ui::state::use_app_state;

/// Live mode: simulated traffic or capture replay, scored as it arrives.
#[component]
pub fn LivePage() -> impl IntoView {
    let state = use_app_state();
    let settings = RwSignal::new(LiveSettings::default());
    let notes = move || {
        state.live.with(|v| {
            let mut out: Vec<String> = Vec::new();
            if let Some(s) = &v.started {
                out.push(format!("Source: {}.", s.source));
                out.push(s.model_note.clone());
                out.push(s.rules_note.clone());
            }
            out.extend(v.notes.iter().cloned());
            out
        })
    };
    view! {
        <section class="ns-live" aria-label="Live mode">
            <LiveControls settings=settings />
            <LiveStats />
            <ul id="ns-live-notes" class="ns-live-notes">
                {move || notes().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            </ul>
            <LiveCharts />
            <div class="ns-live-lower">
                <AlertsFeed />
                <RecentAnomalies />
            </div>
            <HighSeverityToast />
        </section>
    }
}
