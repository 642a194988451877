//! The error banner: what happened and what to do, dismissable.

use leptos::prelude::*;

use crate::ui::state::use_app_state;

/// Shows the current [`UiError`](crate::ui::state::UiError), or the current notice, above the page.
#[component]
pub fn ErrorBanner() -> impl IntoView {
    let state = use_app_state();
    view! {
        <Show when=move || state.error.with(Option::is_some)>
            <div id="ns-error" class="ns-banner ns-banner--error" role="alert">
                <div class="ns-banner__text">
                    <strong class="ns-banner__title">
                        {move || state.error.with(|e| e.as_ref().map(|e| e.title.clone()).unwrap_or_default())}
                    </strong>
                    <span class="ns-banner__message">
                        {move || state.error.with(|e| e.as_ref().map(|e| e.message.clone()).unwrap_or_default())}
                    </span>
                </div>
                <button
                    class="ns-button ns-button--ghost ns-banner__close"
                    type="button"
                    aria-label="Dismiss this message"
                    on:click=move |_| state.error.set(None)
                >
                    "✕"
                </button>
            </div>
        </Show>
        <Show when=move || state.notice.with(Option::is_some) && state.error.with(Option::is_none)>
            <div id="ns-notice" class="ns-banner ns-banner--notice" role="status">
                <span class="ns-banner__message">{move || state.notice.get().unwrap_or_default()}</span>
                <button
                    class="ns-button ns-button--ghost ns-banner__close"
                    type="button"
                    aria-label="Dismiss"
                    on:click=move |_| state.notice.set(None)
                >
                    "✕"
                </button>
            </div>
        </Show>
    }
}
