//! The storage banner (browser storage unavailable or full: work is kept in memory) and the
//! "Restored workspace from <time>" notice with its "Start fresh" button.

use leptos::prelude::*;

use crate::ui::hooks::use_storage;
use crate::ui::state::use_app_state;

/// Local date and time of epoch seconds, e.g. "2026-11-21 15:04".
pub fn local_time(t: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t * 1000.0));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// Shows why the workspace is not being saved, and that a saved one was restored.
#[component]
pub fn StorageBanner() -> impl IntoView {
    let state = use_app_state();
    let storage = use_storage();
    view! {
        <Show when=move || state.storage_problem.with(Option::is_some)>
            <div id="ns-storage-banner" class="ns-banner ns-banner--error ns-storage-banner" role="alert">
                <div class="ns-banner__text">
                    <strong class="ns-banner__title">"Not saving to this browser"</strong>
                    <span class="ns-banner__message">
                        {move || state.storage_problem.get().unwrap_or_default()}
                    </span>
                </div>
                <button
                    class="ns-button ns-button--ghost ns-banner__close"
                    type="button"
                    aria-label="Dismiss the storage message"
                    on:click=move |_| state.storage_problem.set(None)
                >
                    "✕"
                </button>
            </div>
        </Show>
        <Show when=move || state.restored_from.with(Option::is_some)>
            <div id="ns-restored" class="ns-banner ns-banner--notice ns-restored" role="status">
                <span class="ns-banner__message">
                    {move || {
                        state
                            .restored_from
                            .get()
                            .map(|t| format!("Restored workspace from {}", local_time(t)))
                            .unwrap_or_default()
                    }}
                </span>
                <button
                    id="ns-start-fresh"
                    class="ns-button ns-button--ghost"
                    type="button"
                    on:click=move |_| storage.start_fresh()
                >
                    "Start fresh"
                </button>
                <button
                    class="ns-button ns-button--ghost ns-banner__close"
                    type="button"
                    aria-label="Dismiss"
                    on:click=move |_| state.restored_from.set(None)
                >
                    "✕"
                </button>
            </div>
        </Show>
    }
}
