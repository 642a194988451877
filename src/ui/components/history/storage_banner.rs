//! The storage banner (browser storage unavailable or full: work is kept in memory) and the
//! "Restored workspace from <time>" notice with its "Start fresh" button.

use leptos::prelude::*;

use crate::ui::components::error_banner::{Banner, BannerKind};
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
    let problem = Signal::derive(move || state.storage_problem.get().unwrap_or_default());
    let restored = Signal::derive(move || {
        state
            .restored_from
            .get()
            .map(|t| format!("Restored workspace from {}", local_time(t)))
            .unwrap_or_default()
    });
    view! {
        <Show when=move || state.storage_problem.with(Option::is_some)>
            <Banner
                id="ns-storage-banner"
                kind=BannerKind::Error
                class="ns-storage-banner"
                title=Signal::stored("Not saving to this browser".to_string())
                message=problem
                dismiss_label="Dismiss the storage message"
                on_dismiss=Callback::new(move |()| state.storage_problem.set(None))
            />
        </Show>
        <Show when=move || state.restored_from.with(Option::is_some)>
            <Banner
                id="ns-restored"
                kind=BannerKind::Notice
                class="ns-restored"
                message=restored
                dismiss_label="Dismiss"
                on_dismiss=Callback::new(move |()| state.restored_from.set(None))
            >
                <button
                    id="ns-start-fresh"
                    class="ns-button ns-button--ghost"
                    type="button"
                    on:click=move |_| storage.start_fresh()
                >
                    "Start fresh"
                </button>
            </Banner>
        </Show>
    }
}
